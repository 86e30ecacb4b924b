//! The warehouse query pack (`querypack/`): `lcpr querypack print` writes the SQL for one engine,
//! and `lcpr import querypack` reads back what it computed.
//!
//! `lcpr import querypack`: dated baselines from the warehouse query pack's results
//! (`querypack/*.sql`), derived exactly as `lcpr import traces` derives them from the trace.
//!
//! Each result kind may come as several files (partitions, shards, months); they are merged
//! exactly and rebuilt into the importer's aggregate ([`lcpr_core::evidence::querypack::to_aggregate`]),
//! priced with the workspace's rate cards, and handed to the same [`import::add_baselines`] as a
//! trace import: the workspace is rewritten atomically with every baseline, or left untouched.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lcpr_core::document::{self, atomic};
use lcpr_core::error::InputResult;
use lcpr_core::evidence::querypack;
use lcpr_core::evidence::traces::pricing::price_in_place;

use super::import::{self, ImportReport};

/// The result files, the workspace and what to print.
#[derive(clap::Args)]
pub struct Args {
    /// Results of tier1_counters.sql (one or more files, merged).
    #[arg(long, required = true, num_args = 1..)]
    counters: Vec<PathBuf>,
    /// Results of tier2_histograms.sql (one or more files, merged).
    #[arg(long, required = true, num_args = 1..)]
    histograms: Vec<PathBuf>,
    /// Results of tier2_extremes.sql (one or more files, merged).
    #[arg(long, required = true, num_args = 1..)]
    extremes: Vec<PathBuf>,
    /// The workspace to add the baselines to; its rate cards price the tokens.
    #[arg(long)]
    into: PathBuf,
    /// Derive only this workload's baseline (default: every workload in the results).
    #[arg(long)]
    workload: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Reads and parses every file of one result kind; an error names the file, line and column.
fn read_all<T>(
    paths: &[PathBuf],
    parse: fn(&str, &str) -> InputResult<Vec<T>>,
    workload: Option<&str>,
    of: fn(&T) -> &str,
) -> Result<Vec<Vec<T>>, String> {
    paths
        .iter()
        .map(|p| {
            let shown = p.display().to_string();
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("{shown}: cannot be read: {e}"))?;
            let mut rows = parse(&shown, &text).map_err(|e| e.to_string())?;
            if let Some(id) = workload {
                rows.retain(|r| of(r) == id);
            }
            Ok(rows)
        })
        .collect()
}

/// The files of one import.
#[derive(Debug, Clone, Copy)]
pub struct ResultFiles<'a> {
    /// tier1_counters.sql results.
    pub counters: &'a [PathBuf],
    /// tier2_histograms.sql results.
    pub histograms: &'a [PathBuf],
    /// tier2_extremes.sql results.
    pub extremes: &'a [PathBuf],
}

/// Imports query-pack results into the workspace at `into`; on success the file holds the new
/// baselines. Refuses, writing nothing, results that do not fit together, a provider and model
/// without a rate card (listed, never priced at $0), a workload the workspace lacks and a
/// baseline id it already has.
pub fn import_querypack(
    files: ResultFiles<'_>,
    into: &Path,
    workload: Option<&str>,
) -> Result<ImportReport, String> {
    let _lock = document::WorkspaceLock::acquire(into, "lcpr import querypack")
        .map_err(|e| e.to_string())?;
    let mut ws = document::load(into).map_err(|e| e.to_string())?;
    let counters = read_all(files.counters, querypack::parse_counters, workload, |r| {
        &r.workload
    })?;
    let histograms = read_all(
        files.histograms,
        querypack::parse_histograms,
        workload,
        |r| &r.workload,
    )?;
    let extremes = read_all(files.extremes, querypack::parse_extremes, workload, |r| {
        &r.workload
    })?;
    if let Some(id) = workload
        && counters.iter().all(Vec::is_empty)
    {
        return Err(format!(
            "--workload: the counters have no rows of workload {id:?}"
        ));
    }
    let mut agg =
        querypack::to_aggregate(&counters, &histograms, &extremes).map_err(|e| e.to_string())?;
    price_in_place(&mut agg, &ws.rate_cards).map_err(|e| e.to_string())?;
    if !agg.unpriced.is_empty() {
        let list: Vec<String> = agg
            .unpriced
            .iter()
            .map(|m| {
                format!(
                    "{} / {} ({} attempts: {})",
                    m.provider, m.model, m.rows, m.reason
                )
            })
            .collect();
        return Err(format!(
            "nothing was imported: the rate cards do not price {}",
            list.join("; ")
        ));
    }
    let report = import::add_baselines(&mut ws, &agg)?;
    document::save(&ws, into).map_err(|e| e.to_string())?;
    Ok(report)
}

/// Runs `lcpr import querypack`.
pub fn run(args: Args) -> ExitCode {
    let files = ResultFiles {
        counters: &args.counters,
        histograms: &args.histograms,
        extremes: &args.extremes,
    };
    match import_querypack(files, &args.into, args.workload.as_deref()) {
        Ok(report) if args.json => match serde_json::to_string_pretty(&report) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr import querypack: cannot write JSON: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(report) => {
            println!(
                "Query pack: {} counter, {} histogram and {} extremes file(s) merged",
                args.counters.len(),
                args.histograms.len(),
                args.extremes.len()
            );
            print!("{}", import::report_text(&args.into, &report));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lcpr import querypack: {e}");
            ExitCode::from(super::EXIT_INVALID_INPUT)
        }
    }
}

/// `lcpr querypack …`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write the query pack for one engine, the view recipe first, as one file to paste into
    /// the warehouse console (stdout, or --out).
    Print(PrintArgs),
}

/// What `lcpr querypack print` writes.
#[derive(clap::Args)]
pub struct PrintArgs {
    /// The engine: bigquery, clickhouse, databricks, duckdb, snowflake, spark or trino.
    #[arg(long)]
    engine: String,
    /// A view recipe (querypack/views) to put first, creating the `traces` view over your
    /// store's table.
    #[arg(long)]
    view: Option<String>,
    /// Only this query (tier1_counters, tier2_histograms or tier2_extremes), without a view.
    #[arg(long, conflicts_with = "view")]
    query: Option<String>,
    /// Write the file here (replaced atomically) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `lcpr querypack …`.
pub fn dispatch(command: Command) -> ExitCode {
    match command {
        Command::Print(args) => run_print(&args),
    }
}

fn run_print(args: &PrintArgs) -> ExitCode {
    let sql = match &args.query {
        Some(name) => querypack::pack::query(&args.engine, name),
        None => querypack::pack::pack(&args.engine, args.view.as_deref()),
    };
    let sql = match sql {
        Ok(sql) => sql,
        Err(e) => {
            eprintln!("lcpr querypack print: {e}");
            return ExitCode::from(super::EXIT_INVALID_INPUT);
        }
    };
    match &args.out {
        None => {
            print!("{sql}");
            ExitCode::SUCCESS
        }
        Some(out) => match atomic::write(out, sql.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "lcpr querypack print: {}: cannot be written: {e}",
                    out.display()
                );
                ExitCode::FAILURE
            }
        },
    }
}
