//! Stage: the pure formulas behind `lcpr calc`, one file each, on plain numbers.
//!
//! Each takes typed inputs and returns typed results or an [`crate::InputError`]; none reads a
//! workspace, a file or a clock. May use: `error`, `money` and each other. The document stores
//! some of their inputs (readiness factors, the trace-to-margin figures), so it names these
//! types; nothing here names the document or any later stage.

pub mod break_even;
pub mod cache_break_even;
pub mod goodput;
pub mod kv_sizing;
pub mod lcpr;
pub mod payback;
pub mod percentile;
pub mod readiness;
pub mod run;
pub mod sensitivity;
pub mod trace_to_margin;
