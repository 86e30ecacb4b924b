//! The column-wise count of a batch whose rows are all good: text the aggregate keys on is
//! read once per dictionary entry, and rows are counted a (workload, day) group at a time.

use super::*;

/// Per canonical field, the slot in `columns` of its one source column.
pub(super) type Slots = [Option<usize>; FIELD_COUNT];

/// The slots of a mapping the column-wise path reads, or `None` when it cannot: a field with
/// several sources (the row path picks the first non-blank one per row) or a constant, a
/// required field without a column (every row is broken), a timestamp that is not a Parquet
/// timestamp or date, or an id or status column that is not text.
pub(super) fn columnar_slots(
    columns: &[MappedColumn],
    fields: &[Vec<(usize, String)>],
    rules: &RowRules,
) -> Option<Slots> {
    use CanonicalField as F;
    if rules.has_constants() {
        return None;
    }
    let mut slots: Slots = [None; FIELD_COUNT];
    for (slot, list) in slots.iter_mut().zip(fields) {
        match list.as_slice() {
            [] => {}
            [(k, _)] => *slot = Some(*k),
            _ => return None,
        }
    }
    let kind = |f: F| {
        slots
            .get(f.index())
            .copied()
            .flatten()
            .and_then(|k| columns.get(k))
            .map(|c| c.kind)
    };
    let required = [
        F::RequestId,
        F::Timestamp,
        F::Workload,
        F::Provider,
        F::Model,
        F::InputTokens,
        F::OutputTokens,
    ];
    let texts = [
        F::Workload,
        F::Provider,
        F::Model,
        F::PromptVersion,
        F::Status,
    ];
    (required.iter().all(|&f| kind(f).is_some())
        && matches!(kind(F::Timestamp), Some(Kind::Timestamp(_) | Kind::Date))
        && texts
            .iter()
            .all(|&f| matches!(kind(f), None | Some(Kind::Text))))
    .then_some(slots)
}

/// What the column-wise path knows of the dictionary entries of one text column.
#[derive(Debug)]
pub(super) struct EntryCache<T> {
    /// The [`TextPages::generation`] read, `None` before the first.
    pub(super) generation: Option<u32>,
    /// Per entry: its meaning, or `None` when a row holding it is broken.
    pub(super) values: Vec<Option<T>>,
    /// Per entry: its text without surrounding whitespace.
    pub(super) names: Vec<String>,
}

impl<T: Copy> EntryCache<T> {
    pub(super) fn new() -> Self {
        Self {
            generation: None,
            values: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Reads the entries of `pages`' dictionary through `read` (given trimmed, non-blank
    /// text; blank entries take `blank`) unless they were read already.
    pub(super) fn refresh(
        &mut self,
        pages: &TextPages,
        blank: T,
        read: impl Fn(&str) -> Option<T>,
    ) {
        if self.generation == Some(pages.generation) {
            return;
        }
        self.generation = Some(pages.generation);
        self.values.clear();
        self.names.clear();
        for i in 0..pages.dict.len() {
            let text = pages.entry(i).map(str::trim_ascii);
            self.values
                .push(text.and_then(|t| if t.is_empty() { Some(blank) } else { read(t) }));
            self.names.push(text.unwrap_or_default().to_owned());
        }
    }

    /// Row `r`'s entry and its meaning; `Some(None)` for a null, `None` when the row is not a
    /// dictionary row or holds an entry that breaks it.
    #[inline]
    pub(super) fn row(&self, pages: &TextPages, r: usize) -> Option<Option<(u32, T)>> {
        match *pages.refs.get(r)? {
            TextRef::Null => Some(None),
            TextRef::Dict(i) => self
                .values
                .get(i as usize)
                .copied()
                .flatten()
                .map(|v| Some((i, v))),
            TextRef::Plain { .. } => None,
        }
    }
}

pub(super) fn pages_of(state: Option<&ColumnState>) -> Option<&TextPages> {
    match &state?.values {
        Values::Pages(p) => Some(p),
        _ => None,
    }
}

/// The column-wise path: a batch whose rows are all good is counted without building rows.
///
/// Text the aggregate keys on (workload, provider, model, prompt version) and keywords
/// (status, gate, escalation) are read once per dictionary entry, so rows carry entry indices;
/// the batch's rows are then grouped by (workload, day) and each group is counted into its
/// day in one call (see [`crate::evidence::traces::aggregate::DayAggregate`]), with pairs looked up per
/// group instead of per row. Counting is order-independent, so grouping changes nothing. Any
/// row the row path would refuse, or any value read differently (plain text where an entry is
/// expected), sends the whole batch to the row path, which reports broken rows as it always
/// has.
#[derive(Debug)]
pub(super) struct Columnar {
    pub(super) slots: Slots,
    pub(super) workload: EntryCache<bool>,
    pub(super) provider: EntryCache<bool>,
    pub(super) model: EntryCache<bool>,
    pub(super) prompt: EntryCache<bool>,
    pub(super) status: EntryCache<Status>,
    pub(super) gate: EntryCache<GateResult>,
    pub(super) escalated: EntryCache<bool>,
    pub(super) rows: Vec<IdRow>,
    /// Per row, with the quick duplicate set, the key of its request id and attempt.
    pub(super) keys: Vec<u64>,
    /// (workload entry, day, rows) per group of the batch.
    pub(super) groups: Vec<(u32, Date, usize)>,
    pub(super) group_of: Vec<u32>,
    pub(super) order: Vec<u32>,
}

/// Marks an absent prompt version: an id past every name, which stands for the empty one.
pub(super) const NO_NAME: u32 = u32::MAX;

impl Columnar {
    pub(super) fn new(slots: Slots) -> Self {
        Self {
            slots,
            workload: EntryCache::new(),
            provider: EntryCache::new(),
            model: EntryCache::new(),
            prompt: EntryCache::new(),
            status: EntryCache::new(),
            gate: EntryCache::new(),
            escalated: EntryCache::new(),
            rows: Vec::new(),
            keys: Vec::new(),
            groups: Vec::new(),
            group_of: Vec::new(),
            order: Vec::new(),
        }
    }

    /// Forgets the previous row group's dictionaries (each row group starts its own).
    pub(super) fn start_group(&mut self) {
        self.workload.generation = None;
        self.provider.generation = None;
        self.model.generation = None;
        self.prompt.generation = None;
        self.status.generation = None;
        self.gate.generation = None;
        self.escalated.generation = None;
    }

    /// Checks and reads the `n` rows of the batch in `states`, the first numbered `first_row`;
    /// false when the row path must read them.
    pub(super) fn read(
        &mut self,
        states: &[ColumnState],
        rules: &RowRules,
        n: usize,
        first_row: u64,
        seen: &mut SeenHandle,
    ) -> Result<bool, ImportError> {
        use CanonicalField as F;
        let slots = self.slots;
        let state = |f: F| {
            slots
                .get(f.index())
                .copied()
                .flatten()
                .and_then(|k| states.get(k))
        };
        let is_text = |f: F| state(f).is_some_and(|s| s.kind == Kind::Text);
        let (Some(workload), Some(provider), Some(model)) = (
            pages_of(state(F::Workload)),
            pages_of(state(F::Provider)),
            pages_of(state(F::Model)),
        ) else {
            return Ok(false);
        };
        let present = |t: &str| Some(!t.is_empty());
        self.workload.refresh(workload, false, present);
        self.provider.refresh(provider, false, present);
        self.model.refresh(model, false, present);
        // An optional text column read otherwise than by pages leaves the batch to the row path.
        let optional = |f: F| match state(f) {
            None => Some(None),
            Some(_) if !is_text(f) => Some(None),
            s => pages_of(s).map(Some),
        };
        let (Some(prompt), Some(status)) = (optional(F::PromptVersion), optional(F::Status)) else {
            return Ok(false);
        };
        let (Some(gate), Some(escalated)) = (optional(F::QualityGate), optional(F::Escalated))
        else {
            return Ok(false);
        };
        if let Some(p) = prompt {
            self.prompt.refresh(p, false, present);
        }
        if let Some(p) = status {
            self.status.refresh(p, Status::Ok, |t| {
                STATUS_WORDS
                    .iter()
                    .find(|(w, _)| t.eq_ignore_ascii_case(w))
                    .map(|(_, v)| *v)
            });
        }
        if let Some(p) = gate {
            self.gate.refresh(p, GateResult::Unknown, |t| {
                verdict(Cell::Text(Cow::Borrowed(t))).ok()
            });
        }
        if let Some(p) = escalated {
            self.escalated
                .refresh(p, false, |t| flag(Cell::Text(Cow::Borrowed(t))).ok());
        }
        let mut rows = std::mem::take(&mut self.rows);
        rows.clear();
        let mut keys = std::mem::take(&mut self.keys);
        keys.clear();
        let quick = seen.is_quick();
        let read = Read {
            states,
            slots,
            rules,
            columnar: self,
            workload,
            provider,
            model,
            prompt,
            status,
            gate,
            escalated,
        };
        let mut good = true;
        for r in 0..n {
            match read.row(r, first_row + r as u64, quick) {
                Some((row, key)) => {
                    rows.push(row);
                    keys.push(key);
                }
                None => {
                    good = false;
                    break;
                }
            }
        }
        if !good {
            rows.clear();
        }
        // Duplicates are checked once the whole batch is taken, so a batch that falls back to
        // the row path has recorded none of its rows.
        let mut checked = Ok(());
        if good && quick {
            // The quick set needs only the keys, taken as the rows were read.
            checked = keys.iter().try_for_each(|&k| seen.record_key(k));
        } else if good {
            for (r, row) in rows.iter_mut().enumerate() {
                match read.is_duplicate(r, row, seen) {
                    Ok(d) => row.duplicate = d,
                    Err(e) => {
                        checked = Err(e);
                        break;
                    }
                }
            }
        }
        self.rows = rows;
        self.keys = keys;
        checked.map(|()| good)
    }

    /// Counts the rows [`Self::read`] accepted into `into`, a (workload, day) group at a time.
    pub(super) fn count(&mut self, into: &mut Aggregate) -> Result<(), ImportError> {
        let before = self.rows.len();
        for r in self.rows.iter().filter(|r| r.duplicate) {
            let name = |names: &'_ [String], id: u32| -> String {
                names.get(id as usize).cloned().unwrap_or_default()
            };
            into.note_copy(
                &name(&self.workload.names, r.workload),
                r.date,
                &name(&self.provider.names, r.provider),
                &name(&self.model.names, r.model),
                r.row,
            );
        }
        self.rows.retain(|r| !r.duplicate);
        let dropped = (before - self.rows.len()) as u64;
        into.rows_read += dropped;
        into.duplicates_dropped += dropped;
        self.groups.clear();
        self.group_of.clear();
        let mut last: Option<(u32, Date, usize)> = None;
        for row in &self.rows {
            // Rows come mostly in time order: the previous row's group is the likely one.
            let g = match last {
                Some((w, d, g)) if w == row.workload && d == row.date => g,
                _ => {
                    let g = match self
                        .groups
                        .iter()
                        .position(|x| x.0 == row.workload && x.1 == row.date)
                    {
                        Some(g) => g,
                        None => {
                            self.groups.push((row.workload, row.date, 0));
                            self.groups.len() - 1
                        }
                    };
                    last = Some((row.workload, row.date, g));
                    g
                }
            };
            if let Some(x) = self.groups.get_mut(g) {
                x.2 += 1;
            }
            self.group_of.push(u32::try_from(g).unwrap_or(0));
        }
        // Counting sort of row indices by group, each group's rows keeping their order.
        let mut next: Vec<usize> = Vec::with_capacity(self.groups.len());
        let mut at = 0;
        for g in &self.groups {
            next.push(at);
            at += g.2;
        }
        self.order.clear();
        self.order.resize(self.rows.len(), 0);
        for (i, &g) in self.group_of.iter().enumerate() {
            if let Some(slot) = next.get_mut(g as usize) {
                if let Some(o) = self.order.get_mut(*slot) {
                    *o = u32::try_from(i).unwrap_or(0);
                }
                *slot += 1;
            }
        }
        let names = IdNames {
            provider: &self.provider.names,
            model: &self.model.names,
            prompt: &self.prompt.names,
        };
        let mut start = 0;
        for &(w, date, count) in &self.groups {
            let workload = self
                .workload
                .names
                .get(w as usize)
                .map_or("", String::as_str);
            let order = self.order.get(start..start + count).unwrap_or_default();
            into.day_mut(workload, date, count as u64)
                .add_batch(&self.rows, order, &names)?;
            start += count;
        }
        Ok(())
    }
}

/// One batch's columns as [`Columnar::read`] reads them.
pub(super) struct Read<'b> {
    pub(super) states: &'b [ColumnState],
    pub(super) slots: Slots,
    pub(super) rules: &'b RowRules,
    pub(super) columnar: &'b Columnar,
    pub(super) workload: &'b TextPages,
    pub(super) provider: &'b TextPages,
    pub(super) model: &'b TextPages,
    pub(super) prompt: Option<&'b TextPages>,
    pub(super) status: Option<&'b TextPages>,
    pub(super) gate: Option<&'b TextPages>,
    pub(super) escalated: Option<&'b TextPages>,
}

impl Read<'_> {
    /// Row `r`'s non-blank cell of `field`, as the row path would take it.
    #[inline]
    pub(super) fn cell(&self, field: CanonicalField, r: usize) -> Option<Cell<'_>> {
        let k = self.slots.get(field.index()).copied().flatten()?;
        let c = self.states.get(k)?.cell_at(r)?;
        (!c.is_blank()).then_some(c)
    }

    /// The state of `field`'s column.
    #[inline]
    pub(super) fn state(&self, field: CanonicalField) -> Option<&ColumnState> {
        self.states
            .get(self.slots.get(field.index()).copied().flatten()?)
    }

    /// Row `r`'s value of an integer column (`Some(None)` for a null), or `None` when the
    /// column holds another kind.
    #[inline]
    pub(super) fn int(&self, field: CanonicalField, r: usize) -> Option<Option<i64>> {
        let s = self.state(field)?;
        if s.kind != Kind::Int {
            return None;
        }
        let Some(i) = s.slot(r) else {
            return Some(None);
        };
        match &s.values {
            Values::I64(_, v) => v.get(i).map(|&v| Some(v)),
            Values::I32(_, v) => v.get(i).map(|&v| Some(i64::from(v))),
            _ => None,
        }
    }

    /// Row `r`'s token count in `field`, as [`whole`] reads it: `Some(None)` when absent, `None`
    /// when refused. Integer columns are read directly, others through their cells.
    #[inline]
    pub(super) fn tokens(&self, field: CanonicalField, r: usize) -> Option<Option<u64>> {
        match self.int(field, r) {
            Some(Some(v)) => u64::try_from(v).ok().filter(|&v| v <= MAX_TOKENS).map(Some),
            Some(None) => Some(None),
            None => self.parse(field, r, whole),
        }
    }

    /// Row `r`'s milliseconds in `field`, as [`millis`] reads them; DOUBLE columns directly.
    #[inline]
    pub(super) fn millis(&self, field: CanonicalField, r: usize) -> Option<Option<f64>> {
        if let Some(s) = self.state(field)
            && let Values::F64(_, v) = &s.values
        {
            let Some(i) = s.slot(r) else {
                return Some(None);
            };
            let v = *v.get(i)?;
            return (v.is_finite() && v >= 0.0).then_some(Some(v));
        }
        self.parse(field, r, millis)
    }

    /// Row `r`'s flag in `field` when its column is BOOLEAN, as [`flag`] reads it.
    #[inline]
    pub(super) fn flag(&self, field: CanonicalField, r: usize) -> Option<Option<bool>> {
        if let Some(s) = self.state(field)
            && let Values::Bool(_, v) = &s.values
        {
            return match s.slot(r) {
                None => Some(None),
                Some(i) => v.get(i).map(|&b| Some(b)),
            };
        }
        self.parse(field, r, flag)
    }

    /// Row `r`'s amount in `field`, as [`money`] reads it; integer DECIMAL columns directly.
    #[inline]
    pub(super) fn money(&self, field: CanonicalField, r: usize) -> Option<Option<Decimal>> {
        if let Some(s) = self.state(field)
            && let Kind::Decimal(scale) = s.kind
        {
            let Some(i) = s.slot(r) else {
                return Some(None);
            };
            let v = match &s.values {
                Values::I64(_, v) => *v.get(i)?,
                Values::I32(_, v) => i64::from(*v.get(i)?),
                _ => return None,
            };
            // A scale the decimal type cannot hold leaves the batch to the row path.
            let d = Decimal::try_new(v, scale).ok()?;
            return (!d.is_sign_negative() || d.is_zero()).then_some(Some(d));
        }
        self.parse(field, r, money)
    }

    /// Whether row `r` has text in `field`; `None` when it is not text.
    #[inline]
    pub(super) fn text(&self, field: CanonicalField, r: usize) -> Option<bool> {
        // Text read by pages is checked in place, the way `as_text` checks a cell: non-blank
        // after trimming, and UTF-8 (dictionary entries were checked when loaded).
        if let Some(s) = self.state(field)
            && let Values::Pages(p) = &s.values
        {
            return match *p.refs.get(r)? {
                TextRef::Null => Some(false),
                TextRef::Dict(i) => p.entry(i as usize).map(|t| !t.trim_ascii().is_empty()),
                TextRef::Plain { page, start, end } => {
                    let b = p
                        .held
                        .get(page as usize)?
                        .buffer()
                        .get(start as usize..end as usize)?
                        .trim_ascii();
                    if b.is_empty() {
                        Some(false)
                    } else {
                        std::str::from_utf8(b).ok().map(|_| true)
                    }
                }
            };
        }
        match self.cell(field, r) {
            None => Some(false),
            Some(c) => as_text(c).ok().map(|_| true),
        }
    }

    /// Row `r`'s parsed `field`: `Some(None)` when absent, `None` when `parse` refuses it.
    #[inline]
    pub(super) fn parse<T>(
        &self,
        field: CanonicalField,
        r: usize,
        parse: impl FnOnce(Cell<'_>) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.cell(field, r) {
            None => Some(None),
            Some(c) => parse(c).ok().map(Some),
        }
    }

    /// Row `r` counted, or `None` when the row path would refuse it: the same checks as
    /// [`build_row`], in terms of typed values and dictionary entries. With `quick`, also the
    /// quick set's key of its request id and attempt (else 0), so the id is read once.
    #[inline]
    pub(super) fn row(&self, r: usize, row: u64, quick: bool) -> Option<(IdRow, u64)> {
        use CanonicalField as F;
        let c = self.columnar;
        let id = |cache: &EntryCache<bool>, pages: &TextPages| match cache.row(pages, r)? {
            Some((i, true)) => Some(Some(i)),
            _ => Some(None),
        };
        // Non-blank UTF-8 text, as `text` checks it.
        let request_id = self.cell(F::RequestId, r).and_then(|c| as_text(c).ok())?;
        let Some(Cell::Time(timestamp)) = self.cell(F::Timestamp, r) else {
            return None;
        };
        let workload = id(&c.workload, self.workload)??;
        self.text(F::Scenario, r)?;
        self.text(F::Route, r)?;
        let provider = id(&c.provider, self.provider)??;
        let model = id(&c.model, self.model)??;
        let prompt = match self.prompt {
            Some(p) => id(&c.prompt, p)?.unwrap_or(NO_NAME),
            None => NO_NAME,
        };
        let input = self.tokens(F::InputTokens, r)??;
        let cache_read = self.tokens(F::CacheReadTokens, r)?;
        let write_5m = self.tokens(F::CacheWrite5mTokens, r)?.unwrap_or(0);
        let write_1h = self.tokens(F::CacheWrite1hTokens, r)?.unwrap_or(0);
        let output = self.tokens(F::OutputTokens, r)??;
        let reasoning = self.tokens(F::ReasoningTokens, r)?;
        let uncached_input = match self.rules.convention {
            UsageConvention::AnthropicExclusive => input,
            UsageConvention::OpenaiInclusive => {
                if cache_read.is_some_and(|read| read > input) {
                    return None;
                }
                input.checked_sub(cache_read.unwrap_or(0) + write_5m + write_1h)?
            }
        };
        let output = match reasoning {
            Some(v) if self.rules.reasoning_in_output => output.checked_sub(v)?,
            _ => output,
        };
        let usage = TokenUsage {
            uncached_input,
            cache_read: cache_read.unwrap_or(0),
            cache_write_5m: write_5m,
            cache_write_1h: write_1h,
            output,
            reasoning: reasoning.unwrap_or(0),
        };
        let ttft_ms = self.millis(F::TtftMs, r)?;
        let reported_tpot = self.millis(F::TpotMs, r)?;
        let e2e_ms = self.millis(F::E2eMs, r)?;
        if let (Some(ttft), Some(e2e)) = (ttft_ms, e2e_ms)
            && e2e < ttft
        {
            return None;
        }
        let generated = usage.generated_total();
        let tpot_ms = reported_tpot.or(match (ttft_ms, e2e_ms) {
            (Some(ttft), Some(e2e)) if generated > 1 => Some((e2e - ttft) / (generated - 1) as f64),
            _ => None,
        });
        let status = match self.status {
            Some(p) => c.status.row(p, r)?.map_or(Status::Ok, |(_, v)| v),
            None => Status::Ok,
        };
        let attempt = match self.tokens(F::Attempt, r)? {
            Some(v) => u32::try_from(v).ok()?,
            None => 0,
        };
        let retry_of = self.text(F::RetryOf, r)?;
        let gate = match self.gate {
            Some(p) => c.gate.row(p, r)?.map_or(GateResult::Unknown, |(_, v)| v),
            None => self.parse(F::QualityGate, r, verdict)?.unwrap_or_default(),
        };
        let escalated = match self.escalated {
            Some(p) => c.escalated.row(p, r)?.is_some_and(|(_, v)| v),
            None => self.flag(F::Escalated, r)?.unwrap_or(false),
        };
        let reported_cost = self.money(F::ReportedCost, r)?;
        let key = if quick {
            key_hash(&request_id, attempt)
        } else {
            0
        };
        let row = IdRow {
            row,
            workload,
            date: timestamp.date,
            provider,
            model,
            prompt,
            usage,
            ttft_ms,
            tpot_ms,
            e2e_ms,
            status,
            gate,
            retry: attempt > 0 || retry_of,
            escalated,
            reported_cost,
            duplicate: false,
        };
        Some((row, key))
    }

    /// Whether row `r` (taken as `row`) repeats an earlier attempt exactly, with the same
    /// canonical values the row path would build (the full set; the quick one takes keys).
    fn is_duplicate(
        &self,
        r: usize,
        row: &IdRow,
        seen: &mut SeenHandle,
    ) -> Result<bool, ImportError> {
        use CanonicalField as F;
        let text = |f: F| self.cell(f, r).and_then(|c| as_text(c).ok());
        let (request_id, timestamp) = match (text(F::RequestId), self.cell(F::Timestamp, r)) {
            (Some(id), Some(Cell::Time(t))) => (id, t),
            _ => return Ok(false),
        };
        let attempt = match self.tokens(F::Attempt, r) {
            Some(Some(v)) => u32::try_from(v).unwrap_or(u32::MAX),
            _ => 0,
        };
        let texts = [
            text(F::Workload),
            text(F::Scenario),
            text(F::Route),
            text(F::Provider),
            text(F::Model),
            text(F::PromptVersion),
            text(F::RetryOf),
        ];
        let values = RowValues {
            request_id: &request_id,
            attempt,
            timestamp,
            texts: texts.each_ref().map(|t| t.as_deref()),
            usage: row.usage,
            millis: [row.ttft_ms, row.tpot_ms, row.e2e_ms],
            status: row.status,
            gate: row.gate,
            escalated: row.escalated,
            reported_cost: row.reported_cost,
        };
        Ok(seen.check(&values, row.row)? == Verdict::Exact)
    }
}
