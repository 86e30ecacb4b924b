//! Dedicated-vs-serverless break-even: the daily output volume at which reserved GPUs cost the
//! same as paying a serverless route per output token.
//!
//! f64 (see [`crate::money`]): a planning curve, swept for charts.

use serde::Serialize;

use crate::calc::lcpr::{DeploymentMode, RoutePricing};
use crate::error::{InputError, InputResult};
use crate::money;

const SECONDS_PER_DAY: f64 = 86_400.0;
const PER_M: f64 = 1_000_000.0;

/// Where the two routes cross, if they do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEven {
    /// The serverless route's name.
    pub serverless_name: String,
    /// The dedicated route's name.
    pub dedicated_name: String,
    /// Daily output tokens at which the costs meet; `None` when not feasible.
    pub break_even_daily_output_tokens: Option<f64>,
    /// Serverless cost per day at that volume; `None` when not feasible.
    pub serverless_daily_cost_at_break_even: Option<f64>,
    /// 24 × the GPU-hour rate.
    pub dedicated_daily_cost: f64,
    /// True when the dedicated route's effective $/M at its utilization beats the serverless
    /// output rate.
    pub break_even_feasible: bool,
    /// Dedicated daily cost ÷ millions of tokens it carries a day.
    pub effective_cost_per_m: f64,
    /// Utilization at which the GPU's capacity equals the break-even volume; `None` when the
    /// serverless output price is 0.
    pub required_utilization: Option<f64>,
    /// Tokens a GPU carries a day at the stated utilization.
    pub effective_capacity_tokens_per_day: f64,
}

/// Daily cost of the serverless route's output tokens at `daily_output_tokens`.
#[must_use]
pub fn serverless_daily_cost(serverless: &RoutePricing, daily_output_tokens: f64) -> f64 {
    daily_output_tokens * money::to_f64(serverless.output_rate_per_m) / PER_M
}

/// Computes the break-even between a token-priced route and a dedicated one.
pub fn break_even(serverless: &RoutePricing, dedicated: &RoutePricing) -> InputResult<BreakEven> {
    serverless.validate().map_err(|e| e.within("serverless"))?;
    dedicated.validate().map_err(|e| e.within("dedicated"))?;
    if !serverless.deployment_mode.is_token_priced() {
        return Err(InputError::new(
            "serverless.deployment_mode",
            "must be a token-priced route (closed_api or serverless_open), got dedicated",
        ));
    }
    if dedicated.deployment_mode != DeploymentMode::Dedicated {
        return Err(InputError::new(
            "dedicated.deployment_mode",
            format!(
                "must be dedicated, got {}",
                dedicated.deployment_mode.name()
            ),
        ));
    }
    let output_rate = money::to_f64(serverless.output_rate_per_m);
    let daily_gpu = 24.0 * money::to_f64(dedicated.gpu_hourly_rate);
    let capacity = dedicated.throughput_tps * dedicated.utilization * SECONDS_PER_DAY;
    let effective_cost_per_m = daily_gpu / (capacity / PER_M);
    let feasible = output_rate > 0.0 && effective_cost_per_m < output_rate;
    let volume = (output_rate > 0.0).then(|| daily_gpu / (output_rate / PER_M));
    Ok(BreakEven {
        serverless_name: serverless.name.clone(),
        dedicated_name: dedicated.name.clone(),
        break_even_daily_output_tokens: volume.filter(|_| feasible),
        serverless_daily_cost_at_break_even: volume
            .filter(|_| feasible)
            .map(|v| serverless_daily_cost(serverless, v)),
        dedicated_daily_cost: daily_gpu,
        break_even_feasible: feasible,
        effective_cost_per_m,
        required_utilization: volume.map(|v| v / (dedicated.throughput_tps * SECONDS_PER_DAY)),
        effective_capacity_tokens_per_day: capacity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::lcpr::pricing::tests::{h100, token_route, usd};

    #[test]
    fn feasible_when_effective_rate_beats_output_rate() {
        let s = token_route("DSV4", "1.74", "3.48", "0.2");
        let b = break_even(&s, &h100()).unwrap_or_else(|e| panic!("{e}"));
        assert!(b.break_even_feasible);
        // 95.76 / 3.48e-6 = 27,517,241 tokens a day.
        assert!((b.break_even_daily_output_tokens.unwrap_or(0.0) - 27_517_241.379).abs() < 1e-2);
        assert!((b.effective_cost_per_m - 1.847_222_222).abs() < 1e-6);
    }

    #[test]
    fn infeasible_still_reports_required_utilization() {
        let s = token_route("Llama", "0.88", "0.88", "0");
        let b = break_even(&s, &h100()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!b.break_even_feasible);
        assert_eq!(b.break_even_daily_output_tokens, None);
        assert!((b.required_utilization.unwrap_or(0.0) - 0.839_646_464_6).abs() < 1e-9);
    }

    #[test]
    fn tie_is_not_feasible() {
        // Effective $/M exactly equal to the output rate: strictly-below rule says no.
        let mut d = h100();
        d.gpu_hourly_rate = usd("2.25");
        d.throughput_tps = 625.0;
        d.utilization = 1.0;
        // $54 a day / 54M tokens a day = $1.00/M.
        let s = token_route("tie", "1", "1", "0");
        let b = break_even(&s, &d).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.effective_cost_per_m, 1.0);
        assert!(!b.break_even_feasible);
        assert_eq!(b.required_utilization, Some(1.0));
    }

    #[test]
    fn zero_output_price_is_never_feasible() {
        let s = token_route("free", "0", "0", "0");
        let b = break_even(&s, &h100()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!b.break_even_feasible);
        assert_eq!(b.required_utilization, None);
    }

    #[test]
    fn sides_must_be_the_right_kind() {
        assert!(break_even(&h100(), &h100()).is_err());
        let s = token_route("a", "1", "1", "0");
        assert!(break_even(&s, &s).is_err());
        let mut d = h100();
        d.utilization = 0.0;
        assert_eq!(
            break_even(&s, &d).err().map(|e| e.field),
            Some("dedicated.utilization".into())
        );
    }
}
