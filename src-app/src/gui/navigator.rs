//! The navigator: every item of the workspace by kind, with add, duplicate and delete.

use egui::{CollapsingHeader, RichText, Ui};
use lcpr_core::document::evidence_status::EvidenceStatus;
use lcpr_core::document::{
    Binding, Date, NonProduction, Period, RateCard, RatePricing, RegisterEntry, Route, RouteKind,
    Scenario, ScenarioStatus, SloSpec, TokenShape, Workload, Workspace,
};
use rust_decimal::Decimal;

/// The item shown in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// Title, owner, dates.
    #[default]
    Meta,
    /// A rate card by index.
    RateCard(usize),
    /// A workload by index.
    Workload(usize),
    /// A route by index.
    Route(usize),
    /// A scenario by index.
    Scenario(usize),
    /// A baseline by index.
    Baseline(usize),
    /// A reconciliation by index.
    Reconciliation(usize),
    /// A load test by index.
    LoadTest(usize),
    /// A register entry by index.
    Register(usize),
    /// A contracted rate by index.
    ContractRate(usize),
    /// A saved trace column mapping by index.
    TraceMapping(usize),
    /// The migration case.
    Migration,
    /// The forecast section.
    Forecast,
    /// The attribution section.
    Attribution,
    /// An incident by index.
    Incident(usize),
    /// The typed monthly review figures.
    MonthlyReview,
    /// Draws and seed of the simulations.
    Simulation,
}

/// The kinds the navigator lists, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RateCards,
    ContractRates,
    Workloads,
    Routes,
    Scenarios,
    Baselines,
    Reconciliations,
    LoadTests,
    TraceMappings,
    Register,
}

impl Kind {
    const ALL: [Self; 10] = [
        Self::RateCards,
        Self::ContractRates,
        Self::Workloads,
        Self::Routes,
        Self::Scenarios,
        Self::Baselines,
        Self::Reconciliations,
        Self::LoadTests,
        Self::TraceMappings,
        Self::Register,
    ];

    fn title(self) -> &'static str {
        match self {
            Self::RateCards => "Rate cards",
            Self::Workloads => "Workloads",
            Self::Routes => "Routes",
            Self::Scenarios => "Scenarios",
            Self::Baselines => "Baselines",
            Self::Reconciliations => "Reconciliations",
            Self::LoadTests => "Load tests",
            Self::ContractRates => "Contract rates",
            Self::TraceMappings => "Trace mappings",
            Self::Register => "Assumption register",
        }
    }

    fn select(self, i: usize) -> Selection {
        match self {
            Self::RateCards => Selection::RateCard(i),
            Self::Workloads => Selection::Workload(i),
            Self::Routes => Selection::Route(i),
            Self::Scenarios => Selection::Scenario(i),
            Self::Baselines => Selection::Baseline(i),
            Self::Reconciliations => Selection::Reconciliation(i),
            Self::LoadTests => Selection::LoadTest(i),
            Self::ContractRates => Selection::ContractRate(i),
            Self::TraceMappings => Selection::TraceMapping(i),
            Self::Register => Selection::Register(i),
        }
    }

    fn items(self, ws: &Workspace) -> Vec<String> {
        match self {
            Self::RateCards => ws
                .rate_cards
                .iter()
                .map(|c| format!("{} {}", c.provider, c.model))
                .collect(),
            Self::Workloads => ws.workloads.iter().map(|w| w.name.clone()).collect(),
            Self::Routes => ws.routes.iter().map(|r| r.name.clone()).collect(),
            Self::Scenarios => ws.scenarios.iter().map(|s| s.name.clone()).collect(),
            Self::Baselines => ws
                .baselines
                .iter()
                .map(|b| format!("{} ({})", b.workload, b.captured_on))
                .collect(),
            Self::Reconciliations => ws
                .reconciliations
                .iter()
                .map(|r| format!("{} {}", r.workload, r.period.start))
                .collect(),
            Self::LoadTests => ws.load_tests.iter().map(|t| t.name.clone()).collect(),
            Self::ContractRates => ws
                .contract_rates
                .iter()
                .map(|r| format!("{} {} from {}", r.model, r.meter, r.effective_from))
                .collect(),
            Self::TraceMappings => ws.trace_mappings.iter().map(|m| m.name.clone()).collect(),
            Self::Register => ws.register.iter().map(|e| e.label.clone()).collect(),
        }
    }

    /// Adds an item with sane defaults (ids made unique); `None` when a prerequisite is missing.
    fn add(self, ws: &mut Workspace) -> Option<usize> {
        let today = Date::today().unwrap_or(Date::EPOCH);
        match self {
            Self::RateCards => {
                let id = unique_id("rate-card", ws.rate_cards.iter().map(|c| c.id.as_str()));
                ws.rate_cards.push(RateCard {
                    id,
                    provider: "Provider".into(),
                    model: "Model".into(),
                    aliases: Vec::new(),
                    effective_from: today,
                    source: String::new(),
                    pricing: new_token_pricing(),
                    contract: None,
                    provenance: None,
                    notes: String::new(),
                });
                Some(ws.rate_cards.len() - 1)
            }
            Self::Workloads => {
                let id = unique_id("workload", ws.workloads.iter().map(|w| w.id.as_str()));
                ws.workloads.push(new_workload(id));
                Some(ws.workloads.len() - 1)
            }
            Self::Routes => {
                let card = ws.rate_cards.first()?;
                let kind = if card.pricing.is_tokens() {
                    RouteKind::ManagedApi
                } else {
                    RouteKind::DedicatedEndpoint
                };
                let rate_card = card.id.clone();
                let id = unique_id("route", ws.routes.iter().map(|r| r.id.as_str()));
                ws.routes.push(Route {
                    name: format!("Route {}", ws.routes.len() + 1),
                    id,
                    kind,
                    rate_card,
                    quality_score: 1.0,
                    non_production: NonProduction::default(),
                    ops_fte: 0.0,
                    fte_monthly_cost: Decimal::ZERO,
                    notes: String::new(),
                });
                Some(ws.routes.len() - 1)
            }
            Self::Scenarios => {
                let workload = ws.workloads.first()?.id.clone();
                let route = ws.routes.first()?.id.clone();
                let id = unique_id("scenario", ws.scenarios.iter().map(|s| s.id.as_str()));
                ws.scenarios.push(Scenario {
                    name: format!("Scenario {}", ws.scenarios.len() + 1),
                    id,
                    workload,
                    route,
                    status: ScenarioStatus::Candidate,
                    owner: ws.meta.owner.clone(),
                    overrides: Default::default(),
                    notes: String::new(),
                    mix: None,
                });
                Some(ws.scenarios.len() - 1)
            }
            Self::Reconciliations => {
                let workload = ws.workloads.first()?.id.clone();
                let id = unique_id(
                    "reconciliation",
                    ws.reconciliations.iter().map(|r| r.id.as_str()),
                );
                ws.reconciliations
                    .push(lcpr_core::document::Reconciliation {
                        id,
                        workload,
                        period: Period {
                            start: today,
                            end: today,
                        },
                        trace_cost: Decimal::ZERO,
                        invoice_amount: Decimal::ZERO,
                        eval_cost: Decimal::ZERO,
                        human_cost: Decimal::ZERO,
                        ops_cost: Decimal::ZERO,
                        attempts: Decimal::ONE,
                        accepted: Decimal::ONE,
                        revenue_per_unit: Decimal::ZERO,
                        notes: String::new(),
                        disputes: Vec::new(),
                        off_rate_lines: Vec::new(),
                        unrated_lines: Vec::new(),
                        sources: Vec::new(),
                    });
                Some(ws.reconciliations.len() - 1)
            }
            Self::ContractRates => {
                let (provider, model) = ws
                    .rate_cards
                    .first()
                    .map_or_else(Default::default, |c| (c.provider.clone(), c.model.clone()));
                ws.contract_rates
                    .push(lcpr_core::document::contracts::ContractRate {
                        provider,
                        model,
                        meter: lcpr_core::document::contracts::Meter::InputTokens,
                        rate: Decimal::ONE,
                        effective_from: today,
                        effective_to: None,
                        source: String::new(),
                        amount_tolerance: None,
                    });
                Some(ws.contract_rates.len() - 1)
            }
            Self::TraceMappings => {
                let mut m = lcpr_core::document::mapping::ColumnMapping::canonical();
                m.name = unique_id("mapping", ws.trace_mappings.iter().map(|m| m.name.as_str()));
                ws.trace_mappings.push(m);
                Some(ws.trace_mappings.len() - 1)
            }
            Self::Register => {
                let id = unique_id("entry", ws.register.iter().map(|e| e.id.as_str()));
                let binds = ws.workloads.first().map(|w| Binding {
                    target: lcpr_core::document::BindingTarget::Workload,
                    id: w.id.clone(),
                    field: "retry_rate".into(),
                });
                let value = binds
                    .as_ref()
                    .and_then(|b| ws.read_binding(b))
                    .unwrap_or(0.0);
                ws.register.push(RegisterEntry {
                    id,
                    label: "New assumption".into(),
                    binds,
                    from: None,
                    value,
                    low: value,
                    high: value,
                    status: EvidenceStatus::Assumed,
                    owner: if ws.meta.owner.is_empty() {
                        "Unassigned".into()
                    } else {
                        ws.meta.owner.clone()
                    },
                    source: String::new(),
                    date: today,
                    distribution: Default::default(),
                    notes: String::new(),
                });
                Some(ws.register.len() - 1)
            }
            // Baselines and load tests come from measurements; they are duplicated or imported.
            Self::Baselines | Self::LoadTests => None,
        }
    }

    fn duplicate(self, ws: &mut Workspace, i: usize) -> Option<usize> {
        macro_rules! dup {
            ($list:expr) => {{
                let mut item = $list.get(i)?.clone();
                item.id = unique_id(&item.id, $list.iter().map(|x| x.id.as_str()));
                $list.push(item);
                Some($list.len() - 1)
            }};
        }
        match self {
            Self::RateCards => dup!(ws.rate_cards),
            Self::Workloads => dup!(ws.workloads),
            Self::Routes => dup!(ws.routes),
            Self::Scenarios => dup!(ws.scenarios),
            Self::Baselines => dup!(ws.baselines),
            Self::Reconciliations => dup!(ws.reconciliations),
            Self::LoadTests => dup!(ws.load_tests),
            Self::Register => dup!(ws.register),
            // A copy of a rate starts a day later, so it is a new amendment, not a repeat.
            Self::ContractRates => {
                let mut rate = ws.contract_rates.get(i)?.clone();
                rate.effective_from = Date::from_unix_days(rate.effective_from.unix_days() + 1)?;
                ws.contract_rates.push(rate);
                Some(ws.contract_rates.len() - 1)
            }
            Self::TraceMappings => {
                let mut m = ws.trace_mappings.get(i)?.clone();
                m.name = unique_id(&m.name, ws.trace_mappings.iter().map(|x| x.name.as_str()));
                ws.trace_mappings.push(m);
                Some(ws.trace_mappings.len() - 1)
            }
        }
    }

    fn remove(self, ws: &mut Workspace, i: usize) {
        macro_rules! rm {
            ($list:expr) => {
                if i < $list.len() {
                    $list.remove(i);
                }
            };
        }
        match self {
            Self::RateCards => rm!(ws.rate_cards),
            Self::Workloads => rm!(ws.workloads),
            Self::Routes => rm!(ws.routes),
            Self::Scenarios => rm!(ws.scenarios),
            Self::Baselines => rm!(ws.baselines),
            Self::Reconciliations => rm!(ws.reconciliations),
            Self::LoadTests => rm!(ws.load_tests),
            Self::Register => rm!(ws.register),
            Self::ContractRates => rm!(ws.contract_rates),
            Self::TraceMappings => rm!(ws.trace_mappings),
        }
    }
}

/// `base`, or `base-2`, `base-3`… whichever is not taken.
#[must_use]
pub fn unique_id<'a>(base: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    if !taken.clone().any(|t| t == base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken.clone().any(|t| t == c))
        .unwrap_or_else(|| base.to_owned())
}

/// Token prices for a new rate card: $1 in, $4 out per million, no cache or batch lane.
#[must_use]
pub fn new_token_pricing() -> RatePricing {
    RatePricing::Tokens {
        input_per_m: Decimal::ONE,
        cached_input_per_m: None,
        cache_write_5m_per_m: None,
        cache_write_1h_per_m: None,
        output_per_m: Decimal::from(4),
        batch_input_per_m: None,
        batch_output_per_m: None,
    }
}

/// GPU prices for a new rate card: $2 an hour, 1,000 tokens/s, half busy.
#[must_use]
pub fn new_gpu_pricing() -> RatePricing {
    RatePricing::Gpu {
        hourly_rate: Decimal::from(2),
        throughput_tps: 1000.0,
        utilization: 0.5,
    }
}

fn new_workload(id: String) -> Workload {
    Workload {
        name: "New workload".into(),
        id,
        accepted_unit: "accepted output".into(),
        monthly_requests: 100_000.0,
        tokens: TokenShape {
            stable_prefix: 1000.0,
            dynamic_tail: 500.0,
            output: 300.0,
            input_p50: None,
            input_p95: None,
            output_p50: None,
            output_p95: None,
        },
        cache_hit_rate: 0.5,
        retry_rate: 0.02,
        quality_gate_pass_rate: 0.9,
        repair_cost_per_failure: Decimal::ZERO,
        human_escalation_rate: 0.0,
        human_cost_per_case: Decimal::ZERO,
        eval_sample_rate: 0.0,
        grader_cost_per_eval: Decimal::ZERO,
        ops_monthly_cost: Decimal::ZERO,
        engineering_hours_per_month: 0.0,
        engineer_hourly_cost: Decimal::ZERO,
        batch_eligible_share: 0.0,
        prefill_efficiency: 0.0,
        slo: SloSpec {
            ttft_ms: 800.0,
            tpot_ms: 50.0,
            e2e_ms: None,
        },
        quality_floor: 0.85,
        notes: String::new(),
    }
}

/// Draws the navigator; edits to the document (add, duplicate, delete) happen here.
pub fn ui(ui: &mut Ui, ws: &mut Workspace, selection: &mut Selection) {
    if ui
        .selectable_label(
            *selection == Selection::Meta,
            RichText::new(&ws.meta.title).strong(),
        )
        .clicked()
    {
        *selection = Selection::Meta;
    }
    ui.separator();
    for kind in Kind::ALL {
        let items = kind.items(ws);
        CollapsingHeader::new(format!("{} ({})", kind.title(), items.len()))
            .id_salt(kind.title())
            .default_open(true)
            .show(ui, |ui| {
                let mut action: Option<(usize, bool)> = None;
                for (i, name) in items.iter().enumerate() {
                    let sel = kind.select(i);
                    let label = if name.trim().is_empty() {
                        "(unnamed)"
                    } else {
                        name.as_str()
                    };
                    let r = ui.selectable_label(*selection == sel, label);
                    if r.clicked() {
                        *selection = sel;
                    }
                    r.context_menu(|ui| {
                        if ui.button("Duplicate").clicked() {
                            action = Some((i, true));
                            ui.close();
                        }
                        if ui.button("Delete").clicked() {
                            action = Some((i, false));
                            ui.close();
                        }
                    });
                }
                match action {
                    Some((i, true)) => {
                        if let Some(new) = kind.duplicate(ws, i) {
                            *selection = kind.select(new);
                        }
                    }
                    Some((i, false)) => {
                        kind.remove(ws, i);
                        *selection = Selection::Meta;
                    }
                    None => {}
                }
                if !matches!(kind, Kind::Baselines | Kind::LoadTests) {
                    let add = ui.small_button(format!(
                        "+ Add {}",
                        kind.title().to_lowercase().trim_end_matches('s')
                    ));
                    if add.clicked() {
                        match kind.add(ws) {
                            Some(i) => *selection = kind.select(i),
                            None => {
                                ui.ctx().data_mut(|d| {
                                    d.insert_temp(
                                        egui::Id::unique("nav-hint"),
                                        format!("Add a {} first.", prerequisite(kind)),
                                    );
                                });
                            }
                        }
                    }
                }
            });
    }
    if let Some(hint) = ui
        .ctx()
        .data(|d| d.get_temp::<String>(egui::Id::unique("nav-hint")))
    {
        ui.label(RichText::new(hint).weak());
    }
    super::sections::nav_ui(ui, ws, selection);
}

fn prerequisite(kind: Kind) -> &'static str {
    match kind {
        Kind::Routes => "rate card",
        Kind::Scenarios => "workload and a route",
        _ => "workload",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_unique() {
        let taken = ["a", "a-2"];
        assert_eq!(unique_id("b", taken.iter().copied()), "b");
        assert_eq!(unique_id("a", taken.iter().copied()), "a-3");
    }

    #[test]
    fn adding_items_keeps_the_document_valid() {
        let mut ws = super::super::session::blank_workspace();
        assert_eq!(Kind::Scenarios.add(&mut ws), None);
        for kind in [
            Kind::RateCards,
            Kind::Workloads,
            Kind::Routes,
            Kind::Scenarios,
            Kind::Reconciliations,
            Kind::Register,
        ] {
            assert!(kind.add(&mut ws).is_some(), "{:?}", kind);
        }
        assert_eq!(lcpr_core::document::validate(&ws), Vec::new());
        assert_eq!(Kind::Workloads.duplicate(&mut ws, 0), Some(1));
        assert_eq!(ws.workloads[1].id, "workload-2");
        Kind::Workloads.remove(&mut ws, 1);
        assert_eq!(ws.workloads.len(), 1);
    }
}
