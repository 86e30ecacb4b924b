//! Times the optimum search over the default workspace: every mix scenario's plan (cost curve,
//! optimum, single routes, a cascade's break-even escalation rate and required judge accuracy)
//! (target: < 5 ms for all of them).
//!
//! `cargo bench -p lcpr-core --bench plan` prints the median of a quick timing loop first, then
//! criterion's figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

fn plans(c: &mut Criterion) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../workspaces/support-migration.yaml");
    let ws = lcpr_core::document::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let run = |ws: &lcpr_core::document::Workspace| {
        let all = lcpr_core::decide::plan::plans(ws);
        assert!(all.iter().all(|(_, p)| p.is_ok()), "every plan computes");
        all.len()
    };
    let count = run(&ws);
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            black_box(run(black_box(&ws)));
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "plan: {count} mix scenarios of the default workspace: median {:.2} ms for all (target < 5 ms)",
        median.as_secs_f64() * 1e3
    );
    let mut group = c.benchmark_group("plan");
    group.sample_size(20);
    group.bench_function("default workspace, every mix scenario", |b| {
        b.iter(|| run(black_box(&ws)))
    });
    group.finish();
}

criterion_group!(benches, plans);
criterion_main!(benches);
