#!/usr/bin/env bash
# Makes the fixture runs of the report tests (src/test/resources/fixtures/runs/<arch>50): a short
# quick-start training of each architecture on a subset of the embedded data, with
# --track-gradnorm, `leno gradnorm` on its epoch-1 and best checkpoints, and timing.tsv (the file the
# trainer will write) computed from the batch times the trainer prints. Checkpoints are deleted.
# Usage: scripts/make_report_fixtures.sh [EPOCHS]   (about 10 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-4}"
common=(--train-samples 1280 --val-samples 320 -b 64 --lr_steps 3 --seed 1 --track-gradnorm 10 -p 1 --no-progress)

# timing.tsv from the progress lines: per epoch the last running average of the batch time times the
# number of batches, for training ("Epoch: [e][i/N]") and validation ("Test: [i/M]").
timing() {
    awk -v batch=64 'BEGIN { print "epoch\ttrain_seconds\tval_seconds\ttrain_images_per_s" }
        /^Epoch: \[/ { split($0, a, /[\[\]\/]/); n = a[5] + 0; match($0, /Time +[0-9.]+ \( *[0-9.]+\)/);
                       t = substr($0, RSTART, RLENGTH); gsub(/.*\( */, "", t); gsub(/\)/, "", t); train = t * n; images = n * batch }
        /^Test: \[/  { split($0, a, /[\[\]\/]/); m = a[3] + 0; match($0, /Time +[0-9.]+ \( *[0-9.]+\)/);
                       t = substr($0, RSTART, RLENGTH); gsub(/.*\( */, "", t); gsub(/\)/, "", t); val = t * m }
        /^ \* Acc@1/ { e++; printf "%d\t%.3f\t%.3f\t%.1f\n", e, train, val, images / train }'
}

for arch in resnet preactresnet lenoresnet; do
    run="src/test/resources/fixtures/runs/${arch}50"
    first="$(mktemp -d)"
    rm -rf "$run" && mkdir -p "$run"
    ./leno train -a "$arch" --epochs "$epochs" --result_path "$run" "${common[@]}" | tee /dev/stderr | timing > "$run/timing.tsv"
    # the same seed and settings for one epoch: the weights of the long run after its first epoch
    ./leno train -a "$arch" --epochs 1 --result_path "$first" "${common[@]}" > /dev/null
    cp "$first/checkpoint.pth.tar" "$run/checkpoint_epoch1.pth.tar"
    rm -rf "$first"
    ./leno gradnorm -a "$arch" --model_depth 50 --n_classes 10 --image-size 28 -b 16 --batches 2 \
        --weights "$run/checkpoint_epoch1.pth.tar" "$run/model_best.pth.tar" --out "$run/gradnorm"
    rm -f "$run"/*.pth.tar "$run/gradnorm"/*.png "$run/gradnorm"/*.svg
done
