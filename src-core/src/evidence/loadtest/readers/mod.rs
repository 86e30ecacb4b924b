//! Per-request load-test results, read from the files load generators write.
//!
//! Goodput counts requests one by one against the SLOs and the quality gate, so every reader
//! here needs each request's latencies; a file that holds only means and percentiles is refused
//! with a message that says so, rather than having requests invented to match its summary.
//!
//! Formats:
//! - **Generic CSV and JSONL**: one request per row (or line); the columns are listed at
//!   [`read_generic_csv`]. Rows are grouped into runs by a run id column, else by a request-rate
//!   column, else the file is one run.
//! - **vLLM** `--save-result` JSON (`benchmarks/benchmark_serving.py` and `vllm bench serve`):
//!   per-request arrays `ttfts`, `itls`, `input_lens`, `output_lens`, `errors`, and in newer
//!   files `latencies` and `start_times`. Times in these arrays are seconds. A file saved
//!   without per-request detail is refused.
//! - **GuideLLM** report JSON: one run per benchmark, from `requests.successful`, `errored` and
//!   `incomplete`, in both the older (`args`, `request_totals`) and newer (`config`,
//!   `scheduler_metrics`) layouts. A report whose request lists were sampled is refused: a sample
//!   cannot give a goodput rate.
//! - **AIPerf** `profile_export.jsonl`: one record per request, with metric values and units;
//!   the request rate and load mode come from `profile_export_aiperf.json` when it is given.
//! - Refused as aggregate-only: AIPerf and GenAI-Perf summary JSON and CSV, and GenAI-Perf's
//!   `profile_export.json`, whose requests carry timestamps but no token counts.
//!
//! Each reader also records what the file reveals about how the test was run
//! ([`MethodologyEvidence`]): an unbounded request rate (`inf`) or a concurrency-driven load
//! means closed-loop arrivals; an excluded warmup phase means cold starts were not measured;
//! per-request latencies mean tail percentiles can be computed; a quality field means the gate
//! was applied. What a file does not reveal stays unknown, to be filled from what the user
//! declares about the run ([`MethodologyEvidence::resolve`]).
//!
//! TPOT, when a file gives only end-to-end latency, TTFT and output tokens, is
//! (E2E − TTFT) ÷ (output tokens − 1), the time per token after the first; a request with one
//! output token or none has a TPOT of 0 (it has no inter-token gaps to miss an SLO with).

use std::collections::BTreeSet;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::{ArrivalProcess, Methodology};
use crate::error::{InputError, InputResult};
use crate::evidence::loadtest::csv::{self, CsvTable};

mod aiperf;
mod generic;
mod guidellm;
mod vllm;

pub use aiperf::read_aiperf;
pub use generic::{read_generic_csv, read_generic_jsonl};
pub use guidellm::read_guidellm;
pub use vllm::{read_vllm, read_vllm_lines};

/// The file format a run was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// The generic per-request CSV.
    GenericCsv,
    /// The generic per-request JSON Lines.
    GenericJsonl,
    /// vLLM's saved serving benchmark.
    Vllm,
    /// A GuideLLM report.
    GuideLlm,
    /// AIPerf's per-record export.
    AiPerf,
    /// A load test already stored in a workspace.
    Workspace,
}

/// One request of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// When it was sent, in seconds on the file's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_s: Option<f64>,
    /// Whether it completed without error.
    pub success: bool,
    /// Time to first token, ms (required when successful).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Time per output token after the first, ms (required when successful).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot_ms: Option<f64>,
    /// End-to-end latency, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_ms: Option<f64>,
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<f64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<f64>,
    /// Whether the output passed the quality gate, when the file records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_pass: Option<bool>,
    /// What the request cost, in dollars, when the file records it.
    #[serde(
        default,
        with = "crate::money::exact_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost: Option<Decimal>,
}

/// What a file shows about how its test was run; `None` where it does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodologyEvidence {
    /// The arrival process.
    #[serde(default)]
    pub arrivals: Option<ArrivalProcess>,
    /// Whether a warmup phase ran and was left out of the measurements.
    #[serde(default)]
    pub warmup_excluded: Option<bool>,
    /// Whether the prefix cache was warmed first.
    #[serde(default)]
    pub warm_cache: Option<bool>,
    /// Whether cold-start latency is in the measurements.
    #[serde(default)]
    pub cold_starts_included: Option<bool>,
    /// Whether failed requests were retried as production would.
    #[serde(default)]
    pub retries_applied: Option<bool>,
    /// Whether tail percentiles were recorded or can be computed.
    #[serde(default)]
    pub tail_latency_recorded: Option<bool>,
    /// Whether outputs went through the quality gate.
    #[serde(default)]
    pub quality_gate_applied: Option<bool>,
}

impl MethodologyEvidence {
    /// The methodology flags: what the file shows wins; what it does not show comes from
    /// `declared` (what the user states about the run); what neither says is counted as not
    /// done, as an audit counts an unrecorded practice. The notes name each declared value the
    /// file contradicts and each flag that had to be assumed.
    ///
    /// An excluded warmup phase means cold starts were not measured; a file without one says
    /// nothing about cold starts (the server may already have been warm).
    #[must_use]
    pub fn resolve(&self, declared: Option<&Methodology>) -> (Methodology, Vec<String>) {
        let mut notes = Vec::new();
        let cold = self
            .cold_starts_included
            .or(self.warmup_excluded.and_then(|w| w.then_some(false)));
        let mut flag = |name: &str, seen: Option<bool>, said: Option<bool>| -> bool {
            match (seen, said) {
                (Some(s), Some(d)) if s != d => {
                    notes.push(format!(
                        "{name}: the file shows {s}, the declaration says {d}; the file is used"
                    ));
                    s
                }
                (Some(s), _) => s,
                (None, Some(d)) => d,
                (None, None) => {
                    notes.push(format!("{name}: not recorded, counted as not done"));
                    false
                }
            }
        };
        let warm_cache = flag(
            "warm cache",
            self.warm_cache,
            declared.map(|d| d.warm_cache),
        );
        let cold_starts_included = flag(
            "cold starts included",
            cold,
            declared.map(|d| d.cold_starts_included),
        );
        let retries_applied = flag(
            "retries applied",
            self.retries_applied,
            declared.map(|d| d.retries_applied),
        );
        let tail_latency_recorded = flag(
            "tail latency recorded",
            self.tail_latency_recorded,
            declared.map(|d| d.tail_latency_recorded),
        );
        let quality_gate_applied = flag(
            "quality gate applied",
            self.quality_gate_applied,
            declared.map(|d| d.quality_gate_applied),
        );
        let arrivals = match (self.arrivals, declared.map(|d| d.arrivals)) {
            (Some(s), Some(d)) if s != d => {
                notes.push(format!(
                    "arrivals: the file shows {s:?}, the declaration says {d:?}; the file is used"
                ));
                s
            }
            (Some(s), _) => s,
            (None, Some(d)) => d,
            (None, None) => {
                notes.push("arrivals: not recorded, counted as closed loop".to_owned());
                ArrivalProcess::ClosedLoop
            }
        };
        (
            Methodology {
                arrivals,
                warm_cache,
                cold_starts_included,
                retries_applied,
                tail_latency_recorded,
                quality_gate_applied,
            },
            notes,
        )
    }
}

/// One run of a load test: its requests at one offered load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadTestRun {
    /// A name for the run: its id, or its source and rate.
    pub label: String,
    /// The offered request rate, req/s; `None` when unbounded (`inf`) or not recorded.
    #[serde(default)]
    pub request_rate: Option<f64>,
    /// Length of the measurement window, s.
    pub duration_seconds: f64,
    /// The measured requests (warmup requests left out).
    pub requests: Vec<RunRequest>,
    /// What the file shows about the method.
    #[serde(default)]
    pub evidence: MethodologyEvidence,
    /// Where the run was read from.
    pub source: SourceFormat,
    /// What the reader noticed: ignored columns, derived values, the tool's own summaries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// An id made from the run itself (tool, rate or concurrency, date), when the file says
    /// enough to make one; the importer falls back to the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The tool's own request counts when `requests` holds only a sample of them: rates and
    /// counts come from these, percentiles and pass shares from the sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<RunTotals>,
}

/// A run's true request counts, as the tool counted them.
pub use crate::document::RequestTotals as RunTotals;

impl LoadTestRun {
    /// Checks the run: a positive duration, at least one request, and each request's values
    /// (see [`check_request`]); quality and cost must be on every request or on none (quality
    /// on every successful one), so a partly graded run is not read as fully graded.
    pub fn validate(&self) -> InputResult<()> {
        if !(self.duration_seconds.is_finite() && self.duration_seconds > 0.0) {
            return Err(InputError::new(
                "duration_seconds",
                format!("must be > 0, got {}", self.duration_seconds),
            ));
        }
        if let Some(rate) = self.request_rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(InputError::new(
                "request_rate",
                format!("must be > 0 (None for unbounded), got {rate}"),
            ));
        }
        if self.requests.is_empty() {
            return Err(InputError::new(
                "requests",
                "must hold at least one request",
            ));
        }
        for (i, r) in self.requests.iter().enumerate() {
            check_request(r, &format!("requests[{i}]"))?;
        }
        let graded = self.requests.iter().filter(|r| r.quality_pass.is_some());
        let successes = self.requests.iter().filter(|r| r.success).count();
        let graded_successes = graded.filter(|r| r.success).count();
        if graded_successes != 0 && graded_successes != successes {
            return Err(InputError::new(
                "requests",
                format!(
                    "must give quality_pass on every successful request or on none; \
                     {graded_successes} of {successes} have it"
                ),
            ));
        }
        let costed = self.requests.iter().filter(|r| r.cost.is_some()).count();
        if costed != 0 && costed != self.requests.len() {
            return Err(InputError::new(
                "requests",
                format!(
                    "must give cost on every request or on none; {costed} of {} have it",
                    self.requests.len()
                ),
            ));
        }
        if let Some(t) = self.totals {
            let listed_ok = self.requests.iter().filter(|r| r.success).count() as u64;
            let listed_failed = self.requests.len() as u64 - listed_ok;
            if t.successful < listed_ok || t.failed < listed_failed {
                return Err(InputError::new(
                    "totals",
                    format!(
                        "must count at least the listed requests ({listed_ok} successful, \
                         {listed_failed} failed), got {} and {}",
                        t.successful, t.failed
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Requests sent: the tool's total when the list is a sample, else the list's length.
    #[must_use]
    pub fn attempts(&self) -> u64 {
        self.totals
            .map_or(self.requests.len() as u64, |t| t.attempts())
    }

    /// "sampled: 5 of 30 requests" when the list is a sample.
    #[must_use]
    pub fn sample_note(&self) -> Option<String> {
        let t = self.totals?;
        let listed = self.requests.len() as u64;
        (listed < t.attempts()).then(|| format!("sampled: {listed} of {} requests", t.attempts()))
    }

    /// True when every request carries a cost.
    #[must_use]
    pub fn has_costs(&self) -> bool {
        !self.requests.is_empty() && self.requests.iter().all(|r| r.cost.is_some())
    }

    /// True when the successful requests carry quality-gate results.
    #[must_use]
    pub fn has_quality(&self) -> bool {
        self.requests
            .iter()
            .any(|r| r.success && r.quality_pass.is_some())
    }
}

/// `vllm-4qps-20260412-101530`: the tool, the load (`4qps`, `inf`, `c32` for a concurrency
/// cap) and the run's date, each part kept only when known, lower-case with `.` as `p` so
/// that `2.5qps` and `2qps` stay apart.
pub(super) fn make_run_id(tool: &str, load: &[String], date: Option<&str>) -> String {
    let mut parts = vec![tool.to_owned()];
    parts.extend(load.iter().filter(|l| !l.is_empty()).cloned());
    if let Some(d) = date {
        parts.push(d.to_owned());
    }
    parts
        .join("-")
        .chars()
        .map(|c| match c {
            '.' => 'p',
            c if c.is_ascii_alphanumeric() || c == '-' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect()
}

/// A rate in an id: `4qps`, `2p5qps`; a whole number loses its `.0`.
pub(super) fn rate_part(rate: f64) -> String {
    if rate.fract() == 0.0 {
        format!("{rate:.0}qps")
    } else {
        format!("{rate}qps")
    }
}

/// `20261202-103846` for a Unix time in seconds (UTC); `None` out of range.
pub(super) fn unix_stamp(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let secs = seconds.floor() as i64;
    let date = crate::document::Date::from_unix_days(secs.div_euclid(86_400))?;
    let rem = secs.rem_euclid(86_400);
    Some(format!(
        "{}-{:02}{:02}{:02}",
        date.to_string().replace('-', ""),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

fn bad(field: &str, rule: impl Into<String>) -> InputError {
    InputError::new(field, rule)
}

/// `line 5: ttft_ms` for a line of a file, `requests[3].ttft_ms` for a path in a document.
fn field_path(at: &str, name: &str) -> String {
    if at.starts_with("line ") {
        format!("{at}: {name}")
    } else {
        format!("{at}.{name}")
    }
}

fn check_value(at: &str, name: &str, v: Option<f64>) -> InputResult<()> {
    match v {
        Some(x) if !(x.is_finite() && x >= 0.0) => {
            Err(bad(&field_path(at, name), format!("must be ≥ 0, got {x}")))
        }
        _ => Ok(()),
    }
}

fn check_whole(at: &str, name: &str, v: Option<f64>) -> InputResult<()> {
    check_value(at, name, v)?;
    match v {
        Some(x) if x.fract() != 0.0 => Err(bad(
            &field_path(at, name),
            format!("must be a whole number of tokens, got {x}"),
        )),
        _ => Ok(()),
    }
}

/// Checks one request found at `at`: latencies and tokens finite and ≥ 0, tokens whole, cost
/// ≥ 0, E2E not below TTFT, and TTFT and TPOT present on a successful request.
pub fn check_request(r: &RunRequest, at: &str) -> InputResult<()> {
    check_value(at, "start_s", r.start_s)?;
    check_value(at, "ttft_ms", r.ttft_ms)?;
    check_value(at, "e2e_ms", r.e2e_ms)?;
    // Checked before TPOT: a TPOT derived from such a pair is negative, and the cause is E2E.
    if let (Some(t), Some(e)) = (r.ttft_ms, r.e2e_ms)
        && e < t
    {
        return Err(bad(
            &field_path(at, "e2e_ms"),
            format!(
                "must be ≥ ttft_ms ({t}), got {e}: end-to-end latency includes the time to \
                 first token"
            ),
        ));
    }
    check_value(at, "tpot_ms", r.tpot_ms)?;
    check_value(at, "e2e_ms", r.e2e_ms)?;
    check_whole(at, "input_tokens", r.input_tokens)?;
    check_whole(at, "output_tokens", r.output_tokens)?;
    if let Some(c) = r.cost
        && c.is_sign_negative()
        && !c.is_zero()
    {
        return Err(bad(
            &field_path(at, "cost"),
            format!("must be ≥ 0, got {c}"),
        ));
    }
    if r.success {
        if r.ttft_ms.is_none() {
            return Err(bad(
                &field_path(at, "ttft_ms"),
                "is required for a successful request",
            ));
        }
        if r.tpot_ms.is_none() {
            return Err(bad(
                &field_path(at, "tpot_ms"),
                "is required for a successful request (or e2e_ms and output_tokens to derive it)",
            ));
        }
    }
    Ok(())
}

/// TPOT from E2E, TTFT and output tokens: (E2E − TTFT) ÷ (tokens − 1); 0 for one token or none.
fn derived_tpot(
    ttft_ms: Option<f64>,
    e2e_ms: Option<f64>,
    output_tokens: Option<f64>,
) -> Option<f64> {
    match (ttft_ms, e2e_ms, output_tokens) {
        (_, _, Some(n)) if n <= 1.0 => Some(0.0),
        (Some(t), Some(e), Some(n)) => Some((e - t) / (n - 1.0)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Cells: one value of a CSV field or a JSON key, read the same way.

#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Json(&'a Value),
}

fn cell_text(c: Cell<'_>) -> Option<String> {
    match c {
        Cell::Text(t) => {
            let t = t.trim();
            (!t.is_empty()).then(|| t.to_owned())
        }
        Cell::Json(Value::Null) => None,
        Cell::Json(Value::String(s)) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        }
        Cell::Json(v) => Some(v.to_string()),
    }
}

fn cell_f64(c: Cell<'_>, field: &str) -> InputResult<Option<f64>> {
    if let Cell::Json(Value::Number(n)) = c {
        return n
            .as_f64()
            .map(Some)
            .ok_or_else(|| bad(field, format!("must be a number, got {n}")));
    }
    if let Cell::Json(Value::Bool(b)) = c {
        return Err(bad(field, format!("must be a number, got {b}")));
    }
    match cell_text(c) {
        None => Ok(None),
        Some(t) => match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(bad(field, format!("must be a number, got {t:?}"))),
        },
    }
}

fn cell_bool(c: Cell<'_>, field: &str) -> InputResult<Option<bool>> {
    match c {
        Cell::Json(Value::Bool(b)) => return Ok(Some(*b)),
        Cell::Json(Value::Number(n)) => {
            return match n.as_f64() {
                Some(1.0) => Ok(Some(true)),
                Some(0.0) => Ok(Some(false)),
                _ => Err(bad(field, format!("must be true/false or 1/0, got {n}"))),
            };
        }
        _ => {}
    }
    match cell_text(c) {
        None => Ok(None),
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "pass" | "ok" => Ok(Some(true)),
            "false" | "0" | "no" | "fail" => Ok(Some(false)),
            _ => Err(bad(field, format!("must be true/false or 1/0, got {t:?}"))),
        },
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

fn cell_decimal(c: Cell<'_>, field: &str) -> InputResult<Option<Decimal>> {
    if let Cell::Json(Value::Bool(b)) = c {
        return Err(bad(field, format!("must be an amount, got {b}")));
    }
    match cell_text(c) {
        None => Ok(None),
        Some(t) => {
            let digits = t.strip_prefix('$').unwrap_or(&t);
            parse_decimal(digits)
                .map(Some)
                .ok_or_else(|| bad(field, format!("must be an amount, got {t:?}")))
        }
    }
}

/// An offered request rate.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rate {
    Finite(f64),
    Unbounded,
}

fn cell_rate(c: Cell<'_>, field: &str) -> InputResult<Option<Rate>> {
    if let Some(t) = cell_text(c) {
        let lower = t.trim_matches('"').to_ascii_lowercase();
        if matches!(lower.as_str(), "inf" | "infinity" | "+inf") {
            return Ok(Some(Rate::Unbounded));
        }
    }
    match cell_f64(c, field)? {
        None => Ok(None),
        Some(r) if r > 0.0 => Ok(Some(Rate::Finite(r))),
        Some(r) => Err(bad(field, format!("must be > 0 or \"inf\", got {r}"))),
    }
}

fn cell_arrivals(c: Cell<'_>, field: &str) -> InputResult<Option<ArrivalProcess>> {
    match cell_text(c) {
        None => Ok(None),
        Some(t) => match t.to_ascii_lowercase().replace('-', "_").as_str() {
            "closed_loop" | "closed" | "concurrency" => Ok(Some(ArrivalProcess::ClosedLoop)),
            "poisson" | "open_loop" | "open" | "constant" => Ok(Some(ArrivalProcess::Poisson)),
            "trace_replay" | "replay" | "trace" => Ok(Some(ArrivalProcess::TraceReplay)),
            _ => Err(bad(
                field,
                format!("must be closed_loop, poisson, constant or trace_replay, got {t:?}"),
            )),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// JSON helpers for tool reports.

fn at_path<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| cur.get(key))
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|x| !x.is_null())
}

fn json_f64(v: Option<&Value>, field: &str) -> InputResult<Option<f64>> {
    match present(v) {
        None => Ok(None),
        Some(x) => cell_f64(Cell::Json(x), field),
    }
}

fn array<'a>(root: &'a Value, key: &str) -> InputResult<Option<&'a Vec<Value>>> {
    match present(root.get(key)) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(bad(key, "must be an array")),
    }
}

fn aggregate_only(what: &str) -> InputError {
    InputError::new(
        "",
        format!(
            "is {what}: it holds only aggregates (means, percentiles), and goodput needs \
             per-request data; export the per-request records instead"
        ),
    )
}

fn parse_json(text: &str) -> InputResult<Value> {
    serde_json::from_str(text).map_err(|e| bad("", format!("is not valid JSON: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Detection.

/// True when `text` is AIPerf's per-record export (JSON Lines whose records carry `metadata`
/// and `metrics`), whose load settings are in the summary beside it.
#[must_use]
pub fn is_aiperf_records(file_name: &str, text: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    if !(lower.ends_with(".jsonl") || lower.ends_with(".ndjson")) {
        return false;
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str::<Value>(first)
        .ok()
        .is_some_and(|v| v.get("metadata").is_some() && v.get("metrics").is_some())
}

/// Reads a results file, choosing the reader from its name and content; `file_name` also
/// labels the runs. Aggregate-only exports are refused with a message naming what they are.
pub fn read_file(file_name: &str, text: &str) -> InputResult<Vec<LoadTestRun>> {
    let lower = file_name.to_ascii_lowercase();
    let label = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    if lower.ends_with(".csv") {
        return read_generic_csv(text, label);
    }
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let aiperf = serde_json::from_str::<Value>(first)
            .ok()
            .is_some_and(|v| v.get("metadata").is_some() && v.get("metrics").is_some());
        let vllm = serde_json::from_str::<Value>(first)
            .ok()
            .is_some_and(|v| v.get("ttfts").is_some());
        return if aiperf {
            read_aiperf(text, None, label).map(|r| vec![r])
        } else if vllm {
            read_vllm_lines(text, label)
        } else {
            read_generic_jsonl(text, label)
        };
    }
    let root = match parse_json(text) {
        Ok(root) => root,
        Err(e) => {
            // vLLM --append-result writes one saved benchmark per line.
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let vllm_line = serde_json::from_str::<Value>(first)
                .ok()
                .is_some_and(|v| v.get("ttfts").is_some() || v.get("completed").is_some());
            return if vllm_line {
                read_vllm_lines(text, label)
            } else {
                Err(e)
            };
        }
    };
    if root.get("benchmarks").is_some() {
        return read_guidellm(text, label);
    }
    if root.get("experiments").is_some() {
        return Err(bad(
            "experiments",
            "marks GenAI-Perf's profile_export.json: its requests carry timestamps but no \
             token counts, so TPOT cannot be computed; use AIPerf's profile_export.jsonl or the \
             generic CSV",
        ));
    }
    if root.get("ttfts").is_some()
        || (root.get("completed").is_some() && root.get("duration").is_some())
    {
        return read_vllm(text, label).map(|r| vec![r]);
    }
    let summary = [
        "request_throughput",
        "time_to_first_token",
        "request_latency",
    ]
    .iter()
    .any(|k| root.get(*k).and_then(|m| m.get("avg")).is_some());
    if summary {
        return Err(aggregate_only(
            "an AIPerf or GenAI-Perf summary (profile_export_aiperf.json / profile_export_genai_perf.json)",
        ));
    }
    Err(bad(
        "",
        "is not a load-test format this reader knows (generic CSV/JSONL, vLLM, GuideLLM, AIPerf)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../tests/fixtures/loadtests/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(name: &str) -> InputResult<Vec<LoadTestRun>> {
        read_file(name, &fixture(name))
    }

    fn ok(name: &str) -> Vec<LoadTestRun> {
        read(name).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn err(name: &str) -> InputError {
        match read(name) {
            Ok(runs) => panic!("{name} was accepted: {} runs", runs.len()),
            Err(e) => e,
        }
    }

    #[test]
    fn generic_csv_groups_by_rate_and_derives_tpot() {
        let runs = ok("generic_sweep.csv");
        assert_eq!(runs.len(), 3);
        let rates: Vec<Option<f64>> = runs.iter().map(|r| r.request_rate).collect();
        assert_eq!(rates, vec![Some(1.0), Some(2.0), None]);
        assert_eq!(runs[2].evidence.arrivals, Some(ArrivalProcess::ClosedLoop));
        assert_eq!(runs[0].evidence.arrivals, None);
        assert!(runs.iter().all(|r| r.has_quality() && r.has_costs()));
        // Run at 1 req/s: four rows, duration_s 4.
        assert_eq!(runs[0].requests.len(), 4);
        assert_eq!(runs[0].duration_seconds, 4.0);
        // Row 3 has no tpot_ms: (e2e 1,400 − ttft 200) ÷ (121 − 1) = 10 ms.
        assert_eq!(runs[0].requests[2].tpot_ms, Some(10.0));
        // The failed row keeps no latencies but its cost.
        let failed = runs[1].requests.iter().find(|r| !r.success);
        assert_eq!(failed.and_then(|r| r.cost), Some(Decimal::new(1, 3)));
        assert!(runs[0].notes.iter().any(|n| n.contains("prompt_id")));
    }

    #[test]
    fn generic_jsonl_groups_by_run_and_measures_duration() {
        let runs = ok("generic_runs.jsonl");
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].label, "r4");
        // Starts 100.0 and 100.5 with E2E 800 and 1,000 ms: span 101.5 − 100.0 = 1.5 s.
        assert!((runs[0].duration_seconds - 1.5).abs() < 1e-12);
        assert_eq!(runs[0].evidence.warmup_excluded, Some(true));
        assert_eq!(runs[0].requests.len(), 2);
        assert_eq!(runs[1].evidence.quality_gate_applied, Some(false));
        assert!(!runs[1].has_costs());
    }

    #[test]
    fn vllm_old_and_new_keys() {
        let old = ok("vllm_benchmark_serving.json");
        let r = &old[0];
        assert_eq!(r.request_rate, Some(4.0));
        assert_eq!(r.evidence.arrivals, Some(ArrivalProcess::Poisson));
        assert_eq!(r.requests.len(), 4);
        assert_eq!(r.requests.iter().filter(|q| q.success).count(), 3);
        // Request 0: ttft 0.2 s, gaps 0.02 + 0.03 + 0.01 = 0.06 s → E2E 260 ms; 4 output
        // tokens → TPOT (260 − 200) ÷ 3 = 20 ms.
        let q = &r.requests[0];
        assert!((q.e2e_ms.unwrap_or(0.0) - 260.0).abs() < 1e-9);
        assert!((q.tpot_ms.unwrap_or(0.0) - 20.0).abs() < 1e-9);
        assert!(r.notes.iter().any(|n| n.contains("0.750 req/s")));

        let new = ok("vllm_bench_serve.json");
        let r = &new[0];
        assert_eq!(r.request_rate, None);
        assert_eq!(r.evidence.arrivals, Some(ArrivalProcess::ClosedLoop));
        // latencies[1] = 1.5 s is used as E2E; output 51 tokens → TPOT (1,500 − 300) ÷ 50 = 24.
        assert!((r.requests[1].e2e_ms.unwrap_or(0.0) - 1500.0).abs() < 1e-9);
        assert!((r.requests[1].tpot_ms.unwrap_or(0.0) - 24.0).abs() < 1e-9);
        assert_eq!(r.requests[1].start_s, Some(10.25));
        // One output token: TPOT 0.
        assert_eq!(r.requests[2].tpot_ms, Some(0.0));
    }

    #[test]
    fn vllm_without_detail_is_refused() {
        let e = err("vllm_summary_only.json");
        assert_eq!(e.field, "ttfts");
        assert!(e.rule.contains("--save-detailed"));
        let e = err("vllm_bad_completed.json");
        assert_eq!(e.field, "completed");
    }

    #[test]
    fn guidellm_old_and_new_layouts() {
        let old = ok("guidellm_v03.json");
        assert_eq!(old.len(), 2);
        assert_eq!(old[0].evidence.arrivals, Some(ArrivalProcess::ClosedLoop));
        assert_eq!(old[1].request_rate, Some(2.5));
        assert_eq!(old[1].evidence.arrivals, Some(ArrivalProcess::Poisson));
        assert_eq!(old[1].evidence.warmup_excluded, Some(true));
        assert_eq!(old[1].requests.len(), 3);
        assert_eq!(old[1].requests[0].ttft_ms, Some(120.0));
        assert_eq!(old[1].requests[0].e2e_ms, Some(1500.0));

        let new = ok("guidellm_v05.json");
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].request_rate, Some(3.0));
        assert_eq!(new[0].duration_seconds, 2.0);
        assert_eq!(new[0].requests.iter().filter(|r| !r.success).count(), 2);
        assert!(new[0].notes.iter().any(|n| n.contains("evenly spaced")));
    }

    #[test]
    fn guidellm_sampled_report_keeps_the_tools_counts() {
        // sample_requests 2: both listed, and the totals say no more were made.
        let runs = ok("guidellm_sampled.json");
        assert_eq!(runs[0].requests.len(), 2);
        let real = ok("real/guidellm-0.8.1_poisson-5_sample5.derived.json");
        let r = &real[0];
        assert_eq!(r.requests.len(), 5);
        assert_eq!(
            r.totals,
            Some(RunTotals {
                successful: 40,
                failed: 0
            })
        );
        assert_eq!(r.attempts(), 40);
        assert_eq!(
            r.sample_note().as_deref(),
            Some("sampled: 5 of 40 requests")
        );
        assert!(r.notes.iter().any(|n| n.contains("metrics.request_totals")));
    }

    fn tokens(run: &LoadTestRun) -> (usize, usize, f64, f64) {
        let ok: Vec<&RunRequest> = run.requests.iter().filter(|r| r.success).collect();
        let sum = |f: fn(&RunRequest) -> Option<f64>| ok.iter().filter_map(|r| f(r)).sum();
        (
            run.requests.len(),
            ok.len(),
            sum(|r| r.input_tokens),
            sum(|r| r.output_tokens),
        )
    }

    #[test]
    fn real_vllm_files_read_every_request() {
        // Counts and token sums checked against the files' own `completed`, `failed`,
        // `total_input_tokens` and `total_output_tokens` (vLLM sums successful requests).
        let cases = [
            (
                "openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.json",
                (200, 196, 100_352.0, 25_080.0),
                Some(4.0),
                "vllm-4qps-20260412-101530",
            ),
            (
                "vllm-2.0qps-Llama-3.1-8B-Instruct-20250301-090000.json",
                (100, 96, 49_152.0, 12_431.0),
                Some(2.0),
                "vllm-2qps-20250301-090000",
            ),
            (
                "vllm-8.0qps-concurrency32-Llama-3.1-8B-Instruct-20260412-103002.json",
                (400, 400, 204_800.0, 50_408.0),
                Some(8.0),
                "vllm-8qps-c32-20260412-103002",
            ),
        ];
        for (name, counts, rate, id) in cases {
            let runs = ok(&format!("real/{name}"));
            assert_eq!(runs.len(), 1, "{name}");
            let r = &runs[0];
            assert_eq!(tokens(r), counts, "{name}");
            assert_eq!(r.request_rate, rate, "{name}");
            assert_eq!(r.run_id.as_deref(), Some(id), "{name}");
            assert_eq!(r.evidence.arrivals, Some(ArrivalProcess::Poisson));
        }
        // The legacy writer's goodput key keeps its colon.
        let legacy = ok("real/vllm-2.0qps-Llama-3.1-8B-Instruct-20250301-090000.json");
        assert!(legacy[0].notes.iter().any(|n| n.contains("1.758 req/s")));
    }

    #[test]
    fn real_vllm_refusals_name_the_field() {
        let e = err("real/openai-chat-4.0qps-Llama-3.1-8B-Instruct-20260412-101530.summary.json");
        assert_eq!(e.field, "ttfts");
        assert!(e.rule.contains("--save-detailed"), "{e}");
        let e = err("real/vllm-legacy_ttfts-too-long.derived.json");
        assert_eq!(e.field, "ttfts", "{e}");
        assert!(e.rule.contains("one entry per request (20), got 21"), "{e}");
        let e = err("real/vllm_e2e-below-ttft.derived.json");
        assert_eq!(e.field, "requests[0].e2e_ms", "{e}");
        assert!(e.rule.contains("must be ≥ ttft_ms"), "{e}");
    }

    #[test]
    fn vllm_append_result_lines_are_one_run_each() {
        let runs = ok("real/vllm-append-result_sweep.derived.json");
        assert_eq!(runs.len(), 3);
        let rates: Vec<Option<f64>> = runs.iter().map(|r| r.request_rate).collect();
        assert_eq!(rates, vec![Some(4.0), Some(8.0), None]);
        // "inf" is an unbounded rate: closed loop.
        assert_eq!(runs[2].evidence.arrivals, Some(ArrivalProcess::ClosedLoop));
        let ids: Vec<&str> = runs.iter().filter_map(|r| r.run_id.as_deref()).collect();
        assert_eq!(
            ids,
            vec![
                "vllm-4qps-20260412-110000",
                "vllm-8qps-20260412-110100",
                "vllm-inf-20260412-110200"
            ]
        );
        let sizes: Vec<usize> = runs.iter().map(|r| r.requests.len()).collect();
        assert_eq!(sizes, vec![40, 40, 60]);
        // A broken line is named.
        let text = fixture("real/vllm-append-result_sweep.derived.json");
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1] = "{\"ttfts\": [0.1], \"output_lens\": [\"x\"]}";
        let e = read_file("sweep.json", &lines.join("\n")).err();
        assert_eq!(e.map(|e| e.field), Some("line 2.output_lens[0]".to_owned()));
    }

    #[test]
    fn real_guidellm_reports_read_every_benchmark() {
        let runs = ok("real/guidellm-0.8.1_constant-2-4-8_benchmarks.json");
        let counts: Vec<_> = runs.iter().map(tokens).collect();
        // Listed requests (successful + incomplete) and prompt/output token sums of the
        // successful ones, summed from the file.
        assert_eq!(
            counts,
            vec![
                (13, 11, 363.0, 693.0),
                (25, 21, 693.0, 1229.0),
                (49, 42, 1298.0, 2526.0)
            ]
        );
        assert!(
            runs.iter()
                .all(|r| r.totals.is_none() && r.duration_seconds == 6.0)
        );
        assert_eq!(
            runs[0].run_id.as_deref(),
            Some("guidellm-constant-2qps-20261202-051618")
        );
        let poisson = ok("real/guidellm-0.8.1_poisson-5_benchmarks.json");
        assert_eq!(tokens(&poisson[0]), (40, 40, 1286.0, 2426.0));
        assert_eq!(poisson[0].request_rate, Some(5.0));
    }

    #[test]
    fn real_aiperf_records_with_the_0_13_summary() {
        let dir = "real/aiperf-0.13.0_poisson-rate4";
        let records = fixture(&format!("{dir}/profile_export.jsonl"));
        let summary = fixture(&format!("{dir}/profile_export_aiperf.json"));
        let run = read_aiperf(&records, Some(&summary), "profile_export.jsonl")
            .unwrap_or_else(|e| panic!("{e}"));
        // 33 records, 3 of the warm-up phase left out; totals as the summary's total_isl and
        // total_osl.
        assert_eq!(tokens(&run), (30, 30, 6000.0, 972.0));
        assert_eq!(run.request_rate, Some(4.0));
        assert_eq!(run.evidence.arrivals, Some(ArrivalProcess::Poisson));
        assert_eq!(run.evidence.warmup_excluded, Some(true));
        // The summary's benchmark_duration is 6.448 s.
        assert!((run.duration_seconds - 6.448).abs() < 1e-3);
        assert_eq!(
            run.run_id.as_deref(),
            Some("aiperf-poisson-4qps-20261202-052145")
        );
        assert!(run.notes.iter().any(|n| n.contains("input_config.phases")));
        // The summary alone is refused as aggregate-only.
        assert!(
            err(&format!("{dir}/profile_export_aiperf.json"))
                .rule
                .contains("per-request data")
        );
    }

    #[test]
    fn aiperf_records_and_summary() {
        let text = fixture("aiperf_profile_export.jsonl");
        let summary = fixture("aiperf_profile_export_aiperf.json");
        let run = read_aiperf(&text, Some(&summary), "aiperf").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.request_rate, Some(8.0));
        assert_eq!(run.evidence.arrivals, Some(ArrivalProcess::Poisson));
        assert_eq!(run.evidence.warmup_excluded, Some(true));
        // One warmup record is left out; one of three measured records failed.
        assert_eq!(run.requests.len(), 3);
        assert_eq!(run.requests.iter().filter(|r| !r.success).count(), 1);
        // Starts 1.0e9 ns, ends at most 1.9e9 ns: 0.9 s.
        assert!((run.duration_seconds - 0.9).abs() < 1e-9);
        // TTFT 255,000,000 ns → 255 ms.
        assert!((run.requests[1].ttft_ms.unwrap_or(0.0) - 255.0).abs() < 1e-9);
        let alone = ok("aiperf_profile_export.jsonl");
        assert_eq!(alone[0].request_rate, None);
        assert_eq!(alone[0].evidence.arrivals, None);
    }

    #[test]
    fn aggregate_only_exports_are_refused() {
        for name in [
            "aiperf_profile_export_aiperf.json",
            "genai_perf_summary.csv",
        ] {
            let e = err(name);
            assert!(e.rule.contains("per-request data"), "{name}: {e}");
        }
        assert_eq!(err("genai_perf_profile_export.json").field, "experiments");
    }

    #[test]
    fn malformed_rows_name_the_line_and_column() {
        let cases = [
            ("bad_number.csv", "line 4: ttft_ms", "must be a number"),
            ("short_row.csv", "line 3", "has 5 fields"),
            ("negative_latency.csv", "line 2: e2e_ms", "must be ≥ 0"),
            ("missing_tpot.csv", "line 2: tpot_ms", "is required"),
            ("partial_quality.csv", "run \"a\".requests", "quality_pass"),
            (
                "rate_changes.csv",
                "line 3: request_rate",
                "must be the same",
            ),
            ("no_status.csv", "line 2", "success or error"),
            ("bad_line.jsonl", "line 2", "not valid JSON"),
        ];
        for (name, field, rule) in cases {
            let e = err(&format!("malformed/{name}"));
            assert_eq!(e.field, field, "{name}: {e}");
            assert!(e.rule.contains(rule), "{name}: {e}");
        }
    }

    #[test]
    fn resolve_prefers_the_file_and_counts_silence_as_a_gap() {
        let evidence = MethodologyEvidence {
            arrivals: Some(ArrivalProcess::ClosedLoop),
            warmup_excluded: Some(true),
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        };
        let (m, notes) = evidence.resolve(None);
        assert_eq!(m.arrivals, ArrivalProcess::ClosedLoop);
        assert!(!m.cold_starts_included);
        assert!(m.tail_latency_recorded);
        assert!(!m.warm_cache && !m.retries_applied && !m.quality_gate_applied);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("warm cache: not recorded"))
        );
        let declared = Methodology {
            arrivals: ArrivalProcess::Poisson,
            warm_cache: true,
            cold_starts_included: true,
            retries_applied: true,
            tail_latency_recorded: true,
            quality_gate_applied: true,
        };
        let (m, notes) = evidence.resolve(Some(&declared));
        assert_eq!(m.arrivals, ArrivalProcess::ClosedLoop);
        assert!(m.warm_cache && m.retries_applied);
        assert!(!m.quality_gate_applied && !m.cold_starts_included);
        assert_eq!(notes.len(), 3, "{notes:?}");
    }

    #[test]
    fn validate_refuses_partial_costs_and_bad_durations() {
        let req = |cost: Option<Decimal>| RunRequest {
            start_s: None,
            success: true,
            ttft_ms: Some(1.0),
            tpot_ms: Some(1.0),
            e2e_ms: None,
            input_tokens: None,
            output_tokens: Some(10.0),
            quality_pass: None,
            cost,
        };
        let mut run = LoadTestRun {
            label: "x".into(),
            request_rate: Some(1.0),
            duration_seconds: 1.0,
            requests: vec![req(Some(Decimal::ONE)), req(None)],
            evidence: MethodologyEvidence::default(),
            source: SourceFormat::GenericCsv,
            notes: vec![],
            run_id: None,
            totals: None,
        };
        assert!(run.validate().is_err());
        run.requests[1].cost = Some(Decimal::ZERO);
        assert!(run.validate().is_ok());
        run.duration_seconds = 0.0;
        assert_eq!(
            run.validate().err().map(|e| e.field),
            Some("duration_seconds".into())
        );
        run.duration_seconds = 1.0;
        run.requests[0].output_tokens = Some(2.5);
        assert!(run.validate().is_err());
    }
}
