//! The migration case of a workspace: the five decision gates with their evidence, fed from
//! the document and its evaluation, and the latest baseline against the candidate.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::break_even::break_even;
use crate::calc::kv_sizing::kv_sizing;
use crate::calc::lcpr::DeploymentMode;
use crate::case::cost::exact::card_pricing;
use crate::case::evaluation::Evaluation;
use crate::decide::gates::{
    Comparison, FallbackEconomics, GateDecision, GateThresholds, MemoryFit, MigrationGateInput,
    Snapshot, UtilizationProof, baseline_vs_candidate, migration_gates,
};
use crate::document::Workspace;
use crate::document::evidence_status::EvidenceStatus;
use crate::error::{InputError, InputResult};
use crate::money;

/// The gates' verdict and the baseline comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationAssessment {
    /// Current scenario id.
    pub current: String,
    /// Candidate scenario id.
    pub candidate: String,
    /// Go, conditional go or no-go, gate by gate.
    pub gates: GateDecision,
    /// The baseline the candidate is compared with, and the comparison.
    pub baseline: Option<String>,
    /// LCPR, quality, p95 latency and cache hit rate, baseline against candidate.
    pub comparison: Option<Comparison>,
    /// Where the candidate's p95 latency comes from.
    pub latency_source: String,
}

/// The share a cascade of the workload sends from the candidate's route on to the fallback
/// scenario's route (its last stage), when the workspace has one: the modelled fallback rate.
fn cascade_share(
    ws: &Workspace,
    candidate: &crate::document::Scenario,
    fallback: &str,
) -> InputResult<Option<(f64, String)>> {
    let Some(fb) = ws.scenario(fallback) else {
        return Ok(None);
    };
    let cascade = ws.scenarios.iter().find(|s| {
        s.workload == candidate.workload
            && s.route == candidate.route
            && matches!(&s.mix, Some(crate::document::Mix::Cascade { stages, .. })
                if stages.last().is_some_and(|st| st.route == fb.route))
    });
    let Some(c) = cascade else {
        return Ok(None);
    };
    let (resolved, _) = crate::case::evaluation::apply_register(ws);
    let Some(c) = resolved.scenario(&c.id) else {
        return Ok(None);
    };
    let cost = crate::case::mix::mix_cost(&resolved, c)
        .map_err(|e| e.within(&format!("scenarios.{}", c.id)))?;
    let share = match cost.parts.last() {
        Some(last) if cost.requests > 0.0 => last.requests / cost.requests,
        _ => return Ok(None),
    };
    Ok(Some((
        share,
        format!("the share the cascade {} escalates to it", c.id),
    )))
}

fn lcpr_of(eval: &Evaluation, id: &str, field: &str) -> InputResult<(f64, Decimal)> {
    let cost = eval
        .scenario(id)
        .and_then(|s| s.cost.as_ref())
        .ok_or_else(|| InputError::new(field, format!("scenario {id:?} has no computed cost")))?;
    let d =
        money::from_f64(cost.lcpr).ok_or_else(|| InputError::new(field, "LCPR is not finite"))?;
    Ok((cost.lcpr, d.round_dp(6)))
}

/// Assesses the workspace's migration case; an error when it has none or it cannot be costed.
pub fn assess(ws: &Workspace, eval: &Evaluation) -> InputResult<MigrationAssessment> {
    let m = ws
        .migration
        .as_ref()
        .ok_or_else(|| InputError::new("migration", "is not set in this workspace"))?;
    let scenario = |id: &str, field: &str| {
        ws.scenario(id)
            .ok_or_else(|| InputError::new(field, format!("names no scenario {id:?}")))
    };
    let current = scenario(&m.current, "migration.current")?;
    let candidate = scenario(&m.candidate, "migration.candidate")?;
    let route = |id: &str| {
        ws.route(id)
            .ok_or_else(|| InputError::new("route", format!("names no route {id:?}")))
    };
    let (cur_route, cand_route) = (route(&current.route)?, route(&candidate.route)?);
    let card = |id: &str| {
        ws.rate_card(id)
            .ok_or_else(|| InputError::new("rate_card", format!("names no rate card {id:?}")))
    };
    let (cur_card, cand_card) = (card(&cur_route.rate_card)?, card(&cand_route.rate_card)?);
    let (_, current_lcpr) = lcpr_of(eval, &current.id, "migration.current")?;
    let (_, candidate_lcpr) = lcpr_of(eval, &candidate.id, "migration.candidate")?;
    let candidate_mode = if cand_route.kind.is_gpu() {
        DeploymentMode::Dedicated
    } else if cand_route.kind == crate::document::RouteKind::ManagedApi {
        DeploymentMode::ClosedApi
    } else {
        DeploymentMode::ServerlessOpen
    };
    let utilization = if cand_route.kind.is_gpu() {
        let cand_pricing = card_pricing(cand_card)?;
        // Against a per-token route: the utilization at which the GPU's effective $/M meets the
        // current output price. Against GPUs: the current route's own utilization.
        let required = if cur_card.pricing.is_tokens() {
            break_even(&card_pricing(cur_card)?, &cand_pricing)?
                .required_utilization
                .unwrap_or(f64::INFINITY)
        } else {
            card_pricing(cur_card)?.utilization
        };
        let (value, mut status) = m
            .measured_utilization
            .map_or((cand_pricing.utilization, EvidenceStatus::Assumed), |u| {
                (u.value, u.status)
            });
        // A gate cites only evidence that exists: "load tested" names the load test, and
        // counts as measured only when the workspace holds one of the workload.
        let mut source = None;
        if status == EvidenceStatus::LoadTested {
            let tests: Vec<&str> = ws
                .load_tests
                .iter()
                .filter(|t| t.workload == candidate.workload)
                .map(|t| t.id.as_str())
                .collect();
            if tests.is_empty() {
                status = EvidenceStatus::Assumed;
                source = Some(format!(
                    "stated as load tested, but the workspace holds no load test of {}",
                    candidate.workload
                ));
            } else {
                source = Some(format!("load tested: {}", tests.join(", ")));
            }
        }
        Some(UtilizationProof {
            utilization: value,
            required_utilization: required,
            status,
            source,
        })
    } else {
        None
    };
    let memory = match &m.model {
        Some(fit) => {
            let sizing = kv_sizing(&fit.kv_shape()).map_err(|e| e.within("migration.model"))?;
            let mut mf =
                MemoryFit::from_sizing(&sizing, fit.context_tokens, fit.needed_concurrency);
            mf.oom_events = fit.oom_events;
            Some(mf)
        }
        None => None,
    };
    let (fallback_route, fallback_cost) = match &m.fallback {
        Some(id) => {
            let s = scenario(id, "migration.fallback")?;
            (
                Some(s.name.clone()),
                lcpr_of(eval, id, "migration.fallback")?.1,
            )
        }
        None => (None, candidate_lcpr),
    };
    let (fallback_share, fallback_share_from) = match &m.fallback {
        Some(id) => cascade_share(ws, candidate, id)?,
        None => None,
    }
    .map_or((m.fallback_share, None), |(share, from)| {
        (share, Some(from))
    });
    let input = MigrationGateInput {
        workload: ws
            .workload(&current.workload)
            .map_or(current.workload.clone(), |w| w.name.clone()),
        current_route: cur_route.name.clone(),
        candidate_route: cand_route.name.clone(),
        candidate_mode,
        demand: m.demand.clone(),
        utilization,
        memory,
        operations: m.operations.clone(),
        fallback: FallbackEconomics {
            fallback_route,
            fallback_cost_per_accepted: fallback_cost,
            candidate_lcpr,
            current_lcpr,
            fallback_share,
            fallback_share_from,
        },
        thresholds: GateThresholds::default(),
    };
    let gates = migration_gates(&input).map_err(|e| e.within("migration"))?;
    let baseline = ws
        .baselines
        .iter()
        .filter(|b| b.workload == current.workload)
        .max_by_key(|b| b.captured_on);
    let cand_cost = eval.scenario(&candidate.id).and_then(|s| s.cost.as_ref());
    let load_test_p95 = ws
        .load_tests
        .iter()
        .filter(|t| t.scenario.as_deref() == Some(candidate.id.as_str()))
        .filter_map(|t| {
            eval.load_tests
                .iter()
                .find(|r| r.id == t.id)
                .and_then(|r| r.goodput.as_ref())
        })
        .map(|g| g.ttft_ms.p95)
        .next();
    let (comparison, latency_source) = match (baseline, cand_cost) {
        (Some(b), Some(c)) => {
            let baseline_p95 = b.metrics.ttft_ms.map(|q| q.p95);
            let (p95, source) = match (m.candidate_p95_ttft_ms, load_test_p95) {
                (Some(v), _) => (
                    Some(v),
                    "measured p95 TTFT stated in the migration case".to_owned(),
                ),
                (None, Some(v)) => (Some(v), "p95 TTFT of the candidate's load test".to_owned()),
                (None, None) => (
                    baseline_p95,
                    "not measured on the candidate: the baseline's p95 TTFT is used".to_owned(),
                ),
            };
            // A metric the baseline's evidence could not carry leaves the comparison unmade
            // rather than compared against a zero.
            match (b.metrics.gate_pass_rate, baseline_p95, p95) {
                (Some(quality), Some(base_p95), Some(p95)) => {
                    let base = Snapshot {
                        lcpr: b.metrics.lcpr,
                        quality_pass_rate: quality,
                        p95_latency_ms: base_p95,
                        cache_hit_rate: b.metrics.cache_hit_rate,
                    };
                    let cand = Snapshot {
                        lcpr: candidate_lcpr,
                        quality_pass_rate: c.quality_pass_rate,
                        p95_latency_ms: p95,
                        cache_hit_rate: c.cache_hit_rate,
                    };
                    (Some(baseline_vs_candidate(&base, &cand)?), source)
                }
                (None, _, _) => (
                    None,
                    format!(
                        "baseline {:?} has no quality pass rate (not measured: join eval results first)",
                        b.id
                    ),
                ),
                _ => (
                    None,
                    format!(
                        "baseline {:?} has no p95 TTFT (not measured) and the candidate states none",
                        b.id
                    ),
                ),
            }
        }
        _ => (None, "no baseline for the workload".to_owned()),
    };
    Ok(MigrationAssessment {
        current: current.id.clone(),
        candidate: candidate.id.clone(),
        gates,
        baseline: baseline.map(|b| b.id.clone()),
        comparison,
        latency_source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::decide::gates::{Gate, Outcome};

    fn workspace(file: &str) -> Workspace {
        let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
        crate::document::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn utilization(ws: &Workspace) -> crate::decide::gates::GateResult {
        let a = assess(ws, &evaluate(ws)).unwrap_or_else(|e| panic!("{e}"));
        a.gates
            .gates
            .into_iter()
            .find(|g| g.gate == Gate::UtilizationProof)
            .unwrap_or_else(|| panic!("utilization gate"))
    }

    #[test]
    fn a_load_tested_figure_counts_only_when_a_load_test_exists_and_is_named() {
        let mut ws = workspace("workspaces/support-migration.yaml");
        // The file states 17% as load tested but holds no load test: it is not evidence.
        let g = utilization(&ws);
        assert_eq!(g.outcome, Outcome::Conditional, "{}", g.evidence);
        assert!(
            g.evidence.contains("no load test of support-chat"),
            "{}",
            g.evidence
        );
        // With a load test of the workload, the figure passes and the test is named.
        let seed = workspace("seeds/rag-benchmark-audit.yaml");
        let mut t = seed.load_tests[0].clone();
        "lt-2026-11-11".clone_into(&mut t.id);
        "support-chat".clone_into(&mut t.workload);
        ws.load_tests.push(t);
        let g = utilization(&ws);
        assert_eq!(g.outcome, Outcome::Pass, "{}", g.evidence);
        assert!(
            g.evidence.contains("(load tested: lt-2026-11-11)"),
            "{}",
            g.evidence
        );
    }

    #[test]
    fn a_cascade_from_the_candidate_to_the_fallback_sets_the_fallback_share() {
        let mut ws = workspace("workspaces/support-migration.yaml");
        // The cascade answers on DeepSeek serverless and escalates to GPT-5.4, the fallback.
        if let Some(m) = ws.migration.as_mut() {
            "support-dsv4-serverless".clone_into(&mut m.candidate);
        }
        let eval = crate::case::evaluation::evaluate(&ws);
        let a = assess(&ws, &eval).unwrap_or_else(|e| panic!("{e}"));
        let g = a
            .gates
            .gates
            .iter()
            .find(|g| g.gate == crate::decide::gates::Gate::FallbackEconomics)
            .unwrap_or_else(|| panic!("fallback gate"));
        let (resolved, _) = crate::case::evaluation::apply_register(&ws);
        let c = crate::case::mix::mix_cost(
            &resolved,
            resolved
                .scenario("support-cascade")
                .unwrap_or_else(|| panic!("cascade")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let share = c.escalation_rate.unwrap_or_else(|| panic!("escalation"));
        let shown = g
            .figures
            .iter()
            .find(|f| f.label == "fallback share of traffic")
            .unwrap_or_else(|| panic!("{:?}", g.figures));
        assert!(
            (shown.value - share).abs() < 1e-12,
            "{} vs {share}",
            shown.value
        );
        let candidate = ws
            .scenario("support-dsv4-serverless")
            .unwrap_or_else(|| panic!("candidate"));
        let (_, from) = cascade_share(&ws, candidate, "support-gpt")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("the cascade is found"));
        assert_eq!(
            from,
            "the share the cascade support-cascade escalates to it"
        );
        // Without such a cascade the typed share stands.
        let mut typed = ws.clone();
        typed.scenarios.retain(|s| s.id != "support-cascade");
        let a = assess(&typed, &crate::case::evaluation::evaluate(&typed))
            .unwrap_or_else(|e| panic!("{e}"));
        let g = a
            .gates
            .gates
            .iter()
            .find(|g| g.gate == crate::decide::gates::Gate::FallbackEconomics)
            .unwrap_or_else(|| panic!("fallback gate"));
        assert!(
            g.figures
                .iter()
                .any(|f| f.label == "fallback share of traffic" && f.value == 0.1)
        );
    }
}
