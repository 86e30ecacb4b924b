//! Raw provider usage: one JSON object per request — a provider's response (its `usage` object
//! is read) or a bare usage object, with the request's other fields beside it (`request_id`,
//! `timestamp`, `workload`, `provider`, … as the mapping names them, or as constants).
//!
//! The usage object's shape decides how its tokens are counted, whatever the mapping says:
//! - OpenAI Chat Completions, `{prompt_tokens, completion_tokens, prompt_tokens_details:
//!   {cached_tokens}, completion_tokens_details: {reasoning_tokens}}`, and the Responses API,
//!   `{input_tokens, output_tokens, input_tokens_details: {cached_tokens},
//!   output_tokens_details: {reasoning_tokens}}`: input includes the cached tokens and output
//!   includes reasoning;
//! - Anthropic, `{input_tokens, output_tokens, cache_read_input_tokens,
//!   cache_creation_input_tokens, cache_creation: {ephemeral_5m_input_tokens,
//!   ephemeral_1h_input_tokens}}`: input excludes cache reads and writes; writes are 5-minute
//!   unless the split says otherwise, and the split must add up to the total.
//!
//! A bare `{input_tokens, output_tokens}` fits both readings and, with no cache, means the same
//! under either. A usage object mixing OpenAI detail fields with Anthropic cache fields is a
//! broken row. Integer `created` / `created_at` values (Unix seconds, as OpenAI writes them)
//! are read as timestamps. Objects are numbered from 1 in file order (line numbers for JSON
//! Lines).

use std::borrow::Cow;
use std::io::Read;

use serde_json::{Map, Value};

use super::ImportError;
use super::jsonl::{FieldSources, JsonStream, cell_of, lookup};
use super::pipeline::{Chunk, ROW_BATCH, RowBatch, RowsDecoder, Source};
use super::trace_row::{Cell, RowCells, RowError, RowRules, Timestamp, TraceRow, build_row};
use crate::document::mapping::{CanonicalField, ColumnMapping, ColumnRule, UsageConvention};

/// The shape of a usage object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageShape {
    /// OpenAI Chat Completions.
    OpenaiChat,
    /// OpenAI Responses.
    OpenaiResponses,
    /// Anthropic Messages.
    Anthropic,
    /// OpenAI Chat Completions usage that also carries Anthropic's cache fields, as LiteLLM
    /// writes a Claude call: `prompt_tokens` includes the cache reads and writes.
    LitellmChat,
    /// Only input and output totals.
    Plain,
}

/// Recognizes a usage object; `Err` for one that mixes providers' fields, `Ok(None)` for an
/// object with no token counts.
pub fn shape(usage: &Map<String, Value>) -> Result<Option<UsageShape>, String> {
    let has = |k: &str| usage.contains_key(k);
    let anthropic = has("cache_read_input_tokens")
        || has("cache_creation_input_tokens")
        || has("cache_creation");
    let chat = has("prompt_tokens") || has("completion_tokens");
    let responses = has("input_tokens_details") || has("output_tokens_details");
    match (anthropic, chat, responses) {
        (true, true, false) => Ok(Some(UsageShape::LitellmChat)),
        (true, _, true) | (_, true, true) => Err(
            "mixes OpenAI Responses fields (input_tokens_details / output_tokens_details) with Chat Completions or Anthropic cache fields, so which count includes which cannot be told — keep one provider's usage per record, or map the token fields yourself with a jsonl mapping"
                .to_owned(),
        ),
        (true, false, false) => Ok(Some(UsageShape::Anthropic)),
        (false, true, false) => Ok(Some(UsageShape::OpenaiChat)),
        (false, false, true) => Ok(Some(UsageShape::OpenaiResponses)),
        (false, false, false) if has("input_tokens") || has("output_tokens") => {
            Ok(Some(UsageShape::Plain))
        }
        (false, false, false) => Ok(None),
    }
}

type Paths = &'static [(CanonicalField, &'static str)];

fn paths(shape: UsageShape) -> Paths {
    use CanonicalField as F;
    match shape {
        UsageShape::OpenaiChat => &[
            (F::InputTokens, "usage.prompt_tokens"),
            (
                F::CacheReadTokens,
                "usage.prompt_tokens_details.cached_tokens",
            ),
            (F::OutputTokens, "usage.completion_tokens"),
            (
                F::ReasoningTokens,
                "usage.completion_tokens_details.reasoning_tokens",
            ),
        ],
        UsageShape::OpenaiResponses => &[
            (F::InputTokens, "usage.input_tokens"),
            (
                F::CacheReadTokens,
                "usage.input_tokens_details.cached_tokens",
            ),
            (F::OutputTokens, "usage.output_tokens"),
            (
                F::ReasoningTokens,
                "usage.output_tokens_details.reasoning_tokens",
            ),
        ],
        UsageShape::LitellmChat => &[
            (F::InputTokens, "usage.prompt_tokens"),
            (F::CacheReadTokens, "usage.cache_read_input_tokens"),
            (
                F::CacheReadTokens,
                "usage.prompt_tokens_details.cached_tokens",
            ),
            (F::OutputTokens, "usage.completion_tokens"),
            (
                F::ReasoningTokens,
                "usage.completion_tokens_details.reasoning_tokens",
            ),
        ],
        UsageShape::Anthropic | UsageShape::Plain => &[
            (F::InputTokens, "usage.input_tokens"),
            (F::CacheReadTokens, "usage.cache_read_input_tokens"),
            (F::OutputTokens, "usage.output_tokens"),
        ],
    }
}

/// The usage object of a record: its `usage` member, else the record itself.
fn usage_of(record: &Map<String, Value>) -> &Map<String, Value> {
    match record.get("usage") {
        Some(Value::Object(u)) => u,
        _ => record,
    }
}

fn get<'a>(usage: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    lookup(usage, path.strip_prefix("usage.").unwrap_or(path))
}

/// Offers the cache-write cells of an Anthropic usage object; `Err` when the 5-minute and
/// 1-hour split does not add up to the total.
fn cache_writes<'a>(
    usage: &'a Map<String, Value>,
    cells: &mut RowCells<'a>,
) -> Result<(), (&'static str, String)> {
    let total = usage.get("cache_creation_input_tokens");
    let split = usage.get("cache_creation").and_then(Value::as_object);
    match split {
        Some(split) => {
            let five = split.get("ephemeral_5m_input_tokens");
            let hour = split.get("ephemeral_1h_input_tokens");
            let as_u = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
            if let Some(t) = total.and_then(Value::as_u64)
                && t != as_u(five) + as_u(hour)
            {
                return Err((
                    "usage.cache_creation_input_tokens (cache_write_5m_tokens)",
                    format!(
                        "must equal ephemeral_5m + ephemeral_1h ({}), got {t}",
                        as_u(five) + as_u(hour)
                    ),
                ));
            }
            if let Some(c) = five.and_then(cell_of) {
                cells.offer(
                    CanonicalField::CacheWrite5mTokens,
                    c,
                    "usage.cache_creation.ephemeral_5m_input_tokens",
                );
            }
            if let Some(c) = hour.and_then(cell_of) {
                cells.offer(
                    CanonicalField::CacheWrite1hTokens,
                    c,
                    "usage.cache_creation.ephemeral_1h_input_tokens",
                );
            }
        }
        None => {
            if let Some(c) = total.and_then(cell_of) {
                cells.offer(
                    CanonicalField::CacheWrite5mTokens,
                    c,
                    "usage.cache_creation_input_tokens",
                );
            }
        }
    }
    Ok(())
}

/// The provider a body shows: OpenAI's `object` kinds, Anthropic's `type: message` or
/// Anthropic usage, a LiteLLM Claude call by its `claude` model.
fn provider_of(record: &Map<String, Value>, shape: Option<UsageShape>) -> Option<&'static str> {
    let text = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or("");
    match shape? {
        UsageShape::Anthropic => Some("anthropic"),
        UsageShape::LitellmChat => {
            let model = text("model").to_ascii_lowercase();
            (model.starts_with("claude") || model.starts_with("anthropic/")).then_some("anthropic")
        }
        UsageShape::OpenaiChat | UsageShape::OpenaiResponses | UsageShape::Plain => {
            match (text("object"), text("type")) {
                ("chat.completion" | "response" | "text_completion", _) => Some("openai"),
                (_, "message") => Some("anthropic"),
                _ => None,
            }
        }
    }
}

/// Reads provider responses or usage objects and turns each into a row.
pub struct UsageSource<R: Read> {
    stream: JsonStream<R, Value>,
    sources: FieldSources,
    inclusive: RowRules,
    exclusive: RowRules,
    date_constant: bool,
    provider_constant: bool,
    next_row: u64,
    total: u64,
}

impl ColumnMapping {
    /// Provider responses and usage objects: the usage counts come from the usage object (see
    /// [`crate::evidence::traces::provider_usage`]); the other fields from keys named as the canonical
    /// fields, with `id` for the request id and `created` / `created_at` for the timestamp.
    #[must_use]
    pub fn provider_usage() -> Self {
        let mut m = Self::canonical();
        m.name = "provider_usage".to_owned();
        m.columns.retain(|r| {
            !matches!(
                r.field,
                CanonicalField::InputTokens | CanonicalField::OutputTokens
            )
        });
        for (source, field) in [
            ("id", CanonicalField::RequestId),
            ("created_at", CanonicalField::Timestamp),
            ("created", CanonicalField::Timestamp),
            ("usage.input_tokens", CanonicalField::InputTokens),
            ("usage.output_tokens", CanonicalField::OutputTokens),
        ] {
            m.columns.push(ColumnRule {
                source: source.to_owned(),
                field,
            });
        }
        m
    }
}

impl<R: Read> UsageSource<R> {
    /// A source over `input` (of `bytes_total` bytes, 0 when unknown), its other fields mapped
    /// by `mapping` (usually [`ColumnMapping::provider_usage`]).
    pub fn new(input: R, bytes_total: u64, mapping: &ColumnMapping) -> Result<Self, ImportError> {
        mapping.validate().map_err(|e| e.within("mapping"))?;
        let mut inclusive = mapping.clone();
        inclusive.convention = UsageConvention::OpenaiInclusive;
        inclusive.reasoning_in_output = true;
        let mut exclusive = mapping.clone();
        exclusive.convention = UsageConvention::AnthropicExclusive;
        exclusive.reasoning_in_output = false;
        Ok(Self {
            stream: JsonStream::new(input),
            sources: FieldSources::of(mapping),
            inclusive: RowRules::from_mapping(&inclusive),
            exclusive: RowRules::from_mapping(&exclusive),
            date_constant: mapping.constant(CanonicalField::Timestamp).is_some(),
            provider_constant: mapping.constant(CanonicalField::Provider).is_some(),
            next_row: 1,
            total: bytes_total,
        })
    }

    fn row(&self, value: &Value, row: u64) -> Result<TraceRow<'static>, RowError> {
        let Some(record) = value.as_object() else {
            return Err(RowError::record(row, "is not a JSON object"));
        };
        let usage = usage_of(record);
        let shape = shape(usage).map_err(|rule| RowError::record(row, rule))?;
        let mut cells = RowCells::new();
        if let Some(shape) = shape {
            for &(field, path) in paths(shape) {
                if let Some(c) = get(usage, path).and_then(cell_of) {
                    cells.offer(field, c, path);
                }
            }
            if matches!(shape, UsageShape::Anthropic | UsageShape::LitellmChat) {
                cache_writes(usage, &mut cells).map_err(|(column, rule)| RowError {
                    row,
                    column: column.to_owned(),
                    rule,
                })?;
            }
        }
        self.sources.fill(&mut cells, |field, source| {
            let v = lookup(record, source)?;
            match (field, v) {
                (CanonicalField::Timestamp, Value::Number(n)) => n
                    .as_i64()
                    .and_then(|s| Timestamp::from_unix_nanos(i128::from(s) * 1_000_000_000))
                    .map(Cell::Time)
                    .or_else(|| Some(Cell::Text(Cow::Owned(n.to_string())))),
                _ => cell_of(v),
            }
        });
        if !cells.has(CanonicalField::Provider)
            && !self.provider_constant
            && let Some(p) = provider_of(record, shape)
        {
            cells.offer(
                CanonicalField::Provider,
                Cell::Text(Cow::Borrowed(p)),
                "body",
            );
        }
        let id = record.get("id").and_then(Value::as_str).unwrap_or("");
        let named = if id.is_empty() {
            String::new()
        } else {
            format!(" (id {id})")
        };
        if !cells.has(CanonicalField::Timestamp) && !self.date_constant {
            return Err(RowError::record(
                row,
                format!(
                    "record{named} has no timestamp (created, created_at or the mapping's timestamp key){} — pass --date YYYY-MM-DD for the day these calls were made",
                    if shape == Some(UsageShape::Anthropic) {
                        ": Anthropic message bodies carry none"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if !cells.has(CanonicalField::Provider) && !self.provider_constant {
            return Err(RowError::record(
                row,
                format!(
                    "record{named} does not say its provider (no provider key, and its usage shape names none) — add the constant provider to the mapping (constants: {{provider: NAME}}) or a provider key"
                ),
            ));
        }
        let rules = match shape {
            Some(
                UsageShape::OpenaiChat | UsageShape::OpenaiResponses | UsageShape::LitellmChat,
            ) => &self.inclusive,
            _ => &self.exclusive,
        };
        build_row(&mut cells, rules, row).map(TraceRow::into_owned)
    }
}

impl<R: Read> Source for UsageSource<R> {
    type Payload = RowBatch;
    type Decoder = RowsDecoder;

    fn decoder(&self) -> Result<RowsDecoder, ImportError> {
        Ok(RowsDecoder)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<RowBatch>>, ImportError> {
        let first_row = self.next_row;
        let mut batch = RowBatch::new();
        while batch.len() < ROW_BATCH {
            let Some(value) = self.stream.next_value()? else {
                break;
            };
            let row = self.next_row;
            self.next_row += 1;
            batch.push(self.row(&value, row));
        }
        Ok((!batch.is_empty()).then(|| Chunk {
            payload: batch,
            first_row,
            bytes_done: self.stream.bytes_read(),
        }))
    }

    fn bytes_total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(v: Value) -> Result<TraceRow<'static>, RowError> {
        let mut m = ColumnMapping::provider_usage();
        m.constants.insert(CanonicalField::Workload, "w".into());
        let s = UsageSource::new(&b""[..], 0, &m).unwrap_or_else(|e| panic!("{e}"));
        s.row(&v, 1)
    }

    fn envelope(usage: Value) -> Value {
        json!({"id": "req-1", "created": 1778578200, "provider": "P", "model": "m", "usage": usage})
    }

    #[test]
    fn openai_chat_usage_includes_cache_and_reasoning() {
        let r = one(envelope(json!({
            "prompt_tokens": 2000, "completion_tokens": 500,
            "prompt_tokens_details": {"cached_tokens": 1536},
            "completion_tokens_details": {"reasoning_tokens": 320}
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        // 2000 − 1536 = 464 uncached; 500 − 320 = 180 visible output.
        assert_eq!((r.usage.uncached_input, r.usage.cache_read), (464, 1536));
        assert_eq!((r.usage.output, r.usage.reasoning), (180, 320));
        assert_eq!(r.timestamp.date.to_string(), "2026-05-12");
        assert_eq!(r.request_id, "req-1");
    }

    #[test]
    fn responses_usage_reads_its_detail_objects() {
        let r = one(envelope(json!({
            "input_tokens": 900, "output_tokens": 100,
            "input_tokens_details": {"cached_tokens": 600},
            "output_tokens_details": {"reasoning_tokens": 0}
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.usage.uncached_input, r.usage.cache_read, r.usage.output),
            (300, 600, 100)
        );
    }

    #[test]
    fn anthropic_usage_excludes_cache_and_splits_writes() {
        let r = one(envelope(json!({
            "input_tokens": 50, "output_tokens": 400,
            "cache_read_input_tokens": 3000, "cache_creation_input_tokens": 1200,
            "cache_creation": {"ephemeral_5m_input_tokens": 200, "ephemeral_1h_input_tokens": 1000}
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.usage.uncached_input, r.usage.cache_read), (50, 3000));
        assert_eq!(
            (r.usage.cache_write_5m, r.usage.cache_write_1h),
            (200, 1000)
        );
        assert_eq!(r.usage.input_total(), 4250);
        let r = one(envelope(json!({
            "input_tokens": 50, "output_tokens": 4, "cache_creation_input_tokens": 70
        })))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.usage.cache_write_5m, 70);
        let err = one(envelope(json!({
            "input_tokens": 5, "output_tokens": 4, "cache_creation_input_tokens": 70,
            "cache_creation": {"ephemeral_5m_input_tokens": 20}
        })))
        .err();
        assert!(
            err.is_some_and(|e| e.rule == "must equal ephemeral_5m + ephemeral_1h (20), got 70")
        );
    }

    #[test]
    fn mixed_or_inconsistent_usage_is_a_broken_row() {
        // LiteLLM's OpenAI-shaped usage of a Claude call: prompt_tokens includes reads and
        // writes, so 5 − 2 − 1 = 2 uncached.
        let r = one(envelope(json!({"prompt_tokens": 5, "completion_tokens": 1,
            "cache_read_input_tokens": 2, "cache_creation_input_tokens": 1,
            "prompt_tokens_details": {"cached_tokens": 2}})))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                r.usage.uncached_input,
                r.usage.cache_read,
                r.usage.cache_write_5m
            ),
            (2, 2, 1)
        );
        let err = one(envelope(json!({"prompt_tokens": 5, "completion_tokens": 1,
            "input_tokens_details": {"cached_tokens": 2}})))
        .err();
        assert!(err.is_some_and(|e| e.rule.starts_with("mixes OpenAI Responses fields")));
        let err = one(envelope(json!({"prompt_tokens": 5, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 9}}))).err();
        assert!(err.is_some_and(
            |e| e.column == "usage.prompt_tokens_details.cached_tokens (cache_read_tokens)"
        ));
        let err = one(json!({"id": "x", "created": 1, "provider": "P", "model": "m"})).err();
        assert!(err.is_some_and(|e| e.to_string() == "row 1: input_tokens is required"));
        assert_eq!(shape(&Map::new()), Ok(None));
    }
}
