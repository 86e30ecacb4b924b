//! `lcpr`: the headless face of LCPR Workbench.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lcpr_core::calc::{self, CalcKind};

/// Loaded cost per accepted result of LLM inference, from the command line.
#[derive(Parser)]
#[command(name = "lcpr", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one computation: JSON on stdin, JSON on stdout.
    ///
    /// Invalid input exits with status 2 and one line on stderr naming the field and the rule.
    #[command(after_help = kinds_help())]
    Calc {
        /// The computation to run.
        #[arg(value_parser = kind_parser())]
        kind: String,
    },
}

fn kind_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(CalcKind::ALL.map(CalcKind::name))
}

fn kinds_help() -> String {
    let mut text = String::from("Kinds:\n");
    for k in CalcKind::ALL {
        text.push_str(&format!("  {:<17} {}\n", k.name(), k.summary()));
    }
    text.push_str("\nExample:\n  echo '{\"current_monthly_cost\": 10000, \"projected_monthly_cost\": 4000, \"engineering_investment\": 12000}' | lcpr calc payback");
    text
}

/// Exit status for input that breaks the contract.
const EXIT_INVALID_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Calc { kind } => run_calc(&kind),
    }
}

fn run_calc(kind: &str) -> ExitCode {
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
