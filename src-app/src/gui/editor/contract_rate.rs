//! A contracted rate: the price per meter a contract sets for a model from a date, against
//! which invoice lines are checked.

use egui::Ui;
use lcpr_core::document::Workspace;
use lcpr_core::document::contracts::Meter;

use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(r) = ws.contract_rates.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Provider", &mut r.provider);
    widgets::text(ui, "Model", &mut r.model);
    let meters: Vec<(Meter, String)> = Meter::ALL
        .iter()
        .map(|m| (*m, m.name().replace('_', " ")))
        .collect();
    widgets::choice(ui, "meter", "Meter", &mut r.meter, &meters);
    let unit = if r.meter.is_tokens() {
        "$ per M tokens"
    } else {
        "$ per GPU-hour"
    };
    widgets::money(ui, "rate", "Rate", unit, &mut r.rate);
    widgets::date(ui, "from", "In force from", &mut r.effective_from);
    match &mut r.effective_to {
        Some(to) => {
            widgets::date(ui, "to", "Until", to);
            if ui.button("Remove the end date").clicked() {
                r.effective_to = None;
            }
        }
        None => {
            ui.label("In force until a later rate for the same meter takes over.");
            if ui.button("Set an end date").clicked() {
                r.effective_to = Some(r.effective_from);
            }
        }
    }
    widgets::text(ui, "Source", &mut r.source);
    true
}
