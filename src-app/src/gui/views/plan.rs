//! Plan: a mix scenario's cost curve over its decision variable with the optimum marked, a
//! cascade's stage funnel (requests → accepted at each stage, cost at each stage) and the
//! hourly demand with the reserved pool's capacity drawn over it.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::plan::{Plan, plan};
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::memo::format::count;
use lcpr_core::report::plan_chart::{
    break_even_sentences, cost_curve_chart, demand_chart, funnel_chart, optimum_sentence,
    point_text,
};

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The plan view.
#[derive(Default)]
pub struct PlanView {
    scenario: Option<String>,
    cached: Option<(Workspace, String, Result<Plan, String>)>,
}

fn mixes(doc: &Workspace) -> Vec<(String, String)> {
    doc.scenarios
        .iter()
        .filter(|s| s.mix.is_some())
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect()
}

impl PlanView {
    fn plan(&mut self, doc: &Workspace, scenario: &str) -> Result<Plan, String> {
        if let Some((d, s, p)) = &self.cached
            && d == doc
            && s == scenario
        {
            return p.clone();
        }
        let p = plan(doc, scenario).map_err(|e| e.to_string());
        self.cached = Some((doc.clone(), scenario.to_owned(), p.clone()));
        p
    }
}

impl View for PlanView {
    fn title(&self) -> &'static str {
        "Plan"
    }

    fn choose_scenario(&mut self, id: &str) -> bool {
        self.scenario = Some(id.to_owned());
        true
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        let id = self
            .scenario
            .clone()
            .filter(|id| doc.scenario(id).is_some_and(|s| s.mix.is_some()))
            .or_else(|| mixes(doc).first().map(|(id, _)| id.clone()))?;
        self.plan(doc, &id).ok().map(|p| cost_curve_chart(&p))
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let options = mixes(cx.doc);
        if options.is_empty() {
            widgets::empty_state(
                ui,
                "No scenario with a mix",
                "Give a scenario a split, cascade, reserved + overflow pool or batch lane (its mix) to see its cost curve and optimum.",
            );
            return;
        }
        let Some(id) = pick(
            ui,
            "plan-scenario",
            "Scenario",
            &mut self.scenario,
            &options,
        ) else {
            return;
        };
        let doc: &Workspace = cx.doc;
        let p = match self.plan(doc, &id) {
            Ok(p) => p,
            Err(e) => {
                ui.label(RichText::new(e).color(theme::error_color(ui.visuals())));
                return;
            }
        };
        ui.label(RichText::new(optimum_sentence(&p)).strong());
        ui.label(format!("As it stands: {}", point_text(&p.current)));
        for line in break_even_sentences(&p) {
            ui.label(line);
        }
        plot::show(ui, "plan-curve", &cost_curve_chart(&p), theme::CHART_HEIGHT);
        if let Some(chart) = demand_chart(&p) {
            if let Some(f) = &p.pool {
                ui.label(format!(
                    "The pool serves {:.1}% of the month's requests; the peak hour needs {} GPU{}.",
                    100.0 * f.served_share,
                    f.peak_gpus,
                    if f.peak_gpus == 1.0 { "" } else { "s" }
                ));
            }
            plot::show(ui, "plan-demand", &chart, theme::CHART_HEIGHT);
        }
        plot::show(ui, "plan-funnel", &funnel_chart(&p), theme::CHART_HEIGHT);
        egui::Grid::new("plan-parts").striped(true).show(ui, |ui| {
            for h in [
                "Part",
                "Route",
                "Requests/mo",
                "Accepted/mo",
                "Escalated/mo",
                "Judge",
                "Monthly cost",
            ] {
                widgets::header(ui, h);
            }
            ui.end_row();
            for part in &p.parts {
                ui.label(part.role.label());
                ui.label(&part.route);
                ui.label(count(part.requests));
                ui.label(count(part.accepted));
                ui.label(count(part.escalated));
                ui.label(format_usd(to_f64(part.judge_cost), 2));
                ui.label(format_usd(to_f64(part.monthly_cost), 2));
                ui.end_row();
            }
        });
        ui.add_space(8.0);
        egui::Grid::new("plan-singles")
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    "Single route it could choose",
                    "LCPR",
                    "Monthly cost",
                    "Feasible",
                ] {
                    widgets::header(ui, h);
                }
                ui.end_row();
                for c in &p.singles {
                    ui.label(&c.label);
                    ui.label(format_usd(c.point.lcpr, 4));
                    ui.label(format_usd(to_f64(c.point.monthly_cost), 2));
                    ui.label(
                        c.point
                            .infeasible_because
                            .clone()
                            .unwrap_or_else(|| "yes".to_owned()),
                    );
                    ui.end_row();
                }
            });
        for n in &p.notes {
            ui.label(RichText::new(n).weak());
        }
    }
}
