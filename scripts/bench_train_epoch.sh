#!/usr/bin/env bash
# One short `leno train` epoch on the embedded data (1,280 images, the quick start's settings) with
# the given extra flags; prints {"images_per_s": ...} of its training (timing.tsv), the form that
# scripts/alternate.py pair reads. E.g. the cost of EMA and clipping:
#   /usr/bin/python3 scripts/alternate.py pair --pairs 5 \
#       --a 'scripts/bench_train_epoch.sh --model-ema --model-ema-steps 1 --clip-grad-norm 1' --b 'scripts/bench_train_epoch.sh'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
./leno train --train-samples 1280 --val-samples 64 --epochs 1 --seed 1 --no-progress -p 1000 --result_path "$dir/run" "$@" >/dev/null
awk -F'\t' 'END {printf "{\"images_per_s\": %s}\n", $4}' "$dir/run/timing.tsv"
