#!/usr/bin/env bash
# The soak: N mixed transfers (default 2000; files of 1 B to 64 MiB) over the three providers
# through the emulator, under random faults (503s, 429s with Retry-After, cut bodies, expiring
# tokens, latency and slow bodies, short and lying bodies) and random `kill -9`s, each command
# run again or `queue resume`d until it succeeds. Ends with one line:
#   transfers N, faults F, retries R, missing 0, corrupt 0, duplicates 0, orphans 0, leftovers 0
# and exits non-zero on any loss. Each run takes a new seed (printed); SEED=... replays one.
# Logs go to $TMPDIR/haul-soak-SEED. PROFILE=debug skips the release build (slower hashing).
#   bench/soak.sh [N] [MAX_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
export HAUL_SOAK_TRANSFERS="${1:-2000}"
export HAUL_SOAK_MAX_BYTES="${2:-67108864}"
export HAUL_SOAK_SEED="${SEED:-$(date +%s%N)}"
profile=(--release)
[[ "${PROFILE:-release}" == debug ]] && profile=()
cargo test "${profile[@]}" --quiet --test soak -- --nocapture 2>&1 \
  | grep -E '^(soak:|transfers )|panicked|still fails|ran over'
