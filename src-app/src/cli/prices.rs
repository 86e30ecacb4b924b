//! `lcpr import prices FILE --into WORKSPACE`: a price book (LiteLLM's model prices JSON,
//! genai-prices YAML or JSON, OpenRouter's models JSON) as rate cards. New cards are added;
//! cards the workspace already has are compared, and a book that drifts from them changes
//! nothing until `--accept` — then the workspace is rewritten atomically with all of it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lcpr_core::document::{self, Date, Workspace};
use lcpr_core::evidence::prices::{self, merge};

use super::decide::Output;
use super::{EXIT_INVALID_INPUT, output};

/// The book, the workspace and what to take.
#[derive(clap::Args)]
pub struct Args {
    /// The price book; which one it is comes from its name and shape.
    file: PathBuf,
    /// The workspace to add the rate cards to.
    #[arg(long)]
    into: PathBuf,
    /// Keep only keys or models matching these patterns (`*` for any run of characters:
    /// `claude-*`, `gpt-4o*`).
    #[arg(long, num_args = 1..)]
    only: Vec<String>,
    /// The book's date, YYYY-MM-DD: prices in force on it are taken, and cards without a
    /// dated price start on it (default: the day the file was last written).
    #[arg(long)]
    date: Option<String>,
    /// Take the new prices of cards that drift (without it, a book that drifts changes
    /// nothing).
    #[arg(long)]
    accept: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Reads `file` and puts it into `ws`: the workspace as it would be, and the report.
pub fn preview(
    ws: &Workspace,
    file: &Path,
    date: Option<Date>,
    options: &merge::PriceImportOptions,
) -> Result<(Workspace, merge::PriceImportReport), String> {
    let book = prices::read_file(file, date).map_err(|e| e.to_string())?;
    merge::import_book(ws, &book, options).map_err(|e| e.to_string())
}

fn import(
    into: &Path,
    ws: &Workspace,
    file: &Path,
    date: Option<Date>,
    options: &merge::PriceImportOptions,
) -> Result<Output, String> {
    let (updated, report) = preview(ws, file, date, options)?;
    let mut text = merge::report_lines(&report).join("\n");
    text.push('\n');
    if report.applied {
        document::save(&updated, into).map_err(|e| e.to_string())?;
        text.push_str(&format!("Wrote {}\n", into.display()));
    }
    let json = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    Ok(Output { json, text })
}

/// Runs `lcpr import prices`.
pub fn run(args: Args) -> ExitCode {
    let date = match args.date.as_deref().map(str::parse::<Date>).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("lcpr import prices: --date {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let options = merge::PriceImportOptions {
        only: args.only,
        accept: args.accept,
    };
    output::run_writing_on(&args.into, args.json, "lcpr import prices", |ws| {
        import(&args.into, ws, &args.file, date, &options)
    })
}
