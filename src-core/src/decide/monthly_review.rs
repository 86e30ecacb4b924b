//! Monthly review: LCPR by workload, this month against last, and the driver of each change.
//!
//! A month of one workload is described by a handful of plain numbers ([`MonthInputs`]), and
//! its LCPR is
//!
//! ```text
//! inference per request = (input tokens × ((1 − h) × input price + h × cached price)
//!                          + output tokens × output price) ÷ 1,000,000
//! LCPR = (requests × inference per request + eval + human + ops) ÷ (requests × accepted share)
//! ```
//!
//! with `h` the cache hit rate on input tokens and prices in $/M tokens (a cached price of 0
//! means the route has no cache-read rate: cached tokens pay the input price). Eval, human and
//! ops are the month's totals; they do not scale with requests, which is what gives volume an
//! effect (more requests spread them thinner).
//!
//! The change in LCPR is split into five effects, each a group of inputs:
//! volume (requests), token mix (input and output tokens per request), cache (hit rate),
//! acceptance (accepted share) and price (the three token prices and the eval, human and ops
//! totals: what each unit of work costs). The split is the Shapley value of the five groups:
//! each group's effect is its marginal change in LCPR when it is switched from last month's
//! values to this month's, averaged over all 120 orders in which the groups can be switched
//! (computed over the 32 subsets with weights |S|!(4 − |S|)!/5!). A one-order sequential
//! substitution would hand every interaction (a price rise on fewer accepted outputs) to
//! whichever group came later; averaging over orders is symmetric, and the five effects add up
//! exactly to the total change (to floating-point error). A group whose inputs did not change
//! has an effect of exactly 0.
//!
//! The model is rates × volumes evaluated 32 times per workload, so it runs in f64 (see
//! [`crate::money`]); prices and costs are typed as Decimal and converted once.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::document::{SectionRules, Workspace};
use crate::error::{InputError, InputResult, fraction, non_negative, non_negative_money};
use crate::money;

const PER_M: f64 = 1_000_000.0;

use crate::document::monthly_review::{MonthInputs, MonthlyReviewInput, WorkloadMonths};

/// One of the five effects an LCPR change is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// Requests served.
    Volume,
    /// Input and output tokens per request.
    TokenMix,
    /// Cache hit rate.
    Cache,
    /// Accepted share of requests.
    Acceptance,
    /// Token prices and the eval, human and ops totals.
    Price,
}

impl Driver {
    /// Every driver, in the order effects are listed (and ties are broken).
    pub const ALL: [Self; 5] = [
        Self::Volume,
        Self::TokenMix,
        Self::Cache,
        Self::Acceptance,
        Self::Price,
    ];

    /// The driver's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Volume => "volume",
            Self::TokenMix => "token_mix",
            Self::Cache => "cache",
            Self::Acceptance => "acceptance",
            Self::Price => "price",
        }
    }
}

/// The change in LCPR split into the five effects, dollars per accepted output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Effects {
    /// From requests.
    pub volume: f64,
    /// From tokens per request.
    pub token_mix: f64,
    /// From the cache hit rate.
    pub cache: f64,
    /// From the accepted share.
    pub acceptance: f64,
    /// From prices and monthly costs.
    pub price: f64,
}

impl Effects {
    /// The effect of one driver.
    #[must_use]
    pub fn get(&self, driver: Driver) -> f64 {
        match driver {
            Driver::Volume => self.volume,
            Driver::TokenMix => self.token_mix,
            Driver::Cache => self.cache,
            Driver::Acceptance => self.acceptance,
            Driver::Price => self.price,
        }
    }

    fn get_mut(&mut self, driver: Driver) -> &mut f64 {
        match driver {
            Driver::Volume => &mut self.volume,
            Driver::TokenMix => &mut self.token_mix,
            Driver::Cache => &mut self.cache,
            Driver::Acceptance => &mut self.acceptance,
            Driver::Price => &mut self.price,
        }
    }

    /// The five added up: the total change.
    #[must_use]
    pub fn total(&self) -> f64 {
        Driver::ALL.iter().map(|&d| self.get(d)).sum()
    }

    /// The effect with the largest absolute size (the first in [`Driver::ALL`] order on a
    /// tie); `None` when every effect is 0.
    #[must_use]
    pub fn primary(&self) -> Option<Driver> {
        let mut best: Option<(Driver, f64)> = None;
        for driver in Driver::ALL {
            let size = self.get(driver).abs();
            if size > best.map_or(0.0, |(_, b)| b) {
                best = Some((driver, size));
            }
        }
        best.map(|(driver, _)| driver)
    }
}

/// One line of the review table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRow {
    /// Workload name.
    pub workload: String,
    /// LCPR of the month under review.
    pub lcpr_this_month: f64,
    /// LCPR of the previous month.
    pub lcpr_last_month: f64,
    /// This − last.
    pub delta: f64,
    /// Delta ÷ last, as a fraction; `None` when last month's LCPR was 0.
    pub delta_pct: Option<f64>,
    /// The delta split into five effects.
    pub effects: Effects,
    /// The effect with the largest absolute contribution; `None` when nothing changed.
    pub primary_driver: Option<Driver>,
    /// The primary driver in plain words, with its share of the delta.
    pub explanation: String,
}

/// The review table, rows sorted by absolute delta, largest first (input order on ties).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyReview {
    /// One row per workload.
    pub rows: Vec<ReviewRow>,
}

/// A validated month in f64.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Month {
    requests: f64,
    input_tokens: f64,
    output_tokens: f64,
    hit_rate: f64,
    accepted_share: f64,
    input_price: f64,
    cached_price: f64,
    output_price: f64,
    monthly_costs: f64,
}

impl Month {
    fn new(m: &MonthInputs) -> InputResult<Self> {
        if !(m.requests.is_finite() && m.requests > 0.0) {
            return Err(InputError::new(
                "requests",
                format!("must be > 0, got {}", m.requests),
            ));
        }
        non_negative("input_tokens_per_request", m.input_tokens_per_request)?;
        non_negative("output_tokens_per_request", m.output_tokens_per_request)?;
        fraction("cache_hit_rate", m.cache_hit_rate)?;
        fraction("accepted_share", m.accepted_share)?;
        if m.accepted_share == 0.0 {
            return Err(InputError::new(
                "accepted_share",
                "must be > 0 (LCPR divides by accepted outputs), got 0",
            ));
        }
        for (field, value) in [
            ("input_price_per_m", m.input_price_per_m),
            ("cached_input_price_per_m", m.cached_input_price_per_m),
            ("output_price_per_m", m.output_price_per_m),
            ("eval_cost", m.eval_cost),
            ("human_cost", m.human_cost),
            ("ops_cost", m.ops_cost),
        ] {
            non_negative_money(field, value)?;
        }
        let input_price = money::to_f64(m.input_price_per_m);
        let cached = money::to_f64(m.cached_input_price_per_m);
        Ok(Self {
            requests: m.requests,
            input_tokens: m.input_tokens_per_request,
            output_tokens: m.output_tokens_per_request,
            hit_rate: m.cache_hit_rate,
            accepted_share: m.accepted_share,
            input_price,
            cached_price: if cached > 0.0 { cached } else { input_price },
            output_price: money::to_f64(m.output_price_per_m),
            monthly_costs: money::to_f64(m.eval_cost)
                + money::to_f64(m.human_cost)
                + money::to_f64(m.ops_cost),
        })
    }

    fn lcpr(&self) -> f64 {
        let h = self.hit_rate;
        let per_request = (self.input_tokens
            * ((1.0 - h) * self.input_price + h * self.cached_price)
            + self.output_tokens * self.output_price)
            / PER_M;
        (self.requests * per_request + self.monthly_costs) / (self.requests * self.accepted_share)
    }

    /// Last month with the groups in `mask` (bit i = `Driver::ALL[i]`) taken from `this`.
    fn mixed(last: &Self, this: &Self, mask: usize) -> Self {
        let from = |driver: Driver| {
            let bit = Driver::ALL
                .iter()
                .position(|&d| d == driver)
                .map_or(0, |i| 1 << i);
            if mask & bit != 0 { this } else { last }
        };
        let (volume, mix, cache, acceptance, price) = (
            from(Driver::Volume),
            from(Driver::TokenMix),
            from(Driver::Cache),
            from(Driver::Acceptance),
            from(Driver::Price),
        );
        Self {
            requests: volume.requests,
            input_tokens: mix.input_tokens,
            output_tokens: mix.output_tokens,
            hit_rate: cache.hit_rate,
            accepted_share: acceptance.accepted_share,
            input_price: price.input_price,
            cached_price: price.cached_price,
            output_price: price.output_price,
            monthly_costs: price.monthly_costs,
        }
    }
}

/// LCPR of one month under the module's model.
pub fn monthly_lcpr(month: &MonthInputs) -> InputResult<f64> {
    Month::new(month).map(|m| m.lcpr())
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Shapley split of `f(this) − f(last)` over the five driver groups.
fn shapley(last: &Month, this: &Month) -> Effects {
    let n = Driver::ALL.len();
    let subsets = 1usize << n;
    let values: Vec<f64> = (0..subsets)
        .map(|mask| Month::mixed(last, this, mask).lcpr())
        .collect();
    let value = |mask: usize| values.get(mask).copied().unwrap_or(f64::NAN);
    let mut effects = Effects::default();
    for (i, &driver) in Driver::ALL.iter().enumerate() {
        let bit = 1usize << i;
        let mut effect = 0.0;
        for mask in (0..subsets).filter(|m| m & bit == 0) {
            let size = mask.count_ones() as usize;
            let weight = factorial(size) * factorial(n - size - 1) / factorial(n);
            effect += weight * (value(mask | bit) - value(mask));
        }
        *effects.get_mut(driver) = effect;
    }
    effects
}

/// Reviews one workload: both LCPRs, the delta, its five effects and the explanation.
pub fn review_workload(workload: &WorkloadMonths) -> InputResult<ReviewRow> {
    let last = Month::new(&workload.last_month).map_err(|e| e.within("last_month"))?;
    let this = Month::new(&workload.this_month).map_err(|e| e.within("this_month"))?;
    let (lcpr_last, lcpr_this) = (last.lcpr(), this.lcpr());
    let delta = lcpr_this - lcpr_last;
    let effects = shapley(&last, &this);
    let primary_driver = effects.primary();
    let explanation = match primary_driver {
        Some(driver) => {
            let decimals = money_decimals(delta.abs().max(effects.get(driver).abs()));
            format!(
                "{}: {} of the {} change in LCPR",
                describe(driver, &workload.last_month, &workload.this_month),
                signed_usd(effects.get(driver), decimals),
                signed_usd(delta, decimals),
            )
        }
        None => "No input changed; LCPR is unchanged".to_owned(),
    };
    Ok(ReviewRow {
        workload: workload.workload.clone(),
        lcpr_this_month: lcpr_this,
        lcpr_last_month: lcpr_last,
        delta,
        delta_pct: (lcpr_last > 0.0).then(|| delta / lcpr_last),
        effects,
        primary_driver,
        explanation,
    })
}

/// Builds the review table.
pub fn monthly_review(input: &MonthlyReviewInput) -> InputResult<MonthlyReview> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rows = Vec::with_capacity(input.workloads.len());
    for (i, workload) in input.workloads.iter().enumerate() {
        let prefix = format!("workloads[{i}]");
        if workload.workload.is_empty() {
            return Err(InputError::new("workload", "must not be empty").within(&prefix));
        }
        if let Some(first) = seen.insert(&workload.workload, i) {
            return Err(InputError::new(
                "workload",
                format!(
                    "must be unique; `{}` is also workloads[{first}].workload",
                    workload.workload
                ),
            )
            .within(&prefix));
        }
        rows.push(review_workload(workload).map_err(|e| e.within(&prefix))?);
    }
    // Stable: equal deltas keep their input order.
    rows.sort_by(|a, b| b.delta.abs().total_cmp(&a.delta.abs()));
    Ok(MonthlyReview { rows })
}

/// Decimals that show `magnitude` to three significant digits once rounded (2 to 8).
fn money_decimals(magnitude: f64) -> usize {
    // Tested on the rounded value, so 0.000999… (a float for 0.001) reads as 0.00100.
    (2..=8)
        .find(|&d| magnitude * 10f64.powi(d) >= 99.95)
        .map_or(8, |d| d as usize)
}

/// Dollars with an explicit sign: `+$0.0120`, `-$0.0030`, `$0.00`.
fn signed_usd(value: f64, decimals: usize) -> String {
    let text = money::format_usd(value, decimals);
    let nonzero = text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if value > 0.0 && nonzero {
        format!("+{text}")
    } else {
        text
    }
}

/// A number with thousands separators and at most one decimal: `125,000`, `812.5`.
fn number(value: f64) -> String {
    // format_usd already groups thousands; the dollar sign is dropped.
    let text = money::format_usd(value, 1).replacen('$', "", 1);
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// At most one decimal, trailing zero dropped: `20`, `2.5`.
fn short(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

fn direction(last: f64, this: f64) -> &'static str {
    if this > last { "rose" } else { "fell" }
}

/// "Requests rose 25% (100,000 → 125,000)".
fn relative(label: &str, last: f64, this: f64) -> String {
    if last > 0.0 {
        format!(
            "{label} {} {}% ({} → {})",
            direction(last, this),
            short(((this - last) / last * 100.0).abs()),
            number(last),
            number(this)
        )
    } else {
        format!(
            "{label} {} ({} → {})",
            direction(last, this),
            number(last),
            number(this)
        )
    }
}

/// "Cache hit rate fell 20 pp (70% → 50%)".
fn points(label: &str, last: f64, this: f64) -> String {
    format!(
        "{label} {} {} pp ({}% → {}%)",
        direction(last, this),
        short(((this - last) * 100.0).abs()),
        short(last * 100.0),
        short(this * 100.0)
    )
}

fn dollars(value: Decimal) -> String {
    let amount = money::to_f64(value);
    money::format_usd(amount, if amount.fract() == 0.0 { 0 } else { 2 })
}

fn describe(driver: Driver, last: &MonthInputs, this: &MonthInputs) -> String {
    match driver {
        Driver::Volume => relative("Requests", last.requests, this.requests),
        Driver::TokenMix => {
            let mut parts = Vec::new();
            if last.input_tokens_per_request != this.input_tokens_per_request {
                parts.push(relative(
                    "Input tokens per request",
                    last.input_tokens_per_request,
                    this.input_tokens_per_request,
                ));
            }
            if last.output_tokens_per_request != this.output_tokens_per_request {
                parts.push(relative(
                    "Output tokens per request",
                    last.output_tokens_per_request,
                    this.output_tokens_per_request,
                ));
            }
            parts.join("; ")
        }
        Driver::Cache => points("Cache hit rate", last.cache_hit_rate, this.cache_hit_rate),
        Driver::Acceptance => points("Accepted share", last.accepted_share, this.accepted_share),
        Driver::Price => {
            // Prices scaled to an invoice carry many digits; four are what a price list shows.
            let per_m = |p: Decimal| format!("${}/M", p.round_dp(4).normalize());
            let mut parts = Vec::new();
            for (label, a, b) in [
                ("input", last.input_price_per_m, this.input_price_per_m),
                (
                    "cached input",
                    last.cached_input_price_per_m,
                    this.cached_input_price_per_m,
                ),
                ("output", last.output_price_per_m, this.output_price_per_m),
            ] {
                if a != b {
                    parts.push(format!("{label} {} → {}", per_m(a), per_m(b)));
                }
            }
            for (label, a, b) in [
                ("eval", last.eval_cost, this.eval_cost),
                ("human", last.human_cost, this.human_cost),
                ("ops", last.ops_cost, this.ops_cost),
            ] {
                if a != b {
                    parts.push(format!("{label} {} → {}", dollars(a), dollars(b)));
                }
            }
            format!("Prices changed ({})", parts.join("; "))
        }
    }
}

/// The section is valid when the review can be computed and each row is a workload of the
/// workspace (by name or id): a review of a workload the case does not have is not its review.
impl SectionRules for MonthlyReviewInput {
    fn check(&self, ws: &Workspace) -> InputResult<()> {
        for (i, row) in self.workloads.iter().enumerate() {
            if workload_of_row(ws, &row.workload).is_none() {
                let names: Vec<&str> = ws.workloads.iter().map(|w| w.name.as_str()).collect();
                return Err(InputError::new(
                    format!("workloads[{i}].workload"),
                    format!(
                        "names no workload of this workspace ({}), got {:?}: review only the \
                         workloads the case has",
                        names.join(", "),
                        row.workload
                    ),
                ));
            }
        }
        monthly_review(self).map(|_| ())
    }
}

fn workload_of_row<'a>(ws: &'a Workspace, name: &str) -> Option<&'a crate::document::Workload> {
    ws.workloads.iter().find(|w| w.name == name || w.id == name)
}

/// Where a review row's two months come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MonthsSource {
    /// The workload's two latest reconciliations.
    Reconciliations {
        /// The earlier period's reconciliation.
        last: String,
        /// The later period's.
        this: String,
    },
    /// The `monthly_review` section's typed figures (no two reconciliations to take them from).
    Typed,
}

/// The workspace's review: each row and where its months come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkspaceReview {
    /// The table, as [`monthly_review`] sorts it.
    pub review: MonthlyReview,
    /// Per workload name, the source of its months, and that source in a sentence.
    pub sources: Vec<(String, MonthsSource, String)>,
}

impl WorkspaceReview {
    /// A row's source sentence.
    #[must_use]
    pub fn source_of(&self, workload: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|(w, _, _)| w == workload)
            .map(|(_, _, s)| s.as_str())
    }
}

/// The share of input read from cache that the workload's latest baseline captured within a
/// period measured.
fn period_cache(
    ws: &Workspace,
    workload: &str,
    r: &crate::document::Reconciliation,
) -> Option<f64> {
    ws.baselines
        .iter()
        .filter(|b| {
            b.workload == workload
                && b.captured_on >= r.period.start
                && b.captured_on <= r.period.end
        })
        .max_by_key(|b| b.captured_on)
        .map(|b| b.metrics.cache_hit_rate)
}

/// One reconciled period as a review month. Requests are the period's attempts, the accepted
/// share its accepted ÷ attempts, eval, human and ops its own totals; the token shape is the
/// workload's, the cache hit the share of input a baseline in the period read from cache
/// (`measured_cache`, else the workload's rate over its prefix share); prices are the current route's
/// effective rates scaled so the month's inference equals the invoice net of disputes. The
/// month's LCPR is then the reconciled LCPR exactly.
fn reconciled_month(
    ws: &Workspace,
    w: &crate::document::Workload,
    r: &crate::document::Reconciliation,
    measured_cache: Option<f64>,
) -> InputResult<MonthInputs> {
    let at = |e: InputError| e.within(&format!("reconciliation {}", r.id));
    let input = crate::document::validate::reconciliation_input(r);
    let attempts = money::to_f64(input.total_attempts);
    let accepted = money::to_f64(input.accepted_units);
    if attempts <= 0.0 || accepted <= 0.0 {
        return Err(at(InputError::new(
            "accepted",
            "must be > 0 to review the period",
        )));
    }
    let input_tokens = w.tokens.stable_prefix + w.tokens.dynamic_tail;
    let output_tokens = w.tokens.output;
    let cache_hit_rate = match measured_cache {
        Some(h) => h,
        None if input_tokens > 0.0 => w.cache_hit_rate * w.tokens.stable_prefix / input_tokens,
        None => 0.0,
    };
    let card = ws
        .scenarios
        .iter()
        .find(|s| s.workload == w.id && s.status == crate::document::ScenarioStatus::Current)
        .and_then(|s| ws.route(&s.route))
        .and_then(|route| ws.rate_card(&route.rate_card));
    let rates = card.map(crate::document::effective_rates).transpose()?;
    let price = |d: Option<Decimal>| d.map_or(1.0, money::to_f64);
    let (mut p_in, mut p_cached, mut p_out) = match &rates {
        Some(r) if r.input_per_m.is_some() => (
            price(r.input_per_m),
            r.cached_input_per_m
                .map_or(price(r.input_per_m), money::to_f64),
            price(r.output_per_m),
        ),
        // A GPU route has no token prices: one rate for every token carries the invoice.
        _ => (1.0, 1.0, 1.0),
    };
    let per_request = (input_tokens * ((1.0 - cache_hit_rate) * p_in + cache_hit_rate * p_cached)
        + output_tokens * p_out)
        / PER_M;
    let inference = money::to_f64(input.invoice_amount);
    if per_request > 0.0 {
        let k = inference / (attempts * per_request);
        p_in *= k;
        p_cached *= k;
        p_out *= k;
    }
    let dec = |v: f64, field: &str| {
        money::from_f64(v)
            .ok_or_else(|| at(InputError::new(field, format!("is not an amount: {v}"))))
    };
    Ok(MonthInputs {
        requests: attempts,
        input_tokens_per_request: input_tokens,
        output_tokens_per_request: output_tokens,
        cache_hit_rate,
        accepted_share: accepted / attempts,
        input_price_per_m: dec(p_in, "input_price_per_m")?,
        cached_input_price_per_m: dec(p_cached, "cached_input_price_per_m")?,
        output_price_per_m: dec(p_out, "output_price_per_m")?,
        eval_cost: input.eval_cost,
        human_cost: input.human_cost,
        ops_cost: input.ops_cost,
    })
}

/// The workspace's monthly review: a workload with two reconciled periods is reviewed from
/// its two latest; one without takes its typed `monthly_review` row, marked as typed. `None`
/// when no workload has either.
pub fn workspace_review(ws: &Workspace) -> InputResult<Option<WorkspaceReview>> {
    let mut months = Vec::new();
    let mut sources = Vec::new();
    for w in &ws.workloads {
        let mut recs: Vec<&crate::document::Reconciliation> = ws
            .reconciliations
            .iter()
            .filter(|r| r.workload == w.id)
            .collect();
        recs.sort_by_key(|r| (r.period.end, r.period.start));
        let typed = ws.monthly_review.as_ref().and_then(|m| {
            m.workloads
                .iter()
                .find(|row| workload_of_row(ws, &row.workload).is_some_and(|x| x.id == w.id))
        });
        if let [.., last, this] = recs.as_slice() {
            // Both periods' cache from baselines, or both from the workload: one measured and
            // one typed would show their difference as a change in the cache.
            let (c_last, c_this) =
                match (period_cache(ws, &w.id, last), period_cache(ws, &w.id, this)) {
                    (Some(a), Some(b)) => (Some(a), Some(b)),
                    _ => (None, None),
                };
            months.push(WorkloadMonths {
                workload: w.name.clone(),
                last_month: reconciled_month(ws, w, last, c_last)?,
                this_month: reconciled_month(ws, w, this, c_this)?,
            });
            sources.push((
                w.name.clone(),
                MonthsSource::Reconciliations {
                    last: last.id.clone(),
                    this: this.id.clone(),
                },
                format!(
                    "from reconciliations {} ({} to {}) and {} ({} to {}); token shape {}from the \
                     workload, prices scaled to each period's invoice net of disputes{}",
                    last.id,
                    last.period.start,
                    last.period.end,
                    this.id,
                    this.period.start,
                    this.period.end,
                    if c_last.is_some() {
                        ""
                    } else {
                        "and cache hit "
                    },
                    if typed.is_some() {
                        "; the typed review figures for this workload are not used"
                    } else {
                        ""
                    }
                ),
            ));
        } else if let Some(row) = typed {
            months.push(WorkloadMonths {
                workload: w.name.clone(),
                ..row.clone()
            });
            sources.push((
                w.name.clone(),
                MonthsSource::Typed,
                format!(
                    "typed review figures: the workspace has {} reconciliation(s) of this \
                     workload, and a review from evidence needs two periods",
                    recs.len()
                ),
            ));
        }
    }
    if months.is_empty() {
        return Ok(None);
    }
    let review = monthly_review(&MonthlyReviewInput { workloads: months })?;
    Ok(Some(WorkspaceReview { review, sources }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 + 1e-9 * b.abs()
    }

    /// 1,000 requests of 1,000 in / 500 out at $2/M and $10/M, all accepted, no fixed costs.
    fn plain() -> MonthInputs {
        MonthInputs {
            requests: 1000.0,
            input_tokens_per_request: 1000.0,
            output_tokens_per_request: 500.0,
            cache_hit_rate: 0.0,
            accepted_share: 1.0,
            input_price_per_m: d("2"),
            cached_input_price_per_m: Decimal::ZERO,
            output_price_per_m: d("10"),
            eval_cost: Decimal::ZERO,
            human_cost: Decimal::ZERO,
            ops_cost: Decimal::ZERO,
        }
    }

    /// 100,000 requests of 2,000 in / 200 out, 70% cache hits, 90% accepted, $900 evals.
    fn rag() -> MonthInputs {
        MonthInputs {
            requests: 100_000.0,
            input_tokens_per_request: 2000.0,
            output_tokens_per_request: 200.0,
            cache_hit_rate: 0.7,
            accepted_share: 0.9,
            input_price_per_m: d("3"),
            cached_input_price_per_m: d("0.3"),
            output_price_per_m: d("15"),
            eval_cost: d("900"),
            human_cost: Decimal::ZERO,
            ops_cost: Decimal::ZERO,
        }
    }

    fn row(name: &str, last: MonthInputs, this: MonthInputs) -> ReviewRow {
        review_workload(&WorkloadMonths {
            workload: name.into(),
            last_month: last,
            this_month: this,
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn lcpr_of_a_month() {
        // Input 2,000 × (0.3 × $3 + 0.7 × $0.3)/1e6 = $0.00222; output 200 × $15/1e6 = $0.003;
        // (100,000 × 0.00522 + 900) ÷ 90,000 = 1,422 ÷ 90,000 = $0.0158.
        let lcpr = monthly_lcpr(&rag()).unwrap_or_else(|e| panic!("{e}"));
        assert!(close(lcpr, 0.0158), "{lcpr}");
        // No cache-read rate: cached tokens pay the input price.
        let mut m = rag();
        m.cached_input_price_per_m = Decimal::ZERO;
        // (2,000 × 3 + 200 × 15)/1e6 = 0.009; (900 + 900) ÷ 90,000 = 0.02.
        assert!(monthly_lcpr(&m).is_ok_and(|v| close(v, 0.02)));
    }

    #[test]
    fn only_price_changes_so_all_change_is_price() {
        let mut this = plain();
        this.output_price_per_m = d("8");
        let r = row("support", plain(), this);
        // (1,000 × 2 + 500 × 10)/1e6 = 0.007 → (2,000 + 4,000)/1e6 = 0.006.
        assert!(close(r.delta, -0.001));
        assert!(close(r.effects.price, -0.001));
        for driver in [
            Driver::Volume,
            Driver::TokenMix,
            Driver::Cache,
            Driver::Acceptance,
        ] {
            assert_eq!(r.effects.get(driver), 0.0, "{}", driver.name());
        }
        assert_eq!(r.primary_driver, Some(Driver::Price));
        assert_eq!(
            r.explanation,
            "Prices changed (output $10/M → $8/M): -$0.00100 of the -$0.00100 change in LCPR"
        );
    }

    #[test]
    fn cache_drop_alone() {
        let mut this = rag();
        this.cache_hit_rate = 0.5;
        let r = row("rag", rag(), this);
        // Input cost 2,000 × (0.5 × 3 + 0.5 × 0.3)/1e6 = 0.0033; (630 + 900) ÷ 90,000 = 0.017.
        assert!(close(r.lcpr_this_month, 0.017));
        assert!(close(r.effects.cache, 0.0012));
        assert_eq!(r.primary_driver, Some(Driver::Cache));
        assert_eq!(
            r.explanation,
            "Cache hit rate fell 20 pp (70% → 50%): +$0.00120 of the +$0.00120 change in LCPR"
        );
    }

    #[test]
    fn volume_outweighs_a_cache_drop() {
        let mut this = rag();
        this.cache_hit_rate = 0.5;
        this.requests = 125_000.0;
        let r = row("rag", rag(), this);
        // f(last) = 0.0158; f(cache) = 0.017; f(volume) = (652.5 + 900) ÷ 112,500 = 0.0138;
        // f(both) = (787.5 + 900) ÷ 112,500 = 0.015.
        // cache = ½[(0.017 − 0.0158) + (0.015 − 0.0138)] = +0.0012;
        // volume = ½[(0.0138 − 0.0158) + (0.015 − 0.017)] = −0.002; sum −0.0008.
        assert!(close(r.delta, -0.0008));
        assert!(close(r.effects.cache, 0.0012));
        assert!(close(r.effects.volume, -0.002));
        assert_eq!(r.primary_driver, Some(Driver::Volume));
        assert_eq!(
            r.explanation,
            "Requests rose 25% (100,000 → 125,000): -$0.00200 of the -$0.00080 change in LCPR"
        );
    }

    #[test]
    fn interaction_is_shared_between_the_drivers() {
        // 1,000 output tokens a request at $10/M → $12/M; accepted share 1.0 → 0.8.
        let mut last = plain();
        last.input_tokens_per_request = 0.0;
        last.output_tokens_per_request = 1000.0;
        let mut this = last.clone();
        this.output_price_per_m = d("12");
        this.accepted_share = 0.8;
        let r = row("agent", last, this);
        // f(∅) = 0.01, f(price) = 0.012, f(acceptance) = 0.0125, f(both) = 0.015.
        // price = ½[(0.012 − 0.01) + (0.015 − 0.0125)] = 0.00225;
        // acceptance = ½[(0.0125 − 0.01) + (0.015 − 0.012)] = 0.00275.
        assert!(close(r.effects.price, 0.00225));
        assert!(close(r.effects.acceptance, 0.00275));
        assert!(close(r.delta_pct.unwrap_or_default(), 0.5));
        assert_eq!(r.primary_driver, Some(Driver::Acceptance));
        assert!(
            r.explanation
                .starts_with("Accepted share fell 20 pp (100% → 80%)")
        );
    }

    #[test]
    fn token_mix_names_the_tokens_that_moved() {
        let mut this = plain();
        this.output_tokens_per_request = 560.0;
        let r = row("chat", plain(), this);
        // 60 more output tokens × $10/M = +$0.0006.
        assert!(close(r.effects.token_mix, 0.0006));
        assert!(
            r.explanation
                .starts_with("Output tokens per request rose 12% (500 → 560)"),
            "{}",
            r.explanation
        );
    }

    #[test]
    fn nothing_changed() {
        let r = row("idle", plain(), plain());
        assert_eq!(r.primary_driver, None);
        assert_eq!(r.delta, 0.0);
        assert_eq!(r.explanation, "No input changed; LCPR is unchanged");
    }

    #[test]
    fn rows_sort_by_absolute_delta() {
        let mut small = plain();
        small.output_price_per_m = d("9");
        let mut big = plain();
        big.output_price_per_m = d("20");
        let mut drop = plain();
        drop.output_price_per_m = d("5");
        let input = MonthlyReviewInput {
            workloads: vec![
                WorkloadMonths {
                    workload: "small".into(),
                    last_month: plain(),
                    this_month: small,
                },
                WorkloadMonths {
                    workload: "drop".into(),
                    last_month: plain(),
                    this_month: drop,
                },
                WorkloadMonths {
                    workload: "big".into(),
                    last_month: plain(),
                    this_month: big,
                },
            ],
        };
        let r = monthly_review(&input).unwrap_or_else(|e| panic!("{e}"));
        // Deltas: small −0.0005, drop −0.0025, big +0.005.
        let order: Vec<&str> = r.rows.iter().map(|r| r.workload.as_str()).collect();
        assert_eq!(order, vec!["big", "drop", "small"]);
    }

    #[test]
    fn refusals_name_the_field() {
        let mut bad = plain();
        bad.accepted_share = 0.0;
        let mut cache = plain();
        cache.cache_hit_rate = 1.2;
        let mut price = plain();
        price.ops_cost = d("-1");
        let mut requests = plain();
        requests.requests = 0.0;
        let cases = [
            (bad, "workloads[0].this_month.accepted_share"),
            (cache, "workloads[0].this_month.cache_hit_rate"),
            (price, "workloads[0].this_month.ops_cost"),
            (requests, "workloads[0].this_month.requests"),
        ];
        for (this, field) in cases {
            let input = MonthlyReviewInput {
                workloads: vec![WorkloadMonths {
                    workload: "w".into(),
                    last_month: plain(),
                    this_month: this,
                }],
            };
            assert_eq!(
                monthly_review(&input).err().map(|e| e.field),
                Some(field.into())
            );
        }
        let twice = WorkloadMonths {
            workload: "w".into(),
            last_month: plain(),
            this_month: plain(),
        };
        let input = MonthlyReviewInput {
            workloads: vec![twice.clone(), twice],
        };
        assert_eq!(
            monthly_review(&input).err().map(|e| e.field),
            Some("workloads[1].workload".into())
        );
    }

    fn arb_month() -> impl Strategy<Value = MonthInputs> {
        (
            (1.0..1e7_f64, 0.0..20_000.0_f64, 0.0..4_000.0_f64),
            (0.0..=1.0_f64, 0.01..=1.0_f64),
            (0u32..3_000, 0u32..1_000, 0u32..8_000),
            (0u32..1_000_000, 0u32..1_000_000, 0u32..1_000_000),
        )
            .prop_map(
                |((requests, input, output), (hit, accepted), (pi, pc, po), (eval, human, ops))| {
                    MonthInputs {
                        requests,
                        input_tokens_per_request: input,
                        output_tokens_per_request: output,
                        cache_hit_rate: hit,
                        accepted_share: accepted,
                        input_price_per_m: Decimal::new(i64::from(pi), 2),
                        cached_input_price_per_m: Decimal::new(i64::from(pc), 2),
                        output_price_per_m: Decimal::new(i64::from(po), 2),
                        eval_cost: Decimal::new(i64::from(eval), 2),
                        human_cost: Decimal::new(i64::from(human), 2),
                        ops_cost: Decimal::new(i64::from(ops), 2),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn effects_sum_to_the_total_change(last in arb_month(), this in arb_month()) {
            let r = review_workload(&WorkloadMonths {
                workload: "w".into(),
                last_month: last,
                this_month: this,
            }).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let scale = r.lcpr_last_month.abs().max(r.lcpr_this_month.abs()).max(1e-300);
            prop_assert!((r.effects.total() - r.delta).abs() <= 1e-9 * scale,
                "{} vs {}", r.effects.total(), r.delta);
            if let Some(driver) = r.primary_driver {
                for other in Driver::ALL {
                    prop_assert!(r.effects.get(driver).abs() >= r.effects.get(other).abs());
                }
            }
        }

        #[test]
        fn a_group_left_unchanged_has_no_effect(last in arb_month(), this in arb_month()) {
            let mut this = this;
            this.cache_hit_rate = last.cache_hit_rate;
            let r = review_workload(&WorkloadMonths {
                workload: "w".into(),
                last_month: last,
                this_month: this,
            }).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(r.effects.cache, 0.0);
        }
    }

    fn default_ws() -> Workspace {
        crate::document::parse(
            include_str!("../../../workspaces/support-migration.yaml"),
            "support-migration.yaml",
        )
        .unwrap()
    }

    fn reconciled_lcpr(ws: &Workspace, id: &str) -> f64 {
        let r = ws.reconciliations.iter().find(|r| r.id == id).unwrap();
        let t = crate::calc::trace_to_margin::trace_to_margin(
            &crate::document::validate::reconciliation_input(r),
        )
        .unwrap();
        money::to_f64(t.lcpr)
    }

    #[test]
    fn two_reconciled_periods_give_the_review_the_reconciled_lcprs() {
        let ws = default_ws();
        let w = workspace_review(&ws).unwrap().unwrap();
        let row = &w.review.rows[0];
        assert_eq!(row.workload, "Support answer drafting");
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
        assert!(close(
            row.lcpr_this_month,
            reconciled_lcpr(&ws, "support-2026-10")
        ));
        assert!(close(
            row.lcpr_last_month,
            reconciled_lcpr(&ws, "support-2026-09")
        ));
        assert!(matches!(
            &w.sources[0].1,
            MonthsSource::Reconciliations { last, this }
                if last == "support-2026-09" && this == "support-2026-10"
        ));
        // The split still adds up to the change.
        assert!((row.effects.total() - row.delta).abs() < 1e-12);
    }

    #[test]
    fn a_workload_with_one_reconciliation_takes_its_typed_row_marked_as_typed() {
        let mut ws = default_ws();
        ws.reconciliations.retain(|r| r.id != "support-2026-09");
        assert_eq!(workspace_review(&ws).unwrap(), None);
        let month = reconciled_month(&ws, &ws.workloads[0], &ws.reconciliations[0], None).unwrap();
        ws.monthly_review = Some(MonthlyReviewInput {
            workloads: vec![WorkloadMonths {
                workload: "support-chat".into(),
                last_month: month.clone(),
                this_month: MonthInputs {
                    requests: month.requests * 1.1,
                    ..month
                },
            }],
        });
        let w = workspace_review(&ws).unwrap().unwrap();
        assert_eq!(w.sources[0].1, MonthsSource::Typed);
        assert!(
            w.sources[0].2.contains("typed review figures"),
            "{}",
            w.sources[0].2
        );
        // A typed row of a workload the case does not have is refused, naming the ones it has.
        ws.monthly_review.as_mut().unwrap().workloads[0].workload = "RAG extraction".into();
        let v = crate::document::validate(&ws);
        assert!(
            v.iter()
                .any(|v| v.path == "monthly_review.workloads[0].workload"
                    && v.rule.contains("Support answer drafting")),
            "{v:?}"
        );
    }
}
