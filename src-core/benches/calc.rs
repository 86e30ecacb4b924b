//! Times every computation, and a batch of 100,000 LCPR evaluations (target: < 40 ns each).
//!
//! `cargo bench -p lcpr-core` prints the figures; the batch group reports elements per second,
//! so ns per evaluation = 1e9 ÷ that rate.

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lcpr_core::calc::break_even::break_even;
use lcpr_core::calc::cache_break_even::{CachePrices, cache_break_even};
use lcpr_core::calc::goodput::{MeasuredRequest, Slo, goodput};
use lcpr_core::calc::kv_sizing::{KvShape, kv_sizing};
use lcpr_core::calc::lcpr::LcprModel;
use lcpr_core::calc::lcpr::{DeploymentMode, RoutePricing};
use lcpr_core::calc::lcpr::{ProfileField, WorkloadProfile};
use lcpr_core::calc::payback::{PaybackInput, payback};
use lcpr_core::calc::readiness::{FACTORS, Factor, readiness};
use lcpr_core::calc::sensitivity::sweep;
use lcpr_core::calc::trace_to_margin::{TraceToMarginInput, trace_to_margin};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

fn profile() -> WorkloadProfile {
    WorkloadProfile {
        avg_input_tokens: 800.0,
        avg_output_tokens: 400.0,
        monthly_requests: 500_000.0,
        retry_rate: 0.03,
        quality_gate_pass_rate: 0.95,
        cache_hit_rate: 0.5,
        batch_eligible_fraction: 0.3,
        prefill_efficiency: 0.2,
        repair_cost_per_failure: d("0.002"),
        engineering_hours_per_month: 8.0,
        engineer_hourly_cost: d("100"),
    }
}

fn api() -> RoutePricing {
    RoutePricing {
        name: "Fireworks Llama 4 Maverick".into(),
        deployment_mode: DeploymentMode::ServerlessOpen,
        input_rate_per_m: d("0.15"),
        output_rate_per_m: d("0.6"),
        cached_input_rate_per_m: d("0.075"),
        batch_input_rate_per_m: d("0.075"),
        batch_output_rate_per_m: d("0.3"),
        gpu_hourly_rate: Decimal::ZERO,
        throughput_tps: 0.0,
        utilization: 0.0,
        quality_score: 1.0,
    }
}

fn gpu() -> RoutePricing {
    RoutePricing {
        name: "H100".into(),
        deployment_mode: DeploymentMode::Dedicated,
        gpu_hourly_rate: d("3.99"),
        throughput_tps: 1500.0,
        utilization: 0.4,
        ..api()
    }
}

fn computations(c: &mut Criterion) {
    let (p, a, g) = (profile(), api(), gpu());
    c.bench_function("lcpr/validate+estimate token route", |b| {
        b.iter(|| LcprModel::new(black_box(&p), black_box(&a)).map(|m| m.estimate()))
    });
    c.bench_function("break_even", |b| {
        b.iter(|| break_even(black_box(&a), black_box(&g)))
    });
    let requests: Vec<MeasuredRequest> = (0..1000)
        .map(|i| MeasuredRequest {
            ttft_ms: 200.0 + f64::from(i % 700),
            tpot_ms: 20.0 + f64::from(i % 40),
            e2e_ms: None,
            output_tokens: 300.0,
            quality_pass: i % 10 != 0,
            cost: d("0.004"),
        })
        .collect();
    let slo = Slo {
        ttft_ms: 800.0,
        tpot_ms: 50.0,
        e2e_ms: None,
    };
    c.bench_function("goodput/1000 requests", |b| {
        b.iter(|| goodput(black_box(&requests), 10.0, slo))
    });
    let ttm = TraceToMarginInput {
        trace_cost: d("14200"),
        invoice_amount: d("14850"),
        eval_cost: d("800"),
        human_cost: d("1000"),
        ops_cost: d("2500"),
        total_attempts: d("100000"),
        accepted_units: d("82000"),
        revenue_per_unit: d("0.54878"),
    };
    c.bench_function("trace_to_margin", |b| {
        b.iter(|| trace_to_margin(black_box(&ttm)))
    });
    let kv = KvShape {
        n_layers: 80.0,
        n_kv_heads: 8.0,
        head_dim: 128.0,
        element_bytes: 2.0,
        kv_pool_bytes: 40e9,
        resident_tokens: 4096.0,
        headroom_fraction: 0.1,
        weight_bytes: 140e9,
        layer_groups: Vec::new(),
    };
    c.bench_function("kv_sizing", |b| b.iter(|| kv_sizing(black_box(&kv))));
    let cache = CachePrices {
        prefix_tokens: d("50000"),
        uncached_input_price_per_m: d("3"),
        cache_write_price_per_m: d("3.75"),
        cache_read_price_per_m: d("0.3"),
        storage_price_per_m_hour: d("0"),
        storage_hours: d("0"),
    };
    c.bench_function("cache_break_even", |b| {
        b.iter(|| cache_break_even(black_box(&cache)))
    });
    let values = [0.0, 0.05, 0.1, 0.2, 0.5];
    c.bench_function("sensitivity/5 values", |b| {
        b.iter(|| {
            sweep(
                black_box(&p),
                black_box(&a),
                ProfileField::RetryRate,
                &values,
            )
        })
    });
    let factors: Vec<Factor> = FACTORS
        .iter()
        .map(|n| Factor {
            name: (*n).into(),
            score: 2,
        })
        .collect();
    c.bench_function("readiness", |b| b.iter(|| readiness(black_box(&factors))));
    let pb = PaybackInput {
        current_monthly_cost: d("10000"),
        projected_monthly_cost: d("4000"),
        engineering_investment: d("12000"),
    };
    c.bench_function("payback", |b| b.iter(|| payback(black_box(&pb))));
}

fn batch(c: &mut Criterion) {
    const N: usize = 100_000;
    // 100,000 distinct models: volumes and hit rates vary, half on GPUs, half on tokens.
    let models: Vec<LcprModel> = (0..N)
        .filter_map(|i| {
            let mut p = profile();
            p.monthly_requests = 10_000.0 + (i as f64) * 37.0;
            p.cache_hit_rate = (i % 100) as f64 / 100.0;
            let route = if i % 2 == 0 { api() } else { gpu() };
            LcprModel::new(&p, &route).ok()
        })
        .collect();
    assert_eq!(models.len(), N);
    let mut group = c.benchmark_group("lcpr batch");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("100k estimates", |b| {
        b.iter(|| {
            black_box(&models)
                .iter()
                .map(|m| m.estimate().lcpr)
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, computations, batch);
criterion_main!(benches);
