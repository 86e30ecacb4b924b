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

/// A sweep checked and ready to be written: serializing it computes each point as it is
/// written (`{"points": [...], "vary": name}`, the contract's shape), so a sweep of any length
/// holds its values but never its points.
pub struct Sweep<'a> {
    profile: &'a WorkloadProfile,
    pricing: &'a RoutePricing,
    field: ProfileField,
    values: &'a [f64],
}

impl<'a> Sweep<'a> {
    /// Checks every value first (computing and dropping its point), so a value out of range is
    /// refused before anything is written.
    pub fn checked(
        profile: &'a WorkloadProfile,
        pricing: &'a RoutePricing,
        field: ProfileField,
        values: &'a [f64],
    ) -> InputResult<Self> {
        let sweep = Self::unchecked(profile, pricing, field, values);
        sweep.points().try_for_each(|p| p.map(drop))?;
        Ok(sweep)
    }

    /// A sweep of values already checked by [`Sweep::checked`]; a value out of range would
    /// fail the writing.
    #[must_use]
    pub fn unchecked(
        profile: &'a WorkloadProfile,
        pricing: &'a RoutePricing,
        field: ProfileField,
        values: &'a [f64],
    ) -> Self {
        Self {
            profile,
            pricing,
            field,
            values,
        }
    }

    fn points(&self) -> impl Iterator<Item = InputResult<SensitivityPoint>> + '_ {
        let mut varied = self.profile.clone();
        self.values.iter().map(move |&value| {
            varied.set_value(self.field, value)?;
            let e = LcprModel::new(&varied, self.pricing)?.estimate();
            Ok(SensitivityPoint {
                value,
                lcpr: e.lcpr,
                monthly_cost: e.monthly_cost,
            })
        })
    }
}

/// The points, computed one at a time while they are written.
struct Points<'s, 'a>(&'s Sweep<'a>);

impl Serialize for Points<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.0.values.len()))?;
        for p in self.0.points() {
            seq.serialize_element(&Ordered(p.map_err(S::Error::custom)?))?;
        }
        seq.end()
    }
}

/// A point with its keys in the order a JSON object value sorts them (lcpr, monthly_cost,
/// value), so streamed output equals the whole result written at once.
struct Ordered(SensitivityPoint);

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("lcpr", &self.0.lcpr)?;
        m.serialize_entry("monthly_cost", &self.0.monthly_cost)?;
        m.serialize_entry("value", &self.0.value)?;
        m.end()
    }
}

impl Serialize for Sweep<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("points", &Points(self))?;
        m.serialize_entry("vary", self.field.name())?;
        m.end()
    }
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
    fn a_streamed_sweep_writes_what_the_whole_result_would() {
        let r = token_route("DeepInfra", "0.039", "0.19", "0");
        let values = [0.0, 0.1, 0.25, 0.5];
        let p = saas_chat();
        let streamed = Sweep::checked(&p, &r, ProfileField::RetryRate, &values)
            .unwrap_or_else(|e| panic!("{e}"));
        let points = sweep(&p, &r, ProfileField::RetryRate, &values);
        let whole = serde_json::json!({
            "vary": "retry_rate",
            "points": serde_json::to_value(points.unwrap_or_else(|e| panic!("{e}"))).ok(),
        });
        assert_eq!(
            serde_json::to_string_pretty(&streamed).ok(),
            serde_json::to_string_pretty(&whole).ok()
        );
        let bad = [0.1, 1.5];
        assert!(Sweep::checked(&p, &r, ProfileField::RetryRate, &bad).is_err());
    }

    #[test]
    fn pass_rate_of_zero_is_refused() {
        let r = token_route("x", "1", "1", "0");
        assert!(sweep(&saas_chat(), &r, ProfileField::QualityGatePassRate, &[0.0]).is_err());
    }
}
