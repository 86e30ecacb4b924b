//! Reading the query pack's result files: CSV with a header, as DuckDB, Spark, ClickHouse and
//! Trino export it.
//!
//! Columns are found by name, so an engine may order them as it likes and add others. Counts
//! are read as integers, the reported cost as Decimal and the extremes as the doubles the
//! engine printed (every engine prints a double so that it reads back as the same double), so
//! nothing is rounded on the way in. Fields may be quoted; a day may be written `YYYY-MM-DD` or
//! as a timestamp at midnight. Each row is checked as it is read, and a refusal names the file,
//! the line and the column.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{Bucket, CounterRow, ExtremesRow, HistogramRow, Metric};
use crate::document::Date;
use crate::error::{InputError, InputResult};
use crate::evidence::loadtest::csv::{self, CsvRecord, CsvTable};
use crate::evidence::traces::aggregate::{Counters, TokenSums};

/// The file name in front of an error's field, so a refusal names the file.
fn in_file(file: &str, e: InputError) -> InputError {
    let field = if e.field.is_empty() {
        file.to_owned()
    } else {
        format!("{file} {}", e.field)
    };
    InputError::new(field, e.rule)
}

/// Named columns of one result file.
struct Columns<'a> {
    file: &'a str,
    index: BTreeMap<&'static str, usize>,
}

impl<'a> Columns<'a> {
    fn new(file: &'a str, table: &CsvTable, names: &[&'static str]) -> InputResult<Self> {
        let mut index = BTreeMap::new();
        for &n in names {
            let i = table.column(&[n]).ok_or_else(|| {
                InputError::new(
                    file,
                    format!(
                        "has no {n} column (the header has {})",
                        table.header.join(", ")
                    ),
                )
            })?;
            index.insert(n, i);
        }
        Ok(Self { file, index })
    }

    fn error(&self, rec: &CsvRecord, name: &str, rule: String) -> InputError {
        InputError::new(format!("{} line {}: {name}", self.file, rec.line), rule)
    }

    fn text<'r>(&self, rec: &'r CsvRecord, name: &str) -> InputResult<&'r str> {
        self.index
            .get(name)
            .and_then(|&i| rec.fields.get(i))
            .map(|s| s.trim())
            .ok_or_else(|| self.error(rec, name, "is missing".to_owned()))
    }

    fn count(&self, rec: &CsvRecord, name: &str) -> InputResult<u64> {
        let t = self.text(rec, name)?;
        t.parse::<u64>()
            .map_err(|_| self.error(rec, name, format!("must be a whole count ≥ 0, got {t:?}")))
    }

    fn day(&self, rec: &CsvRecord) -> InputResult<Date> {
        let t = self.text(rec, "day")?;
        // An engine may write a date as a timestamp at midnight: the date part is the day.
        let (date, time) = t.split_once([' ', 'T']).unwrap_or((t, ""));
        let midnight = time
            .trim_end_matches(['Z', 'z'])
            .trim_end_matches("+00:00")
            .chars()
            .all(|c| matches!(c, '0' | ':' | '.'));
        if !midnight {
            return Err(self.error(rec, "day", format!("must be a date, got {t:?}")));
        }
        date.parse::<Date>()
            .map_err(|rule| self.error(rec, "day", rule))
    }

    fn metric(&self, rec: &CsvRecord) -> InputResult<Metric> {
        let t = self.text(rec, "metric")?;
        Metric::from_name(t).ok_or_else(|| {
            self.error(
                rec,
                "metric",
                format!(
                    "must be one of ttft_ms, tpot_ms, e2e_ms, input_tokens, output_tokens, got {t:?}"
                ),
            )
        })
    }

    fn value(&self, rec: &CsvRecord, name: &str) -> InputResult<f64> {
        let t = self.text(rec, name)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.error(rec, name, format!("must be a finite number ≥ 0, got {t:?}"))),
        }
    }
}

fn table(file: &str, text: &str) -> InputResult<CsvTable> {
    csv::parse(text).map_err(|e| in_file(file, e))
}

const COUNTER_COLUMNS: [&str; 23] = [
    "workload",
    "day",
    "provider",
    "model",
    "prompt_version",
    "attempts",
    "requests",
    "retries",
    "errors",
    "timeouts",
    "accepted",
    "gate_pass",
    "gate_fail",
    "gate_unknown",
    "escalations",
    "uncached_input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "reported_cost",
    "reported_cost_rows",
];

/// The rules every group of attempts obeys; a row that breaks one did not come from
/// `tier1_counters.sql`. Returns the first column at fault and why.
fn check_counters(c: &Counters) -> Result<(), (&'static str, String)> {
    if c.attempts == 0 {
        return Err((
            "attempts",
            "must be ≥ 1: a group holds at least one attempt".into(),
        ));
    }
    if c.requests.checked_add(c.retries) != Some(c.attempts) {
        return Err((
            "retries",
            format!(
                "plus requests must equal attempts: {} + {} ≠ {}",
                c.requests, c.retries, c.attempts
            ),
        ));
    }
    let verdicts = c
        .gate_pass
        .checked_add(c.gate_fail)
        .and_then(|v| v.checked_add(c.gate_unknown));
    if verdicts != Some(c.attempts) {
        return Err((
            "gate_unknown",
            format!(
                "plus gate_pass and gate_fail must equal attempts: {} + {} + {} ≠ {}",
                c.gate_pass, c.gate_fail, c.gate_unknown, c.attempts
            ),
        ));
    }
    let completed = c
        .errors
        .checked_add(c.timeouts)
        .and_then(|failed| c.attempts.checked_sub(failed));
    let Some(completed) = completed else {
        return Err((
            "timeouts",
            format!(
                "plus errors must be ≤ attempts: {} + {} > {}",
                c.errors, c.timeouts, c.attempts
            ),
        ));
    };
    if c.accepted > completed.min(c.gate_pass) {
        return Err((
            "accepted",
            format!(
                "must be ≤ completed attempts ({completed}) and gate passes ({}), got {}",
                c.gate_pass, c.accepted
            ),
        ));
    }
    for (name, n) in [
        ("escalations", c.escalations),
        ("reported_cost_rows", c.reported_cost_rows),
    ] {
        if n > c.attempts {
            return Err((
                name,
                format!("must be ≤ attempts ({}), got {n}", c.attempts),
            ));
        }
    }
    if c.reported_cost_rows == 0 && !c.reported_cost.is_zero() {
        return Err((
            "reported_cost",
            format!(
                "must be 0 when no row reports a cost, got {}",
                c.reported_cost
            ),
        ));
    }
    Ok(())
}

/// Parses a `tier1_counters.sql` result; `file` names it in errors.
pub fn parse_counters(file: &str, text: &str) -> InputResult<Vec<CounterRow>> {
    let table = table(file, text)?;
    let cols = Columns::new(file, &table, &COUNTER_COLUMNS)?;
    table
        .records
        .iter()
        .map(|rec| {
            let cost_text = cols.text(rec, "reported_cost")?;
            let reported_cost = Decimal::from_str(cost_text)
                .or_else(|_| Decimal::from_scientific(cost_text))
                .ok()
                .filter(|c| !c.is_sign_negative() || c.is_zero())
                .ok_or_else(|| {
                    cols.error(
                        rec,
                        "reported_cost",
                        format!("must be an amount ≥ 0, got {cost_text:?}"),
                    )
                })?;
            let n = |name: &str| cols.count(rec, name);
            let counters = Counters {
                attempts: n("attempts")?,
                requests: n("requests")?,
                retries: n("retries")?,
                errors: n("errors")?,
                timeouts: n("timeouts")?,
                accepted: n("accepted")?,
                gate_pass: n("gate_pass")?,
                gate_fail: n("gate_fail")?,
                gate_unknown: n("gate_unknown")?,
                escalations: n("escalations")?,
                tokens: TokenSums {
                    uncached_input: n("uncached_input_tokens")?,
                    cache_read: n("cache_read_tokens")?,
                    cache_write_5m: n("cache_write_5m_tokens")?,
                    cache_write_1h: n("cache_write_1h_tokens")?,
                    output: n("output_tokens")?,
                    reasoning: n("reasoning_tokens")?,
                },
                reported_cost,
                reported_cost_rows: n("reported_cost_rows")?,
                ..Counters::default()
            };
            check_counters(&counters).map_err(|(name, rule)| cols.error(rec, name, rule))?;
            let named = |name: &str| -> InputResult<String> {
                let t = cols.text(rec, name)?;
                if t.is_empty() {
                    Err(cols.error(rec, name, "must not be empty".to_owned()))
                } else {
                    Ok(t.to_owned())
                }
            };
            Ok(CounterRow {
                workload: named("workload")?,
                day: cols.day(rec)?,
                provider: named("provider")?,
                model: named("model")?,
                prompt_version: cols.text(rec, "prompt_version")?.to_owned(),
                counters,
            })
        })
        .collect()
}

/// Parses a `tier2_histograms.sql` result; `file` names it in errors.
pub fn parse_histograms(file: &str, text: &str) -> InputResult<Vec<HistogramRow>> {
    let table = table(file, text)?;
    let cols = Columns::new(
        file,
        &table,
        &["workload", "day", "metric", "bucket_kind", "bucket", "n"],
    )?;
    table
        .records
        .iter()
        .map(|rec| {
            let metric = cols.metric(rec)?;
            let index_text = cols.text(rec, "bucket")?;
            let index = index_text.parse::<i32>().map_err(|_| {
                cols.error(
                    rec,
                    "bucket",
                    format!("must be a whole number in the 32-bit range, got {index_text:?}"),
                )
            })?;
            let bucket = match cols.text(rec, "bucket_kind")? {
                "positive" => Bucket::Index(index),
                "zero" if index == 0 => Bucket::Zero,
                "zero" => {
                    return Err(cols.error(
                        rec,
                        "bucket",
                        format!("must be 0 in the zero bucket, got {index}"),
                    ));
                }
                other => {
                    return Err(cols.error(
                        rec,
                        "bucket_kind",
                        format!("must be positive or zero, got {other:?}"),
                    ));
                }
            };
            let n = cols.count(rec, "n")?;
            if n == 0 {
                return Err(cols.error(rec, "n", "must be ≥ 1: a bucket row counts values".into()));
            }
            Ok(HistogramRow {
                workload: cols.text(rec, "workload")?.to_owned(),
                day: cols.day(rec)?,
                metric,
                bucket,
                n,
            })
        })
        .collect()
}

/// Parses a `tier2_extremes.sql` result; `file` names it in errors.
pub fn parse_extremes(file: &str, text: &str) -> InputResult<Vec<ExtremesRow>> {
    let table = table(file, text)?;
    let cols = Columns::new(
        file,
        &table,
        &[
            "workload",
            "day",
            "metric",
            "n",
            "min_value",
            "max_value",
            "sum_scaled",
        ],
    )?;
    table
        .records
        .iter()
        .map(|rec| {
            let metric = cols.metric(rec)?;
            let n = cols.count(rec, "n")?;
            if n == 0 {
                return Err(cols.error(rec, "n", "must be ≥ 1: a row counts values".into()));
            }
            let min = cols.value(rec, "min_value")?;
            let max = cols.value(rec, "max_value")?;
            if max < min {
                return Err(cols.error(
                    rec,
                    "max_value",
                    format!("must be ≥ min_value ({min}), got {max}"),
                ));
            }
            let sum_text = cols.text(rec, "sum_scaled")?;
            let sum_scaled = sum_text.parse::<u128>().map_err(|_| {
                cols.error(
                    rec,
                    "sum_scaled",
                    format!("must be a whole number ≥ 0, got {sum_text:?}"),
                )
            })?;
            Ok(ExtremesRow {
                workload: cols.text(rec, "workload")?.to_owned(),
                day: cols.day(rec)?,
                metric,
                n,
                min,
                max,
                sum_scaled,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "workload,day,provider,model,prompt_version,attempts,requests,retries,errors,timeouts,accepted,gate_pass,gate_fail,gate_unknown,escalations,uncached_input_tokens,cache_read_tokens,cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,reported_cost,reported_cost_rows\n";
    const ROW: &str =
        "rag,2026-03-01,OpenAI,gpt-5.4,v7,10,8,2,1,1,6,7,1,2,1,5000,3000,0,0,900,0,0.12,9\n";

    fn refused(text: &str) -> Option<String> {
        parse_counters("t1.csv", text).err().map(|e| e.field)
    }

    #[test]
    fn counters_read_by_name_quoted_or_not() {
        let rows =
            parse_counters("t1.csv", &format!("{HEAD}{ROW}")).unwrap_or_else(|e| panic!("{e}"));
        let c = &rows[0].counters;
        assert_eq!((c.attempts, c.requests, c.retries), (10, 8, 2));
        assert_eq!((c.tokens.uncached_input, c.tokens.cache_read), (5000, 3000));
        assert_eq!(c.reported_cost, Decimal::new(12, 2));
        // Another engine: columns reordered, every field quoted, CRLF, a midnight timestamp, an
        // empty prompt version.
        let moved = "\"model\",\"workload\",\"day\",\"provider\",\"prompt_version\",\"attempts\",\"requests\",\"retries\",\"errors\",\"timeouts\",\"accepted\",\"gate_pass\",\"gate_fail\",\"gate_unknown\",\"escalations\",\"uncached_input_tokens\",\"cache_read_tokens\",\"cache_write_5m_tokens\",\"cache_write_1h_tokens\",\"output_tokens\",\"reasoning_tokens\",\"reported_cost\",\"reported_cost_rows\"\r\n\
            \"gpt-5.4\",\"rag\",\"2026-03-01 00:00:00\",\"OpenAI\",\"\",\"1\",\"1\",\"0\",\"0\",\"0\",\"1\",\"1\",\"0\",\"0\",\"0\",\"10\",\"0\",\"0\",\"0\",\"5\",\"0\",\"0\",\"0\"\r\n";
        let rows = parse_counters("t1.csv", moved).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows[0].day.to_string(), "2026-03-01");
        assert_eq!(
            (rows[0].model.as_str(), rows[0].prompt_version.as_str()),
            ("gpt-5.4", "")
        );
    }

    #[test]
    fn counters_that_no_group_of_attempts_gives_are_refused() {
        // Requests + retries must be attempts: 7 + 2 ≠ 10.
        let bad = ROW.replace(",10,8,2,", ",10,7,2,");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: retries".into())
        );
        // Verdicts must add up: 7 + 1 + 1 ≠ 10.
        let bad = ROW.replace(",7,1,2,", ",7,1,1,");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: gate_unknown".into())
        );
        // 8 accepted of 7 passes.
        let bad = ROW.replace(",1,1,6,7,", ",1,1,8,7,");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: accepted".into())
        );
        let bad = ROW.replace("0.12,9", "0.12,0");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: reported_cost".into())
        );
        let bad = ROW.replace("0.12", "-0.12");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: reported_cost".into())
        );
        let bad = ROW.replace(",5000,", ",5e3,");
        assert_eq!(
            refused(&format!("{HEAD}{ROW}{bad}")),
            Some("t1.csv line 3: uncached_input_tokens".into())
        );
        let bad = ROW.replace("2026-03-01", "2026-03-01 10:00:00");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: day".into())
        );
        let bad = ROW.replace("OpenAI", "");
        assert_eq!(
            refused(&format!("{HEAD}{bad}")),
            Some("t1.csv line 2: provider".into())
        );
        assert_eq!(refused("workload,day\n"), Some("t1.csv".into()));
        assert_eq!(refused(""), Some("t1.csv".into()));
    }

    #[test]
    fn histograms_and_extremes_refuse_malformed_rows() {
        let head = "workload,day,metric,bucket_kind,bucket,n\n";
        let bad = |row: &str| {
            parse_histograms("t2.csv", &format!("{head}{row}\n"))
                .err()
                .map(|e| e.field)
        };
        assert_eq!(bad("rag,2026-03-01,ttft_ms,positive,231,3"), None);
        assert_eq!(
            bad("rag,2026-03-01,ttft,positive,1,1"),
            Some("t2.csv line 2: metric".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,ttft_ms,negative,1,1"),
            Some("t2.csv line 2: bucket_kind".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,ttft_ms,zero,4,1"),
            Some("t2.csv line 2: bucket".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,ttft_ms,positive,3000000000,1"),
            Some("t2.csv line 2: bucket".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,ttft_ms,positive,1,1.5"),
            Some("t2.csv line 2: n".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,ttft_ms,positive,1,0"),
            Some("t2.csv line 2: n".into())
        );
        assert_eq!(
            bad("rag,03/01/2026,ttft_ms,positive,1,1"),
            Some("t2.csv line 2: day".into())
        );
        let head = "workload,day,metric,n,min_value,max_value,sum_scaled\n";
        let bad = |row: &str| {
            parse_extremes("t3.csv", &format!("{head}{row}\n"))
                .err()
                .map(|e| e.field)
        };
        let ok = parse_extremes(
            "t3.csv",
            &format!("{head}rag,2026-03-01,e2e_ms,2,0.5,1e3,1049100288\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((ok[0].min, ok[0].max), (0.5, 1000.0));
        assert_eq!(
            bad("rag,2026-03-01,e2e_ms,2,5,1,0"),
            Some("t3.csv line 2: max_value".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,e2e_ms,2,-1,1,0"),
            Some("t3.csv line 2: min_value".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,e2e_ms,2,1,inf,0"),
            Some("t3.csv line 2: max_value".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,e2e_ms,2,1,2,-5"),
            Some("t3.csv line 2: sum_scaled".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,e2e_ms,0,1,2,5"),
            Some("t3.csv line 2: n".into())
        );
        assert_eq!(
            bad("rag,2026-03-01,p99,1,1,2,5"),
            Some("t3.csv line 2: metric".into())
        );
    }
}
