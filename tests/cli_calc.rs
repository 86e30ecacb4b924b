//! `lcpr calc` end to end: the conformance cases through the built binary, exit codes and
//! the one-line error contract.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn lcpr(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lcpr"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lcpr starts");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    // A command refused before it reads stdin (a usage error) closes the pipe first.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("lcpr finishes")
}

#[test]
fn every_case_matches_through_the_binary() {
    let mut failures = Vec::new();
    for case in support::calc_cases() {
        let out = lcpr(&["calc", &case.kind], &case.input.to_string());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "{}: panicked: {stderr}",
            case.id
        );
        match &case.expect {
            Some(want) => {
                if !out.status.success() {
                    failures.push(format!(
                        "{}: exit {:?}: {stderr}",
                        case.id,
                        out.status.code()
                    ));
                    continue;
                }
                let got: serde_json::Value = match serde_json::from_slice(&out.stdout) {
                    Ok(v) => v,
                    Err(e) => {
                        failures.push(format!("{}: stdout is not JSON: {e}", case.id));
                        continue;
                    }
                };
                if let Some(why) = support::mismatch(&got, want, "") {
                    failures.push(format!("{}: {why}", case.id));
                }
            }
            None => {
                if out.status.code() != Some(2) {
                    failures.push(format!(
                        "{}: want exit 2, got {:?}",
                        case.id,
                        out.status.code()
                    ));
                }
                if !out.stdout.is_empty() {
                    failures.push(format!("{}: wrote to stdout on refusal", case.id));
                }
                if stderr.trim().lines().count() != 1 {
                    failures.push(format!("{}: stderr is not one line: {stderr:?}", case.id));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refusal_names_field_and_rule() {
    let input = r#"{"profile": {"avg_input_tokens": 800, "avg_output_tokens": 400,
        "monthly_requests": 1000, "retry_rate": 1.5, "quality_gate_pass_rate": 0.9},
        "pricing": {"name": "x", "deployment_mode": "closed_api", "input_rate_per_m": 1}}"#;
    let out = lcpr(&["calc", "lcpr"], input);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("profile.retry_rate must lie in [0, 1], got 1.5"),
        "{stderr}"
    );
}

#[test]
fn garbage_and_empty_input_are_refused_cleanly() {
    for input in ["", "not json", "[1, 2]", "{\"factors\": 3}", "{} {}"] {
        let out = lcpr(&["calc", "readiness"], input);
        assert_eq!(out.status.code(), Some(2), "input {input:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"));
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn every_command_has_help() {
    for args in [vec!["--help"], vec!["calc", "--help"]] {
        let out = lcpr(&args, "");
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage"), "{text}");
    }
    let out = lcpr(&["calc", "--help"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    for kind in [
        "lcpr",
        "break-even",
        "goodput",
        "trace-to-margin",
        "kv-sizing",
        "cache-break-even",
        "sensitivity",
        "readiness",
        "payback",
    ] {
        assert!(text.contains(kind), "help lacks {kind}");
    }
}

#[test]
fn unknown_kind_is_a_usage_error() {
    let out = lcpr(&["calc", "nonsense"], "{}");
    assert_eq!(out.status.code(), Some(2));
}

fn hf(name: &str) -> String {
    support::repo_root()
        .join("tests/fixtures/hf_config")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn kv_json(args: &[&str]) -> serde_json::Value {
    let out = lcpr(args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn kv_sizing_prints_bytes_per_layer_type_at_the_context() {
    // Gemma-2-27B at 8,192 tokens: 23 sliding layers hold 4,096 tokens, 23 full ones 8,192;
    // 8,192 B per layer per token (2 × 16 × 128 × 2):
    // 23 × 8,192 × 4,096 + 23 × 8,192 × 8,192 = 2,315,255,808 B.
    let config = hf("gemma-2-27b.config.json");
    let v = kv_json(&[
        "kv-sizing",
        "--config",
        &config,
        "--context",
        "8192",
        "--json",
    ]);
    assert_eq!(v["kv_bytes"], 2_315_255_808.0);
    assert_eq!(v["layer_types"][0]["layer_type"], "sliding_attention");
    assert_eq!(v["layer_types"][0]["bytes_per_token"], 188_416.0);
    assert_eq!(v["layer_types"][0]["resident_tokens"], 4096.0);
    assert_eq!(v["layer_types"][1]["layer_type"], "full_attention");
    // A window above the context is full attention: 46 × 8,192 × 2,048 at 2,048 tokens.
    let v = kv_json(&[
        "kv-sizing",
        "--config",
        &config,
        "--context",
        "2048",
        "--json",
    ]);
    assert_eq!(v["kv_bytes"], 771_751_936.0);
    // --kv-dtype fp8 halves it.
    let v = kv_json(&[
        "kv-sizing",
        "--config",
        &config,
        "--context",
        "2048",
        "--kv-dtype",
        "fp8",
        "--json",
    ]);
    assert_eq!(v["kv_bytes"], 385_875_968.0);
    // Llama-3.1-70B: 327,680 B per token, × 4,096 (the default context) = 1,342,177,280.
    let v = kv_json(&[
        "kv-sizing",
        "--config",
        &hf("Llama-3.1-70B-Instruct.config.json"),
        "--json",
    ]);
    assert_eq!(v["kv_bytes_per_token_short_context"], 327_680.0);
    assert_eq!(v["kv_bytes"], 1_342_177_280.0);
    // Text output names each layer type and the total.
    let out = lcpr(&["kv-sizing", "--config", &config, "--context", "8192"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sliding_attention"), "{text}");
    assert!(text.contains("kv_bytes: 2315255808"), "{text}");
}

#[test]
fn kv_sizing_refusals_name_the_key() {
    // gpt-oss-20b names no dtype: exit 2, naming torch_dtype and --kv-dtype.
    let out = lcpr(
        &["kv-sizing", "--config", &hf("gpt-oss-20b.config.json")],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gpt-oss-20b.config.json: torch_dtype"),
        "{err}"
    );
    assert!(err.contains("--kv-dtype"), "{err}");
    let out = lcpr(
        &[
            "kv-sizing",
            "--config",
            &hf("gpt-oss-20b.config.json"),
            "--kv-dtype",
            "int3",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    // With a dtype it is sized: 12 × 2,048 × 128 + 12 × 2,048 × 8,192 = 204,472,320 B.
    let v = kv_json(&[
        "kv-sizing",
        "--config",
        &hf("gpt-oss-20b.config.json"),
        "--kv-dtype",
        "bf16",
        "--context",
        "8192",
        "--json",
    ]);
    assert_eq!(v["kv_bytes"], 204_472_320.0);
}

#[test]
fn an_imported_model_config_sizes_the_migration_gate_per_context() {
    let dir = std::env::temp_dir().join(format!("lcpr-kv-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ws = dir.join("w.yaml");
    std::fs::copy(
        support::repo_root().join("workspaces/support-migration.yaml"),
        &ws,
    )
    .unwrap();
    let out = lcpr(
        &[
            "import",
            "model-config",
            &hf("gemma-2-27b.config.json"),
            "--into",
            ws.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = lcpr_core::document::load(&ws)
        .unwrap()
        .migration
        .unwrap()
        .model
        .unwrap();
    assert_eq!(m.layer_groups.len(), 2);
    // The case's budget stays: 40 GB pool, 10% headroom, 8,192 tokens. Per sequence
    // 2,315,255,808 B (see above): 36e9 ÷ that = 15.5 → 15 live sequences; counting every
    // layer as full (46 × 8,192 × 8,192 = 3,087,007,744 B) would say 11.
    let k = lcpr_core::calc::kv_sizing::kv_sizing(&m.kv_shape()).unwrap();
    assert_eq!(k.max_live_sequences, 15.0);
    let _ = std::fs::remove_dir_all(&dir);
}
