//! The query pack's committed results (tests/fixtures/querypack, written by
//! querypack/check_engines.py from DuckDB and Spark runs over trace.csv) against a local import
//! of that same trace file: merged partitions equal the whole, the aggregate rebuilt from the
//! results equals the local import's, and so do the baselines derived from them.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use lcpr_core::document::mapping::ColumnMapping;
use lcpr_core::document::{self, Workspace};
use lcpr_core::evidence::querypack::{
    self, AGGREGATE_SETTINGS, CounterRow, ExtremesRow, HistogramRow, merge_counters,
    merge_extremes, merge_histograms, parse_counters, parse_extremes, parse_histograms,
    to_aggregate,
};
use lcpr_core::evidence::traces::aggregate::{Aggregate, AggregateSettings};
use lcpr_core::evidence::traces::baseline::derive_baselines;
use lcpr_core::evidence::traces::pricing::price;
use lcpr_core::evidence::traces::sketch::Sketch;
use lcpr_core::evidence::traces::{Format, Import, ImportOptions};

fn path(name: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "tests",
        "fixtures",
        "querypack",
        name,
    ]
    .iter()
    .collect()
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn counters(name: &str) -> Vec<CounterRow> {
    parse_counters(name, &read(&path(name))).unwrap_or_else(|e| panic!("{e}"))
}

fn histograms(name: &str) -> Vec<HistogramRow> {
    parse_histograms(name, &read(&path(name))).unwrap_or_else(|e| panic!("{e}"))
}

fn extremes(name: &str) -> Vec<ExtremesRow> {
    parse_extremes(name, &read(&path(name))).unwrap_or_else(|e| panic!("{e}"))
}

/// The three results, one file of each per partition.
type Results = (
    Vec<Vec<CounterRow>>,
    Vec<Vec<HistogramRow>>,
    Vec<Vec<ExtremesRow>>,
);

/// The three results over the two partitions.
fn partitions() -> Results {
    let parts = ["part1", "part2"];
    (
        parts
            .iter()
            .map(|p| counters(&format!("tier1_counters.{p}.csv")))
            .collect(),
        parts
            .iter()
            .map(|p| histograms(&format!("tier2_histograms.{p}.csv")))
            .collect(),
        parts
            .iter()
            .map(|p| extremes(&format!("tier2_extremes.{p}.csv")))
            .collect(),
    )
}

fn workspace() -> Workspace {
    document::load(&path("workspace.yaml")).expect("the fixture workspace loads")
}

/// `lcpr import traces`' path: trace.csv read with the canonical mapping, priced.
fn local_import(ws: &Workspace, settings: AggregateSettings) -> Aggregate {
    let mapping = ColumnMapping::canonical();
    let import = Import {
        format: Format::Csv,
        mapping: &mapping,
        cards: &ws.rate_cards,
        options: ImportOptions {
            aggregate: settings,
            ..ImportOptions::default()
        },
    };
    import
        .from_file(&path("trace.csv"), &mut |_| {}, &AtomicBool::new(false))
        .expect("the trace imports")
}

/// The warehouse's path: the partitions' results merged, then priced by the same function.
fn warehouse(ws: &Workspace) -> Aggregate {
    let (c, h, e) = partitions();
    price(
        &to_aggregate(&c, &h, &e).expect("the results fit together"),
        &ws.rate_cards,
    )
    .expect("prices")
}

#[test]
fn merged_partitions_equal_the_whole() {
    let (c, h, e) = partitions();
    let (whole_c, whole_h, whole_e) = (
        counters("tier1_counters.csv"),
        histograms("tier2_histograms.csv"),
        extremes("tier2_extremes.csv"),
    );
    // Exact: every count, token sum and reported cost (Decimal) per group; every bucket count;
    // every min, max and fixed-point sum.
    let merged_c = merge_counters(&c).unwrap();
    assert_eq!(
        merged_c,
        merge_counters(std::slice::from_ref(&whole_c)).unwrap()
    );
    assert_eq!(
        merge_histograms(&h).unwrap(),
        merge_histograms(std::slice::from_ref(&whole_h)).unwrap()
    );
    assert_eq!(
        merge_extremes(&e).unwrap(),
        merge_extremes(std::slice::from_ref(&whole_e)).unwrap()
    );
    assert_eq!(
        to_aggregate(&c, &h, &e).unwrap(),
        to_aggregate(&[whole_c], &[whole_h], &[whole_e]).unwrap()
    );
    // The partitions really overlap, so merging added counts on shared keys.
    let part1 = merge_counters(&c[..1]).unwrap();
    let part2 = merge_counters(&c[1..]).unwrap();
    let shared = part1.keys().filter(|k| part2.contains_key(*k)).count();
    assert!(
        shared * 10 >= merged_c.len() * 9,
        "{shared} of {}",
        merged_c.len()
    );
    for (k, m) in &merged_c {
        let a = part1.get(k).map_or(0, |c| c.attempts);
        let b = part2.get(k).map_or(0, |c| c.attempts);
        assert_eq!(a + b, m.attempts, "{k:?}");
    }
}

#[test]
fn the_warehouse_aggregate_is_the_local_import_aggregate() {
    let ws = workspace();
    let mut local = local_import(&ws, AGGREGATE_SETTINGS);
    let warehouse = warehouse(&ws);
    assert_eq!(local.rows_broken, 0, "{:?}", local.row_errors);
    assert!(local.unpriced.is_empty(), "{:?}", local.unpriced);
    // A warehouse keeps no row numbers; everything else must be identical: counters, priced
    // token sums and costs per (provider, model), version counts and every sketch, field by
    // field.
    for day in local.workloads.values_mut().flat_map(|d| d.values_mut()) {
        for u in &mut day.usage {
            u.first_row = 0;
        }
    }
    assert_eq!(warehouse, local);

    // The trace exercises what the counters distinguish.
    let days: Vec<_> = warehouse
        .workloads
        .values()
        .flat_map(|d| d.values())
        .collect();
    let sum = |f: &dyn Fn(&lcpr_core::evidence::traces::aggregate::Counters) -> u64| -> u64 {
        days.iter().map(|d| f(&d.counters)).sum()
    };
    assert!(warehouse.rows_read > 5_000);
    assert!(sum(&|c| c.retries) > 100 && sum(&|c| c.timeouts) > 50);
    assert!(sum(&|c| c.gate_unknown) > 100 && sum(&|c| c.escalations) > 100);
    assert!(sum(&|c| c.tokens.cache_read) > 0 && sum(&|c| c.tokens.cache_write_5m) > 0);
    assert!(sum(&|c| c.tokens.cache_write_1h) > 0 && sum(&|c| c.tokens.reasoning) > 0);
    assert!(sum(&|c| c.reported_cost_rows) < sum(&|c| c.attempts));
    let rag = &warehouse.workloads["support-rag"];
    assert!(rag.values().all(|d| d.usage.len() == 2));
    let prompts: std::collections::BTreeSet<&str> = rag
        .values()
        .flat_map(|d| d.versions.iter().map(|v| v.prompt_version.as_str()))
        .collect();
    assert_eq!(
        prompts.into_iter().collect::<Vec<_>>(),
        ["rag-v7", "rag-v8"]
    );
}

#[test]
fn the_warehouse_baselines_are_the_local_import_baselines() {
    let ws = workspace();
    let warehouse = derive_baselines(&warehouse(&ws), &ws);
    let local = derive_baselines(&local_import(&ws, AGGREGATE_SETTINGS), &ws);
    let ids: Vec<&str> = warehouse.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(ids, ["claims-draft", "extract-batch", "support-rag"]);
    for (w, d) in &warehouse {
        let d = d.as_ref().unwrap_or_else(|e| panic!("{w}: {e}"));
        assert!(!d.exact_percentiles && d.cost.inference > rust_decimal::Decimal::ZERO);
    }
    // The whole derivations: baseline (LCPR, rates, percentiles, traffic shape, versions,
    // notes), period, counts and loaded cost by component.
    assert_eq!(warehouse, local);
    // A local import that keeps raw values below its default limit agrees too: every workload's
    // period holds more than 1,000 values of each sketched metric, so it sketches as well.
    let default = derive_baselines(&local_import(&ws, AggregateSettings::default()), &ws);
    assert_eq!(warehouse, default);
}

#[test]
fn the_sql_buckets_and_sums_as_the_sketch_does() {
    let sql = |name: &str| {
        read(
            &[env!("CARGO_MANIFEST_DIR"), "..", "querypack", name]
                .iter()
                .collect(),
        )
    };
    let histograms = sql("tier2_histograms.sql");
    let literal = querypack::INV_LN_GAMMA_SQL;
    assert!(
        histograms.contains(&format!("CEIL(LN(x) * CAST({literal} AS DOUBLE))")),
        "tier2_histograms.sql must multiply by {literal}"
    );
    assert!(histograms.contains("x >= CAST(1E-9 AS DOUBLE)"));
    let extremes = sql("tier2_extremes.sql");
    assert!(extremes.contains("FLOOR(x * CAST(1048576 AS DOUBLE) + CAST(0.5 AS DOUBLE))"));
    // The literal is the factor the sketch multiplies by: the same bucket for values spread
    // over fourteen decades.
    let k: f64 = literal.parse().unwrap();
    let s = Sketch::standard(0);
    for i in 0..100_000 {
        let x = 10f64.powf(-5.0 + 14.0 * f64::from(i) / 100_000.0);
        assert_eq!(s.bucket_index(x), (x.ln() * k).ceil() as i32, "{x}");
    }
}
