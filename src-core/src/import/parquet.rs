//! Apache Parquet traces, read column by column with the `parquet` crate's column readers (no
//! Arrow): only the mapped columns are decoded, a batch of rows at a time.
//!
//! Mapping sources name leaf columns by their path (`usage.input_tokens` for a nested group
//! member; the plain name in a flat file). Each row group is one chunk, decoded by a worker
//! that opens the file itself; rows are numbered from 1 in file order. Column types read:
//! strings (BYTE_ARRAY), INT32/INT64 (plain, DECIMAL, DATE, TIMESTAMP in ms/µs/ns), FLOAT,
//! DOUBLE and BOOLEAN; null values count as absent. A mapped column of another type (INT96,
//! FIXED_LEN_BYTE_ARRAY) or a repeated column refuses the file.

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::errors::ParquetError;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::ColumnDescriptor;
use rust_decimal::Decimal;

use super::ImportError;
use super::aggregate::Aggregate;
use super::mapping::{CanonicalField, ColumnMapping, FIELD_COUNT, ResolvedColumns};
use super::pipeline::{Chunk, Decoder, Source};
use super::trace_row::{Cell, RowCells, RowRules, Timestamp, build_row, date_from_unix_days};
use crate::document::Date;
use crate::error::InputError;

/// Rows decoded per column read.
const BATCH: usize = 4096;

/// Marks a null in a batch's value index.
const NULL: u32 = u32::MAX;

/// Text already checked as UTF-8 in this batch, by address.
///
/// Dictionary-encoded values share their dictionary entry's bytes, so a repeated value comes
/// back at the same address and length: its checked `&str` is reused. The memo holds at most
/// 16 values and stops looking for columns whose values rarely repeat (ids).
#[derive(Default)]
struct TextMemo<'b> {
    seen: Vec<(usize, usize, &'b str)>,
    hits: u32,
    misses: u32,
}

impl<'b> TextMemo<'b> {
    fn text(&mut self, bytes: &'b [u8]) -> Cell<'b> {
        let key = (bytes.as_ptr() as usize, bytes.len());
        let active = self.misses < 64 || self.hits >= self.misses;
        if active {
            if let Some(&(_, _, s)) = self.seen.iter().find(|e| (e.0, e.1) == key) {
                self.hits += 1;
                return Cell::Text(Cow::Borrowed(s));
            }
            self.misses += 1;
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                if active && self.seen.len() < 16 {
                    self.seen.push((key.0, key.1, s));
                }
                Cell::Text(Cow::Borrowed(s))
            }
            // Left as bytes: the row check reports it.
            Err(_) => Cell::Bytes(bytes),
        }
    }
}

fn unreadable(path: &Path, e: &ParquetError) -> ImportError {
    ImportError::Io {
        path: path.display().to_string(),
        message: format!("not a readable Parquet file: {e}"),
    }
}

/// How a column's values become cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    Float,
    Bool,
    /// Timestamp; nanoseconds per stored unit.
    Timestamp(i128),
    /// Days since 1970-01-01.
    Date,
    /// Decimal with this scale.
    Decimal(u32),
}

#[derive(Debug, Clone)]
struct MappedColumn {
    leaf: usize,
    kind: Kind,
}

fn kind_of(c: &ColumnDescriptor) -> Result<Kind, String> {
    let logical = c.logical_type_ref();
    let decimal_scale = || match logical {
        Some(LogicalType::Decimal(d)) => u32::try_from(d.scale).ok(),
        _ if c.converted_type() == ConvertedType::DECIMAL => u32::try_from(c.type_scale()).ok(),
        _ => None,
    };
    Ok(match c.physical_type() {
        Physical::BYTE_ARRAY => Kind::Text,
        Physical::FLOAT | Physical::DOUBLE => Kind::Float,
        Physical::BOOLEAN => Kind::Bool,
        Physical::INT32 | Physical::INT64 => {
            if let Some(scale) = decimal_scale() {
                Kind::Decimal(scale)
            } else {
                match (logical, c.converted_type()) {
                    (Some(LogicalType::Timestamp(t)), _) => Kind::Timestamp(match t.unit {
                        TimeUnit::MILLIS => 1_000_000,
                        TimeUnit::MICROS => 1_000,
                        TimeUnit::NANOS => 1,
                    }),
                    (_, ConvertedType::TIMESTAMP_MILLIS) => Kind::Timestamp(1_000_000),
                    (_, ConvertedType::TIMESTAMP_MICROS) => Kind::Timestamp(1_000),
                    (Some(LogicalType::Date), _) | (_, ConvertedType::DATE) => Kind::Date,
                    _ => Kind::Int,
                }
            }
        }
        other => {
            return Err(format!(
                "has Parquet type {other}, which the importer does not read"
            ));
        }
    })
}

/// Lists a Parquet file's row groups and resolves the mapping against its columns.
pub struct ParquetSource {
    path: PathBuf,
    columns: Vec<MappedColumn>,
    /// Per canonical field: (slot in `columns`, source name), in preference order.
    fields: Vec<Vec<(usize, String)>>,
    rules: RowRules,
    row_groups: Vec<(u64, u64)>,
    next: usize,
    next_row: u64,
    bytes_done: u64,
    total: u64,
}

impl ParquetSource {
    /// Opens `path` and resolves `mapping` against its leaf columns.
    pub fn open(path: &Path, mapping: &ColumnMapping) -> Result<Self, ImportError> {
        let file =
            File::open(path).map_err(|e| ImportError::io(&path.display().to_string(), &e))?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = SerializedFileReader::new(file).map_err(|e| unreadable(path, &e))?;
        let meta = reader.metadata();
        let leaves = meta.file_metadata().schema_descr().columns().to_vec();
        let header: Vec<String> = leaves.iter().map(|c| c.path().string()).collect();
        let resolved = ResolvedColumns::resolve(&header, mapping)?;
        let mut columns: Vec<MappedColumn> = Vec::new();
        let mut fields = vec![Vec::new(); FIELD_COUNT];
        for field in CanonicalField::ALL {
            for (leaf, name) in resolved.of(field) {
                let Some(descr) = leaves.get(*leaf) else {
                    continue;
                };
                if descr.max_rep_level() > 0 {
                    return Err(ImportError::Input(InputError::new(
                        format!("column {name}"),
                        "is repeated; the importer reads one value per row",
                    )));
                }
                let kind = kind_of(descr).map_err(|rule| {
                    ImportError::Input(InputError::new(format!("column {name}"), rule))
                })?;
                let slot = match columns.iter().position(|c| c.leaf == *leaf) {
                    Some(s) => s,
                    None => {
                        columns.push(MappedColumn { leaf: *leaf, kind });
                        columns.len() - 1
                    }
                };
                if let Some(list) = fields.get_mut(field.index()) {
                    list.push((slot, name.clone()));
                }
            }
        }
        let row_groups = meta
            .row_groups()
            .iter()
            .map(|g| {
                (
                    u64::try_from(g.num_rows()).unwrap_or(0),
                    u64::try_from(g.compressed_size()).unwrap_or(0),
                )
            })
            .collect();
        Ok(Self {
            path: path.to_owned(),
            columns,
            fields,
            rules: RowRules::from_mapping(mapping),
            row_groups,
            next: 0,
            next_row: 1,
            bytes_done: 0,
            total,
        })
    }
}

impl Source for ParquetSource {
    type Payload = usize;
    type Decoder = ParquetDecoder;

    fn decoder(&self) -> Result<ParquetDecoder, ImportError> {
        let file = File::open(&self.path)
            .map_err(|e| ImportError::io(&self.path.display().to_string(), &e))?;
        let reader = SerializedFileReader::new(file).map_err(|e| unreadable(&self.path, &e))?;
        Ok(ParquetDecoder {
            path: self.path.clone(),
            reader,
            columns: self.columns.clone(),
            plan: CanonicalField::ALL
                .iter()
                .flat_map(|&f| {
                    self.fields
                        .get(f.index())
                        .into_iter()
                        .flatten()
                        .map(move |(k, name)| (f, *k, name.clone()))
                })
                .collect(),
            rules: self.rules.clone(),
        })
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk<usize>>, ImportError> {
        let Some(&(rows, bytes)) = self.row_groups.get(self.next) else {
            return Ok(None);
        };
        let chunk = Chunk {
            payload: self.next,
            first_row: self.next_row,
            bytes_done: (self.bytes_done + bytes).min(self.total),
        };
        self.next += 1;
        self.next_row += rows;
        self.bytes_done += bytes;
        Ok(Some(chunk))
    }

    fn bytes_total(&self) -> u64 {
        self.total
    }
}

enum Values {
    Text(ColumnReaderImpl<ByteArrayType>, Vec<ByteArray>),
    I32(ColumnReaderImpl<Int32Type>, Vec<i32>),
    I64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    F32(ColumnReaderImpl<FloatType>, Vec<f32>),
    F64(ColumnReaderImpl<DoubleType>, Vec<f64>),
    Bool(ColumnReaderImpl<BoolType>, Vec<bool>),
}

struct ColumnState {
    values: Values,
    kind: Kind,
    defs: Vec<i16>,
    max_def: i16,
    /// Per row of the batch, its value's index, or `NULL` (nullable columns only).
    index: Vec<u32>,
    /// The last day converted, since consecutive rows mostly share one.
    last_day: std::cell::Cell<Option<(i64, Date)>>,
}

impl ColumnState {
    fn new(reader: ColumnReader, kind: Kind, max_def: i16) -> Option<Self> {
        let values = match reader {
            ColumnReader::ByteArrayColumnReader(r) => Values::Text(r, Vec::new()),
            ColumnReader::Int32ColumnReader(r) => Values::I32(r, Vec::new()),
            ColumnReader::Int64ColumnReader(r) => Values::I64(r, Vec::new()),
            ColumnReader::FloatColumnReader(r) => Values::F32(r, Vec::new()),
            ColumnReader::DoubleColumnReader(r) => Values::F64(r, Vec::new()),
            ColumnReader::BoolColumnReader(r) => Values::Bool(r, Vec::new()),
            _ => return None,
        };
        Some(Self {
            values,
            kind,
            defs: Vec::new(),
            max_def,
            index: Vec::new(),
            last_day: std::cell::Cell::new(None),
        })
    }

    /// Reads up to `max` rows; returns how many.
    fn read(&mut self, max: usize) -> Result<usize, ParquetError> {
        self.defs.clear();
        let defs = (self.max_def > 0).then_some(&mut self.defs);
        let (records, _, _) = match &mut self.values {
            Values::Text(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
            Values::I32(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
            Values::I64(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
            Values::F32(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
            Values::F64(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
            Values::Bool(r, v) => {
                v.clear();
                r.read_records(max, defs, None, v)?
            }
        };
        // Values of a nullable column are dense: index them by row once per batch.
        self.index.clear();
        if self.max_def > 0 {
            let mut next = 0u32;
            for &d in &self.defs {
                if d == self.max_def {
                    self.index.push(next);
                    next += 1;
                } else {
                    self.index.push(NULL);
                }
            }
        }
        Ok(records)
    }

    /// The value index of row `r` of the batch, or `None` for a null.
    fn slot(&self, r: usize) -> Option<usize> {
        if self.max_def == 0 {
            return Some(r);
        }
        match self.index.get(r) {
            Some(&i) if i != NULL => usize::try_from(i).ok(),
            _ => None,
        }
    }

    /// Row `r`'s cell; text is checked as UTF-8 once per distinct dictionary value (see
    /// [`TextMemo`]).
    fn cell_at<'b>(&'b self, r: usize, memo: &mut TextMemo<'b>) -> Option<Cell<'b>> {
        let i = self.slot(r)?;
        if let Values::Text(_, v) = &self.values {
            return Some(memo.text(v.get(i)?.data()));
        }
        self.cell(i)
    }

    fn date(&self, days: i64) -> Option<Date> {
        match self.last_day.get() {
            Some((d, date)) if d == days => Some(date),
            _ => {
                let date = date_from_unix_days(days)?;
                self.last_day.set(Some((days, date)));
                Some(date)
            }
        }
    }

    fn cell(&self, i: usize) -> Option<Cell<'_>> {
        let int = |v: i64| -> Option<Cell<'_>> {
            Some(match self.kind {
                Kind::Timestamp(per) => {
                    let nanos = i128::from(v) * per;
                    let per_day = 86_400 * 1_000_000_000i128;
                    Cell::Time(Timestamp {
                        date: self.date(i64::try_from(nanos.div_euclid(per_day)).ok()?)?,
                        seconds: nanos.rem_euclid(per_day) as f64 / 1e9,
                    })
                }
                Kind::Date => Cell::Time(Timestamp {
                    date: self.date(v)?,
                    seconds: 0.0,
                }),
                Kind::Decimal(scale) => Cell::Decimal(Decimal::try_new(v, scale).ok()?),
                _ => Cell::Int(v),
            })
        };
        match &self.values {
            Values::Text(_, v) => v.get(i).map(|b| Cell::Bytes(b.data())),
            Values::I32(_, v) => int(i64::from(*v.get(i)?)),
            Values::I64(_, v) => int(*v.get(i)?),
            Values::F32(_, v) => v.get(i).map(|&f| Cell::Float(f64::from(f))),
            Values::F64(_, v) => v.get(i).map(|&f| Cell::Float(f)),
            Values::Bool(_, v) => v.get(i).map(|&b| Cell::Bool(b)),
        }
    }
}

/// Decodes row groups of one Parquet file.
pub struct ParquetDecoder {
    path: PathBuf,
    reader: SerializedFileReader<File>,
    columns: Vec<MappedColumn>,
    /// (field, slot in `columns`, column name) in preference order per field.
    plan: Vec<(CanonicalField, usize, String)>,
    rules: RowRules,
}

impl Decoder for ParquetDecoder {
    type Payload = usize;

    fn decode(
        &mut self,
        group: usize,
        first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let bad = |e: &ParquetError| unreadable(&self.path, e);
        let rg = self.reader.get_row_group(group).map_err(|e| bad(&e))?;
        let rows = u64::try_from(rg.metadata().num_rows()).unwrap_or(0);
        let descr = rg.metadata().schema_descr_ptr();
        let mut states = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let max_def = descr.columns().get(c.leaf).map_or(0, |d| d.max_def_level());
            let reader = rg.get_column_reader(c.leaf).map_err(|e| bad(&e))?;
            let state = ColumnState::new(reader, c.kind, max_def).ok_or_else(|| {
                ImportError::Input(InputError::new(
                    "column",
                    "has a type the importer does not read",
                ))
            })?;
            states.push(state);
        }
        let mut done = 0u64;
        while done < rows {
            let want = usize::try_from(rows - done).unwrap_or(BATCH).min(BATCH);
            let mut n = want;
            for s in &mut states {
                let got = s.read(want).map_err(|e| bad(&e))?;
                n = n.min(got);
            }
            if n == 0 {
                return Err(ImportError::Io {
                    path: self.path.display().to_string(),
                    message: format!("row group {group} holds fewer rows than its metadata says"),
                });
            }
            let batch: &[ColumnState] = &states;
            let mut memos: Vec<TextMemo<'_>> = batch.iter().map(|_| TextMemo::default()).collect();
            let mut cells = RowCells::new();
            for r in 0..n {
                for (field, k, name) in &self.plan {
                    let (Some(state), Some(memo)) = (batch.get(*k), memos.get_mut(*k)) else {
                        continue;
                    };
                    if let Some(cell) = state.cell_at(r, memo) {
                        cells.offer(*field, cell, name);
                    }
                }
                into.record(build_row(
                    &mut cells,
                    &self.rules,
                    first_row + done + r as u64,
                ))?;
            }
            done += n as u64;
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportOptions;
    use crate::import::aggregate::AggregateSettings;
    use parquet::data_type::ByteArray;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    fn write(path: &Path, groups: &[Vec<(i64, Option<i64>)>]) {
        let schema = Arc::new(
            parse_message_type(
                "message trace {
                   REQUIRED BYTE_ARRAY request_id (UTF8);
                   REQUIRED INT64 timestamp (TIMESTAMP(MILLIS, true));
                   REQUIRED BYTE_ARRAY workload (UTF8);
                   REQUIRED BYTE_ARRAY provider (UTF8);
                   REQUIRED BYTE_ARRAY model (UTF8);
                   REQUIRED INT64 uncached_input_tokens;
                   OPTIONAL INT64 output_tokens;
                   REQUIRED INT64 reported_cost (DECIMAL(18, 6));
                 }",
            )
            .unwrap_or_else(|e| panic!("{e}")),
        );
        let file = File::create(path).unwrap_or_else(|e| panic!("{e}"));
        let mut w = SerializedFileWriter::new(file, schema, Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut n = 0;
        for g in groups {
            let mut rg = w.next_row_group().unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<ByteArray> = g
                .iter()
                .map(|_| {
                    n += 1;
                    ByteArray::from(format!("r{n}").as_str())
                })
                .collect();
            let text = |s: &str| vec![ByteArray::from(s); g.len()];
            let mut col = 0;
            while let Some(mut c) = rg.next_column().unwrap_or_else(|e| panic!("{e}")) {
                match col {
                    0 => c.typed::<ByteArrayType>().write_batch(&ids, None, None),
                    1 => c.typed::<Int64Type>().write_batch(
                        &vec![1_778_578_200_000; g.len()],
                        None,
                        None,
                    ),
                    2 => c
                        .typed::<ByteArrayType>()
                        .write_batch(&text("w"), None, None),
                    3 => c
                        .typed::<ByteArrayType>()
                        .write_batch(&text("P"), None, None),
                    4 => c
                        .typed::<ByteArrayType>()
                        .write_batch(&text("m"), None, None),
                    5 => c.typed::<Int64Type>().write_batch(
                        &g.iter().map(|x| x.0).collect::<Vec<_>>(),
                        None,
                        None,
                    ),
                    6 => {
                        let defs: Vec<i16> = g.iter().map(|x| i16::from(x.1.is_some())).collect();
                        let vals: Vec<i64> = g.iter().filter_map(|x| x.1).collect();
                        c.typed::<Int64Type>().write_batch(&vals, Some(&defs), None)
                    }
                    _ => c
                        .typed::<Int64Type>()
                        .write_batch(&vec![1_250; g.len()], None, None),
                }
                .unwrap_or_else(|e| panic!("{e}"));
                c.close().unwrap_or_else(|e| panic!("{e}"));
                col += 1;
            }
            rg.close().unwrap_or_else(|e| panic!("{e}"));
        }
        w.close().unwrap_or_else(|e| panic!("{e}"));
    }

    fn import(path: &Path, threads: usize) -> Aggregate {
        let source = ParquetSource::open(path, &ColumnMapping::canonical())
            .unwrap_or_else(|e| panic!("{e}"));
        let options = ImportOptions {
            threads,
            chunk_bytes: 1,
            aggregate: AggregateSettings::default(),
        };
        super::super::pipeline::run(source, &options, &mut |_| {}, &AtomicBool::new(false))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_typed_columns_nulls_and_row_groups() {
        let dir = std::env::temp_dir().join(format!("lcpr-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("t.parquet");
        write(
            &path,
            &[
                vec![(10, Some(5)), (20, None), (-1, Some(1))],
                vec![(30, Some(7))],
            ],
        );
        let one = import(&path, 1);
        assert_eq!(import(&path, 2), one);
        assert_eq!((one.rows_read, one.rows_broken), (4, 2));
        let errors: Vec<String> = one.row_errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "row 2: output_tokens is required".to_owned(),
                "row 3: uncached_input_tokens (input_tokens) must be ≥ 0, got -1".to_owned()
            ]
        );
        let (date, day) = one.workloads["w"]
            .iter()
            .next()
            .unwrap_or_else(|| panic!("day"));
        // 1,778,578,200,000 ms = 2026-05-12T09:30:00Z; DECIMAL(18, 6) 1250 = $0.00125 per row.
        assert_eq!(date.to_string(), "2026-05-12");
        assert_eq!(day.counters.tokens.uncached_input, 40);
        assert_eq!(day.counters.tokens.output, 12);
        assert_eq!(day.counters.reported_cost, Decimal::new(250, 5));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}
