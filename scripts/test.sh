#!/usr/bin/env bash
# Runs every test of LCPR Workbench: unit tests, the `lcpr calc` conformance cases (library and
# binary) and the end-to-end tests under tests/. Installs what it needs when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lcpr-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo test --workspace --locked

# The shared conformance runner, when the checkout sits beside ../shared (the project's own copy
# of the cases already ran above).
if [ -f ../shared/tools/check_calc.py ] && command -v python3 >/dev/null; then
  python3 ../shared/tools/check_calc.py --bin "$CARGO_TARGET_DIR/debug/lcpr" \
    --cases ../shared/conformance/calc-cases.json
fi

# Every shipped workspace and seed computes, and is stored in canonical form.
for f in workspaces/*.yaml seeds/*.yaml; do
  "$CARGO_TARGET_DIR/debug/lcpr" compute "$f" > /dev/null
  "$CARGO_TARGET_DIR/debug/lcpr" fmt --check "$f"
done
echo "lcpr compute and lcpr fmt --check: ok on $(ls workspaces/*.yaml seeds/*.yaml | wc -l) files"
