#!/usr/bin/env bash
# Runs `leno bench model` (launcher defaults) and scripts/bench_torch_model.py (Debian's PyTorch,
# NCHW as the reference runs) back to back for ResNet-50 and LeNo-ResNet-50, fp32 and bf16, and
# prints images/s and peak RSS with ratios, as a Markdown table. Not run by the tests.
# Usage: scripts/compare_with_torch.sh [BATCH] [IMAGE_SIZE] [ITERS]
set -euo pipefail
cd "$(dirname "$0")/.."
batch=${1:-64}; size=${2:-64}; iters=${3:-15}
measure() {  # prints "images_per_s peak_rss_mb"
    local out
    out=$(/usr/bin/time -f "%M" "$@" 2>&1)
    printf "%s %s\n" "$(echo "$out" | grep -o '"images_per_s": *[0-9.]*' | grep -o '[0-9.]*$')" \
        "$(( $(echo "$out" | tail -1) / 1024 ))"
}
echo "| model | precision | leno images/s | PyTorch images/s | speed ratio | leno peak RSS | PyTorch peak RSS |"
echo "|---|---|---|---|---|---|---|"
for arch in resnet lenoresnet; do
    for amp in none bf16; do
        read -r ls lm < <(measure ./leno bench model -a "$arch" --model_depth 50 -b "$batch" --image-size "$size" \
            --threads 2 --iters "$iters" --amp "$amp" --json)
        read -r ps pm < <(measure /usr/bin/python3 scripts/bench_torch_model.py --arch "$arch" -b "$batch" \
            --image-size "$size" --threads 2 --iters "$iters" --amp "$amp")
        awk -v a="$arch" -v p="$amp" -v ls="$ls" -v ps="$ps" -v lm="$lm" -v pm="$pm" 'BEGIN {
            printf "| %s-50 | %s | %.1f | %.1f | %.2fx | %d MB | %d MB |\n", a, (p == "none" ? "fp32" : "bf16 autocast"),
                ls, ps, ls / ps, lm, pm }'
    done
done
