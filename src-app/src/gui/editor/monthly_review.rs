//! Typed monthly review figures: this month and last per workload, used where a workload does
//! not have two reconciliations.

use egui::{CollapsingHeader, Ui};
use lcpr_core::document::Rule;
use lcpr_core::document::Workspace;
use lcpr_core::document::monthly_review::{MonthInputs, WorkloadMonths};

use crate::gui::widgets;

fn month(ui: &mut Ui, m: &mut MonthInputs) {
    widgets::number(
        ui,
        "req",
        "Requests",
        "",
        &mut m.requests,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "in",
        "Input tokens",
        "per request",
        &mut m.input_tokens_per_request,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "out",
        "Output tokens",
        "per request",
        &mut m.output_tokens_per_request,
        Rule::NonNegative,
    );
    widgets::number(
        ui,
        "cache",
        "Cache hit rate",
        "share",
        &mut m.cache_hit_rate,
        Rule::Fraction,
    );
    widgets::number(
        ui,
        "acc",
        "Accepted",
        "share",
        &mut m.accepted_share,
        Rule::PositiveFraction,
    );
    widgets::money(
        ui,
        "pin",
        "Input price",
        "$ / M tokens",
        &mut m.input_price_per_m,
    );
    widgets::money(
        ui,
        "pcache",
        "Cached input price",
        "$ / M tokens",
        &mut m.cached_input_price_per_m,
    );
    widgets::money(
        ui,
        "pout",
        "Output price",
        "$ / M tokens",
        &mut m.output_price_per_m,
    );
    widgets::money(
        ui,
        "eval",
        "Eval grading",
        "$ for the month",
        &mut m.eval_cost,
    );
    widgets::money(
        ui,
        "human",
        "Human escalation",
        "$ for the month",
        &mut m.human_cost,
    );
    widgets::money(ui, "ops", "Operations", "$ for the month", &mut m.ops_cost);
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace) -> bool {
    let workloads: Vec<(String, String)> = ws
        .workloads
        .iter()
        .map(|w| (w.id.clone(), w.name.clone()))
        .collect();
    let Some(r) = ws.monthly_review.as_mut() else {
        return false;
    };
    ui.label(
        egui::RichText::new(
            "Used only for a workload without two reconciliations; the Review marks its row \
             \"typed review figures\".",
        )
        .weak(),
    );
    let mut remove = None;
    for (i, w) in r.workloads.iter_mut().enumerate() {
        CollapsingHeader::new(&w.workload)
            .id_salt(("mr", i))
            .default_open(i == 0)
            .show(ui, |ui| {
                widgets::choice(ui, "wl", "Workload", &mut w.workload, &workloads);
                widgets::section(ui, "Last month");
                ui.push_id("last", |ui| month(ui, &mut w.last_month));
                widgets::section(ui, "This month");
                ui.push_id("this", |ui| month(ui, &mut w.this_month));
                if ui.small_button("Delete workload").clicked() {
                    remove = Some(i);
                }
            });
    }
    if let Some(i) = remove {
        r.workloads.remove(i);
    }
    let taken: Vec<String> = r.workloads.iter().map(|w| w.workload.clone()).collect();
    if let Some((id, _)) = workloads.iter().find(|(id, _)| !taken.contains(id))
        && let Some(template) = r.workloads.first().cloned()
        && ui.small_button("+ Add workload").clicked()
    {
        r.workloads.push(WorkloadMonths {
            workload: id.clone(),
            ..template
        });
    }
    true
}
