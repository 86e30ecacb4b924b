//! Column mappings: which source column (or attribute, or JSON key) feeds which field of the
//! canonical request row, and how the source counts tokens.
//!
//! Providers disagree on what "input tokens" means. OpenAI's usage objects and the OpenTelemetry
//! GenAI conventions count cached input inside the input total ([`UsageConvention::OpenaiInclusive`]);
//! Anthropic's usage objects count cache reads and cache writes beside it
//! ([`UsageConvention::AnthropicExclusive`]). Reasoning tokens are likewise counted inside the
//! output total by OpenAI and OpenTelemetry. A mapping records both choices explicitly, so a row is
//! converted once, by a stated rule, into non-overlapping token counts that can be priced.
//!
//! A mapping is plain data (serde), so a workspace can keep named mappings for its sources.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{InputError, InputResult};

/// A field of the canonical request row that a source column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CanonicalField {
    /// Request identifier (required).
    RequestId,
    /// When the request started, RFC 3339 (required).
    Timestamp,
    /// Workload id (required).
    Workload,
    /// Scenario id.
    Scenario,
    /// Route id or name.
    Route,
    /// Provider (required).
    Provider,
    /// Model (required).
    Model,
    /// Prompt version.
    PromptVersion,
    /// Input tokens as the source reports them: see [`UsageConvention`] (required).
    InputTokens,
    /// Input tokens read from the prompt cache.
    CacheReadTokens,
    /// Input tokens written to a 5-minute cache.
    // serde's snake_case would write `cache_write5m_tokens`; the documented name has `_5m_`.
    #[serde(rename = "cache_write_5m_tokens", alias = "cache_write5m_tokens")]
    CacheWrite5mTokens,
    /// Input tokens written to a 1-hour cache.
    #[serde(rename = "cache_write_1h_tokens", alias = "cache_write1h_tokens")]
    CacheWrite1hTokens,
    /// Output tokens as the source reports them: see [`ColumnMapping::reasoning_in_output`]
    /// (required).
    OutputTokens,
    /// Reasoning (thinking) tokens.
    ReasoningTokens,
    /// Time to first token, ms.
    TtftMs,
    /// Time per output token, ms.
    TpotMs,
    /// End-to-end latency, ms.
    E2eMs,
    /// `ok`, `error` or `timeout`; `ok` when absent.
    Status,
    /// Attempt index, 0 for the first attempt; 0 when absent.
    Attempt,
    /// Request id this attempt retries.
    RetryOf,
    /// Quality gate verdict: `pass`, `fail` or `unknown`; `unknown` when absent.
    QualityGate,
    /// Whether the request was escalated to a person; false when absent.
    Escalated,
    /// Cost the source itself reports for the request, in dollars.
    ReportedCost,
}

/// How many canonical fields there are.
pub const FIELD_COUNT: usize = 23;

impl CanonicalField {
    /// Every field, in row order.
    pub const ALL: [Self; FIELD_COUNT] = [
        Self::RequestId,
        Self::Timestamp,
        Self::Workload,
        Self::Scenario,
        Self::Route,
        Self::Provider,
        Self::Model,
        Self::PromptVersion,
        Self::InputTokens,
        Self::CacheReadTokens,
        Self::CacheWrite5mTokens,
        Self::CacheWrite1hTokens,
        Self::OutputTokens,
        Self::ReasoningTokens,
        Self::TtftMs,
        Self::TpotMs,
        Self::E2eMs,
        Self::Status,
        Self::Attempt,
        Self::RetryOf,
        Self::QualityGate,
        Self::Escalated,
        Self::ReportedCost,
    ];

    /// The field's name, as written in files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::RequestId => "request_id",
            Self::Timestamp => "timestamp",
            Self::Workload => "workload",
            Self::Scenario => "scenario",
            Self::Route => "route",
            Self::Provider => "provider",
            Self::Model => "model",
            Self::PromptVersion => "prompt_version",
            Self::InputTokens => "input_tokens",
            Self::CacheReadTokens => "cache_read_tokens",
            Self::CacheWrite5mTokens => "cache_write_5m_tokens",
            Self::CacheWrite1hTokens => "cache_write_1h_tokens",
            Self::OutputTokens => "output_tokens",
            Self::ReasoningTokens => "reasoning_tokens",
            Self::TtftMs => "ttft_ms",
            Self::TpotMs => "tpot_ms",
            Self::E2eMs => "e2e_ms",
            Self::Status => "status",
            Self::Attempt => "attempt",
            Self::RetryOf => "retry_of",
            Self::QualityGate => "quality_gate",
            Self::Escalated => "escalated",
            Self::ReportedCost => "reported_cost",
        }
    }

    /// True for fields every row must carry (from a column or a constant).
    #[must_use]
    pub fn required(self) -> bool {
        matches!(
            self,
            Self::RequestId
                | Self::Timestamp
                | Self::Workload
                | Self::Provider
                | Self::Model
                | Self::InputTokens
                | Self::OutputTokens
        )
    }

    /// Position in [`Self::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CanonicalField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the source's input-token count includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageConvention {
    /// Input tokens include cache reads and cache writes (OpenAI usage objects, OpenTelemetry
    /// GenAI spans): uncached input = input − cache reads − cache writes.
    OpenaiInclusive,
    /// Input tokens are the uncached input only; cache reads and writes are counted beside them
    /// (Anthropic usage objects, and the canonical CSV layout).
    AnthropicExclusive,
}

impl UsageConvention {
    /// The convention's name, as written in files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::OpenaiInclusive => "openai_inclusive",
            Self::AnthropicExclusive => "anthropic_exclusive",
        }
    }
}

/// One source column feeding one canonical field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// Column name (CSV, Parquet), key or dotted key path (JSON), or attribute name (OTLP).
    pub source: String,
    /// The field it feeds.
    pub field: CanonicalField,
}

/// A named mapping from a source's columns to the canonical row.
///
/// Several sources may feed one field: the first listed that holds a non-empty value wins, so
/// a mapping can name a current attribute and its deprecated alias. A constant feeds a field
/// when no listed source holds a value (e.g. one workload id for a whole file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// Name under which the mapping is saved.
    pub name: String,
    /// What the input-token column includes.
    pub convention: UsageConvention,
    /// True when the output-token column already includes the reasoning tokens (OpenAI,
    /// OpenTelemetry), so reasoning is subtracted from it; false when output excludes them.
    pub reasoning_in_output: bool,
    /// Source columns, in order of preference per field.
    pub columns: Vec<ColumnRule>,
    /// Fixed values for fields the source lacks, as text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<CanonicalField, String>,
    /// Values derived by a pattern over a source (service or span name, an attribute), for
    /// fields no listed column fills; tried before the constant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternRule>,
}

/// A field's value taken from a regular expression over one source: a workload from the
/// service name (`support-api` → `support`), a route from the span name.
///
/// When the pattern matches, the value is `value` with `$1`, `$name` expanded from the match,
/// or (without `value`) the group named as the field, else the first group, else the whole
/// match. A source that does not match leaves the field to the next rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    /// The field it feeds (`workload`, `scenario`, `route`, …).
    pub field: CanonicalField,
    /// Attribute, key or column it reads (`service.name`, `otlp.name` for a span's name).
    pub source: String,
    /// The regular expression; empty matches any non-empty value.
    #[serde(default)]
    pub pattern: String,
    /// What a match yields, with `$1` / `$name` from the match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl PatternRule {
    /// The compiled pattern, or the rule it breaks.
    pub fn compile(&self) -> InputResult<regex::Regex> {
        let pattern = if self.pattern.is_empty() {
            "^.+$"
        } else {
            self.pattern.as_str()
        };
        regex::Regex::new(pattern).map_err(|e| {
            InputError::new(
                "pattern",
                format!(
                    "is not a regular expression ({}): {}",
                    self.pattern,
                    e.to_string().lines().last().unwrap_or_default().trim()
                ),
            )
        })
    }

    /// What `re` (this rule's compiled pattern) yields for `text`, if it matches.
    #[must_use]
    pub fn apply(&self, re: &regex::Regex, text: &str) -> Option<String> {
        let caps = re.captures(text)?;
        let out = match &self.value {
            Some(template) => {
                let mut out = String::new();
                caps.expand(template, &mut out);
                out
            }
            None => caps
                .name(self.field.name())
                .or_else(|| caps.get(1))
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
        };
        let out = out.trim().to_owned();
        (!out.is_empty()).then_some(out)
    }
}

impl ColumnMapping {
    /// The canonical layout: one column per field, named as the field, except the input column,
    /// `uncached_input_tokens`, which holds uncached input only; output excludes reasoning.
    #[must_use]
    pub fn canonical() -> Self {
        let columns = CanonicalField::ALL
            .iter()
            .map(|&field| ColumnRule {
                source: match field {
                    CanonicalField::InputTokens => "uncached_input_tokens".to_owned(),
                    other => other.name().to_owned(),
                },
                field,
            })
            .collect();
        Self {
            name: "canonical".to_owned(),
            convention: UsageConvention::AnthropicExclusive,
            reasoning_in_output: false,
            columns,
            constants: BTreeMap::new(),
            patterns: Vec::new(),
        }
    }

    /// OpenTelemetry GenAI spans as the OTLP reader flattens them (see [`crate::evidence::traces::otlp`]):
    /// current attribute names first, then their deprecated aliases; the workspace's own fields
    /// (workload, route, prompt version, gate, escalation, attempt) come from `lcpr.*` attributes.
    #[must_use]
    pub fn otel_genai() -> Self {
        use CanonicalField as F;
        let rules: &[(&str, F)] = &[
            ("gen_ai.response.id", F::RequestId),
            ("otlp.span_id", F::RequestId),
            ("otlp.start_time", F::Timestamp),
            ("lcpr.workload", F::Workload),
            ("lcpr.scenario", F::Scenario),
            ("lcpr.route", F::Route),
            ("gen_ai.provider.name", F::Provider),
            ("gen_ai.system", F::Provider),
            ("gen_ai.response.model", F::Model),
            ("gen_ai.request.model", F::Model),
            ("lcpr.prompt_version", F::PromptVersion),
            ("gen_ai.usage.input_tokens", F::InputTokens),
            ("gen_ai.usage.prompt_tokens", F::InputTokens),
            ("gen_ai.usage.cache_read.input_tokens", F::CacheReadTokens),
            ("gen_ai.usage.cache_read_input_tokens", F::CacheReadTokens),
            ("gen_ai.usage.input_tokens.cached", F::CacheReadTokens),
            ("gen_ai.usage.cached_tokens", F::CacheReadTokens),
            (
                "gen_ai.usage.cache_creation.input_tokens",
                F::CacheWrite5mTokens,
            ),
            // The Anthropic SDK's own tracing names cache writes so.
            (
                "gen_ai.usage.cache_write.input_tokens",
                F::CacheWrite5mTokens,
            ),
            (
                "gen_ai.usage.cache_creation_input_tokens",
                F::CacheWrite5mTokens,
            ),
            (
                "gen_ai.usage.input_tokens.cache_write",
                F::CacheWrite5mTokens,
            ),
            ("gen_ai.usage.output_tokens", F::OutputTokens),
            ("gen_ai.usage.completion_tokens", F::OutputTokens),
            ("gen_ai.usage.reasoning.output_tokens", F::ReasoningTokens),
            ("gen_ai.usage.output_tokens.reasoning", F::ReasoningTokens),
            ("otlp.ttft_ms", F::TtftMs),
            ("otlp.tpot_ms", F::TpotMs),
            ("otlp.duration_ms", F::E2eMs),
            ("otlp.status", F::Status),
            ("lcpr.attempt", F::Attempt),
            ("lcpr.retry_of", F::RetryOf),
            ("lcpr.quality_gate", F::QualityGate),
            ("lcpr.escalated", F::Escalated),
            ("lcpr.cost_usd", F::ReportedCost),
        ];
        Self {
            name: "otel_genai".to_owned(),
            convention: UsageConvention::OpenaiInclusive,
            reasoning_in_output: true,
            columns: rules
                .iter()
                .map(|&(source, field)| ColumnRule {
                    source: source.to_owned(),
                    field,
                })
                .collect(),
            constants: BTreeMap::new(),
            patterns: Vec::new(),
        }
    }

    /// Checks the mapping itself: a name, no empty or repeated rule, and every required field
    /// fed by a column or a constant.
    pub fn validate(&self) -> InputResult<()> {
        if self.name.trim().is_empty() {
            return Err(InputError::new("name", "must not be empty"));
        }
        for (i, rule) in self.columns.iter().enumerate() {
            if rule.source.trim().is_empty() {
                return Err(InputError::new(
                    format!("columns[{i}].source"),
                    "must not be empty",
                ));
            }
            if self.columns.iter().take(i).any(|r| r == rule) {
                return Err(InputError::new(
                    format!("columns[{i}]"),
                    format!("repeats the rule {:?} → {}", rule.source, rule.field.name()),
                ));
            }
        }
        for (i, p) in self.patterns.iter().enumerate() {
            if p.source.trim().is_empty() {
                return Err(InputError::new(
                    format!("patterns[{i}].source"),
                    "must not be empty",
                ));
            }
            p.compile()
                .map_err(|e| e.within(&format!("patterns[{i}]")))?;
        }
        for field in CanonicalField::ALL {
            if field.required()
                && self.sources(field).next().is_none()
                && !self.constants.contains_key(&field)
                && !self.patterns.iter().any(|p| p.field == field)
            {
                return Err(InputError::new(
                    "columns",
                    format!(
                        "must feed the required field {} (a column, a pattern or a constant)",
                        field.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The sources feeding `field`, in order of preference.
    pub fn sources(&self, field: CanonicalField) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .filter(move |r| r.field == field)
            .map(|r| r.source.as_str())
    }

    /// The constant for `field`, if any.
    #[must_use]
    pub fn constant(&self, field: CanonicalField) -> Option<&str> {
        self.constants.get(&field).map(String::as_str)
    }
}

/// A mapping resolved against a header: for each field, the column positions that feed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedColumns {
    /// Per field (by [`CanonicalField::index`]), the positions of its columns, in preference
    /// order, with their names.
    pub positions: Vec<Vec<(usize, String)>>,
}

impl ResolvedColumns {
    /// Finds the mapping's columns in `header` (names compared after trimming; a leading byte
    /// order mark is ignored). Refuses a header that lacks every source of a required field
    /// without a constant, or that repeats a mapped column name.
    pub fn resolve(header: &[String], mapping: &ColumnMapping) -> InputResult<Self> {
        mapping.validate().map_err(|e| e.within("mapping"))?;
        let names: Vec<&str> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').trim())
            .collect();
        let mut positions = vec![Vec::new(); FIELD_COUNT];
        for field in CanonicalField::ALL {
            for source in mapping.sources(field) {
                let mut found = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n == source.trim());
                if let Some((at, _)) = found.next() {
                    if found.next().is_some() {
                        return Err(InputError::new(
                            "header",
                            format!("repeats the mapped column {source:?}"),
                        ));
                    }
                    if let Some(slot) = positions.get_mut(field.index()) {
                        slot.push((at, source.to_owned()));
                    }
                }
            }
            let fed = positions.get(field.index()).is_some_and(|p| !p.is_empty());
            if field.required() && !fed && mapping.constant(field).is_none() {
                let looked: Vec<&str> = mapping.sources(field).collect();
                return Err(InputError::new(
                    "header",
                    format!(
                        "has no column for the required field {} (looked for {})",
                        field.name(),
                        looked.join(", ")
                    ),
                ));
            }
        }
        Ok(Self { positions })
    }

    /// The columns feeding `field`.
    #[must_use]
    pub fn of(&self, field: CanonicalField) -> &[(usize, String)] {
        self.positions
            .get(field.index())
            .map_or(&[][..], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn field_indices_follow_the_list() {
        for (i, f) in CanonicalField::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
    }

    #[test]
    fn canonical_and_otel_mappings_are_valid() {
        assert!(ColumnMapping::canonical().validate().is_ok());
        assert!(ColumnMapping::otel_genai().validate().is_ok());
        let m = ColumnMapping::canonical();
        assert_eq!(
            m.sources(CanonicalField::InputTokens).collect::<Vec<_>>(),
            vec!["uncached_input_tokens"]
        );
    }

    #[test]
    fn round_trips_through_json() {
        let mut m = ColumnMapping::otel_genai();
        m.constants
            .insert(CanonicalField::Workload, "support-chat".into());
        let text = serde_json::to_string(&m).unwrap_or_default();
        assert!(text.contains("\"openai_inclusive\""));
        assert!(text.contains("\"workload\":\"support-chat\""));
        let back: ColumnMapping = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, m);
    }

    #[test]
    fn a_required_field_needs_a_column_or_a_constant() {
        let mut m = ColumnMapping::canonical();
        m.columns.retain(|r| r.field != CanonicalField::Workload);
        let err = m.validate().err();
        assert!(err.is_some_and(|e| e.rule.contains("required field workload")));
        m.constants
            .insert(CanonicalField::Workload, "support-chat".into());
        assert!(m.validate().is_ok());
    }

    #[test]
    fn repeated_rules_are_refused() {
        let mut m = ColumnMapping::canonical();
        let first = m.columns[0].clone();
        m.columns.push(first);
        let err = m.validate().err();
        assert_eq!(err.map(|e| e.field), Some("columns[23]".into()));
    }

    #[test]
    fn resolves_preferred_sources_in_order() {
        let mut m = ColumnMapping::canonical();
        m.columns.push(ColumnRule {
            source: "prompt_tokens".into(),
            field: CanonicalField::InputTokens,
        });
        let h = header(&[
            "\u{feff}request_id",
            "timestamp",
            "workload",
            "provider",
            "model",
            "prompt_tokens",
            "output_tokens",
            " uncached_input_tokens ",
        ]);
        let r = ResolvedColumns::resolve(&h, &m).unwrap_or_else(|e| panic!("{e}"));
        let input: Vec<usize> = r
            .of(CanonicalField::InputTokens)
            .iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(input, vec![7, 5]);
        assert_eq!(r.of(CanonicalField::RequestId)[0].0, 0);
        assert!(r.of(CanonicalField::TtftMs).is_empty());
    }

    #[test]
    fn a_header_without_a_required_column_is_refused() {
        let h = header(&["request_id", "timestamp", "workload", "provider", "model"]);
        let err = ResolvedColumns::resolve(&h, &ColumnMapping::canonical()).err();
        assert!(err.is_some_and(|e| {
            e.field == "header"
                && e.rule
                    .contains("input_tokens (looked for uncached_input_tokens)")
        }));
        let h = header(&["request_id", "request_id"]);
        let err = ResolvedColumns::resolve(&h, &ColumnMapping::canonical()).err();
        assert!(err.is_some_and(|e| e.rule.contains("repeats")));
    }
}
