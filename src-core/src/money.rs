//! Money and the one place where it meets f64.
//!
//! Prices, costs and invoice amounts are [`Decimal`] wherever they are stored, so a workspace
//! round-trips exactly and reconciliations add up to the cent. JSON and YAML numbers reach
//! `Decimal` through their shortest round-trip text, which equals what a person typed for up to
//! 15 significant digits.
//!
//! f64 is used, deliberately, in three places:
//! - the profile estimate of LCPR ([`crate::calc::lcpr`]), break-even and sensitivity: they model
//!   rates × volumes, are swept and sampled millions of times, and their inputs (hit rates,
//!   utilization, token means) are themselves estimates known to two or three digits; f64's 15–16
//!   significant digits are far beyond that, and Decimal arithmetic is about 16× slower;
//! - statistics over measurements (percentiles, goodput rates);
//! - chart coordinates.
//!
//! Reconciliation of measured money ([`crate::calc::trace_to_margin`], [`crate::calc::payback`],
//! [`crate::calc::cache_break_even`]) stays in Decimal end to end; results leave as f64 only when they
//! are written to JSON.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

/// Decimal → f64 for computations that run in f64 (see the module docs).
#[must_use]
pub fn to_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// f64 → Decimal via its shortest round-trip text, so 0.1 becomes exactly 0.1.
///
/// Returns `None` for non-finite values and magnitudes Decimal cannot hold (> 7.9e28).
#[must_use]
pub fn from_f64(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    let text = value.to_string();
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_f64(value))
}

/// Rounds a money amount to cents, half away from zero, for display and memo tables.
#[must_use]
pub fn to_cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// A million, the unit of `*_per_m` token prices.
pub const TOKENS_PER_PRICE_UNIT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Formats dollars with thousands separators and `decimals` places: `$1,234.50`.
#[must_use]
pub fn format_usd(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac_part {
        Some(f) => format!("{sign}${grouped}.{f}"),
        None => format!("{sign}${grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn from_f64_keeps_typed_digits() {
        assert_eq!(from_f64(0.1), Decimal::from_str("0.1").ok());
        assert_eq!(from_f64(3.99), Decimal::from_str("3.99").ok());
        assert_eq!(from_f64(1e-7), Decimal::from_str("0.0000001").ok());
        assert_eq!(from_f64(f64::NAN), None);
    }

    #[test]
    fn ten_tenths_make_exactly_one() {
        let tenth = from_f64(0.1).unwrap_or_default();
        let sum: Decimal = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(sum, Decimal::ONE);
    }

    #[test]
    fn cents_round_half_away_from_zero() {
        assert_eq!(to_cents(Decimal::new(12345, 3)), Decimal::new(1235, 2));
        assert_eq!(to_cents(Decimal::new(-12345, 3)), Decimal::new(-1235, 2));
    }

    #[test]
    fn usd_format_groups_thousands() {
        assert_eq!(format_usd(1234567.891, 2), "$1,234,567.89");
        assert_eq!(format_usd(-950.0, 0), "-$950");
        assert_eq!(format_usd(0.2335, 4), "$0.2335");
        assert_eq!(format_usd(-0.001, 2), "$0.00");
        assert_eq!(format_usd(f64::INFINITY, 2), "—");
    }
}

/// Serde for money in files: a bare number when that number reads back as exactly the same
/// Decimal, else a quoted string, so files stay readable and still round-trip exactly.
///
/// Reading accepts both forms. Use as `#[serde(with = "crate::money::exact")]`.
pub mod exact {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `value` as a number when lossless, else as a string.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let as_float = super::to_f64(*value);
        match super::from_f64(as_float) {
            Some(back) if back == *value => s.serialize_f64(as_float),
            _ => s.serialize_str(&value.to_string()),
        }
    }

    /// Reads a number or a decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        <Decimal as Deserialize>::deserialize(d)
    }
}

/// [`exact`] for optional amounts (`None` is left out of the file).
pub mod exact_option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `Some` as [`super::exact`] does; `None` as null (callers skip it).
    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::exact::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Reads an optional number or decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<Decimal>::deserialize(d)
    }
}
