//! Results unchanged: the digest of each trace fixture's aggregate (FNV-1a of its JSON, which
//! holds every count, token sum, cost, kept row error and sketch bucket) on one thread and on
//! two, with whole-file and small chunks, against `tests/fixtures/traces/digests.txt`.
//!
//! The digests were recorded by the reader as it was before its rewrite for speed, so a faster
//! reader passes only if it computes the same aggregate bit for bit. The synthetic traces
//! (`tests/support/trace_gen.rs`, the benchmark's generator at a smaller size) cover the
//! Parquet reader, which has no fixture of its own. `LCPR_RECORD_DIGESTS=1` rewrites the file
//! (only when the reader's results are meant to change).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;
#[path = "support/trace_gen.rs"]
mod trace_gen;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use lcpr_core::content_hash::fnv1a_64;
use lcpr_core::document::mapping::{CanonicalField, ColumnMapping, ColumnRule, UsageConvention};
use lcpr_core::document::{self, RateCard};
use lcpr_core::evidence::traces::aggregate::AggregateSettings;
use lcpr_core::evidence::traces::{Format, Import, ImportOptions};

use trace_gen::Shape;

fn inclusive_jsonl_mapping() -> ColumnMapping {
    let mut m = ColumnMapping::canonical();
    m.name = "inclusive".into();
    m.convention = UsageConvention::OpenaiInclusive;
    for rule in &mut m.columns {
        if rule.field == CanonicalField::InputTokens {
            rule.source = "input_tokens".into();
        }
    }
    m.columns.push(ColumnRule {
        source: "cached_tokens".into(),
        field: CanonicalField::CacheReadTokens,
    });
    m
}

/// Every fixture that imports as a trace, with the mapping its tests read it with.
fn fixtures() -> Vec<(String, Format, ColumnMapping)> {
    let root = support::repo_root().join("tests/fixtures");
    let saved: ColumnMapping = serde_json::from_str(
        &std::fs::read_to_string(root.join("traces/openai-export.mapping.json")).unwrap(),
    )
    .unwrap();
    vec![
        (
            "traces/canonical.csv",
            Format::Csv,
            ColumnMapping::canonical(),
        ),
        (
            "traces/canonical.jsonl",
            Format::Jsonl,
            ColumnMapping::canonical(),
        ),
        (
            "traces/malformed.jsonl",
            Format::Jsonl,
            inclusive_jsonl_mapping(),
        ),
        ("traces/openai-export.csv", Format::Csv, saved),
        (
            "traces/mixed.usage.jsonl",
            Format::ProviderUsage,
            ColumnMapping::provider_usage(),
        ),
        (
            "traces/genai.otlp.json",
            Format::Otlp,
            ColumnMapping::otel_genai(),
        ),
        (
            "traces/malformed.otlp.jsonl",
            Format::Otlp,
            ColumnMapping::otel_genai(),
        ),
        (
            "traces_real/traces.json",
            Format::Otlp,
            ColumnMapping::otel_genai(),
        ),
        (
            "traces_real/openai-chat-completions.usage.jsonl",
            Format::ProviderUsage,
            ColumnMapping::provider_usage(),
        ),
        (
            "traces_real/anthropic-messages.usage.jsonl",
            Format::ProviderUsage,
            ColumnMapping::provider_usage(),
        ),
        (
            "querypack/trace.csv",
            Format::Csv,
            ColumnMapping::canonical(),
        ),
    ]
    .into_iter()
    .map(|(p, f, m)| (root.join(p).display().to_string(), f, m))
    .collect()
}

/// The digest of one import, or its error (a refused file must stay refused the same way).
fn digest(
    path: &Path,
    format: Format,
    mapping: &ColumnMapping,
    cards: &[RateCard],
    threads: usize,
    chunk_bytes: usize,
) -> String {
    let import = Import {
        format,
        mapping,
        cards,
        options: ImportOptions {
            threads,
            chunk_bytes,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        },
    };
    match import.from_file(path, &mut |_| {}, &AtomicBool::new(false)) {
        Ok(agg) => format!(
            "{:016x} rows={}",
            fnv1a_64(serde_json::to_string(&agg).unwrap().as_bytes()),
            agg.rows_read
        ),
        Err(e) => format!("refused: {e}"),
    }
}

/// Where the synthetic traces are written: once per test run.
fn generated() -> Vec<(PathBuf, Format, Shape)> {
    let dir = std::env::temp_dir().join(format!("lcpr-trace-digest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = Vec::new();
    for (shape, rows) in [(Shape::Simple, 20_000), (Shape::Realistic, 60_000)] {
        let csv = dir.join(format!("{}.csv", shape.name()));
        trace_gen::write_csv(&csv, shape, rows);
        out.push((csv, Format::Csv, shape));
        #[cfg(feature = "parquet")]
        {
            let pq = dir.join(format!("{}.parquet", shape.name()));
            trace_gen::write_parquet(&pq, shape, rows);
            out.push((pq, Format::Parquet, shape));
        }
    }
    out
}

fn lines() -> String {
    let root = support::repo_root();
    let ws = document::load(&root.join("workspaces/support-migration.yaml")).unwrap();
    let runs = [(1, 1 << 20), (2, 1 << 20), (2, 4096)];
    let mut out = String::new();
    for (path, format, mapping) in fixtures() {
        let name = Path::new(&path)
            .strip_prefix(root.join("tests/fixtures"))
            .unwrap()
            .display()
            .to_string();
        for (threads, chunk) in runs {
            let d = digest(
                Path::new(&path),
                format,
                &mapping,
                &ws.rate_cards,
                threads,
                chunk,
            );
            writeln!(out, "{name} threads={threads} chunk={chunk}: {d}").unwrap();
        }
    }
    let cards = trace_gen::cards();
    let canonical = ColumnMapping::canonical();
    let files = generated();
    for (path, format, shape) in &files {
        let name = format!(
            "generated/{}.{}",
            shape.name(),
            path.extension().unwrap().to_string_lossy()
        );
        // Parquet is cut by row groups, not bytes: its chunk size is not varied.
        for (threads, chunk) in runs {
            let d = digest(path, *format, &canonical, &cards, threads, chunk);
            writeln!(out, "{name} threads={threads} chunk={chunk}: {d}").unwrap();
        }
    }
    if let Some(dir) = files.first().and_then(|f| f.0.parent()) {
        let _ = std::fs::remove_dir_all(dir);
    }
    out
}

#[test]
fn every_trace_fixture_aggregates_to_its_recorded_digest_on_one_thread_and_two() {
    let file = support::repo_root().join("tests/fixtures/traces/digests.txt");
    let got = lines();
    if std::env::var_os("LCPR_RECORD_DIGESTS").is_some() {
        std::fs::write(&file, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&file).unwrap();
    for (g, w) in got.lines().zip(want.lines()) {
        assert_eq!(g, w);
    }
    assert_eq!(got.lines().count(), want.lines().count());
}
