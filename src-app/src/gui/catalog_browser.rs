//! File → Browse catalog…: the shipped catalog as a searchable table (token prices, GPU offers,
//! accelerators, model shapes) with its snapshot's age, filters by provider and accelerator,
//! and "Add rate card" / "Add route" for the selected price (one undo step, the card keeping
//! the catalog row as its provenance). Below, the workspace's rate cards priced longer ago than
//! the age preference.

use egui::{RichText, Ui};
use lcpr_core::document::{Date, Workspace};
use lcpr_core::evidence::catalog::{self, Catalog, Kind};

use super::theme;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserAction {
    /// Nothing this frame.
    None,
    /// Add the row as a rate card.
    AddCard(String),
    /// Add the row as a rate card and a route bound to it.
    AddRoute(String),
}

/// The browser's state.
pub struct CatalogBrowser {
    catalog: Catalog,
    kind: Kind,
    search: String,
    provider: String,
    accelerator: String,
    selected: Option<String>,
}

impl CatalogBrowser {
    /// The browser over the shipped catalog.
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            catalog: catalog::shipped().map_err(|e| e.to_string())?,
            kind: Kind::Tokens,
            search: String::new(),
            provider: String::new(),
            accelerator: String::new(),
            selected: None,
        })
    }

    /// The catalog shown.
    #[must_use]
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn providers(&self) -> Vec<String> {
        let mut p: Vec<String> = match self.kind {
            Kind::Tokens => self
                .catalog
                .tokens
                .iter()
                .map(|t| t.provider.clone())
                .collect(),
            Kind::Gpus => self
                .catalog
                .gpus
                .iter()
                .map(|g| g.provider.clone())
                .collect(),
            Kind::Accelerators => self
                .catalog
                .accelerators
                .iter()
                .map(|a| a.vendor.clone())
                .collect(),
            Kind::Models => Vec::new(),
        };
        p.sort();
        p.dedup();
        p
    }

    /// Draws the browser; `max_age_days` is the age preference, changed here.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ws: &Workspace,
        today: Date,
        max_age_days: &mut i64,
    ) -> BrowserAction {
        let age = self.catalog.age_days(today);
        let old = age > *max_age_days;
        ui.label(
            RichText::new(format!(
                "Catalog snapshot of {} — {age} days old{}. Every row names its source page and date.",
                self.catalog.snapshot,
                if old { ", older than your limit: check prices before deciding" } else { "" }
            ))
            .color(if old {
                theme::warn_color(ui.visuals())
            } else {
                ui.visuals().text_color()
            }),
        );
        ui.horizontal(|ui| {
            for kind in Kind::ALL {
                if ui
                    .selectable_label(self.kind == kind, kind.title())
                    .clicked()
                    && self.kind != kind
                {
                    self.kind = kind;
                    self.provider.clear();
                    self.accelerator.clear();
                    self.selected = None;
                }
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("model, provider, accelerator…")
                    .desired_width(theme::FIELD_WIDTH * 2.0),
            )
            .labelled_by(l.id);
            let providers = self.providers();
            if !providers.is_empty() {
                let shown = if self.provider.is_empty() {
                    "every provider".to_owned()
                } else {
                    self.provider.clone()
                };
                egui::ComboBox::from_id_salt("catalog-provider")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.provider, String::new(), "every provider");
                        for p in providers {
                            ui.selectable_value(&mut self.provider, p.clone(), p);
                        }
                    });
            }
            if self.kind == Kind::Gpus {
                let shown = if self.accelerator.is_empty() {
                    "every accelerator".to_owned()
                } else {
                    self.accelerator.clone()
                };
                egui::ComboBox::from_id_salt("catalog-accelerator")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut self.accelerator,
                            String::new(),
                            "every accelerator",
                        );
                        for a in &self.catalog.accelerators {
                            ui.selectable_value(&mut self.accelerator, a.id.clone(), &a.name);
                        }
                    });
            }
        });
        let listing = self.catalog.listing(self.kind, &self.search);
        let rows: Vec<&catalog::ListedRow> = listing
            .rows
            .iter()
            .filter(|r| {
                self.provider.is_empty() || self.row_provider(&r.id) == Some(self.provider.as_str())
            })
            .filter(|r| {
                self.accelerator.is_empty()
                    || self
                        .catalog
                        .gpu(&r.id)
                        .is_some_and(|g| g.accelerator == self.accelerator)
            })
            .collect();
        ui.label(
            RichText::new(format!(
                "{} of {} rows",
                rows.len(),
                self.catalog.listing(self.kind, "").rows.len()
            ))
            .small()
            .weak(),
        );
        egui::ScrollArea::both()
            .id_salt("catalog-rows")
            .max_height(330.0)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("catalog-table")
                    .striped(true)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for (i, h) in listing.columns.iter().enumerate() {
                            // Token rows show their model; the LiteLLM key is on hover.
                            let h = if i == 0 && self.kind == Kind::Tokens {
                                "model"
                            } else {
                                h
                            };
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for r in &rows {
                            let on = self.selected.as_deref() == Some(r.id.as_str());
                            if ui
                                .selectable_label(on, &r.name)
                                .on_hover_text(format!("{}\n{} ({})", r.id, r.source, r.as_of))
                                .clicked()
                            {
                                self.selected = Some(r.id.clone());
                            }
                            for c in r.cells.iter().skip(1) {
                                ui.label(c);
                            }
                            ui.end_row();
                        }
                    });
            });
        let mut action = BrowserAction::None;
        let priced = self
            .selected
            .as_deref()
            .filter(|id| self.catalog.offer(id).is_ok());
        ui.horizontal(|ui| {
            let hint = "Select a token price or GPU offer first";
            if ui
                .add_enabled(priced.is_some(), egui::Button::new("Add rate card"))
                .on_hover_text("The card keeps this row's source, date and key (one undo step)")
                .on_disabled_hover_text(hint)
                .clicked()
                && let Some(id) = priced
            {
                action = BrowserAction::AddCard(id.to_owned());
            }
            if ui
                .add_enabled(priced.is_some(), egui::Button::new("Add route"))
                .on_hover_text("The rate card and a route bound to it (one undo step)")
                .on_disabled_hover_text(hint)
                .clicked()
                && let Some(id) = priced
            {
                action = BrowserAction::AddRoute(id.to_owned());
            }
            if let Some(r) = self
                .selected
                .as_ref()
                .and_then(|id| rows.iter().find(|r| &r.id == id))
            {
                // The whole source is on hover; the line stays within the window.
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("{} — {}", r.as_of, r.source))
                            .small()
                            .weak(),
                    )
                    .truncate(),
                )
                .on_hover_text(&r.source);
            }
        });
        ui.separator();
        ui.horizontal(|ui| {
            let l = ui.label("Flag rate cards priced more than");
            ui.add(
                egui::DragValue::new(max_age_days)
                    .range(1..=3650)
                    .suffix(" days"),
            )
            .labelled_by(l.id);
            ui.label("ago");
        });
        let stale = catalog::stale_cards(ws, today, *max_age_days);
        if stale.is_empty() {
            ui.label(RichText::new("No rate card of this workspace is older than that.").weak());
        }
        for s in stale {
            ui.label(
                RichText::new(format!(
                    "⚠ {}: priced on {}, {} days ago",
                    s.card, s.priced_on, s.age_days
                ))
                .color(theme::warn_color(ui.visuals())),
            );
        }
        action
    }

    fn row_provider(&self, id: &str) -> Option<&str> {
        match self.kind {
            Kind::Tokens => self.catalog.token(id).map(|t| t.provider.as_str()),
            Kind::Gpus => self.catalog.gpu(id).map(|g| g.provider.as_str()),
            Kind::Accelerators => self.catalog.accelerator(id).map(|a| a.vendor.as_str()),
            Kind::Models => None,
        }
    }
}
