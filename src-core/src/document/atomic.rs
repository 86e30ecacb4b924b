//! Atomic file replacement: a save either lands whole or leaves the old file as it was.
//!
//! The bytes go to a temporary file in the same directory as the real file, are flushed to
//! disk, and the temporary file is renamed over it (atomic on POSIX file systems); the directory
//! is then flushed so the rename itself survives a crash.
//!
//! A target that is a symbolic link is followed: the file the link points to is replaced and the
//! link stays a link. Temporary files are named `.NAME.tmp-PID-N`, removed on any failure, and
//! ones left by a killed process are removed by the next successful save beside them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Links followed before giving up, as the kernel does (`ELOOP`).
const MAX_LINK_HOPS: usize = 40;

/// Where a platform cannot tell whether a process lives, a temporary file older than this is
/// taken to be a killed save's leftover.
const STALE_AGE: Duration = Duration::from_secs(3600);

/// Environment variable that pauses a save halfway through writing its temporary file, for the
/// milliseconds it gives; the kill test uses it to kill a save while its temporary file exists.
pub const PAUSE_ENV: &str = "LCPR_FAULT_SAVE_PAUSE_MS";

/// The file `path` finally names once every symbolic link is followed (the link's target may
/// not exist yet: saving through a dangling link creates it).
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINK_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = if next.is_absolute() {
                    next
                } else {
                    current
                        .parent()
                        .map_or_else(|| next.clone(), |dir| dir.join(&next))
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "{} is a chain of more than {MAX_LINK_HOPS} symbolic links; point the link at the file itself",
        path.display()
    )))
}

fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map_or_else(|| "workspace".into(), |n| n.to_string_lossy().into_owned())
}

fn temp_prefix(target: &Path) -> String {
    format!(".{}.tmp-", file_name(target))
}

fn temp_path(target: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!("{}{}-{n}", temp_prefix(target), std::process::id()))
}

/// Replaces `target` with `bytes` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let pause = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| *ms > 0);
    write_with(target, |f| match pause {
        Some(ms) => {
            let (head, tail) = bytes.split_at(bytes.len() / 2);
            f.write_all(head)?;
            f.flush()?;
            std::thread::sleep(Duration::from_millis(ms));
            f.write_all(tail)
        }
        None => f.write_all(bytes),
    })
}

/// Replaces `target` with what `fill` writes, atomically: if `fill` or any later step fails,
/// `target` is untouched and the temporary file is removed.
pub fn write_with(target: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let target = resolve_links(target)?;
    let temp = temp_path(&target);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = fill(&mut file).and_then(|()| {
        if let Ok(meta) = fs::metadata(&target) {
            // Keep the permissions the user gave the file.
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()
    });
    drop(file);
    if let Err(e) = written.and_then(|()| fs::rename(&temp, &target)) {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Ok(d) = File::open(&dir) {
        // Not every platform can flush a directory; the file itself is already safe.
        let _ = d.sync_all();
    }
    remove_stale_temps(&dir, &target);
    Ok(())
}

/// Removes the temporary files of `target` that a killed save left: those whose process no
/// longer runs (or, where that cannot be known, that are old). Best effort: a file that cannot
/// be removed now is removed by a later save.
fn remove_stale_temps(dir: &Path, target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == own || process_may_run(pid, &entry.path()) {
            continue;
        }
        let _ = fs::remove_file(entry.path());
    }
}

/// False when process `pid` is known not to run. On Linux `/proc` says; elsewhere a temporary
/// file younger than [`STALE_AGE`] is assumed to belong to a live save.
fn process_may_run(pid: u32, temp: &Path) -> bool {
    let proc_root = Path::new("/proc/self");
    if proc_root.exists() {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    fs::metadata(temp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_none_or(|age| age < STALE_AGE)
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
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

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_stays_a_link() {
        let dir = scratch("link");
        fs::create_dir_all(dir.join("real")).unwrap_or_else(|e| panic!("{e}"));
        let real = dir.join("real/w.yaml");
        fs::write(&real, "old").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.join("link.yaml");
        std::os::unix::fs::symlink("real/w.yaml", &link).unwrap_or_else(|e| panic!("{e}"));
        // A link to the link: both hops are followed.
        let link2 = dir.join("link2.yaml");
        std::os::unix::fs::symlink("link.yaml", &link2).unwrap_or_else(|e| panic!("{e}"));
        write(&link2, b"new").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read_to_string(&real).ok().as_deref(), Some("new"));
        for l in [&link, &link2] {
            let meta = fs::symlink_metadata(l).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                meta.file_type().is_symlink(),
                "{} is no longer a link",
                l.display()
            );
        }
        assert_eq!(names(&dir.join("real")), vec!["w.yaml".to_owned()]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_refused() {
        let dir = scratch("loop");
        let a = dir.join("a.yaml");
        let b = dir.join("b.yaml");
        std::os::unix::fs::symlink("b.yaml", &a).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("a.yaml", &b).unwrap_or_else(|e| panic!("{e}"));
        let err = write(&a, b"x")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("symbolic links"), "{err}");
    }

    #[test]
    fn a_dead_process_temp_file_is_removed_by_the_next_save() {
        let dir = scratch("stale");
        let target = dir.join("w.yaml");
        fs::write(&target, "old").unwrap_or_else(|e| panic!("{e}"));
        // A pid above Linux's pid_max cannot be a live process.
        let stale = dir.join(".w.yaml.tmp-4294967294-0");
        fs::write(&stale, "half").unwrap_or_else(|e| panic!("{e}"));
        // Another file's temporary file and a live process's are left alone.
        let other = dir.join(".x.yaml.tmp-4294967294-0");
        fs::write(&other, "x").unwrap_or_else(|e| panic!("{e}"));
        let live = dir.join(format!(".w.yaml.tmp-{}-999", std::process::id()));
        fs::write(&live, "mine").unwrap_or_else(|e| panic!("{e}"));
        write(&target, b"new").unwrap_or_else(|e| panic!("{e}"));
        let mut expected = vec![
            format!(".w.yaml.tmp-{}-999", std::process::id()),
            ".x.yaml.tmp-4294967294-0".to_owned(),
            "w.yaml".to_owned(),
        ];
        expected.sort();
        if Path::new("/proc/self").exists() {
            assert_eq!(names(&dir), expected);
        }
    }
}
