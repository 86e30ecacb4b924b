//! Cache: savings against reuses within the cache lifetime, the break-even count, and the
//! workload's measured reuse beside it.

use egui::{RichText, Ui};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::money::to_f64;
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::{CacheLifetime, cache_chart, measured_reuse};

use super::{View, ViewContext, pick};
use crate::gui::{plot, theme, widgets};

/// The cache view.
pub struct CacheView {
    card: Option<String>,
    workload: Option<String>,
    lifetime: CacheLifetime,
}

impl Default for CacheView {
    fn default() -> Self {
        Self {
            card: None,
            workload: None,
            lifetime: CacheLifetime::FiveMinutes,
        }
    }
}

fn token_cards(doc: &Workspace) -> Vec<(String, String)> {
    doc.rate_cards
        .iter()
        .filter(|c| c.pricing.is_tokens())
        .map(|c| (c.id.clone(), format!("{} {}", c.provider, c.model)))
        .collect()
}

impl CacheView {
    fn inputs<'a>(
        &self,
        doc: &'a Workspace,
    ) -> Option<(
        &'a lcpr_core::document::RateCard,
        &'a lcpr_core::document::Workload,
    )> {
        let card = self
            .card
            .as_deref()
            .and_then(|id| doc.rate_card(id))
            .or_else(|| doc.rate_cards.iter().find(|c| c.pricing.is_tokens()))?;
        let w = self
            .workload
            .as_deref()
            .and_then(|id| doc.workload(id))
            .or_else(|| doc.workloads.first())?;
        Some((card, w))
    }
}

impl View for CacheView {
    fn title(&self) -> &'static str {
        "Cache"
    }

    fn chart(&mut self, doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        let (card, w) = self.inputs(doc)?;
        cache_chart(
            card,
            self.lifetime,
            w.tokens.stable_prefix,
            measured_reuse(w.cache_hit_rate),
        )
        .ok()
        .map(|(_, c)| c)
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        let cards = token_cards(cx.doc);
        if cards.is_empty() || cx.doc.workloads.is_empty() {
            widgets::empty_state(
                ui,
                "Needs a token-priced rate card and a workload",
                "The prefix length and hit rate come from the workload.",
            );
            return;
        }
        pick(ui, "cache-card", "Rate card", &mut self.card, &cards);
        let workloads: Vec<(String, String)> = cx
            .doc
            .workloads
            .iter()
            .map(|w| (w.id.clone(), w.name.clone()))
            .collect();
        pick(
            ui,
            "cache-workload",
            "Workload",
            &mut self.workload,
            &workloads,
        );
        ui.horizontal(|ui| {
            ui.label("Cache lifetime");
            ui.radio_value(&mut self.lifetime, CacheLifetime::FiveMinutes, "5 minutes");
            ui.radio_value(&mut self.lifetime, CacheLifetime::OneHour, "1 hour");
        });
        let Some((card, w)) = self.inputs(cx.doc) else {
            return;
        };
        let reuse = measured_reuse(w.cache_hit_rate);
        match cache_chart(card, self.lifetime, w.tokens.stable_prefix, reuse) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok((be, chart)) => {
                let sentence = match (be.break_even_requests.map(to_f64), reuse) {
                    (None, _) => {
                        "Reading from this cache costs as much as not caching: it never pays off."
                            .to_owned()
                    }
                    (Some(n), Some(r)) if r >= n => format!(
                        "Caching pays: the prefix is reused {r:.1} times per write (hit rate {:.0}%), above the break-even of {n:.2}.",
                        w.cache_hit_rate * 100.0
                    ),
                    (Some(n), Some(r)) => format!(
                        "Caching loses money: the prefix is reused {r:.1} times per write (hit rate {:.0}%), below the break-even of {n:.2}.",
                        w.cache_hit_rate * 100.0
                    ),
                    (Some(n), None) => {
                        format!("Every request hits the cache; the break-even is {n:.2} reuses.")
                    }
                };
                ui.label(RichText::new(sentence).strong());
                plot::show(ui, "cache-chart", &chart, theme::CHART_HEIGHT);
            }
        }
    }
}
