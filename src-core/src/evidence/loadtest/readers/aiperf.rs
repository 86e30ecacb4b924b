//! NVIDIA AIPerf's per-request `profile_export.jsonl` and its summary.

use super::*;

fn aiperf_ms(metrics: Option<&Value>, name: &str, at: &str) -> InputResult<Option<f64>> {
    let Some(m) = metrics.and_then(|m| present(m.get(name))) else {
        return Ok(None);
    };
    let field = field_path(at, &format!("metrics.{name}"));
    let value = json_f64(m.get("value"), &format!("{field}.value"))?;
    let scale = match m.get("unit").and_then(Value::as_str).unwrap_or("ms") {
        "ms" => 1.0,
        "ns" => 1e-6,
        "us" | "µs" => 1e-3,
        "s" | "sec" => 1000.0,
        "tokens" => 1.0,
        other => {
            return Err(bad(
                &format!("{field}.unit"),
                format!("must be ms, us, ns, sec or tokens, got {other:?}"),
            ));
        }
    };
    Ok(value.map(|v| v * scale))
}

/// Reads AIPerf's `profile_export.jsonl` (one record per request), and the load settings from
/// its `profile_export_aiperf.json` when `aggregate` is given.
///
/// Per record: `metrics.time_to_first_token`, `inter_token_latency` (TPOT), `request_latency`,
/// `input_sequence_length`, `output_sequence_length` (or `output_token_count`), each
/// `{value, unit}`; `metadata.request_start_ns` (or `timestamp_ns`) and `request_end_ns`;
/// `error` (non-null = failed). Records of the `warmup` phase (`benchmark_phase` or
/// `credit_phase`) are left out. From the summary, `input_config.loadgen.request_rate` is the
/// offered rate; a `concurrency` without a rate is a closed loop.
pub fn read_aiperf(jsonl: &str, aggregate: Option<&str>, label: &str) -> InputResult<LoadTestRun> {
    let mut requests = Vec::new();
    let mut warmups = 0usize;
    let (mut first_ns, mut last_ns) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, line) in jsonl.lines().enumerate() {
        let at = format!("line {}", i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let record: Value =
            serde_json::from_str(line).map_err(|e| bad(&at, format!("is not valid JSON: {e}")))?;
        let meta = present(record.get("metadata")).ok_or_else(|| {
            bad(
                &field_path(&at, "metadata"),
                "is missing: not an AIPerf record",
            )
        })?;
        let phase = meta
            .get("benchmark_phase")
            .or_else(|| meta.get("credit_phase"))
            .and_then(Value::as_str)
            .unwrap_or("profiling");
        if phase.eq_ignore_ascii_case("warmup") {
            warmups += 1;
            continue;
        }
        let metrics = present(record.get("metrics"));
        let cancelled = meta.get("was_cancelled").and_then(Value::as_bool) == Some(true);
        let success = present(record.get("error")).is_none() && !cancelled;
        let ttft = aiperf_ms(metrics, "time_to_first_token", &at)?;
        let e2e = aiperf_ms(metrics, "request_latency", &at)?;
        let output_tokens = match aiperf_ms(metrics, "output_sequence_length", &at)? {
            Some(n) => Some(n),
            None => aiperf_ms(metrics, "output_token_count", &at)?,
        };
        if success && ttft.is_none() {
            return Err(bad(
                &field_path(&at, "metrics.time_to_first_token"),
                "is missing: TTFT is recorded only for streaming runs (aiperf --streaming)",
            ));
        }
        let tpot = match aiperf_ms(metrics, "inter_token_latency", &at)? {
            Some(t) => Some(t),
            None => derived_tpot(ttft, e2e, output_tokens),
        };
        let start_ns = json_f64(
            meta.get("request_start_ns")
                .or_else(|| meta.get("timestamp_ns")),
            &field_path(&at, "metadata.request_start_ns"),
        )?;
        let end_ns = match json_f64(
            meta.get("request_end_ns"),
            &field_path(&at, "metadata.request_end_ns"),
        )? {
            Some(e) => Some(e),
            None => start_ns.zip(e2e).map(|(s, l)| s + l * 1e6),
        };
        if let Some(s) = start_ns {
            first_ns = first_ns.min(s);
        }
        if let Some(e) = end_ns {
            last_ns = last_ns.max(e);
        }
        let request = RunRequest {
            start_s: start_ns.map(|s| s / 1e9),
            success,
            ttft_ms: if success { ttft } else { None },
            tpot_ms: if success { tpot } else { None },
            e2e_ms: if success { e2e } else { None },
            input_tokens: match aiperf_ms(metrics, "input_sequence_length", &at)? {
                Some(n) => Some(n),
                None => aiperf_ms(metrics, "error_isl", &at)?,
            },
            output_tokens,
            quality_pass: None,
            cost: None,
        };
        check_request(&request, &at)?;
        requests.push(request);
    }
    if requests.is_empty() {
        return Err(bad("", "holds no measured records"));
    }
    if last_ns.partial_cmp(&first_ns) != Some(std::cmp::Ordering::Greater) {
        return Err(bad(
            "metadata.request_start_ns",
            "is missing: the run's length is measured from the records' start and end times",
        ));
    }
    let mut notes = Vec::new();
    if warmups > 0 {
        notes.push(format!("{warmups} warmup records left out."));
    }
    let mut rate = None;
    let mut arrivals = None;
    let mut warmup_excluded = (warmups > 0).then_some(true);
    let mut load = Vec::new();
    match aggregate {
        Some(text) => {
            let root = parse_json(text).map_err(|e| e.within("profile_export_aiperf.json"))?;
            let settings = aiperf_load(&root)?;
            if let Some(r) = settings.rate {
                rate = Some(r);
                arrivals = Some(ArrivalProcess::Poisson);
                load.push(settings.kind.clone().unwrap_or_default());
                load.push(rate_part(r));
                if settings
                    .kind
                    .as_deref()
                    .is_some_and(|k| k.contains("constant"))
                {
                    notes
                        .push("Open-loop arrivals at evenly spaced times, not Poisson.".to_owned());
                }
            } else if let Some(c) = settings.concurrency {
                arrivals = Some(ArrivalProcess::ClosedLoop);
                load.push(format!("c{c}"));
            }
            if let Some(w) = settings.warmup_requests {
                warmup_excluded = Some(w > 0.0 || warmups > 0);
            }
            notes.push(format!(
                "Load settings from the summary's {}.",
                settings.from
            ));
        }
        None => notes.push(
            "Request rate and load mode not known: they are in profile_export_aiperf.json."
                .to_owned(),
        ),
    }
    let started = first_ns
        .is_finite()
        .then(|| first_ns / 1e9)
        .and_then(unix_stamp);
    let run = LoadTestRun {
        run_id: Some(make_run_id("aiperf", &load, started.as_deref())),
        label: label.to_owned(),
        request_rate: rate,
        duration_seconds: (last_ns - first_ns) / 1e9,
        requests,
        evidence: MethodologyEvidence {
            arrivals,
            warmup_excluded,
            tail_latency_recorded: Some(true),
            quality_gate_applied: Some(false),
            ..MethodologyEvidence::default()
        },
        source: SourceFormat::AiPerf,
        notes,
        totals: None,
    };
    run.validate()?;
    Ok(run)
}

/// The load an AIPerf run was given, from its summary.
struct AiperfLoad {
    kind: Option<String>,
    rate: Option<f64>,
    concurrency: Option<f64>,
    warmup_requests: Option<f64>,
    from: &'static str,
}

/// Reads the load settings from `input_config.phases[]` (0.13: the measured phase is the
/// one of kind `profiling`, or the first not excluded from results; a warm-up phase is one
/// excluded from them) or, in older summaries, `input_config.loadgen`.
fn aiperf_load(root: &Value) -> InputResult<AiperfLoad> {
    if let Some(phases) = present(at_path(root, &["input_config", "phases"])) {
        let Value::Array(list) = phases else {
            return Err(bad("input_config.phases", "must be a list"));
        };
        let excluded = |p: &Value| {
            p.get("exclude_from_results").and_then(Value::as_bool) == Some(true)
                || p.get("kind").and_then(Value::as_str) == Some("warmup")
        };
        let measured = list
            .iter()
            .position(|p| p.get("kind").and_then(Value::as_str) == Some("profiling"))
            .or_else(|| list.iter().position(|p| !excluded(p)))
            .ok_or_else(|| bad("input_config.phases", "holds no measured (profiling) phase"))?;
        let at = format!("input_config.phases[{measured}]");
        let p = &list[measured];
        let rate = json_f64(
            p.get("rate").or_else(|| p.get("request_rate")),
            &format!("{at}.rate"),
        )?
        .filter(|r| *r > 0.0);
        let concurrency = json_f64(p.get("concurrency"), &format!("{at}.concurrency"))?;
        let mut warmup = None;
        for (i, w) in list.iter().enumerate().filter(|(_, w)| excluded(w)) {
            let n = json_f64(
                w.get("requests").or_else(|| w.get("request_count")),
                &format!("input_config.phases[{i}].requests"),
            )?;
            warmup = Some(warmup.unwrap_or(0.0) + n.unwrap_or(1.0));
        }
        return Ok(AiperfLoad {
            kind: p.get("type").and_then(Value::as_str).map(str::to_owned),
            rate,
            concurrency,
            warmup_requests: warmup.or(Some(0.0)),
            from: "input_config.phases",
        });
    }
    let loadgen = at_path(root, &["input_config", "loadgen"]);
    let rate = json_f64(
        loadgen.and_then(|l| l.get("request_rate")),
        "input_config.loadgen.request_rate",
    )?
    .filter(|r| *r > 0.0);
    let concurrency = json_f64(
        loadgen.and_then(|l| l.get("concurrency")),
        "input_config.loadgen.concurrency",
    )?;
    let mode = loadgen
        .and_then(|l| l.get("request_rate_mode"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    Ok(AiperfLoad {
        kind: mode.or_else(|| rate.map(|_| "poisson".to_owned())),
        rate,
        concurrency,
        warmup_requests: json_f64(
            loadgen.and_then(|l| l.get("warmup_request_count")),
            "input_config.loadgen.warmup_request_count",
        )?,
        from: "input_config.loadgen",
    })
}
