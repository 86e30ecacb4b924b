//! After an import has read its file and before it changes the document: the import's report
//! (the same lines `lcpr import` prints) with Apply and Cancel. Nothing is applied unseen.

use egui::{RichText, Ui};
use lcpr_core::document::Workspace;

use super::navigator::Selection;

/// What the user decided.
pub enum PreviewAction {
    /// Still reading.
    Open,
    /// Leave the document as it was.
    Cancel,
    /// Take the imported document.
    Apply,
}

/// An import read and checked, waiting to be applied.
pub struct ImportPreview {
    /// The file imported.
    pub file: String,
    /// The report, one line each.
    pub lines: Vec<String>,
    /// The document as the import leaves it.
    pub doc: Workspace,
    /// The status line once applied.
    pub status: String,
    /// The item to select once applied.
    pub select: Option<Selection>,
}

impl ImportPreview {
    /// Draws the report and the choice.
    pub fn ui(&self, ui: &mut Ui) -> PreviewAction {
        ui.heading(format!("Import {}", self.file));
        ui.label("Read and checked. Nothing has changed yet: apply it to add it to the workspace.");
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                for line in &self.lines {
                    ui.label(RichText::new(line).monospace());
                }
            });
        let mut action = PreviewAction::Open;
        ui.horizontal(|ui| {
            if ui
                .button("Apply import")
                .on_hover_text("One undo step")
                .clicked()
            {
                action = PreviewAction::Apply;
            }
            if ui.button("Cancel").clicked() {
                action = PreviewAction::Cancel;
            }
        });
        action
    }
}
