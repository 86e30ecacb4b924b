//! Duplicate attempts: the same request id and attempt seen twice.
//!
//! An exact duplicate (every canonical field equal) is a row written twice — a file
//! concatenated with itself, an exporter that retried a batch — and is dropped and counted. A
//! duplicate whose values differ cannot be resolved by the importer (which copy is right?), so
//! it refuses the import naming both rows.
//!
//! One set is shared by every worker of an import, so a duplicate is found whichever chunks the
//! two copies land in. It keeps 16 bytes per distinct attempt (a 64-bit hash of the id and
//! attempt, a 32-bit hash of the values, the row) in open-addressed tables filled to at most
//! 85%, about 21 bytes per attempt, which is the price of finding duplicates in a file that is
//! not sorted by request id; the rest of the import keeps no per-row state. The tables are
//! sharded by the key's low bits, so workers rarely wait for each other and a table that grows
//! holds its old and new slots for one shard's worth of attempts only.
//!
//! The hashes are foldhash's (fixed seeds, so runs are reproducible): a tenth of SipHash's cost
//! per row. A false duplicate needs two attempts of one file to share a 64-bit key hash (about
//! one chance in 10⁶ for 5 million attempts); a differing copy passes for an exact one only if
//! its 32-bit value hash also matches (one in 4 × 10⁹ per duplicate).
//!
//! A file can be read twice, so an import from a file first runs with a quick set: 5 bytes per
//! attempt (40 bits of the key hash, 12 more chosen by one of 4,096 shards) and no value hash,
//! so about a quarter of the memory and none of the hashing of values. Most files repeat no
//! attempt, and for them the quick run's result is the result. Recording a key only appends
//! its tag to its shard; once the run is over, each shard (a few thousand tags, a set that fits
//! in the cache) is checked for a tag that came twice — where looking each key up as it came,
//! in a table far larger than the cache, cost a cache miss a row and a tenth of the import. A
//! tag seen twice (a real copy, or two attempts sharing 52 bits of hash: about one file in 400
//! of 5 million rows) makes the run end with [`ImportError::Repeated`], and the file is read
//! again with the full set above, which tells copies from conflicts; so the answer is always
//! the full set's. A file with copies is thus read twice in full.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use super::ImportError;
use super::trace_row::{GateResult, Status, Timestamp, TokenUsage, TraceRow};

/// Shards of the set, so two workers rarely wait on one lock.
const SHARDS: usize = 64;

/// Fixed seeds: the same file gives the same hashes on every run.
const KEY_HASH: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x6c63_7072_6b65_7931);
const VALUE_HASH: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x6c63_7072_7661_6c31);

/// Every canonical value of one attempt, borrowed from whichever reader built it.
#[derive(Debug, Clone, Copy)]
pub struct RowValues<'a> {
    /// Request id.
    pub request_id: &'a str,
    /// Attempt index.
    pub attempt: u32,
    /// Start time.
    pub timestamp: Timestamp,
    /// Workload, scenario, route, provider, model, prompt version, retried request.
    pub texts: [Option<&'a str>; 7],
    /// Token counts.
    pub usage: TokenUsage,
    /// TTFT, TPOT, E2E in ms.
    pub millis: [Option<f64>; 3],
    /// Completion status.
    pub status: Status,
    /// Gate verdict.
    pub gate: GateResult,
    /// Escalated.
    pub escalated: bool,
    /// Reported cost.
    pub reported_cost: Option<Decimal>,
}

impl<'a> RowValues<'a> {
    /// The values of a built row.
    #[must_use]
    pub fn of(row: &'a TraceRow<'_>) -> Self {
        Self {
            request_id: &row.request_id,
            attempt: row.attempt,
            timestamp: row.timestamp,
            texts: [
                Some(&row.workload),
                row.scenario.as_deref(),
                Some(&row.route),
                Some(&row.provider),
                Some(&row.model),
                Some(&row.prompt_version),
                row.retry_of.as_deref(),
            ],
            usage: row.usage,
            millis: [row.ttft_ms, row.tpot_ms, row.e2e_ms],
            status: row.status,
            gate: row.gate,
            escalated: row.escalated,
            reported_cost: row.reported_cost,
        }
    }

    /// (hash of request id and attempt, hash of every value).
    #[must_use]
    pub fn hashes(&self) -> (u64, u64) {
        let key = key_hash(self.request_id, self.attempt);
        let mut h = VALUE_HASH.build_hasher();
        key.hash(&mut h);
        self.timestamp.date.hash(&mut h);
        self.timestamp.seconds.to_bits().hash(&mut h);
        // Empty and absent texts read the same (a blank cell is absent).
        for t in self.texts {
            t.unwrap_or_default().hash(&mut h);
        }
        let u = self.usage;
        [
            u.uncached_input,
            u.cache_read,
            u.cache_write_5m,
            u.cache_write_1h,
            u.output,
            u.reasoning,
        ]
        .hash(&mut h);
        for m in self.millis {
            m.map(f64::to_bits).hash(&mut h);
        }
        (self.status, self.gate, self.escalated).hash(&mut h);
        self.reported_cost.map(|d| d.normalize()).hash(&mut h);
        (key, h.finish())
    }
}

/// The hash of an attempt's request id and attempt index, shared by both sets.
pub(super) fn key_hash(request_id: &str, attempt: u32) -> u64 {
    let mut key = KEY_HASH.build_hasher();
    request_id.hash(&mut key);
    attempt.hash(&mut key);
    key.finish()
}

/// What [`Seen::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The first time this attempt is seen: count it.
    New,
    /// The same values again: drop it.
    Exact,
}

/// One attempt in a [`Table`]: `key` 0 marks an empty slot.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u64,
    content: u32,
    /// The row, or `u32::MAX` when it is kept in [`Table::far_rows`].
    row: u32,
}

/// An open-addressed (linear probing) set of attempts, grown by half when 85% full.
#[derive(Debug, Default)]
struct Table {
    slots: Vec<Slot>,
    len: usize,
    /// Rows past `u32::MAX - 1` (files of over 4 × 10⁹ rows), by key.
    far_rows: HashMap<u64, u64>,
}

impl Table {
    /// The home slot of `key`: its high bits scaled to the table (the low bits chose the
    /// shard).
    fn home(key: u64, size: usize) -> usize {
        ((u128::from(key) * size as u128) >> 64) as usize
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 3 / 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for s in old.into_iter().filter(|s| s.key != 0) {
            let mut i = Self::home(s.key, size);
            while self.slots.get(i).is_some_and(|t| t.key != 0) {
                i = if i + 1 == size { 0 } else { i + 1 };
            }
            if let Some(t) = self.slots.get_mut(i) {
                *t = s;
            }
        }
    }

    /// The slot `key` is in, or the empty one it would take.
    fn find(&self, key: u64) -> usize {
        let size = self.slots.len();
        let mut i = Self::home(key, size);
        while let Some(s) = self.slots.get(i) {
            if s.key == key || s.key == 0 {
                return i;
            }
            i = if i + 1 == size { 0 } else { i + 1 };
        }
        i
    }

    /// Inserts `key` unless present; returns the content and row already recorded.
    fn insert(&mut self, key: u64, content: u32, row: u64) -> Option<(u32, u64)> {
        if (self.len + 1) * 20 > self.slots.len() * 17 {
            self.grow();
        }
        let i = self.find(key);
        let slot = self.slots.get_mut(i)?;
        if slot.key == key {
            let first = match slot.row {
                u32::MAX => self.far_rows.get(&key).copied().unwrap_or(u64::MAX),
                r => u64::from(r),
            };
            return Some((slot.content, first));
        }
        let near = u32::try_from(row).ok().filter(|&r| r != u32::MAX);
        *slot = Slot {
            key,
            content,
            row: near.unwrap_or(u32::MAX),
        };
        if near.is_none() {
            self.far_rows.insert(key, row);
        }
        self.len += 1;
        None
    }
}

/// Shards of the quick set: a key's low 12 bits choose its shard, so they need not be stored.
const QUICK_SHARDS: usize = 4096;

/// Locks of the quick set, each over 64 consecutive shards: a batch's keys for one lock are
/// then many (512 of 32,768), where a lock per shard would be taken for 8.
const QUICK_LOCKS: usize = 64;
const SHARDS_PER_LOCK: usize = QUICK_SHARDS / QUICK_LOCKS;

/// The most attempts the quick set is sized for before it has seen them.
const PRESIZED_MAX: u64 = 8_000_000;

/// Bits of the key hash a quick slot keeps.
const TAG_BITS: u32 = 40;

/// The key tags of one shard of the quick set, 5 bytes each, in the order they came: a repeat
/// is looked for once all are in ([`Self::has_repeat`]), so recording a key appends to one of a
/// few thousand short runs where probing a table far larger than the cache missed it once a
/// key.
#[derive(Debug, Default)]
struct QuickShard {
    tags: Vec<[u8; 5]>,
}

impl QuickShard {
    fn with_capacity(n: usize) -> Self {
        Self {
            tags: Vec::with_capacity(n),
        }
    }

    /// The stored tag of `key`: the 40 bits above the shard's, never all zeros.
    fn tag(key: u64) -> u64 {
        ((key >> 12) & ((1 << TAG_BITS) - 1)).max(1)
    }

    /// The slot of a tag in a table of `size` slots (its high bits scaled to the table).
    fn home(tag: u64, size: usize) -> usize {
        ((u128::from(tag) * size as u128) >> TAG_BITS) as usize
    }

    fn unpack(slot: [u8; 5]) -> u64 {
        let [a, b, c, d, e] = slot;
        u64::from_le_bytes([a, b, c, d, e, 0, 0, 0])
    }

    fn pack(tag: u64) -> [u8; 5] {
        let [a, b, c, d, e, ..] = tag.to_le_bytes();
        [a, b, c, d, e]
    }

    fn push(&mut self, key: u64) {
        if self.tags.len() == self.tags.capacity() {
            // An eighth more, not twice: the shards fill at one pace, so doubling would have
            // them all hold up to twice what they need at the same time.
            self.tags.reserve_exact((self.tags.len() / 8).max(64));
        }
        self.tags.push(Self::pack(Self::tag(key)));
    }

    /// Whether some tag came twice, by an open-addressed set at most half full, built in
    /// `table` (reused from shard to shard: a shard's set fits in the cache).
    fn has_repeat(&self, table: &mut Vec<u64>) -> bool {
        let size = (self.tags.len() * 2).next_power_of_two().max(16);
        table.clear();
        table.resize(size, 0);
        for &t in &self.tags {
            let tag = Self::unpack(t);
            let mut i = Self::home(tag, size);
            while let Some(slot) = table.get_mut(i) {
                if *slot == tag {
                    return true;
                }
                if *slot == 0 {
                    *slot = tag;
                    break;
                }
                i = (i + 1) & (size - 1);
            }
        }
        false
    }
}

/// The two kinds of set (see the module's notes).
#[derive(Debug)]
enum Sets {
    /// Full keys, value hashes and rows.
    Full(Box<[Mutex<Table>; SHARDS]>),
    /// Key tags only: per lock, the tags of its shards.
    Quick(Box<[Mutex<Box<[QuickShard]>>]>),
}

/// The attempts seen so far in one import.
#[derive(Debug)]
pub struct Seen {
    sets: Sets,
}

impl Default for Seen {
    /// The full set.
    fn default() -> Self {
        Self {
            sets: Sets::Full(Box::new(std::array::from_fn(|_| Mutex::default()))),
        }
    }
}

impl Seen {
    /// A set shared by the workers of one import.
    #[must_use]
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The quick set, for an input that can be read again: [`Self::finish`] tells whether a
    /// key came twice. With `expected` attempts (0: unknown) each shard starts with room for
    /// its share and a tenth more, for shards that draw more than their share, so shards
    /// rarely grow.
    #[must_use]
    pub fn quick(expected: u64) -> Self {
        // A CSV's count is an estimate from its first rows, which may be shorter than the
        // rest: past 8 million attempts (40 MB of tags) the shards grow as they fill.
        let expected = expected.min(PRESIZED_MAX);
        let per_shard = usize::try_from(expected / QUICK_SHARDS as u64).unwrap_or(usize::MAX);
        let room = if expected == 0 {
            0
        } else {
            per_shard.saturating_add(per_shard / 10) + 1
        };
        Self {
            sets: Sets::Quick(
                (0..QUICK_LOCKS)
                    .map(|_| {
                        Mutex::new(
                            (0..SHARDS_PER_LOCK)
                                .map(|_| QuickShard::with_capacity(room))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// Whether this is the quick set, which needs only the request id and attempt.
    #[must_use]
    pub fn is_quick(&self) -> bool {
        matches!(self.sets, Sets::Quick(_))
    }

    /// Records attempt `attempt` of `request_id` in the quick set at once; in the full set,
    /// which needs every value, it records nothing. A worker gathers its keys in a
    /// [`SeenHandle`] instead, which records them a batch at a time.
    pub fn check_key(&self, request_id: &str, attempt: u32) -> Result<Verdict, ImportError> {
        self.record_quick(&[key_hash(request_id, attempt)], &mut Vec::new())?;
        Ok(Verdict::New)
    }

    /// Records quick keys shard by shard: each lock is taken once for its share of the batch.
    fn record_quick(&self, batch: &[u64], sorted: &mut Vec<u64>) -> Result<(), ImportError> {
        let Sets::Quick(locks) = &self.sets else {
            return Ok(());
        };
        let shard = |key: u64| key as usize % QUICK_SHARDS;
        // A counting sort by lock: sizes, then where each lock's run starts, then the keys.
        let lock_of = |key: u64| shard(key) / SHARDS_PER_LOCK;
        let mut next = [0usize; QUICK_LOCKS];
        for &key in batch {
            if let Some(n) = next.get_mut(lock_of(key)) {
                *n += 1;
            }
        }
        let mut at = 0;
        for n in &mut next {
            (*n, at) = (at, at + *n);
        }
        sorted.clear();
        sorted.resize(batch.len(), 0);
        for &key in batch {
            if let Some(i) = next.get_mut(lock_of(key)) {
                if let Some(slot) = sorted.get_mut(*i) {
                    *slot = key;
                }
                *i += 1;
            }
        }
        // Each lock's run now ends where the next begins.
        let mut start = 0;
        for (lock, &end) in locks.iter().zip(&next) {
            let run = sorted.get(start..end).unwrap_or_default();
            start = end;
            if run.is_empty() {
                continue;
            }
            let mut shards = lock.lock().map_err(|_| ImportError::Worker)?;
            for &key in run {
                if let Some(s) = shards.get_mut(shard(key) % SHARDS_PER_LOCK) {
                    s.push(key);
                }
            }
        }
        Ok(())
    }

    /// In the quick set, once every key is recorded: [`ImportError::Repeated`] when some key
    /// came twice, so the input is read again with the full set. Shards are checked on
    /// `threads` threads. The full set has nothing to add.
    pub fn finish(&self, threads: usize) -> Result<(), ImportError> {
        let Sets::Quick(locks) = &self.sets else {
            return Ok(());
        };
        let check = |part: usize| -> Result<bool, ImportError> {
            let mut table = Vec::new();
            for lock in locks.iter().skip(part).step_by(threads.max(1)) {
                let shards = lock.lock().map_err(|_| ImportError::Worker)?;
                if shards.iter().any(|s| s.has_repeat(&mut table)) {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let check = &check;
        let repeated = std::thread::scope(|scope| {
            let others: Vec<_> = (1..threads.max(1))
                .map(|part| scope.spawn(move || check(part)))
                .collect();
            let mut repeated = check(0)?;
            for h in others {
                repeated |= h.join().map_err(|_| ImportError::Worker)??;
            }
            Ok::<bool, ImportError>(repeated)
        })?;
        if repeated {
            Err(ImportError::Repeated)
        } else {
            Ok(())
        }
    }

    /// Records row `row` with `values`; refuses a second copy whose values differ.
    pub fn check(&self, values: &RowValues<'_>, row: u64) -> Result<Verdict, ImportError> {
        let shards = match &self.sets {
            Sets::Quick(_) => return self.check_key(values.request_id, values.attempt),
            Sets::Full(shards) => shards,
        };
        let (key, content) = values.hashes();
        // 0 marks an empty slot: key hashes 0 and 1 share a slot (one chance in 2⁶³).
        let key = key.max(1);
        let content = (content ^ (content >> 32)) as u32;
        let Some(lock) = shards.get(key as usize % SHARDS) else {
            return Ok(Verdict::New);
        };
        // A poisoned lock means another worker panicked; its error is reported on join.
        let mut table = lock.lock().map_err(|_| ImportError::Worker)?;
        match table.insert(key, content, row) {
            None => Ok(Verdict::New),
            Some((c, _)) if c == content => Ok(Verdict::Exact),
            Some((_, first)) => Err(ImportError::ConflictingDuplicate {
                request_id: values.request_id.to_owned(),
                attempt: values.attempt,
                first: first.min(row),
                second: first.max(row),
            }),
        }
    }
}

/// Quick keys a [`SeenHandle`] gathers before recording them: 32,768 of them, 256 KiB, so
/// each of the set's locks is taken once for a few hundred keys.
const QUICK_BATCH: usize = 1 << 15;

/// One worker's hold on the set of an import: the shared set, and in the quick set the keys
/// this worker has read but not yet recorded. Aggregates compare equal whatever their sets.
#[derive(Debug, Default)]
pub struct SeenHandle {
    seen: Arc<Seen>,
    /// Key hashes not yet recorded.
    pending: Vec<u64>,
    /// The same, sorted by lock while they are recorded.
    sorted: Vec<u64>,
}

impl Clone for SeenHandle {
    /// A hold on the same set with no keys pending: each worker gathers its own.
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.seen))
    }
}

impl PartialEq for SeenHandle {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl SeenHandle {
    /// A hold on `seen` with no keys pending.
    #[must_use]
    pub fn new(seen: Arc<Seen>) -> Self {
        Self {
            seen,
            pending: Vec::new(),
            sorted: Vec::new(),
        }
    }

    /// Whether this is the quick set, which needs only the request id and attempt.
    #[must_use]
    pub fn is_quick(&self) -> bool {
        self.seen.is_quick()
    }

    /// As [`Seen::check`], but in the quick set the key waits in this hold's batch.
    pub fn check(&mut self, values: &RowValues<'_>, row: u64) -> Result<Verdict, ImportError> {
        if self.is_quick() {
            self.check_key(values.request_id, values.attempt)
        } else {
            self.seen.check(values, row)
        }
    }

    /// As [`Seen::check_key`], but the key waits in this hold's batch.
    pub fn check_key(&mut self, request_id: &str, attempt: u32) -> Result<Verdict, ImportError> {
        if self.is_quick() {
            self.record_key(key_hash(request_id, attempt))?;
        }
        Ok(Verdict::New)
    }

    /// Adds `key`, the [`key_hash`] of an attempt, to this hold's batch of the quick set.
    pub(super) fn record_key(&mut self, key: u64) -> Result<(), ImportError> {
        self.pending.push(key);
        if self.pending.len() >= QUICK_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Records the keys still pending; every worker's must be before [`Seen::finish`].
    pub fn flush(&mut self) -> Result<(), ImportError> {
        let recorded = self.seen.record_quick(&self.pending, &mut self.sorted);
        self.pending.clear();
        recorded
    }

    /// [`Seen::finish`] of the shared set.
    pub fn finish(&self, threads: usize) -> Result<(), ImportError> {
        self.seen.finish(threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::traces::aggregate::tests::row;

    #[test]
    fn an_exact_copy_is_dropped_and_a_differing_one_names_both_rows() {
        let seen = Seen::default();
        let a = row(1, "w", 12, "m");
        assert_eq!(seen.check(&RowValues::of(&a), 2).ok(), Some(Verdict::New));
        assert_eq!(seen.check(&RowValues::of(&a), 9).ok(), Some(Verdict::Exact));
        let mut b = a.clone();
        b.usage.output += 1;
        let e = seen
            .check(&RowValues::of(&b), 5)
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("rows 2 and 5"), "{e}");
        assert!(e.contains(&format!("{:?}", a.request_id)), "{e}");
        let mut retry = a.clone();
        retry.attempt = 1;
        assert_eq!(
            seen.check(&RowValues::of(&retry), 7).ok(),
            Some(Verdict::New)
        );
    }

    #[test]
    fn the_table_keeps_every_attempt_through_growth_and_far_rows() {
        let mut t = Table::default();
        for k in 1..=10_000u64 {
            // Spread keys over the whole range, as hashes are.
            let key = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let row = if k % 1000 == 0 {
                u64::from(u32::MAX) + k
            } else {
                k
            };
            assert_eq!(t.insert(key, k as u32, row), None);
        }
        assert_eq!(t.len, 10_000);
        assert!(t.len * 20 <= t.slots.len() * 17);
        for k in 1..=10_000u64 {
            let key = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let row = if k % 1000 == 0 {
                u64::from(u32::MAX) + k
            } else {
                k
            };
            assert_eq!(t.insert(key, 0, 1), Some((k as u32, row)));
        }
        assert_eq!(t.len, 10_000);
    }

    #[test]
    fn the_quick_set_finds_a_repeated_key_whatever_the_values() {
        let seen = Seen::quick(0);
        let a = row(1, "w", 12, "m");
        assert_eq!(seen.check(&RowValues::of(&a), 2).ok(), Some(Verdict::New));
        let mut retry = a.clone();
        retry.attempt = 1;
        assert_eq!(
            seen.check(&RowValues::of(&retry), 3).ok(),
            Some(Verdict::New)
        );
        assert_eq!(seen.finish(1), Ok(()));
        let mut b = a.clone();
        b.usage.output += 1;
        assert_eq!(seen.check(&RowValues::of(&b), 7).ok(), Some(Verdict::New));
        assert_eq!(seen.finish(1), Err(ImportError::Repeated));
        assert_eq!(seen.finish(2), Err(ImportError::Repeated));
        // The full set ignores key-only checks and has nothing to finish.
        let full = Seen::default();
        assert_eq!(full.check_key(&a.request_id, 0).ok(), Some(Verdict::New));
        assert_eq!(full.check_key(&a.request_id, 0).ok(), Some(Verdict::New));
        assert_eq!(full.finish(2), Ok(()));
    }

    #[test]
    fn a_shard_finds_a_repeat_among_many_tags_and_none_where_there_is_none() {
        let key = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut shard = QuickShard::default();
        let mut table = Vec::new();
        for k in 1..=20_000u64 {
            shard.push(key(k));
        }
        assert_eq!(shard.tags.len(), 20_000);
        // Grown by an eighth at a time, never to twice what it holds.
        assert!(shard.tags.capacity() <= 20_000 * 9 / 8 + 64);
        assert!(!shard.has_repeat(&mut table));
        shard.push(key(12_345));
        assert!(shard.has_repeat(&mut table));
        // The tag never reads as an empty slot: a key whose tag bits are all zero is kept.
        let mut zero = QuickShard::default();
        zero.push(0);
        zero.push(1 << 12);
        assert!(zero.has_repeat(&mut table));
        let mut one = QuickShard::default();
        one.push(0);
        assert!(!one.has_repeat(&mut table));
    }

    #[test]
    fn a_sized_quick_set_starts_big_enough_and_still_grows_past_its_estimate() {
        let Sets::Quick(shards) = Seen::quick(4096 * 700).sets else {
            panic!("not the quick set");
        };
        let room: Vec<usize> = shards
            .iter()
            .flat_map(|l| {
                l.lock().map_or(Vec::new(), |t| {
                    t.iter().map(|t| t.tags.capacity()).collect()
                })
            })
            .collect();
        assert_eq!(room.len(), QUICK_SHARDS);
        // 700 a shard and a tenth more.
        assert!(room.iter().all(|&n| (770..800).contains(&n)), "{room:?}");
        // An estimate far past what a first read can vouch for is not taken at its word.
        let Sets::Quick(shards) = Seen::quick(u64::MAX).sets else {
            panic!("not the quick set");
        };
        let room: usize = shards
            .iter()
            .map(|l| {
                l.lock()
                    .map_or(0, |t| t.iter().map(|t| t.tags.capacity()).sum())
            })
            .sum();
        assert!(room as u64 <= PRESIZED_MAX * 12 / 10, "{room}");
        // Ten times the estimate: every key is still kept, and a repeat is still found.
        let seen = Seen::quick(4096);
        for k in 0..50_000u32 {
            assert_eq!(seen.check_key("r", k).ok(), Some(Verdict::New), "{k}");
        }
        assert_eq!(seen.finish(2), Ok(()));
        assert_eq!(seen.check_key("r", 49_999).ok(), Some(Verdict::New));
        assert_eq!(seen.finish(2), Err(ImportError::Repeated));
    }

    #[test]
    fn a_handle_records_its_keys_a_batch_at_a_time_and_repeats_show_across_handles() {
        let seen = Arc::new(Seen::quick(0));
        let (mut one, mut two) = (SeenHandle::new(Arc::clone(&seen)), SeenHandle::new(seen));
        // Keys wait in the handle until its batch is full or flushed.
        for k in 0..(QUICK_BATCH as u32 * 2 + 10) {
            let r = one.check_key("b", k);
            assert!(r.is_ok(), "{r:?} at {k}");
        }
        assert_eq!(one.pending.len(), 10);
        assert!(one.flush().is_ok() && one.pending.is_empty());
        assert_eq!(two.finish(2), Ok(()));
        // A key recorded by one handle is found repeated by another's.
        assert_eq!(two.check_key("b", 3).ok(), Some(Verdict::New));
        // Not yet: it is still pending.
        assert_eq!(two.finish(1), Ok(()));
        assert!(two.flush().is_ok());
        assert_eq!(two.finish(1), Err(ImportError::Repeated));
        // A clone shares the set, not the keys pending.
        let three = two.clone();
        assert_eq!(two.check_key("c", 0).ok(), Some(Verdict::New));
        assert!(three.pending.is_empty());
    }

    #[test]
    fn a_blank_text_equals_an_absent_one() {
        let mut a = row(1, "w", 12, "m");
        a.scenario = None;
        let mut b = a.clone();
        b.scenario = Some("".into());
        assert_eq!(RowValues::of(&a).hashes(), RowValues::of(&b).hashes());
    }
}
