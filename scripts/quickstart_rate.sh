#!/bin/bash
# One epoch of the quick start (embedded data, seed 3) with the leno checkout LENO_DIR, for
# scripts/alternate.py pair: prints {"images_per_s": ...}, the epoch's training images/s from timing.tsv.
# Usage: scripts/quickstart_rate.sh LENO_DIR [more leno train flags, e.g. --train-samples 3000]
set -euo pipefail
leno_dir="$1"
shift
out="$(mktemp -d /tmp/leno-quickstart-rate.XXXXXX)"
trap 'rm -rf "$out"' EXIT
(cd "$leno_dir" && ./leno train --epochs 1 --seed 3 --no-progress --result_path "$out" "$@" >/dev/null 2>&1)
awk -F'\t' 'NR == 2 {printf "{\"images_per_s\": %s}\n", $4}' "$out/timing.tsv"
