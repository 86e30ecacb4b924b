//! Shared inputs: numbers, money, dates and text with their units and rules. A value that
//! breaks its rule is marked inline with the rule and never written or clamped.

use std::str::FromStr;

use egui::{Id, Response, RichText, TextEdit, Ui};
use lcpr_core::document::{Date, Rule};
use rust_decimal::Decimal;

use super::theme;

/// What a field's text box holds between frames.
#[derive(Clone, Default)]
struct Buffer {
    text: String,
    /// The rule the text breaks, while it breaks one.
    error: Option<String>,
    /// The value the text was last in step with.
    synced: String,
    /// The value when this edit began: restored when the text stops being valid, so a valid
    /// prefix typed on the way ("1" of "1.5") never stays in the document.
    before: Option<String>,
}

fn field_row<R>(ui: &mut Ui, label: &str, unit: &str, add: impl FnOnce(&mut Ui, Id) -> R) -> R {
    ui.horizontal(|ui| {
        let label_response = glossary_hover(
            ui.add_sized(
                [theme::LABEL_WIDTH, 18.0],
                egui::Label::new(label).truncate(),
            ),
            label,
        );
        let r = add(ui, label_response.id);
        if !unit.is_empty() {
            ui.label(RichText::new(unit).small().weak());
        }
        r
    })
    .inner
}

/// A text box that keeps invalid text (and its rule) until it is fixed. `parse` checks the text
/// and returns the value's canonical text and whether the value changed.
fn checked_text(
    ui: &mut Ui,
    id: Id,
    label_id: Id,
    current: String,
    mut accept: impl FnMut(&str) -> Result<(), String>,
) -> bool {
    let mut buf: Buffer = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let edit_id = id.with("edit");
    let focused = ui.memory(|m| m.has_focus(edit_id));
    if buf.synced != current && (!focused || buf.error.is_none()) {
        // The value changed elsewhere (undo, another editor): show it.
        buf = Buffer {
            text: current.clone(),
            error: None,
            synced: current.clone(),
            before: None,
        };
    }
    if !focused && buf.error.is_none() {
        buf.before = None;
    }
    let mut changed = false;
    let response: Response = ui
        .add(
            TextEdit::singleline(&mut buf.text)
                .id(edit_id)
                .desired_width(theme::FIELD_WIDTH),
        )
        .labelled_by(label_id);
    if response.changed() {
        let before = buf.before.get_or_insert_with(|| current.clone()).clone();
        match accept(buf.text.trim()) {
            Ok(()) => {
                buf.error = None;
                changed = true;
            }
            Err(rule) => {
                buf.error = Some(rule);
                // Put back the value from before the edit (it was valid then) if a prefix
                // typed on the way was written.
                if current != before && accept(&before).is_ok() {
                    changed = true;
                }
            }
        }
    }
    if let Some(err) = &buf.error {
        ui.label(RichText::new(format!("⚠ {err}")).color(theme::error_color(ui.visuals())));
    }
    if changed && buf.error.is_none() {
        // Stay in step with what was written so the next frame does not reset the text.
        buf.synced = String::new();
    }
    ui.data_mut(|d| d.insert_temp(id, buf));
    changed
}

/// Reads a typed number (thousands separators allowed) and checks it against `rule`. A share
/// is typed as a percentage, with or without its `%`: "5%" and "5" are both 0.05.
fn parse_number(text: &str, label: &str, rule: Rule) -> Result<f64, String> {
    let cleaned = text.replace(',', "");
    let (digits, share) = if rule.is_share() {
        (cleaned.trim().trim_end_matches('%').trim().to_owned(), true)
    } else {
        (cleaned, false)
    };
    let typed: f64 = digits
        .parse()
        .map_err(|_| format!("must be a number, got {text:?}"))?;
    if !share {
        rule.check(label, typed).map_err(|e| e.rule)?;
        return Ok(typed);
    }
    let v = typed / 100.0;
    if rule.check(label, v).is_err() {
        let range = match rule {
            Rule::PositiveFraction => "(0%, 100%]",
            Rule::Discount => "[0%, 100%)",
            _ => "[0%, 100%]",
        };
        return Err(format!("must lie in {range}, got {}%", number_text(typed)));
    }
    Ok(v)
}

/// Shortest text that reads back as the same number, with thousands separators.
#[must_use]
pub fn number_text(v: f64) -> String {
    let text = format!("{v}");
    if !v.is_finite() || text.contains('e') {
        return text;
    }
    let (sign, body) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |b| ("-", b));
    match body.split_once('.') {
        Some((int, frac)) => format!(
            "{sign}{}.{frac}",
            lcpr_core::report::memo::format::group_thousands(int)
        ),
        None => format!(
            "{sign}{}",
            lcpr_core::report::memo::format::group_thousands(body)
        ),
    }
}

/// A share as the editors show it: 0.05 → `5%` (rounded to nine places so 0.07 × 100 does not
/// read 7.000000000000001).
#[must_use]
pub fn percent_text(v: f64) -> String {
    format!("{}%", number_text((v * 100.0 * 1e9).round() / 1e9))
}

/// A value as its editor shows it: a share as a percentage, any other number plain.
#[must_use]
pub fn value_text(v: f64, rule: Rule) -> String {
    if rule.is_share() {
        percent_text(v)
    } else {
        number_text(v)
    }
}

/// The unit beside a field: a share's reads as a percentage.
fn unit_text(unit: &str, rule: Rule) -> String {
    if !rule.is_share() {
        return unit.to_owned();
    }
    unit.replacen("share", "%", 1)
        .replace("(0, 1]", "(0, 100]")
        .replace("[0, 1)", "[0, 100)")
        .replace("[0, 1]", "[0, 100]")
}

/// A number with a unit and a rule.
pub fn number(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut f64,
    rule: Rule,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, &unit_text(unit, rule), |ui, label_id| {
        let current = value_text(*value, rule);
        let changed = checked_text(ui, id, label_id, current, |text| {
            let v = parse_number(text, label, rule)?;
            *value = v;
            Ok(())
        });
        if changed {
            sync(ui, id, value_text(*value, rule));
        }
        changed
    })
}

/// An optional number: empty text means "none".
pub fn optional_number(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut Option<f64>,
    rule: Rule,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, &unit_text(unit, rule), |ui, label_id| {
        let current = value.map(|v| value_text(v, rule)).unwrap_or_default();
        let changed = checked_text(ui, id, label_id, current, |text| {
            if text.is_empty() {
                *value = None;
                return Ok(());
            }
            let v = parse_number(text, label, rule)?;
            *value = Some(v);
            Ok(())
        });
        if changed {
            sync(
                ui,
                id,
                value.map(|v| value_text(v, rule)).unwrap_or_default(),
            );
        }
        changed
    })
}

fn parse_money(text: &str) -> Result<Decimal, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '$' && *c != ',' && !c.is_whitespace())
        .collect();
    let v = Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .map_err(|_| format!("must be an amount, got {text:?}"))?;
    if v.is_sign_negative() && !v.is_zero() {
        return Err(format!("must be ≥ 0, got {v}"));
    }
    Ok(v)
}

/// A money amount (≥ 0), kept exact.
pub fn money(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut Decimal,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, unit, |ui, label_id| {
        let changed = checked_text(ui, id, label_id, value.to_string(), |text| {
            *value = parse_money(text)?;
            Ok(())
        });
        if changed {
            sync(ui, id, value.to_string());
        }
        changed
    })
}

/// An optional money amount: empty text means the rate does not exist.
pub fn optional_money(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut Option<Decimal>,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, unit, |ui, label_id| {
        let current = value.map(|v| v.to_string()).unwrap_or_default();
        let changed = checked_text(ui, id, label_id, current, |text| {
            *value = if text.is_empty() {
                None
            } else {
                Some(parse_money(text)?)
            };
            Ok(())
        });
        if changed {
            sync(ui, id, value.map(|v| v.to_string()).unwrap_or_default());
        }
        changed
    })
}

/// A date written YYYY-MM-DD.
pub fn date(ui: &mut Ui, salt: impl egui::AsIdSalt, label: &str, value: &mut Date) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, "YYYY-MM-DD", |ui, label_id| {
        let changed = checked_text(ui, id, label_id, value.to_string(), |text| {
            *value = text.parse()?;
            Ok(())
        });
        if changed {
            sync(ui, id, value.to_string());
        }
        changed
    })
}

fn sync(ui: &mut Ui, id: Id, text: String) {
    ui.data_mut(|d| {
        let mut buf: Buffer = d.get_temp(id).unwrap_or_default();
        buf.synced = text;
        d.insert_temp(id, buf);
    });
}

/// A list of short names typed on one line, comma-separated (the text as typed is kept while
/// editing, so a trailing comma is not lost).
pub fn list(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    hint: &str,
    value: &mut Vec<String>,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, hint, |ui, label_id| {
        let changed = checked_text(ui, id, label_id, value.join(", "), |text| {
            *value = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            Ok(())
        });
        if changed {
            sync(ui, id, value.join(", "));
        }
        changed
    })
}

/// Free text on one line.
pub fn text(ui: &mut Ui, label: &str, value: &mut String) -> bool {
    field_row(ui, label, "", |ui, label_id| {
        ui.add(TextEdit::singleline(value).desired_width(theme::FIELD_WIDTH * 2.0))
            .labelled_by(label_id)
            .changed()
    })
}

/// Free text over several lines.
pub fn notes(ui: &mut Ui, label: &str, value: &mut String) -> bool {
    let l = ui.label(label);
    ui.add(
        TextEdit::multiline(value)
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
    .changed()
}

/// A choice among `options` (value, label).
pub fn choice<T: PartialEq + Clone>(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    field_row(ui, label, "", |ui, label_id| {
        let selected = options
            .iter()
            .find(|(v, _)| v == value)
            .map_or_else(|| "—".to_owned(), |(_, l)| l.clone());
        let mut changed = false;
        // A long choice (a scenario's full name) is cut to the box, not widening the panel;
        // the list shows it whole.
        let r = egui::ComboBox::from_id_salt(ui.scope_id().with(salt))
            .selected_text(selected)
            .width(theme::FIELD_WIDTH * 2.0)
            .truncate()
            .show_ui(ui, |ui| {
                for (v, l) in options {
                    if ui.selectable_label(v == value, l).clicked() && v != value {
                        *value = v.clone();
                        changed = true;
                    }
                }
            });
        r.response.labelled_by(label_id);
        changed
    })
}

/// A number that may be negative (a change that lowers a cost, a shrinking volume).
pub fn signed_number(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut f64,
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, unit, |ui, label_id| {
        let changed = checked_text(ui, id, label_id, number_text(*value), |text| {
            let v: f64 = text
                .replace(',', "")
                .parse()
                .map_err(|_| format!("must be a number, got {text:?}"))?;
            if !v.is_finite() {
                return Err(format!("must be a finite number, got {text:?}"));
            }
            *value = v;
            Ok(())
        });
        if changed {
            sync(ui, id, number_text(*value));
        }
        changed
    })
}

/// A whole count in `[min, max]`; `None` is written for empty text when `optional`.
fn count_text(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let v: u64 = text
        .replace(',', "")
        .parse()
        .map_err(|_| format!("must be a whole number, got {text:?}"))?;
    if v < min || v > max {
        return Err(format!(
            "must lie in [{}, {}], got {}",
            number_text(min as f64),
            number_text(max as f64),
            number_text(v as f64)
        ));
    }
    Ok(v)
}

/// A whole number in `[min, max]`.
pub fn count(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut u64,
    (min, max): (u64, u64),
) -> bool {
    let id = ui.scope_id().with(salt);
    field_row(ui, label, unit, |ui, label_id| {
        let changed = checked_text(ui, id, label_id, number_text(*value as f64), |text| {
            *value = count_text(text, min, max)?;
            Ok(())
        });
        if changed {
            sync(ui, id, number_text(*value as f64));
        }
        changed
    })
}

/// An optional whole number: empty text means none.
pub fn optional_count(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    label: &str,
    unit: &str,
    value: &mut Option<u64>,
) -> bool {
    let id = ui.scope_id().with(salt);
    let shown = |v: &Option<u64>| v.map(|n| number_text(n as f64)).unwrap_or_default();
    field_row(ui, label, unit, |ui, label_id| {
        let changed = checked_text(ui, id, label_id, shown(value), |text| {
            *value = if text.is_empty() {
                None
            } else {
                Some(count_text(text, 0, u64::MAX)?)
            };
            Ok(())
        });
        if changed {
            sync(ui, id, shown(value));
        }
        changed
    })
}

/// Optional free text on one line: empty means none.
pub fn optional_text(ui: &mut Ui, label: &str, value: &mut Option<String>) -> bool {
    let mut text = value.clone().unwrap_or_default();
    let changed = self::text(ui, label, &mut text);
    if changed {
        *value = (!text.trim().is_empty()).then_some(text);
    }
    changed
}

/// A yes/no with its label in the label column.
pub fn flag(ui: &mut Ui, label: &str, value: &mut bool) -> bool {
    field_row(ui, label, "", |ui, label_id| {
        ui.checkbox(value, "").labelled_by(label_id).changed()
    })
}

/// Where a value came from: measured in logs … assumed.
pub fn status(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    value: &mut lcpr_core::document::evidence_status::EvidenceStatus,
) -> bool {
    use lcpr_core::document::evidence_status::EvidenceStatus;
    let options: Vec<(EvidenceStatus, String)> = EvidenceStatus::ALL
        .iter()
        .map(|s| (*s, s.label().to_owned()))
        .collect();
    choice(ui, salt, "Evidence", value, &options)
}

/// How a value spreads between its low and high.
pub fn distribution(
    ui: &mut Ui,
    salt: impl egui::AsIdSalt,
    value: &mut lcpr_core::document::Distribution,
) -> bool {
    use lcpr_core::document::Distribution;
    let options: Vec<(Distribution, String)> = Distribution::ALL
        .iter()
        .map(|d| (*d, d.name().to_owned()))
        .collect();
    choice(ui, salt, "Distribution", value, &options)
}

/// `response` with the glossary's meaning of the term `text` uses, when it uses one.
pub fn glossary_hover(response: Response, text: &str) -> Response {
    match lcpr_core::report::glossary::lookup(text) {
        Some(term) => response.on_hover_text(term.text()),
        None => response,
    }
}

/// A column header: strong, with the glossary's meaning of its term on hover.
pub fn header(ui: &mut Ui, text: &str) -> Response {
    glossary_hover(ui.label(RichText::new(text).strong()), text)
}

/// A section heading inside an editor.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(title).strong());
    ui.separator();
}

/// An empty-state message: what is missing and how to add it.
pub fn empty_state(ui: &mut Ui, what: &str, how: &str) {
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new(what).heading().weak());
        ui.label(RichText::new(how).weak());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parsing_is_exact_and_refuses_negatives() {
        assert_eq!(parse_money("$1,234.50"), Ok(Decimal::new(123_450, 2)));
        assert!(parse_money("-1").is_err());
        assert!(parse_money("abc").is_err());
        assert_eq!(parse_money("0.1"), Ok(Decimal::new(1, 1)));
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn a_share_is_typed_and_shown_as_a_percentage() {
        assert_eq!(parse_number("5%", "Retry rate", Rule::Fraction), Ok(0.05));
        assert_eq!(parse_number("5", "Retry rate", Rule::Fraction), Ok(0.05));
        assert_eq!(parse_number(" 60 % ", "Cache", Rule::Fraction), Ok(0.6));
        assert_eq!(
            parse_number("150%", "Retry rate", Rule::Fraction),
            Err("must lie in [0%, 100%], got 150%".to_owned())
        );
        assert!(parse_number("0%", "Utilization", Rule::PositiveFraction).is_err());
        assert_eq!(percent_text(0.07), "7%");
        assert_eq!(percent_text(0.386), "38.6%");
        assert_eq!(
            unit_text("share, (0, 1]", Rule::PositiveFraction),
            "%, (0, 100]"
        );
        // Other numbers stay plain, with their rule's message.
        assert_eq!(
            parse_number("1,500", "Throughput", Rule::Positive),
            Ok(1500.0)
        );
    }

    #[test]
    fn numbers_read_with_thousands_separators_and_back() {
        assert_eq!(number_text(400_000.0), "400,000");
        assert_eq!(number_text(-1_234_567.25), "-1,234,567.25");
        assert_eq!(number_text(0.125), "0.125");
        assert_eq!(
            parse_number(&number_text(1_234_567.25), "x", Rule::NonNegative),
            Ok(1_234_567.25)
        );
    }
}
