//! A rate card: provider, model, dates, token or GPU prices, and the contract overlay.

use egui::Ui;
use lcpr_core::document::{BindingTarget, ContractOverlay, RatePricing, Rule, Workspace};

use super::source;
use crate::gui::navigator::{new_gpu_pricing, new_token_pricing};
use crate::gui::{theme, widgets};

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace, i: usize) -> bool {
    let Some(id) = ws.rate_cards.get(i).map(|c| c.id.clone()) else {
        return false;
    };
    let tps = source::info(ws, BindingTarget::RateCard, &id, "throughput_tps");
    let util = source::info(ws, BindingTarget::RateCard, &id, "utilization");
    let mut picked = None;
    let Some(c) = ws.rate_cards.get_mut(i) else {
        return false;
    };
    widgets::text(ui, "Id", &mut c.id);
    widgets::text(ui, "Provider", &mut c.provider);
    widgets::text(ui, "Model", &mut c.model);
    widgets::list(
        ui,
        "aliases",
        "Aliases",
        "comma-separated; a trailing * makes a prefix",
        &mut c.aliases,
    );
    widgets::date(
        ui,
        "effective_from",
        "Effective from",
        &mut c.effective_from,
    );
    widgets::text(ui, "Source", &mut c.source);
    if let Some(p) = &c.provenance {
        ui.label(format!(
            "Imported from the {} book {} of {}, key {}",
            p.kind, p.book, p.book_date, p.key
        ))
        .on_hover_text(
            "Importing a newer book reports drift from these prices before changing them",
        );
    }
    widgets::section(ui, "Prices");
    let mut is_tokens = c.pricing.is_tokens();
    if widgets::choice(
        ui,
        "kind",
        "Billed",
        &mut is_tokens,
        &[(true, "per token".into()), (false, "per GPU-hour".into())],
    ) {
        c.pricing = if is_tokens {
            new_token_pricing()
        } else {
            new_gpu_pricing()
        };
    }
    match &mut c.pricing {
        RatePricing::Tokens {
            input_per_m,
            cached_input_per_m,
            cache_write_5m_per_m,
            cache_write_1h_per_m,
            output_per_m,
            batch_input_per_m,
            batch_output_per_m,
        } => {
            widgets::money(ui, "in", "Input", "$/M tokens", input_per_m);
            widgets::optional_money(
                ui,
                "cached",
                "Cached input",
                "$/M tokens (empty: none)",
                cached_input_per_m,
            );
            widgets::optional_money(
                ui,
                "w5",
                "Cache write, 5 min",
                "$/M tokens",
                cache_write_5m_per_m,
            );
            widgets::optional_money(
                ui,
                "w1h",
                "Cache write, 1 h",
                "$/M tokens",
                cache_write_1h_per_m,
            );
            widgets::money(ui, "out", "Output", "$/M tokens", output_per_m);
            widgets::optional_money(
                ui,
                "bin",
                "Batch input",
                "$/M tokens (empty: none)",
                batch_input_per_m,
            );
            widgets::optional_money(
                ui,
                "bout",
                "Batch output",
                "$/M tokens (empty: none)",
                batch_output_per_m,
            );
        }
        RatePricing::Gpu {
            hourly_rate,
            throughput_tps,
            utilization,
        } => {
            widgets::money(ui, "hourly", "GPU-hour", "$/h", hourly_rate);
            let (_, a) = source::number(
                ui,
                &tps,
                "Throughput",
                "tokens/s per GPU",
                throughput_tps,
                Rule::Positive,
            );
            let (_, b) = source::number(
                ui,
                &util,
                "Utilization",
                "share, (0, 1]",
                utilization,
                Rule::PositiveFraction,
            );
            picked = a.or(b);
        }
    }
    widgets::section(ui, "Contract overlay");
    let mut has_contract = c.contract.is_some();
    if ui
        .checkbox(&mut has_contract, "Negotiated terms apply")
        .changed()
    {
        c.contract = has_contract.then(ContractOverlay::default);
    }
    if let Some(k) = &mut c.contract {
        widgets::text(ui, "Reference", &mut k.reference);
        widgets::number(
            ui,
            "discount",
            "Discount off list",
            "share, [0, 1)",
            &mut k.discount,
            Rule::Discount,
        );
        if c.pricing.is_tokens() {
            widgets::optional_money(
                ui,
                "k-in",
                "Negotiated input",
                "$/M tokens",
                &mut k.input_per_m,
            );
            widgets::optional_money(
                ui,
                "k-cached",
                "Negotiated cached input",
                "$/M tokens",
                &mut k.cached_input_per_m,
            );
            widgets::optional_money(
                ui,
                "k-out",
                "Negotiated output",
                "$/M tokens",
                &mut k.output_per_m,
            );
        } else {
            widgets::optional_money(
                ui,
                "k-hourly",
                "Negotiated GPU-hour",
                "$/h",
                &mut k.hourly_rate,
            );
        }
        widgets::optional_money(
            ui,
            "k-commit",
            "Committed spend",
            "$/month",
            &mut k.committed_monthly_spend,
        );
        widgets::notes(ui, "Contract notes", &mut k.notes);
    }
    widgets::notes(ui, "Notes", &mut c.notes);
    if let Some(err) = source::apply(ws, picked) {
        ui.label(egui::RichText::new(format!("⚠ {err}")).color(theme::error_color(ui.visuals())));
    }
    true
}
