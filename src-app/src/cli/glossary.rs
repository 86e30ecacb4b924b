//! `lcpr glossary [TERM] [--json]`: the terms the workbench uses, the same list the window's
//! hover text and the memo's glossary page read.

use std::process::ExitCode;

use lcpr_core::report::glossary::{self, Term};

fn text(terms: &[&Term]) -> String {
    let mut out = String::new();
    for t in terms {
        out.push_str(t.name);
        out.push('\n');
        out.push_str("  ");
        out.push_str(t.meaning);
        out.push('\n');
        if let Some(f) = t.formula {
            out.push_str("  ");
            out.push_str(f);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Prints the terms matching `query` (all without one); exit 2 when none does.
pub fn run(query: Option<&str>, json: bool) -> ExitCode {
    let found = glossary::search(query.unwrap_or(""));
    if found.is_empty() {
        eprintln!(
            "lcpr glossary: no term matches {:?}; `lcpr glossary` lists them all",
            query.unwrap_or("")
        );
        return ExitCode::from(super::EXIT_INVALID_INPUT);
    }
    if json {
        match serde_json::to_string_pretty(&found) {
            Ok(t) => println!("{t}"),
            Err(e) => {
                eprintln!("lcpr glossary: cannot write JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", text(&found));
    }
    ExitCode::SUCCESS
}
