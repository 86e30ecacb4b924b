//! The application: owns the session, the views and the preferences, and lays out the window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui, ViewportCommand};
use lcpr_core::case::evaluation::evaluate;
use lcpr_core::document::{self, Date};
use lcpr_core::evidence::joins::workspace_import::{
    EvidenceFile, EvidenceRequest, focus_services, import_evidence,
};
use lcpr_core::report::memo::decision::decision_memo;
use lcpr_core::report::memo::review::review_pack;
use lcpr_core::report::memo::tables::{TableKind, workspace_table};
use lcpr_core::report::memo::{MemoSource, render_options};
use lcpr_core::report::{render_pdf, table_to_csv};

use super::catalog_browser::{BrowserAction, CatalogBrowser};
use super::dialogs::{DialogRequest, EvidenceDialog, FileDialogs, NativeDialogs};
use super::import_preview::{ImportPreview, PreviewAction};
use super::invoice_setup::{InvoiceAction, InvoiceSetup};
use super::navigator::{self, Selection};
use super::new_case::{TemplateAction, TemplateDialog};
use super::session::Session;
use super::storage::{self, Prefs, Snapshot, StoragePaths};
use super::trace_setup::{SetupAction, TraceSetup};
use super::views::{self, View, ViewContext};
use super::{editor, help, plot, theme};
use lcpr_core::document::mapping::ColumnMapping;

/// A trace import running on its own thread.
struct RunningImport {
    file: PathBuf,
    /// The mapping it reads with (named in a "no rows for any workload" refusal).
    mapping: ColumnMapping,
    /// The reconciliation it also sets, broken-row and re-import choices.
    flags: crate::cli::import::TraceFlags,
    rows: Arc<AtomicU64>,
    bytes_done: Arc<AtomicU64>,
    bytes_total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    /// The file read: aggregate, reader notes and fingerprint.
    result: Receiver<Result<crate::cli::import::TraceRead, String>>,
}

/// Seconds between autosave snapshots of a changed document.
pub const AUTOSAVE_SECONDS: f64 = 30.0;

const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
const SAVE_AS: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const REDO_SHIFT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
const PRESENT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F11);
const NEXT_VIEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageDown);
const PREVIOUS_VIEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageUp);
const GLOSSARY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F1);

/// Every shortcut with what it does, for Help → Keyboard shortcuts.
const SHORTCUTS: [(KeyboardShortcut, &str); 11] = [
    (NEW, "New workspace"),
    (OPEN, "Open a workspace"),
    (SAVE, "Save"),
    (SAVE_AS, "Save as"),
    (UNDO, "Undo"),
    (REDO, "Redo"),
    (REDO_SHIFT, "Redo"),
    (NEXT_VIEW, "Next view"),
    (PREVIOUS_VIEW, "Previous view"),
    (PRESENT, "Presenter mode on or off"),
    (GLOSSARY, "Glossary"),
];

/// The plain keys of presenter mode.
const PRESENTER_KEYS: [(&str, &str); 2] = [
    ("← →", "Presenter mode: previous or next slide"),
    ("Esc", "Leave presenter mode"),
];

/// How the app starts.
pub struct LaunchOptions {
    /// A workspace to open.
    pub file: Option<PathBuf>,
    /// Where preferences and snapshots live; `None` keeps nothing between runs.
    pub storage: Option<StoragePaths>,
    /// How files are chosen.
    pub dialogs: Box<dyn FileDialogs>,
    /// When the process started, for the time-to-first-frame report.
    pub started: Option<Instant>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            file: None,
            storage: StoragePaths::for_user(),
            dialogs: Box::new(NativeDialogs::default()),
            started: None,
        }
    }
}

/// Something to do once unsaved changes are dealt with.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    New,
    /// Open example `i` of [`help::EXAMPLES`] as an untitled copy.
    Example(usize),
    NewFromTemplate,
    Open(PathBuf),
    AskOpen,
    Close,
    Revert,
}

/// What an export dialog is choosing a file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportKind {
    Memo,
    Review,
    CompareCsv,
    Slides,
    /// The chart in `App::export_chart`.
    Chart(lcpr_core::report::export::ImageFormat),
}

impl ExportKind {
    fn suffix(self) -> &'static str {
        match self {
            Self::Memo => "memo",
            Self::Review => "review",
            Self::CompareCsv => "compare",
            Self::Slides => "slides",
            Self::Chart(_) => "chart",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Memo | Self::Review | Self::Slides => "pdf",
            Self::CompareCsv => "csv",
            Self::Chart(f) => f.extension(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Memo => "decision memo",
            Self::Review => "review pack",
            Self::CompareCsv => "compare table",
            Self::Slides => "slide deck",
            Self::Chart(_) => "chart",
        }
    }
}

enum Modal {
    TraceSetup(Box<TraceSetup>),
    /// File → New from template….
    Template(Box<TemplateDialog>),
    InvoiceSetup(Box<InvoiceSetup>),
    Unsaved(Pending),
    Recover(Snapshot),
    /// The file changed on disk since it was opened or saved: overwrite, reload or cancel.
    ChangedOnDisk,
    /// What differs in another copy of the workspace: (that file's name, the diff's lines).
    Diff(String, Vec<String>),
    /// An import read and checked, shown before it is applied.
    Preview(Box<ImportPreview>),
    Error(String),
}

/// The workbench window.
pub struct WorkbenchApp {
    session: Session,
    storage: Option<StoragePaths>,
    prefs: Prefs,
    dialogs: Box<dyn FileDialogs>,
    selection: Selection,
    views: Vec<Box<dyn View>>,
    active: usize,
    presenting: bool,
    modal: Option<Modal>,
    then: Option<Pending>,
    export: Option<ExportKind>,
    /// The chart an export of [`ExportKind::Chart`] writes.
    export_chart: Option<lcpr_core::report::chart::Chart>,
    close_confirmed: bool,
    last_autosave: f64,
    snapshot_taken_of: Option<document::Workspace>,
    last_title: String,
    status: String,
    started: Instant,
    reported_first_frame: bool,
    import: Option<RunningImport>,
    help: help::Help,
    /// The catalog browser, while its window is open.
    catalog: Option<CatalogBrowser>,
}

impl WorkbenchApp {
    /// Builds the app for eframe.
    pub fn new(cc: &eframe::CreationContext<'_>, options: LaunchOptions) -> Self {
        let app = Self::headless(options);
        theme::install_fonts(&cc.egui_ctx);
        theme::apply(&cc.egui_ctx, app.prefs.dark);
        app
    }

    /// Builds the app without a window (tests, benchmarks).
    #[must_use]
    pub fn headless(options: LaunchOptions) -> Self {
        let prefs = options
            .storage
            .as_ref()
            .map(Prefs::load)
            .unwrap_or_default();
        let mut app = Self {
            session: Session::untitled(),
            storage: options.storage,
            prefs,
            dialogs: options.dialogs,
            selection: Selection::Meta,
            views: views::all(),
            active: 0,
            presenting: false,
            modal: None,
            then: None,
            export: None,
            export_chart: None,
            close_confirmed: false,
            last_autosave: 0.0,
            snapshot_taken_of: None,
            last_title: String::new(),
            status: String::new(),
            started: options.started.unwrap_or_else(Instant::now),
            reported_first_frame: false,
            import: None,
            help: help::Help::default(),
            catalog: None,
        };
        if let Some(paths) = &app.storage
            && let Some(snapshot) = storage::snapshots_to_offer(paths).into_iter().next()
        {
            app.modal = Some(Modal::Recover(snapshot));
        }
        if let Some(file) = options.file {
            app.open(&file);
        }
        app
    }

    /// True while File → New from template… is open.
    #[must_use]
    pub fn choosing_template(&self) -> bool {
        matches!(self.modal, Some(Modal::Template(_)))
    }

    /// True while the catalog browser is open.
    #[must_use]
    pub fn browsing_catalog(&self) -> bool {
        self.catalog.is_some()
    }

    /// The open session.
    #[must_use]
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The open session, for scripted edits.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The title of the active view.
    #[must_use]
    pub fn active_view(&self) -> &'static str {
        self.views.get(self.active).map_or("", |v| v.title())
    }

    /// True in presenter mode.
    #[must_use]
    pub fn presenting(&self) -> bool {
        self.presenting
    }

    /// The error shown to the user, if one is.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        match &self.modal {
            Some(Modal::Error(e)) => Some(e),
            _ => None,
        }
    }

    /// True when the app asks whether to keep unsaved changes.
    #[must_use]
    pub fn asking_about_unsaved_changes(&self) -> bool {
        matches!(self.modal, Some(Modal::Unsaved(_)))
    }

    /// Shows what differs between the open document (as "yours") and the workspace at `path`
    /// (as "theirs"), and what each changed input did to every scenario's LCPR.
    pub fn compare_with(&mut self, path: &Path) {
        match document::load(path) {
            Ok(theirs) => {
                let d = lcpr_core::decide::diff::diff(&self.session.doc, &theirs);
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                self.modal = Some(Modal::Diff(name, d.lines()));
            }
            Err(e) => self.modal = Some(Modal::Error(e.to_string())),
        }
    }

    /// The lines of the comparison shown, if one is.
    #[must_use]
    pub fn comparison(&self) -> Option<&[String]> {
        match &self.modal {
            Some(Modal::Diff(_, lines)) => Some(lines),
            _ => None,
        }
    }

    /// True when the app asks whether to overwrite a file another program changed.
    #[must_use]
    pub fn asking_about_change_on_disk(&self) -> bool {
        matches!(self.modal, Some(Modal::ChangedOnDisk))
    }

    /// True while a trace import runs.
    #[must_use]
    pub fn importing(&self) -> bool {
        self.import.is_some()
    }

    /// The status line.
    #[must_use]
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Asks how to read a trace file (its column mapping, workload and date), its format
    /// taken from the name or else from its first bytes.
    fn prepare_import(&mut self, file: &Path) {
        match lcpr_core::evidence::traces::Format::detect(file) {
            Ok(format) => {
                self.modal = Some(Modal::TraceSetup(Box::new(TraceSetup::new(
                    file,
                    format,
                    &self.session.doc,
                ))));
            }
            Err(e) => self.modal = Some(Modal::Error(e)),
        }
    }

    /// True while the trace-import dialog asks for the column mapping.
    #[must_use]
    pub fn choosing_trace_mapping(&self) -> bool {
        matches!(self.modal, Some(Modal::TraceSetup(_)))
    }

    /// Starts importing a trace file with `mapping` on a background thread.
    pub fn start_import(
        &mut self,
        file: &Path,
        format: lcpr_core::evidence::traces::Format,
        mut mapping: ColumnMapping,
        flags: crate::cli::import::TraceFlags,
        ctx: &egui::Context,
    ) {
        if let Err(e) = flags.apply_to(&self.session.doc, &mut mapping) {
            self.modal = Some(Modal::Error(e));
            return;
        }
        let cards = self.session.doc.rate_cards.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let read_flags = flags.clone();
        let job = RunningImport {
            file: file.to_path_buf(),
            mapping: mapping.clone(),
            flags,
            rows: Arc::default(),
            bytes_done: Arc::default(),
            bytes_total: Arc::default(),
            cancel: Arc::default(),
            result: rx,
        };
        let (rows, done, total, cancel) = (
            job.rows.clone(),
            job.bytes_done.clone(),
            job.bytes_total.clone(),
            job.cancel.clone(),
        );
        let path = file.to_path_buf();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let mut progress = |p: lcpr_core::evidence::traces::Progress| {
                rows.store(p.rows_done, Ordering::Relaxed);
                done.store(p.bytes_done, Ordering::Relaxed);
                total.store(p.bytes_total, Ordering::Relaxed);
                ctx.request_repaint();
            };
            let result = crate::cli::import::trace_fingerprint(&path).and_then(|fingerprint| {
                crate::cli::import::read_trace(
                    &path,
                    fingerprint,
                    format,
                    &mapping,
                    &cards,
                    &read_flags,
                    &mut progress,
                    &cancel,
                )
            });
            // The app may have quit meanwhile; nothing to do then.
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.import = Some(job);
    }

    /// Finishes a completed import: baselines go into the document (one undo step), or the
    /// error is shown and nothing changes.
    fn poll_import(&mut self) {
        let Some(job) = &self.import else { return };
        let outcome = match job.result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err("the import stopped unexpectedly".to_owned()),
        };
        let file = job.file.display().to_string();
        let path = job.file.clone();
        let reconciliation = job.flags.reconciliation.clone();
        let (mapping, flags) = (job.mapping.clone(), job.flags.clone());
        self.import = None;
        let base = self
            .session
            .path()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let added = outcome.and_then(|read| {
            let mut doc = self.session.doc.clone();
            let report = crate::cli::import::apply_trace_import(
                &mut doc,
                &path,
                base.as_deref(),
                &mapping,
                &read,
                &flags,
            )?;
            Ok((doc, report))
        });
        match added {
            Ok((doc, report)) => {
                let mut select = None;
                let ids: Vec<&str> = report
                    .baselines
                    .iter()
                    .map(|b| b.baseline.id.as_str())
                    .collect();
                let findings: usize = report.baselines.iter().map(|b| b.findings.len()).sum();
                let mut status = format!(
                    "Imported {} rows from {file} ({} broken rows left out): baseline {} added, {findings} finding(s)",
                    report.rows_read,
                    report.rows_broken,
                    ids.join(", ")
                );
                if report.duplicates_dropped > 0 {
                    status.push_str(&format!(
                        "; {} exact duplicate row(s) dropped",
                        report.duplicates_dropped
                    ));
                }
                if report.duplicate_spans > 0 {
                    status.push_str(&format!(
                        "; {} span(s) of calls traced twice counted once",
                        report.duplicate_spans
                    ));
                }
                if !report.model_matches.is_empty() {
                    let matched: Vec<String> = report
                        .model_matches
                        .iter()
                        .map(|m| format!("{} → {} ({})", m.model, m.rate_card, m.kind.name()))
                        .collect();
                    status.push_str(&format!("; priced {}", matched.join(", ")));
                }
                if !report.skipped_rows.is_empty() {
                    let rows: Vec<String> =
                        report.skipped_rows.iter().map(u64::to_string).collect();
                    status.push_str(&format!("; skipped rows {}", rows.join(", ")));
                }
                if let Some(i) = doc.baselines.len().checked_sub(1) {
                    select = Some(Selection::Baseline(i));
                }
                if let Some((i, r)) = reconciliation.and_then(|id| {
                    doc.reconciliations
                        .iter()
                        .enumerate()
                        .find(|(_, r)| r.id == id)
                }) {
                    status.push_str(&format!(
                        "; reconciliation {}: trace cost {} over {} attempts",
                        r.id,
                        lcpr_core::money::format_usd(lcpr_core::money::to_f64(r.trace_cost), 2),
                        r.attempts
                    ));
                    select = Some(Selection::Reconciliation(i));
                }
                let into = self.session.path().map_or_else(
                    || PathBuf::from(self.session.file_name()),
                    Path::to_path_buf,
                );
                let lines = crate::cli::import::report_text(&into, &report)
                    .lines()
                    .map(str::to_owned)
                    .collect();
                self.modal = Some(Modal::Preview(Box::new(ImportPreview {
                    file,
                    lines,
                    doc,
                    status,
                    select,
                })));
            }
            // The import's own refusals already start with the file.
            Err(e) if e.starts_with(&file) => {
                self.modal = Some(Modal::Error(format!("{e}. Nothing was changed.")));
            }
            Err(e) => self.modal = Some(Modal::Error(format!("{file}: {e}. Nothing was changed."))),
        }
    }

    /// Imports an evidence file into the document (one undo step), or shows why not and
    /// changes nothing. Invoice, evals and reviews go into the selected reconciliation (or the
    /// one the file fits); a load test into the selected workload (or the only one).
    pub fn import_evidence(&mut self, kind: EvidenceDialog, path: &Path) {
        // An invoice first asks where lines name their model and, for a whole-account FOCUS
        // export, which services to reconcile.
        if kind == EvidenceDialog::Invoice {
            match focus_services(path) {
                Ok(services) => {
                    self.modal = Some(Modal::InvoiceSetup(Box::new(InvoiceSetup::new(
                        path.to_path_buf(),
                        services.unwrap_or_default(),
                        &self.session.doc,
                    ))));
                }
                Err(e) => {
                    self.modal = Some(Modal::Error(format!("{e}. Nothing was changed.")));
                }
            }
            return;
        }
        self.run_evidence_import(kind, path, Vec::new(), None);
    }

    /// True while an invoice import asks where lines name their model (and, for a FOCUS
    /// export of several services, which to keep).
    #[must_use]
    pub fn choosing_invoice_setup(&self) -> bool {
        matches!(self.modal, Some(Modal::InvoiceSetup(_)))
    }

    fn run_evidence_import(
        &mut self,
        kind: EvidenceDialog,
        path: &Path,
        services: Vec<String>,
        mapping: Option<lcpr_core::document::contracts::InvoiceMapping>,
    ) {
        let file = path.display().to_string();
        let doc = &self.session.doc;
        let outcome = if kind == EvidenceDialog::PriceBook {
            // The window's Apply is the acceptance: drift is shown and taken in the one step.
            let options = lcpr_core::evidence::prices::merge::PriceImportOptions {
                only: Vec::new(),
                accept: true,
            };
            crate::cli::prices::preview(doc, path, None, &options).map(|(updated, report)| {
                let lines = lcpr_core::evidence::prices::merge::report_lines(&report);
                let at = report
                    .added
                    .last()
                    .or_else(|| report.drift.last().map(|d| &d.card))
                    .and_then(|id| updated.rate_cards.iter().position(|c| &c.id == id))
                    .map(Selection::RateCard);
                (updated, lines, at)
            })
        } else if kind == EvidenceDialog::LoadTest {
            // A load test imported with a scenario selected is a test of that scenario's route.
            let tested_scenario = match self.selection {
                Selection::Scenario(i) => doc.scenarios.get(i).map(|s| s.id.clone()),
                _ => None,
            };
            let workload = match self.selection {
                Selection::Workload(i) => doc.workloads.get(i).map(|w| w.id.clone()),
                Selection::Scenario(i) => doc.scenarios.get(i).map(|s| s.workload.clone()),
                Selection::LoadTest(i) => doc.load_tests.get(i).map(|t| t.workload.clone()),
                _ => match doc.workloads.as_slice() {
                    [only] => Some(only.id.clone()),
                    _ => None,
                },
            };
            match workload {
                Some(w) => {
                    let mut updated = doc.clone();
                    crate::cli::import::add_load_tests_with(
                        &mut updated,
                        path,
                        &w,
                        &crate::cli::import::LoadTestOptions {
                            scenario: tested_scenario,
                            ..Default::default()
                        },
                    )
                    .map(|added| {
                        let mut summary = vec![format!(
                            "load test {} added for {w}: capacity ceiling {}",
                            added.ids.join(", "),
                            added.sweep.capacity_ceiling.map_or_else(
                                || "none (nothing accepted)".to_owned(),
                                |c| format!(
                                    "{:.2} accepted/s at {:.2} requests/s",
                                    c.goodput_rate, c.request_rate
                                )
                            )
                        )];
                        summary.extend(
                            crate::cli::import::moved_text(
                                &added.sources.moved,
                                &added.sources.problems,
                            )
                            .lines()
                            .map(|l| l.trim().to_owned()),
                        );
                        let at = updated.load_tests.len().checked_sub(1);
                        (updated, summary, at.map(Selection::LoadTest))
                    })
                }
                None => Err("select the workload the load test ran for".to_owned()),
            }
        } else {
            let request = EvidenceRequest {
                path: path.to_path_buf(),
                kind: match kind {
                    EvidenceDialog::Invoice => EvidenceFile::Invoice {
                        focus_services: services,
                        mapping,
                    },
                    EvidenceDialog::Evals => EvidenceFile::Evals,
                    EvidenceDialog::Reviews => EvidenceFile::Reviews,
                    EvidenceDialog::Contract => EvidenceFile::Contract,
                    EvidenceDialog::ModelConfig
                    | EvidenceDialog::LoadTest
                    | EvidenceDialog::PriceBook => EvidenceFile::ModelConfig { budget: None },
                },
                reconciliation: match self.selection {
                    Selection::Reconciliation(i) => {
                        doc.reconciliations.get(i).map(|r| r.id.clone())
                    }
                    _ => None,
                },
            };
            let base = self.session.path().and_then(Path::parent);
            import_evidence(doc, &request, base, Date::today().unwrap_or(Date::EPOCH))
                .map_err(|e| e.to_string())
                .map(|(mut updated, mut report)| {
                    let moved = lcpr_core::case::sources::refresh(&mut updated);
                    report.summary.extend(
                        crate::cli::import::moved_text(&moved.moved, &moved.problems)
                            .lines()
                            .map(|l| l.trim().to_owned()),
                    );
                    let at = report
                        .reconciliation
                        .as_ref()
                        .and_then(|id| updated.reconciliations.iter().position(|r| &r.id == id))
                        .map(Selection::Reconciliation);
                    (updated, report.summary, at)
                })
        };
        match outcome {
            Ok((updated, summary, at)) => {
                let name = path
                    .file_name()
                    .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
                self.modal = Some(Modal::Preview(Box::new(ImportPreview {
                    file: name,
                    lines: summary.clone(),
                    doc: updated,
                    status: format!("Imported {file}: {}", summary.join("; ")),
                    select: at,
                })));
            }
            Err(e) => self.modal = Some(Modal::Error(format!("{file}: {e}. Nothing was changed."))),
        }
    }

    fn import_progress(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.import else { return };
        let (done, total, rows) = (
            job.bytes_done.load(Ordering::Relaxed),
            job.bytes_total.load(Ordering::Relaxed),
            job.rows.load(Ordering::Relaxed),
        );
        let cancel = job.cancel.clone();
        let name = job
            .file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        egui::Modal::new(egui::Id::unique("import")).show(ctx, |ui| {
            ui.heading(format!("Importing {name}"));
            let fraction = if total > 0 {
                done as f32 / total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .show_percentage()
                    .desired_width(360.0),
            );
            ui.label(format!("{rows} rows read"));
            if ui.button("Cancel").clicked() {
                cancel.store(true, Ordering::Relaxed);
            }
        });
    }

    /// True when the app offers to recover an autosave snapshot.
    #[must_use]
    pub fn offering_recovery(&self) -> bool {
        matches!(self.modal, Some(Modal::Recover(_)))
    }

    /// The selected item.
    pub fn select(&mut self, selection: Selection) {
        self.selection = selection;
    }

    /// The titles of every analysis view, in tab order.
    #[must_use]
    pub fn view_titles(&self) -> Vec<&'static str> {
        self.views.iter().map(|v| v.title()).collect()
    }

    /// Shows the view titled `title`, if there is one.
    pub fn show_view(&mut self, title: &str) {
        if let Some(i) = self.views.iter().position(|v| v.title() == title) {
            self.active = i;
        }
    }

    /// Opens `path`; on failure the error is shown and the open document is kept.
    pub fn open(&mut self, path: &Path) {
        match Session::open(path) {
            Ok(s) => {
                if let Some(paths) = &self.storage {
                    storage::clear_snapshot(paths, self.session.path());
                }
                self.session = s;
                self.selection = Selection::Meta;
                self.snapshot_taken_of = None;
                self.show_first_view_with_data();
                self.prefs.add_recent(path);
                self.save_prefs();
                self.status = format!("Opened {}", path.display());
            }
            Err(e) => self.modal = Some(Modal::Error(e.to_string())),
        }
    }

    fn save_prefs(&mut self) {
        if let Some(paths) = &self.storage
            && let Err(e) = self.prefs.save(paths)
        {
            self.status = format!("Preferences not saved: {e}");
        }
    }

    fn save(&mut self) -> bool {
        if self.session.path().is_none() {
            self.dialogs.request(DialogRequest::SaveAs {
                suggested: "workspace.yaml".to_owned(),
            });
            return false;
        }
        if self.session.changed_on_disk() {
            self.modal = Some(Modal::ChangedOnDisk);
            return false;
        }
        self.save_over_disk()
    }

    /// Saves to the current file even if another program changed it since it was read.
    fn save_over_disk(&mut self) -> bool {
        match self.session.save() {
            Ok(path) => {
                self.after_save(&path);
                true
            }
            Err(e) => {
                self.modal = Some(Modal::Error(e.to_string()));
                false
            }
        }
    }

    fn save_as(&mut self, path: &Path) -> bool {
        let old = self.session.path().map(Path::to_path_buf);
        match self.session.save_as(path) {
            Ok(path) => {
                if let Some(paths) = &self.storage {
                    storage::clear_snapshot(paths, old.as_deref());
                }
                self.after_save(&path);
                true
            }
            Err(e) => {
                self.modal = Some(Modal::Error(e.to_string()));
                false
            }
        }
    }

    fn after_save(&mut self, path: &Path) {
        if let Some(paths) = &self.storage {
            storage::clear_snapshot(paths, Some(path));
        }
        self.snapshot_taken_of = None;
        self.prefs.add_recent(path);
        self.save_prefs();
        self.status = format!("Saved {}", path.display());
    }

    /// Runs `action` now, or asks first when there are unsaved changes.
    fn guarded(&mut self, action: Pending) {
        if self.session.is_dirty() {
            self.modal = Some(Modal::Unsaved(action));
        } else {
            self.perform(action);
        }
    }

    fn perform(&mut self, action: Pending) {
        match action {
            Pending::New => {
                self.discard_snapshot();
                self.session = Session::untitled();
                self.selection = Selection::Meta;
                self.status = "New workspace".to_owned();
            }
            Pending::NewFromTemplate => match TemplateDialog::new() {
                Ok(d) => self.modal = Some(Modal::Template(Box::new(d))),
                Err(e) => self.modal = Some(Modal::Error(e)),
            },
            Pending::Open(path) => self.open(&path),
            Pending::Example(i) => match help::example(i) {
                Ok(doc) => {
                    self.discard_snapshot();
                    self.session = Session::new(doc, None);
                    self.selection = Selection::Meta;
                    self.show_first_view_with_data();
                    self.status = "Opened an example as a new, unsaved workspace".to_owned();
                }
                Err(e) => self.modal = Some(Modal::Error(e)),
            },
            Pending::AskOpen => self.dialogs.request(DialogRequest::Open),
            Pending::Revert => {
                if let Err(e) = self.session.revert() {
                    self.modal = Some(Modal::Error(e.to_string()));
                } else {
                    self.discard_snapshot();
                    self.status = "Reverted to the saved file".to_owned();
                }
            }
            Pending::Close => {
                self.discard_snapshot();
                self.close_confirmed = true;
            }
        }
    }

    fn discard_snapshot(&mut self) {
        if let Some(paths) = &self.storage {
            storage::clear_snapshot(paths, self.session.path());
        }
        self.snapshot_taken_of = None;
    }

    fn autosave(&mut self, time: f64) {
        let Some(paths) = &self.storage else { return };
        if !self.session.is_dirty() {
            // Undone back to the file: the snapshot taken while it differed has nothing left to
            // recover.
            if self.snapshot_taken_of.is_some() {
                self.discard_snapshot();
            }
            return;
        }
        if time - self.last_autosave < AUTOSAVE_SECONDS {
            return;
        }
        self.last_autosave = time;
        if self.snapshot_taken_of.as_ref() == Some(&self.session.doc) {
            return;
        }
        match document::to_yaml(&self.session.doc)
            .map_err(|e| e.to_string())
            .and_then(|yaml| {
                storage::write_snapshot(paths, self.session.path(), &yaml)
                    .map_err(|e| e.to_string())
            }) {
            Ok(info) => {
                self.snapshot_taken_of = Some(self.session.doc.clone());
                self.status = format!("Autosaved at {}", info.time_of_day());
            }
            Err(e) => self.status = format!("Autosave failed: {e}"),
        }
    }

    fn recover(&mut self, snapshot: &Snapshot) {
        let text = std::fs::read_to_string(&snapshot.yaml_path).map_err(|e| e.to_string());
        match text.and_then(|t| {
            document::parse(&t, &snapshot.yaml_path.display().to_string())
                .map_err(|e| e.to_string())
        }) {
            Ok(doc) => {
                let original = snapshot.info.original.clone();
                let saved = original.as_deref().and_then(|p| document::load(p).ok());
                self.session = Session::new(doc, None);
                self.session.mark_recovered(original, saved);
                self.status = "Recovered unsaved changes; save to keep them".to_owned();
            }
            Err(e) => {
                self.modal = Some(Modal::Error(format!("The snapshot could not be read: {e}")))
            }
        }
    }

    fn handle_dialogs(&mut self) {
        let Some(answer) = self.dialogs.poll() else {
            return;
        };
        let Some(path) = answer.path else {
            self.then = None;
            self.export = None;
            return;
        };
        match answer.request {
            DialogRequest::Open => self.open(&path),
            DialogRequest::CompareWith => self.compare_with(&path),
            DialogRequest::SaveAs { .. } => {
                if self.save_as(&path)
                    && let Some(next) = self.then.take()
                {
                    self.perform(next);
                }
            }
            DialogRequest::ImportTraces => self.prepare_import(&path),
            DialogRequest::ImportEvidence(kind) => self.import_evidence(kind, &path),
            DialogRequest::Export { .. } => {
                if let Some(kind) = self.export.take() {
                    self.write_export(kind, &path);
                }
            }
        }
    }

    /// Asks where to write an export of `kind`.
    fn ask_export(&mut self, kind: ExportKind) {
        let name = self.session.file_name();
        let stem = name
            .strip_suffix(".yaml")
            .or_else(|| name.strip_suffix(".yml"))
            .unwrap_or(&name);
        self.export = Some(kind);
        self.dialogs.request(DialogRequest::Export {
            suggested: format!("{stem}-{}.{}", kind.suffix(), kind.extension()),
            extension: kind.extension(),
        });
    }

    /// Provenance of the document for a report footer: the saved file's bytes when the
    /// document is unchanged, else the document as it would be saved, marked unsaved.
    fn export_source(&self) -> MemoSource {
        let today = Date::today().unwrap_or(Date::EPOCH);
        let name = self.session.file_name();
        if !self.session.is_dirty()
            && let Some(bytes) = self.session.path().and_then(|p| std::fs::read(p).ok())
        {
            return MemoSource::of_file(&name, &bytes, today);
        }
        let yaml = document::to_yaml(&self.session.doc).unwrap_or_default();
        MemoSource::of_file(&format!("{name} (unsaved changes)"), yaml.as_bytes(), today)
    }

    fn export_bytes(&mut self, kind: ExportKind) -> Result<Vec<u8>, String> {
        let source = self.export_source();
        let doc = &self.session.doc.clone();
        let eval = evaluate(doc);
        let report = match kind {
            // The presenter's pages, with the choices made in each view.
            ExportKind::Slides => return views::deck_pdf(&mut self.views, doc, &eval, &source),
            ExportKind::Memo => {
                decision_memo(doc, &eval, None, &source).map_err(|e| e.to_string())?
            }
            ExportKind::Review => review_pack(doc, &eval, &source),
            ExportKind::CompareCsv => {
                return Ok(
                    table_to_csv(&workspace_table(doc, &eval, TableKind::Compare)).into_bytes(),
                );
            }
            ExportKind::Chart(format) => {
                let chart = self
                    .export_chart
                    .as_ref()
                    .ok_or_else(|| "no chart was chosen".to_owned())?;
                return lcpr_core::report::export::chart_image(chart, format)
                    .map_err(|e| e.to_string());
            }
        };
        render_pdf(&report, &render_options()).map_err(|e| e.to_string())
    }

    /// Renders an export of `kind` and writes it to `path` atomically; errors go to the modal.
    fn write_export(&mut self, kind: ExportKind, path: &Path) {
        let written = self.export_bytes(kind).and_then(|bytes| {
            document::atomic::write(path, &bytes)
                .map_err(|e| format!("{} could not be written: {e}", path.display()))
        });
        match written {
            Ok(()) => {
                self.status = format!("Exported the {} to {}", kind.describe(), path.display());
            }
            Err(e) => {
                self.modal = Some(Modal::Error(format!(
                    "The {} could not be exported: {e}",
                    kind.describe()
                )));
            }
        }
    }

    /// The compare table as CSV, for the clipboard.
    fn compare_csv(&self) -> String {
        let eval = evaluate(&self.session.doc);
        table_to_csv(&workspace_table(
            &self.session.doc,
            &eval,
            TableKind::Compare,
        ))
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        // A chart's "Save as PNG/SVG…" (asked while the views were drawn last frame).
        if let Some(req) = crate::gui::plot::take_export_request(ctx) {
            self.export_chart = Some(req.chart);
            self.ask_export(ExportKind::Chart(req.format));
        }
        let (new, open, save_as, save, redo, undo, present) = ctx.input_mut(|i| {
            (
                i.consume_shortcut(&NEW),
                i.consume_shortcut(&OPEN),
                i.consume_shortcut(&SAVE_AS),
                i.consume_shortcut(&SAVE),
                i.consume_shortcut(&REDO_SHIFT) || i.consume_shortcut(&REDO),
                i.consume_shortcut(&UNDO),
                i.consume_shortcut(&PRESENT),
            )
        });
        if new {
            self.guarded(Pending::New);
        }
        if open {
            self.guarded(Pending::AskOpen);
        }
        if save_as {
            self.dialogs.request(DialogRequest::SaveAs {
                suggested: self.session.file_name(),
            });
        } else if save {
            self.save();
        }
        if undo {
            self.session.undo();
        }
        if redo {
            self.session.redo();
        }
        if present {
            self.presenting = !self.presenting;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&GLOSSARY)) {
            self.help.glossary = !self.help.glossary;
        }
        let (next, previous) = ctx.input_mut(|i| {
            (
                i.consume_shortcut(&NEXT_VIEW),
                i.consume_shortcut(&PREVIOUS_VIEW),
            )
        });
        let n = self.views.len().max(1);
        if next {
            self.active = (self.active + 1) % n;
        }
        if previous {
            self.active = (self.active + n - 1) % n;
        }
        if self.presenting {
            let (esc, left, right) = ctx.input_mut(|i| {
                (
                    i.consume_key(Modifiers::NONE, Key::Escape),
                    i.consume_key(Modifiers::NONE, Key::ArrowLeft),
                    i.consume_key(Modifiers::NONE, Key::ArrowRight),
                )
            });
            if esc {
                self.presenting = false;
            }
            if left {
                self.step_chart(-1);
            }
            if right {
                self.step_chart(1);
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.guarded(Pending::Open(path));
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.close_confirmed
            && self.session.is_dirty()
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.modal = Some(Modal::Unsaved(Pending::Close));
        }
    }

    /// Shows the first view, in tab order, that has something to show for the open file (a
    /// file of load tests alone opens on Goodput, not on an empty Compare); Compare when none
    /// has.
    fn show_first_view_with_data(&mut self) {
        let doc = self.session.doc.clone();
        let eval = self.session.evaluation().clone();
        self.active = self
            .views
            .iter_mut()
            .position(|v| v.chart(&doc, &eval).is_some())
            .unwrap_or(0);
    }

    /// The view that shows a navigator item, for the items that have one of their own.
    fn view_of(selection: Selection) -> Option<&'static str> {
        match selection {
            Selection::Reconciliation(_) => Some("Reconciliation"),
            Selection::LoadTest(_) => Some("Goodput"),
            Selection::Register(_) => Some("Sensitivity"),
            Selection::Migration => Some("Gates"),
            Selection::Forecast => Some("Forecast"),
            Selection::Attribution => Some("Attribution"),
            Selection::Incident(_) | Selection::MonthlyReview => Some("Review"),
            Selection::Simulation => Some("Uncertainty"),
            _ => None,
        }
    }

    /// Moves to the next (or previous) view that has a chart.
    fn step_chart(&mut self, dir: isize) {
        let n = self.views.len() as isize;
        let doc = self.session.doc.clone();
        let eval = self.session.evaluation().clone();
        for k in 1..=n {
            let i = (self.active as isize + dir * k).rem_euclid(n) as usize;
            if self
                .views
                .get_mut(i)
                .and_then(|v| v.chart(&doc, &eval))
                .is_some()
            {
                self.active = i;
                return;
            }
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("New\tCtrl+N").clicked() {
                    self.guarded(Pending::New);
                }
                if ui.button("New from template…").on_hover_text("A complete case from a workload template and catalog routes").clicked() {
                    self.guarded(Pending::NewFromTemplate);
                }
                if ui.button("Browse catalog…").on_hover_text("Dated token prices, GPU offers, accelerators and model shapes; add a rate card or route from a row").clicked() {
                    self.open_catalog();
                }
                if ui.button("Open…\tCtrl+O").clicked() {
                    self.guarded(Pending::AskOpen);
                }
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.label("No recent files");
                    }
                    for path in self.prefs.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            self.guarded(Pending::Open(path));
                        }
                    }
                });
                ui.separator();
                if ui.button("Save\tCtrl+S").clicked() {
                    self.save();
                }
                if ui.button("Save As…\tCtrl+Shift+S").clicked() {
                    self.dialogs.request(DialogRequest::SaveAs {
                        suggested: self.session.file_name(),
                    });
                }
                if ui
                    .add_enabled(self.session.is_dirty(), egui::Button::new("Revert"))
                    .clicked()
                {
                    self.guarded(Pending::Revert);
                }
                if ui
                    .button("Compare with…")
                    .on_hover_text("Another copy of this workspace (a colleague's): every changed input and what it did to each scenario's LCPR")
                    .clicked()
                {
                    self.dialogs.request(DialogRequest::CompareWith);
                }
                ui.separator();
                if ui
                    .add_enabled(self.import.is_none(), egui::Button::new("Import traces…"))
                    .on_hover_text("Per-request traces become a dated baseline per workload")
                    .clicked()
                {
                    self.dialogs.request(DialogRequest::ImportTraces);
                }
                for kind in EvidenceDialog::ALL {
                    if ui
                        .button(kind.menu_label())
                        .on_hover_text(kind.hint())
                        .clicked()
                    {
                        self.dialogs.request(DialogRequest::ImportEvidence(kind));
                    }
                }
                ui.separator();
                let has_scenarios = !self.session.doc.scenarios.is_empty();
                if ui
                    .add_enabled(has_scenarios, egui::Button::new("Export memo…"))
                    .on_disabled_hover_text("A decision memo needs at least one scenario")
                    .clicked()
                {
                    self.ask_export(ExportKind::Memo);
                }
                if ui.button("Export review pack…").clicked() {
                    self.ask_export(ExportKind::Review);
                }
                if ui
                    .button("Export slides…")
                    .on_hover_text("Every chart as presenter mode shows it, one per page")
                    .clicked()
                {
                    self.ask_export(ExportKind::Slides);
                }
                if ui.button("Export compare table as CSV…").clicked() {
                    self.ask_export(ExportKind::CompareCsv);
                }
                if ui.button("Copy compare table as CSV").clicked() {
                    ui.ctx().copy_text(self.compare_csv());
                    self.status = "Copied the compare table as CSV".to_owned();
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                if ui
                    .add_enabled(self.session.can_undo(), egui::Button::new("Undo\tCtrl+Z"))
                    .clicked()
                {
                    self.session.undo();
                }
                if ui
                    .add_enabled(self.session.can_redo(), egui::Button::new("Redo\tCtrl+Y"))
                    .clicked()
                {
                    self.session.redo();
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Presenter mode\tF11").clicked() {
                    self.presenting = true;
                }
                let label = if self.prefs.dark {
                    "Light theme"
                } else {
                    "Dark theme"
                };
                if ui.button(label).clicked() {
                    self.prefs.dark = !self.prefs.dark;
                    theme::apply(ui.ctx(), self.prefs.dark);
                    self.save_prefs();
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Glossary\tF1").clicked() {
                    self.help.glossary = true;
                }
                if ui.button("Keyboard shortcuts").clicked() {
                    self.help.shortcuts = true;
                }
                ui.menu_button("Open an example workspace", |ui| {
                    for (i, (title, _, _)) in help::EXAMPLES.iter().enumerate() {
                        if ui.button(*title).clicked() {
                            self.guarded(Pending::Example(i));
                        }
                    }
                });
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("▶ Present")
                    .on_hover_text("Show one chart full-window (F11; arrows step, Esc leaves)")
                    .clicked()
                {
                    self.presenting = true;
                }
            });
        });
    }

    fn status_bar(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let path = self
                .session
                .path()
                .map_or_else(|| "not saved yet".to_owned(), |p| p.display().to_string());
            ui.label(RichText::new(path).small());
            if self.session.is_dirty() {
                ui.label(
                    RichText::new("● unsaved changes")
                        .small()
                        .color(theme::warn_color(ui.visuals())),
                );
            }
            let problems = self.session.violations().len();
            if problems > 0 {
                ui.label(
                    RichText::new(format!(
                        "⚠ {problems} broken {}: see Workspace",
                        if problems == 1 { "rule" } else { "rules" }
                    ))
                    .small()
                    .color(theme::error_color(ui.visuals())),
                );
            }
            if let Some(today) = Date::today() {
                let max = self.prefs.card_max_age_days();
                let stale =
                    lcpr_core::evidence::catalog::stale_cards(&self.session.doc, today, max);
                if !stale.is_empty() {
                    ui.label(
                        RichText::new(format!(
                            "⚠ {} priced over {max} days ago",
                            match stale.len() {
                                1 => "1 rate card".to_owned(),
                                n => format!("{n} rate cards"),
                            }
                        ))
                        .small()
                        .color(theme::warn_color(ui.visuals())),
                    )
                    .on_hover_text(
                        stale
                            .iter()
                            .map(|s| format!("{}: {} ({} days)", s.card, s.priced_on, s.age_days))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(&self.status).small().weak());
            });
        });
    }

    fn workbench(&mut self, ui: &mut Ui) {
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::left("navigator")
            .resizable(true)
            .default_size(theme::NAVIGATOR_WIDTH)
            .show(ui, |ui| {
                let before = self.selection;
                egui::ScrollArea::vertical().show(ui, |ui| {
                    navigator::ui(ui, &mut self.session.doc, &mut self.selection);
                });
                // Picking an item with a view of its own shows that view.
                if self.selection != before
                    && let Some(title) = Self::view_of(self.selection)
                {
                    self.show_view(title);
                    let selection = self.selection;
                    if let Some(v) = self.views.get_mut(self.active) {
                        v.focus(&self.session.doc, selection);
                    }
                }
            });
        let violations = self.session.violations().to_vec();
        egui::Panel::right("editor")
            .resizable(true)
            .default_size(theme::EDITOR_WIDTH)
            .show(ui, |ui| {
                editor::ui(ui, &mut self.session.doc, &mut self.selection, &violations);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (i, v) in self.views.iter().enumerate() {
                    if ui.selectable_label(self.active == i, v.title()).clicked() {
                        self.active = i;
                    }
                }
            });
            ui.separator();
            // A new workspace opens on the getting-started panel; the other tabs keep their
            // own empty states.
            if self.active == 0 && help::is_empty(&self.session.doc) {
                match help::getting_started(ui) {
                    Some(help::Start::ImportTraces) => {
                        self.dialogs.request(DialogRequest::ImportTraces);
                    }
                    Some(help::Start::Example(i)) => self.guarded(Pending::Example(i)),
                    Some(help::Start::Glossary) => self.help.glossary = true,
                    Some(help::Start::Template) => self.guarded(Pending::NewFromTemplate),
                    Some(help::Start::Catalog) => self.open_catalog(),
                    None => {}
                }
                return;
            }
            let eval = self.session.evaluation().clone();
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    if let Some(view) = self.views.get_mut(self.active) {
                        let mut cx = ViewContext {
                            doc: &mut self.session.doc,
                            eval: &eval,
                            select: None,
                        };
                        view.ui(ui, &mut cx);
                        if let Some(s) = cx.select {
                            self.selection = s;
                        }
                    }
                });
        });
    }

    fn presenter(&mut self, ui: &mut Ui) {
        let doc = self.session.doc.clone();
        let eval = self.session.evaluation().clone();
        // Slides are the views with a chart, in tab order; the counter places the shown one.
        let with_chart: Vec<usize> = (0..self.views.len())
            .filter(|&i| {
                self.views
                    .get_mut(i)
                    .and_then(|v| v.chart(&doc, &eval))
                    .is_some()
            })
            .collect();
        let place = with_chart.iter().position(|&i| i == self.active);
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.button("✕ Leave presenter mode").clicked() {
                    self.presenting = false;
                }
                if ui.button("Export slides…").clicked() {
                    self.ask_export(ExportKind::Slides);
                }
                ui.label(RichText::new(format!("{} — ← → to step", doc.meta.title)).weak());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if let Some(p) = place {
                        ui.label(
                            RichText::new(lcpr_core::report::slides::counter(p, with_chart.len()))
                                .size(22.0)
                                .strong(),
                        );
                    }
                });
            });
            let view = self.views.get_mut(self.active);
            let slide = view.and_then(|v| {
                let chart = v.chart(&doc, &eval)?;
                Some((chart, v.headline(&doc, &eval)))
            });
            match slide {
                Some((chart, takeaway)) => {
                    ui.add_space(6.0);
                    ui.label(RichText::new(&chart.title).size(30.0).strong());
                    if let Some(t) = takeaway {
                        ui.add(egui::Label::new(RichText::new(t).size(20.0)).wrap());
                    }
                    ui.add_space(6.0);
                    // In-chart labels and the legend read from the back of the room.
                    for font in ui.style_mut().text_styles.values_mut() {
                        font.size *= 1.35;
                    }
                    let height = ui.available_height() - 70.0;
                    plot::show_untitled(ui, "presented", &chart, height);
                }
                None => {
                    ui.label(
                        RichText::new(format!(
                            "{} has no chart; press → for the next one.",
                            self.active_view()
                        ))
                        .heading(),
                    );
                }
            }
        });
    }

    /// The trace-import dialog: on Start, the mapping is saved when asked (its own undo step)
    /// and the import begins.
    fn trace_setup(&mut self, mut setup: Box<TraceSetup>, ctx: &egui::Context) {
        let mut action = SetupAction::Open;
        egui::Modal::new(egui::Id::unique("trace-setup")).show(ctx, |ui| {
            action = setup.ui(ui, &self.session.doc);
        });
        match action {
            SetupAction::Open => self.modal = Some(Modal::TraceSetup(setup)),
            SetupAction::Cancel => {}
            SetupAction::Import {
                mapping,
                save,
                flags,
            } => {
                if save {
                    let saved = &mut self.session.doc.trace_mappings;
                    match saved.iter_mut().find(|m| m.name == mapping.name) {
                        Some(m) => *m = mapping.clone(),
                        None => saved.push(mapping.clone()),
                    }
                    self.status = format!("Saved mapping {} in the workspace", mapping.name);
                }
                self.start_import(&setup.path, setup.format, mapping, *flags, ctx);
            }
        }
    }

    /// The FOCUS service chooser: on Import, the invoice is read with those services only.
    fn invoice_setup(&mut self, mut setup: Box<InvoiceSetup>, ctx: &egui::Context) {
        let mut action = InvoiceAction::Open;
        egui::Modal::new(egui::Id::unique("invoice-setup")).show(ctx, |ui| {
            action = setup.ui(ui);
        });
        match action {
            InvoiceAction::Open => self.modal = Some(Modal::InvoiceSetup(setup)),
            InvoiceAction::Cancel => {}
            InvoiceAction::Import { services, mapping } => {
                self.run_evidence_import(EvidenceDialog::Invoice, &setup.path, services, mapping);
            }
        }
    }

    /// The import's report: Apply puts its document in place (one undo step), Cancel leaves
    /// the document as it was.
    fn import_preview(&mut self, preview: Box<ImportPreview>, ctx: &egui::Context) {
        let mut action = PreviewAction::Open;
        egui::Modal::new(egui::Id::unique("import-preview")).show(ctx, |ui| {
            action = preview.ui(ui);
        });
        match action {
            PreviewAction::Open => self.modal = Some(Modal::Preview(preview)),
            PreviewAction::Cancel => {
                self.status = format!("Import of {} cancelled: nothing changed", preview.file);
            }
            PreviewAction::Apply => {
                let preview = *preview;
                self.session.doc = preview.doc;
                self.status = preview.status;
                if let Some(at) = preview.select {
                    self.selection = at;
                }
            }
        }
    }

    /// File → New from template…: Create opens the case as a new, unsaved workspace.
    fn template_dialog(&mut self, mut dialog: Box<TemplateDialog>, ctx: &egui::Context) {
        let mut action = TemplateAction::Open;
        egui::Modal::new(egui::Id::unique("new-from-template")).show(ctx, |ui| {
            action = dialog.ui(ui);
        });
        match action {
            TemplateAction::Open => self.modal = Some(Modal::Template(dialog)),
            TemplateAction::Cancel => {}
            TemplateAction::Create(ws) => {
                self.discard_snapshot();
                let title = ws.meta.title.clone();
                self.session = Session::new(*ws, None);
                // Never saved: the title carries the unsaved marker and Save asks for a file.
                self.session.mark_recovered(None, None);
                self.selection = Selection::Meta;
                self.status = format!("New case from a template: {title}");
                self.show_first_view_with_data();
            }
        }
    }

    fn open_catalog(&mut self) {
        match CatalogBrowser::new() {
            Ok(b) => self.catalog = Some(b),
            Err(e) => self.modal = Some(Modal::Error(e)),
        }
    }

    /// The catalog browser's window; an added card or route is one undo step.
    fn catalog_window(&mut self, ctx: &egui::Context) {
        let Some(mut browser) = self.catalog.take() else {
            return;
        };
        let mut open = true;
        let mut action = BrowserAction::None;
        let today = Date::today().unwrap_or(browser.catalog().snapshot);
        let mut max_age = self.prefs.card_max_age_days();
        egui::Window::new("Catalog")
            .open(&mut open)
            .default_pos([260.0, 40.0])
            .default_width(960.0)
            .min_width(760.0)
            .show(ctx, |ui| {
                action = browser.ui(ui, &self.session.doc, today, &mut max_age);
            });
        if max_age != self.prefs.card_max_age_days() {
            self.prefs.card_max_age_days = Some(max_age);
            self.save_prefs();
        }
        let mut doc = self.session.doc.clone();
        let c = browser.catalog();
        let added = match &action {
            BrowserAction::None => None,
            BrowserAction::AddCard(id) => Some(
                match c.offer(id) {
                    Ok(lcpr_core::evidence::catalog::Offer::Tokens(t)) => {
                        lcpr_core::evidence::catalog::add_token_card(&mut doc, c, t).map(|a| a.id)
                    }
                    Ok(lcpr_core::evidence::catalog::Offer::Gpu(g)) => {
                        c.accelerator(&g.accelerator)
                            .ok_or_else(|| format!("{} names no accelerator", g.id))
                            .and_then(|acc| {
                                let load = lcpr_core::evidence::catalog::GpuLoad {
                                    throughput_tps:
                                        lcpr_core::evidence::catalog::assumed_throughput(acc),
                                    utilization: lcpr_core::case::template::BROWSER_GPU_ROUTE
                                        .utilization,
                                };
                                lcpr_core::evidence::catalog::add_gpu_card(&mut doc, c, g, load)
                            })
                            .map(|a| a.id)
                    }
                    Err(e) => Err(e),
                }
                .map(|card| {
                    let at = doc.rate_cards.iter().position(|x| x.id == card);
                    (format!("rate card {card}"), at.map(Selection::RateCard))
                }),
            ),
            BrowserAction::AddRoute(id) => Some(
                lcpr_core::case::template::add_catalog_route(
                    &mut doc,
                    c,
                    id,
                    &lcpr_core::case::template::BROWSER_GPU_ROUTE,
                )
                .map(|route| {
                    let at = doc.routes.iter().position(|x| x.id == route);
                    (
                        format!("route {route} and its rate card"),
                        at.map(Selection::Route),
                    )
                }),
            ),
        };
        match added {
            Some(Ok((what, at))) if doc != self.session.doc => {
                self.session.doc = doc;
                self.status = format!("Added {what} from the catalog of {}", c.snapshot);
                if let Some(at) = at {
                    self.selection = at;
                }
            }
            Some(Ok((what, _))) => self.status = format!("The workspace already has {what}"),
            Some(Err(e)) => self.modal = Some(Modal::Error(e)),
            None => {}
        }
        if open {
            self.catalog = Some(browser);
        }
    }

    /// True while an import's report waits to be applied or cancelled.
    #[must_use]
    pub fn previewing_import(&self) -> bool {
        matches!(self.modal, Some(Modal::Preview(_)))
    }

    fn modals(&mut self, ctx: &egui::Context) {
        let Some(modal) = self.modal.take() else {
            return;
        };
        let modal = match modal {
            Modal::TraceSetup(setup) => return self.trace_setup(setup, ctx),
            Modal::Template(dialog) => return self.template_dialog(dialog, ctx),
            Modal::InvoiceSetup(setup) => return self.invoice_setup(setup, ctx),
            Modal::Preview(preview) => return self.import_preview(preview, ctx),
            other => other,
        };
        let mut keep = true;
        match &modal {
            // Handled above, with mutable access to their state.
            Modal::TraceSetup(_)
            | Modal::InvoiceSetup(_)
            | Modal::Preview(_)
            | Modal::Template(_) => {}
            Modal::Error(text) => {
                egui::Modal::new(egui::Id::unique("error")).show(ctx, |ui| {
                    ui.heading("Could not complete that");
                    ui.label(RichText::new(text).color(theme::error_color(ui.visuals())));
                    ui.label("Nothing was changed.");
                    if ui.button("OK").clicked() {
                        keep = false;
                    }
                });
            }
            Modal::Diff(name, lines) => {
                let (name, lines) = (name.clone(), lines.clone());
                egui::Modal::new(egui::Id::unique("diff")).show(ctx, |ui| {
                    ui.heading(format!("{} compared with {name}", self.session.file_name()));
                    ui.label("Inputs as the computation sees them (register values applied); yours → theirs.");
                    egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
                        for line in &lines {
                            ui.monospace(line);
                        }
                    });
                    if ui.button("Close").clicked() {
                        keep = false;
                    }
                });
            }
            Modal::ChangedOnDisk => {
                egui::Modal::new(egui::Id::unique("changed-on-disk")).show(ctx, |ui| {
                    ui.heading(format!("{} changed on disk", self.session.file_name()));
                    ui.label("Another program wrote the file after you opened it. Saving now replaces its changes with yours; reloading drops your unsaved changes.");
                    ui.horizontal(|ui| {
                        if ui.button("Overwrite").clicked() {
                            keep = false;
                            self.save_over_disk();
                        }
                        if ui.button("Reload from disk").clicked() {
                            keep = false;
                            match self.session.revert() {
                                Ok(()) => self.status = "Reloaded from disk".to_owned(),
                                Err(e) => self.status = format!("Could not reload: {e}"),
                            }
                        }
                        if ui.button("Cancel").clicked() {
                            keep = false;
                        }
                    });
                });
            }
            Modal::Unsaved(action) => {
                let action = action.clone();
                egui::Modal::new(egui::Id::unique("unsaved")).show(ctx, |ui| {
                    ui.heading(format!("Save changes to {}?", self.session.file_name()));
                    ui.label("Your changes are lost if you don't save them.");
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            keep = false;
                            if self.session.path().is_some() {
                                if self.save() {
                                    self.perform(action.clone());
                                }
                            } else {
                                self.then = Some(action.clone());
                                self.dialogs.request(DialogRequest::SaveAs {
                                    suggested: "workspace.yaml".to_owned(),
                                });
                            }
                        }
                        if ui.button("Don't save").clicked() {
                            keep = false;
                            self.perform(action.clone());
                        }
                        if ui.button("Cancel").clicked() {
                            keep = false;
                        }
                    });
                });
                if !keep && action == Pending::Close && self.close_confirmed {
                    ctx.send_viewport_cmd(ViewportCommand::Close);
                }
            }
            Modal::Recover(snapshot) => {
                let snapshot = snapshot.clone();
                egui::Modal::new(egui::Id::unique("recover")).show(ctx, |ui| {
                    ui.heading(format!("Recover unsaved changes from {}?", snapshot.info.time_of_day()));
                    let of = snapshot.info.original.as_ref().map_or_else(|| "an unsaved workspace".to_owned(), |p| p.display().to_string());
                    ui.label(format!("A snapshot of {of} was kept when the workbench last closed without saving."));
                    if snapshot.info.original_changed() {
                        ui.label(RichText::new("The file has changed since; recovering opens the snapshot as a separate unsaved copy.").color(theme::warn_color(ui.visuals())));
                    }
                    ui.horizontal(|ui| {
                        if ui.button("Recover").clicked() {
                            keep = false;
                            self.recover(&snapshot);
                        }
                        if ui.button("Discard").clicked() {
                            keep = false;
                            if let Some(paths) = &self.storage {
                                storage::clear_snapshot(paths, snapshot.info.original.as_deref());
                            }
                        }
                    });
                });
            }
        }
        if keep && self.modal.is_none() {
            self.modal = Some(modal);
        }
    }
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.reported_first_frame {
            self.reported_first_frame = true;
            if std::env::var_os("LCPR_REPORT_STARTUP").is_some() {
                eprintln!(
                    "lcpr-workbench: first frame {} ms after start",
                    self.started.elapsed().as_millis()
                );
            }
        }
        let time = ctx.input(|i| i.time);
        self.handle_dialogs();
        self.poll_import();
        self.handle_input(&ctx);
        if self.presenting {
            ctx.set_zoom_factor(theme::PRESENTER_ZOOM);
            self.presenter(ui);
        } else {
            ctx.set_zoom_factor(1.0);
            self.workbench(ui);
        }
        self.catalog_window(&ctx);
        self.modals(&ctx);
        self.help.windows(&ctx, &SHORTCUTS, &PRESENTER_KEYS);
        self.import_progress(&ctx);
        self.session.refresh(time);
        let title = self.session.title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
        self.autosave(time);
        if self.session.is_dirty() {
            // Wake up for the next autosave even when the user is idle.
            ctx.request_repaint_after(Duration::from_secs_f64(AUTOSAVE_SECONDS));
        }
        if self.dialogs.busy() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }
}
