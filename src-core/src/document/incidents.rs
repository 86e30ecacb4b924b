//! The `incidents` section: each inference incident as recorded after its post-mortem. What an
//! incident cost is [`crate::decide::incidents`]'s.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Root-cause category of an inference incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentCategory {
    /// Provider update, version change or weight refresh altered outputs.
    ModelBehaviorChange,
    /// A prompt, tool schema or context change degraded outputs.
    PromptRegression,
    /// TTL, routing or prefix change lowered the cache hit rate.
    CacheRegression,
    /// Traffic spike, GPU failure or provider outage.
    Capacity,
    /// Slow decline of quality over weeks.
    QualityDrift,
}

impl IncidentCategory {
    /// Every category, in the order reports list them.
    pub const ALL: [Self; 5] = [
        Self::ModelBehaviorChange,
        Self::PromptRegression,
        Self::CacheRegression,
        Self::Capacity,
        Self::QualityDrift,
    ];

    /// The category's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ModelBehaviorChange => "model_behavior_change",
            Self::PromptRegression => "prompt_regression",
            Self::CacheRegression => "cache_regression",
            Self::Capacity => "capacity",
            Self::QualityDrift => "quality_drift",
        }
    }
}

/// One incident as recorded after its post-mortem.
///
/// Human escalation is either `human_escalation_cost` or `escalated_cases` × `cost_per_case`
/// (or absent: none). The blast radius is either `blast_radius_requests` or
/// `requests_per_hour` × (`detection_hours` + `mitigation_hours`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    /// Label, e.g. the post-mortem title.
    #[serde(default)]
    pub name: String,
    /// Root-cause category; required (optional here only so its absence is reported as a
    /// field error).
    #[serde(default)]
    pub category: Option<IncidentCategory>,
    /// Inference spent because of the incident (retries, repairs, fallback) above normal.
    #[serde(default)]
    pub extra_inference_cost: Decimal,
    /// Human escalation cost as one amount.
    #[serde(default)]
    pub human_escalation_cost: Option<Decimal>,
    /// Cases escalated to people because of the incident.
    #[serde(default)]
    pub escalated_cases: Option<u64>,
    /// Cost of handling one escalated case.
    #[serde(default)]
    pub cost_per_case: Option<Decimal>,
    /// Engineer-hours spent on investigation and mitigation.
    #[serde(default)]
    pub engineering_hours: Decimal,
    /// Loaded cost of one engineer-hour; needed when hours are > 0.
    #[serde(default)]
    pub engineer_hourly_rate: Option<Decimal>,
    /// Requests affected, when counted directly.
    #[serde(default)]
    pub blast_radius_requests: Option<f64>,
    /// Requests served per hour during the incident, to derive the blast radius.
    #[serde(default)]
    pub requests_per_hour: Option<f64>,
    /// Hours from the start of the incident to its detection.
    #[serde(default)]
    pub detection_hours: Option<f64>,
    /// Hours from detection to mitigation.
    #[serde(default)]
    pub mitigation_hours: Option<f64>,
    /// LCPR before the incident.
    #[serde(default)]
    pub baseline_lcpr: Option<Decimal>,
    /// LCPR during the incident.
    #[serde(default)]
    pub incident_lcpr: Option<Decimal>,
}
