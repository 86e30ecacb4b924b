//! `lcpr import invoice` with the files real tools write: FOCUS 1.0 to 1.3 column sets, the
//! model read through a saved invoice mapping, lines that cannot be checked named as such,
//! other currencies refused or converted, and every refusal naming file, row and field.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::{Path, PathBuf};

/// The default workspace in a fresh folder, with `extra` YAML appended to its reconciliations.
fn workspace(name: &str, extra: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("lcpr-invoice-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text =
        std::fs::read_to_string(support::repo_root().join("workspaces/support-migration.yaml"))
            .unwrap();
    let text = text.replacen(
        "reconciliations:\n",
        &format!("reconciliations:\n{extra}"),
        1,
    );
    let path = dir.join("w.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn fixture(name: &str) -> PathBuf {
    support::repo_root()
        .join("tests/fixtures/invoices")
        .join(name)
}

fn import(ws: &Path, file: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "import",
        "invoice",
        file.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lcpr(&args)
}

/// Writes `text` beside the workspace as `name`.
fn beside(ws: &Path, name: &str, text: &str) -> PathBuf {
    let p = ws.parent().unwrap().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const SEPT_2024: &str = "- id: aws-2024-09
  workload: support-chat
  period:
    start: \"2024-09-01\"
    end: \"2024-09-30\"
  trace_cost: 1.0
  invoice_amount: 1.0
  eval_cost: 0.0
  human_cost: 0.0
  ops_cost: 0.0
  attempts: 10.0
  accepted: 10.0
  revenue_per_unit: 1.0
";

#[test]
fn the_real_focus_1_2_file_imports_with_its_hand_checked_total_through_a_saved_mapping() {
    let ws = workspace("focus12", "");
    let file = fixture("focus_1.2_llm_tokens_built.csv");
    // Without a mapping the dated SkuId is the model, and it matches the contracted GPT-5.4
    // through its snapshot suffix.
    let (ok, out, err) = import(&ws, &file, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("FOCUS 1.2 column set"), "{out}");
    assert!(out.contains("invoice 3019.5 from 6 of 6 lines"), "{out}");
    assert!(
        out.contains("models matched: gpt-5.4-2026-04-01 → GPT-5.4"),
        "{out}"
    );
    // A model no contract names: every line is named as not checked, and the summary never
    // claims "0 billed off the contracted rate".
    let unknown = std::fs::read_to_string(&file)
        .unwrap()
        .replace("gpt-5.4-2026-04-01", "gpt-9-2026-04-01");
    let other = beside(&ws, "focus_1.2_llm_tokens_built.csv", &unknown);
    let ws_other = workspace("focus12-unknown", "");
    let (ok, out, err) = import(&ws_other, &other, &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("no line checked against a contracted rate: 6 not checked"),
        "{out}"
    );
    assert!(!out.contains("0 billed off"), "{out}");
    assert!(
        out.contains("not checked: line INV-2026-10-0042:2 (focus_1.2_llm_tokens_built.csv row 2): no contracted rate covers \"gpt-9-2026-04-01\" input_tokens"),
        "{out}"
    );
    // Mapped from ChargeDescription's first word, every line is checked and on the rate.
    let (ok, out, err) = import(
        &ws,
        &file,
        &[
            "--model-column",
            "ChargeDescription",
            "--model-pattern",
            r"^(\S+)",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("invoice 3019.5 from 6 of 6 lines (0 outside the period); 0 billed off the contracted rate, overcharge 0"),
        "{out}"
    );
    let doc = lcpr_core::document::load(&ws).unwrap();
    assert_eq!(
        doc.reconciliations[0].invoice_amount,
        "3019.50".parse().unwrap()
    );
    assert!(doc.reconciliations[0].unrated_lines.is_empty());
    assert_eq!(doc.invoice_mappings.len(), 1);
    assert_eq!(doc.invoice_mappings[0].model_column, "ChargeDescription");
    // The saved mapping is used by the next import without any option.
    let (ok, out, err) = import(&ws, &file, &[]);
    assert!(ok, "{err}");
    assert!(out.contains("ChargeDescription through"), "{out}");
    assert!(out.contains("0 billed off the contracted rate"), "{out}");
}

#[test]
fn the_real_focus_1_0_sample_imports_and_names_every_line_it_cannot_check() {
    let ws = workspace("focus10", SEPT_2024);
    let (ok, out, err) = import(
        &ws,
        &fixture("focus_1.0_sample_excerpt.csv"),
        &["--reconciliation", "aws-2024-09"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("FOCUS 1.0 column set"), "{out}");
    // 45 lines, the credit and two adjustments unmetered: 42 usage lines, none of inference.
    assert!(
        out.contains("invoice 1.6533894048 from 45 of 45 lines"),
        "{out}"
    );
    assert!(
        out.contains("no line checked against a contracted rate: 42 not checked"),
        "{out}"
    );
    assert!(
        out.contains("(focus_1.0_sample_excerpt.csv row 2): not an inference meter (no SkuMeter, ConsumedUnit \"Requests\""),
        "{out}"
    );
    let doc = lcpr_core::document::load(&ws).unwrap();
    let r = doc
        .reconciliations
        .iter()
        .find(|r| r.id == "aws-2024-09")
        .unwrap();
    assert_eq!(r.invoice_amount, "1.65338940480".parse().unwrap());
    assert_eq!(r.unrated_lines.len(), 42);
}

fn eur(text: &str) -> String {
    text.replace(",USD,", ",EUR,")
}

#[test]
fn an_invoice_in_another_currency_is_refused_unless_the_workspace_gives_a_rate() {
    let ws = workspace("eur", "");
    let real = std::fs::read_to_string(fixture("focus_1.2_llm_tokens_built.csv")).unwrap();
    let file = beside(&ws, "eur.csv", &eur(&real));
    let before = std::fs::read(&ws).unwrap();
    let (ok, _, err) = import(&ws, &file, &[]);
    assert!(!ok);
    assert!(
        err.contains("eur.csv row 2: BillingCurrency is EUR, not the workspace's currency USD: add an exchange rate for 2026-10-01 to 2026-10-01"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&ws).unwrap(),
        before,
        "a refused import changes nothing"
    );
    // With October's rate the lines are converted in Decimal: 3,019.50 × 1.1 = 3,321.45.
    let text = std::fs::read_to_string(&ws).unwrap().replacen(
        "register:\n",
        "exchange_rates:\n- currency: EUR\n  rate: \"1.1\"\n  period:\n    start: \"2026-10-01\"\n    end: \"2026-10-31\"\n  source: test rate\nregister:\n",
        1,
    );
    std::fs::write(&ws, text).unwrap();
    let (ok, out, err) = import(
        &ws,
        &file,
        &[
            "--model-column",
            "ChargeDescription",
            "--model-pattern",
            r"^(\S+)",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("6 lines billed in EUR converted to USD at 1.1 USD per EUR (exchange_rates[0], test rate)"),
        "{out}"
    );
    assert!(out.contains("invoice 3321.45 from 6 of 6 lines"), "{out}");
    let doc = lcpr_core::document::load(&ws).unwrap();
    assert_eq!(
        doc.reconciliations[0].invoice_amount,
        "3321.45".parse().unwrap()
    );
    // Converted at 1.1, every line is billed 10% above the dollar contract.
    assert_eq!(doc.reconciliations[0].off_rate_lines.len(), 6);
    // `lcpr reconcile` reads the invoice the same way: converted, and saying so.
    let evals = support::repo_root().join("tests/fixtures/evals/eval_results.csv");
    let (ok, out, err) = lcpr(&[
        "reconcile",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--period",
        "2026-10-01..2026-10-31",
        "--trace-cost",
        "3000",
        "--attempts",
        "1000",
        "--invoice",
        file.to_str().unwrap(),
        "--evals",
        evals.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("6 lines billed in EUR converted to USD at 1.1 USD per EUR"),
        "{out}"
    );
    assert!(out.contains("invoice $3,321.45"), "{out}");
}

#[test]
fn refusals_of_issue_17_name_the_file_row_and_field() {
    let ws = workspace("messages", "");
    let before = std::fs::read(&ws).unwrap();
    let real = std::fs::read_to_string(fixture("focus_1.2_llm_tokens_built.csv")).unwrap();
    let header = real.lines().next().unwrap();
    // A header-only invoice: said so, not "reconciliation must be named".
    let only = beside(&ws, "only.csv", &format!("{header}\n"));
    let (ok, _, err) = import(&ws, &only, &[]);
    assert!(!ok);
    assert!(
        err.contains("only.csv: has no invoice lines, only a header (row 1)"),
        "{err}"
    );
    assert!(!err.contains("must be named"), "{err}");
    // Refused by `lcpr reconcile` too, with the same words.
    let (ok, _, err) = lcpr(&[
        "reconcile",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--period",
        "2026-10-01..2026-10-31",
        "--trace-cost",
        "1",
        "--attempts",
        "1",
        "--invoice",
        only.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("only.csv: has no invoice lines, only a header (row 1)"),
        "{err}"
    );
    // A FOCUS file without BilledCost: that column is named, not period_start.
    let cols: Vec<&str> = header.split(',').collect();
    let at = cols.iter().position(|c| *c == "BilledCost").unwrap();
    let drop_col = |line: &str| {
        let mut f: Vec<&str> = line.split(',').collect();
        f.remove(at);
        f.join(",")
    };
    let no_billed: String = real.lines().map(|l| drop_col(l) + "\n").collect();
    let file = beside(&ws, "nobilled.csv", &no_billed);
    let (ok, _, err) = import(&ws, &file, &[]);
    assert!(!ok);
    assert!(
        err.contains("nobilled.csv row 1: BilledCost is missing from the header"),
        "{err}"
    );
    // A negative invoice: the credits are named, not `disputes`.
    let plain = "invoice_id,line_id,period_start,period_end,model,meter,quantity,unit,unit_price,amount\n\
                 I,L1,2026-10-01,2026-10-31,GPT-5.4,input_tokens,1000000,tokens,0.00000225,2.25\n\
                 I,L2,2026-10-01,2026-10-31,GPT-5.4,credit,,,,-50\n";
    let file = beside(&ws, "negative.csv", plain);
    let (ok, _, err) = import(&ws, &file, &[]);
    assert!(!ok);
    assert!(
        err.contains("negative.csv: bills -47.75 in all for 2026-10-01 – 2026-10-31: credits (negative.csv row 3) exceed the charges"),
        "{err}"
    );
    assert!(!err.contains("disputes"), "{err}");
    // A negative usage line names its row and field and the fix.
    let bad = real.replacen(",483.750000,", ",-483.750000,", 1);
    let file = beside(&ws, "negline.csv", &bad);
    let (ok, _, err) = import(&ws, &file, &[]);
    assert!(!ok);
    assert!(
        err.contains("negline.csv row 2: BilledCost must be ≥ 0 on a usage charge, got -483.750000 (a refund is a ChargeCategory Credit row)"),
        "{err}"
    );
    // A mapped column the file lacks, and a broken pattern.
    let file = fixture("focus_1.2_llm_tokens_built.csv");
    let (ok, _, err) = import(&ws, &file, &["--model-column", "x_Model"]);
    assert!(!ok);
    assert!(
        err.contains("focus_1.2_llm_tokens_built.csv row 1: x_Model is missing from the header"),
        "{err}"
    );
    let (ok, _, err) = import(
        &ws,
        &file,
        &["--model-column", "SkuId", "--model-pattern", "("],
    );
    assert!(!ok);
    assert!(
        err.contains("model_pattern must be a regular expression"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before, "nothing was written");
}
