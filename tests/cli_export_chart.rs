//! `lcpr export chart`: every chart kind of the default workspace written as SVG and PNG, each
//! file checked (PNG signature and size, SVG well formed with every series' name and colour),
//! and the requests it refuses.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;

use lcpr_core::report::chart::{ChartData, Rgb};
use lcpr_core::report::export::{CHART_WIDTH_PT, PNG_SCALE};
use lcpr_workbench::cli::export::{load, view_chart};

fn workspace() -> PathBuf {
    support::repo_root().join("workspaces/support-migration.yaml")
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-export-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

/// (view, scenario, the chart kind it draws).
const VIEWS: [(&str, Option<&str>, &str); 7] = [
    ("compare", None, "stacked"),
    ("sensitivity", Some("support-h100-dedicated"), "tornado"),
    ("uncertainty", None, "range"),
    ("break-even", None, "line"),
    ("reconciliation", None, "waterfall"),
    ("forecast", None, "fan"),
    ("kv-sizing", None, "line"),
];

fn kind(data: &ChartData) -> &'static str {
    match data {
        ChartData::StackedBar(_) => "stacked",
        ChartData::Tornado(_) => "tornado",
        ChartData::Range(_) => "range",
        ChartData::Line(_) => "line",
        ChartData::Waterfall(_) => "waterfall",
        ChartData::Fan(_) => "fan",
    }
}

fn export(
    view: &str,
    scenario: Option<&str>,
    format: &str,
    out: &std::path::Path,
) -> (bool, String) {
    let ws = workspace();
    let mut args = vec![
        "export",
        "chart",
        ws.to_str().unwrap(),
        "--view",
        view,
        "--format",
        format,
        "-o",
        out.to_str().unwrap(),
    ];
    if let Some(s) = scenario {
        args.extend(["--scenario", s]);
    }
    let (ok, _, err) = support::lcpr(&args);
    (ok, err)
}

#[test]
fn every_chart_kind_exports_as_svg_with_its_series_and_colours() {
    let dir = scratch();
    let loaded = load(&workspace()).unwrap();
    for (view, scenario, want) in VIEWS {
        let chart = view_chart(&loaded, view, scenario).unwrap();
        assert_eq!(kind(&chart.data), want, "{view}");
        let out = dir.join(format!("{view}.svg"));
        let (ok, err) = export(view, scenario, "svg", &out);
        assert!(ok, "{view}: {err}");
        let svg = std::fs::read_to_string(&out).unwrap();
        assert!(svg.starts_with("<?xml"), "{view}");
        assert_eq!(svg.matches("<svg ").count(), 1, "{view}");
        assert!(svg.trim_end().ends_with("</svg>"), "{view}");
        // Every element is closed: each opening tag is self-closed or has its end tag.
        for tag in ["text", "title"] {
            assert_eq!(
                svg.matches(&format!("<{tag}")).count(),
                svg.matches(&format!("</{tag}>")).count(),
                "{view}: <{tag}>"
            );
        }
        for tag in ["rect", "polygon", "polyline"] {
            let open = svg.matches(&format!("<{tag} ")).count();
            let lines = svg.lines().filter(|l| l.starts_with(&format!("<{tag} ")));
            assert_eq!(lines.filter(|l| l.ends_with("/>")).count(), open, "{view}");
        }
        assert!(svg.contains(&xml(&chart.title)), "{view}: title");
        for (name, color) in chart.series_colors() {
            assert!(svg.contains(&hex(color)), "{view}: {name}'s colour");
        }
        for e in chart.legend() {
            assert!(svg.contains(&xml(&e.label)), "{view}: legend {}", e.label);
        }
        // Each series is named in the drawing (in its legend, panel title or bar label), in
        // full or cut with an ellipsis at its slot.
        if let ChartData::Fan(f) = &chart.data {
            for s in &f.series {
                let start: String = s.name.chars().take(8).collect();
                assert!(svg.contains(&xml(&start)), "{view}: {}", s.name);
            }
        }
        if let ChartData::Range(r) = &chart.data {
            for b in &r.bars {
                let start: String = b.label.chars().take(8).collect();
                assert!(svg.contains(&xml(&start)), "{view}: {}", b.label);
            }
        }
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn every_chart_kind_exports_as_a_png_of_the_charts_size() {
    let dir = scratch();
    for (view, scenario, _) in VIEWS {
        let out = dir.join(format!("{view}.png"));
        let (ok, err) = export(view, scenario, "png", &out);
        assert!(ok, "{view}: {err}");
        let png = std::fs::read(&out).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{view}: signature");
        assert_eq!(&png[12..16], b"IHDR", "{view}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!(width, (CHART_WIDTH_PT * PNG_SCALE).ceil() as u32, "{view}");
        assert!(height > 300 && height < 2000, "{view}: {height}");
        assert!(
            png.len() > 10_000,
            "{view}: {} bytes is too little to hold a chart",
            png.len()
        );
    }
}

#[test]
fn a_bad_view_or_a_scenario_where_none_applies_is_refused_and_writes_nothing() {
    let dir = scratch();
    let out = dir.join("none.svg");
    let (ok, err) = export("comapre", None, "svg", &out);
    assert!(!ok);
    assert!(
        err.contains("--view \"comapre\" names no view") && err.contains("compare"),
        "{err}"
    );
    let (ok, err) = export("compare", Some("support-gpt"), "svg", &out);
    assert!(!ok);
    assert!(
        err.contains("--scenario does not apply to the compare view"),
        "{err}"
    );
    let (ok, err) = export("sensitivity", Some("nope"), "svg", &out);
    assert!(!ok);
    assert!(
        err.contains("--scenario \"nope\" names no scenario"),
        "{err}"
    );
    assert!(!out.exists());
}
