//! Readiness: the six migration factors scored 1–3, the tier and timeline, and the gaps.

use egui::{RichText, Ui};
use lcpr_core::calc::readiness::{FACTORS, Factor, factor_label, factor_meaning, readiness};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::report::chart::Chart;

use super::{View, ViewContext};
use crate::gui::{theme, widgets};

/// The readiness view; the scores are part of the document.
pub struct ReadinessView;

impl View for ReadinessView {
    fn title(&self) -> &'static str {
        "Readiness"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        None
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.doc.readiness.is_empty() {
            widgets::empty_state(
                ui,
                "Not assessed yet",
                "Score the six factors to get a tier, a timeline and the gaps to close.",
            );
            ui.vertical_centered(|ui| {
                if ui.button("Start the assessment").clicked() {
                    cx.doc.readiness = FACTORS
                        .iter()
                        .map(|n| Factor {
                            name: (*n).to_owned(),
                            score: 2,
                        })
                        .collect();
                }
            });
            return;
        }
        egui::Grid::new("readiness-grid")
            .striped(true)
            .show(ui, |ui| {
                // Every score is a complexity: the header says so once, each label per factor.
                ui.strong("Factor (each scored 1 = simple … 3 = hard)");
                for head in ["1 simple", "2", "3 hard"] {
                    ui.strong(head);
                }
                ui.end_row();
                for f in &mut cx.doc.readiness {
                    ui.label(factor_label(&f.name));
                    let meaning = factor_meaning(&f.name);
                    for score in 1..=3 {
                        let r = ui.radio_value(&mut f.score, score, score.to_string());
                        if let Some((_, simple, hard)) = meaning {
                            match score {
                                1 => r.on_hover_text(format!("1: {simple} (simple)")),
                                3 => r.on_hover_text(format!("3: {hard} (hard)")),
                                _ => r.on_hover_text("2: in between"),
                            };
                        }
                    }
                    ui.end_row();
                }
            });
        match readiness(&cx.doc.readiness) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok(r) => {
                ui.add_space(8.0);
                ui.label(
                    RichText::new(format!(
                        "Score {} of 18: {:?}. Typical timeline {}–{} weeks.",
                        r.total_score, r.tier, r.timeline_weeks_min, r.timeline_weeks_max
                    ))
                    .heading(),
                );
                ui.label(&r.recommendation);
                widgets::section(ui, "Gaps to close first");
                if r.gaps.is_empty() {
                    ui.label("None found.");
                }
                for g in &r.gaps {
                    ui.label(
                        RichText::new(format!("• {g}")).color(theme::warn_color(ui.visuals())),
                    );
                }
            }
        }
    }
}
