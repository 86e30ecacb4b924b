//! The import loop: one reader cuts the input into chunks, workers turn chunks into partial
//! aggregates, and the partials are merged.
//!
//! The calling thread reads and cuts (cheap: I/O and a scan for record ends) and hands chunks
//! through a bounded channel to the workers, one per core, each owning its partial aggregate;
//! so at most a few chunks are in memory at once. Where cutting is next to free (a Parquet row
//! group is a number), the calling thread decodes too, in place of one worker. Chunks carry
//! the number of their first row, so row numbers do not depend on which worker took them.
//! Because aggregates merge exactly (see [`super::aggregate`]), the result equals a
//! single-threaded run's.
//!
//! Cancellation is checked before each chunk, by the reader and by the workers; a cancelled or
//! failed import returns an error and no aggregate, so nothing half-done escapes.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::aggregate::Aggregate;
use super::dedupe::{Seen, SeenHandle};
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
    /// About how many rows the input holds, when the source can tell before reading it all
    /// (0 otherwise): the duplicate set is sized from it once instead of growing.
    fn rows_hint(&self) -> u64 {
        0
    }
    /// Takes back a payload the workers are done with, so its memory is reused.
    fn recycle(&mut self, _payload: Self::Payload) {}
    /// Whether cutting a chunk costs next to nothing (naming a Parquet row group), so the
    /// calling thread decodes chunks too, in place of one worker: one thread fewer holding its
    /// own allocator arena of freed decode buffers (about 5 MiB on a Parquet import).
    fn cuts_cheaply(&self) -> bool {
        false
    }
}

/// Turns a chunk's payload into rows, counted into an aggregate.
pub(crate) trait Decoder {
    /// The payload it reads.
    type Payload;
    /// Decodes `payload`, whose first row is `first_row`, into `into`; returns the rows read.
    /// The payload goes back to the source afterwards (see [`Source::recycle`]).
    fn decode(
        &mut self,
        payload: &mut Self::Payload,
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

/// Runs an import to its merged, normalized aggregate; with `quick`, duplicates are looked for
/// with the quick set (see [`super::dedupe`]), and a repeated attempt ends the run with
/// [`ImportError::Repeated`].
pub(crate) fn run<S: Source>(
    mut source: S,
    options: &ImportOptions,
    quick: bool,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Aggregate, ImportError> {
    let total = source.bytes_total();
    let workers = threads(options).max(1);
    // One set of the attempts seen, so a duplicate is found whichever workers its copies reach.
    let seen = SeenHandle::new(Arc::new(if quick {
        Seen::quick(source.rows_hint())
    } else {
        Seen::default()
    }));
    let outcome = if workers == 1 {
        one_thread(&mut source, options, &seen, progress, cancel)
    } else {
        parallel(&mut source, workers, options, &seen, progress, cancel)
    };
    let mut merged = match outcome {
        Err(e @ (ImportError::Cancelled | ImportError::Worker)) => return Err(e),
        // A repeat met before any other failure may make that failure another one (a
        // conflicting copy), so the full set's read decides.
        outcome => {
            seen.finish(workers)?;
            outcome?
        }
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

/// Decodes every chunk on the calling thread.
fn one_thread<S: Source>(
    source: &mut S,
    options: &ImportOptions,
    seen: &SeenHandle,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Aggregate, ImportError> {
    let total = source.bytes_total();
    let mut decoder = source.decoder()?;
    let mut agg = partial(options, seen);
    let mut rows = 0;
    while let Some(mut chunk) = source.next_chunk()? {
        if cancel.load(Ordering::Relaxed) {
            return Err(ImportError::Cancelled);
        }
        rows += decoder.decode(&mut chunk.payload, chunk.first_row, &mut agg)?;
        source.recycle(chunk.payload);
        progress(Progress {
            rows_done: rows,
            bytes_done: chunk.bytes_done,
            bytes_total: total,
        });
    }
    agg.seen.flush()?;
    Ok(agg)
}

/// An empty partial aggregate for one decoding thread, checking duplicates against `seen`.
fn partial(options: &ImportOptions, seen: &SeenHandle) -> Aggregate {
    Aggregate::sharing(options.aggregate, seen).with_verdicts(options.verdicts.clone())
}

fn parallel<S: Source>(
    source: &mut S,
    workers: usize,
    options: &ImportOptions,
    seen: &SeenHandle,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Aggregate, ImportError> {
    let total = source.bytes_total();
    // The calling thread's own decoder and partial, when it decodes too.
    let mut own = if source.cuts_cheaply() {
        Some((source.decoder()?, partial(options, seen)))
    } else {
        None
    };
    let spawned = workers - usize::from(own.is_some());
    let decoders = (0..spawned)
        .map(|_| source.decoder())
        .collect::<Result<Vec<_>, _>>()?;
    let (sender, receiver) = mpsc::sync_channel::<Chunk<S::Payload>>(spawned * 2);
    // Only the workers hold the receiver: if they all stop, however they stop, it is dropped
    // and the reader's next send fails instead of waiting forever. (A calling thread that
    // decodes too holds it as well, but never waits to send.)
    let receiver = Arc::new(Mutex::new(receiver));
    // Spent payloads come back to the reader, which reuses their memory for the next chunks;
    // so an import holds a fixed set of buffers instead of allocating one per chunk.
    let (spent, returned) = mpsc::channel::<S::Payload>();
    let rows_done = AtomicU64::new(0);
    // The first row of the earliest chunk that failed (u64::MAX while none has): the reader
    // stops, and the workers skip later chunks but still decode earlier ones, so the error
    // reported is the lowest row's whatever the thread timing.
    let stop_after = AtomicU64::new(u64::MAX);
    std::thread::scope(|scope| {
        let handles: Vec<_> = decoders
            .into_iter()
            .map(|mut decoder| {
                let receiver = Arc::clone(&receiver);
                let spent = spent.clone();
                let (rows_done, stop_after) = (&rows_done, &stop_after);
                scope.spawn(move || {
                    let mut agg = partial(options, seen);
                    let mut outcome = Ok(());
                    loop {
                        let next = match receiver.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(mut chunk) = next else { break };
                        if outcome.is_err() || chunk.first_row > stop_after.load(Ordering::Relaxed)
                        {
                            continue;
                        }
                        if cancel.load(Ordering::Relaxed) {
                            outcome = Err(ImportError::Cancelled);
                            stop_after.store(0, Ordering::Relaxed);
                            continue;
                        }
                        let first_row = chunk.first_row;
                        match decoder.decode(&mut chunk.payload, first_row, &mut agg) {
                            Ok(n) => {
                                rows_done.fetch_add(n, Ordering::Relaxed);
                                // The reader may have stopped already; then it is dropped.
                                let _ = spent.send(chunk.payload);
                            }
                            Err(e) => {
                                outcome = Err(e);
                                stop_after.fetch_min(first_row, Ordering::Relaxed);
                            }
                        }
                    }
                    // The last keys of the quick set, before the partial counts for anything.
                    outcome.and_then(|()| agg.seen.flush()).map(|()| agg)
                })
            })
            .collect();
        // A thread that decodes too keeps a hold on the queue, to take back the chunks still
        // queued once the input is all cut instead of leaving them to one worker.
        let queued = own.as_ref().map(|_| Arc::clone(&receiver));
        drop(receiver);
        drop(spent);
        let mut read = Ok(());
        let mut cut_all = false;
        loop {
            while let Ok(payload) = returned.try_recv() {
                source.recycle(payload);
            }
            if cancel.load(Ordering::Relaxed) {
                read = Err(ImportError::Cancelled);
                stop_after.store(0, Ordering::Relaxed);
                break;
            }
            if stop_after.load(Ordering::Relaxed) < u64::MAX {
                break;
            }
            // The chunk this thread decodes itself, if any.
            let left = if cut_all {
                // A queue held by a worker waiting on it is empty.
                let taken = queued.as_ref().and_then(|q| match q.try_lock() {
                    Ok(q) => q.try_recv().ok(),
                    Err(_) => None,
                });
                match taken {
                    Some(chunk) => Some(chunk),
                    None => break,
                }
            } else {
                match source.next_chunk() {
                    Ok(Some(chunk)) => {
                        progress(Progress {
                            rows_done: rows_done.load(Ordering::Relaxed),
                            bytes_done: chunk.bytes_done,
                            bytes_total: total,
                        });
                        // A thread that decodes too hands a chunk on only while a worker is free.
                        match own {
                            Some(_) => match sender.try_send(chunk) {
                                Ok(()) => None,
                                Err(mpsc::TrySendError::Full(chunk)) => Some(chunk),
                                Err(mpsc::TrySendError::Disconnected(_)) => break,
                            },
                            None => match sender.send(chunk) {
                                Ok(()) => None,
                                Err(_) => break,
                            },
                        }
                    }
                    Ok(None) if own.is_some() => {
                        cut_all = true;
                        continue;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        // The chunks already sent are still decoded: an error in one of them
                        // is earlier in the file than this one.
                        read = Err(e);
                        break;
                    }
                }
            };
            if let (Some(mut chunk), Some((decoder, agg))) = (left, own.as_mut()) {
                let first_row = chunk.first_row;
                // A decoder that panics fails the import as a worker's would, rather than
                // unwinding through the caller.
                let decoded = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    decoder.decode(&mut chunk.payload, first_row, agg)
                }))
                .unwrap_or(Err(ImportError::Worker));
                match decoded {
                    Ok(n) => {
                        rows_done.fetch_add(n, Ordering::Relaxed);
                        source.recycle(chunk.payload);
                    }
                    Err(e) => {
                        read = Err(e);
                        stop_after.fetch_min(first_row, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        drop(queued);
        drop(sender);
        let mut merged: Option<Aggregate> = None;
        if let (Ok(()), Some((_, mut agg))) = (&read, own) {
            match agg.seen.flush() {
                Ok(()) => merged = Some(agg),
                Err(e) => read = Err(e),
            }
        }
        let mut errors: Vec<ImportError> = read.err().into_iter().collect();
        for handle in handles {
            match handle.join() {
                Ok(Ok(partial)) => match merged.as_mut() {
                    None => merged = Some(partial),
                    Some(m) => {
                        if let Err(e) = m.merge(partial) {
                            errors.push(e);
                        }
                    }
                },
                Ok(Err(e)) => errors.push(e),
                Err(_) => errors.push(ImportError::Worker),
            }
        }
        // A crashed worker first, then the lowest row, then the reader's own error.
        let first_error = errors.into_iter().min_by_key(|e| match e {
            ImportError::Worker => 0,
            e => e.row().unwrap_or(u64::MAX),
        });
        match (first_error, merged) {
            (Some(e), _) => Err(e),
            (None, Some(m)) => Ok(m),
            (None, None) => {
                Ok(Aggregate::new(options.aggregate).with_verdicts(options.verdicts.clone()))
            }
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
        payload: &mut RowBatch,
        _first_row: u64,
        into: &mut Aggregate,
    ) -> Result<u64, ImportError> {
        let n = payload.len() as u64;
        for row in payload.drain(..) {
            into.record(row)?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::traces::aggregate::AggregateSettings;
    use crate::evidence::traces::trace_row::RowError;

    /// Chunks 1..=n, each one broken row; the decoder fails (or panics) on chunk `bad`.
    struct Numbers {
        next: u64,
        n: u64,
        bad: u64,
        panic: bool,
        /// Whether the calling thread decodes too.
        cheap: bool,
    }

    struct Counter {
        bad: u64,
        panic: bool,
    }

    impl Decoder for Counter {
        type Payload = u64;

        fn decode(
            &mut self,
            &mut k: &mut u64,
            first_row: u64,
            into: &mut Aggregate,
        ) -> Result<u64, ImportError> {
            if k == self.bad {
                if self.panic {
                    panic!("decoder fault on chunk {k}");
                }
                return Err(ImportError::Overflow(format!("chunk {k}")));
            }
            into.add_error(RowError::record(first_row, "bad"));
            Ok(1)
        }
    }

    impl Source for Numbers {
        type Payload = u64;
        type Decoder = Counter;

        fn decoder(&self) -> Result<Counter, ImportError> {
            Ok(Counter {
                bad: self.bad,
                panic: self.panic,
            })
        }

        fn next_chunk(&mut self) -> Result<Option<Chunk<u64>>, ImportError> {
            if self.next >= self.n {
                return Ok(None);
            }
            self.next += 1;
            Ok(Some(Chunk {
                payload: self.next,
                first_row: self.next,
                bytes_done: self.next,
            }))
        }

        fn bytes_total(&self) -> u64 {
            self.n
        }

        fn cuts_cheaply(&self) -> bool {
            self.cheap
        }
    }

    fn run_numbers(
        bad: u64,
        panic: bool,
        threads: usize,
        cheap: bool,
    ) -> Result<Aggregate, ImportError> {
        let options = ImportOptions {
            threads,
            chunk_bytes: 1,
            aggregate: AggregateSettings {
                exact_below: 0,
                max_row_errors: 5,
            },
            verdicts: None,
        };
        let source = Numbers {
            next: 0,
            n: 10_000,
            bad,
            panic,
            cheap,
        };
        run(
            source,
            &options,
            false,
            &mut |_| {},
            &AtomicBool::new(false),
        )
    }

    #[test]
    fn counts_every_chunk_on_any_number_of_threads() {
        for (threads, cheap) in [1, 2, 4].into_iter().flat_map(|t| [(t, false), (t, true)]) {
            let agg = run_numbers(0, false, threads, cheap).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((agg.rows_read, agg.rows_broken), (10_000, 10_000));
            let rows: Vec<u64> = agg.row_errors.iter().map(|e| e.row).collect();
            assert_eq!(rows, vec![1, 2, 3, 4, 5]);
        }
    }

    #[test]
    fn a_failing_worker_fails_the_import_without_hanging() {
        for (threads, cheap) in [1, 2, 3].into_iter().flat_map(|t| [(t, false), (t, true)]) {
            let r = run_numbers(37, false, threads, cheap);
            assert_eq!(
                r.err(),
                Some(ImportError::Overflow("chunk 37".into())),
                "threads {threads}, cheap {cheap}"
            );
        }
        for cheap in [false, true] {
            assert_eq!(
                run_numbers(5, true, 2, cheap).err(),
                Some(ImportError::Worker)
            );
        }
    }
}
