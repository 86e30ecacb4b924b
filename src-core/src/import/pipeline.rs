//! The import loop: one reader cuts the input into chunks, workers turn chunks into partial
//! aggregates, and the partials are merged.
//!
//! The calling thread reads and cuts (cheap: I/O and a scan for record ends) and hands chunks
//! through a bounded channel to the workers, one per core, each owning its partial aggregate;
//! so at most a few chunks are in memory at once. Chunks carry the number of their first row,
//! so row numbers do not depend on which worker took them. Because aggregates merge exactly
//! (see [`super::aggregate`]), the result equals a single-threaded run's.
//!
//! Cancellation is checked before each chunk, by the reader and by the workers; a cancelled or
//! failed import returns an error and no aggregate, so nothing half-done escapes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

use super::aggregate::Aggregate;
use super::trace_row::{RowError, TraceRow};
use super::{ImportError, ImportOptions, Progress};

/// One unit of work: a payload and the number of its first row.
pub(crate) struct Chunk<P> {
    /// What the worker decodes.
    pub payload: P,
    /// 1-based number of the payload's first row.
    pub first_row: u64,
    /// Input bytes consumed once this chunk was cut.
    pub bytes_done: u64,
}

/// Cuts an input into chunks, on the calling thread.
pub(crate) trait Source {
    /// The payload of a chunk.
    type Payload: Send;
    /// Turns payloads into rows.
    type Decoder: Decoder<Payload = Self::Payload> + Send;

    /// A decoder for one worker.
    fn decoder(&self) -> Result<Self::Decoder, ImportError>;
    /// The next chunk, or `None` at the end of the input.
    fn next_chunk(&mut self) -> Result<Option<Chunk<Self::Payload>>, ImportError>;
    /// Size of the input in bytes, when known (0 otherwise).
    fn bytes_total(&self) -> u64;
}

/// Turns a chunk's payload into rows, counted into an aggregate.
pub(crate) trait Decoder {
    /// The payload it reads.
    type Payload;
    /// Decodes `payload`, whose first row is `first_row`, into `into`; returns the rows read.
    fn decode(
        &mut self,
        payload: Self::Payload,
        first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError>;
}

fn threads(options: &ImportOptions) -> usize {
    match options.threads {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
}

/// Runs an import to its merged, normalized aggregate.
pub(crate) fn run<S: Source>(
    mut source: S,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Aggregate, ImportError> {
    let total = source.bytes_total();
    let workers = threads(options).max(1);
    let mut merged = if workers == 1 {
        let mut decoder = source.decoder()?;
        let mut agg = Aggregate::new(options.aggregate);
        let mut rows = 0;
        while let Some(chunk) = source.next_chunk()? {
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Cancelled);
            }
            rows += decoder.decode(chunk.payload, chunk.first_row, &mut agg)?;
            progress(Progress {
                rows_done: rows,
                bytes_done: chunk.bytes_done,
                bytes_total: total,
            });
        }
        agg
    } else {
        parallel(&mut source, workers, options, progress, cancel)?
    };
    if cancel.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    merged.normalize();
    progress(Progress {
        rows_done: merged.rows_read,
        bytes_done: total,
        bytes_total: total,
    });
    Ok(merged)
}

fn parallel<S: Source>(
    source: &mut S,
    workers: usize,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Aggregate, ImportError> {
    let total = source.bytes_total();
    let decoders = (0..workers)
        .map(|_| source.decoder())
        .collect::<Result<Vec<_>, _>>()?;
    let (sender, receiver) = mpsc::sync_channel::<Chunk<S::Payload>>(workers * 2);
    let receiver = Mutex::new(receiver);
    let rows_done = AtomicU64::new(0);
    // Set by a worker that failed: the reader stops, the other workers drain and stop.
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let handles: Vec<_> = decoders
            .into_iter()
            .map(|mut decoder| {
                let (receiver, rows_done, failed) = (&receiver, &rows_done, &failed);
                scope.spawn(move || {
                    let mut agg = Aggregate::new(options.aggregate);
                    let mut outcome = Ok(());
                    loop {
                        let next = match receiver.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(chunk) = next else { break };
                        if outcome.is_err() || failed.load(Ordering::Relaxed) {
                            continue;
                        }
                        if cancel.load(Ordering::Relaxed) {
                            outcome = Err(ImportError::Cancelled);
                            failed.store(true, Ordering::Relaxed);
                            continue;
                        }
                        match decoder.decode(chunk.payload, chunk.first_row, &mut agg) {
                            Ok(n) => {
                                rows_done.fetch_add(n, Ordering::Relaxed);
                            }
                            Err(e) => {
                                outcome = Err(e);
                                failed.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    outcome.map(|()| agg)
                })
            })
            .collect();
        let mut read = Ok(());
        loop {
            if cancel.load(Ordering::Relaxed) {
                read = Err(ImportError::Cancelled);
                break;
            }
            if failed.load(Ordering::Relaxed) {
                break;
            }
            match source.next_chunk() {
                Ok(Some(chunk)) => {
                    let bytes_done = chunk.bytes_done;
                    if sender.send(chunk).is_err() {
                        break;
                    }
                    progress(Progress {
                        rows_done: rows_done.load(Ordering::Relaxed),
                        bytes_done,
                        bytes_total: total,
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        drop(sender);
        let mut merged: Option<Aggregate> = None;
        let mut first_error = read.err();
        for handle in handles {
            match handle.join() {
                Ok(Ok(partial)) => match merged.as_mut() {
                    None => merged = Some(partial),
                    Some(m) => {
                        if let Err(e) = m.merge(partial) {
                            first_error.get_or_insert(e);
                        }
                    }
                },
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(ImportError::Worker);
                }
            }
        }
        match (first_error, merged) {
            (Some(e), _) => Err(e),
            (None, Some(m)) => Ok(m),
            (None, None) => Ok(Aggregate::new(options.aggregate)),
        }
    })
}

/// Rows decoded on the reader's thread (OTLP, provider usage), to be counted by a worker.
pub(crate) type RowBatch = Vec<Result<TraceRow<'static>, RowError>>;

/// Rows per batch for readers that decode on the reader's thread.
pub(crate) const ROW_BATCH: usize = 4096;

/// Counts batches of already-decoded rows.
pub(crate) struct RowsDecoder;

impl Decoder for RowsDecoder {
    type Payload = RowBatch;

    fn decode(
        &mut self,
        payload: RowBatch,
        _first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let n = payload.len() as u64;
        for row in payload {
            into.record(row)?;
        }
        Ok(n)
    }
}
