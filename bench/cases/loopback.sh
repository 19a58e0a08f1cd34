#!/usr/bin/env bash
# Loopback, where haul must keep its wins: a BENCH_LOOPBACK_MIB MiB file (default 1024)
# downloaded and uploaded through the emulator (no shaping) by haul and by curl, alternated,
# each after sync, medians of BENCH_ROUNDS; peak RSS is the largest over the rounds. nginx
# (sendfile) serving the same file to curl is shown as the neutral server: what the
# emulator's own serving costs. Files live in /dev/shm when it has room.
# Targets (issue 13): get <= 0.75 x curl -o, put <= 1.05 x curl -F; peak RSS <= 20 MiB with one
# connection, <= 24 MiB with 4 segments.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
MIB=${BENCH_LOOPBACK_MIB:-1024}
SIZE_SHOWN=$( ((MIB % 1024)) && echo "$MIB MiB" || echo "$((MIB / 1024)) GiB")

bench_big_dir $((MIB * 6))
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$BIG/big.bin"
SUM=$(md5sum < "$BIG/big.bin" | cut -d' ' -f1)
mkdir -p "$BIG/out"
OUT=$BIG/out/big.bin

# The emulator the downloads come from, holding the file.
bench_emulator_start "$BIG/get-emu"
GET_CONFIG=$HAUL_CONFIG GET_STATE=$HAUL_STATE_DIR GET_SECRET=$HAUL_SECRET_YS GET_API=$YS_API
"$HAUL" put --no-dedupe "$BIG/big.bin" ys:/ 2>&1
bench_ys_sign_in
URL=$(bench_ys_download_url "$(bench_ys_file_id big.bin)")

HAVE_NGINX=0
mkdir -p "$BIG/www"
ln "$BIG/big.bin" "$BIG/www/big.bin"
bench_nginx_start "$BIG/www" && HAVE_NGINX=1

check() {
  [[ $(md5sum < "$OUT" | cut -d' ' -f1) == "$SUM" ]] || { echo "$1: the file differs" >&2; exit 1; }
  rm -f "$OUT"
}
G1=() G1_RSS=() G4=() G4_RSS=() CG=() NG=() P=() P_RSS=() CP=()
haul_get() { # CONNECTIONS
  HAUL_CONFIG=$GET_CONFIG HAUL_STATE_DIR=$GET_STATE HAUL_SECRET_YS=$GET_SECRET \
    bench_timed "$HAUL" get --connections "$1" --on-conflict overwrite ys:/big.bin "$BIG/out"
  check "haul get --connections $1"
  echo "haul get --connections $1: $BENCH_T s, $BENCH_RSS KiB"
}
curl_get() {
  bench_timed curl -sf -o "$OUT" "$URL"
  check "curl -o"
  CG+=("$BENCH_T")
  echo "curl -o: $BENCH_T s"
}
nginx_get() {
  ((HAVE_NGINX)) || return 0
  bench_timed curl -sf -o "$OUT" "$NGINX_BASE/big.bin"
  check "curl -o from nginx"
  NG+=("$BENCH_T")
  echo "curl -o from nginx: $BENCH_T s"
}
# Each upload goes to a fresh emulator, so earlier uploads filling memory never slow a later one.
fresh_put_emulator() {
  [[ -n ${PUT_EMU:-} ]] && { kill "$PUT_EMU" 2>/dev/null || true; wait "$PUT_EMU" 2>/dev/null || true; }
  rm -rf "$BIG/put-emu"
  bench_emulator_start "$BIG/put-emu" > /dev/null
  PUT_EMU=$EMU_PID
}
haul_put() {
  fresh_put_emulator
  bench_timed "$HAUL" put --no-dedupe "$BIG/big.bin" ys:/
  P+=("$BENCH_T") P_RSS+=("$BENCH_RSS")
  echo "haul put: $BENCH_T s, $BENCH_RSS KiB"
}
curl_put() {
  fresh_put_emulator
  bench_ys_sign_in
  bench_timed curl -sf -o /dev/null -F access_token="$YS_TOKEN" -F account_id="$YS_ACCOUNT" \
    -F upload_file=@"$BIG/big.bin" "$YS_API/file/upload"
  CP+=("$BENCH_T")
  echo "curl -F: $BENCH_T s"
}

for round in $(seq "$BENCH_ROUNDS"); do
  echo "round $round"
  if ((round % 2)); then
    haul_get 1; G1+=("$BENCH_T") G1_RSS+=("$BENCH_RSS")
    curl_get
    haul_get 4; G4+=("$BENCH_T") G4_RSS+=("$BENCH_RSS")
    nginx_get
    haul_put
    curl_put
  else
    curl_get
    haul_get 4; G4+=("$BENCH_T") G4_RSS+=("$BENCH_RSS")
    nginx_get
    haul_get 1; G1+=("$BENCH_T") G1_RSS+=("$BENCH_RSS")
    curl_put
    haul_put
  fi
done

C=$(bench_median "${CG[@]}")
REFS="curl -o $(bench_secs "$C")"
((HAVE_NGINX)) && REFS="$REFS, nginx→curl $(bench_secs "$(bench_median "${NG[@]}")")"
get_row() { # LABEL TIMES_ARRAY_NAME RSS_ARRAY_NAME RSS_LIMIT_MIB
  local -n times=$2 rss=$3
  local h r m
  h=$(bench_median "${times[@]}")
  r=$(bench_ratio "$h" "$C")
  m=$(bench_max "${rss[@]}")
  bench_row "get $SIZE_SHOWN loopback, $1" "$(bench_secs "$h"), $(bench_mib "$m") RSS" "$REFS" \
    "$r × curl" "≤ 0.75 × curl, ≤ $4 MiB RSS" "$(bench_verdict "$r" 0.75 "$m" $(($4 * 1024)))"
}
get_row "1 connection" G1 G1_RSS 20
get_row "4 segments" G4 G4_RSS 24

H=$(bench_median "${P[@]}")
C=$(bench_median "${CP[@]}")
R=$(bench_ratio "$H" "$C")
M=$(bench_max "${P_RSS[@]}")
bench_row "put $SIZE_SHOWN loopback" "$(bench_secs "$H"), $(bench_mib "$M") RSS" \
  "curl -F $(bench_secs "$C")" "$R × curl" "≤ 1.05 × curl, ≤ 20 MiB RSS" \
  "$(bench_verdict "$R" 1.05 "$M" $((20 * 1024)))"
