//! The `lcpr calc` conformance cases, run against the library.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use lcpr_core::calc::run::{self as calc, CalcKind};

#[test]
fn every_case_matches_through_the_library() {
    let mut failures = Vec::new();
    let cases = support::calc_cases();
    for case in &cases {
        let kind = CalcKind::from_name(&case.kind)
            .unwrap_or_else(|| panic!("{}: unknown kind {}", case.id, case.kind));
        let result = calc::run(kind, &case.input.to_string());
        match (&case.expect, result) {
            (Some(want), Ok(got)) => {
                if let Some(why) = support::mismatch(&got, want, "") {
                    failures.push(format!("{}: {why}", case.id));
                }
            }
            (Some(_), Err(e)) => failures.push(format!("{}: refused: {e}", case.id)),
            (None, Ok(got)) => failures.push(format!("{}: accepted, gave {got}", case.id)),
            (None, Err(e)) => {
                if e.to_string().trim().is_empty() {
                    failures.push(format!("{}: refused without a message", case.id));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_comparison_itself_can_fail() {
    let got = serde_json::json!({"lcpr": 1.0, "x": null});
    assert!(support::mismatch(&got, &serde_json::json!({"lcpr": 1.000_001}), "").is_some());
    assert!(support::mismatch(&got, &serde_json::json!({"lcpr": 1.0, "x": 2.0}), "").is_some());
    assert!(support::mismatch(&got, &serde_json::json!({"missing": 1}), "").is_some());
    assert!(support::mismatch(&got, &serde_json::json!({"lcpr": 1.0, "x": null}), "").is_none());
}
