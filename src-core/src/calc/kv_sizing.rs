//! KV-cache sizing: bytes per token, live sequences at a context length, and the context at
//! which a sequence's KV cache weighs as much as the model.

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
}

/// What fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KvSizing {
    /// 2 (K and V) × layers × KV heads × head dim × element bytes.
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
        if self.headroom_fraction.is_finite() && (0.0..1.0).contains(&self.headroom_fraction) {
            Ok(())
        } else {
            Err(InputError::new(
                "headroom_fraction",
                format!("must lie in [0, 1), got {}", self.headroom_fraction),
            ))
        }
    }

    /// KV bytes one token occupies.
    #[must_use]
    pub fn bytes_per_token(&self) -> f64 {
        2.0 * self.n_layers * self.n_kv_heads * self.head_dim * self.element_bytes
    }

    /// Live sequences that fit at `resident_tokens` each (for curves over context length).
    #[must_use]
    pub fn live_sequences_at(&self, resident_tokens: f64) -> f64 {
        let usable = self.kv_pool_bytes * (1.0 - self.headroom_fraction);
        (usable / (self.bytes_per_token() * resident_tokens)).floor()
    }
}

/// Sizes the KV cache for `shape`.
pub fn kv_sizing(shape: &KvShape) -> InputResult<KvSizing> {
    shape.validate()?;
    let per_token = shape.bytes_per_token();
    Ok(KvSizing {
        kv_bytes_per_token: per_token,
        total_kv_memory_per_seq: per_token * shape.resident_tokens,
        max_live_sequences: shape.live_sequences_at(shape.resident_tokens),
        context_length_at_weight_parity: (shape.weight_bytes / per_token).floor(),
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
        };
        let k = kv_sizing(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.context_length_at_weight_parity, 122_528.0);
        assert_eq!(k.max_live_sequences, 46.0);
    }
}
