#!/usr/bin/env python3
"""Cross-engine check of the LCPR query pack.

1. Generates a small deterministic trace (fixed seed) as CSV, and as Parquet through DuckDB.
2. Runs tier1_counters.sql and tier2_histograms.sql unchanged on DuckDB and on Spark SQL in
   local mode, over the whole trace and over two partitions of it (alternate rows), reading
   Parquet and CSV.
3. Writes every result as CSV (one formatting for both engines: dates YYYY-MM-DD, exact
   decimals, integers).
4. Compares the engines' results for exact equality, and exits non-zero on any difference.

Needs `pip install duckdb pyspark` and Java 17 for Spark. Runs standalone:

    python3 querypack/check_engines.py --out /tmp/qp
    python3 querypack/check_engines.py --engines duckdb          # DuckDB only, no Java
    python3 querypack/check_engines.py --write-fixtures tests/fixtures/querypack

--write-fixtures copies the trace CSV and DuckDB's results (whole and per partition) to the
directory the Rust test `tests/querypack.rs` reads; they are written only when the engines
agree.
"""

import argparse
import csv
import datetime as dt
import math
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import ROUND_HALF_EVEN, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SQL_FILES = {"tier1_counters": "tier1_counters.sql", "tier2_histograms": "tier2_histograms.sql"}
COLUMNS = [
    "workload_id", "ts", "day", "status", "attempt", "input_tokens", "cached_input_tokens",
    "output_tokens", "ttft_ms", "tpot_ms", "e2e_ms", "quality_pass", "escalated", "cost",
]
# The view's types; the same in every engine's DDL (see querypack/README.md).
TYPED_SELECT = """
    SELECT CAST(workload_id AS VARCHAR) AS workload_id, CAST(ts AS TIMESTAMP) AS ts,
           CAST(day AS DATE) AS day, CAST(status AS VARCHAR) AS status,
           CAST(attempt AS INTEGER) AS attempt, CAST(input_tokens AS BIGINT) AS input_tokens,
           CAST(cached_input_tokens AS BIGINT) AS cached_input_tokens,
           CAST(output_tokens AS BIGINT) AS output_tokens, CAST(ttft_ms AS DOUBLE) AS ttft_ms,
           CAST(tpot_ms AS DOUBLE) AS tpot_ms, CAST(e2e_ms AS DOUBLE) AS e2e_ms,
           CAST(quality_pass AS INTEGER) AS quality_pass, CAST(escalated AS INTEGER) AS escalated,
           CAST(cost AS DECIMAL(18, 6)) AS cost
    FROM {source}
"""
SPARK_SCHEMA = (
    "workload_id STRING, ts TIMESTAMP, day DATE, status STRING, attempt INT, "
    "input_tokens BIGINT, cached_input_tokens BIGINT, output_tokens BIGINT, ttft_ms DOUBLE, "
    "tpot_ms DOUBLE, e2e_ms DOUBLE, quality_pass INT, escalated INT, cost DECIMAL(18,6)"
)

WORKLOADS = [
    # id, input median, output median, TTFT median ms, TPOT median ms, pass rate
    ("support-rag", 1800, 220, 420.0, 24.0, 0.86),
    ("claims-draft", 3200, 600, 650.0, 31.0, 0.78),
]
DAYS = [dt.date(2026, 3, 1) + dt.timedelta(days=i) for i in range(4)]
PRICE_IN = Decimal("0.000003")
PRICE_CACHED = Decimal("0.0000003")
PRICE_OUT = Decimal("0.000015")
CENT_MICROS = Decimal("0.000001")


def lognormal(r, median, sigma):
    """A log-normal draw from uniform draws only (Box-Muller), so the stream is stable."""
    u1 = max(r.random(), 1e-12)
    u2 = r.random()
    z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return median * math.exp(sigma * z)


def generate(seed, requests):
    """Rows of the traces view: one per attempt; failed attempts may be retried."""
    r = random.Random(seed)
    rows = []
    for _ in range(requests):
        wid, in_med, out_med, ttft_med, tpot_med, pass_rate = WORKLOADS[r.randrange(len(WORKLOADS))]
        day = DAYS[r.randrange(len(DAYS))]
        start = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=r.randrange(0, 86_000))
        input_tokens = max(1, int(lognormal(r, in_med, 0.5)))
        cached = int(input_tokens * r.choice([0.0, 0.0, 0.5, 0.8])) if r.random() < 0.7 else 0
        attempt = 1
        while True:
            failed = r.random() < 0.07
            if failed:
                output_tokens, ttft, tpot, e2e, quality, escalated = 0, "", "", "", 0, 0
                cost = (Decimal(input_tokens - cached) * PRICE_IN + Decimal(cached) * PRICE_CACHED)
            else:
                # A few one-token answers: TPOT 0, the zero bucket.
                output_tokens = 1 if r.random() < 0.03 else max(2, int(lognormal(r, out_med, 0.6)))
                ttft_v = round(lognormal(r, ttft_med, 0.45), 1)
                tpot_v = 0.0 if output_tokens <= 1 else round(lognormal(r, tpot_med, 0.3), 2)
                e2e_v = round(ttft_v + tpot_v * (output_tokens - 1), 1)
                ttft, tpot, e2e = f"{ttft_v:.1f}", f"{tpot_v:.2f}", f"{e2e_v:.1f}"
                quality = 1 if r.random() < pass_rate else 0
                escalated = 1 if quality == 0 and r.random() < 0.4 else 0
                cost = (Decimal(input_tokens - cached) * PRICE_IN + Decimal(cached) * PRICE_CACHED
                        + Decimal(output_tokens) * PRICE_OUT)
            cost = cost.quantize(CENT_MICROS, rounding=ROUND_HALF_EVEN)
            ts = start + dt.timedelta(seconds=2 * (attempt - 1))
            rows.append([
                wid, ts.strftime("%Y-%m-%d %H:%M:%S"), day.isoformat(), "error" if failed else "ok",
                attempt, input_tokens, cached, output_tokens, ttft, tpot, e2e, quality, escalated,
                format(cost, "f"),
            ])
            if not failed or attempt >= 3 or r.random() < 0.25:
                break
            attempt += 1
    return rows


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def cell(v):
    """One formatting for every engine's values."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def read_sql(name):
    with open(os.path.join(HERE, SQL_FILES[name]), encoding="utf-8") as f:
        return f.read()


def run_duckdb(datasets, out_dir):
    import duckdb

    results = {}
    con = duckdb.connect()
    for label, (csv_path, parquet_path) in datasets.items():
        for fmt, source in (
            ("parquet", f"read_parquet('{parquet_path}')"),
            ("csv", f"read_csv('{csv_path}', header = true, all_varchar = true)"),
        ):
            con.execute(f"CREATE OR REPLACE VIEW traces AS {TYPED_SELECT.format(source=source)}")
            for name in SQL_FILES:
                cur = con.execute(read_sql(name))
                header = [d[0] for d in cur.description]
                rows = [[cell(v) for v in row] for row in cur.fetchall()]
                path = os.path.join(out_dir, f"duckdb.{fmt}.{name}.{label}.csv")
                write_csv(path, header, rows)
                results[(fmt, name, label)] = path
    con.close()
    return results


def run_spark(datasets, out_dir):
    from pyspark.sql import SparkSession

    # Local mode on loopback only: the driver needs no other interface.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("lcpr-querypack-check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    results = {}
    try:
        for label, (csv_path, parquet_path) in datasets.items():
            for fmt in ("parquet", "csv"):
                if fmt == "parquet":
                    df = spark.read.parquet(parquet_path)
                else:
                    df = spark.read.csv(csv_path, header=True, schema=SPARK_SCHEMA)
                df.createOrReplaceTempView("traces")
                for name in SQL_FILES:
                    result = spark.sql(read_sql(name))
                    header = result.columns
                    rows = [[cell(v) for v in row] for row in result.collect()]
                    path = os.path.join(out_dir, f"spark.{fmt}.{name}.{label}.csv")
                    write_csv(path, header, rows)
                    results[(fmt, name, label)] = path
    finally:
        spark.stop()
    return results


def same_file(a, b):
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        return fa.read() == fb.read()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=20260301)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--out", help="directory for the data and results (default: a temp dir)")
    p.add_argument("--engines", default="duckdb,spark", help="comma-separated: duckdb, spark")
    p.add_argument("--write-fixtures", help="copy the trace and results here when engines agree")
    args = p.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    out = args.out or tempfile.mkdtemp(prefix="lcpr-querypack-")
    os.makedirs(out, exist_ok=True)
    clock = time.perf_counter()
    timings = []

    def lap(what):
        nonlocal clock
        now = time.perf_counter()
        timings.append((what, now - clock))
        clock = now

    rows = generate(args.seed, args.requests)
    parts = {"all": rows, "part1": rows[0::2], "part2": rows[1::2]}
    import duckdb

    datasets = {}
    con = duckdb.connect()
    for label, part_rows in parts.items():
        csv_path = os.path.join(out, f"trace.{label}.csv")
        parquet_path = os.path.join(out, f"trace.{label}.parquet")
        write_csv(csv_path, COLUMNS, part_rows)
        source = f"read_csv('{csv_path}', header = true, all_varchar = true)"
        con.execute(
            f"COPY ({TYPED_SELECT.format(source=source)}) TO '{parquet_path}' (FORMAT PARQUET)"
        )
        datasets[label] = (csv_path, parquet_path)
    con.close()
    lap(f"generate {len(rows)} rows (seed {args.seed}), CSV and Parquet")

    results = {}
    if "duckdb" in engines:
        results["duckdb"] = run_duckdb(datasets, out)
        lap("DuckDB: both files x 3 datasets x 2 formats")
    if "spark" in engines:
        results["spark"] = run_spark(datasets, out)
        lap("Spark local: both files x 3 datasets x 2 formats (incl. JVM start)")

    # Every result must equal DuckDB-over-Parquet's, across formats and engines.
    failures = []
    base_engine = engines[0] if engines else None
    for engine, by_key in results.items():
        for key, path in sorted(by_key.items()):
            ref = results[base_engine][("parquet", key[1], key[2])]
            if not same_file(ref, path):
                failures.append(f"{path} differs from {ref}")
    lap("compare")

    for what, seconds in timings:
        print(f"{seconds:8.2f} s  {what}")
    print(f"results in {out}")
    if failures:
        print("ENGINES DISAGREE:")
        for f in failures:
            print("  " + f)
        return 1
    compared = sum(len(v) for v in results.values())
    print(f"{compared} result files agree exactly across {', '.join(results)}")

    if args.write_fixtures and base_engine:
        dest = args.write_fixtures
        os.makedirs(dest, exist_ok=True)
        shutil.copyfile(datasets["all"][0], os.path.join(dest, "trace.csv"))
        for name in SQL_FILES:
            for label in parts:
                suffix = "" if label == "all" else f".{label}"
                shutil.copyfile(
                    results[base_engine][("parquet", name, label)],
                    os.path.join(dest, f"{name}{suffix}.csv"),
                )
        print(f"fixtures written to {dest} (seed {args.seed}, {args.requests} requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
