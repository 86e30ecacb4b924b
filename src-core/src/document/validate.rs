//! Rules a workspace must satisfy beyond its shape: references resolve, ids are unique,
//! values lie in their ranges, register ranges hold their values.

use std::collections::BTreeSet;
use std::fmt;

use super::field::{BindingTarget, Rule, WorkloadField};
use super::model::{FORMAT_VERSION, RatePricing, Workspace};
use crate::calc::trace_to_margin::{TraceToMarginInput, trace_to_margin};
use crate::error::InputError;

/// One broken rule, at a field path such as `routes[1].rate_card`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the field in the document.
    pub path: String,
    /// The rule, e.g. `names no rate card "groq-llama-4"`.
    pub rule: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

struct Checker {
    found: Vec<Violation>,
}

impl Checker {
    fn push(&mut self, path: String, rule: impl Into<String>) {
        self.found.push(Violation {
            path,
            rule: rule.into(),
        });
    }

    fn input(&mut self, prefix: &str, e: InputError) {
        let path = if e.field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", e.field)
        };
        self.found.push(Violation { path, rule: e.rule });
    }

    fn rule(&mut self, prefix: &str, field: &str, rule: Rule, value: f64) {
        if let Err(e) = rule.check(field, value) {
            self.input(prefix, e);
        }
    }

    fn money(&mut self, prefix: &str, field: &str, value: rust_decimal::Decimal) {
        if let Err(e) = crate::error::non_negative_money(field, value) {
            self.input(prefix, e);
        }
    }

    fn unique<'a>(&mut self, list: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.enumerate() {
            if id.trim().is_empty() {
                self.push(format!("{list}[{i}].id"), "must not be empty");
            } else if !seen.insert(id) {
                self.push(format!("{list}[{i}].id"), format!("repeats id {id:?}"));
            }
        }
    }
}

/// The rules of a section that are those of the computation reading it: a forecast is valid
/// when it can be run, an attribution when the bill can be split. The stage that computes the
/// section implements this, so opening a file still refuses a section that cannot be computed
/// while the document names no later stage.
pub trait SectionRules {
    /// The first rule the section breaks in `ws`, with its field path inside the section.
    fn check(&self, ws: &Workspace) -> Result<(), InputError>;
}

/// Every broken rule in `ws`, in document order (empty when the workspace is valid).
#[must_use]
pub fn validate(ws: &Workspace) -> Vec<Violation> {
    let mut c = Checker { found: Vec::new() };
    if ws.format_version != FORMAT_VERSION {
        c.push(
            "format_version".into(),
            format!("must be {FORMAT_VERSION}, got {}", ws.format_version),
        );
    }
    if ws.meta.title.trim().is_empty() {
        c.push("meta.title".into(), "must not be empty");
    }
    if ws.meta.updated < ws.meta.created {
        c.push(
            "meta.updated".into(),
            format!("must not be before created ({})", ws.meta.created),
        );
    }
    let currency = &ws.meta.currency;
    if currency.len() != 3 || !currency.chars().all(|ch| ch.is_ascii_uppercase()) {
        c.push(
            "meta.currency".into(),
            format!("must be a three-letter ISO code, got {currency:?}"),
        );
    }
    c.unique("rate_cards", ws.rate_cards.iter().map(|x| x.id.as_str()));
    c.unique("workloads", ws.workloads.iter().map(|x| x.id.as_str()));
    c.unique("routes", ws.routes.iter().map(|x| x.id.as_str()));
    c.unique("scenarios", ws.scenarios.iter().map(|x| x.id.as_str()));
    c.unique("baselines", ws.baselines.iter().map(|x| x.id.as_str()));
    c.unique(
        "reconciliations",
        ws.reconciliations.iter().map(|x| x.id.as_str()),
    );
    c.unique("load_tests", ws.load_tests.iter().map(|x| x.id.as_str()));
    c.unique("register", ws.register.iter().map(|x| x.id.as_str()));

    for (i, card) in ws.rate_cards.iter().enumerate() {
        let at = format!("rate_cards[{i}].pricing");
        match &card.pricing {
            RatePricing::Tokens {
                input_per_m,
                cached_input_per_m,
                cache_write_5m_per_m,
                cache_write_1h_per_m,
                output_per_m,
                batch_input_per_m,
                batch_output_per_m,
            } => {
                c.money(&at, "input_per_m", *input_per_m);
                c.money(&at, "output_per_m", *output_per_m);
                for (name, v) in [
                    ("cached_input_per_m", cached_input_per_m),
                    ("cache_write_5m_per_m", cache_write_5m_per_m),
                    ("cache_write_1h_per_m", cache_write_1h_per_m),
                    ("batch_input_per_m", batch_input_per_m),
                    ("batch_output_per_m", batch_output_per_m),
                ] {
                    if let Some(v) = v {
                        c.money(&at, name, *v);
                    }
                }
            }
            RatePricing::Gpu {
                hourly_rate,
                throughput_tps,
                utilization,
            } => {
                c.money(&at, "hourly_rate", *hourly_rate);
                c.rule(&at, "throughput_tps", Rule::Positive, *throughput_tps);
                c.rule(&at, "utilization", Rule::PositiveFraction, *utilization);
            }
        }
        if let Some(contract) = &card.contract {
            let at = format!("rate_cards[{i}].contract");
            c.rule(&at, "discount", Rule::Discount, contract.discount);
            for (name, v) in [
                ("input_per_m", contract.input_per_m),
                ("cached_input_per_m", contract.cached_input_per_m),
                ("output_per_m", contract.output_per_m),
                ("hourly_rate", contract.hourly_rate),
                ("committed_monthly_spend", contract.committed_monthly_spend),
            ] {
                if let Some(v) = v {
                    c.money(&at, name, v);
                }
            }
            let token_terms = contract.input_per_m.is_some()
                || contract.cached_input_per_m.is_some()
                || contract.output_per_m.is_some();
            if card.pricing.is_tokens() && contract.hourly_rate.is_some() {
                c.push(
                    format!("{at}.hourly_rate"),
                    "does not apply to a token-priced rate card",
                );
            }
            if !card.pricing.is_tokens() && token_terms {
                c.push(
                    at.clone(),
                    "token rates do not apply to a GPU-priced rate card",
                );
            }
        }
    }

    for (i, w) in ws.workloads.iter().enumerate() {
        let at = format!("workloads[{i}]");
        for &f in WorkloadField::ALL {
            if let Err(e) = f.rule().check(f.name(), w.get(f)) {
                // Report under the file's own key names.
                let field = match f {
                    WorkloadField::StablePrefixTokens => "tokens.stable_prefix",
                    WorkloadField::DynamicTailTokens => "tokens.dynamic_tail",
                    WorkloadField::OutputTokens => "tokens.output",
                    _ => f.name(),
                };
                c.push(format!("{at}.{field}"), e.rule);
            }
        }
        for (name, v) in [
            ("repair_cost_per_failure", w.repair_cost_per_failure),
            ("human_cost_per_case", w.human_cost_per_case),
            ("grader_cost_per_eval", w.grader_cost_per_eval),
            ("ops_monthly_cost", w.ops_monthly_cost),
            ("engineer_hourly_cost", w.engineer_hourly_cost),
        ] {
            c.money(&at, name, v);
        }
        c.rule(
            &format!("{at}.slo"),
            "ttft_ms",
            Rule::Positive,
            w.slo.ttft_ms,
        );
        c.rule(
            &format!("{at}.slo"),
            "tpot_ms",
            Rule::Positive,
            w.slo.tpot_ms,
        );
        if let Some(e2e) = w.slo.e2e_ms {
            c.rule(&format!("{at}.slo"), "e2e_ms", Rule::Positive, e2e);
        }
        c.rule(&at, "quality_floor", Rule::Fraction, w.quality_floor);
        let t = &w.tokens;
        for (name, lo, hi) in [
            ("input_p95", t.input_p50, t.input_p95),
            ("output_p95", t.output_p50, t.output_p95),
        ] {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && hi < lo
            {
                c.push(
                    format!("{at}.tokens.{name}"),
                    format!("must be ≥ the p50 ({lo}), got {hi}"),
                );
            }
        }
    }

    for (i, r) in ws.routes.iter().enumerate() {
        let at = format!("routes[{i}]");
        match ws.rate_card(&r.rate_card) {
            None => c.push(
                format!("{at}.rate_card"),
                format!("names no rate card {:?}", r.rate_card),
            ),
            Some(card) if card.pricing.is_tokens() == r.kind.is_gpu() => c.push(
                format!("{at}.rate_card"),
                format!(
                    "a {} route needs a {}-priced rate card; {:?} is {}-priced",
                    r.kind.label(),
                    if r.kind.is_gpu() { "GPU" } else { "token" },
                    r.rate_card,
                    if card.pricing.is_tokens() {
                        "token"
                    } else {
                        "GPU"
                    }
                ),
            ),
            Some(_) => {}
        }
        c.rule(
            &at,
            "quality_score",
            Rule::PositiveFraction,
            r.quality_score,
        );
        let np = &r.non_production;
        for (name, v) in [
            ("staging_gpus", np.staging_gpus),
            ("test_gpus", np.test_gpus),
            ("canary_gpus", np.canary_gpus),
            ("reserve_gpus", np.reserve_gpus),
        ] {
            c.rule(&format!("{at}.non_production"), name, Rule::NonNegative, v);
        }
        c.rule(&at, "ops_fte", Rule::NonNegative, r.ops_fte);
        c.money(&at, "fte_monthly_cost", r.fte_monthly_cost);
        if !r.kind.is_gpu() && (np.total() != 0.0 || r.ops_fte != 0.0) {
            c.push(
                at.clone(),
                format!(
                    "a {} route has no non-production GPUs or operations staff",
                    r.kind.label()
                ),
            );
        }
    }

    for (i, s) in ws.scenarios.iter().enumerate() {
        let at = format!("scenarios[{i}]");
        if ws.workload(&s.workload).is_none() {
            c.push(
                format!("{at}.workload"),
                format!("names no workload {:?}", s.workload),
            );
        }
        if ws.route(&s.route).is_none() {
            c.push(
                format!("{at}.route"),
                format!("names no route {:?}", s.route),
            );
        }
        for (f, v) in &s.overrides {
            c.rule(&format!("{at}.overrides"), f.name(), f.rule(), *v);
        }
    }

    for (path, rule) in super::mix::check(ws) {
        c.push(path, rule);
    }

    for (i, b) in ws.baselines.iter().enumerate() {
        let at = format!("baselines[{i}]");
        if ws.workload(&b.workload).is_none() {
            c.push(
                format!("{at}.workload"),
                format!("names no workload {:?}", b.workload),
            );
        }
        if let Some(route) = &b.route
            && ws.route(route).is_none()
        {
            c.push(format!("{at}.route"), format!("names no route {route:?}"));
        }
        let m = &b.metrics;
        let am = format!("{at}.metrics");
        c.money(&am, "lcpr", m.lcpr);
        for (name, v) in [
            ("eval_pass_rate", m.eval_pass_rate),
            ("gate_pass_rate", m.gate_pass_rate),
        ] {
            if let Some(v) = v {
                c.rule(&am, name, Rule::Fraction, v);
            }
        }
        for (name, v) in [
            ("error_rate", m.error_rate),
            ("retry_rate", m.retry_rate),
            ("timeout_rate", m.timeout_rate),
            ("cache_hit_rate", m.cache_hit_rate),
            ("cache_eligible_prefix_share", m.cache_eligible_prefix_share),
            ("escalation_rate", m.escalation_rate),
        ] {
            c.rule(&am, name, Rule::Fraction, v);
        }
        c.rule(
            &am,
            "requests_per_day",
            Rule::NonNegative,
            m.requests_per_day,
        );
        c.rule(
            &am,
            "accepted_per_day",
            Rule::NonNegative,
            m.accepted_per_day,
        );
        if m.accepted_per_day > m.requests_per_day {
            c.push(
                format!("{am}.accepted_per_day"),
                "must not exceed requests_per_day",
            );
        }
        for (name, q) in [("ttft_ms", m.ttft_ms), ("tpot_ms", m.tpot_ms)] {
            let Some(q) = q else { continue };
            if !(q.p50 >= 0.0 && q.p50 <= q.p95 && q.p95 <= q.p99) {
                c.push(
                    format!("{am}.{name}"),
                    format!(
                        "must satisfy 0 ≤ p50 ≤ p95 ≤ p99, got {} / {} / {}",
                        q.p50, q.p95, q.p99
                    ),
                );
            }
        }
        let t = &b.traffic;
        for (name, v) in [
            ("input_tokens_p50", t.input_tokens_p50),
            ("input_tokens_p95", t.input_tokens_p95),
            ("output_tokens_p50", t.output_tokens_p50),
            ("output_tokens_p95", t.output_tokens_p95),
        ] {
            c.rule(&format!("{at}.traffic"), name, Rule::NonNegative, v);
        }
    }

    for (i, r) in ws.reconciliations.iter().enumerate() {
        let at = format!("reconciliations[{i}]");
        if ws.workload(&r.workload).is_none() {
            c.push(
                format!("{at}.workload"),
                format!("names no workload {:?}", r.workload),
            );
        }
        if r.period.end < r.period.start {
            c.push(
                format!("{at}.period.end"),
                format!("must not be before start ({})", r.period.start),
            );
        }
        let mut disputed_lines = BTreeSet::new();
        for (k, d) in r.disputes.iter().enumerate() {
            let at = format!("{at}.disputes[{k}]");
            if d.amount <= rust_decimal::Decimal::ZERO {
                c.push(
                    format!("{at}.amount"),
                    format!("must be > 0, got {}", d.amount),
                );
            }
            if !disputed_lines.insert(d.line_id.as_str()) {
                let what = if d.line_id.is_empty() {
                    "the delta".to_owned()
                } else {
                    format!("line {:?}", d.line_id)
                };
                c.push(format!("{at}.line_id"), format!("disputes {what} twice"));
            }
        }
        if let Err(e) = disputes_within_invoice(r) {
            c.input(&at, e);
        }
        let mut kinds = BTreeSet::new();
        for (k, source) in r.sources.iter().enumerate() {
            if !kinds.insert(source.kind) {
                c.push(
                    format!("{at}.sources[{k}].kind"),
                    format!(
                        "repeats {}: one file per kind of source",
                        source.kind.name()
                    ),
                );
            }
            if source.file.trim().is_empty() {
                c.push(format!("{at}.sources[{k}].file"), "must not be empty");
            }
        }
        if let Err(e) = reconciliation_margin(r) {
            c.input(&at, e);
        }
    }

    for (i, t) in ws.load_tests.iter().enumerate() {
        let at = format!("load_tests[{i}]");
        if let Some(g) = t.gpus {
            c.rule(&at, "gpus", Rule::Positive, g);
        }
        if ws.workload(&t.workload).is_none() {
            c.push(
                format!("{at}.workload"),
                format!("names no workload {:?}", t.workload),
            );
        }
        if let Some(s) = &t.scenario
            && ws.scenario(s).is_none()
        {
            c.push(format!("{at}.scenario"), format!("names no scenario {s:?}"));
        }
        c.rule(&at, "duration_seconds", Rule::Positive, t.duration_seconds);
        let total: u64 = t.requests.iter().map(|g| u64::from(g.count)).sum();
        if total == 0 {
            c.push(format!("{at}.requests"), "must hold at least one request");
        } else if total > MAX_LOAD_TEST_REQUESTS {
            c.push(
                format!("{at}.requests"),
                format!("hold {total} requests; at most {MAX_LOAD_TEST_REQUESTS} fit in a workspace (import aggregates instead)"),
            );
        }
        for (j, g) in t.requests.iter().enumerate() {
            let ag = format!("{at}.requests[{j}]");
            c.rule(&ag, "ttft_ms", Rule::NonNegative, g.ttft_ms);
            c.rule(&ag, "tpot_ms", Rule::NonNegative, g.tpot_ms);
            c.rule(&ag, "output_tokens", Rule::NonNegative, g.output_tokens);
            if let Some(e2e) = g.e2e_ms {
                c.rule(&ag, "e2e_ms", Rule::NonNegative, e2e);
                // The end-to-end time includes the wait for the first token.
                if e2e < g.ttft_ms {
                    c.push(
                        format!("{ag}.e2e_ms"),
                        format!(
                            "must be ≥ ttft_ms ({}), got {e2e}: end-to-end latency includes the \
                             time to first token; check the two columns are not swapped",
                            g.ttft_ms
                        ),
                    );
                }
            }
            c.money(&ag, "cost", g.cost);
        }
        if let Some(totals) = &t.totals
            && totals.attempts() < total
        {
            c.push(
                format!("{at}.totals"),
                format!(
                    "must count at least the {total} listed requests, got {}",
                    totals.attempts()
                ),
            );
        }
    }

    for (i, e) in ws.register.iter().enumerate() {
        let at = format!("register[{i}]");
        if !(e.low <= e.value && e.value <= e.high) {
            c.push(
                format!("{at}.value"),
                format!(
                    "must lie within [low, high] = [{}, {}], got {}",
                    e.low, e.high, e.value
                ),
            );
        }
        if e.owner.trim().is_empty() {
            c.push(
                format!("{at}.owner"),
                "must name who answers for the number",
            );
        }
        let Some(b) = &e.binds else { continue };
        let exists = match b.target {
            BindingTarget::Workload => ws.workload(&b.id).is_some(),
            BindingTarget::Scenario => ws.scenario(&b.id).is_some(),
            BindingTarget::RateCard => ws.rate_card(&b.id).is_some(),
            BindingTarget::Route => ws.route(&b.id).is_some(),
        };
        if !exists {
            c.push(
                format!("{at}.binds.id"),
                format!("names no {} {:?}", b.target.name(), b.id),
            );
            continue;
        }
        match b.field_ref() {
            Err(err) => c.input(&format!("{at}.binds"), err),
            Ok(field) => {
                if ws.read_binding(b).is_none() {
                    c.push(
                        format!("{at}.binds.field"),
                        format!("{:?} has no {} figure", b.id, b.field),
                    );
                }
                for (name, v) in [("low", e.low), ("value", e.value), ("high", e.high)] {
                    c.rule(&at, name, field.rule(), v);
                }
            }
        }
    }
    if ws.simulation.draws == 0 || ws.simulation.draws > super::simulation::MAX_DRAWS {
        c.push(
            "simulation.draws".into(),
            format!(
                "must lie in [1, {}], got {}",
                super::simulation::MAX_DRAWS,
                ws.simulation.draws
            ),
        );
    }
    if let Some(m) = &ws.migration {
        for (name, id) in [("current", &m.current), ("candidate", &m.candidate)] {
            if ws.scenario(id).is_none() {
                c.push(
                    format!("migration.{name}"),
                    format!("names no scenario {id:?}"),
                );
            }
        }
        if let Some(f) = &m.fallback
            && ws.scenario(f).is_none()
        {
            c.push(
                "migration.fallback".into(),
                format!("names no scenario {f:?}"),
            );
        }
        c.rule(
            "migration",
            "fallback_share",
            Rule::Fraction,
            m.fallback_share,
        );
        if let Some(u) = &m.measured_utilization {
            c.rule(
                "migration.measured_utilization",
                "value",
                Rule::Fraction,
                u.value,
            );
        }
        if let Some(p) = m.candidate_p95_ttft_ms {
            c.rule("migration", "candidate_p95_ttft_ms", Rule::NonNegative, p);
        }
        if let Some(fit) = &m.model
            && let Err(e) = fit.kv_shape().validate()
        {
            c.input("migration.model", e);
        }
    }
    if let Some(f) = &ws.forecast
        && let Err(e) = f.check(ws)
    {
        c.input("forecast", e);
    }
    if let Some(a) = &ws.attribution
        && let Err(e) = a.check(ws)
    {
        c.input("attribution", e);
    }
    for (i, incident) in ws.incidents.iter().enumerate() {
        if let Err(e) = incident.check(ws) {
            c.input(&format!("incidents[{i}]"), e);
        }
    }
    if let Some(r) = &ws.monthly_review
        && let Err(e) = r.check(ws)
    {
        c.input("monthly_review", e);
    }
    // An entry taken from evidence must hold what the evidence says (the evidence stage
    // computes it): a file edited by hand cannot keep a stale "measured" value.
    for (i, e) in ws.register.iter().enumerate() {
        if e.from.is_some()
            && let Err(err) = e.check(ws)
        {
            c.input(&format!("register[{i}]"), err);
        }
    }
    if let Err(e) = super::contracts::ContractRates::new(ws.contract_rates.clone()) {
        let field = e.field.strip_prefix("rates").unwrap_or(&e.field).to_owned();
        c.push(format!("contract_rates{field}"), e.rule);
    }
    let mut names = BTreeSet::new();
    for (i, m) in ws.trace_mappings.iter().enumerate() {
        if let Err(e) = m.validate() {
            c.input(&format!("trace_mappings[{i}]"), e);
        }
        if !names.insert(m.name.as_str()) {
            c.push(
                format!("trace_mappings[{i}].name"),
                format!("repeats mapping {:?}", m.name),
            );
        }
    }
    let mut names = BTreeSet::new();
    for (i, m) in ws.invoice_mappings.iter().enumerate() {
        if let Err(e) = m.compile() {
            c.input(&format!("invoice_mappings[{i}]"), e);
        }
        if !names.insert(m.name.as_str()) {
            c.push(
                format!("invoice_mappings[{i}].name"),
                format!("repeats mapping {:?}", m.name),
            );
        }
    }
    for (i, x) in ws.exchange_rates.iter().enumerate() {
        let at = format!("exchange_rates[{i}]");
        if x.currency.len() != 3 || !x.currency.chars().all(|ch| ch.is_ascii_uppercase()) {
            c.push(
                format!("{at}.currency"),
                format!("must be a three-letter ISO code, got {:?}", x.currency),
            );
        }
        if x.rate <= rust_decimal::Decimal::ZERO {
            c.push(format!("{at}.rate"), format!("must be > 0, got {}", x.rate));
        }
        if x.period.end < x.period.start {
            c.push(
                format!("{at}.period.end"),
                format!(
                    "must be on or after period.start ({}), got {}",
                    x.period.start, x.period.end
                ),
            );
        }
    }
    if !ws.readiness.is_empty()
        && let Err(e) = crate::calc::readiness::readiness(&ws.readiness)
    {
        let field = e
            .field
            .strip_prefix("factors")
            .unwrap_or(&e.field)
            .to_owned();
        c.push(format!("readiness{field}"), e.rule);
    }
    c.found
}

/// Most requests a workspace may hold in its load tests (larger tests are imported as
/// aggregates).
pub const MAX_LOAD_TEST_REQUESTS: u64 = 1_000_000;

/// The disputed amounts of a reconciliation, summed (saturating: validation refuses a sum past
/// the invoice long before it could overflow).
#[must_use]
pub fn disputed(r: &super::model::Reconciliation) -> rust_decimal::Decimal {
    r.disputes.iter().fold(rust_decimal::Decimal::ZERO, |t, d| {
        t.saturating_add(d.amount)
    })
}

/// Refuses disputed amounts that add up to more than the invoice as billed.
pub fn disputes_within_invoice(r: &super::model::Reconciliation) -> Result<(), InputError> {
    let total = disputed(r);
    if total > r.invoice_amount {
        return Err(InputError::new(
            "disputes",
            format!(
                "must not exceed the invoice as billed ({}), got {total} in all",
                r.invoice_amount
            ),
        ));
    }
    Ok(())
}

/// The reconciliation's loaded cost and LCPR, or the rule it breaks named by the file's field
/// (the computation calls two of them differently).
pub fn reconciliation_margin(
    r: &super::model::Reconciliation,
) -> Result<crate::calc::trace_to_margin::TraceToMargin, InputError> {
    trace_to_margin(&reconciliation_input(r)).map_err(|e| {
        let field = match e.field.as_str() {
            "total_attempts" => "attempts".to_owned(),
            "accepted_units" => "accepted".to_owned(),
            other => other.to_owned(),
        };
        InputError::new(field, e.rule)
    })
}

/// A reconciliation as the trace-to-margin computation takes it: the invoice net of disputed
/// amounts, which stay on record but are not a cost of the work.
#[must_use]
pub fn reconciliation_input(r: &super::model::Reconciliation) -> TraceToMarginInput {
    TraceToMarginInput {
        trace_cost: r.trace_cost,
        invoice_amount: r.invoice_amount.saturating_sub(disputed(r)),
        eval_cost: r.eval_cost,
        human_cost: r.human_cost,
        ops_cost: r.ops_cost,
        total_attempts: r.attempts,
        accepted_units: r.accepted,
        revenue_per_unit: r.revenue_per_unit,
    }
}
