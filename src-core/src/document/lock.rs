//! The advisory lock every writer of a workspace holds from reading it to saving it.
//!
//! Two writers that each read, change and save the same file would lose one's change; with the
//! lock the second is refused at once, told who holds it. The lock is an OS file lock on
//! `.NAME.lock` beside the workspace (the file a symbolic link points to, so two links share
//! one lock); the file records the holder for that message and is removed on release. The OS
//! drops the lock when the holder dies, so a killed writer never leaves the workspace locked.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::atomic;

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another writer holds it.
    #[error(
        "{file} is being changed by another writer ({holder}); wait for it to finish and run this again"
    )]
    Held {
        /// The workspace.
        file: String,
        /// Who holds the lock, as the holder wrote it.
        holder: String,
    },
    /// The lock file could not be made or locked.
    #[error(
        "{file}: cannot lock the workspace for writing ({source}); check that its folder is writable"
    )]
    Io {
        /// The workspace.
        file: String,
        /// The cause.
        source: io::Error,
    },
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct WorkspaceLock {
    file: File,
    path: PathBuf,
}

/// The lock file of `workspace`.
fn lock_path(workspace: &Path) -> io::Result<PathBuf> {
    let real = atomic::resolve_links(workspace)?;
    let name = real
        .file_name()
        .map_or_else(|| "workspace".into(), |n| n.to_string_lossy().into_owned());
    Ok(real.with_file_name(format!(".{name}.lock")))
}

impl WorkspaceLock {
    /// Takes the lock of `workspace` for `holder` (a short label such as `lcpr import traces`),
    /// or says who has it.
    pub fn acquire(workspace: &Path, holder: &str) -> Result<Self, LockError> {
        let shown = workspace.display().to_string();
        let io_err = |source| LockError::Io {
            file: shown.clone(),
            source,
        };
        let path = lock_path(workspace).map_err(io_err)?;
        // A holder that released and removed the file between our open and our lock leaves us
        // holding an unlinked file: open again until the locked file is the one on disk.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    let holder = text.trim();
                    return Err(LockError::Held {
                        file: shown,
                        holder: if holder.is_empty() {
                            "a writer that has not said who it is".to_owned()
                        } else {
                            holder.to_owned()
                        },
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_err(e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let note = format!(
                "{holder}, process {}, since {}",
                std::process::id(),
                super::Date::today().map_or_else(|| "today".to_owned(), |d| d.to_string())
            );
            file.set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| file.write_all(note.as_bytes()))
                .map_err(io_err)?;
            return Ok(Self { file, path });
        }
        Err(io_err(io::Error::other(
            "the lock file kept changing under us",
        )))
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for WorkspaceLock {
    fn drop(&mut self) {
        // Remove while still holding, so no one locks the file we are about to unlink and keep it
        // past us; a writer that opened it meanwhile sees the inode change and opens anew.
        if cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lcpr-lock-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn a_second_writer_is_refused_and_told_who_holds_it() {
        let dir = scratch("second");
        let ws = dir.join("w.yaml");
        fs::write(&ws, "x").unwrap_or_else(|e| panic!("{e}"));
        let first =
            WorkspaceLock::acquire(&ws, "lcpr import traces").unwrap_or_else(|e| panic!("{e}"));
        let second = WorkspaceLock::acquire(&ws, "lcpr import loadtest");
        let msg = second.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("lcpr import traces"), "{msg}");
        assert!(
            msg.contains(&format!("process {}", std::process::id())),
            "{msg}"
        );
        assert!(msg.contains("w.yaml"), "{msg}");
        drop(first);
        // Released: the next writer gets it, and no lock file is left behind after it.
        let third = WorkspaceLock::acquire(&ws, "lcpr fmt").unwrap_or_else(|e| panic!("{e}"));
        drop(third);
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn two_links_to_one_file_share_its_lock() {
        let dir = scratch("links");
        let ws = dir.join("w.yaml");
        fs::write(&ws, "x").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.join("l.yaml");
        std::os::unix::fs::symlink("w.yaml", &link).unwrap_or_else(|e| panic!("{e}"));
        let _first = WorkspaceLock::acquire(&link, "gui").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            WorkspaceLock::acquire(&ws, "cli"),
            Err(LockError::Held { .. })
        ));
    }
}
