//! Trace import: request-level traces (CSV, JSON Lines, OpenTelemetry GenAI spans, raw provider
//! usage objects, Parquet) into per-workload, per-day aggregates, priced from the workspace's
//! rate cards, and from those a dated baseline per workload and the anomaly findings between two
//! baselines.
//!
//! The path of a trace: a reader ([`csv`], [`jsonl`], [`otlp`], [`provider_usage`],
//! `parquet`) maps each record through a [`mapping::ColumnMapping`] to the canonical
//! [`trace_row::TraceRow`], checking it ([`trace_row::build_row`]); rows are counted into an
//! [`aggregate::Aggregate`] chunk by chunk on every core and merged; [`pricing`] prices the
//! aggregate's token sums; [`baseline`] derives a [`crate::document::Baseline`]; [`findings`]
//! compares two baselines.
//!
//! Imports never touch a workspace: they return a new aggregate (or an error, leaving nothing
//! behind when they fail or are cancelled), and the caller decides what to store.

pub mod aggregate;
pub mod baseline;
pub mod csv;
pub mod dedupe;
pub mod findings;
pub mod jsonl;
pub mod otlp;
#[cfg(feature = "parquet")]
pub mod parquet;
mod pipeline;
pub mod pricing;
pub mod provider_usage;
pub mod sketch;
pub mod trace_row;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::document::RateCard;
use crate::document::mapping::ColumnMapping;
use crate::error::InputError;
use aggregate::{Aggregate, AggregateSettings};

/// Why an import produced no aggregate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The mapping, the header or the file's structure breaks a rule.
    #[error("{0}")]
    Input(#[from] InputError),
    /// The input could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file, or `input` for a stream.
        path: String,
        /// What the system said.
        message: String,
    },
    /// A total outgrew its type (beyond any real trace).
    #[error("{0} is too large to add up exactly")]
    Overflow(String),
    /// The reader lost its place in the file (a stray quote, a quoted field never closed):
    /// where the rows after `row` start cannot be told, so the whole import stops.
    #[error(
        "row {row}, {column}: {rule}; the rows after it cannot be told apart, so nothing was imported — {fix}"
    )]
    LostSync {
        /// 1-based row number of the record where the reader lost its place.
        row: u64,
        /// The column (`column NAME`, or `field N` past the header's width).
        column: String,
        /// What broke.
        rule: String,
        /// How to repair the file.
        fix: String,
    },
    /// Two rows carry the same request id (and attempt) with different values.
    #[error(
        "rows {first} and {second}: request id {request_id:?} (attempt {attempt}) appears twice with different values, so nothing was imported — keep the right one, or give a retry its own attempt number"
    )]
    ConflictingDuplicate {
        /// The request id.
        request_id: String,
        /// Its attempt index.
        attempt: u32,
        /// The earlier row.
        first: u64,
        /// The later row.
        second: u64,
    },
    /// A quick read met some request id and attempt twice (see [`dedupe`]). Only a read that
    /// can start again uses the quick set, and it does start again, with the full one: this
    /// never leaves [`Import`].
    #[error("a request id and attempt comes twice; the file is read again to compare the rows")]
    Repeated,
    /// The caller cancelled the import.
    #[error("the import was cancelled")]
    Cancelled,
    /// A worker thread stopped unexpectedly.
    #[error("an import worker stopped unexpectedly")]
    Worker,
}

impl ImportError {
    /// The row an error is about, when it is about one: of several failures in a parallel
    /// import, the one with the lowest row is reported, so the message does not depend on
    /// thread timing.
    #[must_use]
    pub fn row(&self) -> Option<u64> {
        match self {
            Self::LostSync { row, .. } => Some(*row),
            Self::ConflictingDuplicate { second, .. } => Some(*second),
            _ => None,
        }
    }

    pub(crate) fn io(path: &str, e: &std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

/// How an import runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// Worker threads; 0 uses every core.
    pub threads: usize,
    /// Bytes per chunk of text input (a chunk grows to hold a longer record).
    pub chunk_bytes: usize,
    /// Raw-value limit and kept broken rows.
    pub aggregate: AggregateSettings,
    /// Quality verdicts from an eval file (pass = true) by request id, given to rows whose
    /// source carries none (spans, provider bodies); a verdict in the row itself wins.
    #[serde(skip)]
    pub verdicts: Option<Arc<aggregate::Verdicts>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            chunk_bytes: 1 << 20,
            aggregate: AggregateSettings::default(),
            verdicts: None,
        }
    }
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Records decoded so far.
    pub rows_done: u64,
    /// Input bytes read so far.
    pub bytes_done: u64,
    /// Input size in bytes (0 when unknown).
    pub bytes_total: u64,
}

/// The trace formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// OpenTelemetry trace export requests in OTLP JSON, one or more per file.
    Otlp,
    /// Provider responses or usage objects (OpenAI chat or Responses, Anthropic), one or more
    /// JSON objects per file.
    ProviderUsage,
    /// Apache Parquet (needs the `parquet` feature).
    Parquet,
}

/// How many bytes of a file [`Format::sniff`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The top-level keys that make a JSON object a provider response or usage object.
fn is_provider_body(object: &serde_json::Map<String, serde_json::Value>) -> bool {
    let kind = |key: &str, values: &[&str]| {
        object
            .get(key)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|v| values.contains(&v))
    };
    object
        .get("usage")
        .is_some_and(serde_json::Value::is_object)
        && (kind(
            "object",
            &["chat.completion", "response", "text_completion"],
        ) || kind("type", &["message"])
            || !object.contains_key("request_id"))
}

impl Format {
    /// The format a file name suggests: `.csv`, `.jsonl`/`.ndjson`, `.otlp.json`/`.otlp.jsonl`,
    /// `.usage.json`/`.usage.jsonl`, `.parquet`.
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let ends = |s: &str| name.ends_with(s);
        Some(if ends(".csv") {
            Self::Csv
        } else if ends(".otlp.json") || ends(".otlp.jsonl") {
            Self::Otlp
        } else if ends(".usage.json") || ends(".usage.jsonl") {
            Self::ProviderUsage
        } else if ends(".jsonl") || ends(".ndjson") {
            Self::Jsonl
        } else if ends(".parquet") {
            Self::Parquet
        } else {
            return None;
        })
    }

    /// The format a name states outright (`.csv`, `.otlp.json`, `.usage.jsonl`, `.parquet`):
    /// `.json`, `.jsonl` and `.ndjson` say only "JSON", which may be OTLP spans, provider
    /// bodies or generic lines, so those are sniffed.
    #[must_use]
    pub fn stated_by_name(path: &Path) -> Option<Self> {
        match Self::from_path(path) {
            Some(Self::Jsonl) | None => None,
            other => other,
        }
    }

    /// The format the first bytes of a file show: Parquet's magic; OTLP export requests
    /// (`resourceSpans` at the top of the first object — the Collector's file exporter writes
    /// one per line, or one pretty-printed); provider bodies (a `usage` object beside
    /// `object: chat.completion` / `type: message`, or with no `request_id`); other JSON
    /// objects as generic JSON Lines; text whose first line has a comma as CSV.
    #[must_use]
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"PAR1") {
            return Some(Self::Parquet);
        }
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with('{') {
            let first_line = text.lines().next().unwrap_or_default();
            if let Ok(serde_json::Value::Object(o)) =
                serde_json::from_str::<serde_json::Value>(first_line)
            {
                if o.contains_key("resourceSpans") || o.contains_key("resource_spans") {
                    return Some(Self::Otlp);
                }
                return Some(if is_provider_body(&o) {
                    Self::ProviderUsage
                } else {
                    Self::Jsonl
                });
            }
            // A pretty-printed document: its first key tells.
            let key = text
                .trim_start_matches('{')
                .trim_start()
                .split('"')
                .nth(1)
                .unwrap_or_default();
            return match key {
                "resourceSpans" | "resource_spans" => Some(Self::Otlp),
                _ => {
                    let whole = serde_json::from_str::<serde_json::Value>(text).ok()?;
                    whole
                        .as_object()
                        .filter(|o| is_provider_body(o))
                        .map(|_| Self::ProviderUsage)
                }
            };
        }
        let first_line = text.lines().next().unwrap_or_default();
        first_line.contains(',').then_some(Self::Csv)
    }

    /// The format named by `--format` (`csv`, `jsonl`, `otlp`, `provider_usage`, `parquet`).
    pub fn from_name(name: &str) -> Result<Self, String> {
        Ok(
            match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "csv" => Self::Csv,
                "jsonl" | "ndjson" => Self::Jsonl,
                "otlp" | "otlp_json" => Self::Otlp,
                "provider_usage" | "usage" => Self::ProviderUsage,
                "parquet" => Self::Parquet,
                other => {
                    return Err(format!(
                        "{other:?} is not a trace format: use csv, jsonl, otlp, provider_usage or parquet"
                    ));
                }
            },
        )
    }

    /// The format's name, as `--format` takes it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
            Self::Otlp => "otlp",
            Self::ProviderUsage => "provider_usage",
            Self::Parquet => "parquet",
        }
    }

    /// The format of the file at `path`: the one its name states, else the one its first
    /// bytes show; `Err` says why neither tells.
    pub fn detect(path: &Path) -> Result<Self, String> {
        if let Some(f) = Self::stated_by_name(path) {
            return Ok(f);
        }
        let mut head = Vec::new();
        File::open(path)
            .and_then(|f| f.take(SNIFF_BYTES as u64).read_to_end(&mut head))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::sniff(&head).ok_or_else(|| {
            format!(
                "{}: the format is clear neither from the name nor from the first bytes (OTLP `resourceSpans`, provider bodies with `usage`, JSON objects, CSV) — pass --format csv|jsonl|otlp|provider_usage|parquet",
                path.display()
            )
        })
    }
}

/// What a reader noticed beside the rows it gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReadNotes {
    /// Spans dropped because an earlier span had the same `gen_ai.response.id` and counts
    /// (two instrumentation layers tracing one call).
    pub duplicate_spans: u64,
}

/// One import: what to read, how to map and price it, how to run.
#[derive(Debug, Clone)]
pub struct Import<'a> {
    /// The input's format.
    pub format: Format,
    /// Source columns → canonical fields.
    pub mapping: &'a ColumnMapping,
    /// The workspace's rate cards, for pricing.
    pub cards: &'a [RateCard],
    /// Threads, chunk size, aggregate settings.
    pub options: ImportOptions,
}

impl Import<'_> {
    fn priced(&self, agg: Aggregate) -> Result<Aggregate, ImportError> {
        let mut agg = agg;
        pricing::price_in_place(&mut agg, self.cards)?;
        Ok(agg)
    }

    /// Imports `input`, a stream of `bytes_total` bytes (0 when unknown), and prices it.
    ///
    /// `progress` is called on the calling thread after each chunk; setting `cancel` stops the
    /// import with [`ImportError::Cancelled`]. Parquet needs a file: use [`Self::from_file`].
    pub fn from_reader<R: Read>(
        &self,
        input: R,
        bytes_total: u64,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<Aggregate, ImportError> {
        self.from_reader_noted(input, bytes_total, progress, cancel)
            .map(|(agg, _)| agg)
    }

    /// Pattern rules read JSON sources (span and service names, attributes, keys); a table's
    /// rows are read by column, so a pattern there would be silently ignored: refused instead.
    fn check_patterns(&self) -> Result<(), ImportError> {
        if matches!(self.format, Format::Csv | Format::Parquet) && !self.mapping.patterns.is_empty()
        {
            return Err(ImportError::Input(InputError::new(
                "mapping.patterns",
                format!(
                    "apply to OTLP spans, provider bodies and JSON Lines, not to {} files: map the column that holds the value, or set a constant (--workload)",
                    self.format.name()
                ),
            )));
        }
        Ok(())
    }

    /// [`Self::from_reader`], with what the reader noticed beside the rows.
    pub fn from_reader_noted<R: Read>(
        &self,
        input: R,
        bytes_total: u64,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<(Aggregate, ReadNotes), ImportError> {
        // A stream cannot be read twice: the full duplicate check from the start.
        self.read_noted(input, bytes_total, false, progress, cancel)
    }

    fn read_noted<R: Read>(
        &self,
        input: R,
        bytes_total: u64,
        quick: bool,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<(Aggregate, ReadNotes), ImportError> {
        let duplicates = Arc::new(AtomicU64::new(0));
        let agg = self.read(input, bytes_total, quick, progress, cancel, &duplicates)?;
        let notes = ReadNotes {
            duplicate_spans: duplicates.load(Ordering::Relaxed),
        };
        Ok((agg, notes))
    }

    fn read<R: Read>(
        &self,
        input: R,
        bytes_total: u64,
        quick: bool,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
        duplicates: &Arc<AtomicU64>,
    ) -> Result<Aggregate, ImportError> {
        self.check_patterns()?;
        let (mapping, options) = (self.mapping, &self.options);
        let agg = match self.format {
            Format::Csv => {
                let source = csv::CsvSource::new(input, bytes_total, mapping, options.chunk_bytes)?;
                pipeline::run(source, options, quick, progress, cancel)?
            }
            Format::Jsonl => {
                let source =
                    jsonl::JsonlSource::new(input, bytes_total, mapping, options.chunk_bytes)?;
                pipeline::run(source, options, quick, progress, cancel)?
            }
            Format::Otlp => {
                let source = otlp::OtlpSource::new(input, bytes_total, mapping)?
                    .counting_duplicates(Arc::clone(duplicates));
                pipeline::run(source, options, quick, progress, cancel)?
            }
            Format::ProviderUsage => {
                let source = provider_usage::UsageSource::new(input, bytes_total, mapping)?;
                pipeline::run(source, options, quick, progress, cancel)?
            }
            Format::Parquet => {
                return Err(ImportError::Input(InputError::new(
                    "format",
                    "parquet must be imported from a file",
                )));
            }
        };
        self.priced(agg)
    }

    /// Imports the file at `path`; see [`Self::from_reader`].
    pub fn from_file(
        &self,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<Aggregate, ImportError> {
        self.from_file_noted(path, progress, cancel)
            .map(|(agg, _)| agg)
    }

    /// [`Self::from_file`], with what the reader noticed beside the rows.
    ///
    /// A file is read first with the quick duplicate check, and again with the full one only
    /// when some request id and attempt comes twice (see [`dedupe`]); progress then starts over.
    pub fn from_file_noted(
        &self,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<(Aggregate, ReadNotes), ImportError> {
        match self.file_pass(path, true, progress, cancel) {
            Err(ImportError::Repeated) => self.file_pass(path, false, progress, cancel),
            done => done,
        }
    }

    fn file_pass(
        &self,
        path: &Path,
        quick: bool,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<(Aggregate, ReadNotes), ImportError> {
        let shown = path.display().to_string();
        if self.format == Format::Parquet {
            // Text formats are checked in `read`; Parquet does not go through it.
            self.check_patterns()?;
            #[cfg(feature = "parquet")]
            {
                let mut source = parquet::ParquetSource::open(path, self.mapping)?;
                // Verdicts join row by row, by request id.
                if self.options.verdicts.is_some() {
                    source = source.row_by_row();
                }
                let agg = pipeline::run(source, &self.options, quick, progress, cancel)?;
                return Ok((self.priced(agg)?, ReadNotes::default()));
            }
            #[cfg(not(feature = "parquet"))]
            {
                let _ = quick;
                return Err(ImportError::Input(InputError::new(
                    "format",
                    "parquet needs lcpr-core built with the `parquet` feature",
                )));
            }
        }
        let file = File::open(path).map_err(|e| ImportError::io(&shown, &e))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.read_noted(file, size, quick, progress, cancel)
            .map_err(|e| match e {
                ImportError::Io { message, .. } => ImportError::Io {
                    path: shown.clone(),
                    message,
                },
                other => other,
            })
    }
}
