//! A route: its kind, its rate card, quality score, non-production GPUs and operations staff.

use egui::Ui;
use lcpr_core::document::{RouteField, RouteKind, Workspace};

use super::choices;
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let cards = choices(
        ws.rate_cards
            .iter()
            .map(|c| (c.id.as_str(), c.model.as_str())),
    );
    let Some(r) = ws.routes.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut r.id);
    widgets::text(ui, "Name", &mut r.name);
    let kinds: Vec<(RouteKind, String)> = RouteKind::ALL
        .iter()
        .map(|k| (*k, k.label().to_owned()))
        .collect();
    widgets::choice(ui, "kind", "Kind", &mut r.kind, &kinds);
    widgets::choice(ui, "card", "Rate card", &mut r.rate_card, &cards);
    let fields: &[RouteField] = if r.kind.is_gpu() {
        RouteField::ALL
    } else {
        &[RouteField::QualityScore]
    };
    for &field in fields {
        let mut v = r.get(field);
        if widgets::number(
            ui,
            field.name(),
            field.label(),
            field.unit(),
            &mut v,
            field.rule(),
        ) {
            let _ = r.set(field, v);
        }
    }
    widgets::notes(ui, "Notes", &mut r.notes);
    true
}
