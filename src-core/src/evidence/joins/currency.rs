//! Invoice lines billed in another currency than the workspace's: converted with the
//! workspace's exchange rate for their period, in Decimal, or refused. An amount is never read
//! as the workspace's money just because the file left the currency to the reader.

use rust_decimal::Decimal;

use super::csv::ImportError;
use super::invoice::InvoiceLine;
use crate::document::exchange_rates::{ExchangeRate, rate_for};

/// Lines of one currency converted at one rate, for the import report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conversion {
    /// The billed currency.
    pub currency: String,
    /// The workspace's currency.
    pub into: String,
    /// Units of `into` per unit of `currency`.
    #[serde(with = "crate::money::exact")]
    pub rate: Decimal,
    /// Lines converted at this rate.
    pub lines: usize,
    /// Their amounts as billed.
    #[serde(with = "crate::money::exact")]
    pub billed: Decimal,
    /// The same in the workspace's currency.
    #[serde(with = "crate::money::exact")]
    pub converted: Decimal,
}

impl Conversion {
    /// "6 lines billed in EUR converted at 1.08 USD per EUR: 2795.83 EUR → 3019.50 USD".
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} line(s) billed in {} converted at {} {} per {}: {} {} → {} {}",
            self.lines,
            self.currency,
            self.rate.normalize(),
            self.into,
            self.currency,
            self.billed.normalize(),
            self.currency,
            self.converted.round_dp(2),
            self.into
        )
    }
}

fn scale(v: Decimal, rate: Decimal, file: &str) -> Result<Decimal, ImportError> {
    v.checked_mul(rate)
        .ok_or_else(|| ImportError::file(file, "an amount is too large to convert"))
}

/// Puts every line in `home` (the workspace's currency): lines in `home` or with no currency
/// stay as read; others are converted with the rate of `rates` that holds their period, or
/// the import is refused at the first line without one.
pub fn into_home_currency(
    file: &str,
    lines: Vec<InvoiceLine>,
    home: &str,
    rates: &[ExchangeRate],
) -> Result<(Vec<InvoiceLine>, Vec<Conversion>), ImportError> {
    let mut conversions: Vec<Conversion> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for mut line in lines {
        if line.currency.is_empty() || line.currency.eq_ignore_ascii_case(home) {
            out.push(line);
            continue;
        }
        let Some(rate) = rate_for(rates, &line.currency, line.period) else {
            let (row, at_line, column) = line.origin.map_or((None, None, "currency"), |o| {
                (Some(o.row), Some(o.line), o.currency_column)
            });
            return Err(ImportError {
                file: file.to_owned(),
                row,
                line: at_line,
                column: Some(column.to_owned()),
                rule: format!(
                    "is {cur}, but the workspace counts in {home} (meta.currency) and has no \
                     exchange rate for {cur} covering {start} to {end}: add one to the \
                     workspace's exchange_rates (currency: {cur}, from: on or before {start}, \
                     to: on or after {end}, rate: {home} per {cur}) and import again",
                    cur = line.currency,
                    start = line.period.start,
                    end = line.period.end,
                ),
            });
        };
        let r = rate.rate;
        let billed = line.amount;
        line.amount = scale(line.amount, r, file)?;
        line.effective_cost = line.effective_cost.map(|v| scale(v, r, file)).transpose()?;
        line.list_unit_price = line
            .list_unit_price
            .map(|v| scale(v, r, file))
            .transpose()?;
        line.stated_contracted_unit_price = line
            .stated_contracted_unit_price
            .map(|v| scale(v, r, file))
            .transpose()?;
        if let Some(u) = &mut line.usage {
            u.unit_price = scale(u.unit_price, r, file)?.normalize();
            u.priced_amount = scale(u.priced_amount, r, file)?;
        }
        let currency = std::mem::replace(&mut line.currency, home.to_owned());
        match conversions
            .iter_mut()
            .find(|c| c.currency == currency && c.rate == r)
        {
            Some(c) => {
                c.lines += 1;
                c.billed += billed;
                c.converted += line.amount;
            }
            None => conversions.push(Conversion {
                currency,
                into: home.to_owned(),
                rate: r,
                lines: 1,
                billed,
                converted: line.amount,
            }),
        }
        out.push(line);
    }
    Ok((out, conversions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::joins::invoice::{FocusSelection, read_focus};

    const HEADER: &str = "BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,SkuMeter,ConsumedQuantity,ConsumedUnit,ListUnitPrice,ContractedUnitPrice,BilledCost,EffectiveCost,InvoiceId,x_Model,ProviderName\n";

    fn focus(currency: &str) -> Vec<InvoiceLine> {
        let text = format!(
            "{HEADER}{currency},2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,LLM,sku,Input Tokens,1000000,Tokens,,,100.00,100.00,INV,m,Acme\n"
        );
        read_focus("eur.csv", text.as_bytes(), &FocusSelection::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn eur_rate() -> ExchangeRate {
        ExchangeRate {
            currency: "EUR".into(),
            from: "2026-10-01".parse().unwrap_or_else(|e| panic!("{e}")),
            to: "2026-10-31".parse().unwrap_or_else(|e| panic!("{e}")),
            rate: "1.08".parse().unwrap_or_else(|e| panic!("{e}")),
            source: String::new(),
        }
    }

    #[test]
    fn a_line_in_another_currency_without_a_rate_is_refused_naming_row_and_column() {
        let err = into_home_currency("eur.csv", focus("EUR"), "USD", &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("eur.csv row 2"), "{err}");
        assert!(err.contains("BillingCurrency"), "{err}");
        assert!(err.contains("exchange_rates"), "{err}");
    }

    #[test]
    fn a_rate_converts_amounts_and_prices_exactly() {
        let (lines, conv) = into_home_currency("eur.csv", focus("EUR"), "USD", &[eur_rate()])
            .unwrap_or_else(|e| panic!("{e}"));
        // €100.00 × 1.08 = $108.00; €100/M tokens → $108/M.
        assert_eq!(
            lines[0].amount,
            "108.0000".parse::<Decimal>().unwrap_or_default()
        );
        assert_eq!(lines[0].currency, "USD");
        let u = lines[0].usage.as_ref().map(|u| u.unit_price);
        assert_eq!(u, Some(Decimal::from(108)));
        assert_eq!(conv.len(), 1);
        assert_eq!(conv[0].lines, 1);
        assert!(
            conv[0].describe().contains("100 EUR → 108.00 USD"),
            "{}",
            conv[0].describe()
        );
    }

    #[test]
    fn lines_in_the_workspace_currency_or_none_stay_as_read() {
        for c in ["USD", "usd", ""] {
            let before = focus(c);
            let (after, conv) = into_home_currency("x.csv", before.clone(), "USD", &[])
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(conv.is_empty());
            assert_eq!(after[0].amount, before[0].amount);
        }
    }
}
