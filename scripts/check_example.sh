#!/usr/bin/env bash
# Checks that LeNo works as a library from a separate Maven project (issue 23):
#   1. `mvn install` puts org.leno:leno:0.1.0-SNAPSHOT (the CLI's jar) into the local repository;
#   2. examples/classify (a standalone project depending on it) is compiled and run with exec:java
#      on RUN_DIR and the images, by its own Maven wrapper (examples/classify/mvnw);
#   3. its output must be one line per image, in order: image<TAB>class name<TAB>probability, with
#      the class name `leno predict` gives as top-1 and a probability in [0, 1].
# Usage: scripts/check_example.sh RUN_DIR|CHECKPOINT IMAGE...   (paths without spaces: exec.args splits on them)
# MVN_FLAGS (e.g. "-o") is passed to every mvn call. Natives come from ~/.javacpp/cache as for ./leno;
# exec:java needs no --add-opens (that is only for distributed training's rendezvous); Maven's JVM
# gets --enable-native-access from examples/classify/.mvn/jvm.config (Java 24+ warns without it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 2 ]; then
    echo "usage: $0 RUN_DIR|CHECKPOINT IMAGE..." >&2
    exit 2
fi
run="$1"
shift
for p in "$run" "$@"; do
    case "$p" in *" "*) echo "check_example: '$p' has a space; exec.args cannot pass it" >&2; exit 2 ;; esac
done
mvn_flags=(-q -B -Dstyle.color=never ${MVN_FLAGS:-})

mvn="mvn"
command -v mvn >/dev/null || mvn="$here/mvnw"   # as ./leno builds
"$mvn" "${mvn_flags[@]}" -DskipTests -f "$here/pom.xml" install >&2
out="$("$here/examples/classify/mvnw" "${mvn_flags[@]}" -f "$here/examples/classify/pom.xml" compile exec:java -Dexec.args="$run $*" \
    | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^$' || true)"
echo "$out"

fail() { echo "check_example: FAIL: $*" >&2; exit 1; }
lines="$(printf '%s\n' "$out" | grep -c . || true)"
[ "$lines" -eq $# ] || fail "expected $# lines (one per image), got $lines"
i=0
for image in "$@"; do
    i=$((i + 1))
    line="$(printf '%s\n' "$out" | sed -n "${i}p")"
    IFS=$'\t' read -r got_image got_class got_prob extra <<< "$line"
    [ "$got_image" = "$image" ] || fail "line $i names '$got_image', not '$image'"
    [ -n "$got_class" ] && [ -z "${extra:-}" ] || fail "line $i is not image<TAB>class name<TAB>probability: '$line'"
    [[ "$got_prob" =~ ^(0\.[0-9]+|1\.0+)$ ]] || fail "line $i: probability '$got_prob' is not in [0, 1]"
    want="$("$here/leno" predict --weights "$run" --topk 1 --json "$image" \
        | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["topk"][0]["label"])')"
    [ "$got_class" = "$want" ] || fail "line $i: class '$got_class', leno predict says '$want'"
done
echo "check_example: OK ($# image(s), classes as leno predict names them)" >&2
