//! Duplicate attempts: the same request id and attempt seen twice.
//!
//! An exact duplicate (every canonical field equal) is a row written twice — a file
//! concatenated with itself, an exporter that retried a batch — and is dropped and counted. A
//! duplicate whose values differ cannot be resolved by the importer (which copy is right?), so
//! it refuses the import naming both rows.
//!
//! One set is shared by every worker of an import, so a duplicate is found whichever chunks the
//! two copies land in. It keeps 24 bytes per distinct attempt (a 64-bit hash of the id and
//! attempt, a 64-bit hash of the values and the row), which is the price of finding duplicates
//! in a file that is not sorted by request id; the rest of the import keeps no per-row state.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use super::ImportError;
use super::trace_row::{GateResult, Status, Timestamp, TokenUsage, TraceRow};

/// Shards of the set, so two workers rarely wait on one lock.
const SHARDS: usize = 16;

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
        // SipHash with fixed keys: the same file gives the same hashes on every run.
        let mut key = std::hash::DefaultHasher::new();
        self.request_id.hash(&mut key);
        self.attempt.hash(&mut key);
        let key = key.finish();
        let mut h = std::hash::DefaultHasher::new();
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

/// What [`Seen::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The first time this attempt is seen: count it.
    New,
    /// The same values again: drop it.
    Exact,
}

/// The attempts seen so far in one import.
#[derive(Debug, Default)]
pub struct Seen {
    shards: [Mutex<HashMap<u64, (u64, u64)>>; SHARDS],
}

impl Seen {
    /// A set shared by the workers of one import.
    #[must_use]
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Records row `row` with `values`; refuses a second copy whose values differ.
    pub fn check(&self, values: &RowValues<'_>, row: u64) -> Result<Verdict, ImportError> {
        let (key, content) = values.hashes();
        let shard = (key >> 60) as usize % SHARDS;
        let Some(lock) = self.shards.get(shard) else {
            return Ok(Verdict::New);
        };
        // A poisoned lock means another worker panicked; its error is reported on join.
        let mut map = lock.lock().map_err(|_| ImportError::Worker)?;
        match map.get(&key) {
            None => {
                map.insert(key, (content, row));
                Ok(Verdict::New)
            }
            Some(&(c, _)) if c == content => Ok(Verdict::Exact),
            Some(&(_, first)) => Err(ImportError::ConflictingDuplicate {
                request_id: values.request_id.to_owned(),
                attempt: values.attempt,
                first: first.min(row),
                second: first.max(row),
            }),
        }
    }
}

/// The set an aggregate checks rows against; aggregates compare equal whatever their sets.
#[derive(Debug, Clone, Default)]
pub struct SeenHandle(pub Arc<Seen>);

impl PartialEq for SeenHandle {
    fn eq(&self, _: &Self) -> bool {
        true
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
    fn a_blank_text_equals_an_absent_one() {
        let mut a = row(1, "w", 12, "m");
        a.scenario = None;
        let mut b = a.clone();
        b.scenario = Some("".into());
        assert_eq!(RowValues::of(&a).hashes(), RowValues::of(&b).hashes());
    }
}
