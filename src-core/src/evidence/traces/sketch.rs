//! A mergeable quantile sketch with a relative-error guarantee, for latencies and token counts
//! of traces too large to keep.
//!
//! Values are counted in logarithmic buckets (the DDSketch scheme): with relative accuracy α,
//! γ = (1 + α) ÷ (1 − α) and a value x > 0 falls in bucket ⌈ln x ÷ ln γ⌉, which covers
//! (γ^(i−1), γ^i]. The bucket's representative value 2γ^i ÷ (γ + 1) lies within α of every
//! value in it, relatively. A quantile interpolates, like [`crate::calc::percentile`], between the
//! representatives of the two order statistics around its rank, so it too lies within α of the
//! exact percentile. Values below 10⁻⁹ share a zero bucket, represented by the exact minimum.
//!
//! Merging adds bucket counts, which is exact: a sketch of a ∪ b equals the merge of the
//! sketches of a and b, bucket by bucket, whatever the order. Count, min and max are exact; the
//! sum is exact on values rounded to 2⁻²⁰ (about 10⁻⁶), kept as a fixed-point integer so it
//! too does not depend on the order of additions.
//!
//! Below a chosen count the raw values are kept as well, and quantiles are then exact
//! ([`crate::calc::percentile`]); the first value beyond that count drops them, so memory depends on
//! the spread of the values (about 230 buckets per decade at α = 1%), never on their number.

use serde::{Deserialize, Serialize};

use crate::calc::percentile;
use crate::error::{InputError, InputResult};

/// The relative accuracy used for trace imports: 1%.
pub const DEFAULT_RELATIVE_ACCURACY: f64 = 0.01;

/// Values below this share the zero bucket.
pub const MIN_INDEXABLE: f64 = 1e-9;

/// Fixed-point scale of the sum: 2²⁰ units per 1.
const SUM_SCALE: f64 = 1_048_576.0;

/// ⌈ln x ÷ ln γ⌉, the definition of a value's bucket.
fn ln_index(x: f64, inv_ln_gamma: f64) -> i32 {
    // ⌈v⌉ by truncation, which compiles to one instruction where `ceil` is a library call.
    let v = x.ln() * inv_ln_gamma;
    let t = v as i32;
    if f64::from(t) < v { t + 1 } else { t }
}

/// Mantissa bits below those that, with the exponent, name a range of the index table: 6 bits
/// kept, so a range spans a ratio of at most 1 + 2⁻⁶, less than γ (1.0202 at 1%), and holds at
/// most one bucket boundary.
const RANGE_SHIFT: u32 = 52 - 6;
/// The table covers values from 2⁻¹⁰ up to 2³²; others take the logarithm.
const TABLE_LOW_EXP: i32 = -10;
const TABLE_HIGH_EXP: i32 = 32;

/// Bucket indexes at the default accuracy without a logarithm: a logarithm per value was a
/// tenth of a trace import. The values sharing an exponent and the top 6 mantissa bits form a
/// range; the table holds each range's lowest bucket and the lowest value of the next, found
/// once by bisection with [`ln_index`] itself, so the answer is that function's, bit for bit.
struct IndexTable {
    inv_ln_gamma: f64,
    first_range: u64,
    /// Per range: the bucket of its lowest value and the lowest value in the bucket after it
    /// (∞ when the range holds one bucket).
    ranges: Box<[(i32, f64)]>,
}

impl IndexTable {
    fn build(inv_ln_gamma: f64) -> Self {
        let first_range = 1.0f64
            .to_bits()
            .wrapping_add_signed(i64::from(TABLE_LOW_EXP) << 52)
            >> RANGE_SHIFT;
        let end_range = 1.0f64
            .to_bits()
            .wrapping_add_signed(i64::from(TABLE_HIGH_EXP) << 52)
            >> RANGE_SHIFT;
        let ranges = (first_range..end_range)
            .map(|r| {
                let lo = r << RANGE_SHIFT;
                let hi = ((r + 1) << RANGE_SHIFT) - 1;
                let base = ln_index(f64::from_bits(lo), inv_ln_gamma);
                if ln_index(f64::from_bits(hi), inv_ln_gamma) == base {
                    return (base, f64::INFINITY);
                }
                // The lowest value whose bucket is past `base`: in (lo, hi].
                let (mut below, mut at) = (lo, hi);
                while at - below > 1 {
                    let mid = below + (at - below) / 2;
                    if ln_index(f64::from_bits(mid), inv_ln_gamma) > base {
                        at = mid;
                    } else {
                        below = mid;
                    }
                }
                (base, f64::from_bits(at))
            })
            .collect();
        Self {
            inv_ln_gamma,
            first_range,
            ranges,
        }
    }

    /// The bucket of `x`, when the table covers it.
    #[inline]
    fn index(&self, x: f64) -> Option<i32> {
        let r = (x.to_bits() >> RANGE_SHIFT).checked_sub(self.first_range)?;
        let &(base, next) = self.ranges.get(usize::try_from(r).ok()?)?;
        Some(base + i32::from(x >= next))
    }
}

fn index_table() -> &'static IndexTable {
    static TABLE: std::sync::OnceLock<IndexTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let g = (1.0 + DEFAULT_RELATIVE_ACCURACY) / (1.0 - DEFAULT_RELATIVE_ACCURACY);
        IndexTable::build(1.0 / g.ln())
    })
}

/// A log-bucketed quantile sketch with exact count, min, max and sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    alpha: f64,
    ln_gamma: f64,
    /// 1 ÷ ln γ, so indexing multiplies rather than divides.
    inv_ln_gamma: f64,
    /// Bucket index of `counts[0]`.
    offset: i32,
    /// Counts of consecutive buckets; no leading or trailing zero, so equal sketches are equal
    /// field by field.
    counts: Vec<u64>,
    zero_count: u64,
    count: u64,
    min: f64,
    max: f64,
    sum_fixed: u128,
    exact_limit: usize,
    exact: Option<Vec<f64>>,
}

impl Sketch {
    /// An empty sketch with relative accuracy `alpha` (in (0, 1)) that keeps raw values while
    /// it holds at most `exact_limit` of them (0: never).
    pub fn new(alpha: f64, exact_limit: usize) -> InputResult<Self> {
        if !(alpha.is_finite() && alpha > 0.0 && alpha < 1.0) {
            return Err(InputError::new(
                "alpha",
                format!("must lie in (0, 1), got {alpha}"),
            ));
        }
        Ok(Self::with_accuracy(alpha, exact_limit))
    }

    fn with_accuracy(alpha: f64, exact_limit: usize) -> Self {
        Self {
            alpha,
            ln_gamma: ((1.0 + alpha) / (1.0 - alpha)).ln(),
            inv_ln_gamma: 1.0 / ((1.0 + alpha) / (1.0 - alpha)).ln(),
            offset: 0,
            counts: Vec::new(),
            zero_count: 0,
            count: 0,
            min: 0.0,
            max: 0.0,
            sum_fixed: 0,
            exact_limit,
            exact: (exact_limit > 0).then(Vec::new),
        }
    }

    /// An empty sketch at the default 1% accuracy.
    #[must_use]
    pub fn standard(exact_limit: usize) -> Self {
        Self::with_accuracy(DEFAULT_RELATIVE_ACCURACY, exact_limit)
    }

    /// A sketch that keeps no raw values (exact limit 0), rebuilt from its parts as a warehouse
    /// computes them (see `querypack/`): the zero-bucket count, the other buckets as
    /// (index, count) in ascending index order, the exact smallest and largest value, and the
    /// sum in units of 2⁻²⁰ (each value rounded to 2⁻²⁰, as [`Self::add`] keeps it).
    ///
    /// The result equals, field for field, the sketch that adding the same values to
    /// `Sketch::new(alpha, 0)` builds. Parts no set of values could give are refused: an index
    /// repeated or out of order, an empty bucket, a min or max that is negative, not finite, or
    /// not in the lowest or highest non-empty bucket, a sum outside count × [min, max], and an
    /// empty sketch whose min, max or sum is not 0.
    pub fn from_buckets(
        alpha: f64,
        zero_count: u64,
        buckets: &[(i32, u64)],
        min: f64,
        max: f64,
        sum_scaled: u128,
    ) -> InputResult<Self> {
        let mut s = Self::new(alpha, 0)?;
        let mut count = zero_count;
        for (k, &(index, n)) in buckets.iter().enumerate() {
            if n == 0 {
                return Err(InputError::new(
                    format!("buckets[{k}]"),
                    format!("must hold at least one value, bucket {index} holds 0"),
                ));
            }
            if k > 0 && buckets.get(k - 1).is_some_and(|&(prev, _)| prev >= index) {
                return Err(InputError::new(
                    format!("buckets[{k}]"),
                    format!("must follow a lower index, got {index} after a bucket ≥ it"),
                ));
            }
            count = count
                .checked_add(n)
                .ok_or_else(|| InputError::new("buckets", "hold more than 2^64 values"))?;
        }
        if count == 0 {
            if min != 0.0 || max != 0.0 || sum_scaled != 0 {
                return Err(InputError::new(
                    "min",
                    format!(
                        "max and sum of an empty sketch must be 0, got {min}, {max}, {sum_scaled}"
                    ),
                ));
            }
            return Ok(s);
        }
        if !(min.is_finite() && max.is_finite() && 0.0 <= min && min <= max) {
            return Err(InputError::new(
                "min",
                format!("and max must be finite with 0 ≤ min ≤ max, got {min} and {max}"),
            ));
        }
        let lowest = buckets.first().map(|&(i, _)| i);
        let highest = buckets.last().map(|&(i, _)| i);
        let min_fits = if zero_count > 0 {
            min < MIN_INDEXABLE
        } else {
            min >= MIN_INDEXABLE && lowest == Some(s.bucket_index(min))
        };
        if !min_fits {
            return Err(InputError::new(
                "min",
                format!("must lie in the lowest non-empty bucket, got {min}"),
            ));
        }
        let max_fits = match highest {
            Some(i) => max >= MIN_INDEXABLE && i == s.bucket_index(max),
            None => max < MIN_INDEXABLE,
        };
        if !max_fits {
            return Err(InputError::new(
                "max",
                format!("must lie in the highest non-empty bucket, got {max}"),
            ));
        }
        let scaled = |x: f64| u128::from((x * SUM_SCALE + 0.5) as u64);
        let n = u128::from(count);
        if sum_scaled < n * scaled(min) || sum_scaled > n * scaled(max) {
            return Err(InputError::new(
                "sum",
                format!(
                    "must lie between count × min and count × max (in 2⁻²⁰ units), got {sum_scaled}"
                ),
            ));
        }
        if let (Some(low), Some(high)) = (lowest, highest) {
            // Both ends are buckets of finite values, so the span is at most a few ten thousand.
            let span = usize::try_from(i64::from(high) - i64::from(low) + 1).unwrap_or(0);
            s.offset = low;
            s.counts = vec![0; span];
            for &(index, n) in buckets {
                let at = usize::try_from(i64::from(index) - i64::from(low)).unwrap_or(0);
                if let Some(c) = s.counts.get_mut(at) {
                    *c = n;
                }
            }
        }
        s.zero_count = zero_count;
        s.count = count;
        s.min = min;
        s.max = max;
        s.sum_fixed = sum_scaled;
        Ok(s)
    }

    /// The relative accuracy α.
    #[must_use]
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The bucket holding `x` (x ≥ [`MIN_INDEXABLE`]).
    #[must_use]
    #[inline]
    pub fn bucket_index(&self, x: f64) -> i32 {
        let table = index_table();
        if self.inv_ln_gamma == table.inv_ln_gamma
            && let Some(i) = table.index(x)
        {
            return i;
        }
        ln_index(x, self.inv_ln_gamma)
    }

    /// The value that represents bucket `index`: 2γ^i ÷ (γ + 1).
    #[must_use]
    pub fn representative(&self, index: i32) -> f64 {
        let gamma = self.ln_gamma.exp();
        2.0 * (f64::from(index) * self.ln_gamma).exp() / (gamma + 1.0)
    }

    #[inline(always)]
    fn bump(&mut self, index: i32, n: u64) {
        // Most values land inside the buckets already spanned; the rest widen the span out of
        // line, so this stays small enough to inline into every add.
        if let Some(c) = usize::try_from(i64::from(index) - i64::from(self.offset))
            .ok()
            .and_then(|at| self.counts.get_mut(at))
        {
            *c += n;
            return;
        }
        self.widen(index, n);
    }

    #[cold]
    #[inline(never)]
    fn widen(&mut self, index: i32, n: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(n);
            return;
        }
        if index < self.offset {
            let grow = usize::try_from(i64::from(self.offset) - i64::from(index)).unwrap_or(0);
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let at = usize::try_from(i64::from(index) - i64::from(self.offset)).unwrap_or(0);
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        if let Some(c) = self.counts.get_mut(at) {
            *c += n;
        }
    }

    /// Adds one value. Refuses (returns false, counting nothing) a value that is negative or
    /// not finite.
    #[inline]
    pub fn add(&mut self, x: f64) -> bool {
        if !(x.is_finite() && x >= 0.0) {
            return false;
        }
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        // Round half up by truncation (x ≥ 0); `as` saturates at 2^64, so 2^64 values cannot
        // overflow the 128-bit sum.
        self.sum_fixed = self
            .sum_fixed
            .saturating_add(u128::from((x * SUM_SCALE + 0.5) as u64));
        if x < MIN_INDEXABLE {
            self.zero_count += 1;
        } else {
            self.bump(self.bucket_index(x), 1);
        }
        if self.exact.is_some() {
            self.keep_exact(x);
        }
        true
    }

    /// Keeps `x` among the raw values, or drops them all once there are more than the limit.
    #[cold]
    fn keep_exact(&mut self, x: f64) {
        if let Some(values) = &mut self.exact {
            if self.count as usize <= self.exact_limit {
                values.push(x);
            } else {
                self.exact = None;
            }
        }
    }

    /// Adds `other`'s values. Refuses a sketch of another accuracy or exact limit.
    pub fn merge(&mut self, other: &Self) -> InputResult<()> {
        if self.alpha != other.alpha || self.exact_limit != other.exact_limit {
            return Err(InputError::new(
                "sketch",
                format!(
                    "must share accuracy and exact limit to merge: {} / {} vs {} / {}",
                    self.alpha, self.exact_limit, other.alpha, other.exact_limit
                ),
            ));
        }
        if other.count == 0 {
            return Ok(());
        }
        if self.count == 0 {
            self.min = other.min;
            self.max = other.max;
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        let total = self.count + other.count;
        self.exact = match (self.exact.take(), &other.exact) {
            (Some(mut mine), Some(theirs)) if total as usize <= self.exact_limit => {
                mine.extend_from_slice(theirs);
                Some(mine)
            }
            _ => None,
        };
        self.count = total;
        self.zero_count += other.zero_count;
        self.sum_fixed = self.sum_fixed.saturating_add(other.sum_fixed);
        for (i, &n) in other.counts.iter().enumerate() {
            if n > 0 {
                let index = i64::from(other.offset) + i as i64;
                self.bump(i32::try_from(index).unwrap_or(i32::MAX), n);
            }
        }
        Ok(())
    }

    /// Sorts the kept raw values, so sketches of the same values compare equal whatever the
    /// order they were added or merged in.
    pub fn normalize(&mut self) {
        if let Some(values) = &mut self.exact {
            values.sort_by(f64::total_cmp);
        }
    }

    /// Values added.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Smallest value; `None` when empty.
    #[must_use]
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value; `None` when empty.
    #[must_use]
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Sum of the values, each rounded to 2⁻²⁰.
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.sum_fixed as f64 / SUM_SCALE
    }

    /// Mean; `None` when empty.
    #[must_use]
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum() / self.count as f64)
    }

    /// True while the raw values are kept, so quantiles are exact.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.exact.is_some() && self.count > 0
    }

    /// Values in the zero bucket.
    #[must_use]
    pub fn zero_count(&self) -> u64 {
        self.zero_count
    }

    /// Non-empty buckets as (index, count), ascending.
    pub fn buckets(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| (self.offset.saturating_add(i as i32), n))
    }

    /// The representative of the order statistic of 0-based rank `k`, clamped to [min, max].
    fn value_at_rank(&self, k: u64) -> f64 {
        if k < self.zero_count {
            return self.min;
        }
        let mut seen = self.zero_count;
        for (index, n) in self.buckets() {
            seen += n;
            if k < seen {
                return self.representative(index).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// The `p`-quantile (p in [0, 1]) at rank p × (n − 1), interpolated between neighbouring
    /// order statistics as [`crate::calc::percentile::of_sorted`] does: exact while the raw values are
    /// kept, else within α of the exact value. `None` when empty.
    #[must_use]
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        if let Some(values) = &self.exact {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            return percentile::of_sorted(&sorted, p);
        }
        let rank = p.clamp(0.0, 1.0) * (self.count - 1) as f64;
        let lower = rank.floor();
        let (a, b) = (
            self.value_at_rank(lower as u64),
            self.value_at_rank(rank.ceil() as u64),
        );
        Some(a + (b - a) * (rank - lower))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_index_table_gives_the_logarithm_s_bucket_at_every_boundary_and_between() {
        let s = Sketch::standard(0);
        let table = index_table();
        assert_eq!(table.inv_ln_gamma, s.inv_ln_gamma);
        // Every range's boundary, the values next to it and the ends of the range.
        for (k, &(_, next)) in table.ranges.iter().enumerate() {
            let lo = (table.first_range + k as u64) << RANGE_SHIFT;
            let hi = ((table.first_range + k as u64 + 1) << RANGE_SHIFT) - 1;
            let mut probes = vec![lo, lo + 1, hi - 1, hi];
            if next.is_finite() {
                let b = next.to_bits();
                probes.extend([b - 2, b - 1, b, b + 1, b + 2]);
            }
            for bits in probes {
                let x = f64::from_bits(bits);
                assert_eq!(table.index(x), Some(ln_index(x, s.inv_ln_gamma)), "{x}");
            }
        }
        // Whole numbers (token counts) and millisecond values with a few decimals.
        for n in 1..200_000u32 {
            for x in [f64::from(n), f64::from(n) / 10.0, f64::from(n) / 100.0] {
                assert_eq!(s.bucket_index(x), ln_index(x, s.inv_ln_gamma), "{x}");
            }
        }
        // Outside the table the logarithm answers.
        assert_eq!(table.index(1e-6), None);
        assert_eq!(table.index(1e12), None);
        assert_eq!(s.bucket_index(1e12), ln_index(1e12, s.inv_ln_gamma));
        // Another accuracy never uses the table.
        let other = Sketch::new(0.02, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            other.bucket_index(100.0),
            ln_index(100.0, other.inv_ln_gamma)
        );
    }

    proptest! {
        #[test]
        fn the_index_table_agrees_with_the_logarithm(bits in (1e-12f64).to_bits()..(1e13f64).to_bits()) {
            let x = f64::from_bits(bits);
            let s = Sketch::standard(0);
            prop_assert_eq!(s.bucket_index(x), ln_index(x, s.inv_ln_gamma));
        }
    }

    #[test]
    fn buckets_and_representatives_by_hand() {
        let s = Sketch::standard(0);
        // ln γ = ln(1.01 / 0.99) = 2(0.01 + 0.01³/3 + …) ≈ 0.0200006667.
        assert!((s.ln_gamma - 0.020_000_666_7).abs() < 1e-10);
        assert_eq!(s.bucket_index(1.0), 0);
        // ln 100 ÷ ln γ = 4.605170 ÷ 0.0200007 = 230.25 → bucket 231.
        assert_eq!(s.bucket_index(100.0), 231);
        // 2γ^231 ÷ (γ + 1) ≈ 100.49, within 1% of 100.
        let r = s.representative(231);
        assert!((r - 100.0).abs() / 100.0 < 0.01 && r > 100.0);
    }

    #[test]
    fn exact_values_are_kept_up_to_the_limit() {
        let mut s = Sketch::standard(3);
        for x in [4.0, 1.0, 3.0] {
            s.add(x);
        }
        assert!(s.is_exact());
        // Exact: rank 0.5 × 2 = 1 → 3.
        assert_eq!(s.quantile(0.5), Some(3.0));
        s.add(2.0);
        assert!(!s.is_exact());
        assert_eq!(
            (s.count(), s.min(), s.max(), s.sum()),
            (4, Some(1.0), Some(4.0), 10.0)
        );
        // Sketched: rank 1.5 between 2 and 3, each within 1%.
        let q = s.quantile(0.5).unwrap_or(0.0);
        assert!((q - 2.5).abs() <= 0.01 * 2.5);
    }

    #[test]
    fn zeros_refusals_and_empty() {
        let mut s = Sketch::standard(0);
        assert_eq!(s.quantile(0.5), None);
        assert!(!s.add(-1.0) && !s.add(f64::NAN) && !s.add(f64::INFINITY));
        assert_eq!(s.count(), 0);
        s.add(0.0);
        s.add(0.0);
        s.add(10.0);
        assert_eq!(s.zero_count(), 2);
        assert_eq!(s.quantile(0.0), Some(0.0));
        assert_eq!(s.quantile(0.5), Some(0.0));
        // The top is clamped to the exact max.
        assert_eq!(s.quantile(1.0), Some(10.0));
        assert_eq!(s.mean(), Some(10.0 / 3.0));
    }

    #[test]
    fn merging_refuses_other_settings() {
        let mut a = Sketch::standard(0);
        let b = Sketch::new(0.02, 0).unwrap_or_else(|e| panic!("{e}"));
        assert!(a.merge(&b).is_err());
        assert!(a.merge(&Sketch::standard(5)).is_err());
        assert!(Sketch::new(1.0, 0).is_err());
        assert!(Sketch::new(0.0, 0).is_err());
    }

    #[test]
    fn from_buckets_by_hand_and_refusals() {
        // Values 0, 1, 1, 100: zero bucket 1; bucket 0 holds the two 1s, bucket 231 the 100.
        let mut added = Sketch::standard(0);
        for x in [0.0, 1.0, 1.0, 100.0] {
            added.add(x);
        }
        // Sum in 2⁻²⁰ units: (0 + 1 + 1 + 100) × 1,048,576 = 106,954,752.
        let rebuilt = Sketch::from_buckets(0.01, 1, &[(0, 2), (231, 1)], 0.0, 100.0, 106_954_752)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rebuilt, added);
        assert_eq!(
            Sketch::from_buckets(0.01, 0, &[], 0.0, 0.0, 0).ok(),
            Some(Sketch::standard(0))
        );
        let bad = |zero, buckets: &[(i32, u64)], min, max, sum| {
            Sketch::from_buckets(0.01, zero, buckets, min, max, sum)
                .err()
                .map(|e| e.field)
        };
        let sum = 106_954_752;
        assert_eq!(
            bad(1, &[(231, 1), (0, 2)], 0.0, 100.0, sum),
            Some("buckets[1]".into())
        );
        assert_eq!(
            bad(1, &[(0, 2), (0, 1)], 0.0, 100.0, sum),
            Some("buckets[1]".into())
        );
        assert_eq!(
            bad(1, &[(0, 0), (231, 1)], 0.0, 100.0, sum),
            Some("buckets[0]".into())
        );
        // The min must sit in the zero bucket when it holds values, the max in bucket 231.
        assert_eq!(
            bad(1, &[(0, 2), (231, 1)], 1.0, 100.0, sum),
            Some("min".into())
        );
        assert_eq!(
            bad(1, &[(0, 2), (231, 1)], 0.0, 99.0, sum),
            Some("max".into())
        );
        assert_eq!(
            bad(1, &[(0, 2), (231, 1)], 0.0, f64::NAN, sum),
            Some("min".into())
        );
        // 4 values of at most 100 sum to at most 400 × 2²⁰.
        assert_eq!(
            bad(1, &[(0, 2), (231, 1)], 0.0, 100.0, 400 * 1_048_576 + 1),
            Some("sum".into())
        );
        assert_eq!(bad(0, &[], 0.0, 1.0, 0), Some("min".into()));
        assert!(Sketch::from_buckets(1.5, 0, &[], 0.0, 0.0, 0).is_err());
    }

    fn values() -> impl Strategy<Value = Vec<f64>> {
        // Log-uniform over 10⁻³ … 10⁷, with some exact zeros.
        prop::collection::vec(
            prop_oneof![9 => (-3.0f64..7.0).prop_map(|e| 10f64.powf(e)), 1 => Just(0.0)],
            1..400,
        )
    }

    proptest! {
        #[test]
        fn quantiles_lie_within_alpha_of_exact_percentiles(
            v in values(),
            p in 0.0f64..=1.0,
        ) {
            let mut s = Sketch::standard(0);
            for &x in &v {
                s.add(x);
            }
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let exact = percentile::of_sorted(&sorted, p).unwrap_or(0.0);
            let got = s.quantile(p).unwrap_or(f64::NAN);
            // α plus float rounding at bucket edges.
            prop_assert!((got - exact).abs() <= DEFAULT_RELATIVE_ACCURACY * exact * (1.0 + 1e-9) + 1e-12,
                "p={p} exact={exact} got={got}");
        }

        #[test]
        fn merge_equals_the_sketch_of_the_union(
            v in values(),
            split in 0usize..400,
            limit in 0usize..300,
        ) {
            let k = split.min(v.len());
            let (left, right) = v.split_at(k);
            let sketch = |xs: &[f64]| {
                let mut s = Sketch::standard(limit);
                xs.iter().for_each(|&x| { s.add(x); });
                s
            };
            let mut all = sketch(&v);
            // Merged both ways round.
            let mut ab = sketch(left);
            prop_assert!(ab.merge(&sketch(right)).is_ok());
            let mut ba = sketch(right);
            prop_assert!(ba.merge(&sketch(left)).is_ok());
            for s in [&mut ab, &mut ba, &mut all] {
                s.normalize();
            }
            prop_assert_eq!(ab.buckets().collect::<Vec<_>>(), all.buckets().collect::<Vec<_>>());
            prop_assert_eq!(&ab, &all);
            prop_assert_eq!(&ba, &all);
        }

        #[test]
        fn from_buckets_rebuilds_the_sketch_of_the_values(v in values()) {
            let mut s = Sketch::standard(0);
            v.iter().for_each(|&x| { s.add(x); });
            let buckets: Vec<(i32, u64)> = s.buckets().collect();
            let rebuilt = Sketch::from_buckets(
                DEFAULT_RELATIVE_ACCURACY,
                s.zero_count(),
                &buckets,
                s.min().unwrap_or(0.0),
                s.max().unwrap_or(0.0),
                s.sum_fixed,
            );
            prop_assert_eq!(rebuilt, Ok(s));
        }
    }
}
