//! Apache Parquet traces, read column by column with the `parquet` crate's column readers (no
//! Arrow): only the mapped columns are decoded, a batch of rows at a time.
//!
//! Mapping sources name leaf columns by their path (`usage.input_tokens` for a nested group
//! member; the plain name in a flat file). Each row group is one chunk, decoded by a worker
//! that opens the file itself; rows are numbered from 1 in file order. Column types read:
//! strings (BYTE_ARRAY), INT32/INT64 (plain, DECIMAL, DATE, TIMESTAMP in ms/µs/ns), FLOAT,
//! DOUBLE and BOOLEAN; null values count as absent. A mapped column of another type (INT96,
//! FIXED_LEN_BYTE_ARRAY) or a repeated column refuses the file.
//!
//! String columns are read from their pages directly (see `TextPages`): a dictionary-encoded
//! row is an index into its column chunk's dictionary, whose entries are checked as UTF-8 once,
//! rather than a reference-counted copy of the entry made and dropped for every row.
//!
//! A batch whose rows are all good is counted column-wise (see `Columnar`): the text the
//! aggregate keys on is read once per dictionary entry and rows are counted a (workload, day)
//! group at a time. A batch with a broken row or anything that path does not read goes row by
//! row through [`build_row`], so broken rows are reported exactly as before.

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{ConvertedType, Encoding, LogicalType, TimeUnit, Type as Physical};
use parquet::column::page::{Page, PageReader};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::{ReaderProperties, ReaderPropertiesPtr};
use parquet::file::reader::RowGroupReader;
use parquet::file::serialized_reader::SerializedRowGroupReader;
use parquet::schema::types::ColumnDescriptor;
use rust_decimal::Decimal;

use super::ImportError;
use super::aggregate::{Aggregate, IdNames, IdRow};
use super::dedupe::{RowValues, SeenHandle, Verdict, key_hash};
use super::pipeline::{Chunk, Decoder, Source};
use super::trace_row::{
    Cell, GateResult, MAX_TOKENS, RowCells, RowRules, STATUS_WORDS, Status, Timestamp, TokenUsage,
    as_text, build_row, date_from_unix_days, flag, millis, money, verdict, whole,
};
use crate::document::Date;
use crate::document::mapping::{
    CanonicalField, ColumnMapping, FIELD_COUNT, ResolvedColumns, UsageConvention,
};
use crate::error::InputError;

/// Rows decoded per column read.
const BATCH: usize = 4096;

/// Marks a null in a batch's value index.
const NULL: u32 = u32::MAX;

mod columnar;
mod pages;

use columnar::*;
use pages::*;

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
    /// Whether decoders may count good batches column-wise (see [`Columnar`]).
    columnar: bool,
    /// The file's metadata, read once and shared by every decoder.
    meta: Arc<ParquetMetaData>,
}

impl ParquetSource {
    /// Opens `path` and resolves `mapping` against its leaf columns.
    pub fn open(path: &Path, mapping: &ColumnMapping) -> Result<Self, ImportError> {
        let file =
            File::open(path).map_err(|e| ImportError::io(&path.display().to_string(), &e))?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        let meta = Arc::new(
            ParquetMetaDataReader::new()
                .parse_and_finish(&file)
                .map_err(|e| unreadable(path, &e))?,
        );
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
            columnar: true,
            meta,
        })
    }

    /// The same source with every batch read row by row (to check the column-wise path, and
    /// when each row needs a look-up by request id).
    pub(crate) fn row_by_row(mut self) -> Self {
        self.columnar = false;
        self
    }
}

impl Source for ParquetSource {
    type Payload = usize;
    type Decoder = ParquetDecoder;

    fn decoder(&self) -> Result<ParquetDecoder, ImportError> {
        let file = File::open(&self.path)
            .map_err(|e| ImportError::io(&self.path.display().to_string(), &e))?;
        // Each decoder has its own file handle: a handle's reads share one position.
        Ok(ParquetDecoder {
            path: self.path.clone(),
            file: Arc::new(file),
            meta: Arc::clone(&self.meta),
            props: Arc::new(ReaderProperties::builder().build()),
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
            columnar: self
                .columnar
                .then(|| columnar_slots(&self.columns, &self.fields, &self.rules))
                .flatten()
                .map(Columnar::new),
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

    fn rows_hint(&self) -> u64 {
        self.row_groups.iter().map(|&(rows, _)| rows).sum()
    }

    fn cuts_cheaply(&self) -> bool {
        true
    }
}

enum Values {
    Pages(TextPages),
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
        Some(Self::with(
            match reader {
                ColumnReader::ByteArrayColumnReader(r) => Values::Text(r, Vec::new()),
                ColumnReader::Int32ColumnReader(r) => Values::I32(r, Vec::new()),
                ColumnReader::Int64ColumnReader(r) => Values::I64(r, Vec::new()),
                ColumnReader::FloatColumnReader(r) => Values::F32(r, Vec::new()),
                ColumnReader::DoubleColumnReader(r) => Values::F64(r, Vec::new()),
                ColumnReader::BoolColumnReader(r) => Values::Bool(r, Vec::new()),
                _ => return None,
            },
            kind,
            max_def,
        ))
    }

    fn with(values: Values, kind: Kind, max_def: i16) -> Self {
        Self {
            values,
            kind,
            defs: Vec::new(),
            max_def,
            index: Vec::new(),
            last_day: std::cell::Cell::new(None),
        }
    }

    /// Reads up to `max` rows; returns how many.
    fn read(&mut self, max: usize) -> Result<usize, ParquetError> {
        if let Values::Pages(p) = &mut self.values {
            return p.read(max);
        }
        self.defs.clear();
        let defs = (self.max_def > 0).then_some(&mut self.defs);
        let (records, _, _) = match &mut self.values {
            Values::Pages(_) => (0, 0, 0),
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

    /// Row `r`'s cell, or `None` for a null.
    #[inline]
    fn cell_at(&self, r: usize) -> Option<Cell<'_>> {
        if let Values::Pages(p) = &self.values {
            return p.cell(r);
        }
        self.cell(self.slot(r)?)
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
                    const PER_DAY: i64 = 86_400 * 1_000_000_000;
                    // 64-bit arithmetic covers 1677–2262 in nanoseconds; 128-bit the rest. Both
                    // give the same day and the same double: the remainder is below 2^53.
                    let (day, within) = match i64::try_from(per).ok().and_then(|p| v.checked_mul(p))
                    {
                        Some(nanos) => {
                            (nanos.div_euclid(PER_DAY), nanos.rem_euclid(PER_DAY) as f64)
                        }
                        None => {
                            let nanos = i128::from(v) * per;
                            let per_day = i128::from(PER_DAY);
                            (
                                i64::try_from(nanos.div_euclid(per_day)).ok()?,
                                nanos.rem_euclid(per_day) as f64,
                            )
                        }
                    };
                    Cell::Time(Timestamp {
                        date: self.date(day)?,
                        seconds: within / 1e9,
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
            Values::Pages(_) => None,
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
    file: Arc<File>,
    meta: Arc<ParquetMetaData>,
    props: ReaderPropertiesPtr,
    columns: Vec<MappedColumn>,
    /// (field, slot in `columns`, column name) in preference order per field.
    plan: Vec<(CanonicalField, usize, String)>,
    rules: RowRules,
    /// The column-wise path, when the mapping allows it.
    columnar: Option<Columnar>,
}

impl Decoder for ParquetDecoder {
    type Payload = usize;

    fn decode(
        &mut self,
        &mut group: &mut usize,
        first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let bad = |e: &ParquetError| unreadable(&self.path, e);
        let group_meta = self
            .meta
            .row_groups()
            .get(group)
            .ok_or_else(|| ImportError::Io {
                path: self.path.display().to_string(),
                message: format!("has no row group {group}"),
            })?;
        let rg = SerializedRowGroupReader::new(
            Arc::clone(&self.file),
            group_meta,
            self.meta.page_index_for_row_group(group),
            Arc::clone(&self.props),
        )
        .map_err(|e| bad(&e))?;
        let rows = u64::try_from(rg.metadata().num_rows()).unwrap_or(0);
        let descr = rg.metadata().schema_descr_ptr();
        let mut states = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let max_def = descr.columns().get(c.leaf).map_or(0, |d| d.max_def_level());
            let chunk = rg.metadata().column(c.leaf);
            if c.kind == Kind::Text && TextPages::reads(chunk.encodings()) {
                let pages = rg.get_column_page_reader(c.leaf).map_err(|e| bad(&e))?;
                states.push(ColumnState::with(
                    Values::Pages(TextPages::new(pages, max_def)),
                    c.kind,
                    max_def,
                ));
                continue;
            }
            let reader = rg.get_column_reader(c.leaf).map_err(|e| bad(&e))?;
            let state = ColumnState::new(reader, c.kind, max_def).ok_or_else(|| {
                ImportError::Input(InputError::new(
                    "column",
                    "has a type the importer does not read",
                ))
            })?;
            states.push(state);
        }
        if let Some(c) = &mut self.columnar {
            c.start_group();
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
            if let Some(c) = &mut self.columnar
                && c.read(batch, &self.rules, n, first_row + done, &mut into.seen)?
            {
                c.count(into)?;
                done += n as u64;
                continue;
            }
            let mut cells = RowCells::new();
            for r in 0..n {
                for (field, k, name) in &self.plan {
                    let Some(state) = batch.get(*k) else {
                        continue;
                    };
                    if let Some(cell) = state.cell_at(r) {
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
    use crate::evidence::traces::ImportOptions;
    use crate::evidence::traces::aggregate::AggregateSettings;
    use parquet::data_type::ByteArray;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    fn write(path: &Path, groups: &[Vec<(i64, Option<i64>)>], props: WriterProperties) {
        write_ids(path, groups, props, &|n| format!("r{n}"));
    }

    /// As [`write`], the `n`th row (from 1) with request id `id(n)`.
    fn write_ids(
        path: &Path,
        groups: &[Vec<(i64, Option<i64>)>],
        props: WriterProperties,
        id: &dyn Fn(usize) -> String,
    ) {
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
                   OPTIONAL BYTE_ARRAY retry_of (UTF8);
                 }",
            )
            .unwrap_or_else(|e| panic!("{e}")),
        );
        let file = File::create(path).unwrap_or_else(|e| panic!("{e}"));
        let mut w = SerializedFileWriter::new(file, schema, Arc::new(props))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut n = 0;
        for g in groups {
            let mut rg = w.next_row_group().unwrap_or_else(|e| panic!("{e}"));
            let ids: Vec<ByteArray> = g
                .iter()
                .map(|_| {
                    n += 1;
                    ByteArray::from(id(n).as_str())
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
                    7 => c
                        .typed::<Int64Type>()
                        .write_batch(&vec![1_250; g.len()], None, None),
                    // Rows with 20 or more input tokens retry request r1.
                    _ => {
                        let defs: Vec<i16> = g.iter().map(|x| i16::from(x.0 >= 20)).collect();
                        let vals: Vec<ByteArray> = g
                            .iter()
                            .filter(|x| x.0 >= 20)
                            .map(|_| ByteArray::from("r1"))
                            .collect();
                        c.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&defs), None)
                    }
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
        run(path, threads, false).unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(path: &Path, threads: usize, quick: bool) -> Result<Aggregate, ImportError> {
        let source = ParquetSource::open(path, &ColumnMapping::canonical())
            .unwrap_or_else(|e| panic!("{e}"));
        let options = ImportOptions {
            threads,
            chunk_bytes: 1,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        };
        super::super::pipeline::run(
            source,
            &options,
            quick,
            &mut |_| {},
            &AtomicBool::new(false),
        )
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
            WriterProperties::default(),
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
        // Rows 1 and 4 are counted; row 4 names the request it retries.
        assert_eq!((day.counters.requests, day.counters.retries), (1, 1));
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_row_group_written_twice_is_counted_once_and_a_changed_copy_is_refused() {
        let dir = std::env::temp_dir().join(format!("lcpr-pq-dup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let rows: Vec<(i64, Option<i64>)> = (0..30).map(|i| (5 + i % 10, Some(i))).collect();
        let id = |n: usize| format!("r{}", (n - 1) % 30);
        let once = dir.join("once.parquet");
        write_ids(
            &once,
            std::slice::from_ref(&rows),
            WriterProperties::default(),
            &id,
        );
        let twice = dir.join("twice.parquet");
        write_ids(
            &twice,
            &[rows.clone(), rows.clone()],
            WriterProperties::default(),
            &id,
        );
        let one = import(&once, 1);
        for threads in [1, 2] {
            // The quick set gives the full set's answer on a file without repeats and ends in
            // `Repeated` otherwise, so the file is read again with the full set.
            assert_eq!(run(&once, threads, true).ok().as_ref(), Some(&one));
            assert_eq!(
                run(&twice, threads, true).err(),
                Some(ImportError::Repeated)
            );
            let two = import(&twice, threads);
            assert_eq!((two.rows_read, two.duplicates_dropped), (60, 30));
            // Whichever copy a worker counts first, the result is the same.
            assert_eq!(two.workloads, one.workloads);
        }
        let mut changed = rows.clone();
        changed[4].1 = Some(999);
        let bad = dir.join("changed.parquet");
        write_ids(&bad, &[rows, changed], WriterProperties::default(), &id);
        let source = ParquetSource::open(&bad, &ColumnMapping::canonical())
            .unwrap_or_else(|e| panic!("{e}"));
        let options = ImportOptions {
            threads: 2,
            chunk_bytes: 1,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        };
        let e = super::super::pipeline::run(
            source,
            &options,
            false,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.starts_with("rows 5 and 35: request id \"r4\""), "{e}");
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn plain_dictionary_and_v2_pages_read_alike() {
        let dir = std::env::temp_dir().join(format!("lcpr-pq-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let rows: Vec<(i64, Option<i64>)> = (0..50)
            .map(|i| (i % 40, (i % 7 != 3).then_some(i)))
            .collect();
        let groups = [rows[..30].to_vec(), rows[30..].to_vec()];
        let read = |name: &str, props: WriterProperties| {
            let path = dir.join(name);
            write(&path, &groups, props);
            import(&path, 1)
        };
        let dictionary = read("dict.parquet", WriterProperties::default());
        // Pages of 4 rows, so a batch spans many pages and its text lies in several of them.
        let small = read(
            "small.parquet",
            WriterProperties::builder()
                .set_data_page_row_count_limit(4)
                .set_write_batch_size(4)
                .build(),
        );
        let plain_v2 = read(
            "plain.parquet",
            WriterProperties::builder()
                .set_dictionary_enabled(false)
                .set_writer_version(WriterVersion::PARQUET_2_0)
                .set_data_page_row_count_limit(8)
                .set_write_batch_size(8)
                .build(),
        );
        assert_eq!(small, dictionary);
        assert_eq!(plain_v2, dictionary);
        // Rows 4, 11, …, 46 lack output tokens: 7 broken of 50.
        assert_eq!((dictionary.rows_read, dictionary.rows_broken), (50, 7));
        let day = dictionary.workloads["w"]
            .values()
            .next()
            .unwrap_or_else(|| panic!("day"));
        // Input i mod 40 ≥ 20 retries r1: of the 43 counted rows, i in 20..40 but not 24, 31
        // or 38 (17 rows).
        assert_eq!(day.counters.retries, 17);
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Writes rows `0..` of a trace exercising every column the column-wise path reads, split
    /// into row groups of `groups` rows; rows for which `broken` holds have input tokens −1.
    fn write_wide(
        path: &Path,
        groups: &[usize],
        broken: &dyn Fn(usize) -> bool,
        props: WriterProperties,
    ) {
        let schema = Arc::new(
            parse_message_type(
                "message trace {
                   REQUIRED BYTE_ARRAY request_id (UTF8);
                   REQUIRED INT64 timestamp (TIMESTAMP(MICROS, true));
                   REQUIRED BYTE_ARRAY workload (UTF8);
                   REQUIRED BYTE_ARRAY provider (UTF8);
                   REQUIRED BYTE_ARRAY model (UTF8);
                   OPTIONAL BYTE_ARRAY prompt_version (UTF8);
                   REQUIRED INT64 uncached_input_tokens;
                   OPTIONAL INT32 cache_read_tokens;
                   REQUIRED INT64 output_tokens;
                   OPTIONAL DOUBLE ttft_ms;
                   OPTIONAL DOUBLE e2e_ms;
                   OPTIONAL BYTE_ARRAY status (UTF8);
                   OPTIONAL INT64 attempt;
                   OPTIONAL BYTE_ARRAY quality_gate (UTF8);
                   OPTIONAL BOOLEAN escalated;
                   OPTIONAL INT64 reported_cost (DECIMAL(18, 6));
                 }",
            )
            .unwrap_or_else(|e| panic!("{e}")),
        );
        let file = File::create(path).unwrap_or_else(|e| panic!("{e}"));
        let mut w = SerializedFileWriter::new(file, schema, Arc::new(props))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut first = 0;
        for &size in groups {
            let rows: Vec<usize> = (first..first + size).collect();
            first += size;
            // Optional text: `None` is a null; blank and padded values test trimming.
            let text = |f: &dyn Fn(usize) -> Option<&'static str>| {
                let defs: Vec<i16> = rows.iter().map(|&i| i16::from(f(i).is_some())).collect();
                let vals: Vec<ByteArray> = rows
                    .iter()
                    .filter_map(|&i| f(i).map(ByteArray::from))
                    .collect();
                (vals, defs)
            };
            let mut rg = w.next_row_group().unwrap_or_else(|e| panic!("{e}"));
            let mut col = 0;
            while let Some(mut c) = rg.next_column().unwrap_or_else(|e| panic!("{e}")) {
                let bytes = |c: &mut parquet::file::writer::SerializedColumnWriter<'_>,
                             (v, d): (Vec<ByteArray>, Vec<i16>),
                             required: bool| {
                    c.typed::<ByteArrayType>()
                        .write_batch(&v, (!required).then_some(&d[..]), None)
                        .map(|_| ())
                };
                match col {
                    0 => bytes(
                        &mut c,
                        (
                            rows.iter()
                                .map(|i| ByteArray::from(format!("r{i}").as_str()))
                                .collect(),
                            Vec::new(),
                        ),
                        true,
                    ),
                    // Every 20 s from 2026-05-12T00:00:00Z: 4,320 rows a day.
                    1 => c
                        .typed::<Int64Type>()
                        .write_batch(
                            &rows
                                .iter()
                                .map(|&i| 1_778_544_000_000_000 + i as i64 * 20_000_000)
                                .collect::<Vec<_>>(),
                            None,
                            None,
                        )
                        .map(|_| ()),
                    2 => bytes(&mut c, text(&|i| Some(["a", "b", " a "][i % 3])), true),
                    3 => bytes(&mut c, text(&|i| Some(["P", "Q"][i % 5 / 3])), true),
                    4 => bytes(&mut c, text(&|i| Some(["m1", "m2", "m3"][i % 7 % 3])), true),
                    5 => bytes(
                        &mut c,
                        text(&|i| [None, Some(" "), Some("v1"), Some("v2 ")][i % 4]),
                        false,
                    ),
                    6 => c
                        .typed::<Int64Type>()
                        .write_batch(
                            &rows
                                .iter()
                                .map(|&i| if broken(i) { -1 } else { (i % 1000) as i64 })
                                .collect::<Vec<_>>(),
                            None,
                            None,
                        )
                        .map(|_| ()),
                    7 => {
                        let defs: Vec<i16> = rows.iter().map(|&i| i16::from(i % 3 != 0)).collect();
                        let vals: Vec<i32> = rows
                            .iter()
                            .filter(|&&i| i % 3 != 0)
                            .map(|&i| (i % 50) as i32)
                            .collect();
                        c.typed::<Int32Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .map(|_| ())
                    }
                    8 => c
                        .typed::<Int64Type>()
                        .write_batch(
                            &rows.iter().map(|&i| (i % 700) as i64).collect::<Vec<_>>(),
                            None,
                            None,
                        )
                        .map(|_| ()),
                    // TTFT (i mod 300) + 0.5 and E2E TTFT + (i mod 900), nulls every 5th row.
                    9 | 10 => {
                        let defs: Vec<i16> = rows.iter().map(|&i| i16::from(i % 5 != 0)).collect();
                        let vals: Vec<f64> = rows
                            .iter()
                            .filter(|&&i| i % 5 != 0)
                            .map(|&i| {
                                (i % 300) as f64
                                    + 0.5
                                    + if col == 10 { (i % 900) as f64 } else { 0.0 }
                            })
                            .collect();
                        c.typed::<DoubleType>()
                            .write_batch(&vals, Some(&defs), None)
                            .map(|_| ())
                    }
                    11 => bytes(
                        &mut c,
                        text(&|i| {
                            [
                                None,
                                Some("OK"),
                                Some("ok"),
                                Some("error"),
                                Some(" timeout"),
                                Some(""),
                            ][i % 6]
                        }),
                        false,
                    ),
                    12 => {
                        let defs: Vec<i16> = rows.iter().map(|&i| i16::from(i % 4 != 0)).collect();
                        let vals: Vec<i64> = rows
                            .iter()
                            .filter(|&&i| i % 4 != 0)
                            .map(|&i| (i % 3) as i64)
                            .collect();
                        c.typed::<Int64Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .map(|_| ())
                    }
                    13 => bytes(
                        &mut c,
                        text(&|i| {
                            [
                                Some("pass"),
                                Some("FAIL"),
                                Some("unknown"),
                                None,
                                Some("true"),
                            ][i % 5]
                        }),
                        false,
                    ),
                    14 => {
                        let defs: Vec<i16> = rows.iter().map(|&i| i16::from(i % 7 != 0)).collect();
                        let vals: Vec<bool> = rows
                            .iter()
                            .filter(|&&i| i % 7 != 0)
                            .map(|&i| i % 2 == 0)
                            .collect();
                        c.typed::<BoolType>()
                            .write_batch(&vals, Some(&defs), None)
                            .map(|_| ())
                    }
                    _ => {
                        let defs: Vec<i16> = rows.iter().map(|&i| i16::from(i % 6 != 0)).collect();
                        let vals: Vec<i64> = rows
                            .iter()
                            .filter(|&&i| i % 6 != 0)
                            .map(|&i| i as i64 * 7)
                            .collect();
                        c.typed::<Int64Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .map(|_| ())
                    }
                }
                .unwrap_or_else(|e| panic!("{e}"));
                c.close().unwrap_or_else(|e| panic!("{e}"));
                col += 1;
            }
            rg.close().unwrap_or_else(|e| panic!("{e}"));
        }
        w.close().unwrap_or_else(|e| panic!("{e}"));
    }

    fn import_as(
        path: &Path,
        mapping: &ColumnMapping,
        threads: usize,
        columnar: bool,
    ) -> Aggregate {
        let mut source = ParquetSource::open(path, mapping).unwrap_or_else(|e| panic!("{e}"));
        if !columnar {
            source = source.row_by_row();
        }
        let options = ImportOptions {
            threads,
            chunk_bytes: 1,
            aggregate: AggregateSettings {
                exact_below: 1_000,
                max_row_errors: 3,
            },
            verdicts: None,
        };
        super::super::pipeline::run(
            source,
            &options,
            false,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn columnar_batches_count_as_rows_do() {
        let dir = std::env::temp_dir().join(format!("lcpr-pq-columnar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        // Row groups of 5,000 (batches 0..4096 and 4096..5000), 4,096 and 3,000 rows; rows
        // 4,500, 10,000 and 10,001 are broken, so of the four batches only 0..4096 and the
        // second group are counted column-wise.
        let groups = [5_000, 4_096, 3_000];
        let broken = |i: usize| matches!(i, 4_500 | 10_000 | 10_001);
        let dict = dir.join("dict.parquet");
        write_wide(&dict, &groups, &broken, WriterProperties::default());
        let plain = dir.join("plain.parquet");
        write_wide(
            &plain,
            &groups,
            &broken,
            WriterProperties::builder()
                .set_dictionary_enabled(false)
                .build(),
        );
        let canonical = ColumnMapping::canonical();
        let mut inclusive = ColumnMapping::canonical();
        inclusive.convention = UsageConvention::OpenaiInclusive;
        for mapping in [&canonical, &inclusive] {
            let rows = import_as(&dict, mapping, 1, false);
            assert_eq!(import_as(&dict, mapping, 1, true), rows);
            assert_eq!(import_as(&dict, mapping, 2, true), rows);
            assert_eq!(import_as(&plain, mapping, 1, true), rows);
            assert_eq!(import_as(&plain, mapping, 2, false), rows);
            assert_eq!(rows.rows_read, 12_096);
        }
        let rows = import_as(&dict, &canonical, 1, true);
        assert_eq!(rows.rows_broken, 3);
        let errors: Vec<String> = rows.row_errors.iter().map(ToString::to_string).collect();
        // Rows are numbered from 1: index 4,500 is row 4,501.
        assert_eq!(
            errors,
            vec![
                "row 4501: uncached_input_tokens (input_tokens) must be ≥ 0, got -1".to_owned(),
                "row 10001: uncached_input_tokens (input_tokens) must be ≥ 0, got -1".to_owned(),
                "row 10002: uncached_input_tokens (input_tokens) must be ≥ 0, got -1".to_owned(),
            ]
        );
        // Padded " a " counts as workload "a": 2 of every 3 rows.
        let a: u64 = rows.workloads["a"]
            .values()
            .map(|d| d.counters.attempts)
            .sum();
        assert_eq!(a, 8_064 - 2);
        // Under the inclusive convention cache reads above the input break rows too: i mod 1000
        // below i mod 50 never happens, but equal is allowed, so only the three stay broken.
        assert_eq!(import_as(&dict, &inclusive, 1, true).rows_broken, 3);
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn columnar_path_counts_clean_batches_and_leaves_the_rest() {
        let dir = std::env::temp_dir().join(format!("lcpr-pq-batches-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("t.parquet");
        write_wide(
            &path,
            &[100, 100],
            &|i| i == 150,
            WriterProperties::default(),
        );
        let source = ParquetSource::open(&path, &ColumnMapping::canonical())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut decoder = source.decoder().unwrap_or_else(|e| panic!("{e}"));
        let mut agg = Aggregate::new(AggregateSettings::default());
        let held = |d: &ParquetDecoder| d.columnar.as_ref().map(|c| c.rows.len());
        assert_eq!(decoder.decode(&mut 0, 1, &mut agg).ok(), Some(100));
        assert_eq!(held(&decoder), Some(100));
        assert_eq!(decoder.decode(&mut 1, 101, &mut agg).ok(), Some(100));
        assert_eq!(held(&decoder), Some(0));
        assert_eq!((agg.rows_read, agg.rows_broken), (200, 1));
        // A mapping with two sources for a field is read row by row.
        let mut two = ColumnMapping::canonical();
        two.columns.push(crate::document::mapping::ColumnRule {
            source: "provider".to_owned(),
            field: CanonicalField::Model,
        });
        let source = ParquetSource::open(&path, &two).unwrap_or_else(|e| panic!("{e}"));
        let decoder = source.decoder().unwrap_or_else(|e| panic!("{e}"));
        assert!(decoder.columnar.is_none());
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn hybrid_reads_bit_packed_and_repeated_runs() {
        // Width 3: one group of 0..7 bit-packed (the format's own example bytes 0x88 0xC6 0xFA),
        // then the value 4 repeated 5 times.
        let buf = [3, 0x88, 0xC6, 0xFA, 10, 4];
        let mut h = Hybrid::new(0, buf.len(), 3).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<u32> = (0..13)
            .map(|_| h.get(&buf).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(got, vec![0, 1, 2, 3, 4, 5, 6, 7, 4, 4, 4, 4, 4]);
        assert!(h.get(&buf).is_err());
        // A bit-packed run longer than its data is refused, not read past.
        let short = [3, 0x88];
        let mut h = Hybrid::new(0, short.len(), 3).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.get(&short).is_err());
        // Width 0 holds only zeros, without data bytes, however long the run.
        let zeros = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        let mut h = Hybrid::new(0, zeros.len(), 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.get(&zeros).ok(), Some(0));
        assert!(Hybrid::new(0, 1, 33).is_err());
    }
}
