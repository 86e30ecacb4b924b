//! Gates: the migration decision gate by gate with its evidence, the baseline against the
//! candidate, and the readiness score.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::gates::Outcome;
use lcpr_core::decide::migration::assess;
use lcpr_core::document::Workspace;
use lcpr_core::report::chart::Chart;

use super::{View, ViewContext};
use crate::gui::{theme, widgets};

/// The gates view.
pub struct GatesView;

impl View for GatesView {
    fn title(&self) -> &'static str {
        "Gates"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        None
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.doc.migration.is_none() {
            widgets::empty_state(
                ui,
                "No migration case yet",
                "A migration case names the current and candidate scenarios and the evidence each gate weighs.",
            );
            cx.select = crate::gui::sections::add_button(
                ui,
                cx.doc,
                crate::gui::sections::Section::Migration,
            );
            return;
        }
        match assess(cx.doc, cx.eval) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok(a) => {
                ui.label(RichText::new(&a.gates.summary).heading());
                for g in &a.gates.gates {
                    ui.add_space(4.0);
                    ui.horizontal(|ui| {
                        let (text, color) = match g.outcome {
                            Outcome::Pass => ("PASS", ui.visuals().text_color()),
                            Outcome::Conditional => {
                                ("CONDITIONAL", theme::warn_color(ui.visuals()))
                            }
                            Outcome::Fail => ("FAIL", theme::error_color(ui.visuals())),
                        };
                        ui.label(RichText::new(text).color(color).strong());
                        ui.label(RichText::new(g.gate.label()).strong());
                    });
                    ui.label(&g.evidence);
                }
                if let Some(c) = &a.comparison {
                    widgets::section(
                        ui,
                        &format!(
                            "Baseline {} against the candidate",
                            a.baseline.as_deref().unwrap_or("")
                        ),
                    );
                    ui.label(RichText::new(format!("Latency: {}", a.latency_source)).weak());
                    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
                        for h in ["Metric", "Baseline", "Candidate", "Change", "Direction"] {
                            widgets::header(ui, h);
                        }
                        ui.end_row();
                        for d in &c.deltas {
                            for cell in lcpr_core::report::memo::format::metric_delta_row(d) {
                                ui.label(cell);
                            }
                            ui.end_row();
                        }
                    });
                }
                if let Ok(r) = lcpr_core::calc::readiness::readiness(&cx.doc.readiness) {
                    widgets::section(ui, "Readiness");
                    ui.label(format!(
                        "{} of 18: {:?}, {}–{} weeks.",
                        r.total_score, r.tier, r.timeline_weeks_min, r.timeline_weeks_max
                    ));
                }
            }
        }
    }
}
