//! Goodput: accepted requests per second under latency SLOs and the quality gate.
//!
//! A request is accepted when it meets every SLO (a value equal to its SLO passes) and passes
//! the quality gate. Cost per accepted result divides the cost of all requests, failed ones
//! included, by the accepted count. Latency statistics run in f64; cost is summed in Decimal.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calc::percentile;
use crate::error::{InputError, InputResult, non_negative, non_negative_money, positive};
use crate::money;

/// One request of a load test or trace, as goodput sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredRequest {
    /// Time to first token, ms.
    pub ttft_ms: f64,
    /// Time per output token, ms.
    pub tpot_ms: f64,
    /// End-to-end latency, ms (needed when an E2E SLO is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_ms: Option<f64>,
    /// Output tokens produced.
    #[serde(default)]
    pub output_tokens: f64,
    /// Whether the output passed the quality gate.
    pub quality_pass: bool,
    /// What the request cost, in dollars.
    #[serde(default)]
    pub cost: Decimal,
}

/// Latency objectives; a value equal to its objective passes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    /// Time-to-first-token ceiling, ms.
    pub ttft_ms: f64,
    /// Time-per-output-token ceiling, ms.
    pub tpot_ms: f64,
    /// End-to-end ceiling, ms, if the workload has one.
    pub e2e_ms: Option<f64>,
}

/// p50, p95 and p99 of one latency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Percentiles {
    fn of(values: &[f64]) -> Option<Self> {
        match percentile::many(values, &[0.5, 0.95, 0.99])[..] {
            [Some(p50), Some(p95), Some(p99)] => Some(Self { p50, p95, p99 }),
            _ => None,
        }
    }
}

/// Goodput and what produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goodput {
    /// Requests measured.
    pub total_requests: usize,
    /// Requests that met every SLO and passed the gate.
    pub accepted_requests: usize,
    /// Accepted requests per second.
    pub goodput_rate: f64,
    /// All requests per second.
    pub throughput_rate: f64,
    /// Cost of all requests ÷ accepted; `None` when nothing was accepted.
    pub cost_per_accepted: Option<f64>,
    /// Cost of all requests.
    pub total_cost: f64,
    /// TTFT percentiles over all requests.
    pub ttft_ms: Percentiles,
    /// TPOT percentiles over all requests.
    pub tpot_ms: Percentiles,
    /// E2E percentiles over all requests, when every request has one.
    pub e2e_ms: Option<Percentiles>,
    /// Share passing the quality gate.
    pub quality_pass_rate: f64,
    /// Share meeting every latency SLO.
    pub latency_pass_rate: f64,
}

/// Computes goodput for `requests` measured over `duration_seconds` against `slo`.
pub fn goodput(
    requests: &[MeasuredRequest],
    duration_seconds: f64,
    slo: Slo,
) -> InputResult<Goodput> {
    if requests.is_empty() {
        return Err(InputError::new(
            "requests",
            "must hold at least one request",
        ));
    }
    positive("duration_seconds", duration_seconds)?;
    non_negative("ttft_slo_ms", slo.ttft_ms)?;
    non_negative("tpot_slo_ms", slo.tpot_ms)?;
    if let Some(e2e) = slo.e2e_ms {
        non_negative("e2e_slo_ms", e2e)?;
    }
    let mut quality_passes = 0usize;
    let mut latency_passes = 0usize;
    let mut accepted = 0usize;
    let mut total_cost = Decimal::ZERO;
    let mut ttft = Vec::with_capacity(requests.len());
    let mut tpot = Vec::with_capacity(requests.len());
    let mut e2e = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        let at = |e: InputError| e.within(&format!("requests[{i}]"));
        non_negative("ttft_ms", r.ttft_ms).map_err(at)?;
        non_negative("tpot_ms", r.tpot_ms).map_err(at)?;
        non_negative("output_tokens", r.output_tokens).map_err(at)?;
        non_negative_money("cost", r.cost).map_err(at)?;
        if let Some(v) = r.e2e_ms {
            non_negative("e2e_ms", v).map_err(at)?;
            e2e.push(v);
        }
        let e2e_ok = match (slo.e2e_ms, r.e2e_ms) {
            (None, _) => true,
            (Some(limit), Some(v)) => v <= limit,
            (Some(_), None) => {
                return Err(at(InputError::new(
                    "e2e_ms",
                    "is required when e2e_slo_ms is set",
                )));
            }
        };
        let latency_ok = r.ttft_ms <= slo.ttft_ms && r.tpot_ms <= slo.tpot_ms && e2e_ok;
        latency_passes += usize::from(latency_ok);
        quality_passes += usize::from(r.quality_pass);
        accepted += usize::from(latency_ok && r.quality_pass);
        total_cost += r.cost;
        ttft.push(r.ttft_ms);
        tpot.push(r.tpot_ms);
    }
    let n = requests.len() as f64;
    let total_cost = money::to_f64(total_cost);
    let (ttft_ms, tpot_ms) = match (Percentiles::of(&ttft), Percentiles::of(&tpot)) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(InputError::new(
                "requests",
                "must hold at least one request",
            ));
        }
    };
    Ok(Goodput {
        total_requests: requests.len(),
        accepted_requests: accepted,
        goodput_rate: accepted as f64 / duration_seconds,
        throughput_rate: n / duration_seconds,
        cost_per_accepted: (accepted > 0).then(|| total_cost / accepted as f64),
        total_cost,
        ttft_ms,
        tpot_ms,
        e2e_ms: if e2e.len() == requests.len() {
            Percentiles::of(&e2e)
        } else {
            None
        },
        quality_pass_rate: quality_passes as f64 / n,
        latency_pass_rate: latency_passes as f64 / n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ttft: f64, tpot: f64, pass: bool, cents: i64) -> MeasuredRequest {
        MeasuredRequest {
            ttft_ms: ttft,
            tpot_ms: tpot,
            e2e_ms: None,
            output_tokens: 100.0,
            quality_pass: pass,
            cost: Decimal::new(cents, 2),
        }
    }

    const SLO: Slo = Slo {
        ttft_ms: 800.0,
        tpot_ms: 50.0,
        e2e_ms: None,
    };

    #[test]
    fn slo_boundary_is_inclusive() {
        let g = goodput(
            &[req(800.0, 50.0, true, 2), req(800.0001, 50.0, true, 2)],
            2.0,
            SLO,
        );
        let g = g.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.accepted_requests, 1);
        assert_eq!(g.goodput_rate, 0.5);
        assert_eq!(g.cost_per_accepted, Some(0.04));
        assert!((g.ttft_ms.p99 - 800.000_099).abs() < 1e-9);
    }

    #[test]
    fn nothing_accepted_has_no_cost_per_accepted() {
        let g = goodput(&[req(1.0, 1.0, false, 1)], 1.0, SLO).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.accepted_requests, 0);
        assert_eq!(g.cost_per_accepted, None);
        assert_eq!(g.latency_pass_rate, 1.0);
        assert_eq!(g.quality_pass_rate, 0.0);
    }

    #[test]
    fn e2e_slo_gates_and_needs_values() {
        let slo = Slo {
            e2e_ms: Some(2000.0),
            ..SLO
        };
        let mut a = req(100.0, 10.0, true, 1);
        a.e2e_ms = Some(2000.0);
        let mut b = a.clone();
        b.e2e_ms = Some(2500.0);
        let g = goodput(&[a.clone(), b], 1.0, slo).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.accepted_requests, 1);
        assert!(g.e2e_ms.is_some());
        let err = goodput(&[a, req(1.0, 1.0, true, 1)], 1.0, slo).err();
        assert_eq!(err.map(|e| e.field), Some("requests[1].e2e_ms".into()));
    }

    #[test]
    fn empty_and_zero_duration_are_refused() {
        assert!(goodput(&[], 1.0, SLO).is_err());
        assert!(goodput(&[req(1.0, 1.0, true, 1)], 0.0, SLO).is_err());
    }

    #[test]
    fn goodput_can_reverse_a_throughput_ranking() {
        // Route A: 45 rps, 72% pass; route B: 38 rps, 91% pass (latency within SLO for both).
        let route = |n: usize, passes: usize| -> Vec<MeasuredRequest> {
            (0..n).map(|i| req(300.0, 20.0, i < passes, 1)).collect()
        };
        let a = goodput(&route(4500, 3240), 100.0, SLO).unwrap_or_else(|e| panic!("{e}"));
        let b = goodput(&route(3800, 3458), 100.0, SLO).unwrap_or_else(|e| panic!("{e}"));
        assert!(a.throughput_rate > b.throughput_rate);
        assert!(b.goodput_rate > a.goodput_rate);
    }
}
