//! `lcpr calc KIND`: one computation, JSON on stdin, JSON on stdout; `lcpr kv-sizing`: the
//! KV cache a model's `config.json` implies.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use lcpr_core::calc::run::{self as calc, CalcKind};
use lcpr_core::evidence::hf_config::{dtype_bytes, kv_inputs_with_kv_dtype};

use super::EXIT_INVALID_INPUT;

pub fn kind_parser() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(CalcKind::ALL.map(CalcKind::name))
}

pub fn kinds_help() -> String {
    let mut text = String::from("Kinds:\n");
    for k in CalcKind::ALL {
        text.push_str(&format!("  {:<17} {}\n", k.name(), k.summary()));
    }
    text.push_str("\nExample:\n  echo '{\"current_monthly_cost\": 10000, \"projected_monthly_cost\": 4000, \"engineering_investment\": 12000}' | lcpr calc payback");
    text
}

/// Runs one computation on stdin.
pub fn run_calc(kind: &str) -> ExitCode {
    let Some(kind) = CalcKind::from_name(kind) else {
        eprintln!("lcpr calc: unknown kind {kind:?}");
        return ExitCode::from(EXIT_INVALID_INPUT);
    };
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("lcpr calc {}: could not read stdin: {e}", kind.name());
        return ExitCode::from(EXIT_INVALID_INPUT);
    }
    if kind == CalcKind::Sensitivity {
        return run_sweep(&input);
    }
    match calc::run(kind, &input) {
        Ok(result) => match serde_json::to_string_pretty(&result) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr calc {}: could not write the result: {e}", kind.name());
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("lcpr calc {}: {e}", kind.name());
            ExitCode::from(EXIT_INVALID_INPUT)
        }
    }
}

/// Writes a sensitivity sweep point by point as it computes them, so a long sweep holds its
/// input values but not its points (the same bytes as the whole result written at once).
fn run_sweep(input: &str) -> ExitCode {
    use std::io::Write;
    let name = CalcKind::Sensitivity.name();
    let sweep = match calc::SweepInput::read(input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("lcpr calc {name}: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, &sweep.sweep())
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lcpr calc {name}: could not write the result: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the KV cache of the model `config` describes, for one sequence of `context` tokens.
pub fn run_kv_sizing(config: &Path, kv_dtype: Option<&str>, context: u64, json: bool) -> ExitCode {
    let name = config.display();
    if context == 0 {
        eprintln!("lcpr kv-sizing: --context must be a whole number of tokens > 0, got 0");
        return ExitCode::from(EXIT_INVALID_INPUT);
    }
    if let Some(d) = kv_dtype.filter(|d| dtype_bytes(d).is_none()) {
        eprintln!(
            "lcpr kv-sizing: --kv-dtype must be bf16, fp16, fp32 or an fp8 type (fp8, float8_e4m3fn, …), got {d:?}"
        );
        return ExitCode::from(EXIT_INVALID_INPUT);
    }
    let text = match std::fs::read_to_string(config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lcpr kv-sizing: {name}: could not read: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let inputs = match kv_inputs_with_kv_dtype(&text, kv_dtype) {
        Ok(i) => i,
        Err(e) => {
            let what = if e.field.is_empty() {
                e.rule
            } else {
                format!("{} {}", e.field, e.rule)
            };
            eprintln!("lcpr kv-sizing: {name}: {what}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let ctx = context as f64;
    let layer_types = inputs.by_layer_type(ctx);
    let kv_bytes = inputs.kv_bytes_at(ctx);
    if json {
        let out = serde_json::json!({
            "config": name.to_string(),
            "model_type": inputs.model_type,
            "read_from": inputs.read_from,
            "kv_dtype": inputs.dtype,
            "element_bytes": inputs.element_bytes,
            "context": context,
            "layers": inputs.n_layers,
            "cross_attention_layers_excluded": inputs.cross_attention_layers,
            "layer_types": layer_types,
            "kv_bytes_per_token_short_context": inputs.bytes_per_token(),
            "kv_bytes": kv_bytes,
            "kv_bytes_per_token_at_context": kv_bytes / ctx,
            "notes": inputs.notes,
        });
        return match serde_json::to_string_pretty(&out) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr kv-sizing: could not write the result: {e}");
                ExitCode::FAILURE
            }
        };
    }
    println!(
        "{name}: {} ({}), KV cache in {} ({} bytes per element), context {context} tokens",
        inputs
            .model_type
            .as_deref()
            .unwrap_or("model_type not given"),
        inputs.read_from,
        inputs.dtype,
        inputs.element_bytes
    );
    println!(
        "{:<18} {:>6} {:>8} {:>16} {:>16} {:>10} {:>18}",
        "layer type", "layers", "window", "B/token/layer", "B/token", "resident", "kv_bytes"
    );
    for t in &layer_types {
        println!(
            "{:<18} {:>6} {:>8} {:>16} {:>16} {:>10} {:>18}",
            t.layer_type,
            t.layers,
            t.window.map_or_else(|| "-".to_owned(), |w| w.to_string()),
            t.bytes_per_token_per_layer,
            t.bytes_per_token,
            t.resident_tokens,
            t.kv_bytes
        );
    }
    if inputs.cross_attention_layers > 0 {
        println!(
            "cross_attention    {:>6} (no per-token cache; left out)",
            inputs.cross_attention_layers
        );
    }
    println!(
        "kv_bytes: {kv_bytes} for one sequence of {context} tokens ({} bytes per token on average)",
        kv_bytes / ctx
    );
    for n in &inputs.notes {
        println!("note: {n}");
    }
    ExitCode::SUCCESS
}
