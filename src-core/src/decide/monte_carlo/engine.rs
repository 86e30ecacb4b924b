//! Monte Carlo simulation of any model over uncertain inputs: per-output P10/P50/P90, mean and
//! extremes, the chance one output comes out below another, and each input's Spearman rank
//! correlation with each output.
//!
//! The model is a closure from one vector of input values to the outputs, so any computation
//! (a scenario evaluation, an LCPR formula) can be simulated without this module knowing it.
//!
//! Choices, and why:
//! - Each input draws from its own xoshiro256++ stream, seeded from the run's seed and the
//!   input's id. The same seed gives identical results, and adding, removing or reordering
//!   inputs leaves every other input's draws unchanged, so two runs differ only where their
//!   inputs differ.
//! - Every output of one draw shares that draw's input values (common random numbers): "A is
//!   below B" is then judged on the same world for both, not on two independent ones.
//! - A draw the model refuses stops the run with the model's error, naming the draw and the
//!   input values that caused it. Skipping or clamping such draws would quietly bias the range
//!   towards the values the model accepts.
//! - A non-finite output is refused the same way: a percentile of NaN has no meaning.
//! - Percentiles interpolate linearly between order statistics ([`crate::calc::percentile`]); rank
//!   correlation is Pearson's correlation of average ranks (ties share the mean of their
//!   positions), `None` where an input or output never varies.
//! - Memory: outputs are kept per draw (8 bytes × draws × outputs) for [`probability_less`] and
//!   per-draw charts; input values are kept only until the rank correlations are computed.
//!   [`MAX_DRAWS`] caps a run at a size that fits comfortably in memory.

use serde::{Deserialize, Serialize};

use crate::calc::percentile;
use crate::decide::monte_carlo::sampling::{Rng, Sampler};
use crate::document::{Distribution, MAX_DRAWS};
use crate::error::{InputError, InputResult};

/// One uncertain input: a base value and the range it may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertainInput {
    /// Unique name of the input; also keys its random stream.
    pub id: String,
    /// The value used for point estimates; the mode of the distribution.
    pub base: f64,
    /// Lowest plausible value.
    pub low: f64,
    /// Highest plausible value.
    pub high: f64,
    /// How values spread between low and high (triangular unless stated).
    #[serde(default)]
    pub distribution: Distribution,
}

impl UncertainInput {
    /// An input known exactly.
    #[must_use]
    pub fn fixed(id: impl Into<String>, value: f64) -> Self {
        Self {
            id: id.into(),
            base: value,
            low: value,
            high: value,
            distribution: Distribution::Fixed,
        }
    }

    /// Checks low ≤ base ≤ high (finite) and prepares the input's sampler.
    pub fn sampler(&self) -> InputResult<Sampler> {
        if self.id.trim().is_empty() {
            return Err(InputError::new("id", "must not be empty"));
        }
        Sampler::build(self.distribution, self.low, self.base, self.high, "base")
    }
}

/// Validates every input and that ids are unique; returns their samplers in input order.
pub(crate) fn samplers(inputs: &[UncertainInput]) -> InputResult<Vec<Sampler>> {
    let mut ids: Vec<(&str, usize)> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    ids.sort_unstable();
    for pair in ids.windows(2) {
        if let [(a, first), (b, second)] = pair
            && a == b
        {
            return Err(InputError::new(
                format!("inputs[{second}].id"),
                format!("repeats the id of inputs[{first}]: {a}"),
            ));
        }
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, x)| x.sampler().map_err(|e| e.within(&format!("inputs[{i}]"))))
        .collect()
}

/// The spread of one output over all draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputSummary {
    /// The output's name.
    pub name: String,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile (the fan chart's inner band).
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Mean.
    pub mean: f64,
    /// Smallest value drawn.
    pub min: f64,
    /// Largest value drawn.
    pub max: f64,
}

/// One input's Spearman rank correlation with each output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputCorrelation {
    /// The input's id.
    pub input: String,
    /// ρ with each output, in output order; `None` where the input or the output never varies.
    pub spearman: Vec<Option<f64>>,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Draws made.
    pub draws: usize,
    /// The seed the run started from.
    pub seed: u64,
    /// One summary per output, in the order the outputs were named.
    pub outputs: Vec<OutputSummary>,
    /// One entry per input, in input order.
    pub rank_correlations: Vec<InputCorrelation>,
    /// Every draw's outputs, one column per output, in draw order.
    #[serde(skip)]
    samples: Vec<Vec<f64>>,
}

impl Simulation {
    /// The summary of the output called `name`.
    #[must_use]
    pub fn output(&self, name: &str) -> Option<&OutputSummary> {
        self.outputs.iter().find(|o| o.name == name)
    }

    /// Every draw's value of the output called `name`, in draw order.
    #[must_use]
    pub fn samples(&self, name: &str) -> Option<&[f64]> {
        let i = self.outputs.iter().position(|o| o.name == name)?;
        self.samples.get(i).map(Vec::as_slice)
    }

    /// Spearman's ρ between an input and an output; `None` for unknown names or when either
    /// never varies.
    #[must_use]
    pub fn rank_correlation(&self, input: &str, output: &str) -> Option<f64> {
        let o = self.outputs.iter().position(|x| x.name == output)?;
        let row = self.rank_correlations.iter().find(|c| c.input == input)?;
        row.spearman.get(o).copied().flatten()
    }
}

/// The share of draws in which output `a` is strictly below output `b` (ties count as not
/// below), e.g. the chance that scenario A's LCPR beats scenario B's.
pub fn probability_less(sim: &Simulation, a: &str, b: &str) -> InputResult<f64> {
    let column = |name: &str, field: &str| {
        sim.samples(name)
            .ok_or_else(|| InputError::new(field, format!("names no output of the run: {name}")))
    };
    let (xs, ys) = (column(a, "a")?, column(b, "b")?);
    let below = xs.iter().zip(ys).filter(|(x, y)| x < y).count();
    Ok(below as f64 / sim.draws as f64)
}

/// Runs `draws` draws of `f`, which returns one value per name in `outputs`.
///
/// Convenient when the model builds its outputs as a vector; [`simulate_into`] avoids that
/// allocation per draw.
pub fn simulate<S, F>(
    inputs: &[UncertainInput],
    draws: usize,
    seed: u64,
    outputs: &[S],
    mut f: F,
) -> InputResult<Simulation>
where
    S: AsRef<str>,
    F: FnMut(&[f64]) -> InputResult<Vec<f64>>,
{
    let expected = outputs.len();
    simulate_into(inputs, draws, seed, outputs, |values, out| {
        let got = f(values)?;
        if got.len() != expected {
            return Err(InputError::new(
                "outputs",
                format!(
                    "must have one value per output name ({expected}), the model returned {}",
                    got.len()
                ),
            ));
        }
        for (slot, value) in out.iter_mut().zip(got) {
            *slot = value;
        }
        Ok(())
    })
}

/// Runs `draws` draws of `f`, which writes one value per name in `outputs` into the slice it
/// is given (reused from draw to draw, so a run allocates nothing per draw).
///
/// Refuses: no outputs, repeated or empty names, 0 or more than [`MAX_DRAWS`] draws, an invalid
/// input, and any draw the model refuses or answers with a non-finite value.
pub fn simulate_into<S, F>(
    inputs: &[UncertainInput],
    draws: usize,
    seed: u64,
    outputs: &[S],
    mut f: F,
) -> InputResult<Simulation>
where
    S: AsRef<str>,
    F: FnMut(&[f64], &mut [f64]) -> InputResult<()>,
{
    if draws == 0 || draws > MAX_DRAWS {
        return Err(InputError::new(
            "draws",
            format!("must lie in [1, {MAX_DRAWS}], got {draws}"),
        ));
    }
    let names: Vec<&str> = outputs.iter().map(AsRef::as_ref).collect();
    check_output_names(&names)?;
    let samplers = samplers(inputs)?;
    let mut rngs: Vec<Rng> = inputs
        .iter()
        .map(|x| Rng::seed_from_u64(seed ^ stable_hash(&x.id)))
        .collect();
    let mut input_columns: Vec<Vec<f64>> =
        inputs.iter().map(|_| Vec::with_capacity(draws)).collect();
    let mut output_columns: Vec<Vec<f64>> =
        names.iter().map(|_| Vec::with_capacity(draws)).collect();
    let mut row = vec![0.0; inputs.len()];
    let mut out = vec![0.0; names.len()];
    for draw in 0..draws {
        for (((value, sampler), rng), column) in row
            .iter_mut()
            .zip(&samplers)
            .zip(&mut rngs)
            .zip(&mut input_columns)
        {
            *value = sampler.sample(rng);
            column.push(*value);
        }
        out.fill(f64::NAN);
        if let Err(e) = f(&row, &mut out) {
            return Err(InputError::new(
                e.field,
                format!("{}{}", e.rule, at_draw(draw, draws, inputs, &row)),
            ));
        }
        for ((value, column), name) in out.iter().zip(&mut output_columns).zip(&names) {
            if !value.is_finite() {
                return Err(InputError::new(
                    format!("outputs[{name}]"),
                    format!(
                        "must be a finite number, got {value}{}",
                        at_draw(draw, draws, inputs, &row)
                    ),
                ));
            }
            column.push(*value);
        }
    }
    let mut order: Vec<(f64, u32)> = Vec::with_capacity(draws);
    let mut sorted = Vec::with_capacity(draws);
    let mut output_ranks = Vec::with_capacity(names.len());
    let mut summaries = Vec::with_capacity(names.len());
    for (name, column) in names.iter().zip(&output_columns) {
        let mut ranks = vec![0.0; draws];
        average_ranks(column, &mut order, &mut ranks);
        sorted.clear();
        sorted.extend(order.iter().map(|p| p.0));
        let pct = |p| percentile::of_sorted(&sorted, p).unwrap_or(f64::NAN);
        summaries.push(OutputSummary {
            name: (*name).to_owned(),
            p10: pct(0.1),
            p25: pct(0.25),
            p50: pct(0.5),
            p75: pct(0.75),
            p90: pct(0.9),
            mean: column.iter().sum::<f64>() / draws as f64,
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
        });
        output_ranks.push(RankColumn::new(ranks));
    }
    let mut input_ranks = vec![0.0; draws];
    let mut rank_correlations = Vec::with_capacity(inputs.len());
    for ((input, sampler), column) in inputs.iter().zip(&samplers).zip(input_columns) {
        let spearman = if sampler.is_fixed() {
            vec![None; names.len()]
        } else {
            average_ranks(&column, &mut order, &mut input_ranks);
            let x = RankColumn::new(std::mem::take(&mut input_ranks));
            let row = output_ranks.iter().map(|y| x.correlation(y)).collect();
            input_ranks = x.ranks;
            row
        };
        rank_correlations.push(InputCorrelation {
            input: input.id.clone(),
            spearman,
        });
    }
    Ok(Simulation {
        draws,
        seed,
        outputs: summaries,
        rank_correlations,
        samples: output_columns,
    })
}

fn check_output_names(names: &[&str]) -> InputResult<()> {
    if names.is_empty() {
        return Err(InputError::new("outputs", "must name at least one output"));
    }
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(InputError::new(
                format!("outputs[{i}]"),
                "must not be empty",
            ));
        }
        if let Some(first) = names.iter().position(|n| n == name)
            && first < i
        {
            return Err(InputError::new(
                format!("outputs[{i}]"),
                format!("repeats the name of outputs[{first}]: {name}"),
            ));
        }
    }
    Ok(())
}

/// " (draw 17 of 10000, at a = 1, b = 2)": where a refused draw happened.
fn at_draw(draw: usize, draws: usize, inputs: &[UncertainInput], row: &[f64]) -> String {
    let values: Vec<String> = inputs
        .iter()
        .zip(row)
        .map(|(x, v)| format!("{} = {v}", x.id))
        .collect();
    if values.is_empty() {
        format!(" (draw {draw} of {draws})")
    } else {
        format!(" (draw {draw} of {draws}, at {})", values.join(", "))
    }
}

/// FNV-1a over the id's bytes: a hash fixed forever, unlike the standard library's.
fn stable_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Writes the average rank (1-based) of each value into `ranks`; `order` is scratch space and
/// is left holding (value, index) pairs in ascending order of value.
fn average_ranks(values: &[f64], order: &mut Vec<(f64, u32)>, ranks: &mut [f64]) {
    order.clear();
    // Sorting values with their indices keeps the comparisons in cache; MAX_DRAWS fits in u32.
    order.extend(values.iter().zip(0u32..).map(|(&v, i)| (v, i)));
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut start = 0;
    while let Some(&(v, _)) = order.get(start) {
        let mut end = start + 1;
        while order.get(end).is_some_and(|p| p.0 == v) {
            end += 1;
        }
        // Positions start..end (0-based) share the mean of start+1..=end.
        let rank = (start + end + 1) as f64 / 2.0;
        for &(_, i) in order.get(start..end).unwrap_or_default() {
            if let Some(r) = ranks.get_mut(i as usize) {
                *r = rank;
            }
        }
        start = end;
    }
}

/// Ranks centred on their mean, with their sum of squares, ready for correlation.
struct RankColumn {
    ranks: Vec<f64>,
    centre: f64,
    sum_sq: f64,
}

impl RankColumn {
    fn new(ranks: Vec<f64>) -> Self {
        // Average ranks always sum to n(n+1)/2, ties or not: the mean is (n+1)/2.
        let centre = (ranks.len() + 1) as f64 / 2.0;
        let sum_sq = ranks.iter().map(|r| (r - centre) * (r - centre)).sum();
        Self {
            ranks,
            centre,
            sum_sq,
        }
    }

    fn correlation(&self, other: &Self) -> Option<f64> {
        if self.sum_sq <= 0.0 || other.sum_sq <= 0.0 {
            return None;
        }
        let cross: f64 = self
            .ranks
            .iter()
            .zip(&other.ranks)
            .map(|(x, y)| (x - self.centre) * (y - other.centre))
            .sum();
        Some((cross / (self.sum_sq * other.sum_sq).sqrt()).clamp(-1.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(id: &str, base: f64, low: f64, high: f64, d: Distribution) -> UncertainInput {
        UncertainInput {
            id: id.into(),
            base,
            low,
            high,
            distribution: d,
        }
    }

    fn linear(draws: usize, seed: u64) -> Simulation {
        let x = input("x", 5.0, 0.0, 10.0, Distribution::Uniform);
        simulate(&[x], draws, seed, &["y"], |v| Ok(vec![2.0 * v[0] + 3.0]))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn linear_model_of_a_uniform_has_known_quantiles() {
        // x ~ U(0, 10), y = 2x + 3 ~ U(3, 23): P10 = 5, P50 = 13, P90 = 21, mean 13.
        // The p-quantile of n uniform draws has standard error √(p(1−p)/n) × width:
        // at n = 10,000 that is 0.003 × 20 = 0.06 for P10/P90 and 0.005 × 20 = 0.1 for P50.
        // Four standard errors: 0.25 and 0.4.
        let sim = linear(10_000, 1);
        let y = sim.output("y").unwrap_or_else(|| panic!("no y"));
        assert!((y.p10 - 5.0).abs() < 0.25, "{}", y.p10);
        assert!((y.p50 - 13.0).abs() < 0.4, "{}", y.p50);
        assert!((y.p90 - 21.0).abs() < 0.25, "{}", y.p90);
        // Mean: σ = 20/√12 = 5.77, standard error 0.058.
        assert!((y.mean - 13.0).abs() < 0.25, "{}", y.mean);
        assert!(y.min >= 3.0 && y.max < 23.0);
        assert!(y.min < 3.1 && y.max > 22.9);
    }

    #[test]
    fn same_seed_same_result_and_other_seeds_differ() {
        let a = linear(2_000, 42);
        assert_eq!(a, linear(2_000, 42));
        assert_eq!(a.samples("y"), linear(2_000, 42).samples("y"));
        let b = linear(2_000, 43);
        assert_ne!(a.outputs, b.outputs);
        assert_eq!((a.seed, a.draws), (42, 2_000));
    }

    #[test]
    fn monotone_models_have_rank_correlation_of_one() {
        let inputs = [
            input("x", 1.0, 0.0, 2.0, Distribution::Triangular),
            input("k", 3.0, 3.0, 3.0, Distribution::Triangular),
        ];
        let sim = simulate(&inputs, 1_000, 7, &["up", "down", "flat"], |v| {
            Ok(vec![v[0].powi(3) + v[1], (-v[0]).exp(), v[1]])
        });
        let sim = sim.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sim.rank_correlation("x", "up"), Some(1.0));
        assert_eq!(sim.rank_correlation("x", "down"), Some(-1.0));
        // A constant output, or an input that never varies, has no correlation.
        assert_eq!(sim.rank_correlation("x", "flat"), None);
        assert_eq!(sim.rank_correlation("k", "up"), None);
        assert_eq!(sim.rank_correlation("nope", "up"), None);
    }

    #[test]
    fn independent_input_has_rank_correlation_near_zero() {
        let inputs = [
            input("a", 0.5, 0.0, 1.0, Distribution::Uniform),
            input("b", 0.5, 0.0, 1.0, Distribution::Uniform),
        ];
        let sim = simulate(&inputs, 10_000, 3, &["a"], |v| Ok(vec![v[0]]));
        let sim = sim.unwrap_or_else(|e| panic!("{e}"));
        // Under independence ρ has standard error 1/√(n−1) ≈ 0.01.
        let rho = sim.rank_correlation("b", "a").unwrap_or(1.0);
        assert!(rho.abs() < 0.04, "{rho}");
    }

    #[test]
    fn average_ranks_share_ties() {
        let mut order = Vec::new();
        let mut ranks = vec![0.0; 5];
        average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0], &mut order, &mut ranks);
        // Sorted: 1 (rank 1), 2 (rank 2), then three 3s at positions 3, 4, 5 → 4 each.
        assert_eq!(ranks, [4.0, 1.0, 4.0, 2.0, 4.0]);
        // Ties on one side: x = (1, 2, 3, 4), y = (1, 1, 2, 2) → ranks (1.5, 1.5, 3.5, 3.5).
        // Centred: x (−1.5, −.5, .5, 1.5), y (−1, −1, 1, 1); Σxy = 4, Σx² = 5, Σy² = 4.
        // ρ = 4 / √20 = 0.894427.
        let mut rx = vec![0.0; 4];
        let mut ry = vec![0.0; 4];
        average_ranks(&[1.0, 2.0, 3.0, 4.0], &mut order, &mut rx);
        average_ranks(&[1.0, 1.0, 2.0, 2.0], &mut order, &mut ry);
        let rho = RankColumn::new(rx).correlation(&RankColumn::new(ry));
        assert!((rho.unwrap_or(0.0) - 4.0 / 20f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn fixed_inputs_give_zero_spread() {
        let inputs = [
            input("a", 2.0, 1.0, 3.0, Distribution::Fixed),
            UncertainInput::fixed("b", 5.0),
        ];
        let sim = simulate(&inputs, 500, 9, &["sum"], |v| Ok(vec![v[0] + v[1]]));
        let s = sim.unwrap_or_else(|e| panic!("{e}"));
        let y = &s.outputs[0];
        assert_eq!(
            (y.p10, y.p50, y.p90, y.mean, y.min, y.max),
            (7.0, 7.0, 7.0, 7.0, 7.0, 7.0)
        );
    }

    #[test]
    fn probability_less_counts_strictly_below() {
        let x = input("x", 0.5, 0.0, 1.0, Distribution::Uniform);
        let sim = simulate(&[x], 10_000, 5, &["x", "half", "x_again"], |v| {
            Ok(vec![v[0], 0.5, v[0]])
        });
        let sim = sim.unwrap_or_else(|e| panic!("{e}"));
        // P(x < 0.5) = 0.5; binomial standard error 0.005.
        let p = probability_less(&sim, "x", "half").unwrap_or(0.0);
        assert!((p - 0.5).abs() < 0.02, "{p}");
        let q = probability_less(&sim, "half", "x").unwrap_or(0.0);
        assert!((p + q - 1.0).abs() < 1e-12);
        // Equal in every draw: never strictly below.
        assert_eq!(probability_less(&sim, "x", "x_again"), Ok(0.0));
        let err = probability_less(&sim, "x", "y").err();
        assert_eq!(err.map(|e| e.field), Some("b".into()));
    }

    #[test]
    fn adding_an_input_leaves_the_others_draws_alone() {
        let a = input("a", 1.0, 0.0, 2.0, Distribution::Triangular);
        let b = input("b", 1.0, 0.0, 2.0, Distribution::Pert);
        let one = simulate(std::slice::from_ref(&a), 300, 11, &["a"], |v| {
            Ok(vec![v[0]])
        });
        let two = simulate(&[b, a], 300, 11, &["a"], |v| Ok(vec![v[1]]));
        let (one, two) = (
            one.unwrap_or_else(|e| panic!("{e}")),
            two.unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(one.samples("a"), two.samples("a"));
    }

    #[test]
    fn a_refused_draw_stops_the_run_and_says_where() {
        let x = input("x", 0.5, 0.0, 1.0, Distribution::Uniform);
        let err = simulate(&[x], 1_000, 1, &["y"], |v| {
            if v[0] > 0.9 {
                Err(InputError::new(
                    "rate",
                    format!("must be ≤ 0.9, got {}", v[0]),
                ))
            } else {
                Ok(vec![v[0]])
            }
        })
        .err()
        .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(err.field, "rate");
        assert!(
            err.rule.starts_with("must be ≤ 0.9, got 0.9"),
            "{}",
            err.rule
        );
        assert!(err.rule.contains(" of 1000, at x = 0.9"), "{}", err.rule);
    }

    #[test]
    fn non_finite_and_misshapen_outputs_are_refused() {
        let x = input("x", 0.5, 0.0, 1.0, Distribution::Uniform);
        let err = simulate(std::slice::from_ref(&x), 10, 1, &["y"], |v| {
            Ok(vec![v[0] / 0.0])
        })
        .err();
        assert_eq!(err.map(|e| e.field), Some("outputs[y]".into()));
        let err = simulate(std::slice::from_ref(&x), 10, 1, &["y"], |_| {
            Ok(vec![1.0, 2.0])
        })
        .err();
        assert!(err.is_some_and(|e| e.rule.contains("the model returned 2")));
        // A model that writes nothing leaves NaN behind, which is refused too.
        let err = simulate_into(std::slice::from_ref(&x), 10, 1, &["y"], |_, _| Ok(())).err();
        assert_eq!(err.map(|e| e.field), Some("outputs[y]".into()));
    }

    #[test]
    fn bad_settings_and_inputs_are_refused() {
        let x = input("x", 0.5, 0.0, 1.0, Distribution::Uniform);
        let one = std::slice::from_ref(&x);
        let ok = |_: &[f64]| Ok(vec![1.0]);
        let field = |r: InputResult<Simulation>| r.err().map(|e| e.field);
        assert_eq!(field(simulate(one, 0, 1, &["y"], ok)), Some("draws".into()));
        assert_eq!(
            field(simulate(one, MAX_DRAWS + 1, 1, &["y"], ok)),
            Some("draws".into())
        );
        let none: [&str; 0] = [];
        assert_eq!(
            field(simulate(one, 1, 1, &none, ok)),
            Some("outputs".into())
        );
        let two = |_: &[f64]| Ok(vec![1.0, 1.0]);
        assert_eq!(
            field(simulate(one, 1, 1, &["y", "y"], two)),
            Some("outputs[1]".into())
        );
        assert_eq!(
            field(simulate(&[x.clone(), x.clone()], 1, 1, &["y"], ok)),
            Some("inputs[1].id".into())
        );
        let bad = input("z", 2.0, 0.0, 1.0, Distribution::Triangular);
        let err = simulate(&[x, bad], 1, 1, &["y"], ok).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("inputs[1].base must lie in [low, high] = [0, 1], got 2".into())
        );
    }

    #[test]
    fn a_single_draw_is_its_own_percentiles() {
        let sim = linear(1, 3);
        let y = &sim.outputs[0];
        assert!(y.p10 == y.p90 && y.min == y.max && y.mean == y.p50);
        assert_eq!(sim.rank_correlation("x", "y"), None);
    }

    #[test]
    fn serializes_summaries_but_not_draws() {
        let json = serde_json::to_value(linear(10, 1)).unwrap_or_default();
        assert!(json.get("samples").is_none());
        assert!(json["outputs"][0]["p90"].is_number());
        let parsed: Result<UncertainInput, _> =
            serde_json::from_str(r#"{"id":"v","base":1,"low":0,"high":2}"#);
        assert_eq!(
            parsed.map(|x| x.distribution).ok(),
            Some(Distribution::Triangular)
        );
        let unknown: Result<UncertainInput, _> =
            serde_json::from_str(r#"{"id":"v","base":1,"low":0,"high":2,"mode":1}"#);
        assert!(unknown.is_err());
    }

    proptest! {
        #[test]
        fn percentiles_are_ordered(
            low in -1e6f64..1e6,
            width in 0f64..1e6,
            mode_at in 0f64..=1.0,
            d in 0usize..4,
            seed in any::<u64>(),
        ) {
            let high = low + width;
            let base = (low + width * mode_at).clamp(low, high);
            let x = input("x", base, low, high, Distribution::ALL[d]);
            let sim = simulate(&[x], 200, seed, &["y", "neg"], |v| Ok(vec![v[0], -3.0 * v[0]]));
            let sim = sim.map_err(|e| TestCaseError::fail(e.to_string()))?;
            for y in &sim.outputs {
                prop_assert!(y.min <= y.p10 && y.p10 <= y.p50 && y.p50 <= y.p90 && y.p90 <= y.max);
                // The mean of equal values may round a unit in the last place off them.
                let slack = 1e-9 * y.min.abs().max(y.max.abs()).max(1.0);
                prop_assert!(y.min - slack <= y.mean && y.mean <= y.max + slack);
            }
            let y = &sim.outputs[0];
            prop_assert!(y.min >= low && y.max <= high);
        }
    }
}
