//! JSON Lines traces: one JSON object per line, one request per object.
//!
//! A mapping source names a key, or a dotted path into nested objects (`usage.input_tokens`)
//! when no key has that exact name. Rows are numbered by line, from 1; blank lines are skipped
//! but keep their number. A line that is not a JSON object is a broken row. Lines are cut into
//! chunks at line breaks, which JSON strings cannot contain unescaped, and parsed by the workers.
//!
//! Also holds the value-to-cell conversion that the OTLP and provider-usage readers share.

use std::borrow::Cow;
use std::io::{BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

use super::ImportError;
use super::aggregate::Aggregate;
use super::pipeline::{Chunk, Decoder, Source};
use super::trace_row::{Cell, RowCells, RowError, RowRules, build_row};
use crate::document::mapping::{CanonicalField, ColumnMapping, FIELD_COUNT, PatternRule};

/// A JSON value as a cell; `None` for null.
#[must_use]
pub fn cell_of(value: &Value) -> Option<Cell<'_>> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Float(n.as_f64()?),
        },
        Value::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        other => Cell::Text(Cow::Owned(other.to_string())),
    })
}

/// The value at `source` in `object`: the key itself, else the dotted path.
#[must_use]
pub fn lookup<'a>(object: &'a Map<String, Value>, source: &str) -> Option<&'a Value> {
    if let Some(v) = object.get(source) {
        return Some(v);
    }
    let mut parts = source.split('.');
    let mut current = object.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

/// Each canonical field's sources, in preference order, and the mapping's pattern rules.
#[derive(Debug, Clone)]
pub struct FieldSources {
    columns: Vec<Vec<String>>,
    patterns: Vec<(PatternRule, regex::Regex)>,
}

/// A cell as the text a pattern reads; `None` for values that are not text-like.
fn cell_text(cell: &Cell<'_>) -> Option<String> {
    Some(match cell {
        Cell::Text(t) => t.to_string(),
        Cell::Bytes(b) => std::str::from_utf8(b).ok()?.to_owned(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Decimal(d) => d.to_string(),
        Cell::Time(_) => return None,
    })
}

impl FieldSources {
    /// The sources `mapping` lists for each field (the mapping is validated first by every
    /// reader, so its patterns compile).
    #[must_use]
    pub fn of(mapping: &ColumnMapping) -> Self {
        Self {
            columns: CanonicalField::ALL
                .iter()
                .map(|&f| mapping.sources(f).map(str::to_owned).collect())
                .collect(),
            patterns: mapping
                .patterns
                .iter()
                .filter_map(|p| p.compile().ok().map(|re| (p.clone(), re)))
                .collect(),
        }
    }

    /// The sources of `field`.
    #[must_use]
    pub fn get(&self, field: CanonicalField) -> &[String] {
        self.columns
            .get(field.index())
            .map_or(&[][..], Vec::as_slice)
    }

    /// Offers every field of `cells` its first non-empty source found by `find`, then, for a
    /// field still empty, the first pattern rule that matches its source.
    pub fn fill<'a>(
        &'a self,
        cells: &mut RowCells<'a>,
        mut find: impl FnMut(CanonicalField, &str) -> Option<Cell<'a>>,
    ) {
        for field in CanonicalField::ALL {
            for source in self.get(field) {
                if let Some(cell) = find(field, source)
                    && cells.offer(field, cell, source)
                {
                    break;
                }
            }
        }
        for (rule, re) in &self.patterns {
            if cells.has(rule.field) {
                continue;
            }
            let Some(text) = find(rule.field, &rule.source).and_then(|c| cell_text(&c)) else {
                continue;
            };
            if let Some(value) = rule.apply(re, &text) {
                cells.offer(rule.field, Cell::Text(Cow::Owned(value)), &rule.source);
            }
        }
    }
}

const _: () = assert!(FIELD_COUNT == CanonicalField::ALL.len());

/// Counts the bytes read through it, for progress.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Successive JSON values of a stream — JSON Lines, or values separated by any whitespace,
/// including one pretty-printed document — read one at a time.
pub struct JsonStream<R: Read, T> {
    values:
        serde_json::StreamDeserializer<'static, serde_json::de::IoRead<BufReader<Counted<R>>>, T>,
    read: Arc<AtomicU64>,
}

impl<R: Read, T: serde::de::DeserializeOwned> JsonStream<R, T> {
    /// A stream over `input`.
    pub fn new(input: R) -> Self {
        let read = Arc::new(AtomicU64::new(0));
        let counted = Counted {
            inner: input,
            read: Arc::clone(&read),
        };
        Self {
            values: serde_json::Deserializer::from_reader(BufReader::with_capacity(
                1 << 16,
                counted,
            ))
            .into_iter(),
            read,
        }
    }

    /// The next value; a value that is not valid JSON of the expected shape refuses the file
    /// (the stream cannot be resumed after it), naming the line and column.
    pub fn next_value(&mut self) -> Result<Option<T>, ImportError> {
        match self.values.next() {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(e)) if e.is_io() => Err(ImportError::Io {
                path: "input".to_owned(),
                message: e.to_string(),
            }),
            Some(Err(e)) => Err(ImportError::Input(crate::error::InputError::new(
                "input",
                format!("is not valid JSON of the expected shape: {e}"),
            ))),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }
}

/// Cuts a stream into chunks of whole lines. Rows are numbered by line.
pub(crate) struct LineChunker<R> {
    input: R,
    buf: Vec<u8>,
    eof: bool,
    next_row: u64,
    consumed: u64,
    total: u64,
    chunk_bytes: usize,
}

impl<R: Read> LineChunker<R> {
    /// A chunker over `input`, of `bytes_total` bytes (0 when unknown).
    pub fn new(input: R, bytes_total: u64, chunk_bytes: usize) -> Self {
        Self {
            input,
            buf: Vec::new(),
            eof: false,
            next_row: 1,
            consumed: 0,
            total: bytes_total,
            chunk_bytes: chunk_bytes.max(1),
        }
    }

    /// The next chunk of whole lines with its first row number.
    pub(crate) fn next_lines(&mut self) -> Result<Option<Chunk<Vec<u8>>>, ImportError> {
        loop {
            let last_break = memchr::memrchr(b'\n', &self.buf);
            let enough = last_break.is_some_and(|p| p + 1 >= self.chunk_bytes);
            if enough || self.eof {
                let cut = match last_break {
                    Some(p) if !self.eof => p + 1,
                    _ => self.buf.len(),
                };
                if cut == 0 {
                    return Ok(None);
                }
                let rest = self.buf.split_off(cut);
                let payload = std::mem::replace(&mut self.buf, rest);
                let mut lines = memchr::memchr_iter(b'\n', &payload).count() as u64;
                if payload.last() != Some(&b'\n') {
                    lines += 1;
                }
                let first_row = self.next_row;
                self.next_row += lines;
                self.consumed += payload.len() as u64;
                return Ok(Some(Chunk {
                    payload,
                    first_row,
                    bytes_done: self.consumed,
                }));
            }
            let tail = self.buf.len() - last_break.map_or(0, |p| p + 1);
            if tail > super::csv::MAX_RECORD_BYTES {
                return Err(ImportError::Input(crate::error::InputError::new(
                    "input",
                    format!(
                        "has a line longer than {} MiB at row {}",
                        super::csv::MAX_RECORD_BYTES >> 20,
                        self.next_row
                    ),
                )));
            }
            let start = self.buf.len();
            self.buf.resize(start + self.chunk_bytes, 0);
            let read = match self.buf.get_mut(start..) {
                Some(spare) => loop {
                    match self.input.read(spare) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        other => break other,
                    }
                },
                None => Ok(0),
            };
            let n = read.map_err(|e| ImportError::io("input", &e))?;
            self.buf.truncate(start + n);
            self.eof = n == 0;
        }
    }
}

/// Cuts a JSON Lines stream into chunks.
pub struct JsonlSource<R> {
    lines: LineChunker<R>,
    sources: FieldSources,
    rules: RowRules,
}

impl<R: Read> JsonlSource<R> {
    /// A source over `input` (of `bytes_total` bytes, 0 when unknown), mapped by `mapping`.
    pub fn new(
        input: R,
        bytes_total: u64,
        mapping: &ColumnMapping,
        chunk_bytes: usize,
    ) -> Result<Self, ImportError> {
        mapping.validate().map_err(|e| e.within("mapping"))?;
        Ok(Self {
            lines: LineChunker::new(input, bytes_total, chunk_bytes),
            sources: FieldSources::of(mapping),
            rules: RowRules::from_mapping(mapping),
        })
    }
}

impl<R: Read> Source for JsonlSource<R> {
    type Payload = Vec<u8>;
    type Decoder = JsonlDecoder;

    fn decoder(&self) -> Result<JsonlDecoder, ImportError> {
        Ok(JsonlDecoder {
            sources: self.sources.clone(),
            rules: self.rules.clone(),
        })
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<Vec<u8>>>, ImportError> {
        self.lines.next_lines()
    }

    fn bytes_total(&self) -> u64 {
        self.lines.total
    }
}

/// Parses chunks of JSON lines into rows.
pub struct JsonlDecoder {
    sources: FieldSources,
    rules: RowRules,
}

impl Decoder for JsonlDecoder {
    type Payload = Vec<u8>;

    fn decode(
        &mut self,
        payload: &mut Vec<u8>,
        first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let mut row = first_row;
        for line in payload.split(|&b| b == b'\n') {
            let this = row;
            row += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let object: Map<String, Value> = match serde_json::from_slice(line) {
                Ok(o) => o,
                Err(e) => {
                    into.add_error(RowError::record(this, format!("is not a JSON object: {e}")));
                    continue;
                }
            };
            let mut cells = RowCells::new();
            self.sources.fill(&mut cells, |_, source| {
                lookup(&object, source).and_then(cell_of)
            });
            into.record(build_row(&mut cells, &self.rules, this))?;
        }
        // `split` yields one piece after a final line break: it is not a line.
        let lines = row - first_row - u64::from(payload.last() == Some(&b'\n'));
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::mapping::{ColumnRule, UsageConvention};
    use crate::evidence::traces::aggregate::AggregateSettings;
    use serde_json::json;

    #[test]
    fn lookup_prefers_the_key_then_walks_the_path() {
        let v = json!({"usage.input_tokens": 1, "usage": {"input_tokens": 2, "details": {"cached": 3}}});
        let o = v.as_object().cloned().unwrap_or_default();
        assert_eq!(lookup(&o, "usage.input_tokens"), Some(&json!(1)));
        assert_eq!(lookup(&o, "usage.details.cached"), Some(&json!(3)));
        assert_eq!(lookup(&o, "usage.missing"), None);
        assert_eq!(cell_of(&json!(null)), None);
        assert_eq!(cell_of(&json!(2.5)), Some(Cell::Float(2.5)));
        assert_eq!(cell_of(&json!(7)), Some(Cell::Int(7)));
    }

    #[test]
    fn chunks_hold_whole_lines_and_number_them() {
        let text = b"a\nbb\n\nccc\ndd";
        let mut c = LineChunker::new(&text[..], 0, 3);
        let mut got = Vec::new();
        while let Ok(Some(chunk)) = c.next_lines() {
            got.push((
                String::from_utf8_lossy(&chunk.payload).into_owned(),
                chunk.first_row,
            ));
        }
        assert_eq!(
            got,
            vec![
                ("a\nbb\n\n".to_owned(), 1),
                ("ccc\n".to_owned(), 4),
                ("dd".to_owned(), 5)
            ]
        );
    }

    #[test]
    fn a_line_without_end_refuses_the_file() {
        let long = vec![b'x'; super::super::csv::MAX_RECORD_BYTES + 2];
        let mut c = LineChunker::new(long.as_slice(), 0, 1 << 20);
        let err = c.next_lines().err();
        assert!(err.is_some_and(|e| e.to_string().contains("longer than 16 MiB at row 1")));
    }

    #[test]
    fn imports_nested_objects_and_reports_bad_lines() {
        let mut mapping = ColumnMapping::canonical();
        mapping.convention = UsageConvention::OpenaiInclusive;
        mapping.columns.push(ColumnRule {
            source: "usage.prompt_tokens".into(),
            field: CanonicalField::InputTokens,
        });
        mapping.columns.push(ColumnRule {
            source: "usage.prompt_tokens_details.cached_tokens".into(),
            field: CanonicalField::CacheReadTokens,
        });
        let text = concat!(
            r#"{"request_id":"a","timestamp":"2026-05-12T01:00:00Z","workload":"w","provider":"OpenAI","model":"m","usage":{"prompt_tokens":100,"prompt_tokens_details":{"cached_tokens":40}},"output_tokens":7}"#,
            "\n\nnot json\n",
            r#"{"request_id":"b","timestamp":"2026-05-12T02:00:00Z","workload":"w","provider":"OpenAI","model":"m","uncached_input_tokens":10,"output_tokens":null}"#,
            "\n"
        );
        let source =
            JsonlSource::new(text.as_bytes(), 0, &mapping, 16).unwrap_or_else(|e| panic!("{e}"));
        let options = crate::evidence::traces::ImportOptions {
            threads: 2,
            chunk_bytes: 16,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let agg = super::super::pipeline::run(source, &options, false, &mut |_| {}, &cancel)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((agg.rows_read, agg.rows_broken), (3, 2));
        assert_eq!(agg.row_errors[0].row, 3);
        assert!(agg.row_errors[0].rule.starts_with("is not a JSON object"));
        assert_eq!(
            agg.row_errors[1].to_string(),
            "row 4: output_tokens is required"
        );
        let day = agg.workloads["w"]
            .values()
            .next()
            .unwrap_or_else(|| panic!("day"));
        // 100 prompt tokens including 40 cached → 60 uncached.
        assert_eq!(
            (
                day.counters.tokens.uncached_input,
                day.counters.tokens.cache_read
            ),
            (60, 40)
        );
    }
}
