-- View recipe: the `traces` view over LiteLLM proxy's spend log, the "LiteLLM_SpendLogs" table
-- of its Postgres database (schema.prisma, model LiteLLM_SpendLogs), one row per request the
-- proxy logged. Engines: Postgres, and DuckDB over the same table (postgres extension, or a
-- copy): the SQL is written in the subset both read.
--
-- What the spend log carries and what it cannot:
-- - workload: the team ("team_id"); replace with a request tag when you tag by workload;
-- - provider: "custom_llm_provider"; model: "model";
-- - tokens: "prompt_tokens" counts cached input too, so cache reads (the usage object's
--   prompt_tokens_details.cached_tokens in "metadata") are taken out of it; "completion_tokens"
--   is the output, reasoning included; cache writes are not logged (0);
-- - e2e_ms: "endTime" - "startTime"; ttft_ms: "completionStartTime" - "startTime" when logged;
--   tpot_ms is left to the pack to derive;
-- - status: 'ok' for "status" 'success', else 'error'; retries are not logged as such (every
--   row is a first attempt); no quality gate ('unknown') or escalation;
-- - reported_cost: "spend", the cost LiteLLM computed, in dollars.
-- Times are the proxy's UTC timestamps, so the day is the date of "startTime".
CREATE OR REPLACE VIEW traces AS
SELECT request_id, "startTime" AS "timestamp", CAST("startTime" AS DATE) AS day,
       team_id AS workload, custom_llm_provider AS provider, model, '' AS prompt_version,
       CAST(prompt_tokens - cached AS BIGINT) AS uncached_input_tokens,
       CAST(cached AS BIGINT) AS cache_read_tokens, CAST(0 AS BIGINT) AS cache_write_5m_tokens,
       CAST(0 AS BIGINT) AS cache_write_1h_tokens,
       CAST(completion_tokens AS BIGINT) AS output_tokens, CAST(0 AS BIGINT) AS reasoning_tokens,
       CAST(ROUND(CAST(EXTRACT(EPOCH FROM ("completionStartTime" - "startTime")) * 1000
                       AS NUMERIC(18, 3)), 3) AS DOUBLE PRECISION) AS ttft_ms,
       CAST(NULL AS DOUBLE PRECISION) AS tpot_ms,
       CAST(ROUND(CAST(EXTRACT(EPOCH FROM ("endTime" - "startTime")) * 1000
                       AS NUMERIC(18, 3)), 3) AS DOUBLE PRECISION) AS e2e_ms,
       CASE WHEN status = 'success' THEN 'ok' ELSE 'error' END AS status,
       CAST(0 AS INTEGER) AS attempt, CAST(NULL AS VARCHAR) AS retry_of,
       'unknown' AS quality_gate, FALSE AS escalated,
       CAST(spend AS DECIMAL(20, 10)) AS reported_cost
FROM (
    SELECT *, COALESCE(CAST(metadata -> 'usage_object' -> 'prompt_tokens_details'
                            ->> 'cached_tokens' AS BIGINT), 0) AS cached
    FROM "LiteLLM_SpendLogs"
) AS logs
WHERE request_id <> '' AND team_id IS NOT NULL AND team_id <> ''
  AND custom_llm_provider IS NOT NULL AND custom_llm_provider <> '' AND model <> ''
  AND prompt_tokens >= cached AND completion_tokens >= 0 AND "endTime" >= "startTime"
  AND ("completionStartTime" IS NULL OR "completionStartTime" <= "endTime");
