//! Trace import throughput against DuckDB, on the same files in the same run.
//!
//! Writes a 5,000,000-row synthetic trace (`tests/support/trace_gen.rs`: the realistic shape —
//! 4 workloads over 30 days, 524 groups, long tails, empty cells, mixed-case models — then the
//! simple one) as CSV and as Parquet, and times each file, alternating, `LCPR_BENCH_REPEAT`
//! times (default 5): our import on every core, DuckDB's version of the aggregation
//! (`scripts/bench-duckdb.py --child`), our import on one core. Every run is a whole fresh
//! process, timed from spawn to exit, so start-up counts on both sides and each peak RSS (VmHWM,
//! or DuckDB's ru_maxrss) is that run's alone; CPU seconds are the child's user + system time.
//! Prints the median of each, rows per second, and DuckDB's time ÷ ours. Target: at least 3×
//! DuckDB on both formats in at most 64 MiB.
//!
//! `cargo bench -p lcpr-core --bench trace_import`. `LCPR_BENCH_ROWS` changes the row count,
//! `LCPR_BENCH_SHAPES=realistic` (or `simple`) runs one shape, `LCPR_BENCH_KEEP=1` keeps the
//! files, `LCPR_BENCH_PYTHON` is a Python with `duckdb` (default: the test script's venv,
//! `$CARGO_TARGET_DIR/querypack-venv`, else `python3`); without DuckDB only our figures print.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark that cannot set up should panic

#[path = "../../tests/support/trace_gen.rs"]
mod trace_gen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use lcpr_core::content_hash::fnv1a_64;
use lcpr_core::document::mapping::ColumnMapping;
use lcpr_core::evidence::traces::aggregate::Aggregate;
use lcpr_core::evidence::traces::{Format, Import, ImportOptions};

use trace_gen::Shape;

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

/// User + system CPU seconds of this process's waited-for children (/proc/self/stat fields
/// 16 and 17, in clock ticks of 1/100 s on Linux).
fn children_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            // After the command name, field 3 is index 0: cutime is field 16, cstime 17.
            let t = |i: usize| f.get(i - 3).and_then(|v| v.parse::<f64>().ok());
            Some((t(16)? + t(17)?) / 100.0)
        })
        .unwrap_or(0.0)
}

/// Imports `path` in this process and prints `seconds peak_mib digest`.
fn child(path: &Path, format: Format, threads: usize, rows: u64) {
    let mapping = ColumnMapping::canonical();
    let cards = trace_gen::cards();
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
    assert!(agg.unpriced.is_empty(), "{:?}", agg.unpriced);
    let digest = fnv1a_64(serde_json::to_string(&agg).unwrap().as_bytes());
    // CSV numbers the header row 1 and Parquet its first row 1, so the same request has
    // another row number in each: the formats are compared on everything but row numbers.
    let mut value = serde_json::to_value(&agg).unwrap();
    drop_row_numbers(&mut value);
    let content = fnv1a_64(value.to_string().as_bytes());
    println!(
        "{secs:.3} {:.1} {digest:016x} {content:016x}",
        peak_kib() as f64 / 1024.0
    );
}

fn drop_row_numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("first_row");
            m.values_mut().for_each(drop_row_numbers);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(drop_row_numbers),
        _ => {}
    }
}

/// One timed run of a fresh process: wall seconds, CPU seconds, peak MiB, its stdout.
struct Run {
    wall: f64,
    cpu: f64,
    peak: f64,
    out: String,
}

fn timed(mut cmd: Command) -> Option<Run> {
    let cpu0 = children_cpu();
    let start = Instant::now();
    let out = cmd.output().ok()?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = children_cpu() - cpu0;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let peak = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(Run {
        wall,
        cpu,
        peak,
        out: text,
    })
}

fn ours(path: &Path, threads: usize, rows: u64) -> Run {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env(
        "LCPR_BENCH_CHILD",
        format!("{threads}|{rows}|{}", path.display()),
    );
    timed(cmd).expect("the import runs")
}

fn python() -> String {
    if let Ok(p) = std::env::var("LCPR_BENCH_PYTHON") {
        return p;
    }
    let venv = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("querypack-venv/bin/python");
    if venv.exists() {
        venv.display().to_string()
    } else {
        "python3".into()
    }
}

fn duckdb(path: &Path) -> Option<Run> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench-duckdb.py");
    let mut cmd = Command::new(python());
    cmd.arg(script)
        .arg(path.parent().unwrap())
        .arg("--child")
        .arg(path);
    timed(cmd)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

struct Summary {
    wall: f64,
    cpu: f64,
    peak: f64,
}

fn summary(runs: &[Run]) -> Summary {
    Summary {
        wall: median(runs.iter().map(|r| r.wall).collect()),
        cpu: median(runs.iter().map(|r| r.cpu).collect()),
        peak: median(runs.iter().map(|r| r.peak).collect()),
    }
}

/// Times one file, alternating ours and DuckDB's; returns our digest without row numbers.
fn compare(label: &str, path: &Path, rows: u64, repeat: usize) -> String {
    let mut all = Vec::new();
    let mut one = Vec::new();
    let mut duck = Vec::new();
    let mut duck_ok = true;
    for _ in 0..repeat {
        all.push(ours(path, 0, rows));
        if duck_ok {
            match duckdb(path) {
                Some(r) => duck.push(r),
                None => {
                    duck_ok = false;
                    println!(
                        "  DuckDB did not run ({} with duckdb installed? set LCPR_BENCH_PYTHON)",
                        python()
                    );
                }
            }
        }
        one.push(ours(path, 1, rows));
    }
    let digest = |r: &Run| {
        r.out
            .split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_owned()
    };
    let d = digest(&all[0]);
    assert!(
        all.iter().chain(&one).all(|r| digest(r) == d),
        "{label}: runs disagree (one thread and all must give the same aggregate)"
    );
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
    let line = |who: &str, s: &Summary| {
        println!(
            "  {who:<14} {:>6.2} s  {:>9.0} rows/s  {:>6.1} MiB/s  {:>5.2} CPU s  peak {:>6.1} MiB",
            s.wall,
            rows as f64 / s.wall,
            size / s.wall,
            s.cpu,
            s.peak
        );
    };
    println!(
        "{label}: {rows} rows, {size:.0} MiB; medians of {repeat} alternating whole-process runs"
    );
    let (a, o) = (summary(&all), summary(&one));
    line("lcpr 2 threads", &a);
    line("lcpr 1 thread", &o);
    if !duck.is_empty() {
        let groups = duck[0].out.split_whitespace().nth(2).unwrap_or("?");
        let dk = summary(&duck);
        line("duckdb", &dk);
        println!(
            "  ratio (DuckDB ÷ ours, wall): {:.2}× on 2 threads, {:.2}× on 1; CPU seconds {:.2}×; DuckDB found {groups} groups",
            dk.wall / a.wall,
            dk.wall / o.wall,
            dk.cpu / a.cpu
        );
    }
    println!("  digest {d}");
    all[0]
        .out
        .split_whitespace()
        .nth(3)
        .unwrap_or_default()
        .to_owned()
}

fn main() {
    if let Ok(spec) = std::env::var("LCPR_BENCH_CHILD") {
        let parts: Vec<&str> = spec.splitn(3, '|').collect();
        let path = Path::new(parts[2]);
        let format = if path.extension().is_some_and(|e| e == "parquet") {
            Format::Parquet
        } else {
            Format::Csv
        };
        child(
            path,
            format,
            parts[0].parse().unwrap(),
            parts[1].parse().unwrap(),
        );
        return;
    }
    let env = |k: &str| std::env::var(k).ok();
    let rows: u64 = env("LCPR_BENCH_ROWS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let repeat: usize = env("LCPR_BENCH_REPEAT")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let shapes: Vec<Shape> = [Shape::Realistic, Shape::Simple]
        .into_iter()
        .filter(|s| env("LCPR_BENCH_SHAPES").is_none_or(|v| v.split(',').any(|n| n == s.name())))
        .collect();
    let keep = env("LCPR_BENCH_KEEP").is_some();
    println!(
        "load average at start: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for shape in shapes {
        let dir = std::env::temp_dir().join(format!(
            "lcpr-trace-bench-{}-{}",
            std::process::id(),
            shape.name()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // The script's child reads `trace.csv` / `trace.parquet` in a directory.
        let csv = dir.join("trace.csv");
        let start = Instant::now();
        trace_gen::write_csv(&csv, shape, rows);
        println!(
            "wrote {} ({}) in {:.1} s",
            csv.display(),
            shape.name(),
            start.elapsed().as_secs_f64()
        );
        let from_csv = compare(&format!("{} CSV", shape.name()), &csv, rows, repeat);
        if !keep {
            std::fs::remove_file(&csv).unwrap();
        }
        #[cfg(feature = "parquet")]
        {
            let pq = dir.join("trace.parquet");
            let start = Instant::now();
            trace_gen::write_parquet(&pq, shape, rows);
            println!(
                "wrote {} in {:.1} s",
                pq.display(),
                start.elapsed().as_secs_f64()
            );
            let from_parquet = compare(&format!("{} Parquet", shape.name()), &pq, rows, repeat);
            assert_eq!(
                from_parquet, from_csv,
                "Parquet and CSV imports of the same trace differ (row numbers aside)"
            );
        }
        println!(
            "load average now: {}",
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim()
        );
        if !keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
