//! Drawing operations: what layout decides and the PDF writer executes.
//!
//! Layout produces a list of these per page, in points with the origin at the top-left corner
//! and y growing downwards (krilla's convention), so layout can be tested without writing a
//! PDF and the writer stays a thin translation.

use crate::report::chart::Rgb;
use crate::report::fonts::FontStyle;

/// Body text colour.
pub(crate) const INK: Rgb = Rgb::new(33, 33, 33);
/// Secondary text (subtitles, footers, axis labels).
pub(crate) const MUTED: Rgb = Rgb::new(100, 100, 100);
/// Rules and axis lines.
pub(crate) const RULE: Rgb = Rgb::new(150, 150, 150);
/// Gridlines and table separators.
pub(crate) const HAIRLINE: Rgb = Rgb::new(215, 215, 215);
/// Table header background.
pub(crate) const HEADER_FILL: Rgb = Rgb::new(232, 236, 241);
/// Background of emphasised table rows.
pub(crate) const EMPHASIS_FILL: Rgb = Rgb::new(244, 246, 249);

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// Right edge.
    pub(crate) fn right(&self) -> f32 {
        self.x + self.w
    }

    /// Bottom edge.
    pub(crate) fn bottom(&self) -> f32 {
        self.y + self.h
    }
}

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A single line of text starting at `x` on the baseline `y`.
    Text {
        /// Left end of the text.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Face.
        style: FontStyle,
        /// Colour.
        color: Rgb,
        /// The text; never contains a line break.
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// The box.
        rect: Rect,
        /// Fill colour.
        fill: Rgb,
        /// Fill opacity in [0, 1].
        opacity: f32,
    },
    /// A filled closed polygon.
    Polygon {
        /// Corners, in order.
        points: Vec<(f32, f32)>,
        /// Fill colour.
        fill: Rgb,
        /// Fill opacity in [0, 1].
        opacity: f32,
    },
    /// A stroked open polyline.
    Line {
        /// Vertices, in order.
        points: Vec<(f32, f32)>,
        /// Stroke width in points.
        width: f32,
        /// Colour.
        color: Rgb,
        /// Dash length (equal gaps), or solid.
        dash: Option<f32>,
    },
}

impl Op {
    /// A straight solid or dashed segment.
    pub(crate) fn segment(
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Rgb,
        dash: Option<f32>,
    ) -> Self {
        Self::Line {
            points: vec![from, to],
            width,
            color,
            dash,
        }
    }

    /// An opaque filled rectangle.
    pub(crate) fn fill(rect: Rect, fill: Rgb) -> Self {
        Self::Rect {
            rect,
            fill,
            opacity: 1.0,
        }
    }

    /// The text of a text operation.
    #[cfg(test)]
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Text { text, .. } => Some(text),
            _ => None,
        }
    }
}
