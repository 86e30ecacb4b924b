//! Invoice lines from a provider's bill: a FOCUS cost-and-usage export or a plain line-item CSV,
//! normalised to one [`InvoiceLine`] so the reconciliation can price every line against the
//! contract the same way.
//!
//! Normalisation: a token meter's quantity is held in tokens and its unit price in dollars per
//! million tokens (the unit rate cards and contracts quote); a GPU meter's in GPU-hours and
//! dollars per GPU-hour. A file may bill tokens, thousands or millions of tokens: the quantity is
//! multiplied by the tokens one unit holds (1, 1,000 or 1,000,000) and the price multiplied by
//! 1,000,000 and divided by the same number. Both factors are powers of ten, so the conversion
//! is exact in Decimal.
//!
//! FOCUS rows state what was charged (`BilledCost`) and how much was consumed, not a billed unit
//! price; the billed price is derived as `BilledCost` ÷ quantity, so pricing the quantity at it
//! gives back exactly `BilledCost`. FOCUS `ListUnitPrice` and `ContractedUnitPrice` are quoted per
//! `PricingUnit` (per `ConsumedUnit` when the file has no `PricingUnit`) and are kept, normalised,
//! as the vendor's own statement. FOCUS charge periods end exclusively (`2026-06-01T00:00:00Z`
//! closes May); they are held as inclusive dates. Rows whose `ChargeCategory` is not `Usage`
//! (credits, taxes, purchases, adjustments), and corrections of earlier periods (`ChargeClass`
//! `Correction`), are kept as unmetered lines: they count in the invoice total but have no rate
//! to check.

use std::collections::BTreeSet;
use std::io::Read;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::csv::{ImportError, Record, read_csv};
use crate::document::contracts::{InvoiceMapping, Meter, column_key};
use crate::document::{Date, Period};
use crate::error::InputError;

/// The metered side of an invoice line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// What was metered.
    pub meter: Meter,
    /// Tokens, or GPU-hours.
    #[serde(with = "crate::money::exact")]
    pub quantity: Decimal,
    /// Billed price per million tokens, or per GPU-hour.
    #[serde(with = "crate::money::exact")]
    pub unit_price: Decimal,
    /// The quantity priced at the billed unit price (for FOCUS rows, exactly `BilledCost`).
    #[serde(with = "crate::money::exact")]
    pub priced_amount: Decimal,
}

/// One line of a provider's invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    /// Unique id: the file's `line_id`, else `invoice id:row`.
    pub id: String,
    /// The invoice it belongs to (empty when the export has not been invoiced yet).
    #[serde(default)]
    pub invoice_id: String,
    /// Where it was read: `file row N`.
    #[serde(default)]
    pub source: String,
    /// The days it charges for, both inclusive.
    pub period: Period,
    /// The provider (empty when the file does not say).
    #[serde(default)]
    pub provider: String,
    /// The billing sub-account, workload or project it is charged to (empty when not given).
    #[serde(default)]
    pub account: String,
    /// The provider's service name.
    #[serde(default)]
    pub service: String,
    /// The model or offer contracted rates are keyed by.
    #[serde(default)]
    pub model: String,
    /// The provider's SKU id.
    #[serde(default)]
    pub sku: String,
    /// Meter, quantity and price; `None` for credits, taxes, fees and other unmetered charges.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// What the line bills.
    #[serde(with = "crate::money::exact")]
    pub amount: Decimal,
    /// FOCUS `EffectiveCost` (amortised, after commitment discounts), when given.
    #[serde(default, with = "crate::money::exact_option")]
    pub effective_cost: Option<Decimal>,
    /// The vendor's list price, normalised like `unit_price`, when given.
    #[serde(default, with = "crate::money::exact_option")]
    pub list_unit_price: Option<Decimal>,
    /// The price the vendor states as contracted, normalised like `unit_price`, when given.
    #[serde(default, with = "crate::money::exact_option")]
    pub stated_contracted_unit_price: Option<Decimal>,
    /// The currency the line bills in (FOCUS `BillingCurrency`, a plain file's `currency`);
    /// empty when the file does not say.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub currency: String,
    /// Why a usage line cannot be checked against a contracted rate (no model through the
    /// invoice mapping, or not an inference meter); `None` when it can be, and for credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchecked: Option<String>,
}

/// Sum of the lines' amounts; `None` on overflow.
#[must_use]
pub fn invoice_total(lines: &[InvoiceLine]) -> Option<Decimal> {
    lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.amount))
}

/// Which rows of a FOCUS export to import: a whole-account export also bills compute, storage
/// and network, which have no place in an inference reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusSelection {
    /// `ServiceName`s to keep, matched ignoring case; empty keeps every row.
    #[serde(default)]
    pub services: Vec<String>,
}

impl FocusSelection {
    fn selects(&self, service: &str) -> bool {
        self.services.is_empty()
            || self
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(service))
    }
}

/// The columns a plain invoice CSV must have. Optional: `line_id`, `provider`, `service`,
/// `account`, `sku`.
pub const PLAIN_COLUMNS: [&str; 9] = [
    "invoice_id",
    "period_start",
    "period_end",
    "model",
    "meter",
    "quantity",
    "unit",
    "unit_price",
    "amount",
];

/// Meter names of unmetered lines in a plain invoice.
const UNMETERED: [&str; 4] = ["credit", "adjustment", "tax", "fee"];

fn previous_day(date: Date) -> Option<Date> {
    if date.day() > 1 {
        return Date::new(date.year(), date.month(), date.day() - 1);
    }
    let (year, month) = if date.month() == 1 {
        (date.year().checked_sub(1)?, 12)
    } else {
        (date.year(), date.month() - 1)
    };
    (28..=31).rev().find_map(|day| Date::new(year, month, day))
}

fn too_large(r: &dyn Record, column: &str) -> ImportError {
    r.error(column, "is too large to compute exactly".to_owned())
}

/// `value` (per `scale` base units) as a price per price unit.
fn per_price_unit(
    r: &dyn Record,
    column: &str,
    value: Decimal,
    meter: Meter,
    scale: Decimal,
) -> Result<Decimal, ImportError> {
    value
        .checked_mul(meter.price_unit())
        .and_then(|v| v.checked_div(scale))
        .map(|v| v.normalize())
        .ok_or_else(|| too_large(r, column))
}

fn scale_of(r: &dyn Record, column: &str, meter: Meter) -> Result<Decimal, ImportError> {
    let unit = r.text(column)?;
    meter.units_in(unit).map_err(|rule| r.error(column, rule))
}

fn line_id(r: &dyn Record, invoice_id: &str) -> String {
    let at = r.location();
    if invoice_id.is_empty() {
        format!("{}:{}", at.file, at.row)
    } else {
        format!("{invoice_id}:{}", at.row)
    }
}

/// The FOCUS columns every version (1.0 to 1.3) has and an export must have; others are read
/// when present (`SkuMeter` from 1.1, `InvoiceId` and `PricingCurrency` from 1.2,
/// `ServiceProviderName` from 1.3) and the rest ignored.
pub const FOCUS_COLUMNS: [&str; 10] = [
    "BilledCost",
    "EffectiveCost",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceName",
    "SkuId",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ListUnitPrice",
    "ContractedUnitPrice",
];

/// Columns that mark a CSV as a FOCUS export: two of them and the file is read as FOCUS (so a
/// FOCUS file missing `BilledCost` is refused for that, not as a plain invoice).
const FOCUS_MARKERS: [&str; 8] = [
    "BilledCost",
    "EffectiveCost",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ConsumedQuantity",
    "BillingCurrency",
    "ServiceName",
];

/// Whether a header line is a FOCUS export's.
#[must_use]
pub fn is_focus_header(header: &str) -> bool {
    let keys: BTreeSet<String> = header.split(',').map(column_key).collect();
    FOCUS_MARKERS
        .iter()
        .filter(|m| keys.contains(&column_key(m)))
        .count()
        >= 2
}

/// The FOCUS version a header's column set belongs to (the newest whose additions it has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum FocusVersion {
    /// 1.0: no `SkuMeter`, no `InvoiceId`.
    V1_0,
    /// 1.1: `SkuMeter`, `SkuPriceDetails`, `ServiceSubcategory`, `CapacityReservationId`.
    V1_1,
    /// 1.2: `InvoiceId`, `PricingCurrency` and the pricing-currency prices.
    V1_2,
    /// 1.3: `ServiceProviderName`, `HostProviderName`, contract commitments.
    V1_3,
}

impl FocusVersion {
    fn of(r: &dyn Record) -> Self {
        let has = |c: &str| r.raw(c).is_some();
        if has("ServiceProviderName") || has("HostProviderName") || has("ContractApplied") {
            Self::V1_3
        } else if has("InvoiceId") || has("PricingCurrency") {
            Self::V1_2
        } else if has("SkuMeter")
            || has("SkuPriceDetails")
            || has("ServiceSubcategory")
            || has("CapacityReservationId")
        {
            Self::V1_1
        } else {
            Self::V1_0
        }
    }

    /// `1.0` … `1.3`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
            Self::V1_2 => "1.2",
            Self::V1_3 => "1.3",
        }
    }
}

/// A FOCUS record: the literal `NULL` (which exports write for an empty value) reads as empty.
struct FocusRecord<'a>(&'a dyn Record);

impl Record for FocusRecord<'_> {
    fn location(&self) -> super::csv::Location<'_> {
        self.0.location()
    }

    fn raw(&self, column: &str) -> Option<&str> {
        self.0.raw(column).map(|v| {
            if v.eq_ignore_ascii_case("null") {
                ""
            } else {
                v
            }
        })
    }
}

/// The inference meter a FOCUS text names (`GPT-5.4 cached input tokens`, `output-tokens`,
/// `Claude Sonnet Batch Input`), `None` when it names none or several.
fn meter_in_text(text: &str) -> Option<Meter> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |w: &[&str]| words.iter().any(|x| w.contains(&x.as_str()));
    let input = has(&["input", "prompt"]);
    let output = has(&["output", "completion"]);
    if input == output {
        return if has(&["gpu"]) && has(&["hour", "hours", "hr", "hrs"]) {
            Some(Meter::GpuHours)
        } else {
            None
        };
    }
    let cached = has(&["cached", "cache"]);
    let batch = has(&["batch"]);
    Some(match (input, cached, batch) {
        (true, true, _) => Meter::CachedInputTokens,
        (true, false, true) => Meter::BatchInputTokens,
        (true, false, false) => Meter::InputTokens,
        (false, _, true) => Meter::BatchOutputTokens,
        (false, _, false) => Meter::OutputTokens,
    })
}

/// The meter of a usage row: `SkuMeter` (1.1 on) when it names one; else the meter named by
/// `ChargeDescription`, `SkuId` or `SkuPriceId` in a row whose `ConsumedUnit` counts tokens or
/// hours. `Err` carries why the row cannot be checked.
fn focus_meter(r: &dyn Record) -> Result<Result<Meter, String>, ImportError> {
    if let Some(text) = r.optional_text("SkuMeter") {
        if let Some(meter) = Meter::parse(text) {
            return Ok(Ok(meter));
        }
        if let Some(meter) = meter_in_text(text)
            && meter
                .units_in(r.optional_text("ConsumedUnit").unwrap_or_default())
                .is_ok()
        {
            return Ok(Ok(meter));
        }
    }
    let unit = r.optional_text("ConsumedUnit").unwrap_or_default();
    for column in ["ChargeDescription", "SkuId", "SkuPriceId"] {
        if let Some(meter) = r.optional_text(column).and_then(meter_in_text)
            && meter.units_in(unit).is_ok()
        {
            return Ok(Ok(meter));
        }
    }
    let meter = r
        .optional_text("SkuMeter")
        .map_or_else(|| "no SkuMeter".to_owned(), |m| format!("SkuMeter {m:?}"));
    Ok(Err(format!(
        "not an inference meter ({meter}, ConsumedUnit {unit:?}; ChargeDescription and SkuId name no input, cached input, output tokens or GPU-hours)"
    )))
}

/// The model a line bills, by `mapping`; `Err` says why it cannot be told.
fn mapped_model(r: &dyn Record, mapping: &ModelMapping) -> Result<String, String> {
    let column = mapping.column.as_str();
    let Some(value) = r.optional_text(column) else {
        return Err(format!("{column} is empty, so the model is not known"));
    };
    match &mapping.pattern {
        None => Ok(value.to_owned()),
        Some(re) => {
            let caps = re.captures(value).ok_or_else(|| {
                format!(
                    "{column} {value:?} does not match the model pattern {:?}",
                    re.as_str()
                )
            })?;
            let found = caps
                .name("model")
                .or_else(|| caps.get(1))
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().trim().to_owned())
                .unwrap_or_default();
            if found.is_empty() {
                Err(format!(
                    "{column} {value:?} gives an empty model through the pattern {:?}",
                    re.as_str()
                ))
            } else {
                Ok(found)
            }
        }
    }
}

/// An invoice mapping made ready to read with: its column and compiled pattern.
#[derive(Debug, Clone)]
pub struct ModelMapping {
    column: String,
    pattern: Option<regex::Regex>,
}

impl ModelMapping {
    /// Compiles `mapping`'s pattern; the error names the field and the rule.
    pub fn new(mapping: &InvoiceMapping) -> Result<Self, InputError> {
        let (column, pattern) = mapping.compile()?;
        Ok(Self { column, pattern })
    }

    /// What a FOCUS export names the model by without a saved mapping: `x_Model` when the
    /// export has it, else `SkuId`.
    fn focus_default(r: &dyn Record) -> Self {
        Self {
            column: if r.raw("x_Model").is_some() {
                "x_Model".to_owned()
            } else {
                "SkuId".to_owned()
            },
            pattern: None,
        }
    }

    fn plain_default() -> Self {
        Self {
            column: "model".to_owned(),
            pattern: None,
        }
    }
}

fn missing_model_column(r: &dyn Record, column: &str) -> ImportError {
    ImportError {
        file: r.location().file.to_owned(),
        row: Some(1),
        line: None,
        column: Some(column.to_owned()),
        rule: "is missing from the header: the invoice mapping reads the model from it (pick a column the file has with --model-column)".to_owned(),
    }
}

fn focus_line(r: &dyn Record, mapping: &ModelMapping) -> Result<InvoiceLine, ImportError> {
    let (start, _) = r.date_time("ChargePeriodStart")?;
    let (end, at_midnight) = r.date_time("ChargePeriodEnd")?;
    // FOCUS ends are exclusive: a period ending at midnight ends the day before.
    let last_day = if at_midnight {
        previous_day(end)
    } else {
        Some(end)
    };
    let last_day = last_day.filter(|d| *d >= start).ok_or_else(|| {
        r.error(
            "ChargePeriodEnd",
            format!("must be after ChargePeriodStart ({start}), got {end}"),
        )
    })?;
    let amount = r.decimal("BilledCost")?;
    // Corrections restate an earlier period's charges, often negatively: like credits, they
    // count in the invoice but carry no rate of this period to check.
    let usage_charge = r
        .optional_text("ChargeCategory")
        .is_none_or(|c| c.eq_ignore_ascii_case("usage"))
        && !r
            .optional_text("ChargeClass")
            .is_some_and(|c| c.eq_ignore_ascii_case("correction"));
    let mut unchecked = None;
    let model = match mapped_model(r, mapping) {
        Ok(m) => m,
        Err(why) => {
            if usage_charge {
                unchecked = Some(why);
            }
            String::new()
        }
    };
    let meter = if usage_charge {
        match focus_meter(r)? {
            Ok(m) => Some(m),
            Err(why) => {
                unchecked = Some(why);
                None
            }
        }
    } else {
        None
    };
    let (usage, list_unit_price, stated_contracted_unit_price) = if let Some(meter) = meter {
        let scale = scale_of(r, "ConsumedUnit", meter)?;
        let consumed = r.non_negative_decimal("ConsumedQuantity")?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(r.error(
                "BilledCost",
                format!(
                    "must be ≥ 0 on a usage charge, got {amount} (a refund is a ChargeCategory Credit row)"
                ),
            ));
        }
        let quantity = consumed
            .checked_mul(scale)
            .ok_or_else(|| too_large(r, "ConsumedQuantity"))?;
        let unit_price = if quantity.is_zero() {
            if !amount.is_zero() {
                return Err(r.error(
                    "ConsumedQuantity",
                    format!("is 0 while BilledCost is {amount}: no unit price can be derived"),
                ));
            }
            Decimal::ZERO
        } else {
            amount
                .checked_mul(meter.price_unit())
                .and_then(|v| v.checked_div(quantity))
                .ok_or_else(|| too_large(r, "BilledCost"))?
        };
        let pricing_scale = match r.optional_text("PricingUnit") {
            Some(_) => scale_of(r, "PricingUnit", meter)?,
            None => scale,
        };
        let stated = |column: &str| -> Result<Option<Decimal>, ImportError> {
            r.optional_decimal(column)?
                .map(|v| per_price_unit(r, column, v, meter, pricing_scale))
                .transpose()
        };
        (
            Some(Usage {
                meter,
                quantity,
                unit_price: unit_price.normalize(),
                priced_amount: amount,
            }),
            stated("ListUnitPrice")?,
            stated("ContractedUnitPrice")?,
        )
    } else {
        (None, None, None)
    };
    let invoice_id = r.optional_text("InvoiceId").unwrap_or_default().to_owned();
    let text = |column: &str| r.optional_text(column).unwrap_or_default().to_owned();
    Ok(InvoiceLine {
        id: line_id(r, &invoice_id),
        invoice_id,
        source: r.location().describe(),
        period: Period {
            start,
            end: last_day,
        },
        provider: r
            .optional_text("ServiceProviderName")
            .or_else(|| r.optional_text("ProviderName"))
            .unwrap_or_default()
            .to_owned(),
        account: text("SubAccountId"),
        service: text("ServiceName"),
        model,
        sku: text("SkuId"),
        usage,
        amount,
        effective_cost: r.optional_decimal("EffectiveCost")?,
        list_unit_price,
        stated_contracted_unit_price,
        currency: text("BillingCurrency"),
        unchecked,
    })
}

/// Reads a FOCUS cost-and-usage CSV (1.0 to 1.3) with the default model column (`x_Model`
/// when present, else `SkuId`): the rows of the selected services, in file order.
pub fn read_focus<R: Read>(
    file: &str,
    source: R,
    selection: &FocusSelection,
) -> Result<Vec<InvoiceLine>, ImportError> {
    read_focus_mapped(file, source, selection, None).map(|(lines, _)| lines)
}

/// Reads a FOCUS cost-and-usage CSV, the model of each line read by `mapping` (the default
/// model column when `None`); also returns the FOCUS version of its column set.
pub fn read_focus_mapped<R: Read>(
    file: &str,
    source: R,
    selection: &FocusSelection,
    mapping: Option<&ModelMapping>,
) -> Result<(Vec<InvoiceLine>, FocusVersion), ImportError> {
    let mut lines = Vec::new();
    let mut version = FocusVersion::V1_0;
    let mut first = true;
    read_csv(file, source, &FOCUS_COLUMNS, |r| {
        let r = FocusRecord(r);
        let default;
        let mapping = match mapping {
            Some(m) => m,
            None => {
                default = ModelMapping::focus_default(&r);
                &default
            }
        };
        if first {
            first = false;
            version = FocusVersion::of(&r);
            if r.raw(&mapping.column).is_none() {
                return Err(missing_model_column(&r, &mapping.column));
            }
        }
        if selection.selects(r.optional_text("ServiceName").unwrap_or_default()) {
            lines.push(focus_line(&r, mapping)?);
        }
        Ok(())
    })?;
    Ok((lines, version))
}

fn plain_line(r: &dyn Record, mapping: &ModelMapping) -> Result<InvoiceLine, ImportError> {
    let start = r.date("period_start")?;
    let end = r.date("period_end")?;
    if end < start {
        return Err(r.error(
            "period_end",
            format!("must be on or after period_start ({start}), got {end}"),
        ));
    }
    let meter_text = r.text("meter")?;
    let amount = r.decimal("amount")?;
    let usage = if UNMETERED
        .iter()
        .any(|m| column_key(meter_text) == column_key(m))
    {
        None
    } else {
        let meter: Meter = meter_text.parse().map_err(|_| {
            r.error(
                "meter",
                format!(
                    "{} (or credit, adjustment, tax, fee for an unmetered line)",
                    Meter::unknown(meter_text)
                ),
            )
        })?;
        let scale = scale_of(r, "unit", meter)?;
        let quantity = r.non_negative_decimal("quantity")?;
        let price = r.non_negative_decimal("unit_price")?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(r.error(
                "amount",
                format!("must be ≥ 0 on a metered line, got {amount}"),
            ));
        }
        Some(Usage {
            meter,
            quantity: quantity
                .checked_mul(scale)
                .ok_or_else(|| too_large(r, "quantity"))?,
            unit_price: per_price_unit(r, "unit_price", price, meter, scale)?,
            priced_amount: quantity
                .checked_mul(price)
                .ok_or_else(|| too_large(r, "unit_price"))?,
        })
    };
    // The plain format's own `model` column must be filled; a mapped column may leave a line
    // unchecked instead.
    let (model, unchecked) = if mapping.column == "model" && mapping.pattern.is_none() {
        (r.text("model")?.to_owned(), None)
    } else {
        match mapped_model(r, mapping) {
            Ok(m) => (m, None),
            Err(why) => (String::new(), usage.is_some().then_some(why)),
        }
    };
    let invoice_id = r.text("invoice_id")?.to_owned();
    let text = |column: &str| r.optional_text(column).unwrap_or_default().to_owned();
    Ok(InvoiceLine {
        id: r
            .optional_text("line_id")
            .map_or_else(|| line_id(r, &invoice_id), str::to_owned),
        invoice_id,
        source: r.location().describe(),
        period: Period { start, end },
        provider: text("provider"),
        account: text("account"),
        service: text("service"),
        model,
        sku: text("sku"),
        usage,
        amount,
        effective_cost: None,
        list_unit_price: None,
        stated_contracted_unit_price: None,
        currency: text("currency"),
        unchecked,
    })
}

/// Reads a plain invoice-line CSV ([`PLAIN_COLUMNS`]); meters `credit`, `adjustment`, `tax` and
/// `fee` mark unmetered lines, whose quantity, unit and price may be left empty.
pub fn read_plain<R: Read>(file: &str, source: R) -> Result<Vec<InvoiceLine>, ImportError> {
    read_plain_mapped(file, source, None)
}

/// Reads a plain invoice-line CSV, the model of each line read by `mapping` (the `model`
/// column when `None`).
pub fn read_plain_mapped<R: Read>(
    file: &str,
    source: R,
    mapping: Option<&ModelMapping>,
) -> Result<Vec<InvoiceLine>, ImportError> {
    let default = ModelMapping::plain_default();
    let mapping = mapping.unwrap_or(&default);
    let mut lines = Vec::new();
    let mut ids = BTreeSet::new();
    let mut first = true;
    read_csv(file, source, &PLAIN_COLUMNS, |r| {
        if first {
            first = false;
            if r.raw(&mapping.column).is_none() {
                return Err(missing_model_column(r, &mapping.column));
            }
        }
        let line = plain_line(r, mapping)?;
        if !ids.insert(line.id.clone()) {
            return Err(r.error("line_id", format!("repeats the id {:?}", line.id)));
        }
        lines.push(line);
        Ok(())
    })?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const FOCUS_HEAD: &str = "BilledCost,EffectiveCost,ChargeCategory,ChargeClass,ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,SkuMeter,ConsumedQuantity,ConsumedUnit,PricingUnit,ListUnitPrice,ContractedUnitPrice,InvoiceId,ProviderName,Tags\n";

    fn focus(rows: &str) -> Result<Vec<InvoiceLine>, ImportError> {
        read_focus(
            "f.csv",
            format!("{FOCUS_HEAD}{rows}").as_bytes(),
            &FocusSelection::default(),
        )
    }

    #[test]
    fn focus_prices_are_derived_from_billed_cost_per_million_tokens() {
        // 2,400,000 tokens billing $36.00: 36 × 1e6 / 2.4e6 = $15 per million.
        let lines = focus(
            "36.00,30.00,Usage,,2026-05-01T00:00:00Z,2026-06-01T00:00:00Z,LLM API,sku-out,Output Tokens,2400000,Tokens,1M Tokens,18,15,INV-9,Acme,\"{\"\"team\"\": \"\"rx\"\"}\"\n",
        )
        .unwrap();
        let l = &lines[0];
        let u = l.usage.as_ref().unwrap();
        assert_eq!(u.meter, Meter::OutputTokens);
        assert_eq!(u.quantity, d("2400000"));
        assert_eq!(u.unit_price, d("15"));
        assert_eq!(u.priced_amount, d("36.00"));
        // The exclusive end at midnight on June 1 closes the period on May 31.
        assert_eq!(l.period.end.to_string(), "2026-05-31");
        assert_eq!(l.id, "INV-9:2");
        assert_eq!(l.source, "f.csv row 2");
        assert_eq!(l.model, "sku-out");
        assert_eq!(l.provider, "Acme");
        assert_eq!(l.effective_cost, Some(d("30.00")));
        assert_eq!(l.list_unit_price, Some(d("18")));
        assert_eq!(l.stated_contracted_unit_price, Some(d("15")));
    }

    #[test]
    fn focus_quantities_in_millions_scale_up_and_prices_stay_per_million() {
        // 2.5 (1M tokens) billing $10: 2,500,000 tokens at $4/M; prices per PricingUnit of
        // 1K tokens: 0.005 × 1e6 / 1e3 = $5/M.
        let lines = focus(
            "10,,Usage,,2026-05-01,2026-05-02,LLM API,sku-in,input_tokens,2.5,1M tokens,1K tokens,0.005,0.004,,Acme,\n",
        )
        .unwrap();
        let l = &lines[0];
        let u = l.usage.as_ref().unwrap();
        assert_eq!((u.quantity, u.unit_price), (d("2500000"), d("4")));
        assert_eq!(l.list_unit_price, Some(d("5")));
        assert_eq!(l.stated_contracted_unit_price, Some(d("4")));
        // One day; no invoice id yet, so the id names the file row.
        assert_eq!(l.period.start, l.period.end);
        assert_eq!(l.id, "f.csv:2");
    }

    #[test]
    fn focus_credits_and_corrections_are_unmetered_and_other_services_can_be_left_out() {
        let rows = "-50,-50,Credit,,2026-05-01T00:00:00Z,2026-06-01T00:00:00Z,LLM API,,,,,,,,INV-9,Acme,\n\
                    -90,-90,Usage,Correction,2026-05-01,2026-06-01,LLM API,k,Output Tokens,-2000000,Tokens,,,,INV-9,Acme,\n\
                    12,12,Usage,,2026-05-01T00:00:00Z,2026-06-01T00:00:00Z,Block Storage,st,GB-Month,10,GB,,,,INV-9,Acme,\n";
        // Storage's meter is not an inference meter: the line is kept, counted in the total and
        // named as unchecked, never refused and never "on the rate"…
        let all = focus(rows).unwrap();
        assert_eq!(all.len(), 3);
        assert!(all[2].usage.is_none());
        assert!(
            all[2]
                .unchecked
                .as_deref()
                .is_some_and(|w| w.contains("not an inference meter")),
            "{:?}",
            all[2].unchecked
        );
        // …and a selection keeps only the inference service.
        let picked = read_focus(
            "f.csv",
            format!("{FOCUS_HEAD}{rows}").as_bytes(),
            &FocusSelection {
                services: vec!["llm api".into()],
            },
        )
        .unwrap();
        // The credit and the correction (negative quantity and all) are unmetered lines.
        assert_eq!(picked.len(), 2);
        assert!(picked.iter().all(|l| l.usage.is_none()));
        assert_eq!(invoice_total(&picked), Some(d("-140")));
    }

    #[test]
    fn focus_refusals_name_row_and_column() {
        let ok = "1,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,100,tokens,,,,I,A,\n";
        let cases = [
            (
                "1,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,-100,tokens,,,,I,A,\n",
                "ConsumedQuantity",
                "must be ≥ 0, got -100",
            ),
            (
                "1x,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,100,tokens,,,,I,A,\n",
                "BilledCost",
                "must be a decimal number, got \"1x\"",
            ),
            (
                "1,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,100,hours,,,,I,A,\n",
                "ConsumedUnit",
                "must be a token unit (tokens, 1K tokens or 1M tokens) for output_tokens, got \"hours\"",
            ),
            (
                "1,1,Usage,,2026-05-02,2026-05-02,S,k,output_tokens,100,tokens,,,,I,A,\n",
                "ChargePeriodEnd",
                "must be after ChargePeriodStart (2026-05-02), got 2026-05-02",
            ),
            (
                "1,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,0,tokens,,,,I,A,\n",
                "ConsumedQuantity",
                "is 0 while BilledCost is 1: no unit price can be derived",
            ),
            (
                "-1,1,Usage,,2026-05-01,2026-05-02,S,k,output_tokens,10,tokens,,,,I,A,\n",
                "BilledCost",
                "must be ≥ 0 on a usage charge, got -1 (a refund is a ChargeCategory Credit row)",
            ),
        ];
        for (row, column, rule) in cases {
            let err = focus(&format!("{ok}{row}")).unwrap_err();
            assert_eq!(err.row, Some(3), "{err}");
            assert_eq!(err.column.as_deref(), Some(column), "{err}");
            assert_eq!(err.rule, rule);
        }
    }

    // FOCUS 1.0 has neither SkuMeter nor InvoiceId, writes NULL for empty values and
    // space-separated datetimes.
    const FOCUS_10_HEAD: &str = "\"BilledCost\",\"BillingCurrency\",\"ChargeCategory\",\"ChargeClass\",\"ChargeDescription\",\"ChargePeriodEnd\",\"ChargePeriodStart\",\"ConsumedQuantity\",\"ConsumedUnit\",\"ContractedUnitPrice\",\"EffectiveCost\",\"ListUnitPrice\",\"PricingUnit\",\"ProviderName\",\"ServiceName\",\"SkuId\",\"SkuPriceId\",\"SubAccountId\"\n";

    fn focus_10(rows: &str, mapping: Option<&InvoiceMapping>) -> (Vec<InvoiceLine>, FocusVersion) {
        let compiled = mapping.map(|m| ModelMapping::new(m).unwrap());
        read_focus_mapped(
            "f10.csv",
            format!("{FOCUS_10_HEAD}{rows}").as_bytes(),
            &FocusSelection::default(),
            compiled.as_ref(),
        )
        .unwrap()
    }

    fn mapping(column: &str, pattern: &str) -> InvoiceMapping {
        InvoiceMapping {
            name: "default".into(),
            model_column: column.into(),
            model_pattern: pattern.into(),
        }
    }

    #[test]
    fn focus_1_0_reads_the_meter_from_the_description_and_null_as_empty() {
        let rows = "3.00,\"USD\",\"Usage\",NULL,\"Claude Sonnet output tokens\",\"2024-09-02 00:00:00\",\"2024-09-01 00:00:00\",200000,\"Tokens\",NULL,3.00,\"0.000015\",\"Tokens\",\"AWS\",\"Amazon Bedrock\",\"SKU1\",NULL,\"acct\"\n\
                    0.40,\"USD\",\"Usage\",NULL,\"$0.40 per million requests\",\"2024-09-18 23:00:00\",\"2024-09-18 22:00:00\",2,\"Requests\",NULL,0.40,NULL,NULL,\"AWS\",\"Amazon SQS\",\"SKU2\",NULL,\"acct\"\n\
                    -2.6,\"USD\",\"Credit\",NULL,\"credit\",\"2024-09-24 04:00:00\",\"2024-09-24 03:00:00\",NULL,NULL,NULL,-2.6,NULL,NULL,\"AWS\",\"Amazon EC2\",NULL,NULL,\"acct\"\n";
        let (lines, version) = focus_10(rows, Some(&mapping("ChargeDescription", r"^(\S+ \S+)")));
        assert_eq!(version, FocusVersion::V1_0);
        let u = lines[0].usage.as_ref().unwrap();
        // 3.00 × 1e6 / 200,000 = $15 per million output tokens.
        assert_eq!((u.meter, u.unit_price), (Meter::OutputTokens, d("15")));
        assert_eq!(lines[0].model, "Claude Sonnet");
        assert_eq!(lines[0].currency, "USD");
        assert_eq!(lines[0].unchecked, None);
        // A whole day ending at midnight; an hour within one day.
        assert_eq!(lines[0].period.end.to_string(), "2024-09-01");
        assert_eq!(lines[1].period.start, lines[1].period.end);
        // The SQS line is not an inference line: kept, named unchecked.
        assert!(lines[1].usage.is_none());
        assert!(
            lines[1]
                .unchecked
                .as_deref()
                .unwrap()
                .contains("ConsumedUnit \"Requests\"")
        );
        // The credit is unmetered and not "unchecked"; NULL ConsumedQuantity is no error.
        assert!(lines[2].usage.is_none() && lines[2].unchecked.is_none());
        assert_eq!(invoice_total(&lines), Some(d("0.80")));
    }

    #[test]
    fn the_model_comes_from_the_mapped_column_and_pattern() {
        let row = "1,\"USD\",\"Usage\",NULL,\"GPT-5.4 input tokens\",\"2026-10-02 00:00:00\",\"2026-10-01 00:00:00\",400000,\"Tokens\",NULL,1,NULL,NULL,\"OpenAI\",\"OpenAI API\",\"gpt-5.4-2026-04-01\",NULL,\"p\"\n";
        // Without a mapping the SkuId names the model.
        let (lines, _) = focus_10(row, None);
        assert_eq!(lines[0].model, "gpt-5.4-2026-04-01");
        // A named group wins over the first group.
        let (lines, _) = focus_10(row, Some(&mapping("SkuId", r"^(gpt)-(?P<model>[0-9.]+)")));
        assert_eq!(lines[0].model, "5.4");
        // A value the pattern does not match leaves the line unchecked, naming column and value.
        let (lines, _) = focus_10(row, Some(&mapping("SkuId", r"^claude")));
        assert_eq!(lines[0].model, "");
        assert_eq!(
            lines[0].unchecked.as_deref(),
            Some("SkuId \"gpt-5.4-2026-04-01\" does not match the model pattern \"^claude\"")
        );
        // A mapped column the file lacks is refused at the header, naming the option.
        let compiled = ModelMapping::new(&mapping("x_Model", "")).unwrap();
        let err = read_focus_mapped(
            "f10.csv",
            format!("{FOCUS_10_HEAD}{row}").as_bytes(),
            &FocusSelection::default(),
            Some(&compiled),
        )
        .unwrap_err();
        assert_eq!((err.row, err.column.as_deref()), (Some(1), Some("x_Model")));
        assert!(err.rule.contains("--model-column"), "{err}");
        // A pattern that is no regular expression is refused naming the field.
        let e = ModelMapping::new(&mapping("SkuId", "(")).unwrap_err();
        assert_eq!(e.field, "model_pattern");
    }

    #[test]
    fn focus_versions_are_told_by_their_added_columns() {
        let version = |extra: &str| {
            let head = format!(
                "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,ConsumedQuantity,ConsumedUnit,ListUnitPrice,ContractedUnitPrice{extra}\n"
            );
            let commas = ",".repeat(extra.matches(',').count());
            let row = format!("1,1,2026-05-01,2026-05-02,S,k,1,tokens,,{commas}\n");
            read_focus_mapped(
                "v.csv",
                format!("{head}{row}").as_bytes(),
                &FocusSelection::default(),
                None,
            )
            .unwrap()
            .1
        };
        assert_eq!(version(""), FocusVersion::V1_0);
        assert_eq!(version(",SkuMeter"), FocusVersion::V1_1);
        assert_eq!(version(",SkuMeter,InvoiceId"), FocusVersion::V1_2);
        assert_eq!(
            version(",SkuMeter,InvoiceId,ServiceProviderName"),
            FocusVersion::V1_3
        );
        assert!(is_focus_header(
            "ChargePeriodStart,ChargePeriodEnd,ServiceName"
        ));
        assert!(!is_focus_header(
            "invoice_id,period_start,period_end,amount"
        ));
    }

    const PLAIN_HEAD: &str =
        "invoice_id,period_start,period_end,model,meter,quantity,unit,unit_price,amount,line_id\n";

    fn plain(rows: &str) -> Result<Vec<InvoiceLine>, ImportError> {
        read_plain("p.csv", format!("{PLAIN_HEAD}{rows}").as_bytes())
    }

    #[test]
    fn plain_units_normalise_to_tokens_and_per_million_prices() {
        let lines = plain(
            "I1,2026-05-01,2026-05-31,m,input_tokens,157000000,tokens,0.000012,1884.00,\n\
             I1,2026-05-01,2026-05-31,m,cached input tokens,5357000,1K tokens,0.001,5357.00,c\n\
             I1,2026-05-01,2026-05-31,m,OUTPUT_TOKENS,180,1M tokens,45,8100.00,\n\
             I1,2026-05-01,2026-05-31,m,gpu_hours,720,GPU-hours,2.5,1800,\n\
             I1,2026-05-01,2026-05-31,m,credit,,,,-100,\n",
        )
        .unwrap();
        let usage: Vec<(Meter, Decimal, Decimal, Decimal)> = lines
            .iter()
            .filter_map(|l| l.usage.as_ref())
            .map(|u| (u.meter, u.quantity, u.unit_price, u.priced_amount))
            .collect();
        assert_eq!(
            usage,
            vec![
                // 0.000012 $/token × 1e6 = $12/M; 157e6 × 0.000012 = 1,884.
                (
                    Meter::InputTokens,
                    d("157000000"),
                    d("12"),
                    d("1884.000000")
                ),
                // 5,357,000 K = 5.357e9 tokens; 0.001 $/K × 1e6 / 1e3 = $1/M.
                (
                    Meter::CachedInputTokens,
                    d("5357000000"),
                    d("1"),
                    d("5357.000")
                ),
                (Meter::OutputTokens, d("180000000"), d("45"), d("8100")),
                (Meter::GpuHours, d("720"), d("2.5"), d("1800.0")),
            ]
        );
        assert_eq!(lines[1].id, "c");
        assert_eq!(lines[0].id, "I1:2");
        assert!(lines[4].usage.is_none());
        // 1,884 + 5,357 + 8,100 + 1,800 − 100.
        assert_eq!(invoice_total(&lines), Some(d("17041")));
    }

    #[test]
    fn plain_refusals_name_row_and_column() {
        let ok = "I,2026-05-01,2026-05-31,m,output_tokens,1,1M tokens,1,1,\n";
        let cases = [
            (
                "I,2026-05-01,2026-05-31,m,image_tokens,1,tokens,1,1,\n",
                "meter",
                "must be one of input_tokens, cached_input_tokens, output_tokens, batch_input_tokens, batch_output_tokens, gpu_hours, got \"image_tokens\" (or credit, adjustment, tax, fee for an unmetered line)",
            ),
            (
                "I,2026-05-01,2026-05-31,m,output_tokens,-5,tokens,1,1,\n",
                "quantity",
                "must be ≥ 0, got -5",
            ),
            (
                "I,2026-05-01,2026-04-30,m,output_tokens,5,tokens,1,1,\n",
                "period_end",
                "must be on or after period_start (2026-05-01), got 2026-04-30",
            ),
            (
                "I,2026-05-01,2026-05-31,m,output_tokens,5,tokens,1,-1,\n",
                "amount",
                "must be ≥ 0 on a metered line, got -1",
            ),
            (
                "I,2026-05-01,2026-05-31,,output_tokens,5,tokens,1,1,\n",
                "model",
                "must not be empty",
            ),
            (
                "I,2026-05-01,2026-05-31,m,output_tokens,1,1M tokens,1,1,I:2\n",
                "line_id",
                "repeats the id \"I:2\"",
            ),
        ];
        for (row, column, rule) in cases {
            let err = plain(&format!("{ok}{row}")).unwrap_err();
            assert_eq!(err.row, Some(3), "{err}");
            assert_eq!(err.column.as_deref(), Some(column), "{err}");
            assert_eq!(err.rule, rule);
        }
    }

    #[test]
    fn meters_and_units_parse_common_spellings() {
        assert_eq!(Meter::parse("Input Tokens"), Some(Meter::InputTokens));
        assert_eq!(Meter::parse("prompt_tokens"), Some(Meter::InputTokens));
        assert_eq!(
            Meter::parse("cache-read-input-tokens"),
            Some(Meter::CachedInputTokens)
        );
        assert_eq!(Meter::parse("GPU-Hours"), Some(Meter::GpuHours));
        assert_eq!(Meter::parse("images"), None);
        assert_eq!(Meter::OutputTokens.units_in("MTok"), Ok(d("1000000")));
        assert_eq!(Meter::OutputTokens.units_in("1k tokens"), Ok(d("1000")));
        assert!(Meter::GpuHours.units_in("tokens").is_err());
        assert!(Meter::InputTokens.units_in("GB").is_err());
    }

    #[test]
    fn previous_day_crosses_months_and_years() {
        let p = |y, m, d| previous_day(Date::new(y, m, d).unwrap()).map(|d| d.to_string());
        assert_eq!(p(2026, 6, 1).as_deref(), Some("2026-05-31"));
        assert_eq!(p(2024, 3, 1).as_deref(), Some("2024-02-29"));
        assert_eq!(p(2026, 1, 1).as_deref(), Some("2025-12-31"));
        assert_eq!(p(2026, 5, 17).as_deref(), Some("2026-05-16"));
    }
}
