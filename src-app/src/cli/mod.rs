//! `lcpr`: the headless face of LCPR Workbench (also reached as `lcpr-workbench --headless`).
//!
//! This file only declares the top-level commands and hands each to its family's file: `calc`
//! (and `kv-sizing`),
//! `catalog` (the shipped catalog, and `new` from a template), `compute` and `fmt`, `sources` (where each input takes its value from), `decide` (the decision, tornado, Monte Carlo, forecast, gates,
//! attribution, review), `plan` (a mix scenario's curve and optimum),
//! `imports` (every `lcpr import …`, implemented in `import`, `evidence`, `prices` and
//! `querypack`), `querypack` (print), `reconcile`, `evidence` (disputes), `export`; `output`
//! prints a command's text or JSON.

pub mod calc;
pub mod catalog;
pub mod compute;
pub mod decide;
pub mod diff;
pub mod evidence;
pub mod export;
pub mod fmt;
pub mod glossary;
pub mod import;
pub mod imports;
pub mod output;
pub mod plan;
pub mod prices;
pub mod querypack;
pub mod reconcile;
pub mod sources;
pub mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Loaded cost per accepted result of LLM inference, from the command line.
#[derive(Parser)]
#[command(name = "lcpr", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Draws and seed of a sampled computation; the workspace's `simulation` section by default.
#[derive(clap::Args)]
struct Sampling {
    /// Draws (default: the workspace's simulation.draws, 10,000).
    #[arg(long)]
    draws: Option<usize>,
    /// Seed (default: the workspace's simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Run one computation: JSON on stdin, JSON on stdout.
    ///
    /// Invalid input exits with status 2 and one line on stderr naming the field and the rule.
    #[command(after_help = calc::kinds_help())]
    Calc {
        /// The computation to run.
        #[arg(value_parser = calc::kind_parser())]
        kind: String,
    },
    /// KV cache of a model from its Hugging Face config.json: bytes per token per layer type
    /// and the bytes one sequence holds at the context.
    ///
    /// Sliding-window layers stop growing at their window, cross-attention layers hold no
    /// per-token cache, multi-latent attention caches its latent plus the rope key. A shape
    /// not understood exits with status 2 naming the key.
    KvSizing {
        /// The config.json file.
        #[arg(long)]
        config: PathBuf,
        /// Element type of the cache (bf16, fp16, fp8, fp32, …); default: the config's dtype.
        #[arg(long)]
        kv_dtype: Option<String>,
        /// Tokens in the sequence (default: 4096).
        #[arg(long, default_value_t = 4096)]
        context: u64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The shipped catalog: token prices, GPU offers, accelerators and model shapes, dated.
    Catalog(catalog::ListArgs),
    /// A new case from a workload template: the current route and one to three candidates
    /// from the catalog become rate cards, routes, scenarios, gates, forecast and register.
    New(catalog::NewArgs),
    /// Evaluate a workspace: LCPR and its parts per scenario, reconciliations, goodput.
    ///
    /// A file that breaks a rule exits with status 2 and names file, line, column, field and rule.
    Compute {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON for machines instead of tables for people.
        #[arg(long)]
        json: bool,
    },
    /// What changed between two versions of a workspace, and how much of each scenario's LCPR
    /// change each changed input explains (applied one at a time, the remainder shown).
    Diff {
        /// The older file (yours, or the one you reviewed).
        old: PathBuf,
        /// The newer file (a colleague's copy).
        new: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The register tornado of a scenario's LCPR: each bound entry at its low and high.
    Tornado {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Scenario id (default: the proposed scenario, else the first).
        #[arg(long)]
        scenario: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Monte Carlo over the register: P10/P50/P90 of LCPR and monthly cost per scenario.
    Montecarlo {
        /// The workspace file (YAML).
        file: PathBuf,
        #[command(flatten)]
        sampling: Sampling,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Quarterly cost by named scenario, as a P10–P90 range with the inputs' evidence.
    Forecast {
        /// The workspace file (YAML).
        file: PathBuf,
        #[command(flatten)]
        sampling: Sampling,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The decision, stated: stay, move, or move when the blocking gates clear — with the
    /// monthly and annual impact, P10–P90 of both routes, the probability the candidate is
    /// cheaper, payback, what would unblock each gate and the dominant lever.
    Decide {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Where each input set by the register takes its value from (typed, a register entry, a
    /// baseline, a load test, a reconciliation), what evidence could supply it, and what is
    /// out of step; `--bind INPUT --from SOURCE` switches a source, `--refresh` follows the
    /// evidence (both save the file).
    Sources {
        /// The workspace file (YAML).
        file: PathBuf,
        /// The input to rebind, `TARGET.ID.FIELD` (e.g. `workload.support-chat.retry_rate`).
        #[arg(long)]
        bind: Option<String>,
        /// Its new source: `typed`, `register`, or `KIND ID` (`baseline support-2026-10`,
        /// `load_test h100-sweep-1`, `reconciliation support-2026-10`).
        #[arg(long)]
        from: Option<String>,
        /// Write what the evidence says into every input taken from it.
        #[arg(long)]
        refresh: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The plan of a mix scenario (split, cascade, reserved + overflow, batch lane): its cost
    /// curve over the decision variable with the optimum marked, the single routes it could
    /// choose, and a cascade's break-even escalation rate and required judge accuracy.
    Plan {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Scenario id (default: every scenario with a mix).
        #[arg(long)]
        scenario: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Migration gates with their evidence, readiness and the baseline-vs-candidate comparison.
    Gates {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Split the shared bill across teams by the four modes, side by side.
    Attribute {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The monthly review (LCPR this month vs last, the primary driver) and incident costs.
    Review {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bring evidence into a workspace (all or nothing; the file is replaced atomically).
    Import {
        #[command(subcommand)]
        what: imports::Command,
    },
    /// Every baseline per workload with the anomaly findings between consecutive ones.
    Baseline {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Four-source reconciliation of one period: trace cost, invoice lines against the
    /// contracted rates, evals and human review joined on request id, ops costs.
    Reconcile(Box<reconcile::Args>),
    /// Dispute part of a reconciliation's invoice with the vendor: it stays on record and
    /// leaves loaded cost. Give exactly one of --line, --delta or --withdraw.
    Dispute {
        /// The workspace file (YAML).
        file: PathBuf,
        /// The reconciliation.
        #[arg(long)]
        reconciliation: String,
        /// An invoice line billed off its contracted rate: its overcharge is disputed.
        #[arg(long, group = "action")]
        line: Option<String>,
        /// The rest of the trace-to-invoice delta, for this reason.
        #[arg(long, group = "action")]
        delta: Option<String>,
        /// Withdraw the dispute at this position (0-based, as listed).
        #[arg(long, group = "action")]
        withdraw: Option<usize>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Goodput of every load test under its workload's SLOs and quality gate.
    Goodput {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The terms the workbench uses, each with its meaning and formula (the window's hover
    /// text and the memo's glossary page read the same list).
    Glossary {
        /// Only terms whose name, spelling or meaning contains this.
        term: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite a workspace file in canonical form (stable key order, normalised numbers).
    ///
    /// The file is validated first and replaced atomically; with --check nothing is written
    /// and the exit status is 1 when the file is not canonical.
    Fmt {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Only report whether the file is canonical.
        #[arg(long)]
        check: bool,
    },
    /// The warehouse query pack: `print` writes its SQL for one engine (the results come back
    /// with `lcpr import querypack`).
    Querypack {
        #[command(subcommand)]
        what: querypack::Command,
    },
    /// Export the decision memo or the review pack as PDF, a chart as PNG or SVG, or a report table as CSV.
    ///
    /// A file or request that breaks a rule exits with status 2 and one line on stderr; the
    /// output is replaced atomically, so a failed export leaves any old file as it was.
    Export {
        #[command(subcommand)]
        what: export::Command,
    },
}

/// Exit status for input that breaks the contract.
pub(crate) const EXIT_INVALID_INPUT: u8 = 2;

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Calc { kind } => calc::run_calc(&kind),
        Command::KvSizing {
            config,
            kv_dtype,
            context,
            json,
        } => calc::run_kv_sizing(&config, kv_dtype.as_deref(), context, json),
        Command::Catalog(args) => catalog::run_list(&args),
        Command::New(args) => catalog::run_new(args),
        Command::Compute { file, json } => compute::run_compute(&file, json),
        Command::Fmt { file, check } => fmt::run_fmt(&file, check),
        Command::Glossary { term, json } => glossary::run(term.as_deref(), json),
        Command::Tornado {
            file,
            scenario,
            json,
        } => output::run_on(&file, json, |ws| {
            decide::tornado(&file, ws, scenario.as_deref())
        }),
        Command::Montecarlo {
            file,
            sampling,
            json,
        } => output::run_on(&file, json, |ws| {
            decide::montecarlo(&file, ws, sampling.draws, sampling.seed)
        }),
        Command::Forecast {
            file,
            sampling,
            json,
        } => output::run_on(&file, json, |ws| {
            decide::forecast(&file, ws, sampling.draws, sampling.seed)
        }),
        Command::Decide { file, json } => {
            output::run_on(&file, json, |ws| decide::decision(&file, ws))
        }
        Command::Sources {
            file,
            bind,
            from,
            refresh,
            json,
        } => sources::run(&file, bind.as_deref(), from.as_deref(), refresh, json),
        Command::Plan {
            file,
            scenario,
            json,
        } => output::run_on(&file, json, |ws| plan::run(&file, ws, scenario.as_deref())),
        Command::Gates { file, json } => output::run_on(&file, json, |ws| decide::gates(&file, ws)),
        Command::Attribute { file, json } => {
            output::run_on(&file, json, |ws| decide::attribute(&file, ws))
        }
        Command::Review { file, json } => {
            output::run_on(&file, json, |ws| decide::review(&file, ws))
        }
        Command::Diff { old, new, json } => diff::run_diff(&old, &new, json),
        Command::Export { what } => export::dispatch(what),
        Command::Import { what } => imports::dispatch(what),
        Command::Querypack { what } => querypack::dispatch(what),
        Command::Baseline { file, json } => output::run_on(&file, json, import::baseline),
        Command::Goodput { file, json } => output::run_on(&file, json, import::goodput),
        Command::Dispute {
            file,
            reconciliation,
            line,
            delta,
            withdraw,
            json,
        } => evidence::run_dispute(&file, &reconciliation, line, delta, withdraw, json),
        Command::Reconcile(args) => reconcile::dispatch(*args),
    }
}
