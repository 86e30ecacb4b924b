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

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::{ConvertedType, Encoding, LogicalType, TimeUnit, Type as Physical};
use parquet::column::page::{Page, PageReader};
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

/// Parquet's RLE / bit-packed hybrid encoding, as definition levels and dictionary indices
/// use it, read from `pos` up to `end` of a page buffer that the caller passes to each call.
#[derive(Debug, Default)]
struct Hybrid {
    pos: usize,
    end: usize,
    width: u32,
    /// Values left in the current run.
    left: usize,
    /// The repeated value of a run-length run.
    value: u32,
    /// The unpacked values of a bit-packed run, and the next one to hand out.
    literal: Vec<u32>,
    next: usize,
    packed: bool,
}

fn malformed(what: &str) -> ParquetError {
    ParquetError::General(format!("malformed page: {what}"))
}

impl Hybrid {
    fn new(pos: usize, end: usize, width: u32) -> Result<Self, ParquetError> {
        if width > 32 {
            return Err(malformed("bit width above 32"));
        }
        Ok(Self {
            pos,
            end,
            width,
            ..Self::default()
        })
    }

    fn byte(&mut self, buf: &[u8]) -> Result<u8, ParquetError> {
        if self.pos >= self.end {
            return Err(malformed("run past the end of its data"));
        }
        let b = buf
            .get(self.pos)
            .copied()
            .ok_or_else(|| malformed("run past the end of the page"))?;
        self.pos += 1;
        Ok(b)
    }

    fn start_run(&mut self, buf: &[u8]) -> Result<(), ParquetError> {
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte(buf)?;
            header |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return Err(malformed("run header too long"));
            }
        }
        let count = usize::try_from(header >> 1).map_err(|_| malformed("run too long"))?;
        if count == 0 {
            return Err(malformed("empty run"));
        }
        if header & 1 == 0 || self.width == 0 {
            // A run of one value; at width 0 every value is 0, packed or not.
            let mut value = 0u32;
            for i in 0..self.width.div_ceil(8) {
                value |= u32::from(self.byte(buf)?) << (8 * i);
            }
            self.value = value;
            self.packed = false;
            self.left = if header & 1 == 0 {
                count
            } else {
                count.saturating_mul(8)
            };
        } else {
            // `count` groups of 8 values, `width` bytes per group, least significant bit first.
            let bytes = count
                .checked_mul(self.width as usize)
                .filter(|&b| b <= self.end.saturating_sub(self.pos))
                .ok_or_else(|| malformed("run past the end of its data"))?;
            let data = buf
                .get(self.pos..self.pos + bytes)
                .ok_or_else(|| malformed("run past the end of the page"))?;
            self.pos += bytes;
            let mask = (1u64 << self.width) - 1;
            let (mut acc, mut bits) = (0u64, 0u32);
            let mut it = data.iter();
            self.literal.clear();
            for _ in 0..count * 8 {
                while bits < self.width {
                    acc |= u64::from(it.next().copied().unwrap_or(0)) << bits;
                    bits += 8;
                }
                self.literal.push((acc & mask) as u32);
                acc >>= self.width;
                bits -= self.width;
            }
            self.next = 0;
            self.packed = true;
            self.left = count * 8;
        }
        Ok(())
    }

    #[inline]
    fn get(&mut self, buf: &[u8]) -> Result<u32, ParquetError> {
        if self.left == 0 {
            self.start_run(buf)?;
        }
        self.left -= 1;
        if self.packed {
            let v = self.literal.get(self.next).copied().unwrap_or(0);
            self.next += 1;
            Ok(v)
        } else {
            Ok(self.value)
        }
    }
}

/// Where a text value of the batch lies.
#[derive(Debug, Clone, Copy)]
enum TextRef {
    Null,
    /// An entry of the column chunk's dictionary.
    Dict(u32),
    /// Bytes `start..end` of held page `page`.
    Plain {
        page: u32,
        start: u32,
        end: u32,
    },
}

/// A dictionary entry: a range of the checked text, or of the raw bytes when not UTF-8.
#[derive(Debug, Clone, Copy)]
enum DictEntry {
    Text(u32, u32),
    Raw(u32, u32),
}

#[derive(Debug, Default)]
enum ValueState {
    #[default]
    Done,
    Plain(usize),
    Dict(Hybrid),
}

/// A string column read page by page, without the crate's value decoder.
///
/// The crate's reader hands out every dictionary-encoded value as a reference-counted copy of
/// its dictionary entry, paid for on every row; here rows of dictionary pages become indices,
/// and each dictionary entry is checked as UTF-8 once per column chunk. Only the encodings
/// writers use for strings are read (plain and dictionary values, RLE levels); a column chunk
/// that lists any other goes through the crate's reader instead (see [`TextPages::reads`]).
struct TextPages {
    pages: Box<dyn PageReader>,
    max_def: i16,
    dict_text: String,
    dict_raw: Vec<u8>,
    dict: Vec<DictEntry>,
    /// The data pages the batch's values lie in; the last one is being read.
    held: Vec<Page>,
    /// Rows left in the page being read.
    left: usize,
    defs: Hybrid,
    values: ValueState,
    refs: Vec<TextRef>,
}

impl TextPages {
    /// True when every encoding a column chunk lists is one this reader reads.
    fn reads(encodings: impl Iterator<Item = Encoding>) -> bool {
        let mut all = encodings.peekable();
        all.peek().is_some()
            && all.all(|e| {
                matches!(
                    e,
                    Encoding::PLAIN
                        | Encoding::PLAIN_DICTIONARY
                        | Encoding::RLE_DICTIONARY
                        | Encoding::RLE
                )
            })
    }

    fn new(pages: Box<dyn PageReader>, max_def: i16) -> Self {
        Self {
            pages,
            max_def,
            dict_text: String::new(),
            dict_raw: Vec::new(),
            dict: Vec::new(),
            held: Vec::new(),
            left: 0,
            defs: Hybrid::default(),
            values: ValueState::Done,
            refs: Vec::new(),
        }
    }

    fn load_dictionary(&mut self, buf: &[u8], n: u32) -> Result<(), ParquetError> {
        self.dict_text.clear();
        self.dict_raw.clear();
        self.dict.clear();
        let mut pos = 0;
        let short = || malformed("dictionary shorter than its value count");
        for _ in 0..n {
            let (value, after) = plain_value(buf, pos).ok_or_else(short)?;
            pos = after;
            let at = |len: usize| u32::try_from(len).map_err(|_| malformed("dictionary too large"));
            self.dict.push(match std::str::from_utf8(value) {
                Ok(s) => {
                    let start = at(self.dict_text.len())?;
                    self.dict_text.push_str(s);
                    DictEntry::Text(start, at(self.dict_text.len())?)
                }
                Err(_) => {
                    let start = at(self.dict_raw.len())?;
                    self.dict_raw.extend_from_slice(value);
                    DictEntry::Raw(start, at(self.dict_raw.len())?)
                }
            });
        }
        Ok(())
    }

    /// Moves to the next data page (loading a dictionary page on the way); false at the end.
    fn next_page(&mut self) -> Result<bool, ParquetError> {
        let width = 16 - self.max_def.leading_zeros();
        loop {
            let Some(page) = self.pages.get_next_page()? else {
                return Ok(false);
            };
            let (values_at, encoding, rows) = match &page {
                Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding,
                    ..
                } => {
                    if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                        return Err(unsupported(*encoding));
                    }
                    self.load_dictionary(buf, *num_values)?;
                    continue;
                }
                Page::DataPage {
                    buf,
                    num_values,
                    encoding,
                    def_level_encoding,
                    ..
                } => {
                    let mut at = 0;
                    if self.max_def > 0 {
                        if *def_level_encoding != Encoding::RLE {
                            return Err(unsupported(*def_level_encoding));
                        }
                        let len = buf
                            .get(0..4)
                            .and_then(|b| <[u8; 4]>::try_from(b).ok())
                            .map(u32::from_le_bytes)
                            .ok_or_else(|| malformed("no definition levels"))?;
                        at = 4 + len as usize;
                        self.defs = Hybrid::new(4, at, width)?;
                    }
                    (at, *encoding, *num_values)
                }
                Page::DataPageV2 {
                    num_values,
                    encoding,
                    def_levels_byte_len,
                    rep_levels_byte_len,
                    ..
                } => {
                    let start = *rep_levels_byte_len as usize;
                    let at = start + *def_levels_byte_len as usize;
                    if self.max_def > 0 {
                        self.defs = Hybrid::new(start, at, width)?;
                    }
                    (at, *encoding, *num_values)
                }
            };
            let buf = page.buffer();
            self.values = match encoding {
                Encoding::PLAIN => ValueState::Plain(values_at),
                Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
                    let width = buf.get(values_at).copied().map_or(0, u32::from);
                    ValueState::Dict(Hybrid::new(values_at + 1, buf.len(), width)?)
                }
                other => return Err(unsupported(other)),
            };
            self.left = rows as usize;
            self.held.push(page);
            return Ok(true);
        }
    }

    /// Reads up to `max` rows; returns how many.
    fn read(&mut self, max: usize) -> Result<usize, ParquetError> {
        self.refs.clear();
        // Earlier pages served earlier batches only.
        if self.held.len() > 1 {
            self.held.drain(..self.held.len() - 1);
        }
        while self.refs.len() < max {
            if self.left == 0 {
                if self.next_page()? {
                    continue;
                }
                break;
            }
            let (Some(page), Ok(page_no)) = (
                self.held.last(),
                u32::try_from(self.held.len().saturating_sub(1)),
            ) else {
                break;
            };
            let buf: &[u8] = page.buffer();
            let n = (max - self.refs.len()).min(self.left);
            for _ in 0..n {
                if self.max_def > 0 && self.defs.get(buf)? != self.max_def as u32 {
                    self.refs.push(TextRef::Null);
                    continue;
                }
                self.refs.push(match &mut self.values {
                    ValueState::Done => return Err(malformed("no values")),
                    ValueState::Plain(pos) => {
                        let (_, after) = plain_value(buf, *pos)
                            .ok_or_else(|| malformed("value past the page"))?;
                        let start =
                            u32::try_from(*pos + 4).map_err(|_| malformed("page too large"))?;
                        let end = u32::try_from(after).map_err(|_| malformed("page too large"))?;
                        *pos = after;
                        TextRef::Plain {
                            page: page_no,
                            start,
                            end,
                        }
                    }
                    ValueState::Dict(h) => {
                        let i = h.get(buf)?;
                        if i as usize >= self.dict.len() {
                            return Err(malformed("dictionary index out of range"));
                        }
                        TextRef::Dict(i)
                    }
                });
            }
            self.left -= n;
        }
        Ok(self.refs.len())
    }

    /// Row `r`'s cell, or `None` for a null.
    #[inline]
    fn cell(&self, r: usize) -> Option<Cell<'_>> {
        match *self.refs.get(r)? {
            TextRef::Null => None,
            TextRef::Dict(i) => match *self.dict.get(i as usize)? {
                DictEntry::Text(s, e) => Some(Cell::Text(Cow::Borrowed(
                    self.dict_text.get(s as usize..e as usize)?,
                ))),
                DictEntry::Raw(s, e) => {
                    Some(Cell::Bytes(self.dict_raw.get(s as usize..e as usize)?))
                }
            },
            // Checked as UTF-8 where the row reads it: such values (ids) rarely repeat.
            TextRef::Plain { page, start, end } => Some(Cell::Bytes(
                self.held
                    .get(page as usize)?
                    .buffer()
                    .get(start as usize..end as usize)?,
            )),
        }
    }
}

/// A PLAIN byte array at `pos`: the value and the position after it.
fn plain_value(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let len = buf
        .get(pos..pos + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)? as usize;
    let end = pos + 4 + len;
    Some((buf.get(pos + 4..end)?, end))
}

fn unsupported(e: Encoding) -> ParquetError {
    ParquetError::General(format!("encoding {e} is not read by the importer"))
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
    use crate::import::ImportOptions;
    use crate::import::aggregate::AggregateSettings;
    use parquet::data_type::ByteArray;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    fn write(path: &Path, groups: &[Vec<(i64, Option<i64>)>], props: WriterProperties) {
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
