//! One imported source applied to a workspace reconciliation, and the disputes a user raises on
//! it.
//!
//! A reconciliation is often assembled a source at a time: the invoice arrives after month end,
//! eval results come from one system and reviews from another. Each function here takes a
//! reconciliation record and one source's figures and returns the updated record, or refuses
//! and leaves the caller's record as it was. The result is always checked as the workspace
//! would check it (loaded cost and LCPR computable, disputes within the invoice), so a record
//! that a later load would refuse is never produced.
//!
//! The accepted denominator needs eval results and reviews joined on request id; the document
//! keeps only their totals, so a join is run when either source arrives and the other is at
//! hand ([`apply_acceptance`] takes both).

use rust_decimal::Decimal;

use super::evals::{AcceptedJoin, EvalResults, HumanReviews, join_accepted};
use super::reconcile::{InvoiceCheck, OffRateLine, unit_price_label};
use crate::document::validate::{disputed, disputes_within_invoice, reconciliation_margin};
use crate::document::{DisputedAmount, EvidenceSource, Reconciliation};
use crate::error::{InputError, InputResult};
use crate::evidence::traces::aggregate::Aggregate;

/// Records `source` on `r`, replacing an earlier file of the same kind (sources kept in kind
/// order).
pub fn record_source(r: &mut Reconciliation, source: EvidenceSource) {
    r.sources.retain(|s| s.kind != source.kind);
    r.sources.push(source);
    r.sources.sort_by_key(|s| s.kind);
}

/// Refuses a record the workspace would refuse.
fn checked(r: Reconciliation) -> InputResult<Reconciliation> {
    disputes_within_invoice(&r)?;
    reconciliation_margin(&r)?;
    Ok(r)
}

/// The record with the invoice of its period: the amount as billed and the lines billed off
/// the contracted rate. Disputes of lines the invoice no longer holds are refused rather than
/// dropped, so nothing disputed is lost silently.
pub fn apply_invoice(r: &Reconciliation, check: &InvoiceCheck) -> InputResult<Reconciliation> {
    for (k, d) in r.disputes.iter().enumerate() {
        if !d.line_id.is_empty() && !check.line_ids.contains(&d.line_id) {
            return Err(InputError::new(
                format!("disputes[{k}].line_id"),
                format!(
                    "names line {:?}, which this invoice does not hold for {} – {}: withdraw the dispute first",
                    d.line_id, r.period.start, r.period.end
                ),
            ));
        }
    }
    let mut out = r.clone();
    out.invoice_amount = check.invoice_total;
    out.off_rate_lines = check
        .off_rate_lines
        .iter()
        .map(OffRateLine::to_document)
        .collect();
    out.unrated_lines.clone_from(&check.unrated_lines);
    checked(out)
}

/// The record with the trace side of its period from an imported (priced) trace: the
/// inference cost and the attempts of its workload over its days. Refuses a trace with no
/// rows of the workload in the period, and one whose rows in the period are not all priced
/// (an unpriced model is never counted at $0).
pub fn apply_traces(r: &Reconciliation, agg: &Aggregate) -> InputResult<Reconciliation> {
    let days = agg
        .workloads
        .get(&r.workload)
        .into_iter()
        .flatten()
        .filter(|(d, _)| r.period.start <= **d && **d <= r.period.end);
    let (mut cost, mut attempts, mut unpriced, mut seen) = (Decimal::ZERO, 0u64, 0u64, 0usize);
    for (_, day) in days {
        let c = &day.counters;
        cost = cost
            .checked_add(c.inference_cost)
            .ok_or_else(|| InputError::new("trace_cost", "is too large to add exactly"))?;
        attempts = attempts.saturating_add(c.attempts);
        unpriced = unpriced.saturating_add(c.unpriced_rows);
        seen += 1;
    }
    if seen == 0 {
        return Err(InputError::new(
            "trace_cost",
            format!(
                "cannot be set: the trace has no rows of {} from {} to {}",
                r.workload, r.period.start, r.period.end
            ),
        ));
    }
    if unpriced > 0 {
        return Err(InputError::new(
            "trace_cost",
            format!("cannot be set: {unpriced} rows of the period have no rate card to price them"),
        ));
    }
    let mut out = r.clone();
    out.trace_cost = cost;
    out.attempts = Decimal::from(attempts);
    checked(out)
}

/// The record with eval grading cost (when `evals` is given), review cost (when `reviews` is
/// given) and, when eval results are at hand, the accepted outputs joined on request id; the
/// join is returned with it. Reviews alone cannot set the denominator: the rule accepts a
/// reviewer's sign-off only on a request the gate failed.
pub fn apply_acceptance(
    r: &Reconciliation,
    evals: Option<&EvalResults>,
    reviews: Option<&HumanReviews>,
) -> InputResult<(Reconciliation, Option<AcceptedJoin>)> {
    let mut out = r.clone();
    if let Some(reviews) = reviews {
        out.human_cost = reviews.cost;
    }
    let join = evals.map(|evals| {
        out.eval_cost = evals.grader_cost;
        join_accepted(evals, reviews.unwrap_or(&HumanReviews::default()))
    });
    if let Some(j) = &join {
        if j.accepted == 0 {
            return Err(InputError::new(
                "accepted",
                "must be > 0: no request passed the eval gate or was signed off on review",
            ));
        }
        out.accepted = Decimal::from(j.accepted);
    }
    Ok((checked(out)?, join))
}

/// The record with an off-rate line's overcharge disputed.
pub fn dispute_line(r: &Reconciliation, line_id: &str) -> InputResult<Reconciliation> {
    let line = r
        .off_rate_lines
        .iter()
        .find(|o| o.line_id == line_id)
        .ok_or_else(|| {
            InputError::new(
                "line_id",
                format!("names no line billed off its contracted rate: {line_id:?}"),
            )
        })?;
    if line.overcharge <= Decimal::ZERO {
        return Err(InputError::new(
            "line_id",
            format!("{line_id:?} is billed below its contracted rate: there is nothing to dispute"),
        ));
    }
    if r.disputes.iter().any(|d| d.line_id == line_id) {
        return Err(InputError::new(
            "line_id",
            format!("{line_id:?} is already disputed"),
        ));
    }
    let mut out = r.clone();
    out.disputes.push(DisputedAmount {
        line_id: line_id.to_owned(),
        amount: line.overcharge,
        reason: format!(
            "billed at {} against the contracted {}",
            unit_price_label(line.meter, line.billed_unit_price),
            unit_price_label(line.meter, line.contracted_unit_price)
        ),
    });
    checked(out)
}

/// The record with the rest of the trace-to-invoice delta disputed: invoice − trace cost − the
/// amounts already disputed, which must be positive.
pub fn dispute_delta(r: &Reconciliation, reason: &str) -> InputResult<Reconciliation> {
    if r.disputes.iter().any(|d| d.line_id.is_empty()) {
        return Err(InputError::new("disputes", "already dispute the delta"));
    }
    let rest = r
        .invoice_amount
        .checked_sub(r.trace_cost)
        .and_then(|d| d.checked_sub(disputed(r)))
        .ok_or_else(|| InputError::new("invoice_amount", "is too large to compute exactly"))?;
    if rest <= Decimal::ZERO {
        return Err(InputError::new(
            "disputes",
            format!(
                "cannot take the delta: the invoice less what is already disputed is not above the trace cost (left {rest})"
            ),
        ));
    }
    let mut out = r.clone();
    out.disputes.push(DisputedAmount {
        line_id: String::new(),
        amount: rest,
        reason: reason.to_owned(),
    });
    checked(out)
}

/// The record without dispute `index`; it returns to loaded cost.
pub fn withdraw_dispute(r: &Reconciliation, index: usize) -> InputResult<Reconciliation> {
    if index >= r.disputes.len() {
        return Err(InputError::new(
            format!("disputes[{index}]"),
            format!("does not exist (there are {})", r.disputes.len()),
        ));
    }
    let mut out = r.clone();
    out.disputes.remove(index);
    checked(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::trace_to_margin::trace_to_margin;
    use crate::document::contracts::Meter;
    use crate::document::validate::reconciliation_input;
    use crate::document::{Date, EvidenceKind, OffRateFinding, Period};
    use crate::evidence::joins::evals::ReviewOutcome;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn record() -> Reconciliation {
        Reconciliation {
            id: "may".into(),
            workload: "w".into(),
            period: Period {
                start: day("2026-05-01"),
                end: day("2026-05-31"),
            },
            trace_cost: d("95"),
            invoice_amount: d("95"),
            eval_cost: d("1"),
            human_cost: d("2"),
            ops_cost: d("2"),
            attempts: d("12"),
            accepted: d("10"),
            revenue_per_unit: Decimal::ZERO,
            notes: String::new(),
            disputes: Vec::new(),
            off_rate_lines: Vec::new(),
            unrated_lines: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn finding(id: &str, overcharge: &str) -> OffRateFinding {
        OffRateFinding {
            line_id: id.into(),
            meter: Meter::OutputTokens,
            quantity: d("2000000"),
            billed_unit_price: d("45"),
            contracted_unit_price: d("40"),
            contract_effective_from: day("2026-02-01"),
            overcharge: d(overcharge),
        }
    }

    fn check(total: &str, ids: &[&str]) -> InvoiceCheck {
        InvoiceCheck {
            amount_mismatches: Vec::new(),
            model_matches: Vec::new(),
            checked_lines: 0,
            lines_in_period: ids.len(),
            lines_outside_period: 0,
            invoice_total: d(total),
            off_rate_lines: Vec::new(),
            unrated_lines: Vec::new(),
            line_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            explained: Decimal::ZERO,
        }
    }

    #[test]
    fn an_invoice_sets_the_billed_amount_and_keeps_valid_disputes() {
        let mut r = record();
        r.disputes.push(DisputedAmount {
            line_id: "out".into(),
            amount: d("10"),
            reason: String::new(),
        });
        let out = apply_invoice(&r, &check("100", &["in", "out"])).unwrap();
        assert_eq!(out.invoice_amount, d("100"));
        assert_eq!(out.disputes, r.disputes);
        // A dispute of a line the new invoice lacks is refused, and the record is untouched.
        let err = apply_invoice(&r, &check("100", &["in"])).unwrap_err();
        assert_eq!(err.field, "disputes[0].line_id");
        assert_eq!(r.invoice_amount, d("95"));
        // A dispute larger than the new invoice is refused.
        assert_eq!(
            apply_invoice(&r, &check("5", &["in", "out"]))
                .unwrap_err()
                .field,
            "disputes"
        );
    }

    #[test]
    fn disputes_move_out_of_loaded_cost_and_can_be_withdrawn() {
        let mut r = record();
        r.invoice_amount = d("110");
        r.off_rate_lines = vec![finding("out", "10"), finding("cheap", "-3")];
        let one = dispute_line(&r, "out").unwrap();
        assert_eq!(one.disputes[0].amount, d("10"));
        assert_eq!(
            one.disputes[0].reason,
            "billed at $45/M tokens against the contracted $40/M tokens"
        );
        // Net invoice 110 − 10 = 100; loaded 100 + 1 + 2 + 2 = 105.
        let m = trace_to_margin(&reconciliation_input(&one)).unwrap();
        assert_eq!(m.total_loaded_cost, d("105"));
        assert_eq!(dispute_line(&one, "out").unwrap_err().field, "line_id");
        assert_eq!(dispute_line(&r, "cheap").unwrap_err().field, "line_id");
        assert_eq!(dispute_line(&r, "nope").unwrap_err().field, "line_id");
        // The rest of the delta: 110 − 95 − 10 = 5.
        let two = dispute_delta(&one, "usage that never ran").unwrap();
        assert_eq!(two.disputes[1].amount, d("5"));
        assert!(two.disputes[1].line_id.is_empty());
        assert_eq!(dispute_delta(&two, "again").unwrap_err().field, "disputes");
        let back = withdraw_dispute(&two, 0).unwrap();
        assert_eq!(back.disputes.len(), 1);
        assert_eq!(withdraw_dispute(&back, 3).unwrap_err().field, "disputes[3]");
        // Nothing left to dispute when the invoice is at the trace cost.
        assert_eq!(dispute_delta(&record(), "x").unwrap_err().field, "disputes");
    }

    #[test]
    fn evals_set_the_denominator_and_reviews_join_when_both_are_given() {
        let mut evals = EvalResults::default();
        for (id, pass) in [("a", true), ("b", false), ("c", false), ("e", true)] {
            evals.verdicts.insert(id.into(), pass);
        }
        evals.grader_cost = d("0.40");
        let mut reviews = HumanReviews::default();
        reviews.outcomes.insert("b".into(), ReviewOutcome::Edited);
        reviews.outcomes.insert("c".into(), ReviewOutcome::Rejected);
        reviews.cost = d("6");
        let r = record();
        // Evals alone: 2 passes.
        let (e, j) = apply_acceptance(&r, Some(&evals), None).unwrap();
        assert_eq!(
            (e.accepted, e.eval_cost, e.human_cost),
            (d("2"), d("0.40"), d("2"))
        );
        assert_eq!(j.unwrap().accepted, 2);
        // Both: 2 passes + b signed off = 3.
        let (b, _) = apply_acceptance(&r, Some(&evals), Some(&reviews)).unwrap();
        assert_eq!((b.accepted, b.human_cost), (d("3"), d("6")));
        // Reviews alone: the cost only.
        let (h, j) = apply_acceptance(&r, None, Some(&reviews)).unwrap();
        assert_eq!((h.accepted, h.human_cost, j), (d("10"), d("6"), None));
        // No passes at all is refused.
        let mut fails = EvalResults::default();
        fails.verdicts.insert("x".into(), false);
        assert_eq!(
            apply_acceptance(&r, Some(&fails), None).unwrap_err().field,
            "accepted"
        );
    }

    #[test]
    fn a_trace_sets_the_cost_and_attempts_of_its_period() {
        use crate::evidence::traces::aggregate::{AggregateSettings, DayAggregate};
        let mut agg = Aggregate::new(AggregateSettings::default());
        let add = |agg: &mut Aggregate, date: &str, cost: &str, attempts: u64, unpriced: u64| {
            let mut a = DayAggregate::new(0);
            a.counters.inference_cost = d(cost);
            a.counters.attempts = attempts;
            a.counters.unpriced_rows = unpriced;
            agg.workloads
                .entry("w".into())
                .or_default()
                .insert(day(date), a);
        };
        add(&mut agg, "2026-04-30", "100", 10, 0);
        add(&mut agg, "2026-05-01", "40.5", 6, 0);
        add(&mut agg, "2026-05-31", "2", 1, 0);
        // May only: 40.5 + 2 = 42.5 over 6 + 1 = 7 attempts (April is outside).
        let mut r = record();
        r.accepted = d("5");
        let out = apply_traces(&r, &agg).unwrap();
        assert_eq!((out.trace_cost, out.attempts), (d("42.5"), d("7")));
        add(&mut agg, "2026-05-15", "1", 1, 1);
        assert!(apply_traces(&r, &agg).unwrap_err().rule.contains("1 rows"));
        r.workload = "other".into();
        assert_eq!(apply_traces(&r, &agg).unwrap_err().field, "trace_cost");
    }

    #[test]
    fn a_source_replaces_the_earlier_file_of_its_kind() {
        let mut r = record();
        let src = |kind, file: &str| EvidenceSource {
            kind,
            file: file.into(),
            fingerprint: "0".into(),
            records: 1,
            imported_on: day("2026-06-02"),
        };
        record_source(&mut r, src(EvidenceKind::Reviews, "r.csv"));
        record_source(&mut r, src(EvidenceKind::Invoice, "a.csv"));
        record_source(&mut r, src(EvidenceKind::Invoice, "b.csv"));
        let files: Vec<&str> = r.sources.iter().map(|s| s.file.as_str()).collect();
        assert_eq!(files, ["b.csv", "r.csv"]);
    }
}
