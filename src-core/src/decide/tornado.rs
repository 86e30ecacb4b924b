//! One-at-a-time sensitivity (a tornado chart): the output at each input's low and high with
//! every other input at base, bars sorted by how far each input moves the output.
//!
//! It answers "which lever matters most" with 1 + 2n evaluations and no randomness, which makes
//! it a companion to the Monte Carlo range ([`crate::decide::monte_carlo`]): the range says how wide
//! the outcome is, the tornado says which input to pin down first. It ignores interactions
//! between inputs, which the rank correlations of a simulation do capture.
//!
//! [`tornado`] runs over any model; [`scenario_tornado`] runs it over a workspace's register,
//! moving each bound entry and recomputing the scenario's LCPR.

use serde::Serialize;

use crate::case::evaluation::{apply_register, cost_of};
use crate::decide::monte_carlo::{self, UncertainInput};
use crate::document::Workspace;
use crate::error::{InputError, InputResult};

/// One input's bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoBar {
    /// The input's id.
    pub input: String,
    /// The input's low value.
    pub low: f64,
    /// The input's high value.
    pub high: f64,
    /// The output with this input at its low value, every other at base.
    pub output_at_low: f64,
    /// The output with this input at its high value, every other at base.
    pub output_at_high: f64,
    /// |output at high − output at low|.
    pub swing: f64,
}

/// The chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    /// What the output is called in the summary, e.g. `LCPR`.
    pub output: String,
    /// The output with every input at base.
    pub base_output: f64,
    /// One bar per input, largest swing first; equal swings keep input order.
    pub bars: Vec<TornadoBar>,
    /// Sum of all swings.
    pub total_swing: f64,
    /// The input with the largest swing; `None` when no input moves the output.
    pub dominant: Option<String>,
    /// The dominant swing ÷ the total swing; `None` when the total is 0.
    pub dominant_share: Option<f64>,
    /// One sentence naming the dominant lever.
    pub summary: String,
}

/// Evaluates `f` at base and at each input's low and high (the distribution is not used).
///
/// `output` names the output in the summary. A refused evaluation or a non-finite output stops
/// the chart, naming the input and the end it was at.
pub fn tornado<F>(inputs: &[UncertainInput], output: &str, mut f: F) -> InputResult<Tornado>
where
    F: FnMut(&[f64]) -> InputResult<f64>,
{
    if inputs.is_empty() {
        return Err(InputError::new("inputs", "must list at least one input"));
    }
    monte_carlo::samplers(inputs)?;
    let mut values: Vec<f64> = inputs.iter().map(|x| x.base).collect();
    let mut eval = |values: &[f64], at: &str| {
        let y = f(values).map_err(|e| {
            let rule = format!("{} ({at})", e.rule);
            InputError::new(e.field, rule)
        })?;
        if y.is_finite() {
            Ok(y)
        } else {
            Err(InputError::new(
                "output",
                format!("must be a finite number, got {y} ({at})"),
            ))
        }
    };
    let base_output = eval(&values, "every input at base")?;
    let mut bars = Vec::with_capacity(inputs.len());
    for (i, x) in inputs.iter().enumerate() {
        let mut at = |v: f64, end: &str| {
            if let Some(slot) = values.get_mut(i) {
                *slot = v;
            }
            let y = eval(&values, &format!("{} at its {end} value {v}", x.id));
            if let Some(slot) = values.get_mut(i) {
                *slot = x.base;
            }
            y
        };
        let output_at_low = at(x.low, "low")?;
        let output_at_high = at(x.high, "high")?;
        bars.push(TornadoBar {
            input: x.id.clone(),
            low: x.low,
            high: x.high,
            output_at_low,
            output_at_high,
            swing: (output_at_high - output_at_low).abs(),
        });
    }
    // `sort_by` is stable: equal swings keep the order the inputs were given in.
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    let total_swing: f64 = bars.iter().map(|b| b.swing).sum();
    let top = bars.first().filter(|b| b.swing > 0.0);
    let dominant_share = top.map(|b| b.swing / total_swing);
    let summary = match (top, dominant_share) {
        (Some(b), Some(share)) => format!(
            "{} is the dominant lever on {output}: across its range ({} to {}) it moves \
             {output} from {} to {}, {}% of the total swing of all {} inputs.",
            b.input,
            plain(b.low),
            plain(b.high),
            plain(b.output_at_low),
            plain(b.output_at_high),
            plain(100.0 * share),
            bars.len(),
        ),
        _ => format!("No input moves {output} across its range: every swing is zero."),
    };
    Ok(Tornado {
        output: output.to_owned(),
        base_output,
        dominant: top.map(|b| b.input.clone()),
        dominant_share,
        total_swing,
        bars,
        summary,
    })
}

/// A number in at most four significant digits, without trailing zeros: 0.1235, 12.5, 1234.
fn plain(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let digits = value.abs().log10().floor() as i32 + 1;
    let decimals = usize::try_from(4 - digits).unwrap_or(0);
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

// The register-driven tornado: each bound register entry moved to its low and its high with
// every other entry at its value, and the scenario's LCPR recomputed each time.

/// The register entries that bind an input, as uncertain inputs (id = entry id).
#[must_use]
pub fn register_inputs(ws: &Workspace) -> Vec<UncertainInput> {
    ws.register
        .iter()
        .filter(|e| e.binds.is_some())
        .map(|e| UncertainInput {
            id: e.id.clone(),
            base: e.value,
            low: e.low,
            high: e.high,
            distribution: e.distribution,
        })
        .collect()
}

/// Evaluates a scenario's LCPR with the bound register entries set to `values` (in the order
/// of [`register_inputs`]).
pub fn lcpr_with(ws: &Workspace, scenario_id: &str, values: &[f64]) -> InputResult<f64> {
    let mut w = ws.clone();
    let bound = ws
        .register
        .iter()
        .filter_map(|e| e.binds.as_ref().map(|b| (e, b)));
    for ((entry, binding), value) in bound.zip(values) {
        w.write_binding(binding, *value)
            .map_err(|e| e.within(&format!("register entry {}", entry.id)))?;
    }
    cost_of(&w, scenario_id).map(|c| c.lcpr)
}

/// The tornado of a scenario's LCPR over the register.
pub fn scenario_tornado(ws: &Workspace, scenario_id: &str) -> InputResult<Tornado> {
    let inputs = register_inputs(ws);
    if inputs.is_empty() {
        return Err(InputError::new(
            "register",
            "has no entry bound to an input; bind entries to move them",
        ));
    }
    let (base, _) = apply_register(ws);
    tornado(&inputs, "LCPR", |values| {
        lcpr_with(&base, scenario_id, values)
    })
}

/// A register entry's label, for chart bars (its id when it has none).
#[must_use]
pub fn entry_label(ws: &Workspace, id: &str) -> String {
    ws.register.iter().find(|e| e.id == id).map_or_else(
        || id.to_owned(),
        |e| {
            if e.label.is_empty() {
                e.id.clone()
            } else {
                e.label.clone()
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Distribution;

    fn input(id: &str, base: f64, low: f64, high: f64) -> UncertainInput {
        UncertainInput {
            id: id.into(),
            base,
            low,
            high,
            distribution: Distribution::Triangular,
        }
    }

    /// f = 3a − 2b + c at a = 2 ∈ [1, 4], b = 5 ∈ [4, 5], c = 1 ∈ [0, 3].
    fn linear() -> Tornado {
        let inputs = [
            input("a", 2.0, 1.0, 4.0),
            input("b", 5.0, 4.0, 5.0),
            input("c", 1.0, 0.0, 3.0),
        ];
        tornado(&inputs, "cost", |v| Ok(3.0 * v[0] - 2.0 * v[1] + v[2]))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn hand_checked_linear_function() {
        let t = linear();
        // Base: 6 − 10 + 1 = −3.
        assert_eq!(t.base_output, -3.0);
        // a: low 3 − 10 + 1 = −6, high 12 − 10 + 1 = 3, swing 9.
        // b: low 6 − 8 + 1 = −1, high −3, swing 2.
        // c: low 6 − 10 + 0 = −4, high 6 − 10 + 3 = −1, swing 3.
        let got: Vec<(&str, f64, f64, f64)> = t
            .bars
            .iter()
            .map(|b| (b.input.as_str(), b.output_at_low, b.output_at_high, b.swing))
            .collect();
        assert_eq!(
            got,
            [
                ("a", -6.0, 3.0, 9.0),
                ("c", -4.0, -1.0, 3.0),
                ("b", -1.0, -3.0, 2.0)
            ]
        );
        assert_eq!(t.total_swing, 14.0);
        assert_eq!(t.dominant.as_deref(), Some("a"));
        // 9 / 14 = 0.642857.
        assert!((t.dominant_share.unwrap_or(0.0) - 9.0 / 14.0).abs() < 1e-15);
        assert_eq!(
            t.summary,
            "a is the dominant lever on cost: across its range (1 to 4) it moves cost from -6 \
             to 3, 64.29% of the total swing of all 3 inputs."
        );
    }

    #[test]
    fn equal_swings_keep_input_order() {
        let inputs = [
            input("first", 0.0, -1.0, 1.0),
            input("second", 0.0, -1.0, 1.0),
            input("third", 0.0, -2.0, 2.0),
        ];
        let t = tornado(&inputs, "y", |v| Ok(v[0] + v[1] + v[2]));
        let t = t.unwrap_or_else(|e| panic!("{e}"));
        let order: Vec<&str> = t.bars.iter().map(|b| b.input.as_str()).collect();
        assert_eq!(order, ["third", "first", "second"]);
        // 4 of 8.
        assert_eq!(t.dominant_share, Some(0.5));
    }

    #[test]
    fn flat_output_has_no_dominant_lever() {
        let inputs = [input("a", 1.0, 1.0, 1.0), input("b", 2.0, 0.0, 3.0)];
        let t = tornado(&inputs, "LCPR", |_| Ok(0.25)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.dominant.clone(), t.dominant_share), (None, None));
        assert_eq!(t.total_swing, 0.0);
        assert!(t.summary.starts_with("No input moves LCPR"));
    }

    #[test]
    fn refusals_name_the_input_and_end() {
        let inputs = [input("a", 1.0, 0.0, 2.0), input("rate", 0.5, 0.1, 1.0)];
        let err = tornado(&inputs, "y", |v| {
            if v[1] > 0.9 {
                Err(InputError::new("rate", "must be < 0.9"))
            } else {
                Ok(v[0])
            }
        })
        .err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("rate must be < 0.9 (rate at its high value 1)".into())
        );
        let err = tornado(&inputs, "y", |v| Ok(1.0 / (v[0] - 0.0))).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("output must be a finite number, got inf (a at its low value 0)".into())
        );
        assert!(tornado(&[], "y", |_| Ok(0.0)).is_err());
        let bad = [input("a", 3.0, 0.0, 2.0)];
        assert_eq!(
            tornado(&bad, "y", |_| Ok(0.0)).err().map(|e| e.field),
            Some("inputs[0].base".into())
        );
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain(64.285_714), "64.29");
        assert_eq!(plain(0.123_456), "0.1235");
        assert_eq!(plain(1234.6), "1235");
        assert_eq!(plain(98_765.4), "98765");
        assert_eq!(plain(-6.0), "-6");
        assert_eq!(plain(0.0), "0");
    }
}
