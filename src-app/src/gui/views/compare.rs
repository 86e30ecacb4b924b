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

/// The columns, the figures a decision reads first (LCPR, monthly cost) next to the frozen
/// scenario name so they are in view at any width.
const COLUMNS: [&str; 10] = [
    "Scenario",
    "LCPR",
    "Monthly cost",
    "Route kind",
    "Status",
    "Raw token cost",
    "Cache-adjusted cost",
    "Retry rate",
    "Quality pass rate",
    "Accepted outcome rate",
];

/// Columns sorted as text.
const TEXT_COLUMNS: [usize; 3] = [0, 3, 4];
/// The LCPR column (bold on the cheapest route).
const LCPR_COLUMN: usize = 1;

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
            let (raw, adjusted) = lcpr_core::report::memo::format::token_cost_cells(s);
            let gpu = s.route_kind.is_some_and(|k| k.is_gpu());
            match &s.cost {
                Some(c) => Row {
                    cells: [
                        s.name.clone(),
                        format_usd(c.lcpr, 4),
                        format_usd(to_f64(c.monthly_cost), 2),
                        kind,
                        status,
                        raw,
                        adjusted,
                        format!("{:.1}%", c.retry_rate * 100.0),
                        format!("{:.1}%", c.quality_pass_rate * 100.0),
                        format!("{:.1}%", c.accepted_outcome_rate * 100.0),
                    ],
                    keys: [
                        0.0,
                        c.lcpr,
                        to_f64(c.monthly_cost),
                        0.0,
                        0.0,
                        // Not billed per token: sorts after every route that is.
                        if gpu {
                            f64::INFINITY
                        } else {
                            to_f64(c.raw_token_cost)
                        },
                        if gpu {
                            f64::INFINITY
                        } else {
                            to_f64(c.cache_adjusted_token_cost)
                        },
                        c.retry_rate,
                        c.quality_pass_rate,
                        c.accepted_outcome_rate,
                    ],
                    cheapest: cheapest.contains(&s.id.as_str()),
                },
                None => Row {
                    cells: [
                        s.name.clone(),
                        format!("error: {}", s.error.as_deref().unwrap_or("not computed")),
                        String::new(),
                        kind,
                        status,
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

    fn headline(&mut self, doc: &Workspace, eval: &Evaluation) -> Option<String> {
        let c = eval.cheapest.first()?;
        let name = eval
            .scenario(&c.scenario)
            .map_or(c.scenario.as_str(), |s| s.name.as_str());
        let workload = doc
            .workload(&c.workload)
            .map_or(c.workload.as_str(), |w| w.name.as_str());
        Some(format!(
            "Lowest LCPR for {workload}: {name} at {} per accepted output",
            format_usd(c.lcpr, 4)
        ))
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
            // The chart gives way so the table (header, one row per scenario, its scroll bar,
            // the legend above it) stays in view on a small screen.
            let table = 26.0 + 26.0 * cx.eval.scenarios.len() as f32 + 20.0 + 60.0 + 10.0;
            let visible = ui.clip_rect().bottom() - ui.cursor().top();
            let height = (visible - table).clamp(160.0, theme::CHART_HEIGHT);
            plot::show(ui, "compare-chart", &chart, height);
        }
        let mut rows = rows(cx.eval);
        if let Some((col, asc)) = self.sort {
            rows.sort_by(|a, b| {
                let o = if TEXT_COLUMNS.contains(&col) {
                    a.cells[col].cmp(&b.cells[col])
                } else {
                    a.keys[col].total_cmp(&b.keys[col])
                };
                if asc { o } else { o.reverse() }
            });
        }
        let mut clicked = None;
        let sort = self.sort;
        // The scenario column stays put; the rest scroll sideways under a visible bar.
        ui.horizontal_top(|ui| {
            // Each table in its own column: a table laid out in a row would put its body
            // beside its header.
            ui.vertical(|ui| {
                ui.push_id("compare-frozen", |ui| {
                    table(ui, &rows, 0..1, sort, &mut clicked);
                });
            });
            egui::ScrollArea::horizontal()
                .id_salt("compare-table-scroll")
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                .show(ui, |ui| {
                    ui.vertical(|ui| {
                        table(ui, &rows, 1..COLUMNS.len(), sort, &mut clicked);
                    });
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

/// The compare table's columns `cols`: sortable headers, the cheapest route's name and LCPR in
/// bold.
fn table(
    ui: &mut Ui,
    rows: &[Row],
    cols: std::ops::Range<usize>,
    sort: Option<(usize, bool)>,
    clicked: &mut Option<usize>,
) {
    let first = cols.start;
    let n = cols.len();
    // One line per row and header in both halves, so the frozen names stay level with
    // their figures.
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    TableBuilder::new(ui)
        .id_salt(("compare-table", first))
        .striped(true)
        .vscroll(false)
        .column(Column::auto().at_least(if first == 0 { 200.0 } else { 90.0 }))
        .columns(Column::auto().at_least(90.0), n.saturating_sub(1))
        .header(22.0, |mut header| {
            for i in cols.clone() {
                let name = COLUMNS.get(i).copied().unwrap_or_default();
                header.col(|ui| {
                    let arrow = match sort {
                        Some((c, true)) if c == i => " ▲",
                        Some((c, false)) if c == i => " ▼",
                        _ => "",
                    };
                    let hint = lcpr_core::report::glossary::lookup(name).map_or_else(
                        || "Sort".to_owned(),
                        |t| format!("{}\n\nClick to sort.", t.text()),
                    );
                    if ui
                        .button(RichText::new(format!("{name}{arrow}")).strong())
                        .on_hover_text(hint)
                        .clicked()
                    {
                        *clicked = Some(i);
                    }
                });
            }
        })
        .body(|mut body| {
            for row in rows {
                body.row(20.0, |mut r| {
                    for i in cols.clone() {
                        let cell = row.cells.get(i).cloned().unwrap_or_default();
                        r.col(|ui| {
                            let text = RichText::new(cell);
                            ui.label(if row.cheapest && (i == 0 || i == LCPR_COLUMN) {
                                text.strong()
                            } else {
                                text
                            });
                        });
                    }
                });
            }
        });
}
