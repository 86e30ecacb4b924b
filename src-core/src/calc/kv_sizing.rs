//! KV-cache sizing: bytes per token, live sequences at a context length, and the context at
//! which a sequence's KV cache weighs as much as the model.
//!
//! A model whose layers cache differently (sliding-window layers beside full ones, a
//! compressed latent under multi-latent attention) carries `layer_groups`: then a sequence
//! of C tokens holds, per group, layers × elements per token × element bytes × min(window, C),
//! so the bytes per token depend on the context.

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult, non_negative, positive};

fn default_headroom() -> f64 {
    0.1
}

/// A model's attention shape and a memory budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvShape {
    /// Transformer layers.
    pub n_layers: f64,
    /// Key/value heads (fewer than query heads under grouped-query attention).
    pub n_kv_heads: f64,
    /// Dimension of one head.
    pub head_dim: f64,
    /// Bytes per element: 2 for bf16, 1 for fp8.
    pub element_bytes: f64,
    /// Memory set aside for the KV cache, in bytes.
    pub kv_pool_bytes: f64,
    /// Tokens resident per sequence (the context length served).
    pub resident_tokens: f64,
    /// Share of the pool kept free for fragmentation and activations, in [0, 1).
    #[serde(default = "default_headroom")]
    pub headroom_fraction: f64,
    /// Model weights in bytes (0: not given).
    #[serde(default)]
    pub weight_bytes: f64,
    /// Per-layer-type cache; empty: every layer caches 2 × KV heads × head dim per token.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layer_groups: Vec<KvLayerGroup>,
}

/// How one kind of layer caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// Keys and values for every token of the context.
    FullAttention,
    /// Keys and values for the last `window` tokens only.
    SlidingAttention,
    /// Multi-latent attention: one compressed latent plus the rope key per token.
    LatentAttention,
}

impl LayerKind {
    /// The name configs and reports use.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::FullAttention => "full_attention",
            Self::SlidingAttention => "sliding_attention",
            Self::LatentAttention => "latent_attention",
        }
    }
}

/// Layers of one kind with the same cache per token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KvLayerGroup {
    /// What the layers cache.
    pub kind: LayerKind,
    /// How many layers.
    pub layers: u32,
    /// Cached elements per token per layer (2 × KV heads × head dim; latent + rope dim).
    pub elements_per_token: u32,
    /// Tokens a sliding layer keeps; none for layers that keep the whole context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
}

impl KvLayerGroup {
    /// Bytes one token adds to these layers while it is inside the window.
    #[must_use]
    pub fn bytes_per_token(&self, element_bytes: f64) -> f64 {
        f64::from(self.layers) * f64::from(self.elements_per_token) * element_bytes
    }

    /// Tokens these layers hold for a sequence of `context` tokens: a window at or above the
    /// context holds all of it, as full attention does.
    #[must_use]
    pub fn resident_tokens(&self, context: f64) -> f64 {
        self.window.map_or(context, |w| context.min(f64::from(w)))
    }

    /// Bytes these layers hold for one sequence of `context` tokens.
    #[must_use]
    pub fn bytes_at(&self, element_bytes: f64, context: f64) -> f64 {
        self.bytes_per_token(element_bytes) * self.resident_tokens(context)
    }
}

/// What fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KvSizing {
    /// 2 (K and V) × layers × KV heads × head dim × element bytes; with layer groups, the
    /// sequence's bytes ÷ its tokens at the served context.
    pub kv_bytes_per_token: f64,
    /// Bytes per token × resident tokens.
    pub total_kv_memory_per_seq: f64,
    /// ⌊pool × (1 − headroom) ÷ per-sequence memory⌋.
    pub max_live_sequences: f64,
    /// ⌊weight bytes ÷ bytes per token⌋; 0 when no weights are given.
    pub context_length_at_weight_parity: f64,
    /// Pool bytes left for sequences after headroom.
    pub usable_pool_bytes: f64,
}

fn whole(field: &str, value: f64) -> InputResult<()> {
    positive(field, value)?;
    if value.fract() == 0.0 {
        Ok(())
    } else {
        Err(InputError::new(
            field,
            format!("must be a whole number, got {value}"),
        ))
    }
}

impl KvShape {
    /// Checks every field against its rule.
    pub fn validate(&self) -> InputResult<()> {
        whole("n_layers", self.n_layers)?;
        whole("n_kv_heads", self.n_kv_heads)?;
        whole("head_dim", self.head_dim)?;
        positive("element_bytes", self.element_bytes)?;
        positive("kv_pool_bytes", self.kv_pool_bytes)?;
        whole("resident_tokens", self.resident_tokens)?;
        non_negative("weight_bytes", self.weight_bytes)?;
        for (i, g) in self.layer_groups.iter().enumerate() {
            let field = format!("layer_groups[{i}]");
            if g.layers == 0 || g.elements_per_token == 0 || g.window == Some(0) {
                return Err(InputError::new(
                    field,
                    "must have layers, elements_per_token and window (when given) above 0",
                ));
            }
        }
        if self.headroom_fraction.is_finite() && (0.0..1.0).contains(&self.headroom_fraction) {
            Ok(())
        } else {
            Err(InputError::new(
                "headroom_fraction",
                format!("must lie in [0, 1), got {}", self.headroom_fraction),
            ))
        }
    }

    /// KV bytes one sequence of `context` tokens holds.
    #[must_use]
    pub fn bytes_per_sequence_at(&self, context: f64) -> f64 {
        if self.layer_groups.is_empty() {
            2.0 * self.n_layers * self.n_kv_heads * self.head_dim * self.element_bytes * context
        } else {
            self.layer_groups
                .iter()
                .map(|g| g.bytes_at(self.element_bytes, context))
                .sum()
        }
    }

    /// KV bytes per token at the served context (an average when windows cap some layers).
    #[must_use]
    pub fn bytes_per_token(&self) -> f64 {
        self.bytes_per_sequence_at(self.resident_tokens) / self.resident_tokens
    }

    /// Live sequences that fit at `resident_tokens` each (for curves over context length).
    #[must_use]
    pub fn live_sequences_at(&self, resident_tokens: f64) -> f64 {
        let usable = self.kv_pool_bytes * (1.0 - self.headroom_fraction);
        (usable / self.bytes_per_sequence_at(resident_tokens)).floor()
    }

    /// The longest context whose cache weighs no more than `bytes` (search: the cache grows
    /// piecewise linearly); infinite when windowed layers alone never reach it.
    fn context_holding(&self, bytes: f64) -> f64 {
        const CAP: f64 = 9.0e15;
        if self.bytes_per_sequence_at(CAP) <= bytes {
            return f64::INFINITY;
        }
        let (mut lo, mut hi) = (0.0_f64, CAP);
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if self.bytes_per_sequence_at(mid) <= bytes {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Sizes the KV cache for `shape`.
pub fn kv_sizing(shape: &KvShape) -> InputResult<KvSizing> {
    shape.validate()?;
    let per_seq = shape.bytes_per_sequence_at(shape.resident_tokens);
    let parity = if shape.layer_groups.is_empty() || shape.weight_bytes == 0.0 {
        (shape.weight_bytes / shape.bytes_per_token()).floor()
    } else {
        shape.context_holding(shape.weight_bytes)
    };
    Ok(KvSizing {
        kv_bytes_per_token: per_seq / shape.resident_tokens,
        total_kv_memory_per_seq: per_seq,
        max_live_sequences: shape.live_sequences_at(shape.resident_tokens),
        context_length_at_weight_parity: parity,
        usable_pool_bytes: shape.kv_pool_bytes * (1.0 - shape.headroom_fraction),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llama70b(resident: f64) -> KvShape {
        KvShape {
            n_layers: 80.0,
            n_kv_heads: 8.0,
            head_dim: 128.0,
            element_bytes: 2.0,
            kv_pool_bytes: 40e9,
            resident_tokens: resident,
            headroom_fraction: 0.1,
            weight_bytes: 0.0,
            layer_groups: Vec::new(),
        }
    }

    #[test]
    fn llama_70b_is_320_kib_per_token() {
        let k = kv_sizing(&llama70b(4096.0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.kv_bytes_per_token, 327_680.0);
        // 36e9 / (327,680 × 4,096) = 26.8 → 26 sequences.
        assert_eq!(k.max_live_sequences, 26.0);
        assert_eq!(k.context_length_at_weight_parity, 0.0);
    }

    #[test]
    fn a_128k_sequence_does_not_fit_in_40_gb() {
        let k = kv_sizing(&llama70b(131_072.0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.max_live_sequences, 0.0);
    }

    #[test]
    fn headroom_bounds() {
        let mut s = llama70b(4096.0);
        s.headroom_fraction = 0.0;
        assert!(kv_sizing(&s).is_ok());
        s.headroom_fraction = 1.0;
        assert_eq!(
            kv_sizing(&s).err().map(|e| e.field),
            Some("headroom_fraction".into())
        );
        s.headroom_fraction = -0.01;
        assert!(kv_sizing(&s).is_err());
    }

    #[test]
    fn zero_pool_and_fractional_layers_are_refused() {
        let mut s = llama70b(4096.0);
        s.kv_pool_bytes = 0.0;
        assert_eq!(
            kv_sizing(&s).err().map(|e| e.field),
            Some("kv_pool_bytes".into())
        );
        let mut s = llama70b(4096.0);
        s.n_layers = 79.5;
        assert!(kv_sizing(&s).is_err());
    }

    #[test]
    fn weight_parity_context() {
        let s = KvShape {
            n_layers: 32.0,
            n_kv_heads: 8.0,
            head_dim: 128.0,
            element_bytes: 2.0,
            kv_pool_bytes: 56e9,
            resident_tokens: 8192.0,
            headroom_fraction: 0.1,
            weight_bytes: 16.06e9,
            layer_groups: Vec::new(),
        };
        let k = kv_sizing(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.context_length_at_weight_parity, 122_528.0);
        assert_eq!(k.max_live_sequences, 46.0);
    }

    fn gemma2_27b(context: f64) -> KvShape {
        KvShape {
            n_layers: 46.0,
            n_kv_heads: 16.0,
            head_dim: 128.0,
            element_bytes: 2.0,
            kv_pool_bytes: 40e9,
            resident_tokens: context,
            headroom_fraction: 0.1,
            weight_bytes: 0.0,
            layer_groups: vec![
                KvLayerGroup {
                    kind: LayerKind::SlidingAttention,
                    layers: 23,
                    elements_per_token: 2 * 16 * 128,
                    window: Some(4096),
                },
                KvLayerGroup {
                    kind: LayerKind::FullAttention,
                    layers: 23,
                    elements_per_token: 2 * 16 * 128,
                    window: None,
                },
            ],
        }
    }

    #[test]
    fn sliding_layers_stop_growing_at_the_window() {
        // Per layer per token: 2 × 16 × 128 × 2 B = 8,192 B; 23 layers of each kind: 188,416 B.
        // At 2,048 tokens both kinds hold every token: 376,832 B per token.
        let k = kv_sizing(&gemma2_27b(2048.0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.kv_bytes_per_token, 376_832.0);
        // At 8,192: 188,416 × 4,096 + 188,416 × 8,192 = 2,315,255,808 B = 282,624 B per token.
        let k = kv_sizing(&gemma2_27b(8192.0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.total_kv_memory_per_seq, 2_315_255_808.0);
        assert_eq!(k.kv_bytes_per_token, 282_624.0);
        // 36e9 ÷ 2,315,255,808 = 15.5 → 15 sequences.
        assert_eq!(k.max_live_sequences, 15.0);
        let mut s = gemma2_27b(8192.0);
        // Weights of 54e9 B: 188,416 × 4,096 + 188,416 × C ≤ 54e9 → C ≤ 282,503.86…
        s.weight_bytes = 54e9;
        let k = kv_sizing(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.context_length_at_weight_parity, 282_503.0);
        s.layer_groups[0].layers = 0;
        assert_eq!(
            kv_sizing(&s).err().map(|e| e.field),
            Some("layer_groups[0]".into())
        );
    }
}
