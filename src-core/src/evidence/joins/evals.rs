//! Eval results and human-review results, and their join into the accepted-output denominator.
//!
//! LCPR divides by accepted outputs, and acceptance lives in two systems: the eval gate that
//! grades each request, and the reviewers who look at what the gate failed. Joined on request
//! id, an output is accepted when the gate passed it, or when the gate failed it and a reviewer
//! signed it off (approved it as it was, or edited it into shape). A rejected failure, or a
//! failure nobody reviewed, is not accepted.
//!
//! A request seen by only one system is a sign the join is broken (dropped events, differing
//! ids, a review system covering another period), so the join reports them: requests with an
//! eval result and no review are the normal case for passes and are only counted; reviews of
//! requests the eval system never saw are listed by id and not counted as accepted, because the
//! rule needs the gate's failure to accept on a reviewer's word. A gate pass that a reviewer
//! rejected is still accepted by that rule, and counted apart so the conflict shows.

use std::collections::BTreeMap;
use std::io::Read;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::csv::{Format, ImportError, Record, read_records};

/// Each request's gate verdict (true = pass) and the grading bill.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalResults {
    /// Pass (true) or fail, by request id.
    pub verdicts: BTreeMap<String, bool>,
    /// Sum of grader cost over every result.
    #[serde(with = "crate::money::exact")]
    pub grader_cost: Decimal,
}

/// What a reviewer did with an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Accepted as it was.
    Approved,
    /// Refused.
    Rejected,
    /// Corrected by the reviewer, then accepted.
    Edited,
}

impl ReviewOutcome {
    /// True when the reviewer's decision makes the output usable.
    #[must_use]
    pub fn signs_off(self) -> bool {
        matches!(self, Self::Approved | Self::Edited)
    }

    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "approved" | "approve" | "accepted" => Some(Self::Approved),
            "rejected" | "reject" => Some(Self::Rejected),
            "edited" | "edit" | "corrected" => Some(Self::Edited),
            _ => None,
        }
    }
}

/// Each reviewed request's outcome and the review bill.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HumanReviews {
    /// Outcome by request id.
    pub outcomes: BTreeMap<String, ReviewOutcome>,
    /// Reviewer minutes, summed.
    #[serde(with = "crate::money::exact")]
    pub minutes: Decimal,
    /// Fully loaded review cost, summed.
    #[serde(with = "crate::money::exact")]
    pub cost: Decimal,
}

fn verdict(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "pass" | "passed" | "true" | "1" | "yes" => Some(true),
        "fail" | "failed" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn add(r: &dyn Record, column: &str, sum: Decimal, value: Decimal) -> Result<Decimal, ImportError> {
    sum.checked_add(value)
        .ok_or_else(|| r.error(column, "sums past what can be computed exactly".to_owned()))
}

/// The columns (CSV) or keys (JSON Lines) of an eval-results file; `grader_cost` may be left
/// out (no grader bill, e.g. a deterministic gate).
pub const EVAL_COLUMNS: [&str; 2] = ["request_id", "result"];

/// Reads eval results: `request_id`, `result` (pass/fail, true/false, 1/0) and optional
/// `grader_cost` (≥ 0). Each request may appear once.
pub fn read_eval_results<R: Read>(
    file: &str,
    format: Format,
    source: R,
) -> Result<EvalResults, ImportError> {
    let mut results = EvalResults::default();
    read_records(file, format, source, &EVAL_COLUMNS, |r| {
        let id = r.text("request_id")?;
        let result = r.text("result")?;
        let passed = verdict(result)
            .ok_or_else(|| r.error("result", format!("must be pass or fail, got {result:?}")))?;
        let cost = match r.optional_text("grader_cost") {
            Some(_) => r.non_negative_decimal("grader_cost")?,
            None => Decimal::ZERO,
        };
        results.grader_cost = add(r, "grader_cost", results.grader_cost, cost)?;
        if results.verdicts.insert(id.to_owned(), passed).is_some() {
            return Err(r.error(
                "request_id",
                format!("repeats {id:?}: each request has one eval result"),
            ));
        }
        Ok(())
    })?;
    Ok(results)
}

/// The columns (CSV) or keys (JSON Lines) of a human-review file.
pub const REVIEW_COLUMNS: [&str; 4] = ["request_id", "outcome", "minutes", "cost"];

/// Reads human reviews: `request_id`, `outcome` (approved, rejected or edited), `minutes` and
/// `cost` (both ≥ 0). Each request may appear once.
pub fn read_human_reviews<R: Read>(
    file: &str,
    format: Format,
    source: R,
) -> Result<HumanReviews, ImportError> {
    let mut reviews = HumanReviews::default();
    read_records(file, format, source, &REVIEW_COLUMNS, |r| {
        let id = r.text("request_id")?;
        let text = r.text("outcome")?;
        let outcome = ReviewOutcome::parse(text).ok_or_else(|| {
            r.error(
                "outcome",
                format!("must be approved, rejected or edited, got {text:?}"),
            )
        })?;
        let minutes = r.non_negative_decimal("minutes")?;
        let cost = r.non_negative_decimal("cost")?;
        reviews.minutes = add(r, "minutes", reviews.minutes, minutes)?;
        reviews.cost = add(r, "cost", reviews.cost, cost)?;
        if reviews.outcomes.insert(id.to_owned(), outcome).is_some() {
            return Err(r.error(
                "request_id",
                format!("repeats {id:?}: each request has one review"),
            ));
        }
        Ok(())
    })?;
    Ok(reviews)
}

/// The accepted-output denominator and how the two sources met.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AcceptedJoin {
    /// Gate passes plus signed-off gate failures.
    pub accepted: u64,
    /// Requests with an eval result.
    pub evaluated: u64,
    /// Of those, gate passes.
    pub eval_passed: u64,
    /// Of those, gate failures.
    pub eval_failed: u64,
    /// Requests with a review.
    pub reviewed: u64,
    /// Gate failures a reviewer approved or edited (accepted).
    pub failures_signed_off: u64,
    /// Gate failures a reviewer rejected.
    pub failures_rejected: u64,
    /// Gate failures nobody reviewed.
    pub failures_unreviewed: u64,
    /// Gate passes that were reviewed too.
    pub passes_reviewed: u64,
    /// Of those, passes a reviewer rejected (still accepted by the gate; a conflict to look at).
    pub passes_rejected_on_review: u64,
    /// Requests only the eval system saw.
    pub eval_only: u64,
    /// Requests only the review system saw, by id (not accepted).
    pub review_only: Vec<String>,
    /// Of those, how many a reviewer signed off.
    pub review_only_signed_off: u64,
}

/// Joins eval results and reviews on request id (both are sorted maps, so the result is in id
/// order and the same for the same inputs).
#[must_use]
pub fn join_accepted(evals: &EvalResults, reviews: &HumanReviews) -> AcceptedJoin {
    let mut j = AcceptedJoin {
        evaluated: evals.verdicts.len() as u64,
        reviewed: reviews.outcomes.len() as u64,
        ..AcceptedJoin::default()
    };
    for (id, &passed) in &evals.verdicts {
        let review = reviews.outcomes.get(id).copied();
        match (passed, review) {
            (true, None) => j.eval_passed += 1,
            (true, Some(outcome)) => {
                j.eval_passed += 1;
                j.passes_reviewed += 1;
                j.passes_rejected_on_review += u64::from(!outcome.signs_off());
            }
            (false, None) => {
                j.eval_failed += 1;
                j.failures_unreviewed += 1;
            }
            (false, Some(outcome)) if outcome.signs_off() => {
                j.eval_failed += 1;
                j.failures_signed_off += 1;
            }
            (false, Some(_)) => {
                j.eval_failed += 1;
                j.failures_rejected += 1;
            }
        }
        j.eval_only += u64::from(review.is_none());
    }
    for (id, outcome) in &reviews.outcomes {
        if !evals.verdicts.contains_key(id) {
            j.review_only.push(id.clone());
            j.review_only_signed_off += u64::from(outcome.signs_off());
        }
    }
    j.accepted = j.eval_passed + j.failures_signed_off;
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const EVALS: &str = "request_id,result,grader_cost\n\
        r1,pass,0.02\n\
        r2,fail,0.02\n\
        r3,fail,0.02\n\
        r4,FAIL,\n\
        r5,true,0.01\n\
        r6,0,0.03\n";

    const REVIEWS: &str = "request_id,outcome,minutes,cost\n\
        r2,approved,3,2.00\n\
        r3,rejected,2.5,2.00\n\
        r5,rejected,1,1.00\n\
        r6,edited,4,2.50\n\
        r9,approved,2,2.00\n";

    fn sources() -> (EvalResults, HumanReviews) {
        (
            read_eval_results("e.csv", Format::Csv, EVALS.as_bytes()).unwrap(),
            read_human_reviews("h.csv", Format::Csv, REVIEWS.as_bytes()).unwrap(),
        )
    }

    #[test]
    fn files_sum_their_bills() {
        let (e, h) = sources();
        // 0.02 × 3 + 0 + 0.01 + 0.03 = 0.10; 2 + 2 + 1 + 2.5 + 2 = 9.50; 3 + 2.5 + 1 + 4 + 2.
        assert_eq!(e.grader_cost, d("0.10"));
        assert_eq!((h.cost, h.minutes), (d("9.50"), d("12.5")));
        assert_eq!(e.verdicts.get("r4"), Some(&false));
    }

    #[test]
    fn accepted_is_gate_passes_plus_signed_off_failures() {
        let (e, h) = sources();
        let j = join_accepted(&e, &h);
        // Passes r1, r5; failures r2 (approved), r6 (edited) accepted; r3 rejected, r4 unreviewed.
        assert_eq!(j.accepted, 4);
        assert_eq!((j.eval_passed, j.eval_failed), (2, 4));
        assert_eq!(
            (
                j.failures_signed_off,
                j.failures_rejected,
                j.failures_unreviewed
            ),
            (2, 1, 1)
        );
        // r5 passed the gate but a reviewer rejected it: still accepted, counted as a conflict.
        assert_eq!((j.passes_reviewed, j.passes_rejected_on_review), (1, 1));
        // r1, r4 only in evals; r9 only in reviews, approved but not accepted.
        assert_eq!(j.eval_only, 2);
        assert_eq!(j.review_only, vec!["r9".to_owned()]);
        assert_eq!(j.review_only_signed_off, 1);
    }

    #[test]
    fn json_lines_read_like_csv() {
        let evals = "{\"request_id\": \"r1\", \"result\": true, \"grader_cost\": 0.02}\n\
                     {\"request_id\": 2, \"result\": \"fail\"}\n";
        let e = read_eval_results("e.jsonl", Format::Jsonl, evals.as_bytes()).unwrap();
        assert_eq!(e.verdicts.get("2"), Some(&false));
        assert_eq!(e.grader_cost, d("0.02"));
        let reviews = "{\"request_id\": \"2\", \"outcome\": \"Edited\", \"minutes\": 5, \"cost\": \"3.10\"}\n";
        let h = read_human_reviews("h.jsonl", Format::Jsonl, reviews.as_bytes()).unwrap();
        assert_eq!(h.outcomes.get("2"), Some(&ReviewOutcome::Edited));
        assert_eq!(join_accepted(&e, &h).accepted, 2);
    }

    #[test]
    fn refusals_name_row_and_column() {
        let err = read_eval_results(
            "e.csv",
            Format::Csv,
            "request_id,result\nr1,pass\nr2,maybe\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "e.csv row 3: result must be pass or fail, got \"maybe\""
        );
        let err = read_eval_results(
            "e.csv",
            Format::Csv,
            "request_id,result\nr1,pass\nr1,fail\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.rule.starts_with("repeats \"r1\""));
        let err = read_human_reviews(
            "h.jsonl",
            Format::Jsonl,
            "{\"request_id\":\"a\",\"outcome\":\"approved\",\"minutes\":1,\"cost\":2}\n{\"request_id\":\"b\",\"outcome\":\"approved\",\"minutes\":\"ten\",\"cost\":2}\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.jsonl row 2: minutes must be a decimal number, got \"ten\""
        );
        let err = read_human_reviews(
            "h.jsonl",
            Format::Jsonl,
            "{\"request_id\":\"a\",\"outcome\":\"approved\",\"minutes\":1}\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "h.jsonl row 1: cost is missing");
        let err = read_human_reviews(
            "h.csv",
            Format::Csv,
            "request_id,outcome,minutes,cost\nx,escalated,1,1\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(err.column.as_deref(), Some("outcome"));
        let err = read_human_reviews(
            "h.csv",
            Format::Csv,
            "request_id,outcome,cost\nx,approved,1\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.csv row 1: minutes is missing from the header"
        );
    }

    #[test]
    fn empty_sources_accept_nothing() {
        let j = join_accepted(&EvalResults::default(), &HumanReviews::default());
        assert_eq!(j, AcceptedJoin::default());
    }
}
