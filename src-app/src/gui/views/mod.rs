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
mod plan;
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
    /// Set by a view to show an item in the editor (a section its empty state just added).
    pub select: Option<crate::gui::navigator::Selection>,
}

/// One analysis view.
pub trait View {
    /// The tab title.
    fn title(&self) -> &'static str;
    /// The full view: its choices, chart and tables.
    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>);
    /// The chart alone, for presenter mode; `None` when there is nothing to draw.
    fn chart(&mut self, doc: &Workspace, eval: &Evaluation) -> Option<Chart>;
    /// Draws its chart for scenario `id` when the view is about one scenario; `false` when it
    /// is not (its chart covers every scenario or none).
    fn choose_scenario(&mut self, _id: &str) -> bool {
        false
    }
    /// Shows `selection` when the view can (a reconciliation picked in the navigator).
    fn focus(&mut self, _doc: &Workspace, _selection: crate::gui::navigator::Selection) {}
    /// The one sentence the chart is shown for (a slide's takeaway); `None` when the view
    /// states none.
    fn headline(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<String> {
        None
    }
}

/// A PDF deck of `views`' slides for `doc`, titled after the workspace, with `source`'s
/// provenance in every footer.
pub fn deck_pdf(
    views: &mut [Box<dyn View>],
    doc: &Workspace,
    eval: &Evaluation,
    source: &lcpr_core::report::memo::MemoSource,
) -> Result<Vec<u8>, String> {
    use lcpr_core::report::slides;
    let pages = self::slides(views, doc, eval);
    if pages.is_empty() {
        return Err("no view has a chart for this workspace, so there is no slide".to_owned());
    }
    let report = slides::deck(
        &doc.meta.title,
        "Slides for the review meeting",
        source.meta(&doc.meta.owner),
        &pages,
    );
    lcpr_core::report::render_pdf(&report, &slides::slide_options()).map_err(|e| e.to_string())
}

/// The slides of `views` in tab order: every view with a chart, with its headline. Presenter
/// mode steps through these, and a deck exported from the window or by `lcpr export slides`
/// has these pages.
pub fn slides(
    views: &mut [Box<dyn View>],
    doc: &Workspace,
    eval: &Evaluation,
) -> Vec<lcpr_core::report::slides::Slide> {
    views
        .iter_mut()
        .filter_map(|v| {
            let chart = v.chart(doc, eval)?;
            Some(lcpr_core::report::slides::Slide {
                chart,
                takeaway: v.headline(doc, eval),
            })
        })
        .collect()
}

/// A view's name on the command line: its title in lower case, spaces as dashes
/// (`KV sizing` → `kv-sizing`).
#[must_use]
pub fn cli_name(view: &dyn View) -> String {
    view.title().to_lowercase().replace(' ', "-")
}

/// Every view, in tab order.
#[must_use]
pub fn all() -> Vec<Box<dyn View>> {
    vec![
        Box::new(compare::Compare::default()),
        Box::new(decision::DecisionView::default()),
        Box::new(sensitivity::Sensitivity::default()),
        Box::new(uncertainty::UncertaintyView::default()),
        Box::new(plan::PlanView::default()),
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

/// Least time between two runs of a costly result while the document keeps changing, s: a
/// drag that edits on every frame would otherwise rerun every draw on every frame.
const RERUN_SECONDS: f64 = 0.3;

/// A costly result of the document (a Monte Carlo run), kept until the document changes.
/// Made at once the first time; after that, while edits keep coming, the kept result stands
/// until [`RERUN_SECONDS`] have passed.
struct DocCache<T> {
    kept: Option<(Workspace, T)>,
    /// When the kept result was made (UI time).
    ran_at: f64,
}

impl<T> Default for DocCache<T> {
    fn default() -> Self {
        Self {
            kept: None,
            ran_at: 0.0,
        }
    }
}

impl<T> DocCache<T> {
    /// The result for `doc` (made by `compute` when due), and whether it is of `doc` itself
    /// rather than of an earlier version still standing in.
    fn get(&mut self, doc: &Workspace, now: f64, compute: impl FnOnce() -> T) -> (&T, bool) {
        let current = match &self.kept {
            Some((d, _)) if d == doc => true,
            Some(_) if now - self.ran_at < RERUN_SECONDS => false,
            _ => {
                self.kept = None;
                self.ran_at = now;
                true
            }
        };
        let kept = self.kept.get_or_insert_with(|| (doc.clone(), compute()));
        (&kept.1, current)
    }

    /// The result for `doc` itself, made now if the kept one is of another version: for a
    /// slide or an export, which have no frame clock and must not show a stale result.
    fn get_current(&mut self, doc: &Workspace, compute: impl FnOnce() -> T) -> &T {
        if self.kept.as_ref().is_some_and(|(d, _)| d != doc) {
            self.kept = None;
        }
        &self.kept.get_or_insert_with(|| (doc.clone(), compute())).1
    }
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
