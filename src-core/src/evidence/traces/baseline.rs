//! A dated baseline of one workload, derived from an imported trace.
//!
//! Over a period (given, or the span of the workload's days in the trace), it fills the
//! workspace's [`Baseline`]:
//! - LCPR = (inference + eval grading + human escalation + ops) ÷ accepted outputs, in dollars,
//!   rounded to 10⁻⁶. Inference is the rows' cost priced from the rate cards (retries
//!   included: every attempt is billed). Eval grading is first requests × the workload's
//!   `eval_sample_rate` × `grader_cost_per_eval`; human escalation is the escalations the trace
//!   records × `human_cost_per_case`; ops is `ops_monthly_cost` × days ÷ 30. Engineering time
//!   and modelled repair cost are left out: they are planning figures of a scenario, not
//!   measured costs of the period, and leaving them out keeps this LCPR comparable with a
//!   trace-to-invoice reconciliation's. An accepted output is a completed attempt that passed
//!   the quality gate.
//! - Quality gate pass rate = passes ÷ verdicts (attempts without a verdict are left out). The
//!   trace carries one verdict per request, so the eval pass rate is that same rate until eval
//!   results are joined. A trace with no verdict at all (OpenTelemetry spans, provider bodies)
//!   leaves both rates "not measured" (`None`), and every completed attempt counts as an
//!   accepted output until eval results are joined (the notes say so).
//! - TTFT and TPOT p50/p95/p99, exact when the period holds few enough values (see
//!   [`super::sketch`]), else within 1%; "not measured" (`None`) when no row carries one
//!   (non-streaming spans, provider bodies), never 0.
//! - Error and timeout rates per attempt; retry rate = retries ÷ first requests (extra
//!   attempts per request); escalation rate per first request.
//! - Cache hit rate = cache reads ÷ all input; cache-eligible prefix share = (cache reads +
//!   cache writes) ÷ all input: the share of input the cache served or was asked to hold.
//! - Requests (first attempts) and accepted outputs per calendar day of the period.
//! - Traffic shape: input and generated tokens per attempt, p50 and p95.
//! - Versions: the model and the prompt version with the most rows (ties to the first in
//!   alphabetical order).
//!
//! It refuses, rather than guess: when rows of the workload have no rate card (listing them),
//! or when nothing was accepted.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::aggregate::{Aggregate, DayAggregate, UnpricedModel};
use super::sketch::Sketch;
use crate::document::{
    Baseline, BaselineMetrics, Date, LatencyQuantiles, Period, TrafficShape, Versions, Workload,
    Workspace,
};
use crate::error::{InputError, InputResult};
use crate::money;

/// Days in the month that `ops_monthly_cost` covers.
const DAYS_PER_MONTH: i64 = 30;

/// What to call the baseline and which period it covers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineOptions {
    /// Baseline id; `{workload}-{last day}` when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The route the traffic ran on, if it is in the workspace.
    #[serde(default)]
    pub route: Option<String>,
    /// The days to include; every day of the workload in the trace when absent.
    #[serde(default)]
    pub period: Option<Period>,
}

/// The loaded cost of the period, by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoadedCost {
    /// Inference priced from rate cards.
    #[serde(with = "crate::money::exact")]
    pub inference: Decimal,
    /// Eval grading.
    #[serde(with = "crate::money::exact")]
    pub eval: Decimal,
    /// Human escalation.
    #[serde(with = "crate::money::exact")]
    pub human: Decimal,
    /// Operations, prorated.
    #[serde(with = "crate::money::exact")]
    pub ops: Decimal,
    /// The sum.
    #[serde(with = "crate::money::exact")]
    pub total: Decimal,
}

/// A derived baseline and the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineDerivation {
    /// The baseline, ready to store in a workspace.
    pub baseline: Baseline,
    /// The period covered.
    pub period: Period,
    /// Calendar days in it.
    pub days: u32,
    /// Attempts (rows), first requests and accepted outputs.
    pub attempts: u64,
    /// First requests.
    pub requests: u64,
    /// Accepted outputs.
    pub accepted: u64,
    /// Loaded cost by component.
    pub cost: LoadedCost,
    /// True when every percentile is exact rather than sketched.
    pub exact_percentiles: bool,
}

/// Why a baseline was not derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineRefusal {
    /// Rows of the workload that no rate card prices.
    Unpriced(Vec<UnpricedModel>),
    /// Anything else.
    Input(InputError),
}

impl fmt::Display for BaselineRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Input(e) => write!(f, "{e}"),
            Self::Unpriced(list) => {
                write!(f, "rows have no rate card to price them:")?;
                for m in list {
                    write!(
                        f,
                        " {} / {} ({} rows, first row {}: {});",
                        m.provider, m.model, m.rows, m.first_row, m.reason
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BaselineRefusal {}

impl From<InputError> for BaselineRefusal {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn ratio_wide(a: u128, b: u128) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The percentiles of `s`; `None` when the evidence carried no value (not measured).
fn quantiles(s: &Sketch) -> Option<LatencyQuantiles> {
    match (s.quantile(0.5), s.quantile(0.95), s.quantile(0.99)) {
        (Some(p50), Some(p95), Some(p99)) => Some(LatencyQuantiles { p50, p95, p99 }),
        _ => None,
    }
}

fn most_rows<'a>(counts: impl Iterator<Item = (&'a str, u64)>) -> String {
    let mut by: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, n) in counts {
        *by.entry(k).or_default() += n;
    }
    let mut best: Option<(&str, u64)> = None;
    for (k, n) in by {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((k, n));
        }
    }
    best.map(|(k, _)| k.to_owned()).unwrap_or_default()
}

/// The note naming the metrics the evidence could not carry.
fn not_measured(unjudged: bool, m: &BaselineMetrics) -> String {
    let mut missing = Vec::new();
    if unjudged {
        missing.push("quality (no verdicts: every completed request counts as accepted until eval results are joined)");
    }
    if m.ttft_ms.is_none() {
        missing.push("TTFT (no time-to-first-token values)");
    }
    if m.tpot_ms.is_none() {
        missing.push("TPOT (no time-per-output-token values)");
    }
    if missing.is_empty() {
        String::new()
    } else {
        format!(" Not measured: {}.", missing.join("; "))
    }
}

/// Derives the baseline of `workload` from `agg` (see the module docs).
pub fn derive_baseline(
    agg: &Aggregate,
    workload: &Workload,
    options: &BaselineOptions,
) -> Result<BaselineDerivation, BaselineRefusal> {
    let Some(all_days) = agg.workloads.get(&workload.id) else {
        return Err(InputError::new(
            "workload",
            format!("{:?} has no rows in the trace", workload.id),
        )
        .into());
    };
    let selected: Vec<(&Date, &DayAggregate)> = all_days
        .iter()
        .filter(|(d, _)| {
            options
                .period
                .is_none_or(|p| p.start <= **d && **d <= p.end)
        })
        .collect();
    let (Some(&(&first, _)), Some(&(&last, _))) = (selected.first(), selected.last()) else {
        return Err(InputError::new(
            "period",
            format!("holds no rows of workload {:?}", workload.id),
        )
        .into());
    };
    let period = options.period.unwrap_or(Period {
        start: first,
        end: last,
    });
    if period.end < period.start {
        return Err(InputError::new("period", "must end on or after its start").into());
    }
    let days = period.start.days_until(period.end) + 1;
    let mut total = DayAggregate::new(agg.settings.exact_below);
    for (_, day) in &selected {
        total
            .merge(day)
            .map_err(|e| InputError::new("trace", e.to_string()))?;
    }
    total.normalize();
    let c = &total.counters;

    if c.unpriced_rows > 0 {
        let mut list: Vec<UnpricedModel> = total
            .usage
            .iter()
            .filter(|u| u.cost.is_none())
            .map(|u| UnpricedModel {
                provider: u.provider.clone(),
                model: u.model.clone(),
                rows: u.rows,
                first_row: u.first_row,
                reason: agg
                    .unpriced
                    .iter()
                    .find(|m| m.provider == u.provider && m.model == u.model)
                    .map_or_else(|| "not priced".to_owned(), |m| m.reason.clone()),
            })
            .collect();
        list.sort_by(|a, b| (&a.provider, &a.model).cmp(&(&b.provider, &b.model)));
        return Err(BaselineRefusal::Unpriced(list));
    }
    // With no verdict at all (spans and provider bodies carry none), quality is not measured:
    // every completed attempt counts as an output until eval results are joined.
    let verdicts = c.gate_pass + c.gate_fail;
    let unjudged = verdicts == 0;
    let accepted = if unjudged {
        c.attempts.saturating_sub(c.errors + c.timeouts)
    } else {
        c.accepted
    };
    if accepted == 0 {
        return Err(InputError::new(
            "trace",
            format!(
                "has no accepted outputs (completed and passing the quality gate) for {:?}: LCPR is undefined",
                workload.id
            ),
        )
        .into());
    }
    if c.requests == 0 {
        return Err(InputError::new("trace", "has only retries and no first requests").into());
    }

    let money_err = |what: &str| InputError::new(what, "is too large to compute exactly");
    let requests = Decimal::from(c.requests);
    let eval_rate = money::from_f64(workload.eval_sample_rate)
        .ok_or_else(|| InputError::new("eval_sample_rate", "is not a number"))?;
    let eval = requests
        .checked_mul(eval_rate)
        .and_then(|v| v.checked_mul(workload.grader_cost_per_eval))
        .ok_or_else(|| money_err("eval"))?;
    let human = Decimal::from(c.escalations)
        .checked_mul(workload.human_cost_per_case)
        .ok_or_else(|| money_err("human"))?;
    let ops = workload
        .ops_monthly_cost
        .checked_mul(Decimal::from(days))
        .and_then(|v| v.checked_div(Decimal::from(DAYS_PER_MONTH)))
        .ok_or_else(|| money_err("ops"))?;
    let inference = c.inference_cost;
    let loaded = [inference, eval, human, ops]
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
        .ok_or_else(|| money_err("total"))?;
    let lcpr = loaded
        .checked_div(Decimal::from(accepted))
        .ok_or_else(|| money_err("lcpr"))?
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        .normalize();

    let gate_pass_rate = (!unjudged).then(|| ratio(c.gate_pass, verdicts));
    let input = c.tokens.input_total();
    let cache_reads = u128::from(c.tokens.cache_read);
    let cache_writes = u128::from(c.tokens.cache_write_5m) + u128::from(c.tokens.cache_write_1h);
    let metrics = BaselineMetrics {
        lcpr,
        eval_pass_rate: gate_pass_rate,
        ttft_ms: quantiles(&total.ttft_ms),
        tpot_ms: quantiles(&total.tpot_ms),
        error_rate: ratio(c.errors, c.attempts),
        retry_rate: ratio(c.retries, c.requests),
        timeout_rate: ratio(c.timeouts, c.attempts),
        cache_hit_rate: ratio_wide(cache_reads, input),
        cache_eligible_prefix_share: ratio_wide(cache_reads + cache_writes, input),
        gate_pass_rate,
        escalation_rate: ratio(c.escalations, c.requests),
        requests_per_day: c.requests as f64 / days as f64,
        accepted_per_day: accepted as f64 / days as f64,
    };
    let shape = |s: &Sketch, name: &str| -> InputResult<(f64, f64)> {
        match (s.quantile(0.5), s.quantile(0.95)) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(InputError::new(name, "has no values in the period")),
        }
    };
    let (input_tokens_p50, input_tokens_p95) = shape(&total.input_tokens, "input_tokens")?;
    let (output_tokens_p50, output_tokens_p95) = shape(&total.output_tokens, "output_tokens")?;
    let versions = Versions {
        model: most_rows(total.versions.iter().map(|v| (v.model.as_str(), v.rows))),
        prompt: most_rows(
            total
                .versions
                .iter()
                .map(|v| (v.prompt_version.as_str(), v.rows)),
        ),
        eval_suite: String::new(),
    };
    let exact_percentiles = [
        &total.ttft_ms,
        &total.tpot_ms,
        &total.input_tokens,
        &total.output_tokens,
    ]
    .iter()
    .all(|s| s.is_exact());
    let notes = format!(
        "Derived from {} trace rows ({} first requests, {} accepted) over {} to {} ({days} days); \
         percentiles {}; LCPR counts inference priced from rate cards, eval grading, human \
         escalation and prorated ops.{}",
        c.attempts,
        c.requests,
        accepted,
        period.start,
        period.end,
        if exact_percentiles {
            "exact"
        } else {
            "within 1% (sketched)"
        },
        not_measured(unjudged, &metrics)
    );
    let cost = LoadedCost {
        inference,
        eval,
        human,
        ops,
        total: loaded,
    };
    Ok(BaselineDerivation {
        baseline: Baseline {
            id: options
                .id
                .clone()
                .unwrap_or_else(|| format!("{}-{}", workload.id, period.end)),
            workload: workload.id.clone(),
            route: options.route.clone(),
            captured_on: period.end,
            versions,
            traffic: TrafficShape {
                input_tokens_p50,
                input_tokens_p95,
                output_tokens_p50,
                output_tokens_p95,
            },
            metrics,
            notes,
            // The importer knows the file; the derivation only sees its rows.
            source: None,
        },
        period,
        days: u32::try_from(days).unwrap_or(u32::MAX),
        attempts: c.attempts,
        requests: c.requests,
        accepted,
        cost,
        exact_percentiles,
    })
}

/// A baseline for every workload of the trace, each derived over its own days; a trace
/// workload missing from the workspace is refused by name. Sorted by workload id.
#[must_use]
pub fn derive_baselines(
    agg: &Aggregate,
    workspace: &Workspace,
) -> Vec<(String, Result<BaselineDerivation, BaselineRefusal>)> {
    agg.workloads
        .keys()
        .map(|id| {
            let result = match workspace.workload(id) {
                Some(w) => derive_baseline(agg, w, &BaselineOptions::default()),
                None => Err(InputError::new(
                    "workload",
                    format!("{id:?} is in the trace but not in the workspace"),
                )
                .into()),
            };
            (id.clone(), result)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::evidence::traces::aggregate::AggregateSettings;
    use crate::evidence::traces::aggregate::tests::row;
    use crate::evidence::traces::pricing::{price_in_place, tests::card};
    use crate::evidence::traces::trace_row::{GateResult, Status};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    pub(crate) fn workload() -> Workload {
        use crate::document::{SloSpec, TokenShape};
        Workload {
            id: "w".into(),
            name: "W".into(),
            accepted_unit: String::new(),
            monthly_requests: 1000.0,
            tokens: TokenShape {
                stable_prefix: 600.0,
                dynamic_tail: 400.0,
                output: 200.0,
                input_p50: None,
                input_p95: None,
                output_p50: None,
                output_p95: None,
            },
            cache_hit_rate: 0.6,
            retry_rate: 0.0,
            quality_gate_pass_rate: 0.9,
            repair_cost_per_failure: d("1"),
            human_escalation_rate: 0.0,
            human_cost_per_case: d("2"),
            eval_sample_rate: 0.5,
            grader_cost_per_eval: d("0.01"),
            ops_monthly_cost: d("30"),
            engineering_hours_per_month: 10.0,
            engineer_hourly_cost: d("100"),
            batch_eligible_share: 0.0,
            prefill_efficiency: 0.0,
            slo: SloSpec {
                ttft_ms: 800.0,
                tpot_ms: 50.0,
                e2e_ms: None,
            },
            quality_floor: 0.85,
            notes: String::new(),
        }
    }

    fn trace() -> Aggregate {
        let mut agg = Aggregate::new(AggregateSettings::default());
        // Day 12: rows 1–4; row 2 is an error retried by row 3; row 4 fails the gate and is
        // escalated. Day 13: rows 5–6 pass.
        for n in 1..=6u64 {
            let mut r = row(n, "w", if n <= 4 { 12 } else { 13 }, "GPT-5.4");
            match n {
                2 => {
                    r.status = Status::Error;
                    r.gate = GateResult::Unknown;
                }
                3 => r.attempt = 1,
                4 => {
                    r.gate = GateResult::Fail;
                    r.escalated = true;
                }
                _ => {}
            }
            r.ttft_ms = Some(100.0 * n as f64);
            agg.add_row(&r).unwrap_or_else(|e| panic!("{e}"));
        }
        agg.normalize();
        agg
    }

    #[test]
    fn derives_the_minimum_viable_baseline() {
        let mut agg = trace();
        let cards = vec![card(
            "c",
            "gpt-5.4",
            (2026, 5, 1),
            "2.5",
            Some("0.25"),
            "15",
        )];
        price_in_place(&mut agg, &cards).unwrap_or_else(|e| panic!("{e}"));
        let b = derive_baseline(&agg, &workload(), &BaselineOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        // Inference: 6 attempts × $0.00415 = $0.0249. Eval: 5 requests × 0.5 × $0.01 = $0.025.
        // Human: 1 × $2. Ops: $30 × 2 days ÷ 30 = $2. Total $4.0499 over 4 accepted.
        assert_eq!(b.cost.inference, d("0.0249"));
        assert_eq!(b.cost.eval, d("0.025"));
        assert_eq!((b.cost.human, b.cost.ops), (d("2"), d("2")));
        assert_eq!(b.cost.total, d("4.0499"));
        let m = &b.baseline.metrics;
        assert_eq!(m.lcpr, d("1.012475"));
        assert_eq!((b.attempts, b.requests, b.accepted, b.days), (6, 5, 4, 2));
        // Verdicts: 4 pass, 1 fail.
        assert_eq!(m.gate_pass_rate, Some(0.8));
        assert_eq!(m.eval_pass_rate, Some(0.8));
        assert_eq!(
            (m.error_rate, m.retry_rate, m.timeout_rate),
            (1.0 / 6.0, 0.2, 0.0)
        );
        assert_eq!(
            (m.cache_hit_rate, m.cache_eligible_prefix_share),
            (0.6, 0.6)
        );
        assert_eq!(m.escalation_rate, 0.2);
        assert_eq!((m.requests_per_day, m.accepted_per_day), (2.5, 2.0));
        // TTFT 100…600 exact: p50 at rank 2.5 → 350; p95 at rank 4.75 → 575.
        let ttft = m.ttft_ms.unwrap_or_else(|| panic!("ttft measured"));
        assert_eq!((ttft.p50, ttft.p95), (350.0, 575.0));
        assert!(!b.baseline.notes.contains("Not measured"));
        assert_eq!(b.baseline.traffic.input_tokens_p95, 1000.0);
        assert_eq!(b.baseline.versions.model, "GPT-5.4");
        assert_eq!(b.baseline.versions.prompt, "v1");
        assert_eq!(b.baseline.id, "w-2026-05-13");
        assert!(b.exact_percentiles);
        assert_eq!(b.baseline.captured_on.to_string(), "2026-05-13");
    }

    #[test]
    fn refuses_unpriced_rows_with_their_list() {
        let mut agg = trace();
        price_in_place(&mut agg, &[]).unwrap_or_else(|e| panic!("{e}"));
        let err = derive_baseline(&agg, &workload(), &BaselineOptions::default()).err();
        match err {
            Some(BaselineRefusal::Unpriced(list)) => {
                assert_eq!(list.len(), 1);
                assert_eq!(
                    (list[0].model.as_str(), list[0].rows, list[0].first_row),
                    ("GPT-5.4", 6, 1)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn metrics_the_evidence_lacks_are_not_measured_rather_than_refused_or_zero() {
        // Two spans: no TTFT, no TPOT, no verdict; one error.
        let mut agg = Aggregate::new(AggregateSettings::default());
        for n in 1..=3 {
            let mut r = row(n, "w", 12, "GPT-5.4");
            r.ttft_ms = None;
            r.tpot_ms = None;
            r.gate = GateResult::Unknown;
            if n == 3 {
                r.status = Status::Error;
            }
            agg.add_row(&r).unwrap_or_else(|e| panic!("{e}"));
        }
        let cards = vec![card("c", "gpt-5.4", (2026, 5, 1), "2.5", None, "15")];
        price_in_place(&mut agg, &cards).unwrap_or_else(|e| panic!("{e}"));
        let b = derive_baseline(&agg, &workload(), &BaselineOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let m = &b.baseline.metrics;
        assert_eq!((m.ttft_ms, m.tpot_ms), (None, None));
        assert_eq!((m.gate_pass_rate, m.eval_pass_rate), (None, None));
        // The two completed attempts stand as the outputs until evals are joined.
        assert_eq!(b.accepted, 2);
        assert!(b.baseline.notes.contains("Not measured: quality"));
        assert!(
            b.baseline
                .notes
                .contains("TTFT (no time-to-first-token values)")
        );
        let yaml = serde_json::to_string(&b.baseline).unwrap_or_default();
        assert!(!yaml.contains("ttft_ms") && !yaml.contains("gate_pass_rate"));
    }

    #[test]
    fn refuses_what_it_cannot_measure() {
        let mut agg = Aggregate::new(AggregateSettings::default());
        let mut r = row(1, "w", 12, "GPT-5.4");
        r.gate = GateResult::Fail;
        agg.add_row(&r).unwrap_or_else(|e| panic!("{e}"));
        let cards = vec![card("c", "gpt-5.4", (2026, 5, 1), "2.5", None, "15")];
        price_in_place(&mut agg, &cards).unwrap_or_else(|e| panic!("{e}"));
        let err = derive_baseline(&agg, &workload(), &BaselineOptions::default()).err();
        assert!(err.is_some_and(|e| e.to_string().contains("no accepted outputs")));
        let mut other = workload();
        other.id = "nope".into();
        assert!(derive_baseline(&agg, &other, &BaselineOptions::default()).is_err());
        let period = Period {
            start: Date::new(2026, 6, 1).unwrap_or_else(|| panic!()),
            end: Date::new(2026, 6, 7).unwrap_or_else(|| panic!()),
        };
        let err = derive_baseline(
            &agg,
            &workload(),
            &BaselineOptions {
                period: Some(period),
                ..BaselineOptions::default()
            },
        )
        .err();
        assert!(err.is_some_and(|e| e.to_string().contains("holds no rows")));
    }

    #[test]
    fn a_period_selects_days_and_divides_by_its_length() {
        let mut agg = trace();
        let cards = vec![card(
            "c",
            "gpt-5.4",
            (2026, 5, 1),
            "2.5",
            Some("0.25"),
            "15",
        )];
        price_in_place(&mut agg, &cards).unwrap_or_else(|e| panic!("{e}"));
        let day = |dd| Date::new(2026, 5, dd).unwrap_or_else(|| panic!());
        let opts = BaselineOptions {
            id: Some("b1".into()),
            route: Some("gpt-api".into()),
            period: Some(Period {
                start: day(13),
                end: day(16),
            }),
        };
        let b = derive_baseline(&agg, &workload(), &opts).unwrap_or_else(|e| panic!("{e}"));
        // Day 13 only: 2 requests, both accepted, over 4 calendar days.
        assert_eq!((b.requests, b.accepted, b.days), (2, 2, 4));
        assert_eq!(b.baseline.metrics.requests_per_day, 0.5);
        assert_eq!(
            (b.baseline.id.as_str(), b.baseline.route.as_deref()),
            ("b1", Some("gpt-api"))
        );
        assert_eq!(b.baseline.captured_on, day(16));
    }
}
