//! `lcpr sources FILE [--bind INPUT --from SOURCE] [--refresh] [--json]`: where every input
//! bound by the register takes its value from, what evidence could supply it instead, and
//! what is out of step with its evidence; `--bind` switches one input's source and
//! `--refresh` brings every evidence-backed input in step (both save the file atomically).

use std::path::Path;
use std::process::ExitCode;

use lcpr_core::case::sources::{self, Choice, InputSource, Refresh};
use lcpr_core::document::{self, Binding, BindingTarget, Workspace};
use serde::Serialize;

use super::EXIT_INVALID_INPUT;
use super::table::{Align, Table};

/// One bound input, as listed.
#[derive(Debug, Serialize)]
struct Listed {
    input: String,
    value: Option<f64>,
    source: String,
    entry: Option<String>,
    status: Option<String>,
    date: Option<String>,
    /// Evidence that could supply it instead.
    offers: Vec<String>,
}

/// Reads `TARGET.ID.FIELD` (an id may itself hold dots: `rate_card.gpt-5.4.output_per_m`).
fn parse_input(text: &str) -> Result<Binding, String> {
    let bad = || {
        format!(
            "--bind: must be TARGET.ID.FIELD with TARGET one of workload, scenario, rate_card, \
             route (e.g. workload.support-chat.retry_rate), got {text:?}"
        )
    };
    let (target, rest) = text.split_once('.').ok_or_else(bad)?;
    let (id, field) = rest.rsplit_once('.').ok_or_else(bad)?;
    let target = [
        BindingTarget::Workload,
        BindingTarget::Scenario,
        BindingTarget::RateCard,
        BindingTarget::Route,
    ]
    .into_iter()
    .find(|t| t.name() == target)
    .ok_or_else(bad)?;
    let b = Binding {
        target,
        id: id.to_owned(),
        field: field.to_owned(),
    };
    b.field_ref().map_err(|e| format!("--bind: {e}"))?;
    Ok(b)
}

fn parse_choice(text: &str) -> Result<Choice, String> {
    match text.trim() {
        "typed" => Ok(Choice::Typed),
        "register" => Ok(Choice::Register),
        other => other
            .parse()
            .map(Choice::Evidence)
            .map_err(|e| format!("--from: typed, register, or {e}")),
    }
}

fn listed(ws: &Workspace) -> Vec<Listed> {
    let resolved = lcpr_core::case::evaluation::apply_register(ws).0;
    let mut seen: Vec<&Binding> = Vec::new();
    let mut out = Vec::new();
    for e in &ws.register {
        let Some(b) = &e.binds else { continue };
        if seen.contains(&b) {
            continue;
        }
        seen.push(b);
        let (source, entry) = match sources::source_of(ws, b) {
            InputSource::Typed => ("typed".to_owned(), None),
            InputSource::Register(i) => ("register".to_owned(), ws.register.get(i)),
            InputSource::Evidence(i, s) => (s.to_string(), ws.register.get(i)),
        };
        out.push(Listed {
            input: format!("{}.{}.{}", b.target.name(), b.id, b.field),
            value: resolved.read_binding(b),
            source,
            entry: entry.map(|e| e.id.clone()),
            status: entry.map(|e| e.status.name().to_owned()),
            date: entry.map(|e| e.date.to_string()),
            offers: sources::offers(ws, b)
                .into_iter()
                .filter(|(_, v)| v.is_ok())
                .map(|(s, _)| s.to_string())
                .collect(),
        });
    }
    out
}

fn text(file: &Path, list: &[Listed], stale: &[String], changed: Option<&Refresh>) -> String {
    let mut t = Table::new(&[
        ("input", Align::Left),
        ("value", Align::Right),
        ("source", Align::Left),
        ("status", Align::Left),
        ("date", Align::Left),
        ("could come from", Align::Left),
    ]);
    for l in list {
        t.row(vec![
            l.input.clone(),
            l.value.map_or_else(|| "—".to_owned(), sources::short),
            l.source.clone(),
            l.status.clone().unwrap_or_default(),
            l.date.clone().unwrap_or_default(),
            l.offers.join(", "),
        ]);
    }
    let mut out = format!(
        "{}: {} input(s) set by the register; every other input is typed in its editor\n{}\n",
        file.display(),
        list.len(),
        t.render()
    );
    if let Some(r) = changed {
        out.push_str(&super::import::moved_text(&r.moved, &r.problems));
    }
    for s in stale {
        out.push_str(&format!(
            "  out of step with its evidence: {s} (run with --refresh)\n"
        ));
    }
    out
}

/// Runs `lcpr sources`.
pub fn run(
    file: &Path,
    bind: Option<&str>,
    from: Option<&str>,
    refresh: bool,
    json: bool,
) -> ExitCode {
    match run_inner(file, bind, from, refresh) {
        Ok((list, stale, changed)) => {
            if json {
                let v = serde_json::json!({
                    "file": file.display().to_string(),
                    "inputs": list,
                    "stale": stale,
                    "moved": changed.as_ref().map(|r| &r.moved),
                    "problems": changed.as_ref().map(|r| &r.problems),
                });
                match serde_json::to_string_pretty(&v) {
                    Ok(t) => println!("{t}"),
                    Err(e) => {
                        eprintln!("lcpr sources: cannot write JSON: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                print!("{}", text(file, &list, &stale, changed.as_ref()));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lcpr sources: {e}");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
    }
}

type Ran = (Vec<Listed>, Vec<String>, Option<Refresh>);

fn run_inner(
    file: &Path,
    bind: Option<&str>,
    from: Option<&str>,
    refresh: bool,
) -> Result<Ran, String> {
    let writes = bind.is_some() || refresh;
    let _lock = if writes {
        Some(document::WorkspaceLock::acquire(file, "lcpr sources").map_err(|e| e.to_string())?)
    } else {
        None
    };
    let mut ws = document::load(file).map_err(|e| e.to_string())?;
    let mut changed = None;
    if writes {
        let mut next = ws.clone();
        let mut moved_by_bind = Vec::new();
        match (bind, from) {
            (Some(b), Some(f)) => {
                let binding = parse_input(b)?;
                let choice = parse_choice(f)?;
                let today = document::Date::today().ok_or("the system clock is before 1970")?;
                let m = sources::choose_and_report(&mut next, &binding, &choice, today)
                    .map_err(|e| format!("nothing was changed: {b}: {e}"))?;
                moved_by_bind.push(m);
            }
            (Some(_), None) => return Err("--bind needs --from SOURCE".to_owned()),
            (None, Some(_)) => return Err("--from needs --bind INPUT".to_owned()),
            (None, None) => {}
        }
        let mut r = sources::refresh(&mut next);
        moved_by_bind.append(&mut r.moved);
        r.moved = moved_by_bind;
        if let Some(v) = document::validate(&next).into_iter().next() {
            return Err(format!("nothing was changed: {v}"));
        }
        document::save(&next, file).map_err(|e| e.to_string())?;
        ws = next;
        changed = Some(r);
    }
    let stale = sources::stale(&ws);
    Ok((listed(&ws), stale, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_target_id_field_and_the_id_may_hold_dots() {
        let b = parse_input("rate_card.gpt-5.4.output_per_m").unwrap();
        assert_eq!(b.target, BindingTarget::RateCard);
        assert_eq!(b.id, "gpt-5.4");
        assert_eq!(b.field, "output_per_m");
        assert!(parse_input("card.x.output_per_m").is_err());
        assert!(parse_input("workload.support.no_such_field").is_err());
    }

    #[test]
    fn a_source_is_typed_register_or_kind_and_id() {
        assert_eq!(parse_choice("typed").unwrap(), Choice::Typed);
        assert_eq!(parse_choice("register").unwrap(), Choice::Register);
        assert!(
            matches!(parse_choice("baseline b1").unwrap(), Choice::Evidence(s) if s.id == "b1")
        );
        assert!(parse_choice("invoice x").is_err());
        assert!(parse_choice("baseline").is_err());
    }
}
