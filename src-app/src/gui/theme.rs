//! Design tokens: spacing, sizes and colours shared by every panel and view.

use egui::{Color32, Context, FontId, TextStyle, Visuals};
use lcpr_core::report::chart::Rgb;

/// Width of the navigator panel.
pub const NAVIGATOR_WIDTH: f32 = 250.0;
/// Width of the editor panel.
pub const EDITOR_WIDTH: f32 = 380.0;
/// Width of numeric entry boxes.
pub const FIELD_WIDTH: f32 = 110.0;
/// Width of field labels in editors.
pub const LABEL_WIDTH: f32 = 170.0;
/// Height of charts in the normal layout.
pub const CHART_HEIGHT: f32 = 360.0;
/// Zoom applied in presenter mode, so a room can read the chart.
pub const PRESENTER_ZOOM: f32 = 1.6;

/// A chart palette colour as egui's colour.
#[must_use]
pub fn color(rgb: Rgb) -> Color32 {
    Color32::from_rgb(rgb.r, rgb.g, rgb.b)
}

/// The colour of an error message in the current theme.
#[must_use]
pub fn error_color(visuals: &Visuals) -> Color32 {
    visuals.error_fg_color
}

/// The colour of a warning (a flagged delta, an unpriced row).
#[must_use]
pub fn warn_color(visuals: &Visuals) -> Color32 {
    visuals.warn_fg_color
}

/// Adds DejaVu Sans behind egui's default faces, for the symbols (⚠ ▶ ⚑ ● ≤ →) they lack.
pub fn install_fonts(ctx: &Context) {
    use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
    ctx.add_font(FontInsert::new(
        "DejaVuSans",
        FontData::from_static(lcpr_core::report::DEJAVU_SANS),
        vec![
            InsertFontFamily {
                family: egui::FontFamily::Proportional,
                priority: FontPriority::Lowest,
            },
            InsertFontFamily {
                family: egui::FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}

/// Applies the light or dark theme and the text sizes.
pub fn apply(ctx: &Context, dark: bool) {
    ctx.set_visuals(if dark {
        Visuals::dark()
    } else {
        Visuals::light()
    });
    ctx.all_styles_mut(|style| {
        style
            .text_styles
            .insert(TextStyle::Heading, FontId::proportional(20.0));
        style
            .text_styles
            .insert(TextStyle::Body, FontId::proportional(14.0));
        style
            .text_styles
            .insert(TextStyle::Button, FontId::proportional(14.0));
        style
            .text_styles
            .insert(TextStyle::Small, FontId::proportional(11.5));
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
    });
}
