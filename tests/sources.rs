//! Evidence drives the scenarios: a load test of the dedicated route sets its GPUs' capacity,
//! a newer baseline moves the rates bound to the older one, and every import says what moved.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{lcpr, repo_root};

fn copy_of_default(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-sources-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ws = dir.join("support.yaml");
    std::fs::copy(repo_root().join("workspaces/support-migration.yaml"), &ws).unwrap();
    ws
}

fn json(args: &[&str]) -> Value {
    let (ok, out, err) = lcpr(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).expect("JSON")
}

fn scenario<'a>(compute: &'a Value, id: &str) -> &'a Value {
    compute["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn an_imported_load_test_changes_the_dedicated_scenarios_gpu_count_and_lcpr() {
    let ws = copy_of_default("loadtest");
    let ws = ws.to_str().unwrap();
    let before = json(&["compute", ws, "--json"]);
    let before = scenario(&before, "support-h100-dedicated")["cost"].clone();
    let sweep = repo_root().join("tests/fixtures/loadtests/generic_sweep.csv");
    let report = json(&[
        "import",
        "loadtest",
        sweep.to_str().unwrap(),
        "--into",
        ws,
        "--workload",
        "support-chat",
        "--scenario",
        "support-h100-dedicated",
        "--gpus",
        "4",
        "--json",
    ]);
    let moved = report["moved"].as_array().unwrap();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0]["input"], "rate_card h100-together.throughput_tps");
    assert_eq!(moved[0]["from_before"], "typed");
    assert!(
        moved[0]["from_now"]
            .as_str()
            .unwrap()
            .starts_with("load_test ")
    );
    assert_eq!(moved[0]["before"], 1500.0);
    let after = json(&["compute", ws, "--json"]);
    let after = scenario(&after, "support-h100-dedicated")["cost"].clone();
    assert!(
        after["gpu_count"].as_f64().unwrap() > before["gpu_count"].as_f64().unwrap(),
        "{} → {}",
        before["gpu_count"],
        after["gpu_count"]
    );
    assert!(after["lcpr"].as_f64().unwrap() > before["lcpr"].as_f64().unwrap());
    // The source is named where the input is listed, as load tested.
    let sources = json(&["sources", ws, "--json"]);
    let tps = sources["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["input"] == "rate_card.h100-together.throughput_tps")
        .unwrap();
    assert!(tps["source"].as_str().unwrap().starts_with("load_test "));
    assert_eq!(tps["status"], "load_tested");
    assert!(sources["stale"].as_array().unwrap().is_empty());
}

#[test]
fn a_load_test_without_its_gpu_count_or_scenario_is_refused_or_leaves_the_capacity_typed() {
    let ws = copy_of_default("loadtest-bad");
    let ws = ws.to_str().unwrap();
    let sweep = repo_root().join("tests/fixtures/loadtests/generic_sweep.csv");
    let sweep = sweep.to_str().unwrap();
    let original = std::fs::read_to_string(ws).unwrap();
    let (ok, _, err) = lcpr(&[
        "import",
        "loadtest",
        sweep,
        "--into",
        ws,
        "--workload",
        "support-chat",
        "--scenario",
        "no-such-scenario",
        "--gpus",
        "4",
    ]);
    assert!(!ok);
    assert!(
        err.contains("--scenario") && err.contains("no-such-scenario"),
        "{err}"
    );
    let (ok, _, err) = lcpr(&[
        "import",
        "loadtest",
        sweep,
        "--into",
        ws,
        "--workload",
        "support-chat",
        "--gpus",
        "0",
    ]);
    assert!(!ok);
    assert!(err.contains("--gpus"), "{err}");
    assert_eq!(
        std::fs::read_to_string(ws).unwrap(),
        original,
        "a refused import changes nothing"
    );
    // Without --gpus the test is added, and the card's throughput stays as typed.
    let report = json(&[
        "import",
        "loadtest",
        sweep,
        "--into",
        ws,
        "--workload",
        "support-chat",
        "--scenario",
        "support-h100-dedicated",
        "--json",
    ]);
    assert!(report["moved"].as_array().unwrap().is_empty());
    // Binding it then names the missing GPU count as the fix.
    let id = report["load_tests"][0].as_str().unwrap();
    let (ok, _, err) = lcpr(&[
        "sources",
        ws,
        "--bind",
        "rate_card.h100-together.throughput_tps",
        "--from",
        &format!("load_test {id}"),
    ]);
    assert!(!ok);
    assert!(err.contains("gpus"), "{err}");
}

#[test]
fn a_baseline_bound_rate_moves_when_a_newer_baseline_is_imported() {
    let ws = copy_of_default("baseline");
    let ws = ws.to_str().unwrap();
    let bound = json(&[
        "sources",
        ws,
        "--bind",
        "workload.support-chat.retry_rate",
        "--from",
        "baseline support-gpt-2026-10",
        "--json",
    ]);
    assert_eq!(bound["moved"][0]["from_before"], "typed");
    assert_eq!(bound["moved"][0]["now"], 0.03);
    let traces = repo_root().join("tests/fixtures/traces/canonical.csv");
    let report = json(&[
        "import",
        "traces",
        traces.to_str().unwrap(),
        "--into",
        ws,
        "--json",
    ]);
    let moved = report["moved"].as_array().unwrap();
    let retry = moved
        .iter()
        .find(|m| m["input"] == "workload support-chat.retry_rate")
        .unwrap_or_else(|| panic!("{moved:?}"));
    let new_id = report["baselines"][0]["baseline"]["id"].as_str().unwrap();
    assert_eq!(retry["from_before"], "baseline support-gpt-2026-10");
    assert_eq!(retry["from_now"], format!("baseline {new_id}"));
    assert_eq!(retry["before"], 0.03);
    // canonical.csv: 8 requests, 1 retry attempt.
    assert_eq!(retry["now"], 0.125);
    // The text report lists it too, and the compute reads the new rate.
    let compute = json(&["compute", ws, "--json"]);
    assert_eq!(
        scenario(&compute, "support-gpt")["cost"]["retry_rate"],
        0.125
    );
}

#[test]
fn a_file_out_of_step_with_its_evidence_opens_is_reported_and_refreshes() {
    let ws = copy_of_default("stale");
    let text = std::fs::read_to_string(&ws).unwrap();
    // Edit the baseline's measured pass rate by hand: the entry taken from it is now stale.
    let edited = text.replacen("    gate_pass_rate: 0.86", "    gate_pass_rate: 0.88", 1);
    assert_ne!(edited, text);
    std::fs::write(&ws, edited).unwrap();
    let ws = ws.to_str().unwrap();
    let listed = json(&["sources", ws, "--json"]);
    let stale = listed["stale"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert!(
        stale[0].as_str().unwrap().contains("0.8600 → 0.8800"),
        "{stale:?}"
    );
    let refreshed = json(&["sources", ws, "--refresh", "--json"]);
    assert_eq!(refreshed["moved"][0]["now"], 0.88);
    assert!(refreshed["stale"].as_array().unwrap().is_empty());
}
