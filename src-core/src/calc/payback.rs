//! Payback of a migration: months of savings that repay the engineering investment.
//!
//! Decimal throughout: the inputs are budget figures.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult, non_negative_money};

/// Current and projected monthly cost and the one-off investment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaybackInput {
    /// Monthly cost on the current route.
    pub current_monthly_cost: Decimal,
    /// Monthly cost on the candidate route.
    pub projected_monthly_cost: Decimal,
    /// One-off engineering cost of the migration.
    pub engineering_investment: Decimal,
}

/// The payback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payback {
    /// Current − projected.
    #[serde(with = "rust_decimal::serde::float")]
    pub monthly_savings: Decimal,
    /// Investment ÷ monthly savings; `None` when the move saves nothing.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub payback_months: Option<Decimal>,
    /// True when monthly savings are positive.
    pub pays_back: bool,
}

/// Computes the payback period.
pub fn payback(input: &PaybackInput) -> InputResult<Payback> {
    non_negative_money("current_monthly_cost", input.current_monthly_cost)?;
    non_negative_money("projected_monthly_cost", input.projected_monthly_cost)?;
    non_negative_money("engineering_investment", input.engineering_investment)?;
    let savings = input.current_monthly_cost - input.projected_monthly_cost;
    let pays_back = savings > Decimal::ZERO;
    let months = if pays_back {
        Some(
            input
                .engineering_investment
                .checked_div(savings)
                .ok_or_else(|| {
                    InputError::new("engineering_investment", "is too large to compute exactly")
                })?,
        )
    } else {
        None
    };
    Ok(Payback {
        monthly_savings: savings,
        payback_months: months,
        pays_back,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(current: i64, projected: i64, investment: i64) -> PaybackInput {
        PaybackInput {
            current_monthly_cost: Decimal::from(current),
            projected_monthly_cost: Decimal::from(projected),
            engineering_investment: Decimal::from(investment),
        }
    }

    #[test]
    fn months_of_savings() {
        let p = payback(&input(10_000, 4_000, 12_000)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.payback_months, Some(Decimal::from(2)));
        let p = payback(&input(5_000, 1_000, 0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.payback_months, Some(Decimal::ZERO));
    }

    #[test]
    fn no_savings_never_pays_back() {
        let p = payback(&input(1_000, 1_000, 10)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.payback_months, p.pays_back), (None, false));
    }

    #[test]
    fn negative_investment_is_refused() {
        let err = payback(&input(1_000, 500, -1)).err();
        assert_eq!(err.map(|e| e.field), Some("engineering_investment".into()));
    }
}
