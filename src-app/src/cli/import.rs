//! `lcpr import traces FILE --into WORKSPACE`, `lcpr baseline WORKSPACE` and
//! `lcpr goodput WORKSPACE`: evidence from per-request traces and load tests.
//!
//! An import is all or nothing: the workspace file is rewritten atomically once every baseline
//! derived, or left untouched.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use lcpr_core::document::mapping::ColumnMapping;
use lcpr_core::document::{self, Baseline, Workspace};
use lcpr_core::evidence::traces::baseline::{
    BaselineDerivation, BaselineRefusal, derive_baselines,
};
use lcpr_core::evidence::traces::findings::{Finding, FindingRules, findings};
use lcpr_core::evidence::traces::{Format, Import, ImportOptions, Progress};
use lcpr_core::money::format_usd;
use serde::Serialize;

use super::decide::Output;
use super::table::{Align, Table};

/// The mapping named `name`: one saved in the workspace, or a built-in one.
pub fn mapping(
    ws: &Workspace,
    name: Option<&str>,
    format: Format,
) -> Result<ColumnMapping, String> {
    let builtin = |n: &str| match n {
        "canonical" => Some(ColumnMapping::canonical()),
        "otel_genai" => Some(ColumnMapping::otel_genai()),
        "provider_usage" => Some(ColumnMapping::provider_usage()),
        _ => None,
    };
    match name {
        None if format == Format::Otlp => Ok(ColumnMapping::otel_genai()),
        None if format == Format::ProviderUsage => Ok(ColumnMapping::provider_usage()),
        None => Ok(ColumnMapping::canonical()),
        Some(n) => ws.trace_mappings.iter().find(|m| m.name == n).cloned().or_else(|| builtin(n)).ok_or_else(|| {
            let saved: Vec<&str> = ws.trace_mappings.iter().map(|m| m.name.as_str()).collect();
            format!(
                "--mapping: no mapping {n:?}; built in: canonical, otel_genai; saved in the workspace: {}",
                if saved.is_empty() { "none".to_owned() } else { saved.join(", ") }
            )
        }),
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Rows read.
    pub rows_read: u64,
    /// Rows that broke a convention, counted and left out.
    pub rows_broken: u64,
    /// The first broken rows, with their row numbers.
    pub row_errors: Vec<String>,
    /// Every broken row's number, when `--skip-broken-rows` let the import go on without them.
    pub skipped_rows: Vec<u64>,
    /// Rows that repeated an earlier row exactly (same request id, attempt and values), dropped.
    pub duplicates_dropped: u64,
    /// Spans dropped because another span traced the same call (same response id).
    pub duplicate_spans: u64,
    /// Rows whose quality verdict was joined from `--evals` by request id.
    pub verdicts_joined: u64,
    /// Every trace model id and the rate card that priced it, and how it matched.
    pub model_matches: Vec<lcpr_core::evidence::traces::pricing::ModelMatch>,
    /// Baselines added, with their findings against the workload's previous baseline.
    pub baselines: Vec<ImportedBaseline>,
    /// Inputs taken from evidence that the new baselines moved.
    pub moved: Vec<lcpr_core::case::sources::Moved>,
    /// Inputs whose evidence no longer gives a value (they keep theirs).
    pub source_problems: Vec<String>,
}

/// One baseline added by an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedBaseline {
    /// The baseline.
    pub baseline: Baseline,
    /// Days covered.
    pub days: u32,
    /// Requests and accepted outputs.
    pub requests: u64,
    /// Accepted outputs.
    pub accepted: u64,
    /// Anomaly findings against the previous baseline of the workload.
    pub findings: Vec<Finding>,
    /// True when every percentile is exact rather than sketched within 1%.
    pub exact_percentiles: bool,
}

/// How `lcpr import traces` (and the GUI's trace import) reads a file and what it does with it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TraceFlags {
    /// A column mapping saved in the workspace, or canonical / otel_genai / provider_usage.
    #[arg(long)]
    pub mapping: Option<String>,
    /// Also set this reconciliation's trace cost and attempts from the trace's rows of its
    /// workload and period.
    #[arg(long)]
    pub reconciliation: Option<String>,
    /// Percentiles are exact while a workload-day holds at most this many values, else
    /// sketched within 1% (default 1000; 0 always sketches). Memory grows with it.
    #[arg(long)]
    pub exact_below: Option<usize>,
    /// Import the good rows when some are broken, and list each skipped row number
    /// (without it, one broken row refuses the whole file).
    #[arg(long)]
    pub skip_broken_rows: bool,
    /// The workload every row belongs to, whatever the mapping's workload rule says (for
    /// files that carry none: provider bodies, spans without lcpr.* attributes).
    #[arg(long)]
    pub workload: Option<String>,
    /// Import a file already imported into this workspace (same fingerprint) again.
    #[arg(long)]
    pub force: bool,
    /// The format, overriding the name and the content: csv, jsonl, otlp, provider_usage,
    /// parquet.
    #[arg(long, value_parser = Format::from_name)]
    pub format: Option<Format>,
    /// The day (YYYY-MM-DD, UTC) of records that carry no timestamp (Anthropic bodies).
    #[arg(long)]
    pub date: Option<lcpr_core::document::Date>,
    /// Quality verdicts to join by request id (a span's gen_ai.response.id, a body's id): an
    /// eval-results file (CSV or JSON Lines: request_id, result) for rows that carry none.
    #[arg(long)]
    pub evals: Option<PathBuf>,
}

impl TraceFlags {
    /// The reader's options these choices call for.
    #[must_use]
    pub fn import_options(&self) -> ImportOptions {
        let mut options = ImportOptions::default();
        if let Some(n) = self.exact_below {
            options.aggregate.exact_below = n;
        }
        if self.skip_broken_rows {
            // Every skipped row is listed, so every one is kept (halved: the list trims at 2×).
            options.aggregate.max_row_errors = usize::MAX / 4;
        }
        options
    }

    /// The format of `file`: `--format` when given, else what its name states, else what its
    /// first bytes show.
    pub fn format_of(&self, file: &Path) -> Result<Format, String> {
        self.format.map_or_else(|| Format::detect(file), Ok)
    }

    /// `mapping` with the constants these choices give: `--workload` (checked against the
    /// workspace's workloads) for every row, `--date` for records without a timestamp.
    pub fn apply_to(&self, ws: &Workspace, mapping: &mut ColumnMapping) -> Result<(), String> {
        use lcpr_core::document::mapping::CanonicalField;
        if let Some(w) = &self.workload {
            if ws.workload(w).is_none() {
                return Err(format!(
                    "--workload: names no workload {w:?}; the workspace has: {}",
                    workload_ids(ws)
                ));
            }
            mapping
                .constants
                .insert(CanonicalField::Workload, w.clone());
        }
        if let Some(d) = self.date {
            // Midnight UTC: a baseline's days are UTC days.
            mapping
                .constants
                .insert(CanonicalField::Timestamp, format!("{d}T00:00:00Z"));
        }
        Ok(())
    }
}

/// The pass/fail verdict by request id of an eval-results file.
fn read_verdicts(file: &Path) -> Result<lcpr_core::evidence::traces::aggregate::Verdicts, String> {
    let name = file.display().to_string();
    let f =
        std::fs::File::open(file).map_err(|e| format!("--evals {name}: cannot be read: {e}"))?;
    lcpr_core::evidence::joins::evals::read_eval_results(
        &name,
        lcpr_core::evidence::joins::csv::Format::from_file_name(&name),
        f,
    )
    .map(|r| r.verdicts)
    .map_err(|e| format!("--evals: {e}"))
}

/// A trace file read: its aggregate, what the reader noticed, and its fingerprint.
pub struct TraceRead {
    /// The rows, aggregated and priced.
    pub aggregate: lcpr_core::evidence::traces::aggregate::Aggregate,
    /// Spans dropped as a second trace of one call, and the like.
    pub notes: lcpr_core::evidence::traces::ReadNotes,
    /// The file's fingerprint, to tell a second import of it.
    pub fingerprint: String,
}

/// Reads `file` (whose [`trace_fingerprint`] the caller took, to refuse a second import
/// before reading it) as `format` with `mapping`, pricing from `cards`: the one read the CLI
/// and the GUI's background import share.
#[allow(clippy::too_many_arguments)] // each is one of the import's choices
pub fn read_trace(
    file: &Path,
    fingerprint: String,
    format: Format,
    mapping: &ColumnMapping,
    cards: &[lcpr_core::document::RateCard],
    flags: &TraceFlags,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<TraceRead, String> {
    let mut options = flags.import_options();
    if let Some(evals) = &flags.evals {
        options.verdicts = Some(std::sync::Arc::new(read_verdicts(evals)?));
    }
    let import = Import {
        format,
        mapping,
        cards,
        options,
    };
    let (aggregate, notes) = import
        .from_file_noted(file, progress, cancel)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(TraceRead {
        aggregate,
        notes,
        fingerprint,
    })
}

/// The fingerprint of a trace file, to tell a second import of it.
pub fn trace_fingerprint(file: &Path) -> Result<String, String> {
    let f = std::fs::File::open(file)
        .map_err(|e| format!("{}: cannot be read: {e}", file.display()))?;
    lcpr_core::content_hash::file_fingerprint(f)
        .map_err(|e| format!("{}: cannot be read: {e}", file.display()))
}

/// Refuses a file already imported into `ws` (a baseline records the same fingerprint) unless
/// `force`: its requests would be counted twice.
fn check_not_imported(
    ws: &Workspace,
    file: &Path,
    fingerprint: &str,
    force: bool,
) -> Result<(), String> {
    if force {
        return Ok(());
    }
    let earlier: Vec<&lcpr_core::document::Baseline> = ws
        .baselines
        .iter()
        .filter(|b| {
            b.source
                .as_ref()
                .is_some_and(|s| s.fingerprint == fingerprint)
        })
        .collect();
    let Some(first) = earlier.first() else {
        return Ok(());
    };
    let ids: Vec<&str> = earlier.iter().map(|b| b.id.as_str()).collect();
    let (from, on) = first
        .source
        .as_ref()
        .map_or((String::new(), String::new()), |s| {
            (s.file.clone(), s.imported_on.to_string())
        });
    Err(format!(
        "{}: nothing was imported: this file (fingerprint {fingerprint}) was already imported from {from} on {on} as baseline(s) {} — importing it again would count its requests twice; remove those baselines first, or pass --force (GUI: \"Import it again\") to import it anyway",
        file.display(),
        ids.join(", ")
    ))
}

/// Puts an imported trace into `ws` by the rules every face applies: broken rows refuse it
/// unless skipped (then listed), a file already imported is refused unless forced, a trace
/// with no row for any workload says why, and the new baselines record their source. On a
/// refusal `ws` is unchanged.
pub fn apply_trace_import(
    ws: &mut Workspace,
    file: &Path,
    base: Option<&Path>,
    mapping: &ColumnMapping,
    read: &TraceRead,
    flags: &TraceFlags,
) -> Result<ImportReport, String> {
    let (agg, fingerprint) = (&read.aggregate, read.fingerprint.as_str());
    // No good row at all is told first: the mapping's workload rule to fix when that is what
    // failed, else the rule every row broke.
    if agg.workloads.is_empty() {
        return Err(match agg.row_errors.iter().min_by_key(|e| e.row) {
            Some(e) if e.column != "workload" && !e.column.ends_with("(workload)") => format!(
                "{}: nothing was imported: none of {} rows could be read; {e}",
                file.display(),
                agg.rows_read
            ),
            _ => no_workload_rows(file, ws, mapping, agg),
        });
    }
    check_broken_rows(file, agg, flags.skip_broken_rows)?;
    check_not_imported(ws, file, fingerprint, flags.force)?;
    let today = lcpr_core::document::Date::today().ok_or("the system clock is before 1970")?;
    let source = lcpr_core::document::EvidenceSource {
        kind: lcpr_core::document::EvidenceKind::Traces,
        file: lcpr_core::evidence::joins::workspace_import::recorded_path(file, base),
        fingerprint: fingerprint.to_owned(),
        records: agg.rows_read,
        imported_on: today,
    };
    let mut next = ws.clone();
    let mut report = add_baselines(&mut next, agg)?;
    let first_new = ws.baselines.len();
    for b in next.baselines.iter_mut().skip(first_new) {
        b.source = Some(source.clone());
    }
    for b in &mut report.baselines {
        b.baseline.source = Some(source.clone());
    }
    report.duplicate_spans = read.notes.duplicate_spans;
    report.model_matches = lcpr_core::evidence::traces::pricing::matches_made(agg, &ws.rate_cards);
    if flags.skip_broken_rows {
        report.skipped_rows = agg.row_errors.iter().map(|e| e.row).collect();
        report.skipped_rows.dedup();
    }
    if let Some(id) = &flags.reconciliation {
        set_trace_side(&mut next, id, agg, file, base)?;
    }
    let moved = lcpr_core::case::sources::refresh(&mut next);
    report.moved = moved.moved;
    report.source_problems = moved.problems;
    *ws = next;
    Ok(report)
}

fn workload_ids(ws: &Workspace) -> String {
    let ids: Vec<&str> = ws.workloads.iter().map(|w| w.id.as_str()).collect();
    if ids.is_empty() {
        "no workloads".to_owned()
    } else {
        ids.join(", ")
    }
}

/// Why a trace gave no row to any workload: the mapping's workload rule, what the rows had,
/// the workspace's workloads and the fix.
fn no_workload_rows(
    file: &Path,
    ws: &Workspace,
    mapping: &ColumnMapping,
    agg: &lcpr_core::evidence::traces::aggregate::Aggregate,
) -> String {
    use lcpr_core::document::mapping::CanonicalField;
    let rule = match mapping.constants.get(&CanonicalField::Workload) {
        Some(c) => format!("the constant {c:?}"),
        None => {
            let cols: Vec<&str> = mapping
                .columns
                .iter()
                .filter(|c| c.field == CanonicalField::Workload)
                .map(|c| c.source.as_str())
                .collect();
            format!("the column(s) {}", cols.join(", "))
        }
    };
    let found = agg.row_errors.first().map_or_else(
        || "the file has no data rows".to_owned(),
        |e| format!("first broken row: {e}"),
    );
    format!(
        "{}: nothing was imported: the trace has no rows for any workload — mapping {:?} takes the workload from {rule}, which gave none of {} rows ({found}); the workspace's workloads: {} — pass --workload ID, or a --mapping that names the file's workload field",
        file.display(),
        mapping.name,
        agg.rows_read,
        workload_ids(ws)
    )
}

/// Refuses an import with broken rows unless `skip` allows leaving them out.
fn check_broken_rows(
    file: &Path,
    agg: &lcpr_core::evidence::traces::aggregate::Aggregate,
    skip: bool,
) -> Result<(), String> {
    if agg.rows_broken == 0 || skip {
        return Ok(());
    }
    let shown: Vec<String> = agg
        .row_errors
        .iter()
        .take(5)
        .map(|e| e.to_string())
        .collect();
    Err(format!(
        "{}: nothing was imported: {} of {} rows are broken ({}{}) — repair them, or pass --skip-broken-rows to import the others and list the rows left out",
        file.display(),
        agg.rows_broken,
        agg.rows_read,
        shown.join("; "),
        if agg.rows_broken > shown.len() as u64 {
            "; …"
        } else {
            ""
        }
    ))
}

/// Imports a trace into a workspace; on success the workspace file holds the new baselines
/// and, when `flags.reconciliation` names one, that reconciliation's trace cost and attempts
/// for its period.
pub fn import_traces(
    file: &Path,
    into: &Path,
    flags: &TraceFlags,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(Workspace, ImportReport), String> {
    let mapping_name = flags.mapping.as_deref();
    let _lock =
        document::WorkspaceLock::acquire(into, "lcpr import traces").map_err(|e| e.to_string())?;
    let mut ws = document::load(into).map_err(|e| e.to_string())?;
    let format = flags.format_of(file)?;
    let mut mapping = mapping(&ws, mapping_name, format)?;
    flags.apply_to(&ws, &mut mapping)?;
    // Fingerprinted first: a file imported before is refused without reading it twice.
    let fingerprint = trace_fingerprint(file)?;
    check_not_imported(&ws, file, &fingerprint, flags.force)?;
    let read = read_trace(
        file,
        fingerprint,
        format,
        &mapping,
        &ws.rate_cards,
        flags,
        progress,
        cancel,
    )?;
    let report = apply_trace_import(&mut ws, file, into.parent(), &mapping, &read, flags)?;
    document::save(&ws, into).map_err(|e| e.to_string())?;
    Ok((ws, report))
}

/// Sets reconciliation `id`'s trace cost and attempts from an imported trace and records the
/// file among its sources; on a refusal `ws` is unchanged.
pub fn set_trace_side(
    ws: &mut Workspace,
    id: &str,
    agg: &lcpr_core::evidence::traces::aggregate::Aggregate,
    file: &Path,
    base: Option<&Path>,
) -> Result<(), String> {
    let today = lcpr_core::document::Date::today().ok_or("the system clock is before 1970")?;
    let (i, r) = ws
        .reconciliations
        .iter_mut()
        .enumerate()
        .find(|(_, r)| r.id == id)
        .ok_or_else(|| format!("--reconciliation: names no reconciliation {id:?}"))?;
    let source = lcpr_core::evidence::joins::workspace_import::source_of_file(
        lcpr_core::document::EvidenceKind::Traces,
        file,
        base,
        agg.rows_read,
        today,
    )
    .map_err(|e| e.to_string())?;
    let mut updated = lcpr_core::evidence::joins::evidence::apply_traces(r, agg)
        .map_err(|e| format!("reconciliations[{i}].{e}"))?;
    lcpr_core::evidence::joins::evidence::record_source(&mut updated, source);
    *r = updated;
    Ok(())
}

/// Derives a baseline per workload from an imported aggregate and adds them to `ws`, with
/// their findings against each workload's previous baseline. All or nothing: on any refusal
/// (an unpriced model, a workload the workspace lacks, a repeated id) `ws` is unchanged.
pub fn add_baselines(
    ws: &mut Workspace,
    agg: &lcpr_core::evidence::traces::aggregate::Aggregate,
) -> Result<ImportReport, String> {
    let derived = derive_baselines(agg, ws);
    let mut refusals = Vec::new();
    let mut added: Vec<(BaselineDerivation, Vec<Finding>)> = Vec::new();
    for (workload, result) in derived {
        match result {
            Ok(d) => {
                let previous = ws
                    .baselines
                    .iter()
                    .filter(|b| b.workload == workload && b.captured_on < d.baseline.captured_on)
                    .max_by_key(|b| b.captured_on);
                let found = match (previous, ws.workload(&workload)) {
                    (Some(p), Some(w)) => findings(p, &d.baseline, w, &FindingRules::default())
                        .map_err(|e| e.to_string())?,
                    _ => Vec::new(),
                };
                added.push((d, found));
            }
            Err(e @ BaselineRefusal::Unpriced(_)) | Err(e @ BaselineRefusal::Input(_)) => {
                refusals.push(format!("{workload}: {e}"))
            }
        }
    }
    if !refusals.is_empty() {
        return Err(format!("nothing was imported: {}", refusals.join("; ")));
    }
    if added.is_empty() {
        return Err("nothing was imported: the trace has no rows for any workload".to_owned());
    }
    if let Some((d, _)) = added
        .iter()
        .find(|(d, _)| ws.baselines.iter().any(|b| b.id == d.baseline.id))
    {
        return Err(format!(
            "nothing was imported: the workspace already has baseline {:?}",
            d.baseline.id
        ));
    }
    ws.baselines
        .extend(added.iter().map(|(d, _)| d.baseline.clone()));
    Ok(ImportReport {
        rows_read: agg.rows_read,
        rows_broken: agg.rows_broken,
        row_errors: agg
            .row_errors
            .iter()
            .take(20)
            .map(|e| e.to_string())
            .collect(),
        skipped_rows: Vec::new(),
        duplicates_dropped: agg.duplicates_dropped,
        duplicate_spans: 0,
        verdicts_joined: agg.verdicts_joined,
        model_matches: Vec::new(),
        baselines: added
            .into_iter()
            .map(|(d, f)| ImportedBaseline {
                baseline: d.baseline,
                days: d.days,
                requests: d.requests,
                accepted: d.accepted,
                exact_percentiles: d.exact_percentiles,
                findings: f,
            })
            .collect(),
        moved: Vec::new(),
        source_problems: Vec::new(),
    })
}

/// The inputs an import moved, one line each, and those whose evidence went silent.
#[must_use]
pub fn moved_text(moved: &[lcpr_core::case::sources::Moved], problems: &[String]) -> String {
    let mut out = String::new();
    for m in moved {
        out.push_str(&format!("  input moved: {}\n", m.sentence()));
    }
    for p in problems {
        out.push_str(&format!("  input kept its value: {p}\n"));
    }
    out
}

/// A share as a percentage, or "not measured" when the evidence carried none.
fn share_or_not_measured(v: Option<f64>) -> String {
    v.map_or_else(
        || "not measured".to_owned(),
        |v| format!("{:.1}%", v * 100.0),
    )
}

/// The text form of an import report.
#[must_use]
pub fn report_text(into: &Path, r: &ImportReport) -> String {
    let mut out = format!(
        "{} rows read, {} broken rows counted and left out; {} baseline(s) added to {}\n",
        r.rows_read,
        r.rows_broken,
        r.baselines.len(),
        into.display()
    );
    if r.duplicates_dropped > 0 {
        out.push_str(&format!(
            "  {} row(s) repeated an earlier row exactly (same request id, attempt and values) and were dropped, not counted twice\n",
            r.duplicates_dropped
        ));
    }
    if !r.skipped_rows.is_empty() {
        let rows: Vec<String> = r.skipped_rows.iter().map(u64::to_string).collect();
        out.push_str(&format!(
            "  skipped (--skip-broken-rows): rows {}\n",
            rows.join(", ")
        ));
    }
    if r.duplicate_spans > 0 {
        out.push_str(&format!(
            "  {} span(s) traced a call another span already traced (same gen_ai.response.id) and were counted once\n",
            r.duplicate_spans
        ));
    }
    if r.verdicts_joined > 0 {
        out.push_str(&format!(
            "  {} row(s) took their quality verdict from the eval results (joined by request id)\n",
            r.verdicts_joined
        ));
    }
    for e in &r.row_errors {
        out.push_str(&format!("  {e}\n"));
    }
    out.push_str(&moved_text(&r.moved, &r.source_problems));
    for m in &r.model_matches {
        out.push_str(&format!(
            "  priced {} / {} by rate card {} ({}, {}): {} row(s)\n",
            m.provider,
            m.model,
            m.rate_card,
            m.card_model,
            m.kind.name(),
            m.rows
        ));
    }
    for b in &r.baselines {
        let m = &b.baseline.metrics;
        out.push_str(&format!(
            "{}: {} over {} day(s): LCPR {}, pass rate {}, TTFT p50/p95/p99 {}, cache hit {:.1}%, {} requests, {} accepted{}\n",
            b.baseline.id,
            b.baseline.workload,
            b.days,
            format_usd(lcpr_core::money::to_f64(m.lcpr), 4),
            share_or_not_measured(m.gate_pass_rate),
            m.ttft_ms.map_or_else(
                || "not measured".to_owned(),
                |q| format!(
                    "{:.0}/{:.0}/{:.0} ms ({})",
                    q.p50,
                    q.p95,
                    q.p99,
                    if b.exact_percentiles {
                        "exact"
                    } else {
                        "sketched within 1%"
                    }
                )
            ),
            m.cache_hit_rate * 100.0,
            b.requests,
            b.accepted,
            if m.gate_pass_rate.is_none() {
                " (every completed request until eval results are joined: --evals)"
            } else {
                ""
            }
        ));
        for f in &b.findings {
            out.push_str(&format!("  finding: {}\n", f.message));
        }
    }
    out
}

/// Every baseline per workload, oldest first, with the findings between consecutive ones.
pub fn baseline(ws: &Workspace) -> Result<Output, String> {
    let mut table = Table::new(&[
        ("baseline", Align::Left),
        ("workload", Align::Left),
        ("captured", Align::Left),
        ("LCPR", Align::Right),
        ("pass", Align::Right),
        ("TTFT p95", Align::Right),
        ("cache hit", Align::Right),
        ("requests/day", Align::Right),
    ]);
    let mut sorted: Vec<&Baseline> = ws.baselines.iter().collect();
    sorted.sort_by(|a, b| {
        a.workload
            .cmp(&b.workload)
            .then(a.captured_on.cmp(&b.captured_on))
    });
    let mut all_findings = Vec::new();
    for (i, b) in sorted.iter().enumerate() {
        table.row(vec![
            b.id.clone(),
            b.workload.clone(),
            b.captured_on.to_string(),
            format_usd(lcpr_core::money::to_f64(b.metrics.lcpr), 4),
            share_or_not_measured(b.metrics.gate_pass_rate),
            b.metrics
                .ttft_ms
                .map_or_else(|| "not measured".to_owned(), |q| format!("{:.0} ms", q.p95)),
            format!("{:.1}%", b.metrics.cache_hit_rate * 100.0),
            lcpr_core::report::memo::format::count(b.metrics.requests_per_day),
        ]);
        if let Some(prev) = i
            .checked_sub(1)
            .and_then(|j| sorted.get(j))
            .filter(|p| p.workload == b.workload)
            && let Some(w) = ws.workload(&b.workload)
        {
            for f in findings(prev, b, w, &FindingRules::default()).map_err(|e| e.to_string())? {
                all_findings.push((prev.id.clone(), b.id.clone(), f));
            }
        }
    }
    let mut text = format!("Baselines\n{}\n", table.render());
    if all_findings.is_empty() {
        text.push_str("No anomaly between consecutive baselines.\n");
    }
    for (a, b, f) in &all_findings {
        text.push_str(&format!("{a} → {b}: {}\n", f.message));
    }
    let json = serde_json::json!({
        "baselines": sorted,
        "findings": all_findings.iter().map(|(a, b, f)| serde_json::json!({"previous": a, "current": b, "finding": f})).collect::<Vec<_>>(),
    });
    Ok(Output { json, text })
}

/// Goodput of every load test under its workload's SLOs and gate, with the method's gaps.
pub fn goodput(ws: &Workspace) -> Result<Output, String> {
    let eval = lcpr_core::case::evaluation::evaluate(ws);
    let mut table = Table::new(&[
        ("load test", Align::Left),
        ("requests", Align::Right),
        ("throughput/s", Align::Right),
        ("goodput/s", Align::Right),
        ("cost/accepted", Align::Right),
        ("TTFT p99", Align::Right),
    ]);
    for l in &eval.load_tests {
        match &l.goodput {
            Some(g) => table.row(vec![
                l.name.clone(),
                g.total_requests.to_string(),
                format!("{:.1}", g.throughput_rate),
                format!("{:.1}", g.goodput_rate),
                g.cost_per_accepted
                    .map_or("—".to_owned(), |v| format_usd(v, 4)),
                format!("{:.0} ms", g.ttft_ms.p99),
            ]),
            None => table.row(vec![
                l.name.clone(),
                format!("error: {}", l.error.as_deref().unwrap_or("?")),
            ]),
        }
    }
    let mut text = if eval.load_tests.is_empty() {
        "No load tests in this workspace.\n".to_owned()
    } else {
        format!(
            "Goodput under each workload's SLOs and quality gate\n{}\n",
            table.render()
        )
    };
    for l in &eval.load_tests {
        for gap in &l.methodology_gaps {
            text.push_str(&format!("  {}: {gap}\n", l.id));
        }
    }
    let json = serde_json::to_value(&eval.load_tests).map_err(|e| e.to_string())?;
    Ok(Output { json, text })
}

/// What `lcpr import loadtest` may say besides the file: an id for the load test(s) and the
/// AIPerf summary to read the load settings from.
#[derive(Debug, Clone, Default)]
pub struct LoadTestOptions {
    /// The id to give the load test (`ID-1`, `ID-2`, … for a file of several runs); also
    /// names the series.
    pub id: Option<String>,
    /// AIPerf's `profile_export_aiperf.json`; by default the one beside the records file.
    pub summary: Option<PathBuf>,
    /// The scenario whose route was tested.
    pub scenario: Option<String>,
    /// GPUs that served the tested deployment.
    pub gpus: Option<f64>,
}

/// What `lcpr import loadtest` added.
#[derive(Debug, Clone)]
pub struct LoadTestsAdded {
    /// The load tests' ids.
    pub ids: Vec<String>,
    /// Their sweep under the workload's SLOs.
    pub sweep: lcpr_core::evidence::loadtest::sweep::Sweep,
    /// The inputs the tests moved: the tested route's throughput when it takes its value
    /// from them.
    pub sources: lcpr_core::case::sources::Refresh,
}

/// Reads a load-test file and adds one load test per run to `ws` for `workload`, with the
/// goodput sweep under the workload's SLOs; refuses a repeated id and leaves `ws` unchanged on
/// any refusal.
pub fn add_load_tests(
    ws: &mut Workspace,
    file: &Path,
    workload: &str,
) -> Result<LoadTestsAdded, String> {
    add_load_tests_with(ws, file, workload, &LoadTestOptions::default())
}

/// AIPerf's summary for a records file: the one named, else `profile_export_aiperf.json`
/// beside it (AIPerf always writes both there), else none.
fn aiperf_summary(file: &Path, named: Option<&Path>) -> Result<Option<(String, String)>, String> {
    let path = match named {
        Some(p) => p.to_path_buf(),
        None => {
            let beside = file
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("profile_export_aiperf.json");
            if !beside.is_file() {
                return Ok(None);
            }
            beside
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("--summary {}: cannot be read: {e}", path.display()))?;
    Ok(Some((path.display().to_string(), text)))
}

/// [`add_load_tests`] with an id and an AIPerf summary. Ids come from the run itself (tool,
/// rate or concurrency, date), else the file name; `--id` overrides.
pub fn add_load_tests_with(
    ws: &mut Workspace,
    file: &Path,
    workload: &str,
    opts: &LoadTestOptions,
) -> Result<LoadTestsAdded, String> {
    use lcpr_core::evidence::loadtest::readers;
    if let Some(s) = &opts.scenario {
        let sc = ws
            .scenario(s)
            .ok_or_else(|| format!("--scenario: names no scenario {s:?}"))?;
        if sc.workload != workload {
            return Err(format!(
                "--scenario: scenario {s:?} serves workload {:?}, not --workload {workload:?}",
                sc.workload
            ));
        }
    }
    if let Some(g) = opts.gpus
        && !(g.is_finite() && g > 0.0)
    {
        return Err(format!(
            "--gpus: must be a positive number of GPUs, got {g}"
        ));
    }
    let w = ws
        .workload(workload)
        .cloned()
        .ok_or_else(|| format!("--workload: names no workload {workload:?}"))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot be read: {e}", file.display()))?;
    let is_aiperf = readers::is_aiperf_records(&name, &text);
    if opts.summary.is_some() && !is_aiperf {
        return Err(format!(
            "--summary: {name} is not an AIPerf profile_export.jsonl; the summary is read only \
             beside AIPerf records"
        ));
    }
    let runs = if is_aiperf {
        let summary = aiperf_summary(file, opts.summary.as_deref())?;
        let run = readers::read_aiperf(&text, summary.as_ref().map(|(_, t)| t.as_str()), &name)
            .map_err(|e| match &summary {
                Some((path, _))
                    if e.field.starts_with("input_config")
                        || e.field.starts_with("profile_export_aiperf") =>
                {
                    format!("{path}: {e}")
                }
                _ => format!("{name}: {e}"),
            })?;
        vec![run]
    } else {
        readers::read_file(&name, &text).map_err(|e| format!("{name}: {e}"))?
    };
    let sweep = lcpr_core::evidence::loadtest::sweep::sweep(
        &lcpr_core::evidence::loadtest::sweep::SweepInput::for_workload(runs.clone(), &w),
    )
    .map_err(|e| format!("{name}: {e}"))?;
    // The file name without its last extension: `…-4.0qps-…` keeps its dots, so two files
    // of one sweep stay apart.
    let stem = file
        .file_stem()
        .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
    let series = opts.id.clone().unwrap_or(stem.clone());
    let mut updated = ws.clone();
    let mut ids: Vec<String> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let base = match (&opts.id, &run.run_id) {
            (Some(id), _) if runs.len() == 1 => id.clone(),
            (Some(id), _) => format!("{id}-{}", i + 1),
            (None, Some(id)) => id.clone(),
            (None, None) if runs.len() == 1 => stem.clone(),
            (None, None) => format!("{stem}-{}", i + 1),
        };
        // Two runs of one file that say the same about themselves are told apart by order.
        let mut id = base.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        if updated.load_tests.iter().any(|t| t.id == id) {
            return Err(format!(
                "nothing was imported: the workspace already has load test {id:?} (this run \
                 may already be imported); give another id with --id"
            ));
        }
        let mut test =
            lcpr_core::evidence::loadtest::sweep::load_test_of(run, id.clone(), workload, &series);
        test.scenario.clone_from(&opts.scenario);
        test.gpus = opts.gpus;
        updated.load_tests.push(test);
        ids.push(id);
    }
    let sources = bind_tested_capacity(&mut updated, opts, ids.first())?;
    if let Some(v) = document::validate(&updated).into_iter().next() {
        return Err(format!("nothing was imported: {v}"));
    }
    *ws = updated;
    Ok(LoadTestsAdded {
        ids,
        sweep,
        sources,
    })
}

/// A load test of a GPU route that says how many GPUs it ran on sets the capacity of that
/// route's rate card (its throughput takes its value from the test, replacing a typed one);
/// then every input taken from evidence is refreshed. The report lists what moved.
fn bind_tested_capacity(
    ws: &mut Workspace,
    opts: &LoadTestOptions,
    first: Option<&String>,
) -> Result<lcpr_core::case::sources::Refresh, String> {
    use lcpr_core::case::sources::{self, Choice};
    use lcpr_core::document::{Binding, BindingTarget, SourceKind, SourceRef};
    let mut bound = None;
    if let (Some(s), Some(_), Some(id)) = (&opts.scenario, opts.gpus, first)
        && let Some(route) = ws
            .scenario(s)
            .and_then(|sc| ws.route(&sc.route))
            .filter(|r| r.kind.is_gpu())
    {
        let binding = Binding {
            target: BindingTarget::RateCard,
            id: route.rate_card.clone(),
            field: "throughput_tps".to_owned(),
        };
        let source = SourceRef {
            kind: SourceKind::LoadTest,
            id: id.clone(),
        };
        let today = lcpr_core::document::Date::today().ok_or("the system clock is before 1970")?;
        bound = Some(
            sources::choose_and_report(ws, &binding, &Choice::Evidence(source), today)
                .map_err(|e| format!("nothing was imported: --gpus: {e}"))?,
        );
    }
    let mut refreshed = sources::refresh(ws);
    if let Some(m) = bound {
        refreshed.moved.retain(|x| x.entry != m.entry);
        refreshed.moved.insert(0, m);
    }
    Ok(refreshed)
}

/// `lcpr import loadtest`: [`add_load_tests_with`] on the workspace file, saved atomically.
pub fn import_loadtest(
    file: &Path,
    into: &Path,
    workload: &str,
    opts: &LoadTestOptions,
) -> Result<LoadTestsAdded, String> {
    let _lock = document::WorkspaceLock::acquire(into, "lcpr import loadtest")
        .map_err(|e| e.to_string())?;
    let mut ws = document::load(into).map_err(|e| e.to_string())?;
    let added = add_load_tests_with(&mut ws, file, workload, opts)?;
    document::save(&ws, into).map_err(|e| e.to_string())?;
    Ok(added)
}

/// The text form of an imported sweep.
#[must_use]
pub fn sweep_text(
    into: &Path,
    ids: &[String],
    s: &lcpr_core::evidence::loadtest::sweep::Sweep,
) -> String {
    let mut t = Table::new(&[
        ("run", Align::Left),
        ("rate/s", Align::Right),
        ("attempts", Align::Right),
        ("accepted", Align::Right),
        ("goodput/s", Align::Right),
        ("sample", Align::Left),
    ]);
    for p in &s.points {
        t.row(vec![
            p.label.clone(),
            format!("{:.2}", p.request_rate),
            p.attempts.to_string(),
            lcpr_core::report::memo::format::count(p.accepted),
            format!("{:.2}", p.goodput_rate),
            p.sample
                .clone()
                .unwrap_or_else(|| "all requests".to_owned()),
        ]);
    }
    let mut out = format!(
        "{} load test(s) added to {}: {}\n{}\n",
        ids.len(),
        into.display(),
        ids.join(", "),
        t.render()
    );
    if let Some(c) = &s.capacity_ceiling {
        out.push_str(&format!(
            "Capacity ceiling: {:.2} req/s (goodput {:.2}/s)\n",
            c.request_rate, c.goodput_rate
        ));
    }
    if let Some(o) = &s.operating_point {
        out.push_str(&format!(
            "Operating point: {:.2} req/s, goodput {:.2}/s, cost per accepted {}\n",
            o.request_rate,
            o.goodput_rate,
            o.cost_per_accepted.map_or("—".to_owned(), |c| format_usd(
                lcpr_core::money::to_f64(c),
                4
            ))
        ));
    }
    for g in &s.methodology_gaps {
        out.push_str(&format!("  gap: {g}\n"));
    }
    for n in &s.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}
