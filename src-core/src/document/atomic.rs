//! Atomic file replacement: a save either lands whole or leaves the old file as it was.
//!
//! The bytes go to a temporary file in the same directory, are flushed to disk, and the
//! temporary file is renamed over the target (atomic on POSIX file systems); the directory is
//! then flushed so the rename itself survives a crash.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "workspace".into(), |n| n.to_string_lossy().into_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Replaces `target` with `bytes` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(target, |f| f.write_all(bytes))
}

/// Replaces `target` with what `fill` writes, atomically: if `fill` or any later step fails,
/// `target` is untouched and the temporary file is removed.
pub fn write_with(target: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let temp = temp_path(target);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = fill(&mut file).and_then(|()| {
        if let Ok(meta) = fs::metadata(target) {
            // Keep the permissions the user gave the file.
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()
    });
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&temp, target)) {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(d) = File::open(dir) {
        // Not every platform can flush a directory; the file itself is already safe.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lcpr-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn replaces_the_file() {
        let dir = scratch("replace");
        let target = dir.join("w.yaml");
        fs::write(&target, "old").unwrap_or_else(|e| panic!("{e}"));
        write(&target, b"new").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read_to_string(&target).ok().as_deref(), Some("new"));
        assert_eq!(fs::read_dir(&dir).map(|d| d.count()).ok(), Some(1));
    }

    #[test]
    fn a_failure_mid_write_leaves_the_old_file_and_no_debris() {
        let dir = scratch("fail");
        let target = dir.join("w.yaml");
        fs::write(&target, "old contents").unwrap_or_else(|e| panic!("{e}"));
        let result = write_with(&target, |f| {
            f.write_all(b"half of the new")?;
            Err(io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(
            fs::read_to_string(&target).ok().as_deref(),
            Some("old contents")
        );
        assert_eq!(fs::read_dir(&dir).map(|d| d.count()).ok(), Some(1));
    }

    #[test]
    fn a_missing_directory_fails_cleanly() {
        let target = std::env::temp_dir().join("lcpr-no-such-dir-xyz/w.yaml");
        assert!(write(&target, b"x").is_err());
        assert!(!target.exists());
    }
}
