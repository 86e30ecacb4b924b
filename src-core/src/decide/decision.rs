//! The decision a workspace asks for, stated: for one workload, stay on the current route,
//! move to the candidate, or move once named conditions (the failing gates) are met — with the
//! monthly and annual cost impact, the P10–P90 of both routes' monthly cost, the probability
//! that the candidate is cheaper per accepted output, payback, the gates that block and what
//! would unblock each, and the dominant lever.
//!
//! The current and candidate come from the migration case when the workspace has one; else the
//! workload's `current` scenario against its `proposed` one (else its lowest-LCPR other
//! scenario). Numbers only: the words are the report's ([`crate::report::memo::statement`]).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::payback::{PaybackInput, payback};
use crate::case::evaluation::{Evaluation, ScenarioResult};
use crate::decide::gates::{Figure, Gate, GateResult, Outcome, pct};
use crate::decide::migration::assess;
use crate::decide::monte_carlo::register::{Range, simulate_register};
use crate::decide::tornado::{entry_label, register_inputs, scenario_tornado};
use crate::document::{ScenarioStatus, Workspace};
use crate::error::{InputError, InputResult};

/// What the numbers support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// The candidate does not cost less per accepted output: stay on the current route.
    Stay,
    /// The candidate costs less and no gate blocks it.
    Move,
    /// The candidate costs less, but gates block it until their conditions are met.
    MoveWhen,
}

impl Recommendation {
    /// The recommendation's name as written in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Stay => "stay",
            Self::Move => "move",
            Self::MoveWhen => "move_when",
        }
    }
}

/// One side of the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Scenario id.
    pub scenario: String,
    /// Scenario name.
    pub name: String,
    /// Route id.
    pub route: String,
    /// LCPR, $ per accepted output.
    pub lcpr: f64,
    /// Monthly loaded cost, $.
    #[serde(with = "rust_decimal::serde::float")]
    pub monthly_cost: Decimal,
    /// P10–P90 of its monthly cost and LCPR over the register; `None` when no register entry
    /// is bound to an input (nothing to sample).
    pub monthly_cost_range: Option<Range>,
    /// P10–P90 of its LCPR over the register.
    pub lcpr_range: Option<Range>,
}

/// A gate that blocks the move, and what would clear it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// The gate's name.
    pub gate: Gate,
    /// Fail or conditional.
    pub outcome: Outcome,
    /// Why it blocks, in the gate's words.
    pub evidence: String,
    /// What would clear it, from the gate's own figures.
    pub unblock: String,
}

/// The register entry that moves the candidate's LCPR most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// Register entry id.
    pub entry: String,
    /// Its label.
    pub label: String,
    /// LCPR swing between its low and high, $ per accepted output.
    pub swing: f64,
    /// Its share of all swings.
    pub share: Option<f64>,
}

/// The decision, stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionStatement {
    /// Workload id.
    pub workload: String,
    /// Workload name.
    pub workload_name: String,
    /// What one accepted output is called.
    pub unit: String,
    /// Where current and candidate come from (`migration`, or `scenario status`).
    pub basis: String,
    /// Today's route.
    pub current: Side,
    /// The route proposed instead.
    pub candidate: Side,
    /// Stay, move, or move when the blocking gates clear.
    pub recommendation: Recommendation,
    /// Candidate − current monthly cost, $ (negative: the candidate saves).
    #[serde(with = "rust_decimal::serde::float")]
    pub monthly_impact: Decimal,
    /// Twelve months of it.
    #[serde(with = "rust_decimal::serde::float")]
    pub annual_impact: Decimal,
    /// P(candidate's LCPR < current's) over the register draws; `None` without a register.
    pub probability_candidate_cheaper: Option<f64>,
    /// Draws behind the ranges and the probability.
    pub draws: Option<usize>,
    /// One-off cost of the move, from the migration case.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub engineering_investment: Option<Decimal>,
    /// Months of savings that repay it; `None` when the move saves nothing or has no stated
    /// investment.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub payback_months: Option<Decimal>,
    /// The migration gates' call (`go`, `conditional_go`, `no_go`), when they were assessed.
    pub gates_decision: Option<crate::decide::gates::Decision>,
    /// Gates that fail or are conditional, with what would clear each.
    pub blockers: Vec<Blocker>,
    /// The register entry that moves the candidate's LCPR most.
    pub dominant_lever: Option<Lever>,
}

fn side(s: &ScenarioResult) -> InputResult<Side> {
    let cost = s.cost.as_ref().ok_or_else(|| {
        InputError::new(
            "scenario",
            format!(
                "{:?} could not be costed: {}",
                s.id,
                s.error.as_deref().unwrap_or("no result")
            ),
        )
    })?;
    Ok(Side {
        scenario: s.id.clone(),
        name: s.name.clone(),
        route: s.route.clone(),
        lcpr: cost.lcpr,
        monthly_cost: cost.monthly_cost,
        monthly_cost_range: None,
        lcpr_range: None,
    })
}

/// The current and candidate scenario ids and where they come from.
fn sides(ws: &Workspace, eval: &Evaluation) -> InputResult<(String, String, String)> {
    if let Some(m) = &ws.migration {
        return Ok((
            m.current.clone(),
            m.candidate.clone(),
            "migration case".to_owned(),
        ));
    }
    let current = eval
        .scenarios
        .iter()
        .find(|s| s.status == ScenarioStatus::Current)
        .ok_or_else(|| {
            InputError::new(
                "scenarios",
                "have no scenario with status current and the workspace has no migration case: mark today's route current",
            )
        })?;
    let others = || {
        eval.scenarios
            .iter()
            .filter(|s| s.workload == current.workload && s.id != current.id)
    };
    let candidate = others()
        .find(|s| s.status == ScenarioStatus::Proposed)
        .or_else(|| {
            others()
                .filter_map(|s| s.cost.as_ref().map(|c| (s, c.lcpr)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| s)
        })
        .ok_or_else(|| {
            InputError::new(
                "scenarios",
                format!(
                    "hold no other scenario of workload {:?} to compare with {:?}",
                    current.workload, current.id
                ),
            )
        })?;
    Ok((
        current.id.clone(),
        candidate.id.clone(),
        "scenario status (current against proposed, else the lowest LCPR)".to_owned(),
    ))
}

fn value(figures: &[Figure], label: &str) -> Option<f64> {
    figures.iter().find(|f| f.label == label).map(|f| f.value)
}

/// What would clear `g`, from its own figures.
fn unblock(g: &GateResult) -> String {
    let f = &g.figures;
    match g.gate {
        Gate::DemandShape => match (
            value(f, "steady peak-to-mean limit"),
            value(f, "steady idle share limit"),
        ) {
            (Some(peak), Some(idle)) => format!(
                "steady demand (peak at most {peak:.1}× the mean and idle at most {} of hours), or a reserved pool for the base load with peaks sent to a per-token route",
                pct(idle)
            ),
            _ => "steadier demand, or a reserved pool for the base load with peaks sent to a per-token route".to_owned(),
        },
        Gate::UtilizationProof => match (
            value(f, "break-even utilization"),
            value(f, "margin wanted (utilization points)"),
            value(f, "utilization"),
        ) {
            (Some(be), Some(margin), Some(now)) if now >= be + margin => format!(
                "a load test of the workload, in the workspace, confirming the {} (at least {} needed)",
                pct(now),
                pct(be + margin)
            ),
            (Some(be), Some(margin), Some(now)) => format!(
                "a load test showing utilization of at least {} (now {})",
                pct(be + margin),
                pct(now)
            ),
            _ => "a load test showing the candidate's utilization above break-even".to_owned(),
        },
        Gate::MemoryFit => match (
            value(f, "concurrency needed"),
            value(f, "fit ÷ need wanted"),
            value(f, "live sequences that fit"),
            value(f, "context tokens per sequence"),
        ) {
            (Some(need), Some(wanted), Some(fit), Some(ctx)) => format!(
                "KV memory for {:.0} live sequences at {ctx:.0} tokens (fits {fit:.0} now): more memory per replica, more replicas, a shorter context or an FP8 KV cache",
                (need * wanted).ceil()
            ),
            _ => "KV memory for the needed concurrency at the context".to_owned(),
        },
        Gate::OperationsMaturity => g
            .evidence
            .strip_prefix("Missing ")
            .and_then(|rest| rest.split(':').next())
            .map_or_else(
                || "an owner, monitoring, a rollback route, an upgrade policy and a security review".to_owned(),
                |missing| format!("put in place {missing}"),
            ),
        Gate::FallbackEconomics => {
            "a candidate LCPR below the current route's with the fallback share included".to_owned()
        }
    }
}

/// The decision the workspace asks for (see the module docs).
pub fn decide(ws: &Workspace, eval: &Evaluation) -> InputResult<DecisionStatement> {
    let (current_id, candidate_id, basis) = sides(ws, eval)?;
    let find = |id: &str, field: &str| {
        eval.scenario(id)
            .ok_or_else(|| InputError::new(field, format!("names no scenario {id:?}")))
    };
    let (cur, cand) = (
        find(&current_id, "current")?,
        find(&candidate_id, "candidate")?,
    );
    let (mut current, mut candidate) = (side(cur)?, side(cand)?);
    let workload = ws.workload(&cur.workload);
    let monthly_impact = candidate.monthly_cost - current.monthly_cost;
    let annual_impact = monthly_impact * Decimal::from(12);

    let (mut probability, mut draws) = (None, None);
    if !register_inputs(ws).is_empty() {
        let sim = simulate_register(ws, ws.simulation.draws, ws.simulation.seed)?;
        let range = |id: &str| sim.scenarios.iter().find(|s| s.scenario == id);
        if let Some(r) = range(&current.scenario) {
            current.monthly_cost_range = Some(r.monthly_cost);
            current.lcpr_range = Some(r.lcpr);
        }
        if let Some(r) = range(&candidate.scenario) {
            candidate.monthly_cost_range = Some(r.monthly_cost);
            candidate.lcpr_range = Some(r.lcpr);
        }
        probability = sim
            .beats
            .iter()
            .find(|b| b.scenario == candidate.scenario && b.versus == current.scenario)
            .map(|b| b.probability);
        draws = Some(sim.draws);
    }

    let engineering_investment = ws.migration.as_ref().and_then(|m| m.engineering_investment);
    let payback_months = match engineering_investment {
        Some(investment) => {
            payback(&PaybackInput {
                current_monthly_cost: current.monthly_cost.max(Decimal::ZERO),
                projected_monthly_cost: candidate.monthly_cost.max(Decimal::ZERO),
                engineering_investment: investment,
            })
            .map_err(|e| e.within("migration"))?
            .payback_months
        }
        None => None,
    };

    // The gates weigh the migration case's own pair; another pair has no gates to cite.
    let assessment = ws
        .migration
        .as_ref()
        .map(|_| assess(ws, eval))
        .transpose()?;
    let blockers: Vec<Blocker> = assessment
        .as_ref()
        .map(|a| {
            a.gates
                .gates
                .iter()
                .filter(|g| g.outcome != Outcome::Pass)
                .map(|g| Blocker {
                    gate: g.gate,
                    outcome: g.outcome,
                    evidence: g.evidence.clone(),
                    unblock: unblock(g),
                })
                .collect()
        })
        .unwrap_or_default();

    let dominant_lever = scenario_tornado(ws, &candidate.scenario)
        .ok()
        .and_then(|t| {
            let share = t.dominant_share;
            t.bars.into_iter().find(|b| b.swing > 0.0).map(|b| Lever {
                label: entry_label(ws, &b.input),
                entry: b.input,
                swing: b.swing,
                share,
            })
        });

    let cheaper = candidate.lcpr < current.lcpr;
    let recommendation = if !cheaper {
        Recommendation::Stay
    } else if blockers.iter().any(|b| b.outcome == Outcome::Fail) {
        Recommendation::MoveWhen
    } else {
        Recommendation::Move
    };
    Ok(DecisionStatement {
        workload: cur.workload.clone(),
        workload_name: workload.map_or_else(|| cur.workload.clone(), |w| w.name.clone()),
        unit: workload
            .map(|w| w.accepted_unit.clone())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "accepted output".to_owned()),
        basis,
        current,
        candidate,
        recommendation,
        monthly_impact,
        annual_impact,
        probability_candidate_cheaper: probability,
        draws,
        engineering_investment,
        payback_months,
        gates_decision: assessment.map(|a| a.gates.decision),
        blockers,
        dominant_lever,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;

    fn default_workspace() -> Workspace {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../workspaces/support-migration.yaml"
        );
        crate::document::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_default_case_says_stay_when_the_candidate_costs_more() {
        let ws = default_workspace();
        let eval = evaluate(&ws);
        let d = decide(&ws, &eval).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.recommendation, Recommendation::Stay);
        assert_eq!(d.current.scenario, "support-gpt");
        assert_eq!(d.candidate.scenario, "support-h100-dedicated");
        assert_eq!(
            d.monthly_impact,
            d.candidate.monthly_cost - d.current.monthly_cost
        );
        assert!(d.monthly_impact > Decimal::ZERO);
        assert_eq!(d.annual_impact, d.monthly_impact * Decimal::from(12));
        let p = d.probability_candidate_cheaper.unwrap_or(1.0);
        assert!(p < 0.5, "{p}");
        assert!(d.payback_months.is_none(), "a dearer route never pays back");
        // Memory, operations and fallback fail; demand is conditional.
        let failing: Vec<Gate> = d
            .blockers
            .iter()
            .filter(|b| b.outcome == Outcome::Fail)
            .map(|b| b.gate)
            .collect();
        assert_eq!(
            failing,
            [
                Gate::MemoryFit,
                Gate::OperationsMaturity,
                Gate::FallbackEconomics
            ]
        );
        let memory = d
            .blockers
            .iter()
            .find(|b| b.gate == Gate::MemoryFit)
            .unwrap_or_else(|| panic!("memory blocks"));
        assert!(
            memory.unblock.contains("29 live sequences"),
            "{}",
            memory.unblock
        );
        assert!(d.dominant_lever.is_some());
    }

    #[test]
    fn a_cheaper_candidate_with_failing_gates_moves_when_they_clear_and_pays_back() {
        let mut ws = default_workspace();
        // The serverless candidate against today, with an investment to repay.
        let m = ws.migration.as_mut().unwrap_or_else(|| panic!("migration"));
        "support-dsv4-serverless".clone_into(&mut m.candidate);
        m.engineering_investment = Some(Decimal::from(6000));
        // A candidate that escalates and fails far less than today's route.
        use crate::document::field::WorkloadField as F;
        let s = ws
            .scenarios
            .iter_mut()
            .find(|s| s.id == "support-dsv4-serverless")
            .unwrap_or_else(|| panic!("scenario"));
        s.overrides.insert(F::QualityGatePassRate, 0.97);
        s.overrides.insert(F::HumanEscalationRate, 0.005);
        s.overrides.insert(F::RetryRate, 0.01);
        let eval = evaluate(&ws);
        let d = decide(&ws, &eval).unwrap_or_else(|e| panic!("{e}"));
        assert!(d.candidate.lcpr < d.current.lcpr, "{d:?}");
        assert_ne!(d.recommendation, Recommendation::Stay);
        let saving = d.current.monthly_cost - d.candidate.monthly_cost;
        assert!(saving > Decimal::ZERO, "{d:?}");
        assert_eq!(d.payback_months, Some(Decimal::from(6000) / saving));
        assert_eq!(d.annual_impact, -saving * Decimal::from(12));
        let blocked = d.blockers.iter().any(|b| b.outcome == Outcome::Fail);
        assert_eq!(d.recommendation == Recommendation::MoveWhen, blocked);
    }

    #[test]
    fn without_a_migration_case_the_current_scenario_meets_the_proposed_one() {
        let mut ws = default_workspace();
        ws.migration = None;
        let eval = evaluate(&ws);
        let d = decide(&ws, &eval).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.current.scenario, "support-gpt");
        assert_eq!(
            d.candidate.scenario, "support-h100-dedicated",
            "the proposed one"
        );
        assert!(d.blockers.is_empty() && d.gates_decision.is_none());
        // No register: no ranges and no probability, never a fake one.
        ws.register.clear();
        let eval = evaluate(&ws);
        let d = decide(&ws, &eval).unwrap_or_else(|e| panic!("{e}"));
        assert!(d.probability_candidate_cheaper.is_none());
        assert!(d.current.monthly_cost_range.is_none());
    }
}
