//! A slide deck for the review meeting: a title page, then one chart per page with its
//! takeaway sentence and its place in the deck ("3 / 9"). The window's presenter mode shows
//! the same pages, in the same order, from the same charts.

use super::chart::Chart;
use super::{Block, PageSize, RenderOptions, Report, ReportMeta, Span};

/// One slide: a chart and the sentence it is shown for.
#[derive(Debug, Clone, PartialEq)]
pub struct Slide {
    /// The chart (its title is the slide's title).
    pub chart: Chart,
    /// What the audience should take away, when the view states one.
    pub takeaway: Option<String>,
}

/// The counter shown on slide `i` (from 0) of `n`: `3 / 9`.
#[must_use]
pub fn counter(i: usize, n: usize) -> String {
    format!("{} / {n}", i + 1)
}

/// Page setup of a deck: landscape slides with the narrowest margin the footer allows.
#[must_use]
pub fn slide_options() -> RenderOptions {
    RenderOptions {
        page_size: PageSize::Slide,
        margin_pt: super::MIN_MARGIN_PT,
    }
}

/// The deck: `title` and `subtitle` on the first page, then each slide on its own page.
#[must_use]
pub fn deck(title: &str, subtitle: &str, meta: ReportMeta, slides: &[Slide]) -> Report {
    let n = slides.len();
    let mut blocks = vec![Block::paragraph(format!(
        "{n} slide(s), one chart each, as the workbench's presenter mode shows them."
    ))];
    for (i, s) in slides.iter().enumerate() {
        blocks.push(Block::PageBreak);
        let mut spans = vec![Span::bold(counter(i, n))];
        if let Some(t) = &s.takeaway {
            spans.push(Span::plain(format!("  {t}")));
        }
        blocks.push(Block::Paragraph { spans });
        blocks.push(Block::Chart(s.chart.clone()));
    }
    Report {
        title: title.to_owned(),
        subtitle: subtitle.to_owned(),
        meta,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deck_is_a_title_page_and_one_page_per_chart() {
        let ws = crate::report::memo::tests::example();
        let eval = crate::case::evaluation::evaluate(&ws);
        let chart = crate::report::figures::compare_chart(&eval).unwrap();
        let slides = vec![
            Slide {
                chart: chart.clone(),
                takeaway: Some("GPT-5.4 stays cheapest".into()),
            },
            Slide {
                chart,
                takeaway: None,
            },
        ];
        let report = deck("Support", "Review", ReportMeta::default(), &slides);
        let laid = crate::report::layout::layout(
            &report,
            &slide_options(),
            &crate::report::fonts::Fonts::load().unwrap(),
        );
        assert_eq!(laid.pages.len(), 3, "a title page and two slides");
        assert_eq!((laid.width, laid.height), (640.0, 360.0));
        let text = |page: &Vec<crate::report::draw::Op>| -> String {
            page.iter()
                .filter_map(|op| match op {
                    crate::report::draw::Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(text(&laid.pages[1]).contains("1 / 2"));
        assert!(text(&laid.pages[1]).contains("GPT-5.4 stays cheapest"));
        assert!(text(&laid.pages[2]).contains("2 / 2"));
        assert!(text(&laid.pages[2]).contains("LCPR by route"));
        assert!(render_ok(&report));
    }

    fn render_ok(report: &Report) -> bool {
        crate::report::render_pdf(report, &slide_options()).is_ok()
    }
}
