//! Break-even: daily cost against daily output volume for a token-priced card and a GPU card,
//! the crossover marked, or the utilization the GPUs would need when there is none.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::money::format_usd;
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::break_even_chart;

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The break-even view.
#[derive(Default)]
pub struct BreakEvenView {
    token_card: Option<String>,
    gpu_card: Option<String>,
}

fn cards(doc: &Workspace, tokens: bool) -> Vec<(String, String)> {
    doc.rate_cards
        .iter()
        .filter(|c| c.pricing.is_tokens() == tokens)
        .map(|c| (c.id.clone(), format!("{} {}", c.provider, c.model)))
        .collect()
}

impl BreakEvenView {
    fn ensure(&mut self, doc: &Workspace) {
        let (t, g) = (cards(doc, true), cards(doc, false));
        if self
            .token_card
            .as_ref()
            .is_none_or(|c| !t.iter().any(|(id, _)| id == c))
        {
            // Serverless open-weight is the usual comparison; fall back to any token card.
            let serverless = doc
                .routes
                .iter()
                .find(|r| r.kind == lcpr_core::document::RouteKind::ServerlessOpenWeight);
            self.token_card = serverless
                .map(|r| r.rate_card.clone())
                .filter(|id| t.iter().any(|(x, _)| x == id))
                .or_else(|| t.first().map(|(id, _)| id.clone()));
        }
        if self
            .gpu_card
            .as_ref()
            .is_none_or(|c| !g.iter().any(|(id, _)| id == c))
        {
            self.gpu_card = g.first().map(|(id, _)| id.clone());
        }
    }
}

impl View for BreakEvenView {
    fn title(&self) -> &'static str {
        "Break-even"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        self.ensure(doc);
        let t = doc.rate_card(self.token_card.as_deref()?)?;
        let g = doc.rate_card(self.gpu_card.as_deref()?)?;
        break_even_chart(t, g).ok().map(|(_, c)| c)
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let (t, g) = (cards(cx.doc, true), cards(cx.doc, false));
        if t.is_empty() || g.is_empty() {
            widgets::empty_state(
                ui,
                "Needs a token-priced and a GPU rate card",
                "Add both in the navigator to see where dedicated capacity beats paying per token.",
            );
            return;
        }
        self.ensure(cx.doc);
        let (Some(tid), Some(gid)) = (
            pick(ui, "be-token", "Per-token route", &mut self.token_card, &t),
            pick(ui, "be-gpu", "Dedicated GPUs", &mut self.gpu_card, &g),
        ) else {
            return;
        };
        let (Some(tc), Some(gc)) = (cx.doc.rate_card(&tid), cx.doc.rate_card(&gid)) else {
            return;
        };
        match break_even_chart(tc, gc) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok((be, chart)) => {
                let sentence = match (be.break_even_feasible, be.break_even_daily_output_tokens, be.required_utilization) {
                    (true, Some(v), _) => format!(
                        "Dedicated GPUs cost less above {:.1}M output tokens a day ({} a day); one GPU carries {:.1}M at the stated utilization, at an effective {} per million.",
                        v / 1e6,
                        format_usd(be.dedicated_daily_cost, 2),
                        be.effective_capacity_tokens_per_day / 1e6,
                        format_usd(be.effective_cost_per_m, 2),
                    ),
                    (_, _, Some(u)) => format!(
                        "No crossover at the stated utilization: the GPU's effective {} per million is above the per-token price. It would need {:.0}% utilization to break even{}.",
                        format_usd(be.effective_cost_per_m, 2),
                        u * 100.0,
                        if u > 1.0 { ", which is not reachable" } else { "" }
                    ),
                    _ => "The per-token route has no output price; dedicated capacity never breaks even against it.".to_owned(),
                };
                ui.label(RichText::new(sentence).strong());
                plot::show(ui, "break-even", &chart, theme::CHART_HEIGHT);
            }
        }
    }
}
