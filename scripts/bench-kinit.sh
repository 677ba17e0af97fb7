#!/usr/bin/env bash
# keytrust kinit against Heimdal's kinit -C: both sign in by key trust to the same lab KDC (Samba
# 4.24 in its chroot, KeyTrustKdc) with the same RSA-2048 key, one after the other, RUNS times each
# after a warm-up; then keytrust with a key in swtpm, to show the TPM signatures' share. Prints the
# medians and the ratio (dev.keytrust.bench.KinitBench). Needs root, and the lab KDC's cached root
# or debootstrap to build it (about 2 minutes, once).
#
#   scripts/bench-kinit.sh [RUNS]         default 20
#
# Environment: KT_KDC_ADDRESS the lab KDC's loopback address (default: the first free 127.0.0.x
# from 127.0.0.2), KT_TARGET build folder name (default target), MVN_ARGS extra Maven options (-o).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${1:-20}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-kinit.sh: RUNS must be a positive number, not '$runs'" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "bench-kinit.sh: the lab KDC needs root (chroot, mount, Samba's DC)" >&2; exit 2; }

target="${KT_TARGET:-target}"
# shellcheck disable=SC2086 # MVN_ARGS is a list of options
mvn -q -B -Dstyle.color=never -Dkt.target="$target" ${MVN_ARGS:-} -DskipTests \
  -pl simulator-tests -am package 2>&1 | sed -e $'s/\x1b\\[[0-9;]*m//g' >&2

jar="simulator-tests/$target/keytrust-benchmarks.jar"
[[ -f "$jar" ]] || { echo "bench-kinit.sh: the build did not produce $jar" >&2; exit 1; }
args=("$runs")
[[ -n "${KT_KDC_ADDRESS:-}" ]] && args+=(--address "$KT_KDC_ADDRESS")
exec java -cp "$jar" dev.keytrust.bench.KinitBench "${args[@]}"
