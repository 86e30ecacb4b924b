//! The analysis sections of a workspace (migration case, forecast, attribution, incidents,
//! monthly review inputs, simulation settings): listed in the navigator, added from a first
//! draft of the case's own numbers, removed with the rest of the document's undo.

use egui::{CollapsingHeader, RichText, Ui};
use lcpr_core::case::evaluation::evaluate;
use lcpr_core::decide::starters;
use lcpr_core::document::Workspace;

use super::navigator::Selection;

/// One section kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `migration`: the move being decided and its gates' evidence.
    Migration,
    /// `forecast`: next quarter's drivers and planned changes.
    Forecast,
    /// `attribution`: a shared bill split across teams.
    Attribution,
    /// `incidents`: one per incident of the period.
    Incidents,
    /// `monthly_review`: this month and last, per workload, where no reconciliations exist.
    MonthlyReview,
    /// `simulation`: draws and seed of the Monte Carlo runs.
    Simulation,
}

impl Section {
    /// In the navigator's order.
    pub const ALL: [Self; 6] = [
        Self::Migration,
        Self::Forecast,
        Self::Attribution,
        Self::Incidents,
        Self::MonthlyReview,
        Self::Simulation,
    ];

    /// The section in plain words.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Migration => "Migration case",
            Self::Forecast => "Forecast inputs",
            Self::Attribution => "Attribution inputs",
            Self::Incidents => "Incidents",
            Self::MonthlyReview => "Monthly review inputs",
            Self::Simulation => "Simulation settings",
        }
    }

    /// The words of its add button.
    #[must_use]
    pub fn add_label(self) -> &'static str {
        match self {
            Self::Migration => "Add a migration case",
            Self::Forecast => "Add a forecast",
            Self::Attribution => "Add an attribution",
            Self::Incidents => "Add an incident",
            Self::MonthlyReview => "Add monthly review inputs",
            Self::Simulation => "Simulation settings",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Self::Migration => {
                "The current and candidate scenarios, the demand shape and the evidence each gate weighs"
            }
            Self::Forecast => "Each workload's cost drivers with ranges, and the planned changes",
            Self::Attribution => "The shared bill, the fixed floor and each team's usage",
            Self::Incidents => "What an incident cost and how many requests it reached",
            Self::MonthlyReview => {
                "Typed month figures, used only where a workload lacks two reconciliations"
            }
            Self::Simulation => "Draws and seed of every Monte Carlo run and forecast",
        }
    }

    /// True when the document has the section (simulation settings always exist).
    #[must_use]
    pub fn present(self, ws: &Workspace) -> bool {
        match self {
            Self::Migration => ws.migration.is_some(),
            Self::Forecast => ws.forecast.is_some(),
            Self::Attribution => ws.attribution.is_some(),
            Self::Incidents => !ws.incidents.is_empty(),
            Self::MonthlyReview => ws.monthly_review.is_some(),
            Self::Simulation => true,
        }
    }

    /// The editor's selection for the section (its first item for incidents).
    #[must_use]
    pub fn selection(self) -> Selection {
        match self {
            Self::Migration => Selection::Migration,
            Self::Forecast => Selection::Forecast,
            Self::Attribution => Selection::Attribution,
            Self::Incidents => Selection::Incident(0),
            Self::MonthlyReview => Selection::MonthlyReview,
            Self::Simulation => Selection::Simulation,
        }
    }

    /// Adds the section drafted from the case (another incident for incidents) and returns
    /// what to select; `Err` says what the case lacks.
    pub fn insert(self, ws: &mut Workspace) -> Result<Selection, &'static str> {
        let eval = evaluate(ws);
        match self {
            Self::Migration => {
                ws.migration = Some(
                    starters::migration(ws, &eval)
                        .ok_or("A migration case needs two costed scenarios of one workload.")?,
                );
            }
            Self::Forecast => {
                ws.forecast = Some(
                    starters::forecast(ws, &eval)
                        .ok_or("A forecast starts from a costed scenario: add one first.")?,
                );
            }
            Self::Attribution => {
                ws.attribution = Some(
                    starters::attribution(ws, &eval)
                        .ok_or("An attribution splits a bill: add a costed scenario first.")?,
                );
            }
            Self::Incidents => {
                let incident = starters::incident(ws);
                ws.incidents.push(incident);
                return Ok(Selection::Incident(ws.incidents.len() - 1));
            }
            Self::MonthlyReview => {
                ws.monthly_review = Some(starters::monthly_review(ws, &eval).ok_or(
                    "Monthly review inputs start from a costed scenario on a token-priced route.",
                )?);
            }
            Self::Simulation => {}
        }
        Ok(self.selection())
    }

    /// Removes the section (simulation settings return to their defaults).
    pub fn remove(self, ws: &mut Workspace) {
        match self {
            Self::Migration => ws.migration = None,
            Self::Forecast => ws.forecast = None,
            Self::Attribution => ws.attribution = None,
            Self::Incidents => ws.incidents.clear(),
            Self::MonthlyReview => ws.monthly_review = None,
            Self::Simulation => ws.simulation = Default::default(),
        }
    }
}

/// The "Add …" button of a view's empty state: adds `section` and returns what to select.
/// A case that cannot have the section yet gets the reason under the button.
pub fn add_button(ui: &mut Ui, ws: &mut Workspace, section: Section) -> Option<Selection> {
    let mut picked = None;
    ui.vertical_centered(|ui| {
        let id = ui.scope_id().with(("add-section", section.title()));
        let r = ui
            .button(section.add_label())
            .on_hover_text(format!(
                "{}. Drafted from this case's numbers, marked estimated or assumed; edit it in the panel on the right.",
                section.hint()
            ));
        if r.clicked() {
            match section.insert(ws) {
                Ok(s) => picked = Some(s),
                Err(why) => {
                    ui.data_mut(|d| d.insert_temp(id, why.to_owned()));
                },
            }
        }
        if let Some(why) = ui.data(|d| d.get_temp::<String>(id)) {
            ui.label(RichText::new(why).weak());
        }
    });
    picked
}

/// The navigator's list of sections: each present one selectable, each absent one addable.
pub fn nav_ui(ui: &mut Ui, ws: &mut Workspace, selection: &mut Selection) {
    let present = Section::ALL.iter().filter(|s| s.present(ws)).count();
    CollapsingHeader::new(format!("Analyses ({present})"))
        .id_salt("analyses")
        .default_open(true)
        .show(ui, |ui| {
            let mut remove = None;
            let mut remove_incident = None;
            for section in Section::ALL {
                if section == Section::Incidents {
                    let names: Vec<String> = ws.incidents.iter().map(|x| x.name.clone()).collect();
                    for (i, name) in names.iter().enumerate() {
                        let sel = Selection::Incident(i);
                        let shown = if name.is_empty() { "(unnamed)" } else { name };
                        let r =
                            ui.selectable_label(*selection == sel, format!("Incident: {shown}"));
                        if r.clicked() {
                            *selection = sel;
                        }
                        r.context_menu(|ui| {
                            if ui.button("Delete").clicked() {
                                remove_incident = Some(i);
                                ui.close();
                            }
                        });
                    }
                    if ui
                        .small_button(format!("+ {}", section.add_label()))
                        .on_hover_text(section.hint())
                        .clicked()
                        && let Ok(s) = section.insert(ws)
                    {
                        *selection = s;
                    }
                    continue;
                }
                if section.present(ws) {
                    let sel = section.selection();
                    let r = ui
                        .selectable_label(*selection == sel, section.title())
                        .on_hover_text(section.hint());
                    if r.clicked() {
                        *selection = sel;
                    }
                    if section != Section::Simulation {
                        r.context_menu(|ui| {
                            if ui.button("Delete").clicked() {
                                remove = Some(section);
                                ui.close();
                            }
                        });
                    }
                } else {
                    let r = ui
                        .small_button(format!("+ {}", section.add_label()))
                        .on_hover_text(section.hint());
                    if r.clicked() {
                        match section.insert(ws) {
                            Ok(s) => *selection = s,
                            Err(why) => ui.ctx().data_mut(|d| {
                                d.insert_temp(egui::Id::unique("analyses-hint"), why.to_owned());
                            }),
                        }
                    }
                }
            }
            if let Some(i) = remove_incident
                && i < ws.incidents.len()
            {
                ws.incidents.remove(i);
                *selection = Selection::Meta;
            }
            if let Some(s) = remove {
                s.remove(ws);
                *selection = Selection::Meta;
            }
            if let Some(hint) = ui
                .ctx()
                .data(|d| d.get_temp::<String>(egui::Id::unique("analyses-hint")))
            {
                ui.label(RichText::new(hint).weak());
            }
        });
}
