//! The forecast: each workload's cost drivers (base, range, spread, evidence) and the named
//! scenarios of planned changes.

use egui::{CollapsingHeader, Ui};
use lcpr_core::document::Rule;
use lcpr_core::document::Workspace;
use lcpr_core::document::forecast::{Change, Component, Driver, ForecastWorkload, Scenario};
use lcpr_core::document::{Distribution, evidence_status::EvidenceStatus};

use crate::gui::widgets;

/// A driver's rule (`None`: any sign, e.g. growth) and unit.
fn rule_and_unit(c: Component) -> (Option<Rule>, &'static str) {
    match c {
        Component::MonthlyRequests => (Some(Rule::NonNegative), "requests / month"),
        Component::MonthlyGrowth => (None, "fraction a month (0.05 = +5%)"),
        Component::AcceptanceRate => (Some(Rule::PositiveFraction), "share"),
        Component::FixedMonthlyCost => (Some(Rule::NonNegative), "$ / month"),
        _ => (Some(Rule::NonNegative), "$ / request"),
    }
}

fn value(ui: &mut Ui, salt: &str, label: &str, unit: &str, v: &mut f64, rule: Option<Rule>) {
    match rule {
        Some(r) => widgets::number(ui, salt, label, unit, v, r),
        None => widgets::signed_number(ui, salt, label, unit, v),
    };
}

/// One driver: its base, and — unless fixed — its low and high, with spread and evidence.
fn driver(ui: &mut Ui, salt: &str, label: &str, d: &mut Driver, rule: Option<Rule>, unit: &str) {
    ui.push_id(salt, |ui| {
        value(ui, "base", label, unit, &mut d.base, rule);
        ui.indent("range", |ui| {
            widgets::distribution(ui, "dist", &mut d.distribution);
            if d.distribution == Distribution::Fixed {
                d.low = d.base;
                d.high = d.base;
            } else {
                value(ui, "low", "Low", unit, &mut d.low, rule);
                value(ui, "high", "High", unit, &mut d.high, rule);
            }
            widgets::status(ui, "status", &mut d.status);
        });
    });
}

fn workload(ui: &mut Ui, w: &mut ForecastWorkload) {
    widgets::text(ui, "Name", &mut w.name);
    for c in Component::ALL {
        let (rule, unit) = rule_and_unit(c);
        let d = match c {
            Component::MonthlyRequests => &mut w.monthly_requests,
            Component::MonthlyGrowth => &mut w.monthly_growth,
            Component::InferenceCostPerRequest => &mut w.inference_cost_per_request,
            Component::EvalCostPerRequest => &mut w.eval_cost_per_request,
            Component::HumanCostPerRequest => &mut w.human_cost_per_request,
            Component::AcceptanceRate => &mut w.acceptance_rate,
            Component::FixedMonthlyCost => &mut w.fixed_monthly_cost,
        };
        driver(ui, c.name(), c.label(), d, rule, unit);
    }
}

/// The kinds of change, for the chooser.
const KINDS: [(&str, &str); 6] = [
    ("multiply", "Multiply a component"),
    ("add", "Add to a component"),
    ("new_workload", "New workload"),
    ("acceptance", "Acceptance rate moves"),
    ("cache_hit", "Cache hits change"),
    ("model_migration", "Model migration"),
];

fn kind(c: &Change) -> &'static str {
    match c {
        Change::Multiply { .. } => "multiply",
        Change::Add { .. } => "add",
        Change::NewWorkload { .. } => "new_workload",
        Change::Acceptance { .. } => "acceptance",
        Change::CacheHit { .. } => "cache_hit",
        Change::ModelMigration { .. } => "model_migration",
    }
}

/// A new change of `kind` on `workload`, neutral until edited (a factor of 1, an amount of 0).
fn new_change(kind: &str, workload: &str) -> Change {
    let workload = workload.to_owned();
    let one = Driver::fixed(1.0, EvidenceStatus::Assumed);
    match kind {
        "add" => Change::Add {
            workload,
            component: Component::FixedMonthlyCost,
            amount: Driver::default(),
            ramp_months: 0,
        },
        "new_workload" => Change::NewWorkload {
            workload: ForecastWorkload {
                name: "new workload".to_owned(),
                monthly_requests: Driver::fixed(10_000.0, EvidenceStatus::Assumed),
                monthly_growth: Driver::default(),
                inference_cost_per_request: Driver::fixed(0.01, EvidenceStatus::Assumed),
                eval_cost_per_request: Driver::default(),
                human_cost_per_request: Driver::default(),
                acceptance_rate: Driver::fixed(0.9, EvidenceStatus::Assumed),
                fixed_monthly_cost: Driver::default(),
            },
            start_month: 2,
        },
        "acceptance" => Change::Acceptance {
            workload,
            rate: Driver::fixed(0.9, EvidenceStatus::Assumed),
            ramp_months: 0,
        },
        "cache_hit" => Change::CacheHit {
            workload,
            inference_multiplier: one,
            ramp_months: 0,
        },
        "model_migration" => Change::ModelMigration {
            workload,
            token_cost_multiplier: one,
            ramp_months: 1,
        },
        _ => Change::Multiply {
            workload,
            component: Component::MonthlyRequests,
            factor: one,
            ramp_months: 0,
        },
    }
}

fn ramp(ui: &mut Ui, months: &mut u32) {
    let mut m = u64::from(*months);
    if widgets::count(
        ui,
        "ramp",
        "Months to full effect",
        "0: at once",
        &mut m,
        (0, 36),
    ) {
        *months = u32::try_from(m).unwrap_or(0);
    }
}

fn change(ui: &mut Ui, c: &mut Change, workloads: &[(String, String)]) {
    let components: Vec<(Component, String)> = Component::ALL
        .iter()
        .map(|k| (*k, k.label().to_owned()))
        .collect();
    let positive = Some(Rule::NonNegative);
    match c {
        Change::Multiply {
            workload,
            component,
            factor,
            ramp_months,
        } => {
            widgets::choice(ui, "wl", "Workload", workload, workloads);
            widgets::choice(ui, "comp", "Component", component, &components);
            driver(ui, "factor", "Factor", factor, positive, "×");
            ramp(ui, ramp_months);
        }
        Change::Add {
            workload,
            component,
            amount,
            ramp_months,
        } => {
            widgets::choice(ui, "wl", "Workload", workload, workloads);
            widgets::choice(ui, "comp", "Component", component, &components);
            let unit = rule_and_unit(*component).1;
            driver(ui, "amount", "Amount", amount, None, unit);
            ramp(ui, ramp_months);
        }
        Change::NewWorkload {
            workload,
            start_month,
        } => {
            let mut m = u64::from(*start_month);
            if widgets::count(ui, "start", "Starts in month", "1 to 3", &mut m, (1, 3)) {
                *start_month = u32::try_from(m).unwrap_or(1);
            }
            self::workload(ui, workload);
        }
        Change::Acceptance {
            workload,
            rate,
            ramp_months,
        } => {
            widgets::choice(ui, "wl", "Workload", workload, workloads);
            driver(
                ui,
                "rate",
                "Acceptance rate",
                rate,
                Some(Rule::PositiveFraction),
                "share",
            );
            ramp(ui, ramp_months);
        }
        Change::CacheHit {
            workload,
            inference_multiplier,
            ramp_months,
        } => {
            widgets::choice(ui, "wl", "Workload", workload, workloads);
            driver(
                ui,
                "mult",
                "Inference multiplier",
                inference_multiplier,
                positive,
                "× (above 1: fewer hits)",
            );
            ramp(ui, ramp_months);
        }
        Change::ModelMigration {
            workload,
            token_cost_multiplier,
            ramp_months,
        } => {
            widgets::choice(ui, "wl", "Workload", workload, workloads);
            driver(
                ui,
                "mult",
                "Token cost ratio",
                token_cost_multiplier,
                positive,
                "× new ÷ current",
            );
            ramp(ui, ramp_months);
        }
    }
}

fn scenario(ui: &mut Ui, s: &mut Scenario, workloads: &[(String, String)], others: &[String]) {
    widgets::text(ui, "Name", &mut s.name);
    widgets::list(
        ui,
        "includes",
        "Includes",
        &format!("scenarios first, comma-separated: {}", others.join(", ")),
        &mut s.includes,
    );
    let mut remove = None;
    for (j, c) in s.changes.iter_mut().enumerate() {
        ui.push_id(("change", j), |ui| {
            ui.horizontal(|ui| {
                let mut k = kind(c);
                let kinds: Vec<(&str, String)> =
                    KINDS.iter().map(|(k, l)| (*k, (*l).to_owned())).collect();
                if widgets::choice(ui, "kind", &format!("Change {}", j + 1), &mut k, &kinds) {
                    let wl = workloads.first().map_or("", |(id, _)| id.as_str());
                    *c = new_change(k, wl);
                }
                if ui
                    .small_button("✕")
                    .on_hover_text("Delete this change")
                    .clicked()
                {
                    remove = Some(j);
                }
            });
            ui.indent("fields", |ui| change(ui, c, workloads));
        });
    }
    if let Some(j) = remove {
        s.changes.remove(j);
    }
    if ui.small_button("+ Add change").clicked() {
        let wl = workloads.first().map_or("", |(id, _)| id.as_str());
        s.changes.push(new_change("multiply", wl));
    }
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace) -> bool {
    let Some(f) = ws.forecast.as_mut() else {
        return false;
    };
    let workloads: Vec<(String, String)> = f
        .workloads
        .iter()
        .map(|w| (w.name.clone(), w.name.clone()))
        .collect();
    widgets::section(ui, "Workloads");
    let mut remove = None;
    let n = f.workloads.len();
    for (i, w) in f.workloads.iter_mut().enumerate() {
        CollapsingHeader::new(&w.name)
            .id_salt(("fw", i))
            .default_open(n == 1)
            .show(ui, |ui| {
                workload(ui, w);
                if ui.small_button("Delete workload").clicked() {
                    remove = Some(i);
                }
            });
    }
    if let Some(i) = remove {
        f.workloads.remove(i);
    }
    if ui.small_button("+ Add workload").clicked() {
        let mut w = match new_change("new_workload", "") {
            Change::NewWorkload { workload, .. } => workload,
            _ => return true,
        };
        w.name = crate::gui::navigator::unique_id(
            "workload",
            f.workloads.iter().map(|w| w.name.as_str()),
        );
        f.workloads.push(w);
    }
    widgets::section(ui, "Scenarios");
    let names: Vec<String> = f.scenarios.iter().map(|s| s.name.clone()).collect();
    let mut remove = None;
    for (i, s) in f.scenarios.iter_mut().enumerate() {
        let others: Vec<String> = names.iter().filter(|n| **n != s.name).cloned().collect();
        CollapsingHeader::new(&s.name)
            .id_salt(("fs", i))
            .default_open(false)
            .show(ui, |ui| {
                scenario(ui, s, &workloads, &others);
                if ui.small_button("Delete scenario").clicked() {
                    remove = Some(i);
                }
            });
    }
    if let Some(i) = remove {
        f.scenarios.remove(i);
    }
    if ui.small_button("+ Add scenario").clicked() {
        let name = crate::gui::navigator::unique_id(
            "scenario",
            f.scenarios.iter().map(|s| s.name.as_str()),
        );
        f.scenarios.push(Scenario {
            name,
            includes: Vec::new(),
            changes: Vec::new(),
        });
    }
    true
}
