//! A route: its kind, its rate card, quality score, non-production GPUs and operations staff.

use egui::{RichText, Ui};
use lcpr_core::document::{RouteField, RouteKind, Workspace};

use super::choices;
use crate::gui::{theme, widgets};

/// The rate cards that can price a route of `kind`: GPU-hour offers for GPU routes, token
/// prices for the others.
fn cards_for(ws: &Workspace, kind: RouteKind) -> Vec<(String, String)> {
    choices(
        ws.rate_cards
            .iter()
            .filter(|c| c.pricing.is_tokens() != kind.is_gpu())
            .map(|c| (c.id.as_str(), c.model.as_str())),
    )
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    if ws.routes.get(i).is_none() {
        return false;
    }
    let by_kind: Vec<(RouteKind, Vec<(String, String)>)> = RouteKind::ALL
        .iter()
        .map(|k| (*k, cards_for(ws, *k)))
        .collect();
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
    let cards = by_kind
        .iter()
        .find(|(k, _)| *k == r.kind)
        .map(|(_, c)| c.as_slice())
        .unwrap_or_default();
    // A kind whose billing differs from the card's asks for a card that fits.
    if !cards.iter().any(|(id, _)| *id == r.rate_card) {
        let billed = if r.kind.is_gpu() {
            "per GPU-hour"
        } else {
            "per token"
        };
        let ask = if cards.is_empty() {
            format!(
                "A {} is billed {billed}, and no rate card is: add one under Rate cards.",
                r.kind.label()
            )
        } else {
            format!(
                "A {} is billed {billed}: rate card {:?} is not. Pick the card to use:",
                r.kind.label(),
                r.rate_card
            )
        };
        ui.label(RichText::new(ask).color(theme::error_color(ui.visuals())));
    }
    widgets::choice(ui, "card", "Rate card", &mut r.rate_card, cards);
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
