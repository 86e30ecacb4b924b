//! The workload profile that the profile estimate of LCPR runs on.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult, fraction, non_negative, non_negative_money};
use crate::money;

/// A workload as the estimate sees it: volume, token means and the rates that load its cost.
///
/// Fractions lie in [0, 1]; counts, hours and money are ≥ 0. Missing optional fractions are 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadProfile {
    /// Mean input tokens per request (uncached and cached together).
    pub avg_input_tokens: f64,
    /// Mean output tokens per request.
    pub avg_output_tokens: f64,
    /// Requests per 30-day month (integral in meaning).
    pub monthly_requests: f64,
    /// Extra attempts per request: 0.03 = 3 retries per 100 requests.
    #[serde(default)]
    pub retry_rate: f64,
    /// Share of outputs that pass the quality gate.
    pub quality_gate_pass_rate: f64,
    /// Share of input tokens read from the prompt cache.
    #[serde(default)]
    pub cache_hit_rate: f64,
    /// Share of requests that can run through a batch lane.
    #[serde(default)]
    pub batch_eligible_fraction: f64,
    /// Share of input tokens that load a dedicated GPU like output tokens do.
    #[serde(default)]
    pub prefill_efficiency: f64,
    /// Cost of repairing one output that failed the gate, in dollars.
    #[serde(default)]
    pub repair_cost_per_failure: Decimal,
    /// Engineering hours the route needs each month.
    #[serde(default)]
    pub engineering_hours_per_month: f64,
    /// Loaded cost of one engineering hour, in dollars.
    #[serde(default)]
    pub engineer_hourly_cost: Decimal,
}

impl WorkloadProfile {
    /// Checks every field against its rule; the first broken rule is returned.
    pub fn validate(&self) -> InputResult<()> {
        for field in ProfileField::ALL {
            field.check(self.get_value(field))?;
        }
        non_negative_money("repair_cost_per_failure", self.repair_cost_per_failure)?;
        non_negative_money("engineer_hourly_cost", self.engineer_hourly_cost)
    }

    /// The value of one numeric field as f64.
    #[must_use]
    pub fn get_value(&self, field: ProfileField) -> f64 {
        match field {
            ProfileField::AvgInputTokens => self.avg_input_tokens,
            ProfileField::AvgOutputTokens => self.avg_output_tokens,
            ProfileField::MonthlyRequests => self.monthly_requests,
            ProfileField::RetryRate => self.retry_rate,
            ProfileField::QualityGatePassRate => self.quality_gate_pass_rate,
            ProfileField::CacheHitRate => self.cache_hit_rate,
            ProfileField::BatchEligibleFraction => self.batch_eligible_fraction,
            ProfileField::PrefillEfficiency => self.prefill_efficiency,
            ProfileField::RepairCostPerFailure => money::to_f64(self.repair_cost_per_failure),
            ProfileField::EngineeringHoursPerMonth => self.engineering_hours_per_month,
            ProfileField::EngineerHourlyCost => money::to_f64(self.engineer_hourly_cost),
        }
    }

    /// Sets one numeric field, refusing a value that breaks the field's rule.
    pub fn set_value(&mut self, field: ProfileField, value: f64) -> InputResult<()> {
        field.check(value)?;
        let money_value = || {
            money::from_f64(value)
                .ok_or_else(|| InputError::new(field.name(), format!("is not money: {value}")))
        };
        match field {
            ProfileField::AvgInputTokens => self.avg_input_tokens = value,
            ProfileField::AvgOutputTokens => self.avg_output_tokens = value,
            ProfileField::MonthlyRequests => self.monthly_requests = value,
            ProfileField::RetryRate => self.retry_rate = value,
            ProfileField::QualityGatePassRate => self.quality_gate_pass_rate = value,
            ProfileField::CacheHitRate => self.cache_hit_rate = value,
            ProfileField::BatchEligibleFraction => self.batch_eligible_fraction = value,
            ProfileField::PrefillEfficiency => self.prefill_efficiency = value,
            ProfileField::RepairCostPerFailure => self.repair_cost_per_failure = money_value()?,
            ProfileField::EngineeringHoursPerMonth => self.engineering_hours_per_month = value,
            ProfileField::EngineerHourlyCost => self.engineer_hourly_cost = money_value()?,
        }
        Ok(())
    }
}

/// The numeric fields of a [`WorkloadProfile`], for sweeps and sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileField {
    /// `avg_input_tokens`
    AvgInputTokens,
    /// `avg_output_tokens`
    AvgOutputTokens,
    /// `monthly_requests`
    MonthlyRequests,
    /// `retry_rate`
    RetryRate,
    /// `quality_gate_pass_rate`
    QualityGatePassRate,
    /// `cache_hit_rate`
    CacheHitRate,
    /// `batch_eligible_fraction`
    BatchEligibleFraction,
    /// `prefill_efficiency`
    PrefillEfficiency,
    /// `repair_cost_per_failure`
    RepairCostPerFailure,
    /// `engineering_hours_per_month`
    EngineeringHoursPerMonth,
    /// `engineer_hourly_cost`
    EngineerHourlyCost,
}

impl ProfileField {
    /// Every field, in document order.
    pub const ALL: [Self; 11] = [
        Self::AvgInputTokens,
        Self::AvgOutputTokens,
        Self::MonthlyRequests,
        Self::RetryRate,
        Self::QualityGatePassRate,
        Self::CacheHitRate,
        Self::BatchEligibleFraction,
        Self::PrefillEfficiency,
        Self::RepairCostPerFailure,
        Self::EngineeringHoursPerMonth,
        Self::EngineerHourlyCost,
    ];

    /// The field's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AvgInputTokens => "avg_input_tokens",
            Self::AvgOutputTokens => "avg_output_tokens",
            Self::MonthlyRequests => "monthly_requests",
            Self::RetryRate => "retry_rate",
            Self::QualityGatePassRate => "quality_gate_pass_rate",
            Self::CacheHitRate => "cache_hit_rate",
            Self::BatchEligibleFraction => "batch_eligible_fraction",
            Self::PrefillEfficiency => "prefill_efficiency",
            Self::RepairCostPerFailure => "repair_cost_per_failure",
            Self::EngineeringHoursPerMonth => "engineering_hours_per_month",
            Self::EngineerHourlyCost => "engineer_hourly_cost",
        }
    }

    /// Looks a field up by its file name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// True for the fields that are fractions in [0, 1].
    #[must_use]
    pub fn is_fraction(self) -> bool {
        matches!(
            self,
            Self::RetryRate
                | Self::QualityGatePassRate
                | Self::CacheHitRate
                | Self::BatchEligibleFraction
                | Self::PrefillEfficiency
        )
    }

    /// Checks `value` against this field's rule.
    pub fn check(self, value: f64) -> InputResult<()> {
        if self.is_fraction() {
            fraction(self.name(), value)
        } else {
            non_negative(self.name(), value)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The `saas_chat` profile used across the calculator's examples.
    pub(crate) fn saas_chat() -> WorkloadProfile {
        WorkloadProfile {
            avg_input_tokens: 800.0,
            avg_output_tokens: 400.0,
            monthly_requests: 500_000.0,
            retry_rate: 0.03,
            quality_gate_pass_rate: 0.95,
            cache_hit_rate: 0.0,
            batch_eligible_fraction: 0.0,
            prefill_efficiency: 0.0,
            repair_cost_per_failure: Decimal::new(2, 3),
            engineering_hours_per_month: 8.0,
            engineer_hourly_cost: Decimal::from(100),
        }
    }

    #[test]
    fn valid_profile_passes() {
        assert_eq!(saas_chat().validate(), Ok(()));
    }

    #[test]
    fn out_of_range_fraction_names_field_and_rule() {
        let mut p = saas_chat();
        p.retry_rate = 1.5;
        let err = p.validate().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("retry_rate must lie in [0, 1], got 1.5")
        );
    }

    #[test]
    fn negative_money_is_refused() {
        let mut p = saas_chat();
        p.repair_cost_per_failure = Decimal::new(-1, 2);
        assert_eq!(
            p.validate().map_err(|e| e.field),
            Err("repair_cost_per_failure".to_owned())
        );
    }

    #[test]
    fn set_value_refuses_and_leaves_profile_unchanged() {
        let mut p = saas_chat();
        assert!(p.set_value(ProfileField::CacheHitRate, -0.1).is_err());
        assert_eq!(p, saas_chat());
        assert!(p.set_value(ProfileField::EngineerHourlyCost, 120.5).is_ok());
        assert_eq!(p.engineer_hourly_cost, Decimal::new(1205, 1));
    }

    #[test]
    fn names_round_trip() {
        for f in ProfileField::ALL {
            assert_eq!(ProfileField::from_name(f.name()), Some(f));
        }
        assert_eq!(ProfileField::from_name("retry"), None);
    }
}
