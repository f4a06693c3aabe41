#!/usr/bin/env bash
# Crash-anywhere soak: a small training run with --save-every, killed with SIGKILL at N random
# moments (during steps, checkpoint writes, validation, start-up) and each time restarted with
# --resume auto. When a run completes before N kills, another starts in a fresh folder. Every
# completed run's train.log and val.log must be byte-identical to an uninterrupted run's with the
# same seed, and no temporary file may remain. Prints kills, completed runs, and the batches redone
# (the work the kills cost: batches run beyond an uninterrupted run's).
#
# Usage: scripts/crash_soak.sh [N=50] [MAX_DELAY_S=12]      (from the repository root)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
kills_wanted="${1:-50}"
max_delay="${2:-12}"
work="$(mktemp -d /tmp/leno-soak.XXXXXX)"
flags=(--train-samples 256 --val-samples 96 -b 32 --epochs 3 --lr 0.02 --save-every 2 -p 1 --seed 3 --workers 2
       --no-progress)
./leno --version >/dev/null   # build once, outside the timed kills

echo "uninterrupted run..." >&2
./leno train "${flags[@]}" --result_path "$work/straight" >"$work/straight.out" 2>&1
straight_batches="$(grep -c '^Epoch: \[' "$work/straight.out")"

kills=0 runs=0 batches=0 failures=0
round=0
while [ "$kills" -lt "$kills_wanted" ]; do
    round=$((round + 1))
    dir="$work/round$round"
    while :; do
        ./leno train "${flags[@]}" --resume auto --result_path "$dir" >>"$dir.out" 2>&1 &
        pid=$!
        delay="$(awk -v m="$max_delay" -v s="$RANDOM" 'BEGIN {srand(s); printf "%.2f", 0.5 + rand() * (m - 0.5)}')"
        waited=0
        while kill -0 "$pid" 2>/dev/null && awk -v w="$waited" -v d="$delay" 'BEGIN {exit !(w < d)}'; do
            sleep 0.05
            waited="$(awk -v w="$waited" 'BEGIN {printf "%.2f", w + 0.05}')"
        done
        if kill -0 "$pid" 2>/dev/null && [ "$kills" -lt "$kills_wanted" ]; then
            # the launcher execs java, so $pid is the JVM itself
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            kills=$((kills + 1))
            echo "kill $kills after ${delay}s (round $round)" >&2
        else
            wait "$pid" || { echo "round $round: a run failed, see $dir.out" >&2; exit 1; }
            break
        fi
    done
    runs=$((runs + 1))
    batches=$((batches + $(grep -c '^Epoch: \[' "$dir.out")))
    for log in train.log val.log; do
        if ! cmp -s "$dir/$log" "$work/straight/$log"; then
            echo "round $round: $log differs from the uninterrupted run's" >&2
            failures=$((failures + 1))
        fi
    done
    if [ -n "$(find "$dir" -name '*.tmp')" ]; then
        echo "round $round: temporary files remain: $(find "$dir" -name '*.tmp')" >&2
        failures=$((failures + 1))
    fi
done
echo "kills: $kills; completed runs: $runs, logs identical to the uninterrupted run's: $((runs * 2 - failures)) of $((runs * 2)) files"
echo "batches run: $batches for $runs runs of $straight_batches (redone because of the kills: $((batches - runs * straight_batches)))"
echo "work folder: $work"
[ "$failures" = 0 ]
