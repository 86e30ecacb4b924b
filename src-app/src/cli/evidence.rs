//! `lcpr import invoice|evals|reviews|contract|model-config FILE --into WORKSPACE` and
//! `lcpr dispute`: one evidence file, or one dispute, written into the workspace atomically, or
//! nothing written at all.

use std::path::Path;

use lcpr_core::document::{self, Date, Workspace};
use lcpr_core::evidence::joins::evidence::{dispute_delta, dispute_line, withdraw_dispute};
use lcpr_core::evidence::joins::workspace_import::{EvidenceRequest, import_evidence};

use super::decide::Output;

/// Imports `request` into the workspace at `file` (already loaded as `ws`) and saves it.
pub fn import(file: &Path, ws: &Workspace, request: &EvidenceRequest) -> Result<Output, String> {
    let base = file.parent();
    let today = Date::today().ok_or("the system clock is before 1970")?;
    let (mut updated, report) =
        import_evidence(ws, request, base, today).map_err(|e| e.to_string())?;
    // A reconciliation's figures feed the inputs taken from it.
    let moved = lcpr_core::case::sources::refresh(&mut updated);
    document::save(&updated, file).map_err(|e| e.to_string())?;
    let mut text = super::import::moved_text(&moved.moved, &moved.problems);
    for line in &report.summary {
        text.push_str(line);
        text.push('\n');
    }
    if let Some(check) = &report.invoice {
        for o in &check.off_rate_lines {
            text.push_str(&format!(
                "  line {} ({}) billed {} against the contracted {}: overcharge {}\n",
                o.line_id,
                o.meter,
                lcpr_core::evidence::joins::reconcile::unit_price_label(
                    o.meter,
                    o.billed_unit_price
                ),
                lcpr_core::evidence::joins::reconcile::unit_price_label(
                    o.meter,
                    o.contracted_unit_price
                ),
                o.overcharge.normalize()
            ));
        }
        for a in &check.amount_mismatches {
            text.push_str(&format!(
                "  line {} ({}) bills {} where quantity × its unit price is {}: {} off its own arithmetic\n",
                a.line_id,
                a.source,
                a.amount.normalize(),
                a.expected.normalize(),
                a.overcharge.normalize()
            ));
        }
        // Lines not checked are listed, each with its reason, in the summary above.
    }
    text.push_str(&format!("Wrote {}\n", file.display()));
    let json = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    Ok(Output { json, text })
}

/// What `lcpr dispute` does to a reconciliation.
pub enum DisputeAction {
    /// Dispute an off-rate line's overcharge.
    Line(String),
    /// Dispute the rest of the trace-to-invoice delta, with a reason.
    Delta(String),
    /// Withdraw dispute N (0-based, as listed).
    Withdraw(usize),
}

/// Applies a dispute action to reconciliation `id` of the workspace at `file` and saves it.
pub fn dispute(
    file: &Path,
    ws: &Workspace,
    id: &str,
    action: &DisputeAction,
) -> Result<Output, String> {
    let i = ws
        .reconciliations
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(|| format!("--reconciliation: names no reconciliation {id:?}"))?;
    let mut updated = ws.clone();
    let Some(r) = updated.reconciliations.get_mut(i) else {
        return Err(format!("--reconciliation: names no reconciliation {id:?}"));
    };
    let changed = match action {
        DisputeAction::Line(line) => dispute_line(r, line),
        DisputeAction::Delta(reason) => dispute_delta(r, reason),
        DisputeAction::Withdraw(k) => withdraw_dispute(r, *k),
    }
    .map_err(|e| format!("reconciliations[{i}].{e}"))?;
    *r = changed;
    let r = r.clone();
    lcpr_core::case::sources::refresh(&mut updated);
    document::save(&updated, file).map_err(|e| e.to_string())?;
    let input = document::validate::reconciliation_input(&r);
    let mut text = format!(
        "{}: invoice {} as billed, {} disputed, {} counted in loaded cost\n",
        r.id,
        r.invoice_amount,
        document::validate::disputed(&r),
        input.invoice_amount
    );
    for (k, d) in r.disputes.iter().enumerate() {
        let what = if d.line_id.is_empty() {
            "the delta".to_owned()
        } else {
            format!("line {}", d.line_id)
        };
        text.push_str(&format!("  [{k}] {what}: {} — {}\n", d.amount, d.reason));
    }
    text.push_str(&format!("Wrote {}\n", file.display()));
    let json = serde_json::to_value(&r).map_err(|e| e.to_string())?;
    Ok(Output { json, text })
}

/// Runs `lcpr dispute`: exactly one of `line`, `delta` or `withdraw`.
pub fn run_dispute(
    file: &Path,
    reconciliation: &str,
    line: Option<String>,
    delta: Option<String>,
    withdraw: Option<usize>,
    json: bool,
) -> std::process::ExitCode {
    let action = match (line, delta, withdraw) {
        (Some(l), None, None) => DisputeAction::Line(l),
        (None, Some(reason), None) => DisputeAction::Delta(reason),
        (None, None, Some(k)) => DisputeAction::Withdraw(k),
        _ => {
            eprintln!("lcpr dispute: give one of --line, --delta or --withdraw");
            return std::process::ExitCode::from(super::EXIT_INVALID_INPUT);
        }
    };
    super::output::run_writing_on(file, json, "lcpr dispute", |ws| {
        dispute(file, ws, reconciliation, &action)
    })
}
