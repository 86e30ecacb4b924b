//! End-to-end check of the PDF report: a sample decision memo that uses every block and chart
//! type is rendered, then read back with poppler's tools (text, fonts, page images).
//!
//! The poppler checks are skipped with a note when the tools are not installed; CI installs
//! `poppler-utils`. Set `LCPR_REPORT_SAMPLE_PDF=/path/file.pdf` to keep a copy of the sample.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

use std::path::{Path, PathBuf};
use std::process::Command;

use lcpr_core::money::format_usd;
use lcpr_core::report::chart::{
    Axis, Chart, ChartData, FanChart, FanPoint, FanSeries, LineChart, LineSeries, Marker,
    NumberFormat, StackComponent, StackedBarChart, TornadoBar, TornadoChart, WaterfallChart,
    WaterfallStep, XyPoint,
};
use lcpr_core::report::{
    Block, Column, PageSize, RenderOptions, Report, ReportMeta, Row, Signer, Span, Table,
    render_pdf, table_to_csv,
};

const MONEY4: NumberFormat = NumberFormat::Money { decimals: 4 };

fn options_table() -> Table {
    Table {
        caption: Some("Options compared at 1.2M requests per month".into()),
        columns: vec![
            Column::text("Option"),
            Column::money("Raw token cost"),
            Column::money("Cache-adjusted"),
            Column::number("Retry rate"),
            Column::number("Pass rate"),
            Column::number("p95 latency"),
            Column::number("Accepted"),
            Column::money("LCPR"),
        ],
        rows: vec![
            Row::new([
                "A · managed frontier API",
                "$0.0180",
                "$0.0121",
                "4.0%",
                "96.5%",
                "2.1 s",
                "94.8%",
                "$0.0412",
            ]),
            Row::emphasized([
                "B · managed mid-tier + cache",
                "$0.0062",
                "$0.0035",
                "6.5%",
                "91.0%",
                "1.4 s",
                "89.2%",
                "$0.0376",
            ]),
            Row::new([
                "C · dedicated open-weight (2 × H100)",
                "$0.0071",
                "$0.0071",
                "9.0%",
                "86.0%",
                "0.9 s",
                "83.1%",
                "$0.0498",
            ]),
        ],
    }
}

/// Daily trace-versus-invoice rows: long enough to run over a page break.
fn reconciliation_table() -> Table {
    let mut rows = Vec::new();
    let mut total_trace = 0.0;
    let mut total_invoice = 0.0;
    for day in 0..59_u32 {
        let (month, dom) = if day < 28 {
            (2, day + 1)
        } else {
            (3, day - 27)
        };
        let requests = 38_000 + (day * 137) % 5_000;
        let accepted = f64::from(requests) * 0.892;
        let trace = f64::from(requests) * 0.0041;
        let invoice = trace * (1.0 + f64::from(day % 7) * 0.001 - 0.003);
        total_trace += trace;
        total_invoice += invoice;
        rows.push(Row::new([
            format!("2026-{month:02}-{dom:02}"),
            format!("{requests}"),
            format!("{accepted:.0}"),
            format_usd(trace, 2),
            format_usd(invoice, 2),
            format_usd(invoice - trace, 2),
        ]));
    }
    rows.push(Row::emphasized([
        "Total".to_owned(),
        String::new(),
        String::new(),
        format_usd(total_trace, 2),
        format_usd(total_invoice, 2),
        format_usd(total_invoice - total_trace, 2),
    ]));
    Table {
        caption: Some("Daily reconciliation, February–March 2026".into()),
        columns: vec![
            Column::text("Date"),
            Column::number("Requests"),
            Column::number("Accepted"),
            Column::money("Trace cost"),
            Column::money("Invoice"),
            Column::money("Delta"),
        ],
        rows,
    }
}

fn stacked_chart() -> Chart {
    let component = |i: usize, name: &str, values: [f64; 3]| StackComponent {
        name: name.into(),
        values: values.to_vec(),
        color: lcpr_core::report::chart::series_color(i),
    };
    Chart {
        title: "LCPR by option and cost component".into(),
        format: MONEY4,
        data: ChartData::StackedBar(StackedBarChart {
            categories: vec![
                "A · managed frontier API".into(),
                "B · managed mid-tier + cache".into(),
                "C · dedicated open-weight".into(),
            ],
            // Each column adds up to the LCPR in the options table.
            components: vec![
                component(0, "inference", [0.0126, 0.0038, 0.0078]),
                component(1, "eval grading", [0.0030, 0.0030, 0.0030]),
                component(2, "human escalation", [0.0180, 0.0244, 0.0302]),
                component(3, "ops", [0.0066, 0.0058, 0.0085]),
                component(4, "invoice delta", [0.0010, 0.0006, 0.0003]),
            ],
            category_axis: Axis::new("option", ""),
            value_axis: Axis::new("LCPR", "$ per accepted output"),
        }),
    }
}

fn tornado_chart() -> Chart {
    let bar = |label: &str, low, high| TornadoBar {
        label: label.into(),
        low,
        high,
    };
    Chart {
        title: "What moves LCPR of option B".into(),
        format: MONEY4,
        data: ChartData::Tornado(TornadoChart {
            no_swing: Vec::new(),
            base: 0.0376,
            bars: vec![
                bar("cache hit rate 70% → 40%", 0.0369, 0.0391),
                bar("escalation rate 6% → 12%", 0.0305, 0.0468),
                bar("retry rate 3% → 10%", 0.0372, 0.0381),
                bar("gate pass rate 95% → 85%", 0.0331, 0.0441),
                bar("grading sample 5% → 20%", 0.0368, 0.0399),
                bar("token prices −20% → +20%", 0.0369, 0.0384),
            ],
            value_axis: Axis::new("LCPR", "$ per accepted output"),
            low_label: "driver at its low setting".into(),
            high_label: "driver at its high setting".into(),
        }),
    }
}

fn line_chart() -> Chart {
    let volumes = [
        0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0,
    ];
    let series = |name: &str, f: &dyn Fn(f64) -> f64| LineSeries {
        name: name.into(),
        points: volumes.iter().map(|&v| XyPoint { x: v, y: f(v) }).collect(),
    };
    // B: 0.0348 + 0.00336 / v; C: 0.0335 + 0.01956 / v. Equal where 0.0162 / v = 0.0013,
    // v ≈ 12.46M, at 0.0348 + 0.00336 / 12.46 ≈ 0.0351.
    Chart {
        title: "LCPR by monthly volume".into(),
        format: MONEY4,
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("volume", "M requests / month"),
            x_format: NumberFormat::Plain { decimals: 1 },
            y_axis: Axis::new("LCPR", "$ per accepted output"),
            series: vec![
                series("B · managed mid-tier + cache", &|v| 0.0348 + 0.00336 / v),
                series("C · dedicated open-weight", &|v| 0.0335 + 0.01956 / v),
            ],
            markers: vec![
                Marker {
                    label: "operating point 1.2M".into(),
                    x: 1.2,
                    y: Some(0.0376),
                },
                Marker {
                    label: "crossover ≈ 12.5M".into(),
                    x: 12.46,
                    y: Some(0.0351),
                },
            ],
        }),
    }
}

fn fan_chart() -> Chart {
    let series = |name: &str, start: f64| FanSeries {
        name: name.into(),
        points: (0..12_i32)
            .map(|m| {
                let p50 = start * 1.04_f64.powi(m);
                let spread = f64::from(m + 1).sqrt();
                FanPoint {
                    x: f64::from(m + 1),
                    p10: p50 * (1.0 - 0.03 * spread),
                    p25: p50 * (1.0 - 0.015 * spread),
                    p50,
                    p75: p50 * (1.0 + 0.025 * spread),
                    p90: p50 * (1.0 + 0.05 * spread),
                }
            })
            .collect(),
    };
    Chart {
        title: "Monthly loaded cost forecast".into(),
        format: NumberFormat::Money { decimals: 0 },
        data: ChartData::Fan(FanChart {
            x_axis: Axis::new("month ahead", ""),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("loaded cost", "$ per month"),
            series: vec![series("option B", 40_250.0), series("option A", 49_440.0)],
            markers: vec![Marker {
                label: "contract renewal".into(),
                x: 6.0,
                y: None,
            }],
            x_ticks: vec![],
        }),
    }
}

fn waterfall_chart() -> Chart {
    let step = |label: &str, delta| WaterfallStep {
        label: label.into(),
        delta,
    };
    // 0.0062 − 0.0027 + 0.0003 + 0.0030 + 0.0244 + 0.0058 + 0.0006 = 0.0376.
    Chart {
        title: "From raw token cost to LCPR (option B)".into(),
        format: MONEY4,
        data: ChartData::Waterfall(WaterfallChart {
            start_label: "raw token cost".into(),
            start: 0.0062,
            steps: vec![
                step("cache hits", -0.0027),
                step("retries", 0.0003),
                step("eval grading", 0.0030),
                step("human escalation", 0.0244),
                step("ops", 0.0058),
                step("invoice delta", 0.0006),
            ],
            end_label: "LCPR".into(),
            value_axis: Axis::new("cost", "$ per accepted output"),
        }),
    }
}

const LONG_PARAGRAPH: &str = "The reconciliation below compares, day by day, the cost the \
    traces attribute to the support assistant with the provider's invoice lines for the same \
    day. Small positive deltas come from requests the provider billed after a client timeout; \
    the negative ones from credits applied the next morning. None of the days moves the \
    monthly LCPR by more than a tenth of a cent, so the decision does not depend on them, but \
    a delta above 2% on any single day would trigger a review before the next invoice is \
    approved, and the owner signs the reconciliation at each quarterly review.";

fn sample_report() -> Report {
    Report {
        title: "Route decision: support assistant".into(),
        subtitle: "Which route answers customer tickets at the lowest cost per accepted reply"
            .into(),
        meta: ReportMeta {
            author: "Dana Reyes".into(),
            date: "2026-04-02".into(),
            source_file: "support-assistant.lcpr.yaml".into(),
            content_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b".into(),
        },
        blocks: vec![
            Block::heading(1, "Decision"),
            Block::Paragraph {
                spans: vec![
                    Span::bold("Recommended: option B"),
                    Span::plain(
                        " (managed mid-tier model with prompt caching). It has the lowest ",
                    ),
                    Span::bold("LCPR, $0.0376"),
                    Span::plain(" per accepted reply, against $0.0412 for A and $0.0498 for C."),
                ],
            },
            Block::key_values([
                ("Scenario", "support-tickets, 1.2M requests per month"),
                ("Owner", "Dana Reyes (product), Sam Ortiz (finance)"),
                (
                    "Options",
                    "A managed frontier API · B managed mid-tier + cache · C dedicated open-weight",
                ),
                (
                    "Review trigger",
                    "escalation rate > 9% for a week, or volume ≥ 8M per month",
                ),
            ]),
            Block::heading(2, "Options compared"),
            Block::Table(options_table()),
            Block::Chart(stacked_chart()),
            Block::heading(2, "Risks"),
            Block::Bullets {
                items: vec![
                    vec![
                        Span::bold("Escalations: "),
                        Span::plain(
                            "B passes fewer replies (91% vs 96.5%), so human escalation is its largest cost → watch it weekly.",
                        ),
                    ],
                    vec![Span::plain(
                        "Latency stays ≤ 2 s at p95 for A and B; C is fastest but needs 2 × H100 reserved.",
                    )],
                    vec![Span::plain(
                        "EU traffic is billed in € at the same list rate • no currency risk assumed — revisit if that changes.",
                    )],
                ],
            },
            Block::Chart(tornado_chart()),
            Block::PageBreak,
            Block::heading(1, "Volume, forecast and cost build-up"),
            Block::Chart(line_chart()),
            Block::Chart(fan_chart()),
            Block::Chart(waterfall_chart()),
            Block::heading(1, "Reconciliation"),
            Block::paragraph(LONG_PARAGRAPH),
            Block::Table(reconciliation_table()),
            Block::heading(3, "Sign-off"),
            Block::SignOff {
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
            },
        ],
    }
}

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("lcpr-report-pdf-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool_available(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    run(
        "pdftotext",
        &["-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"],
    )
}

/// Pixels darker than near-white in a binary PGM (P5, 8-bit) image.
fn dark_pixels(pgm: &[u8]) -> usize {
    // Header: magic, width, height, maxval, separated by whitespace, then one byte per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 && i < pgm.len() {
        while i < pgm.len() && pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        if pgm.get(i) == Some(&b'#') {
            while i < pgm.len() && pgm[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < pgm.len() && !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
    }
    assert_eq!(
        fields.first().map(String::as_str),
        Some("P5"),
        "not a binary PGM"
    );
    let w: usize = fields[1].parse().unwrap();
    let h: usize = fields[2].parse().unwrap();
    let pixels = &pgm[i + 1..];
    assert_eq!(pixels.len(), w * h, "truncated PGM");
    pixels.iter().filter(|&&p| p < 200).count()
}

#[test]
fn sample_report_renders_and_reads_back() {
    let report = sample_report();
    let pdf = render_pdf(&report, &RenderOptions::default()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());
    let dir = temp_dir();
    let path = dir.join("sample.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(keep) = std::env::var("LCPR_REPORT_SAMPLE_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }
    let letter = render_pdf(
        &report,
        &RenderOptions {
            page_size: PageSize::Letter,
            ..RenderOptions::default()
        },
    )
    .unwrap();
    assert!(letter.starts_with(b"%PDF-"));

    if !tool_available("pdftotext") || !tool_available("pdffonts") || !tool_available("pdftoppm") {
        println!(
            "note: poppler-utils (pdftotext, pdffonts, pdftoppm) not on PATH; PDF read-back checks skipped"
        );
        return;
    }
    let file = path.to_str().unwrap();

    let all = run("pdftotext", &[file, "-"]);
    for want in [
        "Route decision: support assistant",
        "Recommended: option B",
        "$0.0376",
        "$0.0412",
        "$0.0498",
        "B · managed mid-tier + cache",
        "LCPR ($ per accepted output)",
        "escalation rate 6% → 12%",
        "≤ 2 s",
        "billed in €",
        "crossover ≈ 12.5M",
        "operating point 1.2M",
        "P25–P75",
        "option B",
        "human escalation",
        "quarterly review",
        "Signature",
        "support-assistant.lcpr.yaml",
        "9f86d081884c",
        "page 2 of",
    ] {
        assert!(all.contains(want), "{want:?} missing from the text");
    }
    // The footer hash is the short one, never the full hash.
    assert!(!all.contains("9f86d081884c7d659a2f"));

    // Pages: the footer of page 1 states the total.
    let first = page_text(&path, 1);
    let total: usize = first
        .split("page 1 of ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("footer with the page count");
    assert!(total >= 4, "{total} pages");

    // The reconciliation table breaks across pages: its header and caption repeat, and rows
    // from both ends of the table land on different pages.
    let pages: Vec<String> = (1..=total).map(|p| page_text(&path, p)).collect();
    let first_day = pages
        .iter()
        .position(|t| t.contains("2026-02-01"))
        .expect("first row");
    // (The report is dated 2026-04-02, so table dates occur only in the table.)
    let last_day = pages
        .iter()
        .position(|t| t.contains("2026-03-31"))
        .expect("last row");
    assert!(
        last_day > first_day,
        "table did not break: rows on page {first_day} and {last_day}"
    );
    let continued = &pages[last_day];
    assert!(
        continued.contains("(continued)"),
        "no continued caption on page {}",
        last_day + 1
    );
    assert!(
        continued.contains("Trace cost"),
        "header not repeated on page {}",
        last_day + 1
    );
    assert!(continued.contains("Total"));

    // Fonts: both faces embedded (as subsets).
    let fonts = run("pdffonts", &[file]);
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(rows.len() >= 2, "{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type words…, encoding, emb, sub, uni, object, generation.
        let emb = cols.len().checked_sub(5).map(|i| cols[i]);
        assert_eq!(emb, Some("yes"), "font not embedded: {row}");
    }
    assert!(
        fonts.contains("DejaVuSans-Bold") && fonts.contains("DejaVuSans"),
        "{fonts}"
    );

    // Every page renders to a non-blank image.
    let prefix = dir.join("page");
    run(
        "pdftoppm",
        &["-gray", "-r", "50", file, prefix.to_str().unwrap()],
    );
    let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    images.sort();
    assert_eq!(images.len(), total, "{images:?}");
    for image in &images {
        let dark = dark_pixels(&std::fs::read(image).unwrap());
        assert!(
            dark > 500,
            "{} looks blank ({dark} dark pixels)",
            image.display()
        );
    }
    // PNG output works too (what a person would look at).
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            file,
            prefix.to_str().unwrap(),
        ],
    );
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("a PNG page");
    assert!(std::fs::metadata(&png).unwrap().len() > 2_000);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn tables_export_as_csv() {
    let csv = table_to_csv(&options_table());
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        "Option,Raw token cost,Cache-adjusted,Retry rate,Pass rate,p95 latency,Accepted,LCPR"
    );
    assert!(lines[2].starts_with("B · managed mid-tier + cache,$0.0062"));
    // Money with thousands separators is quoted.
    let csv = table_to_csv(&reconciliation_table());
    assert!(csv.contains(",\"$"), "{}", &csv[..200]);
}

#[test]
fn the_sample_uses_only_covered_characters() {
    let json = serde_json::to_string(&sample_report()).unwrap();
    assert_eq!(
        lcpr_core::report::unsupported_chars(&json).unwrap(),
        Vec::<char>::new()
    );
}
