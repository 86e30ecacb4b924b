//! The warehouse query pack's results: reading them, merging them exactly, and the daily
//! figures derived from them.
//!
//! The SQL files in `querypack/` run over a `traces` view in any of DuckDB, Spark SQL,
//! ClickHouse and Trino, and write two tables: tier 1, additive counters per workload × day;
//! tier 2, log-bucket histograms per workload × day × metric. Both are built to merge: counts
//! and sums add, so results from several partitions, shards or engines combine into exactly the
//! figures one query over all the data would give. Counts are read as integers and costs as
//! Decimal, so merging never rounds.
//!
//! Histogram buckets follow DDSketch with relative accuracy α = 0.01: γ = (1 + α) ÷ (1 − α),
//! a value x > 0 falls in bucket ⌈ln x ÷ ln γ⌉, which covers (γ^(i−1), γ^i], and 0 has a bucket
//! of its own. The SQL computes the same index with `CEIL(LN(x) / LN(γ))` in doubles, so a
//! sketch built in process ([`bucket_index`]) and one built in the warehouse agree bucket for
//! bucket (a value within one rounding of a bucket edge could land either side; measured
//! latencies and token counts do not sit there in practice).
//!
//! A quantile is read from a histogram as DDSketch does: the rank q × (n − 1), counted from the
//! zero bucket up through the buckets in order, lands in a bucket whose representative value
//! 2γ^i ÷ (γ + 1) is returned; it lies within α of every value the bucket holds.
//!
//! Daily rates: the request rate is requests ÷ 86,400 s (a day that is only partly covered by
//! the data reads low); the acceptance, retry and escalation rates are shares of requests (first
//! attempts); the error rate is a share of attempts.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::Date;
use crate::error::{InputError, InputResult};
use crate::loadtest::csv::{self, CsvRecord, CsvTable};

/// Relative accuracy of the histogram buckets.
pub const ALPHA: f64 = 0.01;

/// Seconds in a day, the denominator of the daily request rate.
pub const SECONDS_PER_DAY: f64 = 86_400.0;

/// The bucket growth factor γ = (1 + α) ÷ (1 − α).
#[must_use]
pub fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

/// A histogram bucket: the zero bucket, or bucket `i` covering (γ^(i−1), γ^i].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Bucket {
    /// Exactly zero.
    Zero,
    /// Values in (γ^(i−1), γ^i].
    Index(i64),
}

/// The bucket of `x`: ⌈ln x ÷ ln γ⌉ for x > 0, the zero bucket for 0; `None` for negative or
/// non-finite values, which the view contract excludes.
#[must_use]
pub fn bucket_index(x: f64) -> Option<Bucket> {
    if x == 0.0 {
        Some(Bucket::Zero)
    } else if x.is_finite() && x > 0.0 {
        Some(Bucket::Index((x.ln() / gamma().ln()).ceil() as i64))
    } else {
        None
    }
}

/// The representative value of a bucket: 0, or 2γ^i ÷ (γ + 1), within α of every value in it.
#[must_use]
pub fn representative(bucket: Bucket) -> f64 {
    match bucket {
        Bucket::Zero => 0.0,
        Bucket::Index(i) => 2.0 * gamma().powf(i as f64) / (gamma() + 1.0),
    }
}

/// The metrics tier 2 histograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Time to first token, ms.
    TtftMs,
    /// Time per output token, ms.
    TpotMs,
    /// End-to-end latency, ms.
    E2eMs,
    /// Prompt tokens.
    InputTokens,
    /// Output tokens.
    OutputTokens,
}

impl Metric {
    /// Every metric, in the order tier 2 lists them.
    pub const ALL: [Self; 5] = [
        Self::TtftMs,
        Self::TpotMs,
        Self::E2eMs,
        Self::InputTokens,
        Self::OutputTokens,
    ];

    /// The name used in the SQL and the result files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::TtftMs => "ttft_ms",
            Self::TpotMs => "tpot_ms",
            Self::E2eMs => "e2e_ms",
            Self::InputTokens => "input_tokens",
            Self::OutputTokens => "output_tokens",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("must be one of ttft_ms, tpot_ms, e2e_ms, input_tokens, output_tokens, got {s:?}"))
    }
}

/// Tier 1: additive counters of one workload × day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counters {
    /// First attempts: logical requests.
    pub requests: u64,
    /// Every attempt, retries included.
    pub attempts: u64,
    /// Attempts after the first.
    pub retries: u64,
    /// Attempts whose status is not `ok`.
    pub errors: u64,
    /// Attempts with status `ok` that passed the quality gate.
    pub accepted: u64,
    /// Attempts escalated to a person.
    pub escalations: u64,
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Prompt tokens served from the cache.
    pub cached_input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Cost of every attempt, dollars.
    #[serde(with = "rust_decimal::serde::float")]
    pub cost: Decimal,
}

fn overflow(field: &str) -> InputError {
    InputError::new(field, "is too large to add exactly")
}

impl Counters {
    /// Adds `other` in place; refuses an overflow rather than wrap.
    pub fn add(&mut self, other: &Self) -> InputResult<()> {
        let add = |a: u64, b: u64, f: &str| a.checked_add(b).ok_or_else(|| overflow(f));
        self.requests = add(self.requests, other.requests, "requests")?;
        self.attempts = add(self.attempts, other.attempts, "attempts")?;
        self.retries = add(self.retries, other.retries, "retries")?;
        self.errors = add(self.errors, other.errors, "errors")?;
        self.accepted = add(self.accepted, other.accepted, "accepted")?;
        self.escalations = add(self.escalations, other.escalations, "escalations")?;
        self.input_tokens = add(self.input_tokens, other.input_tokens, "input_tokens")?;
        self.cached_input_tokens = add(
            self.cached_input_tokens,
            other.cached_input_tokens,
            "cached_input_tokens",
        )?;
        self.output_tokens = add(self.output_tokens, other.output_tokens, "output_tokens")?;
        self.cost = self
            .cost
            .checked_add(other.cost)
            .ok_or_else(|| overflow("cost"))?;
        Ok(())
    }
}

/// A log-bucket histogram: a zero count and counts by bucket index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Histogram {
    /// Values equal to 0.
    pub zero: u64,
    /// Counts by bucket index, ascending.
    pub buckets: BTreeMap<i64, u64>,
}

impl Histogram {
    /// Adds `count` values to `bucket`.
    pub fn add(&mut self, bucket: Bucket, count: u64) -> InputResult<()> {
        let slot = match bucket {
            Bucket::Zero => &mut self.zero,
            Bucket::Index(i) => self.buckets.entry(i).or_insert(0),
        };
        *slot = slot.checked_add(count).ok_or_else(|| overflow("n"))?;
        Ok(())
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Self) -> InputResult<()> {
        self.add(Bucket::Zero, other.zero)?;
        for (&i, &n) in &other.buckets {
            self.add(Bucket::Index(i), n)?;
        }
        Ok(())
    }

    /// Values counted.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.buckets
            .values()
            .fold(self.zero, |t, &n| t.saturating_add(n))
    }

    /// The `q`-quantile (q in [0, 1]) as a bucket representative; `None` when empty.
    #[must_use]
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.total();
        let last = total.checked_sub(1)?;
        let rank = (q.clamp(0.0, 1.0) * last as f64).floor() as u64;
        let mut seen = self.zero;
        if rank < seen {
            return Some(0.0);
        }
        for (&i, &n) in &self.buckets {
            seen = seen.saturating_add(n);
            if rank < seen {
                return Some(representative(Bucket::Index(i)));
            }
        }
        self.buckets
            .keys()
            .next_back()
            .map(|&i| representative(Bucket::Index(i)))
    }
}

/// One row of the tier-1 result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterRow {
    /// Workload id.
    pub workload_id: String,
    /// The day.
    pub day: Date,
    /// Its counters.
    pub counters: Counters,
}

/// One row of the tier-2 result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistogramRow {
    /// Workload id.
    pub workload_id: String,
    /// The day.
    pub day: Date,
    /// The metric.
    pub metric: Metric,
    /// The bucket.
    pub bucket: Bucket,
    /// Values in it.
    pub n: u64,
}

/// Looks up named columns of a result table, so engines may order columns as they like.
struct Columns<'a> {
    table: &'a CsvTable,
    index: BTreeMap<&'static str, usize>,
}

impl<'a> Columns<'a> {
    fn new(table: &'a CsvTable, names: &[&'static str]) -> InputResult<Self> {
        let mut index = BTreeMap::new();
        for &n in names {
            let i = table.column(&[n]).ok_or_else(|| {
                InputError::new(
                    "",
                    format!(
                        "has no {n} column (the header has {})",
                        table.header.join(", ")
                    ),
                )
            })?;
            index.insert(n, i);
        }
        Ok(Self { table, index })
    }

    fn text(&self, rec: &'a CsvRecord, name: &str) -> InputResult<&'a str> {
        self.index
            .get(name)
            .and_then(|&i| rec.fields.get(i))
            .map(|s| s.trim())
            .ok_or_else(|| InputError::new(format!("line {}: {name}", rec.line), "is missing"))
    }

    fn count(&self, rec: &'a CsvRecord, name: &str) -> InputResult<u64> {
        let t = self.text(rec, name)?;
        t.parse::<u64>().map_err(|_| {
            InputError::new(
                format!("line {}: {name}", rec.line),
                format!("must be a whole count ≥ 0, got {t:?}"),
            )
        })
    }

    fn day(&self, rec: &'a CsvRecord) -> InputResult<Date> {
        let t = self.text(rec, "day")?;
        // Engines may write a date as a timestamp at midnight; the date part is the day.
        let date_part = t.split([' ', 'T']).next().unwrap_or(t);
        date_part
            .parse::<Date>()
            .map_err(|rule| InputError::new(format!("line {}: day", rec.line), rule))
    }

    fn records(&self) -> &'a [CsvRecord] {
        &self.table.records
    }
}

const COUNTER_COLUMNS: [&str; 12] = [
    "workload_id",
    "day",
    "requests",
    "attempts",
    "retries",
    "errors",
    "accepted",
    "escalations",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "cost",
];

/// Parses a tier-1 result CSV (`tier1_counters.sql`), columns by name.
pub fn parse_counters(text: &str) -> InputResult<Vec<CounterRow>> {
    let table = csv::parse(text)?;
    let cols = Columns::new(&table, &COUNTER_COLUMNS)?;
    cols.records()
        .iter()
        .map(|rec| {
            let cost_text = cols.text(rec, "cost")?;
            let cost = Decimal::from_str(cost_text)
                .or_else(|_| Decimal::from_scientific(cost_text))
                .map_err(|_| {
                    InputError::new(
                        format!("line {}: cost", rec.line),
                        format!("must be an amount, got {cost_text:?}"),
                    )
                })?;
            Ok(CounterRow {
                workload_id: cols.text(rec, "workload_id")?.to_owned(),
                day: cols.day(rec)?,
                counters: Counters {
                    requests: cols.count(rec, "requests")?,
                    attempts: cols.count(rec, "attempts")?,
                    retries: cols.count(rec, "retries")?,
                    errors: cols.count(rec, "errors")?,
                    accepted: cols.count(rec, "accepted")?,
                    escalations: cols.count(rec, "escalations")?,
                    input_tokens: cols.count(rec, "input_tokens")?,
                    cached_input_tokens: cols.count(rec, "cached_input_tokens")?,
                    output_tokens: cols.count(rec, "output_tokens")?,
                    cost,
                },
            })
        })
        .collect()
}

/// Parses a tier-2 result CSV (`tier2_histograms.sql`), columns by name.
pub fn parse_histograms(text: &str) -> InputResult<Vec<HistogramRow>> {
    let table = csv::parse(text)?;
    let cols = Columns::new(
        &table,
        &["workload_id", "day", "metric", "bucket_kind", "bucket", "n"],
    )?;
    cols.records()
        .iter()
        .map(|rec| {
            let at = |name: &str| format!("line {}: {name}", rec.line);
            let metric = cols
                .text(rec, "metric")?
                .parse::<Metric>()
                .map_err(|rule| InputError::new(at("metric"), rule))?;
            let index_text = cols.text(rec, "bucket")?;
            let index = index_text.parse::<i64>().map_err(|_| {
                InputError::new(
                    at("bucket"),
                    format!("must be a whole number, got {index_text:?}"),
                )
            })?;
            let bucket = match cols.text(rec, "bucket_kind")? {
                "positive" => Bucket::Index(index),
                "zero" if index == 0 => Bucket::Zero,
                "zero" => {
                    return Err(InputError::new(
                        at("bucket"),
                        format!("must be 0 in the zero bucket, got {index}"),
                    ));
                }
                other => {
                    return Err(InputError::new(
                        at("bucket_kind"),
                        format!("must be positive or zero, got {other:?}"),
                    ));
                }
            };
            Ok(HistogramRow {
                workload_id: cols.text(rec, "workload_id")?.to_owned(),
                day: cols.day(rec)?,
                metric,
                bucket,
                n: cols.count(rec, "n")?,
            })
        })
        .collect()
}

/// A workload × day.
pub type DayKey = (String, Date);

/// A workload × day × metric.
pub type MetricKey = (String, Date, Metric);

/// Adds the counters of every file's rows, per workload × day.
pub fn merge_counters(files: &[Vec<CounterRow>]) -> InputResult<BTreeMap<DayKey, Counters>> {
    let mut out: BTreeMap<DayKey, Counters> = BTreeMap::new();
    for rows in files {
        for r in rows {
            out.entry((r.workload_id.clone(), r.day))
                .or_default()
                .add(&r.counters)?;
        }
    }
    Ok(out)
}

/// Adds the bucket counts of every file's rows, per workload × day × metric.
pub fn merge_histograms(
    files: &[Vec<HistogramRow>],
) -> InputResult<BTreeMap<MetricKey, Histogram>> {
    let mut out: BTreeMap<MetricKey, Histogram> = BTreeMap::new();
    for rows in files {
        for r in rows {
            out.entry((r.workload_id.clone(), r.day, r.metric))
                .or_default()
                .add(r.bucket, r.n)?;
        }
    }
    Ok(out)
}

/// p50, p95 and p99 of one metric of one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricQuantiles {
    /// The metric.
    pub metric: Metric,
    /// Values counted.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// The figures of one workload × day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayFigures {
    /// Workload id.
    pub workload_id: String,
    /// The day.
    pub day: Date,
    /// The counters behind the figures.
    pub counters: Counters,
    /// Requests ÷ 86,400 s.
    pub request_rate_per_s: f64,
    /// Accepted ÷ requests; `None` without requests.
    pub acceptance_rate: Option<f64>,
    /// Errors ÷ attempts; `None` without attempts.
    pub error_rate: Option<f64>,
    /// Retries ÷ requests; `None` without requests.
    pub retry_rate: Option<f64>,
    /// Escalations ÷ requests; `None` without requests.
    pub escalation_rate: Option<f64>,
    /// Accepted results that day.
    pub accepted_per_day: u64,
    /// Cost ÷ accepted; `None` when nothing was accepted.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub cost_per_accepted: Option<Decimal>,
    /// Quantiles of each metric with values that day, in [`Metric::ALL`] order.
    pub quantiles: Vec<MetricQuantiles>,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The daily figures from merged counters and histograms, by workload then day. Histograms of a
/// workload × day without counters are refused: the two tiers then came from different data.
pub fn derive(
    counters: &BTreeMap<DayKey, Counters>,
    histograms: &BTreeMap<MetricKey, Histogram>,
) -> InputResult<Vec<DayFigures>> {
    if let Some((w, d, m)) = histograms
        .keys()
        .find(|(w, d, _)| !counters.contains_key(&(w.clone(), *d)))
    {
        return Err(InputError::new(
            "histograms",
            format!(
                "hold {m} for {w} on {d} but the counters have no such workload × day: the tiers come from different data"
            ),
        ));
    }
    Ok(counters
        .iter()
        .map(|((w, d), c)| DayFigures {
            workload_id: w.clone(),
            day: *d,
            counters: *c,
            request_rate_per_s: c.requests as f64 / SECONDS_PER_DAY,
            acceptance_rate: share(c.accepted, c.requests),
            error_rate: share(c.errors, c.attempts),
            retry_rate: share(c.retries, c.requests),
            escalation_rate: share(c.escalations, c.requests),
            accepted_per_day: c.accepted,
            cost_per_accepted: (c.accepted > 0)
                .then(|| c.cost.checked_div(Decimal::from(c.accepted)))
                .flatten(),
            quantiles: Metric::ALL
                .into_iter()
                .filter_map(|m| {
                    let h = histograms.get(&(w.clone(), *d, m))?;
                    Some(MetricQuantiles {
                        metric: m,
                        count: h.total(),
                        p50: h.quantile(0.5)?,
                        p95: h.quantile(0.95)?,
                        p99: h.quantile(0.99)?,
                    })
                })
                .collect(),
        })
        .collect())
}

/// One row of the `traces` view, for computing the same aggregates in process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceRow {
    /// Workload id.
    pub workload_id: String,
    /// The day of `ts`.
    pub day: Date,
    /// `ok` for a successful attempt; anything else is an error.
    pub status: String,
    /// 1 for the first attempt of a request, 2 and up for retries.
    pub attempt: u32,
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Prompt tokens served from the cache.
    pub cached_input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Time to first token, ms; `None` when not measured (a failed attempt).
    pub ttft_ms: Option<f64>,
    /// Time per output token, ms.
    pub tpot_ms: Option<f64>,
    /// End-to-end latency, ms.
    pub e2e_ms: Option<f64>,
    /// Passed the quality gate.
    pub quality_pass: bool,
    /// Escalated to a person.
    pub escalated: bool,
    /// Cost, dollars.
    #[serde(with = "rust_decimal::serde::float")]
    pub cost: Decimal,
}

/// Parses the `traces` view exported as CSV (the columns `querypack/README.md` lists; `ts` is
/// not needed and may be absent). Latencies may be empty; everything else is required.
pub fn parse_traces(text: &str) -> InputResult<Vec<TraceRow>> {
    let table = csv::parse(text)?;
    let cols = Columns::new(
        &table,
        &[
            "workload_id",
            "day",
            "status",
            "attempt",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
            "ttft_ms",
            "tpot_ms",
            "e2e_ms",
            "quality_pass",
            "escalated",
            "cost",
        ],
    )?;
    cols.records()
        .iter()
        .map(|rec| {
            let at = |name: &str| format!("line {}: {name}", rec.line);
            let latency = |name: &str| -> InputResult<Option<f64>> {
                let t = cols.text(rec, name)?;
                if t.is_empty() {
                    return Ok(None);
                }
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
                    _ => Err(InputError::new(
                        at(name),
                        format!("must be a number ≥ 0, got {t:?}"),
                    )),
                }
            };
            let flag = |name: &str| -> InputResult<bool> {
                match cols.count(rec, name)? {
                    0 => Ok(false),
                    1 => Ok(true),
                    n => Err(InputError::new(
                        at(name),
                        format!("must be 0 or 1, got {n}"),
                    )),
                }
            };
            let attempt = u32::try_from(cols.count(rec, "attempt")?)
                .ok()
                .filter(|a| *a >= 1)
                .ok_or_else(|| InputError::new(at("attempt"), "must be a whole number ≥ 1"))?;
            let cost_text = cols.text(rec, "cost")?;
            let cost = Decimal::from_str(cost_text)
                .ok()
                .filter(|c| !c.is_sign_negative() || c.is_zero())
                .ok_or_else(|| {
                    InputError::new(
                        at("cost"),
                        format!("must be an amount ≥ 0, got {cost_text:?}"),
                    )
                })?;
            Ok(TraceRow {
                workload_id: cols.text(rec, "workload_id")?.to_owned(),
                day: cols.day(rec)?,
                status: cols.text(rec, "status")?.to_owned(),
                attempt,
                input_tokens: cols.count(rec, "input_tokens")?,
                cached_input_tokens: cols.count(rec, "cached_input_tokens")?,
                output_tokens: cols.count(rec, "output_tokens")?,
                ttft_ms: latency("ttft_ms")?,
                tpot_ms: latency("tpot_ms")?,
                e2e_ms: latency("e2e_ms")?,
                quality_pass: flag("quality_pass")?,
                escalated: flag("escalated")?,
                cost,
            })
        })
        .collect()
}

/// The tier-1 counters and tier-2 histograms of `rows`, computed in process by the rules the
/// SQL applies.
pub fn aggregate(
    rows: &[TraceRow],
) -> InputResult<(BTreeMap<DayKey, Counters>, BTreeMap<MetricKey, Histogram>)> {
    let mut counters: BTreeMap<DayKey, Counters> = BTreeMap::new();
    let mut histograms: BTreeMap<MetricKey, Histogram> = BTreeMap::new();
    for r in rows {
        let ok = r.status == "ok";
        counters
            .entry((r.workload_id.clone(), r.day))
            .or_default()
            .add(&Counters {
                requests: u64::from(r.attempt == 1),
                attempts: 1,
                retries: u64::from(r.attempt > 1),
                errors: u64::from(!ok),
                accepted: u64::from(ok && r.quality_pass),
                escalations: u64::from(r.escalated),
                input_tokens: r.input_tokens,
                cached_input_tokens: r.cached_input_tokens,
                output_tokens: r.output_tokens,
                cost: r.cost,
            })?;
        let values = [
            (Metric::TtftMs, r.ttft_ms),
            (Metric::TpotMs, r.tpot_ms),
            (Metric::E2eMs, r.e2e_ms),
            (Metric::InputTokens, Some(r.input_tokens as f64)),
            (Metric::OutputTokens, Some(r.output_tokens as f64)),
        ];
        for (m, v) in values {
            if let Some(b) = v.and_then(bucket_index) {
                histograms
                    .entry((r.workload_id.clone(), r.day, m))
                    .or_default()
                    .add(b, 1)?;
            }
        }
    }
    Ok((counters, histograms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn gamma_and_indices() {
        // γ = 1.01 ÷ 0.99 = 1.020202…; ln γ = 0.0200006667.
        assert_eq!(gamma(), 1.01 / 0.99);
        assert!((gamma() - 1.020_202_020_202_02).abs() < 1e-15);
        assert_eq!(bucket_index(1.0), Some(Bucket::Index(0)));
        assert_eq!(bucket_index(0.0), Some(Bucket::Zero));
        assert_eq!(bucket_index(-1.0), None);
        assert_eq!(bucket_index(f64::NAN), None);
        // ln 100 = 4.60517; ÷ 0.0200006667 = 230.25 → 231.
        assert_eq!(bucket_index(100.0), Some(Bucket::Index(231)));
        // Just above 1: bucket 1 covers (1, γ].
        assert_eq!(bucket_index(1.0001), Some(Bucket::Index(1)));
        // ln 0.5 ÷ ln γ = −34.66 → −34.
        assert_eq!(bucket_index(0.5), Some(Bucket::Index(-34)));
    }

    proptest! {
        #[test]
        fn representative_is_within_alpha(x in 1e-6f64..1e9) {
            let b = bucket_index(x).unwrap_or(Bucket::Zero);
            let r = representative(b);
            prop_assert!(((r - x) / x).abs() <= ALPHA + 1e-12, "x {x} rep {r}");
        }

        #[test]
        fn merging_split_counts_equals_counting_once(values in proptest::collection::vec(0u32..5000, 1..200), cut in 0usize..200) {
            let cut = cut.min(values.len());
            let mut whole = Histogram::default();
            let mut a = Histogram::default();
            let mut b = Histogram::default();
            for (i, v) in values.iter().enumerate() {
                let bucket = bucket_index(f64::from(*v)).unwrap_or(Bucket::Zero);
                whole.add(bucket, 1).unwrap_or_else(|e| panic!("{e}"));
                if i < cut { a.add(bucket, 1) } else { b.add(bucket, 1) }.unwrap_or_else(|e| panic!("{e}"));
            }
            a.merge(&b).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(a, whole);
        }
    }

    #[test]
    fn quantiles_walk_zero_then_buckets() {
        let mut h = Histogram::default();
        h.add(Bucket::Zero, 2).unwrap_or_else(|e| panic!("{e}"));
        h.add(Bucket::Index(0), 5).unwrap_or_else(|e| panic!("{e}"));
        h.add(Bucket::Index(231), 3)
            .unwrap_or_else(|e| panic!("{e}"));
        // 10 values: ranks 0–1 zero, 2–6 bucket 0, 7–9 bucket 231.
        // p50: rank ⌊0.5 × 9⌋ = 4 → bucket 0, whose representative is 2 ÷ (γ + 1) = 0.990.
        let p50 = h.quantile(0.5).unwrap_or(f64::NAN);
        assert!((p50 - 2.0 / (gamma() + 1.0)).abs() < 1e-12);
        assert_eq!(h.quantile(0.0), Some(0.0));
        // p99: rank ⌊0.99 × 9⌋ = 8 → bucket 231, ≈ 100 within 1%.
        let p99 = h.quantile(0.99).unwrap_or(f64::NAN);
        assert!((p99 - 100.0).abs() / 100.0 < ALPHA);
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    const TIER1: &str = "workload_id,day,requests,attempts,retries,errors,accepted,escalations,input_tokens,cached_input_tokens,output_tokens,cost\n\
        rag,2026-03-01,10,12,2,3,8,1,5000,2000,900,0.120000\n\
        rag,2026-03-02,4,4,0,0,4,0,2000,0,300,0.040000\n";

    #[test]
    fn counters_parse_merge_and_derive() {
        let a = parse_counters(TIER1).unwrap_or_else(|e| panic!("{e}"));
        // An engine that quotes everything and trims trailing zeros (ClickHouse, Trino).
        let b = parse_counters(
            "\"day\",\"workload_id\",\"requests\",\"attempts\",\"retries\",\"errors\",\"accepted\",\"escalations\",\"input_tokens\",\"cached_input_tokens\",\"output_tokens\",\"cost\"\r\n\
             \"2026-03-01\",\"rag\",\"5\",\"5\",\"0\",\"1\",\"4\",\"0\",\"100\",\"0\",\"50\",\"0.03\"\r\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let merged = merge_counters(&[a, b]).unwrap_or_else(|e| panic!("{e}"));
        let c = merged[&("rag".to_owned(), day("2026-03-01"))];
        assert_eq!(
            (c.requests, c.attempts, c.accepted, c.errors),
            (15, 17, 12, 4)
        );
        assert_eq!(c.cost, Decimal::new(15, 2));
        let figures = derive(&merged, &BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(figures.len(), 2);
        let f = &figures[0];
        // 12 accepted of 15 requests; 4 errors of 17 attempts; 2 retries of 15.
        assert_eq!(f.acceptance_rate, Some(0.8));
        assert_eq!(f.error_rate, Some(4.0 / 17.0));
        assert_eq!(f.retry_rate, Some(2.0 / 15.0));
        // $0.15 ÷ 12 = $0.0125.
        assert_eq!(f.cost_per_accepted, Some(Decimal::new(125, 4)));
        assert_eq!(f.request_rate_per_s, 15.0 / 86_400.0);
        assert!(f.quantiles.is_empty());
    }

    #[test]
    fn histograms_parse_merge_and_refuse_strays() {
        let text = "workload_id,day,metric,bucket_kind,bucket,n\n\
            rag,2026-03-01,ttft_ms,zero,0,1\n\
            rag,2026-03-01,ttft_ms,positive,231,3\n\
            rag,2026-03-01 00:00:00,ttft_ms,positive,231,2\n";
        let rows = parse_histograms(text).unwrap_or_else(|e| panic!("{e}"));
        let merged = merge_histograms(&[rows.clone(), rows]).unwrap_or_else(|e| panic!("{e}"));
        let h = &merged[&("rag".to_owned(), day("2026-03-01"), Metric::TtftMs)];
        assert_eq!((h.zero, h.buckets[&231]), (2, 10));
        let counters = merge_counters(&[parse_counters(TIER1).unwrap_or_else(|e| panic!("{e}"))])
            .unwrap_or_else(|e| panic!("{e}"));
        let f = derive(&counters, &merged).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f[0].quantiles.len(), 1);
        assert_eq!(f[0].quantiles[0].count, 12);
        let stray = merge_histograms(&[parse_histograms(
            "workload_id,day,metric,bucket_kind,bucket,n\nchat,2026-03-01,e2e_ms,positive,3,1\n",
        )
        .unwrap_or_else(|e| panic!("{e}"))])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(derive(&counters, &stray).is_err());
    }

    #[test]
    fn malformed_results_are_refused() {
        let bad = |text: &str| parse_histograms(text).err().map(|e| e.field);
        let head = "workload_id,day,metric,bucket_kind,bucket,n\n";
        assert_eq!(
            bad(&format!("{head}rag,2026-03-01,ttft,positive,1,1\n")),
            Some("line 2: metric".into())
        );
        assert_eq!(
            bad(&format!("{head}rag,2026-03-01,ttft_ms,neg,1,1\n")),
            Some("line 2: bucket_kind".into())
        );
        assert_eq!(
            bad(&format!("{head}rag,2026-03-01,ttft_ms,zero,4,1\n")),
            Some("line 2: bucket".into())
        );
        assert_eq!(
            bad(&format!("{head}rag,2026-03-01,ttft_ms,positive,1,1.5\n")),
            Some("line 2: n".into())
        );
        assert_eq!(
            bad(&format!("{head}rag,03/01/2026,ttft_ms,positive,1,1\n")),
            Some("line 2: day".into())
        );
        assert!(parse_histograms("workload_id,day\n").is_err());
        let c = parse_counters(&TIER1.replace("0.120000", "twelve")).err();
        assert_eq!(c.map(|e| e.field), Some("line 2: cost".into()));
        let mut big = Counters {
            requests: u64::MAX,
            ..Counters::default()
        };
        assert!(
            big.add(&Counters {
                requests: 1,
                ..Counters::default()
            })
            .is_err()
        );
    }

    #[test]
    fn aggregate_counts_like_the_sql() {
        let text = "workload_id,ts,day,status,attempt,input_tokens,cached_input_tokens,output_tokens,ttft_ms,tpot_ms,e2e_ms,quality_pass,escalated,cost\n\
            rag,2026-03-01 10:00:00,2026-03-01,error,1,100,0,0,,,,0,0,0.001\n\
            rag,2026-03-01 10:00:02,2026-03-01,ok,2,100,50,20,250.5,12.0,478.5,1,0,0.002\n\
            rag,2026-03-01 11:00:00,2026-03-01,ok,1,0,0,0,0,0,0,0,1,0\n";
        let rows = parse_traces(text).unwrap_or_else(|e| panic!("{e}"));
        let (c, h) = aggregate(&rows).unwrap_or_else(|e| panic!("{e}"));
        let k = ("rag".to_owned(), day("2026-03-01"));
        let got = c[&k];
        // Requests are first attempts (2); one retry; one error; one accepted; one escalation.
        assert_eq!(
            (
                got.requests,
                got.attempts,
                got.retries,
                got.errors,
                got.accepted,
                got.escalations
            ),
            (2, 3, 1, 1, 1, 1)
        );
        assert_eq!((got.input_tokens, got.cached_input_tokens), (200, 50));
        assert_eq!(got.cost, Decimal::new(3, 3));
        // TTFT: the failed attempt has none; 250.5 in a positive bucket, 0 in the zero bucket.
        let ttft = &h[&(k.0.clone(), k.1, Metric::TtftMs)];
        assert_eq!(ttft.total(), 2);
        assert_eq!(ttft.zero, 1);
        // Input tokens: two 100s and one 0.
        let input = &h[&(k.0, k.1, Metric::InputTokens)];
        assert_eq!((input.zero, input.total()), (1, 3));
        let bad = text.replace(",1,0,0.002", ",2,0,0.002");
        assert!(parse_traces(&bad).is_err());
        let negative = text.replace("250.5", "-1");
        assert!(parse_traces(&negative).is_err());
    }
}
