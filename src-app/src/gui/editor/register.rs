//! A register entry: the number, its range, its evidence and the input it drives.

use egui::Ui;
use lcpr_core::case::sources::{self, Choice};
use lcpr_core::document::{
    Binding, BindingTarget, RateCardField, RouteField, Rule, SourceRef, WorkloadField, Workspace,
};

use crate::gui::{theme, widgets};

fn ids(ws: &Workspace, target: BindingTarget) -> Vec<(String, String)> {
    match target {
        BindingTarget::Workload => ws
            .workloads
            .iter()
            .map(|w| (w.id.clone(), w.name.clone()))
            .collect(),
        BindingTarget::Scenario => ws
            .scenarios
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        BindingTarget::RateCard => ws
            .rate_cards
            .iter()
            .map(|c| (c.id.clone(), c.model.clone()))
            .collect(),
        BindingTarget::Route => ws
            .routes
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect(),
    }
}

fn fields(target: BindingTarget) -> Vec<(String, String)> {
    match target {
        BindingTarget::Workload | BindingTarget::Scenario => WorkloadField::ALL
            .iter()
            .map(|f| (f.name().to_owned(), f.label().to_owned()))
            .collect(),
        BindingTarget::RateCard => RateCardField::ALL
            .iter()
            .map(|f| (f.name().to_owned(), f.label().to_owned()))
            .collect(),
        BindingTarget::Route => RouteField::ALL
            .iter()
            .map(|f| (f.name().to_owned(), f.label().to_owned()))
            .collect(),
    }
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(entry) = ws.register.get(i) else {
        return false;
    };
    let binds = entry.binds.clone();
    let target_ids = binds
        .as_ref()
        .map(|b| ids(ws, b.target))
        .unwrap_or_default();
    let rule = binds
        .as_ref()
        .and_then(|b| b.field_ref().ok())
        .map_or(Rule::NonNegative, |f| f.rule());
    let unit = binds
        .as_ref()
        .and_then(|b| b.field_ref().ok())
        .map_or("", |f| f.label_and_unit().1);
    // The evidence that can supply the bound input: picking one makes the value, status and
    // date follow it.
    let mut from_options: Vec<(Option<SourceRef>, String)> =
        vec![(None, "typed in this entry".to_owned())];
    if let Some(b) = &binds {
        for (s, v) in sources::offers(ws, b) {
            if let Ok(got) = v {
                let date = got.date.map(|d| format!(", {d}")).unwrap_or_default();
                from_options.push((Some(s.clone()), format!("{s}{date}: {}", got.basis)));
            }
        }
    }
    let mut picked = None;
    let Some(e) = ws.register.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut e.id);
    widgets::text(ui, "Label", &mut e.label);
    if binds.is_some() && (from_options.len() > 1 || e.from.is_some()) {
        let mut from = e.from.clone();
        if !from_options.iter().any(|(f, _)| *f == from)
            && let Some(f) = &from
        {
            from_options.push((Some(f.clone()), format!("{f} (gives no value now)")));
        }
        if widgets::choice(ui, "from", "Taken from", &mut from, &from_options)
            && let Some(b) = &binds
        {
            picked = Some((b.clone(), from.map_or(Choice::Register, Choice::Evidence)));
        }
    }
    let evidence = e.from.is_some();
    ui.add_enabled_ui(!evidence, |ui| {
        widgets::number(ui, "value", "Value", unit, &mut e.value, rule);
    })
    .response
    .on_disabled_hover_text("The evidence sets the value: pick \"typed in this entry\" to type it");
    widgets::number(ui, "low", "Low", unit, &mut e.low, rule);
    widgets::number(ui, "high", "High", unit, &mut e.high, rule);
    ui.add_enabled_ui(!evidence, |ui| {
        widgets::status(ui, "status", &mut e.status);
    })
    .response
    .on_disabled_hover_text("A value from evidence has that evidence's status");
    widgets::text(ui, "Owner", &mut e.owner);
    widgets::text(ui, "Source", &mut e.source);
    ui.add_enabled_ui(!evidence, |ui| {
        widgets::date(ui, "date", "Confirmed on", &mut e.date);
    });
    widgets::distribution(ui, "dist", &mut e.distribution);
    widgets::section(ui, "Drives");
    let mut bound = e.binds.is_some();
    if ui
        .checkbox(&mut bound, "Supplies an input's value")
        .changed()
    {
        e.binds = bound.then(|| Binding {
            target: BindingTarget::Workload,
            id: String::new(),
            field: "retry_rate".into(),
        });
    }
    if let Some(b) = &mut e.binds {
        let targets = [
            (BindingTarget::Workload, "workload".to_owned()),
            (BindingTarget::Scenario, "scenario (override)".to_owned()),
            (BindingTarget::RateCard, "rate card".to_owned()),
            (BindingTarget::Route, "route".to_owned()),
        ];
        if widgets::choice(ui, "target", "Kind", &mut b.target, &targets) {
            b.id.clear();
            b.field = fields(b.target)
                .first()
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
        }
        let options = if binds.as_ref().map(|x| x.target) == Some(b.target) {
            target_ids
        } else {
            Vec::new()
        };
        widgets::choice(ui, "id", "Item", &mut b.id, &options);
        widgets::choice(ui, "field", "Field", &mut b.field, &fields(b.target));
    }
    widgets::notes(ui, "Notes", &mut e.notes);
    if let Some(err) = super::source::apply(ws, picked) {
        ui.label(egui::RichText::new(format!("⚠ {err}")).color(theme::error_color(ui.visuals())));
    }
    true
}
