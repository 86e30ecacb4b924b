//! The `monthly_review` section: each workload's figures for last month and this month, where the
//! workspace has no baselines to take them from. The review itself is
//! [`crate::decide::monthly_review`]'s.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One month of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthInputs {
    /// Requests served in the month, > 0.
    pub requests: f64,
    /// Mean input tokens per request, cache reads included.
    pub input_tokens_per_request: f64,
    /// Mean output tokens per request.
    pub output_tokens_per_request: f64,
    /// Share of input tokens read from the prompt cache, in [0, 1].
    #[serde(default)]
    pub cache_hit_rate: f64,
    /// Accepted outputs ÷ requests, in (0, 1].
    pub accepted_share: f64,
    /// Blended uncached input price, $/M tokens.
    pub input_price_per_m: Decimal,
    /// Cache-read price, $/M tokens (0: no cache-read rate, cached tokens pay the input price).
    #[serde(default)]
    pub cached_input_price_per_m: Decimal,
    /// Output price, $/M tokens.
    pub output_price_per_m: Decimal,
    /// Eval grading for the month.
    #[serde(default)]
    pub eval_cost: Decimal,
    /// Human escalation for the month.
    #[serde(default)]
    pub human_cost: Decimal,
    /// Operations allocation for the month.
    #[serde(default)]
    pub ops_cost: Decimal,
}

/// One workload's two months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadMonths {
    /// Workload name; unique and non-empty.
    pub workload: String,
    /// The previous month.
    pub last_month: MonthInputs,
    /// The month under review.
    pub this_month: MonthInputs,
}

/// The workloads to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyReviewInput {
    /// One entry per workload.
    pub workloads: Vec<WorkloadMonths>,
}
