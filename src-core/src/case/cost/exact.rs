//! Scenario cost: the loaded monthly cost of a workload on a route and its LCPR, split into
//! the components a review needs to see.
//!
//! Inference, retries, repair and engineering come from the profile estimate
//! ([`crate::calc::lcpr`]); on top of it come eval grading, human escalation, operations (the
//! workload's allocation plus a GPU route's operations staff), non-production GPUs (staging,
//! test, canary, reserve) and any shortfall under a contract's committed spend. Contract
//! overlays replace list prices before anything is priced.
//!
//! Components are rounded to cents and the monthly cost is their sum, so every table adds up;
//! LCPR is that monthly cost over accepted outputs.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::calc::lcpr::WorkloadProfile;
use crate::calc::lcpr::{DeploymentMode, RoutePricing};
use crate::calc::lcpr::{HOURS_PER_MONTH, LcprModel};
use crate::document::{EffectiveRates, effective_rates};
use crate::document::{RateCard, RatePricing, Route, RouteKind, Workload};
use crate::error::{InputError, InputResult};
use crate::money::{self, to_cents};

/// The parts of a scenario's monthly cost, in dollars rounded to cents.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct CostComponents {
    /// Tokens of first attempts, after cache and batch (token routes).
    #[serde(with = "crate::money::exact")]
    pub inference_tokens: Decimal,
    /// Production GPUs' share for first attempts (GPU routes).
    #[serde(with = "crate::money::exact")]
    pub gpu: Decimal,
    /// Inference spent on retries.
    #[serde(with = "crate::money::exact")]
    pub retries: Decimal,
    /// Repairs of outputs that failed the gate.
    #[serde(with = "crate::money::exact")]
    pub repair: Decimal,
    /// Eval grading.
    #[serde(with = "crate::money::exact")]
    pub eval: Decimal,
    /// Human escalation.
    #[serde(with = "crate::money::exact")]
    pub human: Decimal,
    /// Operations: the workload's allocation plus the route's operations staff.
    #[serde(with = "crate::money::exact")]
    pub ops: Decimal,
    /// Engineering time.
    #[serde(with = "crate::money::exact")]
    pub engineering: Decimal,
    /// Staging, test, canary and reserve GPUs.
    #[serde(with = "crate::money::exact")]
    pub non_production: Decimal,
    /// Committed spend not used by inference, billed anyway.
    #[serde(with = "crate::money::exact")]
    pub commitment_shortfall: Decimal,
}

/// One component's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// See [`CostComponents::inference_tokens`].
    InferenceTokens,
    /// See [`CostComponents::gpu`].
    Gpu,
    /// See [`CostComponents::retries`].
    Retries,
    /// See [`CostComponents::repair`].
    Repair,
    /// See [`CostComponents::eval`].
    Eval,
    /// See [`CostComponents::human`].
    Human,
    /// See [`CostComponents::ops`].
    Ops,
    /// See [`CostComponents::engineering`].
    Engineering,
    /// See [`CostComponents::non_production`].
    NonProduction,
    /// See [`CostComponents::commitment_shortfall`].
    CommitmentShortfall,
}

impl Component {
    /// A label for legends and tables.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::InferenceTokens => "Inference (tokens after cache)",
            Self::Gpu => "GPUs (production)",
            Self::Retries => "Retries",
            Self::Repair => "Repair",
            Self::Eval => "Eval grading",
            Self::Human => "Human escalation",
            Self::Ops => "Operations",
            Self::Engineering => "Engineering",
            Self::NonProduction => "Non-production GPUs",
            Self::CommitmentShortfall => "Commitment shortfall",
        }
    }
}

impl CostComponents {
    /// Every component with its amount, in a fixed order.
    #[must_use]
    pub fn entries(&self) -> [(Component, Decimal); 10] {
        [
            (Component::InferenceTokens, self.inference_tokens),
            (Component::Gpu, self.gpu),
            (Component::Retries, self.retries),
            (Component::Repair, self.repair),
            (Component::Eval, self.eval),
            (Component::Human, self.human),
            (Component::Ops, self.ops),
            (Component::Engineering, self.engineering),
            (Component::NonProduction, self.non_production),
            (Component::CommitmentShortfall, self.commitment_shortfall),
        ]
    }

    /// Their sum.
    #[must_use]
    pub fn total(&self) -> Decimal {
        self.entries().iter().map(|(_, v)| *v).sum()
    }
}

/// Per-request input cost on the standard lane, by the stable/dynamic split:
/// S·((1−h)·P_miss + h·P_hit) + D·P_miss + O·P_out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EffectiveInputCost {
    /// The stable prefix's part, with its cache hits.
    pub stable_prefix: f64,
    /// The dynamic tail's part, always uncached.
    pub dynamic_tail: f64,
    /// The output's part.
    pub output: f64,
    /// The sum: dollars per request.
    pub per_request: f64,
}

/// A scenario's loaded cost and LCPR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioCost {
    /// LCPR: monthly cost ÷ accepted outputs.
    pub lcpr: f64,
    /// Monthly cost: the sum of the components.
    #[serde(with = "crate::money::exact")]
    pub monthly_cost: Decimal,
    /// The components.
    pub components: CostComponents,
    /// Requests per month.
    pub monthly_requests: f64,
    /// Attempts per month (retries included).
    pub attempts: f64,
    /// Accepted outputs per month.
    pub accepted_units: f64,
    /// Accepted ÷ requests.
    pub accepted_outcome_rate: f64,
    /// Retry rate used.
    pub retry_rate: f64,
    /// Gate pass rate × route quality score.
    pub quality_pass_rate: f64,
    /// Cache hit rate on the stable prefix.
    pub cache_hit_rate: f64,
    /// 1,000 × LCPR.
    pub cost_per_1k_requests: f64,
    /// Tokens at list input/output rates, no cache, batch or retries (token routes).
    #[serde(with = "crate::money::exact")]
    pub raw_token_cost: Decimal,
    /// Tokens after cache and batch, before retries (token routes).
    #[serde(with = "crate::money::exact")]
    pub cache_adjusted_token_cost: Decimal,
    /// The stable/dynamic split of per-request cost (token routes).
    pub effective_input_cost: Option<EffectiveInputCost>,
    /// Production GPUs (GPU routes).
    pub gpu_count: Option<f64>,
    /// Their load ÷ capacity (GPU routes).
    pub gpu_load_fraction: Option<f64>,
    /// Prices after the contract.
    pub rates: EffectiveRates,
}

/// A scenario's cost as a forecast's drivers: what scales with each request, and what is paid
/// each month whatever the volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerRequest {
    /// Inference per request: tokens, GPUs, retries, repairs, non-production GPUs and any
    /// commitment shortfall — everything a change of route moves.
    pub inference: f64,
    /// Eval grading per request.
    pub eval: f64,
    /// Human escalation per request.
    pub human: f64,
    /// Operations and engineering, per month.
    pub fixed_monthly: f64,
}

impl ScenarioCost {
    /// The cost split into a forecast's drivers (per request over at least one request).
    #[must_use]
    pub fn per_request(&self) -> PerRequest {
        let requests = self.monthly_requests.max(1.0);
        let per = |d: Decimal| crate::money::to_f64(d) / requests;
        let c = &self.components;
        PerRequest {
            inference: per(c.inference_tokens
                + c.gpu
                + c.retries
                + c.repair
                + c.non_production
                + c.commitment_shortfall),
            eval: per(c.eval),
            human: per(c.human),
            fixed_monthly: crate::money::to_f64(c.ops + c.engineering),
        }
    }
}

/// The engine's view of a route: mode, effective prices, GPU figures.
pub fn route_pricing(route: &Route, card: &RateCard) -> InputResult<RoutePricing> {
    let mode = match route.kind {
        RouteKind::ManagedApi => DeploymentMode::ClosedApi,
        RouteKind::ServerlessOpenWeight => DeploymentMode::ServerlessOpen,
        RouteKind::DedicatedEndpoint | RouteKind::SelfHostedGpus => DeploymentMode::Dedicated,
    };
    let pricing = priced(card, route.name.clone(), mode, route.quality_score)?;
    if card.pricing.is_tokens() == route.kind.is_gpu() {
        return Err(InputError::new(
            "rate_card",
            format!(
                "{:?} does not price a {} route",
                card.id,
                route.kind.label()
            ),
        ));
    }
    Ok(pricing)
}

/// The engine's view of a rate card on its own, for break-even: token cards as serverless, GPU
/// cards as dedicated, with the contract applied.
pub fn card_pricing(card: &RateCard) -> InputResult<RoutePricing> {
    let mode = if card.pricing.is_tokens() {
        DeploymentMode::ServerlessOpen
    } else {
        DeploymentMode::Dedicated
    };
    priced(card, format!("{} {}", card.provider, card.model), mode, 1.0)
}

fn priced(
    card: &RateCard,
    name: String,
    mode: DeploymentMode,
    quality_score: f64,
) -> InputResult<RoutePricing> {
    let rates = effective_rates(card)?;
    let discount =
        money::from_f64(card.contract.as_ref().map_or(0.0, |c| c.discount)).unwrap_or_default();
    let mut pricing = RoutePricing {
        name,
        deployment_mode: mode,
        input_rate_per_m: rates.input_per_m.unwrap_or_default(),
        output_rate_per_m: rates.output_per_m.unwrap_or_default(),
        cached_input_rate_per_m: rates.cached_input_per_m.unwrap_or_default(),
        batch_input_rate_per_m: Decimal::ZERO,
        batch_output_rate_per_m: Decimal::ZERO,
        gpu_hourly_rate: rates.hourly_rate.unwrap_or_default(),
        throughput_tps: 0.0,
        utilization: 0.0,
        quality_score,
    };
    match &card.pricing {
        RatePricing::Tokens {
            batch_input_per_m,
            batch_output_per_m,
            ..
        } => {
            pricing.batch_input_rate_per_m = batch_input_per_m
                .map(|v| crate::document::rates::discounted(v, discount))
                .unwrap_or_default();
            pricing.batch_output_rate_per_m = batch_output_per_m
                .map(|v| crate::document::rates::discounted(v, discount))
                .unwrap_or_default();
        }
        RatePricing::Gpu {
            throughput_tps,
            utilization,
            ..
        } => {
            pricing.throughput_tps = *throughput_tps;
            pricing.utilization = *utilization;
        }
    }
    Ok(pricing)
}

/// The engine's view of a workload: total input and the cache hit share of all input.
#[must_use]
pub fn workload_profile(w: &Workload) -> WorkloadProfile {
    let input = w.tokens.stable_prefix + w.tokens.dynamic_tail;
    let cached = w.tokens.stable_prefix * w.cache_hit_rate;
    WorkloadProfile {
        avg_input_tokens: input,
        avg_output_tokens: w.tokens.output,
        monthly_requests: w.monthly_requests,
        retry_rate: w.retry_rate,
        quality_gate_pass_rate: w.quality_gate_pass_rate,
        cache_hit_rate: if input > 0.0 {
            (cached / input).min(1.0)
        } else {
            0.0
        },
        batch_eligible_fraction: w.batch_eligible_share,
        prefill_efficiency: w.prefill_efficiency,
        repair_cost_per_failure: w.repair_cost_per_failure,
        engineering_hours_per_month: w.engineering_hours_per_month,
        engineer_hourly_cost: w.engineer_hourly_cost,
    }
}

pub(crate) fn cents(value: f64, field: &str) -> InputResult<Decimal> {
    money::from_f64(value)
        .map(to_cents)
        .ok_or_else(|| {
            InputError::new(
                field,
                format!(
                    "is out of range: {value:.3e} per month, beyond the ±7.9e28 money can hold; check the volume, token counts and prices that feed it"
                ),
            )
        })
}

/// Costs `workload` (overrides already applied) on `route` priced by `card`.
pub fn scenario_cost(
    workload: &Workload,
    route: &Route,
    card: &RateCard,
) -> InputResult<ScenarioCost> {
    let pricing = route_pricing(route, card)?;
    let profile = workload_profile(workload);
    let e = LcprModel::new(&profile, &pricing)?.estimate();
    let n = workload.monthly_requests;
    let per_m = |d: Decimal| money::to_f64(d) / 1e6;
    let rates = effective_rates(card)?;
    let hourly = money::to_f64(rates.hourly_rate.unwrap_or_default());
    let gpu_route = route.kind.is_gpu();
    let inference = cents(e.inference_cost, "inference")?;
    let retries = cents(e.retry_cost, "retries")?;
    let mut c = CostComponents {
        inference_tokens: if gpu_route { Decimal::ZERO } else { inference },
        gpu: if gpu_route { inference } else { Decimal::ZERO },
        retries,
        repair: cents(e.repair_cost, "repair")?,
        eval: cents(
            n * workload.eval_sample_rate * money::to_f64(workload.grader_cost_per_eval),
            "eval",
        )?,
        human: cents(
            n * workload.human_escalation_rate * money::to_f64(workload.human_cost_per_case),
            "human",
        )?,
        ops: to_cents(
            workload.ops_monthly_cost
                + cents(
                    route.ops_fte * money::to_f64(route.fte_monthly_cost),
                    "ops_fte",
                )?,
        ),
        engineering: cents(e.engineering_cost, "engineering")?,
        non_production: if gpu_route {
            cents(
                route.non_production.total() * hourly * HOURS_PER_MONTH,
                "non_production",
            )?
        } else {
            Decimal::ZERO
        },
        commitment_shortfall: Decimal::ZERO,
    };
    if let Some(committed) = card
        .contract
        .as_ref()
        .and_then(|k| k.committed_monthly_spend)
    {
        let billed = c.inference_tokens + c.gpu + c.retries + c.non_production;
        c.commitment_shortfall = (committed - billed).max(Decimal::ZERO);
    }
    let monthly_cost = c.total();
    let lcpr = money::to_f64(monthly_cost) / e.accepted_units;
    let effective_input_cost = (!gpu_route).then(|| {
        let p_miss = per_m(rates.input_per_m.unwrap_or_default());
        let p_hit = rates.cached_input_per_m.map_or(p_miss, per_m);
        let p_out = per_m(rates.output_per_m.unwrap_or_default());
        let h = workload.cache_hit_rate;
        let stable = workload.tokens.stable_prefix * ((1.0 - h) * p_miss + h * p_hit);
        let dynamic = workload.tokens.dynamic_tail * p_miss;
        let output = workload.tokens.output * p_out;
        EffectiveInputCost {
            stable_prefix: stable,
            dynamic_tail: dynamic,
            output,
            per_request: stable + dynamic + output,
        }
    });
    Ok(ScenarioCost {
        lcpr,
        monthly_cost,
        components: c,
        monthly_requests: n,
        attempts: e.attempts,
        accepted_units: e.accepted_units,
        accepted_outcome_rate: if n > 0.0 { e.accepted_units / n } else { 0.0 },
        retry_rate: workload.retry_rate,
        quality_pass_rate: workload.quality_gate_pass_rate * route.quality_score,
        cache_hit_rate: workload.cache_hit_rate,
        cost_per_1k_requests: 1000.0 * lcpr,
        raw_token_cost: cents(e.raw_token_cost, "raw_token_cost")?,
        cache_adjusted_token_cost: cents(e.cache_adjusted_token_cost, "cache_adjusted_token_cost")?,
        effective_input_cost,
        gpu_count: e.gpu_count,
        gpu_load_fraction: e.gpu_load_fraction,
        rates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::lcpr;
    use crate::document::{ContractOverlay, NonProduction, SloSpec, TokenShape};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    pub(crate) fn workload() -> Workload {
        Workload {
            id: "w".into(),
            name: "W".into(),
            accepted_unit: String::new(),
            monthly_requests: 500_000.0,
            tokens: TokenShape {
                stable_prefix: 600.0,
                dynamic_tail: 200.0,
                output: 400.0,
                input_p50: None,
                input_p95: None,
                output_p50: None,
                output_p95: None,
            },
            cache_hit_rate: 0.0,
            retry_rate: 0.03,
            quality_gate_pass_rate: 0.95,
            repair_cost_per_failure: d("0.002"),
            human_escalation_rate: 0.0,
            human_cost_per_case: Decimal::ZERO,
            eval_sample_rate: 0.0,
            grader_cost_per_eval: Decimal::ZERO,
            ops_monthly_cost: Decimal::ZERO,
            engineering_hours_per_month: 8.0,
            engineer_hourly_cost: d("100"),
            batch_eligible_share: 0.0,
            prefill_efficiency: 0.0,
            slo: SloSpec {
                ttft_ms: 800.0,
                tpot_ms: 50.0,
                e2e_ms: None,
            },
            quality_floor: 0.9,
            notes: String::new(),
        }
    }

    fn token_card(input: &str, cached: Option<&str>, output: &str) -> RateCard {
        RateCard {
            id: "card".into(),
            provider: "P".into(),
            model: "M".into(),
            aliases: Vec::new(),
            effective_from: crate::document::Date::new(2026, 5, 12)
                .unwrap_or_else(|| panic!("date")),
            source: String::new(),
            pricing: RatePricing::Tokens {
                input_per_m: d(input),
                cached_input_per_m: cached.map(d),
                cache_write_5m_per_m: None,
                cache_write_1h_per_m: None,
                output_per_m: d(output),
                batch_input_per_m: None,
                batch_output_per_m: None,
            },
            contract: None,
            provenance: None,
            notes: String::new(),
        }
    }

    fn gpu_card() -> RateCard {
        RateCard {
            pricing: RatePricing::Gpu {
                hourly_rate: d("3.99"),
                throughput_tps: 1500.0,
                utilization: 0.4,
            },
            ..token_card("0", None, "0")
        }
    }

    fn route(kind: RouteKind) -> Route {
        Route {
            id: "r".into(),
            name: "R".into(),
            kind,
            rate_card: "card".into(),
            quality_score: 1.0,
            non_production: NonProduction::default(),
            ops_fte: 0.0,
            fte_monthly_cost: Decimal::ZERO,
            notes: String::new(),
        }
    }

    #[test]
    fn matches_the_profile_estimate_when_only_its_parts_apply() {
        // saas_chat on GPT-5.5: the calculator's $9,090 a month.
        let c = scenario_cost(
            &workload(),
            &route(RouteKind::ManagedApi),
            &token_card("5", Some("0.5"), "30"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.monthly_cost, d("9090"));
        let engine = lcpr::estimate(
            &workload_profile(&workload()),
            &route_pricing(
                &route(RouteKind::ManagedApi),
                &token_card("5", Some("0.5"), "30"),
            )
            .unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!((c.lcpr - engine.lcpr).abs() < 1e-12);
        assert_eq!(c.components.retries, d("240"));
        assert_eq!(c.components.total(), c.monthly_cost);
    }

    #[test]
    fn effective_input_cost_splits_stable_and_dynamic() {
        let mut w = workload();
        w.cache_hit_rate = 0.5;
        let c = scenario_cost(
            &w,
            &route(RouteKind::ManagedApi),
            &token_card("2", Some("0.2"), "10"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let e = c
            .effective_input_cost
            .unwrap_or_else(|| panic!("token route"));
        // S: 600 × (0.5 × 2 + 0.5 × 0.2)/1e6 = 0.00066; D: 200 × 2/1e6 = 0.0004; O: 400 × 10/1e6 = 0.004.
        assert!((e.stable_prefix - 0.00066).abs() < 1e-15);
        assert!((e.dynamic_tail - 0.0004).abs() < 1e-15);
        assert!((e.per_request - 0.00506).abs() < 1e-15);
        // The estimate's first-attempt tokens are the same per-request cost × volume.
        assert_eq!(c.components.inference_tokens, d("2530"));
    }

    #[test]
    fn eval_human_ops_and_non_production_are_loaded() {
        let mut w = workload();
        w.eval_sample_rate = 0.1;
        w.grader_cost_per_eval = d("0.01");
        w.human_escalation_rate = 0.02;
        w.human_cost_per_case = d("2");
        w.ops_monthly_cost = d("1000");
        let mut r = route(RouteKind::SelfHostedGpus);
        r.non_production = NonProduction {
            staging_gpus: 1.0,
            test_gpus: 0.5,
            canary_gpus: 0.0,
            reserve_gpus: 0.5,
        };
        r.ops_fte = 0.5;
        r.fte_monthly_cost = d("16000");
        let c = scenario_cost(&w, &r, &gpu_card()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.components.eval, d("500"));
        assert_eq!(c.components.human, d("20000"));
        assert_eq!(c.components.ops, d("9000"));
        // 2 GPUs × $3.99 × 720 h.
        assert_eq!(c.components.non_production, d("5745.6"));
        // One production GPU, split between first attempts and retries by load.
        assert_eq!(c.components.gpu + c.components.retries, d("2872.8"));
        assert_eq!(c.gpu_count, Some(1.0));
        assert_eq!(c.components.inference_tokens, Decimal::ZERO);
    }

    #[test]
    fn contract_overlay_discounts_replaces_and_commits() {
        let mut card = token_card("5", Some("0.5"), "30");
        card.contract = Some(ContractOverlay {
            discount: 0.1,
            output_per_m: Some(d("25")),
            committed_monthly_spend: Some(d("10000")),
            ..ContractOverlay::default()
        });
        let rates = effective_rates(&card).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rates.input_per_m, Some(d("4.5")));
        assert_eq!(rates.cached_input_per_m, Some(d("0.45")));
        assert_eq!(rates.output_per_m, Some(d("25")));
        let c = scenario_cost(&workload(), &route(RouteKind::ManagedApi), &card)
            .unwrap_or_else(|e| panic!("{e}"));
        // (800 × 4.5 + 400 × 25)/1e6 × 500k × 1.03 = $7,004 of inference; the $10,000 minimum bills $2,996 more.
        assert_eq!(
            c.components.inference_tokens + c.components.retries,
            d("7004")
        );
        assert_eq!(c.components.commitment_shortfall, d("2996"));
    }

    #[test]
    fn a_route_refuses_a_rate_card_of_the_other_kind() {
        assert!(
            scenario_cost(
                &workload(),
                &route(RouteKind::DedicatedEndpoint),
                &token_card("1", None, "1")
            )
            .is_err()
        );
        assert!(scenario_cost(&workload(), &route(RouteKind::ManagedApi), &gpu_card()).is_err());
    }
}
