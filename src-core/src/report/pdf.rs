//! Writes laid-out pages to PDF with krilla: text as embedded, subset fonts (so it can be
//! searched and copied), everything else as vector paths, plus document metadata and an
//! outline of the headings.

use krilla::Document;
use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke, StrokeDash};
use krilla::surface::Surface;

use crate::report::ReportError;
use crate::report::chart::Rgb;
use crate::report::draw::Op;
use crate::report::fonts::Fonts;
use crate::report::layout::{Laid, OutlineEntry};
use crate::report::model::Report;

/// Name written as the PDF's creator.
const CREATOR: &str = "LCPR Workbench";

/// The PDF bytes of `laid`, with metadata from `report`.
pub(crate) fn write_pdf(
    laid: &Laid,
    report: &Report,
    fonts: &Fonts,
) -> Result<Vec<u8>, ReportError> {
    let mut document = Document::new();
    for ops in &laid.pages {
        let settings = PageSettings::from_wh(laid.width, laid.height).ok_or_else(|| {
            ReportError::Pdf(format!(
                "invalid page size {} × {}",
                laid.width, laid.height
            ))
        })?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, fonts);
        }
        surface.finish();
        page.finish();
    }
    document.set_metadata(metadata(report));
    document.set_outline(outline(&laid.outline, laid.pages.len()));
    document
        .finish()
        .map_err(|e| ReportError::Pdf(e.to_string()))
}

fn metadata(report: &Report) -> Metadata {
    let mut metadata = Metadata::new()
        .title(report.title.clone())
        .description(report.subtitle.clone())
        .creator(CREATOR.to_owned())
        .language("en".to_owned());
    if !report.meta.author.is_empty() {
        metadata = metadata.authors(vec![report.meta.author.clone()]);
    }
    if let Some((year, month, day)) = report.meta.iso_date() {
        metadata = metadata.creation_date(DateTime::new(year).month(month).day(day));
    }
    metadata
}

/// A heading with the headings nested under it.
struct Node<'a> {
    entry: &'a OutlineEntry,
    children: Vec<Node<'a>>,
}

fn insert<'a>(nodes: &mut Vec<Node<'a>>, entry: &'a OutlineEntry) {
    match nodes.last_mut() {
        Some(last) if last.entry.level < entry.level => insert(&mut last.children, entry),
        _ => nodes.push(Node {
            entry,
            children: Vec::new(),
        }),
    }
}

fn to_krilla(node: Node<'_>) -> OutlineNode {
    let destination = XyzDestination::new(node.entry.page, Point::from_xy(0.0, node.entry.y));
    let mut out = OutlineNode::new(node.entry.text.clone(), destination);
    for child in node.children {
        out.push_child(to_krilla(child));
    }
    out
}

/// Headings nested by level; entries pointing past the last page are dropped (krilla refuses
/// them by panicking).
fn outline(entries: &[OutlineEntry], pages: usize) -> Outline {
    let mut roots = Vec::new();
    for entry in entries.iter().filter(|e| e.page < pages) {
        insert(&mut roots, entry);
    }
    let mut outline = Outline::new();
    for node in roots {
        outline.push_child(to_krilla(node));
    }
    outline
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.r, c.g, c.b)
}

fn fill(c: Rgb, opacity: f32) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE),
        rule: Default::default(),
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, fonts: &Fonts) {
    match op {
        Op::Text {
            x,
            y,
            size,
            style,
            color: c,
            text,
        } => {
            let glyphs = fonts.glyphs(text, *style);
            if glyphs.is_empty() {
                return;
            }
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*c, 1.0)));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                fonts.pdf_font(*style),
                text,
                *size,
                false,
            );
        }
        Op::Rect {
            rect,
            fill: c,
            opacity,
        } => {
            if rect.w <= 0.0 || rect.h <= 0.0 {
                return;
            }
            let Some(r) = krilla::geom::Rect::from_xywh(rect.x, rect.y, rect.w, rect.h) else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(r);
            if let Some(path) = builder.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*c, *opacity)));
                surface.draw_path(&path);
            }
        }
        Op::Polygon {
            points,
            fill: c,
            opacity,
        } => {
            if let Some(path) = polyline(points, true) {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*c, *opacity)));
                surface.draw_path(&path);
            }
        }
        Op::Line {
            points,
            width,
            color: c,
            dash,
        } => {
            if let Some(path) = polyline(points, false) {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: color(*c).into(),
                    width: *width,
                    line_cap: LineCap::Butt,
                    line_join: LineJoin::Round,
                    dash: dash.map(|d| StrokeDash {
                        array: vec![d, d],
                        offset: 0.0,
                    }),
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
    }
}

fn polyline(points: &[(f32, f32)], close: bool) -> Option<krilla::geom::Path> {
    let ((x0, y0), rest) = points.split_first()?;
    let mut builder = PathBuilder::new();
    builder.move_to(*x0, *y0);
    for (x, y) in rest {
        builder.line_to(*x, *y);
    }
    if close {
        builder.close();
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: u8, text: &str, page: usize) -> OutlineEntry {
        OutlineEntry {
            level,
            text: text.into(),
            page,
            y: 10.0,
        }
    }

    #[test]
    fn outline_nests_by_level() {
        let entries = vec![
            entry(2, "orphan", 0),
            entry(1, "a", 0),
            entry(2, "a.1", 0),
            entry(3, "a.1.i", 1),
            entry(2, "a.2", 1),
            entry(1, "b", 1),
        ];
        let mut roots = Vec::new();
        for e in &entries {
            insert(&mut roots, e);
        }
        let shape: Vec<(&str, usize)> = roots
            .iter()
            .map(|n| (n.entry.text.as_str(), n.children.len()))
            .collect();
        assert_eq!(shape, vec![("orphan", 0), ("a", 2), ("b", 0)]);
        assert_eq!(roots[1].children[0].children[0].entry.text, "a.1.i");
    }

    #[test]
    fn polylines_need_a_point() {
        assert!(polyline(&[], false).is_none());
        assert!(polyline(&[(0.0, 0.0), (10.0, 5.0)], false).is_some());
        assert!(polyline(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0)], true).is_some());
    }
}
