//! How reports write their numbers: one function per kind of figure, used by every table,
//! sentence and CSV export, so a figure reads the same wherever it is printed.
//!
//! Headline figures are written from the values `lcpr compute --json` outputs, rounded the same
//! way: money is a [`Decimal`] rounded to cents half away from zero ([`crate::money::to_cents`]);
//! LCPR is the f64 the evaluation carries (for a reconciliation, its Decimal converted as the
//! JSON writer converts it), written to 4 decimals.

use rust_decimal::Decimal;

use crate::money::{self, format_usd, to_cents};

/// Decimals of an LCPR: a tenth of a cent per accepted output is below what any decision turns on.
pub const LCPR_DECIMALS: usize = 4;

/// Dollars to the cent with thousands separators: `$1,234.50`, `-$950.00`.
#[must_use]
pub fn money(value: Decimal) -> String {
    let cents = to_cents(value);
    let text = format!("{:.2}", cents.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let sign = if cents.is_sign_negative() && !cents.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${}.{frac_part}", group_thousands(int_part))
}

/// A money change with its sign always shown: `+$12.30`, `-$4.00`, `$0.00`.
#[must_use]
pub fn money_change(value: Decimal) -> String {
    let text = money(value);
    if to_cents(value) > Decimal::ZERO {
        format!("+{text}")
    } else {
        text
    }
}

/// An LCPR in dollars per accepted output, to [`LCPR_DECIMALS`] places: `$0.0846`.
#[must_use]
pub fn lcpr(value: f64) -> String {
    format_usd(value, LCPR_DECIMALS)
}

/// An LCPR held as a Decimal (a reconciliation's), written from the f64 the JSON output carries.
#[must_use]
pub fn lcpr_decimal(value: Decimal) -> String {
    lcpr(money::to_f64(value))
}

/// An LCPR change with its sign always shown: `+$0.0012`.
#[must_use]
pub fn lcpr_change(value: f64) -> String {
    let text = lcpr(value);
    if value > 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        format!("+{text}")
    } else {
        text
    }
}

/// A fraction as a percentage with one decimal: 0.8254 → `82.5%`.
#[must_use]
pub fn percent(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.1}%", fraction * 100.0)
    } else {
        "—".to_owned()
    }
}

/// A change as a signed percentage with one decimal: 0.024 → `+2.4%`.
#[must_use]
pub fn percent_change(fraction: f64) -> String {
    let text = percent(fraction);
    if fraction > 0.0 && text != "0.0%" {
        format!("+{text}")
    } else {
        text
    }
}

/// A count rounded to a whole number with thousands separators: `412,000`.
#[must_use]
pub fn count(value: f64) -> String {
    number(value, 0)
}

/// A plain number with thousands separators and at most `max_decimals` places, trailing zeros
/// dropped: register values of every kind (volumes, rates, dollars) read naturally.
#[must_use]
pub fn number(value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", max_decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (text.as_str(), ""),
    };
    let negative = value < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let sign = if negative { "-" } else { "" };
    if frac_part.is_empty() {
        format!("{sign}{}", group_thousands(int_part))
    } else {
        format!("{sign}{}.{frac_part}", group_thousands(int_part))
    }
}

/// A register entry's value as people read it: a share as a percentage (`45%`, `3.5%`), any
/// other input with thousands separators and up to four decimals (`320,000`, `0.004`).
#[must_use]
pub fn register_value(entry: &crate::document::RegisterEntry, value: f64) -> String {
    let share = entry
        .binds
        .as_ref()
        .and_then(|b| b.field_ref().ok())
        .is_some_and(|f| f.rule().is_share());
    if share {
        format!("{}%", number(value * 100.0, 2))
    } else {
        number(value, 4)
    }
}

/// A forecast driver's value by what it is (the last part of its id): requests grouped, growth
/// and acceptance as percentages, per-request costs to the tenth of a cent, monthly costs in
/// dollars, multipliers as `×1.15`.
#[must_use]
pub fn forecast_value(id: &str, value: f64) -> String {
    let field = id.rsplit('.').next().unwrap_or(id);
    match field {
        "monthly_requests" => count(value),
        "monthly_growth" => percent_change(value),
        "acceptance_rate" | "rate" => percent(value),
        "inference_cost_per_request" | "eval_cost_per_request" | "human_cost_per_request" => {
            crate::money::format_usd(value, 4)
        }
        "fixed_monthly_cost" => crate::money::format_usd(value, 0),
        "factor" | "inference_multiplier" | "token_cost_multiplier" => {
            format!("×{}", number(value, 3))
        }
        _ => number(value, 4),
    }
}

/// Milliseconds, whole: `780 ms`.
#[must_use]
pub fn millis(value: f64) -> String {
    format!("{} ms", count(value))
}

/// Digits grouped by thousands with commas: `412000` → `412,000`.
#[must_use]
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A gate comparison's row as every face shows it: the metric's name, baseline, candidate,
/// change and direction, each value in the metric's own unit (an LCPR in dollars, a rate as a
/// percentage, a latency in ms).
#[must_use]
pub fn metric_delta_row(d: &crate::decide::gates::MetricDelta) -> [String; 5] {
    use crate::decide::gates::{Metric, Movement};
    let value = |v: f64| match d.metric {
        Metric::Lcpr => lcpr(v),
        Metric::QualityPassRate | Metric::CacheHitRate => percent(v),
        Metric::P95LatencyMs => millis(v),
    };
    let change = match (d.relative, d.metric) {
        (Some(r), _) => percent_change(r),
        (None, Metric::Lcpr) => lcpr_change(d.absolute),
        (None, Metric::P95LatencyMs) => format!("{:+.0} ms", d.absolute),
        (None, _) => format!("{:+.1} points", d.absolute * 100.0),
    };
    let movement = match d.movement {
        Movement::Better => "better",
        Movement::Worse => "worse",
        Movement::Unchanged => "unchanged",
    };
    [
        d.metric.label().to_owned(),
        value(d.baseline),
        value(d.candidate),
        change,
        movement.to_owned(),
    ]
}

/// A scenario's raw and cache-adjusted token cost as every table shows them: "—" for a route
/// billed per GPU-hour, whose cost is not per token (never $0.00).
#[must_use]
pub fn token_cost_cells(s: &crate::case::evaluation::ScenarioResult) -> (String, String) {
    match &s.cost {
        Some(c) if !s.route_kind.is_some_and(|k| k.is_gpu()) => {
            (money(c.raw_token_cost), money(c.cache_adjusted_token_cost))
        }
        _ => ("—".to_owned(), "—".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn forecast_values_read_by_what_they_are() {
        assert_eq!(
            forecast_value("support.monthly_requests", 400_000.0),
            "400,000"
        );
        assert_eq!(forecast_value("support.monthly_growth", 0.02), "+2.0%");
        assert_eq!(forecast_value("support.acceptance_rate", 0.86), "86.0%");
        assert_eq!(
            forecast_value("support.inference_cost_per_request", 0.00966),
            "$0.0097"
        );
        assert_eq!(
            forecast_value("support.fixed_monthly_cost", 3300.0),
            "$3,300"
        );
        assert_eq!(
            forecast_value("move/changes[0].token_cost_multiplier", 1.15),
            "×1.15"
        );
    }

    #[test]
    fn register_values_read_as_percentages_or_grouped_numbers() {
        let text = include_str!("../../../../workspaces/support-migration.yaml");
        let ws = crate::document::parse(text, "support-migration.yaml").unwrap();
        let entry = |id: &str| ws.register.iter().find(|e| e.id == id).unwrap();
        assert_eq!(register_value(entry("cache-hit-gpt"), 0.45), "45%");
        assert_eq!(register_value(entry("escalation"), 0.035), "3.5%");
        assert_eq!(register_value(entry("volume"), 320_000.0), "320,000");
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn money_rounds_to_cents_half_away_from_zero() {
        assert_eq!(money(d("9090")), "$9,090.00");
        assert_eq!(money(d("1234567.891")), "$1,234,567.89");
        // An exact half cent goes up, where f64 formatting would round to even.
        assert_eq!(money(d("0.125")), "$0.13");
        assert_eq!(money(d("-0.125")), "-$0.13");
        assert_eq!(money(d("-0.001")), "$0.00");
        assert_eq!(money(d("999.995")), "$1,000.00");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(money_change(d("12.3")), "+$12.30");
        assert_eq!(money_change(d("-4")), "-$4.00");
        assert_eq!(money_change(d("0.004")), "$0.00");
        assert_eq!(lcpr_change(0.0012), "+$0.0012");
        assert_eq!(lcpr_change(-0.0012), "-$0.0012");
        assert_eq!(lcpr_change(0.00001), "$0.0000");
        assert_eq!(percent_change(0.024), "+2.4%");
        assert_eq!(percent_change(-0.118), "-11.8%");
        assert_eq!(percent_change(0.0001), "0.0%");
    }

    #[test]
    fn lcpr_has_four_places_and_matches_the_money_helper() {
        // 36,181.13 / 427,456 = 0.084643…
        assert_eq!(lcpr(36_181.13 / 427_456.0), "$0.0846");
        assert_eq!(lcpr(1234.5), "$1,234.5000");
        assert_eq!(lcpr_decimal(d("0.08464")), "$0.0846");
        assert_eq!(lcpr(f64::NAN), "—");
    }

    #[test]
    fn numbers_drop_trailing_zeros_and_group() {
        assert_eq!(number(400_000.0, 4), "400,000");
        assert_eq!(number(0.45, 4), "0.45");
        assert_eq!(number(2.0, 4), "2");
        assert_eq!(number(-1234.5, 2), "-1,234.5");
        assert_eq!(number(-0.00001, 2), "0");
        assert_eq!(count(412_000.4), "412,000");
        assert_eq!(percent(0.8254), "82.5%");
        assert_eq!(percent(f64::INFINITY), "—");
        assert_eq!(millis(780.0), "780 ms");
    }
}
