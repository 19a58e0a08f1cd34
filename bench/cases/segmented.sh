#!/usr/bin/env bash
# A throttled premium download: BENCH_SEG_MIB MiB (default 512) from a host that caps each
# connection at BENCH_SEG_RATE bytes/s (default 20,000,000: 20 MB/s) and answers 50 ms late.
# haul get (4 connections) against curl (one connection) and `aria2c -x4 -s4`, both fetching
# the same direct-download URL haul gets from YetiShare's file/download; medians of
# BENCH_ROUNDS, the three alternated (the order turns each round), each after sync.
# Targets (issue 13): haul <= 0.30 x curl's wall time and <= 1.0 x aria2c's.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
MIB=${BENCH_SEG_MIB:-512}
RATE=${BENCH_SEG_RATE:-20000000}
LATENCY=${BENCH_SEG_LATENCY_MS:-50}
NAME="get $MIB MiB at $((RATE / 1000000)) MB/s per conn, ${LATENCY} ms"

bench_big_dir $((MIB * 5))
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$BIG/seg.bin"
SUM=$(md5sum < "$BIG/seg.bin" | cut -d' ' -f1)
bench_emulator_start "$BIG/emu"
# Uploaded before the shaping is on (the rate caps uploads too).
"$HAUL" put --no-dedupe "$BIG/seg.bin" ys:/ 2>&1
bench_faults "{\"latency_ms\": $LATENCY, \"rate_per_conn\": $RATE}"
bench_ys_sign_in
FILE_ID=$(bench_ys_file_id seg.bin)
URL=$(bench_ys_download_url "$FILE_ID")
echo "direct URL (for curl and aria2c): ${URL%%\?*}?download_token=..."
mkdir -p "$BIG/out"
OUT=$BIG/out/seg.bin

check() {
  local got
  got=$(md5sum < "$OUT" | cut -d' ' -f1)
  [[ $got == "$SUM" ]] || { echo "$1: the downloaded file differs" >&2; exit 1; }
  rm -f "$OUT"
}
run_haul() {
  bench_timed "$HAUL" get --connections 4 --on-conflict overwrite ys:/seg.bin "$BIG/out"
  check haul
  HAUL_T+=("$BENCH_T")
  echo "haul $BENCH_T s"
}
run_curl() {
  bench_timed curl -sf -o "$OUT" "$URL"
  check curl
  CURL_T+=("$BENCH_T")
  echo "curl $BENCH_T s"
}
HAVE_ARIA=0
command -v aria2c > /dev/null && HAVE_ARIA=1
run_aria() {
  ((HAVE_ARIA)) || return 0
  # Splits as small as haul's (4 MiB), no preallocation (haul's part is sparse too).
  bench_timed aria2c -x4 -s4 --min-split-size=4M --file-allocation=none \
    --allow-overwrite=true --auto-file-renaming=false --console-log-level=warn \
    --summary-interval=0 --download-result=hide -d "$BIG/out" -o seg.bin "$URL"
  check aria2c
  ARIA_T+=("$BENCH_T")
  echo "aria2c $BENCH_T s"
}

HAUL_T=() CURL_T=() ARIA_T=()
for round in $(seq "$BENCH_ROUNDS"); do
  echo "round $round"
  case $((round % 3)) in
    1) run_haul; run_curl; run_aria ;;
    2) run_curl; run_aria; run_haul ;;
    0) run_aria; run_haul; run_curl ;;
  esac
done

H=$(bench_median "${HAUL_T[@]}")
C=$(bench_median "${CURL_T[@]}")
# The shaping must hold for the direct URL too, or the comparison says nothing.
CAPPED=$(awk -v s=$((MIB * 1048576)) -v r="$RATE" 'BEGIN { printf "%.2f\n", s / r }')
if ! bench_le "$(awk -v c="$C" -v capped="$CAPPED" 'BEGIN { print capped * 0.95 - c }')" 0; then
  echo "curl took $C s for what the rate allows in $CAPPED s: the shaping did not apply" >&2
  bench_row "$NAME" "$(bench_secs "$H")" "curl $(bench_secs "$C") (faster than the cap: shaping off?)" "" "" MISSED
  exit 0
fi
RC=$(bench_ratio "$H" "$C")
if ((HAVE_ARIA)); then
  A=$(bench_median "${ARIA_T[@]}")
  RA=$(bench_ratio "$H" "$A")
  bench_row "$NAME" "$(bench_secs "$H")" \
    "curl $(bench_secs "$C"), aria2c -x4 -s4 $(bench_secs "$A")" \
    "$RC × curl, $RA × aria2c" "≤ 0.30 × curl, ≤ 1.0 × aria2c" \
    "$(bench_verdict "$RC" 0.30 "$RA" 1.0)"
else
  bench_row "$NAME" "$(bench_secs "$H")" "curl $(bench_secs "$C"), aria2c not installed" \
    "$RC × curl" "≤ 0.30 × curl, ≤ 1.0 × aria2c" "$(bench_verdict "$RC" 0.30)"
fi
