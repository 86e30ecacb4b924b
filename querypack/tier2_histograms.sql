-- Tier 2 of the LCPR query pack: log-bucket histograms per workload x day x metric, bucketed
-- exactly as lcpr_core::import::sketch::Sketch buckets, so the sketch a local trace import
-- builds can be rebuilt from the counts (with tier2_extremes.sql for count, min, max and sum).
--
-- The metric values are the ones a local import sketches: TTFT, TPOT (as reported, else
-- (E2E - TTFT) / (generated tokens - 1) when more than one token was generated), E2E, all input
-- tokens (uncached + cache reads + cache writes) and generated tokens (output + reasoning).
-- NULL (not measured) values are not counted.
--
-- Buckets (DDSketch, relative accuracy alpha = 0.01, gamma = 1.01 / 0.99): a value below 1E-9
-- goes to the zero bucket (bucket_kind 'zero', bucket 0); any other x to bucket
-- CEIL(LN(x) * 49.99833328888678), which covers (gamma^(i-1), gamma^i]. 49.99833328888678 is the
-- double 1 / LN(gamma) that Sketch multiplies by; it is written as a DOUBLE literal so every
-- engine multiplies by the same double (see querypack/README.md, "Bucket rule").
--
-- Uses only LN, CEIL, CAST, COUNT, GROUP BY and UNION ALL (and arithmetic), so it runs
-- unchanged on DuckDB, Spark SQL, ClickHouse and Trino.
WITH metric_values AS (
    SELECT workload, day, 'ttft_ms' AS metric, ttft_ms AS x
    FROM traces WHERE ttft_ms IS NOT NULL
    UNION ALL
    SELECT workload, day, 'tpot_ms' AS metric, tpot_ms AS x
    FROM traces WHERE tpot_ms IS NOT NULL
    UNION ALL
    -- TPOT the trace does not report: the decode time of each generated token after the first.
    SELECT workload, day, 'tpot_ms' AS metric,
           (e2e_ms - ttft_ms) / CAST(output_tokens + reasoning_tokens - 1 AS DOUBLE) AS x
    FROM traces
    WHERE tpot_ms IS NULL AND ttft_ms IS NOT NULL AND e2e_ms IS NOT NULL
      AND output_tokens + reasoning_tokens > 1
    UNION ALL
    SELECT workload, day, 'e2e_ms' AS metric, e2e_ms AS x
    FROM traces WHERE e2e_ms IS NOT NULL
    UNION ALL
    SELECT workload, day, 'input_tokens' AS metric,
           CAST(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens
                + cache_write_1h_tokens AS DOUBLE) AS x
    FROM traces
    UNION ALL
    SELECT workload, day, 'output_tokens' AS metric,
           CAST(output_tokens + reasoning_tokens AS DOUBLE) AS x
    FROM traces
)
SELECT workload, day, metric, bucket_kind, bucket, CAST(COUNT(*) AS BIGINT) AS n
FROM (
    SELECT workload, day, metric, 'positive' AS bucket_kind,
           CAST(CEIL(LN(x) * CAST(4.999833328888678E1 AS DOUBLE)) AS BIGINT) AS bucket
    FROM metric_values WHERE x >= CAST(1E-9 AS DOUBLE)
    UNION ALL
    SELECT workload, day, metric, 'zero' AS bucket_kind, CAST(0 AS BIGINT) AS bucket
    FROM metric_values WHERE x < CAST(1E-9 AS DOUBLE)
) AS buckets
GROUP BY workload, day, metric, bucket_kind, bucket
ORDER BY workload, day, metric, bucket_kind, bucket;
