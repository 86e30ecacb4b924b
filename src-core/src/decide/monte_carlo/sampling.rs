//! Reproducible random sampling: the xoshiro256++ generator seeded through SplitMix64, and the
//! distributions uncertain inputs are drawn from (triangular, uniform, beta-PERT, fixed).
//!
//! A saved workspace stores its seed, and the same seed must give the same ranges on every
//! platform and in every later version. So the generator lives here rather than behind a crate
//! whose stream may change, and sampling uses only IEEE-exact operations (+, −, ×, ÷, √) plus a
//! logarithm computed here from those same operations; platform maths libraries, which may
//! differ in the last bit, are never called.
//!
//! - Uniform [0, 1): the top 53 bits of a 64-bit output, times 2⁻⁵³.
//! - Triangular (the default): inverse CDF, one uniform per draw.
//! - Beta-PERT with λ = 4: low + (high − low) × Beta(α, β), α = 1 + 4 (mode − low)/(high − low),
//!   β = 1 + 4 (high − mode)/(high − low); the beta draw is G₁ ÷ (G₁ + G₂) of two gamma draws
//!   (Marsaglia–Tsang, whose normal draws come from the polar method).
//! - Fixed: the mode, always; it consumes no random numbers.

use crate::document::Distribution;
use crate::error::{InputError, InputResult};

/// SplitMix64: a 64-bit-state generator used to expand one seed into a xoshiro state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The xoshiro256++ generator: 256 bits of state, period 2²⁵⁶ − 1, fast and statistically sound
/// for simulation (not for secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

/// 2⁻⁵³: the spacing of the uniform grid in [0, 1).
const UNIT: f64 = 1.0 / 9_007_199_254_740_992.0;

impl Rng {
    /// A generator whose state is four successive SplitMix64 outputs from `seed`.
    ///
    /// SplitMix64's output function is a bijection, so four successive outputs are never all
    /// zero (the one state xoshiro cannot leave).
    #[must_use]
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        Self {
            s: [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()],
        }
    }

    /// A generator with exactly this state; `None` for the all-zero state.
    #[must_use]
    pub fn from_state(s: [u64; 4]) -> Option<Self> {
        (s != [0; 4]).then_some(Self { s })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        self.s = [s0, s1, s2 ^ t, s3.rotate_left(45)];
        result
    }

    /// A uniform draw from [0, 1) on a grid of 2⁻⁵³.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * UNIT
    }

    /// A uniform draw from (0, 1], safe to take the logarithm of.
    fn open_unit(&mut self) -> f64 {
        1.0 - self.next_f64()
    }

    /// A standard normal draw by the polar method (the second value of each pair is dropped so
    /// the generator carries no hidden state).
    fn standard_normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.next_f64() - 1.0;
            let v = 2.0 * self.next_f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
    }

    /// A Gamma(shape, 1) draw for shape ≥ 1 (Marsaglia–Tsang), given d = shape − 1/3 and
    /// c = 1/√(9d).
    fn gamma(&mut self, g: GammaShape) -> f64 {
        loop {
            let x = self.standard_normal();
            let v = 1.0 + g.c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.open_unit();
            let x2 = x * x;
            // The squeeze accepts about 98% of draws without a logarithm.
            if u < 1.0 - 0.0331 * x2 * x2 || ln(u) < 0.5 * x2 + g.d * (1.0 - v + ln(v)) {
                return g.d * v;
            }
        }
    }
}

/// Natural logarithm from IEEE-exact operations only, so it gives the same bits everywhere.
///
/// x = m × 2ᵉ with m in [√½, √2); ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, summed to
/// 12 odd terms (the next is below 10⁻¹⁸ relative). Accurate to a few units in the last place.
fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        // Subnormal: scale into the normal range first.
        x *= 18_014_398_509_481_984.0; // 2⁵⁴
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut series = 1.0 / 23.0;
    for k in (0..11).rev() {
        series = series * s2 + 1.0 / f64::from(2 * k + 1);
    }
    2.0 * s * series + e as f64 * std::f64::consts::LN_2
}

/// The Marsaglia–Tsang constants of one gamma shape (≥ 1).
#[derive(Debug, Clone, Copy, PartialEq)]
struct GammaShape {
    d: f64,
    c: f64,
}

impl GammaShape {
    fn new(shape: f64) -> Self {
        let d = shape - 1.0 / 3.0;
        Self {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
        }
    }
}

impl Distribution {
    /// Validates low ≤ mode ≤ high (all finite) and prepares a sampler.
    pub fn sampler(self, low: f64, mode: f64, high: f64) -> InputResult<Sampler> {
        Sampler::build(self, low, mode, high, "mode")
    }
}

/// The prepared form of one distribution over one range, cheap to draw from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampler {
    shape: Shape,
    mean: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Fixed(f64),
    Uniform {
        low: f64,
        high: f64,
        width: f64,
    },
    Triangular {
        low: f64,
        high: f64,
        // CDF at the mode, and the two products under the inverse-CDF square roots.
        split: f64,
        left: f64,
        right: f64,
    },
    Pert {
        low: f64,
        high: f64,
        width: f64,
        alpha: GammaShape,
        beta: GammaShape,
    },
}

impl Sampler {
    /// Builds a sampler, naming the mode field `mode_field` in errors (an input may call its
    /// mode `base`).
    pub(crate) fn build(
        distribution: Distribution,
        low: f64,
        mode: f64,
        high: f64,
        mode_field: &str,
    ) -> InputResult<Self> {
        for (field, value) in [("low", low), (mode_field, mode), ("high", high)] {
            if !value.is_finite() {
                return Err(InputError::new(
                    field,
                    format!("must be a finite number, got {value}"),
                ));
            }
        }
        if high < low {
            return Err(InputError::new(
                "high",
                format!("must be ≥ low ({low}), got {high}"),
            ));
        }
        if mode < low || mode > high {
            return Err(InputError::new(
                mode_field,
                format!("must lie in [low, high] = [{low}, {high}], got {mode}"),
            ));
        }
        let width = high - low;
        let (shape, mean) = if distribution == Distribution::Fixed || width == 0.0 {
            // A zero-width range is a known value, whatever the distribution says.
            let value = if width == 0.0 { low } else { mode };
            (Shape::Fixed(value), value)
        } else {
            match distribution {
                Distribution::Uniform => (Shape::Uniform { low, high, width }, low + width / 2.0),
                Distribution::Pert => {
                    let alpha = 1.0 + 4.0 * (mode - low) / width;
                    let beta = 1.0 + 4.0 * (high - mode) / width;
                    (
                        Shape::Pert {
                            low,
                            high,
                            width,
                            alpha: GammaShape::new(alpha),
                            beta: GammaShape::new(beta),
                        },
                        (low + 4.0 * mode + high) / 6.0,
                    )
                }
                Distribution::Triangular | Distribution::Fixed => (
                    Shape::Triangular {
                        low,
                        high,
                        split: (mode - low) / width,
                        left: width * (mode - low),
                        right: width * (high - mode),
                    },
                    (low + mode + high) / 3.0,
                ),
            }
        };
        Ok(Self { shape, mean })
    }

    /// One draw, always within [low, high].
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        // The clamps only undo rounding in the last place: low + (high − low) need not be high.
        match self.shape {
            Shape::Fixed(value) => value,
            Shape::Uniform { low, high, width } => (low + width * rng.next_f64()).clamp(low, high),
            Shape::Triangular {
                low,
                high,
                split,
                left,
                right,
            } => {
                let u = rng.next_f64();
                let x = if u < split {
                    low + (u * left).sqrt()
                } else {
                    high - ((1.0 - u) * right).sqrt()
                };
                x.clamp(low, high)
            }
            Shape::Pert {
                low,
                high,
                width,
                alpha,
                beta,
            } => {
                let a = rng.gamma(alpha);
                let b = rng.gamma(beta);
                (low + width * (a / (a + b))).clamp(low, high)
            }
        }
    }

    /// The distribution's mean (exact, not sampled).
    #[must_use]
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// True when every draw is the same value.
    #[must_use]
    pub fn is_fixed(&self) -> bool {
        matches!(self.shape, Shape::Fixed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // Published outputs of the reference splitmix64.c for seed 1477776061723855037.
        let mut sm = SplitMix64::new(1_477_776_061_723_855_037);
        for expected in [
            1_985_237_415_132_408_290u64,
            2_979_275_885_539_914_483,
            13_511_426_838_097_143_398,
            8_488_337_342_461_049_707,
            15_141_737_807_933_549_159,
        ] {
            assert_eq!(sm.next_u64(), expected);
        }
    }

    #[test]
    fn xoshiro256pp_matches_the_reference_outputs() {
        // Published outputs of the reference xoshiro256plusplus.c from state {1, 2, 3, 4}.
        let mut rng = Rng::from_state([1, 2, 3, 4]).unwrap_or_else(|| Rng::seed_from_u64(0));
        for expected in [
            41_943_041u64,
            58_720_359,
            3_588_806_011_781_223,
            3_591_011_842_654_386,
            9_228_616_714_210_784_205,
            9_973_669_472_204_895_162,
            14_011_001_112_246_962_877,
            12_406_186_145_184_390_807,
            15_849_039_046_786_891_736,
            10_450_023_813_501_588_000,
        ] {
            assert_eq!(rng.next_u64(), expected);
        }
        assert_eq!(Rng::from_state([0; 4]), None);
    }

    #[test]
    fn splitmix_seeding_matches_an_independent_implementation() {
        // XoshiroCpp seeds xoshiro256++ from SplitMix64 the same way; its default seed
        // 1234567890 gives these first outputs.
        let mut rng = Rng::seed_from_u64(1_234_567_890);
        for expected in [
            10_656_210_946_825_422_025u64,
            3_029_598_875_750_717_312,
            8_253_387_787_243_700_537,
        ] {
            assert_eq!(rng.next_u64(), expected);
        }
    }

    #[test]
    fn uniform_stays_in_the_half_open_unit_interval() {
        let mut rng = Rng::seed_from_u64(7);
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        // Mean 0.5, standard error √(1/12 / 1e5) ≈ 0.0009: 5 standard errors is 0.0046.
        assert!((sum / 100_000.0 - 0.5).abs() < 0.0046);
    }

    #[test]
    fn own_logarithm_agrees_with_the_platform_to_a_few_ulps() {
        let mut x: f64 = 1e-300;
        while x < 1e300 {
            for y in [x, x * 1.37, x * 2.9] {
                let want = y.ln();
                assert!(
                    (ln(y) - want).abs() <= 4.0 * f64::EPSILON * want.abs().max(1.0),
                    "ln({y}) = {} vs {want}",
                    ln(y)
                );
            }
            x *= 7.3;
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!((ln(5e-324) - 5e-324f64.ln()).abs() < 1e-12);
    }

    fn mean_and_variance(sampler: &Sampler, n: usize, seed: u64) -> (f64, f64) {
        let mut rng = Rng::seed_from_u64(seed);
        let draws: Vec<f64> = (0..n).map(|_| sampler.sample(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        (mean, var)
    }

    #[test]
    fn triangular_moments_and_bounds() {
        let s = Distribution::Triangular.sampler(1.0, 2.0, 6.0);
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        // Mean (1 + 2 + 6)/3 = 3; variance (1 + 4 + 36 − 2 − 6 − 12)/18 = 21/18 = 1.1667.
        assert_eq!(s.mean(), 3.0);
        let (m, v) = mean_and_variance(&s, 200_000, 1);
        // Standard error of the mean √(1.1667/2e5) = 0.0024; allow 5 of them.
        assert!((m - 3.0).abs() < 0.012, "{m}");
        assert!((v - 21.0 / 18.0).abs() < 0.02, "{v}");
        let mut rng = Rng::seed_from_u64(2);
        assert!((0..10_000).all(|_| (1.0..=6.0).contains(&s.sample(&mut rng))));
    }

    #[test]
    fn triangular_inverse_cdf_by_hand() {
        // low 0, mode 1, high 4: split = 1/4. u < 1/4 → √(u × 4 × 1); else 4 − √((1−u) × 4 × 3).
        let s = Distribution::Triangular.sampler(0.0, 1.0, 4.0);
        let Ok(Sampler {
            shape: Shape::Triangular {
                split, left, right, ..
            },
            ..
        }) = s
        else {
            panic!("not triangular: {s:?}")
        };
        assert_eq!((split, left, right), (0.25, 4.0, 12.0));
    }

    #[test]
    fn triangular_with_mode_at_an_end() {
        for (mode, mean) in [(0.0, 1.0 / 3.0), (1.0, 2.0 / 3.0)] {
            let s = Distribution::Triangular.sampler(0.0, mode, 1.0);
            let s = s.unwrap_or_else(|e| panic!("{e}"));
            let (m, _) = mean_and_variance(&s, 100_000, 3);
            // Variance 1/18; standard error √(1/18/1e5) = 0.00075.
            assert!((m - mean).abs() < 0.004, "{mode}: {m}");
        }
    }

    #[test]
    fn uniform_moments() {
        let s = Distribution::Uniform.sampler(10.0, 10.0, 20.0);
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        // Mean 15, variance 100/12 = 8.333.
        let (m, v) = mean_and_variance(&s, 200_000, 4);
        assert!((m - 15.0).abs() < 0.035, "{m}");
        assert!((v - 100.0 / 12.0).abs() < 0.15, "{v}");
    }

    #[test]
    fn pert_moments_match_the_beta_it_stands_for() {
        // low 0, mode 2, high 10: α = 1 + 4×0.2 = 1.8, β = 1 + 4×0.8 = 4.2.
        // Mean (0 + 8 + 10)/6 = 3; variance 10² × αβ/((α+β)²(α+β+1)) = 100 × 7.56/252 = 3.
        let s = Distribution::Pert.sampler(0.0, 2.0, 10.0);
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.mean(), 3.0);
        let (m, v) = mean_and_variance(&s, 200_000, 5);
        // Standard error of the mean √(3/2e5) = 0.0039.
        assert!((m - 3.0).abs() < 0.02, "{m}");
        assert!((v - 3.0).abs() < 0.05, "{v}");
        let mut rng = Rng::seed_from_u64(6);
        assert!((0..10_000).all(|_| (0.0..=10.0).contains(&s.sample(&mut rng))));
    }

    #[test]
    fn symmetric_pert_is_beta_3_3() {
        // Mode in the middle: α = β = 3; variance 1/(4 × 7) = 0.0357 on [0, 1].
        let s = Distribution::Pert.sampler(0.0, 0.5, 1.0);
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        let (m, v) = mean_and_variance(&s, 200_000, 8);
        assert!((m - 0.5).abs() < 0.0022, "{m}");
        assert!((v - 1.0 / 28.0).abs() < 0.0008, "{v}");
    }

    #[test]
    fn gamma_moments() {
        // Gamma(k, 1) has mean k and variance k.
        for k in [1.0, 2.5, 5.0] {
            let g = GammaShape::new(k);
            let mut rng = Rng::seed_from_u64(9);
            let n = 100_000;
            let draws: Vec<f64> = (0..n).map(|_| rng.gamma(g)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
            let se = (k / n as f64).sqrt();
            assert!((mean - k).abs() < 5.0 * se, "k {k}: mean {mean}");
            assert!((var - k).abs() < 0.05 * k, "k {k}: var {var}");
        }
    }

    #[test]
    fn normal_moments() {
        let mut rng = Rng::seed_from_u64(10);
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| x * x).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.016, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }

    #[test]
    fn fixed_and_zero_width_never_move() {
        let mut rng = Rng::seed_from_u64(11);
        let fixed = Distribution::Fixed.sampler(1.0, 2.0, 3.0);
        let fixed = fixed.unwrap_or_else(|e| panic!("{e}"));
        assert!(fixed.is_fixed());
        assert!((0..100).all(|_| fixed.sample(&mut rng) == 2.0));
        for d in Distribution::ALL {
            let s = d.sampler(4.0, 4.0, 4.0).unwrap_or_else(|e| panic!("{e}"));
            assert!(s.is_fixed());
            assert_eq!((s.sample(&mut rng), s.mean()), (4.0, 4.0));
        }
    }

    #[test]
    fn same_seed_same_stream() {
        let s = Distribution::Pert.sampler(0.0, 1.0, 3.0);
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        let run = |seed| {
            let mut rng = Rng::seed_from_u64(seed);
            (0..50).map(|_| s.sample(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn bad_ranges_are_refused() {
        let err = Distribution::Triangular.sampler(2.0, 1.0, 3.0).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("mode must lie in [low, high] = [2, 3], got 1".into())
        );
        let err = Distribution::Uniform.sampler(3.0, 3.0, 2.0).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("high must be ≥ low (3), got 2".into())
        );
        let err = Distribution::Fixed.sampler(f64::NAN, 1.0, 2.0).err();
        assert_eq!(err.map(|e| e.field), Some("low".into()));
        let err = Sampler::build(Distribution::Pert, 0.0, f64::INFINITY, 1.0, "base").err();
        assert_eq!(err.map(|e| e.field), Some("base".into()));
    }

    #[test]
    fn serde_names() {
        for d in Distribution::ALL {
            let json = serde_json::to_string(&d).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", d.name()));
        }
        assert!(serde_json::from_str::<Distribution>("\"normal\"").is_err());
        assert_eq!(Distribution::default(), Distribution::Triangular);
    }
}
