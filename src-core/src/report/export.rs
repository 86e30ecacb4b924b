//! One chart as an image file: SVG written from the same drawing operations the PDF executes,
//! PNG rasterized from them with tiny-skia and the embedded fonts' outlines. A chart exported
//! from the workbench or by `lcpr export chart` is the figure in the memo.

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};

use crate::report::ReportError;
use crate::report::chart::{Chart, Rgb};
use crate::report::chart_draw::{chart_height, draw_chart};
use crate::report::draw::{Op, Rect};
use crate::report::fonts::{FontStyle, Fonts};

/// Width of an exported chart, points (the memo's text column is about as wide).
pub const CHART_WIDTH_PT: f32 = 560.0;
/// Blank margin around an exported chart, points.
const MARGIN_PT: f32 = 16.0;
/// Pixels per point of a PNG: 2 keeps text sharp on a slide and in a document.
pub const PNG_SCALE: f32 = 2.0;

/// An image format a chart exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Portable Network Graphics (pixels).
    Png,
    /// Scalable Vector Graphics (text and shapes).
    Svg,
}

impl ImageFormat {
    /// The file extension, without the dot.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
        }
    }
}

/// The chart's drawing and its page size in points.
fn layout(chart: &Chart) -> Result<(Fonts, Vec<Op>, f32, f32), ReportError> {
    chart.validate()?;
    let fonts = Fonts::load()?;
    let inner_w = CHART_WIDTH_PT - 2.0 * MARGIN_PT;
    let h = chart_height(chart, inner_w);
    let area = Rect {
        x: MARGIN_PT,
        y: MARGIN_PT,
        w: inner_w,
        h,
    };
    let ops = draw_chart(&fonts, chart, area);
    Ok((fonts, ops, CHART_WIDTH_PT, h + 2.0 * MARGIN_PT))
}

/// `chart` as an image file of `format`.
pub fn chart_image(chart: &Chart, format: ImageFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ImageFormat::Svg => chart_svg(chart).map(String::into_bytes),
        ImageFormat::Png => chart_png(chart),
    }
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn points_attr(points: &[(f32, f32)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.2},{y:.2}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `chart` as an SVG document, in points, with a white background; text names DejaVu Sans
/// (the face it was measured in) and falls back to any sans-serif.
pub fn chart_svg(chart: &Chart) -> Result<String, ReportError> {
    let (_, ops, w, h) = layout(chart)?;
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{w}pt\" height=\"{h}pt\" viewBox=\"0 0 {w} {h}\">\n<title>{}</title>\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
        escape(&chart.title)
    );
    for op in &ops {
        let line = match op {
            Op::Text {
                x,
                y,
                size,
                style,
                color,
                text,
            } => format!(
                "<text x=\"{x:.2}\" y=\"{y:.2}\" font-family=\"DejaVu Sans, sans-serif\" \
                 font-size=\"{size}\"{} fill=\"{}\" stroke=\"none\" xml:space=\"preserve\">{}</text>",
                if *style == FontStyle::Bold {
                    " font-weight=\"bold\""
                } else {
                    ""
                },
                hex(*color),
                escape(text)
            ),
            Op::Rect {
                rect,
                fill,
                opacity,
            } => format!(
                "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\" stroke=\"none\"{}/>",
                rect.x,
                rect.y,
                rect.w,
                rect.h,
                hex(*fill),
                opacity_attr(*opacity)
            ),
            Op::Polygon {
                points,
                fill,
                opacity,
            } => format!(
                "<polygon points=\"{}\" fill=\"{}\" stroke=\"none\"{}/>",
                points_attr(points),
                hex(*fill),
                opacity_attr(*opacity)
            ),
            Op::Line {
                points,
                width,
                color,
                dash,
            } => format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"{}/>",
                points_attr(points),
                hex(*color),
                dash.map_or_else(String::new, |d| format!(" stroke-dasharray=\"{d} {d}\""))
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("</svg>\n");
    Ok(out)
}

fn opacity_attr(opacity: f32) -> String {
    if opacity >= 1.0 {
        String::new()
    } else {
        format!(" fill-opacity=\"{opacity:.2}\"")
    }
}

/// A rendered chart: RGBA pixels, not premultiplied, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes.
    pub rgba: Vec<u8>,
}

/// `chart` rasterized at [`PNG_SCALE`] pixels per point.
pub fn chart_pixels(chart: &Chart) -> Result<ChartPixels, ReportError> {
    let pixmap = raster(chart)?;
    Ok(ChartPixels {
        width: pixmap.width(),
        height: pixmap.height(),
        rgba: pixmap.take_demultiplied(),
    })
}

/// `chart` as a PNG file at [`PNG_SCALE`] pixels per point.
pub fn chart_png(chart: &Chart) -> Result<Vec<u8>, ReportError> {
    raster(chart)?
        .encode_png()
        .map_err(|e| ReportError::Image(e.to_string()))
}

fn paint(color: Rgb, opacity: f32) -> tiny_skia::Paint<'static> {
    let mut p = tiny_skia::Paint::default();
    p.set_color_rgba8(
        color.r,
        color.g,
        color.b,
        (opacity.clamp(0.0, 1.0) * 255.0).round() as u8,
    );
    p.anti_alias = true;
    p
}

fn polygon_path(points: &[(f32, f32)], close: bool) -> Option<tiny_skia::Path> {
    let mut pb = tiny_skia::PathBuilder::new();
    let (first, rest) = points.split_first()?;
    pb.move_to(first.0, first.1);
    for (x, y) in rest {
        pb.line_to(*x, *y);
    }
    if close {
        pb.close();
    }
    pb.finish()
}

/// Collects a glyph outline (font units scaled to the size, y up) into a path placed at a
/// pen position on the page (y down).
struct GlyphPen {
    pb: tiny_skia::PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for GlyphPen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.pb.move_to(self.x + x, self.y - y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.pb.line_to(self.x + x, self.y - y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.pb
            .quad_to(self.x + cx0, self.y - cy0, self.x + x, self.y - y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.pb.cubic_to(
            self.x + cx0,
            self.y - cy0,
            self.x + cx1,
            self.y - cy1,
            self.x + x,
            self.y - y,
        );
    }
    fn close(&mut self) {
        self.pb.close();
    }
}

fn raster(chart: &Chart) -> Result<tiny_skia::Pixmap, ReportError> {
    let (fonts, ops, w, h) = layout(chart)?;
    let (pw, ph) = ((w * PNG_SCALE).ceil() as u32, (h * PNG_SCALE).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(pw, ph)
        .ok_or_else(|| ReportError::Image(format!("cannot make a {pw}×{ph} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let t = tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE);
    let faces = [
        (
            FontStyle::Regular,
            FontRef::new(Fonts::data(FontStyle::Regular)).map_err(|_| ReportError::Font {
                name: "DejaVuSans.ttf",
            })?,
        ),
        (
            FontStyle::Bold,
            FontRef::new(Fonts::data(FontStyle::Bold)).map_err(|_| ReportError::Font {
                name: "DejaVuSans-Bold.ttf",
            })?,
        ),
    ];
    for op in &ops {
        match op {
            Op::Rect {
                rect,
                fill,
                opacity,
            } => {
                if let Some(r) = tiny_skia::Rect::from_xywh(rect.x, rect.y, rect.w, rect.h) {
                    pixmap.fill_rect(r, &paint(*fill, *opacity), t, None);
                }
            }
            Op::Polygon {
                points,
                fill,
                opacity,
            } => {
                if let Some(path) = polygon_path(points, true) {
                    pixmap.fill_path(
                        &path,
                        &paint(*fill, *opacity),
                        tiny_skia::FillRule::Winding,
                        t,
                        None,
                    );
                }
            }
            Op::Line {
                points,
                width,
                color,
                dash,
            } => {
                if let Some(path) = polygon_path(points, false) {
                    let stroke = tiny_skia::Stroke {
                        width: *width,
                        dash: dash.and_then(|d| tiny_skia::StrokeDash::new(vec![d, d], 0.0)),
                        ..tiny_skia::Stroke::default()
                    };
                    pixmap.stroke_path(&path, &paint(*color, 1.0), &stroke, t, None);
                }
            }
            Op::Text {
                x,
                y,
                size,
                style,
                color,
                text,
            } => {
                let Some((_, font)) = faces.iter().find(|(s, _)| s == style) else {
                    continue;
                };
                let outlines = font.outline_glyphs();
                let mut pen = GlyphPen {
                    pb: tiny_skia::PathBuilder::new(),
                    x: *x,
                    y: *y,
                };
                for (gid, advance) in fonts.glyph_advances(text, *style) {
                    if let Some(glyph) = outlines.get(gid) {
                        // A glyph that cannot be drawn is left out, as a PDF viewer would.
                        let _ = glyph.draw(
                            DrawSettings::unhinted(Size::new(*size), LocationRef::default()),
                            &mut pen,
                        );
                    }
                    pen.x += advance * size;
                }
                if let Some(path) = pen.pb.finish() {
                    pixmap.fill_path(
                        &path,
                        &paint(*color, 1.0),
                        tiny_skia::FillRule::Winding,
                        t,
                        None,
                    );
                }
            }
        }
    }
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_charts() -> Vec<Chart> {
        let ws = crate::report::memo::tests::example();
        let eval = crate::case::evaluation::evaluate(&ws);
        let mut charts = vec![crate::report::figures::compare_chart(&eval).unwrap()];
        let f = crate::decide::forecast::forecast(ws.forecast.as_ref().unwrap(), 300, 7).unwrap();
        charts.push(crate::report::figures::forecast_fan_chart(&f));
        charts
    }

    #[test]
    fn svg_keeps_every_series_colour_and_name() {
        for chart in example_charts() {
            let svg = chart_svg(&chart).unwrap();
            assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
            assert_eq!(svg.matches("<svg").count(), 1);
            for (name, color) in chart.series_colors() {
                assert!(
                    svg.contains(&hex(color)),
                    "{}: {name}'s colour",
                    chart.title
                );
            }
            for e in chart.legend() {
                assert!(svg.contains(&escape(&e.label)), "{}", e.label);
            }
        }
    }

    #[test]
    fn png_is_a_png_of_the_chart_size_with_its_colours() {
        let chart = example_charts().remove(0);
        let png = chart_png(&chart).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let px = chart_pixels(&chart).unwrap();
        assert_eq!(px.width, (CHART_WIDTH_PT * PNG_SCALE).ceil() as u32);
        assert_eq!(px.rgba.len(), (px.width * px.height * 4) as usize);
        // Each component's solid colour is found somewhere in the pixels.
        for (name, c) in chart.series_colors() {
            assert!(
                px.rgba
                    .chunks(4)
                    .any(|p| p[0] == c.r && p[1] == c.g && p[2] == c.b),
                "{name}'s colour is not in the PNG"
            );
        }
        // Text is drawn: dark ink pixels exist.
        assert!(
            px.rgba
                .chunks(4)
                .any(|p| p[0] < 60 && p[1] < 60 && p[2] < 60)
        );
    }

    #[test]
    fn svg_escapes_markup_in_names() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
