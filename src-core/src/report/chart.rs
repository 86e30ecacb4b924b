//! Chart data: what a chart shows, independent of where it is drawn.
//!
//! The desktop plots and the PDF report draw the same structs, so a figure in a memo is the
//! figure the user looked at. A chart holds values, names, axis titles with units and a number
//! format hint; colours come from one shared palette by series position, and the legend is
//! derived from the data ([`Chart::legend`]) so it cannot disagree with what is drawn.
//!
//! Values are f64: they are chart coordinates, not stored money (see [`crate::money`]). Every
//! value must be finite; [`Chart::validate`] refuses anything a renderer could not place.

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult};
use crate::money;

/// Most decimals a number format may ask for; more would only show float noise.
pub const MAX_DECIMALS: u8 = 12;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rgb {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Rgb {
    /// A colour from its three channels.
    #[must_use]
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }
}

/// Series colours, in the order series are given: the Okabe–Ito set, which stays
/// distinguishable for the common colour-vision deficiencies and in greyscale print. Yellow is
/// last among the hues because thin yellow lines are hard to see on white.
pub const PALETTE: [Rgb; 8] = [
    Rgb::new(0, 114, 178),   // blue
    Rgb::new(230, 159, 0),   // orange
    Rgb::new(0, 158, 115),   // bluish green
    Rgb::new(213, 94, 0),    // vermillion
    Rgb::new(86, 180, 233),  // sky blue
    Rgb::new(204, 121, 167), // reddish purple
    Rgb::new(240, 228, 66),  // yellow
    Rgb::new(110, 110, 110), // grey
];

/// Each cost component's colour, the same in every chart of the GUI and the PDF whatever
/// else the chart holds: keyed by what the series is, never by its position. Ten hues that
/// stay apart for the common colour-vision deficiencies (the Okabe–Ito set plus two darker
/// tones), none so pale that it vanishes on the dark theme's background.
#[must_use]
pub fn component_color(c: crate::case::cost::exact::Component) -> Rgb {
    use crate::case::cost::exact::Component as C;
    match c {
        C::InferenceTokens => Rgb::new(0, 114, 178),     // blue
        C::Gpu => Rgb::new(230, 159, 0),                 // orange
        C::Retries => Rgb::new(213, 94, 0),              // vermillion
        C::Repair => Rgb::new(204, 121, 167),            // reddish purple
        C::Eval => Rgb::new(86, 180, 233),               // sky blue
        C::Human => Rgb::new(0, 158, 115),               // bluish green
        C::Ops => Rgb::new(240, 228, 66),                // yellow
        C::Engineering => Rgb::new(128, 128, 128),       // grey
        C::NonProduction => Rgb::new(140, 86, 20),       // brown
        C::CommitmentShortfall => Rgb::new(90, 60, 150), // violet
    }
}

/// A cascade stage's accepted outputs.
pub const STAGE_ACCEPTED: Rgb = Rgb::new(0, 158, 115);
/// A cascade stage's requests sent on to the next stage.
pub const STAGE_ESCALATED: Rgb = Rgb::new(230, 159, 0);
/// Outputs the judge passed that fail the gate.
pub const STAGE_FALSE_ACCEPTED: Rgb = Rgb::new(213, 94, 0);
/// Requests that produced nothing.
pub const STAGE_FAILED: Rgb = Rgb::new(128, 128, 128);

/// Waterfall bars that raise the running total.
pub const WATERFALL_INCREASE: Rgb = Rgb::new(213, 94, 0);
/// Waterfall bars that lower the running total.
pub const WATERFALL_DECREASE: Rgb = Rgb::new(0, 158, 115);
/// Waterfall start and end bars.
pub const WATERFALL_TOTAL: Rgb = Rgb::new(0, 114, 178);

/// Keys that name no series (a fan's layers when each series has its own panel).
pub const NEUTRAL: Rgb = Rgb::new(110, 110, 110);
/// The median tick of a range bar.
pub const MEDIAN_MARK: Rgb = Rgb::new(20, 20, 20);

/// The colour of the series at `index` (wrapping around the palette).
#[must_use]
pub fn series_color(index: usize) -> Rgb {
    PALETTE
        .get(index % PALETTE.len())
        .copied()
        .unwrap_or(Rgb::new(0, 0, 0))
}

/// How the numbers of an axis or a value label are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NumberFormat {
    /// Dollars with thousands separators: `$1,234.50`.
    Money {
        /// Places after the decimal point.
        decimals: u8,
    },
    /// A fraction shown as a percentage: 0.253 → `25.3%`.
    Percent {
        /// Places after the decimal point of the percentage.
        decimals: u8,
    },
    /// A plain number with thousands separators: `1,234.5`.
    Plain {
        /// Places after the decimal point.
        decimals: u8,
    },
}

impl NumberFormat {
    /// The decimals this format writes.
    #[must_use]
    pub fn decimals(self) -> u8 {
        match self {
            Self::Money { decimals } | Self::Percent { decimals } | Self::Plain { decimals } => {
                decimals
            }
        }
    }

    /// The same kind of format with other decimals.
    #[must_use]
    pub fn with_decimals(self, decimals: u8) -> Self {
        match self {
            Self::Money { .. } => Self::Money { decimals },
            Self::Percent { .. } => Self::Percent { decimals },
            Self::Plain { .. } => Self::Plain { decimals },
        }
    }

    /// Writes `value`; `—` for a non-finite value.
    #[must_use]
    pub fn format(self, value: f64) -> String {
        let decimals = usize::from(self.decimals().min(MAX_DECIMALS));
        match self {
            Self::Money { .. } => money::format_usd(value, decimals),
            Self::Percent { .. } => {
                if !value.is_finite() {
                    return "—".to_owned();
                }
                format!("{}%", grouped(value * 100.0, decimals))
            }
            Self::Plain { .. } => grouped(value, decimals),
        }
    }

    /// Writes `value` with an explicit sign, `+` for gains and `−` (minus sign) for losses, as
    /// waterfall steps are labelled; zero has no sign.
    #[must_use]
    pub fn format_signed(self, value: f64) -> String {
        let text = self.format(value.abs());
        if !value.is_finite() || text.chars().all(|c| !c.is_ascii_digit() || c == '0') {
            text
        } else if value > 0.0 {
            format!("+{text}")
        } else {
            format!("\u{2212}{text}")
        }
    }

    /// The format for the labels of `ticks`: as many decimals as the tick step needs, so a
    /// $0.05 step reads `$0.05`, not `$0.1`. Money below a dollar keeps cents.
    #[must_use]
    pub fn for_ticks(self, ticks: &Ticks) -> Self {
        let needed = ticks.decimals();
        match self {
            Self::Money { .. } => Self::Money {
                decimals: if needed == 1 { 2 } else { needed },
            },
            Self::Percent { .. } => Self::Percent {
                decimals: needed.saturating_sub(2),
            },
            Self::Plain { .. } => Self::Plain { decimals: needed },
        }
    }
}

/// `value` with thousands separators and `decimals` places; no `-` on a value that rounds to 0.
fn grouped(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + int_part.len() / 3 + 1);
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Evenly spaced axis ticks at a "nice" step (1, 2, 2.5 or 5 × a power of ten).
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick values, ascending; the first is ≤ the data minimum and the last ≥ the maximum.
    pub values: Vec<f64>,
    /// Distance between neighbouring ticks.
    pub step: f64,
}

impl Ticks {
    /// The lowest tick (the axis start).
    #[must_use]
    pub fn first(&self) -> f64 {
        self.values.first().copied().unwrap_or(0.0)
    }

    /// The highest tick (the axis end).
    #[must_use]
    pub fn last(&self) -> f64 {
        self.values.last().copied().unwrap_or(1.0)
    }

    /// Decimals needed to write every tick exactly (0 for a step of 50, 3 for 0.025).
    #[must_use]
    pub fn decimals(&self) -> u8 {
        let mut scale = 1.0_f64;
        for d in 0..=MAX_DECIMALS {
            let scaled = self.step * scale;
            if (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0) {
                return d;
            }
            scale *= 10.0;
        }
        MAX_DECIMALS
    }
}

/// Ticks spanning `[min, max]` with about `target` intervals.
///
/// A degenerate range (min = max) is widened so the value sits inside the axis; non-finite
/// input falls back to the unit interval, so a caller always gets a drawable axis.
#[must_use]
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Ticks {
    if !min.is_finite() || !max.is_finite() {
        return Ticks {
            values: vec![0.0, 1.0],
            step: 1.0,
        };
    }
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if hi - lo <= 1e-12 * hi.abs().max(lo.abs()).max(1e-300) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / target.clamp(1, 50) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let factor = if normalized <= 1.0 {
        1.0
    } else if normalized <= 2.0 {
        2.0
    } else if normalized <= 2.5 {
        2.5
    } else if normalized <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = factor * magnitude;
    // The tolerance keeps a bound that sits on a grid line (up to float noise) on that line.
    let start = (lo / step + 1e-9).floor() * step;
    let end = (hi / step - 1e-9).ceil() * step;
    let count = ((end - start) / step).round();
    if !step.is_finite() || step <= 0.0 || !count.is_finite() || count > 1000.0 {
        return Ticks {
            values: vec![lo, hi],
            step: hi - lo,
        };
    }
    let values = (0..=count as usize)
        .map(|i| {
            let v = start + i as f64 * step;
            // Snap float noise (3 × 0.1 = 0.30000000000000004) and -0 to the grid value.
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect();
    Ticks { values, step }
}

/// Share of the data range added above (and below) bars for their value labels.
pub const HEADROOM: f64 = 0.08;

/// The value range widened by the label headroom on the sides that have bars.
#[must_use]
pub fn with_headroom((lo, hi): (f64, f64)) -> (f64, f64) {
    let span = (hi - lo).abs();
    (
        if lo < 0.0 { lo - span * HEADROOM } else { lo },
        if hi > 0.0 { hi + span * HEADROOM } else { hi },
    )
}

/// A box on a drawing surface whose y grows downwards (a page, a window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Bounds {
    fn right(&self) -> f32 {
        self.x + self.w
    }

    fn bottom(&self) -> f32 {
        self.y + self.h
    }

    fn overlaps(&self, o: &Self) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }

    /// Whether a polyline passes through the box (with a point of margin), sampled along
    /// each segment.
    fn hit_by(&self, points: &[(f32, f32)]) -> bool {
        let inside = |(x, y): (f32, f32)| {
            x >= self.x - 1.0
                && x <= self.right() + 1.0
                && y >= self.y - 1.0
                && y <= self.bottom() + 1.0
        };
        if let [p] = points {
            return inside(*p);
        }
        points.windows(2).any(|w| {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / 1.5)
                .ceil()
                .clamp(1.0, 4000.0) as usize;
            (0..=steps).any(|i| {
                let t = i as f32 / steps as f32;
                inside((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
            })
        })
    }
}

/// Where a marker's label of `size` goes in `plot`: beside its guide at `guide_x`, in the
/// highest row clear of the data `lines`, the other `guides`, the labels already `placed` and
/// the marker's own `point`; failing that, clear of lines and labels; failing that, the top
/// row. The GUI and the PDF place labels by this one rule, in their own coordinates.
#[must_use]
pub fn label_spot(
    plot: Bounds,
    guide_x: f32,
    (w, h): (f32, f32),
    lines: &[Vec<(f32, f32)>],
    guides: &[f32],
    placed: &[Bounds],
    point: Option<(f32, f32)>,
) -> Bounds {
    let rows = ((plot.h / h.max(1.0)).floor() as usize).clamp(1, 200);
    let mut candidates: Vec<Bounds> = Vec::with_capacity(rows * 2);
    for row in 0..rows {
        let top = plot.y + 2.0 + h * row as f32;
        for lx in [guide_x + 4.0, guide_x - 4.0 - w] {
            let lx = lx.clamp(plot.x, (plot.right() - w).max(plot.x));
            candidates.push(Bounds {
                x: lx,
                y: top,
                w,
                h,
            });
        }
    }
    let free =
        |r: &Bounds| !lines.iter().any(|l| r.hit_by(l)) && !placed.iter().any(|p| p.overlaps(r));
    let clear = |r: &Bounds| {
        free(r)
            && !guides
                .iter()
                .any(|g| *g > r.x - 0.5 && *g < r.right() + 0.5)
            && !point.is_some_and(|(px, py)| {
                px > r.x - 5.0 && px < r.right() + 5.0 && py > r.y - 5.0 && py < r.bottom() + 5.0
            })
    };
    candidates
        .iter()
        .find(|r| clear(r))
        .or_else(|| candidates.iter().find(|r| free(r)))
        .or(candidates.first())
        .copied()
        .unwrap_or(Bounds {
            x: plot.x,
            y: plot.y,
            w,
            h,
        })
}

/// An axis title and its unit, e.g. `LCPR` in `$ per accepted output`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// What the axis measures.
    pub title: String,
    /// The unit, shown in parentheses after the title; empty for none.
    #[serde(default)]
    pub unit: String,
}

impl Axis {
    /// An axis titled `title` measured in `unit`.
    #[must_use]
    pub fn new(title: impl Into<String>, unit: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            unit: unit.into(),
        }
    }

    /// The label as printed: `LCPR ($ per accepted output)`, or just the title.
    #[must_use]
    pub fn label(&self) -> String {
        match (self.title.is_empty(), self.unit.is_empty()) {
            (_, true) => self.title.clone(),
            (true, false) => format!("({})", self.unit),
            (false, false) => format!("{} ({})", self.title, self.unit),
        }
    }
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegendStyle {
    /// A filled square (bars).
    Bar,
    /// A short line (line series, medians).
    Line,
    /// A half-tone filled square (the inner percentile band).
    Band,
    /// A pale filled square (the outer percentile band).
    PaleBand,
}

/// Opacity of a fan's inner (P25–P75) band.
pub const INNER_BAND_OPACITY: f32 = 0.42;
/// Opacity of a fan's outer (P10–P90) band.
pub const OUTER_BAND_OPACITY: f32 = 0.16;

/// One legend entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// The text.
    pub label: String,
    /// The colour of the bars or lines it names.
    pub color: Rgb,
    /// How its key is drawn.
    pub style: LegendStyle,
}

/// One component of every stack, e.g. "inference".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackComponent {
    /// Legend name.
    pub name: String,
    /// One value per category, in category order; negative values stack below zero.
    pub values: Vec<f64>,
    /// Its colour, fixed by what it is ([`component_color`]).
    pub color: Rgb,
}

/// Vertical bars per category, each split into named components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackedBarChart {
    /// Category names, left to right (e.g. routes).
    pub categories: Vec<String>,
    /// Stack components, bottom to top.
    pub components: Vec<StackComponent>,
    /// What the categories are.
    #[serde(default)]
    pub category_axis: Axis,
    /// What the bar heights measure.
    pub value_axis: Axis,
}

impl StackedBarChart {
    /// Per category, the sum of negative components and the sum of positive ones.
    #[must_use]
    pub fn stack_extents(&self) -> Vec<(f64, f64)> {
        (0..self.categories.len())
            .map(|i| {
                self.components.iter().filter_map(|c| c.values.get(i)).fold(
                    (0.0, 0.0),
                    |(neg, pos), &v| {
                        if v < 0.0 {
                            (neg + v, pos)
                        } else {
                            (neg, pos + v)
                        }
                    },
                )
            })
            .collect()
    }

    /// Per category, the net total of all components.
    #[must_use]
    pub fn totals(&self) -> Vec<f64> {
        self.stack_extents()
            .into_iter()
            .map(|(neg, pos)| neg + pos)
            .collect()
    }
}

/// One driver of a tornado chart: the outcome with the driver at its low and at its high
/// setting. Either may lie on either side of the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TornadoBar {
    /// The driver, e.g. `retry rate 2% → 8%`.
    pub label: String,
    /// Outcome with the driver at its low setting.
    pub low: f64,
    /// Outcome with the driver at its high setting.
    pub high: f64,
}

impl TornadoBar {
    /// How far the outcome moves across the driver's range.
    #[must_use]
    pub fn swing(&self) -> f64 {
        (self.high - self.low).abs()
    }
}

/// Horizontal bars around a base outcome, widest swing on top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TornadoChart {
    /// The outcome with every driver at its base value.
    pub base: f64,
    /// One bar per driver, in any order.
    pub bars: Vec<TornadoBar>,
    /// What the outcome measures.
    pub value_axis: Axis,
    /// Legend text for the low-setting side, e.g. `driver at low`.
    pub low_label: String,
    /// Drivers that do not move the outcome at all: named under the chart, not drawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_swing: Vec<String>,
    /// Legend text for the high-setting side.
    pub high_label: String,
}

impl TornadoChart {
    /// The bars by descending swing; equal swings keep their given order.
    #[must_use]
    pub fn sorted_bars(&self) -> Vec<&TornadoBar> {
        let mut bars: Vec<&TornadoBar> = self.bars.iter().collect();
        bars.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
        bars
    }
}

/// A point of a line series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XyPoint {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

/// A named line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSeries {
    /// Legend name.
    pub name: String,
    /// Points, drawn joined in the given order.
    pub points: Vec<XyPoint>,
}

/// A labelled position on a line or fan chart: a crossover, an operating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Text next to the marker, e.g. `crossover 1.2M req/mo`.
    pub label: String,
    /// Horizontal position; a vertical guide is drawn there.
    pub x: f64,
    /// Vertical position of the point, if the marker sits on a curve.
    #[serde(default)]
    pub y: Option<f64>,
}

/// Lines over a numeric x axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineChart {
    /// Horizontal axis.
    pub x_axis: Axis,
    /// How x values are written.
    pub x_format: NumberFormat,
    /// Vertical axis (written with the chart's format).
    pub y_axis: Axis,
    /// The lines.
    pub series: Vec<LineSeries>,
    /// Marked positions.
    #[serde(default)]
    pub markers: Vec<Marker>,
}

/// The 10th, 25th, 50th, 75th and 90th percentiles at one x.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanPoint {
    /// Horizontal position.
    pub x: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// A labelled tick of a numeric axis whose values are named, like months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TickLabel {
    /// Where the tick sits.
    pub x: f64,
    /// What it reads, e.g. `Month 2`.
    pub label: String,
}

/// A named median line with its P25–P75 and P10–P90 bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanSeries {
    /// Legend name.
    pub name: String,
    /// Points in x order.
    pub points: Vec<FanPoint>,
}

/// Uncertainty bands over a numeric x axis (forecasts, simulated outcomes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanChart {
    /// Horizontal axis.
    pub x_axis: Axis,
    /// How x values are written.
    pub x_format: NumberFormat,
    /// Vertical axis (written with the chart's format).
    pub y_axis: Axis,
    /// The series: one panel each, side by side on a shared value axis, so bands of
    /// different series never overlap.
    pub series: Vec<FanSeries>,
    /// Marked positions.
    #[serde(default)]
    pub markers: Vec<Marker>,
    /// The x ticks, when the x values are named (months): exactly these, never in between.
    /// Empty: nice ticks written with `x_format`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_ticks: Vec<TickLabel>,
}

/// One category's spread: its P10–P90 range with the median marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeBar {
    /// Category name, e.g. a scenario.
    pub label: String,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Its colour (the palette's, by the category's place in the document).
    pub color: Rgb,
}

/// Horizontal P10–P90 bars, one per category in the given order, each with its median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeChart {
    /// The bars, top to bottom.
    pub bars: Vec<RangeBar>,
    /// What the values measure.
    pub value_axis: Axis,
}

/// A square table of probabilities by name: cell (row A, column B) is P(A beats B). Each
/// unordered pair has one cell (above the diagonal); the other is its complement and is left
/// empty, as are pairs that were not compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityMatrix {
    /// What a cell means, e.g. `P(row has the lower LCPR than column)`.
    pub title: String,
    /// Row and column names, in the same order.
    pub names: Vec<String>,
    /// `cells[a][b]`: the probability, `None` where nothing is shown.
    pub cells: Vec<Vec<Option<f64>>>,
}

/// One signed change of a waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterfallStep {
    /// What changed, e.g. `cache hits`.
    pub label: String,
    /// The change; negative lowers the running total.
    pub delta: f64,
}

/// A start value, signed steps and the end value they lead to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterfallChart {
    /// Label of the start bar, e.g. `list price`.
    pub start_label: String,
    /// Start value.
    pub start: f64,
    /// Changes, left to right.
    pub steps: Vec<WaterfallStep>,
    /// Label of the end bar, e.g. `LCPR`.
    pub end_label: String,
    /// What the bars measure.
    pub value_axis: Axis,
}

impl WaterfallChart {
    /// Each step's running total before and after it.
    #[must_use]
    pub fn running(&self) -> Vec<(f64, f64)> {
        let mut total = self.start;
        self.steps
            .iter()
            .map(|s| {
                let before = total;
                total += s.delta;
                (before, total)
            })
            .collect()
    }

    /// The end value: start plus every delta.
    #[must_use]
    pub fn end(&self) -> f64 {
        self.steps.iter().fold(self.start, |t, s| t + s.delta)
    }
}

/// The kinds of chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartData {
    /// Stacked vertical bars.
    StackedBar(StackedBarChart),
    /// Sensitivity bars around a base.
    Tornado(TornadoChart),
    /// Lines with optional markers.
    Line(LineChart),
    /// Percentile bands.
    Fan(FanChart),
    /// Start, signed steps, end.
    Waterfall(WaterfallChart),
    /// P10–P90 bars with medians, by category.
    Range(RangeChart),
}

/// A chart: title, value format and data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    /// Title above the plot.
    pub title: String,
    /// How values (the value or y axis, value labels) are written.
    pub format: NumberFormat,
    /// What is plotted.
    pub data: ChartData,
}

impl Chart {
    /// The chart's axes, in drawing order.
    #[must_use]
    pub fn axes(&self) -> Vec<&Axis> {
        match &self.data {
            ChartData::StackedBar(c) => vec![&c.category_axis, &c.value_axis],
            ChartData::Tornado(c) => vec![&c.value_axis],
            ChartData::Line(c) => vec![&c.x_axis, &c.y_axis],
            ChartData::Fan(c) => vec![&c.x_axis, &c.y_axis],
            ChartData::Range(c) => vec![&c.value_axis],
            ChartData::Waterfall(c) => vec![&c.value_axis],
        }
    }

    /// Every word a reader sees on the chart: title, axis titles and legend labels (what the
    /// glossary explains on hover and in the memo).
    #[must_use]
    pub fn words(&self) -> String {
        let mut out = vec![self.title.clone()];
        out.extend(self.axes().into_iter().map(Axis::label));
        out.extend(self.legend().into_iter().map(|l| l.label));
        out.join("\n")
    }

    /// The legend entries, in drawing order, derived from the data.
    #[must_use]
    pub fn legend(&self) -> Vec<LegendEntry> {
        let entry = |label: &str, color, style| LegendEntry {
            label: label.to_owned(),
            color,
            style,
        };
        match &self.data {
            ChartData::StackedBar(c) => c
                .components
                .iter()
                .map(|s| entry(&s.name, s.color, LegendStyle::Bar))
                .collect(),
            ChartData::Tornado(c) => vec![
                entry(&c.low_label, series_color(0), LegendStyle::Bar),
                entry(&c.high_label, series_color(1), LegendStyle::Bar),
            ],
            ChartData::Line(c) => c
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| entry(&s.name, series_color(i), LegendStyle::Line))
                .collect(),
            // Each series has its own panel titled in its colour; the legend says what the
            // three layers are, in the first series' colour (one series) or neutral grey.
            ChartData::Fan(c) => {
                let color = if c.series.len() == 1 {
                    series_color(0)
                } else {
                    NEUTRAL
                };
                vec![
                    entry("Median", color, LegendStyle::Line),
                    entry("P25–P75", color, LegendStyle::Band),
                    entry("P10–P90", color, LegendStyle::PaleBand),
                ]
            }
            ChartData::Range(_) => vec![
                entry("P10–P90", NEUTRAL, LegendStyle::Bar),
                entry("Median", MEDIAN_MARK, LegendStyle::Line),
            ],
            ChartData::Waterfall(_) => vec![
                entry("increase", WATERFALL_INCREASE, LegendStyle::Bar),
                entry("decrease", WATERFALL_DECREASE, LegendStyle::Bar),
                entry("total", WATERFALL_TOTAL, LegendStyle::Bar),
            ],
        }
    }

    /// Each series the chart draws, by name, with its colour: what a reader tells apart by
    /// colour (components, lines, fan panels, range bars; a tornado's two sides; a waterfall's
    /// three kinds of bar).
    #[must_use]
    pub fn series_colors(&self) -> Vec<(String, Rgb)> {
        match &self.data {
            ChartData::StackedBar(c) => c
                .components
                .iter()
                .map(|s| (s.name.clone(), s.color))
                .collect(),
            ChartData::Line(c) => c
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), series_color(i)))
                .collect(),
            ChartData::Fan(c) => c
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), series_color(i)))
                .collect(),
            ChartData::Range(c) => c.bars.iter().map(|b| (b.label.clone(), b.color)).collect(),
            ChartData::Tornado(_) | ChartData::Waterfall(_) => self
                .legend()
                .into_iter()
                .map(|e| (e.label, e.color))
                .collect(),
        }
    }

    /// The value range an axis must span: [`Chart::value_range`] with room above (and below)
    /// bars for their value labels. Never below zero unless a value is.
    #[must_use]
    pub fn axis_range(&self) -> (f64, f64) {
        let (lo, hi) = self.value_range();
        match &self.data {
            ChartData::StackedBar(_) | ChartData::Waterfall(_) => with_headroom((lo, hi)),
            _ => (lo, hi),
        }
    }

    /// The value axis' ticks, about `target` intervals: the GUI and the PDF draw the same.
    #[must_use]
    pub fn value_ticks(&self, target: usize) -> Ticks {
        let (lo, hi) = self.axis_range();
        let t = nice_ticks(lo, hi, target);
        // A degenerate range is widened on both sides; money that is never negative keeps
        // its axis at or above zero.
        if lo >= 0.0 && t.first() < 0.0 {
            let hi = t.last();
            return nice_ticks(0.0, hi, target);
        }
        t
    }

    /// The x ticks of a line or fan chart with their labels: the chart's named ticks when it
    /// has them (months), else nice ticks over the x range written with its x format.
    #[must_use]
    pub fn x_tick_labels(&self, target: usize) -> Vec<(f64, String)> {
        let format = match &self.data {
            ChartData::Fan(c) if !c.x_ticks.is_empty() => {
                return c.x_ticks.iter().map(|t| (t.x, t.label.clone())).collect();
            }
            ChartData::Fan(c) => c.x_format,
            ChartData::Line(c) => c.x_format,
            _ => return Vec::new(),
        };
        let Some((lo, hi)) = self.x_range() else {
            return Vec::new();
        };
        let ticks = nice_ticks(lo, hi, target);
        let f = format.for_ticks(&ticks);
        ticks.values.iter().map(|&v| (v, f.format(v))).collect()
    }

    /// The range of values on the value (y) axis, including 0 for bar charts (bars start at
    /// zero) and the base of a tornado.
    #[must_use]
    pub fn value_range(&self) -> (f64, f64) {
        let fold = |it: &mut dyn Iterator<Item = f64>, init: (f64, f64)| {
            it.fold(init, |(lo, hi), v| (lo.min(v), hi.max(v)))
        };
        match &self.data {
            ChartData::StackedBar(c) => fold(
                &mut c.stack_extents().into_iter().flat_map(|(n, p)| [n, p]),
                (0.0, 0.0),
            ),
            ChartData::Tornado(c) => fold(
                &mut c.bars.iter().flat_map(|b| [b.low, b.high]),
                (c.base, c.base),
            ),
            ChartData::Line(c) => fold(
                &mut c
                    .series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.y))
                    .chain(c.markers.iter().filter_map(|m| m.y)),
                (f64::INFINITY, f64::NEG_INFINITY),
            ),
            ChartData::Fan(c) => fold(
                &mut c
                    .series
                    .iter()
                    .flat_map(|s| s.points.iter().flat_map(|p| [p.p10, p.p90]))
                    .chain(c.markers.iter().filter_map(|m| m.y)),
                (f64::INFINITY, f64::NEG_INFINITY),
            ),
            ChartData::Range(c) => fold(
                &mut c.bars.iter().flat_map(|b| [b.p10, b.p90]),
                (f64::INFINITY, f64::NEG_INFINITY),
            ),
            ChartData::Waterfall(c) => fold(
                &mut c
                    .running()
                    .into_iter()
                    .map(|(_, after)| after)
                    .chain([c.start]),
                (0.0, 0.0),
            ),
        }
    }

    /// The range of x values of a line or fan chart (markers included); `None` for charts
    /// without a numeric x axis.
    #[must_use]
    pub fn x_range(&self) -> Option<(f64, f64)> {
        let (xs, markers): (Vec<f64>, &[Marker]) = match &self.data {
            ChartData::Line(c) => (
                c.series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.x))
                    .collect(),
                &c.markers,
            ),
            ChartData::Fan(c) => (
                c.series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.x))
                    .collect(),
                &c.markers,
            ),
            _ => return None,
        };
        Some(
            xs.into_iter()
                .chain(markers.iter().map(|m| m.x))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                }),
        )
    }

    /// Checks that every value is finite and the shapes agree (one value per category,
    /// p10 ≤ p50 ≤ p90, something to plot).
    pub fn validate(&self) -> InputResult<()> {
        let decimals = self.format.decimals();
        if decimals > MAX_DECIMALS {
            return Err(InputError::new(
                "format.decimals",
                format!("must be ≤ {MAX_DECIMALS}, got {decimals}"),
            ));
        }
        match &self.data {
            ChartData::StackedBar(c) => validate_stacked(c),
            ChartData::Tornado(c) => validate_tornado(c),
            ChartData::Line(c) => validate_line(c),
            ChartData::Fan(c) => validate_fan(c),
            ChartData::Waterfall(c) => validate_waterfall(c),
            ChartData::Range(c) => validate_range(c),
        }
        .map_err(|e| e.within("data"))
    }
}

fn finite(field: &str, value: f64) -> InputResult<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(InputError::new(
            field,
            format!("must be finite, got {value}"),
        ))
    }
}

fn not_empty<T>(field: &str, items: &[T]) -> InputResult<()> {
    if items.is_empty() {
        Err(InputError::new(field, "must not be empty"))
    } else {
        Ok(())
    }
}

fn validate_markers(markers: &[Marker]) -> InputResult<()> {
    for (i, m) in markers.iter().enumerate() {
        finite(&format!("markers[{i}].x"), m.x)?;
        if let Some(y) = m.y {
            finite(&format!("markers[{i}].y"), y)?;
        }
    }
    Ok(())
}

fn validate_stacked(c: &StackedBarChart) -> InputResult<()> {
    not_empty("categories", &c.categories)?;
    not_empty("components", &c.components)?;
    for (i, comp) in c.components.iter().enumerate() {
        if comp.values.len() != c.categories.len() {
            return Err(InputError::new(
                format!("components[{i}].values"),
                format!(
                    "must hold one value per category ({}), got {}",
                    c.categories.len(),
                    comp.values.len()
                ),
            ));
        }
        for (j, &v) in comp.values.iter().enumerate() {
            finite(&format!("components[{i}].values[{j}]"), v)?;
        }
    }
    Ok(())
}

fn validate_tornado(c: &TornadoChart) -> InputResult<()> {
    finite("base", c.base)?;
    not_empty("bars", &c.bars)?;
    for (i, b) in c.bars.iter().enumerate() {
        finite(&format!("bars[{i}].low"), b.low)?;
        finite(&format!("bars[{i}].high"), b.high)?;
    }
    Ok(())
}

fn validate_line(c: &LineChart) -> InputResult<()> {
    not_empty("series", &c.series)?;
    for (i, s) in c.series.iter().enumerate() {
        not_empty(&format!("series[{i}].points"), &s.points)?;
        for (j, p) in s.points.iter().enumerate() {
            finite(&format!("series[{i}].points[{j}].x"), p.x)?;
            finite(&format!("series[{i}].points[{j}].y"), p.y)?;
        }
    }
    validate_markers(&c.markers)
}

fn validate_fan(c: &FanChart) -> InputResult<()> {
    not_empty("series", &c.series)?;
    for (i, s) in c.series.iter().enumerate() {
        not_empty(&format!("series[{i}].points"), &s.points)?;
        for (j, p) in s.points.iter().enumerate() {
            let at = format!("series[{i}].points[{j}]");
            finite(&format!("{at}.x"), p.x)?;
            let q = [p.p10, p.p25, p.p50, p.p75, p.p90];
            for (name, v) in ["p10", "p25", "p50", "p75", "p90"].iter().zip(q) {
                finite(&format!("{at}.{name}"), v)?;
            }
            if q.windows(2).any(|w| w[0] > w[1]) {
                return Err(InputError::new(
                    at,
                    format!(
                        "must have p10 ≤ p25 ≤ p50 ≤ p75 ≤ p90, got {} / {} / {} / {} / {}",
                        p.p10, p.p25, p.p50, p.p75, p.p90
                    ),
                ));
            }
        }
    }
    for (i, t) in c.x_ticks.iter().enumerate() {
        finite(&format!("x_ticks[{i}].x"), t.x)?;
    }
    validate_markers(&c.markers)
}

fn validate_range(c: &RangeChart) -> InputResult<()> {
    not_empty("bars", &c.bars)?;
    for (i, b) in c.bars.iter().enumerate() {
        let at = format!("bars[{i}]");
        finite(&format!("{at}.p10"), b.p10)?;
        finite(&format!("{at}.p50"), b.p50)?;
        finite(&format!("{at}.p90"), b.p90)?;
        if !(b.p10 <= b.p50 && b.p50 <= b.p90) {
            return Err(InputError::new(
                at,
                format!(
                    "must have p10 ≤ p50 ≤ p90, got {} / {} / {}",
                    b.p10, b.p50, b.p90
                ),
            ));
        }
    }
    Ok(())
}

fn validate_waterfall(c: &WaterfallChart) -> InputResult<()> {
    finite("start", c.start)?;
    for (i, s) in c.steps.iter().enumerate() {
        finite(&format!("steps[{i}].delta"), s.delta)?;
    }
    finite("end", c.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money2() -> NumberFormat {
        NumberFormat::Money { decimals: 2 }
    }

    fn waterfall() -> Chart {
        Chart {
            title: "From list price to LCPR".into(),
            format: NumberFormat::Money { decimals: 4 },
            data: ChartData::Waterfall(WaterfallChart {
                start_label: "list".into(),
                start: 0.10,
                steps: vec![
                    WaterfallStep {
                        label: "cache".into(),
                        delta: -0.03,
                    },
                    WaterfallStep {
                        label: "retries".into(),
                        delta: 0.01,
                    },
                ],
                end_label: "LCPR".into(),
                value_axis: Axis::new("cost", "$ per accepted output"),
            }),
        }
    }

    #[test]
    fn formats_money_percent_and_plain() {
        assert_eq!(money2().format(1234.5), "$1,234.50");
        assert_eq!(NumberFormat::Percent { decimals: 1 }.format(0.253), "25.3%");
        assert_eq!(
            NumberFormat::Plain { decimals: 0 }.format(-1234567.4),
            "-1,234,567"
        );
        assert_eq!(NumberFormat::Plain { decimals: 2 }.format(-0.001), "0.00");
        assert_eq!(NumberFormat::Percent { decimals: 0 }.format(f64::NAN), "—");
        // Decimals beyond the cap are clamped, not a panic.
        assert_eq!(NumberFormat::Plain { decimals: 200 }.format(1.0).len(), 14);
    }

    #[test]
    fn signed_format_marks_direction() {
        assert_eq!(money2().format_signed(0.02), "+$0.02");
        assert_eq!(money2().format_signed(-0.02), "\u{2212}$0.02");
        assert_eq!(money2().format_signed(0.0), "$0.00");
        assert_eq!(money2().format_signed(-0.001), "$0.00");
    }

    #[test]
    fn nice_ticks_cover_the_range_with_round_steps() {
        // raw step 0.37 / 5 = 0.074 → magnitude 0.01, normalized 7.4 → ×10 → step 0.1.
        let t = nice_ticks(0.0, 0.37, 5);
        assert_eq!(t.step, 0.1);
        assert_eq!(t.values.len(), 5);
        assert_eq!(t.first(), 0.0);
        assert!((t.last() - 0.4).abs() < 1e-12);
        assert_eq!(t.decimals(), 1);
        // raw 1000 / 4 = 250 → magnitude 100, normalized 2.5 → step 250, from -250 to 1000.
        let t = nice_ticks(-120.0, 880.0, 4);
        assert_eq!(t.step, 250.0);
        assert_eq!(t.values, vec![-250.0, 0.0, 250.0, 500.0, 750.0, 1000.0]);
        assert_eq!(t.decimals(), 0);
        assert_eq!(nice_ticks(0.0, 0.1, 4).decimals(), 3); // step 0.025
    }

    #[test]
    fn nice_ticks_survive_degenerate_input() {
        let t = nice_ticks(5.0, 5.0, 5);
        assert!(t.first() < 5.0 && t.last() > 5.0);
        let t = nice_ticks(0.0, 0.0, 5);
        assert!(t.first() <= -1.0 && t.last() >= 1.0);
        let t = nice_ticks(f64::NAN, 1.0, 5);
        assert_eq!(t.values, vec![0.0, 1.0]);
        let t = nice_ticks(3.0, 1.0, 0);
        assert!(t.first() <= 1.0 && t.last() >= 3.0);
    }

    #[test]
    fn tick_formats_follow_the_step() {
        let t = nice_ticks(0.0, 0.1, 4); // step 0.025
        assert_eq!(money2().for_ticks(&t).format(0.075), "$0.075");
        let t = nice_ticks(0.0, 1.0, 2); // step 0.5: money keeps cents
        assert_eq!(money2().for_ticks(&t).format(0.5), "$0.50");
        let t = nice_ticks(0.0, 1.0, 4); // step 0.25 → 25% steps
        assert_eq!(
            NumberFormat::Percent { decimals: 3 }
                .for_ticks(&t)
                .format(0.25),
            "25%"
        );
    }

    #[test]
    fn axis_label_joins_title_and_unit() {
        assert_eq!(
            Axis::new("LCPR", "$ per accepted output").label(),
            "LCPR ($ per accepted output)"
        );
        assert_eq!(Axis::new("routes", "").label(), "routes");
    }

    #[test]
    fn waterfall_runs_to_its_end() {
        let chart = waterfall();
        let ChartData::Waterfall(w) = &chart.data else {
            unreachable!("built as a waterfall")
        };
        // 0.10 − 0.03 = 0.07; 0.07 + 0.01 = 0.08.
        let running = w.running();
        assert!((running[0].1 - 0.07).abs() < 1e-12);
        assert!((w.end() - 0.08).abs() < 1e-12);
        let (lo, hi) = chart.value_range();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.10).abs() < 1e-12);
        assert_eq!(chart.legend().len(), 3);
        assert!(chart.validate().is_ok());
    }

    #[test]
    fn stacks_split_negative_and_positive_parts() {
        let c = StackedBarChart {
            categories: vec!["a".into(), "b".into()],
            components: vec![
                StackComponent {
                    color: series_color(0),
                    name: "inference".into(),
                    values: vec![3.0, 1.0],
                },
                StackComponent {
                    color: series_color(1),
                    name: "credit".into(),
                    values: vec![-0.5, 2.0],
                },
            ],
            category_axis: Axis::default(),
            value_axis: Axis::new("cost", "$"),
        };
        // a: −0.5 below, 3 above, net 2.5; b: 0 below, 3 above, net 3.
        assert_eq!(c.stack_extents(), vec![(-0.5, 3.0), (0.0, 3.0)]);
        assert_eq!(c.totals(), vec![2.5, 3.0]);
        let chart = Chart {
            title: String::new(),
            format: money2(),
            data: ChartData::StackedBar(c),
        };
        assert_eq!(chart.value_range(), (-0.5, 3.0));
        assert_eq!(chart.legend()[1].color, series_color(1));
    }

    #[test]
    fn tornado_sorts_by_swing_stably() {
        let bar = |label: &str, low, high| TornadoBar {
            label: label.into(),
            low,
            high,
        };
        let c = TornadoChart {
            no_swing: Vec::new(),
            base: 1.0,
            bars: vec![bar("a", 0.9, 1.1), bar("b", 1.5, 0.5), bar("c", 0.8, 1.0)],
            value_axis: Axis::default(),
            low_label: "low".into(),
            high_label: "high".into(),
        };
        let order: Vec<&str> = c.sorted_bars().iter().map(|b| b.label.as_str()).collect();
        // swings: a 0.2, b 1.0, c 0.2 → b first, then a before c (given order).
        assert_eq!(order, vec!["b", "a", "c"]);
    }

    #[test]
    fn refuses_bad_shapes_and_values() {
        let mut chart = Chart {
            title: "t".into(),
            format: money2(),
            data: ChartData::StackedBar(StackedBarChart {
                categories: vec!["a".into(), "b".into()],
                components: vec![StackComponent {
                    color: series_color(0),
                    name: "x".into(),
                    values: vec![1.0],
                }],
                category_axis: Axis::default(),
                value_axis: Axis::default(),
            }),
        };
        let e = chart.validate().err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("data.components[0].values must hold one value per category (2), got 1".into())
        );
        chart.data = ChartData::Fan(FanChart {
            x_axis: Axis::default(),
            x_format: money2(),
            y_axis: Axis::default(),
            series: vec![FanSeries {
                name: "s".into(),
                points: vec![FanPoint {
                    x: 0.0,
                    p10: 2.0,
                    p25: 2.0,
                    p50: 1.0,
                    p75: 2.5,
                    p90: 3.0,
                }],
            }],
            markers: vec![],
            x_ticks: vec![],
        });
        let e = chart.validate().err().map(|e| e.field);
        assert_eq!(e.as_deref(), Some("data.series[0].points[0]"));
        chart.data = ChartData::Line(LineChart {
            x_axis: Axis::default(),
            x_format: money2(),
            y_axis: Axis::default(),
            series: vec![LineSeries {
                name: "s".into(),
                points: vec![XyPoint {
                    x: 0.0,
                    y: f64::INFINITY,
                }],
            }],
            markers: vec![],
        });
        let e = chart.validate().err().map(|e| e.field);
        assert_eq!(e.as_deref(), Some("data.series[0].points[0].y"));
        chart.data = ChartData::Line(LineChart {
            x_axis: Axis::default(),
            x_format: money2(),
            y_axis: Axis::default(),
            series: vec![],
            markers: vec![],
        });
        assert!(chart.validate().is_err());
        chart.format = NumberFormat::Plain { decimals: 13 };
        let e = chart.validate().err().map(|e| e.field);
        assert_eq!(e.as_deref(), Some("format.decimals"));
    }

    #[test]
    fn line_ranges_include_markers() {
        let chart = Chart {
            title: String::new(),
            format: money2(),
            data: ChartData::Line(LineChart {
                x_axis: Axis::default(),
                x_format: NumberFormat::Plain { decimals: 0 },
                y_axis: Axis::default(),
                series: vec![LineSeries {
                    name: "s".into(),
                    points: vec![XyPoint { x: 1.0, y: 2.0 }, XyPoint { x: 3.0, y: 5.0 }],
                }],
                markers: vec![Marker {
                    label: "m".into(),
                    x: 4.0,
                    y: Some(-1.0),
                }],
            }),
        };
        assert_eq!(chart.x_range(), Some((1.0, 4.0)));
        assert_eq!(chart.value_range(), (-1.0, 5.0));
    }

    #[test]
    fn chart_round_trips_through_json() {
        let chart = waterfall();
        let json = serde_json::to_string(&chart).unwrap();
        assert!(json.contains("\"kind\":\"waterfall\""));
        let back: Chart = serde_json::from_str(&json).unwrap();
        assert_eq!(back, chart);
        let bad = json.replace("\"start\":0.1", "\"start\":0.1,\"extra\":1");
        assert!(serde_json::from_str::<Chart>(&bad).is_err());
    }
}
