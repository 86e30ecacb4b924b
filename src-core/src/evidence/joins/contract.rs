//! Contracted rates per model and meter, with the dates they are in force.
//!
//! The contract is the fourth source of a reconciliation: the price the vendor agreed to, against
//! which each invoice line is checked. Rates come from a contract CSV (one row per provider,
//! model, meter and effective date) or from the workspace's rate cards, each card priced after
//! its contract overlay exactly as scenarios price it ([`effective_rates`]).
//!
//! The rate in force on a day is the one whose `effective_from` is the latest on or before that
//! day (and whose `effective_to`, if any, is not before it): an amendment supersedes the rate it
//! replaces from its own start date, whether or not the older row was given an end date. A line
//! is priced at the rate in force on the first day of its charge period.

use std::collections::BTreeMap;
use std::io::Read;

use rust_decimal::Decimal;

use super::csv::{ImportError, Record, read_csv};
use crate::document::contracts::{
    ContractRate, ContractRates, Meter, RateKey, check_rate, repeats,
};
use crate::document::effective_rates;
use crate::document::{RateCard, RatePricing};
use crate::error::{InputError, InputResult};
use crate::money;

/// `existing` rates with `incoming` added: a rate already held (same provider, model, meter and
/// start date) is replaced by the incoming one when the two agree on rate and end date, and
/// refused when they differ, since a contract does not silently change its terms; an amendment
/// carries its own start date.
pub fn merge_rates(
    existing: &[ContractRate],
    incoming: &ContractRates,
) -> InputResult<ContractRates> {
    let mut merged: BTreeMap<RateKey, ContractRate> =
        existing.iter().map(|r| (r.key(), r.clone())).collect();
    for rate in incoming.rates() {
        if let Some(held) = merged.get(&rate.key())
            && (held.rate != rate.rate || held.effective_to != rate.effective_to)
        {
            return Err(InputError::new(
                "rates",
                format!(
                    "{} {} {} from {}: {} sets {} but the workspace holds {} from {}; give an amendment its own start date",
                    rate.provider,
                    rate.model,
                    rate.meter,
                    rate.effective_from,
                    rate.source,
                    rate.rate,
                    held.rate,
                    held.source
                ),
            ));
        }
        merged.insert(rate.key(), rate.clone());
    }
    ContractRates::new(merged.into_values().collect())
}

/// The columns of a contract CSV; `effective_to` is optional.
pub const CONTRACT_COLUMNS: [&str; 6] = [
    "provider",
    "model",
    "meter",
    "rate",
    "unit",
    "effective_from",
];

fn contract_row(r: &dyn Record) -> Result<ContractRate, ImportError> {
    let meter_text = r.text("meter")?;
    let meter: Meter = meter_text.parse().map_err(|rule| r.error("meter", rule))?;
    let unit = r.text("unit")?;
    let scale = meter.units_in(unit).map_err(|rule| r.error("unit", rule))?;
    let rate = r.non_negative_decimal("rate")?;
    let rate = rate
        .checked_mul(meter.price_unit())
        .and_then(|v| v.checked_div(scale))
        .ok_or_else(|| r.error("rate", "is too large to compute exactly".to_owned()))?
        .normalize();
    let contract = ContractRate {
        provider: r.optional_text("provider").unwrap_or_default().to_owned(),
        model: r.text("model")?.to_owned(),
        meter,
        rate,
        effective_from: r.date("effective_from")?,
        effective_to: r.optional_date("effective_to")?,
        source: r.location().describe(),
        amount_tolerance: r.optional_decimal("amount_tolerance")?,
    };
    check_rate(&contract).map_err(|(field, rule)| r.error(field, rule))?;
    Ok(contract)
}

/// Reads a contract CSV ([`CONTRACT_COLUMNS`] and optionally `effective_to`): rates are
/// normalised to dollars per million tokens or per GPU-hour whatever `unit` they are quoted in.
pub fn read_contract<R: Read>(file: &str, source: R) -> Result<ContractRates, ImportError> {
    let mut rates: Vec<ContractRate> = Vec::new();
    let mut seen: BTreeMap<RateKey, usize> = BTreeMap::new();
    read_csv(file, source, &CONTRACT_COLUMNS, |r| {
        let rate = contract_row(r)?;
        if let Some(earlier) = seen.get(&rate.key()).and_then(|&i| rates.get(i)) {
            return Err(r.location().error(None, repeats(earlier)));
        }
        seen.insert(rate.key(), rates.len());
        rates.push(rate);
        Ok(())
    })?;
    Ok(ContractRates::sorted(rates))
}

/// The rates a workspace's rate cards set, after each card's contract overlay: one rate per
/// priced meter per card, in force from the card's `effective_from` until a later card for the
/// same provider and model takes over.
///
/// Batch rates carry the card's contract discount, as scenario pricing applies it. A committed
/// monthly spend is a floor on the whole bill, not a unit rate, and is not checked here.
pub fn from_rate_cards(cards: &[RateCard]) -> InputResult<ContractRates> {
    let mut rates = Vec::new();
    let mut seen: BTreeMap<RateKey, &str> = BTreeMap::new();
    for (i, card) in cards.iter().enumerate() {
        let at = format!("rate_cards[{i}]");
        let effective = effective_rates(card).map_err(|e| e.within(&at))?;
        let discount = money::from_f64(card.contract.as_ref().map_or(0.0, |c| c.discount))
            .ok_or_else(|| InputError::new(format!("{at}.contract.discount"), "is not a number"))?;
        let discounted = |list: Option<Decimal>| -> InputResult<Option<Decimal>> {
            list.map(|v| {
                v.checked_mul(Decimal::ONE - discount)
                    .map(|p| p.round_dp(10).normalize())
                    .ok_or_else(|| {
                        InputError::new(format!("{at}.pricing"), "is too large to compute exactly")
                    })
            })
            .transpose()
        };
        let priced: Vec<(Meter, Option<Decimal>)> = match &card.pricing {
            RatePricing::Tokens {
                batch_input_per_m,
                batch_output_per_m,
                ..
            } => vec![
                (Meter::InputTokens, effective.input_per_m),
                (Meter::CachedInputTokens, effective.cached_input_per_m),
                (Meter::OutputTokens, effective.output_per_m),
                (Meter::BatchInputTokens, discounted(*batch_input_per_m)?),
                (Meter::BatchOutputTokens, discounted(*batch_output_per_m)?),
            ],
            RatePricing::Gpu { .. } => vec![(Meter::GpuHours, effective.hourly_rate)],
        };
        let source = match card.contract.as_ref().map(|c| c.reference.as_str()) {
            Some(reference) if !reference.is_empty() => {
                format!("rate card {} (contract {reference})", card.id)
            }
            _ => format!("rate card {}", card.id),
        };
        for (meter, rate) in priced {
            let Some(rate) = rate else { continue };
            let contract = ContractRate {
                provider: card.provider.clone(),
                model: card.model.clone(),
                meter,
                rate,
                effective_from: card.effective_from,
                effective_to: None,
                source: source.clone(),
                amount_tolerance: None,
            };
            if let Some(other) = seen.insert(contract.key(), card.id.as_str()) {
                return Err(InputError::new(
                    format!("{at}.effective_from"),
                    format!(
                        "repeats the start date {} of rate card {other} for {} {}",
                        card.effective_from, card.provider, card.model
                    ),
                ));
            }
            check_rate(&contract)
                .map_err(|(_, rule)| InputError::new(format!("{at}.pricing"), rule))?;
            rates.push(contract);
        }
    }
    Ok(ContractRates::sorted(rates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::ContractOverlay;
    use crate::document::Date;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    const AMENDED: &str = "provider,model,meter,rate,unit,effective_from,effective_to\n\
        Acme,draft-large,output_tokens,45,1M tokens,2025-08-01,2026-01-31\n\
        Acme,draft-large,input_tokens,0.012,1K tokens,2025-08-01,\n\
        Acme,draft-large,input_tokens,0.00001,tokens,2026-02-01,\n\
        Acme,draft-large,output_tokens,40,1M tokens,2026-02-01,\n\
        Other,draft-large,output_tokens,30,1M tokens,2026-01-01,\n";

    #[test]
    fn the_amendment_supersedes_the_old_tier_from_its_start_date() {
        let rates = read_contract("c.csv", AMENDED.as_bytes()).unwrap();
        let at = |m, on| {
            rates
                .in_force("acme", "Draft-Large", m, day(on))
                .unwrap()
                .map(|r| (r.rate, r.source.clone()))
        };
        assert_eq!(
            at(Meter::OutputTokens, "2026-01-31"),
            Some((d("45"), "c.csv row 2".into()))
        );
        assert_eq!(
            at(Meter::OutputTokens, "2026-05-01"),
            Some((d("40"), "c.csv row 5".into()))
        );
        // The old input row has no end date, yet the amendment takes over: 0.00001 $/token = $10/M
        // from February, 0.012 $/K = $12/M before.
        assert_eq!(
            at(Meter::InputTokens, "2026-05-01").map(|r| r.0),
            Some(d("10"))
        );
        assert_eq!(
            at(Meter::InputTokens, "2025-12-01").map(|r| r.0),
            Some(d("12"))
        );
        assert_eq!(at(Meter::InputTokens, "2025-07-31"), None);
        assert_eq!(at(Meter::CachedInputTokens, "2026-05-01"), None);
    }

    #[test]
    fn an_unnamed_provider_is_refused_when_two_contracts_price_the_model() {
        let rates = read_contract("c.csv", AMENDED.as_bytes()).unwrap();
        let err = rates
            .in_force("", "draft-large", Meter::OutputTokens, day("2026-05-01"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "provider must be named: draft-large output_tokens is contracted with acme and other on 2026-05-01"
        );
        // Input is contracted with one provider only.
        let only = rates
            .in_force("", "draft-large", Meter::InputTokens, day("2026-05-01"))
            .unwrap();
        assert_eq!(only.map(|r| r.rate), Some(d("10")));
    }

    #[test]
    fn contract_rows_are_refused_with_their_row_and_column() {
        let head = "provider,model,meter,rate,unit,effective_from,effective_to\n";
        let ok = "A,m,output_tokens,1,1M tokens,2026-01-01,\n";
        let cases = [
            (
                "A,m,output_tokens,1.2.3,1M tokens,2026-01-01,\n",
                Some("rate"),
                "must be a decimal number, got \"1.2.3\"",
            ),
            (
                "A,m,output_tokens,-1,1M tokens,2026-01-01,\n",
                Some("rate"),
                "must be ≥ 0, got -1",
            ),
            (
                "A,m,audio_seconds,1,1M tokens,2026-01-01,\n",
                Some("meter"),
                "must be one of input_tokens, cached_input_tokens, output_tokens, batch_input_tokens, batch_output_tokens, gpu_hours, got \"audio_seconds\"",
            ),
            (
                "A,m,gpu_hours,1,1M tokens,2026-01-01,\n",
                Some("unit"),
                "must be an hour unit (hours or GPU-hours) for gpu_hours, got \"1M tokens\"",
            ),
            (
                "A,m,input_tokens,1,1M tokens,2026-03-01,2026-02-01\n",
                Some("effective_to"),
                "must be on or after effective_from (2026-03-01), got 2026-02-01",
            ),
            (
                "A,m,input_tokens,1,1M tokens,01/03/2026,\n",
                Some("effective_from"),
                "must be a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ), got \"01/03/2026\"",
            ),
            (
                "a,M,output_tokens,2,1M tokens,2026-01-01,\n",
                None,
                "repeats the output_tokens rate of m from 2026-01-01 already given by c.csv row 2",
            ),
        ];
        for (row, column, rule) in cases {
            let err = read_contract("c.csv", format!("{head}{ok}{row}").as_bytes()).unwrap_err();
            assert_eq!((err.row, err.column.as_deref()), (Some(3), column), "{err}");
            assert_eq!(err.rule, rule);
        }
        let err = read_contract(
            "c.csv",
            "provider,model,meter,unit,effective_from\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.csv row 1: rate is missing from the header"
        );
    }

    fn card(id: &str, from: &str, contract: Option<ContractOverlay>) -> RateCard {
        RateCard {
            id: id.into(),
            provider: "Acme".into(),
            model: "draft-large".into(),
            aliases: Vec::new(),
            effective_from: day(from),
            source: String::new(),
            pricing: RatePricing::Tokens {
                input_per_m: d("12"),
                cached_input_per_m: Some(d("1")),
                cache_write_5m_per_m: None,
                cache_write_1h_per_m: None,
                output_per_m: d("45"),
                batch_input_per_m: Some(d("6")),
                batch_output_per_m: None,
            },
            contract,
            provenance: None,
            notes: String::new(),
        }
    }

    #[test]
    fn rate_cards_give_overlay_rates_by_effective_date() {
        let amended = ContractOverlay {
            reference: "MSA-7 amendment 2".into(),
            discount: 0.1,
            input_per_m: Some(d("10")),
            output_per_m: Some(d("40")),
            ..ContractOverlay::default()
        };
        let rates = from_rate_cards(&[
            card("acme-2025", "2025-08-01", None),
            card("acme-2026", "2026-02-01", Some(amended)),
        ])
        .unwrap();
        let rate = |m, on| {
            rates
                .in_force("Acme", "draft-large", m, day(on))
                .unwrap()
                .map(|r| (r.rate, r.source.clone()))
        };
        assert_eq!(
            rate(Meter::OutputTokens, "2026-05-01"),
            Some((
                d("40"),
                "rate card acme-2026 (contract MSA-7 amendment 2)".into()
            ))
        );
        assert_eq!(
            rate(Meter::OutputTokens, "2026-01-15"),
            Some((d("45"), "rate card acme-2025".into()))
        );
        // No negotiated cache rate: list 1 × (1 − 0.1) = 0.9; batch input 6 × 0.9 = 5.4.
        assert_eq!(
            rate(Meter::CachedInputTokens, "2026-05-01").map(|r| r.0),
            Some(d("0.9"))
        );
        assert_eq!(
            rate(Meter::BatchInputTokens, "2026-05-01").map(|r| r.0),
            Some(d("5.4"))
        );
        assert_eq!(rate(Meter::BatchOutputTokens, "2026-05-01"), None);
        assert_eq!(rate(Meter::GpuHours, "2026-05-01"), None);
    }

    #[test]
    fn two_cards_with_one_start_date_are_refused() {
        let err = from_rate_cards(&[card("a", "2026-02-01", None), card("b", "2026-02-01", None)])
            .unwrap_err();
        assert_eq!(err.field, "rate_cards[1].effective_from");
        assert!(err.rule.contains("rate card a"), "{err}");
    }

    #[test]
    fn new_validates_and_serde_round_trips() {
        let rate = ContractRate {
            provider: "A".into(),
            model: "m".into(),
            meter: Meter::GpuHours,
            rate: d("2.5"),
            effective_from: day("2026-01-01"),
            effective_to: None,
            source: String::new(),
            amount_tolerance: None,
        };
        let mut bad = rate.clone();
        bad.rate = d("-1");
        let err = ContractRates::new(vec![rate.clone(), bad]).unwrap_err();
        assert_eq!(err.field, "rates[1].rate");
        let err = ContractRates::new(vec![rate.clone(), rate.clone()]).unwrap_err();
        assert_eq!(err.field, "rates[1]");
        let rates = ContractRates::new(vec![rate]).unwrap();
        let json = serde_json::to_string(&rates).unwrap();
        let back: ContractRates = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rates);
        assert!(serde_json::from_str::<ContractRates>(&json.replace("2.5", "-2.5")).is_err());
    }

    #[test]
    fn merging_adds_new_rates_and_refuses_changed_terms() {
        let held = read_contract("a.csv", AMENDED.as_bytes()).unwrap();
        // The same file again changes nothing.
        let same = merge_rates(held.rates(), &held).unwrap();
        assert_eq!(same.rates().len(), held.rates().len());
        // A new amendment (its own start date) is added.
        let more = "provider,model,meter,rate,unit,effective_from\n\
            Acme,draft-large,output_tokens,38,1M tokens,2026-06-01\n";
        let added = merge_rates(
            held.rates(),
            &read_contract("b.csv", more.as_bytes()).unwrap(),
        )
        .unwrap();
        assert_eq!(added.rates().len(), held.rates().len() + 1);
        // The same start date with another rate is refused.
        let changed = "provider,model,meter,rate,unit,effective_from,effective_to\n\
            Acme,draft-large,output_tokens,44,1M tokens,2025-08-01,2026-01-31\n";
        let err = merge_rates(
            held.rates(),
            &read_contract("c.csv", changed.as_bytes()).unwrap(),
        )
        .unwrap_err();
        assert!(
            err.rule.contains("sets 44 but the workspace holds 45"),
            "{err}"
        );
    }
}
