//! KV-cache sizing inputs read from a Hugging Face `config.json`.
//!
//! For standard multi-head and grouped-query attention, every layer caches one key and one
//! value vector per KV head per token, so [`crate::calc::kv_sizing`] needs only the layer count, the
//! KV head count, the head dimension and the element size:
//! - `num_hidden_layers`, `num_attention_heads`;
//! - `num_key_value_heads`, which by the Hugging Face convention defaults to
//!   `num_attention_heads` when absent (plain multi-head attention);
//! - `head_dim`, or else `hidden_size ÷ num_attention_heads`, which must divide exactly;
//! - `torch_dtype` (newer files: `dtype`): float16 and bfloat16 are 2 bytes, float32 4, the
//!   float8 variants 1. This is the weights' type; a server that stores its KV cache in another
//!   type (an fp8 KV cache on bf16 weights) needs `element_bytes` changed accordingly.
//!
//! Shapes whose cache is not that simple are refused, naming the field that shows it, rather
//! than sized wrongly: multi-latent attention (`kv_lora_rank`, as in DeepSeek-V2/V3, caches a
//! compressed latent), sliding-window attention (`sliding_window` in use: the cache stops
//! growing at the window), per-layer attention patterns (`layer_types`, hybrid
//! attention–state-space stacks), non-standard KV-head fields (`multi_query`, `n_head_kv`,
//! `num_kv_heads`, `multi_query_group_num`), configs nesting the language model
//! (`text_config`), and missing, fractional or inconsistent numbers.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::calc::kv_sizing::KvShape;
use crate::document::ModelFit;
use crate::error::{InputError, InputResult};

/// The attention shape a config describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HfKvInputs {
    /// `model_type`, when given.
    pub model_type: Option<String>,
    /// Transformer layers.
    pub n_layers: u32,
    /// Query heads.
    pub n_attention_heads: u32,
    /// Key/value heads.
    pub n_kv_heads: u32,
    /// Dimension of one head.
    pub head_dim: u32,
    /// The dtype named in the config.
    pub dtype: String,
    /// Bytes per cached element for that dtype.
    pub element_bytes: f64,
    /// How values were obtained (defaults taken, dimensions derived).
    pub notes: Vec<String>,
}

impl HfKvInputs {
    /// KV bytes one token occupies: 2 (K and V) × layers × KV heads × head dim × bytes.
    #[must_use]
    pub fn bytes_per_token(&self) -> f64 {
        2.0 * f64::from(self.n_layers)
            * f64::from(self.n_kv_heads)
            * f64::from(self.head_dim)
            * self.element_bytes
    }

    /// The [`KvShape`] for this model with a memory budget: the pool, the resident tokens per
    /// sequence, the headroom share and the weights' bytes (0 when not known).
    #[must_use]
    pub fn kv_shape(
        &self,
        kv_pool_bytes: f64,
        resident_tokens: f64,
        headroom_fraction: f64,
        weight_bytes: f64,
    ) -> KvShape {
        KvShape {
            n_layers: f64::from(self.n_layers),
            n_kv_heads: f64::from(self.n_kv_heads),
            head_dim: f64::from(self.head_dim),
            element_bytes: self.element_bytes,
            kv_pool_bytes,
            resident_tokens,
            headroom_fraction,
            weight_bytes,
        }
    }
}

impl HfKvInputs {
    /// `fit` with this model's attention shape (layers, KV heads, head dimension, element
    /// bytes) and `source` as its origin; the memory budget and the load stay as they were.
    #[must_use]
    pub fn apply_to(&self, fit: &ModelFit, source: &str) -> ModelFit {
        ModelFit {
            n_layers: f64::from(self.n_layers),
            n_kv_heads: f64::from(self.n_kv_heads),
            head_dim: f64::from(self.head_dim),
            element_bytes: self.element_bytes,
            source: source.to_owned(),
            ..fit.clone()
        }
    }
}

fn present<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn whole(o: &Map<String, Value>, key: &str) -> InputResult<Option<u32>> {
    let Some(v) = present(o, key) else {
        return Ok(None);
    };
    let n = v
        .as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| InputError::new(key, format!("must be a whole number > 0, got {v}")))?;
    Ok(Some(n))
}

fn required(o: &Map<String, Value>, key: &str) -> InputResult<u32> {
    whole(o, key)?.ok_or_else(|| {
        InputError::new(
            key,
            "is missing: the KV cache cannot be sized without it (a config of another naming scheme is not read)",
        )
    })
}

/// Bytes per element of a dtype name as configs write it.
#[must_use]
pub fn dtype_bytes(dtype: &str) -> Option<f64> {
    let d = dtype
        .trim()
        .trim_start_matches("torch.")
        .to_ascii_lowercase();
    match d.as_str() {
        "float16" | "fp16" | "half" | "bfloat16" | "bf16" => Some(2.0),
        "float32" | "fp32" | "float" => Some(4.0),
        _ if d.starts_with("float8") || d.starts_with("fp8") => Some(1.0),
        _ => None,
    }
}

fn refuse(field: &str, why: &str) -> InputError {
    InputError::new(
        field,
        format!("is set: {why}; this shape is not sized here"),
    )
}

/// Reads KV sizing inputs from the text of a `config.json`.
pub fn kv_inputs_from_config(text: &str) -> InputResult<HfKvInputs> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| InputError::new("", format!("is not valid JSON: {e}")))?;
    let Value::Object(o) = &root else {
        return Err(InputError::new("", "must be a JSON object"));
    };
    if present(o, "text_config").is_some() {
        return Err(refuse(
            "text_config",
            "the language model's shape is nested inside a multimodal config; pass the text model's own config",
        ));
    }
    if present(o, "kv_lora_rank").is_some() {
        return Err(refuse(
            "kv_lora_rank",
            "multi-latent attention caches a compressed latent per token, not per-head keys and values",
        ));
    }
    for key in [
        "layer_types",
        "layers_block_type",
        "attn_layer_indices",
        "hybrid_override_pattern",
        "block_types",
    ] {
        if present(o, key).is_some() {
            return Err(refuse(
                key,
                "layers differ in their attention (sliding, global or state-space), so one per-layer size does not hold",
            ));
        }
    }
    if present(o, "sliding_window").is_some()
        && o.get("use_sliding_window").and_then(Value::as_bool) != Some(false)
    {
        return Err(refuse(
            "sliding_window",
            "sliding-window attention caps the cache at the window instead of the context",
        ));
    }
    for key in [
        "multi_query",
        "n_head_kv",
        "num_kv_heads",
        "multi_query_group_num",
    ] {
        if present(o, key).is_some() {
            return Err(refuse(
                key,
                "KV heads are named in a non-standard field whose meaning varies by model",
            ));
        }
    }
    let mut notes = Vec::new();
    let n_layers = required(o, "num_hidden_layers")?;
    let n_attention_heads = required(o, "num_attention_heads")?;
    let n_kv_heads = match whole(o, "num_key_value_heads")? {
        Some(k) => k,
        None => {
            notes.push(
                "num_key_value_heads absent: taken as num_attention_heads (multi-head attention)."
                    .to_owned(),
            );
            n_attention_heads
        }
    };
    if n_kv_heads > n_attention_heads || n_attention_heads % n_kv_heads != 0 {
        return Err(InputError::new(
            "num_key_value_heads",
            format!("must divide num_attention_heads ({n_attention_heads}), got {n_kv_heads}"),
        ));
    }
    let head_dim = match whole(o, "head_dim")? {
        Some(h) => h,
        None => {
            let hidden = required(o, "hidden_size")?;
            if hidden % n_attention_heads != 0 {
                return Err(InputError::new(
                    "hidden_size",
                    format!(
                        "must be a multiple of num_attention_heads ({n_attention_heads}) to give a whole head_dim, got {hidden}"
                    ),
                ));
            }
            notes.push(format!(
                "head_dim absent: hidden_size {hidden} ÷ {n_attention_heads} heads = {}.",
                hidden / n_attention_heads
            ));
            hidden / n_attention_heads
        }
    };
    let (dtype_key, dtype) = ["torch_dtype", "dtype"]
        .iter()
        .find_map(|k| present(o, k).and_then(Value::as_str).map(|d| (*k, d)))
        .ok_or_else(|| {
            InputError::new(
                "torch_dtype",
                "is missing: the element size of the cache cannot be known",
            )
        })?;
    let element_bytes = dtype_bytes(dtype).ok_or_else(|| {
        InputError::new(
            dtype_key,
            format!("must be float16, bfloat16, float32 or a float8 type, got {dtype:?}"),
        )
    })?;
    Ok(HfKvInputs {
        model_type: present(o, "model_type")
            .and_then(Value::as_str)
            .map(str::to_owned),
        n_layers,
        n_attention_heads,
        n_kv_heads,
        head_dim,
        dtype: dtype.to_owned(),
        element_bytes,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calc::kv_sizing::kv_sizing;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../tests/fixtures/hf_config/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(name: &str) -> HfKvInputs {
        kv_inputs_from_config(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn llama_3_8b() {
        let m = read("llama-3-8b.json");
        assert_eq!((m.n_layers, m.n_attention_heads, m.n_kv_heads), (32, 32, 8));
        // head_dim = 4096 ÷ 32 = 128, derived.
        assert_eq!(m.head_dim, 128);
        assert_eq!(m.element_bytes, 2.0);
        // 2 × 32 × 8 × 128 × 2 = 131,072 bytes (128 KiB) per token.
        assert_eq!(m.bytes_per_token(), 131_072.0);
        assert_eq!(m.notes.len(), 1);
    }

    #[test]
    fn llama_3_70b_matches_kv_sizing() {
        let m = read("llama-3-70b.json");
        assert_eq!(
            (m.n_layers, m.n_attention_heads, m.n_kv_heads, m.head_dim),
            (80, 64, 8, 128)
        );
        // 2 × 80 × 8 × 128 × 2 = 327,680 bytes per token, as kv_sizing's own check says.
        let k = kv_sizing(&m.kv_shape(40e9, 4096.0, 0.1, 0.0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k.kv_bytes_per_token, 327_680.0);
        assert_eq!(k.max_live_sequences, 26.0);
    }

    #[test]
    fn deepseek_v3_mla_is_refused() {
        let e = kv_inputs_from_config(&fixture("deepseek-v3.json")).err();
        assert_eq!(e.as_ref().map(|e| e.field.as_str()), Some("kv_lora_rank"));
        assert!(e.is_some_and(|e| e.rule.contains("multi-latent")));
    }

    fn llama8b() -> Map<String, Value> {
        match serde_json::from_str::<Value>(&fixture("llama-3-8b.json")) {
            Ok(Value::Object(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    fn with(edit: impl FnOnce(&mut Map<String, Value>)) -> InputResult<HfKvInputs> {
        let mut o = llama8b();
        edit(&mut o);
        kv_inputs_from_config(&Value::Object(o).to_string())
    }

    fn field_of(r: InputResult<HfKvInputs>) -> Option<String> {
        r.err().map(|e| e.field)
    }

    #[test]
    fn defaults_and_explicit_values() {
        // Without num_key_value_heads: multi-head, 32 KV heads.
        let m = with(|o| {
            o.remove("num_key_value_heads");
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.n_kv_heads, 32);
        // An explicit head_dim wins over hidden_size ÷ heads; newer files say dtype.
        let m = with(|o| {
            o.insert("head_dim".into(), 256.into());
            o.remove("torch_dtype");
            o.insert("dtype".into(), "float8_e4m3fn".into());
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.head_dim, m.element_bytes), (256, 1.0));
        assert_eq!(
            with(|o| {
                o.insert("torch_dtype".into(), "float32".into());
            })
            .map(|m| m.element_bytes)
            .ok(),
            Some(4.0)
        );
        // Qwen2-style: a sliding window that is switched off is fine.
        assert!(
            with(|o| {
                o.insert("sliding_window".into(), 32768.into());
                o.insert("use_sliding_window".into(), false.into());
            })
            .is_ok()
        );
        // A null sliding window (Mistral v0.2+) is fine too.
        assert!(
            with(|o| {
                o.insert("sliding_window".into(), Value::Null);
            })
            .is_ok()
        );
    }

    type Edit = Box<dyn FnOnce(&mut Map<String, Value>)>;

    #[test]
    fn refusals_name_the_field() {
        let cases: Vec<(&str, Edit)> = vec![
            (
                "num_hidden_layers",
                Box::new(|o| {
                    o.remove("num_hidden_layers");
                }),
            ),
            (
                "num_hidden_layers",
                Box::new(|o| {
                    o.insert("num_hidden_layers".into(), 31.5.into());
                }),
            ),
            (
                "hidden_size",
                Box::new(|o| {
                    o.insert("hidden_size".into(), 4100.into());
                }),
            ),
            (
                "num_key_value_heads",
                Box::new(|o| {
                    o.insert("num_key_value_heads".into(), 5.into());
                }),
            ),
            (
                "torch_dtype",
                Box::new(|o| {
                    o.remove("torch_dtype");
                }),
            ),
            (
                "torch_dtype",
                Box::new(|o| {
                    o.insert("torch_dtype".into(), "int4".into());
                }),
            ),
            (
                "sliding_window",
                Box::new(|o| {
                    o.insert("sliding_window".into(), 4096.into());
                }),
            ),
            (
                "layer_types",
                Box::new(|o| {
                    o.insert(
                        "layer_types".into(),
                        serde_json::json!(["sliding_attention", "full_attention"]),
                    );
                }),
            ),
            (
                "layers_block_type",
                Box::new(|o| {
                    o.insert(
                        "layers_block_type".into(),
                        serde_json::json!(["mamba", "attention"]),
                    );
                }),
            ),
            (
                "multi_query",
                Box::new(|o| {
                    o.insert("multi_query".into(), true.into());
                }),
            ),
            (
                "text_config",
                Box::new(|o| {
                    o.insert("text_config".into(), serde_json::json!({}));
                }),
            ),
        ];
        for (field, edit) in cases {
            assert_eq!(field_of(with(edit)), Some(field.to_owned()));
        }
        assert!(kv_inputs_from_config("[1]").is_err());
        assert!(kv_inputs_from_config("{").is_err());
    }

    #[test]
    fn the_shape_replaces_the_fit_and_keeps_the_budget() {
        let inputs = kv_inputs_from_config(
            r#"{"num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
                "hidden_size": 4096, "torch_dtype": "bfloat16"}"#,
        )
        .unwrap();
        let fit = ModelFit {
            n_layers: 1.0,
            n_kv_heads: 1.0,
            head_dim: 1.0,
            element_bytes: 4.0,
            kv_pool_gb: 40.0,
            headroom_fraction: 0.1,
            context_tokens: 8192.0,
            needed_concurrency: 24.0,
            oom_events: 1,
            source: String::new(),
        };
        let out = inputs.apply_to(&fit, "llama/config.json");
        // head_dim = 4096 ÷ 32 = 128; bf16 = 2 bytes.
        assert_eq!(
            (
                out.n_layers,
                out.n_kv_heads,
                out.head_dim,
                out.element_bytes
            ),
            (32.0, 8.0, 128.0, 2.0)
        );
        assert_eq!(
            (out.kv_pool_gb, out.context_tokens, out.oom_events),
            (40.0, 8192.0, 1)
        );
        assert_eq!(out.source, "llama/config.json");
    }
}
