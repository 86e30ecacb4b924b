//! RFC 4180 CSV traces: a header row, then one request per record; fields may be quoted, with
//! `""` for a quote, and quoted fields may hold commas and line breaks. Records end with LF or
//! CRLF.
//!
//! The reader is written here rather than taken from a CSV crate because the import cuts the
//! file into chunks on one thread and parses them on others: the cutter must find record ends
//! and count records (for row numbers) without parsing fields, and the parser must split
//! records by exactly the same rule. The rule is quote parity — a line break ends a record when
//! the record so far holds an even number of quotes — which is RFC 4180's record structure for
//! well-formed files and gives the cutter and the parser the same answer on malformed ones.
//!
//! Rows are numbered 1, 2, … from the first record after the header; a blank line is skipped
//! but keeps its number, so for files without line breaks inside fields row n is line n + 1.
//! A record whose field count differs from the header's, a quote inside an unquoted field, text
//! after a closing quote and a quote never closed are broken rows, reported and counted. A
//! single record longer than 16 MiB (usually a quote never closed) refuses the file, so memory
//! stays bounded.

use std::borrow::Cow;
use std::io::Read;

use super::ImportError;
use super::aggregate::Aggregate;
use super::pipeline::{Chunk, Decoder, Source};
use super::trace_row::{Cell, RowCells, RowError, RowRules, build_row};
use crate::document::mapping::{CanonicalField, ColumnMapping, ResolvedColumns};
use crate::error::InputError;

/// Longest CSV record or JSON line accepted; a longer one refuses the file, so memory stays
/// bounded even when a quote or a line break is missing.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The eight bytes of `data` from `k` as a little-endian word, the chunk's last few padded with
/// zero bytes (which are never special); `None` past the end.
#[inline]
fn word_at(data: &[u8], k: usize) -> Option<u64> {
    if let Some(w) = data.get(k..k + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        return Some(u64::from_le_bytes(w));
    }
    let rest = data.get(k..).filter(|r| !r.is_empty())?;
    let mut w = [0u8; 8];
    for (to, &b) in w.iter_mut().zip(rest) {
        *to = b;
    }
    Some(u64::from_le_bytes(w))
}

/// Where the last field of a record that ends at `end` (a line feed or the end of the data)
/// stops: before a CR there, the CR of a CRLF, unless the field is empty.
fn field_end(data: &[u8], from: usize, end: usize) -> usize {
    if end > from && data.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Bit 7 set in each byte of `word` that is a comma, line feed or quote, and nowhere else.
#[inline]
fn special_bytes(word: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // A byte's bit 7 survives only where it and its low seven bits are all zero.
    let zero = |v: u64| !((v & LOW).wrapping_add(LOW) | v | LOW);
    zero(word ^ 0x2c2c_2c2c_2c2c_2c2c)
        | zero(word ^ 0x0a0a_0a0a_0a0a_0a0a)
        | zero(word ^ 0x2222_2222_2222_2222)
}

/// Where a field's bytes are: in the chunk, or unescaped into the scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Data(usize, usize),
    Scratch(usize, usize),
}

/// Skips to the end of a record from `from`, given whether a quote is open there: the position
/// of the line break that ends it, or the end of `data`.
fn record_end(data: &[u8], from: usize, mut quoted: bool) -> usize {
    let tail = data.get(from..).unwrap_or_default();
    for pos in memchr::memchr2_iter(b'"', b'\n', tail) {
        if tail.get(pos) == Some(&b'"') {
            quoted = !quoted;
        } else if !quoted {
            return from + pos;
        }
    }
    data.len()
}

/// Parses the record starting at `start` into `fields` (unescaping into `scratch`); returns
/// the position after its line break and, for a malformed record, what is wrong.
fn parse_record(
    data: &[u8],
    start: usize,
    fields: &mut Vec<Span>,
    scratch: &mut Vec<u8>,
) -> (usize, Option<&'static str>) {
    fields.clear();
    scratch.clear();
    let at = |i: usize| data.get(i).copied();
    // Fast path: a line without quotes is its fields, split at commas. A quote sends the
    // record to the full parser below. Eight bytes at a time, the special ones found as a bit
    // mask: a byte loop's test at each field's end was mispredicted once a field.
    let mut from = start;
    let mut k = start;
    'fast: while let Some(word) = word_at(data, k) {
        let mut mask = special_bytes(word);
        while mask != 0 {
            let bit = mask.trailing_zeros();
            mask &= mask - 1;
            let at_byte = k + (bit / 8) as usize;
            match (word >> (bit & !7)) as u8 {
                b',' => {
                    fields.push(Span::Data(from, at_byte));
                    from = at_byte + 1;
                }
                b'\n' => {
                    fields.push(Span::Data(from, field_end(data, from, at_byte)));
                    return (at_byte + 1, None);
                }
                _ => break 'fast,
            }
        }
        k += 8;
    }
    if k >= data.len() {
        // The data ended the record.
        fields.push(Span::Data(from, field_end(data, from, data.len())));
        return (data.len() + 1, None);
    }
    fields.clear();
    let mut i = start;
    loop {
        if at(i) == Some(b'"') {
            // Quoted field: up to the quote not followed by another.
            let open = i + 1;
            let mut j = open;
            let mut escaped = false;
            let close = loop {
                match memchr::memchr(b'"', data.get(j..).unwrap_or_default()) {
                    None => return (data.len(), Some("has a quoted field that is never closed")),
                    Some(off) if at(j + off + 1) == Some(b'"') => {
                        escaped = true;
                        j += off + 2;
                    }
                    Some(off) => break j + off,
                }
            };
            let raw = data.get(open..close).unwrap_or_default();
            if escaped {
                let from = scratch.len();
                let mut k = 0;
                while let Some(&b) = raw.get(k) {
                    scratch.push(b);
                    // `""` inside a quoted field is one quote.
                    k += if b == b'"' { 2 } else { 1 };
                }
                fields.push(Span::Scratch(from, scratch.len()));
            } else {
                fields.push(Span::Data(open, close));
            }
            i = close + 1;
            match at(i) {
                Some(b',') => i += 1,
                Some(b'\n') => return (i + 1, None),
                Some(b'\r') if matches!(at(i + 1), Some(b'\n') | None) => {
                    return (i + 2, None);
                }
                None => return (i, None),
                Some(_) => {
                    let end = record_end(data, i, false);
                    return (end + 1, Some("has text after a closing quote"));
                }
            }
        } else {
            // Fields are short: a byte loop beats a vectorized search's setup here.
            let rest = data.get(i..).unwrap_or_default();
            let end = rest
                .iter()
                .position(|&b| matches!(b, b',' | b'\n' | b'"'))
                .map_or(data.len(), |o| i + o);
            match at(end) {
                Some(b'"') => {
                    let stop = record_end(data, end + 1, true);
                    return (stop + 1, Some("has a quote inside an unquoted field"));
                }
                Some(b',') => {
                    fields.push(Span::Data(i, end));
                    i = end + 1;
                }
                _ => {
                    // A line break or the end of the data ends the record.
                    fields.push(Span::Data(i, field_end(data, i, end)));
                    return (end + 1, None);
                }
            }
        }
    }
}

fn span<'a>(data: &'a [u8], scratch: &'a [u8], s: Span) -> &'a [u8] {
    match s {
        Span::Data(a, b) => data.get(a..b),
        Span::Scratch(a, b) => scratch.get(a..b),
    }
    .unwrap_or_default()
}

/// Cuts a CSV stream into chunks of whole records.
pub struct CsvSource<R> {
    input: R,
    buf: Vec<u8>,
    scanned: usize,
    quoted: bool,
    boundary: usize,
    records: u64,
    eof: bool,
    next_row: u64,
    consumed: u64,
    total: u64,
    chunk_bytes: usize,
    columns: ResolvedColumns,
    rules: RowRules,
    width: usize,
    names: Vec<String>,
    header: Vec<u8>,
    /// Buffers of chunks the workers are done with, reused for the next chunks.
    spare: Vec<Vec<u8>>,
    rows_hint: u64,
}

/// Spent buffers kept for reuse: as many as can be in flight (the channel's and the workers').
const SPARE_BUFFERS: usize = 16;

impl<R: Read> CsvSource<R> {
    /// Reads the header of `input` (a stream of `bytes_total` bytes, 0 when unknown) and
    /// resolves `mapping` against it.
    pub fn new(
        input: R,
        bytes_total: u64,
        mapping: &ColumnMapping,
        chunk_bytes: usize,
    ) -> Result<Self, ImportError> {
        let mut s = Self {
            input,
            buf: Vec::new(),
            scanned: 0,
            quoted: false,
            boundary: 0,
            records: 0,
            eof: false,
            // The header is row 1, as in every other CSV the workbench reads.
            next_row: 2,
            consumed: 0,
            total: bytes_total,
            chunk_bytes: chunk_bytes.max(1),
            columns: ResolvedColumns {
                positions: Vec::new(),
            },
            rules: RowRules::from_mapping(mapping),
            width: 0,
            names: Vec::new(),
            header: Vec::new(),
            spare: Vec::new(),
            rows_hint: 0,
        };
        let header_end = loop {
            let end = record_end(&s.buf, 0, false);
            if end < s.buf.len() {
                break end + 1;
            }
            if s.eof {
                break s.buf.len();
            }
            if s.buf.len() > MAX_RECORD_BYTES {
                return Err(too_long(0));
            }
            s.fill()?;
        };
        if s.buf.iter().all(u8::is_ascii_whitespace) {
            return Err(ImportError::Input(InputError::new(
                "header",
                "is missing: the file is empty",
            )));
        }
        let mut fields = Vec::new();
        let mut scratch = Vec::new();
        let (_, problem) = parse_record(&s.buf, 0, &mut fields, &mut scratch);
        if let Some(p) = problem {
            return Err(ImportError::Input(InputError::new("header", p)));
        }
        let names: Vec<String> = fields
            .iter()
            .map(|&f| String::from_utf8_lossy(span(&s.buf, &scratch, f)).into_owned())
            .collect();
        s.columns = ResolvedColumns::resolve(&names, mapping)?;
        s.width = names.len();
        s.names = names;
        s.header = trim_line_end(s.buf.get(..header_end).unwrap_or_default()).to_vec();
        s.buf.drain(..header_end.min(s.buf.len()));
        s.consumed = header_end as u64;
        s.scan();
        // The records of the first read, scaled to the file's size.
        if s.records > 0 && s.boundary > 0 {
            let rest = s.total.saturating_sub(s.consumed);
            s.rows_hint =
                u64::try_from(u128::from(rest) * u128::from(s.records) / s.boundary as u128)
                    .unwrap_or(u64::MAX);
        }
        Ok(s)
    }

    /// Reads up to the chunk size into the buffer (or a chunk's worth more when one record
    /// already fills it), so a buffer keeps the capacity it was made with and can be reused.
    fn fill(&mut self) -> Result<(), ImportError> {
        let start = self.buf.len();
        let want = match self.chunk_bytes.saturating_sub(start) {
            0 => self.chunk_bytes,
            n => n,
        };
        self.buf.resize(start + want, 0);
        let mut got = 0;
        while got < want {
            let Some(spare) = self.buf.get_mut(start + got..) else {
                break;
            };
            match self.input.read(spare) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ImportError::io("input", &e)),
            }
        }
        self.buf.truncate(start + got);
        Ok(())
    }

    fn scan(&mut self) {
        let tail = self.buf.get(self.scanned..).unwrap_or_default();
        for pos in memchr::memchr2_iter(b'"', b'\n', tail) {
            if tail.get(pos) == Some(&b'"') {
                self.quoted = !self.quoted;
            } else if !self.quoted {
                self.boundary = self.scanned + pos + 1;
                self.records += 1;
            }
        }
        self.scanned = self.buf.len();
    }
}

/// `line` without its trailing LF or CRLF.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The repair for a record where the reader lost its place.
fn sync_fix(problem: &str) -> &'static str {
    if problem.contains("never closed") {
        "close the quoted field with a quote before the comma or line break that ends it"
    } else {
        "quote the whole field and double each quote inside it (\"say \"\"hi\"\"\"), or close a quoted field left open on this row or the one before"
    }
}

fn too_long(row: u64) -> ImportError {
    ImportError::Input(InputError::new(
        "input",
        format!(
            "has a record longer than {} MiB after row {row} (a quote never closed?)",
            MAX_RECORD_BYTES >> 20
        ),
    ))
}

impl<R: Read> Source for CsvSource<R> {
    type Payload = Vec<u8>;
    type Decoder = CsvDecoder;

    fn decoder(&self) -> Result<CsvDecoder, ImportError> {
        let plan = CanonicalField::ALL
            .iter()
            .flat_map(|&f| {
                self.columns
                    .of(f)
                    .iter()
                    .map(move |(col, name)| (f, *col, name.clone()))
            })
            .collect();
        Ok(CsvDecoder {
            plan,
            rules: self.rules.clone(),
            width: self.width,
            names: self.names.clone(),
            header: self.header.clone(),
            fields: Vec::new(),
            scratch: Vec::new(),
        })
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<Vec<u8>>>, ImportError> {
        // Read until the buffer is a chunk long and holds a whole record.
        while !self.eof && (self.buf.len() < self.chunk_bytes || self.boundary == 0) {
            if self.buf.len() - self.boundary > MAX_RECORD_BYTES {
                return Err(too_long(self.next_row + self.records));
            }
            self.fill()?;
            self.scan();
        }
        let (cut, records) = if self.eof {
            if self.buf.is_empty() {
                return Ok(None);
            }
            // Whatever follows the last line break is a final record.
            let tail = self.buf.len() > self.boundary;
            (self.buf.len(), self.records + u64::from(tail))
        } else {
            (self.boundary, self.records)
        };
        let mut rest = self
            .spare
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(self.chunk_bytes));
        rest.clear();
        rest.extend_from_slice(self.buf.get(cut..).unwrap_or_default());
        self.buf.truncate(cut);
        let payload = std::mem::replace(&mut self.buf, rest);
        // The rest starts a record; `quoted` already holds the parity of its quotes.
        self.scanned = self.buf.len();
        self.boundary = 0;
        self.records = 0;
        let first_row = self.next_row;
        self.next_row += records;
        self.consumed += payload.len() as u64;
        Ok(Some(Chunk {
            payload,
            first_row,
            bytes_done: self.consumed,
        }))
    }

    fn bytes_total(&self) -> u64 {
        self.total
    }

    fn rows_hint(&self) -> u64 {
        self.rows_hint
    }

    fn recycle(&mut self, payload: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS {
            self.spare.push(payload);
        }
    }
}

/// Parses chunks of CSV records into rows.
pub struct CsvDecoder {
    /// (field, column, column name) in preference order per field.
    plan: Vec<(CanonicalField, usize, String)>,
    rules: RowRules,
    width: usize,
    /// The header's column names, to name the field where the reader lost its place.
    names: Vec<String>,
    /// The header record's bytes: the same line again (files concatenated) is skipped.
    header: Vec<u8>,
    fields: Vec<Span>,
    scratch: Vec<u8>,
}

impl Decoder for CsvDecoder {
    type Payload = Vec<u8>;

    fn decode(
        &mut self,
        payload: &mut Vec<u8>,
        first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let data = payload.as_slice();
        // One UTF-8 check for the whole chunk: fields split at ASCII bytes of valid UTF-8 are
        // valid UTF-8 themselves. A chunk that fails is checked field by field instead, so the
        // bad field is reported with its row.
        let text = std::str::from_utf8(data).ok();
        let mut pos = 0;
        let mut row = first_row;
        // One set of cells for every record: building a row empties it.
        let mut cells = RowCells::new();
        'records: while pos < data.len() {
            let start = pos;
            let (next, problem) = parse_record(data, pos, &mut self.fields, &mut self.scratch);
            pos = next;
            let this = row;
            row += 1;
            if let Some(p) = problem {
                // A quote out of place shifts every later record boundary (quote parity
                // decides them), so the rest of the file cannot be read as rows: stop.
                let at = if p.contains("after a closing quote") {
                    self.fields.len().saturating_sub(1)
                } else {
                    self.fields.len()
                };
                let column = self
                    .names
                    .get(at)
                    .map_or_else(|| format!("field {}", at + 1), |n| format!("column {n}"));
                return Err(ImportError::LostSync {
                    row: this,
                    column,
                    rule: p.to_owned(),
                    fix: sync_fix(p).to_owned(),
                });
            }
            let record = data.get(start..next.min(data.len())).unwrap_or_default();
            let blank = self.fields.len() == 1 && record.iter().all(|b| matches!(b, b'\r' | b'\n'));
            if blank || trim_line_end(record) == self.header.as_slice() {
                continue;
            }
            if self.fields.len() != self.width {
                into.add_error(RowError::record(
                    this,
                    format!(
                        "has {} fields; the header has {}",
                        self.fields.len(),
                        self.width
                    ),
                ));
                continue;
            }
            for (field, col, name) in &self.plan {
                let cell = match self.fields.get(*col) {
                    Some(&Span::Data(a, b)) if a == b => continue,
                    Some(&Span::Data(a, b)) => match text.and_then(|t| t.get(a..b)) {
                        Some(t) => Cell::Text(Cow::Borrowed(t)),
                        None => Cell::Bytes(data.get(a..b).unwrap_or_default()),
                    },
                    // Unescaped text is rare: it is copied, so the cells borrow only the chunk.
                    Some(&s) => match String::from_utf8(span(data, &self.scratch, s).to_vec()) {
                        Ok(t) => Cell::Text(Cow::Owned(t)),
                        Err(_) => {
                            cells.clear();
                            into.add_error(RowError::record(
                                this,
                                format!("has a field that is not UTF-8 text ({name})"),
                            ));
                            continue 'records;
                        }
                    },
                    None => continue,
                };
                cells.offer(*field, cell, name);
            }
            into.record(build_row(&mut cells, &self.rules, this))?;
        }
        Ok(row - first_row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::traces::aggregate::AggregateSettings;

    fn parse(text: &str) -> (Vec<String>, usize, Option<&'static str>) {
        let mut fields = Vec::new();
        let mut scratch = Vec::new();
        let (next, problem) = parse_record(text.as_bytes(), 0, &mut fields, &mut scratch);
        let got = fields
            .iter()
            .map(|&f| String::from_utf8_lossy(span(text.as_bytes(), &scratch, f)).into_owned())
            .collect();
        (got, next, problem)
    }

    #[test]
    fn parses_quotes_escapes_and_embedded_line_breaks() {
        let (f, next, p) = parse("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\r\nnext");
        assert_eq!(f, vec!["a", "b,c", "say \"hi\"", "two\nlines", ""]);
        assert_eq!((next, p), (35, None));
        let (f, _, p) = parse("x,y");
        assert_eq!((f, p), (vec!["x".to_owned(), "y".to_owned()], None));
        let (f, _, _) = parse("\"\"\r\n");
        assert_eq!(f, vec![""]);
    }

    proptest::proptest! {
        #[test]
        fn records_split_at_every_comma_whatever_their_length(
            fields in proptest::collection::vec("[a-z0-9 .\r]{0,11}", 1..30),
            quote_one in proptest::option::of(0usize..30),
            crlf in proptest::bool::ANY,
        ) {
            // One field quoted (sending the record to the full parser) or none.
            let mut line: Vec<String> = fields.clone();
            if let Some(q) = quote_one.filter(|&q| q < line.len()) {
                line[q] = format!("\"{}\"", line[q]);
            }
            let end = if crlf { "\r\n" } else { "\n" };
            let text = format!("{}{end}next,row", line.join(","));
            let (got, next, problem) = parse(&text);
            proptest::prop_assert_eq!(problem, None);
            proptest::prop_assert_eq!(next, text.len() - "next,row".len());
            let mut want = fields;
            let last_quoted = quote_one.is_some_and(|q| q + 1 == want.len());
            // The same record ending the data, its last bytes read as a padded word.
            let (at_end, next_at_end, problem_at_end) = parse(&line.join(","));
            proptest::prop_assert_eq!(problem_at_end, None);
            proptest::prop_assert_eq!(next_at_end, line.join(",").len() + usize::from(!last_quoted));
            // A CR before the LF (or the end) is the line end's, not the last field's.
            if !last_quoted
                && let Some(last) = want.last_mut()
                && last.ends_with('\r')
            {
                let mut trimmed = last.clone();
                trimmed.pop();
                let mut want_at_end = want.clone();
                if let Some(l) = want_at_end.last_mut() {
                    *l = trimmed;
                }
                proptest::prop_assert_eq!(at_end, want_at_end);
                if !crlf && let Some(last) = want.last_mut() {
                    last.pop();
                }
            } else {
                proptest::prop_assert_eq!(at_end, want.clone());
            }
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn malformed_records_end_where_quote_parity_ends_them() {
        let (_, next, p) = parse("a,b\"c\nd\"e\nrest");
        // The stray quote opens a quoted stretch that the next quote closes: one record, 2 lines.
        assert_eq!(
            (next, p),
            (10, Some("has a quote inside an unquoted field"))
        );
        assert_eq!(record_end(b"a,b\"c\nd\"e\nrest", 0, false), 9);
        let (_, next, p) = parse("\"a\"b,c\nnext");
        assert_eq!((next, p), (7, Some("has text after a closing quote")));
        let (_, next, p) = parse("\"never closed\nat all");
        assert_eq!(
            (next, p),
            (20, Some("has a quoted field that is never closed"))
        );
    }

    const HEADER: &str = "request_id,timestamp,workload,provider,model,uncached_input_tokens,output_tokens,quality_gate\n";

    fn import(body: &str, chunk: usize, threads: usize) -> Aggregate {
        try_import(&format!("{HEADER}{body}"), chunk, threads).unwrap_or_else(|e| panic!("{e}"))
    }

    fn line(n: u32) -> String {
        format!(
            "r{n},2026-05-12T10:00:00Z,w,P,\"M, large\",{},{},pass\n",
            100 + n,
            n
        )
    }

    #[test]
    fn row_numbers_and_errors_do_not_depend_on_chunks_or_threads() {
        let mut body = String::new();
        for n in 1..=40 {
            match n {
                3 => body.push_str("r3,2026-05-12T10:00:00Z,w,P,M,1x,5,pass\n"),
                5 => body.push('\n'),
                7 => body.push_str("r7,\"2026-05-12T10:00:00Z\nsplit\",w,P,M,1,5\n"),
                9 => body.push_str("r9,2026-05-12T10:00:00Z,w,P,M,1,5,pass,extra\n"),
                _ => body.push_str(&line(n)),
            }
        }
        body.push_str("r41,2026-05-12T10:00:00Z,w,P,M,1,5,pass");
        let reference = import(&body, 1 << 20, 1);
        assert_eq!((reference.rows_read, reference.rows_broken), (40, 3));
        let rows: Vec<(u64, &str)> = reference
            .row_errors
            .iter()
            .map(|e| (e.row, e.rule.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (4, "must be a whole number, got \"1x\""),
                (8, "has 7 fields; the header has 8"),
                (10, "has 9 fields; the header has 8"),
            ]
        );
        for (chunk, threads) in [(1, 2), (64, 2), (200, 1), (333, 2)] {
            assert_eq!(
                import(&body, chunk, threads),
                reference,
                "chunk {chunk}, threads {threads}"
            );
        }
    }

    #[test]
    fn a_quote_never_closed_cannot_swallow_memory() {
        let mut text = format!("{HEADER}r1,\"2026-05-12T10:00:00Z,w\n");
        text.push_str(&"x,y,z\n".repeat((MAX_RECORD_BYTES >> 2) + 1));
        let mut source = CsvSource::new(text.as_bytes(), 0, &ColumnMapping::canonical(), 1 << 20)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = source.next_chunk().err();
        assert!(err.is_some_and(|e| e.to_string().contains("longer than 16 MiB after row 2")));
    }

    #[test]
    fn chunks_reuse_their_buffers_and_the_row_count_is_estimated_from_the_first_read() {
        let body: String = (0..20_000)
            .map(|n| format!("r{n:05},2026-05-12T10:00:00Z,w,p,m,{:03},7,pass\n", n % 997))
            .collect();
        let text = format!("{HEADER}{body}");
        let chunk = 4096;
        let mut source = CsvSource::new(
            text.as_bytes(),
            text.len() as u64,
            &ColumnMapping::canonical(),
            chunk,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let hint = source.rows_hint();
        assert!((19_000..=21_000).contains(&hint), "{hint}");
        let (mut read, mut first_row, mut buffers) = (Vec::new(), 2, Vec::new());
        while let Some(c) = source.next_chunk().unwrap_or_else(|e| panic!("{e}")) {
            // Whole records, numbered on from the chunk before, in buffers that never grow.
            assert!(c.payload.ends_with(b"\n") && c.payload.capacity() <= chunk);
            assert_eq!(c.first_row, first_row);
            first_row += c.payload.iter().filter(|&&b| b == b'\n').count() as u64;
            read.extend_from_slice(&c.payload);
            buffers.push(c.payload.as_ptr());
            source.recycle(c.payload);
        }
        assert_eq!(read, body.as_bytes());
        // Two buffers take turns: the one being filled and the one just handed out.
        buffers.sort_unstable();
        buffers.dedup();
        assert!(buffers.len() <= 3, "{} buffers", buffers.len());
    }

    fn try_import(text: &str, chunk: usize, threads: usize) -> Result<Aggregate, String> {
        let source = CsvSource::new(
            text.as_bytes(),
            text.len() as u64,
            &ColumnMapping::canonical(),
            chunk,
        )
        .map_err(|e| e.to_string())?;
        let options = crate::evidence::traces::ImportOptions {
            threads,
            chunk_bytes: chunk,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        super::super::pipeline::run(source, &options, false, &mut |_| {}, &cancel)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_stray_or_unclosed_quote_stops_the_import_naming_row_and_column() {
        for (chunk, threads) in [(1 << 20, 1), (64, 2), (333, 2)] {
            let mut body: String = (1..=30).map(line).collect();
            body.insert_str(0, "r0,2026-05-12T10:00:00Z,w,P,M\"x,1,5,pass\n");
            let e = try_import(&format!("{HEADER}{body}"), chunk, threads).err();
            let e = e.unwrap_or_default();
            assert!(e.starts_with("row 2, column model:"), "{e}");
            assert!(e.contains("nothing was imported"), "{e}");
            assert!(e.contains("double each quote"), "{e}");

            let mut body: String = (1..=30).map(line).collect();
            body.push_str("r99,\"2026-05-12T10:00:00Z,w,P,M,1,5,pass\n");
            body.push_str(&line(31));
            let e = try_import(&format!("{HEADER}{body}"), chunk, threads).err();
            let e = e.unwrap_or_default();
            assert!(e.starts_with("row 32, column timestamp:"), "{e}");
            assert!(e.contains("left open"), "{e}");
        }
    }

    #[test]
    fn a_file_concatenated_with_itself_counts_each_request_once() {
        let body: String = (1..=40).map(line).collect();
        let once = import(&body, 1 << 20, 1);
        let twice_text = format!("{HEADER}{body}{HEADER}{body}");
        for (chunk, threads) in [(1 << 20, 1), (64, 2), (333, 2)] {
            let twice = try_import(&twice_text, chunk, threads).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(twice.duplicates_dropped, 40, "chunk {chunk}");
            assert_eq!(twice.rows_counted(), 40);
            assert_eq!(
                twice.workloads, once.workloads,
                "chunk {chunk}, threads {threads}"
            );
        }
    }

    #[test]
    fn a_request_id_repeated_with_other_values_names_both_rows() {
        let mut body: String = (1..=40).map(line).collect();
        // Row 2 is r1; the copy at the end (row 42) bills other output tokens.
        body.push_str("r1,2026-05-12T10:00:00Z,w,P,\"M, large\",101,9,pass\n");
        for (chunk, threads) in [(1 << 20, 1), (64, 2), (333, 2)] {
            let e = try_import(&format!("{HEADER}{body}"), chunk, threads).err();
            let e = e.unwrap_or_default();
            assert!(
                e.starts_with("rows 2 and 42: request id \"r1\" (attempt 0)"),
                "{e}"
            );
        }
        // A retry of r1 is its own attempt, not a duplicate.
        let mut body: String = (1..=3).map(line).collect();
        let header = HEADER.trim_end().to_owned() + ",attempt\n";
        body = body.lines().map(|l| format!("{l},0\n")).collect();
        body.push_str("r1,2026-05-12T10:00:00Z,w,P,\"M, large\",101,9,pass,1\n");
        let agg =
            try_import(&format!("{header}{body}"), 1 << 20, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((agg.rows_counted(), agg.duplicates_dropped), (4, 0));
    }

    #[test]
    fn headers_are_checked() {
        let mapping = ColumnMapping::canonical();
        let empty = CsvSource::new(&b""[..], 0, &mapping, 64).err();
        assert!(empty.is_some_and(|e| e.to_string().contains("empty")));
        let missing = CsvSource::new(&b"request_id,timestamp\n"[..], 0, &mapping, 64).err();
        assert!(missing.is_some_and(|e| e.to_string().contains("required field workload")));
    }
}
