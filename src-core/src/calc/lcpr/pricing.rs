//! How a route is priced: by the token, or by the GPU-hour.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult, fraction, non_negative, non_negative_money};

/// How a route bills: the profile estimate distinguishes token-priced and GPU-priced routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentMode {
    /// A managed frontier API, billed per token.
    ClosedApi,
    /// Hosted open-weight serverless, billed per token.
    ServerlessOpen,
    /// Reserved GPUs, billed per GPU-hour whatever they serve.
    Dedicated,
}

impl DeploymentMode {
    /// The mode's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ClosedApi => "closed_api",
            Self::ServerlessOpen => "serverless_open",
            Self::Dedicated => "dedicated",
        }
    }

    /// True when the route bills per token.
    #[must_use]
    pub fn is_token_priced(self) -> bool {
        !matches!(self, Self::Dedicated)
    }
}

fn one() -> f64 {
    1.0
}

/// A route's prices: token rates in dollars per million tokens, or a GPU offer.
///
/// A token rate of 0 means the route has no such rate (no cache discount, no batch lane).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutePricing {
    /// Display name, e.g. `OpenAI GPT-5.4`.
    #[serde(default)]
    pub name: String,
    /// How the route bills.
    pub deployment_mode: DeploymentMode,
    /// Uncached input, $/M tokens.
    #[serde(default)]
    pub input_rate_per_m: Decimal,
    /// Output, $/M tokens.
    #[serde(default)]
    pub output_rate_per_m: Decimal,
    /// Cache-read input, $/M tokens (0: no cache discount).
    #[serde(default)]
    pub cached_input_rate_per_m: Decimal,
    /// Batch-lane input, $/M tokens (0: standard rate).
    #[serde(default)]
    pub batch_input_rate_per_m: Decimal,
    /// Batch-lane output, $/M tokens (0: standard rate).
    #[serde(default)]
    pub batch_output_rate_per_m: Decimal,
    /// Dollars per GPU-hour (dedicated routes).
    #[serde(default)]
    pub gpu_hourly_rate: Decimal,
    /// Sustained tokens per second one GPU serves (dedicated routes).
    #[serde(default)]
    pub throughput_tps: f64,
    /// Share of that throughput the route sustains in practice, in (0, 1] (dedicated routes).
    #[serde(default)]
    pub utilization: f64,
    /// Quality relative to the reference model, in (0, 1]; multiplies the gate pass rate.
    #[serde(default = "one")]
    pub quality_score: f64,
}

impl RoutePricing {
    /// Checks every field against its rule.
    pub fn validate(&self) -> InputResult<()> {
        for (field, value) in [
            ("input_rate_per_m", self.input_rate_per_m),
            ("output_rate_per_m", self.output_rate_per_m),
            ("cached_input_rate_per_m", self.cached_input_rate_per_m),
            ("batch_input_rate_per_m", self.batch_input_rate_per_m),
            ("batch_output_rate_per_m", self.batch_output_rate_per_m),
            ("gpu_hourly_rate", self.gpu_hourly_rate),
        ] {
            non_negative_money(field, value)?;
        }
        if !(self.quality_score.is_finite()
            && self.quality_score > 0.0
            && self.quality_score <= 1.0)
        {
            return Err(InputError::new(
                "quality_score",
                format!("must lie in (0, 1], got {}", self.quality_score),
            ));
        }
        if self.deployment_mode == DeploymentMode::Dedicated {
            if !(self.throughput_tps.is_finite() && self.throughput_tps > 0.0) {
                return Err(InputError::new(
                    "throughput_tps",
                    format!(
                        "must be > 0 on a dedicated route, got {}",
                        self.throughput_tps
                    ),
                ));
            }
            if !(self.utilization.is_finite() && self.utilization > 0.0 && self.utilization <= 1.0)
            {
                return Err(InputError::new(
                    "utilization",
                    format!(
                        "must lie in (0, 1] on a dedicated route, got {}",
                        self.utilization
                    ),
                ));
            }
        } else {
            non_negative("throughput_tps", self.throughput_tps)?;
            fraction("utilization", self.utilization)?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::str::FromStr;

    pub(crate) fn usd(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    pub(crate) fn token_route(name: &str, input: &str, output: &str, cached: &str) -> RoutePricing {
        RoutePricing {
            name: name.to_owned(),
            deployment_mode: DeploymentMode::ClosedApi,
            input_rate_per_m: usd(input),
            output_rate_per_m: usd(output),
            cached_input_rate_per_m: usd(cached),
            batch_input_rate_per_m: Decimal::ZERO,
            batch_output_rate_per_m: Decimal::ZERO,
            gpu_hourly_rate: Decimal::ZERO,
            throughput_tps: 0.0,
            utilization: 0.0,
            quality_score: 1.0,
        }
    }

    pub(crate) fn h100() -> RoutePricing {
        RoutePricing {
            name: "H100".to_owned(),
            deployment_mode: DeploymentMode::Dedicated,
            gpu_hourly_rate: usd("3.99"),
            throughput_tps: 1500.0,
            utilization: 0.4,
            ..token_route("H100", "0", "0", "0")
        }
    }

    #[test]
    fn dedicated_needs_utilization_in_open_closed_interval() {
        let mut r = h100();
        assert_eq!(r.validate(), Ok(()));
        r.utilization = 0.0;
        assert_eq!(r.validate().map_err(|e| e.field), Err("utilization".into()));
        r.utilization = 1.0;
        assert_eq!(r.validate(), Ok(()));
        r.throughput_tps = 0.0;
        assert_eq!(
            r.validate().map_err(|e| e.field),
            Err("throughput_tps".into())
        );
    }

    #[test]
    fn quality_score_must_be_positive() {
        let mut r = token_route("x", "1", "2", "0");
        r.quality_score = 0.0;
        assert!(r.validate().is_err());
    }

    #[test]
    fn unknown_mode_is_refused_by_the_reader() {
        let parsed: Result<DeploymentMode, _> = serde_json::from_str("\"self_hosted\"");
        assert!(parsed.is_err());
    }
}
