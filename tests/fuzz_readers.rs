//! A stable fuzz driver over every reader, through the `lcpr` binary: each fixture of a reader
//! is mutated (bytes flipped, truncated, a slice duplicated, lines swapped or dropped, the whole
//! file repeated, junk inserted) and fed to the command that reads it. Every run must end on its
//! own (no panic, no signal) within a time and memory bound, and a refused import must leave
//! the workspace byte for byte as it was, with no debris beside it.
//!
//! `LCPR_FUZZ_CASES` sets the mutations per fixture (default 6, what CI runs) and
//! `LCPR_FUZZ_SEED` the seed; see the README for a longer run.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LCPR: &str = env!("CARGO_BIN_EXE_lcpr");

/// A run longer than this counts as hung.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// Address space a run may map, in KiB (the debug binary maps about 100 MiB to start).
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// Small, seeded, dependency-free generator (xorshift64*): the same seed gives the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(bytes: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    let mut out = bytes.to_vec();
    let kind = rng.below(8);
    let what = match kind {
        0 => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(out.len());
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            "bits flipped"
        }
        1 => {
            out.truncate(rng.below(out.len()));
            "truncated"
        }
        2 => {
            let a = rng.below(out.len());
            let b = (a + rng.below(256)).min(out.len());
            let slice = out[a..b].to_vec();
            let at = rng.below(out.len());
            out.splice(at..at, slice);
            "a slice duplicated"
        }
        3 => {
            out.extend_from_slice(bytes);
            "the whole file twice"
        }
        4 | 5 => {
            let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            if kind == 4 {
                lines.swap(i, j);
            } else if !lines.is_empty() {
                lines.remove(i);
            }
            out = lines.join(&b'\n');
            if kind == 4 {
                "lines swapped"
            } else {
                "a line dropped"
            }
        }
        6 => {
            let junk: &[&[u8]] = &[
                b"\"",
                b",,,,",
                b"\xff\xfe",
                b"1e999",
                b"-1",
                b"NaN",
                b"{",
                b"]",
                b"\n\n",
                b"\0",
                b"99999999999999999999999999999999",
            ];
            let at = rng.below(out.len());
            let piece = junk[rng.below(junk.len())].to_vec();
            out.splice(at..at, piece);
            "junk inserted"
        }
        _ => {
            // A number replaced by an extreme one.
            if let Some(i) = out.iter().position(u8::is_ascii_digit) {
                let start = i + rng.below(out.len() - i);
                if let Some(s) = out[start..].iter().position(u8::is_ascii_digit) {
                    let at = start + s;
                    out.splice(at..=at, b"-1e308".iter().copied());
                }
            }
            "a number made extreme"
        }
    };
    (what.to_owned(), out)
}

/// One reader: its fixtures and the arguments that feed a file to it.
struct Reader {
    name: &'static str,
    fixtures: Vec<PathBuf>,
    /// Arguments before the file; `{ws}` is the workspace copy.
    args: &'static [&'static str],
    /// Whether the command writes the workspace (then a refusal must leave it unchanged).
    imports: bool,
}

fn files_in(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let root = support::repo_root().join(dir);
    let mut out: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.ends_with(".md") && keep(n))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn readers() -> Vec<Reader> {
    let any = |_: &str| true;
    vec![
        Reader {
            name: "workspace YAML",
            fixtures: files_in("workspaces", any),
            args: &["compute"],
            imports: false,
        },
        Reader {
            name: "traces (CSV, JSONL, OTLP, provider usage, Parquet)",
            fixtures: files_in("tests/fixtures/traces", |n| !n.ends_with(".mapping.json")),
            args: &["import", "traces", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "load tests",
            fixtures: files_in("tests/fixtures/loadtests", any),
            args: &[
                "import",
                "loadtest",
                "--into",
                "{ws}",
                "--workload",
                "support-chat",
            ],
            imports: true,
        },
        Reader {
            name: "invoices (FOCUS and plain)",
            fixtures: files_in("tests/fixtures/invoices", any),
            args: &["import", "invoice", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "evals",
            fixtures: files_in("tests/fixtures/evals", |n| n.starts_with("eval")),
            args: &["import", "evals", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "reviews",
            fixtures: files_in("tests/fixtures/evals", |n| !n.starts_with("eval")),
            args: &["import", "reviews", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "contracts",
            fixtures: files_in("tests/fixtures/contracts", any),
            args: &["import", "contract", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "model config.json",
            fixtures: files_in("tests/fixtures/hf_config", |n| n.ends_with(".json")),
            args: &["import", "model-config", "--into", "{ws}"],
            imports: true,
        },
        Reader {
            name: "price books (LiteLLM, genai-prices, OpenRouter)",
            fixtures: files_in("tests/fixtures/prices", any),
            args: &["import", "prices", "--into", "{ws}"],
            imports: true,
        },
    ]
}

fn debris(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".tmp-") || n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Runs `lcpr` with `args` under the time and memory bound; the exit code, or why not.
fn run_bounded(args: &[String]) -> Result<(Option<i32>, String), String> {
    let mut line = format!("ulimit -v {MEMORY_LIMIT_KIB} 2>/dev/null; exec \"$0\"");
    for i in 0..args.len() {
        line.push_str(&format!(" \"${}\"", i + 1));
    }
    let stderr_file = std::env::temp_dir().join(format!("lcpr-fuzz-err-{}", std::process::id()));
    let err = std::fs::File::create(&stderr_file).map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .arg(LCPR)
        .args(args)
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let text = std::fs::read_to_string(&stderr_file).unwrap_or_default();
            return Ok((status.code(), text));
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn every_reader_survives_mutated_fixtures_and_a_refusal_changes_nothing() {
    let cases: usize = std::env::var("LCPR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("LCPR_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1c0f_fee5);
    let mut rng = Rng(seed | 1);
    let dir = std::env::temp_dir().join(format!("lcpr-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("in")).expect("scratch");
    let ws = dir.join("w.yaml");
    let original = std::fs::read(support::repo_root().join("workspaces/support-migration.yaml"))
        .expect("default workspace");
    let mut failures = Vec::new();
    let mut runs = 0;
    for reader in readers() {
        assert!(!reader.fixtures.is_empty(), "{}: no fixtures", reader.name);
        for fixture in &reader.fixtures {
            let bytes = std::fs::read(fixture).expect("fixture");
            let name = fixture.file_name().expect("name").to_owned();
            for _ in 0..cases {
                let (what, mutated) = mutate(&bytes, &mut rng);
                let input = dir.join("in").join(&name);
                std::fs::write(&input, &mutated).expect("write case");
                std::fs::write(&ws, &original).expect("workspace copy");
                let mut args: Vec<String> = reader
                    .args
                    .iter()
                    .map(|a| a.replace("{ws}", &ws.display().to_string()))
                    .collect();
                args.push(input.display().to_string());
                runs += 1;
                let case = format!("{} · {} ({what})", reader.name, fixture.display());
                match run_bounded(&args) {
                    Err(why) => failures.push(format!("{case}: {why}")),
                    Ok((code, stderr)) => {
                        if code.is_none() || code == Some(101) || stderr.contains("panicked") {
                            failures.push(format!("{case}: crashed ({code:?}): {stderr}"));
                        } else if code != Some(0) {
                            if stderr.trim().is_empty() {
                                failures.push(format!("{case}: refused without a message"));
                            }
                            if reader.imports
                                && std::fs::read(&ws).ok().as_deref() != Some(&original[..])
                            {
                                failures
                                    .push(format!("{case}: refused, but the workspace changed"));
                            }
                        }
                        let left = debris(&dir);
                        if !left.is_empty() {
                            failures.push(format!("{case}: left {left:?}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
