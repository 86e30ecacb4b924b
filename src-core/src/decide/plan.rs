//! The plan for a mix scenario: its cost curve over the one decision variable of its shape,
//! the optimum on it, and the break-evens.
//!
//! - *split*: the share on the first other route, 0–100% in 1% steps; a point is feasible when
//!   the traffic-weighted gate pass rate meets the workload's quality floor and the mix's p95
//!   TTFT can be shown within the SLO (each route's latency from its latest baseline);
//! - *reserved + overflow*: the reserved GPUs, 0 up to what the peak hour needs (and the
//!   scenario's own count); each priced against the demand profile;
//! - *cascade*: the escalation rate, moved through the first stage's pass rate; the break-even
//!   escalation rate above which the cascade costs more per accepted output than sending
//!   everything to the last stage's route, and the judge accuracy it needs at today's rates;
//! - *batch lane*: the lane's share, 0 up to the batch-eligible share.
//!
//! Every curve holds the shape's single-route ends (share 0 and 100%, no GPUs), so the
//! optimum is never worse than a single route the mix could choose; those single routes are
//! listed priced by the same model.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::case::cost::exact::scenario_cost;
use crate::case::mix::{MixCost, MixPartCost, PoolFit, mix_cost};
use crate::document::{LatencyQuantiles, Mix, Scenario, WorkloadField, Workspace};
use crate::error::{InputError, InputResult};

/// One point of the cost curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// The decision variable's value.
    pub x: f64,
    /// LCPR there.
    pub lcpr: f64,
    /// Monthly cost there.
    #[serde(with = "crate::money::exact")]
    pub monthly_cost: Decimal,
    /// Accepted outputs per month there.
    pub accepted: f64,
    /// Whether it meets the quality floor and the latency SLO.
    pub feasible: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infeasible_because: Option<String>,
}

/// A single route the mix could choose instead, priced by the same model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleChoice {
    /// What it is, e.g. `all on dsv4-serverless`.
    pub label: String,
    /// Its point on the curve (the shape's end), or its own price (a cascade's stages).
    pub point: CurvePoint,
}

/// A cascade's break-evens against sending every request to its last route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CascadeBreakEven {
    /// The route everything would go to.
    pub versus_route: String,
    /// Its LCPR on all requests.
    pub versus_lcpr: f64,
    /// The escalation rate today.
    pub escalation_rate: f64,
    /// Above this escalation rate the cascade costs more per accepted output; `None` when it
    /// is cheaper (or dearer) at every rate.
    pub break_even_escalation_rate: Option<f64>,
    /// The lowest judge accuracy at which the cascade pays at today's pass rates; `None` when
    /// no accuracy makes it pay, 0 when any does.
    pub required_judge_accuracy: Option<f64>,
}

/// The plan of one mix scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Scenario id.
    pub scenario: String,
    /// Scenario name.
    pub name: String,
    /// The shape.
    pub shape: &'static str,
    /// What the curve moves, e.g. `share on gpt-api`.
    pub variable: String,
    /// The variable's unit: `share` or `GPUs`.
    pub unit: &'static str,
    /// The scenario as it stands.
    pub current: CurvePoint,
    /// The cost of the scenario as it stands, part by part (a cascade's funnel).
    pub parts: Vec<MixPartCost>,
    /// The lowest-LCPR feasible point; `None` when no point is feasible.
    pub optimum: Option<CurvePoint>,
    /// What the optimum is, in words (`share on gpt-api = 30%`, `2 GPUs`, a single route).
    pub optimum_label: Option<String>,
    /// The curve, in increasing x.
    pub points: Vec<CurvePoint>,
    /// The single routes the mix could choose.
    pub singles: Vec<SingleChoice>,
    /// A cascade's break-evens.
    pub break_even: Option<CascadeBreakEven>,
    /// A reserved pool's fit to the demand profile, as the scenario stands.
    pub pool: Option<PoolFit>,
    /// What the constraints could not check (latency not measured on a route).
    pub notes: Vec<String>,
}

/// The plan of scenario `id` in `ws` (its register applied).
pub fn plan(ws: &Workspace, id: &str) -> InputResult<Plan> {
    let (ws, _) = crate::case::evaluation::apply_register(ws);
    plan_as_is(&ws, id)
}

/// The plan of scenario `id` in `ws` as it stands.
pub fn plan_as_is(ws: &Workspace, id: &str) -> InputResult<Plan> {
    let s = ws
        .scenario(id)
        .ok_or_else(|| InputError::new("scenario", format!("names no scenario {id:?}")))?;
    let mix = s.mix.as_ref().ok_or_else(|| {
        InputError::new(
            "scenario",
            format!("{id:?} has one route and nothing to plan: give it a mix (split, cascade, reserved_overflow or batch_lane)"),
        )
    })?;
    let w = ws.workload(&s.workload).ok_or_else(|| {
        InputError::new("workload", format!("names no workload {:?}", s.workload))
    })?;
    let here = mix_cost(ws, s)?;
    let mut notes = Vec::new();
    let mut check = Feasibility::new(ws, s, &mut notes);
    let at =
        |x: f64, m: &MixCost, check: &Feasibility| point(x, m, check.why_not(m, w.quality_floor));
    let mut break_even = None;
    let (variable, unit, current_x, points, singles) = match mix {
        Mix::Split { parts } => {
            let first = parts.first().map(|p| p.route.clone()).unwrap_or_default();
            let others: f64 = parts.iter().skip(1).map(|p| p.share).sum();
            let top = (1.0 - others).max(0.0);
            let mut points = Vec::new();
            for i in 0..=100 {
                let x = (f64::from(i) / 100.0).min(top);
                if points.last().is_some_and(|p: &CurvePoint| p.x >= x) {
                    continue;
                }
                let m = mix_cost(ws, &vary(s, |m| set_split(m, x)))?;
                points.push(at(x, &m, &check));
            }
            let ends = [
                (format!("all on {}", s.route), 0.0),
                (format!("all on {first}"), 1.0),
            ];
            let singles = ends
                .into_iter()
                .filter(|(_, x)| others == 0.0 || *x == 0.0)
                .filter_map(|(label, x)| {
                    points.iter().find(|p| p.x == x).map(|p| SingleChoice {
                        label,
                        point: p.clone(),
                    })
                })
                .collect();
            let current = parts.first().map_or(0.0, |p| p.share);
            (
                format!("share on {first}"),
                "share",
                current,
                points,
                singles,
            )
        }
        Mix::ReservedOverflow {
            reserved_gpus,
            overflow,
            ..
        } => {
            let fit = here
                .pool
                .clone()
                .ok_or_else(|| InputError::new("mix", "has no pool"))?;
            let top = fit.peak_gpus.max(reserved_gpus.ceil()).max(1.0);
            let mut points = Vec::new();
            let mut g = 0.0;
            while g <= top {
                let m = mix_cost(ws, &vary(s, |m| set_gpus(m, g)))?;
                points.push(at(g, &m, &check));
                g += 1.0;
            }
            let singles = vec![
                SingleChoice {
                    label: format!("all on {} (no pool)", overflow.route),
                    point: points
                        .first()
                        .cloned()
                        .ok_or_else(|| InputError::new("mix", "has no curve"))?,
                },
                SingleChoice {
                    label: format!(
                        "all on {} ({} GPU{} for the peak hour)",
                        s.route,
                        fit.peak_gpus,
                        if fit.peak_gpus == 1.0 { "" } else { "s" }
                    ),
                    point: points
                        .iter()
                        .find(|p| p.x == fit.peak_gpus)
                        .cloned()
                        .ok_or_else(|| InputError::new("mix", "has no peak point"))?,
                },
            ];
            (
                format!("GPUs reserved on {}", s.route),
                "GPUs",
                *reserved_gpus,
                points,
                singles,
            )
        }
        Mix::Cascade { stages, .. } => {
            check.latency = false;
            let last = stages
                .last()
                .ok_or_else(|| InputError::new("mix.cascade.stages", "are empty"))?;
            let versus = single(ws, s, &last.route, &last.overrides)?;
            let first = single(ws, s, &s.route, &s.overrides)?;
            let qs = ws.route(&s.route).map_or(1.0, |r| r.quality_score);
            // The escalation rate at first-stage pass rate p (the judge as it is).
            let cost_at = |p: f64| mix_cost(ws, &vary_pass(s, p / qs.max(f64::MIN_POSITIVE)));
            let mut curve: Vec<(f64, f64, MixCost)> = Vec::new();
            for i in 0..=100 {
                let p = f64::from(i) / 100.0 * qs;
                let m = cost_at(p)?;
                curve.push((m.escalation_rate.unwrap_or(0.0), p, m));
            }
            curve.sort_by(|a, b| a.0.total_cmp(&b.0));
            curve.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-12);
            let points: Vec<CurvePoint> = curve.iter().map(|(x, _, m)| at(*x, m, &check)).collect();
            let e_now = here.escalation_rate.unwrap_or(0.0);
            let be = match crossing(&curve, versus.lcpr) {
                // Refined on the first stage's pass rate, which the escalation rate follows.
                Some((mut lo, mut hi)) => {
                    for _ in 0..50 {
                        let mid = 0.5 * (lo + hi);
                        if cost_at(mid)?.lcpr > versus.lcpr {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    cost_at(0.5 * (lo + hi))?.escalation_rate
                }
                None => None,
            };
            let required = required_accuracy(ws, s, versus.lcpr)?;
            break_even = Some(CascadeBreakEven {
                versus_route: last.route.clone(),
                versus_lcpr: versus.lcpr,
                escalation_rate: e_now,
                break_even_escalation_rate: be,
                required_judge_accuracy: required,
            });
            let singles = vec![
                SingleChoice {
                    label: format!("all on {}", s.route),
                    point: versus_point(&first, w.quality_floor),
                },
                SingleChoice {
                    label: format!("all on {}", last.route),
                    point: versus_point(&versus, w.quality_floor),
                },
            ];
            (
                "escalation rate".to_owned(),
                "share",
                e_now,
                points,
                singles,
            )
        }
        Mix::BatchLane { share, .. } => {
            let eligible = first_field(ws, s, WorkloadField::BatchEligibleShare);
            let mut points = Vec::new();
            for i in 0..=100 {
                let x = (f64::from(i) / 100.0).min(eligible);
                if points.last().is_some_and(|p: &CurvePoint| p.x >= x) {
                    continue;
                }
                let m = mix_cost(ws, &vary(s, |m| set_batch(m, x)))?;
                points.push(at(x, &m, &check));
            }
            let singles = points
                .first()
                .map(|p| SingleChoice {
                    label: format!("all on {} at standard rates", s.route),
                    point: p.clone(),
                })
                .into_iter()
                .collect();
            (
                "share on the batch lane".to_owned(),
                "share",
                *share,
                points,
                singles,
            )
        }
    };
    let current = at(current_x, &here, &check);
    let x_text = |x: f64| {
        if unit == "GPUs" {
            format!("{x} GPU{}", if x == 1.0 { "" } else { "s" })
        } else {
            format!("{:.0}%", 100.0 * x)
        }
    };
    // A cascade's curve is over a pass rate nobody chooses; its choice is between the cascade
    // as it stands and the single routes.
    let candidates: Vec<(String, &CurvePoint)> = if matches!(mix, Mix::Cascade { .. }) {
        std::iter::once(("the cascade as it stands".to_owned(), &current))
            .chain(singles.iter().map(|c| (c.label.clone(), &c.point)))
            .collect()
    } else {
        points
            .iter()
            .map(|p| (format!("{variable} = {}", x_text(p.x)), p))
            .collect()
    };
    let best = candidates
        .into_iter()
        .filter(|(_, p)| p.feasible)
        .min_by(|a, b| a.1.lcpr.total_cmp(&b.1.lcpr));
    let optimum_label = best.as_ref().map(|(l, _)| l.clone());
    let optimum = best.map(|(_, p)| p.clone());
    Ok(Plan {
        scenario: s.id.clone(),
        name: s.name.clone(),
        shape: here.shape,
        variable,
        unit,
        current,
        parts: here.parts.clone(),
        optimum,
        optimum_label,
        points,
        singles,
        break_even,
        pool: here.pool.clone(),
        notes,
    })
}

/// The plans of every mix scenario in `ws` (register applied), in document order.
pub fn plans(ws: &Workspace) -> Vec<(String, InputResult<Plan>)> {
    let (ws, _) = crate::case::evaluation::apply_register(ws);
    ws.scenarios
        .iter()
        .filter(|s| s.mix.is_some())
        .map(|s| (s.id.clone(), plan_as_is(&ws, &s.id)))
        .collect()
}

fn point(x: f64, m: &MixCost, why_not: Option<String>) -> CurvePoint {
    CurvePoint {
        x,
        lcpr: m.lcpr,
        monthly_cost: m.monthly_cost,
        accepted: m.accepted,
        feasible: why_not.is_none(),
        infeasible_because: why_not,
    }
}

fn vary(s: &Scenario, f: impl FnOnce(&mut Mix)) -> Scenario {
    let mut v = s.clone();
    if let Some(m) = v.mix.as_mut() {
        f(m);
    }
    v
}

fn vary_pass(s: &Scenario, pass: f64) -> Scenario {
    let mut v = s.clone();
    v.overrides
        .insert(WorkloadField::QualityGatePassRate, pass.clamp(0.0, 1.0));
    v
}

fn set_split(m: &mut Mix, x: f64) {
    if let Mix::Split { parts } = m
        && let Some(p) = parts.first_mut()
    {
        p.share = x;
    }
}

fn set_gpus(m: &mut Mix, g: f64) {
    if let Mix::ReservedOverflow { reserved_gpus, .. } = m {
        *reserved_gpus = g;
    }
}

fn set_batch(m: &mut Mix, x: f64) {
    if let Mix::BatchLane { share, .. } = m {
        *share = x;
    }
}

fn first_field(ws: &Workspace, s: &Scenario, f: WorkloadField) -> f64 {
    s.overrides
        .get(&f)
        .copied()
        .or_else(|| ws.workload(&s.workload).map(|w| w.get(f)))
        .unwrap_or(0.0)
}

/// The workload on one route with `overrides`, alone: every request and every fixed cost.
struct Single {
    lcpr: f64,
    monthly_cost: Decimal,
    accepted: f64,
    gate_pass_rate: f64,
}

fn single(
    ws: &Workspace,
    s: &Scenario,
    route_id: &str,
    overrides: &std::collections::BTreeMap<WorkloadField, f64>,
) -> InputResult<Single> {
    let mut w = ws
        .workload(&s.workload)
        .ok_or_else(|| InputError::new("workload", format!("names no workload {:?}", s.workload)))?
        .clone();
    for (f, v) in overrides {
        w.set(*f, *v)?;
    }
    let route = ws
        .route(route_id)
        .ok_or_else(|| InputError::new("route", format!("names no route {route_id:?}")))?;
    let card = ws.rate_card(&route.rate_card).ok_or_else(|| {
        InputError::new(
            "rate_card",
            format!("names no rate card {:?}", route.rate_card),
        )
    })?;
    let c = scenario_cost(&w, route, card)?;
    Ok(Single {
        lcpr: c.lcpr,
        monthly_cost: c.monthly_cost,
        accepted: c.accepted_units,
        gate_pass_rate: w.quality_gate_pass_rate,
    })
}

fn versus_point(v: &Single, floor: f64) -> CurvePoint {
    let why_not = (v.gate_pass_rate + 1e-12 < floor).then(|| {
        format!(
            "gate pass rate {:.1}% is below the quality floor of {:.1}%",
            100.0 * v.gate_pass_rate,
            100.0 * floor
        )
    });
    CurvePoint {
        x: f64::NAN,
        lcpr: v.lcpr,
        monthly_cost: v.monthly_cost,
        accepted: v.accepted,
        feasible: why_not.is_none(),
        infeasible_because: why_not,
    }
}

/// The first-stage pass rates (high, low) between which the cascade's curve, in increasing
/// escalation rate, first rises above `level`.
fn crossing(curve: &[(f64, f64, MixCost)], level: f64) -> Option<(f64, f64)> {
    curve.windows(2).find_map(|w| {
        let (a, b) = (w.first()?, w.get(1)?);
        (a.2.lcpr <= level && b.2.lcpr > level).then_some((b.1, a.1))
    })
}

/// The lowest judge accuracy at which the cascade's LCPR is at most `target`, by bisection.
fn required_accuracy(ws: &Workspace, s: &Scenario, target: f64) -> InputResult<Option<f64>> {
    let at = |a: f64| -> InputResult<f64> {
        let v = vary(s, |m| {
            if let Mix::Cascade { judge, .. } = m {
                judge.accuracy = a;
                judge.false_accept_rate = None;
                judge.false_reject_rate = None;
            }
        });
        Ok(mix_cost(ws, &v)?.lcpr)
    };
    if at(1.0)? > target {
        return Ok(None);
    }
    if at(0.0)? <= target {
        return Ok(Some(0.0));
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if at(mid)? <= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

/// The quality floor and the p95 latency SLO, checked on a mix's parts.
struct Feasibility {
    /// Per route: the share of its requests over the TTFT SLO, at most; `None` not measured.
    tails: Vec<(String, Option<f64>)>,
    latency: bool,
}

impl Feasibility {
    fn new(ws: &Workspace, s: &Scenario, notes: &mut Vec<String>) -> Self {
        let slo = ws
            .workload(&s.workload)
            .map_or(f64::INFINITY, |w| w.slo.ttft_ms);
        let mut routes = vec![s.route.clone()];
        match &s.mix {
            Some(Mix::Split { parts }) => routes.extend(parts.iter().map(|p| p.route.clone())),
            Some(Mix::ReservedOverflow { overflow, .. }) => routes.push(overflow.route.clone()),
            Some(Mix::BatchLane { route: Some(r), .. }) => routes.push(r.clone()),
            _ => {}
        }
        let tails = routes
            .into_iter()
            .map(|r| {
                let q = latest_ttft(ws, &s.workload, &r);
                if q.is_none() {
                    notes.push(format!(
                        "p95 TTFT on {r}: not measured (no baseline of the workload on it), so the latency SLO is not checked there"
                    ));
                }
                let tail = q.map(|q| tail_above(q, slo));
                (r, tail)
            })
            .collect();
        Self {
            tails,
            latency: !matches!(s.mix, Some(Mix::BatchLane { .. })),
        }
    }

    fn why_not(&self, m: &MixCost, floor: f64) -> Option<String> {
        let n = m.requests;
        if n <= 0.0 {
            return None;
        }
        let gate: f64 = if m.shape == "cascade" {
            m.accepted / n
        } else {
            m.parts
                .iter()
                .map(|p| p.requests * p.gate_pass_rate)
                .sum::<f64>()
                / n
        };
        if gate + 1e-12 < floor {
            return Some(format!(
                "gate pass rate {:.1}% is below the quality floor of {:.1}%",
                100.0 * gate,
                100.0 * floor
            ));
        }
        if self.latency {
            // A mix's p95 is within the SLO when at most 5% of all its requests exceed it.
            let over: f64 = m
                .parts
                .iter()
                .filter_map(|p| {
                    let tail = self.tails.iter().find(|(r, _)| *r == p.route)?.1?;
                    Some(p.requests / n * tail)
                })
                .sum();
            if over > 0.05 + 1e-12 {
                return Some(format!(
                    "up to {:.1}% of requests may exceed the TTFT SLO, more than the 5% a p95 allows",
                    100.0 * over
                ));
            }
        }
        None
    }
}

fn latest_ttft(ws: &Workspace, workload: &str, route: &str) -> Option<LatencyQuantiles> {
    ws.baselines
        .iter()
        .filter(|b| b.workload == workload && b.route.as_deref() == Some(route))
        .max_by_key(|b| b.captured_on)
        .and_then(|b| b.metrics.ttft_ms)
}

/// An upper bound on the share of requests slower than `slo`, from three quantiles.
fn tail_above(q: LatencyQuantiles, slo: f64) -> f64 {
    if slo >= q.p99 {
        0.01
    } else if slo >= q.p95 {
        0.05
    } else if slo >= q.p50 {
        0.5
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::case::evaluation::cost_of;
    use crate::case::mix::tests::flat;

    #[test]
    fn a_cascade_breaks_even_where_the_paper_says() {
        // A passes 80% at $0.002, B 95% at $0.02, the judge costs $0.0005 and is always right.
        // At escalation rate e (A's pass rate 1 − e): cost per request 0.0025 + 0.02e, accepted
        // (1 − e) + 0.95e = 1 − 0.05e. Straight to B: 0.02 / 0.95. Equal when
        // 0.95 (0.0025 + 0.02e) = 0.02 (1 − 0.05e) → 0.002375 + 0.019e = 0.02 − 0.001e →
        // e = 0.017625 / 0.02 = 0.88125.
        // Judge accuracy a at A's 80%: e = 0.8(1 − a) + 0.2a = 0.8 − 0.6a; cost 0.0185 − 0.012a;
        // accepted 0.8a + 0.95e = 0.76 + 0.23a; equal to 0.02/0.95 when
        // a = (0.0185 − 0.016) / (0.012 + 0.23 × 0.02/0.95) = 0.0025 / 0.0168421 = 0.1484375.
        let ws = flat();
        let p = plan(&ws, "cascade").unwrap();
        let be = p.break_even.clone().unwrap();
        assert!((be.versus_lcpr - 0.02 / 0.95).abs() < 1e-12);
        assert!((be.escalation_rate - 0.2).abs() < 1e-12);
        let e = be.break_even_escalation_rate.unwrap();
        assert!((e - 0.88125).abs() < 1e-6, "{e}");
        let a = be.required_judge_accuracy.unwrap();
        assert!((a - 0.1484375).abs() < 1e-6, "{a}");
        // Today's cascade: 0.0065 / 0.99, the optimum among it, all-A and all-B.
        assert!((p.current.lcpr - 0.0065 / 0.99).abs() < 1e-12);
        let best = p.optimum.unwrap();
        // All on A is $0.0025 but passes 80%, at the floor (0.8): feasible and cheapest.
        assert!((best.lcpr - 0.0025).abs() < 1e-12, "{}", best.lcpr);
        // The funnel: 1M into A, 800k accepted, 200k to B, 190k accepted.
        assert!((p.parts[0].accepted - 800_000.0).abs() < 1e-6);
        assert!((p.parts[1].requests - 200_000.0).abs() < 1e-6);
        assert!((p.parts[1].accepted - 190_000.0).abs() < 1e-6);
    }

    #[test]
    fn the_optimum_is_never_worse_than_a_single_route_it_could_choose() {
        let mut spaces = vec![flat()];
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../workspaces");
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "yaml") {
                spaces.push(crate::document::load(&path).unwrap());
            }
        }
        let mut checked = 0;
        for ws in &spaces {
            for (id, p) in plans(ws) {
                let p = p.unwrap_or_else(|e| panic!("{id}: {e}"));
                let Some(best) = &p.optimum else { continue };
                for single in p.singles.iter().filter(|c| c.point.feasible) {
                    assert!(
                        best.lcpr <= single.point.lcpr + 1e-12,
                        "{id}: optimum {} vs {} {}",
                        best.lcpr,
                        single.label,
                        single.point.lcpr
                    );
                    checked += 1;
                }
                for q in p
                    .points
                    .iter()
                    .filter(|q| q.feasible && p.shape != "cascade")
                {
                    assert!(best.lcpr <= q.lcpr + 1e-12, "{id}");
                }
            }
        }
        assert!(checked >= 5, "only {checked} single routes checked");
    }

    #[test]
    fn a_split_curve_runs_from_one_route_to_the_other() {
        let ws = flat();
        let p = plan(&ws, "split").unwrap();
        assert_eq!(p.points.len(), 101);
        let a = cost_of(&ws, "only-a").unwrap();
        let b = cost_of(&ws, "only-b").unwrap();
        assert_eq!(p.points[0].monthly_cost, a.monthly_cost);
        assert_eq!(p.points[100].monthly_cost, b.monthly_cost);
        // A is cheaper per accepted output and meets the floor: the optimum is all on A.
        assert_eq!(p.optimum.map(|o| o.x), Some(0.0));
    }

    #[test]
    fn a_quality_floor_or_latency_slo_rules_points_out() {
        let mut ws = flat();
        ws.workloads[0].quality_floor = 0.9;
        let p = plan(&ws, "split").unwrap();
        // A passes 80%, B 95%: the blend meets 90% from 2/3 on B (0.8 + 0.15 s ≥ 0.9).
        let first = p.points.iter().find(|q| q.feasible).unwrap();
        assert!((first.x - 0.67).abs() < 1e-9, "{}", first.x);
        assert_eq!(p.optimum.map(|o| o.x), Some(first.x));
        assert!(
            p.points[0]
                .infeasible_because
                .as_deref()
                .unwrap()
                .contains("quality floor")
        );
        assert!(p.notes.iter().any(|n| n.contains("not measured")));
    }

    #[test]
    fn a_reserved_pool_is_sized_by_the_lowest_cost_per_accepted_output() {
        let ws = flat();
        let p = plan(&ws, "pool").unwrap();
        // Peak 5 units × 512.8 = 2,564 requests an hour: 2 GPUs of 1,800.
        assert_eq!(
            p.points.iter().map(|q| q.x).collect::<Vec<_>>(),
            vec![0.0, 1.0, 2.0]
        );
        assert_eq!(
            p.points[0].monthly_cost,
            cost_of(&ws, "only-a").unwrap().monthly_cost
        );
        let best = p.optimum.unwrap();
        let min = p
            .points
            .iter()
            .map(|q| q.lcpr)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(best.lcpr, min);
    }

    #[test]
    fn tornado_and_monte_carlo_cover_the_mix_inputs() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        let ws = crate::document::load(&root).unwrap();
        // The judge's accuracy moves the cascade: a more accurate judge escalates fewer good
        // answers and delivers fewer bad ones, so LCPR falls.
        let t = crate::decide::tornado::scenario_tornado(&ws, "support-cascade").unwrap();
        let bar = t.bars.iter().find(|b| b.input == "judge-accuracy").unwrap();
        assert!(bar.output_at_high < bar.output_at_low, "{bar:?}");
        let first = t
            .bars
            .iter()
            .find(|b| b.input == "cascade-first-pass")
            .unwrap();
        assert!(first.swing > 0.0);
        // P(the mix beats each single route), over the same draws.
        let sim = crate::decide::monte_carlo::register::simulate_register(&ws, 2000, 7).unwrap();
        let singles: Vec<&str> = ws
            .scenarios
            .iter()
            .filter(|s| s.mix.is_none())
            .map(|s| s.id.as_str())
            .collect();
        for mix in ["support-cascade", "support-h100-reserved"] {
            for single in &singles {
                let p = sim
                    .beats
                    .iter()
                    .find(|b| b.scenario == mix && b.versus == *single)
                    .unwrap_or_else(|| panic!("{mix} vs {single}"));
                assert!((0.0..=1.0).contains(&p.probability));
            }
        }
        let range = sim
            .scenarios
            .iter()
            .find(|s| s.scenario == "support-cascade")
            .unwrap();
        assert!(range.lcpr.p10 < range.lcpr.p90);
    }

    #[test]
    fn a_single_route_scenario_has_nothing_to_plan() {
        let err = plan(&flat(), "only-a").unwrap_err().to_string();
        assert!(err.contains("nothing to plan"), "{err}");
    }
}
