//! `lcpr import traces` is all or nothing: a reader that loses its place stops the import
//! naming the row and column, a broken row refuses the file unless `--skip-broken-rows` (which
//! lists each skipped row), repeated rows are dropped or refused, and a file already imported
//! is refused unless `--force`. Every refusal leaves the workspace byte for byte.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("lcpr-all-or-nothing-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let ws = dir.join("w.yaml");
    std::fs::copy(
        support::repo_root().join("workspaces/support-migration.yaml"),
        &ws,
    )
    .expect("copy");
    ws
}

fn canonical() -> String {
    std::fs::read_to_string(support::repo_root().join("tests/fixtures/traces/canonical.csv"))
        .expect("fixture")
}

fn write(ws: &Path, name: &str, text: &str) -> PathBuf {
    let p = ws.with_file_name(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn import(trace: &Path, ws: &Path, extra: &[&str]) -> (bool, String, String) {
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

/// The canonical trace with its data row `n` (the header is row 1) replaced by `line`.
fn with_row(n: usize, line: &str) -> String {
    let text = canonical();
    // Record 4 spans two lines; the rows replaced here come before it.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[n - 1] = line;
    lines.join("\n") + "\n"
}

#[test]
fn a_stray_quote_stops_the_import_with_the_row_and_column_and_changes_nothing() {
    let ws = scratch("sync");
    let before = std::fs::read(&ws).unwrap();
    let trace = write(
        &ws,
        "t.csv",
        &with_row(
            3,
            "r2,2026-11-02T09:05:00Z,support-chat,support-gpt,gpt-api,OpenAI,GPT-5\"4,v7,1200,1800,0,0,250,0,600,22,6078,error,0,,unknown,false,0.0065",
        ),
    );
    let (ok, out, err) = import(&trace, &ws, &["--skip-broken-rows"]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("row 3, column model:") && err.contains("nothing was imported"),
        "{err}"
    );
    assert!(err.contains("double each quote"), "{err}");
    assert_eq!(std::fs::read(&ws).unwrap(), before);
}

#[test]
fn a_broken_row_refuses_the_file_unless_skipped_and_then_it_is_listed() {
    let ws = scratch("broken");
    let before = std::fs::read(&ws).unwrap();
    let trace = write(
        &ws,
        "t.csv",
        &with_row(
            3,
            "r2,2026-11-02T09:05:00Z,support-chat,support-gpt,gpt-api,OpenAI,GPT-5.4,v7,12x0,1800,0,0,250,0,600,22,6078,error,0,,unknown,false,0.0065",
        ),
    );
    let (ok, _, err) = import(&trace, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("nothing was imported: 1 of 9 rows are broken")
            && err.contains("row 3: uncached_input_tokens")
            && err.contains("--skip-broken-rows"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    let (ok, out, err) = import(&trace, &ws, &["--skip-broken-rows"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("skipped (--skip-broken-rows): rows 3"),
        "{out}"
    );
}

#[test]
fn a_file_concatenated_with_itself_counts_each_request_once() {
    let once_ws = scratch("once");
    let once = write(&once_ws, "t.csv", &canonical());
    let (ok, once_out, err) = import(&once, &once_ws, &["--json"]);
    assert!(ok, "{err}");
    let twice_ws = scratch("twice");
    let twice = write(&twice_ws, "t.csv", &(canonical() + &canonical()));
    let (ok, twice_out, err) = import(&twice, &twice_ws, &["--json"]);
    assert!(ok, "{err}");
    let a: serde_json::Value = serde_json::from_str(&once_out).unwrap();
    let b: serde_json::Value = serde_json::from_str(&twice_out).unwrap();
    assert_eq!(b["duplicates_dropped"], 9);
    assert_eq!(
        a["baselines"][0]["baseline"]["metrics"],
        b["baselines"][0]["baseline"]["metrics"]
    );
    assert_eq!(a["baselines"][0]["requests"], b["baselines"][0]["requests"]);
    let (ok, out, _) = import(&twice, &scratch("twice-text"), &[]);
    assert!(
        ok && out.contains("9 row(s) repeated an earlier row exactly"),
        "{out}"
    );
}

#[test]
fn a_request_id_repeated_with_other_values_is_refused_naming_both_rows() {
    let ws = scratch("conflict");
    let before = std::fs::read(&ws).unwrap();
    let mut text = canonical();
    text.push_str("r1,2026-11-02T09:00:00Z,support-chat,support-gpt,gpt-api,OpenAI,GPT-5.4,v7,1000,1800,0,0,999,0,400,20,6380,ok,0,,pass,false,0.0067\n");
    let trace = write(&ws, "t.csv", &text);
    let (ok, _, err) = import(&trace, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains(
            "rows 2 and 11: request id \"r1\" (attempt 0) appears twice with different values"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
}

#[test]
fn a_file_already_imported_is_refused_unless_forced() {
    let ws = scratch("again");
    let trace = write(&ws, "t.csv", &canonical());
    let (ok, _, err) = import(&trace, &ws, &[]);
    assert!(ok, "{err}");
    let doc = lcpr_core::document::load(&ws).unwrap();
    let source = doc
        .baselines
        .last()
        .and_then(|b| b.source.clone())
        .expect("source kept");
    assert_eq!((source.file.as_str(), source.records), ("t.csv", 9));
    let before = std::fs::read(&ws).unwrap();
    // The same bytes under another name are the same file.
    let copy = write(&ws, "copy.csv", &canonical());
    let (ok, _, err) = import(&copy, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("was already imported from t.csv")
            && err.contains("support-chat-2026-11-04")
            && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    // Forced, the import goes on to the next rule: the baseline id is taken.
    let (ok, _, err) = import(&copy, &ws, &["--force"]);
    assert!(!ok && err.contains("already has baseline"), "{err}");
}

#[test]
fn provider_usage_bodies_import_from_the_cli_and_a_file_without_workloads_says_how() {
    let ws = scratch("usage");
    let usage = support::repo_root().join("tests/fixtures/traces/mixed.usage.jsonl");
    let (ok, _, err) = import(&usage, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("row 3") && err.contains("prompt_tokens"),
        "{err}"
    );
    // Skipping the broken row, the next rule names the model no rate card prices.
    let (ok, _, err) = import(&usage, &ws, &["--skip-broken-rows"]);
    assert!(!ok);
    assert!(
        err.contains("Anthropic / claude-sonnet-4.6 (2 rows, first row 2: no rate card"),
        "{err}"
    );

    let bare = write(
        &ws,
        "bare.usage.jsonl",
        "{\"id\": \"chatcmpl-9\", \"object\": \"chat.completion\", \"created\": 1793610060, \"model\": \"gpt-5.4\", \"provider\": \"OpenAI\", \"quality_gate\": \"pass\", \"ttft_ms\": 400, \"tpot_ms\": 20, \"usage\": {\"prompt_tokens\": 10, \"completion_tokens\": 3}}\n",
    );
    let before = std::fs::read(&ws).unwrap();
    let (ok, _, err) = import(&bare, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("no rows for any workload")
            && err.contains("--workload ID")
            && err.contains("support-chat"),
        "{err}"
    );
    let (ok, _, err) = import(&bare, &ws, &["--workload", "nope"]);
    assert!(!ok && err.contains("names no workload \"nope\""), "{err}");
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    let (ok, out, err) = import(&bare, &ws, &["--workload", "support-chat"]);
    assert!(ok, "{err}");
    assert!(out.contains("1 baseline(s) added"), "{out}");
}
