//! The four-source reconciliation end to end, from files: a pharmacy's prior-authorisation
//! drafting workload whose vendor kept billing input and output tokens at the tier a contract
//! amendment replaced three months earlier. The reconciliation must find both lines, and their
//! overcharge must be the whole trace-to-invoice delta, to the cent.
//!
//! Also: every importer's refusals of the malformed fixtures, with their rows and messages.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use lcpr_core::calc::trace_to_margin::{DELTA_THRESHOLD, trace_to_margin};
use lcpr_core::document::contracts::ContractRates;
use lcpr_core::document::contracts::Meter;
use lcpr_core::document::{
    ContractOverlay, Date, Period, RateCard, RatePricing, Workspace, validate::reconciliation_input,
};
use lcpr_core::evidence::joins::contract::{from_rate_cards, read_contract};
use lcpr_core::evidence::joins::csv::{Format, ImportError};
use lcpr_core::evidence::joins::evals::{
    EvalResults, HumanReviews, join_accepted, read_eval_results, read_human_reviews,
};
use lcpr_core::evidence::joins::invoice::{FocusSelection, InvoiceLine, read_focus, read_plain};
use lcpr_core::evidence::joins::reconcile::{
    CostItem, Dispute, FourSourceReconciliation, ReconcileInput, Sources, reconcile,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn day(s: &str) -> Date {
    s.parse().expect("date")
}

fn fixture(path: &str) -> (String, BufReader<File>) {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path);
    let file = File::open(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (name, BufReader::new(file))
}

fn llm_api() -> FocusSelection {
    FocusSelection {
        services: vec!["LLM API".into()],
    }
}

fn focus_invoice() -> Vec<InvoiceLine> {
    let (name, file) = fixture("invoices/focus_2026_04_05.csv");
    read_focus(&name, file, &llm_api()).unwrap()
}

fn amended_contract() -> ContractRates {
    let (name, file) = fixture("contracts/acme_msa_amended.csv");
    read_contract(&name, file).unwrap()
}

/// May's 261,361 prior-auth requests: 218,239 gate passes and 43,122 failures, of which
/// pharmacists reviewed 581 at $2 each (412 approved, 98 edited, 71 rejected). 30,250 requests
/// (about 12%) went to the model grader at $0.028: 30,250 × 0.028 = $847.00.
fn may_evals() -> (EvalResults, HumanReviews) {
    const REQUESTS: usize = 261_361;
    const PASSES: usize = 218_239;
    let mut evals = String::from("request_id,result,grader_cost\n");
    let mut reviews = String::from("request_id,outcome,minutes,cost\n");
    for i in 0..REQUESTS {
        let result = if i < PASSES { "pass" } else { "fail" };
        let cost = if i % 8 == 0 && i < 8 * 30_250 {
            "0.028"
        } else {
            ""
        };
        evals.push_str(&format!("rx-{i:06},{result},{cost}\n"));
        if let Some(k) = i.checked_sub(PASSES).filter(|k| *k < 581) {
            let outcome = match k {
                0..412 => "approved",
                412..510 => "edited",
                _ => "rejected",
            };
            reviews.push_str(&format!("rx-{i:06},{outcome},6,2.00\n"));
        }
    }
    (
        read_eval_results("evals-may.csv", Format::Csv, evals.as_bytes()).unwrap(),
        read_human_reviews("reviews-may.csv", Format::Csv, reviews.as_bytes()).unwrap(),
    )
}

fn may_input(dispute: Dispute) -> ReconcileInput {
    ReconcileInput {
        id: "rx-2026-05".into(),
        workload: "prior-auth-drafting".into(),
        account: "rx-prior-auth".into(),
        period: Period {
            start: day("2026-05-01"),
            end: day("2026-05-31"),
        },
        trace_cost: d("14127"),
        attempts: 261_361,
        ops: vec![
            CostItem {
                label: "Schema-repair passes".into(),
                amount: d("1386"),
            },
            CostItem {
                label: "Ops allocation".into(),
                amount: d("1761"),
            },
        ],
        dispute,
        revenue_per_unit: Decimal::ZERO,
    }
}

fn run(
    input: &ReconcileInput,
    invoice: &[InvoiceLine],
    contract: &ContractRates,
    sources: &(EvalResults, HumanReviews),
) -> FourSourceReconciliation {
    reconcile(
        input,
        &Sources {
            invoice,
            contract,
            evals: &sources.0,
            reviews: &sources.1,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The checks every route to the May figures must pass.
fn assert_superseded_tier_found(r: &FourSourceReconciliation, ids: [&str; 2], source: [&str; 2]) {
    // Invoice 1,884 + 5,357 + 8,100 = 15,341 against a trace cost of 14,127.
    assert_eq!(r.invoice_total, d("15341"));
    assert_eq!(r.as_billed.delta, d("1214"));
    // 1,214 / 14,127 = 8.59%, above the 5% threshold.
    assert_eq!(
        r.as_billed.delta_pct.map(|p| p.round_dp(4)),
        Some(d("0.0859"))
    );
    assert!(r.as_billed.delta_pct.is_some_and(|p| p > DELTA_THRESHOLD));
    assert!(r.as_billed.delta_flagged);

    // Input billed at the old $12/M instead of $10/M: 157M × 2 = $314; output at $45/M instead
    // of $40/M: 180M × 5 = $900. Cached input is billed at its unchanged $1/M.
    let found: Vec<(&str, Meter, Decimal, Decimal, Decimal, &str, Date)> = r
        .off_rate_lines
        .iter()
        .map(|o| {
            (
                o.line_id.as_str(),
                o.meter,
                o.billed_unit_price,
                o.contracted_unit_price,
                o.overcharge,
                o.contract_source.as_str(),
                o.contract_effective_from,
            )
        })
        .collect();
    let amendment = day("2026-02-01");
    assert_eq!(
        found,
        vec![
            (
                ids[0],
                Meter::InputTokens,
                d("12"),
                d("10"),
                d("314"),
                source[0],
                amendment
            ),
            (
                ids[1],
                Meter::OutputTokens,
                d("45"),
                d("40"),
                d("900"),
                source[1],
                amendment
            ),
        ]
    );
    // The overcharge is the whole delta, exactly.
    assert_eq!(r.explained_delta, d("1214.00"));
    assert_eq!(r.explained_delta, r.as_billed.delta);
    assert_eq!(r.unexplained_delta, Decimal::ZERO);
    assert!(r.unrated_lines.is_empty());

    // 218,239 passes + 412 approved + 98 edited failures = 218,749 accepted.
    assert_eq!(r.denominator.accepted, 218_749);
    assert_eq!(r.denominator.failures_rejected, 71);
    assert_eq!(r.denominator.failures_unreviewed, 43_122 - 581);
    assert!(r.denominator.review_only.is_empty());
    assert_eq!(r.as_billed.input.eval_cost, d("847"));
    assert_eq!(r.as_billed.input.human_cost, d("1162"));
}

#[test]
fn a_line_billed_at_a_superseded_tier_is_found_and_equals_the_delta() {
    let invoice = focus_invoice();
    let contract = amended_contract();
    let evals = may_evals();
    let dispute = Dispute::Lines {
        line_ids: vec!["INV-2026-05:3".into(), "INV-2026-05:5".into()],
    };
    let r = run(&may_input(dispute), &invoice, &contract, &evals);
    assert_superseded_tier_found(
        &r,
        ["INV-2026-05:3", "INV-2026-05:5"],
        ["acme_msa_amended.csv row 5", "acme_msa_amended.csv row 6"],
    );
    // April's line and the storage row are not May's inference bill.
    assert_eq!((r.lines_in_period, r.lines_outside_period), (3, 1));

    // The disputed overcharge stays on record but leaves the loaded cost:
    // as billed 15,341 + 847 + 1,162 + 1,386 + 1,761 = 20,497; net 20,497 − 1,214 = 19,283.
    assert_eq!(r.disputed_amount, d("1214"));
    assert_eq!(r.as_billed.total_loaded_cost, d("20497"));
    assert_eq!(r.net_of_disputes.total_loaded_cost, d("19283"));
    // 19,283 / 218,749 = $0.0882 per accepted draft.
    assert_eq!(r.net_of_disputes.lcpr.round_dp(4), d("0.0882"));
    assert_eq!(r.as_billed.lcpr.round_dp(4), d("0.0937"));

    // Trace 14,127 + 314 + 900 explained, 0 unexplained, − 1,214 disputed, + the rest.
    let w = &r.waterfall;
    let closing: Decimal = w.start + w.steps.iter().map(|s| s.amount).sum::<Decimal>();
    assert_eq!(
        (w.start, closing, w.end),
        (d("14127"), d("19283"), d("19283"))
    );

    // The workspace record evaluates to the same net figures.
    // It keeps the invoice as billed, both disputed lines with their amounts, and the
    // off-rate findings.
    let doc = r.to_document();
    assert_eq!(doc.invoice_amount, d("15341"));
    let disputed: Vec<(&str, Decimal)> = doc
        .disputes
        .iter()
        .map(|x| (x.line_id.as_str(), x.amount))
        .collect();
    assert_eq!(
        disputed.iter().map(|x| x.0).collect::<Vec<_>>(),
        ["INV-2026-05:3", "INV-2026-05:5"]
    );
    assert_eq!(disputed.iter().map(|x| x.1).sum::<Decimal>(), d("1214"));
    assert_eq!(
        doc.off_rate_lines
            .iter()
            .map(|o| o.overcharge)
            .sum::<Decimal>(),
        r.explained_delta
    );
    let again = trace_to_margin(&reconciliation_input(&doc)).unwrap();
    assert_eq!(again, r.net_of_disputes);
}

#[test]
fn the_plain_invoice_against_the_workspace_rate_cards_finds_the_same_lines() {
    let (name, file) = fixture("invoices/plain_2026_05.csv");
    let invoice = read_plain(&name, file).unwrap();
    let card = |id: &str, from: &str, contract: Option<ContractOverlay>| RateCard {
        id: id.into(),
        provider: "Acme AI".into(),
        model: "draft-large".into(),
        aliases: Vec::new(),
        effective_from: day(from),
        source: "MSA".into(),
        pricing: RatePricing::Tokens {
            input_per_m: d("12"),
            cached_input_per_m: Some(d("1")),
            cache_write_5m_per_m: None,
            cache_write_1h_per_m: None,
            output_per_m: d("45"),
            batch_input_per_m: None,
            batch_output_per_m: None,
        },
        contract,
        provenance: None,
        notes: String::new(),
    };
    let mut ws = Workspace::empty("Pharmacy", day("2026-06-03"));
    ws.rate_cards = vec![
        card("acme-2025-08", "2025-08-01", None),
        card(
            "acme-2026-02",
            "2026-02-01",
            Some(ContractOverlay {
                reference: "MSA amendment 2".into(),
                input_per_m: Some(d("10")),
                output_per_m: Some(d("40")),
                ..ContractOverlay::default()
            }),
        ),
    ];
    let contract = from_rate_cards(&ws.rate_cards).unwrap();
    let r = run(
        &may_input(Dispute::WholeDelta),
        &invoice,
        &contract,
        &may_evals(),
    );
    let source = "rate card acme-2026-02 (contract MSA amendment 2)";
    assert_superseded_tier_found(&r, ["L1", "L3"], [source, source]);
    // Disputing the whole delta takes off the same $1,214.
    assert_eq!(r.net_of_disputes.total_loaded_cost, d("19283"));
}

#[test]
fn the_overcharge_ran_in_april_too() {
    // April: 170M output tokens billed at $45/M = $7,650 against $40/M × 170 = $6,800 traced.
    let mut input = may_input(Dispute::None);
    input.period = Period {
        start: day("2026-04-01"),
        end: day("2026-04-30"),
    };
    input.trace_cost = d("6800");
    let r = run(&input, &focus_invoice(), &amended_contract(), &may_evals());
    assert_eq!((r.lines_in_period, r.lines_outside_period), (1, 3));
    assert_eq!(r.off_rate_lines.len(), 1);
    assert_eq!(r.off_rate_lines[0].line_id, "INV-2026-04:2");
    // 170 × (45 − 40) = 850 = 7,650 − 6,800.
    assert_eq!(r.explained_delta, d("850"));
    assert_eq!(r.as_billed.delta, d("850"));
}

#[test]
fn eval_and_review_fixtures_join_the_same_from_csv_and_json_lines() {
    let (n, f) = fixture("evals/eval_results.csv");
    let evals = read_eval_results(&n, Format::Csv, f).unwrap();
    let (n, f) = fixture("evals/eval_results.jsonl");
    assert_eq!(read_eval_results(&n, Format::Jsonl, f).unwrap(), evals);
    let (n, f) = fixture("evals/human_reviews.csv");
    let reviews = read_human_reviews(&n, Format::Csv, f).unwrap();
    let (n, f) = fixture("evals/human_reviews.jsonl");
    assert_eq!(read_human_reviews(&n, Format::Jsonl, f).unwrap(), reviews);
    // 0.028 × 3 + 0.031; four reviews at $2; 4 + 6.5 + 3 + 2 minutes.
    assert_eq!(evals.grader_cost, d("0.115"));
    assert_eq!((reviews.cost, reviews.minutes), (d("8"), d("15.5")));
    let j = join_accepted(&evals, &reviews);
    // Passes req-001, req-004; req-002 approved and req-003 edited after failing.
    assert_eq!(j.accepted, 4);
    assert_eq!((j.failures_rejected, j.failures_unreviewed), (1, 1));
    // req-001, req-004, req-006 were only evaluated; req-009 was only reviewed.
    assert_eq!(j.eval_only, 3);
    assert_eq!(j.review_only, vec!["req-009".to_owned()]);
}

fn refusal(result: Result<impl std::fmt::Debug, ImportError>) -> ImportError {
    result.expect_err("the fixture must be refused")
}

#[test]
fn malformed_invoices_are_refused_with_row_and_column() {
    let (n, f) = fixture("invoices/focus_bad_number.csv");
    let e = refusal(read_focus(&n, f, &llm_api()));
    assert_eq!(
        e.to_string(),
        "focus_bad_number.csv row 3: BilledCost must be a decimal number, got \"1,884.00\""
    );
    let (n, f) = fixture("invoices/focus_missing_column.csv");
    let e = refusal(read_focus(&n, f, &llm_api()));
    assert_eq!(
        e.to_string(),
        "focus_missing_column.csv row 1: BilledCost is missing from the header"
    );
    let (n, f) = fixture("invoices/plain_unknown_meter.csv");
    let e = refusal(read_plain(&n, f));
    assert_eq!((e.row, e.column.as_deref()), (Some(3), Some("meter")));
    assert!(
        e.rule.ends_with(
            "got \"image_tokens\" (or credit, adjustment, tax, fee for an unmetered line)"
        ),
        "{e}"
    );
    let (n, f) = fixture("invoices/plain_negative_quantity.csv");
    let e = refusal(read_plain(&n, f));
    assert_eq!(
        e.to_string(),
        "plain_negative_quantity.csv row 4: quantity must be ≥ 0, got -180"
    );
}

#[test]
fn malformed_contracts_and_results_are_refused_with_row_and_column() {
    let (n, f) = fixture("contracts/contract_bad_rate.csv");
    let e = refusal(read_contract(&n, f));
    assert_eq!(
        e.to_string(),
        "contract_bad_rate.csv row 3: rate must be a decimal number, got \"forty\""
    );
    let (n, f) = fixture("contracts/contract_unknown_meter.csv");
    let e = refusal(read_contract(&n, f));
    assert_eq!((e.row, e.column.as_deref()), (Some(2), Some("meter")));
    assert!(e.rule.ends_with("got \"reasoning_tokens\""), "{e}");
    let (n, f) = fixture("evals/eval_bad_result.csv");
    let e = refusal(read_eval_results(&n, Format::Csv, f));
    assert_eq!(
        e.to_string(),
        "eval_bad_result.csv row 4: result must be pass or fail, got \"maybe\""
    );
    let (n, f) = fixture("evals/reviews_missing_column.csv");
    let e = refusal(read_human_reviews(&n, Format::Csv, f));
    assert_eq!(
        e.to_string(),
        "reviews_missing_column.csv row 1: cost is missing from the header"
    );
    let (n, f) = fixture("evals/reviews_negative_minutes.jsonl");
    let e = refusal(read_human_reviews(&n, Format::from_file_name(&n), f));
    assert_eq!(
        e.to_string(),
        "reviews_negative_minutes.jsonl row 2: minutes must be ≥ 0, got -6.5"
    );
}

#[test]
fn quoted_newlines_in_a_fixture_move_lines_but_not_rows() {
    // eval_results.csv has a grader note spanning two lines in row 6.
    let (n, f) = fixture("evals/eval_results.csv");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut { f }, &mut text).unwrap();
    let broken = text.replace("req-006,fail", "req-006,unknown");
    let e = refusal(read_eval_results(&n, Format::Csv, broken.as_bytes()));
    assert_eq!((e.row, e.line), (Some(7), Some(8)));
}
