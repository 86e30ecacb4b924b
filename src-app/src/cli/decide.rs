//! `lcpr tornado|montecarlo|forecast|gates|attribute|review FILE`: the decide-and-defend
//! analyses of a workspace, as tables or JSON.

use std::path::Path;

use lcpr_core::case::evaluation::evaluate;
use lcpr_core::document::{ScenarioStatus, Workspace};
use lcpr_core::money::{format_usd, to_f64};
use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{Align, Table};

/// What a command produced: the JSON form and the text form.
pub struct Output {
    /// For `--json`.
    pub json: serde_json::Value,
    /// For people.
    pub text: String,
}

fn to_value<T: Serialize>(v: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(v).map_err(|e| format!("cannot write the result as JSON: {e}"))
}

fn money(d: Decimal) -> String {
    format_usd(to_f64(d), 2)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn absent(file: &Path, what: &str) -> Output {
    Output {
        json: serde_json::json!({ "file": file.display().to_string(), "result": null, "note": format!("no {what} in this workspace") }),
        text: format!("{}: no {what} in this workspace\n", file.display()),
    }
}

/// The decision the workspace asks for, stated: stay, move, or move when the blocking gates
/// clear, with its impact, ranges, probability, payback, gates and dominant lever. A workspace
/// without scenarios has no decision to state, and says so.
pub fn decision(file: &Path, ws: &Workspace) -> Result<Output, String> {
    if ws.scenarios.is_empty() {
        return Ok(absent(file, "scenario, so no decision"));
    }
    let eval = evaluate(ws);
    let d = lcpr_core::decide::decision::decide(ws, &eval).map_err(|e| e.to_string())?;
    use lcpr_core::report::memo::statement;
    let title = statement::title(&d);
    let paragraph = statement::paragraph(&d);
    let figures = statement::figures(&d);
    let mut text = format!("{title}\n\n{paragraph}\n\n");
    let width = figures
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &figures {
        text.push_str(&format!("{k:<width$}  {v}\n"));
    }
    let mut json = to_value(&d)?;
    json["title"] = serde_json::Value::String(title);
    json["paragraph"] = serde_json::Value::String(paragraph);
    json["figures"] = to_value(&figures)?;
    if let Some(c) = lcpr_core::case::current_route::current_routes(ws, &eval)
        .into_iter()
        .find(|c| c.scenario == d.current.scenario)
    {
        let lines = statement::current_route_figures(&c);
        text.push_str("\nToday's route: modelled, measured, reconciled\n");
        for (k, v) in &lines {
            text.push_str(&format!("  {k}: {v}\n"));
        }
        json["current_route"] = to_value(&c)?;
        json["current_route_figures"] = to_value(&lines)?;
    }
    Ok(Output { json, text })
}

/// The scenario a command defaults to: the proposed one, else the first.
#[must_use]
pub fn default_scenario(ws: &Workspace) -> Option<String> {
    ws.scenarios
        .iter()
        .find(|s| s.status == ScenarioStatus::Proposed)
        .or_else(|| ws.scenarios.first())
        .map(|s| s.id.clone())
}

/// The register tornado of one scenario.
pub fn tornado(file: &Path, ws: &Workspace, scenario: Option<&str>) -> Result<Output, String> {
    let Some(id) = scenario.map(str::to_owned).or_else(|| default_scenario(ws)) else {
        return Ok(absent(file, "scenario"));
    };
    if ws.scenario(&id).is_none() {
        let ids: Vec<&str> = ws.scenarios.iter().map(|s| s.id.as_str()).collect();
        return Err(format!(
            "--scenario: names no scenario {id:?} (there are: {})",
            ids.join(", ")
        ));
    }
    let t = lcpr_core::decide::tornado::scenario_tornado(ws, &id).map_err(|e| e.to_string())?;
    let mut table = Table::new(&[
        ("register entry", Align::Left),
        ("evidence", Align::Left),
        ("low", Align::Right),
        ("high", Align::Right),
        ("LCPR at low", Align::Right),
        ("LCPR at high", Align::Right),
        ("swing", Align::Right),
    ]);
    for b in &t.bars {
        let entry = ws.register.iter().find(|e| e.id == b.input);
        table.row(vec![
            lcpr_core::decide::tornado::entry_label(ws, &b.input),
            entry.map_or(String::new(), |e| e.status.label().to_owned()),
            format!("{}", b.low),
            format!("{}", b.high),
            format_usd(b.output_at_low, 4),
            format_usd(b.output_at_high, 4),
            format_usd(b.swing, 4),
        ]);
    }
    let dominant = t.dominant.as_deref().map_or("none".to_owned(), |d| {
        lcpr_core::decide::tornado::entry_label(ws, d)
    });
    let text = format!(
        "Tornado of LCPR for {id} (base {}): dominant lever {dominant}, {} of the total swing\n{}\n",
        format_usd(t.base_output, 4),
        t.dominant_share.map_or("—".to_owned(), pct),
        table.render()
    );
    Ok(Output {
        json: serde_json::json!({ "scenario": id, "tornado": to_value(&t)? }),
        text,
    })
}

/// The register Monte Carlo of every scenario.
pub fn montecarlo(
    file: &Path,
    ws: &Workspace,
    draws: Option<usize>,
    seed: Option<u64>,
) -> Result<Output, String> {
    if ws.scenarios.is_empty() {
        return Ok(absent(file, "scenario"));
    }
    let (draws, seed) = (
        draws.unwrap_or(ws.simulation.draws),
        seed.unwrap_or(ws.simulation.seed),
    );
    let sim = lcpr_core::decide::monte_carlo::register::simulate_register(ws, draws, seed)
        .map_err(|e| e.to_string())?;
    let mut table = Table::new(&[
        ("scenario", Align::Left),
        ("LCPR P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
        ("monthly P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
    ]);
    for s in &sim.scenarios {
        table.row(vec![
            s.scenario.clone(),
            format_usd(s.lcpr.p10, 4),
            format_usd(s.lcpr.p50, 4),
            format_usd(s.lcpr.p90, 4),
            format_usd(s.monthly_cost.p10, 0),
            format_usd(s.monthly_cost.p50, 0),
            format_usd(s.monthly_cost.p90, 0),
        ]);
    }
    let mut beats = Table::new(&[
        ("scenario", Align::Left),
        ("beats", Align::Left),
        ("probability", Align::Right),
    ]);
    for b in &sim.beats {
        beats.row(vec![
            b.scenario.clone(),
            b.versus.clone(),
            pct(b.probability),
        ]);
    }
    let text = format!(
        "Monte Carlo over the register: {draws} draws, seed {seed}\n{}\n\nProbability of a lower LCPR\n{}\n",
        table.render(),
        beats.render()
    );
    Ok(Output {
        json: to_value(&sim)?,
        text,
    })
}

/// The quarterly forecast by scenario.
pub fn forecast(
    file: &Path,
    ws: &Workspace,
    draws: Option<usize>,
    seed: Option<u64>,
) -> Result<Output, String> {
    let Some(input) = &ws.forecast else {
        return Ok(absent(file, "forecast"));
    };
    let (draws, seed) = (
        draws.unwrap_or(ws.simulation.draws),
        seed.unwrap_or(ws.simulation.seed),
    );
    let f = lcpr_core::decide::forecast::forecast(input, draws, seed).map_err(|e| e.to_string())?;
    let mut table = Table::new(&[
        ("scenario", Align::Left),
        ("quarter at base", Align::Right),
        ("P10", Align::Right),
        ("P50", Align::Right),
        ("P90", Align::Right),
        ("LCPR P10–P90", Align::Right),
        ("measured inputs", Align::Right),
    ]);
    for s in &f.scenarios {
        table.row(vec![
            s.name.clone(),
            format_usd(s.quarterly_cost_at_base, 0),
            format_usd(s.quarterly_cost.p10, 0),
            format_usd(s.quarterly_cost.p50, 0),
            format_usd(s.quarterly_cost.p90, 0),
            format!(
                "{} – {}",
                format_usd(s.lcpr.p10, 4),
                format_usd(s.lcpr.p90, 4)
            ),
            format!("{} of {}", s.measured_inputs, s.inputs.len()),
        ]);
    }
    let mut register = Table::new(&[
        ("input", Align::Left),
        ("base", Align::Right),
        ("range", Align::Right),
        ("evidence", Align::Left),
    ]);
    if let Some(first) = f.scenarios.iter().max_by_key(|s| s.inputs.len()) {
        for e in &first.inputs {
            register.row(vec![
                e.description.clone(),
                lcpr_core::report::memo::format::forecast_value(&e.id, e.base),
                format!(
                    "{} – {}",
                    lcpr_core::report::memo::format::forecast_value(&e.id, e.low),
                    lcpr_core::report::memo::format::forecast_value(&e.id, e.high)
                ),
                e.status.label().to_owned(),
            ]);
        }
    }
    let text = format!(
        "Quarterly cost by scenario ({draws} draws, seed {seed}): a range, not a point\n{}\n\nInputs and their evidence\n{}\n",
        table.render(),
        register.render()
    );
    Ok(Output {
        json: to_value(&f)?,
        text,
    })
}

/// The migration gates, readiness and the baseline comparison.
pub fn gates(file: &Path, ws: &Workspace) -> Result<Output, String> {
    let readiness = if ws.readiness.is_empty() {
        None
    } else {
        Some(lcpr_core::calc::readiness::readiness(&ws.readiness).map_err(|e| e.to_string())?)
    };
    let Some(_) = &ws.migration else {
        let mut out = absent(file, "migration case");
        if let Some(r) = &readiness {
            out.text.push_str(&format!(
                "Readiness: {} of 18, {:?}, {}–{} weeks\n",
                r.total_score, r.tier, r.timeline_weeks_min, r.timeline_weeks_max
            ));
            out.json["readiness"] = to_value(r)?;
        }
        return Ok(out);
    };
    let eval = evaluate(ws);
    let a = lcpr_core::decide::migration::assess(ws, &eval).map_err(|e| e.to_string())?;
    let mut table = Table::new(&[
        ("gate", Align::Left),
        ("outcome", Align::Left),
        ("evidence", Align::Left),
    ]);
    for g in &a.gates.gates {
        table.row(vec![
            g.gate.label().to_owned(),
            format!("{:?}", g.outcome).to_lowercase(),
            g.evidence.clone(),
        ]);
    }
    let mut text = format!(
        "Migration {} → {}\n{}\n{}\n",
        a.current,
        a.candidate,
        a.gates.summary,
        table.render()
    );
    if let Some(c) = &a.comparison {
        let mut t = Table::new(&[
            ("metric", Align::Left),
            ("baseline", Align::Right),
            ("candidate", Align::Right),
            ("change", Align::Right),
            ("direction", Align::Left),
        ]);
        for d in &c.deltas {
            t.row(lcpr_core::report::memo::format::metric_delta_row(d).to_vec());
        }
        text.push_str(&format!(
            "\nBaseline {} against the candidate (latency: {})\n{}\n",
            a.baseline.as_deref().unwrap_or("?"),
            a.latency_source,
            t.render()
        ));
    }
    if let Some(r) = &readiness {
        text.push_str(&format!(
            "\nReadiness: {} of 18, {:?}, {}–{} weeks. {}\n",
            r.total_score, r.tier, r.timeline_weeks_min, r.timeline_weeks_max, r.recommendation
        ));
        for g in &r.gaps {
            text.push_str(&format!("  gap: {g}\n"));
        }
    }
    Ok(Output {
        json: serde_json::json!({ "migration": to_value(&a)?, "readiness": to_value(&readiness)? }),
        text,
    })
}

/// The shared bill split by the four modes side by side.
pub fn attribute(file: &Path, ws: &Workspace) -> Result<Output, String> {
    let Some(input) = &ws.attribution else {
        return Ok(absent(file, "attribution"));
    };
    let a = lcpr_core::decide::attribution::attribute(input).map_err(|e| e.to_string())?;
    let mut table = Table::new(&[
        ("team", Align::Left),
        ("uniform", Align::Right),
        ("proportional", Align::Right),
        ("weighted", Align::Right),
        ("hybrid", Align::Right),
        ("spread", Align::Right),
    ]);
    for t in &a.comparison {
        table.row(vec![
            t.team_name.clone(),
            money(t.uniform),
            money(t.proportional),
            money(t.weighted),
            money(t.hybrid),
            money(t.spread),
        ]);
    }
    let totals: Vec<String> = a
        .modes
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                m.mode.name(),
                money(m.teams.iter().map(|t| t.allocation).sum())
            )
        })
        .collect();
    let mut text = format!(
        "Bill {} (fixed {}, cache discount passed through {}): allocations by mode\n{}\nEach mode sums to the bill: {}\nSettled under every mode {}; contested by the choice of mode {} ({:.1}% of the bill)\n",
        money(a.bill_total),
        money(a.platform_fixed_cost),
        money(a.cache_discount),
        table.render(),
        totals.join(", "),
        money(a.settled_under_every_mode),
        money(a.contested_by_mode),
        a.contested_share * 100.0
    );
    for c in &a.fine_tune_charges {
        text.push_str(&format!(
            "Fine-tune {} charged to {}: {}\n",
            c.fine_tune_id,
            c.team_id,
            money(c.amount)
        ));
    }
    Ok(Output {
        json: to_value(&a)?,
        text,
    })
}

/// The monthly review table and the period's incidents.
pub fn review(file: &Path, ws: &Workspace) -> Result<Output, String> {
    let reviewed =
        lcpr_core::decide::monthly_review::workspace_review(ws).map_err(|e| e.to_string())?;
    if reviewed.is_none() && ws.incidents.is_empty() {
        return Ok(absent(
            file,
            "monthly review (two reconciled periods of a workload, or typed review figures) or incidents",
        ));
    }
    let mut text = String::new();
    let review = match &reviewed {
        Some(w) => {
            let r = &w.review;
            let mut t = Table::new(&[
                ("workload", Align::Left),
                ("LCPR this month", Align::Right),
                ("last month", Align::Right),
                ("delta", Align::Right),
                ("primary driver", Align::Left),
            ]);
            for row in &r.rows {
                t.row(vec![
                    row.workload.clone(),
                    format_usd(row.lcpr_this_month, 4),
                    format_usd(row.lcpr_last_month, 4),
                    row.delta_pct
                        .map_or(format_usd(row.delta, 4), |p| format!("{:+.1}%", p * 100.0)),
                    row.explanation.clone(),
                ]);
            }
            text.push_str(&format!("Monthly review\n{}\n", t.render()));
            for (workload, _, sentence) in &w.sources {
                text.push_str(&format!("  {workload}: {sentence}\n"));
            }
            Some(w)
        }
        None => None,
    };
    let incidents = ws
        .incidents
        .iter()
        .map(lcpr_core::decide::incidents::incident_cost)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if !incidents.is_empty() {
        let mut t = Table::new(&[
            ("incident", Align::Left),
            ("category", Align::Left),
            ("inference", Align::Right),
            ("human", Align::Right),
            ("engineering", Align::Right),
            ("total", Align::Right),
            ("blast radius", Align::Right),
        ]);
        for i in &incidents {
            t.row(vec![
                i.name.clone(),
                i.category.name().to_owned(),
                money(i.extra_inference_cost),
                money(i.human_escalation_cost),
                money(i.engineering_cost),
                money(i.total_cost),
                format!(
                    "{} requests",
                    lcpr_core::report::memo::format::count(i.blast_radius_requests)
                ),
            ]);
        }
        text.push_str(&format!("\nIncidents\n{}\n", t.render()));
    }
    Ok(Output {
        json: serde_json::json!({
            "review": to_value(&review.map(|w| &w.review))?,
            "review_sources": to_value(&review.map(|w| &w.sources))?,
            "incidents": to_value(&incidents)?,
        }),
        text,
    })
}
