//! Price books: the public price lists practitioners already keep, read as rate cards.
//!
//! One reader per book, each in its own file:
//! - [`litellm`]: LiteLLM's `model_prices_and_context_window.json` (USD per token);
//! - [`genai_prices`]: pydantic's genai-prices provider YAML or its `data.json` (USD per
//!   million, `match` rules, dated prices);
//! - [`openrouter`]: OpenRouter's `/api/v1/models` JSON (USD per token, as strings).
//!
//! Every reader yields the same [`Book`]: the entries it could price, and the entries it could
//! not, each named with why (an entry without an input or an output price is never priced at
//! $0). [`merge`] puts a book into a workspace: new cards, and a drift report for cards the
//! workspace already holds.
//!
//! Prices stay [`Decimal`] from the file's own text: per-token numbers are read from their
//! JSON text (never through f64) and multiplied by a million exactly.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::document::Date;

pub mod genai_prices;
pub mod litellm;
pub mod merge;
pub mod openrouter;

/// The books read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookKind {
    /// LiteLLM's `model_prices_and_context_window.json`.
    Litellm,
    /// pydantic's genai-prices (a provider YAML, or `data.json`).
    GenaiPrices,
    /// OpenRouter's `/api/v1/models` response.
    Openrouter,
}

impl BookKind {
    /// The name cards and reports use.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Litellm => "litellm",
            Self::GenaiPrices => "genai-prices",
            Self::Openrouter => "openrouter",
        }
    }

    /// The book as a person would name it.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Litellm => "LiteLLM model prices",
            Self::GenaiPrices => "genai-prices",
            Self::Openrouter => "OpenRouter models",
        }
    }
}

/// Token prices in dollars per million tokens, as a book lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedPrices {
    /// Uncached input.
    pub input_per_m: Option<Decimal>,
    /// Cache reads.
    pub cached_input_per_m: Option<Decimal>,
    /// Cache writes with a 5-minute lifetime (the book's plain cache-write price).
    pub cache_write_5m_per_m: Option<Decimal>,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h_per_m: Option<Decimal>,
    /// Output.
    pub output_per_m: Option<Decimal>,
    /// Batch-lane input.
    pub batch_input_per_m: Option<Decimal>,
    /// Batch-lane output.
    pub batch_output_per_m: Option<Decimal>,
}

/// One priced entry of a book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookEntry {
    /// The entry's key in the book (LiteLLM key, `provider/model` for genai-prices,
    /// OpenRouter id).
    pub key: String,
    /// Provider, as the book names it.
    pub provider: String,
    /// Model id.
    pub model: String,
    /// Other ids and `prefix*` rules the model goes by.
    pub aliases: Vec<String>,
    /// The prices; input and output are always present.
    pub prices: ListedPrices,
    /// First day the prices apply, when the book dates them.
    pub effective_from: Option<Date>,
    /// Prices and rules of the entry a rate card cannot hold (priority lanes, long-context
    /// tiers, audio, match rules other than prefixes and ids).
    pub not_read: Vec<String>,
}

/// An entry left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedEntry {
    /// The entry's key.
    pub key: String,
    /// Why it was left out.
    pub reason: String,
}

/// A price book read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// Which book.
    pub kind: BookKind,
    /// The file's name.
    pub file: String,
    /// The book's date: prices in force on it are taken.
    pub date: Date,
    /// Entries with an input and an output price, in the book's key order.
    pub entries: Vec<BookEntry>,
    /// Token-priced entries left out, each with why.
    pub skipped: Vec<SkippedEntry>,
    /// Entries of other kinds (embedding, image generation, …) left out, counted by kind.
    pub other_modes: BTreeMap<String, usize>,
}

/// A book that cannot be read. Nothing is imported from it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PriceBookError {
    /// The file cannot be read.
    #[error("{file}: cannot read: {message}")]
    Read {
        /// The file.
        file: String,
        /// What the system said.
        message: String,
    },
    /// The file is not a book this reads.
    #[error(
        "{file}: is not a price book lcpr reads: expected LiteLLM's model_prices_and_context_window.json (an object of model keys with input_cost_per_token), genai-prices YAML or data.json (a provider, or a list of providers, with models), or OpenRouter's /api/v1/models response (an object with a data list)"
    )]
    Unrecognised {
        /// The file.
        file: String,
    },
    /// The file is not valid JSON or YAML, or not of the book's shape.
    #[error("{file}: line {line}, column {column}: {message}; {fix}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
        /// How to fix it.
        fix: &'static str,
    },
    /// One entry's field breaks a rule.
    #[error("{file}: entry {key:?}: {field} {problem}; {fix}")]
    Field {
        /// The file.
        file: String,
        /// The entry's key.
        key: String,
        /// The field.
        field: String,
        /// The rule broken.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// Nothing of the book is left to import.
    #[error("{file}: {message}")]
    Nothing {
        /// The file.
        file: String,
        /// What was asked and what the book holds.
        message: String,
    },
    /// The workspace would break a rule after the import.
    #[error("the workspace after importing {file} breaks a rule: {message}")]
    Workspace {
        /// The file.
        file: String,
        /// The rule, at its field path.
        message: String,
    },
}

/// The largest book read (LiteLLM's is about 1.5 MB).
pub const MAX_BOOK_BYTES: u64 = 64 * 1024 * 1024;

/// Which book `text` is, from its name and shape.
#[must_use]
pub fn detect(file_name: &str, text: &str) -> Option<BookKind> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") || lower.contains(".yml.") {
        return Some(BookKind::GenaiPrices);
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('[') {
        return Some(BookKind::GenaiPrices);
    }
    if !start.starts_with('{') {
        // YAML without the extension: a genai-prices provider file.
        return start
            .lines()
            .any(|l| l.trim_start_matches([' ', '-']).starts_with("models:"))
            .then_some(BookKind::GenaiPrices);
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(start) else {
        // Broken JSON still says which book it meant to be; its reader names where it breaks.
        return if start.contains("\"litellm_provider\"") || start.contains("_cost_per_token\"") {
            Some(BookKind::Litellm)
        } else if start.contains("\"pricing\"") && start.contains("\"data\"") {
            Some(BookKind::Openrouter)
        } else if start.contains("\"models\"") && start.contains("_mtok\"") {
            Some(BookKind::GenaiPrices)
        } else {
            None
        };
    };
    let object = value.as_object()?;
    if object.get("data").is_some_and(serde_json::Value::is_array) {
        return Some(BookKind::Openrouter);
    }
    if object
        .get("models")
        .is_some_and(serde_json::Value::is_array)
    {
        return Some(BookKind::GenaiPrices);
    }
    let litellm = object.iter().any(|(key, entry)| {
        key == "sample_spec"
            || entry.get("litellm_provider").is_some()
            || entry.get("input_cost_per_token").is_some()
    });
    litellm.then_some(BookKind::Litellm)
}

/// Reads the book at `path`; `date` is the book's date (default: the day the file was last
/// written, else today).
pub fn read_file(path: &Path, date: Option<Date>) -> Result<Book, PriceBookError> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let read_err = |message: String| PriceBookError::Read {
        file: path.display().to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| read_err(e.to_string()))?;
    if meta.len() > MAX_BOOK_BYTES {
        return Err(read_err(format!(
            "{} bytes is more than the {MAX_BOOK_BYTES} a price book may have",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| read_err(e.to_string()))?;
    let date = date
        .or_else(|| {
            let modified = meta.modified().ok()?;
            let secs = modified
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs();
            Date::from_unix_days(i64::try_from(secs / 86_400).ok()?)
        })
        .or_else(Date::today)
        .unwrap_or(Date::EPOCH);
    read(&file, &text, date)
}

/// Reads a book from its text; `file` names it in errors and on the cards.
pub fn read(file: &str, text: &str, date: Date) -> Result<Book, PriceBookError> {
    let kind = detect(file, text).ok_or_else(|| PriceBookError::Unrecognised {
        file: file.to_owned(),
    })?;
    let mut book = Book {
        kind,
        file: file.to_owned(),
        date,
        entries: Vec::new(),
        skipped: Vec::new(),
        other_modes: BTreeMap::new(),
    };
    match kind {
        BookKind::Litellm => litellm::read(text, &mut book)?,
        BookKind::GenaiPrices => genai_prices::read(text, &mut book)?,
        BookKind::Openrouter => openrouter::read(text, &mut book)?,
    }
    Ok(book)
}

/// The JSON reader's message without the position it repeats.
pub(crate) fn json_syntax(file: &str, e: &serde_json::Error, fix: &'static str) -> PriceBookError {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    PriceBookError::Syntax {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        message,
        fix,
    }
}

/// A decimal number written plainly (`0.000003`) or in exponent form (`3e-06`).
#[must_use]
pub fn decimal_text(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
        .map(|d| d.normalize())
}

/// A per-token price as dollars per million tokens, exactly.
#[must_use]
pub fn per_million(per_token: Decimal) -> Option<Decimal> {
    per_token
        .checked_mul(crate::money::TOKENS_PER_PRICE_UNIT)
        .map(|d| d.normalize())
}

/// True when `text` matches `pattern`, case-insensitively; `*` stands for any run of
/// characters (`claude-*`, `gpt-4o*`, `*sonnet*`).
#[must_use]
pub fn pattern_matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.trim().to_lowercase(), text.to_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return p == t;
    };
    let Some(mut rest) = t.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Checks that an entry lists both an input and an output price, neither of them a bare $0
/// pair: an entry the book does not price is skipped, never priced at $0.
pub(crate) fn priceable(prices: &ListedPrices) -> Result<(), String> {
    match (prices.input_per_m, prices.output_per_m) {
        (None, None) => Err("lists no input and no output price".to_owned()),
        (None, Some(_)) => Err("lists no input price".to_owned()),
        (Some(_), None) => Err("lists no output price".to_owned()),
        (Some(i), Some(o)) if i.is_zero() && o.is_zero() => Err(
            "lists $0 for input and output (a free tier or a price not known to the book); add its card by hand if it is really free"
                .to_owned(),
        ),
        (Some(_), Some(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_token_text_becomes_an_exact_price_per_million() {
        let p = |t: &str| decimal_text(t).and_then(per_million).map(|d| d.to_string());
        assert_eq!(p("7.5e-08").as_deref(), Some("0.075"));
        assert_eq!(p("3.75e-06").as_deref(), Some("3.75"));
        assert_eq!(p("0.000003").as_deref(), Some("3"));
        assert_eq!(p("1.04e-06").as_deref(), Some("1.04"));
        assert_eq!(p("abc"), None);
    }

    #[test]
    fn patterns_match_with_stars_anywhere() {
        assert!(pattern_matches("claude-*", "Claude-3-5-Sonnet"));
        assert!(pattern_matches("gpt-4o*", "gpt-4o"));
        assert!(pattern_matches(
            "*sonnet*",
            "anthropic.claude-3-5-sonnet-v2"
        ));
        assert!(pattern_matches("gpt-4o-mini", "gpt-4o-mini"));
        assert!(!pattern_matches("gpt-4o-mini", "gpt-4o-mini-2024-07-18"));
        assert!(!pattern_matches("claude-*", "azure/gpt-4o-mini"));
        assert!(!pattern_matches("a*a", "a"));
    }

    #[test]
    fn detects_each_book_from_its_shape() {
        assert_eq!(
            detect(
                "prices.json",
                r#"{"gpt-4o": {"litellm_provider": "openai"}}"#
            ),
            Some(BookKind::Litellm)
        );
        assert_eq!(
            detect("models.json", r#"{"data": []}"#),
            Some(BookKind::Openrouter)
        );
        assert_eq!(
            detect("data.json", r#"[{"id": "x", "models": []}]"#),
            Some(BookKind::GenaiPrices)
        );
        assert_eq!(
            detect("anthropic.yml", "id: anthropic\nmodels: []\n"),
            Some(BookKind::GenaiPrices)
        );
        assert_eq!(detect("other.json", r#"{"rows": [1]}"#), None);
        // Cut short: still LiteLLM, so its reader names the line where it breaks.
        assert_eq!(
            detect("p.json", r#"{"gpt-4o": {"input_cost_per_token": 2.5e-06, "#),
            Some(BookKind::Litellm)
        );
    }
}
