//! Reading CSV (RFC 4180) as load generators, spreadsheets and SQL engines write it.
//!
//! The first record is the header. Fields may be quoted; a quoted field may hold commas, line
//! breaks and doubled quotes. Records end in LF or CRLF, a UTF-8 byte-order mark is dropped and
//! blank lines are skipped (a trailing newline is not a record). Every record must have as many
//! fields as the header, so a shifted column is refused rather than read into the wrong field.
//! Each record keeps the line it starts on, so an error can point at the line a person sees in
//! an editor.

use crate::error::{InputError, InputResult};

/// One record and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    /// 1-based line of the file on which the record starts.
    pub line: usize,
    /// The fields, in header order.
    pub fields: Vec<String>,
}

/// A parsed file: header and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// The records after the header.
    pub records: Vec<CsvRecord>,
}

impl CsvTable {
    /// The position of the first column whose name equals one of `names`, ignoring ASCII case.
    #[must_use]
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }
}

/// Parses `text` as CSV with a header record.
pub fn parse(text: &str) -> InputResult<CsvTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = split_records(text)?;
    if records.is_empty() {
        return Err(InputError::new(
            "",
            "the file is empty: a header row is needed",
        ));
    }
    let head = records.remove(0);
    let header: Vec<String> = head.fields.iter().map(|h| h.trim().to_owned()).collect();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            return Err(InputError::new(
                format!("line {}", head.line),
                format!("header column {} has no name", i + 1),
            ));
        }
        if header
            .iter()
            .take(i)
            .any(|earlier| earlier.eq_ignore_ascii_case(name))
        {
            return Err(InputError::new(
                format!("line {}", head.line),
                format!("header names column {name:?} twice"),
            ));
        }
    }
    for r in &records {
        if r.fields.len() != header.len() {
            return Err(InputError::new(
                format!("line {}", r.line),
                format!(
                    "has {} fields, the header has {}",
                    r.fields.len(),
                    header.len()
                ),
            ));
        }
    }
    Ok(CsvTable { header, records })
}

fn split_records(text: &str) -> InputResult<Vec<CsvRecord>> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    // A field that was quoted may not be followed by anything but a separator.
    let mut after_quote = false;
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut chars = text.chars().peekable();
    let end_record =
        |fields: &mut Vec<String>, field: &mut String, records: &mut Vec<CsvRecord>, at: usize| {
            fields.push(std::mem::take(field));
            let done = std::mem::take(fields);
            // A blank line is a single empty field: skip it.
            if !(done.len() == 1 && done.first().is_some_and(String::is_empty)) {
                records.push(CsvRecord {
                    line: at,
                    fields: done,
                });
            }
        };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::take(&mut field));
                after_quote = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_record(&mut fields, &mut field, &mut records, record_line);
                after_quote = false;
                line += 1;
                record_line = line;
            }
            '"' if field.is_empty() && !after_quote => in_quotes = true,
            _ if after_quote => {
                return Err(InputError::new(
                    format!("line {line}"),
                    format!(
                        "has {c:?} after a closing quote; a quoted field must end at a comma or line end"
                    ),
                ));
            }
            '"' => {
                return Err(InputError::new(
                    format!("line {line}"),
                    "has a quote inside an unquoted field; quote the whole field and double the quote",
                ));
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(InputError::new(
            format!("line {record_line}"),
            "opens a quoted field that is never closed",
        ));
    }
    if !field.is_empty() || !fields.is_empty() || after_quote {
        end_record(&mut fields, &mut field, &mut records, record_line);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> CsvTable {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_quotes_crlf_and_skips_blank_lines() {
        let t = ok("\u{feff}a, b ,c\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n4,\"two\nlines\",6\n");
        assert_eq!(t.header, vec!["a", "b", "c"]);
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].fields, vec!["1", "x, \"y\"", "3"]);
        assert_eq!(t.records[0].line, 2);
        assert_eq!(t.records[1].fields[1], "two\nlines");
        // The second record starts after the blank line 3.
        assert_eq!(t.records[1].line, 4);
        assert_eq!(t.column(&["B"]), Some(1));
        assert_eq!(t.column(&["zz", "c"]), Some(2));
    }

    #[test]
    fn last_record_without_newline_and_empty_fields() {
        let t = ok("a,b\n,\n\"\",2");
        assert_eq!(t.records[0].fields, vec!["", ""]);
        assert_eq!(t.records[1].fields, vec!["", "2"]);
    }

    #[test]
    fn refuses_ragged_rows_and_bad_quotes() {
        let e = parse("a,b\n1,2\n3\n").err();
        assert_eq!(e.as_ref().map(|e| e.field.as_str()), Some("line 3"));
        assert_eq!(
            e.map(|e| e.rule),
            Some("has 1 fields, the header has 2".to_owned())
        );
        assert!(parse("a\n\"open\n").is_err());
        assert!(parse("a\nx\"y\n").is_err());
        assert!(parse("a\n\"x\"y\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("a,A\n1,2\n").is_err());
        assert!(parse("a,\n1,2\n").is_err());
    }
}
