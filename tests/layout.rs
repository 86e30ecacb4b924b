//! The crate's stages depend one way: calc ← document ← evidence ← case ← decide ← report. A
//! module that names a later stage (outside its unit tests) fails here, naming the file, the
//! line and the stage it reached for.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot read the tree should panic

use std::fs;
use std::path::{Path, PathBuf};

/// Stages in flow order; a module may use its own stage and earlier ones.
const STAGES: [&str; 6] = ["calc", "document", "evidence", "case", "decide", "report"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its `#[cfg(test)] mod tests` and without comments: unit tests
/// may build fixtures from any stage, and doc links are not dependencies.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut all = text.lines().enumerate().peekable();
    while let Some((i, line)) = all.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && all
                .peek()
                .is_some_and(|(_, next)| next.trim_start().starts_with("mod tests"))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        lines.push((i + 1, line));
    }
    lines
}

/// Every `crate::STAGE` a line names.
fn stages_named(line: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        for stage in STAGES {
            if rest.starts_with(stage)
                && !rest[stage.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            {
                found.push(stage);
            }
        }
        if let Some(group) = rest.strip_prefix('{') {
            for stage in STAGES {
                let named = group.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                if named.clone().any(|w| w == stage) {
                    found.push(stage);
                }
            }
        }
    }
    found
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let first = first.trim_end_matches(".rs");
        // Files at the crate root (error, money, content_hash, lib) are shared by every stage
        // and may name none; lib.rs only declares the stages.
        let own = STAGES.iter().position(|s| *s == first);
        if first == "lib" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in code_lines(&text) {
            for stage in stages_named(line) {
                let reached = STAGES.iter().position(|s| *s == stage).unwrap();
                if own.is_none_or(|o| reached > o) {
                    found.push(format!(
                        "src-core/src/{}:{n}: {} names the later stage `{stage}`",
                        rel.display(),
                        own.map_or("a shared root module", |o| STAGES[o]),
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn no_stage_names_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_catches_a_backward_import() {
    let dir = std::env::temp_dir().join(format!("lcpr-layout-{}", std::process::id()));
    fs::create_dir_all(dir.join("document")).unwrap();
    fs::write(
        dir.join("document/model.rs"),
        "use crate::calc::readiness::Factor;\nuse crate::{case::cost, error};\n// crate::report is only mentioned\n#[cfg(test)]\nmod tests {\n    use crate::report::chart;\n}\n",
    )
    .unwrap();
    let found = violations(&dir);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        vec!["src-core/src/document/model.rs:2: document names the later stage `case`".to_owned()]
    );
}

#[test]
fn every_stage_has_its_folder_and_lib_is_a_short_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for stage in STAGES {
        assert!(src.join(stage).join("mod.rs").is_file(), "{stage}/mod.rs");
    }
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(
        lib.lines().count() <= 60,
        "lib.rs is {} lines",
        lib.lines().count()
    );
}
