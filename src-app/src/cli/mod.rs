//! `lcpr`: the headless face of LCPR Workbench (also reached as `lcpr-workbench --headless`).

pub mod compute;
pub mod decide;
pub mod evidence;
pub mod export;
pub mod import;
pub mod querypack;
pub mod reconcile;
pub mod table;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lcpr_core::calc::{self, CalcKind};
use lcpr_core::joins::workspace_import::{EvidenceFile, EvidenceRequest, ModelBudget};
use lcpr_core::memo::tables::TableKind;

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
    #[command(after_help = kinds_help())]
    Calc {
        /// The computation to run.
        #[arg(value_parser = kind_parser())]
        kind: String,
    },
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
        what: ImportCommand,
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
    Reconcile(Box<ReconcileArgs>),
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
    /// Export the decision memo or the review pack as PDF, or a report table as CSV.
    ///
    /// A file or request that breaks a rule exits with status 2 and one line on stderr; the
    /// output is replaced atomically, so a failed export leaves any old file as it was.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
}

/// `lcpr reconcile`: the workspace, the request, and what to do with the result.
#[derive(clap::Args)]
struct ReconcileArgs {
    /// The workspace file (YAML): its workload, and its rate cards when no --contract.
    file: PathBuf,
    #[command(flatten)]
    request: reconcile::Request,
    /// Also add the reconciliation to the workspace file.
    #[arg(long)]
    into: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load-test results (generic CSV/JSONL, vLLM, GuideLLM, AIPerf per-request exports):
    /// one load test per run, and the goodput sweep under the workload's SLOs.
    Loadtest {
        /// The load-test file.
        file: PathBuf,
        /// The workspace to add the load tests to.
        #[arg(long)]
        into: PathBuf,
        /// The workload whose SLOs and quality gate apply.
        #[arg(long)]
        workload: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A provider invoice (FOCUS cost-and-usage CSV or plain invoice lines): the amount as
    /// billed, and each line checked against the contracted rates.
    Invoice {
        /// The invoice file.
        file: PathBuf,
        #[command(flatten)]
        target: ReconciliationTarget,
        /// FOCUS ServiceName values to keep (FOCUS exports cover a whole account).
        #[arg(long = "focus-service")]
        focus_services: Vec<String>,
    },
    /// Eval results (request id → pass/fail, grader cost), CSV or JSONL: grading cost and the
    /// accepted outputs, joined with the reviews imported before.
    Evals {
        /// The eval-results file.
        file: PathBuf,
        #[command(flatten)]
        target: ReconciliationTarget,
    },
    /// Human reviews (request id → outcome, minutes, cost), CSV or JSONL: review cost, joined
    /// with the eval results imported before.
    Reviews {
        /// The reviews file.
        file: PathBuf,
        #[command(flatten)]
        target: ReconciliationTarget,
    },
    /// Contracted rates per meter with effective dates (CSV): invoices are checked against them.
    Contract {
        /// The contract file.
        file: PathBuf,
        /// The workspace to add the rates to.
        #[arg(long)]
        into: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A model's Hugging Face `config.json`: its attention shape becomes the migration case's
    /// model, for the memory and context gate. Shapes it cannot size are refused.
    ModelConfig {
        /// The config.json file.
        file: PathBuf,
        /// The workspace whose migration case gets the model.
        #[arg(long)]
        into: PathBuf,
        /// KV pool per replica, GB (needed when the case has no model yet).
        #[arg(long)]
        kv_pool_gb: Option<f64>,
        /// Context each sequence needs, tokens (needed when the case has no model yet).
        #[arg(long)]
        context_tokens: Option<f64>,
        /// Concurrent sequences needed per replica (needed when the case has no model yet).
        #[arg(long)]
        concurrency: Option<f64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Per-request traces (CSV, JSONL, OTLP JSON spans, provider usage objects, Parquet):
    /// one dated baseline per workload, priced from the rate cards.
    Traces {
        /// The trace file; its format comes from its name.
        file: PathBuf,
        /// The workspace to add the baselines to.
        #[arg(long)]
        into: PathBuf,
        /// A column mapping saved in the workspace, or canonical / otel_genai.
        #[arg(long)]
        mapping: Option<String>,
        /// Also set this reconciliation's trace cost and attempts from the trace's rows of its
        /// workload and period.
        #[arg(long)]
        reconciliation: Option<String>,
        /// Percentiles are exact while a workload-day holds at most this many values, else
        /// sketched within 1% (default 1000; 0 always sketches). Memory grows with it.
        #[arg(long)]
        exact_below: Option<usize>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Warehouse query-pack results (querypack/*.sql): the baselines a trace import derives.
    Querypack(querypack::Args),
}

/// The workspace and reconciliation an evidence file goes into.
#[derive(clap::Args)]
struct ReconciliationTarget {
    /// The workspace to write into.
    #[arg(long)]
    into: PathBuf,
    /// The reconciliation (default: the one the file fits, or the only one).
    #[arg(long)]
    reconciliation: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The decision memo on one scenario against the other options of its workload.
    Memo {
        /// The workspace file (YAML).
        file: PathBuf,
        /// Scenario id (default: the proposed scenario, else the lowest LCPR).
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

fn table_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(TableKind::ALL.map(TableKind::name))
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

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Calc { kind } => run_calc(&kind),
        Command::Compute { file, json } => run_compute(&file, json),
        Command::Fmt { file, check } => run_fmt(&file, check),
        Command::Tornado {
            file,
            scenario,
            json,
        } => run_decide(&file, json, |ws| {
            decide::tornado(&file, ws, scenario.as_deref())
        }),
        Command::Montecarlo {
            file,
            sampling,
            json,
        } => run_decide(&file, json, |ws| {
            decide::montecarlo(&file, ws, sampling.draws, sampling.seed)
        }),
        Command::Forecast {
            file,
            sampling,
            json,
        } => run_decide(&file, json, |ws| {
            decide::forecast(&file, ws, sampling.draws, sampling.seed)
        }),
        Command::Gates { file, json } => run_decide(&file, json, |ws| decide::gates(&file, ws)),
        Command::Attribute { file, json } => {
            run_decide(&file, json, |ws| decide::attribute(&file, ws))
        }
        Command::Review { file, json } => run_decide(&file, json, |ws| decide::review(&file, ws)),
        Command::Export { what } => run_export(what),
        Command::Import { what } => run_import(what),
        Command::Baseline { file, json } => run_decide(&file, json, import::baseline),
        Command::Goodput { file, json } => run_decide(&file, json, import::goodput),
        Command::Dispute {
            file,
            reconciliation,
            line,
            delta,
            withdraw,
            json,
        } => {
            let action = match (line, delta, withdraw) {
                (Some(l), None, None) => evidence::DisputeAction::Line(l),
                (None, Some(reason), None) => evidence::DisputeAction::Delta(reason),
                (None, None, Some(k)) => evidence::DisputeAction::Withdraw(k),
                _ => {
                    eprintln!("lcpr dispute: give one of --line, --delta or --withdraw");
                    return ExitCode::from(EXIT_INVALID_INPUT);
                }
            };
            run_decide(&file, json, |ws| {
                evidence::dispute(&file, ws, &reconciliation, &action)
            })
        }
        Command::Reconcile(args) => {
            let ReconcileArgs {
                file,
                request,
                into,
                json,
            } = *args;
            run_decide(&file, json, |ws| {
                let result = reconcile::run(ws, &request)?;
                if into {
                    reconcile::write_into(&file, &request, &result)?;
                }
                reconcile::output(&result)
            })
        }
    }
}

fn run_export(command: ExportCommand) -> ExitCode {
    let (name, file, what, output) = match command {
        ExportCommand::Memo {
            file,
            scenario,
            output,
        } => ("memo", file, export::Export::Memo { scenario }, output),
        ExportCommand::Review { file, output } => ("review", file, export::Export::Review, output),
        ExportCommand::Chargeback { file, output } => {
            ("chargeback", file, export::Export::Chargeback, output)
        }
        ExportCommand::Csv {
            file,
            table,
            output,
        } => {
            let Some(table) = TableKind::from_name(&table) else {
                eprintln!("lcpr export csv: unknown table {table:?}");
                return ExitCode::from(EXIT_INVALID_INPUT);
            };
            ("csv", file, export::Export::Csv { table }, output)
        }
    };
    match export::run(&file, &what, &output) {
        Ok(bytes) => {
            println!("wrote {} ({bytes} bytes)", output.display());
            ExitCode::SUCCESS
        }
        Err(e @ export::ExportError::Refused(_)) => {
            eprintln!("lcpr export {name}: {e}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        Err(e) => {
            eprintln!("lcpr export {name}: {e}");
            ExitCode::FAILURE
        }
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

fn run_compute(file: &std::path::Path, json: bool) -> ExitCode {
    let (ws, eval) = match compute::load_and_evaluate(file) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("lcpr compute: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    if json {
        match compute::to_json(file, &ws, &eval) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("lcpr compute: {e:#}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", compute::to_text(file, &ws, &eval));
    }
    ExitCode::SUCCESS
}

fn run_fmt(file: &std::path::Path, check: bool) -> ExitCode {
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

fn run_decide(
    file: &std::path::Path,
    json: bool,
    command: impl FnOnce(&lcpr_core::document::Workspace) -> Result<decide::Output, String>,
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

fn run_evidence(file: PathBuf, kind: EvidenceFile, target: ReconciliationTarget) -> ExitCode {
    let request = EvidenceRequest {
        path: file,
        kind,
        reconciliation: target.reconciliation,
    };
    run_decide(&target.into, target.json, |ws| {
        evidence::import(&target.into, ws, &request)
    })
}

fn run_import(command: ImportCommand) -> ExitCode {
    match command {
        ImportCommand::Invoice {
            file,
            target,
            focus_services,
        } => run_evidence(file, EvidenceFile::Invoice { focus_services }, target),
        ImportCommand::Evals { file, target } => run_evidence(file, EvidenceFile::Evals, target),
        ImportCommand::Reviews { file, target } => {
            run_evidence(file, EvidenceFile::Reviews, target)
        }
        ImportCommand::Contract { file, into, json } => run_evidence(
            file,
            EvidenceFile::Contract,
            ReconciliationTarget {
                into,
                reconciliation: None,
                json,
            },
        ),
        ImportCommand::ModelConfig {
            file,
            into,
            kv_pool_gb,
            context_tokens,
            concurrency,
            json,
        } => {
            let budget = match (kv_pool_gb, context_tokens, concurrency) {
                (Some(kv_pool_gb), Some(context_tokens), Some(needed_concurrency)) => {
                    Some(ModelBudget {
                        kv_pool_gb,
                        context_tokens,
                        needed_concurrency,
                    })
                }
                (None, None, None) => None,
                _ => {
                    eprintln!(
                        "lcpr import model-config: give all of --kv-pool-gb, --context-tokens and --concurrency, or none"
                    );
                    return ExitCode::from(EXIT_INVALID_INPUT);
                }
            };
            run_evidence(
                file,
                EvidenceFile::ModelConfig { budget },
                ReconciliationTarget {
                    into,
                    reconciliation: None,
                    json,
                },
            )
        }
        ImportCommand::Querypack(args) => querypack::run(args),
        ImportCommand::Loadtest {
            file,
            into,
            workload,
            json,
        } => match import::import_loadtest(&file, &into, &workload) {
            Ok((ids, sweep)) => {
                if json {
                    match serde_json::to_string_pretty(
                        &serde_json::json!({ "load_tests": ids, "sweep": sweep }),
                    ) {
                        Ok(text) => println!("{text}"),
                        Err(e) => {
                            eprintln!("lcpr import loadtest: cannot write JSON: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                } else {
                    print!("{}", import::sweep_text(&into, &ids, &sweep));
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr import loadtest: {e}");
                ExitCode::from(EXIT_INVALID_INPUT)
            }
        },
        ImportCommand::Traces {
            file,
            into,
            mapping,
            reconciliation,
            exact_below,
            json,
        } => {
            let cancel = std::sync::atomic::AtomicBool::new(false);
            let mut last_percent = 0;
            let mut progress = |p: lcpr_core::import::Progress| {
                if let Some(percent) = (p.bytes_done * 100).checked_div(p.bytes_total)
                    && percent >= last_percent + 10
                {
                    last_percent = percent;
                    eprintln!("lcpr import: {percent}% ({} rows)", p.rows_done);
                }
            };
            match import::import_traces(
                &file,
                &into,
                mapping.as_deref(),
                reconciliation.as_deref(),
                exact_below,
                &mut progress,
                &cancel,
            ) {
                Ok((_, report)) if json => match serde_json::to_string_pretty(&report) {
                    Ok(text) => {
                        println!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("lcpr import: cannot write JSON: {e}");
                        ExitCode::FAILURE
                    }
                },
                Ok((_, report)) => {
                    print!("{}", import::report_text(&into, &report));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("lcpr import traces: {e}");
                    ExitCode::from(EXIT_INVALID_INPUT)
                }
            }
        }
    }
}
