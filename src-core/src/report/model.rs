//! The report as plain data: a title, footer metadata and an ordered list of blocks.
//!
//! Nothing here knows about pages or fonts; a decision memo is assembled from these blocks by
//! whoever owns the numbers, and [`crate::report::render_pdf`] lays them out.

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult};
use crate::report::chart::Chart;

/// Characters of the content hash shown in the footer: enough to tell versions apart.
pub const SHORT_HASH_CHARS: usize = 12;

/// A complete report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Title on the first page and in the PDF metadata.
    pub title: String,
    /// Line under the title; empty for none.
    #[serde(default)]
    pub subtitle: String,
    /// Who, when, from what.
    pub meta: ReportMeta,
    /// Content, in reading order.
    pub blocks: Vec<Block>,
}

/// Provenance printed under the title and in every page footer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportMeta {
    /// Author or owner of the decision.
    pub author: String,
    /// Date as it should be printed. When it starts with an ISO date (`2026-03-31`), that date
    /// also becomes the PDF creation date.
    pub date: String,
    /// Name of the workspace file the numbers came from.
    pub source_file: String,
    /// Content hash of that file (any text, usually hex); the footer shows its start.
    pub content_hash: String,
}

impl ReportMeta {
    /// The first [`SHORT_HASH_CHARS`] characters of the content hash.
    #[must_use]
    pub fn short_hash(&self) -> &str {
        match self.content_hash.char_indices().nth(SHORT_HASH_CHARS) {
            Some((end, _)) => self.content_hash.get(..end).unwrap_or(&self.content_hash),
            None => &self.content_hash,
        }
    }

    /// Year, month and day when [`Self::date`] starts with a valid `YYYY-MM-DD`.
    #[must_use]
    pub fn iso_date(&self) -> Option<(u16, u8, u8)> {
        let head = self.date.get(..10)?;
        let mut parts = head.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
    }
}

/// A run of text, bold or regular.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// The text; spaces inside it are break opportunities.
    pub text: String,
    /// Set in the bold face.
    #[serde(default)]
    pub bold: bool,
}

impl Span {
    /// A regular span.
    #[must_use]
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
        }
    }

    /// A bold span.
    #[must_use]
    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: true,
        }
    }
}

/// One `key: value` line of a key-value list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyValue {
    /// The name, set in bold.
    pub key: String,
    /// The value, wrapped if long.
    pub value: String,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Text.
    #[default]
    Left,
    /// Numbers and money, so digits line up.
    Right,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Header text, repeated on every page the table spans.
    pub header: String,
    /// Alignment of header and cells.
    #[serde(default)]
    pub align: Align,
}

impl Column {
    /// A left-aligned text column.
    #[must_use]
    pub fn text(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            align: Align::Left,
        }
    }

    /// A right-aligned number column.
    #[must_use]
    pub fn number(header: impl Into<String>) -> Self {
        Self {
            header: header.into(),
            align: Align::Right,
        }
    }

    /// A money column: always right-aligned so cents line up.
    #[must_use]
    pub fn money(header: impl Into<String>) -> Self {
        Self::number(header)
    }
}

/// A table row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// One already formatted cell per column.
    pub cells: Vec<String>,
    /// Set in bold on a tinted background (totals, the recommended option).
    #[serde(default)]
    pub emphasis: bool,
}

impl Row {
    /// A regular row.
    #[must_use]
    pub fn new<S: Into<String>>(cells: impl IntoIterator<Item = S>) -> Self {
        Self {
            cells: cells.into_iter().map(Into::into).collect(),
            emphasis: false,
        }
    }

    /// An emphasised row.
    #[must_use]
    pub fn emphasized<S: Into<String>>(cells: impl IntoIterator<Item = S>) -> Self {
        Self {
            emphasis: true,
            ..Self::new(cells)
        }
    }
}

/// A table of formatted cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Caption above the table, repeated with "(continued)" on later pages.
    #[serde(default)]
    pub caption: Option<String>,
    /// Columns, left to right.
    pub columns: Vec<Column>,
    /// Rows, top to bottom.
    pub rows: Vec<Row>,
}

impl Table {
    /// Checks that there are columns and every row has one cell per column.
    pub fn validate(&self) -> InputResult<()> {
        if self.columns.is_empty() {
            return Err(InputError::new("columns", "must not be empty"));
        }
        for (i, row) in self.rows.iter().enumerate() {
            if row.cells.len() != self.columns.len() {
                return Err(InputError::new(
                    format!("rows[{i}].cells"),
                    format!(
                        "must hold one cell per column ({}), got {}",
                        self.columns.len(),
                        row.cells.len()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A person who signs the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Name.
    pub name: String,
    /// Role, e.g. `Finance owner`.
    pub role: String,
}

/// One piece of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A section heading, level 1 (largest) to 3.
    Heading {
        /// 1, 2 or 3.
        level: u8,
        /// The heading text.
        text: String,
    },
    /// Running text, wrapped to the page width.
    Paragraph {
        /// Regular and bold runs.
        spans: Vec<Span>,
    },
    /// A bulleted list.
    Bullets {
        /// One paragraph per bullet.
        items: Vec<Vec<Span>>,
    },
    /// Bold keys with their values.
    KeyValues {
        /// The lines.
        pairs: Vec<KeyValue>,
    },
    /// A table.
    Table(Table),
    /// A chart.
    Chart(Chart),
    /// Signature and date lines.
    SignOff {
        /// Who signs.
        signers: Vec<Signer>,
    },
    /// Continue on a new page.
    PageBreak,
}

impl Block {
    /// A heading.
    #[must_use]
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Self::Heading {
            level,
            text: text.into(),
        }
    }

    /// A paragraph of regular text.
    #[must_use]
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self::Paragraph {
            spans: vec![Span::plain(text)],
        }
    }

    /// A bullet list of regular text.
    #[must_use]
    pub fn bullets<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Self::Bullets {
            items: items.into_iter().map(|s| vec![Span::plain(s)]).collect(),
        }
    }

    /// A key-value list.
    #[must_use]
    pub fn key_values<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::KeyValues {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| KeyValue {
                    key: k.into(),
                    value: v.into(),
                })
                .collect(),
        }
    }
}

impl Report {
    /// Checks the title, heading levels, table shapes and chart data.
    pub fn validate(&self) -> InputResult<()> {
        if self.title.trim().is_empty() {
            return Err(InputError::new("title", "must not be empty"));
        }
        for (i, block) in self.blocks.iter().enumerate() {
            let at = format!("blocks[{i}]");
            match block {
                Block::Heading { level, .. } if !(1..=3).contains(level) => {
                    return Err(InputError::new(
                        format!("{at}.level"),
                        format!("must be 1, 2 or 3, got {level}"),
                    ));
                }
                Block::Table(t) => t.validate().map_err(|e| e.within(&at))?,
                Block::Chart(c) => c.validate().map_err(|e| e.within(&at))?,
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(date: &str, hash: &str) -> ReportMeta {
        ReportMeta {
            author: "A".into(),
            date: date.into(),
            source_file: "w.yaml".into(),
            content_hash: hash.into(),
        }
    }

    #[test]
    fn short_hash_cuts_at_twelve_characters() {
        assert_eq!(meta("", "0123456789abcdef").short_hash(), "0123456789ab");
        assert_eq!(meta("", "abc").short_hash(), "abc");
        // Multi-byte characters are cut on a character boundary.
        assert_eq!(meta("", "ééééééééééééé").short_hash().chars().count(), 12);
    }

    #[test]
    fn iso_date_is_read_only_when_valid() {
        assert_eq!(meta("2026-03-31", "").iso_date(), Some((2026, 3, 31)));
        assert_eq!(
            meta("2026-03-31 (quarter close)", "").iso_date(),
            Some((2026, 3, 31))
        );
        assert_eq!(meta("31 March 2026", "").iso_date(), None);
        assert_eq!(meta("2026-13-01", "").iso_date(), None);
        assert_eq!(meta("2026-1-01", "").iso_date(), None);
        assert_eq!(meta("", "").iso_date(), None);
    }

    #[test]
    fn validate_names_the_broken_block() {
        let mut report = Report {
            title: "Memo".into(),
            subtitle: String::new(),
            meta: meta("2026-01-01", "ab"),
            blocks: vec![
                Block::paragraph("x"),
                Block::Table(Table {
                    caption: None,
                    columns: vec![Column::text("a"), Column::money("b")],
                    rows: vec![Row::new(["1", "2"]), Row::new(["only one"])],
                }),
            ],
        };
        let e = report.validate().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("blocks[1].rows[1].cells must hold one cell per column (2), got 1")
        );
        report.blocks = vec![Block::heading(4, "too deep")];
        let e = report.validate().err().map(|e| e.field);
        assert_eq!(e.as_deref(), Some("blocks[0].level"));
        report.blocks = vec![Block::Table(Table {
            caption: None,
            columns: vec![],
            rows: vec![],
        })];
        assert!(report.validate().is_err());
        report.blocks = vec![Block::heading(3, "fine"), Block::PageBreak];
        assert!(report.validate().is_ok());
        report.title = "  ".into();
        assert!(report.validate().is_err());
    }

    #[test]
    fn money_columns_are_right_aligned() {
        assert_eq!(Column::money("LCPR").align, Align::Right);
        assert_eq!(Column::text("Route").align, Align::Left);
    }

    #[test]
    fn blocks_read_from_tagged_json() {
        let json = r#"[{"kind":"heading","level":2,"text":"Costs"},
                       {"kind":"paragraph","spans":[{"text":"a "},{"text":"b","bold":true}]},
                       {"kind":"page_break"}]"#;
        let blocks: Vec<Block> = serde_json::from_str(json).unwrap();
        assert_eq!(blocks[0], Block::heading(2, "Costs"));
        assert_eq!(
            blocks[1],
            Block::Paragraph {
                spans: vec![Span::plain("a "), Span::bold("b")]
            }
        );
        assert_eq!(blocks[2], Block::PageBreak);
        let extra = r#"{"kind":"heading","level":1,"text":"x","size":3}"#;
        assert!(serde_json::from_str::<Block>(extra).is_err());
    }

    #[test]
    fn a_report_with_tables_and_charts_round_trips_through_json() {
        use crate::report::chart::{
            Axis, Chart, ChartData, NumberFormat, WaterfallChart, WaterfallStep,
        };
        let report = Report {
            title: "Memo".into(),
            subtitle: "sub".into(),
            meta: meta("2026-01-01", "abc"),
            blocks: vec![
                Block::Table(Table {
                    caption: Some("c".into()),
                    columns: vec![Column::text("a"), Column::money("b")],
                    rows: vec![Row::emphasized(["x", "$1.00"])],
                }),
                Block::Chart(Chart {
                    title: "w".into(),
                    format: NumberFormat::Money { decimals: 2 },
                    data: ChartData::Waterfall(WaterfallChart {
                        start_label: "s".into(),
                        start: 1.0,
                        steps: vec![WaterfallStep {
                            label: "d".into(),
                            delta: -0.25,
                        }],
                        end_label: "e".into(),
                        value_axis: Axis::new("cost", "$"),
                    }),
                }),
                Block::SignOff {
                    signers: vec![Signer {
                        name: "n".into(),
                        role: "r".into(),
                    }],
                },
            ],
        };
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }
}
