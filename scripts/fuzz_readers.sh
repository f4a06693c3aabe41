#!/usr/bin/env bash
# The long run of the readers' fuzz test (src/test/java/org/leno/internal/interop/ReaderFuzzTest.java): N seeded
# mutations of torch.save zips, pickles and safetensors files (PyTorch's fixtures and our writers' files),
# each of which must load or be refused with our one-line error, with no other Throwable and within the
# read's memory limit. The suite runs 3,000 cases with seed 11; a failing case is replayed alone with
# -Dleno.fuzz.case=I (same N and seed). Prints the summary (also in target/fuzz-readers.txt).
# Usage: scripts/fuzz_readers.sh N [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:?usage: scripts/fuzz_readers.sh N [SEED]}
seed=${2:-11}
status=0
mkdir -p target
nice -n 10 mvn -q -B test -Dtest=ReaderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dleno.fuzz.cases="$cases" -Dleno.fuzz.seed="$seed" >target/fuzz-readers.log 2>&1 || status=$?
sed 's/\x1b\[[0-9;]*m//g' target/fuzz-readers.log | grep '^fuzz_readers:' || true
if [ "$status" -ne 0 ]; then
    echo "fuzz_readers: FAILED (see target/fuzz-readers.log and target/surefire-reports)" >&2
fi
exit "$status"
