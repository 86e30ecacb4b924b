//! The decision in words: its title, one paragraph, and the figures behind it as label–value
//! pairs. One wording for the memo's first page, `lcpr decide` and the window's Decision view,
//! every number written by [`super::format`].

use rust_decimal::Decimal;

use crate::case::current_route::{CurrentRoute, InputGap};
use crate::decide::decision::{DecisionStatement, Recommendation, Side};
use crate::decide::gates::Outcome;
use crate::decide::monte_carlo::register::Range;
use crate::money;

use super::format::{count, lcpr, money, percent};

/// The decision as a title: "Stay on …", "Move … to …", "Move … to … when 3 gates clear".
#[must_use]
pub fn title(d: &DecisionStatement) -> String {
    match d.recommendation {
        Recommendation::Stay => format!("Stay on {}", d.current.name),
        Recommendation::Move => format!("Move {} to {}", d.workload_name, d.candidate.name),
        Recommendation::MoveWhen => format!(
            "Move {} to {} when {} clear{}",
            d.workload_name,
            d.candidate.name,
            gates_count(failing(d).len()),
            if failing(d).len() == 1 { "s" } else { "" }
        ),
    }
}

fn gates_count(n: usize) -> String {
    if n == 1 {
        "1 gate".to_owned()
    } else {
        format!("{n} gates")
    }
}

fn failing(d: &DecisionStatement) -> Vec<&crate::decide::decision::Blocker> {
    d.blockers
        .iter()
        .filter(|b| b.outcome == Outcome::Fail)
        .collect()
}

/// A P10–P90 range of monthly cost: `$29,011.42 – $52,819.85`.
#[must_use]
pub fn money_range(r: &Range) -> String {
    let m = |v: f64| money::from_f64(v).map_or_else(|| "—".to_owned(), money);
    format!("{} – {}", m(r.p10), m(r.p90))
}

fn range_of(s: &Side) -> String {
    s.monthly_cost_range.as_ref().map_or_else(
        || "not estimated (no register entry is bound to an input)".to_owned(),
        money_range,
    )
}

/// The impact of moving, in words: "costs $7,295.99 more a month" or "saves $1,200.00 a month".
fn impact(amount: Decimal, per: &str) -> String {
    if amount > Decimal::ZERO {
        format!("costs {} more {per}", money(amount))
    } else if amount < Decimal::ZERO {
        format!("saves {} {per}", money(-amount))
    } else {
        format!("costs the same {per}")
    }
}

/// The payback in words.
#[must_use]
pub fn payback_text(d: &DecisionStatement) -> String {
    match (d.payback_months, d.engineering_investment) {
        (Some(m), Some(i)) => format!(
            "{} months to repay the {} investment",
            super::format::number(money::to_f64(m), 1),
            money(i)
        ),
        (None, Some(_)) => "does not pay back: the move saves nothing".to_owned(),
        (_, None) if d.monthly_impact < Decimal::ZERO => {
            "not computed: the migration case states no engineering investment".to_owned()
        }
        _ => "does not pay back: the move saves nothing".to_owned(),
    }
}

/// The probability in words.
#[must_use]
pub fn probability_text(d: &DecisionStatement) -> String {
    match (d.probability_candidate_cheaper, d.draws) {
        (Some(p), Some(n)) => format!("{} of {} draws", percent(p), count(n as f64)),
        _ => "not estimated (no register entry is bound to an input)".to_owned(),
    }
}

/// The decision in one paragraph.
#[must_use]
pub fn paragraph(d: &DecisionStatement) -> String {
    let (cur, cand) = (&d.current, &d.candidate);
    // What moving costs, said the same way whatever the recommendation.
    let cost = format!(
        "{} ({} a year), {} against {} per {}",
        impact(d.monthly_impact, "a month"),
        money(d.annual_impact.abs()),
        lcpr(cand.lcpr),
        lcpr(cur.lcpr),
        d.unit
    );
    let mut out = match d.recommendation {
        Recommendation::Stay => format!(
            "Stay on {}. Moving {} to {} {cost}.",
            cur.name, d.workload_name, cand.name
        ),
        Recommendation::Move => format!("Move {} to {}: it {cost}.", d.workload_name, cand.name),
        Recommendation::MoveWhen => format!(
            "Move {} to {} once the blocking gates clear; until then stay on {}. The move {cost}.",
            d.workload_name, cand.name, cur.name
        ),
    };
    if cur.monthly_cost_range.is_some() || cand.monthly_cost_range.is_some() {
        out.push_str(&format!(
            " Over the register's ranges, monthly cost is {} (P10–P90) today and {} on the candidate.",
            range_of(cur),
            range_of(cand)
        ));
    }
    if let (Some(p), Some(n)) = (d.probability_candidate_cheaper, d.draws) {
        out.push_str(&format!(
            " The candidate is cheaper per {} in {} of {} draws.",
            d.unit,
            percent(p),
            count(n as f64)
        ));
    }
    if d.monthly_impact < Decimal::ZERO {
        out.push_str(&format!(" Payback: {}.", payback_text(d)));
    }
    let fail = failing(d);
    if !fail.is_empty() {
        let names: Vec<&str> = fail.iter().map(|b| b.gate.label()).collect();
        out.push_str(&format!(
            " {} block{} the move: {}.",
            gates_count(fail.len()),
            if fail.len() == 1 { "s" } else { "" },
            names.join(", ")
        ));
    }
    if let Some(l) = &d.dominant_lever {
        out.push_str(&format!(
            " The dominant lever is {}{}.",
            l.label,
            l.share
                .map(|s| format!(" ({} of the register's swing)", percent(s)))
                .unwrap_or_default()
        ));
    }
    out
}

/// The figures behind the decision, labelled.
#[must_use]
pub fn figures(d: &DecisionStatement) -> Vec<(String, String)> {
    let mut out = vec![
        ("Recommendation".to_owned(), title(d)),
        ("Workload".to_owned(), d.workload_name.clone()),
        (
            "Current route".to_owned(),
            format!(
                "{}: {} per {}, {} a month",
                d.current.name,
                lcpr(d.current.lcpr),
                d.unit,
                money(d.current.monthly_cost)
            ),
        ),
        (
            "Candidate".to_owned(),
            format!(
                "{}: {} per {}, {} a month",
                d.candidate.name,
                lcpr(d.candidate.lcpr),
                d.unit,
                money(d.candidate.monthly_cost)
            ),
        ),
        (
            "Monthly impact of moving".to_owned(),
            super::format::money_change(d.monthly_impact),
        ),
        (
            "Annual impact of moving".to_owned(),
            super::format::money_change(d.annual_impact),
        ),
        (
            "Monthly cost P10–P90, current".to_owned(),
            range_of(&d.current),
        ),
        (
            "Monthly cost P10–P90, candidate".to_owned(),
            range_of(&d.candidate),
        ),
        (
            "Probability the candidate is cheaper".to_owned(),
            probability_text(d),
        ),
        ("Payback".to_owned(), payback_text(d)),
    ];
    if d.blockers.is_empty() {
        out.push((
            "Gates".to_owned(),
            if d.gates_decision.is_some() {
                "every gate passes".to_owned()
            } else {
                "not assessed: the workspace has no migration case".to_owned()
            },
        ));
    }
    for b in &d.blockers {
        let kind = if b.outcome == Outcome::Fail {
            "blocks"
        } else {
            "conditional"
        };
        out.push((
            format!("Gate: {} ({kind})", b.gate.label()),
            // The evidence is the gates section's; page 1 says what would clear the gate.
            format!("To unblock: {}.", b.unblock),
        ));
    }
    out.push((
        "Dominant lever".to_owned(),
        d.dominant_lever.as_ref().map_or_else(
            || "none: no register entry moves the candidate's LCPR".to_owned(),
            |l| {
                format!(
                    "{}: {} per {} between its low and high",
                    l.label,
                    lcpr(l.swing),
                    d.unit
                )
            },
        ),
    ));
    out
}

fn gap_value(g: &InputGap, v: f64) -> String {
    if g.input == "monthly requests" {
        count(v)
    } else {
        percent(v)
    }
}

/// How far `lcpr` is from the modelled figure, in words: "$0.0006 lower than modelled".
fn versus_modelled(lcpr_value: f64, modelled: f64) -> String {
    // The difference of the figures as printed, so the sentence agrees with them.
    let shown = |v: f64| {
        format!("{:.*}", super::format::LCPR_DECIMALS, v)
            .parse::<f64>()
            .unwrap_or(v)
    };
    let d = shown(lcpr_value) - shown(modelled);
    if lcpr(d.abs()) == lcpr(0.0) {
        "the same as modelled".to_owned()
    } else if d < 0.0 {
        format!("{} lower than modelled", lcpr(-d))
    } else {
        format!("{} higher than modelled", lcpr(d))
    }
}

/// The current route's three LCPR figures, labelled by kind and source, each with the
/// sentence that says why it differs from the modelled one.
#[must_use]
pub fn current_route_figures(c: &CurrentRoute) -> Vec<(String, String)> {
    let mut out = vec![(
        format!("Modelled LCPR (scenario {})", c.scenario),
        lcpr(c.modelled),
    )];
    match &c.measured {
        Some(m) => {
            let mut text = format!("{}: {}", lcpr(m.lcpr), versus_modelled(m.lcpr, c.modelled));
            if let Some(g) = m.gaps.first() {
                text.push_str(&format!(
                    "; the largest input gap is the {}: {} measured, {} modelled",
                    g.input,
                    gap_value(g, g.measured),
                    gap_value(g, g.modelled)
                ));
            }
            out.push((
                format!("Measured LCPR (baseline {}, {})", m.baseline, m.captured_on),
                text,
            ));
        }
        None => out.push((
            "Measured LCPR".to_owned(),
            "not measured: no baseline of this route yet (import its traces)".to_owned(),
        )),
    }
    match &c.reconciled {
        Some(r) => {
            let mut text = format!("{}: {}", lcpr(r.lcpr), versus_modelled(r.lcpr, c.modelled));
            if let Some(p) = r.invoice_delta_pct {
                text.push_str(&format!(
                    "; the invoice was {} {} the traces",
                    percent(p.abs()),
                    if p < 0.0 { "below" } else { "above" }
                ));
            }
            out.push((
                format!(
                    "Reconciled LCPR (reconciliation {}, {} – {})",
                    r.reconciliation, r.period.start, r.period.end
                ),
                text,
            ));
        }
        None => out.push((
            "Reconciled LCPR".to_owned(),
            "not reconciled: no reconciliation of this workload yet".to_owned(),
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::decide::decision::decide;

    #[test]
    fn the_default_decision_reads_stay_with_its_figures() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../workspaces/support-migration.yaml"
        );
        let ws =
            crate::document::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        let d = decide(&ws, &evaluate(&ws)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(title(&d), "Stay on Support on GPT-5.4 (today)");
        let p = paragraph(&d);
        assert!(
            p.starts_with("Stay on Support on GPT-5.4 (today). Moving"),
            "{p}"
        );
        assert!(p.contains(&money(d.annual_impact)), "{p}");
        assert!(p.contains("3 gates block the move"), "{p}");
        let f = figures(&d);
        assert!(f.iter().any(|(k, v)| k == "Annual impact of moving"
            && v == &super::super::format::money_change(d.annual_impact)));
        assert!(
            f.iter()
                .any(|(k, v)| k.starts_with("Gate: memory") && v.contains("To unblock")),
            "{f:?}"
        );
    }
}
