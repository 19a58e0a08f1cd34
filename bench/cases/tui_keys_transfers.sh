#!/usr/bin/env bash
# Keystroke to frame with 8 transfers running (issue 13): 8 files of BENCH_KEYS_MIB MiB (default
# 64) on the emulator's YetiShare account, downloaded from the TUI (all marked, copied to the
# local pane) while the host holds each connection to 2 MB/s, so that they run (and send their
# progress to the screen) for the whole measurement. Meanwhile BENCH_KEYS (default 40) keys,
# Down and Up in turn, 150 ms apart: for each, the time from the key as haul read it to the
# frame drawn after it (haul's frame log). Target: the 90th percentile <= 16 ms (a frame at
# 60 Hz); the median and the largest are shown too.
# Usage: bench/cases/tui_keys_transfers.sh   (HAUL, BENCH_KEYS_MIB, BENCH_KEYS)
set -euo pipefail
source "$(dirname "$0")/lib_ui.sh"
MIB=${BENCH_KEYS_MIB:-64}
KEYS=${BENCH_KEYS:-40}
ui_emulator_start "$BENCH_WORK/emu"
export HAUL_CONFIG=$BENCH_WORK/ys.toml
ui_config_for ys "$HAUL_CONFIG"
src=$(mktemp -d -p /dev/shm haul-ui-keys.XXXXXX 2> /dev/null || mktemp -d -p "$BENCH_WORK")
UI_DIRS+=("$src")
for i in $(seq 8); do head -c $((MIB << 20)) /dev/urandom > "$src/big-$i.bin"; done
"$HAUL" put -r "$src" ys:/ > /dev/null
rm -rf "$src"
ui_faults '{"rate_per_conn": 2000000}'
mkdir -p "$BENCH_WORK/dl"

ui_tui_start "$BENCH_WORK/dl" "$BENCH_WORK/keys.log"
ui_wait_log 0 '$1 == "listed" && $3 == 1' 20 > /dev/null
t=$(ui_key Enter) # into the folder put made
ui_wait_log "$t" '$1 == "listed" && $3 == 1' 20 > /dev/null
t=$(ui_key Tab)
ui_frame_after "$t" > /dev/null
tmux send-keys -t "$UI_SESSION" '*'
sleep 0.2
tmux send-keys -t "$UI_SESSION" c
sleep 2
running=$(curl -sf "$EMU_BASE/__emulator/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["in_flight"])')
echo "downloads in flight at the emulator after 2 s: $running connections"
lat=()
for i in $(seq "$KEYS"); do
  if ((i % 2)); then key=Down; else key=Up; fi
  t=$(ui_key "$key")
  k=$(ui_wait_log "$t" '$1 == "key"' 5)
  f=$(ui_frame_after "$k" 5)
  lat+=("$((f - k))")
  sleep 0.15
done
running_after=$(curl -sf "$EMU_BASE/__emulator/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["in_flight"])')
ui_tui_stop
echo "connections in flight after the keys: $running_after"
echo "key to frame µs: ${lat[*]}"
read -r med p90 max < <(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR] = $1} END {
  i = int(NR * 0.9 + 0.5); if (i < 1) i = 1; printf "%.3f %.3f %.3f\n", a[int((NR + 1) / 2)] / 1000, a[i] / 1000, a[NR] / 1000 }')
if ((running < 8 || running_after < 8)); then
  ui_row "keystroke to frame, 8 downloads running" "only $running/$running_after connections ran" "" "" "≤ 16 ms" MISSED
else
  ui_row "keystroke to frame, 8 downloads running" "p90 $(ui_ms "$p90") (median $(ui_ms "$med"), max $(ui_ms "$max"))" "" "" "≤ 16 ms" "$(ui_verdict "$p90" 16)"
fi
