//! Evaluation of a whole workspace: every scenario's cost and LCPR, every reconciliation,
//! every load test's goodput, and the cheapest route per workload.
//!
//! A pure function of the document. Register entries that bind an input supply its value
//! first, so the register is the single place a number is set.

use serde::Serialize;

use crate::calc::goodput::{Goodput, MeasuredRequest, Slo, goodput};
use crate::calc::trace_to_margin::{TraceToMargin, trace_to_margin};
use crate::case::cost::exact::{ScenarioCost, scenario_cost};
use crate::document::validate::reconciliation_input;
use crate::document::{Binding, LoadTest, Period, RouteKind, ScenarioStatus, Workspace};
use crate::error::InputError;

/// One scenario's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// Scenario id.
    pub id: String,
    /// Scenario name.
    pub name: String,
    /// Workload id.
    pub workload: String,
    /// Route id.
    pub route: String,
    /// Route kind.
    pub route_kind: Option<RouteKind>,
    /// Rate card id.
    pub rate_card: Option<String>,
    /// Current, proposed or candidate.
    pub status: ScenarioStatus,
    /// Owner.
    pub owner: String,
    /// The cost, when it could be computed.
    pub cost: Option<ScenarioCost>,
    /// Why it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One reconciliation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconciliationResult {
    /// Reconciliation id.
    pub id: String,
    /// Workload id.
    pub workload: String,
    /// The period.
    pub period: Period,
    /// The invoice as billed, before disputed amounts are taken off.
    #[serde(with = "crate::money::exact")]
    pub invoice_as_billed: rust_decimal::Decimal,
    /// Amounts disputed with the vendor: on record, not in loaded cost.
    #[serde(with = "crate::money::exact")]
    pub disputed: rust_decimal::Decimal,
    /// Invoice lines billed off the contracted rate.
    pub off_rate_lines: usize,
    /// The reconciled figures (with the invoice net of disputes).
    pub result: Option<TraceToMargin>,
    /// Why they could not be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One load test's goodput.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadTestResult {
    /// Load test id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Workload id.
    pub workload: String,
    /// Goodput under the workload's SLOs and gate.
    pub goodput: Option<Goodput>,
    /// Why it could not be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the test's method leaves unmeasured.
    pub methodology_gaps: Vec<String>,
}

/// The lowest-LCPR scenario of a workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cheapest {
    /// Workload id.
    pub workload: String,
    /// Scenario id.
    pub scenario: String,
    /// Its LCPR.
    pub lcpr: f64,
}

/// Everything computed from a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Per scenario, in document order.
    pub scenarios: Vec<ScenarioResult>,
    /// Per reconciliation, in document order.
    pub reconciliations: Vec<ReconciliationResult>,
    /// Per load test, in document order.
    pub load_tests: Vec<LoadTestResult>,
    /// Per workload with a computable scenario, in workload order.
    pub cheapest: Vec<Cheapest>,
    /// Register entries whose values could not be applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub register_errors: Vec<String>,
}

impl Evaluation {
    /// A scenario's result by id.
    #[must_use]
    pub fn scenario(&self, id: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.id == id)
    }
}

/// The workspace with every bound register value written into its input; errors name the
/// entries that could not be applied (those inputs keep their own values).
#[must_use]
pub fn apply_register(ws: &Workspace) -> (Workspace, Vec<String>) {
    let overrides: Vec<(Binding, f64)> = ws
        .register
        .iter()
        .filter_map(|e| e.binds.clone().map(|b| (b, e.value)))
        .collect();
    let mut errors = Vec::new();
    let mut out = ws.clone();
    for (i, (b, v)) in overrides.iter().enumerate() {
        if let Err(e) = out.write_binding(b, *v) {
            errors.push(format!(
                "register entry {}: {e}",
                ws.register.get(i).map_or("?", |e| e.id.as_str())
            ));
        }
    }
    (out, errors)
}

/// Evaluates the workspace with its register applied.
#[must_use]
pub fn evaluate(ws: &Workspace) -> Evaluation {
    let (resolved, register_errors) = apply_register(ws);
    let mut eval = evaluate_as_is(&resolved);
    eval.register_errors = register_errors;
    eval
}

/// One scenario's cost in `ws` as it stands (no register applied).
pub fn cost_of(ws: &Workspace, scenario_id: &str) -> Result<ScenarioCost, InputError> {
    let s = ws
        .scenario(scenario_id)
        .ok_or_else(|| InputError::new("scenario", format!("names no scenario {scenario_id:?}")))?;
    if s.mix.is_some() {
        return crate::case::mix::mix_cost(ws, s).map(|m| m.total);
    }
    let mut workload = ws
        .workload(&s.workload)
        .ok_or_else(|| InputError::new("workload", format!("names no workload {:?}", s.workload)))?
        .clone();
    for (f, v) in &s.overrides {
        workload.set(*f, *v).map_err(|e| e.within("overrides"))?;
    }
    let route = ws
        .route(&s.route)
        .ok_or_else(|| InputError::new("route", format!("names no route {:?}", s.route)))?;
    let card = ws.rate_card(&route.rate_card).ok_or_else(|| {
        InputError::new(
            "rate_card",
            format!("names no rate card {:?}", route.rate_card),
        )
    })?;
    scenario_cost(&workload, route, card)
}

/// Evaluates the workspace exactly as it stands (register values not applied).
#[must_use]
pub fn evaluate_as_is(ws: &Workspace) -> Evaluation {
    let scenarios: Vec<ScenarioResult> = ws
        .scenarios
        .iter()
        .map(|s| {
            let route = ws.route(&s.route);
            let outcome = cost_of(ws, &s.id);
            ScenarioResult {
                id: s.id.clone(),
                name: s.name.clone(),
                workload: s.workload.clone(),
                route: s.route.clone(),
                route_kind: route.map(|r| r.kind),
                rate_card: route.map(|r| r.rate_card.clone()),
                status: s.status,
                owner: s.owner.clone(),
                error: outcome.as_ref().err().map(ToString::to_string),
                cost: outcome.ok(),
            }
        })
        .collect();
    let cheapest = ws
        .workloads
        .iter()
        .filter_map(|w| {
            scenarios
                .iter()
                .filter(|s| s.workload == w.id)
                .filter_map(|s| s.cost.as_ref().map(|c| (s, c.lcpr)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, lcpr)| Cheapest {
                    workload: w.id.clone(),
                    scenario: s.id.clone(),
                    lcpr,
                })
        })
        .collect();
    let reconciliations = ws
        .reconciliations
        .iter()
        .map(|r| {
            let outcome = trace_to_margin(&reconciliation_input(r));
            ReconciliationResult {
                id: r.id.clone(),
                workload: r.workload.clone(),
                period: r.period,
                invoice_as_billed: r.invoice_amount,
                disputed: crate::document::validate::disputed(r),
                off_rate_lines: r.off_rate_lines.len(),
                error: outcome.as_ref().err().map(ToString::to_string),
                result: outcome.ok(),
            }
        })
        .collect();
    let load_tests = ws
        .load_tests
        .iter()
        .map(|t| load_test_result(ws, t))
        .collect();
    Evaluation {
        scenarios,
        reconciliations,
        load_tests,
        cheapest,
        register_errors: Vec::new(),
    }
}

fn load_test_result(ws: &Workspace, t: &LoadTest) -> LoadTestResult {
    let outcome = ws
        .workload(&t.workload)
        .ok_or_else(|| InputError::new("workload", format!("names no workload {:?}", t.workload)))
        .and_then(|w| {
            let requests: Vec<MeasuredRequest> = t
                .requests
                .iter()
                .flat_map(|g| {
                    std::iter::repeat_n(
                        MeasuredRequest {
                            ttft_ms: g.ttft_ms,
                            tpot_ms: g.tpot_ms,
                            e2e_ms: g.e2e_ms,
                            output_tokens: g.output_tokens,
                            quality_pass: g.quality_pass,
                            cost: g.cost,
                        },
                        g.count as usize,
                    )
                })
                .collect();
            let slo = Slo {
                ttft_ms: w.slo.ttft_ms,
                tpot_ms: w.slo.tpot_ms,
                e2e_ms: w.slo.e2e_ms,
            };
            let mut g = goodput(&requests, t.duration_seconds, slo)?;
            // Rates, accepted count and cost per accepted come from the one goodput
            // definition the import, the Goodput view and the memo use (the workload's gate
            // applied when the test recorded none; a sample scaled to the tool's totals).
            let p = crate::evidence::loadtest::sweep::run_point(
                &crate::evidence::loadtest::sweep::run_of(t),
                w,
            )?;
            g.total_requests = p.attempts;
            g.accepted_requests = p.accepted.round() as usize;
            g.goodput_rate = p.goodput_rate;
            g.throughput_rate = p.throughput_rate;
            g.quality_pass_rate = p.quality_pass_rate;
            g.cost_per_accepted = p.cost_per_accepted.map(crate::money::to_f64);
            Ok(g)
        });
    LoadTestResult {
        id: t.id.clone(),
        name: t.name.clone(),
        workload: t.workload.clone(),
        error: outcome.as_ref().err().map(ToString::to_string),
        methodology_gaps: crate::evidence::loadtest::methodology_gaps(
            &t.methodology,
            t.requests.iter().all(|g| g.cost.is_zero()),
        ),
        goodput: outcome.ok(),
    }
}
