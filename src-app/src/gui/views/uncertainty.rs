//! Uncertainty: Monte Carlo over the register — each scenario's LCPR as a P10–P90 bar with its
//! median (the chart the memo and an export draw), the ranges as a table, how likely one
//! scenario beats another as a matrix by name, and which entries drive the spread.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::decide::monte_carlo::register::{RegisterSimulation, simulate_register};
use lcpr_core::document::Workspace;
use lcpr_core::money::format_usd;
use lcpr_core::report::chart::{Chart, ProbabilityMatrix};
use lcpr_core::report::figures::{beat_matrix, uncertainty_chart};

use super::{DocCache, RERUN_SECONDS, View, ViewContext};
use crate::gui::{plot, theme, widgets};

/// The uncertainty view; the run is kept until the document changes.
#[derive(Default)]
pub struct UncertaintyView {
    run: DocCache<Result<RegisterSimulation, String>>,
}

impl UncertaintyView {
    /// The run of `doc` itself (slides and exports have no frame clock to wait on).
    fn current(&mut self, doc: &Workspace) -> &Result<RegisterSimulation, String> {
        self.run.get_current(doc, || {
            simulate_register(doc, doc.simulation.draws, doc.simulation.seed)
                .map_err(|e| e.to_string())
        })
    }
}

impl View for UncertaintyView {
    fn title(&self) -> &'static str {
        "Uncertainty"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        if !has_ranges(doc) {
            return None;
        }
        self.current(doc).as_ref().ok().and_then(uncertainty_chart)
    }

    fn headline(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<String> {
        if !has_ranges(doc) {
            return None;
        }
        let sim = self.current(doc).as_ref().ok()?;
        let best = sim
            .scenarios
            .iter()
            .filter(|s| s.lcpr.p50.is_finite())
            .min_by(|a, b| a.lcpr.p50.total_cmp(&b.lcpr.p50))?;
        Some(format!(
            "{} has the lowest median LCPR over the register's ranges, {} (P10–P90 {} – {}).",
            best.name,
            format_usd(best.lcpr.p50, 4),
            format_usd(best.lcpr.p10, 4),
            format_usd(best.lcpr.p90, 4)
        ))
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
        if !has_ranges(cx.doc) {
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
                if let Some(chart) = uncertainty_chart(sim) {
                    plot::show(ui, "mc-ranges-chart", &chart, theme::CHART_HEIGHT * 0.8);
                }
                egui::CollapsingHeader::new("The ranges as numbers")
                    .default_open(false)
                    .show(ui, |ui| {
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
                                for v in
                                    [s.monthly_cost.p10, s.monthly_cost.p50, s.monthly_cost.p90]
                                {
                                    ui.label(format_usd(v, 0));
                                }
                                ui.end_row();
                            }
                        });
                    });
                widgets::section(ui, "Probability of the lower LCPR");
                matrix(ui, &beat_matrix(sim));
                widgets::section(ui, "What drives the spread (rank correlation with LCPR)");
                egui::Grid::new("mc-rho").striped(true).show(ui, |ui| {
                    for c in sim
                        .correlations
                        .iter()
                        .filter(|c| c.rho.is_some_and(|r| r.abs() >= 0.1))
                    {
                        ui.label(&c.label);
                        ui.label(
                            doc.scenario(&c.scenario)
                                .map_or(c.scenario.as_str(), |s| s.name.as_str()),
                        );
                        ui.label(format!("{:+.2}", c.rho.unwrap_or(0.0)));
                        ui.end_row();
                    }
                });
            }
        }
    }
}

/// Whether any register entry has a range bound to an input (else there is nothing to
/// sample and no range to show).
fn has_ranges(doc: &Workspace) -> bool {
    !doc.scenarios.is_empty() && doc.register.iter().any(|e| e.binds.is_some())
}

/// A scenario's key in the matrix: A, B, … Z, then AA, AB, …
fn letter(i: usize) -> String {
    let abc = |k: usize| char::from(b'A' + u8::try_from(k % 26).unwrap_or(0));
    if i < 26 {
        abc(i).to_string()
    } else {
        format!("{}{}", abc(i / 26 - 1), abc(i))
    }
}

/// The P(A beats B) matrix: rows A, columns B, each pair once (above the diagonal), cells
/// shaded by how sure the answer is; pairs of different workloads are not compared.
fn matrix(ui: &mut Ui, m: &ProbabilityMatrix) {
    ui.label(
        RichText::new(format!(
            "{} (each pair once; the reverse is one minus it).",
            m.title
        ))
        .weak(),
    );
    // Columns that hold a number, and rows that do: the rest would be blank.
    let cols: Vec<usize> = (0..m.names.len())
        .filter(|&b| {
            m.cells
                .iter()
                .any(|r| r.get(b).copied().flatten().is_some())
        })
        .collect();
    let rows: Vec<usize> = (0..m.names.len())
        .filter(|&a| {
            m.cells
                .get(a)
                .is_some_and(|r| r.iter().any(Option::is_some))
        })
        .collect();
    if rows.is_empty() {
        ui.label("No two scenarios serve the same workload, so none is compared with another.");
        return;
    }
    let accent = theme::color(lcpr_core::report::chart::series_color(0));
    egui::ScrollArea::horizontal()
        .id_salt("mc-beats-scroll")
        .show(ui, |ui| {
            egui::Grid::new("mc-beats")
                .striped(false)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    // Columns by letter (the names would make the matrix too wide to read),
                    // each letter the one its scenario has as a row, and its name on hover.
                    ui.label(RichText::new("Row beats column").strong());
                    for &b in &cols {
                        ui.label(RichText::new(letter(b)).strong())
                            .on_hover_text(&m.names[b]);
                    }
                    ui.end_row();
                    for &a in &rows {
                        // Long names wrap so the numbers stay in view.
                        ui.scope(|ui| {
                            ui.set_max_width(230.0);
                            ui.add(
                                egui::Label::new(
                                    RichText::new(format!("{} {}", letter(a), m.names[a])).strong(),
                                )
                                .wrap(),
                            );
                        });
                        for &b in &cols {
                            match m.cells.get(a).and_then(|r| r.get(b)).copied().flatten() {
                                Some(p) => {
                                    // Shade by distance from a coin toss: 50% is blank.
                                    let strength = ((p - 0.5).abs() * 2.0) as f32;
                                    egui::Frame::new()
                                        .fill(accent.gamma_multiply(0.15 + 0.55 * strength))
                                        .corner_radius(3.0)
                                        .inner_margin(egui::Margin::symmetric(8, 2))
                                        .show(ui, |ui| {
                                            ui.set_min_width(44.0);
                                            ui.vertical_centered(|ui| {
                                                ui.label(
                                                    RichText::new(format!("{:.0}%", p * 100.0))
                                                        .strong(),
                                                )
                                            })
                                            .inner
                                        })
                                        .inner
                                        .on_hover_text(format!(
                                            "{:.1}% of draws give {} the lower LCPR than {}",
                                            p * 100.0,
                                            m.names[a],
                                            m.names[b]
                                        ));
                                }
                                None => {
                                    ui.label(RichText::new("").weak());
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    // The last scenario has no row of its own (each pair sits above the diagonal): name its
    // letter too.
    for &b in cols.iter().filter(|b| !rows.contains(b)) {
        ui.label(RichText::new(format!("{}: {}", letter(b), m.names[b])).weak());
    }
}
