#!/usr/bin/env bash
# Starts the real workbench window under Xvfb on the default workspace, clicks through the
# analysis tabs, takes screenshots and fails if a screenshot is blank. Prints the time to
# first frame. Usage: gui-smoke.sh BINARY OUT_DIR [light|dark] (default light).
set -euo pipefail
bin=$1
out=$2
theme=${3:-light}
mkdir -p "$out"
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
# A private HOME keeps preferences and snapshots of this run away from the user's.
export HOME
HOME=$(mktemp -d)
if [ "$theme" = dark ]; then
  # The theme is a preference: start the window as a user who chose dark last time.
  mkdir -p "$HOME/.config/lcprworkbench"
  echo '{"dark": true}' > "$HOME/.config/lcprworkbench/preferences.json"
fi
export LCPR_REPORT_STARTUP=1
xvfb-run -a -s "-screen 0 1400x880x24" bash -s "$bin" "$out" <<'INNER'
set -euo pipefail
bin=$1; out=$2
# The X server can still be coming up when xvfb-run hands over: a window that could not
# connect is started again (three tries) rather than failing the run.
win=""
for attempt in 1 2 3; do
  "$bin" workspaces/support-migration.yaml 2> "$out/stderr.txt" &
  pid=$!
  for _ in $(seq 1 60); do
    win=$(xdotool search --name "LCPR Workbench" 2>/dev/null | head -1 || true)
    if [ -n "$win" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ -n "$win" ]; then break; fi
  echo "gui-smoke: the window did not start (try $attempt): $(tail -1 "$out/stderr.txt")" >&2
  wait "$pid" 2>/dev/null || true
  sleep 1
done
[ -n "$win" ] || { echo "gui-smoke: no window after three tries" >&2; exit 1; }
sleep 2
import -window root "$out/compare.png"
# Ctrl+PageDown steps through the analysis views; one screenshot each. Without a window
# manager nothing gives the window keyboard focus, so give it explicitly. Fifteen views: the
# Plan view (the cascade's cost curve and funnel) is view-4.png.
xdotool mousemove 700 400
xdotool windowfocus "$win" 2>/dev/null || true
for i in $(seq 1 14); do
  xdotool key ctrl+Next
  sleep 1.2
  import -window root "$out/view-$i.png"
done
kill "$pid"
wait "$pid" 2>/dev/null || true
INNER
cat "$out/stderr.txt"
for shot in "$out"/*.png; do
  colors=$(identify -format '%k' "$shot")
  if [ "$colors" -lt 50 ]; then
    echo "gui-smoke: $shot looks blank ($colors colours)" >&2
    exit 1
  fi
done
echo "gui-smoke: $(ls "$out"/*.png | wc -l) screenshots, none blank"
