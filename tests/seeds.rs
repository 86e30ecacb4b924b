//! The worked examples in `seeds/` reproduce their expected headline numbers through
//! `lcpr compute --json`, and `lcpr compute` runs on every shipped workspace.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn compute_json(path: &PathBuf) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
        .args(["compute", "--json"])
        .arg(path)
        .output()
        .expect("lcpr runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Follows `a.b.c` through objects; in arrays a segment picks the element whose `id` (or
/// `workload`) equals it, and `length` is the array's length.
fn lookup(mut v: &Value, path: &str) -> Option<Value> {
    for seg in path.split('.') {
        match v {
            Value::Array(items) if seg == "length" => return Some(Value::from(items.len())),
            Value::Array(items) => {
                v = items.iter().find(|e| {
                    e.get("id").and_then(Value::as_str) == Some(seg)
                        || e.get("workload").and_then(Value::as_str) == Some(seg)
                })?;
            }
            Value::Object(map) => v = map.get(seg)?,
            _ => return None,
        }
    }
    Some(v.clone())
}

#[test]
fn every_seed_reproduces_its_expected_numbers() {
    let dir = support::repo_root().join("seeds");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seeds dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 4, "{seeds:?}");
    for seed in seeds {
        let expected_path = seed.with_extension("expected.json");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .expect("expected JSON");
        let got = compute_json(&seed);
        for check in expected["checks"].as_array().expect("checks") {
            let path = check["path"].as_str().expect("path");
            let want = &check["expect"];
            let name = format!(
                "{}: {path}",
                seed.file_name().unwrap_or_default().to_string_lossy()
            );
            checked += 1;
            match (lookup(&got, path), want) {
                (None, _) => failures.push(format!("{name}: missing")),
                (Some(Value::Number(g)), Value::Number(w)) => {
                    let within = check["within"].as_f64().expect("within");
                    let (g, w) = (
                        g.as_f64().unwrap_or(f64::NAN),
                        w.as_f64().unwrap_or(f64::NAN),
                    );
                    if (g - w).abs() > within {
                        failures.push(format!("{name}: got {g}, want {w} ± {within}"));
                    }
                }
                (Some(g), w) if &g != w => failures.push(format!("{name}: got {g}, want {w}")),
                _ => {}
            }
        }
    }
    assert!(checked >= 25, "only {checked} checks ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn goodput_reverses_the_throughput_ranking_in_the_audit_seed() {
    let got = compute_json(&support::repo_root().join("seeds/rag-benchmark-audit.yaml"));
    let g = |id: &str, k: &str| {
        lookup(&got, &format!("load_tests.{id}.goodput.{k}"))
            .and_then(|v| v.as_f64())
            .expect(k)
    };
    assert!(g("route-a", "throughput_rate") > g("route-b", "throughput_rate"));
    assert!(g("route-b", "goodput_rate") > g("route-a", "goodput_rate"));
    assert!(g("route-b", "cost_per_accepted") < g("route-a", "cost_per_accepted"));
}

#[test]
fn compute_runs_on_every_shipped_file_in_both_forms() {
    for dir in ["workspaces", "seeds"] {
        for entry in std::fs::read_dir(support::repo_root().join(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|x| x != "yaml") {
                continue;
            }
            let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
                .arg("compute")
                .arg(&path)
                .output()
                .expect("runs");
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains('$') || text.contains("Nothing to cost here"),
                "{}: no money in\n{text}",
                path.display()
            );
            let json = compute_json(&path);
            assert!(json["scenarios"].is_array());
        }
    }
}

#[test]
fn the_default_workspace_table_names_the_cheapest_route() {
    let path = support::repo_root().join("workspaces/support-migration.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
        .arg("compute")
        .arg(&path)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let json = compute_json(&path);
    let cheapest = json["cheapest"][0]["scenario"].as_str().expect("cheapest");
    assert!(
        text.contains(&format!("Lowest LCPR for support-chat: {cheapest}")),
        "{text}"
    );
    for kind in [
        "managed API",
        "serverless open-weight",
        "dedicated endpoint",
        "self-hosted GPUs",
    ] {
        assert!(text.contains(kind), "missing route kind {kind}");
    }
}

#[test]
fn a_broken_workspace_exits_2_naming_file_line_field_and_rule() {
    let text =
        std::fs::read_to_string(support::repo_root().join("workspaces/support-migration.yaml"))
            .expect("read");
    let broken = text.replacen("  route: gpt-api\n", "  route: gpt-apl\n", 1);
    let dir = std::env::temp_dir().join(format!("lcpr-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("broken.yaml");
    std::fs::write(&path, &broken).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
        .arg("compute")
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = broken
        .lines()
        .position(|l| l.contains("gpt-apl"))
        .expect("line")
        + 1;
    assert!(stderr.contains(&format!("broken.yaml:{line}:")), "{stderr}");
    assert!(
        stderr.contains("scenarios[0].route: names no route \"gpt-apl\""),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
