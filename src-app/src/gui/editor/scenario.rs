//! A scenario: workload × route, its status and owner, and the workload values that differ on
//! this route.

use egui::Ui;
use lcpr_core::document::{ScenarioStatus, WorkloadField, Workspace};

use super::choices;
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let workloads = choices(
        ws.workloads
            .iter()
            .map(|w| (w.id.as_str(), w.name.as_str())),
    );
    let routes = choices(ws.routes.iter().map(|r| (r.id.as_str(), r.name.as_str())));
    let base = ws
        .scenarios
        .get(i)
        .and_then(|s| ws.workload(&s.workload))
        .cloned();
    let Some(s) = ws.scenarios.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut s.id);
    widgets::text(ui, "Name", &mut s.name);
    widgets::choice(ui, "workload", "Workload", &mut s.workload, &workloads);
    widgets::choice(ui, "route", "Route", &mut s.route, &routes);
    let statuses = [
        (ScenarioStatus::Current, "current".to_owned()),
        (ScenarioStatus::Proposed, "proposed".to_owned()),
        (ScenarioStatus::Candidate, "candidate".to_owned()),
    ];
    widgets::choice(ui, "status", "Status", &mut s.status, &statuses);
    widgets::text(ui, "Owner", &mut s.owner);
    widgets::section(ui, "Overrides of the workload on this route");
    let mut remove = None;
    for (field, value) in &mut s.overrides {
        ui.horizontal(|ui| {
            let mut v = *value;
            if widgets::number(
                ui,
                field.name(),
                field.label(),
                field.unit(),
                &mut v,
                field.rule(),
            ) {
                *value = v;
            }
            if ui
                .small_button("✕")
                .on_hover_text("Use the workload's value")
                .clicked()
            {
                remove = Some(*field);
            }
        });
    }
    if let Some(f) = remove {
        s.overrides.remove(&f);
    }
    let free: Vec<WorkloadField> = WorkloadField::ALL
        .iter()
        .copied()
        .filter(|f| !s.overrides.contains_key(f))
        .collect();
    egui::ComboBox::from_id_salt("add-override")
        .selected_text("+ Override a field")
        .show_ui(ui, |ui| {
            for f in free {
                if ui.selectable_label(false, f.label()).clicked() {
                    let v = base.as_ref().map_or(0.0, |w| w.get(f));
                    s.overrides.insert(f, v);
                }
            }
        });
    widgets::notes(ui, "Notes", &mut s.notes);
    true
}
