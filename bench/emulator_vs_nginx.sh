#!/usr/bin/env bash
# How fast the emulator serves a download on loopback, against nginx (sendfile) serving the same
# file, both read by curl into /dev/null, ROUNDS times (default 5), medians.
# Usage: bench/emulator_vs_nginx.sh [SIZE_MIB]. Installs nginx from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${1:-1024}
ROUNDS=${ROUNDS:-5}
EMU_PORT=${EMU_PORT:-18861}
NGINX_PORT=${NGINX_PORT:-18862}
if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release --quiet
HAUL=$PWD/target/release/haul
WORK=$(mktemp -d)
trap 'kill $EMU 2>/dev/null || true; "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$HAUL" emulator --listen 127.0.0.1:$EMU_PORT --data "$WORK/emu" --no-seed > "$WORK/emu.log" &
EMU=$!
for _ in $(seq 50); do grep -q listening "$WORK/emu.log" 2>/dev/null && break; sleep 0.1; done
API=http://127.0.0.1:$EMU_PORT/yetishare/api/v2
SECRET=$(sed -n "s/^export HAUL_SECRET_YS='\(.*\)'/\1/p" "$WORK/emu.log")
KEY1=${SECRET%%:*}; KEY2=${SECRET##*:}

mkdir -p "$WORK/www" "$WORK/nginx/logs"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/www/big.bin"
chmod 755 "$WORK" "$WORK/www"; chmod 644 "$WORK/www/big.bin"  # nginx workers drop root
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx.conf"

read -r T A < <(curl -s "$API/authorize" -d key1="$KEY1" -d key2="$KEY2" |
  python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["access_token"], d["account_id"])')
curl -s -o /dev/null -F access_token="$T" -F account_id="$A" -F upload_file=@"$WORK/www/big.bin" "$API/file/upload"
FILE_ID=$(curl -s "$API/folder/listing" -d access_token="$T" -d account_id="$A" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["files"][0]["id"])')
URL=$(curl -s "$API/file/download" -d access_token="$T" -d account_id="$A" -d file_id="$FILE_ID" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["download_url"])')

seconds() { curl -sf -o /dev/null -w '%{time_total}\n' "$1"; }
EMU_TIMES=(); NGINX_TIMES=()
for _ in $(seq "$ROUNDS"); do
  NGINX_TIMES+=("$(seconds "http://127.0.0.1:$NGINX_PORT/big.bin")")
  EMU_TIMES+=("$(seconds "$URL")")
done
python3 - "$SIZE_MIB" "${NGINX_TIMES[*]}" "${EMU_TIMES[*]}" <<'PY'
import statistics, sys
size = float(sys.argv[1])
nginx = statistics.median(map(float, sys.argv[2].split()))
emu = statistics.median(map(float, sys.argv[3].split()))
verdict = "ok" if emu <= nginx else "SLOWER"
print(f"nginx    {nginx:6.3f}s ({size / nginx:7.1f} MiB/s)")
print(f"emulator {emu:6.3f}s ({size / emu:7.1f} MiB/s)  ratio {emu / nginx:.2f} (target <= 1.00) {verdict}")
PY
