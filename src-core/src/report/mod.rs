//! Reports: a plain-data model of a decision memo and its rendering to PDF.
//!
//! A [`Report`] is a title, provenance ([`ReportMeta`]: owner, date, source file and content
//! hash) and blocks: headings, paragraphs with bold spans, bullets, key-value lists, tables,
//! charts ([`crate::report::chart`]), sign-off lines and page breaks. [`render_pdf`] lays it out on A4
//! or US Letter pages and writes a self-contained PDF: the fonts are embedded (subset), charts
//! are vector drawings of the same data the desktop plots, and every page footer carries the
//! date, the source file with a short hash and "page N of M", so a printed page can be traced
//! back to the workspace version it came from. [`table_to_csv`] exports any table.
//!
//! The layout is done here rather than by a typesetting engine because reports are simple and
//! must not depend on system fonts or external tools; the `layout` file states the rules.
//!
//! Files: `chart` (the chart data every face plots), `figures` (the charts of a workspace, for the
//! GUI and the PDF alike), `glossary` (every term with its meaning and formula), `memo` (the memo, review pack and chargeback builders), `slides` (a deck of charts), `model` (the data), `csv`, `fonts` (embedded faces and measurement), `text` (word
//! wrap), `draw` (drawing operations), `chart_draw` (charts), `layout` (pages), `pdf` (writer).

pub mod chart;
mod chart_draw;
mod csv;
mod draw;
pub mod export;
pub mod figures;
mod fonts;
pub mod glossary;
mod layout;
pub mod memo;
mod model;
mod pdf;
pub mod plan_chart;
pub mod slides;
mod text;

pub use csv::table_to_csv;
pub use fonts::{REGULAR as DEJAVU_SANS, unsupported_chars};
pub use model::{
    Align, Block, Column, KeyValue, Report, ReportMeta, Row, SHORT_HASH_CHARS, Signer, Span, Table,
};

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult};

/// Narrowest margin: the footer sits inside the bottom margin and needs about half an inch.
pub const MIN_MARGIN_PT: f32 = 36.0;
/// Widest margin (two inches).
pub const MAX_MARGIN_PT: f32 = 144.0;

/// Why a report could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The report or the options break a rule (empty title, ragged table, non-finite chart
    /// value, margin out of range).
    #[error(transparent)]
    Input(#[from] InputError),
    /// An embedded font could not be read.
    #[error("embedded font {name} could not be read")]
    Font {
        /// File name of the font.
        name: &'static str,
    },
    /// The PDF writer refused the document.
    #[error("PDF could not be written: {0}")]
    Pdf(String),
    /// An image could not be made or encoded.
    #[error("image could not be written: {0}")]
    Image(String),
}

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSize {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// A 16:9 landscape slide, 640 × 360 pt: the same fonts read at twice an A4 page's scale
    /// when projected.
    Slide,
}

/// Page setup.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderOptions {
    /// Paper size.
    #[serde(default)]
    pub page_size: PageSize,
    /// Margin on every side, in points (1/72 in).
    #[serde(default = "default_margin")]
    pub margin_pt: f32,
}

fn default_margin() -> f32 {
    // 20 mm.
    56.69
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            page_size: PageSize::A4,
            margin_pt: default_margin(),
        }
    }
}

impl RenderOptions {
    /// Checks the margin.
    pub fn validate(&self) -> InputResult<()> {
        if self.margin_pt.is_finite() && (MIN_MARGIN_PT..=MAX_MARGIN_PT).contains(&self.margin_pt) {
            Ok(())
        } else {
            Err(InputError::new(
                "margin_pt",
                format!(
                    "must lie in [{MIN_MARGIN_PT}, {MAX_MARGIN_PT}], got {}",
                    self.margin_pt
                ),
            ))
        }
    }
}

/// Renders `report` to PDF bytes.
///
/// Refuses an invalid report or options ([`ReportError::Input`]); never panics on text the
/// fonts lack (such characters print as `?`, see [`unsupported_chars`]).
pub fn render_pdf(report: &Report, options: &RenderOptions) -> Result<Vec<u8>, ReportError> {
    report.validate()?;
    options.validate().map_err(|e| e.within("options"))?;
    let fonts = fonts::Fonts::load()?;
    let laid = layout::layout(report, options, &fonts);
    pdf::write_pdf(&laid, report, &fonts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            title: "Memo".into(),
            subtitle: String::new(),
            meta: ReportMeta::default(),
            blocks: vec![Block::paragraph(
                "Costs → down; p95 ≤ 2 s; 3 × cheaper; €12 • ok",
            )],
        }
    }

    #[test]
    fn renders_a_minimal_report() {
        let pdf = render_pdf(&report(), &RenderOptions::default()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // Subset fonts keep a one-page report small.
        assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    }

    #[test]
    fn refuses_bad_input_with_a_typed_error() {
        let mut r = report();
        r.title.clear();
        assert!(matches!(
            render_pdf(&r, &RenderOptions::default()),
            Err(ReportError::Input(e)) if e.field == "title"
        ));
        let options = RenderOptions {
            margin_pt: 10.0,
            ..RenderOptions::default()
        };
        let e = render_pdf(&report(), &options).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("options.margin_pt must lie in [36, 144], got 10".into())
        );
        let nan = RenderOptions {
            margin_pt: f32::NAN,
            ..RenderOptions::default()
        };
        assert!(nan.validate().is_err());
    }

    #[test]
    fn text_outside_the_fonts_still_renders() {
        let mut r = report();
        r.blocks = vec![Block::paragraph("日本語 क \u{7} tab\there")];
        assert!(render_pdf(&r, &RenderOptions::default()).is_ok());
        assert_eq!(unsupported_chars("a日").unwrap(), vec!['日']);
    }
}
