//! `lcpr export`: the decision memo, the review pack and the slide deck as PDF, any view's chart
//! as PNG or SVG, and any report table as CSV,
//! written atomically so a failed export never leaves half a file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use lcpr_core::case::evaluation::{Evaluation, evaluate};
use lcpr_core::document::{self, Date, Workspace, atomic};
use lcpr_core::report::export::{ImageFormat, chart_image};
use lcpr_core::report::memo::chargeback::chargeback_report;
use lcpr_core::report::memo::decision::decision_memo;
use lcpr_core::report::memo::review::review_pack;
use lcpr_core::report::memo::tables::{TableKind, workspace_table};
use lcpr_core::report::memo::{MemoSource, render_options};
use lcpr_core::report::{render_pdf, table_to_csv};

use super::EXIT_INVALID_INPUT;

/// Why an export failed, and so the exit status.
#[derive(Debug)]
pub enum ExportError {
    /// The input or the request breaks a rule (exit 2).
    Refused(String),
    /// The output could not be produced or written (exit 1).
    Failed(String),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(m) | Self::Failed(m) => write!(f, "{m}"),
        }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// The decision memo on a scenario (default: the proposed one, else the lowest LCPR).
    Memo {
        /// Scenario id.
        scenario: Option<String>,
    },
    /// The review pack.
    Review,
    /// The chargeback report.
    Chargeback,
    /// The slide deck: every chart as presenter mode shows it.
    Slides,
    /// One table as CSV.
    Csv {
        /// Which table.
        table: TableKind,
    },
    /// One view's chart as an image.
    Chart {
        /// The view's command-line name (`compare`, `sensitivity`, `kv-sizing`, …).
        view: String,
        /// The scenario of a view about one scenario.
        scenario: Option<String>,
        /// PNG or SVG.
        format: ImageFormat,
    },
}

/// The chart of the view called `view` (for `scenario` when given), drawn as the window
/// draws it with the view's default choices.
pub fn view_chart(
    loaded: &Loaded,
    view: &str,
    scenario: Option<&str>,
) -> Result<lcpr_core::report::chart::Chart, ExportError> {
    let mut views = crate::gui::views::all();
    let names: Vec<String> = views
        .iter()
        .map(|v| crate::gui::views::cli_name(v.as_ref()))
        .collect();
    let Some(v) = views
        .iter_mut()
        .find(|v| crate::gui::views::cli_name(v.as_ref()) == view)
    else {
        return Err(ExportError::Refused(format!(
            "--view {view:?} names no view; use one of {}",
            names.join(", ")
        )));
    };
    if let Some(id) = scenario {
        if loaded.ws.scenario(id).is_none() {
            let ids: Vec<&str> = loaded.ws.scenarios.iter().map(|s| s.id.as_str()).collect();
            return Err(ExportError::Refused(format!(
                "--scenario {id:?} names no scenario of the workspace; use one of {}",
                ids.join(", ")
            )));
        }
        if !v.choose_scenario(id) {
            return Err(ExportError::Refused(format!(
                "--scenario does not apply to the {view} view, whose chart covers the whole \
                 workspace; drop it (views about one scenario: sensitivity, plan)"
            )));
        }
    }
    v.chart(&loaded.ws, &loaded.eval).ok_or_else(|| {
        ExportError::Refused(format!(
            "the {view} view has no chart for this workspace (open it in the workbench to see \
             what it needs)"
        ))
    })
}

/// A workspace read for export: the document, its evaluation and its provenance.
pub struct Loaded {
    /// The document.
    pub ws: Workspace,
    /// Its evaluation.
    pub eval: Evaluation,
    /// File name, content hash and today's date.
    pub source: MemoSource,
}

/// Reads `path` once: its bytes are both parsed and hashed, so the footer's hash is the hash of
/// the version the numbers came from.
pub fn load(path: &Path) -> Result<Loaded, ExportError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ExportError::Refused(format!("{shown}: cannot be read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ExportError::Refused(format!("{shown}: is not UTF-8 text")))?;
    let ws = document::parse(text, &shown).map_err(|e| ExportError::Refused(e.to_string()))?;
    let eval = evaluate(&ws);
    let name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let source = MemoSource::of_file(&name, &bytes, Date::today().unwrap_or(Date::EPOCH));
    Ok(Loaded { ws, eval, source })
}

/// The bytes of `what` for a loaded workspace.
pub fn render(loaded: &Loaded, what: &Export) -> Result<Vec<u8>, ExportError> {
    let pdf = |report| {
        render_pdf(&report, &render_options())
            .map_err(|e| ExportError::Failed(format!("the PDF could not be made: {e}")))
    };
    match what {
        Export::Memo { scenario } => {
            let report = decision_memo(
                &loaded.ws,
                &loaded.eval,
                scenario.as_deref(),
                &loaded.source,
            )
            .map_err(|e| ExportError::Refused(e.to_string()))?;
            pdf(report)
        }
        Export::Review => pdf(review_pack(&loaded.ws, &loaded.eval, &loaded.source)),
        Export::Chargeback => pdf(chargeback_report(&loaded.ws, &loaded.source)
            .map_err(|e| ExportError::Refused(e.to_string()))?),
        // The window's views make the slides, each with its default choices: the deck is
        // presenter mode's pages on a freshly opened file.
        Export::Slides => crate::gui::views::deck_pdf(
            &mut crate::gui::views::all(),
            &loaded.ws,
            &loaded.eval,
            &loaded.source,
        )
        .map_err(ExportError::Refused),
        Export::Csv { table } => {
            Ok(table_to_csv(&workspace_table(&loaded.ws, &loaded.eval, *table)).into_bytes())
        }
        Export::Chart {
            view,
            scenario,
            format,
        } => {
            let chart = view_chart(loaded, view, scenario.as_deref())?;
            chart_image(&chart, *format)
                .map_err(|e| ExportError::Failed(format!("the chart could not be drawn: {e}")))
        }
    }
}

/// Loads `file`, renders `what` and writes it to `output` atomically; returns the bytes written.
pub fn run(file: &Path, what: &Export, output: &Path) -> Result<usize, ExportError> {
    let loaded = load(file)?;
    let bytes = render(&loaded, what)?;
    atomic::write(output, &bytes).map_err(|e| {
        ExportError::Failed(format!("{} could not be written: {e}", output.display()))
    })?;
    Ok(bytes.len())
}

/// `lcpr export …`: the subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// The decision memo on one scenario against the other options of its workload.
    Memo {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Scenario id (default: the decision's candidate, else the proposed scenario, else the lowest LCPR).
        #[arg(long)]
        scenario: Option<String>,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// The monthly review pack of every workload.
    Review {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// The chargeback report: the shared bill by team under each allocation mode.
    Chargeback {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// The slide deck for the review meeting: one chart per 16:9 page, with its takeaway
    /// and its place in the deck, as presenter mode shows them.
    Slides {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// One view's chart as PNG or SVG, drawn from the same chart data as the workbench and
    /// the memo (the view's default choices; `--scenario` for a view about one scenario).
    Chart {
        /// The workspace file (YAML).
        file: PathBuf,
        /// The view: compare, sensitivity, uncertainty, plan, break-even, cache, kv-sizing,
        /// goodput, reconciliation, forecast, review, …
        #[arg(long)]
        view: String,
        /// Scenario id, for a view about one scenario (sensitivity, plan).
        #[arg(long)]
        scenario: Option<String>,
        /// Image format.
        #[arg(long, value_enum)]
        format: ChartFormat,
        /// Where to write the image.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// One of the reports' tables, over the whole workspace, as CSV.
    Csv {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Which table.
        #[arg(long, value_parser = table_parser())]
        table: String,
        /// Where to write the CSV.
        #[arg(short, long)]
        output: PathBuf,
    },
}

/// `--format` of `lcpr export chart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartFormat {
    /// Pixels, at twice the chart's size in points.
    Png,
    /// Vector shapes and text.
    Svg,
}

fn table_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(TableKind::ALL.map(TableKind::name))
}

pub fn dispatch(command: Command) -> ExitCode {
    let (name, file, what, output) = match command {
        Command::Memo {
            file,
            scenario,
            output,
        } => ("memo", file, Export::Memo { scenario }, output),
        Command::Review { file, output } => ("review", file, Export::Review, output),
        Command::Chargeback { file, output } => ("chargeback", file, Export::Chargeback, output),
        Command::Slides { file, output } => ("slides", file, Export::Slides, output),
        Command::Chart {
            file,
            view,
            scenario,
            format,
            output,
        } => (
            "chart",
            file,
            Export::Chart {
                view,
                scenario,
                format: match format {
                    ChartFormat::Png => ImageFormat::Png,
                    ChartFormat::Svg => ImageFormat::Svg,
                },
            },
            output,
        ),
        Command::Csv {
            file,
            table,
            output,
        } => {
            let Some(table) = TableKind::from_name(&table) else {
                eprintln!("lcpr export csv: unknown table {table:?}");
                return ExitCode::from(EXIT_INVALID_INPUT);
            };
            ("csv", file, Export::Csv { table }, output)
        }
    };
    match run(&file, &what, &output) {
        Ok(bytes) => {
            println!("wrote {} ({bytes} bytes)", output.display());
            ExitCode::SUCCESS
        }
        Err(e @ ExportError::Refused(_)) => {
            eprintln!("lcpr export {name}: {e}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        Err(e) => {
            eprintln!("lcpr export {name}: {e}");
            ExitCode::FAILURE
        }
    }
}
