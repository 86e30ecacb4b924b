//! A saved column mapping: which column of a trace file feeds each field of the canonical
//! request row, and how the file counts input and reasoning tokens.

use egui::Ui;
use lcpr_core::document::Workspace;
use lcpr_core::document::mapping::UsageConvention;

use crate::gui::trace_setup::{convention_label, mapping_grid};
use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(m) = ws.trace_mappings.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Name", &mut m.name);
    let conventions: Vec<(UsageConvention, String)> = [
        UsageConvention::OpenaiInclusive,
        UsageConvention::AnthropicExclusive,
    ]
    .iter()
    .map(|c| (*c, format!("Input tokens {}", convention_label(*c))))
    .collect();
    widgets::choice(
        ui,
        "convention",
        "Convention",
        &mut m.convention,
        &conventions,
    );
    ui.checkbox(
        &mut m.reasoning_in_output,
        "Output tokens include reasoning",
    );
    widgets::section(ui, "Columns");
    ui.label("Fields marked * are required: a column or a constant must feed them.");
    mapping_grid(ui, m, None);
    if !m.constants.is_empty() {
        widgets::section(ui, "Constants");
        for (field, value) in &mut m.constants {
            widgets::text(ui, field.name(), value);
        }
    }
    true
}
