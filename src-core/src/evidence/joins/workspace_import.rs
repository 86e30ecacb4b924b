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
use super::invoice::{
    FocusSelection, FocusVersion, InvoiceLine, ModelMapping, is_focus_header, read_focus_mapped,
    read_plain_mapped,
};
use super::reconcile::{InvoiceCheck, check_invoice};
use crate::content_hash::content_hash;
use crate::document::contracts::{ContractRates, InvoiceMapping};
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
        /// Where lines name their model; saved in the workspace under its name. When absent
        /// the workspace's saved mapping (`default`, or its only one) is used, else the file's
        /// own model column (`x_Model`, else `SkuId`; a plain file's `model`).
        mapping: Option<InvoiceMapping>,
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
    mapping: Option<&ModelMapping>,
) -> Result<(Vec<InvoiceLine>, Option<FocusVersion>), ImportError> {
    let mut header = String::new();
    BufReader::new(bytes)
        .read_line(&mut header)
        .map_err(|e| ImportError::file(name, format!("cannot be read: {e}")))?;
    let (lines, version) = if is_focus_header(&header) {
        let (lines, version) = read_focus_mapped(
            name,
            bytes,
            &FocusSelection {
                services: focus_services.to_vec(),
            },
            mapping,
        )?;
        (lines, Some(version))
    } else {
        (read_plain_mapped(name, bytes, mapping)?, None)
    };
    if lines.is_empty() {
        let rule = if focus_services.is_empty() {
            "has no invoice lines, only a header (row 1): export the lines of the period".to_owned()
        } else {
            format!(
                "has no invoice lines of the services {}: check --focus-service against the file's ServiceName values",
                focus_services.join(", ")
            )
        };
        return Err(ImportError::file(name, rule));
    }
    Ok((lines, version))
}

/// The invoice mapping an import uses: the one given (saved under its name), else the
/// workspace's `default` one, else its only one; `None` reads the file's own model column.
fn invoice_mapping<'a>(
    ws: &'a Workspace,
    given: Option<&'a InvoiceMapping>,
) -> Option<&'a InvoiceMapping> {
    given.or_else(|| {
        ws.invoice_mappings.iter().find(|m| m.name == "default").or(
            match ws.invoice_mappings.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        )
    })
}

/// An invoice read as the workspace reads it.
pub struct WorkspaceInvoice<'a> {
    /// The lines, in the workspace's currency.
    pub lines: Vec<InvoiceLine>,
    /// The FOCUS version, `None` for plain invoice lines.
    pub version: Option<FocusVersion>,
    /// How lines billed in another currency were converted, one sentence each.
    pub conversions: Vec<String>,
    /// The invoice mapping that told each line's model, if one did.
    pub mapping: Option<&'a InvoiceMapping>,
}

/// Reads an invoice file as every importer of the workspace must: FOCUS or plain lines, the
/// model through the given or saved invoice mapping, and every line in the workspace's
/// currency (or refused). `lcpr import invoice` and `lcpr reconcile` both read through here.
pub fn read_workspace_invoice<'a>(
    ws: &'a Workspace,
    name: &str,
    bytes: &[u8],
    focus_services: &[String],
    given: Option<&'a InvoiceMapping>,
) -> Result<WorkspaceInvoice<'a>, EvidenceError> {
    let mapping = invoice_mapping(ws, given);
    let compiled = mapping
        .map(|m| {
            ModelMapping::new(m).map_err(|e| {
                EvidenceError::Workspace(e.within(&format!("invoice mapping {:?}", m.name)))
            })
        })
        .transpose()?;
    let (mut lines, version) = read_invoice(name, bytes, focus_services, compiled.as_ref())?;
    let conversions = convert_currency(ws, &mut lines, version.is_some())?;
    Ok(WorkspaceInvoice {
        lines,
        version,
        conversions,
        mapping,
    })
}

/// Converts lines billed in another currency into the workspace's at the exchange rate the
/// workspace gives for their period, or refuses the first line it cannot convert.
fn convert_currency(
    ws: &Workspace,
    lines: &mut [InvoiceLine],
    focus: bool,
) -> Result<Vec<String>, EvidenceError> {
    let column = if focus { "BillingCurrency" } else { "currency" };
    let home = ws.meta.currency.as_str();
    let mut notes: std::collections::BTreeMap<(String, String), usize> =
        std::collections::BTreeMap::new();
    for line in lines.iter_mut() {
        if line.currency.is_empty() || line.currency.eq_ignore_ascii_case(home) {
            continue;
        }
        let found = ws.exchange_rates.iter().enumerate().find(|(_, x)| {
            x.currency.eq_ignore_ascii_case(&line.currency)
                && x.period.start <= line.period.start
                && line.period.end <= x.period.end
        });
        let Some((k, x)) = found else {
            let (file, row) = split_source(&line.source);
            return Err(ImportError {
                file,
                row,
                line: None,
                column: Some(column.to_owned()),
                rule: format!(
                    "is {}, not the workspace's currency {home}: add an exchange rate for {} to {} (exchange_rates: currency {}, rate in {home} per {}, period) or import an export billed in {home}",
                    line.currency, line.period.start, line.period.end, line.currency, line.currency
                ),
            }
            .into());
        };
        let convert = |v: rust_decimal::Decimal, what: &str| {
            v.checked_mul(x.rate).ok_or_else(|| {
                EvidenceError::Workspace(InputError::new(
                    format!("exchange_rates[{k}].rate"),
                    format!("makes the {what} of {} too large to compute", line.source),
                ))
            })
        };
        line.amount = convert(line.amount, "amount")?;
        line.effective_cost = line
            .effective_cost
            .map(|v| convert(v, "EffectiveCost"))
            .transpose()?;
        line.list_unit_price = line
            .list_unit_price
            .map(|v| convert(v, "ListUnitPrice"))
            .transpose()?;
        line.stated_contracted_unit_price = line
            .stated_contracted_unit_price
            .map(|v| convert(v, "ContractedUnitPrice"))
            .transpose()?;
        if let Some(u) = line.usage.as_mut() {
            u.unit_price = convert(u.unit_price, "unit price")?;
            u.priced_amount = convert(u.priced_amount, "amount")?;
        }
        *notes
            .entry((
                line.currency.to_uppercase(),
                format!(
                    "{} {home} per {} (exchange_rates[{k}]{})",
                    x.rate.normalize(),
                    line.currency.to_uppercase(),
                    if x.source.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", x.source)
                    }
                ),
            ))
            .or_default() += 1;
        line.currency = home.to_owned();
    }
    Ok(notes
        .into_iter()
        .map(|((currency, at), n)| {
            format!("{n} lines billed in {currency} converted to {home} at {at}")
        })
        .collect())
}

/// `file row N` back into its parts.
fn split_source(source: &str) -> (String, Option<u64>) {
    match source.rsplit_once(" row ") {
        Some((file, row)) => (file.to_owned(), row.parse().ok()),
        None => (source.to_owned(), None),
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
        EvidenceFile::Invoice {
            focus_services,
            mapping,
        } => {
            let WorkspaceInvoice {
                lines,
                version,
                conversions,
                mapping: chosen,
            } = read_workspace_invoice(ws, &name, &bytes, focus_services, mapping.as_ref())?;
            if let Some(m) = mapping {
                out.invoice_mappings.retain(|s| s.name != m.name);
                out.invoice_mappings.push(m.clone());
                out.invoice_mappings.sort_by(|a, b| a.name.cmp(&b.name));
            }
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
            if check.invoice_total.is_sign_negative() && !check.invoice_total.is_zero() {
                let credits: Vec<&str> = lines
                    .iter()
                    .filter(|l| l.amount.is_sign_negative() && check.line_ids.contains(&l.id))
                    .map(|l| l.source.as_str())
                    .collect();
                return Err(ImportError::file(
                    &name,
                    format!(
                        "bills {} in all for {} – {}: credits ({}) exceed the charges, and a reconciliation needs an invoice ≥ 0; import the invoice that holds the charges those credits offset",
                        check.invoice_total.normalize(),
                        r.period.start,
                        r.period.end,
                        credits.join(", ")
                    ),
                )
                .into());
            }
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
            if let Some(v) = version {
                report.summary.push(format!(
                    "{name}: FOCUS {} column set; model read from {}",
                    v.name(),
                    chosen.map_or_else(
                        || "the export's own column (x_Model, else SkuId)".to_owned(),
                        mapping_label
                    )
                ));
            } else if let Some(m) = chosen {
                report
                    .summary
                    .push(format!("{name}: model read from {}", mapping_label(m)));
            }
            report.summary.extend(conversions);
            report
                .summary
                .push(invoice_summary(&updated.id, &check, lines.len()));
            for l in lines.iter().filter(|l| check.unrated_lines.contains(&l.id)) {
                let why = l.unchecked.clone().unwrap_or_else(|| {
                    let meter = l.usage.as_ref().map_or_else(String::new, |u| u.meter.to_string());
                    format!(
                        "no contracted rate covers {:?} {meter} on {} (add one to the contract, or map the model with --model-column/--model-pattern)",
                        l.model, l.period.start
                    )
                });
                report.summary.push(format!(
                    "  not checked: line {} ({}): {why}",
                    l.id, l.source
                ));
            }
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
                    layer_groups: Vec::new(),
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
            let kinds: Vec<String> = inputs
                .layer_groups
                .iter()
                .map(|g| match g.window {
                    Some(w) => format!("{} {} (window {w})", g.layers, g.kind.name()),
                    None => format!("{} {}", g.layers, g.kind.name()),
                })
                .collect();
            report.summary.push(format!(
                "migration.model: {} layers ({}), {} KV heads × {} head dim at {} bytes; {} KV bytes per sequence at {} tokens ({} per token) from {recorded}",
                inputs.n_layers,
                kinds.join(", "),
                inputs.n_kv_heads,
                inputs.head_dim,
                inputs.element_bytes,
                inputs.kv_bytes_at(updated.context_tokens),
                updated.context_tokens,
                inputs.kv_bytes_at(updated.context_tokens) / updated.context_tokens
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

fn mapping_label(m: &InvoiceMapping) -> String {
    if m.model_pattern.is_empty() {
        format!("{} (invoice mapping {:?})", m.model_column, m.name)
    } else {
        format!(
            "{} through {:?} (invoice mapping {:?})",
            m.model_column, m.model_pattern, m.name
        )
    }
}

/// The one-line summary of an invoice import. Lines that could not be checked are counted as
/// such: "0 billed off the contracted rate" is said only of lines that were checked.
fn invoice_summary(id: &str, check: &InvoiceCheck, read: usize) -> String {
    let checked = check.checked_lines;
    let mut text = format!(
        "{id}: invoice {} from {} of {read} lines ({} outside the period); ",
        check.invoice_total.normalize(),
        check.lines_in_period,
        check.lines_outside_period,
    );
    let off = check.off_rate_lines.len();
    let unchecked = check.unrated_lines.len();
    if unchecked == 0 {
        text.push_str(&format!(
            "{off} billed off the contracted rate, overcharge {}",
            check.explained.normalize()
        ));
    } else if checked == 0 {
        text.push_str(&format!(
            "no line checked against a contracted rate: {unchecked} not checked (listed below), overcharge not measured"
        ));
    } else {
        text.push_str(&format!(
            "{checked} checked against the contracted rate, {off} billed off it, overcharge {} on those; {unchecked} not checked (listed below)",
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
