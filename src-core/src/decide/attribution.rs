//! Cost attribution: one shared monthly bill split across the teams of a platform, under four
//! allocation modes side by side, with shared-cache and fine-tune transfers.
//!
//! The modes:
//! - **uniform**: equal parts per team, or in proportion to seats;
//! - **proportional**: in proportion to each team's usage on one basis (tokens = input + output,
//!   requests, or accepted outputs);
//! - **weighted**: usage × the team's SLA coefficient, renormalised over all teams;
//! - **hybrid**: the platform fixed cost split by seats (the floor), plus the rest of the bill
//!   split by usage as in proportional.
//!
//! Shared cache. The bill is what the provider charged after cache-read discounts. Each row of
//! the cache table says how many cache-read tokens a team consumed and how much those reads
//! saved (undiscounted − discounted value). The savings are pooled into one discount `D`
//! (rounded to the cent). Every mode then splits the *undiscounted* bill `bill + D` by its own
//! rule, and each team receives a credit of `D × its cache-read tokens ÷ all cache-read tokens`.
//! So every cache-read token carries the same discount whichever team read it: the team that
//! warmed a prefix does not keep its own savings; they are shared per token. The difference
//! between a team's credit and the savings its own reads produced is reported as its cache
//! transfer. Allocations still sum to the bill: `(bill + D) − D`. A team whose credit exceeds
//! its share of the undiscounted bill (possible when the mode ignores tokens) ends with a
//! negative allocation, a net transfer to it that is shown rather than hidden.
//!
//! Fine-tunes. A fine-tune's training cost is not part of the bill: it is an extra line, charged
//! in full to the team that trained it, or amortised over the teams that call it in proportion
//! to their calls. The lines are the same under every mode.
//!
//! Reconciliation. Everything is split in whole cents by largest remainder: each team gets the
//! floor of its exact quota, and the cents left over go one each to the largest remainders, ties
//! to the team listed first. Each component (floor, usage split, cache credit, fine-tune) sums to
//! its total exactly, so every mode sums to the bill to the cent and the fine-tune lines to the
//! training cost. Remainders are compared as exact Decimal products (exact whenever a product
//! fits Decimal's 28 digits, far beyond real bills), so the outcome depends only on the inputs
//! and the order of the teams.
//!
//! Refusals: amounts that are not whole cents, a fixed cost above the bill, duplicate or unknown
//! team ids, negative or non-finite measures, coefficients ≤ 0, cache reads above a team's input
//! tokens. A mode that splits by usage (proportional, weighted, hybrid) refuses when every team
//! has zero usage on the basis, and a split by seats (uniform by seats, the hybrid floor)
//! refuses when every team has zero seats: there is nothing to divide by, and a silent fallback
//! would hide that the usage data is missing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::document::{SectionRules, Workspace};
use crate::error::{InputError, InputResult, non_negative, non_negative_money, positive};
use crate::money;

use crate::document::attribution::{
    AllocationMode, AttributionInput, FineTunePolicy, UniformBy, UsageBasis,
};

/// One team's part of the bill under one mode; money in dollars, to the cent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamAllocation {
    /// Team identifier.
    pub team_id: String,
    /// Team name.
    pub team_name: String,
    /// Share of the platform fixed cost (hybrid only; 0 otherwise).
    #[serde(with = "rust_decimal::serde::float")]
    pub fixed_floor: Decimal,
    /// Share of the undiscounted bill (less the floor) under the mode's rule.
    #[serde(with = "rust_decimal::serde::float")]
    pub variable: Decimal,
    /// Cache discount passed through to the team, by cache-read token.
    #[serde(with = "rust_decimal::serde::float")]
    pub cache_credit: Decimal,
    /// Floor + variable − cache credit: the team's part of the bill.
    #[serde(with = "rust_decimal::serde::float")]
    pub allocation: Decimal,
    /// Allocation ÷ bill.
    pub share: f64,
    /// Fine-tune training charged to the team (the same under every mode).
    #[serde(with = "rust_decimal::serde::float")]
    pub fine_tune: Decimal,
    /// Allocation + fine-tune.
    #[serde(with = "rust_decimal::serde::float")]
    pub total_charge: Decimal,
}

/// The bill split under one mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeAllocation {
    /// The mode.
    pub mode: AllocationMode,
    /// One row per team, in input order; allocations sum to the bill.
    pub teams: Vec<TeamAllocation>,
}

/// One fine-tune line charged to one team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineTuneCharge {
    /// The fine-tune.
    pub fine_tune_id: String,
    /// The team charged.
    pub team_id: String,
    /// The team's calls (0 for a trainer charged under `charge_trainer` that does not call it).
    pub calls: f64,
    /// The amount, to the cent; a fine-tune's lines sum to its training cost.
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
}

/// One team across the four modes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamComparison {
    /// Team identifier.
    pub team_id: String,
    /// Team name.
    pub team_name: String,
    /// Allocation under uniform.
    #[serde(with = "rust_decimal::serde::float")]
    pub uniform: Decimal,
    /// Allocation under proportional.
    #[serde(with = "rust_decimal::serde::float")]
    pub proportional: Decimal,
    /// Allocation under weighted.
    #[serde(with = "rust_decimal::serde::float")]
    pub weighted: Decimal,
    /// Allocation under hybrid.
    #[serde(with = "rust_decimal::serde::float")]
    pub hybrid: Decimal,
    /// Lowest of the four.
    #[serde(with = "rust_decimal::serde::float")]
    pub min: Decimal,
    /// Highest of the four.
    #[serde(with = "rust_decimal::serde::float")]
    pub max: Decimal,
    /// Max − min: how much the mode choice alone moves this team's bill.
    #[serde(with = "rust_decimal::serde::float")]
    pub spread: Decimal,
    /// The mode that charges the team least (the first such mode on a tie).
    pub cheapest_mode: AllocationMode,
    /// The mode that charges the team most (the first such mode on a tie).
    pub costliest_mode: AllocationMode,
    /// Mode-driven variation: standard deviation of the four allocations, dollars
    /// (square root of their population variance).
    pub mode_std_dev: f64,
    /// The discount the team's own cache reads earned.
    #[serde(with = "rust_decimal::serde::float")]
    pub cache_discount_earned: Decimal,
    /// The discount passed through to it (the same under every mode).
    #[serde(with = "rust_decimal::serde::float")]
    pub cache_credit: Decimal,
    /// Credit − earned: > 0 when the team benefits from others' savings, < 0 when it subsidises.
    #[serde(with = "rust_decimal::serde::float")]
    pub cache_transfer: Decimal,
    /// Fine-tune training charged to the team.
    #[serde(with = "rust_decimal::serde::float")]
    pub fine_tune: Decimal,
}

/// The bill under all four modes, compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    /// The bill.
    #[serde(with = "rust_decimal::serde::float")]
    pub bill_total: Decimal,
    /// The platform fixed cost (the hybrid floor).
    #[serde(with = "rust_decimal::serde::float")]
    pub platform_fixed_cost: Decimal,
    /// The pooled cache discount passed through, to the cent.
    #[serde(with = "rust_decimal::serde::float")]
    pub cache_discount: Decimal,
    /// The usage basis used.
    pub basis: UsageBasis,
    /// The uniform denominator used.
    pub uniform_by: UniformBy,
    /// The four modes, in [`AllocationMode::ALL`] order.
    pub modes: Vec<ModeAllocation>,
    /// One row per team, in input order.
    pub comparison: Vec<TeamComparison>,
    /// Σ over teams of their lowest allocation: what each team pays whichever mode is chosen.
    #[serde(with = "rust_decimal::serde::float")]
    pub settled_under_every_mode: Decimal,
    /// Bill − settled: the money whose payer depends on the mode choice.
    #[serde(with = "rust_decimal::serde::float")]
    pub contested_by_mode: Decimal,
    /// Contested ÷ bill.
    pub contested_share: f64,
    /// Every fine-tune line, fine-tunes in input order, callers in their listed order.
    pub fine_tune_charges: Vec<FineTuneCharge>,
}

fn too_large(field: &str) -> InputError {
    InputError::new(field, "is too large to compute exactly")
}

/// Validates a whole-cents money amount ≥ 0 and returns it in cents.
fn whole_cents(field: &str, value: Decimal) -> InputResult<i128> {
    non_negative_money(field, value)?;
    if value.round_dp(2) != value {
        return Err(InputError::new(
            field,
            format!("must be a whole number of cents, got {value}"),
        ));
    }
    value
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|c| c.to_i128())
        .ok_or_else(|| too_large(field))
}

fn dollars(cents: i128) -> InputResult<Decimal> {
    Decimal::try_from_i128_with_scale(cents, 2).map_err(|_| too_large("bill_total"))
}

fn decimal(field: &str, value: f64) -> InputResult<Decimal> {
    money::from_f64(value).ok_or_else(|| too_large(field))
}

/// Splits `total` cents in proportion to `weights` (each ≥ 0, not all 0) by largest remainder.
///
/// Each part is the floor of its exact quota `total × w ÷ Σw`; the cents left over go one each
/// to the largest remainders, ties to the lower index. `None` when the weights sum to 0 or the
/// arithmetic overflows.
fn apportion(total: i128, weights: &[Decimal]) -> Option<Vec<i128>> {
    let sum = weights
        .iter()
        .try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w))?;
    if sum <= Decimal::ZERO {
        return None;
    }
    let total_dec = Decimal::try_from_i128_with_scale(total, 0).ok()?;
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let numerator = total_dec.checked_mul(*weight)?;
        let mut quota = numerator.checked_div(sum)?.floor();
        let mut remainder = numerator.checked_sub(quota.checked_mul(sum)?)?;
        // The division rounds at 28 digits; step the floor until the remainder is in [0, Σw).
        for _ in 0..2 {
            if remainder < Decimal::ZERO {
                quota = quota.checked_sub(Decimal::ONE)?;
                remainder = remainder.checked_add(sum)?;
            } else if remainder >= sum {
                quota = quota.checked_add(Decimal::ONE)?;
                remainder = remainder.checked_sub(sum)?;
            }
        }
        if remainder < Decimal::ZERO || remainder >= sum {
            return None;
        }
        parts.push(quota.to_i128()?);
        remainders.push((index, remainder));
    }
    // Floors never exceed their quotas, so the leftover is in [0, number of weights).
    let leftover = usize::try_from(total.checked_sub(parts.iter().sum::<i128>())?).ok()?;
    remainders.sort_by(|(ia, ra), (ib, rb)| rb.cmp(ra).then(ia.cmp(ib)));
    for (index, _) in remainders.iter().cycle().take(leftover) {
        if let Some(part) = parts.get_mut(*index) {
            *part += 1;
        }
    }
    Some(parts)
}

/// A team's measures as Decimals, for exact splitting.
struct Measures {
    input_tokens: Decimal,
    seats: Decimal,
    coefficient: Decimal,
    tokens: Decimal,
    requests: Decimal,
    accepted: Decimal,
}

impl Measures {
    fn basis(&self, basis: UsageBasis) -> Decimal {
        match basis {
            UsageBasis::Tokens => self.tokens,
            UsageBasis::Requests => self.requests,
            UsageBasis::AcceptedOutputs => self.accepted,
        }
    }
}

/// The validated month in cents and Decimal weights.
struct Prepared<'a> {
    input: &'a AttributionInput,
    bill: i128,
    fixed: i128,
    discount: i128,
    measures: Vec<Measures>,
    earned: Vec<Decimal>,
    credits: Vec<i128>,
    fine_tune_lines: Vec<(String, usize, f64, i128)>,
}

impl<'a> Prepared<'a> {
    fn new(input: &'a AttributionInput) -> InputResult<Self> {
        let bill = whole_cents("bill_total", input.bill_total)?;
        if bill == 0 {
            return Err(InputError::new("bill_total", "must be > 0, got 0"));
        }
        let fixed = match input.platform_fixed_cost {
            Some(fixed) => whole_cents("platform_fixed_cost", fixed)?,
            None => 0,
        };
        if fixed > bill {
            return Err(InputError::new(
                "platform_fixed_cost",
                format!(
                    "must be ≤ bill_total ({}), got {}",
                    input.bill_total,
                    input.platform_fixed_cost.unwrap_or_default()
                ),
            ));
        }
        if input.teams.is_empty() {
            return Err(InputError::new("teams", "must list at least one team"));
        }
        let mut index_of: BTreeMap<&str, usize> = BTreeMap::new();
        let mut measures = Vec::with_capacity(input.teams.len());
        for (i, team) in input.teams.iter().enumerate() {
            let field = |name: &str| format!("teams[{i}].{name}");
            if team.id.is_empty() {
                return Err(InputError::new(field("id"), "must not be empty"));
            }
            if let Some(first) = index_of.insert(&team.id, i) {
                return Err(InputError::new(
                    field("id"),
                    format!("must be unique; `{}` is also teams[{first}].id", team.id),
                ));
            }
            for (name, value) in [
                ("seats", team.seats),
                ("input_tokens", team.input_tokens),
                ("output_tokens", team.output_tokens),
                ("requests", team.requests),
                ("accepted_outputs", team.accepted_outputs),
            ] {
                non_negative(&field(name), value)?;
            }
            positive(&field("sla_coefficient"), team.sla_coefficient)?;
            let input_tokens = decimal(&field("input_tokens"), team.input_tokens)?;
            let output_tokens = decimal(&field("output_tokens"), team.output_tokens)?;
            measures.push(Measures {
                input_tokens,
                seats: decimal(&field("seats"), team.seats)?,
                coefficient: decimal(&field("sla_coefficient"), team.sla_coefficient)?,
                tokens: input_tokens
                    .checked_add(output_tokens)
                    .ok_or_else(|| too_large(&field("output_tokens")))?,
                requests: decimal(&field("requests"), team.requests)?,
                accepted: decimal(&field("accepted_outputs"), team.accepted_outputs)?,
            });
        }
        let team_index = |field: String, id: &str| {
            index_of.get(id).copied().ok_or_else(|| {
                InputError::new(field, format!("must name a team in teams, got `{id}`"))
            })
        };

        let n = input.teams.len();
        let mut cache_tokens = vec![Decimal::ZERO; n];
        let mut earned = vec![Decimal::ZERO; n];
        let mut pooled = Decimal::ZERO;
        for (i, row) in input.shared_cache.iter().enumerate() {
            let field = |name: &str| format!("shared_cache[{i}].{name}");
            let team = team_index(field("team_id"), &row.team_id)?;
            non_negative(&field("cache_read_tokens"), row.cache_read_tokens)?;
            non_negative_money(&field("discount_value"), row.discount_value)?;
            let tokens = decimal(&field("cache_read_tokens"), row.cache_read_tokens)?;
            if tokens.is_zero() && !row.discount_value.is_zero() {
                return Err(InputError::new(
                    field("discount_value"),
                    format!(
                        "must be 0 when cache_read_tokens is 0, got {}",
                        row.discount_value
                    ),
                ));
            }
            let (Some(team_tokens), Some(team_earned)) =
                (cache_tokens.get_mut(team), earned.get_mut(team))
            else {
                return Err(too_large(&field("team_id")));
            };
            *team_tokens = team_tokens
                .checked_add(tokens)
                .ok_or_else(|| too_large(&field("cache_read_tokens")))?;
            *team_earned = team_earned
                .checked_add(row.discount_value)
                .ok_or_else(|| too_large(&field("discount_value")))?;
            pooled = pooled
                .checked_add(row.discount_value)
                .ok_or_else(|| too_large(&field("discount_value")))?;
            let team_input = measures
                .get(team)
                .map(|m| m.input_tokens)
                .unwrap_or_default();
            if *team_tokens > team_input {
                return Err(InputError::new(
                    field("cache_read_tokens"),
                    format!(
                        "brings the cache reads of team `{}` to {team_tokens}, more than its input_tokens ({team_input})",
                        row.team_id
                    ),
                ));
            }
        }
        let discount = whole_cents("shared_cache", money::to_cents(pooled))?;
        let credits = if discount == 0 {
            vec![0; n]
        } else {
            apportion(discount, &cache_tokens).ok_or_else(|| too_large("shared_cache"))?
        };

        let mut fine_tune_lines = Vec::new();
        let mut fine_tune_ids: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, ft) in input.fine_tunes.iter().enumerate() {
            let field = |name: &str| format!("fine_tunes[{i}].{name}");
            if ft.id.is_empty() {
                return Err(InputError::new(field("id"), "must not be empty"));
            }
            if let Some(first) = fine_tune_ids.insert(&ft.id, i) {
                return Err(InputError::new(
                    field("id"),
                    format!("must be unique; `{}` is also fine_tunes[{first}].id", ft.id),
                ));
            }
            let cost = whole_cents(&field("training_cost"), ft.training_cost)?;
            let trainer = team_index(field("trainer_team_id"), &ft.trainer_team_id)?;
            let mut callers = Vec::with_capacity(ft.callers.len());
            let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
            for (j, caller) in ft.callers.iter().enumerate() {
                let caller_field = |name: &str| format!("fine_tunes[{i}].callers[{j}].{name}");
                let team = team_index(caller_field("team_id"), &caller.team_id)?;
                if let Some(first) = seen.insert(team, j) {
                    return Err(InputError::new(
                        caller_field("team_id"),
                        format!(
                            "must be unique within the fine-tune; `{}` is also callers[{first}]",
                            caller.team_id
                        ),
                    ));
                }
                non_negative(&caller_field("calls"), caller.calls)?;
                callers.push((
                    team,
                    caller.calls,
                    decimal(&caller_field("calls"), caller.calls)?,
                ));
            }
            match ft.policy {
                FineTunePolicy::ChargeTrainer => {
                    let calls = callers
                        .iter()
                        .find(|(team, _, _)| *team == trainer)
                        .map_or(0.0, |(_, calls, _)| *calls);
                    fine_tune_lines.push((ft.id.clone(), trainer, calls, cost));
                }
                FineTunePolicy::AmortizeOverCallers => {
                    let weights: Vec<Decimal> = callers.iter().map(|(_, _, w)| *w).collect();
                    let parts = if cost == 0 {
                        vec![0; callers.len()]
                    } else if weights.iter().all(Decimal::is_zero) {
                        return Err(InputError::new(
                            field("callers"),
                            "must record at least one call to amortize the training cost over; use policy charge_trainer otherwise",
                        ));
                    } else {
                        apportion(cost, &weights)
                            .ok_or_else(|| too_large(&field("training_cost")))?
                    };
                    for ((team, calls, _), part) in callers.iter().zip(parts) {
                        fine_tune_lines.push((ft.id.clone(), *team, *calls, part));
                    }
                }
            }
        }

        Ok(Self {
            input,
            bill,
            fixed,
            discount,
            measures,
            earned,
            credits,
            fine_tune_lines,
        })
    }

    fn seat_weights(&self) -> InputResult<Vec<Decimal>> {
        let weights: Vec<Decimal> = self.measures.iter().map(|m| m.seats).collect();
        if weights.iter().all(Decimal::is_zero) {
            return Err(InputError::new(
                "teams",
                "must include a team with seats > 0 to split by seats; every team has 0",
            ));
        }
        Ok(weights)
    }

    fn basis_weights(&self) -> InputResult<Vec<Decimal>> {
        let basis = self.input.basis;
        let weights: Vec<Decimal> = self.measures.iter().map(|m| m.basis(basis)).collect();
        if weights.iter().all(Decimal::is_zero) {
            return Err(InputError::new(
                "teams",
                format!(
                    "must include a team with non-zero {} to split by the {} basis; every team has 0",
                    basis.fields(),
                    basis.name()
                ),
            ));
        }
        Ok(weights)
    }

    fn split(total: i128, weights: &[Decimal]) -> InputResult<Vec<i128>> {
        if total == 0 {
            return Ok(vec![0; weights.len()]);
        }
        apportion(total, weights).ok_or_else(|| too_large("teams"))
    }

    /// Floor and variable cents per team under `mode`.
    fn parts(&self, mode: AllocationMode) -> InputResult<(Vec<i128>, Vec<i128>)> {
        let n = self.measures.len();
        let undiscounted = self
            .bill
            .checked_add(self.discount)
            .ok_or_else(|| too_large("shared_cache"))?;
        match mode {
            AllocationMode::Uniform => {
                let weights = match self.input.uniform_by {
                    UniformBy::TeamCount => vec![Decimal::ONE; n],
                    UniformBy::Seats => self.seat_weights()?,
                };
                Ok((vec![0; n], Self::split(undiscounted, &weights)?))
            }
            AllocationMode::Proportional => Ok((
                vec![0; n],
                Self::split(undiscounted, &self.basis_weights()?)?,
            )),
            AllocationMode::Weighted => {
                let weights = self
                    .basis_weights()?
                    .into_iter()
                    .zip(&self.measures)
                    .map(|(w, m)| w.checked_mul(m.coefficient))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| too_large("teams"))?;
                Ok((vec![0; n], Self::split(undiscounted, &weights)?))
            }
            AllocationMode::Hybrid => {
                let basis = self.basis_weights()?;
                let floor = if self.fixed == 0 {
                    vec![0; n]
                } else {
                    Self::split(self.fixed, &self.seat_weights()?)?
                };
                Ok((floor, Self::split(undiscounted - self.fixed, &basis)?))
            }
        }
    }

    fn fine_tune_cents(&self, team: usize) -> i128 {
        self.fine_tune_lines
            .iter()
            .filter(|(_, t, _, _)| *t == team)
            .map(|(_, _, _, cents)| cents)
            .sum()
    }

    fn allocate(&self, mode: AllocationMode) -> InputResult<ModeAllocation> {
        let (floor, variable) = self.parts(mode)?;
        let bill = money::to_f64(self.input.bill_total);
        let mut teams = Vec::with_capacity(self.measures.len());
        for (i, team) in self.input.teams.iter().enumerate() {
            let floor = floor.get(i).copied().unwrap_or_default();
            let variable = variable.get(i).copied().unwrap_or_default();
            let credit = self.credits.get(i).copied().unwrap_or_default();
            let allocation = floor + variable - credit;
            let fine_tune = self.fine_tune_cents(i);
            let allocation_dollars = dollars(allocation)?;
            teams.push(TeamAllocation {
                team_id: team.id.clone(),
                team_name: team.name.clone(),
                fixed_floor: dollars(floor)?,
                variable: dollars(variable)?,
                cache_credit: dollars(credit)?,
                allocation: allocation_dollars,
                share: money::to_f64(allocation_dollars) / bill,
                fine_tune: dollars(fine_tune)?,
                total_charge: dollars(allocation + fine_tune)?,
            });
        }
        Ok(ModeAllocation { mode, teams })
    }
}

/// Splits the bill under one mode; allocations sum to the bill to the cent.
///
/// Refuses invalid input (see the module docs), including zero usage on the basis for the
/// usage modes and zero seats where seats split.
pub fn allocate(input: &AttributionInput, mode: AllocationMode) -> InputResult<ModeAllocation> {
    Prepared::new(input)?.allocate(mode)
}

/// The fine-tune lines alone (they do not depend on the mode).
pub fn fine_tune_charges(input: &AttributionInput) -> InputResult<Vec<FineTuneCharge>> {
    let prepared = Prepared::new(input)?;
    charges(&prepared)
}

fn charges(prepared: &Prepared<'_>) -> InputResult<Vec<FineTuneCharge>> {
    prepared
        .fine_tune_lines
        .iter()
        .map(|(id, team, calls, cents)| {
            Ok(FineTuneCharge {
                fine_tune_id: id.clone(),
                team_id: prepared
                    .input
                    .teams
                    .get(*team)
                    .map(|t| t.id.clone())
                    .unwrap_or_default(),
                calls: *calls,
                amount: dollars(*cents)?,
            })
        })
        .collect()
}

/// Splits the bill under all four modes and compares them team by team.
///
/// Refuses whatever any one of the four modes refuses.
pub fn attribute(input: &AttributionInput) -> InputResult<Attribution> {
    let prepared = Prepared::new(input)?;
    let modes = AllocationMode::ALL
        .iter()
        .map(|&mode| prepared.allocate(mode))
        .collect::<InputResult<Vec<_>>>()?;
    let mut comparison = Vec::with_capacity(input.teams.len());
    let mut settled = Decimal::ZERO;
    for (i, team) in input.teams.iter().enumerate() {
        let by_mode: Vec<(AllocationMode, Decimal)> = modes
            .iter()
            .filter_map(|m| m.teams.get(i).map(|t| (m.mode, t.allocation)))
            .collect();
        let of = |mode: AllocationMode| {
            by_mode
                .iter()
                .find(|(m, _)| *m == mode)
                .map(|(_, a)| *a)
                .unwrap_or_default()
        };
        // Earlier modes win ties: keep the first strict minimum and maximum.
        let (mut cheapest, mut costliest) = (AllocationMode::Uniform, AllocationMode::Uniform);
        let (mut min, mut max) = (of(AllocationMode::Uniform), of(AllocationMode::Uniform));
        for &(mode, amount) in &by_mode {
            if amount < min {
                (cheapest, min) = (mode, amount);
            }
            if amount > max {
                (costliest, max) = (mode, amount);
            }
        }
        let values: Vec<f64> = by_mode.iter().map(|(_, a)| money::to_f64(*a)).collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let variance =
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / values.len() as f64;
        let earned = prepared.earned.get(i).copied().unwrap_or_default();
        let credit = dollars(prepared.credits.get(i).copied().unwrap_or_default())?;
        settled = settled
            .checked_add(min)
            .ok_or_else(|| too_large("bill_total"))?;
        comparison.push(TeamComparison {
            team_id: team.id.clone(),
            team_name: team.name.clone(),
            uniform: of(AllocationMode::Uniform),
            proportional: of(AllocationMode::Proportional),
            weighted: of(AllocationMode::Weighted),
            hybrid: of(AllocationMode::Hybrid),
            min,
            max,
            spread: max
                .checked_sub(min)
                .ok_or_else(|| too_large("bill_total"))?,
            cheapest_mode: cheapest,
            costliest_mode: costliest,
            mode_std_dev: variance.sqrt(),
            cache_discount_earned: earned,
            cache_credit: credit,
            cache_transfer: credit
                .checked_sub(earned)
                .ok_or_else(|| too_large("shared_cache"))?,
            fine_tune: dollars(prepared.fine_tune_cents(i))?,
        });
    }
    let contested = input
        .bill_total
        .checked_sub(settled)
        .ok_or_else(|| too_large("bill_total"))?;
    Ok(Attribution {
        bill_total: input.bill_total,
        platform_fixed_cost: dollars(prepared.fixed)?,
        cache_discount: dollars(prepared.discount)?,
        basis: input.basis,
        uniform_by: input.uniform_by,
        modes,
        comparison,
        settled_under_every_mode: settled,
        contested_by_mode: contested,
        contested_share: money::to_f64(contested) / money::to_f64(input.bill_total),
        fine_tune_charges: charges(&prepared)?,
    })
}

/// The section is valid when the bill can be split.
impl SectionRules for AttributionInput {
    fn check(&self, _ws: &Workspace) -> InputResult<()> {
        attribute(self).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::attribution::{CacheReads, FineTune, FineTuneCaller, TeamUsage};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn team(id: &str, seats: f64, coefficient: f64, tokens: (f64, f64)) -> TeamUsage {
        TeamUsage {
            id: id.into(),
            name: format!("Team {id}"),
            seats,
            sla_coefficient: coefficient,
            input_tokens: tokens.0,
            output_tokens: tokens.1,
            requests: 0.0,
            accepted_outputs: 0.0,
        }
    }

    /// Three teams: A tier-1 (1.4), B standard, C batch (0.7); $1,000 bill, $400 fixed.
    fn three_teams() -> AttributionInput {
        let mut a = team("a", 10.0, 1.4, (1200.0, 800.0));
        let mut b = team("b", 30.0, 1.0, (2000.0, 1000.0));
        let mut c = team("c", 60.0, 0.7, (4000.0, 1000.0));
        (a.requests, a.accepted_outputs) = (50.0, 40.0);
        (b.requests, b.accepted_outputs) = (100.0, 90.0);
        (c.requests, c.accepted_outputs) = (50.0, 20.0);
        AttributionInput {
            bill_total: d("1000"),
            platform_fixed_cost: Some(d("400")),
            basis: UsageBasis::Tokens,
            uniform_by: UniformBy::TeamCount,
            teams: vec![a, b, c],
            shared_cache: vec![],
            fine_tunes: vec![],
        }
    }

    fn amounts(input: &AttributionInput, mode: AllocationMode) -> Vec<Decimal> {
        allocate(input, mode)
            .unwrap_or_else(|e| panic!("{e}"))
            .teams
            .iter()
            .map(|t| t.allocation)
            .collect()
    }

    fn ds(values: &[&str]) -> Vec<Decimal> {
        values.iter().map(|v| d(v)).collect()
    }

    /// A change to a valid input that should make it refused.
    type Mutation = Box<dyn Fn(&mut AttributionInput)>;

    fn refusal(input: &AttributionInput) -> InputError {
        match attribute(input) {
            Ok(_) => panic!("expected a refusal"),
            Err(e) => e,
        }
    }

    #[test]
    fn uniform_by_team_count_gives_the_odd_cent_to_the_first_team() {
        // 100,000 cents ÷ 3 = 33,333.33…: floors 33,333 × 3 = 99,999; the left-over cent goes
        // to the first of three equal remainders.
        let got = amounts(&three_teams(), AllocationMode::Uniform);
        assert_eq!(got, ds(&["333.34", "333.33", "333.33"]));
    }

    #[test]
    fn uniform_by_seats() {
        let mut input = three_teams();
        input.uniform_by = UniformBy::Seats;
        // Seats 10 / 30 / 60 of 100.
        let got = amounts(&input, AllocationMode::Uniform);
        assert_eq!(got, ds(&["100", "300", "600"]));
    }

    #[test]
    fn proportional_on_each_basis() {
        let mut input = three_teams();
        // Tokens 2,000 / 3,000 / 5,000 of 10,000.
        assert_eq!(
            amounts(&input, AllocationMode::Proportional),
            ds(&["200", "300", "500"])
        );
        // Requests 50 / 100 / 50 of 200.
        input.basis = UsageBasis::Requests;
        assert_eq!(
            amounts(&input, AllocationMode::Proportional),
            ds(&["250", "500", "250"])
        );
        // Accepted 40 / 90 / 20 of 150: 26,666.67 / 60,000 / 13,333.33 cents; floors leave one
        // cent, which goes to the larger remainder (.67, team a).
        input.basis = UsageBasis::AcceptedOutputs;
        assert_eq!(
            amounts(&input, AllocationMode::Proportional),
            ds(&["266.67", "600", "133.33"])
        );
    }

    #[test]
    fn weighted_renormalises_the_coefficients() {
        let mut input = three_teams();
        // 2,000×1.4 = 2,800; 3,000×1.0 = 3,000; 5,000×0.7 = 3,500; Σ 9,300.
        // Cents: 100,000 × 2,800/9,300 = 30,107.53; × 3,000/9,300 = 32,258.06;
        // × 3,500/9,300 = 37,634.41. Floors sum to 99,999; the cent goes to a (.53).
        assert_eq!(
            amounts(&input, AllocationMode::Weighted),
            ds(&["301.08", "322.58", "376.34"])
        );
        // Accepted: 40×1.4 = 56, 90, 20×0.7 = 14; Σ 160 → 350, 562.50, 87.50.
        input.basis = UsageBasis::AcceptedOutputs;
        assert_eq!(
            amounts(&input, AllocationMode::Weighted),
            ds(&["350", "562.5", "87.5"])
        );
    }

    #[test]
    fn hybrid_is_a_seat_floor_plus_usage() {
        let r = allocate(&three_teams(), AllocationMode::Hybrid).unwrap_or_else(|e| panic!("{e}"));
        // Floor $400 by seats 10/30/60 → 40 / 120 / 240; the other $600 by tokens 2/3/5 →
        // 120 / 180 / 300.
        let floors: Vec<Decimal> = r.teams.iter().map(|t| t.fixed_floor).collect();
        let variable: Vec<Decimal> = r.teams.iter().map(|t| t.variable).collect();
        let total: Vec<Decimal> = r.teams.iter().map(|t| t.allocation).collect();
        assert_eq!(floors, ds(&["40", "120", "240"]));
        assert_eq!(variable, ds(&["120", "180", "300"]));
        assert_eq!(total, ds(&["160", "300", "540"]));
        assert_eq!(r.teams.first().map(|t| t.share), Some(0.16));
    }

    #[test]
    fn hybrid_without_fixed_cost_equals_proportional() {
        let mut input = three_teams();
        input.platform_fixed_cost = None;
        assert_eq!(
            amounts(&input, AllocationMode::Hybrid),
            amounts(&input, AllocationMode::Proportional)
        );
    }

    #[test]
    fn public_sector_seven_offices() {
        // Seven program offices, $42K/month inference + $14K/month fixed floor = $56K bill.
        // Seats 40/25/15/10/5/3/2 (100); tokens (M) 300/200/150/100/50/25/15 (840).
        let seats = [40.0, 25.0, 15.0, 10.0, 5.0, 3.0, 2.0];
        let tokens = [300.0, 200.0, 150.0, 100.0, 50.0, 25.0, 15.0];
        let coefficients = [1.4, 1.0, 1.0, 1.0, 0.7, 1.0, 1.0];
        let teams = (0..7)
            .map(|i| {
                team(
                    &format!("office-{}", i + 1),
                    seats[i],
                    coefficients[i],
                    (tokens[i] * 1e6, 0.0),
                )
            })
            .collect();
        let input = AttributionInput {
            bill_total: d("56000"),
            platform_fixed_cost: Some(d("14000")),
            basis: UsageBasis::Tokens,
            uniform_by: UniformBy::Seats,
            teams,
            shared_cache: vec![],
            fine_tunes: vec![],
        };
        let r = attribute(&input).unwrap_or_else(|e| panic!("{e}"));
        let column = |f: fn(&TeamComparison) -> Decimal| -> Vec<Decimal> {
            r.comparison.iter().map(f).collect()
        };
        // Hybrid: floor $14,000 × seats/100 = 5,600 / 3,500 / 2,100 / 1,400 / 700 / 420 / 280;
        // inference $42,000 × tokens/840 ($50 per M) = 15,000 / 10,000 / 7,500 / 5,000 /
        // 2,500 / 1,250 / 750.
        assert_eq!(
            column(|t| t.hybrid),
            ds(&["20600", "13500", "9600", "6400", "3200", "1670", "1030"])
        );
        // Proportional: $56,000 × tokens/840 = $66.67 per M; 200 M → 1,333,333.33 cents,
        // 100 M → 666,666.67, 50 M → 333,333.33, 25 M → 166,666.67. Floors leave 2 cents,
        // which go to the two .67 remainders (offices 4 and 6).
        assert_eq!(
            column(|t| t.proportional),
            ds(&[
                "20000", "13333.33", "10000", "6666.67", "3333.33", "1666.67", "1000"
            ])
        );
        // Uniform by seats: $560 a seat.
        assert_eq!(
            column(|t| t.uniform),
            ds(&["22400", "14000", "8400", "5600", "2800", "1680", "1120"])
        );
        // Weighted: weights 420/200/150/100/35/25/15 (Σ 945); 5,600,000 × 420/945 =
        // 2,488,888.89 cents, × 200/945 = 1,185,185.19, × 150/945 = 888,888.89, × 100/945 =
        // 592,592.59, × 35/945 = 207,407.41, × 25/945 = 148,148.15, × 15/945 = 88,888.89.
        // Floors sum to 5,599,996; the 4 cents go to the .89 remainders (offices 1, 3, 7) and
        // the .59 (office 4).
        assert_eq!(
            column(|t| t.weighted),
            ds(&[
                "24888.89", "11851.85", "8888.89", "5925.93", "2074.07", "1481.48", "888.89"
            ])
        );
        // Office 1: min 20,000 (proportional), max 24,888.89 (weighted).
        let first = r.comparison.first().unwrap_or_else(|| panic!("no rows"));
        assert_eq!(first.spread, d("4888.89"));
        assert_eq!(first.cheapest_mode, AllocationMode::Proportional);
        assert_eq!(first.costliest_mode, AllocationMode::Weighted);
        // Σ minima: 20,000 + 11,851.85 + 8,400 + 5,600 + 2,074.07 + 1,481.48 + 888.89
        // = 50,296.29; the other 5,703.71 changes payer with the mode.
        assert_eq!(r.settled_under_every_mode, d("50296.29"));
        assert_eq!(r.contested_by_mode, d("5703.71"));
        for mode in &r.modes {
            let sum: Decimal = mode.teams.iter().map(|t| t.allocation).sum();
            assert_eq!(sum, d("56000"), "{}", mode.mode.name());
        }
    }

    #[test]
    fn mode_std_dev_of_four_allocations() {
        let r = attribute(&three_teams()).unwrap_or_else(|e| panic!("{e}"));
        let b = r.comparison.get(1).unwrap_or_else(|| panic!("no team b"));
        // b: 333.33, 300, 322.58, 300 → mean 313.9775; deviations 19.3525, −13.9775,
        // 8.6025, −13.9775; squares sum 374.5193 + 195.3705 + 74.0030 + 195.3705 = 839.2634;
        // ÷ 4 = 209.8158; √ = 14.4850.
        assert!(
            (b.mode_std_dev - 14.4850).abs() < 1e-4,
            "{}",
            b.mode_std_dev
        );
        assert_eq!(b.spread, d("33.33"));
        assert_eq!(b.cheapest_mode, AllocationMode::Proportional);
    }

    #[test]
    fn cache_discount_passes_through_by_token() {
        let mut input = three_teams();
        input.teams.truncate(2);
        input.platform_fixed_cost = None;
        // a reads 800 cached tokens worth $90 of discount; b 200 worth $10 (a pricier model).
        input.shared_cache = vec![
            CacheReads {
                team_id: "a".into(),
                cache_read_tokens: 800.0,
                discount_value: d("90"),
            },
            CacheReads {
                team_id: "b".into(),
                cache_read_tokens: 200.0,
                discount_value: d("10"),
            },
        ];
        let r = attribute(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.cache_discount, d("100"));
        let prop = r.modes.get(1).unwrap_or_else(|| panic!("no proportional"));
        // Undiscounted bill 1,000 + 100 = 1,100 by tokens 2,000 / 3,000 → 440 / 660.
        // Credits: $100 × 800/1,000 = 80, × 200/1,000 = 20. Allocations 360 / 640.
        let got: Vec<(Decimal, Decimal, Decimal)> = prop
            .teams
            .iter()
            .map(|t| (t.variable, t.cache_credit, t.allocation))
            .collect();
        assert_eq!(
            got,
            vec![(d("440"), d("80"), d("360")), (d("660"), d("20"), d("640"))]
        );
        // a earned 90 but is credited 80: it subsidises b by 10.
        let transfers: Vec<Decimal> = r.comparison.iter().map(|t| t.cache_transfer).collect();
        assert_eq!(transfers, ds(&["-10", "10"]));
    }

    #[test]
    fn a_credit_above_a_usage_blind_share_is_a_net_transfer() {
        let mut input = three_teams();
        input.teams.truncate(2);
        input.bill_total = d("100");
        input.platform_fixed_cost = None;
        input.shared_cache = vec![CacheReads {
            team_id: "a".into(),
            cache_read_tokens: 1200.0,
            discount_value: d("300"),
        }];
        // Undiscounted 400 split evenly: 200 / 200; a's credit is 300 → −100 / 200.
        assert_eq!(
            amounts(&input, AllocationMode::Uniform),
            ds(&["-100", "200"])
        );
    }

    #[test]
    fn fine_tunes_are_charged_per_policy() {
        let mut input = three_teams();
        input.fine_tunes = vec![
            FineTune {
                id: "lora-claims".into(),
                training_cost: d("500"),
                trainer_team_id: "a".into(),
                callers: vec![
                    FineTuneCaller {
                        team_id: "b".into(),
                        calls: 1000.0,
                    },
                    FineTuneCaller {
                        team_id: "c".into(),
                        calls: 2000.0,
                    },
                ],
                policy: FineTunePolicy::AmortizeOverCallers,
            },
            FineTune {
                id: "lora-tone".into(),
                training_cost: d("120"),
                trainer_team_id: "a".into(),
                callers: vec![FineTuneCaller {
                    team_id: "c".into(),
                    calls: 50.0,
                }],
                policy: FineTunePolicy::ChargeTrainer,
            },
        ];
        let lines = fine_tune_charges(&input).unwrap_or_else(|e| panic!("{e}"));
        // $500 over calls 1,000 / 2,000: 16,666.67 / 33,333.33 cents → the cent to b (.67).
        let got: Vec<(&str, &str, Decimal)> = lines
            .iter()
            .map(|l| (l.fine_tune_id.as_str(), l.team_id.as_str(), l.amount))
            .collect();
        assert_eq!(
            got,
            vec![
                ("lora-claims", "b", d("166.67")),
                ("lora-claims", "c", d("333.33")),
                ("lora-tone", "a", d("120")),
            ]
        );
        let r = allocate(&input, AllocationMode::Proportional).unwrap_or_else(|e| panic!("{e}"));
        let totals: Vec<Decimal> = r.teams.iter().map(|t| t.total_charge).collect();
        // Proportional 200 / 300 / 500 plus fine-tune lines 120 / 166.67 / 333.33.
        assert_eq!(totals, ds(&["320", "466.67", "833.33"]));
        let bill: Decimal = r.teams.iter().map(|t| t.allocation).sum();
        assert_eq!(bill, d("1000"));
    }

    #[test]
    fn zero_usage_on_the_basis_is_refused() {
        let mut input = three_teams();
        input.basis = UsageBasis::Requests;
        for t in &mut input.teams {
            t.requests = 0.0;
        }
        let e = refusal(&input);
        assert_eq!(e.field, "teams");
        assert!(e.rule.contains("non-zero requests"), "{}", e.rule);
        // Uniform by team count does not need usage.
        assert!(allocate(&input, AllocationMode::Uniform).is_ok());
    }

    #[test]
    fn zero_seats_are_refused_where_seats_split() {
        let mut input = three_teams();
        for t in &mut input.teams {
            t.seats = 0.0;
        }
        assert!(allocate(&input, AllocationMode::Hybrid).is_err());
        input.uniform_by = UniformBy::Seats;
        assert!(allocate(&input, AllocationMode::Uniform).is_err());
        input.platform_fixed_cost = Some(Decimal::ZERO);
        assert!(allocate(&input, AllocationMode::Hybrid).is_ok());
    }

    #[test]
    fn bad_inputs_are_refused_with_their_field() {
        let cases: Vec<(Mutation, &str)> = vec![
            (Box::new(|i| i.bill_total = d("0")), "bill_total"),
            (Box::new(|i| i.bill_total = d("10.005")), "bill_total"),
            (
                Box::new(|i| i.platform_fixed_cost = Some(d("1000.01"))),
                "platform_fixed_cost",
            ),
            (Box::new(|i| i.teams.clear()), "teams"),
            (
                Box::new(|i| {
                    if let Some(t) = i.teams.get_mut(2) {
                        t.id = "a".into();
                    }
                }),
                "teams[2].id",
            ),
            (
                Box::new(|i| {
                    if let Some(t) = i.teams.get_mut(2) {
                        t.seats = -1.0;
                    }
                }),
                "teams[2].seats",
            ),
            (
                Box::new(|i| {
                    if let Some(t) = i.teams.get_mut(1) {
                        t.sla_coefficient = 0.0;
                    }
                }),
                "teams[1].sla_coefficient",
            ),
            (
                Box::new(|i| {
                    if let Some(t) = i.teams.get_mut(0) {
                        t.output_tokens = f64::NAN;
                    }
                }),
                "teams[0].output_tokens",
            ),
            (
                Box::new(|i| {
                    i.shared_cache = vec![CacheReads {
                        team_id: "zz".into(),
                        cache_read_tokens: 1.0,
                        discount_value: d("1"),
                    }];
                }),
                "shared_cache[0].team_id",
            ),
            (
                Box::new(|i| {
                    i.shared_cache = vec![CacheReads {
                        team_id: "a".into(),
                        cache_read_tokens: 1201.0,
                        discount_value: d("1"),
                    }];
                }),
                "shared_cache[0].cache_read_tokens",
            ),
            (
                Box::new(|i| {
                    i.shared_cache = vec![CacheReads {
                        team_id: "a".into(),
                        cache_read_tokens: 0.0,
                        discount_value: d("1"),
                    }];
                }),
                "shared_cache[0].discount_value",
            ),
            (
                Box::new(|i| {
                    i.fine_tunes = vec![FineTune {
                        id: "f".into(),
                        training_cost: d("10"),
                        trainer_team_id: "nobody".into(),
                        callers: vec![],
                        policy: FineTunePolicy::ChargeTrainer,
                    }];
                }),
                "fine_tunes[0].trainer_team_id",
            ),
            (
                Box::new(|i| {
                    i.fine_tunes = vec![FineTune {
                        id: "f".into(),
                        training_cost: d("10"),
                        trainer_team_id: "a".into(),
                        callers: vec![FineTuneCaller {
                            team_id: "b".into(),
                            calls: 0.0,
                        }],
                        policy: FineTunePolicy::AmortizeOverCallers,
                    }];
                }),
                "fine_tunes[0].callers",
            ),
            (
                Box::new(|i| {
                    let caller = FineTuneCaller {
                        team_id: "b".into(),
                        calls: 1.0,
                    };
                    i.fine_tunes = vec![FineTune {
                        id: "f".into(),
                        training_cost: d("10"),
                        trainer_team_id: "a".into(),
                        callers: vec![caller.clone(), caller],
                        policy: FineTunePolicy::AmortizeOverCallers,
                    }];
                }),
                "fine_tunes[0].callers[1].team_id",
            ),
        ];
        for (mutate, field) in cases {
            let mut input = three_teams();
            mutate(&mut input);
            assert_eq!(refusal(&input).field, field);
        }
    }

    #[test]
    fn messages_name_the_rule() {
        let mut input = three_teams();
        input.platform_fixed_cost = Some(d("1200"));
        assert_eq!(
            refusal(&input).to_string(),
            "platform_fixed_cost must be ≤ bill_total (1000), got 1200"
        );
        let mut input = three_teams();
        input.bill_total = d("99.999");
        assert_eq!(
            refusal(&input).to_string(),
            "bill_total must be a whole number of cents, got 99.999"
        );
    }

    #[test]
    fn input_reads_from_json_and_refuses_unknown_fields() {
        let json = r#"{"bill_total": 100, "basis": "requests",
            "teams": [{"id": "a", "requests": 3}, {"id": "b", "requests": 1}]}"#;
        let input: AttributionInput = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(amounts(&input, AllocationMode::Weighted), ds(&["75", "25"]));
        let bad = r#"{"bill_total": 100, "basis": "requests", "teams": [], "extra": 1}"#;
        assert!(serde_json::from_str::<AttributionInput>(bad).is_err());
    }

    #[test]
    fn apportion_leaves_zero_weights_empty_and_breaks_ties_by_order() {
        let w = ds(&["0", "1", "1", "0", "1"]);
        assert_eq!(apportion(5, &w), Some(vec![0, 2, 2, 0, 1]));
        assert_eq!(apportion(5, &ds(&["0", "0"])), None);
        assert_eq!(apportion(0, &ds(&["1", "2"])), Some(vec![0, 0]));
    }

    fn arb_team() -> impl Strategy<Value = TeamUsage> {
        let measure = prop_oneof![Just(0.0), 0.0..1e9_f64, (0u32..10_000).prop_map(f64::from)];
        (
            0u32..200,
            prop_oneof![Just(0.7), Just(1.0), Just(1.4), 0.05..5.0_f64],
            measure.clone(),
            measure.clone(),
            measure.clone(),
            measure,
        )
            .prop_map(|(seats, coefficient, input, output, requests, accepted)| {
                TeamUsage {
                    id: String::new(),
                    name: String::new(),
                    seats: f64::from(seats),
                    sla_coefficient: coefficient,
                    input_tokens: input,
                    output_tokens: output,
                    requests,
                    accepted_outputs: accepted,
                }
            })
    }

    fn arb_input() -> impl Strategy<Value = AttributionInput> {
        (
            prop::collection::vec((arb_team(), 0.0..1.0_f64, 0u64..5_000_000), 1..9),
            1i64..10_000_000_000,
            0.0..=1.0_f64,
            prop_oneof![
                Just(UsageBasis::Tokens),
                Just(UsageBasis::Requests),
                Just(UsageBasis::AcceptedOutputs)
            ],
            any::<bool>(),
            0i64..1_000_000,
            prop::collection::vec(0u32..1000, 0..5),
        )
            .prop_map(
                |(rows, bill, fixed_share, basis, by_seats, training, calls)| {
                    let mut teams = Vec::new();
                    let mut shared_cache = Vec::new();
                    for (i, (mut team, read_share, discount)) in rows.into_iter().enumerate() {
                        team.id = format!("t{i}");
                        // Guarantee a splittable basis and seats: the first team has both.
                        if i == 0 {
                            team.seats += 1.0;
                            team.input_tokens += 1.0;
                            team.requests += 1.0;
                            team.accepted_outputs += 1.0;
                        }
                        let reads = (team.input_tokens * read_share).floor();
                        if reads > 0.0 {
                            shared_cache.push(CacheReads {
                                team_id: team.id.clone(),
                                cache_read_tokens: reads,
                                discount_value: Decimal::new(discount as i64, 3),
                            });
                        }
                        teams.push(team);
                    }
                    let n = teams.len();
                    let bill_total = Decimal::new(bill, 2);
                    let fixed = Decimal::new((bill as f64 * fixed_share).floor() as i64, 2);
                    let callers = calls
                        .iter()
                        .enumerate()
                        .take(n)
                        .map(|(i, &c)| FineTuneCaller {
                            team_id: format!("t{i}"),
                            calls: f64::from(c),
                        })
                        .collect::<Vec<_>>();
                    let policy = if callers.iter().any(|c| c.calls > 0.0) {
                        FineTunePolicy::AmortizeOverCallers
                    } else {
                        FineTunePolicy::ChargeTrainer
                    };
                    AttributionInput {
                        bill_total,
                        platform_fixed_cost: Some(fixed.min(bill_total)),
                        basis,
                        uniform_by: if by_seats {
                            UniformBy::Seats
                        } else {
                            UniformBy::TeamCount
                        },
                        teams,
                        shared_cache,
                        fine_tunes: vec![FineTune {
                            id: "ft".into(),
                            training_cost: Decimal::new(training, 2),
                            trainer_team_id: format!("t{}", n - 1),
                            callers,
                            policy,
                        }],
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_mode_reconciles_to_the_cent(input in arb_input()) {
            let r = attribute(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for mode in &r.modes {
                let sum: Decimal = mode.teams.iter().map(|t| t.allocation).sum();
                prop_assert_eq!(sum, input.bill_total, "{}", mode.mode.name());
                let credits: Decimal = mode.teams.iter().map(|t| t.cache_credit).sum();
                prop_assert_eq!(credits, r.cache_discount);
                let floor: Decimal = mode.teams.iter().map(|t| t.fixed_floor).sum();
                let expected_floor = if mode.mode == AllocationMode::Hybrid {
                    r.platform_fixed_cost
                } else {
                    Decimal::ZERO
                };
                prop_assert_eq!(floor, expected_floor);
                for t in &mode.teams {
                    prop_assert_eq!(t.allocation.round_dp(2), t.allocation);
                }
            }
            let training: Decimal = r.fine_tune_charges.iter().map(|l| l.amount).sum();
            prop_assert_eq!(training, input.fine_tunes.first().map(|f| f.training_cost).unwrap_or_default());
            let settled_plus_contested = r.settled_under_every_mode + r.contested_by_mode;
            prop_assert_eq!(settled_plus_contested, input.bill_total);
        }

        #[test]
        fn a_team_without_usage_or_cache_pays_nothing_proportionally(
            mut input in arb_input(), position in 0usize..8
        ) {
            let n = input.teams.len();
            let index = position % n;
            if let Some(t) = input.teams.get_mut(index) {
                t.input_tokens = 0.0;
                t.output_tokens = 0.0;
                t.requests = 0.0;
                t.accepted_outputs = 0.0;
            }
            let id = format!("t{index}");
            input.shared_cache.retain(|c| c.team_id != id);
            prop_assume!(input.teams.iter().any(|t| t.input_tokens + t.output_tokens > 0.0
                && t.requests > 0.0 && t.accepted_outputs > 0.0));
            let r = allocate(&input, AllocationMode::Proportional)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(r.teams.get(index).map(|t| t.allocation), Some(Decimal::ZERO));
        }

        #[test]
        fn apportion_stays_within_a_cent_of_the_exact_quota(
            total in 0i128..10_000_000_000,
            weights in prop::collection::vec(0u64..1_000_000, 1..12),
        ) {
            let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
            prop_assume!(weights.iter().any(|w| !w.is_zero()));
            let parts = apportion(total, &weights).ok_or_else(|| TestCaseError::fail("none"))?;
            prop_assert_eq!(parts.iter().sum::<i128>(), total);
            let sum: Decimal = weights.iter().copied().sum();
            for (part, w) in parts.iter().zip(&weights) {
                let quota = Decimal::from(total) * *w / sum;
                prop_assert!((Decimal::from(*part) - quota).abs() < Decimal::ONE);
            }
        }
    }
}
