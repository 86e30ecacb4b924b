//! The migration case's gate inputs that a workspace stores as typed: how demand arrives and who
//! runs the candidate route. The gates themselves are [`crate::decide::gates`]'s.

use serde::{Deserialize, Serialize};

/// How demand arrives over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandShape {
    /// Peak hourly load ÷ mean hourly load (≥ 1).
    pub peak_to_mean: f64,
    /// Share of requests that can wait for a batch lane.
    pub batchable_share: f64,
    /// Share of hours with next to no traffic.
    pub idle_share: f64,
}

/// Who runs the candidate route and how.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperationsMaturity {
    /// Who owns the serving runbook.
    pub runbook_owner: Option<String>,
    /// Whether latency, errors, quality and cost are monitored on the route.
    pub monitoring: bool,
    /// The route traffic returns to if the move is undone.
    pub rollback_route: Option<String>,
    /// Whether model and runtime upgrades follow a written policy.
    pub upgrade_policy: bool,
    /// Whether a security review has been done.
    pub security_review: bool,
}
