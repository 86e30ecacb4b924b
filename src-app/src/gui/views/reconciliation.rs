//! Reconciliation: the waterfall from trace-derived cost to loaded cost, the invoice delta
//! flagged above 5%.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::reconciliation_waterfall;

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The reconciliation view.
#[derive(Default)]
pub struct ReconciliationView {
    chosen: Option<String>,
}

impl View for ReconciliationView {
    fn title(&self) -> &'static str {
        "Reconciliation"
    }

    fn chart(&mut self, _doc: &Workspace, eval: &Evaluation) -> Option<Chart> {
        let r = eval
            .reconciliations
            .iter()
            .find(|r| Some(&r.id) == self.chosen.as_ref())
            .or_else(|| eval.reconciliations.first())?;
        let m = r.result.as_ref()?;
        Some(reconciliation_waterfall(
            &format!(
                "Trace cost to loaded cost, {} – {}",
                r.period.start, r.period.end
            ),
            m,
        ))
    }

    fn headline(&mut self, _doc: &Workspace, eval: &Evaluation) -> Option<String> {
        let r = eval
            .reconciliations
            .iter()
            .find(|r| Some(&r.id) == self.chosen.as_ref())
            .or_else(|| eval.reconciliations.first())?;
        let m = r.result.as_ref()?;
        Some(format!(
            "Loaded cost per accepted output {} for {} – {}; the invoice was {} the traces",
            format_usd(to_f64(m.lcpr), 4),
            r.period.start,
            r.period.end,
            m.delta_pct.map_or_else(
                || "not comparable to".to_owned(),
                |p| {
                    let p = to_f64(p);
                    if p >= 0.0 {
                        format!("{:.1}% above", p * 100.0)
                    } else {
                        format!("{:.1}% below", -p * 100.0)
                    }
                }
            )
        ))
    }

    fn focus(&mut self, doc: &Workspace, selection: crate::gui::navigator::Selection) {
        if let crate::gui::navigator::Selection::Reconciliation(i) = selection
            && let Some(r) = doc.reconciliations.get(i)
        {
            self.chosen = Some(r.id.clone());
        }
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        if cx.eval.reconciliations.is_empty() {
            widgets::empty_state(
                ui,
                "No reconciliations yet",
                "Add one in the navigator with the period's trace cost, invoice, eval, human and ops costs.",
            );
            return;
        }
        let options: Vec<(String, String)> = cx
            .eval
            .reconciliations
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    format!("{}: {} – {}", r.workload, r.period.start, r.period.end),
                )
            })
            .collect();
        let Some(id) = pick(ui, "rec-pick", "Reconciliation", &mut self.chosen, &options) else {
            return;
        };
        let Some(r) = cx.eval.reconciliations.iter().find(|r| r.id == id) else {
            return;
        };
        let Some(m) = &r.result else {
            ui.label(
                RichText::new(r.error.clone().unwrap_or_default())
                    .color(theme::error_color(ui.visuals())),
            );
            return;
        };
        let pct = m.delta_pct.map(to_f64);
        let delta_text = format!(
            "Invoice − trace = {} ({})",
            format_usd(to_f64(m.delta), 2),
            pct.map_or("no trace cost".to_owned(), |p| format!(
                "{:+.1}%",
                p * 100.0
            ))
        );
        if m.delta_flagged {
            ui.label(RichText::new(format!("⚑ {delta_text}: above the 5% threshold, investigate (missing traces, miscounted tokens or billing at another rate).")).color(theme::warn_color(ui.visuals())).strong());
        } else {
            ui.label(format!("{delta_text}: within the 5% threshold."));
        }
        ui.label(
            RichText::new(format!(
                "Loaded cost {}; LCPR {} per accepted output; gross margin {:.1}%; LCPR is {} the naive cost per request.",
                format_usd(to_f64(m.total_loaded_cost), 2),
                format_usd(to_f64(m.lcpr), 4),
                to_f64(m.gross_margin_pct) * 100.0,
                m.lcpr_to_naive_ratio.map_or("—".to_owned(), |v| format!("{:.2}×", to_f64(v)))
            ))
            .strong(),
        );
        if !r.disputed.is_zero() || r.off_rate_lines > 0 {
            ui.label(format!(
                "Invoice as billed {}; {} line(s) billed off the contracted rate; {} disputed with the vendor and left out of loaded cost.",
                format_usd(to_f64(r.invoice_as_billed), 2),
                r.off_rate_lines,
                format_usd(to_f64(r.disputed), 2)
            ));
        }
        if let Some(chart) = self.chart(cx.doc, cx.eval) {
            plot::show(ui, "waterfall", &chart, theme::CHART_HEIGHT);
        }
    }
}
