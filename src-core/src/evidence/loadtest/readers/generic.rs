//! The generic per-request CSV and JSON Lines layouts.

use super::*;

const RUN: &[&str] = &["run_id", "run"];
pub(super) const RATE: &[&str] = &["request_rate", "rate", "qps", "rps"];
pub(super) const DURATION: &[&str] = &["duration_s", "duration_seconds"];
pub(super) const START_S: &[&str] = &["start_time", "start_s", "start_time_s"];
pub(super) const START_MS: &[&str] = &["start_ms", "start_time_ms"];
pub(super) const TTFT: &[&str] = &["ttft_ms"];
pub(super) const TPOT: &[&str] = &["tpot_ms", "itl_ms", "itl"];
pub(super) const E2E: &[&str] = &["e2e_ms", "latency_ms", "e2e_latency_ms"];
pub(super) const OUTPUT: &[&str] = &["output_tokens"];
pub(super) const INPUT: &[&str] = &["input_tokens"];
pub(super) const SUCCESS: &[&str] = &["success"];
pub(super) const ERROR: &[&str] = &["error"];
pub(super) const QUALITY: &[&str] = &["quality_pass"];
pub(super) const COST: &[&str] = &["cost"];
pub(super) const PHASE: &[&str] = &["phase"];
pub(super) const ARRIVALS: &[&str] = &["arrivals", "arrival_process"];

pub(super) const ALL_GENERIC: &[&[&str]] = &[
    RUN, RATE, DURATION, START_S, START_MS, TTFT, TPOT, E2E, OUTPUT, INPUT, SUCCESS, ERROR,
    QUALITY, COST, PHASE, ARRIVALS,
];

/// One row's lookup by column names.
pub(super) trait Row {
    /// The first present name of `names` and its cell.
    fn get(&self, names: &[&str]) -> Option<(String, Cell<'_>)>;
}

pub(super) struct CsvRow<'a> {
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

pub(super) struct JsonRow<'a> {
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
pub(super) struct GenericRow {
    run: Option<String>,
    rate: Option<Rate>,
    duration: Option<f64>,
    arrivals: Option<ArrivalProcess>,
    warmup: bool,
    request: RunRequest,
}

pub(super) fn read_row(row: &dyn Row, at: &str) -> InputResult<GenericRow> {
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
pub(super) struct RunBuilder {
    key: String,
    run: Option<String>,
    rate: Option<Rate>,
    duration: Option<f64>,
    arrivals: Option<ArrivalProcess>,
    warmup_rows: usize,
    requests: Vec<RunRequest>,
    first_at: String,
}

pub(super) fn rate_key(rate: Option<Rate>) -> String {
    match rate {
        Some(Rate::Finite(r)) => format!("{r}"),
        Some(Rate::Unbounded) => "inf".to_owned(),
        None => String::new(),
    }
}

pub(super) fn rate_label(rate: Option<Rate>) -> String {
    match rate {
        Some(Rate::Finite(r)) => format!("{r} req/s"),
        Some(Rate::Unbounded) => "unbounded rate".to_owned(),
        None => "rate not recorded".to_owned(),
    }
}

pub(super) fn group_rows(
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
pub(super) fn span_seconds(requests: &[RunRequest]) -> Option<f64> {
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

pub(super) fn finish_generic(
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
            run_id: None,
            totals: None,
        };
        run.validate()
            .map_err(|e| e.within(&format!("run {:?}", run.label)))?;
        runs.push(run);
    }
    Ok(runs)
}

pub(super) fn known_column(name: &str) -> bool {
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
