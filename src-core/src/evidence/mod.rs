//! Stage: everything that reads a file a user brings, one reader per format in its own file.
//!
//! - [`traces`]: trace rows (CSV, JSONL, OTLP JSON, provider usage, Parquet) aggregated into
//!   dated baselines with their findings;
//! - [`joins`]: invoices, contracted rates, eval results and human reviews joined into a
//!   reconciliation;
//! - [`loadtest`]: load-test runs (generic, vLLM, GuideLLM, AIPerf) and their goodput sweeps;
//! - [`hf_config`]: a Hugging Face `config.json` as the attention shape KV sizing needs;
//! - [`querypack`]: the warehouse query pack's results merged into the importer's aggregate;
//! - [`prices`]: price books (LiteLLM, genai-prices, OpenRouter) as rate cards, with drift;
//! - [`catalog`]: the shipped, dated catalog (token prices, GPU offers, accelerators, model
//!   shapes) and rate cards made from its rows.
//!
//! May use: `document`, `calc`, `error`, `money`. Never `case`, `decide` or `report`.

pub mod catalog;
pub mod hf_config;
pub mod joins;
pub mod loadtest;
pub mod prices;
pub mod querypack;
pub mod traces;
