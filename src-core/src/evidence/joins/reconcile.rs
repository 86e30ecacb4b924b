//! The four-source reconciliation of one period for one workload or billing account.
//!
//! Steps, in order:
//! 1. the invoice lines of the period are totalled and compared with the trace-derived cost;
//!    a delta above 5% of the trace cost is flagged for investigation (the threshold of
//!    [`crate::calc::trace_to_margin::DELTA_THRESHOLD`]);
//! 2. every metered line is priced at the contracted rate in force on the first day of its
//!    charge period; a line whose billed amount is more than half a cent away from that price
//!    (the most rounding to cents can explain) is billed at another rate, and adds
//!    (billed unit price − contracted unit price) × quantity to the invoice. Their sum is the
//!    explained part of the delta; the rest (timing skew, dropped traces, credits) stays
//!    unexplained;
//! 3. eval grading, human review and operations costs are added, and the accepted-output
//!    denominator is joined from eval and review results ([`super::evals::join_accepted`]);
//! 4. loaded cost and LCPR follow, both as billed and net of disputed amounts. A disputed
//!    amount is a billing error the vendor is asked to credit: it is kept in the record but
//!    left out of the loaded cost, which should show what the work costs, not the error.
//!
//! All money is Decimal; the waterfall from trace cost to loaded cost closes to the cent because
//! every step is an exact sum. Loaded cost and LCPR come from [`trace_to_margin`], so a
//! reconciliation saved into a workspace evaluates to the same figures.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::evals::{AcceptedJoin, EvalResults, HumanReviews, join_accepted};
use super::invoice::InvoiceLine;
use crate::calc::trace_to_margin::{TraceToMargin, TraceToMarginInput, trace_to_margin};
use crate::document::contracts::ContractRates;
use crate::document::contracts::Meter;
use crate::document::{Date, DisputedAmount, OffRateFinding, Period, Reconciliation};
use crate::error::{InputError, InputResult, non_negative_money};

/// Largest gap between a billed amount and its contracted price that rounding to cents
/// explains: half a cent.
pub const RATE_TOLERANCE: Decimal = crate::document::contracts::DEFAULT_AMOUNT_TOLERANCE;

/// A cost of the period besides inference, eval grading and human review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostItem {
    /// What it is (`ops allocation`, `schema-repair passes`).
    pub label: String,
    /// Its amount for the period.
    #[serde(with = "crate::money::exact")]
    pub amount: Decimal,
}

/// What the user disputes with the vendor as a billing error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dispute {
    /// Nothing.
    #[default]
    None,
    /// These invoice lines: each line's overcharge when it is billed above its contracted
    /// rate, else the whole line (a charge disputed outright, e.g. usage that never ran).
    Lines {
        /// Ids of the disputed lines.
        line_ids: Vec<String>,
    },
    /// The whole trace-to-invoice delta (which must be positive).
    WholeDelta,
}

/// The figures of a reconciliation that do not come from the imported files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileInput {
    /// Id of the reconciliation.
    pub id: String,
    /// The workload reconciled.
    pub workload: String,
    /// The billing account whose lines are reconciled; empty takes every line.
    #[serde(default)]
    pub account: String,
    /// The billing period, both days inclusive.
    pub period: Period,
    /// Sum of per-request costs from serving traces over the period.
    #[serde(with = "crate::money::exact")]
    pub trace_cost: Decimal,
    /// Requests attempted in the traces, retries included.
    pub attempts: u64,
    /// Operations and other non-inference costs (ops allocation, repair passes, audit storage).
    #[serde(default)]
    pub ops: Vec<CostItem>,
    /// What is disputed with the vendor.
    #[serde(default)]
    pub dispute: Dispute,
    /// Revenue per accepted output, for the margin.
    #[serde(default, with = "crate::money::exact")]
    pub revenue_per_unit: Decimal,
}

/// The imported sources a reconciliation joins.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// Invoice lines (any period; those of the reconciled period are picked).
    pub invoice: &'a [InvoiceLine],
    /// Contracted rates.
    pub contract: &'a ContractRates,
    /// Eval results.
    pub evals: &'a EvalResults,
    /// Human reviews.
    pub reviews: &'a HumanReviews,
}

/// A line billed at a rate other than the contracted one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffRateLine {
    /// The invoice line.
    pub line_id: String,
    /// Where it was read.
    pub source: String,
    /// What it meters.
    pub meter: Meter,
    /// Tokens or GPU-hours.
    #[serde(with = "crate::money::exact")]
    pub quantity: Decimal,
    /// Billed price per million tokens or per GPU-hour.
    #[serde(with = "crate::money::exact")]
    pub billed_unit_price: Decimal,
    /// Contracted price in force for the line's period.
    #[serde(with = "crate::money::exact")]
    pub contracted_unit_price: Decimal,
    /// Where the contracted price comes from.
    pub contract_source: String,
    /// The day that contracted price took effect.
    pub contract_effective_from: Date,
    /// The line's amount as billed.
    #[serde(with = "crate::money::exact")]
    pub billed_amount: Decimal,
    /// Amount − quantity × contracted unit price: what the line bills above the contract,
    /// whether through its unit price or its arithmetic; negative when billed below contract.
    #[serde(with = "crate::money::exact")]
    pub overcharge: Decimal,
}

/// A metered line whose amount is not its quantity × its own billed unit price: the invoice's
/// arithmetic is off, whatever the contract says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmountMismatch {
    /// The invoice line.
    pub line_id: String,
    /// Where it was read.
    pub source: String,
    /// What the line bills.
    #[serde(with = "crate::money::exact")]
    pub amount: Decimal,
    /// Quantity × billed unit price.
    #[serde(with = "crate::money::exact")]
    pub expected: Decimal,
    /// amount − expected: billed above (positive) or below its own arithmetic.
    #[serde(with = "crate::money::exact")]
    pub overcharge: Decimal,
    /// True when no contracted rate covers the line (its gap is the only check made).
    pub unrated: bool,
}

/// One bar of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What it is.
    pub label: String,
    /// Its signed amount.
    #[serde(with = "crate::money::exact")]
    pub amount: Decimal,
}

/// From trace cost to loaded cost, in exact steps: `start` + Σ `steps` = `end`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waterfall {
    /// Trace-derived cost.
    #[serde(with = "crate::money::exact")]
    pub start: Decimal,
    /// Overcharge, unexplained delta, disputed (negative), eval, human, each operations item.
    pub steps: Vec<Step>,
    /// Loaded cost net of disputes.
    #[serde(with = "crate::money::exact")]
    pub end: Decimal,
}

/// The reconciled period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FourSourceReconciliation {
    /// Id.
    pub id: String,
    /// Workload.
    pub workload: String,
    /// Billing account (empty: all).
    pub account: String,
    /// Period.
    pub period: Period,
    /// Invoice lines of the period.
    pub lines_in_period: usize,
    /// Lines of the account wholly outside the period (left out).
    pub lines_outside_period: usize,
    /// Sum of the period's lines, as billed.
    #[serde(with = "crate::money::exact")]
    pub invoice_total: Decimal,
    /// Lines billed at another rate than the contract's, in invoice order.
    pub off_rate_lines: Vec<OffRateLine>,
    /// Metered lines no contracted rate covers, by id.
    pub unrated_lines: Vec<String>,
    /// Metered lines whose amount is not quantity × billed unit price.
    pub amount_mismatches: Vec<AmountMismatch>,
    /// Σ overcharge of the off-rate lines: the part of the delta the contract explains.
    #[serde(with = "crate::money::exact")]
    pub explained_delta: Decimal,
    /// Invoice − trace − explained.
    #[serde(with = "crate::money::exact")]
    pub unexplained_delta: Decimal,
    /// What is disputed: each line's amount, or the whole delta (an empty line id).
    pub disputes: Vec<DisputedAmount>,
    /// Amount disputed, excluded from the net loaded cost.
    #[serde(with = "crate::money::exact")]
    pub disputed_amount: Decimal,
    /// Operations items as given.
    pub ops: Vec<CostItem>,
    /// The eval/review join behind the denominator.
    pub denominator: AcceptedJoin,
    /// Delta, its flag, loaded cost and LCPR with the invoice as billed.
    pub as_billed: TraceToMargin,
    /// The same with the disputed amount taken off the invoice: the loaded cost and LCPR to
    /// report.
    pub net_of_disputes: TraceToMargin,
    /// Trace cost → loaded cost.
    pub waterfall: Waterfall,
}

/// A unit price as people read it: `$45/M tokens`, `$2.5/GPU-hour`.
#[must_use]
pub fn unit_price_label(meter: Meter, value: Decimal) -> String {
    let unit = if meter.is_tokens() {
        "M tokens"
    } else {
        "GPU-hour"
    };
    format!("${}/{unit}", value.normalize())
}

fn overflow(field: &str) -> InputError {
    InputError::new(field, "is too large to compute exactly")
}

fn sum(values: impl IntoIterator<Item = Decimal>, field: &str) -> InputResult<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
        .ok_or_else(|| overflow(field))
}

fn check_input(input: &ReconcileInput) -> InputResult<()> {
    non_negative_money("trace_cost", input.trace_cost)?;
    non_negative_money("revenue_per_unit", input.revenue_per_unit)?;
    for (i, item) in input.ops.iter().enumerate() {
        non_negative_money(&format!("ops[{i}].amount"), item.amount)?;
        if item.label.trim().is_empty() {
            return Err(InputError::new(
                format!("ops[{i}].label"),
                "must not be empty",
            ));
        }
    }
    if input.period.end < input.period.start {
        return Err(InputError::new(
            "period.end",
            format!(
                "must be on or after period.start ({}), got {}",
                input.period.start, input.period.end
            ),
        ));
    }
    if input.attempts == 0 {
        return Err(InputError::new("attempts", "must be > 0, got 0"));
    }
    Ok(())
}

/// The lines of the account and period, with their index in `lines`, and how many of the
/// account's lines fall wholly outside the period.
fn lines_in_period<'a>(
    p: Period,
    account: &str,
    lines: &'a [InvoiceLine],
) -> InputResult<(Vec<(usize, &'a InvoiceLine)>, usize)> {
    let mut ids = BTreeSet::new();
    let mut inside = Vec::new();
    let mut outside = 0;
    for (i, line) in lines.iter().enumerate() {
        if !ids.insert(line.id.as_str()) {
            return Err(InputError::new(
                format!("invoice[{i}].id"),
                format!("repeats the id {:?} of another line", line.id),
            ));
        }
        if !account.is_empty() && line.account != account {
            continue;
        }
        let l = line.period;
        if l.start >= p.start && l.end <= p.end {
            inside.push((i, line));
        } else if l.end < p.start || l.start > p.end {
            outside += 1;
        } else {
            // Splitting a line across periods would need usage by day, which an invoice lacks.
            return Err(InputError::new(
                format!("invoice[{i}].period"),
                format!(
                    "runs {} to {}, across an edge of the period {} to {} ({}): reconcile a period that holds the whole line",
                    l.start, l.end, p.start, p.end, line.source
                ),
            ));
        }
    }
    Ok((inside, outside))
}

/// What checking the metered lines found.
struct RateCheck {
    off_rate: Vec<OffRateLine>,
    unrated: Vec<String>,
    mismatches: Vec<AmountMismatch>,
    /// "billed id → contracted model" for every match that was not by the same name.
    matched: BTreeSet<String>,
    /// Lines a contracted rate was found for.
    checked: usize,
}

/// Checks each metered line twice: its amount against its quantity × its billed unit price, and
/// against the contracted rate in force for its period (within [`RATE_TOLERANCE`] each).
fn check_rates(
    lines: &[(usize, &InvoiceLine)],
    contract: &ContractRates,
) -> InputResult<RateCheck> {
    let mut off_rate = Vec::new();
    let mut unrated = Vec::new();
    let mut mismatches = Vec::new();
    let mut matched = BTreeSet::new();
    let mut checked = 0;
    for &(i, line) in lines {
        let at = format!("invoice[{i}]");
        // A usage line whose model or meter the file does not tell is never "on the rate"; its
        // own arithmetic is still checked below when it has a quantity and a price.
        let rate = match (&line.usage, line.unchecked.is_some()) {
            (None, false) => continue,
            (_, true) => None,
            (Some(usage), false) => contract
                .in_force(&line.provider, &line.model, usage.meter, line.period.start)
                .map_err(|e| e.within(&at))?,
        };
        let Some(usage) = &line.usage else {
            unrated.push(line.id.clone());
            continue;
        };
        let gap = line
            .amount
            .checked_sub(usage.priced_amount)
            .ok_or_else(|| overflow(&format!("{at}.amount")))?;
        // The contract's tolerance when a rate covers the line, else half a cent.
        let tolerance = rate.map_or(RATE_TOLERANCE, |r| r.tolerance());
        if gap.abs() > tolerance {
            mismatches.push(AmountMismatch {
                line_id: line.id.clone(),
                source: line.source.clone(),
                amount: line.amount,
                expected: usage.priced_amount,
                overcharge: gap,
                unrated: rate.is_none(),
            });
        }
        let Some(rate) = rate else {
            unrated.push(line.id.clone());
            continue;
        };
        checked += 1;
        if rate.model != line.model {
            matched.insert(format!("{} → {}", line.model, rate.model));
        }
        let contracted = usage
            .quantity
            .checked_mul(rate.rate)
            .and_then(|v| v.checked_div(usage.meter.price_unit()))
            .ok_or_else(|| overflow(&format!("{at}.usage.quantity")))?;
        // The billed amount, not quantity × unit price: a line whose arithmetic is off is
        // billed off the contract by that much too.
        let overcharge = line
            .amount
            .checked_sub(contracted)
            .ok_or_else(|| overflow(&format!("{at}.amount")))?;
        if overcharge.abs() > tolerance {
            off_rate.push(OffRateLine {
                line_id: line.id.clone(),
                source: line.source.clone(),
                meter: usage.meter,
                quantity: usage.quantity,
                billed_unit_price: usage.unit_price,
                contracted_unit_price: rate.rate,
                contract_source: rate.source.clone(),
                contract_effective_from: rate.effective_from,
                billed_amount: line.amount,
                overcharge,
            });
        }
    }
    Ok(RateCheck {
        off_rate,
        unrated,
        mismatches,
        matched,
        checked,
    })
}

/// The disputed amounts: per line, or the whole delta.
fn disputed(
    dispute: &Dispute,
    lines: &[(usize, &InvoiceLine)],
    off_rate: &[OffRateLine],
    delta: Decimal,
) -> InputResult<Vec<DisputedAmount>> {
    match dispute {
        Dispute::None => Ok(Vec::new()),
        Dispute::WholeDelta => {
            if delta > Decimal::ZERO {
                Ok(vec![DisputedAmount {
                    line_id: String::new(),
                    amount: delta,
                    reason: "trace-to-invoice delta".to_owned(),
                }])
            } else {
                Err(InputError::new(
                    "dispute",
                    format!(
                        "cannot be the whole delta: the invoice is not above the trace cost (delta {delta})"
                    ),
                ))
            }
        }
        Dispute::Lines { line_ids } => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::with_capacity(line_ids.len());
            for (k, id) in line_ids.iter().enumerate() {
                let at = format!("dispute.line_ids[{k}]");
                if !seen.insert(id.as_str()) {
                    return Err(InputError::new(at, format!("repeats {id:?}")));
                }
                let line = lines
                    .iter()
                    .map(|(_, l)| *l)
                    .find(|l| &l.id == id)
                    .ok_or_else(|| {
                        InputError::new(&at, format!("names no invoice line of the period: {id:?}"))
                    })?;
                let off = off_rate
                    .iter()
                    .find(|o| &o.line_id == id)
                    .filter(|o| o.overcharge > Decimal::ZERO);
                out.push(match off {
                    Some(o) => DisputedAmount {
                        line_id: id.clone(),
                        amount: o.overcharge,
                        reason: format!(
                            "billed at {} against the contracted {}",
                            unit_price_label(o.meter, o.billed_unit_price),
                            unit_price_label(o.meter, o.contracted_unit_price)
                        ),
                    },
                    None => DisputedAmount {
                        line_id: id.clone(),
                        amount: line.amount,
                        reason: "whole line disputed".to_owned(),
                    },
                });
            }
            Ok(out)
        }
    }
}

/// An invoice's lines of one period checked against the contracted rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceCheck {
    /// Lines of the period.
    pub lines_in_period: usize,
    /// Lines of the account wholly outside the period (left out).
    pub lines_outside_period: usize,
    /// Sum of the period's lines, as billed.
    #[serde(with = "crate::money::exact")]
    pub invoice_total: Decimal,
    /// Lines billed at another rate than the contract's, in invoice order.
    pub off_rate_lines: Vec<OffRateLine>,
    /// Usage lines not checked against a contracted rate, by id: none covers them, or the file
    /// does not tell their model or meter.
    pub unrated_lines: Vec<String>,
    /// Metered lines whose amount is not quantity × billed unit price, in invoice order.
    pub amount_mismatches: Vec<AmountMismatch>,
    /// Billed model ids matched to a contracted model of another spelling (a dated snapshot
    /// id to its model), "billed → contracted", sorted.
    pub model_matches: Vec<String>,
    /// Usage lines checked against a contracted rate (on it or off it).
    #[serde(skip)]
    pub checked_lines: usize,
    /// Every line of the period, by id, in invoice order.
    pub line_ids: Vec<String>,
    /// Σ overcharge of the off-rate lines, plus the arithmetic gaps of unrated lines.
    #[serde(with = "crate::money::exact")]
    pub explained: Decimal,
}

/// Totals the lines of `account` (empty: all) in `period` and checks each metered line against
/// the contracted rate in force for it.
pub fn check_invoice(
    period: Period,
    account: &str,
    invoice: &[InvoiceLine],
    contract: &ContractRates,
) -> InputResult<InvoiceCheck> {
    let (lines, lines_outside_period) = lines_in_period(period, account, invoice)?;
    let invoice_total = sum(lines.iter().map(|(_, l)| l.amount), "invoice")?;
    let RateCheck {
        off_rate: off_rate_lines,
        unrated: unrated_lines,
        mismatches: amount_mismatches,
        matched,
        checked,
    } = check_rates(&lines, contract)?;
    // A rated line's overcharge already holds its arithmetic gap; an unrated line's gap is the
    // only part of it the invoice explains.
    let explained = sum(
        off_rate_lines.iter().map(|o| o.overcharge).chain(
            amount_mismatches
                .iter()
                .filter(|m| m.unrated)
                .map(|m| m.overcharge),
        ),
        "invoice",
    )?;
    Ok(InvoiceCheck {
        lines_in_period: lines.len(),
        lines_outside_period,
        invoice_total,
        off_rate_lines,
        unrated_lines,
        amount_mismatches,
        model_matches: matched.into_iter().collect(),
        checked_lines: checked,
        line_ids: lines.iter().map(|(_, l)| l.id.clone()).collect(),
        explained,
    })
}

impl OffRateLine {
    /// The finding as the workspace records it.
    #[must_use]
    pub fn to_document(&self) -> OffRateFinding {
        OffRateFinding {
            line_id: self.line_id.clone(),
            meter: self.meter,
            quantity: self.quantity,
            billed_unit_price: self.billed_unit_price,
            contracted_unit_price: self.contracted_unit_price,
            contract_effective_from: self.contract_effective_from,
            overcharge: self.overcharge,
        }
    }
}

/// Reconciles one period of one workload (or account) across trace, invoice, contract and
/// eval/review results.
pub fn reconcile(
    input: &ReconcileInput,
    sources: &Sources<'_>,
) -> InputResult<FourSourceReconciliation> {
    check_input(input)?;
    let (lines, _) = lines_in_period(input.period, &input.account, sources.invoice)?;
    let InvoiceCheck {
        lines_in_period: _,
        lines_outside_period,
        invoice_total: invoice,
        off_rate_lines,
        unrated_lines,
        amount_mismatches,
        model_matches: _,
        checked_lines: _,
        line_ids: _,
        explained,
    } = check_invoice(
        input.period,
        &input.account,
        sources.invoice,
        sources.contract,
    )?;
    let delta = invoice
        .checked_sub(input.trace_cost)
        .ok_or_else(|| overflow("trace_cost"))?;
    let unexplained = delta
        .checked_sub(explained)
        .ok_or_else(|| overflow("invoice"))?;
    let disputes = disputed(&input.dispute, &lines, &off_rate_lines, delta)?;
    let disputed_amount = sum(disputes.iter().map(|d| d.amount), "dispute")?;
    let denominator = join_accepted(sources.evals, sources.reviews);
    if denominator.accepted == 0 {
        return Err(InputError::new(
            "accepted",
            "must be > 0: no request passed the eval gate or was signed off on review",
        ));
    }
    if denominator.accepted > input.attempts {
        return Err(InputError::new(
            "accepted",
            format!(
                "must be ≤ attempts ({}), got {}: eval and review results cover more requests than the traces",
                input.attempts, denominator.accepted
            ),
        ));
    }
    let eval_cost = sources.evals.grader_cost;
    let human_cost = sources.reviews.cost;
    non_negative_money("evals.grader_cost", eval_cost)?;
    non_negative_money("reviews.cost", human_cost)?;
    let ops_cost = sum(input.ops.iter().map(|o| o.amount), "ops")?;
    let margin_input = |invoice_amount| TraceToMarginInput {
        trace_cost: input.trace_cost,
        invoice_amount,
        eval_cost,
        human_cost,
        ops_cost,
        total_attempts: Decimal::from(input.attempts),
        accepted_units: Decimal::from(denominator.accepted),
        revenue_per_unit: input.revenue_per_unit,
    };
    let as_billed = trace_to_margin(&margin_input(invoice))?;
    let net_invoice = invoice
        .checked_sub(disputed_amount)
        .ok_or_else(|| overflow("dispute"))?;
    let net_of_disputes =
        trace_to_margin(&margin_input(net_invoice)).map_err(|e| e.within("net_of_disputes"))?;
    let mut steps = vec![
        Step {
            label: "Billed off contracted rates".to_owned(),
            amount: explained,
        },
        Step {
            label: "Unexplained invoice delta".to_owned(),
            amount: unexplained,
        },
        Step {
            label: "Disputed (excluded)".to_owned(),
            amount: -disputed_amount,
        },
        Step {
            label: "Eval grading".to_owned(),
            amount: eval_cost,
        },
        Step {
            label: "Human review".to_owned(),
            amount: human_cost,
        },
    ];
    steps.extend(input.ops.iter().map(|o| Step {
        label: o.label.clone(),
        amount: o.amount,
    }));
    Ok(FourSourceReconciliation {
        id: input.id.clone(),
        workload: input.workload.clone(),
        account: input.account.clone(),
        period: input.period,
        lines_in_period: lines.len(),
        lines_outside_period,
        invoice_total: invoice,
        off_rate_lines,
        unrated_lines,
        amount_mismatches,
        explained_delta: explained,
        unexplained_delta: unexplained,
        disputes,
        disputed_amount,
        ops: input.ops.clone(),
        denominator,
        waterfall: Waterfall {
            start: input.trace_cost,
            steps,
            end: net_of_disputes.total_loaded_cost,
        },
        as_billed,
        net_of_disputes,
    })
}

impl FourSourceReconciliation {
    /// The workspace record of this reconciliation: the invoice as billed, the disputed
    /// amounts and the off-rate findings as fields, so the record evaluates to
    /// [`Self::net_of_disputes`] and keeps what was found.
    #[must_use]
    pub fn to_document(&self) -> Reconciliation {
        let n = &self.net_of_disputes.input;
        let mut notes = Vec::new();
        if !self.account.is_empty() {
            notes.push(format!("Account {}.", self.account));
        }
        if !self.denominator.review_only.is_empty() {
            notes.push(format!(
                "Reviewed requests without an eval result, not counted as accepted: {}.",
                self.denominator.review_only.len()
            ));
        }
        Reconciliation {
            id: self.id.clone(),
            workload: self.workload.clone(),
            period: self.period,
            trace_cost: n.trace_cost,
            invoice_amount: self.invoice_total,
            eval_cost: n.eval_cost,
            human_cost: n.human_cost,
            ops_cost: n.ops_cost,
            attempts: n.total_attempts,
            accepted: n.accepted_units,
            revenue_per_unit: n.revenue_per_unit,
            notes: notes.join("\n"),
            disputes: self.disputes.clone(),
            off_rate_lines: self
                .off_rate_lines
                .iter()
                .map(OffRateLine::to_document)
                .collect(),
            unrated_lines: self.unrated_lines.clone(),
            sources: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::contracts::ContractRate;
    use crate::evidence::joins::evals::ReviewOutcome;
    use crate::evidence::joins::invoice::Usage;
    use crate::report::chart::ChartData;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn may() -> Period {
        Period {
            start: day("2026-05-01"),
            end: day("2026-05-31"),
        }
    }

    fn line(id: &str, meter: Meter, tokens: &str, price_per_m: &str) -> InvoiceLine {
        let quantity = d(tokens);
        let unit_price = d(price_per_m);
        let amount = quantity * unit_price / d("1000000");
        InvoiceLine {
            id: id.into(),
            invoice_id: "INV".into(),
            source: format!("test {id}"),
            period: may(),
            provider: "Acme".into(),
            account: String::new(),
            service: "LLM".into(),
            model: "m".into(),
            sku: String::new(),
            usage: Some(Usage {
                meter,
                quantity,
                unit_price,
                priced_amount: amount,
            }),
            amount,
            effective_cost: None,
            list_unit_price: None,
            stated_contracted_unit_price: None,
            currency: String::new(),
            unchecked: None,
        }
    }

    fn rate(meter: Meter, per_m: &str, from: &str) -> ContractRate {
        ContractRate {
            provider: "Acme".into(),
            model: "m".into(),
            meter,
            rate: d(per_m),
            effective_from: day(from),
            effective_to: None,
            source: format!("contract {from}"),
            amount_tolerance: None,
        }
    }

    fn contract() -> ContractRates {
        ContractRates::new(vec![
            rate(Meter::InputTokens, "10", "2025-08-01"),
            rate(Meter::OutputTokens, "45", "2025-08-01"),
            rate(Meter::OutputTokens, "40", "2026-02-01"),
        ])
        .unwrap()
    }

    fn evals() -> (EvalResults, HumanReviews) {
        // 8 passes, 2 failures: one approved on review, one rejected; one review-only request.
        let mut e = EvalResults {
            grader_cost: d("1.50"),
            ..EvalResults::default()
        };
        for i in 0..10 {
            e.verdicts.insert(format!("r{i}"), i < 8);
        }
        let mut h = HumanReviews {
            cost: d("6"),
            minutes: d("12"),
            ..HumanReviews::default()
        };
        h.outcomes.insert("r8".into(), ReviewOutcome::Approved);
        h.outcomes.insert("r9".into(), ReviewOutcome::Rejected);
        h.outcomes.insert("x1".into(), ReviewOutcome::Approved);
        (e, h)
    }

    fn input(trace: &str) -> ReconcileInput {
        ReconcileInput {
            id: "may".into(),
            workload: "w".into(),
            account: String::new(),
            period: may(),
            trace_cost: d(trace),
            attempts: 12,
            ops: vec![CostItem {
                label: "Ops allocation".into(),
                amount: d("2.50"),
            }],
            dispute: Dispute::None,
            revenue_per_unit: Decimal::ZERO,
        }
    }

    fn run(input: &ReconcileInput, lines: &[InvoiceLine]) -> InputResult<FourSourceReconciliation> {
        let (e, h) = evals();
        let c = contract();
        reconcile(
            input,
            &Sources {
                invoice: lines,
                contract: &c,
                evals: &e,
                reviews: &h,
            },
        )
    }

    fn two_lines() -> Vec<InvoiceLine> {
        vec![
            // 1M input at the contracted $10: $10.
            line("in", Meter::InputTokens, "1000000", "10"),
            // 2M output at the superseded $45 instead of $40: $90, over by 2 × 5 = $10.
            line("out", Meter::OutputTokens, "2000000", "45"),
        ]
    }

    #[test]
    fn a_superseded_tier_is_found_and_explains_the_delta() {
        let r = run(&input("95"), &two_lines()).unwrap();
        assert_eq!(r.invoice_total, d("100"));
        assert_eq!(r.off_rate_lines.len(), 1);
        let o = &r.off_rate_lines[0];
        assert_eq!(o.line_id, "out");
        assert_eq!(
            (o.billed_unit_price, o.contracted_unit_price),
            (d("45"), d("40"))
        );
        assert_eq!(o.contract_effective_from, day("2026-02-01"));
        assert_eq!(o.overcharge, d("10"));
        // Delta 100 − 95 = 5: the overcharge explains 10, leaving −5 unexplained.
        assert_eq!(r.as_billed.delta, d("5"));
        assert_eq!((r.explained_delta, r.unexplained_delta), (d("10"), d("-5")));
        // 5 / 95 = 5.26% > 5%.
        assert!(r.as_billed.delta_flagged);
        // Accepted: 8 passes + r8 signed off = 9; x1 is review-only.
        assert_eq!(r.denominator.accepted, 9);
        assert_eq!(r.denominator.review_only, vec!["x1".to_owned()]);
        // Loaded: 100 + 1.50 + 6 + 2.50 = 110; LCPR 110 / 9.
        assert_eq!(r.net_of_disputes.total_loaded_cost, d("110"));
        assert_eq!(r.net_of_disputes.lcpr, d("110") / d("9"));
        assert_eq!(r.as_billed, r.net_of_disputes);
    }

    #[test]
    fn disputed_lines_leave_loaded_cost_but_stay_on_record() {
        let mut i = input("100");
        i.dispute = Dispute::Lines {
            line_ids: vec!["out".into()],
        };
        let r = run(&i, &two_lines()).unwrap();
        // The off-rate line's overcharge, not the whole line, is disputed.
        assert_eq!(r.disputed_amount, d("10"));
        assert_eq!(r.disputes.len(), 1);
        assert_eq!(r.disputes[0].line_id, "out");
        assert_eq!(r.as_billed.total_loaded_cost, d("110"));
        assert_eq!(r.net_of_disputes.total_loaded_cost, d("100"));
        // A line billed at its rate is disputed whole.
        i.dispute = Dispute::Lines {
            line_ids: vec!["in".into(), "out".into()],
        };
        let r = run(&i, &two_lines()).unwrap();
        assert_eq!(r.disputed_amount, d("20"));
        i.dispute = Dispute::WholeDelta;
        let r = run(&input("95"), &two_lines()).unwrap();
        assert_eq!(r.disputed_amount, Decimal::ZERO);
        let mut w = input("95");
        w.dispute = Dispute::WholeDelta;
        let r = run(&w, &two_lines()).unwrap();
        assert_eq!(r.disputed_amount, d("5"));
        assert_eq!(r.disputes.len(), 1);
        assert!(r.disputes[0].line_id.is_empty());
        assert_eq!(r.net_of_disputes.total_loaded_cost, d("105"));
    }

    #[test]
    fn the_waterfall_closes_exactly() {
        let mut i = input("95");
        i.dispute = Dispute::Lines {
            line_ids: vec!["out".into()],
        };
        let r = run(&i, &two_lines()).unwrap();
        let w = &r.waterfall;
        let labels: Vec<&str> = w.steps.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Billed off contracted rates",
                "Unexplained invoice delta",
                "Disputed (excluded)",
                "Eval grading",
                "Human review",
                "Ops allocation"
            ]
        );
        // 95 + 10 − 5 − 10 + 1.5 + 6 + 2.5 = 100.
        assert_eq!(w.end, d("100"));
        let total: Decimal = w.start + w.steps.iter().map(|s| s.amount).sum::<Decimal>();
        assert_eq!(total, w.end);
        let chart = crate::report::figures::four_source_waterfall(&r, "May");
        assert!(matches!(chart.data, ChartData::Waterfall(ref c) if c.steps.len() == 6));
    }

    #[test]
    fn lines_are_picked_by_period_and_account_and_unrated_ones_listed() {
        let mut lines = two_lines();
        let mut april = line("apr", Meter::OutputTokens, "1000000", "45");
        april.period = Period {
            start: day("2026-04-01"),
            end: day("2026-04-30"),
        };
        lines.push(april);
        let mut other = line("gpu", Meter::GpuHours, "0", "0");
        other.usage = other.usage.map(|u| Usage {
            quantity: d("10"),
            unit_price: d("3"),
            priced_amount: d("30"),
            ..u
        });
        other.amount = d("30");
        lines.push(other);
        let r = run(&input("95"), &lines).unwrap();
        assert_eq!((r.lines_in_period, r.lines_outside_period), (3, 1));
        assert_eq!(r.unrated_lines, vec!["gpu".to_owned()]);
        assert_eq!(r.invoice_total, d("130"));
        // Account filter: only lines of account "rx".
        lines[1].account = "rx".into();
        let mut i = input("95");
        i.account = "rx".into();
        let r = run(&i, &lines).unwrap();
        assert_eq!((r.lines_in_period, r.invoice_total), (1, d("90")));
    }

    #[test]
    fn a_line_billing_ten_times_its_quantity_times_price_is_named_with_its_overcharge() {
        // 1M output tokens at the contracted $40/M should bill $40; the line bills $400 while
        // its own unit price still reads $40/M.
        let mut lines = vec![line("ten", Meter::OutputTokens, "1000000", "40")];
        lines[0].amount = d("400");
        let check = check_invoice(may(), "", &lines, &contract()).unwrap();
        assert_eq!(check.amount_mismatches.len(), 1);
        let m = &check.amount_mismatches[0];
        assert_eq!(
            (m.amount, m.expected, m.overcharge),
            (d("400"), d("40"), d("360"))
        );
        assert!(!m.unrated);
        assert_eq!(check.off_rate_lines.len(), 1);
        assert_eq!(check.off_rate_lines[0].overcharge, d("360"));
        assert_eq!(check.explained, d("360"));
        // Half a cent either way is rounding, not a finding.
        lines[0].amount = d("40.005");
        let check = check_invoice(may(), "", &lines, &contract()).unwrap();
        assert!(check.amount_mismatches.is_empty() && check.off_rate_lines.is_empty());
        lines[0].amount = d("40.006");
        let check = check_invoice(may(), "", &lines, &contract()).unwrap();
        assert_eq!(check.amount_mismatches.len(), 1);
    }

    #[test]
    fn a_contract_sets_how_far_a_line_may_be_off() {
        let mut lines = vec![line("ten", Meter::OutputTokens, "1000000", "40")];
        lines[0].amount = d("40.03");
        let check = check_invoice(may(), "", &lines, &contract()).unwrap();
        assert_eq!(check.amount_mismatches.len(), 1, "half a cent by default");
        let loose = ContractRates::new(
            Vec::<ContractRate>::from(contract())
                .into_iter()
                .map(|mut r| {
                    r.amount_tolerance = Some(d("0.05"));
                    r
                })
                .collect(),
        )
        .unwrap();
        let check = check_invoice(may(), "", &lines, &loose).unwrap();
        assert!(check.amount_mismatches.is_empty() && check.off_rate_lines.is_empty());
        lines[0].amount = d("40.06");
        let check = check_invoice(may(), "", &lines, &loose).unwrap();
        assert_eq!(
            (check.amount_mismatches.len(), check.off_rate_lines.len()),
            (1, 1)
        );
        let mut bad = Vec::<ContractRate>::from(contract());
        bad[0].amount_tolerance = Some(d("-0.01"));
        let e = ContractRates::new(bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("amount_tolerance") && e.contains("must be ≥ 0"),
            "{e}"
        );
    }

    #[test]
    fn an_unrated_line_is_still_checked_against_its_own_arithmetic() {
        let mut lines = vec![line("gpu", Meter::GpuHours, "0", "0")];
        lines[0].usage = lines[0].usage.clone().map(|u| Usage {
            quantity: d("10"),
            unit_price: d("3"),
            priced_amount: d("30"),
            ..u
        });
        lines[0].amount = d("33");
        let check = check_invoice(may(), "", &lines, &contract()).unwrap();
        assert_eq!(check.unrated_lines, vec!["gpu".to_owned()]);
        assert!(check.off_rate_lines.is_empty());
        assert_eq!(check.amount_mismatches.len(), 1);
        assert!(check.amount_mismatches[0].unrated);
        assert_eq!(check.explained, d("3"));
    }

    #[test]
    fn a_line_straddling_the_period_is_refused() {
        let mut lines = two_lines();
        lines[1].period.end = day("2026-06-15");
        let err = run(&input("95"), &lines).unwrap_err();
        assert_eq!(err.field, "invoice[1].period");
        assert!(
            err.rule.starts_with("runs 2026-05-01 to 2026-06-15"),
            "{err}"
        );
    }

    #[test]
    fn rounding_to_the_cent_is_not_an_off_rate_bill() {
        let mut lines = two_lines();
        // 333,333 tokens at $10/M = $3.33333; billed $3.33.
        let mut l = line("odd", Meter::InputTokens, "333333", "10");
        l.amount = d("3.33");
        if let Some(u) = l.usage.as_mut() {
            u.priced_amount = d("3.33");
        }
        lines.push(l);
        let r = run(&input("95"), &lines).unwrap();
        assert_eq!(r.off_rate_lines.len(), 1);
    }

    #[test]
    fn undercharges_are_negative_overcharges() {
        let lines = vec![line("out", Meter::OutputTokens, "1000000", "38")];
        let r = run(&input("40"), &lines).unwrap();
        // (38 − 40) × 1 = −2.
        assert_eq!(r.off_rate_lines[0].overcharge, d("-2"));
        assert_eq!(r.unexplained_delta, Decimal::ZERO);
    }

    #[test]
    fn refusals() {
        let lines = two_lines();
        let mut i = input("95");
        i.dispute = Dispute::Lines {
            line_ids: vec!["nope".into()],
        };
        assert_eq!(
            run(&i, &lines).unwrap_err().to_string(),
            "dispute.line_ids[0] names no invoice line of the period: \"nope\""
        );
        let mut i = input("100");
        i.dispute = Dispute::WholeDelta;
        assert_eq!(run(&i, &lines).unwrap_err().field, "dispute");
        let mut i = input("95");
        i.attempts = 8;
        assert_eq!(run(&i, &lines).unwrap_err().field, "accepted");
        let mut i = input("95");
        i.attempts = 0;
        assert_eq!(run(&i, &lines).unwrap_err().field, "attempts");
        let mut i = input("95");
        i.ops[0].amount = d("-1");
        assert_eq!(run(&i, &lines).unwrap_err().field, "ops[0].amount");
        let mut dup = two_lines();
        dup[1].id = "in".into();
        assert_eq!(run(&input("95"), &dup).unwrap_err().field, "invoice[1].id");
        let c = contract();
        let empty = (EvalResults::default(), HumanReviews::default());
        let err = reconcile(
            &input("95"),
            &Sources {
                invoice: &lines,
                contract: &c,
                evals: &empty.0,
                reviews: &empty.1,
            },
        )
        .unwrap_err();
        assert_eq!(err.field, "accepted");
    }

    #[test]
    fn the_document_record_evaluates_to_the_net_figures() {
        let mut i = input("95");
        i.dispute = Dispute::Lines {
            line_ids: vec!["out".into()],
        };
        let r = run(&i, &two_lines()).unwrap();
        let doc = r.to_document();
        // As billed 100; the "out" line's overcharge (45 − 40) × 2M ÷ 1M = 10 is disputed.
        assert_eq!(doc.invoice_amount, d("100"));
        assert_eq!(
            doc.disputes,
            vec![DisputedAmount {
                line_id: "out".into(),
                amount: d("10"),
                reason: "billed at $45/M tokens against the contracted $40/M tokens".into(),
            }]
        );
        assert_eq!(doc.off_rate_lines.len(), 1);
        assert_eq!(doc.off_rate_lines[0].overcharge, d("10"));
        assert_eq!((doc.attempts, doc.accepted), (d("12"), d("9")));
        assert_eq!(
            doc.notes,
            "Reviewed requests without an eval result, not counted as accepted: 1."
        );
        let again =
            trace_to_margin(&crate::document::validate::reconciliation_input(&doc)).unwrap();
        assert_eq!(again, r.net_of_disputes);
    }

    #[test]
    fn the_input_reads_from_json_and_refuses_unknown_fields() {
        let text = r#"{"id": "may", "workload": "w", "period": {"start": "2026-05-01", "end": "2026-05-31"},
            "trace_cost": 95, "attempts": 12, "ops": [{"label": "Ops allocation", "amount": "2.50"}],
            "dispute": {"kind": "lines", "line_ids": ["out"]}}"#;
        let i: ReconcileInput = serde_json::from_str(text).unwrap();
        assert_eq!(
            i.dispute,
            Dispute::Lines {
                line_ids: vec!["out".into()]
            }
        );
        assert_eq!(run(&i, &two_lines()).unwrap().disputed_amount, d("10"));
        let whole: Dispute = serde_json::from_str(r#"{"kind": "whole_delta"}"#).unwrap();
        assert_eq!(whole, Dispute::WholeDelta);
        assert!(
            serde_json::from_str::<ReconcileInput>(&text.replace("\"attempts\"", "\"attempt\""))
                .is_err()
        );
        assert!(
            serde_json::from_str::<Dispute>(r#"{"kind": "lines", "line_ids": [], "x": 1}"#)
                .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn waterfall_and_delta_split_always_close(
            trace in 0u64..10_000_000,
            input_m in 0u64..5_000,
            output_m in 0u64..5_000,
            out_price_cents in 0u64..10_000,
            dispute_out in proptest::bool::ANY,
        ) {
            let lines = vec![
                line("in", Meter::InputTokens, &(input_m * 1_000_000).to_string(), "10"),
                line(
                    "out",
                    Meter::OutputTokens,
                    &(output_m * 1_000_000).to_string(),
                    &Decimal::new(out_price_cents as i64, 2).to_string(),
                ),
            ];
            let mut i = input(&Decimal::new(trace as i64, 2).to_string());
            if dispute_out {
                i.dispute = Dispute::Lines { line_ids: vec!["out".into()] };
            }
            let r = run(&i, &lines).unwrap();
            let w = &r.waterfall;
            let total: Decimal = w.start + w.steps.iter().map(|s| s.amount).sum::<Decimal>();
            prop_assert_eq!(total, w.end);
            prop_assert_eq!(r.explained_delta + r.unexplained_delta, r.as_billed.delta);
            prop_assert_eq!(
                r.as_billed.total_loaded_cost - r.net_of_disputes.total_loaded_cost,
                r.disputed_amount
            );
        }
    }
}
