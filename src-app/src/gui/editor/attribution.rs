//! The attribution: the shared bill, its fixed floor, each team's usage, shared-cache reads and
//! fine-tune charges.

use egui::{CollapsingHeader, Ui};
use lcpr_core::document::Rule;
use lcpr_core::document::Workspace;
use lcpr_core::document::attribution::{
    CacheReads, FineTune, FineTuneCaller, FineTunePolicy, TeamUsage, UniformBy, UsageBasis,
};
use rust_decimal::Decimal;

use crate::gui::navigator::unique_id;
use crate::gui::widgets;

fn team(ui: &mut Ui, t: &mut TeamUsage) {
    widgets::text(ui, "Id", &mut t.id);
    widgets::text(ui, "Name", &mut t.name);
    widgets::number(ui, "seats", "Seats", "", &mut t.seats, Rule::NonNegative);
    widgets::number(
        ui,
        "sla",
        "SLA coefficient",
        "× (over 1: tighter tier)",
        &mut t.sla_coefficient,
        Rule::Positive,
    );
    for (salt, label, unit, v) in [
        ("in", "Input tokens", "tokens", &mut t.input_tokens),
        ("out", "Output tokens", "tokens", &mut t.output_tokens),
        ("req", "Requests", "", &mut t.requests),
        ("acc", "Accepted outputs", "", &mut t.accepted_outputs),
    ] {
        widgets::number(ui, salt, label, unit, v, Rule::NonNegative);
    }
}

/// Deletes row `remove` of `list` when set.
fn drop_row<T>(list: &mut Vec<T>, remove: Option<usize>) {
    if let Some(i) = remove
        && i < list.len()
    {
        list.remove(i);
    }
}

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace) -> bool {
    let Some(a) = ws.attribution.as_mut() else {
        return false;
    };
    let teams: Vec<(String, String)> = a
        .teams
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                if t.name.is_empty() {
                    t.id.clone()
                } else {
                    t.name.clone()
                },
            )
        })
        .collect();
    widgets::money(
        ui,
        "bill",
        "Shared bill",
        "$ for the month",
        &mut a.bill_total,
    );
    widgets::optional_money(
        ui,
        "floor",
        "Fixed platform cost",
        "$ (the hybrid floor; empty: none)",
        &mut a.platform_fixed_cost,
    );
    let bases: Vec<(UsageBasis, String)> = [
        UsageBasis::Tokens,
        UsageBasis::Requests,
        UsageBasis::AcceptedOutputs,
    ]
    .iter()
    .map(|b| (*b, b.fields().replace('_', " ")))
    .collect();
    widgets::choice(ui, "basis", "Usage measured by", &mut a.basis, &bases);
    let uniform = [
        (UniformBy::TeamCount, "team count".to_owned()),
        (UniformBy::Seats, "seats".to_owned()),
    ];
    widgets::choice(
        ui,
        "uniform",
        "Uniform split by",
        &mut a.uniform_by,
        &uniform,
    );

    widgets::section(ui, "Teams");
    let mut remove = None;
    for (i, t) in a.teams.iter_mut().enumerate() {
        let title = if t.name.is_empty() {
            t.id.clone()
        } else {
            t.name.clone()
        };
        CollapsingHeader::new(title)
            .id_salt(("team", i))
            .show(ui, |ui| {
                team(ui, t);
                if ui.small_button("Delete team").clicked() {
                    remove = Some(i);
                }
            });
    }
    drop_row(&mut a.teams, remove);
    if ui.small_button("+ Add team").clicked() {
        let id = unique_id("team", a.teams.iter().map(|t| t.id.as_str()));
        a.teams.push(TeamUsage {
            name: id.clone(),
            id,
            seats: 1.0,
            sla_coefficient: 1.0,
            input_tokens: 0.0,
            output_tokens: 0.0,
            requests: 0.0,
            accepted_outputs: 0.0,
        });
    }

    widgets::section(ui, "Shared prompt-cache reads");
    let mut remove = None;
    for (i, c) in a.shared_cache.iter_mut().enumerate() {
        ui.push_id(("cache", i), |ui| {
            widgets::choice(ui, "team", "Team", &mut c.team_id, &teams);
            widgets::number(
                ui,
                "reads",
                "Cache-read tokens",
                "tokens",
                &mut c.cache_read_tokens,
                Rule::NonNegative,
            );
            widgets::money(ui, "disc", "Discount earned", "$", &mut c.discount_value);
            if ui.small_button("Delete row").clicked() {
                remove = Some(i);
            }
            ui.separator();
        });
    }
    drop_row(&mut a.shared_cache, remove);
    if ui.small_button("+ Add cache reads").clicked()
        && let Some((id, _)) = teams.first()
    {
        a.shared_cache.push(CacheReads {
            team_id: id.clone(),
            cache_read_tokens: 0.0,
            discount_value: Decimal::ZERO,
        });
    }

    widgets::section(ui, "Fine-tunes");
    let policies = [
        (
            FineTunePolicy::ChargeTrainer,
            "the training team pays".to_owned(),
        ),
        (
            FineTunePolicy::AmortizeOverCallers,
            "callers share it by calls".to_owned(),
        ),
    ];
    let mut remove = None;
    for (i, f) in a.fine_tunes.iter_mut().enumerate() {
        CollapsingHeader::new(format!("Fine-tune {}", f.id))
            .id_salt(("ft", i))
            .show(ui, |ui| {
                widgets::text(ui, "Id", &mut f.id);
                widgets::money(ui, "cost", "Training cost", "$", &mut f.training_cost);
                widgets::choice(ui, "trainer", "Trained by", &mut f.trainer_team_id, &teams);
                widgets::choice(ui, "policy", "Charged how", &mut f.policy, &policies);
                let mut drop = None;
                for (j, c) in f.callers.iter_mut().enumerate() {
                    ui.push_id(("caller", j), |ui| {
                        ui.horizontal(|ui| {
                            widgets::choice(ui, "team", "Caller", &mut c.team_id, &teams);
                            if ui.small_button("✕").clicked() {
                                drop = Some(j);
                            }
                        });
                        widgets::number(ui, "calls", "Calls", "", &mut c.calls, Rule::NonNegative);
                    });
                }
                drop_row(&mut f.callers, drop);
                if ui.small_button("+ Add caller").clicked()
                    && let Some((id, _)) = teams.first()
                {
                    f.callers.push(FineTuneCaller {
                        team_id: id.clone(),
                        calls: 0.0,
                    });
                }
                if ui.small_button("Delete fine-tune").clicked() {
                    remove = Some(i);
                }
            });
    }
    drop_row(&mut a.fine_tunes, remove);
    if ui.small_button("+ Add fine-tune").clicked()
        && let Some((id, _)) = teams.first()
    {
        let ft = unique_id("fine-tune", a.fine_tunes.iter().map(|f| f.id.as_str()));
        a.fine_tunes.push(FineTune {
            id: ft,
            training_cost: Decimal::ZERO,
            trainer_team_id: id.clone(),
            callers: Vec::new(),
            policy: FineTunePolicy::ChargeTrainer,
        });
    }
    true
}
