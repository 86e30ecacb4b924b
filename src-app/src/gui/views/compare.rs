//! Compare: LCPR per scenario as stacked bars of its components, a sortable table, and the
//! cheapest route named.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::compare_chart;

use super::{View, ViewContext};
use crate::gui::{plot, theme, widgets};

const COLUMNS: [&str; 10] = [
    "Scenario",
    "Route kind",
    "Status",
    "Raw token cost",
    "Cache-adjusted cost",
    "Retry rate",
    "Quality pass rate",
    "Accepted outcome rate",
    "LCPR",
    "Monthly cost",
];

/// The compare view.
#[derive(Default)]
pub struct Compare {
    sort: Option<(usize, bool)>,
}

struct Row {
    cells: [String; 10],
    keys: [f64; 10],
    cheapest: bool,
}

fn rows(eval: &Evaluation) -> Vec<Row> {
    let cheapest: Vec<&str> = eval.cheapest.iter().map(|c| c.scenario.as_str()).collect();
    eval.scenarios
        .iter()
        .map(|s| {
            let kind = s.route_kind.map_or("?", |k| k.label()).to_owned();
            let status = format!("{:?}", s.status).to_lowercase();
            match &s.cost {
                Some(c) => Row {
                    cells: [
                        s.name.clone(),
                        kind,
                        status,
                        format_usd(to_f64(c.raw_token_cost), 2),
                        format_usd(to_f64(c.cache_adjusted_token_cost), 2),
                        format!("{:.1}%", c.retry_rate * 100.0),
                        format!("{:.1}%", c.quality_pass_rate * 100.0),
                        format!("{:.1}%", c.accepted_outcome_rate * 100.0),
                        format_usd(c.lcpr, 4),
                        format_usd(to_f64(c.monthly_cost), 2),
                    ],
                    keys: [
                        0.0,
                        0.0,
                        0.0,
                        to_f64(c.raw_token_cost),
                        to_f64(c.cache_adjusted_token_cost),
                        c.retry_rate,
                        c.quality_pass_rate,
                        c.accepted_outcome_rate,
                        c.lcpr,
                        to_f64(c.monthly_cost),
                    ],
                    cheapest: cheapest.contains(&s.id.as_str()),
                },
                None => Row {
                    cells: [
                        s.name.clone(),
                        kind,
                        status,
                        format!("error: {}", s.error.as_deref().unwrap_or("not computed")),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                    keys: [f64::INFINITY; 10],
                    cheapest: false,
                },
            }
        })
        .collect()
}

impl View for Compare {
    fn title(&self) -> &'static str {
        "Compare"
    }

    fn chart(&mut self, _doc: &Workspace, eval: &Evaluation) -> Option<Chart> {
        compare_chart(eval)
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.eval.scenarios.is_empty() {
            widgets::empty_state(
                ui,
                "No scenarios yet",
                "Add a workload, a rate card, a route and a scenario in the navigator.",
            );
            return;
        }
        for c in &cx.eval.cheapest {
            let name = cx
                .eval
                .scenario(&c.scenario)
                .map_or(c.scenario.as_str(), |s| s.name.as_str());
            let workload = cx
                .doc
                .workload(&c.workload)
                .map_or(c.workload.as_str(), |w| w.name.as_str());
            ui.label(
                RichText::new(format!(
                    "Lowest LCPR for {workload}: {name} at {} per accepted output",
                    format_usd(c.lcpr, 4)
                ))
                .strong(),
            );
        }
        // Today's route as modelled, measured and reconciled, side by side and named.
        for c in lcpr_core::case::current_route::current_routes(cx.doc, cx.eval) {
            ui.label(RichText::new(format!("Current route: {}", c.name)).weak());
            // One wrapped line each, so the sentences never run past the panel.
            for (k, v) in lcpr_core::report::memo::statement::current_route_figures(&c) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("{k}:")).strong());
                    ui.add(egui::Label::new(v).wrap());
                });
            }
        }
        if let Some(chart) = compare_chart(cx.eval) {
            plot::show(ui, "compare-chart", &chart, theme::CHART_HEIGHT);
        }
        let mut rows = rows(cx.eval);
        if let Some((col, asc)) = self.sort {
            rows.sort_by(|a, b| {
                let o = if col < 3 {
                    a.cells[col].cmp(&b.cells[col])
                } else {
                    a.keys[col].total_cmp(&b.keys[col])
                };
                if asc { o } else { o.reverse() }
            });
        }
        let mut clicked = None;
        egui::ScrollArea::horizontal()
            .id_salt("compare-table-scroll")
            .show(ui, |ui| {
                TableBuilder::new(ui)
                    .id_salt("compare-table")
                    .striped(true)
                    .column(Column::auto().at_least(200.0))
                    .columns(Column::auto().at_least(90.0), COLUMNS.len() - 1)
                    .header(22.0, |mut header| {
                        for (i, name) in COLUMNS.iter().enumerate() {
                            header.col(|ui| {
                                let arrow = match self.sort {
                                    Some((c, true)) if c == i => " ▲",
                                    Some((c, false)) if c == i => " ▼",
                                    _ => "",
                                };
                                if ui
                                    .button(RichText::new(format!("{name}{arrow}")).strong())
                                    .on_hover_text("Sort")
                                    .clicked()
                                {
                                    clicked = Some(i);
                                }
                            });
                        }
                    })
                    .body(|mut body| {
                        for row in &rows {
                            body.row(20.0, |mut r| {
                                for (i, cell) in row.cells.iter().enumerate() {
                                    r.col(|ui| {
                                        let text = RichText::new(cell);
                                        ui.label(if row.cheapest && (i == 0 || i == 8) {
                                            text.strong()
                                        } else {
                                            text
                                        });
                                    });
                                }
                            });
                        }
                    });
            });
        if let Some(i) = clicked {
            self.sort = match self.sort {
                Some((c, asc)) if c == i => Some((i, !asc)),
                _ => Some((i, true)),
            };
        }
    }
}
