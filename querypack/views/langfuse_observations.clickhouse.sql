-- View recipe: the `traces` view over Langfuse's ClickHouse `observations` table (or an export
-- of it with the same columns: packages/shared/clickhouse/migrations/unclustered/
-- 0002_observations.up.sql, plus `environment` from 0008_add_environments_column), one row per
-- generation Langfuse recorded. Engine: ClickHouse.
--
-- What the observations carry and what they cannot:
-- - only type 'GENERATION' rows are model calls; the table is a ReplacingMergeTree, so FINAL
--   keeps the latest version of each observation, and rows marked is_deleted are left out
--   (FINAL drops them from the table itself; the filter covers an export into a plain table);
--   add `AND environment = 'production'` (or your environment) to the WHERE to keep one;
-- - workload: metadata['workload'] when set, else the observation's name; provider:
--   metadata['provider'] (Langfuse stores no provider column: set it as metadata, or map the
--   model name here); model: provided_model_name, the name the caller sent;
-- - prompt_version: prompt_name ':' prompt_version of the linked Langfuse prompt, else '';
-- - tokens: Langfuse's usage_details are already split: 'input' is the uncached remainder
--   after every 'input_*' detail, and 'output' the remainder after every 'output_*' detail.
--   Cache reads are input_cached_tokens (OpenAI, and Anthropic through the AI SDK) plus
--   input_cache_read; cache writes of unstated lifetime (input_cache_creation, input_cache_write)
--   count as 5-minute writes, input_cache_creation_5m and _1h as theirs; other input_* details
--   (audio, ...) are uncached input; output_reasoning_tokens is reasoning, other output_*
--   details are output;
-- - e2e_ms: end_time - start_time; ttft_ms: completion_start_time - start_time when recorded
--   (milliseconds, the columns' precision); tpot_ms is left to the pack to derive;
-- - status: level 'ERROR' is 'timeout' when its status_message says 'timeout' or 'timed out'
--   (any case), else 'error';
--   any other level is 'ok'; retries, the quality gate (scores live in another table) and
--   escalation are not recorded here (attempt 0, 'unknown', not escalated);
-- - reported_cost: cost_details['total'] when present, else total_cost (Langfuse's own
--   computation when the caller sent none), NULL when neither is there.
-- Times are UTC (DateTime64(3)), so the day is the UTC date of start_time.
CREATE OR REPLACE VIEW traces AS
SELECT id AS request_id, start_time AS timestamp, toDate(start_time, 'UTC') AS day, workload,
       provider, model, prompt_version,
       toInt64(uncached) AS uncached_input_tokens, toInt64(cache_read) AS cache_read_tokens,
       toInt64(write_5m) AS cache_write_5m_tokens, toInt64(write_1h) AS cache_write_1h_tokens,
       toInt64(output) AS output_tokens, toInt64(reasoning) AS reasoning_tokens,
       toFloat64(toUnixTimestamp64Milli(completion_start_time) - toUnixTimestamp64Milli(start_time))
           AS ttft_ms,
       CAST(NULL AS Nullable(Float64)) AS tpot_ms,
       toFloat64(toUnixTimestamp64Milli(end_time) - toUnixTimestamp64Milli(start_time)) AS e2e_ms,
       multiIf(level != 'ERROR', 'ok',
               multiSearchAnyCaseInsensitive(ifNull(status_message, ''),
                                             ['timeout', 'timed out']) = 1, 'timeout',
               'error') AS status,
       toInt32(0) AS attempt, CAST(NULL AS Nullable(String)) AS retry_of,
       'unknown' AS quality_gate, false AS escalated,
       CAST(if(mapContains(cost_details, 'total'), cost_details['total'], total_cost)
            AS Nullable(Decimal(20, 10))) AS reported_cost
FROM (
    SELECT id, start_time, end_time, completion_start_time, level, status_message,
           total_cost, cost_details,
           if(metadata['workload'] != '', metadata['workload'], name) AS workload,
           metadata['provider'] AS provider, ifNull(provided_model_name, '') AS model,
           if(prompt_name IS NULL, '',
              concat(prompt_name, ':', toString(ifNull(prompt_version, 0)))) AS prompt_version,
           arraySum(mapValues(mapFilter((k, v) -> k = 'input' OR (startsWith(k, 'input_')
               AND k NOT IN ('input_cached_tokens', 'input_cache_read', 'input_cache_creation',
                             'input_cache_write', 'input_cache_creation_5m',
                             'input_cache_creation_1h')), usage_details))) AS uncached,
           usage_details['input_cached_tokens'] + usage_details['input_cache_read'] AS cache_read,
           usage_details['input_cache_creation'] + usage_details['input_cache_write']
               + usage_details['input_cache_creation_5m'] AS write_5m,
           usage_details['input_cache_creation_1h'] AS write_1h,
           arraySum(mapValues(mapFilter((k, v) -> k = 'output' OR (startsWith(k, 'output_')
               AND k != 'output_reasoning_tokens'), usage_details))) AS output,
           usage_details['output_reasoning_tokens'] AS reasoning
    FROM observations FINAL
    WHERE type = 'GENERATION' AND is_deleted = 0
) AS generations
WHERE workload != '' AND provider != '' AND model != ''
  AND (end_time IS NULL OR end_time >= start_time)
  AND (completion_start_time IS NULL OR completion_start_time >= start_time);
