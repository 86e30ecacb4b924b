//! Charts as vector drawing: title, legend, axes with ticks and gridlines, then the data, fitted
//! into a box on the page.
//!
//! Everything is measured before it is placed: tick labels decide how far the plot starts from
//! the left edge, category labels wrap to their slot (two lines at most, then `…`), and value
//! labels that would not fit their bar are left out rather than drawn over a neighbour. Bar
//! charts get a little headroom above the tallest bar for its label.

use crate::report::chart::{
    Chart, ChartData, FanChart, INNER_BAND_OPACITY, LegendStyle, LineChart, MEDIAN_MARK, Marker,
    NumberFormat, OUTER_BAND_OPACITY, RangeChart, StackedBarChart, Ticks, TornadoChart,
    WATERFALL_DECREASE, WATERFALL_INCREASE, WATERFALL_TOTAL, WaterfallChart, nice_ticks,
    series_color,
};
use crate::report::draw::{HAIRLINE, INK, MUTED, Op, RULE, Rect};
use crate::report::fonts::{FontStyle, Fonts};
use crate::report::text::{ellipsize, wrap_plain};

const TITLE_SIZE: f32 = 10.5;
const LEGEND_SIZE: f32 = 8.0;
const AXIS_TITLE_SIZE: f32 = 8.0;
const TICK_SIZE: f32 = 7.5;
const VALUE_SIZE: f32 = 7.0;
/// Line pitch of tick and category labels.
const LABEL_PITCH: f32 = 9.0;
const WHITE: crate::report::chart::Rgb = crate::report::chart::Rgb::new(255, 255, 255);

/// The height a chart wants at `width`: tornados grow with their bar count, other charts keep
/// a landscape shape.
pub(crate) fn chart_height(chart: &Chart, width: f32) -> f32 {
    let legend_rows = (chart.legend().len() as f32 / 4.0).ceil();
    let extra = (legend_rows - 1.0).max(0.0) * 11.0;
    match &chart.data {
        ChartData::Tornado(t) => (96.0 + 22.0 * t.bars.len() as f32).clamp(170.0, 460.0) + extra,
        ChartData::Range(r) => (96.0 + 24.0 * r.bars.len() as f32).clamp(150.0, 460.0) + extra,
        _ => (width * 0.56).clamp(200.0, 320.0) + extra,
    }
}

/// Draws `chart` into `area`.
pub(crate) fn draw_chart(fonts: &Fonts, chart: &Chart, area: Rect) -> Vec<Op> {
    let mut canvas = Canvas {
        fonts,
        ops: Vec::new(),
    };
    let top = canvas.header(chart, area);
    let body = Rect {
        x: area.x,
        y: top,
        w: area.w,
        h: (area.bottom() - top).max(40.0),
    };
    match &chart.data {
        ChartData::StackedBar(c) => stacked(&mut canvas, chart, c, body),
        ChartData::Tornado(c) => tornado(&mut canvas, chart.format, c, body),
        ChartData::Line(c) => line(&mut canvas, chart, c, body),
        ChartData::Fan(c) => fan(&mut canvas, chart, c, body),
        ChartData::Waterfall(c) => waterfall(&mut canvas, chart, c, body),
        ChartData::Range(c) => range_bars(&mut canvas, chart.format, c, body),
    }
    canvas.ops
}

struct Canvas<'a> {
    fonts: &'a Fonts,
    ops: Vec<Op>,
}

/// Linear map from data values to page coordinates.
#[derive(Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    start: f32,
    end: f32,
}

impl Scale {
    fn at(&self, v: f64) -> f32 {
        let span = self.hi - self.lo;
        if span.abs() < f64::MIN_POSITIVE {
            return self.start;
        }
        self.start + ((v - self.lo) / span) as f32 * (self.end - self.start)
    }
}

impl Canvas<'_> {
    fn width(&self, text: &str, style: FontStyle, size: f32) -> f32 {
        self.fonts.width(text, style, size)
    }

    fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        style: FontStyle,
        color: crate::report::chart::Rgb,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::Text {
            x,
            y,
            size,
            style,
            color,
            text: text.to_owned(),
        });
    }

    fn text_centered(
        &mut self,
        cx: f32,
        y: f32,
        size: f32,
        color: crate::report::chart::Rgb,
        text: &str,
    ) {
        let w = self.width(text, FontStyle::Regular, size);
        self.text(cx - w / 2.0, y, size, FontStyle::Regular, color, text);
    }

    fn text_right(
        &mut self,
        right: f32,
        y: f32,
        size: f32,
        color: crate::report::chart::Rgb,
        text: &str,
    ) {
        let w = self.width(text, FontStyle::Regular, size);
        self.text(right - w, y, size, FontStyle::Regular, color, text);
    }

    /// Baseline that centres text of `size` vertically on `y`.
    fn middle(y: f32, size: f32) -> f32 {
        y + size * 0.36
    }

    /// Title and legend; returns the y where the plot region starts.
    fn header(&mut self, chart: &Chart, area: Rect) -> f32 {
        let mut y = area.y;
        let ascent = self.fonts.ascent();
        for line in wrap_plain(
            self.fonts,
            &chart.title,
            FontStyle::Bold,
            TITLE_SIZE,
            area.w,
        )
        .iter()
        .filter(|l| !l.is_empty())
        {
            self.text(
                area.x,
                y + ascent * TITLE_SIZE,
                TITLE_SIZE,
                FontStyle::Bold,
                INK,
                line,
            );
            y += TITLE_SIZE * 1.3;
        }
        y += 3.0;
        let entries = chart.legend();
        if entries.is_empty() {
            return y;
        }
        let key = 12.0;
        let mut x = area.x;
        let row = 11.0;
        for entry in &entries {
            let label = ellipsize(
                self.fonts,
                &entry.label,
                FontStyle::Regular,
                LEGEND_SIZE,
                area.w - key - 4.0,
            );
            let w = key + 4.0 + self.width(&label, FontStyle::Regular, LEGEND_SIZE);
            if x > area.x && x + w > area.right() {
                x = area.x;
                y += row;
            }
            let mid = y + row / 2.0;
            match entry.style {
                LegendStyle::Bar => self.ops.push(Op::fill(
                    Rect {
                        x,
                        y: mid - 4.0,
                        w: 8.0,
                        h: 8.0,
                    },
                    entry.color,
                )),
                LegendStyle::Band | LegendStyle::PaleBand => self.ops.push(Op::Rect {
                    rect: Rect {
                        x,
                        y: mid - 4.0,
                        w: key,
                        h: 8.0,
                    },
                    fill: entry.color,
                    opacity: if entry.style == LegendStyle::Band {
                        INNER_BAND_OPACITY
                    } else {
                        OUTER_BAND_OPACITY
                    },
                }),
                LegendStyle::Line => {
                    self.ops.push(Op::segment(
                        (x, mid),
                        (x + key, mid),
                        1.8,
                        entry.color,
                        None,
                    ));
                }
            }
            self.text(
                x + key + 4.0,
                Self::middle(mid, LEGEND_SIZE),
                LEGEND_SIZE,
                FontStyle::Regular,
                MUTED,
                &label,
            );
            x += w + 14.0;
        }
        y + row + 6.0
    }

    /// A vertical value axis: the axis title above the plot, gridlines and right-aligned tick
    /// labels. `body` is the region below the header; `bottom` is the space kept under the plot
    /// and `right_pad` the space kept right of it. Returns the plot box and the value scale.
    fn value_axis(
        &mut self,
        body: Rect,
        ticks_for: &dyn Fn(usize) -> Ticks,
        format: NumberFormat,
        title: &str,
        bottom: f32,
        right_pad: f32,
    ) -> (Rect, Scale) {
        let mut top = body.y;
        if !title.is_empty() {
            let ascent = self.fonts.ascent();
            self.text(
                body.x,
                top + ascent * AXIS_TITLE_SIZE,
                AXIS_TITLE_SIZE,
                FontStyle::Regular,
                MUTED,
                title,
            );
            top += AXIS_TITLE_SIZE * 1.3 + 5.0;
        } else {
            top += 5.0;
        }
        let plot_bottom = (body.bottom() - bottom).max(top + 20.0);
        let ticks = ticks_for(((plot_bottom - top) / 28.0).clamp(3.0, 8.0) as usize);
        let tick_format = format.for_ticks(&ticks);
        let labels: Vec<String> = ticks
            .values
            .iter()
            .map(|&v| tick_format.format(v))
            .collect();
        let label_w = labels
            .iter()
            .map(|l| self.width(l, FontStyle::Regular, TICK_SIZE))
            .fold(0.0, f32::max);
        let plot = Rect {
            x: body.x + label_w + 6.0,
            y: top,
            w: (body.w - label_w - 6.0 - right_pad).max(20.0),
            h: plot_bottom - top,
        };
        let scale = Scale {
            lo: ticks.first(),
            hi: ticks.last(),
            start: plot.bottom(),
            end: plot.y,
        };
        for (v, label) in ticks.values.iter().zip(&labels) {
            let y = scale.at(*v);
            let (color, width) = if *v == 0.0 {
                (RULE, 0.8)
            } else {
                (HAIRLINE, 0.5)
            };
            self.ops.push(Op::segment(
                (plot.x, y),
                (plot.right(), y),
                width,
                color,
                None,
            ));
            self.text_right(
                plot.x - 4.0,
                Self::middle(y, TICK_SIZE),
                TICK_SIZE,
                MUTED,
                label,
            );
        }
        self.ops.push(Op::segment(
            (plot.x, plot.y),
            (plot.x, plot.bottom()),
            0.8,
            RULE,
            None,
        ));
        (plot, scale)
    }

    /// Category labels under evenly spaced slots, and the axis title under them.
    fn categories(&mut self, plot: Rect, labels: &[&str], title: &str) {
        let n = labels.len().max(1) as f32;
        let slot = plot.w / n;
        let ascent = self.fonts.ascent();
        self.ops.push(Op::segment(
            (plot.x, plot.bottom()),
            (plot.right(), plot.bottom()),
            0.8,
            RULE,
            None,
        ));
        for (i, label) in labels.iter().enumerate() {
            let cx = plot.x + slot * (i as f32 + 0.5);
            let lines = self.two_lines(label, slot - 4.0);
            for (k, line) in lines.iter().enumerate() {
                let y = plot.bottom() + 4.0 + ascent * TICK_SIZE + LABEL_PITCH * k as f32;
                self.text_centered(cx, y, TICK_SIZE, INK, line);
            }
        }
        self.axis_title_below(plot, 2.0 * LABEL_PITCH + 4.0, title);
    }

    /// `label` wrapped to `width`, at most two lines, the second shortened with `…`.
    fn two_lines(&self, label: &str, width: f32) -> Vec<String> {
        let width = width.max(8.0);
        let mut lines = wrap_plain(self.fonts, label, FontStyle::Regular, TICK_SIZE, width);
        if lines.len() > 2 {
            let rest = lines.split_off(1).join(" ");
            lines.push(ellipsize(
                self.fonts,
                &rest,
                FontStyle::Regular,
                TICK_SIZE,
                width,
            ));
        }
        lines
    }

    fn axis_title_below(&mut self, plot: Rect, offset: f32, title: &str) {
        if title.is_empty() {
            return;
        }
        let ascent = self.fonts.ascent();
        let title = ellipsize(
            self.fonts,
            title,
            FontStyle::Regular,
            AXIS_TITLE_SIZE,
            plot.w,
        );
        let y = plot.bottom() + offset + 4.0 + ascent * AXIS_TITLE_SIZE;
        self.text_centered(plot.x + plot.w / 2.0, y, AXIS_TITLE_SIZE, MUTED, &title);
    }

    /// Numeric x ticks (each with its label), vertical gridlines and the axis title; the
    /// scale runs from `lo` to `hi`.
    fn x_axis(
        &mut self,
        plot: Rect,
        (lo, hi): (f64, f64),
        ticks: &[(f64, String)],
        title: &str,
    ) -> Scale {
        let scale = Scale {
            lo,
            hi,
            start: plot.x,
            end: plot.right(),
        };
        let ascent = self.fonts.ascent();
        for (v, label) in ticks {
            let x = scale.at(*v);
            self.ops.push(Op::segment(
                (x, plot.y),
                (x, plot.bottom()),
                0.5,
                HAIRLINE,
                None,
            ));
            let y = plot.bottom() + 4.0 + ascent * TICK_SIZE;
            self.text_centered(x, y, TICK_SIZE, MUTED, label);
        }
        self.ops.push(Op::segment(
            (plot.x, plot.bottom()),
            (plot.right(), plot.bottom()),
            0.8,
            RULE,
            None,
        ));
        self.axis_title_below(plot, LABEL_PITCH + 2.0, title);
        scale
    }

    /// Width needed right of a numeric x axis for half of its last tick label.
    fn x_label_overhang(&self, ticks: &[(f64, String)]) -> f32 {
        let last = ticks.last().map_or("", |(_, l)| l.as_str());
        (self.width(last, FontStyle::Regular, TICK_SIZE) / 2.0 + 2.0).max(8.0)
    }

    /// A value label centred above `y` when it fits `max_width`, shrunk a little if needed,
    /// left out otherwise.
    fn value_label(&mut self, cx: f32, y: f32, max_width: f32, text: &str) {
        let mut size = VALUE_SIZE;
        while size > 5.5 && self.width(text, FontStyle::Regular, size) > max_width {
            size -= 0.5;
        }
        if self.width(text, FontStyle::Regular, size) <= max_width {
            self.text_centered(cx, y - 3.0, size, INK, text);
        }
    }

    /// Each marker's dashed guide (and its point), labelled in a spot clear of the data
    /// lines, the other guides and the labels placed before it.
    fn markers(
        &mut self,
        plot: Rect,
        x: Scale,
        y: Scale,
        markers: &[Marker],
        lines: &[Vec<(f32, f32)>],
    ) {
        let guides: Vec<f32> = markers.iter().map(|m| x.at(m.x)).collect();
        let mut placed: Vec<crate::report::chart::Bounds> = Vec::new();
        for (m, &mx) in markers.iter().zip(&guides) {
            self.ops.push(Op::segment(
                (mx, plot.y),
                (mx, plot.bottom()),
                0.8,
                MUTED,
                Some(3.0),
            ));
            if let Some(my) = m.y {
                let my = y.at(my);
                self.ops.push(Op::Polygon {
                    points: vec![
                        (mx, my - 4.0),
                        (mx + 4.0, my),
                        (mx, my + 4.0),
                        (mx - 4.0, my),
                    ],
                    fill: INK,
                    opacity: 1.0,
                });
            }
        }
        for (m, &mx) in markers.iter().zip(&guides) {
            let w = self.width(&m.label, FontStyle::Regular, TICK_SIZE) + 2.0;
            let h = LABEL_PITCH;
            let spot = crate::report::chart::label_spot(
                crate::report::chart::Bounds {
                    x: plot.x,
                    y: plot.y,
                    w: plot.w,
                    h: plot.h,
                },
                mx,
                (w, h),
                lines,
                &guides,
                &placed,
                m.y.map(|v| (mx, y.at(v))),
            );
            let r = Rect {
                x: spot.x,
                y: spot.y,
                w,
                h,
            };
            self.ops.push(Op::fill(r, WHITE));
            self.text(
                r.x + 1.0,
                Self::middle(r.y + h / 2.0, TICK_SIZE),
                TICK_SIZE,
                FontStyle::Regular,
                INK,
                &m.label,
            );
            placed.push(spot);
        }
    }
}

/// About one x tick per 55 points.
fn x_tick_target(width: f32) -> usize {
    (width / 55.0).clamp(2.0, 9.0) as usize
}

/// A filled box between two x and two y coordinates, in any order.
fn bar(x0: f32, x1: f32, y0: f32, y1: f32, fill: crate::report::chart::Rgb) -> Op {
    Op::fill(
        Rect {
            x: x0.min(x1),
            y: y0.min(y1),
            w: (x1 - x0).abs(),
            h: (y1 - y0).abs(),
        },
        fill,
    )
}

fn category_reserve(title: &str) -> f32 {
    4.0 + 2.0 * LABEL_PITCH + if title.is_empty() { 2.0 } else { 14.0 }
}

fn stacked(canvas: &mut Canvas<'_>, chart: &Chart, c: &StackedBarChart, body: Rect) {
    let (plot, scale) = canvas.value_axis(
        body,
        &|n| chart.value_ticks(n),
        chart.format,
        &c.value_axis.label(),
        category_reserve(&c.category_axis.title),
        6.0,
    );
    let n = c.categories.len().max(1);
    let slot = plot.w / n as f32;
    let bar_w = (slot * 0.62).min(56.0);
    let totals = c.totals();
    for (i, (neg_total, pos_total)) in c.stack_extents().into_iter().enumerate() {
        let cx = plot.x + slot * (i as f32 + 0.5);
        let (mut pos, mut neg) = (0.0, 0.0);
        for comp in &c.components {
            let v = comp.values.get(i).copied().unwrap_or(0.0);
            let (from, to) = if v >= 0.0 {
                pos += v;
                (pos - v, pos)
            } else {
                neg += v;
                (neg - v, neg)
            };
            canvas.ops.push(bar(
                cx - bar_w / 2.0,
                cx + bar_w / 2.0,
                scale.at(from),
                scale.at(to),
                comp.color,
            ));
        }
        let total = totals.get(i).copied().unwrap_or(0.0);
        let top = if pos_total > 0.0 || neg_total >= 0.0 {
            pos_total
        } else {
            0.0
        };
        canvas.value_label(cx, scale.at(top), slot - 2.0, &chart.format.format(total));
    }
    let labels: Vec<&str> = c.categories.iter().map(String::as_str).collect();
    canvas.categories(plot, &labels, &c.category_axis.label());
}

fn waterfall(canvas: &mut Canvas<'_>, chart: &Chart, c: &WaterfallChart, body: Rect) {
    let (plot, scale) = canvas.value_axis(
        body,
        &|n| chart.value_ticks(n),
        chart.format,
        &c.value_axis.label(),
        category_reserve(""),
        6.0,
    );
    let n = c.steps.len() + 2;
    let slot = plot.w / n as f32;
    let bar_w = (slot * 0.62).min(56.0);
    let center = |i: usize| plot.x + slot * (i as f32 + 0.5);
    let end = c.end();
    // (from, to, colour, label) per bar, start and end measured from zero.
    let mut bars = vec![(0.0, c.start, WATERFALL_TOTAL, chart.format.format(c.start))];
    for (step, (before, after)) in c.steps.iter().zip(c.running()) {
        let color = if step.delta >= 0.0 {
            WATERFALL_INCREASE
        } else {
            WATERFALL_DECREASE
        };
        bars.push((before, after, color, chart.format.format_signed(step.delta)));
    }
    bars.push((0.0, end, WATERFALL_TOTAL, chart.format.format(end)));
    let mut previous_level: Option<f64> = None;
    for (i, (from, to, color, label)) in bars.iter().enumerate() {
        let cx = center(i);
        if let Some(level) = previous_level {
            let y = scale.at(level);
            canvas.ops.push(Op::segment(
                (center(i.saturating_sub(1)) + bar_w / 2.0, y),
                (cx - bar_w / 2.0, y),
                0.6,
                MUTED,
                Some(2.0),
            ));
        }
        canvas.ops.push(bar(
            cx - bar_w / 2.0,
            cx + bar_w / 2.0,
            scale.at(*from),
            scale.at(*to),
            *color,
        ));
        if to < from {
            // A decrease: its label goes under the bar, off the connector arriving at its top.
            let below = scale.at(*to) + VALUE_SIZE + 4.0;
            canvas.value_label(cx, below, slot - 2.0, label);
        } else {
            canvas.value_label(cx, scale.at(from.max(*to)), slot - 2.0, label);
        }
        previous_level = Some(*to);
    }
    let labels: Vec<&str> = std::iter::once(c.start_label.as_str())
        .chain(c.steps.iter().map(|s| s.label.as_str()))
        .chain(std::iter::once(c.end_label.as_str()))
        .collect();
    canvas.categories(plot, &labels, "");
}

/// Pads a named-tick x range by half a step on each side, so the first and last labels sit
/// inside the plot.
fn padded_x(ticks: &[(f64, String)], (lo, hi): (f64, f64), named: bool) -> (f64, f64) {
    if named {
        let step = ticks
            .windows(2)
            .map(|w| w[1].0 - w[0].0)
            .fold(f64::INFINITY, f64::min);
        let pad = if step.is_finite() { step * 0.4 } else { 0.5 };
        (lo - pad, hi + pad)
    } else {
        let first = ticks.first().map_or(lo, |t| t.0);
        let last = ticks.last().map_or(hi, |t| t.0);
        (first.min(lo), last.max(hi))
    }
}

fn line(canvas: &mut Canvas<'_>, chart: &Chart, c: &LineChart, body: Rect) {
    let x_title = c.x_axis.label();
    let ticks = chart.x_tick_labels(x_tick_target(body.w - 60.0));
    let right_pad = canvas.x_label_overhang(&ticks);
    let bottom = 4.0 + LABEL_PITCH + if x_title.is_empty() { 2.0 } else { 14.0 };
    let (plot, y) = canvas.value_axis(
        body,
        &|n| chart.value_ticks(n),
        chart.format,
        &c.y_axis.label(),
        bottom,
        right_pad,
    );
    let range = padded_x(&ticks, chart.x_range().unwrap_or((0.0, 1.0)), false);
    let x = canvas.x_axis(plot, range, &ticks, &x_title);
    let mut lines = Vec::new();
    for (i, s) in c.series.iter().enumerate() {
        let points: Vec<(f32, f32)> = s.points.iter().map(|p| (x.at(p.x), y.at(p.y))).collect();
        lines.push(points.clone());
        push_polyline(canvas, points, series_color(i));
    }
    canvas.markers(plot, x, y, &c.markers, &lines);
}

/// One panel per series on a shared value axis, each titled with its series' name in its
/// colour: P10–P90 band, P25–P75 band, median line.
fn fan(canvas: &mut Canvas<'_>, chart: &Chart, c: &FanChart, body: Rect) {
    let x_title = c.x_axis.label();
    let n = c.series.len().max(1);
    let ticks = chart.x_tick_labels(x_tick_target((body.w - 60.0) / n as f32));
    let bottom = 4.0 + LABEL_PITCH + if x_title.is_empty() { 2.0 } else { 14.0 };
    // Room above the plot for the panel titles (two lines).
    let title_h = if n > 1 { 2.0 * LABEL_PITCH + 4.0 } else { 0.0 };
    let inner = Rect {
        x: body.x,
        y: body.y,
        w: body.w,
        h: body.h,
    };
    let named = !c.x_ticks.is_empty();
    let right_pad = if named {
        4.0
    } else {
        canvas.x_label_overhang(&ticks)
    };
    let (plot, y) = canvas.value_axis(
        inner,
        &|k| chart.value_ticks(k),
        chart.format,
        &c.y_axis.label(),
        bottom,
        right_pad,
    );
    let gap = if n > 1 { 10.0 } else { 0.0 };
    let panel_w = ((plot.w - gap * (n as f32 - 1.0)) / n as f32).max(10.0);
    let range = padded_x(&ticks, chart.x_range().unwrap_or((0.0, 1.0)), named);
    let ascent = canvas.fonts.ascent();
    for (i, s) in c.series.iter().enumerate() {
        let color = series_color(i);
        let panel = Rect {
            x: plot.x + i as f32 * (panel_w + gap),
            y: plot.y + title_h,
            w: panel_w,
            h: plot.h - title_h,
        };
        // Named ticks that do not fit the panel keep their last word ("Month 2" → "2"); the
        // axis title says what they count.
        let full: f32 = ticks
            .iter()
            .map(|(_, l)| canvas.width(l, FontStyle::Regular, TICK_SIZE) + 4.0)
            .sum();
        let shown: Vec<(f64, String)> = if full <= panel_w {
            ticks.clone()
        } else {
            ticks
                .iter()
                .map(|(v, l)| (*v, l.rsplit(' ').next().unwrap_or(l.as_str()).to_owned()))
                .collect()
        };
        let x = canvas.x_axis(panel, range, &shown, "");
        if n > 1 {
            for (k, line) in canvas.two_lines(&s.name, panel_w).iter().enumerate() {
                let ty = plot.y + ascent * TICK_SIZE + LABEL_PITCH * k as f32;
                canvas.text_centered(panel.x + panel_w / 2.0, ty, TICK_SIZE, color, line);
            }
        }
        let band = |lo: fn(&crate::report::chart::FanPoint) -> f64,
                    hi: fn(&crate::report::chart::FanPoint) -> f64| {
            let mut pts: Vec<(f32, f32)> =
                s.points.iter().map(|p| (x.at(p.x), y.at(hi(p)))).collect();
            pts.extend(s.points.iter().rev().map(|p| (x.at(p.x), y.at(lo(p)))));
            pts
        };
        canvas.ops.push(Op::Polygon {
            points: band(|p| p.p10, |p| p.p90),
            fill: color,
            opacity: OUTER_BAND_OPACITY,
        });
        canvas.ops.push(Op::Polygon {
            points: band(|p| p.p25, |p| p.p75),
            fill: color,
            opacity: INNER_BAND_OPACITY,
        });
        let points: Vec<(f32, f32)> = s.points.iter().map(|p| (x.at(p.x), y.at(p.p50))).collect();
        push_polyline(canvas, points.clone(), color);
        canvas.markers(panel, x, y, &c.markers, &[points]);
    }
    canvas.axis_title_below(plot, LABEL_PITCH + 2.0, &x_title);
}

/// The names of a horizontal bar chart, each cut to at most 40% of the body's width, and
/// the width of the widest (the column the names take on the left).
fn bar_labels<'a>(
    canvas: &Canvas<'_>,
    names: impl Iterator<Item = &'a str>,
    body: Rect,
) -> (Vec<String>, f32) {
    let cap = body.w * 0.4;
    let labels: Vec<String> = names
        .map(|n| ellipsize(canvas.fonts, n, FontStyle::Regular, TICK_SIZE + 0.5, cap))
        .collect();
    let width = labels
        .iter()
        .map(|l| canvas.width(l, FontStyle::Regular, TICK_SIZE + 0.5))
        .fold(0.0, f32::max);
    (labels, width)
}

/// One horizontal P10–P90 bar per category with a dark median tick, names on the left.
fn range_bars(canvas: &mut Canvas<'_>, format: NumberFormat, c: &RangeChart, body: Rect) {
    let (labels, label_w) = bar_labels(canvas, c.bars.iter().map(|b| b.label.as_str()), body);
    let (lo, hi) = c
        .bars
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), b| {
            (lo.min(b.p10), hi.max(b.p90))
        });
    let title = c.value_axis.label();
    let width = body.w - label_w - 20.0;
    let ticks = nice_ticks(lo, hi, x_tick_target(width));
    let ticks = if lo >= 0.0 && ticks.first() < 0.0 {
        nice_ticks(0.0, ticks.last(), x_tick_target(width))
    } else {
        ticks
    };
    let f = format.for_ticks(&ticks);
    let labelled: Vec<(f64, String)> = ticks.values.iter().map(|&v| (v, f.format(v))).collect();
    let right_pad = canvas.x_label_overhang(&labelled);
    let plot = Rect {
        x: body.x + label_w + 8.0,
        y: body.y + 4.0,
        w: (body.w - label_w - 8.0 - right_pad).max(20.0),
        h: (body.h - 4.0 - (4.0 + LABEL_PITCH + if title.is_empty() { 2.0 } else { 14.0 }))
            .max(20.0),
    };
    let x = canvas.x_axis(plot, (ticks.first(), ticks.last()), &labelled, &title);
    let row = plot.h / c.bars.len().max(1) as f32;
    let bar_h = (row * 0.5).min(14.0);
    for (k, (b, label)) in c.bars.iter().zip(&labels).enumerate() {
        let cy = plot.y + row * (k as f32 + 0.5);
        canvas.ops.push(bar(
            x.at(b.p10),
            x.at(b.p90),
            cy - bar_h / 2.0,
            cy + bar_h / 2.0,
            b.color,
        ));
        let m = x.at(b.p50);
        canvas.ops.push(Op::segment(
            (m, cy - bar_h / 2.0 - 2.0),
            (m, cy + bar_h / 2.0 + 2.0),
            2.0,
            MEDIAN_MARK,
            None,
        ));
        let w = canvas.width(label, FontStyle::Regular, TICK_SIZE + 0.5);
        canvas.text(
            plot.x - 6.0 - w,
            Canvas::middle(cy, TICK_SIZE + 0.5),
            TICK_SIZE + 0.5,
            FontStyle::Regular,
            INK,
            label,
        );
        // The median's value right of the bar when it fits, else left of it.
        let text = format.format(b.p50);
        let tw = canvas.width(&text, FontStyle::Regular, VALUE_SIZE);
        let right = x.at(b.p90) + 4.0;
        let tx = if right + tw <= plot.right() {
            right
        } else {
            (x.at(b.p10) - 4.0 - tw).max(plot.x)
        };
        canvas.text(
            tx,
            Canvas::middle(cy, VALUE_SIZE),
            VALUE_SIZE,
            FontStyle::Regular,
            MUTED,
            &text,
        );
    }
}

/// A series line; a lone point becomes a small square so it stays visible.
fn push_polyline(
    canvas: &mut Canvas<'_>,
    points: Vec<(f32, f32)>,
    color: crate::report::chart::Rgb,
) {
    match points.as_slice() {
        [] => {}
        [(px, py)] => canvas.ops.push(Op::fill(
            Rect {
                x: px - 2.0,
                y: py - 2.0,
                w: 4.0,
                h: 4.0,
            },
            color,
        )),
        _ => canvas.ops.push(Op::Line {
            points,
            width: 1.6,
            color,
            dash: None,
        }),
    }
}

fn tornado(canvas: &mut Canvas<'_>, format: NumberFormat, c: &TornadoChart, body: Rect) {
    let bars = c.sorted_bars();
    let (labels, label_w) = bar_labels(canvas, bars.iter().map(|b| b.label.as_str()), body);
    let range = bars.iter().fold((c.base, c.base), |(lo, hi), b| {
        (lo.min(b.low.min(b.high)), hi.max(b.low.max(b.high)))
    });
    let ticks = nice_ticks(range.0, range.1, x_tick_target(body.w - label_w - 20.0));
    let tick_format = format.for_ticks(&ticks);
    let labelled: Vec<(f64, String)> = ticks
        .values
        .iter()
        .map(|&v| (v, tick_format.format(v)))
        .collect();
    let right_pad = canvas.x_label_overhang(&labelled);
    let title = c.value_axis.label();
    let plot = Rect {
        x: body.x + label_w + 8.0,
        y: body.y + 14.0,
        w: (body.w - label_w - 8.0 - right_pad).max(20.0),
        h: (body.h - 14.0 - (4.0 + LABEL_PITCH + if title.is_empty() { 2.0 } else { 14.0 }))
            .max(20.0),
    };
    let x = canvas.x_axis(plot, (ticks.first(), ticks.last()), &labelled, &title);
    let row = plot.h / bars.len().max(1) as f32;
    let bar_h = (row * 0.62).min(16.0);
    let base_x = x.at(c.base);
    for (k, (b, label)) in bars.iter().zip(&labels).enumerate() {
        let cy = plot.y + row * (k as f32 + 0.5);
        canvas.ops.push(bar(
            base_x,
            x.at(b.low),
            cy - bar_h / 2.0,
            cy + bar_h / 2.0,
            series_color(0),
        ));
        canvas.ops.push(bar(
            base_x,
            x.at(b.high),
            cy - bar_h / 2.0,
            cy + bar_h / 2.0,
            series_color(1),
        ));
        let w = canvas.width(label, FontStyle::Regular, TICK_SIZE + 0.5);
        canvas.text(
            plot.x - 6.0 - w,
            Canvas::middle(cy, TICK_SIZE + 0.5),
            TICK_SIZE + 0.5,
            FontStyle::Regular,
            INK,
            label,
        );
    }
    canvas.ops.push(Op::segment(
        (base_x, plot.y - 2.0),
        (base_x, plot.bottom()),
        1.0,
        INK,
        None,
    ));
    let base_label = format!("base {}", format.format(c.base));
    canvas.text_centered(base_x, plot.y - 5.0, TICK_SIZE, INK, &base_label);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::{
        Axis, FanPoint, FanSeries, LineSeries, StackComponent, TornadoBar, WaterfallStep, XyPoint,
    };

    const AREA: Rect = Rect {
        x: 50.0,
        y: 100.0,
        w: 480.0,
        h: 280.0,
    };

    fn texts(ops: &[Op]) -> Vec<&str> {
        ops.iter().filter_map(Op::text).collect()
    }

    /// Every coordinate of every operation lies inside the area (text by its start and width).
    fn assert_inside(fonts: &Fonts, ops: &[Op], area: Rect) {
        let inside = |x: f32, y: f32| {
            x >= area.x - 0.5
                && x <= area.right() + 0.5
                && y >= area.y - 0.5
                && y <= area.bottom() + 0.5
        };
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    style,
                    text,
                    ..
                } => {
                    let w = fonts.width(text, *style, *size);
                    assert!(
                        inside(*x, *y) && inside(x + w, *y),
                        "text {text:?} at {x},{y} w {w} leaves {area:?}"
                    );
                }
                Op::Rect { rect, .. } => {
                    assert!(
                        inside(rect.x, rect.y) && inside(rect.right(), rect.bottom()),
                        "{rect:?}"
                    );
                }
                Op::Polygon { points, .. } | Op::Line { points, .. } => {
                    for (x, y) in points {
                        assert!(inside(*x, *y), "point {x},{y} leaves {area:?}");
                    }
                }
            }
        }
    }

    fn money() -> NumberFormat {
        NumberFormat::Money { decimals: 2 }
    }

    #[test]
    fn stacked_bars_are_proportional_and_labelled() {
        let fonts = Fonts::load().unwrap();
        let chart = Chart {
            title: "Cost per accepted output by route".into(),
            format: money(),
            data: ChartData::StackedBar(StackedBarChart {
                categories: vec![
                    "managed API".into(),
                    "dedicated GPUs with a very long name indeed".into(),
                ],
                components: vec![
                    StackComponent {
                        name: "inference".into(),
                        values: vec![3.0, 1.0],
                        color: series_color(0),
                    },
                    StackComponent {
                        name: "escalation".into(),
                        values: vec![1.0, 1.0],
                        color: series_color(1),
                    },
                ],
                category_axis: Axis::new("route", ""),
                value_axis: Axis::new("LCPR", "$ per accepted output"),
            }),
        };
        let ops = draw_chart(&fonts, &chart, AREA);
        assert_inside(&fonts, &ops, AREA);
        let t = texts(&ops);
        for want in [
            "Cost per accepted output by route",
            "LCPR ($ per accepted output)",
            "inference",
            "$4.00",
            "$2.00",
            "managed API",
            "route",
        ] {
            assert!(t.contains(&want), "missing {want:?} in {t:?}");
        }
        // Bars: first category's inference (3) is three times its escalation (1) in height.
        let heights: Vec<f32> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Rect { rect, fill, .. }
                    if *fill == series_color(0) || *fill == series_color(1) =>
                {
                    Some(rect.h)
                }
                _ => None,
            })
            .filter(|h| *h > 0.0)
            .collect();
        // Two legend keys (8 pt) come first, then the bars in drawing order.
        assert!((heights[2] / heights[3] - 3.0).abs() < 1e-3, "{heights:?}");
    }

    #[test]
    fn every_chart_keeps_each_series_in_its_own_colour_in_the_pdf_as_in_its_legend() {
        use crate::case::cost::exact::Component;
        use crate::report::chart::component_color;
        let fonts = Fonts::load().unwrap();
        let ws = crate::report::memo::tests::example();
        let eval = crate::case::evaluation::evaluate(&ws);
        let mut charts = vec![crate::report::figures::compare_chart(&eval).unwrap()];
        let tornado =
            crate::decide::tornado::scenario_tornado(&ws, "support-h100-dedicated").unwrap();
        charts.push(crate::report::figures::tornado_chart(&ws, "H100", &tornado));
        let f = crate::decide::forecast::forecast(ws.forecast.as_ref().unwrap(), 500, 7).unwrap();
        charts.push(crate::report::figures::forecast_fan_chart(&f));
        let sim = crate::decide::monte_carlo::register::simulate_register(&ws, 300, 7).unwrap();
        charts.push(crate::report::figures::uncertainty_chart(&sim).unwrap());
        for r in &eval.reconciliations {
            charts.push(crate::report::figures::reconciliation_waterfall(
                "w",
                r.result.as_ref().unwrap(),
            ));
        }
        for chart in &charts {
            // No two series of one chart share a colour (a fan's band is its median's).
            let series = chart.series_colors();
            for (i, (name, color)) in series.iter().enumerate() {
                if let Some((other, _)) = series[i + 1..].iter().find(|(_, c)| c == color) {
                    panic!("{}: {name} and {other} share a colour", chart.title);
                }
            }
            // An exported SVG draws every series in its colour too.
            let svg = crate::report::export::chart_svg(chart).unwrap();
            for (name, c) in &series {
                let hex = format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
                assert!(
                    svg.contains(&hex),
                    "{}: {name} lost its colour",
                    chart.title
                );
            }
            // The PDF fills with the legend's colours and no others.
            let ops = draw_chart(&fonts, chart, AREA);
            for op in &ops {
                if let Op::Rect { fill, .. } = op
                    && *fill != crate::report::chart::Rgb::new(255, 255, 255)
                    && chart.legend().iter().all(|e| e.color != *fill)
                    && series.iter().all(|(_, c)| c != fill)
                    && !matches!(chart.data, ChartData::Waterfall(_) | ChartData::Fan(_))
                {
                    panic!("{}: a fill {fill:?} no legend key has", chart.title);
                }
            }
        }
        // Each component keeps its colour whichever others a chart holds.
        let ChartData::StackedBar(c) = &charts[0].data else {
            panic!("compare is stacked bars")
        };
        let retries = c.components.iter().find(|k| k.name == "Retries").unwrap();
        assert_eq!(retries.color, component_color(Component::Retries));
        let mut ws2 = ws.clone();
        for w in &mut ws2.workloads {
            w.human_cost_per_case = rust_decimal::Decimal::ZERO;
            w.repair_cost_per_failure = rust_decimal::Decimal::ZERO;
        }
        ws2.register.retain(|e| e.id != "human-cost");
        let c2 = crate::report::figures::compare_chart(&crate::case::evaluation::evaluate(&ws2))
            .unwrap();
        let ChartData::StackedBar(c2) = &c2.data else {
            panic!("stacked")
        };
        assert!(
            c2.components.len() < c.components.len(),
            "components dropped"
        );
        for k in &c2.components {
            let same = c.components.iter().find(|x| x.name == k.name).unwrap();
            assert_eq!(k.color, same.color, "{} changed colour", k.name);
        }
        // And the ten components are ten colours.
        let all = [
            Component::InferenceTokens,
            Component::Gpu,
            Component::Retries,
            Component::Repair,
            Component::Eval,
            Component::Human,
            Component::Ops,
            Component::Engineering,
            Component::NonProduction,
            Component::CommitmentShortfall,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(component_color(*a), component_color(*b), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn tornado_draws_widest_swing_on_top() {
        let fonts = Fonts::load().unwrap();
        let chart = Chart {
            title: "Sensitivity of LCPR".into(),
            format: NumberFormat::Money { decimals: 3 },
            data: ChartData::Tornado(TornadoChart {
                no_swing: Vec::new(),
                base: 0.05,
                bars: vec![
                    TornadoBar {
                        label: "cache hit rate".into(),
                        low: 0.048,
                        high: 0.052,
                    },
                    TornadoBar {
                        label: "retry rate".into(),
                        low: 0.04,
                        high: 0.07,
                    },
                ],
                value_axis: Axis::new("LCPR", "$"),
                low_label: "driver low".into(),
                high_label: "driver high".into(),
            }),
        };
        let area = Rect {
            h: chart_height(&chart, AREA.w),
            ..AREA
        };
        let ops = draw_chart(&fonts, &chart, area);
        assert_inside(&fonts, &ops, area);
        let y_of = |label: &str| {
            ops.iter().find_map(|op| match op {
                Op::Text { text, y, .. } if text == label => Some(*y),
                _ => None,
            })
        };
        assert!(y_of("retry rate").unwrap() < y_of("cache hit rate").unwrap());
        assert!(y_of("base $0.050").is_some());
    }

    #[test]
    fn waterfall_labels_signed_steps_and_end() {
        let fonts = Fonts::load().unwrap();
        let chart = Chart {
            title: "List price to LCPR".into(),
            format: money(),
            data: ChartData::Waterfall(WaterfallChart {
                start_label: "list".into(),
                start: 10.0,
                steps: vec![
                    WaterfallStep {
                        label: "cache".into(),
                        delta: -3.0,
                    },
                    WaterfallStep {
                        label: "retries".into(),
                        delta: 1.5,
                    },
                ],
                end_label: "LCPR".into(),
                value_axis: Axis::new("cost", "$"),
            }),
        };
        let ops = draw_chart(&fonts, &chart, AREA);
        assert_inside(&fonts, &ops, AREA);
        let t = texts(&ops);
        // 10 − 3 + 1.5 = 8.5.
        for want in [
            "$10.00",
            "\u{2212}$3.00",
            "+$1.50",
            "$8.50",
            "list",
            "LCPR",
            "increase",
        ] {
            assert!(t.contains(&want), "missing {want:?} in {t:?}");
        }
        let connectors = ops
            .iter()
            .filter(|op| matches!(op, Op::Line { dash: Some(_), .. }))
            .count();
        assert_eq!(connectors, 3);
    }

    #[test]
    fn line_and_fan_charts_stay_in_their_box_with_markers() {
        let fonts = Fonts::load().unwrap();
        let marker = Marker {
            label: "crossover 1.2M".into(),
            x: 1.2,
            y: Some(0.04),
        };
        let line_chart = Chart {
            title: "LCPR by volume".into(),
            format: NumberFormat::Money { decimals: 4 },
            data: ChartData::Line(LineChart {
                x_axis: Axis::new("volume", "M requests / month"),
                x_format: NumberFormat::Plain { decimals: 1 },
                y_axis: Axis::new("LCPR", "$"),
                series: vec![
                    LineSeries {
                        name: "API".into(),
                        points: vec![XyPoint { x: 0.1, y: 0.04 }, XyPoint { x: 3.0, y: 0.04 }],
                    },
                    LineSeries {
                        name: "GPU".into(),
                        points: vec![
                            XyPoint { x: 0.1, y: 0.4 },
                            XyPoint { x: 1.2, y: 0.04 },
                            XyPoint { x: 3.0, y: 0.016 },
                        ],
                    },
                    LineSeries {
                        name: "one point".into(),
                        points: vec![XyPoint { x: 2.0, y: 0.1 }],
                    },
                ],
                markers: vec![marker.clone()],
            }),
        };
        let ops = draw_chart(&fonts, &line_chart, AREA);
        assert_inside(&fonts, &ops, AREA);
        assert!(texts(&ops).contains(&"crossover 1.2M"));
        assert!(texts(&ops).contains(&"volume (M requests / month)"));
        let fan_chart = Chart {
            title: "Forecast".into(),
            format: money(),
            data: ChartData::Fan(FanChart {
                x_axis: Axis::new("month", ""),
                x_format: NumberFormat::Plain { decimals: 0 },
                y_axis: Axis::new("monthly cost", "$"),
                series: vec![FanSeries {
                    name: "cost".into(),
                    points: (0..12)
                        .map(|m| {
                            let p50 = 1000.0 + 50.0 * f64::from(m);
                            FanPoint {
                                x: f64::from(m),
                                p10: p50 * 0.9,
                                p25: p50 * 0.95,
                                p50,
                                p75: p50 * 1.07,
                                p90: p50 * 1.15,
                            }
                        })
                        .collect(),
                }],
                markers: vec![Marker {
                    label: "today".into(),
                    x: 3.0,
                    y: None,
                }],
                x_ticks: vec![],
            }),
        };
        let ops = draw_chart(&fonts, &fan_chart, AREA);
        assert_inside(&fonts, &ops, AREA);
        let band = ops.iter().find_map(|op| match op {
            Op::Polygon {
                points, opacity, ..
            } if *opacity < 1.0 => Some(points.len()),
            _ => None,
        });
        assert_eq!(band, Some(24));
        assert!(texts(&ops).contains(&"P10–P90"));
        assert!(texts(&ops).contains(&"P25–P75"));
    }

    #[test]
    fn scale_maps_ends_and_survives_an_empty_range() {
        let s = Scale {
            lo: 0.0,
            hi: 10.0,
            start: 100.0,
            end: 0.0,
        };
        assert_eq!(s.at(0.0), 100.0);
        assert_eq!(s.at(10.0), 0.0);
        assert_eq!(s.at(2.5), 75.0);
        let flat = Scale {
            lo: 1.0,
            hi: 1.0,
            start: 5.0,
            end: 9.0,
        };
        assert_eq!(flat.at(1.0), 5.0);
    }

    #[test]
    fn headroom_only_on_sides_with_bars() {
        // span 10 → 0.8 above; nothing below a range that starts at 0.
        use crate::report::chart::with_headroom;
        assert_eq!(with_headroom((0.0, 10.0)), (0.0, 10.8));
        let (lo, hi) = with_headroom((-5.0, 5.0));
        assert!((lo + 5.8).abs() < 1e-12 && (hi - 5.8).abs() < 1e-12);
    }
}
