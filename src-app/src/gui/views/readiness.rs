//! Readiness: the six migration factors scored 1–3, the tier and timeline, and the gaps.

use egui::{RichText, Ui};
use lcpr_core::calc::readiness::{FACTORS, Factor, readiness};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::report::chart::Chart;

use super::{View, ViewContext};
use crate::gui::{theme, widgets};

/// The readiness view; the scores are part of the document.
pub struct ReadinessView;

fn factor_label(name: &str) -> &'static str {
    match name {
        "workload_count" => "Workloads to move (1 one, 3 many)",
        "prompt_portability" => "Prompt portability (1 portable, 3 model-specific)",
        "quality_infrastructure" => "Quality infrastructure (1 none, 3 mature)",
        "latency_sensitivity" => "Latency sensitivity (1 relaxed, 3 tight)",
        "team_maturity" => "Serving expertise (1 none, 3 deep)",
        "integration_depth" => "Integration depth (1 shallow, 3 deep)",
        _ => "Unknown factor",
    }
}

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
                for f in &mut cx.doc.readiness {
                    ui.label(factor_label(&f.name));
                    for score in 1..=3 {
                        ui.radio_value(&mut f.score, score, score.to_string());
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
