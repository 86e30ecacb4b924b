//! How every command that reads a workspace ends: its text or its JSON on stdout, its
//! refusal on stderr with the status that says which.

use std::process::ExitCode;

use super::EXIT_INVALID_INPUT;
use super::decide::Output;

/// [`run_on`] for a command that changes `file`: the workspace's lock is held from reading it
/// to saving it, and a second writer is refused naming the holder.
pub fn run_writing_on(
    file: &std::path::Path,
    json: bool,
    holder: &str,
    command: impl FnOnce(&lcpr_core::document::Workspace) -> Result<Output, String>,
) -> ExitCode {
    let _lock = match lcpr_core::document::WorkspaceLock::acquire(file, holder) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("lcpr: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    run_on(file, json, command)
}

/// Loads `file`, runs `command` on it and prints the result.
pub fn run_on(
    file: &std::path::Path,
    json: bool,
    command: impl FnOnce(&lcpr_core::document::Workspace) -> Result<Output, String>,
) -> ExitCode {
    let ws = match lcpr_core::document::load(file) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("lcpr: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    match command(&ws) {
        Ok(out) if json => match serde_json::to_string_pretty(&out.json) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr: cannot write JSON: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(out) => {
            print!("{}", out.text);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lcpr: {}: {e}", file.display());
            ExitCode::from(EXIT_INVALID_INPUT)
        }
    }
}
