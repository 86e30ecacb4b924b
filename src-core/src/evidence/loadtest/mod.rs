//! Load tests: per-request results read from load generators' files, and the goodput sweep
//! over request rates that finds the capacity ceiling under the workload's SLOs and quality
//! gate.
//!
//! [`readers`] turns a file into [`readers::LoadTestRun`]s (one per offered rate) with what the
//! file shows about its method; [`sweep`] applies the workload's SLOs and gate to each run,
//! draws the goodput curve, and prices accepted results at the operating point. [`csv`] is the
//! RFC 4180 reader they (and [`crate::evidence::querypack`]) share.

pub mod csv;
pub mod readers;
pub mod sweep;

use crate::document::{ArrivalProcess, Methodology};

/// What a load test's method leaves out, each in a sentence.
#[must_use]
pub fn methodology_gaps(m: &Methodology, no_costs: bool) -> Vec<String> {
    let mut gaps = Vec::new();
    if m.arrivals == ArrivalProcess::ClosedLoop {
        gaps.push("Closed-loop arrivals: queueing under production (open) arrivals is not measured; throughput reads high.".to_owned());
    }
    if !m.warm_cache {
        gaps.push(
            "Cold prefix cache: TTFT and input cost do not reflect the steady-state hit rate."
                .to_owned(),
        );
    }
    if !m.cold_starts_included {
        gaps.push(
            "Cold starts excluded: the tail latency users see after scale-up is hidden.".to_owned(),
        );
    }
    if !m.retries_applied {
        gaps.push("No retry policy: the cost and load of retried failures are missing.".to_owned());
    }
    if !m.tail_latency_recorded {
        gaps.push(
            "Mean latency only: p95/p99 tails, where SLOs fail, are not reported.".to_owned(),
        );
    }
    if !m.quality_gate_applied {
        gaps.push("No quality gate: throughput counts outputs that would be rejected.".to_owned());
    }
    if no_costs {
        gaps.push("No request costs: cost per accepted result cannot be computed.".to_owned());
    }
    gaps
}
