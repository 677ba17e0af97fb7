#!/usr/bin/env bash
# Runs every test of every module (mvn -B verify), after installing what the tests need
# (scripts/install-deps.sh: Java 17+, Maven, swtpm, swtpm-tools, tpm2-tools, openssl).
# Extra arguments go to Maven, e.g.: scripts/test.sh -Dkt.target=target-mine -o
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh

exec mvn -B verify "$@"
