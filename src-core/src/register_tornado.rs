//! The register-driven tornado: each bound register entry moved to its low and its high with
//! every other entry at its value, and the scenario's LCPR recomputed each time.
//!
//! Uses the generic one-at-a-time [`crate::tornado`]; this module supplies the workspace model.

use crate::document::Workspace;
use crate::error::{InputError, InputResult};
use crate::evaluation::{apply_register, cost_of};
use crate::monte_carlo::UncertainInput;
use crate::tornado::{Tornado, tornado};

/// The register entries that bind an input, as uncertain inputs (id = entry id).
#[must_use]
pub fn register_inputs(ws: &Workspace) -> Vec<UncertainInput> {
    ws.register
        .iter()
        .filter(|e| e.binds.is_some())
        .map(|e| UncertainInput {
            id: e.id.clone(),
            base: e.value,
            low: e.low,
            high: e.high,
            distribution: e.distribution,
        })
        .collect()
}

/// Evaluates a scenario's LCPR with the bound register entries set to `values` (in the order
/// of [`register_inputs`]).
pub fn lcpr_with(ws: &Workspace, scenario_id: &str, values: &[f64]) -> InputResult<f64> {
    let mut w = ws.clone();
    let bound = ws
        .register
        .iter()
        .filter_map(|e| e.binds.as_ref().map(|b| (e, b)));
    for ((entry, binding), value) in bound.zip(values) {
        w.write_binding(binding, *value)
            .map_err(|e| e.within(&format!("register entry {}", entry.id)))?;
    }
    cost_of(&w, scenario_id).map(|c| c.lcpr)
}

/// The tornado of a scenario's LCPR over the register.
pub fn scenario_tornado(ws: &Workspace, scenario_id: &str) -> InputResult<Tornado> {
    let inputs = register_inputs(ws);
    if inputs.is_empty() {
        return Err(InputError::new(
            "register",
            "has no entry bound to an input; bind entries to move them",
        ));
    }
    let (base, _) = apply_register(ws);
    tornado(&inputs, "LCPR", |values| {
        lcpr_with(&base, scenario_id, values)
    })
}

/// A register entry's label, for chart bars (its id when it has none).
#[must_use]
pub fn entry_label(ws: &Workspace, id: &str) -> String {
    ws.register.iter().find(|e| e.id == id).map_or_else(
        || id.to_owned(),
        |e| {
            if e.label.is_empty() {
                e.id.clone()
            } else {
                e.label.clone()
            }
        },
    )
}
