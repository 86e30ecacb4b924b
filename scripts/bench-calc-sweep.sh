#!/usr/bin/env sh
# Whole-process time and peak memory of a 100,000-value `lcpr calc sensitivity` sweep (the
# example profile, retry_rate over [0, 0.5)), median of 5 runs; with REFERENCE_CALC set to a
# command reading the same JSON on stdin, the reference calculator's too.
#   scripts/bench-calc-sweep.sh [path/to/lcpr]
set -eu
lcpr="${1:-${CARGO_TARGET_DIR:-target}/release/lcpr}"
input="$(mktemp)"
trap 'rm -f "$input"' EXIT
python3 -c "
import json, sys
d = json.load(open('$(dirname "$0")/../examples/saas-chat-gpt-5.4.json'))
d['vary'] = 'retry_rate'
d['values'] = [i / 100000 * 0.5 for i in range(100000)]
json.dump(d, open('$input', 'w'))"
run() {
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" "$@" < "$input" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 3p | awk -v who="$1" '{ printf "%-40s %.2f s, peak %.1f MiB\n", who, $1, $2 / 1024 }'
}
run "$lcpr" calc sensitivity
if [ -n "${REFERENCE_CALC:-}" ]; then run $REFERENCE_CALC; fi
