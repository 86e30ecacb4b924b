//! Streaming aggregation of trace rows per (workload, UTC day).
//!
//! Each day keeps additive counters (attempts, first requests, retries, errors, timeouts, gate
//! verdicts, accepted outputs, escalations, token sums by kind, reported cost), token sums per
//! (provider, model) for pricing, the (model, prompt version) pairs seen, and quantile sketches
//! of TTFT, TPOT, E2E, input tokens and generated tokens. Every part merges exactly: counts and
//! token sums add as integers, costs add as [`Decimal`], sketches add bucket counts. So
//! aggregates built from any split of the rows, merged in any order and then
//! [`Aggregate::normalize`]d, are identical: the import runs chunks on several threads and
//! merges their partial aggregates.
//!
//! Memory grows with workloads × days × (models + prompt versions + sketch buckets), not with
//! rows: rows are dropped once counted, and only the first few broken rows are kept as
//! examples (all are counted).
//!
//! Pricing is applied to the per-(provider, model) token sums of each day rather than to each
//! row: every row of such a group is priced by the same rate card (the card depends only on
//! provider, model and date), so the sum of row costs and the cost of the summed tokens are the
//! same Decimal, computed once instead of millions of times (see [`crate::evidence::traces::pricing`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ImportError;
use super::dedupe::{RowValues, SeenHandle, Verdict};
use super::sketch::Sketch;
use super::trace_row::{GateResult, RowError, Status, TokenUsage, TraceRow};
use crate::document::Date;

/// Token sums by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenSums {
    /// Uncached input.
    pub uncached_input: u64,
    /// Cache reads.
    pub cache_read: u64,
    /// 5-minute cache writes.
    pub cache_write_5m: u64,
    /// 1-hour cache writes.
    pub cache_write_1h: u64,
    /// Output, reasoning excluded.
    pub output: u64,
    /// Reasoning.
    pub reasoning: u64,
}

fn overflow(what: &str) -> ImportError {
    ImportError::Overflow(what.to_owned())
}

impl TokenSums {
    /// Adds one row's usage; fails only past 1.8 × 10¹⁹ tokens of one kind.
    pub fn add(&mut self, u: &TokenUsage) -> Result<(), ImportError> {
        self.merge(&Self {
            uncached_input: u.uncached_input,
            cache_read: u.cache_read,
            cache_write_5m: u.cache_write_5m,
            cache_write_1h: u.cache_write_1h,
            output: u.output,
            reasoning: u.reasoning,
        })
    }

    /// Adds another sum.
    pub fn merge(&mut self, o: &Self) -> Result<(), ImportError> {
        let add = |a: &mut u64, b: u64| -> Result<(), ImportError> {
            *a = a.checked_add(b).ok_or_else(|| overflow("token sum"))?;
            Ok(())
        };
        add(&mut self.uncached_input, o.uncached_input)?;
        add(&mut self.cache_read, o.cache_read)?;
        add(&mut self.cache_write_5m, o.cache_write_5m)?;
        add(&mut self.cache_write_1h, o.cache_write_1h)?;
        add(&mut self.output, o.output)?;
        add(&mut self.reasoning, o.reasoning)
    }

    /// All input: uncached + reads + writes.
    #[must_use]
    pub fn input_total(&self) -> u128 {
        u128::from(self.uncached_input)
            + u128::from(self.cache_read)
            + u128::from(self.cache_write_5m)
            + u128::from(self.cache_write_1h)
    }

    /// All generated tokens: output + reasoning.
    #[must_use]
    pub fn generated_total(&self) -> u128 {
        u128::from(self.output) + u128::from(self.reasoning)
    }
}

/// Additive counts and sums of one workload-day.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Counters {
    /// Rows: every attempt, retries included.
    pub attempts: u64,
    /// First attempts: attempts that are not retries.
    pub requests: u64,
    /// Retries (attempt index > 0, or naming the request retried).
    pub retries: u64,
    /// Attempts that ended in an error.
    pub errors: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// Attempts completed and passing the quality gate.
    pub accepted: u64,
    /// Gate verdicts: pass.
    pub gate_pass: u64,
    /// Gate verdicts: fail.
    pub gate_fail: u64,
    /// Attempts with no gate verdict.
    pub gate_unknown: u64,
    /// Attempts escalated to a person.
    pub escalations: u64,
    /// Tokens by kind.
    pub tokens: TokenSums,
    /// Sum of the cost the source reports, over the rows that report one.
    #[serde(with = "crate::money::exact")]
    pub reported_cost: Decimal,
    /// Rows reporting a cost.
    pub reported_cost_rows: u64,
    /// Inference cost priced from rate cards (set by pricing).
    #[serde(with = "crate::money::exact")]
    pub inference_cost: Decimal,
    /// Rows priced (set by pricing).
    pub priced_rows: u64,
    /// Rows without a rate card (set by pricing).
    pub unpriced_rows: u64,
}

/// What the counters count of one attempt, from a built row or a column-wise batch.
pub struct Attempt<'a> {
    /// A retry rather than a first request.
    pub retry: bool,
    /// How it ended.
    pub status: Status,
    /// The gate's verdict.
    pub gate: GateResult,
    /// Escalated to a person.
    pub escalated: bool,
    /// Its tokens.
    pub usage: &'a TokenUsage,
    /// The cost the source reports, if any.
    pub reported_cost: Option<Decimal>,
}

impl Counters {
    /// Counts one attempt; an accepted output is a completed attempt that passed the gate.
    #[inline]
    pub fn count(&mut self, a: &Attempt<'_>) -> Result<(), ImportError> {
        self.attempts += 1;
        if a.retry {
            self.retries += 1;
        } else {
            self.requests += 1;
        }
        match a.status {
            Status::Ok => {}
            Status::Error => self.errors += 1,
            Status::Timeout => self.timeouts += 1,
        }
        match a.gate {
            GateResult::Pass => self.gate_pass += 1,
            GateResult::Fail => self.gate_fail += 1,
            GateResult::Unknown => self.gate_unknown += 1,
        }
        self.accepted += u64::from(a.status == Status::Ok && a.gate == GateResult::Pass);
        self.escalations += u64::from(a.escalated);
        self.tokens.add(a.usage)?;
        if let Some(cost) = a.reported_cost {
            self.reported_cost = self
                .reported_cost
                .checked_add(cost)
                .ok_or_else(|| overflow("reported cost"))?;
            self.reported_cost_rows += 1;
        }
        Ok(())
    }

    /// Adds another day's counters.
    pub fn merge(&mut self, o: &Self) -> Result<(), ImportError> {
        let add = |a: &mut u64, b: u64| -> Result<(), ImportError> {
            *a = a.checked_add(b).ok_or_else(|| overflow("count"))?;
            Ok(())
        };
        add(&mut self.attempts, o.attempts)?;
        add(&mut self.requests, o.requests)?;
        add(&mut self.retries, o.retries)?;
        add(&mut self.errors, o.errors)?;
        add(&mut self.timeouts, o.timeouts)?;
        add(&mut self.accepted, o.accepted)?;
        add(&mut self.gate_pass, o.gate_pass)?;
        add(&mut self.gate_fail, o.gate_fail)?;
        add(&mut self.gate_unknown, o.gate_unknown)?;
        add(&mut self.escalations, o.escalations)?;
        add(&mut self.reported_cost_rows, o.reported_cost_rows)?;
        add(&mut self.priced_rows, o.priced_rows)?;
        add(&mut self.unpriced_rows, o.unpriced_rows)?;
        self.tokens.merge(&o.tokens)?;
        self.reported_cost = self
            .reported_cost
            .checked_add(o.reported_cost)
            .ok_or_else(|| overflow("reported cost"))?;
        self.inference_cost = self
            .inference_cost
            .checked_add(o.inference_cost)
            .ok_or_else(|| overflow("inference cost"))?;
        Ok(())
    }
}

/// Tokens of one (provider, model) within a workload-day, and their price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelUsage {
    /// Provider as the trace names it.
    pub provider: String,
    /// Model as the trace names it.
    pub model: String,
    /// Rows.
    pub rows: u64,
    /// First row (1-based) where this provider and model appear in the day.
    pub first_row: u64,
    /// Token sums.
    pub tokens: TokenSums,
    /// The rate card that priced them (set by pricing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_card: Option<String>,
    /// Their cost (set by pricing); `None` while unpriced.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost: Option<Decimal>,
}

/// Rows of one (model, prompt version) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionCount {
    /// Model.
    pub model: String,
    /// Prompt version (empty when not recorded).
    pub prompt_version: String,
    /// Rows.
    pub rows: u64,
}

/// A good row whose text fields are ids into per-column name lists ([`IdNames`]), as the
/// column-wise Parquet path builds it: counting it needs no string compares per row.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdRow {
    /// 1-based row number.
    pub row: u64,
    /// Workload id.
    pub workload: u32,
    /// UTC day.
    pub date: Date,
    /// Provider id.
    pub provider: u32,
    /// Model id.
    pub model: u32,
    /// Prompt version id; an id past the names (the empty name) when none is recorded.
    pub prompt: u32,
    /// Token counts.
    pub usage: TokenUsage,
    /// Time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Time per output token, ms, reported or derived.
    pub tpot_ms: Option<f64>,
    /// End to end, ms.
    pub e2e_ms: Option<f64>,
    /// Completion status.
    pub status: Status,
    /// Quality gate verdict.
    pub gate: GateResult,
    /// A later attempt or one naming the request it retries.
    pub retry: bool,
    /// Escalated to a person.
    pub escalated: bool,
    /// Cost the source reports.
    pub reported_cost: Option<Decimal>,
    /// An exact repeat of an earlier attempt: read, not counted.
    pub duplicate: bool,
}

/// The names [`IdRow`] ids stand for; an id past the end stands for the empty name.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdNames<'a> {
    /// Providers.
    pub provider: &'a [String],
    /// Models.
    pub model: &'a [String],
    /// Prompt versions.
    pub prompt: &'a [String],
}

/// Everything kept for one workload on one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayAggregate {
    /// Counts and sums.
    pub counters: Counters,
    /// Token sums per (provider, model), sorted.
    pub usage: Vec<ModelUsage>,
    /// (model, prompt version) pairs seen, sorted.
    pub versions: Vec<VersionCount>,
    /// Time to first token, ms.
    pub ttft_ms: Sketch,
    /// Time per output token, ms.
    pub tpot_ms: Sketch,
    /// End to end, ms.
    pub e2e_ms: Sketch,
    /// Input tokens per request (uncached + cache reads + writes).
    pub input_tokens: Sketch,
    /// Generated tokens per request (output + reasoning).
    pub output_tokens: Sketch,
}

impl DayAggregate {
    /// An empty day whose sketches keep raw values up to `exact_limit`.
    #[must_use]
    pub fn new(exact_limit: usize) -> Self {
        Self {
            counters: Counters::default(),
            usage: Vec::new(),
            versions: Vec::new(),
            ttft_ms: Sketch::standard(exact_limit),
            tpot_ms: Sketch::standard(exact_limit),
            e2e_ms: Sketch::standard(exact_limit),
            input_tokens: Sketch::standard(exact_limit),
            output_tokens: Sketch::standard(exact_limit),
        }
    }

    fn count_version(&mut self, model: &str, prompt: &str, rows: u64) {
        match self
            .versions
            .iter_mut()
            .find(|v| v.model == model && v.prompt_version == prompt)
        {
            Some(v) => v.rows += rows,
            None => self.versions.push(VersionCount {
                model: model.to_owned(),
                prompt_version: prompt.to_owned(),
                rows,
            }),
        }
    }

    /// Counts one row.
    pub fn add(&mut self, row: &TraceRow<'_>) -> Result<(), ImportError> {
        self.counters.count(&Attempt {
            retry: row.is_retry(),
            status: row.status,
            gate: row.gate,
            escalated: row.escalated,
            usage: &row.usage,
            reported_cost: row.reported_cost,
        })?;
        // A day sees a handful of models: a linear scan beats hashing two strings per row.
        match self
            .usage
            .iter_mut()
            .find(|u| u.model == *row.model && u.provider == *row.provider)
        {
            Some(u) => {
                u.rows += 1;
                u.first_row = u.first_row.min(row.row);
                u.tokens.add(&row.usage)?;
            }
            None => {
                let mut tokens = TokenSums::default();
                tokens.add(&row.usage)?;
                self.usage.push(ModelUsage {
                    provider: row.provider.to_string(),
                    model: row.model.to_string(),
                    rows: 1,
                    first_row: row.row,
                    tokens,
                    rate_card: None,
                    cost: None,
                });
            }
        }
        self.count_version(&row.model, &row.prompt_version, 1);
        self.sketch(row.ttft_ms, row.tpot_ms, row.e2e_ms, &row.usage);
        Ok(())
    }

    /// Lowers the first row of (provider, model) to `row`, a dropped exact copy of a counted
    /// row: which copy a worker counts first depends on timing, the first row named must not.
    pub(super) fn note_copy(&mut self, provider: &str, model: &str, row: u64) {
        match self
            .usage
            .iter_mut()
            .find(|u| u.model == model && u.provider == provider)
        {
            Some(u) => u.first_row = u.first_row.min(row),
            // The counted copy is in another worker's part; this entry merges into it.
            None => self.usage.push(ModelUsage {
                provider: provider.to_owned(),
                model: model.to_owned(),
                rows: 0,
                first_row: row,
                tokens: TokenSums::default(),
                rate_card: None,
                cost: None,
            }),
        }
    }

    /// Adds one attempt's latencies (those measured) and token lengths to the sketches.
    #[inline]
    fn sketch(&mut self, ttft: Option<f64>, tpot: Option<f64>, e2e: Option<f64>, u: &TokenUsage) {
        if let Some(v) = ttft {
            self.ttft_ms.add(v);
        }
        if let Some(v) = tpot {
            self.tpot_ms.add(v);
        }
        if let Some(v) = e2e {
            self.e2e_ms.add(v);
        }
        self.input_tokens.add(u.input_total() as f64);
        self.output_tokens.add(u.generated_total() as f64);
    }

    /// Counts the rows `order` picks out of `rows`, all of this workload-day, whose text fields
    /// are ids into `names`: the column-wise Parquet path's equivalent of [`Self::add`] for
    /// each row. Each (provider, model) and (model, prompt version) pair is looked up by name
    /// once per call rather than once per row.
    pub(super) fn add_batch(
        &mut self,
        rows: &[IdRow],
        order: &[u32],
        names: &IdNames<'_>,
    ) -> Result<(), ImportError> {
        let name = |list: &[String], id: u32| -> String {
            list.get(id as usize).cloned().unwrap_or_default()
        };
        // (provider id, model id) → index in `usage`; (model id, prompt id) → in `versions`.
        let mut usage_at: Vec<(u32, u32, usize)> = Vec::new();
        let mut version_at: Vec<(u32, u32, usize)> = Vec::new();
        for &i in order {
            let Some(row) = rows.get(i as usize) else {
                continue;
            };
            self.counters.count(&Attempt {
                retry: row.retry,
                status: row.status,
                gate: row.gate,
                escalated: row.escalated,
                usage: &row.usage,
                reported_cost: row.reported_cost,
            })?;
            let at = match usage_at
                .iter()
                .find(|u| u.0 == row.provider && u.1 == row.model)
            {
                Some(u) => u.2,
                None => {
                    let (provider, model) = (
                        name(names.provider, row.provider),
                        name(names.model, row.model),
                    );
                    let at = match self
                        .usage
                        .iter()
                        .position(|u| u.model == model && u.provider == provider)
                    {
                        Some(at) => at,
                        None => {
                            self.usage.push(ModelUsage {
                                provider,
                                model,
                                rows: 0,
                                first_row: row.row,
                                tokens: TokenSums::default(),
                                rate_card: None,
                                cost: None,
                            });
                            self.usage.len() - 1
                        }
                    };
                    usage_at.push((row.provider, row.model, at));
                    at
                }
            };
            if let Some(u) = self.usage.get_mut(at) {
                u.rows += 1;
                u.first_row = u.first_row.min(row.row);
                u.tokens.add(&row.usage)?;
            }
            let at = match version_at
                .iter()
                .find(|v| v.0 == row.model && v.1 == row.prompt)
            {
                Some(v) => v.2,
                None => {
                    let (model, prompt) =
                        (name(names.model, row.model), name(names.prompt, row.prompt));
                    let at = match self
                        .versions
                        .iter()
                        .position(|v| v.model == model && v.prompt_version == prompt)
                    {
                        Some(at) => at,
                        None => {
                            self.versions.push(VersionCount {
                                model,
                                prompt_version: prompt,
                                rows: 0,
                            });
                            self.versions.len() - 1
                        }
                    };
                    version_at.push((row.model, row.prompt, at));
                    at
                }
            };
            if let Some(v) = self.versions.get_mut(at) {
                v.rows += 1;
            }
            self.sketch(row.ttft_ms, row.tpot_ms, row.e2e_ms, &row.usage);
        }
        Ok(())
    }

    /// Adds another day of the same workload.
    pub fn merge(&mut self, o: &Self) -> Result<(), ImportError> {
        self.counters.merge(&o.counters)?;
        for u in &o.usage {
            match self
                .usage
                .iter_mut()
                .find(|m| m.model == u.model && m.provider == u.provider)
            {
                Some(mine) => {
                    mine.rows += u.rows;
                    mine.first_row = mine.first_row.min(u.first_row);
                    mine.tokens.merge(&u.tokens)?;
                    mine.cost = match (mine.cost, u.cost) {
                        (Some(a), Some(b)) => {
                            Some(a.checked_add(b).ok_or_else(|| overflow("cost"))?)
                        }
                        (a, b) => a.or(b),
                    };
                    if mine.rate_card.is_none() {
                        mine.rate_card.clone_from(&u.rate_card);
                    }
                }
                None => self.usage.push(u.clone()),
            }
        }
        for v in &o.versions {
            self.count_version(&v.model, &v.prompt_version, v.rows);
        }
        let sketch = |e: crate::error::InputError| ImportError::Input(e);
        self.ttft_ms.merge(&o.ttft_ms).map_err(sketch)?;
        self.tpot_ms.merge(&o.tpot_ms).map_err(sketch)?;
        self.e2e_ms.merge(&o.e2e_ms).map_err(sketch)?;
        self.input_tokens.merge(&o.input_tokens).map_err(sketch)?;
        self.output_tokens.merge(&o.output_tokens).map_err(sketch)?;
        Ok(())
    }

    /// Sorts lists and sketches' raw values into canonical order.
    pub fn normalize(&mut self) {
        self.usage
            .sort_by(|a, b| (&a.provider, &a.model).cmp(&(&b.provider, &b.model)));
        self.versions
            .sort_by(|a, b| (&a.model, &a.prompt_version).cmp(&(&b.model, &b.prompt_version)));
        for s in [
            &mut self.ttft_ms,
            &mut self.tpot_ms,
            &mut self.e2e_ms,
            &mut self.input_tokens,
            &mut self.output_tokens,
        ] {
            s.normalize();
        }
    }
}

/// A (provider, model) the rate cards do not price, with where it first appears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpricedModel {
    /// Provider as the trace names it.
    pub provider: String,
    /// Model as the trace names it.
    pub model: String,
    /// Rows left unpriced.
    pub rows: u64,
    /// First such row (1-based).
    pub first_row: u64,
    /// Why: no card, no card in effect yet, or a card that prices GPU-hours.
    pub reason: String,
}

/// How an aggregate is built: raw values kept for exact percentiles, broken rows kept as
/// examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateSettings {
    /// Sketches keep raw values (exact percentiles) while they hold at most this many; 0: never.
    pub exact_below: usize,
    /// Broken rows kept as examples (all are counted).
    pub max_row_errors: usize,
}

impl Default for AggregateSettings {
    fn default() -> Self {
        Self {
            exact_below: 1_000,
            max_row_errors: 1_000,
        }
    }
}

/// Quality verdicts joined onto rows by request id (pass = true), e.g. from an eval file.
pub type Verdicts = BTreeMap<String, bool>;

/// An imported trace, aggregated per workload and UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// How it was built.
    pub settings: AggregateSettings,
    /// Records read (blank lines excluded), broken ones included.
    pub rows_read: u64,
    /// Records that broke a rule and were not counted.
    pub rows_broken: u64,
    /// Records that repeated an earlier one exactly (same request id, attempt and values) and
    /// were dropped.
    #[serde(default)]
    pub duplicates_dropped: u64,
    /// The first broken rows, by row number.
    pub row_errors: Vec<RowError>,
    /// Workload id → UTC day → aggregate.
    pub workloads: BTreeMap<String, BTreeMap<Date, DayAggregate>>,
    /// Models without a usable rate card (set by pricing), sorted by provider and model.
    pub unpriced: Vec<UnpricedModel>,
    /// Rows whose verdict came from the joined verdicts (their source carried none).
    #[serde(default)]
    pub verdicts_joined: u64,
    /// The attempts seen so far, shared by every partial aggregate of one import.
    #[serde(skip)]
    pub(super) seen: SeenHandle,
    /// Verdicts to join by request id, shared by every partial aggregate of one import.
    #[serde(skip)]
    pub(super) verdicts: Option<Arc<Verdicts>>,
}

impl Aggregate {
    /// An empty aggregate.
    #[must_use]
    pub fn new(settings: AggregateSettings) -> Self {
        Self {
            settings,
            rows_read: 0,
            rows_broken: 0,
            duplicates_dropped: 0,
            row_errors: Vec::new(),
            workloads: BTreeMap::new(),
            unpriced: Vec::new(),
            verdicts_joined: 0,
            seen: SeenHandle::default(),
            verdicts: None,
        }
    }

    /// The same aggregate, giving rows without a verdict the one `verdicts` holds for their
    /// request id.
    #[must_use]
    pub fn with_verdicts(mut self, verdicts: Option<Arc<Verdicts>>) -> Self {
        self.verdicts = verdicts;
        self
    }

    /// An empty aggregate checking duplicates against `seen`, shared with the other partial
    /// aggregates of the same import.
    #[must_use]
    pub(super) fn sharing(settings: AggregateSettings, seen: &SeenHandle) -> Self {
        let mut a = Self::new(settings);
        a.seen = seen.clone();
        a
    }

    /// Whether row `row` with `values` is an exact repeat to drop (counted as read and
    /// dropped); a repeat with other values refuses the import.
    pub(super) fn is_duplicate(
        &mut self,
        values: &RowValues<'_>,
        row: u64,
    ) -> Result<bool, ImportError> {
        match self.seen.check(values, row)? {
            Verdict::New => Ok(false),
            Verdict::Exact => {
                self.rows_read += 1;
                self.duplicates_dropped += 1;
                Ok(true)
            }
        }
    }

    /// Notes the row of a dropped exact copy (see [`DayAggregate::note_copy`]).
    pub(super) fn note_copy(
        &mut self,
        workload: &str,
        date: Date,
        provider: &str,
        model: &str,
        row: u64,
    ) {
        let limit = self.settings.exact_below;
        self.workloads
            .entry(workload.to_owned())
            .or_default()
            .entry(date)
            .or_insert_with(|| DayAggregate::new(limit))
            .note_copy(provider, model, row);
    }

    /// Counts a good row, or drops an exact repeat of an earlier one.
    pub fn add_row(&mut self, row: &TraceRow<'_>) -> Result<(), ImportError> {
        if self.is_duplicate(&RowValues::of(row), row.row)? {
            self.note_copy(
                &row.workload,
                row.timestamp.date,
                &row.provider,
                &row.model,
                row.row,
            );
            return Ok(());
        }
        self.rows_read += 1;
        let joined = match (&self.verdicts, row.gate) {
            (Some(v), GateResult::Unknown) => v.get(&*row.request_id).map(|&pass| {
                let mut r = row.clone();
                r.gate = if pass {
                    GateResult::Pass
                } else {
                    GateResult::Fail
                };
                r
            }),
            _ => None,
        };
        if joined.is_some() {
            self.verdicts_joined += 1;
        }
        let row = joined.as_ref().unwrap_or(row);
        let days = match self.workloads.get_mut(&*row.workload) {
            Some(days) => days,
            None => self.workloads.entry(row.workload.to_string()).or_default(),
        };
        let limit = self.settings.exact_below;
        days.entry(row.timestamp.date)
            .or_insert_with(|| DayAggregate::new(limit))
            .add(row)
    }

    /// The aggregate of `workload` on `date`, created empty if new; counts `rows` read.
    pub(super) fn day_mut(&mut self, workload: &str, date: Date, rows: u64) -> &mut DayAggregate {
        self.rows_read += rows;
        // Called once per group of rows, so copying the name for the lookup costs little.
        let days = self.workloads.entry(workload.to_owned()).or_default();
        let limit = self.settings.exact_below;
        days.entry(date).or_insert_with(|| DayAggregate::new(limit))
    }

    /// Counts a broken row, keeping it as an example while fewer than the limit are kept.
    pub fn add_error(&mut self, error: RowError) {
        self.rows_read += 1;
        self.rows_broken += 1;
        self.keep_error(error);
    }

    fn keep_error(&mut self, error: RowError) {
        let max = self.settings.max_row_errors;
        if max == 0 {
            return;
        }
        self.row_errors.push(error);
        // Rows may arrive out of order across chunks: keep the first `max` by row number,
        // trimming in batches so each error costs O(log max) on average.
        if self.row_errors.len() >= 2 * max {
            self.trim_errors();
        }
    }

    fn trim_errors(&mut self) {
        self.row_errors
            .sort_by(|a, b| (a.row, &a.column, &a.rule).cmp(&(b.row, &b.column, &b.rule)));
        self.row_errors.truncate(self.settings.max_row_errors);
    }

    /// Counts a row or a broken row.
    pub fn record(&mut self, row: Result<TraceRow<'_>, RowError>) -> Result<(), ImportError> {
        match row {
            Ok(row) => self.add_row(&row),
            Err(e) => {
                self.add_error(e);
                Ok(())
            }
        }
    }

    /// Adds another aggregate built with the same settings.
    pub fn merge(&mut self, other: Self) -> Result<(), ImportError> {
        if self.settings != other.settings {
            return Err(ImportError::Input(crate::error::InputError::new(
                "settings",
                "must be equal to merge aggregates",
            )));
        }
        self.rows_read += other.rows_read;
        self.rows_broken += other.rows_broken;
        self.duplicates_dropped += other.duplicates_dropped;
        self.verdicts_joined += other.verdicts_joined;
        for e in other.row_errors {
            self.keep_error(e);
        }
        for (workload, days) in other.workloads {
            let mine = self.workloads.entry(workload).or_default();
            for (date, day) in days {
                match mine.get_mut(&date) {
                    Some(d) => d.merge(&day)?,
                    None => {
                        mine.insert(date, day);
                    }
                }
            }
        }
        for u in other.unpriced {
            match self
                .unpriced
                .iter_mut()
                .find(|m| m.provider == u.provider && m.model == u.model)
            {
                Some(m) => {
                    m.rows += u.rows;
                    m.first_row = m.first_row.min(u.first_row);
                }
                None => self.unpriced.push(u),
            }
        }
        Ok(())
    }

    /// Puts every list in canonical order (see the module docs); call once all rows are in.
    pub fn normalize(&mut self) {
        self.trim_errors();
        for days in self.workloads.values_mut() {
            for day in days.values_mut() {
                day.normalize();
            }
        }
        self.unpriced
            .sort_by(|a, b| (&a.provider, &a.model).cmp(&(&b.provider, &b.model)));
    }

    /// Rows counted (not broken, not dropped as duplicates).
    #[must_use]
    pub fn rows_counted(&self) -> u64 {
        self.rows_read - self.rows_broken - self.duplicates_dropped
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::evidence::traces::trace_row::Timestamp;
    use std::borrow::Cow;

    pub(crate) fn row(n: u64, workload: &str, day: u8, model: &str) -> TraceRow<'static> {
        TraceRow {
            row: n,
            request_id: Cow::Owned(format!("r{n}")),
            timestamp: Timestamp {
                date: Date::new(2026, 5, day).unwrap_or_else(|| panic!("date")),
                seconds: 3600.0,
            },
            workload: Cow::Owned(workload.to_owned()),
            scenario: None,
            route: Cow::Borrowed("api"),
            provider: Cow::Borrowed("OpenAI"),
            model: Cow::Owned(model.to_owned()),
            prompt_version: Cow::Borrowed("v1"),
            usage: TokenUsage {
                uncached_input: 400,
                cache_read: 600,
                cache_write_5m: 0,
                cache_write_1h: 0,
                output: 200,
                reasoning: 0,
            },
            ttft_ms: Some(300.0 + n as f64),
            tpot_ms: Some(20.0),
            e2e_ms: Some(4300.0 + n as f64),
            status: Status::Ok,
            attempt: 0,
            retry_of: None,
            gate: GateResult::Pass,
            escalated: false,
            reported_cost: Some(Decimal::new(1, 3)),
        }
    }

    #[test]
    fn counts_by_workload_and_day() {
        let mut a = Aggregate::new(AggregateSettings::default());
        let mut r = row(1, "w", 12, "m");
        a.add_row(&r).unwrap_or_else(|e| panic!("{e}"));
        r.row = 2;
        r.attempt = 1;
        r.status = Status::Error;
        r.gate = GateResult::Unknown;
        r.escalated = true;
        a.add_row(&r).unwrap_or_else(|e| panic!("{e}"));
        a.add_row(&row(3, "w", 13, "m"))
            .unwrap_or_else(|e| panic!("{e}"));
        a.add_error(RowError::record(4, "bad"));
        a.normalize();
        assert_eq!((a.rows_read, a.rows_broken, a.rows_counted()), (4, 1, 3));
        let day = &a.workloads["w"][&Date::new(2026, 5, 12).unwrap_or_else(|| panic!())];
        let c = &day.counters;
        assert_eq!((c.attempts, c.requests, c.retries, c.errors), (2, 1, 1, 1));
        assert_eq!(
            (c.accepted, c.gate_pass, c.gate_unknown, c.escalations),
            (1, 1, 1, 1)
        );
        // 2 rows × 400 uncached, × 600 read; $0.001 each.
        assert_eq!((c.tokens.uncached_input, c.tokens.cache_read), (800, 1200));
        assert_eq!(
            (c.reported_cost, c.reported_cost_rows),
            (Decimal::new(2, 3), 2)
        );
        assert_eq!(day.usage.len(), 1);
        assert_eq!((day.usage[0].rows, day.usage[0].first_row), (2, 1));
        assert_eq!(
            day.versions,
            vec![VersionCount {
                model: "m".into(),
                prompt_version: "v1".into(),
                rows: 2
            }]
        );
        // Both rows of the day came from row 1: TTFT 301 ms.
        assert_eq!(day.ttft_ms.quantile(0.5), Some(301.0));
        assert_eq!(day.input_tokens.quantile(1.0), Some(1000.0));
        assert_eq!(a.workloads["w"].len(), 2);
    }

    #[test]
    fn merge_of_any_split_equals_one_pass() {
        let rows: Vec<TraceRow<'static>> = (1..=60)
            .map(|n| {
                row(
                    n,
                    if n % 3 == 0 { "a" } else { "b" },
                    10 + (n % 4) as u8,
                    if n % 5 == 0 { "m2" } else { "m1" },
                )
            })
            .collect();
        let settings = AggregateSettings {
            exact_below: 20,
            max_row_errors: 3,
        };
        let mut one = Aggregate::new(settings);
        for r in &rows {
            one.add_row(r).unwrap_or_else(|e| panic!("{e}"));
        }
        for n in [70, 61, 65, 62, 80] {
            one.add_error(RowError::record(n, "bad"));
        }
        one.normalize();
        for split in [1, 17, 59] {
            let mut x = Aggregate::new(settings);
            let mut y = Aggregate::new(settings);
            for r in &rows[..split] {
                x.add_row(r).unwrap_or_else(|e| panic!("{e}"));
            }
            for r in &rows[split..] {
                y.add_row(r).unwrap_or_else(|e| panic!("{e}"));
            }
            for n in [80, 62] {
                x.add_error(RowError::record(n, "bad"));
            }
            for n in [70, 61, 65] {
                y.add_error(RowError::record(n, "bad"));
            }
            // Merged in the opposite order to the rows.
            y.merge(x).unwrap_or_else(|e| panic!("{e}"));
            y.normalize();
            assert_eq!(y, one);
        }
        let rows_kept: Vec<u64> = one.row_errors.iter().map(|e| e.row).collect();
        assert_eq!(rows_kept, vec![61, 62, 65]);
        assert_eq!(one.rows_broken, 5);
    }

    #[test]
    fn merge_refuses_other_settings() {
        let mut a = Aggregate::new(AggregateSettings::default());
        let b = Aggregate::new(AggregateSettings {
            exact_below: 0,
            max_row_errors: 1,
        });
        assert!(a.merge(b).is_err());
    }
}
