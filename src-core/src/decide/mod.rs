//! Stage: the analyses that turn an evaluated case into a decision.
//!
//! - [`tornado`]: one-at-a-time sensitivity over the register;
//! - [`monte_carlo`]: sampled ranges over the register, P(A beats B), rank correlations;
//! - [`forecast`]: next quarter's cost per named scenario, a P10–P90 range;
//! - [`gates`] and [`migration`]: the five migration gates and the migration case around them;
//! - [`decision`]: the decision stated — stay, move, or move when the blocking gates clear;
//! - [`attribution`]: a shared bill split across teams by four modes;
//! - [`monthly_review`] and [`incidents`]: this month against last, and what incidents cost;
//! - [`plan`]: a mix scenario's cost curve, optimum and break-evens;
//! - [`starters`]: first drafts of the analysis sections from the evaluated case;
//! - [`diff`]: what changed between two versions of a workspace, and what it did to LCPR.
//!
//! May use: `case` and every earlier stage. Never `report`.

pub mod attribution;
pub mod decision;
pub mod diff;
pub mod forecast;
pub mod gates;
pub mod incidents;
pub mod migration;
pub mod monte_carlo;
pub mod monthly_review;
pub mod plan;
pub mod starters;
pub mod tornado;
