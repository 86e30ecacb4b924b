//! Help: the glossary window, the keyboard shortcuts, the example workspaces the binary
//! carries, and the getting-started panel of an empty workspace.

use egui::{KeyboardShortcut, RichText, Ui};
use lcpr_core::document::Workspace;
use lcpr_core::report::glossary;

/// The example workspaces, carried in the binary so "Open an example" works wherever the
/// program is installed: (title, file name, text).
pub const EXAMPLES: [(&str, &str, &str); 2] = [
    (
        "Support answers: which route after GPT-5.4?",
        "support-migration.yaml",
        include_str!("../../../workspaces/support-migration.yaml"),
    ),
    (
        "Public-sector chargeback",
        "public-sector-chargeback.yaml",
        include_str!("../../../workspaces/public-sector-chargeback.yaml"),
    ),
];

/// Example `i` as a document, or why it cannot be read (never expected: CI opens both).
pub fn example(i: usize) -> Result<Workspace, String> {
    let (_, file, text) = EXAMPLES
        .get(i)
        .ok_or_else(|| format!("there is no example {i}"))?;
    lcpr_core::document::parse(text, file).map_err(|e| e.to_string())
}

/// What the getting-started panel asks the window to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// File → Import traces….
    ImportTraces,
    /// Open example `i` as an untitled copy.
    Example(usize),
    /// Show the glossary.
    Glossary,
    /// File → New from template….
    Template,
    /// File → Browse catalog….
    Catalog,
}

/// Which help windows are open.
#[derive(Default)]
pub struct Help {
    /// The glossary window.
    pub glossary: bool,
    /// Its search text.
    query: String,
    /// The shortcuts window.
    pub shortcuts: bool,
}

impl Help {
    /// Draws the open windows; `shortcuts` are (shortcut, what it does) and `keys` the plain
    /// keys of presenter mode.
    pub fn windows(
        &mut self,
        ctx: &egui::Context,
        shortcuts: &[(KeyboardShortcut, &str)],
        keys: &[(&str, &str)],
    ) {
        let mut open = self.glossary;
        egui::Window::new("Glossary")
            .open(&mut open)
            .default_size([520.0, 480.0])
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label("Search");
                    ui.text_edit_singleline(&mut self.query).labelled_by(l.id);
                });
                ui.separator();
                egui::ScrollArea::vertical().show(ui, |ui| {
                    let found = glossary::search(&self.query);
                    if found.is_empty() {
                        ui.label(RichText::new("No term matches.").weak());
                    }
                    for t in found {
                        ui.label(RichText::new(t.name).strong());
                        ui.label(t.meaning);
                        if let Some(f) = t.formula {
                            ui.label(RichText::new(f).monospace().weak());
                        }
                        ui.add_space(6.0);
                    }
                });
            });
        self.glossary = open;
        let mut open = self.shortcuts;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    for (sc, what) in shortcuts {
                        ui.label(RichText::new(ctx.format_shortcut(sc)).monospace());
                        ui.label(*what);
                        ui.end_row();
                    }
                    for (key, what) in keys {
                        ui.label(RichText::new(*key).monospace());
                        ui.label(*what);
                        ui.end_row();
                    }
                });
            });
        self.shortcuts = open;
    }
}

/// True for a workspace holding nothing but its title and dates: what File → New gives.
#[must_use]
pub fn is_empty(ws: &Workspace) -> bool {
    let mut blank = super::session::blank_workspace();
    blank.meta = ws.meta.clone();
    blank.simulation = ws.simulation;
    *ws == blank
}

/// The panel an empty workspace shows in place of the views: three steps to a decision.
pub fn getting_started(ui: &mut Ui) -> Option<Start> {
    let mut start = None;
    ui.add_space(24.0);
    ui.heading("Getting started");
    ui.label(
        "LCPR is what each accepted result costs once retries, grading, people and operations \
         are counted. Three steps take a case from traces to a signed memo:",
    );
    ui.add_space(8.0);
    let step = |ui: &mut Ui, n: &str, title: &str, body: &str| {
        ui.label(RichText::new(format!("{n}. {title}")).strong());
        ui.label(body);
    };
    step(
        ui,
        "1",
        "Import traces",
        "Per-request logs (OpenTelemetry, provider responses, CSV or Parquet) become a dated \
         baseline per workload: volume, token shape, cache hits, retries and gate results.",
    );
    if ui.button("Import traces…").clicked() {
        start = Some(Start::ImportTraces);
    }
    ui.add_space(6.0);
    step(
        ui,
        "2",
        "Pick routes",
        "Start from a workload template with today's route and up to three candidates from the \
         dated catalog, or add rate cards from the catalog or a price book (LiteLLM, \
         genai-prices, OpenRouter) and a scenario for each route you would serve it on.",
    );
    ui.horizontal(|ui| {
        if ui.button("Start from a template…").clicked() {
            start = Some(Start::Template);
        }
        if ui.button("Browse the catalog…").clicked() {
            start = Some(Start::Catalog);
        }
    });
    ui.add_space(6.0);
    step(
        ui,
        "3",
        "Read the memo",
        "Compare, Sensitivity and Gates explain the numbers; File → Export memo… writes the \
         decision memo with the evidence behind every input.",
    );
    ui.add_space(10.0);
    ui.label(RichText::new("Or start from a worked case:").weak());
    for (i, (title, _, _)) in EXAMPLES.iter().enumerate() {
        if ui.button(format!("Open example: {title}")).clicked() {
            start = Some(Start::Example(i));
        }
    }
    if ui
        .link("What do LCPR, stable prefix, TPOT and goodput mean?")
        .clicked()
    {
        start = Some(Start::Glossary);
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_opens_valid() {
        for i in 0..EXAMPLES.len() {
            let ws = example(i).unwrap();
            assert_eq!(
                lcpr_core::document::validate(&ws),
                Vec::new(),
                "example {i}"
            );
            assert!(!is_empty(&ws));
        }
    }
}
