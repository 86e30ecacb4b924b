//! Page layout: flows the blocks of a report down pages and adds the footers.
//!
//! A cursor moves down the content box; a block that does not fit in what is left of a page
//! moves to the next one. Paragraphs and tables split between lines and rows, a table repeats
//! its caption ("continued") and header row on every page it spans, a heading is kept with
//! the lines after it, and charts, key-value pairs and signature blocks are kept whole. Only
//! after the last page is known are footers drawn, because each says "page N of M".

use crate::report::chart::Rgb;
use crate::report::chart_draw::{chart_height, draw_chart};
use crate::report::draw::{EMPHASIS_FILL, HAIRLINE, HEADER_FILL, INK, MUTED, Op, RULE, Rect};
use crate::report::fonts::{FontStyle, Fonts};
use crate::report::model::{Align, Block, KeyValue, Report, Signer, Span, Table};
use crate::report::text::{Line, ellipsize, wrap};
use crate::report::{PageSize, RenderOptions};

const BODY_SIZE: f32 = 10.0;
const BODY_PITCH: f32 = 14.0;
const TABLE_SIZE: f32 = 9.0;
const TABLE_PITCH: f32 = 12.0;
const CELL_PAD_X: f32 = 5.0;
const CELL_PAD_Y: f32 = 3.0;
const FOOTER_SIZE: f32 = 8.0;
const HEADING_COLOR: Rgb = Rgb::new(24, 48, 89);
/// Smallest share of its preferred height a chart is drawn at to fit a page.
const CHART_SHRINK: f32 = 0.75;
/// Bullet indent.
const INDENT: f32 = 14.0;

/// A heading's place, for the PDF outline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutlineEntry {
    /// 1 to 3.
    pub level: u8,
    /// Heading text.
    pub text: String,
    /// Zero-based page index.
    pub page: usize,
    /// Top of the heading on that page.
    pub y: f32,
}

/// The laid-out report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Laid {
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    /// Drawing operations per page.
    pub pages: Vec<Vec<Op>>,
    /// Headings in reading order.
    pub outline: Vec<OutlineEntry>,
}

/// Page width and height in points.
pub(crate) fn page_dimensions(size: PageSize) -> (f32, f32) {
    match size {
        // 210 × 297 mm at 72 / 25.4 points per millimetre.
        PageSize::A4 => (595.28, 841.89),
        PageSize::Letter => (612.0, 792.0),
        PageSize::Slide => (640.0, 360.0),
    }
}

/// Lays out `report` (already validated) on pages of `options`.
pub(crate) fn layout(report: &Report, options: &RenderOptions, fonts: &Fonts) -> Laid {
    let (width, height) = page_dimensions(options.page_size);
    let margin = options.margin_pt;
    let mut flow = Flow {
        fonts,
        left: margin,
        width: width - 2.0 * margin,
        top: margin,
        bottom: height - margin,
        done: Vec::new(),
        current: Vec::new(),
        y: margin,
        outline: Vec::new(),
    };
    flow.title_block(report);
    for block in &report.blocks {
        match block {
            Block::Heading { level, text } => flow.heading(*level, text),
            Block::Paragraph { spans } => {
                flow.paragraph(spans, flow.left, flow.width);
                flow.y += 7.0;
            }
            Block::Bullets { items } => flow.bullets(items),
            Block::KeyValues { pairs } => flow.key_values(pairs),
            Block::Table(table) => flow.table(table),
            Block::Chart(chart) => {
                flow.gap(4.0);
                let wanted = chart_height(chart, flow.width).min(flow.bottom - flow.top);
                // A chart may give up a quarter of its height to stay on the current page
                // rather than leave a large gap.
                let h = if flow.room() < wanted && flow.room() >= wanted * CHART_SHRINK {
                    flow.room()
                } else {
                    wanted
                };
                flow.ensure(h);
                let area = Rect {
                    x: flow.left,
                    y: flow.y,
                    w: flow.width,
                    h,
                };
                flow.current.extend(draw_chart(fonts, chart, area));
                flow.y += h + 14.0;
            }
            Block::SignOff { signers } => flow.sign_off(signers),
            Block::PageBreak => {
                if !flow.at_top() {
                    flow.new_page();
                }
            }
        }
    }
    let Flow {
        mut done,
        current,
        outline,
        ..
    } = flow;
    done.push(current);
    add_footers(&mut done, report, fonts, width, height, margin);
    Laid {
        width,
        height,
        pages: done,
        outline,
    }
}

fn add_footers(
    pages: &mut [Vec<Op>],
    report: &Report,
    fonts: &Fonts,
    width: f32,
    height: f32,
    margin: f32,
) {
    let count = pages.len();
    let rule_y = height - margin + 12.0;
    let baseline = rule_y + 4.0 + fonts.ascent() * FOOTER_SIZE;
    let meta = &report.meta;
    let left_text = [
        meta.date.as_str(),
        meta.source_file.as_str(),
        meta.short_hash(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join("  ·  ");
    for (i, ops) in pages.iter_mut().enumerate() {
        let right_text = format!("page {} of {count}", i + 1);
        let right_w = fonts.width(&right_text, FontStyle::Regular, FOOTER_SIZE);
        let left_fit = ellipsize(
            fonts,
            &left_text,
            FontStyle::Regular,
            FOOTER_SIZE,
            width - 2.0 * margin - right_w - 20.0,
        );
        ops.push(Op::segment(
            (margin, rule_y),
            (width - margin, rule_y),
            0.5,
            HAIRLINE,
            None,
        ));
        if !left_text.is_empty() {
            ops.push(text_op(
                margin,
                baseline,
                FOOTER_SIZE,
                FontStyle::Regular,
                MUTED,
                left_fit,
            ));
        }
        ops.push(text_op(
            width - margin - right_w,
            baseline,
            FOOTER_SIZE,
            FontStyle::Regular,
            MUTED,
            right_text,
        ));
    }
}

fn text_op(x: f32, y: f32, size: f32, style: FontStyle, color: Rgb, text: String) -> Op {
    Op::Text {
        x,
        y,
        size,
        style,
        color,
        text,
    }
}

fn style_of(bold: bool) -> FontStyle {
    if bold {
        FontStyle::Bold
    } else {
        FontStyle::Regular
    }
}

struct Flow<'a> {
    fonts: &'a Fonts,
    left: f32,
    width: f32,
    top: f32,
    bottom: f32,
    done: Vec<Vec<Op>>,
    current: Vec<Op>,
    y: f32,
    outline: Vec<OutlineEntry>,
}

/// A table cell wrapped to its column.
struct Cell {
    lines: Vec<String>,
    style: FontStyle,
}

impl Flow<'_> {
    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.current));
        self.y = self.top;
    }

    fn at_top(&self) -> bool {
        self.y <= self.top + 0.01
    }

    fn room(&self) -> f32 {
        self.bottom - self.y
    }

    /// Starts a new page unless `h` fits in what is left (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if h > self.room() + 0.01 && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, except at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y += h;
        }
    }

    /// Baseline of a line of `size` text centred in a line box of `pitch` starting at `top`.
    fn baseline(&self, top: f32, size: f32, pitch: f32) -> f32 {
        let (a, d) = (self.fonts.ascent(), self.fonts.descent());
        top + a * size + (pitch - (a + d) * size) / 2.0
    }

    fn text(&mut self, x: f32, y: f32, size: f32, style: FontStyle, color: Rgb, text: &str) {
        if !text.is_empty() {
            self.current
                .push(text_op(x, y, size, style, color, text.to_owned()));
        }
    }

    /// Draws wrapped lines from the cursor, moving to a new page between lines when needed.
    fn lines(&mut self, lines: &[Line], x: f32, size: f32, pitch: f32, color: Rgb) {
        for line in lines {
            self.ensure(pitch);
            let baseline = self.baseline(self.y, size, pitch);
            for run in &line.runs {
                self.text(x + run.x, baseline, size, run.style, color, &run.text);
            }
            self.y += pitch;
        }
    }

    fn plain_lines(&self, text: &str, style: FontStyle, size: f32, width: f32) -> Vec<Line> {
        wrap(self.fonts, &[(text, style)], size, width)
    }

    fn title_block(&mut self, report: &Report) {
        let title = self.plain_lines(&report.title, FontStyle::Bold, 20.0, self.width);
        self.lines(&title, self.left, 20.0, 25.0, INK);
        if !report.subtitle.is_empty() {
            let sub = self.plain_lines(&report.subtitle, FontStyle::Regular, 12.0, self.width);
            self.lines(&sub, self.left, 12.0, 16.0, MUTED);
        }
        let meta = &report.meta;
        let mut parts = Vec::new();
        if !meta.author.is_empty() {
            parts.push(format!("Owner: {}", meta.author));
        }
        if !meta.date.is_empty() {
            parts.push(format!("Date: {}", meta.date));
        }
        if !meta.source_file.is_empty() {
            let hash = meta.short_hash();
            parts.push(if hash.is_empty() {
                format!("Source: {}", meta.source_file)
            } else {
                format!("Source: {} ({hash})", meta.source_file)
            });
        }
        if !parts.is_empty() {
            self.y += 3.0;
            let line =
                self.plain_lines(&parts.join("   ·   "), FontStyle::Regular, 8.5, self.width);
            self.lines(&line, self.left, 8.5, 12.0, MUTED);
        }
        self.y += 6.0;
        self.current.push(Op::segment(
            (self.left, self.y),
            (self.left + self.width, self.y),
            0.8,
            RULE,
            None,
        ));
        self.y += 12.0;
    }

    fn heading(&mut self, level: u8, text: &str) {
        let (size, before) = match level {
            1 => (15.0, 16.0),
            2 => (12.5, 12.0),
            _ => (11.0, 9.0),
        };
        let pitch = size * 1.3;
        let lines = self.plain_lines(text, FontStyle::Bold, size, self.width);
        self.gap(before);
        // Keep the heading with at least three lines of what follows.
        self.ensure(pitch * lines.len() as f32 + 3.0 * BODY_PITCH);
        self.outline.push(OutlineEntry {
            level,
            text: text.to_owned(),
            page: self.done.len(),
            y: self.y,
        });
        self.lines(&lines, self.left, size, pitch, HEADING_COLOR);
        self.y += 4.0;
    }

    fn paragraph(&mut self, spans: &[Span], x: f32, width: f32) {
        let runs: Vec<(&str, FontStyle)> = spans
            .iter()
            .map(|s| (s.text.as_str(), style_of(s.bold)))
            .collect();
        let lines = wrap(self.fonts, &runs, BODY_SIZE, width);
        self.lines(&lines, x, BODY_SIZE, BODY_PITCH, INK);
    }

    fn bullets(&mut self, items: &[Vec<Span>]) {
        for item in items {
            self.ensure(BODY_PITCH);
            let baseline = self.baseline(self.y, BODY_SIZE, BODY_PITCH);
            self.text(
                self.left + 3.0,
                baseline,
                BODY_SIZE,
                FontStyle::Regular,
                INK,
                "•",
            );
            self.paragraph(item, self.left + INDENT, self.width - INDENT);
            self.y += 3.0;
        }
        self.y += 4.0;
    }

    fn key_values(&mut self, pairs: &[KeyValue]) {
        let widest = pairs
            .iter()
            .map(|p| self.fonts.width(&p.key, FontStyle::Bold, BODY_SIZE))
            .fold(0.0, f32::max);
        let key_w = (widest + 14.0).min(self.width * 0.4);
        let value_w = self.width - key_w;
        for pair in pairs {
            let key = self.plain_lines(&pair.key, FontStyle::Bold, BODY_SIZE, key_w - 10.0);
            let value = self.plain_lines(&pair.value, FontStyle::Regular, BODY_SIZE, value_w);
            let rows = key.len().max(value.len());
            self.ensure(rows as f32 * BODY_PITCH);
            let top = self.y;
            self.lines(&key, self.left, BODY_SIZE, BODY_PITCH, INK);
            self.y = top;
            self.lines(&value, self.left + key_w, BODY_SIZE, BODY_PITCH, INK);
            self.y = top + rows as f32 * BODY_PITCH + 2.0;
        }
        self.y += 6.0;
    }

    fn cell(&self, text: &str, style: FontStyle, width: f32) -> Cell {
        Cell {
            lines: wrap(
                self.fonts,
                &[(text, style)],
                TABLE_SIZE,
                width - 2.0 * CELL_PAD_X,
            )
            .iter()
            .map(Line::text)
            .collect(),
            style,
        }
    }

    fn table(&mut self, table: &Table) {
        let widths = column_widths(self.fonts, table, self.width);
        let header: Vec<Cell> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.cell(&c.header, FontStyle::Bold, *w))
            .collect();
        let rows: Vec<(bool, Vec<Cell>)> = table
            .rows
            .iter()
            .map(|r| {
                let style = style_of(r.emphasis);
                let cells = r
                    .cells
                    .iter()
                    .zip(&widths)
                    .map(|(text, w)| self.cell(text, style, *w))
                    .collect();
                (r.emphasis, cells)
            })
            .collect();
        let height = |cells: &[Cell]| {
            cells
                .iter()
                .map(|c| c.lines.len())
                .max()
                .unwrap_or(1)
                .max(1) as f32
                * TABLE_PITCH
                + 2.0 * CELL_PAD_Y
        };
        let header_h = height(&header);
        let caption_h = if table.caption.is_some() { 16.0 } else { 0.0 };
        let first_row = rows.first().map_or(0.0, |(_, c)| height(c));
        self.gap(4.0);
        self.ensure(caption_h + header_h + first_row);
        self.table_head(table, &header, &widths, header_h, false);
        for (emphasis, cells) in &rows {
            let h = height(cells);
            if h > self.room() + 0.01 && !self.at_top() {
                self.new_page();
                self.table_head(table, &header, &widths, header_h, true);
            }
            if *emphasis {
                self.current.push(Op::fill(
                    Rect {
                        x: self.left,
                        y: self.y,
                        w: widths.iter().sum(),
                        h,
                    },
                    EMPHASIS_FILL,
                ));
            }
            self.table_row(table, cells, &widths);
            self.y += h;
            let w: f32 = widths.iter().sum();
            self.current.push(Op::segment(
                (self.left, self.y),
                (self.left + w, self.y),
                0.5,
                HAIRLINE,
                None,
            ));
        }
        self.y += 12.0;
    }

    fn table_head(
        &mut self,
        table: &Table,
        header: &[Cell],
        widths: &[f32],
        header_h: f32,
        continued: bool,
    ) {
        let total: f32 = widths.iter().sum();
        if let Some(caption) = &table.caption {
            let text = if continued {
                format!("{caption} (continued)")
            } else {
                caption.clone()
            };
            let text = ellipsize(self.fonts, &text, FontStyle::Bold, 9.5, self.width);
            let baseline = self.baseline(self.y, 9.5, 14.0);
            self.text(self.left, baseline, 9.5, FontStyle::Bold, INK, &text);
            self.y += 16.0;
        }
        self.current.push(Op::fill(
            Rect {
                x: self.left,
                y: self.y,
                w: total,
                h: header_h,
            },
            HEADER_FILL,
        ));
        self.table_row(table, header, widths);
        self.y += header_h;
        self.current.push(Op::segment(
            (self.left, self.y),
            (self.left + total, self.y),
            0.8,
            RULE,
            None,
        ));
    }

    /// Cell text of one row from the cursor (which does not move).
    fn table_row(&mut self, table: &Table, cells: &[Cell], widths: &[f32]) {
        let mut x = self.left;
        for ((cell, w), column) in cells.iter().zip(widths).zip(&table.columns) {
            for (k, line) in cell.lines.iter().enumerate() {
                let top = self.y + CELL_PAD_Y + TABLE_PITCH * k as f32;
                let baseline = self.baseline(top, TABLE_SIZE, TABLE_PITCH);
                let lx = match column.align {
                    Align::Left => x + CELL_PAD_X,
                    Align::Right => {
                        x + w - CELL_PAD_X - self.fonts.width(line, cell.style, TABLE_SIZE)
                    }
                };
                self.text(lx, baseline, TABLE_SIZE, cell.style, INK, line);
            }
            x += w;
        }
    }

    fn sign_off(&mut self, signers: &[Signer]) {
        let line_y = 38.0;
        let block = 62.0;
        self.gap(8.0);
        for signer in signers {
            self.ensure(block);
            let top = self.y;
            let baseline = self.baseline(top, BODY_SIZE, BODY_PITCH);
            let name_w = self.fonts.width(&signer.name, FontStyle::Bold, BODY_SIZE);
            self.text(
                self.left,
                baseline,
                BODY_SIZE,
                FontStyle::Bold,
                INK,
                &signer.name,
            );
            if !signer.role.is_empty() {
                let role = format!(" · {}", signer.role);
                self.text(
                    self.left + name_w,
                    baseline,
                    BODY_SIZE,
                    FontStyle::Regular,
                    MUTED,
                    &role,
                );
            }
            let sig_end = self.left + self.width * 0.58;
            let date_start = self.left + self.width * 0.66;
            let y = top + line_y;
            self.current
                .push(Op::segment((self.left, y), (sig_end, y), 0.7, INK, None));
            self.current.push(Op::segment(
                (date_start, y),
                (self.left + self.width, y),
                0.7,
                INK,
                None,
            ));
            let label_y = y + 3.0 + self.fonts.ascent() * 8.0;
            self.text(
                self.left,
                label_y,
                8.0,
                FontStyle::Regular,
                MUTED,
                "Signature",
            );
            self.text(date_start, label_y, 8.0, FontStyle::Regular, MUTED, "Date");
            self.y = top + block;
        }
    }
}

/// Column widths that fill `available`.
///
/// Widths are tried at five levels of wrapping, loosest first: nothing wraps; headers take two
/// lines; text cells wrap too; headers wrap down to their longest word; every cell wraps down
/// to its longest word. The first level that
/// fits is widened towards the one before it with the spare space, so headers of number
/// columns wrap before text cells do, and numbers wrap only when nothing else helps. When even
/// the tightest level does not fit it is scaled down (long words then break between
/// characters). At the loosest level spare space goes to the text columns.
fn column_widths(fonts: &Fonts, table: &Table, available: f32) -> Vec<f32> {
    let pad = 2.0 * CELL_PAD_X;
    let n = table.columns.len();
    // Per column: widest unwrapped cell and widest word of a cell; same for the header.
    let mut body_line = vec![0.0_f32; n];
    let mut body_word = vec![0.0_f32; n];
    let line_width = |text: &str, style| {
        text.split('\n')
            .map(|l| fonts.width(l, style, TABLE_SIZE))
            .fold(0.0, f32::max)
    };
    let word_width = |text: &str, style| {
        text.split_whitespace()
            .map(|w| fonts.width(w, style, TABLE_SIZE))
            .fold(0.0, f32::max)
    };
    for row in &table.rows {
        let style = style_of(row.emphasis);
        for (i, cell) in row.cells.iter().enumerate() {
            if let (Some(l), Some(w)) = (body_line.get_mut(i), body_word.get_mut(i)) {
                *l = l.max(line_width(cell, style));
                *w = w.max(word_width(cell, style));
            }
        }
    }
    let is_text: Vec<bool> = table
        .columns
        .iter()
        .map(|c| c.align == Align::Left)
        .collect();
    let mut levels = [
        vec![0.0_f32; n],
        vec![0.0; n],
        vec![0.0; n],
        vec![0.0; n],
        vec![0.0; n],
    ];
    for (i, column) in table.columns.iter().enumerate() {
        let head_line = line_width(&column.header, FontStyle::Bold);
        let head_word = word_width(&column.header, FontStyle::Bold);
        let head_two = two_line_width(fonts, &column.header).max(head_word);
        let (line, word) = (
            body_line.get(i).copied().unwrap_or(0.0),
            body_word.get(i).copied().unwrap_or(0.0),
        );
        let text = is_text.get(i).copied().unwrap_or(true);
        let widths = [
            line.max(head_line),
            line.max(head_two),
            if text {
                word.max(head_two)
            } else {
                line.max(head_two)
            },
            if text {
                word.max(head_word)
            } else {
                line.max(head_word)
            },
            word.max(head_word),
        ];
        for (level, w) in levels.iter_mut().zip(widths) {
            if let Some(slot) = level.get_mut(i) {
                *slot = w + pad;
            }
        }
    }
    let sum = |v: &[f32]| v.iter().sum::<f32>();
    let [loosest, ..] = &levels;
    if sum(loosest) <= available {
        let receivers: f32 = loosest
            .iter()
            .zip(&is_text)
            .filter(|(_, t)| **t)
            .map(|(w, _)| *w)
            .sum();
        let spare = available - sum(loosest);
        return loosest
            .iter()
            .zip(&is_text)
            .map(|(w, text)| {
                if receivers > 0.0 {
                    if *text { w + spare * w / receivers } else { *w }
                } else {
                    w + spare / n as f32
                }
            })
            .collect();
    }
    for pair in levels.windows(2) {
        let (looser, tighter) = match pair {
            [a, b] => (a, b),
            _ => continue,
        };
        if sum(tighter) <= available {
            let spare = available - sum(tighter);
            let wants = sum(looser) - sum(tighter);
            return tighter
                .iter()
                .zip(looser)
                .map(|(t, l)| {
                    if wants > 0.0 {
                        t + spare * (l - t) / wants
                    } else {
                        *t
                    }
                })
                .collect();
        }
    }
    let tightest = levels.last().cloned().unwrap_or_default();
    let total = sum(&tightest).max(f32::MIN_POSITIVE);
    tightest.iter().map(|w| w * available / total).collect()
}

/// Width of the narrower of the best split of a header into two lines at a space (the whole
/// header when it has no space).
fn two_line_width(fonts: &Fonts, header: &str) -> f32 {
    let whole = fonts.width(header, FontStyle::Bold, TABLE_SIZE);
    header
        .match_indices(' ')
        .map(|(i, _)| {
            let (a, b) = header.split_at(i);
            fonts.width(a, FontStyle::Bold, TABLE_SIZE).max(fonts.width(
                b.trim_start(),
                FontStyle::Bold,
                TABLE_SIZE,
            ))
        })
        .fold(whole, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Column, ReportMeta, Row};

    fn report(blocks: Vec<Block>) -> Report {
        Report {
            title: "Route decision".into(),
            subtitle: "Support assistant".into(),
            meta: ReportMeta {
                author: "Dana Reyes".into(),
                date: "2026-03-31".into(),
                source_file: "support.yaml".into(),
                content_hash: "9f86d081884c7d659a2feaa0c55ad015".into(),
            },
            blocks,
        }
    }

    fn page_texts(page: &[Op]) -> Vec<&str> {
        page.iter().filter_map(Op::text).collect()
    }

    fn long_table(rows: usize) -> Table {
        Table {
            caption: Some("Daily reconciliation".into()),
            columns: vec![
                Column::text("Day"),
                Column::money("Invoice"),
                Column::money("Trace"),
            ],
            rows: (1..=rows)
                .map(|d| Row::new([format!("day {d}"), format!("${d}.00"), format!("${d}.50")]))
                .collect(),
        }
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let fonts = Fonts::load().unwrap();
        let laid = layout(
            &report(vec![Block::Table(long_table(120))]),
            &RenderOptions::default(),
            &fonts,
        );
        assert!(laid.pages.len() >= 2, "{} pages", laid.pages.len());
        for (i, page) in laid.pages.iter().enumerate() {
            let t = page_texts(page);
            assert!(t.contains(&"Invoice"), "page {i} lacks the header");
            assert!(t.contains(&format!("page {} of {}", i + 1, laid.pages.len()).as_str()));
            if i > 0 {
                assert!(t.contains(&"Daily reconciliation (continued)"));
            }
        }
        // Every row appears exactly once across the pages.
        let all: Vec<&str> = laid.pages.iter().flat_map(|p| page_texts(p)).collect();
        for d in [1, 60, 120] {
            let day = format!("day {d}");
            assert_eq!(all.iter().filter(|t| **t == day).count(), 1, "{day}");
        }
    }

    #[test]
    fn nothing_is_drawn_below_the_content_box_except_the_footer() {
        let fonts = Fonts::load().unwrap();
        let options = RenderOptions::default();
        let long = "word ".repeat(900);
        let laid = layout(
            &report(vec![Block::paragraph(long), Block::Table(long_table(80))]),
            &options,
            &fonts,
        );
        let (_, height) = page_dimensions(options.page_size);
        let bottom = height - options.margin_pt;
        for page in &laid.pages {
            for op in page {
                if let Op::Text { y, text, .. } = op {
                    let footer = text.starts_with("page ") || text.starts_with("2026-03-31");
                    assert!(footer || *y <= bottom, "{text:?} at {y} below {bottom}");
                }
            }
        }
    }

    #[test]
    fn right_aligned_cells_end_at_the_same_x() {
        let fonts = Fonts::load().unwrap();
        let laid = layout(
            &report(vec![Block::Table(long_table(12))]),
            &RenderOptions::default(),
            &fonts,
        );
        let ends: Vec<f32> = laid.pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Text {
                    x,
                    text,
                    size,
                    style,
                    ..
                } if text.ends_with(".00") => Some(x + fonts.width(text, *style, *size)),
                _ => None,
            })
            .collect();
        assert_eq!(ends.len(), 12);
        assert!(ends.iter().all(|e| (e - ends[0]).abs() < 0.01), "{ends:?}");
    }

    #[test]
    fn headings_stay_with_following_text_and_reach_the_outline() {
        let fonts = Fonts::load().unwrap();
        // Fill most of page 1, then a heading that would sit at the very bottom.
        let filler = "word ".repeat(560);
        let laid = layout(
            &report(vec![
                Block::paragraph(filler),
                Block::heading(1, "Recommendation"),
                Block::paragraph("Take route B."),
            ]),
            &RenderOptions::default(),
            &fonts,
        );
        let entry = &laid.outline[0];
        assert_eq!(entry.text, "Recommendation");
        let page = &laid.pages[entry.page];
        let texts = page_texts(page);
        assert!(texts.contains(&"Recommendation") && texts.contains(&"Take route B."));
    }

    #[test]
    fn page_breaks_and_letter_size() {
        let fonts = Fonts::load().unwrap();
        let options = RenderOptions {
            page_size: PageSize::Letter,
            ..RenderOptions::default()
        };
        let laid = layout(
            &report(vec![
                Block::paragraph("a"),
                Block::PageBreak,
                Block::PageBreak,
                Block::paragraph("b"),
            ]),
            &options,
            &fonts,
        );
        // A break at the top of a fresh page does not add an empty page.
        assert_eq!(laid.pages.len(), 2);
        assert_eq!((laid.width, laid.height), (612.0, 792.0));
        assert!(page_texts(&laid.pages[1]).contains(&"b"));
    }

    #[test]
    fn columns_fill_the_width_and_shrink_when_too_wide() {
        let fonts = Fonts::load().unwrap();
        let table = long_table(3);
        let w = column_widths(&fonts, &table, 400.0);
        assert!((w.iter().sum::<f32>() - 400.0).abs() < 0.01);
        // Spare space goes to the text column; money columns keep their natural width.
        assert!(w[0] > w[1]);
        let wide = Table {
            caption: None,
            columns: vec![Column::text("Note"), Column::money("Cost")],
            rows: vec![Row::new(["a long explanation ".repeat(20), "$1.00".into()])],
        };
        let w = column_widths(&fonts, &wide, 300.0);
        assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.01);
        assert!(
            w[1] >= fonts.width("$1.00", FontStyle::Regular, TABLE_SIZE) + 2.0 * CELL_PAD_X - 0.01
        );
    }

    #[test]
    fn headers_of_number_columns_take_two_lines_before_text_wraps_further() {
        let fonts = Fonts::load().unwrap();
        let two = two_line_width(&fonts, "Raw token cost");
        let bold = |t: &str| fonts.width(t, FontStyle::Bold, TABLE_SIZE);
        // Splits: "Raw" / "token cost" and "Raw token" / "cost"; the better one's wider line.
        let best = bold("token cost")
            .max(bold("Raw"))
            .min(bold("Raw token").max(bold("cost")));
        assert!((two - best).abs() < 1e-3);
        assert!(two < bold("Raw token cost"));
        assert_eq!(
            two_line_width(&fonts, "LCPR"),
            fonts.width("LCPR", FontStyle::Bold, TABLE_SIZE)
        );
        let table = Table {
            caption: None,
            columns: vec![
                Column::text("Option"),
                Column::money("Raw token cost"),
                Column::money("Cache-adjusted cost"),
                Column::money("LCPR"),
            ],
            rows: vec![Row::new([
                "a long option description that has to wrap somewhere",
                "$0.0180",
                "$0.0121",
                "$0.0412",
            ])],
        };
        let w = column_widths(&fonts, &table, 300.0);
        assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.01);
        assert!(w[1] >= best + 2.0 * CELL_PAD_X - 0.01, "{w:?}");
    }

    #[test]
    fn sign_off_draws_lines_for_each_signer() {
        let fonts = Fonts::load().unwrap();
        let laid = layout(
            &report(vec![Block::SignOff {
                signers: vec![
                    Signer {
                        name: "Dana Reyes".into(),
                        role: "Product owner".into(),
                    },
                    Signer {
                        name: "Sam Ortiz".into(),
                        role: "Finance".into(),
                    },
                ],
            }]),
            &RenderOptions::default(),
            &fonts,
        );
        let t = page_texts(&laid.pages[0]);
        assert_eq!(t.iter().filter(|s| **s == "Signature").count(), 2);
        assert!(t.contains(&" · Finance"));
    }
}
