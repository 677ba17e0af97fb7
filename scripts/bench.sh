#!/usr/bin/env bash
# Builds and runs keytrust's JMH benchmarks (module simulator-tests, package dev.keytrust.bench),
# measures openssl speed and tpm2-tools against a swtpm of its own for context, and writes a report.
#
#   scripts/bench.sh                 the whole suite, settings for a 2-core machine (12-15 min)
#   scripts/bench.sh --quick         every benchmark briefly, in the JMH JVM (about 2-3 min; noisy)
#   scripts/bench.sh --results DIR   where the results go (default simulator-tests/<target>/bench-results/<UTC time>)
#   scripts/bench.sh [--quick] ARGS  other arguments go to JMH, e.g. a benchmark regular expression
#                                    (TpmKeyBenchmark), -p alg=p256, or -f/-wi/-w/-i/-r, which replace
#                                    the defaults
#   scripts/bench.sh -l              list the benchmarks (-h: JMH's options); nothing is measured
#
# The results directory gets jmh-result.json (JMH's JSON), jmh-output.txt, tools.tsv (openssl speed,
# tpm2-tools), machine.txt, and the report: report.md with ratios.png (BenchReport).
# Environment: KT_TARGET build folder name (default target), MVN_ARGS extra Maven options (e.g. -o),
# KT_NO_INSTALL=1 skips scripts/install-deps.sh. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=false
results=""
jmh_args=()
info_only=false
while (($# > 0)); do
  case "$1" in
    --quick) quick=true ;;
    --results) results="${2:?--results needs a directory}"; shift ;;
    --results=*) results="${1#--results=}" ;;
    -l | -lp | -lrf | -lprof | -h | --help) info_only=true; jmh_args+=("$1") ;;
    -rf | -rff | -o) echo "bench.sh: $1 is set by bench.sh (see --results)" >&2; exit 2 ;;
    *) jmh_args+=("$1") ;;
  esac
  shift
done

[[ "${KT_NO_INSTALL:-}" == 1 ]] || bash scripts/install-deps.sh

target="${KT_TARGET:-target}"
# the build's messages go to stderr, without the colour codes Maven 3.8 prints even in batch mode;
# tests are compiled (the test-jars other modules depend on) but not run (mvn verify runs the benchmark smoke test)
# shellcheck disable=SC2086 # MVN_ARGS is a list of options
mvn -q -B -Dstyle.color=never -Dkt.target="$target" ${MVN_ARGS:-} -DskipTests \
  -pl simulator-tests -am package 2>&1 | sed -e $'s/\x1b\\[[0-9;]*m//g' >&2

jar="simulator-tests/$target/keytrust-benchmarks.jar"
[[ -f "$jar" ]] || { echo "bench.sh: the build did not produce $jar" >&2; exit 1; }

if $info_only; then
  exec java -jar "$jar" "${jmh_args[@]}"
fi

if $quick; then
  # one JVM for all (-f 0: no fork start-up per benchmark), a short warm-up, three short iterations
  # (JMH gives no error for fewer than three)
  defaults=(-f 0 -wi 1 -w 200ms -i 3 -r 300ms)
  mode="quick (-f 0 -wi 1 -w 200ms -i 3 -r 300ms): every figure is noisy"
else
  # one fork per benchmark, 1 x 2 s warm-up, 3 x 2 s measured: 12-15 minutes on 2 cores
  defaults=(-f 1 -wi 1 -w 2s -i 3 -r 2s)
  mode="full (-f 1 -wi 1 -w 2s -i 3 -r 2s)"
fi

# an option the caller gave replaces the default (JMH refuses an option given twice)
given() { local a; for a in "${jmh_args[@]}"; do [[ "$a" == "$1" ]] && return 0; done; return 1; }
chosen=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
  given "${defaults[k]}" || chosen+=("${defaults[k]}" "${defaults[k + 1]}")
done
defaults=("${chosen[@]}")

results="${results:-simulator-tests/$target/bench-results/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$results"
results="$(cd "$results" && pwd)"

machine_info() {
  echo "run:       $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $mode"
  echo "code:      $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- tpm-core native provisioning-agent simulator-tests 2>/dev/null || echo ' (plus uncommitted changes)')"
  echo "jmh args:  ${defaults[*]} ${jmh_args[*]:-}"
  echo "cpu:       $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory:    $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)"
  echo "os:        $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "java:      $(java -version 2>&1 | head -1)"
  echo "swtpm:     $(swtpm --version 2>/dev/null | head -1 || echo 'not installed')"
  echo "openssl:   $(openssl version 2>/dev/null || echo 'not installed')"
  echo "tpm2-tools: $(tpm2_sign --version 2>/dev/null | sed 's/.*version="\([^"]*\)".*/\1/' || echo 'not installed')"
}
machine_info > "$results/machine.txt"
echo "load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results/machine.txt"
cat "$results/machine.txt" >&2

echo "bench.sh: openssl speed and tpm2-tools timings" >&2
tool_args=("$results/tools.tsv")
$quick && tool_args+=(--quick)
java -cp "$jar" dev.keytrust.bench.ToolTimings "${tool_args[@]}" || echo "bench.sh: the tool timings failed" >&2

echo "bench.sh: JMH" >&2
set +e
java -jar "$jar" "${defaults[@]}" "${jmh_args[@]}" -rf json -rff "$results/jmh-result.json" | tee "$results/jmh-output.txt"
jmh_status=${PIPESTATUS[0]}
set -e
echo "load avg at end:   $(cut -d' ' -f1-3 /proc/loadavg)" >> "$results/machine.txt"

echo "bench.sh: session overhead (interleaved, one JVM)" >&2
overhead_args=("$results/session-overhead.md")
$quick && overhead_args+=(--quick)
java -cp "$jar" dev.keytrust.bench.SessionOverhead "${overhead_args[@]}" >&2 || echo "bench.sh: the session overhead run failed" >&2

title="keytrust benchmarks, $($quick && echo quick || echo full) run"
java -cp "$jar" dev.keytrust.bench.BenchReport --jmh "$results/jmh-result.json" --tools "$results/tools.tsv" \
  --machine "$results/machine.txt" --out "$results" --title "$title" >&2
if [[ -f "$results/session-overhead.md" ]]; then
  { echo; cat "$results/session-overhead.md"; } >> "$results/report.md"
fi
echo "bench.sh: results in $results (report.md, ratios.png, jmh-result.json, session-overhead.md)" >&2
exit "$jmh_status"
