//! `lcpr querypack print` through the binary: the file a user pastes into a warehouse console.
//! querypack/check_engines.py runs exactly this output on DuckDB, Spark, ClickHouse (chdb) and
//! the Snowflake emulator, and parses it with sqlglot for BigQuery, Snowflake and Trino.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{lcpr, repo_root};

const LCPR: &str = env!("CARGO_BIN_EXE_lcpr");
const ENGINES: [&str; 7] = [
    "bigquery",
    "clickhouse",
    "databricks",
    "duckdb",
    "snowflake",
    "spark",
    "trino",
];
const QUERIES: [&str; 3] = ["tier1_counters", "tier2_histograms", "tier2_extremes"];

fn source(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("querypack").join(format!("{name}.sql"))).unwrap()
}

fn recipe(file: &str) -> String {
    std::fs::read_to_string(repo_root().join("querypack/views").join(file)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-qp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_engine_prints_the_three_queries_in_its_dialect() {
    for engine in ENGINES {
        let (ok, pack, err) = lcpr(&["querypack", "print", "--engine", engine]);
        assert!(ok, "{engine}: {err}");
        let mut queries = Vec::new();
        for name in QUERIES {
            let (ok, q, err) = lcpr(&["querypack", "print", "--engine", engine, "--query", name]);
            assert!(ok, "{engine} {name}: {err}");
            queries.push(q);
        }
        // The pack is the three queries, in order, each once.
        assert_eq!(pack, queries.join("\n"), "{engine}");
        let casts_double = pack.contains("AS DOUBLE)");
        match engine {
            "bigquery" => {
                assert!(!casts_double && !pack.contains("AS BIGINT)"), "{pack}");
                assert!(pack.contains("AS FLOAT64)") && pack.contains("AS INT64)"));
                assert!(pack.contains("AS BIGNUMERIC(38, 10))"), "{pack}");
            }
            "clickhouse" => assert!(
                queries[0].contains("SETTINGS prefer_column_name_to_alias = 1;"),
                "{}",
                queries[0]
            ),
            // DuckDB, Spark, Databricks, Snowflake and Trino run the source as written.
            _ => {
                for (name, q) in QUERIES.iter().zip(&queries) {
                    assert_eq!(q, &source(name), "{engine} {name}");
                }
            }
        }
    }
}

#[test]
fn a_view_recipe_comes_first_then_the_pack() {
    for (engine, view, file) in [
        (
            "duckdb",
            "litellm_spendlogs",
            "litellm_spendlogs.postgres.sql",
        ),
        (
            "clickhouse",
            "otel_genai_spans",
            "otel_genai_spans.clickhouse.sql",
        ),
        (
            "clickhouse",
            "langfuse_observations",
            "langfuse_observations.clickhouse.sql",
        ),
        ("bigquery", "provider_usage", "provider_usage.bigquery.sql"),
    ] {
        let (ok, with_view, err) =
            lcpr(&["querypack", "print", "--engine", engine, "--view", view]);
        assert!(ok, "{engine} {view}: {err}");
        let (_, pack, _) = lcpr(&["querypack", "print", "--engine", engine]);
        assert_eq!(
            with_view,
            format!("{}\n{pack}", recipe(file)),
            "{engine} {view}"
        );
        assert!(with_view.contains("CREATE"), "{with_view}");
    }
}

#[test]
fn an_unknown_engine_recipe_or_query_is_refused_naming_the_valid_ones() {
    let (ok, out, err) = lcpr(&["querypack", "print", "--engine", "oracle"]);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("--engine oracle")
            && err.contains("bigquery, clickhouse, databricks, duckdb, snowflake, spark, trino"),
        "{err}"
    );
    let (ok, out, err) = lcpr(&["querypack", "print", "--engine", "duckdb", "--view", "nope"]);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("--view nope")
            && err.contains(
                "recipes: langfuse_observations, litellm_spendlogs, otel_genai_spans, provider_usage"
            ),
        "{err}"
    );
    // A recipe in another engine's SQL names the recipes that engine has.
    let (ok, _, err) = lcpr(&[
        "querypack",
        "print",
        "--engine",
        "duckdb",
        "--view",
        "otel_genai_spans",
    ]);
    assert!(!ok);
    assert!(
        err.contains("written for clickhouse, not duckdb")
            && err.contains("recipes for duckdb: litellm_spendlogs"),
        "{err}"
    );
    let (ok, _, err) = lcpr(&[
        "querypack",
        "print",
        "--engine",
        "trino",
        "--query",
        "tier3",
    ]);
    assert!(!ok);
    assert!(
        err.contains("--query tier3")
            && err.contains("tier1_counters, tier2_histograms, tier2_extremes"),
        "{err}"
    );
    // Nothing is written when the request is refused.
    let dir = scratch("refused");
    let out = dir.join("pack.sql");
    let (ok, _, _) = lcpr(&[
        "querypack",
        "print",
        "--engine",
        "oracle",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok && !out.exists());
}

#[test]
fn out_writes_the_same_file_atomically() {
    let dir = scratch("out");
    let out = dir.join("pack.sql");
    let out_s = out.to_str().unwrap();
    let (ok, stdout, err) = lcpr(&["querypack", "print", "--engine", "bigquery", "--out", out_s]);
    assert!(ok && stdout.is_empty(), "{err}");
    let (_, printed, _) = lcpr(&["querypack", "print", "--engine", "bigquery"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), printed);

    // Killed halfway through its write, the file is still the previous pack, whole.
    let mut child = Command::new(LCPR)
        .args(["querypack", "print", "--engine", "trino", "--out", out_s])
        .env("LCPR_FAULT_SAVE_PAUSE_MS", "5000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) && temporaries(&dir).is_empty() {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        temporaries(&dir).len(),
        1,
        "the write goes to a temporary file"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), printed);
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), printed);

    // A directory that does not exist is named in the refusal.
    let missing = dir.join("no-such-dir").join("pack.sql");
    let (ok, _, err) = lcpr(&[
        "querypack",
        "print",
        "--engine",
        "trino",
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("no-such-dir") && err.contains("cannot be written"),
        "{err}"
    );
}
