//! The `forecast` section: base workloads, each cost driver with its range and evidence status,
//! and the named scenarios of changes. The forecast itself is [`crate::decide::forecast`]'s.

use serde::{Deserialize, Serialize};

use super::evidence_status::EvidenceStatus as Status;
use super::simulation::Distribution;

/// One uncertain driver: its base value, range, spread and how well it is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Driver {
    /// The value of the point forecast.
    pub base: f64,
    /// Lowest plausible value.
    pub low: f64,
    /// Highest plausible value.
    pub high: f64,
    /// How values spread between low and high.
    #[serde(default)]
    pub distribution: Distribution,
    /// Where the value came from.
    #[serde(default)]
    pub status: Status,
}

impl Driver {
    /// A value known exactly.
    #[must_use]
    pub fn fixed(value: f64, status: Status) -> Self {
        Self {
            base: value,
            low: value,
            high: value,
            distribution: Distribution::Fixed,
            status,
        }
    }

    /// A triangular range around `base`.
    #[must_use]
    pub fn range(base: f64, low: f64, high: f64, status: Status) -> Self {
        Self {
            base,
            low,
            high,
            distribution: Distribution::Triangular,
            status,
        }
    }
}

impl Default for Driver {
    /// Zero, known exactly, status assumed: what an unstated optional component contributes.
    fn default() -> Self {
        Self::fixed(0.0, Status::Assumed)
    }
}

/// The components of a workload's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// Requests in the workload's first month.
    MonthlyRequests,
    /// Fractional change in volume from one month to the next: 0.05 = +5% a month.
    MonthlyGrowth,
    /// Inference (tokens or GPU share) per request.
    InferenceCostPerRequest,
    /// Eval grading per request.
    EvalCostPerRequest,
    /// Human escalation per request.
    HumanCostPerRequest,
    /// Share of requests whose output is accepted.
    AcceptanceRate,
    /// Cost per month whatever the volume (operations, reserved capacity).
    FixedMonthlyCost,
}

impl Component {
    /// Every component, in the order reports list them.
    pub const ALL: [Self; 7] = [
        Self::MonthlyRequests,
        Self::MonthlyGrowth,
        Self::InferenceCostPerRequest,
        Self::EvalCostPerRequest,
        Self::HumanCostPerRequest,
        Self::AcceptanceRate,
        Self::FixedMonthlyCost,
    ];

    /// The component's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::MonthlyRequests => "monthly_requests",
            Self::MonthlyGrowth => "monthly_growth",
            Self::InferenceCostPerRequest => "inference_cost_per_request",
            Self::EvalCostPerRequest => "eval_cost_per_request",
            Self::HumanCostPerRequest => "human_cost_per_request",
            Self::AcceptanceRate => "acceptance_rate",
            Self::FixedMonthlyCost => "fixed_monthly_cost",
        }
    }

    /// The component in plain words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::MonthlyRequests => "Monthly requests",
            Self::MonthlyGrowth => "Monthly growth",
            Self::InferenceCostPerRequest => "Inference cost per request",
            Self::EvalCostPerRequest => "Eval cost per request",
            Self::HumanCostPerRequest => "Human cost per request",
            Self::AcceptanceRate => "Acceptance rate",
            Self::FixedMonthlyCost => "Fixed monthly cost",
        }
    }
}

/// One workload's drivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastWorkload {
    /// Unique name, e.g. `support chat`.
    pub name: String,
    /// Requests in the workload's first month of the quarter.
    pub monthly_requests: Driver,
    /// Month-over-month volume growth (0 when not given).
    #[serde(default)]
    pub monthly_growth: Driver,
    /// Inference cost per request, dollars.
    pub inference_cost_per_request: Driver,
    /// Eval grading cost per request, dollars (0 when not given).
    #[serde(default)]
    pub eval_cost_per_request: Driver,
    /// Human escalation cost per request, dollars (0 when not given).
    #[serde(default)]
    pub human_cost_per_request: Driver,
    /// Share of requests accepted, in (0, 1].
    pub acceptance_rate: Driver,
    /// Fixed cost per month, dollars (0 when not given).
    #[serde(default)]
    pub fixed_monthly_cost: Driver,
}

impl ForecastWorkload {
    /// The driver of one component.
    #[must_use]
    pub fn driver(&self, component: Component) -> &Driver {
        match component {
            Component::MonthlyRequests => &self.monthly_requests,
            Component::MonthlyGrowth => &self.monthly_growth,
            Component::InferenceCostPerRequest => &self.inference_cost_per_request,
            Component::EvalCostPerRequest => &self.eval_cost_per_request,
            Component::HumanCostPerRequest => &self.human_cost_per_request,
            Component::AcceptanceRate => &self.acceptance_rate,
            Component::FixedMonthlyCost => &self.fixed_monthly_cost,
        }
    }
}

fn first_month() -> u32 {
    1
}

/// One change a scenario makes to the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Multiplies one component of a workload by `factor`.
    Multiply {
        /// The workload changed.
        workload: String,
        /// The component multiplied.
        component: Component,
        /// The multiplier at full effect (≥ 0).
        factor: Driver,
        /// Months to full effect (0: at once).
        #[serde(default)]
        ramp_months: u32,
    },
    /// Adds `amount` (may be negative) to one component of a workload.
    Add {
        /// The workload changed.
        workload: String,
        /// The component added to.
        component: Component,
        /// The amount at full effect.
        amount: Driver,
        /// Months to full effect (0: at once).
        #[serde(default)]
        ramp_months: u32,
    },
    /// Adds a workload that is not running today.
    NewWorkload {
        /// Its drivers; `monthly_requests` is the volume of its first month.
        workload: ForecastWorkload,
        /// The month of the quarter it starts in, 1 to 3.
        #[serde(default = "first_month")]
        start_month: u32,
    },
    /// Moves a workload's acceptance rate to `rate`.
    Acceptance {
        /// The workload changed.
        workload: String,
        /// The acceptance rate at full effect, in (0, 1].
        rate: Driver,
        /// Months to full effect (0: at once).
        #[serde(default)]
        ramp_months: u32,
    },
    /// A change in prompt-cache hits, as the multiplier it puts on inference cost per request
    /// (a prompt edit that breaks a cached prefix: above 1).
    CacheHit {
        /// The workload changed.
        workload: String,
        /// Multiplier on inference cost per request at full effect (≥ 0).
        inference_multiplier: Driver,
        /// Months to full effect (0: at once).
        #[serde(default)]
        ramp_months: u32,
    },
    /// A move to another model, as the ratio of its token cost to the current one's.
    ModelMigration {
        /// The workload migrated.
        workload: String,
        /// Multiplier on inference cost per request at full effect (≥ 0).
        token_cost_multiplier: Driver,
        /// Months until the migration carries all traffic (0: at once).
        #[serde(default)]
        ramp_months: u32,
    },
}

/// A named set of changes to the base; no changes and no includes is the base case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name, e.g. `model migration`.
    pub name: String,
    /// Scenarios whose changes apply first, in this order.
    #[serde(default)]
    pub includes: Vec<String>,
    /// This scenario's own changes, applied in order after the included ones.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// The base workloads and the scenarios to forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastInput {
    /// Workloads running today.
    pub workloads: Vec<ForecastWorkload>,
    /// Scenarios, in the order results are reported.
    pub scenarios: Vec<Scenario>,
}
