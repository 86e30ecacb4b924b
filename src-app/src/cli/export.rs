//! `lcpr export`: the decision memo and the review pack as PDF, and any report table as CSV,
//! written atomically so a failed export never leaves half a file.

use std::path::Path;

use lcpr_core::document::{self, Date, Workspace, atomic};
use lcpr_core::evaluation::{Evaluation, evaluate};
use lcpr_core::memo::chargeback::chargeback_report;
use lcpr_core::memo::decision::decision_memo;
use lcpr_core::memo::review::review_pack;
use lcpr_core::memo::tables::{TableKind, workspace_table};
use lcpr_core::memo::{MemoSource, render_options};
use lcpr_core::report::{render_pdf, table_to_csv};

/// Why an export failed, and so the exit status.
#[derive(Debug)]
pub enum ExportError {
    /// The input or the request breaks a rule (exit 2).
    Refused(String),
    /// The output could not be produced or written (exit 1).
    Failed(String),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(m) | Self::Failed(m) => write!(f, "{m}"),
        }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// The decision memo on a scenario (default: the proposed one, else the lowest LCPR).
    Memo {
        /// Scenario id.
        scenario: Option<String>,
    },
    /// The review pack.
    Review,
    /// The chargeback report.
    Chargeback,
    /// One table as CSV.
    Csv {
        /// Which table.
        table: TableKind,
    },
}

/// A workspace read for export: the document, its evaluation and its provenance.
pub struct Loaded {
    /// The document.
    pub ws: Workspace,
    /// Its evaluation.
    pub eval: Evaluation,
    /// File name, content hash and today's date.
    pub source: MemoSource,
}

/// Reads `path` once: its bytes are both parsed and hashed, so the footer's hash is the hash of
/// the version the numbers came from.
pub fn load(path: &Path) -> Result<Loaded, ExportError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ExportError::Refused(format!("{shown}: cannot be read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ExportError::Refused(format!("{shown}: is not UTF-8 text")))?;
    let ws = document::parse(text, &shown).map_err(|e| ExportError::Refused(e.to_string()))?;
    let eval = evaluate(&ws);
    let name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let source = MemoSource::of_file(&name, &bytes, Date::today().unwrap_or(Date::EPOCH));
    Ok(Loaded { ws, eval, source })
}

/// The bytes of `what` for a loaded workspace.
pub fn render(loaded: &Loaded, what: &Export) -> Result<Vec<u8>, ExportError> {
    let pdf = |report| {
        render_pdf(&report, &render_options())
            .map_err(|e| ExportError::Failed(format!("the PDF could not be made: {e}")))
    };
    match what {
        Export::Memo { scenario } => {
            let report = decision_memo(
                &loaded.ws,
                &loaded.eval,
                scenario.as_deref(),
                &loaded.source,
            )
            .map_err(|e| ExportError::Refused(e.to_string()))?;
            pdf(report)
        }
        Export::Review => pdf(review_pack(&loaded.ws, &loaded.eval, &loaded.source)),
        Export::Chargeback => pdf(chargeback_report(&loaded.ws, &loaded.source)
            .map_err(|e| ExportError::Refused(e.to_string()))?),
        Export::Csv { table } => {
            Ok(table_to_csv(&workspace_table(&loaded.ws, &loaded.eval, *table)).into_bytes())
        }
    }
}

/// Loads `file`, renders `what` and writes it to `output` atomically; returns the bytes written.
pub fn run(file: &Path, what: &Export, output: &Path) -> Result<usize, ExportError> {
    let loaded = load(file)?;
    let bytes = render(&loaded, what)?;
    atomic::write(output, &bytes).map_err(|e| {
        ExportError::Failed(format!("{} could not be written: {e}", output.display()))
    })?;
    Ok(bytes.len())
}
