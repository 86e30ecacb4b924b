-- Tier 2 of the LCPR query pack, the companion of tier2_histograms.sql: per workload x day x
-- metric, the count, the exact smallest and largest value and the fixed-point sum, the parts of
-- a sketch that bucket counts do not carry. A sketch reports its exact min and max at the ends
-- of the distribution, so without them a rebuilt sketch would answer p0 and p100 (and clamp
-- every quantile) differently from the one a local import builds.
--
-- sum_scaled is the sum of FLOOR(x * 2^20 + 0.5), each value rounded to 2^-20 as Sketch keeps
-- its sum: an integer, so it adds exactly in any order (x * 2^20 is exact in doubles).
--
-- The metric values are those of tier2_histograms.sql, by the same rules. Every column merges
-- exactly across partitions: n and sum_scaled add, min_value and max_value take the smaller and
-- the larger.
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
SELECT workload, day, metric,
       CAST(COUNT(*) AS BIGINT) AS n,
       MIN(x) AS min_value,
       MAX(x) AS max_value,
       CAST(SUM(CAST(FLOOR(x * CAST(1048576 AS DOUBLE) + CAST(0.5 AS DOUBLE)) AS BIGINT)) AS BIGINT)
           AS sum_scaled
FROM metric_values
GROUP BY workload, day, metric
ORDER BY workload, day, metric;
