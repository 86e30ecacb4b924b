//! `lcpr calc KIND`: one computation, JSON on stdin, JSON on stdout.

use std::io::Read;
use std::process::ExitCode;

use lcpr_core::calc::run::{self as calc, CalcKind};

use super::EXIT_INVALID_INPUT;

pub fn kind_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(CalcKind::ALL.map(CalcKind::name))
}

pub fn kinds_help() -> String {
    let mut text = String::from("Kinds:\n");
    for k in CalcKind::ALL {
        text.push_str(&format!("  {:<17} {}\n", k.name(), k.summary()));
    }
    text.push_str("\nExample:\n  echo '{\"current_monthly_cost\": 10000, \"projected_monthly_cost\": 4000, \"engineering_investment\": 12000}' | lcpr calc payback");
    text
}

/// Runs one computation on stdin.
pub fn run_calc(kind: &str) -> ExitCode {
    let Some(kind) = CalcKind::from_name(kind) else {
        eprintln!("lcpr calc: unknown kind {kind:?}");
        return ExitCode::from(EXIT_INVALID_INPUT);
    };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("lcpr calc {}: could not read stdin: {e}", kind.name());
        return ExitCode::from(EXIT_INVALID_INPUT);
    }
    match calc::run(kind, &input) {
        Ok(result) => match serde_json::to_string_pretty(&result) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr calc {}: could not write the result: {e}", kind.name());
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("lcpr calc {}: {e}", kind.name());
            ExitCode::from(EXIT_INVALID_INPUT)
        }
    }
}
