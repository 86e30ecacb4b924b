//! A baseline: a dated measured snapshot with its versions, traffic shape and metrics.

use egui::Ui;
use lcpr_core::document::{Rule, Workspace};

use super::choices;
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let workloads = choices(
        ws.workloads
            .iter()
            .map(|w| (w.id.as_str(), w.name.as_str())),
    );
    let Some(b) = ws.baselines.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut b.id);
    widgets::choice(ui, "workload", "Workload", &mut b.workload, &workloads);
    widgets::date(ui, "captured", "Captured on", &mut b.captured_on);
    widgets::text(ui, "Model version", &mut b.versions.model);
    widgets::text(ui, "Prompt version", &mut b.versions.prompt);
    widgets::text(ui, "Eval suite version", &mut b.versions.eval_suite);
    widgets::section(ui, "Traffic shape");
    let t = &mut b.traffic;
    widgets::number(
        ui,
        "tin50",
        "Input p50",
        "tokens",
        &mut t.input_tokens_p50,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "tin95",
        "Input p95",
        "tokens",
        &mut t.input_tokens_p95,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "tout50",
        "Output p50",
        "tokens",
        &mut t.output_tokens_p50,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "tout95",
        "Output p95",
        "tokens",
        &mut t.output_tokens_p95,
        Rule::NonNegative,
    );
    widgets::section(ui, "Metrics");
    let m = &mut b.metrics;
    widgets::money(ui, "lcpr", "LCPR", "$ per accepted output", &mut m.lcpr);
    for (salt, label, v) in [
        ("eval", "Eval pass rate", &mut m.eval_pass_rate),
        ("gate", "Gate pass rate", &mut m.gate_pass_rate),
    ] {
        match v {
            Some(v) => {
                widgets::number(ui, salt, label, "share", v, Rule::Fraction);
            }
            None => not_measured(ui, label, "no quality verdicts: join eval results"),
        }
    }
    for (salt, label, v) in [
        ("err", "Error rate", &mut m.error_rate),
        ("retry", "Retry rate", &mut m.retry_rate),
        ("timeout", "Timeout rate", &mut m.timeout_rate),
        ("hit", "Cache hit rate", &mut m.cache_hit_rate),
        (
            "elig",
            "Cache-eligible prefix share",
            &mut m.cache_eligible_prefix_share,
        ),
        ("esc", "Escalation rate", &mut m.escalation_rate),
    ] {
        widgets::number(ui, salt, label, "share", v, Rule::Fraction);
    }
    for (salt, label, q) in [
        ("ttft", "TTFT", &mut m.ttft_ms),
        ("tpot", "TPOT", &mut m.tpot_ms),
    ] {
        let Some(q) = q else {
            not_measured(ui, label, "the evidence carried no values");
            continue;
        };
        widgets::number(
            ui,
            (salt, 50),
            &format!("{label} p50"),
            "ms",
            &mut q.p50,
            Rule::NonNegative,
        );
        widgets::number(
            ui,
            (salt, 95),
            &format!("{label} p95"),
            "ms",
            &mut q.p95,
            Rule::NonNegative,
        );
        widgets::number(
            ui,
            (salt, 99),
            &format!("{label} p99"),
            "ms",
            &mut q.p99,
            Rule::NonNegative,
        );
    }
    widgets::number(
        ui,
        "rpd",
        "Requests per day",
        "requests",
        &mut m.requests_per_day,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "apd",
        "Accepted per day",
        "outputs",
        &mut m.accepted_per_day,
        Rule::NonNegative,
    );
    widgets::notes(ui, "Notes", &mut b.notes);
    true
}

/// A metric the baseline's evidence could not carry: shown as such, never as a zero.
fn not_measured(ui: &mut Ui, label: &str, why: &str) {
    ui.horizontal(|ui| {
        ui.label(format!("{label}:"));
        ui.weak(format!("not measured ({why})"));
    });
}
