//! Decision: the decision the workspace asks for, in the memo's own words — stay, move, or
//! move when the blocking gates clear — with its impact, ranges, probability, payback, what
//! would unblock each gate and the dominant lever.

use egui::{Grid, RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::decision::{DecisionStatement, Recommendation, decide};
use lcpr_core::document::Workspace;
use lcpr_core::report::chart::Chart;
use lcpr_core::report::memo::statement;

use super::{DocCache, RERUN_SECONDS, View, ViewContext};
use crate::gui::{theme, widgets};

/// The decision view; the statement is kept until the document changes (its ranges come from
/// the register's Monte Carlo, rerun no more often than the Uncertainty view's).
#[derive(Default)]
pub struct DecisionView {
    statement: DocCache<Result<DecisionStatement, String>>,
}

impl View for DecisionView {
    fn title(&self) -> &'static str {
        "Decision"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        None
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.doc.scenarios.is_empty() {
            widgets::empty_state(
                ui,
                "No decision yet",
                "Add the current route's scenario and a candidate: the decision compares them.",
            );
            return;
        }
        let (doc, eval) = (&*cx.doc, cx.eval);
        let now = ui.input(|i| i.time);
        let (statement, current) = self
            .statement
            .get(doc, now, || decide(doc, eval).map_err(|e| e.to_string()));
        if !current {
            ui.label(RichText::new("Updating the decision for your latest edits…").weak());
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(RERUN_SECONDS));
        }
        match statement {
            Err(e) => {
                ui.label(
                    RichText::new(format!("No decision can be stated: {e}"))
                        .color(theme::error_color(ui.visuals())),
                );
            }
            Ok(d) => {
                let color = match d.recommendation {
                    Recommendation::Stay | Recommendation::Move => ui.visuals().text_color(),
                    Recommendation::MoveWhen => theme::warn_color(ui.visuals()),
                };
                ui.label(RichText::new(statement::title(d)).heading().color(color));
                ui.add_space(4.0);
                ui.label(statement::paragraph(d));
                ui.add_space(8.0);
                Grid::new("decision-figures")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (k, v) in statement::figures(d) {
                            ui.label(RichText::new(k).strong());
                            ui.add(egui::Label::new(v).wrap());
                            ui.end_row();
                        }
                    });
                ui.add_space(6.0);
                ui.label(
                    RichText::new(format!("Current and candidate from the {}.", d.basis))
                        .small()
                        .weak(),
                );
            }
        }
    }
}
