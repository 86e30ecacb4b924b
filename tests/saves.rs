//! Saves that survive a kill, a symbolic link and a second writer, through the `lcpr` binary.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LCPR: &str = env!("CARGO_BIN_EXE_lcpr");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-saves-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn default_workspace() -> PathBuf {
    support::repo_root().join("workspaces/support-migration.yaml")
}

fn debris(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.ends_with(".lock"))
        .collect();
    v.sort();
    v
}

/// A workspace `lcpr fmt` rewrites: canonical text with a comment in front.
fn old_and_new() -> (String, String) {
    let canonical = std::fs::read_to_string(default_workspace()).expect("read");
    (format!("# an old comment\n{canonical}"), canonical)
}

#[test]
fn a_save_killed_while_its_temporary_file_exists_leaves_the_old_or_the_new_file() {
    let dir = scratch("kill");
    let file = dir.join("w.yaml");
    let (old, new) = old_and_new();
    let mut killed_mid_write = 0;
    for round in 0..20 {
        std::fs::write(&file, &old).expect("write old");
        let mut child = Command::new(LCPR)
            .args(["fmt"])
            .arg(&file)
            .env("LCPR_FAULT_SAVE_PAUSE_MS", "5000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn lcpr fmt");
        // Kill it once its temporary file is there, halfway through the write.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10)
            && !debris(&dir).iter().any(|n| n.contains(".tmp-"))
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        if debris(&dir).iter().any(|n| n.contains(".tmp-")) {
            killed_mid_write += 1;
        }
        child.kill().expect("kill -9");
        let _ = child.wait();
        let now = std::fs::read_to_string(&file).expect("the file is still there");
        assert!(
            now == old || now == new,
            "round {round}: the file is neither the old nor the new one ({} bytes)",
            now.len()
        );
    }
    assert_eq!(
        killed_mid_write, 20,
        "every kill landed while the temporary file existed"
    );
    // The next save cleans up what the killed ones left.
    let status = Command::new(LCPR)
        .args(["fmt"])
        .arg(&file)
        .status()
        .expect("lcpr fmt");
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&file).ok(), Some(new));
    assert_eq!(
        debris(&dir),
        Vec::<String>::new(),
        "leftovers beside the workspace"
    );
}

#[cfg(unix)]
#[test]
fn saving_through_a_symbolic_link_updates_the_file_it_points_to() {
    let dir = scratch("link");
    std::fs::create_dir_all(dir.join("shared")).expect("dir");
    let real = dir.join("shared/w.yaml");
    let (old, new) = old_and_new();
    std::fs::write(&real, &old).expect("write");
    let link = dir.join("mine.yaml");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = Command::new(LCPR)
        .arg("fmt")
        .arg(&link)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink(),
        "the link was replaced by a plain file"
    );
    assert_eq!(std::fs::read_to_string(&real).ok(), Some(new));
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = scratch("lock");
    let file = dir.join("w.yaml");
    let (old, _) = old_and_new();
    std::fs::write(&file, &old).expect("write");
    // The first writer pauses mid-save, holding the lock.
    let mut first = Command::new(LCPR)
        .arg("fmt")
        .arg(&file)
        .env("LCPR_FAULT_SAVE_PAUSE_MS", "3000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10)
        && !debris(&dir).iter().any(|n| n.contains(".tmp-"))
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    let second = Command::new(LCPR)
        .args(["dispute", "--reconciliation", "none", "--withdraw", "0"])
        .arg(&file)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(
        err.contains("w.yaml") && err.contains("lcpr fmt") && err.contains("another writer"),
        "{err}"
    );
    assert!(first.wait().expect("wait").success());
    assert_eq!(debris(&dir), Vec::<String>::new());
}
