//! Reports built from a workspace and its evaluation, as [`crate::report::Report`] values ready
//! for [`crate::report::render_pdf`]:
//!
//! - [`decision::decision_memo`]: one scenario against the other scenarios of its workload,
//!   laid out as the decision template asks (options with raw and cache-adjusted token cost,
//!   retry, quality, latency, accepted outcome rate, LCPR and owner), then the recommendation,
//!   charts, cost components, reconciliations, readiness, the assumption register, open risks
//!   and sign-off;
//! - [`review::review_pack`]: the monthly review across workloads: reconciled LCPR this month
//!   against last, cost per scenario, load-test goodput, and the open risks as proposed actions;
//! - [`tables`]: the tables both print, which `lcpr export csv` also writes.
//!
//! Every number is taken from the [`Evaluation`] the CLI and the desktop show, and written by
//! [`format`], so a memo cannot disagree with `lcpr compute`. Charts come from
//! [`crate::report::figures`], the functions the desktop plots with.
//!
//! Files: `format` (how figures are written), `tables`, `risks` (what is still open), `decision`
//! (the memo), `review` (the pack).

pub mod chargeback;
pub mod decision;
pub mod format;
pub mod review;
pub mod risks;
pub mod statement;
pub mod tables;

use crate::case::evaluation::{Evaluation, ScenarioResult};
use crate::content_hash::content_hash;
use crate::document::{Baseline, Date, ScenarioStatus, Workspace};
use crate::error::{InputError, InputResult};
use crate::report::{PageSize, RenderOptions, ReportMeta};

/// Page margins of reports, in points: 15 mm, narrower than the 20 mm default so the decision
/// table's eight columns fit an A4 or Letter portrait page without breaking a number.
pub const MARGIN_PT: f32 = 42.52;

/// How reports are rendered: A4, [`MARGIN_PT`] margins.
#[must_use]
pub fn render_options() -> RenderOptions {
    RenderOptions {
        page_size: PageSize::A4,
        margin_pt: MARGIN_PT,
    }
}

/// Where a report's numbers came from, printed under its title and in every page footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoSource {
    /// Name of the workspace file (no directories: they say nothing to the reader).
    pub file_name: String,
    /// Content hash of the file's bytes ([`content_hash`]).
    pub content_hash: String,
    /// The date the report is dated, as printed.
    pub date: String,
}

impl MemoSource {
    /// The source for a file called `file_name` whose bytes are `bytes`, dated `date`.
    #[must_use]
    pub fn of_file(file_name: &str, bytes: &[u8], date: Date) -> Self {
        Self {
            file_name: file_name.to_owned(),
            content_hash: content_hash(bytes),
            date: date.to_string(),
        }
    }

    /// The footer metadata of a report owned by `author`.
    #[must_use]
    pub fn meta(&self, author: &str) -> ReportMeta {
        ReportMeta {
            author: author.to_owned(),
            date: self.date.clone(),
            source_file: self.file_name.clone(),
            content_hash: self.content_hash.clone(),
        }
    }
}

/// The scenario a decision memo is written for: `requested` when given; otherwise the first
/// scenario marked proposed; otherwise the lowest-LCPR scenario; otherwise the first.
///
/// Refuses a workspace without scenarios and an id that names none (the error lists the ids).
pub fn memo_scenario<'a>(
    eval: &'a Evaluation,
    requested: Option<&str>,
) -> InputResult<&'a ScenarioResult> {
    if eval.scenarios.is_empty() {
        return Err(InputError::new(
            "scenarios",
            "is empty: a decision memo compares scenarios, add at least one",
        ));
    }
    if let Some(id) = requested {
        return eval.scenario(id).ok_or_else(|| {
            let ids: Vec<&str> = eval.scenarios.iter().map(|s| s.id.as_str()).collect();
            InputError::new(
                "scenario",
                format!(
                    "{id:?} names no scenario; the workspace has {}",
                    ids.join(", ")
                ),
            )
        });
    }
    let proposed = eval
        .scenarios
        .iter()
        .find(|s| s.status == ScenarioStatus::Proposed);
    let cheapest = eval
        .scenarios
        .iter()
        .filter_map(|s| s.cost.as_ref().map(|c| (s, c.lcpr)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(s, _)| s);
    proposed
        .or(cheapest)
        .or_else(|| eval.scenarios.first())
        .ok_or_else(|| InputError::new("scenarios", "is empty"))
}

/// The scenarios of `workload`, in document order.
#[must_use]
pub fn workload_scenarios<'a>(eval: &'a Evaluation, workload: &str) -> Vec<&'a ScenarioResult> {
    eval.scenarios
        .iter()
        .filter(|s| s.workload == workload)
        .collect()
}

/// The scenario that stands for a workload in a review: the current one, else the proposed
/// one, else the lowest-LCPR one, else the first.
#[must_use]
pub fn reference_scenario<'a>(eval: &'a Evaluation, workload: &str) -> Option<&'a ScenarioResult> {
    let of_workload = workload_scenarios(eval, workload);
    let with_status = |status| of_workload.iter().find(|s| s.status == status).copied();
    with_status(ScenarioStatus::Current)
        .or_else(|| with_status(ScenarioStatus::Proposed))
        .or_else(|| {
            of_workload
                .iter()
                .filter_map(|s| s.cost.as_ref().map(|c| (*s, c.lcpr)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| s)
        })
        .or_else(|| of_workload.first().copied())
}

/// The most recent baseline of `workload` measured on `route` (the later one in file order
/// when two share a date).
#[must_use]
pub fn latest_baseline<'a>(ws: &'a Workspace, workload: &str, route: &str) -> Option<&'a Baseline> {
    ws.baselines
        .iter()
        .filter(|b| b.workload == workload && b.route.as_deref() == Some(route))
        .max_by_key(|b| b.captured_on)
}

/// A scenario's status in words.
#[must_use]
pub fn status_label(status: ScenarioStatus) -> &'static str {
    match status {
        ScenarioStatus::Current => "current",
        ScenarioStatus::Proposed => "proposed",
        ScenarioStatus::Candidate => "candidate",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;

    /// The shipped example workspace.
    pub(crate) fn example() -> Workspace {
        let text = include_str!("../../../../workspaces/support-migration.yaml");
        crate::document::parse(text, "support-migration.yaml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_proposed_scenario_is_the_default() {
        let ws = example();
        let eval = evaluate(&ws);
        let s = memo_scenario(&eval, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.id, "support-h100-dedicated");
        let s = memo_scenario(&eval, Some("support-gpt")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.id, "support-gpt");
    }

    #[test]
    fn without_a_proposed_scenario_the_lowest_lcpr_is_the_default() {
        let mut ws = example();
        for s in &mut ws.scenarios {
            s.status = ScenarioStatus::Candidate;
        }
        let eval = evaluate(&ws);
        let s = memo_scenario(&eval, None).unwrap_or_else(|e| panic!("{e}"));
        let lowest = eval.cheapest.first().map(|c| c.scenario.clone());
        assert_eq!(Some(s.id.clone()), lowest);
    }

    #[test]
    fn an_unknown_scenario_is_refused_with_the_ids_that_exist() {
        let eval = evaluate(&example());
        let e = memo_scenario(&eval, Some("nope"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "scenario \"nope\" names no scenario; the workspace has support-gpt, \
                 support-dsv4-serverless, support-h100-dedicated, support-h200-self-hosted, \
                 support-cascade, support-h100-reserved"
            )
        );
        let mut ws = example();
        ws.scenarios.clear();
        let eval = evaluate(&ws);
        let e = memo_scenario(&eval, None).err().map(|e| e.field);
        assert_eq!(e.as_deref(), Some("scenarios"));
    }

    #[test]
    fn the_latest_baseline_of_a_route_is_found() {
        let mut ws = example();
        assert_eq!(
            latest_baseline(&ws, "support-chat", "gpt-api").map(|b| b.id.as_str()),
            Some("support-gpt-2026-10")
        );
        assert!(latest_baseline(&ws, "support-chat", "dsv4-serverless").is_none());
        let mut later = ws.baselines[0].clone();
        later.id = "later".into();
        later.captured_on = Date::new(2026, 11, 30).unwrap_or(Date::EPOCH);
        ws.baselines.insert(0, later);
        assert_eq!(
            latest_baseline(&ws, "support-chat", "gpt-api").map(|b| b.id.as_str()),
            Some("later")
        );
    }

    #[test]
    fn the_current_scenario_stands_for_its_workload() {
        let eval = evaluate(&example());
        let s = reference_scenario(&eval, "support-chat").map(|s| s.id.as_str());
        assert_eq!(s, Some("support-gpt"));
        assert!(reference_scenario(&eval, "other").is_none());
    }

    #[test]
    fn a_source_hashes_the_bytes_it_is_given() {
        let d = Date::new(2026, 11, 23).unwrap_or(Date::EPOCH);
        let s = MemoSource::of_file("w.yaml", b"a", d);
        assert_eq!(s.content_hash, "af63dc4c8601ec8c");
        let meta = s.meta("Platform");
        assert_eq!(meta.date, "2026-11-23");
        assert_eq!(meta.short_hash(), "af63dc4c8601");
    }
}
