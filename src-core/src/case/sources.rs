//! Where each input takes its value from: typed in its editor, a register entry, or a named
//! piece of evidence (`from: baseline support-2026-10`) — a baseline's measured rates, a load
//! test's capacity ceiling under the workload's SLOs and gate, a reconciliation's operations
//! cost. A value from evidence is written into its register entry with the evidence's status,
//! so every computation (cost, tornado, Monte Carlo, memo) reads it through the register as it
//! reads any other number, and importing newer evidence moves it ([`refresh`]).

use serde::Serialize;

use crate::document::evidence_status::EvidenceStatus;
use crate::document::{
    Binding, BindingTarget, Date, FieldRef, RateCardField, RegisterEntry, SectionRules, SourceKind,
    SourceRef, WorkloadField, Workspace,
};
use crate::error::{InputError, InputResult};
use crate::evidence::loadtest::sweep::workspace_sweep;

/// Days in the month every monthly figure uses.
const DAYS_PER_MONTH: f64 = 30.0;

/// What one piece of evidence says about one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced {
    /// The value, in the input's unit.
    pub value: f64,
    /// The evidence's date (a baseline's capture, a reconciliation's last day); `None` for a
    /// load test, which carries none.
    pub date: Option<Date>,
    /// The status a value from it has.
    pub status: EvidenceStatus,
    /// How the value was derived, in words.
    pub basis: String,
}

/// Relative tolerance for "the entry holds what its evidence says": values round-trip the
/// file exactly, so this only absorbs arithmetic order.
const SAME: f64 = 1e-9;

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME * a.abs().max(b.abs()).max(1.0)
}

fn refuse(source: &SourceRef, rule: impl Into<String>) -> InputError {
    InputError::new("from", format!("{source}: {}", rule.into()))
}

/// The workload an input of `binding` belongs to (a scenario's workload for a scenario
/// override).
fn workload_of<'a>(ws: &'a Workspace, binding: &'a Binding) -> Option<&'a str> {
    match binding.target {
        BindingTarget::Workload => Some(binding.id.as_str()),
        BindingTarget::Scenario => ws.scenario(&binding.id).map(|s| s.workload.as_str()),
        _ => None,
    }
}

/// What `source` says the input `binding` is, or why it says nothing about it.
pub fn value_from(ws: &Workspace, binding: &Binding, source: &SourceRef) -> InputResult<Sourced> {
    let field = binding.field_ref()?;
    match source.kind {
        SourceKind::Baseline => from_baseline(ws, binding, field, source),
        SourceKind::LoadTest => from_load_test(ws, binding, field, source),
        SourceKind::Reconciliation => from_reconciliation(ws, binding, field, source),
    }
}

/// Refuses evidence of another workload than the one `binding`'s input belongs to.
fn same_workload(
    ws: &Workspace,
    binding: &Binding,
    source: &SourceRef,
    verb: &str,
    workload: &str,
) -> InputResult<()> {
    if workload_of(ws, binding) == Some(workload) {
        return Ok(());
    }
    Err(refuse(
        source,
        format!("{verb} workload {workload:?}, not the one this input belongs to"),
    ))
}

fn from_baseline(
    ws: &Workspace,
    binding: &Binding,
    field: FieldRef,
    source: &SourceRef,
) -> InputResult<Sourced> {
    let b = ws
        .baselines
        .iter()
        .find(|b| b.id == source.id)
        .ok_or_else(|| refuse(source, "names no baseline in the workspace"))?;
    same_workload(ws, binding, source, "measures", &b.workload)?;
    // A scenario's override describes its own route: a baseline of another route does not
    // measure it.
    if binding.target == BindingTarget::Scenario
        && let (Some(on), Some(s)) = (&b.route, ws.scenario(&binding.id))
        && *on != s.route
    {
        return Err(refuse(
            source,
            format!(
                "measured route {on:?}, not scenario {:?}'s route {:?}",
                s.id, s.route
            ),
        ));
    }
    let m = &b.metrics;
    let not_measured = |what: &str| refuse(source, format!("did not measure the {what}"));
    let (value, basis) = match field {
        FieldRef::Workload(WorkloadField::MonthlyRequests) => (
            m.requests_per_day * DAYS_PER_MONTH,
            format!(
                "{} requests/day × {DAYS_PER_MONTH} days",
                m.requests_per_day
            ),
        ),
        FieldRef::Workload(WorkloadField::CacheHitRate) => {
            // The baseline counts cache reads over all input; the workload's rate is over the
            // stable prefix, the only part a prompt cache serves.
            if m.cache_eligible_prefix_share <= 0.0 {
                return Err(not_measured("cacheable prefix (its share of input is 0)"));
            }
            (
                (m.cache_hit_rate / m.cache_eligible_prefix_share).min(1.0),
                format!(
                    "cache reads {:.4} of input ÷ cacheable prefix {:.4} of input",
                    m.cache_hit_rate, m.cache_eligible_prefix_share
                ),
            )
        }
        FieldRef::Workload(WorkloadField::RetryRate) => {
            (m.retry_rate, "measured retry rate".to_owned())
        }
        FieldRef::Workload(WorkloadField::QualityGatePassRate) => (
            m.gate_pass_rate
                .ok_or_else(|| not_measured("quality gate pass rate (no verdicts joined)"))?,
            "measured gate pass rate".to_owned(),
        ),
        FieldRef::Workload(WorkloadField::HumanEscalationRate) => {
            (m.escalation_rate, "measured escalation rate".to_owned())
        }
        _ => {
            return Err(refuse(
                source,
                format!(
                    "a baseline gives monthly requests, cache hit, retry, gate pass and \
                     escalation rates, not {}",
                    binding.field
                ),
            ));
        }
    };
    Ok(Sourced {
        value,
        date: Some(b.captured_on),
        status: SourceKind::Baseline.status(),
        basis,
    })
}

fn from_load_test(
    ws: &Workspace,
    binding: &Binding,
    field: FieldRef,
    source: &SourceRef,
) -> InputResult<Sourced> {
    let t = ws
        .load_tests
        .iter()
        .find(|t| t.id == source.id)
        .ok_or_else(|| refuse(source, "names no load test in the workspace"))?;
    if binding.target != BindingTarget::RateCard
        || field != FieldRef::RateCard(RateCardField::ThroughputTps)
    {
        return Err(refuse(
            source,
            "a load test gives a GPU rate card's throughput (its capacity under the SLO), \
             nothing else",
        ));
    }
    let scenario = t.scenario.as_deref().and_then(|s| ws.scenario(s));
    if let Some(s) = scenario {
        let card = ws.route(&s.route).map(|r| r.rate_card.as_str());
        if card != Some(binding.id.as_str()) {
            return Err(refuse(
                source,
                format!(
                    "tested scenario {:?}, whose route is not priced by rate card {:?}",
                    s.id, binding.id
                ),
            ));
        }
    }
    let gpus = t.gpus.ok_or_else(|| {
        refuse(
            source,
            format!(
                "does not say how many GPUs served the test: set `gpus:` on load test {:?} \
                 (or import it with --gpus N)",
                t.id
            ),
        )
    })?;
    let mut w = ws
        .workload(&t.workload)
        .ok_or_else(|| refuse(source, format!("names no workload {:?}", t.workload)))?
        .clone();
    if let Some(s) = scenario {
        for (f, v) in &s.overrides {
            w.set(*f, *v)?;
        }
    }
    let sweep = workspace_sweep(ws, &t.workload, t.series_key())
        .map_err(|e| refuse(source, e.to_string()))?
        .ok_or_else(|| refuse(source, "has no runs"))?;
    let ceiling = sweep.capacity_ceiling.ok_or_else(|| {
        refuse(
            source,
            "accepted nothing within the workload's SLOs at any rate, so it sets no capacity",
        )
    })?;
    // The cost model loads a GPU with output tokens plus the prefill share of input: the
    // same measure of work turns accepted results per second into tokens per second.
    let per_request =
        w.tokens.output + w.prefill_efficiency * (w.tokens.stable_prefix + w.tokens.dynamic_tail);
    let value = ceiling.goodput_rate * per_request / gpus;
    if !(value.is_finite() && value > 0.0) {
        return Err(refuse(
            source,
            format!("gives no positive capacity ({value} tokens/s per GPU)"),
        ));
    }
    Ok(Sourced {
        value,
        date: None,
        status: SourceKind::LoadTest.status(),
        basis: format!(
            "{:.3} accepted/s at the capacity ceiling ({:.2} req/s) × {per_request:.0} \
             tokens each ÷ {gpus} GPU(s)",
            ceiling.goodput_rate, ceiling.request_rate
        ),
    })
}

fn from_reconciliation(
    ws: &Workspace,
    binding: &Binding,
    field: FieldRef,
    source: &SourceRef,
) -> InputResult<Sourced> {
    let r = ws
        .reconciliations
        .iter()
        .find(|r| r.id == source.id)
        .ok_or_else(|| refuse(source, "names no reconciliation in the workspace"))?;
    same_workload(ws, binding, source, "reconciles", &r.workload)?;
    if field != FieldRef::Workload(WorkloadField::OpsMonthlyCost) {
        return Err(refuse(
            source,
            format!(
                "a reconciliation gives the operations allocation, not {}",
                binding.field
            ),
        ));
    }
    let days = (r.period.start.days_until(r.period.end) + 1) as f64;
    let ops = crate::money::to_f64(r.ops_cost);
    Ok(Sourced {
        value: ops * DAYS_PER_MONTH / days,
        date: Some(r.period.end),
        status: SourceKind::Reconciliation.status(),
        basis: format!("operations ${ops:.2} over {days} days, per {DAYS_PER_MONTH}-day month"),
    })
}

/// The evidence in `ws` that can supply `binding`, newest first within each kind, each with
/// what it says (or why it cannot say).
#[must_use]
pub fn offers(ws: &Workspace, binding: &Binding) -> Vec<(SourceRef, InputResult<Sourced>)> {
    let mut out = Vec::new();
    let mut push = |kind: SourceKind, id: &str| {
        let s = SourceRef {
            kind,
            id: id.to_owned(),
        };
        let v = value_from(ws, binding, &s);
        out.push((s, v));
    };
    let workload = workload_of(ws, binding);
    let mut baselines: Vec<_> = ws
        .baselines
        .iter()
        .filter(|b| Some(b.workload.as_str()) == workload)
        .collect();
    baselines.sort_by_key(|b| std::cmp::Reverse(b.captured_on));
    let field = binding.field_ref().ok();
    let baseline_field = matches!(
        field,
        Some(FieldRef::Workload(
            WorkloadField::MonthlyRequests
                | WorkloadField::CacheHitRate
                | WorkloadField::RetryRate
                | WorkloadField::QualityGatePassRate
                | WorkloadField::HumanEscalationRate
        ))
    );
    if baseline_field {
        for b in baselines {
            push(SourceKind::Baseline, &b.id);
        }
    }
    if field == Some(FieldRef::RateCard(RateCardField::ThroughputTps)) {
        // A test's value comes from its whole sweep: one offer per sweep.
        let mut series: Vec<(&str, &str)> = Vec::new();
        for t in &ws.load_tests {
            let key = (t.workload.as_str(), t.series_key());
            if !series.contains(&key) {
                series.push(key);
                push(SourceKind::LoadTest, &t.id);
            }
        }
    }
    if field == Some(FieldRef::Workload(WorkloadField::OpsMonthlyCost)) {
        let mut recs: Vec<_> = ws
            .reconciliations
            .iter()
            .filter(|r| Some(r.workload.as_str()) == workload)
            .collect();
        recs.sort_by_key(|r| std::cmp::Reverse(r.period.end));
        for r in recs {
            push(SourceKind::Reconciliation, &r.id);
        }
    }
    out
}

/// Where an input's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// Typed in its own editor.
    Typed,
    /// A register entry's typed value (by index).
    Register(usize),
    /// A register entry (by index) taking its value from evidence.
    Evidence(usize, SourceRef),
}

/// The source of `binding`'s value: the last register entry binding it wins, as the
/// register is applied in order.
#[must_use]
pub fn source_of(ws: &Workspace, binding: &Binding) -> InputSource {
    match ws
        .register
        .iter()
        .enumerate()
        .rev()
        .find(|(_, e)| e.binds.as_ref() == Some(binding))
    {
        None => InputSource::Typed,
        Some((i, e)) => match &e.from {
            Some(s) => InputSource::Evidence(i, s.clone()),
            None => InputSource::Register(i),
        },
    }
}

/// `binding`'s source in words: `typed`, `register entry volume`, `baseline support-2026-10`.
#[must_use]
pub fn source_label(ws: &Workspace, binding: &Binding) -> String {
    match source_of(ws, binding) {
        InputSource::Typed => "typed".to_owned(),
        InputSource::Register(i) => ws.register.get(i).map_or_else(
            || "register".to_owned(),
            |e| format!("register entry {}", e.id),
        ),
        InputSource::Evidence(_, s) => s.to_string(),
    }
}

/// Sets `binding`'s source ([`choose`]) and says what moved: the input's value before and
/// after, and its source before and after.
pub fn choose_and_report(
    ws: &mut Workspace,
    binding: &Binding,
    choice: &Choice,
    today: Date,
) -> InputResult<Moved> {
    let read = |ws: &Workspace| {
        crate::case::evaluation::apply_register(ws)
            .0
            .read_binding(binding)
            .unwrap_or(f64::NAN)
    };
    let (before, from_before) = (read(ws), source_label(ws, binding));
    choose(ws, binding, choice, today)?;
    let entry = match source_of(ws, binding) {
        InputSource::Register(i) | InputSource::Evidence(i, _) => {
            ws.register.get(i).map(|e| e.id.clone()).unwrap_or_default()
        }
        InputSource::Typed => "none: typed".to_owned(),
    };
    Ok(Moved {
        entry,
        input: input_name(binding),
        from_before,
        from_now: source_label(ws, binding),
        before,
        now: read(ws),
    })
}

/// One input an evidence change moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    /// The register entry.
    pub entry: String,
    /// The input, `workload support.cache_hit_rate`.
    pub input: String,
    /// Its source before.
    pub from_before: String,
    /// Its source now.
    pub from_now: String,
    /// Its value before.
    pub before: f64,
    /// Its value now.
    pub now: f64,
}

impl Moved {
    /// The move in a sentence.
    #[must_use]
    pub fn sentence(&self) -> String {
        if self.from_before == self.from_now {
            format!(
                "{} (entry {}) moved {} → {} from {}",
                self.input,
                self.entry,
                short(self.before),
                short(self.now),
                self.from_now
            )
        } else {
            format!(
                "{} (entry {}) moved {} → {}: now from {} (was {})",
                self.input,
                self.entry,
                short(self.before),
                short(self.now),
                self.from_now,
                self.from_before
            )
        }
    }
}

/// A sourced value as the CLI and reports print it: four decimals for rates, one for counts.
#[must_use]
pub fn short(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// What a refresh did: the inputs it moved, and the entries whose evidence says nothing (they
/// keep their values).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Refresh {
    /// Inputs whose value or source changed.
    pub moved: Vec<Moved>,
    /// `register[i]`: why its evidence gives no value.
    pub problems: Vec<String>,
}

/// The newest evidence of the same kind for the same subject as `source`: a baseline of the
/// same workload (and route, when both name one), a reconciliation of the same workload. A
/// load test keeps its id: its value already comes from its whole sweep.
fn newest(ws: &Workspace, source: &SourceRef) -> SourceRef {
    let id = match source.kind {
        SourceKind::Baseline => ws
            .baselines
            .iter()
            .find(|b| b.id == source.id)
            .and_then(|old| {
                ws.baselines
                    .iter()
                    // A trace import knows no routes: a baseline without one is of the
                    // same traffic; one of another named route is not.
                    .filter(|b| {
                        b.workload == old.workload
                            && (b.route == old.route || b.route.is_none() || old.route.is_none())
                    })
                    .max_by(|a, b| a.captured_on.cmp(&b.captured_on))
                    .map(|b| b.id.clone())
            }),
        SourceKind::Reconciliation => ws
            .reconciliations
            .iter()
            .find(|r| r.id == source.id)
            .and_then(|old| {
                ws.reconciliations
                    .iter()
                    .filter(|r| r.workload == old.workload)
                    .max_by(|a, b| a.period.end.cmp(&b.period.end))
                    .map(|r| r.id.clone())
            }),
        SourceKind::LoadTest => None,
    };
    SourceRef {
        kind: source.kind,
        id: id.unwrap_or_else(|| source.id.clone()),
    }
}

fn input_name(b: &Binding) -> String {
    format!("{} {}.{}", b.target.name(), b.id, b.field)
}

/// Writes what its evidence says into every entry taken from evidence, first moving it to
/// the newest evidence of its kind (a newer baseline of the workload replaces an older one);
/// widens the entry's range when the value leaves it, and sets its status and date from the
/// evidence.
pub fn refresh(ws: &mut Workspace) -> Refresh {
    let mut out = Refresh::default();
    for i in 0..ws.register.len() {
        let Some((binding, old_from, old_value)) = ws
            .register
            .get(i)
            .and_then(|e| Some((e.binds.clone()?, e.from.clone()?, e.value)))
        else {
            continue;
        };
        let candidate = newest(ws, &old_from);
        // A newer piece of evidence that cannot speak for this input (a baseline without
        // verdicts for a pass rate) leaves the entry on the one that can.
        let (from, got) = match value_from(ws, &binding, &candidate) {
            Ok(v) => (candidate, Ok(v)),
            Err(_) if candidate != old_from => {
                let v = value_from(ws, &binding, &old_from);
                (old_from.clone(), v)
            }
            Err(e) => (candidate, Err(e)),
        };
        let Some(entry) = ws.register.get_mut(i) else {
            continue;
        };
        match got {
            Err(e) => out
                .problems
                .push(format!("register[{i}] ({}): {}", entry.id, e.rule)),
            Ok(s) => {
                apply(entry, &from, &s);
                if from != old_from || !same(old_value, s.value) {
                    out.moved.push(Moved {
                        entry: entry.id.clone(),
                        input: input_name(&binding),
                        from_before: old_from.to_string(),
                        from_now: from.to_string(),
                        before: old_value,
                        now: s.value,
                    });
                }
            }
        }
    }
    out
}

fn apply(entry: &mut RegisterEntry, from: &SourceRef, s: &Sourced) {
    entry.from = Some(from.clone());
    entry.value = s.value;
    entry.low = entry.low.min(s.value);
    entry.high = entry.high.max(s.value);
    entry.status = s.status;
    if let Some(d) = s.date {
        entry.date = d;
    }
}

/// What the user can pick as an input's source.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Typed in the input's own editor (no register entry binds it).
    Typed,
    /// A register entry's typed value (with its range).
    Register,
    /// A piece of evidence.
    Evidence(SourceRef),
}

/// Sets `binding`'s source. Typed removes the entries binding it and keeps the value they
/// gave, so nothing moves until the user types; Register keeps (or creates) its entry and
/// drops the evidence; Evidence takes the value from it, creating the entry when none binds
/// the input. Refuses evidence that says nothing about the input (nothing changes then).
pub fn choose(
    ws: &mut Workspace,
    binding: &Binding,
    choice: &Choice,
    today: Date,
) -> InputResult<()> {
    let current = crate::case::evaluation::apply_register(ws)
        .0
        .read_binding(binding)
        .ok_or_else(|| {
            InputError::new(
                "field",
                format!("{} has no such input", input_name(binding)),
            )
        })?;
    match choice {
        Choice::Typed => {
            ws.write_binding(binding, current)?;
            ws.register.retain(|e| e.binds.as_ref() != Some(binding));
        }
        Choice::Register => {
            let i = entry_for(ws, binding, current, today);
            if let Some(e) = ws.register.get_mut(i)
                && e.from.take().is_some()
            {
                // Its evidence no longer stands behind it.
                e.status = EvidenceStatus::Estimated;
            }
        }
        Choice::Evidence(source) => {
            let s = value_from(ws, binding, source)?;
            let i = entry_for(ws, binding, current, today);
            if let Some(e) = ws.register.get_mut(i) {
                apply(e, source, &s);
            }
        }
    }
    Ok(())
}

/// The index of the entry binding `binding`, created (typed, assumed, zero range at
/// `value`) when there is none.
fn entry_for(ws: &mut Workspace, binding: &Binding, value: f64, today: Date) -> usize {
    if let InputSource::Register(i) | InputSource::Evidence(i, _) = source_of(ws, binding) {
        return i;
    }
    let base = format!("{}-{}", binding.id, binding.field.replace('_', "-"));
    let mut id = base.clone();
    let mut n = 2;
    while ws.register.iter().any(|e| e.id == id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    let label = binding
        .field_ref()
        .map(|f| format!("{} of {}", f.label_and_unit().0, binding.id))
        .unwrap_or_else(|_| input_name(binding));
    ws.register.push(RegisterEntry {
        id,
        label,
        binds: Some(binding.clone()),
        from: None,
        value,
        low: value,
        high: value,
        status: EvidenceStatus::Assumed,
        owner: if ws.meta.owner.trim().is_empty() {
            "Unassigned".to_owned()
        } else {
            ws.meta.owner.clone()
        },
        source: String::new(),
        date: today,
        distribution: Default::default(),
        notes: String::new(),
    });
    ws.register.len() - 1
}

impl SectionRules for RegisterEntry {
    /// An entry taken from evidence binds an input the evidence can speak for. Whether it
    /// still holds what the evidence says is [`stale`]'s question, not a refusal: a file
    /// whose evidence was edited by hand still opens, and [`refresh`] brings it in step.
    fn check(&self, ws: &Workspace) -> InputResult<()> {
        let Some(from) = &self.from else {
            return Ok(());
        };
        let binding = self.binds.as_ref().ok_or_else(|| {
            InputError::new(
                "from",
                format!("{from}: an entry taken from evidence must bind an input (add `binds:`)"),
            )
        })?;
        value_from(ws, binding, from).map(|_| ())
    }
}

/// Entries taken from evidence that no longer hold what it says (value, status, or a newer
/// piece of evidence of the same kind), each in a sentence: what [`refresh`] would move.
#[must_use]
pub fn stale(ws: &Workspace) -> Vec<String> {
    let mut next = ws.clone();
    let r = refresh(&mut next);
    let mut out: Vec<String> = r.moved.iter().map(Moved::sentence).collect();
    for (e, n) in ws.register.iter().zip(&next.register) {
        if e.from.is_some() && e.status != n.status && !r.moved.iter().any(|m| m.entry == e.id) {
            out.push(format!(
                "register entry {} has status {}, but a value from its evidence is {}",
                e.id,
                e.status.name(),
                n.status.name()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::document::{ArrivalProcess, LoadTest, Methodology, RequestGroup};
    use rust_decimal::Decimal;

    fn default_ws() -> Workspace {
        crate::document::parse(
            include_str!("../../../workspaces/support-migration.yaml"),
            "support-migration.yaml",
        )
        .unwrap()
    }

    fn today() -> Date {
        Date::new(2026, 12, 3).unwrap()
    }

    fn input(target: BindingTarget, id: &str, field: &str) -> Binding {
        Binding {
            target,
            id: id.to_owned(),
            field: field.to_owned(),
        }
    }

    fn baseline_ref(id: &str) -> SourceRef {
        SourceRef {
            kind: SourceKind::Baseline,
            id: id.to_owned(),
        }
    }

    #[test]
    fn a_source_is_written_kind_then_id_and_reads_back() {
        let s: SourceRef = "load_test h100-sweep-1".parse().unwrap();
        assert_eq!(s.kind, SourceKind::LoadTest);
        assert_eq!(s.to_string(), "load_test h100-sweep-1");
        assert!("invoice x".parse::<SourceRef>().is_err());
        assert!("baseline".parse::<SourceRef>().is_err());
    }

    #[test]
    fn a_baselines_cache_reads_over_input_become_a_hit_rate_over_the_prefix() {
        let ws = default_ws();
        let b = input(BindingTarget::Workload, "support-chat", "cache_hit_rate");
        let got = value_from(&ws, &b, &baseline_ref("support-gpt-2026-10")).unwrap();
        // 61% of input read from cache, 64% of input cacheable: 0.61 / 0.64 of the prefix.
        assert!((got.value - 0.953_125).abs() < 1e-12);
        assert_eq!(got.status, EvidenceStatus::MeasuredInLogs);
        assert_eq!(got.date, Date::new(2026, 10, 31));
        let vol = input(BindingTarget::Workload, "support-chat", "monthly_requests");
        let got = value_from(&ws, &vol, &baseline_ref("support-gpt-2026-10")).unwrap();
        assert!((got.value - 13_733.0 * 30.0).abs() < 1e-9);
        // A baseline says nothing about a price, nor about another workload's scenario route.
        let price = input(BindingTarget::RateCard, "gpt-5.4", "output_per_m");
        assert!(value_from(&ws, &price, &baseline_ref("support-gpt-2026-10")).is_err());
        let other = input(
            BindingTarget::Scenario,
            "support-dsv4-serverless",
            "retry_rate",
        );
        let e = value_from(&ws, &other, &baseline_ref("support-gpt-2026-10")).unwrap_err();
        assert!(e.rule.contains("measured route"), "{e}");
    }

    #[test]
    fn a_newer_baseline_moves_the_rates_bound_to_the_older_one() {
        let mut ws = default_ws();
        let retry = input(BindingTarget::Workload, "support-chat", "retry_rate");
        choose(
            &mut ws,
            &retry,
            &Choice::Evidence(baseline_ref("support-gpt-2026-10")),
            today(),
        )
        .unwrap();
        assert!(crate::document::validate(&ws).is_empty());
        let before = evaluate(&ws)
            .scenario("support-gpt")
            .unwrap()
            .cost
            .clone()
            .unwrap()
            .lcpr;
        let mut newer = ws.baselines[0].clone();
        newer.id = "support-gpt-2026-11".into();
        newer.captured_on = Date::new(2026, 11, 30).unwrap();
        newer.route = None;
        newer.metrics.retry_rate = 0.08;
        ws.baselines.push(newer);
        let r = refresh(&mut ws);
        // The shipped pass rate is taken from the October baseline too: it follows (the
        // same 0.86), and the retry rate moves.
        assert_eq!(r.moved.len(), 2, "{r:?}");
        let m = r
            .moved
            .iter()
            .find(|m| m.input.ends_with("retry_rate"))
            .unwrap();
        assert_eq!((m.before, m.now), (0.03, 0.08));
        assert_eq!(m.from_now, "baseline support-gpt-2026-11");
        let e = ws
            .register
            .iter()
            .find(|e| e.binds.as_ref() == Some(&retry))
            .unwrap();
        assert_eq!(e.value, 0.08);
        assert!(e.high >= 0.08 && e.low <= 0.08);
        let after = evaluate(&ws)
            .scenario("support-gpt")
            .unwrap()
            .cost
            .clone()
            .unwrap()
            .lcpr;
        assert!(after > before, "more retries cost more: {before} → {after}");
        // Refreshing again moves nothing.
        assert!(refresh(&mut ws).moved.is_empty());
    }

    fn load_test(gpus: Option<f64>) -> LoadTest {
        LoadTest {
            id: "h100-run".into(),
            name: "H100 endpoint at 2 req/s".into(),
            workload: "support-chat".into(),
            scenario: Some("support-h100-dedicated".into()),
            series: String::new(),
            duration_seconds: 100.0,
            request_rate: Some(2.0),
            methodology: Methodology {
                arrivals: ArrivalProcess::Poisson,
                warm_cache: true,
                cold_starts_included: true,
                retries_applied: true,
                tail_latency_recorded: true,
                quality_gate_applied: true,
            },
            gpus,
            requests: vec![
                RequestGroup {
                    count: 150,
                    ttft_ms: 300.0,
                    tpot_ms: 20.0,
                    e2e_ms: Some(4000.0),
                    output_tokens: 350.0,
                    quality_pass: true,
                    failed: false,
                    cost: Decimal::ZERO,
                },
                RequestGroup {
                    count: 50,
                    ttft_ms: 300.0,
                    tpot_ms: 20.0,
                    e2e_ms: Some(4000.0),
                    output_tokens: 350.0,
                    quality_pass: false,
                    failed: false,
                    cost: Decimal::ZERO,
                },
            ],
            totals: None,
            notes: String::new(),
        }
    }

    #[test]
    fn a_load_test_sets_the_routes_capacity_per_gpu_and_so_its_gpu_count() {
        let mut ws = default_ws();
        ws.load_tests.push(load_test(None));
        let tps = input(BindingTarget::RateCard, "h100-together", "throughput_tps");
        let src = SourceRef {
            kind: SourceKind::LoadTest,
            id: "h100-run".into(),
        };
        // Without the tested GPU count there is no capacity per GPU, and nothing changes.
        let e = choose(&mut ws, &tps, &Choice::Evidence(src.clone()), today()).unwrap_err();
        assert!(e.rule.contains("gpus"), "{e}");
        ws.load_tests[0].gpus = Some(8.0);
        let before = evaluate(&ws)
            .scenario("support-h100-dedicated")
            .unwrap()
            .cost
            .clone()
            .unwrap();
        choose(&mut ws, &tps, &Choice::Evidence(src), today()).unwrap();
        let got = value_from(
            &ws,
            &tps,
            &ws.register.last().unwrap().from.clone().unwrap(),
        )
        .unwrap();
        // 150 accepted in 100 s = 1.5/s within the SLOs; each loads 350 output + 0.1 × 2,800
        // input = 630 tokens; over 8 GPUs: 1.5 × 630 / 8 = 118.125 tokens/s per GPU.
        assert!((got.value - 118.125).abs() < 1e-9, "{}", got.value);
        assert_eq!(
            ws.register.last().unwrap().status,
            EvidenceStatus::LoadTested
        );
        let after = evaluate(&ws)
            .scenario("support-h100-dedicated")
            .unwrap()
            .cost
            .clone()
            .unwrap();
        assert!(
            after.gpu_count > before.gpu_count,
            "{:?} → {:?}",
            before.gpu_count,
            after.gpu_count
        );
        assert!(after.lcpr > before.lcpr);
        assert!(
            crate::document::validate(&ws).is_empty(),
            "{:?}",
            crate::document::validate(&ws)
        );
    }

    #[test]
    fn typed_again_keeps_the_value_the_register_gave_and_drops_the_entry() {
        let mut ws = default_ws();
        let cache = input(BindingTarget::Workload, "support-chat", "cache_hit_rate");
        let n = ws.register.len();
        choose(&mut ws, &cache, &Choice::Typed, today()).unwrap();
        assert_eq!(ws.register.len(), n - 1);
        assert_eq!(source_of(&ws, &cache), InputSource::Typed);
        assert_eq!(ws.workloads[0].cache_hit_rate, 0.6);
        choose(&mut ws, &cache, &Choice::Register, today()).unwrap();
        assert!(matches!(source_of(&ws, &cache), InputSource::Register(_)));
    }

    #[test]
    fn evidence_that_cannot_speak_for_its_input_is_refused_on_open() {
        let mut ws = default_ws();
        let pass = input(
            BindingTarget::Workload,
            "support-chat",
            "quality_gate_pass_rate",
        );
        choose(
            &mut ws,
            &pass,
            &Choice::Evidence(baseline_ref("support-gpt-2026-10")),
            today(),
        )
        .unwrap();
        ws.baselines[0].metrics.gate_pass_rate = None;
        let v = crate::document::validate(&ws);
        assert!(
            v.iter()
                .any(|v| v.path.starts_with("register[") && v.rule.contains("did not measure")),
            "{v:?}"
        );
        // A value out of step is not a refusal but is reported as stale.
        let mut ws = default_ws();
        choose(
            &mut ws,
            &pass,
            &Choice::Evidence(baseline_ref("support-gpt-2026-10")),
            today(),
        )
        .unwrap();
        ws.baselines[0].metrics.gate_pass_rate = Some(0.9);
        assert!(crate::document::validate(&ws).is_empty());
        let stale = stale(&ws);
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].contains("0.8600 → 0.9000"), "{stale:?}");
    }
}
