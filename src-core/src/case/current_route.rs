//! One "current route" figure per workload, with its siblings named: the modelled LCPR (the
//! current scenario), the measured LCPR (the latest baseline of that route) and the reconciled
//! LCPR (the latest reconciliation of the workload), and what sets each apart from the model:
//! the inputs where the baseline measured something other than the scenario assumes, and the
//! invoice's delta against the traces.

use serde::Serialize;

use crate::case::evaluation::Evaluation;
use crate::document::{Date, Period, ScenarioStatus, Workspace};
use crate::money;

/// The latest baseline of the route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// Baseline id.
    pub baseline: String,
    /// When it was captured.
    pub captured_on: Date,
    /// Its LCPR.
    pub lcpr: f64,
    /// Inputs where it differs from the scenario, largest relative gap first.
    pub gaps: Vec<InputGap>,
}

/// One input the scenario assumes and the baseline measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputGap {
    /// The input's name in words.
    pub input: String,
    /// What the scenario uses.
    pub modelled: f64,
    /// What the baseline measured.
    pub measured: f64,
}

/// The latest reconciliation of the workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciled {
    /// Reconciliation id.
    pub reconciliation: String,
    /// Its period.
    pub period: Period,
    /// Its LCPR (invoice net of disputes).
    pub lcpr: f64,
    /// Invoice − traces, as a share of the traces.
    pub invoice_delta_pct: Option<f64>,
}

/// A workload's current route and its three LCPR figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentRoute {
    /// Workload id.
    pub workload: String,
    /// The current scenario's id.
    pub scenario: String,
    /// Its name.
    pub name: String,
    /// Its route.
    pub route: String,
    /// The scenario's LCPR.
    pub modelled: f64,
    /// The latest baseline's, when one exists.
    pub measured: Option<Measured>,
    /// The latest reconciliation's, when one exists.
    pub reconciled: Option<Reconciled>,
}

fn gap(input: &str, modelled: f64, measured: Option<f64>) -> Option<InputGap> {
    let measured = measured?;
    ((modelled - measured).abs() > 1e-9).then(|| InputGap {
        input: input.to_owned(),
        modelled,
        measured,
    })
}

/// Every workload's current route (its first scenario with status `current`), in document
/// order.
#[must_use]
pub fn current_routes(ws: &Workspace, eval: &Evaluation) -> Vec<CurrentRoute> {
    let mut out: Vec<CurrentRoute> = Vec::new();
    for s in eval
        .scenarios
        .iter()
        .filter(|s| s.status == ScenarioStatus::Current)
    {
        if out.iter().any(|c| c.workload == s.workload) {
            continue;
        }
        let Some(cost) = &s.cost else { continue };
        let baseline = ws
            .baselines
            .iter()
            .filter(|b| b.workload == s.workload && b.route.as_deref() == Some(s.route.as_str()))
            .max_by_key(|b| b.captured_on)
            .or_else(|| {
                ws.baselines
                    .iter()
                    .filter(|b| b.workload == s.workload && b.route.is_none())
                    .max_by_key(|b| b.captured_on)
            });
        let measured = baseline.map(|b| {
            let m = &b.metrics;
            let mut gaps: Vec<InputGap> = [
                gap(
                    "cache hit rate",
                    cost.cache_hit_rate,
                    Some(m.cache_hit_rate),
                ),
                gap("retry rate", cost.retry_rate, Some(m.retry_rate)),
                gap(
                    "quality pass rate",
                    cost.quality_pass_rate,
                    m.gate_pass_rate,
                ),
                gap(
                    "monthly requests",
                    cost.monthly_requests,
                    Some(m.requests_per_day * 30.0),
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            let rel = |g: &InputGap| (g.measured - g.modelled).abs() / g.modelled.abs().max(1e-12);
            gaps.sort_by(|a, b| rel(b).total_cmp(&rel(a)));
            Measured {
                baseline: b.id.clone(),
                captured_on: b.captured_on,
                lcpr: money::to_f64(m.lcpr),
                gaps,
            }
        });
        let reconciled = eval
            .reconciliations
            .iter()
            .filter(|r| r.workload == s.workload)
            .filter_map(|r| r.result.as_ref().map(|t| (r, t)))
            .max_by_key(|(r, _)| (r.period.end, r.period.start))
            .map(|(r, t)| Reconciled {
                reconciliation: r.id.clone(),
                period: r.period,
                lcpr: money::to_f64(t.lcpr),
                invoice_delta_pct: t.delta_pct.map(money::to_f64),
            });
        out.push(CurrentRoute {
            workload: s.workload.clone(),
            scenario: s.id.clone(),
            name: s.name.clone(),
            route: s.route.clone(),
            modelled: cost.lcpr,
            measured,
            reconciled,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;

    #[test]
    fn the_default_current_route_has_its_three_figures() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../workspaces/support-migration.yaml"
        );
        let ws =
            crate::document::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        let eval = evaluate(&ws);
        let routes = current_routes(&ws, &eval);
        assert_eq!(routes.len(), 1);
        let c = &routes[0];
        assert_eq!(
            (c.scenario.as_str(), c.route.as_str()),
            ("support-gpt", "gpt-api")
        );
        let cost = eval.scenario("support-gpt").and_then(|s| s.cost.as_ref());
        assert_eq!(Some(c.modelled), cost.map(|c| c.lcpr));
        let m = c.measured.as_ref().unwrap_or_else(|| panic!("a baseline"));
        assert_eq!(m.baseline, "support-gpt-2026-10");
        assert!(!m.gaps.is_empty());
        let r = c
            .reconciled
            .as_ref()
            .unwrap_or_else(|| panic!("a reconciliation"));
        let rec = eval
            .reconciliations
            .iter()
            .find(|x| x.id == r.reconciliation)
            .and_then(|x| x.result.as_ref())
            .unwrap_or_else(|| panic!("result"));
        assert_eq!(r.lcpr, money::to_f64(rec.lcpr));
    }
}
