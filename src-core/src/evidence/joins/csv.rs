//! Tabular import files read record by record: CSV (RFC 4180) and JSON Lines.
//!
//! The CSV reader follows RFC 4180: fields separated by commas, a field in double quotes may
//! hold commas, line breaks and doubled quotes (`""` for one `"`), and records end with CRLF,
//! LF or a lone CR. Around that it does what an import needs:
//! - a leading UTF-8 byte-order mark is dropped (spreadsheet exports write one, and it would
//!   otherwise stick to the first column's name);
//! - fields are trimmed of surrounding spaces, and lines holding nothing are skipped;
//! - columns are found by name in any order, ignoring case and separators, so `BilledCost`,
//!   `billed_cost` and `Billed Cost` are one column;
//! - every record carries its row number (the header is row 1, each record after it one more)
//!   and the line it starts on, which runs ahead of the row once a quoted value spans lines or
//!   blank lines are skipped;
//! - every refusal is an [`ImportError`] naming file, row and column; text after a closing
//!   quote, or a quote left open, is refused rather than guessed at.
//!
//! Records go to a callback one at a time and the reader holds one record, so a file of
//! millions of rows is never held whole in memory; the first bad record ends the import.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::document::Date;
use crate::document::contracts::column_key;
use crate::error::InputError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file, row or value an import refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// The file's name as the user gave it.
    pub file: String,
    /// 1-based row (the CSV header is row 1; a JSON Lines record's line); `None` for the file as
    /// a whole.
    pub row: Option<u64>,
    /// The line the row starts on, when known.
    pub line: Option<u64>,
    /// The column or key, when one value is at fault.
    pub column: Option<String>,
    /// The rule, phrased to follow the column name: `must be ≥ 0, got -3`.
    pub rule: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
            if let Some(line) = self.line
                && line != row
            {
                write!(f, " (line {line})")?;
            }
        }
        write!(f, ": ")?;
        if let Some(column) = &self.column {
            write!(f, "{column} ")?;
        }
        write!(f, "{}", self.rule)
    }
}

impl ImportError {
    /// An error about `file` as a whole.
    pub fn file(file: &str, rule: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            row: None,
            line: None,
            column: None,
            rule: rule.into(),
        }
    }
}

impl From<ImportError> for InputError {
    fn from(e: ImportError) -> Self {
        let mut field = e.file;
        if let Some(row) = e.row {
            field.push_str(&format!(" row {row}"));
        }
        if let Some(column) = e.column {
            field.push(' ');
            field.push_str(&column);
        }
        InputError::new(field, e.rule)
    }
}

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'a> {
    /// The file's name.
    pub file: &'a str,
    /// 1-based row (CSV header = row 1) or JSON Lines line.
    pub row: u64,
    /// The line the record starts on.
    pub line: u64,
}

impl Location<'_> {
    /// An error at this record, about `column` when given.
    #[must_use]
    pub fn error(&self, column: Option<&str>, rule: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_owned(),
            row: Some(self.row),
            line: Some(self.line),
            column: column.map(str::to_owned),
            rule: rule.into(),
        }
    }

    /// `file row N`, for naming where a value came from.
    #[must_use]
    pub fn describe(&self) -> String {
        format!("{} row {}", self.file, self.row)
    }
}

/// Parses a decimal number as written in a file: `12.5`, `-3`, `1e-6`.
///
/// Thousands separators and currency signs are refused rather than guessed at.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("must be a decimal number, got {text:?}"))
}

/// A date or an ISO 8601 date-time (`2026-05-01`, `2026-05-01T00:00:00Z`,
/// `2026-05-01 13:45:00+02:00`): the calendar date as written, and whether the time is
/// midnight (a bare date counts as midnight).
///
/// The date is taken in the offset the value is written in; no time-zone conversion is made.
pub fn parse_date_time(text: &str) -> Result<(Date, bool), String> {
    let bad =
        || format!("must be a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ), got {text:?}");
    let (date_part, rest) = text.split_at_checked(10).ok_or_else(bad)?;
    let shaped = date_part.char_indices().all(|(i, c)| {
        if i == 4 || i == 7 {
            c == '-'
        } else {
            c.is_ascii_digit()
        }
    });
    if !shaped {
        return Err(bad());
    }
    // Well-formed but not on the calendar (2026-02-30): the date's own message says so.
    let date: Date = date_part.parse()?;
    if rest.is_empty() {
        return Ok((date, true));
    }
    let rest = rest
        .strip_prefix('T')
        .or_else(|| rest.strip_prefix(' '))
        .ok_or_else(bad)?;
    let time = match rest.strip_suffix(['Z', 'z']) {
        Some(t) => t,
        None => match rest.rfind(['+', '-']) {
            Some(at) => {
                let zone = rest.get(at + 1..).ok_or_else(bad)?;
                let digits: String = zone.chars().filter(|c| *c != ':').collect();
                if !(digits.len() == 2 || digits.len() == 4)
                    || !digits.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(bad());
                }
                rest.get(..at).ok_or_else(bad)?
            }
            None => rest,
        },
    };
    let mut parts = time.split(':');
    let field = |part: Option<&str>, max: u32| -> Option<bool> {
        let p = part?;
        let value: u32 = (p.len() == 2).then(|| p.parse().ok())??;
        (value <= max).then_some(value == 0)
    };
    let hour_zero = field(parts.next(), 23).ok_or_else(bad)?;
    let minute_zero = field(parts.next(), 59).ok_or_else(bad)?;
    let second_zero = match parts.next() {
        None => true,
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            if !fraction.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            // 60 allows a leap second.
            field(Some(whole), 60).ok_or_else(bad)? && fraction.chars().all(|c| c == '0')
        }
    };
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((date, hour_zero && minute_zero && second_zero))
}

/// One record of a tabular file, whatever its format.
pub trait Record {
    /// Where the record sits.
    fn location(&self) -> Location<'_>;

    /// The trimmed value of `column`; `None` when the file has no such column (or the JSON
    /// line no such key, or a null).
    fn raw(&self, column: &str) -> Option<&str>;

    /// An error about `column` of this record.
    fn error(&self, column: &str, rule: String) -> ImportError {
        self.location().error(Some(column), rule)
    }

    /// The value of `column`, `None` when it is absent or empty.
    fn optional_text(&self, column: &str) -> Option<&str> {
        self.raw(column).filter(|v| !v.is_empty())
    }

    /// The value of `column`, which must be present and not empty.
    fn text(&self, column: &str) -> Result<&str, ImportError> {
        self.optional_text(column).ok_or_else(|| {
            let rule = if self.raw(column).is_some() {
                "must not be empty"
            } else {
                "is missing"
            };
            self.error(column, rule.to_owned())
        })
    }

    /// A decimal number, `None` when absent or empty.
    fn optional_decimal(&self, column: &str) -> Result<Option<Decimal>, ImportError> {
        self.optional_text(column)
            .map(|t| parse_decimal(t).map_err(|rule| self.error(column, rule)))
            .transpose()
    }

    /// A decimal number, which must be present.
    fn decimal(&self, column: &str) -> Result<Decimal, ImportError> {
        let text = self.text(column)?;
        parse_decimal(text).map_err(|rule| self.error(column, rule))
    }

    /// A decimal number ≥ 0, which must be present.
    fn non_negative_decimal(&self, column: &str) -> Result<Decimal, ImportError> {
        let value = self.decimal(column)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(self.error(column, format!("must be ≥ 0, got {value}")));
        }
        Ok(value)
    }

    /// A date or date-time and whether it is at midnight; see [`parse_date_time`].
    fn date_time(&self, column: &str) -> Result<(Date, bool), ImportError> {
        let text = self.text(column)?;
        parse_date_time(text).map_err(|rule| self.error(column, rule))
    }

    /// The calendar date of a date or date-time, `None` when absent or empty.
    fn optional_date(&self, column: &str) -> Result<Option<Date>, ImportError> {
        self.optional_text(column)
            .map(|t| {
                parse_date_time(t)
                    .map(|(d, _)| d)
                    .map_err(|rule| self.error(column, rule))
            })
            .transpose()
    }

    /// The calendar date of a date or date-time, which must be present.
    fn date(&self, column: &str) -> Result<Date, ImportError> {
        self.date_time(column).map(|(d, _)| d)
    }
}

/// The columns of a CSV file, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
}

impl Header {
    fn new(file: &str, line: u64, record: &[String]) -> Result<Self, ImportError> {
        let at = Location { file, row: 1, line };
        let mut index = BTreeMap::new();
        let mut names = Vec::with_capacity(record.len());
        for (i, name) in record.iter().enumerate() {
            let key = column_key(name);
            // A column without a name (a trailing comma) holds nothing we can look up.
            if !key.is_empty()
                && let Some(first) = index.insert(key, i)
            {
                return Err(at.error(
                    Some(name),
                    format!(
                        "appears twice in the header (columns {} and {})",
                        first + 1,
                        i + 1
                    ),
                ));
            }
            names.push(name.to_owned());
        }
        Ok(Self { names, index })
    }

    /// Column names as written, in file order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The 0-based position of `column`, matched by [`column_key`].
    #[must_use]
    pub fn position(&self, column: &str) -> Option<usize> {
        self.index.get(&column_key(column)).copied()
    }
}

/// One CSV record with its header.
#[derive(Debug, Clone, Copy)]
pub struct CsvRecord<'a> {
    location: Location<'a>,
    header: &'a Header,
    record: &'a [String],
}

impl Record for CsvRecord<'_> {
    fn location(&self) -> Location<'_> {
        self.location
    }

    fn raw(&self, column: &str) -> Option<&str> {
        self.header
            .position(column)
            .and_then(|i| self.record.get(i))
            .map(String::as_str)
    }
}

/// One JSON Lines record: its keys (by [`column_key`]) and their values as text.
#[derive(Debug, Clone, Copy)]
pub struct JsonRecord<'a> {
    location: Location<'a>,
    values: &'a BTreeMap<String, String>,
}

impl Record for JsonRecord<'_> {
    fn location(&self) -> Location<'_> {
        self.location
    }

    fn raw(&self, column: &str) -> Option<&str> {
        self.values.get(&column_key(column)).map(String::as_str)
    }
}

/// The two layouts a record file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// JSON Lines for names ending `.jsonl` or `.ndjson`, else CSV.
    #[must_use]
    pub fn from_file_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Self::Jsonl
        } else {
            Self::Csv
        }
    }
}

/// `source` without a leading UTF-8 byte-order mark.
fn without_bom<R: Read>(mut source: R) -> io::Result<io::Chain<io::Cursor<Vec<u8>>, R>> {
    let mut head = Vec::with_capacity(BOM.len());
    // `take` keeps reading until it has the bytes or the source ends, so a short first read
    // cannot hide the mark.
    (&mut source)
        .take(BOM.len() as u64)
        .read_to_end(&mut head)?;
    if head == BOM {
        head.clear();
    }
    Ok(io::Cursor::new(head).chain(source))
}

/// Why a CSV record could not be read.
enum Fault {
    Io(io::Error),
    Utf8,
    Unclosed,
    AfterQuote,
}

impl Fault {
    fn rule(&self) -> String {
        match self {
            Self::Io(e) => format!("cannot be read: {e}"),
            Self::Utf8 => "is not valid UTF-8 text".to_owned(),
            Self::Unclosed => "has a quoted value that is never closed".to_owned(),
            Self::AfterQuote => {
                "has text after a closing quote (a quote inside a quoted value is written \"\")"
                    .to_owned()
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// An RFC 4180 record reader over a byte stream that counts lines.
struct CsvParser<R> {
    source: R,
    buffer: Box<[u8]>,
    pos: usize,
    end: usize,
    /// The line the next byte is on.
    line: u64,
    field: Vec<u8>,
}

impl<R: Read> CsvParser<R> {
    fn new(source: R) -> Self {
        Self {
            source,
            buffer: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            end: 0,
            line: 1,
            field: Vec::new(),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, Fault> {
        while self.pos >= self.end {
            match self.source.read(&mut self.buffer) {
                Ok(0) => return Ok(None),
                Ok(n) => {
                    self.pos = 0;
                    self.end = n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fault::Io(e)),
            }
        }
        Ok(self.buffer.get(self.pos).copied())
    }

    fn next(&mut self) -> Result<Option<u8>, Fault> {
        let byte = self.peek()?;
        if byte.is_some() {
            self.pos += 1;
        }
        Ok(byte)
    }

    fn push_field(&mut self, fields: &mut Vec<String>) -> Result<(), Fault> {
        let bytes = std::mem::take(&mut self.field);
        let text = String::from_utf8(bytes).map_err(|_| Fault::Utf8)?;
        fields.push(text.trim().to_owned());
        Ok(())
    }

    /// Reads the next record that holds anything into `fields`; returns the line it starts on,
    /// or `None` at the end of the input. A fault comes with the line its record began on.
    fn record(&mut self, fields: &mut Vec<String>) -> Result<Option<u64>, (Fault, u64)> {
        loop {
            let start = self.line;
            match self.one_record(fields) {
                Err(fault) => return Err((fault, start)),
                Ok(None) => return Ok(None),
                Ok(Some(true)) => {}
                Ok(Some(false)) => return Ok(Some(start)),
            }
        }
    }

    /// Reads one record; `None` at the end of the input, else whether the line was blank.
    fn one_record(&mut self, fields: &mut Vec<String>) -> Result<Option<bool>, Fault> {
        fields.clear();
        self.field.clear();
        let mut state = State::FieldStart;
        let mut quoted = false;
        loop {
            let byte = self.next()?;
            match (state, byte) {
                (State::FieldStart, None) if fields.is_empty() => return Ok(None),
                (State::Quoted, None) => return Err(Fault::Unclosed),
                (_, None) => break,
                (State::FieldStart, Some(b'"')) => {
                    quoted = true;
                    state = State::Quoted;
                }
                (State::Quoted, Some(b'"')) => state = State::QuoteInQuoted,
                (State::QuoteInQuoted, Some(b'"')) => {
                    self.field.push(b'"');
                    state = State::Quoted;
                }
                (State::Quoted, Some(b)) => {
                    // A line break inside quotes belongs to the value but still starts a line.
                    if b == b'\n' || (b == b'\r' && self.peek()? != Some(b'\n')) {
                        self.line += 1;
                    }
                    self.field.push(b);
                }
                (_, Some(b',')) => {
                    self.push_field(fields)?;
                    state = State::FieldStart;
                }
                (_, Some(b @ (b'\r' | b'\n'))) => {
                    if b == b'\r' && self.peek()? == Some(b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                    break;
                }
                // Spaces between a closing quote and the comma are padding, trimmed as elsewhere.
                (State::QuoteInQuoted, Some(b' ' | b'\t')) => {}
                (State::QuoteInQuoted, Some(_)) => return Err(Fault::AfterQuote),
                (State::FieldStart | State::Unquoted, Some(b)) => {
                    self.field.push(b);
                    state = State::Unquoted;
                }
            }
        }
        self.push_field(fields)?;
        let blank = !quoted && matches!(fields.as_slice(), [only] if only.is_empty());
        Ok(Some(blank))
    }
}

/// Reads a CSV file: checks that the header has every `required` column, then hands each
/// record to `each`, stopping at the first error (its own or `each`'s).
pub fn read_csv<R: Read>(
    file: &str,
    source: R,
    required: &[&str],
    mut each: impl FnMut(&CsvRecord<'_>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let source =
        without_bom(source).map_err(|e| ImportError::file(file, format!("cannot be read: {e}")))?;
    let mut parser = CsvParser::new(source);
    let mut record = Vec::new();
    let fault =
        |row, (fault, line): (Fault, u64)| Location { file, row, line }.error(None, fault.rule());
    let Some(line) = parser.record(&mut record).map_err(|f| fault(1, f))? else {
        return Err(ImportError::file(file, "is empty: it has no header row"));
    };
    let header = Header::new(file, line, &record)?;
    for column in required {
        if header.position(column).is_none() {
            return Err(
                Location { file, row: 1, line }.error(Some(column), "is missing from the header")
            );
        }
    }
    let mut row = 1u64;
    while let Some(line) = parser.record(&mut record).map_err(|f| fault(row + 1, f))? {
        row += 1;
        let location = Location { file, row, line };
        if record.len() != header.names.len() {
            return Err(location.error(
                None,
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.names.len()
                ),
            ));
        }
        each(&CsvRecord {
            location,
            header: &header,
            record: &record,
        })?;
    }
    Ok(())
}

fn json_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        // Numbers keep their shortest round-trip text, so 0.1 reads back as exactly 0.1.
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// Reads a JSON Lines file: each non-blank line must be one JSON object; each goes to `each`,
/// stopping at the first error.
pub fn read_jsonl<R: Read>(
    file: &str,
    source: R,
    mut each: impl FnMut(&JsonRecord<'_>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let source =
        without_bom(source).map_err(|e| ImportError::file(file, format!("cannot be read: {e}")))?;
    let mut reader = BufReader::new(source);
    let mut text = String::new();
    let mut values = BTreeMap::new();
    let mut line = 0u64;
    loop {
        text.clear();
        line += 1;
        let location = Location {
            file,
            row: line,
            line,
        };
        let read = reader.read_line(&mut text).map_err(|e| {
            let rule = if e.kind() == io::ErrorKind::InvalidData {
                "is not valid UTF-8 text".to_owned()
            } else {
                format!("cannot be read: {e}")
            };
            location.error(None, rule)
        })?;
        if read == 0 {
            return Ok(());
        }
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(other) => {
                return Err(location.error(None, format!("must be a JSON object, got {other}")));
            }
            Err(e) => return Err(location.error(None, format!("is not valid JSON: {e}"))),
        };
        values.clear();
        for (key, value) in object {
            let Some(value) = json_text(value) else {
                continue;
            };
            let normalised = column_key(&key);
            if values.insert(normalised, value).is_some() {
                return Err(location.error(
                    Some(&key),
                    "names the same field as another key of the object",
                ));
            }
        }
        each(&JsonRecord {
            location,
            values: &values,
        })?;
    }
}

/// Reads a CSV or JSON Lines file record by record. For CSV the `required` columns must be in
/// the header; a JSON line misses a key only when a value is asked of it.
pub fn read_records<R: Read>(
    file: &str,
    format: Format,
    source: R,
    required: &[&str],
    mut each: impl FnMut(&dyn Record) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    match format {
        Format::Csv => read_csv(file, source, required, |r| each(r)),
        Format::Jsonl => read_jsonl(file, source, |r| each(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<(u64, u64, Vec<String>)>;

    fn rows(text: &[u8], columns: &[&str]) -> Result<Rows, ImportError> {
        let mut out = Vec::new();
        read_csv("t.csv", text, columns, |r| {
            let l = r.location();
            let values = columns
                .iter()
                .map(|c| r.raw(c).unwrap_or("∅").to_owned())
                .collect();
            out.push((l.row, l.line, values));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn quotes_escapes_newlines_crlf_and_bom() {
        let text = b"\xEF\xBB\xBFid,Note\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\r\nlines\"\r\n4,plain\r\n";
        let got = rows(text, &["id", "note"]).unwrap();
        let values: Vec<Vec<String>> = got.iter().map(|r| r.2.clone()).collect();
        assert_eq!(
            values,
            vec![
                vec!["1", "a, b"],
                vec!["2", "say \"hi\""],
                vec!["3", "two\r\nlines"],
                vec!["4", "plain"],
            ]
        );
        // Row 4 spans lines 4–5, so row 5 starts on line 6.
        let places: Vec<(u64, u64)> = got.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(places, vec![(2, 2), (3, 3), (4, 4), (5, 6)]);
    }

    #[test]
    fn a_quoted_first_header_after_a_bom_is_still_found() {
        let got = rows(b"\xEF\xBB\xBF\"id\",x\n7,8\n", &["id"]).unwrap();
        assert_eq!(got[0].2, vec!["7"]);
    }

    #[test]
    fn columns_match_whatever_their_case_order_and_separators() {
        let got = rows(
            b"Billed Cost,request_ID\n5,r1\n",
            &["BilledCost", "requestid"],
        )
        .unwrap();
        assert_eq!(got[0].2, vec!["5", "r1"]);
    }

    #[test]
    fn a_missing_column_is_named_at_row_1() {
        let err = rows(b"a,b\n1,2\n", &["a", "BilledCost"]).unwrap_err();
        assert_eq!(
            (err.row, err.column.as_deref()),
            (Some(1), Some("BilledCost"))
        );
        assert_eq!(
            err.to_string(),
            "t.csv row 1: BilledCost is missing from the header"
        );
    }

    #[test]
    fn duplicate_columns_ragged_rows_and_empty_files_are_refused() {
        let err = rows(b"a,A\n1,2\n", &["a"]).unwrap_err();
        assert!(err.rule.contains("columns 1 and 2"), "{err}");
        let err = rows(b"a,b\n1,2\n1\n", &["a"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv row 3: has 1 fields, the header has 2"
        );
        let err = rows(b"", &["a"]).unwrap_err();
        assert_eq!(err.row, None);
        assert!(err.rule.contains("no header"));
    }

    #[test]
    fn invalid_utf8_names_its_row() {
        let err = rows(b"a\nok\n\xFF\xFE\n", &["a"]).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(err.rule, "is not valid UTF-8 text");
    }

    #[test]
    fn blank_lines_are_skipped_but_keep_line_numbers() {
        let got = rows(b"a\n1\n\n2\n", &["a"]).unwrap();
        let places: Vec<(u64, u64)> = got.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(places, vec![(2, 2), (3, 4)]);
    }

    #[test]
    fn lone_cr_line_ends_and_padding_are_read() {
        let got = rows(b"a,b\r1, x \r\"q\"  ,2\r", &["a", "b"]).unwrap();
        let values: Vec<Vec<String>> = got.iter().map(|r| r.2.clone()).collect();
        assert_eq!(values, vec![vec!["1", "x"], vec!["q", "2"]]);
        assert_eq!((got[1].0, got[1].1), (3, 3));
    }

    #[test]
    fn a_quoted_empty_value_is_a_record_but_a_blank_line_is_not() {
        let got = rows(b"a\n\"\"\n   \nz\n", &["a"]).unwrap();
        let values: Vec<Vec<String>> = got.iter().map(|r| r.2.clone()).collect();
        assert_eq!(values, vec![vec![""], vec!["z"]]);
        assert_eq!((got[1].0, got[1].1), (3, 4));
    }

    #[test]
    fn broken_quoting_is_refused_at_its_row() {
        let err = rows(b"a,b\n1,2\n3,\"open\n4,5\n", &["a"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv row 3: has a quoted value that is never closed"
        );
        let err = rows(b"a\n\n\"x\"y\n", &["a"]).unwrap_err();
        assert_eq!((err.row, err.line), (Some(2), Some(3)));
        assert!(err.rule.starts_with("has text after a closing quote"));
    }

    #[test]
    fn typed_values_and_their_refusals() {
        let text = b"n,d,neg,empty\n1e-6,2026-05-01T00:00:00Z,-3,\n";
        read_csv("t.csv", &text[..], &[], |r| {
            assert_eq!(r.decimal("n")?, Decimal::new(1, 6));
            assert!(r.date_time("d")?.1);
            assert_eq!(r.optional_decimal("empty")?, None);
            assert_eq!(r.optional_text("nope"), None);
            let e = r.non_negative_decimal("neg").unwrap_err();
            assert_eq!(e.to_string(), "t.csv row 2: neg must be ≥ 0, got -3");
            let e = r.text("empty").unwrap_err();
            assert_eq!(e.rule, "must not be empty");
            let e = r.text("nope").unwrap_err();
            assert_eq!(e.rule, "is missing");
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn decimals_refuse_separators_and_signs() {
        assert_eq!(parse_decimal("12.50"), Ok(Decimal::new(1250, 2)));
        assert!(parse_decimal("1,234").is_err());
        assert!(parse_decimal("$12").is_err());
        assert_eq!(
            parse_decimal("abc").unwrap_err(),
            "must be a decimal number, got \"abc\""
        );
    }

    #[test]
    fn date_times_report_midnight() {
        let d = |s| parse_date_time(s).map(|(d, m)| (d.to_string(), m));
        assert_eq!(d("2026-06-01"), Ok(("2026-06-01".into(), true)));
        assert_eq!(d("2026-06-01T00:00:00Z"), Ok(("2026-06-01".into(), true)));
        assert_eq!(
            d("2026-06-01T00:00:00.000+02:00"),
            Ok(("2026-06-01".into(), true))
        );
        assert_eq!(d("2026-06-01 13:45"), Ok(("2026-06-01".into(), false)));
        assert_eq!(
            d("2026-06-01T00:00:00.5Z"),
            Ok(("2026-06-01".into(), false))
        );
        assert_eq!(
            d("2026-06-01T00:00:01-0700"),
            Ok(("2026-06-01".into(), false))
        );
        assert!(d("2026-06-01T24:00:00Z").is_err());
        assert!(d("2026-06-01T1:00").is_err());
        assert!(d("2026-06-01X").is_err());
        assert!(d("2026-02-30").is_err());
        assert!(d("06/01/2026").is_err());
    }

    #[test]
    fn json_lines_carry_numbers_bools_and_line_numbers() {
        let text = b"\xEF\xBB\xBF{\"Request_Id\": 17, \"passed\": true, \"cost\": 0.1}\n\n{\"request_id\": \"x\", \"cost\": null}\n";
        let mut seen = Vec::new();
        read_jsonl("t.jsonl", &text[..], |r| {
            seen.push((
                r.location().row,
                r.raw("request_id").map(str::to_owned),
                r.raw("passed").map(str::to_owned),
                r.optional_decimal("cost")?,
            ));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                (
                    1,
                    Some("17".into()),
                    Some("true".into()),
                    Some(Decimal::new(1, 1))
                ),
                (3, Some("x".into()), None, None),
            ]
        );
    }

    #[test]
    fn json_lines_refuse_non_objects_and_bad_json_by_line() {
        let err = read_jsonl("t.jsonl", &b"{}\n[1]\n"[..], |_| Ok(())).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert!(err.rule.starts_with("must be a JSON object"));
        let err = read_jsonl("t.jsonl", &b"{}\n{}\n{\"a\": }\n"[..], |_| Ok(())).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.rule.starts_with("is not valid JSON"), "{err}");
        // Keys come in sorted order, so `a` is the second of the pair.
        let err = read_jsonl("t.jsonl", &b"{\"a\":1,\"A\":2}\n"[..], |_| Ok(())).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("a"));
    }

    #[test]
    fn the_callbacks_error_stops_the_read() {
        let mut calls = 0;
        let err = read_csv("t.csv", &b"a\n1\n2\n3\n"[..], &["a"], |r| {
            calls += 1;
            if r.raw("a") == Some("2") {
                Err(r.error("a", "is two".into()))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!((calls, err.row), (2, Some(3)));
    }

    #[test]
    fn formats_follow_the_file_name() {
        assert_eq!(Format::from_file_name("evals.JSONL"), Format::Jsonl);
        assert_eq!(Format::from_file_name("evals.ndjson"), Format::Jsonl);
        assert_eq!(Format::from_file_name("evals.csv"), Format::Csv);
    }

    #[test]
    fn import_errors_convert_to_input_errors() {
        let e = Location {
            file: "f.csv",
            row: 4,
            line: 5,
        }
        .error(Some("BilledCost"), "must be ≥ 0, got -1");
        assert_eq!(
            e.to_string(),
            "f.csv row 4 (line 5): BilledCost must be ≥ 0, got -1"
        );
        let i = InputError::from(e);
        assert_eq!(i.to_string(), "f.csv row 4 BilledCost must be ≥ 0, got -1");
    }
}
