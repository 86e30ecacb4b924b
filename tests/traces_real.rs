//! `lcpr import traces` on files the real tools wrote (tests/fixtures/traces_real, README
//! there): OpenTelemetry spans of three instrumentations in a Collector file named
//! `traces.json`, and verbatim OpenAI and Anthropic response bodies. The workload comes from a
//! rule (a constant at import, or a pattern over the service name), dated model ids find their
//! rate cards (and the report lists each match), a call traced by two layers counts once,
//! metrics the evidence cannot carry are "not measured", and verdicts join from an eval file.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::{Path, PathBuf};

/// A scratch folder holding the real files and the workspace with their models' rate cards.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-traces-real-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let fixtures = support::repo_root().join("tests/fixtures/traces_real");
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let p = entry.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).expect("copy");
    }
    dir
}

fn import(dir: &Path, file: &str, extra: &[&str]) -> (bool, String, String) {
    let (trace, ws) = (dir.join(file), dir.join("workspace.yaml"));
    let mut args = vec![
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lcpr(&args)
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn baseline(report: &serde_json::Value) -> &serde_json::Value {
    let b = report["baselines"].as_array().expect("baselines");
    assert_eq!(b.len(), 1, "{report}");
    &b[0]
}

#[test]
fn collector_spans_named_traces_json_import_with_the_workload_given_at_import() {
    let dir = scratch("otlp");
    let before = std::fs::read(dir.join("workspace.yaml")).unwrap();
    // No lcpr.* attributes: without a workload rule the file is refused, naming the fix.
    let (ok, _, err) = import(&dir, "traces.json", &[]);
    assert!(!ok);
    assert!(
        err.contains("no rows for any workload") && err.contains("--workload"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.join("workspace.yaml")).unwrap(), before);

    let (ok, out, err) = import(
        &dir,
        "traces.json",
        &["--workload", "support-chat", "--json"],
    );
    assert!(ok, "{err}");
    let r = json(&out);
    // Six spans: the two Anthropic calls are each traced by OpenLLMetry and by the SDK.
    assert_eq!(r["rows_read"], 4, "{r}");
    assert_eq!(r["duplicate_spans"], 2, "{r}");
    let matches: Vec<(String, String, String)> = r["model_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["model"].as_str().unwrap().to_owned(),
                m["rate_card"].as_str().unwrap().to_owned(),
                m["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        matches,
        [
            (
                "claude-3-5-sonnet-20240620".to_owned(),
                "claude-3.5-sonnet".to_owned(),
                "snapshot".to_owned()
            ),
            ("gpt-4-0613".into(), "gpt-4".into(), "snapshot".into()),
            (
                "gpt-4o-mini-2024-07-18".into(),
                "gpt-4o-mini".into(),
                "snapshot".into()
            ),
        ]
    );
    let b = baseline(&r);
    let m = &b["baseline"]["metrics"];
    // Non-streaming and streaming OpenAI spans carry no time to first token; no verdicts yet.
    assert!(m["ttft_ms"].is_null(), "{m}");
    assert!(m["gate_pass_rate"].is_null(), "{m}");
    assert_eq!(
        (b["requests"].as_u64(), b["accepted"].as_u64()),
        (Some(4), Some(4))
    );
    // Cache reads 1163 of 12 + 12 + 1167 + 1167 input tokens (the SDK's cache_write alias is
    // read, and the write counts as input, not as a hit).
    let hit = m["cache_hit_rate"].as_f64().unwrap();
    assert!((hit - 1163.0 / 2358.0).abs() < 1e-9, "{hit}");
    let notes = b["baseline"]["notes"].as_str().unwrap();
    assert!(notes.contains("Not measured: quality"), "{notes}");
    // The text report says "not measured", never 0.
    let ws = dir.join("workspace.yaml");
    let (ok, out, _) = lcpr(&["baseline", ws.to_str().unwrap()]);
    assert!(ok);
    assert!(out.contains("not measured"), "{out}");
}

#[test]
fn the_collector_writing_one_request_per_line_gives_the_same_baseline() {
    let dir = scratch("otlp-lines");
    let whole: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("traces.json")).unwrap()).unwrap();
    // The file exporter's JSON Lines form: each export request compact on its own line.
    let mut lines = String::new();
    for rs in whole["resourceSpans"].as_array().unwrap() {
        lines.push_str(&serde_json::json!({ "resourceSpans": [rs] }).to_string());
        lines.push('\n');
    }
    std::fs::write(dir.join("spans.jsonl"), lines).unwrap();
    let (ok, a, err) = import(
        &dir,
        "traces.json",
        &["--workload", "support-chat", "--json"],
    );
    assert!(ok, "{err}");
    std::fs::copy(
        support::repo_root().join("tests/fixtures/traces_real/workspace.yaml"),
        dir.join("workspace.yaml"),
    )
    .unwrap();
    let (ok, b, err) = import(
        &dir,
        "spans.jsonl",
        &["--workload", "support-chat", "--json"],
    );
    assert!(ok, "{err}");
    let metrics = |out: &str| baseline(&json(out))["baseline"]["metrics"].clone();
    assert_eq!(metrics(&a), metrics(&b));
    assert_eq!(json(&b)["duplicate_spans"], 2);
}

#[test]
fn format_forces_the_reader_whatever_the_name_says() {
    let dir = scratch("format");
    std::fs::copy(dir.join("traces.json"), dir.join("export.txt")).unwrap();
    let (ok, _, err) = import(
        &dir,
        "export.txt",
        &["--workload", "support-chat", "--format", "csv"],
    );
    assert!(!ok, "a JSON document read as CSV is refused");
    assert!(
        err.contains("export.txt") && err.contains("header"),
        "{err}"
    );
    let (ok, out, err) = import(
        &dir,
        "export.txt",
        &["--workload", "support-chat", "--format", "otlp", "--json"],
    );
    assert!(ok, "{err}");
    assert_eq!(json(&out)["rows_read"], 4);
    let (ok, _, err) = import(&dir, "export.txt", &["--format", "xml"]);
    assert!(!ok);
    assert!(err.contains("not a trace format"), "{err}");
}

#[test]
fn a_pattern_over_the_service_name_gives_the_workload() {
    let dir = scratch("pattern");
    let ws = dir.join("workspace.yaml");
    // The instrumentations set service.name = support-api; the pattern maps it to support-chat.
    let mut doc = lcpr_core::document::load(&ws).expect("workspace");
    let mut m = lcpr_core::document::mapping::ColumnMapping::otel_genai();
    m.name = "support-spans".into();
    m.patterns.push(lcpr_core::document::mapping::PatternRule {
        field: lcpr_core::document::mapping::CanonicalField::Workload,
        source: "service.name".into(),
        pattern: "^(support)-api$".into(),
        value: Some("$1-chat".into()),
    });
    doc.trace_mappings.push(m);
    lcpr_core::document::save(&doc, &ws).unwrap();
    let (ok, out, err) = import(
        &dir,
        "traces.json",
        &["--mapping", "support-spans", "--json"],
    );
    assert!(ok, "{err}");
    assert_eq!(
        baseline(&json(&out))["baseline"]["workload"],
        "support-chat"
    );
    // A pattern where rows are read by column would be ignored: refused, naming the rule.
    let csv = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    std::fs::copy(csv, dir.join("t.csv")).unwrap();
    let (ok, _, err) = import(&dir, "t.csv", &["--mapping", "support-spans"]);
    assert!(!ok);
    assert!(err.contains("mapping.patterns"), "{err}");
}

#[test]
fn anthropic_bodies_need_a_date_and_then_count_cache_writes_and_reads() {
    let dir = scratch("anthropic");
    let before = std::fs::read(dir.join("workspace.yaml")).unwrap();
    let file = "anthropic-messages.usage.jsonl";
    let (ok, _, err) = import(&dir, file, &["--workload", "support-chat"]);
    assert!(!ok);
    assert!(
        err.contains("row 1") && err.contains("no timestamp") && err.contains("--date"),
        "{err}"
    );
    assert!(!err.contains("no rows for any workload"), "{err}");
    assert_eq!(std::fs::read(dir.join("workspace.yaml")).unwrap(), before);
    let (ok, out, err) = import(
        &dir,
        file,
        &[
            "--workload",
            "support-chat",
            "--date",
            "2026-11-30",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let b = baseline(&json(&out)).clone();
    assert_eq!(b["baseline"]["captured_on"], "2026-11-30");
    let m = &b["baseline"]["metrics"];
    // A cache write of 1163 then a read of 1163, beside 4 uncached tokens each: Anthropic's
    // input_tokens exclude both, so all input is 2 × (4 + 1163).
    let hit = m["cache_hit_rate"].as_f64().unwrap();
    assert!((hit - 1163.0 / 2334.0).abs() < 1e-9, "{hit}");
    let (ok, _, err) = import(&dir, file, &["--date", "30/11/2026"]);
    assert!(!ok);
    assert!(err.contains("--date"), "{err}");
}

#[test]
fn openai_bodies_price_their_dated_model_by_the_card() {
    let dir = scratch("openai");
    let (ok, out, err) = import(
        &dir,
        "openai-chat-completions.usage.jsonl",
        &["--workload", "support-chat"],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains(
            "priced openai / gpt-4o-mini-2024-07-18 by rate card gpt-4o-mini (gpt-4o-mini, snapshot or prefix): 1 row(s)"
        ),
        "{out}"
    );
    assert!(out.contains("pass rate not measured"), "{out}");
}

#[test]
fn verdicts_join_from_an_eval_file_by_response_id() {
    let dir = scratch("evals");
    std::fs::write(
        dir.join("evals.csv"),
        "request_id,result\n\
         chatcmpl-ASv9R2E7Yhb2e7bj4Xl0qm9s3J42Y,pass\n\
         chatcmpl-ASYMZ4oSykiIFK4lXLReDiKyAjsQl,fail\n\
         msg_01EF3r8zYyZntM4Sg9a5kc6k,pass\n\
         msg_01YGB3PuEANUSkLuzemhtNVF,pass\n",
    )
    .unwrap();
    let evals = dir.join("evals.csv");
    let (ok, out, err) = import(
        &dir,
        "traces.json",
        &[
            "--workload",
            "support-chat",
            "--evals",
            evals.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let r = json(&out);
    assert_eq!(r["verdicts_joined"], 4);
    let b = baseline(&r);
    assert_eq!(b["baseline"]["metrics"]["gate_pass_rate"], 0.75);
    assert_eq!(
        (b["requests"].as_u64(), b["accepted"].as_u64()),
        (Some(4), Some(3))
    );
    // A broken eval file refuses the import, naming the eval file's row.
    std::fs::write(dir.join("bad.csv"), "request_id,result\nx,maybe\n").unwrap();
    let bad = dir.join("bad.csv");
    let (ok, _, err) = import(
        &dir,
        "traces.json",
        &[
            "--workload",
            "support-chat",
            "--evals",
            bad.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(!ok);
    assert!(err.contains("--evals") && err.contains("bad.csv"), "{err}");
}

/// Bodies in the shapes the providers document, beside the recorded ones: the OpenAI
/// Responses API (`input_tokens_details.cached_tokens`, `status: completed`), LiteLLM's
/// OpenAI-shaped usage of a Claude call that also carries Anthropic's cache counts, and
/// Anthropic usage splitting cache writes by lifetime (`cache_creation.ephemeral_*`).
#[test]
fn documented_body_shapes_read_their_cache_tokens() {
    let dir = scratch("shapes");
    let bodies = [
        (
            "responses.usage.jsonl",
            r#"{"id":"resp_67cc","object":"response","created_at":1741476542,"status":"completed","model":"gpt-4o-mini-2024-07-18","output":[],"usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":256},"output_tokens":52,"output_tokens_details":{"reasoning_tokens":10},"total_tokens":380}}"#,
            256.0 / 328.0,
        ),
        (
            "litellm.usage.jsonl",
            r#"{"id":"chatcmpl-7d1c","created":1734366691,"model":"claude-3-5-sonnet-20240620","object":"chat.completion","choices":[],"usage":{"completion_tokens":10,"prompt_tokens":1172,"total_tokens":1182,"completion_tokens_details":null,"prompt_tokens_details":{"audio_tokens":null,"cached_tokens":1163},"cache_creation_input_tokens":0,"cache_read_input_tokens":1163}}"#,
            1163.0 / 1172.0,
        ),
        (
            "anthropic-1h.usage.jsonl",
            r#"{"id":"msg_01AAA","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[],"usage":{"input_tokens":4,"cache_creation_input_tokens":1163,"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":163},"output_tokens":187}}"#,
            1000.0 / (4.0 + 1163.0 + 1000.0),
        ),
    ];
    for (i, (name, body, hit)) in bodies.iter().enumerate() {
        std::fs::write(dir.join(name), format!("{body}\n")).unwrap();
        let date = format!("2026-11-1{i}");
        let (ok, out, err) = import(
            &dir,
            name,
            &["--workload", "support-chat", "--date", &date, "--json"],
        );
        assert!(ok, "{name}: {err}");
        let r = json(&out);
        let got = baseline(&r)["baseline"]["metrics"]["cache_hit_rate"]
            .as_f64()
            .unwrap();
        assert!(
            (got - hit).abs() < 1e-9,
            "{name}: hit {got}, expected {hit}"
        );
        assert_eq!(r["model_matches"].as_array().unwrap().len(), 1, "{name}");
    }
}
