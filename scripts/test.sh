#!/usr/bin/env bash
# Runs every test of LCPR Workbench: unit tests, the `lcpr calc` conformance cases (library and
# binary), the end-to-end tests under tests/ (CLI, seeds, document format, PDF, GUI through
# egui_kittest), every shipped workspace through the CLI, and the real window under Xvfb.
# Installs the Debian packages it needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lcpr-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# xvfb/imagemagick/xdotool drive the real window; poppler-utils reads PDFs back; the Mesa
# packages give the window a software OpenGL.
needed=()
for pair in xvfb-run:xvfb import:imagemagick xdotool:xdotool pdftotext:poppler-utils pdftoppm:poppler-utils java:default-jre-headless; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || needed+=("${pair##*:}")
done
[ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so ] || [ -e /usr/lib/x86_64-linux-gnu/dri/llvmpipe_dri.so ] || needed+=(libgl1-mesa-dri libegl1)
if [ ${#needed[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
  fi
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR" 2>/dev/null || true

cargo test --workspace --locked

# The shared conformance runner, when the checkout sits beside ../shared (the project's own copy
# of the cases already ran above).
if [ -f ../shared/tools/check_calc.py ] && command -v python3 >/dev/null; then
  python3 ../shared/tools/check_calc.py --bin "$CARGO_TARGET_DIR/debug/lcpr" \
    --cases ../shared/conformance/calc-cases.json
fi

# Cases made by `lcpr new` from every template (three candidates, and one, which adds a
# cascade) go through the same commands as the shipped workspaces.
new_dir="$(mktemp -d)"
trap 'rm -rf "$new_dir"' EXIT
for t in $("$CARGO_TARGET_DIR/debug/lcpr" new --list | cut -d' ' -f1); do
  "$CARGO_TARGET_DIR/debug/lcpr" new --template "$t" --current gpt-5.4 --date 2026-12-03 \
    --candidate claude-sonnet-4-6 together_ai/openai/gpt-oss-120b coreweave-h100-1y -o "$new_dir/$t.yaml" > /dev/null
  "$CARGO_TARGET_DIR/debug/lcpr" new --template "$t" --current gpt-5.4-mini --date 2026-12-03 \
    --candidate groq/openai/gpt-oss-120b -o "$new_dir/$t-one.yaml" > /dev/null
  "$CARGO_TARGET_DIR/debug/lcpr" export memo "$new_dir/$t.yaml" -o "$new_dir/$t.pdf" > /dev/null
done
"$CARGO_TARGET_DIR/debug/lcpr" catalog > /dev/null
"$CARGO_TARGET_DIR/debug/lcpr" catalog --json > /dev/null
echo "lcpr new: $(ls "$new_dir"/*.yaml | wc -l) cases from $(ls catalog/templates/*.yaml | wc -l) templates"

# Every shipped workspace, seed and new case computes, and is stored in canonical form.
for f in workspaces/*.yaml seeds/*.yaml "$new_dir"/*.yaml; do
  "$CARGO_TARGET_DIR/debug/lcpr" compute "$f" > /dev/null
  "$CARGO_TARGET_DIR/debug/lcpr" fmt --check "$f"
done
echo "lcpr compute and lcpr fmt --check: ok on $(ls workspaces/*.yaml seeds/*.yaml "$new_dir"/*.yaml | wc -l) files"
for f in workspaces/*.yaml "$new_dir"/*.yaml; do
  for cmd in decide sources tornado montecarlo forecast gates attribute review baseline goodput plan; do
    "$CARGO_TARGET_DIR/debug/lcpr" "$cmd" "$f" > /dev/null
    "$CARGO_TARGET_DIR/debug/lcpr" "$cmd" "$f" --json > /dev/null
  done
done
# The plan of the default workspace's mix scenarios, one at a time as the README shows it.
for s in support-cascade support-h100-reserved; do
  "$CARGO_TARGET_DIR/debug/lcpr" plan workspaces/support-migration.yaml --scenario "$s" > /dev/null
  "$CARGO_TARGET_DIR/debug/lcpr" plan workspaces/support-migration.yaml --scenario "$s" --json > /dev/null
done
echo "lcpr decide|sources|tornado|montecarlo|forecast|gates|attribute|review|baseline|goodput|plan: ok on $(ls workspaces/*.yaml "$new_dir"/*.yaml | wc -l) workspaces"

# The warehouse query pack over a generated trace on DuckDB, Spark local (ANSI off and on),
# ClickHouse (chdb) and, as its dialect variant, on the Snowflake emulator (fakesnow); every
# engine variant parsed by sqlglot. The engines must agree, and their results must equal the
# committed fixtures, which tests/querypack.rs already matched against the local aggregation.
venv="$CARGO_TARGET_DIR/querypack-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# Installed once into the cached venv; later runs only check. fakesnow needs the 4.x connector.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check duckdb pyspark chdb \
    sqlglot fakesnow "snowflake-connector-python<5"
# Timed from here: the engines' work, not the one-time install into the cached venv.
qp_start=$(date +%s)
qp=$(mktemp -d)
"$venv/bin/python" querypack/check_engines.py --lcpr "$CARGO_TARGET_DIR/debug/lcpr" \
    --out "$qp/run" --write-fixtures "$qp/fixtures"
diff -r -x README.md "$qp/fixtures" tests/fixtures/querypack
echo "query pack: DuckDB, Spark (ANSI off and on), ClickHouse (chdb) and the Snowflake variant"
echo "(fakesnow) agree with each other and with the committed fixtures; the BigQuery, Snowflake"
qp_seconds=$(( $(date +%s) - qp_start ))
echo "and Trino variants parse; the four view recipes give a local import's baselines; the step"
echo "ran lcpr querypack print's SQL and took ${qp_seconds} s (limit 180 s)"
# A loaded machine can push Spark past the target; say so loudly rather than fail the suite.
[ "$qp_seconds" -lt 180 ] || echo "warning: the query pack step took over 3 minutes (${qp_seconds} s)" >&2

# The real window on the default workspace, under Xvfb: screenshots of every view, none blank.
bash scripts/gui-smoke.sh "$CARGO_TARGET_DIR/debug/lcpr-workbench" "$CARGO_TARGET_DIR/gui-smoke"
bash scripts/gui-smoke.sh "$CARGO_TARGET_DIR/debug/lcpr-workbench" "$CARGO_TARGET_DIR/gui-smoke-dark" dark
