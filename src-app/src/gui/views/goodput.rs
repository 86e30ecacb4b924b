//! Goodput: accepted results per second against request rate across a workload's load tests,
//! with the capacity ceiling, the operating point at the workload's mean rate and its cost per
//! accepted result, and what each test's method leaves out.

use egui::{Grid, RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::{LoadTest, Workload, Workspace};
use lcpr_core::evidence::loadtest::sweep::{
    OperatingBasis, Sweep, workspace_series, workspace_sweep,
};
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::{cost_per_accepted_chart, sweep_chart};

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The inputs a sweep was computed from, and its outcome.
struct Computed {
    workload: Workload,
    tests: Vec<LoadTest>,
    sweep: Result<Option<Sweep>, String>,
}

/// The goodput view.
#[derive(Default)]
pub struct GoodputView {
    chosen: Option<String>,
    // A sweep expands every stored request, so it is recomputed only when its inputs change.
    computed: Option<Computed>,
}

/// The chooser's key for a workload's series: `workload/series`.
fn key(workload: &str, series: &str) -> String {
    format!("{workload}/{series}")
}

impl GoodputView {
    fn sweep(&mut self, doc: &Workspace, chosen: &str) -> Option<&Result<Option<Sweep>, String>> {
        let (workload, series) = chosen.split_once('/')?;
        let w = doc.workload(workload)?;
        let tests: Vec<LoadTest> = doc
            .load_tests
            .iter()
            .filter(|t| t.workload == workload && t.series_key() == series)
            .cloned()
            .collect();
        let fresh = self
            .computed
            .as_ref()
            .is_some_and(|c| c.workload == *w && c.tests == tests);
        if !fresh {
            self.computed = Some(Computed {
                workload: w.clone(),
                sweep: workspace_sweep(doc, workload, series).map_err(|e| e.to_string()),
                tests,
            });
        }
        self.computed.as_ref().map(|c| &c.sweep)
    }

    /// Every (workload, series) with load tests, in document order.
    fn series(doc: &Workspace) -> Vec<(String, String)> {
        workspace_series(doc)
            .iter()
            .map(|s| {
                (
                    key(s.workload, s.key),
                    format!("{}: {} ({} run(s))", s.workload, s.label, s.runs),
                )
            })
            .collect()
    }
}

fn title(label: &str) -> String {
    format!("Goodput against request rate, {label}")
}

impl View for GoodputView {
    fn title(&self) -> &'static str {
        "Goodput"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        let options = Self::series(doc);
        let (id, label) = options
            .iter()
            .find(|(o, _)| Some(o) == self.chosen.as_ref())
            .or_else(|| options.first())?
            .clone();
        match self.sweep(doc, &id)? {
            Ok(Some(s)) => Some(sweep_chart(s, &title(&label))),
            _ => None,
        }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let options = Self::series(cx.doc);
        if options.is_empty() {
            widgets::empty_state(
                ui,
                "No load tests yet",
                "File → Import load test… reads per-request results (generic CSV/JSONL, vLLM, GuideLLM, AIPerf) for the selected workload.",
            );
            return;
        }
        let Some(id) = pick(ui, "goodput-pick", "Sweep", &mut self.chosen, &options) else {
            return;
        };
        let label = options
            .iter()
            .find(|(o, _)| *o == id)
            .map_or_else(String::new, |(_, l)| l.clone());
        let sweep = match self.sweep(cx.doc, &id) {
            Some(Ok(Some(s))) => s.clone(),
            Some(Err(e)) => {
                ui.label(RichText::new(e.clone()).color(theme::error_color(ui.visuals())));
                return;
            }
            _ => return,
        };
        summary(ui, &sweep);
        plot::show(
            ui,
            "goodput",
            &sweep_chart(&sweep, &title(&label)),
            theme::CHART_HEIGHT,
        );
        if sweep.points.len() < 2 {
            ui.label(
                "One run: import a sweep of several request rates to see where goodput levels off.",
            );
        }
        if let Some(chart) = cost_per_accepted_chart(&sweep, "Cost per accepted result") {
            plot::show(ui, "goodput-cost", &chart, theme::CHART_HEIGHT * 0.7);
        }
        points(ui, &sweep);
        if !sweep.methodology_gaps.is_empty() {
            widgets::section(ui, "What the method leaves out");
            for gap in &sweep.methodology_gaps {
                ui.label(RichText::new(format!("⚑ {gap}")).color(theme::warn_color(ui.visuals())));
            }
        }
    }
}

fn summary(ui: &mut Ui, s: &Sweep) {
    match &s.capacity_ceiling {
        Some(c) => ui.label(format!(
            "Capacity ceiling {:.2} req/s, where goodput reaches {:.2} accepted/s{}.",
            c.request_rate,
            c.goodput_rate,
            if c.saturated {
                "; beyond it goodput levels off or falls"
            } else {
                "; the sweep never saw goodput level off, so the ceiling may lie higher"
            }
        )),
        None => ui.label("Nothing was accepted at any rate: no capacity ceiling."),
    };
    if let Some(o) = &s.operating_point {
        let basis = match o.basis {
            OperatingBasis::TargetRate { target } => {
                format!("the workload's mean rate {target:.3} req/s")
            }
            OperatingBasis::Ceiling => "the capacity ceiling".to_owned(),
        };
        ui.label(
            RichText::new(format!(
                "Operating point {:.2} req/s (for {basis}): {:.2} accepted/s, {} per accepted result{}.",
                o.request_rate,
                o.goodput_rate,
                o.cost_per_accepted
                    .map_or_else(|| "no cost recorded".to_owned(), |c| format_usd(to_f64(c), 4)),
                if o.beyond_ceiling {
                    "; the target lies beyond the ceiling"
                } else {
                    ""
                }
            ))
            .strong(),
        );
    }
}

fn points(ui: &mut Ui, s: &Sweep) {
    widgets::section(ui, "Runs");
    Grid::new("goodput-points")
        .num_columns(7)
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "Run",
                "Rate, req/s",
                "Accepted/s",
                "Completed/s",
                "Cost per accepted",
                "TTFT p95",
                "Requests",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for p in &s.points {
                ui.label(&p.label);
                ui.label(match (p.rate_offered, p.offered_rate) {
                    (true, _) => format!("{:.2}", p.request_rate),
                    (false, Some(o)) => {
                        format!("{:.2} (achieved; {o:.2} offered)", p.request_rate)
                    }
                    (false, None) => format!("{:.2} (measured)", p.request_rate),
                });
                ui.label(format!("{:.2}", p.goodput_rate));
                ui.label(format!("{:.2}", p.throughput_rate));
                ui.label(
                    p.cost_per_accepted
                        .map_or_else(|| "—".to_owned(), |c| format_usd(to_f64(c), 4)),
                );
                ui.label(
                    p.ttft_ms
                        .as_ref()
                        .map_or_else(|| "—".to_owned(), |t| format!("{:.0} ms", t.p95)),
                );
                ui.label(
                    p.sample
                        .clone()
                        .unwrap_or_else(|| format!("all {}", p.attempts)),
                );
                ui.end_row();
            }
        });
}
