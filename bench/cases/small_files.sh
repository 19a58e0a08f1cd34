#!/usr/bin/env bash
# Small files at latency: BENCH_SMALL_FILES files (default 1,000) of 10 KiB, uploaded with
# `haul put -r` and downloaded with `haul get -r` from a YetiShare host answering 50 ms late,
# with -j 8 and with -j 1; the downloads also against `rclone copy --transfers 8` fetching the
# same files over HTTP from nginx behind a proxy adding the same 50 ms to every request.
# -j 8 and rclone: medians of BENCH_ROUNDS; -j 1 (about 100 s a run) BENCH_J1_ROUNDS times
# (default 1, in the middle round), as the row says.
# Targets (issue 13): -j 8 >= 6 x faster than -j 1; haul -j 8 <= 1.0 x rclone --transfers 8.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
N=${BENCH_SMALL_FILES:-1000}
LATENCY=${BENCH_SMALL_LATENCY_MS:-50}
J1_ROUNDS=${BENCH_J1_ROUNDS:-1}
SHOWN=$(printf "%'d" "$N" 2> /dev/null || echo "$N")

SRC=$BENCH_WORK/small
mkdir -p "$SRC"
python3 - "$SRC" "$N" <<'PY'
import os, sys
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], f"f{i:05}.bin"), "wb") as f:
        f.write(os.urandom(10 * 1024))
PY
bench_emulator_start "$BENCH_WORK/emu"
"$HAUL" put -r -j 8 --no-dedupe "$SRC" ys:/ 2>&1 | tail -2
bench_faults "{\"latency_ms\": $LATENCY}"

count_remote() {
  "$HAUL" ls --json "ys:/$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
check_local() {
  diff -rq "$SRC" "$1" > /dev/null || { echo "$2: the downloaded files differ" >&2; exit 1; }
}

PUT8=() PUT1=() GET8=() GET1=() RCLONE=()
put() { # JOBS ROUND
  "$HAUL" mkdir "ys:/put-j$1-r$2" 2>&1
  bench_timed "$HAUL" put -r -j "$1" --no-dedupe "$SRC" "ys:/put-j$1-r$2"
  local got
  got=$(count_remote "put-j$1-r$2/small")
  ((got == N)) || { echo "put -j $1: $got files arrived of $N" >&2; exit 1; }
  echo "put -j $1: $BENCH_T s"
}
get() { # JOBS ROUND
  local out=$BENCH_WORK/get-j$1-r$2
  mkdir -p "$out"
  bench_timed "$HAUL" get -r -j "$1" ys:/small "$out"
  check_local "$out/small" "haul get -j $1"
  rm -rf "$out"
  echo "get -j $1: $BENCH_T s"
}

HAVE_RCLONE=0
if command -v rclone > /dev/null && mkdir -p "$BENCH_WORK/www" && cp -r "$SRC" "$BENCH_WORK/www/" &&
  bench_nginx_start "$BENCH_WORK/www"; then
  bench_latency_proxy "${NGINX_BASE#http://}" "$LATENCY"
  HAVE_RCLONE=1
  : > "$BENCH_WORK/rclone.conf"
fi
rclone_get() {
  ((HAVE_RCLONE)) || return 0
  local out=$BENCH_WORK/rclone-r$1
  bench_timed rclone --config "$BENCH_WORK/rclone.conf" copy --transfers 8 \
    --http-url "$PROXY_BASE/small/" :http: "$out"
  check_local "$out" "rclone"
  rm -rf "$out"
  RCLONE+=("$BENCH_T")
  echo "rclone --transfers 8: $BENCH_T s"
}

J1_AT=$(((BENCH_ROUNDS + 1) / 2))
for round in $(seq "$BENCH_ROUNDS"); do
  echo "round $round"
  if ((round % 2)); then
    put 8 "$round"; PUT8+=("$BENCH_T")
    get 8 "$round"; GET8+=("$BENCH_T")
    rclone_get "$round"
  else
    rclone_get "$round"
    get 8 "$round"; GET8+=("$BENCH_T")
    put 8 "$round"; PUT8+=("$BENCH_T")
  fi
  if ((round >= J1_AT && round < J1_AT + J1_ROUNDS)); then
    put 1 "$round"; PUT1+=("$BENCH_T")
    get 1 "$round"; GET1+=("$BENCH_T")
  fi
done

rounds_note() {
  ((J1_ROUNDS == 1)) && echo "1 round" || echo "median of $J1_ROUNDS"
}
P8=$(bench_median "${PUT8[@]}")
P1=$(bench_median "${PUT1[@]}")
SPEEDUP=$(bench_ratio "$P1" "$P8")
bench_row "put $SHOWN × 10 KiB at $LATENCY ms, -j 8" "$(bench_secs "$P8")" \
  "haul -j 1 $(bench_secs "$P1") ($(rounds_note))" "$SPEEDUP × faster than -j 1" \
  "≥ 6 × faster than -j 1" "$(bench_verdict 6 "$SPEEDUP")"

G8=$(bench_median "${GET8[@]}")
G1=$(bench_median "${GET1[@]}")
SPEEDUP=$(bench_ratio "$G1" "$G8")
if ((HAVE_RCLONE)); then
  R=$(bench_median "${RCLONE[@]}")
  RR=$(bench_ratio "$G8" "$R")
  bench_row "get $SHOWN × 10 KiB at $LATENCY ms, -j 8" "$(bench_secs "$G8")" \
    "haul -j 1 $(bench_secs "$G1") ($(rounds_note)), rclone --transfers 8 $(bench_secs "$R")" \
    "$SPEEDUP × faster than -j 1, $RR × rclone" "≥ 6 × faster than -j 1, ≤ 1.0 × rclone" \
    "$(bench_verdict 6 "$SPEEDUP" "$RR" 1.0)"
else
  bench_row "get $SHOWN × 10 KiB at $LATENCY ms, -j 8" "$(bench_secs "$G8")" \
    "haul -j 1 $(bench_secs "$G1") ($(rounds_note)), rclone or nginx not installed" \
    "$SPEEDUP × faster than -j 1" "≥ 6 × faster than -j 1, ≤ 1.0 × rclone" \
    "$(bench_verdict 6 "$SPEEDUP")"
fi
