//! `lcpr reconcile WORKSPACE`: the four-source reconciliation of one period — trace cost,
//! invoice lines checked against the contracted rates, eval and human review joined on
//! request id, ops costs — printed, and with `--into` written into the workspace.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use lcpr_core::document::{self, Date, EvidenceKind, Period, Workspace};
use lcpr_core::evidence::joins::contract::read_contract;
use lcpr_core::evidence::joins::csv::Format;
use lcpr_core::evidence::joins::evals::{
    EvalResults, HumanReviews, read_eval_results, read_human_reviews,
};
use lcpr_core::evidence::joins::evidence::record_source;
use lcpr_core::evidence::joins::reconcile::{
    CostItem, Dispute, FourSourceReconciliation, ReconcileInput, Sources, reconcile,
};
use lcpr_core::evidence::joins::workspace_import::read_workspace_invoice;
use lcpr_core::evidence::joins::workspace_import::{contract_of, source_of_file};
use lcpr_core::money::{format_usd, to_f64};
use rust_decimal::Decimal;

use super::decide::Output;

/// The sources and figures of one reconciliation, as given on the command line.
#[derive(clap::Args)]
pub struct Request {
    /// The workload reconciled.
    #[arg(long)]
    pub workload: String,
    /// The billing period, START..END (days included).
    #[arg(long)]
    pub period: String,
    /// Trace-derived inference cost of the period, $.
    #[arg(long)]
    pub trace_cost: Decimal,
    /// Requests attempted in the period.
    #[arg(long)]
    pub attempts: u64,
    /// The invoice: FOCUS cost-and-usage CSV or a plain invoice-line CSV.
    #[arg(long)]
    pub invoice: PathBuf,
    /// FOCUS ServiceName values to keep (FOCUS exports cover a whole account).
    #[arg(long = "focus-service")]
    pub focus_services: Vec<String>,
    /// Contracted rates per meter with effective dates (default: the workspace's contract
    /// rates, else its rate cards).
    #[arg(long)]
    pub contract: Option<PathBuf>,
    /// Eval results (request id → pass/fail, grader cost), CSV or JSONL.
    #[arg(long)]
    pub evals: Option<PathBuf>,
    /// Human review results (request id → outcome, minutes, cost), CSV or JSONL.
    #[arg(long)]
    pub reviews: Option<PathBuf>,
    /// Ops and other costs, LABEL=AMOUNT (repeatable).
    #[arg(long)]
    pub ops: Vec<String>,
    /// Disputed invoice line ids (repeatable), or `all` for the whole delta.
    #[arg(long)]
    pub dispute: Vec<String>,
    /// Revenue per accepted output, $.
    #[arg(long, default_value = "0")]
    pub revenue_per_unit: Decimal,
    /// Reconciliation id (default: WORKLOAD-START).
    #[arg(long)]
    pub id: Option<String>,
}

fn open(path: &Path) -> Result<(String, BufReader<File>), String> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let file = File::open(path).map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
    Ok((name, BufReader::new(file)))
}

fn period(text: &str) -> Result<Period, String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("--period must be START..END, got {text:?}"))?;
    let start = a.parse().map_err(|e| format!("--period start {e}"))?;
    let end = b.parse().map_err(|e| format!("--period end {e}"))?;
    Ok(Period { start, end })
}

/// Runs the reconciliation against `ws`; also returns how lines billed in another currency were
/// converted, one sentence each.
pub fn run(ws: &Workspace, r: &Request) -> Result<(FourSourceReconciliation, Vec<String>), String> {
    if ws.workload(&r.workload).is_none() {
        return Err(format!("--workload: names no workload {:?}", r.workload));
    }
    let period = period(&r.period)?;
    let (name, _) = open(&r.invoice)?;
    let bytes = std::fs::read(&r.invoice)
        .map_err(|e| format!("{}: cannot be read: {e}", r.invoice.display()))?;
    let invoice = read_workspace_invoice(ws, &name, &bytes, &r.focus_services, None)
        .map_err(|e| e.to_string())?;
    let conversions = invoice.conversions;
    let invoice = invoice.lines;
    let contract = match &r.contract {
        Some(p) => {
            let (n, f) = open(p)?;
            read_contract(&n, f).map_err(|e| e.to_string())?
        }
        None => contract_of(ws).map_err(|e| e.to_string())?,
    };
    let evals = match &r.evals {
        Some(p) => {
            let (n, f) = open(p)?;
            read_eval_results(&n, Format::from_file_name(&n), f).map_err(|e| e.to_string())?
        }
        None => EvalResults::default(),
    };
    let reviews = match &r.reviews {
        Some(p) => {
            let (n, f) = open(p)?;
            read_human_reviews(&n, Format::from_file_name(&n), f).map_err(|e| e.to_string())?
        }
        None => HumanReviews::default(),
    };
    let ops = r
        .ops
        .iter()
        .map(|item| {
            let (label, amount) = item
                .split_once('=')
                .ok_or_else(|| format!("--ops must be LABEL=AMOUNT, got {item:?}"))?;
            let amount: Decimal = amount
                .trim()
                .parse()
                .map_err(|_| format!("--ops {label}: {amount:?} is not an amount"))?;
            Ok(CostItem {
                label: label.trim().to_owned(),
                amount,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let dispute = match r.dispute.as_slice() {
        [] => Dispute::None,
        [all] if all == "all" => Dispute::WholeDelta,
        ids => Dispute::Lines {
            line_ids: ids.to_vec(),
        },
    };
    let input = ReconcileInput {
        id: r
            .id
            .clone()
            .unwrap_or_else(|| format!("{}-{}", r.workload, period.start)),
        workload: r.workload.clone(),
        account: String::new(),
        period,
        trace_cost: r.trace_cost,
        attempts: r.attempts,
        ops,
        dispute,
        revenue_per_unit: r.revenue_per_unit,
    };
    reconcile(
        &input,
        &Sources {
            invoice: &invoice,
            contract: &contract,
            evals: &evals,
            reviews: &reviews,
        },
    )
    .map(|r| (r, conversions))
    .map_err(|e| e.to_string())
}

/// The text and JSON forms of a result.
pub fn output(r: &FourSourceReconciliation) -> Result<Output, String> {
    let m = |d: Decimal| format_usd(to_f64(d), 2);
    let b = &r.as_billed;
    let mut text = format!(
        "Reconciliation {} ({} {} – {})\nTrace cost {}, invoice {}: delta {} ({}){}\n",
        r.id,
        r.workload,
        r.period.start,
        r.period.end,
        m(b.input.trace_cost),
        m(r.invoice_total),
        m(b.delta),
        b.delta_pct
            .map_or("—".to_owned(), |p| format!("{:+.2}%", to_f64(p) * 100.0)),
        if b.delta_flagged {
            " — above the 5% threshold"
        } else {
            ""
        }
    );
    for l in &r.off_rate_lines {
        text.push_str(&format!(
            "  line {} ({:?}) billed at {} against the contracted {}: overcharge {}\n",
            l.line_id,
            l.meter,
            l.billed_unit_price,
            l.contracted_unit_price,
            m(l.overcharge)
        ));
    }
    for a in &r.amount_mismatches {
        text.push_str(&format!(
            "  line {} ({}) bills {} where quantity × its unit price is {}: {} off its own arithmetic\n",
            a.line_id,
            a.source,
            m(a.amount),
            m(a.expected),
            m(a.overcharge)
        ));
    }
    if !r.unrated_lines.is_empty() {
        text.push_str(&format!(
            "  not checked against a contracted rate (none covers them): {}\n",
            r.unrated_lines.join(", ")
        ));
    }
    text.push_str(&format!(
        "Explained by off-rate lines {}, unexplained {}; disputed {}\nAccepted {} of {} attempts; loaded cost {} as billed, {} net of disputes; LCPR {} net\n",
        m(r.explained_delta),
        m(r.unexplained_delta),
        m(r.disputed_amount),
        r.net_of_disputes.input.accepted_units,
        r.net_of_disputes.input.total_attempts,
        m(r.as_billed.total_loaded_cost),
        m(r.net_of_disputes.total_loaded_cost),
        format_usd(to_f64(r.net_of_disputes.lcpr), 4)
    ));
    let json = serde_json::to_value(r).map_err(|e| e.to_string())?;
    Ok(Output { json, text })
}

/// Adds the reconciliation to the workspace file (atomically), with the files it was read
/// from; refuses a repeated id.
pub fn write_into(
    file: &Path,
    request: &Request,
    r: &FourSourceReconciliation,
) -> Result<(), String> {
    let _lock =
        document::WorkspaceLock::acquire(file, "lcpr reconcile").map_err(|e| e.to_string())?;
    let mut ws = document::load(file).map_err(|e| e.to_string())?;
    let mut rec = r.to_document();
    let today = Date::today().ok_or("the system clock is before 1970")?;
    let lines = (r.lines_in_period + r.lines_outside_period) as u64;
    let files = [
        (EvidenceKind::Invoice, Some(&request.invoice), lines),
        (EvidenceKind::Contract, request.contract.as_ref(), 0),
        (
            EvidenceKind::Evals,
            request.evals.as_ref(),
            r.denominator.evaluated,
        ),
        (
            EvidenceKind::Reviews,
            request.reviews.as_ref(),
            r.denominator.reviewed,
        ),
    ];
    for (kind, path, records) in files {
        if let Some(path) = path {
            let source = source_of_file(kind, path, file.parent(), records, today)
                .map_err(|e| e.to_string())?;
            record_source(&mut rec, source);
        }
    }
    if ws.reconciliations.iter().any(|x| x.id == rec.id) {
        return Err(format!(
            "the workspace already has reconciliation {:?}; nothing was written",
            rec.id
        ));
    }
    ws.reconciliations.push(rec);
    // A newer reconciliation moves the inputs taken from the workload's older one.
    lcpr_core::case::sources::refresh(&mut ws);
    document::save(&ws, file).map_err(|e| e.to_string())
}

/// `lcpr reconcile`: the workspace, the request, and what to do with the result.
#[derive(clap::Args)]
pub struct Args {
    /// The workspace file (YAML): its workload, and its rate cards when no --contract.
    pub file: PathBuf,
    #[command(flatten)]
    pub request: Request,
    /// Also add the reconciliation to the workspace file.
    #[arg(long)]
    pub into: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `lcpr reconcile`.
pub fn dispatch(args: Args) -> std::process::ExitCode {
    let Args {
        file,
        request,
        into,
        json,
    } = args;
    super::output::run_on(&file, json, |ws| {
        let (result, conversions) = run(ws, &request)?;
        if into {
            write_into(&file, &request, &result)?;
        }
        let mut out = output(&result)?;
        let converted: String = conversions.iter().map(|c| format!("{c}\n")).collect();
        out.text.insert_str(0, &converted);
        Ok(out)
    })
}
