#!/usr/bin/env python3
"""Cross-engine check of the LCPR query pack.

1. Generates a deterministic trace (fixed seed) in the canonical trace layout, the one
   `lcpr import traces` reads with no mapping, as CSV and, through DuckDB, as Parquet; and a
   workspace (workspace.yaml) with rate cards and workloads for every model and workload in it.
2. Creates the `traces` view over it (the contract in querypack/README.md: the canonical
   columns, normalised, plus `day`, the UTC day of the timestamp) and runs tier1_counters.sql,
   tier2_histograms.sql and tier2_extremes.sql, each engine's variant exactly as
   `lcpr querypack print --engine NAME --query QUERY` writes it, on DuckDB, Spark SQL in local
   mode (ANSI off and on), ClickHouse (chdb) and the Snowflake emulator (fakesnow), over the
   whole trace and over two partitions of it (alternate rows), reading Parquet and CSV.
3. Writes every result as CSV (one formatting for both engines: dates YYYY-MM-DD, exact
   decimals, integers, doubles in their shortest round-trip form).
4. Compares the engines' results for exact equality, and exits non-zero on any difference.

Needs `pip install duckdb pyspark chdb sqlglot fakesnow` and Java 17 for Spark. Runs standalone:

    cargo build --bin lcpr
    python3 querypack/check_engines.py --lcpr "$CARGO_TARGET_DIR/debug/lcpr" --out /tmp/qp
    python3 querypack/check_engines.py --lcpr ... --engines duckdb   # DuckDB only, no Java
    python3 querypack/check_engines.py --lcpr ... --write-fixtures tests/fixtures/querypack

--write-fixtures copies the trace CSV, the workspace and DuckDB's results (whole and per
partition) to the directory the Rust tests read; they are written only when the engines agree.
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
QUERIES = ("tier1_counters", "tier2_histograms", "tier2_extremes")

# The canonical trace layout (lcpr_core::import::mapping::ColumnMapping::canonical), minus the
# optional scenario and route, which no query reads.
COLUMNS = [
    "request_id", "timestamp", "workload", "provider", "model", "prompt_version",
    "uncached_input_tokens", "cache_read_tokens", "cache_write_5m_tokens",
    "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "ttft_ms", "tpot_ms", "e2e_ms",
    "status", "attempt", "retry_of", "quality_gate", "escalated", "reported_cost",
]

# The typed columns of the view, from text (CSV read as all text) or from typed Parquet. Blank
# optional text becomes NULL, a missing prompt version '', as the local importer reads them.
# {ts} is the engine's type for an instant: the view's day is the instant's UTC date.
TYPED_SELECT = """
    SELECT CAST(request_id AS STRING) AS request_id,
           CAST(timestamp AS {ts}) AS timestamp,
           CAST(workload AS STRING) AS workload,
           CAST(provider AS STRING) AS provider,
           CAST(model AS STRING) AS model,
           COALESCE(CAST(prompt_version AS STRING), '') AS prompt_version,
           CAST(uncached_input_tokens AS BIGINT) AS uncached_input_tokens,
           CAST(cache_read_tokens AS BIGINT) AS cache_read_tokens,
           CAST(cache_write_5m_tokens AS BIGINT) AS cache_write_5m_tokens,
           CAST(cache_write_1h_tokens AS BIGINT) AS cache_write_1h_tokens,
           CAST(output_tokens AS BIGINT) AS output_tokens,
           CAST(reasoning_tokens AS BIGINT) AS reasoning_tokens,
           CAST(ttft_ms AS DOUBLE) AS ttft_ms,
           CAST(tpot_ms AS DOUBLE) AS tpot_ms,
           CAST(e2e_ms AS DOUBLE) AS e2e_ms,
           CAST(status AS STRING) AS status,
           CAST(attempt AS INTEGER) AS attempt,
           NULLIF(TRIM(CAST(retry_of AS STRING)), '') AS retry_of,
           CAST(quality_gate AS STRING) AS quality_gate,
           CAST(escalated AS BOOLEAN) AS escalated,
           CAST(reported_cost AS DECIMAL(20, 10)) AS reported_cost
    FROM {source}
"""
# Both engines run in UTC, so the date of an instant is its UTC date.
TRACES_VIEW = "SELECT *, CAST(timestamp AS DATE) AS day FROM typed_traces"

START = dt.datetime(2026, 3, 1)
DAYS = 5
TEN_DECIMALS = Decimal("0.0000000001")

# Rate cards of the workspace: id, provider, model, effective from, input, cached input, 5-minute
# write, 1-hour write, output ($ per million tokens), contract discount.
RATE_CARDS = [
    ("gpt-5.4", "OpenAI", "gpt-5.4", "2026-01-15", "2.5", "0.25", None, None, "15.0", "0.1"),
    # A price cut in the middle of the trace: days before and after price differently.
    ("gpt-5.4-march", "OpenAI", "gpt-5.4", "2026-03-04", "2.0", "0.2", None, None, "12.0", None),
    ("gpt-5.4-mini", "OpenAI", "gpt-5.4-mini", "2026-01-15", "0.4", "0.04", None, None, "1.6", None),
    ("claude-sonnet-4.5", "Anthropic", "claude-sonnet-4.5", "2026-01-15", "3.0", "0.3", "3.75",
     "6.0", "15.0", None),
    ("deepseek-v4-pro", "Fireworks AI", "deepseek-v4-pro", "2026-01-15", "1.74", "0.2", None,
     None, "3.48", None),
]


class Workload:
    """How one workload's traffic is drawn."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


WORKLOADS = [
    # Two models; the prompt moves from rag-v7 to rag-v8 on the third day; OpenAI-style cache
    # reads; retries recorded by attempt index only; timestamps in UTC with milliseconds.
    Workload(id="support-rag", share=0.36, provider="OpenAI",
             models=[("gpt-5.4", 0.7), ("gpt-5.4-mini", 0.3)],
             prompt=lambda day: "rag-v7" if day < 2 else "rag-v8",
             input=2400, output=260, reasoning=0, ttft=420.0, tpot=22.0,
             error=0.05, timeout=0.01, ungraded=0.06, pass_rate=0.86,
             cache="read", retry="attempt", offset=None, reports_tpot=True, reports_cost=True),
    # Anthropic-style cache reads and 5-minute and 1-hour writes, reasoning tokens, more
    # timeouts; retries carry both the attempt index and the request retried.
    Workload(id="claims-draft", share=0.32, provider="Anthropic",
             models=[("claude-sonnet-4.5", 1.0)], prompt=lambda day: "claims-v3",
             input=5200, output=700, reasoning=300, ttft=650.0, tpot=31.0,
             error=0.04, timeout=0.03, ungraded=0.10, pass_rate=0.78,
             cache="read+write", retry="both", offset=None, reports_tpot=True,
             reports_cost=True),
    # No prompt version, no TPOT (derived from E2E and TTFT), no reported cost; retries name the
    # request retried but keep attempt 0; local time at +02:00, so late UTC hours read as the
    # next calendar day locally and the view must still take the UTC day.
    Workload(id="extract-batch", share=0.32, provider="Fireworks AI",
             models=[("deepseek-v4-pro", 1.0)], prompt=lambda day: "",
             input=3800, output=420, reasoning=0, ttft=380.0, tpot=14.0,
             error=0.06, timeout=0.02, ungraded=0.03, pass_rate=0.9,
             cache="none", retry="retry_of", offset=2, reports_tpot=False, reports_cost=False),
]


def lognormal(r, median, sigma):
    """A log-normal draw from uniform draws only (Box-Muller), so the stream is stable."""
    u1 = max(r.random(), 1e-12)
    u2 = r.random()
    z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return median * math.exp(sigma * z)


def pick(r, weighted):
    x = r.random()
    for value, weight in weighted:
        if x < weight:
            return value
        x -= weight
    return weighted[-1][0]


def timestamp(instant, offset_hours, millis):
    if offset_hours is None:
        text = instant.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{text}.{millis:03d}Z"
    local = instant + dt.timedelta(hours=offset_hours)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"+{offset_hours:02d}:00"


def list_cost(provider, model, tokens):
    """The reported cost the source writes: its list prices, to 10 places."""
    card = next(c for c in RATE_CARDS if c[1] == provider and c[2] == model)
    rates = [Decimal(v) if v is not None else Decimal(card[4]) for v in card[4:9]]
    cost = sum(Decimal(n) * rate for n, rate in zip(tokens, rates)) / Decimal(1_000_000)
    return cost.quantize(TEN_DECIMALS, rounding=ROUND_HALF_EVEN)


def generate(seed, requests):
    """Rows of the canonical trace: one per attempt; failed attempts may be retried."""
    r = random.Random(seed)
    rows = []
    shares = [(w, w.share) for w in WORKLOADS]
    for n in range(requests):
        w = pick(r, shares)
        day = r.randrange(DAYS)
        start = START + dt.timedelta(days=day, seconds=r.randrange(0, 86_400))
        model = pick(r, w.models)
        prompt = w.prompt(day)
        total_input = max(8, int(lognormal(r, w.input, 0.5)))
        read = write_5m = write_1h = 0
        if w.cache == "read" and r.random() < 0.7:
            read = int(total_input * r.choice([0.5, 0.8]))
        elif w.cache == "read+write":
            prefix = int(total_input * 0.6)
            x = r.random()
            if x < 0.15:
                write_5m = prefix
            elif x < 0.2:
                write_1h = prefix
            elif x < 0.9:
                read = prefix
        uncached = total_input - read - write_5m - write_1h
        base_id = f"{w.id[:2]}{n:05d}"
        previous_id = ""
        attempt = 0
        while True:
            request_id = base_id if attempt == 0 else f"{base_id}-r{attempt}"
            x = r.random()
            status = "error" if x < w.error else "timeout" if x < w.error + w.timeout else "ok"
            ttft = tpot = e2e = None
            output = reasoning = 0
            gate, escalated = "unknown", False
            if status == "error":
                # Failed before the first token: only the time to the error is known.
                e2e = round(lognormal(r, 300.0, 0.6), 1)
            elif status == "timeout":
                # Partial output billed, then the 30 s budget ran out; TPOT is not reported,
                # so the importer derives it when a first token came.
                if r.random() < 0.6:
                    ttft = min(round(lognormal(r, w.ttft * 3, 0.4), 1), 29000.0)
                    output = int(lognormal(r, w.output * 0.3, 0.5)) + 1
                e2e = 30000.0
            else:
                output = 1 if r.random() < 0.03 else max(2, int(lognormal(r, w.output, 0.6)))
                if w.reasoning:
                    reasoning = int(lognormal(r, w.reasoning, 0.8))
                ttft = round(lognormal(r, w.ttft, 0.45), 1)
                step = 0.0 if output + reasoning <= 1 else round(lognormal(r, w.tpot, 0.3), 2)
                e2e = round(ttft + step * (output + reasoning - 1) + r.random() * 5, 1)
                if w.reports_tpot:
                    tpot = step
                if r.random() < w.ungraded:
                    gate = "unknown"
                    escalated = r.random() < 0.05
                elif r.random() < w.pass_rate:
                    gate = "pass"
                else:
                    gate = "fail"
                    escalated = r.random() < 0.4
            cost = ""
            if w.reports_cost and r.random() < 0.98:
                tokens = [uncached, read, write_5m, write_1h, output + reasoning]
                cost = format(list_cost(w.provider, model, tokens), "f")
            instant = start + dt.timedelta(seconds=2 * attempt)
            rows.append([
                request_id, timestamp(instant, w.offset, r.randrange(1000)), w.id, w.provider,
                model, prompt, uncached, read, write_5m, write_1h, output, reasoning,
                "" if ttft is None else f"{ttft:.1f}",
                "" if tpot is None else f"{tpot:.2f}",
                "" if e2e is None else f"{e2e:.1f}",
                status,
                0 if w.retry == "retry_of" else attempt,
                previous_id if w.retry in ("both", "retry_of") else "",
                gate, "true" if escalated else "false", cost,
            ])
            if status == "ok" or attempt >= 2 or r.random() < 0.25:
                break
            previous_id = request_id
            attempt += 1
    return rows


def workspace_yaml():
    """A workspace with a rate card for every model of the trace and its three workloads."""
    out = [
        "format_version: 1",
        "meta:",
        "  title: Query pack fixture",
        "  owner: Platform analytics",
        "  currency: USD",
        '  created: "2026-03-06"',
        '  updated: "2026-03-06"',
        "  notes: Rate cards and workloads for the trace querypack/check_engines.py generates.",
        "rate_cards:",
    ]
    for cid, provider, model, start, inp, cached, w5, w1, outp, discount in RATE_CARDS:
        out += [
            f"- id: {cid}",
            f"  provider: {provider}",
            f"  model: {model}",
            f'  effective_from: "{start}"',
            "  source: List prices",
            "  pricing:",
            "    kind: tokens",
            f"    input_per_m: {inp}",
            f"    cached_input_per_m: {cached}",
        ]
        if w5 is not None:
            out.append(f"    cache_write_5m_per_m: {w5}")
        if w1 is not None:
            out.append(f"    cache_write_1h_per_m: {w1}")
        out.append(f"    output_per_m: {outp}")
        if discount is not None:
            out += ["  contract:", "    reference: MSA-7", f"    discount: {discount}"]
    out.append("workloads:")
    for w in WORKLOADS:
        out += [
            f"- id: {w.id}",
            f"  name: {w.id.replace('-', ' ').capitalize()}",
            "  accepted_unit: accepted output",
            "  monthly_requests: 30000.0",
            "  tokens:",
            f"    stable_prefix: {float(int(w.input * 0.6))}",
            f"    dynamic_tail: {float(w.input - int(w.input * 0.6))}",
            f"    output: {float(w.output)}",
            "  cache_hit_rate: 0.5",
            "  retry_rate: 0.03",
            f"  quality_gate_pass_rate: {w.pass_rate}",
            "  repair_cost_per_failure: 0.01",
            "  human_escalation_rate: 0.04",
            "  human_cost_per_case: 2.5",
            "  eval_sample_rate: 0.1",
            "  grader_cost_per_eval: 0.004",
            "  ops_monthly_cost: 900.0",
            "  engineering_hours_per_month: 4.0",
            "  engineer_hourly_cost: 100.0",
            "  batch_eligible_share: 0.0",
            "  prefill_efficiency: 0.0",
            "  slo:",
            "    ttft_ms: 1000.0",
            "    tpot_ms: 50.0",
            "  quality_floor: 0.75",
        ]
    return "\n".join(out) + "\n"


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def cell(v):
    """One formatting for every engine's values; a double in its shortest round-trip form."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


# The pack's SQL per (engine, query), from `lcpr querypack print`: the one place the reviewed
# rewrites of dialects.tsv are applied, so what this check runs is what a user pastes.
LCPR = None
_PACK = {}


def pack_for(engine, name):
    """The source query `name` in `engine`'s dialect, as `lcpr querypack print` writes it."""
    import subprocess

    if (engine, name) not in _PACK:
        done = subprocess.run([LCPR, "querypack", "print", "--engine", engine, "--query", name],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{LCPR} querypack print --engine {engine} --query {name} failed: "
                     f"{done.stderr.strip()}")
        _PACK[(engine, name)] = done.stdout
    return _PACK[(engine, name)]


# sqlglot's dialect name per engine, and the CAST target types each engine's type docs define
# (the pack casts to nothing else; a type outside the list would fail there).
DIALECTS = {
    "duckdb": ("duckdb", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
    "spark": ("spark", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
    "databricks": ("databricks", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
    "clickhouse": ("clickhouse", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
    "bigquery": ("bigquery", {"INT64", "FLOAT64", "BIGNUMERIC(38, 10)"}),
    "snowflake": ("snowflake", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
    "trino": ("trino", {"BIGINT", "DOUBLE", "DECIMAL(38, 10)"}),
}


def check_dialects():
    """Parses every engine's variant with that engine's sqlglot dialect; checks its cast types.
    (`lcpr querypack print` itself refuses a dialects.tsv line of an unknown engine or whose
    text is in no query.)"""
    import re

    import sqlglot

    problems = []
    for engine, (dialect, types) in DIALECTS.items():
        for name in QUERIES:
            sql = pack_for(engine, name)
            try:
                statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
            except sqlglot.errors.ParseError as e:
                problems.append(f"{engine} {name}: does not parse as {dialect}: {e}")
                continue
            if len(statements) != 1:
                problems.append(f"{engine} {name}: {len(statements)} statements, want 1")
            for found in re.findall(r"\bAS ([A-Z][A-Z0-9]*(?:\(\d+, \d+\))?)\)", sql):
                if found not in types:
                    problems.append(f"{engine} {name}: casts to {found}, not a type of {engine}")
    return problems


def run_duckdb(datasets, out_dir):
    import duckdb

    results = {}
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for label, (csv_path, parquet_path) in datasets.items():
        for fmt in ("parquet", "csv"):
            if fmt == "parquet":
                con.execute(
                    f"CREATE OR REPLACE VIEW typed_traces AS SELECT * FROM read_parquet('{parquet_path}')"
                )
            else:
                source = f"read_csv('{csv_path}', header = true, all_varchar = true)"
                typed = TYPED_SELECT.format(ts="TIMESTAMPTZ", source=source)
                con.execute(f"CREATE OR REPLACE VIEW typed_traces AS {typed}")
            con.execute(f"CREATE OR REPLACE VIEW traces AS {TRACES_VIEW}")
            for name in QUERIES:
                cur = con.execute(pack_for("duckdb", name))
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
    all_text = ", ".join(f"{c} STRING" for c in COLUMNS)
    results = {}
    try:
        for label, (csv_path, parquet_path) in datasets.items():
            for fmt in ("parquet", "csv"):
                if fmt == "parquet":
                    spark.read.parquet(parquet_path).createOrReplaceTempView("typed_traces")
                else:
                    raw = spark.read.csv(csv_path, header=True, schema=all_text)
                    raw.createOrReplaceTempView("raw_traces")
                    typed = TYPED_SELECT.format(ts="TIMESTAMP", source="raw_traces")
                    spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW typed_traces AS {typed}")
                spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW traces AS {TRACES_VIEW}")
                # Databricks runs ANSI mode on (Spark 4's default); Spark 3's default is off.
                for ansi in ("false", "true"):
                    spark.conf.set("spark.sql.ansi.enabled", ansi)
                    mode = fmt + (".ansi" if ansi == "true" else "")
                    for name in QUERIES:
                        # Databricks is Spark SQL: the same variant.
                        engine = "databricks" if ansi == "true" else "spark"
                        result = spark.sql(pack_for(engine, name))
                        header = result.columns
                        rows = [[cell(v) for v in row] for row in result.collect()]
                        path = os.path.join(out_dir, f"spark.{mode}.{name}.{label}.csv")
                        write_csv(path, header, rows)
                        results[(mode, name, label)] = path
    finally:
        spark.stop()
    return results


# The typed view in ClickHouse: Nullable where the contract allows NULL, so an empty CSV field
# stays NULL instead of 0 (querypack/README.md, "The traces view"). An alias shadows the column
# of the same name everywhere else in the SELECT (unless prefer_column_name_to_alias is set, as
# the tier-1 variant sets it), so the parsed instant gets its own name first.
CLICKHOUSE_TYPES = (
    "request_id String, timestamp String, workload String, provider String, model String, "
    "prompt_version Nullable(String), uncached_input_tokens Int64, cache_read_tokens Int64, "
    "cache_write_5m_tokens Int64, cache_write_1h_tokens Int64, output_tokens Int64, "
    "reasoning_tokens Int64, ttft_ms Nullable(Float64), tpot_ms Nullable(Float64), "
    "e2e_ms Nullable(Float64), status String, attempt Int32, retry_of Nullable(String), "
    "quality_gate String, escalated Bool, reported_cost Nullable(Decimal(20, 10))"
)
CLICKHOUSE_VIEW = """
    SELECT request_id, instant AS timestamp, toDate(instant, 'UTC') AS day,
           workload, provider, model, ifNull(prompt_version, '') AS prompt_version,
           uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens,
           cache_write_1h_tokens, output_tokens, reasoning_tokens, ttft_ms, tpot_ms, e2e_ms,
           status, attempt, nullIf(trim(retry_of), '') AS retry_of, quality_gate, escalated,
           reported_cost
    FROM (SELECT *, parseDateTime64BestEffort(timestamp, 3, 'UTC') AS instant FROM {source})
"""


def arrow_rows(table):
    header = table.column_names
    columns = [table.column(c).to_pylist() for c in header]
    return header, [[cell(v) for v in row] for row in zip(*columns)]


def run_chdb(datasets, out_dir):
    """ClickHouse in process (chdb): the clickhouse variant over the CSV and the Parquet."""
    from chdb import session

    results = {}
    s = session.Session()
    try:
        s.query("CREATE DATABASE IF NOT EXISTS lcpr")
        for label, (csv_path, parquet_path) in datasets.items():
            for fmt in ("parquet", "csv"):
                if fmt == "parquet":
                    # The Parquet timestamp is an instant; the view reads its UTC text the same
                    # way as the CSV's.
                    source = (f"(SELECT * REPLACE (toString(timestamp, 'UTC') AS timestamp) "
                              f"FROM file('{parquet_path}', 'Parquet'))")
                else:
                    source = f"file('{csv_path}', 'CSVWithNames', '{CLICKHOUSE_TYPES}')"
                s.query("DROP VIEW IF EXISTS lcpr.traces")
                s.query(f"CREATE VIEW lcpr.traces AS {CLICKHOUSE_VIEW.format(source=source)}")
                for name in QUERIES:
                    sql = pack_for("clickhouse", name).replace(
                        "FROM traces", "FROM lcpr.traces")
                    table = s.query(sql, "ArrowTable")
                    header, rows = arrow_rows(table)
                    path = os.path.join(out_dir, f"clickhouse.{fmt}.{name}.{label}.csv")
                    write_csv(path, header, rows)
                    results[(fmt, name, label)] = path
    finally:
        s.close()
    return results


def run_fakesnow(datasets, out_dir):
    """The Snowflake variant on fakesnow (Snowflake's SQL emulated over DuckDB)."""
    import warnings

    import fakesnow
    import pandas
    import snowflake.connector
    import snowflake.connector.pandas_tools

    # fakesnow warns that Arrow results cost a copy; the results are a few hundred rows.
    warnings.filterwarnings("ignore", module="fakesnow")

    results = {}
    with fakesnow.patch():
        conn = snowflake.connector.connect(database="lcpr", schema="pack")
        cur = conn.cursor()
        cur.execute("CREATE DATABASE IF NOT EXISTS lcpr")
        cur.execute("CREATE SCHEMA IF NOT EXISTS lcpr.pack")
        cur.execute("USE SCHEMA lcpr.pack")
        text_columns = ", ".join(f"{c} VARCHAR" for c in COLUMNS) + ", day VARCHAR"
        for label, (csv_path, _) in datasets.items():
            with open(csv_path, encoding="utf-8") as f:
                raw = list(csv.reader(f))[1:]
            cur.execute(f"CREATE OR REPLACE TABLE raw_traces ({text_columns})")
            # The UTC day, as the view contract requires; Snowflake's view would take it with
            # CONVERT_TIMEZONE('UTC', ...)::DATE.
            staged = pandas.DataFrame(
                [r + [utc_day(r[1])] for r in raw], columns=[*COLUMNS, "day"], dtype="string")
            # The connector's bulk load (emulated); row-by-row inserts take minutes.
            # Looked up inside fakesnow.patch(), which replaces it.
            snowflake.connector.pandas_tools.write_pandas(
                conn, staged, "RAW_TRACES", quote_identifiers=False)
            cur.execute(f"CREATE OR REPLACE VIEW traces AS {SNOWFLAKE_VIEW}")
            for name in QUERIES:
                cur.execute(pack_for("snowflake", name))
                header = [d[0].lower() for d in cur.description]
                rows = [[cell(v) for v in row] for row in cur.fetchall()]
                path = os.path.join(out_dir, f"snowflake.csv.{name}.{label}.csv")
                write_csv(path, header, rows)
                results[("csv", name, label)] = path
        conn.close()
    return results


def utc_day(text):
    instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return instant.astimezone(dt.timezone.utc).date().isoformat()


SNOWFLAKE_VIEW = """
    SELECT request_id, workload, provider, model, COALESCE(prompt_version, '') AS prompt_version,
           CAST(uncached_input_tokens AS BIGINT) AS uncached_input_tokens,
           CAST(cache_read_tokens AS BIGINT) AS cache_read_tokens,
           CAST(cache_write_5m_tokens AS BIGINT) AS cache_write_5m_tokens,
           CAST(cache_write_1h_tokens AS BIGINT) AS cache_write_1h_tokens,
           CAST(output_tokens AS BIGINT) AS output_tokens,
           CAST(reasoning_tokens AS BIGINT) AS reasoning_tokens,
           CAST(NULLIF(ttft_ms, '') AS DOUBLE) AS ttft_ms,
           CAST(NULLIF(tpot_ms, '') AS DOUBLE) AS tpot_ms,
           CAST(NULLIF(e2e_ms, '') AS DOUBLE) AS e2e_ms,
           status, CAST(attempt AS INTEGER) AS attempt, NULLIF(TRIM(retry_of), '') AS retry_of,
           quality_gate, CAST(escalated AS BOOLEAN) AS escalated,
           CAST(NULLIF(reported_cost, '') AS DECIMAL(20, 10)) AS reported_cost,
           CAST(day AS DATE) AS day
    FROM raw_traces
"""


# The OpenTelemetry Collector ClickHouse exporter's span table (exporter/clickhouseexporter,
# internal/sqltemplates/traces_table.sql), without its codecs, indexes and ALIAS columns.
OTEL_TRACES_TABLE = """
CREATE TABLE lcpr.otel_traces (
    Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String,
    TraceState String, SpanName LowCardinality(String), SpanKind LowCardinality(String),
    ServiceName LowCardinality(String), ResourceAttributes Map(LowCardinality(String), String),
    ScopeName String, ScopeVersion String,
    SpanAttributes Map(LowCardinality(String), String), Duration UInt64,
    StatusCode LowCardinality(String), StatusMessage String,
    Events Nested (Timestamp DateTime64(9), Name LowCardinality(String),
                   Attributes Map(LowCardinality(String), String)),
    Links Nested (TraceId String, SpanId String, TraceState String,
                  Attributes Map(LowCardinality(String), String))
) ENGINE = Memory
"""


def otel_spans(rows):
    """The spans a GenAI-instrumented client exports for the trace's attempts, and the same
    attempts as the canonical rows a local import of what the spans carry reads."""
    index = {c: i for i, c in enumerate(COLUMNS)}
    spans, canonical = [], []
    for n, r in enumerate(rows):
        get = lambda c: r[index[c]]  # noqa: E731
        uncached, read = int(get("uncached_input_tokens")), int(get("cache_read_tokens"))
        writes = int(get("cache_write_5m_tokens")) + int(get("cache_write_1h_tokens"))
        generated = int(get("output_tokens")) + int(get("reasoning_tokens"))
        instant = dt.datetime.fromisoformat(get("timestamp").replace("Z", "+00:00"))
        utc = instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        status = get("status")
        attrs = {
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": get("provider"),
            "gen_ai.request.model": get("model"), "gen_ai.response.model": get("model"),
            "gen_ai.usage.input_tokens": str(uncached + read + writes),
            "gen_ai.usage.output_tokens": str(generated),
        }
        if read:
            attrs["gen_ai.usage.cache_read.input_tokens"] = str(read)
        if writes:
            attrs["gen_ai.usage.cache_creation.input_tokens"] = str(writes)
        if status == "timeout":
            attrs["error.type"] = "timeout"
        elif status == "error":
            attrs["error.type"] = "500"
        duration_ns = round(float(get("e2e_ms")) * 10) * 100_000
        spans.append((utc, f"{n:032x}", get("request_id"), get("workload"), attrs,
                      duration_ns, "Error" if status != "ok" else "Unset"))
        canonical.append([
            get("request_id"), get("timestamp"), get("workload"), get("provider"),
            get("model"), "", uncached, read, writes, 0, generated, 0, "", "",
            get("e2e_ms"), status, 0, "", "unknown", "false", "",
        ])
    # A span of another kind and one without usage: neither is an attempt.
    spans.append(("2026-03-02 10:00:00.000000", "f" * 32, "internal-1", "support-rag",
                  {"gen_ai.operation.name": "chat"}, 5_000_000, "Unset"))
    return spans, canonical


# LiteLLM proxy's spend log as its Postgres schema declares it (schema.prisma, model
# LiteLLM_SpendLogs; Prisma's DateTime is timestamp(3), Json is jsonb), in DuckDB types.
LITELLM_TABLE = """
CREATE TABLE "LiteLLM_SpendLogs" (
    request_id VARCHAR PRIMARY KEY, call_type VARCHAR, api_key VARCHAR, spend DOUBLE,
    total_tokens INTEGER, prompt_tokens INTEGER, completion_tokens INTEGER,
    "startTime" TIMESTAMP, "endTime" TIMESTAMP, request_duration_ms INTEGER,
    "completionStartTime" TIMESTAMP, model VARCHAR, model_id VARCHAR, model_group VARCHAR,
    custom_llm_provider VARCHAR, api_base VARCHAR, "user" VARCHAR, metadata JSON,
    cache_hit VARCHAR, cache_key VARCHAR, request_tags JSON, team_id VARCHAR,
    organization_id VARCHAR, end_user VARCHAR, requester_ip_address VARCHAR, messages JSON,
    response JSON, session_id VARCHAR, status VARCHAR, mcp_namespaced_tool_name VARCHAR,
    agent_id VARCHAR, proxy_server_request JSON)
"""


def litellm_logs(rows):
    """Spend-log rows LiteLLM writes for the trace's attempts without cache writes (it logs
    none), and the canonical rows of what the log carries (whole milliseconds)."""
    import json

    index = {c: i for i, c in enumerate(COLUMNS)}
    logs, canonical = [], []
    for r in rows:
        get = lambda c: r[index[c]]  # noqa: E731
        if int(get("cache_write_5m_tokens")) or int(get("cache_write_1h_tokens")):
            continue
        uncached, read = int(get("uncached_input_tokens")), int(get("cache_read_tokens"))
        generated = int(get("output_tokens")) + int(get("reasoning_tokens"))
        start = dt.datetime.fromisoformat(get("timestamp").replace("Z", "+00:00"))
        start = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
        e2e = round(float(get("e2e_ms")))
        ttft = None if get("ttft_ms") == "" else round(float(get("ttft_ms")))
        end = start + dt.timedelta(milliseconds=e2e)
        first = None if ttft is None else start + dt.timedelta(milliseconds=ttft)
        cost = get("reported_cost") or "0"
        usage = {"prompt_tokens": uncached + read, "completion_tokens": generated}
        if read:
            usage["prompt_tokens_details"] = {"cached_tokens": read}
        logs.append((get("request_id"), float(cost), uncached + read + generated,
                     uncached + read, generated, start, end, first, get("model"),
                     get("provider"), json.dumps({"usage_object": usage}), get("workload"),
                     "success" if get("status") == "ok" else "failure"))
        canonical.append([
            get("request_id"), start.isoformat() + "Z", get("workload"), get("provider"),
            get("model"), "", uncached, read, 0, 0, generated, 0,
            "" if ttft is None else f"{ttft}.0", "", f"{e2e}.0",
            "ok" if get("status") == "ok" else "error", 0, "", "unknown", "false", cost,
        ])
    return logs, canonical


def canonical_results(canonical, path):
    """The pack's results on DuckDB over canonical rows: what a local import of them reads."""
    import duckdb

    write_csv(path, COLUMNS, canonical)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_csv('{path}', header = true, all_varchar = true)"
    con.execute(f"CREATE VIEW typed_traces AS {TYPED_SELECT.format(ts='TIMESTAMPTZ', source=source)}")
    con.execute(f"CREATE VIEW traces AS {TRACES_VIEW}")
    expected = {}
    for name in QUERIES:
        cur = con.execute(pack_for("duckdb", name))
        expected[name] = ([d[0] for d in cur.description],
                          [[cell(v) for v in row] for row in cur.fetchall()])
    con.close()
    return expected


def check_litellm_recipe(rows, out_dir):
    import duckdb

    logs, canonical = litellm_logs(rows[:400])
    expected = canonical_results(
        canonical, os.path.join(out_dir, "recipe.litellm_spendlogs.canonical.csv"))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(LITELLM_TABLE)
    con.executemany(
        'INSERT INTO "LiteLLM_SpendLogs" (request_id, spend, total_tokens, prompt_tokens, '
        'completion_tokens, "startTime", "endTime", "completionStartTime", model, '
        "custom_llm_provider, metadata, team_id, status, call_type, api_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'acompletion', '')", logs)
    with open(os.path.join(HERE, "views", "litellm_spendlogs.postgres.sql"), encoding="utf-8") as f:
        con.execute(f.read())
    problems = []
    for name in QUERIES:
        cur = con.execute(pack_for("duckdb", name))
        got = ([d[0] for d in cur.description], [[cell(v) for v in row] for row in cur.fetchall()])
        if got != expected[name]:
            problems.append(f"view recipe litellm_spendlogs: {name} differs from the canonical "
                            "rows' results")
        write_csv(os.path.join(out_dir, f"recipe.litellm_spendlogs.{name}.csv"), *got)
    con.close()
    return problems


def check_view_recipes(rows, out_dir):
    """Each view recipe over a small table of its store's schema gives the same pack results
    as the canonical rows of the same attempts (what a local import reads)."""
    from chdb import session

    problems = check_litellm_recipe(rows, out_dir)
    sample = rows[:400]
    spans, canonical = otel_spans(sample)
    expected = canonical_results(
        canonical, os.path.join(out_dir, "recipe.otel_genai_spans.canonical.csv"))

    s = session.Session()
    try:
        s.query("CREATE DATABASE IF NOT EXISTS lcpr")
        s.query("DROP TABLE IF EXISTS lcpr.otel_traces")
        s.query(OTEL_TRACES_TABLE)
        values = []
        for utc, trace_id, span_id, service, attrs, duration, code in spans:
            kind = "Internal" if span_id.startswith("internal") else "Client"
            amap = "map(" + ", ".join(f"'{k}', '{v}'" for k, v in attrs.items()) + ")"
            values.append(f"('{utc}', '{trace_id}', '{span_id}', '', '', 'chat', '{kind}', "
                          f"'{service}', map(), '', '', {amap}, {duration}, '{code}', '', "
                          "[], [], [], [], [], [], [])")
        s.query("INSERT INTO lcpr.otel_traces VALUES " + ", ".join(values))
        with open(os.path.join(HERE, "views", "otel_genai_spans.clickhouse.sql"),
                  encoding="utf-8") as f:
            recipe = f.read()
        s.query(recipe.replace("VIEW traces", "VIEW lcpr.traces")
                .replace("FROM otel_traces", "FROM lcpr.otel_traces"))
        for name in QUERIES:
            sql = pack_for("clickhouse", name).replace("FROM traces", "FROM lcpr.traces")
            got = arrow_rows(s.query(sql, "ArrowTable"))
            if [got[0], got[1]] != [expected[name][0], expected[name][1]]:
                problems.append(f"view recipe otel_genai_spans: {name} differs from the "
                                "canonical rows' results")
            write_csv(os.path.join(out_dir, f"recipe.otel_genai_spans.{name}.csv"), *got)
    finally:
        s.close()
    problems += check_langfuse_recipe(rows, out_dir)
    problems += check_provider_usage_recipe(rows, out_dir)
    return problems


def recipe_sql(file):
    with open(os.path.join(HERE, "views", file), encoding="utf-8") as f:
        return f.read()


def compare_recipe(recipe, expected, results, out_dir):
    """The pack's results over a recipe's view against the canonical rows' results."""
    problems = []
    for name in QUERIES:
        got = results[name]
        if got != expected[name]:
            problems.append(f"view recipe {recipe}: {name} differs from the canonical rows' "
                            "results")
        write_csv(os.path.join(out_dir, f"recipe.{recipe}.{name}.csv"), *got)
    return problems


def utc_naive(text):
    instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return instant.astimezone(dt.timezone.utc).replace(tzinfo=None)


# Langfuse's observations table as its ClickHouse migrations create it
# (packages/shared/clickhouse/migrations/unclustered/0002_observations.up.sql, with
# `environment` from 0008_add_environments_column.up.sql), without its codecs and indexes.
LANGFUSE_OBSERVATIONS_TABLE = """
CREATE TABLE lcpr.observations (
    `id` String, `trace_id` String, `project_id` String,
    `environment` LowCardinality(String) DEFAULT 'default',
    `type` LowCardinality(String), `parent_observation_id` Nullable(String),
    `start_time` DateTime64(3), `end_time` Nullable(DateTime64(3)), `name` String,
    `metadata` Map(LowCardinality(String), String), `level` LowCardinality(String),
    `status_message` Nullable(String), `version` Nullable(String), `input` Nullable(String),
    `output` Nullable(String), `provided_model_name` Nullable(String),
    `internal_model_id` Nullable(String), `model_parameters` Nullable(String),
    `provided_usage_details` Map(LowCardinality(String), UInt64),
    `usage_details` Map(LowCardinality(String), UInt64),
    `provided_cost_details` Map(LowCardinality(String), Decimal64(12)),
    `cost_details` Map(LowCardinality(String), Decimal64(12)),
    `total_cost` Nullable(Decimal64(12)), `completion_start_time` Nullable(DateTime64(3)),
    `prompt_id` Nullable(String), `prompt_name` Nullable(String),
    `prompt_version` Nullable(UInt16), `created_at` DateTime64(3) DEFAULT now(),
    `updated_at` DateTime64(3) DEFAULT now(), event_ts DateTime64(3), is_deleted UInt8
) ENGINE = ReplacingMergeTree(event_ts, is_deleted) PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, `type`, toDate(start_time), id)
"""


def langfuse_observations(rows):
    """Observations Langfuse records for the trace's attempts (one generation each, usage split
    the way its ingestion splits it), and the canonical rows of what they carry."""
    index = {c: i for i, c in enumerate(COLUMNS)}
    obs, canonical = [], []

    def chmap(pairs, value=str):
        return "map(" + ", ".join(f"'{k}', {value(v)}" for k, v in pairs) + ")"

    def dec(v):
        return f"toDecimal64('{v}', 12)"

    def ms(t):
        return "NULL" if t is None else "'" + t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "'"

    for n, r in enumerate(rows):
        get = lambda c: r[index[c]]  # noqa: E731
        uncached, read = int(get("uncached_input_tokens")), int(get("cache_read_tokens"))
        w5, w1 = int(get("cache_write_5m_tokens")), int(get("cache_write_1h_tokens"))
        output, reasoning = int(get("output_tokens")), int(get("reasoning_tokens"))
        workload, provider = get("workload"), get("provider")
        start = utc_naive(get("timestamp"))
        e2e = round(float(get("e2e_ms")))
        ttft = None if get("ttft_ms") == "" else round(float(get("ttft_ms")))
        end = start + dt.timedelta(milliseconds=e2e)
        first = None if ttft is None else start + dt.timedelta(milliseconds=ttft)
        usage = [("input", uncached)]
        if provider == "OpenAI":
            usage += [("input_cached_tokens", read)]
        elif provider == "Anthropic":
            # Writes of unstated lifetime on some rows: Langfuse keeps input_cache_creation.
            key = "input_cache_creation" if n % 3 == 0 else "input_cache_creation_5m"
            usage += [("input_cache_read", read), (key, w5), ("input_cache_creation_1h", w1)]
        elif n % 5 == 0:
            # Another input detail (audio) is input, and Langfuse takes it out of 'input'.
            audio = min(10, uncached)
            usage = [("input", uncached - audio), ("input_audio_tokens", audio)]
        usage += [("output", output), ("total", uncached + read + w5 + w1 + output + reasoning)]
        if reasoning:
            usage.append(("output_reasoning_tokens", reasoning))
        cost = get("reported_cost")
        if cost == "":
            cost_details, total = [], "NULL"
        elif n % 3 == 0:
            cost_details, total = [], dec(cost)
        else:
            cost_details, total = [("total", cost)], dec(cost)
        metadata = [("provider", provider)]
        name = workload
        if n % 2:
            metadata.append(("workload", workload))
            name = "chat"
        prompt = get("prompt_version")
        prompt_name, prompt_version = ("NULL", "NULL")
        canonical_prompt = ""
        if prompt:
            base, version = prompt.rsplit("-v", 1)
            prompt_name, prompt_version = f"'{base}'", version
            canonical_prompt = f"{base}:{version}"
        status = get("status")
        level = "DEFAULT" if status == "ok" else "ERROR"
        message = {"ok": "NULL", "timeout": "'Request timed out after 30s'",
                   "error": "'500 Internal Server Error'"}[status]
        obs.append(
            f"('{get('request_id')}', 't{n:05d}', 'p1', 'default', 'GENERATION', NULL, "
            f"{ms(start)}, {ms(end)}, '{name}', {chmap(metadata, lambda v: repr(v))}, "
            f"'{level}', {message}, NULL, NULL, NULL, '{get('model')}', NULL, NULL, map(), "
            f"{chmap(usage)}, map(), {chmap(cost_details, dec)}, {total}, {ms(first)}, NULL, "
            f"{prompt_name}, {prompt_version}, now(), now(), {ms(start)}, 0)")
        canonical.append([
            get("request_id"), start.isoformat() + "Z", workload, provider, get("model"),
            canonical_prompt, uncached, read, w5, w1, output, reasoning,
            "" if ttft is None else f"{ttft}.0", "", f"{e2e}.0", status, 0, "", "unknown",
            "false", cost,
        ])
    # Not attempts: a span, an older version of a generation (FINAL keeps the latest) and a
    # generation deleted later.
    first_id = rows[0][index["request_id"]]
    extra = [
        "('span-1', 't99999', 'p1', 'default', 'SPAN', NULL, '2026-03-02 10:00:00.000', "
        "'2026-03-02 10:00:01.000', 'retrieve', map('workload', 'support-rag', 'provider', "
        "'OpenAI'), 'DEFAULT', NULL, NULL, NULL, NULL, 'gpt-5.4', NULL, NULL, map(), "
        "map('input', 5, 'output', 5), map(), map(), NULL, NULL, NULL, NULL, NULL, now(), "
        "now(), '2026-03-02 10:00:00.000', 0)",
    ]
    for deleted, event_ts in ((0, "2026-03-01 00:00:00.000"), (1, "2026-03-09 00:00:00.000")):
        extra.append(
            f"('gone-1', 't99998', 'p1', 'default', 'GENERATION', NULL, "
            "'2026-03-02 11:00:00.000', '2026-03-02 11:00:01.000', 'support-rag', "
            "map('provider', 'OpenAI'), 'DEFAULT', NULL, NULL, NULL, NULL, 'gpt-5.4', NULL, "
            "NULL, map(), map('input', 100, 'output', 10), map(), map(), NULL, NULL, NULL, "
            f"NULL, NULL, now(), now(), '{event_ts}', {deleted})")
    # The same id as the first attempt, an earlier version with other counts.
    stale = obs[0].replace("map('input', ", "map('input', 99999, 'x', ", 1)
    stale = stale[:stale.rindex(", '")] + ", '2000-01-01 00:00:00.000', 0)"
    assert first_id in stale
    return obs, extra + [stale], canonical


def check_langfuse_recipe(rows, out_dir):
    from chdb import session

    obs, later, canonical = langfuse_observations(rows[:400])
    expected = canonical_results(
        canonical, os.path.join(out_dir, "recipe.langfuse_observations.canonical.csv"))
    s = session.Session()
    try:
        s.query("CREATE DATABASE IF NOT EXISTS lcpr")
        s.query("DROP TABLE IF EXISTS lcpr.observations")
        s.query(LANGFUSE_OBSERVATIONS_TABLE)
        # Versions in separate parts, unmerged, as Langfuse's ingestion leaves them until a
        # merge: only FINAL picks the latest.
        s.query("SYSTEM STOP MERGES lcpr.observations")
        s.query("INSERT INTO lcpr.observations VALUES " + ", ".join(obs))
        for row in later:
            s.query("INSERT INTO lcpr.observations VALUES " + row)
        recipe = recipe_sql("langfuse_observations.clickhouse.sql")
        s.query(recipe.replace("VIEW traces", "VIEW lcpr.traces")
                .replace("FROM observations", "FROM lcpr.observations"))
        results = {}
        for name in QUERIES:
            sql = pack_for("clickhouse", name).replace("FROM traces", "FROM lcpr.traces")
            results[name] = list(arrow_rows(s.query(sql, "ArrowTable")))
    finally:
        s.close()
    return compare_recipe("langfuse_observations", expected,
                          {k: (v[0], v[1]) for k, v in results.items()}, out_dir)


def provider_usage(rows):
    """Usage objects the providers return for the trace's successful attempts (OpenAI Chat
    Completions and Responses, Anthropic Messages with and without the cache lifetime
    breakdown, OpenAI-compatible for Fireworks), and the canonical rows of what they carry."""
    import json

    index = {c: i for i, c in enumerate(COLUMNS)}
    table, canonical = [], []
    for n, r in enumerate(rows):
        get = lambda c: r[index[c]]  # noqa: E731
        if get("status") != "ok":
            continue
        uncached, read = int(get("uncached_input_tokens")), int(get("cache_read_tokens"))
        w5, w1 = int(get("cache_write_5m_tokens")), int(get("cache_write_1h_tokens"))
        output, reasoning = int(get("output_tokens")), int(get("reasoning_tokens"))
        provider = get("provider")
        if provider == "OpenAI" and n % 3 == 0 and output > 3:
            # The trace's OpenAI workload reasons not at all; a reasoning model reports part
            # of its completion as reasoning, which the view must split out.
            reasoning, output = output // 4, output - output // 4
        if provider == "Anthropic":
            usage = {"input_tokens": uncached, "cache_read_input_tokens": read,
                     "cache_creation_input_tokens": w5 + w1, "output_tokens": output + reasoning}
            if n % 4:
                usage["cache_creation"] = {"ephemeral_5m_input_tokens": w5,
                                           "ephemeral_1h_input_tokens": w1}
            else:
                w5, w1 = w5 + w1, 0
            output, reasoning = output + reasoning, 0
        elif n % 2 and provider == "OpenAI":
            usage = {"input_tokens": uncached + read,
                     "input_tokens_details": {"cached_tokens": read},
                     "output_tokens": output + reasoning,
                     "output_tokens_details": {"reasoning_tokens": reasoning},
                     "total_tokens": uncached + read + output + reasoning}
        else:
            usage = {"prompt_tokens": uncached + read, "completion_tokens": output + reasoning,
                     "total_tokens": uncached + read + output + reasoning}
            if provider == "OpenAI":
                usage["prompt_tokens_details"] = {"cached_tokens": read, "audio_tokens": 0}
                usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
        created = utc_naive(get("timestamp"))
        table.append((get("request_id"), created, get("workload"), provider, get("model"),
                      json.dumps(usage)))
        canonical.append([
            get("request_id"), created.isoformat() + "Z", get("workload"), provider,
            get("model"), "", uncached, read, w5, w1, output, reasoning, "", "", "", "ok", 0,
            "", "unknown", "false", "",
        ])
    # A response logged without usage is no attempt the view can count.
    table.append(("resp-no-usage", dt.datetime(2026, 3, 2, 9), "support-rag", "OpenAI",
                  "gpt-5.4", None))
    return table, canonical


def provider_usage_recipe_duckdb():
    """The BigQuery recipe as DuckDB runs it: translated by sqlglot, BigQuery to DuckDB."""
    import sqlglot

    return sqlglot.transpile(recipe_sql("provider_usage.bigquery.sql"), read="bigquery",
                             write="duckdb")[0]


def check_provider_usage_recipe(rows, out_dir):
    """The BigQuery recipe parses as BigQuery; its translation runs on DuckDB over a table of
    the same columns and gives the canonical rows' results."""
    import duckdb
    import sqlglot

    import subprocess

    problems = []
    # The file a BigQuery user pastes: the recipe, then the pack's BigQuery variant.
    command = [LCPR, "querypack", "print", "--engine", "bigquery", "--view", "provider_usage"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"{' '.join(command)} failed: {done.stderr.strip()}"]
    try:
        statements = [s for s in sqlglot.parse(done.stdout, read="bigquery") if s is not None]
        if len(statements) != 4:
            problems.append(f"{' '.join(command)}: {len(statements)} statements, want 4")
    except sqlglot.errors.ParseError as e:
        return [f"{' '.join(command)}: does not parse as BigQuery: {e}"]
    table, canonical = provider_usage(rows[:400])
    expected = canonical_results(
        canonical, os.path.join(out_dir, "recipe.provider_usage.canonical.csv"))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE provider_usage (id VARCHAR, created TIMESTAMP, workload VARCHAR, "
                "provider VARCHAR, model VARCHAR, usage JSON)")
    con.executemany("INSERT INTO provider_usage VALUES (?, ?, ?, ?, ?, ?)", table)
    con.execute(provider_usage_recipe_duckdb())
    results = {}
    for name in QUERIES:
        cur = con.execute(pack_for("duckdb", name))
        results[name] = ([d[0] for d in cur.description],
                         [[cell(v) for v in row] for row in cur.fetchall()])
    con.close()
    return problems + compare_recipe("provider_usage", expected, results, out_dir)


RECIPES = ("litellm_spendlogs", "otel_genai_spans", "langfuse_observations", "provider_usage")


def check_recipe_baselines(out_dir, workspace_path):
    """For each view recipe, `lcpr import querypack` of the pack's results over the view writes
    the same baselines as `lcpr import traces` of the canonical rows of the same attempts (with
    percentiles sketched, as the pack's histograms are). Only the trace import records its
    file, so `source` is left out of the comparison."""
    import json
    import subprocess

    problems = []

    def imported(what, args):
        into = os.path.join(out_dir, f"workspace.{what}.yaml")
        shutil.copyfile(workspace_path, into)
        done = subprocess.run([LCPR, "import", *args, "--into", into, "--json"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            problems.append(f"lcpr import {' '.join(args)}: {done.stderr.strip()}")
            return None
        baselines = json.loads(done.stdout)["baselines"]
        for entry in baselines:
            entry["baseline"].pop("source", None)
        return baselines

    for recipe in RECIPES:
        files = {q: os.path.join(out_dir, f"recipe.{recipe}.{q}.csv") for q in QUERIES}
        local = imported(f"{recipe}.trace", [
            "traces", os.path.join(out_dir, f"recipe.{recipe}.canonical.csv"),
            "--exact-below", "0"])
        pack = imported(f"{recipe}.pack", [
            "querypack", "--counters", files["tier1_counters"],
            "--histograms", files["tier2_histograms"], "--extremes", files["tier2_extremes"]])
        if local is not None and pack is not None:
            if not local:
                problems.append(f"view recipe {recipe}: the local import derived no baseline")
            elif local != pack:
                problems.append(f"view recipe {recipe}: the baselines from the pack's results "
                                "differ from a local import's of the same attempts")
    return problems


def same_file(a, b):
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        return fa.read() == fb.read()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=20260301)
    p.add_argument("--requests", type=int, default=5000)
    p.add_argument("--out", help="directory for the data and results (default: a temp dir)")
    p.add_argument("--engines", default="duckdb,spark,clickhouse,snowflake",
                   help="comma-separated: duckdb, spark, clickhouse (chdb), snowflake (fakesnow)")
    p.add_argument("--write-fixtures", help="copy the trace and results here when engines agree")
    p.add_argument("--lcpr", required=True,
                   help="the lcpr binary; every engine's SQL is `lcpr querypack print`'s")
    args = p.parse_args()
    global LCPR
    LCPR = args.lcpr
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
    con.execute("SET TimeZone = 'UTC'")
    for label, part_rows in parts.items():
        csv_path = os.path.join(out, f"trace.{label}.csv")
        parquet_path = os.path.join(out, f"trace.{label}.parquet")
        write_csv(csv_path, COLUMNS, part_rows)
        source = f"read_csv('{csv_path}', header = true, all_varchar = true)"
        typed = TYPED_SELECT.format(ts="TIMESTAMPTZ", source=source)
        con.execute(f"COPY ({typed}) TO '{parquet_path}' (FORMAT PARQUET)")
        datasets[label] = (csv_path, parquet_path)
    con.close()
    workspace_path = os.path.join(out, "workspace.yaml")
    with open(workspace_path, "w", encoding="utf-8") as f:
        f.write(workspace_yaml())
    lap(f"generate {len(rows)} rows (seed {args.seed}), CSV and Parquet")

    problems = check_dialects()
    if problems:
        print("DIALECT VARIANTS DO NOT PARSE:")
        for line in problems:
            print("  " + line)
        return 1
    lap(f"sqlglot: {len(DIALECTS)} dialect variants x 3 queries parse")

    results = {}
    if "duckdb" in engines:
        results["duckdb"] = run_duckdb(datasets, out)
        lap("DuckDB: three queries x 3 datasets x 2 formats")
    if "spark" in engines:
        results["spark"] = run_spark(datasets, out)
        lap("Spark local, ANSI off and on: three queries x 3 datasets x 2 formats (incl. JVM)")
    if "clickhouse" in engines:
        results["clickhouse"] = run_chdb(datasets, out)
        lap("ClickHouse (chdb): three queries x 3 datasets x 2 formats")
    if "snowflake" in engines:
        results["snowflake"] = run_fakesnow(datasets, out)
        lap("Snowflake variant on fakesnow: three queries x 3 datasets (CSV)")

    # Every result must equal the first engine's over Parquet, across formats and engines.
    failures = []
    if "clickhouse" in engines:
        failures += check_view_recipes(rows, out)
        lap("view recipes: pack over each store's table = over the canonical rows")
        failures += check_recipe_baselines(out, workspace_path)
        lap("view recipes: baselines from the pack's results = a local import's (lcpr import)")
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
        shutil.copyfile(workspace_path, os.path.join(dest, "workspace.yaml"))
        for name in QUERIES:
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
