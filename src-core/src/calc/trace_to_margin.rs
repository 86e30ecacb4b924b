//! Trace-to-margin reconciliation: from the trace-derived cost and the invoice to loaded cost,
//! LCPR and gross margin.
//!
//! Everything is Decimal: these are measured dollars that must add up to the cent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult, non_negative_money};

/// The sources of one period's reconciliation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceToMarginInput {
    /// Sum of per-request costs from serving traces.
    pub trace_cost: Decimal,
    /// What the provider billed.
    pub invoice_amount: Decimal,
    /// Eval grading.
    #[serde(default)]
    pub eval_cost: Decimal,
    /// Human escalation.
    #[serde(default)]
    pub human_cost: Decimal,
    /// Operations allocation.
    #[serde(default)]
    pub ops_cost: Decimal,
    /// Requests attempted (retries included).
    pub total_attempts: Decimal,
    /// Outputs accepted (eval pass or human sign-off).
    pub accepted_units: Decimal,
    /// Revenue per accepted output.
    #[serde(default)]
    pub revenue_per_unit: Decimal,
}

/// The reconciled period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceToMargin {
    /// Echo of the inputs.
    #[serde(flatten)]
    pub input: TraceToMarginEcho,
    /// Invoice − trace cost.
    #[serde(with = "rust_decimal::serde::float")]
    pub delta: Decimal,
    /// Delta ÷ trace cost; `None` when the trace cost is 0.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub delta_pct: Option<Decimal>,
    /// True when |delta %| exceeds the 5% investigation threshold.
    pub delta_flagged: bool,
    /// Invoice + eval + human + ops.
    #[serde(with = "rust_decimal::serde::float")]
    pub total_loaded_cost: Decimal,
    /// Loaded cost ÷ accepted outputs.
    #[serde(with = "rust_decimal::serde::float")]
    pub lcpr: Decimal,
    /// Revenue per unit × accepted.
    #[serde(with = "rust_decimal::serde::float")]
    pub revenue: Decimal,
    /// Revenue − loaded cost.
    #[serde(with = "rust_decimal::serde::float")]
    pub gross_margin: Decimal,
    /// Margin ÷ revenue; 0 when there is no revenue.
    #[serde(with = "rust_decimal::serde::float")]
    pub gross_margin_pct: Decimal,
    /// Trace cost ÷ attempts: what a token dashboard calls cost per request.
    #[serde(with = "rust_decimal::serde::float")]
    pub naive_cost_per_unit: Decimal,
    /// LCPR ÷ naive cost; `None` when the naive cost is 0.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub lcpr_to_naive_ratio: Option<Decimal>,
}

/// The inputs as echoed in the result (numbers in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceToMarginEcho {
    #[serde(with = "rust_decimal::serde::float")]
    /// Trace-derived cost.
    pub trace_cost: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Invoiced amount.
    pub invoice_amount: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Eval grading.
    pub eval_cost: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Human escalation.
    pub human_cost: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Operations allocation.
    pub ops_cost: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Attempts.
    pub total_attempts: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Accepted outputs.
    pub accepted_units: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    /// Revenue per accepted output.
    pub revenue_per_unit: Decimal,
}

/// The investigation threshold for a trace-to-invoice delta: 5%.
pub const DELTA_THRESHOLD: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

fn overflow(field: &str) -> InputError {
    InputError::new(field, "is too large to compute exactly")
}

/// Reconciles one period.
pub fn trace_to_margin(input: &TraceToMarginInput) -> InputResult<TraceToMargin> {
    for (field, value) in [
        ("trace_cost", input.trace_cost),
        ("invoice_amount", input.invoice_amount),
        ("eval_cost", input.eval_cost),
        ("human_cost", input.human_cost),
        ("ops_cost", input.ops_cost),
        ("revenue_per_unit", input.revenue_per_unit),
    ] {
        non_negative_money(field, value)?;
    }
    if input.total_attempts <= Decimal::ZERO {
        return Err(InputError::new(
            "total_attempts",
            format!("must be > 0, got {}", input.total_attempts),
        ));
    }
    if input.accepted_units <= Decimal::ZERO {
        return Err(InputError::new(
            "accepted_units",
            format!("must be > 0, got {}", input.accepted_units),
        ));
    }
    if input.accepted_units > input.total_attempts {
        return Err(InputError::new(
            "accepted_units",
            format!(
                "must be ≤ total_attempts ({}), got {}",
                input.total_attempts, input.accepted_units
            ),
        ));
    }
    let delta = input.invoice_amount - input.trace_cost;
    // checked_div is None for a zero trace cost: no percentage of nothing.
    let delta_pct = delta.checked_div(input.trace_cost);
    let total_loaded_cost = [
        input.invoice_amount,
        input.eval_cost,
        input.human_cost,
        input.ops_cost,
    ]
    .into_iter()
    .try_fold(Decimal::ZERO, Decimal::checked_add)
    .ok_or_else(|| overflow("total_loaded_cost"))?;
    let lcpr = total_loaded_cost
        .checked_div(input.accepted_units)
        .ok_or_else(|| overflow("accepted_units"))?;
    let revenue = input
        .revenue_per_unit
        .checked_mul(input.accepted_units)
        .ok_or_else(|| overflow("revenue_per_unit"))?;
    let gross_margin = revenue - total_loaded_cost;
    let gross_margin_pct = if revenue.is_zero() {
        Decimal::ZERO
    } else {
        gross_margin
            .checked_div(revenue)
            .ok_or_else(|| overflow("revenue_per_unit"))?
    };
    let naive_cost_per_unit = input
        .trace_cost
        .checked_div(input.total_attempts)
        .ok_or_else(|| overflow("total_attempts"))?;
    let lcpr_to_naive_ratio = if naive_cost_per_unit.is_zero() {
        None
    } else {
        lcpr.checked_div(naive_cost_per_unit)
    };
    Ok(TraceToMargin {
        input: TraceToMarginEcho {
            trace_cost: input.trace_cost,
            invoice_amount: input.invoice_amount,
            eval_cost: input.eval_cost,
            human_cost: input.human_cost,
            ops_cost: input.ops_cost,
            total_attempts: input.total_attempts,
            accepted_units: input.accepted_units,
            revenue_per_unit: input.revenue_per_unit,
        },
        delta,
        delta_flagged: delta_pct.is_some_and(|p| p.abs() > DELTA_THRESHOLD),
        delta_pct,
        total_loaded_cost,
        lcpr,
        revenue,
        gross_margin,
        gross_margin_pct,
        naive_cost_per_unit,
        lcpr_to_naive_ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn support_seed() -> TraceToMarginInput {
        TraceToMarginInput {
            trace_cost: d("14200"),
            invoice_amount: d("14850"),
            eval_cost: d("800"),
            human_cost: d("1000"),
            ops_cost: d("2500"),
            total_attempts: d("100000"),
            accepted_units: d("82000"),
            revenue_per_unit: d("0.54878"),
        }
    }

    #[test]
    fn support_answer_monthly_seed() {
        let r = trace_to_margin(&support_seed()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.delta, d("650"));
        assert_eq!(r.total_loaded_cost, d("19150"));
        assert_eq!(r.revenue, d("44999.96"));
        assert_eq!(r.gross_margin, d("25849.96"));
        assert_eq!(r.lcpr.round_dp(4), d("0.2335"));
        assert_eq!(r.gross_margin_pct.round_dp(3), d("0.574"));
        assert_eq!(
            r.lcpr_to_naive_ratio.map(|v| v.round_dp(2)),
            Some(d("1.64"))
        );
        // 650 / 14200 = 4.58%: under the 5% threshold.
        assert!(!r.delta_flagged);
    }

    #[test]
    fn delta_above_five_percent_is_flagged() {
        let mut i = support_seed();
        i.invoice_amount = d("15341");
        i.trace_cost = d("14127");
        let r = trace_to_margin(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.delta, d("1214"));
        assert!(r.delta_flagged);
    }

    #[test]
    fn zero_revenue_reports_zero_margin_pct() {
        let mut i = support_seed();
        i.revenue_per_unit = Decimal::ZERO;
        let r = trace_to_margin(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.gross_margin_pct, Decimal::ZERO);
        assert!(r.gross_margin.is_sign_negative());
    }

    #[test]
    fn zero_trace_cost_has_no_ratio() {
        let mut i = support_seed();
        i.trace_cost = Decimal::ZERO;
        let r = trace_to_margin(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.lcpr_to_naive_ratio, None);
        assert_eq!(r.delta_pct, None);
    }

    #[test]
    fn denominators_are_checked() {
        let mut i = support_seed();
        i.accepted_units = Decimal::ZERO;
        assert_eq!(
            trace_to_margin(&i).err().map(|e| e.field),
            Some("accepted_units".into())
        );
        let mut i = support_seed();
        i.accepted_units = d("100001");
        assert!(trace_to_margin(&i).is_err());
        let mut i = support_seed();
        i.total_attempts = Decimal::ZERO;
        assert_eq!(
            trace_to_margin(&i).err().map(|e| e.field),
            Some("total_attempts".into())
        );
        let mut i = support_seed();
        i.eval_cost = d("-1");
        assert_eq!(
            trace_to_margin(&i).err().map(|e| e.field),
            Some("eval_cost".into())
        );
    }
}
