//! `lcpr fmt FILE [--check]`: a workspace rewritten (or checked) in canonical form.

use std::process::ExitCode;

use super::EXIT_INVALID_INPUT;

/// Rewrites or checks `file`.
pub fn run_fmt(file: &std::path::Path, check: bool) -> ExitCode {
    // Rewriting is a write: held from reading to saving, like every other writer.
    let _lock = if check {
        None
    } else {
        match lcpr_core::document::WorkspaceLock::acquire(file, "lcpr fmt") {
            Ok(lock) => Some(lock),
            Err(e) => {
                eprintln!("lcpr fmt: {e}");
                return ExitCode::from(EXIT_INVALID_INPUT);
            }
        }
    };
    let result = lcpr_core::document::load(file).and_then(|ws| {
        let canonical = lcpr_core::document::to_yaml(&ws)?;
        let current = std::fs::read_to_string(file).unwrap_or_default();
        if canonical == current {
            return Ok(true);
        }
        if !check {
            lcpr_core::document::save(&ws, file)?;
        }
        Ok(false)
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) if check => {
            eprintln!("lcpr fmt: {} is not in canonical form", file.display());
            ExitCode::FAILURE
        }
        Ok(false) => {
            eprintln!("lcpr fmt: rewrote {}", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lcpr fmt: {e}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
    }
}
