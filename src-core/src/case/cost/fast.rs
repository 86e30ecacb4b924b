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

/// One route's inputs in f64: a single-route scenario, or one part of a mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteModel {
    w: [f64; WF],
    overridden: [bool; WF],
    route: [f64; RF],
    kind: RouteKind,
    card: CardModel,
}

impl RouteModel {
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
            // Mix inputs belong to the scenario, not to one of its routes.
            FieldRef::Mix(_) => {}
        }
    }

    /// (LCPR, monthly cost); `None` when nothing is accepted.
    #[must_use]
    pub fn evaluate(&self) -> Option<(f64, f64)> {
        self.cost(None)
            .map(|(monthly, accepted)| (monthly / accepted, monthly))
    }

    /// (monthly cost, accepted outputs), the production GPUs fixed at `fixed_gpus` when given;
    /// `None` when nothing is accepted.
    fn cost(&self, fixed_gpus: Option<f64>) -> Option<(f64, f64)> {
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
        let (inference, retries, model_monthly) = match fixed_gpus {
            Some(g) if gpu => {
                let all = g * hourly * HOURS_PER_MONTH;
                let first = all / (1.0 + self.wf(F::RetryRate));
                (
                    first,
                    all - first,
                    e.monthly_cost - e.inference_cost - e.retry_cost + all,
                )
            }
            _ => (e.inference_cost, e.retry_cost, e.monthly_cost),
        };
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
        let billed = inference + retries + non_production;
        let shortfall = c.committed.map_or(0.0, |k| (k - billed).max(0.0));
        let monthly = model_monthly + eval + human + ops + non_production + shortfall;
        Some((monthly, accepted))
    }
}

const MAX_PARTS: usize = 3;
const MAX_BUCKETS: usize = 168;

/// A mix's own inputs in f64 (see [`crate::case::mix`] for the rules they follow).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Single,
    /// Shares of parts 1..; part 0 takes the rest.
    Split {
        shares: [f64; MAX_PARTS],
    },
    Cascade {
        judge_cost: f64,
        accuracy: f64,
        false_accept: Option<f64>,
        false_reject: Option<f64>,
    },
    /// The demand profile's shares are in [`ScenarioModel::profile`].
    Reserved {
        gpus: f64,
        buckets: usize,
    },
    Batch {
        share: f64,
        same_route: bool,
    },
}

/// One scenario in f64: its route, or the parts of its mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScenarioModel {
    parts: [RouteModel; MAX_PARTS],
    count: usize,
    shape: Shape,
    /// Each hour's share of the requests (reserved + overflow).
    profile: [f64; MAX_BUCKETS],
}

/// Which parts of a mix a binding reaches, one bit per part.
pub type PartMask = u8;

/// The scenarios a binding reaches, each with the parts it reaches.
pub type Reach = Vec<(usize, PartMask)>;

/// Every part.
pub const ALL_PARTS: PartMask = u8::MAX;

impl ScenarioModel {
    /// A single-route scenario.
    #[must_use]
    pub fn new(
        workload: &Workload,
        overrides: &[(WorkloadField, f64)],
        route: &Route,
        card: &RateCard,
    ) -> Self {
        let m = RouteModel::new(workload, overrides, route, card);
        Self {
            parts: [m; MAX_PARTS],
            count: 1,
            shape: Shape::Single,
            profile: [0.0; MAX_BUCKETS],
        }
    }

    /// The scenario `s` of `ws` (its mix, when it has one), with the route ids of its parts.
    pub fn compile(
        ws: &Workspace,
        s: &crate::document::Scenario,
    ) -> InputResult<(Self, Vec<String>)> {
        use crate::document::Mix;
        let missing = |what: &str, id: &str| {
            InputError::new(
                format!("scenarios.{}", s.id),
                format!("names no {what} {id:?}"),
            )
        };
        let w = ws
            .workload(&s.workload)
            .ok_or_else(|| missing("workload", &s.workload))?;
        let part = |route: &str, overrides: Vec<(WorkloadField, f64)>| -> InputResult<RouteModel> {
            let r = ws.route(route).ok_or_else(|| missing("route", route))?;
            let c = ws
                .rate_card(&r.rate_card)
                .ok_or_else(|| missing("rate card", &r.rate_card))?;
            Ok(RouteModel::new(w, &overrides, r, c))
        };
        let own: Vec<(WorkloadField, f64)> = s.overrides.iter().map(|(f, v)| (*f, *v)).collect();
        let first = part(&s.route, own.clone())?;
        let mut routes = vec![s.route.clone()];
        let mut m = Self {
            parts: [first; MAX_PARTS],
            count: 1,
            shape: Shape::Single,
            profile: [0.0; MAX_BUCKETS],
        };
        let too_many = || {
            InputError::new(
                format!("scenarios.{}.mix", s.id),
                format!("has more than {MAX_PARTS} parts"),
            )
        };
        let mut push = |m: &mut Self,
                        route: &str,
                        o: &std::collections::BTreeMap<WorkloadField, f64>|
         -> InputResult<()> {
            let slot = m.parts.get_mut(m.count).ok_or_else(too_many)?;
            *slot = part(route, o.iter().map(|(f, v)| (*f, *v)).collect())?;
            m.count += 1;
            routes.push(route.to_owned());
            Ok(())
        };
        match &s.mix {
            None => {}
            Some(Mix::Split { parts }) => {
                let mut shares = [0.0; MAX_PARTS];
                for (j, p) in parts.iter().enumerate() {
                    push(&mut m, &p.route, &p.overrides)?;
                    if let Some(v) = shares.get_mut(j + 1) {
                        *v = p.share;
                    }
                }
                m.shape = Shape::Split { shares };
            }
            Some(Mix::Cascade { judge, stages }) => {
                for st in stages {
                    push(&mut m, &st.route, &st.overrides)?;
                }
                m.shape = Shape::Cascade {
                    judge_cost: to_f64(judge.cost_per_request),
                    accuracy: judge.accuracy,
                    false_accept: judge.false_accept_rate,
                    false_reject: judge.false_reject_rate,
                };
            }
            Some(Mix::ReservedOverflow {
                reserved_gpus,
                overflow,
                demand_profile,
            }) => {
                push(&mut m, &overflow.route, &overflow.overrides)?;
                let p = ws
                    .demand_profile(demand_profile)
                    .ok_or_else(|| missing("demand profile", demand_profile))?;
                for (slot, v) in m.profile.iter_mut().zip(p.shares()) {
                    *slot = v;
                }
                m.shape = Shape::Reserved {
                    gpus: *reserved_gpus,
                    buckets: p.hourly.len().min(MAX_BUCKETS),
                };
            }
            Some(Mix::BatchLane { share, route, .. }) => {
                let same_route = route.as_ref().is_none_or(|r| *r == s.route);
                if let (false, Some(r)) = (same_route, route) {
                    push(&mut m, r, &std::collections::BTreeMap::new())?;
                } else {
                    m.count = 2;
                    routes.push(s.route.clone());
                }
                m.shape = Shape::Batch {
                    share: *share,
                    same_route,
                };
            }
        }
        Ok((m, routes))
    }

    /// Sets a bound input in every part.
    pub fn set(&mut self, target: BindingTarget, field: FieldRef, value: f64) {
        self.set_parts(target, field, value, ALL_PARTS);
    }

    /// Sets a bound input: a scenario's workload override reaches its own route (part 0, and
    /// a batch lane on the same route), a mix input the mix, anything else the parts in `mask`.
    pub fn set_parts(
        &mut self,
        target: BindingTarget,
        field: FieldRef,
        value: f64,
        mask: PartMask,
    ) {
        if let FieldRef::Mix(f) = field {
            self.set_mix(f, value);
            return;
        }
        let own_only = target == BindingTarget::Scenario;
        let batch_same = matches!(
            self.shape,
            Shape::Batch {
                same_route: true,
                ..
            }
        );
        for (i, p) in self.parts.iter_mut().enumerate().take(self.count) {
            let reached = if own_only {
                i == 0 || (i == 1 && batch_same)
            } else {
                mask & (1 << i) != 0
            };
            if reached {
                p.set(target, field, value);
            }
        }
    }

    fn set_mix(&mut self, f: crate::document::MixField, value: f64) {
        use crate::document::MixField as M;
        match (&mut self.shape, f) {
            (Shape::Split { shares }, M::SplitShare) => {
                if let Some(v) = shares.get_mut(1) {
                    *v = value;
                }
            }
            (Shape::Cascade { accuracy, .. }, M::JudgeAccuracy) => *accuracy = value,
            (Shape::Cascade { judge_cost, .. }, M::JudgeCostPerRequest) => *judge_cost = value,
            (Shape::Reserved { gpus, .. }, M::ReservedGpus) => *gpus = value,
            (Shape::Batch { share, .. }, M::BatchLaneShare) => *share = value,
            _ => {}
        }
    }

    /// (LCPR, monthly cost); `None` when nothing is accepted.
    #[must_use]
    pub fn evaluate(&self) -> Option<(f64, f64)> {
        use WorkloadField as F;
        let first = self.parts.first()?;
        if self.shape == Shape::Single {
            return first.evaluate();
        }
        let n = first.wf(F::MonthlyRequests);
        // A part on `requests` with `fixed` of the workload-wide fixed amounts.
        let priced = |p: &RouteModel, requests: f64, fixed: f64, gpus: Option<f64>| {
            if requests <= 0.0 {
                return Some((0.0, 0.0));
            }
            let mut q = *p;
            q.w[wi(F::MonthlyRequests)] = requests;
            q.w[wi(F::EngineeringHoursPerMonth)] *= fixed;
            q.w[wi(F::OpsMonthlyCost)] *= fixed;
            q.cost(gpus)
        };
        let parts = self.parts.get(..self.count)?;
        let mut monthly = 0.0;
        let mut accepted = 0.0;
        let mut add = |(m, a): (f64, f64)| {
            monthly += m;
            accepted += a;
        };
        match self.shape {
            Shape::Single => {}
            Shape::Split { shares } => {
                let rest: f64 = shares.iter().skip(1).take(self.count - 1).sum();
                for (i, p) in parts.iter().enumerate() {
                    let share = if i == 0 {
                        (1.0 - rest).max(0.0)
                    } else {
                        *shares.get(i)?
                    };
                    add(priced(p, n * share, share, None)?);
                }
            }
            Shape::Cascade {
                judge_cost,
                accuracy,
                false_accept,
                false_reject,
            } => {
                let fa = false_accept.unwrap_or(1.0 - accuracy);
                let fr = false_reject.unwrap_or(1.0 - accuracy);
                let mut requests = n;
                for (k, p) in parts.iter().enumerate() {
                    let pass = p.wf(F::QualityGatePassRate) * p.rf(RouteField::QualityScore);
                    let fixed = if k == 0 { 1.0 } else { 0.0 };
                    let mut q = *p;
                    if k > 0 {
                        q.w[wi(F::HumanEscalationRate)] = 0.0;
                    }
                    if k + 1 < self.count {
                        q.w[wi(F::RepairCostPerFailure)] = 0.0;
                        q.w[wi(F::QualityGatePassRate)] = 1.0;
                        let good = requests * pass * (1.0 - fr);
                        let wrong = requests * (1.0 - pass) * fa;
                        let (m, _) = priced(&q, requests, fixed, None)?;
                        add((m + requests * judge_cost, good));
                        requests = (requests - good - wrong).max(0.0);
                    } else {
                        add(priced(&q, requests, fixed, None)?);
                    }
                }
            }
            Shape::Reserved { gpus, buckets } => {
                let pool = parts.first()?;
                let per_attempt = pool.wf(F::OutputTokens)
                    + pool.wf(F::PrefillEfficiency)
                        * (pool.wf(F::StablePrefixTokens) + pool.wf(F::DynamicTailTokens));
                let per_gpu = pool.card.tps * pool.card.utilization * 3600.0
                    / (per_attempt * (1.0 + pool.wf(F::RetryRate)));
                let recurrences = HOURS_PER_MONTH / buckets as f64;
                let capacity = gpus * per_gpu;
                let served: f64 = self
                    .profile
                    .get(..buckets)?
                    .iter()
                    .map(|s| (n * s / recurrences).min(capacity) * recurrences)
                    .sum();
                let r = if n > 0.0 { (served / n).min(1.0) } else { 0.0 };
                add(priced(pool, n * r, r, Some(gpus))?);
                add(priced(parts.get(1)?, n * (1.0 - r), 1.0 - r, None)?);
            }
            Shape::Batch { share, same_route } => {
                let mut standard = *parts.first()?;
                let mut lane = if same_route { standard } else { *parts.get(1)? };
                if share > lane.wf(F::BatchEligibleShare) + 1e-9 {
                    return None;
                }
                standard.w[wi(F::BatchEligibleShare)] = 0.0;
                lane.w[wi(F::BatchEligibleShare)] = 1.0;
                add(priced(&standard, n * (1.0 - share), 1.0 - share, None)?);
                add(priced(&lane, n * share, share, None)?);
            }
        }
        (accepted > 0.0).then(|| (monthly / accepted, monthly))
    }
}

/// Every scenario of a workspace as f64 models, and how each bound register entry reaches them.
#[derive(Debug, Clone)]
pub struct CompiledWorkspace {
    /// (scenario id, name, model) in document order.
    pub scenarios: Vec<(String, String, ScenarioModel)>,
    /// Per bound register entry, in register order: its id and the scenarios it reaches.
    pub bindings: Vec<(String, BindingTarget, FieldRef, Reach)>,
}

fn mask_of(routes: &[String], reaches: impl Fn(&str) -> bool) -> PartMask {
    routes
        .iter()
        .enumerate()
        .filter(|(_, r)| reaches(r))
        .fold(0, |m, (i, _)| m | (1 << i))
}

impl CompiledWorkspace {
    /// Compiles `ws` with its register applied.
    pub fn new(ws: &Workspace) -> InputResult<Self> {
        let (base, errors) = crate::case::evaluation::apply_register(ws);
        if let Some(e) = errors.first() {
            return Err(InputError::new("register", e.clone()));
        }
        let mut scenarios = Vec::new();
        let mut part_routes = Vec::new();
        for s in &base.scenarios {
            // The same range checks as `compute`: a scenario the Decimal cost refuses (a value
            // out of money's range, a bad override) is refused here too, not sampled in f64.
            crate::case::evaluation::cost_of(&base, &s.id)
                .map_err(|e| e.within(&format!("scenarios.{}", s.id)))?;
            let (model, routes) = ScenarioModel::compile(&base, s)?;
            scenarios.push((s.id.clone(), s.name.clone(), model));
            part_routes.push(routes);
        }
        let mut bindings = Vec::new();
        for e in &base.register {
            let Some(b) = &e.binds else { continue };
            let field = b.field_ref()?;
            let reached: Reach = base
                .scenarios
                .iter()
                .zip(&part_routes)
                .enumerate()
                .filter_map(|(i, (s, routes))| {
                    let mask = match b.target {
                        BindingTarget::Workload if s.workload == b.id => ALL_PARTS,
                        BindingTarget::Scenario if s.id == b.id => ALL_PARTS,
                        BindingTarget::Route => mask_of(routes, |r| r == b.id),
                        BindingTarget::RateCard => mask_of(routes, |r| {
                            base.route(r).is_some_and(|r| r.rate_card == b.id)
                        }),
                        _ => 0,
                    };
                    (mask != 0).then_some((i, mask))
                })
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
                    // Ten components each rounded to the cent, per part of a mix.
                    assert!(
                        (monthly - to_f64(cost.monthly_cost)).abs() <= 0.15,
                        "{id}: {monthly} vs {}",
                        cost.monthly_cost
                    );
                    assert!(
                        (lcpr - cost.lcpr).abs() <= 0.15 / cost.accepted_units + 1e-12,
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
    fn twin_matches_the_decimal_cost_of_every_mix_shape() {
        use crate::document::{Mix, MixField};
        let mut ws = crate::case::mix::tests::flat();
        // Fixed costs, retries, cache and a contract, so allocation and rounding are exercised.
        let w = &mut ws.workloads[0];
        w.ops_monthly_cost = rust_decimal::Decimal::new(123_457, 2);
        w.engineering_hours_per_month = 7.0;
        w.engineer_hourly_cost = rust_decimal::Decimal::new(9999, 2);
        w.retry_rate = 0.04;
        w.tokens.stable_prefix = 500.0;
        w.prefill_efficiency = 0.2;
        w.human_escalation_rate = 0.01;
        w.human_cost_per_case = rust_decimal::Decimal::new(2, 0);
        w.batch_eligible_share = 0.3;
        ws.scenarios.push(crate::document::Scenario {
            id: "batch".into(),
            name: "batch".into(),
            workload: "w".into(),
            route: "rb".into(),
            status: crate::document::ScenarioStatus::Candidate,
            owner: String::new(),
            overrides: Default::default(),
            notes: String::new(),
            mix: Some(Mix::BatchLane {
                share: 0.3,
                route: Some("ra".into()),
                max_queue_delay_hours: 24.0,
            }),
        });
        let original = ws.clone();
        for (id, field, values) in [
            ("split", MixField::SplitShare, vec![0.0, 0.3, 1.0]),
            ("cascade", MixField::JudgeAccuracy, vec![0.6, 0.9, 1.0]),
            ("pool", MixField::ReservedGpus, vec![0.0, 1.0, 2.0, 7.0]),
            ("batch", MixField::BatchLaneShare, vec![0.0, 0.3]),
        ] {
            for v in values {
                let mut ws = ws.clone();
                let b = crate::document::Binding {
                    target: BindingTarget::Scenario,
                    id: id.into(),
                    field: field.name().into(),
                };
                ws.write_binding(&b, v).unwrap_or_else(|e| panic!("{e}"));
                let exact = crate::case::evaluation::cost_of(&ws, id)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
                let compiled = CompiledWorkspace::new(&ws).unwrap_or_else(|e| panic!("{e}"));
                let (_, _, m) = compiled
                    .scenarios
                    .iter()
                    .find(|(i, _, _)| i == id)
                    .unwrap_or_else(|| panic!("{id}"));
                let (lcpr, monthly) = m.evaluate().unwrap_or_else(|| panic!("{id}"));
                assert!(
                    (monthly - to_f64(exact.monthly_cost)).abs() <= 0.2,
                    "{id} at {v}: {monthly} vs {}",
                    exact.monthly_cost
                );
                assert!(
                    (lcpr - exact.lcpr).abs() <= 0.2 / exact.accepted_units + 1e-12,
                    "{id} at {v}"
                );
                // A draw of the same input reaches the f64 model the same way.
                let base = CompiledWorkspace::new(&original).unwrap_or_else(|e| panic!("{e}"));
                let (_, _, mut drawn) = base
                    .scenarios
                    .iter()
                    .find(|(i, _, _)| i == id)
                    .cloned()
                    .unwrap_or_else(|| panic!("{id}"));
                drawn.set(BindingTarget::Scenario, FieldRef::Mix(field), v);
                assert_eq!(drawn.evaluate(), Some((lcpr, monthly)), "{id} at {v}");
            }
        }
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
