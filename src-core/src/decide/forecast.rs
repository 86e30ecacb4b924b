//! Quarterly cost forecast by scenario, built from cost components per workload, with a
//! P10–P50–P90 range, a monthly fan chart and an evidence register for every scenario.
//!
//! A total extrapolated from last quarter cannot say why it moves; components can. Each
//! workload carries drivers (volume, growth, per-request inference, eval and human cost,
//! acceptance, fixed monthly cost), each a base value with a low–high range, a distribution and
//! an evidence [`Status`]. For workload w in month m (m = 1, 2, 3 of the quarter):
//!
//! - volume(w, m) = monthly_requests × Π (1 + monthly_growth) over the months after the
//!   workload's first, so `monthly_requests` is the volume of its first month;
//! - cost(w, m) = volume × (inference + eval + human cost per request) + fixed monthly cost;
//! - accepted(w, m) = volume × acceptance rate.
//!
//! Quarterly cost = Σ cost over workloads and the three months; implied LCPR = quarterly cost ÷
//! Σ accepted.
//!
//! A scenario is the base workloads plus a list of [`Change`]s, applied in order: multiply or
//! add to a component, add a workload, set a new acceptance rate, a cache-hit change or a model
//! migration. A cache-hit change is modelled as a multiplier on inference cost per request that
//! the change carries itself (the user states what the hit-rate move does to the per-request
//! bill), and a model migration as a multiplier on inference cost (the token-price ratio). A
//! change can ramp in: with `ramp_months` = r it has m/r of its effect in month m and all of it
//! from month r on (r = 0: all of it at once). A scenario can include other scenarios by name,
//! whose changes come first, so "all planned changes" is the union of the others and stays in
//! step when one of them is edited; a change reached twice applies once.
//!
//! The range comes from one Monte Carlo run ([`crate::decide::monte_carlo`]) over every driver of every
//! scenario, so all scenarios see the same draw of a shared driver. Money runs in f64 here, as in
//! the other planning estimates (see [`crate::money`]): the drivers are estimates with ranges,
//! sampled thousands of times.

use serde::Serialize;

use crate::decide::monte_carlo::sampling::Sampler;
use crate::decide::monte_carlo::{self, UncertainInput};
use crate::document::Distribution;
use crate::document::evidence_status::EvidenceStatus as Status;
use crate::document::forecast::{
    Change, Component, Driver, ForecastInput, ForecastWorkload, Scenario,
};
use crate::document::{SectionRules, Workspace};
use crate::error::{InputError, InputResult};

/// Months in the forecast quarter.
pub const MONTHS: usize = 3;
const MONTHS_U32: u32 = 3;
/// Outputs simulated per scenario: quarterly cost, LCPR, then one per month.
const OUTPUTS_PER_SCENARIO: usize = 2 + MONTHS;

impl Driver {
    fn check(&self, bound: Bound) -> InputResult<()> {
        Sampler::build(self.distribution, self.low, self.base, self.high, "base")?;
        let (ok, rule) = match bound {
            Bound::Any => (true, ""),
            Bound::NonNegative => (self.low >= 0.0, "must be ≥ 0"),
            Bound::AboveMinusOne => (self.low > -1.0, "must be > −1 (a fall of 100% or more)"),
            Bound::Rate => (self.low > 0.0 && self.high <= 1.0, "must lie in (0, 1]"),
        };
        if ok {
            Ok(())
        } else if bound == Bound::Rate && self.high > 1.0 {
            Err(InputError::new(
                "high",
                format!("{rule}, got {}", self.high),
            ))
        } else {
            Err(InputError::new("low", format!("{rule}, got {}", self.low)))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Any,
    NonNegative,
    AboveMinusOne,
    Rate,
}

impl Component {
    fn bound(self) -> Bound {
        match self {
            Self::MonthlyGrowth => Bound::AboveMinusOne,
            Self::AcceptanceRate => Bound::Rate,
            _ => Bound::NonNegative,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// P10, P50 and P90 of one figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// One month of the fan chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthBand {
    /// Month of the quarter, 1 to 3.
    pub month: u32,
    /// Cost that month with every driver at base.
    pub at_base: f64,
    /// 10th percentile of the month's cost.
    pub p10: f64,
    /// 25th percentile of the month's cost (the fan's inner band).
    pub p25: f64,
    /// Median of the month's cost.
    pub p50: f64,
    /// 75th percentile of the month's cost.
    pub p75: f64,
    /// 90th percentile of the month's cost.
    pub p90: f64,
}

/// One driver in a scenario's evidence register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceEntry {
    /// Stable id: `workload.component` for base drivers, `scenario/changes[k].field` for
    /// drivers a change brings.
    pub id: String,
    /// What the driver is, in plain words.
    pub description: String,
    /// Base value.
    pub base: f64,
    /// Low value.
    pub low: f64,
    /// High value.
    pub high: f64,
    /// Spread.
    pub distribution: Distribution,
    /// Evidence status.
    pub status: Status,
    /// Whether the status counts as measured.
    pub measured: bool,
}

/// A driver's Spearman rank correlation with a scenario's quarterly cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeDriver {
    /// The driver's id.
    pub id: String,
    /// Spearman's ρ with quarterly cost.
    pub spearman: f64,
}

/// One scenario's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioForecast {
    /// The scenario's name.
    pub name: String,
    /// Quarterly cost with every driver at base.
    pub quarterly_cost_at_base: f64,
    /// Accepted results in the quarter at base.
    pub accepted_at_base: f64,
    /// Quarterly cost ÷ accepted at base.
    pub lcpr_at_base: f64,
    /// Range of the quarterly cost.
    pub quarterly_cost: Band,
    /// Range of the implied LCPR.
    pub lcpr: Band,
    /// The fan chart: each month's cost at base and its range.
    pub monthly_cost: Vec<MonthBand>,
    /// Every driver the scenario uses, base drivers first, then its changes' in order.
    pub inputs: Vec<EvidenceEntry>,
    /// How many of those are measured.
    pub measured_inputs: usize,
    /// Drivers that move the quarterly cost, strongest rank correlation first (fixed drivers
    /// are left out).
    pub range_drivers: Vec<RangeDriver>,
}

/// The forecast of every scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Monte Carlo draws.
    pub draws: usize,
    /// Seed of the run.
    pub seed: u64,
    /// One entry per scenario, in input order.
    pub scenarios: Vec<ScenarioForecast>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Multiply,
    Add,
    Set,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Op {
    kind: OpKind,
    driver: usize,
    ramp_months: u32,
}

#[derive(Debug, Clone, PartialEq)]
struct ComponentPlan {
    driver: usize,
    ops: Vec<Op>,
}

#[derive(Debug, Clone, PartialEq)]
struct WorkloadPlan {
    name: String,
    start_month: u32,
    components: Vec<ComponentPlan>,
}

/// A change with its drivers registered.
#[derive(Debug, Clone, PartialEq)]
enum ChangePlan {
    Op {
        workload: String,
        component: Component,
        op: Op,
    },
    New(WorkloadPlan),
}

#[derive(Debug, Clone, PartialEq)]
struct ScenarioPlan {
    workloads: Vec<WorkloadPlan>,
    drivers: Vec<usize>,
}

#[derive(Default)]
struct Registry {
    inputs: Vec<UncertainInput>,
    entries: Vec<EvidenceEntry>,
}

impl Registry {
    fn add(&mut self, id: String, description: String, d: &Driver) -> usize {
        self.inputs.push(UncertainInput {
            id: id.clone(),
            base: d.base,
            low: d.low,
            high: d.high,
            distribution: d.distribution,
        });
        self.entries.push(EvidenceEntry {
            id,
            description,
            base: d.base,
            low: d.low,
            high: d.high,
            distribution: d.distribution,
            status: d.status,
            measured: d.status.is_measured(),
        });
        self.inputs.len() - 1
    }

    /// Validates and registers every driver of a workload.
    fn workload(
        &mut self,
        w: &ForecastWorkload,
        path: &str,
        id_prefix: &str,
        start_month: u32,
        describe: &dyn Fn(Component) -> String,
    ) -> InputResult<WorkloadPlan> {
        if w.name.trim().is_empty() {
            return Err(InputError::new(format!("{path}.name"), "must not be empty"));
        }
        let mut components = Vec::with_capacity(Component::ALL.len());
        for c in Component::ALL {
            let d = w.driver(c);
            d.check(c.bound())
                .map_err(|e| e.within(&format!("{path}.{}", c.name())))?;
            let driver = self.add(format!("{id_prefix}.{}", c.name()), describe(c), d);
            components.push(ComponentPlan {
                driver,
                ops: Vec::new(),
            });
        }
        Ok(WorkloadPlan {
            name: w.name.clone(),
            start_month,
            components,
        })
    }
}

/// Forecasts every scenario: the point at base values, and ranges from `draws` Monte Carlo
/// draws started from `seed`.
pub fn forecast(input: &ForecastInput, draws: usize, seed: u64) -> InputResult<Forecast> {
    if input.workloads.is_empty() {
        return Err(InputError::new(
            "workloads",
            "must list at least one workload",
        ));
    }
    if input.scenarios.is_empty() {
        return Err(InputError::new(
            "scenarios",
            "must list at least one scenario (one with no changes is the base case)",
        ));
    }
    unique_names(input.workloads.iter().map(|w| w.name.as_str()), "workloads")?;
    unique_names(input.scenarios.iter().map(|s| s.name.as_str()), "scenarios")?;
    let mut registry = Registry::default();
    let mut base = Vec::with_capacity(input.workloads.len());
    for (i, w) in input.workloads.iter().enumerate() {
        let describe = |c: Component| format!("{} of {}", c.label(), w.name);
        base.push(registry.workload(w, &format!("workloads[{i}]"), &w.name, 1, &describe)?);
    }
    let base_drivers = registry.inputs.len();
    let mut change_plans = Vec::with_capacity(input.scenarios.len());
    for (j, s) in input.scenarios.iter().enumerate() {
        let plans = s
            .changes
            .iter()
            .enumerate()
            .map(|(k, c)| register_change(&mut registry, c, &s.name, j, k))
            .collect::<InputResult<Vec<_>>>()?;
        change_plans.push(plans);
    }
    let mut plans = Vec::with_capacity(input.scenarios.len());
    for j in 0..input.scenarios.len() {
        let mut order = Vec::new();
        resolve(&input.scenarios, j, &mut Vec::new(), &mut order)?;
        plans.push(build_plan(
            &input.scenarios,
            j,
            &order,
            &base,
            &change_plans,
            base_drivers,
        )?);
    }
    let base_values: Vec<f64> = registry.inputs.iter().map(|x| x.base).collect();
    let points = plans
        .iter()
        .enumerate()
        .map(|(j, p)| evaluate(p, &base_values, j))
        .collect::<InputResult<Vec<_>>>()?;
    let names: Vec<String> = (0..plans.len())
        .flat_map(|j| {
            let months = (1..=MONTHS).map(move |m| format!("{j}.month{m}"));
            [format!("{j}.quarter"), format!("{j}.lcpr")]
                .into_iter()
                .chain(months)
        })
        .collect();
    let sim = monte_carlo::simulate_into(&registry.inputs, draws, seed, &names, |values, out| {
        for ((j, plan), slot) in plans
            .iter()
            .enumerate()
            .zip(out.chunks_mut(OUTPUTS_PER_SCENARIO))
        {
            evaluate(plan, values, j)?.write(slot);
        }
        Ok(())
    })?;
    let band = |name: String| -> Band {
        sim.output(&name).map_or(
            Band {
                p10: f64::NAN,
                p50: f64::NAN,
                p90: f64::NAN,
            },
            |o| Band {
                p10: o.p10,
                p50: o.p50,
                p90: o.p90,
            },
        )
    };
    let mut scenarios = Vec::with_capacity(plans.len());
    for (j, ((s, plan), point)) in input.scenarios.iter().zip(&plans).zip(&points).enumerate() {
        let monthly_cost = (1..=MONTHS_U32)
            .zip(point.monthly_cost)
            .map(|(m, at_base)| {
                let name = format!("{j}.month{m}");
                let b = band(name.clone());
                let quartile = |pick: fn(&monte_carlo::OutputSummary) -> f64| {
                    sim.output(&name).map_or(f64::NAN, pick)
                };
                MonthBand {
                    month: m,
                    at_base,
                    p10: b.p10,
                    p25: quartile(|o| o.p25),
                    p50: b.p50,
                    p75: quartile(|o| o.p75),
                    p90: b.p90,
                }
            })
            .collect();
        let inputs: Vec<EvidenceEntry> = plan
            .drivers
            .iter()
            .filter_map(|&i| registry.entries.get(i).cloned())
            .collect();
        let quarter = format!("{j}.quarter");
        let mut range_drivers: Vec<RangeDriver> = inputs
            .iter()
            .filter_map(|e| {
                sim.rank_correlation(&e.id, &quarter)
                    .map(|spearman| RangeDriver {
                        id: e.id.clone(),
                        spearman,
                    })
            })
            .collect();
        range_drivers.sort_by(|a, b| b.spearman.abs().total_cmp(&a.spearman.abs()));
        let quarterly = point.quarterly_cost();
        scenarios.push(ScenarioForecast {
            name: s.name.clone(),
            quarterly_cost_at_base: quarterly,
            accepted_at_base: point.accepted,
            lcpr_at_base: quarterly / point.accepted,
            quarterly_cost: band(quarter),
            lcpr: band(format!("{j}.lcpr")),
            monthly_cost,
            measured_inputs: inputs.iter().filter(|e| e.measured).count(),
            inputs,
            range_drivers,
        });
    }
    Ok(Forecast {
        draws,
        seed,
        scenarios,
    })
}

fn unique_names<'a>(names: impl Iterator<Item = &'a str>, list: &str) -> InputResult<()> {
    let mut seen: Vec<&str> = Vec::new();
    for (i, name) in names.enumerate() {
        if name.trim().is_empty() {
            return Err(InputError::new(
                format!("{list}[{i}].name"),
                "must not be empty",
            ));
        }
        if let Some(first) = seen.iter().position(|n| *n == name) {
            return Err(InputError::new(
                format!("{list}[{i}].name"),
                format!("repeats the name of {list}[{first}]: {name}"),
            ));
        }
        seen.push(name);
    }
    Ok(())
}

fn register_change(
    registry: &mut Registry,
    change: &Change,
    scenario: &str,
    j: usize,
    k: usize,
) -> InputResult<ChangePlan> {
    let path = format!("scenarios[{j}].changes[{k}]");
    let id = |field: &str| format!("{scenario}/changes[{k}].{field}");
    let mut op = |workload: &String,
                  component: Component,
                  kind: OpKind,
                  (field, d): (&str, &Driver),
                  bound: Bound,
                  ramp_months: u32,
                  description: String|
     -> InputResult<ChangePlan> {
        d.check(bound)
            .map_err(|e| e.within(&format!("{path}.{field}")))?;
        let driver = registry.add(id(field), description, d);
        Ok(ChangePlan::Op {
            workload: workload.clone(),
            component,
            op: Op {
                kind,
                driver,
                ramp_months,
            },
        })
    };
    match change {
        Change::Multiply {
            workload,
            component,
            factor,
            ramp_months,
        } => op(
            workload,
            *component,
            OpKind::Multiply,
            ("factor", factor),
            Bound::NonNegative,
            *ramp_months,
            format!(
                "Multiplier on {} of {workload} ({scenario})",
                component.label().to_lowercase()
            ),
        ),
        Change::Add {
            workload,
            component,
            amount,
            ramp_months,
        } => op(
            workload,
            *component,
            OpKind::Add,
            ("amount", amount),
            Bound::Any,
            *ramp_months,
            format!(
                "Amount added to {} of {workload} ({scenario})",
                component.label().to_lowercase()
            ),
        ),
        Change::Acceptance {
            workload,
            rate,
            ramp_months,
        } => op(
            workload,
            Component::AcceptanceRate,
            OpKind::Set,
            ("rate", rate),
            Bound::Rate,
            *ramp_months,
            format!("New acceptance rate of {workload} ({scenario})"),
        ),
        Change::CacheHit {
            workload,
            inference_multiplier,
            ramp_months,
        } => op(
            workload,
            Component::InferenceCostPerRequest,
            OpKind::Multiply,
            ("inference_multiplier", inference_multiplier),
            Bound::NonNegative,
            *ramp_months,
            format!(
                "Inference cost multiplier from the cache-hit change on {workload} ({scenario})"
            ),
        ),
        Change::ModelMigration {
            workload,
            token_cost_multiplier,
            ramp_months,
        } => op(
            workload,
            Component::InferenceCostPerRequest,
            OpKind::Multiply,
            ("token_cost_multiplier", token_cost_multiplier),
            Bound::NonNegative,
            *ramp_months,
            format!("Token cost multiplier of the model migration of {workload} ({scenario})"),
        ),
        Change::NewWorkload {
            workload,
            start_month,
        } => {
            if !(1..=MONTHS_U32).contains(start_month) {
                return Err(InputError::new(
                    format!("{path}.start_month"),
                    format!("must lie in [1, {MONTHS}], got {start_month}"),
                ));
            }
            let describe = |c: Component| {
                format!(
                    "{} of new workload {} ({scenario})",
                    c.label(),
                    workload.name
                )
            };
            registry
                .workload(
                    workload,
                    &format!("{path}.workload"),
                    &format!("{scenario}/changes[{k}]"),
                    *start_month,
                    &describe,
                )
                .map(ChangePlan::New)
        }
    }
}

/// Appends scenario `j`'s changes, after those of the scenarios it includes, to `order` as
/// (scenario, change) pairs; a pair already present is not repeated.
fn resolve(
    scenarios: &[Scenario],
    j: usize,
    stack: &mut Vec<usize>,
    order: &mut Vec<(usize, usize)>,
) -> InputResult<()> {
    let Some(s) = scenarios.get(j) else {
        return Ok(());
    };
    if let Some(at) = stack.iter().position(|&x| x == j) {
        let cycle: Vec<&str> = stack
            .get(at..)
            .unwrap_or_default()
            .iter()
            .chain([&j])
            .filter_map(|&x| scenarios.get(x).map(|s| s.name.as_str()))
            .collect();
        return Err(InputError::new(
            format!("scenarios[{j}].includes"),
            format!("must not form a cycle: {}", cycle.join(" → ")),
        ));
    }
    stack.push(j);
    for (n, name) in s.includes.iter().enumerate() {
        let target = scenarios
            .iter()
            .position(|x| x.name == *name)
            .ok_or_else(|| {
                InputError::new(
                    format!("scenarios[{j}].includes[{n}]"),
                    format!("names no scenario: {name}"),
                )
            })?;
        resolve(scenarios, target, stack, order)?;
    }
    stack.pop();
    for k in 0..s.changes.len() {
        if !order.contains(&(j, k)) {
            order.push((j, k));
        }
    }
    Ok(())
}

fn build_plan(
    scenarios: &[Scenario],
    j: usize,
    order: &[(usize, usize)],
    base: &[WorkloadPlan],
    change_plans: &[Vec<ChangePlan>],
    base_drivers: usize,
) -> InputResult<ScenarioPlan> {
    let name = scenarios.get(j).map_or("", |s| s.name.as_str());
    let mut workloads = base.to_vec();
    let mut drivers: Vec<usize> = (0..base_drivers).collect();
    for &(origin, k) in order {
        let path = format!("scenarios[{origin}].changes[{k}]");
        let Some(change) = change_plans.get(origin).and_then(|c| c.get(k)) else {
            continue;
        };
        match change {
            ChangePlan::Op {
                workload,
                component,
                op,
            } => {
                let target = workloads
                    .iter_mut()
                    .find(|w| w.name == *workload)
                    .ok_or_else(|| {
                        InputError::new(
                            format!("{path}.workload"),
                            format!("names no workload of scenario {name}: {workload}"),
                        )
                    })?;
                if let Some(c) = target.components.get_mut(component.index()) {
                    c.ops.push(*op);
                }
                drivers.push(op.driver);
            }
            ChangePlan::New(plan) => {
                if workloads.iter().any(|w| w.name == plan.name) {
                    return Err(InputError::new(
                        format!("{path}.workload.name"),
                        format!(
                            "repeats the name of a workload already in scenario {name}: {}",
                            plan.name
                        ),
                    ));
                }
                drivers.extend(plan.components.iter().map(|c| c.driver));
                workloads.push(plan.clone());
            }
        }
    }
    Ok(ScenarioPlan { workloads, drivers })
}

/// One scenario's totals for one set of driver values.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Totals {
    monthly_cost: [f64; MONTHS],
    accepted: f64,
}

impl Totals {
    fn quarterly_cost(&self) -> f64 {
        self.monthly_cost.iter().sum()
    }

    /// Writes quarterly cost, LCPR and the monthly costs into a scenario's output slots.
    fn write(&self, slot: &mut [f64]) {
        let quarterly = self.quarterly_cost();
        let head = [quarterly, quarterly / self.accepted];
        for (out, value) in slot.iter_mut().zip(head.iter().chain(&self.monthly_cost)) {
            *out = *value;
        }
    }
}

/// The share of a change's effect in month `month` (1-based) with a ramp of `ramp` months.
fn ramp_share(ramp: u32, month: u32) -> f64 {
    if ramp == 0 {
        1.0
    } else {
        (f64::from(month) / f64::from(ramp)).min(1.0)
    }
}

fn value(values: &[f64], i: usize) -> InputResult<f64> {
    values
        .get(i)
        .copied()
        .ok_or_else(|| InputError::new("drivers", format!("has no value for driver {i}")))
}

impl WorkloadPlan {
    /// A component's value in `month`: its driver with every change applied, each scaled by
    /// its ramp.
    fn component(&self, c: Component, month: u32, values: &[f64]) -> InputResult<f64> {
        let Some(plan) = self.components.get(c.index()) else {
            return Err(InputError::new(c.name(), "is missing from the plan"));
        };
        let mut v = value(values, plan.driver)?;
        for op in &plan.ops {
            let x = value(values, op.driver)?;
            let share = ramp_share(op.ramp_months, month);
            v = match op.kind {
                OpKind::Multiply => v * (1.0 + (x - 1.0) * share),
                OpKind::Add => v + x * share,
                OpKind::Set => v + (x - v) * share,
            };
        }
        Ok(v)
    }
}

fn evaluate(plan: &ScenarioPlan, values: &[f64], j: usize) -> InputResult<Totals> {
    let mut totals = Totals {
        monthly_cost: [0.0; MONTHS],
        accepted: 0.0,
    };
    for w in &plan.workloads {
        let refuse = |c: Component, month: u32, got: f64, rule: &str| {
            InputError::new(
                format!("scenarios[{j}]"),
                format!(
                    "gives {} {} = {got} in month {month}; its changes must keep it {rule}",
                    w.name,
                    c.name()
                ),
            )
        };
        let get = |c: Component, month: u32| -> InputResult<f64> {
            let v = w.component(c, month, values)?;
            let ok = match c.bound() {
                Bound::Rate => v > 0.0 && v <= 1.0,
                Bound::AboveMinusOne => v > -1.0,
                Bound::NonNegative | Bound::Any => v >= 0.0,
            };
            if ok {
                Ok(v)
            } else {
                let rule = match c.bound() {
                    Bound::Rate => "in (0, 1]",
                    Bound::AboveMinusOne => "above −1",
                    Bound::NonNegative | Bound::Any => "≥ 0",
                };
                Err(refuse(c, month, v, rule))
            }
        };
        let mut growth = 1.0;
        for (month, cost) in (1..=MONTHS_U32).zip(totals.monthly_cost.iter_mut()) {
            if month < w.start_month {
                continue;
            }
            if month > w.start_month {
                growth *= 1.0 + get(Component::MonthlyGrowth, month)?;
            }
            let volume = get(Component::MonthlyRequests, month)? * growth;
            let per_request = get(Component::InferenceCostPerRequest, month)?
                + get(Component::EvalCostPerRequest, month)?
                + get(Component::HumanCostPerRequest, month)?;
            *cost += volume * per_request + get(Component::FixedMonthlyCost, month)?;
            totals.accepted += volume * get(Component::AcceptanceRate, month)?;
        }
    }
    if totals.accepted > 0.0 {
        Ok(totals)
    } else {
        Err(InputError::new(
            format!("scenarios[{j}]"),
            "leaves no accepted results in the quarter, so LCPR is undefined",
        ))
    }
}

/// The section is valid when the forecast can be run (one draw).
impl SectionRules for ForecastInput {
    fn check(&self, ws: &Workspace) -> InputResult<()> {
        forecast(self, 1, ws.simulation.seed).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    fn fixed(v: f64) -> Driver {
        Driver::fixed(v, Status::MeasuredInLogs)
    }

    /// Support chat and RAG extraction, every driver known exactly.
    fn workloads() -> Vec<ForecastWorkload> {
        vec![
            ForecastWorkload {
                name: "support chat".into(),
                monthly_requests: fixed(500_000.0),
                monthly_growth: fixed(0.02),
                inference_cost_per_request: Driver::fixed(0.05, Status::InvoiceReconciled),
                eval_cost_per_request: fixed(0.005),
                human_cost_per_request: fixed(0.015),
                acceptance_rate: fixed(0.9),
                fixed_monthly_cost: Driver::fixed(2_000.0, Status::ContractConfirmed),
            },
            ForecastWorkload {
                name: "rag extraction".into(),
                monthly_requests: fixed(200_000.0),
                monthly_growth: Driver::default(),
                inference_cost_per_request: fixed(0.02),
                eval_cost_per_request: fixed(0.002),
                human_cost_per_request: fixed(0.003),
                acceptance_rate: fixed(0.95),
                fixed_monthly_cost: fixed(1_000.0),
            },
        ]
    }

    fn voice_bot() -> ForecastWorkload {
        ForecastWorkload {
            name: "voice bot".into(),
            monthly_requests: Driver::fixed(20_000.0, Status::Estimated),
            monthly_growth: Driver::default(),
            inference_cost_per_request: Driver::fixed(0.10, Status::Estimated),
            eval_cost_per_request: Driver::fixed(0.01, Status::Estimated),
            human_cost_per_request: Driver::fixed(0.04, Status::Assumed),
            acceptance_rate: Driver::fixed(0.8, Status::Assumed),
            fixed_monthly_cost: Driver::fixed(500.0, Status::Estimated),
        }
    }

    fn scenario(name: &str, includes: &[&str], changes: Vec<Change>) -> Scenario {
        Scenario {
            name: name.into(),
            includes: includes.iter().map(|s| (*s).to_owned()).collect(),
            changes,
        }
    }

    /// The five standard scenarios with the given migration and cache multipliers.
    fn standard(migration: Driver, cache: Driver) -> ForecastInput {
        ForecastInput {
            workloads: workloads(),
            scenarios: vec![
                scenario("base case", &[], vec![]),
                scenario(
                    "new workload",
                    &[],
                    vec![Change::NewWorkload {
                        workload: voice_bot(),
                        start_month: 1,
                    }],
                ),
                scenario(
                    "model migration",
                    &[],
                    vec![Change::ModelMigration {
                        workload: "support chat".into(),
                        token_cost_multiplier: migration,
                        ramp_months: 2,
                    }],
                ),
                scenario(
                    "prompt change",
                    &[],
                    vec![Change::CacheHit {
                        workload: "rag extraction".into(),
                        inference_multiplier: cache,
                        ramp_months: 0,
                    }],
                ),
                scenario(
                    "all planned changes",
                    &["new workload", "model migration", "prompt change"],
                    vec![],
                ),
            ],
        }
    }

    fn known() -> ForecastInput {
        standard(
            Driver::fixed(0.7, Status::ContractConfirmed),
            Driver::fixed(1.4, Status::Estimated),
        )
    }

    fn uncertain() -> ForecastInput {
        let mut input = standard(
            Driver::range(0.7, 0.6, 0.85, Status::ContractConfirmed),
            Driver::range(1.4, 1.2, 1.8, Status::Estimated),
        );
        if let Some(w) = input.workloads.first_mut() {
            w.monthly_requests = Driver::range(500_000.0, 400_000.0, 650_000.0, Status::Estimated);
            w.monthly_growth = Driver::range(0.02, 0.0, 0.05, Status::Assumed);
            w.acceptance_rate = Driver::range(0.9, 0.85, 0.93, Status::MeasuredInLogs);
        }
        input
    }

    fn run(input: &ForecastInput, draws: usize, seed: u64) -> Forecast {
        forecast(input, draws, seed).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn base_case_by_hand() {
        let f = run(&known(), 200, 1);
        let base = &f.scenarios[0];
        // Support chat: 500,000, 510,000, 520,200 requests at $0.07 each + $2,000 a month:
        //   37,000 + 37,700 + 38,414 = 113,114.
        // RAG extraction: 200,000 a month at $0.025 + $1,000 = 6,000 a month, 18,000.
        // Months: 43,000, 43,700, 44,414; quarter 131,114.
        let months: Vec<f64> = base.monthly_cost.iter().map(|m| m.at_base).collect();
        assert!(close(months[0], 43_000.0) && close(months[1], 43_700.0));
        assert!(close(months[2], 44_414.0));
        assert!(close(base.quarterly_cost_at_base, 131_114.0));
        // Accepted: 1,530,200 × 0.9 + 600,000 × 0.95 = 1,377,180 + 570,000 = 1,947,180.
        assert!(close(base.accepted_at_base, 1_947_180.0));
        assert!(close(base.lcpr_at_base, 131_114.0 / 1_947_180.0));
    }

    #[test]
    fn standard_scenarios_by_hand() {
        let f = run(&known(), 200, 1);
        let cost: Vec<f64> = f
            .scenarios
            .iter()
            .map(|s| s.quarterly_cost_at_base)
            .collect();
        // New workload: 20,000 × (0.10 + 0.01 + 0.04) + 500 = 3,500 a month → +10,500.
        assert!(close(cost[1], 141_614.0), "{}", cost[1]);
        // Migration ×0.7 over 2 months: multipliers 0.85, 0.7, 0.7 on $0.05 inference.
        //   Savings 500,000 × 0.0075 + 510,000 × 0.015 + 520,200 × 0.015
        //         = 3,750 + 7,650 + 7,803 = 19,203 → 111,911.
        assert!(close(cost[2], 111_911.0), "{}", cost[2]);
        // Cache drop ×1.4 on RAG inference: 600,000 × 0.008 = +4,800 → 135,914.
        assert!(close(cost[3], 135_914.0), "{}", cost[3]);
        // All planned: 131,114 + 10,500 − 19,203 + 4,800 = 127,211.
        assert!(close(cost[4], 127_211.0), "{}", cost[4]);
        // Accepted with the voice bot: 1,947,180 + 60,000 × 0.8 = 1,995,180.
        assert!(close(f.scenarios[4].accepted_at_base, 1_995_180.0));
        let migration = &f.scenarios[2].monthly_cost;
        // Month 1: 43,000 − 3,750 = 39,250.
        assert!(close(migration[0].at_base, 39_250.0));
    }

    #[test]
    fn no_uncertainty_collapses_every_range_onto_the_point() {
        let f = run(&known(), 500, 3);
        for s in &f.scenarios {
            let q = s.quarterly_cost;
            assert!(close(q.p10, s.quarterly_cost_at_base) && q.p10 == q.p50 && q.p50 == q.p90);
            assert!(close(s.lcpr.p50, s.lcpr_at_base) && s.lcpr.p10 == s.lcpr.p90);
            for m in &s.monthly_cost {
                assert!(m.p10 == m.p90 && close(m.p50, m.at_base));
            }
            assert!(s.range_drivers.is_empty());
        }
    }

    #[test]
    fn ranges_are_ordered_and_bracket_the_point() {
        let f = run(&uncertain(), 4_000, 7);
        for s in &f.scenarios {
            let q = s.quarterly_cost;
            assert!(q.p10 < q.p50 && q.p50 < q.p90, "{}: {q:?}", s.name);
            assert!(q.p10 < s.quarterly_cost_at_base && s.quarterly_cost_at_base < q.p90);
            assert!(s.lcpr.p10 <= s.lcpr.p50 && s.lcpr.p50 <= s.lcpr.p90);
            for m in &s.monthly_cost {
                assert!(m.p10 <= m.p50 && m.p50 <= m.p90);
            }
        }
        // Support chat volume has the widest relative range: it drives the base case most.
        let top = f.scenarios[0].range_drivers.first().map(|d| d.id.as_str());
        assert_eq!(top, Some("support chat.monthly_requests"));
        // The migration multiplier shows up among the drivers of "all planned changes".
        assert!(
            f.scenarios[4]
                .range_drivers
                .iter()
                .any(|d| d.id == "model migration/changes[0].token_cost_multiplier")
        );
    }

    #[test]
    fn same_seed_same_forecast() {
        let a = run(&uncertain(), 1_000, 99);
        assert_eq!(a, run(&uncertain(), 1_000, 99));
        let b = run(&uncertain(), 1_000, 100);
        assert_ne!(a.scenarios[0].quarterly_cost, b.scenarios[0].quarterly_cost);
    }

    #[test]
    fn evidence_register_per_scenario() {
        let f = run(&known(), 10, 1);
        let ids = |j: usize| -> Vec<&str> {
            f.scenarios[j]
                .inputs
                .iter()
                .map(|e| e.id.as_str())
                .collect()
        };
        // Two workloads × seven components.
        assert_eq!(ids(0).len(), 14);
        assert_eq!(ids(0)[2], "support chat.inference_cost_per_request");
        assert_eq!(f.scenarios[0].inputs[2].status, Status::InvoiceReconciled);
        // rag extraction's growth was left out: zero, assumed, not measured.
        let growth = &f.scenarios[0].inputs[8];
        assert_eq!(growth.id, "rag extraction.monthly_growth");
        assert_eq!((growth.status, growth.measured), (Status::Assumed, false));
        assert_eq!(f.scenarios[0].measured_inputs, 13);
        // New workload: + 7 voice bot drivers, none measured.
        assert_eq!(ids(1).len(), 21);
        assert_eq!(ids(1)[14], "new workload/changes[0].monthly_requests");
        assert_eq!(
            f.scenarios[1].inputs[14].description,
            "Monthly requests of new workload voice bot (new workload)"
        );
        assert_eq!(f.scenarios[1].measured_inputs, 13);
        // All planned: 14 + 7 + the two multipliers, each once; the contract-confirmed
        // migration ratio counts as measured.
        assert_eq!(ids(4).len(), 23);
        assert_eq!(
            ids(4)[21],
            "model migration/changes[0].token_cost_multiplier"
        );
        assert_eq!(f.scenarios[4].measured_inputs, 14);
    }

    #[test]
    fn a_change_included_twice_applies_once() {
        let mut input = known();
        input.scenarios.push(scenario(
            "twice",
            &["model migration", "all planned changes"],
            vec![],
        ));
        let f = run(&input, 10, 1);
        assert!(close(f.scenarios[5].quarterly_cost_at_base, 127_211.0));
    }

    #[test]
    fn multiply_add_and_acceptance_changes() {
        let mut input = known();
        input.scenarios = vec![scenario(
            "mixed",
            &[],
            vec![
                // Human cost ×2 at once: +600,000 × 0.003 = +1,800 on RAG.
                Change::Multiply {
                    workload: "rag extraction".into(),
                    component: Component::HumanCostPerRequest,
                    factor: fixed(2.0),
                    ramp_months: 0,
                },
                // Fixed cost + 3,000 ramped over 3 months: 1,000 + 2,000 + 3,000 = +6,000.
                Change::Add {
                    workload: "rag extraction".into(),
                    component: Component::FixedMonthlyCost,
                    amount: fixed(3_000.0),
                    ramp_months: 3,
                },
                // RAG acceptance 0.95 → 0.75 at once: accepted 600,000 × 0.75 = 450,000.
                Change::Acceptance {
                    workload: "rag extraction".into(),
                    rate: fixed(0.75),
                    ramp_months: 0,
                },
            ],
        )];
        let s = &run(&input, 10, 1).scenarios[0];
        // 131,114 + 1,800 + 6,000 = 138,914; accepted 1,377,180 + 450,000 = 1,827,180.
        assert!(close(s.quarterly_cost_at_base, 138_914.0));
        assert!(close(s.accepted_at_base, 1_827_180.0));
    }

    #[test]
    fn a_late_new_workload_starts_in_its_month_and_grows_after() {
        let mut bot = voice_bot();
        bot.monthly_growth = fixed(0.5);
        let mut input = known();
        input.scenarios = vec![scenario(
            "late",
            &[],
            vec![Change::NewWorkload {
                workload: bot,
                start_month: 2,
            }],
        )];
        let s = &run(&input, 10, 1).scenarios[0];
        // Month 2: 20,000 × 0.15 + 500 = 3,500; month 3: 30,000 × 0.15 + 500 = 5,000.
        assert!(close(s.monthly_cost[0].at_base, 43_000.0));
        assert!(close(s.monthly_cost[1].at_base, 43_700.0 + 3_500.0));
        assert!(close(s.monthly_cost[2].at_base, 44_414.0 + 5_000.0));
    }

    #[test]
    fn structural_errors_are_refused() {
        let field = |input: &ForecastInput| forecast(input, 10, 1).err().map(|e| e.field);
        let mut cyclic = known();
        cyclic.scenarios[1].includes = vec!["all planned changes".into()];
        let err = forecast(&cyclic, 10, 1).err();
        assert!(err.is_some_and(|e| e.rule.contains("cycle")));
        let mut unknown = known();
        unknown.scenarios[0].includes = vec!["nope".into()];
        assert_eq!(field(&unknown), Some("scenarios[0].includes[0]".into()));
        let mut target = known();
        target.scenarios[2].changes = vec![Change::ModelMigration {
            workload: "nope".into(),
            token_cost_multiplier: fixed(0.5),
            ramp_months: 0,
        }];
        assert_eq!(
            field(&target),
            Some("scenarios[2].changes[0].workload".into())
        );
        let mut twice = known();
        twice.scenarios[1].name = "base case".into();
        assert_eq!(field(&twice), Some("scenarios[1].name".into()));
        let mut bad_rate = known();
        bad_rate.workloads[0].acceptance_rate = Driver::range(0.9, 0.8, 1.1, Status::Assumed);
        assert_eq!(
            forecast(&bad_rate, 10, 1).err().map(|e| e.to_string()),
            Some("workloads[0].acceptance_rate.high must lie in (0, 1], got 1.1".into())
        );
        let mut no_scenarios = known();
        no_scenarios.scenarios.clear();
        assert_eq!(field(&no_scenarios), Some("scenarios".into()));
        let mut late = known();
        late.scenarios[1].changes = vec![Change::NewWorkload {
            workload: voice_bot(),
            start_month: 4,
        }];
        assert_eq!(
            field(&late),
            Some("scenarios[1].changes[0].start_month".into())
        );
    }

    #[test]
    fn changes_that_make_a_cost_negative_are_refused() {
        let mut input = known();
        input.scenarios = vec![scenario(
            "too cheap",
            &[],
            vec![Change::Add {
                workload: "support chat".into(),
                component: Component::InferenceCostPerRequest,
                amount: Driver::range(-0.01, -0.08, 0.0, Status::Assumed),
                ramp_months: 0,
            }],
        )];
        // The point passes (0.05 − 0.01); a draw below −0.05 does not, and stops the run.
        let err = forecast(&input, 2_000, 1)
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.field, "scenarios[0]");
        assert!(
            err.rule
                .starts_with("gives support chat inference_cost_per_request = -")
        );
        assert!(err.rule.contains("(draw "), "{}", err.rule);
    }

    #[test]
    fn reads_scenarios_from_json() {
        let json = r#"{
            "workloads": [{
                "name": "w",
                "monthly_requests": {"base": 1000, "low": 1000, "high": 1000},
                "inference_cost_per_request": {"base": 0.01, "low": 0.01, "high": 0.01,
                                               "status": "invoice_reconciled"},
                "acceptance_rate": {"base": 0.5, "low": 0.5, "high": 0.5}
            }],
            "scenarios": [
                {"name": "base"},
                {"name": "migrate", "changes": [{"kind": "model_migration", "workload": "w",
                  "token_cost_multiplier": {"base": 0.5, "low": 0.5, "high": 0.5},
                  "ramp_months": 1}]}
            ]
        }"#;
        let input: ForecastInput = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let f = run(&input, 10, 1);
        // 3 × 1,000 × 0.01 = 30; migrated: 15. Accepted 1,500.
        assert!(close(f.scenarios[0].quarterly_cost_at_base, 30.0));
        assert!(close(f.scenarios[1].quarterly_cost_at_base, 15.0));
        assert!(close(f.scenarios[1].lcpr_at_base, 0.01));
        let typo = json.replace("ramp_months", "ramp");
        assert!(serde_json::from_str::<ForecastInput>(&typo).is_err());
    }
}
