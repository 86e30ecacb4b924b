//! `lcpr diff OLD NEW [--json]`: what changed in a colleague's copy of a workspace, and how
//! much of each scenario's LCPR change each changed input explains.

use std::path::Path;
use std::process::ExitCode;

use lcpr_core::decide::diff::{InputChange, diff};
use lcpr_core::money::format_usd;

use super::EXIT_INVALID_INPUT;

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "not set".to_owned(), |x| format!("{x}"))
}

fn signed_usd(v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "+" };
    format!("{sign}{}", format_usd(v.abs(), 4))
}

fn describe(c: &InputChange) -> String {
    let evidence = match (&c.register_entry, c.status) {
        (Some(e), Some(s)) => format!("  (register {e}, {})", s.label()),
        (Some(e), None) => format!("  (register {e})"),
        _ => String::new(),
    };
    // Money reads as money: `$0.004 → $0.008`, `$2500 → $3500 /month`.
    let (prefix, unit) = match c.unit.strip_prefix('$') {
        Some(rest) => ("$", rest.trim().to_owned()),
        None => ("", c.unit.clone()),
    };
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    let shown = |v: Option<f64>| match v {
        Some(_) => format!("{prefix}{}", value(v)),
        None => value(v),
    };
    format!(
        "{}: {} → {}{unit}{evidence}",
        c.path,
        shown(c.old),
        shown(c.new)
    )
}

/// Runs `lcpr diff`.
pub fn run_diff(old_file: &Path, new_file: &Path, json: bool) -> ExitCode {
    let load = |p: &Path| lcpr_core::document::load(p);
    let (old, new) = match (load(old_file), load(new_file)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("lcpr diff: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let d = diff(&old, &new);
    if json {
        let value = serde_json::json!({
            "old": old_file.display().to_string(),
            "new": new_file.display().to_string(),
            "diff": d,
        });
        return match serde_json::to_string_pretty(&value) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr diff: cannot write JSON: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut out = format!(
        "What changed from {} to {}\n",
        old_file.display(),
        new_file.display()
    );
    if d.changes.is_empty() && d.structural.is_empty() {
        out.push_str("  nothing that changes a number\n");
    }
    for c in &d.changes {
        out.push_str(&format!("  {}\n", describe(c)));
    }
    for s in &d.structural {
        out.push_str(&format!("  {s}\n"));
    }
    out.push_str("\nLCPR by scenario, and what moved it (inputs applied one at a time, in the order above)\n");
    for s in &d.scenarios {
        let total = s.new_lcpr - s.old_lcpr;
        out.push_str(&format!(
            "  {} ({}): {} → {} ({})\n",
            s.name,
            s.id,
            format_usd(s.old_lcpr, 4),
            format_usd(s.new_lcpr, 4),
            signed_usd(total)
        ));
        for step in &s.steps {
            if let Some(c) = d.changes.get(step.change) {
                out.push_str(&format!("      {}  {}\n", signed_usd(step.delta), c.path));
            }
        }
        // Float dust from summing the steps is not a remainder worth a line.
        if s.remainder.abs() > 1e-9 {
            out.push_str(&format!(
                "      {}  not explained by the inputs above (items added, removed or re-pointed)\n",
                signed_usd(s.remainder)
            ));
        }
    }
    for n in &d.not_compared {
        out.push_str(&format!("  {n}\n"));
    }
    print!("{out}");
    ExitCode::SUCCESS
}
