//! The query pack's committed results (tests/fixtures/querypack, written by
//! querypack/check_engines.py) against the same aggregates computed in Rust from the trace.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::PathBuf;

use lcpr_core::querypack::{
    self, Bucket, Metric, aggregate, derive, merge_counters, merge_histograms, parse_counters,
    parse_histograms, parse_traces,
};

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "tests",
        "fixtures",
        "querypack",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn counters(name: &str) -> Vec<querypack::CounterRow> {
    parse_counters(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn histograms(name: &str) -> Vec<querypack::HistogramRow> {
    parse_histograms(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn merged_partitions_equal_the_direct_computation() {
    let rows = parse_traces(&fixture("trace.csv")).expect("trace parses");
    assert_eq!(rows.len(), 2101);
    let (direct_counters, direct_histograms) = aggregate(&rows).expect("aggregates");

    let merged_counters = merge_counters(&[
        counters("tier1_counters.part1.csv"),
        counters("tier1_counters.part2.csv"),
    ])
    .expect("counters merge");
    let merged_histograms = merge_histograms(&[
        histograms("tier2_histograms.part1.csv"),
        histograms("tier2_histograms.part2.csv"),
    ])
    .expect("histograms merge");

    // Exact: every count, every token sum and every cost (Decimal) per workload × day; every
    // bucket count, so the SQL's CEIL(LN(x) / LN(γ)) put each value where bucket_index does.
    assert_eq!(merged_counters, direct_counters);
    assert_eq!(merged_histograms, direct_histograms);

    // The partitions merged equal one query over the whole trace.
    let whole_counters = merge_counters(&[counters("tier1_counters.csv")]).unwrap();
    let whole_histograms = merge_histograms(&[histograms("tier2_histograms.csv")]).unwrap();
    assert_eq!(merged_counters, whole_counters);
    assert_eq!(merged_histograms, whole_histograms);

    // The partitions really overlap: merging added counts on shared keys.
    let part1 = merge_counters(&[counters("tier1_counters.part1.csv")]).unwrap();
    assert_eq!(part1.len(), merged_counters.len());
    assert!(
        part1
            .values()
            .zip(merged_counters.values())
            .all(|(p, m)| p.attempts < m.attempts)
    );
}

#[test]
fn derived_figures_are_consistent_with_the_trace() {
    let rows = parse_traces(&fixture("trace.csv")).unwrap();
    let merged = derive(
        &merge_counters(&[
            counters("tier1_counters.part1.csv"),
            counters("tier1_counters.part2.csv"),
        ])
        .unwrap(),
        &merge_histograms(&[
            histograms("tier2_histograms.part1.csv"),
            histograms("tier2_histograms.part2.csv"),
        ])
        .unwrap(),
    )
    .unwrap();
    // Two workloads over four days.
    assert_eq!(merged.len(), 8);
    for f in &merged {
        let day_rows: Vec<_> = rows
            .iter()
            .filter(|r| r.workload_id == f.workload_id && r.day == f.day)
            .collect();
        let requests = day_rows.iter().filter(|r| r.attempt == 1).count() as u64;
        let accepted = day_rows
            .iter()
            .filter(|r| r.status == "ok" && r.quality_pass)
            .count() as u64;
        assert_eq!(f.counters.requests, requests);
        assert_eq!(f.accepted_per_day, accepted);
        assert_eq!(f.acceptance_rate, Some(accepted as f64 / requests as f64));
        // Each histogram quantile lies within α of the exact order statistic it stands for.
        for q in &f.quantiles {
            let mut values: Vec<f64> = day_rows
                .iter()
                .filter_map(|r| match q.metric {
                    Metric::TtftMs => r.ttft_ms,
                    Metric::TpotMs => r.tpot_ms,
                    Metric::E2eMs => r.e2e_ms,
                    Metric::InputTokens => Some(r.input_tokens as f64),
                    Metric::OutputTokens => Some(r.output_tokens as f64),
                })
                .collect();
            values.sort_by(f64::total_cmp);
            assert_eq!(q.count, values.len() as u64);
            for (p, got) in [(0.5, q.p50), (0.95, q.p95), (0.99, q.p99)] {
                let rank = (p * (values.len() - 1) as f64).floor() as usize;
                let exact = values[rank];
                let bucket = querypack::bucket_index(exact).unwrap();
                assert_eq!(got, querypack::representative(bucket), "{} {p}", q.metric);
                if bucket != Bucket::Zero {
                    assert!((got - exact).abs() <= querypack::ALPHA * exact + 1e-9);
                }
            }
        }
    }
}
