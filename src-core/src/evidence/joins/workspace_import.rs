//! An evidence file read and added to a workspace: an invoice, eval results, human reviews or a
//! contract into the reconciliation records, a model's `config.json` into the migration case.
//!
//! Every import returns a new workspace or an error, never a half-changed one: the caller
//! replaces its document (or file) only on success. Each reconciliation records the files its
//! figures came from, by path and fingerprint ([`EvidenceSource`]). Eval results and reviews
//! are joined on request id, but the document keeps only their totals, so when one of them is
//! imported and the other was imported before, the earlier file is read again, and refused if
//! its fingerprint shows it changed since.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::contract::{from_rate_cards, merge_rates, read_contract};
use super::csv::{Format, ImportError};
use super::evals::{
    AcceptedJoin, EvalResults, HumanReviews, read_eval_results, read_human_reviews,
};
use super::evidence::{apply_acceptance, apply_invoice, record_source};
use super::invoice::{FocusSelection, InvoiceLine, read_focus, read_plain};
use super::reconcile::{InvoiceCheck, check_invoice};
use crate::content_hash::content_hash;
use crate::document::contracts::ContractRates;
use crate::document::{Date, EvidenceKind, EvidenceSource, ModelFit, Workspace};
use crate::error::InputError;
use crate::evidence::hf_config::{HfKvInputs, kv_inputs_from_config};

/// Largest evidence file read whole (eval and review exports of a month fit easily).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The memory budget and load of a model that the migration case does not describe yet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelBudget {
    /// KV pool per replica, GB.
    pub kv_pool_gb: f64,
    /// Context each sequence needs, tokens.
    pub context_tokens: f64,
    /// Concurrent sequences needed per replica.
    pub needed_concurrency: f64,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum EvidenceFile {
    /// A FOCUS cost-and-usage CSV (recognised by its `BilledCost` column) or plain invoice lines;
    /// FOCUS rows are kept for these `ServiceName`s (all when empty).
    Invoice {
        /// Services to keep.
        focus_services: Vec<String>,
    },
    /// Eval results, CSV or JSON Lines.
    Evals,
    /// Human review outcomes, CSV or JSON Lines.
    Reviews,
    /// Contracted rates, CSV.
    Contract,
    /// A model's `config.json`.
    ModelConfig {
        /// Needed when the migration case has no model yet.
        budget: Option<ModelBudget>,
    },
}

/// One import: the file, what it is and, for reconciliation sources, which reconciliation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRequest {
    /// The file.
    pub path: PathBuf,
    /// What it holds.
    pub kind: EvidenceFile,
    /// The reconciliation id; when absent the one the file fits is chosen, or the only one.
    pub reconciliation: Option<String>,
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceReport {
    /// The reconciliation updated, if any.
    pub reconciliation: Option<String>,
    /// Records read.
    pub records: u64,
    /// The invoice checked against the contracted rates.
    pub invoice: Option<InvoiceCheck>,
    /// The accepted-output join, when eval results were at hand.
    pub denominator: Option<AcceptedJoin>,
    /// Contracted rates the workspace holds after a contract import.
    pub contract_rates: Option<usize>,
    /// The attention shape of an imported model config.
    pub model: Option<HfKvInputs>,
    /// One line per change, for people.
    pub summary: Vec<String>,
}

/// Why an import was refused; the workspace is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvidenceError {
    /// The file, or a row of it.
    #[error(transparent)]
    File(#[from] ImportError),
    /// The workspace cannot take it (field path within the workspace).
    #[error("{0}")]
    Workspace(InputError),
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads a whole evidence file, refusing one over [`MAX_FILE_BYTES`].
fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let name = display_name(path);
    let file =
        File::open(path).map_err(|e| ImportError::file(&name, format!("cannot be read: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::file(&name, format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::file(
            &name,
            format!("is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

/// `path` as the workspace records it: relative to `base` when it lies under it, with `/`.
#[must_use]
pub fn recorded_path(path: &Path, base: Option<&Path>) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = base
        .and_then(|b| std::path::absolute(b).ok())
        .and_then(|b| absolute.strip_prefix(b).ok().map(Path::to_path_buf))
        .unwrap_or(absolute);
    shown
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::RootDir => Some(String::new()),
            Component::Prefix(p) => Some(p.as_os_str().to_string_lossy().into_owned()),
            Component::CurDir | Component::ParentDir => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a recorded path points, read from the workspace's folder `base`.
#[must_use]
pub fn resolve_recorded(file: &str, base: Option<&Path>) -> PathBuf {
    let p = PathBuf::from(file);
    match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p,
    }
}

fn source(
    kind: EvidenceKind,
    path: &Path,
    base: Option<&Path>,
    bytes: &[u8],
    records: u64,
    today: Date,
) -> EvidenceSource {
    EvidenceSource {
        kind,
        file: recorded_path(path, base),
        fingerprint: content_hash(bytes),
        records,
        imported_on: today,
    }
}

/// The record of a file imported as `kind`: its path as the workspace keeps it and its
/// fingerprint, read from the file now.
pub fn source_of_file(
    kind: EvidenceKind,
    path: &Path,
    base: Option<&Path>,
    records: u64,
    today: Date,
) -> Result<EvidenceSource, ImportError> {
    let bytes = read_bytes(path)?;
    Ok(source(kind, path, base, &bytes, records, today))
}

fn read_invoice(
    name: &str,
    bytes: &[u8],
    focus_services: &[String],
) -> Result<Vec<InvoiceLine>, ImportError> {
    let mut header = String::new();
    BufReader::new(bytes)
        .read_line(&mut header)
        .map_err(|e| ImportError::file(name, format!("cannot be read: {e}")))?;
    if header.contains("BilledCost") {
        read_focus(
            name,
            bytes,
            &FocusSelection {
                services: focus_services.to_vec(),
            },
        )
    } else {
        read_plain(name, bytes)
    }
}

/// The `ServiceName`s of a FOCUS cost-and-usage export with their row counts, sorted by name;
/// `None` for a plain invoice (no `BilledCost` column). A whole-account export bills more than
/// inference, so the user picks the services to reconcile.
pub fn focus_services(path: &Path) -> Result<Option<Vec<(String, u64)>>, ImportError> {
    let name = display_name(path);
    let bytes = read_bytes(path)?;
    let mut header = String::new();
    BufReader::new(bytes.as_slice())
        .read_line(&mut header)
        .map_err(|e| ImportError::file(&name, format!("cannot be read: {e}")))?;
    if !header.contains("BilledCost") {
        return Ok(None);
    }
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    super::csv::read_csv(&name, bytes.as_slice(), &["ServiceName"], |r| {
        use super::csv::Record;
        let service = r.optional_text("ServiceName").unwrap_or_default();
        *counts.entry(service.to_owned()).or_default() += 1;
        Ok(())
    })?;
    Ok(Some(counts.into_iter().collect()))
}

/// The contracted rates invoices are checked against: the workspace's contract rates, else its
/// rate cards.
pub fn contract_of(ws: &Workspace) -> Result<ContractRates, EvidenceError> {
    if ws.contract_rates.is_empty() {
        from_rate_cards(&ws.rate_cards).map_err(EvidenceError::Workspace)
    } else {
        ContractRates::new(ws.contract_rates.clone())
            .map_err(|e| EvidenceError::Workspace(e.within("contract_rates")))
    }
}

fn pick_reconciliation(
    ws: &Workspace,
    wanted: Option<&str>,
    fits: impl Fn(usize) -> bool,
) -> Result<usize, EvidenceError> {
    let refuse = |rule: String| EvidenceError::Workspace(InputError::new("reconciliation", rule));
    if let Some(id) = wanted {
        return ws
            .reconciliations
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| {
                refuse(format!(
                    "is {id:?}, which the workspace does not hold (it holds {})",
                    ws.reconciliations
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
    }
    let ids: Vec<&str> = ws.reconciliations.iter().map(|r| r.id.as_str()).collect();
    let fitting: Vec<usize> = (0..ws.reconciliations.len()).filter(|&i| fits(i)).collect();
    match fitting.as_slice() {
        [only] => Ok(*only),
        [] if ids.is_empty() => Err(refuse(
            "must be created first: the workspace has no reconciliation".to_owned(),
        )),
        [] => Err(refuse(format!(
            "must be named: the file fits none of {}",
            ids.join(", ")
        ))),
        _ => Err(refuse(format!(
            "must be named: the file fits {}",
            fitting
                .iter()
                .filter_map(|&i| ids.get(i).copied())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn within(i: usize, e: InputError) -> EvidenceError {
    EvidenceError::Workspace(e.within(&format!("reconciliations[{i}]")))
}

/// Reads a recorded source of `kind` again (its recorded name and bytes), refusing a file that
/// changed since its import.
fn reread(
    ws: &Workspace,
    i: usize,
    kind: EvidenceKind,
    base: Option<&Path>,
) -> Result<Option<(String, Vec<u8>)>, EvidenceError> {
    let Some(src) = ws
        .reconciliations
        .get(i)
        .and_then(|r| r.sources.iter().find(|s| s.kind == kind))
    else {
        return Ok(None);
    };
    let path = resolve_recorded(&src.file, base);
    let bytes = read_bytes(&path).map_err(|e| {
        ImportError::file(
            &src.file,
            format!(
                "was imported as the {} of this reconciliation and is needed again to join on request id, but {}",
                kind.name(),
                e.rule
            ),
        )
    })?;
    let now = content_hash(&bytes);
    if now != src.fingerprint {
        return Err(ImportError::file(
            &src.file,
            format!(
                "has changed since it was imported as the {} (fingerprint {} then, {now} now): import it again first",
                kind.name(),
                src.fingerprint
            ),
        )
        .into());
    }
    Ok(Some((src.file.clone(), bytes)))
}

fn read_evals(name: &str, bytes: &[u8]) -> Result<EvalResults, ImportError> {
    read_eval_results(name, Format::from_file_name(name), bytes)
}

fn read_reviews(name: &str, bytes: &[u8]) -> Result<HumanReviews, ImportError> {
    read_human_reviews(name, Format::from_file_name(name), bytes)
}

/// Imports one evidence file into a copy of `ws`. `base` is the workspace file's folder
/// (relative source paths are recorded against it); `today` dates the record.
pub fn import_evidence(
    ws: &Workspace,
    request: &EvidenceRequest,
    base: Option<&Path>,
    today: Date,
) -> Result<(Workspace, EvidenceReport), EvidenceError> {
    let path = request.path.as_path();
    let name = display_name(path);
    let bytes = read_bytes(path)?;
    let mut out = ws.clone();
    let mut report = EvidenceReport {
        reconciliation: None,
        records: 0,
        invoice: None,
        denominator: None,
        contract_rates: None,
        model: None,
        summary: Vec::new(),
    };
    match &request.kind {
        EvidenceFile::Invoice { focus_services } => {
            let lines = read_invoice(&name, &bytes, focus_services)?;
            let contract = contract_of(ws)?;
            let i = pick_reconciliation(ws, request.reconciliation.as_deref(), |i| {
                ws.reconciliations.get(i).is_some_and(|r| {
                    lines
                        .iter()
                        .any(|l| l.period.start >= r.period.start && l.period.end <= r.period.end)
                })
            })?;
            let Some(r) = ws.reconciliations.get(i) else {
                return Err(within(i, InputError::new("", "does not exist")));
            };
            let check = check_invoice(r.period, "", &lines, &contract).map_err(|e| within(i, e))?;
            let mut updated = apply_invoice(r, &check).map_err(|e| within(i, e))?;
            record_source(
                &mut updated,
                source(
                    EvidenceKind::Invoice,
                    path,
                    base,
                    &bytes,
                    lines.len() as u64,
                    today,
                ),
            );
            report
                .summary
                .push(invoice_summary(&updated.id, &check, lines.len()));
            report.records = lines.len() as u64;
            report.reconciliation = Some(updated.id.clone());
            report.invoice = Some(check);
            if let Some(slot) = out.reconciliations.get_mut(i) {
                *slot = updated;
            }
        }
        EvidenceFile::Evals | EvidenceFile::Reviews => {
            let i = pick_reconciliation(ws, request.reconciliation.as_deref(), |_| true)?;
            let Some(r) = ws.reconciliations.get(i) else {
                return Err(within(i, InputError::new("", "does not exist")));
            };
            let is_evals = request.kind == EvidenceFile::Evals;
            let (evals, reviews, kind, records) = if is_evals {
                let evals = read_evals(&name, &bytes)?;
                let reviews = reread(ws, i, EvidenceKind::Reviews, base)?
                    .map(|(n, b)| read_reviews(&n, &b))
                    .transpose()?;
                let n = evals.verdicts.len() as u64;
                (Some(evals), reviews, EvidenceKind::Evals, n)
            } else {
                let reviews = read_reviews(&name, &bytes)?;
                let evals = reread(ws, i, EvidenceKind::Evals, base)?
                    .map(|(n, b)| read_evals(&n, &b))
                    .transpose()?;
                let n = reviews.outcomes.len() as u64;
                (evals, Some(reviews), EvidenceKind::Reviews, n)
            };
            let (mut updated, join) =
                apply_acceptance(r, evals.as_ref(), reviews.as_ref()).map_err(|e| within(i, e))?;
            record_source(
                &mut updated,
                source(kind, path, base, &bytes, records, today),
            );
            report.summary.push(match &join {
                Some(j) => format!(
                    "{}: {} accepted of {} evaluated ({} gate passes, {} failures signed off on review); eval grading {}, human review {}",
                    updated.id,
                    j.accepted,
                    j.evaluated,
                    j.eval_passed,
                    j.failures_signed_off,
                    updated.eval_cost,
                    updated.human_cost
                ),
                None => format!(
                    "{}: {} reviews, human review {}; accepted outputs wait for eval results",
                    updated.id, records, updated.human_cost
                ),
            });
            report.records = records;
            report.reconciliation = Some(updated.id.clone());
            report.denominator = join;
            if let Some(slot) = out.reconciliations.get_mut(i) {
                *slot = updated;
            }
        }
        EvidenceFile::Contract => {
            let incoming = read_contract(&name, bytes.as_slice())?;
            let merged = merge_rates(&ws.contract_rates, &incoming)
                .map_err(|e| EvidenceError::Workspace(e.within("contract_rates")))?;
            let added = merged.rates().len().saturating_sub(ws.contract_rates.len());
            report.records = incoming.rates().len() as u64;
            report.contract_rates = Some(merged.rates().len());
            report.summary.push(format!(
                "{} contracted rates read, {added} new; the workspace holds {}",
                incoming.rates().len(),
                merged.rates().len()
            ));
            out.contract_rates = merged.rates().to_vec();
        }
        EvidenceFile::ModelConfig { budget } => {
            let text = String::from_utf8(bytes)
                .map_err(|_| ImportError::file(&name, "is not UTF-8 text"))?;
            let inputs = kv_inputs_from_config(&text).map_err(|e| {
                ImportError::file(
                    &name,
                    if e.field.is_empty() {
                        e.rule
                    } else {
                        format!("{} {}", e.field, e.rule)
                    },
                )
            })?;
            let Some(case) = out.migration.as_mut() else {
                return Err(EvidenceError::Workspace(InputError::new(
                    "migration",
                    "is absent: a model config is imported into the migration case",
                )));
            };
            let fit = match (&case.model, budget) {
                (Some(fit), _) => fit.clone(),
                (None, Some(b)) => ModelFit {
                    n_layers: 0.0,
                    n_kv_heads: 0.0,
                    head_dim: 0.0,
                    element_bytes: 0.0,
                    kv_pool_gb: b.kv_pool_gb,
                    headroom_fraction: 0.1,
                    context_tokens: b.context_tokens,
                    needed_concurrency: b.needed_concurrency,
                    oom_events: 0,
                    source: String::new(),
                },
                (None, None) => {
                    return Err(EvidenceError::Workspace(InputError::new(
                        "migration.model",
                        "is absent: give the KV pool, context and concurrency the model must hold",
                    )));
                }
            };
            let recorded = recorded_path(path, base);
            let updated = inputs.apply_to(&fit, &recorded);
            report.summary.push(format!(
                "migration.model: {} layers, {} KV heads × {} head dim at {} bytes ({} KV bytes per token) from {recorded}",
                inputs.n_layers,
                inputs.n_kv_heads,
                inputs.head_dim,
                inputs.element_bytes,
                inputs.bytes_per_token()
            ));
            report.summary.extend(inputs.notes.iter().cloned());
            report.records = 1;
            report.model = Some(inputs);
            case.model = Some(updated);
        }
    }
    // The result must be a workspace a load would accept.
    if let Some(v) = crate::document::validate(&out).into_iter().next() {
        return Err(EvidenceError::Workspace(InputError::new(v.path, v.rule)));
    }
    Ok((out, report))
}

/// The one-line summary of an invoice import. Lines that could not be checked are counted as
/// such: "0 billed off the contracted rate" is said only of lines that were checked.
fn invoice_summary(id: &str, check: &InvoiceCheck, read: usize) -> String {
    let metered = check.off_rate_lines.len();
    let mut text = format!(
        "{id}: invoice {} from {} of {read} lines ({} outside the period); ",
        check.invoice_total.normalize(),
        check.lines_in_period,
        check.lines_outside_period,
    );
    if check.unrated_lines.is_empty() {
        text.push_str(&format!(
            "{metered} billed off the contracted rate, overcharge {}",
            check.explained.normalize()
        ));
    } else {
        text.push_str(&format!(
            "{metered} billed off the contracted rate, {} not checked (no contracted rate covers them), overcharge {}",
            check.unrated_lines.len(),
            check.explained.normalize()
        ));
    }
    if !check.amount_mismatches.is_empty() {
        text.push_str(&format!(
            "; {} whose amount is not quantity × unit price",
            check.amount_mismatches.len()
        ));
    }
    if !check.model_matches.is_empty() {
        text.push_str(&format!(
            "; models matched: {}",
            check.model_matches.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recorded_relative_to_the_workspace_folder() {
        let base = Path::new("/data/cases");
        assert_eq!(
            recorded_path(Path::new("/data/cases/may/invoice.csv"), Some(base)),
            "may/invoice.csv"
        );
        assert_eq!(
            recorded_path(Path::new("/elsewhere/invoice.csv"), Some(base)),
            "/elsewhere/invoice.csv"
        );
        assert_eq!(
            resolve_recorded("may/invoice.csv", Some(base)),
            PathBuf::from("/data/cases/may/invoice.csv")
        );
        assert_eq!(
            resolve_recorded("/elsewhere/invoice.csv", Some(base)),
            PathBuf::from("/elsewhere/invoice.csv")
        );
    }

    #[test]
    fn a_focus_export_lists_its_services() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/invoices");
        assert_eq!(
            focus_services(&fixtures.join("focus_2026_04_05.csv")).unwrap(),
            Some(vec![
                ("LLM API".to_owned(), 4),
                ("Object Storage".to_owned(), 1)
            ])
        );
        assert_eq!(
            focus_services(&fixtures.join("plain_2026_05.csv")).unwrap(),
            None
        );
    }

    #[test]
    fn a_missing_file_is_refused_by_name() {
        let ws = Workspace::empty("t", Date::EPOCH);
        let err = import_evidence(
            &ws,
            &EvidenceRequest {
                path: PathBuf::from("/no/such/evals.csv"),
                kind: EvidenceFile::Evals,
                reconciliation: None,
            },
            None,
            Date::EPOCH,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("evals.csv: cannot be read"),
            "{err}"
        );
    }
}
