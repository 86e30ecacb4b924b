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
    /// Where to save the workspace.
    SaveAs {
        /// The file name offered.
        suggested: String,
    },
    /// A trace file to import.
    ImportTraces,
    /// Where to write an export.
    Export {
        /// The file name offered.
        suggested: String,
        /// Extension of the format, e.g. `pdf`.
        extension: &'static str,
    },
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
                DialogRequest::Open => dialog
                    .add_filter("LCPR workspace", &["yaml", "yml"])
                    .pick_file(),
                DialogRequest::ImportTraces => dialog
                    .add_filter("Traces", &["csv", "jsonl", "ndjson", "json", "parquet"])
                    .pick_file(),
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
