//! `lcpr import prices` on the real price-book excerpts (tests/fixtures/prices, README there):
//! per-million prices from LiteLLM's per-token JSON and genai-prices' YAML, a newer book's
//! drift reported and written only with --accept, a contract overlay kept through a
//! re-import, and a trace whose dated model id finds the imported card.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use support::lcpr;

use std::path::{Path, PathBuf};

use lcpr_core::document::{self, ContractOverlay, RatePricing};

const EMPTY: &str = "format_version: 1\nmeta:\n  title: Price books\n  created: \"2026-11-01\"\n  updated: \"2026-11-01\"\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-prices-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

fn fixture(name: &str) -> PathBuf {
    support::repo_root()
        .join("tests/fixtures/prices")
        .join(name)
}

fn import(book: &Path, ws: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "import",
        "prices",
        book.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lcpr(&args)
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The token prices of card `id`: input, cache read, 5-minute write, output.
fn prices(ws: &Path, id: &str) -> [Option<String>; 4] {
    let ws = document::load(ws).unwrap();
    let card = ws.rate_card(id).unwrap_or_else(|| panic!("no card {id}"));
    let RatePricing::Tokens {
        input_per_m,
        cached_input_per_m,
        cache_write_5m_per_m,
        output_per_m,
        ..
    } = &card.pricing
    else {
        panic!("{id} is not token-priced")
    };
    let s = |d: &rust_decimal::Decimal| d.normalize().to_string();
    [
        Some(s(input_per_m)),
        cached_input_per_m.as_ref().map(s),
        cache_write_5m_per_m.as_ref().map(s),
        Some(s(output_per_m)),
    ]
}

fn some(v: [&str; 4]) -> [Option<String>; 4] {
    v.map(|s| (!s.is_empty()).then(|| s.to_owned()))
}

fn fmt_check(ws: &Path) {
    let (ok, out, err) = lcpr(&["fmt", "--check", ws.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
}

#[test]
fn the_real_excerpts_import_with_hand_checked_per_million_prices() {
    let dir = scratch("excerpts");
    let ws = dir.join("ws.yaml");
    std::fs::write(&ws, EMPTY).unwrap();
    let book = fixture("litellm_model_prices_excerpt.json");
    let (ok, out, err) = import(&book, &ws, &["--date", "2026-11-01", "--json"]);
    assert!(ok, "{err}");
    let r = json(&out);
    assert_eq!(r["kind"], "litellm");
    assert_eq!(r["entries"], 8, "{r}");
    assert_eq!(r["applied"], true);
    // 3e-06 / 3e-07 / 3.75e-06 / 1.5e-05 per token.
    assert_eq!(
        prices(&ws, "anthropic.claude-3-5-sonnet-20240620-v1-0"),
        some(["3", "0.3", "3.75", "15"])
    );
    // 1.5e-07 / 7.5e-08 / — / 6e-07, and the batch lane 7.5e-08 / 3e-07.
    assert_eq!(
        prices(&ws, "gpt-4o-mini"),
        some(["0.15", "0.075", "", "0.6"])
    );
    let doc = document::load(&ws).unwrap();
    let mini = doc.rate_card("gpt-4o-mini").unwrap();
    assert!(matches!(
        mini.pricing,
        RatePricing::Tokens { batch_input_per_m: Some(b), batch_output_per_m: Some(o), .. }
            if b.to_string() == "0.075" && o.to_string() == "0.3"
    ));
    let p = mini.provenance.as_ref().expect("provenance");
    assert_eq!(
        (
            p.book.as_str(),
            p.kind.as_str(),
            p.book_date.to_string(),
            p.key.as_str()
        ),
        (
            "litellm_model_prices_excerpt.json",
            "litellm",
            "2026-11-01".to_owned(),
            "gpt-4o-mini"
        )
    );
    assert_eq!(mini.effective_from.to_string(), "2026-11-01");
    // A provider-prefixed key names the model and comes along as an alias.
    let azure = doc.rate_card("azure-gpt-4o-mini").unwrap();
    assert_eq!(
        (azure.provider.as_str(), azure.model.as_str()),
        ("azure", "gpt-4o-mini")
    );
    assert_eq!(azure.aliases, ["azure/gpt-4o-mini"]);
    fmt_check(&ws);

    let book = fixture("genai-prices_anthropic.yml.excerpt");
    let (ok, out, err) = import(&book, &ws, &["--date", "2026-11-01"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("1 new rate card: anthropic-claude-3-5-sonnet"),
        "{out}"
    );
    assert_eq!(
        prices(&ws, "anthropic-claude-3-5-sonnet"),
        some(["3", "0.3", "3.75", "15"])
    );
    let doc = document::load(&ws).unwrap();
    let sonnet = doc.rate_card("anthropic-claude-3-5-sonnet").unwrap();
    assert_eq!(sonnet.aliases, ["claude-3-5-sonnet*", "claude-3.5-sonnet*"]);
    fmt_check(&ws);

    let book = fixture("openrouter_models.json");
    let (ok, out, err) = import(&book, &ws, &["--date", "2026-11-01", "--json"]);
    assert!(ok, "{err}");
    let r = json(&out);
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    // The router's -1 and a $0/$0 free tier are never priced at $0.
    assert_eq!(
        skipped,
        ["openrouter/auto", "meta-llama/llama-3.3-70b-instruct:free"]
    );
    assert_eq!(
        prices(&ws, "openrouter-anthropic-claude-3.5-sonnet"),
        some(["3", "0.3", "3.75", "15"])
    );
    fmt_check(&ws);
}

#[test]
fn only_keeps_the_matching_keys() {
    let dir = scratch("only");
    let ws = dir.join("ws.yaml");
    std::fs::write(&ws, EMPTY).unwrap();
    let book = fixture("litellm_model_prices_excerpt.json");
    let (ok, out, err) = import(
        &book,
        &ws,
        &[
            "--only",
            "gpt-4o*",
            "azure/*",
            "--date",
            "2026-11-01",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let r = json(&out);
    assert_eq!(
        r["added"],
        serde_json::json!(["azure-gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"])
    );
    assert_eq!(r["filtered_out"], 5);
    let before = std::fs::read(&ws).unwrap();
    let (ok, _, err) = import(&book, &ws, &["--only", "mistral-*"]);
    assert!(!ok);
    assert!(
        err.contains("--only mistral-*") && err.contains("matches none"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
}

#[test]
fn a_newer_book_reports_drift_and_changes_nothing_until_accepted() {
    let dir = scratch("drift");
    let ws = dir.join("ws.yaml");
    std::fs::write(&ws, EMPTY).unwrap();
    let first = fixture("litellm_model_prices_excerpt.json");
    let (ok, _, err) = import(&first, &ws, &["--date", "2026-10-01"]);
    assert!(ok, "{err}");
    // The second book: gpt-4o-mini's input 1.5e-07 → 1.65e-07 (its first key in the file).
    let text = std::fs::read_to_string(&first).unwrap();
    let at = text.find("\"gpt-4o-mini\"").unwrap();
    let (head, tail) = text.split_at(at);
    let second = dir.join("model_prices_and_context_window.json");
    std::fs::write(
        &second,
        format!(
            "{head}{}",
            tail.replacen(
                "\"input_cost_per_token\": 1.5e-07",
                "\"input_cost_per_token\": 1.65e-07",
                1
            )
        ),
    )
    .unwrap();
    let before = std::fs::read(&ws).unwrap();
    let (ok, out, err) = import(&second, &ws, &["--date", "2026-11-15", "--json"]);
    assert!(ok, "{err}");
    let r = json(&out);
    assert_eq!(r["needs_accept"], true, "{r}");
    assert_eq!(r["applied"], false);
    let drift = r["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 1, "{r}");
    assert_eq!(drift[0]["card"], "gpt-4o-mini");
    assert_eq!(drift[0]["old_effective_from"], "2026-10-01");
    assert_eq!(drift[0]["new_effective_from"], "2026-11-15");
    let m = &drift[0]["meters"][0];
    assert_eq!(m["meter"], "input_per_m");
    assert_eq!(
        (m["old"].as_f64(), m["new"].as_f64()),
        (Some(0.15), Some(0.165))
    );
    assert_eq!(m["change_pct"].as_f64(), Some(10.0));
    assert_eq!(
        std::fs::read(&ws).unwrap(),
        before,
        "nothing changes without --accept"
    );
    // The text report says old → new and the way forward.
    let (ok, out, _) = import(&second, &ws, &["--date", "2026-11-15"]);
    assert!(ok);
    assert!(
        out.contains("input_per_m: $0.15 → $0.165 (+10.00%)") && out.contains("--accept"),
        "{out}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);

    let (ok, out, err) = import(
        &second,
        &ws,
        &["--date", "2026-11-15", "--accept", "--json"],
    );
    assert!(ok, "{err}");
    let r = json(&out);
    assert_eq!(r["applied"], true);
    assert_eq!(prices(&ws, "gpt-4o-mini")[0].as_deref(), Some("0.165"));
    // The earlier price stays in force for traces before the new one.
    assert_eq!(
        r["kept_history"],
        serde_json::json!(["gpt-4o-mini-from-2026-10-01"])
    );
    assert_eq!(
        prices(&ws, "gpt-4o-mini-from-2026-10-01")[0].as_deref(),
        Some("0.15")
    );
    fmt_check(&ws);
    // Once accepted, the same book again is nothing new.
    let after = std::fs::read(&ws).unwrap();
    let (ok, out, _) = import(&second, &ws, &["--date", "2026-11-15"]);
    assert!(ok);
    assert!(out.contains("Nothing new"), "{out}");
    assert_eq!(std::fs::read(&ws).unwrap(), after);
}

#[test]
fn a_contract_overlay_survives_a_re_import() {
    let dir = scratch("contract");
    let ws = dir.join("ws.yaml");
    std::fs::write(&ws, EMPTY).unwrap();
    let first = fixture("genai-prices_anthropic.yml.excerpt");
    let (ok, _, err) = import(&first, &ws, &["--date", "2026-10-01"]);
    assert!(ok, "{err}");
    let mut doc = document::load(&ws).unwrap();
    let overlay = ContractOverlay {
        reference: "ANT-2026-07".into(),
        discount: 0.15,
        output_per_m: Some("12".parse().unwrap()),
        notes: "Committed-use discount".into(),
        ..ContractOverlay::default()
    };
    doc.rate_cards
        .iter_mut()
        .find(|c| c.id == "anthropic-claude-3-5-sonnet")
        .unwrap()
        .contract = Some(overlay.clone());
    document::save(&doc, &ws).unwrap();
    // A newer list price for output: 15 → 18.
    let second = dir.join("anthropic.yml");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&second, text.replace("output_mtok: 15", "output_mtok: 18")).unwrap();
    let (ok, out, err) = import(&second, &ws, &["--date", "2026-11-15", "--accept"]);
    assert!(ok, "{err}");
    assert!(out.contains("contract overlay is kept"), "{out}");
    let doc = document::load(&ws).unwrap();
    let card = doc.rate_card("anthropic-claude-3-5-sonnet").unwrap();
    assert_eq!(card.contract.as_ref(), Some(&overlay));
    assert_eq!(
        prices(&ws, "anthropic-claude-3-5-sonnet")[3].as_deref(),
        Some("18")
    );
    assert_eq!(card.provenance.as_ref().unwrap().book, "anthropic.yml");
    fmt_check(&ws);
}

#[test]
fn a_bad_price_is_refused_naming_file_key_and_field_and_nothing_changes() {
    let dir = scratch("refusal");
    let ws = dir.join("ws.yaml");
    std::fs::write(&ws, EMPTY).unwrap();
    let book = dir.join("model_prices_and_context_window.json");
    std::fs::write(
        &book,
        r#"{"gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "n/a", "output_cost_per_token": 1e-06}}"#,
    )
    .unwrap();
    let before = std::fs::read(&ws).unwrap();
    let (ok, _, err) = import(&book, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("model_prices_and_context_window.json")
            && err.contains("gpt-x")
            && err.contains("input_cost_per_token")
            && err.contains("dollars per token"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    // A book cut short names the line where it breaks.
    let text = std::fs::read_to_string(fixture("litellm_model_prices_excerpt.json")).unwrap();
    std::fs::write(&book, &text[..3000]).unwrap();
    let (ok, _, err) = import(&book, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("line 77, column 42") && err.contains("as LiteLLM ships it"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    // A file of no known book says which shapes are read.
    std::fs::write(&book, r#"{"rows": [1, 2]}"#).unwrap();
    let (ok, _, err) = import(&book, &ws, &[]);
    assert!(!ok);
    assert!(
        err.contains("is not a price book") && err.contains("genai-prices"),
        "{err}"
    );
}

#[test]
fn a_dated_model_id_in_a_trace_prices_against_the_imported_card() {
    let dir = scratch("trace");
    let real = support::repo_root().join("tests/fixtures/traces_real");
    let trace = dir.join("anthropic-messages.usage.jsonl");
    std::fs::copy(real.join("anthropic-messages.usage.jsonl"), &trace).unwrap();
    // The real-traces workspace without its hand-made Claude card.
    let mut doc = document::load(&real.join("workspace.yaml")).unwrap();
    doc.rate_cards.retain(|c| c.provider != "Anthropic");
    let ws = dir.join("workspace.yaml");
    document::save(&doc, &ws).unwrap();
    let (ok, _, err) = import(
        &fixture("genai-prices_anthropic.yml.excerpt"),
        &ws,
        &["--date", "2026-11-01"],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = lcpr(&[
        "import",
        "traces",
        trace.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--date",
        "2026-11-30",
        "--json",
    ]);
    assert!(ok, "{err}");
    let r = json(&out);
    let m = r["model_matches"].as_array().unwrap();
    assert_eq!(m.len(), 1, "{r}");
    assert_eq!(m[0]["model"], "claude-3-5-sonnet-20240620");
    assert_eq!(m[0]["rate_card"], "anthropic-claude-3-5-sonnet");
    assert_eq!(m[0]["kind"], "snapshot");
    assert_eq!(m[0]["rows"], 2, "{r}");
    // Only the card's `claude-3.5-sonnet*` alias (the book's starts_with rule) names an id
    // written with a dot: the same bodies so written price through it.
    let dotted = dir.join("dotted.usage.jsonl");
    let text = std::fs::read_to_string(&trace).unwrap();
    std::fs::write(
        &dotted,
        text.replace("claude-3-5-sonnet-20240620", "claude-3.5-sonnet-20240620"),
    )
    .unwrap();
    let mut doc = document::load(&ws).unwrap();
    doc.baselines.clear();
    document::save(&doc, &ws).unwrap();
    let (ok, out, err) = lcpr(&[
        "import",
        "traces",
        dotted.to_str().unwrap(),
        "--into",
        ws.to_str().unwrap(),
        "--workload",
        "support-chat",
        "--date",
        "2026-11-30",
        "--json",
    ]);
    assert!(ok, "{err}");
    let r = json(&out);
    let m = &r["model_matches"][0];
    assert_eq!(
        (m["model"].as_str(), m["rate_card"].as_str()),
        (
            Some("claude-3.5-sonnet-20240620"),
            Some("anthropic-claude-3-5-sonnet")
        ),
        "{r}"
    );
}
