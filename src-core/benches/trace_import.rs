//! Trace import throughput: writes a 5,000,000-row synthetic trace (CSV, and Parquet when the
//! `parquet` feature is on) to a temporary directory, imports it on every core and on one, and
//! prints rows per second and the peak resident memory of each import (VmHWM of a fresh
//! process running that import alone). Target: at least twice DuckDB's rate on the same file in
//! under 64 MiB; `scripts/bench-duckdb.py` runs DuckDB's version of the aggregation on the files
//! this leaves with `LCPR_BENCH_KEEP=1`, so both are measured on one machine at one time.
//!
//! `cargo bench -p lcpr-core --bench trace_import`; `LCPR_BENCH_ROWS` changes the row count,
//! `LCPR_BENCH_KEEP=1` keeps the generated files, `LCPR_BENCH_REPEAT=n` runs each import n times
//! and reports the fastest.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark that cannot set up should panic

use std::collections::hash_map::DefaultHasher;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use lcpr_core::document::mapping::ColumnMapping;
use lcpr_core::document::{Date, RateCard, RatePricing};
use lcpr_core::evidence::traces::aggregate::Aggregate;
use lcpr_core::evidence::traces::{Format, Import, ImportOptions};
use rust_decimal::Decimal;

const DAYS: u64 = 30;
/// 2026-05-01T00:00:00Z.
const START: u64 = 1_777_593_600;
const MODELS: [(&str, &str); 3] = [
    ("OpenAI", "gpt-5.4"),
    ("Anthropic", "claude-sonnet-4.6"),
    ("Fireworks AI", "deepseek-v4-pro"),
];
const WORKLOADS: [&str; 4] = [
    "support-chat",
    "invoice-review",
    "coding-agent",
    "browser-extract",
];

/// SplitMix64: a small, fast, reproducible generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One synthetic request, in the canonical (exclusive) layout.
struct Row {
    id: u64,
    unix_ms: u64,
    workload: &'static str,
    route: &'static str,
    provider: &'static str,
    model: &'static str,
    prompt: &'static str,
    uncached: u64,
    cache_read: u64,
    write_5m: u64,
    output: u64,
    reasoning: u64,
    ttft: f64,
    tpot: f64,
    e2e: f64,
    status: &'static str,
    attempt: u64,
    retry_of: Option<u64>,
    gate: &'static str,
    escalated: bool,
    cost_micros: i64,
}

fn row(rng: &mut Rng, i: u64, n: u64) -> Row {
    let (provider, model) = match rng.below(100) {
        0..60 => MODELS[0],
        60..85 => MODELS[1],
        _ => MODELS[2],
    };
    let input = 300
        + rng.below(2_000)
        + if rng.below(10) == 0 {
            rng.below(30_000)
        } else {
            0
        };
    let cache_read = if rng.below(10) < 7 { input * 6 / 10 } else { 0 };
    let write_5m = if cache_read == 0 && rng.below(4) == 0 {
        input / 2
    } else {
        0
    };
    let output = 20 + rng.below(900);
    let reasoning = if provider == "OpenAI" && rng.below(10) < 3 {
        rng.below(600)
    } else {
        0
    };
    let ttft = ((150.0 + rng.unit() * 1_500.0) * 10.0).round() / 10.0;
    let tpot = ((8.0 + rng.unit() * 50.0) * 100.0).round() / 100.0;
    let e2e = ((ttft + tpot * (output + reasoning) as f64) * 10.0).round() / 10.0;
    let status = match rng.below(100) {
        0..97 => "ok",
        97..99 => "error",
        _ => "timeout",
    };
    let retry = i > 0 && rng.below(100) < 3;
    let gate = if status != "ok" {
        "unknown"
    } else {
        match rng.below(100) {
            0..86 => "pass",
            86..96 => "fail",
            _ => "unknown",
        }
    };
    Row {
        id: i,
        unix_ms: START * 1000 + i * DAYS * 86_400_000 / n + rng.below(1000),
        workload: WORKLOADS[rng.below(4) as usize],
        route: if model == "gpt-5.4" {
            "gpt-api"
        } else {
            "serverless"
        },
        provider,
        model,
        prompt: if rng.below(5) == 0 { "v2" } else { "v3" },
        uncached: input - cache_read - write_5m,
        cache_read,
        write_5m,
        output,
        reasoning,
        ttft,
        tpot,
        e2e,
        status,
        attempt: u64::from(retry),
        retry_of: retry.then(|| i - 1),
        gate,
        escalated: rng.below(100) < 2,
        cost_micros: (input + output * 6) as i64,
    }
}

fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let day = Date::new(2026, 5, 1).unwrap();
    let d = (secs - START) / 86_400;
    let date = lcpr_core::evidence::traces::trace_row::date_from_unix_days(
        lcpr_core::evidence::traces::trace_row::unix_days(day) + d as i64,
    )
    .unwrap();
    let s = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        unix_ms % 1000
    )
}

const HEADER: &str = "request_id,timestamp,workload,scenario,route,provider,model,prompt_version,\
uncached_input_tokens,cache_read_tokens,cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,\
reasoning_tokens,ttft_ms,tpot_ms,e2e_ms,status,attempt,retry_of,quality_gate,escalated,reported_cost";

fn write_csv(path: &Path, n: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    writeln!(w, "{HEADER}").unwrap();
    let mut rng = Rng(42);
    for i in 0..n {
        let r = row(&mut rng, i, n);
        let retry_of = r
            .retry_of
            .map(|p| format!("req-{p:08}"))
            .unwrap_or_default();
        writeln!(
            w,
            "req-{:08},{},{},,{},{},{},{},{},{},{},0,{},{},{},{},{},{},{},{},{},{},{}",
            r.id,
            rfc3339(r.unix_ms),
            r.workload,
            r.route,
            r.provider,
            r.model,
            r.prompt,
            r.uncached,
            r.cache_read,
            r.write_5m,
            r.output,
            r.reasoning,
            r.ttft,
            r.tpot,
            r.e2e,
            r.status,
            r.attempt,
            retry_of,
            r.gate,
            r.escalated,
            Decimal::new(r.cost_micros, 6),
        )
        .unwrap();
    }
    w.flush().unwrap();
}

#[cfg(feature = "parquet")]
fn write_parquet(path: &Path, n: u64) {
    use parquet::basic::Compression;
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    let schema = Arc::new(
        parse_message_type(
            "message trace {
               REQUIRED BYTE_ARRAY request_id (UTF8);
               REQUIRED INT64 timestamp (TIMESTAMP(MILLIS, true));
               REQUIRED BYTE_ARRAY workload (UTF8);
               OPTIONAL BYTE_ARRAY scenario (UTF8);
               REQUIRED BYTE_ARRAY route (UTF8);
               REQUIRED BYTE_ARRAY provider (UTF8);
               REQUIRED BYTE_ARRAY model (UTF8);
               REQUIRED BYTE_ARRAY prompt_version (UTF8);
               REQUIRED INT64 uncached_input_tokens;
               REQUIRED INT64 cache_read_tokens;
               REQUIRED INT64 cache_write_5m_tokens;
               REQUIRED INT64 cache_write_1h_tokens;
               REQUIRED INT64 output_tokens;
               REQUIRED INT64 reasoning_tokens;
               REQUIRED DOUBLE ttft_ms;
               REQUIRED DOUBLE tpot_ms;
               REQUIRED DOUBLE e2e_ms;
               REQUIRED BYTE_ARRAY status (UTF8);
               REQUIRED INT64 attempt;
               OPTIONAL BYTE_ARRAY retry_of (UTF8);
               REQUIRED BYTE_ARRAY quality_gate (UTF8);
               REQUIRED BOOLEAN escalated;
               REQUIRED INT64 reported_cost (DECIMAL(18, 6));
             }",
        )
        .unwrap(),
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut w = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    let mut rng = Rng(42);
    let group = 131_072u64;
    let mut i = 0;
    while i < n {
        let rows: Vec<Row> = (i..(i + group).min(n))
            .map(|k| row(&mut rng, k, n))
            .collect();
        i += rows.len() as u64;
        let text = |f: &dyn Fn(&Row) -> String| -> Vec<ByteArray> {
            rows.iter()
                .map(|r| ByteArray::from(f(r).as_str()))
                .collect()
        };
        let ints = |f: &dyn Fn(&Row) -> i64| -> Vec<i64> { rows.iter().map(f).collect() };
        let floats = |f: &dyn Fn(&Row) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
        let mut rg = w.next_row_group().unwrap();
        let mut col = 0;
        while let Some(mut c) = rg.next_column().unwrap() {
            match col {
                0 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| format!("req-{:08}", r.id)),
                    None,
                    None,
                ),
                1 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.unix_ms as i64), None, None),
                2 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.workload.to_owned()),
                    None,
                    None,
                ),
                3 => c
                    .typed::<ByteArrayType>()
                    .write_batch(&[], Some(&vec![0; rows.len()]), None),
                4 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.route.to_owned()),
                    None,
                    None,
                ),
                5 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.provider.to_owned()),
                    None,
                    None,
                ),
                6 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.model.to_owned()),
                    None,
                    None,
                ),
                7 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.prompt.to_owned()),
                    None,
                    None,
                ),
                8 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.uncached as i64), None, None),
                9 => {
                    c.typed::<Int64Type>()
                        .write_batch(&ints(&|r| r.cache_read as i64), None, None)
                }
                10 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.write_5m as i64), None, None),
                11 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|_| 0), None, None),
                12 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.output as i64), None, None),
                13 => {
                    c.typed::<Int64Type>()
                        .write_batch(&ints(&|r| r.reasoning as i64), None, None)
                }
                14 => c
                    .typed::<DoubleType>()
                    .write_batch(&floats(&|r| r.ttft), None, None),
                15 => c
                    .typed::<DoubleType>()
                    .write_batch(&floats(&|r| r.tpot), None, None),
                16 => c
                    .typed::<DoubleType>()
                    .write_batch(&floats(&|r| r.e2e), None, None),
                17 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.status.to_owned()),
                    None,
                    None,
                ),
                18 => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.attempt as i64), None, None),
                19 => {
                    let defs: Vec<i16> = rows
                        .iter()
                        .map(|r| i16::from(r.retry_of.is_some()))
                        .collect();
                    let vals: Vec<ByteArray> = rows
                        .iter()
                        .filter_map(|r| r.retry_of)
                        .map(|p| ByteArray::from(format!("req-{p:08}").as_str()))
                        .collect();
                    c.typed::<ByteArrayType>()
                        .write_batch(&vals, Some(&defs), None)
                }
                20 => c.typed::<ByteArrayType>().write_batch(
                    &text(&|r| r.gate.to_owned()),
                    None,
                    None,
                ),
                21 => c.typed::<BoolType>().write_batch(
                    &rows.iter().map(|r| r.escalated).collect::<Vec<_>>(),
                    None,
                    None,
                ),
                _ => c
                    .typed::<Int64Type>()
                    .write_batch(&ints(&|r| r.cost_micros), None, None),
            }
            .unwrap();
            c.close().unwrap();
            col += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

fn cards() -> Vec<RateCard> {
    let d = |s: &str| Decimal::from_str(s).unwrap();
    let card = |id: &str, (provider, model): (&str, &str), input, cached, output| RateCard {
        id: id.into(),
        provider: provider.into(),
        model: model.into(),
        aliases: Vec::new(),
        effective_from: Date::new(2026, 4, 1).unwrap(),
        source: String::new(),
        pricing: RatePricing::Tokens {
            input_per_m: d(input),
            cached_input_per_m: Some(d(cached)),
            cache_write_5m_per_m: None,
            cache_write_1h_per_m: None,
            output_per_m: d(output),
            batch_input_per_m: None,
            batch_output_per_m: None,
        },
        contract: None,
        provenance: None,
        notes: String::new(),
    };
    vec![
        card("gpt", MODELS[0], "2.5", "0.25", "15"),
        card("claude", MODELS[1], "3", "0.3", "15"),
        card("dsv4", MODELS[2], "1.74", "0.2", "3.48"),
    ]
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Imports `path` in this process and prints one line; the aggregate's digest lets the parent
/// check that every run produced the same result.
fn child(label: &str, path: &Path, format: Format, threads: usize, rows: u64) {
    let mapping = ColumnMapping::canonical();
    let cards = cards();
    let import = Import {
        format,
        mapping: &mapping,
        cards: &cards,
        options: ImportOptions {
            threads,
            ..ImportOptions::default()
        },
    };
    let start = Instant::now();
    let agg: Aggregate = import
        .from_file(path, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!((agg.rows_read, agg.rows_broken), (rows, 0));
    assert!(agg.unpriced.is_empty());
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(&agg).unwrap().hash(&mut hasher);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{label:<8} threads={:<3} {rows} rows, {:>5.0} MiB in {secs:>5.2} s: {:>9.0} rows/s, {:>6.1} MiB/s, peak RSS {:>5.1} MiB digest={:016x}",
        if threads == 0 {
            "all".to_owned()
        } else {
            threads.to_string()
        },
        size as f64 / 1_048_576.0,
        rows as f64 / secs,
        size as f64 / 1_048_576.0 / secs,
        peak_kib() as f64 / 1024.0,
        hasher.finish()
    );
}

/// Runs one import in a fresh process, so its peak RSS is the import's alone, as many times as
/// `LCPR_BENCH_REPEAT` says (the machine may be shared: the fastest run is the one least
/// disturbed); returns the digest it printed, the same every time.
fn run(label: &str, path: &Path, threads: usize, rows: u64) -> String {
    let repeat: usize = std::env::var("LCPR_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut digest = None;
    let mut best: Option<(f64, String)> = None;
    for _ in 0..repeat.max(1) {
        let out = Command::new(std::env::current_exe().unwrap())
            .env(
                "LCPR_BENCH_CHILD",
                format!("{label}|{threads}|{rows}|{}", path.display()),
            )
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if repeat > 1 {
            print!("  {text}");
        }
        let d = text
            .split("digest=")
            .nth(1)
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(digest.as_ref().is_none_or(|x| *x == d), "runs disagree");
        digest = Some(d);
        let secs: f64 = text
            .split(" in ")
            .nth(1)
            .and_then(|t| t.trim().split(' ').next())
            .and_then(|t| t.parse().ok())
            .unwrap_or(f64::MAX);
        if best.as_ref().is_none_or(|(b, _)| secs < *b) {
            best = Some((secs, text));
        }
    }
    if let Some((_, text)) = best {
        print!("{}{text}", if repeat > 1 { "fastest: " } else { "" });
    }
    digest.unwrap_or_default()
}

fn main() {
    if let Ok(spec) = std::env::var("LCPR_BENCH_CHILD") {
        let parts: Vec<&str> = spec.splitn(4, '|').collect();
        let format = if parts[0] == "parquet" {
            Format::Parquet
        } else {
            Format::Csv
        };
        child(
            parts[0],
            Path::new(parts[3]),
            format,
            parts[1].parse().unwrap(),
            parts[2].parse().unwrap(),
        );
        return;
    }
    let rows: u64 = std::env::var("LCPR_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("lcpr-trace-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("trace.csv");
    let start = Instant::now();
    write_csv(&csv, rows);
    println!(
        "wrote {} in {:.1} s",
        csv.display(),
        start.elapsed().as_secs_f64()
    );
    let parallel = run("csv", &csv, 0, rows);
    let single = run("csv", &csv, 1, rows);
    assert_eq!(
        parallel, single,
        "parallel and single-threaded imports differ"
    );
    let keep = std::env::var_os("LCPR_BENCH_KEEP").is_some();
    if !keep {
        std::fs::remove_file(&csv).unwrap();
    }
    #[cfg(feature = "parquet")]
    {
        let pq = dir.join("trace.parquet");
        let start = Instant::now();
        write_parquet(&pq, rows);
        println!(
            "wrote {} in {:.1} s",
            pq.display(),
            start.elapsed().as_secs_f64()
        );
        let from_parquet = run("parquet", &pq, 0, rows);
        run("parquet", &pq, 1, rows);
        assert_eq!(
            from_parquet, parallel,
            "Parquet and CSV imports of the same trace differ"
        );
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
