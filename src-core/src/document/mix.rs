//! Scenario shapes beyond one route: a split of the traffic over several routes, a cascade
//! that escalates what a judge rejects, a reserved GPU pool with a per-token overflow, and a
//! batch lane. A scenario's own `route` (with its `overrides`) is always the first part: the
//! split's remainder, the cascade's first stage, the reserved pool, the standard lane.
//!
//! Also the demand profiles (hourly request histograms) a reserved pool is sized against.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::field::{Rule, WorkloadField};
use super::model::Workspace;

/// A scenario's shape beyond its one route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Mix {
    /// Shares of the traffic on other routes; the scenario's route carries the rest.
    Split {
        /// The other routes with their shares.
        parts: Vec<MixPart>,
    },
    /// The scenario's route answers every request first; the judge passes some and sends the
    /// rest on to the next stage.
    Cascade {
        /// The judge between consecutive stages.
        judge: Judge,
        /// The later stages, in order (one or two).
        stages: Vec<MixRoute>,
    },
    /// The scenario's route is a GPU pool of a fixed size; demand above its capacity in each
    /// hour of the profile goes to the overflow route.
    ReservedOverflow {
        /// Production GPUs reserved.
        reserved_gpus: f64,
        /// The per-token route taking the rest.
        overflow: MixRoute,
        /// The demand profile the pool is sized against (`demand_profiles[].id`).
        demand_profile: String,
    },
    /// A share of the traffic that can wait goes to a batch lane at batch rates.
    BatchLane {
        /// Share of requests on the batch lane.
        share: f64,
        /// The lane's route (the scenario's route when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<String>,
        /// The longest a batched request may wait, in hours (providers' batch windows are 24 h).
        max_queue_delay_hours: f64,
    },
}

/// A route a mix sends traffic to, with its own workload overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixRoute {
    /// The route.
    pub route: String,
    /// Workload values that differ on this route (e.g. its pass rate).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<WorkloadField, f64>,
}

/// One share of a split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixPart {
    /// The route.
    pub route: String,
    /// Share of the workload's requests.
    pub share: f64,
    /// Workload values that differ on this route.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<WorkloadField, f64>,
}

/// The gate between cascade stages: a classifier or judge with its own cost and errors; the
/// workload's quality gate is a judge of accuracy 1 and cost 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judge {
    /// Cost of judging one output.
    #[serde(with = "crate::money::exact")]
    pub cost_per_request: Decimal,
    /// Share of verdicts that are right; each error rate is 1 − accuracy unless stated.
    #[serde(default = "one")]
    pub accuracy: f64,
    /// Share of failed outputs the judge passes (delivered, not accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_accept_rate: Option<f64>,
    /// Share of good outputs the judge rejects (escalated although good).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_reject_rate: Option<f64>,
}

fn one() -> f64 {
    1.0
}

impl Judge {
    /// Share of failed outputs passed.
    #[must_use]
    pub fn false_accept(&self) -> f64 {
        self.false_accept_rate.unwrap_or(1.0 - self.accuracy)
    }

    /// Share of good outputs rejected.
    #[must_use]
    pub fn false_reject(&self) -> f64 {
        self.false_reject_rate.unwrap_or(1.0 - self.accuracy)
    }
}

/// A workload's requests by hour: 24 buckets (a day) or 168 (a week from Monday 00:00).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandProfile {
    /// Unique id.
    pub id: String,
    /// The workload whose traffic it shapes.
    pub workload: String,
    /// Relative requests per hour; only the shape counts (the workload's monthly requests
    /// are spread over it).
    pub hourly: Vec<f64>,
    /// Where the shape comes from (a baseline's traffic, typed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl DemandProfile {
    /// Each bucket's share of the requests.
    #[must_use]
    pub fn shares(&self) -> Vec<f64> {
        let total: f64 = self.hourly.iter().sum();
        if total > 0.0 {
            self.hourly.iter().map(|v| v / total).collect()
        } else {
            Vec::new()
        }
    }

    /// Peak hour over the mean hour.
    #[must_use]
    pub fn peak_to_mean(&self) -> f64 {
        let n = self.hourly.len() as f64;
        let total: f64 = self.hourly.iter().sum();
        let peak = self.hourly.iter().copied().fold(0.0, f64::max);
        if total > 0.0 { peak * n / total } else { 0.0 }
    }
}

impl Workspace {
    /// A demand profile by id.
    #[must_use]
    pub fn demand_profile(&self, id: &str) -> Option<&DemandProfile> {
        self.demand_profiles.iter().find(|p| p.id == id)
    }
}

/// Every broken rule of the scenarios' mixes and the demand profiles, as (path, rule).
#[must_use]
pub fn check(ws: &Workspace) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let rule = |out: &mut Vec<(String, String)>, at: &str, field: &str, r: Rule, v: f64| {
        if let Err(e) = r.check(field, v) {
            out.push((format!("{at}.{}", e.field), e.rule));
        }
    };
    let route_ref = |out: &mut Vec<(String, String)>, at: String, id: &str| {
        if ws.route(id).is_none() {
            out.push((at, format!("names no route {id:?}")));
        }
    };
    let overrides =
        |out: &mut Vec<(String, String)>, at: &str, o: &BTreeMap<WorkloadField, f64>| {
            for (f, v) in o {
                if let Err(e) = f.rule().check(f.name(), *v) {
                    out.push((format!("{at}.overrides.{}", e.field), e.rule));
                }
            }
        };
    for (i, s) in ws.scenarios.iter().enumerate() {
        let Some(mix) = &s.mix else { continue };
        let at = format!("scenarios[{i}].mix");
        match mix {
            Mix::Split { parts } => {
                if parts.is_empty() {
                    out.push((
                        format!("{at}.split.parts"),
                        "must name at least one other route".into(),
                    ));
                }
                for (j, p) in parts.iter().enumerate() {
                    let pat = format!("{at}.split.parts[{j}]");
                    route_ref(&mut out, format!("{pat}.route"), &p.route);
                    rule(&mut out, &pat, "share", Rule::Fraction, p.share);
                    overrides(&mut out, &pat, &p.overrides);
                }
                let total: f64 = parts.iter().map(|p| p.share).sum();
                if total > 1.0 + 1e-9 {
                    out.push((
                        format!("{at}.split.parts"),
                        format!(
                            "shares must add up to at most 1 (the scenario's route takes the rest), got {total}"
                        ),
                    ));
                }
            }
            Mix::Cascade { judge, stages } => {
                if stages.is_empty() || stages.len() > 2 {
                    out.push((
                        format!("{at}.cascade.stages"),
                        format!("must name one or two later stages, got {}", stages.len()),
                    ));
                }
                for (j, st) in stages.iter().enumerate() {
                    let sat = format!("{at}.cascade.stages[{j}]");
                    route_ref(&mut out, format!("{sat}.route"), &st.route);
                    overrides(&mut out, &sat, &st.overrides);
                }
                let jat = format!("{at}.cascade.judge");
                if let Err(e) =
                    crate::error::non_negative_money("cost_per_request", judge.cost_per_request)
                {
                    out.push((format!("{jat}.{}", e.field), e.rule));
                }
                rule(&mut out, &jat, "accuracy", Rule::Fraction, judge.accuracy);
                if let Some(v) = judge.false_accept_rate {
                    rule(&mut out, &jat, "false_accept_rate", Rule::Fraction, v);
                }
                if let Some(v) = judge.false_reject_rate {
                    rule(&mut out, &jat, "false_reject_rate", Rule::Fraction, v);
                }
            }
            Mix::ReservedOverflow {
                reserved_gpus,
                overflow,
                demand_profile,
            } => {
                let rat = format!("{at}.reserved_overflow");
                rule(
                    &mut out,
                    &rat,
                    "reserved_gpus",
                    Rule::NonNegative,
                    *reserved_gpus,
                );
                if ws.route(&s.route).is_some_and(|r| !r.kind.is_gpu()) {
                    out.push((
                        format!("scenarios[{i}].route"),
                        "must be a dedicated or self-hosted GPU route: it is the reserved pool"
                            .into(),
                    ));
                }
                route_ref(&mut out, format!("{rat}.overflow.route"), &overflow.route);
                if ws.route(&overflow.route).is_some_and(|r| r.kind.is_gpu()) {
                    out.push((
                        format!("{rat}.overflow.route"),
                        "must be a per-token route (managed API or serverless): it takes whatever the pool cannot".into(),
                    ));
                }
                overrides(&mut out, &format!("{rat}.overflow"), &overflow.overrides);
                match ws.demand_profile(demand_profile) {
                    None => out.push((
                        format!("{rat}.demand_profile"),
                        format!("names no demand profile {demand_profile:?}"),
                    )),
                    Some(p) if p.workload != s.workload => out.push((
                        format!("{rat}.demand_profile"),
                        format!(
                            "shapes workload {:?}, not the scenario's {:?}",
                            p.workload, s.workload
                        ),
                    )),
                    Some(_) => {}
                }
            }
            Mix::BatchLane {
                share,
                route,
                max_queue_delay_hours,
            } => {
                let bat = format!("{at}.batch_lane");
                rule(&mut out, &bat, "share", Rule::Fraction, *share);
                rule(
                    &mut out,
                    &bat,
                    "max_queue_delay_hours",
                    Rule::NonNegative,
                    *max_queue_delay_hours,
                );
                if let Some(r) = route {
                    route_ref(&mut out, format!("{bat}.route"), r);
                    if ws.route(r).is_some_and(|r| r.kind.is_gpu()) {
                        out.push((
                            format!("{bat}.route"),
                            "must be a per-token route with batch rates".into(),
                        ));
                    }
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in ws.demand_profiles.iter().enumerate() {
        let at = format!("demand_profiles[{i}]");
        if p.id.trim().is_empty() {
            out.push((format!("{at}.id"), "must not be empty".into()));
        } else if !seen.insert(p.id.as_str()) {
            out.push((format!("{at}.id"), format!("repeats id {:?}", p.id)));
        }
        if ws.workload(&p.workload).is_none() {
            out.push((
                format!("{at}.workload"),
                format!("names no workload {:?}", p.workload),
            ));
        }
        if p.hourly.len() != 24 && p.hourly.len() != 168 {
            out.push((
                format!("{at}.hourly"),
                format!(
                    "must hold 24 hourly values (a day) or 168 (a week), got {}",
                    p.hourly.len()
                ),
            ));
        }
        for (h, v) in p.hourly.iter().enumerate() {
            if !(v.is_finite() && *v >= 0.0) {
                out.push((format!("{at}.hourly[{h}]"), format!("must be ≥ 0, got {v}")));
            }
        }
        if p.hourly.iter().sum::<f64>() <= 0.0 {
            out.push((
                format!("{at}.hourly"),
                "must hold some requests: every hour is 0".into(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::document::validate;

    #[test]
    fn a_mix_that_names_nothing_or_overspends_its_shares_is_refused_with_its_path() {
        let mut ws = crate::case::mix::tests::flat();
        if let Some(super::Mix::Split { parts }) = &mut ws.scenarios[4].mix {
            parts[0].share = 0.7;
            parts.push(super::MixPart {
                route: "nowhere".into(),
                share: 0.5,
                overrides: Default::default(),
            });
        }
        ws.demand_profiles[0].hourly.pop();
        let found: Vec<String> = validate(&ws).iter().map(ToString::to_string).collect();
        let has = |s: &str| found.iter().any(|f| f.contains(s));
        assert!(
            has("scenarios[4].mix.split.parts[1].route: names no route \"nowhere\""),
            "{found:?}"
        );
        assert!(
            has("scenarios[4].mix.split.parts: shares must add up to at most 1"),
            "{found:?}"
        );
        assert!(
            has("demand_profiles[0].hourly: must hold 24 hourly values"),
            "{found:?}"
        );
    }

    #[test]
    fn a_pool_must_be_a_gpu_route_and_its_overflow_per_token() {
        let mut ws = crate::case::mix::tests::flat();
        ws.scenarios[5].route = "ra".into();
        if let Some(super::Mix::ReservedOverflow { overflow, .. }) = &mut ws.scenarios[5].mix {
            overflow.route = "rg".into();
        }
        let found: Vec<String> = validate(&ws).iter().map(ToString::to_string).collect();
        assert!(
            found.iter().any(|f| f
                .starts_with("scenarios[5].route: must be a dedicated or self-hosted GPU route")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|f| f.starts_with(
                "scenarios[5].mix.reserved_overflow.overflow.route: must be a per-token route"
            )),
            "{found:?}"
        );
    }
}
