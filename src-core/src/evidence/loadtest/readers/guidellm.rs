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
    // Sampled lists hold a subset of the requests; rates from them would be wrong.
    let totals = present(b.get("request_totals"))
        .or_else(|| at_path(b, &["scheduler_metrics", "requests_made"]));
    let complete = [
        ("successful", ok.len()),
        ("errored", errored.len()),
        ("incomplete", incomplete.len()),
    ]
    .iter()
    .all(|(status, held)| guidellm_count(totals, status) == Some(*held));
    let sample_size = config
        .and_then(|c| present(c.get("sample_requests")))
        .and_then(Value::as_u64);
    let sampled = present(b.get("request_samples")).is_some() || sample_size.is_some();
    if sampled && !complete {
        return Err(bad(
            &format!("{at}.requests"),
            format!(
                "holds a sample of the requests ({}), not all of them; goodput needs every \
                 request: rerun with --sample-requests none",
                sample_size.map_or("request_samples is set".to_owned(), |s| format!(
                    "sample_requests = {s}"
                ))
            ),
        ));
    }
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
    let run = LoadTestRun {
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
    };
    run.validate().map_err(|e| e.within(at))?;
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
