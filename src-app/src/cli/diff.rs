//! `lcpr diff OLD NEW [--json]`: what changed in a colleague's copy of a workspace, and how
//! much of each scenario's LCPR change each changed input explains.

use std::path::Path;
use std::process::ExitCode;

use lcpr_core::decide::diff::diff;

use super::EXIT_INVALID_INPUT;

/// Runs `lcpr diff`.
pub fn run_diff(old_file: &Path, new_file: &Path, json: bool) -> ExitCode {
    let load = |p: &Path| lcpr_core::document::load(p);
    let (old, new) = match (load(old_file), load(new_file)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("lcpr diff: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let d = diff(&old, &new);
    if json {
        let value = serde_json::json!({
            "old": old_file.display().to_string(),
            "new": new_file.display().to_string(),
            "diff": d,
        });
        return match serde_json::to_string_pretty(&value) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr diff: cannot write JSON: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut out = format!(
        "What changed from {} to {}\n",
        old_file.display(),
        new_file.display()
    );
    for line in d.lines() {
        out.push_str(&line);
        out.push('\n');
    }
    print!("{out}");
    ExitCode::SUCCESS
}
