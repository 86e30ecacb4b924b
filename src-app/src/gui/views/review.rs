//! Review: LCPR by workload this month against last, the change split into its drivers, and
//! the period's incidents.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::monthly_review::workspace_review;
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::review_waterfall;

use super::{View, ViewContext};
use crate::gui::{plot, theme, widgets};

/// The review view.
#[derive(Default)]
pub struct ReviewView {
    row: usize,
}

impl View for ReviewView {
    fn title(&self) -> &'static str {
        "Review"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        let r = workspace_review(doc).ok()??.review;
        r.rows
            .get(self.row)
            .or_else(|| r.rows.first())
            .map(review_waterfall)
    }

    fn headline(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<String> {
        let r = workspace_review(doc).ok()??.review;
        let row = r.rows.get(self.row).or_else(|| r.rows.first())?;
        Some(format!("{}: {}", row.workload, row.explanation))
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let review = workspace_review(cx.doc);
        if matches!(review, Ok(None)) && cx.doc.incidents.is_empty() {
            widgets::empty_state(
                ui,
                "Nothing to review yet",
                "Import invoices for two periods of a workload (File → Import invoice…) to \
                 review this month against last, type the two months' figures, or record an incident.",
            );
            ui.horizontal(|ui| {
                cx.select = crate::gui::sections::add_button(
                    ui,
                    cx.doc,
                    crate::gui::sections::Section::MonthlyReview,
                )
                .or(crate::gui::sections::add_button(
                    ui,
                    cx.doc,
                    crate::gui::sections::Section::Incidents,
                ));
            });
            return;
        }
        match review {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok(None) => {}
            Ok(Some(w)) => {
                let r = &w.review;
                for (i, row) in r.rows.iter().enumerate() {
                    ui.add_space(4.0);
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut self.row, i, RichText::new(&row.workload).strong());
                        ui.label(format!(
                            "LCPR {} this month, {} last month ({})",
                            format_usd(row.lcpr_this_month, 4),
                            format_usd(row.lcpr_last_month, 4),
                            row.delta_pct.map_or(format_usd(row.delta, 4), |p| format!(
                                "{:+.1}%",
                                p * 100.0
                            ))
                        ));
                    });
                    ui.label(&row.explanation);
                    if let Some(src) = w.source_of(&row.workload) {
                        ui.label(RichText::new(src).small().weak());
                    }
                }
                if let Some(row) = r.rows.get(self.row) {
                    plot::show(
                        ui,
                        "review-waterfall",
                        &review_waterfall(row),
                        theme::CHART_HEIGHT,
                    );
                }
            }
        }
        if !cx.doc.incidents.is_empty() {
            widgets::section(ui, "Incidents");
            egui::Grid::new("incidents").striped(true).show(ui, |ui| {
                for h in ["Incident", "Category", "Total cost", "Blast radius"] {
                    widgets::header(ui, h);
                }
                ui.end_row();
                for i in &cx.doc.incidents {
                    match lcpr_core::decide::incidents::incident_cost(i) {
                        Ok(c) => {
                            ui.label(&c.name);
                            ui.label(c.category.name().replace('_', " "));
                            ui.label(format_usd(to_f64(c.total_cost), 2));
                            ui.label(format!(
                                "{} requests",
                                lcpr_core::report::memo::format::count(c.blast_radius_requests)
                            ));
                        }
                        Err(e) => {
                            ui.label(&i.name);
                            ui.label(
                                RichText::new(e.to_string())
                                    .color(theme::error_color(ui.visuals())),
                            );
                        }
                    }
                    ui.end_row();
                }
            });
        }
    }
}
