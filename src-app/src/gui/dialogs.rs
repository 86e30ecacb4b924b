//! File dialogs behind a small trait: native dialogs run off the UI thread (the desktop portal
//! answers asynchronously), and tests script the answers.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// What the user is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogRequest {
    /// A workspace to open.
    Open,
    /// Another copy of the workspace to compare the open one with.
    CompareWith,
    /// Where to save the workspace.
    SaveAs {
        /// The file name offered.
        suggested: String,
    },
    /// A trace file to import.
    ImportTraces,
    /// An evidence file to import.
    ImportEvidence(EvidenceDialog),
    /// Where to write an export.
    Export {
        /// The file name offered.
        suggested: String,
        /// Extension of the format, e.g. `pdf`.
        extension: &'static str,
    },
}

/// The evidence files the workbench imports besides traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceDialog {
    /// A FOCUS or plain invoice CSV.
    Invoice,
    /// Eval results.
    Evals,
    /// Human reviews.
    Reviews,
    /// Contracted rates.
    Contract,
    /// Load-test results.
    LoadTest,
    /// A model's `config.json`.
    ModelConfig,
    /// A price book (LiteLLM, genai-prices, OpenRouter).
    PriceBook,
}

impl EvidenceDialog {
    /// Every kind, in menu order.
    pub const ALL: [Self; 7] = [
        Self::Invoice,
        Self::Evals,
        Self::Reviews,
        Self::Contract,
        Self::LoadTest,
        Self::ModelConfig,
        Self::PriceBook,
    ];

    /// The menu entry.
    #[must_use]
    pub fn menu_label(self) -> &'static str {
        match self {
            Self::Invoice => "Import invoice…",
            Self::Evals => "Import eval results…",
            Self::Reviews => "Import human reviews…",
            Self::Contract => "Import contract…",
            Self::LoadTest => "Import load test…",
            Self::ModelConfig => "Import model config…",
            Self::PriceBook => "Import price book…",
        }
    }

    /// What the import does, for the menu's hover text.
    #[must_use]
    pub fn hint(self) -> &'static str {
        match self {
            Self::Invoice => {
                "Into the selected reconciliation (or the one its lines fit): the amount as billed and lines billed off the contracted rate"
            }
            Self::Evals => {
                "Into the selected reconciliation: grading cost and accepted outputs, joined with imported reviews"
            }
            Self::Reviews => {
                "Into the selected reconciliation: review cost, joined with imported eval results"
            }
            Self::Contract => "Contracted rates per meter, against which invoices are checked",
            Self::LoadTest => {
                "One load test per run for the selected workload, with its goodput under the SLOs"
            }
            Self::ModelConfig => {
                "A Hugging Face config.json: the attention shape of the migration case's model"
            }
            Self::PriceBook => {
                "LiteLLM's model prices, genai-prices or OpenRouter's models: new rate cards, and drift from the cards already here (contract overlays kept)"
            }
        }
    }

    /// The file filter's name and extensions.
    #[must_use]
    pub fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::Invoice => ("Invoice CSV", &["csv"]),
            Self::Evals | Self::Reviews => ("CSV or JSON Lines", &["csv", "jsonl", "ndjson"]),
            Self::Contract => ("Contract CSV", &["csv"]),
            Self::LoadTest => ("Load-test results", &["csv", "jsonl", "json"]),
            Self::ModelConfig => ("config.json", &["json"]),
            Self::PriceBook => ("Price book", &["json", "yml", "yaml", "excerpt"]),
        }
    }
}

/// The answer: a path, or nothing when the user cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogAnswer {
    /// The request answered.
    pub request: DialogRequest,
    /// The chosen path.
    pub path: Option<PathBuf>,
}

/// Asks the user for files.
pub trait FileDialogs {
    /// Starts a dialog; the answer arrives through [`FileDialogs::poll`].
    fn request(&mut self, request: DialogRequest);
    /// The answer, once there is one.
    fn poll(&mut self) -> Option<DialogAnswer>;
    /// True while a dialog is open.
    fn busy(&self) -> bool;
}

/// Native dialogs (rfd), each on its own thread.
#[derive(Default)]
pub struct NativeDialogs {
    pending: Option<(DialogRequest, Receiver<Option<PathBuf>>)>,
}

impl FileDialogs for NativeDialogs {
    fn request(&mut self, request: DialogRequest) {
        if self.pending.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let r = request.clone();
        std::thread::spawn(move || {
            let dialog = rfd::FileDialog::new();
            let path = match r {
                DialogRequest::Open | DialogRequest::CompareWith => dialog
                    .add_filter("LCPR workspace", &["yaml", "yml"])
                    .pick_file(),
                DialogRequest::ImportTraces => dialog
                    .add_filter("Traces", &["csv", "jsonl", "ndjson", "json", "parquet"])
                    .pick_file(),
                DialogRequest::ImportEvidence(kind) => {
                    let (name, extensions) = kind.filter();
                    dialog.add_filter(name, extensions).pick_file()
                }
                DialogRequest::SaveAs { suggested } => dialog
                    .add_filter("LCPR workspace", &["yaml"])
                    .set_file_name(suggested)
                    .save_file(),
                DialogRequest::Export {
                    suggested,
                    extension,
                } => dialog
                    .add_filter(extension.to_uppercase(), &[extension])
                    .set_file_name(suggested)
                    .save_file(),
            };
            // The receiver may be gone if the app quit meanwhile; nothing to do then.
            let _ = tx.send(path);
        });
        self.pending = Some((request, rx));
    }

    fn poll(&mut self) -> Option<DialogAnswer> {
        let (request, rx) = self.pending.as_ref()?;
        let path = match rx.try_recv() {
            Ok(path) => path,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => None,
        };
        let request = request.clone();
        self.pending = None;
        Some(DialogAnswer { request, path })
    }

    fn busy(&self) -> bool {
        self.pending.is_some()
    }
}

/// Dialogs that answer from a script, for tests and headless runs.
#[derive(Default)]
pub struct ScriptedDialogs {
    /// Answers given in order; an empty queue answers "cancelled".
    pub answers: VecDeque<Option<PathBuf>>,
    /// Every request made, in order.
    pub asked: Vec<DialogRequest>,
    ready: Option<DialogAnswer>,
}

impl ScriptedDialogs {
    /// Dialogs that will answer with `paths` in order.
    #[must_use]
    pub fn answering(paths: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        Self {
            answers: paths.into_iter().collect(),
            ..Self::default()
        }
    }
}

impl FileDialogs for ScriptedDialogs {
    fn request(&mut self, request: DialogRequest) {
        self.asked.push(request.clone());
        let path = self.answers.pop_front().flatten();
        self.ready = Some(DialogAnswer { request, path });
    }

    fn poll(&mut self) -> Option<DialogAnswer> {
        self.ready.take()
    }

    fn busy(&self) -> bool {
        self.ready.is_some()
    }
}
