//! Draws the core's chart data with egui_plot: axis titles with units, legends, hover values
//! and money formatted the way the memo prints it.

use egui::{Color32, Ui};
use egui_plot::{
    Bar, BarChart, FilledArea, Legend, Line, Plot, PlotPoint, PlotPoints, Points, Text, VLine,
};
use lcpr_core::report::chart::{self, Chart, ChartData, NumberFormat, series_color};

use super::theme;

/// One grid mark per category, so every category is labelled.
fn category_spacer(n: usize) -> impl Fn(egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    move |_| {
        (0..n)
            .map(|i| egui_plot::GridMark {
                value: i as f64,
                step_size: 1.0,
            })
            .collect()
    }
}

/// The chart's legend as a wrapped row of swatches under the plot (bar charts have too many
/// components for an overlay that would cover the bars).
fn legend_row(ui: &mut Ui, chart: &Chart) {
    ui.horizontal_wrapped(|ui| {
        for entry in chart.legend() {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, theme::color(entry.color));
            ui.label(egui::RichText::new(entry.label).small());
            ui.add_space(6.0);
        }
    });
}

/// Writes each category's name under its bar, inside the plot: axis tick labels are thinned
/// when crowded, and every bar must be named.
fn category_labels(p: &mut egui_plot::PlotUi<'_>, names: &[String], below: f64) {
    // Each name gets the width of its category slot: wrapped onto more lines, never over its
    // neighbours when the plot is narrow.
    let t = p.transform();
    let slot_px = t.frame().width() / t.bounds().width().max(1.0) as f32;
    let max_chars = ((slot_px / SMALL_CHAR_PX).floor() as usize).max(6);
    for (i, name) in names.iter().enumerate() {
        p.text(
            Text::new(
                "",
                PlotPoint::new(i as f64, below),
                egui::RichText::new(wrap_to(name, max_chars)).small(),
            )
            .anchor(egui::Align2::CENTER_TOP),
        );
    }
}

/// Average advance of a small-text character, in points (DejaVu Sans at egui's small size).
const SMALL_CHAR_PX: f32 = 6.0;

/// `text` broken at spaces into lines of at most `width` characters; a word longer than a line
/// is cut with an ellipsis.
fn wrap_to(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word: String = if word.chars().count() > width {
            let mut cut: String = word.chars().take(width.saturating_sub(1)).collect();
            cut.push('…');
            cut
        } else {
            word.to_owned()
        };
        if line.is_empty() {
            line = word;
        } else if line.chars().count() + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::take(&mut line));
            line = word;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

fn no_labels(_: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>) -> String {
    String::new()
}

fn category_formatter(
    names: Vec<String>,
) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

fn value_formatter(
    format: NumberFormat,
) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, range| {
        let ticks = chart::nice_ticks(*range.start(), *range.end(), 6);
        format.for_ticks(&ticks).format(mark.value)
    }
}

/// A bar filled solid in its series colour, as its legend key shows it (egui_plot's default
/// is a pale tint that neither matches the key nor shows on the dark theme).
fn solid(bar: Bar, color: chart::Rgb) -> Bar {
    let c = theme::color(color);
    bar.fill(c).stroke(egui::Stroke::new(1.0, c))
}

/// Draws `chart` filling the available width at `height` points.
pub fn show(ui: &mut Ui, id: &str, chart: &Chart, height: f32) {
    ui.label(egui::RichText::new(&chart.title).strong());
    show_untitled(ui, id, chart, height);
}

/// [`show`] without the title line: for a slide, whose title is drawn large above it.
pub fn show_untitled(ui: &mut Ui, id: &str, chart: &Chart, height: f32) {
    let format = chart.format;
    match &chart.data {
        ChartData::StackedBar(c) => {
            let mut drawn: Vec<BarChart> = Vec::new();
            for comp in &c.components {
                let bars = comp
                    .values
                    .iter()
                    .enumerate()
                    .map(|(x, v)| {
                        solid(Bar::new(x as f64, *v), comp.color)
                            .name(format!("{}: {}", comp.name, format.format(*v)))
                            .width(0.6)
                    })
                    .collect();
                let refs: Vec<&BarChart> = drawn.iter().collect();
                let chart = BarChart::new(comp.name.clone(), bars)
                    .color(theme::color(comp.color))
                    .element_formatter(Box::new(|bar, _| bar.name.clone()))
                    .stack_on(&refs);
                drawn.push(chart);
            }
            let totals = c.totals();
            let top = totals.iter().copied().fold(0.0_f64, f64::max);
            Plot::new(id)
                // No gridline through the bars: only the value axis has one.
                .show_grid([false, true])
                .height(height)
                .include_y(-top * 0.08)
                .include_y(top * 1.12)
                .x_grid_spacer(category_spacer(c.categories.len()))
                .x_axis_label(c.category_axis.label())
                .y_axis_label(c.value_axis.label())
                .x_axis_formatter(no_labels)
                .y_axis_formatter(value_formatter(format))
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .show(ui, |p| {
                    for b in drawn {
                        p.bar_chart(b);
                    }
                    category_labels(p, &c.categories, 0.0);
                    for (x, total) in totals.iter().enumerate() {
                        p.text(
                            Text::new("", PlotPoint::new(x as f64, *total), format.format(*total))
                                .anchor(egui::Align2::CENTER_BOTTOM),
                        );
                    }
                });
            legend_row(ui, chart);
        }
        ChartData::Tornado(t) => {
            let sorted = t.sorted_bars();
            let n = sorted.len();
            // Largest swing on top: bar i sits at y = n − 1 − i.
            let labels: Vec<String> = sorted.iter().rev().map(|b| b.label.clone()).collect();
            let mk = |pick: fn(&chart::TornadoBar) -> f64, name: &str, color: chart::Rgb| {
                let bars = sorted
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let end = pick(b);
                        solid(Bar::new((n - 1 - i) as f64, end - t.base), color)
                            .base_offset(t.base)
                            .width(0.6)
                            .name(format!("{}: {}", b.label, format.format(end)))
                    })
                    .collect();
                BarChart::new(name.to_owned(), bars)
                    .horizontal()
                    .element_formatter(Box::new(|bar, _| bar.name.clone()))
            };
            let low =
                mk(|b| b.low, &t.low_label, series_color(0)).color(theme::color(series_color(0)));
            let high =
                mk(|b| b.high, &t.high_label, series_color(1)).color(theme::color(series_color(1)));
            Plot::new(id)
                // No gridline through the bars: only the value axis has one.
                .show_grid([true, false])
                .height(height.max(60.0 + 28.0 * n as f32))
                .legend(Legend::default().position(egui_plot::Corner::RightBottom))
                .x_axis_label(t.value_axis.label())
                .y_grid_spacer(category_spacer(n))
                .y_axis_formatter(category_formatter(labels))
                .x_axis_formatter(value_formatter(format))
                .y_axis_min_width(170.0)
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .show(ui, |p| {
                    p.bar_chart(low);
                    p.bar_chart(high);
                    p.vline(
                        VLine::new(format!("Base {}", format.format(t.base)), t.base)
                            .color(Color32::GRAY),
                    );
                });
        }
        ChartData::Line(l) => {
            let x_format = l.x_format;
            // The legend goes under the plot, where it cannot cover a line; markers carry
            // their own labels.
            Plot::new(id)
                .height(height)
                .x_axis_label(l.x_axis.label())
                .y_axis_label(l.y_axis.label())
                .x_axis_formatter(value_formatter(x_format))
                .y_axis_formatter(value_formatter(format))
                .label_formatter(move |pos| Some(hover_text(pos, x_format, format)))
                .show(ui, |p| {
                    for (i, s) in l.series.iter().enumerate() {
                        let pts: PlotPoints = s.points.iter().map(|q| [q.x, q.y]).collect();
                        p.line(
                            Line::new(s.name.clone(), pts)
                                .color(theme::color(series_color(i)))
                                .width(2.0),
                        );
                    }
                    for m in &l.markers {
                        marker(p, m);
                    }
                });
            legend_row(ui, chart);
        }
        ChartData::Fan(f) => {
            let x_format = f.x_format;
            let xs: Vec<f64> = f
                .series
                .first()
                .map(|s| s.points.iter().map(|q| q.x).collect())
                .unwrap_or_default();
            Plot::new(id)
                .height(height)
                .x_grid_spacer(move |_| {
                    xs.iter()
                        .map(|x| egui_plot::GridMark {
                            value: *x,
                            step_size: 1.0,
                        })
                        .collect()
                })
                .x_axis_label(f.x_axis.label())
                .y_axis_label(f.y_axis.label())
                .x_axis_formatter(value_formatter(x_format))
                .y_axis_formatter(value_formatter(format))
                .label_formatter(move |pos| Some(hover_text(pos, x_format, format)))
                .show(ui, |p| {
                    for (i, s) in f.series.iter().enumerate() {
                        let color = theme::color(series_color(i));
                        let xs: Vec<f64> = s.points.iter().map(|q| q.x).collect();
                        let lo: Vec<f64> = s.points.iter().map(|q| q.p10).collect();
                        let hi: Vec<f64> = s.points.iter().map(|q| q.p90).collect();
                        p.add(
                            FilledArea::new(format!("{} P10–P90", s.name), &xs, &lo, &hi)
                                .fill_color(color.gamma_multiply(0.25)),
                        );
                        let mid: PlotPoints = s.points.iter().map(|q| [q.x, q.p50]).collect();
                        p.line(
                            Line::new(format!("{} P50", s.name), mid)
                                .color(color)
                                .width(2.0),
                        );
                    }
                    for m in &f.markers {
                        marker(p, m);
                    }
                });
            legend_row(ui, chart);
        }
        ChartData::Waterfall(w) => {
            let running = w.running();
            let mut labels = vec![w.start_label.clone()];
            labels.extend(w.steps.iter().map(|s| s.label.clone()));
            labels.push(w.end_label.clone());
            let mut bars = vec![
                solid(Bar::new(0.0, w.start), chart::WATERFALL_TOTAL).name(format!(
                    "{}: {}",
                    w.start_label,
                    format.format(w.start)
                )),
            ];
            for (i, (step, (from, _to))) in w.steps.iter().zip(&running).enumerate() {
                let color = if step.delta >= 0.0 {
                    chart::WATERFALL_INCREASE
                } else {
                    chart::WATERFALL_DECREASE
                };
                bars.push(
                    solid(Bar::new((i + 1) as f64, step.delta), color)
                        .base_offset(*from)
                        .name(format!(
                            "{}: {}",
                            step.label,
                            format.format_signed(step.delta)
                        )),
                );
            }
            let end = w.end();
            bars.push(
                solid(
                    Bar::new((w.steps.len() + 1) as f64, end),
                    chart::WATERFALL_TOTAL,
                )
                .name(format!("{}: {}", w.end_label, format.format(end))),
            );
            let chart = BarChart::new("Waterfall", bars)
                .width(0.6)
                .element_formatter(Box::new(|bar, _| bar.name.clone()));
            let top = running
                .iter()
                .map(|(a, b)| a.max(*b))
                .fold(w.start.max(end), f64::max);
            Plot::new(id)
                // No gridline through the bars: only the value axis has one.
                .show_grid([false, true])
                .height(height)
                .include_y(-top * 0.08)
                .x_axis_label("")
                .y_axis_label(w.value_axis.label())
                .x_grid_spacer(category_spacer(w.steps.len() + 2))
                .x_axis_formatter(no_labels)
                .y_axis_formatter(value_formatter(format))
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .show(ui, |p| {
                    p.bar_chart(chart);
                    category_labels(p, &labels, 0.0);
                });
        }
    }
}

/// The hover label: the series' name (when near one) and both coordinates, formatted.
fn hover_text(
    pos: &egui_plot::HoverPosition<'_>,
    x_format: NumberFormat,
    y_format: NumberFormat,
) -> String {
    let (name, p) = match pos {
        egui_plot::HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => (*plot_name, position),
        egui_plot::HoverPosition::Elsewhere { position } => ("", position),
    };
    let head = if name.is_empty() {
        String::new()
    } else {
        format!("{name}\n")
    };
    format!("{head}{}\n{}", x_format.format(p.x), y_format.format(p.y))
}

fn marker(p: &mut egui_plot::PlotUi<'_>, m: &chart::Marker) {
    match m.y {
        Some(y) => {
            p.points(
                Points::new(m.label.clone(), vec![[m.x, y]])
                    .radius(5.0)
                    .shape(egui_plot::MarkerShape::Diamond),
            );
            p.text(
                Text::new(
                    m.label.clone(),
                    PlotPoint::new(m.x, y),
                    format!("  {}", m.label),
                )
                .anchor(egui::Align2::LEFT_BOTTOM),
            );
        }
        None => {
            p.vline(VLine::new(m.label.clone(), m.x).style(egui_plot::LineStyle::dashed_loose()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_to;

    #[test]
    fn names_wrap_to_their_slot() {
        assert_eq!(
            wrap_to("Support on DeepSeek V4 Pro, serverless", 14),
            "Support on\nDeepSeek V4\nPro,\nserverless"
        );
        assert_eq!(wrap_to("Short", 14), "Short");
        assert_eq!(wrap_to("Extraordinarily", 8), "Extraor…");
    }
}
