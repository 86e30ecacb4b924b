//! The warehouse query pack's results turned into the aggregate a local trace import builds, so
//! a baseline is priced and derived from a warehouse by the same functions as from a file.
//!
//! The SQL files in `querypack/` run over a `traces` view whose columns are the canonical trace
//! row (the columns `lcpr import traces` reads with no mapping) plus `day`, the UTC day of the
//! timestamp, which is how a local import buckets rows. They write three small tables:
//! - tier 1, `tier1_counters.sql`: per workload × day × provider × model × prompt version, the
//!   counters of [`crate::evidence::traces::aggregate::Counters`] (attempts, first requests, retries,
//!   errors, timeouts, accepted, gate verdicts, escalations, token sums by kind, reported cost
//!   and the rows reporting one), by the local importer's rules;
//! - tier 2, `tier2_histograms.sql`: per workload × day × metric, the bucket counts of the
//!   [`Sketch`] a local import keeps, for the values it feeds the sketch;
//! - tier 2, `tier2_extremes.sql`: per workload × day × metric, the count, exact min and max and
//!   the fixed-point sum, the parts of a sketch that bucket counts do not carry.
//!
//! Every column merges exactly (counts and integer sums add, the reported cost adds as Decimal,
//! min and max take the smaller and larger), so results of several partitions, shards or engines
//! combine into exactly what one query over all rows gives. [`to_aggregate`] merges them and
//! builds an [`Aggregate`]: each day's counters are the sum of its tier-1 groups, its
//! per-(provider, model) token sums and (model, prompt version) row counts come from the same
//! groups, and its sketches are rebuilt with [`Sketch::from_buckets`]. That aggregate equals the
//! one a local import with no raw values kept ([`AGGREGATE_SETTINGS`]) builds from the same
//! rows, except for the source row numbers (`ModelUsage::first_row`, 0 here), which a warehouse
//! does not keep. Pricing ([`crate::evidence::traces::pricing::price`]) and baselines
//! ([`crate::evidence::traces::baseline::derive_baselines`]) then run unchanged.
//!
//! Bucket rule. A sketch puts x ≥ 10⁻⁹ in bucket ⌈ln x × (1 ÷ ln γ)⌉ with γ = 1.01 ÷ 0.99, and
//! smaller values in a zero bucket. The multiplication by the precomputed 1 ÷ ln γ is the
//! canonical form, because it is what every sketch built in process does on its hot path; the
//! SQL multiplies by the same double, written as the literal [`INV_LN_GAMMA_SQL`], rather than
//! dividing by `LN(γ)`: x · (1 ÷ ln γ) and x ÷ ln γ can round to opposite sides of a whole
//! number, and an engine's `LN(γ)` could differ from the platform's in the last bit. The value
//! of `LN(x)` itself comes from each engine's logarithm; the cross-engine check and the
//! fixtures test find no value on which they disagree.
//!
//! The SQL itself, per engine and with a view recipe first, comes from [`pack`].
//!
//! Percentiles. A warehouse keeps no raw values, so the percentiles of a baseline derived from
//! it are always sketched (within 1%). A local import keeps raw values, and exact percentiles,
//! while a period holds at most its limit (1,000 by default) of a metric; the two baselines are
//! equal when every workload's period holds more values than that, or when the local import
//! keeps none.

pub mod pack;
mod results;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::Date;
use crate::error::{InputError, InputResult};
use crate::evidence::traces::aggregate::{
    Aggregate, AggregateSettings, Counters, DayAggregate, ModelUsage, VersionCount,
};
use crate::evidence::traces::sketch::{DEFAULT_RELATIVE_ACCURACY, Sketch};

pub use results::{parse_counters, parse_extremes, parse_histograms};

/// The bucket-index factor 1 ÷ ln γ as `tier2_histograms.sql` writes it: the shortest decimal
/// that reads back as the double a sketch multiplies by.
pub const INV_LN_GAMMA_SQL: &str = "4.999833328888678E1";

/// The settings of the aggregate [`to_aggregate`] builds: no raw values (a warehouse keeps
/// none), no broken-row examples (the view holds only rows that pass the importer's checks).
pub const AGGREGATE_SETTINGS: AggregateSettings = AggregateSettings {
    exact_below: 0,
    max_row_errors: 0,
};

/// The metrics a day sketches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Time to first token, ms.
    TtftMs,
    /// Time per output token, ms: reported, else derived from E2E and TTFT.
    TpotMs,
    /// End-to-end latency, ms.
    E2eMs,
    /// All input tokens: uncached, cache reads and cache writes.
    InputTokens,
    /// Generated tokens: output and reasoning.
    OutputTokens,
}

impl Metric {
    /// Every metric, in the order the SQL lists them.
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

    /// The metric named `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    fn sketch(self, day: &mut DayAggregate) -> &mut Sketch {
        match self {
            Self::TtftMs => &mut day.ttft_ms,
            Self::TpotMs => &mut day.tpot_ms,
            Self::E2eMs => &mut day.e2e_ms,
            Self::InputTokens => &mut day.input_tokens,
            Self::OutputTokens => &mut day.output_tokens,
        }
    }
}

/// A histogram bucket: the zero bucket (values below 10⁻⁹), or bucket `i` covering
/// (γ^(i−1), γ^i].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Bucket {
    /// Values below 10⁻⁹.
    Zero,
    /// Values in (γ^(i−1), γ^i].
    Index(i32),
}

/// One row of a tier-1 result: the counters of one workload × day × provider × model × prompt
/// version. The pricing fields of `counters` are 0: pricing sets them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CounterRow {
    /// Workload id.
    pub workload: String,
    /// UTC day.
    pub day: Date,
    /// Provider.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Prompt version; empty when not recorded.
    pub prompt_version: String,
    /// Counts and sums.
    pub counters: Counters,
}

/// One row of a tier-2 histogram result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistogramRow {
    /// Workload id.
    pub workload: String,
    /// UTC day.
    pub day: Date,
    /// The metric.
    pub metric: Metric,
    /// The bucket.
    pub bucket: Bucket,
    /// Values in it.
    pub n: u64,
}

/// One row of a tier-2 extremes result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtremesRow {
    /// Workload id.
    pub workload: String,
    /// UTC day.
    pub day: Date,
    /// The metric.
    pub metric: Metric,
    /// Values counted.
    pub n: u64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sum of the values, each rounded to 2⁻²⁰, in units of 2⁻²⁰.
    pub sum_scaled: u128,
}

/// A tier-1 group: workload × day × provider × model × prompt version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CounterKey {
    /// Workload id.
    pub workload: String,
    /// UTC day.
    pub day: Date,
    /// Provider.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Prompt version.
    pub prompt_version: String,
}

/// A workload × day × metric.
pub type MetricKey = (String, Date, Metric);

/// Bucket counts of one workload × day × metric.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Histogram {
    /// Values below 10⁻⁹.
    pub zero: u64,
    /// Counts by bucket index, ascending.
    pub buckets: BTreeMap<i32, u64>,
}

impl Histogram {
    /// Values counted; `None` past 2⁶⁴.
    #[must_use]
    pub fn total(&self) -> Option<u64> {
        self.buckets
            .values()
            .try_fold(self.zero, |t, &n| t.checked_add(n))
    }
}

/// Count, extremes and fixed-point sum of one workload × day × metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Extremes {
    /// Values counted.
    pub n: u64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sum in units of 2⁻²⁰.
    pub sum_scaled: u128,
}

fn too_large(what: &str) -> InputError {
    InputError::new(what, "is too large to add exactly")
}

/// Adds the counters of every file's rows, per tier-1 group.
pub fn merge_counters(files: &[Vec<CounterRow>]) -> InputResult<BTreeMap<CounterKey, Counters>> {
    let mut out: BTreeMap<CounterKey, Counters> = BTreeMap::new();
    for r in files.iter().flatten() {
        let key = CounterKey {
            workload: r.workload.clone(),
            day: r.day,
            provider: r.provider.clone(),
            model: r.model.clone(),
            prompt_version: r.prompt_version.clone(),
        };
        out.entry(key)
            .or_default()
            .merge(&r.counters)
            .map_err(|_| too_large("counters"))?;
    }
    Ok(out)
}

/// Adds the bucket counts of every file's rows, per workload × day × metric.
pub fn merge_histograms(
    files: &[Vec<HistogramRow>],
) -> InputResult<BTreeMap<MetricKey, Histogram>> {
    let mut out: BTreeMap<MetricKey, Histogram> = BTreeMap::new();
    for r in files.iter().flatten() {
        let h = out
            .entry((r.workload.clone(), r.day, r.metric))
            .or_default();
        let slot = match r.bucket {
            Bucket::Zero => &mut h.zero,
            Bucket::Index(i) => h.buckets.entry(i).or_insert(0),
        };
        *slot = slot.checked_add(r.n).ok_or_else(|| too_large("n"))?;
    }
    Ok(out)
}

/// Combines the extremes of every file's rows, per workload × day × metric: counts and sums
/// add, min and max take the smaller and the larger.
pub fn merge_extremes(files: &[Vec<ExtremesRow>]) -> InputResult<BTreeMap<MetricKey, Extremes>> {
    let mut out: BTreeMap<MetricKey, Extremes> = BTreeMap::new();
    for r in files.iter().flatten() {
        let key = (r.workload.clone(), r.day, r.metric);
        match out.get_mut(&key) {
            Some(e) => {
                e.n = e.n.checked_add(r.n).ok_or_else(|| too_large("n"))?;
                e.sum_scaled = e
                    .sum_scaled
                    .checked_add(r.sum_scaled)
                    .ok_or_else(|| too_large("sum_scaled"))?;
                e.min = e.min.min(r.min);
                e.max = e.max.max(r.max);
            }
            None => {
                out.insert(
                    key,
                    Extremes {
                        n: r.n,
                        min: r.min,
                        max: r.max,
                        sum_scaled: r.sum_scaled,
                    },
                );
            }
        }
    }
    Ok(out)
}

fn of(w: &str, d: Date, m: Metric) -> String {
    format!("{m} of {w:?} on {d}", m = m.name())
}

/// Merges the three results of any number of partitions and builds the aggregate a local
/// import of the same rows builds (see the module docs), unpriced.
///
/// Refuses results that cannot come from one set of rows: a histogram or extremes row for a
/// workload × day the counters lack, a histogram without its extremes row or the reverse, an
/// extremes count that differs from the histogram's, sketch parts [`Sketch::from_buckets`]
/// refuses, and a day whose token sketches do not hold one value per attempt or whose latency
/// sketches hold more.
pub fn to_aggregate(
    counters: &[Vec<CounterRow>],
    histograms: &[Vec<HistogramRow>],
    extremes: &[Vec<ExtremesRow>],
) -> InputResult<Aggregate> {
    let counters = merge_counters(counters)?;
    let histograms = merge_histograms(histograms)?;
    let extremes = merge_extremes(extremes)?;
    let mut agg = Aggregate::new(AGGREGATE_SETTINGS);
    for (k, c) in &counters {
        let day = agg
            .workloads
            .entry(k.workload.clone())
            .or_default()
            .entry(k.day)
            .or_insert_with(|| DayAggregate::new(AGGREGATE_SETTINGS.exact_below));
        day.counters.merge(c).map_err(|_| too_large("counters"))?;
        match day
            .usage
            .iter_mut()
            .find(|u| u.provider == k.provider && u.model == k.model)
        {
            Some(u) => {
                u.rows = u
                    .rows
                    .checked_add(c.attempts)
                    .ok_or_else(|| too_large("attempts"))?;
                u.tokens.merge(&c.tokens).map_err(|_| too_large("tokens"))?;
            }
            // Row numbers do not survive a warehouse: 0 stands for "not known".
            None => day.usage.push(ModelUsage {
                provider: k.provider.clone(),
                model: k.model.clone(),
                rows: c.attempts,
                first_row: 0,
                tokens: c.tokens,
                rate_card: None,
                cost: None,
            }),
        }
        match day
            .versions
            .iter_mut()
            .find(|v| v.model == k.model && v.prompt_version == k.prompt_version)
        {
            Some(v) => {
                v.rows = v
                    .rows
                    .checked_add(c.attempts)
                    .ok_or_else(|| too_large("attempts"))?;
            }
            None => day.versions.push(VersionCount {
                model: k.model.clone(),
                prompt_version: k.prompt_version.clone(),
                rows: c.attempts,
            }),
        }
        agg.rows_read = agg
            .rows_read
            .checked_add(c.attempts)
            .ok_or_else(|| too_large("attempts"))?;
    }
    if let Some((w, d, m)) = extremes.keys().find(|k| !histograms.contains_key(*k)) {
        return Err(InputError::new(
            "extremes",
            format!(
                "hold {} but the histograms do not: the results come from different data",
                of(w, *d, *m)
            ),
        ));
    }
    for ((w, d, m), h) in &histograms {
        let day = agg
            .workloads
            .get_mut(w)
            .and_then(|days| days.get_mut(d))
            .ok_or_else(|| {
                InputError::new(
                    "histograms",
                    format!(
                        "hold {} but the counters have no such workload × day: the results come from different data",
                        of(w, *d, *m)
                    ),
                )
            })?;
        let e = extremes.get(&(w.clone(), *d, *m)).ok_or_else(|| {
            InputError::new(
                "extremes",
                format!("lack {}, which the histograms hold", of(w, *d, *m)),
            )
        })?;
        let total = h.total().ok_or_else(|| too_large("n"))?;
        if e.n != total {
            return Err(InputError::new(
                "extremes",
                format!(
                    "count {} values of {} but the histograms {total}: the results come from different data",
                    e.n,
                    of(w, *d, *m)
                ),
            ));
        }
        let buckets: Vec<(i32, u64)> = h.buckets.iter().map(|(&i, &n)| (i, n)).collect();
        *m.sketch(day) = Sketch::from_buckets(
            DEFAULT_RELATIVE_ACCURACY,
            h.zero,
            &buckets,
            e.min,
            e.max,
            e.sum_scaled,
        )
        .map_err(|err| InputError::new(format!("{}: {}", of(w, *d, *m), err.field), err.rule))?;
    }
    for (w, days) in &mut agg.workloads {
        for (d, day) in days.iter_mut() {
            let attempts = day.counters.attempts;
            for m in Metric::ALL {
                let n = m.sketch(day).count();
                let tokens = matches!(m, Metric::InputTokens | Metric::OutputTokens);
                if (tokens && n != attempts) || n > attempts {
                    return Err(InputError::new(
                        "histograms",
                        format!(
                            "count {n} values of {} but the counters {attempts} attempts: {}",
                            of(w, *d, m),
                            if tokens {
                                "every attempt has token counts"
                            } else {
                                "an attempt has at most one value"
                            }
                        ),
                    ));
                }
            }
        }
    }
    agg.normalize();
    Ok(agg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::traces::aggregate::TokenSums;
    use rust_decimal::Decimal;

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    const TIER1: &str = "workload,day,provider,model,prompt_version,attempts,requests,retries,errors,timeouts,accepted,gate_pass,gate_fail,gate_unknown,escalations,uncached_input_tokens,cache_read_tokens,cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,reported_cost,reported_cost_rows\n\
        rag,2026-03-01,OpenAI,gpt-5.4,v7,3,2,1,1,0,1,1,0,2,1,300,200,0,0,40,0,0.0030000000,3\n\
        rag,2026-03-01,OpenAI,gpt-5.4-mini,v8,1,1,0,0,0,1,1,0,0,0,100,0,0,0,10,0,0,0\n";

    // The same four attempts' metric values. Input tokens: 100 (error), 200 and 200 (gpt-5.4)
    // and 100 (mini); generated tokens: 0, 20, 20, 10. TTFT: 250, 300 and 1000 (the error has
    // none).
    const TIER2: &str = "workload,day,metric,bucket_kind,bucket,n\n\
        rag,2026-03-01,input_tokens,positive,231,2\n\
        rag,2026-03-01,input_tokens,positive,265,2\n\
        rag,2026-03-01,output_tokens,zero,0,1\n\
        rag,2026-03-01,output_tokens,positive,116,1\n\
        rag,2026-03-01,output_tokens,positive,150,2\n\
        rag,2026-03-01,ttft_ms,positive,277,1\n\
        rag,2026-03-01,ttft_ms,positive,286,1\n\
        rag,2026-03-01,ttft_ms,positive,346,1\n";

    const EXTREMES: &str = "workload,day,metric,n,min_value,max_value,sum_scaled\n\
        rag,2026-03-01,input_tokens,4,100.0,200.0,629145600\n\
        rag,2026-03-01,output_tokens,4,0.0,20.0,52428800\n\
        rag,2026-03-01,ttft_ms,3,250.0,1000.0,1625292800\n";

    fn parts() -> (Vec<CounterRow>, Vec<HistogramRow>, Vec<ExtremesRow>) {
        (
            parse_counters("t1", TIER1).unwrap_or_else(|e| panic!("{e}")),
            parse_histograms("t2", TIER2).unwrap_or_else(|e| panic!("{e}")),
            parse_extremes("t3", EXTREMES).unwrap_or_else(|e| panic!("{e}")),
        )
    }

    #[test]
    fn bucket_literal_is_the_sketch_factor() {
        // 1 ÷ ln(1.01 ÷ 0.99) = 1 ÷ 0.0200006667 = 49.9983333.
        let k: f64 = INV_LN_GAMMA_SQL.parse().unwrap_or(0.0);
        assert_eq!(
            k,
            1.0 / ((1.0 + DEFAULT_RELATIVE_ACCURACY) / (1.0 - DEFAULT_RELATIVE_ACCURACY)).ln()
        );
        let s = Sketch::standard(0);
        // The bucket indices the fixtures above use: ln 100 × 49.998 = 230.25 → 231;
        // ln 200 × 49.998 = 264.91 → 265; ln 10 = 115.13 → 116; ln 20 = 149.78 → 150;
        // ln 250 = 276.07 → 277; ln 300 = 285.19 → 286; ln 1000 = 345.38 → 346.
        for (x, i) in [
            (100.0, 231),
            (200.0, 265),
            (10.0, 116),
            (20.0, 150),
            (250.0, 277),
            (300.0, 286),
            (1000.0, 346),
        ] {
            assert_eq!(s.bucket_index(x), i, "{x}");
            assert_eq!((f64::ln(x) * k).ceil() as i32, i, "{x}");
        }
    }

    #[test]
    fn results_become_the_days_aggregate() {
        let (c, h, e) = parts();
        let agg = to_aggregate(&[c], &[h], &[e]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((agg.rows_read, agg.rows_broken), (4, 0));
        let d = &agg.workloads["rag"][&day("2026-03-01")];
        let c = &d.counters;
        // 3 + 1 attempts; 2 + 1 requests; one retry; the error is the retried attempt.
        assert_eq!((c.attempts, c.requests, c.retries, c.errors), (4, 3, 1, 1));
        assert_eq!(
            (c.accepted, c.gate_pass, c.gate_unknown, c.escalations),
            (2, 2, 2, 1)
        );
        // Tokens: 300 + 100 uncached, 200 read, 40 + 10 output.
        assert_eq!(
            c.tokens,
            TokenSums {
                uncached_input: 400,
                cache_read: 200,
                output: 50,
                ..TokenSums::default()
            }
        );
        assert_eq!(
            (c.reported_cost, c.reported_cost_rows),
            (Decimal::new(3, 3), 3)
        );
        assert_eq!(c.inference_cost, Decimal::ZERO);
        // One usage line per model, rows = attempts; versions per (model, prompt version).
        let usage: Vec<(&str, u64, u64)> = d
            .usage
            .iter()
            .map(|u| (u.model.as_str(), u.rows, u.tokens.uncached_input))
            .collect();
        assert_eq!(usage, [("gpt-5.4", 3, 300), ("gpt-5.4-mini", 1, 100)]);
        let versions: Vec<(&str, u64)> = d
            .versions
            .iter()
            .map(|v| (v.prompt_version.as_str(), v.rows))
            .collect();
        assert_eq!(versions, [("v7", 3), ("v8", 1)]);
        // The sketches are the ones adding the values builds.
        let mut ttft = Sketch::standard(0);
        for x in [250.0, 300.0, 1000.0] {
            ttft.add(x);
        }
        assert_eq!(d.ttft_ms, ttft);
        let mut output = Sketch::standard(0);
        for x in [0.0, 20.0, 20.0, 10.0] {
            output.add(x);
        }
        assert_eq!(d.output_tokens, output);
        // p50 of 0, 10, 20, 20: rank 1.5, between the representatives of 10 and 20 (each within
        // 1%): about 15.
        let p50 = d.output_tokens.quantile(0.5).unwrap_or(0.0);
        assert!((p50 - 15.0).abs() < 0.15, "{p50}");
        // TTFT p100: bucket 346's representative 2γ^346 ÷ (γ + 1) ≈ 1002.6 is clamped to the
        // exact max the extremes carried, 1000.
        assert!(ttft.representative(346) > 1002.0);
        assert_eq!(d.ttft_ms.quantile(1.0), Some(1000.0));
        assert_eq!(d.tpot_ms.count(), 0);
    }

    #[test]
    fn partitions_merge_by_adding() {
        let (c, h, e) = parts();
        let whole = to_aggregate(
            std::slice::from_ref(&c),
            std::slice::from_ref(&h),
            std::slice::from_ref(&e),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // Each file twice is the data twice: every count doubles, the extremes stay.
        let twice = to_aggregate(&[c.clone(), c], &[h.clone(), h], &[e.clone(), e])
            .unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (
            &whole.workloads["rag"][&day("2026-03-01")],
            &twice.workloads["rag"][&day("2026-03-01")],
        );
        assert_eq!(b.counters.attempts, 2 * a.counters.attempts);
        assert_eq!(b.counters.reported_cost, Decimal::new(6, 3));
        assert_eq!(b.ttft_ms.count(), 6);
        assert_eq!(
            (b.ttft_ms.min(), b.ttft_ms.max()),
            (Some(250.0), Some(1000.0))
        );
        assert_eq!(b.versions[0].rows, 6);
    }

    #[test]
    fn results_that_do_not_fit_together_are_refused() {
        let (c, h, e) = parts();
        let refused = |c: &[CounterRow], h: &[HistogramRow], e: &[ExtremesRow]| {
            to_aggregate(&[c.to_vec()], &[h.to_vec()], &[e.to_vec()])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        // A histogram of a workload-day the counters lack.
        let mut stray = h.clone();
        stray.push(HistogramRow {
            workload: "chat".into(),
            ..h[0].clone()
        });
        let mut stray_e = e.clone();
        stray_e.push(ExtremesRow {
            workload: "chat".into(),
            n: 1,
            ..e[0].clone()
        });
        assert!(refused(&c, &stray, &stray_e).contains("counters have no such workload × day"));
        // A bad count: the extremes say 4 TTFT values, the histogram holds 3.
        let mut count = e.clone();
        count[2].n = 4;
        assert!(refused(&c, &h, &count).contains("count 4 values of ttft_ms"));
        // Histograms without extremes, and extremes without histograms.
        assert!(refused(&c, &h, &e[..2]).contains("extremes lack ttft_ms"));
        assert!(refused(&c, &h[..5], &e).contains("histograms do not"));
        // Token sketches must hold one value per attempt: 5 attempts, 4 values.
        let mut more = c.clone();
        more[1].counters.attempts = 2;
        more[1].counters.requests = 2;
        more[1].counters.gate_unknown = 1;
        assert!(refused(&more, &h, &e).contains("every attempt has token counts"));
        // A max outside the top bucket: the sketch parts disagree.
        let mut max = e.clone();
        max[2].max = 2000.0;
        assert!(refused(&c, &h, &max).contains("ttft_ms of \"rag\" on 2026-03-01: max"));
        // An unknown metric never gets this far: the reader refuses it.
        let unknown = TIER2.replace("ttft_ms,positive,277", "p99_ms,positive,277");
        let e = parse_histograms("t2.csv", &unknown).err().map(|e| e.field);
        assert_eq!(e, Some("t2.csv line 7: metric".into()));
    }
}
