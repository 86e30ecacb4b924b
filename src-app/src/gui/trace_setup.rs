//! Before a trace import: which column mapping reads the file, checked against the file's own
//! header, editable field by field and savable into the workspace under a name.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use egui::{ComboBox, Grid, RichText, Ui};
use lcpr_core::document::Workspace;
use lcpr_core::document::mapping::{
    CanonicalField, ColumnMapping, ColumnRule, ResolvedColumns, UsageConvention,
};
use lcpr_core::evidence::traces::Format;

use crate::cli::import::TraceFlags;

use super::theme;

/// Largest first line read to learn a file's columns.
const HEADER_BYTES: u64 = 1 << 20;

/// What the user decided.
pub enum SetupAction {
    /// Still choosing.
    Open,
    /// Closed without importing.
    Cancel,
    /// Import with this mapping; save it into the workspace first when `save` is set.
    Import {
        /// The mapping.
        mapping: ColumnMapping,
        /// Whether to keep it in the workspace.
        save: bool,
        /// The reconciliation, workload, date, broken-row and re-import choices.
        flags: Box<TraceFlags>,
    },
}

/// The state of the setup dialog.
pub struct TraceSetup {
    /// The file to import.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Columns (CSV) or keys (JSON Lines) the file holds; `None` when they are not read here.
    header: Option<Vec<String>>,
    /// The mapping being used, possibly edited.
    mapping: ColumnMapping,
    /// The name under which to save it.
    save_as: String,
    /// The reconciliation, workload and date, broken-row and re-import choices, as
    /// `lcpr import traces` takes them.
    flags: TraceFlags,
    /// The date typed for records without a timestamp (checked into `flags.date`).
    date_text: String,
}

/// The columns of a CSV's first line, or the keys (with dotted paths) of a JSON Lines file's
/// first object; `None` for other formats or an unreadable file.
pub(crate) fn read_header(path: &Path, format: Format) -> Option<Vec<String>> {
    let file = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(file.take(HEADER_BYTES))
        .read_line(&mut line)
        .ok()?;
    let line = line.trim_start_matches('\u{feff}').trim_end();
    match format {
        Format::Csv => Some(
            line.split(',')
                .map(|c| c.trim().trim_matches('"').to_owned())
                .collect(),
        ),
        Format::Jsonl => {
            let value: serde_json::Value = serde_json::from_str(line).ok()?;
            let mut keys = Vec::new();
            collect_keys(&value, "", &mut keys);
            Some(keys)
        }
        _ => None,
    }
}

fn collect_keys(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            collect_keys(v, &path, out);
            out.push(path);
        }
    }
}

/// The mappings on offer: the workspace's saved ones, then the built-in ones.
fn offered(ws: &Workspace) -> Vec<ColumnMapping> {
    let mut all = ws.trace_mappings.clone();
    for builtin in [
        ColumnMapping::canonical(),
        ColumnMapping::otel_genai(),
        ColumnMapping::provider_usage(),
    ] {
        if !all.iter().any(|m| m.name == builtin.name) {
            all.push(builtin);
        }
    }
    all
}

impl TraceSetup {
    /// The dialog for `path`, opened on the first offered mapping that fits its header (the
    /// format's default when none does or the header is not read).
    #[must_use]
    pub fn new(path: &Path, format: Format, ws: &Workspace) -> Self {
        let header = read_header(path, format);
        let default = match format {
            Format::Otlp => ColumnMapping::otel_genai(),
            Format::ProviderUsage => ColumnMapping::provider_usage(),
            _ => ColumnMapping::canonical(),
        };
        let mapping = header
            .as_ref()
            .and_then(|h| {
                offered(ws)
                    .into_iter()
                    .find(|m| ResolvedColumns::resolve(h, m).is_ok())
            })
            .unwrap_or(default);
        Self {
            path: path.to_path_buf(),
            format,
            header,
            save_as: String::new(),
            flags: TraceFlags {
                format: Some(format),
                ..TraceFlags::default()
            },
            date_text: String::new(),
            mapping,
        }
    }

    /// The mapping chosen now.
    #[must_use]
    pub fn mapping(&self) -> &ColumnMapping {
        &self.mapping
    }

    /// Why the mapping, with the workload and date chosen here, cannot read the file, when
    /// the choices or the header say so.
    fn problem(&self, ws: &Workspace) -> Option<String> {
        if let Err(e) = self.mapping.validate() {
            return Some(e.to_string());
        }
        let mut mapping = self.mapping.clone();
        if let Err(e) = self.flags.apply_to(ws, &mut mapping) {
            return Some(e);
        }
        if !self.date_text.trim().is_empty() && self.flags.date.is_none() {
            return Some(format!(
                "date {:?} is not a date: type YYYY-MM-DD",
                self.date_text.trim()
            ));
        }
        let header = self.header.as_ref()?;
        ResolvedColumns::resolve(header, &mapping)
            .err()
            .map(|e| e.to_string())
    }

    /// Draws the dialog's contents.
    pub fn ui(&mut self, ui: &mut Ui, ws: &Workspace) -> SetupAction {
        let name = self
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        ui.heading(format!("Import traces from {name}"));
        ui.horizontal(|ui| {
            ui.label("Mapping");
            ComboBox::from_id_salt("mapping")
                .selected_text(self.mapping.name.clone())
                .show_ui(ui, |ui| {
                    for m in offered(ws) {
                        let label = m.name.clone();
                        if ui
                            .selectable_label(self.mapping.name == m.name, label)
                            .clicked()
                        {
                            self.mapping = m;
                        }
                    }
                });
        });
        ui.horizontal(|ui| {
            ui.label("Input tokens");
            ComboBox::from_id_salt("convention")
                .selected_text(convention_label(self.mapping.convention))
                .show_ui(ui, |ui| {
                    for c in [
                        UsageConvention::OpenaiInclusive,
                        UsageConvention::AnthropicExclusive,
                    ] {
                        ui.selectable_value(&mut self.mapping.convention, c, convention_label(c));
                    }
                });
            ui.checkbox(
                &mut self.mapping.reasoning_in_output,
                "Output includes reasoning",
            );
        });
        egui::ScrollArea::vertical()
            .max_height(380.0)
            .show(ui, |ui| {
                if mapping_grid(ui, &mut self.mapping, self.header.as_deref()) {
                    "edited".clone_into(&mut self.mapping.name);
                }
            });
        self.choices_ui(ui, ws);
        let problem = self.problem(ws);
        match &problem {
            Some(p) => {
                ui.label(RichText::new(format!("⚠ {p}")).color(theme::error_color(ui.visuals())));
            }
            None if self.header.is_some() => {
                ui.label("Every required field has a column in this file.");
            }
            None => {
                ui.label("The columns are checked as the file is read.");
            }
        }
        ui.horizontal(|ui| {
            let label = ui.label("Save mapping as");
            ui.add(
                egui::TextEdit::singleline(&mut self.save_as)
                    .hint_text("name (optional)")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
        });
        if !ws.reconciliations.is_empty() {
            ui.horizontal(|ui| {
                let label = ui.label("Also set the trace cost of");
                let shown = self
                    .flags
                    .reconciliation
                    .clone()
                    .unwrap_or_else(|| "—".to_owned());
                ComboBox::from_id_salt("trace-reconciliation")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut self.flags.reconciliation,
                            None,
                            "— (baselines only)",
                        );
                        for r in &ws.reconciliations {
                            ui.selectable_value(
                                &mut self.flags.reconciliation,
                                Some(r.id.clone()),
                                format!("{} ({} – {})", r.id, r.period.start, r.period.end),
                            );
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
        }
        ui.checkbox(
            &mut self.flags.skip_broken_rows,
            "Skip broken rows (import the others and list the rows left out)",
        )
        .on_hover_text("Off: one broken row refuses the whole file, and nothing changes.");
        ui.checkbox(&mut self.flags.force, "Import it again even if this file was imported before")
            .on_hover_text(
                "A file already imported (same fingerprint) is refused: its requests would be counted twice.",
            );
        let mut action = SetupAction::Open;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(problem.is_none(), egui::Button::new("Start import"))
                .clicked()
            {
                let save = !self.save_as.trim().is_empty();
                let mut mapping = self.mapping.clone();
                if save {
                    self.save_as.trim().clone_into(&mut mapping.name);
                }
                action = SetupAction::Import {
                    mapping,
                    save,
                    flags: Box::new(self.flags.clone()),
                };
            }
            if ui.button("Cancel").clicked() {
                action = SetupAction::Cancel;
            }
        });
        action
    }
}

impl TraceSetup {
    /// The workload every row gets (else the mapping's rule decides) and the day of records
    /// without a timestamp: `--workload` and `--date` of `lcpr import traces`.
    fn choices_ui(&mut self, ui: &mut Ui, ws: &Workspace) {
        ui.horizontal(|ui| {
            let label = ui.label("Workload of every row");
            let shown = self
                .flags
                .workload
                .clone()
                .unwrap_or_else(|| "— (as the mapping says)".to_owned());
            ComboBox::from_id_salt("trace-workload")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.flags.workload, None, "— (as the mapping says)");
                    for w in &ws.workloads {
                        ui.selectable_value(
                            &mut self.flags.workload,
                            Some(w.id.clone()),
                            format!("{} ({})", w.id, w.name),
                        );
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(
                    "Spans without lcpr.* attributes and provider bodies do not say their workload: choose it here.",
                );
        });
        ui.horizontal(|ui| {
            let label = ui.label("Date of records without a timestamp");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut self.date_text)
                        .hint_text("YYYY-MM-DD (optional)")
                        .desired_width(120.0),
                )
                .labelled_by(label.id)
                .on_hover_text(
                    "Anthropic message bodies carry no time: they are counted on this day (UTC).",
                );
            if edit.changed() {
                self.flags.date = self.date_text.trim().parse().ok();
            }
        });
    }
}

/// One row per canonical field of `mapping`: its column (the first source; editing it replaces
/// them all) and, when the file's `header` is known, whether the file has it. True when a
/// column was edited.
pub fn mapping_grid(ui: &mut Ui, mapping: &mut ColumnMapping, header: Option<&[String]>) -> bool {
    let present = |source: &str| header.map(|h| h.iter().any(|c| c.trim() == source.trim()));
    let mut edited = false;
    Grid::new("columns")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.strong("Field");
            ui.strong("Column");
            ui.strong(if header.is_some() { "In the file" } else { "" });
            ui.end_row();
            for field in CanonicalField::ALL {
                let label = if field.required() {
                    format!("{} *", field.name())
                } else {
                    field.name().to_owned()
                };
                let name = ui.label(label);
                let mut source = mapping.sources(field).next().unwrap_or_default().to_owned();
                let edit = ui
                    .add(
                        egui::TextEdit::singleline(&mut source)
                            .desired_width(180.0)
                            .hint_text(mapping.constant(field).unwrap_or("—")),
                    )
                    .labelled_by(name.id);
                if edit.changed() {
                    mapping.columns.retain(|r| r.field != field);
                    if !source.trim().is_empty() {
                        mapping.columns.push(ColumnRule {
                            source: source.trim().to_owned(),
                            field,
                        });
                    }
                    edited = true;
                }
                let sources: Vec<&str> = mapping.sources(field).collect();
                let found = sources.iter().find(|s| present(s) == Some(true));
                ui.label(match (found, header.is_some()) {
                    (Some(s), _) => format!("✓ {s}"),
                    (None, _) if mapping.constant(field).is_some() => "constant".to_owned(),
                    (None, true) if sources.is_empty() => "—".to_owned(),
                    (None, true) => "missing".to_owned(),
                    (None, false) => String::new(),
                });
                ui.end_row();
            }
        });
    edited
}

/// The usage convention as people read it.
pub fn convention_label(c: UsageConvention) -> &'static str {
    match c {
        UsageConvention::OpenaiInclusive => "include cache reads and writes",
        UsageConvention::AnthropicExclusive => "exclude cache reads and writes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_mapping_that_fits_the_header_is_chosen() {
        let dir = std::env::temp_dir().join(format!("lcpr-setup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("t.csv");
        std::fs::write(&csv, "\u{feff}id,created_at,workload\n1,2,3\n").unwrap();
        let mut ws = Workspace::empty("t", lcpr_core::document::Date::EPOCH);
        let mut mine = ColumnMapping::canonical();
        mine.name = "mine".into();
        mine.columns = vec![
            ColumnRule {
                source: "id".into(),
                field: CanonicalField::RequestId,
            },
            ColumnRule {
                source: "created_at".into(),
                field: CanonicalField::Timestamp,
            },
        ];
        for f in CanonicalField::ALL {
            if f.required() && mine.sources(f).next().is_none() {
                mine.constants.insert(f, "x".into());
            }
        }
        ws.trace_mappings.push(mine);
        let setup = TraceSetup::new(&csv, Format::Csv, &ws);
        assert_eq!(setup.mapping().name, "mine");
        assert_eq!(
            setup.header.as_deref(),
            Some(&["id".to_owned(), "created_at".into(), "workload".into()][..])
        );
        assert!(setup.problem(&ws).is_none());
        // Without it, the canonical mapping is offered and the missing column is named.
        let setup = TraceSetup::new(
            &csv,
            Format::Csv,
            &Workspace::empty("t", lcpr_core::document::Date::EPOCH),
        );
        assert_eq!(setup.mapping().name, "canonical");
        let empty = Workspace::empty("t", lcpr_core::document::Date::EPOCH);
        assert!(
            setup
                .problem(&empty)
                .is_some_and(|p| p.contains("request_id"))
        );
    }

    #[test]
    fn json_lines_keys_include_nested_paths() {
        let mut keys = Vec::new();
        collect_keys(
            &serde_json::json!({"id": 1, "usage": {"input_tokens": 3}}),
            "",
            &mut keys,
        );
        keys.sort();
        assert_eq!(keys, ["id", "usage", "usage.input_tokens"]);
    }
}
