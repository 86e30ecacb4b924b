//! The `exchange_rates` section: what one unit of another currency is worth in the workspace's
//! currency over a period, so an invoice billed in that currency can be checked and reconciled.
//! Without one, such an invoice is refused rather than read as if it were the workspace's money.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Date, Period};

/// One rate, in force from `from` to `to` (both inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// ISO code of the billed currency (`EUR`).
    pub currency: String,
    /// First day the rate applies to.
    pub from: Date,
    /// Last day the rate applies to.
    pub to: Date,
    /// Units of the workspace's currency per unit of `currency` (1.08 USD per EUR).
    #[serde(with = "crate::money::exact")]
    pub rate: Decimal,
    /// Where the rate comes from (the treasury's month-end rate, the invoice's own), optional.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// The rate for `currency` whose days hold the whole of `period`, if one does.
#[must_use]
pub fn rate_for<'a>(
    rates: &'a [ExchangeRate],
    currency: &str,
    period: Period,
) -> Option<&'a ExchangeRate> {
    rates.iter().find(|r| {
        r.currency.eq_ignore_ascii_case(currency) && r.from <= period.start && period.end <= r.to
    })
}

/// The rules an exchange-rate list must keep, as (index, field, rule) for each one broken.
#[must_use]
pub fn problems(rates: &[ExchangeRate], home: &str) -> Vec<(usize, &'static str, String)> {
    let mut out = Vec::new();
    for (i, r) in rates.iter().enumerate() {
        if r.currency.len() != 3 || !r.currency.chars().all(|c| c.is_ascii_uppercase()) {
            out.push((
                i,
                "currency",
                format!("must be a three-letter ISO code, got {:?}", r.currency),
            ));
        } else if r.currency == home {
            out.push((
                i,
                "currency",
                format!("is the workspace's own currency ({home}): no rate is needed"),
            ));
        }
        if r.rate <= Decimal::ZERO {
            out.push((i, "rate", format!("must be > 0, got {}", r.rate)));
        }
        if r.to < r.from {
            out.push((
                i,
                "to",
                format!("must be on or after from ({}), got {}", r.from, r.to),
            ));
        }
        if let Some(j) = rates[..i]
            .iter()
            .position(|o| o.currency == r.currency && o.from <= r.to && r.from <= o.to)
        {
            out.push((
                i,
                "from",
                format!(
                    "overlaps exchange_rates[{j}] for {}: one rate per currency and day",
                    r.currency
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(currency: &str, from: &str, to: &str, rate: &str) -> ExchangeRate {
        ExchangeRate {
            currency: currency.into(),
            from: from.parse().unwrap_or_else(|e| panic!("{e}")),
            to: to.parse().unwrap_or_else(|e| panic!("{e}")),
            rate: rate.parse().unwrap_or_else(|e| panic!("{e}")),
            source: String::new(),
        }
    }

    #[test]
    fn a_rate_applies_only_to_periods_it_holds_whole() {
        let rates = [rate("EUR", "2026-10-01", "2026-10-31", "1.08")];
        let day = |s: &str| s.parse::<Date>().unwrap_or_else(|e| panic!("{e}"));
        let october = Period {
            start: day("2026-10-01"),
            end: day("2026-10-31"),
        };
        assert!(rate_for(&rates, "eur", october).is_some());
        assert!(rate_for(&rates, "GBP", october).is_none());
        let across = Period {
            start: day("2026-10-15"),
            end: day("2026-11-14"),
        };
        assert!(rate_for(&rates, "EUR", across).is_none());
    }

    #[test]
    fn bad_rates_are_named() {
        let rates = [
            rate("EUR", "2026-10-01", "2026-10-31", "1.08"),
            rate("EUR", "2026-10-31", "2026-11-30", "1.07"),
            rate("usd", "2026-10-01", "2026-10-31", "0"),
            rate("USD", "2026-10-01", "2026-10-31", "1"),
        ];
        let p = problems(&rates, "USD");
        let fields: Vec<(usize, &str)> = p.iter().map(|(i, f, _)| (*i, *f)).collect();
        assert_eq!(
            fields,
            [(1, "from"), (2, "currency"), (2, "rate"), (3, "currency")]
        );
    }
}
