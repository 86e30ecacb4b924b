//! The `attribution` section: a shared bill, the teams that share it with their usage, shared
//! cache reads and fine-tunes. The split itself is [`crate::decide::attribution`]'s.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The usage measure that proportional, weighted and hybrid modes split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageBasis {
    /// Input tokens + output tokens.
    Tokens,
    /// Requests served.
    Requests,
    /// Outputs accepted by the team's quality gate.
    AcceptedOutputs,
}

impl UsageBasis {
    /// The basis's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tokens => "tokens",
            Self::Requests => "requests",
            Self::AcceptedOutputs => "accepted_outputs",
        }
    }

    /// The team fields the basis reads, as written in input files.
    #[must_use]
    pub fn fields(self) -> &'static str {
        match self {
            Self::Tokens => "input_tokens + output_tokens",
            Self::Requests => "requests",
            Self::AcceptedOutputs => "accepted_outputs",
        }
    }
}

/// The denominator of the uniform mode.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum UniformBy {
    /// Equal parts per team.
    #[default]
    TeamCount,
    /// Parts in proportion to seats.
    Seats,
}

/// One of the four allocation modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationMode {
    /// By team count or by seats.
    Uniform,
    /// By usage on the chosen basis.
    Proportional,
    /// By usage × SLA coefficient.
    Weighted,
    /// Fixed cost by seats, the rest by usage.
    Hybrid,
}

impl AllocationMode {
    /// Every mode, in the order results list them.
    pub const ALL: [Self; 4] = [
        Self::Uniform,
        Self::Proportional,
        Self::Weighted,
        Self::Hybrid,
    ];

    /// The mode's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Uniform => "uniform",
            Self::Proportional => "proportional",
            Self::Weighted => "weighted",
            Self::Hybrid => "hybrid",
        }
    }
}

fn one() -> f64 {
    1.0
}

/// One team on the platform and its usage for the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamUsage {
    /// Identifier the cache and fine-tune tables refer to; unique and non-empty.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Seats (people or licences) the team holds; fractional seats are allowed.
    #[serde(default)]
    pub seats: f64,
    /// SLA tier coefficient: over 1 for bursty or tight-latency tiers, under 1 for batch.
    #[serde(default = "one")]
    pub sla_coefficient: f64,
    /// Input tokens, cache reads included.
    #[serde(default)]
    pub input_tokens: f64,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: f64,
    /// Requests served.
    #[serde(default)]
    pub requests: f64,
    /// Outputs accepted by the team's own quality gate.
    #[serde(default)]
    pub accepted_outputs: f64,
}

/// Cache reads of one team on the shared prompt cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheReads {
    /// The team that read from the cache.
    pub team_id: String,
    /// Input tokens it read from the cache (part of its `input_tokens`).
    pub cache_read_tokens: f64,
    /// What those reads would have cost uncached minus what they cost: the discount they earned.
    pub discount_value: Decimal,
}

/// Who pays for a fine-tune's training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FineTunePolicy {
    /// The training team pays it all; callers benefit for free.
    ChargeTrainer,
    /// The callers share it in proportion to their calls.
    AmortizeOverCallers,
}

/// Calls one team made to a fine-tune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineTuneCaller {
    /// The calling team.
    pub team_id: String,
    /// Calls it made (or expects to make, for a one-time amortisation).
    pub calls: f64,
}

/// A fine-tune (or LoRA adapter) whose training cost is attributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineTune {
    /// Identifier; unique and non-empty.
    pub id: String,
    /// Training cost to attribute, in whole cents.
    pub training_cost: Decimal,
    /// The team that ran the training.
    pub trainer_team_id: String,
    /// Teams that call it, each at most once.
    #[serde(default)]
    pub callers: Vec<FineTuneCaller>,
    /// How the training cost is charged.
    pub policy: FineTunePolicy,
}

/// The month to attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributionInput {
    /// The shared bill, in whole cents, > 0.
    pub bill_total: Decimal,
    /// The part of the bill that does not vary with usage (platform engineering, evals,
    /// monitoring); the hybrid floor. Absent means 0, and hybrid equals proportional.
    #[serde(default)]
    pub platform_fixed_cost: Option<Decimal>,
    /// The usage measure of proportional, weighted and hybrid modes.
    pub basis: UsageBasis,
    /// The denominator of the uniform mode.
    #[serde(default)]
    pub uniform_by: UniformBy,
    /// The teams, in the order that breaks remainder ties.
    pub teams: Vec<TeamUsage>,
    /// Shared-cache reads; a team may appear on several rows (one per prefix).
    #[serde(default)]
    pub shared_cache: Vec<CacheReads>,
    /// Fine-tunes whose training cost is attributed.
    #[serde(default)]
    pub fine_tunes: Vec<FineTune>,
}
