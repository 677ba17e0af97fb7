#!/usr/bin/env bash
# Prints the dependency footprint of an application that embeds keytrust: every jar keytrust puts on
# its runtime class path, with its size (the table in the README's "Use keytrust as a library").
# It runs the build part of EmbeddingAgentTest: mvn install of the libraries into a local repository
# of the test's own (under simulator-tests/<target>/embedding-consumer, never ~/.m2), then the
# example in examples/embedding built outside the reactor against it; the table is measured from
# the example's class path (its own slf4j-simple left out).
# Extra arguments go to Maven, e.g.: scripts/footprint.sh -o   or   scripts/footprint.sh -Dkt.target=target-mine
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=target
for arg in "$@"; do
  if [[ "$arg" == -Dkt.target=* ]]; then
    target="${arg#-Dkt.target=}"
  fi
done
table="simulator-tests/$target/embedding-consumer/footprint.md"
rm -f "$table"

status=0
mvn -B -q -Dstyle.color=never test -pl simulator-tests -am -Dkt.fuzz.skip=true \
  -Dtest='EmbeddingAgentTest#theReadmeShowsTheMeasuredDependencyFootprint' -Dsurefire.failIfNoSpecifiedTests=false \
  "$@" >&2 || status=$?

if [[ ! -f "$table" ]]; then
  echo "footprint: the build failed before it measured anything (messages above)" >&2
  exit 1
fi
cat "$table"
if [[ $status -ne 0 ]]; then
  echo "footprint: the README's table differs from this one (or a test failed: messages above)" >&2
fi
exit "$status"
