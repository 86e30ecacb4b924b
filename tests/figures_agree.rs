//! One decision, one set of numbers: every figure that appears in more than one place — the
//! current route's modelled, measured and reconciled LCPR, and the decision's two routes — is
//! the same number in `lcpr compute`, `lcpr baseline`, `lcpr decide` and the memo, or is
//! labelled as a different kind (modelled, measured, reconciled) with its source named.
//! The window's Compare and Decision views show the same strings (tests/gui.rs).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};

use lcpr_core::money::from_f64;
use lcpr_core::report::memo::format::{lcpr, money};
use serde_json::Value;
use support::lcpr as run;

fn json_of(args: &[&str]) -> Value {
    let (ok, out, err) = run(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).expect("JSON")
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn memo_text(file: &Path) -> String {
    let dir = std::env::temp_dir().join(format!(
        "lcpr-figures-{}-{}",
        file.file_stem().unwrap().to_string_lossy(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join("memo.pdf");
    let (ok, _, err) = run(&[
        "export",
        "memo",
        file.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let out = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/test.sh installs it");
    squash(&String::from_utf8_lossy(&out.stdout))
}

fn with_decisions() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut files = Vec::new();
    for dir in ["workspaces", "seeds"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_current_route_and_the_decision_read_the_same_everywhere() {
    let mut checked = 0;
    let mut checked_reviews = 0;
    for file in with_decisions() {
        let f = file.to_str().unwrap();
        let decision = json_of(&["decide", f, "--json"]);
        if decision["current"].is_null() {
            continue; // no scenarios: no decision (lcpr decide says so)
        }
        checked += 1;
        let compute = json_of(&["compute", "--json", f]);
        let (_, compute_text, _) = run(&["compute", f]);
        let scenario = |id: &Value| {
            compute["scenarios"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| &s["id"] == id)
                .cloned()
                .unwrap_or_else(|| panic!("{f}: no scenario {id}"))
        };
        // The decision's routes: LCPR and monthly cost as lcpr compute has them.
        for side in ["current", "candidate"] {
            let s = scenario(&decision[side]["scenario"]);
            assert_eq!(
                lcpr(decision[side]["lcpr"].as_f64().unwrap()),
                lcpr(s["cost"]["lcpr"].as_f64().unwrap()),
                "{f}: {side} LCPR"
            );
            let m = |v: &Value| money(from_f64(v.as_f64().unwrap()).unwrap());
            assert_eq!(
                m(&decision[side]["monthly_cost"]),
                m(&s["cost"]["monthly_cost"]),
                "{f}: {side} monthly cost"
            );
        }
        let memo = memo_text(&file);
        // Every figure of the decision is in the memo as lcpr decide writes it.
        for pair in decision["figures"].as_array().unwrap() {
            let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            assert!(
                memo.contains(&squash(k)) && memo.contains(&squash(v)),
                "{f}: the memo lacks {k}: {v}"
            );
        }
        let Some(lines) = decision["current_route_figures"].as_array() else {
            continue;
        };
        let route = &decision["current_route"];
        // Modelled: the scenario's LCPR.
        let modelled = lcpr(
            scenario(&route["scenario"])["cost"]["lcpr"]
                .as_f64()
                .unwrap(),
        );
        assert_eq!(lines[0][1].as_str().unwrap(), modelled, "{f}: modelled");
        // Measured: the baseline's LCPR as lcpr baseline reports it.
        if let Some(id) = route["measured"]["baseline"].as_str() {
            let baselines = json_of(&["baseline", f, "--json"]);
            let b = baselines["baselines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["id"] == id)
                .unwrap();
            let shown = lcpr(b["metrics"]["lcpr"].as_f64().unwrap());
            assert!(
                lines[1][1]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{shown}:")),
                "{f}: measured {shown} vs {}",
                lines[1][1]
            );
        }
        // Reconciled: the reconciliation's LCPR as lcpr compute reports it.
        if let Some(id) = route["reconciled"]["reconciliation"].as_str() {
            let r = compute["reconciliations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap();
            let v = &r["result"]["lcpr"];
            let value = v
                .as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .unwrap();
            let shown = lcpr(value);
            assert!(
                lines[2][1]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{shown}:")),
                "{f}: reconciled {shown} vs {}",
                lines[2][1]
            );
            // The monthly review of a workload reviewed from its reconciliations shows this
            // month's LCPR as that latest reconciliation's, and names both as its source.
            let review = json_of(&["review", f, "--json"]);
            if let Some(rows) = review["review"]["rows"].as_array() {
                let sources = review["review_sources"].as_array().unwrap();
                for row in rows {
                    let src = sources
                        .iter()
                        .find(|s| s[0] == row["workload"])
                        .unwrap_or_else(|| panic!("{f}: no source for {}", row["workload"]));
                    if src[1]["kind"] == "reconciliations" && src[1]["this"] == id {
                        assert_eq!(
                            lcpr(row["lcpr_this_month"].as_f64().unwrap()),
                            shown,
                            "{f}: the review's this month is the reconciled LCPR"
                        );
                        checked_reviews += 1;
                    }
                }
            }
        }
        // Each labelled by kind and source, the same in lcpr compute, lcpr decide and the memo.
        for pair in lines {
            let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            let line = format!("{k}: {v}");
            assert!(
                compute_text.contains(&line),
                "{f}: lcpr compute lacks {line}"
            );
            assert!(
                memo.contains(&squash(k)) && memo.contains(&squash(v)),
                "{f}: the memo lacks {line}"
            );
        }
        for (i, kind) in ["Modelled", "Measured", "Reconciled"].iter().enumerate() {
            assert!(
                lines[i][0].as_str().unwrap().starts_with(kind),
                "{f}: {i} is not {kind}"
            );
        }
    }
    assert!(
        checked >= 2,
        "the shipped files hold at least two decisions"
    );
    assert!(
        checked_reviews >= 1,
        "the default workspace is reviewed from its reconciliations"
    );
}
