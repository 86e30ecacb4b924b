//! `lcpr compute FILE`: every scenario's LCPR and its parts, every reconciliation and load
//! test of a workspace, as aligned tables or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use lcpr_core::case::evaluation::{Evaluation, evaluate};
use lcpr_core::document::{self, Workspace};
use lcpr_core::money::format_usd;
use rust_decimal::Decimal;
use serde_json::json;

use super::EXIT_INVALID_INPUT;
use super::table::{Align, Table};

/// Loads and evaluates `path`.
pub fn load_and_evaluate(path: &Path) -> Result<(Workspace, Evaluation), document::DocumentError> {
    let ws = document::load(path)?;
    let eval = evaluate(&ws);
    Ok((ws, eval))
}

/// The JSON form of an evaluation.
pub fn to_json(path: &Path, ws: &Workspace, eval: &Evaluation) -> anyhow::Result<String> {
    let value = json!({
        "file": path.display().to_string(),
        "title": ws.meta.title,
        "currency": ws.meta.currency,
        "scenarios": eval.scenarios,
        "cheapest": eval.cheapest,
        "reconciliations": eval.reconciliations,
        "load_tests": eval.load_tests,
        "register_errors": eval.register_errors,
    });
    serde_json::to_string_pretty(&value).context("writing the result as JSON")
}

fn money(d: Decimal) -> String {
    format_usd(lcpr_core::money::to_f64(d), 2)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn lcpr(v: f64) -> String {
    format_usd(v, 4)
}

/// The human form: aligned tables with money formatted.
pub fn to_text(path: &Path, ws: &Workspace, eval: &Evaluation) -> String {
    let mut out = format!("{}\n{}\n", ws.meta.title, path.display());
    if eval.scenarios.is_empty() && eval.reconciliations.is_empty() && eval.load_tests.is_empty() {
        out.push_str(
            "\nNothing to cost here: the workspace has no scenarios, reconciliations or load tests \
             (its other sections: lcpr attribute, lcpr review, lcpr forecast, lcpr gates).\n",
        );
    }
    if !eval.scenarios.is_empty() {
        let mut t = Table::new(&[
            ("scenario", Align::Left),
            ("route kind", Align::Left),
            ("status", Align::Left),
            ("LCPR", Align::Right),
            ("monthly cost", Align::Right),
            ("accepted/mo", Align::Right),
            ("pass", Align::Right),
            ("retry", Align::Right),
            ("raw tokens", Align::Right),
            ("after cache", Align::Right),
        ]);
        for s in &eval.scenarios {
            let kind = s.route_kind.map_or("?", |k| k.label()).to_owned();
            let status = format!("{:?}", s.status).to_lowercase();
            let (raw, adjusted) = lcpr_core::report::memo::format::token_cost_cells(s);
            match (&s.cost, &s.error) {
                (Some(c), _) => t.row(vec![
                    s.id.clone(),
                    kind,
                    status,
                    lcpr(c.lcpr),
                    money(c.monthly_cost),
                    lcpr_core::report::memo::format::count(c.accepted_units),
                    pct(c.quality_pass_rate),
                    pct(c.retry_rate),
                    raw,
                    adjusted,
                ]),
                (None, error) => t.row(vec![
                    s.id.clone(),
                    kind,
                    status,
                    format!("error: {}", error.as_deref().unwrap_or("not computed")),
                ]),
            }
        }
        out.push_str("\nScenarios (per 30-day month)\n");
        out.push_str(&t.render());
        out.push('\n');

        let mut columns = vec![("scenario", Align::Left)];
        let labels: Vec<&str> = lcpr_core::case::cost::exact::CostComponents::default()
            .entries()
            .iter()
            .map(|(c, _)| c.label())
            .collect();
        columns.extend(labels.iter().map(|l| (*l, Align::Right)));
        columns.push(("total", Align::Right));
        let mut t = Table::new(&columns);
        for s in &eval.scenarios {
            if let Some(c) = &s.cost {
                let mut row = vec![s.id.clone()];
                row.extend(c.components.entries().iter().map(|(_, v)| money(*v)));
                row.push(money(c.monthly_cost));
                t.row(row);
            }
        }
        out.push_str("\nLoaded cost components (monthly)\n");
        out.push_str(&t.render());
        out.push('\n');

        let mut t = Table::new(&[
            ("scenario", Align::Left),
            ("stable prefix", Align::Right),
            ("dynamic tail", Align::Right),
            ("output", Align::Right),
            ("per request", Align::Right),
            ("GPUs", Align::Right),
        ]);
        for s in &eval.scenarios {
            let Some(c) = &s.cost else { continue };
            match (&c.effective_input_cost, c.gpu_count) {
                (Some(e), _) => t.row(vec![
                    s.id.clone(),
                    format_usd(e.stable_prefix, 6),
                    format_usd(e.dynamic_tail, 6),
                    format_usd(e.output, 6),
                    format_usd(e.per_request, 6),
                    String::new(),
                ]),
                (None, Some(g)) => t.row(vec![
                    s.id.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{g:.0} ({} load)", pct(c.gpu_load_fraction.unwrap_or(0.0))),
                ]),
                (None, None) => {}
            }
        }
        out.push_str(
            "\nEffective cost per request: S·((1−h)·P_miss + h·P_hit) + D·P_miss + O·P_out\n",
        );
        out.push_str(&t.render());
        out.push('\n');
        for c in &eval.cheapest {
            out.push_str(&format!(
                "\nLowest LCPR for {}: {} at {} per accepted output\n",
                c.workload,
                c.scenario,
                lcpr(c.lcpr)
            ));
        }
        // Today's route as modelled, measured and reconciled, each named by kind and source.
        for c in lcpr_core::case::current_route::current_routes(ws, eval) {
            out.push_str(&format!("\nCurrent route of {}: {}\n", c.workload, c.name));
            for (k, v) in lcpr_core::report::memo::statement::current_route_figures(&c) {
                out.push_str(&format!("  {k}: {v}\n"));
            }
        }
    }
    if !eval.reconciliations.is_empty() {
        let mut t = Table::new(&[
            ("reconciliation", Align::Left),
            ("period", Align::Left),
            ("trace", Align::Right),
            ("invoice", Align::Right),
            ("delta", Align::Right),
            ("delta %", Align::Right),
            ("loaded cost", Align::Right),
            ("accepted", Align::Right),
            ("LCPR", Align::Right),
            ("margin", Align::Right),
            ("LCPR/naive", Align::Right),
        ]);
        for r in &eval.reconciliations {
            let period = format!("{} – {}", r.period.start, r.period.end);
            match &r.result {
                Some(m) => {
                    let delta_pct = m.delta_pct.map_or("—".to_owned(), |p| {
                        let flag = if m.delta_flagged { " ⚑ >5%" } else { "" };
                        format!("{}{flag}", pct(lcpr_core::money::to_f64(p)))
                    });
                    t.row(vec![
                        r.id.clone(),
                        period,
                        money(m.input.trace_cost),
                        money(m.input.invoice_amount),
                        money(m.delta),
                        delta_pct,
                        money(m.total_loaded_cost),
                        m.input.accepted_units.to_string(),
                        lcpr(lcpr_core::money::to_f64(m.lcpr)),
                        pct(lcpr_core::money::to_f64(m.gross_margin_pct)),
                        m.lcpr_to_naive_ratio.map_or("—".to_owned(), |v| {
                            format!("{:.2}×", lcpr_core::money::to_f64(v))
                        }),
                    ]);
                }
                None => t.row(vec![
                    r.id.clone(),
                    period,
                    format!("error: {}", r.error.as_deref().unwrap_or("?")),
                ]),
            }
        }
        out.push_str("\nTrace-to-invoice reconciliations\n");
        out.push_str(&t.render());
        out.push('\n');
    }
    if !eval.load_tests.is_empty() {
        let mut t = Table::new(&[
            ("load test", Align::Left),
            ("requests", Align::Right),
            ("throughput/s", Align::Right),
            ("accepted", Align::Right),
            ("goodput/s", Align::Right),
            ("cost/accepted", Align::Right),
            ("quality pass", Align::Right),
            ("latency pass", Align::Right),
            ("TTFT p99", Align::Right),
        ]);
        for l in &eval.load_tests {
            match &l.goodput {
                Some(g) => t.row(vec![
                    l.id.clone(),
                    g.total_requests.to_string(),
                    format!("{:.1}", g.throughput_rate),
                    g.accepted_requests.to_string(),
                    format!("{:.1}", g.goodput_rate),
                    g.cost_per_accepted
                        .map_or("—".to_owned(), |v| format_usd(v, 4)),
                    pct(g.quality_pass_rate),
                    pct(g.latency_pass_rate),
                    format!("{:.0} ms", g.ttft_ms.p99),
                ]),
                None => t.row(vec![
                    l.id.clone(),
                    format!("error: {}", l.error.as_deref().unwrap_or("?")),
                ]),
            }
        }
        out.push_str("\nGoodput under the workload's SLOs and quality gate\n");
        out.push_str(&t.render());
        out.push('\n');
        for l in &eval.load_tests {
            for gap in &l.methodology_gaps {
                out.push_str(&format!("  {}: {gap}\n", l.id));
            }
        }
    }
    for e in &eval.register_errors {
        out.push_str(&format!("\nwarning: {e}\n"));
    }
    out
}

/// Runs `lcpr compute`.
pub fn run_compute(file: &Path, json: bool) -> ExitCode {
    let (ws, eval) = match load_and_evaluate(file) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("lcpr compute: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    if json {
        match to_json(file, &ws, &eval) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("lcpr compute: {e:#}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", to_text(file, &ws, &eval));
    }
    ExitCode::SUCCESS
}
