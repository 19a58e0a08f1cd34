#!/usr/bin/env bash
# Start-up with a long history: a journal holding N finished jobs (default 100,000) and a few
# unfinished ones. Times `haul queue ls` (which reads only the unfinished jobs, the folders they
# hang from and the last 1,000 finished ones), `haul queue ls --all` (everything, as every
# start did before), and `haul queue resume`, whose engine start prunes the journal to
# [transfers] keep_finished (default 1,000) the first time and is cheap after that.
# Usage: bench/journal_start.sh [N]   (HAUL=path/to/haul to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
command -v sqlite3 >/dev/null || { echo "journal_start.sh needs sqlite3" >&2; exit 1; }
if [ -z "${HAUL:-}" ]; then
  cargo build --quiet
  HAUL=$PWD/target/debug/haul
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
: > "$WORK/config.toml"
export HAUL_CONFIG=$WORK/config.toml HAUL_STATE_DIR=$WORK/state
DB=$WORK/state/queue.sqlite
"$HAUL" queue clear 2>/dev/null   # creates the journal
sqlite3 "$DB" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO jobs (parent, position, spec, state, done, total, updated, status, key)
SELECT NULL, i,
  '{"op":"copy","from":{"account":"local","id":"/data/f' || i || '","kind":"file","name":"f' || i
    || '","size":3,"md5":null,"shown":"f' || i || '"},"to":{"account":"ys","id":null,"shown":"ys:/"},"name":"f'
    || i || '","remove_source":false}',
  '{"state":"done","note":null}', 3, 3, strftime('%s','now'), 1, 'k' || i
FROM n;
INSERT INTO jobs (parent, position, spec, state, done, total, updated, status, key)
SELECT NULL, $N + 1 + i, spec, '{"state":"paused"}', 0, 3, strftime('%s','now'), 0, 'open' || i
FROM (SELECT spec, id AS i FROM jobs LIMIT 5);
SQL
echo "journal: $(sqlite3 "$DB" 'SELECT COUNT(*) FROM jobs') jobs, $(du -h "$DB" | cut -f1)"

# The best and the median of 11 runs, in ms.
timeit() {
  local times=()
  for _ in $(seq 11); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "best %d ms, median %d ms\n", a[1], a[int((NR+1)/2)]}'
}
echo "haul --version:          $(timeit "$HAUL" --version)"
echo "haul queue ls:           $(timeit "$HAUL" queue ls)"
echo "haul queue ls --all:     $(timeit "$HAUL" queue ls --all)"
# An engine start (queue resume, with nothing to resume) prunes to keep_finished: once.
sqlite3 "$DB" "DELETE FROM jobs WHERE status = 0"
t0=$(date +%s%N)
"$HAUL" queue resume >/dev/null 2>&1 || true
t1=$(date +%s%N)
echo "first haul queue resume (prunes to 1,000 finished): $(( (t1 - t0) / 1000000 )) ms; $(sqlite3 "$DB" 'SELECT COUNT(*) FROM jobs') jobs left"
echo "haul queue resume after: $(timeit "$HAUL" queue resume)"
echo "haul queue ls after:     $(timeit "$HAUL" queue ls)"
