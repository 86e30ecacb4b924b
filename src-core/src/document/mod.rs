//! The workspace document: its model, file format, field names and rules.
//!
//! Stage: the first. A workspace is plain data (`Clone + PartialEq`, no GUI types); everything
//! computed from it lives in the later stages and is a pure function of it. Each section has its
//! own file (`forecast`, `attribution`, `incidents`, `monthly_review`, `gates`, `contracts`,
//! `mapping`, `simulation`), beside the core model (`model`), the file format (`yaml`, `atomic`, `lock`),
//! the rules (`validate`, `field`) and the prices after a contract (`rates`).
//!
//! May use: `calc` (the types of figures the document stores), `error`, `money`. Never
//! `evidence`, `case`, `decide` or `report`: a section whose rules are those of a later
//! computation is checked through [`SectionRules`], which that stage implements.

pub mod atomic;
pub mod attribution;
pub mod contracts;
pub mod date;
pub mod evidence_status;
pub mod field;
pub mod forecast;
pub mod gates;
pub mod incidents;
pub mod lock;
pub mod mapping;
pub mod mix;
pub mod model;
pub mod monthly_review;
pub mod rates;
pub mod simulation;
pub mod validate;
pub mod yaml;

pub use date::Date;
pub use field::{
    BindingTarget, FieldRef, MixField, RateCardField, RouteField, Rule, WorkloadField,
};
pub use lock::{LockError, WorkspaceLock};
pub use mix::{DemandProfile, Judge, Mix, MixPart, MixRoute};
pub use model::*;
pub use rates::{EffectiveRates, effective_rates};
pub use simulation::{DEFAULT_DRAWS, Distribution, MAX_DRAWS};
pub use validate::{SectionRules, Violation, validate};
pub use yaml::{DocumentError, Located, load, parse, save, to_yaml};
