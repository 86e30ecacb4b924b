//! Sensitivity: the register tornado of a scenario's LCPR, bars sorted by swing, and the
//! dominant lever named.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::tornado::Tornado;
use lcpr_core::decide::tornado::{entry_label, scenario_tornado};
use lcpr_core::document::{ScenarioStatus, Workspace};
use lcpr_core::money::format_usd;
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::tornado_chart;

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The sensitivity view.
#[derive(Default)]
pub struct Sensitivity {
    scenario: Option<String>,
    cached: Option<(Workspace, String, Result<Tornado, String>)>,
}

fn default_scenario(doc: &Workspace) -> Option<String> {
    doc.scenarios
        .iter()
        .find(|s| s.status == ScenarioStatus::Proposed)
        .or_else(|| doc.scenarios.first())
        .map(|s| s.id.clone())
}

impl Sensitivity {
    fn tornado(&mut self, doc: &Workspace, scenario: &str) -> Result<Tornado, String> {
        if let Some((d, s, t)) = &self.cached
            && d == doc
            && s == scenario
        {
            return t.clone();
        }
        let t = scenario_tornado(doc, scenario).map_err(|e| e.to_string());
        self.cached = Some((doc.clone(), scenario.to_owned(), t.clone()));
        t
    }
}

/// The sentence that names the dominant lever.
#[must_use]
pub fn dominant_sentence(doc: &Workspace, t: &Tornado) -> String {
    match (&t.dominant, t.dominant_share, t.bars.first()) {
        (Some(id), Some(share), Some(bar)) => format!(
            "The dominant lever is {}: across its range LCPR moves from {} to {}, {:.0}% of the total swing.",
            entry_label(doc, id),
            format_usd(bar.output_at_low.min(bar.output_at_high), 4),
            format_usd(bar.output_at_low.max(bar.output_at_high), 4),
            share * 100.0
        ),
        _ => "No register entry moves LCPR for this scenario.".to_owned(),
    }
}

impl View for Sensitivity {
    fn title(&self) -> &'static str {
        "Sensitivity"
    }

    fn choose_scenario(&mut self, id: &str) -> bool {
        self.scenario = Some(id.to_owned());
        true
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        let id = self.scenario.clone().or_else(|| default_scenario(doc))?;
        let name = doc.scenario(&id)?.name.clone();
        self.tornado(doc, &id)
            .ok()
            .map(|t| tornado_chart(doc, &name, &t))
    }

    fn headline(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<String> {
        let id = self.scenario.clone().or_else(|| default_scenario(doc))?;
        self.tornado(doc, &id)
            .ok()
            .map(|t| dominant_sentence(doc, &t))
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.doc.scenarios.is_empty() {
            widgets::empty_state(
                ui,
                "No scenarios yet",
                "A tornado needs a scenario and register entries bound to its inputs.",
            );
            return;
        }
        if self.scenario.is_none() {
            self.scenario = default_scenario(cx.doc);
        }
        let options: Vec<(String, String)> = cx
            .doc
            .scenarios
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        let Some(id) = pick(
            ui,
            "sens-scenario",
            "Scenario",
            &mut self.scenario,
            &options,
        ) else {
            return;
        };
        let doc: &Workspace = cx.doc;
        match self.tornado(doc, &id) {
            Err(e) => {
                ui.label(RichText::new(e).color(theme::error_color(ui.visuals())));
            }
            Ok(t) => {
                ui.label(RichText::new(dominant_sentence(doc, &t)).strong());
                let name = doc.scenario(&id).map_or(id.clone(), |s| s.name.clone());
                let chart = tornado_chart(doc, &name, &t);
                plot::show(ui, "tornado", &chart, theme::CHART_HEIGHT);
                if let lcpr_core::report::chart::ChartData::Tornado(c) = &chart.data
                    && !c.no_swing.is_empty()
                {
                    ui.label(
                        RichText::new(format!(
                            "Not drawn, as they do not move this scenario's LCPR: {}.",
                            c.no_swing.join("; ")
                        ))
                        .weak(),
                    );
                }
                egui::Grid::new("tornado-table")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in [
                            "Register entry",
                            "Evidence",
                            "Low",
                            "High",
                            "LCPR at low",
                            "LCPR at high",
                            "Swing",
                        ] {
                            widgets::header(ui, h);
                        }
                        ui.end_row();
                        for b in &t.bars {
                            let entry = doc.register.iter().find(|e| e.id == b.input);
                            ui.label(entry_label(doc, &b.input));
                            ui.label(entry.map_or("", |e| e.status.label()));
                            let value = |v: f64| {
                                entry.map_or_else(
                                    || lcpr_core::report::memo::format::number(v, 4),
                                    |e| lcpr_core::report::memo::format::register_value(e, v),
                                )
                            };
                            ui.label(value(b.low));
                            ui.label(value(b.high));
                            ui.label(format_usd(b.output_at_low, 4));
                            ui.label(format_usd(b.output_at_high, 4));
                            ui.label(format_usd(b.swing, 4));
                            ui.end_row();
                        }
                    });
            }
        }
    }
}
