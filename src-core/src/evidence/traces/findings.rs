//! Anomaly findings between two baselines of one workload: the economic alerts a cost review
//! acts on, each with the numbers that raised it.
//!
//! The rules, with their default thresholds ([`FindingRules`]), every one strict ("more than"):
//! - LCPR rose by more than 10% (relative);
//! - cache hit rate fell by more than 15 percentage points;
//! - output tokens p95 rose by more than 25% (relative);
//! - the quality gate pass rate is below the workload's quality floor (the current baseline
//!   alone decides this one);
//! - escalation spike: the escalation rate rose by more than 50% relative *and* by at least one
//!   percentage point, so a move from 0.1% to 0.2% of requests is not a spike but 2% to 3.5% is;
//!   from zero, one percentage point suffices.
//!
//! The week-over-week reading of the LCPR rule is the caller's choice of baselines; each finding
//! records the days between them. A relative rule is skipped when the earlier value is zero.

use serde::{Deserialize, Serialize};

use crate::document::{Baseline, Workload};
use crate::error::{InputError, InputResult, non_negative};
use crate::money;

/// Thresholds of the anomaly rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingRules {
    /// Relative LCPR rise that is flagged: 0.10 = more than 10%.
    pub lcpr_rise: f64,
    /// Fall in cache hit rate that is flagged, as a fraction: 0.15 = more than 15 points.
    pub cache_hit_drop: f64,
    /// Relative rise of output tokens p95 that is flagged.
    pub output_p95_rise: f64,
    /// Relative rise of the escalation rate for a spike.
    pub escalation_rise: f64,
    /// …together with at least this absolute rise, as a fraction.
    pub escalation_rise_min: f64,
}

impl Default for FindingRules {
    fn default() -> Self {
        Self {
            lcpr_rise: 0.10,
            cache_hit_drop: 0.15,
            output_p95_rise: 0.25,
            escalation_rise: 0.50,
            escalation_rise_min: 0.01,
        }
    }
}

/// Which rule fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// LCPR rose.
    LcprRise,
    /// Cache hit rate fell.
    CacheHitDrop,
    /// Output length p95 rose.
    OutputLengthRise,
    /// Gate pass rate under the quality floor.
    PassRateBelowFloor,
    /// Escalation rate spiked.
    EscalationSpike,
}

/// One fired rule and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule.
    pub kind: FindingKind,
    /// The earlier value.
    pub previous: f64,
    /// The current value.
    pub current: f64,
    /// The change the rule measures: relative for rises, absolute for the cache and
    /// escalation points, current − floor for the floor.
    pub change: f64,
    /// The threshold it crossed.
    pub threshold: f64,
    /// Days between the two baselines.
    pub days_between: i64,
    /// The finding in words.
    pub message: String,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The findings of `current` against `previous`, both baselines of `workload`, in rule order.
pub fn findings(
    previous: &Baseline,
    current: &Baseline,
    workload: &Workload,
    rules: &FindingRules,
) -> InputResult<Vec<Finding>> {
    for (field, v) in [
        ("lcpr_rise", rules.lcpr_rise),
        ("cache_hit_drop", rules.cache_hit_drop),
        ("output_p95_rise", rules.output_p95_rise),
        ("escalation_rise", rules.escalation_rise),
        ("escalation_rise_min", rules.escalation_rise_min),
    ] {
        non_negative(field, v).map_err(|e| e.within("rules"))?;
    }
    for (side, b) in [("previous", previous), ("current", current)] {
        if b.workload != workload.id {
            return Err(InputError::new(
                format!("{side}.workload"),
                format!("must be {:?}, got {:?}", workload.id, b.workload),
            ));
        }
    }
    let days_between = previous.captured_on.days_until(current.captured_on);
    if days_between < 0 {
        return Err(InputError::new(
            "current.captured_on",
            format!(
                "must not be before previous.captured_on ({}), got {}",
                previous.captured_on, current.captured_on
            ),
        ));
    }
    let span = format!("{} → {}", previous.captured_on, current.captured_on);
    let mut found = Vec::new();
    let mut push = |kind, previous: f64, current: f64, change, threshold, message: String| {
        found.push(Finding {
            kind,
            previous,
            current,
            change,
            threshold,
            days_between,
            message,
        });
    };

    let (p, c) = (
        money::to_f64(previous.metrics.lcpr),
        money::to_f64(current.metrics.lcpr),
    );
    if p > 0.0 && c / p - 1.0 > rules.lcpr_rise {
        push(
            FindingKind::LcprRise,
            p,
            c,
            c / p - 1.0,
            rules.lcpr_rise,
            format!(
                "LCPR rose {} ({span}): {} → {} per accepted output; the rule flags more than {}",
                pct(c / p - 1.0),
                previous.metrics.lcpr,
                current.metrics.lcpr,
                pct(rules.lcpr_rise)
            ),
        );
    }
    let (p, c) = (
        previous.metrics.cache_hit_rate,
        current.metrics.cache_hit_rate,
    );
    if p - c > rules.cache_hit_drop {
        push(
            FindingKind::CacheHitDrop,
            p,
            c,
            c - p,
            rules.cache_hit_drop,
            format!(
                "cache hit rate fell {:.1} points ({span}): {} → {}; the rule flags more than {:.1}",
                (p - c) * 100.0,
                pct(p),
                pct(c),
                rules.cache_hit_drop * 100.0
            ),
        );
    }
    let (p, c) = (
        previous.traffic.output_tokens_p95,
        current.traffic.output_tokens_p95,
    );
    if p > 0.0 && c / p - 1.0 > rules.output_p95_rise {
        push(
            FindingKind::OutputLengthRise,
            p,
            c,
            c / p - 1.0,
            rules.output_p95_rise,
            format!(
                "output tokens p95 rose {} ({span}): {p:.0} → {c:.0}; the rule flags more than {}",
                pct(c / p - 1.0),
                pct(rules.output_p95_rise)
            ),
        );
    }
    let (p, c) = (
        previous.metrics.gate_pass_rate,
        current.metrics.gate_pass_rate,
    );
    // A pass rate not measured (no verdicts yet) is checked against nothing.
    if let Some(c) = c
        && c < workload.quality_floor
    {
        push(
            FindingKind::PassRateBelowFloor,
            // Not measured before: NaN, written as null.
            p.unwrap_or(f64::NAN),
            c,
            c - workload.quality_floor,
            workload.quality_floor,
            format!(
                "quality gate pass rate {} is below the workload's floor of {} (was {})",
                pct(c),
                pct(workload.quality_floor),
                p.map_or_else(|| "not measured".to_owned(), pct)
            ),
        );
    }
    let (p, c) = (
        previous.metrics.escalation_rate,
        current.metrics.escalation_rate,
    );
    let relative = if p > 0.0 { c / p - 1.0 } else { f64::INFINITY };
    if c - p >= rules.escalation_rise_min && relative > rules.escalation_rise {
        push(
            FindingKind::EscalationSpike,
            p,
            c,
            c - p,
            rules.escalation_rise,
            format!(
                "escalation rate spiked ({span}): {} → {} of requests (+{:.1} points{}); a spike is \
                 more than {} relative and at least {:.1} points",
                pct(p),
                pct(c),
                (c - p) * 100.0,
                if p > 0.0 {
                    format!(", +{}", pct(relative))
                } else {
                    String::new()
                },
                pct(rules.escalation_rise),
                rules.escalation_rise_min * 100.0
            ),
        );
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{BaselineMetrics, Date, LatencyQuantiles, TrafficShape, Versions};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn baseline(day: u8, lcpr: &str, cache: f64, out_p95: f64, pass: f64, esc: f64) -> Baseline {
        let q = LatencyQuantiles {
            p50: 1.0,
            p95: 2.0,
            p99: 3.0,
        };
        Baseline {
            id: format!("b{day}"),
            workload: "w".into(),
            route: None,
            captured_on: Date::new(2026, 5, day).unwrap_or_else(|| panic!()),
            versions: Versions::default(),
            traffic: TrafficShape {
                input_tokens_p50: 1.0,
                input_tokens_p95: 2.0,
                output_tokens_p50: 1.0,
                output_tokens_p95: out_p95,
            },
            metrics: BaselineMetrics {
                lcpr: Decimal::from_str(lcpr).unwrap_or_default(),
                eval_pass_rate: Some(pass),
                ttft_ms: Some(q),
                tpot_ms: Some(q),
                error_rate: 0.0,
                retry_rate: 0.0,
                timeout_rate: 0.0,
                cache_hit_rate: cache,
                cache_eligible_prefix_share: cache,
                gate_pass_rate: Some(pass),
                escalation_rate: esc,
                requests_per_day: 1.0,
                accepted_per_day: 1.0,
            },
            notes: String::new(),
            source: None,
        }
    }

    fn workload() -> Workload {
        let mut w = crate::evidence::traces::baseline::tests::workload();
        w.quality_floor = 0.85;
        w
    }

    fn kinds(f: &[Finding]) -> Vec<FindingKind> {
        f.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn every_rule_fires_past_its_threshold() {
        let prev = baseline(5, "0.080", 0.60, 1000.0, 0.90, 0.020);
        // LCPR +12.5%, cache −20 points, p95 +30%, pass 84% < 85%, escalation 2% → 3.5%.
        let cur = baseline(12, "0.090", 0.40, 1300.0, 0.84, 0.035);
        let f = findings(&prev, &cur, &workload(), &FindingRules::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            kinds(&f),
            vec![
                FindingKind::LcprRise,
                FindingKind::CacheHitDrop,
                FindingKind::OutputLengthRise,
                FindingKind::PassRateBelowFloor,
                FindingKind::EscalationSpike
            ]
        );
        assert!((f[0].change - 0.125).abs() < 1e-12);
        assert_eq!(f[0].days_between, 7);
        assert_eq!(
            f[0].message,
            "LCPR rose 12.5% (2026-05-05 → 2026-05-12): 0.080 → 0.090 per accepted output; the rule flags more than 10.0%"
        );
        assert!((f[1].change + 0.20).abs() < 1e-12);
        assert!((f[2].change - 0.30).abs() < 1e-12);
        assert!((f[3].change + 0.01).abs() < 1e-12);
        assert!((f[4].change - 0.015).abs() < 1e-12);
    }

    #[test]
    fn nothing_fires_under_the_thresholds() {
        let prev = baseline(5, "0.10", 0.60, 1000.0, 0.90, 0.020);
        // LCPR +9%, cache −14 points, p95 +24%, pass at the floor, escalation +45%.
        let cur = baseline(12, "0.109", 0.46, 1240.0, 0.85, 0.029);
        let f = findings(&prev, &cur, &workload(), &FindingRules::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kinds(&f), vec![]);
    }

    #[test]
    fn thresholds_are_strict() {
        // Values exact in binary, each exactly at its threshold.
        let rules = FindingRules {
            lcpr_rise: 0.25,
            cache_hit_drop: 0.25,
            output_p95_rise: 0.25,
            escalation_rise: 0.5,
            escalation_rise_min: 0.25,
        };
        let prev = baseline(5, "2", 0.75, 1000.0, 0.90, 0.5);
        let cur = baseline(12, "2.5", 0.5, 1250.0, 0.90, 0.75);
        let f = findings(&prev, &cur, &workload(), &rules).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kinds(&f), vec![]);
        let cur = baseline(12, "2.5", 0.5, 1250.0, 0.90, 0.875);
        let f = findings(&prev, &cur, &workload(), &rules).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kinds(&f), vec![FindingKind::EscalationSpike]);
    }

    #[test]
    fn small_escalation_moves_are_not_spikes() {
        // 0.1% → 0.3% triples but moves under a point; 0 → 1% is a spike.
        let f = findings(
            &baseline(5, "1", 0.5, 1.0, 0.9, 0.001),
            &baseline(12, "1", 0.5, 1.0, 0.9, 0.003),
            &workload(),
            &FindingRules::default(),
        );
        assert_eq!(f.map(|f| kinds(&f)), Ok(vec![]));
        let f = findings(
            &baseline(5, "1", 0.5, 1.0, 0.9, 0.0),
            &baseline(12, "1", 0.5, 1.0, 0.9, 0.01),
            &workload(),
            &FindingRules::default(),
        );
        assert_eq!(f.map(|f| kinds(&f)), Ok(vec![FindingKind::EscalationSpike]));
    }

    #[test]
    fn refuses_mismatched_baselines_and_bad_rules() {
        let prev = baseline(12, "1", 0.5, 1.0, 0.9, 0.0);
        let cur = baseline(5, "1", 0.5, 1.0, 0.9, 0.0);
        assert!(findings(&prev, &cur, &workload(), &FindingRules::default()).is_err());
        let mut other = baseline(13, "1", 0.5, 1.0, 0.9, 0.0);
        other.workload = "x".into();
        let err = findings(&prev, &other, &workload(), &FindingRules::default()).err();
        assert_eq!(err.map(|e| e.field), Some("current.workload".into()));
        let rules = FindingRules {
            lcpr_rise: -0.1,
            ..FindingRules::default()
        };
        let err = findings(&cur, &prev, &workload(), &rules).err();
        assert_eq!(err.map(|e| e.field), Some("rules.lcpr_rise".into()));
    }
}
