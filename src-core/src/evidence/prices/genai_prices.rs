//! pydantic's genai-prices: a provider file (`prices/providers/<id>.yml`: `id`, `models`) or the
//! package's `data.json` (a list of providers), USD per million tokens.
//!
//! Read: the provider `id`; per model its `id`, the `match` rules that are ids or prefixes
//! (`equals: X` → alias `X`, `starts_with: X` → alias `X*`, through any `or`) and
//! `input_mtok`, `output_mtok`, `cache_read_mtok`, `cache_write_mtok` (5-minute writes),
//! `cache_write_1h_mtok` (1-hour writes). A
//! `prices` list of conditional prices gives the one in force on the book's date: the last whose
//! `constraint.start_date` is on or before it, else the unconstrained one; its start date is the
//! card's `effective_from`; of a day split by time-of-day prices (off-peak hours) the price in
//! force for most of the day. Not read, and named on the card: the other hours' price, tiers
//! above the base price (long context), audio, per-request and tool-use prices, and match rules
//! a rate card's aliases cannot say (`ends_with`, `contains`, `regex`, `and`).

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::{Book, BookEntry, ListedPrices, PriceBookError, SkippedEntry, priceable};
use crate::document::Date;

#[derive(Deserialize)]
struct Provider {
    id: String,
    #[serde(default)]
    models: Vec<Model>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
    #[serde(default, rename = "match")]
    matches: Option<Clause>,
    prices: Prices,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Clause {
    StartsWith(String),
    EndsWith(String),
    Contains(String),
    Regex(String),
    Equals(String),
    Or(Vec<Clause>),
    And(IgnoredAny),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Prices {
    Dated(Vec<Conditional>),
    One(ModelPrice),
}

#[derive(Deserialize)]
struct Conditional {
    #[serde(default)]
    constraint: Option<Constraint>,
    prices: ModelPrice,
}

#[derive(Deserialize)]
struct Constraint {
    #[serde(default)]
    start_date: Option<Date>,
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
}

/// Minutes after midnight of a time written `HH:MM[:SS][zone]`.
fn minutes(t: &str) -> Option<u32> {
    let mut parts = t.trim().split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.get(..2)?.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// How long a daily window lasts, in minutes (the zone shifts both ends alike).
fn window_minutes(c: &Constraint) -> Option<u32> {
    let (start, end) = (
        minutes(c.start_time.as_deref()?)?,
        minutes(c.end_time.as_deref()?)?,
    );
    Some((end + 1440 - start) % 1440)
}

#[derive(Deserialize)]
struct ModelPrice {
    #[serde(default)]
    input_mtok: Option<Price>,
    #[serde(default)]
    output_mtok: Option<Price>,
    #[serde(default)]
    cache_read_mtok: Option<Price>,
    #[serde(default)]
    cache_write_mtok: Option<Price>,
    #[serde(default)]
    cache_write_1h_mtok: Option<Price>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// A price: a number, or `{base, tiers}` whose tiers a card cannot hold.
struct Price {
    text: String,
    tiers: usize,
}

struct PriceVisitor;

impl<'de> Visitor<'de> for PriceVisitor {
    type Value = Price;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a price in dollars per million tokens, or {base, tiers}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Price, E> {
        Ok(Price {
            text: v.to_owned(),
            tiers: 0,
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Price, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Price, E> {
        self.visit_str(&v.to_string())
    }

    // The YAML reader hands floats over as f64; their shortest round-trip text is the text
    // written (see `crate::money`).
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Price, E> {
        self.visit_str(&v.to_string())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Price, A::Error> {
        let mut base = None;
        let mut tiers = 0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "base" => base = Some(map.next_value::<Price>()?.text),
                "tiers" => tiers = map.next_value::<Vec<IgnoredAny>>()?.len(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let text = base.ok_or_else(|| de::Error::missing_field("base"))?;
        Ok(Price { text, tiers })
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PriceVisitor)
    }
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // Sized for data.json (every provider, about 1 MB on one line) with a wide margin.
    budget.max_events = 10_000_000;
    budget.max_nodes = 5_000_000;
    budget.max_total_scalar_bytes = super::MAX_BOOK_BYTES as usize;
    budget.max_aliases = 64;
    budget.max_anchors = 64;
    budget.max_depth = 32;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.with_snippet = false;
    opts
}

fn syntax(file: &str, e: &serde_saphyr::Error) -> PriceBookError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    let message = e.to_string();
    let first = message
        .lines()
        .next()
        .unwrap_or("not a genai-prices provider");
    let first = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    PriceBookError::Syntax {
        file: file.to_owned(),
        line,
        column,
        message: first.to_owned(),
        fix: "give a provider file of genai-prices (prices/providers/<id>.yml) or its data.json as published",
    }
}

/// Adds the aliases `clause` can say; names the rules it cannot.
fn aliases(clause: &Clause, out: &mut Vec<String>, not_read: &mut Vec<String>) {
    match clause {
        Clause::StartsWith(p) => out.push(format!("{}*", p.trim())),
        Clause::Equals(id) => out.push(id.trim().to_owned()),
        Clause::Or(any) => {
            for c in any {
                aliases(c, out, not_read);
            }
        }
        Clause::EndsWith(x) => not_read.push(format!("match ends_with {x:?}")),
        Clause::Contains(x) => not_read.push(format!("match contains {x:?}")),
        Clause::Regex(x) => not_read.push(format!("match regex {x:?}")),
        Clause::And(_) => not_read.push("match and (…)".to_owned()),
    }
}

fn price(
    file: &str,
    key: &str,
    field: &str,
    p: Option<&Price>,
    not_read: &mut Vec<String>,
) -> Result<Option<Decimal>, PriceBookError> {
    let Some(p) = p else { return Ok(None) };
    let value = super::decimal_text(&p.text)
        .filter(|v| !v.is_sign_negative() || v.is_zero())
        .ok_or_else(|| PriceBookError::Field {
            file: file.to_owned(),
            key: key.to_owned(),
            field: field.to_owned(),
            problem: format!(
                "must be a non-negative price in dollars per million tokens, got {:?}",
                p.text
            ),
            fix: "write it as a number (e.g. 3.75), or leave the model out with --only".to_owned(),
        })?;
    if p.tiers > 0 {
        not_read.push(format!(
            "{field} tiers above the base price ({} tier{})",
            p.tiers,
            if p.tiers == 1 { "" } else { "s" }
        ));
    }
    Ok(Some(value))
}

/// The price in force on `date`: conditional prices are tried last to first, as genai-prices
/// does; a start date on or before `date` applies, and when no condition holds the first price
/// applies. A card holds one price per meter, so of a day split by time-of-day prices (DeepSeek's
/// off-peak hours) it takes the price in force for most of the day and names the other.
/// `None` for an empty list.
fn in_force<'a>(
    prices: &'a Prices,
    date: Date,
    not_read: &mut Vec<String>,
) -> Option<(&'a ModelPrice, Option<Date>)> {
    let list = match prices {
        Prices::One(p) => return Some((p, None)),
        Prices::Dated(list) => list,
    };
    let found = list
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, c)| match &c.constraint {
            None => Some((i, &c.prices, None)),
            Some(Constraint {
                start_date: Some(start),
                ..
            }) if *start <= date => Some((i, &c.prices, Some(*start))),
            Some(_) => None,
        });
    let (at, day, since) = match found {
        Some(f) => f,
        None => {
            let c = list.first()?;
            (
                0,
                &c.prices,
                c.constraint.as_ref().and_then(|k| k.start_date),
            )
        }
    };
    // Time-of-day prices listed after the day's price take precedence within their hours.
    let windows: Vec<(&Conditional, u32)> = list
        .iter()
        .skip(at + 1)
        .filter_map(|c| {
            let k = c.constraint.as_ref()?;
            k.start_time.as_ref()?;
            Some((c, window_minutes(k).unwrap_or(0)))
        })
        .collect();
    let Some(&(longest, span)) = windows.iter().max_by_key(|(_, m)| *m) else {
        return Some((day, since));
    };
    let rest = 1440u32.saturating_sub(windows.iter().map(|(_, m)| *m).sum());
    let hours = |m: u32| format!("{}h{:02}", m / 60, m % 60);
    if span > rest {
        let k = longest.constraint.as_ref();
        let when = |t: Option<&String>| t.map_or("?", String::as_str).to_owned();
        not_read.push(format!(
            "the price outside {}–{} ({} a day; the card takes the {} price in force most of the day)",
            when(k.and_then(|k| k.start_time.as_ref())),
            when(k.and_then(|k| k.end_time.as_ref())),
            hours(1440 - span),
            hours(span)
        ));
        Some((&longest.prices, since))
    } else {
        not_read.push(format!(
            "time-of-day prices for {} a day (the card takes the price of the other {})",
            hours(1440 - rest),
            hours(rest)
        ));
        Some((day, since))
    }
}

fn read_model(
    file: &str,
    provider: &str,
    model: &Model,
    date: Date,
) -> Result<Result<BookEntry, SkippedEntry>, PriceBookError> {
    let key = format!("{provider}/{}", model.id);
    let mut not_read = Vec::new();
    let Some((chosen, effective_from)) = in_force(&model.prices, date, &mut not_read) else {
        return Ok(Err(SkippedEntry {
            key,
            reason: "lists no prices".to_owned(),
        }));
    };
    let mut get =
        |field: &str, p: &Option<Price>| price(file, &key, field, p.as_ref(), &mut not_read);
    let prices = ListedPrices {
        input_per_m: get("input_mtok", &chosen.input_mtok)?,
        output_per_m: get("output_mtok", &chosen.output_mtok)?,
        cached_input_per_m: get("cache_read_mtok", &chosen.cache_read_mtok)?,
        cache_write_5m_per_m: get("cache_write_mtok", &chosen.cache_write_mtok)?,
        cache_write_1h_per_m: get("cache_write_1h_mtok", &chosen.cache_write_1h_mtok)?,
        batch_input_per_m: None,
        batch_output_per_m: None,
    };
    if let Err(reason) = priceable(&prices) {
        return Ok(Err(SkippedEntry { key, reason }));
    }
    not_read.extend(chosen.other.keys().cloned());
    let mut names = Vec::new();
    if let Some(m) = &model.matches {
        aliases(m, &mut names, &mut not_read);
    }
    let own = model.id.trim().to_lowercase();
    let mut kept: Vec<String> = Vec::new();
    for a in names {
        if a.to_lowercase() != own && !kept.iter().any(|k| k.eq_ignore_ascii_case(&a)) {
            kept.push(a);
        }
    }
    Ok(Ok(BookEntry {
        key,
        provider: provider.to_owned(),
        model: model.id.trim().to_owned(),
        aliases: kept,
        prices,
        effective_from,
        not_read,
    }))
}

/// Reads `text` into `book`.
pub(super) fn read(text: &str, book: &mut Book) -> Result<(), PriceBookError> {
    let file = book.file.clone();
    let body = text.trim_start_matches('\u{feff}');
    let first = body
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let providers: Vec<Provider> = if first.starts_with('[') || first.starts_with('-') {
        serde_saphyr::from_str_with_options(body, options()).map_err(|e| syntax(&file, &e))?
    } else {
        vec![serde_saphyr::from_str_with_options(body, options()).map_err(|e| syntax(&file, &e))?]
    };
    for provider in &providers {
        for model in &provider.models {
            match read_model(&file, provider.id.trim(), model, book.date)? {
                Ok(entry) => book.entries.push(entry),
                Err(skipped) => book.skipped.push(skipped),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::prices::{BookKind, read as read_book};

    fn d(s: &str) -> Option<Decimal> {
        s.parse().ok()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap_or(Date::EPOCH)
    }

    #[test]
    fn the_real_excerpt_gives_per_million_prices_and_prefix_aliases() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/prices/genai-prices_anthropic.yml.excerpt"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let book = read_book(
            "genai-prices_anthropic.yml.excerpt",
            &text,
            date("2026-11-01"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.kind, BookKind::GenaiPrices);
        let [e] = book.entries.as_slice() else {
            panic!("{:?}", book.entries)
        };
        assert_eq!(
            (e.key.as_str(), e.provider.as_str(), e.model.as_str()),
            (
                "anthropic/claude-3-5-sonnet",
                "anthropic",
                "claude-3-5-sonnet"
            )
        );
        assert_eq!(e.aliases, ["claude-3-5-sonnet*", "claude-3.5-sonnet*"]);
        // input 3, cache write 3.75, cache read 0.3, output 15 per million.
        assert_eq!(
            (
                e.prices.input_per_m,
                e.prices.cache_write_5m_per_m,
                e.prices.cached_input_per_m,
                e.prices.output_per_m
            ),
            (d("3"), d("3.75"), d("0.3"), d("15"))
        );
        assert_eq!(e.effective_from, None);
        assert!(e.not_read.is_empty(), "{:?}", e.not_read);
    }

    const DATED: &str = "
- id: acme
  name: Acme
  api_pattern: x
  models:
    - id: acme-large
      match:
        or:
          - equals: acme-large
          - equals: acme/acme-large
          - ends_with: -large
      prices:
        - prices:
            input_mtok: 2
            output_mtok: 8
        - constraint:
            start_date: 2026-06-01
          prices:
            input_mtok: 1.5
            output_mtok: {base: 6, tiers: [{start: 200000, price: 12}]}
            cache_write_1h_mtok: 3
        - constraint:
            start_time: '00:30:00Z'
            end_time: '08:30:00Z'
          prices:
            input_mtok: 0.5
            output_mtok: 2
    - id: acme-audio
      match:
        starts_with: acme-audio
      prices:
        input_audio_mtok: 40
";

    #[test]
    fn dated_prices_give_the_price_in_force_on_the_book_date() {
        // A list of providers, as data.json has them (here written as YAML, which reads JSON).
        let before =
            read_book("providers", DATED, date("2026-05-31")).unwrap_or_else(|e| panic!("{e}"));
        let e = &before.entries[0];
        assert_eq!(
            (e.prices.input_per_m, e.prices.output_per_m),
            (d("2"), d("8"))
        );
        assert_eq!(e.effective_from, None);
        let after =
            read_book("providers", DATED, date("2026-06-01")).unwrap_or_else(|e| panic!("{e}"));
        let e = &after.entries[0];
        assert_eq!(
            (e.prices.input_per_m, e.prices.output_per_m),
            (d("1.5"), d("6"))
        );
        assert_eq!(e.effective_from, Some(date("2026-06-01")));
        assert_eq!(e.prices.cache_write_1h_per_m, d("3"));
        assert_eq!(e.aliases, ["acme/acme-large"]);
        for gap in [
            "time-of-day prices for 8h00",
            "output_mtok tiers",
            "ends_with",
        ] {
            assert!(
                e.not_read.iter().any(|n| n.contains(gap)),
                "{gap}: {:?}",
                e.not_read
            );
        }
        // An audio-only model has no token prices: skipped by key, never $0.
        assert_eq!(after.skipped.len(), 1);
        assert_eq!(after.skipped[0].key, "acme/acme-audio");
    }

    #[test]
    fn data_json_lists_every_provider_on_one_line() {
        let text = r#"[{"id":"anthropic","name":"Anthropic","api_pattern":"x","models":[{"id":"claude-3-5-haiku","match":{"or":[{"starts_with":"claude-3-5-haiku"},{"regex":"^claude-3\\.5-haiku"}]},"prices":{"input_mtok":0.8,"cache_write_mtok":1,"cache_read_mtok":0.08,"output_mtok":4}}]},{"id":"openai","name":"OpenAI","api_pattern":"y","models":[{"id":"gpt-4o","match":{"equals":"gpt-4o"},"prices":[{"prices":{"input_mtok":5,"output_mtok":15}},{"constraint":{"start_date":"2024-08-06"},"prices":{"input_mtok":2.5,"cache_read_mtok":1.25,"output_mtok":10}}]}]}]"#;
        let book =
            read_book("data.json", text, date("2026-11-01")).unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<&str> = book.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["anthropic/claude-3-5-haiku", "openai/gpt-4o"]);
        let haiku = &book.entries[0];
        assert_eq!(
            (
                haiku.prices.input_per_m,
                haiku.prices.cached_input_per_m,
                haiku.prices.output_per_m
            ),
            (d("0.8"), d("0.08"), d("4"))
        );
        assert_eq!(haiku.aliases, ["claude-3-5-haiku*"]);
        assert!(haiku.not_read.iter().any(|n| n.contains("regex")));
        let gpt = &book.entries[1];
        assert_eq!(
            (gpt.prices.input_per_m, gpt.prices.output_per_m),
            (d("2.5"), d("10"))
        );
        assert_eq!(gpt.effective_from, Some(date("2024-08-06")));
        // `equals` the model's own id adds no alias.
        assert!(gpt.aliases.is_empty());
    }

    #[test]
    fn a_day_split_by_time_of_day_prices_takes_the_price_of_most_hours() {
        // DeepSeek's file: the unconstrained price is off-peak; 00:30–16:30 UTC is standard.
        let text = "id: deepseek\nmodels:\n  - id: deepseek-chat\n    match: {starts_with: deepseek-chat}\n    prices:\n      - prices: {input_mtok: 0.135, cache_read_mtok: 0.035, output_mtok: 0.550}\n      - constraint:\n          start_time: 00:30:00Z\n          end_time: 16:30:00Z\n        prices: {input_mtok: 0.27, cache_read_mtok: 0.07, output_mtok: 1.1}\n";
        let book =
            read_book("deepseek.yml", text, date("2026-11-01")).unwrap_or_else(|e| panic!("{e}"));
        let e = &book.entries[0];
        assert_eq!(
            (
                e.prices.input_per_m,
                e.prices.cached_input_per_m,
                e.prices.output_per_m
            ),
            (d("0.27"), d("0.07"), d("1.1"))
        );
        assert!(
            e.not_read
                .iter()
                .any(|n| n.contains("outside 00:30:00Z–16:30:00Z (8h00 a day")),
            "{:?}",
            e.not_read
        );
    }

    #[test]
    fn a_bad_price_is_refused_naming_model_and_field() {
        let text = "id: acme\nmodels:\n  - id: m\n    match: {equals: m}\n    prices: {input_mtok: cheap, output_mtok: 1}\n";
        let e = read_book("acme.yml", text, Date::EPOCH)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("acme.yml") && e.contains("acme/m") && e.contains("input_mtok"),
            "{e}"
        );
    }
}
