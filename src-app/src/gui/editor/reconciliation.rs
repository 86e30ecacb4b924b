//! A reconciliation: one period's trace cost, invoice, eval, human and ops costs, attempts,
//! accepted outputs and revenue; the lines billed off contract, the disputes raised with the
//! vendor and the files the figures came from.

use egui::{Grid, RichText, Ui};
use lcpr_core::document::validate::{disputed, reconciliation_input};
use lcpr_core::document::{Reconciliation, Workspace};
use lcpr_core::evidence::joins::evidence::{dispute_delta, dispute_line, withdraw_dispute};
use lcpr_core::evidence::joins::reconcile::unit_price_label;
use lcpr_core::money::{format_usd, to_f64};
use rust_decimal::Decimal;

use super::choices;
use crate::gui::{theme, widgets};

fn usd(d: Decimal) -> String {
    format_usd(to_f64(d), 2)
}

/// Where a refused dispute's reason is kept until the next one.
fn error_id(ui: &Ui) -> egui::Id {
    ui.scope_id().with("dispute-error")
}

/// What a click asked for; applied after drawing so the record is not borrowed twice.
enum Action {
    DisputeLine(String),
    DisputeDelta,
    Withdraw(usize),
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let workloads = choices(
        ws.workloads
            .iter()
            .map(|w| (w.id.as_str(), w.name.as_str())),
    );
    let Some(r) = ws.reconciliations.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut r.id);
    widgets::choice(ui, "workload", "Workload", &mut r.workload, &workloads);
    widgets::date(ui, "start", "Period start", &mut r.period.start);
    widgets::date(ui, "end", "Period end", &mut r.period.end);
    widgets::money(ui, "trace", "Trace-derived cost", "$", &mut r.trace_cost);
    widgets::money(
        ui,
        "invoice",
        "Invoice as billed",
        "$",
        &mut r.invoice_amount,
    );
    widgets::money(ui, "eval", "Eval grading", "$", &mut r.eval_cost);
    widgets::money(ui, "human", "Human escalation", "$", &mut r.human_cost);
    widgets::money(ui, "ops", "Operations", "$", &mut r.ops_cost);
    widgets::money(ui, "attempts", "Attempts", "requests", &mut r.attempts);
    widgets::money(ui, "accepted", "Accepted", "outputs", &mut r.accepted);
    widgets::money(
        ui,
        "revenue",
        "Revenue per accepted output",
        "$",
        &mut r.revenue_per_unit,
    );
    widgets::notes(ui, "Notes", &mut r.notes);

    let mut action = None;
    off_rate_lines(ui, r, &mut action);
    disputes(ui, r, &mut action);
    sources(ui, r);

    if let Some(action) = action {
        let outcome = match &action {
            Action::DisputeLine(line) => dispute_line(r, line),
            Action::DisputeDelta => dispute_delta(r, "disputed with the vendor"),
            Action::Withdraw(k) => withdraw_dispute(r, *k),
        };
        match outcome {
            Ok(updated) => {
                *r = updated;
                ui.data_mut(|d| {
                    d.remove::<String>(error_id(ui));
                });
            }
            Err(e) => {
                let message = e.to_string();
                ui.data_mut(|d| d.insert_temp(error_id(ui), message));
            }
        }
    }
    if let Some(e) = ui.data(|d| d.get_temp::<String>(error_id(ui))) {
        ui.label(RichText::new(format!("⚠ {e}")).color(theme::error_color(ui.visuals())));
    }
    true
}

fn off_rate_lines(ui: &mut Ui, r: &Reconciliation, action: &mut Option<Action>) {
    widgets::section(ui, "Lines billed off the contracted rate");
    if r.off_rate_lines.is_empty() {
        ui.label(if r.sources.is_empty() {
            "No invoice imported: File → Import invoice… checks each line against the contract."
        } else {
            "Every line checked was billed at its contracted rate."
        });
    } else {
        Grid::new("off-rate")
            .num_columns(5)
            .striped(true)
            .show(ui, |ui| {
                for h in ["Line", "Billed", "Contracted", "Overcharge", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for o in &r.off_rate_lines {
                    ui.label(format!("{} ({})", o.line_id, o.meter));
                    ui.label(unit_price_label(o.meter, o.billed_unit_price));
                    ui.label(unit_price_label(o.meter, o.contracted_unit_price))
                        .on_hover_text(format!("In force from {}", o.contract_effective_from));
                    ui.label(usd(o.overcharge));
                    let open = o.overcharge > Decimal::ZERO
                        && !r.disputes.iter().any(|d| d.line_id == o.line_id);
                    if ui
                        .add_enabled(open, egui::Button::new(format!("Dispute {}", o.line_id)))
                        .on_hover_text("Keep it on record and take it out of loaded cost")
                        .clicked()
                    {
                        *action = Some(Action::DisputeLine(o.line_id.clone()));
                    }
                    ui.end_row();
                }
            });
    }
    if !r.unrated_lines.is_empty() {
        ui.label(format!(
            "No contracted rate for lines {}: import the contract to check them.",
            r.unrated_lines.join(", ")
        ));
    }
}

fn disputes(ui: &mut Ui, r: &Reconciliation, action: &mut Option<Action>) {
    widgets::section(ui, "Disputed with the vendor");
    let net = reconciliation_input(r).invoice_amount;
    ui.label(format!(
        "Invoice as billed {}; disputed {}; counted in loaded cost {}.",
        usd(r.invoice_amount),
        usd(disputed(r)),
        usd(net)
    ));
    if !r.disputes.is_empty() {
        Grid::new("disputes")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for (k, d) in r.disputes.iter().enumerate() {
                    let what = if d.line_id.is_empty() {
                        "Delta".to_owned()
                    } else {
                        format!("Line {}", d.line_id)
                    };
                    // The reason on hover keeps the panel narrow.
                    ui.label(what).on_hover_text(&d.reason);
                    ui.label(usd(d.amount));
                    if ui.button(format!("Withdraw {}", k + 1)).clicked() {
                        *action = Some(Action::Withdraw(k));
                    }
                    ui.end_row();
                }
            });
    }
    let rest = r.invoice_amount - r.trace_cost - disputed(r);
    let open = rest > Decimal::ZERO && !r.disputes.iter().any(|d| d.line_id.is_empty());
    if ui
        .add_enabled(open, egui::Button::new("Dispute the rest of the delta"))
        .on_hover_text(format!(
            "Invoice − trace cost − already disputed = {}",
            usd(rest)
        ))
        .clicked()
    {
        *action = Some(Action::DisputeDelta);
    }
}

fn sources(ui: &mut Ui, r: &Reconciliation) {
    if r.sources.is_empty() {
        return;
    }
    widgets::section(ui, "Imported from");
    Grid::new("sources")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for s in &r.sources {
                ui.label(s.kind.name());
                // The name only, so a long path does not widen the panel; the path on hover.
                let name = s.file.rsplit('/').next().unwrap_or(&s.file);
                ui.label(name).on_hover_text(&s.file);
                ui.label(format!("{} records", s.records));
                ui.label(format!("{} · {}", s.imported_on, s.fingerprint))
                    .on_hover_text("Import date and the file's fingerprint");
                ui.end_row();
            }
        });
}
