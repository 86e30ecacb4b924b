//! Parquet pages read directly: the RLE / bit-packed hybrid of levels and dictionary
//! indices, and string column chunks whose rows are dictionary indices or ranges of a held
//! page, so no value is copied per row.

use super::*;

/// Parquet's RLE / bit-packed hybrid encoding, as definition levels and dictionary indices
/// use it, read from `pos` up to `end` of a page buffer that the caller passes to each call.
#[derive(Debug, Default)]
pub(super) struct Hybrid {
    pub(super) pos: usize,
    pub(super) end: usize,
    pub(super) width: u32,
    /// Values left in the current run.
    pub(super) left: usize,
    /// The repeated value of a run-length run.
    pub(super) value: u32,
    /// The unpacked values of a bit-packed run, and the next one to hand out.
    pub(super) literal: Vec<u32>,
    pub(super) next: usize,
    pub(super) packed: bool,
}

pub(super) fn malformed(what: &str) -> ParquetError {
    ParquetError::General(format!("malformed page: {what}"))
}

impl Hybrid {
    pub(super) fn new(pos: usize, end: usize, width: u32) -> Result<Self, ParquetError> {
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

    pub(super) fn byte(&mut self, buf: &[u8]) -> Result<u8, ParquetError> {
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

    pub(super) fn start_run(&mut self, buf: &[u8]) -> Result<(), ParquetError> {
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
    pub(super) fn get(&mut self, buf: &[u8]) -> Result<u32, ParquetError> {
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
pub(super) enum TextRef {
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
pub(super) enum DictEntry {
    Text(u32, u32),
    Raw(u32, u32),
}

#[derive(Debug, Default)]
pub(super) enum ValueState {
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
pub(super) struct TextPages {
    pub(super) pages: Box<dyn PageReader>,
    pub(super) max_def: i16,
    pub(super) dict_text: String,
    pub(super) dict_raw: Vec<u8>,
    pub(super) dict: Vec<DictEntry>,
    /// The data pages the batch's values lie in; the last one is being read.
    pub(super) held: Vec<Page>,
    /// Rows left in the page being read.
    pub(super) left: usize,
    pub(super) defs: Hybrid,
    pub(super) values: ValueState,
    pub(super) refs: Vec<TextRef>,
    /// Dictionaries loaded so far, so a reader of `dict` can tell when it changed.
    pub(super) generation: u32,
}

impl TextPages {
    /// True when every encoding a column chunk lists is one this reader reads.
    pub(super) fn reads(encodings: impl Iterator<Item = Encoding>) -> bool {
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

    pub(super) fn new(pages: Box<dyn PageReader>, max_def: i16) -> Self {
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
            generation: 0,
        }
    }

    pub(super) fn load_dictionary(&mut self, buf: &[u8], n: u32) -> Result<(), ParquetError> {
        self.dict_text.clear();
        self.dict_raw.clear();
        self.dict.clear();
        self.generation = self.generation.wrapping_add(1);
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
    pub(super) fn next_page(&mut self) -> Result<bool, ParquetError> {
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
    pub(super) fn read(&mut self, max: usize) -> Result<usize, ParquetError> {
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
            if self.max_def == 0
                && let ValueState::Dict(h) = &mut self.values
            {
                // Without nulls, rows are the dictionary indices themselves: copied a run at a
                // time rather than fetched one call per row.
                let dict = self.dict.len();
                let mut k = n;
                while k > 0 {
                    if h.left == 0 {
                        h.start_run(buf)?;
                    }
                    let take = k.min(h.left);
                    let out_of_range = || malformed("dictionary index out of range");
                    if h.packed {
                        let run = h
                            .literal
                            .get(h.next..h.next + take)
                            .ok_or_else(|| malformed("run shorter than its count"))?;
                        for &i in run {
                            if i as usize >= dict {
                                return Err(out_of_range());
                            }
                            self.refs.push(TextRef::Dict(i));
                        }
                        h.next += take;
                    } else {
                        if h.value as usize >= dict {
                            return Err(out_of_range());
                        }
                        self.refs
                            .extend(std::iter::repeat_n(TextRef::Dict(h.value), take));
                    }
                    h.left -= take;
                    k -= take;
                }
                self.left -= n;
                continue;
            }
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

    /// The text of dictionary entry `i`, or `None` when it is not UTF-8.
    pub(super) fn entry(&self, i: usize) -> Option<&str> {
        match *self.dict.get(i)? {
            DictEntry::Text(s, e) => self.dict_text.get(s as usize..e as usize),
            DictEntry::Raw(..) => None,
        }
    }

    /// Row `r`'s cell, or `None` for a null.
    #[inline]
    pub(super) fn cell(&self, r: usize) -> Option<Cell<'_>> {
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
pub(super) fn plain_value(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let len = buf
        .get(pos..pos + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)? as usize;
    let end = pos + 4 + len;
    Some((buf.get(pos + 4..end)?, end))
}

pub(super) fn unsupported(e: Encoding) -> ParquetError {
    ParquetError::General(format!("encoding {e} is not read by the importer"))
}
