//! The catalog shipped with the workbench: dated token prices, GPU-hour offers, accelerator
//! specs and model shapes, from the files of the project's `catalog/` folder (embedded in the
//! binary, so an installed workbench has them).
//!
//! Token prices are a LiteLLM excerpt read by the price-book reader ([`super::prices::litellm`]),
//! so a card made from the catalog and one imported from LiteLLM's own file are the same card.
//! Model shapes are public `config.json` files read by [`super::hf_config`]. GPU offers and
//! accelerator specs are YAML tables; every row carries the page it was read from and that
//! page's date. A row that breaks a rule is refused naming the file, the row, the field and the
//! rule ([`CatalogError`]).

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::hf_config::{self, HfKvInputs};
use super::prices::{self, Book, BookEntry, merge};
use crate::document::{CardProvenance, Date, RateCard, RatePricing, RouteKind, Workspace};

/// One embedded file: its path under `catalog/` and its text.
#[derive(Debug, Clone, Copy)]
pub struct CatalogFile {
    /// Path under `catalog/`.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

macro_rules! embedded {
    ($($path:literal),+ $(,)?) => {
        &[$(CatalogFile { path: $path, text: include_str!(concat!("../../../../catalog/", $path)) }),+]
    };
}

/// Every file of the shipped catalog, the manifest first.
pub const FILES: &[CatalogFile] = embedded!(
    "catalog.yaml",
    "tokens/litellm-1.110.2.json",
    "gpus.yaml",
    "accelerators.yaml",
    "models/Llama-3.1-70B-Instruct.config.json",
    "models/Meta-Llama-3-8B.config.json",
    "models/Mixtral-8x7B-v0.1.config.json",
    "models/gemma-2-27b.config.json",
    "models/DeepSeek-V2-Lite.config.json",
    "models/DeepSeek-V3.config.json",
    "models/Qwen3-0.6B.config.json",
    "models/gpt-oss-20b.config.json",
);

/// A catalog row that breaks a rule, or a file that cannot be read. Nothing of the catalog is
/// used then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalog/{file}{}: {field}: {rule}", row.as_ref().map(|r| format!(", row {r}")).unwrap_or_default())]
pub struct CatalogError {
    /// The file, under `catalog/`.
    pub file: String,
    /// The row: its 1-based number and id (`3 (lambda-h100-sxm)`), when the error is in one.
    pub row: Option<String>,
    /// The field.
    pub field: String,
    /// The rule broken, and the fix.
    pub rule: String,
}

/// How a GPU-hour offer is bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    /// Pay by the hour, no term.
    OnDemand,
    /// A committed term (`term_months`).
    Reserved,
}

impl Commitment {
    /// In words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::OnDemand => "on-demand",
            Self::Reserved => "reserved",
        }
    }
}

/// A token price of the catalog: one LiteLLM entry, with the file's date and source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenOffer {
    /// The entry's LiteLLM key (`gpt-5.4`, `together_ai/openai/gpt-oss-120b`).
    pub key: String,
    /// Provider as LiteLLM names it (`openai`, `together_ai`).
    pub provider: String,
    /// Provider as people name it (`OpenAI`, `Together AI`): the card's provider.
    pub provider_name: String,
    /// Model id.
    pub model: String,
    /// Managed frontier API or hosted open-weight serverless.
    pub kind: RouteKind,
    /// $/M tokens: input.
    #[serde(with = "crate::money::exact")]
    pub input_per_m: Decimal,
    /// $/M tokens: cache reads, when listed.
    #[serde(with = "crate::money::exact_option")]
    pub cached_input_per_m: Option<Decimal>,
    /// $/M tokens: output.
    #[serde(with = "crate::money::exact")]
    pub output_per_m: Decimal,
    /// Where the price comes from.
    pub source: String,
    /// The snapshot's date.
    pub as_of: Date,
    #[serde(skip)]
    entry: BookEntry,
}

/// A GPU-hour offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuOffer {
    /// Unique id.
    pub id: String,
    /// Who sells it.
    pub provider: String,
    /// The accelerator's id in `accelerators.yaml`.
    pub accelerator: String,
    /// On-demand or reserved.
    pub commitment: Commitment,
    /// Months of a reserved term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// Dollars per GPU per hour.
    #[serde(with = "crate::money::exact")]
    pub hourly_per_gpu: Decimal,
    /// The instance price it was divided from, when the page prices several GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_gpu_of: Option<String>,
    /// The page read.
    pub source: String,
    /// That page's date.
    pub as_of: Date,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// An accelerator's datasheet figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accelerator {
    /// Unique id.
    pub id: String,
    /// NVIDIA, AMD, …
    pub vendor: String,
    /// Product name.
    pub name: String,
    /// Memory per GPU, GB as the datasheet states it.
    pub memory_gb: f64,
    /// HBM3, HBM3e, GDDR6, …
    pub memory_type: String,
    /// Memory bandwidth, TB/s.
    pub bandwidth_tbs: f64,
    /// Peak dense FP16/BF16 tensor throughput, TFLOPS.
    pub fp16_dense_tflops: f64,
    /// Peak dense FP8 tensor throughput, TFLOPS; absent without FP8 tensor cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp8_dense_tflops: Option<f64>,
    /// The datasheet.
    pub source: String,
    /// When it was read.
    pub as_of: Date,
}

/// A model's attention shape, read from its public `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelShape {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The config file under `catalog/`.
    pub file: String,
    /// Parameters, billions (weights at 2 bytes each are 2 × this GB).
    pub params_b: f64,
    /// The shape as the config reader reads it.
    pub kv: HfKvInputs,
    /// Where the config comes from.
    pub source: String,
    /// When it was read.
    pub as_of: Date,
}

impl ModelShape {
    /// KV bytes one token of one sequence holds (short context).
    #[must_use]
    pub fn kv_bytes_per_token(&self) -> f64 {
        self.kv.bytes_per_token()
    }
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    /// The snapshot's date.
    pub snapshot: Date,
    /// Token prices.
    pub tokens: Vec<TokenOffer>,
    /// GPU-hour offers.
    pub gpus: Vec<GpuOffer>,
    /// Accelerator specs.
    pub accelerators: Vec<Accelerator>,
    /// Model shapes.
    pub models: Vec<ModelShape>,
    #[serde(skip)]
    tokens_file: String,
    #[serde(skip)]
    tokens_book: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    snapshot: Date,
    tokens: TokensManifest,
    gpus: String,
    accelerators: String,
    models: Vec<ModelManifest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensManifest {
    file: String,
    book: String,
    as_of: Date,
    source: String,
    managed_providers: Vec<String>,
    #[serde(default)]
    provider_names: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelManifest {
    id: String,
    name: String,
    file: String,
    params_b: f64,
    #[serde(default)]
    kv_dtype: Option<String>,
    source: String,
    as_of: Date,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GpusFile {
    offers: Vec<GpuOffer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceleratorsFile {
    accelerators: Vec<Accelerator>,
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 16;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    opts.strict_booleans = true;
    opts.with_snippet = false;
    opts
}

/// `rows[3].hourly_per_gpu` → row "4" and field `hourly_per_gpu`.
fn split_path(path: &str) -> (Option<String>, String) {
    let Some(open) = path.find('[') else {
        return (None, path.to_owned());
    };
    let Some(close) = path[open..].find(']').map(|c| open + c) else {
        return (None, path.to_owned());
    };
    let row = path[open + 1..close]
        .parse::<usize>()
        .ok()
        .map(|i| (i + 1).to_string());
    let field = path[close + 1..].trim_start_matches('.').to_owned();
    (
        row,
        if field.is_empty() {
            path.to_owned()
        } else {
            field
        },
    )
}

/// Reads a YAML table, naming the row and field of a value of the wrong kind.
fn yaml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, CatalogError> {
    let mut path = String::new();
    serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
            path = e.path().to_string();
            e.into_inner()
        })
    })
    .map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("invalid YAML");
        let rule = match first.rfind(" at line ") {
            Some(i) => &first[..i],
            None => first,
        };
        let (row, field) = split_path(if path == "." { "" } else { &path });
        let line = e
            .location()
            .map(|l| format!(" (line {})", l.line()))
            .unwrap_or_default();
        CatalogError {
            file: file.to_owned(),
            row,
            field: if field.is_empty() {
                "(file)".to_owned()
            } else {
                field
            },
            rule: format!("{rule}{line}"),
        }
    })
}

fn text_of<'a>(files: &'a [CatalogFile], file: &str) -> Result<&'a str, CatalogError> {
    files
        .iter()
        .find(|f| f.path == file)
        .map(|f| f.text)
        .ok_or_else(|| CatalogError {
            file: "catalog.yaml".to_owned(),
            row: None,
            field: "file".to_owned(),
            rule: format!("names {file}, which the catalog does not hold"),
        })
}

/// Checks that a row's source is a web address or a named document, and its date not in the
/// future of the snapshot.
fn check_provenance(
    file: &str,
    row: &str,
    source: &str,
    as_of: Date,
    snapshot: Date,
) -> Result<(), CatalogError> {
    let bad = |field: &str, rule: String| CatalogError {
        file: file.to_owned(),
        row: Some(row.to_owned()),
        field: field.to_owned(),
        rule,
    };
    if !source.trim().starts_with("https://") {
        return Err(bad(
            "source",
            format!(
                "must be the https:// address of the page the row was read from, got {source:?}"
            ),
        ));
    }
    if as_of > snapshot {
        return Err(bad(
            "as_of",
            format!(
                "{as_of} is after the catalog's snapshot {snapshot}; a row cannot be read later than the snapshot was taken"
            ),
        ));
    }
    Ok(())
}

fn positive(
    file: &str,
    row: &str,
    field: &str,
    value: f64,
    unit: &str,
) -> Result<(), CatalogError> {
    if value.is_finite() && value > 0.0 {
        return Ok(());
    }
    Err(CatalogError {
        file: file.to_owned(),
        row: Some(row.to_owned()),
        field: field.to_owned(),
        rule: format!("must be a number above 0 ({unit}), got {value}"),
    })
}

fn unique<'a>(file: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), CatalogError> {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() || !seen.insert(id) {
            return Err(CatalogError {
                file: file.to_owned(),
                row: Some(format!("{} ({id})", i + 1)),
                field: "id".to_owned(),
                rule: if id.trim().is_empty() {
                    "must not be empty".to_owned()
                } else {
                    format!("{id:?} is used by an earlier row; give each row its own id")
                },
            });
        }
    }
    Ok(())
}

/// The shipped catalog.
pub fn shipped() -> Result<Catalog, CatalogError> {
    load(FILES)
}

/// Reads a catalog from its files (the manifest `catalog.yaml` first names the others).
pub fn load(files: &[CatalogFile]) -> Result<Catalog, CatalogError> {
    let manifest: Manifest = yaml("catalog.yaml", text_of(files, "catalog.yaml")?)?;
    let snapshot = manifest.snapshot;

    // Token prices: the LiteLLM reader, on the excerpt.
    let t = &manifest.tokens;
    if t.as_of > snapshot {
        return Err(CatalogError {
            file: "catalog.yaml".to_owned(),
            row: None,
            field: "tokens.as_of".to_owned(),
            rule: format!("{} is after the snapshot {snapshot}", t.as_of),
        });
    }
    let book =
        prices::read(&t.file, text_of(files, &t.file)?, t.as_of).map_err(|e| CatalogError {
            file: t.file.clone(),
            row: None,
            field: "(book)".to_owned(),
            rule: e.to_string(),
        })?;
    if let Some(skipped) = book.skipped.first() {
        return Err(CatalogError {
            file: t.file.clone(),
            row: Some(skipped.key.clone()),
            field: "input_cost_per_token".to_owned(),
            rule: format!(
                "{}; the catalog holds only entries it can price",
                skipped.reason
            ),
        });
    }
    let tokens = book
        .entries
        .iter()
        .map(|e| TokenOffer {
            key: e.key.clone(),
            provider: e.provider.clone(),
            provider_name: t
                .provider_names
                .get(&e.provider)
                .cloned()
                .unwrap_or_else(|| e.provider.clone()),
            model: e.model.clone(),
            kind: if t.managed_providers.iter().any(|p| p == &e.provider) {
                RouteKind::ManagedApi
            } else {
                RouteKind::ServerlessOpenWeight
            },
            input_per_m: e.prices.input_per_m.unwrap_or_default(),
            cached_input_per_m: e.prices.cached_input_per_m,
            output_per_m: e.prices.output_per_m.unwrap_or_default(),
            source: format!("{}, key {}", t.source, e.key),
            as_of: book.date,
            entry: e.clone(),
        })
        .collect();

    // Accelerators, then the GPU offers that name them.
    let accelerators: AcceleratorsFile = yaml(
        &manifest.accelerators,
        text_of(files, &manifest.accelerators)?,
    )?;
    let accelerators = accelerators.accelerators;
    let file = manifest.accelerators.as_str();
    unique(file, accelerators.iter().map(|a| a.id.as_str()))?;
    for (i, a) in accelerators.iter().enumerate() {
        let row = format!("{} ({})", i + 1, a.id);
        check_provenance(file, &row, &a.source, a.as_of, snapshot)?;
        positive(file, &row, "memory_gb", a.memory_gb, "GB")?;
        positive(file, &row, "bandwidth_tbs", a.bandwidth_tbs, "TB/s")?;
        positive(
            file,
            &row,
            "fp16_dense_tflops",
            a.fp16_dense_tflops,
            "TFLOPS",
        )?;
        if let Some(fp8) = a.fp8_dense_tflops {
            positive(file, &row, "fp8_dense_tflops", fp8, "TFLOPS")?;
        }
    }
    let gpus: GpusFile = yaml(&manifest.gpus, text_of(files, &manifest.gpus)?)?;
    let gpus = gpus.offers;
    let file = manifest.gpus.as_str();
    unique(file, gpus.iter().map(|g| g.id.as_str()))?;
    for (i, g) in gpus.iter().enumerate() {
        let row = format!("{} ({})", i + 1, g.id);
        let bad = |field: &str, rule: String| CatalogError {
            file: file.to_owned(),
            row: Some(row.clone()),
            field: field.to_owned(),
            rule,
        };
        check_provenance(file, &row, &g.source, g.as_of, snapshot)?;
        if g.hourly_per_gpu <= Decimal::ZERO {
            return Err(bad(
                "hourly_per_gpu",
                format!("must be above $0 per GPU-hour, got {}", g.hourly_per_gpu),
            ));
        }
        if !accelerators.iter().any(|a| a.id == g.accelerator) {
            let ids: Vec<&str> = accelerators.iter().map(|a| a.id.as_str()).collect();
            return Err(bad(
                "accelerator",
                format!(
                    "names no accelerator {:?} of {}; use one of {}",
                    g.accelerator,
                    manifest.accelerators,
                    ids.join(", ")
                ),
            ));
        }
        match (g.commitment, g.term_months) {
            (Commitment::Reserved, None | Some(0)) => {
                return Err(bad(
                    "term_months",
                    "a reserved offer must state its term in months (e.g. 12)".to_owned(),
                ));
            }
            (Commitment::OnDemand, Some(_)) => {
                return Err(bad(
                    "term_months",
                    "an on-demand offer has no term; leave term_months out or make it reserved"
                        .to_owned(),
                ));
            }
            _ => {}
        }
    }

    // Model shapes: each config through the config reader.
    unique(
        "catalog.yaml",
        manifest.models.iter().map(|m| m.id.as_str()),
    )?;
    let mut models = Vec::new();
    for (i, m) in manifest.models.into_iter().enumerate() {
        let row = format!("{} ({})", i + 1, m.id);
        check_provenance("catalog.yaml", &row, &m.source, m.as_of, snapshot)?;
        positive("catalog.yaml", &row, "params_b", m.params_b, "billions")?;
        let kv =
            hf_config::kv_inputs_with_kv_dtype(text_of(files, &m.file)?, m.kv_dtype.as_deref())
                .map_err(|e| CatalogError {
                    file: m.file.clone(),
                    row: None,
                    field: e.field.clone(),
                    rule: e.to_string(),
                })?;
        models.push(ModelShape {
            id: m.id,
            name: m.name,
            file: m.file,
            params_b: m.params_b,
            kv,
            source: m.source,
            as_of: m.as_of,
        });
    }
    Ok(Catalog {
        snapshot,
        tokens,
        gpus,
        accelerators,
        models,
        tokens_file: t.file.clone(),
        tokens_book: t.book.clone(),
    })
}

/// The kinds of row the catalog holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Token prices.
    Tokens,
    /// GPU-hour offers.
    Gpus,
    /// Accelerator specs.
    Accelerators,
    /// Model shapes.
    Models,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Tokens, Self::Gpus, Self::Accelerators, Self::Models];

    /// The kind's name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tokens => "tokens",
            Self::Gpus => "gpus",
            Self::Accelerators => "accelerators",
            Self::Models => "models",
        }
    }

    /// A title for tables.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Tokens => "Token prices",
            Self::Gpus => "GPU offers",
            Self::Accelerators => "Accelerators",
            Self::Models => "Model shapes",
        }
    }
}

/// True when every word of `query` is in one of `fields`, ignoring case (an empty query
/// matches everything).
fn matches(query: &str, fields: &[&str]) -> bool {
    let hay: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    query
        .split_whitespace()
        .map(str::to_lowercase)
        .all(|word| hay.iter().any(|h| h.contains(&word)))
}

impl Catalog {
    /// Age of the snapshot on `today`, in days.
    #[must_use]
    pub fn age_days(&self, today: Date) -> i64 {
        self.snapshot.days_until(today)
    }

    /// Token prices matching `query` (provider, model or key words): managed APIs first, then
    /// open-weight serverless, each by provider.
    #[must_use]
    pub fn search_tokens(&self, query: &str) -> Vec<&TokenOffer> {
        let mut sorted: Vec<&TokenOffer> = self.tokens.iter().collect();
        sorted.sort_by(|a, b| {
            (a.kind, &a.provider_name, &a.key).cmp(&(b.kind, &b.provider_name, &b.key))
        });
        sorted
            .into_iter()
            .filter(|t| {
                matches(
                    query,
                    &[
                        &t.key,
                        &t.provider,
                        &t.provider_name,
                        &t.model,
                        t.kind.label(),
                    ],
                )
            })
            .collect()
    }

    /// GPU offers matching `query` (provider, accelerator id or name, commitment).
    #[must_use]
    pub fn search_gpus(&self, query: &str) -> Vec<&GpuOffer> {
        self.gpus
            .iter()
            .filter(|g| {
                let name = self
                    .accelerator(&g.accelerator)
                    .map_or("", |a| a.name.as_str());
                matches(
                    query,
                    &[
                        &g.id,
                        &g.provider,
                        &g.accelerator,
                        name,
                        g.commitment.label(),
                    ],
                )
            })
            .collect()
    }

    /// Accelerators matching `query`.
    #[must_use]
    pub fn search_accelerators(&self, query: &str) -> Vec<&Accelerator> {
        self.accelerators
            .iter()
            .filter(|a| matches(query, &[&a.id, &a.vendor, &a.name, &a.memory_type]))
            .collect()
    }

    /// Model shapes matching `query`.
    #[must_use]
    pub fn search_models(&self, query: &str) -> Vec<&ModelShape> {
        self.models
            .iter()
            .filter(|m| {
                matches(
                    query,
                    &[&m.id, &m.name, m.kv.model_type.as_deref().unwrap_or("")],
                )
            })
            .collect()
    }

    /// A token price by its LiteLLM key.
    #[must_use]
    pub fn token(&self, key: &str) -> Option<&TokenOffer> {
        self.tokens.iter().find(|t| t.key == key)
    }

    /// A GPU offer by id.
    #[must_use]
    pub fn gpu(&self, id: &str) -> Option<&GpuOffer> {
        self.gpus.iter().find(|g| g.id == id)
    }

    /// An accelerator by id.
    #[must_use]
    pub fn accelerator(&self, id: &str) -> Option<&Accelerator> {
        self.accelerators.iter().find(|a| a.id == id)
    }

    /// A model shape by id.
    #[must_use]
    pub fn model(&self, id: &str) -> Option<&ModelShape> {
        self.models.iter().find(|m| m.id == id)
    }

    /// Every id a route can be made from: managed APIs, then open-weight serverless (each by
    /// provider), then GPU offers (by accelerator).
    #[must_use]
    pub fn route_ids(&self) -> Vec<&str> {
        let mut tokens: Vec<&TokenOffer> = self.tokens.iter().collect();
        tokens.sort_by(|a, b| {
            (a.kind, &a.provider_name, &a.key).cmp(&(b.kind, &b.provider_name, &b.key))
        });
        let mut gpus: Vec<&GpuOffer> = self.gpus.iter().collect();
        gpus.sort_by(|a, b| {
            (&a.accelerator, a.commitment, &a.id).cmp(&(&b.accelerator, b.commitment, &b.id))
        });
        tokens
            .into_iter()
            .map(|t| t.key.as_str())
            .chain(gpus.into_iter().map(|g| g.id.as_str()))
            .collect()
    }

    /// A short name for a route made from the row `id`: the model without its organisation
    /// and the provider (`gpt-oss-120b (Together AI)`), or the GPU offer.
    #[must_use]
    pub fn short_name(&self, id: &str) -> String {
        match self.offer(id) {
            Ok(Offer::Tokens(t)) => {
                let model = t.model.rsplit('/').next().unwrap_or(&t.model);
                format!("{model} ({})", t.provider_name)
            }
            Ok(Offer::Gpu(g)) => format!(
                "{} {} ({})",
                g.provider,
                self.accelerator(&g.accelerator)
                    .map_or(g.accelerator.as_str(), |a| a.name.as_str()),
                g.commitment.label()
            ),
            Err(_) => id.to_owned(),
        }
    }

    /// The row `id` names, for a route: a token price or a GPU offer.
    pub fn offer(&self, id: &str) -> Result<Offer<'_>, String> {
        if let Some(t) = self.token(id) {
            return Ok(Offer::Tokens(t));
        }
        if let Some(g) = self.gpu(id) {
            return Ok(Offer::Gpu(g));
        }
        let near: Vec<&str> = self
            .route_ids()
            .into_iter()
            .filter(|k| {
                let (k, id) = (k.to_lowercase(), id.to_lowercase());
                k.contains(&id) || id.contains(&k)
            })
            .take(5)
            .collect();
        Err(if near.is_empty() {
            format!(
                "{id:?} is no token price or GPU offer of the catalog; `lcpr catalog` lists them"
            )
        } else {
            format!(
                "{id:?} is no token price or GPU offer of the catalog; did you mean {}?",
                near.join(", ")
            )
        })
    }
}

/// Rows of one kind as text cells, for the CLI's tables and the window's browser.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// The kind listed.
    pub kind: Kind,
    /// Column headers, with their unit.
    pub columns: Vec<&'static str>,
    /// The rows matching the query, in catalog order.
    pub rows: Vec<ListedRow>,
}

/// One row of a [`Listing`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedRow {
    /// The row's id (a token key, an offer, accelerator or model id).
    pub id: String,
    /// A short name for narrow tables: a token's model without its organisation, else the id.
    pub name: String,
    /// The cells, one per column.
    pub cells: Vec<String>,
    /// Where it comes from.
    pub source: String,
    /// When.
    pub as_of: Date,
}

/// A price as written on price pages: cents at least (`$2.00`), more places when it has them
/// (`$0.037`).
fn price(d: Option<Decimal>) -> String {
    d.map_or_else(
        || "—".to_owned(),
        |d| {
            let mut d = d.normalize();
            if d.scale() < 2 {
                d.rescale(2);
            }
            format!("${d}")
        },
    )
}

fn num(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    format!("{r}")
}

impl Catalog {
    /// The rows of `kind` matching `query`, as text.
    #[must_use]
    pub fn listing(&self, kind: Kind, query: &str) -> Listing {
        let (columns, rows): (Vec<&'static str>, Vec<ListedRow>) = match kind {
            Kind::Tokens => (
                vec![
                    "key",
                    "provider",
                    "route kind",
                    "input $/M",
                    "cached $/M",
                    "output $/M",
                ],
                self.search_tokens(query)
                    .into_iter()
                    .map(|t| ListedRow {
                        id: t.key.clone(),
                        name: t.model.rsplit('/').next().unwrap_or(&t.model).to_owned(),
                        cells: vec![
                            t.key.clone(),
                            t.provider_name.clone(),
                            t.kind.label().to_owned(),
                            price(Some(t.input_per_m)),
                            price(t.cached_input_per_m),
                            price(Some(t.output_per_m)),
                        ],
                        source: t.source.clone(),
                        as_of: t.as_of,
                    })
                    .collect(),
            ),
            Kind::Gpus => (
                vec![
                    "offer",
                    "provider",
                    "accelerator",
                    "commitment",
                    "$/GPU-hour",
                    "as of",
                ],
                self.search_gpus(query)
                    .into_iter()
                    .map(|g| ListedRow {
                        id: g.id.clone(),
                        name: g.id.clone(),
                        cells: vec![
                            g.id.clone(),
                            g.provider.clone(),
                            self.accelerator(&g.accelerator)
                                .map_or_else(|| g.accelerator.clone(), |a| a.name.clone()),
                            match g.term_months {
                                Some(m) => format!("{} {m} mo", g.commitment.label()),
                                None => g.commitment.label().to_owned(),
                            },
                            price(Some(g.hourly_per_gpu)),
                            g.as_of.to_string(),
                        ],
                        source: g.source.clone(),
                        as_of: g.as_of,
                    })
                    .collect(),
            ),
            Kind::Accelerators => (
                vec![
                    "id",
                    "name",
                    "memory GB",
                    "bandwidth TB/s",
                    "FP16 dense TFLOPS",
                    "FP8 dense TFLOPS",
                ],
                self.search_accelerators(query)
                    .into_iter()
                    .map(|a| ListedRow {
                        id: a.id.clone(),
                        name: a.id.clone(),
                        cells: vec![
                            a.id.clone(),
                            format!("{} {} ({})", a.vendor, a.name, a.memory_type),
                            num(a.memory_gb),
                            num(a.bandwidth_tbs),
                            num(a.fp16_dense_tflops),
                            a.fp8_dense_tflops.map_or_else(|| "—".to_owned(), num),
                        ],
                        source: a.source.clone(),
                        as_of: a.as_of,
                    })
                    .collect(),
            ),
            Kind::Models => (
                vec![
                    "id",
                    "name",
                    "params B",
                    "layers",
                    "KV heads",
                    "head dim",
                    "KV KiB/token",
                ],
                self.search_models(query)
                    .into_iter()
                    .map(|m| ListedRow {
                        id: m.id.clone(),
                        name: m.id.clone(),
                        cells: vec![
                            m.id.clone(),
                            m.name.clone(),
                            num(m.params_b),
                            m.kv.n_layers.to_string(),
                            m.kv.n_kv_heads.to_string(),
                            m.kv.head_dim.to_string(),
                            num(m.kv_bytes_per_token() / 1024.0),
                        ],
                        source: m.source.clone(),
                        as_of: m.as_of,
                    })
                    .collect(),
            ),
        };
        Listing {
            kind,
            columns,
            rows,
        }
    }
}

/// A catalog row a route can be made from.
#[derive(Debug, Clone, Copy)]
pub enum Offer<'a> {
    /// A token price.
    Tokens(&'a TokenOffer),
    /// A GPU-hour offer.
    Gpu(&'a GpuOffer),
}

/// What a GPU card needs beyond the offer: the throughput the GPU sustains on the model and
/// the share of it used in production.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuLoad {
    /// Tokens per second per GPU.
    pub throughput_tps: f64,
    /// Share of that sustained, in (0, 1].
    pub utilization: f64,
}

/// The result of adding a catalog row to a workspace as a rate card.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedCard {
    /// The card's id.
    pub id: String,
    /// False when the workspace already had the card with the catalog's prices.
    pub added: bool,
}

/// Puts `token` into `ws` as a rate card through the price-book import (the card LiteLLM's own
/// file would give, its provenance naming the catalog file, its date and the key). A card the
/// workspace already has with the same prices is reused; one with other prices is refused
/// rather than changed.
pub fn add_token_card(
    ws: &mut Workspace,
    catalog: &Catalog,
    token: &TokenOffer,
) -> Result<AddedCard, String> {
    let book = Book {
        kind: prices::BookKind::Litellm,
        file: format!("catalog/{}", catalog.tokens_file),
        date: token.as_of,
        entries: vec![token.entry.clone()],
        skipped: Vec::new(),
        other_modes: std::collections::BTreeMap::new(),
    };
    let options = merge::PriceImportOptions {
        only: Vec::new(),
        accept: false,
    };
    let (updated, report) = merge::import_book(ws, &book, &options).map_err(|e| e.to_string())?;
    if let Some(drift) = report.drift.first() {
        return Err(format!(
            "rate card {} has other prices than the catalog's {} of {}; change it in its editor or import the price book to take the new prices",
            drift.card, catalog.tokens_book, token.as_of
        ));
    }
    *ws = updated;
    if let Some(id) = report.added.first() {
        if let Some(card) = ws.rate_cards.iter_mut().find(|c| &c.id == id) {
            // The id, model and key stay LiteLLM's, so a later import of the whole book finds
            // this card; only the provider reads as people name it.
            card.provider.clone_from(&token.provider_name);
            card.source = format!(
                "LCPR catalog {}: {} ({})",
                catalog.snapshot, catalog.tokens_book, token.source
            );
        }
        return Ok(AddedCard {
            id: id.clone(),
            added: true,
        });
    }
    report
        .unchanged
        .first()
        .map(|id| AddedCard {
            id: id.clone(),
            added: false,
        })
        .ok_or_else(|| format!("{} could not be added", token.key))
}

/// Puts `offer` into `ws` as a GPU rate card with `load`, its provenance naming the catalog
/// file, the page's date and the offer id.
pub fn add_gpu_card(
    ws: &mut Workspace,
    catalog: &Catalog,
    offer: &GpuOffer,
    load: GpuLoad,
) -> Result<AddedCard, String> {
    crate::document::Rule::Positive
        .check("throughput_tps", load.throughput_tps)
        .and_then(|()| {
            crate::document::Rule::PositiveFraction.check("utilization", load.utilization)
        })
        .map_err(|e| e.to_string())?;
    if let Some(card) = ws.rate_cards.iter().find(|c| {
        c.provenance
            .as_ref()
            .is_some_and(|p| p.key == offer.id && p.book == "catalog/gpus.yaml")
    }) {
        return Ok(AddedCard {
            id: card.id.clone(),
            added: false,
        });
    }
    let mut id = offer.id.clone();
    let mut n = 2;
    while ws.rate_cards.iter().any(|c| c.id == id) {
        id = format!("{}-{n}", offer.id);
        n += 1;
    }
    let name = catalog
        .accelerator(&offer.accelerator)
        .map_or(offer.accelerator.as_str(), |a| a.name.as_str());
    let term = offer
        .term_months
        .map(|m| format!(", {m}-month term"))
        .unwrap_or_default();
    let mut notes = format!(
        "{} {}{term}. Throughput and utilization are estimates until a load test of this route replaces them.",
        name,
        offer.commitment.label()
    );
    if let Some(of) = &offer.per_gpu_of {
        notes.push_str(&format!(" Per GPU of {of}."));
    }
    ws.rate_cards.push(RateCard {
        id: id.clone(),
        provider: offer.provider.clone(),
        model: format!("{name} ({})", offer.commitment.label()),
        aliases: Vec::new(),
        effective_from: offer.as_of,
        source: format!("LCPR catalog {}: {}", catalog.snapshot, offer.source),
        pricing: RatePricing::Gpu {
            hourly_rate: offer.hourly_per_gpu,
            throughput_tps: load.throughput_tps,
            utilization: load.utilization,
        },
        contract: None,
        provenance: Some(CardProvenance {
            book: "catalog/gpus.yaml".to_owned(),
            kind: "lcpr-catalog".to_owned(),
            book_date: offer.as_of,
            key: offer.id.clone(),
        }),
        notes,
    });
    Ok(AddedCard { id, added: true })
}

/// Tokens per second per GPU assumed for an accelerator before a load test: the default
/// workspace's measured-shape reference (1,500 tokens/s on an H100 SXM, 3.35 TB/s) scaled by
/// memory bandwidth, since decode is bound by reading the weights and the cache.
#[must_use]
pub fn assumed_throughput(accelerator: &Accelerator) -> f64 {
    const REFERENCE_TPS: f64 = 1500.0;
    const REFERENCE_TBS: f64 = 3.35;
    (REFERENCE_TPS * accelerator.bandwidth_tbs / REFERENCE_TBS).round()
}

/// A rate card's prices and their age: when the card came from a price book or the catalog,
/// the snapshot date, else the date its prices apply from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardAge {
    /// The card.
    pub card: String,
    /// The date its prices were taken.
    pub priced_on: Date,
    /// Days from then to today.
    pub age_days: i64,
}

/// Every card of `ws` whose prices were taken more than `max_age_days` before `today`, oldest
/// first.
#[must_use]
pub fn stale_cards(ws: &Workspace, today: Date, max_age_days: i64) -> Vec<CardAge> {
    let mut old: Vec<CardAge> = ws
        .rate_cards
        .iter()
        .map(|c| {
            let priced_on = c
                .provenance
                .as_ref()
                .map_or(c.effective_from, |p| p.book_date);
            CardAge {
                card: c.id.clone(),
                priced_on,
                age_days: priced_on.days_until(today),
            }
        })
        .filter(|a| a.age_days > max_age_days)
        .collect();
    old.sort_by(|a, b| b.age_days.cmp(&a.age_days).then(a.card.cmp(&b.card)));
    old
}

/// The default age, in days, past which a rate card's prices are flagged.
pub const DEFAULT_MAX_CARD_AGE_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;

    fn with(path: &'static str, text: &'static str) -> Vec<CatalogFile> {
        FILES
            .iter()
            .map(|f| {
                if f.path == path {
                    CatalogFile { path, text }
                } else {
                    *f
                }
            })
            .collect()
    }

    #[test]
    fn the_shipped_catalog_loads_with_every_kind() {
        let c = shipped().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.tokens.len() >= 30, "{}", c.tokens.len());
        for provider in [
            "openai",
            "anthropic",
            "gemini",
            "together_ai",
            "fireworks_ai",
            "deepinfra",
            "groq",
        ] {
            assert!(
                c.tokens.iter().any(|t| t.provider == provider),
                "{provider}"
            );
        }
        let gpt = c.token("gpt-5.4").unwrap_or_else(|| panic!("gpt-5.4"));
        // 2.5e-06 / 1.5e-05 / 2.5e-07 per token in the book.
        assert_eq!(gpt.input_per_m.to_string(), "2.5");
        assert_eq!(gpt.output_per_m.to_string(), "15");
        assert_eq!(
            gpt.cached_input_per_m.map(|d| d.to_string()).as_deref(),
            Some("0.25")
        );
        assert_eq!(gpt.kind, RouteKind::ManagedApi);
        let oss = c
            .token("groq/openai/gpt-oss-120b")
            .unwrap_or_else(|| panic!("groq"));
        assert_eq!(oss.kind, RouteKind::ServerlessOpenWeight);
        assert_eq!(oss.model, "openai/gpt-oss-120b");
        for acc in [
            "h100-sxm",
            "h200-sxm",
            "a100-80gb-sxm",
            "l40s",
            "b200",
            "mi300x",
        ] {
            assert!(c.accelerator(acc).is_some(), "{acc}");
            assert!(
                c.gpus.iter().any(|g| g.accelerator == acc),
                "no offer for {acc}"
            );
        }
        assert!(c.gpus.iter().any(|g| g.commitment == Commitment::Reserved));
        // Llama 3.1 70B in bf16: 2 × 80 layers × 8 KV heads × 128 × 2 bytes = 327,680 per token.
        let llama = c.model("llama-3.1-70b").unwrap_or_else(|| panic!("llama"));
        assert_eq!(llama.kv_bytes_per_token(), 327_680.0);
        assert!(c.models.len() >= 5);
    }

    #[test]
    fn a_bad_gpu_row_names_file_row_and_field() {
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h100-sxm\n  commitment: on_demand\n  hourly_per_gpu: 2\n  source: https://example.com/a\n  as_of: \"2026-01-01\"\n- id: b\n  provider: Y\n  accelerator: h100-sxm\n  commitment: on_demand\n  hourly_per_gpu: -1\n  source: https://example.com/b\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            (e.file.as_str(), e.row.as_deref(), e.field.as_str()),
            ("gpus.yaml", Some("2 (b)"), "hourly_per_gpu")
        );
        assert_eq!(
            e.to_string(),
            "catalog/gpus.yaml, row 2 (b): hourly_per_gpu: must be above $0 per GPU-hour, got -1"
        );
        // A value of the wrong kind is named by its row and field too.
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h100-sxm\n  commitment: weekly\n  hourly_per_gpu: 2\n  source: https://example.com/a\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            (e.row.as_deref(), e.field.as_str()),
            (Some("1"), "commitment"),
            "{e}"
        );
        // An unknown accelerator, a missing source, a date after the snapshot.
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h900\n  commitment: on_demand\n  hourly_per_gpu: 2\n  source: https://example.com/a\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(
            e.field == "accelerator" && e.rule.contains("h100-sxm"),
            "{e}"
        );
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h100-sxm\n  commitment: reserved\n  hourly_per_gpu: 2\n  source: a blog\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.field, "source", "{e}");
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h100-sxm\n  commitment: reserved\n  hourly_per_gpu: 2\n  source: https://example.com/a\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.field, "term_months", "{e}");
        let text = "offers:\n- id: a\n  provider: X\n  accelerator: h100-sxm\n  commitment: on_demand\n  hourly_per_gpu: 2\n  source: https://example.com/a\n  as_of: \"2027-01-01\"\n";
        let e = load(&with("gpus.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.field, "as_of", "{e}");
    }

    #[test]
    fn a_bad_accelerator_or_price_row_is_refused() {
        let text = "accelerators:\n- id: h100-sxm\n  vendor: NVIDIA\n  name: H100\n  memory_gb: 0\n  memory_type: HBM3\n  bandwidth_tbs: 3.35\n  fp16_dense_tflops: 989\n  source: https://example.com\n  as_of: \"2026-01-01\"\n";
        let e = load(&with("accelerators.yaml", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            (e.file.as_str(), e.row.as_deref(), e.field.as_str()),
            ("accelerators.yaml", Some("1 (h100-sxm)"), "memory_gb")
        );
        let text = r#"{"gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06}}"#;
        let e = load(&with("tokens/litellm-1.110.2.json", text))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(
            (e.row.as_deref(), e.rule.contains("no output price")),
            (Some("gpt-x"), true),
            "{e}"
        );
    }

    #[test]
    fn search_finds_rows_by_every_word() {
        let c = shipped().unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<&str> = c
            .search_tokens("gpt-oss groq")
            .iter()
            .map(|t| t.key.as_str())
            .collect();
        assert_eq!(
            keys,
            ["groq/openai/gpt-oss-120b", "groq/openai/gpt-oss-20b"]
        );
        assert!(
            c.search_gpus("H200")
                .iter()
                .all(|g| g.accelerator == "h200-sxm")
        );
        assert!(!c.search_gpus("reserved h100").is_empty());
        assert!(
            c.search_gpus("reserved h100")
                .iter()
                .all(|g| g.commitment == Commitment::Reserved)
        );
        assert_eq!(c.search_accelerators("amd").len(), 2);
        assert!(
            c.offer("gpt-5.4-turbo")
                .err()
                .unwrap_or_default()
                .contains("gpt-5.4")
        );
    }

    #[test]
    fn a_catalog_row_becomes_a_rate_card_with_its_provenance() {
        let c = shipped().unwrap_or_else(|e| panic!("{e}"));
        let mut ws = Workspace::empty("t", Date::EPOCH);
        let token = c
            .token("claude-sonnet-4-6")
            .unwrap_or_else(|| panic!("sonnet"));
        let added = add_token_card(&mut ws, &c, token).unwrap_or_else(|e| panic!("{e}"));
        assert!(added.added);
        let card = ws.rate_card(&added.id).unwrap_or_else(|| panic!("card"));
        let p = card
            .provenance
            .as_ref()
            .unwrap_or_else(|| panic!("provenance"));
        assert_eq!(p.key, "claude-sonnet-4-6");
        assert_eq!(p.book, "catalog/tokens/litellm-1.110.2.json");
        assert_eq!(p.book_date, c.tokens[0].as_of);
        assert!(
            card.source.contains("LCPR catalog 2026-12-03"),
            "{}",
            card.source
        );
        assert_eq!(card.effective_from, p.book_date);
        let RatePricing::Tokens {
            input_per_m,
            cache_write_5m_per_m,
            output_per_m,
            ..
        } = &card.pricing
        else {
            panic!("tokens");
        };
        assert_eq!(
            (input_per_m.to_string(), output_per_m.to_string()),
            ("3".to_owned(), "15".to_owned())
        );
        assert_eq!(
            cache_write_5m_per_m.map(|d| d.to_string()).as_deref(),
            Some("3.75")
        );
        // The same row again reuses the card.
        let again = add_token_card(&mut ws, &c, token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (again.id.as_str(), again.added, ws.rate_cards.len()),
            (added.id.as_str(), false, 1)
        );
        // A card with other prices is refused, not changed.
        if let Some(RatePricing::Tokens { input_per_m, .. }) =
            ws.rate_cards.first_mut().map(|c| &mut c.pricing)
        {
            *input_per_m = Decimal::ONE;
        }
        let before = ws.clone();
        assert!(add_token_card(&mut ws, &c, token).is_err());
        assert_eq!(ws, before);

        let offer = c
            .gpu("coreweave-h100-1y")
            .unwrap_or_else(|| panic!("offer"));
        let acc = c
            .accelerator(&offer.accelerator)
            .unwrap_or_else(|| panic!("acc"));
        let load = GpuLoad {
            throughput_tps: assumed_throughput(acc),
            utilization: 0.5,
        };
        assert_eq!(load.throughput_tps, 1500.0);
        let gpu = add_gpu_card(&mut ws, &c, offer, load).unwrap_or_else(|e| panic!("{e}"));
        let card = ws.rate_card(&gpu.id).unwrap_or_else(|| panic!("gpu card"));
        let p = card
            .provenance
            .as_ref()
            .unwrap_or_else(|| panic!("provenance"));
        assert_eq!(
            (p.book.as_str(), p.key.as_str(), p.book_date),
            ("catalog/gpus.yaml", "coreweave-h100-1y", offer.as_of)
        );
        assert!(
            matches!(card.pricing, RatePricing::Gpu { hourly_rate, .. } if hourly_rate.to_string() == "1.79")
        );
        assert!(
            card.model.contains("reserved") && card.notes.contains("12-month"),
            "{card:?}"
        );
        assert!(
            add_gpu_card(
                &mut ws,
                &c,
                offer,
                GpuLoad {
                    throughput_tps: 0.0,
                    utilization: 0.5
                }
            )
            .is_err()
        );
    }

    #[test]
    fn cards_older_than_the_limit_are_flagged_oldest_first() {
        let c = shipped().unwrap_or_else(|e| panic!("{e}"));
        let mut ws = Workspace::empty("t", Date::EPOCH);
        for key in ["gpt-5.4", "claude-haiku-4-5"] {
            if let Some(t) = c.token(key) {
                add_token_card(&mut ws, &c, t).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let offer = c
            .gpu("tensorwave-mi300x")
            .unwrap_or_else(|| panic!("offer"));
        add_gpu_card(
            &mut ws,
            &c,
            offer,
            GpuLoad {
                throughput_tps: 2000.0,
                utilization: 0.5,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let day = |y, m, d| Date::new(y, m, d).unwrap_or(Date::EPOCH);
        // On the snapshot day only the 2025 GPU page is older than 90 days.
        let old = stale_cards(&ws, c.snapshot, DEFAULT_MAX_CARD_AGE_DAYS);
        assert_eq!(old.len(), 1);
        assert_eq!(
            (old[0].card.as_str(), old[0].priced_on),
            ("tensorwave-mi300x", day(2025, 1, 1))
        );
        assert_eq!(old[0].age_days, day(2025, 1, 1).days_until(c.snapshot));
        // 91 days later the token cards are flagged as well.
        let later = Date::from_unix_days(c.snapshot.unix_days() + 91).unwrap_or(Date::EPOCH);
        assert_eq!(stale_cards(&ws, later, 90).len(), 3);
        assert_eq!(c.age_days(later), 91);
    }
}
