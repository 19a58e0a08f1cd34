#!/usr/bin/env bash
# A large download (default 1 GiB) killed with SIGKILL midway, then run again: checks that it
# finishes byte-exact and that the restart fetched only the bytes the first run had not kept
# (the emulator counts the body bytes it sends). Usage: bench/resume.sh [SIZE_MIB]
# tests/cli_resume.rs checks the same on 24 MiB in every test run; this is the full-size proof.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
PORT=${PORT:-18842}
command -v curl >/dev/null || { echo "resume.sh needs curl" >&2; exit 1; }
cargo build --release --quiet
HAUL=$PWD/target/release/haul
WORK=$(mktemp -d)
EMU=
trap 'kill $EMU 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$HAUL" emulator --listen 127.0.0.1:$PORT --data "$WORK/emu" --no-seed > "$WORK/emu.log" &
EMU=$!
for _ in $(seq 50); do grep -q listening "$WORK/emu.log" 2>/dev/null && break; sleep 0.1; done
BASE=http://127.0.0.1:$PORT
cat > "$WORK/config.toml" <<TOML
[accounts.ys]
provider = "yetishare"
base_url = "$BASE/yetishare/api/v2"
TOML
HAUL_SECRET_YS=$(sed -n "s/^export HAUL_SECRET_YS='\(.*\)'/\1/p" "$WORK/emu.log")
export HAUL_CONFIG=$WORK/config.toml HAUL_SECRET_YS HAUL_STATE_DIR=$WORK/state
sent() { curl -s "$BASE/__emulator/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_sent"])'; }

echo "making a $SIZE_MIB MiB file and uploading it..."
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/big.bin"
"$HAUL" put --no-dedupe "$WORK/big.bin" ys:/ 2>/dev/null
SIZE=$((SIZE_MIB * 1024 * 1024))
PART=$WORK/out/big.bin.haul-part

# Slow enough to be caught midway: the whole file would take about 8 s.
"$HAUL" get --bwlimit $((SIZE_MIB / 8 + 1))M ys:/big.bin "$WORK/out" 2>/dev/null &
GET=$!
for _ in $(seq 600); do
  (( $(stat -c %s "$PART" 2>/dev/null || echo 0) >= SIZE * 2 / 5 )) && break
  sleep 0.05
done
kill -9 $GET; wait $GET 2>/dev/null || true
KEPT=$(stat -c %s "$PART")
[[ -e $WORK/out/big.bin ]] && { echo "FAILED: the final name exists after the kill" >&2; exit 1; }
echo "killed with SIGKILL at $KEPT of $SIZE bytes ($((KEPT * 100 / SIZE))%)"

BEFORE=$(sent)
START=$(date +%s.%N)
"$HAUL" get ys:/big.bin "$WORK/out" 2> "$WORK/get.err"
END=$(date +%s.%N)
RESENT=$(( $(sent) - BEFORE ))
grep -o "resuming at byte [0-9]*" "$WORK/get.err" || { echo "FAILED: no resume" >&2; cat "$WORK/get.err" >&2; exit 1; }
cmp "$WORK/big.bin" "$WORK/out/big.bin" || { echo "FAILED: content differs" >&2; exit 1; }
[[ -e $PART ]] && { echo "FAILED: the .haul-part is left" >&2; exit 1; }
MISSING=$((SIZE - KEPT))
echo "restart: $(python3 -c "print(f'{$END - $START:.2f}')")s, fetched $RESENT bytes for $MISSING missing (API replies included)"
(( RESENT >= MISSING && RESENT < MISSING + 65536 )) || { echo "FAILED: re-fetched more than was missing" >&2; exit 1; }
echo "ok: byte-exact, nothing fetched twice"
