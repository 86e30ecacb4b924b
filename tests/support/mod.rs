//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// The repository root (the tests live in `<root>/tests`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Runs the `lcpr` binary with `args`: (succeeded, stdout, stderr). Only the app's tests have
/// the binary; the core's tests that share this module never call it.
pub fn lcpr(args: &[&str]) -> (bool, String, String) {
    let Some(bin) = option_env!("CARGO_BIN_EXE_lcpr") else {
        panic!("this test is not built with the lcpr binary");
    };
    let out = std::process::Command::new(bin)
        .args(args)
        .output()
        .expect("lcpr runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One case of the `lcpr calc` conformance file.
pub struct Case {
    pub id: String,
    pub kind: String,
    pub input: Value,
    pub expect: Option<Value>,
}

/// Reads `tests/conformance/calc-cases.json`.
pub fn calc_cases() -> Vec<Case> {
    let path = repo_root().join("tests/conformance/calc-cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("calc-cases.json is JSON");
    assert!(!cases.is_empty(), "no conformance cases");
    cases
        .into_iter()
        .map(|c| Case {
            id: c["id"].as_str().expect("id").to_owned(),
            kind: c["kind"].as_str().expect("kind").to_owned(),
            input: c["input"].clone(),
            expect: if c.get("expect_error").and_then(Value::as_bool) == Some(true) {
                None
            } else {
                Some(c["expect"].clone())
            },
        })
        .collect()
}

/// Numbers match at relative 1e-9 or absolute 1e-12; `null` means not finite; objects match
/// on the expected keys. Returns the first mismatch as a path and both values.
pub fn mismatch(got: &Value, want: &Value, path: &str) -> Option<String> {
    match (got, want) {
        (_, Value::Object(w)) => {
            let Value::Object(g) = got else {
                return Some(format!("{path}: got {got}, want an object"));
            };
            w.iter().find_map(|(k, v)| match g.get(k) {
                None => Some(format!("{path}.{k}: missing")),
                Some(gv) => mismatch(gv, v, &format!("{path}.{k}")),
            })
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => g
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (a, b))| mismatch(a, b, &format!("{path}[{i}]"))),
        (Value::Number(g), Value::Number(w)) => {
            let (a, b) = (
                g.as_f64().unwrap_or(f64::NAN),
                w.as_f64().unwrap_or(f64::NAN),
            );
            let ok = (a - b).abs() <= (1e-9 * a.abs().max(b.abs())).max(1e-12);
            (!ok).then(|| format!("{path}: got {a}, want {b}"))
        }
        _ => (got != want).then(|| format!("{path}: got {got}, want {want}")),
    }
}
