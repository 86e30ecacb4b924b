//! `lcpr import loadtest` on the files real load generators write, end to end: the same run
//! shows the same goodput in the import report, `lcpr goodput`, the Goodput view's sweep and
//! the memo; ids come from the run; AIPerf's summary is found beside its records.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-loadtests-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("w.yaml");
    std::fs::copy(
        support::repo_root().join("workspaces/support-migration.yaml"),
        &path,
    )
    .expect("copy");
    path
}

fn real(name: &str) -> String {
    support::repo_root()
        .join("tests/fixtures/loadtests/real")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn import(ws: &Path, file: &str, extra: &[&str]) -> (bool, serde_json::Value, String) {
    let mut args = vec![
        "import",
        "loadtest",
        file,
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--json",
    ];
    args.extend_from_slice(extra);
    let (ok, out, err) = lcpr(&args);
    let json = if ok {
        serde_json::from_str(&out).expect("JSON")
    } else {
        serde_json::Value::Null
    };
    (ok, json, err)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[test]
fn one_goodput_in_the_import_lcpr_goodput_the_view_and_the_memo() {
    let ws = scratch("same");
    let (ok, json, err) = import(
        &ws,
        &real("openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.json"),
        &[],
    );
    assert!(ok, "{err}");
    assert_eq!(json["load_tests"][0], "vllm-4qps-20260412-101530");
    let imported = json["sweep"]["points"][0]["goodput_rate"].as_f64().unwrap();
    // 196 completions within the SLOs × the workload's 0.86 gate ÷ 51.607 s = 3.27/s.
    assert!(close(imported, 196.0 * 0.86 / 51.607_351_787_087_1));

    let (ok, out, err) = lcpr(&["goodput", ws.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let tests: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let row = tests
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "vllm-4qps-20260412-101530")
        .expect("imported test");
    assert!(close(
        row["goodput"]["goodput_rate"].as_f64().unwrap(),
        imported
    ));

    // The Goodput view and the memo both draw the workspace sweep.
    let doc = lcpr_core::document::load(&ws).expect("loads");
    let t = doc
        .load_tests
        .iter()
        .find(|t| t.id == "vllm-4qps-20260412-101530")
        .unwrap();
    let s =
        lcpr_core::evidence::loadtest::sweep::workspace_sweep(&doc, "support-chat", t.series_key())
            .expect("sweep")
            .expect("some");
    assert!(close(s.points[0].goodput_rate, imported));
    let eval = lcpr_core::case::evaluation::evaluate(&doc);
    let memo_row = eval
        .load_tests
        .iter()
        .find(|l| l.id == t.id)
        .and_then(|l| l.goodput.as_ref())
        .unwrap();
    assert!(close(memo_row.goodput_rate, imported));
}

#[test]
fn real_files_get_ids_from_the_run_and_never_collide() {
    let ws = scratch("ids");
    let mut ids = Vec::new();
    for name in [
        "openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.json",
        "vllm-8.0qps-concurrency32-Llama-3.1-8B-Instruct-20260412-103002.json",
        "vllm-2.0qps-Llama-3.1-8B-Instruct-20250301-090000.json",
        "guidellm-0.8.1_constant-2-4-8_benchmarks.json",
        "guidellm-0.8.1_poisson-5_benchmarks.json",
        "vllm-append-result_sweep.derived.json",
        "aiperf-0.13.0_poisson-rate4/profile_export.jsonl",
    ] {
        let (ok, json, err) = import(&ws, &real(name), &[]);
        assert!(ok, "{name}: {err}");
        for id in json["load_tests"].as_array().unwrap() {
            ids.push(id.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        ids,
        vec![
            "vllm-4qps-20260412-101530",
            "vllm-8qps-c32-20260412-103002",
            "vllm-2qps-20250301-090000",
            "guidellm-constant-2qps-20261202-051618",
            "guidellm-constant-4qps-20261202-051645",
            "guidellm-constant-8qps-20261202-051713",
            "guidellm-poisson-5qps-20261202-051846",
            "vllm-4qps-20260412-110000",
            "vllm-8qps-20260412-110100",
            "vllm-inf-20260412-110200",
            "aiperf-poisson-4qps-20261202-052145",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    );
}

#[test]
fn aiperf_summary_is_read_beside_the_records_or_named() {
    let ws = scratch("aiperf");
    let records = real("aiperf-0.13.0_poisson-rate4/profile_export.jsonl");
    let (ok, json, err) = import(&ws, &records, &[]);
    assert!(ok, "{err}");
    // Open loop at 4 req/s from input_config.phases[], not closed loop.
    let doc = lcpr_core::document::load(&ws).expect("loads");
    let t = doc.load_tests.last().unwrap();
    assert_eq!(t.request_rate, Some(4.0));
    assert_eq!(
        t.methodology.arrivals,
        lcpr_core::document::ArrivalProcess::Poisson
    );
    assert_eq!(json["sweep"]["points"][0]["attempts"], 30);

    // Copied alone, the records have no summary; --summary names it.
    let dir = ws.parent().unwrap().join("alone");
    std::fs::create_dir_all(&dir).unwrap();
    let lone = dir.join("profile_export.jsonl");
    std::fs::copy(&records, &lone).unwrap();
    let (ok, json, err) = import(&ws, lone.to_str().unwrap(), &["--id", "aiperf-alone"]);
    assert!(ok, "{err}");
    assert_eq!(json["load_tests"][0], "aiperf-alone");
    let doc = lcpr_core::document::load(&ws).expect("loads");
    assert_eq!(doc.load_tests.last().unwrap().request_rate, None);
    let summary = real("aiperf-0.13.0_poisson-rate4/profile_export_aiperf.json");
    let (ok, _, err) = import(
        &ws,
        lone.to_str().unwrap(),
        &["--id", "aiperf-named", "--summary", &summary],
    );
    assert!(ok, "{err}");
    let doc = lcpr_core::document::load(&ws).expect("loads");
    assert_eq!(doc.load_tests.last().unwrap().request_rate, Some(4.0));
}

#[test]
fn refusals_name_the_field_and_change_nothing() {
    let ws = scratch("refusals");
    let before = std::fs::read(&ws).unwrap();
    let cases = [
        (
            "openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.summary.json",
            "--save-detailed",
        ),
        (
            "vllm-legacy_ttfts-too-long.derived.json",
            "ttfts must hold one entry per request (20), got 21",
        ),
        (
            "vllm_e2e-below-ttft.derived.json",
            "requests[0].e2e_ms must be ≥ ttft_ms",
        ),
    ];
    for (name, want) in cases {
        let (ok, _, err) = import(&ws, &real(name), &[]);
        assert!(!ok && err.contains(want), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert_eq!(std::fs::read(&ws).unwrap(), before);
    }
    // Importing the same run twice is refused, pointing at --id.
    let file = real("guidellm-0.8.1_poisson-5_benchmarks.json");
    assert!(import(&ws, &file, &[]).0);
    let (ok, _, err) = import(&ws, &file, &[]);
    assert!(!ok && err.contains("--id"), "{err}");
}

#[test]
fn a_sampled_guidellm_report_says_so_and_counts_every_request() {
    let ws = scratch("sampled");
    let (ok, out, err) = lcpr(&[
        "import",
        "loadtest",
        &real("guidellm-0.8.1_poisson-5_sample5.derived.json"),
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("sampled: 5 of 40 requests"), "{out}");
    // 40 attempts, goodput 40 × 0.86 ÷ 3.942 s = 8.73/s at the achieved 10.15 req/s.
    assert!(out.contains("10.15") && out.contains("8.73"), "{out}");
    let doc = lcpr_core::document::load(&ws).expect("loads");
    let t = doc.load_tests.last().unwrap();
    assert_eq!(t.totals.map(|x| x.attempts()), Some(40));
}

#[test]
fn a_workspace_load_test_with_e2e_below_ttft_is_refused() {
    let ws = scratch("e2e");
    let file = real("guidellm-0.8.1_poisson-5_benchmarks.json");
    assert!(import(&ws, &file, &[]).0);
    let mut doc = lcpr_core::document::load(&ws).expect("loads");
    let t = doc.load_tests.first_mut().unwrap();
    t.requests[0].e2e_ms = Some(t.requests[0].ttft_ms / 2.0);
    let v = lcpr_core::document::validate(&doc);
    assert!(
        v.iter()
            .any(|v| v.to_string().contains("load_tests[0].requests[0].e2e_ms")),
        "{v:?}"
    );
}
