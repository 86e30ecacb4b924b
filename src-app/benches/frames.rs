//! Frames per second of the workbench over a scripted edit sequence, headless (egui_kittest):
//! every frame edits the document, which recomputes all results. The budget is 16 ms a frame.
//!
//! `cargo bench -p lcpr-workbench --bench frames` prints the figures.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark that cannot set up should panic

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use lcpr_workbench::gui::dialogs::ScriptedDialogs;
use lcpr_workbench::gui::navigator::Selection;
use lcpr_workbench::gui::{LaunchOptions, WorkbenchApp};

fn main() {
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../workspaces/support-migration.yaml");
    let options = LaunchOptions {
        file: Some(file),
        storage: None,
        dialogs: Box::new(ScriptedDialogs::default()),
        started: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 880.0))
        .build_eframe(move |cc| WorkbenchApp::new(cc, options));
    h.state_mut().select(Selection::Workload(0));
    h.run_steps(5);
    let views = [
        "Compare",
        "Sensitivity",
        "Break-even",
        "Cache",
        "KV sizing",
        "Readiness",
        "Reconciliation",
    ];
    let mut times: Vec<Duration> = Vec::new();
    let started = Instant::now();
    for (round, view) in views.iter().cycle().take(7 * 40).enumerate() {
        if round % 40 == 0 {
            h.state_mut().show_view(view);
        }
        // One edit per frame, as a slider drag produces: volume, cache, pass rate in turn.
        let w = &mut h.state_mut().session_mut().doc.workloads[0];
        match round % 3 {
            0 => w.monthly_requests = 300_000.0 + (round as f64) * 500.0,
            1 => w.cache_hit_rate = 0.3 + (round % 50) as f64 / 100.0,
            _ => w.quality_gate_pass_rate = 0.75 + (round % 20) as f64 / 100.0,
        }
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let mean = total / times.len() as u32;
    println!(
        "frames: {} edited frames over all 7 views in {:.2?}",
        times.len(),
        total
    );
    println!(
        "frame time: mean {:.2?}, p50 {:.2?}, p95 {:.2?}, max {:.2?}",
        mean,
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    println!(
        "frames per second (mean): {:.0}",
        times.len() as f64 / total.as_secs_f64()
    );
    println!(
        "budget 16 ms: {}",
        if pct(0.95) <= Duration::from_millis(16) {
            "met at p95"
        } else {
            "MISSED at p95"
        }
    );
}
