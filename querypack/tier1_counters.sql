-- Tier 1 of the LCPR query pack: additive counters per workload x day x provider x model x
-- prompt version, exactly the counts and sums a local trace import keeps per day.
--
-- Reads the `traces` view (contract in querypack/README.md): one row per attempt, columns named
-- as the canonical trace row. The rules are the local importer's:
-- - a retry is an attempt with index > 0 or one that names the request it retries (retry_of);
--   every other attempt is a first request;
-- - accepted = status 'ok' and quality gate 'pass'; a gate verdict other than pass or fail
--   counts as unknown;
-- - the reported cost is summed over the rows that report one, and those rows are counted.
-- Every output column is a count or a sum, so results of several partitions or engines merge by
-- adding them. Portable as written across DuckDB, Spark SQL, ClickHouse and Trino: no `::`
-- casts, no FILTER clauses, no date functions (`day` comes from the view).
SELECT
    workload,
    day,
    provider,
    model,
    prompt_version,
    CAST(COUNT(*) AS BIGINT) AS attempts,
    CAST(SUM(CASE WHEN attempt > 0 OR retry_of IS NOT NULL THEN 0 ELSE 1 END) AS BIGINT) AS requests,
    CAST(SUM(CASE WHEN attempt > 0 OR retry_of IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS retries,
    CAST(SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS BIGINT) AS errors,
    CAST(SUM(CASE WHEN status = 'timeout' THEN 1 ELSE 0 END) AS BIGINT) AS timeouts,
    CAST(SUM(CASE WHEN status = 'ok' AND quality_gate = 'pass' THEN 1 ELSE 0 END) AS BIGINT) AS accepted,
    CAST(SUM(CASE WHEN quality_gate = 'pass' THEN 1 ELSE 0 END) AS BIGINT) AS gate_pass,
    CAST(SUM(CASE WHEN quality_gate = 'fail' THEN 1 ELSE 0 END) AS BIGINT) AS gate_fail,
    CAST(SUM(CASE WHEN quality_gate = 'pass' OR quality_gate = 'fail' THEN 0 ELSE 1 END) AS BIGINT) AS gate_unknown,
    CAST(SUM(CASE WHEN escalated THEN 1 ELSE 0 END) AS BIGINT) AS escalations,
    CAST(SUM(uncached_input_tokens) AS BIGINT) AS uncached_input_tokens,
    CAST(SUM(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
    CAST(SUM(cache_write_5m_tokens) AS BIGINT) AS cache_write_5m_tokens,
    CAST(SUM(cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
    CAST(SUM(output_tokens) AS BIGINT) AS output_tokens,
    CAST(SUM(reasoning_tokens) AS BIGINT) AS reasoning_tokens,
    CAST(COALESCE(SUM(reported_cost), 0) AS DECIMAL(38, 10)) AS reported_cost,
    CAST(COUNT(reported_cost) AS BIGINT) AS reported_cost_rows
FROM traces
GROUP BY workload, day, provider, model, prompt_version
ORDER BY workload, day, provider, model, prompt_version;
