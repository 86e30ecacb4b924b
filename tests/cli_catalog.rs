//! `lcpr catalog` and `lcpr new` as a user runs them: the catalog's rows with their sources and
//! dates, and a new case from a template that is canonical, computes and decides.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use serde_json::Value;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-cli-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

#[test]
fn every_catalog_row_names_its_source_and_date() {
    let (ok, out, err) = support::lcpr(&["catalog", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["snapshot"], "2026-12-03");
    let listings = v["listings"].as_array().expect("listings");
    let kinds: Vec<&str> = listings
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["tokens", "gpus", "accelerators", "models"]);
    for l in listings {
        let rows = l["rows"].as_array().expect("rows");
        assert!(!rows.is_empty(), "{}", l["kind"]);
        for r in rows {
            assert!(r["source"].as_str().unwrap().starts_with("https://"), "{r}");
            assert!(r["as_of"].as_str().unwrap().starts_with("20"), "{r}");
        }
    }
    // Search and kind narrow the list; the text table names the snapshot.
    let (ok, out, _) = support::lcpr(&["catalog", "--kind", "gpus", "--search", "mi300x"]);
    assert!(ok);
    assert!(out.contains("LCPR catalog of 2026-12-03"), "{out}");
    assert!(out.contains("GPU offers (2 rows)"), "{out}");
    assert!(
        out.contains("tensorwave-mi300x") && !out.contains("h100"),
        "{out}"
    );
}

#[test]
fn lcpr_new_writes_a_canonical_case_that_every_command_reads() {
    let dir = scratch("new");
    let file = dir.join("case.yaml");
    let path = file.to_str().unwrap();
    let (ok, out, err) = support::lcpr(&[
        "new",
        "--template",
        "coding-agent",
        "--current",
        "claude-sonnet-4-6",
        "--candidate",
        "gpt-5.4",
        "fireworks_ai/kimi-k2p6",
        "runpod-h200",
        "--name",
        "Repo maintenance agent",
        "--volume",
        "9000",
        "--owner",
        "Platform",
        "--date",
        "2026-12-03",
        "-o",
        path,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("4 scenarios"), "{out}");
    let (ok, _, err) = support::lcpr(&["fmt", "--check", path]);
    assert!(ok, "not canonical: {err}");
    for cmd in [
        "compute", "decide", "gates", "forecast", "tornado", "sources", "plan",
    ] {
        let (ok, _, err) = support::lcpr(&[cmd, path, "--json"]);
        assert!(ok, "lcpr {cmd}: {err}");
    }
    let (_, gates, _) = support::lcpr(&["gates", path]);
    assert!(gates.contains("memory and context fit"), "{gates}");
    let ws = lcpr_core::document::load(&file).expect("loads");
    assert_eq!(ws.workloads[0].name, "Repo maintenance agent");
    assert_eq!(ws.workloads[0].monthly_requests, 9000.0);
    assert_eq!(ws.meta.created.to_string(), "2026-12-03");
    // An existing file is never overwritten.
    let before = std::fs::read(&file).unwrap();
    let (ok, _, err) = support::lcpr(&[
        "new",
        "--template",
        "support",
        "--current",
        "gpt-5.4",
        "--candidate",
        "gpt-5.4-mini",
        "-o",
        path,
    ]);
    assert!(!ok && err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn lcpr_new_refuses_unknown_names_with_what_there_is() {
    let dir = scratch("refuse");
    let out = dir.join("x.yaml");
    let path = out.to_str().unwrap();
    let (ok, _, err) = support::lcpr(&[
        "new",
        "--template",
        "chatbot",
        "--current",
        "gpt-5.4",
        "--candidate",
        "gpt-5",
        "-o",
        path,
    ]);
    assert!(
        !ok && err.contains("support, coding-agent, rag-drafting"),
        "{err}"
    );
    let (ok, _, err) = support::lcpr(&[
        "new",
        "--template",
        "voice",
        "--current",
        "gpt-5.4",
        "--candidate",
        "gpt-5.4-turbo",
        "-o",
        path,
    ]);
    assert!(
        !ok && err.contains("did you mean") && err.contains("gpt-5.4"),
        "{err}"
    );
    assert!(!out.exists());
    let (ok, list, _) = support::lcpr(&["new", "--list"]);
    assert!(ok && list.lines().count() == 6, "{list}");
}
