//! A workload: volume, token shape, every rate that loads its cost, SLOs and quality floor.

use egui::Ui;
use lcpr_core::document::{BindingTarget, Rule, WorkloadField, Workspace};

use super::source;
use crate::gui::{theme, widgets};

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(id) = ws.workloads.get(i).map(|w| w.id.clone()) else {
        return false;
    };
    let infos: Vec<source::Info> = WorkloadField::ALL
        .iter()
        .map(|f| source::info(ws, BindingTarget::Workload, &id, f.name()))
        .collect();
    let mut picked = None;
    let Some(w) = ws.workloads.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut w.id);
    widgets::text(ui, "Name", &mut w.name);
    widgets::text(ui, "Accepted unit", &mut w.accepted_unit);
    widgets::section(ui, "Volume, tokens and rates");
    for (&field, info) in WorkloadField::ALL.iter().zip(&infos) {
        let mut v = w.get(field);
        let (changed, choice) =
            source::number(ui, info, field.label(), field.unit(), &mut v, field.rule());
        if changed {
            // The widget checked the rule; a refusal here would be a bug, and leaves the value.
            let _ = w.set(field, v);
        }
        picked = picked.or(choice);
    }
    widgets::section(ui, "Token distribution");
    let t = &mut w.tokens;
    widgets::optional_number(
        ui,
        "in50",
        "Input p50",
        "tokens",
        &mut t.input_p50,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "in95",
        "Input p95",
        "tokens",
        &mut t.input_p95,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "out50",
        "Output p50",
        "tokens",
        &mut t.output_p50,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "out95",
        "Output p95",
        "tokens",
        &mut t.output_p95,
        Rule::NonNegative,
    );
    widgets::section(ui, "Service levels and quality");
    widgets::number(
        ui,
        "ttft",
        "TTFT objective",
        "ms",
        &mut w.slo.ttft_ms,
        Rule::Positive,
    );
    widgets::number(
        ui,
        "tpot",
        "TPOT objective",
        "ms",
        &mut w.slo.tpot_ms,
        Rule::Positive,
    );
    widgets::optional_number(
        ui,
        "e2e",
        "End-to-end objective",
        "ms (empty: none)",
        &mut w.slo.e2e_ms,
        Rule::Positive,
    );
    widgets::number(
        ui,
        "floor",
        "Quality floor",
        "share",
        &mut w.quality_floor,
        Rule::Fraction,
    );
    widgets::notes(ui, "Notes", &mut w.notes);
    if let Some(err) = source::apply(ws, picked) {
        ui.label(egui::RichText::new(format!("⚠ {err}")).color(theme::error_color(ui.visuals())));
    }
    true
}
