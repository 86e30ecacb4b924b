//! A rate card's prices after its contract overlay: negotiated rates where the contract names
//! them, else the list price less the discount. Scenarios, trace pricing and invoice checks all
//! price a card through [`effective_rates`], so the three cannot disagree.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{RateCard, RatePricing};
use crate::error::{InputError, InputResult};
use crate::money;

/// Prices after the contract overlay, $/M tokens or $/GPU-hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EffectiveRates {
    /// Input (token routes).
    #[serde(with = "crate::money::exact_option")]
    pub input_per_m: Option<Decimal>,
    /// Cache read (token routes with a cache discount).
    #[serde(with = "crate::money::exact_option")]
    pub cached_input_per_m: Option<Decimal>,
    /// Output (token routes).
    #[serde(with = "crate::money::exact_option")]
    pub output_per_m: Option<Decimal>,
    /// GPU-hour (GPU routes).
    #[serde(with = "crate::money::exact_option")]
    pub hourly_rate: Option<Decimal>,
}

pub(crate) fn discounted(list: Decimal, discount: Decimal) -> Decimal {
    to_precision(list * (Decimal::ONE - discount))
}

fn to_precision(v: Decimal) -> Decimal {
    // Prices carry at most 10 places; more only records float noise from a discount.
    v.round_dp(10).normalize()
}

/// The route's prices after its rate card's contract overlay.
pub fn effective_rates(card: &RateCard) -> InputResult<EffectiveRates> {
    let contract = card.contract.clone().unwrap_or_default();
    let discount = money::from_f64(contract.discount)
        .ok_or_else(|| InputError::new("contract.discount", "is not a number"))?;
    Ok(match &card.pricing {
        RatePricing::Tokens {
            input_per_m,
            cached_input_per_m,
            output_per_m,
            ..
        } => EffectiveRates {
            input_per_m: Some(
                contract
                    .input_per_m
                    .unwrap_or_else(|| discounted(*input_per_m, discount)),
            ),
            cached_input_per_m: contract
                .cached_input_per_m
                .or_else(|| cached_input_per_m.map(|v| discounted(v, discount))),
            output_per_m: Some(
                contract
                    .output_per_m
                    .unwrap_or_else(|| discounted(*output_per_m, discount)),
            ),
            hourly_rate: None,
        },
        RatePricing::Gpu { hourly_rate, .. } => EffectiveRates {
            input_per_m: None,
            cached_input_per_m: None,
            output_per_m: None,
            hourly_rate: Some(
                contract
                    .hourly_rate
                    .unwrap_or_else(|| discounted(*hourly_rate, discount)),
            ),
        },
    })
}
