//! `lcpr catalog`: the shipped, dated catalog (token prices, GPU offers, accelerators, model
//! shapes), and `lcpr new`: a complete case from a workload template and catalog rows.

use std::path::PathBuf;
use std::process::ExitCode;

use lcpr_core::case::template::{self, NewCase};
use lcpr_core::document::{self, Date};
use lcpr_core::evidence::catalog::{self, Kind};

use super::EXIT_INVALID_INPUT;
use super::table::{Align, Table};

/// What to list.
#[derive(clap::Args)]
pub struct ListArgs {
    /// One kind of row (default: every kind).
    #[arg(long, value_parser = ["tokens", "gpus", "accelerators", "models"])]
    kind: Option<String>,
    /// Keep rows whose id, provider, model or accelerator holds every word.
    #[arg(long)]
    search: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// What to make the case of.
#[derive(clap::Args)]
pub struct NewArgs {
    /// The workload template (`lcpr new --list` names them).
    #[arg(long, required_unless_present = "list")]
    template: Option<String>,
    /// The catalog row serving the workload today: a token key or a GPU offer id.
    #[arg(long, required_unless_present = "list")]
    current: Option<String>,
    /// One to three catalog rows to compare with it.
    #[arg(long, num_args = 1..=3, required_unless_present = "list")]
    candidate: Vec<String>,
    /// The workload's name (default: the template's).
    #[arg(long)]
    name: Option<String>,
    /// Requests per month (default: the template's).
    #[arg(long)]
    volume: Option<f64>,
    /// Who answers for the numbers.
    #[arg(long, default_value = "")]
    owner: String,
    /// The case's date, YYYY-MM-DD (default: today).
    #[arg(long)]
    date: Option<String>,
    /// The workspace file to write; an existing file is never overwritten.
    #[arg(short = 'o', long, required_unless_present = "list")]
    output: Option<PathBuf>,
    /// List the templates instead.
    #[arg(long)]
    list: bool,
}

fn fail(message: &str) -> ExitCode {
    eprintln!("lcpr: {message}");
    ExitCode::from(EXIT_INVALID_INPUT)
}

/// Runs `lcpr catalog`.
pub fn run_list(args: &ListArgs) -> ExitCode {
    let c = match catalog::shipped() {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    let query = args.search.as_deref().unwrap_or("");
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| args.kind.as_deref().is_none_or(|n| n == k.name()))
        .collect();
    let listings: Vec<catalog::Listing> = kinds.iter().map(|k| c.listing(*k, query)).collect();
    let today = Date::today().unwrap_or(c.snapshot);
    if args.json {
        let value = serde_json::json!({
            "snapshot": c.snapshot,
            "age_days": c.age_days(today),
            "listings": listings,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "LCPR catalog of {} ({} days old); every row names its source and date (--json).",
        c.snapshot,
        c.age_days(today)
    );
    for l in &listings {
        println!("\n{} ({} rows)", l.kind.title(), l.rows.len());
        let columns: Vec<(&str, Align)> = l
            .columns
            .iter()
            .enumerate()
            .map(|(i, h)| (*h, if i >= 3 { Align::Right } else { Align::Left }))
            .collect();
        let mut table = Table::new(&columns);
        for r in &l.rows {
            table.row(r.cells.clone());
        }
        print!("{}", table.render());
    }
    ExitCode::SUCCESS
}

/// Runs `lcpr new`.
pub fn run_new(args: NewArgs) -> ExitCode {
    if args.list {
        return match template::shipped() {
            Ok(all) => {
                for t in all {
                    println!("{:<14} {} — {}", t.id, t.name, t.summary);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let (Some(name), Some(current), Some(output)) = (args.template, args.current, args.output)
    else {
        return fail("lcpr new needs --template, --current, --candidate and -o");
    };
    let today = match args.date.as_deref().map(str::parse::<Date>).transpose() {
        Ok(d) => d.or_else(Date::today).unwrap_or(Date::EPOCH),
        Err(e) => return fail(&format!("--date {e}")),
    };
    if output.exists() {
        return fail(&format!(
            "{} exists; lcpr new writes a new file (remove it or name another)",
            output.display()
        ));
    }
    let result = catalog::shipped()
        .map_err(|e| e.to_string())
        .and_then(|c| {
            let spec = NewCase {
                template: template::by_id(&name)?,
                workload_name: args.name,
                monthly_requests: args.volume,
                current,
                candidates: args.candidate,
                owner: args.owner,
                today,
            };
            template::new_case(&c, &spec)
        })
        .and_then(|ws| {
            document::save(&ws, &output)
                .map(|()| ws)
                .map_err(|e| e.to_string())
        });
    match result {
        Ok(ws) => {
            println!(
                "Wrote {}: {} rate cards, {} routes, {} scenarios, {} register entries (all assumed), migration and forecast sections",
                output.display(),
                ws.rate_cards.len(),
                ws.routes.len(),
                ws.scenarios.len(),
                ws.register.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
