#!/usr/bin/env bash
# Runs keytrust's JMH benchmarks (module simulator-tests, package dev.keytrust.bench) after
# installing what they need (scripts/install-deps.sh: Java 17+, Maven, swtpm, ...) and building
# the benchmark jar. Arguments go to JMH, e.g.:
#   scripts/bench.sh                          every benchmark with its built-in settings (~5 min)
#   scripts/bench.sh TpmKeyBenchmark -f 1     one class
#   scripts/bench.sh -l                       list the benchmarks;  -h for JMH's options
# Unless -rf/-rff is given, results are also written as JSON to simulator-tests/<target>/jmh-result.json.
# Environment: KT_TARGET build folder name (default target), MVN_ARGS extra Maven options (e.g. -o).
# See docs/benchmarks.md for results and how to read them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh

target="${KT_TARGET:-target}"
# the build's messages go to stderr (stdout is for JMH's results), without the colour codes Maven
# 3.8 prints even in batch mode
# shellcheck disable=SC2086 # MVN_ARGS is a list of options
mvn -q -B -Dstyle.color=never -Dkt.target="$target" ${MVN_ARGS:-} -DskipTests -pl simulator-tests -am package \
  2>&1 | sed -e $'s/\x1b\\[[0-9;]*m//g' >&2

jar="simulator-tests/$target/keytrust-benchmarks.jar"
[[ -f "$jar" ]] || { echo "bench.sh: the build did not produce $jar" >&2; exit 1; }

args=("$@")
result_given=false
for a in "$@"; do
  case "$a" in
    -rf | -rff | -rf=* | -rff=*) result_given=true ;;
  esac
done
info_only=false
for a in "$@"; do
  case "$a" in
    -l | -lp | -lrf | -lprof | -h | --help) info_only=true ;;
  esac
done
if ! $result_given && ! $info_only; then
  args+=(-rf json -rff "simulator-tests/$target/jmh-result.json")
fi

exec java -jar "$jar" "${args[@]}"
