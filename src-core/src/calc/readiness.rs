//! Six-factor migration readiness: how hard a route migration is, how long it takes, and the
//! gaps to close first.

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult};

/// The six factors, each scored 1 (simple) to 3 (hard).
pub const FACTORS: [&str; 6] = [
    "workload_count",
    "prompt_portability",
    "quality_infrastructure",
    "latency_sensitivity",
    "team_maturity",
    "integration_depth",
];

/// What a factor's scores mean, in words: its name, what 1 (simple) stands for and what 3 (hard)
/// stands for. Every score is a complexity — a higher score makes the migration harder — so the
/// words for "mature evals" or "deep expertise" sit at 1, not 3.
#[must_use]
pub fn factor_meaning(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match name {
        "workload_count" => ("Workloads to move", "one workload", "many workloads"),
        "prompt_portability" => (
            "Prompt portability",
            "prompts portable as they are",
            "prompts tuned to one model",
        ),
        "quality_infrastructure" => (
            "Quality infrastructure",
            "a regression eval suite in place",
            "no evals yet",
        ),
        "latency_sensitivity" => (
            "Latency sensitivity",
            "relaxed latency targets",
            "tight p95 targets",
        ),
        "team_maturity" => (
            "Serving expertise",
            "deep in-house serving expertise",
            "no serving expertise",
        ),
        "integration_depth" => (
            "Integration depth",
            "a shallow integration",
            "deeply integrated",
        ),
        _ => return None,
    })
}

/// A factor's label with its scale in words: "Quality infrastructure (1 = a regression eval suite
/// in place … 3 = no evals yet)".
#[must_use]
pub fn factor_label(name: &str) -> String {
    match factor_meaning(name) {
        Some((title, simple, hard)) => format!("{title} (1 = {simple} … 3 = {hard})"),
        None => name.replace('_', " "),
    }
}

/// One scored factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// One of [`FACTORS`].
    pub name: String,
    /// 1, 2 or 3.
    pub score: i64,
}

/// How complex the migration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tier {
    /// Total 6–9.
    Simple,
    /// Total 10–14.
    Standard,
    /// Total 15–18.
    Complex,
}

impl Tier {
    /// The tier for a total score.
    #[must_use]
    pub fn of_total(total: i64) -> Self {
        match total {
            ..=9 => Self::Simple,
            10..=14 => Self::Standard,
            _ => Self::Complex,
        }
    }

    /// Weeks the migration typically takes, (min, max).
    #[must_use]
    pub fn timeline_weeks(self) -> (u32, u32) {
        match self {
            Self::Simple => (4, 6),
            Self::Standard => (8, 12),
            Self::Complex => (12, 20),
        }
    }

    fn recommendation(self) -> &'static str {
        match self {
            Self::Simple => {
                "Migrate in-house in one step: start the candidate on a token-priced \
                 open-weight route and compare LCPR against the baseline before cut-over."
            }
            Self::Standard => {
                "Migrate in phases behind quality gates: move the primary workload first, \
                 keep the current route as fallback, and consider a managed dedicated endpoint."
            }
            Self::Complex => {
                "Plan a staged, supported migration: a managed dedicated endpoint with the \
                 vendor's engineering help shortens the timeline and carries the serving risk."
            }
        }
    }
}

/// The assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// Sum of the six scores (6–18).
    pub total_score: i64,
    /// Tier of that total.
    pub tier: Tier,
    /// Shortest typical timeline.
    pub timeline_weeks_min: u32,
    /// Longest typical timeline.
    pub timeline_weeks_max: u32,
    /// What to do, for this tier.
    pub recommendation: String,
    /// Gaps to close before migrating.
    pub gaps: Vec<String>,
}

/// Scores the six factors.
pub fn readiness(factors: &[Factor]) -> InputResult<Readiness> {
    let mut scores = [0i64; 6];
    let mut unexpected = Vec::new();
    for (i, f) in factors.iter().enumerate() {
        match FACTORS.iter().position(|n| *n == f.name) {
            Some(slot) if scores[slot] != 0 => {
                return Err(InputError::new(
                    format!("factors[{i}].name"),
                    format!("repeats factor {}", f.name),
                ));
            }
            Some(slot) => {
                if !(1..=3).contains(&f.score) {
                    return Err(InputError::new(
                        format!("factors[{i}].score"),
                        format!("must be 1, 2 or 3, got {} for {}", f.score, f.name),
                    ));
                }
                scores[slot] = f.score;
            }
            None => unexpected.push(f.name.clone()),
        }
    }
    let missing: Vec<&str> = FACTORS
        .iter()
        .zip(scores)
        .filter(|(_, s)| *s == 0)
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() || !unexpected.is_empty() {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", missing.join(", ")));
        }
        if !unexpected.is_empty() {
            unexpected.sort();
            parts.push(format!("unexpected {}", unexpected.join(", ")));
        }
        return Err(InputError::new(
            "factors",
            format!(
                "must name each of the six factors once: {}",
                parts.join("; ")
            ),
        ));
    }
    let score = |name: &str| {
        FACTORS
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| scores[i])
    };
    let total: i64 = scores.iter().sum();
    let tier = Tier::of_total(total);
    let (min, max) = tier.timeline_weeks();
    let mut gaps = Vec::new();
    // Gaps sit at the hard end of each scale (3), where the labels put "no evals" and "no
    // serving expertise".
    if score("quality_infrastructure") == 3 {
        gaps.push(
            "No evaluation framework: quality after the move cannot be shown. Build a small \
             regression eval set (a few dozen production-representative inputs with expected \
             outputs) before migrating."
                .to_owned(),
        );
    }
    if score("team_maturity") == 3 && score("latency_sensitivity") == 3 {
        gaps.push(
            "Latency-critical workload without serving expertise: tight p95 targets need \
             runtime tuning. Hire or borrow inference engineering, or choose a managed \
             dedicated endpoint whose provider tunes it."
                .to_owned(),
        );
    }
    if score("integration_depth") == 3 && score("workload_count") == 3 {
        gaps.push(
            "Many deeply integrated workloads: move one workload at a time, each with a \
             parallel run against the current route before cut-over."
                .to_owned(),
        );
    }
    Ok(Readiness {
        total_score: total,
        tier,
        timeline_weeks_min: min,
        timeline_weeks_max: max,
        recommendation: tier.recommendation().to_owned(),
        gaps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(s: [i64; 6]) -> Vec<Factor> {
        FACTORS
            .iter()
            .zip(s)
            .map(|(n, score)| Factor {
                name: (*n).to_owned(),
                score,
            })
            .collect()
    }

    #[test]
    fn tier_boundaries() {
        assert_eq!(Tier::of_total(9), Tier::Simple);
        assert_eq!(Tier::of_total(10), Tier::Standard);
        assert_eq!(Tier::of_total(14), Tier::Standard);
        assert_eq!(Tier::of_total(15), Tier::Complex);
    }

    #[test]
    fn all_ones_is_simple_with_no_gap() {
        let r = readiness(&scored([1; 6])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.total_score, r.tier), (6, Tier::Simple));
        assert_eq!((r.timeline_weeks_min, r.timeline_weeks_max), (4, 6));
        assert!(r.gaps.is_empty(), "{:?}", r.gaps);
    }

    #[test]
    fn no_evals_and_no_expertise_is_hard_not_simple() {
        // Workloads 1, prompts 1, no evals 3, tight latency 3, no expertise 3, shallow 1.
        let r = readiness(&scored([1, 1, 3, 3, 3, 1])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.total_score, r.tier), (12, Tier::Standard));
        assert_eq!(r.gaps.len(), 2);
        assert!(r.gaps[0].starts_with("No evaluation framework"));
        assert!(r.gaps[1].starts_with("Latency-critical workload without serving expertise"));
        let r = readiness(&scored([3; 6])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.tier, r.gaps.len()), (Tier::Complex, 3));
    }

    #[test]
    fn every_factor_says_what_its_ends_mean() {
        for name in FACTORS {
            let label = factor_label(name);
            assert!(label.contains("1 = ") && label.contains("3 = "), "{label}");
        }
        assert!(factor_label("quality_infrastructure").ends_with("3 = no evals yet)"));
        assert!(factor_label("team_maturity").ends_with("3 = no serving expertise)"));
    }

    #[test]
    fn out_of_range_missing_and_repeated_factors_are_refused() {
        let mut f = scored([1; 6]);
        f[0].score = 0;
        assert_eq!(
            readiness(&f).err().map(|e| e.field),
            Some("factors[0].score".into())
        );
        let mut f = scored([1; 6]);
        f[5].name = "integration_complexity".into();
        let err = readiness(&f)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("missing integration_depth"));
        assert!(err.contains("unexpected integration_complexity"));
        let mut f = scored([1; 6]);
        f[1].name = "workload_count".into();
        assert!(readiness(&f).is_err());
        assert!(readiness(&scored([1; 6])[..5]).is_err());
    }
}
