//! The workspace document: plain data that a file holds and the GUI edits.
//!
//! Field order here is the key order in files. Money is [`Decimal`], written by
//! [`crate::money::exact`] so files round-trip exactly.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::date::Date;
use super::evidence_status::EvidenceStatus;
use super::field::{BindingTarget, WorkloadField};
use super::simulation::Distribution;

/// The file format this build writes; it reads this and every older one.
pub const FORMAT_VERSION: u32 = 1;

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn is_zero_money(v: &Decimal) -> bool {
    v.is_zero()
}

fn one() -> f64 {
    1.0
}

/// One workspace: everything a migration case needs, in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workspace {
    /// The file format version; required.
    pub format_version: u32,
    /// Title, owner, dates.
    pub meta: Meta,
    /// Prices of providers' models and GPU offers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rate_cards: Vec<RateCard>,
    /// The workloads being served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Workload>,
    /// Ways to serve them, each bound to a rate card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// Workload × route × overrides: the candidates being compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Dated measured snapshots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselines: Vec<Baseline>,
    /// Trace-to-invoice reconciliations, per period and workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reconciliations: Vec<Reconciliation>,
    /// Load tests with per-request results, for goodput.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_tests: Vec<LoadTest>,
    /// The assumption register: every number that matters, with its range and evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub register: Vec<RegisterEntry>,
    /// The six migration-readiness factors, scored 1–3 (empty until assessed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness: Vec<crate::calc::readiness::Factor>,
    /// Draws and seed for Monte Carlo runs and forecasts.
    #[serde(default, skip_serializing_if = "Simulation::is_default")]
    pub simulation: Simulation,
    /// The migration being decided, with the evidence its gates need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<MigrationCase>,
    /// Quarterly forecast: workloads' cost drivers and named scenarios of planned changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<super::forecast::ForecastInput>,
    /// A shared bill to split across teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<super::attribution::AttributionInput>,
    /// Incidents of the period, for their cost and blast radius.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<super::incidents::IncidentInput>,
    /// This month and last month per workload, for the monthly review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_review: Option<super::monthly_review::MonthlyReviewInput>,
    /// Saved column mappings for trace files, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace_mappings: Vec<super::mapping::ColumnMapping>,
    /// Contracted rates per meter with their effective dates, against which invoice lines are
    /// checked (the rate cards are used when this is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contract_rates: Vec<super::contracts::ContractRate>,
    /// Saved invoice mappings (where an invoice names the model), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoice_mappings: Vec<super::contracts::InvoiceMapping>,
    /// Exchange rates into `meta.currency`, for invoices billed in another currency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchange_rates: Vec<super::contracts::ExchangeRate>,
    /// Hourly request histograms, for sizing a reserved pool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand_profiles: Vec<super::mix::DemandProfile>,
}

/// How many Monte Carlo draws to run, from which seed (same seed, same numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Draws per run.
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// Seed of the random stream.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_draws() -> usize {
    super::simulation::DEFAULT_DRAWS
}

fn default_seed() -> u64 {
    2026
}

impl Default for Simulation {
    fn default() -> Self {
        Self {
            draws: default_draws(),
            seed: default_seed(),
        }
    }
}

impl Simulation {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// A migration from the current scenario to a candidate, with the evidence each gate weighs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationCase {
    /// The scenario serving the workload today.
    pub current: String,
    /// The scenario it would move to.
    pub candidate: String,
    /// Hourly demand shape of the workload.
    pub demand: super::gates::DemandShape,
    /// Utilization measured or projected on the candidate's capacity, with its evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_utilization: Option<MeasuredUtilization>,
    /// The model the candidate serves, for the memory and context gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelFit>,
    /// Who runs the candidate and how.
    pub operations: super::gates::OperationsMaturity,
    /// The scenario traffic falls back to when the candidate fails or saturates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Share of traffic expected on the fallback.
    #[serde(default)]
    pub fallback_share: f64,
    /// Measured p95 time to first token on the candidate, ms (a load test's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_p95_ttft_ms: Option<f64>,
    /// One-off cost of making the move (engineering, migration, dual running), $: what the
    /// monthly saving must repay.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_option"
    )]
    pub engineering_investment: Option<Decimal>,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// A utilization figure and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredUtilization {
    /// Share of capacity busy, in [0, 1].
    pub value: f64,
    /// Its evidence.
    pub status: EvidenceStatus,
}

/// A model's attention shape, the memory set aside for its KV cache, and the load it must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFit {
    /// Transformer layers.
    pub n_layers: f64,
    /// KV heads.
    pub n_kv_heads: f64,
    /// Head dimension.
    pub head_dim: f64,
    /// Bytes per KV element.
    pub element_bytes: f64,
    /// KV pool per replica, GB.
    pub kv_pool_gb: f64,
    /// Share of the pool kept free.
    #[serde(default = "default_headroom")]
    pub headroom_fraction: f64,
    /// Context each sequence needs, tokens.
    pub context_tokens: f64,
    /// Concurrent sequences the workload needs per replica.
    pub needed_concurrency: f64,
    /// Out-of-memory events seen in testing.
    #[serde(default)]
    pub oom_events: u32,
    /// Where the attention shape comes from (a model's `config.json`).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub source: String,
    /// Per-layer-type cache read from the config (sliding windows, latent attention); empty:
    /// every layer caches 2 × KV heads × head dim per token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layer_groups: Vec<crate::calc::kv_sizing::KvLayerGroup>,
}

impl ModelFit {
    /// The KV shape of a model fit, its pool in bytes.
    #[must_use]
    pub fn kv_shape(&self) -> crate::calc::kv_sizing::KvShape {
        crate::calc::kv_sizing::KvShape {
            n_layers: self.n_layers,
            n_kv_heads: self.n_kv_heads,
            head_dim: self.head_dim,
            element_bytes: self.element_bytes,
            kv_pool_bytes: self.kv_pool_gb * 1e9,
            resident_tokens: self.context_tokens,
            headroom_fraction: self.headroom_fraction,
            weight_bytes: 0.0,
            layer_groups: self.layer_groups.clone(),
        }
    }
}

fn default_headroom() -> f64 {
    0.1
}

/// Who owns the case and when it was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Title of the case.
    pub title: String,
    /// Person or team accountable for it.
    #[serde(default)]
    pub owner: String,
    /// ISO currency code of every amount in the file.
    #[serde(default = "usd")]
    pub currency: String,
    /// When the workspace was created.
    pub created: Date,
    /// When it was last changed.
    pub updated: Date,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

fn usd() -> String {
    "USD".to_owned()
}

/// A dated price list for one provider model or GPU offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCard {
    /// Unique id, referenced by routes.
    pub id: String,
    /// Provider or owner of the capacity.
    pub provider: String,
    /// Model, endpoint alias or GPU type.
    pub model: String,
    /// Other ids the same model goes by in traces and invoices (`gpt-4o-mini-2024-07-18`,
    /// `openai/gpt-4o-mini`); one ending in `*` matches every id that starts with the rest.
    /// The model id itself already matches its dated snapshots
    /// ([`crate::document::contracts::model_matches`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// First day these prices apply.
    pub effective_from: Date,
    /// Where the prices come from (pricing page snapshot, quote, contract).
    #[serde(default)]
    pub source: String,
    /// The prices.
    pub pricing: RatePricing,
    /// Negotiated terms that override the list prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractOverlay>,
    /// The price book the prices were imported from, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<CardProvenance>,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// Where an imported rate card's prices come from: which book, of which date, under which key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardProvenance {
    /// The book's file name.
    pub book: String,
    /// The book's format (`litellm`, `genai-prices`, `openrouter`).
    pub kind: String,
    /// The date the book was taken (its snapshot date).
    pub book_date: Date,
    /// The entry's key in the book (LiteLLM key, genai-prices `provider/model id`, OpenRouter id).
    pub key: String,
}

/// Token prices ($ per million tokens) or a GPU offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RatePricing {
    /// Billed per token.
    Tokens {
        /// Uncached input.
        #[serde(with = "crate::money::exact")]
        input_per_m: Decimal,
        /// Cache-read input; absent when the provider gives no cache discount.
        #[serde(
            default,
            with = "crate::money::exact_option",
            skip_serializing_if = "Option::is_none"
        )]
        cached_input_per_m: Option<Decimal>,
        /// Cache write with a 5-minute lifetime.
        #[serde(
            default,
            with = "crate::money::exact_option",
            skip_serializing_if = "Option::is_none"
        )]
        cache_write_5m_per_m: Option<Decimal>,
        /// Cache write with a 1-hour lifetime.
        #[serde(
            default,
            with = "crate::money::exact_option",
            skip_serializing_if = "Option::is_none"
        )]
        cache_write_1h_per_m: Option<Decimal>,
        /// Output.
        #[serde(with = "crate::money::exact")]
        output_per_m: Decimal,
        /// Batch-lane input; absent when there is no batch lane.
        #[serde(
            default,
            with = "crate::money::exact_option",
            skip_serializing_if = "Option::is_none"
        )]
        batch_input_per_m: Option<Decimal>,
        /// Batch-lane output.
        #[serde(
            default,
            with = "crate::money::exact_option",
            skip_serializing_if = "Option::is_none"
        )]
        batch_output_per_m: Option<Decimal>,
    },
    /// Billed per GPU-hour.
    Gpu {
        /// Dollars per GPU-hour.
        #[serde(with = "crate::money::exact")]
        hourly_rate: Decimal,
        /// Sustained tokens per second per GPU for this model.
        throughput_tps: f64,
        /// Share of that throughput sustained in production, in (0, 1].
        utilization: f64,
    },
}

impl RatePricing {
    /// True for per-token prices.
    #[must_use]
    pub fn is_tokens(&self) -> bool {
        matches!(self, Self::Tokens { .. })
    }
}

/// Negotiated terms layered over a rate card's list prices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractOverlay {
    /// Contract reference.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reference: String,
    /// Discount off every list price, in [0, 1).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: f64,
    /// Negotiated input rate, replacing list × (1 − discount).
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub input_per_m: Option<Decimal>,
    /// Negotiated cache-read rate.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cached_input_per_m: Option<Decimal>,
    /// Negotiated output rate.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub output_per_m: Option<Decimal>,
    /// Negotiated GPU-hour rate.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub hourly_rate: Option<Decimal>,
    /// Monthly minimum: inference spend below it is billed up to it.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub committed_monthly_spend: Option<Decimal>,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// Token lengths of a workload's requests (means per request, with distribution points).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenShape {
    /// Repeated prefix (system prompt, policy, schema) that the prompt cache can serve.
    pub stable_prefix: f64,
    /// Per-request input after the prefix.
    pub dynamic_tail: f64,
    /// Output tokens.
    pub output: f64,
    /// Input tokens, median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_p50: Option<f64>,
    /// Input tokens, 95th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_p95: Option<f64>,
    /// Output tokens, median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_p50: Option<f64>,
    /// Output tokens, 95th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_p95: Option<f64>,
}

/// Latency objectives, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Time to first token.
    pub ttft_ms: f64,
    /// Time per output token.
    pub tpot_ms: f64,
    /// End to end, when the workload has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_ms: Option<f64>,
}

/// A workload profile: volume, token shape, and every rate that loads its cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What one accepted output is ("accepted answer", "merged fix").
    #[serde(default)]
    pub accepted_unit: String,
    /// Requests (or tasks) per 30-day month.
    pub monthly_requests: f64,
    /// Token lengths.
    pub tokens: TokenShape,
    /// Share of the stable prefix served from the prompt cache.
    pub cache_hit_rate: f64,
    /// Extra attempts per request.
    pub retry_rate: f64,
    /// Share of outputs passing the quality gate.
    pub quality_gate_pass_rate: f64,
    /// Cost to repair one output that failed the gate.
    #[serde(with = "crate::money::exact")]
    pub repair_cost_per_failure: Decimal,
    /// Share of requests escalated to a person.
    pub human_escalation_rate: f64,
    /// Fully loaded cost of one escalated case.
    #[serde(with = "crate::money::exact")]
    pub human_cost_per_case: Decimal,
    /// Share of requests graded by the eval system.
    pub eval_sample_rate: f64,
    /// Grader cost per graded request.
    #[serde(with = "crate::money::exact")]
    pub grader_cost_per_eval: Decimal,
    /// Operations allocated to this workload each month (monitoring, on-call).
    #[serde(with = "crate::money::exact")]
    pub ops_monthly_cost: Decimal,
    /// Engineering hours each month.
    pub engineering_hours_per_month: f64,
    /// Loaded cost of an engineering hour.
    #[serde(with = "crate::money::exact")]
    pub engineer_hourly_cost: Decimal,
    /// Share of requests that can wait for a batch lane.
    #[serde(default)]
    pub batch_eligible_share: f64,
    /// Share of input tokens that load a GPU like output tokens do.
    #[serde(default)]
    pub prefill_efficiency: f64,
    /// Latency objectives.
    pub slo: SloSpec,
    /// Lowest acceptable quality gate pass rate.
    pub quality_floor: f64,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// The four ways to serve a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// A managed frontier API, per token.
    ManagedApi,
    /// Hosted open-weight serverless, per token.
    ServerlessOpenWeight,
    /// Reserved replicas on a provider, per GPU-hour.
    DedicatedEndpoint,
    /// Our own GPU stack, per GPU-hour, with our own operations.
    SelfHostedGpus,
}

impl RouteKind {
    /// Every kind, in the order they are usually considered.
    pub const ALL: [Self; 4] = [
        Self::ManagedApi,
        Self::ServerlessOpenWeight,
        Self::DedicatedEndpoint,
        Self::SelfHostedGpus,
    ];

    /// A label for tables.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::ManagedApi => "managed API",
            Self::ServerlessOpenWeight => "serverless open-weight",
            Self::DedicatedEndpoint => "dedicated endpoint",
            Self::SelfHostedGpus => "self-hosted GPUs",
        }
    }

    /// True for routes billed per GPU-hour.
    #[must_use]
    pub fn is_gpu(self) -> bool {
        matches!(self, Self::DedicatedEndpoint | Self::SelfHostedGpus)
    }
}

/// GPUs that serve no user traffic but belong to the scenario's cost.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonProduction {
    /// Staging GPUs.
    #[serde(default)]
    pub staging_gpus: f64,
    /// Test and debug GPUs.
    #[serde(default)]
    pub test_gpus: f64,
    /// Canary GPUs.
    #[serde(default)]
    pub canary_gpus: f64,
    /// Reserve (failover, burst) GPUs.
    #[serde(default)]
    pub reserve_gpus: f64,
}

impl NonProduction {
    /// All non-production GPUs.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.staging_gpus + self.test_gpus + self.canary_gpus + self.reserve_gpus
    }

    fn is_empty(&self) -> bool {
        self.total() == 0.0
    }
}

/// A way to serve a workload, bound to a rate card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Which of the four kinds.
    pub kind: RouteKind,
    /// The rate card that prices it.
    pub rate_card: String,
    /// Quality relative to the reference model, in (0, 1]; scales the gate pass rate.
    #[serde(default = "one")]
    pub quality_score: f64,
    /// Staging, test, canary and reserve GPUs (GPU routes).
    #[serde(default, skip_serializing_if = "NonProduction::is_empty")]
    pub non_production: NonProduction,
    /// Operations staff the route needs, in full-time equivalents (GPU routes).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ops_fte: f64,
    /// Monthly cost of one full-time equivalent.
    #[serde(
        default,
        with = "crate::money::exact",
        skip_serializing_if = "is_zero_money"
    )]
    pub fte_monthly_cost: Decimal,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// Where a scenario stands in the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioStatus {
    /// How the workload is served today.
    Current,
    /// The route being recommended.
    Proposed,
    /// An alternative under consideration.
    #[default]
    Candidate,
}

/// A workload on a route, with the workload numbers that differ on that route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The workload.
    pub workload: String,
    /// The route.
    pub route: String,
    /// Current, proposed or candidate.
    #[serde(default)]
    pub status: ScenarioStatus,
    /// Who answers for the scenario's numbers.
    #[serde(default)]
    pub owner: String,
    /// Workload values that differ on this route (e.g. a lower pass rate).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<WorkloadField, f64>,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    /// A shape beyond the one route: split, cascade, reserved + overflow, batch lane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mix: Option<super::mix::Mix>,
}

/// p50, p95 and p99 of a latency, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyQuantiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Versions in force when a baseline was captured.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    /// Model identifier.
    #[serde(default)]
    pub model: String,
    /// Prompt version.
    #[serde(default)]
    pub prompt: String,
    /// Eval suite version.
    #[serde(default)]
    pub eval_suite: String,
}

/// Token-length distribution of the traffic behind a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficShape {
    /// Input tokens, median.
    pub input_tokens_p50: f64,
    /// Input tokens, 95th percentile.
    pub input_tokens_p95: f64,
    /// Output tokens, median.
    pub output_tokens_p50: f64,
    /// Output tokens, 95th percentile.
    pub output_tokens_p95: f64,
}

/// The minimum viable baseline metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineMetrics {
    /// Loaded cost per accepted output.
    #[serde(with = "crate::money::exact")]
    pub lcpr: Decimal,
    /// Eval pass rate on a production-representative set; `None` (absent) when not measured
    /// (no verdicts before eval results are joined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_pass_rate: Option<f64>,
    /// Time to first token; `None` (absent) when the evidence carries none (non-streaming
    /// spans, provider bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<LatencyQuantiles>,
    /// Time per output token; `None` (absent) when not measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot_ms: Option<LatencyQuantiles>,
    /// Share of requests that errored.
    pub error_rate: f64,
    /// Extra attempts per request.
    pub retry_rate: f64,
    /// Share of requests that timed out.
    pub timeout_rate: f64,
    /// Share of input tokens read from cache.
    pub cache_hit_rate: f64,
    /// Share of input tokens in a cacheable prefix.
    pub cache_eligible_prefix_share: f64,
    /// Quality gate pass rate; `None` (absent) when the evidence holds no verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_pass_rate: Option<f64>,
    /// Share of requests escalated to a person.
    pub escalation_rate: f64,
    /// Requests per day.
    pub requests_per_day: f64,
    /// Accepted outputs per day.
    pub accepted_per_day: f64,
}

/// A dated, measured snapshot of a workload on a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Unique id.
    pub id: String,
    /// The workload measured.
    pub workload: String,
    /// The route it ran on, if it is in this workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// When the snapshot was taken.
    pub captured_on: Date,
    /// Model, prompt and eval-suite versions.
    #[serde(default)]
    pub versions: Versions,
    /// Token lengths of the traffic.
    pub traffic: TrafficShape,
    /// The metrics.
    pub metrics: BaselineMetrics,
    /// Free text (note anything atypical about the period).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    /// The trace file it was derived from, when imported: its fingerprint refuses a second
    /// import of the same file, which would count its requests twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<EvidenceSource>,
}

/// A closed date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

/// One period's four-source reconciliation for one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reconciliation {
    /// Unique id.
    pub id: String,
    /// The workload.
    pub workload: String,
    /// The billing period.
    pub period: Period,
    /// Sum of per-request costs from traces.
    #[serde(with = "crate::money::exact")]
    pub trace_cost: Decimal,
    /// What the provider billed.
    #[serde(with = "crate::money::exact")]
    pub invoice_amount: Decimal,
    /// Eval grading.
    #[serde(with = "crate::money::exact")]
    pub eval_cost: Decimal,
    /// Human escalation.
    #[serde(with = "crate::money::exact")]
    pub human_cost: Decimal,
    /// Operations allocation.
    #[serde(with = "crate::money::exact")]
    pub ops_cost: Decimal,
    /// Requests attempted, retries included.
    #[serde(with = "crate::money::exact")]
    pub attempts: Decimal,
    /// Outputs accepted (eval pass or human sign-off).
    #[serde(with = "crate::money::exact")]
    pub accepted: Decimal,
    /// Revenue per accepted output.
    #[serde(default, with = "crate::money::exact")]
    pub revenue_per_unit: Decimal,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
    /// Amounts disputed with the vendor as billing errors: kept on record and taken off
    /// `invoice_amount` (which is the invoice as billed) before loaded cost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputes: Vec<DisputedAmount>,
    /// Invoice lines billed at another rate than the contracted one, as the invoice import
    /// found them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub off_rate_lines: Vec<OffRateFinding>,
    /// Metered invoice lines no contracted rate covers, by id: unchecked, not confirmed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrated_lines: Vec<String>,
    /// The files the figures were imported from, one per kind of source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<EvidenceSource>,
}

/// An amount of an invoice disputed with the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputedAmount {
    /// The invoice line disputed; empty when the dispute is the trace-to-invoice delta itself.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub line_id: String,
    /// The amount, > 0.
    #[serde(with = "crate::money::exact")]
    pub amount: Decimal,
    /// Why (a superseded tier, usage that never ran).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub reason: String,
}

/// An invoice line billed at another rate than the contracted one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffRateFinding {
    /// The invoice line.
    pub line_id: String,
    /// What it meters.
    pub meter: super::contracts::Meter,
    /// Tokens or GPU-hours billed.
    #[serde(with = "crate::money::exact")]
    pub quantity: Decimal,
    /// Billed price per million tokens or per GPU-hour.
    #[serde(with = "crate::money::exact")]
    pub billed_unit_price: Decimal,
    /// The contracted price in force for the line's period.
    #[serde(with = "crate::money::exact")]
    pub contracted_unit_price: Decimal,
    /// The day that contracted price took effect.
    pub contract_effective_from: Date,
    /// (billed − contracted) × quantity; negative when billed below contract.
    #[serde(with = "crate::money::exact")]
    pub overcharge: Decimal,
}

/// Which kind of evidence a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Per-request traces.
    Traces,
    /// Provider invoice lines.
    Invoice,
    /// Contracted rates.
    Contract,
    /// Eval results by request id.
    Evals,
    /// Human review outcomes by request id.
    Reviews,
}

impl EvidenceKind {
    /// The name used in files and messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Traces => "traces",
            Self::Invoice => "invoice",
            Self::Contract => "contract",
            Self::Evals => "evals",
            Self::Reviews => "reviews",
        }
    }
}

/// A file figures were imported from, and its fingerprint, so a later join can re-read it and
/// know it has not changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSource {
    /// What it holds.
    pub kind: EvidenceKind,
    /// Its path, relative to the workspace file's folder when it lies under it.
    pub file: String,
    /// FNV-1a 64 of its bytes ([`crate::content_hash`]).
    pub fingerprint: String,
    /// Records read.
    pub records: u64,
    /// When it was imported.
    pub imported_on: Date,
}

/// How a load test generated arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalProcess {
    /// Each client sends its next request as soon as the last returns.
    ClosedLoop,
    /// Open-loop arrivals at a target rate (as production traffic arrives).
    Poisson,
    /// Replayed production traffic.
    TraceReplay,
}

/// How a load test was run: what its metadata says about its honesty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Methodology {
    /// Arrival process.
    pub arrivals: ArrivalProcess,
    /// Whether the prefix cache was warmed first.
    pub warm_cache: bool,
    /// Whether cold-start latency was measured.
    pub cold_starts_included: bool,
    /// Whether failed requests were retried as production would.
    pub retries_applied: bool,
    /// Whether tail percentiles were recorded (not only the mean).
    pub tail_latency_recorded: bool,
    /// Whether outputs went through the quality gate.
    pub quality_gate_applied: bool,
}

/// Identical requests of a load test, counted once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestGroup {
    /// How many requests had these values.
    pub count: u32,
    /// Time to first token, ms.
    pub ttft_ms: f64,
    /// Time per output token, ms.
    pub tpot_ms: f64,
    /// End to end, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_ms: Option<f64>,
    /// Output tokens.
    pub output_tokens: f64,
    /// Passed the quality gate.
    pub quality_pass: bool,
    /// The request failed (an error, or still in flight at the end): an attempt that is
    /// never accepted and that throughput does not count.
    #[serde(default, skip_serializing_if = "is_false")]
    pub failed: bool,
    /// Cost of one such request.
    #[serde(with = "crate::money::exact")]
    pub cost: Decimal,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

/// A load test of one route for one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadTest {
    /// Unique id.
    pub id: String,
    /// Display name of the route tested.
    pub name: String,
    /// The workload whose SLOs apply.
    pub workload: String,
    /// The scenario it tests, if it is in this workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The sweep this test is one run of: runs of one system at different request rates
    /// share it. Empty when the test stands alone.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub series: String,
    /// Length of the measurement window, s.
    pub duration_seconds: f64,
    /// The request rate the test offered, req/s, when the source recorded one (else the
    /// measured rate, requests ÷ duration, stands in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<f64>,
    /// How the test was run.
    pub methodology: Methodology,
    /// GPUs that served the tested deployment: what turns the test's capacity ceiling into a
    /// capacity per GPU for the route's rate card. Absent when the source did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<f64>,
    /// The measured requests.
    pub requests: Vec<RequestGroup>,
    /// The tool's own counts when `requests` holds only a sample of the run (GuideLLM's
    /// `sample_size`): rates and counts come from these, percentiles from the sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<RequestTotals>,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

/// A load test's true request counts, as the tool counted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestTotals {
    /// Requests that completed.
    pub successful: u64,
    /// Requests that failed or were still in flight at the end.
    pub failed: u64,
}

impl RequestTotals {
    /// Every request sent.
    #[must_use]
    pub fn attempts(&self) -> u64 {
        self.successful.saturating_add(self.failed)
    }
}

impl LoadTest {
    /// The sweep the test belongs to: its series, or the test itself when it has none.
    #[must_use]
    pub fn series_key(&self) -> &str {
        if self.series.is_empty() {
            &self.id
        } else {
            &self.series
        }
    }
}

fn is_triangular(d: &Distribution) -> bool {
    *d == Distribution::Triangular
}

/// The input a register entry drives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// What kind of item holds the input.
    pub target: BindingTarget,
    /// That item's id.
    pub id: String,
    /// The field's name.
    pub field: String,
}

/// The kinds of evidence an input can take its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// A dated baseline of the workload (measured in logs).
    Baseline,
    /// A load test (its sweep's capacity ceiling under the workload's SLOs and gate).
    LoadTest,
    /// A reconciliation of the workload (matched against the invoice).
    Reconciliation,
}

impl SourceKind {
    /// Every kind, in the order they are offered.
    pub const ALL: [Self; 3] = [Self::Baseline, Self::LoadTest, Self::Reconciliation];

    /// The kind's name in files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::LoadTest => "load_test",
            Self::Reconciliation => "reconciliation",
        }
    }

    /// The kind in words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::LoadTest => "load test",
            Self::Reconciliation => "reconciliation",
        }
    }

    /// The evidence status a value from this kind of source has.
    #[must_use]
    pub fn status(self) -> EvidenceStatus {
        match self {
            Self::Baseline => EvidenceStatus::MeasuredInLogs,
            Self::LoadTest => EvidenceStatus::LoadTested,
            Self::Reconciliation => EvidenceStatus::InvoiceReconciled,
        }
    }
}

/// One named piece of evidence, written `KIND ID` in files (`baseline support-2026-10`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceRef {
    /// What kind of evidence.
    pub kind: SourceKind,
    /// Its id.
    pub id: String,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.id)
    }
}

impl std::str::FromStr for SourceRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, id) = s
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((s.trim(), ""));
        let kind = SourceKind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .ok_or_else(|| {
                format!(
                    "must be `KIND ID` with KIND one of baseline, load_test, reconciliation, got {s:?}"
                )
            })?;
        let id = id.trim();
        if id.is_empty() {
            return Err(format!(
                "must name the {} after its kind, got {s:?}",
                kind.label()
            ));
        }
        Ok(Self {
            kind,
            id: id.to_owned(),
        })
    }
}

impl Serialize for SourceRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An assumption-register entry: one number, its range and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterEntry {
    /// Unique id.
    pub id: String,
    /// What the number is, in words.
    pub label: String,
    /// The input this entry supplies; its value replaces the input's when computing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binds: Option<Binding>,
    /// The evidence the value is taken from (`baseline support-2026-10`); absent when the
    /// value is typed. With a source, the value and the status follow the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<SourceRef>,
    /// Best estimate.
    pub value: f64,
    /// Plausible low.
    pub low: f64,
    /// Plausible high.
    pub high: f64,
    /// How well the number is known.
    pub status: EvidenceStatus,
    /// Who answers for it.
    pub owner: String,
    /// Where it comes from.
    #[serde(default)]
    pub source: String,
    /// When it was last confirmed.
    pub date: Date,
    /// How it is sampled within its range.
    #[serde(default, skip_serializing_if = "is_triangular")]
    pub distribution: Distribution,
    /// Free text.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub notes: String,
}

impl Workspace {
    /// An empty workspace titled `title`, created and updated `today`.
    #[must_use]
    pub fn empty(title: &str, today: Date) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            meta: Meta {
                title: title.to_owned(),
                owner: String::new(),
                currency: usd(),
                created: today,
                updated: today,
                notes: String::new(),
            },
            rate_cards: Vec::new(),
            workloads: Vec::new(),
            routes: Vec::new(),
            scenarios: Vec::new(),
            baselines: Vec::new(),
            reconciliations: Vec::new(),
            load_tests: Vec::new(),
            register: Vec::new(),
            readiness: Vec::new(),
            simulation: Simulation::default(),
            migration: None,
            forecast: None,
            attribution: None,
            incidents: Vec::new(),
            monthly_review: None,
            trace_mappings: Vec::new(),
            contract_rates: Vec::new(),
            invoice_mappings: Vec::new(),
            exchange_rates: Vec::new(),
            demand_profiles: Vec::new(),
        }
    }

    /// A rate card by id.
    #[must_use]
    pub fn rate_card(&self, id: &str) -> Option<&RateCard> {
        self.rate_cards.iter().find(|c| c.id == id)
    }

    /// A workload by id.
    #[must_use]
    pub fn workload(&self, id: &str) -> Option<&Workload> {
        self.workloads.iter().find(|w| w.id == id)
    }

    /// A route by id.
    #[must_use]
    pub fn route(&self, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.id == id)
    }

    /// A scenario by id.
    #[must_use]
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }
}
