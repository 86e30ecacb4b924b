//! The decision memo: one scenario against the other scenarios of its workload, written the way
//! a cost decision should be: per option the raw and cache-adjusted token cost, retry rate,
//! quality pass rate, latency, accepted outcome rate, LCPR and owner; then which option costs
//! least per accepted output and what moves that most, the figures behind it, what is still
//! open, and who signs.
//!
//! The memo is a list of sections, each a function of the [`MemoContext`] returning its blocks,
//! run in the order of [`SECTIONS`]; a new section is one more function and one more line there.

use crate::calc::readiness::{factor_label, readiness};
use crate::case::evaluation::{Cheapest, Evaluation, ReconciliationResult, ScenarioResult};
use crate::decide::tornado::Tornado;
use crate::decide::tornado::{entry_label, scenario_tornado};
use crate::document::{Workload, Workspace};
use crate::error::InputResult;
use crate::report::chart::Chart;
use crate::report::figures::{compare_chart, reconciliation_waterfall, tornado_chart};
use crate::report::{Block, Column, Report, Row, Signer, Span, Table};

use super::format::{count, lcpr, money, percent};
use super::risks::{OpenRisk, RiskScope, open_risks};
use super::statement;
use super::tables::{
    compare_table, components_table, period_label, reconciliations_table, register_table,
    split_columns,
};
use super::{MemoSource, memo_scenario, status_label, workload_scenarios};
use crate::decide::decision::{DecisionStatement, decide};

/// Most scenario or period columns a printed table holds before it is split.
pub const COLUMNS_PER_PART: usize = 4;

/// How many of the widest-swing register entries the memo lists as open risks.
pub const TOP_RANGES: usize = 3;

/// Everything the sections of a memo read, computed once.
#[derive(Debug, Clone)]
pub struct MemoContext<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// Its evaluation (register applied).
    pub eval: &'a Evaluation,
    /// The scenario the memo decides on.
    pub scenario: &'a ScenarioResult,
    /// Its workload, when the document names one that exists.
    pub workload: Option<&'a Workload>,
    /// Every scenario of that workload, the chosen one included, in document order.
    pub options: Vec<&'a ScenarioResult>,
    /// The lowest-LCPR option of the workload.
    pub cheapest: Option<&'a Cheapest>,
    /// The register tornado of the chosen scenario, or why there is none.
    pub tornado: Result<Tornado, String>,
    /// The workload's reconciliations, oldest period first.
    pub reconciliations: Vec<&'a ReconciliationResult>,
    /// Open risks of the decision.
    pub risks: Vec<OpenRisk>,
    /// The decision the workspace asks for, stated; why not, when it cannot be.
    pub decision: Result<DecisionStatement, String>,
    /// Every scenario's LCPR over the register's ranges (P10–P90), when the register has
    /// entries to vary: the Uncertainty view's chart.
    pub uncertainty: Option<crate::report::chart::Chart>,
}

impl<'a> MemoContext<'a> {
    /// The context of a memo on `scenario` (an id of `eval`; see [`memo_scenario`]).
    pub fn new(
        ws: &'a Workspace,
        eval: &'a Evaluation,
        scenario: Option<&str>,
    ) -> InputResult<Self> {
        let decision = decide(ws, eval).map_err(|e| e.to_string());
        // The memo is on the decision's candidate unless a scenario is asked for.
        let asked = scenario.or_else(|| {
            decision
                .as_ref()
                .ok()
                .map(|d| d.candidate.scenario.as_str())
        });
        let scenario = memo_scenario(eval, asked)?;
        let workload = ws.workload(&scenario.workload);
        let options = workload_scenarios(eval, &scenario.workload);
        let cheapest = eval
            .cheapest
            .iter()
            .find(|c| c.workload == scenario.workload);
        let tornado = if scenario.cost.is_some() {
            scenario_tornado(ws, &scenario.id).map_err(|e| e.to_string())
        } else {
            Err("the scenario could not be costed".to_owned())
        };
        let mut reconciliations: Vec<&ReconciliationResult> = eval
            .reconciliations
            .iter()
            .filter(|r| r.workload == scenario.workload)
            .collect();
        reconciliations.sort_by_key(|r| (r.period.end, r.period.start));
        let tornadoes: Vec<(String, Tornado)> = tornado
            .as_ref()
            .ok()
            .map(|t| (scenario.name.clone(), t.clone()))
            .into_iter()
            .collect();
        let workloads = [scenario.workload.clone()];
        let risks = open_risks(
            ws,
            eval,
            &RiskScope {
                workloads: Some(&workloads),
                tornadoes: &tornadoes,
                top_ranges: TOP_RANGES,
            },
        );
        Ok(Self {
            ws,
            eval,
            scenario,
            workload,
            options,
            cheapest,
            tornado,
            reconciliations,
            risks,
            decision,
            uncertainty: if ws.register.is_empty() {
                None
            } else {
                crate::decide::monte_carlo::register::simulate_register(
                    ws,
                    ws.simulation.draws,
                    ws.simulation.seed,
                )
                .ok()
                .and_then(|sim| crate::report::figures::uncertainty_chart(&sim))
            },
        })
    }

    /// The decision's title when it is on this memo's scenario, else the scenario's name.
    #[must_use]
    pub fn decision_title(&self) -> String {
        match &self.decision {
            Ok(d) if d.candidate.scenario == self.scenario.id => statement::title(d),
            _ => self.scenario.name.clone(),
        }
    }

    /// What one accepted output of the workload is called.
    #[must_use]
    pub fn unit(&self) -> &str {
        self.workload
            .map(|w| w.accepted_unit.as_str())
            .filter(|u| !u.is_empty())
            .unwrap_or("accepted output")
    }

    /// The workload's name (its id when it is missing).
    #[must_use]
    pub fn workload_name(&self) -> &str {
        self.workload
            .map_or(self.scenario.workload.as_str(), |w| w.name.as_str())
    }
}

/// A section of the memo.
pub type Section = fn(&MemoContext<'_>) -> Vec<Block>;

/// The memo's sections, in print order.
pub const SECTIONS: [Section; 13] = [
    summary_section,
    options_section,
    recommendation_section,
    plans_section,
    components_section,
    reconciliation_section,
    goodput_section,
    gates_section,
    forecast_section,
    readiness_section,
    register_section,
    risks_section,
    sign_off_section,
];

/// The decision memo on `scenario` (by default the proposed one, else the lowest LCPR).
///
/// Refuses a workspace without scenarios and an unknown scenario id.
pub fn decision_memo(
    ws: &Workspace,
    eval: &Evaluation,
    scenario: Option<&str>,
    source: &MemoSource,
) -> InputResult<Report> {
    let cx = MemoContext::new(ws, eval, scenario)?;
    Ok(Report {
        title: format!("Decision: {}", cx.decision_title()),
        subtitle: format!("{} · {}", ws.meta.title, cx.workload_name()),
        meta: source.meta(if ws.meta.owner.is_empty() {
            &cx.scenario.owner
        } else {
            &ws.meta.owner
        }),
        blocks: with_glossary(SECTIONS.iter().flat_map(|section| section(&cx)).collect()),
    })
}

/// Every word a reader sees in `blocks`: headings, text, tables and chart titles and legends.
fn words_of(blocks: &[Block]) -> String {
    let spans = |s: &[Span]| {
        s.iter()
            .map(|x| x.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    for b in blocks {
        match b {
            Block::Heading { text, .. } => out.push(text.clone()),
            Block::Paragraph { spans: s } => out.push(spans(s)),
            Block::Bullets { items } => out.extend(items.iter().map(|i| spans(i))),
            Block::KeyValues { pairs } => {
                out.extend(pairs.iter().map(|p| format!("{} {}", p.key, p.value)));
            }
            Block::Table(t) => {
                out.extend(t.caption.clone());
                out.extend(t.columns.iter().map(|c| c.header.clone()));
                out.extend(t.rows.iter().flat_map(|r| r.cells.clone()));
            }
            Block::Chart(c) => out.push(c.words()),
            Block::SignOff { .. } | Block::PageBreak => {}
        }
    }
    out.join("\n")
}

/// `blocks` followed by a glossary of the terms they use, so a reader outside the team can
/// read every figure (the same meanings the window shows on hover).
fn with_glossary(mut blocks: Vec<Block>) -> Vec<Block> {
    let terms = crate::report::glossary::used_in(&words_of(&blocks));
    if terms.is_empty() {
        return blocks;
    }
    blocks.push(Block::heading(1, "Glossary"));
    blocks.push(Block::key_values(
        terms
            .iter()
            .map(|t| {
                let value = match t.formula {
                    Some(f) => format!("{} Formula: {f}.", t.meaning),
                    None => t.meaning.to_owned(),
                };
                (t.name.to_owned(), value)
            })
            .collect::<Vec<_>>(),
    ));
    blocks
}

/// `text` with its first letter in lower case ("Stay on …" → "stay on …").
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}

fn paragraph(spans: Vec<Span>) -> Block {
    Block::Paragraph { spans }
}

/// The decision stated first (recommendation, impact, ranges, probability, payback, blocking
/// gates, dominant lever), then the scenario in brief: for which workload, at what LCPR and
/// cost, owned by whom.
pub fn summary_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Decision")];
    match &cx.decision {
        Ok(d) if d.candidate.scenario == cx.scenario.id => {
            blocks.push(paragraph(vec![Span::plain(statement::paragraph(d))]));
            blocks.push(Block::key_values(statement::figures(d)));
            if let Some(c) = crate::case::current_route::current_routes(cx.ws, cx.eval)
                .into_iter()
                .find(|c| c.scenario == d.current.scenario)
            {
                blocks.push(Block::heading(
                    2,
                    "Today's route: modelled, measured, reconciled",
                ));
                blocks.push(Block::key_values(statement::current_route_figures(&c)));
            }
            blocks.push(Block::heading(2, "The candidate in brief"));
        }
        Ok(d) => blocks.push(Block::paragraph(format!(
            "This memo is on {}; the workspace's decision is on {} against {}: {}.",
            cx.scenario.name,
            d.candidate.name,
            d.current.name,
            statement::title(d)
        ))),
        Err(e) => blocks.push(Block::paragraph(format!("No decision is stated: {e}."))),
    }
    blocks.extend(scenario_brief(cx));
    blocks
}

/// Which scenario, for which workload, at what LCPR and cost, owned by whom.
fn scenario_brief(cx: &MemoContext<'_>) -> Vec<Block> {
    let s = cx.scenario;
    let route = cx.ws.route(&s.route);
    let route_text = route.map_or_else(
        || s.route.clone(),
        |r| format!("{}, a {} route", r.name, r.kind.label()),
    );
    let mut pairs = vec![
        (
            "Scenario",
            format!("{} ({})", s.name, status_label(s.status)),
        ),
        ("Workload", cx.workload_name().to_owned()),
        ("Route", route_text),
        (
            "Owner",
            if s.owner.is_empty() {
                "unassigned".to_owned()
            } else {
                s.owner.clone()
            },
        ),
    ];
    match &s.cost {
        Some(c) => {
            pairs.push(("LCPR", format!("{} per {}", lcpr(c.lcpr), cx.unit())));
            pairs.push(("Monthly cost", money(c.monthly_cost)));
            pairs.push((
                "Volume",
                format!(
                    "{} requests and {} accepted outputs a month",
                    count(c.monthly_requests),
                    count(c.accepted_units)
                ),
            ));
        }
        None => pairs.push((
            "LCPR",
            format!("not costed: {}", s.error.as_deref().unwrap_or("no result")),
        )),
    }
    pairs.push(("Options compared", count(cx.options.len() as f64)));
    vec![Block::key_values(pairs)]
}

/// The decision template, one row per option, and the options' LCPR as stacked bars.
pub fn options_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let table = compare_table(cx.ws, cx.eval, &cx.options);
    let mut notes = vec![
        "Token costs are per 30-day month: raw at list input and output rates, then after \
         cache and batch discounts (the cache-adjusted cost), both before retries. LCPR is the \
         monthly loaded cost over accepted outputs; the shaded row has the lowest."
            .to_owned(),
        latency_note(cx),
    ];
    if cx
        .options
        .iter()
        .any(|s| s.route_kind.is_some_and(|k| k.is_gpu()))
    {
        notes.push(
            "Token costs do not apply to GPU-priced routes (—): they pay for GPU-hours, shown \
             in the cost components."
                .to_owned(),
        );
    }
    for s in cx.options.iter().filter(|s| s.cost.is_none()) {
        notes.push(format!(
            "{} could not be costed: {}.",
            s.name,
            s.error.as_deref().unwrap_or("no result")
        ));
    }
    let mut blocks = vec![
        Block::heading(1, "Route options"),
        Block::Table(table),
        Block::bullets(notes),
    ];
    let mut of_workload = cx.eval.clone();
    of_workload
        .scenarios
        .retain(|s| s.workload == cx.scenario.workload);
    if let Some(chart) = compare_chart(&of_workload) {
        blocks.push(Block::Chart(chart));
    }
    blocks
}

/// Where each p95 figure comes from: the baselines used, or the SLO.
fn latency_note(cx: &MemoContext<'_>) -> String {
    let mut measured: Vec<String> = cx
        .options
        .iter()
        .filter_map(|s| {
            super::latest_baseline(cx.ws, &s.workload, &s.route)
                .map(|b| format!("{} on {}", b.id, b.captured_on))
        })
        .collect();
    measured.dedup();
    if measured.is_empty() {
        "p95 TTFT / TPOT: no option has a baseline on its route, so every figure is the \
         workload's SLO, a target rather than a measurement."
            .to_owned()
    } else {
        format!(
            "p95 TTFT / TPOT: measured figures come from the latest baseline of the workload on \
             that route ({}); figures marked SLO are the workload's latency objective, a target \
             rather than a measurement.",
            measured.join("; ")
        )
    }
}

/// The lowest-LCPR option, whether the chosen scenario is it, and the dominant lever.
pub fn recommendation_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Recommendation")];
    let s = cx.scenario;
    let best = cx
        .cheapest
        .and_then(|c| cx.options.iter().find(|o| o.id == c.scenario).copied());
    match (best, &s.cost, best.and_then(|b| b.cost.as_ref())) {
        (Some(b), Some(mine), Some(theirs)) if b.id == s.id => {
            let runner_up = cx
                .options
                .iter()
                .filter(|o| o.id != s.id)
                .filter_map(|o| o.cost.as_ref().map(|c| (*o, c)))
                .min_by(|a, b| a.1.lcpr.total_cmp(&b.1.lcpr));
            let mut spans = vec![
                Span::bold(format!("{} has the lowest LCPR of the workload", s.name)),
                Span::plain(format!(" at {} per {}.", lcpr(mine.lcpr), cx.unit())),
            ];
            if let Some((o, c)) = runner_up {
                spans.push(Span::plain(format!(
                    " The next option, {}, costs {} more per {} ({} more); its monthly cost is \
                     {} against {}.",
                    o.name,
                    lcpr(c.lcpr - theirs.lcpr),
                    cx.unit(),
                    percent(c.lcpr / theirs.lcpr - 1.0),
                    money(c.monthly_cost),
                    money(mine.monthly_cost)
                )));
            }
            blocks.push(paragraph(spans));
        }
        (Some(b), Some(mine), Some(theirs)) => {
            blocks.push(paragraph(vec![
                Span::bold(format!(
                    "{} has the lowest LCPR of the workload, not {}",
                    b.name, s.name
                )),
                Span::plain(format!(
                    ": {} against {} per {}. {} costs {} more per {} ({} more); its monthly \
                     cost is {} against {}.",
                    lcpr(theirs.lcpr),
                    lcpr(mine.lcpr),
                    cx.unit(),
                    s.name,
                    lcpr(mine.lcpr - theirs.lcpr),
                    cx.unit(),
                    percent(mine.lcpr / theirs.lcpr - 1.0),
                    money(mine.monthly_cost),
                    money(theirs.monthly_cost)
                )),
            ]));
        }
        _ => blocks.push(Block::paragraph(format!(
            "No option of {} could be costed, so none can be recommended on LCPR.",
            cx.workload_name()
        ))),
    }
    blocks.push(match &cx.tornado {
        Ok(t) => dominant_lever(cx, t),
        Err(why) => Block::paragraph(format!(
            "No sensitivity of {} to the register can be shown: {why}.",
            s.name
        )),
    });
    if let Ok(t) = &cx.tornado {
        let chart = tornado_chart(cx.ws, &cx.scenario.name, t);
        let flat = match &chart.data {
            crate::report::chart::ChartData::Tornado(c) => c.no_swing.clone(),
            _ => Vec::new(),
        };
        blocks.push(Block::Chart(chart));
        if !flat.is_empty() {
            blocks.push(Block::paragraph(format!(
                "Not drawn, as they do not move this scenario's LCPR: {}.",
                flat.join("; ")
            )));
        }
    }
    if let Some(chart) = &cx.uncertainty {
        blocks.push(Block::paragraph(format!(
            "Every option drawn over the register's ranges together ({} draws, seed {}): each bar \
             runs from P10 to P90 of LCPR, the mark is the median.",
            crate::report::memo::format::count(cx.ws.simulation.draws as f64),
            cx.ws.simulation.seed
        )));
        blocks.push(Block::Chart(chart.clone()));
    }
    blocks
}

fn dominant_lever(cx: &MemoContext<'_>, t: &Tornado) -> Block {
    match (&t.dominant, t.dominant_share, t.bars.first()) {
        (Some(id), Some(share), Some(bar)) => paragraph(vec![
            Span::plain(format!("For {}, the dominant lever is ", cx.scenario.name)),
            Span::bold(entry_label(cx.ws, id)),
            Span::plain(format!(
                ": across its range LCPR moves between {} and {}, {} of the total swing of the \
                 register. Pin it down before committing.",
                lcpr(bar.output_at_low.min(bar.output_at_high)),
                lcpr(bar.output_at_low.max(bar.output_at_high)),
                percent(share)
            )),
        ]),
        _ => Block::paragraph(format!(
            "No register entry moves the LCPR of {} across its range.",
            cx.scenario.name
        )),
    }
}

/// Monthly cost components of every option, in dollars; each column adds up to its monthly
/// cost.
pub fn components_section(cx: &MemoContext<'_>) -> Vec<Block> {
    if cx.options.iter().all(|s| s.cost.is_none()) {
        return Vec::new();
    }
    let mut blocks = vec![
        Block::heading(1, "Cost components"),
        Block::paragraph(
            "Monthly loaded cost of each option by component, rounded to the cent; each column \
             adds up to the option's monthly cost.",
        ),
    ];
    let table = components_table(&cx.options);
    blocks.extend(
        split_columns(&table, 1, COLUMNS_PER_PART)
            .into_iter()
            .map(Block::Table),
    );
    blocks
}

/// The workload's reconciliations against invoices, with the waterfall of the latest period.
pub fn reconciliation_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Reconciliation against invoices")];
    if cx.reconciliations.is_empty() {
        blocks.push(Block::paragraph(format!(
            "{} has no reconciliation yet: its modelled LCPR has not been checked against an \
             invoice.",
            cx.workload_name()
        )));
        return blocks;
    }
    let table = reconciliations_table(&cx.reconciliations);
    blocks.extend(
        split_columns(&table, 1, COLUMNS_PER_PART)
            .into_iter()
            .map(Block::Table),
    );
    let mut notes: Vec<String> = cx
        .reconciliations
        .iter()
        .filter_map(|r| {
            r.error
                .as_ref()
                .map(|e| format!("{} could not be reconciled: {e}.", r.id))
        })
        .collect();
    if let Some((r, m)) = cx
        .reconciliations
        .iter()
        .rev()
        .find_map(|r| r.result.as_ref().map(|m| (*r, m)))
    {
        // The reconciled period describes the route in service, so that is the model to hold
        // it against.
        let modelled = super::reference_scenario(cx.eval, &cx.scenario.workload)
            .and_then(|s| s.cost.as_ref().map(|c| (s, c)));
        let direction = if m.delta.is_sign_negative() {
            "below"
        } else {
            "above"
        };
        notes.push(format!(
            "Latest period {}: loaded cost {}, LCPR {} per {}{}. The invoice is {} {direction} \
             the traces{}, {} the 5% threshold.",
            period_label(&r.period),
            money(m.total_loaded_cost),
            super::format::lcpr_decimal(m.lcpr),
            cx.unit(),
            modelled.map_or_else(String::new, |(s, c)| format!(
                "; the route in service, {}, is modelled at {}",
                s.name,
                lcpr(c.lcpr)
            )),
            money(m.delta.abs()),
            m.delta_pct
                .map(|p| format!(" ({})", percent(crate::money::to_f64(p.abs()))))
                .unwrap_or_default(),
            if m.delta_flagged { "beyond" } else { "within" }
        ));
        notes.extend(invoice_findings(cx));
        blocks.push(Block::bullets(notes));
        blocks.push(Block::Chart(waterfall(r, m)));
    } else {
        blocks.push(Block::bullets(notes));
    }
    blocks
}

/// What the invoice imports found in the workload's reconciliations: lines billed off the
/// contracted rate with their overcharge, and amounts disputed with the vendor.
fn invoice_findings(cx: &MemoContext<'_>) -> Vec<String> {
    use crate::evidence::joins::reconcile::unit_price_label;
    let mut out = Vec::new();
    for rec in cx
        .ws
        .reconciliations
        .iter()
        .filter(|x| cx.reconciliations.iter().any(|r| r.id == x.id))
    {
        for o in &rec.off_rate_lines {
            let disputed = rec.disputes.iter().any(|d| d.line_id == o.line_id);
            out.push(format!(
                "{}: line {} ({}) billed at {} against the contracted {} in force from {}: {} {}{}.",
                period_label(&rec.period),
                o.line_id,
                o.meter.name().replace('_', " "),
                unit_price_label(o.meter, o.billed_unit_price),
                unit_price_label(o.meter, o.contracted_unit_price),
                o.contract_effective_from,
                money(o.overcharge.abs()),
                if o.overcharge.is_sign_negative() { "under" } else { "over" },
                if disputed {
                    ", disputed with the vendor"
                } else {
                    ""
                }
            ));
        }
        let disputed = crate::document::validate::disputed(rec);
        if !disputed.is_zero() {
            out.push(format!(
                "{}: {} of the invoice as billed ({}) is disputed with the vendor; it stays on \
                 record and is left out of loaded cost.",
                period_label(&rec.period),
                money(disputed),
                money(rec.invoice_amount)
            ));
        }
    }
    out
}

/// Splits, cascades, reserved pools and batch lanes of the workload: each one's optimum on its
/// cost curve, the single routes it could choose and a cascade's break-evens. No section when
/// the workload has no mix scenario.
pub fn plans_section(cx: &MemoContext<'_>) -> Vec<Block> {
    use crate::report::plan_chart::{break_even_sentences, optimum_sentence};
    let mixes: Vec<&crate::document::Scenario> = cx
        .ws
        .scenarios
        .iter()
        .filter(|s| s.workload == cx.scenario.workload && s.mix.is_some())
        .collect();
    if mixes.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![Block::heading(1, "Mixed routes: the plan of each")];
    for s in mixes {
        blocks.push(Block::heading(2, s.name.clone()));
        match crate::decide::plan::plan(cx.ws, &s.id) {
            Err(e) => blocks.push(Block::paragraph(format!("It could not be planned: {e}."))),
            Ok(p) => {
                let mut items = vec![format!("{}.", optimum_sentence(&p))];
                items.extend(
                    break_even_sentences(&p)
                        .into_iter()
                        .map(|l| format!("{l}.")),
                );
                for c in &p.singles {
                    items.push(format!(
                        "Instead, {}: LCPR {}, {} a month{}.",
                        c.label,
                        lcpr(c.point.lcpr),
                        money(c.point.monthly_cost),
                        c.point
                            .infeasible_because
                            .as_ref()
                            .map_or(String::new(), |w| format!(" ({w})"))
                    ));
                }
                blocks.push(Block::bullets(items));
            }
        }
    }
    blocks
}

/// Goodput under load: each load-test sweep of the workload with its capacity ceiling, the
/// operating point at the workload's mean rate and its cost per accepted result, and what the
/// test's method leaves out.
pub fn goodput_section(cx: &MemoContext<'_>) -> Vec<Block> {
    use crate::evidence::loadtest::sweep::{OperatingBasis, workspace_sweep};
    use crate::report::figures::sweep_chart;
    let workload = &cx.scenario.workload;
    let series: Vec<(&str, &str)> = crate::evidence::loadtest::sweep::workspace_series(cx.ws)
        .into_iter()
        .filter(|s| s.workload == workload)
        .map(|s| (s.key, s.label))
        .collect();
    let mut blocks = vec![Block::heading(1, "Goodput under load")];
    if series.is_empty() {
        blocks.push(Block::paragraph(format!(
            "No load test measures {} under load: capacity and cost per accepted result at              the target rate are modelled, not measured.",
            cx.workload_name()
        )));
        return blocks;
    }
    for (key, label) in series {
        let sweep = match workspace_sweep(cx.ws, workload, key) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                blocks.push(Block::paragraph(format!(
                    "{label} could not be swept: {e}."
                )));
                continue;
            }
        };
        let mut notes = Vec::new();
        match &sweep.capacity_ceiling {
            Some(c) => notes.push(format!(
                "{label}: capacity ceiling {:.2} req/s at {:.2} accepted results/s ({} run(s)).",
                c.request_rate,
                c.goodput_rate,
                sweep.points.len()
            )),
            None => notes.push(format!("{label}: nothing was accepted at any rate.")),
        }
        if let Some(o) = &sweep.operating_point {
            let basis = match o.basis {
                OperatingBasis::TargetRate { target } => {
                    format!("the workload's mean rate of {target:.3} req/s")
                }
                OperatingBasis::Ceiling => "the ceiling".to_owned(),
            };
            notes.push(format!(
                "Operating point {:.2} req/s for {basis}: {:.2} accepted/s, {} per accepted result.",
                o.request_rate,
                o.goodput_rate,
                o.cost_per_accepted.map_or_else(
                    || "no cost recorded".to_owned(),
                    super::format::lcpr_decimal
                )
            ));
        }
        notes.extend(sweep.methodology_gaps.iter().cloned());
        blocks.push(Block::bullets(notes));
        if sweep.points.len() > 1 {
            blocks.push(Block::Chart(sweep_chart(
                &sweep,
                &format!("Goodput against request rate, {label}"),
            )));
        }
    }
    blocks
}

fn waterfall(r: &ReconciliationResult, m: &crate::calc::trace_to_margin::TraceToMargin) -> Chart {
    reconciliation_waterfall(
        &format!(
            "From trace cost to loaded cost, {}",
            period_label(&r.period)
        ),
        m,
    )
}

/// The six-factor migration readiness, when the workspace has been assessed.
pub fn readiness_section(cx: &MemoContext<'_>) -> Vec<Block> {
    if cx.ws.readiness.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![Block::heading(1, "Migration readiness")];
    match readiness(&cx.ws.readiness) {
        Ok(r) => {
            blocks.push(Block::key_values([
                (
                    "Score",
                    format!("{} of 18: {:?} migration", r.total_score, r.tier),
                ),
                (
                    "Typical timeline",
                    format!("{}–{} weeks", r.timeline_weeks_min, r.timeline_weeks_max),
                ),
                ("Approach", r.recommendation.clone()),
            ]));
            blocks.push(Block::Table(Table {
                caption: Some("Factors, 1 (simple) to 3 (hard)".to_owned()),
                columns: vec![Column::text("Factor"), Column::number("Score")],
                rows: cx
                    .ws
                    .readiness
                    .iter()
                    .map(|f| Row::new([factor_label(&f.name), f.score.to_string()]))
                    .collect(),
            }));
            if r.gaps.is_empty() {
                blocks.push(Block::paragraph(
                    "No gap has to be closed before migrating.",
                ));
            } else {
                blocks.push(Block::heading(3, "Gaps to close first"));
                blocks.push(Block::bullets(r.gaps));
            }
        }
        Err(e) => blocks.push(Block::paragraph(format!(
            "The readiness assessment is incomplete: {e}."
        ))),
    }
    blocks
}

/// The migration gates with their evidence, and the latest baseline against the candidate.
pub fn gates_section(cx: &MemoContext<'_>) -> Vec<Block> {
    if cx.ws.migration.is_none() {
        return Vec::new();
    }
    let mut blocks = vec![Block::heading(1, "Migration gates")];
    match crate::decide::migration::assess(cx.ws, cx.eval) {
        Ok(a) => {
            blocks.push(Block::paragraph(a.gates.summary.clone()));
            blocks.push(Block::Table(Table {
                caption: Some("Each gate, its outcome and the evidence behind it".to_owned()),
                columns: vec![
                    Column::text("Gate"),
                    Column::text("Outcome"),
                    Column::text("Evidence"),
                ],
                rows: a
                    .gates
                    .gates
                    .iter()
                    .map(|g| {
                        Row::new([
                            g.gate.label().to_owned(),
                            format!("{:?}", g.outcome).to_lowercase(),
                            g.evidence.clone(),
                        ])
                    })
                    .collect(),
            }));
            if let Some(c) = &a.comparison {
                blocks.push(Block::Table(Table {
                    caption: Some(format!(
                        "Baseline {} against the candidate (latency: {})",
                        a.baseline.as_deref().unwrap_or(""),
                        a.latency_source
                    )),
                    columns: vec![
                        Column::text("Metric"),
                        Column::number("Baseline"),
                        Column::number("Candidate"),
                        Column::number("Change"),
                        Column::text("Direction"),
                    ],
                    rows: c
                        .deltas
                        .iter()
                        .map(|d| Row::new(super::format::metric_delta_row(d)))
                        .collect(),
                }));
            }
        }
        Err(e) => blocks.push(Block::paragraph(format!(
            "The gates could not be assessed: {e}."
        ))),
    }
    blocks
}

/// Next quarter's cost by named scenario: a range, not a point, with the fan chart.
pub fn forecast_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let Some(input) = &cx.ws.forecast else {
        return Vec::new();
    };
    let (draws, seed) = (cx.ws.simulation.draws, cx.ws.simulation.seed);
    let mut blocks = vec![Block::heading(1, "Forecast for next quarter")];
    match crate::decide::forecast::forecast(input, draws, seed) {
        Ok(f) => {
            blocks.push(Block::paragraph(format!(
                "Each scenario is a range from {draws} draws of its drivers (seed {seed}); the \
                 register below each says which inputs are measured and which are assumed."
            )));
            let usd = |v: f64| crate::money::format_usd(v, 0);
            blocks.push(Block::Table(Table {
                caption: Some("Quarterly cost by scenario".to_owned()),
                columns: vec![
                    Column::text("Scenario"),
                    Column::money("At base"),
                    Column::money("P10"),
                    Column::money("P50"),
                    Column::money("P90"),
                    Column::text("Measured inputs"),
                ],
                rows: f
                    .scenarios
                    .iter()
                    .map(|s| {
                        Row::new([
                            s.name.clone(),
                            usd(s.quarterly_cost_at_base),
                            usd(s.quarterly_cost.p10),
                            usd(s.quarterly_cost.p50),
                            usd(s.quarterly_cost.p90),
                            format!("{} of {}", s.measured_inputs, s.inputs.len()),
                        ])
                    })
                    .collect(),
            }));
            blocks.push(Block::Chart(crate::report::figures::forecast_fan_chart(&f)));
        }
        Err(e) => blocks.push(Block::paragraph(format!(
            "The forecast could not be run: {e}."
        ))),
    }
    blocks
}

/// The assumption register in full.
pub fn register_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Assumption register")];
    if cx.ws.register.is_empty() {
        blocks.push(Block::paragraph(
            "The workspace has no assumption register: no number above carries a range or its \
             evidence.",
        ));
    } else {
        blocks.push(Block::Table(register_table(cx.ws)));
    }
    blocks
}

/// What the decision still rests on that is not known well enough.
pub fn risks_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let mut blocks = vec![Block::heading(1, "Open risks")];
    if cx.risks.is_empty() {
        blocks.push(Block::paragraph(
            "None found: no register entry is assumed or stale, no reconciliation is beyond 5%, \
             no load test has a methodology gap and everything could be computed.",
        ));
        return blocks;
    }
    blocks.push(Block::Bullets {
        items: cx
            .risks
            .iter()
            .map(|r| {
                vec![
                    Span::bold(format!("{}. ", r.subject)),
                    Span::plain(format!("{} {} Owner: {}.", r.finding, r.action, r.owner)),
                ]
            })
            .collect(),
    });
    blocks
}

/// Signature lines for engineering, product and finance, together on a page of their own so
/// no signer is separated from what is signed for.
pub fn sign_off_section(cx: &MemoContext<'_>) -> Vec<Block> {
    let signer = |name: &str, role: &str| Signer {
        name: name.to_owned(),
        role: role.to_owned(),
    };
    vec![
        Block::PageBreak,
        Block::heading(1, "Sign-off"),
        Block::paragraph(format!(
            "Signing records agreement with the decision to {} for {}, on the figures of this \
             memo and the workspace version named in its footer.",
            lowercase_first(&cx.decision_title()),
            cx.workload_name()
        )),
        Block::SignOff {
            signers: vec![
                signer("Engineering", "route, quality and operations"),
                signer("Product", "quality floor and user impact"),
                signer("Finance", "monthly cost and commitments"),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::evaluation::evaluate;
    use crate::document::Date;
    use crate::report::memo::tests::example;
    use crate::report::render_pdf;

    fn source() -> MemoSource {
        MemoSource::of_file(
            "support-migration.yaml",
            b"bytes",
            Date::new(2026, 11, 23).unwrap_or(Date::EPOCH),
        )
    }

    fn texts(report: &Report) -> String {
        let mut out = String::new();
        for b in &report.blocks {
            match b {
                Block::Heading { text, .. } => out.push_str(text),
                Block::Paragraph { spans } => spans.iter().for_each(|s| out.push_str(&s.text)),
                Block::Bullets { items } => {
                    items.iter().flatten().for_each(|s| out.push_str(&s.text))
                }
                Block::KeyValues { pairs } => pairs.iter().for_each(|p| {
                    out.push_str(&p.key);
                    out.push_str(&p.value);
                }),
                Block::Table(t) => t.rows.iter().flat_map(|r| &r.cells).for_each(|c| {
                    out.push_str(c);
                }),
                _ => {}
            }
            out.push('\n');
        }
        out
    }

    fn headings(report: &Report) -> Vec<&str> {
        report
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 1, text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_memo_names_off_rate_lines_and_disputes() {
        use crate::document::contracts::Meter;
        use crate::document::{DisputedAmount, OffRateFinding};
        let mut ws = example();
        let r = &mut ws.reconciliations[0];
        r.off_rate_lines.push(OffRateFinding {
            line_id: "L3".into(),
            meter: Meter::OutputTokens,
            quantity: rust_decimal::Decimal::from(10_000_000),
            billed_unit_price: rust_decimal::Decimal::from(45),
            contracted_unit_price: rust_decimal::Decimal::from(40),
            contract_effective_from: "2026-02-01".parse().unwrap(),
            overcharge: rust_decimal::Decimal::from(50),
        });
        r.disputes.push(DisputedAmount {
            line_id: "L3".into(),
            amount: rust_decimal::Decimal::from(50),
            reason: String::new(),
        });
        let eval = evaluate(&ws);
        let cx = MemoContext::new(&ws, &eval, None).unwrap();
        let text = format!("{:?}", reconciliation_section(&cx));
        assert!(
            text.contains("line L3 (output tokens) billed at $45/M tokens against the contracted $40/M tokens in force from 2026-02-01: $50.00 over, disputed with the vendor."),
            "{text}"
        );
        assert!(text.contains("$50.00 of the invoice as billed"), "{text}");
    }

    #[test]
    fn the_goodput_section_reports_each_sweep_or_its_absence() {
        use crate::evidence::loadtest::readers::read_file;
        use crate::evidence::loadtest::sweep::load_test_of;
        let mut ws = example();
        let eval = evaluate(&ws);
        let cx = MemoContext::new(&ws, &eval, None).unwrap();
        let text = format!("{:?}", goodput_section(&cx));
        assert!(text.contains("are modelled, not measured"), "{text}");
        let csv = include_str!("../../../../tests/fixtures/loadtests/generic_sweep.csv");
        let workload = ws.workloads[0].id.clone();
        for (i, run) in read_file("generic_sweep.csv", csv)
            .unwrap()
            .iter()
            .enumerate()
        {
            ws.load_tests.push(load_test_of(
                run,
                format!("g{i}"),
                &workload,
                "generic_sweep",
            ));
        }
        let eval = evaluate(&ws);
        let cx = MemoContext::new(&ws, &eval, None).unwrap();
        let blocks = goodput_section(&cx);
        let text = format!("{blocks:?}");
        // The fixture's sweep: 0.75 accepted/s at 1 req/s is the ceiling (see `lcpr import
        // loadtest` on it); the workload's mean rate lies below it.
        assert!(
            text.contains(
                "generic_sweep: capacity ceiling 1.00 req/s at 0.75 accepted results/s (3 run(s))"
            ),
            "{text}"
        );
        assert!(text.contains("Operating point 1.00 req/s for the workload's mean rate"));
        assert!(text.contains("Closed-loop arrivals"));
        assert!(blocks.iter().any(|b| matches!(b, Block::Chart(_))));
    }

    #[test]
    fn the_plans_section_states_each_mixs_optimum_and_break_even() {
        let ws = example();
        let eval = evaluate(&ws);
        let cx = MemoContext::new(&ws, &eval, None).unwrap_or_else(|e| panic!("{e}"));
        let text = format!("{:?}", plans_section(&cx));
        let p = crate::decide::plan::plan(&ws, "support-cascade").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            text.contains(&crate::report::plan_chart::optimum_sentence(&p)),
            "{text}"
        );
        assert!(text.contains("Break-even escalation rate: "), "{text}");
        assert!(text.contains("Support on reserved H100s"), "{text}");
        // A workload without a mix scenario has no such section.
        let mut single = ws.clone();
        single.scenarios.retain(|s| s.mix.is_none());
        let eval = evaluate(&single);
        let cx = MemoContext::new(&single, &eval, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(plans_section(&cx).is_empty());
    }

    #[test]
    fn the_default_memo_has_every_section_and_renders() {
        let ws = example();
        let eval = evaluate(&ws);
        let memo = decision_memo(&ws, &eval, None, &source()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(memo.title, "Decision: Stay on Support on GPT-5.4 (today)");
        assert_eq!(
            headings(&memo),
            [
                "Decision",
                "Route options",
                "Recommendation",
                // The default workspace's cascade and reserved pool.
                "Mixed routes: the plan of each",
                "Cost components",
                "Reconciliation against invoices",
                "Goodput under load",
                "Migration gates",
                "Forecast for next quarter",
                "Migration readiness",
                "Assumption register",
                "Open risks",
                "Sign-off",
                "Glossary"
            ]
        );
        assert_eq!(memo.meta.source_file, "support-migration.yaml");
        assert_eq!(memo.meta.author, "Platform architecture");
        let charts = memo
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::Chart(_)))
            .count();
        // Compare, tornado, uncertainty, the reconciliation waterfall and the forecast fan.
        assert_eq!(charts, 5);
        let text = format!("{:?}", memo.blocks);
        assert!(
            text.contains("each bar runs from P10 to P90 of LCPR"),
            "no uncertainty chart"
        );
        let pdf = render_pdf(&memo, &crate::report::memo::render_options())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn the_recommendation_names_the_cheapest_option_and_the_dominant_lever() {
        let ws = example();
        let eval = evaluate(&ws);
        let cheapest = &eval.cheapest[0];
        let best = eval
            .scenario(&cheapest.scenario)
            .unwrap_or_else(|| panic!("best"));
        // On the cheapest option the memo says it is the lowest.
        let memo =
            decision_memo(&ws, &eval, Some(&best.id), &source()).unwrap_or_else(|e| panic!("{e}"));
        let text = texts(&memo);
        assert!(text.contains(&format!(
            "{} has the lowest LCPR of the workload",
            best.name
        )));
        // On the proposed route, which costs more, the memo says it is not, and by how much.
        let memo = decision_memo(&ws, &eval, None, &source()).unwrap_or_else(|e| panic!("{e}"));
        let text = texts(&memo);
        let proposed = eval.scenario("support-h100-dedicated");
        let cost = proposed.and_then(|s| s.cost.as_ref());
        let cost = cost.unwrap_or_else(|| panic!("proposed costed"));
        assert_ne!(best.id, "support-h100-dedicated");
        assert!(text.contains(&format!(
            "{} has the lowest LCPR of the workload, not Support on dedicated H100s",
            best.name
        )));
        assert!(text.contains(&format!("costs {} more", lcpr(cost.lcpr - cheapest.lcpr))));
        let t = scenario_tornado(&ws, "support-h100-dedicated").unwrap_or_else(|e| panic!("{e}"));
        let dominant = t.dominant.unwrap_or_else(|| panic!("dominant"));
        assert!(text.contains(&format!(
            "the dominant lever is {}",
            entry_label(&ws, &dominant)
        )));
    }

    #[test]
    fn the_options_are_the_workloads_scenarios_only() {
        let mut ws = example();
        let mut other = ws.workloads[0].clone();
        other.id = "other".into();
        other.name = "Other workload".into();
        ws.workloads.push(other);
        let mut s = ws.scenarios[0].clone();
        s.id = "elsewhere".into();
        s.workload = "other".into();
        ws.scenarios.push(s);
        let eval = evaluate(&ws);
        let cx = MemoContext::new(&ws, &eval, None).unwrap_or_else(|e| panic!("{e}"));
        // The four single routes, the cascade and the reserved pool.
        assert_eq!(cx.options.len(), 6);
        assert!(cx.options.iter().all(|o| o.workload == "support-chat"));
        let options = options_section(&cx);
        let bars = options.iter().find_map(|b| match b {
            Block::Chart(Chart {
                data: crate::report::chart::ChartData::StackedBar(c),
                ..
            }) => Some(c.categories.len()),
            _ => None,
        });
        assert_eq!(bars, Some(6));
    }

    #[test]
    fn a_workspace_without_register_readiness_or_reconciliation_still_gets_a_memo() {
        let text = include_str!("../../../../seeds/coding-agent-lifecycle.yaml");
        let ws = crate::document::parse(text, "c.yaml").unwrap_or_else(|e| panic!("{e}"));
        let eval = evaluate(&ws);
        let memo = decision_memo(&ws, &eval, None, &source()).unwrap_or_else(|e| panic!("{e}"));
        let h = headings(&memo);
        assert!(!h.contains(&"Migration readiness"));
        let text = texts(&memo);
        assert!(text.contains("has no reconciliation yet"));
        assert!(text.contains("The workspace has no assumption register"));
        assert!(text.contains("No sensitivity of"));
        assert!(render_pdf(&memo, &crate::report::memo::render_options()).is_ok());
    }

    #[test]
    fn refusals_name_the_problem() {
        let ws = example();
        let eval = evaluate(&ws);
        let e = decision_memo(&ws, &eval, Some("x"), &source()).err();
        assert!(e.is_some_and(|e| e.rule.contains("names no scenario")));
        let text = include_str!("../../../../seeds/support-answer-daily.yaml");
        let ws = crate::document::parse(text, "d.yaml").unwrap_or_else(|e| panic!("{e}"));
        let eval = evaluate(&ws);
        let e = decision_memo(&ws, &eval, None, &source()).err();
        assert_eq!(e.map(|e| e.field), Some("scenarios".to_owned()));
    }

    #[test]
    fn an_uncosted_scenario_is_reported_not_hidden() {
        let mut ws = example();
        ws.scenarios[1].route = "missing".into();
        let eval = evaluate(&ws);
        let memo = decision_memo(&ws, &eval, None, &source()).unwrap_or_else(|e| panic!("{e}"));
        let text = texts(&memo);
        assert!(text.contains("not costed"));
        assert!(text.contains("could not be costed"));
        assert!(render_pdf(&memo, &crate::report::memo::render_options()).is_ok());
    }

    #[test]
    fn headline_numbers_use_the_shared_format() {
        let ws = example();
        let eval = evaluate(&ws);
        let memo = decision_memo(&ws, &eval, None, &source()).unwrap_or_else(|e| panic!("{e}"));
        let text = texts(&memo);
        for s in &eval.scenarios {
            let c = s.cost.as_ref().unwrap_or_else(|| panic!("costed"));
            assert!(text.contains(&lcpr(c.lcpr)), "{}", s.id);
            assert!(text.contains(&money(c.monthly_cost)), "{}", s.id);
        }
        let m = eval.reconciliations[0].result.as_ref();
        let m = m.unwrap_or_else(|| panic!("reconciled"));
        assert!(text.contains(&money(m.total_loaded_cost)));
        assert!(text.contains(&super::super::format::lcpr_decimal(m.lcpr)));
        assert!(text.contains(&money(m.gross_margin)));
    }
}

#[cfg(test)]
mod glossary_tests {
    use super::*;

    #[test]
    fn the_memo_ends_with_the_meaning_of_every_term_it_uses() {
        let blocks = vec![
            Block::heading(1, "Why"),
            Block::paragraph("LCPR rises because the retry rate doubles."),
        ];
        let out = with_glossary(blocks);
        assert!(matches!(&out[2], Block::Heading { text, .. } if text == "Glossary"));
        let Block::KeyValues { pairs } = &out[3] else {
            panic!("no glossary list");
        };
        let keys: Vec<&str> = pairs.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["LCPR", "Retry rate"]);
        assert!(
            pairs[0].value.contains("÷ accepted outputs"),
            "the formula is given"
        );
        // Nothing to explain: no glossary.
        assert_eq!(with_glossary(vec![Block::paragraph("Signed.")]).len(), 1);
    }
}
