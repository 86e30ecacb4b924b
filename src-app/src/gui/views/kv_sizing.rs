//! KV sizing: live sequences against context length for a model shape and a memory budget.

use egui::{RichText, Ui};
use lcpr_core::calc::kv_sizing::{KvShape, kv_sizing};
use lcpr_core::case::evaluation::Evaluation;
use lcpr_core::document::{Rule, Workspace};
use lcpr_core::report::chart::Chart;
use lcpr_core::report::figures::kv_chart;

use super::{View, ViewContext};
use crate::gui::{plot, theme, widgets};

/// Model shapes offered as starting points.
const PRESETS: [(&str, f64, f64, f64, f64); 3] = [
    // name, layers, KV heads, head dim, weights (GB, bf16)
    ("Llama 3 8B", 32.0, 8.0, 128.0, 16.06),
    ("Llama 3 70B", 80.0, 8.0, 128.0, 141.0),
    ("Qwen 2.5 32B", 64.0, 8.0, 128.0, 65.5),
];

/// The KV sizing view.
pub struct KvSizingView {
    name: String,
    shape: KvShape,
    pool_gb: f64,
    weights_gb: f64,
}

impl Default for KvSizingView {
    fn default() -> Self {
        Self {
            name: "Llama 3 70B".to_owned(),
            shape: KvShape {
                n_layers: 80.0,
                n_kv_heads: 8.0,
                head_dim: 128.0,
                element_bytes: 2.0,
                kv_pool_bytes: 40e9,
                resident_tokens: 4096.0,
                headroom_fraction: 0.1,
                weight_bytes: 141e9,
                layer_groups: Vec::new(),
            },
            pool_gb: 40.0,
            weights_gb: 141.0,
        }
    }
}

impl View for KvSizingView {
    fn title(&self) -> &'static str {
        "KV sizing"
    }

    fn chart(&mut self, _doc: &Workspace, _eval: &Evaluation) -> Option<Chart> {
        kv_chart(&self.shape, &self.name).ok()
    }

    fn ui(&mut self, ui: &mut Ui, cx: &mut ViewContext<'_>) {
        ui.horizontal(|ui| {
            ui.label("Preset");
            // The migration case's model (typed in, or imported from its config.json).
            if let Some(fit) = cx.doc.migration.as_ref().and_then(|m| m.model.as_ref()) {
                let name = "Migration model";
                let hover = if fit.source.is_empty() {
                    "The model of the workspace's migration case".to_owned()
                } else {
                    format!("The migration case's model, from {}", fit.source)
                };
                if ui
                    .selectable_label(self.name == name, name)
                    .on_hover_text(hover)
                    .clicked()
                {
                    self.name = name.to_owned();
                    self.shape.n_layers = fit.n_layers;
                    self.shape.n_kv_heads = fit.n_kv_heads;
                    self.shape.head_dim = fit.head_dim;
                    self.shape.element_bytes = fit.element_bytes;
                    self.shape.resident_tokens = fit.context_tokens;
                    self.shape.headroom_fraction = fit.headroom_fraction;
                    // Sliding or latent layers imported from the config size per context.
                    self.shape.layer_groups = fit.layer_groups.clone();
                    self.pool_gb = fit.kv_pool_gb;
                }
            }
            for (name, layers, heads, dim, weights) in PRESETS {
                if ui.selectable_label(self.name == name, name).clicked() {
                    self.name = name.to_owned();
                    self.shape.n_layers = layers;
                    self.shape.n_kv_heads = heads;
                    self.shape.head_dim = dim;
                    self.shape.layer_groups.clear();
                    self.weights_gb = weights;
                }
            }
        });
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            let s = &mut self.shape;
            widgets::number(ui, "layers", "Layers", "", &mut s.n_layers, Rule::Positive);
            widgets::number(
                ui,
                "heads",
                "KV heads",
                "",
                &mut s.n_kv_heads,
                Rule::Positive,
            );
            widgets::number(
                ui,
                "dim",
                "Head dimension",
                "",
                &mut s.head_dim,
                Rule::Positive,
            );
            widgets::number(
                ui,
                "bytes",
                "Bytes per element",
                "2 = bf16, 1 = fp8",
                &mut s.element_bytes,
                Rule::Positive,
            );
            let ui = &mut cols[1];
            widgets::number(
                ui,
                "pool",
                "KV pool",
                "GB",
                &mut self.pool_gb,
                Rule::Positive,
            );
            widgets::number(
                ui,
                "headroom",
                "Headroom",
                "share, [0, 1)",
                &mut s.headroom_fraction,
                Rule::Discount,
            );
            widgets::number(
                ui,
                "resident",
                "Resident context",
                "tokens",
                &mut s.resident_tokens,
                Rule::Positive,
            );
            widgets::number(
                ui,
                "weights",
                "Weights",
                "GB",
                &mut self.weights_gb,
                Rule::NonNegative,
            );
        });
        self.shape.kv_pool_bytes = self.pool_gb * 1e9;
        self.shape.weight_bytes = self.weights_gb * 1e9;
        use lcpr_core::report::memo::format::count;
        match kv_sizing(&self.shape) {
            Err(e) => {
                ui.label(RichText::new(e.to_string()).color(theme::error_color(ui.visuals())));
            }
            Ok(k) => {
                ui.label(
                    RichText::new(format!(
                        "{} KiB of KV cache per token; {} live sequences fit at {} tokens; a {}-token context weighs as much as the model.",
                        count(k.kv_bytes_per_token / 1024.0),
                        count(k.max_live_sequences),
                        count(self.shape.resident_tokens),
                        count(k.context_length_at_weight_parity)
                    ))
                    .strong(),
                );
                if let Ok(chart) = kv_chart(&self.shape, &self.name) {
                    plot::show(ui, "kv-chart", &chart, theme::CHART_HEIGHT);
                }
            }
        }
    }
}
