-- Tier 1 of the LCPR query pack: additive counters per workload x day.
--
-- Reads the `traces` view (columns in querypack/README.md): one row per attempt. Every output
-- column is a count or a sum, so results of several partitions or engines merge by adding
-- them. Portable as written across DuckDB, Spark SQL, ClickHouse and Trino: no casts with
-- `::`, no FILTER clauses, no date functions (`day` comes from the view).
SELECT
    workload_id,
    day,
    CAST(SUM(CASE WHEN attempt = 1 THEN 1 ELSE 0 END) AS BIGINT) AS requests,
    CAST(COUNT(*) AS BIGINT) AS attempts,
    CAST(SUM(CASE WHEN attempt > 1 THEN 1 ELSE 0 END) AS BIGINT) AS retries,
    CAST(SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END) AS BIGINT) AS errors,
    CAST(SUM(CASE WHEN status = 'ok' AND quality_pass = 1 THEN 1 ELSE 0 END) AS BIGINT) AS accepted,
    CAST(SUM(CASE WHEN escalated = 1 THEN 1 ELSE 0 END) AS BIGINT) AS escalations,
    CAST(SUM(input_tokens) AS BIGINT) AS input_tokens,
    CAST(SUM(cached_input_tokens) AS BIGINT) AS cached_input_tokens,
    CAST(SUM(output_tokens) AS BIGINT) AS output_tokens,
    CAST(SUM(cost) AS DECIMAL(38, 6)) AS cost
FROM traces
GROUP BY workload_id, day
ORDER BY workload_id, day;
