//! One-parameter sensitivity: the LCPR estimate re-run with one profile field set to each of a
//! list of values, all else held.

use serde::Serialize;

use crate::calc::lcpr::LcprModel;
use crate::calc::lcpr::RoutePricing;
use crate::calc::lcpr::{ProfileField, WorkloadProfile};
use crate::error::InputResult;

/// The estimate at one value of the varied field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SensitivityPoint {
    /// The field's value.
    pub value: f64,
    /// LCPR at that value.
    pub lcpr: f64,
    /// Monthly cost at that value.
    pub monthly_cost: f64,
}

/// Sweeps `field` over `values`; a value outside the field's range is refused with the
/// profile's own message.
pub fn sweep(
    profile: &WorkloadProfile,
    pricing: &RoutePricing,
    field: ProfileField,
    values: &[f64],
) -> InputResult<Vec<SensitivityPoint>> {
    let mut varied = profile.clone();
    values
        .iter()
        .map(|&value| {
            varied.set_value(field, value)?;
            let e = LcprModel::new(&varied, pricing)?.estimate();
            Ok(SensitivityPoint {
                value,
                lcpr: e.lcpr,
                monthly_cost: e.monthly_cost,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::lcpr::pricing::tests::token_route;
    use crate::calc::lcpr::profile::tests::saas_chat;

    #[test]
    fn retry_rate_moves_cost_linearly() {
        let r = token_route("DeepInfra", "0.039", "0.19", "0");
        let pts = sweep(&saas_chat(), &r, ProfileField::RetryRate, &[0.0, 0.1, 0.2]);
        let pts = pts.unwrap_or_else(|e| panic!("{e}"));
        let step1 = pts[1].monthly_cost - pts[0].monthly_cost;
        let step2 = pts[2].monthly_cost - pts[1].monthly_cost;
        assert!((step1 - step2).abs() < 1e-9);
        assert!((pts[0].monthly_cost - 903.6).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_value_is_refused_with_the_profile_message() {
        let r = token_route("x", "1", "1", "0");
        let err = sweep(&saas_chat(), &r, ProfileField::RetryRate, &[0.1, 1.5]).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("retry_rate must lie in [0, 1], got 1.5".into())
        );
    }

    #[test]
    fn pass_rate_of_zero_is_refused() {
        let r = token_route("x", "1", "1", "0");
        assert!(sweep(&saas_chat(), &r, ProfileField::QualityGatePassRate, &[0.0]).is_err());
    }
}
