//! The canonical request row every trace reader produces, and the checks a row must pass.
//!
//! Readers turn a source record into [`RowCells`] (raw values keyed by canonical field) and
//! [`build_row`] turns those into a [`TraceRow`] with non-overlapping token counts: uncached
//! input, cache reads, cache writes (5-minute and 1-hour), output and reasoning. A row that
//! breaks a rule — a missing required field, a number that does not parse, negative tokens,
//! more cached than total input where the source counts cached input inside the total, an end
//! to end shorter than the time to first token — is reported as a [`RowError`] with its 1-based
//! row number and the rule, and is counted as broken; it is never repaired.
//!
//! Time per output token, when the source has none but has end to end, time to first token and
//! more than one generated token, is derived as (E2E − TTFT) ÷ (generated tokens − 1): the
//! decode time of each token after the first.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::document::Date;
use crate::document::mapping::{CanonicalField, ColumnMapping, FIELD_COUNT, UsageConvention};
use crate::money;

/// Days from 0001-01-01 to 1970-01-01.
const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 (negative before it).
#[must_use]
pub fn unix_days(date: Date) -> i64 {
    date.unix_days()
}

/// The date `days` after 1970-01-01, if it lies in years 1–9999.
#[must_use]
pub fn date_from_unix_days(days: i64) -> Option<Date> {
    Date::from_unix_days(days)
}

/// A UTC instant: the calendar date and the seconds since its midnight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timestamp {
    /// The UTC date.
    pub date: Date,
    /// Seconds since midnight UTC, with the fraction.
    pub seconds: f64,
}

fn digits(b: &[u8], from: usize, len: usize) -> Option<u32> {
    let part = b.get(from..from + len)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

impl Timestamp {
    /// Parses RFC 3339 (`2026-05-12T09:30:00.250Z`, `2026-05-12T11:30:00+02:00`; `t`, `z` and a
    /// space separator are accepted) and converts it to UTC.
    pub fn parse_rfc3339(text: &str) -> Result<Self, String> {
        let bad =
            || format!("must be an RFC 3339 timestamp such as 2026-05-12T09:30:00Z, got {text:?}");
        let b = text.trim().as_bytes();
        let at = |i: usize| b.get(i).copied();
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            digits(b, 0, 4),
            digits(b, 5, 2),
            digits(b, 8, 2),
            digits(b, 11, 2),
            digits(b, 14, 2),
            digits(b, 17, 2),
        ) else {
            return Err(bad());
        };
        if at(4) != Some(b'-')
            || at(7) != Some(b'-')
            || !matches!(at(10), Some(b'T' | b't' | b' '))
            || at(13) != Some(b':')
            || at(16) != Some(b':')
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(bad());
        }
        let mut i = 19;
        let mut fraction = 0.0;
        if at(i) == Some(b'.') {
            i += 1;
            let start = i;
            let mut scale = 0.1;
            while let Some(c) = at(i).filter(u8::is_ascii_digit) {
                fraction += f64::from(c - b'0') * scale;
                scale /= 10.0;
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
        }
        let offset_seconds = match at(i) {
            Some(b'Z' | b'z') if b.len() == i + 1 => 0,
            Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && at(i + 3) == Some(b':') => {
                let (Some(h), Some(m)) = (digits(b, i + 1, 2), digits(b, i + 4, 2)) else {
                    return Err(bad());
                };
                if h > 23 || m > 59 {
                    return Err(bad());
                }
                let s = i64::from(h * 3600 + m * 60);
                if sign == b'-' { -s } else { s }
            }
            _ => return Err(bad()),
        };
        let date = u16::try_from(year)
            .ok()
            .zip(u8::try_from(month).ok())
            .zip(u8::try_from(day).ok())
            .and_then(|((y, m), d)| Date::new(y, m, d))
            .ok_or_else(|| format!("is not a calendar date: {text:?}"))?;
        let local = i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
        let shift = local.div_euclid(SECONDS_PER_DAY);
        // Most timestamps are UTC already: only an offset that crosses midnight moves the date.
        let date = if shift == 0 {
            date
        } else {
            date_from_unix_days(unix_days(date) + shift).ok_or_else(bad)?
        };
        Ok(Self {
            date,
            seconds: local.rem_euclid(SECONDS_PER_DAY) as f64 + fraction,
        })
    }

    /// The instant `nanos` nanoseconds after 1970-01-01T00:00:00Z.
    #[must_use]
    pub fn from_unix_nanos(nanos: i128) -> Option<Self> {
        let per_day = i128::from(SECONDS_PER_DAY) * 1_000_000_000;
        let days = i64::try_from(nanos.div_euclid(per_day)).ok()?;
        let within = nanos.rem_euclid(per_day);
        Some(Self {
            date: date_from_unix_days(days)?,
            seconds: within as f64 / 1e9,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    #[must_use]
    pub fn unix_seconds(self) -> f64 {
        (unix_days(self.date) * SECONDS_PER_DAY) as f64 + self.seconds
    }
}

/// One raw value of a source record, before it is checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text.
    Text(Cow<'a, str>),
    /// Bytes that should be UTF-8 text (CSV fields, Parquet byte arrays).
    Bytes(&'a [u8]),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An exact decimal (Parquet DECIMAL columns).
    Decimal(Decimal),
    /// An instant already decoded by the reader.
    Time(Timestamp),
}

impl Cell<'_> {
    /// True for empty or ASCII-whitespace-only text, which counts as absent.
    #[must_use]
    #[inline]
    pub fn is_blank(&self) -> bool {
        // Checking the first byte settles almost every value without a scan.
        match self {
            Self::Text(t) => {
                t.as_bytes().first().is_none_or(u8::is_ascii_whitespace)
                    && t.trim_ascii().is_empty()
            }
            Self::Bytes(b) => {
                b.first().is_none_or(u8::is_ascii_whitespace)
                    && b.iter().all(u8::is_ascii_whitespace)
            }
            _ => false,
        }
    }
}

/// The raw values of one record, by canonical field, each with the source it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCells<'a> {
    cells: [Option<(Cell<'a>, &'a str)>; FIELD_COUNT],
}

impl Default for RowCells<'_> {
    fn default() -> Self {
        Self {
            cells: std::array::from_fn(|_| None),
        }
    }
}

impl<'a> RowCells<'a> {
    /// An empty record.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `field` from `source` unless it already holds a value or `cell` is blank; returns
    /// whether it was set. Readers offer a field's sources in preference order.
    #[inline]
    pub fn offer(&mut self, field: CanonicalField, cell: Cell<'a>, source: &'a str) -> bool {
        match self.cells.get_mut(field.index()) {
            Some(slot @ None) if !cell.is_blank() => {
                *slot = Some((cell, source));
                true
            }
            _ => false,
        }
    }

    /// True when `field` holds a value.
    #[must_use]
    pub fn has(&self, field: CanonicalField) -> bool {
        self.cells.get(field.index()).is_some_and(Option::is_some)
    }

    /// Empties every field.
    pub fn clear(&mut self) {
        for c in &mut self.cells {
            *c = None;
        }
    }

    #[inline]
    fn take(&mut self, field: CanonicalField) -> Option<(Cell<'a>, &'a str)> {
        self.cells.get_mut(field.index()).and_then(Option::take)
    }
}

/// Whether a request completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Completed.
    #[default]
    Ok,
    /// Failed with an error.
    Error,
    /// Ran out of time.
    Timeout,
}

/// The quality gate's verdict on a request's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateResult {
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Not graded, or the verdict is not in the trace.
    #[default]
    Unknown,
}

/// Token counts of one request, non-overlapping, so each is priced once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Input not served from or written to the cache.
    pub uncached_input: u64,
    /// Input read from the prompt cache.
    pub cache_read: u64,
    /// Input written to a 5-minute cache.
    pub cache_write_5m: u64,
    /// Input written to a 1-hour cache.
    pub cache_write_1h: u64,
    /// Output, reasoning excluded.
    pub output: u64,
    /// Reasoning (thinking) tokens, billed as output.
    pub reasoning: u64,
}

impl TokenUsage {
    /// All input: uncached + cache reads + cache writes.
    #[must_use]
    pub fn input_total(&self) -> u64 {
        self.uncached_input
            .saturating_add(self.cache_read)
            .saturating_add(self.cache_write_5m)
            .saturating_add(self.cache_write_1h)
    }

    /// All generated tokens: output + reasoning.
    #[must_use]
    pub fn generated_total(&self) -> u64 {
        self.output.saturating_add(self.reasoning)
    }
}

/// One request (one attempt) of a trace, in canonical form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceRow<'a> {
    /// 1-based row number in the source.
    pub row: u64,
    /// Request identifier.
    pub request_id: Cow<'a, str>,
    /// When the request started.
    pub timestamp: Timestamp,
    /// Workload id.
    pub workload: Cow<'a, str>,
    /// Scenario id.
    pub scenario: Option<Cow<'a, str>>,
    /// Route; empty when not recorded.
    pub route: Cow<'a, str>,
    /// Provider.
    pub provider: Cow<'a, str>,
    /// Model.
    pub model: Cow<'a, str>,
    /// Prompt version; empty when not recorded.
    pub prompt_version: Cow<'a, str>,
    /// Token counts.
    pub usage: TokenUsage,
    /// Time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Time per output token, ms (reported or derived, see the module docs).
    pub tpot_ms: Option<f64>,
    /// End to end, ms.
    pub e2e_ms: Option<f64>,
    /// Completion status.
    pub status: Status,
    /// Attempt index, 0 for the first attempt.
    pub attempt: u32,
    /// The request this attempt retries.
    pub retry_of: Option<Cow<'a, str>>,
    /// Quality gate verdict.
    pub gate: GateResult,
    /// Escalated to a person.
    pub escalated: bool,
    /// Cost the source reports, in dollars.
    pub reported_cost: Option<Decimal>,
}

impl TraceRow<'_> {
    /// True for a retry: a later attempt, or one that names the request it retries.
    #[must_use]
    pub fn is_retry(&self) -> bool {
        self.attempt > 0 || self.retry_of.is_some()
    }

    /// True when the output counts as accepted: completed and passed the quality gate.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.status == Status::Ok && self.gate == GateResult::Pass
    }

    /// The same row owning its text.
    #[must_use]
    pub fn into_owned(self) -> TraceRow<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        TraceRow {
            row: self.row,
            request_id: own(self.request_id),
            timestamp: self.timestamp,
            workload: own(self.workload),
            scenario: self.scenario.map(own),
            route: own(self.route),
            provider: own(self.provider),
            model: own(self.model),
            prompt_version: own(self.prompt_version),
            usage: self.usage,
            ttft_ms: self.ttft_ms,
            tpot_ms: self.tpot_ms,
            e2e_ms: self.e2e_ms,
            status: self.status,
            attempt: self.attempt,
            retry_of: self.retry_of.map(own),
            gate: self.gate,
            escalated: self.escalated,
            reported_cost: self.reported_cost,
        }
    }
}

/// A row that broke a rule: where, which column, which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based row number (records after the header; for OTLP, spans in file order).
    pub row: u64,
    /// The source column, with the canonical field in parentheses when it differs; empty when
    /// the whole record is at fault.
    pub column: String,
    /// The rule, phrased to follow the column name.
    pub rule: String,
}

impl RowError {
    /// An error of the whole record (malformed CSV, JSON that does not parse).
    pub fn record(row: u64, rule: impl Into<String>) -> Self {
        Self {
            row,
            column: String::new(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "row {}: {}", self.row, self.rule)
        } else {
            write!(f, "row {}: {} {}", self.row, self.column, self.rule)
        }
    }
}

/// What [`build_row`] needs from a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct RowRules {
    /// What the input column includes.
    pub convention: UsageConvention,
    /// Whether the output column includes reasoning tokens.
    pub reasoning_in_output: bool,
    constants: Vec<Option<String>>,
}

impl RowRules {
    /// The rules of `mapping`.
    #[must_use]
    pub fn from_mapping(mapping: &ColumnMapping) -> Self {
        Self {
            convention: mapping.convention,
            reasoning_in_output: mapping.reasoning_in_output,
            constants: CanonicalField::ALL
                .iter()
                .map(|&f| mapping.constant(f).map(str::to_owned))
                .collect(),
        }
    }

    /// True when the mapping fills some field with a constant where its column has no value.
    #[must_use]
    pub fn has_constants(&self) -> bool {
        self.constants.iter().any(Option::is_some)
    }
}

struct Fields<'a, 'c> {
    cells: &'c mut RowCells<'a>,
    rules: &'a RowRules,
    row: u64,
}

fn column_label(source: &str, field: CanonicalField) -> String {
    if source == field.name() {
        source.to_owned()
    } else {
        format!("{source} ({})", field.name())
    }
}

/// Without surrounding ASCII whitespace (the only kind trace files put around values).
fn trimmed(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_ascii()),
        Cow::Owned(s) if s.trim_ascii().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim_ascii().to_owned()),
    }
}

#[inline(always)]
pub(super) fn as_text(cell: Cell<'_>) -> Result<Cow<'_, str>, String> {
    Ok(match cell {
        Cell::Text(t) => trimmed(t),
        Cell::Bytes(b) => Cow::Borrowed(
            std::str::from_utf8(b.trim_ascii()).map_err(|_| "must be UTF-8 text".to_owned())?,
        ),
        Cell::Int(i) => Cow::Owned(i.to_string()),
        Cell::Float(f) => Cow::Owned(f.to_string()),
        Cell::Bool(b) => Cow::Owned(b.to_string()),
        Cell::Decimal(d) => Cow::Owned(d.to_string()),
        Cell::Time(_) => return Err("must be text, got a timestamp".to_owned()),
    })
}

/// Largest token count accepted: beyond it a count is a data error, and f64 sums stay exact.
pub(super) const MAX_TOKENS: u64 = 1 << 53;

/// The bytes of a text cell.
#[inline]
fn raw_bytes<'c>(cell: &'c Cell<'_>) -> Option<&'c [u8]> {
    match cell {
        Cell::Bytes(b) => Some(b),
        Cell::Text(t) => Some(t.as_bytes()),
        _ => None,
    }
}

/// Up to 15 ASCII digits (below 2^53) as a number: the common case, read without UTF-8 checks.
fn plain_digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    b.iter().try_fold(0u64, |v, &c| {
        let d = c.wrapping_sub(b'0');
        (d <= 9).then(|| v * 10 + u64::from(d))
    })
}

#[inline(always)]
pub(super) fn whole(cell: Cell<'_>) -> Result<u64, String> {
    if let Some(v) = raw_bytes(&cell).and_then(|b| plain_digits(b.trim_ascii())) {
        return Ok(v);
    }
    let float = |f: f64| -> Result<u64, String> {
        if !f.is_finite() || f.fract() != 0.0 {
            Err(format!("must be a whole number, got {f}"))
        } else if f < 0.0 {
            Err(format!("must be ≥ 0, got {f}"))
        } else if f > MAX_TOKENS as f64 {
            Err(format!("must be ≤ 2^53, got {f}"))
        } else {
            Ok(f as u64)
        }
    };
    let int = |i: i64| -> Result<u64, String> {
        let v = u64::try_from(i).map_err(|_| format!("must be ≥ 0, got {i}"))?;
        if v > MAX_TOKENS {
            Err(format!("must be ≤ 2^53, got {v}"))
        } else {
            Ok(v)
        }
    };
    match cell {
        Cell::Int(i) => int(i),
        Cell::Float(f) => float(f),
        Cell::Decimal(d) => float(money::to_f64(d)),
        Cell::Bool(b) => Err(format!("must be a whole number, got {b}")),
        other => {
            let t = as_text(other)?;
            if let Ok(i) = t.parse::<i64>() {
                int(i)
            } else if let Ok(f) = t.parse::<f64>() {
                float(f)
            } else {
                Err(format!("must be a whole number, got {t:?}"))
            }
        }
    }
}

/// Powers of ten exact in f64.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `123` or `123.45` with at most 15 digits, read without the general parser. The result is
/// the same double: both the digits (below 2^53) and the power of ten are exact, and one
/// division rounds correctly.
fn plain_decimal(b: &[u8]) -> Option<f64> {
    let mut mantissa = 0u64;
    let mut digits = 0usize;
    let mut scale = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < b.len() => scale = Some(b.len() - i - 1),
            _ => return None,
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    Some(mantissa as f64 / POW10.get(scale.unwrap_or(0)).copied()?)
}

pub(super) fn millis(cell: Cell<'_>) -> Result<f64, String> {
    if let Some(v) = raw_bytes(&cell).and_then(|b| plain_decimal(b.trim_ascii())) {
        return Ok(v);
    }
    let v = match cell {
        Cell::Int(i) => i as f64,
        Cell::Float(f) => f,
        Cell::Decimal(d) => money::to_f64(d),
        Cell::Bool(b) => return Err(format!("must be a number of milliseconds, got {b}")),
        other => {
            let t = as_text(other)?;
            t.parse::<f64>()
                .map_err(|_| format!("must be a number of milliseconds, got {t:?}"))?
        }
    };
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("must be a finite number ≥ 0, got {v}"))
    }
}

pub(super) fn flag(cell: Cell<'_>) -> Result<bool, String> {
    match cell {
        Cell::Bool(b) => Ok(b),
        Cell::Int(1) => Ok(true),
        Cell::Int(0) => Ok(false),
        other => {
            let t = as_text(other)?;
            let is = |w: &str| t.eq_ignore_ascii_case(w);
            if is("true") || is("yes") || is("1") {
                Ok(true)
            } else if is("false") || is("no") || is("0") {
                Ok(false)
            } else {
                Err(format!("must be true or false (or yes/no, 1/0), got {t:?}"))
            }
        }
    }
}

pub(super) fn verdict(cell: Cell<'_>) -> Result<GateResult, String> {
    let expected = "must be pass, fail or unknown (or true/false)";
    match cell {
        Cell::Text(_) | Cell::Bytes(_) => {
            let t = as_text(cell)?;
            [
                ("pass", GateResult::Pass),
                ("true", GateResult::Pass),
                ("1", GateResult::Pass),
                ("fail", GateResult::Fail),
                ("false", GateResult::Fail),
                ("0", GateResult::Fail),
                ("unknown", GateResult::Unknown),
            ]
            .iter()
            .find(|(w, _)| t.eq_ignore_ascii_case(w))
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("{expected}, got {t:?}"))
        }
        other => match flag(other.clone()) {
            Ok(true) => Ok(GateResult::Pass),
            Ok(false) => Ok(GateResult::Fail),
            Err(_) => Err(format!("{expected}, got {other:?}")),
        },
    }
}

/// Up to 18 ASCII digits with at most one inner point, as the exact Decimal `Decimal::from_str`
/// gives (the same mantissa and scale, trailing zeros kept): the common case, read without the
/// general parser.
fn plain_money(b: &[u8]) -> Option<Decimal> {
    let mut mantissa = 0i64;
    let mut digits = 0usize;
    let mut scale = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(c - b'0');
                digits += 1;
                if digits > 18 {
                    return None;
                }
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < b.len() => scale = Some(b.len() - i - 1),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Decimal::try_from_i128_with_scale(
        i128::from(mantissa),
        u32::try_from(scale.unwrap_or(0)).ok()?,
    )
    .ok()
}

pub(super) fn money(cell: Cell<'_>) -> Result<Decimal, String> {
    if let Some(v) = raw_bytes(&cell).and_then(|b| plain_money(b.trim_ascii())) {
        return Ok(v);
    }
    let v = match cell {
        Cell::Decimal(d) => d,
        Cell::Int(i) => Decimal::from(i),
        Cell::Float(f) => {
            money::from_f64(f).ok_or_else(|| format!("must be an amount in dollars, got {f}"))?
        }
        Cell::Bool(b) => return Err(format!("must be an amount in dollars, got {b}")),
        other => {
            let t = as_text(other)?;
            Decimal::from_str(&t)
                .or_else(|_| Decimal::from_scientific(&t))
                .map_err(|_| format!("must be an amount in dollars, got {t:?}"))?
        }
    };
    if v.is_sign_negative() && !v.is_zero() {
        Err(format!("must be ≥ 0, got {v}"))
    } else {
        Ok(v)
    }
}

// The readers of a field are inlined into `build` (`inline(always)`): called out of line, each
// call moved its cell and its result through memory, a fifth of a Parquet import's time.
impl<'a> Fields<'a, '_> {
    #[inline(always)]
    fn cell(&mut self, field: CanonicalField) -> Option<(Cell<'a>, &'a str)> {
        self.cells.take(field).or_else(|| {
            let constant = self.rules.constants.get(field.index())?.as_deref()?;
            Some((Cell::Text(Cow::Borrowed(constant)), field.name()))
        })
    }

    fn fail(&self, field: CanonicalField, source: &str, rule: String) -> RowError {
        RowError {
            row: self.row,
            column: column_label(source, field),
            rule,
        }
    }

    fn missing(&self, field: CanonicalField) -> RowError {
        self.fail(field, field.name(), "is required".to_owned())
    }

    #[inline(always)]
    fn parse<T>(
        &mut self,
        field: CanonicalField,
        read: impl FnOnce(Cell<'a>) -> Result<T, String>,
    ) -> Result<Option<T>, RowError> {
        match self.cell(field) {
            None => Ok(None),
            Some((cell, source)) => read(cell)
                .map(Some)
                .map_err(|rule| self.fail(field, source, rule)),
        }
    }

    #[inline(always)]
    fn text(&mut self, field: CanonicalField) -> Result<Option<Cow<'a, str>>, RowError> {
        self.parse(field, as_text)
    }

    #[inline(always)]
    fn required_text(&mut self, field: CanonicalField) -> Result<Cow<'a, str>, RowError> {
        self.text(field)?.ok_or_else(|| self.missing(field))
    }

    #[inline(always)]
    fn tokens(&mut self, field: CanonicalField) -> Result<Option<(u64, &'a str)>, RowError> {
        match self.cell(field) {
            None => Ok(None),
            Some((cell, source)) => whole(cell)
                .map(|v| Some((v, source)))
                .map_err(|rule| self.fail(field, source, rule)),
        }
    }

    #[inline(always)]
    fn keyword<T>(
        &mut self,
        field: CanonicalField,
        choices: &[(&str, T)],
        expected: &str,
    ) -> Result<Option<T>, RowError>
    where
        T: Copy,
    {
        self.parse(field, |cell| {
            let t = as_text(cell)?;
            choices
                .iter()
                .find(|(word, _)| t.eq_ignore_ascii_case(word))
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("must be {expected}, got {t:?}"))
        })
    }
}

/// The words a status cell may hold (any case): ours, and the ones provider bodies write
/// (the OpenAI Responses API's `completed` / `incomplete` / `failed` / `cancelled`; an
/// `incomplete` response stopped at its token limit but was returned and billed).
pub(super) const STATUS_WORDS: [(&str, Status); 10] = [
    ("ok", Status::Ok),
    ("error", Status::Error),
    ("timeout", Status::Timeout),
    ("completed", Status::Ok),
    ("incomplete", Status::Ok),
    ("success", Status::Ok),
    ("failed", Status::Error),
    ("cancelled", Status::Error),
    ("canceled", Status::Error),
    ("timed_out", Status::Timeout),
];

/// Checks one record's values and builds its canonical row (see the module docs for the rules).
///
/// Every value is taken out of `cells`, which is left empty for the next record (also when the
/// row is refused), so a reader can reuse one `RowCells` for all its records.
pub fn build_row<'a>(
    cells: &mut RowCells<'a>,
    rules: &'a RowRules,
    row: u64,
) -> Result<TraceRow<'a>, RowError> {
    let built = build(&mut Fields { cells, rules, row });
    if built.is_err() {
        cells.clear();
    }
    built
}

fn build<'a>(f: &mut Fields<'a, '_>) -> Result<TraceRow<'a>, RowError> {
    use CanonicalField as F;
    let (rules, row) = (f.rules, f.row);
    let request_id = f.required_text(F::RequestId)?;
    let timestamp = match f.cell(F::Timestamp) {
        None => return Err(f.missing(F::Timestamp)),
        Some((Cell::Time(t), _)) => t,
        Some((cell, source)) => as_text(cell)
            .and_then(|t| Timestamp::parse_rfc3339(&t))
            .map_err(|rule| f.fail(F::Timestamp, source, rule))?,
    };
    let workload = f.required_text(F::Workload)?;
    let scenario = f.text(F::Scenario)?;
    let route = f.text(F::Route)?.unwrap_or_default();
    let provider = f.required_text(F::Provider)?;
    let model = f.required_text(F::Model)?;
    let prompt_version = f.text(F::PromptVersion)?.unwrap_or_default();

    let (input, input_source) = f
        .tokens(F::InputTokens)?
        .ok_or_else(|| f.missing(F::InputTokens))?;
    let cache_read = f.tokens(F::CacheReadTokens)?;
    let write_5m = f.tokens(F::CacheWrite5mTokens)?.map_or(0, |t| t.0);
    let write_1h = f.tokens(F::CacheWrite1hTokens)?.map_or(0, |t| t.0);
    let (output, output_source) = f
        .tokens(F::OutputTokens)?
        .ok_or_else(|| f.missing(F::OutputTokens))?;
    let reasoning = f.tokens(F::ReasoningTokens)?;

    let uncached_input = match rules.convention {
        UsageConvention::AnthropicExclusive => input,
        UsageConvention::OpenaiInclusive => {
            if let Some((read, source)) = cache_read
                && read > input
            {
                return Err(f.fail(
                    F::CacheReadTokens,
                    source,
                    format!(
                        "must be ≤ {} ({input}) because input includes cached tokens ({}), got {read}",
                        input_source,
                        rules.convention.name()
                    ),
                ));
            }
            let cached = cache_read.map_or(0, |t| t.0) + write_5m + write_1h;
            input.checked_sub(cached).ok_or_else(|| {
                f.fail(
                    F::InputTokens,
                    input_source,
                    format!(
                        "must be ≥ cache reads + writes ({cached}) because it includes them ({}), got {input}",
                        rules.convention.name()
                    ),
                )
            })?
        }
    };
    let output = match reasoning {
        Some((r, source)) if rules.reasoning_in_output => {
            output.checked_sub(r).ok_or_else(|| {
                f.fail(
                    F::ReasoningTokens,
                    source,
                    format!("must be ≤ {output_source} ({output}) because output includes reasoning, got {r}"),
                )
            })?
        }
        _ => output,
    };
    let usage = TokenUsage {
        uncached_input,
        cache_read: cache_read.map_or(0, |t| t.0),
        cache_write_5m: write_5m,
        cache_write_1h: write_1h,
        output,
        reasoning: reasoning.map_or(0, |t| t.0),
    };

    let ttft_ms = f.parse(F::TtftMs, millis)?;
    let reported_tpot = f.parse(F::TpotMs, millis)?;
    let e2e_source = f
        .cells
        .cells
        .get(F::E2eMs.index())
        .and_then(|c| c.as_ref().map(|c| c.1));
    let e2e_ms = f.parse(F::E2eMs, millis)?;
    if let (Some(ttft), Some(e2e)) = (ttft_ms, e2e_ms)
        && e2e < ttft
    {
        return Err(f.fail(
            F::E2eMs,
            e2e_source.unwrap_or(F::E2eMs.name()),
            format!("must be ≥ ttft_ms ({ttft}), got {e2e}"),
        ));
    }
    let generated = usage.generated_total();
    let tpot_ms = reported_tpot.or(match (ttft_ms, e2e_ms) {
        (Some(ttft), Some(e2e)) if generated > 1 => Some((e2e - ttft) / (generated - 1) as f64),
        _ => None,
    });

    let status = f
        .keyword(F::Status, &STATUS_WORDS, "ok, error or timeout")?
        .unwrap_or_default();
    let attempt = f
        .parse(F::Attempt, |c| {
            whole(c).and_then(|v| u32::try_from(v).map_err(|_| format!("is too large: {v}")))
        })?
        .unwrap_or(0);
    let retry_of = f.text(F::RetryOf)?;
    let gate = f.parse(F::QualityGate, verdict)?.unwrap_or_default();
    let escalated = f.parse(F::Escalated, flag)?.unwrap_or(false);
    let reported_cost = f.parse(F::ReportedCost, money)?;

    Ok(TraceRow {
        row,
        request_id,
        timestamp,
        workload,
        scenario,
        route,
        provider,
        model,
        prompt_version,
        usage,
        ttft_ms,
        tpot_ms,
        e2e_ms,
        status,
        attempt,
        retry_of,
        gate,
        escalated,
        reported_cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap_or_else(|| panic!("date"))
    }

    #[test]
    fn rfc3339_parses_to_utc() {
        let t =
            Timestamp::parse_rfc3339("2026-05-12T09:30:15.250Z").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.date, date(2026, 5, 12));
        // 9 h 30 min 15.25 s = 34,215.25 s.
        assert!((t.seconds - 34_215.25).abs() < 1e-9);
        // 01:00 at +02:00 is 23:00 UTC the day before.
        let t =
            Timestamp::parse_rfc3339("2026-03-01T01:00:00+02:00").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.date, t.seconds), (date(2026, 2, 28), 82_800.0));
        // 23:30 at −01:00 is 00:30 UTC the next day, across a year end.
        let t =
            Timestamp::parse_rfc3339("2025-12-31 23:30:00-01:00").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.date, t.seconds), (date(2026, 1, 1), 1_800.0));
    }

    #[test]
    fn rfc3339_refuses_what_it_cannot_read() {
        for bad in [
            "2026-05-12",
            "2026-05-12T09:30:00",
            "2026-05-12T24:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-05-12T09:30:00.Z",
            "2026-05-12T09:30:00+0200",
            "12/05/2026 09:30",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_days_round_trip() {
        assert_eq!(unix_days(date(1970, 1, 1)), 0);
        // 2026-05-12: 56 years incl. 14 leap days = 20,454 days to 2026-01-01, + 131.
        assert_eq!(unix_days(date(2026, 5, 12)), 20_585);
        for days in [-1, 0, 59, 20_585, 2_932_896] {
            let d = date_from_unix_days(days).unwrap_or_else(|| panic!("{days}"));
            assert_eq!(unix_days(d), days);
        }
        let t = Timestamp::from_unix_nanos(20_585 * 86_400 * 1_000_000_000 + 1_500_000_000);
        assert_eq!(
            t.map(|t| (t.date, t.seconds)),
            Some((date(2026, 5, 12), 1.5))
        );
        assert_eq!(
            t.map(Timestamp::unix_seconds),
            Some(20_585.0 * 86_400.0 + 1.5)
        );
    }

    fn cells<'a>(pairs: &[(CanonicalField, &'a str)]) -> RowCells<'a> {
        let mut c = RowCells::new();
        for &(field, text) in pairs {
            c.offer(field, Cell::Bytes(text.as_bytes()), field.name());
        }
        c
    }

    fn base() -> Vec<(CanonicalField, &'static str)> {
        use CanonicalField as F;
        vec![
            (F::RequestId, "r1"),
            (F::Timestamp, "2026-05-12T10:00:00Z"),
            (F::Workload, "support-chat"),
            (F::Provider, "OpenAI"),
            (F::Model, "GPT-5.4"),
            (F::InputTokens, "1000"),
            (F::CacheReadTokens, "600"),
            (F::OutputTokens, "300"),
            (F::ReasoningTokens, "100"),
        ]
    }

    fn rules(convention: UsageConvention, reasoning_in_output: bool) -> RowRules {
        RowRules {
            convention,
            reasoning_in_output,
            constants: vec![None; FIELD_COUNT],
        }
    }

    #[test]
    fn inclusive_input_loses_its_cached_part_and_output_its_reasoning() {
        let r = rules(UsageConvention::OpenaiInclusive, true);
        let row = build_row(&mut cells(&base()), &r, 1).unwrap_or_else(|e| panic!("{e}"));
        // 1000 input including 600 cached → 400 uncached; 300 output including 100 reasoning.
        assert_eq!(row.usage.uncached_input, 400);
        assert_eq!(row.usage.cache_read, 600);
        assert_eq!(row.usage.output, 200);
        assert_eq!(row.usage.reasoning, 100);
        assert_eq!(row.usage.input_total(), 1000);
        assert_eq!(
            (row.status, row.gate, row.attempt),
            (Status::Ok, GateResult::Unknown, 0)
        );
        assert!(!row.is_retry() && !row.is_accepted());
    }

    #[test]
    fn exclusive_input_is_uncached_as_reported() {
        let r = rules(UsageConvention::AnthropicExclusive, false);
        let row = build_row(&mut cells(&base()), &r, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.usage.uncached_input, 1000);
        assert_eq!(row.usage.input_total(), 1600);
        assert_eq!(row.usage.generated_total(), 400);
    }

    #[test]
    fn cached_above_inclusive_input_is_a_broken_row() {
        let mut b = base();
        b[6].1 = "1200";
        let r = rules(UsageConvention::OpenaiInclusive, true);
        let err = build_row(&mut cells(&b), &r, 7).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("row 7: cache_read_tokens must be ≤ input_tokens (1000) because input includes cached tokens (openai_inclusive), got 1200".into())
        );
        // The same counts are fine where input excludes the cache.
        let r = rules(UsageConvention::AnthropicExclusive, true);
        assert!(build_row(&mut cells(&b), &r, 7).is_ok());
        // Reads fit but reads + writes do not.
        let mut b = base();
        b.push((CanonicalField::CacheWrite5mTokens, "500"));
        let r = rules(UsageConvention::OpenaiInclusive, true);
        let err = build_row(&mut cells(&b), &r, 2).err();
        assert!(err.is_some_and(|e| e.column == "input_tokens" && e.rule.contains("(1100)")));
    }

    #[test]
    fn building_empties_the_cells_even_when_it_refuses() {
        let r = rules(UsageConvention::AnthropicExclusive, false);
        let mut b = base();
        b[0].1 = "";
        b.push((CanonicalField::TtftMs, "5"));
        let mut c = cells(&b);
        assert!(build_row(&mut c, &r, 1).is_err());
        assert_eq!(c, RowCells::new());
        let mut c = cells(&base());
        assert!(build_row(&mut c, &r, 1).is_ok());
        assert_eq!(c, RowCells::new());
    }

    #[test]
    fn negative_and_unparseable_numbers_are_broken_rows() {
        let r = rules(UsageConvention::AnthropicExclusive, false);
        let mut b = base();
        b[7].1 = "-5";
        let err = build_row(&mut cells(&b), &r, 5).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("row 5: output_tokens must be ≥ 0, got -5".into())
        );
        let mut b = base();
        b[5].1 = "12x";
        let err = build_row(&mut cells(&b), &r, 3).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("row 3: input_tokens must be a whole number, got \"12x\"".into())
        );
        let mut b = base();
        b[5].1 = "12.5";
        assert!(build_row(&mut cells(&b), &r, 3).is_err());
        let mut b = base();
        b[5].1 = "12.0";
        assert!(build_row(&mut cells(&b), &r, 3).is_ok_and(|row| row.usage.uncached_input == 12));
        let mut b = base();
        b.push((CanonicalField::TtftMs, "-3"));
        assert!(build_row(&mut cells(&b), &r, 3).is_err());
    }

    #[test]
    fn missing_required_fields_are_broken_rows_and_constants_fill_them() {
        let mut b = base();
        b.remove(2);
        let r = rules(UsageConvention::AnthropicExclusive, false);
        let err = build_row(&mut cells(&b), &r, 4).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("row 4: workload is required".into())
        );
        // Blank counts as absent.
        let mut b = base();
        b[2].1 = "  ";
        assert!(build_row(&mut cells(&b), &r, 4).is_err());
        let mut r = r;
        r.constants[CanonicalField::Workload.index()] = Some("batch-review".into());
        let row = build_row(&mut cells(&b), &r, 4).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.workload, "batch-review");
    }

    #[test]
    fn status_gate_escalation_attempt_and_cost() {
        use CanonicalField as F;
        let mut b = base();
        b.extend([
            (F::Status, "TIMEOUT"),
            (F::QualityGate, "pass"),
            (F::Escalated, "yes"),
            (F::Attempt, "2"),
            (F::ReportedCost, "0.00125"),
        ]);
        let r = rules(UsageConvention::OpenaiInclusive, true);
        let row = build_row(&mut cells(&b), &r, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.status, Status::Timeout);
        assert_eq!(row.gate, GateResult::Pass);
        assert!(row.escalated && row.is_retry() && !row.is_accepted());
        assert_eq!(row.reported_cost, Some(Decimal::new(125, 5)));
        let mut bad = base();
        bad.push((F::Status, "done"));
        let err = build_row(&mut cells(&bad), &r, 9).err();
        assert!(err.is_some_and(|e| e.rule == "must be ok, error or timeout, got \"done\""));
        let mut bad = base();
        bad.push((F::QualityGate, "maybe"));
        assert!(build_row(&mut cells(&bad), &r, 9).is_err());
        let mut bad = base();
        bad.push((F::ReportedCost, "-0.1"));
        assert!(build_row(&mut cells(&bad), &r, 9).is_err());
    }

    proptest::proptest! {
        #[test]
        fn plain_money_reads_as_the_general_parser_reads_it(
            mantissa in 0u64..1_000_000_000_000_000,
            scale in 0usize..18,
        ) {
            let digits = mantissa.to_string();
            let text = if scale == 0 || scale >= digits.len() {
                digits.clone()
            } else {
                format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
            };
            let general = Decimal::from_str(&text).unwrap();
            let fast = plain_money(text.as_bytes()).unwrap();
            // The same value and the same scale, so sums and their text are the same.
            proptest::prop_assert_eq!(fast, general);
            proptest::prop_assert_eq!(fast.scale(), general.scale());
            proptest::prop_assert_eq!(fast.to_string(), general.to_string());
        }

        #[test]
        fn plain_decimals_read_as_the_general_parser_reads_them(
            mantissa in 0u64..1_000_000_000_000_000,
            scale in 0usize..16,
        ) {
            let digits = mantissa.to_string();
            let text = if scale == 0 || scale >= digits.len() {
                digits
            } else {
                format!("{}.{}", &digits[..digits.len() - scale], &digits[digits.len() - scale..])
            };
            let general: f64 = text.parse().unwrap_or(f64::NAN);
            proptest::prop_assert_eq!(plain_decimal(text.as_bytes()).map(f64::to_bits), Some(general.to_bits()));
        }
    }

    #[test]
    fn odd_decimals_take_the_general_path() {
        for (text, expected) in [
            ("12.", Some(12.0)),
            (".5", Some(0.5)),
            ("1e3", Some(1000.0)),
            ("-1", None),
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
            assert_eq!(
                millis(Cell::Bytes(text.as_bytes())).ok(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn tpot_is_derived_when_absent_and_e2e_below_ttft_is_refused() {
        use CanonicalField as F;
        let mut b = base();
        b.extend([(F::TtftMs, "400"), (F::E2eMs, "2400")]);
        let r = rules(UsageConvention::OpenaiInclusive, true);
        let row = build_row(&mut cells(&b), &r, 1).unwrap_or_else(|e| panic!("{e}"));
        // Generated = 300 (output incl. reasoning); (2400 − 400) ÷ 299 ms per token.
        assert_eq!(row.tpot_ms, Some(2000.0 / 299.0));
        let mut b = base();
        b.extend([(F::TtftMs, "400"), (F::E2eMs, "300")]);
        let err = build_row(&mut cells(&b), &r, 6).err();
        assert!(err.is_some_and(|e| e.column == "e2e_ms" && e.rule.contains("≥ ttft_ms (400)")));
    }

    #[test]
    fn typed_cells_are_read_without_text() {
        use CanonicalField as F;
        let mut c = RowCells::new();
        c.offer(F::RequestId, Cell::Text("r".into()), "id");
        let t = Timestamp::from_unix_nanos(0).unwrap_or_else(|| panic!("epoch"));
        c.offer(F::Timestamp, Cell::Time(t), "start");
        c.offer(F::Workload, Cell::Text("w".into()), "w");
        c.offer(F::Provider, Cell::Text("p".into()), "p");
        c.offer(F::Model, Cell::Text("m".into()), "m");
        c.offer(F::InputTokens, Cell::Int(10), "in");
        c.offer(F::OutputTokens, Cell::Float(4.0), "out");
        c.offer(F::Escalated, Cell::Bool(true), "esc");
        c.offer(F::QualityGate, Cell::Bool(false), "gate");
        assert!(!c.offer(F::InputTokens, Cell::Int(99), "later"));
        let r = rules(UsageConvention::AnthropicExclusive, false);
        let row = build_row(&mut c, &r, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((row.usage.uncached_input, row.usage.output), (10, 4));
        assert!(row.escalated);
        assert_eq!(row.gate, GateResult::Fail);
        assert_eq!(row.timestamp.date, date(1970, 1, 1));
        let mut c = RowCells::new();
        c.offer(F::InputTokens, Cell::Int(-1), "in");
        assert!(c.has(F::InputTokens));
    }
}
