//! Go/no-go gates for moving a workload from its current route to a candidate route, each
//! backed by the numbers that decide it, and a before/after comparison of two snapshots.
//!
//! Five gates, each pass, conditional or fail:
//! - demand shape: reserved capacity bills whether it serves or idles, so it needs steady
//!   demand (or batchable work that fills the troughs);
//! - utilization proof: the candidate must be busy enough to beat the current route, with
//!   margin, on a measured figure;
//! - memory and context fit: the KV cache must hold the needed concurrency at the served
//!   context, with headroom;
//! - operations maturity: someone owns the runbook, the route is monitored and can be rolled
//!   back (without these the move fails); an upgrade policy and a security review (without
//!   these it is conditional);
//! - fallback economics: a fallback route exists, and with the expected share of traffic on it
//!   the blended cost per accepted result still beats the current route.
//!
//! The first three only apply when the candidate is reserved capacity
//! ([`DeploymentMode::Dedicated`]); a per-token candidate idles for free and its provider sizes
//! the memory, so they pass as not applicable. A gate with no evidence given is conditional,
//! not failed: the evidence may exist but has not been gathered. The decision is go when every
//! gate passes, conditional go when none fails, and no-go when any fails. Thresholds are inputs
//! with documented defaults ([`GateThresholds`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calc::kv_sizing::KvSizing;
use crate::calc::lcpr::DeploymentMode;
use crate::document::evidence_status::EvidenceStatus as Status;
use crate::document::gates::{DemandShape, OperationsMaturity};
use crate::error::{InputError, InputResult, fraction, non_negative, non_negative_money};
use crate::money;

/// Default peak-to-mean ratio at or under which demand counts as steady.
pub const STEADY_PEAK_TO_MEAN: f64 = 2.0;
/// Default peak-to-mean ratio above which demand counts as bursty.
pub const BURSTY_PEAK_TO_MEAN: f64 = 4.0;
/// Default idle share at or under which demand counts as steady.
pub const STEADY_IDLE_SHARE: f64 = 0.2;
/// Default idle share above which demand counts as bursty.
pub const BURSTY_IDLE_SHARE: f64 = 0.5;
/// Default batchable share from which batch work can fill the troughs of bursty demand.
pub const ABSORBING_BATCHABLE_SHARE: f64 = 0.5;
/// Default margin, in utilization points, wanted above the break-even utilization.
pub const UTILIZATION_HEADROOM: f64 = 0.10;
/// Default spare concurrency wanted above the need: 0.2 = room for 20% more live sequences.
pub const CONCURRENCY_HEADROOM: f64 = 0.2;
/// Default largest share of traffic expected on the fallback route for a pass.
pub const MAX_FALLBACK_SHARE: f64 = 0.10;

/// The thresholds the gates use; any left out take the defaults above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateThresholds {
    /// Peak-to-mean ratio at or under which demand is steady.
    pub steady_peak_to_mean: f64,
    /// Peak-to-mean ratio above which demand is bursty.
    pub bursty_peak_to_mean: f64,
    /// Idle share at or under which demand is steady.
    pub steady_idle_share: f64,
    /// Idle share above which demand is bursty.
    pub bursty_idle_share: f64,
    /// Batchable share from which bursty demand is conditional rather than failed.
    pub absorbing_batchable_share: f64,
    /// Utilization points wanted above break-even for a pass.
    pub utilization_headroom: f64,
    /// Spare concurrency wanted, as a share of the need, for a pass.
    pub concurrency_headroom: f64,
    /// Largest fallback share of traffic for a pass.
    pub max_fallback_share: f64,
}

impl Default for GateThresholds {
    fn default() -> Self {
        Self {
            steady_peak_to_mean: STEADY_PEAK_TO_MEAN,
            bursty_peak_to_mean: BURSTY_PEAK_TO_MEAN,
            steady_idle_share: STEADY_IDLE_SHARE,
            bursty_idle_share: BURSTY_IDLE_SHARE,
            absorbing_batchable_share: ABSORBING_BATCHABLE_SHARE,
            utilization_headroom: UTILIZATION_HEADROOM,
            concurrency_headroom: CONCURRENCY_HEADROOM,
            max_fallback_share: MAX_FALLBACK_SHARE,
        }
    }
}

impl GateThresholds {
    /// Checks that shares are fractions, ratios ≥ 1 and each steady limit within its bursty one.
    pub fn validate(&self) -> InputResult<()> {
        for (field, value) in [
            ("steady_idle_share", self.steady_idle_share),
            ("bursty_idle_share", self.bursty_idle_share),
            ("absorbing_batchable_share", self.absorbing_batchable_share),
            ("utilization_headroom", self.utilization_headroom),
            ("max_fallback_share", self.max_fallback_share),
        ] {
            fraction(field, value)?;
        }
        non_negative("concurrency_headroom", self.concurrency_headroom)?;
        at_least_one("steady_peak_to_mean", self.steady_peak_to_mean)?;
        at_least_one("bursty_peak_to_mean", self.bursty_peak_to_mean)?;
        if self.bursty_peak_to_mean < self.steady_peak_to_mean {
            return Err(InputError::new(
                "bursty_peak_to_mean",
                format!(
                    "must be ≥ steady_peak_to_mean ({}), got {}",
                    self.steady_peak_to_mean, self.bursty_peak_to_mean
                ),
            ));
        }
        if self.bursty_idle_share < self.steady_idle_share {
            return Err(InputError::new(
                "bursty_idle_share",
                format!(
                    "must be ≥ steady_idle_share ({}), got {}",
                    self.steady_idle_share, self.bursty_idle_share
                ),
            ));
        }
        Ok(())
    }
}

fn at_least_one(field: &str, value: f64) -> InputResult<()> {
    if value.is_finite() && value >= 1.0 {
        Ok(())
    } else {
        Err(InputError::new(field, format!("must be ≥ 1, got {value}")))
    }
}

/// How busy the candidate would be, against how busy it must be to win.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilizationProof {
    /// Measured or projected utilization of the candidate's capacity, in [0, 1].
    pub utilization: f64,
    /// Utilization at which the candidate's cost equals the current route's (from break-even;
    /// above 1 when it cannot win).
    pub required_utilization: f64,
    /// Where the utilization figure came from.
    #[serde(default)]
    pub status: Status,
    /// The evidence named in the verdict when it is more than the status: the load test it
    /// comes from, or why a claimed status does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Whether the KV cache holds the needed concurrency at the served context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryFit {
    /// Live sequences that fit (from [`crate::calc::kv_sizing`]).
    pub live_sequences: f64,
    /// Context tokens per sequence they were sized at.
    pub context_tokens: f64,
    /// Concurrent sequences the workload needs at peak (> 0).
    pub needed_concurrency: f64,
    /// Out-of-memory events seen in testing.
    #[serde(default)]
    pub oom_events: u32,
}

impl MemoryFit {
    /// The fit from a KV sizing result and the context it was sized at.
    #[must_use]
    pub fn from_sizing(sizing: &KvSizing, context_tokens: f64, needed_concurrency: f64) -> Self {
        Self {
            live_sequences: sizing.max_live_sequences,
            context_tokens,
            needed_concurrency,
            oom_events: 0,
        }
    }
}

/// What failing over costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FallbackEconomics {
    /// The route that takes traffic the candidate fails or cannot carry.
    #[serde(default)]
    pub fallback_route: Option<String>,
    /// Cost per accepted result on the fallback route.
    pub fallback_cost_per_accepted: Decimal,
    /// The candidate's LCPR.
    pub candidate_lcpr: Decimal,
    /// The current route's LCPR.
    pub current_lcpr: Decimal,
    /// Share of traffic expected on the fallback route, in [0, 1].
    pub fallback_share: f64,
    /// Where the share comes from when it is computed rather than typed (a cascade that
    /// escalates from the candidate's route to the fallback's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_share_from: Option<String>,
}

/// Everything the gates look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationGateInput {
    /// The workload moving, for the summary.
    #[serde(default)]
    pub workload: String,
    /// The route it runs on now.
    #[serde(default)]
    pub current_route: String,
    /// The route it would move to.
    #[serde(default)]
    pub candidate_route: String,
    /// How the candidate bills.
    pub candidate_mode: DeploymentMode,
    /// Demand shape.
    pub demand: DemandShape,
    /// Utilization proof, if gathered.
    #[serde(default)]
    pub utilization: Option<UtilizationProof>,
    /// Memory and context fit, if sized.
    #[serde(default)]
    pub memory: Option<MemoryFit>,
    /// Operations maturity.
    #[serde(default)]
    pub operations: OperationsMaturity,
    /// Fallback economics.
    pub fallback: FallbackEconomics,
    /// Thresholds (defaults when left out).
    #[serde(default)]
    pub thresholds: GateThresholds,
}

/// The five gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Steady or bursty demand.
    DemandShape,
    /// Busy enough to beat the current route.
    UtilizationProof,
    /// KV cache holds the needed concurrency.
    MemoryFit,
    /// Runbook, monitoring, rollback, upgrades, security.
    OperationsMaturity,
    /// Fallback keeps the saving.
    FallbackEconomics,
}

impl Gate {
    /// The gate's name as written in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::DemandShape => "demand_shape",
            Self::UtilizationProof => "utilization_proof",
            Self::MemoryFit => "memory_fit",
            Self::OperationsMaturity => "operations_maturity",
            Self::FallbackEconomics => "fallback_economics",
        }
    }

    /// The gate in plain words, lower case.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::DemandShape => "demand shape",
            Self::UtilizationProof => "utilization proof",
            Self::MemoryFit => "memory and context fit",
            Self::OperationsMaturity => "operations maturity",
            Self::FallbackEconomics => "fallback economics",
        }
    }
}

/// A gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The evidence clears the gate.
    Pass,
    /// The gate can be cleared, on the condition its sentence names.
    Conditional,
    /// The gate blocks the move.
    Fail,
}

/// One labelled number behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What the number is, with its unit.
    pub label: String,
    /// The number.
    pub value: f64,
}

fn figure(label: &str, value: f64) -> Figure {
    Figure {
        label: label.to_owned(),
        value,
    }
}

/// One gate's verdict and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// Which gate.
    pub gate: Gate,
    /// Pass, conditional or fail.
    pub outcome: Outcome,
    /// Why, in one sentence.
    pub evidence: String,
    /// The numbers behind it.
    pub figures: Vec<Figure>,
}

/// The overall call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every gate passes.
    Go,
    /// No gate fails; some are conditional.
    ConditionalGo,
    /// At least one gate fails.
    NoGo,
}

/// The gates and the call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateDecision {
    /// Go, conditional go or no-go.
    pub decision: Decision,
    /// Every gate, in the order of [`Gate`].
    pub gates: Vec<GateResult>,
    /// Gates that fail.
    pub failing: Vec<Gate>,
    /// Gates that are conditional.
    pub conditional: Vec<Gate>,
    /// The call in one sentence.
    pub summary: String,
}

/// A share as a whole percentage, as the gates' sentences write it: 0.17 → `17%`.
pub(crate) fn pct(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

fn result(gate: Gate, outcome: Outcome, evidence: String, figures: Vec<Figure>) -> GateResult {
    GateResult {
        gate,
        outcome,
        evidence,
        figures,
    }
}

/// Demand shape: steady passes; bursty fails unless enough work is batchable to fill the
/// troughs (then conditional); in between is conditional. Passes for a per-token candidate.
pub fn demand_gate(d: &DemandShape, reserved: bool, t: &GateThresholds) -> InputResult<GateResult> {
    at_least_one("peak_to_mean", d.peak_to_mean)?;
    fraction("batchable_share", d.batchable_share)?;
    fraction("idle_share", d.idle_share)?;
    let figures = vec![
        figure("peak-to-mean ratio", d.peak_to_mean),
        figure("idle share", d.idle_share),
        figure("batchable share", d.batchable_share),
        figure("steady peak-to-mean limit", t.steady_peak_to_mean),
        figure("steady idle share limit", t.steady_idle_share),
    ];
    let shape = format!(
        "peak {:.1}× the mean, idle {} of hours, {} batchable",
        d.peak_to_mean,
        pct(d.idle_share),
        pct(d.batchable_share)
    );
    let (outcome, evidence) = if !reserved {
        (
            Outcome::Pass,
            format!(
                "The candidate bills per token, so idle hours cost nothing; demand shape \
                 ({shape}) does not gate this move."
            ),
        )
    } else if d.peak_to_mean <= t.steady_peak_to_mean && d.idle_share <= t.steady_idle_share {
        (
            Outcome::Pass,
            format!(
                "Steady demand ({shape}): within {:.1}× and {} idle, reserved capacity stays \
                 busy.",
                t.steady_peak_to_mean,
                pct(t.steady_idle_share)
            ),
        )
    } else if d.peak_to_mean > t.bursty_peak_to_mean || d.idle_share > t.bursty_idle_share {
        if d.batchable_share >= t.absorbing_batchable_share {
            (
                Outcome::Conditional,
                format!(
                    "Bursty demand ({shape}), but enough work can wait to fill the troughs: \
                     reserve for the base load and schedule batch work into idle hours."
                ),
            )
        } else {
            (
                Outcome::Fail,
                format!(
                    "Bursty demand ({shape}): reserved capacity would idle through the \
                     troughs and cost more per accepted result than paying per token."
                ),
            )
        }
    } else {
        (
            Outcome::Conditional,
            format!(
                "Demand is between steady and bursty ({shape}): reserve for the base load and \
                 send peaks to a per-token route."
            ),
        )
    };
    Ok(result(Gate::DemandShape, outcome, evidence, figures))
}

/// Utilization proof: fails below break-even (or when break-even is above full use); passes
/// with the headroom margin on a measured figure; otherwise conditional. Conditional with no
/// evidence; passes for a per-token candidate.
pub fn utilization_gate(
    u: Option<&UtilizationProof>,
    reserved: bool,
    t: &GateThresholds,
) -> InputResult<GateResult> {
    let gate = Gate::UtilizationProof;
    let Some(u) = u else {
        return Ok(if reserved {
            result(
                gate,
                Outcome::Conditional,
                "No utilization figure yet: show the candidate busy enough to beat the \
                 current route before reserving capacity."
                    .to_owned(),
                Vec::new(),
            )
        } else {
            not_applicable(gate, "idle capacity costs nothing", Vec::new())
        });
    };
    fraction("utilization", u.utilization)?;
    non_negative("required_utilization", u.required_utilization)?;
    let margin = u.utilization - u.required_utilization;
    let figures = vec![
        figure("utilization", u.utilization),
        figure("break-even utilization", u.required_utilization),
        figure("margin (utilization points)", margin),
        figure("margin wanted (utilization points)", t.utilization_headroom),
    ];
    if !reserved {
        return Ok(not_applicable(gate, "idle capacity costs nothing", figures));
    }
    let (u_pct, req_pct) = (pct(u.utilization), pct(u.required_utilization));
    let (outcome, evidence) = if u.required_utilization > 1.0 {
        (
            Outcome::Fail,
            format!(
                "The candidate would have to run at {req_pct} of capacity to beat the current \
                 route: more than full use, so it cannot win at these prices."
            ),
        )
    } else if margin < 0.0 {
        (
            Outcome::Fail,
            format!(
                "Utilization of {u_pct} is below the {req_pct} the candidate needs to beat the \
                 current route."
            ),
        )
    } else {
        let mut gaps = Vec::new();
        // A small tolerance so a margin typed as exactly the threshold counts as meeting it.
        if margin + 1e-12 < t.utilization_headroom {
            gaps.push(format!(
                "by only {:.0} points (margin wanted: {:.0})",
                100.0 * margin,
                100.0 * t.utilization_headroom
            ));
        }
        if !u.status.is_measured() {
            gaps.push(match &u.source {
                Some(why) => format!("on a figure that is not measured ({why})"),
                None => format!(
                    "on a figure that is {}, not measured",
                    u.status.label().to_lowercase()
                ),
            });
        }
        if gaps.is_empty() {
            (
                Outcome::Pass,
                format!(
                    "Utilization of {u_pct} ({}) clears the {req_pct} break-even by {:.0} \
                     points.",
                    u.source
                        .clone()
                        .unwrap_or_else(|| u.status.label().to_lowercase()),
                    100.0 * margin
                ),
            )
        } else {
            (
                Outcome::Conditional,
                format!(
                    "Utilization of {u_pct} clears the {req_pct} break-even, but {}: confirm it \
                     under production traffic before committing.",
                    gaps.join(" and ")
                ),
            )
        }
    };
    Ok(result(gate, outcome, evidence, figures))
}

fn not_applicable(gate: Gate, why: &str, figures: Vec<Figure>) -> GateResult {
    result(
        gate,
        Outcome::Pass,
        format!("Not applicable: the candidate bills per token, so {why}."),
        figures,
    )
}

/// Memory and context fit: fails when fewer sequences fit than are needed; passes with the
/// concurrency headroom and no out-of-memory events; otherwise conditional. Conditional with
/// no sizing; passes for a per-token candidate.
pub fn memory_gate(
    m: Option<&MemoryFit>,
    reserved: bool,
    t: &GateThresholds,
) -> InputResult<GateResult> {
    let gate = Gate::MemoryFit;
    let why = "the provider sizes memory";
    let Some(m) = m else {
        return Ok(if reserved {
            result(
                gate,
                Outcome::Conditional,
                "No KV-cache sizing yet: check that the planned hardware holds the needed \
                 concurrency at the served context."
                    .to_owned(),
                Vec::new(),
            )
        } else {
            not_applicable(gate, why, Vec::new())
        });
    };
    non_negative("live_sequences", m.live_sequences)?;
    non_negative("context_tokens", m.context_tokens)?;
    crate::error::positive("needed_concurrency", m.needed_concurrency)?;
    let ratio = m.live_sequences / m.needed_concurrency;
    let figures = vec![
        figure("live sequences that fit", m.live_sequences),
        figure("concurrency needed", m.needed_concurrency),
        figure("context tokens per sequence", m.context_tokens),
        figure("fit ÷ need", ratio),
        figure("fit ÷ need wanted", 1.0 + t.concurrency_headroom),
        figure("out-of-memory events", f64::from(m.oom_events)),
    ];
    if !reserved {
        return Ok(not_applicable(gate, why, figures));
    }
    let at = format!(
        "At {} tokens of context the KV cache holds {} live sequences against {} needed",
        m.context_tokens, m.live_sequences, m.needed_concurrency
    );
    let (outcome, evidence) = if m.live_sequences < m.needed_concurrency {
        (
            Outcome::Fail,
            format!("{at}: the planned hardware cannot serve the peak."),
        )
    } else {
        let mut gaps = Vec::new();
        if ratio + 1e-12 < 1.0 + t.concurrency_headroom {
            gaps.push(format!(
                "only {} spare (wanted: {})",
                pct(ratio - 1.0),
                pct(t.concurrency_headroom)
            ));
        }
        if m.oom_events > 0 {
            gaps.push(format!("{} out-of-memory events were seen", m.oom_events));
        }
        if gaps.is_empty() {
            (Outcome::Pass, format!("{at}: {} spare.", pct(ratio - 1.0)))
        } else {
            (
                Outcome::Conditional,
                format!(
                    "{at}, but {}: test at peak concurrency before committing.",
                    gaps.join(" and ")
                ),
            )
        }
    };
    Ok(result(gate, outcome, evidence, figures))
}

fn named(value: Option<&String>) -> Option<&str> {
    value.map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Operations maturity: fails without a runbook owner, monitoring or a rollback route;
/// conditional without an upgrade policy or security review; passes with all five.
#[must_use]
pub fn operations_gate(o: &OperationsMaturity) -> GateResult {
    let owner = named(o.runbook_owner.as_ref());
    let rollback = named(o.rollback_route.as_ref());
    let critical: Vec<&str> = [
        (owner.is_none(), "a runbook owner"),
        (!o.monitoring, "monitoring"),
        (rollback.is_none(), "a rollback route"),
    ]
    .into_iter()
    .filter_map(|(missing, what)| missing.then_some(what))
    .collect();
    let secondary: Vec<&str> = [
        (!o.upgrade_policy, "an upgrade policy"),
        (!o.security_review, "a security review"),
    ]
    .into_iter()
    .filter_map(|(missing, what)| missing.then_some(what))
    .collect();
    let in_place = 5 - critical.len() - secondary.len();
    let figures = vec![
        figure("items in place", in_place as f64),
        figure("items required", 5.0),
    ];
    let (outcome, evidence) = if !critical.is_empty() {
        let mut missing = critical.clone();
        missing.extend(&secondary);
        (
            Outcome::Fail,
            format!(
                "Missing {}: without an owner, monitoring and a way back, an incident on the \
                 new route has no one to catch it.",
                missing.join(", ")
            ),
        )
    } else if !secondary.is_empty() {
        (
            Outcome::Conditional,
            format!(
                "Runbook owned by {}, monitoring in place, rollback to {}; still missing {}.",
                owner.unwrap_or_default(),
                rollback.unwrap_or_default(),
                secondary.join(" and ")
            ),
        )
    } else {
        (
            Outcome::Pass,
            format!(
                "Runbook owned by {}, monitoring in place, rollback to {}, an upgrade policy \
                 and a security review.",
                owner.unwrap_or_default(),
                rollback.unwrap_or_default()
            ),
        )
    };
    result(Gate::OperationsMaturity, outcome, evidence, figures)
}

fn overflow(field: &str) -> InputError {
    InputError::new(field, "is too large to compute exactly")
}

/// Fallback economics: fails with no fallback route, or when the blended cost per accepted
/// result, (1 − s) × candidate LCPR + s × fallback cost, does not beat the current LCPR;
/// conditional when the saving holds but the fallback share s is above the limit; else passes.
pub fn fallback_gate(f: &FallbackEconomics, t: &GateThresholds) -> InputResult<GateResult> {
    non_negative_money("fallback_cost_per_accepted", f.fallback_cost_per_accepted)?;
    non_negative_money("candidate_lcpr", f.candidate_lcpr)?;
    non_negative_money("current_lcpr", f.current_lcpr)?;
    fraction("fallback_share", f.fallback_share)?;
    let share = money::from_f64(f.fallback_share).ok_or_else(|| overflow("fallback_share"))?;
    let blended = (Decimal::ONE - share)
        .checked_mul(f.candidate_lcpr)
        .zip(share.checked_mul(f.fallback_cost_per_accepted))
        .and_then(|(a, b)| a.checked_add(b))
        .ok_or_else(|| overflow("fallback_cost_per_accepted"))?;
    // The fallback share at which the blend costs as much as the current route; only defined
    // when the fallback costs more than the candidate and the candidate is the cheaper route.
    let premium = f.fallback_cost_per_accepted - f.candidate_lcpr;
    let break_even_share = (premium > Decimal::ZERO && f.candidate_lcpr < f.current_lcpr)
        .then(|| (f.current_lcpr - f.candidate_lcpr).checked_div(premium))
        .flatten()
        .map(money::to_f64);
    let mut figures = vec![
        figure("fallback share of traffic", f.fallback_share),
        figure(
            "fallback cost per accepted",
            money::to_f64(f.fallback_cost_per_accepted),
        ),
        figure("candidate LCPR", money::to_f64(f.candidate_lcpr)),
        figure("current LCPR", money::to_f64(f.current_lcpr)),
        figure("blended cost per accepted", money::to_f64(blended)),
        figure("fallback share limit", t.max_fallback_share),
    ];
    if let Some(s) = break_even_share {
        figures.push(figure("break-even fallback share", s));
    }
    let usd = |d: Decimal| money::format_usd(money::to_f64(d), 4);
    let route = named(f.fallback_route.as_ref()).map(|r| match &f.fallback_share_from {
        Some(from) => format!("{r} ({from})"),
        None => r.to_string(),
    });
    let (outcome, evidence) = match route {
        None => (
            Outcome::Fail,
            "No fallback route: traffic the candidate fails or cannot carry has nowhere to go."
                .to_owned(),
        ),
        Some(_) if f.candidate_lcpr >= f.current_lcpr => (
            Outcome::Fail,
            format!(
                "The candidate's LCPR ({}) does not beat the current route's ({}) even before \
                 fallback.",
                usd(f.candidate_lcpr),
                usd(f.current_lcpr)
            ),
        ),
        Some(r) if blended >= f.current_lcpr => (
            Outcome::Fail,
            format!(
                "With {} of traffic on {r} at {} per accepted result, the blended cost ({}) \
                 is no better than the current route's {}: fallback eats the saving.",
                pct(f.fallback_share),
                usd(f.fallback_cost_per_accepted),
                usd(blended),
                usd(f.current_lcpr)
            ),
        ),
        Some(r) => {
            let headroom = break_even_share.map_or_else(
                || "any share of fallback keeps the saving".to_owned(),
                |s| format!("the saving lasts until {} of traffic falls back", pct(s)),
            );
            if f.fallback_share > t.max_fallback_share {
                (
                    Outcome::Conditional,
                    format!(
                        "The blended cost ({}) beats the current {} with {} of traffic on {r}, \
                         above the {} limit; {headroom}, so track the fallback rate.",
                        usd(blended),
                        usd(f.current_lcpr),
                        pct(f.fallback_share),
                        pct(t.max_fallback_share)
                    ),
                )
            } else {
                (
                    Outcome::Pass,
                    format!(
                        "With {} of traffic on {r} at {} per accepted result, the blended \
                         cost ({}) beats the current {}; {headroom}.",
                        pct(f.fallback_share),
                        usd(f.fallback_cost_per_accepted),
                        usd(blended),
                        usd(f.current_lcpr)
                    ),
                )
            }
        }
    };
    Ok(result(Gate::FallbackEconomics, outcome, evidence, figures))
}

/// Runs all five gates and makes the call.
pub fn migration_gates(input: &MigrationGateInput) -> InputResult<GateDecision> {
    let t = &input.thresholds;
    t.validate().map_err(|e| e.within("thresholds"))?;
    let reserved = input.candidate_mode == DeploymentMode::Dedicated;
    let gates = vec![
        demand_gate(&input.demand, reserved, t).map_err(|e| e.within("demand"))?,
        utilization_gate(input.utilization.as_ref(), reserved, t)
            .map_err(|e| e.within("utilization"))?,
        memory_gate(input.memory.as_ref(), reserved, t).map_err(|e| e.within("memory"))?,
        operations_gate(&input.operations),
        fallback_gate(&input.fallback, t).map_err(|e| e.within("fallback"))?,
    ];
    let with = |o: Outcome| -> Vec<Gate> {
        gates
            .iter()
            .filter(|g| g.outcome == o)
            .map(|g| g.gate)
            .collect()
    };
    let (failing, conditional) = (with(Outcome::Fail), with(Outcome::Conditional));
    let labels = |list: &[Gate]| {
        let names: Vec<&str> = list.iter().map(|g| g.label()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    };
    let subject = move_phrase(input);
    let (decision, summary) = if !failing.is_empty() {
        let verb = if failing.len() == 1 { "fails" } else { "fail" };
        (
            Decision::NoGo,
            format!("No-go{subject}: {} {verb}.", labels(&failing)),
        )
    } else if !conditional.is_empty() {
        (
            Decision::ConditionalGo,
            format!(
                "Conditional go{subject}: no gate fails; clear the conditions on {} first.",
                labels(&conditional)
            ),
        )
    } else {
        (Decision::Go, format!("Go{subject}: all five gates pass."))
    };
    Ok(GateDecision {
        decision,
        gates,
        failing,
        conditional,
        summary,
    })
}

/// " for moving support chat from A to B", with whichever names were given.
fn move_phrase(input: &MigrationGateInput) -> String {
    let mut text = String::new();
    let workload = input.workload.trim();
    let (from, to) = (input.current_route.trim(), input.candidate_route.trim());
    if workload.is_empty() && from.is_empty() && to.is_empty() {
        return text;
    }
    text.push_str(" for moving ");
    text.push_str(if workload.is_empty() {
        "the workload"
    } else {
        workload
    });
    if !from.is_empty() {
        text.push_str(" from ");
        text.push_str(from);
    }
    if !to.is_empty() {
        text.push_str(" to ");
        text.push_str(to);
    }
    text
}

/// A dated measurement of one workload on one route, as far as the comparison needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Loaded cost per accepted result.
    pub lcpr: Decimal,
    /// Eval pass rate on a production-representative set, in [0, 1].
    pub quality_pass_rate: f64,
    /// 95th-percentile end-to-end latency, ms.
    pub p95_latency_ms: f64,
    /// Prompt-cache hit rate, in [0, 1].
    pub cache_hit_rate: f64,
}

impl Snapshot {
    /// Checks each field's range.
    pub fn validate(&self) -> InputResult<()> {
        non_negative_money("lcpr", self.lcpr)?;
        fraction("quality_pass_rate", self.quality_pass_rate)?;
        non_negative("p95_latency_ms", self.p95_latency_ms)?;
        fraction("cache_hit_rate", self.cache_hit_rate)
    }
}

/// The metrics a snapshot comparison reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Loaded cost per accepted result.
    Lcpr,
    /// Eval pass rate.
    QualityPassRate,
    /// p95 latency.
    P95LatencyMs,
    /// Cache hit rate.
    CacheHitRate,
}

/// Which way a metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Less is better.
    Lower,
    /// More is better.
    Higher,
}

/// How a metric moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// In the good direction.
    Better,
    /// In the bad direction.
    Worse,
    /// Not at all.
    Unchanged,
}

impl Metric {
    /// The metric's name as written in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Lcpr => "lcpr",
            Self::QualityPassRate => "quality_pass_rate",
            Self::P95LatencyMs => "p95_latency_ms",
            Self::CacheHitRate => "cache_hit_rate",
        }
    }

    /// The metric's name for people.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Lcpr => "LCPR",
            Self::QualityPassRate => "Quality pass rate",
            Self::P95LatencyMs => "p95 latency",
            Self::CacheHitRate => "Cache hit rate",
        }
    }

    /// Which way is good.
    #[must_use]
    pub fn better_when(self) -> Direction {
        match self {
            Self::Lcpr | Self::P95LatencyMs => Direction::Lower,
            Self::QualityPassRate | Self::CacheHitRate => Direction::Higher,
        }
    }
}

/// One metric, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDelta {
    /// Which metric.
    pub metric: Metric,
    /// Baseline value.
    pub baseline: f64,
    /// Candidate value.
    pub candidate: f64,
    /// Candidate − baseline.
    pub absolute: f64,
    /// (Candidate − baseline) ÷ baseline; `None` when the baseline is 0.
    pub relative: Option<f64>,
    /// Which way is good.
    pub better_when: Direction,
    /// How it moved.
    pub movement: Movement,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// LCPR, quality pass rate, p95 latency, cache hit rate, in that order.
    pub deltas: Vec<MetricDelta>,
    /// Metrics that moved in the good direction.
    pub better: usize,
    /// Metrics that moved in the bad direction.
    pub worse: usize,
}

/// Compares a candidate snapshot with the baseline.
pub fn baseline_vs_candidate(baseline: &Snapshot, candidate: &Snapshot) -> InputResult<Comparison> {
    baseline.validate().map_err(|e| e.within("baseline"))?;
    candidate.validate().map_err(|e| e.within("candidate"))?;
    // LCPR's delta is taken in Decimal so equal money compares equal to the cent.
    let lcpr_delta = candidate.lcpr - baseline.lcpr;
    let lcpr_relative = lcpr_delta.checked_div(baseline.lcpr).map(money::to_f64);
    let rows = [
        (
            Metric::Lcpr,
            money::to_f64(baseline.lcpr),
            money::to_f64(candidate.lcpr),
            money::to_f64(lcpr_delta),
            lcpr_relative,
        ),
        delta(
            Metric::QualityPassRate,
            baseline.quality_pass_rate,
            candidate.quality_pass_rate,
        ),
        delta(
            Metric::P95LatencyMs,
            baseline.p95_latency_ms,
            candidate.p95_latency_ms,
        ),
        delta(
            Metric::CacheHitRate,
            baseline.cache_hit_rate,
            candidate.cache_hit_rate,
        ),
    ];
    let deltas: Vec<MetricDelta> = rows
        .into_iter()
        .map(|(metric, b, c, absolute, relative)| {
            let better_when = metric.better_when();
            let movement = if absolute == 0.0 {
                Movement::Unchanged
            } else if (absolute < 0.0) == (better_when == Direction::Lower) {
                Movement::Better
            } else {
                Movement::Worse
            };
            MetricDelta {
                metric,
                baseline: b,
                candidate: c,
                absolute,
                relative,
                better_when,
                movement,
            }
        })
        .collect();
    let count = |m: Movement| deltas.iter().filter(|d| d.movement == m).count();
    Ok(Comparison {
        better: count(Movement::Better),
        worse: count(Movement::Worse),
        deltas,
    })
}

fn delta(metric: Metric, b: f64, c: f64) -> (Metric, f64, f64, f64, Option<f64>) {
    let absolute = c - b;
    let relative = (b != 0.0).then(|| absolute / b);
    (metric, b, c, absolute, relative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn t() -> GateThresholds {
        GateThresholds::default()
    }

    fn demand(peak_to_mean: f64, idle_share: f64, batchable_share: f64) -> DemandShape {
        DemandShape {
            peak_to_mean,
            batchable_share,
            idle_share,
        }
    }

    fn outcome(r: InputResult<GateResult>) -> Option<Outcome> {
        r.ok().map(|g| g.outcome)
    }

    #[test]
    fn demand_gate_outcomes() {
        let gate = |d: DemandShape| outcome(demand_gate(&d, true, &t()));
        // Steady: 1.8 ≤ 2 and 10% ≤ 20%.
        assert_eq!(gate(demand(1.8, 0.1, 0.0)), Some(Outcome::Pass));
        // Boundaries are inclusive: 2.0 and 20% still steady.
        assert_eq!(gate(demand(2.0, 0.2, 0.0)), Some(Outcome::Pass));
        // Between: 3× the mean.
        assert_eq!(gate(demand(3.0, 0.1, 0.0)), Some(Outcome::Conditional));
        // Bursty: 6× the mean, 10% batchable.
        assert_eq!(gate(demand(6.0, 0.3, 0.1)), Some(Outcome::Fail));
        // Bursty by idle share alone: 60% idle.
        assert_eq!(gate(demand(1.5, 0.6, 0.0)), Some(Outcome::Fail));
        // Bursty but 70% batchable.
        assert_eq!(gate(demand(6.0, 0.3, 0.7)), Some(Outcome::Conditional));
        // Per-token candidate: not applicable.
        let g = demand_gate(&demand(6.0, 0.6, 0.0), false, &t());
        assert!(g.is_ok_and(|g| g.outcome == Outcome::Pass && g.evidence.contains("per token")));
        let g = demand_gate(&demand(1.8, 0.1, 0.0), true, &t()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            g.evidence,
            "Steady demand (peak 1.8× the mean, idle 10% of hours, 0% batchable): within 2.0× \
             and 20% idle, reserved capacity stays busy."
        );
        assert_eq!(g.figures[0].value, 1.8);
        assert_eq!(
            demand_gate(&demand(0.5, 0.1, 0.0), true, &t())
                .err()
                .map(|e| e.field),
            Some("peak_to_mean".into())
        );
    }

    fn proof(utilization: f64, required: f64, status: Status) -> UtilizationProof {
        UtilizationProof {
            source: None,
            utilization,
            required_utilization: required,
            status,
        }
    }

    #[test]
    fn utilization_gate_outcomes() {
        let gate = |u: UtilizationProof| outcome(utilization_gate(Some(&u), true, &t()));
        // 70% measured vs 50% needed: 20 points ≥ 10.
        assert_eq!(
            gate(proof(0.7, 0.5, Status::MeasuredInLogs)),
            Some(Outcome::Pass)
        );
        // Exactly 10 points of margin passes.
        assert_eq!(
            gate(proof(0.6, 0.5, Status::LoadTested)),
            Some(Outcome::Pass)
        );
        // 55% vs 50%: thin margin.
        assert_eq!(
            gate(proof(0.55, 0.5, Status::LoadTested)),
            Some(Outcome::Conditional)
        );
        // Wide margin but only projected.
        assert_eq!(
            gate(proof(0.8, 0.5, Status::Estimated)),
            Some(Outcome::Conditional)
        );
        // Below break-even.
        assert_eq!(
            gate(proof(0.4, 0.5, Status::MeasuredInLogs)),
            Some(Outcome::Fail)
        );
        // Break-even above full use.
        assert_eq!(
            gate(proof(1.0, 1.2, Status::MeasuredInLogs)),
            Some(Outcome::Fail)
        );
        let g = utilization_gate(Some(&proof(0.55, 0.5, Status::Estimated)), true, &t());
        assert_eq!(
            g.map(|g| g.evidence).ok(),
            Some(
                "Utilization of 55% clears the 50% break-even, but by only 5 points (margin \
                 wanted: 10) and on a figure that is estimated, not measured: confirm it under \
                 production traffic before committing."
                    .into()
            )
        );
        assert_eq!(
            outcome(utilization_gate(None, true, &t())),
            Some(Outcome::Conditional)
        );
        assert_eq!(
            outcome(utilization_gate(None, false, &t())),
            Some(Outcome::Pass)
        );
        let low = proof(0.1, 0.9, Status::Assumed);
        assert_eq!(
            outcome(utilization_gate(Some(&low), false, &t())),
            Some(Outcome::Pass)
        );
        let bad = proof(1.5, 0.5, Status::Assumed);
        assert!(utilization_gate(Some(&bad), true, &t()).is_err());
    }

    fn fit(live: f64, needed: f64, oom: u32) -> MemoryFit {
        MemoryFit {
            live_sequences: live,
            context_tokens: 4096.0,
            needed_concurrency: needed,
            oom_events: oom,
        }
    }

    #[test]
    fn memory_gate_outcomes() {
        let gate = |m: MemoryFit| outcome(memory_gate(Some(&m), true, &t()));
        // 26 fit vs 20 needed: 30% spare ≥ 20%.
        assert_eq!(gate(fit(26.0, 20.0, 0)), Some(Outcome::Pass));
        // 24 vs 20: exactly 20% spare.
        assert_eq!(gate(fit(24.0, 20.0, 0)), Some(Outcome::Pass));
        // 22 vs 20: 10% spare.
        assert_eq!(gate(fit(22.0, 20.0, 0)), Some(Outcome::Conditional));
        // Plenty of room, but OOM events seen.
        assert_eq!(gate(fit(40.0, 20.0, 3)), Some(Outcome::Conditional));
        // 18 vs 20, and a context that does not fit at all.
        assert_eq!(gate(fit(18.0, 20.0, 0)), Some(Outcome::Fail));
        assert_eq!(gate(fit(0.0, 1.0, 0)), Some(Outcome::Fail));
        let g = memory_gate(Some(&fit(26.0, 20.0, 0)), true, &t());
        assert_eq!(
            g.map(|g| g.evidence).ok(),
            Some(
                "At 4096 tokens of context the KV cache holds 26 live sequences against 20 \
                 needed: 30% spare."
                    .into()
            )
        );
        assert_eq!(
            outcome(memory_gate(None, true, &t())),
            Some(Outcome::Conditional)
        );
        assert_eq!(
            outcome(memory_gate(Some(&fit(0.0, 5.0, 0)), false, &t())),
            Some(Outcome::Pass)
        );
        assert!(memory_gate(Some(&fit(10.0, 0.0, 0)), true, &t()).is_err());
    }

    #[test]
    fn memory_fit_from_kv_sizing() {
        let shape = crate::calc::kv_sizing::KvShape {
            n_layers: 80.0,
            n_kv_heads: 8.0,
            head_dim: 128.0,
            element_bytes: 2.0,
            kv_pool_bytes: 40e9,
            resident_tokens: 4096.0,
            headroom_fraction: 0.1,
            weight_bytes: 0.0,
            layer_groups: Vec::new(),
        };
        let sizing = crate::calc::kv_sizing::kv_sizing(&shape).unwrap_or_else(|e| panic!("{e}"));
        // 26 sequences fit (see kv_sizing); 20 needed.
        let m = MemoryFit::from_sizing(&sizing, 4096.0, 20.0);
        assert_eq!(m.live_sequences, 26.0);
        assert_eq!(
            outcome(memory_gate(Some(&m), true, &t())),
            Some(Outcome::Pass)
        );
    }

    fn ready() -> OperationsMaturity {
        OperationsMaturity {
            runbook_owner: Some("inference platform team".into()),
            monitoring: true,
            rollback_route: Some("frontier API".into()),
            upgrade_policy: true,
            security_review: true,
        }
    }

    #[test]
    fn operations_gate_outcomes() {
        let g = operations_gate(&ready());
        assert_eq!(g.outcome, Outcome::Pass);
        assert_eq!(g.figures[0].value, 5.0);
        let mut o = ready();
        o.security_review = false;
        let g = operations_gate(&o);
        assert_eq!(g.outcome, Outcome::Conditional);
        assert_eq!(
            g.evidence,
            "Runbook owned by inference platform team, monitoring in place, rollback to \
             frontier API; still missing a security review."
        );
        let mut o = ready();
        o.runbook_owner = Some("  ".into());
        o.upgrade_policy = false;
        let g = operations_gate(&o);
        assert_eq!(g.outcome, Outcome::Fail);
        assert!(
            g.evidence
                .starts_with("Missing a runbook owner, an upgrade policy:")
        );
        assert_eq!(g.figures[0].value, 3.0);
        assert_eq!(
            operations_gate(&OperationsMaturity::default()).outcome,
            Outcome::Fail
        );
    }

    fn fallback(route: Option<&str>, cost: &str, share: f64) -> FallbackEconomics {
        FallbackEconomics {
            fallback_route: route.map(str::to_owned),
            fallback_cost_per_accepted: d(cost),
            candidate_lcpr: d("0.10"),
            current_lcpr: d("0.20"),
            fallback_share: share,
            fallback_share_from: None,
        }
    }

    #[test]
    fn fallback_gate_outcomes() {
        let gate = |f: FallbackEconomics| fallback_gate(&f, &t()).unwrap_or_else(|e| panic!("{e}"));
        // 5% on a $0.30 fallback: 0.95 × 0.10 + 0.05 × 0.30 = 0.095 + 0.015 = $0.11 < $0.20.
        // Break-even share: (0.20 − 0.10) / (0.30 − 0.10) = 50%.
        let g = gate(fallback(Some("frontier API"), "0.30", 0.05));
        assert_eq!(g.outcome, Outcome::Pass);
        assert_eq!(
            g.evidence,
            "With 5% of traffic on frontier API at $0.3000 per accepted result, the blended \
             cost ($0.1100) beats the current $0.2000; the saving lasts until 50% of traffic \
             falls back."
        );
        assert_eq!(g.figures[4].value, 0.11);
        assert_eq!(g.figures.last().map(|f| f.value), Some(0.5));
        // 30% on it: 0.07 + 0.09 = $0.16, still a saving but above the 10% limit.
        assert_eq!(
            gate(fallback(Some("frontier API"), "0.30", 0.3)).outcome,
            Outcome::Conditional
        );
        // 60% on it: 0.04 + 0.18 = $0.22 ≥ $0.20.
        let g = gate(fallback(Some("frontier API"), "0.30", 0.6));
        assert_eq!(g.outcome, Outcome::Fail);
        assert!(g.evidence.contains("fallback eats the saving"));
        // Exactly at break-even (50%): $0.20 is no better, so it fails.
        assert_eq!(
            gate(fallback(Some("frontier API"), "0.30", 0.5)).outcome,
            Outcome::Fail
        );
        // No route named.
        assert_eq!(gate(fallback(None, "0.30", 0.05)).outcome, Outcome::Fail);
        assert_eq!(
            gate(fallback(Some(""), "0.30", 0.05)).outcome,
            Outcome::Fail
        );
        // A candidate that is not cheaper fails before fallback.
        let mut f = fallback(Some("frontier API"), "0.30", 0.0);
        f.candidate_lcpr = d("0.25");
        assert!(gate(f).evidence.contains("even before fallback"));
        // A fallback cheaper than the candidate: any share keeps the saving.
        let g = gate(fallback(Some("small model"), "0.05", 0.05));
        assert!(
            g.evidence
                .ends_with("any share of fallback keeps the saving.")
        );
        let bad = fallback(Some("x"), "-0.01", 0.05);
        assert_eq!(
            fallback_gate(&bad, &t()).err().map(|e| e.field),
            Some("fallback_cost_per_accepted".into())
        );
    }

    fn input() -> MigrationGateInput {
        MigrationGateInput {
            workload: "support chat".into(),
            current_route: "frontier API".into(),
            candidate_route: "dedicated H100".into(),
            candidate_mode: DeploymentMode::Dedicated,
            demand: demand(1.8, 0.1, 0.2),
            utilization: Some(proof(0.7, 0.5, Status::LoadTested)),
            memory: Some(fit(26.0, 20.0, 0)),
            operations: ready(),
            fallback: fallback(Some("frontier API"), "0.30", 0.05),
            thresholds: t(),
        }
    }

    #[test]
    fn all_pass_is_go() {
        let r = migration_gates(&input()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.decision, Decision::Go);
        assert!(r.failing.is_empty() && r.conditional.is_empty());
        assert_eq!(r.gates.len(), 5);
        assert_eq!(
            r.summary,
            "Go for moving support chat from frontier API to dedicated H100: all five gates pass."
        );
    }

    #[test]
    fn conditional_without_failures_is_conditional_go() {
        let mut i = input();
        i.memory = None;
        i.operations.upgrade_policy = false;
        let r = migration_gates(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.decision, Decision::ConditionalGo);
        assert_eq!(r.conditional, [Gate::MemoryFit, Gate::OperationsMaturity]);
        assert!(r.summary.ends_with(
            "no gate fails; clear the conditions on memory and context fit and operations \
             maturity first."
        ));
    }

    #[test]
    fn any_failure_is_no_go_and_names_the_gates() {
        let mut i = input();
        i.demand = demand(6.0, 0.6, 0.0);
        i.fallback.fallback_route = None;
        i.operations.security_review = false;
        let r = migration_gates(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.decision, Decision::NoGo);
        assert_eq!(r.failing, [Gate::DemandShape, Gate::FallbackEconomics]);
        assert_eq!(r.conditional, [Gate::OperationsMaturity]);
        assert!(
            r.summary
                .ends_with(": demand shape and fallback economics fail.")
        );
        i.fallback.fallback_route = Some("frontier API".into());
        let r = migration_gates(&i).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.summary.ends_with(": demand shape fails."));
    }

    #[test]
    fn per_token_candidate_skips_the_capacity_gates() {
        let mut i = input();
        i.candidate_mode = DeploymentMode::ServerlessOpen;
        i.demand = demand(8.0, 0.7, 0.0);
        i.utilization = None;
        i.memory = None;
        i.workload = String::new();
        i.current_route = String::new();
        i.candidate_route = String::new();
        let r = migration_gates(&i).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.decision, Decision::Go);
        assert_eq!(r.summary, "Go: all five gates pass.");
    }

    #[test]
    fn bad_thresholds_and_inputs_are_refused_with_paths() {
        let mut i = input();
        i.thresholds.bursty_peak_to_mean = 1.5;
        assert_eq!(
            migration_gates(&i).err().map(|e| e.field),
            Some("thresholds.bursty_peak_to_mean".into())
        );
        let mut i = input();
        i.demand.idle_share = 1.2;
        assert_eq!(
            migration_gates(&i).err().map(|e| e.field),
            Some("demand.idle_share".into())
        );
        let json = r#"{"candidate_mode":"dedicated","demand":{"peak_to_mean":1,"batchable_share":0,
            "idle_share":0},"fallback":{"fallback_cost_per_accepted":1,"candidate_lcpr":1,
            "current_lcpr":2,"fallback_share":0},"thresholds":{"max_fallback_share":0.2}}"#;
        let parsed: MigrationGateInput =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.thresholds.max_fallback_share, 0.2);
        assert_eq!(parsed.thresholds.steady_peak_to_mean, STEADY_PEAK_TO_MEAN);
        assert!(
            serde_json::from_str::<MigrationGateInput>(&json.replace("idle_share", "idle"))
                .is_err()
        );
    }

    fn snapshot(lcpr: &str, quality: f64, p95: f64, cache: f64) -> Snapshot {
        Snapshot {
            lcpr: d(lcpr),
            quality_pass_rate: quality,
            p95_latency_ms: p95,
            cache_hit_rate: cache,
        }
    }

    #[test]
    fn baseline_vs_candidate_by_hand() {
        let c = baseline_vs_candidate(
            &snapshot("0.172", 0.92, 1800.0, 0.40),
            &snapshot("0.129", 0.90, 1800.0, 0.55),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let [lcpr, quality, p95, cache] = &c.deltas[..] else {
            panic!("four deltas expected")
        };
        // LCPR: 0.129 − 0.172 = −0.043, −0.043 / 0.172 = −25%: better (lower).
        assert_eq!((lcpr.absolute, lcpr.relative), (-0.043, Some(-0.25)));
        assert_eq!(lcpr.movement, Movement::Better);
        // Quality: 0.90 − 0.92 = −0.02 (−2.17%): worse.
        assert!((quality.absolute + 0.02).abs() < 1e-12);
        assert!((quality.relative.unwrap_or(0.0) + 0.02 / 0.92).abs() < 1e-12);
        assert_eq!(quality.movement, Movement::Worse);
        assert_eq!((p95.absolute, p95.movement), (0.0, Movement::Unchanged));
        // Cache: +0.15, +37.5%: better (higher).
        assert!((cache.absolute - 0.15).abs() < 1e-12);
        assert!((cache.relative.unwrap_or(0.0) - 0.375).abs() < 1e-12);
        assert_eq!(cache.movement, Movement::Better);
        assert_eq!((c.better, c.worse), (2, 1));
    }

    #[test]
    fn zero_baseline_has_no_relative_delta() {
        let c = baseline_vs_candidate(
            &snapshot("0", 0.9, 900.0, 0.0),
            &snapshot("0.1", 0.9, 1200.0, 0.3),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.deltas[0].relative, None);
        assert_eq!(c.deltas[0].movement, Movement::Worse);
        assert_eq!(c.deltas[2].movement, Movement::Worse);
        assert_eq!(c.deltas[3].relative, None);
        let err = baseline_vs_candidate(
            &snapshot("0.1", 1.2, 1.0, 0.0),
            &snapshot("0.1", 0.9, 1.0, 0.0),
        );
        assert_eq!(
            err.err().map(|e| e.field),
            Some("baseline.quality_pass_rate".into())
        );
    }
}
