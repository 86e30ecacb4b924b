//! The workspace document: its model, file format, field names and rules.
//!
//! A workspace is plain data (`Clone + PartialEq`, no GUI types); everything computed from it
//! lives in the computation modules and is a pure function of it.

pub mod atomic;
pub mod date;
pub mod field;
pub mod model;
pub mod validate;
pub mod yaml;

pub use date::Date;
pub use field::{BindingTarget, FieldRef, RateCardField, RouteField, Rule, WorkloadField};
pub use model::*;
pub use validate::{Violation, validate};
pub use yaml::{DocumentError, Located, load, parse, save, to_yaml};
