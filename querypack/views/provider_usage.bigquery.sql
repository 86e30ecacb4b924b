-- View recipe: the `traces` view over a BigQuery table of provider usage, one row per provider
-- response your application logged: `id` STRING (the response id), `created` TIMESTAMP,
-- `workload` STRING, `provider` STRING, `model` STRING, and `usage` JSON (or a STRING holding
-- JSON), the response's usage object verbatim. Engine: BigQuery (GoogleSQL). Create it in the
-- dataset that holds `provider_usage` and run the pack with that dataset as the default.
--
-- The usage object is read by its shape, as each API returns it:
-- - OpenAI Chat Completions (and OpenAI-compatible APIs): prompt_tokens counts cached input
--   too, so the uncached input is prompt_tokens - prompt_tokens_details.cached_tokens;
--   completion_tokens counts reasoning too, so the output is completion_tokens -
--   completion_tokens_details.reasoning_tokens;
-- - OpenAI Responses: the same with input_tokens, input_tokens_details.cached_tokens,
--   output_tokens and output_tokens_details.reasoning_tokens;
-- - Anthropic Messages (no total_tokens): input_tokens is already the uncached input;
--   cache_read_input_tokens are cache reads; cache_creation.ephemeral_5m_input_tokens and
--   ephemeral_1h_input_tokens are the writes by lifetime (without that breakdown,
--   cache_creation_input_tokens counts as 5-minute writes); output_tokens includes thinking,
--   which the API does not split out (reasoning 0).
-- What the table cannot carry: a logged response is a successful attempt ('ok', attempt 0);
-- failed requests return no usage, so they are not in it; no latency (ttft_ms, tpot_ms and
-- e2e_ms are not measured: NULL), prompt version (''), quality gate ('unknown'), escalation
-- or reported cost (NULL). Rows whose usage lacks the token counts, or whose cached or
-- reasoning tokens exceed the totals, are left out.
-- A TIMESTAMP is an instant; DATE() of it is its UTC date.
CREATE OR REPLACE VIEW traces AS
SELECT id AS request_id, created AS timestamp, DATE(created) AS day, workload, provider, model,
       '' AS prompt_version,
       uncached AS uncached_input_tokens, cache_read AS cache_read_tokens,
       write_5m AS cache_write_5m_tokens, write_1h AS cache_write_1h_tokens,
       output AS output_tokens, reasoning AS reasoning_tokens,
       CAST(NULL AS FLOAT64) AS ttft_ms, CAST(NULL AS FLOAT64) AS tpot_ms,
       CAST(NULL AS FLOAT64) AS e2e_ms, 'ok' AS status, 0 AS attempt,
       CAST(NULL AS STRING) AS retry_of, 'unknown' AS quality_gate, FALSE AS escalated,
       CAST(NULL AS NUMERIC) AS reported_cost
FROM (
    SELECT id, created, workload, provider, model,
           IF(anthropic, input_tokens, all_input - cached) AS uncached,
           cached AS cache_read,
           IF(anthropic, COALESCE(ephemeral_5m, creation, 0), 0) AS write_5m,
           IF(anthropic, COALESCE(ephemeral_1h, 0), 0) AS write_1h,
           IF(anthropic, all_output, all_output - reasoning) AS output,
           IF(anthropic, 0, reasoning) AS reasoning
    FROM (
        SELECT id, created, workload, provider, model,
               JSON_VALUE(usage, '$.total_tokens') IS NULL AS anthropic,
               SAFE_CAST(JSON_VALUE(usage, '$.input_tokens') AS INT64) AS input_tokens,
               COALESCE(SAFE_CAST(JSON_VALUE(usage, '$.prompt_tokens') AS INT64),
                        SAFE_CAST(JSON_VALUE(usage, '$.input_tokens') AS INT64)) AS all_input,
               COALESCE(SAFE_CAST(JSON_VALUE(usage, '$.prompt_tokens_details.cached_tokens')
                                  AS INT64),
                        SAFE_CAST(JSON_VALUE(usage, '$.input_tokens_details.cached_tokens')
                                  AS INT64),
                        SAFE_CAST(JSON_VALUE(usage, '$.cache_read_input_tokens') AS INT64),
                        0) AS cached,
               SAFE_CAST(JSON_VALUE(usage, '$.cache_creation_input_tokens') AS INT64)
                   AS creation,
               SAFE_CAST(JSON_VALUE(usage, '$.cache_creation.ephemeral_5m_input_tokens')
                         AS INT64) AS ephemeral_5m,
               SAFE_CAST(JSON_VALUE(usage, '$.cache_creation.ephemeral_1h_input_tokens')
                         AS INT64) AS ephemeral_1h,
               COALESCE(SAFE_CAST(JSON_VALUE(usage, '$.completion_tokens') AS INT64),
                        SAFE_CAST(JSON_VALUE(usage, '$.output_tokens') AS INT64)) AS all_output,
               COALESCE(SAFE_CAST(JSON_VALUE(usage,
                                             '$.completion_tokens_details.reasoning_tokens')
                                  AS INT64),
                        SAFE_CAST(JSON_VALUE(usage, '$.output_tokens_details.reasoning_tokens')
                                  AS INT64),
                        0) AS reasoning
        FROM provider_usage
        WHERE usage IS NOT NULL
    ) AS parsed
    WHERE all_input IS NOT NULL AND all_output IS NOT NULL
) AS responses
WHERE uncached >= 0 AND output >= 0 AND write_5m >= 0 AND write_1h >= 0
  AND id != '' AND workload != '' AND provider != '' AND model != '';
