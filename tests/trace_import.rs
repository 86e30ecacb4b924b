//! Trace import end to end: the fixtures under `tests/fixtures/traces/`, priced by the default
//! workspace's rate cards (GPT-5.4 at list − 10%: $2.25 / $0.225 cached / $13.50 output per
//! million; DeepSeek V4 Pro on Fireworks: $1.74 / $0.20 / $3.48), through aggregates, baselines
//! and findings; broken rows, unpriced models, cancellation and progress.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use lcpr_core::document::mapping::{CanonicalField, ColumnMapping, ColumnRule, UsageConvention};
use lcpr_core::document::{self, Date, Period, Workspace};
use lcpr_core::evidence::traces::aggregate::{Aggregate, AggregateSettings, UnpricedModel};
use lcpr_core::evidence::traces::baseline::{
    BaselineOptions, BaselineRefusal, derive_baseline, derive_baselines,
};
use lcpr_core::evidence::traces::findings::{FindingKind, FindingRules, findings};
use lcpr_core::evidence::traces::{Format, Import, ImportError, ImportOptions, Progress};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(m: u8, dd: u8) -> Date {
    Date::new(2026, m, dd).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    support::repo_root()
        .join("tests/fixtures/traces")
        .join(name)
}

fn workspace() -> Workspace {
    document::load(&support::repo_root().join("workspaces/support-migration.yaml")).unwrap()
}

fn options(threads: usize, chunk_bytes: usize) -> ImportOptions {
    ImportOptions {
        threads,
        chunk_bytes,
        aggregate: AggregateSettings::default(),
        verdicts: None,
    }
}

fn import_with(
    name: &str,
    format: Format,
    mapping: &ColumnMapping,
    options: ImportOptions,
) -> Result<Aggregate, ImportError> {
    let ws = workspace();
    Import {
        format,
        mapping,
        cards: &ws.rate_cards,
        options,
    }
    .from_file(&fixture(name), &mut |_| {}, &AtomicBool::new(false))
}

fn import(name: &str, format: Format, mapping: &ColumnMapping) -> Aggregate {
    import_with(name, format, mapping, ImportOptions::default()).unwrap()
}

fn errors(agg: &Aggregate) -> Vec<String> {
    agg.row_errors.iter().map(ToString::to_string).collect()
}

fn total_cost(agg: &Aggregate) -> Decimal {
    agg.workloads
        .values()
        .flat_map(|days| days.values())
        .map(|d| d.counters.inference_cost)
        .sum()
}

#[test]
fn canonical_csv_is_counted_and_priced_by_hand() {
    let agg = import("canonical.csv", Format::Csv, &ColumnMapping::canonical());
    assert_eq!((agg.rows_read, agg.rows_broken), (9, 0));
    assert!(agg.unpriced.is_empty());
    let days = &agg.workloads["support-chat"];
    // r4 is 10:00 at +01:00 (09:00 UTC, Nov 2); r9 is 23:30 at −01:00 (00:30 UTC, Nov 4).
    assert_eq!(
        days.keys().copied().collect::<Vec<_>>(),
        vec![day(11, 2), day(11, 3), day(11, 4)]
    );
    let nov2 = &days[&day(11, 2)];
    // Per million: r1 1000×2.25 + 1800×0.225 + 300×13.5 = 6705; r2 and r3 1200×2.25 + 405 +
    // 250×13.5 = 6480 each; r4 (model spelled gpt-5.4) 800×2.25 + 2000×0.225 + 400×13.5 = 7650.
    assert_eq!(nov2.counters.inference_cost, d("0.027315"));
    assert_eq!(
        nov2.usage.len(),
        2,
        "GPT-5.4 and gpt-5.4 are kept apart and both priced"
    );
    assert!(
        nov2.usage
            .iter()
            .all(|u| u.rate_card.as_deref() == Some("gpt-5.4"))
    );
    // Nov 3: r5 (3000 + 2800 written at the input rate, 300 generated) 17100; r6 on DeepSeek
    // 1000×1.74 + 1800×0.2 + 500×3.48 = 3840; r7 2800×2.25 = 6300; r8 6705.
    assert_eq!(days[&day(11, 3)].counters.inference_cost, d("0.033945"));
    assert_eq!(total_cost(&agg), d("0.067965"));
    let c = &nov2.counters;
    assert_eq!((c.attempts, c.requests, c.retries, c.errors), (4, 3, 1, 1));
    assert_eq!((c.accepted, c.gate_pass, c.gate_unknown), (3, 3, 1));
    // Reported costs: 0.0067 + 0.0065 + 0.0065 + 0.0077.
    assert_eq!((c.reported_cost, c.reported_cost_rows), (d("0.0274"), 4));
}

#[test]
fn the_same_rows_as_json_lines_and_on_any_threads_give_the_same_aggregate() {
    let csv = import("canonical.csv", Format::Csv, &ColumnMapping::canonical());
    let mut jsonl = import(
        "canonical.jsonl",
        Format::Jsonl,
        &ColumnMapping::canonical(),
    );
    // A CSV counts its header as row 1 and a JSON Lines file counts lines, so the row each
    // model was first seen on is one higher in the CSV; every other figure is the same.
    for days in jsonl.workloads.values_mut() {
        for day in days.values_mut() {
            for u in &mut day.usage {
                u.first_row += 1;
            }
        }
    }
    assert_eq!(jsonl, csv);
    for (threads, chunk) in [(1, 1), (2, 1), (2, 97), (3, 400)] {
        let again = import_with(
            "canonical.csv",
            Format::Csv,
            &ColumnMapping::canonical(),
            options(threads, chunk),
        )
        .unwrap();
        assert_eq!(again, csv, "threads {threads}, chunk {chunk}");
    }
}

#[test]
fn a_baseline_from_the_canonical_trace() {
    let ws = workspace();
    let agg = import("canonical.csv", Format::Csv, &ColumnMapping::canonical());
    let workload = ws.workload("support-chat").unwrap();
    let b = derive_baseline(&agg, workload, &BaselineOptions::default()).unwrap();
    // Eval 8 requests × 0.12 × $0.004 = $0.00384; human 1 escalation × $2; ops $2,500 × 3 ÷ 30.
    assert_eq!(
        (b.cost.inference, b.cost.eval, b.cost.human, b.cost.ops),
        (d("0.067965"), d("0.00384"), d("2"), d("250"))
    );
    // $252.071805 over 6 accepted = 42.0119675 → 42.011968.
    let m = &b.baseline.metrics;
    assert_eq!(m.lcpr, d("42.011968"));
    assert_eq!((b.attempts, b.requests, b.accepted, b.days), (9, 8, 6, 3));
    assert_eq!(m.gate_pass_rate, Some(6.0 / 7.0));
    assert_eq!((m.error_rate, m.timeout_rate), (1.0 / 9.0, 1.0 / 9.0));
    assert_eq!((m.retry_rate, m.escalation_rate), (1.0 / 8.0, 1.0 / 8.0));
    // Reads 12,800, writes 2,800, all input 28,600.
    assert_eq!(m.cache_hit_rate, 12_800.0 / 28_600.0);
    assert_eq!(m.cache_eligible_prefix_share, 15_600.0 / 28_600.0);
    assert_eq!((m.requests_per_day, m.accepted_per_day), (8.0 / 3.0, 2.0));
    // TTFT 350 380 400 420 450 500 600 700: p50 at rank 3.5 = 435, p95 at 6.65 = 665.
    let (ttft, tpot) = (m.ttft_ms.unwrap(), m.tpot_ms.unwrap());
    assert_eq!((ttft.p50, ttft.p95, ttft.p99), (435.0, 665.0, 693.0));
    // TPOT 18 19 20 20 21 22 25 30: p95 at rank 6.65 = 25 + 0.65 × 5.
    assert_eq!(tpot.p50, 20.5);
    assert!((tpot.p95 - 28.25).abs() < 1e-9);
    // Input 2800 ×6, 3000 ×2, 5800: p95 at rank 7.6 = 3000 + 0.6 × 2800.
    let t = &b.baseline.traffic;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(t.input_tokens_p50, 2800.0) && close(t.input_tokens_p95, 4680.0));
    // Generated 0 250 250 300 300 300 300 400 500: p95 at rank 7.6 = 400 + 0.6 × 100.
    assert!(close(t.output_tokens_p50, 300.0) && close(t.output_tokens_p95, 460.0));
    assert_eq!(
        (
            b.baseline.versions.model.as_str(),
            b.baseline.versions.prompt.as_str()
        ),
        ("GPT-5.4", "v8")
    );
    assert!(b.exact_percentiles);
    // The baseline is a valid member of the workspace it was derived for.
    let mut with = ws.clone();
    with.baselines.push(b.baseline.clone());
    assert_eq!(document::validate(&with), vec![]);
    let all = derive_baselines(&agg, &ws);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.as_ref().map(|x| &x.baseline), Ok(&b.baseline));
}

#[test]
fn findings_between_two_days_of_the_trace() {
    let ws = workspace();
    let agg = import("canonical.csv", Format::Csv, &ColumnMapping::canonical());
    let workload = ws.workload("support-chat").unwrap();
    let on = |dd| BaselineOptions {
        period: Some(Period {
            start: day(11, dd),
            end: day(11, dd),
        }),
        ..BaselineOptions::default()
    };
    let nov2 = derive_baseline(&agg, workload, &on(2)).unwrap();
    let nov3 = derive_baseline(&agg, workload, &on(3)).unwrap();
    let f = findings(
        &nov2.baseline,
        &nov3.baseline,
        workload,
        &FindingRules::default(),
    )
    .unwrap();
    let kinds: Vec<FindingKind> = f.iter().map(|f| f.kind).collect();
    // LCPR $27.79 → $42.68; cache hit 7,400/11,600 → 3,600/14,200; 2 of 3 verdicts pass (floor
    // 82%); escalations 0 → 1 of 4 requests. Output p95 385 → 470 is +22%, under the 25% rule.
    assert_eq!(
        kinds,
        vec![
            FindingKind::LcprRise,
            FindingKind::CacheHitDrop,
            FindingKind::PassRateBelowFloor,
            FindingKind::EscalationSpike
        ]
    );
    assert!((f[1].previous - 7_400.0 / 11_600.0).abs() < 1e-12);
    assert!((f[1].current - 3_600.0 / 14_200.0).abs() < 1e-12);
    assert_eq!(f[0].days_between, 1);
}

#[test]
fn a_saved_mapping_reads_an_inclusive_export_and_reports_broken_rows() {
    let text = std::fs::read_to_string(fixture("openai-export.mapping.json")).unwrap();
    let mapping: ColumnMapping = serde_json::from_str(&text).unwrap();
    assert_eq!(mapping.convention, UsageConvention::OpenaiInclusive);
    let agg = import("openai-export.csv", Format::Csv, &mapping);
    assert_eq!((agg.rows_read, agg.rows_broken), (10, 3));
    assert_eq!(
        errors(&agg),
        vec![
            "row 4: prompt_tokens (input_tokens) must be a whole number, got \"12x\"",
            "row 6: completion_tokens (output_tokens) must be ≥ 0, got -5",
            "row 8: cached_tokens (cache_read_tokens) must be ≤ prompt_tokens (1000) because input includes cached tokens (openai_inclusive), got 1200",
        ]
    );
    assert_eq!(
        agg.unpriced,
        vec![UnpricedModel {
            provider: "OpenAI".into(),
            model: "mystery-model".into(),
            rows: 2,
            first_row: 10,
            reason: "no rate card for this provider and model (by id, declared alias or dated snapshot) — add one, or declare this id among a card's aliases".into(),
        }]
    );
    let ws = workspace();
    let refusal = derive_baseline(
        &agg,
        ws.workload("support-chat").unwrap(),
        &BaselineOptions::default(),
    );
    match refusal {
        Err(BaselineRefusal::Unpriced(list)) => assert_eq!(list, agg.unpriced),
        other => panic!("expected a refusal listing the unpriced model, got {other:?}"),
    }
    // Priced rows: 1 (1000 uncached, 1800 cached, 300 out) 6705; 2 (1200, 1800, 200 + 50
    // reasoning) 6480; 4 (1000, 1800, 400) 8055; 6 (2800, 0, 300) 10350; 8 = 6705.
    assert_eq!(total_cost(&agg), d("0.038295"));
}

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

#[test]
fn broken_json_lines_are_reported_by_line() {
    let agg = import("malformed.jsonl", Format::Jsonl, &inclusive_jsonl_mapping());
    assert_eq!((agg.rows_read, agg.rows_broken), (9, 3));
    assert_eq!(
        errors(&agg),
        vec![
            "row 3: input_tokens must be a whole number, got \"1,000\"",
            "row 5: output_tokens must be ≥ 0, got -5",
            "row 7: cached_tokens (cache_read_tokens) must be ≤ input_tokens (1000) because input includes cached tokens (openai_inclusive), got 1200",
        ]
    );
    assert_eq!(agg.unpriced.len(), 1);
    assert_eq!(
        (agg.unpriced[0].model.as_str(), agg.unpriced[0].first_row),
        ("mystery-model", 9)
    );
}

#[test]
fn provider_usage_objects_of_three_shapes() {
    let agg = import(
        "mixed.usage.jsonl",
        Format::ProviderUsage,
        &ColumnMapping::provider_usage(),
    );
    assert_eq!((agg.rows_read, agg.rows_broken), (8, 3));
    assert_eq!(
        errors(&agg),
        vec![
            "row 3: usage.prompt_tokens (input_tokens) must be a whole number, got \"12x\"",
            "row 5: usage.completion_tokens (output_tokens) must be ≥ 0, got -5",
            "row 7: usage.prompt_tokens_details.cached_tokens (cache_read_tokens) must be ≤ usage.prompt_tokens (1000) because input includes cached tokens (openai_inclusive), got 1200",
        ]
    );
    // The workspace has no Anthropic card: both Anthropic rows stay unpriced.
    assert_eq!(agg.unpriced.len(), 1);
    assert_eq!(
        (
            agg.unpriced[0].provider.as_str(),
            agg.unpriced[0].rows,
            agg.unpriced[0].first_row
        ),
        ("Anthropic", 2, 2)
    );
    let nov2 = &agg.workloads["support-chat"][&day(11, 2)];
    // Chat row 1: 6705. Responses row 4: 1000 uncached, 1800 cached, 300 + 100 reasoning →
    // 2250 + 405 + 5400 = 8055. Responses row 8: 3000 × 2.25 + 250 × 13.5 = 10125.
    assert_eq!(nov2.counters.inference_cost, d("0.024885"));
    // Anthropic rows: input excludes the cache; row 6 splits its writes 2000 / 800.
    let claude = nov2
        .usage
        .iter()
        .find(|u| u.provider == "Anthropic")
        .unwrap();
    assert_eq!(
        (
            claude.tokens.uncached_input,
            claude.tokens.cache_read,
            claude.tokens.cache_write_5m,
            claude.tokens.cache_write_1h
        ),
        (1050, 1800, 2000, 800)
    );
    assert_eq!(claude.cost, None);
}

#[test]
fn opentelemetry_spans_become_priced_rows() {
    let agg = import(
        "genai.otlp.json",
        Format::Otlp,
        &ColumnMapping::otel_genai(),
    );
    // Three chat spans; the agent, tool and HTTP spans are not model calls.
    assert_eq!((agg.rows_read, agg.rows_broken), (3, 0));
    let nov2 = &agg.workloads["support-chat"][&day(11, 2)];
    // 1000/1800/300 → 6705; 1200/1800/250 → 6480; 1000/1800/(300 + 100 reasoning) → 8055.
    assert_eq!(nov2.counters.inference_cost, d("0.02124"));
    assert_eq!((nov2.counters.errors, nov2.counters.accepted), (1, 2));
    // TTFT from time_to_first_chunk (s → ms); E2E from the span's start and end.
    assert_eq!(nov2.ttft_ms.quantile(0.5), Some(500.0));
    assert_eq!(nov2.e2e_ms.quantile(1.0), Some(8500.0));
    let malformed = import(
        "malformed.otlp.jsonl",
        Format::Otlp,
        &ColumnMapping::otel_genai(),
    );
    assert_eq!((malformed.rows_read, malformed.rows_broken), (8, 3));
    let rows: Vec<u64> = malformed.row_errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, vec![3, 5, 7]);
    assert_eq!(malformed.unpriced.len(), 1);
    assert_eq!(
        (
            malformed.unpriced[0].model.as_str(),
            malformed.unpriced[0].first_row
        ),
        ("gpt-9-preview", 8)
    );
}

#[test]
fn a_cancelled_import_returns_nothing() {
    let ws = workspace();
    let mapping = ColumnMapping::canonical();
    for threads in [1, 2] {
        let cancel = AtomicBool::new(false);
        let mut calls = 0;
        let result = Import {
            format: Format::Csv,
            mapping: &mapping,
            cards: &ws.rate_cards,
            options: options(threads, 64),
        }
        .from_file(
            &fixture("canonical.csv"),
            &mut |_| {
                calls += 1;
                cancel.store(true, Ordering::Relaxed);
            },
            &cancel,
        );
        assert_eq!(result, Err(ImportError::Cancelled), "threads {threads}");
        assert!(calls >= 1);
    }
    // Nothing was written to the workspace file either.
    assert_eq!(workspace(), ws);
}

#[test]
fn progress_reaches_the_end_of_the_file() {
    let ws = workspace();
    let mapping = ColumnMapping::canonical();
    let mut seen: Vec<Progress> = Vec::new();
    let agg = Import {
        format: Format::Csv,
        mapping: &mapping,
        cards: &ws.rate_cards,
        options: options(2, 200),
    }
    .from_file(
        &fixture("canonical.csv"),
        &mut |p| seen.push(p),
        &AtomicBool::new(false),
    )
    .unwrap();
    let size = std::fs::metadata(fixture("canonical.csv")).unwrap().len();
    let last = seen.last().copied().unwrap();
    assert_eq!(
        last,
        Progress {
            rows_done: agg.rows_read,
            bytes_done: size,
            bytes_total: size
        }
    );
    assert!(seen.len() > 2);
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
}

#[test]
fn files_and_formats() {
    let missing = import_with(
        "nope.csv",
        Format::Csv,
        &ColumnMapping::canonical(),
        ImportOptions::default(),
    );
    assert!(matches!(missing, Err(ImportError::Io { .. })));
    let wrong = import_with(
        "canonical.csv",
        Format::Csv,
        &ColumnMapping::otel_genai(),
        ImportOptions::default(),
    );
    assert!(wrong.is_err_and(|e| {
        e.to_string()
            .contains("has no column for the required field")
    }));
    for (name, format) in [
        ("a.csv", Some(Format::Csv)),
        ("a.JSONL", Some(Format::Jsonl)),
        ("spans.otlp.json", Some(Format::Otlp)),
        ("mixed.usage.jsonl", Some(Format::ProviderUsage)),
        ("t.parquet", Some(Format::Parquet)),
        ("notes.txt", None),
    ] {
        assert_eq!(
            Format::from_path(std::path::Path::new(name)),
            format,
            "{name}"
        );
    }
}
