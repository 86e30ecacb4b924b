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
//! so about a third of the memory and none of the hashing of values. Most files repeat no
//! attempt, and for them the quick run's result is the result. The first key seen twice (a real
//! copy, or two attempts sharing 52 bits of hash: about one file in 400 of 5 million rows)
//! stops that run with [`ImportError::Repeated`], and the file is read again with the full set
//! above, which tells copies from conflicts; so the answer is always the full set's. Each
//! worker records its quick keys a batch at a time, shard by shard ([`SeenHandle`]): one
//! cache miss per row into a table far larger than the cache was a third of the import's time.

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
fn key_hash(request_id: &str, attempt: u32) -> u64 {
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

/// Locks of the quick set, each over the tables of 64 consecutive shards: a batch's keys for
/// one lock are then many (512 of 32,768), and all their slots can be read before the first
/// insert, where a lock per shard (8 keys a batch) fenced the reads into small groups.
const QUICK_LOCKS: usize = 64;
const SHARDS_PER_LOCK: usize = QUICK_SHARDS / QUICK_LOCKS;

/// The most attempts the quick set is sized for before it has seen them.
const PRESIZED_MAX: u64 = 8_000_000;

/// Bits of the key hash a quick slot keeps.
const TAG_BITS: u32 = 40;

/// An open-addressed (linear probing) set of 40-bit key tags, 5 bytes a slot, grown by half
/// when 7/8 full; a slot of zeros is empty.
#[derive(Debug, Default)]
struct QuickTable {
    slots: Vec<[u8; 5]>,
    len: usize,
}

impl QuickTable {
    fn with_slots(slots: usize) -> Self {
        Self {
            slots: vec![[0; 5]; slots],
            len: 0,
        }
    }

    /// The stored tag of `key`: the 40 bits above the shard's, never all zeros.
    fn tag(key: u64) -> u64 {
        ((key >> 12) & ((1 << TAG_BITS) - 1)).max(1)
    }

    /// The home slot of a tag (its high bits scaled to the table): computed from the tag
    /// alone, so the table can grow without the keys.
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

    /// The slot holding `tag`, or the empty one it would take.
    fn find(slots: &[[u8; 5]], tag: u64) -> usize {
        let size = slots.len();
        let mut i = Self::home(tag, size);
        while let Some(&s) = slots.get(i) {
            let t = Self::unpack(s);
            if t == tag || t == 0 {
                return i;
            }
            i = if i + 1 == size { 0 } else { i + 1 };
        }
        i
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 3 / 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![[0; 5]; size]);
        for s in old.into_iter().filter(|&s| s != [0; 5]) {
            let i = Self::find(&self.slots, Self::unpack(s));
            if let Some(t) = self.slots.get_mut(i) {
                *t = s;
            }
        }
    }

    /// A byte of `key`'s home slot, read only to bring the slot into the cache.
    fn home_byte(&self, key: u64) -> u8 {
        let home = Self::home(Self::tag(key), self.slots.len());
        self.slots.get(home).map_or(0, |s| s[0])
    }

    /// Inserts the tag of `key`; true when it was already there.
    fn insert(&mut self, key: u64) -> bool {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let tag = Self::tag(key);
        let i = Self::find(&self.slots, tag);
        match self.slots.get_mut(i) {
            Some(s) if Self::unpack(*s) == tag => true,
            Some(s) => {
                *s = Self::pack(tag);
                self.len += 1;
                false
            }
            None => false,
        }
    }
}

/// The two kinds of set (see the module's notes).
#[derive(Debug)]
enum Sets {
    /// Full keys, value hashes and rows.
    Full(Box<[Mutex<Table>; SHARDS]>),
    /// Key tags only: per lock, the tables of its shards.
    Quick(Box<[Mutex<Box<[QuickTable]>>]>),
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

    /// The quick set, for an input that can be read again: it stops at the first key seen
    /// twice with [`ImportError::Repeated`]. With `expected` attempts (0: unknown) each shard
    /// starts at the size that many need, with a tenth to spare for shards that draw more than
    /// their share: the tables then rarely grow, and the old and new slots of a shard that
    /// grows are never held at the same time by every shard at once (they fill at the same
    /// pace, so unsized tables all grow together near the end, and the freed slots of the
    /// smaller tables stay in the process as free memory).
    #[must_use]
    pub fn quick(expected: u64) -> Self {
        // A CSV's count is an estimate from its first rows, which may be shorter than the
        // rest: past 8 million attempts (about 50 MB of slots) the tables grow as they fill.
        let expected = expected.min(PRESIZED_MAX);
        let per_shard = usize::try_from(expected / QUICK_SHARDS as u64).unwrap_or(usize::MAX);
        let slots = if expected == 0 {
            0
        } else {
            // 7/8 is the most a table holds before it grows.
            per_shard.saturating_add(per_shard / 10).saturating_mul(8) / 7 + 1
        };
        Self {
            sets: Sets::Quick(
                (0..QUICK_LOCKS)
                    .map(|_| {
                        Mutex::new(
                            (0..SHARDS_PER_LOCK)
                                .map(|_| QuickTable::with_slots(slots))
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

    /// Records attempt `attempt` of `request_id` at row `row` in the quick set at once; in the
    /// full set, which needs every value, it records nothing and answers `New`. A worker
    /// gathers its keys in a [`SeenHandle`] instead, which records them a batch at a time.
    pub fn check_key(
        &self,
        request_id: &str,
        attempt: u32,
        row: u64,
    ) -> Result<Verdict, ImportError> {
        self.record_quick(&[(key_hash(request_id, attempt), row)], &mut Vec::new())?;
        Ok(Verdict::New)
    }

    /// Records quick keys, as (key hash, row), shard by shard: each lock is taken once for its
    /// share of the batch, whose home slots are all read before the first insert so their cache
    /// misses overlap. The first key already there stops with [`ImportError::Repeated`].
    fn record_quick(
        &self,
        batch: &[(u64, u64)],
        sorted: &mut Vec<(u64, u64)>,
    ) -> Result<(), ImportError> {
        let Sets::Quick(locks) = &self.sets else {
            return Ok(());
        };
        let shard = |key: u64| key as usize % QUICK_SHARDS;
        // A counting sort by shard: sizes, then where each shard's run starts, then the keys.
        let mut next = vec![0usize; QUICK_SHARDS];
        for &(key, _) in batch {
            if let Some(n) = next.get_mut(shard(key)) {
                *n += 1;
            }
        }
        let mut at = 0;
        for n in &mut next {
            (*n, at) = (at, at + *n);
        }
        sorted.clear();
        sorted.resize(batch.len(), (0, 0));
        for &(key, row) in batch {
            if let Some(i) = next.get_mut(shard(key)) {
                if let Some(slot) = sorted.get_mut(*i) {
                    *slot = (key, row);
                }
                *i += 1;
            }
        }
        // Each shard's run now ends where the next begins, and a lock's shards are consecutive.
        let mut start = 0;
        for (lock, ends) in locks.iter().zip(next.chunks(SHARDS_PER_LOCK)) {
            let end = ends.last().copied().unwrap_or(start);
            let run = sorted.get(start..end).unwrap_or_default();
            start = end;
            if run.is_empty() {
                continue;
            }
            let mut tables = lock.lock().map_err(|_| ImportError::Worker)?;
            let within = |key: u64| shard(key) % SHARDS_PER_LOCK;
            // Read every home slot first: these reads depend on nothing and branch on nothing,
            // where each insert's probe ends on a test of what it loaded.
            let homes = run.iter().fold(0u8, |acc, &(key, _)| {
                acc ^ tables.get(within(key)).map_or(0, |t| t.home_byte(key))
            });
            std::hint::black_box(homes);
            let repeat = run
                .iter()
                .find(|&&(key, _)| tables.get_mut(within(key)).is_some_and(|t| t.insert(key)));
            if let Some(&(_, row)) = repeat {
                return Err(ImportError::Repeated { row });
            }
        }
        Ok(())
    }

    /// Records row `row` with `values`; refuses a second copy whose values differ.
    pub fn check(&self, values: &RowValues<'_>, row: u64) -> Result<Verdict, ImportError> {
        let shards = match &self.sets {
            Sets::Quick(_) => return self.check_key(values.request_id, values.attempt, row),
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

/// Quick keys a [`SeenHandle`] gathers before recording them: 32,768 (key, row) pairs, 512 KiB.
/// The quick table (5 bytes an attempt, about 30 MB at 5 million) is far larger than the cache, so
/// recording a key at a time stalls on one cache miss per row; a batch recorded shard by shard
/// lets those misses overlap.
const QUICK_BATCH: usize = 1 << 15;

/// One worker's hold on the set of an import: the shared set, and in the quick set the keys
/// this worker has read but not yet recorded. Aggregates compare equal whatever their sets.
///
/// A key is recorded a batch later than its row is counted; a repeat then stops the quick run
/// all the same, just not at the row itself, and the run's result is only ever taken once
/// [`Self::flush`] has recorded the last keys.
#[derive(Debug, Default)]
pub struct SeenHandle {
    seen: Arc<Seen>,
    /// (key hash, row) of the keys not yet recorded.
    pending: Vec<(u64, u64)>,
    /// The same, sorted by shard while they are recorded.
    sorted: Vec<(u64, u64)>,
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
            self.check_key(values.request_id, values.attempt, row)
        } else {
            self.seen.check(values, row)
        }
    }

    /// As [`Seen::check_key`], but the key waits in this hold's batch.
    pub fn check_key(
        &mut self,
        request_id: &str,
        attempt: u32,
        row: u64,
    ) -> Result<Verdict, ImportError> {
        if self.is_quick() {
            self.pending.push((key_hash(request_id, attempt), row));
            if self.pending.len() >= QUICK_BATCH {
                self.flush()?;
            }
        }
        Ok(Verdict::New)
    }

    /// Records the keys still pending; an import's result stands only after this.
    pub fn flush(&mut self) -> Result<(), ImportError> {
        let recorded = self.seen.record_quick(&self.pending, &mut self.sorted);
        self.pending.clear();
        recorded
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
    fn the_quick_set_stops_at_a_repeated_key_whatever_the_values() {
        let seen = Seen::quick(0);
        let a = row(1, "w", 12, "m");
        assert_eq!(seen.check(&RowValues::of(&a), 2).ok(), Some(Verdict::New));
        let mut retry = a.clone();
        retry.attempt = 1;
        assert_eq!(
            seen.check(&RowValues::of(&retry), 3).ok(),
            Some(Verdict::New)
        );
        let mut b = a.clone();
        b.usage.output += 1;
        assert_eq!(
            seen.check(&RowValues::of(&b), 7).err(),
            Some(ImportError::Repeated { row: 7 })
        );
        assert_eq!(
            seen.check_key(&a.request_id, 0, 9).err(),
            Some(ImportError::Repeated { row: 9 })
        );
        // The full set ignores key-only checks.
        assert_eq!(
            Seen::default().check_key(&a.request_id, 0, 9).ok(),
            Some(Verdict::New)
        );
    }

    #[test]
    fn the_quick_table_keeps_every_tag_through_growth() {
        let mut t = QuickTable::default();
        let key = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for k in 1..=20_000u64 {
            assert!(!t.insert(key(k)), "{k}");
        }
        assert_eq!(t.len, 20_000);
        assert!(t.len * 8 <= t.slots.len() * 7);
        for k in 1..=20_000u64 {
            assert!(t.insert(key(k)), "{k}");
        }
        assert_eq!(t.len, 20_000);
        // The tag never reads as an empty slot.
        assert!(!t.insert(0) && t.insert(1 << 12));
    }

    #[test]
    fn a_sized_quick_set_starts_big_enough_and_still_grows_past_its_estimate() {
        let Sets::Quick(shards) = Seen::quick(4096 * 700).sets else {
            panic!("not the quick set");
        };
        let sizes: Vec<usize> = shards
            .iter()
            .flat_map(|l| {
                l.lock()
                    .map_or(Vec::new(), |t| t.iter().map(|t| t.slots.len()).collect())
            })
            .collect();
        assert_eq!(sizes.len(), QUICK_SHARDS);
        // 700 a shard and a tenth more, at most 7/8 full.
        assert!(
            sizes.iter().all(|&n| n * 7 >= 770 * 8 && n < 900),
            "{sizes:?}"
        );
        // An estimate far past what a first read can vouch for is not taken at its word.
        let Sets::Quick(shards) = Seen::quick(u64::MAX).sets else {
            panic!("not the quick set");
        };
        let slots: usize = shards
            .iter()
            .map(|l| {
                l.lock()
                    .map_or(0, |t| t.iter().map(|t| t.slots.len()).sum())
            })
            .sum();
        assert!(slots as u64 <= PRESIZED_MAX * 13 / 10, "{slots}");
        // Ten times the estimate: every key is still kept.
        let seen = Seen::quick(4096);
        for k in 0..50_000u32 {
            assert_eq!(
                seen.check_key("r", k, u64::from(k)).ok(),
                Some(Verdict::New),
                "{k}"
            );
        }
        assert_eq!(
            seen.check_key("r", 49_999, 60_000).err(),
            Some(ImportError::Repeated { row: 60_000 })
        );
    }

    #[test]
    fn a_handle_records_its_keys_a_batch_at_a_time_and_finds_repeats_across_batches() {
        let seen = Arc::new(Seen::quick(0));
        let (mut one, mut two) = (SeenHandle::new(Arc::clone(&seen)), SeenHandle::new(seen));
        // Within one batch: the repeat shows when the batch is recorded, naming its row.
        for k in 0..100u32 {
            assert_eq!(one.check_key("a", k, u64::from(k)).ok(), Some(Verdict::New));
        }
        assert_eq!(one.check_key("a", 7, 500).ok(), Some(Verdict::New));
        assert_eq!(one.flush().err(), Some(ImportError::Repeated { row: 500 }));
        // Across handles and full batches: a key recorded by one is found by the other.
        let mut row = 0;
        for k in 0..(QUICK_BATCH as u32 * 2) {
            row += 1;
            let r = one.check_key("b", k, row);
            assert!(r.is_ok(), "{r:?} at {k}");
        }
        assert!(one.flush().is_ok());
        assert_eq!(two.check_key("b", 3, 99).ok(), Some(Verdict::New));
        assert_eq!(two.flush().err(), Some(ImportError::Repeated { row: 99 }));
        // A clone shares the set, not the keys pending.
        let mut three = two.clone();
        assert_eq!(two.check_key("c", 0, 1).ok(), Some(Verdict::New));
        assert!(three.flush().is_ok());
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
