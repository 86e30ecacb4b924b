//! Analysis views. Each is one file: a struct holding the view's own choices, with a `ui`
//! method for the full view and a `chart` method for presenter mode. To add a view, copy one,
//! rename it and list it in [`all`].

mod attribution;
mod break_even;
mod cache;
mod compare;
mod decision;
mod forecast;
mod gates;
mod goodput;
mod kv_sizing;
mod readiness;
mod reconciliation;
mod review;
mod sensitivity;
mod uncertainty;

use egui::Ui;
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::Workspace;
use lcpr_core::report::chart::Chart;

/// What a view reads and may edit.
pub struct ViewContext<'a> {
    /// The document (views that store choices in it, like readiness, edit it).
    pub doc: &'a mut Workspace,
    /// Results for the document.
    pub eval: &'a Evaluation,
}

/// One analysis view.
pub trait View {
    /// The tab title.
    fn title(&self) -> &'static str;
    /// The full view: its choices, chart and tables.
    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>);
    /// The chart alone, for presenter mode; `None` when there is nothing to draw.
    fn chart(&mut self, doc: &Workspace, eval: &Evaluation) -> Option<Chart>;
}

/// Every view, in tab order.
#[must_use]
pub fn all() -> Vec<Box<dyn View>> {
    vec![
        Box::new(compare::Compare::default()),
        Box::new(decision::DecisionView::default()),
        Box::new(sensitivity::Sensitivity::default()),
        Box::new(uncertainty::UncertaintyView::default()),
        Box::new(break_even::BreakEvenView::default()),
        Box::new(cache::CacheView::default()),
        Box::new(kv_sizing::KvSizingView::default()),
        Box::new(goodput::GoodputView::default()),
        Box::new(readiness::ReadinessView),
        Box::new(reconciliation::ReconciliationView::default()),
        Box::new(forecast::ForecastView::default()),
        Box::new(gates::GatesView),
        Box::new(attribution::AttributionView),
        Box::new(review::ReviewView::default()),
    ]
}

/// A chooser among ids; keeps `current` valid and returns the chosen id.
fn pick(
    ui: &mut Ui,
    salt: &str,
    label: &str,
    current: &mut Option<String>,
    options: &[(String, String)],
) -> Option<String> {
    if current
        .as_ref()
        .is_none_or(|c| !options.iter().any(|(id, _)| id == c))
    {
        *current = options.first().map(|(id, _)| id.clone());
    }
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let shown = current
            .as_ref()
            .and_then(|c| options.iter().find(|(id, _)| id == c))
            .map_or_else(|| "—".to_owned(), |(_, name)| name.clone());
        egui::ComboBox::from_id_salt(salt)
            .selected_text(shown)
            .width(320.0)
            .show_ui(ui, |ui| {
                for (id, name) in options {
                    if ui
                        .selectable_label(current.as_deref() == Some(id), name)
                        .clicked()
                    {
                        *current = Some(id.clone());
                    }
                }
            })
            .response
            .labelled_by(l.id);
    });
    current.clone()
}
