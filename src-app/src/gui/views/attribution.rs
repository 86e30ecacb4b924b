//! Attribution: the shared bill split across teams by the four modes side by side, with the
//! spread between modes and the fine-tune charges.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;

use super::{View, ViewContext};
use crate::gui::{theme, widgets};

/// The attribution view.
pub struct AttributionView;

impl View for AttributionView {
    fn title(&self) -> &'static str {
        "Attribution"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        None
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let Some(input) = &cx.doc.attribution else {
            widgets::empty_state(
                ui,
                "No shared bill to split",
                "An attribution splits a shared bill across teams by their usage, above a fixed floor.",
            );
            cx.select = crate::gui::sections::add_button(
                ui,
                cx.doc,
                crate::gui::sections::Section::Attribution,
            );
            return;
        };
        match lcpr_core::decide::attribution::attribute(input) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok(a) => {
                let m = |d| format_usd(to_f64(d), 2);
                ui.label(RichText::new(format!(
                    "Bill {} ({} fixed floor). Every mode adds up to the bill to the cent; {} of it ({:.1}%) depends on the choice of mode.",
                    m(a.bill_total),
                    m(a.platform_fixed_cost),
                    m(a.contested_by_mode),
                    a.contested_share * 100.0
                )).strong());
                egui::Grid::new("attribution").striped(true).show(ui, |ui| {
                    for h in [
                        "Team",
                        "Uniform",
                        "Proportional",
                        "Weighted",
                        "Hybrid",
                        "Spread",
                    ] {
                        widgets::header(ui, h);
                    }
                    ui.end_row();
                    for t in &a.comparison {
                        ui.label(&t.team_name);
                        for v in [t.uniform, t.proportional, t.weighted, t.hybrid, t.spread] {
                            ui.label(m(v));
                        }
                        ui.end_row();
                    }
                    ui.label(RichText::new("Total").strong());
                    for mode in &a.modes {
                        ui.label(
                            RichText::new(m(mode.teams.iter().map(|t| t.allocation).sum()))
                                .strong(),
                        );
                    }
                    ui.end_row();
                });
                if !a.fine_tune_charges.is_empty() {
                    widgets::section(ui, "Fine-tune charges");
                    for c in &a.fine_tune_charges {
                        ui.label(format!(
                            "{} → {}: {}",
                            c.fine_tune_id,
                            c.team_id,
                            m(c.amount)
                        ));
                    }
                }
            }
        }
    }
}
