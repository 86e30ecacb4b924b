//! Prices trace tokens from the workspace's rate cards.
//!
//! A row is priced by the rate card of its provider (case-insensitively) whose model the row's
//! model id matches — by the card's exact id, else a declared alias, else a dated or versioned
//! snapshot of either (`gpt-4o-mini` prices `gpt-4o-mini-2024-07-18`, the rule invoices use too,
//! [`crate::document::contracts::model_matches`]) or an alias prefix ending in `*` — and whose
//! `effective_from` is the latest on or before the row's UTC date (the first listed wins a tie).
//! [`matches_made`] lists every match, for the import report. The card's contract
//! overlay applies first ([`crate::document::effective_rates`]); the overlay has no
//! negotiated cache-write rates, so its discount applies to the card's list write rates.
//!
//! Cost = uncached input × input rate + cache reads × cached-input rate + 5-minute writes ×
//! 5-minute write rate + 1-hour writes × 1-hour write rate + (output + reasoning) × output
//! rate, all per million tokens; a rate the card lacks falls back to the input rate. The sum is
//! exact Decimal arithmetic, so it is priced once per (workload, day, provider, model) over the
//! token sums — the same amount as adding each row's cost.
//!
//! A provider and model with no card, no card in effect yet, or only a GPU-hour card is
//! unpriced: its rows get no cost (never $0), are counted as unpriced, and are listed with
//! their first row so the baseline derivation can refuse with the list.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::ImportError;
use super::aggregate::{Aggregate, TokenSums, UnpricedModel};
use super::trace_row::TokenUsage;
use crate::document::contracts::model_matches;
use crate::document::effective_rates;
use crate::document::{Date, RateCard, RatePricing};
use crate::error::InputResult;
use crate::money::{self, TOKENS_PER_PRICE_UNIT};

/// Token prices after the contract overlay and fallbacks, in dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TokenRates {
    /// Uncached input.
    pub input_per_m: Decimal,
    /// Cache reads (the input rate when the card has none).
    pub cached_input_per_m: Decimal,
    /// 5-minute cache writes (the input rate when the card has none).
    pub cache_write_5m_per_m: Decimal,
    /// 1-hour cache writes (the input rate when the card has none).
    pub cache_write_1h_per_m: Decimal,
    /// Output and reasoning.
    pub output_per_m: Decimal,
}

/// The token rates of `card`, or `None` for a card that prices GPU-hours.
pub fn token_rates(card: &RateCard) -> InputResult<Option<TokenRates>> {
    let RatePricing::Tokens {
        cache_write_5m_per_m,
        cache_write_1h_per_m,
        ..
    } = &card.pricing
    else {
        return Ok(None);
    };
    let effective = effective_rates(card)?;
    let discount =
        money::from_f64(card.contract.as_ref().map_or(0.0, |c| c.discount)).unwrap_or_default();
    // Prices carry at most 10 places, as the overlay's own discounted prices do.
    let discounted = |list: Decimal| (list * (Decimal::ONE - discount)).round_dp(10).normalize();
    let input = effective.input_per_m.unwrap_or_default();
    Ok(Some(TokenRates {
        input_per_m: input,
        cached_input_per_m: effective.cached_input_per_m.unwrap_or(input),
        cache_write_5m_per_m: cache_write_5m_per_m.map_or(input, discounted),
        cache_write_1h_per_m: cache_write_1h_per_m.map_or(input, discounted),
        output_per_m: effective.output_per_m.unwrap_or_default(),
    }))
}

/// Cost of `tokens` at `rates`; `None` only past Decimal's range.
#[must_use]
pub fn cost(tokens: &TokenSums, rates: &TokenRates) -> Option<Decimal> {
    let generated = tokens.output.checked_add(tokens.reasoning)?;
    [
        (tokens.uncached_input, rates.input_per_m),
        (tokens.cache_read, rates.cached_input_per_m),
        (tokens.cache_write_5m, rates.cache_write_5m_per_m),
        (tokens.cache_write_1h, rates.cache_write_1h_per_m),
        (generated, rates.output_per_m),
    ]
    .into_iter()
    .try_fold(Decimal::ZERO, |sum, (n, rate)| {
        sum.checked_add(Decimal::from(n).checked_mul(rate)?)
    })?
    .checked_div(TOKENS_PER_PRICE_UNIT)
}

/// Cost of one row's usage at `rates`.
#[must_use]
pub fn price_row(usage: &TokenUsage, rates: &TokenRates) -> Option<Decimal> {
    let mut sums = TokenSums::default();
    sums.add(usage).ok()?;
    cost(&sums, rates)
}

fn key(provider: &str, model: &str) -> (String, String) {
    (provider.trim().to_lowercase(), model.trim().to_lowercase())
}

/// How a trace's model id found its rate card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The card's model, as written (case and surrounding spaces aside).
    Exact,
    /// One of the card's declared aliases.
    Alias,
    /// The card's model or an alias followed by a dated or versioned snapshot suffix
    /// (`gpt-4o-mini` → `gpt-4o-mini-2024-07-18`), or an alias prefix ending in `*`.
    Snapshot,
}

impl MatchKind {
    /// The kind's name, as reports show it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact id",
            Self::Alias => "declared alias",
            Self::Snapshot => "snapshot or prefix",
        }
    }
}

/// How `model` matches `card`, if it does: the card's own model id, then its declared aliases,
/// then dated snapshots of either (the one rule invoices use,
/// [`crate::document::contracts::model_matches`]) and `*` prefixes.
#[must_use]
pub fn card_matches(card: &RateCard, model: &str) -> Option<MatchKind> {
    let wanted = model.trim().to_lowercase();
    if card.model.trim().to_lowercase() == wanted {
        return Some(MatchKind::Exact);
    }
    if card
        .aliases
        .iter()
        .any(|a| a.trim().to_lowercase() == wanted)
    {
        return Some(MatchKind::Alias);
    }
    let snapshot = std::iter::once(&card.model)
        .chain(&card.aliases)
        .any(|name| match name.trim().strip_suffix('*') {
            Some(prefix) => !prefix.is_empty() && wanted.starts_with(&prefix.to_lowercase()),
            None => model_matches(name, model),
        });
    snapshot.then_some(MatchKind::Snapshot)
}

/// Rate cards by provider, case-insensitively, in the workspace's order.
#[derive(Debug, Clone)]
pub struct PriceBook<'a> {
    cards: BTreeMap<String, Vec<&'a RateCard>>,
}

impl<'a> PriceBook<'a> {
    /// Indexes `cards`, keeping their order within each provider.
    #[must_use]
    pub fn new(cards: &'a [RateCard]) -> Self {
        let mut index: BTreeMap<_, Vec<&RateCard>> = BTreeMap::new();
        for c in cards {
            index.entry(key(&c.provider, "").0).or_default().push(c);
        }
        Self { cards: index }
    }

    /// The cards of `provider` that `model` matches by the best kind any of them offers (an
    /// exact id before an alias before a snapshot; among snapshots the longest card model, so
    /// `gpt-4o-mini` wins over a `gpt-4o*` prefix), with that kind.
    fn candidates(&self, provider: &str, model: &str) -> Option<(MatchKind, Vec<&'a RateCard>)> {
        let cards = self.cards.get(&key(provider, "").0)?;
        let matched: Vec<(MatchKind, &RateCard)> = cards
            .iter()
            .filter_map(|&c| card_matches(c, model).map(|k| (k, c)))
            .collect();
        let best = matched.iter().map(|(k, _)| *k).min()?;
        let mut chosen: Vec<&RateCard> = matched
            .into_iter()
            .filter(|(k, _)| *k == best)
            .map(|(_, c)| c)
            .collect();
        if best == MatchKind::Snapshot {
            let longest = chosen.iter().map(|c| c.model.trim().len()).max()?;
            chosen.retain(|c| c.model.trim().len() == longest);
        }
        Some((best, chosen))
    }

    /// The card in effect for `provider` and `model` on `date`, with how the model matched
    /// it, or why there is none.
    pub fn matched(
        &self,
        provider: &str,
        model: &str,
        date: Date,
    ) -> Result<(&'a RateCard, MatchKind), String> {
        let Some((kind, cards)) = self.candidates(provider, model) else {
            return Err(
                "no rate card for this provider and model (by id, declared alias or dated snapshot) — add one, or declare this id among a card's aliases"
                    .to_owned(),
            );
        };
        let mut best: Option<&RateCard> = None;
        for &c in &cards {
            if c.effective_from <= date && best.is_none_or(|b| c.effective_from > b.effective_from)
            {
                best = Some(c);
            }
        }
        best.map(|c| (c, kind)).ok_or_else(|| {
            let earliest = cards.iter().map(|c| c.effective_from).min();
            format!(
                "no rate card in effect on {date} (the earliest takes effect {})",
                earliest.map_or_else(String::new, |d| d.to_string())
            )
        })
    }

    /// The card in effect for `provider` and `model` on `date`, or why there is none.
    pub fn card(&self, provider: &str, model: &str, date: Date) -> Result<&'a RateCard, String> {
        self.matched(provider, model, date).map(|(c, _)| c)
    }

    /// The card and its token rates, or why the tokens cannot be priced.
    pub fn rates(
        &self,
        provider: &str,
        model: &str,
        date: Date,
    ) -> InputResult<Result<(&'a RateCard, TokenRates), String>> {
        let card = match self.card(provider, model, date) {
            Ok(c) => c,
            Err(reason) => return Ok(Err(reason)),
        };
        Ok(
            match token_rates(card).map_err(|e| e.within(&format!("rate card {:?}", card.id)))? {
                Some(rates) => Ok((card, rates)),
                None => Err(format!(
                    "rate card {:?} prices GPU-hours, not tokens",
                    card.id
                )),
            },
        )
    }
}

/// Prices every (workload, day, provider, model) of `agg` from `cards`, replacing any earlier
/// prices, and lists what stays unpriced.
pub fn price_in_place(agg: &mut Aggregate, cards: &[RateCard]) -> Result<(), ImportError> {
    let book = PriceBook::new(cards);
    let mut unpriced: BTreeMap<(String, String), UnpricedModel> = BTreeMap::new();
    for days in agg.workloads.values_mut() {
        for (date, day) in days.iter_mut() {
            let c = &mut day.counters;
            c.inference_cost = Decimal::ZERO;
            c.priced_rows = 0;
            c.unpriced_rows = 0;
            for u in &mut day.usage {
                match book.rates(&u.provider, &u.model, *date)? {
                    Ok((card, rates)) => {
                        let amount = cost(&u.tokens, &rates)
                            .ok_or_else(|| ImportError::Overflow("inference cost".into()))?;
                        u.cost = Some(amount);
                        u.rate_card = Some(card.id.clone());
                        c.inference_cost = c
                            .inference_cost
                            .checked_add(amount)
                            .ok_or_else(|| ImportError::Overflow("inference cost".into()))?;
                        c.priced_rows += u.rows;
                    }
                    Err(reason) => {
                        u.cost = None;
                        u.rate_card = None;
                        c.unpriced_rows += u.rows;
                        let entry = unpriced
                            .entry((u.provider.clone(), u.model.clone()))
                            .or_insert_with(|| UnpricedModel {
                                provider: u.provider.clone(),
                                model: u.model.clone(),
                                rows: 0,
                                first_row: u.first_row,
                                reason: reason.clone(),
                            });
                        entry.rows += u.rows;
                        if u.first_row < entry.first_row {
                            entry.first_row = u.first_row;
                            entry.reason = reason;
                        }
                    }
                }
            }
        }
    }
    agg.unpriced = unpriced.into_values().collect();
    Ok(())
}

/// One trace model id and the rate card that priced it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ModelMatch {
    /// Provider as the trace names it.
    pub provider: String,
    /// Model id as the trace names it.
    pub model: String,
    /// The rate card's id.
    pub rate_card: String,
    /// The rate card's model.
    pub card_model: String,
    /// How the id matched.
    pub kind: MatchKind,
    /// Rows priced so.
    pub rows: u64,
}

/// Every (provider, model) → rate card match that pricing `agg` made, sorted, with rows.
#[must_use]
pub fn matches_made(agg: &Aggregate, cards: &[RateCard]) -> Vec<ModelMatch> {
    let mut out: BTreeMap<(String, String, String), ModelMatch> = BTreeMap::new();
    for days in agg.workloads.values() {
        for day in days.values() {
            for u in &day.usage {
                let Some(id) = &u.rate_card else { continue };
                let Some(card) = cards.iter().find(|c| &c.id == id) else {
                    continue;
                };
                let Some(kind) = card_matches(card, &u.model) else {
                    continue;
                };
                out.entry((u.provider.clone(), u.model.clone(), id.clone()))
                    .or_insert_with(|| ModelMatch {
                        provider: u.provider.clone(),
                        model: u.model.clone(),
                        rate_card: id.clone(),
                        card_model: card.model.clone(),
                        kind,
                        rows: 0,
                    })
                    .rows += u.rows;
            }
        }
    }
    out.into_values().collect()
}

/// `agg` priced from `cards`, as a new aggregate.
pub fn price(agg: &Aggregate, cards: &[RateCard]) -> Result<Aggregate, ImportError> {
    let mut priced = agg.clone();
    price_in_place(&mut priced, cards)?;
    Ok(priced)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::ContractOverlay;
    use crate::evidence::traces::aggregate::tests::row;
    use crate::evidence::traces::aggregate::{Aggregate, AggregateSettings};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    pub(crate) fn card(
        id: &str,
        model: &str,
        from: (u16, u8, u8),
        input: &str,
        cached: Option<&str>,
        output: &str,
    ) -> RateCard {
        RateCard {
            id: id.into(),
            provider: "OpenAI".into(),
            model: model.into(),
            aliases: Vec::new(),
            effective_from: Date::new(from.0, from.1, from.2).unwrap_or_else(|| panic!("date")),
            source: String::new(),
            pricing: RatePricing::Tokens {
                input_per_m: d(input),
                cached_input_per_m: cached.map(d),
                cache_write_5m_per_m: None,
                cache_write_1h_per_m: None,
                output_per_m: d(output),
                batch_input_per_m: None,
                batch_output_per_m: None,
            },
            contract: None,
            provenance: None,
            notes: String::new(),
        }
    }

    #[test]
    fn cost_by_hand() {
        let rates = TokenRates {
            input_per_m: d("2.5"),
            cached_input_per_m: d("0.25"),
            cache_write_5m_per_m: d("3.125"),
            cache_write_1h_per_m: d("5"),
            output_per_m: d("15"),
        };
        let t = TokenSums {
            uncached_input: 400,
            cache_read: 600,
            cache_write_5m: 100,
            cache_write_1h: 10,
            output: 200,
            reasoning: 100,
        };
        // 400×2.5 + 600×0.25 + 100×3.125 + 10×5 + 300×15 = 1000 + 150 + 312.5 + 50 + 4500
        // = 6012.5 per million → $0.0060125.
        assert_eq!(cost(&t, &rates), Some(d("0.0060125")));
    }

    #[test]
    fn contract_discount_reaches_cache_writes_and_missing_rates_fall_back() {
        let mut c = card("c", "m", (2026, 1, 1), "3", None, "15");
        if let RatePricing::Tokens {
            cache_write_1h_per_m,
            ..
        } = &mut c.pricing
        {
            *cache_write_1h_per_m = Some(d("6"));
        }
        c.contract = Some(ContractOverlay {
            discount: 0.1,
            output_per_m: Some(d("12")),
            ..ContractOverlay::default()
        });
        let r = token_rates(&c)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("tokens"));
        // Input 3 × 0.9 = 2.7; no cached or 5-minute rate → 2.7; 1-hour 6 × 0.9 = 5.4; output negotiated 12.
        assert_eq!(
            (
                r.input_per_m,
                r.cached_input_per_m,
                r.cache_write_5m_per_m,
                r.cache_write_1h_per_m,
                r.output_per_m
            ),
            (d("2.7"), d("2.7"), d("2.7"), d("5.4"), d("12"))
        );
    }

    #[test]
    fn picks_the_latest_card_in_effect_case_insensitively() {
        let cards = vec![
            card("old", "GPT-5.4", (2026, 1, 1), "3", None, "15"),
            card("new", "GPT-5.4", (2026, 5, 12), "2.5", None, "15"),
            card("tie", "gpt-5.4", (2026, 5, 12), "9", None, "9"),
        ];
        let book = PriceBook::new(&cards);
        let on = |m, dd| {
            book.card(
                "openai ",
                "gpt-5.4",
                Date::new(2026, m, dd).unwrap_or_else(|| panic!()),
            )
            .map(|c| c.id.clone())
        };
        assert_eq!(on(5, 11), Ok("old".into()));
        assert_eq!(on(5, 12), Ok("new".into()));
        let early = book.card(
            "OpenAI",
            "GPT-5.4",
            Date::new(2025, 12, 31).unwrap_or_else(|| panic!()),
        );
        assert_eq!(
            early.err(),
            Some(
                "no rate card in effect on 2025-12-31 (the earliest takes effect 2026-01-01)"
                    .into()
            )
        );
        assert!(
            book.card(
                "OpenAI",
                "other",
                Date::new(2026, 6, 1).unwrap_or_else(|| panic!())
            )
            .is_err()
        );
    }

    #[test]
    fn unpriced_models_are_listed_never_zero() {
        let mut agg = Aggregate::new(AggregateSettings::default());
        for (n, model) in [
            (1, "GPT-5.4"),
            (2, "mystery"),
            (3, "mystery"),
            (4, "GPT-5.4"),
        ] {
            agg.add_row(&row(n, "w", 12, model))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        agg.normalize();
        let cards = vec![card(
            "c",
            "gpt-5.4",
            (2026, 5, 1),
            "2.5",
            Some("0.25"),
            "15",
        )];
        let priced = price(&agg, &cards).unwrap_or_else(|e| panic!("{e}"));
        let day = priced.workloads["w"]
            .values()
            .next()
            .unwrap_or_else(|| panic!("day"));
        // Per row: 400×2.5 + 600×0.25 + 200×15 = 4150 per million = $0.00415; two rows.
        assert_eq!(day.counters.inference_cost, d("0.0083"));
        assert_eq!(
            (day.counters.priced_rows, day.counters.unpriced_rows),
            (2, 2)
        );
        let mystery = day
            .usage
            .iter()
            .find(|u| u.model == "mystery")
            .unwrap_or_else(|| panic!());
        assert_eq!(mystery.cost, None);
        assert_eq!(
            priced.unpriced,
            vec![UnpricedModel {
                provider: "OpenAI".into(),
                model: "mystery".into(),
                rows: 2,
                first_row: 2,
                reason: "no rate card for this provider and model (by id, declared alias or dated snapshot) — add one, or declare this id among a card's aliases".into()
            }]
        );
        // Per row, the same price.
        let rates = token_rates(&cards[0])
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!());
        assert_eq!(
            price_row(&row(1, "w", 12, "x").usage, &rates),
            Some(d("0.00415"))
        );
        // The input aggregate is untouched.
        assert!(agg.unpriced.is_empty());
    }

    #[test]
    fn gpu_cards_do_not_price_tokens() {
        let mut c = card("gpu", "GPT-5.4", (2026, 1, 1), "0", None, "0");
        c.pricing = RatePricing::Gpu {
            hourly_rate: d("3.99"),
            throughput_tps: 1000.0,
            utilization: 0.5,
        };
        let cards = [c];
        let book = PriceBook::new(&cards);
        let r = book.rates(
            "OpenAI",
            "GPT-5.4",
            Date::new(2026, 5, 1).unwrap_or_else(|| panic!()),
        );
        assert_eq!(
            r.ok().and_then(Result::err),
            Some("rate card \"gpu\" prices GPU-hours, not tokens".into())
        );
    }
}
