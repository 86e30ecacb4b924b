//! `lcpr import …`: every kind of evidence a workspace takes, each subcommand handed to the
//! file that implements it (`import` for traces and load tests, `evidence` for invoices, evals,
//! reviews, contracts and model configs, `prices` for price books, `querypack` for warehouse
//! results).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use lcpr_core::document::contracts::InvoiceMapping;
use lcpr_core::evidence::joins::workspace_import::{EvidenceFile, EvidenceRequest, ModelBudget};

use super::{EXIT_INVALID_INPUT, evidence, import, output, prices, querypack};

#[derive(Subcommand)]
pub enum Command {
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
        /// The load test's id (default: from the run: tool, rate or concurrency, date);
        /// `ID-1`, `ID-2`, … for a file of several runs.
        #[arg(long)]
        id: Option<String>,
        /// AIPerf's summary `profile_export_aiperf.json` (default: the one beside the
        /// records file), for the request rate and load mode.
        #[arg(long)]
        summary: Option<PathBuf>,
        /// The scenario whose route was tested: with --gpus, the capacity ceiling under the
        /// workload's SLOs becomes the throughput of that route's GPU rate card.
        #[arg(long)]
        scenario: Option<String>,
        /// GPUs that served the tested deployment.
        #[arg(long)]
        gpus: Option<f64>,
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
        /// The column that names each line's model (SkuId, ChargeDescription, x_Model …);
        /// saved in the workspace as the invoice mapping `--mapping` (default `default`).
        #[arg(long)]
        model_column: Option<String>,
        /// A regular expression over that column: its `model` group, else first group, else
        /// whole match is the model (`^(\S+)` keeps `GPT-5.4` of `GPT-5.4 input tokens`).
        #[arg(long, requires = "model_column")]
        model_pattern: Option<String>,
        /// The name the mapping is saved under (default `default`, used by later imports).
        #[arg(long, default_value = "default")]
        mapping: String,
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
        /// The trace file; its format comes from its name, else from its first bytes.
        file: PathBuf,
        /// The workspace to add the baselines to.
        #[arg(long)]
        into: PathBuf,
        /// How to read the file and what to do with it.
        #[command(flatten)]
        flags: import::TraceFlags,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Warehouse query-pack results (querypack/*.sql): the baselines a trace import derives.
    Querypack(querypack::Args),
    /// A price book (LiteLLM's model prices JSON, genai-prices YAML/JSON, OpenRouter's models
    /// JSON) as rate cards: new cards added, drift from the workspace's cards reported and
    /// written only with --accept; contract overlays are kept.
    Prices(prices::Args),
}

/// The workspace and reconciliation an evidence file goes into.
#[derive(clap::Args)]
pub struct ReconciliationTarget {
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

fn run_evidence(file: PathBuf, kind: EvidenceFile, target: ReconciliationTarget) -> ExitCode {
    let request = EvidenceRequest {
        path: file,
        kind,
        reconciliation: target.reconciliation,
    };
    let holder = match request.kind {
        EvidenceFile::Invoice { .. } => "lcpr import invoice",
        EvidenceFile::Evals => "lcpr import evals",
        EvidenceFile::Reviews => "lcpr import reviews",
        EvidenceFile::Contract => "lcpr import contract",
        EvidenceFile::ModelConfig { .. } => "lcpr import model-config",
    };
    output::run_writing_on(&target.into, target.json, holder, |ws| {
        evidence::import(&target.into, ws, &request)
    })
}

/// Runs one `lcpr import` subcommand.
pub fn dispatch(command: Command) -> ExitCode {
    match command {
        Command::Invoice {
            file,
            target,
            focus_services,
            model_column,
            model_pattern,
            mapping,
        } => {
            let mapping = model_column.map(|model_column| InvoiceMapping {
                name: mapping,
                model_column,
                model_pattern: model_pattern.unwrap_or_default(),
            });
            run_evidence(
                file,
                EvidenceFile::Invoice {
                    focus_services,
                    mapping,
                },
                target,
            )
        }
        Command::Evals { file, target } => run_evidence(file, EvidenceFile::Evals, target),
        Command::Reviews { file, target } => run_evidence(file, EvidenceFile::Reviews, target),
        Command::Contract { file, into, json } => run_evidence(
            file,
            EvidenceFile::Contract,
            ReconciliationTarget {
                into,
                reconciliation: None,
                json,
            },
        ),
        Command::ModelConfig {
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
        Command::Querypack(args) => querypack::run(args),
        Command::Prices(args) => prices::run(args),
        Command::Loadtest {
            file,
            into,
            workload,
            id,
            summary,
            scenario,
            gpus,
            json,
        } => match import::import_loadtest(
            &file,
            &into,
            &workload,
            &import::LoadTestOptions {
                id,
                summary,
                scenario,
                gpus,
            },
        ) {
            Ok(added) => {
                if json {
                    match serde_json::to_string_pretty(&serde_json::json!({
                        "load_tests": added.ids,
                        "sweep": added.sweep,
                        "moved": added.sources.moved,
                        "source_problems": added.sources.problems,
                    })) {
                        Ok(text) => println!("{text}"),
                        Err(e) => {
                            eprintln!("lcpr import loadtest: cannot write JSON: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                } else {
                    print!("{}", import::sweep_text(&into, &added.ids, &added.sweep));
                    print!(
                        "{}",
                        import::moved_text(&added.sources.moved, &added.sources.problems)
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr import loadtest: {e}");
                ExitCode::from(EXIT_INVALID_INPUT)
            }
        },
        Command::Traces {
            file,
            into,
            flags,
            json,
        } => {
            let cancel = std::sync::atomic::AtomicBool::new(false);
            let mut last_percent = 0;
            let mut progress = |p: lcpr_core::evidence::traces::Progress| {
                if let Some(percent) = (p.bytes_done * 100).checked_div(p.bytes_total)
                    && percent >= last_percent + 10
                {
                    last_percent = percent;
                    eprintln!("lcpr import: {percent}% ({} rows)", p.rows_done);
                }
            };
            match import::import_traces(&file, &into, &flags, &mut progress, &cancel) {
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
