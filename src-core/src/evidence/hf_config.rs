//! KV-cache sizing inputs read from a Hugging Face `config.json`.
//!
//! Every self-attention layer caches one key and one value vector per KV head per token; what
//! differs between model types is which layers cache and for how many tokens:
//! - the language model may be nested (`text_config`, `llm_config` in multimodal configs);
//!   keys a config omits take the model type's documented default (the `transformers`
//!   configuration class of that `model_type`), and each default taken is noted;
//! - `num_key_value_heads` defaults to `num_attention_heads`; `head_dim`, when given, wins
//!   over `hidden_size ÷ num_attention_heads` (Gemma-2: 128, not 4608 ÷ 32);
//! - cross-attention layers (`cross_attention_layers`, Llama-3.2-Vision) attend to the image
//!   and hold no per-token cache: they are left out;
//! - sliding-window layers keep only the last `sliding_window` tokens: which layers slide comes
//!   from `layer_types`, or the model type's rule (Gemma-2 and gpt-oss: every other layer,
//!   first one sliding; Gemma-3: five of six; Qwen2/3 with `use_sliding_window`: layers from
//!   `max_window_layers` on; Mistral, Mixtral, Phi-3, Starcoder2: all layers); a window at or
//!   above the context is full attention;
//! - multi-latent attention (`kv_lora_rank`, DeepSeek-V2/V3) caches one compressed latent of
//!   `kv_lora_rank` plus the rope key of `qk_rope_head_dim` per layer;
//! - experts (MoE) change weights, not the cache;
//! - `torch_dtype` (newer files: `dtype`) sizes an element: 16-bit 2 bytes, float32 4, float8 1;
//!   a server that keeps its cache in another type is given `--kv-dtype`.
//!
//! Shapes not understood (hybrid state-space stacks, chunked attention, non-standard KV-head
//! fields, a sliding window on a model type whose rule is not known) are refused naming the key
//! and what to add, rather than sized wrongly.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::calc::kv_sizing::{KvLayerGroup, KvShape, LayerKind};
use crate::document::ModelFit;
use crate::error::{InputError, InputResult};

/// The attention shape a config describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HfKvInputs {
    /// `model_type` of the language model, when given.
    pub model_type: Option<String>,
    /// Where the language model was read: the root, `text_config` or `llm_config`.
    pub read_from: String,
    /// Layers that cache per token (cross-attention layers left out).
    pub n_layers: u32,
    /// Cross-attention layers left out of the per-token cache.
    pub cross_attention_layers: u32,
    /// Query heads.
    pub n_attention_heads: u32,
    /// Key/value heads (1 under multi-latent attention: the latent is shared).
    pub n_kv_heads: u32,
    /// Dimension of one head (under multi-latent attention: latent + rope key).
    pub head_dim: u32,
    /// The dtype named in the config.
    pub dtype: String,
    /// Bytes per cached element for that dtype.
    pub element_bytes: f64,
    /// The cache per layer type.
    pub layer_groups: Vec<KvLayerGroup>,
    /// How values were obtained (defaults taken, dimensions derived, layers left out).
    pub notes: Vec<String>,
}

/// One layer type's cache at a context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerTypeSizing {
    /// `full_attention`, `sliding_attention` or `latent_attention`.
    pub layer_type: &'static str,
    /// Layers of this type.
    pub layers: u32,
    /// Tokens a sliding layer keeps, when it slides.
    pub window: Option<u32>,
    /// Bytes one token adds to one layer.
    pub bytes_per_token_per_layer: f64,
    /// Bytes one token adds to all layers of this type (while inside the window).
    pub bytes_per_token: f64,
    /// Tokens these layers hold at the context.
    pub resident_tokens: f64,
    /// Bytes these layers hold for one sequence at the context.
    pub kv_bytes: f64,
}

impl HfKvInputs {
    /// The cache per layer type for one sequence of `context` tokens.
    #[must_use]
    pub fn by_layer_type(&self, context: f64) -> Vec<LayerTypeSizing> {
        self.layer_groups
            .iter()
            .map(|g| LayerTypeSizing {
                layer_type: g.kind.name(),
                layers: g.layers,
                window: g.window,
                bytes_per_token_per_layer: f64::from(g.elements_per_token) * self.element_bytes,
                bytes_per_token: g.bytes_per_token(self.element_bytes),
                resident_tokens: g.resident_tokens(context),
                kv_bytes: g.bytes_at(self.element_bytes, context),
            })
            .collect()
    }

    /// KV bytes one sequence of `context` tokens holds.
    #[must_use]
    pub fn kv_bytes_at(&self, context: f64) -> f64 {
        self.by_layer_type(context).iter().map(|t| t.kv_bytes).sum()
    }

    /// KV bytes one token occupies while every window still holds it (the short-context
    /// rate; longer contexts average less when some layers slide).
    #[must_use]
    pub fn bytes_per_token(&self) -> f64 {
        self.layer_groups
            .iter()
            .map(|g| g.bytes_per_token(self.element_bytes))
            .sum()
    }

    /// The same model with its cache kept in another element size (an fp8 KV cache).
    #[must_use]
    pub fn with_element_bytes(mut self, dtype: &str, element_bytes: f64) -> Self {
        self.dtype = dtype.to_owned();
        self.element_bytes = element_bytes;
        self
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
            layer_groups: self.layer_groups.clone(),
        }
    }

    /// `fit` with this model's attention shape (layers, KV heads, head dimension, element
    /// bytes, per-layer-type cache) and `source` as its origin; the memory budget and the
    /// load stay as they were.
    #[must_use]
    pub fn apply_to(&self, fit: &ModelFit, source: &str) -> ModelFit {
        ModelFit {
            n_layers: f64::from(self.n_layers),
            n_kv_heads: f64::from(self.n_kv_heads),
            head_dim: f64::from(self.head_dim),
            element_bytes: self.element_bytes,
            source: source.to_owned(),
            layer_groups: self.layer_groups.clone(),
            ..fit.clone()
        }
    }
}

/// A model type's documented defaults (its `transformers` configuration class).
struct Defaults {
    numbers: &'static [(&'static str, u32)],
    /// Default `cross_attention_layers`.
    cross_attention: &'static [u32],
}

/// More layers than any model has: a value above it is a typo, not a model.
const MAX_LAYERS: u32 = 100_000;

const LLAMA_CROSS: &[u32] = &[3, 8, 13, 18, 23, 28, 33, 38];

fn defaults(model_type: &str) -> Defaults {
    let numbers: &'static [(&'static str, u32)] = match model_type {
        "llama" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
        ],
        "mistral" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
            ("num_key_value_heads", 8),
            ("sliding_window", 4096),
        ],
        "mixtral" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
            ("num_key_value_heads", 8),
        ],
        "qwen2" | "qwen2_moe" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
            ("num_key_value_heads", 32),
            ("sliding_window", 4096),
            ("max_window_layers", 28),
        ],
        "qwen3" | "qwen3_moe" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
            ("num_key_value_heads", 32),
            ("head_dim", 128),
            ("sliding_window", 4096),
            ("max_window_layers", 28),
        ],
        "gemma" => &[
            ("hidden_size", 3072),
            ("num_hidden_layers", 28),
            ("num_attention_heads", 16),
            ("num_key_value_heads", 16),
            ("head_dim", 256),
        ],
        "gemma2" | "gemma3_text" => &[
            ("hidden_size", 2304),
            ("num_hidden_layers", 26),
            ("num_attention_heads", 8),
            ("num_key_value_heads", 4),
            ("head_dim", 256),
            ("sliding_window", 4096),
            ("sliding_window_pattern", 6),
        ],
        "mllama" | "mllama_text_model" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 40),
            ("num_attention_heads", 32),
            ("num_key_value_heads", 8),
        ],
        "gpt_oss" => &[
            ("hidden_size", 2880),
            ("num_hidden_layers", 36),
            ("num_attention_heads", 64),
            ("num_key_value_heads", 8),
            ("head_dim", 64),
            ("sliding_window", 128),
        ],
        "deepseek_v2" => &[
            ("hidden_size", 4096),
            ("num_hidden_layers", 32),
            ("num_attention_heads", 32),
            ("kv_lora_rank", 512),
            ("qk_rope_head_dim", 64),
        ],
        "deepseek_v3" => &[
            ("hidden_size", 7168),
            ("num_hidden_layers", 61),
            ("num_attention_heads", 128),
            ("num_key_value_heads", 128),
            ("kv_lora_rank", 512),
            ("qk_rope_head_dim", 64),
        ],
        _ => &[],
    };
    let cross_attention: &'static [u32] = match model_type {
        "mllama" | "mllama_text_model" => LLAMA_CROSS,
        _ => &[],
    };
    Defaults {
        numbers,
        cross_attention,
    }
}

/// Which layers slide when `layer_types` is absent, by model type.
enum SlidingRule {
    /// Layer i slides unless (i + 1) is a multiple of the period (Gemma-2, gpt-oss: 2).
    Period(u32),
    /// Layers from `max_window_layers` on slide, when `use_sliding_window` (Qwen2/3).
    FromMaxWindowLayers,
    /// Every layer slides (Mistral, Mixtral, Phi-3, Starcoder2).
    All,
}

fn sliding_rule(model_type: &str, cfg: &Cfg<'_>) -> InputResult<Option<SlidingRule>> {
    Ok(match model_type {
        "gemma2" | "gpt_oss" => Some(SlidingRule::Period(2)),
        "gemma3_text" | "gemma3" => Some(SlidingRule::Period(
            cfg.whole("sliding_window_pattern")?.unwrap_or(6),
        )),
        "qwen2" | "qwen2_moe" | "qwen3" | "qwen3_moe" => Some(SlidingRule::FromMaxWindowLayers),
        "mistral" | "mixtral" | "phi3" | "starcoder2" => Some(SlidingRule::All),
        _ => None,
    })
}

/// The language model's keys, with the model type's defaults behind them.
struct Cfg<'a> {
    o: &'a Map<String, Value>,
    /// The root, for the dtype a nested config leaves out.
    root: &'a Map<String, Value>,
    prefix: String,
    model_type: String,
    defaults: Defaults,
    notes: std::cell::RefCell<Vec<String>>,
}

impl Cfg<'_> {
    fn field(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn present(&self, key: &str) -> Option<&Value> {
        present(self.o, key)
    }

    /// `key` as given, `null` counting as absent (no default then either: the config says
    /// "none"), or else the documented default.
    fn whole(&self, key: &str) -> InputResult<Option<u32>> {
        if let Some(v) = self.present(key) {
            return whole_value(v).map(Some).ok_or_else(|| {
                InputError::new(
                    self.field(key),
                    format!("must be a whole number > 0, got {v}"),
                )
            });
        }
        if self.o.contains_key(key) {
            return Ok(None);
        }
        let d = self
            .defaults
            .numbers
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, n)| *n);
        if let Some(n) = d {
            self.notes.borrow_mut().push(format!(
                "{} absent: {n}, the documented default of model_type {:?}.",
                self.field(key),
                self.model_type
            ));
        }
        Ok(d)
    }

    fn required(&self, key: &str) -> InputResult<u32> {
        self.whole(key)?.ok_or_else(|| {
            InputError::new(
                self.field(key),
                format!(
                    "is missing and model_type {:?} documents no default: add it to the config (the KV cache cannot be sized without it)",
                    self.model_type
                ),
            )
        })
    }
}

fn present<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn whole_value(v: &Value) -> Option<u32> {
    v.as_u64()
        .or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
}

/// Bytes per element of a dtype name as configs (and `--kv-dtype`) write it.
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

fn refuse(field: String, why: &str) -> InputError {
    InputError::new(
        field,
        format!("is set: {why}; this shape is not sized here"),
    )
}

/// Reads KV sizing inputs from the text of a `config.json`.
pub fn kv_inputs_from_config(text: &str) -> InputResult<HfKvInputs> {
    kv_inputs_with_kv_dtype(text, None)
}

/// As [`kv_inputs_from_config`], the cache kept in `kv_dtype` when given (a server's
/// `--kv-cache-dtype fp8` on bf16 weights); then the config need not name its dtype.
pub fn kv_inputs_with_kv_dtype(text: &str, kv_dtype: Option<&str>) -> InputResult<HfKvInputs> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| InputError::new("", format!("is not valid JSON: {e}")))?;
    let Value::Object(root) = &root else {
        return Err(InputError::new("", "must be a JSON object"));
    };
    let (o, read_from) = match ["text_config", "llm_config"]
        .iter()
        .find_map(|k| present(root, k).map(|v| (*k, v)))
    {
        Some((k, Value::Object(inner))) => (inner, k.to_owned()),
        Some((k, _)) => {
            return Err(InputError::new(
                k,
                "must be an object holding the language model's config",
            ));
        }
        None => (root, String::new()),
    };
    let model_type = present(o, "model_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let cfg = Cfg {
        o,
        root,
        prefix: if read_from.is_empty() {
            String::new()
        } else {
            format!("{read_from}.")
        },
        defaults: defaults(&model_type),
        model_type,
        notes: std::cell::RefCell::new(Vec::new()),
    };
    if !read_from.is_empty() {
        cfg.notes.borrow_mut().push(format!(
            "The language model is read from {read_from} (model_type {:?}).",
            cfg.model_type
        ));
    }
    refuse_unknown_shapes(&cfg)?;
    let n_total = cfg.required("num_hidden_layers")?;
    // Layers are walked one by one below; no model has anywhere near this many.
    if n_total > MAX_LAYERS {
        return Err(InputError::new(
            cfg.field("num_hidden_layers"),
            format!("must be at most {MAX_LAYERS}, got {n_total}: check the value"),
        ));
    }
    let n_attention_heads = cfg.required("num_attention_heads")?;
    let (dtype_key, dtype) = kv_dtype
        .map(|d| ("--kv-dtype", d))
        .or_else(|| {
            ["torch_dtype", "dtype"].iter().find_map(|k| {
            present(cfg.o, k)
                .or_else(|| present(cfg.root, k))
                .and_then(Value::as_str)
                .map(|d| (*k, d))
            })
        })
        .ok_or_else(|| {
            InputError::new(
                "torch_dtype",
                "is missing: the element size of the cache cannot be known (add torch_dtype, or give --kv-dtype)",
            )
        })?;
    let element_bytes = dtype_bytes(dtype).ok_or_else(|| {
        InputError::new(
            dtype_key,
            format!("must be float16, bfloat16, float32 or a float8 type, got {dtype:?}"),
        )
    })?;
    let is_mla = cfg.whole("kv_lora_rank")?;
    let (n_layers, cross, n_kv_heads, head_dim, layer_groups) = if let Some(rank) = is_mla {
        let rope = cfg.required("qk_rope_head_dim")?;
        let latent = rank.checked_add(rope).ok_or_else(|| {
            InputError::new(
                cfg.field("kv_lora_rank"),
                format!("with qk_rope_head_dim {rope} is too large, got {rank}"),
            )
        })?;
        cfg.notes.borrow_mut().push(format!(
            "Multi-latent attention: each layer caches kv_lora_rank {rank} + qk_rope_head_dim {rope} = {} elements per token.",
            latent
        ));
        let group = KvLayerGroup {
            kind: LayerKind::LatentAttention,
            layers: n_total,
            elements_per_token: latent,
            window: None,
        };
        (n_total, 0, 1, latent, vec![group])
    } else {
        let n_kv_heads = match cfg.whole("num_key_value_heads")? {
            Some(k) => k,
            None => {
                cfg.notes.borrow_mut().push(format!(
                    "{} absent: taken as num_attention_heads (multi-head attention).",
                    cfg.field("num_key_value_heads")
                ));
                n_attention_heads
            }
        };
        if n_kv_heads > n_attention_heads || n_attention_heads % n_kv_heads != 0 {
            return Err(InputError::new(
                cfg.field("num_key_value_heads"),
                format!("must divide num_attention_heads ({n_attention_heads}), got {n_kv_heads}"),
            ));
        }
        let head_dim = match cfg.whole("head_dim")? {
            Some(h) => h,
            None => {
                let hidden = cfg.required("hidden_size")?;
                if hidden % n_attention_heads != 0 {
                    return Err(InputError::new(
                        cfg.field("hidden_size"),
                        format!(
                            "must be a multiple of num_attention_heads ({n_attention_heads}) to give a whole head_dim, got {hidden} (or give head_dim)"
                        ),
                    ));
                }
                cfg.notes.borrow_mut().push(format!(
                    "head_dim absent: hidden_size {hidden} ÷ {n_attention_heads} heads = {}.",
                    hidden / n_attention_heads
                ));
                hidden / n_attention_heads
            }
        };
        let cross = cross_attention_layers(&cfg, n_total)?;
        let kinds = layer_kinds(&cfg, n_total, &cross)?;
        let elements = n_kv_heads
            .checked_mul(head_dim)
            .and_then(|e| e.checked_mul(2))
            .ok_or_else(|| {
                InputError::new(
                    cfg.field("head_dim"),
                    format!("× {n_kv_heads} KV heads is too large, got {head_dim}"),
                )
            })?;
        let mut groups: Vec<KvLayerGroup> = Vec::new();
        for (kind, window) in kinds {
            match groups
                .iter_mut()
                .find(|g| g.kind == kind && g.window == window)
            {
                Some(g) => g.layers += 1,
                None => groups.push(KvLayerGroup {
                    kind,
                    layers: 1,
                    elements_per_token: elements,
                    window,
                }),
            }
        }
        let cached = n_total - cross.len() as u32;
        if cached == 0 {
            return Err(InputError::new(
                cfg.field("cross_attention_layers"),
                "lists every layer: no layer caches per token",
            ));
        }
        (cached, cross.len() as u32, n_kv_heads, head_dim, groups)
    };
    if cross > 0 {
        cfg.notes.borrow_mut().push(format!(
            "{cross} cross-attention layers (of {n_total}) hold no per-token cache and are left out."
        ));
    }
    let model_type = (!cfg.model_type.is_empty()).then(|| cfg.model_type.clone());
    let notes = cfg.notes.into_inner();
    Ok(HfKvInputs {
        model_type,
        read_from: if read_from.is_empty() {
            "config".to_owned()
        } else {
            read_from
        },
        n_layers,
        cross_attention_layers: cross,
        n_attention_heads,
        n_kv_heads,
        head_dim,
        dtype: dtype.to_owned(),
        element_bytes,
        layer_groups,
        notes,
    })
}

fn refuse_unknown_shapes(cfg: &Cfg<'_>) -> InputResult<()> {
    for key in [
        "layers_block_type",
        "attn_layer_indices",
        "hybrid_override_pattern",
        "block_types",
    ] {
        if cfg.present(key).is_some() {
            return Err(refuse(
                cfg.field(key),
                "some layers are state-space or recurrent blocks whose state is not a per-token cache",
            ));
        }
    }
    if cfg.present("attention_chunk_size").is_some() {
        return Err(refuse(
            cfg.field("attention_chunk_size"),
            "chunked attention keeps a cache per chunk, whose layers are not listed",
        ));
    }
    for key in [
        "multi_query",
        "n_head_kv",
        "num_kv_heads",
        "multi_query_group_num",
    ] {
        if cfg.present(key).is_some() {
            return Err(refuse(
                cfg.field(key),
                "KV heads are named in a non-standard field whose meaning varies by model; give num_key_value_heads instead",
            ));
        }
    }
    Ok(())
}

/// Indices of the cross-attention layers, distinct and inside the stack.
fn cross_attention_layers(cfg: &Cfg<'_>, n_total: u32) -> InputResult<Vec<u32>> {
    let field = cfg.field("cross_attention_layers");
    let list: Vec<u32> = match cfg.present("cross_attention_layers") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        InputError::new(
                            format!("{field}[{i}]"),
                            format!("must be a layer index, got {v}"),
                        )
                    })
            })
            .collect::<InputResult<_>>()?,
        Some(v) => {
            return Err(InputError::new(
                field,
                format!("must be a list of layer indices, got {v}"),
            ));
        }
        None if cfg.defaults.cross_attention.is_empty() => Vec::new(),
        None => {
            cfg.notes.borrow_mut().push(format!(
                "{field} absent: {:?}, the documented default of model_type {:?}.",
                cfg.defaults.cross_attention, cfg.model_type
            ));
            cfg.defaults.cross_attention.to_vec()
        }
    };
    let mut seen = Vec::new();
    for (i, l) in list.into_iter().enumerate() {
        if l >= n_total {
            return Err(InputError::new(
                format!("{field}[{i}]"),
                format!("must be below num_hidden_layers ({n_total}), got {l}"),
            ));
        }
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    Ok(seen)
}

/// Each caching layer's kind and window, in order (cross-attention layers skipped).
fn layer_kinds(
    cfg: &Cfg<'_>,
    n_total: u32,
    cross: &[u32],
) -> InputResult<Vec<(LayerKind, Option<u32>)>> {
    let switched_off = cfg.o.get("use_sliding_window").and_then(Value::as_bool) == Some(false);
    let given = if let Some(v) = cfg.present("layer_types") {
        let field = cfg.field("layer_types");
        let Value::Array(items) = v else {
            return Err(InputError::new(
                field,
                format!("must be a list naming each layer's attention, got {v}"),
            ));
        };
        if items.len() != n_total as usize {
            return Err(InputError::new(
                field,
                format!(
                    "lists {} layers but num_hidden_layers is {n_total}: give one entry per layer",
                    items.len()
                ),
            ));
        }
        let mut kinds = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            kinds.push(match item.as_str() {
                Some("full_attention") => false,
                Some("sliding_attention") => true,
                _ => {
                    return Err(InputError::new(
                        format!("{field}[{i}]"),
                        format!(
                            "must be full_attention or sliding_attention, got {item}: other layer types (linear, chunked, state-space) are not sized here"
                        ),
                    ));
                }
            });
        }
        Some(kinds)
    } else {
        None
    };
    let window = if switched_off && given.is_none() {
        None
    } else {
        cfg.whole("sliding_window")?
    };
    let sliding: Vec<bool> = match (given, window) {
        (Some(kinds), _) => kinds,
        (None, None) => vec![false; n_total as usize],
        (None, Some(_)) => match sliding_rule(&cfg.model_type, cfg)? {
            Some(SlidingRule::Period(p)) => (0..n_total).map(|i| (i + 1) % p != 0).collect(),
            Some(SlidingRule::All) => vec![true; n_total as usize],
            Some(SlidingRule::FromMaxWindowLayers) => {
                // Qwen2/3 slide only when use_sliding_window is true (its default is false).
                if cfg.o.get("use_sliding_window").and_then(Value::as_bool) == Some(true) {
                    let from = cfg.whole("max_window_layers")?.unwrap_or(n_total);
                    (0..n_total).map(|i| i >= from).collect()
                } else {
                    vec![false; n_total as usize]
                }
            }
            None => {
                return Err(refuse(
                    cfg.field("sliding_window"),
                    &format!(
                        "which layers of model_type {:?} slide is not known; add layer_types (full_attention or sliding_attention for each of the {n_total} layers) to the config",
                        cfg.model_type
                    ),
                ));
            }
        },
    };
    let mut out = Vec::new();
    for (i, slides) in sliding.into_iter().enumerate() {
        if cross.contains(&(i as u32)) {
            continue;
        }
        if slides {
            let w = window.ok_or_else(|| {
                InputError::new(
                    cfg.field("sliding_window"),
                    "is missing: layer_types lists sliding_attention layers but no window size is given",
                )
            })?;
            out.push((LayerKind::SlidingAttention, Some(w)));
        } else {
            out.push((LayerKind::FullAttention, None));
        }
    }
    Ok(out)
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

    fn kinds(m: &HfKvInputs) -> Vec<(&'static str, u32, Option<u32>)> {
        m.layer_groups
            .iter()
            .map(|g| (g.kind.name(), g.layers, g.window))
            .collect()
    }

    #[test]
    fn mla_is_the_latent_plus_the_rope_key_per_layer() {
        // DeepSeek-V3: 61 layers × (kv_lora_rank 512 + qk_rope_head_dim 64) × 2 B = 70,272 B,
        // whatever its 128 KV heads would say (2 × 61 × 128 × 56 × 2 would be 1.7 MB).
        let m = read("deepseek-v3.json");
        assert_eq!(kinds(&m), vec![("latent_attention", 61, None)]);
        assert_eq!(m.bytes_per_token(), 70_272.0);
        // DeepSeek-V2-Lite: 27 × 576 × 2 = 31,104 B; at 4,096 tokens 127,401,984 B.
        let m = read("DeepSeek-V2-Lite.config.json");
        assert_eq!(m.bytes_per_token(), 31_104.0);
        assert_eq!(m.kv_bytes_at(4096.0), 127_401_984.0);
        // An fp8 cache halves it: 27 × 576 × 1 = 15,552 B.
        let m = kv_inputs_with_kv_dtype(&fixture("DeepSeek-V2-Lite.config.json"), Some("fp8"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.bytes_per_token(), 15_552.0);
        // MoE experts do not enter the cache: the 64 routed experts change nothing above.
    }

    #[test]
    fn real_dense_configs() {
        // Llama-3.1-70B: 2 × 80 × 8 × (8192 ÷ 64 = 128) × 2 = 327,680 B per token.
        let m = read("Llama-3.1-70B-Instruct.config.json");
        assert_eq!(m.bytes_per_token(), 327_680.0);
        assert_eq!(kinds(&m), vec![("full_attention", 80, None)]);
        // Mixtral-8x7B (MoE, sliding_window null): 2 × 32 × 8 × 128 × 2 = 131,072 B.
        let m = read("Mixtral-8x7B-v0.1.config.json");
        assert_eq!(m.bytes_per_token(), 131_072.0);
        assert_eq!(m.kv_bytes_at(32_768.0), 131_072.0 * 32_768.0);
        // Qwen3-0.6B: head_dim 128 given (1024 ÷ 16 would be 64): 2 × 28 × 8 × 128 × 2 = 114,688.
        let m = read("Qwen3-0.6B.config.json");
        assert_eq!(m.bytes_per_token(), 114_688.0);
        // Qwen1.5-1.8B: sliding_window 32768 but use_sliding_window false: all full,
        // 2 × 24 × 16 × 128 × 2 = 196,608 B.
        let m = read("Qwen1.5-1.8B-Chat.config.json");
        assert_eq!(kinds(&m), vec![("full_attention", 24, None)]);
        assert_eq!(m.bytes_per_token(), 196_608.0);
    }

    #[test]
    fn qwen2_with_sliding_window_slides_from_max_window_layers() {
        let mut o = match serde_json::from_str::<Value>(&fixture("Qwen1.5-1.8B-Chat.config.json")) {
            Ok(Value::Object(o)) => o,
            other => panic!("{other:?}"),
        };
        o.insert("use_sliding_window".into(), true.into());
        let m =
            kv_inputs_from_config(&Value::Object(o).to_string()).unwrap_or_else(|e| panic!("{e}"));
        // max_window_layers 21: layers 0–20 full, 21–23 slide over 32,768 tokens.
        assert_eq!(
            kinds(&m),
            vec![
                ("full_attention", 21, None),
                ("sliding_attention", 3, Some(32_768))
            ]
        );
        // At 65,536 tokens, per layer 8,192 B per token:
        // 21 × 8,192 × 65,536 + 3 × 8,192 × 32,768 = 11,274,289,152 + 805,306,368.
        assert_eq!(m.kv_bytes_at(65_536.0), 12_079_595_520.0);
    }

    #[test]
    fn gemma_2_alternates_and_a_window_above_the_context_is_full() {
        let m = read("gemma-2-27b.config.json");
        // head_dim 128 as given, not 4608 ÷ 32 = 144.
        assert_eq!(m.head_dim, 128);
        // Layer 0 slides, layer 1 is full, …: 23 of each.
        assert_eq!(
            kinds(&m),
            vec![
                ("sliding_attention", 23, Some(4096)),
                ("full_attention", 23, None)
            ]
        );
        // Per layer per token 2 × 16 × 128 × 2 = 8,192 B. At 8,192 tokens:
        // 23 × 8,192 × 4,096 + 23 × 8,192 × 8,192 = 771,751,936 + 1,543,503,872.
        assert_eq!(m.kv_bytes_at(8192.0), 2_315_255_808.0);
        let t = m.by_layer_type(8192.0);
        assert_eq!(
            (t[0].resident_tokens, t[1].resident_tokens),
            (4096.0, 8192.0)
        );
        assert_eq!(t[0].bytes_per_token, 188_416.0);
        // At 2,048 tokens the 4,096 window holds everything: 46 × 8,192 × 2,048.
        assert_eq!(m.kv_bytes_at(2048.0), 771_751_936.0);
    }

    #[test]
    fn gemma_3_slides_five_layers_of_six() {
        let m = read("gemma-3-1b-it.config.json");
        // sliding_window_pattern 6: layers 5, 11, 17, 23 full; the other 22 slide over 512.
        let k = kinds(&m);
        assert!(k.contains(&("sliding_attention", 22, Some(512))));
        assert!(k.contains(&("full_attention", 4, None)));
        // Per layer 2 × 1 × 256 × 2 = 1,024 B. At 32,768 tokens:
        // 22 × 1,024 × 512 + 4 × 1,024 × 32,768 = 11,534,336 + 134,217,728.
        assert_eq!(m.kv_bytes_at(32_768.0), 145_752_064.0);
    }

    #[test]
    fn gpt_oss_reads_layer_types_and_needs_a_dtype() {
        // The config names no torch_dtype: refused, saying how to give it.
        let e = kv_inputs_from_config(&fixture("gpt-oss-20b.config.json")).err();
        assert_eq!(e.as_ref().map(|e| e.field.as_str()), Some("torch_dtype"));
        assert!(e.is_some_and(|e| e.rule.contains("--kv-dtype")));
        let m = kv_inputs_with_kv_dtype(&fixture("gpt-oss-20b.config.json"), Some("bf16"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            kinds(&m),
            vec![
                ("sliding_attention", 12, Some(128)),
                ("full_attention", 12, None)
            ]
        );
        // Per layer 2 × 8 × 64 × 2 = 2,048 B. At 8,192 tokens:
        // 12 × 2,048 × 128 + 12 × 2,048 × 8,192 = 3,145,728 + 201,326,592.
        assert_eq!(m.kv_bytes_at(8192.0), 204_472_320.0);
        // 32 experts: MoE changes nothing here.
    }

    #[test]
    fn nested_text_configs_take_the_documented_defaults() {
        // llava-1.5-7b: text_config is llama with every size omitted: 32 layers, 32 heads,
        // hidden 4096 → head_dim 128, KV heads = heads; float16. 2 × 32 × 32 × 128 × 2.
        let m = read("llava-1.5-7b.config.json");
        assert_eq!(m.read_from, "text_config");
        assert_eq!(m.bytes_per_token(), 524_288.0);
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("text_config.num_hidden_layers absent"))
        );
        // Llama-3.2-11B-Vision: 40 layers of which 8 cross-attention: 32 cache per token,
        // 2 × 32 × 8 × 128 × 2 = 131,072 B (counting all 40 would say 163,840, 25% more).
        let m = read("Llama-3.2-11B-Vision-Instruct.config.json");
        assert_eq!((m.n_layers, m.cross_attention_layers), (32, 8));
        assert_eq!(m.bytes_per_token(), 131_072.0);
        // Without the list, the mllama default [3, 8, …, 38] is taken: the same answer.
        let mut root = match serde_json::from_str::<Value>(&fixture(
            "Llama-3.2-11B-Vision-Instruct.config.json",
        )) {
            Ok(Value::Object(o)) => o,
            other => panic!("{other:?}"),
        };
        if let Some(Value::Object(t)) = root.get_mut("text_config") {
            t.remove("cross_attention_layers");
        }
        let m = kv_inputs_from_config(&Value::Object(root).to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.bytes_per_token(), 131_072.0);
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
                // llama documents a default (32); a model type without one is refused.
                Box::new(|o| {
                    o.remove("num_hidden_layers");
                    o.insert("model_type".into(), "new_model".into());
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
                "text_config.num_hidden_layers",
                Box::new(|o| {
                    o.insert(
                        "text_config".into(),
                        serde_json::json!({"model_type": "new"}),
                    );
                }),
            ),
            (
                "layer_types[1]",
                Box::new(|o| {
                    let mut kinds = vec![serde_json::json!("full_attention"); 32];
                    kinds[1] = "linear_attention".into();
                    o.insert("layer_types".into(), kinds.into());
                }),
            ),
            (
                "cross_attention_layers[0]",
                Box::new(|o| {
                    o.insert("cross_attention_layers".into(), serde_json::json!([40]));
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
            layer_groups: Vec::new(),
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
