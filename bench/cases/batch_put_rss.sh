#!/usr/bin/env bash
# Batches (issue 13): a `put -r` of BENCH_BATCH_FILES one-byte files (default 100,000, in 100
# folders, in /dev/shm) to the emulator's YetiShare account (no latency), its peak resident
# memory (the kernel's VmHWM of the haul process) <= 150 MiB:
#  - in the CLI: `haul put -r DIR ys:/`;
#  - in the TUI (tmux): the folder copied (c) from the local pane to the account's root, the
#    peak read from /proc while the uploads run, until the emulator has them all.
# Usage: bench/cases/batch_put_rss.sh   (HAUL, BENCH_BATCH_FILES)
set -euo pipefail
source "$(dirname "$0")/lib_ui.sh"
N=${BENCH_BATCH_FILES:-100000}
ui_emulator_start "$BENCH_WORK/emu"
export HAUL_CONFIG=$BENCH_WORK/ys.toml
ui_config_for ys "$HAUL_CONFIG"
top=$(mktemp -d -p /dev/shm haul-ui-batch.XXXXXX 2> /dev/null || mktemp -d -p "$BENCH_WORK")
UI_DIRS+=("$top")
python3 - "$top/batch" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = max(1, n // 100)
for i in range(n):
    d = os.path.join(root, f"d{i // per:03d}")
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}.txt"), "w") as f:
        f.write("x")
PY
echo "$N files in $top/batch"

uploads() {
  curl -sf "$EMU_BASE/__emulator/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["by_route"].get("yetishare/file/upload", 0))'
}

# The CLI.
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$BENCH_WORK/cli.rss" "$HAUL" put -q -r "$top/batch" ys:/cli > "$BENCH_WORK/cli.out" 2>&1 ||
  { tail -5 "$BENCH_WORK/cli.out"; exit 1; }
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
cli_kib=$(tail -1 "$BENCH_WORK/cli.rss")
cli_mib=$(awk -v k="$cli_kib" 'BEGIN {printf "%.1f", k / 1024}')
echo "CLI: $N files in $secs s, peak RSS $cli_mib MiB"
ui_row "put -r of $(printf "%'d" "$N") files, CLI: peak RSS" "$cli_mib MiB" "" "" "≤ 150 MiB" "$(ui_verdict "$cli_mib" 150)"

# The TUI: the local pane (left, focused) opens on the folder holding batch/.
before=$(uploads)
ui_tui_start "$top" "$BENCH_WORK/tui.log"
pid=$(tmux list-panes -t "$UI_SESSION" -F '#{pane_pid}')
ui_wait_log 0 '$1 == "listed" && $3 == 1' 20 > /dev/null
tmux send-keys -t "$UI_SESSION" c
peak=0
start=$(date +%s)
while :; do
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
  ((hwm > peak)) && peak=$hwm
  done_now=$(($(uploads) - before))
  ((done_now >= N)) && break
  if (($(date +%s) - start > ${BENCH_BATCH_TIMEOUT:-1800})); then
    echo "TUI: only $done_now of $N uploads after the timeout"
    break
  fi
  sleep 1
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
((hwm > peak)) && peak=$hwm
ui_tui_stop
tui_mib=$(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}')
echo "TUI: $done_now uploads in $(($(date +%s) - start)) s, peak RSS $tui_mib MiB"
if ((done_now < N)); then
  ui_row "put -r of $(printf "%'d" "$N") files, TUI: peak RSS" "$tui_mib MiB after $done_now files" "" "" "≤ 150 MiB" MISSED
else
  ui_row "put -r of $(printf "%'d" "$N") files, TUI: peak RSS" "$tui_mib MiB" "" "" "≤ 150 MiB" "$(ui_verdict "$tui_mib" 150)"
fi
