//! One incident: what it cost (inference, people, engineering) and how many requests it reached.

use egui::Ui;
use lcpr_core::document::Rule;
use lcpr_core::document::Workspace;
use lcpr_core::document::incidents::IncidentCategory;

use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(x) = ws.incidents.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Name", &mut x.name);
    let categories: Vec<(Option<IncidentCategory>, String)> = IncidentCategory::ALL
        .iter()
        .map(|c| (Some(*c), c.name().replace('_', " ")))
        .collect();
    widgets::choice(ui, "category", "Root cause", &mut x.category, &categories);
    widgets::section(ui, "Cost");
    widgets::money(
        ui,
        "extra",
        "Extra inference",
        "$ above normal",
        &mut x.extra_inference_cost,
    );
    widgets::optional_money(
        ui,
        "human",
        "Human escalation",
        "$ (or cases × cost below)",
        &mut x.human_escalation_cost,
    );
    widgets::optional_count(ui, "cases", "Escalated cases", "", &mut x.escalated_cases);
    widgets::optional_money(ui, "per-case", "Cost per case", "$", &mut x.cost_per_case);
    widgets::money(
        ui,
        "hours",
        "Engineering hours",
        "hours",
        &mut x.engineering_hours,
    );
    widgets::optional_money(
        ui,
        "rate",
        "Engineer hourly rate",
        "$ / hour",
        &mut x.engineer_hourly_rate,
    );
    widgets::section(ui, "Blast radius");
    widgets::optional_number(
        ui,
        "blast",
        "Requests affected",
        "(or rate × hours below)",
        &mut x.blast_radius_requests,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "rph",
        "Requests per hour",
        "",
        &mut x.requests_per_hour,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "detect",
        "Hours to detect",
        "h",
        &mut x.detection_hours,
        Rule::NonNegative,
    );
    widgets::optional_number(
        ui,
        "mitigate",
        "Hours to mitigate",
        "h",
        &mut x.mitigation_hours,
        Rule::NonNegative,
    );
    widgets::optional_money(ui, "base-lcpr", "LCPR before", "$", &mut x.baseline_lcpr);
    widgets::optional_money(ui, "inc-lcpr", "LCPR during", "$", &mut x.incident_lcpr);
    true
}
