#!/usr/bin/env bash
# The flaky-host matrix: every CLI command (about, mkdir, put, ls, cp, mv, get, link, rm) on each
# provider, against an emulator answering 503 on every 5th request and, separately, 429 with
# `Retry-After: 1` on every 5th; ROUNDS rounds each (default 20). Prints one line per provider and
# fault with the rounds passed; exits 1 if any failed.
#   bench/flaky.sh [ROUNDS]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
cargo test --quiet --test conformance --no-run >/dev/null 2>&1 || { echo "build failed"; exit 1; }
status=0
for provider in yetishare keep2share xfilesharing; do
  for fault in 503s 429s_with_retry_after; do
    test="cli_faults::${provider}_every_command_through_${fault}"
    if HAUL_FLAKY_ROUNDS="$rounds" cargo test --quiet --test conformance -- --exact "$test" --include-ignored >/tmp/haul-flaky.log 2>&1; then
      echo "$provider $fault: $rounds/$rounds"
    else
      last=$(grep -o "round [0-9]*/" /tmp/haul-flaky.log | tail -1 | tr -dc 0-9)
      echo "$provider $fault: failed in round ${last:-?} of $rounds (see /tmp/haul-flaky.log)"
      status=1
    fi
  done
done
exit $status
