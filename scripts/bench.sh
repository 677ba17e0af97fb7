#!/usr/bin/env bash
# Builds and runs keytrust's JMH benchmarks (module simulator-tests, package dev.keytrust.bench),
# measures openssl speed and tpm2-tools against a swtpm of its own for context, and writes a report.
#
#   scripts/bench.sh                 the whole suite and the goal harnesses, settings for 2 cores (about 16 min)
#   scripts/bench.sh --quick         every benchmark briefly, in the JMH JVM (about 2-3 min; noisy)
#   scripts/bench.sh --results DIR   where the results go (default simulator-tests/<target>/bench-results/<UTC time>)
#   scripts/bench.sh [--quick] ARGS  other arguments go to JMH, e.g. a benchmark regular expression
#                                    (TpmKeyBenchmark), -p alg=p256, or -f/-wi/-w/-i/-r, which replace
#                                    the defaults
#   scripts/bench.sh -l              list the benchmarks (-h: JMH's options); nothing is measured
#
# The results directory gets jmh-result.json (JMH's JSON), jmh-output.txt, tools.tsv (openssl speed,
# tpm2-tools), machine.txt, the harnesses of issue 17's goals (issue-goals.md from IssueGoals,
# session-overhead.md from SessionOverhead, cli-startup.md from scripts/cli-startup.sh, fleet.md and
# fleet.png from keytrust lab fleet, each adding its goal to goals.tsv), and the report: report.md
# (the goals table first) with ratios.png (BenchReport).
# Environment: KT_TARGET build folder name (default target), MVN_ARGS extra Maven options (e.g. -o),
# KT_NO_INSTALL=1 skips scripts/install-deps.sh, KT_FLEET_DEVICES / KT_FLEET_CONCURRENCY the fleet's
# size (default 40 devices, 2 at a time; 8 in quick mode), KT_NO_GOALS=1 skips the goal harnesses.
# See docs/benchmarks.md.
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
rm -f "$results/goals.tsv"

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

if [[ "${KT_NO_GOALS:-}" != 1 ]]; then
  echo "bench.sh: issue 17's goals: the flow against its floor, tpm2-tools, the stack per command (interleaved, one JVM)" >&2
  goal_args=("$results")
  $quick && goal_args+=(--quick)
  java -cp "$jar" dev.keytrust.bench.IssueGoals "${goal_args[@]}" >&2 || echo "bench.sh: IssueGoals failed" >&2

  echo "bench.sh: session overhead (interleaved, one JVM; goal 2b)" >&2
  overhead_args=("$results/session-overhead.md")
  $quick && overhead_args+=(--quick)
  java -cp "$jar" dev.keytrust.bench.SessionOverhead "${overhead_args[@]}" >&2 || echo "bench.sh: the session overhead run failed" >&2

  echo "bench.sh: CLI start-up pair (goal 4)" >&2
  bash scripts/cli-startup.sh "$results" "$($quick && echo 6 || echo 15)" >&2 || echo "bench.sh: the CLI pair failed" >&2
  fleet_n="${KT_FLEET_DEVICES:-$($quick && echo 8 || echo 40)}"
  fleet_c="${KT_FLEET_CONCURRENCY:-2}"
  echo "bench.sh: keytrust lab fleet --devices $fleet_n --concurrency $fleet_c (goal 6)" >&2
  lab_jar="simulator-tests/$target/keytrust-lab.jar"
  rm -rf "$results/fleet"
  if java -jar "$lab_jar" fleet --devices "$fleet_n" --concurrency "$fleet_c" --dir "$results/fleet" --max-time 10m \
      > "$results/fleet-output.txt" 2>&1; then :; else echo "bench.sh: the fleet reported errors (fleet-output.txt)" >&2; fi
  if [[ -f "$results/fleet/fleet.md" ]]; then
    cp "$results/fleet/fleet.md" "$results/fleet/fleet.png" "$results/"
    ratio=$(grep -o 'fleet / swtpm alone\*\* (goal ≥ 0.8) | \*\*[0-9.]*' "$results/fleet.md" | grep -o '[0-9.]*$')
    rate=$(grep -o 'devices per minute\*\* | \*\*[0-9.]*' "$results/fleet.md" | grep -o '[0-9.]*$')
    errors=$(grep -o '^| errors | [0-9]*' "$results/fleet.md" | grep -o '[0-9]*$')
    met=$(awk -v r="${ratio:-0}" -v e="${errors:-1}" 'BEGIN { print (r >= 0.8 && e == 0 ? "met" : "not met") }')
    printf '6\tkeytrust lab fleet: devices per minute / swtpm alone with the same TPM work, same concurrency\t%s\t>=\t0.8\t%s\t%s devices, concurrency %s: %s devices/min, %s errors\n' \
      "${ratio:-nan}" "$met" "$fleet_n" "$fleet_c" "${rate:-?}" "${errors:-?}" >> "$results/goals.tsv"
    # the fleet's files are not kept (keys, swtpm states); its report is
    rm -rf "$results/fleet"
  fi
fi

title="keytrust benchmarks, $($quick && echo quick || echo full) run"
java -cp "$jar" dev.keytrust.bench.BenchReport --jmh "$results/jmh-result.json" --tools "$results/tools.tsv" \
  --machine "$results/machine.txt" --out "$results" --title "$title" --goals "$results/goals.tsv" >&2
for section in issue-goals.md session-overhead.md cli-startup.md fleet.md; do
  if [[ -f "$results/$section" ]]; then
    { echo; cat "$results/$section"; } >> "$results/report.md"
  fi
done
echo "bench.sh: results in $results (report.md, ratios.png, fleet.png, jmh-result.json, goals.tsv)" >&2
exit "$jmh_status"
