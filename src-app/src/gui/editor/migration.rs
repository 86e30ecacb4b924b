//! The migration case: the two scenarios, the demand shape, and the evidence each gate weighs.

use egui::Ui;
use lcpr_core::document::{MeasuredUtilization, ModelFit, Rule, Workspace};

use crate::gui::widgets;

/// A first model to size: the attention shape of Llama 3.1 70B's public `config.json`
/// (80 layers, 8 KV heads of 128), in 16-bit, for the user to replace with theirs.
fn starter_model() -> ModelFit {
    ModelFit {
        n_layers: 80.0,
        n_kv_heads: 8.0,
        head_dim: 128.0,
        element_bytes: 2.0,
        kv_pool_gb: 40.0,
        headroom_fraction: 0.1,
        context_tokens: 8192.0,
        needed_concurrency: 16.0,
        oom_events: 0,
        source: "Llama-3.1-70B-Instruct config.json (replace with the candidate's)".to_owned(),
        layer_groups: Vec::new(),
    }
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace) -> bool {
    let scenarios: Vec<(String, String)> = ws
        .scenarios
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let mut fallbacks: Vec<(Option<String>, String)> = vec![(None, "none".to_owned())];
    fallbacks.extend(
        scenarios
            .iter()
            .map(|(id, n)| (Some(id.clone()), n.clone())),
    );
    let mut routes: Vec<(Option<String>, String)> = vec![(None, "none".to_owned())];
    routes.extend(
        ws.routes
            .iter()
            .map(|r| (Some(r.id.clone()), r.name.clone())),
    );
    let Some(m) = ws.migration.as_mut() else {
        return false;
    };
    widgets::choice(
        ui,
        "current",
        "Current scenario",
        &mut m.current,
        &scenarios,
    );
    widgets::choice(
        ui,
        "candidate",
        "Candidate scenario",
        &mut m.candidate,
        &scenarios,
    );
    widgets::optional_money(
        ui,
        "invest",
        "Engineering investment",
        "$ one-off, repaid by the saving",
        &mut m.engineering_investment,
    );
    widgets::section(ui, "Demand shape");
    widgets::number(
        ui,
        "peak",
        "Peak ÷ mean load",
        "× (1 = flat)",
        &mut m.demand.peak_to_mean,
        Rule::Positive,
    );
    widgets::number(
        ui,
        "batchable",
        "Batchable share",
        "share",
        &mut m.demand.batchable_share,
        Rule::Fraction,
    );
    widgets::number(
        ui,
        "idle",
        "Idle hours",
        "share of hours",
        &mut m.demand.idle_share,
        Rule::Fraction,
    );
    widgets::section(ui, "Capacity and latency evidence");
    let mut measured = m.measured_utilization.is_some();
    if widgets::flag(ui, "Utilization measured", &mut measured) {
        m.measured_utilization = measured.then_some(MeasuredUtilization {
            value: 0.5,
            status: lcpr_core::document::evidence_status::EvidenceStatus::Estimated,
        });
    }
    if let Some(u) = m.measured_utilization.as_mut() {
        widgets::number(
            ui,
            "util",
            "Utilization",
            "share",
            &mut u.value,
            Rule::Fraction,
        );
        widgets::status(ui, "util-status", &mut u.status);
    }
    widgets::optional_number(
        ui,
        "p95",
        "Candidate p95 TTFT",
        "ms (a load test's)",
        &mut m.candidate_p95_ttft_ms,
        Rule::NonNegative,
    );
    widgets::section(ui, "Model fit (memory and context gate)");
    let mut sized = m.model.is_some();
    if widgets::flag(ui, "Model to fit", &mut sized) {
        m.model = sized.then(starter_model);
    }
    if let Some(f) = m.model.as_mut() {
        widgets::text(ui, "Shape from", &mut f.source);
        for (salt, label, unit, v) in [
            ("layers", "Layers", "", &mut f.n_layers),
            ("kvh", "KV heads", "", &mut f.n_kv_heads),
            ("hd", "Head dimension", "", &mut f.head_dim),
            (
                "eb",
                "Bytes per element",
                "B (2 = FP16, 1 = FP8)",
                &mut f.element_bytes,
            ),
            ("pool", "KV pool per replica", "GB", &mut f.kv_pool_gb),
            (
                "ctx",
                "Context per sequence",
                "tokens",
                &mut f.context_tokens,
            ),
            (
                "conc",
                "Concurrency needed",
                "sequences per replica",
                &mut f.needed_concurrency,
            ),
        ] {
            widgets::number(ui, salt, label, unit, v, Rule::Positive);
        }
        widgets::number(
            ui,
            "headroom",
            "Headroom kept free",
            "share",
            &mut f.headroom_fraction,
            Rule::Discount,
        );
        let mut ooms = u64::from(f.oom_events);
        if widgets::count(
            ui,
            "oom",
            "OOM events in testing",
            "",
            &mut ooms,
            (0, u64::from(u32::MAX)),
        ) {
            f.oom_events = u32::try_from(ooms).unwrap_or(u32::MAX);
        }
    }
    widgets::section(ui, "Fallback and operations");
    widgets::choice(
        ui,
        "fallback",
        "Fallback scenario",
        &mut m.fallback,
        &fallbacks,
    );
    widgets::number(
        ui,
        "fshare",
        "Traffic on the fallback",
        "share",
        &mut m.fallback_share,
        Rule::Fraction,
    );
    let o = &mut m.operations;
    widgets::optional_text(ui, "Runbook owner", &mut o.runbook_owner);
    widgets::choice(
        ui,
        "rollback",
        "Rollback route",
        &mut o.rollback_route,
        &routes,
    );
    widgets::flag(ui, "Monitored", &mut o.monitoring);
    widgets::flag(ui, "Upgrade policy written", &mut o.upgrade_policy);
    widgets::flag(ui, "Security review done", &mut o.security_review);
    widgets::notes(ui, "Notes", &mut m.notes);
    true
}
