//! GuideLLM's JSON report.

use super::*;

fn guidellm_request(v: &Value, success: bool, at: &str) -> InputResult<RunRequest> {
    let f = |key: &str| json_f64(v.get(key), &format!("{at}.{key}"));
    let start_s = match f("request_start_time")? {
        Some(s) => Some(s),
        None => f("start_time")?,
    };
    let ttft = f("time_to_first_token_ms")?;
    let e2e = f("request_latency")?.map(|s| s * 1000.0);
    let output_tokens = f("output_tokens")?;
    let tpot = match f("inter_token_latency_ms")? {
        Some(t) => Some(t),
        None => derived_tpot(ttft, e2e, output_tokens),
    };
    let request = RunRequest {
        start_s,
        success,
        ttft_ms: if success { ttft } else { None },
        tpot_ms: if success { tpot } else { None },
        e2e_ms: if success { e2e } else { None },
        input_tokens: f("prompt_tokens")?,
        output_tokens,
        quality_pass: None,
        cost: None,
    };
    check_request(&request, at)?;
    Ok(request)
}

pub(super) fn guidellm_count(v: Option<&Value>, status: &str) -> Option<usize> {
    present(v)
        .and_then(|t| t.get(status))
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

pub(super) fn guidellm_benchmark(b: &Value, at: &str, label: &str) -> InputResult<LoadTestRun> {
    let config = present(b.get("config")).or(present(b.get("args")));
    let strategy = config
        .and_then(|c| present(c.get("strategy")))
        .ok_or_else(|| bad(&format!("{at}.config.strategy"), "is missing"))?;
    let kind = strategy
        .get("type_")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(&format!("{at}.config.strategy.type_"), "is missing"))?;
    let mut notes = Vec::new();
    let (rate, arrivals) = match kind {
        "poisson" | "constant" => {
            let r = json_f64(strategy.get("rate"), &format!("{at}.config.strategy.rate"))?
                .filter(|r| *r > 0.0)
                .ok_or_else(|| bad(&format!("{at}.config.strategy.rate"), "must be > 0"))?;
            if kind == "constant" {
                notes.push("Open-loop arrivals at evenly spaced times, not Poisson.".to_owned());
            }
            (Some(r), ArrivalProcess::Poisson)
        }
        "synchronous" | "concurrent" | "throughput" => (None, ArrivalProcess::ClosedLoop),
        other => {
            return Err(bad(
                &format!("{at}.config.strategy.type_"),
                format!("names a strategy this reader does not know: {other:?}"),
            ));
        }
    };
    let requests_v =
        present(b.get("requests")).ok_or_else(|| bad(&format!("{at}.requests"), "is missing"))?;
    let list = |status: &str| -> InputResult<&[Value]> {
        match present(requests_v.get(status)) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(_) => Err(bad(&format!("{at}.requests.{status}"), "must be a list")),
        }
    };
    let (ok, errored, incomplete) = (list("successful")?, list("errored")?, list("incomplete")?);
    // The tool's own counts: the benchmark's metrics (0.7+), else the scheduler's, else the
    // older top-level totals.
    let (totals, totals_at) = [
        (&["metrics", "request_totals"][..], "metrics.request_totals"),
        (
            &["scheduler_metrics", "requests_made"][..],
            "scheduler_metrics.requests_made",
        ),
        (&["request_totals"][..], "request_totals"),
        (
            &["run_stats", "requests_made"][..],
            "run_stats.requests_made",
        ),
    ]
    .iter()
    .find_map(|(path, name)| present(at_path(b, path)).map(|v| (Some(v), *name)))
    .unwrap_or((None, "scheduler_metrics.requests_made"));
    let count = |status: &str| guidellm_count(totals, status);
    let sample_size = config
        .and_then(|c| present(c.get("sample_size")).or(present(c.get("sample_requests"))))
        .and_then(Value::as_u64);
    // A list shorter than the tool's count is a sample (`sample_size`, or an older report that
    // kept fewer requests than it counted). Requests cancelled at the end are counted
    // differently by the lists and the totals, so only completed and errored ones decide.
    let sampled = sample_size.is_some()
        || present(b.get("request_samples")).is_some()
        || count("successful").is_some_and(|n| n > ok.len())
        || count("errored").is_some_and(|n| n > errored.len());
    let run_totals = if sampled {
        let (Some(s), Some(e)) = (count("successful"), count("errored")) else {
            return Err(bad(
                &format!("{at}.{totals_at}"),
                "is missing: the request lists hold a sample, and the true counts of \
                 successful and errored requests are needed for rates",
            ));
        };
        let inc = count("incomplete").unwrap_or(0);
        let s = s.max(ok.len());
        let failed = (e + inc).max(errored.len() + incomplete.len());
        Some(RunTotals {
            successful: s as u64,
            failed: failed as u64,
        })
    } else {
        None
    };
    let mut requests = Vec::with_capacity(ok.len() + errored.len() + incomplete.len());
    for (status, items, success) in [
        ("successful", ok, true),
        ("errored", errored, false),
        ("incomplete", incomplete, false),
    ] {
        for (i, v) in items.iter().enumerate() {
            requests.push(guidellm_request(
                v,
                success,
                &format!("{at}.requests.{status}[{i}]"),
            )?);
        }
    }
    if !incomplete.is_empty() {
        notes.push(format!(
            "{} requests still in flight at the end are counted as failed attempts.",
            incomplete.len()
        ));
    }
    let duration_seconds = match json_f64(b.get("duration"), &format!("{at}.duration"))? {
        Some(d) => d,
        None => {
            let start = json_f64(b.get("start_time"), &format!("{at}.start_time"))?;
            let end = json_f64(b.get("end_time"), &format!("{at}.end_time"))?;
            match (start, end) {
                (Some(s), Some(e)) => e - s,
                _ => return Err(bad(&format!("{at}.duration"), "is missing")),
            }
        }
    };
    let warmup = match config {
        Some(c) => {
            let old = ["warmup_number", "warmup_duration"]
                .iter()
                .filter_map(|k| present(c.get(*k)).and_then(Value::as_f64))
                .any(|v| v > 0.0);
            let new = match present(c.get("warmup")) {
                Some(Value::Object(w)) => ["percent", "value"]
                    .iter()
                    .filter_map(|k| w.get(*k).and_then(Value::as_f64))
                    .any(|v| v > 0.0),
                Some(v) => v.as_f64().is_some_and(|x| x > 0.0),
                None => false,
            };
            Some(old || new)
        }
        None => None,
    };
    let mut load = vec![kind.to_owned()];
    match (rate, kind) {
        (Some(r), _) => load.push(rate_part(r)),
        (None, "concurrent") => {
            if let Some(c) = strategy
                .get("streams")
                .or_else(|| strategy.get("max_concurrency"))
                .and_then(Value::as_f64)
            {
                load.push(format!("c{c}"));
            }
        }
        _ => {}
    }
    let started = json_f64(b.get("start_time"), &format!("{at}.start_time"))?.and_then(unix_stamp);
    let run = LoadTestRun {
        run_id: Some(make_run_id("guidellm", &load, started.as_deref())),
        label: match rate {
            Some(r) => format!("{label} {kind}@{r}"),
            None => format!("{label} {kind}"),
        },
        request_rate: rate,
        duration_seconds,
        requests,
        evidence: MethodologyEvidence {
            arrivals: Some(arrivals),
            warmup_excluded: warmup,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::GuideLlm,
        notes,
        totals: run_totals,
    };
    run.validate().map_err(|e| e.within(at))?;
    let mut run = run;
    if let Some(n) = run.sample_note() {
        run.notes.push(format!(
            "{n}: counts and rates from {totals_at}, percentiles from the sample."
        ));
    }
    Ok(run)
}

/// Reads a GuideLLM report: one run per entry of `benchmarks`.
///
/// Per request: `time_to_first_token_ms`, `inter_token_latency_ms` (TPOT), `request_latency`
/// (seconds), `prompt_tokens`, `output_tokens`, `request_start_time` or `start_time`. The
/// strategy (`config.strategy` or, in older reports, `args.strategy`) gives the rate:
/// `poisson` and `constant` are open-loop at `rate`; `synchronous`, `concurrent` and
/// `throughput` are closed loop. Errored and incomplete requests are failed attempts.
pub fn read_guidellm(text: &str, label: &str) -> InputResult<Vec<LoadTestRun>> {
    let root = parse_json(text)?;
    let benchmarks = array(&root, "benchmarks")?
        .ok_or_else(|| bad("benchmarks", "is missing: not a GuideLLM report"))?;
    if benchmarks.is_empty() {
        return Err(bad("benchmarks", "holds no benchmarks"));
    }
    benchmarks
        .iter()
        .enumerate()
        .map(|(i, b)| guidellm_benchmark(b, &format!("benchmarks[{i}]"), label))
        .collect()
}
