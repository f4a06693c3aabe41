#!/usr/bin/env bash
# The GPU path, checked as far as the machine allows; prints one table.
#
# On a machine with an NVIDIA GPU, its driver and the CUDA 13.1 libraries (see docs/distributed.md, "GPUs"):
#   1. the GPU build (LENO_GPU=1, Maven profile gpu) builds and loads;
#   2. 50 training steps of ResNet-50 at 64x64 on --gpu 0 and on the CPU from the same seed and
#      batches, fp32: the first 5 losses must agree to 1e-3 relative (after that, float
#      rounding in BatchNorm's statistics lets the two drift apart, as PyTorch's own CPU and CUDA do);
#   3. `leno bench model --gpu 0` in fp32, bf16 and fp16 (channels-last) and, when Python's torch
#      with CUDA is there, the same step in PyTorch (scripts/bench_torch_model.py --device cuda).
# Without a GPU (like the machine this project is developed on) it checks what can be checked: the
# GPU build resolves and loads (with stand-ins for missing CUDA libraries, scripts/cuda_stubs.sh),
# CPU training still works with it, and --gpu 0 is a one-line "no CUDA device" error.
#
# Usage: scripts/gpu_check.sh [STEPS]        (from the repository root; STEPS default 50)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
steps="${1:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
row() { printf '| %-52s | %s |\n' "$1" "$2"; }

echo "building the GPU build (mvn -Pgpu, into target-gpu/)..." >&2
mvn -q -B -Pgpu -DskipTests package >&2
gpu_jar="$(ls target-gpu/lib/pytorch-*-linux-x86_64-gpu.jar)"

have_gpu=0
if command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU; then
    have_gpu=1
fi
if [ "$have_gpu" = 0 ]; then
    # stand-ins for the CUDA libraries this machine lacks, so that libtorch's CUDA build loads
    scripts/cuda_stubs.sh "$gpu_jar" "$work/stubs" >&2
    export LD_LIBRARY_PATH="$work/stubs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

common=(--dummy -a resnet --model_depth 50 --train_crop_size 64 -b 16 --epochs 1 --train-samples $((16 * steps))
        --val-samples 16 -p 1 --seed 0 --no-progress --lr 0.01)
losses() {  # the per-batch loss of each progress line
    sed -n 's/^Epoch: \[0\]\[ *\([0-9]*\)\/.*Loss \([0-9.e+-]*\) .*/\1 \2/p' "$1"
}

echo "| check | result |"
echo "|---|---|"
row "GPU build" "$(basename "$gpu_jar") + $(ls target-gpu/lib | grep -c '^cuda-') CUDA preset jars"
if LENO_GPU=1 ./leno --version >/dev/null 2>"$work/load.err"; then
    row "GPU build loads" "yes"
else
    row "GPU build loads" "NO: $(head -1 "$work/load.err")"
    exit 1
fi
LENO_GPU=1 ./leno train "${common[@]}" --result_path "$work/cpu" >"$work/cpu.out" 2>&1 \
    && row "CPU training with the GPU build ($steps steps)" "ok, first loss $(losses "$work/cpu.out" | head -1 | cut -d' ' -f2)" \
    || row "CPU training with the GPU build" "FAILED: $(tail -1 "$work/cpu.out")"

if [ "$have_gpu" = 0 ]; then
    if LENO_GPU=1 ./leno train "${common[@]}" --gpu 0 --result_path "$work/gpu" >/dev/null 2>"$work/gpu.err"; then
        row "--gpu 0 without a GPU" "UNEXPECTED: it ran"
    else
        row "--gpu 0 without a GPU" "$(grep -c . "$work/gpu.err") line(s) on stderr: $(tail -1 "$work/gpu.err")"
    fi
    row "GPU steps, bench" "not run: no GPU here"
    exit 0
fi

LENO_GPU=1 ./leno train "${common[@]}" --gpu 0 --result_path "$work/gpu" >"$work/gpu.out" 2>&1
paste -d' ' <(losses "$work/cpu.out") <(losses "$work/gpu.out" | cut -d' ' -f2) | head -5 > "$work/pairs"
worst="$(awk '{d = ($2 - $3) / $2; if (d < 0) d = -d; if (d > m) m = d} END {printf "%.2e", m}' "$work/pairs")"
ok="$(awk -v w="$worst" 'BEGIN {print (w + 0 <= 1e-3) ? "ok" : "FAILED"}')"
row "losses of the first 5 steps, GPU vs CPU" "$ok: largest relative difference $worst"
for amp in none bf16 fp16; do
    rate="$(LENO_GPU=1 ./leno bench model -a resnet --model_depth 50 -b 64 --image-size 224 --gpu 0 --amp "$amp" \
        --iters 20 --json | tail -1 | sed 's/.*"images_per_s":\([0-9.]*\).*/\1/')"
    torch_rate="n/a"
    if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
        torch_rate="$(python3 scripts/bench_torch_model.py --arch resnet -b 64 --image-size 224 --amp "$amp" \
            --channels-last --device cuda --iters 20 2>/dev/null | tail -1 | sed 's/.*"images_per_s": *\([0-9.]*\).*/\1/')" \
            || torch_rate="n/a"
    fi
    row "ResNet-50 224px batch 64, amp $amp: leno / PyTorch images/s" "$rate / $torch_rate"
done
