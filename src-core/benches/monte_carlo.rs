//! Times a Monte Carlo run the size of a small workspace: 10,000 draws of a 10-input model with
//! 6 outputs (target: < 50 ms for the whole run, summaries and rank correlations included).
//!
//! `cargo bench -p lcpr-core --bench monte_carlo` prints the median of a quick timing loop
//! first, then criterion's figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lcpr_core::InputError;
use lcpr_core::decide::monte_carlo::{Simulation, UncertainInput, simulate_into};
use lcpr_core::document::Distribution;

const DRAWS: usize = 10_000;
const OUTPUTS: [&str; 6] = [
    "current",
    "cheaper model",
    "cache fix",
    "batch lane",
    "quality drop",
    "all changes",
];

fn input(id: &str, base: f64, low: f64, high: f64, distribution: Distribution) -> UncertainInput {
    UncertainInput {
        id: id.into(),
        base,
        low,
        high,
        distribution,
    }
}

fn inputs() -> Vec<UncertainInput> {
    use Distribution::{Pert, Triangular, Uniform};
    vec![
        input(
            "monthly_requests",
            500_000.0,
            400_000.0,
            650_000.0,
            Triangular,
        ),
        input("input_tokens", 800.0, 600.0, 1_200.0, Pert),
        input("output_tokens", 400.0, 300.0, 600.0, Triangular),
        input("input_price_per_m", 3.0, 2.5, 3.5, Uniform),
        input("output_price_per_m", 15.0, 12.0, 18.0, Triangular),
        input("cache_hit_rate", 0.5, 0.3, 0.7, Pert),
        input("retry_rate", 0.03, 0.01, 0.08, Triangular),
        input("pass_rate", 0.92, 0.85, 0.97, Triangular),
        input("eval_cost_per_request", 0.002, 0.001, 0.004, Triangular),
        input("human_cost_per_request", 0.01, 0.005, 0.02, Triangular),
    ]
}

/// LCPR of one variant: tokens after cache and batch, retries, eval and human cost, over
/// accepted outputs.
fn lcpr(v: &[f64; 10], price_factor: f64, cache_hit: f64, batch_share: f64, pass_rate: f64) -> f64 {
    let [n, tin, tout, pin, pout, _, retry, _, eval, human] = *v;
    let (pin, pout) = (pin * price_factor / 1e6, pout * price_factor / 1e6);
    let live = tin * ((1.0 - cache_hit) * pin + cache_hit * pin * 0.1) + tout * pout;
    let batch = 0.5 * (tin * pin + tout * pout);
    let per_request = (1.0 - batch_share) * live + batch_share * batch;
    let cost = n * (per_request * (1.0 + retry) + eval + human);
    cost / (n * pass_rate)
}

fn model(values: &[f64], out: &mut [f64]) -> Result<(), InputError> {
    let v: &[f64; 10] = values
        .try_into()
        .map_err(|_| InputError::new("inputs", "must be 10 values"))?;
    let (hit, pass) = (v[5], v[7]);
    let better_hit = (hit + 0.2).min(0.95);
    let rows = [
        lcpr(v, 1.0, hit, 0.0, pass),
        lcpr(v, 0.6, hit, 0.0, pass),
        lcpr(v, 1.0, better_hit, 0.0, pass),
        lcpr(v, 1.0, hit, 0.3, pass),
        lcpr(v, 1.0, hit, 0.0, pass - 0.05),
        lcpr(v, 0.6, better_hit, 0.3, pass - 0.05),
    ];
    for (slot, value) in out.iter_mut().zip(rows) {
        *slot = value;
    }
    Ok(())
}

fn run(inputs: &[UncertainInput], seed: u64) -> Simulation {
    match simulate_into(inputs, DRAWS, seed, &OUTPUTS, model) {
        Ok(sim) => sim,
        Err(e) => panic!("{e}"),
    }
}

fn monte_carlo(c: &mut Criterion) {
    let inputs = inputs();
    let mut times: Vec<Duration> = (0..21)
        .map(|seed| {
            let start = Instant::now();
            black_box(run(&inputs, seed));
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!(
        "monte_carlo: {DRAWS} draws × {} inputs × {} outputs: median {:.2} ms per run \
         (target < 50 ms)",
        inputs.len(),
        OUTPUTS.len(),
        median.as_secs_f64() * 1e3
    );
    let mut group = c.benchmark_group("monte_carlo");
    group.throughput(Throughput::Elements(DRAWS as u64));
    group.bench_function("10k draws, 10 inputs, 6 outputs", |b| {
        b.iter(|| run(black_box(&inputs), 42))
    });
    group.finish();
}

/// 10,000 draws of the default workspace's register: every scenario's LCPR and monthly cost
/// per draw (target: under 50 ms).
fn workspace_register(c: &mut Criterion) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../workspaces/support-migration.yaml");
    let ws = lcpr_core::document::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("register monte carlo");
    group.sample_size(20);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("default workspace, 10k draws", |b| {
        b.iter(|| {
            lcpr_core::decide::monte_carlo::register::simulate_register(
                black_box(&ws),
                10_000,
                2026,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, monte_carlo, workspace_register);
criterion_main!(benches);
