//! Every shipped workspace and seed through `lcpr export`: the decision memo and the review pack
//! are written as PDF, read back with poppler (`pdftotext -layout`, `pdfinfo`, `pdftoppm`), and
//! their headline numbers compared with `lcpr compute --json` for the same file; every page must
//! render. The tables export as CSV, and refusals exit 2 with one line.
//!
//! poppler-utils is required (scripts/test.sh installs it); a missing tool fails the test.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lcpr_core::content_hash::content_hash;
use lcpr_core::money::from_f64;
use lcpr_core::report::memo::format::{lcpr, money};
use rust_decimal::Decimal;
use serde_json::Value;

fn lcpr_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lcpr"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-memo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// Every workspace and seed shipped with the project.
fn shipped_files() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut files: Vec<PathBuf> = ["workspaces", "seeds"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root.join(d))
                .expect("list")
                .filter_map(Result::ok)
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the shipped files, found {files:?}"
    );
    files
}

fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> Output {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not be run ({e}): install poppler-utils (scripts/test.sh does)")
    });
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn pdf_text(pdf: &Path) -> String {
    let out = poppler(
        "pdftotext",
        &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
    );
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The text with every run of whitespace as one space, for phrases that may wrap.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when a line of the text starts (after indentation) with `label` and holds `value`.
fn row_holds(text: &str, label: &str, value: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with(label) && l.contains(value))
}

fn page_count(pdf: &Path) -> usize {
    let out = poppler("pdfinfo", &[pdf.as_os_str()]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse().expect("page count"))
        })
        .expect("pdfinfo names the page count")
}

/// Renders every page at 40 dpi and checks each image exists and is not trivially small.
fn assert_pages_render(pdf: &Path, dir: &Path, label: &str) {
    let pages = page_count(pdf);
    assert!(pages >= 1, "{label}: no pages");
    let prefix = dir.join(format!("{label}-page"));
    poppler(
        "pdftoppm",
        &[
            "-r".as_ref(),
            "40".as_ref(),
            "-png".as_ref(),
            pdf.as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let stem = format!("{label}-page-");
    let mut images: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.starts_with(&stem) && name.ends_with(".png"))
                .then(|| (name, e.metadata().map(|m| m.len()).unwrap_or(0)))
        })
        .collect();
    images.sort();
    assert_eq!(
        images.len(),
        pages,
        "{label}: {pages} pages, images {images:?}"
    );
    for (name, size) in images {
        // A blank A4 page at 40 dpi compresses to a few hundred bytes; text and rules add more.
        assert!(size > 1_500, "{label}: {name} is only {size} bytes");
    }
}

fn compute_json(file: &Path) -> Value {
    let out = lcpr_bin()
        .args(["compute", "--json"])
        .arg(file)
        .output()
        .expect("run lcpr");
    assert!(out.status.success(), "lcpr compute {}", file.display());
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A money figure of the JSON (a number, or a string when a number would lose digits) as the
/// report writes it.
fn money_of(v: &Value) -> String {
    let d = match v {
        Value::Number(n) => from_f64(n.as_f64().expect("number")).expect("finite"),
        Value::String(s) => s.parse::<Decimal>().expect("decimal string"),
        other => panic!("not money: {other}"),
    };
    money(d)
}

fn lcpr_of(v: &Value) -> String {
    lcpr(v.as_f64().expect("LCPR is a number"))
}

fn export(kind: &str, file: &Path, out: &Path, extra: &[&str]) -> Output {
    lcpr_bin()
        .args(["export", kind])
        .arg(file)
        .args(extra)
        .arg("-o")
        .arg(out)
        .output()
        .expect("run lcpr export")
}

fn decide_json(file: &Path) -> Value {
    let out = lcpr_bin()
        .args(["decide", "--json"])
        .arg(file)
        .output()
        .expect("run lcpr");
    assert!(out.status.success(), "lcpr decide {}", file.display());
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The memo's title on scenario `id`: the decision's when it is on the decision's candidate,
/// else the scenario's name.
fn memo_title(decision: &Value, id: &str, name: &str) -> String {
    if decision["candidate"]["scenario"] == id {
        format!("Decision: {}", decision["title"].as_str().unwrap())
    } else {
        format!("Decision: {name}")
    }
}

/// The scenario the memo is written for by default: the decision's candidate, else proposed,
/// else the lowest LCPR.
fn default_scenario<'a>(json: &'a Value, decision: &Value) -> Option<&'a Value> {
    let scenarios = json["scenarios"].as_array()?;
    if let Some(id) = decision["candidate"]["scenario"].as_str() {
        return scenarios.iter().find(|s| s["id"] == id);
    }
    scenarios
        .iter()
        .find(|s| s["status"] == "proposed")
        .or_else(|| {
            scenarios
                .iter()
                .filter(|s| s["cost"].is_object())
                .min_by(|a, b| {
                    a["cost"]["lcpr"]
                        .as_f64()
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b["cost"]["lcpr"].as_f64().unwrap_or(f64::INFINITY))
                })
        })
}

fn assert_footer(text: &str, file: &Path, label: &str) {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let hash = content_hash(&std::fs::read(file).expect("read"));
    assert!(
        text.contains(&name) && text.contains(&hash[..12]),
        "{label}: footer lacks {name} or hash {}",
        &hash[..12]
    );
}

fn assert_reconciliations(text: &str, json: &Value, workload: Option<&str>, label: &str) {
    for r in json["reconciliations"].as_array().unwrap() {
        if workload.is_some_and(|w| r["workload"] != w) || !r["result"].is_object() {
            continue;
        }
        let loaded = money_of(&r["result"]["total_loaded_cost"]);
        let rl = lcpr_of(&r["result"]["lcpr"]);
        assert!(
            text.contains(&loaded),
            "{label}: loaded cost {loaded} of {} missing",
            r["id"]
        );
        assert!(
            text.contains(&rl),
            "{label}: LCPR {rl} of {} missing",
            r["id"]
        );
    }
}

#[test]
fn memo_and_review_pack_of_every_shipped_file_match_compute_and_render() {
    let dir = scratch("all");
    for file in shipped_files() {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let json = compute_json(&file);

        // The review pack: every scenario's LCPR and monthly cost, every reconciliation.
        let review = dir.join(format!("{stem}-review.pdf"));
        let out = export("review", &file, &review, &[]);
        assert!(
            out.status.success(),
            "{stem}: review export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = pdf_text(&review);
        assert!(text.contains("Inference review pack"), "{stem}: no title");
        for s in json["scenarios"].as_array().unwrap() {
            if let Some(cost) = s["cost"].as_object() {
                // The components table has a row of each.
                let l = lcpr_of(&cost["lcpr"]);
                let m = money_of(&cost["monthly_cost"]);
                assert!(
                    row_holds(&text, "LCPR", &l),
                    "{stem} review: LCPR {l} of {} missing",
                    s["id"]
                );
                assert!(
                    row_holds(&text, "Monthly cost", &m),
                    "{stem} review: cost {m} of {} missing",
                    s["id"]
                );
            }
        }
        assert_reconciliations(&text, &json, None, &format!("{stem} review"));
        if json["reconciliations"].as_array().unwrap().is_empty() {
            assert!(
                squash(&text).contains("has no reconciliations"),
                "{stem}: the pack does not say it has no reconciliations"
            );
        }
        assert_footer(&text, &file, &format!("{stem} review"));
        assert_pages_render(&review, &dir, &format!("{stem}-review"));

        // The memo, for files with scenarios; the others are refused with the reason.
        let memo = dir.join(format!("{stem}-memo.pdf"));
        let out = export("memo", &file, &memo, &[]);
        let decision = decide_json(&file);
        let Some(chosen) = default_scenario(&json, &decision) else {
            assert_eq!(
                out.status.code(),
                Some(2),
                "{stem} has no scenarios: the memo must be refused with status 2"
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.lines().count(), 1, "{stem}: {err}");
            assert!(err.contains("scenarios is empty"), "{stem}: {err}");
            assert!(!memo.exists(), "{stem}: a refused memo left a file");
            continue;
        };
        assert!(
            out.status.success(),
            "{stem}: memo export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = pdf_text(&memo);
        let name = chosen["name"].as_str().unwrap();
        let title = memo_title(&decision, chosen["id"].as_str().unwrap(), name);
        assert!(
            squash(&text).contains(&title),
            "{stem}: the memo is not titled {title}"
        );
        let workload = chosen["workload"].as_str().unwrap();
        for s in json["scenarios"].as_array().unwrap() {
            if s["workload"] != workload {
                continue;
            }
            let Some(cost) = s["cost"].as_object() else {
                continue;
            };
            let l = lcpr_of(&cost["lcpr"]);
            let m = money_of(&cost["monthly_cost"]);
            // In the options table and in the components table's LCPR row; the monthly cost in
            // the components table's total row.
            assert!(
                text.matches(&l).count() >= 2 && row_holds(&text, "LCPR", &l),
                "{stem} memo: LCPR {l} of {} is not in both tables:\n{text}",
                s["id"]
            );
            assert!(
                row_holds(&text, "Monthly cost", &m),
                "{stem} memo: monthly cost {m} of {} missing:\n{text}",
                s["id"]
            );
        }
        assert_reconciliations(&text, &json, Some(workload), &format!("{stem} memo"));
        assert_footer(&text, &file, &format!("{stem} memo"));
        assert_pages_render(&memo, &dir, &format!("{stem}-memo"));
    }
}

#[test]
fn every_scenario_of_the_example_gets_a_memo() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let json = compute_json(&file);
    let decision = decide_json(&file);
    let dir = scratch("each");
    for s in json["scenarios"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let pdf = dir.join(format!("{id}.pdf"));
        let out = export("memo", &file, &pdf, &["--scenario", id]);
        assert!(out.status.success(), "{id}");
        let text = pdf_text(&pdf);
        let name = s["name"].as_str().unwrap();
        let title = memo_title(&decision, id, name);
        assert!(squash(&text).contains(&title), "{id}: not titled {title}");
        assert!(text.contains(&lcpr_of(&s["cost"]["lcpr"])), "{id}");
    }
}

#[test]
fn refusals_exit_2_with_one_line() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let dir = scratch("refuse");
    let pdf = dir.join("memo.pdf");
    let out = export("memo", &file, &pdf, &["--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("\"nope\" names no scenario")
            && err.contains("support-gpt, support-dsv4-serverless"),
        "{err}"
    );
    assert!(!pdf.exists());

    let bad = dir.join("bad.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&bad, text.replacen("retry_rate: 0.03", "retry_rate: 3", 1)).unwrap();
    let out = export("review", &bad, &dir.join("r.pdf"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.yaml:") && err.contains("retry_rate"),
        "{err}"
    );

    let out = export("csv", &file, &dir.join("x.csv"), &["--table", "chargeback"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_existing_file_is_replaced_whole() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let dir = scratch("replace");
    let pdf = dir.join("memo.pdf");
    std::fs::write(&pdf, b"old contents").unwrap();
    let out = export("memo", &file, &pdf, &[]);
    assert!(out.status.success());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // A refused export leaves the previous file as it was.
    let out = export("memo", &file, &pdf, &["--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "temporary files left: {names:?}");
}

#[test]
fn every_table_exports_as_csv_with_the_compute_figures() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let json = compute_json(&file);
    let dir = scratch("csv");
    for table in ["compare", "components", "register", "reconciliations"] {
        let csv = dir.join(format!("{table}.csv"));
        let out = export("csv", &file, &csv, &["--table", table]);
        assert!(out.status.success(), "{table}");
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.lines().count() > 1, "{table}: {text}");
        assert!(text.ends_with("\r\n"), "{table}: records end in CRLF");
    }
    let compare = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    assert!(
        compare.starts_with("Option,Raw token cost,Token cost after cache,Retry rate"),
        "{compare}"
    );
    for s in json["scenarios"].as_array().unwrap() {
        assert!(compare.contains(&lcpr_of(&s["cost"]["lcpr"])));
    }
    let recs = std::fs::read_to_string(dir.join("reconciliations.csv")).unwrap();
    let r = &json["reconciliations"][0]["result"];
    assert!(recs.contains(&money_of(&r["total_loaded_cost"])));
}

#[test]
fn chargeback_of_every_shipped_file_matches_attribute_and_renders() {
    let dir = scratch("chargeback");
    let mut rendered = 0;
    for file in shipped_files() {
        let label = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out_pdf = dir.join(format!("{label}.chargeback.pdf"));
        let out = export("chargeback", &file, &out_pdf, &[]);
        let attribute = lcpr_bin()
            .arg("attribute")
            .arg("--json")
            .arg(&file)
            .output()
            .expect("lcpr runs");
        let json: Value = serde_json::from_slice(&attribute.stdout).expect("attribute JSON");
        if json.get("note").is_some() {
            // No bill in this file: the report is refused, one line, no file left behind.
            assert_eq!(
                out.status.code(),
                Some(2),
                "{label}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("no bill to split"),
                "{label}"
            );
            assert!(!out_pdf.exists(), "{label}: a refused export left a file");
            continue;
        }
        assert!(
            out.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = pdf_text(&out_pdf);
        assert_footer(&text, &file, &label);
        let bill = money_of(&json["bill_total"]);
        assert!(
            squash(&text).contains(&bill),
            "{label}: bill {bill} missing"
        );
        for team in json["comparison"].as_array().expect("comparison") {
            let name = team["team_name"].as_str().expect("name");
            for mode in ["uniform", "proportional", "weighted", "hybrid"] {
                let v = money_of(&team[mode]);
                assert!(
                    row_holds(&text, name, &v),
                    "{label}: {name} {mode} {v} missing"
                );
            }
        }
        assert_pages_render(&out_pdf, &dir, &label);
        rendered += 1;
    }
    assert!(rendered >= 1, "no shipped file has a bill to split");
}

#[test]
fn the_memos_first_page_states_the_decision_with_lcpr_decides_numbers() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let d = decide_json(&file);
    let dir = scratch("decision-page");
    let pdf = dir.join("memo.pdf");
    assert!(export("memo", &file, &pdf, &[]).status.success());
    let out = poppler(
        "pdftotext",
        &[
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    let page = squash(&String::from_utf8(out.stdout).expect("UTF-8"));
    assert_eq!(d["recommendation"], "stay");
    let title = d["title"].as_str().unwrap();
    assert!(page.contains(&format!("Decision: {title}")), "{page}");
    // The recommendation in plain words, then every figure of `lcpr decide`, on page 1.
    assert!(
        page.contains(&squash(d["paragraph"].as_str().unwrap())),
        "{page}"
    );
    let money_change = |v: &Value| {
        lcpr_core::report::memo::format::money_change(v.as_f64().and_then(from_f64).expect("money"))
    };
    let annual = money_change(&d["annual_impact"]);
    let monthly = money_change(&d["monthly_impact"]);
    assert!(page.contains(&annual) && page.contains(&monthly), "{page}");
    for side in ["current", "candidate"] {
        let r = &d[side]["monthly_cost_range"];
        let range = format!(
            "{} – {}",
            money(from_f64(r["p10"].as_f64().unwrap()).unwrap()),
            money(from_f64(r["p90"].as_f64().unwrap()).unwrap())
        );
        assert!(page.contains(&range), "{side} range {range}: {page}");
    }
    let p = lcpr_core::report::memo::format::percent(
        d["probability_candidate_cheaper"].as_f64().unwrap(),
    );
    assert!(page.contains(&format!("{p} of 10,000 draws")), "{page}");
    for (k, v) in d["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f[0].as_str().unwrap(), f[1].as_str().unwrap()))
    {
        assert!(
            page.contains(&squash(k)) && page.contains(&squash(v)),
            "figure {k}: {v} is not on page 1:\n{page}"
        );
    }
    for b in d["blockers"].as_array().unwrap() {
        assert!(page.contains(b["unblock"].as_str().unwrap()), "{page}");
    }
    // The sign-off names the decision.
    let all = squash(&pdf_text(&pdf));
    assert!(
        all.contains("agreement with the decision to stay on Support on GPT-5.4 (today)"),
        "{all}"
    );
}

#[test]
fn lcpr_export_slides_writes_one_page_per_chart_after_a_title_page() {
    let dir = std::env::temp_dir().join(format!("lcpr-slides-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("deck.pdf");
    let ws = support::repo_root().join("workspaces/support-migration.yaml");
    let (ok, _, err) = support::lcpr(&[
        "export",
        "slides",
        ws.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::process::Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    // pdftotext closes up the spaces of a lone bold counter ("3/8"): compare without them.
    let tight: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // Ten charts (uncertainty's ranges among them), each with its place and takeaway, the
    // same as presenter mode.
    assert!(text.contains("10 slide(s)"));
    for i in 1..=10 {
        assert!(tight.contains(&format!("{i}/10")), "no slide {i}");
    }
    assert!(text.contains("Lowest LCPR for Support answer drafting"));
    assert!(text.contains("page 11 of 11"));
}
