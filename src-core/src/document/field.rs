//! Named numeric inputs of the document, so register entries, overrides, sweeps and the
//! editor can read and write them by name with the same rules.

use serde::{Deserialize, Serialize};

use super::model::{Binding, RateCard, RatePricing, Route, Workload, Workspace};
use crate::error::{InputError, InputResult, fraction, non_negative};
use crate::money;

/// What kind of item a register entry binds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingTarget {
    /// A workload's field.
    Workload,
    /// A scenario's override of a workload field.
    Scenario,
    /// A rate card's price or GPU figure.
    RateCard,
    /// A route's quality score, non-production GPUs or operations staff.
    Route,
}

impl BindingTarget {
    /// The target's name in files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Workload => "workload",
            Self::Scenario => "scenario",
            Self::RateCard => "rate_card",
            Self::Route => "route",
        }
    }
}

/// How a value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// In [0, 1].
    Fraction,
    /// In (0, 1].
    PositiveFraction,
    /// ≥ 0.
    NonNegative,
    /// > 0.
    Positive,
    /// In [0, 1).
    Discount,
}

impl Rule {
    /// True for the rules of shares, which people read and type as percentages (files keep
    /// the fraction).
    #[must_use]
    pub fn is_share(self) -> bool {
        matches!(
            self,
            Self::Fraction | Self::PositiveFraction | Self::Discount
        )
    }

    /// Checks `value` against the rule, naming `field`.
    pub fn check(self, field: &str, value: f64) -> InputResult<()> {
        let bad = |range: &str| {
            Err(InputError::new(
                field,
                format!("must lie in {range}, got {value}"),
            ))
        };
        match self {
            Self::Fraction => fraction(field, value),
            Self::NonNegative => non_negative(field, value),
            Self::Positive => crate::error::positive(field, value),
            Self::PositiveFraction if value.is_finite() && value > 0.0 && value <= 1.0 => Ok(()),
            Self::PositiveFraction => bad("(0, 1]"),
            Self::Discount if value.is_finite() && (0.0..1.0).contains(&value) => Ok(()),
            Self::Discount => bad("[0, 1)"),
        }
    }
}

macro_rules! named_fields {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => ($text:literal, $label:literal, $unit:literal, $rule:ident)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every field, in document order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The field's name in files.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }

            /// A label for editors and tables.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }

            /// The unit the value is in.
            #[must_use]
            pub fn unit(self) -> &'static str {
                match self { $(Self::$variant => $unit,)+ }
            }

            /// The value's rule.
            #[must_use]
            pub fn rule(self) -> Rule {
                match self { $(Self::$variant => Rule::$rule,)+ }
            }

            /// Looks a field up by its file name.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|f| f.name() == name)
            }
        }
    };
}

named_fields!(
    /// The numeric fields of a workload (also the keys of scenario overrides).
    WorkloadField {
        /// Requests per month.
        MonthlyRequests => ("monthly_requests", "Monthly requests", "requests/month", NonNegative),
        /// Stable prefix tokens.
        StablePrefixTokens => ("stable_prefix_tokens", "Stable prefix", "tokens", NonNegative),
        /// Dynamic tail tokens.
        DynamicTailTokens => ("dynamic_tail_tokens", "Dynamic tail", "tokens", NonNegative),
        /// Output tokens.
        OutputTokens => ("output_tokens", "Output", "tokens", NonNegative),
        /// Cache hit rate on the stable prefix.
        CacheHitRate => ("cache_hit_rate", "Cache hit rate", "share", Fraction),
        /// Retry rate.
        RetryRate => ("retry_rate", "Retry rate", "share", Fraction),
        /// Quality gate pass rate.
        QualityGatePassRate => ("quality_gate_pass_rate", "Quality gate pass rate", "share", Fraction),
        /// Repair cost per failed output.
        RepairCostPerFailure => ("repair_cost_per_failure", "Repair cost per failure", "$", NonNegative),
        /// Human escalation rate.
        HumanEscalationRate => ("human_escalation_rate", "Human escalation rate", "share", Fraction),
        /// Cost per escalated case.
        HumanCostPerCase => ("human_cost_per_case", "Human cost per case", "$", NonNegative),
        /// Eval sample rate.
        EvalSampleRate => ("eval_sample_rate", "Eval sample rate", "share", Fraction),
        /// Grader cost per eval.
        GraderCostPerEval => ("grader_cost_per_eval", "Grader cost per eval", "$", NonNegative),
        /// Monthly operations allocation.
        OpsMonthlyCost => ("ops_monthly_cost", "Ops allocation", "$/month", NonNegative),
        /// Engineering hours per month.
        EngineeringHoursPerMonth => ("engineering_hours_per_month", "Engineering hours", "h/month", NonNegative),
        /// Engineer hourly cost.
        EngineerHourlyCost => ("engineer_hourly_cost", "Engineer hourly cost", "$/h", NonNegative),
        /// Batch-eligible share.
        BatchEligibleShare => ("batch_eligible_share", "Batch-eligible share", "share", Fraction),
        /// Prefill efficiency on GPUs.
        PrefillEfficiency => ("prefill_efficiency", "Prefill load share", "share", Fraction),
    }
);

named_fields!(
    /// The numeric fields of a rate card.
    RateCardField {
        /// Uncached input price.
        InputPerM => ("input_per_m", "Input", "$/M tokens", NonNegative),
        /// Cache-read price.
        CachedInputPerM => ("cached_input_per_m", "Cached input", "$/M tokens", NonNegative),
        /// Output price.
        OutputPerM => ("output_per_m", "Output", "$/M tokens", NonNegative),
        /// Batch input price.
        BatchInputPerM => ("batch_input_per_m", "Batch input", "$/M tokens", NonNegative),
        /// Batch output price.
        BatchOutputPerM => ("batch_output_per_m", "Batch output", "$/M tokens", NonNegative),
        /// GPU-hour price.
        HourlyRate => ("hourly_rate", "GPU-hour", "$/h", NonNegative),
        /// Throughput per GPU.
        ThroughputTps => ("throughput_tps", "Throughput", "tokens/s per GPU", Positive),
        /// Sustained utilization.
        Utilization => ("utilization", "Utilization", "share", PositiveFraction),
        /// Contract discount off list.
        ContractDiscount => ("contract_discount", "Contract discount", "share", Discount),
    }
);

named_fields!(
    /// The numeric fields of a route.
    RouteField {
        /// Quality score.
        QualityScore => ("quality_score", "Quality score", "share", PositiveFraction),
        /// Staging GPUs.
        StagingGpus => ("staging_gpus", "Staging GPUs", "GPUs", NonNegative),
        /// Test GPUs.
        TestGpus => ("test_gpus", "Test GPUs", "GPUs", NonNegative),
        /// Canary GPUs.
        CanaryGpus => ("canary_gpus", "Canary GPUs", "GPUs", NonNegative),
        /// Reserve GPUs.
        ReserveGpus => ("reserve_gpus", "Reserve GPUs", "GPUs", NonNegative),
        /// Operations FTE.
        OpsFte => ("ops_fte", "Operations staff", "FTE", NonNegative),
        /// Monthly cost per FTE.
        FteMonthlyCost => ("fte_monthly_cost", "Cost per FTE", "$/month", NonNegative),
    }
);

named_fields!(
    /// The numeric inputs of a scenario's mix a register entry can bind (target `scenario`).
    MixField {
        /// A split's share on its first other route.
        SplitShare => ("split_share", "Split share", "share", Fraction),
        /// A cascade judge's accuracy.
        JudgeAccuracy => ("judge_accuracy", "Judge accuracy", "share", Fraction),
        /// A cascade judge's cost per request.
        JudgeCostPerRequest => ("judge_cost_per_request", "Judge cost", "$/request", NonNegative),
        /// Production GPUs reserved.
        ReservedGpus => ("reserved_gpus", "Reserved GPUs", "GPUs", NonNegative),
        /// The batch lane's share.
        BatchLaneShare => ("batch_lane_share", "Batch lane share", "share", Fraction),
    }
);

impl super::mix::Mix {
    /// Reads a mix input; `None` when this shape has no such input.
    #[must_use]
    pub fn get(&self, field: MixField) -> Option<f64> {
        use super::mix::Mix as M;
        match (self, field) {
            (M::Split { parts }, MixField::SplitShare) => parts.first().map(|p| p.share),
            (M::Cascade { judge, .. }, MixField::JudgeAccuracy) => Some(judge.accuracy),
            (M::Cascade { judge, .. }, MixField::JudgeCostPerRequest) => {
                Some(money::to_f64(judge.cost_per_request))
            }
            (M::ReservedOverflow { reserved_gpus, .. }, MixField::ReservedGpus) => {
                Some(*reserved_gpus)
            }
            (M::BatchLane { share, .. }, MixField::BatchLaneShare) => Some(*share),
            _ => None,
        }
    }

    /// Writes a mix input, refusing a value that breaks its rule or a field this shape lacks.
    pub fn set(&mut self, field: MixField, value: f64) -> InputResult<()> {
        use super::mix::Mix as M;
        field.rule().check(field.name(), value)?;
        match (self, field) {
            (M::Split { parts }, MixField::SplitShare) => {
                let others: f64 = parts.iter().skip(1).map(|p| p.share).sum();
                if value + others > 1.0 + 1e-9 {
                    return Err(InputError::new(
                        field.name(),
                        format!(
                            "with the other parts' {others} the shares would add up to more than 1, got {value}"
                        ),
                    ));
                }
                if let Some(p) = parts.first_mut() {
                    p.share = value;
                }
            }
            (M::Cascade { judge, .. }, MixField::JudgeAccuracy) => judge.accuracy = value,
            (M::Cascade { judge, .. }, MixField::JudgeCostPerRequest) => {
                judge.cost_per_request = money_value(field.name(), value)?;
            }
            (M::ReservedOverflow { reserved_gpus, .. }, MixField::ReservedGpus) => {
                *reserved_gpus = value;
            }
            (M::BatchLane { share, .. }, MixField::BatchLaneShare) => *share = value,
            _ => {
                return Err(InputError::new(
                    field.name(),
                    "is not an input of this scenario's mix",
                ));
            }
        }
        Ok(())
    }
}

fn money_value(field: &str, value: f64) -> InputResult<rust_decimal::Decimal> {
    money::from_f64(value)
        .ok_or_else(|| InputError::new(field, format!("is not an amount: {value}")))
}

impl Workload {
    /// Reads a numeric field.
    #[must_use]
    pub fn get(&self, field: WorkloadField) -> f64 {
        use WorkloadField as F;
        match field {
            F::MonthlyRequests => self.monthly_requests,
            F::StablePrefixTokens => self.tokens.stable_prefix,
            F::DynamicTailTokens => self.tokens.dynamic_tail,
            F::OutputTokens => self.tokens.output,
            F::CacheHitRate => self.cache_hit_rate,
            F::RetryRate => self.retry_rate,
            F::QualityGatePassRate => self.quality_gate_pass_rate,
            F::RepairCostPerFailure => money::to_f64(self.repair_cost_per_failure),
            F::HumanEscalationRate => self.human_escalation_rate,
            F::HumanCostPerCase => money::to_f64(self.human_cost_per_case),
            F::EvalSampleRate => self.eval_sample_rate,
            F::GraderCostPerEval => money::to_f64(self.grader_cost_per_eval),
            F::OpsMonthlyCost => money::to_f64(self.ops_monthly_cost),
            F::EngineeringHoursPerMonth => self.engineering_hours_per_month,
            F::EngineerHourlyCost => money::to_f64(self.engineer_hourly_cost),
            F::BatchEligibleShare => self.batch_eligible_share,
            F::PrefillEfficiency => self.prefill_efficiency,
        }
    }

    /// Writes a numeric field, refusing a value that breaks its rule (nothing changes then).
    pub fn set(&mut self, field: WorkloadField, value: f64) -> InputResult<()> {
        use WorkloadField as F;
        field.rule().check(field.name(), value)?;
        match field {
            F::MonthlyRequests => self.monthly_requests = value,
            F::StablePrefixTokens => self.tokens.stable_prefix = value,
            F::DynamicTailTokens => self.tokens.dynamic_tail = value,
            F::OutputTokens => self.tokens.output = value,
            F::CacheHitRate => self.cache_hit_rate = value,
            F::RetryRate => self.retry_rate = value,
            F::QualityGatePassRate => self.quality_gate_pass_rate = value,
            F::RepairCostPerFailure => {
                self.repair_cost_per_failure = money_value(field.name(), value)?
            }
            F::HumanEscalationRate => self.human_escalation_rate = value,
            F::HumanCostPerCase => self.human_cost_per_case = money_value(field.name(), value)?,
            F::EvalSampleRate => self.eval_sample_rate = value,
            F::GraderCostPerEval => self.grader_cost_per_eval = money_value(field.name(), value)?,
            F::OpsMonthlyCost => self.ops_monthly_cost = money_value(field.name(), value)?,
            F::EngineeringHoursPerMonth => self.engineering_hours_per_month = value,
            F::EngineerHourlyCost => self.engineer_hourly_cost = money_value(field.name(), value)?,
            F::BatchEligibleShare => self.batch_eligible_share = value,
            F::PrefillEfficiency => self.prefill_efficiency = value,
        }
        Ok(())
    }
}

impl RateCard {
    /// Reads a numeric field; `None` when the card has no such figure.
    #[must_use]
    pub fn get(&self, field: RateCardField) -> Option<f64> {
        use RateCardField as F;
        if field == F::ContractDiscount {
            return Some(self.contract.as_ref().map_or(0.0, |c| c.discount));
        }
        match (&self.pricing, field) {
            (RatePricing::Tokens { input_per_m, .. }, F::InputPerM) => {
                Some(money::to_f64(*input_per_m))
            }
            (
                RatePricing::Tokens {
                    cached_input_per_m, ..
                },
                F::CachedInputPerM,
            ) => cached_input_per_m.map(money::to_f64),
            (RatePricing::Tokens { output_per_m, .. }, F::OutputPerM) => {
                Some(money::to_f64(*output_per_m))
            }
            (
                RatePricing::Tokens {
                    batch_input_per_m, ..
                },
                F::BatchInputPerM,
            ) => batch_input_per_m.map(money::to_f64),
            (
                RatePricing::Tokens {
                    batch_output_per_m, ..
                },
                F::BatchOutputPerM,
            ) => batch_output_per_m.map(money::to_f64),
            (RatePricing::Gpu { hourly_rate, .. }, F::HourlyRate) => {
                Some(money::to_f64(*hourly_rate))
            }
            (RatePricing::Gpu { throughput_tps, .. }, F::ThroughputTps) => Some(*throughput_tps),
            (RatePricing::Gpu { utilization, .. }, F::Utilization) => Some(*utilization),
            _ => None,
        }
    }

    /// Writes a numeric field, refusing a field the card's kind does not have.
    pub fn set(&mut self, field: RateCardField, value: f64) -> InputResult<()> {
        use RateCardField as F;
        field.rule().check(field.name(), value)?;
        let kind = if self.pricing.is_tokens() {
            "token"
        } else {
            "GPU"
        };
        let wrong_kind = || {
            Err(InputError::new(
                field.name(),
                format!("does not exist on a {kind}-priced rate card"),
            ))
        };
        if field == F::ContractDiscount {
            self.contract.get_or_insert_with(Default::default).discount = value;
            return Ok(());
        }
        let amount = money_value(field.name(), value);
        match (&mut self.pricing, field) {
            (RatePricing::Tokens { input_per_m, .. }, F::InputPerM) => *input_per_m = amount?,
            (
                RatePricing::Tokens {
                    cached_input_per_m, ..
                },
                F::CachedInputPerM,
            ) => *cached_input_per_m = Some(amount?),
            (RatePricing::Tokens { output_per_m, .. }, F::OutputPerM) => *output_per_m = amount?,
            (
                RatePricing::Tokens {
                    batch_input_per_m, ..
                },
                F::BatchInputPerM,
            ) => *batch_input_per_m = Some(amount?),
            (
                RatePricing::Tokens {
                    batch_output_per_m, ..
                },
                F::BatchOutputPerM,
            ) => *batch_output_per_m = Some(amount?),
            (RatePricing::Gpu { hourly_rate, .. }, F::HourlyRate) => *hourly_rate = amount?,
            (RatePricing::Gpu { throughput_tps, .. }, F::ThroughputTps) => *throughput_tps = value,
            (RatePricing::Gpu { utilization, .. }, F::Utilization) => *utilization = value,
            _ => return wrong_kind(),
        }
        Ok(())
    }
}

impl Route {
    /// Reads a numeric field.
    #[must_use]
    pub fn get(&self, field: RouteField) -> f64 {
        use RouteField as F;
        match field {
            F::QualityScore => self.quality_score,
            F::StagingGpus => self.non_production.staging_gpus,
            F::TestGpus => self.non_production.test_gpus,
            F::CanaryGpus => self.non_production.canary_gpus,
            F::ReserveGpus => self.non_production.reserve_gpus,
            F::OpsFte => self.ops_fte,
            F::FteMonthlyCost => money::to_f64(self.fte_monthly_cost),
        }
    }

    /// Writes a numeric field, refusing a value that breaks its rule.
    pub fn set(&mut self, field: RouteField, value: f64) -> InputResult<()> {
        use RouteField as F;
        field.rule().check(field.name(), value)?;
        match field {
            F::QualityScore => self.quality_score = value,
            F::StagingGpus => self.non_production.staging_gpus = value,
            F::TestGpus => self.non_production.test_gpus = value,
            F::CanaryGpus => self.non_production.canary_gpus = value,
            F::ReserveGpus => self.non_production.reserve_gpus = value,
            F::OpsFte => self.ops_fte = value,
            F::FteMonthlyCost => self.fte_monthly_cost = money_value(field.name(), value)?,
        }
        Ok(())
    }
}

/// A binding's field, resolved to its typed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRef {
    /// A workload field, or a scenario's override of one.
    Workload(WorkloadField),
    /// A rate card field.
    RateCard(RateCardField),
    /// A route field.
    Route(RouteField),
    /// A scenario's mix input.
    Mix(MixField),
}

impl FieldRef {
    /// The rule the field's values follow.
    #[must_use]
    pub fn rule(self) -> Rule {
        match self {
            Self::Workload(f) => f.rule(),
            Self::RateCard(f) => f.rule(),
            Self::Route(f) => f.rule(),
            Self::Mix(f) => f.rule(),
        }
    }

    /// The field's label and unit.
    #[must_use]
    pub fn label_and_unit(self) -> (&'static str, &'static str) {
        match self {
            Self::Workload(f) => (f.label(), f.unit()),
            Self::RateCard(f) => (f.label(), f.unit()),
            Self::Route(f) => (f.label(), f.unit()),
            Self::Mix(f) => (f.label(), f.unit()),
        }
    }
}

impl Binding {
    /// The typed field, or the rule the name breaks.
    pub fn field_ref(&self) -> InputResult<FieldRef> {
        let unknown = |names: Vec<&str>| {
            InputError::new(
                "field",
                format!(
                    "must name a {} field ({}), got {:?}",
                    self.target.name(),
                    names.join(", "),
                    self.field
                ),
            )
        };
        match self.target {
            BindingTarget::Workload => WorkloadField::from_name(&self.field)
                .map(FieldRef::Workload)
                .ok_or_else(|| unknown(WorkloadField::ALL.iter().map(|f| f.name()).collect())),
            BindingTarget::Scenario => WorkloadField::from_name(&self.field)
                .map(FieldRef::Workload)
                .or_else(|| MixField::from_name(&self.field).map(FieldRef::Mix))
                .ok_or_else(|| {
                    unknown(
                        WorkloadField::ALL
                            .iter()
                            .map(|f| f.name())
                            .chain(MixField::ALL.iter().map(|f| f.name()))
                            .collect(),
                    )
                }),
            BindingTarget::RateCard => RateCardField::from_name(&self.field)
                .map(FieldRef::RateCard)
                .ok_or_else(|| unknown(RateCardField::ALL.iter().map(|f| f.name()).collect())),
            BindingTarget::Route => RouteField::from_name(&self.field)
                .map(FieldRef::Route)
                .ok_or_else(|| unknown(RouteField::ALL.iter().map(|f| f.name()).collect())),
        }
    }
}

impl Workspace {
    /// The current value of a bound input (a scenario without an override reads its
    /// workload's value); `None` when the binding does not resolve.
    #[must_use]
    pub fn read_binding(&self, binding: &Binding) -> Option<f64> {
        match (binding.target, binding.field_ref().ok()?) {
            (BindingTarget::Workload, FieldRef::Workload(f)) => {
                Some(self.workload(&binding.id)?.get(f))
            }
            (BindingTarget::Scenario, FieldRef::Workload(f)) => {
                let s = self.scenario(&binding.id)?;
                match s.overrides.get(&f) {
                    Some(v) => Some(*v),
                    None => Some(self.workload(&s.workload)?.get(f)),
                }
            }
            (BindingTarget::Scenario, FieldRef::Mix(f)) => {
                self.scenario(&binding.id)?.mix.as_ref()?.get(f)
            }
            (BindingTarget::RateCard, FieldRef::RateCard(f)) => self.rate_card(&binding.id)?.get(f),
            (BindingTarget::Route, FieldRef::Route(f)) => Some(self.route(&binding.id)?.get(f)),
            _ => None,
        }
    }

    /// Writes `value` into a bound input, refusing an unknown target or a value that breaks
    /// the field's rule (nothing changes then).
    pub fn write_binding(&mut self, binding: &Binding, value: f64) -> InputResult<()> {
        let missing = || {
            InputError::new(
                "id",
                format!("names no {} {:?}", binding.target.name(), binding.id),
            )
        };
        match (binding.target, binding.field_ref()?) {
            (BindingTarget::Workload, FieldRef::Workload(f)) => self
                .workloads
                .iter_mut()
                .find(|w| w.id == binding.id)
                .ok_or_else(missing)?
                .set(f, value),
            (BindingTarget::Scenario, FieldRef::Workload(f)) => {
                f.rule().check(f.name(), value)?;
                self.scenarios
                    .iter_mut()
                    .find(|s| s.id == binding.id)
                    .ok_or_else(missing)?
                    .overrides
                    .insert(f, value);
                Ok(())
            }
            (BindingTarget::Scenario, FieldRef::Mix(f)) => self
                .scenarios
                .iter_mut()
                .find(|s| s.id == binding.id)
                .ok_or_else(missing)?
                .mix
                .as_mut()
                .ok_or_else(|| {
                    InputError::new("field", "names a mix input of a single-route scenario")
                })?
                .set(f, value),
            (BindingTarget::RateCard, FieldRef::RateCard(f)) => self
                .rate_cards
                .iter_mut()
                .find(|c| c.id == binding.id)
                .ok_or_else(missing)?
                .set(f, value),
            (BindingTarget::Route, FieldRef::Route(f)) => self
                .routes
                .iter_mut()
                .find(|r| r.id == binding.id)
                .ok_or_else(missing)?
                .set(f, value),
            _ => Err(InputError::new(
                "field",
                "does not belong to the binding's target",
            )),
        }
    }
}
