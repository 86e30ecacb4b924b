//! Prompt-cache break-even: how many reuses of a cached prefix within its lifetime pay for the
//! cache write and its storage rent.
//!
//! Decimal throughout: per-token prices are millionths of the typed $/M prices, and Decimal
//! keeps them exact.

use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{InputError, InputResult, non_negative_money};
use crate::money::TOKENS_PER_PRICE_UNIT;

/// A cached prefix and the prices that bear on it ($/M tokens; storage in $/M tokens per hour).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachePrices {
    /// Tokens in the cached prefix.
    pub prefix_tokens: Decimal,
    /// Price of the same tokens uncached.
    pub uncached_input_price_per_m: Decimal,
    /// Price of writing them to the cache.
    pub cache_write_price_per_m: Decimal,
    /// Price of reading them from the cache.
    pub cache_read_price_per_m: Decimal,
    /// Storage rent per million tokens per hour (explicit caches).
    #[serde(default)]
    pub storage_price_per_m_hour: Decimal,
    /// Hours the prefix is kept.
    #[serde(default)]
    pub storage_hours: Decimal,
}

/// The reuse counts that are reported by default.
pub const REPORTED_REUSES: [u32; 4] = [1, 5, 10, 100];

/// Where the cache pays off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheBreakEven {
    /// Tokens in the cached prefix.
    #[serde(with = "rust_decimal::serde::float")]
    pub prefix_tokens: Decimal,
    /// Cache write price per token.
    #[serde(with = "rust_decimal::serde::float")]
    pub write_price_per_token: Decimal,
    /// Cache read price per token.
    #[serde(with = "rust_decimal::serde::float")]
    pub read_price_per_token: Decimal,
    /// Uncached price per token.
    #[serde(with = "rust_decimal::serde::float")]
    pub uncached_price_per_token: Decimal,
    /// Requests within the lifetime at which caching costs the same as not caching; `None`
    /// when reading costs as much as not caching.
    #[serde(with = "rust_decimal::serde::float_option")]
    pub break_even_requests: Option<Decimal>,
    /// True when the read price is at or above the uncached price.
    pub never_pays_off: bool,
    /// Savings after n requests, for n in [`REPORTED_REUSES`].
    #[serde(serialize_with = "savings_map")]
    pub savings_at_n: Vec<(u32, Decimal)>,
    /// Storage rent for the prefix over its lifetime.
    #[serde(with = "rust_decimal::serde::float")]
    pub storage_cost: Decimal,
}

fn savings_map<S: Serializer>(rows: &[(u32, Decimal)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(rows.len()))?;
    for (n, saving) in rows {
        map.serialize_entry(&n.to_string(), &crate::money::to_f64(*saving))?;
    }
    map.end()
}

fn too_large() -> InputError {
    InputError::new("prefix_tokens", "is too large to compute exactly")
}

impl CachePrices {
    /// Checks every field against its rule.
    pub fn validate(&self) -> InputResult<()> {
        for (field, value) in [
            ("prefix_tokens", self.prefix_tokens),
            (
                "uncached_input_price_per_m",
                self.uncached_input_price_per_m,
            ),
            ("cache_write_price_per_m", self.cache_write_price_per_m),
            ("cache_read_price_per_m", self.cache_read_price_per_m),
            ("storage_price_per_m_hour", self.storage_price_per_m_hour),
            ("storage_hours", self.storage_hours),
        ] {
            non_negative_money(field, value)?;
        }
        Ok(())
    }

    /// Storage rent for the whole prefix over its lifetime.
    pub fn storage_cost(&self) -> InputResult<Decimal> {
        (self.storage_price_per_m_hour / TOKENS_PER_PRICE_UNIT)
            .checked_mul(self.storage_hours)
            .and_then(|v| v.checked_mul(self.prefix_tokens))
            .ok_or_else(too_large)
    }

    /// Savings of caching over not caching after `n` requests that use the prefix.
    pub fn savings_at(&self, n: u32) -> InputResult<Decimal> {
        let per = |p: Decimal| p / TOKENS_PER_PRICE_UNIT;
        let n = Decimal::from(n);
        let uncached = self
            .prefix_tokens
            .checked_mul(n)
            .and_then(|v| v.checked_mul(per(self.uncached_input_price_per_m)))
            .ok_or_else(too_large)?;
        let reads = (n - Decimal::ONE).max(Decimal::ZERO);
        let cached = per(self.cache_read_price_per_m)
            .checked_mul(reads)
            .and_then(|v| v.checked_add(per(self.cache_write_price_per_m)))
            .and_then(|v| v.checked_mul(self.prefix_tokens))
            .and_then(|v| v.checked_add(self.storage_cost().ok()?))
            .ok_or_else(too_large)?;
        Ok(uncached - cached)
    }
}

/// Computes the break-even reuse count and savings at the reported counts.
pub fn cache_break_even(prices: &CachePrices) -> InputResult<CacheBreakEven> {
    prices.validate()?;
    let per = |p: Decimal| p / TOKENS_PER_PRICE_UNIT;
    let (uncached, write, read) = (
        per(prices.uncached_input_price_per_m),
        per(prices.cache_write_price_per_m),
        per(prices.cache_read_price_per_m),
    );
    let storage_per_token = per(prices.storage_price_per_m_hour)
        .checked_mul(prices.storage_hours)
        .ok_or_else(too_large)?;
    let never_pays_off = read >= uncached;
    let break_even_requests = if never_pays_off {
        None
    } else {
        (write - read + storage_per_token).checked_div(uncached - read)
    };
    let savings_at_n = REPORTED_REUSES
        .iter()
        .map(|&n| prices.savings_at(n).map(|s| (n, s)))
        .collect::<InputResult<Vec<_>>>()?;
    Ok(CacheBreakEven {
        prefix_tokens: prices.prefix_tokens,
        write_price_per_token: write,
        read_price_per_token: read,
        uncached_price_per_token: uncached,
        break_even_requests,
        never_pays_off,
        savings_at_n,
        storage_cost: prices.storage_cost()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn prices(prefix: &str, uncached: &str, write: &str, read: &str) -> CachePrices {
        CachePrices {
            prefix_tokens: d(prefix),
            uncached_input_price_per_m: d(uncached),
            cache_write_price_per_m: d(write),
            cache_read_price_per_m: d(read),
            storage_price_per_m_hour: Decimal::ZERO,
            storage_hours: Decimal::ZERO,
        }
    }

    #[test]
    fn five_minute_cache_breaks_even_at_1_28_requests() {
        let r = cache_break_even(&prices("50000", "3", "3.75", "0.3"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.break_even_requests.map(|v| v.round_dp(4)),
            Some(d("1.2778"))
        );
        assert_eq!(r.savings_at_n[0], (1, d("-0.0375")));
        assert_eq!(r.savings_at_n[3], (100, d("13.3275")));
    }

    #[test]
    fn storage_rent_moves_break_even_and_is_exact() {
        let mut p = prices("100000", "1.25", "1.25", "0.125");
        p.storage_price_per_m_hour = d("4.5");
        p.storage_hours = d("1");
        let r = cache_break_even(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.break_even_requests, Some(d("5")));
        assert_eq!(r.storage_cost, d("0.45"));
        // At the break-even count the savings are exactly zero.
        assert_eq!(r.savings_at_n[1], (5, Decimal::ZERO));
    }

    #[test]
    fn read_at_or_above_uncached_never_pays_off() {
        let r = cache_break_even(&prices("1000", "1", "1", "1")).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.never_pays_off);
        assert_eq!(r.break_even_requests, None);
        let r = cache_break_even(&prices("1000", "1", "1", "2")).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.never_pays_off);
    }

    #[test]
    fn negative_prefix_is_refused() {
        let err = cache_break_even(&prices("-1", "1", "1", "0.1")).err();
        assert_eq!(err.map(|e| e.field), Some("prefix_tokens".into()));
    }
}
