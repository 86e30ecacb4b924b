//! `lcpr-core`: the engine of LCPR Workbench.
//!
//! LCPR — loaded cost per accepted result — is (inference + eval grading + human escalation +
//! ops + invoice delta) ÷ accepted outputs. This crate holds every computation as a pure function
//! of typed inputs, one module per computation, with typed errors ([`InputError`]). It has no GUI
//! code: the desktop workbench and the `lcpr` CLI are thin faces over it.
//!
//! Numbers: money that a user types (prices, costs, invoice amounts) is held as
//! [`rust_decimal::Decimal`] where it is stored; see [`money`] for where and why f64 is used.

pub mod attribution;
pub mod break_even;
pub mod cache_break_even;
pub mod calc;
pub mod chart;
pub mod content_hash;
pub mod document;
pub mod error;
pub mod evaluation;
pub mod evidence_status;
pub mod figures;
pub mod forecast;
pub mod goodput;
pub mod hf_config;
pub mod import;
pub mod incident_cost;
pub mod joins;
pub mod kv_sizing;
pub mod lcpr;
pub mod loadtest;
pub mod memo;
pub mod migration_case;
pub mod migration_gates;
pub mod money;
pub mod monte_carlo;
pub mod monthly_review;
pub mod payback;
pub mod percentile;
pub mod pricing;
pub mod profile;
pub mod querypack;
pub mod readiness;
pub mod register_monte_carlo;
pub mod register_tornado;
pub mod report;
pub mod sampling;
pub mod scenario_cost;
pub mod scenario_model;
pub mod sensitivity;
pub mod tornado;
pub mod trace_to_margin;

pub use error::InputError;
