//! The two embedded faces (DejaVu Sans and DejaVu Sans Bold), text measurement and glyph runs.
//!
//! The fonts ship in the repository (`src-core/assets/fonts/`, Bitstream Vera licence with the
//! DejaVu changes in the public domain) and are compiled in, so a report looks the same on every
//! machine and needs no system fonts. krilla embeds only the glyphs a report uses.
//!
//! Text is measured and drawn from the same numbers: each character maps to its nominal glyph
//! and advances by that glyph's width from `hmtx`, and the PDF writer places exactly those
//! glyphs. There is no kerning and no ligatures, so a measured width is the drawn width (right
//! alignment of money columns depends on it) and copied text is the text that went in.
//!
//! Coverage: DejaVu Sans has Latin, Greek and Cyrillic, the arrows (→ ← ↑ ↓), the math signs
//! used in reports (≤ ≥ × ± − ≈ ÷), currency (€ £ ¥ $), typographic punctuation (• — – … ‘ ’ “ ”
//! · ′ ″), the check marks ✓ ✗ and the basic emoticons. It has no CJK and no Indic scripts. A character neither face has is
//! drawn as `?` (and never panics); [`unsupported_chars`] lists such characters so a caller can
//! warn before rendering. Control characters other than those the layout handles are dropped.

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::report::ReportError;

/// DejaVu Sans, regular: the memo's text face, and the workbench's fallback for symbols
/// (arrows, ≤, ⚠, ▶) its default fonts lack.
pub static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Which face a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FontStyle {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// One face: its character map, advances and the krilla handle used to embed it.
struct Face {
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Glyph drawn for a character the face lacks: `?`, or `.notdef` if even that is missing.
    fallback: skrifa::GlyphId,
    pdf: krilla::text::Font,
}

impl Face {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Self, ReportError> {
        let font = FontRef::new(data).map_err(|_| ReportError::Font { name })?;
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        if units_per_em <= 0.0 {
            return Err(ReportError::Font { name });
        }
        let charmap = font.charmap();
        let fallback = charmap.map('?').unwrap_or(skrifa::GlyphId::NOTDEF);
        let pdf = krilla::text::Font::new(data.into(), 0).ok_or(ReportError::Font { name })?;
        Ok(Self {
            charmap,
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            fallback,
            pdf,
        })
    }

    /// The glyph for `ch` and its advance in em.
    fn glyph(&self, ch: char) -> (skrifa::GlyphId, f32) {
        let gid = self.charmap.map(ch).unwrap_or(self.fallback);
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        (gid, advance)
    }
}

/// The report's fonts.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
    /// Ascender above the baseline, in em.
    ascent: f32,
    /// Descender below the baseline, in em (positive).
    descent: f32,
}

impl Fonts {
    /// Reads the embedded faces.
    pub(crate) fn load() -> Result<Self, ReportError> {
        let font = FontRef::new(REGULAR).map_err(|_| ReportError::Font {
            name: "DejaVuSans.ttf",
        })?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em).max(1.0);
        Ok(Self {
            regular: Face::load("DejaVuSans.ttf", REGULAR)?,
            bold: Face::load("DejaVuSans-Bold.ttf", BOLD)?,
            ascent: m.ascent / upem,
            descent: -m.descent / upem,
        })
    }

    fn face(&self, style: FontStyle) -> &Face {
        match style {
            FontStyle::Regular => &self.regular,
            FontStyle::Bold => &self.bold,
        }
    }

    /// Ascender in em: the baseline sits this far below the top of a line box.
    pub(crate) fn ascent(&self) -> f32 {
        self.ascent
    }

    /// Descender in em (positive).
    pub(crate) fn descent(&self) -> f32 {
        self.descent
    }

    /// Width of `text` set at `size` points.
    pub(crate) fn width(&self, text: &str, style: FontStyle, size: f32) -> f32 {
        let face = self.face(style);
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| face.glyph(c).1)
            .sum::<f32>()
            * size
    }

    /// The glyphs krilla draws for `text`, each tied to its character for copy and search.
    pub(crate) fn glyphs(&self, text: &str, style: FontStyle) -> Vec<KrillaGlyph> {
        let face = self.face(style);
        text.char_indices()
            .filter(|(_, c)| !c.is_control())
            .map(|(i, c)| {
                let (gid, advance) = face.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(gid.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// Each drawn character's glyph and advance in em, as [`Fonts::glyphs`] places them: what
    /// a rasterizer needs to draw the same text.
    pub(crate) fn glyph_advances(
        &self,
        text: &str,
        style: FontStyle,
    ) -> Vec<(skrifa::GlyphId, f32)> {
        let face = self.face(style);
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| face.glyph(c))
            .collect()
    }

    /// The font file of a face.
    pub(crate) fn data(style: FontStyle) -> &'static [u8] {
        match style {
            FontStyle::Regular => REGULAR,
            FontStyle::Bold => BOLD,
        }
    }

    /// The krilla font of a face.
    pub(crate) fn pdf_font(&self, style: FontStyle) -> krilla::text::Font {
        self.face(style).pdf.clone()
    }

    /// Characters of `text` that either face lacks (control characters excepted), sorted.
    pub(crate) fn unsupported(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|&c| {
                !c.is_control()
                    && (self.regular.charmap.map(c).is_none() || self.bold.charmap.map(c).is_none())
            })
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }
}

/// Characters of `text` the report fonts cannot draw (they would print as `?`), sorted and
/// without repeats.
pub fn unsupported_chars(text: &str) -> Result<Vec<char>, ReportError> {
    Ok(Fonts::load()?.unsupported(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_symbols_reports_use_are_covered() {
        let fonts = Fonts::load().unwrap();
        let used = "→ ← ↑ ↓ ≤ ≥ × ± − ≈ € £ $ • — – … · ✓ ✗ “quoted” ‘x’ µ ° ½ ÷ ≠ % p10–p90";
        assert_eq!(fonts.unsupported(used), Vec::<char>::new());
        // CJK and Devanagari are not covered; sorted by code point.
        assert_eq!(fonts.unsupported("ok 本日 क"), vec!['क', '日', '本']);
    }

    #[test]
    fn widths_add_up_and_scale_with_size() {
        let fonts = Fonts::load().unwrap();
        let a = fonts.width("LCPR", FontStyle::Regular, 10.0);
        let b = fonts.width(" $0.0412", FontStyle::Regular, 10.0);
        let ab = fonts.width("LCPR $0.0412", FontStyle::Regular, 10.0);
        assert!((a + b - ab).abs() < 1e-3);
        assert!((fonts.width("LCPR", FontStyle::Regular, 20.0) - 2.0 * a).abs() < 1e-3);
        assert!(fonts.width("LCPR", FontStyle::Bold, 10.0) > a);
        // DejaVu digits are tabular: every digit has the same advance, so columns line up.
        let one = fonts.width("1", FontStyle::Regular, 10.0);
        let eight = fonts.width("8", FontStyle::Regular, 10.0);
        assert!((one - eight).abs() < 1e-6);
        assert_eq!(fonts.width("", FontStyle::Bold, 10.0), 0.0);
    }

    #[test]
    fn missing_characters_fall_back_without_panicking() {
        let fonts = Fonts::load().unwrap();
        let question = fonts.glyphs("?", FontStyle::Regular);
        let missing = fonts.glyphs("日", FontStyle::Regular);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].glyph_id, question[0].glyph_id);
        assert_eq!(missing[0].text_range, 0..3);
        // Control characters produce no glyph and no width.
        assert!(fonts.glyphs("\u{7}", FontStyle::Regular).is_empty());
        assert_eq!(
            fonts.width("a\u{7}", FontStyle::Regular, 10.0),
            fonts.width("a", FontStyle::Regular, 10.0)
        );
    }

    #[test]
    fn vertical_metrics_are_plausible() {
        let fonts = Fonts::load().unwrap();
        assert!(fonts.ascent() > 0.7 && fonts.ascent() < 1.1);
        assert!(fonts.descent() > 0.1 && fonts.descent() < 0.4);
        assert_eq!(unsupported_chars("→").unwrap(), Vec::<char>::new());
    }
}
