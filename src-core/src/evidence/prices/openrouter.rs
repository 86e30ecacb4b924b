//! OpenRouter's `GET /api/v1/models` response: `{"data": [model…]}`, each model with `id` and
//! `pricing` in USD per token written as strings.
//!
//! Read: `id` (the model, billed by OpenRouter, so the provider is `openrouter`),
//! `canonical_slug` (an alias when it differs), `pricing.prompt`, `pricing.completion`,
//! `pricing.input_cache_read` and `pricing.input_cache_write` (5-minute writes). A model whose
//! `architecture.output_modalities` has no `text` is counted by modality and left out; a price
//! of `-1` (a router whose price depends on the model it picks) is skipped as unpriceable. Not
//! read, and named on the card when not zero: `request`, `image`, `web_search`,
//! `internal_reasoning` and any other price.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Book, BookEntry, ListedPrices, PriceBookError, SkippedEntry, priceable};

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Model<'a> {
    id: String,
    #[serde(default)]
    canonical_slug: Option<String>,
    #[serde(default, borrow)]
    pricing: Option<BTreeMap<String, &'a RawValue>>,
    #[serde(default)]
    architecture: Option<Architecture>,
}

#[derive(Deserialize)]
struct Architecture {
    #[serde(default)]
    output_modalities: Option<Vec<String>>,
}

const READ: [&str; 4] = [
    "prompt",
    "completion",
    "input_cache_read",
    "input_cache_write",
];

fn syntax(file: &str, e: &serde_json::Error) -> PriceBookError {
    super::json_syntax(
        file,
        e,
        "give the response of GET https://openrouter.ai/api/v1/models as saved",
    )
}

/// A price's text (`"0.000003"`, or a bare number); `None` for null.
fn text_of(raw: &RawValue) -> Option<String> {
    let t = raw.get().trim();
    if t == "null" {
        return None;
    }
    if t.starts_with('"') {
        serde_json::from_str::<String>(t).ok()
    } else {
        Some(t.to_owned())
    }
}

/// Reads `text` into `book`.
pub(super) fn read(text: &str, book: &mut Book) -> Result<(), PriceBookError> {
    let file = book.file.clone();
    let response: Response = serde_json::from_str(text).map_err(|e| syntax(&file, &e))?;
    for (i, raw) in response.data.iter().enumerate() {
        let model: Model = serde_json::from_str(raw.get()).map_err(|e| PriceBookError::Field {
            file: file.clone(),
            key: format!("data[{i}]"),
            field: "id".to_owned(),
            problem: format!("is not a model of the /api/v1/models shape: {e}"),
            fix: "give the response of GET https://openrouter.ai/api/v1/models as saved".to_owned(),
        })?;
        let key = model.id.trim().to_owned();
        if let Some(outputs) = model
            .architecture
            .as_ref()
            .and_then(|a| a.output_modalities.as_ref())
            && !outputs.iter().any(|m| m == "text")
        {
            *book
                .other_modes
                .entry(format!("output {}", outputs.join("+")))
                .or_default() += 1;
            continue;
        }
        let pricing = model.pricing.unwrap_or_default();
        let mut prices = [None, None, None, None];
        let mut variable = false;
        for (slot, field) in prices.iter_mut().zip(READ) {
            let Some(t) = pricing.get(field).and_then(|r| text_of(r)) else {
                continue;
            };
            let value = super::decimal_text(&t).ok_or_else(|| PriceBookError::Field {
                file: file.clone(),
                key: key.clone(),
                field: format!("pricing.{field}"),
                problem: format!("must be dollars per token, got {t:?}"),
                fix: "give the response of GET https://openrouter.ai/api/v1/models as saved, or leave the model out with --only".to_owned(),
            })?;
            if value.is_sign_negative() && !value.is_zero() {
                variable = true;
                continue;
            }
            *slot = super::per_million(value);
        }
        if variable {
            book.skipped.push(SkippedEntry {
                key,
                reason:
                    "has a variable price (-1): the price depends on the model the router picks"
                        .to_owned(),
            });
            continue;
        }
        let [input, output, cache_read, cache_write] = prices;
        let listed = ListedPrices {
            input_per_m: input,
            output_per_m: output,
            cached_input_per_m: cache_read,
            cache_write_5m_per_m: cache_write,
            ..ListedPrices::default()
        };
        if let Err(reason) = priceable(&listed) {
            book.skipped.push(SkippedEntry { key, reason });
            continue;
        }
        let not_read = pricing
            .iter()
            .filter(|(field, raw)| {
                !READ.contains(&field.as_str())
                    && text_of(raw)
                        .and_then(|t| super::decimal_text(&t))
                        .is_some_and(|v| !v.is_zero())
            })
            .map(|(field, _)| format!("pricing.{field}"))
            .collect();
        let aliases = model
            .canonical_slug
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case(&key))
            .into_iter()
            .collect();
        book.entries.push(BookEntry {
            model: key.clone(),
            key,
            provider: "openrouter".to_owned(),
            aliases,
            prices: listed,
            effective_from: None,
            not_read,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::document::Date;
    use crate::evidence::prices::{BookKind, read as read_book};
    use rust_decimal::Decimal;

    fn d(s: &str) -> Option<Decimal> {
        s.parse().ok()
    }

    #[test]
    fn the_fixture_prices_per_million_and_leaves_out_what_it_cannot_price() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/prices/openrouter_models.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let book = read_book("openrouter_models.json", &text, Date::EPOCH)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.kind, BookKind::Openrouter);
        let keys: Vec<&str> = book.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["anthropic/claude-3.5-sonnet", "openai/gpt-4o-mini"]);
        let sonnet = &book.entries[0];
        assert_eq!(sonnet.provider, "openrouter");
        // "0.000003" / "0.000015" / "0.0000003" / "0.00000375" per token.
        assert_eq!(
            (
                sonnet.prices.input_per_m,
                sonnet.prices.cache_write_5m_per_m,
                sonnet.prices.cached_input_per_m,
                sonnet.prices.output_per_m
            ),
            (d("3"), d("3.75"), d("0.3"), d("15"))
        );
        assert_eq!(sonnet.aliases, ["anthropic/claude-3.5-sonnet-20240620"]);
        assert!(sonnet.not_read.contains(&"pricing.image".to_owned()));
        let mini = &book.entries[1];
        assert_eq!(
            (mini.prices.input_per_m, mini.prices.output_per_m),
            (d("0.15"), d("0.6"))
        );
        // The auto router (-1) and the free variant ($0/$0) are skipped by key.
        let skipped: Vec<&str> = book.skipped.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            skipped,
            ["openrouter/auto", "meta-llama/llama-3.3-70b-instruct:free"]
        );
        assert_eq!(book.other_modes.get("output image"), Some(&1));
    }
}
