//! Frames per second of the workbench over a scripted edit sequence, headless (egui_kittest):
//! every frame edits the document, which recomputes all results, on every analysis view in
//! turn (the default workspace with a load-test sweep, so the Goodput view has work to do).
//! The budget is 16 ms a frame.
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
    let sweep = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/loadtests/generic_sweep.csv");
    lcpr_workbench::cli::import::add_load_tests(
        &mut h.state_mut().session_mut().doc,
        &sweep,
        "support-chat",
    )
    .unwrap();
    h.state_mut().select(Selection::Workload(0));
    h.run_steps(5);
    let views = h.state().view_titles();
    const FRAMES_PER_VIEW: usize = 40;
    let mut times: Vec<Duration> = Vec::new();
    let started = Instant::now();
    for round in 0..views.len() * FRAMES_PER_VIEW {
        if round % FRAMES_PER_VIEW == 0 {
            h.state_mut().show_view(views[round / FRAMES_PER_VIEW]);
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
    // The slowest views, so a regression names itself.
    let mut per_view: Vec<(&str, Duration)> = views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let slice = &times[i * FRAMES_PER_VIEW..(i + 1) * FRAMES_PER_VIEW];
            (*v, slice.iter().sum::<Duration>() / FRAMES_PER_VIEW as u32)
        })
        .collect();
    per_view.sort_by_key(|v| std::cmp::Reverse(v.1));
    println!(
        "slowest views (mean): {}",
        per_view
            .iter()
            .take(3)
            .map(|(v, t)| format!("{v} {t:.2?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let mean = total / times.len() as u32;
    println!(
        "frames: {} edited frames over all {} views in {:.2?}",
        times.len(),
        views.len(),
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
