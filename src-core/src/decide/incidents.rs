//! Incident cost: what one inference incident cost, how many requests it reached, and how far
//! it pushed LCPR.
//!
//! Inference incidents are often quality incidents: the system stays up while outputs degrade,
//! so the bill shows up as extra inference (retries, repair loops, fallback routes), human
//! escalation and engineering time, not as downtime. The cost is the sum of those three. The
//! blast radius counts the requests served between the start of the incident and its
//! mitigation (detection window + mitigation window), because every one of them was exposed to
//! the degraded path; it is given directly or derived from the request rate and the two windows.
//!
//! Money is Decimal (measured dollars); request rates and windows are f64.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::{SectionRules, Workspace};
use crate::error::{InputError, InputResult, non_negative, non_negative_money};
use crate::money;

use crate::document::incidents::{IncidentCategory, IncidentInput};

/// How far the incident pushed LCPR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LcprUplift {
    /// LCPR before.
    #[serde(with = "rust_decimal::serde::float")]
    pub baseline: Decimal,
    /// LCPR during.
    #[serde(with = "rust_decimal::serde::float")]
    pub during_incident: Decimal,
    /// During − baseline.
    #[serde(with = "rust_decimal::serde::float")]
    pub delta: Decimal,
    /// Delta ÷ baseline, as a fraction.
    #[serde(with = "rust_decimal::serde::float")]
    pub delta_pct: Decimal,
}

/// The incident's cost and reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentCost {
    /// Label.
    pub name: String,
    /// Root-cause category.
    pub category: IncidentCategory,
    /// Extra inference.
    #[serde(with = "rust_decimal::serde::float")]
    pub extra_inference_cost: Decimal,
    /// Human escalation.
    #[serde(with = "rust_decimal::serde::float")]
    pub human_escalation_cost: Decimal,
    /// Engineer-hours × hourly rate.
    #[serde(with = "rust_decimal::serde::float")]
    pub engineering_cost: Decimal,
    /// The three added up.
    #[serde(with = "rust_decimal::serde::float")]
    pub total_cost: Decimal,
    /// Requests affected before mitigation.
    pub blast_radius_requests: f64,
    /// Detection + mitigation hours, when both are given.
    pub window_hours: Option<f64>,
    /// Total cost ÷ blast radius; `None` when no request was affected.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub cost_per_affected_request: Option<Decimal>,
    /// LCPR before and during, when both are given.
    pub lcpr_uplift: Option<LcprUplift>,
}

fn too_large(field: &str) -> InputError {
    InputError::new(field, "is too large to compute exactly")
}

fn human_cost(input: &IncidentInput) -> InputResult<Decimal> {
    match (
        input.human_escalation_cost,
        input.escalated_cases,
        input.cost_per_case,
    ) {
        (Some(amount), None, None) => {
            non_negative_money("human_escalation_cost", amount)?;
            Ok(amount)
        }
        (None, Some(cases), Some(per_case)) => {
            non_negative_money("cost_per_case", per_case)?;
            per_case
                .checked_mul(Decimal::from(cases))
                .ok_or_else(|| too_large("escalated_cases"))
        }
        (None, None, None) => Ok(Decimal::ZERO),
        (Some(_), _, _) => Err(InputError::new(
            "human_escalation_cost",
            "must not be given together with escalated_cases or cost_per_case; give the amount or the cases and their cost",
        )),
        (None, Some(_), None) => Err(InputError::new(
            "cost_per_case",
            "must be given with escalated_cases",
        )),
        (None, None, Some(_)) => Err(InputError::new(
            "escalated_cases",
            "must be given with cost_per_case",
        )),
    }
}

fn engineering_cost(input: &IncidentInput) -> InputResult<Decimal> {
    non_negative_money("engineering_hours", input.engineering_hours)?;
    match input.engineer_hourly_rate {
        Some(rate) => {
            non_negative_money("engineer_hourly_rate", rate)?;
            rate.checked_mul(input.engineering_hours)
                .ok_or_else(|| too_large("engineering_hours"))
        }
        None if input.engineering_hours.is_zero() => Ok(Decimal::ZERO),
        None => Err(InputError::new(
            "engineer_hourly_rate",
            format!(
                "must be given when engineering_hours is > 0, got {} hours",
                input.engineering_hours
            ),
        )),
    }
}

/// Blast radius and window hours.
fn reach(input: &IncidentInput) -> InputResult<(f64, Option<f64>)> {
    for (field, value) in [
        ("detection_hours", input.detection_hours),
        ("mitigation_hours", input.mitigation_hours),
        ("requests_per_hour", input.requests_per_hour),
        ("blast_radius_requests", input.blast_radius_requests),
    ] {
        if let Some(value) = value {
            non_negative(field, value)?;
        }
    }
    let window = match (input.detection_hours, input.mitigation_hours) {
        (Some(detection), Some(mitigation)) => Some(detection + mitigation),
        _ => None,
    };
    let radius = match (input.blast_radius_requests, input.requests_per_hour) {
        (Some(_), Some(_)) => {
            return Err(InputError::new(
                "blast_radius_requests",
                "must not be given together with requests_per_hour; give the count or the rate",
            ));
        }
        (Some(direct), None) => direct,
        (None, Some(rate)) => {
            let window = window.ok_or_else(|| {
                InputError::new(
                    if input.detection_hours.is_none() {
                        "detection_hours"
                    } else {
                        "mitigation_hours"
                    },
                    "must be given with requests_per_hour to derive the blast radius",
                )
            })?;
            rate * window
        }
        (None, None) => {
            return Err(InputError::new(
                "blast_radius_requests",
                "must be given, or requests_per_hour with detection_hours and mitigation_hours",
            ));
        }
    };
    if radius.is_finite() {
        Ok((radius, window))
    } else {
        Err(too_large("blast_radius_requests"))
    }
}

fn uplift(input: &IncidentInput) -> InputResult<Option<LcprUplift>> {
    match (input.baseline_lcpr, input.incident_lcpr) {
        (Some(baseline), Some(during)) => {
            if baseline <= Decimal::ZERO {
                return Err(InputError::new(
                    "baseline_lcpr",
                    format!("must be > 0, got {baseline}"),
                ));
            }
            non_negative_money("incident_lcpr", during)?;
            let delta = during
                .checked_sub(baseline)
                .ok_or_else(|| too_large("incident_lcpr"))?;
            Ok(Some(LcprUplift {
                baseline,
                during_incident: during,
                delta,
                delta_pct: delta
                    .checked_div(baseline)
                    .ok_or_else(|| too_large("incident_lcpr"))?,
            }))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(InputError::new(
            "incident_lcpr",
            "must be given with baseline_lcpr",
        )),
        (None, Some(_)) => Err(InputError::new(
            "baseline_lcpr",
            "must be given with incident_lcpr",
        )),
    }
}

/// Costs one incident.
pub fn incident_cost(input: &IncidentInput) -> InputResult<IncidentCost> {
    let category = input
        .category
        .ok_or_else(|| InputError::new("category", "must be given"))?;
    non_negative_money("extra_inference_cost", input.extra_inference_cost)?;
    let human = human_cost(input)?;
    let engineering = engineering_cost(input)?;
    let (blast_radius, window_hours) = reach(input)?;
    let total = [input.extra_inference_cost, human, engineering]
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
        .ok_or_else(|| too_large("extra_inference_cost"))?;
    let cost_per_affected_request = if blast_radius > 0.0 {
        let radius =
            money::from_f64(blast_radius).ok_or_else(|| too_large("blast_radius_requests"))?;
        Some(
            total
                .checked_div(radius)
                .ok_or_else(|| too_large("blast_radius_requests"))?,
        )
    } else {
        None
    };
    Ok(IncidentCost {
        name: input.name.clone(),
        category,
        extra_inference_cost: input.extra_inference_cost,
        human_escalation_cost: human,
        engineering_cost: engineering,
        total_cost: total,
        blast_radius_requests: blast_radius,
        window_hours,
        cost_per_affected_request,
        lcpr_uplift: uplift(input)?,
    })
}

/// The section is valid when the incident can be costed.
impl SectionRules for IncidentInput {
    fn check(&self, _ws: &Workspace) -> InputResult<()> {
        incident_cost(self).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// A silent model update: 6 hours to root cause, LCPR +40%.
    fn format_shift() -> IncidentInput {
        IncidentInput {
            name: "camelCase JSON keys after provider update".into(),
            category: Some(IncidentCategory::ModelBehaviorChange),
            extra_inference_cost: d("2400"),
            human_escalation_cost: Some(d("800")),
            engineering_hours: d("12"),
            engineer_hourly_rate: Some(d("150")),
            requests_per_hour: Some(2000.0),
            detection_hours: Some(4.0),
            mitigation_hours: Some(2.0),
            baseline_lcpr: Some(d("0.20")),
            incident_lcpr: Some(d("0.28")),
            ..IncidentInput::default()
        }
    }

    /// A change to a valid input that should make it refused.
    type Mutation = Box<dyn Fn(&mut IncidentInput)>;

    fn refusal(input: &IncidentInput) -> InputError {
        match incident_cost(input) {
            Ok(_) => panic!("expected a refusal"),
            Err(e) => e,
        }
    }

    #[test]
    fn provider_format_shift_example() {
        let r = incident_cost(&format_shift()).unwrap_or_else(|e| panic!("{e}"));
        // 12 engineer-hours × $150 = $1,800; 2,400 + 800 + 1,800 = $5,000.
        assert_eq!(r.engineering_cost, d("1800"));
        assert_eq!(r.total_cost, d("5000"));
        // 2,000 requests/h × (4 h detection + 2 h mitigation) = 12,000 requests.
        assert_eq!(r.blast_radius_requests, 12_000.0);
        assert_eq!(r.window_hours, Some(6.0));
        // $5,000 ÷ 12,000 = $0.41667 per affected request.
        assert_eq!(
            r.cost_per_affected_request.map(|c| c.round_dp(5)),
            Some(d("0.41667"))
        );
        // (0.28 − 0.20) ÷ 0.20 = +40%.
        let u = r.lcpr_uplift.unwrap_or_else(|| panic!("no uplift"));
        assert_eq!((u.delta, u.delta_pct), (d("0.08"), d("0.4")));
    }

    #[test]
    fn human_cost_from_cases() {
        let mut i = format_shift();
        i.human_escalation_cost = None;
        i.escalated_cases = Some(64);
        i.cost_per_case = Some(d("12.50"));
        // 64 × $12.50 = $800.
        let r = incident_cost(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.human_escalation_cost, d("800"));
        assert_eq!(r.total_cost, d("5000"));
    }

    #[test]
    fn direct_blast_radius_and_no_optional_parts() {
        let i = IncidentInput {
            category: Some(IncidentCategory::CacheRegression),
            extra_inference_cost: d("310.40"),
            blast_radius_requests: Some(0.0),
            ..IncidentInput::default()
        };
        let r = incident_cost(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.total_cost, d("310.40"));
        assert_eq!(r.cost_per_affected_request, None);
        assert_eq!((r.window_hours, r.lcpr_uplift), (None, None));
    }

    #[test]
    fn refusals_name_the_field() {
        let cases: Vec<(Mutation, &str)> = vec![
            (Box::new(|i| i.category = None), "category"),
            (
                Box::new(|i| i.extra_inference_cost = d("-1")),
                "extra_inference_cost",
            ),
            (
                Box::new(|i| i.escalated_cases = Some(3)),
                "human_escalation_cost",
            ),
            (
                Box::new(|i| {
                    i.human_escalation_cost = None;
                    i.escalated_cases = Some(3);
                }),
                "cost_per_case",
            ),
            (
                Box::new(|i| i.engineer_hourly_rate = None),
                "engineer_hourly_rate",
            ),
            (
                Box::new(|i| i.engineering_hours = d("-2")),
                "engineering_hours",
            ),
            (
                Box::new(|i| i.blast_radius_requests = Some(10.0)),
                "blast_radius_requests",
            ),
            (
                Box::new(|i| i.requests_per_hour = None),
                "blast_radius_requests",
            ),
            (Box::new(|i| i.mitigation_hours = None), "mitigation_hours"),
            (
                Box::new(|i| i.detection_hours = Some(f64::NAN)),
                "detection_hours",
            ),
            (
                Box::new(|i| i.requests_per_hour = Some(-5.0)),
                "requests_per_hour",
            ),
            (
                Box::new(|i| i.baseline_lcpr = Some(d("0"))),
                "baseline_lcpr",
            ),
            (Box::new(|i| i.incident_lcpr = None), "incident_lcpr"),
        ];
        for (mutate, field) in cases {
            let mut i = format_shift();
            mutate(&mut i);
            assert_eq!(refusal(&i).field, field);
        }
    }

    #[test]
    fn reads_from_json() {
        let json = r#"{"category": "quality_drift", "extra_inference_cost": 120,
            "blast_radius_requests": 4000, "engineering_hours": 2, "engineer_hourly_rate": 90}"#;
        let i: IncidentInput = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let r = incident_cost(&i).unwrap_or_else(|e| panic!("{e}"));
        // 120 + 2 × 90 = 300; ÷ 4,000 = 0.075.
        assert_eq!(r.cost_per_affected_request, Some(d("0.075")));
        assert!(serde_json::from_str::<IncidentInput>(r#"{"category": "outage"}"#).is_err());
    }
}
