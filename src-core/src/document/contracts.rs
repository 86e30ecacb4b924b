//! The `contract_rates` section: rates per provider, model and meter with the dates they are in
//! force, and the meters invoice lines and rates charge for. Reading a contract file and checking
//! an invoice against it are [`crate::evidence::joins`]'s.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Date;
use crate::error::{InputError, InputResult};
use crate::money::TOKENS_PER_PRICE_UNIT;

/// The name under which a column or key is looked up: lower case, letters and digits only.
#[must_use]
pub fn column_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What a metered invoice line (or a contracted rate) charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meter {
    /// Uncached input tokens.
    InputTokens,
    /// Input tokens read from the prompt cache.
    CachedInputTokens,
    /// Output tokens.
    OutputTokens,
    /// Input tokens on the batch lane.
    BatchInputTokens,
    /// Output tokens on the batch lane.
    BatchOutputTokens,
    /// GPU-hours of reserved or dedicated capacity.
    GpuHours,
}

impl Meter {
    /// Every meter, in file-name order.
    pub const ALL: [Self; 6] = [
        Self::InputTokens,
        Self::CachedInputTokens,
        Self::OutputTokens,
        Self::BatchInputTokens,
        Self::BatchOutputTokens,
        Self::GpuHours,
    ];

    /// The name files use.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::InputTokens => "input_tokens",
            Self::CachedInputTokens => "cached_input_tokens",
            Self::OutputTokens => "output_tokens",
            Self::BatchInputTokens => "batch_input_tokens",
            Self::BatchOutputTokens => "batch_output_tokens",
            Self::GpuHours => "gpu_hours",
        }
    }

    /// True for token meters (priced per million tokens).
    #[must_use]
    pub fn is_tokens(self) -> bool {
        self != Self::GpuHours
    }

    /// Base units (tokens, GPU-hours) in one price unit: 1,000,000 tokens or 1 GPU-hour.
    #[must_use]
    pub fn price_unit(self) -> Decimal {
        if self.is_tokens() {
            TOKENS_PER_PRICE_UNIT
        } else {
            Decimal::ONE
        }
    }

    /// The meter a name stands for, ignoring case and separators; common provider spellings
    /// (`Input Tokens`, `prompt_tokens`, `cache_read_input_tokens`, `GPU-Hours`) included.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Some(match column_key(text).as_str() {
            "inputtokens" | "input" | "prompttokens" | "uncachedinputtokens" => Self::InputTokens,
            "cachedinputtokens"
            | "cachedinput"
            | "cachedtokens"
            | "cachereadtokens"
            | "cachereadinputtokens" => Self::CachedInputTokens,
            "outputtokens" | "output" | "completiontokens" => Self::OutputTokens,
            "batchinputtokens" | "batchinput" => Self::BatchInputTokens,
            "batchoutputtokens" | "batchoutput" => Self::BatchOutputTokens,
            "gpuhours" | "gpuhour" | "gpuhrs" => Self::GpuHours,
            _ => return None,
        })
    }

    /// The rule an unknown meter name breaks.
    pub(crate) fn unknown(text: &str) -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|m| m.name()).collect();
        format!("must be one of {}, got {text:?}", names.join(", "))
    }

    /// How many base units (tokens or GPU-hours) one `unit` of this meter holds: `tokens` 1,
    /// `1K tokens` 1,000, `1M tokens` 1,000,000; `hours` or `GPU-hours` 1.
    pub fn units_in(self, unit: &str) -> Result<Decimal, String> {
        let key = column_key(unit);
        let scale = if self.is_tokens() {
            match key.as_str() {
                "tokens" | "token" | "tok" => Some(1),
                "1ktokens" | "ktokens" | "thousandtokens" | "1000tokens" | "ktok" | "1ktok" => {
                    Some(1_000)
                }
                "1mtokens" | "mtokens" | "milliontokens" | "1000000tokens" | "mtok" | "1mtok" => {
                    Some(1_000_000)
                }
                _ => None,
            }
        } else {
            match key.as_str() {
                "hours" | "hour" | "hrs" | "hr" | "h" | "gpuhours" | "gpuhour" | "gpuhrs" => {
                    Some(1)
                }
                _ => None,
            }
        };
        scale.map(Decimal::from).ok_or_else(|| {
            if self.is_tokens() {
                format!(
                    "must be a token unit (tokens, 1K tokens or 1M tokens) for {}, got {unit:?}",
                    self.name()
                )
            } else {
                format!(
                    "must be an hour unit (hours or GPU-hours) for {}, got {unit:?}",
                    self.name()
                )
            }
        })
    }
}

impl fmt::Display for Meter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Meter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| Self::unknown(s))
    }
}

/// Where an invoice names the model a line bills: a column (FOCUS `SkuId`,
/// `ChargeDescription`, a provider's `x_*` column, a plain file's `model`) and, optionally, a
/// regular expression whose `model` group, else first group, else whole match is the model
/// (`^(\S+)` keeps `GPT-5.4` of `GPT-5.4 input tokens`). Saved in the workspace by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceMapping {
    /// The mapping's name (`default` is used when an import names none).
    pub name: String,
    /// The column holding the model.
    pub model_column: String,
    /// The pattern over that column's value; empty takes the value whole.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model_pattern: String,
}

impl InvoiceMapping {
    /// The column, trimmed, and the compiled pattern (`None` when empty); the error names the
    /// field and the rule.
    pub fn compile(&self) -> Result<(String, Option<regex::Regex>), InputError> {
        let column = self.model_column.trim();
        if column.is_empty() {
            return Err(InputError::new(
                "model_column",
                "must name the column that holds the model (SkuId, ChargeDescription, x_Model …)",
            ));
        }
        if self.model_pattern.is_empty() {
            return Ok((column.to_owned(), None));
        }
        let re = regex::Regex::new(&self.model_pattern).map_err(|e| {
            InputError::new(
                "model_pattern",
                format!(
                    "must be a regular expression, got {:?} ({})",
                    self.model_pattern,
                    e.to_string().lines().last().unwrap_or_default().trim()
                ),
            )
        })?;
        Ok((column.to_owned(), Some(re)))
    }
}

/// How many units of the workspace's currency one unit of another is worth over a period: an
/// invoice billed in that currency is converted at it (in Decimal) rather than refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// ISO code of the invoice's currency (`EUR`).
    pub currency: String,
    /// Workspace currency per one unit of `currency`.
    #[serde(with = "crate::money::exact")]
    pub rate: Decimal,
    /// The days the rate applies to, both inclusive.
    pub period: super::Period,
    /// Where the rate comes from (`ECB reference rate, October average`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// One contracted rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractRate {
    /// The provider (empty matches any).
    #[serde(default)]
    pub provider: String,
    /// The model or offer, as invoice lines name it.
    pub model: String,
    /// What it prices.
    pub meter: Meter,
    /// Dollars per million tokens, or per GPU-hour.
    #[serde(with = "crate::money::exact")]
    pub rate: Decimal,
    /// First day in force.
    pub effective_from: Date,
    /// Last day in force; open when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
    /// Where it comes from: `contract.csv row 4` or `rate card acme-2026-02`.
    #[serde(default)]
    pub source: String,
    /// How far, in dollars, a line billed at this rate may be off before it is named (its
    /// amount against quantity × unit price, and against the contracted rate); half a cent
    /// ([`DEFAULT_AMOUNT_TOLERANCE`]) when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_option"
    )]
    pub amount_tolerance: Option<Decimal>,
}

/// The tolerance of a line's amount when its contract gives none: half a cent, the rounding
/// of a billed amount to the cent.
pub const DEFAULT_AMOUNT_TOLERANCE: Decimal = Decimal::from_parts(5, 0, 0, false, 3);

impl ContractRate {
    /// The tolerance of a line's amount at this rate.
    #[must_use]
    pub fn tolerance(&self) -> Decimal {
        self.amount_tolerance.unwrap_or(DEFAULT_AMOUNT_TOLERANCE)
    }
}

pub(crate) type RateKey = (String, String, Meter, Date);

impl ContractRate {
    pub(crate) fn key(&self) -> RateKey {
        (
            self.provider.to_lowercase(),
            self.model.to_lowercase(),
            self.meter,
            self.effective_from,
        )
    }

    fn covers(&self, provider: &str, model: &str, meter: Meter, on: Date) -> bool {
        self.meter == meter
            && model_matches(&self.model, model)
            && (provider.is_empty()
                || self.provider.is_empty()
                || self.provider.eq_ignore_ascii_case(provider))
            && self.effective_from <= on
            && self.effective_to.is_none_or(|to| on <= to)
    }
}

fn model_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            ' ' | '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// True when a billed or traced model id names the contracted `model`: the same name (case,
/// spaces and underscores aside), or that name followed by a dated or versioned snapshot suffix
/// (`gpt-5.4-2026-04-01`, `claude-sonnet-4-6@20260101`, `…-latest`). A different variant
/// (`gpt-5.4-mini`) is a different model.
#[must_use]
pub fn model_matches(contracted: &str, billed: &str) -> bool {
    let (c, b) = (model_key(contracted), model_key(billed));
    if c.is_empty() {
        return false;
    }
    if c == b {
        return true;
    }
    let Some(rest) = b.strip_prefix(&c) else {
        return false;
    };
    let Some(suffix) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('@')) else {
        return false;
    };
    suffix == "latest"
        || (suffix.starts_with(|ch: char| ch.is_ascii_digit())
            && suffix.chars().all(|ch| ch.is_ascii_digit() || ch == '-'))
}

/// A validated set of contracted rates, sorted by provider, model, meter and start date.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<ContractRate>", into = "Vec<ContractRate>")]
pub struct ContractRates {
    rates: Vec<ContractRate>,
}

impl TryFrom<Vec<ContractRate>> for ContractRates {
    type Error = InputError;

    fn try_from(rates: Vec<ContractRate>) -> InputResult<Self> {
        Self::new(rates)
    }
}

impl From<ContractRates> for Vec<ContractRate> {
    fn from(r: ContractRates) -> Self {
        r.rates
    }
}

pub(crate) fn check_rate(rate: &ContractRate) -> Result<(), (&'static str, String)> {
    if rate.model.trim().is_empty() {
        return Err(("model", "must not be empty".to_owned()));
    }
    if rate.rate.is_sign_negative() && !rate.rate.is_zero() {
        return Err(("rate", format!("must be ≥ 0, got {}", rate.rate)));
    }
    if let Some(t) = rate.amount_tolerance
        && t.is_sign_negative()
        && !t.is_zero()
    {
        return Err(("amount_tolerance", format!("must be ≥ 0 dollars, got {t}")));
    }
    if let Some(to) = rate.effective_to
        && to < rate.effective_from
    {
        return Err((
            "effective_to",
            format!(
                "must be on or after effective_from ({}), got {to}",
                rate.effective_from
            ),
        ));
    }
    Ok(())
}

pub(crate) fn repeats(earlier: &ContractRate) -> String {
    format!(
        "repeats the {} rate of {} from {} already given by {}",
        earlier.meter, earlier.model, earlier.effective_from, earlier.source
    )
}

impl ContractRates {
    /// Validates and sorts `rates`: each rate ≥ 0, model named, `effective_to` not before
    /// `effective_from`, and no two rates for the same provider, model, meter and start date.
    pub fn new(rates: Vec<ContractRate>) -> InputResult<Self> {
        let mut seen: BTreeMap<RateKey, usize> = BTreeMap::new();
        for (i, rate) in rates.iter().enumerate() {
            check_rate(rate)
                .map_err(|(field, rule)| InputError::new(format!("rates[{i}].{field}"), rule))?;
            if let Some(&first) = seen.get(&rate.key())
                && let Some(earlier) = rates.get(first)
            {
                return Err(InputError::new(format!("rates[{i}]"), repeats(earlier)));
            }
            seen.insert(rate.key(), i);
        }
        Ok(Self::sorted(rates))
    }

    pub(crate) fn sorted(mut rates: Vec<ContractRate>) -> Self {
        rates.sort_by_key(ContractRate::key);
        Self { rates }
    }

    /// The rates, sorted.
    #[must_use]
    pub fn rates(&self) -> &[ContractRate] {
        &self.rates
    }

    /// True when there are no rates.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rates.is_empty()
    }

    /// The rate for `model`'s `meter` in force `on` a day: the latest `effective_from` on or
    /// before it. `provider` narrows the match when given; when it is empty and more than one
    /// provider's contract prices the model, the answer is ambiguous and refused.
    pub fn in_force(
        &self,
        provider: &str,
        model: &str,
        meter: Meter,
        on: Date,
    ) -> InputResult<Option<&ContractRate>> {
        let candidates: Vec<&ContractRate> = self
            .rates
            .iter()
            .filter(|r| r.covers(provider, model, meter, on))
            .collect();
        let mut providers: Vec<String> = candidates
            .iter()
            .filter(|r| !r.provider.is_empty())
            .map(|r| r.provider.to_lowercase())
            .collect();
        providers.sort();
        providers.dedup();
        if providers.len() > 1 {
            return Err(InputError::new(
                "provider",
                format!(
                    "must be named: {model} {meter} is contracted with {} on {on}",
                    providers.join(" and ")
                ),
            ));
        }
        Ok(candidates.into_iter().max_by_key(|r| r.effective_from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_snapshots_match_their_model_and_variants_do_not() {
        assert!(model_matches("GPT-5.4", "gpt-5.4"));
        assert!(model_matches("GPT-5.4", "gpt-5.4-2026-04-01"));
        assert!(model_matches("gpt-4o-mini", "gpt-4o-mini-2024-07-18"));
        assert!(model_matches(
            "claude sonnet 4.6",
            "claude-sonnet-4.6-20260101"
        ));
        assert!(model_matches(
            "claude-sonnet-4.6",
            "claude-sonnet-4.6@20260101"
        ));
        assert!(model_matches("gpt-5.4", "gpt-5.4-latest"));
        assert!(!model_matches("gpt-5.4", "gpt-5.4-mini"));
        assert!(!model_matches("gpt-5.4", "gpt-5.4-mini-2026-01-01"));
        assert!(!model_matches("gpt-5", "gpt-5.4"));
        assert!(!model_matches("", "gpt-5.4"));
    }
}
