//! Draws the core's chart data with egui_plot: axis titles with units, legends, hover values
//! and money formatted the way the memo prints it.

use egui::{Color32, Ui};
use egui_plot::{
    Bar, BarChart, FilledArea, GridMark, Line, Plot, PlotPoint, PlotPoints, Points, Text, VLine,
};
use lcpr_core::report::chart::{self, Chart, ChartData, LegendStyle, NumberFormat, series_color};

use lcpr_core::report::export::ImageFormat;

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

/// The chart's legend as a wrapped row of keys under the plot (bar charts have too many
/// components for an overlay that would cover the bars); each key drawn as its series is.
fn legend_row(ui: &mut Ui, chart: &Chart) {
    ui.horizontal_wrapped(|ui| {
        for entry in chart.legend() {
            ui.horizontal(|ui| legend_key(ui, &entry));
            ui.add_space(6.0);
        }
    });
}

/// One legend key and its label, kept together on one line.
fn legend_key(ui: &mut Ui, entry: &chart::LegendEntry) {
    {
        {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 12.0), egui::Sense::hover());
            let c = theme::color(entry.color);
            match entry.style {
                LegendStyle::Bar => {
                    ui.painter().rect_filled(rect, 2.0, c);
                }
                LegendStyle::Band => {
                    ui.painter().rect_filled(
                        rect,
                        2.0,
                        c.gamma_multiply(chart::INNER_BAND_OPACITY),
                    );
                }
                LegendStyle::PaleBand => {
                    ui.painter().rect_filled(
                        rect,
                        2.0,
                        c.gamma_multiply(chart::OUTER_BAND_OPACITY),
                    );
                }
                LegendStyle::Line => {
                    let c = line_color(ui, entry.color);
                    ui.painter().line_segment(
                        [rect.left_center(), rect.right_center()],
                        egui::Stroke::new(2.5, c),
                    );
                }
            }
            ui.label(egui::RichText::new(&entry.label).small());
        }
    }
}

/// A line's colour on the current theme: the median mark is near-black, so on the dark theme
/// it takes the strong text colour instead.
fn line_color(ui: &Ui, rgb: chart::Rgb) -> Color32 {
    if rgb == chart::MEDIAN_MARK {
        ui.visuals().strong_text_color()
    } else {
        theme::color(rgb)
    }
}

/// Grid marks at exactly `values`, so the GUI's ticks are the memo's.
fn fixed_spacer(values: Vec<f64>, step: f64) -> impl Fn(egui_plot::GridInput) -> Vec<GridMark> {
    move |_| {
        values
            .iter()
            .map(|v| GridMark {
                value: *v,
                step_size: step,
            })
            .collect()
    }
}

/// Labels for the marks of [`fixed_spacer`]: each tick's own text, nothing elsewhere.
fn tick_labels(
    labels: Vec<(f64, String)>,
) -> impl Fn(GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        labels
            .iter()
            .find(|(v, _)| (v - mark.value).abs() <= 1e-9 * v.abs().max(1e-9))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// The chart's value ticks with their labels, as the memo draws them.
fn value_axis(chart: &Chart) -> (chart::Ticks, Vec<(f64, String)>) {
    let ticks = chart.value_ticks(5);
    let f = chart.format.for_ticks(&ticks);
    let labels = ticks.values.iter().map(|&v| (v, f.format(v))).collect();
    (ticks, labels)
}

/// Category names under a bar chart, outside the plot (so its value axis can start at zero),
/// each centred on its bar and wrapped to its slot.
fn names_below(ui: &mut Ui, transform: &egui_plot::PlotTransform, names: &[String]) {
    let slot = transform.frame().width() / names.len().max(1) as f32;
    let at: Vec<(f64, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (i as f64, n.clone()))
        .collect();
    labels_below(ui, transform, &at, slot);
}

/// Labels under a plot at x values, centred and wrapped to `width` points each.
fn labels_below(
    ui: &mut Ui,
    transform: &egui_plot::PlotTransform,
    labels: &[(f64, String)],
    width: f32,
) {
    let font = egui::TextStyle::Small.resolve(ui.style());
    let color = ui.visuals().text_color();
    let galleys: Vec<_> = labels
        .iter()
        .map(|(_, n)| {
            let mut job = egui::text::LayoutJob::simple(
                n.clone(),
                font.clone(),
                color,
                (width - 6.0).max(24.0),
            );
            job.halign = egui::Align::Center;
            ui.painter().layout_job(job)
        })
        .collect();
    let h = galleys.iter().map(|g| g.size().y).fold(0.0, f32::max);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), h + 4.0),
        egui::Sense::hover(),
    );
    for ((x, _), g) in labels.iter().zip(galleys) {
        let cx = transform.position_from_point_x(*x);
        ui.painter()
            .galley(egui::pos2(cx, rect.top() + 2.0), g, color);
    }
}

/// Average advance of a small-text character, in points (DejaVu Sans at egui's small size).
const SMALL_CHAR_PX: f32 = 6.0;

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

/// A bar filled solid in its series colour, as its legend key shows it (egui_plot's default
/// is a pale tint that neither matches the key nor shows on the dark theme).
fn solid(bar: Bar, color: chart::Rgb) -> Bar {
    let c = theme::color(color);
    bar.fill(c).stroke(egui::Stroke::new(1.0, c))
}

/// Draws `chart` filling the available width at `height` points, titled, with a menu to
/// save it as PNG or SVG or copy it as an image.
pub fn show(ui: &mut Ui, id: &str, chart: &Chart, height: f32) {
    ui.horizontal(|ui| {
        let title = ui.label(egui::RichText::new(&chart.title).strong());
        // The terms of the title, axes and legend, explained on hover.
        let terms = lcpr_core::report::glossary::used_in(&chart.words());
        if !terms.is_empty() {
            let text: Vec<String> = terms.iter().map(|t| t.text()).collect();
            title.on_hover_text(text.join("\n\n"));
        }
        export_menu(ui, chart);
    });
    show_untitled(ui, id, chart, height);
}

/// A chart the user asked to save: the app asks where and writes it.
#[derive(Clone)]
pub struct ExportRequest {
    /// The chart, as drawn.
    pub chart: Chart,
    /// PNG or SVG.
    pub format: ImageFormat,
}

fn request_id() -> egui::Id {
    egui::Id::unique("lcpr-chart-export-request")
}

/// The chart export asked for this frame, if any (taken: asked once).
pub fn take_export_request(ctx: &egui::Context) -> Option<ExportRequest> {
    ctx.data_mut(|d| {
        let req = d.get_temp::<ExportRequest>(request_id());
        d.remove::<ExportRequest>(request_id());
        req
    })
}

/// "Export chart…": save as PNG, save as SVG, copy as image. Copying needs no dialog; the
/// other two leave a request for the app, which owns the file dialogs.
pub fn export_menu(ui: &mut Ui, chart: &Chart) {
    ui.menu_button("Export chart…", |ui| {
        for (label, format) in [
            ("Save as PNG…", ImageFormat::Png),
            ("Save as SVG…", ImageFormat::Svg),
        ] {
            if ui.button(label).clicked() {
                let req = ExportRequest {
                    chart: chart.clone(),
                    format,
                };
                ui.ctx().data_mut(|d| d.insert_temp(request_id(), req));
                ui.close();
            }
        }
        if ui.button("Copy chart").clicked() {
            match lcpr_core::report::export::chart_pixels(chart) {
                Ok(px) => ui
                    .ctx()
                    .copy_image(egui::ColorImage::from_rgba_unmultiplied(
                        [px.width as usize, px.height as usize],
                        &px.rgba,
                    )),
                Err(e) => {
                    ui.ctx()
                        .copy_text(format!("The chart could not be copied: {e}"));
                }
            }
            ui.close();
        }
    });
}

/// A report chart's plot: fixed axes (the memo's ticks), no pan or zoom.
fn still(id: String, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        // The ticks are the memo's few: show their labels at full strength (egui_plot fades
        // labels of lines closer than its default 300 px).
        .grid_spacing(egui::Rangef::new(6.0, 24.0))
}

/// [`show`] without the title line: for a slide, whose title is drawn large above it.
pub fn show_untitled(ui: &mut Ui, id: &str, chart: &Chart, height: f32) {
    let format = chart.format;
    let (vt, vlabels) = value_axis(chart);
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
            let n = c.categories.len();
            let r = still(id.to_owned(), height)
                // No gridline through the bars: only the value axis has one.
                .show_grid([false, true])
                .default_x_bounds(-0.5, n as f64 - 0.5)
                .default_y_bounds(vt.first(), vt.last())
                .y_grid_spacer(fixed_spacer(vt.values.clone(), vt.step))
                .x_grid_spacer(category_spacer(n))
                .y_axis_label(c.value_axis.label())
                .x_axis_formatter(|_, _| String::new())
                .y_axis_formatter(tick_labels(vlabels))
                .show(ui, |p| {
                    for b in drawn {
                        p.bar_chart(b);
                    }
                    for (x, total) in totals.iter().enumerate() {
                        p.text(
                            Text::new("", PlotPoint::new(x as f64, *total), format.format(*total))
                                .anchor(egui::Align2::CENTER_BOTTOM),
                        );
                    }
                });
            names_below(ui, &r.transform, &c.categories);
            if !c.category_axis.title.is_empty() {
                ui.vertical_centered(|ui| {
                    ui.label(egui::RichText::new(c.category_axis.label()).small().weak());
                });
            }
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
            let base = t.base;
            let base_label = format!("Base {}", format.format(base));
            // A horizontal value axis: as many ticks as their labels have room for.
            let vt = chart.value_ticks(across_ticks(ui, sorted.iter().map(|b| b.label.as_str())));
            let f = format.for_ticks(&vt);
            let vlabels: Vec<(f64, String)> = vt.values.iter().map(|&v| (v, f.format(v))).collect();
            still(id.to_owned(), height.max(60.0 + 28.0 * n as f32))
                // No gridline through the bars: only the value axis has one.
                .show_grid([true, false])
                .x_axis_label(t.value_axis.label())
                .default_x_bounds(vt.first(), vt.last())
                .default_y_bounds(-0.5, n as f64 + 0.2)
                .x_grid_spacer(fixed_spacer(vt.values.clone(), vt.step))
                .x_axis_formatter(tick_labels(vlabels))
                .y_grid_spacer(category_spacer(n))
                .y_axis_formatter(category_formatter(labels))
                .y_axis_min_width(170.0)
                .show(ui, |p| {
                    p.bar_chart(low);
                    p.bar_chart(high);
                    p.vline(VLine::new(base_label.clone(), base).color(Color32::GRAY));
                    // The base line's label above the top bar, off the bars.
                    p.text(
                        Text::new(
                            "",
                            PlotPoint::new(base, n as f64 - 0.45),
                            egui::RichText::new(base_label).small(),
                        )
                        .anchor(egui::Align2::CENTER_BOTTOM),
                    );
                });
            legend_row(ui, chart);
        }
        ChartData::Range(rc) => {
            let n = rc.bars.len();
            let (lo, hi) = chart.value_range();
            // Names sit above their bars, so the axis has the full width: a tick per 100 points
            // (egui_plot drops x labels closer than 60).
            let target = ((ui.available_width() - 60.0) / 100.0).clamp(2.0, 6.0) as usize;
            let ticks = chart::nice_ticks(lo, hi, target);
            let ticks = if lo >= 0.0 && ticks.first() < 0.0 {
                chart::nice_ticks(0.0, ticks.last(), target)
            } else {
                ticks
            };
            let f = format.for_ticks(&ticks);
            let xl: Vec<(f64, String)> = ticks.values.iter().map(|&v| (v, f.format(v))).collect();
            // First bar on top: bar i sits at y = n − 1 − i.
            let median = ui.visuals().strong_text_color();
            let x_lo = ticks.first();
            // Room right of the last tick for the median's value beside the longest bar.
            let room = (ticks.last() - ticks.first()) * 0.16;
            still(id.to_owned(), height.max(60.0 + 30.0 * n as f32))
                .show_grid([true, false])
                .x_axis_label(rc.value_axis.label())
                .default_x_bounds(ticks.first(), ticks.last() + room)
                .default_y_bounds(-0.5, n as f64 - 0.1)
                .show_axes([true, false])
                .x_grid_spacer(fixed_spacer(ticks.values.clone(), ticks.step))
                .x_axis_formatter(tick_labels(xl))
                .show(ui, |p| {
                    for (i, b) in rc.bars.iter().enumerate() {
                        let y = (n - 1 - i) as f64;
                        p.text(
                            Text::new(
                                "",
                                PlotPoint::new(x_lo, y + 0.22),
                                egui::RichText::new(format!(" {}", b.label)).small(),
                            )
                            .anchor(egui::Align2::LEFT_BOTTOM),
                        );
                        let bar = solid(Bar::new(y, b.p90 - b.p10), b.color)
                            .base_offset(b.p10)
                            .width(0.36)
                            .name(format!(
                                "{}: P10 {}, median {}, P90 {}",
                                b.label,
                                format.format(b.p10),
                                format.format(b.p50),
                                format.format(b.p90)
                            ));
                        p.bar_chart(
                            BarChart::new(b.label.clone(), vec![bar])
                                .horizontal()
                                .color(theme::color(b.color))
                                .element_formatter(Box::new(|bar, _| bar.name.clone())),
                        );
                        p.line(
                            Line::new(
                                format!("{} median", b.label),
                                PlotPoints::from(vec![[b.p50, y - 0.24], [b.p50, y + 0.24]]),
                            )
                            .color(median)
                            .width(3.0),
                        );
                        p.text(
                            Text::new(
                                "",
                                PlotPoint::new(b.p90, y),
                                egui::RichText::new(format!("  {}", format.format(b.p50))).small(),
                            )
                            .anchor(egui::Align2::LEFT_CENTER),
                        );
                    }
                });
            legend_row(ui, chart);
        }
        ChartData::Line(l) => {
            let x_format = l.x_format;
            let xl = chart.x_tick_labels(6);
            let (x_lo, x_hi) = x_bounds(chart, &xl, false);
            let xs: Vec<f64> = xl.iter().map(|(v, _)| *v).collect();
            let x_step = step_of(&xs);
            let lines: Vec<(String, Vec<[f64; 2]>, Color32)> = l
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (
                        s.name.clone(),
                        s.points.iter().map(|q| [q.x, q.y]).collect(),
                        theme::color(series_color(i)),
                    )
                })
                .collect();
            // The legend goes under the plot, where it cannot cover a line; markers carry
            // their own labels, placed off the lines.
            still(id.to_owned(), height)
                .x_axis_label(l.x_axis.label())
                .y_axis_label(l.y_axis.label())
                .default_x_bounds(x_lo, x_hi)
                .default_y_bounds(vt.first(), vt.last())
                .x_grid_spacer(fixed_spacer(xs, x_step))
                .y_grid_spacer(fixed_spacer(vt.values.clone(), vt.step))
                .x_axis_formatter(tick_labels(xl))
                .y_axis_formatter(tick_labels(vlabels))
                .label_formatter(move |pos| Some(hover_text(pos, x_format, format)))
                .show(ui, |p| {
                    for (name, pts, color) in &lines {
                        p.line(
                            Line::new(name.clone(), PlotPoints::from(pts.clone()))
                                .color(*color)
                                .width(2.0),
                        );
                    }
                    let series: Vec<Vec<[f64; 2]>> =
                        lines.iter().map(|(_, pts, _)| pts.clone()).collect();
                    markers(p, &l.markers, &series);
                });
            legend_row(ui, chart);
        }
        ChartData::Fan(f) => {
            let x_format = f.x_format;
            let named = !f.x_ticks.is_empty();
            let n = f.series.len().max(1);
            let xl = chart.x_tick_labels(4);
            let (x_lo, x_hi) = x_bounds(chart, &xl, named);
            let xs: Vec<f64> = xl.iter().map(|(v, _)| *v).collect();
            let x_step = step_of(&xs);
            // Named ticks that do not fit a panel keep their last word ("Month 2" → "2"); the
            // axis title says what they count.
            let panel_w = ui.available_width() / n as f32;
            let longest = xl.iter().map(|(_, l)| l.chars().count()).max().unwrap_or(0);
            let short = (longest as f32 * SMALL_CHAR_PX + 12.0) * xl.len() as f32 > panel_w - 60.0;
            let xl: Vec<(f64, String)> = if short {
                xl.iter()
                    .map(|(v, l)| (*v, l.rsplit(' ').next().unwrap_or(l).to_owned()))
                    .collect()
            } else {
                xl
            };
            let group = egui::Id::unique(format!("{id}-fan-panels"));
            // Equal panels: the first is wider by the value axis it alone carries.
            let gap = ui.spacing().item_spacing.x;
            let panel =
                ((ui.available_width() - AXIS_W - gap * (n as f32 - 1.0)) / n as f32).max(40.0);
            ui.horizontal_top(|ui| {
                for (i, s) in f.series.iter().enumerate() {
                    let w = if i == 0 { panel + AXIS_W } else { panel };
                    ui.allocate_ui_with_layout(
                        egui::vec2(w, height + 80.0),
                        egui::Layout::top_down(egui::Align::Min),
                        |ui| {
                            ui.set_width(w);
                            let color = theme::color(series_color(i));
                            if n > 1 {
                                // Every panel's title gets two lines, so the plots line up.
                                let w = ui.available_width();
                                ui.allocate_ui(egui::vec2(w, 34.0), |ui| {
                                    ui.set_min_height(34.0);
                                    ui.vertical_centered(|ui| {
                                        ui.label(
                                            egui::RichText::new(&s.name).color(color).strong(),
                                        );
                                    });
                                });
                            }
                            let pxs: Vec<f64> = s.points.iter().map(|q| q.x).collect();
                            let col = |pick: fn(&chart::FanPoint) -> f64| -> Vec<f64> {
                                s.points.iter().map(pick).collect()
                            };
                            let (p10, p25, p75, p90) = (
                                col(|q| q.p10),
                                col(|q| q.p25),
                                col(|q| q.p75),
                                col(|q| q.p90),
                            );
                            let mid: Vec<[f64; 2]> =
                                s.points.iter().map(|q| [q.x, q.p50]).collect();
                            // Month names go under each panel (egui_plot drops them from narrow axes).
                            let r = still(format!("{id}-{i}"), height)
                                .link_axis(group, [false, true])
                                .show_axes([false, i == 0])
                                .width(w)
                                .y_axis_min_width(AXIS_W - 8.0)
                                .y_axis_label(if i == 0 {
                                    f.y_axis.label()
                                } else {
                                    String::new()
                                })
                                .default_x_bounds(x_lo, x_hi)
                                .default_y_bounds(vt.first(), vt.last())
                                .x_grid_spacer(fixed_spacer(xs.clone(), x_step))
                                .y_grid_spacer(fixed_spacer(vt.values.clone(), vt.step))
                                .x_axis_formatter(tick_labels(xl.clone()))
                                .y_axis_formatter(tick_labels(vlabels.clone()))
                                .label_formatter(move |pos| Some(hover_text(pos, x_format, format)))
                                .show(ui, |p| {
                                    p.add(
                                        FilledArea::new(
                                            format!("{} P10–P90", s.name),
                                            &pxs,
                                            &p10,
                                            &p90,
                                        )
                                        .fill_color(
                                            color.gamma_multiply(chart::OUTER_BAND_OPACITY),
                                        ),
                                    );
                                    p.add(
                                        FilledArea::new(
                                            format!("{} P25–P75", s.name),
                                            &pxs,
                                            &p25,
                                            &p75,
                                        )
                                        .fill_color(
                                            color.gamma_multiply(chart::INNER_BAND_OPACITY),
                                        ),
                                    );
                                    p.line(
                                        Line::new(
                                            format!("{} median", s.name),
                                            PlotPoints::from(mid.clone()),
                                        )
                                        .color(color)
                                        .width(2.5),
                                    );
                                    markers(p, &f.markers, &[mid]);
                                });
                            let slot = r.transform.frame().width() / xl.len().max(1) as f32;
                            labels_below(ui, &r.transform, &xl, slot);
                        },
                    );
                }
            });
            if !f.x_axis.title.is_empty() {
                ui.vertical_centered(|ui| {
                    ui.label(egui::RichText::new(f.x_axis.label()).small().weak());
                });
            }
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
            // Each bar's value label: above an increase or a total, under a decrease (its top
            // is where the connector from the bar before arrives).
            let mut values = vec![(0.0, w.start, format.format(w.start), true)];
            for (i, (step, (from, to))) in w.steps.iter().zip(&running).enumerate() {
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
                let up = step.delta >= 0.0;
                values.push(((i + 1) as f64, *to, format.format_signed(step.delta), up));
            }
            let end = w.end();
            let last = (w.steps.len() + 1) as f64;
            bars.push(
                solid(Bar::new(last, end), chart::WATERFALL_TOTAL).name(format!(
                    "{}: {}",
                    w.end_label,
                    format.format(end)
                )),
            );
            values.push((last, end, format.format(end), true));
            let levels: Vec<f64> = std::iter::once(w.start)
                .chain(running.iter().map(|(_, after)| *after))
                .collect();
            let wf = BarChart::new("Waterfall", bars)
                .width(0.6)
                .element_formatter(Box::new(|bar, _| bar.name.clone()));
            let n = w.steps.len() + 2;
            let r = still(id.to_owned(), height)
                // No gridline through the bars: only the value axis has one.
                .show_grid([false, true])
                .y_axis_label(w.value_axis.label())
                .default_x_bounds(-0.5, n as f64 - 0.5)
                .default_y_bounds(vt.first(), vt.last())
                .x_grid_spacer(category_spacer(n))
                .y_grid_spacer(fixed_spacer(vt.values.clone(), vt.step))
                .x_axis_formatter(|_, _| String::new())
                .y_axis_formatter(tick_labels(vlabels))
                .show(ui, |p| {
                    p.bar_chart(wf);
                    // Dashed connectors from each bar's level to the next bar.
                    for (i, level) in levels.iter().enumerate() {
                        p.line(
                            Line::new(
                                "",
                                PlotPoints::from(vec![
                                    [i as f64 + 0.3, *level],
                                    [i as f64 + 0.7, *level],
                                ]),
                            )
                            .color(Color32::GRAY)
                            .style(egui_plot::LineStyle::dashed_dense())
                            .allow_hover(false),
                        );
                    }
                    for (x, y, text, above) in &values {
                        p.text(
                            Text::new(
                                "",
                                PlotPoint::new(*x, *y),
                                egui::RichText::new(text.clone()).small(),
                            )
                            .anchor(if *above {
                                egui::Align2::CENTER_BOTTOM
                            } else {
                                egui::Align2::CENTER_TOP
                            }),
                        );
                    }
                });
            names_below(ui, &r.transform, &labels);
            legend_row(ui, chart);
        }
    }
}

/// Width of a fan's value axis (its labels and title), points.
const AXIS_W: f32 = 78.0;

/// Ticks for a horizontal value axis beside a column of names: about one per 80 points of
/// plot, so egui_plot never hides a label for want of room.
fn across_ticks<'a>(ui: &Ui, names: impl Iterator<Item = &'a str>) -> usize {
    let longest = names.map(|n| n.chars().count()).max().unwrap_or(0) as f32;
    let names_w = (longest * 7.0 + 20.0).max(170.0);
    ((ui.available_width() - names_w) / 80.0).clamp(2.0, 6.0) as usize
}

/// Smallest distance between neighbouring ticks (1 for fewer than two).
fn step_of(xs: &[f64]) -> f64 {
    let s = xs
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    if s.is_finite() && s > 0.0 { s } else { 1.0 }
}

/// The x bounds of a line or fan chart: its ticks' span, padded by less than a step around
/// named ticks so their labels sit inside.
fn x_bounds(chart: &Chart, ticks: &[(f64, String)], named: bool) -> (f64, f64) {
    let (lo, hi) = chart.x_range().unwrap_or((0.0, 1.0));
    let xs: Vec<f64> = ticks.iter().map(|(v, _)| *v).collect();
    let (first, last) = (
        xs.first().copied().unwrap_or(lo),
        xs.last().copied().unwrap_or(hi),
    );
    let (lo, hi) = if named {
        let pad = step_of(&xs) * 0.4;
        (lo.min(first) - pad, hi.max(last) + pad)
    } else {
        (lo.min(first), hi.max(last))
    };
    if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
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

/// Each marker's dashed guide (and its point), with its label in the spot the memo's rule
/// picks: beside the guide, clear of the lines, the other guides and the labels before it.
fn markers(p: &mut egui_plot::PlotUi<'_>, markers: &[chart::Marker], series: &[Vec<[f64; 2]>]) {
    let t = *p.transform();
    let frame = *t.frame();
    let to_screen = |x: f64, y: f64| {
        let q = t.position_from_point(&PlotPoint::new(x, y));
        (q.x, q.y)
    };
    let lines: Vec<Vec<(f32, f32)>> = series
        .iter()
        .map(|s| s.iter().map(|[x, y]| to_screen(*x, *y)).collect())
        .collect();
    let guides: Vec<f32> = markers
        .iter()
        .map(|m| t.position_from_point_x(m.x))
        .collect();
    let mut placed = Vec::new();
    for (m, gx) in markers.iter().zip(&guides) {
        p.vline(
            VLine::new(m.label.clone(), m.x)
                .color(Color32::GRAY)
                .style(egui_plot::LineStyle::dashed_loose()),
        );
        if let Some(y) = m.y {
            p.points(
                Points::new(m.label.clone(), vec![[m.x, y]])
                    .radius(5.0)
                    .shape(egui_plot::MarkerShape::Diamond),
            );
        }
        let size = (m.label.chars().count() as f32 * SMALL_CHAR_PX + 6.0, 16.0);
        let spot = chart::label_spot(
            chart::Bounds {
                x: frame.left(),
                y: frame.top(),
                w: frame.width(),
                h: frame.height(),
            },
            *gx,
            size,
            &lines,
            &guides,
            &placed,
            m.y.map(|y| to_screen(m.x, y)),
        );
        placed.push(spot);
        let at = t.value_from_position(egui::pos2(spot.x + 3.0, spot.y + 1.0));
        p.text(
            Text::new("", at, egui::RichText::new(m.label.clone()).small())
                .anchor(egui::Align2::LEFT_TOP),
        );
    }
}
