//! The editor of the selected item: every field editable, units shown, broken rules marked.

mod attribution;
mod baseline;
mod contract_rate;
mod forecast;
mod incident;
mod load_test;
mod meta;
mod migration;
mod monthly_review;
mod rate_card;
mod reconciliation;
mod register;
mod route;
mod scenario;
mod simulation;
mod source;
mod trace_mapping;
mod workload;

use egui::{RichText, ScrollArea, Ui};
use lcpr_core::document::{Violation, Workspace};

use super::navigator::Selection;
use super::theme;

/// Shows the broken rules under `prefix` (e.g. `workloads[0]`).
fn problems(ui: &mut Ui, violations: &[Violation], prefix: &str) {
    let mine: Vec<&Violation> = violations
        .iter()
        .filter(|v| {
            v.path == prefix
                || v.path.starts_with(&format!("{prefix}."))
                || v.path.starts_with(&format!("{prefix}["))
        })
        .collect();
    for v in mine {
        ui.label(RichText::new(format!("⚠ {v}")).color(theme::error_color(ui.visuals())));
    }
}

/// Draws the editor for `selection`.
pub fn ui(ui: &mut Ui, ws: &mut Workspace, selection: &mut Selection, violations: &[Violation]) {
    ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let (prefix, title) = match *selection {
                Selection::Meta => (String::new(), "Workspace"),
                Selection::RateCard(i) => (format!("rate_cards[{i}]"), "Rate card"),
                Selection::Workload(i) => (format!("workloads[{i}]"), "Workload"),
                Selection::Route(i) => (format!("routes[{i}]"), "Route"),
                Selection::Scenario(i) => (format!("scenarios[{i}]"), "Scenario"),
                Selection::Baseline(i) => (format!("baselines[{i}]"), "Baseline"),
                Selection::Reconciliation(i) => (format!("reconciliations[{i}]"), "Reconciliation"),
                Selection::LoadTest(i) => (format!("load_tests[{i}]"), "Load test"),
                Selection::Register(i) => (format!("register[{i}]"), "Register entry"),
                Selection::ContractRate(i) => (format!("contract_rates[{i}]"), "Contract rate"),
                Selection::TraceMapping(i) => (format!("trace_mappings[{i}]"), "Trace mapping"),
                Selection::Migration => ("migration".to_owned(), "Migration case"),
                Selection::Forecast => ("forecast".to_owned(), "Forecast inputs"),
                Selection::Attribution => ("attribution".to_owned(), "Attribution inputs"),
                Selection::Incident(i) => (format!("incidents[{i}]"), "Incident"),
                Selection::MonthlyReview => ("monthly_review".to_owned(), "Monthly review inputs"),
                Selection::Simulation => ("simulation".to_owned(), "Simulation settings"),
            };
            ui.heading(title);
            if !prefix.is_empty() {
                problems(ui, violations, &prefix);
            }
            let shown = match *selection {
                Selection::Meta => {
                    meta::ui(ui, ws, violations);
                    true
                }
                Selection::RateCard(i) => rate_card::ui(ui, ws, i),
                Selection::Workload(i) => workload::ui(ui, ws, i),
                Selection::Route(i) => route::ui(ui, ws, i),
                Selection::Scenario(i) => scenario::ui(ui, ws, i),
                Selection::Baseline(i) => baseline::ui(ui, ws, i),
                Selection::Reconciliation(i) => reconciliation::ui(ui, ws, i),
                Selection::LoadTest(i) => load_test::ui(ui, ws, i),
                Selection::Register(i) => register::ui(ui, ws, i),
                Selection::ContractRate(i) => contract_rate::ui(ui, ws, i),
                Selection::TraceMapping(i) => trace_mapping::ui(ui, ws, i),
                Selection::Migration => migration::ui(ui, ws),
                Selection::Forecast => forecast::ui(ui, ws),
                Selection::Attribution => attribution::ui(ui, ws),
                Selection::Incident(i) => incident::ui(ui, ws, i),
                Selection::MonthlyReview => monthly_review::ui(ui, ws),
                Selection::Simulation => simulation::ui(ui, ws),
            };
            if !shown {
                *selection = Selection::Meta;
            }
        });
}

/// A list of (id, label) for choosers.
fn choices<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    items
        .map(|(id, name)| (id.to_owned(), format!("{name} ({id})")))
        .collect()
}
