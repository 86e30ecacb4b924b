//! The f64 twin of [`crate::case::cost::exact`], for sampling: the same formula without cents
//! rounding, with inputs held in arrays so a draw can set them without touching the document.
//!
//! Pinned to the Decimal computation by a test over every shipped workspace (within the cents
//! the Decimal version rounds to).

use crate::calc::lcpr::{HOURS_PER_MONTH, LcprModel, RouteCost};
use crate::document::{
    BindingTarget, FieldRef, RateCard, RateCardField, RatePricing, Route, RouteField, RouteKind,
    Workload, WorkloadField, Workspace,
};
use crate::error::{InputError, InputResult};
use crate::money::to_f64;

const WF: usize = WorkloadField::ALL.len();
const RF: usize = RouteField::ALL.len();

fn wi(f: WorkloadField) -> usize {
    WorkloadField::ALL.iter().position(|x| *x == f).unwrap_or(0)
}

fn ri(f: RouteField) -> usize {
    RouteField::ALL.iter().position(|x| *x == f).unwrap_or(0)
}

/// A rate card in f64: list prices, the contract's terms, and the GPU figures.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CardModel {
    tokens: bool,
    input: f64,
    cached: Option<f64>,
    output: f64,
    batch_input: Option<f64>,
    batch_output: Option<f64>,
    hourly: f64,
    tps: f64,
    utilization: f64,
    discount: f64,
    k_input: Option<f64>,
    k_cached: Option<f64>,
    k_output: Option<f64>,
    k_hourly: Option<f64>,
    committed: Option<f64>,
}

impl CardModel {
    fn of(card: &RateCard) -> Self {
        let k = card.contract.clone().unwrap_or_default();
        let mut m = Self {
            tokens: card.pricing.is_tokens(),
            input: 0.0,
            cached: None,
            output: 0.0,
            batch_input: None,
            batch_output: None,
            hourly: 0.0,
            tps: 0.0,
            utilization: 0.0,
            discount: k.discount,
            k_input: k.input_per_m.map(to_f64),
            k_cached: k.cached_input_per_m.map(to_f64),
            k_output: k.output_per_m.map(to_f64),
            k_hourly: k.hourly_rate.map(to_f64),
            committed: k.committed_monthly_spend.map(to_f64),
        };
        match &card.pricing {
            RatePricing::Tokens {
                input_per_m,
                cached_input_per_m,
                output_per_m,
                batch_input_per_m,
                batch_output_per_m,
                ..
            } => {
                m.input = to_f64(*input_per_m);
                m.cached = cached_input_per_m.map(to_f64);
                m.output = to_f64(*output_per_m);
                m.batch_input = batch_input_per_m.map(to_f64);
                m.batch_output = batch_output_per_m.map(to_f64);
            }
            RatePricing::Gpu {
                hourly_rate,
                throughput_tps,
                utilization,
            } => {
                m.hourly = to_f64(*hourly_rate);
                m.tps = *throughput_tps;
                m.utilization = *utilization;
            }
        }
        m
    }

    fn set(&mut self, f: RateCardField, v: f64) {
        match f {
            RateCardField::InputPerM => self.input = v,
            RateCardField::CachedInputPerM => self.cached = Some(v),
            RateCardField::OutputPerM => self.output = v,
            RateCardField::BatchInputPerM => self.batch_input = Some(v),
            RateCardField::BatchOutputPerM => self.batch_output = Some(v),
            RateCardField::HourlyRate => self.hourly = v,
            RateCardField::ThroughputTps => self.tps = v,
            RateCardField::Utilization => self.utilization = v,
            RateCardField::ContractDiscount => self.discount = v,
        }
    }
}

/// One scenario's inputs in f64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScenarioModel {
    w: [f64; WF],
    overridden: [bool; WF],
    route: [f64; RF],
    kind: RouteKind,
    card: CardModel,
}

impl ScenarioModel {
    /// The model of a workload (overrides applied, marked) on a route priced by a card.
    #[must_use]
    pub fn new(
        workload: &Workload,
        overrides: &[(WorkloadField, f64)],
        route: &Route,
        card: &RateCard,
    ) -> Self {
        let mut w = [0.0; WF];
        let mut overridden = [false; WF];
        for (i, f) in WorkloadField::ALL.iter().enumerate() {
            w[i] = workload.get(*f);
        }
        for (f, v) in overrides {
            w[wi(*f)] = *v;
            overridden[wi(*f)] = true;
        }
        let mut r = [0.0; RF];
        for (i, f) in RouteField::ALL.iter().enumerate() {
            r[i] = route.get(*f);
        }
        Self {
            w,
            overridden,
            route: r,
            kind: route.kind,
            card: CardModel::of(card),
        }
    }

    fn wf(&self, f: WorkloadField) -> f64 {
        self.w[wi(f)]
    }

    fn rf(&self, f: RouteField) -> f64 {
        self.route[ri(f)]
    }

    /// Sets a bound input. A workload-wide value does not replace a scenario's override.
    pub fn set(&mut self, target: BindingTarget, field: FieldRef, value: f64) {
        match field {
            FieldRef::Workload(f) => {
                let i = wi(f);
                if target == BindingTarget::Scenario {
                    self.w[i] = value;
                    self.overridden[i] = true;
                } else if !self.overridden[i] {
                    self.w[i] = value;
                }
            }
            FieldRef::RateCard(f) => self.card.set(f, value),
            FieldRef::Route(f) => self.route[ri(f)] = value,
        }
    }

    /// (LCPR, monthly cost); `None` when nothing is accepted.
    #[must_use]
    pub fn evaluate(&self) -> Option<(f64, f64)> {
        use WorkloadField as F;
        let n = self.wf(F::MonthlyRequests);
        let g = self.wf(F::QualityGatePassRate) * self.rf(RouteField::QualityScore);
        let accepted = n * g;
        // NaN counts as nothing accepted.
        if accepted.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let c = &self.card;
        let keep = 1.0 - c.discount;
        let per = |v: f64| v / 1e6;
        let stable = self.wf(F::StablePrefixTokens);
        let input = stable + self.wf(F::DynamicTailTokens);
        let gpu = self.kind.is_gpu();
        let hourly = c.k_hourly.unwrap_or(c.hourly * keep);
        let route = if gpu {
            RouteCost::Gpus {
                hourly_rate: hourly,
                capacity_per_gpu_month: c.tps
                    * c.utilization
                    * crate::calc::lcpr::SECONDS_PER_MONTH,
            }
        } else {
            RouteCost::Tokens {
                input: per(c.k_input.unwrap_or(c.input * keep)),
                output: per(c.k_output.unwrap_or(c.output * keep)),
                cached_input: c
                    .k_cached
                    .or(c.cached.map(|v| v * keep))
                    .filter(|v| *v != 0.0)
                    .map(per),
                batch_input: c
                    .batch_input
                    .map(|v| v * keep)
                    .filter(|v| *v != 0.0)
                    .map(per),
                batch_output: c
                    .batch_output
                    .map(|v| v * keep)
                    .filter(|v| *v != 0.0)
                    .map(per),
            }
        };
        let e = LcprModel {
            monthly_requests: n,
            input_tokens: input,
            output_tokens: self.wf(F::OutputTokens),
            retry_rate: self.wf(F::RetryRate),
            effective_pass_rate: g,
            cache_hit_rate: if input > 0.0 {
                (stable * self.wf(F::CacheHitRate) / input).min(1.0)
            } else {
                0.0
            },
            batch_fraction: self.wf(F::BatchEligibleShare),
            prefill_efficiency: self.wf(F::PrefillEfficiency),
            repair_cost_per_failure: self.wf(F::RepairCostPerFailure),
            engineering_monthly: self.wf(F::EngineeringHoursPerMonth)
                * self.wf(F::EngineerHourlyCost),
            route,
        }
        .estimate();
        let eval = n * self.wf(F::EvalSampleRate) * self.wf(F::GraderCostPerEval);
        let human = n * self.wf(F::HumanEscalationRate) * self.wf(F::HumanCostPerCase);
        let ops = self.wf(F::OpsMonthlyCost)
            + self.rf(RouteField::OpsFte) * self.rf(RouteField::FteMonthlyCost);
        let np_gpus = [
            RouteField::StagingGpus,
            RouteField::TestGpus,
            RouteField::CanaryGpus,
            RouteField::ReserveGpus,
        ]
        .iter()
        .map(|f| self.rf(*f))
        .sum::<f64>();
        let non_production = if gpu {
            np_gpus * hourly * HOURS_PER_MONTH
        } else {
            0.0
        };
        let billed = e.inference_cost + e.retry_cost + non_production;
        let shortfall = c.committed.map_or(0.0, |k| (k - billed).max(0.0));
        let monthly = e.monthly_cost + eval + human + ops + non_production + shortfall;
        Some((monthly / accepted, monthly))
    }
}

/// Every scenario of a workspace as f64 models, and how each bound register entry reaches them.
#[derive(Debug, Clone)]
pub struct CompiledWorkspace {
    /// (scenario id, name, model) in document order.
    pub scenarios: Vec<(String, String, ScenarioModel)>,
    /// Per bound register entry, in register order: its id and the scenarios it reaches.
    pub bindings: Vec<(String, BindingTarget, FieldRef, Vec<usize>)>,
}

impl CompiledWorkspace {
    /// Compiles `ws` with its register applied.
    pub fn new(ws: &Workspace) -> InputResult<Self> {
        let (base, errors) = crate::case::evaluation::apply_register(ws);
        if let Some(e) = errors.first() {
            return Err(InputError::new("register", e.clone()));
        }
        let mut scenarios = Vec::new();
        for s in &base.scenarios {
            let missing = |what: &str, id: &str| {
                InputError::new(
                    format!("scenarios.{}", s.id),
                    format!("names no {what} {id:?}"),
                )
            };
            let w = base
                .workload(&s.workload)
                .ok_or_else(|| missing("workload", &s.workload))?;
            let r = base
                .route(&s.route)
                .ok_or_else(|| missing("route", &s.route))?;
            let c = base
                .rate_card(&r.rate_card)
                .ok_or_else(|| missing("rate card", &r.rate_card))?;
            // The same range checks as `compute`: a scenario the Decimal cost refuses (a value
            // out of money's range, a bad override) is refused here too, not sampled in f64.
            crate::case::evaluation::cost_of(&base, &s.id)
                .map_err(|e| e.within(&format!("scenarios.{}", s.id)))?;
            let overrides: Vec<(WorkloadField, f64)> =
                s.overrides.iter().map(|(f, v)| (*f, *v)).collect();
            scenarios.push((
                s.id.clone(),
                s.name.clone(),
                ScenarioModel::new(w, &overrides, r, c),
            ));
        }
        let mut bindings = Vec::new();
        for e in &base.register {
            let Some(b) = &e.binds else { continue };
            let field = b.field_ref()?;
            let reached: Vec<usize> = base
                .scenarios
                .iter()
                .enumerate()
                .filter(|(_, s)| match b.target {
                    BindingTarget::Workload => s.workload == b.id,
                    BindingTarget::Scenario => s.id == b.id,
                    BindingTarget::Route => s.route == b.id,
                    BindingTarget::RateCard => {
                        base.route(&s.route).is_some_and(|r| r.rate_card == b.id)
                    }
                })
                .map(|(i, _)| i)
                .collect();
            bindings.push((e.id.clone(), b.target, field, reached));
        }
        Ok(Self {
            scenarios,
            bindings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;

    #[test]
    fn twin_matches_the_decimal_cost_on_every_shipped_workspace() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut checked = 0;
        for dir in ["workspaces", "seeds"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("{e}")) {
                let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
                if path.extension().is_none_or(|x| x != "yaml") {
                    continue;
                }
                let ws = crate::document::load(&path).unwrap_or_else(|e| panic!("{e}"));
                let eval = evaluate(&ws);
                let compiled = CompiledWorkspace::new(&ws).unwrap_or_else(|e| panic!("{e}"));
                for ((id, _, model), result) in compiled.scenarios.iter().zip(&eval.scenarios) {
                    let cost = result.cost.as_ref().unwrap_or_else(|| panic!("{id}"));
                    let (lcpr, monthly) = model.evaluate().unwrap_or_else(|| panic!("{id}"));
                    // Ten components each rounded to the cent: at most 5¢ apart.
                    assert!(
                        (monthly - to_f64(cost.monthly_cost)).abs() <= 0.05,
                        "{id}: {monthly} vs {}",
                        cost.monthly_cost
                    );
                    assert!(
                        (lcpr - cost.lcpr).abs() <= 0.05 / cost.accepted_units + 1e-12,
                        "{id}: {lcpr} vs {}",
                        cost.lcpr
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked >= 6, "only {checked} scenarios checked");
    }

    #[test]
    fn a_scenario_compute_refuses_as_out_of_range_is_refused_here_too() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        let mut ws = crate::document::load(&root).unwrap_or_else(|e| panic!("{e}"));
        let w = ws
            .workloads
            .first_mut()
            .unwrap_or_else(|| panic!("a workload"));
        // The output tokens are bound by no register entry, so the value reaches the cost.
        w.tokens.output = 1e300;
        let refused = evaluate(&ws).scenarios.iter().any(|s| s.cost.is_none());
        assert!(refused, "compute refuses the file");
        let err = CompiledWorkspace::new(&ws)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("scenarios.") && err.contains("out of range"),
            "{err}"
        );
    }

    #[test]
    fn a_workload_value_does_not_replace_a_scenario_override() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        let ws = crate::document::load(&root).unwrap_or_else(|e| panic!("{e}"));
        let compiled = CompiledWorkspace::new(&ws).unwrap_or_else(|e| panic!("{e}"));
        let (_, _, mut m) = compiled
            .scenarios
            .iter()
            .find(|(id, _, _)| id == "support-dsv4-serverless")
            .cloned()
            .unwrap_or_else(|| panic!("scenario"));
        let before = m.evaluate();
        m.set(
            BindingTarget::Workload,
            FieldRef::Workload(WorkloadField::QualityGatePassRate),
            0.5,
        );
        assert_eq!(m.evaluate(), before);
        m.set(
            BindingTarget::Scenario,
            FieldRef::Workload(WorkloadField::QualityGatePassRate),
            0.5,
        );
        assert_ne!(m.evaluate(), before);
    }
}
