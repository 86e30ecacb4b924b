//! The open document: its file, its saved state, undo history and computed results.
//!
//! Knows nothing of widgets: the app drives it, tests can too.

use std::path::{Path, PathBuf};

use egui::util::undoer::{Settings, Undoer};
use lcpr_core::case::evaluation::{Evaluation, evaluate};
use lcpr_core::document::{self, Date, DocumentError, Violation, Workspace, validate};

/// One open workspace.
pub struct Session {
    /// The document being edited.
    pub doc: Workspace,
    path: Option<PathBuf>,
    saved: Workspace,
    undoer: Undoer<Workspace>,
    evaluated: Workspace,
    eval: Evaluation,
    violations: Vec<Violation>,
    /// Content hash of the file as this session last read or wrote it, to notice another
    /// program changing it in between.
    disk: Option<String>,
}

/// Content hash of the file at `path` now, or `None` when it cannot be read.
fn disk_hash(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| lcpr_core::content_hash::content_hash(&b))
}

fn undoer() -> Undoer<Workspace> {
    // An edit becomes one undo step once the document has been still for half a second,
    // so a slider drag or a burst of typing is one step.
    Undoer::with_settings(Settings {
        max_undos: 200,
        stable_time: 0.5,
        auto_save_interval: 30.0,
    })
}

/// An empty workspace dated today.
#[must_use]
pub fn blank_workspace() -> Workspace {
    Workspace::empty("Untitled workspace", Date::today().unwrap_or(Date::EPOCH))
}

impl Session {
    /// A session over `doc`, saved at `path` (or never saved).
    #[must_use]
    pub fn new(doc: Workspace, path: Option<PathBuf>) -> Self {
        let eval = evaluate(&doc);
        let violations = validate(&doc);
        let mut undoer = undoer();
        undoer.feed_state(0.0, &doc);
        let disk = path.as_deref().and_then(disk_hash);
        Self {
            disk,
            saved: doc.clone(),
            evaluated: doc.clone(),
            doc,
            path,
            undoer,
            eval,
            violations,
        }
    }

    /// A new, empty, unsaved workspace.
    #[must_use]
    pub fn untitled() -> Self {
        Self::new(blank_workspace(), None)
    }

    /// Opens a workspace file.
    pub fn open(path: &Path) -> Result<Self, DocumentError> {
        let doc = document::load(path)?;
        Ok(Self::new(doc, Some(path.to_path_buf())))
    }

    /// The file, if the workspace has been saved.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The file name for titles.
    #[must_use]
    pub fn file_name(&self) -> String {
        self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "Untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// True when the document differs from the file.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.doc != self.saved
    }

    /// The window title: file name, an unsaved marker, the application.
    #[must_use]
    pub fn title(&self) -> String {
        let marker = if self.is_dirty() { " ●" } else { "" };
        format!("{}{marker} — LCPR Workbench", self.file_name())
    }

    /// Saves to the current file, stamping today's date.
    pub fn save(&mut self) -> Result<PathBuf, DocumentError> {
        let path = self.path.clone().ok_or_else(|| DocumentError::Write {
            file: "Untitled".to_owned(),
            source: std::io::Error::other("the workspace has no file yet; use Save As"),
        })?;
        self.save_as(&path)
    }

    /// True when the file was changed on disk (or removed) by another program since this
    /// session last read or wrote it: saving now would overwrite that change.
    #[must_use]
    pub fn changed_on_disk(&self) -> bool {
        match (&self.path, &self.disk) {
            (Some(path), Some(seen)) => disk_hash(path).as_ref() != Some(seen),
            _ => false,
        }
    }

    /// Saves to `path` and makes it the current file. The workspace's lock is held while
    /// writing, so a CLI import into the same file at the same moment is refused, not lost.
    pub fn save_as(&mut self, path: &Path) -> Result<PathBuf, DocumentError> {
        let mut doc = self.doc.clone();
        if let Some(today) = Date::today() {
            doc.meta.updated = today.max(doc.meta.created);
        }
        let _lock = document::WorkspaceLock::acquire(path, "LCPR Workbench").map_err(|e| {
            DocumentError::Write {
                file: path.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            }
        })?;
        document::save(&doc, path)?;
        self.disk = disk_hash(path);
        self.doc = doc.clone();
        self.saved = doc;
        self.path = Some(path.to_path_buf());
        Ok(path.to_path_buf())
    }

    /// Rereads the file, dropping unsaved changes; on failure nothing changes.
    pub fn revert(&mut self) -> Result<(), DocumentError> {
        let Some(path) = self.path.clone() else {
            self.doc = self.saved.clone();
            return Ok(());
        };
        let doc = document::load(&path)?;
        self.disk = disk_hash(&path);
        self.doc = doc.clone();
        self.saved = doc;
        Ok(())
    }

    /// Makes the document look unsaved relative to `original` (after a recovery).
    pub fn mark_recovered(&mut self, original: Option<PathBuf>, saved: Option<Workspace>) {
        self.path = original;
        self.disk = self.path.as_deref().and_then(disk_hash);
        if let Some(saved) = saved {
            self.saved = saved;
        } else {
            self.saved = blank_workspace();
        }
    }

    /// Records the document for undo and recomputes results when it changed. Call once a frame.
    pub fn refresh(&mut self, time: f64) {
        if self.doc != self.evaluated {
            // Inputs taken from evidence follow it through every edit (a baseline's rate, a
            // load test's GPUs, the token shape behind its capacity), within the same undo step.
            if self.doc.register.iter().any(|e| e.from.is_some()) {
                lcpr_core::case::sources::refresh(&mut self.doc);
            }
        }
        self.undoer.feed_state(time, &self.doc);
        if self.doc != self.evaluated {
            self.eval = evaluate(&self.doc);
            self.violations = validate(&self.doc);
            self.evaluated = self.doc.clone();
        }
    }

    /// Steps back one edit.
    pub fn undo(&mut self) -> bool {
        match self.undoer.undo(&self.doc) {
            Some(prev) => {
                self.doc = prev.clone();
                true
            }
            None => false,
        }
    }

    /// Steps forward one edit.
    pub fn redo(&mut self) -> bool {
        match self.undoer.redo(&self.doc) {
            Some(next) => {
                self.doc = next.clone();
                true
            }
            None => false,
        }
    }

    /// True when there is an edit to undo.
    #[must_use]
    pub fn can_undo(&self) -> bool {
        self.undoer.has_undo(&self.doc)
    }

    /// True when there is an edit to redo.
    #[must_use]
    pub fn can_redo(&self) -> bool {
        self.undoer.has_redo(&self.doc)
    }

    /// The results for the document as of the last refresh.
    #[must_use]
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// Broken rules as of the last refresh.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_workspace_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../workspaces/support-migration.yaml")
    }

    #[test]
    fn edits_mark_dirty_and_undo_restores() {
        let mut s = Session::open(&default_workspace_path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.is_dirty());
        s.refresh(0.0);
        let before = s.doc.clone();
        s.doc.meta.title = "Edited".into();
        s.refresh(1.0);
        s.refresh(2.0);
        assert!(s.is_dirty());
        assert!(s.undo());
        assert_eq!(s.doc, before);
        assert!(s.redo());
        assert_eq!(s.doc.meta.title, "Edited");
    }

    #[test]
    fn a_fresh_untitled_document_is_clean() {
        let s = Session::untitled();
        assert!(!s.is_dirty());
        assert_eq!(s.file_name(), "Untitled");
        assert!(s.title().starts_with("Untitled — "));
    }

    #[test]
    fn results_follow_edits() {
        let mut s = Session::open(&default_workspace_path()).unwrap_or_else(|e| panic!("{e}"));
        let lcpr = |s: &Session| {
            s.evaluation()
                .scenarios
                .first()
                .and_then(|x| x.cost.as_ref())
                .map(|c| c.lcpr)
        };
        let before = lcpr(&s);
        s.doc.workloads[0].retry_rate = 0.5;
        s.refresh(1.0);
        assert_ne!(lcpr(&s), before);
    }

    #[test]
    fn a_change_on_disk_by_another_program_is_noticed_until_reread() {
        let dir = std::env::temp_dir().join(format!("lcpr-session-disk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("w.yaml");
        std::fs::copy(default_workspace_path(), &path).unwrap_or_else(|e| panic!("{e}"));
        let mut s = Session::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.changed_on_disk());
        let mut other = document::load(&path).unwrap_or_else(|e| panic!("{e}"));
        other.meta.title = "Changed elsewhere".to_owned();
        document::save(&other, &path).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.changed_on_disk());
        s.revert().unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.changed_on_disk());
        assert_eq!(s.doc.meta.title, "Changed elsewhere");
        s.doc.meta.title = "Mine".to_owned();
        s.save().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !s.changed_on_disk(),
            "our own save is not a change by another program"
        );
    }

    #[test]
    fn a_save_while_another_writer_holds_the_lock_is_refused_and_keeps_the_file() {
        let dir = std::env::temp_dir().join(format!("lcpr-session-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("w.yaml");
        std::fs::copy(default_workspace_path(), &path).unwrap_or_else(|e| panic!("{e}"));
        let before = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut s = Session::open(&path).unwrap_or_else(|e| panic!("{e}"));
        s.doc.meta.title = "Mine".to_owned();
        let held = document::WorkspaceLock::acquire(&path, "lcpr import traces")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = s.save().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("lcpr import traces"), "{err}");
        assert_eq!(std::fs::read(&path).ok(), Some(before));
        assert!(s.is_dirty());
        drop(held);
        s.save().unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.is_dirty());
    }

    #[test]
    fn save_as_then_revert() {
        let dir = std::env::temp_dir().join(format!("lcpr-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("copy.yaml");
        let mut s = Session::open(&default_workspace_path()).unwrap_or_else(|e| panic!("{e}"));
        s.save_as(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.is_dirty());
        s.doc.meta.title = "Changed".into();
        assert!(s.is_dirty());
        s.revert().unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.is_dirty());
        assert_ne!(s.doc.meta.title, "Changed");
    }
}
