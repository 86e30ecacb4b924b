//! CSV export of a report table (RFC 4180), so the numbers behind a memo table can be taken
//! into a spreadsheet exactly as printed.
//!
//! Records end in CRLF as the RFC specifies; a field is quoted when it holds a comma, a quote,
//! CR or LF, and quotes inside it are doubled. Cells are written as formatted in the report
//! (`$1,234.50` stays text), because the table holds what the reader saw.

use crate::report::model::Table;

/// The table as CSV: the header row, then one record per row (the caption is not part of it).
#[must_use]
pub fn table_to_csv(table: &Table) -> String {
    let mut out = String::new();
    write_record(&mut out, table.columns.iter().map(|c| c.header.as_str()));
    for row in &table.rows {
        write_record(&mut out, row.cells.iter().map(String::as_str));
    }
    out
}

fn write_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Column, Row};

    #[test]
    fn quotes_only_fields_that_need_it() {
        let table = Table {
            caption: Some("ignored".into()),
            columns: vec![Column::text("Route"), Column::money("Monthly, total")],
            rows: vec![
                Row::new(["managed \"fast\"", "$1,234.50"]),
                Row::emphasized(["two\nlines", "plain"]),
                Row::new(["", " spaced "]),
            ],
        };
        assert_eq!(
            table_to_csv(&table),
            "Route,\"Monthly, total\"\r\n\
             \"managed \"\"fast\"\"\",\"$1,234.50\"\r\n\
             \"two\nlines\",plain\r\n\
             ,\x20spaced\x20\r\n"
        );
    }

    #[test]
    fn a_table_without_rows_is_its_header() {
        let table = Table {
            caption: None,
            columns: vec![Column::text("a")],
            rows: vec![],
        };
        assert_eq!(table_to_csv(&table), "a\r\n");
    }
}
