//! The `lcpr calc` contract: one JSON object in, one JSON object out, per computation kind.
//!
//! The GUI and the document model call the typed functions directly; this module is the
//! machine-facing boundary that reads the contract's shapes, names the field of any bad input,
//! and writes results with the contract's key names (`null` where a result is not finite).

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::calc::break_even::break_even;
use crate::calc::cache_break_even::{CachePrices, cache_break_even};
use crate::calc::goodput::{MeasuredRequest, Slo, goodput};
use crate::calc::kv_sizing::{KvShape, kv_sizing};
use crate::calc::lcpr;
use crate::calc::lcpr::RoutePricing;
use crate::calc::lcpr::{ProfileField, WorkloadProfile};
use crate::calc::payback::{PaybackInput, payback};
use crate::calc::readiness::{Factor, readiness};
use crate::calc::sensitivity;
use crate::calc::trace_to_margin::{TraceToMarginInput, trace_to_margin};
use crate::error::InputError;

/// The computations reachable through `lcpr calc KIND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalcKind {
    /// Profile-estimated LCPR of one workload on one route.
    Lcpr,
    /// Dedicated-vs-serverless break-even.
    BreakEven,
    /// Goodput under SLOs and the quality gate.
    Goodput,
    /// Trace-to-margin reconciliation.
    TraceToMargin,
    /// KV-cache sizing.
    KvSizing,
    /// Prompt-cache break-even.
    CacheBreakEven,
    /// One-parameter sensitivity.
    Sensitivity,
    /// Six-factor migration readiness.
    Readiness,
    /// Migration payback.
    Payback,
}

impl CalcKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [Self; 9] = [
        Self::Lcpr,
        Self::BreakEven,
        Self::Goodput,
        Self::TraceToMargin,
        Self::KvSizing,
        Self::CacheBreakEven,
        Self::Sensitivity,
        Self::Readiness,
        Self::Payback,
    ];

    /// The kind's name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Lcpr => "lcpr",
            Self::BreakEven => "break-even",
            Self::Goodput => "goodput",
            Self::TraceToMargin => "trace-to-margin",
            Self::KvSizing => "kv-sizing",
            Self::CacheBreakEven => "cache-break-even",
            Self::Sensitivity => "sensitivity",
            Self::Readiness => "readiness",
            Self::Payback => "payback",
        }
    }

    /// Looks a kind up by name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// One line on what the kind computes, for `--help`.
    #[must_use]
    pub fn summary(self) -> &'static str {
        match self {
            Self::Lcpr => "{profile, pricing} → LCPR, monthly cost and its parts",
            Self::BreakEven => "{serverless, dedicated} → break-even daily output volume",
            Self::Goodput => {
                "{requests, duration_seconds, *_slo_ms} → goodput and cost per accepted"
            }
            Self::TraceToMargin => {
                "trace cost, invoice, eval/human/ops → loaded cost, LCPR, margin"
            }
            Self::KvSizing => "model shape and KV pool → bytes per token, live sequences",
            Self::CacheBreakEven => "prefix and cache prices → reuses to break even, savings",
            Self::Sensitivity => "{profile, pricing, vary, values} → LCPR at each value",
            Self::Readiness => "six factors scored 1–3 → tier, timeline, gaps",
            Self::Payback => "current/projected monthly cost, investment → payback months",
        }
    }
}

/// Reads `input` as `T`, naming the field path of any mismatch.
fn read<T: DeserializeOwned>(input: &str) -> Result<T, InputError> {
    let mut de = serde_json::Deserializer::from_str(input);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        // The path is "." at the root and "?" where parsing stopped before naming a field.
        let field = if path == "." || path.starts_with('?') {
            "input".to_owned()
        } else {
            path
        };
        InputError::new(field, format!("is not valid: {}", e.into_inner()))
    })?;
    de.end()
        .map_err(|e| InputError::new("input", format!("has trailing characters: {e}")))?;
    Ok(value)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LcprInput {
    profile: WorkloadProfile,
    pricing: RoutePricing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BreakEvenInput {
    serverless: RoutePricing,
    dedicated: RoutePricing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoodputInput {
    requests: Vec<MeasuredRequest>,
    duration_seconds: f64,
    ttft_slo_ms: f64,
    tpot_slo_ms: f64,
    #[serde(default)]
    e2e_slo_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SensitivityInput {
    profile: WorkloadProfile,
    pricing: RoutePricing,
    vary: String,
    values: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadinessInput {
    factors: Vec<Factor>,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, InputError> {
    serde_json::to_value(value)
        .map_err(|e| InputError::new("result", format!("could not be written as JSON: {e}")))
}

/// The input a sensitivity sweep reads, kept while its result is written.
pub struct SweepInput(SensitivityInput, ProfileField);

impl SweepInput {
    /// Reads and checks a sweep's input: every value is computed once and dropped.
    pub fn read(input: &str) -> Result<Self, InputError> {
        let i: SensitivityInput = read(input)?;
        let field = sweep_field(&i.vary)?;
        sensitivity::Sweep::checked(&i.profile, &i.pricing, field, &i.values)?;
        Ok(Self(i, field))
    }

    /// The sweep, to be written.
    #[must_use]
    pub fn sweep(&self) -> sensitivity::Sweep<'_> {
        let i = &self.0;
        // Checked in `read`: building it again cannot fail, and costs one pass of the cheap
        // estimate rather than holding every point.
        sensitivity::Sweep::unchecked(&i.profile, &i.pricing, self.1, &i.values)
    }
}

fn sweep_field(vary: &str) -> Result<ProfileField, InputError> {
    ProfileField::from_name(vary).ok_or_else(|| {
        let names: Vec<&str> = ProfileField::ALL.iter().map(|f| f.name()).collect();
        InputError::new(
            "vary",
            format!(
                "must name a profile field ({}), got {:?}",
                names.join(", "),
                vary
            ),
        )
    })
}

/// Runs one computation on its JSON input and returns its JSON result.
pub fn run(kind: CalcKind, input: &str) -> Result<Value, InputError> {
    match kind {
        CalcKind::Lcpr => {
            let i: LcprInput = read(input)?;
            let e = lcpr::estimate(&i.profile, &i.pricing)?;
            Ok(json!({
                "provider_name": i.pricing.name,
                "deployment_mode": i.pricing.deployment_mode.name(),
                "lcpr": e.lcpr,
                "cost_per_1k_requests": e.cost_per_1k_requests,
                "monthly_cost": e.monthly_cost,
                "accepted_units": e.accepted_units,
                "breakdown": to_json(&e)?,
            }))
        }
        CalcKind::BreakEven => {
            let i: BreakEvenInput = read(input)?;
            to_json(&break_even(&i.serverless, &i.dedicated)?)
        }
        CalcKind::Goodput => {
            let i: GoodputInput = read(input)?;
            let slo = Slo {
                ttft_ms: i.ttft_slo_ms,
                tpot_ms: i.tpot_slo_ms,
                e2e_ms: i.e2e_slo_ms,
            };
            let g = goodput(&i.requests, i.duration_seconds, slo)?;
            Ok(json!({
                "total_requests": g.total_requests,
                "accepted_requests": g.accepted_requests,
                "goodput_rate": g.goodput_rate,
                "throughput_rate": g.throughput_rate,
                "cost_per_accepted": g.cost_per_accepted,
                "total_cost": g.total_cost,
                "ttft_p50_ms": g.ttft_ms.p50,
                "ttft_p95_ms": g.ttft_ms.p95,
                "ttft_p99_ms": g.ttft_ms.p99,
                "tpot_p50_ms": g.tpot_ms.p50,
                "tpot_p95_ms": g.tpot_ms.p95,
                "tpot_p99_ms": g.tpot_ms.p99,
                "e2e_p99_ms": g.e2e_ms.map(|p| p.p99),
                "quality_pass_rate": g.quality_pass_rate,
                "latency_pass_rate": g.latency_pass_rate,
            }))
        }
        CalcKind::TraceToMargin => {
            let i: TraceToMarginInput = read(input)?;
            to_json(&trace_to_margin(&i)?)
        }
        CalcKind::KvSizing => {
            let i: KvShape = read(input)?;
            to_json(&kv_sizing(&i)?)
        }
        CalcKind::CacheBreakEven => {
            let i: CachePrices = read(input)?;
            to_json(&cache_break_even(&i)?)
        }
        CalcKind::Sensitivity => {
            let i: SensitivityInput = read(input)?;
            let field = sweep_field(&i.vary)?;
            let points = sensitivity::sweep(&i.profile, &i.pricing, field, &i.values)?;
            Ok(json!({ "vary": field.name(), "points": to_json(&points)? }))
        }
        CalcKind::Readiness => {
            let i: ReadinessInput = read(input)?;
            to_json(&readiness(&i.factors)?)
        }
        CalcKind::Payback => {
            let i: PaybackInput = read(input)?;
            to_json(&payback(&i)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in CalcKind::ALL {
            assert_eq!(CalcKind::from_name(k.name()), Some(k));
        }
    }

    #[test]
    fn bad_json_names_the_input() {
        let err = run(CalcKind::Payback, "{").err();
        assert!(err.is_some_and(|e| e.field == "input"));
    }

    #[test]
    fn type_errors_name_the_field_path() {
        let err = run(
            CalcKind::Lcpr,
            r#"{"profile": {"avg_input_tokens": "many"}, "pricing": {}}"#,
        )
        .err();
        assert_eq!(
            err.map(|e| e.field),
            Some("profile.avg_input_tokens".into())
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = run(
            CalcKind::Payback,
            r#"{"current_monthly_cost": 1, "projected_monthly_cost": 1, "engineering_investment": 1, "typo": 2}"#,
        )
        .err();
        assert!(err.is_some_and(|e| e.rule.contains("typo")));
    }

    #[test]
    fn unknown_deployment_mode_is_refused() {
        let input = r#"{"profile": {"avg_input_tokens": 1, "avg_output_tokens": 1, "monthly_requests": 1,
            "quality_gate_pass_rate": 1}, "pricing": {"name": "x", "deployment_mode": "self_hosted"}}"#;
        let err = run(CalcKind::Lcpr, input).err();
        assert_eq!(err.map(|e| e.field), Some("pricing.deployment_mode".into()));
    }

    #[test]
    fn unknown_vary_field_lists_the_choices() {
        let input = r#"{"profile": {"avg_input_tokens": 1, "avg_output_tokens": 1, "monthly_requests": 1,
            "quality_gate_pass_rate": 1}, "pricing": {"deployment_mode": "closed_api"},
            "vary": "retries", "values": [0.1]}"#;
        let err = run(CalcKind::Sensitivity, input).err();
        assert!(err.is_some_and(|e| e.field == "vary" && e.rule.contains("retry_rate")));
    }
}
