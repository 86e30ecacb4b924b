//! Workload templates and a new case made from one: the workload families the domain notes
//! describe (conversational support, coding agent, RAG answer drafting, extraction, voice,
//! batch), each a file of the project's `catalog/templates/` (embedded in the binary).
//!
//! [`new_case`] is the one function behind File → New from template… and `lcpr new`: the
//! template's workload, the current route and one to three candidates from the catalog become a
//! complete case — rate cards with their catalog provenance, routes, a scenario per route (and,
//! with fewer than three candidates, a cascade of the first candidate escalating to the current
//! route, so a one-candidate case still has a mix to plan and three scenarios to compare), the
//! migration section for the gates, the forecast section and a register whose every entry is
//! "assumed" with its range.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::document::evidence_status::EvidenceStatus;
use crate::document::forecast::{
    Change, Driver, ForecastInput, ForecastWorkload, Scenario as ForecastScenario,
};
use crate::document::gates::{DemandShape, OperationsMaturity};
use crate::document::{
    Binding, BindingTarget, Date, Distribution, Judge, MigrationCase, Mix, MixRoute, ModelFit,
    NonProduction, RegisterEntry, Route, RouteKind, Scenario, ScenarioStatus, Workload,
    WorkloadField, Workspace,
};
use crate::evidence::catalog::{self, Catalog, GpuLoad, Offer};

macro_rules! templates {
    ($($path:literal),+ $(,)?) => {
        &[$(($path, include_str!(concat!("../../../catalog/templates/", $path)))),+]
    };
}

/// The shipped templates: (file name, text).
pub const FILES: &[(&str, &str)] = templates!(
    "support.yaml",
    "coding-agent.yaml",
    "rag-drafting.yaml",
    "extraction.yaml",
    "voice.yaml",
    "batch.yaml",
);

/// A workload input's range in the register.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeEntry {
    /// The workload field.
    pub field: WorkloadField,
    /// Value on the route; absent: the workload's own.
    #[serde(default)]
    pub value: Option<f64>,
    /// Plausible low.
    pub low: f64,
    /// Plausible high.
    pub high: f64,
    /// What the number is.
    #[serde(default)]
    pub label: Option<String>,
    /// Where the number comes from.
    #[serde(default)]
    pub source: Option<String>,
}

/// What candidates of each route class change, with ranges.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateChanges {
    /// Another managed API.
    #[serde(default)]
    pub managed_api: Vec<RangeEntry>,
    /// Hosted open-weight serverless.
    #[serde(default)]
    pub serverless_open_weight: Vec<RangeEntry>,
    /// GPUs we run.
    #[serde(default)]
    pub gpu: Vec<RangeEntry>,
}

/// How a GPU route of the template runs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuRoute {
    /// Share of throughput sustained.
    pub utilization: f64,
    /// Its low.
    pub utilization_low: f64,
    /// Its high.
    pub utilization_high: f64,
    /// Operations staff.
    pub ops_fte: f64,
    /// Cost per FTE per month.
    pub fte_monthly_cost: Decimal,
    /// Staging GPUs.
    #[serde(default)]
    pub staging_gpus: f64,
    /// Canary GPUs.
    #[serde(default)]
    pub canary_gpus: f64,
    /// Reserve GPUs.
    #[serde(default)]
    pub reserve_gpus: f64,
}

/// The grader a cascade escalates by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeTemplate {
    /// Cost per judged request.
    pub cost_per_request: Decimal,
    /// Accuracy.
    pub accuracy: f64,
    /// Its low.
    pub accuracy_low: f64,
    /// Its high.
    pub accuracy_high: f64,
}

/// Monthly growth of the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// Base.
    pub base: f64,
    /// Low.
    pub low: f64,
    /// High.
    pub high: f64,
}

/// One workload template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Name on the command line.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One line on what it is.
    pub summary: String,
    /// Where the numbers come from.
    pub notes: String,
    /// The workload, as the current route serves it.
    pub workload: Workload,
    /// The workload inputs ranged in the register.
    pub register: Vec<RangeEntry>,
    /// What a candidate of each class changes.
    #[serde(default)]
    pub candidates: CandidateChanges,
    /// How GPU routes run.
    pub gpu_route: GpuRoute,
    /// The cascade's grader.
    pub judge: JudgeTemplate,
    /// Demand shape for the gates.
    pub demand: DemandShape,
    /// Catalog model shape for the memory gate.
    pub model: String,
    /// Context each sequence needs.
    pub context_tokens: f64,
    /// Share of traffic expected on the fallback.
    pub fallback_share: f64,
    /// One-off cost of the move.
    pub engineering_investment: Decimal,
    /// Forecast growth per month.
    pub growth: Growth,
}

/// Reads a template; errors name the file and the field.
pub fn parse(file: &str, text: &str) -> Result<Template, String> {
    let mut path = String::new();
    let t: Template = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize::<_, Template>(de).map_err(|e| {
            path = e.path().to_string();
            e.into_inner()
        })
    })
    .map_err(|e| {
        let first = e.to_string();
        format!(
            "catalog/templates/{file}: {path}: {}",
            first.lines().next().unwrap_or("")
        )
    })?;
    for r in t
        .register
        .iter()
        .chain(t.candidates.managed_api.iter())
        .chain(t.candidates.serverless_open_weight.iter())
        .chain(t.candidates.gpu.iter())
    {
        let value = r.value.unwrap_or_else(|| t.workload.get(r.field));
        if !(r.low <= value && value <= r.high) {
            return Err(format!(
                "catalog/templates/{file}: {}: the range {}..{} must hold the value {value}",
                r.field.name(),
                r.low,
                r.high
            ));
        }
    }
    Ok(t)
}

/// Every shipped template, in menu order.
pub fn shipped() -> Result<Vec<Template>, String> {
    FILES.iter().map(|(file, text)| parse(file, text)).collect()
}

/// A shipped template by id.
pub fn by_id(id: &str) -> Result<Template, String> {
    let all = shipped()?;
    let ids: Vec<String> = all.iter().map(|t| t.id.clone()).collect();
    all.into_iter().find(|t| t.id == id).ok_or_else(|| {
        format!(
            "there is no template {id:?}; the templates are {}",
            ids.join(", ")
        )
    })
}

/// What to make the case of.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// The template.
    pub template: Template,
    /// The workload's name (default: the template's).
    pub workload_name: Option<String>,
    /// Requests per month (default: the template's).
    pub monthly_requests: Option<f64>,
    /// The catalog row serving the workload today (a token key or GPU offer id).
    pub current: String,
    /// One to three catalog rows to compare.
    pub candidates: Vec<String>,
    /// Who answers for the numbers.
    pub owner: String,
    /// Today, for dates.
    pub today: Date,
}

fn slug(text: &str) -> String {
    let s: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "workload".to_owned()
    } else {
        parts.join("-")
    }
}

/// A route built from a catalog row.
struct Built {
    route: String,
    kind: RouteKind,
    name: String,
    accelerator: Option<catalog::Accelerator>,
}

/// A GPU route as the catalog browser adds it: the card's utilization half its throughput, no
/// staff or spare GPUs until the user types them.
pub const BROWSER_GPU_ROUTE: GpuRoute = GpuRoute {
    utilization: 0.5,
    utilization_low: 0.5,
    utilization_high: 0.5,
    ops_fte: 0.0,
    fte_monthly_cost: Decimal::ZERO,
    staging_gpus: 0.0,
    canary_gpus: 0.0,
    reserve_gpus: 0.0,
};

/// Adds the catalog row `id` to `ws` as a rate card (with its provenance) and a route bound to
/// it: a token price as a managed or serverless route, a GPU offer as self-hosted GPUs run as
/// `gpu` says. The route's id is the card's, made unique. Returns the route's id.
pub fn add_catalog_route(
    ws: &mut Workspace,
    catalog: &Catalog,
    id: &str,
    gpu: &GpuRoute,
) -> Result<String, String> {
    add_route(ws, catalog, id, gpu, None, true).map(|b| b.route)
}

fn add_route(
    ws: &mut Workspace,
    catalog: &Catalog,
    id: &str,
    gpu_route: &GpuRoute,
    served_model: Option<&str>,
    unique: bool,
) -> Result<Built, String> {
    let (card, kind, name, accelerator) = match catalog.offer(id)? {
        Offer::Tokens(t) => {
            let card = catalog::add_token_card(ws, catalog, t)?;
            (card.id, t.kind, catalog.short_name(id), None)
        }
        Offer::Gpu(g) => {
            let acc = catalog
                .accelerator(&g.accelerator)
                .cloned()
                .ok_or_else(|| format!("offer {} names no accelerator", g.id))?;
            let load = GpuLoad {
                throughput_tps: catalog::assumed_throughput(&acc),
                utilization: gpu_route.utilization,
            };
            let card = catalog::add_gpu_card(ws, catalog, g, load)?;
            let on = catalog.short_name(id);
            let name = match served_model {
                Some(m) => format!(
                    "{} on {on}",
                    catalog.model(m).map_or(m, |s| s.name.as_str())
                ),
                None => on,
            };
            (card.id, RouteKind::SelfHostedGpus, name, Some(acc))
        }
    };
    let mut route = card.clone();
    if ws.routes.iter().any(|r| r.id == route) {
        if !unique {
            return Err(format!("{id} is named twice; pick each route once"));
        }
        let mut n = 2;
        while ws.routes.iter().any(|r| r.id == route) {
            route = format!("{card}-{n}");
            n += 1;
        }
    }
    let gpu = kind.is_gpu();
    let g = gpu_route;
    ws.routes.push(Route {
        id: route.clone(),
        name: name.clone(),
        kind,
        rate_card: card.clone(),
        quality_score: 1.0,
        non_production: if gpu {
            NonProduction {
                staging_gpus: g.staging_gpus,
                test_gpus: 0.0,
                canary_gpus: g.canary_gpus,
                reserve_gpus: g.reserve_gpus,
            }
        } else {
            NonProduction::default()
        },
        ops_fte: if gpu { g.ops_fte } else { 0.0 },
        fte_monthly_cost: if gpu {
            g.fte_monthly_cost
        } else {
            Decimal::ZERO
        },
        notes: String::new(),
    });
    Ok(Built {
        route,
        kind,
        name,
        accelerator,
    })
}

fn changes_for(template: &Template, kind: RouteKind) -> &[RangeEntry] {
    match kind {
        RouteKind::ManagedApi => &template.candidates.managed_api,
        RouteKind::ServerlessOpenWeight => &template.candidates.serverless_open_weight,
        RouteKind::DedicatedEndpoint | RouteKind::SelfHostedGpus => &template.candidates.gpu,
    }
}

struct Register<'a> {
    entries: Vec<RegisterEntry>,
    owner: &'a str,
    today: Date,
}

impl Register<'_> {
    fn add(
        &mut self,
        id: String,
        label: String,
        binds: Binding,
        range: (f64, f64, f64),
        source: &str,
    ) {
        self.entries.push(RegisterEntry {
            id,
            label,
            binds: Some(binds),
            from: None,
            value: range.0,
            low: range.1,
            high: range.2,
            status: EvidenceStatus::Assumed,
            owner: self.owner.to_owned(),
            source: source.to_owned(),
            date: self.today,
            distribution: Distribution::Triangular,
            notes: String::new(),
        });
    }
}

/// A case made from `spec`: see the module.
pub fn new_case(catalog: &Catalog, spec: &NewCase) -> Result<Workspace, String> {
    if spec.candidates.is_empty() || spec.candidates.len() > 3 {
        return Err(format!(
            "name one to three candidates to compare with the current route, got {}",
            spec.candidates.len()
        ));
    }
    let t = &spec.template;
    let owner = if spec.owner.trim().is_empty() {
        "Unassigned"
    } else {
        spec.owner.trim()
    };
    let mut workload = t.workload.clone();
    if let Some(name) = spec
        .workload_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        workload.name = name.trim().to_owned();
        workload.id = slug(name);
    }
    if let Some(volume) = spec.monthly_requests {
        crate::document::Rule::Positive
            .check("monthly_requests", volume)
            .map_err(|e| e.to_string())?;
        workload.monthly_requests = volume;
    }
    let mut ws = Workspace::empty(&format!("{}: which route?", workload.name), spec.today);
    ws.meta.owner = owner.to_owned();
    ws.meta.notes = format!(
        "Made from the {} template and the LCPR catalog of {}. {}",
        t.name,
        catalog.snapshot,
        t.notes.trim()
    );
    let w = workload.id.clone();
    let mut register = Register {
        entries: Vec::new(),
        owner,
        today: spec.today,
    };
    // The workload's ranges scale with a volume the user typed.
    let volume_scale = workload.monthly_requests / t.workload.monthly_requests;
    for r in &t.register {
        let scale = if r.field == WorkloadField::MonthlyRequests {
            volume_scale
        } else {
            1.0
        };
        let value = workload.get(r.field);
        register.add(
            r.field.name().replace('_', "-"),
            r.label
                .clone()
                .unwrap_or_else(|| r.field.label().to_owned()),
            Binding {
                target: BindingTarget::Workload,
                id: w.clone(),
                field: r.field.name().to_owned(),
            },
            (value, r.low * scale, r.high * scale),
            r.source.as_deref().unwrap_or("Assumed from the template"),
        );
    }
    ws.workloads.push(workload.clone());

    let current = add_route(
        &mut ws,
        catalog,
        &spec.current,
        &t.gpu_route,
        Some(&t.model),
        false,
    )?;
    let mut built = Vec::new();
    for c in &spec.candidates {
        if c == &spec.current {
            return Err(format!(
                "{c} is the current route; name other rows as candidates"
            ));
        }
        built.push(add_route(
            &mut ws,
            catalog,
            c,
            &t.gpu_route,
            Some(&t.model),
            false,
        )?);
    }
    let scenario_id = |route: &str| format!("{w}-{route}");
    // The migration goes to the first GPU candidate when there is one (the memory gate then
    // has a model and a pool), else to the first candidate; that scenario is the proposed one.
    let target_at = built.iter().position(|b| b.kind.is_gpu()).unwrap_or(0);
    ws.scenarios.push(Scenario {
        id: scenario_id(&current.route),
        name: format!("{} today", current.name),
        workload: w.clone(),
        route: current.route.clone(),
        status: ScenarioStatus::Current,
        owner: owner.to_owned(),
        overrides: BTreeMap::new(),
        notes: String::new(),
        mix: None,
    });
    for (i, b) in built.iter().enumerate() {
        let id = scenario_id(&b.route);
        let mut overrides = BTreeMap::new();
        for r in changes_for(t, b.kind) {
            let value = r.value.unwrap_or_else(|| workload.get(r.field));
            overrides.insert(r.field, value);
            register.add(
                format!("{}-{}", b.route, r.field.name().replace('_', "-")),
                format!("{} on {}", r.field.label(), b.name),
                Binding {
                    target: BindingTarget::Scenario,
                    id: id.clone(),
                    field: r.field.name().to_owned(),
                },
                (value, r.low, r.high),
                r.source
                    .as_deref()
                    .unwrap_or("Assumed from the template until a shadow run measures it"),
            );
        }
        if b.kind.is_gpu() {
            let g = &t.gpu_route;
            register.add(
                format!("{}-utilization", b.route),
                format!("Sustained utilization of {}", b.name),
                Binding {
                    target: BindingTarget::RateCard,
                    id: b.route.clone(),
                    field: "utilization".to_owned(),
                },
                (g.utilization, g.utilization_low, g.utilization_high),
                "Assumed from the template until a load test measures it",
            );
            if let Some(acc) = &b.accelerator {
                let tps = catalog::assumed_throughput(acc);
                register.add(
                    format!("{}-throughput", b.route),
                    format!("Tokens per second per {} on {}", acc.name, t.model),
                    Binding { target: BindingTarget::RateCard, id: b.route.clone(), field: "throughput_tps".to_owned() },
                    (tps, (tps * 0.5).round(), (tps * 1.5).round()),
                    "Scaled from an H100 reference by memory bandwidth (decode reads weights and cache); replace with a load test",
                );
            }
        }
        ws.scenarios.push(Scenario {
            id,
            name: b.name.clone(),
            workload: w.clone(),
            route: b.route.clone(),
            status: if i == target_at {
                ScenarioStatus::Proposed
            } else {
                ScenarioStatus::Candidate
            },
            owner: owner.to_owned(),
            overrides,
            notes: String::new(),
            mix: None,
        });
    }
    // Fewer than three candidates: the first candidate answers first and the current route
    // takes what the judge rejects, so every case has a mix to plan.
    if built.len() < 3
        && let Some(first) = built.first()
    {
        let id = format!("{w}-cascade");
        let first_scenario = scenario_id(&first.route);
        let overrides = ws
            .scenario(&first_scenario)
            .map(|s| s.overrides.clone())
            .unwrap_or_default();
        ws.scenarios.push(Scenario {
            id: id.clone(),
            name: format!(
                "Cascade: {} first, {} for what its judge rejects",
                catalog.short_name(&spec.candidates[0]),
                catalog.short_name(&spec.current)
            ),
            workload: w.clone(),
            route: first.route.clone(),
            status: ScenarioStatus::Candidate,
            owner: owner.to_owned(),
            overrides,
            notes: "A grader reads each first answer; what it rejects is answered again on today's route.".to_owned(),
            mix: Some(Mix::Cascade {
                judge: Judge {
                    cost_per_request: t.judge.cost_per_request,
                    accuracy: t.judge.accuracy,
                    false_accept_rate: None,
                    false_reject_rate: None,
                },
                stages: vec![MixRoute { route: current.route.clone(), overrides: BTreeMap::new() }],
            }),
        });
        register.add(
            "judge-accuracy".to_owned(),
            "Accuracy of the grader that decides what the cascade escalates".to_owned(),
            Binding {
                target: BindingTarget::Scenario,
                id,
                field: "judge_accuracy".to_owned(),
            },
            (
                t.judge.accuracy,
                t.judge.accuracy_low,
                t.judge.accuracy_high,
            ),
            "Assumed until the grader is checked against human labels",
        );
    }
    ws.register = register.entries;

    let target = built.get(target_at).ok_or("no candidate")?;
    let model = target
        .accelerator
        .as_ref()
        .map(|acc| model_fit(catalog, t, &workload, acc))
        .transpose()?;
    ws.migration = Some(MigrationCase {
        current: scenario_id(&current.route),
        candidate: scenario_id(&target.route),
        demand: t.demand.clone(),
        measured_utilization: None,
        model,
        operations: OperationsMaturity {
            rollback_route: Some(current.route.clone()),
            ..OperationsMaturity::default()
        },
        fallback: Some(scenario_id(&current.route)),
        fallback_share: t.fallback_share,
        candidate_p95_ttft_ms: None,
        engineering_investment: Some(t.engineering_investment),
        notes: "Gate evidence is not measured yet: run a load test of the candidate, name the runbook owner and turn on monitoring as the work is done.".to_owned(),
    });
    ws.forecast = Some(forecast(
        &ws,
        t,
        &workload,
        &scenario_id(&current.route),
        &scenario_id(&target.route),
    )?);
    if let Some(v) = crate::document::validate(&ws).into_iter().next() {
        return Err(format!(
            "the case made from the {} template breaks a rule: {}: {}",
            t.id, v.path, v.rule
        ));
    }
    Ok(ws)
}

/// The candidate's model on enough GPUs to hold its weights, the rest of their memory the KV
/// pool, and the concurrency the workload's peak needs.
fn model_fit(
    catalog: &Catalog,
    t: &Template,
    workload: &Workload,
    acc: &catalog::Accelerator,
) -> Result<ModelFit, String> {
    let shape = catalog
        .model(&t.model)
        .ok_or_else(|| format!("template {} names no catalog model {:?}", t.id, t.model))?;
    let weights_gb = shape.params_b * 2.0;
    // GPUs per replica: a power of two (tensor parallel) with the weights at most 60% of their
    // memory, so the KV pool is not a sliver.
    let fewest = (weights_gb / (0.6 * acc.memory_gb)).ceil().max(1.0);
    let gpus = 2f64.powf(fewest.log2().ceil());
    let kv_pool_gb = (gpus * acc.memory_gb * 0.9 - weights_gb).max(1.0).floor();
    let rate = workload.monthly_requests / (30.0 * 86_400.0);
    let seconds = workload
        .slo
        .e2e_ms
        .unwrap_or(workload.slo.ttft_ms + workload.tokens.output * workload.slo.tpot_ms)
        / 1000.0;
    let needed = (rate * t.demand.peak_to_mean * seconds).ceil().max(1.0);
    let fit = ModelFit {
        n_layers: 0.0,
        n_kv_heads: 0.0,
        head_dim: 0.0,
        element_bytes: 2.0,
        kv_pool_gb,
        headroom_fraction: 0.1,
        context_tokens: t.context_tokens,
        needed_concurrency: needed,
        oom_events: 0,
        source: String::new(),
        layer_groups: Vec::new(),
    };
    Ok(shape.kv.apply_to(
        &fit,
        &format!(
            "{} ({}), LCPR catalog {}",
            shape.name, shape.source, catalog.snapshot
        ),
    ))
}

fn driver(value: f64, low: f64, high: f64) -> Driver {
    Driver::range(
        value,
        low.min(value),
        high.max(value),
        EvidenceStatus::Assumed,
    )
}

/// The forecast section: the workload on today's route, with the move as a named scenario whose
/// token-cost multiplier is the candidate's inference cost over today's.
fn forecast(
    ws: &Workspace,
    t: &Template,
    workload: &Workload,
    current: &str,
    candidate: &str,
) -> Result<ForecastInput, String> {
    let cost = |id: &str| {
        crate::case::evaluation::cost_of(ws, id).map_err(|e| format!("scenario {id}: {e}"))
    };
    let now = cost(current)?;
    let next = cost(candidate)?;
    let base = now.per_request();
    let (inference, eval, human, fixed) =
        (base.inference, base.eval, base.human, base.fixed_monthly);
    let next_inference = next.per_request().inference;
    let multiplier = if inference > 0.0 {
        next_inference / inference
    } else {
        1.0
    };
    let volume = ws
        .register
        .iter()
        .find(|e| {
            e.binds
                .as_ref()
                .is_some_and(|b| b.field == "monthly_requests")
        })
        .map_or(
            (
                workload.monthly_requests,
                workload.monthly_requests * 0.8,
                workload.monthly_requests * 1.25,
            ),
            |e| (e.value, e.low, e.high),
        );
    let name = workload.name.clone();
    let g = t.growth;
    let fw = ForecastWorkload {
        name: name.clone(),
        monthly_requests: driver(volume.0, volume.1, volume.2),
        monthly_growth: driver(g.base, g.low, g.high),
        inference_cost_per_request: driver(inference, inference * 0.85, inference * 1.2),
        eval_cost_per_request: driver(eval, eval * 0.8, eval * 1.25),
        human_cost_per_request: driver(human, human * 0.7, human * 1.5),
        acceptance_rate: driver(
            now.accepted_outcome_rate,
            (now.accepted_outcome_rate - 0.05).max(0.0),
            (now.accepted_outcome_rate + 0.03).min(1.0),
        ),
        fixed_monthly_cost: driver(fixed, fixed * 0.9, fixed * 1.3),
    };
    let migrate = format!(
        "Move to {}",
        ws.scenario(candidate)
            .map_or(candidate, |s| s.name.as_str())
    );
    Ok(ForecastInput {
        workloads: vec![fw],
        scenarios: vec![
            ForecastScenario {
                name: "Base case".to_owned(),
                includes: Vec::new(),
                changes: Vec::new(),
            },
            ForecastScenario {
                name: migrate,
                includes: Vec::new(),
                changes: vec![Change::ModelMigration {
                    workload: name,
                    token_cost_multiplier: driver(multiplier, multiplier * 0.85, multiplier * 1.25),
                    ramp_months: 2,
                }],
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(template: &str, current: &str, candidates: &[&str]) -> NewCase {
        NewCase {
            template: by_id(template).unwrap_or_else(|e| panic!("{e}")),
            workload_name: None,
            monthly_requests: None,
            current: current.to_owned(),
            candidates: candidates.iter().map(|c| (*c).to_owned()).collect(),
            owner: "Ana".to_owned(),
            today: Date::new(2026, 12, 3).unwrap_or(Date::EPOCH),
        }
    }

    fn catalog() -> Catalog {
        catalog::shipped().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_template_parses_and_names_a_catalog_model() {
        let all = shipped().unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "support",
                "coding-agent",
                "rag-drafting",
                "extraction",
                "voice",
                "batch"
            ]
        );
        let c = catalog();
        for t in &all {
            assert!(c.model(&t.model).is_some(), "{}: {}", t.id, t.model);
            assert!(!t.register.is_empty(), "{}", t.id);
            assert!(
                t.notes.contains("Production Inference Economics") || t.notes.contains("Playbook"),
                "{}",
                t.id
            );
        }
    }

    #[test]
    fn a_template_with_three_candidates_expands_into_a_complete_case() {
        let c = catalog();
        let ws = new_case(
            &c,
            &spec(
                "support",
                "gpt-5.4",
                &[
                    "claude-sonnet-4-6",
                    "together_ai/openai/gpt-oss-120b",
                    "coreweave-h100-1y",
                ],
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ws.rate_cards.len(), 4);
        assert!(ws.rate_cards.iter().all(|card| card.provenance.is_some()));
        assert_eq!(ws.routes.len(), 4);
        assert_eq!(
            ws.scenarios.len(),
            4,
            "three candidates: no cascade is added"
        );
        assert_eq!(ws.scenarios[0].status, ScenarioStatus::Current);
        // The GPU candidate is the migration's, and the proposed scenario.
        assert_eq!(ws.scenarios[1].status, ScenarioStatus::Candidate);
        assert_eq!(ws.scenarios[3].status, ScenarioStatus::Proposed);
        assert_eq!(ws.scenarios[0].name, "gpt-5.4 (OpenAI) today");
        // Candidate overrides by route class, each ranged in the register as assumed.
        let oss = &ws.scenarios[2];
        assert_eq!(oss.overrides.get(&WorkloadField::CacheHitRate), Some(&0.45));
        assert!(
            ws.register
                .iter()
                .all(|e| e.status == EvidenceStatus::Assumed
                    && e.low <= e.value
                    && e.value <= e.high)
        );
        assert!(ws.register.iter().any(|e| {
            e.binds
                .as_ref()
                .is_some_and(|b| b.target == BindingTarget::RateCard && b.field == "utilization")
        }));
        // The migration goes to the GPU candidate, with Llama 3.1 70B on two H100s.
        let m = ws.migration.as_ref().unwrap_or_else(|| panic!("migration"));
        assert_eq!(m.candidate, "support-coreweave-h100-1y");
        let fit = m.model.as_ref().unwrap_or_else(|| panic!("model"));
        assert_eq!(
            (fit.n_layers, fit.n_kv_heads, fit.head_dim),
            (80.0, 8.0, 128.0)
        );
        // 141.2 GB of weights over 60% of 80 GB: 3 GPUs, so 4; 4 × 80 × 0.9 − 141.2 = 146.8.
        assert_eq!(fit.kv_pool_gb, 146.0);
        // The forecast's inference cost is the current scenario's, per request.
        let f = ws.forecast.as_ref().unwrap_or_else(|| panic!("forecast"));
        let now = crate::case::evaluation::cost_of(&ws, "support-gpt-5.4")
            .unwrap_or_else(|e| panic!("{e}"));
        let per = crate::money::to_f64(
            now.components.inference_tokens + now.components.retries + now.components.repair,
        ) / now.monthly_requests;
        assert!((f.workloads[0].inference_cost_per_request.base - per).abs() < 1e-12);
        assert_eq!(f.scenarios.len(), 2);
        // Every scenario costs.
        let eval = crate::case::evaluation::evaluate(&ws);
        assert!(
            eval.scenarios.iter().all(|s| s.cost.is_some()),
            "{:?}",
            eval.scenarios.iter().map(|s| &s.error).collect::<Vec<_>>()
        );
        // The file it writes reads back as the same case.
        let text = crate::document::to_yaml(&ws).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            crate::document::parse(&text, "new.yaml").unwrap_or_else(|e| panic!("{e}")),
            ws
        );
    }

    #[test]
    fn one_candidate_gets_a_cascade_so_the_case_has_three_scenarios() {
        let c = catalog();
        let mut s = spec(
            "rag-drafting",
            "gpt-5.4-mini",
            &["deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo"],
        );
        s.workload_name = Some("Claims answers".to_owned());
        s.monthly_requests = Some(1_000_000.0);
        let ws = new_case(&c, &s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ws.workloads[0].id, "claims-answers");
        assert_eq!(ws.workloads[0].monthly_requests, 1_000_000.0);
        assert_eq!(ws.scenarios.len(), 3);
        assert!(matches!(ws.scenarios[2].mix, Some(Mix::Cascade { .. })));
        // The volume's range moves with the typed volume (template 500,000: 350,000..700,000).
        let volume = ws
            .register
            .iter()
            .find(|e| e.id == "monthly-requests")
            .unwrap_or_else(|| panic!("volume"));
        assert_eq!(
            (volume.value, volume.low, volume.high),
            (1_000_000.0, 700_000.0, 1_400_000.0)
        );
        // No GPU candidate: the migration goes to the serverless one, without a model fit.
        let m = ws.migration.as_ref().unwrap_or_else(|| panic!("migration"));
        assert!(m.model.is_none());
        assert_eq!(
            m.candidate,
            "claims-answers-deepinfra-meta-llama-Llama-3.3-70B-Instruct-Turbo"
        );
    }

    #[test]
    fn a_catalog_row_added_twice_gets_a_second_route_on_the_same_card() {
        let c = catalog();
        let mut ws = Workspace::empty("t", Date::EPOCH);
        let a = add_catalog_route(&mut ws, &c, "fireworks_ai/gpt-oss-120b", &BROWSER_GPU_ROUTE)
            .unwrap_or_else(|e| panic!("{e}"));
        let b = add_catalog_route(&mut ws, &c, "fireworks_ai/gpt-oss-120b", &BROWSER_GPU_ROUTE)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((ws.rate_cards.len(), ws.routes.len()), (1, 2));
        assert_eq!(b, format!("{a}-2"));
        assert_eq!(ws.routes[1].rate_card, a);
        assert_eq!(ws.routes[0].kind, RouteKind::ServerlessOpenWeight);
        let gpu = add_catalog_route(&mut ws, &c, "runpod-b200", &BROWSER_GPU_ROUTE)
            .unwrap_or_else(|e| panic!("{e}"));
        let route = ws.route(&gpu).unwrap_or_else(|| panic!("route"));
        assert_eq!(
            (route.kind, route.name.as_str()),
            (
                RouteKind::SelfHostedGpus,
                "RunPod B200 (HGX B200) (on-demand)"
            )
        );
        assert!(crate::document::validate(&ws).is_empty());
    }

    #[test]
    fn bad_choices_are_refused_with_what_to_do() {
        let c = catalog();
        let e = new_case(&c, &spec("support", "gpt-5.4", &[]))
            .err()
            .unwrap_or_default();
        assert!(e.contains("one to three"), "{e}");
        let e = new_case(&c, &spec("support", "gpt-5.4", &["gpt-5.4"]))
            .err()
            .unwrap_or_default();
        assert!(e.contains("current route"), "{e}");
        let e = new_case(&c, &spec("support", "gpt-9", &["gpt-5.4"]))
            .err()
            .unwrap_or_default();
        assert!(e.contains("lcpr catalog"), "{e}");
        let e = by_id("chat").err().unwrap_or_default();
        assert!(e.contains("support, coding-agent"), "{e}");
        let e = parse("x.yaml", "id: x\n").err().unwrap_or_default();
        assert!(e.starts_with("catalog/templates/x.yaml"), "{e}");
    }
}
