//! What changed between two versions of a workspace, and how much of each scenario's LCPR
//! change each changed input explains.
//!
//! Inputs are compared as the computation sees them (register values applied), so a changed
//! register entry shows as the input it binds. The change in a scenario's LCPR is attributed by
//! applying the changed inputs to the old workspace one at a time, in document order; what the
//! inputs do not explain (a scenario pointed at another route, a new rate card, a changed kind)
//! is the remainder, so the parts always sum to the whole.

use serde::Serialize;

use crate::document::evidence_status::EvidenceStatus;

use crate::case::evaluation::{apply_register, evaluate_as_is};
use crate::document::{
    BindingTarget, FieldRef, MixField, RateCardField, RouteField, Workload, WorkloadField,
    Workspace,
};

/// Where an input lives: its target, the item's id and the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSite {
    /// A workload's field.
    Workload,
    /// A scenario's override.
    Scenario,
    /// A rate card's field.
    RateCard,
    /// A route's field.
    Route,
}

/// One input whose value differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputChange {
    /// `workloads.support-chat.retry_rate`, `scenarios.s1.overrides.retry_rate`, …
    pub path: String,
    /// What kind of item holds it.
    pub site: InputSite,
    /// The item's id.
    pub id: String,
    /// The field's file name.
    pub field: String,
    /// Its label.
    pub label: String,
    /// Its unit.
    pub unit: String,
    /// The old value (`None`: not set).
    pub old: Option<f64>,
    /// The new value (`None`: no longer set).
    pub new: Option<f64>,
    /// The register entry that supplies it in the new file (else the old), if any.
    pub register_entry: Option<String>,
    /// That entry's evidence status.
    pub status: Option<EvidenceStatus>,
}

/// One step of a scenario's attribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Index into [`WorkspaceDiff::changes`].
    pub change: usize,
    /// The change in LCPR when this input took its new value, in dollars per accepted result.
    pub delta: f64,
}

/// A scenario's LCPR, old and new, and the change attributed to the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioChange {
    /// Scenario id.
    pub id: String,
    /// Its name (in the new file).
    pub name: String,
    /// LCPR in the old file.
    pub old_lcpr: f64,
    /// LCPR in the new file.
    pub new_lcpr: f64,
    /// The inputs that moved it (non-zero steps only), in the order applied.
    pub steps: Vec<Step>,
    /// What the inputs do not explain.
    pub remainder: f64,
}

/// Everything that differs between two workspaces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkspaceDiff {
    /// Changed numeric inputs, in document order.
    pub changes: Vec<InputChange>,
    /// Items added, removed or re-pointed, in words.
    pub structural: Vec<String>,
    /// Scenarios in both files whose LCPR could be computed in both.
    pub scenarios: Vec<ScenarioChange>,
    /// Scenarios only one file can cost, with why.
    pub not_compared: Vec<String>,
}

fn workload_values(w: &Workload) -> Vec<(WorkloadField, f64)> {
    WorkloadField::ALL.iter().map(|f| (*f, w.get(*f))).collect()
}

fn changed(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.to_bits() != y.to_bits() && x != y,
        (None, None) => false,
        _ => true,
    }
}

/// The register entry binding (`target`, `id`, `field`), in `new` or else `old`.
fn entry_for(
    new: &Workspace,
    old: &Workspace,
    target: BindingTarget,
    id: &str,
    field: &str,
) -> Option<(String, EvidenceStatus)> {
    [new, old].iter().find_map(|ws| {
        ws.register.iter().find_map(|e| {
            let b = e.binds.as_ref()?;
            (b.target == target && b.id == id && b.field == field).then(|| (e.id.clone(), e.status))
        })
    })
}

/// The changed inputs between the resolved `old` and `new`, in document order of `new`.
fn input_changes(
    old: &Workspace,
    new: &Workspace,
    raw_old: &Workspace,
    raw_new: &Workspace,
) -> Vec<InputChange> {
    let mut out = Vec::new();
    let mut push = |site: InputSite,
                    target: BindingTarget,
                    id: &str,
                    path: String,
                    field: &str,
                    (label, unit): (&str, &str),
                    (a, b): (Option<f64>, Option<f64>)| {
        if !changed(a, b) {
            return;
        }
        let entry = entry_for(raw_new, raw_old, target, id, field);
        out.push(InputChange {
            path,
            site,
            id: id.to_owned(),
            field: field.to_owned(),
            label: label.to_owned(),
            unit: unit.to_owned(),
            old: a,
            new: b,
            register_entry: entry.as_ref().map(|(e, _)| e.clone()),
            status: entry.map(|(_, s)| s),
        });
    };
    for w in &new.workloads {
        let Some(o) = old.workload(&w.id) else {
            continue;
        };
        for ((f, b), (_, a)) in workload_values(w).into_iter().zip(workload_values(o)) {
            push(
                InputSite::Workload,
                BindingTarget::Workload,
                &w.id,
                format!("workloads.{}.{}", w.id, f.name()),
                f.name(),
                (f.label(), f.unit()),
                (Some(a), Some(b)),
            );
        }
    }
    for s in &new.scenarios {
        let Some(o) = old.scenario(&s.id) else {
            continue;
        };
        for f in WorkloadField::ALL {
            let (a, b) = (o.overrides.get(f).copied(), s.overrides.get(f).copied());
            push(
                InputSite::Scenario,
                BindingTarget::Scenario,
                &s.id,
                format!("scenarios.{}.overrides.{}", s.id, f.name()),
                f.name(),
                (f.label(), f.unit()),
                (a, b),
            );
        }
    }
    // A mix's own inputs, when both sides have the same shape (a changed shape is structural).
    for s in &new.scenarios {
        let Some(o) = old.scenario(&s.id) else {
            continue;
        };
        let (Some(a), Some(b)) = (&o.mix, &s.mix) else {
            continue;
        };
        if std::mem::discriminant(a) != std::mem::discriminant(b) {
            continue;
        }
        for f in MixField::ALL {
            push(
                InputSite::Scenario,
                BindingTarget::Scenario,
                &s.id,
                format!("scenarios.{}.mix.{}", s.id, f.name()),
                f.name(),
                (f.label(), f.unit()),
                (a.get(*f), b.get(*f)),
            );
        }
    }
    for c in &new.rate_cards {
        let Some(o) = old.rate_card(&c.id) else {
            continue;
        };
        for f in RateCardField::ALL {
            push(
                InputSite::RateCard,
                BindingTarget::RateCard,
                &c.id,
                format!("rate_cards.{}.{}", c.id, f.name()),
                f.name(),
                (f.label(), f.unit()),
                (o.get(*f), c.get(*f)),
            );
        }
    }
    for r in &new.routes {
        let Some(o) = old.route(&r.id) else { continue };
        for f in RouteField::ALL {
            push(
                InputSite::Route,
                BindingTarget::Route,
                &r.id,
                format!("routes.{}.{}", r.id, f.name()),
                f.name(),
                (f.label(), f.unit()),
                (Some(o.get(*f)), Some(r.get(*f))),
            );
        }
    }
    out
}

/// Items only one side has, and scenarios pointed elsewhere.
fn structural(old: &Workspace, new: &Workspace) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = |what: &str, a: Vec<&str>, b: Vec<&str>| {
        for id in &b {
            if !a.contains(id) {
                out.push(format!("{what} {id} added"));
            }
        }
        for id in &a {
            if !b.contains(id) {
                out.push(format!("{what} {id} removed"));
            }
        }
    };
    ids(
        "workload",
        old.workloads.iter().map(|w| w.id.as_str()).collect(),
        new.workloads.iter().map(|w| w.id.as_str()).collect(),
    );
    ids(
        "scenario",
        old.scenarios.iter().map(|s| s.id.as_str()).collect(),
        new.scenarios.iter().map(|s| s.id.as_str()).collect(),
    );
    ids(
        "route",
        old.routes.iter().map(|r| r.id.as_str()).collect(),
        new.routes.iter().map(|r| r.id.as_str()).collect(),
    );
    ids(
        "rate card",
        old.rate_cards.iter().map(|c| c.id.as_str()).collect(),
        new.rate_cards.iter().map(|c| c.id.as_str()).collect(),
    );
    ids(
        "register entry",
        old.register.iter().map(|e| e.id.as_str()).collect(),
        new.register.iter().map(|e| e.id.as_str()).collect(),
    );
    for s in &new.scenarios {
        let Some(o) = old.scenario(&s.id) else {
            continue;
        };
        if o.route != s.route {
            out.push(format!(
                "scenario {}: route {} → {}",
                s.id, o.route, s.route
            ));
        }
        if o.workload != s.workload {
            out.push(format!(
                "scenario {}: workload {} → {}",
                s.id, o.workload, s.workload
            ));
        }
        let shape = |m: &Option<crate::document::Mix>| {
            m.as_ref().map_or("one route", crate::case::mix::shape_name)
        };
        if shape(&o.mix) != shape(&s.mix) {
            out.push(format!(
                "scenario {}: shape {} → {}",
                s.id,
                shape(&o.mix),
                shape(&s.mix)
            ));
        } else if let (Some(a), Some(b)) = (&o.mix, &s.mix)
            && !same_but_inputs(a, b)
        {
            // Routes, overrides or the demand profile of the mix changed: no single input.
            out.push(format!("scenario {}: mix parts changed", s.id));
        }
        if o.status != s.status {
            out.push(format!(
                "scenario {}: status {} → {}",
                s.id,
                format!("{:?}", o.status).to_lowercase(),
                format!("{:?}", s.status).to_lowercase()
            ));
        }
    }
    for r in &new.routes {
        let Some(o) = old.route(&r.id) else { continue };
        if o.kind != r.kind {
            out.push(format!(
                "route {}: kind {} → {}",
                r.id,
                o.kind.label(),
                r.kind.label()
            ));
        }
        if o.rate_card != r.rate_card {
            out.push(format!(
                "route {}: rate card {} → {}",
                r.id, o.rate_card, r.rate_card
            ));
        }
    }
    for e in &new.register {
        let Some(o) = old.register.iter().find(|x| x.id == e.id) else {
            continue;
        };
        if o.status != e.status {
            out.push(format!(
                "register entry {}: evidence {} → {}",
                e.id,
                o.status.label(),
                e.status.label()
            ));
        }
    }
    out
}

/// Whether two mixes differ only in the inputs a register entry can bind (each listed as a
/// change of its own).
fn same_but_inputs(a: &crate::document::Mix, b: &crate::document::Mix) -> bool {
    let mut a = a.clone();
    for f in MixField::ALL {
        if let Some(v) = b.get(*f) {
            // A field this shape lacks cannot differ.
            a.set(*f, v).ok();
        }
    }
    a == *b
}

/// Gives `ws` the change's new value; false when it cannot be applied on its own.
fn apply(ws: &mut Workspace, c: &InputChange) -> bool {
    let target = match c.site {
        InputSite::Workload => BindingTarget::Workload,
        InputSite::Scenario => BindingTarget::Scenario,
        InputSite::RateCard => BindingTarget::RateCard,
        InputSite::Route => BindingTarget::Route,
    };
    let Some(new) = c.new else {
        // An override removed: the scenario falls back to its workload's value.
        if c.site == InputSite::Scenario
            && let (Some(f), Some(s)) = (
                WorkloadField::from_name(&c.field),
                ws.scenarios.iter_mut().find(|s| s.id == c.id),
            )
        {
            s.overrides.remove(&f);
            return true;
        }
        return false;
    };
    let binding = crate::document::Binding {
        target,
        id: c.id.clone(),
        field: c.field.clone(),
    };
    binding.field_ref().is_ok_and(|f| {
        matches!(
            (target, f),
            (
                BindingTarget::Workload | BindingTarget::Scenario,
                FieldRef::Workload(_)
            ) | (BindingTarget::RateCard, FieldRef::RateCard(_))
                | (BindingTarget::Route, FieldRef::Route(_))
                | (BindingTarget::Scenario, FieldRef::Mix(_))
        )
    }) && ws.write_binding(&binding, new).is_ok()
}

fn lcprs(ws: &Workspace) -> Vec<(String, Option<f64>)> {
    evaluate_as_is(ws)
        .scenarios
        .into_iter()
        .map(|s| (s.id, s.cost.map(|c| c.lcpr)))
        .collect()
}

fn lcpr_of(all: &[(String, Option<f64>)], id: &str) -> Option<f64> {
    all.iter().find(|(i, _)| i == id).and_then(|(_, v)| *v)
}

/// Compares `old` with `new`.
#[must_use]
pub fn diff(old: &Workspace, new: &Workspace) -> WorkspaceDiff {
    let (r_old, _) = apply_register(old);
    let (r_new, _) = apply_register(new);
    let changes = input_changes(&r_old, &r_new, old, new);
    let before = lcprs(&r_old);
    let after = lcprs(&r_new);
    // LCPR of every scenario after each change, applied cumulatively.
    let mut working = r_old.clone();
    let mut trail: Vec<Vec<(String, Option<f64>)>> = Vec::with_capacity(changes.len());
    for c in &changes {
        if apply(&mut working, c) {
            trail.push(lcprs(&working));
        } else {
            trail.push(trail.last().cloned().unwrap_or_else(|| before.clone()));
        }
    }
    let mut scenarios = Vec::new();
    let mut not_compared = Vec::new();
    for s in &r_new.scenarios {
        if r_old.scenario(&s.id).is_none() {
            continue;
        }
        let (Some(a), Some(b)) = (lcpr_of(&before, &s.id), lcpr_of(&after, &s.id)) else {
            not_compared.push(format!(
                "scenario {}: its LCPR cannot be computed in {}",
                s.id,
                if lcpr_of(&before, &s.id).is_none() {
                    "the old file"
                } else {
                    "the new file"
                }
            ));
            continue;
        };
        let mut steps = Vec::new();
        let mut prev = a;
        for (i, snapshot) in trail.iter().enumerate() {
            // A step that makes the scenario uncostable is left to the remainder.
            let Some(v) = lcpr_of(snapshot, &s.id) else {
                continue;
            };
            let delta = v - prev;
            if delta != 0.0 {
                steps.push(Step { change: i, delta });
            }
            prev = v;
        }
        scenarios.push(ScenarioChange {
            id: s.id.clone(),
            name: s.name.clone(),
            old_lcpr: a,
            new_lcpr: b,
            steps,
            remainder: b - prev,
        });
    }
    WorkspaceDiff {
        changes,
        structural: structural(old, new),
        scenarios,
        not_compared,
    }
}

fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "not set".to_owned(), |x| format!("{x}"))
}

/// A signed change in LCPR, to a hundredth of a cent.
fn signed_usd(v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "+" };
    format!("{sign}{}", crate::money::format_usd(v.abs(), 4))
}

impl InputChange {
    /// `workloads.w.ops_monthly_cost: $2500 → $3500 /month  (register e, measured)`.
    #[must_use]
    pub fn describe(&self) -> String {
        let evidence = match (&self.register_entry, self.status) {
            (Some(e), Some(s)) => format!("  (register {e}, {})", s.label()),
            (Some(e), None) => format!("  (register {e})"),
            _ => String::new(),
        };
        // Money reads as money: `$0.004 → $0.008`, `$2500 → $3500 /month`.
        let (prefix, unit) = match self.unit.strip_prefix('$') {
            Some(rest) => ("$", rest.trim()),
            None => ("", self.unit.as_str()),
        };
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        let value = |v: Option<f64>| match v {
            Some(_) => format!("{prefix}{}", shown(v)),
            None => shown(v),
        };
        format!(
            "{}: {} → {}{unit}{evidence}",
            self.path,
            value(self.old),
            value(self.new)
        )
    }
}

impl WorkspaceDiff {
    /// The diff in plain words, one line each, for the CLI and the GUI alike.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.changes.is_empty() && self.structural.is_empty() {
            out.push("  nothing that changes a number".to_owned());
        }
        out.extend(self.changes.iter().map(|c| format!("  {}", c.describe())));
        out.extend(self.structural.iter().map(|s| format!("  {s}")));
        out.push(String::new());
        out.push(
            "LCPR by scenario, and what moved it (inputs applied one at a time, in the order above)"
                .to_owned(),
        );
        for s in &self.scenarios {
            out.push(format!(
                "  {} ({}): {} → {} ({})",
                s.name,
                s.id,
                crate::money::format_usd(s.old_lcpr, 4),
                crate::money::format_usd(s.new_lcpr, 4),
                signed_usd(s.new_lcpr - s.old_lcpr)
            ));
            for step in &s.steps {
                if let Some(c) = self.changes.get(step.change) {
                    out.push(format!("      {}  {}", signed_usd(step.delta), c.path));
                }
            }
            // Float dust from summing the steps is not a remainder worth a line.
            if s.remainder.abs() > 1e-9 {
                out.push(format!(
                    "      {}  not explained by the inputs above (items added, removed or re-pointed)",
                    signed_usd(s.remainder)
                ));
            }
        }
        out.extend(self.not_compared.iter().map(|n| format!("  {n}")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_ws() -> Workspace {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../workspaces/support-migration.yaml");
        crate::document::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_file_against_itself_has_no_changes() {
        let ws = default_ws();
        let d = diff(&ws, &ws);
        assert!(d.changes.is_empty() && d.structural.is_empty());
        assert!(
            d.scenarios
                .iter()
                .all(|s| s.steps.is_empty() && s.remainder == 0.0)
        );
        assert!(!d.scenarios.is_empty());
    }

    #[test]
    fn two_changed_inputs_explain_the_lcpr_change_and_the_parts_sum_to_the_whole() {
        let old = default_ws();
        let mut new = old.clone();
        let w = &mut new.workloads[0];
        w.ops_monthly_cost += rust_decimal::Decimal::from(1000);
        w.grader_cost_per_eval *= rust_decimal::Decimal::from(2);
        let d = diff(&old, &new);
        let fields: Vec<&str> = d.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["grader_cost_per_eval", "ops_monthly_cost"]);
        let touched: Vec<&ScenarioChange> = d
            .scenarios
            .iter()
            .filter(|s| s.new_lcpr != s.old_lcpr)
            .collect();
        assert!(!touched.is_empty());
        for s in touched {
            let parts: f64 = s.steps.iter().map(|p| p.delta).sum::<f64>() + s.remainder;
            assert!(
                (parts - (s.new_lcpr - s.old_lcpr)).abs() < 1e-12,
                "{}: {parts} vs {}",
                s.id,
                s.new_lcpr - s.old_lcpr
            );
            assert_eq!(s.steps.len(), 2, "{}", s.id);
            assert!(s.remainder.abs() < 1e-12, "{}: {}", s.id, s.remainder);
            assert!(s.steps.iter().all(|p| p.delta > 0.0));
        }
    }

    #[test]
    fn a_register_value_shows_as_the_input_it_binds_with_its_entry() {
        let old = default_ws();
        let mut new = old.clone();
        let e = new
            .register
            .iter_mut()
            .find(|e| e.binds.as_ref().is_some_and(|b| b.field == "retry_rate"))
            .unwrap_or_else(|| panic!("a retry-rate entry"));
        let id = e.id.clone();
        e.value = (e.value + 0.01).min(1.0);
        let d = diff(&old, &new);
        let c = d
            .changes
            .iter()
            .find(|c| c.field == "retry_rate")
            .unwrap_or_else(|| panic!("{:?}", d.changes));
        assert_eq!(c.register_entry.as_deref(), Some(id.as_str()));
        assert!(c.status.is_some());
        assert!(d.scenarios.iter().any(|s| !s.steps.is_empty()));
    }

    #[test]
    fn a_mix_input_is_a_change_its_lcpr_step_explains() {
        let old = default_ws();
        let mut new = old.clone();
        let s = new
            .scenarios
            .iter_mut()
            .find(|s| s.id == "support-cascade")
            .unwrap_or_else(|| panic!("cascade"));
        if let Some(crate::document::Mix::Cascade { judge, .. }) = &mut s.mix {
            judge.cost_per_request = rust_decimal::Decimal::new(12, 4);
        }
        let d = diff(&old, &new);
        let i = d
            .changes
            .iter()
            .position(|c| c.path == "scenarios.support-cascade.mix.judge_cost_per_request")
            .unwrap_or_else(|| panic!("{:?}", d.changes));
        let sc = d
            .scenarios
            .iter()
            .find(|s| s.id == "support-cascade")
            .unwrap_or_else(|| panic!("compared"));
        let step = sc
            .steps
            .iter()
            .find(|st| st.change == i)
            .unwrap_or_else(|| panic!("step"));
        // The judge reads every request: 400,000 × $0.0006 more over the accepted outputs.
        assert!(step.delta > 0.0);
        assert!((step.delta - (sc.new_lcpr - sc.old_lcpr)).abs() < 1e-12);
        assert!(d.structural.is_empty(), "{:?}", d.structural);
    }

    #[test]
    fn a_re_pointed_scenario_is_structural_and_its_change_is_the_remainder() {
        let old = default_ws();
        let mut new = old.clone();
        let other = new.routes[1].id.clone();
        let s = &mut new.scenarios[0];
        let id = s.id.clone();
        s.route = other;
        let d = diff(&old, &new);
        assert!(
            d.structural
                .iter()
                .any(|t| t.contains(&id) && t.contains("route"))
        );
        let sc = d
            .scenarios
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("compared"));
        assert!(sc.steps.is_empty());
        assert!((sc.remainder - (sc.new_lcpr - sc.old_lcpr)).abs() < 1e-15);
    }
}
