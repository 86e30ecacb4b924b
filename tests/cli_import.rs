//! `lcpr import traces`, `lcpr baseline` and `lcpr goodput` end to end: an import adds a dated
//! baseline and rewrites the workspace, a refused import leaves the file byte for byte.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::PathBuf;

fn scratch_copy(name: &str, from: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-cli-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("w.yaml");
    std::fs::copy(support::repo_root().join(from), &path).expect("copy");
    path
}

#[test]
fn an_import_adds_a_baseline_with_findings() {
    let ws = scratch_copy("ok", "workspaces/support-migration.yaml");
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let (ok, out, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["rows_read"], 9);
    assert_eq!(
        report["baselines"][0]["baseline"]["id"],
        "support-chat-2026-11-04"
    );
    assert!(
        report["baselines"][0]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    let doc = lcpr_core::document::load(&ws).expect("the rewritten workspace loads");
    assert!(
        doc.baselines
            .iter()
            .any(|b| b.id == "support-chat-2026-11-04")
    );
    let (ok, out, _) = lcpr(&["baseline", ws.to_str().unwrap()]);
    assert!(
        ok && out.contains("support-chat-2026-11-04") && out.contains("cache hit rate fell"),
        "{out}"
    );
    // The same import again is refused: the file was imported, and forced, the baseline exists.
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("was already imported"), "{err}");
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--force",
    ]);
    assert!(!ok && err.contains("already has baseline"), "{err}");
}

#[test]
fn a_refused_import_leaves_the_workspace_untouched() {
    let ws = scratch_copy("refused", "workspaces/public-sector-chargeback.yaml");
    let before = std::fs::read(&ws).expect("read");
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ]);
    assert!(!ok, "accepted");
    assert!(
        err.contains("nothing was imported") && err.contains("not in the workspace"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).expect("read"), before);
    // Neither the name nor the first bytes tell the format: the fix is named.
    let unclear = ws.with_file_name("trace.txt");
    std::fs::write(&unclear, "requests served yesterday\n").expect("write");
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        unclear.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("trace.txt") && err.contains("--format csv|jsonl|otlp"),
        "{err}"
    );
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--mapping",
        "nope",
    ]);
    assert!(!ok && err.contains("no mapping \"nope\""), "{err}");
}

#[test]
fn goodput_reports_every_load_test_and_its_gaps() {
    let seed = support::repo_root().join("seeds/rag-benchmark-audit.yaml");
    let (ok, out, err) = lcpr(&["goodput", seed.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("28.0") && out.contains("33.0") && out.contains("Closed-loop arrivals"),
        "{out}"
    );
    let (ok, out, _) = lcpr(&["goodput", seed.to_str().unwrap(), "--json"]);
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(2));
}

#[test]
fn reconcile_names_the_off_rate_lines_and_writes_into_the_workspace() {
    let ws = scratch_copy("reconcile", "workspaces/support-migration.yaml");
    let f = support::repo_root().join("tests/fixtures");
    let path = |p: &str| f.join(p).to_str().unwrap().to_owned();
    let base = [
        "reconcile".to_owned(),
        ws.to_str().unwrap().to_owned(),
        "--workload".into(),
        "support-chat".into(),
        "--period".into(),
        "2026-05-01..2026-05-31".into(),
        "--trace-cost".into(),
        "14127".into(),
        "--attempts".into(),
        "261361".into(),
        "--contract".into(),
        path("contracts/acme_msa_amended.csv"),
        "--evals".into(),
        path("evals/eval_results.csv"),
        "--reviews".into(),
        path("evals/human_reviews.csv"),
    ];
    let with = |extra: &[String]| -> Vec<String> {
        base.iter().cloned().chain(extra.iter().cloned()).collect()
    };
    let args = with(&[
        "--invoice".into(),
        path("invoices/plain_2026_05.csv"),
        "--json".into(),
        "--into".into(),
    ]);
    let (ok, out, err) = lcpr(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let lines: Vec<&str> = r["off_rate_lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["line_id"].as_str())
        .collect();
    assert_eq!(lines, ["L1", "L3"]);
    // The superseded-tier overcharge explains the whole trace-to-invoice delta.
    assert_eq!(r["explained_delta"], r["as_billed"]["delta"]);
    assert_eq!(r["unexplained_delta"].as_f64(), Some(0.0));
    let doc = lcpr_core::document::load(&ws).expect("loads");
    assert!(
        doc.reconciliations
            .iter()
            .any(|x| x.id == "support-chat-2026-05-01")
    );
    // A malformed invoice is refused with its row, and the workspace is not touched.
    let before = std::fs::read(&ws).expect("read");
    let args = with(&[
        "--invoice".into(),
        path("invoices/plain_negative_quantity.csv"),
        "--id".into(),
        "again".into(),
        "--into".into(),
    ]);
    let (ok, _, err) = lcpr(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!ok && err.contains("row"), "{err}");
    assert_eq!(std::fs::read(&ws).expect("read"), before);
}

#[test]
fn load_test_imports_add_one_load_test_per_run_and_refuse_summaries() {
    let ws = scratch_copy("loadtest", "workspaces/support-migration.yaml");
    let f = support::repo_root().join("tests/fixtures/loadtests");
    let sweep = f.join("generic_sweep.csv");
    let (ok, out, err) = lcpr(&[
        "import",
        "loadtest",
        sweep.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--json",
    ]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["load_tests"].as_array().map(Vec::len), Some(3));
    assert!(
        json["sweep"]["capacity_ceiling"]["request_rate"]
            .as_f64()
            .is_some()
    );
    let doc = lcpr_core::document::load(&ws).expect("loads");
    assert_eq!(doc.load_tests.len(), 3);
    // Each imported run computes under the workload's SLOs; none errors.
    let eval = lcpr_core::case::evaluation::evaluate(&doc);
    assert!(
        eval.load_tests.iter().all(|l| l.error.is_none()),
        "{:?}",
        eval.load_tests
    );
    // A summary without per-request data is refused and nothing changes.
    let before = std::fs::read(&ws).expect("read");
    let summary = f.join("vllm_summary_only.json");
    let (ok, _, err) = lcpr(&[
        "import",
        "loadtest",
        summary.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
    ]);
    assert!(!ok && err.contains("per-request"), "{err}");
    assert_eq!(std::fs::read(&ws).expect("read"), before);
}

#[test]
fn evidence_files_build_a_reconciliation_one_source_at_a_time() {
    use rust_decimal::Decimal;
    let ws = scratch_copy("evidence", "workspaces/support-migration.yaml");
    let dir = ws.parent().unwrap().to_path_buf();
    let f = support::repo_root().join("tests/fixtures");
    for name in ["eval_results.csv", "human_reviews.csv"] {
        std::fs::copy(f.join("evals").join(name), dir.join(name)).unwrap();
    }
    let fixture = |p: &str| f.join(p).to_str().unwrap().to_owned();
    let local = |p: &str| dir.join(p).to_str().unwrap().to_owned();
    let w = ws.to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let (ok, out, err) = lcpr(args);
        assert!(ok, "{args:?}: {err}");
        out
    };
    let d = |s: &str| s.parse::<Decimal>().unwrap();

    // The period's record, from traces and evals only: every line unrated by the rate cards.
    run(&[
        "reconcile",
        &w,
        "--workload",
        "support-chat",
        "--period",
        "2026-05-01..2026-05-31",
        "--trace-cost",
        "14127",
        "--attempts",
        "261361",
        "--id",
        "may",
        "--invoice",
        &fixture("invoices/plain_2026_05.csv"),
        "--evals",
        &local("eval_results.csv"),
        "--into",
    ]);
    let may = |doc: &lcpr_core::document::Workspace| {
        doc.reconciliations
            .iter()
            .find(|r| r.id == "may")
            .cloned()
            .unwrap()
    };
    let r = may(&lcpr_core::document::load(&ws).unwrap());
    assert_eq!(r.unrated_lines, ["L1", "L2", "L3"]);
    assert!(r.off_rate_lines.is_empty());
    assert_eq!(r.sources.len(), 2);

    // The contract, then the invoice again: the invoice finds the May reconciliation itself
    // (the October one does not hold its lines) and names the two superseded-tier lines.
    run(&[
        "import",
        "contract",
        &fixture("contracts/acme_msa_amended.csv"),
        "--into",
        &w,
    ]);
    let out = run(&[
        "import",
        "invoice",
        &fixture("invoices/plain_2026_05.csv"),
        "--into",
        &w,
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["reconciliation"], "may");
    let doc = lcpr_core::document::load(&ws).unwrap();
    assert_eq!(doc.contract_rates.len(), 5);
    let r = may(&doc);
    let ids: Vec<&str> = r
        .off_rate_lines
        .iter()
        .map(|o| o.line_id.as_str())
        .collect();
    assert_eq!(ids, ["L1", "L3"]);
    assert!(r.unrated_lines.is_empty());
    // The overcharge, 314 + 900, is the whole trace-to-invoice delta 15,341 − 14,127.
    let overcharge: Decimal = r.off_rate_lines.iter().map(|o| o.overcharge).sum();
    assert_eq!(overcharge, d("1214"));
    assert_eq!(r.invoice_amount - r.trace_cost, overcharge);

    // Reviews, then evals: the evals import reads the recorded reviews file again and joins.
    run(&[
        "import",
        "reviews",
        &local("human_reviews.csv"),
        "--into",
        &w,
        "--reconciliation",
        "may",
    ]);
    run(&[
        "import",
        "evals",
        &local("eval_results.csv"),
        "--into",
        &w,
        "--reconciliation",
        "may",
    ]);
    let r = may(&lcpr_core::document::load(&ws).unwrap());
    let all_at_once = run(&[
        "reconcile",
        &w,
        "--workload",
        "support-chat",
        "--period",
        "2026-05-01..2026-05-31",
        "--trace-cost",
        "14127",
        "--attempts",
        "261361",
        "--id",
        "check",
        "--invoice",
        &fixture("invoices/plain_2026_05.csv"),
        "--evals",
        &local("eval_results.csv"),
        "--reviews",
        &local("human_reviews.csv"),
        "--json",
    ]);
    let whole: serde_json::Value = serde_json::from_str(&all_at_once).unwrap();
    assert_eq!(r.accepted, d(&whole["denominator"]["accepted"].to_string()));
    assert_eq!(r.accepted, d("4"));
    assert_eq!(
        lcpr_core::money::to_f64(r.human_cost),
        whole["as_billed"]["human_cost"].as_f64().unwrap()
    );
    let kinds: Vec<&str> = r.sources.iter().map(|s| s.kind.name()).collect();
    assert_eq!(kinds, ["invoice", "evals", "reviews"]);
    assert_eq!(r.sources[1].file, "eval_results.csv");

    // Disputing L3 keeps the invoice as billed and takes its $900 out of loaded cost.
    run(&["dispute", &w, "--reconciliation", "may", "--line", "L3"]);
    let r = may(&lcpr_core::document::load(&ws).unwrap());
    assert_eq!(r.invoice_amount, d("15341"));
    let net = lcpr_core::document::validate::reconciliation_input(&r);
    assert_eq!(net.invoice_amount, d("14441"));

    // Refusals leave the file byte for byte: a changed reviews file, a broken invoice, a
    // model config whose attention this cannot size.
    let before = std::fs::read(&ws).unwrap();
    std::fs::write(
        dir.join("human_reviews.csv"),
        "request_id,outcome,minutes,cost\n",
    )
    .unwrap();
    let (evals, broken, mla) = (
        local("eval_results.csv"),
        fixture("invoices/plain_negative_quantity.csv"),
        fixture("hf_config/gpt-oss-20b.config.json"),
    );
    let refused = [
        vec![
            "import",
            "evals",
            &evals,
            "--into",
            &w,
            "--reconciliation",
            "may",
        ],
        vec![
            "import",
            "invoice",
            &broken,
            "--into",
            &w,
            "--reconciliation",
            "may",
        ],
        vec!["import", "model-config", &mla, "--into", &w],
    ];
    let mut messages = Vec::new();
    for args in &refused {
        let (ok, _, err) = lcpr(args);
        assert!(!ok, "{args:?} was accepted");
        assert_eq!(
            std::fs::read(&ws).unwrap(),
            before,
            "{args:?} changed the file"
        );
        messages.push(err);
    }
    assert!(
        messages[0].contains("human_reviews.csv: has changed since it was imported"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("row 4: quantity must be ≥ 0"),
        "{}",
        messages[1]
    );
    assert!(messages[2].contains("torch_dtype"), "{}", messages[2]);

    // A model config sets the migration case's attention shape and keeps its budget.
    run(&[
        "import",
        "model-config",
        &fixture("hf_config/llama-3-8b.json"),
        "--into",
        &w,
    ]);
    let m = lcpr_core::document::load(&ws)
        .unwrap()
        .migration
        .unwrap()
        .model
        .unwrap();
    assert_eq!((m.n_layers, m.n_kv_heads, m.head_dim), (32.0, 8.0, 128.0));
    assert_eq!(m.kv_pool_gb, 40.0);
    assert!(m.source.ends_with("llama-3-8b.json"));
}

#[test]
fn an_invoice_line_billing_ten_times_its_quantity_times_price_is_named() {
    let ws = scratch_copy("tenfold", "workspaces/support-migration.yaml");
    let dir = ws.parent().unwrap().to_path_buf();
    let f = support::repo_root().join("tests/fixtures");
    std::fs::copy(
        f.join("evals/eval_results.csv"),
        dir.join("eval_results.csv"),
    )
    .unwrap();
    // L1: 157,000,000 tokens × $0.000012 = $1,884.00, billed $18,840.00.
    let plain = std::fs::read_to_string(f.join("invoices/plain_2026_05.csv")).unwrap();
    let tenfold = plain.replace(",0.000012,1884.00", ",0.000012,18840.00");
    assert_ne!(plain, tenfold);
    let invoice = dir.join("tenfold.csv");
    std::fs::write(&invoice, tenfold).unwrap();
    let w = ws.to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let (ok, out, err) = lcpr(args);
        assert!(ok, "{args:?}: {err}");
        out
    };
    let out = run(&[
        "reconcile",
        &w,
        "--workload",
        "support-chat",
        "--period",
        "2026-05-01..2026-05-31",
        "--trace-cost",
        "14127",
        "--attempts",
        "261361",
        "--id",
        "may",
        "--invoice",
        invoice.to_str().unwrap(),
        "--evals",
        dir.join("eval_results.csv").to_str().unwrap(),
        "--into",
    ]);
    // No contract yet: the lines are not called "on the contracted rate", and L1's own
    // arithmetic is still checked.
    assert!(out.contains("line L1 ("), "{out}");
    assert!(out.contains("off its own arithmetic"), "{out}");
    assert!(
        out.contains("not checked against a contracted rate"),
        "{out}"
    );
    run(&[
        "import",
        "contract",
        f.join("contracts/acme_msa_amended.csv").to_str().unwrap(),
        "--into",
        &w,
    ]);
    let text = run(&["import", "invoice", invoice.to_str().unwrap(), "--into", &w]);
    assert!(
        text.contains("whose amount is not quantity × unit price"),
        "{text}"
    );
    let out = run(&[
        "import",
        "invoice",
        invoice.to_str().unwrap(),
        "--into",
        &w,
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &report["invoice"]["amount_mismatches"][0];
    assert_eq!(m["line_id"], "L1");
    assert_eq!(m["overcharge"].as_f64(), Some(16956.0));
    let off: Vec<&str> = report["invoice"]["off_rate_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["line_id"].as_str().unwrap())
        .collect();
    assert!(off.contains(&"L1"), "{off:?}");
}

#[test]
fn a_dated_model_id_on_an_invoice_is_checked_against_its_contracted_model() {
    let ws = scratch_copy("dated", "workspaces/support-migration.yaml");
    let w = ws.to_str().unwrap().to_owned();
    let file = support::repo_root().join("tests/fixtures/invoices/focus_1.2_llm_tokens_built.csv");
    let (ok, out, err) = lcpr(&[
        "import",
        "invoice",
        file.to_str().unwrap(),
        "--into",
        &w,
        "--json",
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["invoice"]["invoice_total"].as_f64(), Some(3019.5));
    assert_eq!(report["invoice"]["unrated_lines"], serde_json::json!([]));
    assert_eq!(report["invoice"]["off_rate_lines"], serde_json::json!([]));
    assert_eq!(
        report["invoice"]["model_matches"],
        serde_json::json!(["gpt-5.4-2026-04-01 → GPT-5.4"])
    );
}

#[test]
fn a_query_pack_import_writes_the_baselines_a_trace_import_writes() {
    let fixture = "tests/fixtures/querypack/workspace.yaml";
    let f = support::repo_root().join("tests/fixtures/querypack");
    let p = |n: &str| f.join(n).to_str().unwrap().to_owned();
    let from_trace = scratch_copy("qp-trace", fixture);
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        &p("trace.csv"),
        "--into",
        from_trace.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let pack = |into: &PathBuf, extra: &[&str]| {
        let mut args = vec!["import".to_owned(), "querypack".to_owned()];
        for (flag, name) in [
            ("--counters", "tier1_counters"),
            ("--histograms", "tier2_histograms"),
            ("--extremes", "tier2_extremes"),
        ] {
            args.push(flag.to_owned());
            args.push(p(&format!("{name}.part1.csv")));
            args.push(p(&format!("{name}.part2.csv")));
        }
        args.extend(["--into".to_owned(), into.to_str().unwrap().to_owned()]);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        lcpr(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let from_pack = scratch_copy("qp-pack", fixture);
    let (ok, out, err) = pack(&from_pack, &["--json"]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["rows_read"], 5326);
    let a = lcpr_core::document::load(&from_trace).expect("loads");
    let b = lcpr_core::document::load(&from_pack).expect("loads");
    let ids: Vec<&str> = b.baselines.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "claims-draft-2026-03-05",
            "extract-batch-2026-03-05",
            "support-rag-2026-03-05"
        ]
    );
    // The same baselines; only the trace import records the file it read (the query pack's
    // results are not the trace).
    let mut a = a;
    for x in &mut a.baselines {
        let source = x.source.take().expect("a trace import records its file");
        assert_eq!(source.records, 5326);
    }
    assert!(b.baselines.iter().all(|x| x.source.is_none()));
    assert_eq!(a.baselines, b.baselines);
    // Again: the baselines exist, nothing is written.
    let before = std::fs::read(&from_pack).expect("read");
    let (ok, _, err) = pack(&from_pack, &[]);
    assert!(!ok && err.contains("already has baseline"), "{err}");
    assert_eq!(std::fs::read(&from_pack).expect("read"), before);
    // One workload only.
    let one = scratch_copy("qp-one", fixture);
    let (ok, out, err) = pack(&one, &["--workload", "extract-batch"]);
    assert!(ok && out.contains("1 baseline(s) added"), "{err}");
    let doc = lcpr_core::document::load(&one).expect("loads");
    assert_eq!(doc.baselines.len(), 1);
    assert_eq!(Some(&doc.baselines[0]), a.baselines.get(1));
    let (ok, _, err) = pack(&one, &["--workload", "nope"]);
    assert!(!ok && err.contains("no rows of workload \"nope\""), "{err}");
    // Models without a rate card are listed and nothing is written.
    let unpriced = scratch_copy("qp-unpriced", "workspaces/support-migration.yaml");
    let before = std::fs::read(&unpriced).expect("read");
    let (ok, _, err) = pack(&unpriced, &[]);
    assert!(
        !ok && err.contains("do not price")
            && err.contains("Anthropic / claude-sonnet-4.5")
            && err.contains("OpenAI / gpt-5.4-mini"),
        "{err}"
    );
    assert_eq!(std::fs::read(&unpriced).expect("read"), before);
}

#[test]
fn a_trace_import_sets_a_reconciliations_trace_side() {
    use lcpr_core::document::{EvidenceKind, Period, Reconciliation};
    use rust_decimal::Decimal;
    let ws = scratch_copy("trace-reconcile", "workspaces/support-migration.yaml");
    let mut doc = lcpr_core::document::load(&ws).unwrap();
    let mut nov: Reconciliation = doc.reconciliations[0].clone();
    nov.id = "nov".into();
    nov.period = Period {
        start: "2026-11-01".parse().unwrap(),
        end: "2026-11-30".parse().unwrap(),
    };
    nov.attempts = Decimal::from(100);
    nov.accepted = Decimal::from(5);
    doc.reconciliations.push(nov);
    lcpr_core::document::save(&doc, &ws).unwrap();
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let (t, w) = (trace.to_str().unwrap(), ws.to_str().unwrap());

    // The October record holds none of the trace's November rows: refused, file untouched.
    let before = std::fs::read(&ws).unwrap();
    let (ok, _, err) = lcpr(&[
        "import",
        "traces",
        t,
        "--into",
        w,
        "--reconciliation",
        "support-2026-10",
    ]);
    assert!(!ok && err.contains("has no rows of support-chat"), "{err}");
    assert_eq!(std::fs::read(&ws).unwrap(), before);

    let (ok, out, err) = lcpr(&[
        "import",
        "traces",
        t,
        "--into",
        w,
        "--reconciliation",
        "nov",
        "--json",
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let counted = report["rows_read"].as_u64().unwrap() - report["rows_broken"].as_u64().unwrap();
    let doc = lcpr_core::document::load(&ws).unwrap();
    let r = doc.reconciliations.iter().find(|r| r.id == "nov").unwrap();
    // Every counted row of the file is a November support-chat attempt, priced from the cards.
    assert_eq!(r.attempts, Decimal::from(counted));
    assert!(
        r.trace_cost > Decimal::ZERO && r.trace_cost < Decimal::ONE,
        "{}",
        r.trace_cost
    );
    assert_eq!(r.sources.len(), 1);
    assert_eq!(r.sources[0].kind, EvidenceKind::Traces);
}

#[test]
fn percentiles_are_exact_below_the_threshold_and_sketched_on_request() {
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let t = trace.to_str().unwrap();
    let mut p95 = Vec::new();
    for (name, extra) in [("exact", None), ("sketched", Some("0"))] {
        let ws = scratch_copy(
            &format!("exact-{name}"),
            "workspaces/support-migration.yaml",
        );
        let w = ws.to_str().unwrap();
        let mut args = vec!["import", "traces", t, "--into", w, "--json"];
        if let Some(n) = extra {
            args.extend(["--exact-below", n]);
        }
        let (ok, out, err) = lcpr(&args);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let b = &report["baselines"][0];
        // Nine rows: exact under the default limit, sketched when asked to keep no values.
        assert_eq!(b["exact_percentiles"], extra.is_none(), "{name}");
        p95.push(b["baseline"]["metrics"]["ttft_ms"]["p95"].as_f64().unwrap());
    }
    // The sketch stays within 1% of the exact percentile.
    assert!((p95[1] - p95[0]).abs() <= 0.01 * p95[0], "{p95:?}");
}
