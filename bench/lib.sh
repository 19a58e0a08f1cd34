# Shared shell functions of the benchmark cases (bench/cases/*.sh), sourced by each case:
#   source "$(dirname "$0")/../lib.sh"
# bench/run.sh runs every case with HAUL (the release binary), BENCH_WORK (the case's scratch
# folder, removed afterwards) and BENCH_ROUNDS (default 5). A case prints its results as
#   ROW<TAB>case<TAB>haul value<TAB>references<TAB>ratio<TAB>target<TAB>ok|MISSED
# (bench_row); every other line it prints is log.
# shellcheck shell=bash

: "${HAUL:?HAUL must name the haul binary (bench/run.sh sets it)}"
: "${BENCH_WORK:?BENCH_WORK must name a scratch folder (bench/run.sh sets it)}"
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
mkdir -p "$BENCH_WORK"

# Processes a case started, stopped when it exits (emulators, nginx).
BENCH_PIDS=()
BENCH_NGINX_CONFS=()
bench_cleanup() {
  local pid conf
  for conf in "${BENCH_NGINX_CONFS[@]}"; do
    "$(bench_nginx_bin)" -p "$(dirname "$conf")" -c "$conf" -s stop 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# One result row (see the header).
bench_row() {
  printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# A TCP port nothing listens on now.
bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- numbers --------------------------------------------------------------------------------

# The median of the numbers given.
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
    if (NR == 0) exit 1
    if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The largest of the numbers given.
bench_max() {
  printf '%s\n' "$@" | sort -g | tail -1
}

# A / B, to 2 decimals.
bench_ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'
}

# Exit status 0 when A <= B.
bench_le() {
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

# Seconds as people read them: "26.1 s", "0.84 s", "12 ms".
bench_secs() {
  awk -v s="$1" 'BEGIN {
    if (s >= 10) printf "%.1f s\n", s; else if (s >= 0.1) printf "%.2f s\n", s;
    else printf "%.1f ms\n", s * 1000 }'
}

# KiB as MiB: "17.3 MiB".
bench_mib() {
  awk -v k="$1" 'BEGIN { printf "%.1f MiB\n", k / 1024 }'
}

# "ok" when every "A<=B" pair given holds (as "A B" arguments), else "MISSED".
bench_verdict() {
  while (($# >= 2)); do
    bench_le "$1" "$2" || { echo MISSED; return; }
    shift 2
  done
  echo ok
}

# ---- measuring ------------------------------------------------------------------------------

# Before every timed run: dirty pages written back, so one run's writeback does not slow the
# next one; with BENCH_DROP_CACHES=1 (and the right to) the page cache is dropped too. Files the
# cases serve live in /dev/shm when it has room, where dropping changes nothing.
bench_sync() {
  sync
  if [[ ${BENCH_DROP_CACHES:-0} == 1 ]]; then
    echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}

# Runs a command after bench_sync and prints "WALL_SECONDS PEAK_RSS_KIB" (the command's own
# peak resident set, from the kernel's rusage of the child). Its output goes to
# $BENCH_WORK/command.log; a failure prints the log's end and returns 1.
bench_time() {
  bench_sync
  python3 - "$BENCH_WORK/command.log" "$@" <<'PY'
import resource, subprocess, sys, time
log = open(sys.argv[1], "ab")
log.write(("$ " + " ".join(sys.argv[2:]) + "\n").encode())
log.flush()
t = time.monotonic()
r = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
wall = time.monotonic() - t
if r.returncode != 0:
    log.close()
    tail = open(sys.argv[1], "rb").read()[-2000:].decode(errors="replace")
    sys.exit(f"failed ({r.returncode}): {' '.join(sys.argv[2:])}\n{tail}")
print(f"{wall:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

# bench_time, setting BENCH_T (seconds) and BENCH_RSS (KiB); fails when the command fails.
bench_timed() {
  local out
  out=$(bench_time "$@") || { echo "$out" >&2; return 1; }
  read -r BENCH_T BENCH_RSS <<< "$out"
}

# Sets BIG to a new folder for big files: in /dev/shm when it has NEED_MIB MiB free (so disk
# writeback does not decide who wins), else in BENCH_WORK; BENCH_ON_DISK=1 forces the disk.
#   bench_big_dir NEED_MIB
bench_big_dir() {
  local need_mib=$1
  if [[ -z ${BENCH_ON_DISK:-} && -d /dev/shm ]] &&
    (($(df -Pk /dev/shm | awk 'NR == 2 {print $4}') > need_mib * 1024)); then
    BIG=$(mktemp -d -p /dev/shm haul-bench.XXXXXX)
  else
    BIG=$(mktemp -d -p "$BENCH_WORK" big.XXXXXX)
  fi
  BENCH_BIG_DIRS+=("$BIG")
  echo "big files in $BIG"
}
BENCH_BIG_DIRS=()
bench_cleanup_big() {
  local dir
  for dir in "${BENCH_BIG_DIRS[@]}"; do rm -rf "$dir"; done
}
trap 'bench_cleanup; bench_cleanup_big' EXIT

# ---- the emulator ---------------------------------------------------------------------------

# Starts `haul emulator` (no demo files) with the flags given (shaping: --latency-ms N,
# --rate-per-conn RATE, --max-conns-per-file N) in DIR, and sets EMU_BASE, EMU_PID, HAUL_CONFIG
# (its accounts; no pacing beyond each provider's default), HAUL_STATE_DIR, the HAUL_SECRET_*
# of its accounts, and YS_API (the first YetiShare account's API root).
#   bench_emulator_start DIR [FLAGS...]
bench_emulator_start() {
  local dir=$1
  shift
  mkdir -p "$dir"
  local port
  port=$(bench_free_port)
  "$HAUL" emulator --listen "127.0.0.1:$port" --data "$dir/data" --no-seed "$@" \
    > "$dir/emulator.out" 2>&1 &
  EMU_PID=$!
  BENCH_PIDS+=("$EMU_PID")
  local _
  for _ in $(seq 100); do
    grep -q "^Press Ctrl-C" "$dir/emulator.out" 2>/dev/null && break
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.05
  done
  grep -q "^Press Ctrl-C" "$dir/emulator.out" || {
    echo "the emulator did not start:" >&2
    cat "$dir/emulator.out" >&2
    return 1
  }
  EMU_BASE=http://127.0.0.1:$port
  sed -n '/^# config.toml/,/^# their secrets/p' "$dir/emulator.out" | grep -v '^#' > "$dir/config.toml"
  eval "$(grep "^export HAUL_SECRET_" "$dir/emulator.out")"
  export HAUL_CONFIG=$dir/config.toml HAUL_STATE_DIR=$dir/state HAUL_NO_BROWSER=1
  YS_API=$(grep -m1 -o "http://[^\"]*/yetishare/api/v2" "$dir/config.toml")
  echo "emulator $EMU_BASE ($*), data in $dir/data"
}

# Stops the emulator started last.
bench_emulator_stop() {
  kill "$EMU_PID" 2>/dev/null || true
  wait "$EMU_PID" 2>/dev/null || true
}

# Sets the emulator's faults and shaping (JSON, as POST /__emulator/faults takes it; fields
# left out are reset), e.g. bench_faults '{"latency_ms": 50, "rate_per_conn": 20000000}'.
bench_faults() {
  curl -sf -X POST -H 'content-type: application/json' -d "$1" "$EMU_BASE/__emulator/faults" > /dev/null
}

# The emulator's counters (JSON), and a reset of them.
bench_stats() {
  curl -sf "$EMU_BASE/__emulator/stats"
}
bench_stats_reset() {
  curl -sf -X POST "$EMU_BASE/__emulator/stats/reset" > /dev/null
}

# ---- YetiShare's API by hand, for the references (curl, aria2c, rclone) ---------------------

# Signs in to the first YetiShare account: sets YS_TOKEN and YS_ACCOUNT.
bench_ys_sign_in() {
  local secret=$HAUL_SECRET_YS
  read -r YS_TOKEN YS_ACCOUNT < <(curl -sf "$YS_API/authorize" \
    -d key1="${secret%%:*}" -d key2="${secret##*:}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["access_token"], d["account_id"])')
}

# The direct download URL of a file id (what haul fetches its bytes from).
bench_ys_download_url() {
  curl -sf "$YS_API/file/download" -d access_token="$YS_TOKEN" -d account_id="$YS_ACCOUNT" \
    -d file_id="$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["download_url"])'
}

# The id of the file NAME in the account's root (the newest of that name).
bench_ys_file_id() {
  curl -sf "$YS_API/folder/listing" -d access_token="$YS_TOKEN" -d account_id="$YS_ACCOUNT" |
    python3 -c 'import json,sys
name = sys.argv[1]
ids = [f["id"] for f in json.load(sys.stdin)["data"]["files"] if f["filename"] == name]
print(ids[-1])' "$1"
}

# ---- nginx from Debian (a neutral server) ---------------------------------------------------

bench_nginx_bin() {
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

# Serves ROOT with nginx (sendfile, autoindex) on a free port: sets NGINX_BASE. Returns 1 when
# nginx is not installed.
bench_nginx_start() {
  local root=$1 nginx
  nginx=$(bench_nginx_bin)
  [[ -x $nginx ]] || return 1
  local dir
  dir=$(mktemp -d -p "$BENCH_WORK" nginx.XXXXXX)
  mkdir -p "$dir/logs"
  local port
  port=$(bench_free_port)
  # nginx's workers drop root: they must be able to read the files.
  chmod -R a+rX "$root"
  local up=$root
  while [[ $up != / ]]; do chmod a+x "$up" 2>/dev/null || true; up=$(dirname "$up"); done
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server { listen 127.0.0.1:$port; root $root; autoindex on; }
}
CONF
  "$nginx" -p "$dir" -c "$dir/nginx.conf" || return 1
  BENCH_NGINX_CONFS+=("$dir/nginx.conf")
  NGINX_BASE=http://127.0.0.1:$port
  echo "nginx $NGINX_BASE serving $root"
}

# A latency proxy on a free port in front of UPSTREAM (host:port): every chunk a client sends
# reaches the upstream LATENCY_MS later (each request waits as long as at the emulator under
# --latency-ms); replies pass at once. For references that cannot talk to the emulator (rclone
# over HTTP from nginx). Sets PROXY_BASE.
#   bench_latency_proxy UPSTREAM LATENCY_MS
bench_latency_proxy() {
  local port
  port=$(bench_free_port)
  python3 - "$port" "$1" "$2" > "$BENCH_WORK/proxy.log" 2>&1 <<'PY' &
import asyncio, sys

port, upstream, latency = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) / 1000
up_host, up_port = upstream.rsplit(":", 1)

async def delayed(reader, writer):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    async def send():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(data)
            await writer.drain()
        writer.close()
    sender = asyncio.create_task(send())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((loop.time() + latency, data))
    finally:
        queue.put_nowait((0, None))
        await sender

async def plain(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()

async def handle(client_reader, client_writer):
    try:
        up_reader, up_writer = await asyncio.open_connection(up_host, int(up_port))
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(delayed(client_reader, up_writer), plain(up_reader, client_writer),
                         return_exceptions=True)

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY
  BENCH_PIDS+=("$!")
  local _
  for _ in $(seq 100); do
    grep -q listening "$BENCH_WORK/proxy.log" 2>/dev/null && break
    sleep 0.05
  done
  PROXY_BASE=http://127.0.0.1:$port
  echo "latency proxy $PROXY_BASE -> $1 (+$2 ms per request)"
}
