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
use crate::loadtest::csv::{self, CsvTable};

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
}

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
        Ok(())
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
    if let (Some(t), Some(e)) = (r.ttft_ms, r.e2e_ms)
        && e < t
    {
        return Err(bad(
            &field_path(at, "e2e_ms"),
            format!("must be ≥ ttft_ms ({t}), got {e}"),
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
// Generic CSV and JSONL.

const RUN: &[&str] = &["run_id", "run"];
const RATE: &[&str] = &["request_rate", "rate", "qps", "rps"];
const DURATION: &[&str] = &["duration_s", "duration_seconds"];
const START_S: &[&str] = &["start_time", "start_s", "start_time_s"];
const START_MS: &[&str] = &["start_ms", "start_time_ms"];
const TTFT: &[&str] = &["ttft_ms"];
const TPOT: &[&str] = &["tpot_ms", "itl_ms", "itl"];
const E2E: &[&str] = &["e2e_ms", "latency_ms", "e2e_latency_ms"];
const OUTPUT: &[&str] = &["output_tokens"];
const INPUT: &[&str] = &["input_tokens"];
const SUCCESS: &[&str] = &["success"];
const ERROR: &[&str] = &["error"];
const QUALITY: &[&str] = &["quality_pass"];
const COST: &[&str] = &["cost"];
const PHASE: &[&str] = &["phase"];
const ARRIVALS: &[&str] = &["arrivals", "arrival_process"];

const ALL_GENERIC: &[&[&str]] = &[
    RUN, RATE, DURATION, START_S, START_MS, TTFT, TPOT, E2E, OUTPUT, INPUT, SUCCESS, ERROR,
    QUALITY, COST, PHASE, ARRIVALS,
];

/// One row's lookup by column names.
trait Row {
    /// The first present name of `names` and its cell.
    fn get(&self, names: &[&str]) -> Option<(String, Cell<'_>)>;
}

struct CsvRow<'a> {
    table: &'a CsvTable,
    index: usize,
}

impl Row for CsvRow<'_> {
    fn get(&self, names: &[&str]) -> Option<(String, Cell<'_>)> {
        let col = self.table.column(names)?;
        let rec = self.table.records.get(self.index)?;
        Some((
            self.table.header.get(col)?.clone(),
            Cell::Text(rec.fields.get(col)?.as_str()),
        ))
    }
}

struct JsonRow<'a> {
    object: &'a Map<String, Value>,
}

impl Row for JsonRow<'_> {
    fn get(&self, names: &[&str]) -> Option<(String, Cell<'_>)> {
        names.iter().find_map(|n| {
            self.object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(k, v)| (k.clone(), Cell::Json(v)))
        })
    }
}

/// One row's values, before grouping into runs.
struct GenericRow {
    run: Option<String>,
    rate: Option<Rate>,
    duration: Option<f64>,
    arrivals: Option<ArrivalProcess>,
    warmup: bool,
    request: RunRequest,
}

fn read_row(row: &dyn Row, at: &str) -> InputResult<GenericRow> {
    let path = |name: &str| field_path(at, name);
    let num = |names: &[&str]| -> InputResult<Option<f64>> {
        match row.get(names) {
            Some((name, c)) => cell_f64(c, &path(&name)),
            None => Ok(None),
        }
    };
    let success = match (row.get(SUCCESS), row.get(ERROR)) {
        (Some((name, c)), _) => cell_bool(c, &path(&name))?
            .ok_or_else(|| bad(&path(&name), "is empty; write true or false"))?,
        (None, Some((_, c))) => cell_text(c).is_none(),
        (None, None) => {
            return Err(bad(
                at,
                "needs a success or error column: goodput counts failed requests too",
            ));
        }
    };
    let start_s = match num(START_S)? {
        Some(s) => Some(s),
        None => num(START_MS)?.map(|ms| ms / 1000.0),
    };
    let ttft_ms = num(TTFT)?;
    let e2e_ms = num(E2E)?;
    let output_tokens = num(OUTPUT)?;
    let tpot_ms = match num(TPOT)? {
        Some(t) => Some(t),
        None if success => derived_tpot(ttft_ms, e2e_ms, output_tokens),
        None => None,
    };
    let quality_pass = match row.get(QUALITY) {
        Some((name, c)) => cell_bool(c, &path(&name))?,
        None => None,
    };
    let cost = match row.get(COST) {
        Some((name, c)) => cell_decimal(c, &path(&name))?,
        None => None,
    };
    let request = RunRequest {
        start_s,
        success,
        ttft_ms,
        tpot_ms,
        e2e_ms,
        input_tokens: num(INPUT)?,
        output_tokens,
        quality_pass,
        cost,
    };
    let run = row.get(RUN).and_then(|(_, c)| cell_text(c));
    let rate = match row.get(RATE) {
        Some((name, c)) => cell_rate(c, &path(&name))?,
        None => None,
    };
    let duration = match row.get(DURATION) {
        Some((name, c)) => match cell_f64(c, &path(&name))? {
            Some(d) if d > 0.0 => Some(d),
            Some(d) => return Err(bad(&path(&name), format!("must be > 0, got {d}"))),
            None => None,
        },
        None => None,
    };
    let arrivals = match row.get(ARRIVALS) {
        Some((name, c)) => cell_arrivals(c, &path(&name))?,
        None => None,
    };
    let warmup = row
        .get(PHASE)
        .and_then(|(_, c)| cell_text(c))
        .is_some_and(|p| p.eq_ignore_ascii_case("warmup"));
    Ok(GenericRow {
        run,
        rate,
        duration,
        arrivals,
        warmup,
        request,
    })
}

/// A run being assembled from rows.
struct RunBuilder {
    key: String,
    run: Option<String>,
    rate: Option<Rate>,
    duration: Option<f64>,
    arrivals: Option<ArrivalProcess>,
    warmup_rows: usize,
    requests: Vec<RunRequest>,
    first_at: String,
}

fn rate_key(rate: Option<Rate>) -> String {
    match rate {
        Some(Rate::Finite(r)) => format!("{r}"),
        Some(Rate::Unbounded) => "inf".to_owned(),
        None => String::new(),
    }
}

fn rate_label(rate: Option<Rate>) -> String {
    match rate {
        Some(Rate::Finite(r)) => format!("{r} req/s"),
        Some(Rate::Unbounded) => "unbounded rate".to_owned(),
        None => "rate not recorded".to_owned(),
    }
}

fn group_rows(
    rows: Vec<(String, GenericRow)>,
    by_run: bool,
    source_name: &str,
) -> InputResult<Vec<RunBuilder>> {
    let mut runs: Vec<RunBuilder> = Vec::new();
    for (at, row) in rows {
        let key = if by_run {
            row.run.clone().ok_or_else(|| {
                bad(
                    &format!("{at}: run_id"),
                    "is empty; every row needs its run",
                )
            })?
        } else {
            rate_key(row.rate)
        };
        let idx = match runs.iter().position(|r| r.key == key) {
            Some(i) => i,
            None => {
                runs.push(RunBuilder {
                    key: key.clone(),
                    run: row.run.clone(),
                    rate: row.rate,
                    duration: row.duration,
                    arrivals: row.arrivals,
                    warmup_rows: 0,
                    requests: Vec::new(),
                    first_at: at.clone(),
                });
                runs.len() - 1
            }
        };
        let Some(b) = runs.get_mut(idx) else {
            continue;
        };
        let name = b.run.clone().unwrap_or_else(|| source_name.to_owned());
        if row.rate != b.rate {
            return Err(bad(
                &format!("{at}: request_rate"),
                format!(
                    "must be the same on every row of run {name:?}: {} then {}",
                    rate_key(b.rate),
                    rate_key(row.rate)
                ),
            ));
        }
        if row.duration != b.duration {
            return Err(bad(
                &format!("{at}: duration_s"),
                format!("must be the same on every row of run {name:?}"),
            ));
        }
        if row.arrivals != b.arrivals {
            return Err(bad(
                &format!("{at}: arrivals"),
                format!("must be the same on every row of run {name:?}"),
            ));
        }
        if row.warmup {
            b.warmup_rows += 1;
        } else {
            check_request(&row.request, &at)?;
            b.requests.push(row.request);
        }
    }
    Ok(runs)
}

/// The measurement window of requests with start times and E2E: last end − first start.
fn span_seconds(requests: &[RunRequest]) -> Option<f64> {
    let mut first = f64::INFINITY;
    let mut last = f64::NEG_INFINITY;
    for r in requests {
        if let Some(s) = r.start_s {
            first = first.min(s);
            last = last.max(s + r.e2e_ms.unwrap_or(0.0) / 1000.0);
        }
    }
    (first.is_finite() && last > first).then_some(last - first)
}

fn finish_generic(
    builders: Vec<RunBuilder>,
    source: SourceFormat,
    source_name: &str,
    phase_column: bool,
    ignored: &[String],
) -> InputResult<Vec<LoadTestRun>> {
    let mut runs = Vec::with_capacity(builders.len());
    for b in builders {
        let label = match (&b.run, b.rate) {
            (Some(id), _) => id.clone(),
            (None, Some(_)) => format!("{source_name} @ {}", rate_label(b.rate)),
            (None, None) => source_name.to_owned(),
        };
        if b.requests.is_empty() {
            return Err(bad(
                &b.first_at,
                format!("run {label:?} has no measured requests (only warmup rows)"),
            ));
        }
        let mut notes = Vec::new();
        if !ignored.is_empty() {
            notes.push(format!("Ignored columns: {}.", ignored.join(", ")));
        }
        let duration_seconds = match b.duration {
            Some(d) => d,
            None => {
                let span = span_seconds(&b.requests).ok_or_else(|| {
                    bad(
                        &b.first_at,
                        format!(
                            "run {label:?} needs duration_s, or start_time and e2e_ms on its rows to measure it"
                        ),
                    )
                })?;
                notes.push(format!(
                    "Duration {span:.3} s measured from the first start to the last end."
                ));
                span
            }
        };
        let quality = b
            .requests
            .iter()
            .any(|r| r.success && r.quality_pass.is_some());
        let arrivals = b.arrivals.or(match b.rate {
            Some(Rate::Unbounded) => Some(ArrivalProcess::ClosedLoop),
            _ => None,
        });
        if b.warmup_rows > 0 {
            notes.push(format!("{} warmup rows left out.", b.warmup_rows));
        }
        let run = LoadTestRun {
            label,
            request_rate: match b.rate {
                Some(Rate::Finite(r)) => Some(r),
                _ => None,
            },
            duration_seconds,
            requests: b.requests,
            evidence: MethodologyEvidence {
                arrivals,
                warmup_excluded: phase_column.then_some(b.warmup_rows > 0),
                tail_latency_recorded: Some(true),
                quality_gate_applied: Some(quality),
                ..MethodologyEvidence::default()
            },
            source,
            notes,
        };
        run.validate()
            .map_err(|e| e.within(&format!("run {:?}", run.label)))?;
        runs.push(run);
    }
    Ok(runs)
}

fn known_column(name: &str) -> bool {
    ALL_GENERIC
        .iter()
        .any(|names| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// Reads the generic per-request CSV; `source_name` labels runs without a run id.
///
/// Columns (names ignore case; the first listed alias present is used):
/// - `run_id` | `run`: groups rows into runs; else `request_rate` does; else one run;
/// - `request_rate` | `rate` | `qps` | `rps`: offered req/s, or `inf` for an unbounded
///   (closed-loop) run;
/// - `duration_s`: the run's measurement window; else last end − first start;
/// - `start_time` (s) | `start_ms`; `ttft_ms`; `tpot_ms` | `itl_ms` | `itl`; `e2e_ms` |
///   `latency_ms`; `input_tokens`; `output_tokens`;
/// - `success` (true/false, 1/0) or `error` (empty = success): one is required;
/// - `quality_pass` (optional); `cost` in dollars (optional);
/// - `phase` (optional; `warmup` rows are left out); `arrivals` (optional: `closed_loop`,
///   `poisson`, `constant`, `trace_replay`).
///
/// Other columns are ignored and named in the run's notes. A successful row needs TTFT and
/// TPOT (or E2E and output tokens to derive TPOT).
pub fn read_generic_csv(text: &str, source_name: &str) -> InputResult<Vec<LoadTestRun>> {
    // Summary exports start `Metric,avg,…` and hold several sections of different widths, so
    // they are recognised before the strict parse would refuse their ragged rows.
    let first_line = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if first_line.starts_with("metric,") && first_line.split(',').any(|c| c.trim() == "avg") {
        return Err(aggregate_only(
            "an AIPerf or GenAI-Perf summary CSV (one row per metric)",
        ));
    }
    let table = csv::parse(text)?;
    let ignored: Vec<String> = table
        .header
        .iter()
        .filter(|h| !known_column(h))
        .cloned()
        .collect();
    let by_run = table.column(RUN).is_some();
    let mut rows = Vec::with_capacity(table.records.len());
    for (index, rec) in table.records.iter().enumerate() {
        let at = format!("line {}", rec.line);
        let row = read_row(
            &CsvRow {
                table: &table,
                index,
            },
            &at,
        )?;
        rows.push((at, row));
    }
    if rows.is_empty() {
        return Err(bad("", "the file has a header but no requests"));
    }
    let builders = group_rows(rows, by_run, source_name)?;
    finish_generic(
        builders,
        SourceFormat::GenericCsv,
        source_name,
        table.column(PHASE).is_some(),
        &ignored,
    )
}

/// Reads generic JSON Lines: one object per line with the keys [`read_generic_csv`] lists.
pub fn read_generic_jsonl(text: &str, source_name: &str) -> InputResult<Vec<LoadTestRun>> {
    let mut rows = Vec::new();
    let mut ignored = BTreeSet::new();
    let mut by_run = false;
    let mut phase = false;
    for (i, line) in text.lines().enumerate() {
        let at = format!("line {}", i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| bad(&at, format!("is not valid JSON: {e}")))?;
        let Value::Object(object) = &value else {
            return Err(bad(&at, "must be a JSON object"));
        };
        for k in object.keys() {
            if !known_column(k) {
                ignored.insert(k.clone());
            }
        }
        let row = JsonRow { object };
        by_run |= row.get(RUN).is_some();
        phase |= row.get(PHASE).is_some();
        let parsed = read_row(&row, &at)?;
        rows.push((at, parsed));
    }
    if rows.is_empty() {
        return Err(bad("", "the file holds no requests"));
    }
    let ignored: Vec<String> = ignored.into_iter().collect();
    let builders = group_rows(rows, by_run, source_name)?;
    finish_generic(
        builders,
        SourceFormat::GenericJsonl,
        source_name,
        phase,
        &ignored,
    )
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
// vLLM.

fn vllm_seconds_list(root: &Value, key: &str, n: usize) -> InputResult<Option<Vec<Option<f64>>>> {
    let Some(items) = array(root, key)? else {
        return Ok(None);
    };
    if items.len() != n {
        return Err(bad(
            key,
            format!("must hold one entry per request ({n}), got {}", items.len()),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| json_f64(Some(v), &format!("{key}[{i}]")))
        .collect::<InputResult<Vec<_>>>()
        .map(Some)
}

fn vllm_percentile_key(key: &str) -> bool {
    key.strip_prefix('p').is_some_and(|rest| {
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        !digits.is_empty()
            && rest.get(digits.len()..).is_some_and(|t| t.starts_with('_'))
            && key.ends_with("_ms")
    })
}

/// Reads vLLM's saved serving benchmark (`--save-result`, with per-request detail).
///
/// Keys read: `ttfts`, `itls` (lists of gaps), `input_lens`, `output_lens`, `errors` (empty
/// string = success), `latencies` and `start_times` when present (newer files), all in seconds;
/// `duration`, `completed`, `failed`, `request_rate` (a number or `"inf"`), `burstiness`,
/// `max_concurrency`, and the tool's own `request_goodput` (older files spell it
/// `request_goodput:`). Without `latencies`, E2E is TTFT plus the sum of the request's gaps.
pub fn read_vllm(text: &str, label: &str) -> InputResult<LoadTestRun> {
    let root = parse_json(text)?;
    if !root.is_object() {
        return Err(bad("", "must be a JSON object"));
    }
    if present(root.get("ramp_up_strategy")).is_some() {
        return Err(bad(
            "ramp_up_strategy",
            "is set: the rate changed during the run, and a goodput point needs one constant rate",
        ));
    }
    let Some(ttfts) = array(&root, "ttfts")? else {
        return Err(bad(
            "ttfts",
            "is missing: the result was saved without per-request detail (vllm bench serve \
             --save-detailed); goodput needs each request's latencies, not the summary",
        ));
    };
    let n = ttfts.len();
    if n == 0 {
        return Err(bad("ttfts", "holds no requests"));
    }
    let ttft_s = vllm_seconds_list(&root, "ttfts", n)?.unwrap_or_default();
    let input = vllm_seconds_list(&root, "input_lens", n)?;
    let output = vllm_seconds_list(&root, "output_lens", n)?.ok_or_else(|| {
        bad(
            "output_lens",
            "is missing: TPOT needs each request's output tokens",
        )
    })?;
    let latencies = vllm_seconds_list(&root, "latencies", n)?;
    let starts = vllm_seconds_list(&root, "start_times", n)?;
    let itls = array(&root, "itls")?;
    if let Some(list) = itls
        && list.len() != n
    {
        return Err(bad(
            "itls",
            format!("must hold one entry per request ({n}), got {}", list.len()),
        ));
    }
    let errors = array(&root, "errors")?;
    if let Some(list) = errors
        && list.len() != n
    {
        return Err(bad(
            "errors",
            format!("must hold one entry per request ({n}), got {}", list.len()),
        ));
    }
    let completed = json_f64(root.get("completed"), "completed")?;
    let mut notes = Vec::new();
    let mut requests = Vec::with_capacity(n);
    for i in 0..n {
        let at = format!("requests[{i}]");
        let success = match errors.and_then(|e| e.get(i)) {
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Null) => true,
            Some(other) => {
                return Err(bad(
                    &format!("errors[{i}]"),
                    format!("must be a string, got {other}"),
                ));
            }
            None => match completed {
                Some(c) if c == n as f64 => true,
                _ => {
                    return Err(bad(
                        "errors",
                        "is missing and completed does not cover every request, so failed \
                         requests cannot be told apart",
                    ));
                }
            },
        };
        let ttft = ttft_s.get(i).copied().flatten().map(|s| s * 1000.0);
        let gaps: Option<f64> = match itls.and_then(|l| l.get(i)) {
            None | Some(Value::Null) => None,
            Some(Value::Array(g)) => Some(
                g.iter()
                    .enumerate()
                    .map(|(j, v)| {
                        json_f64(Some(v), &format!("itls[{i}][{j}]")).map(|x| x.unwrap_or(0.0))
                    })
                    .sum::<InputResult<f64>>()?,
            ),
            Some(_) => return Err(bad(&format!("itls[{i}]"), "must be a list of gaps")),
        };
        let e2e = match latencies.as_ref().and_then(|l| l.get(i).copied().flatten()) {
            Some(s) => Some(s * 1000.0),
            None if success => match (ttft, gaps) {
                (Some(t), Some(g)) => Some(t + g * 1000.0),
                _ => None,
            },
            None => None,
        };
        let output_tokens = output.get(i).copied().flatten();
        let request = RunRequest {
            start_s: starts.as_ref().and_then(|s| s.get(i).copied().flatten()),
            success,
            ttft_ms: if success { ttft } else { None },
            tpot_ms: if success {
                derived_tpot(ttft, e2e, output_tokens)
            } else {
                None
            },
            e2e_ms: if success { e2e } else { None },
            input_tokens: input.as_ref().and_then(|l| l.get(i).copied().flatten()),
            output_tokens,
            quality_pass: None,
            cost: None,
        };
        check_request(&request, &at)?;
        requests.push(request);
    }
    if latencies.is_none() {
        notes.push("E2E is TTFT plus the inter-token gaps (the file has no latencies).".to_owned());
    }
    let successes = requests.iter().filter(|r| r.success).count();
    if let Some(c) = completed
        && c != successes as f64
    {
        return Err(bad(
            "completed",
            format!("says {c} requests completed but the errors list marks {successes} successful"),
        ));
    }
    let duration_seconds = json_f64(root.get("duration"), "duration")?.ok_or_else(|| {
        bad(
            "duration",
            "is missing: the run's length is needed for rates",
        )
    })?;
    let rate = match present(root.get("request_rate")) {
        Some(v) => cell_rate(Cell::Json(v), "request_rate")?,
        None => None,
    };
    let burstiness = json_f64(root.get("burstiness"), "burstiness")?;
    let max_concurrency = json_f64(root.get("max_concurrency"), "max_concurrency")?;
    let arrivals = match rate {
        Some(Rate::Unbounded) => Some(ArrivalProcess::ClosedLoop),
        Some(Rate::Finite(_)) => {
            if let Some(b) = burstiness
                && b != 1.0
            {
                notes.push(format!(
                    "Open-loop arrivals with gamma-distributed gaps (burstiness {b}), not Poisson."
                ));
            }
            Some(ArrivalProcess::Poisson)
        }
        None => None,
    };
    if let (Some(Rate::Finite(_)), Some(c)) = (rate, max_concurrency) {
        notes.push(format!(
            "Client concurrency was capped at {c}: above it, arrivals waited at the client."
        ));
    }
    for key in ["request_goodput", "request_goodput:"] {
        if let Some(g) = json_f64(root.get(key), key)? {
            notes.push(format!(
                "vLLM reported its own goodput of {g:.3} req/s under its --goodput SLOs."
            ));
        }
    }
    let reported_tails = root
        .as_object()
        .is_some_and(|o| o.keys().any(|k| vllm_percentile_key(k)));
    if !reported_tails {
        notes.push(
            "The file reports no percentiles of its own; tails are computed from its requests."
                .to_owned(),
        );
    }
    let run = LoadTestRun {
        label: label.to_owned(),
        request_rate: match rate {
            Some(Rate::Finite(r)) => Some(r),
            _ => None,
        },
        duration_seconds,
        requests,
        evidence: MethodologyEvidence {
            arrivals,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::Vllm,
        notes,
    };
    run.validate()?;
    Ok(run)
}

// ---------------------------------------------------------------------------------------------
// GuideLLM.

fn guidellm_request(v: &Value, success: bool, at: &str) -> InputResult<RunRequest> {
    let f = |key: &str| json_f64(v.get(key), &format!("{at}.{key}"));
    let start_s = match f("request_start_time")? {
        Some(s) => Some(s),
        None => f("start_time")?,
    };
    let ttft = f("time_to_first_token_ms")?;
    let e2e = f("request_latency")?.map(|s| s * 1000.0);
    let output_tokens = f("output_tokens")?;
    let tpot = match f("inter_token_latency_ms")? {
        Some(t) => Some(t),
        None => derived_tpot(ttft, e2e, output_tokens),
    };
    let request = RunRequest {
        start_s,
        success,
        ttft_ms: if success { ttft } else { None },
        tpot_ms: if success { tpot } else { None },
        e2e_ms: if success { e2e } else { None },
        input_tokens: f("prompt_tokens")?,
        output_tokens,
        quality_pass: None,
        cost: None,
    };
    check_request(&request, at)?;
    Ok(request)
}

fn guidellm_count(v: Option<&Value>, status: &str) -> Option<usize> {
    present(v)
        .and_then(|t| t.get(status))
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn guidellm_benchmark(b: &Value, at: &str, label: &str) -> InputResult<LoadTestRun> {
    let config = present(b.get("config")).or(present(b.get("args")));
    let strategy = config
        .and_then(|c| present(c.get("strategy")))
        .ok_or_else(|| bad(&format!("{at}.config.strategy"), "is missing"))?;
    let kind = strategy
        .get("type_")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(&format!("{at}.config.strategy.type_"), "is missing"))?;
    let mut notes = Vec::new();
    let (rate, arrivals) = match kind {
        "poisson" | "constant" => {
            let r = json_f64(strategy.get("rate"), &format!("{at}.config.strategy.rate"))?
                .filter(|r| *r > 0.0)
                .ok_or_else(|| bad(&format!("{at}.config.strategy.rate"), "must be > 0"))?;
            if kind == "constant" {
                notes.push("Open-loop arrivals at evenly spaced times, not Poisson.".to_owned());
            }
            (Some(r), ArrivalProcess::Poisson)
        }
        "synchronous" | "concurrent" | "throughput" => (None, ArrivalProcess::ClosedLoop),
        other => {
            return Err(bad(
                &format!("{at}.config.strategy.type_"),
                format!("names a strategy this reader does not know: {other:?}"),
            ));
        }
    };
    let requests_v =
        present(b.get("requests")).ok_or_else(|| bad(&format!("{at}.requests"), "is missing"))?;
    let list = |status: &str| -> InputResult<&[Value]> {
        match present(requests_v.get(status)) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(_) => Err(bad(&format!("{at}.requests.{status}"), "must be a list")),
        }
    };
    let (ok, errored, incomplete) = (list("successful")?, list("errored")?, list("incomplete")?);
    // Sampled lists hold a subset of the requests; rates from them would be wrong.
    let totals = present(b.get("request_totals"))
        .or_else(|| at_path(b, &["scheduler_metrics", "requests_made"]));
    let complete = [
        ("successful", ok.len()),
        ("errored", errored.len()),
        ("incomplete", incomplete.len()),
    ]
    .iter()
    .all(|(status, held)| guidellm_count(totals, status) == Some(*held));
    let sample_size = config
        .and_then(|c| present(c.get("sample_requests")))
        .and_then(Value::as_u64);
    let sampled = present(b.get("request_samples")).is_some() || sample_size.is_some();
    if sampled && !complete {
        return Err(bad(
            &format!("{at}.requests"),
            format!(
                "holds a sample of the requests ({}), not all of them; goodput needs every \
                 request: rerun with --sample-requests none",
                sample_size.map_or("request_samples is set".to_owned(), |s| format!(
                    "sample_requests = {s}"
                ))
            ),
        ));
    }
    let mut requests = Vec::with_capacity(ok.len() + errored.len() + incomplete.len());
    for (status, items, success) in [
        ("successful", ok, true),
        ("errored", errored, false),
        ("incomplete", incomplete, false),
    ] {
        for (i, v) in items.iter().enumerate() {
            requests.push(guidellm_request(
                v,
                success,
                &format!("{at}.requests.{status}[{i}]"),
            )?);
        }
    }
    if !incomplete.is_empty() {
        notes.push(format!(
            "{} requests still in flight at the end are counted as failed attempts.",
            incomplete.len()
        ));
    }
    let duration_seconds = match json_f64(b.get("duration"), &format!("{at}.duration"))? {
        Some(d) => d,
        None => {
            let start = json_f64(b.get("start_time"), &format!("{at}.start_time"))?;
            let end = json_f64(b.get("end_time"), &format!("{at}.end_time"))?;
            match (start, end) {
                (Some(s), Some(e)) => e - s,
                _ => return Err(bad(&format!("{at}.duration"), "is missing")),
            }
        }
    };
    let warmup = match config {
        Some(c) => {
            let old = ["warmup_number", "warmup_duration"]
                .iter()
                .filter_map(|k| present(c.get(*k)).and_then(Value::as_f64))
                .any(|v| v > 0.0);
            let new = match present(c.get("warmup")) {
                Some(Value::Object(w)) => ["percent", "value"]
                    .iter()
                    .filter_map(|k| w.get(*k).and_then(Value::as_f64))
                    .any(|v| v > 0.0),
                Some(v) => v.as_f64().is_some_and(|x| x > 0.0),
                None => false,
            };
            Some(old || new)
        }
        None => None,
    };
    let run = LoadTestRun {
        label: match rate {
            Some(r) => format!("{label} {kind}@{r}"),
            None => format!("{label} {kind}"),
        },
        request_rate: rate,
        duration_seconds,
        requests,
        evidence: MethodologyEvidence {
            arrivals: Some(arrivals),
            warmup_excluded: warmup,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::GuideLlm,
        notes,
    };
    run.validate().map_err(|e| e.within(at))?;
    Ok(run)
}

/// Reads a GuideLLM report: one run per entry of `benchmarks`.
///
/// Per request: `time_to_first_token_ms`, `inter_token_latency_ms` (TPOT), `request_latency`
/// (seconds), `prompt_tokens`, `output_tokens`, `request_start_time` or `start_time`. The
/// strategy (`config.strategy` or, in older reports, `args.strategy`) gives the rate:
/// `poisson` and `constant` are open-loop at `rate`; `synchronous`, `concurrent` and
/// `throughput` are closed loop. Errored and incomplete requests are failed attempts.
pub fn read_guidellm(text: &str, label: &str) -> InputResult<Vec<LoadTestRun>> {
    let root = parse_json(text)?;
    let benchmarks = array(&root, "benchmarks")?
        .ok_or_else(|| bad("benchmarks", "is missing: not a GuideLLM report"))?;
    if benchmarks.is_empty() {
        return Err(bad("benchmarks", "holds no benchmarks"));
    }
    benchmarks
        .iter()
        .enumerate()
        .map(|(i, b)| guidellm_benchmark(b, &format!("benchmarks[{i}]"), label))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// AIPerf.

fn aiperf_ms(metrics: Option<&Value>, name: &str, at: &str) -> InputResult<Option<f64>> {
    let Some(m) = metrics.and_then(|m| present(m.get(name))) else {
        return Ok(None);
    };
    let field = field_path(at, &format!("metrics.{name}"));
    let value = json_f64(m.get("value"), &format!("{field}.value"))?;
    let scale = match m.get("unit").and_then(Value::as_str).unwrap_or("ms") {
        "ms" => 1.0,
        "ns" => 1e-6,
        "us" | "µs" => 1e-3,
        "s" | "sec" => 1000.0,
        "tokens" => 1.0,
        other => {
            return Err(bad(
                &format!("{field}.unit"),
                format!("must be ms, us, ns, sec or tokens, got {other:?}"),
            ));
        }
    };
    Ok(value.map(|v| v * scale))
}

/// Reads AIPerf's `profile_export.jsonl` (one record per request), and the load settings from
/// its `profile_export_aiperf.json` when `aggregate` is given.
///
/// Per record: `metrics.time_to_first_token`, `inter_token_latency` (TPOT), `request_latency`,
/// `input_sequence_length`, `output_sequence_length` (or `output_token_count`), each
/// `{value, unit}`; `metadata.request_start_ns` (or `timestamp_ns`) and `request_end_ns`;
/// `error` (non-null = failed). Records of the `warmup` phase (`benchmark_phase` or
/// `credit_phase`) are left out. From the summary, `input_config.loadgen.request_rate` is the
/// offered rate; a `concurrency` without a rate is a closed loop.
pub fn read_aiperf(jsonl: &str, aggregate: Option<&str>, label: &str) -> InputResult<LoadTestRun> {
    let mut requests = Vec::new();
    let mut warmups = 0usize;
    let (mut first_ns, mut last_ns) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, line) in jsonl.lines().enumerate() {
        let at = format!("line {}", i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let record: Value =
            serde_json::from_str(line).map_err(|e| bad(&at, format!("is not valid JSON: {e}")))?;
        let meta = present(record.get("metadata")).ok_or_else(|| {
            bad(
                &field_path(&at, "metadata"),
                "is missing: not an AIPerf record",
            )
        })?;
        let phase = meta
            .get("benchmark_phase")
            .or_else(|| meta.get("credit_phase"))
            .and_then(Value::as_str)
            .unwrap_or("profiling");
        if phase.eq_ignore_ascii_case("warmup") {
            warmups += 1;
            continue;
        }
        let metrics = present(record.get("metrics"));
        let cancelled = meta.get("was_cancelled").and_then(Value::as_bool) == Some(true);
        let success = present(record.get("error")).is_none() && !cancelled;
        let ttft = aiperf_ms(metrics, "time_to_first_token", &at)?;
        let e2e = aiperf_ms(metrics, "request_latency", &at)?;
        let output_tokens = match aiperf_ms(metrics, "output_sequence_length", &at)? {
            Some(n) => Some(n),
            None => aiperf_ms(metrics, "output_token_count", &at)?,
        };
        if success && ttft.is_none() {
            return Err(bad(
                &field_path(&at, "metrics.time_to_first_token"),
                "is missing: TTFT is recorded only for streaming runs (aiperf --streaming)",
            ));
        }
        let tpot = match aiperf_ms(metrics, "inter_token_latency", &at)? {
            Some(t) => Some(t),
            None => derived_tpot(ttft, e2e, output_tokens),
        };
        let start_ns = json_f64(
            meta.get("request_start_ns")
                .or_else(|| meta.get("timestamp_ns")),
            &field_path(&at, "metadata.request_start_ns"),
        )?;
        let end_ns = match json_f64(
            meta.get("request_end_ns"),
            &field_path(&at, "metadata.request_end_ns"),
        )? {
            Some(e) => Some(e),
            None => start_ns.zip(e2e).map(|(s, l)| s + l * 1e6),
        };
        if let Some(s) = start_ns {
            first_ns = first_ns.min(s);
        }
        if let Some(e) = end_ns {
            last_ns = last_ns.max(e);
        }
        let request = RunRequest {
            start_s: start_ns.map(|s| s / 1e9),
            success,
            ttft_ms: if success { ttft } else { None },
            tpot_ms: if success { tpot } else { None },
            e2e_ms: if success { e2e } else { None },
            input_tokens: match aiperf_ms(metrics, "input_sequence_length", &at)? {
                Some(n) => Some(n),
                None => aiperf_ms(metrics, "error_isl", &at)?,
            },
            output_tokens,
            quality_pass: None,
            cost: None,
        };
        check_request(&request, &at)?;
        requests.push(request);
    }
    if requests.is_empty() {
        return Err(bad("", "holds no measured records"));
    }
    if last_ns.partial_cmp(&first_ns) != Some(std::cmp::Ordering::Greater) {
        return Err(bad(
            "metadata.request_start_ns",
            "is missing: the run's length is measured from the records' start and end times",
        ));
    }
    let mut notes = Vec::new();
    if warmups > 0 {
        notes.push(format!("{warmups} warmup records left out."));
    }
    let mut rate = None;
    let mut arrivals = None;
    let mut warmup_excluded = (warmups > 0).then_some(true);
    match aggregate {
        Some(text) => {
            let root = parse_json(text).map_err(|e| e.within("profile_export_aiperf.json"))?;
            let loadgen = at_path(&root, &["input_config", "loadgen"]);
            let r = json_f64(
                loadgen.and_then(|l| l.get("request_rate")),
                "input_config.loadgen.request_rate",
            )?;
            let concurrency = loadgen.and_then(|l| present(l.get("concurrency")));
            let mode = loadgen
                .and_then(|l| l.get("request_rate_mode"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if let Some(r) = r.filter(|r| *r > 0.0) {
                rate = Some(r);
                arrivals = Some(ArrivalProcess::Poisson);
                if mode.contains("constant") {
                    notes
                        .push("Open-loop arrivals at evenly spaced times, not Poisson.".to_owned());
                }
            } else if concurrency.is_some() {
                arrivals = Some(ArrivalProcess::ClosedLoop);
            }
            if let Some(w) = json_f64(
                loadgen.and_then(|l| l.get("warmup_request_count")),
                "input_config.loadgen.warmup_request_count",
            )? {
                warmup_excluded = Some(w > 0.0 || warmups > 0);
            }
        }
        None => notes.push(
            "Request rate and load mode not known: they are in profile_export_aiperf.json."
                .to_owned(),
        ),
    }
    let run = LoadTestRun {
        label: label.to_owned(),
        request_rate: rate,
        duration_seconds: (last_ns - first_ns) / 1e9,
        requests,
        evidence: MethodologyEvidence {
            arrivals,
            warmup_excluded,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::AiPerf,
        notes,
    };
    run.validate()?;
    Ok(run)
}

// ---------------------------------------------------------------------------------------------
// Detection.

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
        return if aiperf {
            read_aiperf(text, None, label).map(|r| vec![r])
        } else {
            read_generic_jsonl(text, label)
        };
    }
    let root = parse_json(text)?;
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
    fn guidellm_sampled_report_is_refused() {
        let e = err("guidellm_sampled.json");
        assert_eq!(e.field, "benchmarks[0].requests");
        assert!(e.rule.contains("--sample-requests none"));
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
