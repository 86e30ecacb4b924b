//! `lcpr-core`: the engine of LCPR Workbench.
//!
//! LCPR — loaded cost per accepted result — is (inference + eval grading + human escalation +
//! ops + invoice delta) ÷ accepted outputs. Every computation is a pure function of typed inputs
//! with typed errors ([`InputError`]); no GUI code. The desktop workbench and the `lcpr` CLI are
//! thin faces over it.
//!
//! The crate is laid out as the flow a user's numbers take; each stage may use the ones above it
//! and never one below (`tests/layout.rs` checks it):
//!
//! | stage | holds |
//! | --- | --- |
//! | [`calc`] | the pure formulas behind `lcpr calc`, one file each |
//! | [`document`] | the workspace: model, file format, validation, field names |
//! | [`evidence`] | readers of the files users bring: traces, invoices, evals, load tests, configs |
//! | [`case`] | one workspace evaluated: scenario cost (Decimal and its f64 twin), the evaluation |
//! | [`decide`] | tornado, Monte Carlo, forecast, gates, attribution, monthly review, incidents |
//! | [`report`] | charts, the report model, PDF and CSV, the memo builders |
//!
//! Shared by all: [`error`] (typed errors and range rules), [`money`] (where Decimal and where
//! f64, and why), [`content_hash`] (file fingerprints).

pub mod content_hash;
pub mod error;
pub mod money;

pub mod calc;
pub mod case;
pub mod decide;
pub mod document;
pub mod evidence;
pub mod report;

pub use error::InputError;
