//! Where a bindable input takes its value from, shown beside it: typed, a register entry, or
//! a named piece of evidence with its date; a chooser switches the source. An input supplied
//! by the register shows that value, read-only: typing under it would change nothing.

use egui::{RichText, Ui};
use lcpr_core::case::sources::{self, Choice, InputSource};
use lcpr_core::document::{Binding, BindingTarget, Date, Rule, Workspace};

use crate::gui::{theme, widgets};

/// One input's source and the sources it could have, read before the editor borrows the
/// item mutably.
pub(super) struct Info {
    binding: Binding,
    /// The value the register supplies, when it does.
    supplied: Option<f64>,
    /// The current source, in words.
    now: String,
    /// Which option is the current one.
    current: usize,
    /// (choice, label, why it cannot be chosen).
    options: Vec<(Choice, String, Option<String>)>,
}

/// Reads `binding`'s source and alternatives in `ws`.
pub(super) fn info(ws: &Workspace, target: BindingTarget, id: &str, field: &str) -> Info {
    let binding = Binding {
        target,
        id: id.to_owned(),
        field: field.to_owned(),
    };
    let source = sources::source_of(ws, &binding);
    let entry = match &source {
        InputSource::Register(i) | InputSource::Evidence(i, _) => ws.register.get(*i),
        InputSource::Typed => None,
    };
    let rule = binding.field_ref().map_or(Rule::NonNegative, |f| f.rule());
    let mut options = vec![(Choice::Typed, "typed here".to_owned(), None)];
    options.push((
        Choice::Register,
        match entry {
            Some(e) => format!("register entry {}", e.id),
            None => "a new register entry (with a range)".to_owned(),
        },
        None,
    ));
    for (s, v) in sources::offers(ws, &binding) {
        let (label, why) = match v {
            Ok(got) => (
                format!(
                    "{} {}{}: {}",
                    s.kind.label(),
                    s.id,
                    got.date.map(|d| format!(" ({d})")).unwrap_or_default(),
                    widgets::value_text(round(got.value), rule)
                ),
                None,
            ),
            Err(e) => (format!("{} {}", s.kind.label(), s.id), Some(e.rule)),
        };
        options.push((Choice::Evidence(s), label, why));
    }
    let (now, current) = match (&source, entry) {
        (InputSource::Evidence(_, s), Some(e)) => (
            format!("from {s}, {} ({})", e.date, e.status.label()),
            options
                .iter()
                .position(|(c, _, _)| *c == Choice::Evidence(s.clone()))
                .unwrap_or(0),
        ),
        (InputSource::Register(_), Some(e)) => (
            format!(
                "from register entry {} ({}, range {}–{})",
                e.id,
                e.status.label(),
                widgets::value_text(e.low, rule),
                widgets::value_text(e.high, rule)
            ),
            1,
        ),
        _ => ("typed".to_owned(), 0),
    };
    Info {
        binding,
        supplied: entry.map(|e| e.value),
        now,
        current,
        options,
    }
}

fn round(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// The input's number (read-only when the register supplies it) and its source line.
/// Returns whether the typed value changed, and the source the user picked.
pub(super) fn number(
    ui: &mut Ui,
    info: &Info,
    label: &str,
    unit: &str,
    value: &mut f64,
    rule: Rule,
) -> (bool, Option<(Binding, Choice)>) {
    let salt = (&info.binding.id, &info.binding.field);
    let changed = match info.supplied {
        Some(v) => {
            let mut shown = v;
            ui.add_enabled_ui(false, |ui| {
                widgets::number(ui, salt, label, unit, &mut shown, rule);
            })
            .response
            .on_disabled_hover_text(format!(
                "Set by the register ({}); switch the source to type it here",
                info.now
            ));
            false
        }
        None => widgets::number(ui, salt, label, unit, value, rule),
    };
    // Only inputs with somewhere else to come from get a source line: a plain typed field
    // with no evidence stays one row.
    if info.supplied.is_none() && info.options.len() <= 2 {
        return (changed, None);
    }
    let mut picked = None;
    ui.horizontal(|ui| {
        ui.add_space(theme::LABEL_WIDTH + ui.spacing().item_spacing.x);
        ui.label(RichText::new("source").small().weak());
        let selected = info
            .options
            .get(info.current)
            .map_or_else(|| info.now.clone(), |(_, l, _)| l.clone());
        egui::ComboBox::from_id_salt(ui.scope_id().with(("source", salt)))
            .selected_text(RichText::new(selected).small())
            .width(theme::FIELD_WIDTH * 2.2)
            .truncate()
            .show_ui(ui, |ui| {
                for (k, (choice, text, why)) in info.options.iter().enumerate() {
                    let r = ui
                        .add_enabled(
                            why.is_none(),
                            egui::Button::selectable(k == info.current, text),
                        )
                        .on_disabled_hover_text(why.clone().unwrap_or_default());
                    if r.clicked() && k != info.current {
                        picked = Some((info.binding.clone(), choice.clone()));
                    }
                }
            })
            .response
            .on_hover_text(&info.now);
        if info.supplied.is_some() {
            // Cut to the panel (the whole line on hover), so a long source never widens the
            // editor over the view.
            ui.add(egui::Label::new(RichText::new(&info.now).small().weak()).truncate())
                .on_hover_text(&info.now);
        }
    });
    (changed, picked)
}

/// Applies a picked source (one undo step: the caller's frame); a refusal leaves `ws` as it
/// was and is returned to show.
pub(super) fn apply(ws: &mut Workspace, picked: Option<(Binding, Choice)>) -> Option<String> {
    let (binding, choice) = picked?;
    let today = Date::today().unwrap_or(ws.meta.updated);
    let mut next = ws.clone();
    match sources::choose(&mut next, &binding, &choice, today) {
        Ok(()) => {
            *ws = next;
            None
        }
        Err(e) => Some(e.to_string()),
    }
}
