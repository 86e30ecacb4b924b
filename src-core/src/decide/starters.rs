//! First drafts of the analysis sections, made from the evaluated case, so a section added in
//! the window (or by a template) starts from the workspace's own numbers — each marked
//! estimated or assumed — instead of zeros the user must replace one by one.

use rust_decimal::Decimal;

use crate::case::cost::exact::ScenarioCost;
use crate::case::evaluation::{Evaluation, ScenarioResult};
use crate::document::attribution::{AttributionInput, TeamUsage, UniformBy, UsageBasis};
use crate::document::evidence_status::EvidenceStatus as Status;
use crate::document::forecast::{self, Change, Driver, ForecastInput, ForecastWorkload};
use crate::document::gates::{DemandShape, OperationsMaturity};
use crate::document::incidents::{IncidentCategory, IncidentInput};
use crate::document::monthly_review::{MonthInputs, MonthlyReviewInput, WorkloadMonths};
use crate::document::{MigrationCase, RatePricing, ScenarioStatus, Workspace};

/// Each workload's current scenario with its cost: the first `current` one, else its first.
fn current(eval: &Evaluation) -> Vec<(&ScenarioResult, &ScenarioCost)> {
    let mut out: Vec<(&ScenarioResult, &ScenarioCost)> = Vec::new();
    let ordered = eval
        .scenarios
        .iter()
        .filter(|s| s.status == ScenarioStatus::Current)
        .chain(eval.scenarios.iter());
    for s in ordered {
        if let Some(c) = &s.cost
            && !out.iter().any(|(o, _)| o.workload == s.workload)
        {
            out.push((s, c));
        }
    }
    // Document order of workloads, whichever pass found them.
    out.sort_by_key(|(s, _)| eval.scenarios.iter().position(|x| x.id == s.id));
    out
}

fn inference_per_request(c: &ScenarioCost) -> f64 {
    c.per_request().inference
}

/// `v` to six significant digits: a drafted figure reads 440,000, not 440,000.00000000006.
fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(5 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// ±`spread` around `base`, estimated from the model.
fn around(base: f64, spread: f64) -> Driver {
    if base == 0.0 {
        return Driver::fixed(0.0, Status::Estimated);
    }
    let base = tidy(base);
    let (a, b) = (tidy(base * (1.0 - spread)), tidy(base * (1.0 + spread)));
    Driver::range(base, a.min(b), a.max(b), Status::Estimated)
}

/// The migration case: the first workload's current scenario against its cheapest other
/// scenario. `None` without two scenarios of one workload.
#[must_use]
pub fn migration(ws: &Workspace, eval: &Evaluation) -> Option<MigrationCase> {
    let pair = current(eval).into_iter().find_map(|(cur, _)| {
        let candidate = eval
            .scenarios
            .iter()
            .filter(|s| s.workload == cur.workload && s.id != cur.id)
            .min_by(|a, b| {
                let lcpr = |s: &ScenarioResult| s.cost.as_ref().map_or(f64::INFINITY, |c| c.lcpr);
                lcpr(a).total_cmp(&lcpr(b))
            })?;
        Some((cur, candidate))
    })?;
    let (cur, cand) = pair;
    let batchable = ws
        .workloads
        .iter()
        .find(|w| w.id == cur.workload)
        .map_or(0.0, |w| w.batch_eligible_share);
    Some(MigrationCase {
        current: cur.id.clone(),
        candidate: cand.id.clone(),
        demand: DemandShape {
            peak_to_mean: 2.0,
            batchable_share: batchable,
            idle_share: 0.0,
        },
        measured_utilization: None,
        model: None,
        operations: OperationsMaturity::default(),
        fallback: Some(cur.id.clone()),
        fallback_share: 0.0,
        candidate_p95_ttft_ms: None,
        engineering_investment: None,
        notes: "Drafted from the case: the demand shape and operations are assumed until \
                measured."
            .to_owned(),
    })
}

/// A quarter's forecast: each workload's drivers from its current scenario (±10%, estimated),
/// flat growth assumed, and — with a migration case — a scenario that moves to its candidate
/// over a month. `None` when no scenario can be costed.
#[must_use]
pub fn forecast(ws: &Workspace, eval: &Evaluation) -> Option<ForecastInput> {
    let workloads: Vec<ForecastWorkload> = current(eval)
        .into_iter()
        .map(|(s, c)| {
            let p = c.per_request();
            ForecastWorkload {
                name: s.workload.clone(),
                monthly_requests: around(c.monthly_requests, 0.1),
                monthly_growth: Driver::range(0.0, -0.02, 0.05, Status::Assumed),
                inference_cost_per_request: around(p.inference, 0.1),
                eval_cost_per_request: around(p.eval, 0.1),
                human_cost_per_request: around(p.human, 0.1),
                acceptance_rate: Driver::fixed(tidy(c.accepted_outcome_rate), Status::Estimated),
                fixed_monthly_cost: Driver::fixed(tidy(p.fixed_monthly), Status::Estimated),
            }
        })
        .collect();
    if workloads.is_empty() {
        return None;
    }
    let mut scenarios = vec![forecast::Scenario {
        name: "base".to_owned(),
        includes: Vec::new(),
        changes: Vec::new(),
    }];
    if let Some(m) = &ws.migration
        && let (Some(cur), Some(cand)) = (eval.scenario(&m.current), eval.scenario(&m.candidate))
        && let (Some(cc), Some(kc)) = (&cur.cost, &cand.cost)
        && inference_per_request(cc) > 0.0
    {
        let ratio = inference_per_request(kc) / inference_per_request(cc);
        scenarios.push(forecast::Scenario {
            name: format!("move to {}", cand.name),
            includes: Vec::new(),
            changes: vec![Change::ModelMigration {
                workload: cur.workload.clone(),
                token_cost_multiplier: around(ratio, 0.1),
                ramp_months: 1,
            }],
        });
    }
    Some(ForecastInput {
        workloads,
        scenarios,
    })
}

/// A month's bill split across one team per workload, by requests; the bill is the current
/// scenarios' monthly cost. `None` when nothing is costed.
#[must_use]
pub fn attribution(ws: &Workspace, eval: &Evaluation) -> Option<AttributionInput> {
    let cur = current(eval);
    let bill: Decimal = cur
        .iter()
        .map(|(_, c)| c.monthly_cost)
        .sum::<Decimal>()
        .round_dp(2);
    if bill <= Decimal::ZERO {
        return None;
    }
    let teams = cur
        .iter()
        .map(|(s, c)| {
            let tokens = ws
                .workloads
                .iter()
                .find(|w| w.id == s.workload)
                .map(|w| &w.tokens);
            let (input, output) =
                tokens.map_or((0.0, 0.0), |t| (t.stable_prefix + t.dynamic_tail, t.output));
            TeamUsage {
                id: format!("team-{}", s.workload),
                name: format!("{} team", s.workload),
                seats: 1.0,
                sla_coefficient: 1.0,
                input_tokens: input * c.attempts,
                output_tokens: output * c.attempts,
                requests: c.monthly_requests,
                accepted_outputs: c.accepted_units,
            }
        })
        .collect();
    Some(AttributionInput {
        bill_total: bill,
        platform_fixed_cost: None,
        basis: UsageBasis::Requests,
        uniform_by: UniformBy::TeamCount,
        teams,
        shared_cache: Vec::new(),
        fine_tunes: Vec::new(),
    })
}

/// An incident to fill in: named, categorised, an hour to detect and an hour to mitigate at
/// the workspace's hourly traffic, costing nothing yet.
#[must_use]
pub fn incident(ws: &Workspace) -> IncidentInput {
    let monthly: f64 = ws.workloads.iter().map(|w| w.monthly_requests).sum();
    IncidentInput {
        name: format!("Incident {}", ws.incidents.len() + 1),
        category: Some(IncidentCategory::Capacity),
        // 730 hours in an average month.
        requests_per_hour: Some((monthly / 730.0).round().max(1.0)),
        detection_hours: Some(1.0),
        mitigation_hours: Some(1.0),
        ..IncidentInput::default()
    }
}

/// This month and last month per token-priced workload, both from its current scenario, so
/// the review starts level and each edit shows what it moves.
#[must_use]
pub fn monthly_review(ws: &Workspace, eval: &Evaluation) -> Option<MonthlyReviewInput> {
    let workloads: Vec<WorkloadMonths> = current(eval)
        .into_iter()
        .filter_map(|(s, c)| {
            let w = ws.workloads.iter().find(|w| w.id == s.workload)?;
            let card = ws
                .rate_cards
                .iter()
                .find(|r| Some(&r.id) == s.rate_card.as_ref())?;
            let RatePricing::Tokens {
                input_per_m,
                cached_input_per_m,
                output_per_m,
                ..
            } = &card.pricing
            else {
                return None;
            };
            let k = &c.components;
            let month = MonthInputs {
                requests: c.monthly_requests,
                input_tokens_per_request: w.tokens.stable_prefix + w.tokens.dynamic_tail,
                output_tokens_per_request: w.tokens.output,
                cache_hit_rate: c.cache_hit_rate,
                accepted_share: c.accepted_outcome_rate,
                input_price_per_m: *input_per_m,
                cached_input_price_per_m: cached_input_per_m.unwrap_or(*input_per_m),
                output_price_per_m: *output_per_m,
                eval_cost: k.eval,
                human_cost: k.human,
                ops_cost: k.ops,
            };
            Some(WorkloadMonths {
                workload: s.workload.clone(),
                last_month: month.clone(),
                this_month: month,
            })
        })
        .collect();
    (!workloads.is_empty()).then_some(MonthlyReviewInput { workloads })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::decide;

    fn default_workspace() -> Workspace {
        let text = include_str!("../../../workspaces/support-migration.yaml");
        crate::document::yaml::parse(text, "support-migration.yaml").unwrap()
    }

    /// The default workspace without its analysis sections, as a new case would be.
    fn bare() -> Workspace {
        let mut ws = default_workspace();
        ws.migration = None;
        ws.forecast = None;
        ws.attribution = None;
        ws.incidents.clear();
        ws.monthly_review = None;
        ws
    }

    #[test]
    fn every_drafted_section_is_valid_and_runs() {
        let mut ws = bare();
        let eval = evaluate(&ws);
        ws.migration = migration(&ws, &eval);
        assert!(ws.migration.is_some());
        ws.forecast = forecast(&ws, &eval);
        ws.attribution = attribution(&ws, &eval);
        ws.incidents.push(incident(&ws));
        ws.monthly_review = monthly_review(&ws, &eval);
        assert_eq!(crate::document::validate(&ws), Vec::new());
        let eval = evaluate(&ws);
        decide::migration::assess(&ws, &eval).unwrap();
        let f = ws.forecast.as_ref().unwrap();
        assert_eq!(f.scenarios.len(), 2, "a base and a move to the candidate");
        decide::forecast::forecast(f, 500, 1).unwrap();
        decide::attribution::attribute(ws.attribution.as_ref().unwrap()).unwrap();
        decide::monthly_review::monthly_review(ws.monthly_review.as_ref().unwrap()).unwrap();
        decide::incidents::incident_cost(&ws.incidents[0]).unwrap();
    }

    #[test]
    fn the_drafted_forecast_starts_at_the_cases_monthly_cost() {
        let ws = bare();
        let eval = evaluate(&ws);
        let f = forecast(&ws, &eval).unwrap();
        for (fw, (_, c)) in f.workloads.iter().zip(current(&eval)) {
            let monthly = fw.monthly_requests.base
                * (fw.inference_cost_per_request.base
                    + fw.eval_cost_per_request.base
                    + fw.human_cost_per_request.base)
                + fw.fixed_monthly_cost.base;
            let case = crate::money::to_f64(c.monthly_cost);
            assert!(
                (monthly - case).abs() < 1e-6 * case.max(1.0),
                "{monthly} vs {case}"
            );
        }
    }

    #[test]
    fn without_two_scenarios_of_a_workload_there_is_no_migration_case() {
        let mut ws = bare();
        let keep = ws.scenarios[0].clone();
        ws.scenarios = vec![keep];
        ws.register.clear();
        let eval = evaluate(&ws);
        assert_eq!(migration(&ws, &eval), None);
    }
}
