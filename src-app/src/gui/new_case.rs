//! File → New from template…: a workload template, the workload's name and volume, today's
//! route and one to three candidates from the catalog. Create makes the case with the same core
//! function as `lcpr new` ([`lcpr_core::case::template::new_case`]).

use egui::{RichText, Ui};
use lcpr_core::case::template::{self, NewCase, Template};
use lcpr_core::document::{Date, Rule, Workspace};
use lcpr_core::evidence::catalog::{Catalog, Offer};

use super::{theme, widgets};

/// What the user decided.
pub enum TemplateAction {
    /// Still choosing.
    Open,
    /// Leave the open workspace as it is.
    Cancel,
    /// Open this new case.
    Create(Box<Workspace>),
}

/// The dialog's state.
pub struct TemplateDialog {
    catalog: Catalog,
    templates: Vec<Template>,
    template: usize,
    name: String,
    volume: f64,
    current: String,
    candidates: [String; 3],
    owner: String,
    error: Option<String>,
}

/// A catalog row as a chooser shows it: id, provider and price.
fn offer_label(catalog: &Catalog, id: &str) -> String {
    match catalog.offer(id) {
        Ok(Offer::Tokens(t)) => format!(
            "{} — {}, ${}/${} per M",
            t.key,
            t.kind.label(),
            t.input_per_m.normalize(),
            t.output_per_m.normalize()
        ),
        Ok(Offer::Gpu(g)) => format!(
            "{} — {} {} {}{}, ${}/GPU-h",
            g.id,
            g.provider,
            catalog
                .accelerator(&g.accelerator)
                .map_or(g.accelerator.as_str(), |a| a.name.as_str()),
            g.commitment.label(),
            g.term_months
                .map(|m| format!(" {m} mo"))
                .unwrap_or_default(),
            g.hourly_per_gpu.normalize()
        ),
        Err(_) => id.to_owned(),
    }
}

/// The group a catalog row is listed under.
fn group(catalog: &Catalog, id: &str) -> &'static str {
    match catalog.offer(id) {
        Ok(Offer::Tokens(t)) if t.kind == lcpr_core::document::RouteKind::ManagedApi => {
            "Managed APIs"
        }
        Ok(Offer::Tokens(_)) => "Open-weight serverless",
        Ok(Offer::Gpu(_)) | Err(_) => "GPU offers (self-hosted on rented GPUs)",
    }
}

/// A catalog row chooser: managed APIs, open-weight serverless and GPU offers under their
/// headings, each row with its price.
fn route_choice(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    value: &mut String,
    catalog: &Catalog,
    allow_none: bool,
) {
    ui.horizontal(|ui| {
        let l = ui.add_sized([theme::LABEL_WIDTH, 18.0], egui::Label::new(label));
        let shown = if value.is_empty() {
            "(none)".to_owned()
        } else {
            offer_label(catalog, value)
        };
        let id = ui.scope_id().with(salt);
        let filter_id = id.with("filter");
        let r = egui::ComboBox::from_id_salt(id)
            .selected_text(shown)
            .width(500.0)
            .truncate()
            .height(440.0)
            // Typing in the filter must not close the list; picking a row does.
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show_ui(ui, |ui| {
                // Sixty rows: a filter at the top narrows them by any words of the label.
                let mut filter: String = ui.data(|d| d.get_temp(filter_id)).unwrap_or_default();
                ui.horizontal(|ui| {
                    let l = ui.label("Filter");
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut filter)
                                .hint_text("model, provider, GPU…")
                                .desired_width(theme::FIELD_WIDTH * 2.0),
                        )
                        .labelled_by(l.id);
                    // Typing goes to the filter as soon as the list opens (the list was not
                    // drawn last frame).
                    let frame = ui.ctx().cumulative_frame_nr();
                    let shown_id = filter_id.with("shown");
                    let last: Option<u64> = ui.data(|d| d.get_temp(shown_id));
                    if last.is_none_or(|f| f + 1 < frame) {
                        r.request_focus();
                    }
                    ui.data_mut(|d| d.insert_temp(shown_id, frame));
                });
                ui.data_mut(|d| d.insert_temp(filter_id, filter.clone()));
                let mut picked = false;
                let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
                if allow_none
                    && ui
                        .selectable_value(value, String::new(), "(none)")
                        .clicked()
                {
                    picked = true;
                }
                let mut heading = "";
                for id in catalog.route_ids().into_iter().filter(|id| {
                    let text = offer_label(catalog, id).to_lowercase();
                    words.iter().all(|w| text.contains(w))
                }) {
                    let g = group(catalog, id);
                    if g != heading {
                        heading = g;
                        ui.label(RichText::new(g).strong().small());
                    }
                    if ui
                        .selectable_value(value, id.to_owned(), offer_label(catalog, id))
                        .clicked()
                    {
                        picked = true;
                    }
                }
                if picked {
                    ui.data_mut(|d| d.remove::<String>(filter_id));
                    ui.close();
                }
            });
        r.response.labelled_by(l.id);
    });
}

impl TemplateDialog {
    /// The dialog over the shipped templates and catalog.
    pub fn new() -> Result<Self, String> {
        let catalog = lcpr_core::evidence::catalog::shipped().map_err(|e| e.to_string())?;
        let templates = template::shipped()?;
        let first = templates
            .first()
            .ok_or("no workload templates are shipped")?;
        let ids = catalog.route_ids();
        let pick = |want: &str, fallback: usize| {
            ids.iter()
                .find(|k| **k == want)
                .or_else(|| ids.get(fallback))
                .map(|k| (*k).to_owned())
                .unwrap_or_default()
        };
        let current = pick("gpt-5.4", 0);
        let candidate = pick("together_ai/openai/gpt-oss-120b", 1);
        Ok(Self {
            name: first.workload.name.clone(),
            volume: first.workload.monthly_requests,
            templates,
            template: 0,
            current,
            candidates: [candidate, String::new(), String::new()],
            owner: String::new(),
            error: None,
            catalog,
        })
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ui: &mut Ui) -> TemplateAction {
        ui.heading("New from template");
        ui.label("A complete case from a workload template and the catalog: rate cards with their source, routes, a scenario per route, the migration gates, a forecast and a register of assumed ranges.");
        ui.add_space(4.0);
        let before = self.template;
        let options: Vec<(usize, String)> = self
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| (i, t.name.clone()))
            .collect();
        widgets::choice(ui, "template", "Template", &mut self.template, &options);
        if self.template != before
            && let Some(t) = self.templates.get(self.template)
        {
            self.name = t.workload.name.clone();
            self.volume = t.workload.monthly_requests;
        }
        if let Some(t) = self.templates.get(self.template) {
            ui.label(RichText::new(&t.summary).weak());
        }
        widgets::text(ui, "Workload name", &mut self.name);
        widgets::number(
            ui,
            "volume",
            "Monthly requests",
            "requests/month",
            &mut self.volume,
            Rule::Positive,
        );
        widgets::text(ui, "Owner", &mut self.owner);
        widgets::section(ui, "Routes from the catalog");
        route_choice(
            ui,
            "current",
            "Current route",
            &mut self.current,
            &self.catalog,
            false,
        );
        for (i, c) in self.candidates.iter_mut().enumerate() {
            let label = format!("Candidate {}", i + 1);
            route_choice(ui, ("candidate", i), &label, c, &self.catalog, i > 0);
        }
        let chosen: Vec<String> = self
            .candidates
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect();
        let scenarios = 1 + chosen.len() + usize::from(chosen.len() < 3);
        ui.label(
            RichText::new(format!(
                "{scenarios} scenarios: today's route, {} candidate{}{}. The catalog is of {}.",
                chosen.len(),
                if chosen.len() == 1 { "" } else { "s" },
                if chosen.len() < 3 {
                    ", and the first candidate with today's route for what its judge rejects"
                } else {
                    ""
                },
                self.catalog.snapshot
            ))
            .weak(),
        );
        if let Some(t) = self.templates.get(self.template) {
            egui::CollapsingHeader::new("Where the numbers come from")
                .id_salt("template-notes")
                .show(ui, |ui| {
                    ui.set_max_width(theme::FIELD_WIDTH * 5.0);
                    ui.label(RichText::new(&t.notes).small());
                });
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(theme::error_color(ui.visuals())));
        }
        let mut action = TemplateAction::Open;
        ui.horizontal(|ui| {
            if ui
                .button("Create case")
                .on_hover_text("Opens the case as a new, unsaved workspace")
                .clicked()
            {
                match self.create(chosen) {
                    Ok(ws) => action = TemplateAction::Create(Box::new(ws)),
                    Err(e) => self.error = Some(e),
                }
            }
            if ui.button("Cancel").clicked() {
                action = TemplateAction::Cancel;
            }
        });
        action
    }

    fn create(&self, candidates: Vec<String>) -> Result<Workspace, String> {
        let template = self
            .templates
            .get(self.template)
            .cloned()
            .ok_or("choose a template")?;
        let spec = NewCase {
            template,
            workload_name: Some(self.name.clone()),
            monthly_requests: Some(self.volume),
            current: self.current.clone(),
            candidates,
            owner: self.owner.clone(),
            today: Date::today().unwrap_or(self.catalog.snapshot),
        };
        template::new_case(&self.catalog, &spec)
    }
}
