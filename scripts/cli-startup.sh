#!/usr/bin/env bash
# The CLI start-up pair of issue 17 (goal 4): `keytrust key sign` with a TPM key on swtpm, run
# through the ./keytrust launcher as a person runs it, against `java -version`, interleaved in
# pairs (the order swapped every other pair) in one run. Wall time from the shell's clock, and in a
# second run of each in the same pair CPU time (task-clock: user + system of the process and its
# children) from `perf stat`, which other processes' load changes much less; CPU instruction
# counters are not available in this VM.
#
#   scripts/cli-startup.sh RESULTS_DIR [PAIRS]     (default 15 pairs; writes cli-startup.md and
#                                                   appends goal 4 to goals.tsv)
# Needs swtpm, the CLI jar (the launcher builds it and its class-data archive when missing or old).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:?usage: scripts/cli-startup.sh RESULTS_DIR [PAIRS]}"
pairs="${2:-15}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
command -v swtpm >/dev/null || { echo "cli-startup.sh: swtpm is not installed" >&2; exit 1; }
have_perf=false
perf stat -x, -e task-clock true >/dev/null 2>&1 && have_perf=true

work="$(mktemp -d "${TMPDIR:-/tmp}/keytrust-cli-startup.XXXXXX")"
swtpm_pid=""
cleanup() {
  [[ -n "$swtpm_pid" ]] && kill "$swtpm_pid" 2>/dev/null && wait "$swtpm_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# a swtpm of its own on a free port pair (tried until one binds), stopped by its pid
mkdir -p "$work/tpm"
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  swtpm socket --tpm2 --server type=tcp,port=$port,bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
    --flags not-need-init,startup-clear --tpmstate dir="$work/tpm" >"$work/swtpm.log" 2>&1 &
  swtpm_pid=$!
  sleep 0.5
  kill -0 "$swtpm_pid" 2>/dev/null && break
  swtpm_pid=""
done
[[ -n "$swtpm_pid" ]] || { echo "cli-startup.sh: swtpm did not start" >&2; exit 1; }
tpm="mssim://127.0.0.1:$port"
pin='Qx7#vR9!kz'
printf '%s\n%s\n' "$pin" "$pin" | ./keytrust key create --user bench --alg p256 --tpm "$tpm" --store "$work/keys" \
  --pin-stdin >/dev/null
sign=(./keytrust key sign --user bench --data-hex 00ff --tpm "$tpm" --store "$work/keys" --pin-stdin)
# once each, untimed: the launcher's first run checks the jar and archive, the page cache fills
echo "$pin" | "${sign[@]}" >/dev/null
java -version 2>/dev/null

# wall milliseconds of one run (no wrapper: perf would add its own start-up to both sides)
wall() {
  local t0 t1
  t0=$(date +%s%N)
  echo "$pin" | "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  awk -v d=$(( (t1 - t0) / 1000 )) 'BEGIN { printf "%.3f", d / 1000 }'
}
# CPU milliseconds (task-clock: user + system of the process and its children) of another run
cpu() {
  if $have_perf; then
    echo "$pin" | perf stat -x, -e task-clock -o "$work/perf.txt" "$@" >/dev/null 2>&1
    awk -F, '/task-clock/ {print $1}' "$work/perf.txt"
  else
    echo nan
  fi
}

load0="$(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/pairs.txt"
for ((i = 0; i < pairs; i++)); do
  if ((i % 2 == 0)); then
    jw=$(wall java -version); sw=$(wall "${sign[@]}"); jc=$(cpu java -version); sc=$(cpu "${sign[@]}")
  else
    sw=$(wall "${sign[@]}"); jw=$(wall java -version); sc=$(cpu "${sign[@]}"); jc=$(cpu java -version)
  fi
  echo "$jw $jc $sw $sc" >>"$work/pairs.txt"
done
load1="$(cut -d' ' -f1-3 /proc/loadavg)"

# medians and the per-pair ratios' median (min .. max)
summary="$(awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
  function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
  { n++; jw[n] = $1; jc[n] = $2; sw[n] = $3; sc[n] = $4; rw[n] = $3 / $1; rc[n] = ($2 > 0 ? $4 / $2 : 0) }
  END {
    printf "%.1f %.1f %.1f %.1f %.2f %.2f %.2f %.2f %.2f %.2f %d\n", median(jw, n), median(jc, n), median(sw, n), median(sc, n),
      median(rw, n), lo(rw, n), hi(rw, n), median(rc, n), lo(rc, n), hi(rc, n), n
  }' "$work/pairs.txt")"
read -r jw jc sw sc rw rwlo rwhi rc rclo rchi n <<<"$summary"
met=$(awk -v r="$rw" 'BEGIN { print (r <= 8 ? "met" : "not met") }')
{
  echo "## Goal 4: CLI start-up, \`keytrust key sign\` against \`java -version\`"
  echo
  echo "\`scripts/cli-startup.sh\`: $n pairs, interleaved (order swapped every other pair), after one untimed run"
  echo "of each. \`keytrust key sign\` (P-256 TPM key on swtpm over TCP, PIN from standard input) runs through the"
  echo "\`./keytrust\` launcher: the launcher's up-to-date check, its class-data archive (AppCDS, next to the jar) and"
  echo "C1 with the serial GC. Wall time is timed without a wrapper; CPU is \`perf stat -e task-clock\` (user + system,"
  echo "the process and its children) of a second run of each in the same pair."
  echo "Load average $load0 at the start, $load1 at the end."
  echo
  echo "| What | Wall, median | CPU, median |"
  echo "|---|---|---|"
  echo "| \`java -version\` | $jw ms | $jc ms |"
  echo "| \`keytrust key sign\` | $sw ms | $sc ms |"
  echo "| **sign / java -version** (goal ≤ 8, wall) | **$rw** ($rwlo .. $rwhi) | $rc ($rclo .. $rchi) |"
  echo
} >"$out/cli-startup.md"
printf '4\tkeytrust key sign (TPM key on swtpm, launcher) / java -version, wall, pairs interleaved\t%s\t<=\t8\t%s\tsign %s ms, java -version %s ms (CPU: %s / %s ms, ratio %s); %s pairs; load %s .. %s\n' \
  "$rw" "$met" "$sw" "$jw" "$sc" "$jc" "$rc" "$n" "$load0" "$load1" >>"$out/goals.tsv"
cat "$out/cli-startup.md"
