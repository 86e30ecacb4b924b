//! Per-user preferences, recent files and autosave snapshots.
//!
//! Snapshots never overwrite the user's file: they go to the per-user data directory with the
//! original's path, size and hash, so recovery can tell whether the original changed since.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lcpr_core::document::atomic;
use serde::{Deserialize, Serialize};

/// How many recent files are remembered.
pub const MAX_RECENT: usize = 10;

/// Where preferences and snapshots live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoragePaths {
    /// Preferences and recent files.
    pub config_dir: PathBuf,
    /// Autosave snapshots.
    pub data_dir: PathBuf,
}

impl StoragePaths {
    /// The user's standard directories for this application.
    #[must_use]
    pub fn for_user() -> Option<Self> {
        let dirs = directories::ProjectDirs::from("org", "LCPR", "LCPR Workbench")?;
        Some(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
        })
    }

    /// Both under one directory (tests, portable installs).
    #[must_use]
    pub fn under(dir: &Path) -> Self {
        Self {
            config_dir: dir.join("config"),
            data_dir: dir.join("data"),
        }
    }

    fn prefs_file(&self) -> PathBuf {
        self.config_dir.join("preferences.json")
    }

    fn autosave_dir(&self) -> PathBuf {
        self.data_dir.join("autosave")
    }
}

/// What the user chose last time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Dark theme.
    pub dark: bool,
    /// Recently opened workspaces, newest first.
    pub recent: Vec<PathBuf>,
    /// Rate cards priced longer ago than this many days are flagged (default 90).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_max_age_days: Option<i64>,
}

impl Prefs {
    /// The age in days past which a rate card's prices are flagged.
    #[must_use]
    pub fn card_max_age_days(&self) -> i64 {
        self.card_max_age_days
            .unwrap_or(lcpr_core::evidence::catalog::DEFAULT_MAX_CARD_AGE_DAYS)
    }

    /// Reads the preferences; missing or unreadable preferences give the defaults.
    #[must_use]
    pub fn load(paths: &StoragePaths) -> Self {
        std::fs::read_to_string(paths.prefs_file())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Writes the preferences atomically.
    pub fn save(&self, paths: &StoragePaths) -> std::io::Result<()> {
        std::fs::create_dir_all(&paths.config_dir)?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        atomic::write(&paths.prefs_file(), text.as_bytes())
    }

    /// Puts `path` first in the recent list.
    pub fn add_recent(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }
}

/// What a snapshot remembers about the file it protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    /// The workspace file, if it had one.
    pub original: Option<PathBuf>,
    /// Its size when the snapshot was taken.
    pub original_size: Option<u64>,
    /// Its content hash then (FNV-1a, hex).
    pub original_hash: Option<String>,
    /// When the snapshot was taken (seconds since 1970, UTC).
    pub saved_at: u64,
}

impl SnapshotInfo {
    /// The snapshot time as `HH:MM UTC`.
    #[must_use]
    pub fn time_of_day(&self) -> String {
        let s = self.saved_at % 86_400;
        format!("{:02}:{:02} UTC", s / 3600, (s % 3600) / 60)
    }

    /// True when the original file changed since the snapshot was taken.
    #[must_use]
    pub fn original_changed(&self) -> bool {
        let Some(path) = &self.original else {
            return false;
        };
        match std::fs::read(path) {
            Ok(bytes) => Some(fnv1a_hex(&bytes)) != self.original_hash,
            Err(_) => true,
        }
    }
}

/// A snapshot found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// What it protects.
    pub info: SnapshotInfo,
    /// The snapshot's YAML.
    pub yaml_path: PathBuf,
}

/// FNV-1a 64-bit, hex: a stable content fingerprint (not a security hash).
#[must_use]
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn snapshot_key(original: Option<&Path>) -> String {
    let name = original.map_or_else(|| "untitled".to_owned(), |p| p.display().to_string());
    fnv1a_hex(name.as_bytes())
}

/// Writes a snapshot of `yaml` for the workspace at `original`.
pub fn write_snapshot(
    paths: &StoragePaths,
    original: Option<&Path>,
    yaml: &str,
) -> std::io::Result<SnapshotInfo> {
    let dir = paths.autosave_dir();
    std::fs::create_dir_all(&dir)?;
    let bytes = original.and_then(|p| std::fs::read(p).ok());
    let info = SnapshotInfo {
        original: original.map(Path::to_path_buf),
        original_size: bytes.as_ref().map(|b| b.len() as u64),
        original_hash: bytes.as_deref().map(fnv1a_hex),
        saved_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let key = snapshot_key(original);
    atomic::write(&dir.join(format!("{key}.yaml")), yaml.as_bytes())?;
    let meta = serde_json::to_string_pretty(&info).map_err(std::io::Error::other)?;
    atomic::write(&dir.join(format!("{key}.json")), meta.as_bytes())?;
    Ok(info)
}

/// Removes the snapshot of the workspace at `original` (after a save or a discard).
pub fn clear_snapshot(paths: &StoragePaths, original: Option<&Path>) {
    let key = snapshot_key(original);
    for ext in ["yaml", "json"] {
        // A snapshot that is already gone is what we want.
        let _ = std::fs::remove_file(paths.autosave_dir().join(format!("{key}.{ext}")));
    }
}

/// Every snapshot on disk, newest first.
#[must_use]
pub fn find_snapshots(paths: &StoragePaths) -> Vec<Snapshot> {
    let Ok(entries) = std::fs::read_dir(paths.autosave_dir()) else {
        return Vec::new();
    };
    let mut found: Vec<Snapshot> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|meta| {
            let info: SnapshotInfo =
                serde_json::from_str(&std::fs::read_to_string(&meta).ok()?).ok()?;
            let yaml_path = meta.with_extension("yaml");
            yaml_path.exists().then_some(Snapshot { info, yaml_path })
        })
        .collect();
    found.sort_by(|a, b| {
        b.info
            .saved_at
            .cmp(&a.info.saved_at)
            .then_with(|| a.yaml_path.cmp(&b.yaml_path))
    });
    found
}

/// The snapshots worth offering back, newest first: a snapshot whose document equals its file on
/// disk (an edit undone back to the saved state, or saved since) has nothing to recover, so it is
/// removed instead of offered.
#[must_use]
pub fn snapshots_to_offer(paths: &StoragePaths) -> Vec<Snapshot> {
    let mut offer = Vec::new();
    for snapshot in find_snapshots(paths) {
        if snapshot.equals_its_file() {
            clear_snapshot(paths, snapshot.info.original.as_deref());
        } else {
            offer.push(snapshot);
        }
    }
    offer
}

impl Snapshot {
    /// True when the snapshot holds the same document as the file it was taken of. An
    /// unreadable snapshot or original is not "equal": the user decides what to do with it.
    #[must_use]
    pub fn equals_its_file(&self) -> bool {
        let Some(original) = &self.info.original else {
            return false;
        };
        let (Ok(snap), Ok(file)) = (
            std::fs::read_to_string(&self.yaml_path),
            std::fs::read_to_string(original),
        ) else {
            return false;
        };
        if snap == file {
            return true;
        }
        let name = original.display().to_string();
        match (
            lcpr_core::document::parse(&snap, &name),
            lcpr_core::document::parse(&file, &name),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lcpr-storage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn prefs_round_trip_and_recent_is_bounded_and_deduplicated() {
        let paths = StoragePaths::under(&scratch("prefs"));
        let mut p = Prefs::load(&paths);
        assert_eq!(p, Prefs::default());
        for i in 0..15 {
            p.add_recent(Path::new(&format!("/tmp/w{i}.yaml")));
        }
        p.add_recent(Path::new("/tmp/w3.yaml"));
        assert_eq!(p.recent.len(), MAX_RECENT);
        assert_eq!(p.recent[0], PathBuf::from("/tmp/w3.yaml"));
        p.dark = true;
        p.save(&paths).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Prefs::load(&paths), p);
    }

    #[test]
    fn snapshots_are_found_and_notice_a_changed_original() {
        let root = scratch("snap");
        let paths = StoragePaths::under(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let original = root.join("w.yaml");
        std::fs::write(&original, "format_version: 1\n").unwrap_or_else(|e| panic!("{e}"));
        let info =
            write_snapshot(&paths, Some(&original), "edited").unwrap_or_else(|e| panic!("{e}"));
        let found = find_snapshots(&paths);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].info, info);
        assert!(!found[0].info.original_changed());
        std::fs::write(&original, "format_version: 1\n# changed\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(found[0].info.original_changed());
        clear_snapshot(&paths, Some(&original));
        assert!(find_snapshots(&paths).is_empty());
    }

    #[test]
    fn a_snapshot_equal_to_its_file_is_removed_not_offered() {
        let root = scratch("equal");
        let paths = StoragePaths::under(&root);
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        let original = root.join("w.yaml");
        let yaml = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../workspaces/support-migration.yaml"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&original, &yaml).unwrap_or_else(|e| panic!("{e}"));
        // Same document, different text (a comment): still nothing to recover.
        write_snapshot(&paths, Some(&original), &format!("# autosaved\n{yaml}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(find_snapshots(&paths).len(), 1);
        assert!(snapshots_to_offer(&paths).is_empty());
        assert!(
            find_snapshots(&paths).is_empty(),
            "the equal snapshot is removed"
        );
        // A real change is offered.
        let edited = yaml.replacen("name: ", "name: Edited ", 1);
        assert_ne!(edited, yaml);
        write_snapshot(&paths, Some(&original), &edited).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(snapshots_to_offer(&paths).len(), 1);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a_hex(b""), "cbf29ce484222325");
        assert_eq!(fnv1a_hex(b"a"), "af63dc4c8601ec8c");
    }
}
