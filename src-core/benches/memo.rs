//! Times the decision memo of the shipped example workspace: evaluate, build the report (the
//! register tornado included) and render the PDF (targets: < 1 s and < 1 MB).
//!
//! `cargo bench -p lcpr-core --bench memo` prints the median of the runs, the slowest run and
//! the PDF's size, and fails when a target is missed.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use lcpr_core::case::evaluation::evaluate;
use lcpr_core::document::{Date, parse};
use lcpr_core::report::memo::decision::decision_memo;
use lcpr_core::report::memo::{MemoSource, render_options};
use lcpr_core::report::render_pdf;

const RUNS: usize = 20;
const TIME_TARGET: Duration = Duration::from_secs(1);
const SIZE_TARGET: usize = 1_000_000;

fn main() -> ExitCode {
    let text = include_str!("../../workspaces/support-migration.yaml");
    let date = Date::new(2026, 11, 23).unwrap_or(Date::EPOCH);
    let source = MemoSource::of_file("support-migration.yaml", text.as_bytes(), date);
    let once = || -> Result<Vec<u8>, String> {
        let ws = parse(text, "support-migration.yaml").map_err(|e| e.to_string())?;
        let eval = evaluate(&ws);
        let memo = decision_memo(&ws, &eval, None, &source).map_err(|e| e.to_string())?;
        render_pdf(&memo, &render_options()).map_err(|e| e.to_string())
    };
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        match once() {
            Ok(pdf) => size = black_box(pdf).len(),
            Err(e) => {
                eprintln!("memo: {e}");
                return ExitCode::FAILURE;
            }
        }
        times.push(started.elapsed());
    }
    times.sort();
    let median = times.get(RUNS / 2).copied().unwrap_or_default();
    let slowest = times.last().copied().unwrap_or_default();
    println!(
        "memo of support-migration.yaml: median {:.1} ms, slowest {:.1} ms over {RUNS} runs; PDF {} bytes ({:.0} KB)",
        median.as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
        size,
        size as f64 / 1024.0
    );
    if median > TIME_TARGET || size > SIZE_TARGET {
        eprintln!("memo: over target (< {TIME_TARGET:?}, < {SIZE_TARGET} bytes)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
