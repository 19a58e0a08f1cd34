#!/usr/bin/env bash
# The loopback case of bench/run.sh on its own: a file (default 1 GiB) downloaded (1 connection,
# then 4 segments) and uploaded through the emulator by haul and by curl, nginx serving the same
# file as the neutral reference; medians, peak RSS, the ratios against the targets.
#   bench/transfer.sh [SIZE_MIB]
cd "$(dirname "$0")/.." || exit 2
BENCH_LOOPBACK_MIB=${1:-1024} exec bench/run.sh loopback
