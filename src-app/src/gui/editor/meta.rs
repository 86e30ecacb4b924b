//! The workspace's title, owner, dates and notes, and every broken rule in the file.

use egui::{RichText, Ui};
use lcpr_core::document::{Violation, Workspace};

use crate::gui::{theme, widgets};

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, violations: &[Violation]) {
    let m = &mut ws.meta;
    widgets::text(ui, "Title", &mut m.title);
    widgets::text(ui, "Owner", &mut m.owner);
    widgets::text(ui, "Currency", &mut m.currency);
    widgets::date(ui, "created", "Created", &mut m.created);
    widgets::date(ui, "updated", "Updated", &mut m.updated);
    widgets::notes(ui, "Notes", &mut m.notes);
    widgets::section(ui, "Checks");
    if violations.is_empty() {
        ui.label("Every rule holds.");
    }
    for v in violations {
        ui.label(RichText::new(format!("⚠ {v}")).color(theme::error_color(ui.visuals())));
    }
}
