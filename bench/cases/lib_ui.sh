# Helpers of the listing, TUI and batch cases (listing_*.sh, tui_*.sh, batch_*.sh), sourced by
# each: source "$(dirname "$0")/lib_ui.sh". Not a case: run on its own it does nothing.
# A case runs under bench/run.sh (HAUL = the release binary, BENCH_WORK = its scratch folder,
# BENCH_ROUNDS) or on its own (HAUL defaults to target/release/haul, built if missing;
# BENCH_WORK to a new temporary folder, removed at the end). It prints result rows as
#   ROW<TAB>case<TAB>haul value<TAB>references<TAB>ratio<TAB>target<TAB>ok|MISSED
# and anything else as log.
# The TUI is driven in a detached tmux session at 160x48, with HAUL_FRAME_LOG set: haul writes
# each key it reads, each listing page it takes in and each frame it draws with its time (see
# src/tui/frame_log.rs), so the times below are haul's own, not tmux's.
# shellcheck shell=bash
[[ ${BASH_SOURCE[0]} == "$0" ]] && exit 0

UI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -z ${HAUL:-} ]]; then
  HAUL=$UI_ROOT/target/release/haul
  [[ -x $HAUL ]] || (cd "$UI_ROOT" && cargo build --release --quiet) || exit 2
fi
export HAUL
if [[ -z ${BENCH_WORK:-} ]]; then
  BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/haul-ui-bench.XXXXXX")
  UI_OWN_WORK=$BENCH_WORK
fi
mkdir -p "$BENCH_WORK"
BENCH_ROUNDS=${BENCH_ROUNDS:-5}

UI_PIDS=()
UI_SESSIONS=()
UI_DIRS=()
ui_cleanup() {
  local s pid dir
  for s in "${UI_SESSIONS[@]}"; do tmux kill-session -t "$s" 2>/dev/null || true; done
  for pid in "${UI_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for dir in "${UI_DIRS[@]}"; do rm -rf "$dir"; done
  [[ -n ${UI_OWN_WORK:-} ]] && rm -rf "$UI_OWN_WORK"
  return 0
}
trap ui_cleanup EXIT

ui_row() {
  printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# The median / the largest of the numbers given.
ui_median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
    if (NR == 0) exit 1
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ui_max() { printf '%s\n' "$@" | sort -g | tail -1; }

# "ok" when A <= B, else "MISSED".
ui_verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "ok" : "MISSED" }'; }
ui_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'; }
# Milliseconds as people read them: "0.42 ms", "12.3 ms", "1.24 s".
ui_ms() {
  awk -v m="$1" 'BEGIN { if (m >= 1000) printf "%.2f s\n", m / 1000;
    else if (m >= 10) printf "%.1f ms\n", m; else printf "%.2f ms\n", m }'
}

ui_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `haul emulator --no-seed` with the flags given in DIR (data in /dev/shm when there);
# sets EMU_BASE, EMU_PID, EMU_OUT (its banner: config and secrets), HAUL_STATE_DIR, the
# HAUL_SECRET_* of its accounts, and HAUL_CONFIG (all its accounts).
#   ui_emulator_start DIR [FLAGS...]
ui_emulator_start() {
  local dir=$1 data port _
  shift
  mkdir -p "$dir"
  if [[ -d /dev/shm && -w /dev/shm ]]; then
    data=$(mktemp -d -p /dev/shm haul-ui-bench.XXXXXX)
    UI_DIRS+=("$data")
  else
    data=$dir/data
  fi
  port=$(ui_free_port)
  "$HAUL" emulator --listen "127.0.0.1:$port" --data "$data" --no-seed "$@" > "$dir/emulator.out" 2>&1 &
  EMU_PID=$!
  UI_PIDS+=("$EMU_PID")
  for _ in $(seq 200); do
    grep -q "^Press Ctrl-C" "$dir/emulator.out" 2>/dev/null && break
    sleep 0.05
  done
  grep -q "^Press Ctrl-C" "$dir/emulator.out" || { cat "$dir/emulator.out" >&2; return 1; }
  EMU_BASE=http://127.0.0.1:$port
  EMU_OUT=$dir/emulator.out
  sed -n '/^# config.toml/,/^# their secrets/p' "$EMU_OUT" | grep -v '^#' > "$dir/config.toml"
  eval "$(grep "^export HAUL_SECRET_" "$EMU_OUT")"
  export HAUL_CONFIG=$dir/config.toml HAUL_STATE_DIR=$dir/state HAUL_NO_BROWSER=1
  echo "emulator $EMU_BASE ($*), data in $data"
}

# A config with only the emulator's account NAME (so the TUI's right pane opens on it).
#   ui_config_for NAME FILE
ui_config_for() {
  awk -v want="[accounts.$1]" '$1 == want {on = 1} on && /^$/ {exit} on {print}' \
    <(sed -n '/^# config.toml/,/^# their secrets/p' "$EMU_OUT") > "$2"
}

ui_faults() {
  curl -sf -X POST -H 'content-type: application/json' -d "$1" "$EMU_BASE/__emulator/faults" > /dev/null
}

# Puts COUNT empty files in the folder PARENT ("/" or an id) of the emulator's account NAME
# of PROVIDER (yetishare, keep2share, xfilesharing).
#   ui_fill PROVIDER NAME PARENT COUNT
ui_fill() {
  curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"account\":\"$2\",\"parent\":\"$3\",\"count\":$4}" "$EMU_BASE/__emulator/$1/fill" > /dev/null
}

# Microseconds since 1970 (the frame log's clock).
ui_now_us() { date +%s%6N; }

# Starts the TUI in a detached tmux session (160x48) in folder DIR, logging frames to LOG;
# sets UI_SESSION and UI_LOG; waits for the first frame.
#   ui_tui_start DIR LOG [ENV=VALUE...]
ui_tui_start() {
  local dir=$1 log=$2 _
  shift 2
  UI_SESSION=haul-ui-$$-${#UI_SESSIONS[@]}
  UI_LOG=$log
  : > "$log"
  tmux new-session -d -s "$UI_SESSION" -x 160 -y 48 -c "$dir" \
    env HAUL_FRAME_LOG="$log" HAUL_CONFIG="$HAUL_CONFIG" HAUL_STATE_DIR="$HAUL_STATE_DIR" \
    HAUL_NO_BROWSER=1 HAUL_NO_GRAPHICS=1 "$@" "$HAUL"
  UI_SESSIONS+=("$UI_SESSION")
  for _ in $(seq 200); do
    grep -q '^frame ' "$log" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "the TUI drew nothing; its screen:" >&2
  tmux capture-pane -p -t "$UI_SESSION" >&2 || true
  return 1
}

ui_tui_stop() {
  tmux kill-session -t "$UI_SESSION" 2>/dev/null || true
}

# Sends one key (tmux's name) and prints the time it was sent (µs).
ui_key() {
  local t
  t=$(ui_now_us)
  tmux send-keys -t "$UI_SESSION" "$1"
  echo "$t"
}

# Waits (up to SECS) until the frame log has a line matching the awk condition COND among the
# lines after time SINCE (µs); prints that line's time.
#   ui_wait_log SINCE COND SECS     e.g. ui_wait_log "$t" '$1 == "listed"' 10
ui_wait_log() {
  local since=$1 cond=$2 secs=${3:-10} found _
  for _ in $(seq $((secs * 100))); do
    found=$(awk -v since="$since" "\$2 >= since && ($cond) {print \$2; exit}" "$UI_LOG")
    [[ -n $found ]] && { echo "$found"; return 0; }
    sleep 0.01
  done
  return 1
}

# The first frame drawn after time T (µs), waiting for it.
ui_frame_after() { ui_wait_log "$1" '$1 == "frame"' "${2:-10}"; }
