#!/usr/bin/env bash
# The HTTP layer measurement of docs/serving.md: scripts/HttpLayerBench.java for jetty, jdk and jdk-cached,
# alternated ROUNDS times (default 2), SECONDS of load per client count (default 5). Loopback only.
# Usage: scripts/http_layer_bench.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-2}
cpfile=$(mktemp)
mvn -o -q -B dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
cp=$(cat "$cpfile")
rm -f "$cpfile"
for round in $(seq "$rounds"); do
  for kind in jetty jdk jdk-cached; do
    echo "# round $round"
    # nodelay: without it the JDK's server waits for the client's delayed ACK (about 40 ms) before the body
    timeout 300 java -Dsun.net.httpserver.nodelay=true -cp "$cp" scripts/HttpLayerBench.java "$kind" "$seconds"
  done
done
