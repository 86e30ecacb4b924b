//! The decide-and-defend commands on every shipped workspace, as text and as JSON.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;
use std::process::Command;

use rust_decimal::Decimal;
use serde_json::Value;

const COMMANDS: [&str; 6] = [
    "tornado",
    "montecarlo",
    "forecast",
    "gates",
    "attribute",
    "review",
];

fn workspaces() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(support::repo_root().join("workspaces"))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    files
}

fn run(args: &[&str], file: &PathBuf) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
        .args(args)
        .arg(file)
        .output()
        .expect("lcpr runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str], file: &PathBuf) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let (ok, out, err) = run(&all, file);
    assert!(ok, "{args:?} {}: {err}", file.display());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

#[test]
fn every_command_runs_on_every_workspace_in_both_forms() {
    for file in workspaces() {
        for cmd in COMMANDS {
            let args: Vec<&str> = if cmd == "montecarlo" || cmd == "forecast" {
                vec![cmd, "--draws", "500"]
            } else {
                vec![cmd]
            };
            let (ok, out, err) = run(&args, &file);
            assert!(ok, "{cmd} {}: {err}", file.display());
            assert!(!out.trim().is_empty(), "{cmd} printed nothing");
            let _ = json(&[cmd], &file);
        }
    }
}

#[test]
fn every_attribution_mode_reconciles_to_the_bill() {
    let file = support::repo_root().join("workspaces/public-sector-chargeback.yaml");
    let a = json(&["attribute"], &file);
    let bill: Decimal = a["bill_total"]
        .to_string()
        .trim_matches('"')
        .parse()
        .expect("bill");
    assert_eq!(bill, Decimal::from(56_000));
    let modes = a["modes"].as_array().expect("modes");
    assert_eq!(modes.len(), 4);
    for m in modes {
        let sum: Decimal = m["teams"]
            .as_array()
            .expect("teams")
            .iter()
            .map(|t| {
                t["allocation"]
                    .to_string()
                    .trim_matches('"')
                    .parse::<Decimal>()
                    .expect("allocation")
            })
            .sum();
        assert_eq!(sum, bill, "mode {} does not add up", m["mode"]);
    }
    assert_eq!(
        a["comparison"].as_array().map(Vec::len),
        Some(7),
        "seven offices"
    );
}

#[test]
fn tornado_bars_are_sorted_and_monte_carlo_is_reproducible() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let t = json(&["tornado", "--scenario", "support-dsv4-serverless"], &file);
    let swings: Vec<f64> = t["tornado"]["bars"]
        .as_array()
        .expect("bars")
        .iter()
        .map(|b| b["swing"].as_f64().expect("swing"))
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    let (ok, _, err) = run(&["tornado", "--scenario", "nope"], &file);
    assert!(
        !ok && err.contains("names no scenario \"nope\"") && err.contains("support-gpt"),
        "{err}"
    );
    let a = json(&["montecarlo", "--draws", "800", "--seed", "11"], &file);
    let b = json(&["montecarlo", "--draws", "800", "--seed", "11"], &file);
    let c = json(&["montecarlo", "--draws", "800", "--seed", "12"], &file);
    assert_eq!(a, b);
    assert_ne!(a, c);
    for s in a["scenarios"].as_array().expect("scenarios") {
        let (p10, p50, p90) = (
            s["lcpr"]["p10"].as_f64().unwrap(),
            s["lcpr"]["p50"].as_f64().unwrap(),
            s["lcpr"]["p90"].as_f64().unwrap(),
        );
        assert!(p10 <= p50 && p50 <= p90, "{s}");
    }
}

#[test]
fn forecast_is_a_range_and_gates_give_a_decision_with_evidence() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let f = json(&["forecast", "--draws", "2000"], &file);
    let scenarios = f["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 5);
    for s in scenarios {
        let q = &s["quarterly_cost"];
        assert!(q["p10"].as_f64() < q["p90"].as_f64(), "{s}");
    }
    let g = json(&["gates"], &file);
    let gates = g["migration"]["gates"]["gates"].as_array().expect("gates");
    assert_eq!(gates.len(), 5);
    assert!(
        gates
            .iter()
            .all(|x| !x["evidence"].as_str().unwrap_or("").is_empty())
    );
    // 13 live sequences fit against 24 needed: the memory gate fails, so the decision is no-go.
    assert_eq!(g["migration"]["gates"]["decision"], "no_go");
    assert!(g["readiness"]["total_score"].as_i64().is_some());
}

/// `lcpr compute --json` on every shipped workspace and seed is byte-identical to the output
/// recorded in `tests/fixtures/compute-json/` (written by the binary before the crate was laid
/// out by stage): a change to any number, key or order shows here and is reviewed by
/// re-recording the file.
#[test]
fn compute_json_matches_the_recorded_output_on_every_shipped_file() {
    let root = support::repo_root();
    let mut checked = 0;
    for dir in ["workspaces", "seeds"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        for file in files {
            let name = file
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let relative = format!("{dir}/{name}.yaml");
            let out = Command::new(env!("CARGO_BIN_EXE_lcpr"))
                .current_dir(&root)
                .args(["compute", "--json", &relative])
                .output()
                .expect("lcpr runs");
            assert!(
                out.status.success(),
                "{relative}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let recorded = root.join(format!("tests/fixtures/compute-json/{name}.json"));
            let want =
                std::fs::read(&recorded).unwrap_or_else(|e| panic!("{}: {e}", recorded.display()));
            assert!(
                out.stdout == want,
                "{relative}: lcpr compute --json differs from {}",
                recorded.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "{checked} files checked");
}

#[test]
fn diff_of_a_colleagues_copy_attributes_the_lcpr_change_to_the_two_changed_inputs() {
    let original = support::repo_root().join("workspaces/support-migration.yaml");
    let text = std::fs::read_to_string(&original).expect("read");
    let changed = text
        .replacen(
            "  ops_monthly_cost: 2500.0",
            "  ops_monthly_cost: 3500.0",
            1,
        )
        .replacen(
            "  grader_cost_per_eval: 0.004",
            "  grader_cost_per_eval: 0.008",
            1,
        );
    assert_ne!(text, changed, "the edits apply");
    let dir = std::env::temp_dir().join(format!("lcpr-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let copy = dir.join("colleague.yaml");
    std::fs::write(&copy, changed).expect("write");
    let v = json(&["diff", &original.display().to_string()], &copy);
    let changes = v["diff"]["changes"].as_array().expect("changes");
    let paths: Vec<&str> = changes
        .iter()
        .map(|c| c["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        vec![
            "workloads.support-chat.grader_cost_per_eval",
            "workloads.support-chat.ops_monthly_cost"
        ]
    );
    let scenarios = v["diff"]["scenarios"].as_array().expect("scenarios");
    assert!(!scenarios.is_empty());
    for s in scenarios {
        let whole = s["new_lcpr"].as_f64().expect("new") - s["old_lcpr"].as_f64().expect("old");
        let steps = s["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 2, "{s}");
        let parts: f64 = steps
            .iter()
            .map(|p| p["delta"].as_f64().expect("delta"))
            .sum::<f64>()
            + s["remainder"].as_f64().expect("remainder");
        assert!((parts - whole).abs() < 1e-12, "{s}");
        assert!(whole > 0.0, "more cost per result: {s}");
    }
    // The text form names the inputs and the total change.
    let (ok, out, err) = run(&["diff", &original.display().to_string()], &copy);
    assert!(ok, "{err}");
    assert!(out.contains("ops_monthly_cost: $2500 → $3500"), "{out}");
    assert!(
        out.contains("Support on GPT-5.4 (today) (support-gpt): $0.0912 → "),
        "{out}"
    );
}

#[test]
fn plan_prints_each_mix_scenarios_optimum_and_curve() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let v = json(&["plan", "--scenario", "support-h100-reserved"], &file);
    let p = &v["plans"][0];
    assert_eq!(p["shape"], "reserved_overflow");
    let points = p["points"].as_array().expect("points");
    // 0 GPUs (all on the per-token route) up to what the peak hour needs.
    assert_eq!(points[0]["x"].as_f64(), Some(0.0));
    let optimum = p["optimum"]["lcpr"].as_f64().expect("optimum");
    assert!(
        points
            .iter()
            .all(|q| q["lcpr"].as_f64().expect("lcpr") >= optimum)
    );
    // The cascade's break-evens, and every mix scenario by default.
    let v = json(&["plan"], &file);
    let plans = v["plans"].as_array().expect("plans");
    assert_eq!(plans.len(), 2);
    let be = &plans[0]["break_even"];
    let e = be["break_even_escalation_rate"]
        .as_f64()
        .expect("break-even");
    assert!(e > be["escalation_rate"].as_f64().expect("today"), "{be}");
    let (ok, text, _) = run(&["plan", "--scenario", "support-cascade"], &file);
    assert!(ok);
    assert!(text.contains("Break-even escalation rate: "), "{text}");
    assert!(text.contains("  Optimum: "), "{text}");
    // A single-route scenario has nothing to plan, and says how to give it a mix.
    let (ok, _, err) = run(&["plan", "--scenario", "support-gpt"], &file);
    assert!(!ok);
    assert!(err.contains("nothing to plan"), "{err}");
}

#[test]
fn the_glossary_prints_every_term_finds_one_and_refuses_an_unknown_one() {
    let (ok, out, _) = support::lcpr(&["glossary"]);
    assert!(ok);
    for t in lcpr_core::report::glossary::TERMS {
        assert!(out.contains(t.meaning), "{} is missing", t.name);
    }
    let (ok, out, _) = support::lcpr(&["glossary", "goodput", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["name"], "Goodput");
    assert!(v[0]["formula"].as_str().unwrap().contains("SLO"));
    let (ok, _, err) = support::lcpr(&["glossary", "flux capacitor"]);
    assert!(!ok);
    assert!(err.contains("no term matches \"flux capacitor\""), "{err}");
}
