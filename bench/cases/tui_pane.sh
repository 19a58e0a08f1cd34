#!/usr/bin/env bash
# The pane with 100,000 entries (issue 13), from the criterion benches in benches/pane.rs
# (`cargo bench --bench pane`, release build): a filter keystroke (<= 8 ms), a sort (the s
# key: size, date, name in turn; <= 20 ms) and a scroll frame (a key and a full redraw at
# 160x48; <= 0.5 ms), criterion's mean per iteration.
# Usage: bench/cases/tui_pane.sh   (needs cargo; HAUL is not used)
set -euo pipefail
source "$(dirname "$0")/lib_ui.sh"
out=$BENCH_WORK/pane-bench.txt
(cd "$UI_ROOT" && cargo bench --quiet --bench pane -- --output-format bencher) > "$out" 2> "$BENCH_WORK/pane-bench.err" ||
  { tail -20 "$BENCH_WORK/pane-bench.err"; exit 1; }
cat "$out"
ns() { # the ns/iter of the bench whose name contains $1
  awk -v want="$1" 'index($0, want) && /ns\/iter/ {
    for (i = 1; i <= NF; i++) if ($i == "bench:") { gsub(",", "", $(i + 1)); print $(i + 1); exit } }' "$out"
}
row() { # name, bench, target ms
  local v ms
  v=$(ns "$2")
  [[ -n $v ]] || { ui_row "$1" "no result" "" "" "≤ $3 ms" MISSED; return; }
  ms=$(awk -v n="$v" 'BEGIN {printf "%.3f", n / 1e6}')
  ui_row "$1" "$(ui_ms "$ms")" "" "" "≤ $3 ms" "$(ui_verdict "$ms" "$3")"
}
row "pane of 100,000: filter keystroke" "filter keystroke (narrow)" 8
row "pane of 100,000: sort (s)" "sort key" 20
row "pane of 100,000: scroll frame (160x48)" "scroll frame" 0.5
