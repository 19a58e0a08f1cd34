#!/usr/bin/env bash
# Start-up whatever the journal's history (issue 13): a journal holding BENCH_START_JOBS
# finished jobs (default 100,000) and 5 paused ones, as bench/journal_start.sh builds it.
#  - `haul queue ls` (a start that reads the journal): median of 11 runs <= 100 ms;
#  - the TUI: from the process start to its first frame (haul's frame log), median of
#    BENCH_ROUNDS starts, <= 100 ms. Its first start prunes the journal to [transfers]
#    keep_finished (1,000); that first start is shown on its own row.
# Usage: bench/cases/batch_start.sh   (HAUL, BENCH_ROUNDS, BENCH_START_JOBS; needs sqlite3)
set -euo pipefail
source "$(dirname "$0")/lib_ui.sh"
N=${BENCH_START_JOBS:-100000}
command -v sqlite3 > /dev/null || { echo "batch_start.sh needs sqlite3" >&2; exit 1; }
mkdir -p "$BENCH_WORK/home"
: > "$BENCH_WORK/config.toml"
export HAUL_CONFIG=$BENCH_WORK/config.toml HAUL_STATE_DIR=$BENCH_WORK/state
DB=$HAUL_STATE_DIR/queue.sqlite
fill_journal() {
  rm -rf "$HAUL_STATE_DIR"
  "$HAUL" queue clear > /dev/null 2>&1 # creates the journal
  sqlite3 "$DB" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO jobs (parent, position, spec, state, done, total, updated, status, key)
SELECT NULL, i,
  '{"op":"copy","from":{"account":"local","id":"/data/f' || i || '","kind":"file","name":"f' || i
    || '","size":3,"md5":null,"shown":"f' || i || '"},"to":{"account":"local","id":"/tmp/x","shown":"/tmp/x"},"name":"f'
    || i || '","remove_source":false}',
  '{"state":"done","note":null}', 3, 3, strftime('%s','now'), 1, 'k' || i
FROM n;
INSERT INTO jobs (parent, position, spec, state, done, total, updated, status, key)
SELECT NULL, $N + 1 + i, spec, '{"state":"paused"}', 0, 3, strftime('%s','now'), 0, 'open' || i
FROM (SELECT spec, id AS i FROM jobs LIMIT 5);
SQL
  echo "journal: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM jobs') jobs, $(du -h "$DB" | cut -f1)"
}

ms_of() { # a command's wall time in ms
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{(time.monotonic() - t) * 1000:.1f}")
PY
}

fill_journal
ls_ms=()
for _ in $(seq 11); do ls_ms+=("$(ms_of "$HAUL" queue ls)"); done
echo "haul queue ls ms: ${ls_ms[*]}"
m=$(ui_median "${ls_ms[@]}")
ui_row "start-up, journal of $(printf "%'d" "$N") finished jobs: haul queue ls" "$(ui_ms "$m")" "" "" "≤ 100 ms" "$(ui_verdict "$m" 100)"

tui_start() { # ms from the process start to the first frame
  ui_tui_start "$BENCH_WORK/home" "$BENCH_WORK/start.log"
  ui_tui_stop
  awk '$1 == "start" {s = $2} $1 == "frame" {printf "%.1f\n", ($2 - s) / 1000; exit}' "$BENCH_WORK/start.log"
}
first=$(tui_start)
echo "first TUI start (prunes): $first ms; $(sqlite3 "$DB" 'SELECT COUNT(*) FROM jobs') jobs left"
ui_row "start-up, journal of $(printf "%'d" "$N") finished jobs: first TUI start (prunes)" "$(ui_ms "$first")" "" "" "≤ 100 ms" "$(ui_verdict "$first" 100)"
starts=()
for _ in $(seq "$BENCH_ROUNDS"); do starts+=("$(tui_start)"); done
echo "TUI start ms: ${starts[*]}"
m=$(ui_median "${starts[@]}")
ui_row "start-up, journal of $(printf "%'d" "$N") finished jobs: TUI to first frame" "$(ui_ms "$m")" "" "" "≤ 100 ms" "$(ui_verdict "$m" 100)"
