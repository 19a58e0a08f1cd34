#!/usr/bin/env bash
# The benchmark: every case of bench/cases/ (or those whose name matches CASE_GLOB), against
# curl, aria2c, rclone and nginx where a case uses them, printed as one table:
#   case | haul | references | ratio | target | ok/MISSED
# Exits 1 if any row is MISSED (or a case failed), 2 if haul does not build.
#   bench/run.sh [CASE_GLOB]        e.g. bench/run.sh 'small*'
# BENCH_ROUNDS (default 5): rounds per measurement (medians). BENCH_LOG: the log file (default
# /tmp/haul-bench-DATE.log). BENCH_ON_DISK=1: big files on the disk rather than in /dev/shm.
# BENCH_DROP_CACHES=1: drop the page cache before each timed run (root only). Cases take their
# own knobs (BENCH_SEG_MIB, BENCH_SMALL_FILES, BENCH_LOOPBACK_MIB, ...; see each case's header).
#
# A case is a script bench/cases/NAME.sh run with HAUL (the release binary), BENCH_WORK (its
# scratch folder) and BENCH_ROUNDS; it prints result rows as
#   ROW<TAB>case<TAB>haul value<TAB>references<TAB>ratio<TAB>target<TAB>ok|MISSED
# and anything else it prints goes to the log. bench/lib.sh holds what the cases share.
set -uo pipefail
cd "$(dirname "$0")/.."
GLOB=${1:-*}
export BENCH_ROUNDS=${BENCH_ROUNDS:-5}
LOG=${BENCH_LOG:-/tmp/haul-bench-$(date -u +%Y%m%d-%H%M%S).log}
: > "$LOG"
say() { echo "bench: $*" >&2; }

# The references, from Debian, when missing: aria2 (aria2c), rclone, nginx-light (nginx).
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
missing=()
command -v aria2c > /dev/null || missing+=(aria2)
command -v rclone > /dev/null || missing+=(rclone)
command -v nginx > /dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl > /dev/null || missing+=(curl)
if ((${#missing[@]})); then
  say "installing ${missing[*]} from Debian..."
  if ! { "${SUDO[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}"; } >> "$LOG" 2>&1; then
    say "could not install all of ${missing[*]} (see $LOG); rows needing them say so"
  fi
fi
command -v curl > /dev/null || { say "curl is needed"; exit 2; }

say "building the release binary..."
cargo build --release --quiet 2>> "$LOG" || { say "the build failed (see $LOG)"; exit 2; }
export HAUL=$PWD/target/release/haul

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/haul-bench.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
ROWS=$SCRATCH/rows.tsv
: > "$ROWS"
ran=0
for script in bench/cases/*.sh; do
  name=$(basename "$script" .sh)
  # shellcheck disable=SC2053 # the glob is meant to match
  [[ $name == $GLOB ]] || continue
  ran=$((ran + 1))
  say "$name..."
  start=$(date +%s)
  work=$SCRATCH/$name
  mkdir -p "$work"
  {
    echo "=== $name ($(date -u +%H:%M:%S))"
  } >> "$LOG"
  BENCH_WORK=$work bash "$script" > "$work.out" 2>&1
  rc=$?
  cat "$work.out" >> "$LOG"
  rows=$(grep -c $'^ROW\t' "$work.out")
  grep $'^ROW\t' "$work.out" | cut -f2- >> "$ROWS"
  if ((rc != 0)); then
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "failed (exit $rc)" "see the log" "" "" MISSED >> "$ROWS"
  fi
  say "$name: $rows rows, $(($(date +%s) - start)) s$( ((rc)) && echo ", FAILED (exit $rc)")"
  rm -rf "$work"
done
((ran)) || { say "no case matches '$GLOB' (bench/cases/*.sh)"; exit 2; }

echo "log: $LOG" >&2
python3 - "$ROWS" <<'PY'
import sys
head = ["case", "haul", "references", "ratio", "target", "result"]
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
rows = [(r + [""] * 6)[:6] for r in rows]
widths = [max(len(r[i]) for r in [head] + rows) for i in range(6)]
def line(r):
    return " | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
print(line(head))
print("-+-".join("-" * w for w in widths))
for r in rows:
    print(line(r))
PY
if cut -f6 "$ROWS" | grep -qx MISSED; then
  exit 1
fi
