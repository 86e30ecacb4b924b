//! The monthly inference review pack: LCPR by workload this month against last, with the cost
//! component that moved it; the reconciliations; cost per scenario; load-test goodput; and the
//! open risks as proposed actions, each with an owner.
//!
//! "This month" for a workload is its reconciliation with the latest period, "last month" the
//! one before it. The change in reconciled LCPR is split by component per accepted output:
//! LCPR = (invoice + eval + human + ops) ÷ accepted, so the change is exactly the sum of each
//! component's change per accepted output, and the largest of those is named as the driver.
//! A workload with one reconciliation has no change to explain; a workspace with none says so.

use rust_decimal::Decimal;

use crate::calc::trace_to_margin::TraceToMargin;
use crate::case::evaluation::{Evaluation, ReconciliationResult};
use crate::decide::tornado::Tornado;
use crate::decide::tornado::scenario_tornado;
use crate::document::Workspace;
use crate::money::to_f64;
use crate::report::figures::{compare_chart, reconciliation_waterfall};
use crate::report::{Block, Column, Report, Row, Table};

use super::decision::{COLUMNS_PER_PART, TOP_RANGES};
use super::format::{lcpr, lcpr_change, lcpr_decimal, percent_change};
use super::risks::{OpenRisk, RiskScope, open_risks};
use super::tables::{
    components_table, load_tests_table, period_label, reconciliations_table, split_columns,
};
use super::{MemoSource, reference_scenario};

/// One workload's reconciled months.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadMonths<'a> {
    /// The latest reconciliation.
    pub this: &'a ReconciliationResult,
    /// The one before it, when there is one.
    pub last: Option<&'a ReconciliationResult>,
}

/// The latest and previous reconciliation of `workload`, by period end (then start; file order
/// breaks ties).
#[must_use]
pub fn workload_months<'a>(eval: &'a Evaluation, workload: &str) -> Option<WorkloadMonths<'a>> {
    let mut recs: Vec<&ReconciliationResult> = eval
        .reconciliations
        .iter()
        .filter(|r| r.workload == workload)
        .collect();
    recs.sort_by_key(|r| (r.period.end, r.period.start));
    let this = recs.pop()?;
    Some(WorkloadMonths {
        this,
        last: recs.pop(),
    })
}

/// Each loaded-cost component's change per accepted output from `last` to `this`, in the order
/// invoice, eval grading, human escalation, operations. They add up to the change in LCPR.
///
/// `None` when a division overflows (accepted outputs are > 0 in any computed reconciliation).
#[must_use]
pub fn component_moves(
    this: &TraceToMargin,
    last: &TraceToMargin,
) -> Option<[(&'static str, Decimal); 4]> {
    let per = |m: &TraceToMargin, v: Decimal| v.checked_div(m.input.accepted_units);
    let change = |a: Decimal, b: Decimal| Some(per(this, a)? - per(last, b)?);
    Some([
        (
            "Invoice",
            change(this.input.invoice_amount, last.input.invoice_amount)?,
        ),
        (
            "Eval grading",
            change(this.input.eval_cost, last.input.eval_cost)?,
        ),
        (
            "Human escalation",
            change(this.input.human_cost, last.input.human_cost)?,
        ),
        (
            "Operations",
            change(this.input.ops_cost, last.input.ops_cost)?,
        ),
    ])
}

fn largest_move(this: &TraceToMargin, last: &TraceToMargin) -> String {
    component_moves(this, last)
        .and_then(|moves| {
            moves
                .into_iter()
                .max_by(|a, b| a.1.abs().cmp(&b.1.abs()))
                .filter(|(_, v)| !v.is_zero())
        })
        .map_or_else(
            || "no component moved".to_owned(),
            |(label, v)| format!("{label} {} per accepted output", lcpr_change(to_f64(v))),
        )
}

/// LCPR per workload: the modelled LCPR of the scenario in service, and the reconciled LCPR
/// this month and last, with the change and the component that moved it most.
#[must_use]
pub fn lcpr_by_workload_table(ws: &Workspace, eval: &Evaluation) -> Table {
    let mut ids: Vec<&str> = ws.workloads.iter().map(|w| w.id.as_str()).collect();
    for r in &eval.reconciliations {
        if !ids.contains(&r.workload.as_str()) {
            ids.push(r.workload.as_str());
        }
    }
    let dash = || "—".to_owned();
    let rows = ids
        .into_iter()
        .map(|id| {
            let name = ws.workload(id).map_or(id, |w| w.name.as_str()).to_owned();
            let reference = reference_scenario(eval, id);
            let (in_service, modelled) = match reference {
                Some(s) => (
                    s.name.clone(),
                    s.cost.as_ref().map_or_else(dash, |c| lcpr(c.lcpr)),
                ),
                None => (dash(), dash()),
            };
            let months = workload_months(eval, id);
            let month = |r: Option<&ReconciliationResult>| {
                r.and_then(|r| {
                    r.result
                        .as_ref()
                        .map(|m| format!("{}\n{}", lcpr_decimal(m.lcpr), period_label(&r.period)))
                })
                .unwrap_or_else(dash)
            };
            let pair =
                months.and_then(|m| Some((m.this.result.as_ref()?, m.last?.result.as_ref()?)));
            let (change, driver) = match pair {
                Some((this, last)) => {
                    let (a, b) = (to_f64(this.lcpr), to_f64(last.lcpr));
                    let pct = if b == 0.0 {
                        String::new()
                    } else {
                        format!(" ({})", percent_change(a / b - 1.0))
                    };
                    (
                        format!("{}{pct}", lcpr_change(a - b)),
                        largest_move(this, last),
                    )
                }
                None => (dash(), dash()),
            };
            Row::new([
                name,
                in_service,
                modelled,
                month(months.map(|m| m.this)),
                month(months.and_then(|m| m.last)),
                change,
                driver,
            ])
        })
        .collect();
    Table {
        caption: Some("LCPR by workload, per accepted output".to_owned()),
        columns: vec![
            Column::text("Workload"),
            Column::text("Scenario in service"),
            Column::money("Modelled LCPR"),
            Column::money("This month"),
            Column::money("Last month"),
            Column::money("Change"),
            Column::text("Largest component move"),
        ],
        rows,
    }
}

/// The open risks of every workload as proposed actions with owners.
#[must_use]
pub fn actions_table(risks: &[OpenRisk]) -> Table {
    Table {
        caption: Some("Proposed actions".to_owned()),
        columns: vec![
            Column::text("Action"),
            Column::text("Owner"),
            Column::text("Why"),
        ],
        rows: risks
            .iter()
            .map(|r| {
                Row::new([
                    format!("{}: {}", r.subject, r.action),
                    r.owner.clone(),
                    r.finding.clone(),
                ])
            })
            .collect(),
    }
}

/// The review pack of the whole workspace.
#[must_use]
pub fn review_pack(ws: &Workspace, eval: &Evaluation, source: &MemoSource) -> Report {
    let mut blocks = Vec::new();
    blocks.extend(lcpr_section(ws, eval));
    blocks.extend(reconciliations_section(ws, eval));
    blocks.extend(cost_section(eval));
    blocks.extend(load_test_section(eval));
    blocks.extend(actions_section(ws, eval));
    Report {
        title: "Inference review pack".to_owned(),
        subtitle: ws.meta.title.clone(),
        meta: source.meta(&ws.meta.owner),
        blocks,
    }
}

fn lcpr_section(ws: &Workspace, eval: &Evaluation) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "LCPR by workload")];
    if eval.reconciliations.is_empty() {
        blocks.push(Block::paragraph(
            "The workspace has no reconciliations: reconciled LCPR, its change from last month \
             and the invoice checks cannot be shown. Only the modelled LCPR is given below; add \
             a trace-to-invoice reconciliation per workload and month.",
        ));
    } else {
        blocks.push(Block::paragraph(
            "This month is each workload's latest reconciled period and last month the one \
             before it. The change is split by loaded-cost component per accepted output; the \
             largest part is named.",
        ));
    }
    blocks.push(Block::Table(lcpr_by_workload_table(ws, eval)));
    blocks
}

fn reconciliations_section(ws: &Workspace, eval: &Evaluation) -> Vec<Block> {
    if eval.reconciliations.is_empty() {
        return Vec::new();
    }
    let mut recs: Vec<&ReconciliationResult> = eval.reconciliations.iter().collect();
    recs.sort_by_key(|r| (r.workload.clone(), r.period.end, r.period.start));
    let mut blocks = vec![Block::heading(1, "Reconciliations")];
    blocks.extend(
        split_columns(&reconciliations_table(&recs), 1, COLUMNS_PER_PART)
            .into_iter()
            .map(Block::Table),
    );
    let errors: Vec<String> = recs
        .iter()
        .filter_map(|r| {
            r.error
                .as_ref()
                .map(|e| format!("{} could not be reconciled: {e}.", r.id))
        })
        .collect();
    if !errors.is_empty() {
        blocks.push(Block::bullets(errors));
    }
    let mut workloads: Vec<&str> = recs.iter().map(|r| r.workload.as_str()).collect();
    workloads.dedup();
    for w in workloads {
        if let Some(months) = workload_months(eval, w)
            && let Some(m) = &months.this.result
        {
            let name = ws.workload(w).map_or(w, |x| x.name.as_str());
            blocks.push(Block::Chart(reconciliation_waterfall(
                &format!(
                    "From trace cost to loaded cost: {name}, {}",
                    period_label(&months.this.period)
                ),
                m,
            )));
        }
    }
    blocks
}

fn cost_section(eval: &Evaluation) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Cost breakdown by scenario")];
    let all: Vec<_> = eval.scenarios.iter().collect();
    if all.is_empty() {
        blocks.push(Block::paragraph(
            "The workspace has no scenarios, so there is no modelled breakdown.",
        ));
        return blocks;
    }
    if all.iter().all(|s| s.cost.is_none()) {
        blocks.push(Block::paragraph(
            "No scenario could be costed, so there is no modelled breakdown; the actions list \
             why.",
        ));
        return blocks;
    }
    if let Some(chart) = compare_chart(eval) {
        blocks.push(Block::Chart(chart));
    }
    blocks.extend(
        split_columns(&components_table(&all), 1, COLUMNS_PER_PART)
            .into_iter()
            .map(Block::Table),
    );
    blocks
}

fn load_test_section(eval: &Evaluation) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Load tests")];
    if eval.load_tests.is_empty() {
        blocks.push(Block::paragraph(
            "No load tests in this workspace: goodput under the SLOs has not been measured.",
        ));
        return blocks;
    }
    let tests: Vec<_> = eval.load_tests.iter().collect();
    blocks.push(Block::Table(load_tests_table(&tests)));
    blocks.push(Block::paragraph(
        "Goodput counts only requests that met every latency SLO and passed the quality gate; \
         the gaps in each test's method are listed under the actions.",
    ));
    blocks
}

fn actions_section(ws: &Workspace, eval: &Evaluation) -> Vec<Block> {
    let tornadoes: Vec<(String, Tornado)> = ws
        .workloads
        .iter()
        .filter_map(|w| reference_scenario(eval, &w.id))
        .filter(|s| s.cost.is_some())
        .filter_map(|s| {
            scenario_tornado(ws, &s.id)
                .ok()
                .map(|t| (s.name.clone(), t))
        })
        .collect();
    let risks = open_risks(
        ws,
        eval,
        &RiskScope {
            workloads: None,
            tornadoes: &tornadoes,
            top_ranges: TOP_RANGES,
        },
    );
    let mut blocks = vec![Block::heading(1, "Actions")];
    if risks.is_empty() {
        blocks.push(Block::paragraph(
            "No open risk calls for an action: no register entry is assumed or stale, no \
             reconciliation is beyond 5% and no load test has a methodology gap.",
        ));
    } else {
        blocks.push(Block::paragraph(
            "The workspace records no actions of its own; each open risk is proposed as an \
             action for its owner.",
        ));
        blocks.push(Block::Table(actions_table(&risks)));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::document::{Date, Period};
    /// The shipped workspace with one reconciled month (October): these tests add the
    /// September they need themselves.
    fn example() -> Workspace {
        let mut ws = crate::report::memo::tests::example();
        ws.reconciliations.retain(|r| r.id != "support-2026-09");
        ws
    }
    use crate::report::render_pdf;

    fn source() -> MemoSource {
        MemoSource::of_file(
            "w.yaml",
            b"x",
            Date::new(2026, 11, 23).unwrap_or(Date::EPOCH),
        )
    }

    fn with_september(mut ws: Workspace) -> Workspace {
        let mut sep = ws.reconciliations[0].clone();
        sep.id = "support-2026-09".into();
        sep.period = Period {
            start: Date::new(2026, 9, 1).unwrap_or(Date::EPOCH),
            end: Date::new(2026, 9, 30).unwrap_or(Date::EPOCH),
        };
        // September: human escalation $20,000 instead of $24,000, same volume.
        sep.human_cost = Decimal::new(20_000, 0);
        // Listed after October on purpose: months are ordered by period, not file order.
        ws.reconciliations.push(sep);
        ws
    }

    #[test]
    fn this_month_is_the_latest_period_and_its_driver_is_named() {
        let ws = with_september(example());
        let eval = evaluate(&ws);
        let months = workload_months(&eval, "support-chat").unwrap_or_else(|| panic!("months"));
        assert_eq!(months.this.id, "support-2026-10");
        assert_eq!(months.last.map(|r| r.id.as_str()), Some("support-2026-09"));
        let t = lcpr_by_workload_table(&ws, &eval);
        let row = &t.rows[0].cells;
        // October 31,204.80 / 344,000 = 0.090712; September 27,204.80 / 344,000 = 0.079084.
        assert_eq!(row[3], "$0.0907\n2026-10");
        assert_eq!(row[4], "$0.0791\n2026-09");
        // +0.011628 = 4,000 / 344,000, +14.7%.
        assert_eq!(row[5], "+$0.0116 (+14.7%)");
        assert_eq!(row[6], "Human escalation +$0.0116 per accepted output");
        assert_eq!(row[1], "Support on GPT-5.4 (today)");
    }

    #[test]
    fn component_moves_add_up_to_the_change_in_lcpr() {
        let mut ws = with_september(example());
        ws.reconciliations[1].accepted = Decimal::new(330_000, 0);
        ws.reconciliations[1].invoice_amount = Decimal::new(350_000, 2);
        let eval = evaluate(&ws);
        let this = eval.reconciliations[0].result.as_ref();
        let last = eval.reconciliations[1].result.as_ref();
        let (this, last) = this.zip(last).unwrap_or_else(|| panic!("reconciled"));
        let moves = component_moves(this, last).unwrap_or_else(|| panic!("moves"));
        let sum: Decimal = moves.iter().map(|(_, v)| *v).sum();
        assert!((sum - (this.lcpr - last.lcpr)).abs() < Decimal::new(1, 20));
    }

    #[test]
    fn a_single_month_has_no_change_and_no_reconciliation_is_said() {
        let ws = example();
        let eval = evaluate(&ws);
        let t = lcpr_by_workload_table(&ws, &eval);
        assert_eq!(t.rows[0].cells[4], "—");
        assert_eq!(t.rows[0].cells[5], "—");
        let mut ws = example();
        ws.reconciliations.clear();
        let eval = evaluate(&ws);
        let pack = review_pack(&ws, &eval, &source());
        let said = pack.blocks.iter().any(|b| match b {
            Block::Paragraph { spans } => spans
                .iter()
                .any(|s| s.text.starts_with("The workspace has no reconciliations")),
            _ => false,
        });
        assert!(said);
        assert!(render_pdf(&pack, &crate::report::memo::render_options()).is_ok());
    }

    #[test]
    fn every_seed_gets_a_pack_that_renders() {
        for (name, text) in [
            (
                "coding",
                include_str!("../../../../seeds/coding-agent-lifecycle.yaml"),
            ),
            (
                "rag",
                include_str!("../../../../seeds/rag-benchmark-audit.yaml"),
            ),
            (
                "daily",
                include_str!("../../../../seeds/support-answer-daily.yaml"),
            ),
            (
                "monthly",
                include_str!("../../../../seeds/support-answer-monthly.yaml"),
            ),
        ] {
            let ws = crate::document::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
            let eval = evaluate(&ws);
            let pack = review_pack(&ws, &eval, &source());
            let pdf = render_pdf(&pack, &crate::report::memo::render_options());
            assert!(pdf.is_ok_and(|p| p.starts_with(b"%PDF-")), "{name}");
        }
    }

    #[test]
    fn actions_carry_the_register_owners() {
        let ws = example();
        let eval = evaluate(&ws);
        let pack = review_pack(&ws, &eval, &source());
        let actions = pack.blocks.iter().find_map(|b| match b {
            Block::Table(t) if t.caption.as_deref() == Some("Proposed actions") => Some(t),
            _ => None,
        });
        let actions = actions.unwrap_or_else(|| panic!("actions"));
        let fireworks = actions
            .rows
            .iter()
            .find(|r| r.cells[0].starts_with("Prefix cache hit rate on Fireworks"))
            .unwrap_or_else(|| panic!("assumed entry"));
        assert_eq!(fireworks.cells[1], "Luis Ferreira");
    }
}
