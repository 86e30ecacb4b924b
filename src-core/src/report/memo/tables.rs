//! The tables reports print: options compared, cost components, reconciliations, load tests
//! and the assumption register, each from the evaluation and written by [`super::format`].
//!
//! Tables with one column per scenario or period (components, reconciliations) are built whole,
//! so their CSV export has every column; [`split_columns`] cuts them into page-wide parts for
//! print.

use serde::{Deserialize, Serialize};

use crate::case::evaluation::{Evaluation, LoadTestResult, ReconciliationResult, ScenarioResult};
use crate::document::{Period, Workspace};
use crate::money::to_f64;
use crate::report::{Column, Row, Table};

use super::format::{
    count, lcpr, lcpr_decimal, millis, money, money_change, number, percent, percent_change,
};
use super::{latest_baseline, status_label};

/// The tables `lcpr export csv --table` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// Every scenario against the decision template ([`compare_table`]).
    Compare,
    /// Monthly cost components per scenario ([`components_table`]).
    Components,
    /// The assumption register ([`register_table`]).
    Register,
    /// Every reconciliation ([`reconciliations_table`]).
    Reconciliations,
}

impl TableKind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: [Self; 4] = [
        Self::Compare,
        Self::Components,
        Self::Register,
        Self::Reconciliations,
    ];

    /// The kind's name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Compare => "compare",
            Self::Components => "components",
            Self::Register => "register",
            Self::Reconciliations => "reconciliations",
        }
    }

    /// The kind called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The table of `kind` over the whole workspace.
#[must_use]
pub fn workspace_table(ws: &Workspace, eval: &Evaluation, kind: TableKind) -> Table {
    let scenarios: Vec<&ScenarioResult> = eval.scenarios.iter().collect();
    match kind {
        TableKind::Compare => compare_table(ws, eval, &scenarios),
        TableKind::Components => components_table(&scenarios),
        TableKind::Register => register_table(ws),
        TableKind::Reconciliations => {
            let recs: Vec<&ReconciliationResult> = eval.reconciliations.iter().collect();
            reconciliations_table(&recs)
        }
    }
}

/// True when a scenario runs on a GPU-priced route, where token costs do not apply.
/// The p95 latency of a scenario's route in milliseconds, TTFT / TPOT: the latest baseline of
/// the workload on that route when there is one (`measured`), else the workload's SLO (`SLO`:
/// a target, not a measurement).
#[must_use]
pub fn latency_cell(ws: &Workspace, s: &ScenarioResult) -> String {
    if let Some(b) = latest_baseline(ws, &s.workload, &s.route) {
        let p95 = |q: Option<crate::document::LatencyQuantiles>| {
            q.map_or_else(|| "not measured".to_owned(), |q| count(q.p95))
        };
        return format!(
            "{} / {}\nmeasured",
            p95(b.metrics.ttft_ms),
            p95(b.metrics.tpot_ms)
        );
    }
    match ws.workload(&s.workload) {
        Some(w) => format!("≤ {} / {}\nSLO", count(w.slo.ttft_ms), count(w.slo.tpot_ms)),
        None => "—".to_owned(),
    }
}

/// The decision template, one row per scenario: the option (scenario, status and owner), raw
/// and cache-adjusted token cost, retry rate, quality pass rate, p95 latency (TTFT / TPOT),
/// accepted outcome rate and LCPR. The lowest-LCPR scenario of each workload is emphasised.
/// Token costs of GPU-priced routes print as `—`; a scenario that could not be costed prints
/// `not costed`. Monthly costs are in [`components_table`], and the owner shares the option's
/// cell: more columns would not fit a portrait page without breaking numbers.
#[must_use]
pub fn compare_table(ws: &Workspace, eval: &Evaluation, scenarios: &[&ScenarioResult]) -> Table {
    let rows = scenarios
        .iter()
        .map(|s| {
            let owner = if s.owner.is_empty() {
                "unassigned"
            } else {
                s.owner.as_str()
            };
            let option = format!("{}\n{} · {owner}", s.name, status_label(s.status));
            let latency = latency_cell(ws, s);
            let Some(c) = &s.cost else {
                let dash = || "—".to_owned();
                return Row::new([
                    option,
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    latency,
                    dash(),
                    "not costed".to_owned(),
                ]);
            };
            let (raw, adjusted) = super::format::token_cost_cells(s);
            let cells = [
                option,
                raw,
                adjusted,
                percent(c.retry_rate),
                percent(c.quality_pass_rate),
                latency,
                percent(c.accepted_outcome_rate),
                lcpr(c.lcpr),
            ];
            if eval.cheapest.iter().any(|k| k.scenario == s.id) {
                Row::emphasized(cells)
            } else {
                Row::new(cells)
            }
        })
        .collect();
    Table {
        caption: Some("Route options, per 30-day month".to_owned()),
        columns: vec![
            Column::text("Option"),
            Column::money("Raw token cost"),
            Column::money("Token cost after cache"),
            Column::number("Retry rate"),
            Column::number("Quality pass rate"),
            Column::number("p95 TTFT / TPOT, ms"),
            Column::number("Accepted outcomes"),
            Column::money("LCPR"),
        ],
        rows,
    }
}

/// Monthly cost components in dollars, one column per costed scenario, then the monthly cost
/// (the column's sum, to the cent), accepted outputs and LCPR. Components that are zero for
/// every scenario are left out; they add nothing to any sum.
#[must_use]
pub fn components_table(scenarios: &[&ScenarioResult]) -> Table {
    let costed: Vec<(&ScenarioResult, &crate::case::cost::exact::ScenarioCost)> = scenarios
        .iter()
        .filter_map(|s| s.cost.as_ref().map(|c| (*s, c)))
        .collect();
    let mut columns = vec![Column::text("Component")];
    columns.extend(costed.iter().map(|(s, _)| Column::money(s.name.clone())));
    let kinds = crate::case::cost::exact::CostComponents::default().entries();
    let mut rows: Vec<Row> = kinds
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            costed.iter().any(|(_, c)| {
                c.components
                    .entries()
                    .get(*i)
                    .is_some_and(|(_, v)| !v.is_zero())
            })
        })
        .map(|(i, (kind, _))| {
            let mut cells = vec![kind.label().to_owned()];
            cells.extend(costed.iter().map(|(_, c)| {
                c.components
                    .entries()
                    .get(i)
                    .map_or_else(|| "—".to_owned(), |(_, v)| money(*v))
            }));
            Row::new(cells)
        })
        .collect();
    let line = |label: &str, f: &dyn Fn(&crate::case::cost::exact::ScenarioCost) -> String| {
        let mut cells = vec![label.to_owned()];
        cells.extend(costed.iter().map(|(_, c)| f(c)));
        cells
    };
    rows.push(Row::emphasized(line("Monthly cost", &|c| {
        money(c.monthly_cost)
    })));
    rows.push(Row::new(line("Accepted outputs", &|c| {
        count(c.accepted_units)
    })));
    rows.push(Row::emphasized(line("LCPR", &|c| lcpr(c.lcpr))));
    Table {
        caption: Some("Monthly cost by component".to_owned()),
        columns,
        rows,
    }
}

/// A period in few characters: `2026-10` for a whole calendar month, the day for a single day,
/// else `start – end`.
#[must_use]
pub fn period_label(p: &Period) -> String {
    let whole_month = p.start.day() == 1
        && p.start.year() == p.end.year()
        && p.start.month() == p.end.month()
        && crate::document::Date::new(p.end.year(), p.end.month(), p.end.day() + 1).is_none();
    if whole_month {
        format!("{:04}-{:02}", p.start.year(), p.start.month())
    } else if p.start == p.end {
        p.start.to_string()
    } else {
        format!("{} – {}", p.start, p.end)
    }
}

/// Every computed reconciliation as a column: trace cost, invoice and their gap (flagged above
/// 5%), the loaded components, loaded cost, volumes, LCPR and margin.
#[must_use]
pub fn reconciliations_table(recs: &[&ReconciliationResult]) -> Table {
    let computed: Vec<(
        &ReconciliationResult,
        &crate::calc::trace_to_margin::TraceToMargin,
    )> = recs
        .iter()
        .filter_map(|r| r.result.as_ref().map(|m| (*r, m)))
        .collect();
    let mut columns = vec![Column::text("Measure")];
    columns.extend(
        computed
            .iter()
            .map(|(r, _)| Column::money(format!("{}\n{}", period_label(&r.period), r.id))),
    );
    type Cell<'a> = &'a dyn Fn(&crate::calc::trace_to_margin::TraceToMargin) -> String;
    let line = |label: &str, f: Cell<'_>| {
        let mut cells = vec![label.to_owned()];
        cells.extend(computed.iter().map(|(_, m)| f(m)));
        cells
    };
    let any_disputed = computed.iter().any(|(r, _)| !r.disputed.is_zero());
    let mut rows = vec![Row::new(line("Trace cost", &|m| money(m.input.trace_cost)))];
    if any_disputed {
        let per_rec = |label: &str, f: &dyn Fn(&ReconciliationResult) -> String| {
            let mut cells = vec![label.to_owned()];
            cells.extend(computed.iter().map(|(r, _)| f(r)));
            Row::new(cells)
        };
        rows.push(per_rec("Invoice as billed", &|r| {
            money(r.invoice_as_billed)
        }));
        rows.push(per_rec("Disputed (excluded)", &|r| money(-r.disputed)));
        rows.push(Row::new(line("Invoice net of disputes", &|m| {
            money(m.input.invoice_amount)
        })));
    } else {
        rows.push(Row::new(line("Invoice", &|m| {
            money(m.input.invoice_amount)
        })));
    }
    rows.extend([
        Row::new(line("Invoice − trace", &|m| {
            let pct = m
                .delta_pct
                .map(|p| format!(" ({})", percent_change(to_f64(p))))
                .unwrap_or_default();
            let flag = if m.delta_flagged { " over 5%" } else { "" };
            format!("{}{pct}{flag}", money_change(m.delta))
        })),
        Row::new(line("Eval grading", &|m| money(m.input.eval_cost))),
        Row::new(line("Human escalation", &|m| money(m.input.human_cost))),
        Row::new(line("Operations", &|m| money(m.input.ops_cost))),
        Row::emphasized(line("Loaded cost", &|m| money(m.total_loaded_cost))),
        Row::new(line("Attempts", &|m| count(to_f64(m.input.total_attempts)))),
        Row::new(line("Accepted outputs", &|m| {
            count(to_f64(m.input.accepted_units))
        })),
        Row::emphasized(line("LCPR", &|m| lcpr_decimal(m.lcpr))),
        Row::new(line("Revenue", &|m| money(m.revenue))),
        Row::new(line("Gross margin", &|m| {
            format!(
                "{} ({})",
                money(m.gross_margin),
                percent(to_f64(m.gross_margin_pct))
            )
        })),
        Row::new(line("LCPR ÷ trace cost per attempt", &|m| {
            m.lcpr_to_naive_ratio
                .map_or_else(|| "—".to_owned(), |v| format!("{:.2}×", to_f64(v)))
        })),
    ]);
    Table {
        caption: Some("Trace-to-invoice reconciliation".to_owned()),
        columns,
        rows,
    }
}

/// Goodput of each load test under its workload's SLOs and quality gate.
#[must_use]
pub fn load_tests_table(tests: &[&LoadTestResult]) -> Table {
    let rows = tests
        .iter()
        .map(|t| match &t.goodput {
            Some(g) => Row::new([
                t.name.clone(),
                count(g.total_requests as f64),
                number(g.throughput_rate, 1),
                number(g.goodput_rate, 1),
                percent(if g.total_requests > 0 {
                    g.accepted_requests as f64 / g.total_requests as f64
                } else {
                    0.0
                }),
                g.cost_per_accepted.map_or_else(|| "—".to_owned(), lcpr),
                percent(g.quality_pass_rate),
                percent(g.latency_pass_rate),
                millis(g.ttft_ms.p95),
            ]),
            None => Row::new([
                t.name.clone(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
            ]),
        })
        .collect();
    Table {
        caption: Some("Load tests: goodput under the SLOs and quality gate".to_owned()),
        columns: vec![
            Column::text("Load test"),
            Column::number("Requests"),
            Column::number("Throughput per s"),
            Column::number("Goodput per s"),
            Column::number("Accepted share"),
            Column::money("Cost per accepted"),
            Column::number("Quality pass"),
            Column::number("Latency pass"),
            Column::number("TTFT p95"),
        ],
        rows,
    }
}

/// The assumption register: each entry's label, value, plausible range, evidence, owner,
/// source and date.
#[must_use]
pub fn register_table(ws: &Workspace) -> Table {
    let rows = ws
        .register
        .iter()
        .map(|e| {
            Row::new([
                if e.label.is_empty() {
                    e.id.clone()
                } else {
                    e.label.clone()
                },
                super::format::register_value(e, e.value),
                format!(
                    "{} – {}",
                    super::format::register_value(e, e.low),
                    super::format::register_value(e, e.high)
                ),
                e.status.label().to_owned(),
                e.owner.clone(),
                e.source.clone(),
                e.date.to_string(),
            ])
        })
        .collect();
    Table {
        caption: Some("Every entry with its plausible range and evidence".to_owned()),
        columns: vec![
            Column::text("Entry"),
            Column::number("Value"),
            Column::number("Low – high"),
            Column::text("Evidence"),
            Column::text("Owner"),
            Column::text("Source"),
            Column::text("Date"),
        ],
        rows,
    }
}

/// `table` cut into parts of at most `per_part` columns after its first `keep` columns, which
/// every part repeats; captions say which part is which. A table that fits is returned whole.
#[must_use]
pub fn split_columns(table: &Table, keep: usize, per_part: usize) -> Vec<Table> {
    let per_part = per_part.max(1);
    let rest = table.columns.len().saturating_sub(keep);
    if rest <= per_part {
        return vec![table.clone()];
    }
    let parts = rest.div_ceil(per_part);
    (0..parts)
        .map(|p| {
            let from = keep + p * per_part;
            let to = (from + per_part).min(table.columns.len());
            let pick = |cells: &[String]| -> Vec<String> {
                cells
                    .iter()
                    .take(keep)
                    .chain(cells.iter().take(to).skip(from))
                    .cloned()
                    .collect()
            };
            let columns = table
                .columns
                .iter()
                .take(keep)
                .chain(table.columns.iter().take(to).skip(from))
                .cloned()
                .collect();
            Table {
                caption: table
                    .caption
                    .as_ref()
                    .map(|c| format!("{c} ({} of {parts})", p + 1)),
                columns,
                rows: table
                    .rows
                    .iter()
                    .map(|r| Row {
                        cells: pick(&r.cells),
                        emphasis: r.emphasis,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::report::memo::tests::example;
    use crate::report::table_to_csv;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn parse_money(cell: &str) -> Decimal {
        let negative = cell.starts_with('-');
        let digits: String = cell
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let v = Decimal::from_str(&digits).unwrap_or_else(|e| panic!("{cell}: {e}"));
        if negative { -v } else { v }
    }

    #[test]
    fn disputed_amounts_show_as_billed_and_net() {
        let mut ws = example();
        let plain = evaluate(&ws);
        let recs: Vec<&ReconciliationResult> = plain.reconciliations.iter().collect();
        let labels =
            |t: &Table| -> Vec<String> { t.rows.iter().map(|r| r.cells[0].clone()).collect() };
        assert!(labels(&reconciliations_table(&recs)).contains(&"Invoice".to_owned()));
        let billed = ws.reconciliations[0].invoice_amount;
        ws.reconciliations[0]
            .disputes
            .push(crate::document::DisputedAmount {
                line_id: "L3".into(),
                amount: Decimal::new(1000, 2),
                reason: String::new(),
            });
        let eval = evaluate(&ws);
        let recs: Vec<&ReconciliationResult> = eval.reconciliations.iter().collect();
        let t = reconciliations_table(&recs);
        let at = |label: &str| {
            t.rows
                .iter()
                .find(|r| r.cells[0] == label)
                .map(|r| r.cells[1].clone())
                .unwrap_or_else(|| panic!("no row {label}"))
        };
        // As billed, less the $10.00 disputed, is the invoice counted in loaded cost.
        assert_eq!(parse_money(&at("Invoice as billed")), billed);
        assert_eq!(
            parse_money(&at("Disputed (excluded)")),
            Decimal::new(-1000, 2)
        );
        assert_eq!(
            parse_money(&at("Invoice net of disputes")),
            billed - Decimal::new(1000, 2)
        );
        assert!(!labels(&t).contains(&"Invoice".to_owned()));
    }

    #[test]
    fn components_add_up_to_the_monthly_cost_to_the_cent() {
        let ws = example();
        let eval = evaluate(&ws);
        let all: Vec<&ScenarioResult> = eval.scenarios.iter().collect();
        let t = components_table(&all);
        assert_eq!(t.columns.len(), 1 + eval.scenarios.len());
        let total_row = t
            .rows
            .iter()
            .position(|r| r.cells[0] == "Monthly cost")
            .unwrap_or_else(|| panic!("no total row"));
        for (col, s) in eval.scenarios.iter().enumerate() {
            let sum: Decimal = t.rows[..total_row]
                .iter()
                .map(|r| parse_money(&r.cells[col + 1]))
                .sum();
            let cost = s.cost.as_ref().unwrap_or_else(|| panic!("costed"));
            assert_eq!(sum, cost.monthly_cost, "{}", s.id);
            assert_eq!(t.rows[total_row].cells[col + 1], money(cost.monthly_cost));
        }
        // Every scenario of the example has engineering time; no row is all zero.
        assert!(
            t.rows[..total_row]
                .iter()
                .all(|r| r.cells[1..].iter().any(|c| c != "$0.00"))
        );
    }

    #[test]
    fn compare_rows_follow_the_template_and_mark_the_cheapest() {
        let ws = example();
        let eval = evaluate(&ws);
        let t = workspace_table(&ws, &eval, TableKind::Compare);
        assert!(t.validate().is_ok());
        // The four single routes, the cascade and the reserved pool.
        assert_eq!(t.rows.len(), 6);
        let gpt = &t.rows[0];
        assert_eq!(
            gpt.cells[0],
            "Support on GPT-5.4 (today)\ncurrent · Dana Okafor"
        );
        // The GPT route has a baseline: its p95 is measured; the others show the SLO.
        assert_eq!(gpt.cells[5], "780 / 31\nmeasured");
        assert_eq!(t.rows[1].cells[5], "≤ 800 / 50\nSLO");
        // GPU routes have no token costs.
        assert_eq!(t.rows[2].cells[1], "—");
        let cheapest = &eval.cheapest[0].scenario;
        for (row, s) in t.rows.iter().zip(&eval.scenarios) {
            assert_eq!(row.emphasis, &s.id == cheapest);
            let c = s.cost.as_ref().unwrap_or_else(|| panic!("costed"));
            assert_eq!(row.cells[7], lcpr(c.lcpr));
        }
    }

    #[test]
    fn reconciliation_columns_carry_the_reconciled_figures() {
        let ws = example();
        let eval = evaluate(&ws);
        let t = workspace_table(&ws, &eval, TableKind::Reconciliations);
        assert_eq!(t.columns[1].header, "2026-10\nsupport-2026-10");
        let cell = |label: &str| {
            t.rows
                .iter()
                .find(|r| r.cells[0] == label)
                .map(|r| r.cells[1].clone())
                .unwrap_or_default()
        };
        // 3,712.80 + 192 + 24,000 + 3,300 = 31,204.80; ÷ 344,000 = 0.090712…
        assert_eq!(cell("Loaded cost"), "$31,204.80");
        assert_eq!(cell("LCPR"), "$0.0907");
        // 3,712.80 − 3,640 = 72.80, 2.0% of the trace cost: under the 5% flag.
        assert_eq!(cell("Invoice − trace"), "+$72.80 (+2.0%)");
        // Revenue 0.25 × 344,000 = 86,000; margin 86,000 − 31,204.80 = 54,795.20 (63.7%).
        assert_eq!(cell("Gross margin"), "$54,795.20 (63.7%)");
    }

    #[test]
    fn register_rows_show_range_evidence_and_owner() {
        let ws = example();
        let t = register_table(&ws);
        assert_eq!(t.rows.len(), ws.register.len());
        assert_eq!(
            t.rows[0].cells,
            [
                "Monthly support requests",
                "400,000",
                "320,000 – 520,000",
                "Estimated",
                "Priya Natarajan",
                "Support volume forecast Q1 2027",
                "2026-11-10"
            ]
        );
    }

    #[test]
    fn periods_are_written_short() {
        let d = |y, m, day| {
            crate::document::Date::new(y, m, day).unwrap_or(crate::document::Date::EPOCH)
        };
        let p = |a, b| Period { start: a, end: b };
        assert_eq!(period_label(&p(d(2026, 10, 1), d(2026, 10, 31))), "2026-10");
        assert_eq!(period_label(&p(d(2026, 2, 1), d(2026, 2, 28))), "2026-02");
        assert_eq!(
            period_label(&p(d(2026, 5, 11), d(2026, 5, 11))),
            "2026-05-11"
        );
        assert_eq!(
            period_label(&p(d(2026, 10, 1), d(2026, 10, 30))),
            "2026-10-01 – 2026-10-30"
        );
    }

    #[test]
    fn wide_tables_split_into_parts_that_repeat_the_label_column() {
        let t = Table {
            caption: Some("C".into()),
            columns: ["k", "a", "b", "c"].map(Column::text).to_vec(),
            rows: vec![Row::emphasized(["K", "1", "2", "3"])],
        };
        let parts = split_columns(&t, 1, 2);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].rows[0].cells, ["K", "1", "2"]);
        assert_eq!(parts[1].rows[0].cells, ["K", "3"]);
        assert!(parts[1].rows[0].emphasis);
        assert_eq!(parts[1].caption.as_deref(), Some("C (2 of 2)"));
        assert_eq!(split_columns(&t, 1, 3), vec![t.clone()]);
    }

    #[test]
    fn every_table_kind_has_a_name_and_exports() {
        let ws = example();
        let eval = evaluate(&ws);
        for kind in TableKind::ALL {
            assert_eq!(TableKind::from_name(kind.name()), Some(kind));
            let csv = table_to_csv(&workspace_table(&ws, &eval, kind));
            assert!(csv.lines().count() > 1, "{}", kind.name());
        }
        assert_eq!(TableKind::from_name("chargeback"), None);
    }
}
