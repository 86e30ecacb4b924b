//! Percentiles by linear interpolation between order statistics.

/// The `p`-quantile (p in [0, 1]) of `sorted` (ascending): rank p × (n − 1), interpolated
/// linearly between the neighbouring order statistics. `None` for an empty slice.
#[must_use]
pub fn of_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let lower = rank.floor() as usize;
    let upper = rank.ceil() as usize;
    let (a, b) = (sorted.get(lower)?, sorted.get(upper)?);
    Some(a + (b - a) * (rank - lower as f64))
}

/// Sorts a copy of `values` and returns the requested quantiles, in order.
#[must_use]
pub fn many(values: &[f64], ps: &[f64]) -> Vec<Option<f64>> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    ps.iter().map(|&p| of_sorted(&sorted, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_order_statistics() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(of_sorted(&v, 0.5), Some(2.5));
        assert_eq!(of_sorted(&v, 0.0), Some(1.0));
        assert_eq!(of_sorted(&v, 1.0), Some(4.0));
        // rank 0.99 × 3 = 2.97 → 3 + 0.97.
        assert!((of_sorted(&v, 0.99).unwrap_or(0.0) - 3.97).abs() < 1e-12);
    }

    #[test]
    fn single_value_is_every_percentile() {
        assert_eq!(of_sorted(&[7.0], 0.99), Some(7.0));
        assert_eq!(of_sorted(&[], 0.5), None);
    }

    #[test]
    fn many_sorts_first() {
        let got = many(&[3.0, 1.0, 2.0], &[0.0, 0.5, 1.0]);
        assert_eq!(got, vec![Some(1.0), Some(2.0), Some(3.0)]);
    }
}
