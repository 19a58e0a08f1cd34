#!/usr/bin/env bash
# Big folders (issue 13), on loopback, for each provider: a folder of BENCH_BIG_ENTRIES empty
# files (default 100,000; Keep2Share holds 50,000 at most in a folder, so it gets that), put
# there at once by the emulator's fill hook.
#  - In the TUI (tmux; times from haul's frame log, from the key as haul read it to the frame
#    drawn): Enter on the folder to the first frame
#    after its first page came (first screenful, <= 150 ms) and to the frame after its last
#    (all of it, <= 1 s); then Backspace and Enter again: the frame showing it from the
#    listing cache (<= 16 ms, a frame). Medians of BENCH_ROUNDS TUI runs.
#  - `haul ls --json` of it (start-up and sign-in included) against curl fetching the same
#    pages one after another (signed in beforehand): <= 0.5 x curl where the API pages.
#    YetiShare sends a folder in one reply, so its row compares one reply with one reply.
# Usage: bench/cases/listing_big_folder.sh   (HAUL, BENCH_ROUNDS, BENCH_BIG_ENTRIES, BENCH_PROVIDERS)
set -euo pipefail
source "$(dirname "$0")/lib_ui.sh"
N=${BENCH_BIG_ENTRIES:-100000}
PROVIDERS=${BENCH_PROVIDERS:-"ys k2s xfs"}
K2S_MAX=50000
ui_emulator_start "$BENCH_WORK/emu"
ALL_CONFIG=$HAUL_CONFIG

# python3 timing of a command (seconds), output dropped.
timed() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode:
    sys.exit(f"failed: {' '.join(sys.argv[1:])}: {r.stderr.decode()[-500:]}")
print(f"{time.monotonic() - t:.4f}")
PY
}

folder_id() { # ACCOUNT NAME: the id of the folder NAME at the account's root
  "$HAUL" ls --json "$1:/" | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    items = json.loads(text)
except ValueError:
    items = [json.loads(l) for l in text.splitlines() if l.strip()]
if isinstance(items, dict):
    items = items.get("entries", [])
print(next(e["id"] for e in items if e["name"] == sys.argv[1]))' "$2"
}

# The reference: the same pages fetched one after another by curl (one process, one
# connection), signed in beforehand. Prints seconds.
curl_pages() { # PROVIDER_NAME FOLDER_ID COUNT
  local api
  case $1 in
    ys)
      api=$(grep -m1 -o 'http://[^"]*/yetishare/api/v2' "$ALL_CONFIG")
      local secret=$HAUL_SECRET_YS token account
      read -r token account < <(curl -sf "$api/authorize" -d key1="${secret%%:*}" -d key2="${secret##*:}" |
        python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["access_token"], d["account_id"])')
      timed curl -sf "$api/folder/listing" -d access_token="$token" -d account_id="$account" -d parent_folder_id="$2"
      ;;
    k2s)
      api=$(grep -m1 -o 'http://[^"]*/keep2share/api/v2' "$ALL_CONFIG")
      local user token
      user=$(awk '/^\[accounts.k2s\]/ {on = 1} on && /^username/ {gsub(/"/, "", $3); print $3; exit}' "$ALL_CONFIG")
      token=$(curl -sf "$api/login" -H 'content-type: application/json' \
        -d "{\"username\":\"$user\",\"password\":\"$HAUL_SECRET_K2S\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["auth_token"])')
      local args=() k
      for ((k = 0; k * 10000 <= $3; k++)); do
        ((k)) && args+=(--next)
        args+=(-sf "$api/getFilesList" -H 'content-type: application/json' -o /dev/null
          -d "{\"auth_token\":\"$token\",\"parent\":\"$2\",\"limit\":10000,\"offset\":$((k * 10000)),\"extended_info\":true}")
      done
      timed curl "${args[@]}"
      ;;
    xfs)
      api=$(grep -m1 -o 'http://[^"]*/xfilesharing/api' "$ALL_CONFIG")
      timed curl -sf "$api/file/list?key=$HAUL_SECRET_XFS&fld_id=$2&per_page=100&page=[1-$((($3 + 99) / 100))]"
      ;;
  esac
}

for P in $PROVIDERS; do
  case $P in
    ys) provider=yetishare count=$N ;;
    k2s) provider=keep2share count=$((N < K2S_MAX ? N : K2S_MAX)) ;;
    xfs) provider=xfilesharing count=$N ;;
    *) echo "unknown provider $P" >&2; exit 2 ;;
  esac
  export HAUL_CONFIG=$BENCH_WORK/$P.toml
  ui_config_for "$P" "$HAUL_CONFIG"
  "$HAUL" mkdir "$P:/big" > /dev/null
  id=$(folder_id "$P" big)
  ui_fill "$provider" "$P" "$id" "$count"
  echo "$P: folder big ($id) holds $count entries"

  first=() all=() again=()
  for r in $(seq "$BENCH_ROUNDS"); do
    ui_tui_start "$BENCH_WORK" "$BENCH_WORK/$P-$r.log"
    # The right pane lists the account's root (the folder big only): focus it.
    ui_wait_log 0 '$1 == "listed" && $3 == 1' 20 > /dev/null
    t=$(ui_key Tab)
    ui_frame_after "$t" > /dev/null
    t=$(ui_key Enter)
    k=$(ui_wait_log "$t" '$1 == "key"' 10)
    page=$(ui_wait_log "$k" '($1 == "page" && $3 == 1 && $4 > 0) || ($1 == "listed" && $3 == 1)' 30)
    shown=$(ui_frame_after "$page")
    done_at=$(ui_wait_log "$k" '$1 == "listed" && $3 == 1' 30)
    ended=$(ui_frame_after "$done_at")
    first+=("$((shown - k))")
    all+=("$((ended - k))")
    t=$(ui_key BSpace)
    ui_wait_log "$t" '$1 == "listed" && $3 == 1' 20 > /dev/null
    sleep 0.2
    t=$(ui_key Enter)
    k=$(ui_wait_log "$t" '$1 == "key"' 10)
    back=$(ui_frame_after "$k")
    again+=("$((back - k))")
    ui_tui_stop
  done
  echo "$P: first screenful µs ${first[*]}; all µs ${all[*]}; again µs ${again[*]}"
  f=$(ui_median "${first[@]}") a=$(ui_median "${all[@]}") g=$(ui_median "${again[@]}")
  f_ms=$(awk -v u="$f" 'BEGIN {print u / 1000}') a_ms=$(awk -v u="$a" 'BEGIN {print u / 1000}')
  g_ms=$(awk -v u="$g" 'BEGIN {print u / 1000}')
  label="$P folder of $(printf "%'d" "$count")"
  ui_row "$label: first screenful (TUI)" "$(ui_ms "$f_ms")" "" "" "≤ 150 ms" "$(ui_verdict "$f_ms" 150)"
  ui_row "$label: all of it (TUI)" "$(ui_ms "$a_ms")" "" "" "≤ 1 s" "$(ui_verdict "$a_ms" 1000)"
  ui_row "$label: entered again (cache)" "$(ui_ms "$g_ms")" "" "" "≤ 16 ms" "$(ui_verdict "$g_ms" 16)"

  ls_t=() curl_t=()
  for r in $(seq "$BENCH_ROUNDS"); do
    ls_t+=("$(timed "$HAUL" ls --json "$P:/big")")
    curl_t+=("$(curl_pages "$P" "$id" "$count")")
  done
  echo "$P: haul ls --json s ${ls_t[*]}; curl pages s ${curl_t[*]}"
  h=$(ui_median "${ls_t[@]}") c=$(ui_median "${curl_t[@]}")
  ratio=$(ui_ratio "$h" "$c")
  if [[ $P == ys ]]; then
    target="≤ 1.0 × curl (one reply)" limit=1.0
  else
    target="≤ 0.5 × curl" limit=0.5
  fi
  ui_row "$label: haul ls --json" "$(ui_ms "$(awk -v s="$h" 'BEGIN {print s * 1000}')")" \
    "curl pages $(ui_ms "$(awk -v s="$c" 'BEGIN {print s * 1000}')")" "$ratio × curl" "$target" \
    "$(ui_verdict "$ratio" "$limit")"
done
