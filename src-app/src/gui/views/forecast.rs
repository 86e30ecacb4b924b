//! Forecast: next quarter's cost by named scenario as a fan chart and a table of ranges, with
//! each input's evidence.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::forecast::{Forecast, forecast};
use lcpr_core::document::forecast::ForecastInput;
use lcpr_core::document::{Simulation, Workspace};
use lcpr_core::money::format_usd;
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::forecast_fan_chart;

use super::{View, ViewContext};
use crate::gui::{plot, theme, widgets};

/// What a forecast run depends on: the forecast section and the simulation settings, nothing
/// else of the document (so editing a workload does not rerun the draws).
type ForecastKey = (Option<ForecastInput>, Simulation);

/// The forecast view; the run is kept until its inputs change.
#[derive(Default)]
pub struct ForecastView {
    cached: Option<(ForecastKey, Option<Result<Forecast, String>>)>,
}

impl ForecastView {
    fn run(&mut self, doc: &Workspace) -> Option<Result<Forecast, String>> {
        if let Some(((f, sim), r)) = &self.cached
            && *f == doc.forecast
            && *sim == doc.simulation
        {
            return r.clone();
        }
        let r = doc.forecast.as_ref().map(|f| {
            forecast(f, doc.simulation.draws, doc.simulation.seed).map_err(|e| e.to_string())
        });
        self.cached = Some(((doc.forecast.clone(), doc.simulation), r.clone()));
        r
    }
}

impl View for ForecastView {
    fn title(&self) -> &'static str {
        "Forecast"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        self.run(doc)?.ok().map(|f| forecast_fan_chart(&f))
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        match self.run(cx.doc) {
            None => {
                widgets::empty_state(
                    ui,
                    "No forecast yet",
                    "A forecast holds each workload's cost drivers with ranges and the planned changes.",
                );
                cx.select = crate::gui::sections::add_button(
                    ui,
                    cx.doc,
                    crate::gui::sections::Section::Forecast,
                );
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(theme::error_color(ui.visuals())));
            }
            Some(Ok(f)) => {
                plot::show(
                    ui,
                    "forecast-fan",
                    &forecast_fan_chart(&f),
                    theme::CHART_HEIGHT,
                );
                egui::Grid::new("forecast-table")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in [
                            "Scenario",
                            "Quarter at base",
                            "P10",
                            "P50",
                            "P90",
                            "LCPR P10–P90",
                            "Measured inputs",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for s in &f.scenarios {
                            ui.label(&s.name);
                            ui.label(format_usd(s.quarterly_cost_at_base, 0));
                            ui.label(format_usd(s.quarterly_cost.p10, 0));
                            ui.label(format_usd(s.quarterly_cost.p50, 0));
                            ui.label(format_usd(s.quarterly_cost.p90, 0));
                            ui.label(format!(
                                "{} – {}",
                                format_usd(s.lcpr.p10, 4),
                                format_usd(s.lcpr.p90, 4)
                            ));
                            ui.label(format!("{} of {}", s.measured_inputs, s.inputs.len()));
                            ui.end_row();
                        }
                    });
                widgets::section(ui, "Inputs and their evidence");
                if let Some(s) = f.scenarios.iter().max_by_key(|s| s.inputs.len()) {
                    egui::Grid::new("forecast-inputs")
                        .striped(true)
                        .show(ui, |ui| {
                            for e in &s.inputs {
                                ui.label(&e.description);
                                let v = |x: f64| {
                                    lcpr_core::report::memo::format::forecast_value(&e.id, x)
                                };
                                ui.label(format!("{} ({} – {})", v(e.base), v(e.low), v(e.high)));
                                let text = RichText::new(e.status.label());
                                ui.label(if e.measured {
                                    text
                                } else {
                                    text.color(theme::warn_color(ui.visuals()))
                                });
                                ui.end_row();
                            }
                        });
                }
            }
        }
    }
}
