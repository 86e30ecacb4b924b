//! Monte Carlo over the assumption register: every bound entry sampled within its range (by its
//! distribution, seeded and reproducible), every scenario's LCPR and monthly cost recomputed per
//! draw with the f64 twin ([`crate::case::cost::fast`]).
//!
//! Reports P10/P50/P90 per scenario, the probability that one scenario's LCPR is below
//! another's, and each entry's rank correlation with each scenario's LCPR.

use serde::Serialize;

use crate::case::cost::fast::CompiledWorkspace;
use crate::decide::monte_carlo::{probability_less, simulate_into};
use crate::decide::tornado::{entry_label, register_inputs};
use crate::document::Workspace;
use crate::error::{InputError, InputResult};

/// A range: P10, P50, P90.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// One scenario's spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRange {
    /// Scenario id.
    pub scenario: String,
    /// Scenario name.
    pub name: String,
    /// LCPR, $ per accepted output.
    pub lcpr: Range,
    /// Monthly cost, $.
    pub monthly_cost: Range,
}

/// How likely one scenario is cheaper per accepted output than another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeatProbability {
    /// Scenario id.
    pub scenario: String,
    /// The scenario it is compared with.
    pub versus: String,
    /// P(LCPR of `scenario` < LCPR of `versus`).
    pub probability: f64,
}

/// An entry's rank correlation with a scenario's LCPR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryCorrelation {
    /// Register entry id.
    pub entry: String,
    /// Its label.
    pub label: String,
    /// Scenario id.
    pub scenario: String,
    /// Spearman's ρ; `None` when either never varies.
    pub rho: Option<f64>,
}

/// The run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterSimulation {
    /// Draws taken.
    pub draws: usize,
    /// Seed used.
    pub seed: u64,
    /// Per scenario, in document order.
    pub scenarios: Vec<ScenarioRange>,
    /// Every ordered pair of scenarios of the same workload.
    pub beats: Vec<BeatProbability>,
    /// Every bound entry × scenario.
    pub correlations: Vec<EntryCorrelation>,
}

fn lcpr_name(id: &str) -> String {
    format!("{id}.lcpr")
}

fn cost_name(id: &str) -> String {
    format!("{id}.monthly_cost")
}

/// Runs `draws` draws from `seed`.
pub fn simulate_register(
    ws: &Workspace,
    draws: usize,
    seed: u64,
) -> InputResult<RegisterSimulation> {
    let compiled = CompiledWorkspace::new(ws)?;
    if compiled.scenarios.is_empty() {
        return Err(InputError::new("scenarios", "are needed to simulate"));
    }
    let inputs = register_inputs(ws);
    let outputs: Vec<String> = compiled
        .scenarios
        .iter()
        .flat_map(|(id, _, _)| [lcpr_name(id), cost_name(id)])
        .collect();
    let mut models: Vec<_> = compiled.scenarios.iter().map(|(_, _, m)| *m).collect();
    let sim = simulate_into(&inputs, draws, seed, &outputs, |values, out| {
        for (m, (_, _, base)) in models.iter_mut().zip(&compiled.scenarios) {
            *m = *base;
        }
        for ((_, target, field, reached), v) in compiled.bindings.iter().zip(values) {
            for &(i, mask) in reached {
                if let Some(m) = models.get_mut(i) {
                    m.set_parts(*target, *field, *v, mask);
                }
            }
        }
        for (i, m) in models.iter().enumerate() {
            let (lcpr, cost) = m.evaluate().ok_or_else(|| {
                InputError::new(
                    format!("scenarios[{i}]"),
                    "leaves no accepted outputs at these sampled values",
                )
            })?;
            if let Some(slot) = out.get_mut(2 * i) {
                *slot = lcpr;
            }
            if let Some(slot) = out.get_mut(2 * i + 1) {
                *slot = cost;
            }
        }
        Ok(())
    })?;
    let range = |name: &str| {
        sim.output(name)
            .map(|o| Range {
                p10: o.p10,
                p50: o.p50,
                p90: o.p90,
            })
            .unwrap_or(Range {
                p10: f64::NAN,
                p50: f64::NAN,
                p90: f64::NAN,
            })
    };
    let scenarios = compiled
        .scenarios
        .iter()
        .map(|(id, name, _)| ScenarioRange {
            scenario: id.clone(),
            name: name.clone(),
            lcpr: range(&lcpr_name(id)),
            monthly_cost: range(&cost_name(id)),
        })
        .collect();
    let mut beats = Vec::new();
    for a in &ws.scenarios {
        for b in ws
            .scenarios
            .iter()
            .filter(|b| b.id != a.id && b.workload == a.workload)
        {
            beats.push(BeatProbability {
                scenario: a.id.clone(),
                versus: b.id.clone(),
                probability: probability_less(&sim, &lcpr_name(&a.id), &lcpr_name(&b.id))?,
            });
        }
    }
    let correlations = inputs
        .iter()
        .flat_map(|input| {
            compiled
                .scenarios
                .iter()
                .map(|(id, _, _)| EntryCorrelation {
                    entry: input.id.clone(),
                    label: entry_label(ws, &input.id),
                    scenario: id.clone(),
                    rho: sim.rank_correlation(&input.id, &lcpr_name(id)),
                })
        })
        .collect();
    Ok(RegisterSimulation {
        draws,
        seed,
        scenarios,
        beats,
        correlations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn default_workspace() -> Workspace {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        crate::document::load(&p).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ranges_bracket_the_base_and_pairs_are_complementary() {
        let ws = default_workspace();
        let sim = simulate_register(&ws, 2000, 7).unwrap_or_else(|e| panic!("{e}"));
        let eval = crate::case::evaluation::evaluate(&ws);
        for s in &sim.scenarios {
            let base = eval
                .scenario(&s.scenario)
                .and_then(|r| r.cost.as_ref())
                .map(|c| c.lcpr)
                .unwrap_or(f64::NAN);
            assert!(
                s.lcpr.p10 <= s.lcpr.p50 && s.lcpr.p50 <= s.lcpr.p90,
                "{s:?}"
            );
            // The base sits inside the P10–P90 band widened by a tenth of its width.
            let pad = (s.lcpr.p90 - s.lcpr.p10) * 0.1;
            assert!(
                base >= s.lcpr.p10 - pad && base <= s.lcpr.p90 + pad,
                "{} base {base} outside {:?}",
                s.scenario,
                s.lcpr
            );
        }
        let p = |a: &str, b: &str| {
            sim.beats
                .iter()
                .find(|x| x.scenario == a && x.versus == b)
                .map(|x| x.probability)
        };
        let (ab, ba) = (
            p("support-gpt", "support-dsv4-serverless"),
            p("support-dsv4-serverless", "support-gpt"),
        );
        assert!(
            ab.zip(ba)
                .is_some_and(|(ab, ba)| (ab + ba - 1.0).abs() < 1e-9)
        );
        // The entry that correlates most with a scenario's LCPR is the tornado's dominant lever.
        let top = sim
            .correlations
            .iter()
            .filter(|c| c.scenario == "support-gpt")
            .max_by(|a, b| {
                a.rho
                    .unwrap_or(0.0)
                    .abs()
                    .total_cmp(&b.rho.unwrap_or(0.0).abs())
            })
            .map(|c| c.entry.clone());
        let tornado = crate::decide::tornado::scenario_tornado(&ws, "support-gpt")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(top, tornado.dominant);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn percentiles_are_ordered_and_reproducible(seed in any::<u64>(), draws in 50usize..400) {
            let ws = default_workspace();
            let a = simulate_register(&ws, draws, seed).unwrap_or_else(|e| panic!("{e}"));
            let b = simulate_register(&ws, draws, seed).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&a, &b);
            for s in &a.scenarios {
                prop_assert!(s.lcpr.p10 <= s.lcpr.p50 && s.lcpr.p50 <= s.lcpr.p90);
                prop_assert!(s.monthly_cost.p10 <= s.monthly_cost.p50 && s.monthly_cost.p50 <= s.monthly_cost.p90);
            }
        }
    }
}
