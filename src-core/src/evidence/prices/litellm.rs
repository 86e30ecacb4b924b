//! LiteLLM's `model_prices_and_context_window.json`: an object of model keys, each with USD
//! per-token prices.
//!
//! Read: `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
//! `cache_creation_input_token_cost` (5-minute writes), `cache_creation_input_token_cost_above_1hr`
//! (1-hour writes) and the batch lane (`input_cost_per_token_batches`,
//! `output_cost_per_token_batches`); the provider from `litellm_provider`. A key written with
//! its provider in front (`azure/gpt-4o-mini`) names the model after the prefix and keeps the
//! whole key as an alias, and an `{"alias_of": KEY}` entry joins KEY's aliases. `sample_spec`
//! (the file's schema) is skipped; entries whose `mode` is
//! not `chat`, `completion` or `responses` are counted by mode and left out. Every other price
//! field (priority and flex lanes, long-context tiers `…_above_200k_tokens`, audio, images,
//! per-query search) is named on the card as not read: a rate card has no place for it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::value::RawValue;

use super::{Book, BookEntry, ListedPrices, PriceBookError, SkippedEntry, priceable};

/// The modes priced per token as a chat or completion call.
const TOKEN_MODES: [&str; 3] = ["chat", "completion", "responses"];

/// Each read field and where it goes.
const FIELDS: [&str; 7] = [
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
];

fn syntax(file: &str, e: &serde_json::Error) -> PriceBookError {
    super::json_syntax(
        file,
        e,
        "give model_prices_and_context_window.json as LiteLLM ships it (one object of model keys)",
    )
}

/// A per-token price from its JSON text (a number, or a number in a string); `None` for null.
fn price(
    file: &str,
    key: &str,
    field: &str,
    raw: &RawValue,
) -> Result<Option<rust_decimal::Decimal>, PriceBookError> {
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    let unquoted = if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()
    } else {
        Some(text.to_owned())
    };
    let bad = |problem: String| PriceBookError::Field {
        file: file.to_owned(),
        key: key.to_owned(),
        field: field.to_owned(),
        problem,
        fix: "write it as US dollars per token (e.g. 3e-06), or leave the entry out with --only"
            .to_owned(),
    };
    let value = unquoted
        .as_deref()
        .and_then(super::decimal_text)
        .ok_or_else(|| bad(format!("must be a number of dollars per token, got {text}")))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(bad(format!("must not be negative, got {text}")));
    }
    super::per_million(value)
        .map(Some)
        .ok_or_else(|| bad(format!("is too large to price, got {text}")))
}

/// True for a field that states a price (`…cost…`) the card cannot hold.
fn unread_price(field: &str, raw: &RawValue) -> bool {
    field.contains("cost")
        && !FIELDS.contains(&field)
        && !matches!(raw.get().trim(), "0" | "0.0" | "null")
}

/// Reads `text` into `book`.
pub(super) fn read(text: &str, book: &mut Book) -> Result<(), PriceBookError> {
    let file = book.file.clone();
    let entries: BTreeMap<String, &RawValue> =
        serde_json::from_str(text).map_err(|e| syntax(&file, &e))?;
    let mut alias_of: Vec<(String, String)> = Vec::new();
    for (key, raw) in entries {
        if key == "sample_spec" {
            continue;
        }
        let Ok(fields) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) else {
            book.skipped.push(SkippedEntry {
                key,
                reason: "is not an object of prices".to_owned(),
            });
            continue;
        };
        let text_of = |field: &str| {
            fields
                .get(field)
                .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
        };
        if let Some(target) = text_of("alias_of") {
            alias_of.push((key, target));
            continue;
        }
        let mode = text_of("mode").unwrap_or_else(|| "chat".to_owned());
        if !TOKEN_MODES.contains(&mode.as_str()) {
            *book.other_modes.entry(mode).or_default() += 1;
            continue;
        }
        let Some(provider) = text_of("litellm_provider").filter(|p| !p.trim().is_empty()) else {
            book.skipped.push(SkippedEntry {
                key,
                reason: "names no litellm_provider".to_owned(),
            });
            continue;
        };
        let get = |field: &str| match fields.get(field) {
            Some(raw) => price(&file, &key, field, raw),
            None => Ok(None),
        };
        let prices = ListedPrices {
            input_per_m: get(FIELDS[0])?,
            output_per_m: get(FIELDS[1])?,
            cached_input_per_m: get(FIELDS[2])?,
            cache_write_5m_per_m: get(FIELDS[3])?,
            cache_write_1h_per_m: get(FIELDS[4])?,
            batch_input_per_m: get(FIELDS[5])?,
            batch_output_per_m: get(FIELDS[6])?,
        };
        let not_read: BTreeSet<String> = fields
            .iter()
            .filter(|(field, raw)| unread_price(field, raw))
            .map(|(field, _)| field.clone())
            .collect();
        if let Err(mut reason) = priceable(&prices) {
            if !not_read.is_empty() {
                let other: Vec<&str> = not_read.iter().map(String::as_str).collect();
                reason.push_str(&format!(" (it is priced by {})", other.join(", ")));
            }
            book.skipped.push(SkippedEntry { key, reason });
            continue;
        }
        let prefix = format!("{}/", provider.trim());
        let (model, aliases) = match key.strip_prefix(&prefix) {
            Some(model) if !model.is_empty() => (model.to_owned(), vec![key.clone()]),
            _ => (key.clone(), Vec::new()),
        };
        book.entries.push(BookEntry {
            key,
            provider: provider.trim().to_owned(),
            model,
            aliases,
            prices,
            effective_from: None,
            not_read: not_read.into_iter().collect(),
        });
    }
    // `{"alias_of": KEY}` entries name another entry's model: they join its aliases.
    for (key, target) in alias_of {
        let Some(entry) = book.entries.iter_mut().find(|e| e.key == target) else {
            book.skipped.push(SkippedEntry {
                reason: format!("is an alias of {target:?}, which the book does not price"),
                key,
            });
            continue;
        };
        let bare = key
            .strip_prefix(&format!("{}/", entry.provider))
            .map(str::to_owned);
        for alias in std::iter::once(key).chain(bare) {
            if !alias.eq_ignore_ascii_case(&entry.model)
                && !entry.aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias))
            {
                entry.aliases.push(alias);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Date;
    use crate::evidence::prices::{BookKind, read as read_book};
    use rust_decimal::Decimal;

    fn excerpt() -> Book {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/prices/litellm_model_prices_excerpt.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        read_book(
            "litellm_model_prices_excerpt.json",
            &text,
            Date::new(2026, 11, 1).unwrap_or(Date::EPOCH),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn d(s: &str) -> Option<Decimal> {
        s.parse().ok()
    }

    fn entry<'a>(book: &'a Book, key: &str) -> &'a BookEntry {
        book.entries
            .iter()
            .find(|e| e.key == key)
            .unwrap_or_else(|| panic!("no {key}"))
    }

    #[test]
    fn the_real_excerpt_prices_per_million_from_per_token_text() {
        let book = excerpt();
        assert_eq!(book.kind, BookKind::Litellm);
        // Eight model entries; sample_spec is the schema, not a model.
        assert_eq!(book.entries.len(), 8);
        assert!(book.skipped.is_empty(), "{:?}", book.skipped);
        // 1.5e-07 / 6e-07 / 7.5e-08 per token, batch 7.5e-08 / 3e-07.
        let mini = entry(&book, "gpt-4o-mini");
        assert_eq!(mini.provider, "openai");
        assert_eq!(mini.prices.input_per_m, d("0.15"));
        assert_eq!(mini.prices.output_per_m, d("0.6"));
        assert_eq!(mini.prices.cached_input_per_m, d("0.075"));
        assert_eq!(mini.prices.batch_input_per_m, d("0.075"));
        assert_eq!(mini.prices.batch_output_per_m, d("0.3"));
        assert_eq!(mini.prices.cache_write_5m_per_m, None);
        // The priority lane has no place on a rate card: named, not read.
        assert!(
            mini.not_read
                .contains(&"input_cost_per_token_priority".to_owned()),
            "{:?}",
            mini.not_read
        );
        // 3e-06 / 3.75e-06 / 3e-07 / 1.5e-05: 3 / 3.75 / 0.3 / 15 per million.
        let sonnet = entry(&book, "anthropic.claude-3-5-sonnet-20240620-v1:0");
        assert_eq!(sonnet.provider, "bedrock");
        assert_eq!(
            (
                sonnet.prices.input_per_m,
                sonnet.prices.cache_write_5m_per_m,
                sonnet.prices.cached_input_per_m,
                sonnet.prices.output_per_m
            ),
            (d("3"), d("3.75"), d("0.3"), d("15"))
        );
        let llama = entry(&book, "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo");
        assert_eq!(llama.prices.input_per_m, d("1.04"));
    }

    #[test]
    fn a_provider_prefixed_key_names_the_model_and_keeps_the_key_as_alias() {
        let book = excerpt();
        let azure = entry(&book, "azure/gpt-4o-mini");
        assert_eq!(
            (azure.provider.as_str(), azure.model.as_str()),
            ("azure", "gpt-4o-mini")
        );
        assert_eq!(azure.aliases, ["azure/gpt-4o-mini"]);
        let plain = entry(&book, "gpt-4o-mini-2024-07-18");
        assert!(plain.aliases.is_empty());
    }

    #[test]
    fn other_modes_are_counted_and_unpriced_entries_skipped_by_key() {
        let text = r#"{
            "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 2e-08},
            "mystery-model": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06},
            "local-llama": {"litellm_provider": "ollama", "mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
            "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "2e-06", "output_cost_per_token": 8e-06}
        }"#;
        let book = read_book("prices.json", text, Date::EPOCH).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.other_modes.get("embedding"), Some(&1));
        let skipped: Vec<&str> = book.skipped.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(skipped, ["local-llama", "mystery-model"]);
        assert!(book.skipped[1].reason.contains("no output price"));
        assert_eq!(book.entries.len(), 1);
        assert_eq!(book.entries[0].prices.output_per_m, d("8"));
    }

    #[test]
    fn an_alias_of_entry_joins_its_target_as_an_alias() {
        let text = r#"{
            "global.anthropic.claude-x-1": {"litellm_provider": "bedrock", "mode": "chat", "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05},
            "bedrock/claude-x-latest": {"alias_of": "global.anthropic.claude-x-1"},
            "azure/gpt-y-latest": {"alias_of": "azure/gpt-y"}
        }"#;
        let book = read_book("prices.json", text, Date::EPOCH).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.entries.len(), 1);
        assert_eq!(
            book.entries[0].aliases,
            ["bedrock/claude-x-latest", "claude-x-latest"]
        );
        assert_eq!(book.skipped.len(), 1);
        assert!(
            book.skipped[0].reason.contains("alias of"),
            "{:?}",
            book.skipped
        );
    }

    #[test]
    fn a_price_that_is_not_a_number_is_refused_naming_key_and_field() {
        let text = r#"{"gpt-x": {"litellm_provider": "openai", "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06}}"#;
        let e = read_book("prices.json", text, Date::EPOCH)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("prices.json")
                && e.contains("gpt-x")
                && e.contains("input_cost_per_token")
                && e.contains("dollars per token"),
            "{e}"
        );
        let text = r#"{"gpt-x": {"litellm_provider": "openai", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06}}"#;
        let e = read_book("prices.json", text, Date::EPOCH)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("negative"), "{e}");
    }
}
