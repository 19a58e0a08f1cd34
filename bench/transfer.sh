#!/usr/bin/env bash
# Download and upload a file (default 1 GiB) through the emulator with haul and with curl, in
# the same run, and print the ratios and peak memory. Usage: bench/transfer.sh [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
PORT=${PORT:-18841}
command -v curl >/dev/null || { echo "bench needs curl" >&2; exit 1; }
cargo build --release --quiet
HAUL=$PWD/target/release/haul
# Files live in memory (/dev/shm) when it has room, so disk writeback does not decide who wins.
SHM=/dev/shm
if [[ -z ${BENCH_ON_DISK:-} && -d $SHM ]] &&
  (( $(df -Pk "$SHM" | awk 'NR==2 {print $4}') > SIZE_MIB * 1024 * 4 )); then
  WORK=$(mktemp -d -p "$SHM")
else
  WORK=$(mktemp -d)
fi
trap 'kill $EMU 2>/dev/null || true; rm -rf "$WORK"' EXIT

# A fresh emulator (empty data dir) for each upload, so earlier uploads filling memory or the
# disk never slow a later measurement down.
EMU=
start_emulator() {
  [[ -n $EMU ]] && { kill "$EMU" 2>/dev/null || true; wait "$EMU" 2>/dev/null || true; }
  rm -rf "$WORK/emu" "$WORK/state"
  "$HAUL" emulator --listen 127.0.0.1:$PORT --data "$WORK/emu" --no-seed > "$WORK/emu.log" &
  EMU=$!
  for _ in $(seq 50); do grep -q listening "$WORK/emu.log" 2>/dev/null && break; sleep 0.1; done
  SECRET=$(sed -n "s/^export HAUL_SECRET_YS='\(.*\)'/\1/p" "$WORK/emu.log")
  KEY1=${SECRET%%:*}; KEY2=${SECRET##*:}
  export HAUL_SECRET_YS=$SECRET
}
API=http://127.0.0.1:$PORT/yetishare/api/v2
cat > "$WORK/config.toml" <<TOML
[accounts.ys]
provider = "yetishare"
base_url = "$API"
TOML
export HAUL_CONFIG=$WORK/config.toml HAUL_STATE_DIR=$WORK/state

# Wall time (s) and peak RSS (KiB) of a command.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
if r.returncode != 0:
    sys.exit(f"failed ({r.returncode}): {' '.join(sys.argv[1:])}")
print(f"{wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}
token() {
  curl -s "$API/authorize" -d key1="$KEY1" -d key2="$KEY2" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["access_token"], d["account_id"])'
}

echo "making a $SIZE_MIB MiB file..."
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/big.bin"
mkdir -p "$WORK/out-curl" "$WORK/out-haul"

# Each measurement starts with the page cache written back, so one run's dirty pages do not
# slow the next one down; the whole set runs ROUNDS times (default 3) and the medians count,
# because this disk's writeback makes single runs vary a lot.
ROUNDS=${ROUNDS:-3}
RESULTS=()
for round in $(seq "$ROUNDS"); do
  start_emulator
  read -r T A < <(token)
  sync
  read -r CURL_PUT CURL_PUT_RSS < <(measure curl -s -o /dev/null -F access_token="$T" -F account_id="$A" -F upload_file=@"$WORK/big.bin" "$API/file/upload")
  start_emulator
  sync
  read -r HAUL_PUT HAUL_PUT_RSS < <(measure "$HAUL" put --no-dedupe "$WORK/big.bin" ys:/)

  read -r T A < <(token)
  FILE_ID=$(curl -s "$API/folder/listing" -d access_token="$T" -d account_id="$A" |
    python3 -c 'import json,sys; print([f["id"] for f in json.load(sys.stdin)["data"]["files"] if f["filename"] == "big.bin"][-1])')
  URL=$(curl -s "$API/file/download" -d access_token="$T" -d account_id="$A" -d file_id="$FILE_ID" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["download_url"])')
  sync
  read -r CURL_GET CURL_GET_RSS < <(measure curl -s -o "$WORK/out-curl/big.bin" "$URL")
  cmp -s "$WORK/big.bin" "$WORK/out-curl/big.bin" || { echo "curl: content differs" >&2; exit 1; }
  rm -f "$WORK/out-curl/big.bin" "$WORK/out-haul/big.bin"; sync
  read -r HAUL_GET HAUL_GET_RSS < <(measure "$HAUL" get --on-conflict overwrite "ys:#file:$FILE_ID" "$WORK/out-haul")
  cmp -s "$WORK/big.bin" "$WORK/out-haul/big.bin" || { echo "haul get: content differs" >&2; exit 1; }
  echo "round $round: get curl ${CURL_GET}s haul ${HAUL_GET}s, put curl ${CURL_PUT}s haul ${HAUL_PUT}s"
  RESULTS+=("$CURL_GET $HAUL_GET $CURL_PUT $HAUL_PUT $CURL_GET_RSS $HAUL_GET_RSS $CURL_PUT_RSS $HAUL_PUT_RSS")
done

printf '%s\n' "${RESULTS[@]}" | python3 -c '
import statistics, sys
size = float(sys.argv[1])
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
cols = list(zip(*rows))
cg, hg, cp, hp = (statistics.median(c) for c in cols[:4])
cgr, hgr, cpr, hpr = (max(c) / 1024 for c in cols[4:8])
def row(what, c, h, cr, hr, target):
    ratio = h / c
    ok = "ok" if ratio <= target and hr <= 20 else "MISSED"
    print(f"{what:4} curl {c:6.2f}s ({size / c:7.1f} MiB/s, {cr:5.1f} MiB RSS)  "
          f"haul {h:6.2f}s ({size / h:7.1f} MiB/s, {hr:5.1f} MiB RSS)  "
          f"median ratio {ratio:.2f} (target <= {target}, RSS <= 20 MiB) {ok}")
print(f"medians of {len(rows)} rounds, peak RSS over all rounds:")
row("get", cg, hg, cgr, hgr, 0.75)
row("put", cp, hp, cpr, hpr, 1.05)
' "$SIZE_MIB"
