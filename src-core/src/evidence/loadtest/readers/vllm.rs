//! vLLM's saved serving benchmark (`vllm bench serve --save-result --save-detailed`).

use super::*;

fn vllm_seconds_list(root: &Value, key: &str, n: usize) -> InputResult<Option<Vec<Option<f64>>>> {
    let Some(items) = array(root, key)? else {
        return Ok(None);
    };
    if items.len() != n {
        return Err(bad(
            key,
            format!("must hold one entry per request ({n}), got {}", items.len()),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| json_f64(Some(v), &format!("{key}[{i}]")))
        .collect::<InputResult<Vec<_>>>()
        .map(Some)
}

pub(super) fn vllm_percentile_key(key: &str) -> bool {
    key.strip_prefix('p').is_some_and(|rest| {
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        !digits.is_empty()
            && rest.get(digits.len()..).is_some_and(|t| t.starts_with('_'))
            && key.ends_with("_ms")
    })
}

/// Reads vLLM's saved serving benchmark (`--save-result`, with per-request detail).
///
/// Keys read: `ttfts`, `itls` (lists of gaps), `input_lens`, `output_lens`, `errors` (empty
/// string = success), `latencies` and `start_times` when present (newer files), all in seconds;
/// `duration`, `completed`, `failed`, `request_rate` (a number or `"inf"`), `burstiness`,
/// `max_concurrency`, and the tool's own `request_goodput` (older files spell it
/// `request_goodput:`). Without `latencies`, E2E is TTFT plus the sum of the request's gaps.
pub fn read_vllm(text: &str, label: &str) -> InputResult<LoadTestRun> {
    vllm_run(&parse_json(text)?, label)
}

/// Reads a vLLM `--append-result` file: one saved benchmark per line, one run each, in file
/// order. A refusal names the line.
pub fn read_vllm_lines(text: &str, label: &str) -> InputResult<Vec<LoadTestRun>> {
    let mut runs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {}", i + 1);
        let root: Value =
            serde_json::from_str(line).map_err(|e| bad(&at, format!("is not valid JSON: {e}")))?;
        let mut run =
            vllm_run(&root, &format!("{label} line {}", i + 1)).map_err(|e| e.within(&at))?;
        if runs.iter().any(|r: &LoadTestRun| r.run_id == run.run_id) {
            run.run_id = run.run_id.map(|id| format!("{id}-line{}", i + 1));
        }
        runs.push(run);
    }
    if runs.is_empty() {
        return Err(bad("", "holds no benchmark results"));
    }
    Ok(runs)
}

/// How many requests the per-request arrays must each hold: `num_prompts` when the file has
/// it, else `completed` + `failed`, else the length most of the arrays share; so the one
/// array that disagrees is the one named.
fn vllm_request_count(root: &Value) -> InputResult<usize> {
    if let Some(n) = json_f64(root.get("num_prompts"), "num_prompts")? {
        return Ok(n as usize);
    }
    if let (Some(c), Some(f)) = (
        json_f64(root.get("completed"), "completed")?,
        json_f64(root.get("failed"), "failed")?,
    ) {
        return Ok((c + f) as usize);
    }
    let mut lengths: Vec<usize> = VLLM_ARRAYS
        .iter()
        .filter_map(|k| root.get(*k).and_then(Value::as_array).map(Vec::len))
        .collect();
    lengths.sort_unstable();
    let mut best = (0usize, 0usize);
    for &l in &lengths {
        let count = lengths.iter().filter(|&&m| m == l).count();
        if count > best.1 {
            best = (l, count);
        }
    }
    Ok(best.0)
}

/// The per-request arrays, `ttfts` first.
const VLLM_ARRAYS: [&str; 7] = [
    "ttfts",
    "input_lens",
    "output_lens",
    "itls",
    "errors",
    "latencies",
    "start_times",
];

fn vllm_run(root: &Value, label: &str) -> InputResult<LoadTestRun> {
    if !root.is_object() {
        return Err(bad("", "must be a JSON object"));
    }
    if present(root.get("ramp_up_strategy")).is_some() {
        return Err(bad(
            "ramp_up_strategy",
            "is set: the rate changed during the run, and a goodput point needs one constant rate",
        ));
    }
    let Some(ttfts) = array(root, "ttfts")? else {
        return Err(bad(
            "ttfts",
            "is missing: the result was saved without per-request detail (vllm bench serve \
             --save-detailed); goodput needs each request's latencies, not the summary",
        ));
    };
    if ttfts.is_empty() {
        return Err(bad("ttfts", "holds no requests"));
    }
    let n = vllm_request_count(root)?;
    let ttft_s = vllm_seconds_list(root, "ttfts", n)?.unwrap_or_default();
    let input = vllm_seconds_list(root, "input_lens", n)?;
    let output = vllm_seconds_list(root, "output_lens", n)?.ok_or_else(|| {
        bad(
            "output_lens",
            "is missing: TPOT needs each request's output tokens",
        )
    })?;
    let latencies = vllm_seconds_list(root, "latencies", n)?;
    let starts = vllm_seconds_list(root, "start_times", n)?;
    let itls = array(root, "itls")?;
    if let Some(list) = itls
        && list.len() != n
    {
        return Err(bad(
            "itls",
            format!("must hold one entry per request ({n}), got {}", list.len()),
        ));
    }
    let errors = array(root, "errors")?;
    if let Some(list) = errors
        && list.len() != n
    {
        return Err(bad(
            "errors",
            format!("must hold one entry per request ({n}), got {}", list.len()),
        ));
    }
    let completed = json_f64(root.get("completed"), "completed")?;
    let mut notes = Vec::new();
    let mut requests = Vec::with_capacity(n);
    for i in 0..n {
        let at = format!("requests[{i}]");
        let success = match errors.and_then(|e| e.get(i)) {
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Null) => true,
            Some(other) => {
                return Err(bad(
                    &format!("errors[{i}]"),
                    format!("must be a string, got {other}"),
                ));
            }
            None => match completed {
                Some(c) if c == n as f64 => true,
                _ => {
                    return Err(bad(
                        "errors",
                        "is missing and completed does not cover every request, so failed \
                         requests cannot be told apart",
                    ));
                }
            },
        };
        let ttft = ttft_s.get(i).copied().flatten().map(|s| s * 1000.0);
        let gaps: Option<f64> = match itls.and_then(|l| l.get(i)) {
            None | Some(Value::Null) => None,
            Some(Value::Array(g)) => Some(
                g.iter()
                    .enumerate()
                    .map(|(j, v)| {
                        json_f64(Some(v), &format!("itls[{i}][{j}]")).map(|x| x.unwrap_or(0.0))
                    })
                    .sum::<InputResult<f64>>()?,
            ),
            Some(_) => return Err(bad(&format!("itls[{i}]"), "must be a list of gaps")),
        };
        let e2e = match latencies.as_ref().and_then(|l| l.get(i).copied().flatten()) {
            Some(s) => Some(s * 1000.0),
            None if success => match (ttft, gaps) {
                (Some(t), Some(g)) => Some(t + g * 1000.0),
                _ => None,
            },
            None => None,
        };
        let output_tokens = output.get(i).copied().flatten();
        let request = RunRequest {
            start_s: starts.as_ref().and_then(|s| s.get(i).copied().flatten()),
            success,
            ttft_ms: if success { ttft } else { None },
            tpot_ms: if success {
                derived_tpot(ttft, e2e, output_tokens)
            } else {
                None
            },
            e2e_ms: if success { e2e } else { None },
            input_tokens: input.as_ref().and_then(|l| l.get(i).copied().flatten()),
            output_tokens,
            quality_pass: None,
            cost: None,
        };
        check_request(&request, &at)?;
        requests.push(request);
    }
    if latencies.is_none() {
        notes.push("E2E is TTFT plus the inter-token gaps (the file has no latencies).".to_owned());
    }
    let successes = requests.iter().filter(|r| r.success).count();
    if let Some(c) = completed
        && c != successes as f64
    {
        return Err(bad(
            "completed",
            format!("says {c} requests completed but the errors list marks {successes} successful"),
        ));
    }
    let duration_seconds = json_f64(root.get("duration"), "duration")?.ok_or_else(|| {
        bad(
            "duration",
            "is missing: the run's length is needed for rates",
        )
    })?;
    let rate = match present(root.get("request_rate")) {
        Some(v) => cell_rate(Cell::Json(v), "request_rate")?,
        None => None,
    };
    let burstiness = json_f64(root.get("burstiness"), "burstiness")?;
    let max_concurrency = json_f64(root.get("max_concurrency"), "max_concurrency")?;
    let arrivals = match rate {
        Some(Rate::Unbounded) => Some(ArrivalProcess::ClosedLoop),
        Some(Rate::Finite(_)) => {
            if let Some(b) = burstiness
                && b != 1.0
            {
                notes.push(format!(
                    "Open-loop arrivals with gamma-distributed gaps (burstiness {b}), not Poisson."
                ));
            }
            Some(ArrivalProcess::Poisson)
        }
        None => None,
    };
    if let (Some(Rate::Finite(_)), Some(c)) = (rate, max_concurrency) {
        notes.push(format!(
            "Client concurrency was capped at {c}: above it, arrivals waited at the client."
        ));
    }
    for key in ["request_goodput", "request_goodput:"] {
        if let Some(g) = json_f64(root.get(key), key)? {
            notes.push(format!(
                "vLLM reported its own goodput of {g:.3} req/s under its --goodput SLOs."
            ));
        }
    }
    let reported_tails = root
        .as_object()
        .is_some_and(|o| o.keys().any(|k| vllm_percentile_key(k)));
    if !reported_tails {
        notes.push(
            "The file reports no percentiles of its own; tails are computed from its requests."
                .to_owned(),
        );
    }
    let mut load = vec![match rate {
        Some(Rate::Finite(r)) => rate_part(r),
        Some(Rate::Unbounded) => "inf".to_owned(),
        None => String::new(),
    }];
    if let Some(c) = max_concurrency {
        load.push(format!("c{c}"));
    }
    let date = root.get("date").and_then(Value::as_str);
    let run = LoadTestRun {
        run_id: Some(make_run_id("vllm", &load, date)),
        label: label.to_owned(),
        request_rate: match rate {
            Some(Rate::Finite(r)) => Some(r),
            _ => None,
        },
        duration_seconds,
        requests,
        evidence: MethodologyEvidence {
            arrivals,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::Vllm,
        notes,
        totals: None,
    };
    run.validate()?;
    Ok(run)
}
