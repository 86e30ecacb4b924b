//! A reconciliation: one period's trace cost, invoice, eval, human and ops costs, attempts,
//! accepted outputs and revenue.

use egui::Ui;
use lcpr_core::document::Workspace;

use super::choices;
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let workloads = choices(
        ws.workloads
            .iter()
            .map(|w| (w.id.as_str(), w.name.as_str())),
    );
    let Some(r) = ws.reconciliations.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut r.id);
    widgets::choice(ui, "workload", "Workload", &mut r.workload, &workloads);
    widgets::date(ui, "start", "Period start", &mut r.period.start);
    widgets::date(ui, "end", "Period end", &mut r.period.end);
    widgets::money(ui, "trace", "Trace-derived cost", "$", &mut r.trace_cost);
    widgets::money(ui, "invoice", "Invoice", "$", &mut r.invoice_amount);
    widgets::money(ui, "eval", "Eval grading", "$", &mut r.eval_cost);
    widgets::money(ui, "human", "Human escalation", "$", &mut r.human_cost);
    widgets::money(ui, "ops", "Operations", "$", &mut r.ops_cost);
    widgets::money(ui, "attempts", "Attempts", "requests", &mut r.attempts);
    widgets::money(ui, "accepted", "Accepted", "outputs", &mut r.accepted);
    widgets::money(
        ui,
        "revenue",
        "Revenue per accepted output",
        "$",
        &mut r.revenue_per_unit,
    );
    widgets::notes(ui, "Notes", &mut r.notes);
    true
}
