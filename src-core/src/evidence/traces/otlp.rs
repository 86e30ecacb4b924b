//! OpenTelemetry GenAI spans in OTLP JSON: `resourceSpans` → `scopeSpans` → `spans`, one or more
//! export requests per file (the collector's file exporter writes one per line; a single
//! pretty-printed request reads the same way).
//!
//! A span is one request row when it carries a `gen_ai.*` attribute and is a model call: spans
//! whose `gen_ai.operation.name` is `invoke_agent`, `create_agent` or `execute_tool` are skipped,
//! because they wrap model calls whose usage their children already report. Rows are numbered
//! by request span, in file order, from 1.
//!
//! Each span is flattened into attributes (the span's, then its resource's) plus these keys,
//! which the mapping can name like any attribute:
//! - `otlp.trace_id`, `otlp.span_id`, `otlp.name`;
//! - `otlp.start_time`: the start, from `startTimeUnixNano`;
//! - `otlp.duration_ms`: end − start, in ms (the end-to-end latency of the call);
//! - `otlp.status`: `error` for status code ERROR (`timeout` when `error.type` names a timeout),
//!   else `ok`;
//! - `otlp.ttft_ms`: `gen_ai.response.time_to_first_chunk` (seconds) in ms, when present.
//!
//! The semantic conventions count cache reads (`gen_ai.usage.cache_read.input_tokens`) and
//! cache writes (`gen_ai.usage.cache_creation.input_tokens`) inside `gen_ai.usage.input_tokens`,
//! and reasoning (`gen_ai.usage.reasoning.output_tokens`) inside `gen_ai.usage.output_tokens`:
//! hence [`ColumnMapping::otel_genai`] is inclusive on both. Instrumentations that predate this
//! and report Anthropic's exclusive counts need a mapping with the exclusive convention.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use super::ImportError;
use super::jsonl::{FieldSources, JsonStream};
use super::pipeline::{Chunk, ROW_BATCH, RowBatch, RowsDecoder, Source};
use super::trace_row::{
    Cell, RowCells, RowError, RowRules, Timestamp, TokenUsage, TraceRow, build_row,
};
use crate::document::mapping::ColumnMapping;

/// An integer that OTLP JSON may write as a number or as a string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
enum Int {
    Number(i64),
    Text(String),
}

impl Int {
    fn value(&self) -> Option<i128> {
        match self {
            Self::Number(n) => Some(i128::from(*n)),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnyValue {
    #[serde(default, alias = "string_value")]
    string_value: Option<String>,
    #[serde(default, alias = "bool_value")]
    bool_value: Option<bool>,
    #[serde(default, alias = "int_value")]
    int_value: Option<Int>,
    #[serde(default, alias = "double_value")]
    double_value: Option<f64>,
}

impl AnyValue {
    fn cell(&self) -> Option<Cell<'_>> {
        if let Some(s) = &self.string_value {
            return Some(Cell::Text(Cow::Borrowed(s)));
        }
        if let Some(b) = self.bool_value {
            return Some(Cell::Bool(b));
        }
        if let Some(i) = &self.int_value {
            return Some(match i {
                Int::Number(n) => Cell::Int(*n),
                Int::Text(t) => match t.trim().parse::<i64>() {
                    Ok(n) => Cell::Int(n),
                    Err(_) => Cell::Text(Cow::Borrowed(t)),
                },
            });
        }
        self.double_value.map(Cell::Float)
    }

    fn number(&self) -> Option<f64> {
        match self.cell()? {
            Cell::Int(i) => Some(i as f64),
            Cell::Float(f) => Some(f),
            Cell::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: AnyValue,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum StatusCode {
    Number(i64),
    Text(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SpanStatus {
    #[serde(default)]
    code: Option<StatusCode>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Span {
    #[serde(default, alias = "trace_id")]
    trace_id: String,
    #[serde(default, alias = "span_id")]
    span_id: String,
    #[serde(default)]
    name: String,
    #[serde(default, alias = "start_time_unix_nano")]
    start_time_unix_nano: Option<Int>,
    #[serde(default, alias = "end_time_unix_nano")]
    end_time_unix_nano: Option<Int>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
    #[serde(default)]
    status: Option<SpanStatus>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Resource {
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScopeSpans {
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceSpans {
    #[serde(default)]
    resource: Resource,
    #[serde(default, alias = "scope_spans", alias = "instrumentationLibrarySpans")]
    scope_spans: Vec<ScopeSpans>,
}

/// One OTLP trace export request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportRequest {
    #[serde(default, alias = "resource_spans")]
    resource_spans: Vec<ResourceSpans>,
}

/// Operations that wrap model calls rather than being one.
const WRAPPERS: [&str; 3] = ["invoke_agent", "create_agent", "execute_tool"];

fn attribute<'a>(span: &'a Span, resource: &'a Resource, key: &str) -> Option<&'a AnyValue> {
    span.attributes
        .iter()
        .chain(&resource.attributes)
        .find(|kv| kv.key == key)
        .map(|kv| &kv.value)
}

fn is_model_call(span: &Span) -> bool {
    let gen_ai = span
        .attributes
        .iter()
        .any(|kv| kv.key.starts_with("gen_ai."));
    let wrapper = span
        .attributes
        .iter()
        .find(|kv| kv.key == "gen_ai.operation.name")
        .and_then(|kv| kv.value.string_value.as_deref())
        .is_some_and(|op| WRAPPERS.contains(&op));
    gen_ai && !wrapper
}

fn status(span: &Span, resource: &Resource) -> &'static str {
    let error = match span.status.as_ref().and_then(|s| s.code.as_ref()) {
        Some(StatusCode::Number(2)) => true,
        Some(StatusCode::Text(t)) => t.eq_ignore_ascii_case("STATUS_CODE_ERROR") || t == "2",
        _ => false,
    };
    if !error {
        return "ok";
    }
    let timeout = attribute(span, resource, "error.type")
        .and_then(|v| v.string_value.as_deref())
        .is_some_and(|t| t.to_ascii_lowercase().contains("timeout"));
    if timeout { "timeout" } else { "error" }
}

/// The value of flattened key `key` for a span (see the module docs).
fn flattened<'a>(span: &'a Span, resource: &'a Resource, key: &str) -> Option<Cell<'a>> {
    let start = span.start_time_unix_nano.as_ref().and_then(Int::value);
    let end = span.end_time_unix_nano.as_ref().and_then(Int::value);
    match key {
        "otlp.trace_id" => Some(Cell::Text(Cow::Borrowed(&span.trace_id))),
        "otlp.span_id" => Some(Cell::Text(Cow::Borrowed(&span.span_id))),
        "otlp.name" => Some(Cell::Text(Cow::Borrowed(&span.name))),
        "otlp.start_time" => start.and_then(Timestamp::from_unix_nanos).map(Cell::Time),
        "otlp.duration_ms" => match (start, end) {
            (Some(s), Some(e)) => Some(Cell::Float((e - s) as f64 / 1e6)),
            _ => None,
        },
        "otlp.status" => Some(Cell::Text(Cow::Borrowed(status(span, resource)))),
        "otlp.ttft_ms" => attribute(span, resource, "gen_ai.response.time_to_first_chunk")
            .and_then(AnyValue::number)
            .map(|seconds| Cell::Float(seconds * 1000.0)),
        other => attribute(span, resource, other).and_then(AnyValue::cell),
    }
}

/// The first span seen with a response id: its row and what it counted.
struct SeenResponse {
    row: u64,
    span_id: String,
    model: String,
    usage: TokenUsage,
}

/// Reads OTLP JSON export requests and turns model-call spans into rows.
pub struct OtlpSource<R: Read> {
    stream: JsonStream<R, ExportRequest>,
    sources: FieldSources,
    rules: RowRules,
    next_row: u64,
    total: u64,
    seen: HashMap<String, SeenResponse>,
    duplicates: Arc<AtomicU64>,
}

impl<R: Read> OtlpSource<R> {
    /// A source over `input` (of `bytes_total` bytes, 0 when unknown), mapped by `mapping`
    /// (usually [`ColumnMapping::otel_genai`] with a workload constant or attribute).
    pub fn new(input: R, bytes_total: u64, mapping: &ColumnMapping) -> Result<Self, ImportError> {
        mapping.validate().map_err(|e| e.within("mapping"))?;
        Ok(Self {
            stream: JsonStream::new(input),
            sources: FieldSources::of(mapping),
            rules: RowRules::from_mapping(mapping),
            next_row: 1,
            total: bytes_total,
            seen: HashMap::new(),
            duplicates: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Counts, into `counter`, the spans dropped as another layer's trace of a call already
    /// read (same `gen_ai.response.id`).
    #[must_use]
    pub fn counting_duplicates(mut self, counter: Arc<AtomicU64>) -> Self {
        self.duplicates = counter;
        self
    }

    /// Drops a span whose `gen_ai.response.id` an earlier span had, when both counted the
    /// same model and tokens (two instrumentation layers tracing one call, in separate
    /// traces); a span that repeats the id with other counts is a broken row naming both.
    fn dedupe(
        &mut self,
        response_id: Option<&str>,
        span_id: &str,
        built: Result<TraceRow<'static>, RowError>,
    ) -> Option<Result<TraceRow<'static>, RowError>> {
        let (Some(id), Ok(row)) = (response_id.filter(|s| !s.trim().is_empty()), &built) else {
            return Some(built);
        };
        match self.seen.get(id) {
            None => {
                self.seen.insert(
                    id.to_owned(),
                    SeenResponse {
                        row: row.row,
                        span_id: span_id.to_owned(),
                        model: row.model.to_string(),
                        usage: row.usage,
                    },
                );
                Some(built)
            }
            Some(first) if first.usage == row.usage && first.model == row.model => {
                self.duplicates.fetch_add(1, Ordering::Relaxed);
                None
            }
            Some(first) => Some(Err(RowError {
                row: row.row,
                column: "gen_ai.response.id".to_owned(),
                rule: format!(
                    "span {span_id} repeats response id {id:?} of row {} (span {}) with other token counts or model, so one call would be counted twice or wrongly — drop one of the two spans (or map request_id to otlp.span_id if they are different calls)",
                    first.row, first.span_id
                ),
            })),
        }
    }
}

impl<R: Read> Source for OtlpSource<R> {
    type Payload = RowBatch;
    type Decoder = RowsDecoder;

    fn decoder(&self) -> Result<RowsDecoder, ImportError> {
        Ok(RowsDecoder)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<RowBatch>>, ImportError> {
        let first_row = self.next_row;
        let mut batch = RowBatch::new();
        while batch.len() < ROW_BATCH {
            let Some(request) = self.stream.next_value()? else {
                break;
            };
            for rs in &request.resource_spans {
                for span in rs.scope_spans.iter().flat_map(|s| &s.spans) {
                    if !is_model_call(span) {
                        continue;
                    }
                    let row = self.next_row;
                    self.next_row += 1;
                    let mut cells = RowCells::new();
                    self.sources
                        .fill(&mut cells, |_, key| flattened(span, &rs.resource, key));
                    let built = build_row(&mut cells, &self.rules, row).map(|r| r.into_owned());
                    let response_id = attribute(span, &rs.resource, "gen_ai.response.id")
                        .and_then(|v| v.string_value.as_deref());
                    if let Some(kept) = self.dedupe(response_id, &span.span_id, built) {
                        batch.push(kept);
                    }
                }
            }
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
    use crate::document::mapping::CanonicalField;

    fn rows(text: &str, mapping: &ColumnMapping) -> RowBatch {
        let mut s = OtlpSource::new(text.as_bytes(), 0, mapping).unwrap_or_else(|e| panic!("{e}"));
        let mut all = Vec::new();
        while let Some(chunk) = s.next_chunk().unwrap_or_else(|e| panic!("{e}")) {
            all.extend(chunk.payload);
        }
        all
    }

    const SPAN: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"lcpr.workload","value":{"stringValue":"support-chat"}}]},
      "scopeSpans":[{"spans":[
        {"traceId":"t1","spanId":"s1","name":"chat gpt-5.4","startTimeUnixNano":"1778578200000000000","endTimeUnixNano":"1778578202500000000",
         "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                       {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
                       {"key":"gen_ai.request.model","value":{"stringValue":"gpt-5.4"}},
                       {"key":"gen_ai.response.model","value":{"stringValue":"gpt-5.4-2026-03-05"}},
                       {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},
                       {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":800}},
                       {"key":"gen_ai.usage.output_tokens","value":{"intValue":"301"}},
                       {"key":"gen_ai.response.time_to_first_chunk","value":{"doubleValue":0.5}}]},
        {"spanId":"s2","name":"invoke_agent","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},
                       {"key":"gen_ai.usage.input_tokens","value":{"intValue":"5000"}}]},
        {"spanId":"s3","name":"GET /health","attributes":[{"key":"http.method","value":{"stringValue":"GET"}}]},
        {"spanId":"s4","startTimeUnixNano":"1778578200000000000","endTimeUnixNano":"1778578201000000000","status":{"code":2},
         "attributes":[{"key":"gen_ai.system","value":{"stringValue":"anthropic"}},
                       {"key":"gen_ai.request.model","value":{"stringValue":"claude-x"}},
                       {"key":"error.type","value":{"stringValue":"TimeoutError"}},
                       {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},
                       {"key":"gen_ai.usage.output_tokens","value":{"intValue":"0"}}]}
      ]}]}]}"#;

    #[test]
    fn model_call_spans_become_rows() {
        let got = rows(SPAN, &ColumnMapping::otel_genai());
        assert_eq!(got.len(), 2);
        let r = got[0].as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (r.row, &*r.request_id, &*r.workload),
            (1, "s1", "support-chat")
        );
        assert_eq!((&*r.provider, &*r.model), ("openai", "gpt-5.4-2026-03-05"));
        // 1200 input including 800 cache reads → 400 uncached.
        assert_eq!(
            (r.usage.uncached_input, r.usage.cache_read, r.usage.output),
            (400, 800, 301)
        );
        // 1778578200 s = 2026-05-12 09:30:00 UTC; the call took 2.5 s, the first chunk 0.5 s.
        assert_eq!(r.timestamp.date.to_string(), "2026-05-12");
        assert_eq!(r.timestamp.seconds, 34_200.0);
        assert_eq!((r.e2e_ms, r.ttft_ms), (Some(2500.0), Some(500.0)));
        // (2500 − 500) ÷ (301 − 1) ms per token after the first.
        assert_eq!(r.tpot_ms, Some(2000.0 / 300.0));
        let r = got[1].as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.row, &*r.provider), (2, "anthropic"));
        assert_eq!(
            r.status,
            crate::evidence::traces::trace_row::Status::Timeout
        );
    }

    #[test]
    fn broken_spans_are_broken_rows_and_bad_json_refuses_the_file() {
        let text = SPAN.replace("\"intValue\":800", "\"intValue\":1800");
        let got = rows(&text, &ColumnMapping::otel_genai());
        let err = got[0].as_ref().err().map(ToString::to_string);
        assert_eq!(err, Some("row 1: gen_ai.usage.cache_read.input_tokens (cache_read_tokens) must be ≤ gen_ai.usage.input_tokens (1200) because input includes cached tokens (openai_inclusive), got 1800".into()));
        let mut mapping = ColumnMapping::otel_genai();
        mapping
            .columns
            .retain(|c| c.field != CanonicalField::Workload);
        mapping
            .constants
            .insert(CanonicalField::Workload, "batch".into());
        let got = rows(SPAN, &mapping);
        assert!(
            got.iter()
                .all(|r| r.as_ref().is_ok_and(|r| r.workload == "batch"))
        );
        let mut s = OtlpSource::new(
            &b"{\"resourceSpans\": [ oops"[..],
            0,
            &ColumnMapping::otel_genai(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.next_chunk().is_err());
    }

    #[test]
    fn several_requests_per_file_are_read_in_turn() {
        let text = format!("{}\n{}\n", SPAN.replace('\n', " "), SPAN.replace('\n', " "));
        let got = rows(&text, &ColumnMapping::otel_genai());
        let numbers: Vec<u64> = got
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.row)
            .collect();
        assert_eq!(numbers, vec![1, 2, 3, 4]);
    }
}
