//! A load test: its window, method and the measured request groups.

use egui::Ui;
use lcpr_core::document::{ArrivalProcess, Rule, Workspace};

use super::choices;
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let workloads = choices(
        ws.workloads
            .iter()
            .map(|w| (w.id.as_str(), w.name.as_str())),
    );
    let mut scenarios: Vec<(Option<String>, String)> =
        vec![(None, "— (not in this workspace)".to_owned())];
    scenarios.extend(
        choices(
            ws.scenarios
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str())),
        )
        .into_iter()
        .map(|(id, l)| (Some(id), l)),
    );
    let Some(t) = ws.load_tests.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut t.id);
    widgets::text(ui, "Name", &mut t.name);
    widgets::choice(
        ui,
        "workload",
        "Workload (its SLOs apply)",
        &mut t.workload,
        &workloads,
    );
    widgets::choice(
        ui,
        "scenario",
        "Scenario tested",
        &mut t.scenario,
        &scenarios,
    );
    widgets::optional_number(
        ui,
        "gpus",
        "GPUs serving it",
        "GPUs (turns its capacity into a rate card's throughput)",
        &mut t.gpus,
        Rule::Positive,
    );
    widgets::number(
        ui,
        "duration",
        "Measurement window",
        "s",
        &mut t.duration_seconds,
        Rule::Positive,
    );
    widgets::section(ui, "Method");
    let m = &mut t.methodology;
    let arrivals = [
        (ArrivalProcess::ClosedLoop, "closed loop".to_owned()),
        (ArrivalProcess::Poisson, "open (Poisson)".to_owned()),
        (ArrivalProcess::TraceReplay, "trace replay".to_owned()),
    ];
    widgets::choice(ui, "arrivals", "Arrivals", &mut m.arrivals, &arrivals);
    ui.checkbox(&mut m.warm_cache, "Prefix cache warmed first");
    ui.checkbox(&mut m.cold_starts_included, "Cold starts measured");
    ui.checkbox(&mut m.retries_applied, "Retries applied");
    ui.checkbox(&mut m.tail_latency_recorded, "Tail percentiles recorded");
    ui.checkbox(&mut m.quality_gate_applied, "Quality gate applied");
    widgets::section(ui, "Request groups");
    for (j, g) in t.requests.iter_mut().enumerate() {
        ui.push_id(j, |ui| {
            ui.label(format!("Group {}", j + 1));
            let mut count = f64::from(g.count);
            if widgets::number(
                ui,
                "count",
                "Requests",
                "count",
                &mut count,
                Rule::NonNegative,
            ) {
                g.count = count.round().clamp(0.0, f64::from(u32::MAX)) as u32;
            }
            widgets::number(ui, "ttft", "TTFT", "ms", &mut g.ttft_ms, Rule::NonNegative);
            widgets::number(ui, "tpot", "TPOT", "ms", &mut g.tpot_ms, Rule::NonNegative);
            widgets::optional_number(
                ui,
                "e2e",
                "End to end",
                "ms",
                &mut g.e2e_ms,
                Rule::NonNegative,
            );
            widgets::number(
                ui,
                "out",
                "Output",
                "tokens",
                &mut g.output_tokens,
                Rule::NonNegative,
            );
            ui.checkbox(&mut g.quality_pass, "Passed the quality gate");
            widgets::money(ui, "cost", "Cost per request", "$", &mut g.cost);
        });
    }
    widgets::notes(ui, "Notes", &mut t.notes);
    true
}
