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
