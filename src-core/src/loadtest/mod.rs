//! Load tests: per-request results read from load generators' files, and the goodput sweep
//! over request rates that finds the capacity ceiling under the workload's SLOs and quality
//! gate.
//!
//! [`readers`] turns a file into [`readers::LoadTestRun`]s (one per offered rate) with what the
//! file shows about its method; [`sweep`] applies the workload's SLOs and gate to each run,
//! draws the goodput curve, and prices accepted results at the operating point. [`csv`] is the
//! RFC 4180 reader they (and [`crate::querypack`]) share.

pub mod csv;
pub mod readers;
pub mod sweep;
