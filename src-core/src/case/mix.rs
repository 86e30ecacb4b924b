//! The cost of a scenario with a mix (split, cascade, reserved + overflow, batch lane), in
//! Decimal to the cent.
//!
//! Each part is priced by the single-route cost ([`scenario_cost`]) on the traffic it
//! carries, so a split at 0% or 100% is exactly the single route and a mix's monthly cost is
//! the sum of its parts. Workload-wide amounts that do not grow with requests (the operations
//! allocation, engineering hours) are allocated to the parts by their share of the requests; a
//! route's own fixed costs (its operations staff, non-production GPUs) are paid in full by any
//! part that carries traffic, and not at all by one that carries none.
//!
//! A cascade's first stage answers every request and carries the workload-wide costs (human
//! escalation, operations, engineering); a judge looks at each output of a stage that has a
//! next one, passes the good ones it recognises and the bad ones it mistakes for good, and
//! escalates the rest. Only good outputs count as accepted: an output that was rejected,
//! escalated or passed by mistake produced nothing and still costs its attempt.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::lcpr::{HOURS_PER_MONTH, SECONDS_PER_MONTH};
use crate::case::cost::exact::{ScenarioCost, cents, scenario_cost};
use crate::document::{
    DemandProfile, Judge, Mix, RateCard, Route, Scenario, Workload, WorkloadField, Workspace,
    effective_rates,
};
use crate::error::{InputError, InputResult};
use crate::money::{self, to_cents};

/// What a part does in its mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartRole {
    /// A split's share (the scenario's route carries the rest).
    Share,
    /// Stage `n` of a cascade, from 1.
    Stage(usize),
    /// The reserved GPU pool.
    Reserved,
    /// The per-token route above the pool.
    Overflow,
    /// Requests that cannot wait, at standard rates.
    Standard,
    /// The batch lane, at batch rates.
    Batch,
}

impl PartRole {
    /// A label for tables.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            Self::Share => "share".into(),
            Self::Stage(n) => format!("stage {n}"),
            Self::Reserved => "reserved pool".into(),
            Self::Overflow => "overflow".into(),
            Self::Standard => "standard lane".into(),
            Self::Batch => "batch lane".into(),
        }
    }
}

/// One part of a mix: the route, the traffic it carries and what that costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixPartCost {
    /// The route.
    pub route: String,
    /// Its role.
    pub role: PartRole,
    /// The workload's quality gate pass rate on this route.
    pub gate_pass_rate: f64,
    /// Requests it receives per month.
    pub requests: f64,
    /// Good outputs it delivers per month (what counts as accepted).
    pub accepted: f64,
    /// Outputs a judge passed although they failed (delivered, not accepted).
    pub false_accepted: f64,
    /// Requests it sends on to the next stage (cascades).
    pub escalated: f64,
    /// The judge's cost on this part's outputs (cascades).
    #[serde(with = "crate::money::exact")]
    pub judge_cost: Decimal,
    /// Its single-route cost on its traffic; `None` when it carries none (it costs nothing).
    pub cost: Option<ScenarioCost>,
    /// Its monthly cost including the judge: the single-route cost plus `judge_cost`.
    #[serde(with = "crate::money::exact")]
    pub monthly_cost: Decimal,
}

/// A reserved pool's fit to the demand profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolFit {
    /// GPUs reserved.
    pub gpus: f64,
    /// Requests one GPU serves in an hour, retries included.
    pub requests_per_gpu_hour: f64,
    /// The pool's requests per hour.
    pub capacity_per_hour: f64,
    /// Requests per hour in each bucket of the profile.
    pub demand_per_hour: Vec<f64>,
    /// Share of the month's requests the pool serves.
    pub served_share: f64,
    /// GPUs that would serve the peak hour.
    pub peak_gpus: f64,
}

/// A mix scenario's cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixCost {
    /// The shape: split, cascade, reserved_overflow or batch_lane.
    pub shape: &'static str,
    /// The parts in order (the scenario's own route first).
    pub parts: Vec<MixPartCost>,
    /// Requests per month.
    pub requests: f64,
    /// Accepted outputs per month: the parts' sum.
    pub accepted: f64,
    /// Monthly cost: the parts' sum, to the cent.
    #[serde(with = "crate::money::exact")]
    pub monthly_cost: Decimal,
    /// Monthly cost ÷ accepted.
    pub lcpr: f64,
    /// Share of requests a cascade's first stage escalates.
    pub escalation_rate: Option<f64>,
    /// The reserved pool's fit (reserved + overflow).
    pub pool: Option<PoolFit>,
    /// The whole mix as one scenario cost (judges in `eval`), for tables and charts.
    pub total: ScenarioCost,
}

/// The shape's name in files.
#[must_use]
pub fn shape_name(mix: &Mix) -> &'static str {
    match mix {
        Mix::Split { .. } => "split",
        Mix::Cascade { .. } => "cascade",
        Mix::ReservedOverflow { .. } => "reserved_overflow",
        Mix::BatchLane { .. } => "batch_lane",
    }
}

/// A part's inputs before pricing.
struct Leg<'a> {
    route: &'a Route,
    card: &'a RateCard,
    workload: Workload,
}

fn leg<'a>(
    ws: &'a Workspace,
    base: &Workload,
    route_id: &str,
    overrides: impl IntoIterator<Item = (WorkloadField, f64)>,
    at: &str,
) -> InputResult<Leg<'a>> {
    let route = ws.route(route_id).ok_or_else(|| {
        InputError::new(
            format!("{at}.route"),
            format!("names no route {route_id:?}"),
        )
    })?;
    let card = ws.rate_card(&route.rate_card).ok_or_else(|| {
        InputError::new(
            format!("{at}.route"),
            format!("{route_id:?} names no rate card {:?}", route.rate_card),
        )
    })?;
    let mut workload = base.clone();
    for (f, v) in overrides {
        workload
            .set(f, v)
            .map_err(|e| e.within(&format!("{at}.overrides")))?;
    }
    Ok(Leg {
        route,
        card,
        workload,
    })
}

/// The leg priced on `requests` with `fixed` of the workload-wide fixed amounts; `None` when
/// it carries no traffic.
fn price(leg: &Leg<'_>, requests: f64, fixed: f64) -> InputResult<Option<ScenarioCost>> {
    if requests <= 0.0 {
        return Ok(None);
    }
    let mut w = leg.workload.clone();
    w.monthly_requests = requests;
    w.engineering_hours_per_month *= fixed;
    w.ops_monthly_cost =
        to_cents(w.ops_monthly_cost * money::from_f64(fixed).unwrap_or(Decimal::ZERO));
    scenario_cost(&w, leg.route, leg.card).map(Some)
}

fn part(l: &Leg<'_>, role: PartRole, requests: f64, cost: Option<ScenarioCost>) -> MixPartCost {
    let accepted = cost.as_ref().map_or(0.0, |c| c.accepted_units);
    MixPartCost {
        route: l.route.id.clone(),
        gate_pass_rate: l.workload.quality_gate_pass_rate,
        role,
        requests,
        accepted,
        false_accepted: 0.0,
        escalated: 0.0,
        judge_cost: Decimal::ZERO,
        monthly_cost: cost.as_ref().map_or(Decimal::ZERO, |c| c.monthly_cost),
        cost,
    }
}

fn workload_of<'a>(ws: &'a Workspace, s: &Scenario) -> InputResult<&'a Workload> {
    ws.workload(&s.workload)
        .ok_or_else(|| InputError::new("workload", format!("names no workload {:?}", s.workload)))
}

/// Costs a scenario with a mix (`s.mix` must be set); `s` need not be in `ws`, so a plan can
/// price variations of it.
pub fn mix_cost(ws: &Workspace, s: &Scenario) -> InputResult<MixCost> {
    let mix = s
        .mix
        .as_ref()
        .ok_or_else(|| InputError::new("mix", "is absent: the scenario has one route"))?;
    let base = workload_of(ws, s)?;
    let own = |at: &str| {
        leg(
            ws,
            base,
            &s.route,
            s.overrides.iter().map(|(f, v)| (*f, *v)),
            at,
        )
    };
    // The scenario's own overrides set the volume, as for a single route.
    let n = own("route")?.workload.monthly_requests;
    let mut escalation_rate = None;
    let mut pool = None;
    let parts = match mix {
        Mix::Split { parts } => {
            let first = own("route")?;
            let rest: f64 = parts.iter().map(|p| p.share).sum();
            let remainder = (1.0 - rest).max(0.0);
            let mut out = vec![part(
                &first,
                PartRole::Share,
                n * remainder,
                price(&first, n * remainder, remainder)?,
            )];
            for (j, p) in parts.iter().enumerate() {
                let at = format!("mix.split.parts[{j}]");
                let l = leg(
                    ws,
                    base,
                    &p.route,
                    p.overrides.iter().map(|(f, v)| (*f, *v)),
                    &at,
                )?;
                let cost = price(&l, n * p.share, p.share).map_err(|e| e.within(&at))?;
                out.push(part(&l, PartRole::Share, n * p.share, cost));
            }
            out
        }
        Mix::Cascade { judge, stages } => {
            let mut legs = vec![own("route")?];
            for (j, st) in stages.iter().enumerate() {
                let at = format!("mix.cascade.stages[{j}]");
                let mut l = leg(
                    ws,
                    base,
                    &st.route,
                    st.overrides.iter().map(|(f, v)| (*f, *v)),
                    &at,
                )?;
                // The first stage carries the workload-wide human escalation.
                l.workload.human_escalation_rate = 0.0;
                legs.push(l);
            }
            let out = cascade(&legs, judge, n)?;
            escalation_rate = out
                .get(1)
                .map(|p| if n > 0.0 { p.requests / n } else { 0.0 });
            out
        }
        Mix::ReservedOverflow {
            reserved_gpus,
            overflow,
            demand_profile,
        } => {
            let reserved = own("route")?;
            let profile = ws.demand_profile(demand_profile).ok_or_else(|| {
                InputError::new(
                    "mix.reserved_overflow.demand_profile",
                    format!("names no demand profile {demand_profile:?}"),
                )
            })?;
            let over = leg(
                ws,
                base,
                &overflow.route,
                overflow.overrides.iter().map(|(f, v)| (*f, *v)),
                "mix.reserved_overflow.overflow",
            )?;
            let fit = pool_fit(&reserved, profile, n, *reserved_gpus)?;
            let served = n * fit.served_share;
            let share = fit.served_share;
            let pool_cost = match price(&reserved, served, share)? {
                Some(c) => Some(with_gpus(c, &reserved, fit.gpus)?),
                None => None,
            };
            let out = vec![
                part(&reserved, PartRole::Reserved, served, pool_cost),
                part(
                    &over,
                    PartRole::Overflow,
                    n - served,
                    price(&over, n - served, 1.0 - share)?,
                ),
            ];
            pool = Some(fit);
            out
        }
        Mix::BatchLane {
            share,
            route,
            max_queue_delay_hours,
        } => {
            // Providers' batch APIs promise completion within 24 hours.
            if *max_queue_delay_hours < 24.0 {
                return Err(InputError::new(
                    "mix.batch_lane.max_queue_delay_hours",
                    format!(
                        "is {max_queue_delay_hours} h, under the 24 h batch completion window: requests that must return sooner cannot use batch rates; raise the bound to 24 or send them to a standard route"
                    ),
                ));
            }
            let mut standard = own("route")?;
            standard.workload.batch_eligible_share = 0.0;
            let mut lane = match route {
                Some(r) if *r != s.route => leg(ws, base, r, [], "mix.batch_lane")?,
                _ => own("mix.batch_lane")?,
            };
            let eligible = lane.workload.batch_eligible_share;
            if *share > eligible + 1e-9 {
                return Err(InputError::new(
                    "mix.batch_lane.share",
                    format!(
                        "is {share}, above the workload's batch-eligible share ({eligible}): only requests that can wait may go to the batch lane"
                    ),
                ));
            }
            lane.workload.batch_eligible_share = 1.0;
            vec![
                part(
                    &standard,
                    PartRole::Standard,
                    n * (1.0 - share),
                    price(&standard, n * (1.0 - share), 1.0 - share)?,
                ),
                part(
                    &lane,
                    PartRole::Batch,
                    n * share,
                    price(&lane, n * share, *share)?,
                ),
            ]
        }
    };
    let monthly_cost: Decimal = parts.iter().map(|p| p.monthly_cost).sum();
    let accepted: f64 = parts.iter().map(|p| p.accepted).sum();
    if accepted <= 0.0 {
        return Err(InputError::new(
            "mix",
            "leaves no accepted outputs: every part's pass rate × quality score is 0",
        ));
    }
    let first_route = ws
        .route(&s.route)
        .ok_or_else(|| InputError::new("route", format!("names no route {:?}", s.route)))?;
    let first_card = ws.rate_card(&first_route.rate_card).ok_or_else(|| {
        InputError::new(
            "rate_card",
            format!("names no rate card {:?}", first_route.rate_card),
        )
    })?;
    let total = aggregate(
        &parts,
        n,
        accepted,
        monthly_cost,
        effective_rates(first_card)?,
    );
    Ok(MixCost {
        shape: shape_name(mix),
        requests: n,
        accepted,
        lcpr: money::to_f64(monthly_cost) / accepted,
        monthly_cost,
        escalation_rate,
        pool,
        parts,
        total,
    })
}

/// The stages of a cascade on `n` requests.
fn cascade(legs: &[Leg<'_>], judge: &Judge, n: f64) -> InputResult<Vec<MixPartCost>> {
    let fa = judge.false_accept();
    let fr = judge.false_reject();
    let last = legs.len().saturating_sub(1);
    let mut requests = n;
    let mut out = Vec::new();
    for (k, l) in legs.iter().enumerate() {
        let pass = l.workload.quality_gate_pass_rate * l.route.quality_score;
        let at = if k == 0 {
            "route".to_owned()
        } else {
            format!("mix.cascade.stages[{}]", k - 1)
        };
        let fixed = if k == 0 { 1.0 } else { 0.0 };
        if k < last {
            // Failures are escalated, not repaired; the pass rate then only counts outputs,
            // which the judge does here.
            let mut priced = Leg {
                route: l.route,
                card: l.card,
                workload: l.workload.clone(),
            };
            priced.workload.repair_cost_per_failure = Decimal::ZERO;
            priced.workload.quality_gate_pass_rate = 1.0;
            let good = requests * pass * (1.0 - fr);
            let false_accepted = requests * (1.0 - pass) * fa;
            let escalated = (requests - good - false_accepted).max(0.0);
            let judge_cost = cents(
                requests * money::to_f64(judge.cost_per_request),
                "mix.cascade.judge.cost_per_request",
            )?;
            let cost = price_at(&priced, requests, fixed, &at)?;
            let monthly = cost.as_ref().map_or(Decimal::ZERO, |c| c.monthly_cost) + judge_cost;
            out.push(MixPartCost {
                route: l.route.id.clone(),
                gate_pass_rate: l.workload.quality_gate_pass_rate,
                role: PartRole::Stage(k + 1),
                requests,
                accepted: good,
                false_accepted,
                escalated,
                judge_cost,
                cost,
                monthly_cost: monthly,
            });
            requests = escalated;
        } else {
            let cost = price_at(l, requests, fixed, &at)?;
            let mut p = part(l, PartRole::Stage(k + 1), requests, cost);
            p.accepted = requests * pass;
            out.push(p);
        }
    }
    Ok(out)
}

fn price_at(l: &Leg<'_>, requests: f64, fixed: f64, at: &str) -> InputResult<Option<ScenarioCost>> {
    price(l, requests, fixed).map_err(|e| e.within(at))
}

/// Requests one GPU of the leg's route serves per hour, retries included: the rate card's
/// throughput × utilization over the load of a request (output plus the prefill share of input).
pub fn requests_per_gpu_hour(l_workload: &Workload, card: &RateCard) -> InputResult<f64> {
    let pricing = crate::case::cost::exact::card_pricing(card)?;
    let tokens_per_hour = pricing.throughput_tps * pricing.utilization * 3600.0;
    let w = l_workload;
    let per_attempt =
        w.tokens.output + w.prefill_efficiency * (w.tokens.stable_prefix + w.tokens.dynamic_tail);
    let per_request = per_attempt * (1.0 + w.retry_rate);
    if per_request > 0.0 && tokens_per_hour > 0.0 {
        Ok(tokens_per_hour / per_request)
    } else {
        Err(InputError::new(
            "rate_card",
            format!(
                "{:?} gives the pool no capacity: throughput × utilization and the tokens per request must be > 0",
                card.id
            ),
        ))
    }
}

fn pool_fit(l: &Leg<'_>, profile: &DemandProfile, n: f64, gpus: f64) -> InputResult<PoolFit> {
    let per_gpu = requests_per_gpu_hour(&l.workload, l.card)?;
    let shares = profile.shares();
    if shares.is_empty() {
        return Err(InputError::new(
            "mix.reserved_overflow.demand_profile",
            format!("{:?} holds no requests", profile.id),
        ));
    }
    // Each bucket recurs HOURS_PER_MONTH / buckets times a month.
    let recurrences = HOURS_PER_MONTH / shares.len() as f64;
    let demand: Vec<f64> = shares.iter().map(|s| n * s / recurrences).collect();
    let capacity = gpus * per_gpu;
    let served: f64 = demand.iter().map(|d| d.min(capacity) * recurrences).sum();
    let peak = demand.iter().copied().fold(0.0, f64::max);
    Ok(PoolFit {
        gpus,
        requests_per_gpu_hour: per_gpu,
        capacity_per_hour: capacity,
        served_share: if n > 0.0 { (served / n).min(1.0) } else { 0.0 },
        peak_gpus: (peak / per_gpu).ceil(),
        demand_per_hour: demand,
    })
}

/// A pool's cost with its GPU count fixed at `gpus` instead of sized to the average load.
fn with_gpus(mut c: ScenarioCost, l: &Leg<'_>, gpus: f64) -> InputResult<ScenarioCost> {
    let rates = effective_rates(l.card)?;
    let hourly = money::to_f64(rates.hourly_rate.unwrap_or_default());
    let all = cents(gpus * hourly * HOURS_PER_MONTH, "reserved_gpus")?;
    // Retries take their share of the load, and so of the GPUs, as in the single-route cost.
    let first = cents(
        money::to_f64(all) / (1.0 + l.workload.retry_rate),
        "reserved_gpus",
    )?;
    c.components.gpu = first;
    c.components.retries = all - first;
    c.components.commitment_shortfall = Decimal::ZERO;
    if let Some(committed) = l
        .card
        .contract
        .as_ref()
        .and_then(|k| k.committed_monthly_spend)
    {
        let billed = c.components.gpu + c.components.retries + c.components.non_production;
        c.components.commitment_shortfall = (committed - billed).max(Decimal::ZERO);
    }
    c.monthly_cost = c.components.total();
    c.lcpr = money::to_f64(c.monthly_cost) / c.accepted_units;
    c.cost_per_1k_requests = 1000.0 * c.lcpr;
    let pricing = crate::case::cost::exact::card_pricing(l.card)?;
    let capacity = pricing.throughput_tps * pricing.utilization * SECONDS_PER_MONTH;
    let w = &l.workload;
    let load = (w.tokens.output
        + w.prefill_efficiency * (w.tokens.stable_prefix + w.tokens.dynamic_tail))
        * c.attempts;
    c.gpu_count = Some(gpus);
    c.gpu_load_fraction = (gpus > 0.0 && capacity > 0.0).then(|| load / (gpus * capacity));
    Ok(c)
}

fn aggregate(
    parts: &[MixPartCost],
    n: f64,
    accepted: f64,
    monthly_cost: Decimal,
    rates: crate::document::EffectiveRates,
) -> ScenarioCost {
    let mut components = crate::case::cost::exact::CostComponents::default();
    let mut attempts = 0.0;
    let mut raw = Decimal::ZERO;
    let mut adjusted = Decimal::ZERO;
    let mut gpus: Option<f64> = None;
    for p in parts {
        components.eval += p.judge_cost;
        let Some(c) = &p.cost else { continue };
        let k = &c.components;
        components.inference_tokens += k.inference_tokens;
        components.gpu += k.gpu;
        components.retries += k.retries;
        components.repair += k.repair;
        components.eval += k.eval;
        components.human += k.human;
        components.ops += k.ops;
        components.engineering += k.engineering;
        components.non_production += k.non_production;
        components.commitment_shortfall += k.commitment_shortfall;
        attempts += c.attempts;
        raw += c.raw_token_cost;
        adjusted += c.cache_adjusted_token_cost;
        if let Some(g) = c.gpu_count {
            gpus = Some(gpus.unwrap_or(0.0) + g);
        }
    }
    let lcpr = money::to_f64(monthly_cost) / accepted;
    let first = parts.iter().find_map(|p| p.cost.as_ref());
    // One GPU part (a pool): its fill is the mix's; several would need weighting by GPUs.
    let gpu_parts: Vec<&ScenarioCost> = parts
        .iter()
        .filter_map(|p| p.cost.as_ref().filter(|c| c.gpu_count.is_some()))
        .collect();
    let gpu_load_fraction = match gpu_parts.as_slice() {
        [one] => one.gpu_load_fraction,
        _ => None,
    };
    ScenarioCost {
        lcpr,
        monthly_cost,
        components,
        monthly_requests: n,
        attempts,
        accepted_units: accepted,
        accepted_outcome_rate: if n > 0.0 { accepted / n } else { 0.0 },
        retry_rate: if n > 0.0 { attempts / n - 1.0 } else { 0.0 },
        quality_pass_rate: if n > 0.0 { accepted / n } else { 0.0 },
        cache_hit_rate: first.map_or(0.0, |c| c.cache_hit_rate),
        cost_per_1k_requests: 1000.0 * lcpr,
        raw_token_cost: raw,
        cache_adjusted_token_cost: adjusted,
        effective_input_cost: None,
        gpu_count: gpus,
        gpu_load_fraction,
        rates,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]
    use super::*;
    use crate::case::evaluation::cost_of;
    use crate::document::{MixPart, MixRoute};
    use proptest::prelude::*;
    use std::str::FromStr;

    /// A workspace whose routes cost a flat amount per request: 1,000 output tokens and no
    /// input, no retries, repair, eval, human, ops or engineering. A: $2/M output → $0.002 a
    /// request; B: $20/M → $0.02; C: $60/M → $0.06; a GPU pool of 1,000 tok/s at 50%
    /// utilization, $2/h (1.8 requests/s → 1,800 an hour per GPU).
    pub(crate) fn flat() -> Workspace {
        let text = r#"
format_version: 1
meta: {title: flat, currency: USD, created: "2026-01-01", updated: "2026-01-01"}
rate_cards:
- {id: a, provider: P, model: A, effective_from: "2026-01-01", pricing: {kind: tokens, input_per_m: 1, output_per_m: 2}}
- {id: b, provider: P, model: B, effective_from: "2026-01-01", pricing: {kind: tokens, input_per_m: 1, output_per_m: 20}}
- {id: c, provider: P, model: C, effective_from: "2026-01-01", pricing: {kind: tokens, input_per_m: 1, output_per_m: 60}}
- {id: g, provider: P, model: G, effective_from: "2026-01-01", pricing: {kind: gpu, hourly_rate: 2, throughput_tps: 1000, utilization: 0.5}}
workloads:
- id: w
  name: W
  monthly_requests: 1000000
  tokens: {stable_prefix: 0, dynamic_tail: 0, output: 1000}
  cache_hit_rate: 0
  retry_rate: 0
  quality_gate_pass_rate: 0.8
  repair_cost_per_failure: 0
  human_escalation_rate: 0
  human_cost_per_case: 0
  eval_sample_rate: 0
  grader_cost_per_eval: 0
  ops_monthly_cost: 0
  engineering_hours_per_month: 0
  engineer_hourly_cost: 0
  batch_eligible_share: 0
  prefill_efficiency: 0
  slo: {ttft_ms: 800, tpot_ms: 50}
  quality_floor: 0.8
routes:
- {id: ra, name: A, kind: serverless_open_weight, rate_card: a, quality_score: 1}
- {id: rb, name: B, kind: managed_api, rate_card: b, quality_score: 1}
- {id: rc, name: C, kind: managed_api, rate_card: c, quality_score: 1}
- {id: rg, name: G, kind: self_hosted_gpus, rate_card: g, quality_score: 1}
scenarios:
- {id: only-a, name: A, workload: w, route: ra}
- {id: only-b, name: B, workload: w, route: rb, overrides: {quality_gate_pass_rate: 0.95}}
- {id: only-g, name: G, workload: w, route: rg}
- id: cascade
  name: A then B
  workload: w
  route: ra
  mix:
    cascade:
      judge: {cost_per_request: 0.0005, accuracy: 1}
      stages:
      - {route: rb, overrides: {quality_gate_pass_rate: 0.95}}
- id: split
  name: A and B
  workload: w
  route: ra
  mix:
    split:
      parts:
      - {route: rb, share: 0.3, overrides: {quality_gate_pass_rate: 0.95}}
- id: pool
  name: G with A above it
  workload: w
  route: rg
  mix:
    reserved_overflow:
      reserved_gpus: 2
      overflow: {route: ra}
      demand_profile: day
demand_profiles:
- id: day
  workload: w
  hourly: [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 4, 3, 2, 2, 1, 1, 1, 1]
"#;
        crate::document::parse(text, "flat.yaml").unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn with_mix(ws: &Workspace, id: &str, f: impl FnOnce(&mut Mix)) -> Scenario {
        let mut s = ws.scenario(id).unwrap().clone();
        f(s.mix.as_mut().unwrap());
        s
    }

    #[test]
    fn a_two_stage_cascade_costs_what_the_paper_says() {
        // Per request: A $0.002 + judge $0.0005 on every request; a perfect judge escalates
        // the 20% A fails, each costing B $0.02 → 0.002 + 0.0005 + 0.2 × 0.02 = $0.0065.
        // Accepted: 0.8 from A + 0.2 × 0.95 from B = 0.99. LCPR = 0.0065 / 0.99 = $0.0065657.
        // On 1M requests: $6,500 a month for 990,000 accepted outputs.
        let ws = flat();
        let m = mix_cost(&ws, ws.scenario("cascade").unwrap()).unwrap();
        assert_eq!(m.monthly_cost, d("6500"));
        assert!((m.accepted - 990_000.0).abs() < 1e-6);
        assert!((m.lcpr - 0.0065 / 0.99).abs() < 1e-12);
        assert!((m.escalation_rate.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(m.parts[0].judge_cost, d("500"));
        assert_eq!(m.parts[1].monthly_cost, d("4000"));
        // The evaluation shows it as one scenario with the judge under eval grading.
        let c = cost_of(&ws, "cascade").unwrap();
        assert_eq!(c.monthly_cost, d("6500"));
        assert_eq!(c.components.eval, d("500"));
        assert_eq!(c.components.total(), c.monthly_cost);
    }

    #[test]
    fn a_split_at_its_ends_is_the_single_route_exactly() {
        let ws = flat();
        for (share, single) in [(0.0, "only-a"), (1.0, "only-b")] {
            let s = with_mix(&ws, "split", |m| {
                if let Mix::Split { parts } = m {
                    parts[0].share = share;
                }
            });
            let m = mix_cost(&ws, &s).unwrap();
            let one = cost_of(&ws, single).unwrap();
            assert_eq!(m.monthly_cost, one.monthly_cost, "{single}");
            assert_eq!(m.total.components, one.components, "{single}");
            assert_eq!(m.lcpr, one.lcpr, "{single}");
        }
        // On the default workspace too, with its fixed costs, contract and GPU routes.
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        let ws = crate::document::load(&root).unwrap();
        let (ws, _) = crate::case::evaluation::apply_register(&ws);
        for a in &ws.scenarios {
            for b in ws
                .scenarios
                .iter()
                .filter(|b| b.id != a.id && b.mix.is_none() && a.mix.is_none())
            {
                for (share, single) in [(0.0, a), (1.0, b)] {
                    let mut s = a.clone();
                    s.mix = Some(Mix::Split {
                        parts: vec![MixPart {
                            route: b.route.clone(),
                            share,
                            overrides: b.overrides.clone(),
                        }],
                    });
                    let m = mix_cost(&ws, &s).unwrap();
                    let one = cost_of(&ws, &single.id).unwrap();
                    assert_eq!(m.monthly_cost, one.monthly_cost, "{} → {}", a.id, b.id);
                    assert_eq!(m.lcpr, one.lcpr, "{} → {}", a.id, b.id);
                }
            }
        }
    }

    #[test]
    fn a_reserved_pool_of_no_gpus_is_all_per_token() {
        let ws = flat();
        let s = with_mix(&ws, "pool", |m| {
            if let Mix::ReservedOverflow { reserved_gpus, .. } = m {
                *reserved_gpus = 0.0;
            }
        });
        let m = mix_cost(&ws, &s).unwrap();
        let one = cost_of(&ws, "only-a").unwrap();
        assert_eq!(m.monthly_cost, one.monthly_cost);
        assert_eq!(m.total.components, one.components);
        assert_eq!(m.lcpr, one.lcpr);
        assert_eq!(m.pool.as_ref().map(|p| p.served_share), Some(0.0));
    }

    #[test]
    fn a_reserved_pool_serves_demand_up_to_its_capacity_each_hour() {
        // 1M requests over 65 units of shape, each hour recurring 30 times a month: one unit
        // is 1e6/65/30 = 512.8 requests an hour. A GPU serves 1,000 × 0.5 × 3,600 / 1,000 =
        // 1,800 an hour, so 2 GPUs (3,600/h) serve every hour up to 7.02 units: all of it (the
        // peak is 5). The pool costs 2 × $2 × 720 = $2,880.
        let ws = flat();
        let m = mix_cost(&ws, ws.scenario("pool").unwrap()).unwrap();
        let fit = m.pool.clone().unwrap();
        assert!((fit.requests_per_gpu_hour - 1800.0).abs() < 1e-9);
        assert!((fit.served_share - 1.0).abs() < 1e-12);
        assert_eq!(m.parts[0].monthly_cost, d("2880"));
        assert_eq!(m.parts[1].monthly_cost, Decimal::ZERO);
        // One GPU (1,800/h, 3.51 units) leaves to A what the 4- and 5-unit hours hold above it.
        let s = with_mix(&ws, "pool", |m| {
            if let Mix::ReservedOverflow { reserved_gpus, .. } = m {
                *reserved_gpus = 1.0;
            }
        });
        let m = mix_cost(&ws, &s).unwrap();
        let unit = 1e6 / 65.0 / 30.0;
        let over: f64 = [4.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]
            .iter()
            .map(|u: &f64| (u * unit - 1800.0) * 30.0)
            .sum();
        let over_cost = (over * 0.002 * 100.0).round() / 100.0;
        assert!((m.parts[1].requests - over).abs() < 1e-6);
        assert_eq!(m.parts[0].monthly_cost, d("1440"));
        assert!((money::to_f64(m.parts[1].monthly_cost) - over_cost).abs() < 0.011);
    }

    #[test]
    fn a_weekly_profile_spreads_the_month_over_168_hours() {
        // Weekdays 08:00–18:00 at 3 units, every other hour at 1: 50 × 3 + 118 = 268 units a
        // week, each hour recurring 720/168 times a month. 1M requests: one unit is
        // 1e6 / 268 / (720/168) = 870.6 requests an hour, the busy hours 2,612. One GPU
        // (1,800/h) serves the quiet hours whole and 1,800 of each busy one.
        let mut ws = flat();
        ws.demand_profiles[0].hourly = (0..168)
            .map(|h| {
                if h / 24 < 5 && (8..18).contains(&(h % 24)) {
                    3.0
                } else {
                    1.0
                }
            })
            .collect();
        assert!(crate::document::validate(&ws).is_empty());
        let s = with_mix(&ws, "pool", |m| {
            if let Mix::ReservedOverflow { reserved_gpus, .. } = m {
                *reserved_gpus = 1.0;
            }
        });
        let m = mix_cost(&ws, &s).unwrap();
        let rec = 720.0 / 168.0;
        let unit = 1e6 / 268.0 / rec;
        let over = 50.0 * (3.0 * unit - 1800.0) * rec;
        assert!(
            (m.parts[1].requests - over).abs() < 1e-6,
            "{}",
            m.parts[1].requests
        );
        assert_eq!(m.pool.unwrap().peak_gpus, 2.0);
    }

    #[test]
    fn a_batch_lane_needs_the_batch_window_and_eligible_requests() {
        let mut ws = flat();
        ws.scenarios[0].mix = Some(Mix::BatchLane {
            share: 0.2,
            route: None,
            max_queue_delay_hours: 4.0,
        });
        let err = cost_of(&ws, "only-a").unwrap_err().to_string();
        assert!(err.contains("24 h"), "{err}");
        ws.scenarios[0].mix = Some(Mix::BatchLane {
            share: 0.2,
            route: None,
            max_queue_delay_hours: 24.0,
        });
        let err = cost_of(&ws, "only-a").unwrap_err().to_string();
        assert!(err.contains("batch-eligible"), "{err}");
        ws.workloads[0].batch_eligible_share = 0.2;
        // No batch rates on the card: the lane pays the standard rates, the same total.
        assert_eq!(cost_of(&ws, "only-a").unwrap().monthly_cost, d("2000"));
    }

    #[test]
    fn an_imperfect_judge_delivers_some_failures_and_escalates_some_good_outputs() {
        // Judge 90% accurate: of A's 800k good outputs 720k pass, 80k are escalated; of its
        // 200k failures 20k pass (delivered, not accepted) and 180k are escalated: 260k to B,
        // 247k accepted there. Cost: 2,000 + 500 + 260k × 0.02 = $7,700 for 967k accepted.
        let ws = flat();
        let s = with_mix(&ws, "cascade", |m| {
            if let Mix::Cascade { judge, .. } = m {
                judge.accuracy = 0.9;
            }
        });
        let m = mix_cost(&ws, &s).unwrap();
        assert_eq!(m.monthly_cost, d("7700"));
        assert!((m.accepted - 967_000.0).abs() < 1e-6);
        assert!((m.parts[0].false_accepted - 20_000.0).abs() < 1e-6);
    }

    fn cascade_of(
        pass_a: f64,
        pass_b: f64,
        pass_c: Option<f64>,
        accuracy: f64,
        n: f64,
    ) -> (Workspace, Scenario) {
        let mut ws = flat();
        ws.workloads[0].monthly_requests = n;
        let mut stages = vec![MixRoute {
            route: "rb".into(),
            overrides: [(WorkloadField::QualityGatePassRate, pass_b)].into(),
        }];
        if let Some(c) = pass_c {
            stages.push(MixRoute {
                route: "rc".into(),
                overrides: [(WorkloadField::QualityGatePassRate, c)].into(),
            });
        }
        let mut s = ws.scenario("cascade").unwrap().clone();
        s.overrides
            .insert(WorkloadField::QualityGatePassRate, pass_a);
        s.mix = Some(Mix::Cascade {
            judge: Judge {
                cost_per_request: d("0.0005"),
                accuracy,
                false_accept_rate: None,
                false_reject_rate: None,
            },
            stages,
        });
        (ws, s)
    }

    proptest! {
        #[test]
        fn accepted_never_exceed_requests_at_any_stage(
            pa in 0.0..=1.0f64, pb in 0.01..=1.0f64, pc in proptest::option::of(0.01..=1.0f64),
            acc in 0.0..=1.0f64, n in 1.0..1e8f64,
        ) {
            let (ws, s) = cascade_of(pa, pb, pc, acc, n);
            if let Ok(m) = mix_cost(&ws, &s) {
                let mut into = n;
                for p in &m.parts {
                    prop_assert!((p.requests - into).abs() <= 1e-6 * n, "{} vs {into}", p.requests);
                    prop_assert!(p.accepted <= p.requests * (1.0 + 1e-12));
                    prop_assert!(p.accepted + p.false_accepted + p.escalated <= p.requests * (1.0 + 1e-9) + 1e-9);
                    into = p.escalated;
                }
                prop_assert!(m.accepted <= n * (1.0 + 1e-12));
            }
        }

        #[test]
        fn a_mix_costs_the_sum_of_its_parts_to_the_cent(
            share in 0.0..=1.0f64, gpus in 0u32..6, pa in 0.0..=1.0f64, acc in 0.0..=1.0f64,
            n in 1.0..1e8f64,
        ) {
            let mut ws = flat();
            ws.workloads[0].monthly_requests = n;
            ws.workloads[0].ops_monthly_cost = d("1234.57");
            ws.workloads[0].engineering_hours_per_month = 7.0;
            ws.workloads[0].engineer_hourly_cost = d("99.99");
            let split = with_mix(&ws, "split", |m| if let Mix::Split { parts } = m { parts[0].share = share; });
            let pool = with_mix(&ws, "pool", |m| if let Mix::ReservedOverflow { reserved_gpus, .. } = m { *reserved_gpus = f64::from(gpus); });
            let (cws, cascade) = cascade_of(pa, 0.95, None, acc, n);
            for (ws, s) in [(&ws, split), (&ws, pool), (&cws, cascade)] {
                let m = mix_cost(ws, &s).unwrap();
                let parts: Decimal = m.parts.iter().map(|p| p.monthly_cost).sum();
                prop_assert_eq!(m.monthly_cost, parts);
                prop_assert_eq!(m.total.components.total(), m.monthly_cost);
                for p in &m.parts {
                    prop_assert_eq!(p.monthly_cost.round_dp(2), p.monthly_cost);
                    let own = p.cost.as_ref().map_or(Decimal::ZERO, |c| c.components.total());
                    prop_assert_eq!(own + p.judge_cost, p.monthly_cost);
                }
            }
        }
    }
}
