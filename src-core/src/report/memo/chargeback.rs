//! The chargeback report: a shared bill split across teams by each of the four modes, side by
//! side, every mode reconciling to the bill to the cent, with the fine-tune charges.

use crate::decide::attribution::attribute;
use crate::document::Workspace;
use crate::document::attribution::AllocationMode;
use crate::error::{InputError, InputResult};
use crate::report::{Block, Column, Report, Row, Table};

use super::MemoSource;
use super::format::money;

/// The chargeback report of the workspace's attribution section.
pub fn chargeback_report(ws: &Workspace, source: &MemoSource) -> InputResult<Report> {
    let input = ws.attribution.as_ref().ok_or_else(|| {
        InputError::new(
            "attribution",
            "is not set in this workspace: there is no bill to split",
        )
    })?;
    let a = attribute(input)?;
    let mut blocks = vec![
        Block::heading(1, "The bill"),
        Block::key_values([
            ("Bill", money(a.bill_total)),
            (
                "Fixed floor (split by seat in the hybrid mode)",
                money(a.platform_fixed_cost),
            ),
            (
                "Shared-cache discount passed through by token",
                money(a.cache_discount),
            ),
            ("Usage basis", format!("{:?}", a.basis).to_lowercase()),
        ]),
        Block::paragraph(format!(
            "Every mode adds up to the bill to the cent. {} is settled whatever the mode; {} ({:.1}% of the bill) \
             moves between teams with the choice of mode, which is what the negotiation is about.",
            money(a.settled_under_every_mode),
            money(a.contested_by_mode),
            a.contested_share * 100.0
        )),
        Block::heading(1, "Spend by team and mode"),
    ];
    let mut rows: Vec<Row> = a
        .comparison
        .iter()
        .map(|t| {
            Row::new([
                t.team_name.clone(),
                money(t.uniform),
                money(t.proportional),
                money(t.weighted),
                money(t.hybrid),
                money(t.spread),
            ])
        })
        .collect();
    let total = |mode: AllocationMode| {
        a.modes
            .iter()
            .find(|m| m.mode == mode)
            .map_or_else(String::new, |m| {
                money(m.teams.iter().map(|t| t.allocation).sum())
            })
    };
    rows.push(Row::emphasized([
        "Total".to_owned(),
        total(AllocationMode::Uniform),
        total(AllocationMode::Proportional),
        total(AllocationMode::Weighted),
        total(AllocationMode::Hybrid),
        String::new(),
    ]));
    blocks.push(Block::Table(Table {
        caption: Some("Allocation of the bill under each mode".to_owned()),
        columns: vec![
            Column::text("Team"),
            Column::money("Uniform"),
            Column::money("Proportional"),
            Column::money("Weighted"),
            Column::money("Hybrid"),
            Column::money("Spread"),
        ],
        rows,
    }));
    if let Some(hybrid) = a.modes.iter().find(|m| m.mode == AllocationMode::Hybrid) {
        blocks.push(Block::Table(Table {
            caption: Some("The hybrid mode line by line".to_owned()),
            columns: vec![
                Column::text("Team"),
                Column::money("Fixed floor"),
                Column::money("Usage"),
                Column::money("Cache credit"),
                Column::money("Allocation"),
                Column::money("Fine-tunes"),
                Column::money("Total charge"),
            ],
            rows: hybrid
                .teams
                .iter()
                .map(|t| {
                    Row::new([
                        t.team_name.clone(),
                        money(t.fixed_floor),
                        money(t.variable),
                        money(t.cache_credit),
                        money(t.allocation),
                        money(t.fine_tune),
                        money(t.total_charge),
                    ])
                })
                .collect(),
        }));
    }
    if !a.fine_tune_charges.is_empty() {
        blocks.push(Block::heading(1, "Fine-tune charges"));
        blocks.push(Block::Table(Table {
            caption: None,
            columns: vec![
                Column::text("Fine-tune"),
                Column::text("Team"),
                Column::number("Calls"),
                Column::money("Charge"),
            ],
            rows: a
                .fine_tune_charges
                .iter()
                .map(|c| {
                    Row::new([
                        c.fine_tune_id.clone(),
                        c.team_id.clone(),
                        super::format::count(c.calls),
                        money(c.amount),
                    ])
                })
                .collect(),
        }));
    }
    Ok(Report {
        title: format!("Chargeback: {}", ws.meta.title),
        subtitle: format!("{} teams, bill {}", a.comparison.len(), money(a.bill_total)),
        meta: source.meta(&ws.meta.owner),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render_pdf;

    #[test]
    fn the_chargeback_report_renders_and_totals_the_bill() {
        let text = include_str!("../../../../workspaces/public-sector-chargeback.yaml");
        let ws = crate::document::parse(text, "public-sector-chargeback.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        let source = MemoSource::of_file(
            "public-sector-chargeback.yaml",
            text.as_bytes(),
            crate::document::Date::EPOCH,
        );
        let report = chargeback_report(&ws, &source).unwrap_or_else(|e| panic!("{e}"));
        let pdf =
            render_pdf(&report, &super::super::render_options()).unwrap_or_else(|e| panic!("{e}"));
        assert!(pdf.starts_with(b"%PDF"));
        let totals = report.blocks.iter().find_map(|b| match b {
            Block::Table(t)
                if t.caption.as_deref() == Some("Allocation of the bill under each mode") =>
            {
                t.rows.last().cloned()
            }
            _ => None,
        });
        let cells = totals.map(|r| r.cells).unwrap_or_default();
        assert_eq!(
            &cells[1..5],
            &["$56,000.00", "$56,000.00", "$56,000.00", "$56,000.00"].map(String::from)
        );
        let no_bill = crate::document::Workspace::empty("x", crate::document::Date::EPOCH);
        assert!(chargeback_report(&no_bill, &source).is_err());
    }
}
