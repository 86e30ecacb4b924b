//! Before a FOCUS invoice import: which services of a whole-account export to reconcile.

use std::path::PathBuf;

use egui::Ui;

/// What the user decided.
pub enum ServiceAction {
    /// Still choosing.
    Open,
    /// Closed without importing.
    Cancel,
    /// Import the rows of these services.
    Import(Vec<String>),
}

/// The state of the service chooser.
pub struct ServicePick {
    /// The invoice file.
    pub path: PathBuf,
    /// Each service with its rows and whether it is kept.
    services: Vec<(String, u64, bool)>,
}

impl ServicePick {
    /// The chooser for `path` with `services` (name, rows); none is kept until the user says.
    #[must_use]
    pub fn new(path: PathBuf, services: Vec<(String, u64)>) -> Self {
        Self {
            path,
            services: services.into_iter().map(|(s, n)| (s, n, false)).collect(),
        }
    }

    /// Draws the chooser.
    pub fn ui(&mut self, ui: &mut Ui) -> ServiceAction {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        ui.heading(format!("Import invoice from {name}"));
        ui.label(
            "This FOCUS export bills several services. Keep the ones the inference reconciliation covers:",
        );
        for (service, rows, keep) in &mut self.services {
            let label = if service.is_empty() {
                format!("(no service name) · {rows} rows")
            } else {
                format!("{service} · {rows} rows")
            };
            ui.checkbox(keep, label);
        }
        let kept: Vec<String> = self
            .services
            .iter()
            .filter(|(_, _, k)| *k)
            .map(|(s, _, _)| s.clone())
            .collect();
        let mut action = ServiceAction::Open;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!kept.is_empty(), egui::Button::new("Import these services"))
                .clicked()
            {
                action = ServiceAction::Import(kept.clone());
            }
            if ui.button("Cancel").clicked() {
                action = ServiceAction::Cancel;
            }
        });
        action
    }
}
