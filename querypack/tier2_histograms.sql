-- Tier 2 of the LCPR query pack: log-bucket histograms per workload x day x metric.
--
-- Buckets are DDSketch's with relative accuracy alpha = 0.01: gamma = (1 + alpha) / (1 - alpha)
-- = 1.01 / 0.99, and a value x > 0 falls in bucket CEIL(LN(x) / LN(gamma)), which covers
-- (gamma^(i-1), gamma^i]. Zero has a bucket of its own (bucket_kind 'zero', bucket 0). NULL
-- (not measured, e.g. a failed attempt) and negative values are not counted. The index equals
-- lcpr_core::querypack::bucket_index, so counts merge with sketches built in process.
--
-- Uses only LN, CEIL, CAST, COUNT, GROUP BY and UNION ALL, so it runs unchanged on DuckDB,
-- Spark SQL, ClickHouse and Trino. gamma is built from DOUBLE casts so no engine evaluates it
-- in DECIMAL arithmetic.
SELECT workload_id, day, metric, bucket_kind, bucket, CAST(COUNT(*) AS BIGINT) AS n
FROM (
    SELECT workload_id, day, 'ttft_ms' AS metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(ttft_ms) / LN(CAST(1.01 AS DOUBLE) / CAST(0.99 AS DOUBLE))) AS BIGINT) AS bucket
    FROM traces WHERE ttft_ms > 0
    UNION ALL
    SELECT workload_id, day, 'ttft_ms' AS metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM traces WHERE ttft_ms = 0
    UNION ALL
    SELECT workload_id, day, 'tpot_ms' AS metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(tpot_ms) / LN(CAST(1.01 AS DOUBLE) / CAST(0.99 AS DOUBLE))) AS BIGINT) AS bucket
    FROM traces WHERE tpot_ms > 0
    UNION ALL
    SELECT workload_id, day, 'tpot_ms' AS metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM traces WHERE tpot_ms = 0
    UNION ALL
    SELECT workload_id, day, 'e2e_ms' AS metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(e2e_ms) / LN(CAST(1.01 AS DOUBLE) / CAST(0.99 AS DOUBLE))) AS BIGINT) AS bucket
    FROM traces WHERE e2e_ms > 0
    UNION ALL
    SELECT workload_id, day, 'e2e_ms' AS metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM traces WHERE e2e_ms = 0
    UNION ALL
    SELECT workload_id, day, 'input_tokens' AS metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(input_tokens) / LN(CAST(1.01 AS DOUBLE) / CAST(0.99 AS DOUBLE))) AS BIGINT) AS bucket
    FROM traces WHERE input_tokens > 0
    UNION ALL
    SELECT workload_id, day, 'input_tokens' AS metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM traces WHERE input_tokens = 0
    UNION ALL
    SELECT workload_id, day, 'output_tokens' AS metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(output_tokens) / LN(CAST(1.01 AS DOUBLE) / CAST(0.99 AS DOUBLE))) AS BIGINT) AS bucket
    FROM traces WHERE output_tokens > 0
    UNION ALL
    SELECT workload_id, day, 'output_tokens' AS metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM traces WHERE output_tokens = 0
) AS v
GROUP BY workload_id, day, metric, bucket_kind, bucket
ORDER BY workload_id, day, metric, bucket_kind, bucket;
