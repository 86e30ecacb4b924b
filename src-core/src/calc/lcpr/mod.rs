//! Profile-estimated LCPR: the monthly loaded cost of a workload on a route, per accepted output.
//!
//! Token routes (managed API, serverless open-weight) price each request's tokens: a cached
//! share of input tokens at the cache-read rate (when the route has one), the rest at the input
//! rate, output at the output rate; a batch-eligible share of requests is priced at the batch
//! rates on all its input tokens (cache does not stack with batch). Dedicated routes price GPUs:
//! enough to carry the token load (output plus the prefill share of input, retries included) at
//! the stated throughput and utilization, for a 720-hour month.
//!
//! Runs in f64 (see [`crate::money`]): [`LcprModel`] is converted and validated once, then
//! [`LcprModel::estimate`] is a handful of multiplications, cheap enough for sweeps and sampling.

pub(crate) mod pricing;
pub(crate) mod profile;

pub use pricing::{DeploymentMode, RoutePricing};
pub use profile::{ProfileField, WorkloadProfile};

use serde::Serialize;

use crate::error::{InputError, InputResult};
use crate::money;

/// Hours in the 30-day month every monthly figure uses.
pub const HOURS_PER_MONTH: f64 = 720.0;
/// Seconds in that month.
pub const SECONDS_PER_MONTH: f64 = 2_592_000.0;
const PER_M: f64 = 1_000_000.0;

/// The route side of a model, in per-token or per-GPU terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RouteCost {
    /// A token-priced route; rates in dollars per token, `None` where the route has no such rate.
    Tokens {
        /// Uncached input.
        input: f64,
        /// Output.
        output: f64,
        /// Cache-read input.
        cached_input: Option<f64>,
        /// Batch-lane input.
        batch_input: Option<f64>,
        /// Batch-lane output.
        batch_output: Option<f64>,
    },
    /// A GPU-priced route.
    Gpus {
        /// Dollars per GPU-hour.
        hourly_rate: f64,
        /// Tokens one GPU carries in a month at the stated utilization.
        capacity_per_gpu_month: f64,
    },
}

/// Validated, f64 inputs of one estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LcprModel {
    /// Requests per month.
    pub monthly_requests: f64,
    /// Mean input tokens per request.
    pub input_tokens: f64,
    /// Mean output tokens per request.
    pub output_tokens: f64,
    /// Retry rate.
    pub retry_rate: f64,
    /// Gate pass rate × the route's quality score.
    pub effective_pass_rate: f64,
    /// Cache hit rate on input tokens.
    pub cache_hit_rate: f64,
    /// Batch-eligible share of requests.
    pub batch_fraction: f64,
    /// Prefill share of input tokens that loads GPUs.
    pub prefill_efficiency: f64,
    /// Dollars per failed output repaired.
    pub repair_cost_per_failure: f64,
    /// Engineering dollars per month.
    pub engineering_monthly: f64,
    /// The route's prices.
    pub route: RouteCost,
}

/// The estimate and its parts; every money figure is dollars per month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LcprEstimate {
    /// Loaded cost per accepted output.
    pub lcpr: f64,
    /// 1,000 × LCPR.
    pub cost_per_1k_requests: f64,
    /// Everything below, added up.
    pub monthly_cost: f64,
    /// Requests × effective pass rate.
    pub accepted_units: f64,
    /// Requests × (1 + retry rate).
    pub attempts: f64,
    /// First-attempt inference: tokens after cache and batch, or the GPUs' share.
    pub inference_cost: f64,
    /// Inference spent on retries.
    pub retry_cost: f64,
    /// Repairs of outputs that failed the gate.
    pub repair_cost: f64,
    /// Engineering time.
    pub engineering_cost: f64,
    /// Token cost at list input/output rates, no cache, batch or retries (the naive bill).
    pub raw_token_cost: f64,
    /// Token cost with cache and batch, before retries.
    pub cache_adjusted_token_cost: f64,
    /// GPUs reserved (dedicated routes).
    pub gpu_count: Option<f64>,
    /// Token load ÷ capacity of the reserved GPUs (dedicated routes).
    pub gpu_load_fraction: Option<f64>,
}

impl LcprModel {
    /// Validates a profile and a route and converts them for estimation.
    ///
    /// Refuses a combination that leaves no accepted output to divide by.
    pub fn new(profile: &WorkloadProfile, pricing: &RoutePricing) -> InputResult<Self> {
        profile.validate().map_err(|e| e.within("profile"))?;
        pricing.validate().map_err(|e| e.within("pricing"))?;
        let rate = |d| money::to_f64(d) / PER_M;
        let optional_rate = |d: rust_decimal::Decimal| (!d.is_zero()).then(|| rate(d));
        let route = match pricing.deployment_mode {
            DeploymentMode::ClosedApi | DeploymentMode::ServerlessOpen => RouteCost::Tokens {
                input: rate(pricing.input_rate_per_m),
                output: rate(pricing.output_rate_per_m),
                cached_input: optional_rate(pricing.cached_input_rate_per_m),
                batch_input: optional_rate(pricing.batch_input_rate_per_m),
                batch_output: optional_rate(pricing.batch_output_rate_per_m),
            },
            DeploymentMode::Dedicated => RouteCost::Gpus {
                hourly_rate: money::to_f64(pricing.gpu_hourly_rate),
                capacity_per_gpu_month: pricing.throughput_tps
                    * pricing.utilization
                    * SECONDS_PER_MONTH,
            },
        };
        let model = Self {
            monthly_requests: profile.monthly_requests,
            input_tokens: profile.avg_input_tokens,
            output_tokens: profile.avg_output_tokens,
            retry_rate: profile.retry_rate,
            effective_pass_rate: profile.quality_gate_pass_rate * pricing.quality_score,
            cache_hit_rate: profile.cache_hit_rate,
            batch_fraction: profile.batch_eligible_fraction,
            prefill_efficiency: profile.prefill_efficiency,
            repair_cost_per_failure: money::to_f64(profile.repair_cost_per_failure),
            engineering_monthly: profile.engineering_hours_per_month
                * money::to_f64(profile.engineer_hourly_cost),
            route,
        };
        if model.accepted_units() > 0.0 {
            Ok(model)
        } else {
            Err(InputError::new(
                "profile",
                format!(
                    "leaves no accepted outputs: monthly_requests ({}) × quality_gate_pass_rate ({}) × quality_score ({}) must be > 0",
                    profile.monthly_requests, profile.quality_gate_pass_rate, pricing.quality_score
                ),
            ))
        }
    }

    /// Requests × effective pass rate.
    #[must_use]
    pub fn accepted_units(&self) -> f64 {
        self.monthly_requests * self.effective_pass_rate
    }

    /// The estimate. Pure arithmetic; never fails once the model is built.
    #[must_use]
    pub fn estimate(&self) -> LcprEstimate {
        let n = self.monthly_requests;
        let attempt_factor = 1.0 + self.retry_rate;
        let attempts = n * attempt_factor;
        let repair_cost = n * (1.0 - self.effective_pass_rate) * self.repair_cost_per_failure;
        let (raw_token_cost, base_cost, total_inference, gpu_count, gpu_load_fraction) =
            match self.route {
                RouteCost::Tokens {
                    input,
                    output,
                    cached_input,
                    batch_input,
                    batch_output,
                } => {
                    let tokens_in = self.input_tokens;
                    let tokens_out = self.output_tokens;
                    let h = self.cache_hit_rate;
                    let standard_input = match cached_input {
                        Some(cached) => tokens_in * (1.0 - h) * input + tokens_in * h * cached,
                        None => tokens_in * input,
                    };
                    let standard = standard_input + tokens_out * output;
                    let batch = tokens_in * batch_input.unwrap_or(input)
                        + tokens_out * batch_output.unwrap_or(output);
                    let b = self.batch_fraction;
                    let per_request = (1.0 - b) * standard + b * batch;
                    let raw = (tokens_in * input + tokens_out * output) * n;
                    (
                        raw,
                        per_request * n,
                        per_request * n * attempt_factor,
                        None,
                        None,
                    )
                }
                RouteCost::Gpus {
                    hourly_rate,
                    capacity_per_gpu_month,
                } => {
                    let load = self.output_tokens * n * attempt_factor
                        + self.prefill_efficiency * self.input_tokens * n * attempt_factor;
                    let gpus = (load / capacity_per_gpu_month).max(1.0).ceil();
                    let cost = gpus * hourly_rate * HOURS_PER_MONTH;
                    // Retries take their share of the load, and so of the reserved GPUs.
                    let first_attempts = cost / attempt_factor;
                    let fill = load / (gpus * capacity_per_gpu_month);
                    (0.0, first_attempts, cost, Some(gpus), Some(fill))
                }
            };
        let monthly_cost = total_inference + repair_cost + self.engineering_monthly;
        let accepted_units = self.accepted_units();
        let lcpr = monthly_cost / accepted_units;
        LcprEstimate {
            lcpr,
            cost_per_1k_requests: 1000.0 * lcpr,
            monthly_cost,
            accepted_units,
            attempts,
            inference_cost: base_cost,
            retry_cost: total_inference - base_cost,
            repair_cost,
            engineering_cost: self.engineering_monthly,
            raw_token_cost,
            cache_adjusted_token_cost: if gpu_count.is_some() { 0.0 } else { base_cost },
            gpu_count,
            gpu_load_fraction,
        }
    }
}

/// Validates, converts and estimates in one call.
pub fn estimate(profile: &WorkloadProfile, pricing: &RoutePricing) -> InputResult<LcprEstimate> {
    LcprModel::new(profile, pricing).map(|m| m.estimate())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::lcpr::pricing::tests::{h100, token_route, usd};
    use crate::calc::lcpr::profile::tests::saas_chat;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
    }

    #[test]
    fn saas_chat_on_a_frontier_api() {
        let e = estimate(&saas_chat(), &token_route("GPT-5.5", "5", "30", "0.5"));
        let e = e.unwrap_or_else(|err| panic!("{err}"));
        // (800×5 + 400×30)/1e6 = $0.016 a request; × 500k × 1.03 = 8,240; + 50 repair + 800 eng.
        assert!(close(e.monthly_cost, 9090.0));
        assert!(close(e.lcpr, 9090.0 / 475_000.0));
        assert!(close(e.retry_cost, 240.0));
        assert!(close(e.raw_token_cost, 8000.0));
        assert!(close(
            e.inference_cost + e.retry_cost + e.repair_cost + e.engineering_cost,
            e.monthly_cost
        ));
    }

    #[test]
    fn cache_without_a_cached_rate_changes_nothing() {
        let mut p = saas_chat();
        let r = token_route("Together", "0.27", "0.85", "0");
        let without = estimate(&p, &r).map(|e| e.monthly_cost);
        p.cache_hit_rate = 0.5;
        assert_eq!(estimate(&p, &r).map(|e| e.monthly_cost), without);
    }

    #[test]
    fn batch_share_ignores_cache_and_falls_back_to_standard_rates() {
        let mut p = saas_chat();
        p.batch_eligible_fraction = 1.0;
        p.cache_hit_rate = 0.9;
        p.retry_rate = 0.0;
        p.engineering_hours_per_month = 0.0;
        p.quality_gate_pass_rate = 1.0;
        // No batch rates: every token at the standard uncached rates.
        let e = estimate(&p, &token_route("x", "1", "2", "0.1"));
        assert!(e.is_ok_and(|e| close(e.monthly_cost, (800.0 + 800.0) * 500_000.0 / 1e6)));
    }

    #[test]
    fn dedicated_rounds_gpus_up_and_keeps_at_least_one() {
        let e = estimate(&saas_chat(), &h100());
        assert!(e.is_ok_and(|e| e.gpu_count == Some(1.0) && close(e.monthly_cost, 3722.8)));
        let mut p = saas_chat();
        p.monthly_requests = 5_000_000.0;
        p.prefill_efficiency = 0.5;
        // load = (400 + 0.5×800) × 5e6 × 1.03 = 4.12e9 tokens; capacity 1.5552e9 → 3 GPUs.
        let e = estimate(&p, &h100());
        assert!(e.is_ok_and(|e| e.gpu_count == Some(3.0)));
    }

    #[test]
    fn zero_accepted_units_is_refused() {
        let mut p = saas_chat();
        p.quality_gate_pass_rate = 0.0;
        assert!(estimate(&p, &token_route("x", "1", "1", "0")).is_err());
        let mut p = saas_chat();
        p.monthly_requests = 0.0;
        let err = estimate(&p, &token_route("x", "1", "1", "0")).err();
        assert!(err.is_some_and(|e| e.rule.contains("no accepted outputs")));
    }

    #[test]
    fn quality_score_shrinks_the_denominator() {
        let mut r = token_route("x", "1", "1", "0");
        let full = estimate(&saas_chat(), &r).map(|e| e.accepted_units);
        r.quality_score = 0.5;
        let half = estimate(&saas_chat(), &r).map(|e| e.accepted_units);
        assert_eq!(full.map(|v| v / 2.0), half);
    }

    #[test]
    fn errors_are_prefixed_with_their_side() {
        let mut r = h100();
        r.gpu_hourly_rate = usd("-1");
        let err = estimate(&saas_chat(), &r).err();
        assert_eq!(err.map(|e| e.field), Some("pricing.gpu_hourly_rate".into()));
    }
}
