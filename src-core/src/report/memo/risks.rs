//! Open risks: what a decision still rests on that is not known well enough, each with an owner
//! and the action that would close it.
//!
//! A risk is raised by any of: a register entry whose evidence is assumed or stale; the register
//! entries whose plausible range moves LCPR most (the widest bars of register tornadoes); a
//! reconciliation whose invoice differs from its traces by more than 5%; a load test whose
//! method leaves something unmeasured; and anything the evaluation could not compute. One entry
//! raised for two reasons is one risk with both findings, so a reader sees each thing to fix once.

use serde::Serialize;

use crate::case::evaluation::Evaluation;
use crate::decide::tornado::Tornado;
use crate::decide::tornado::entry_label;
use crate::document::Workspace;
use crate::document::evidence_status::EvidenceStatus;
use crate::money::to_f64;

use super::format::{lcpr, money_change, number, percent_change};
use super::tables::period_label;

/// What raised a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// A register entry: weak evidence, a range that moves LCPR, or both.
    Register,
    /// A reconciliation flagged above the 5% threshold.
    Reconciliation,
    /// A load test with methodology gaps.
    LoadTest,
    /// Something that could not be computed.
    Computation,
}

/// One open risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenRisk {
    /// What raised it.
    pub kind: RiskKind,
    /// What it is about: an entry's label, a reconciliation, a load test.
    pub subject: String,
    /// What is wrong, in a sentence or two.
    pub finding: String,
    /// What would close it.
    pub action: String,
    /// Who answers for it (`unassigned` when nobody is named).
    pub owner: String,
}

/// Where to look for risks.
#[derive(Debug, Clone, Copy)]
pub struct RiskScope<'a> {
    /// Workloads whose scenarios, reconciliations and load tests are examined; `None` for all.
    /// The register is examined whole: it is shared by every workload.
    pub workloads: Option<&'a [String]>,
    /// Register tornadoes, each with the name of the scenario it is for.
    pub tornadoes: &'a [(String, Tornado)],
    /// How many of the widest-swing register entries are risks.
    pub top_ranges: usize,
}

fn owner_or_unassigned(owner: &str) -> String {
    if owner.trim().is_empty() {
        "unassigned".to_owned()
    } else {
        owner.to_owned()
    }
}

/// The widest-swing register entries over every tornado, widest first: (entry id, finding).
fn widest_ranges(scope: &RiskScope<'_>) -> Vec<(String, String)> {
    let mut bars: Vec<(&str, &crate::decide::tornado::TornadoBar)> = scope
        .tornadoes
        .iter()
        .flat_map(|(name, t)| t.bars.iter().map(move |b| (name.as_str(), b)))
        .filter(|(_, b)| b.swing > 0.0)
        .collect();
    // Stable: equal swings keep tornado and bar order.
    bars.sort_by(|a, b| b.1.swing.total_cmp(&a.1.swing));
    let mut out: Vec<(String, String)> = Vec::new();
    for (scenario, bar) in bars {
        if out.len() >= scope.top_ranges {
            break;
        }
        if out.iter().any(|(id, _)| *id == bar.input) {
            continue;
        }
        let (lo, hi) = (
            bar.output_at_low.min(bar.output_at_high),
            bar.output_at_low.max(bar.output_at_high),
        );
        out.push((
            bar.input.clone(),
            format!(
                "across its range {} – {} it moves the LCPR of {scenario} between {} and {}.",
                number(bar.low, 4),
                number(bar.high, 4),
                lcpr(lo),
                lcpr(hi)
            ),
        ));
    }
    out
}

fn register_risks(ws: &Workspace, scope: &RiskScope<'_>) -> Vec<OpenRisk> {
    let ranges = widest_ranges(scope);
    let evidence = |status: EvidenceStatus, date: &crate::document::Date| match status {
        EvidenceStatus::Assumed => Some("Its value is assumed: nothing was measured.".to_owned()),
        EvidenceStatus::Stale => Some(format!(
            "Its evidence is stale: last confirmed {date}, and the system has changed since."
        )),
        _ => None,
    };
    let risk = |entry: &crate::document::RegisterEntry, range: Option<&str>| {
        let weak = evidence(entry.status, &entry.date);
        if weak.is_none() && range.is_none() {
            return None;
        }
        let mut finding = Vec::new();
        if let Some(w) = &weak {
            finding.push(w.clone());
        }
        if let Some(r) = range {
            finding.push(capitalise(r));
        }
        let action = match (entry.status, range.is_some()) {
            (EvidenceStatus::Assumed, true) => {
                "Measure it first: it is both unmeasured and among the largest levers."
            }
            (EvidenceStatus::Stale, true) => {
                "Measure it again first: it is out of date and among the largest levers."
            }
            (EvidenceStatus::Assumed, false) => {
                "Replace the assumption with a measurement (logs, a load test or an invoice)."
            }
            (EvidenceStatus::Stale, false) => "Measure it again on the current system.",
            _ => "Narrow its range with a measurement before the decision rests on it.",
        };
        Some(OpenRisk {
            kind: RiskKind::Register,
            subject: entry_label(ws, &entry.id),
            finding: finding.join(" "),
            action: action.to_owned(),
            owner: owner_or_unassigned(&entry.owner),
        })
    };
    // Widest ranges first, then the other weakly evidenced entries in register order.
    let mut out: Vec<OpenRisk> = ranges
        .iter()
        .filter_map(|(id, finding)| {
            let entry = ws.register.iter().find(|e| &e.id == id)?;
            risk(entry, Some(finding))
        })
        .collect();
    out.extend(
        ws.register
            .iter()
            .filter(|e| !ranges.iter().any(|(id, _)| *id == e.id))
            .filter_map(|e| risk(e, None)),
    );
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The open risks in `scope`, in this order: register entries (widest range first, then weak
/// evidence in register order), reconciliations, load tests, then what could not be computed.
#[must_use]
pub fn open_risks(ws: &Workspace, eval: &Evaluation, scope: &RiskScope<'_>) -> Vec<OpenRisk> {
    let in_scope = |workload: &str| {
        scope
            .workloads
            .is_none_or(|ws| ws.iter().any(|w| w == workload))
    };
    let ws_owner = owner_or_unassigned(&ws.meta.owner);
    let mut out = register_risks(ws, scope);
    for r in eval
        .reconciliations
        .iter()
        .filter(|r| in_scope(&r.workload))
    {
        let subject = format!("Reconciliation {} ({})", r.id, period_label(&r.period));
        match (&r.result, &r.error) {
            (Some(m), _) if m.delta_flagged => out.push(OpenRisk {
                kind: RiskKind::Reconciliation,
                subject,
                finding: format!(
                    "The invoice differs from the traces by {}{}, beyond the 5% threshold.",
                    money_change(m.delta),
                    m.delta_pct
                        .map(|p| format!(" ({})", percent_change(to_f64(p))))
                        .unwrap_or_default()
                ),
                action: "Find the invoice lines the traces miss (or the reverse) before costs \
                         are read from traces."
                    .to_owned(),
                owner: ws_owner.clone(),
            }),
            (None, error) => out.push(OpenRisk {
                kind: RiskKind::Computation,
                subject,
                finding: format!(
                    "It could not be reconciled: {}.",
                    error.as_deref().unwrap_or("no result")
                ),
                action: "Correct its figures.".to_owned(),
                owner: ws_owner.clone(),
            }),
            _ => {}
        }
    }
    for t in eval.load_tests.iter().filter(|t| in_scope(&t.workload)) {
        let owner = ws
            .load_tests
            .iter()
            .find(|d| d.id == t.id)
            .and_then(|d| d.scenario.as_deref())
            .and_then(|s| ws.scenario(s))
            .map_or_else(|| ws_owner.clone(), |s| owner_or_unassigned(&s.owner));
        if let Some(error) = &t.error {
            out.push(OpenRisk {
                kind: RiskKind::Computation,
                subject: format!("Load test {}", t.name),
                finding: format!("Its goodput could not be computed: {error}."),
                action: "Correct its measurements.".to_owned(),
                owner: owner.clone(),
            });
        }
        if !t.methodology_gaps.is_empty() {
            out.push(OpenRisk {
                kind: RiskKind::LoadTest,
                subject: format!("Load test {}", t.name),
                finding: t.methodology_gaps.join(" "),
                action: "Run it again with the missing steps before its goodput is compared."
                    .to_owned(),
                owner,
            });
        }
    }
    for s in eval.scenarios.iter().filter(|s| in_scope(&s.workload)) {
        if let Some(error) = &s.error {
            out.push(OpenRisk {
                kind: RiskKind::Computation,
                subject: format!("Scenario {}", s.name),
                finding: format!("It could not be costed: {error}."),
                action: "Correct its inputs so it can be compared.".to_owned(),
                owner: owner_or_unassigned(&s.owner),
            });
        }
    }
    for e in &eval.register_errors {
        out.push(OpenRisk {
            kind: RiskKind::Computation,
            subject: "Assumption register".to_owned(),
            finding: format!("{}.", capitalise(e)),
            action: "Bind the entry to an input that exists.".to_owned(),
            owner: ws_owner.clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::decide::tornado::scenario_tornado;
    use crate::report::memo::tests::example;

    fn tornadoes(ws: &Workspace, id: &str) -> Vec<(String, Tornado)> {
        let t = scenario_tornado(ws, id).unwrap_or_else(|e| panic!("{e}"));
        vec![(id.to_owned(), t)]
    }

    #[test]
    fn assumed_entries_and_the_widest_ranges_are_risks_once_each() {
        let ws = example();
        let eval = evaluate(&ws);
        let t = tornadoes(&ws, "support-dsv4-serverless");
        let scope = RiskScope {
            workloads: None,
            tornadoes: &t,
            top_ranges: 3,
        };
        let risks = open_risks(&ws, &eval, &scope);
        let subjects: Vec<&str> = risks.iter().map(|r| r.subject.as_str()).collect();
        // The three widest bars of the proposed scenario's tornado come first, widest first.
        let widest: Vec<String> = t[0]
            .1
            .bars
            .iter()
            .take(3)
            .map(|b| entry_label(&ws, &b.input))
            .collect();
        assert_eq!(
            subjects[..3],
            widest.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        // Both assumed entries are listed, and no subject twice.
        assert!(subjects.contains(&"Prefix cache hit rate on Fireworks"));
        assert!(subjects.contains(&"Sustained utilization of the dedicated H100s"));
        let mut unique = subjects.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), subjects.len());
        // The example's reconciliation is within 5% and it has no load tests.
        assert!(risks.iter().all(|r| r.kind == RiskKind::Register));
        let h100 = risks
            .iter()
            .find(|r| r.subject.contains("H100"))
            .unwrap_or_else(|| panic!("h100 risk"));
        assert_eq!(h100.owner, "Luis Ferreira");
        assert!(h100.finding.starts_with("Its value is assumed"));
    }

    #[test]
    fn flagged_reconciliations_gapped_load_tests_and_failures_are_risks() {
        let mut ws = example();
        // Invoice 10% over traces: 3,640 × 1.1 = 4,004.
        ws.reconciliations[0].invoice_amount = rust_decimal::Decimal::new(4004, 0);
        ws.scenarios[3].route = "missing".into();
        let eval = evaluate(&ws);
        let scope = RiskScope {
            workloads: Some(&["support-chat".to_owned()]),
            tornadoes: &[],
            top_ranges: 3,
        };
        let risks = open_risks(&ws, &eval, &scope);
        let recon = risks
            .iter()
            .find(|r| r.kind == RiskKind::Reconciliation)
            .unwrap_or_else(|| panic!("reconciliation risk"));
        assert_eq!(recon.subject, "Reconciliation support-2026-10 (2026-10)");
        assert!(
            recon.finding.contains("+$364.00 (+10.0%)"),
            "{}",
            recon.finding
        );
        assert_eq!(recon.owner, "Platform architecture");
        let failed = risks
            .iter()
            .find(|r| r.kind == RiskKind::Computation)
            .unwrap_or_else(|| panic!("computation risk"));
        assert!(failed.subject.contains("our own H200s"));
        // Without tornadoes only weak evidence raises register risks: the four assumed entries
        // (two of them the cascade's judge accuracy and first-stage pass rate).
        assert_eq!(
            risks
                .iter()
                .filter(|r| r.kind == RiskKind::Register)
                .count(),
            4
        );
        // Another workload's scope sees neither the reconciliation nor the scenario.
        let other = RiskScope {
            workloads: Some(&["other".to_owned()]),
            ..scope
        };
        assert!(
            open_risks(&ws, &eval, &other)
                .iter()
                .all(|r| r.kind == RiskKind::Register)
        );
    }

    #[test]
    fn load_test_gaps_name_the_scenario_owner() {
        let text = include_str!("../../../../seeds/rag-benchmark-audit.yaml");
        let ws = crate::document::parse(text, "rag.yaml").unwrap_or_else(|e| panic!("{e}"));
        let eval = evaluate(&ws);
        let scope = RiskScope {
            workloads: None,
            tornadoes: &[],
            top_ranges: 3,
        };
        let risks = open_risks(&ws, &eval, &scope);
        let gapped: Vec<&OpenRisk> = risks
            .iter()
            .filter(|r| r.kind == RiskKind::LoadTest)
            .collect();
        // Route A was run closed-loop, cold and without the gate; route B by the book.
        assert_eq!(gapped.len(), 1);
        assert!(gapped[0].subject.contains("model Alpha"));
        assert!(gapped[0].finding.contains("Closed-loop arrivals"));
        assert_eq!(gapped[0].owner, "Procurement review");
    }
}
