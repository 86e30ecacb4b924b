#!/usr/bin/env python3
"""DuckDB's time and peak memory on the trace-import benchmark's own files, for comparison.

Runs the aggregation the importer performs (per workload, UTC day, provider, model and prompt
version: counts, token sums, reported cost, and approximate quantiles of TTFT, TPOT, E2E and the
token lengths) over the CSV and the Parquet file that

    LCPR_BENCH_KEEP=1 cargo bench -p lcpr-core --bench trace_import

leaves in its temporary directory, each in a fresh process, and prints seconds and peak RSS.
The benchmark itself runs this script's `--child` on the same files, alternating with our
import, and prints both and the ratio; run it alone with

    python3 scripts/bench-duckdb.py /tmp/lcpr-trace-bench-NNNN-realistic [--repeat 3]

Needs `pip install duckdb` (the test script's venv has it: $CARGO_TARGET_DIR/querypack-venv).
"""

import argparse
import os
import resource
import subprocess
import sys
import time

QUERY = """
SELECT workload, CAST(CAST(timestamp AS TIMESTAMP) AS DATE) AS day, provider, model,
  prompt_version, count(*) AS attempts,
  sum(CASE WHEN attempt = 0 AND retry_of IS NULL THEN 1 ELSE 0 END) AS requests,
  sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
  sum(CASE WHEN status = 'timeout' THEN 1 ELSE 0 END) AS timeouts,
  sum(CASE WHEN status = 'ok' AND quality_gate = 'pass' THEN 1 ELSE 0 END) AS accepted,
  sum(CASE WHEN escalated THEN 1 ELSE 0 END) AS escalations,
  sum(uncached_input_tokens), sum(cache_read_tokens), sum(cache_write_5m_tokens),
  sum(cache_write_1h_tokens), sum(output_tokens), sum(coalesce(reasoning_tokens, 0)),
  sum(reported_cost),
  approx_quantile(ttft_ms, [0.5, 0.95, 0.99]), approx_quantile(tpot_ms, [0.5, 0.95, 0.99]),
  approx_quantile(e2e_ms, [0.5, 0.95, 0.99]),
  approx_quantile(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens
                  + cache_write_1h_tokens, [0.5, 0.95]),
  approx_quantile(output_tokens + coalesce(reasoning_tokens, 0), [0.5, 0.95])
FROM {source} GROUP BY ALL
"""


def child(path):
    import duckdb

    source = f"read_parquet('{path}')" if path.endswith(".parquet") else f"read_csv_auto('{path}')"
    start = time.perf_counter()
    groups = len(duckdb.sql(QUERY.format(source=source)).fetchall())
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak_mib:.1f} {groups}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    for name in ["trace.csv", "trace.parquet"]:
        path = os.path.join(args.dir, name)
        if not os.path.exists(path):
            continue
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, args.dir, "--child", path],
                check=True, capture_output=True, text=True,
            ).stdout.split()
            runs.append((float(out[0]), float(out[1]), int(out[2])))
        best = min(runs)
        print(f"duckdb {name:14} fastest {best[0]:.2f} s, peak RSS {best[1]:.0f} MiB, {best[2]} groups")


if __name__ == "__main__":
    main()
