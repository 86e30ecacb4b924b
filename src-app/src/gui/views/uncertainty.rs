//! Uncertainty: Monte Carlo over the register — each scenario's LCPR and monthly cost as a
//! P10–P90 range, how likely one scenario beats another, and which entries drive the spread.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::monte_carlo::register::{RegisterSimulation, simulate_register};
use lcpr_core::document::Workspace;
use lcpr_core::money::format_usd;
use lcpr_core::report::chart::Chart;

use super::{DocCache, RERUN_SECONDS, View, ViewContext};
use crate::gui::{theme, widgets};

/// The uncertainty view; the run is kept until the document changes.
#[derive(Default)]
pub struct UncertaintyView {
    run: DocCache<Result<RegisterSimulation, String>>,
}

impl View for UncertaintyView {
    fn title(&self) -> &'static str {
        "Uncertainty"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        None
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.doc.scenarios.is_empty() {
            widgets::empty_state(
                ui,
                "No scenarios yet",
                "Ranges come from sampling the register's bound entries.",
            );
            return;
        }
        if !cx.doc.register.iter().any(|e| e.binds.is_some()) {
            widgets::empty_state(
                ui,
                "No ranges to show",
                "Every input is a single typed number: give register entries a low and a high \
                 and bind them to the inputs they describe, and their spread shows here.",
            );
            return;
        }
        let now = ui.input(|i| i.time);
        let doc = &*cx.doc;
        let (run, current) = self.run.get(doc, now, || {
            simulate_register(doc, doc.simulation.draws, doc.simulation.seed)
                .map_err(|e| e.to_string())
        });
        if !current {
            ui.label(RichText::new("Updating the ranges for your latest edits…").weak());
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(RERUN_SECONDS));
        }
        match run {
            Err(e) => {
                ui.label(RichText::new(e).color(theme::error_color(ui.visuals())));
            }
            Ok(sim) => {
                ui.label(RichText::new(format!("{} draws of every bound register entry, seed {} (set under simulation in the file).", sim.draws, sim.seed)).weak());
                egui::Grid::new("mc-ranges").striped(true).show(ui, |ui| {
                    for h in [
                        "Scenario",
                        "LCPR P10",
                        "P50",
                        "P90",
                        "Monthly P10",
                        "P50",
                        "P90",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for s in &sim.scenarios {
                        ui.label(&s.name);
                        for v in [s.lcpr.p10, s.lcpr.p50, s.lcpr.p90] {
                            ui.label(format_usd(v, 4));
                        }
                        for v in [s.monthly_cost.p10, s.monthly_cost.p50, s.monthly_cost.p90] {
                            ui.label(format_usd(v, 0));
                        }
                        ui.end_row();
                    }
                });
                widgets::section(ui, "Probability of the lower LCPR");
                egui::Grid::new("mc-beats").striped(true).show(ui, |ui| {
                    // Each pair once: "B beats A" is one minus "A beats B".
                    let mut shown: Vec<(&str, &str)> = Vec::new();
                    for b in &sim.beats {
                        if shown.contains(&(b.versus.as_str(), b.scenario.as_str())) {
                            continue;
                        }
                        shown.push((b.scenario.as_str(), b.versus.as_str()));
                        let name = |id: &str| {
                            doc.scenario(id)
                                .map_or_else(|| id.to_owned(), |s| s.name.clone())
                        };
                        ui.label(format!(
                            "{} is cheaper per accepted output than {}",
                            name(&b.scenario),
                            name(&b.versus)
                        ));
                        ui.label(format!("{:.1}%", b.probability * 100.0));
                        ui.end_row();
                    }
                });
                widgets::section(ui, "What drives the spread (rank correlation with LCPR)");
                egui::Grid::new("mc-rho").striped(true).show(ui, |ui| {
                    for c in sim
                        .correlations
                        .iter()
                        .filter(|c| c.rho.is_some_and(|r| r.abs() >= 0.1))
                    {
                        ui.label(&c.label);
                        ui.label(&c.scenario);
                        ui.label(format!("{:+.2}", c.rho.unwrap_or(0.0)));
                        ui.end_row();
                    }
                });
            }
        }
    }
}
