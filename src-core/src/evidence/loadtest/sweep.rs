//! The goodput sweep: goodput against request rate under the workload's SLOs and quality gate,
//! the capacity ceiling, and cost per accepted result at the operating point.
//!
//! Each run is one point. Its successful requests go through [`crate::calc::goodput::goodput`] (every
//! SLO met, a value equal to its SLO passing, and the gate passed); failed requests are attempts
//! that are never accepted, and their cost stays in the numerator. Throughput is completed
//! requests per second, as load generators report it.
//!
//! Quality: a run whose file records the gate result per request is counted as measured. A run
//! without it gets the workload's quality gate pass rate as an *expected* rate: accepted =
//! latency-passing requests × pass rate, which assumes quality does not depend on load. That
//! assumption is what a load test should check, so such a sweep also carries the "no quality
//! gate" methodology gap.
//!
//! The x position of a run is its offered request rate. A run offered without a rate limit
//! (closed loop, `inf`) is placed at the rate it achieved (attempts ÷ duration) and marked so.
//!
//! Capacity ceiling: the lowest measured rate whose goodput is at least 98% of the highest
//! goodput measured. Past it, more offered load buys less than 2% more accepted work, within
//! the noise of a run, while queues and tail latency grow. When that rate is the highest one
//! measured, the sweep never saw goodput level off and says so.
//!
//! Operating point: the lowest measured rate at or above the workload's target rate (a rate
//! between two runs is served by the higher one, whose cost and latency were measured rather
//! than interpolated); without a target, the capacity ceiling. Cost per accepted result there
//! divides the cost of every attempt by the accepted count, in Decimal.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::methodology_gaps;
use crate::calc::goodput::{MeasuredRequest, Percentiles, Slo, goodput};
use crate::calc::lcpr::SECONDS_PER_MONTH;
use crate::document::{
    ArrivalProcess, LoadTest, Methodology, RequestGroup, SloSpec, Workload, Workspace,
};
use crate::error::{InputError, InputResult, fraction};
use crate::evidence::loadtest::readers::{
    LoadTestRun, MethodologyEvidence, RunRequest, SourceFormat,
};
use crate::money;

/// Share of the highest goodput at which the capacity ceiling is placed.
pub const CEILING_SHARE: f64 = 0.98;

/// How far, as a share of the offered rate, the achieved rate (attempts ÷ duration) may fall
/// from it before the run is placed at the achieved rate: a client that could not keep up, or
/// a generator that sent faster than asked, measured a different load than it was given.
/// Fewer attempts than [`MIN_ACHIEVED_ATTEMPTS`] keep the offered rate (unless goodput would
/// exceed it): in a short run the drain of the last requests dominates the duration, and
/// attempts ÷ duration understates the rate that was offered.
pub const ACHIEVED_TOLERANCE: f64 = 0.05;

/// See [`ACHIEVED_TOLERANCE`].
pub const MIN_ACHIEVED_ATTEMPTS: f64 = 20.0;

/// What a sweep needs besides its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepInput {
    /// The runs, one per offered rate, in any order.
    pub runs: Vec<LoadTestRun>,
    /// The workload's latency objectives.
    pub slo: SloSpec,
    /// The workload's quality gate pass rate, applied as an expected rate to runs whose files
    /// do not record the gate.
    pub quality_gate_pass_rate: f64,
    /// The request rate the workload must serve, req/s; `None`: operate at the ceiling.
    #[serde(default)]
    pub target_rate: Option<f64>,
    /// What the user states about how the test was run, for what the files do not show.
    #[serde(default)]
    pub declared: Option<Methodology>,
}

impl SweepInput {
    /// The input for `runs` under `workload`'s SLOs and gate pass rate, with no target rate and
    /// no declaration.
    #[must_use]
    pub fn for_workload(runs: Vec<LoadTestRun>, workload: &Workload) -> Self {
        Self {
            runs,
            slo: workload.slo,
            quality_gate_pass_rate: workload.quality_gate_pass_rate,
            target_rate: None,
            declared: None,
        }
    }
}

/// The workload's mean request rate: monthly requests over a 30-day month, req/s. A peak-hour
/// rate is higher; pass that as the target when it is known.
#[must_use]
pub fn mean_request_rate(workload: &Workload) -> f64 {
    workload.monthly_requests / SECONDS_PER_MONTH
}

/// How a point's accepted count was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QualityBasis {
    /// Gate results recorded per request.
    Measured,
    /// The workload's pass rate applied to latency-passing requests.
    Expected {
        /// The pass rate applied.
        pass_rate: f64,
    },
}

/// One run on the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The run's label.
    pub label: String,
    /// Offered request rate, or achieved attempt rate for an unbounded run, req/s.
    pub request_rate: f64,
    /// True when `request_rate` is the offered rate.
    pub rate_offered: bool,
    /// The rate the test offered, when it recorded one (it may differ from `request_rate`:
    /// see [`ACHIEVED_TOLERANCE`]).
    pub offered_rate: Option<f64>,
    /// "sampled: 5 of 30 requests" when the file listed only a sample; counts and rates then
    /// come from the tool's totals, percentiles and pass shares from the sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// Measurement window, s.
    pub duration_seconds: f64,
    /// Requests sent, failed ones included.
    pub attempts: usize,
    /// Requests that failed.
    pub failed: usize,
    /// Successful requests meeting every SLO.
    pub latency_passes: usize,
    /// Accepted results (expected, hence fractional, under [`QualityBasis::Expected`]).
    pub accepted: f64,
    /// Accepted results per second.
    pub goodput_rate: f64,
    /// Completed requests per second.
    pub throughput_rate: f64,
    /// Share of completed requests passing the gate (the applied rate when expected).
    pub quality_pass_rate: f64,
    /// How `accepted` was obtained.
    pub quality: QualityBasis,
    /// Cost of every attempt, when the run has costs.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub total_cost: Option<Decimal>,
    /// Total cost ÷ accepted; `None` without costs or acceptances.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub cost_per_accepted: Option<Decimal>,
    /// TTFT percentiles of completed requests.
    pub ttft_ms: Option<Percentiles>,
    /// TPOT percentiles of completed requests.
    pub tpot_ms: Option<Percentiles>,
    /// E2E percentiles, when every completed request has one.
    pub e2e_ms: Option<Percentiles>,
}

/// Where goodput stops improving.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityCeiling {
    /// The ceiling's request rate.
    pub request_rate: f64,
    /// Goodput there.
    pub goodput_rate: f64,
    /// The highest goodput of the sweep.
    pub max_goodput_rate: f64,
    /// The rate of that highest goodput.
    pub max_goodput_at: f64,
    /// True when some measured rate lies above the ceiling (the sweep saw goodput level off).
    pub saturated: bool,
}

/// Why the operating point is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OperatingBasis {
    /// The lowest measured rate at or above the workload's target.
    TargetRate {
        /// The target, req/s.
        target: f64,
    },
    /// No target was given: the capacity ceiling.
    Ceiling,
}

/// The point the workload would run at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatingPoint {
    /// Its request rate.
    pub request_rate: f64,
    /// How it was chosen.
    pub basis: OperatingBasis,
    /// Goodput there.
    pub goodput_rate: f64,
    /// Cost per accepted result there.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub cost_per_accepted: Option<Decimal>,
    /// True when it lies above the capacity ceiling.
    pub beyond_ceiling: bool,
}

/// The sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// Points by ascending request rate.
    pub points: Vec<SweepPoint>,
    /// Where goodput stops improving; `None` when nothing was accepted at any rate.
    pub capacity_ceiling: Option<CapacityCeiling>,
    /// The operating point; `None` when the target lies above every measured rate or nothing
    /// was accepted.
    pub operating_point: Option<OperatingPoint>,
    /// The method, from the files' evidence and the declaration (the worst run counts).
    pub methodology: Methodology,
    /// What the method leaves out, each in a sentence.
    pub methodology_gaps: Vec<String>,
    /// Assumptions and observations, in words.
    pub notes: Vec<String>,
}

/// One run's point under `workload`'s SLOs and quality gate: the one goodput definition
/// that `lcpr import loadtest`, `lcpr goodput`, the Goodput view and the memo all show.
pub fn run_point(run: &LoadTestRun, workload: &Workload) -> InputResult<SweepPoint> {
    fraction("quality_gate_pass_rate", workload.quality_gate_pass_rate)?;
    point(
        run,
        Slo {
            ttft_ms: workload.slo.ttft_ms,
            tpot_ms: workload.slo.tpot_ms,
            e2e_ms: workload.slo.e2e_ms,
        },
        workload.quality_gate_pass_rate,
    )
}

fn point(run: &LoadTestRun, slo: Slo, pass_rate: f64) -> InputResult<SweepPoint> {
    run.validate()?;
    let listed = run.requests.len();
    let measured_quality = run.has_quality();
    let completed: Vec<MeasuredRequest> = run
        .requests
        .iter()
        .filter(|r| r.success)
        .map(|r| MeasuredRequest {
            ttft_ms: r.ttft_ms.unwrap_or(0.0),
            tpot_ms: r.tpot_ms.unwrap_or(0.0),
            e2e_ms: r.e2e_ms,
            output_tokens: r.output_tokens.unwrap_or(0.0),
            // Without recorded results every completion passes here; the expected rate is
            // applied below.
            quality_pass: r.quality_pass.unwrap_or(!measured_quality),
            cost: r.cost.unwrap_or(Decimal::ZERO),
        })
        .collect();
    if slo.e2e_ms.is_some()
        && let Some(i) = run
            .requests
            .iter()
            .position(|r| r.success && r.e2e_ms.is_none())
    {
        return Err(InputError::new(
            format!("requests[{i}].e2e_ms"),
            "is required: the workload has an E2E SLO",
        ));
    }
    let listed_failed = listed - completed.len();
    // A sampled list is scaled to the tool's own totals: its shares are estimates, its
    // counts are not.
    let (successful, failed) = match run.totals {
        Some(t) => (t.successful as f64, t.failed as f64),
        None => (completed.len() as f64, listed_failed as f64),
    };
    let scale = if completed.is_empty() {
        0.0
    } else {
        successful / completed.len() as f64
    };
    let duration = run.duration_seconds;
    let (listed_passes, accepted_measured, quality_rate, ttft, tpot, e2e) = if completed.is_empty()
    {
        (0, 0, 0.0, None, None, None)
    } else {
        let g = goodput(&completed, duration, slo)?;
        let passes = (g.latency_pass_rate * completed.len() as f64).round() as usize;
        (
            passes,
            g.accepted_requests,
            g.quality_pass_rate,
            Some(g.ttft_ms),
            Some(g.tpot_ms),
            g.e2e_ms,
        )
    };
    let (listed_accepted, quality, quality_pass_rate) = if measured_quality {
        (
            accepted_measured as f64,
            QualityBasis::Measured,
            quality_rate,
        )
    } else {
        (
            listed_passes as f64 * pass_rate,
            QualityBasis::Expected { pass_rate },
            pass_rate,
        )
    };
    let accepted = listed_accepted * scale;
    let latency_passes = (listed_passes as f64 * scale).round() as usize;
    let listed_cost = if run.has_costs() {
        let mut sum = Decimal::ZERO;
        for r in &run.requests {
            sum = sum
                .checked_add(r.cost.unwrap_or(Decimal::ZERO))
                .ok_or_else(|| InputError::new("requests", "costs are too large to add exactly"))?;
        }
        Some(sum)
    } else {
        None
    };
    // Cost per accepted is a ratio the sample estimates; the run's total cost it does not.
    let cost_per_accepted = match (listed_cost, money::from_f64(listed_accepted)) {
        (Some(c), Some(a)) if !a.is_zero() => c.checked_div(a),
        _ => None,
    };
    let total_cost = if run.totals.is_some() {
        None
    } else {
        listed_cost
    };
    let attempts = successful + failed;
    let achieved = attempts / duration;
    let goodput_rate = accepted / duration;
    let (request_rate, rate_offered) = match run.request_rate {
        Some(r)
            if goodput_rate <= r
                && ((achieved - r).abs() <= ACHIEVED_TOLERANCE * r
                    || attempts < MIN_ACHIEVED_ATTEMPTS) =>
        {
            (r, true)
        }
        _ => (achieved, false),
    };
    Ok(SweepPoint {
        label: run.label.clone(),
        request_rate,
        rate_offered,
        offered_rate: run.request_rate,
        sample: run.sample_note(),
        duration_seconds: duration,
        attempts: attempts as usize,
        failed: failed as usize,
        latency_passes,
        accepted,
        goodput_rate,
        throughput_rate: successful / duration,
        quality_pass_rate,
        quality,
        total_cost,
        cost_per_accepted,
        ttft_ms: ttft,
        tpot_ms: tpot,
        e2e_ms: e2e,
    })
}

fn ceiling(points: &[SweepPoint]) -> Option<CapacityCeiling> {
    let best = points
        .iter()
        .filter(|p| p.goodput_rate > 0.0)
        .max_by(|a, b| a.goodput_rate.total_cmp(&b.goodput_rate))?;
    let at = points
        .iter()
        .find(|p| p.goodput_rate >= CEILING_SHARE * best.goodput_rate)?;
    Some(CapacityCeiling {
        request_rate: at.request_rate,
        goodput_rate: at.goodput_rate,
        max_goodput_rate: best.goodput_rate,
        max_goodput_at: best.request_rate,
        saturated: points.iter().any(|p| p.request_rate > at.request_rate),
    })
}

/// The worst method across runs: closed loop if any run is, a practice done only if every run
/// did it.
fn combine(methods: &[Methodology]) -> Option<Methodology> {
    let first = *methods.first()?;
    Some(methods.iter().skip(1).fold(first, |acc, m| Methodology {
        arrivals: if acc.arrivals == ArrivalProcess::ClosedLoop
            || m.arrivals == ArrivalProcess::ClosedLoop
        {
            ArrivalProcess::ClosedLoop
        } else {
            acc.arrivals
        },
        warm_cache: acc.warm_cache && m.warm_cache,
        cold_starts_included: acc.cold_starts_included && m.cold_starts_included,
        retries_applied: acc.retries_applied && m.retries_applied,
        tail_latency_recorded: acc.tail_latency_recorded && m.tail_latency_recorded,
        quality_gate_applied: acc.quality_gate_applied && m.quality_gate_applied,
    }))
}

/// Runs the sweep.
pub fn sweep(input: &SweepInput) -> InputResult<Sweep> {
    if input.runs.is_empty() {
        return Err(InputError::new("runs", "must hold at least one run"));
    }
    fraction("quality_gate_pass_rate", input.quality_gate_pass_rate)?;
    if let Some(t) = input.target_rate
        && !(t.is_finite() && t > 0.0)
    {
        return Err(InputError::new(
            "target_rate",
            format!("must be > 0, got {t}"),
        ));
    }
    let slo = Slo {
        ttft_ms: input.slo.ttft_ms,
        tpot_ms: input.slo.tpot_ms,
        e2e_ms: input.slo.e2e_ms,
    };
    let mut points = Vec::with_capacity(input.runs.len());
    let mut methods = Vec::with_capacity(input.runs.len());
    let mut notes = Vec::new();
    for (i, run) in input.runs.iter().enumerate() {
        let p = point(run, slo, input.quality_gate_pass_rate)
            .map_err(|e| e.within(&format!("runs[{i}]")))?;
        // Whether the gate was applied is what the requests show, whatever is declared.
        let evidence = MethodologyEvidence {
            quality_gate_applied: Some(run.has_quality()),
            ..run.evidence
        };
        let (m, resolve_notes) = evidence.resolve(input.declared.as_ref());
        methods.push(m);
        for n in resolve_notes {
            notes.push(format!("{}: {n}", run.label));
        }
        match p.offered_rate {
            None => notes.push(format!(
                "{}: no offered rate (unbounded or not recorded); placed at its achieved {:.3} req/s.",
                run.label, p.request_rate
            )),
            Some(offered) if !p.rate_offered => notes.push(format!(
                "{}: offered {offered:.3} req/s but achieved {:.3} req/s; placed at the achieved rate.",
                run.label, p.request_rate
            )),
            Some(_) => {}
        }
        if let Some(sample) = &p.sample {
            notes.push(format!(
                "{}: {sample}; counts and rates are the tool's totals, percentiles and pass shares come from the sample.",
                run.label
            ));
        }
        if let QualityBasis::Expected { pass_rate } = p.quality {
            notes.push(format!(
                "{}: no quality results in the file; the workload's pass rate {pass_rate} is applied to requests meeting the SLOs.",
                run.label
            ));
        }
        points.push(p);
    }
    points.sort_by(|a, b| a.request_rate.total_cmp(&b.request_rate));
    if let Some(w) = points
        .windows(2)
        .find(|w| matches!(w, [a, b] if a.request_rate == b.request_rate))
        && let [a, b] = w
    {
        return Err(InputError::new(
            "runs",
            format!(
                "must be at different request rates; {:?} and {:?} are both at {} req/s",
                a.label, b.label, a.request_rate
            ),
        ));
    }
    let capacity_ceiling = ceiling(&points);
    match &capacity_ceiling {
        None => notes.push("Nothing was accepted at any rate: there is no capacity ceiling.".to_owned()),
        Some(c) if !c.saturated => notes.push(format!(
            "Goodput was still near its highest at the highest rate measured ({} req/s): the sweep did not reach saturation, and the real ceiling may lie higher.",
            c.request_rate
        )),
        Some(_) => {}
    }
    let chosen = match input.target_rate {
        Some(target) => {
            let found = points.iter().find(|p| p.request_rate >= target);
            if found.is_none() {
                notes.push(format!(
                    "The target {target} req/s lies above every measured rate; run the sweep higher."
                ));
            }
            found.map(|p| (p, OperatingBasis::TargetRate { target }))
        }
        None => capacity_ceiling.as_ref().and_then(|c| {
            points
                .iter()
                .find(|p| p.request_rate == c.request_rate)
                .map(|p| (p, OperatingBasis::Ceiling))
        }),
    };
    let operating_point = chosen.map(|(p, basis)| OperatingPoint {
        request_rate: p.request_rate,
        basis,
        goodput_rate: p.goodput_rate,
        cost_per_accepted: p.cost_per_accepted,
        beyond_ceiling: capacity_ceiling
            .as_ref()
            .is_some_and(|c| p.request_rate > c.request_rate),
    });
    if operating_point.as_ref().is_some_and(|o| o.beyond_ceiling) {
        notes.push("The operating point lies past the capacity ceiling: more load there does not buy more accepted work.".to_owned());
    }
    let methodology =
        combine(&methods).ok_or_else(|| InputError::new("runs", "must hold at least one run"))?;
    let no_costs = !input.runs.iter().any(LoadTestRun::has_costs);
    Ok(Sweep {
        methodology_gaps: methodology_gaps(&methodology, no_costs),
        methodology,
        points,
        capacity_ceiling,
        operating_point,
        notes,
    })
}

/// A load-test run as the document holds it: identical requests counted once. A failed request
/// is kept as not accepted; a missing quality result counts as a pass and the method then
/// records that no quality gate was applied, so the gap is raised.
#[must_use]
pub fn load_test_of(run: &LoadTestRun, id: String, workload: &str, series: &str) -> LoadTest {
    let (mut methodology, notes) = run.evidence.resolve(None);
    methodology.quality_gate_applied = run.requests.iter().any(|r| r.quality_pass.is_some());
    let mut groups: Vec<RequestGroup> = Vec::new();
    for r in &run.requests {
        // A failed request is never accepted, so its missing timings cannot change goodput;
        // a successful one keeps exactly what the file measured.
        let ttft = r.ttft_ms.or(r.e2e_ms).unwrap_or(0.0);
        let group = RequestGroup {
            count: 1,
            ttft_ms: ttft,
            tpot_ms: r.tpot_ms.unwrap_or(0.0),
            e2e_ms: r.e2e_ms.or_else(|| (!r.success).then_some(ttft)),
            output_tokens: r.output_tokens.unwrap_or(0.0),
            quality_pass: r.success && r.quality_pass.unwrap_or(true),
            failed: !r.success,
            cost: r.cost.unwrap_or_default(),
        };
        match groups.iter_mut().find(|g| {
            RequestGroup {
                count: g.count,
                ..group.clone()
            } == **g
        }) {
            Some(g) => g.count += 1,
            None => groups.push(group),
        }
    }
    LoadTest {
        id,
        name: run.label.clone(),
        workload: workload.to_owned(),
        scenario: None,
        series: series.to_owned(),
        duration_seconds: run.duration_seconds,
        request_rate: run.request_rate,
        methodology,
        gpus: None,
        requests: groups,
        totals: run.totals,
        notes: notes.join(" "),
    }
}

/// A workspace load test as a sweep run: its request groups expanded (every request counted
/// as completed, a failure as not accepted, as the workspace records them) and its method as
/// evidence.
#[must_use]
pub fn run_of(t: &LoadTest) -> LoadTestRun {
    let m = &t.methodology;
    // Quality verdicts are read back when the test applied the gate or its completions carry
    // a failing verdict anyway; otherwise (as `load_test_of` stores a run without one) the
    // workload's expected pass rate applies to the completions exactly as it did at import.
    let gated = m.quality_gate_applied || t.requests.iter().any(|g| !g.failed && !g.quality_pass);
    // All-zero costs are costs the source did not record, not free requests.
    let costed = t.requests.iter().any(|g| !g.cost.is_zero());
    LoadTestRun {
        label: t.name.clone(),
        request_rate: t.request_rate,
        duration_seconds: t.duration_seconds,
        requests: t
            .requests
            .iter()
            .flat_map(|g| {
                let success = !g.failed;
                std::iter::repeat_n(
                    RunRequest {
                        start_s: None,
                        success,
                        ttft_ms: success.then_some(g.ttft_ms),
                        tpot_ms: success.then_some(g.tpot_ms),
                        e2e_ms: if success { g.e2e_ms } else { None },
                        input_tokens: None,
                        output_tokens: Some(g.output_tokens),
                        quality_pass: gated.then_some(g.quality_pass),
                        cost: costed.then_some(g.cost),
                    },
                    g.count as usize,
                )
            })
            .collect(),
        evidence: MethodologyEvidence {
            arrivals: Some(m.arrivals),
            warmup_excluded: None,
            warm_cache: Some(m.warm_cache),
            cold_starts_included: Some(m.cold_starts_included),
            retries_applied: Some(m.retries_applied),
            tail_latency_recorded: Some(m.tail_latency_recorded),
            quality_gate_applied: Some(m.quality_gate_applied),
        },
        source: SourceFormat::Workspace,
        notes: Vec::new(),
        run_id: Some(t.id.clone()),
        totals: t.totals,
    }
}

/// One sweep of a workspace: a workload's load tests sharing a [`LoadTest::series_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series<'a> {
    /// The workload.
    pub workload: &'a str,
    /// The series key.
    pub key: &'a str,
    /// What to call it: the series name, or the lone test's name.
    pub label: &'a str,
    /// Runs in it.
    pub runs: usize,
}

/// Every sweep of `ws`, in the order their first tests appear.
#[must_use]
pub fn workspace_series(ws: &Workspace) -> Vec<Series<'_>> {
    let mut out: Vec<Series<'_>> = Vec::new();
    for t in &ws.load_tests {
        match out
            .iter_mut()
            .find(|s| s.workload == t.workload && s.key == t.series_key())
        {
            Some(s) => s.runs += 1,
            None => out.push(Series {
                workload: &t.workload,
                key: t.series_key(),
                label: if t.series.is_empty() {
                    &t.name
                } else {
                    &t.series
                },
                runs: 1,
            }),
        }
    }
    out
}

/// The sweep across the load tests of `workload` in `ws` whose [`LoadTest::series_key`] is
/// `series`, operated at the workload's mean request rate; `None` when there are none.
pub fn workspace_sweep(ws: &Workspace, workload: &str, series: &str) -> InputResult<Option<Sweep>> {
    let w = ws
        .workload(workload)
        .ok_or_else(|| InputError::new("workload", format!("names no workload {workload:?}")))?;
    let runs: Vec<LoadTestRun> = ws
        .load_tests
        .iter()
        .filter(|t| t.workload == workload && t.series_key() == series)
        .map(run_of)
        .collect();
    if runs.is_empty() {
        return Ok(None);
    }
    let mut input = SweepInput::for_workload(runs, w);
    input.target_rate = Some(mean_request_rate(w));
    sweep(&input).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::{ChartData, XyPoint};
    use crate::report::figures::{cost_per_accepted_chart, sweep_chart};

    fn req(ttft: f64, tpot: f64, quality: Option<bool>, cost_millis: Option<i64>) -> RunRequest {
        RunRequest {
            start_s: None,
            success: true,
            ttft_ms: Some(ttft),
            tpot_ms: Some(tpot),
            e2e_ms: Some(ttft + tpot * 99.0),
            input_tokens: Some(500.0),
            output_tokens: Some(100.0),
            quality_pass: quality,
            cost: cost_millis.map(|m| Decimal::new(m, 3)),
        }
    }

    fn failed(cost_millis: Option<i64>) -> RunRequest {
        RunRequest {
            start_s: None,
            success: false,
            ttft_ms: None,
            tpot_ms: None,
            e2e_ms: None,
            input_tokens: Some(500.0),
            output_tokens: None,
            quality_pass: None,
            cost: cost_millis.map(|m| Decimal::new(m, 3)),
        }
    }

    fn run(rate: Option<f64>, duration: f64, requests: Vec<RunRequest>) -> LoadTestRun {
        LoadTestRun {
            label: rate.map_or("inf".to_owned(), |r| format!("{r}")),
            request_rate: rate,
            duration_seconds: duration,
            requests,
            evidence: MethodologyEvidence {
                arrivals: rate.map_or(Some(ArrivalProcess::ClosedLoop), |_| {
                    Some(ArrivalProcess::Poisson)
                }),
                tail_latency_recorded: Some(true),
                ..MethodologyEvidence::default()
            },
            source: SourceFormat::GenericCsv,
            notes: vec![],
            run_id: None,
            totals: None,
        }
    }

    const SLO: SloSpec = SloSpec {
        ttft_ms: 500.0,
        tpot_ms: 50.0,
        e2e_ms: None,
    };

    fn input(runs: Vec<LoadTestRun>) -> SweepInput {
        SweepInput {
            runs,
            slo: SLO,
            quality_gate_pass_rate: 0.9,
            target_rate: None,
            declared: None,
        }
    }

    fn rise_then_fall() -> Vec<LoadTestRun> {
        // Each run lasts 10 s; every request costs $0.002 and failures $0.001.
        // 1 req/s: 10 requests, all within SLO, 9 pass the gate → 9 accepted, 0.9/s.
        let mut low: Vec<RunRequest> = (0..9)
            .map(|_| req(200.0, 20.0, Some(true), Some(2)))
            .collect();
        low.push(req(200.0, 20.0, Some(false), Some(2)));
        // 2 req/s: 20 requests, 18 within SLO (2 have TTFT 900), all pass → 18 accepted, 1.8/s.
        let mut mid: Vec<RunRequest> = (0..18)
            .map(|_| req(300.0, 30.0, Some(true), Some(2)))
            .collect();
        mid.extend((0..2).map(|_| req(900.0, 30.0, Some(true), Some(2))));
        // 4 req/s: 40 attempts; 10 failed; of 30 completed, 12 meet TPOT (60 ms breaks the 50
        // ms SLO for the other 18), all pass → 12 accepted, 1.2/s.
        let mut high: Vec<RunRequest> = (0..12)
            .map(|_| req(400.0, 45.0, Some(true), Some(2)))
            .collect();
        high.extend((0..18).map(|_| req(450.0, 60.0, Some(true), Some(2))));
        high.extend((0..10).map(|_| failed(Some(1))));
        vec![
            run(Some(4.0), 10.0, high),
            run(Some(1.0), 10.0, low),
            run(Some(2.0), 10.0, mid),
        ]
    }

    #[test]
    fn workspace_load_tests_sweep_like_the_runs_they_came_from() {
        let mut ws = crate::report::memo::tests::example();
        ws.load_tests.clear();
        let w = &mut ws.workloads[0];
        w.slo = SLO;
        w.quality_gate_pass_rate = 0.9;
        let id = w.id.clone();
        let runs = rise_then_fall();
        for (i, r) in runs.iter().enumerate() {
            ws.load_tests
                .push(load_test_of(r, format!("t{i}"), &id, "sweep"));
        }
        let direct = sweep(&SweepInput::for_workload(runs, &ws.workloads[0])).unwrap();
        let stored = workspace_sweep(&ws, &id, "sweep").unwrap().unwrap();
        // Goodput, its ceiling and the cost per accepted result survive the round trip: rates
        // 1, 2, 4 req/s with 0.9, 1.8, 1.2 accepted/s. Failures stay failures (4 req/s: 30
        // completed of 40 in 10 s), so throughput survives too.
        let of = |s: &Sweep| -> Vec<(f64, f64, Option<Decimal>)> {
            s.points
                .iter()
                .map(|p| (p.request_rate, p.goodput_rate, p.cost_per_accepted))
                .collect()
        };
        assert_eq!(of(&stored), of(&direct));
        assert_eq!(stored.capacity_ceiling, direct.capacity_ceiling);
        assert_eq!(stored.points[2].throughput_rate, 3.0);
        assert_eq!(stored.points[2].failed, 10);
        // Operated at the workload's mean rate, 400,000 requests ÷ 2,592,000 s = 0.154 req/s,
        // below the first measured rate.
        let target = mean_request_rate(&ws.workloads[0]);
        assert!((target - 400_000.0 / 2_592_000.0).abs() < 1e-12);
        // Without a target the direct sweep operates at its ceiling, 2 req/s.
        assert_eq!(direct.operating_point.map(|o| o.request_rate), Some(2.0));
        // With the workload's target it operates at the lowest measured rate that covers it:
        // 1 req/s, 0.9 accepted/s at $0.02 ÷ 9 = $0.00222 per accepted result.
        let o = stored.operating_point.unwrap();
        assert_eq!((o.request_rate, o.goodput_rate), (1.0, 0.9));
        assert_eq!(
            o.cost_per_accepted,
            Decimal::new(2, 2).checked_div(Decimal::from(9))
        );
        assert_eq!(
            workspace_sweep(&ws, "nope", "sweep").unwrap_err().field,
            "workload"
        );
        // Another series (or a lone test, keyed by its id) is not part of it.
        assert_eq!(workspace_sweep(&ws, &id, "t0").unwrap(), None);
        let runs = |ws: &Workspace| -> Vec<(String, usize)> {
            workspace_series(ws)
                .iter()
                .map(|s| (s.key.to_owned(), s.runs))
                .collect()
        };
        assert_eq!(runs(&ws), [("sweep".to_owned(), 3)]);
        ws.load_tests[0].series.clear();
        // The test without a series stands alone, keyed by its id.
        assert_eq!(runs(&ws), [("t0".to_owned(), 1), ("sweep".to_owned(), 2)]);
        let one = workspace_sweep(&ws, &id, "t0").unwrap().unwrap();
        assert_eq!(one.points.len(), 1);
        ws.load_tests.clear();
        assert_eq!(workspace_sweep(&ws, &id, "sweep").unwrap(), None);
    }

    #[test]
    fn goodput_rises_then_falls() {
        let s = sweep(&input(rise_then_fall())).unwrap_or_else(|e| panic!("{e}"));
        let rates: Vec<f64> = s.points.iter().map(|p| p.request_rate).collect();
        assert_eq!(rates, vec![1.0, 2.0, 4.0]);
        let goodput: Vec<f64> = s.points.iter().map(|p| p.goodput_rate).collect();
        assert_eq!(goodput, vec![0.9, 1.8, 1.2]);
        // Throughput counts completions: 10/10, 20/10, 30/10.
        let tput: Vec<f64> = s.points.iter().map(|p| p.throughput_rate).collect();
        assert_eq!(tput, vec![1.0, 2.0, 3.0]);
        let high = &s.points[2];
        assert_eq!(
            (high.attempts, high.failed, high.latency_passes),
            (40, 10, 12)
        );
        // Max 1.8 at 2 req/s; 98% of it is 1.764, first reached at 2 req/s.
        let c = s
            .capacity_ceiling
            .clone()
            .unwrap_or_else(|| panic!("no ceiling"));
        assert_eq!((c.request_rate, c.max_goodput_at), (2.0, 2.0));
        assert!(c.saturated);
        // No target: operate at the ceiling. Cost 20 × $0.002 = $0.04 over 18 accepted.
        let o = s
            .operating_point
            .clone()
            .unwrap_or_else(|| panic!("no operating point"));
        assert_eq!(o.basis, OperatingBasis::Ceiling);
        assert_eq!(
            o.cost_per_accepted,
            Some(Decimal::new(4, 2) / Decimal::from(18))
        );
        // At 4 req/s the failures' cost stays in: 30 × $0.002 + 10 × $0.001 = $0.07 over 12.
        assert_eq!(high.total_cost, Some(Decimal::new(7, 2)));
        assert_eq!(
            high.cost_per_accepted,
            Some(Decimal::new(7, 2) / Decimal::from(12))
        );
        // Quality was measured, costs exist; the method leaves out warm cache, cold starts,
        // retries (not recorded); arrivals were Poisson.
        assert!(s.methodology.quality_gate_applied);
        assert!(
            !s.methodology_gaps
                .iter()
                .any(|g| g.starts_with("No quality gate"))
        );
        assert!(
            !s.methodology_gaps
                .iter()
                .any(|g| g.starts_with("Closed-loop"))
        );
        assert_eq!(s.methodology_gaps.len(), 3, "{:?}", s.methodology_gaps);
    }

    #[test]
    fn ceiling_is_the_first_rate_within_two_percent() {
        // Goodput 5.0, 9.9, 10.0 accepted/s at 5, 10, 20 req/s (10 s runs at the offered
        // rate; requests past the accepted ones miss the TTFT SLO).
        let mk = |rate: f64, n: usize| {
            let attempts = (rate * 10.0) as usize;
            run(
                Some(rate),
                10.0,
                (0..attempts)
                    .map(|i| req(if i < n { 1.0 } else { 9_999.0 }, 1.0, Some(true), None))
                    .collect(),
            )
        };
        let s = sweep(&input(vec![mk(5.0, 50), mk(10.0, 99), mk(20.0, 100)]))
            .unwrap_or_else(|e| panic!("{e}"));
        // 98% of 10.0 = 9.8 ≤ 9.9: the ceiling is 10 req/s although the max is at 20.
        let c = s.capacity_ceiling.unwrap_or_else(|| panic!("no ceiling"));
        assert_eq!(c.request_rate, 10.0);
        assert_eq!(c.max_goodput_at, 20.0);
        assert!(c.saturated);
        // No costs anywhere: the gap is named.
        assert!(
            s.methodology_gaps
                .iter()
                .any(|g| g.starts_with("No request costs"))
        );
    }

    #[test]
    fn still_rising_sweep_is_not_saturated() {
        let mk = |rate: f64, n: usize| {
            run(
                Some(rate),
                10.0,
                (0..n).map(|_| req(1.0, 1.0, Some(true), None)).collect(),
            )
        };
        let s = sweep(&input(vec![mk(1.0, 10), mk(2.0, 20)])).unwrap_or_else(|e| panic!("{e}"));
        let c = s.capacity_ceiling.unwrap_or_else(|| panic!("no ceiling"));
        assert_eq!(c.request_rate, 2.0);
        assert!(!c.saturated);
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("did not reach saturation"))
        );
    }

    #[test]
    fn expected_quality_rate_when_the_file_has_none() {
        // 10 requests in 5 s, 8 within SLO, no gate results: 8 × 0.9 = 7.2 expected accepted,
        // 1.44/s; cost 10 × $0.003 = $0.03 → $0.03 ÷ 7.2 = $0.0041666….
        let mut reqs: Vec<RunRequest> = (0..8).map(|_| req(100.0, 10.0, None, Some(3))).collect();
        reqs.extend((0..2).map(|_| req(600.0, 10.0, None, Some(3))));
        let s = sweep(&input(vec![run(Some(2.0), 5.0, reqs)])).unwrap_or_else(|e| panic!("{e}"));
        let p = &s.points[0];
        assert_eq!(p.quality, QualityBasis::Expected { pass_rate: 0.9 });
        assert!((p.accepted - 7.2).abs() < 1e-12);
        assert!((p.goodput_rate - 1.44).abs() < 1e-12);
        let cpa = p.cost_per_accepted.unwrap_or_default();
        assert_eq!(cpa.round_dp(6), Decimal::new(4167, 6));
        assert!(!s.methodology.quality_gate_applied);
        assert!(
            s.methodology_gaps
                .iter()
                .any(|g| g.starts_with("No quality gate"))
        );
        // Even a declaration that the gate was applied does not hide its absence in the file.
        let mut with_decl = input(vec![run(Some(2.0), 5.0, vec![req(1.0, 1.0, None, None)])]);
        with_decl.declared = Some(Methodology {
            arrivals: ArrivalProcess::Poisson,
            warm_cache: true,
            cold_starts_included: true,
            retries_applied: true,
            tail_latency_recorded: true,
            quality_gate_applied: true,
        });
        let s = sweep(&with_decl).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.methodology_gaps.len(), 2, "{:?}", s.methodology_gaps);
    }

    #[test]
    fn target_rate_picks_the_next_measured_rate() {
        let mut i = input(rise_then_fall());
        i.target_rate = Some(1.5);
        let s = sweep(&i).unwrap_or_else(|e| panic!("{e}"));
        let o = s
            .operating_point
            .unwrap_or_else(|| panic!("no operating point"));
        assert_eq!(o.request_rate, 2.0);
        assert_eq!(o.basis, OperatingBasis::TargetRate { target: 1.5 });
        assert!(!o.beyond_ceiling);
        i.target_rate = Some(3.0);
        let s = sweep(&i).unwrap_or_else(|e| panic!("{e}"));
        let o = s
            .operating_point
            .unwrap_or_else(|| panic!("no operating point"));
        assert_eq!(o.request_rate, 4.0);
        assert!(o.beyond_ceiling);
        i.target_rate = Some(5.0);
        let s = sweep(&i).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.operating_point.is_none());
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("above every measured rate"))
        );
    }

    #[test]
    fn unbounded_run_sits_at_its_achieved_rate_and_is_closed_loop() {
        // 30 attempts in 5 s: 6 req/s achieved.
        let reqs: Vec<RunRequest> = (0..30)
            .map(|_| req(100.0, 10.0, Some(true), None))
            .collect();
        let mut runs = rise_then_fall();
        runs.push(run(None, 5.0, reqs));
        let s = sweep(&input(runs)).unwrap_or_else(|e| panic!("{e}"));
        let last = s.points.last().unwrap_or_else(|| panic!("no points"));
        assert_eq!(last.request_rate, 6.0);
        assert!(!last.rate_offered);
        assert_eq!(s.methodology.arrivals, ArrivalProcess::ClosedLoop);
        assert!(
            s.methodology_gaps
                .iter()
                .any(|g| g.starts_with("Closed-loop"))
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(
            sweep(&input(vec![])).err().map(|e| e.field),
            Some("runs".into())
        );
        let twice = vec![
            run(Some(2.0), 1.0, vec![req(1.0, 1.0, Some(true), None)]),
            run(Some(2.0), 1.0, vec![req(1.0, 1.0, Some(true), None)]),
        ];
        assert!(sweep(&input(twice)).is_err());
        let mut bad_rate = input(rise_then_fall());
        bad_rate.quality_gate_pass_rate = 1.5;
        assert!(sweep(&bad_rate).is_err());
        let mut bad_target = input(rise_then_fall());
        bad_target.target_rate = Some(0.0);
        assert!(sweep(&bad_target).is_err());
        let mut e2e = input(vec![run(
            Some(1.0),
            1.0,
            vec![req(1.0, 1.0, Some(true), None)],
        )]);
        e2e.slo.e2e_ms = Some(1000.0);
        e2e.runs[0].requests[0].e2e_ms = None;
        assert_eq!(
            sweep(&e2e).err().map(|e| e.field),
            Some("runs[0].requests[0].e2e_ms".into())
        );
    }

    #[test]
    fn nothing_accepted_has_no_ceiling_or_operating_point() {
        let s = sweep(&input(vec![run(Some(1.0), 1.0, vec![failed(None)])]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.capacity_ceiling.is_none() && s.operating_point.is_none());
        assert_eq!(s.points[0].throughput_rate, 0.0);
        assert!(s.points[0].ttft_ms.is_none());
    }

    #[test]
    fn chart_marks_ceiling_and_operating_point() {
        let mut i = input(rise_then_fall());
        let s = sweep(&i).unwrap_or_else(|e| panic!("{e}"));
        let chart = sweep_chart(&s, "Goodput sweep");
        assert!(chart.validate().is_ok());
        let ChartData::Line(line) = &chart.data else {
            panic!("not a line chart")
        };
        assert_eq!(line.series.len(), 2);
        assert_eq!(line.series[0].points[1], XyPoint { x: 2.0, y: 1.8 });
        assert_eq!(line.markers.len(), 1);
        i.target_rate = Some(3.0);
        let s = sweep(&i).unwrap_or_else(|e| panic!("{e}"));
        let ChartData::Line(line) = sweep_chart(&s, "t").data else {
            panic!("not a line chart")
        };
        assert_eq!(line.markers.len(), 2);
        assert_eq!(line.markers[1].x, 4.0);
        let cost = cost_per_accepted_chart(&s, "Cost").unwrap_or_else(|| panic!("no cost chart"));
        assert!(cost.validate().is_ok());
    }

    #[test]
    fn reads_and_sweeps_the_generic_fixture() {
        let path = format!(
            "{}/../tests/fixtures/loadtests/generic_sweep.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let runs = crate::evidence::loadtest::readers::read_file("generic_sweep.csv", &text)
            .unwrap_or_else(|e| panic!("{e}"));
        let s = sweep(&input(runs)).unwrap_or_else(|e| panic!("{e}"));
        // The unbounded run: 2 attempts in 1.25 s → 1.6 req/s achieved, between the others.
        let rates: Vec<f64> = s.points.iter().map(|p| p.request_rate).collect();
        assert_eq!(rates, vec![1.0, 1.6, 2.0]);
        // 1 req/s: 4 requests in 4 s, all within 500/50 ms, 3 pass the gate → 0.75/s.
        // 1.6 req/s: TTFT 900 and 950 break the 500 ms SLO → 0.
        // 2 req/s: 1 of 3 attempts failed; TTFT 300 and 350 pass → 2 accepted in 3 s.
        let goodput: Vec<f64> = s.points.iter().map(|p| p.goodput_rate).collect();
        assert_eq!(goodput, vec![0.75, 0.0, 2.0 / 3.0]);
        // Max 0.75 at 1 req/s is the ceiling and the operating point:
        // ($0.0021 + $0.0020 + $0.0022 + $0.0021) ÷ 3 = $0.0028.
        let o = s
            .operating_point
            .unwrap_or_else(|| panic!("no operating point"));
        assert_eq!(o.request_rate, 1.0);
        assert_eq!(o.cost_per_accepted, Some(Decimal::new(28, 4)));
        assert_eq!(s.methodology.arrivals, ArrivalProcess::ClosedLoop);
    }

    /// The support-chat workload's SLOs (800 ms TTFT, 50 ms TPOT, 5 s E2E) and its 0.86 gate.
    fn support_chat(runs: Vec<LoadTestRun>) -> SweepInput {
        SweepInput {
            runs,
            slo: SloSpec {
                ttft_ms: 800.0,
                tpot_ms: 50.0,
                e2e_ms: Some(5000.0),
            },
            quality_gate_pass_rate: 0.86,
            target_rate: None,
            declared: None,
        }
    }

    fn real(name: &str) -> Vec<LoadTestRun> {
        let path = format!(
            "{}/../tests/fixtures/loadtests/real/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        crate::evidence::loadtest::readers::read_file(name, &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn real_vllm_goodput_by_hand() {
        // 196 of 200 completed, every one within 800/50/5,000 ms; 196 × 0.86 ÷ 51.6074 s.
        let s = sweep(&support_chat(real(
            "openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.json",
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        let p = &s.points[0];
        assert_eq!((p.attempts, p.failed, p.latency_passes), (200, 4, 196));
        assert!(close(p.goodput_rate, 196.0 * 0.86 / 51.607_351_787_087_1));
        // 200 ÷ 51.6 s = 3.875 req/s achieved, within 5% of the 4 offered.
        assert_eq!((p.request_rate, p.rate_offered), (4.0, true));
        // The concurrency cap held arrivals to 400 ÷ 53.33 s = 7.50 req/s: placed there.
        let s = sweep(&support_chat(real(
            "vllm-8.0qps-concurrency32-Llama-3.1-8B-Instruct-20260412-103002.json",
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        let p = &s.points[0];
        assert!(close(p.request_rate, 400.0 / 53.331_772_827_205_71));
        assert!(!p.rate_offered && p.offered_rate == Some(8.0));
        assert!(close(p.goodput_rate, 400.0 * 0.86 / 53.331_772_827_205_71));
    }

    #[test]
    fn real_guidellm_goodput_never_exceeds_the_achieved_rate() {
        // Poisson offered at 5 req/s; GuideLLM sent 40 requests in 3.9419 s = 10.147 req/s.
        // All 40 meet the SLOs: goodput 40 × 0.86 ÷ 3.9419 = 8.727/s.
        let s = sweep(&support_chat(real(
            "guidellm-0.8.1_poisson-5_benchmarks.json",
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        let p = &s.points[0];
        let d = 3.941_932_916_641_235_4;
        assert!(close(p.goodput_rate, 40.0 * 0.86 / d));
        assert!(close(p.request_rate, 40.0 / d));
        assert!(p.goodput_rate <= p.request_rate);
        let c = s.capacity_ceiling.unwrap_or_else(|| panic!("no ceiling"));
        assert!(c.request_rate > 10.0 && c.goodput_rate <= c.request_rate);
        assert!(s.notes.iter().any(|n| n.contains("achieved 10.147 req/s")));

        // The same run with its lists sampled to 5: counts and rates from the totals.
        let s = sweep(&support_chat(real(
            "guidellm-0.8.1_poisson-5_sample5.derived.json",
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        let q = &s.points[0];
        assert_eq!(q.attempts, 40);
        assert_eq!(q.sample.as_deref(), Some("sampled: 5 of 40 requests"));
        assert!(close(q.goodput_rate, p.goodput_rate));
        assert!(close(q.throughput_rate, 40.0 / d));
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("sampled: 5 of 40 requests"))
        );

        // Constant 2, 4, 8 over 6 s: 11, 21, 42 completed, all within the SLOs.
        let s = sweep(&support_chat(real(
            "guidellm-0.8.1_constant-2-4-8_benchmarks.json",
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        let goodput: Vec<f64> = s.points.iter().map(|p| p.goodput_rate).collect();
        for (g, n) in goodput.iter().zip([11.0, 21.0, 42.0]) {
            assert!(close(*g, n * 0.86 / 6.0), "{goodput:?}");
        }
        // 13 attempts in 6 s (2.17 req/s) are too few to move the run off its offered 2;
        // 25 and 49 attempts are within 5% of 4 and 8.
        let rates: Vec<f64> = s.points.iter().map(|p| p.request_rate).collect();
        assert_eq!(rates, vec![2.0, 4.0, 8.0]);
        let c = s.capacity_ceiling.unwrap_or_else(|| panic!("no ceiling"));
        assert_eq!(c.request_rate, 8.0);
        assert!(!c.saturated);
    }

    #[test]
    fn a_workspace_load_test_without_a_gate_keeps_the_expected_pass_rate() {
        let runs = real("openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.json");
        let input = support_chat(runs.clone());
        let imported = sweep(&input).unwrap_or_else(|e| panic!("{e}"));
        let stored = load_test_of(&runs[0], "t".into(), "w", "");
        let back = sweep(&SweepInput {
            runs: vec![run_of(&stored)],
            ..input
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(close(
            back.points[0].goodput_rate,
            imported.points[0].goodput_rate
        ));
        assert_eq!(back.points[0].failed, 4);
        assert_eq!(back.points[0].cost_per_accepted, None);
    }
}
