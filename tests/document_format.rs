//! The workspace file format: round trips, refusals with positions, budgets, versions,
//! atomic saves, and evaluation of every shipped workspace.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};

use lcpr_core::case::evaluation::evaluate;
use lcpr_core::document::{self, DocumentError, Workspace};

fn shipped_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["workspaces", "seeds"] {
        let entries = std::fs::read_dir(support::repo_root().join(dir)).expect("dir");
        for e in entries {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the default workspace and four seeds, got {files:?}"
    );
    files
}

fn default_workspace() -> (String, Workspace) {
    let path = support::repo_root().join("workspaces/support-migration.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let ws = document::parse(&text, "support-migration.yaml").expect("parse");
    (text, ws)
}

fn refuse(text: &str) -> document::Located {
    match document::parse(text, "case.yaml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(DocumentError::Invalid(l)) => *l,
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

#[test]
fn shipped_files_are_canonical_and_round_trip_losslessly() {
    for path in shipped_files() {
        let text = std::fs::read_to_string(&path).expect("read");
        let ws =
            document::parse(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        let saved = document::to_yaml(&ws).expect("yaml");
        assert_eq!(
            saved,
            text,
            "{} is not in canonical form (run lcpr fmt)",
            path.display()
        );
        let reopened = document::parse(&saved, "again").expect("reopen");
        assert_eq!(reopened, ws, "{} lost something on save", path.display());
        assert_eq!(document::to_yaml(&reopened).expect("yaml"), saved);
    }
}

#[test]
fn hand_written_numbers_become_canonical_once_and_stay_exact() {
    let (text, _) = default_workspace();
    let edited = text
        .replace("input_per_m: 2.5\n", "input_per_m: 2.50\n")
        .replace(
            "hourly_rate: 3.99\n",
            "hourly_rate: \"3.990000000000000000000001\"\n",
        );
    let ws = document::parse(&edited, "edited").expect("parse");
    let first = document::to_yaml(&ws).expect("yaml");
    let second =
        document::to_yaml(&document::parse(&first, "first").expect("parse")).expect("yaml");
    assert_eq!(first, second);
    // A price with more digits than a float holds is kept as text, exactly.
    assert!(
        first.contains("hourly_rate: '3.990000000000000000000001'")
            || first.contains("hourly_rate: \"3.990000000000000000000001\""),
        "{first}"
    );
}

#[test]
fn every_shipped_file_evaluates_without_errors() {
    for path in shipped_files() {
        let ws = document::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let eval = evaluate(&ws);
        for s in &eval.scenarios {
            assert!(
                s.error.is_none(),
                "{}: {}: {:?}",
                path.display(),
                s.id,
                s.error
            );
        }
        for r in &eval.reconciliations {
            assert!(
                r.error.is_none(),
                "{}: {}: {:?}",
                path.display(),
                r.id,
                r.error
            );
        }
        assert!(
            eval.register_errors.is_empty(),
            "{:?}",
            eval.register_errors
        );
    }
}

#[test]
fn unknown_keys_are_refused_with_position_and_path() {
    let (text, _) = default_workspace();
    let typo = text.replacen("  retry_rate: 0.03\n", "  retry_rat: 0.03\n", 1);
    let l = refuse(&typo);
    let line = typo
        .lines()
        .position(|l| l.contains("retry_rat:"))
        .expect("line") as u64
        + 1;
    assert_eq!(l.line, Some(line), "{l}");
    assert_eq!(l.field, "workloads[0].retry_rat", "{l}");
    assert!(
        !l.rule.contains(" at line "),
        "position is printed once: {l}"
    );
    assert!(l.rule.contains("retry_rat"), "{l}");
    assert!(
        l.to_string().starts_with(&format!("case.yaml:{line}:")),
        "{l}"
    );
}

#[test]
fn unknown_references_name_field_rule_and_line() {
    let (text, _) = default_workspace();
    let bad = text.replacen(
        "  rate_card: dsv4-pro-fireworks\n",
        "  rate_card: groq-llama-4\n",
        1,
    );
    let l = refuse(&bad);
    assert_eq!(l.field, "routes[1].rate_card");
    assert_eq!(l.rule, "names no rate card \"groq-llama-4\"");
    let line = bad
        .lines()
        .position(|l| l.contains("groq-llama-4"))
        .expect("line") as u64
        + 1;
    assert_eq!(l.line, Some(line), "{l}");
}

#[test]
fn values_out_of_range_are_refused_not_clamped() {
    let (text, _) = default_workspace();
    let l = refuse(&text.replacen("  cache_hit_rate: 0.6\n", "  cache_hit_rate: 1.6\n", 1));
    assert_eq!(l.field, "workloads[0].cache_hit_rate");
    assert_eq!(l.rule, "must lie in [0, 1], got 1.6");
    let l = refuse(&text.replacen(
        "  value: 0.82\n  low: 0.74\n",
        "  value: 0.9\n  low: 0.74\n",
        1,
    ));
    assert!(
        l.field.starts_with("register[") && l.field.ends_with(".value"),
        "{l}"
    );
    let l = refuse(&text.replacen("    utilization: 0.4\n", "    utilization: 0\n", 1));
    assert_eq!(l.field, "rate_cards[2].pricing.utilization", "{l}");
}

#[test]
fn format_version_is_required_and_newer_files_are_refused() {
    let (text, _) = default_workspace();
    let l = refuse(&text.replacen("format_version: 1\n", "", 1));
    assert_eq!(l.field, "format_version");
    assert_eq!(l.rule, "is required");
    match document::parse(
        &text.replacen("format_version: 1\n", "format_version: 7\n", 1),
        "new.yaml",
    ) {
        Err(e @ DocumentError::NewerFormat { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("newer") && msg.contains("new.yaml") && msg.contains('7'),
                "{msg}"
            );
        }
        other => panic!("expected a newer-format refusal, got {other:?}"),
    }
    let l = refuse(&text.replacen("format_version: 1\n", "format_version: 0\n", 1));
    assert!(l.rule.contains("no upgrade"), "{l}");
}

#[test]
fn syntax_errors_and_duplicate_keys_have_positions() {
    let l = refuse("format_version: 1\nmeta: [unclosed\n");
    assert!(l.line.is_some(), "{l}");
    let (text, _) = default_workspace();
    let dup = text.replacen(
        "  owner: Platform architecture\n",
        "  owner: Platform architecture\n  owner: Someone else\n",
        1,
    );
    let l = refuse(&dup);
    assert!(l.line.is_some(), "{l}");
}

#[test]
fn alias_bombs_deep_nesting_and_huge_files_are_refused() {
    // The classic exponential alias expansion.
    let mut bomb = String::from("format_version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let prev = (b'a' + i - 1) as char;
        let name = (b'a' + i) as char;
        bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    assert!(document::parse(&bomb, "bomb.yaml").is_err());
    // Many flat aliases to one large anchor.
    let mut flat = String::from("format_version: 1\nbig: &big [");
    flat.push_str(&"1, ".repeat(2000));
    flat.push_str("1]\nmany: [");
    flat.push_str(&"*big, ".repeat(5000));
    flat.push_str("*big]\n");
    assert!(document::parse(&flat, "flat.yaml").is_err());
    let deep = format!(
        "format_version: 1\nmeta: {}{}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(document::parse(&deep, "deep.yaml").is_err());
    let huge = "#".repeat(document::yaml::MAX_FILE_BYTES as usize + 1);
    assert!(matches!(
        document::parse(&huge, "huge.yaml"),
        Err(DocumentError::TooLarge { .. })
    ));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-doc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn save_then_load_gives_the_same_document() {
    let (_, ws) = default_workspace();
    let dir = scratch("save");
    let path = dir.join("copy.yaml");
    document::save(&ws, &path).expect("save");
    assert_eq!(document::load(&path).expect("load"), ws);
    // Saving again over the file replaces it and leaves no temporary files.
    let mut changed = ws.clone();
    changed.meta.title = "Changed".into();
    document::save(&changed, &path).expect("save again");
    assert_eq!(document::load(&path).expect("load").meta.title, "Changed");
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1);
}

#[test]
fn a_failed_save_leaves_the_old_file_intact() {
    let (text, ws) = default_workspace();
    let dir = scratch("failed-save");
    let path = dir.join("w.yaml");
    std::fs::write(&path, &text).expect("write");
    // A save into a directory that vanished fails and the original is untouched.
    let gone = dir.join("missing-dir/w.yaml");
    assert!(matches!(
        document::save(&ws, &gone),
        Err(DocumentError::Write { .. })
    ));
    // A write that dies half-way (simulated) leaves the old bytes and no debris.
    let result = document::atomic::write_with(&path, |f| {
        use std::io::Write;
        f.write_all(b"format_version: 1\nmeta:")?;
        Err(std::io::Error::other("simulated power loss"))
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1);
}

#[test]
fn register_values_drive_the_numbers() {
    let (_, ws) = default_workspace();
    let base = evaluate(&ws);
    let lcpr = |e: &lcpr_core::case::evaluation::Evaluation, id: &str| {
        e.scenario(id)
            .and_then(|s| s.cost.as_ref())
            .map(|c| c.lcpr)
            .expect("cost")
    };
    let mut changed = ws.clone();
    let entry = changed
        .register
        .iter_mut()
        .find(|e| e.id == "pass-dsv4")
        .expect("entry");
    entry.value = 0.74;
    let after = evaluate(&changed);
    assert!(lcpr(&after, "support-dsv4-serverless") > lcpr(&base, "support-dsv4-serverless"));
    // Other scenarios do not move.
    assert_eq!(lcpr(&after, "support-gpt"), lcpr(&base, "support-gpt"));
    // The cheapest route is named per workload.
    assert_eq!(base.cheapest.len(), 1);
    let cheapest = &base.cheapest[0];
    let min = base
        .scenarios
        .iter()
        .filter_map(|s| s.cost.as_ref())
        .map(|c| c.lcpr)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(cheapest.lcpr, min);
}

#[test]
fn load_reports_missing_files_by_name() {
    let err = document::load(Path::new("/nonexistent/w.yaml")).expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/w.yaml"), "{err}");
}

#[test]
fn disputed_amounts_stay_on_record_and_leave_loaded_cost() {
    use lcpr_core::document::{DisputedAmount, validate::reconciliation_input};
    use rust_decimal::Decimal;
    let (_, mut ws) = default_workspace();
    let before = reconciliation_input(&ws.reconciliations[0]);
    ws.reconciliations[0].disputes.push(DisputedAmount {
        line_id: "INV-10:4".into(),
        amount: Decimal::new(5050, 2),
        reason: "superseded tier".into(),
    });
    let text = document::to_yaml(&ws).expect("yaml");
    assert!(text.contains("  disputes:\n  - line_id: INV-10:4\n    amount: 50.5\n"));
    let reopened = document::parse(&text, "disputed.yaml").expect("valid");
    assert_eq!(reopened, ws);
    // The invoice stays as billed; the evaluation takes the disputed $50.50 off it.
    assert_eq!(
        reopened.reconciliations[0].invoice_amount,
        before.invoice_amount
    );
    let after = reconciliation_input(&reopened.reconciliations[0]);
    assert_eq!(
        before.invoice_amount - after.invoice_amount,
        Decimal::new(5050, 2)
    );

    let l = refuse(&text.replace("    amount: 50.5\n", "    amount: 0\n"));
    assert_eq!(l.field, "reconciliations[0].disputes[0].amount", "{l}");
    assert_eq!(l.rule, "must be > 0, got 0");
    let l = refuse(&text.replace("    amount: 50.5\n", "    amount: 99999\n"));
    assert_eq!(l.field, "reconciliations[0].disputes", "{l}");
    assert!(
        l.rule.starts_with("must not exceed the invoice as billed"),
        "{l}"
    );
}
