//! `lcpr plan FILE [--scenario ID] [--json]`: a mix scenario's cost curve over its decision
//! variable, the optimum on it, the single routes it could choose and a cascade's break-evens.

use std::path::Path;

use lcpr_core::decide::plan::{Plan, plan};
use lcpr_core::document::Workspace;
use lcpr_core::money::{format_usd, to_f64};
use lcpr_core::report::memo::format::count;
use lcpr_core::report::plan_chart::{break_even_sentences, optimum_sentence, point_text};

use super::decide::Output;
use super::table::{Align, Table};

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn gpus(n: f64) -> String {
    format!("{n} GPU{}", if n == 1.0 { "" } else { "s" })
}

fn x_text(p: &Plan, x: f64) -> String {
    if x.is_nan() {
        "—".to_owned()
    } else if p.unit == "GPUs" {
        format!("{x}")
    } else {
        pct(x)
    }
}

/// The text of one plan.
fn text_of(p: &Plan) -> String {
    let mut t = format!("Plan for {} ({}): {}\n", p.scenario, p.shape, p.name);
    t.push_str(&format!(
        "  As it stands ({} = {}): {}\n",
        p.variable,
        x_text(p, p.current.x),
        point_text(&p.current)
    ));
    t.push_str(&format!("  {}\n", optimum_sentence(p)));
    for line in break_even_sentences(p) {
        t.push_str(&format!("  {line}\n"));
    }
    if let Some(f) = &p.pool {
        let peak = f.demand_per_hour.iter().copied().fold(0.0, f64::max);
        t.push_str(&format!(
            "  Pool: {} serve {} requests an hour ({} each); the peak hour asks {} ({}); the pool serves {} of the month's requests\n",
            gpus(f.gpus),
            count(f.capacity_per_hour),
            count(f.requests_per_gpu_hour),
            count(peak),
            gpus(f.peak_gpus),
            pct(f.served_share)
        ));
    }
    let mut parts = Table::new(&[
        ("part", Align::Left),
        ("route", Align::Left),
        ("requests/mo", Align::Right),
        ("accepted/mo", Align::Right),
        ("escalated/mo", Align::Right),
        ("judge", Align::Right),
        ("monthly cost", Align::Right),
    ]);
    for part in &p.parts {
        parts.row(vec![
            part.role.label(),
            part.route.clone(),
            count(part.requests),
            count(part.accepted),
            count(part.escalated),
            format_usd(to_f64(part.judge_cost), 2),
            format_usd(to_f64(part.monthly_cost), 2),
        ]);
    }
    t.push_str(&format!("\nParts as it stands\n{}\n", parts.render()));
    let mut singles = Table::new(&[
        ("single route", Align::Left),
        ("LCPR", Align::Right),
        ("monthly cost", Align::Right),
        ("feasible", Align::Left),
    ]);
    for c in &p.singles {
        singles.row(vec![
            c.label.clone(),
            format_usd(c.point.lcpr, 4),
            format_usd(to_f64(c.point.monthly_cost), 2),
            c.point
                .infeasible_because
                .clone()
                .unwrap_or_else(|| "yes".to_owned()),
        ]);
    }
    t.push_str(&format!(
        "\nSingle routes it could choose\n{}\n",
        singles.render()
    ));
    let mut curve = Table::new(&[
        (p.variable.as_str(), Align::Right),
        ("LCPR", Align::Right),
        ("monthly cost", Align::Right),
        ("accepted/mo", Align::Right),
        ("feasible", Align::Left),
    ]);
    for q in &p.points {
        let mark = if p.optimum.as_ref() == Some(q) {
            " ← optimum"
        } else {
            ""
        };
        curve.row(vec![
            x_text(p, q.x),
            format_usd(q.lcpr, 4),
            format_usd(to_f64(q.monthly_cost), 2),
            count(q.accepted),
            format!(
                "{}{mark}",
                q.infeasible_because
                    .clone()
                    .unwrap_or_else(|| "yes".to_owned())
            ),
        ]);
    }
    t.push_str(&format!(
        "\nCost curve ({} points)\n{}\n",
        p.points.len(),
        curve.render()
    ));
    for n in &p.notes {
        t.push_str(&format!("Note: {n}\n"));
    }
    t
}

/// The plan of `scenario`, or of every mix scenario when none is named.
pub fn run(file: &Path, ws: &Workspace, scenario: Option<&str>) -> Result<Output, String> {
    let ids: Vec<String> = match scenario {
        Some(id) => {
            if ws.scenario(id).is_none() {
                let ids: Vec<&str> = ws.scenarios.iter().map(|s| s.id.as_str()).collect();
                return Err(format!(
                    "--scenario: names no scenario {id:?} (there are: {})",
                    ids.join(", ")
                ));
            }
            vec![id.to_owned()]
        }
        None => ws
            .scenarios
            .iter()
            .filter(|s| s.mix.is_some())
            .map(|s| s.id.clone())
            .collect(),
    };
    if ids.is_empty() {
        return Ok(Output {
            json: serde_json::json!({ "file": file.display().to_string(), "plans": [], "note": "no scenario with a mix (split, cascade, reserved_overflow, batch_lane) in this workspace" }),
            text: format!(
                "{}: no scenario with a mix (split, cascade, reserved_overflow, batch_lane) in this workspace\n",
                file.display()
            ),
        });
    }
    let mut plans = Vec::new();
    let mut text = String::new();
    for id in &ids {
        let p = plan(ws, id).map_err(|e| format!("scenario {id}: {e}"))?;
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&text_of(&p));
        plans.push(p);
    }
    let json = serde_json::to_value(&plans)
        .map_err(|e| format!("cannot write the result as JSON: {e}"))?;
    Ok(Output {
        json: serde_json::json!({ "file": file.display().to_string(), "plans": json }),
        text,
    })
}
