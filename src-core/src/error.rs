//! Typed input errors shared by every computation.
//!
//! An error names the field (as a path such as `profile.retry_rate`) and the rule it broke, so
//! a user can find and fix the value without reading code.

use std::fmt;

/// A value that breaks a rule of a computation's input contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// Path of the offending field, e.g. `profile.retry_rate` or `requests[3].ttft_ms`.
    pub field: String,
    /// The rule, phrased to follow the field name: `must lie in [0, 1], got 1.5`.
    pub rule: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.rule)
        } else {
            write!(f, "{} {}", self.field, self.rule)
        }
    }
}

impl InputError {
    /// An error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// The same error seen from a containing object: `prefix.field`.
    #[must_use]
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_owned()
        } else if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }
}

/// Shorthand for results of input validation.
pub type InputResult<T> = Result<T, InputError>;

/// Checks that `value` is finite and lies in the closed interval [0, 1].
pub fn fraction(field: &str, value: f64) -> InputResult<()> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(InputError::new(
            field,
            format!("must lie in [0, 1], got {value}"),
        ))
    }
}

/// Checks that `value` is finite and ≥ 0.
pub fn non_negative(field: &str, value: f64) -> InputResult<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(InputError::new(field, format!("must be ≥ 0, got {value}")))
    }
}

/// Checks that `value` is finite and > 0.
pub fn positive(field: &str, value: f64) -> InputResult<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(InputError::new(field, format!("must be > 0, got {value}")))
    }
}

/// Checks that a money amount is ≥ 0.
pub fn non_negative_money(field: &str, value: rust_decimal::Decimal) -> InputResult<()> {
    if value.is_sign_negative() && !value.is_zero() {
        Err(InputError::new(field, format!("must be ≥ 0, got {value}")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_joins_field_and_rule() {
        let e = InputError::new("retry_rate", "must lie in [0, 1], got 1.5");
        assert_eq!(e.to_string(), "retry_rate must lie in [0, 1], got 1.5");
        assert_eq!(
            e.within("profile").to_string(),
            "profile.retry_rate must lie in [0, 1], got 1.5"
        );
    }

    #[test]
    fn index_paths_join_without_dot() {
        let e = InputError::new("[2].cost", "must be ≥ 0, got -1").within("requests");
        assert_eq!(e.field, "requests[2].cost");
    }

    #[test]
    fn fraction_bounds_are_closed() {
        assert!(fraction("x", 0.0).is_ok());
        assert!(fraction("x", 1.0).is_ok());
        assert!(fraction("x", -0.0001).is_err());
        assert!(fraction("x", 1.0001).is_err());
        assert!(fraction("x", f64::NAN).is_err());
    }

    #[test]
    fn negative_money_is_refused_but_zero_is_not() {
        use rust_decimal::Decimal;
        assert!(non_negative_money("c", Decimal::ZERO).is_ok());
        assert!(non_negative_money("c", Decimal::new(-1, 2)).is_err());
    }
}
