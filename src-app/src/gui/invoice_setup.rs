//! Before an invoice import: where each line names its model (the column, and a pattern over
//! it, saved in the workspace as an invoice mapping, as `lcpr import invoice --model-column
//! --model-pattern` does) and, for a whole-account FOCUS export, which services to reconcile.

use std::path::PathBuf;

use egui::{RichText, Ui};
use lcpr_core::document::Workspace;
use lcpr_core::document::contracts::InvoiceMapping;

use lcpr_core::evidence::traces::Format;

use super::theme;
use super::trace_setup::read_header;

/// What the user decided.
pub enum InvoiceAction {
    /// Still choosing.
    Open,
    /// Closed without importing.
    Cancel,
    /// Import the rows of these services (all when empty), reading models as `mapping` says
    /// (the saved or the file's own column when `None`).
    Import {
        /// Services kept.
        services: Vec<String>,
        /// Where lines name their model.
        mapping: Option<InvoiceMapping>,
    },
}

/// The state of the invoice dialog.
pub struct InvoiceSetup {
    /// The invoice file.
    pub path: PathBuf,
    /// Each service with its rows and whether it is kept; empty unless the FOCUS export bills
    /// several services.
    services: Vec<(String, u64, bool)>,
    /// The file's columns, when its first line could be read.
    header: Option<Vec<String>>,
    /// The mapping as edited; an empty column means "as the file or the saved mapping says".
    mapping: InvoiceMapping,
    /// The mapping the workspace would use unasked (`default`, or its only one).
    saved: Option<InvoiceMapping>,
}

impl InvoiceSetup {
    /// The dialog for `path`, with `services` (name, rows) when a FOCUS export bills more than
    /// one, opened on the workspace's saved invoice mapping.
    #[must_use]
    pub fn new(path: PathBuf, services: Vec<(String, u64)>, ws: &Workspace) -> Self {
        let saved = ws
            .invoice_mappings
            .iter()
            .find(|m| m.name == "default")
            .or(match ws.invoice_mappings.as_slice() {
                [only] => Some(only),
                _ => None,
            })
            .cloned();
        let mapping = saved.clone().unwrap_or_else(|| InvoiceMapping {
            name: "default".to_owned(),
            model_column: String::new(),
            model_pattern: String::new(),
        });
        Self {
            header: read_header(&path, Format::Csv),
            path,
            services: if services.len() > 1 {
                services.into_iter().map(|(s, n)| (s, n, false)).collect()
            } else {
                Vec::new()
            },
            mapping,
            saved,
        }
    }

    /// True when the dialog asks which services to keep.
    #[must_use]
    pub fn asks_services(&self) -> bool {
        !self.services.is_empty()
    }

    /// Why the mapping cannot read the file, when the header or the pattern says so.
    fn problem(&self) -> Option<String> {
        let column = self.mapping.model_column.trim();
        if column.is_empty() {
            return (!self.mapping.model_pattern.trim().is_empty())
                .then(|| "a model pattern needs the column it reads".to_owned());
        }
        if let Err(e) = self.mapping.compile() {
            return Some(e.to_string());
        }
        if self.mapping.name.trim().is_empty() {
            return Some("the mapping needs a name to be saved under".to_owned());
        }
        let header = self.header.as_ref()?;
        (!header.iter().any(|c| c == column)).then(|| {
            format!(
                "the file has no column {column:?}; its columns: {}",
                header.join(", ")
            )
        })
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ui: &mut Ui) -> InvoiceAction {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        ui.heading(format!("Import invoice from {name}"));
        ui.label("Where each line names its model (checked against the contracted rates):");
        egui::Grid::new("invoice-mapping")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("Model column");
                ui.add(
                    egui::TextEdit::singleline(&mut self.mapping.model_column)
                        .hint_text("as the file says (x_Model, else SkuId; model)")
                        .desired_width(220.0),
                )
                .labelled_by(l.id)
                .on_hover_text("FOCUS exports often carry the model in SkuId, ChargeDescription or an x_ column.");
                ui.end_row();
                let l = ui.label("Model pattern");
                ui.add(
                    egui::TextEdit::singleline(&mut self.mapping.model_pattern)
                        .hint_text("regular expression; its first group is the model (optional)")
                        .desired_width(220.0),
                )
                .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Save mapping as");
                ui.add(egui::TextEdit::singleline(&mut self.mapping.name).desired_width(160.0))
                    .labelled_by(l.id);
                ui.end_row();
            });
        if let Some(saved) = &self.saved {
            ui.label(
                RichText::new(format!(
                    "The workspace's saved mapping {:?} reads {}.",
                    saved.name, saved.model_column
                ))
                .weak(),
            );
        }
        if self.asks_services() {
            ui.separator();
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
        }
        let problem = self.problem();
        if let Some(p) = &problem {
            ui.label(RichText::new(format!("⚠ {p}")).color(theme::error_color(ui.visuals())));
        }
        let kept: Vec<String> = self
            .services
            .iter()
            .filter(|(_, _, k)| *k)
            .map(|(s, _, _)| s.clone())
            .collect();
        let ready = problem.is_none() && (!self.asks_services() || !kept.is_empty());
        let mut action = InvoiceAction::Open;
        ui.horizontal(|ui| {
            let label = if self.asks_services() {
                "Import these services"
            } else {
                "Import invoice"
            };
            if ui.add_enabled(ready, egui::Button::new(label)).clicked() {
                let mut mapping = self.mapping.clone();
                mapping.model_column = mapping.model_column.trim().to_owned();
                mapping.name = mapping.name.trim().to_owned();
                action = InvoiceAction::Import {
                    services: kept.clone(),
                    mapping: (!mapping.model_column.is_empty()).then_some(mapping),
                };
            }
            if ui.button("Cancel").clicked() {
                action = InvoiceAction::Cancel;
            }
        });
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_the_file_lacks_or_a_broken_pattern_is_named() {
        let dir = std::env::temp_dir().join(format!("lcpr-invoice-setup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("i.csv");
        std::fs::write(
            &csv,
            "BilledCost,SkuId,ServiceName\n1,gpt-5.4-2026-04-01,LLM\n",
        )
        .unwrap();
        let ws = Workspace::empty("t", lcpr_core::document::Date::EPOCH);
        let mut setup = InvoiceSetup::new(csv, vec![("LLM".into(), 1)], &ws);
        assert!(!setup.asks_services(), "one service: nothing to choose");
        assert!(
            setup.problem().is_none(),
            "the file's own column is the default"
        );
        "Sku".clone_into(&mut setup.mapping.model_column);
        assert!(
            setup
                .problem()
                .is_some_and(|p| p.contains("no column \"Sku\""))
        );
        "SkuId".clone_into(&mut setup.mapping.model_column);
        assert!(setup.problem().is_none());
        "(".clone_into(&mut setup.mapping.model_pattern);
        assert!(setup.problem().is_some());
    }
}
