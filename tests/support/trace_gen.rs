//! Synthetic traces for the trace-import benchmark and the digest test: the same rows as CSV
//! and as Parquet, reproducible from a seed.
//!
//! Two shapes. `Simple`: 4 workloads and 3 models drawn uniformly, uniform tokens and latencies,
//! every cell filled. `Realistic`, what users' traces look like: 4 workloads over 30 days, each
//! with its own models (names in mixed case, as different SDKs spell them) and prompt versions
//! rolled out over the month — 524 workload × day × provider × model × prompt groups —
//! long-tailed (lognormal) token counts and latencies, errors and timeouts with empty TTFT and
//! TPOT, 3% retries, pass / fail / unknown gate results (some empty), escalations, empty
//! reasoning on models without it and some empty reported costs.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use lcpr_core::document::{Date, RateCard, RatePricing};
use rust_decimal::Decimal;

/// 2026-05-01T00:00:00Z.
const START: u64 = 1_777_593_600;
const DAYS: u64 = 30;

/// Which synthetic trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Uniform values, every cell filled.
    Simple,
    /// Long tails, empty cells, mixed-case names, prompt rollouts.
    Realistic,
}

impl Shape {
    /// Its name in file names and output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Realistic => "realistic",
        }
    }
}

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

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A lognormal draw with median `median` and log-spread `sigma`.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

/// One synthetic request, in the canonical (exclusive) layout; `None` is an empty cell.
pub struct Row {
    pub id: u64,
    pub unix_ms: u64,
    pub workload: &'static str,
    pub route: &'static str,
    pub provider: &'static str,
    pub model: &'static str,
    pub prompt: &'static str,
    pub uncached: u64,
    pub cache_read: u64,
    pub write_5m: u64,
    pub output: u64,
    pub reasoning: Option<u64>,
    pub ttft: Option<f64>,
    pub tpot: Option<f64>,
    pub e2e: f64,
    pub status: &'static str,
    pub attempt: u64,
    pub retry_of: Option<u64>,
    pub gate: Option<&'static str>,
    pub escalated: bool,
    pub cost_micros: Option<i64>,
}

const SIMPLE_MODELS: [(&str, &str); 3] = [
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

/// A workload of the realistic trace: its models (provider, model as the trace spells it,
/// weight in %), its prompt versions (name, first day, last day) and its token medians.
struct Workload {
    name: &'static str,
    models: &'static [(&'static str, &'static str, u64)],
    prompts: &'static [(&'static str, u64, u64)],
    input_median: f64,
    output_median: f64,
    escalation_pct: u64,
}

/// 3 models × 36 prompt-days + 2 × 40 + 4 × 50 + 3 × 45 = 523 groups, and a one-day canary
/// prompt of one model: 524.
const REALISTIC: [Workload; 4] = [
    Workload {
        name: "support-chat",
        models: &[
            ("OpenAI", "gpt-5.4", 50),
            ("OpenAI", "GPT-5.4", 10),
            ("Anthropic", "claude-sonnet-4.6", 40),
        ],
        prompts: &[("v2", 0, 17), ("v3", 12, 29)],
        input_median: 1_400.0,
        output_median: 220.0,
        escalation_pct: 4,
    },
    Workload {
        name: "invoice-review",
        models: &[
            ("Anthropic", "Claude-Sonnet-4.6", 70),
            ("Fireworks AI", "deepseek-v4-pro", 30),
        ],
        prompts: &[("inv-1", 0, 29), ("inv-2", 20, 29)],
        input_median: 5_500.0,
        output_median: 380.0,
        escalation_pct: 2,
    },
    Workload {
        name: "coding-agent",
        models: &[
            ("OpenAI", "gpt-5.4", 40),
            ("OpenAI", "gpt-5.4-mini", 20),
            ("Anthropic", "claude-sonnet-4.6", 30),
            ("Fireworks AI", "DeepSeek-V4-Pro", 10),
        ],
        prompts: &[("c7", 0, 29), ("c8", 10, 29)],
        input_median: 9_000.0,
        output_median: 700.0,
        escalation_pct: 1,
    },
    Workload {
        name: "browser-extract",
        models: &[
            ("OpenAI", "gpt-5.4-mini", 55),
            ("Fireworks AI", "deepseek-v4-pro", 30),
            ("Anthropic", "claude-haiku-4.5", 15),
        ],
        prompts: &[("b1", 0, 29), ("b2", 15, 29)],
        input_median: 2_600.0,
        output_median: 120.0,
        escalation_pct: 1,
    },
];

fn pick<'a, T>(rng: &mut Rng, items: &'a [T], weight: impl Fn(&T) -> u64) -> &'a T {
    let total: u64 = items.iter().map(&weight).sum();
    let mut x = rng.below(total);
    for item in items {
        let w = weight(item);
        if x < w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1]
}

fn round_to(v: f64, places: i32) -> f64 {
    let s = 10f64.powi(places);
    (v * s).round() / s
}

fn simple_row(rng: &mut Rng, i: u64, n: u64) -> Row {
    let (provider, model) = match rng.below(100) {
        0..60 => SIMPLE_MODELS[0],
        60..85 => SIMPLE_MODELS[1],
        _ => SIMPLE_MODELS[2],
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
    let ttft = round_to(150.0 + rng.unit() * 1_500.0, 1);
    let tpot = round_to(8.0 + rng.unit() * 50.0, 2);
    let e2e = round_to(ttft + tpot * (output + reasoning) as f64, 1);
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
        reasoning: Some(reasoning),
        ttft: Some(ttft),
        tpot: Some(tpot),
        e2e,
        status,
        attempt: u64::from(retry),
        retry_of: retry.then(|| i - 1),
        gate: Some(gate),
        escalated: rng.below(100) < 2,
        cost_micros: Some((input + output * 6) as i64),
    }
}

fn realistic_row(rng: &mut Rng, i: u64, n: u64) -> Row {
    let unix_ms = START * 1000 + i * DAYS * 86_400_000 / n + rng.below(1000);
    let day = (unix_ms / 1000 - START) / 86_400;
    // Traffic is uneven: support chat carries most of it.
    let w = pick(rng, &REALISTIC, |w| match w.name {
        "support-chat" => 45,
        "coding-agent" => 25,
        "invoice-review" => 18,
        _ => 12,
    });
    let &(provider, model, _) = pick(rng, w.models, |m| m.2);
    let live: Vec<&(&str, u64, u64)> = w
        .prompts
        .iter()
        .filter(|p| p.1 <= day && day <= p.2)
        .collect();
    let mut prompt = live[rng.below(live.len() as u64) as usize].0;
    if w.name == "coding-agent" && model == "gpt-5.4" && day == DAYS - 1 && rng.below(20) == 0 {
        prompt = "c9-canary";
    }
    let input = (rng.lognormal(w.input_median, 0.9).round() as u64).clamp(1, 400_000);
    let cache_read = if rng.below(10) < 6 {
        input * (30 + rng.below(65)) / 100
    } else {
        0
    };
    let write_5m = if cache_read == 0 && rng.below(5) == 0 {
        input / 2
    } else {
        0
    };
    let status = match rng.below(1000) {
        0..970 => "ok",
        970..990 => "error",
        _ => "timeout",
    };
    let reasoning_model = provider == "OpenAI" || model.eq_ignore_ascii_case("deepseek-v4-pro");
    let (output, reasoning, ttft, tpot, e2e) = if status == "ok" {
        let output = (rng.lognormal(w.output_median, 0.8).round() as u64).clamp(1, 64_000);
        let reasoning = (reasoning_model && rng.below(10) < 4)
            .then(|| (rng.lognormal(400.0, 1.1).round() as u64).min(32_000));
        let ttft = round_to(rng.lognormal(420.0, 0.6) + input as f64 * 0.02, 1);
        let tpot = round_to(rng.lognormal(22.0, 0.35), 2);
        let generated = output + reasoning.unwrap_or(0);
        let e2e = round_to(ttft + tpot * generated as f64 + rng.unit() * 40.0, 1);
        (output, reasoning, Some(ttft), Some(tpot), e2e)
    } else if status == "timeout" {
        (
            0,
            None,
            None,
            None,
            60_000.0 + round_to(rng.unit() * 50.0, 1),
        )
    } else {
        (0, None, None, None, round_to(rng.lognormal(900.0, 0.7), 1))
    };
    let retry = i > 0 && rng.below(100) < 3;
    let gate = if status != "ok" {
        if rng.below(2) == 0 {
            Some("unknown")
        } else {
            None
        }
    } else {
        match rng.below(100) {
            0..84 => Some("pass"),
            84..95 => Some("fail"),
            95..98 => Some("unknown"),
            _ => None,
        }
    };
    let generated = output + reasoning.unwrap_or(0);
    Row {
        id: i,
        unix_ms,
        workload: w.name,
        route: match provider {
            "OpenAI" => "gpt-api",
            "Anthropic" => "claude-api",
            _ => "serverless",
        },
        provider,
        model,
        prompt,
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
        escalated: rng.below(100) < w.escalation_pct,
        // Some exporters leave the cost out (a gateway that does not price, a failed call).
        cost_micros: (rng.below(100) >= 8).then(|| (input * 2 + generated * 10) as i64),
    }
}

/// Every row of a trace of `n` rows, in order.
pub fn rows(shape: Shape, n: u64) -> impl Iterator<Item = Row> {
    let mut rng = Rng(42);
    (0..n).map(move |i| match shape {
        Shape::Simple => simple_row(&mut rng, i, n),
        Shape::Realistic => realistic_row(&mut rng, i, n),
    })
}

fn rfc3339(unix_ms: u64) -> String {
    use lcpr_core::evidence::traces::trace_row::{date_from_unix_days, unix_days};
    let secs = unix_ms / 1000;
    let d = (secs - START) / 86_400;
    let date = date_from_unix_days(unix_days(Date::new(2026, 5, 1).unwrap()) + d as i64).unwrap();
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

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes the trace as CSV.
pub fn write_csv(path: &Path, shape: Shape, n: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    writeln!(w, "{HEADER}").unwrap();
    for r in rows(shape, n) {
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
            opt(r.reasoning),
            opt(r.ttft),
            opt(r.tpot),
            r.e2e,
            r.status,
            r.attempt,
            retry_of,
            r.gate.unwrap_or_default(),
            r.escalated,
            opt(r.cost_micros.map(|c| Decimal::new(c, 6))),
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Writes the trace as Parquet (Snappy, dictionary-encoded text, row groups of 128 Ki rows).
#[cfg(feature = "parquet")]
pub fn write_parquet(path: &Path, shape: Shape, n: u64) {
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
               OPTIONAL INT64 reasoning_tokens;
               OPTIONAL DOUBLE ttft_ms;
               OPTIONAL DOUBLE tpot_ms;
               REQUIRED DOUBLE e2e_ms;
               REQUIRED BYTE_ARRAY status (UTF8);
               REQUIRED INT64 attempt;
               OPTIONAL BYTE_ARRAY retry_of (UTF8);
               OPTIONAL BYTE_ARRAY quality_gate (UTF8);
               REQUIRED BOOLEAN escalated;
               OPTIONAL INT64 reported_cost (DECIMAL(18, 6));
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
    let mut all = rows(shape, n).peekable();
    let group = 131_072usize;
    while all.peek().is_some() {
        let rows: Vec<Row> = all.by_ref().take(group).collect();
        let text = |f: &dyn Fn(&Row) -> Option<String>| -> (Vec<ByteArray>, Vec<i16>) {
            let vals = rows
                .iter()
                .filter_map(f)
                .map(|s| ByteArray::from(s.as_str()))
                .collect();
            let defs = rows.iter().map(|r| i16::from(f(r).is_some())).collect();
            (vals, defs)
        };
        let ints = |f: &dyn Fn(&Row) -> Option<i64>| -> (Vec<i64>, Vec<i16>) {
            (
                rows.iter().filter_map(f).collect(),
                rows.iter().map(|r| i16::from(f(r).is_some())).collect(),
            )
        };
        let floats = |f: &dyn Fn(&Row) -> Option<f64>| -> (Vec<f64>, Vec<i16>) {
            (
                rows.iter().filter_map(f).collect(),
                rows.iter().map(|r| i16::from(f(r).is_some())).collect(),
            )
        };
        let mut rg = w.next_row_group().unwrap();
        let mut col = 0;
        while let Some(mut c) = rg.next_column().unwrap() {
            // The OPTIONAL columns of the schema above.
            let optional = [3, 13, 14, 15, 19, 20, 22].contains(&col);
            let defs = |d: &Vec<i16>| if optional { Some(d.clone()) } else { None };
            macro_rules! put {
                ($ty:ty, $pair:expr) => {{
                    let (vals, d) = $pair;
                    c.typed::<$ty>()
                        .write_batch(&vals, defs(&d).as_deref(), None)
                }};
            }
            match col {
                0 => put!(ByteArrayType, text(&|r| Some(format!("req-{:08}", r.id)))),
                1 => put!(Int64Type, ints(&|r| Some(r.unix_ms as i64))),
                2 => put!(ByteArrayType, text(&|r| Some(r.workload.to_owned()))),
                3 => put!(ByteArrayType, text(&|_| None)),
                4 => put!(ByteArrayType, text(&|r| Some(r.route.to_owned()))),
                5 => put!(ByteArrayType, text(&|r| Some(r.provider.to_owned()))),
                6 => put!(ByteArrayType, text(&|r| Some(r.model.to_owned()))),
                7 => put!(ByteArrayType, text(&|r| Some(r.prompt.to_owned()))),
                8 => put!(Int64Type, ints(&|r| Some(r.uncached as i64))),
                9 => put!(Int64Type, ints(&|r| Some(r.cache_read as i64))),
                10 => put!(Int64Type, ints(&|r| Some(r.write_5m as i64))),
                11 => put!(Int64Type, ints(&|_| Some(0))),
                12 => put!(Int64Type, ints(&|r| Some(r.output as i64))),
                13 => put!(Int64Type, ints(&|r| r.reasoning.map(|v| v as i64))),
                14 => put!(DoubleType, floats(&|r| r.ttft)),
                15 => put!(DoubleType, floats(&|r| r.tpot)),
                16 => put!(DoubleType, floats(&|r| Some(r.e2e))),
                17 => put!(ByteArrayType, text(&|r| Some(r.status.to_owned()))),
                18 => put!(Int64Type, ints(&|r| Some(r.attempt as i64))),
                19 => put!(
                    ByteArrayType,
                    text(&|r| r.retry_of.map(|p| format!("req-{p:08}")))
                ),
                20 => put!(ByteArrayType, text(&|r| r.gate.map(str::to_owned))),
                21 => {
                    let vals: Vec<bool> = rows.iter().map(|r| r.escalated).collect();
                    c.typed::<BoolType>().write_batch(&vals, None, None)
                }
                _ => put!(Int64Type, ints(&|r| r.cost_micros)),
            }
            .unwrap();
            c.close().unwrap();
            col += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

/// Rate cards for every model of both shapes (matched without regard to case).
pub fn cards() -> Vec<RateCard> {
    let d = |s: &str| Decimal::from_str(s).unwrap();
    let card = |id: &str, provider: &str, model: &str, input, cached, output| RateCard {
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
        card("gpt", "OpenAI", "gpt-5.4", "2.5", "0.25", "15"),
        card("gpt-mini", "OpenAI", "gpt-5.4-mini", "0.75", "0.075", "4.5"),
        card("claude", "Anthropic", "claude-sonnet-4.6", "3", "0.3", "15"),
        card("haiku", "Anthropic", "claude-haiku-4.5", "1", "0.1", "5"),
        card(
            "dsv4",
            "Fireworks AI",
            "deepseek-v4-pro",
            "1.74",
            "0.2",
            "3.48",
        ),
    ]
}
