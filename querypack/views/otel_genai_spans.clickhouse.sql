-- View recipe: the `traces` view over the OpenTelemetry Collector's ClickHouse exporter table
-- of spans (exporter/clickhouseexporter, default table `otel_traces`), one row per GenAI client
-- span as the GenAI semantic conventions name its attributes. Engine: ClickHouse.
--
-- What the spans carry and what they cannot:
-- - workload: the span's ServiceName (replace with your own attribute, such as
--   SpanAttributes['app.workload'], when one service serves several workloads);
-- - provider: gen_ai.provider.name, else the older gen_ai.system; model: gen_ai.response.model,
--   else gen_ai.request.model;
-- - tokens: gen_ai.usage.input_tokens counts cached input too, so the uncached part is what
--   remains after gen_ai.usage.cache_read.input_tokens and
--   gen_ai.usage.cache_creation.input_tokens (counted as 5-minute writes: the conventions carry
--   no cache lifetime); gen_ai.usage.output_tokens is the output, reasoning included, since the
--   conventions do not split it out;
-- - e2e_ms: the span's Duration (nanoseconds); ttft_ms and tpot_ms are not measured (NULL): the
--   conventions record time to first token as a metric, not on the span;
-- - status: 'timeout' for StatusCode 'Error' with an error.type naming a timeout, 'error' for
--   any other 'Error', else 'ok'; no retries, quality gate or escalation
--   are recorded ('unknown', not escalated) and no cost is reported (NULL).
-- Spans whose token counts are missing or would make the uncached input negative are left
-- out, as a local import leaves out such rows.
CREATE OR REPLACE VIEW traces AS
SELECT request_id, timestamp, toDate(timestamp, 'UTC') AS day, workload, provider, model,
       '' AS prompt_version,
       input_tokens - cache_read_tokens - cache_write_5m_tokens AS uncached_input_tokens,
       cache_read_tokens, cache_write_5m_tokens, toInt64(0) AS cache_write_1h_tokens,
       output_tokens, toInt64(0) AS reasoning_tokens,
       CAST(NULL AS Nullable(Float64)) AS ttft_ms, CAST(NULL AS Nullable(Float64)) AS tpot_ms,
       CAST(Duration AS Float64) / 1000000 AS e2e_ms,
       multiIf(StatusCode != 'Error', 'ok', positionCaseInsensitive(error_type, 'timeout') > 0,
               'timeout', 'error') AS status, toInt32(0) AS attempt,
       CAST(NULL AS Nullable(String)) AS retry_of, 'unknown' AS quality_gate,
       false AS escalated, CAST(NULL AS Nullable(Decimal(20, 10))) AS reported_cost
FROM (
    SELECT SpanId AS request_id, Timestamp AS timestamp, ServiceName AS workload,
           if(SpanAttributes['gen_ai.provider.name'] != '', SpanAttributes['gen_ai.provider.name'],
              SpanAttributes['gen_ai.system']) AS provider,
           if(SpanAttributes['gen_ai.response.model'] != '',
              SpanAttributes['gen_ai.response.model'],
              SpanAttributes['gen_ai.request.model']) AS model,
           toInt64OrNull(SpanAttributes['gen_ai.usage.input_tokens']) AS input_tokens,
           ifNull(toInt64OrNull(SpanAttributes['gen_ai.usage.cache_read.input_tokens']), 0)
               AS cache_read_tokens,
           ifNull(toInt64OrNull(SpanAttributes['gen_ai.usage.cache_creation.input_tokens']), 0)
               AS cache_write_5m_tokens,
           toInt64OrNull(SpanAttributes['gen_ai.usage.output_tokens']) AS output_tokens,
           SpanAttributes['error.type'] AS error_type, Duration, StatusCode
    FROM otel_traces
    WHERE SpanKind = 'Client' AND SpanAttributes['gen_ai.operation.name'] != ''
) AS spans
WHERE input_tokens IS NOT NULL AND output_tokens IS NOT NULL AND output_tokens >= 0
  AND input_tokens - cache_read_tokens - cache_write_5m_tokens >= 0
  AND workload != '' AND provider != '' AND model != '';
