#!/usr/bin/env bash
# Benchmark: the job store's periodic progress path, the calls a transfer makes as it goes (addSegment per written
# batch, saveCheckpoint(..., false) per forced checkpoint), 10,000 of each, against an older build of the store:
# before and after alternately, ROUNDS rounds of 5 runs each (ProgressRecordTiming, in the test classes).
# Results in target/bench/store-progress.txt.
#
# usage: bench/store-progress.sh [BEFORE_CLASSPATH [ROUNDS]]
#   BEFORE_CLASSPATH: a jbits.jar (or classes directory plus its dependencies) of the build to compare with;
#   default /tmp/baseline/target/jbits.jar. Run `mvn -o -q -B test-compile` first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
before=${1:-/tmp/baseline/target/jbits.jar}
rounds=${2:-3}
mkdir -p target/bench
mvn -o -q -B dependency:build-classpath -Dmdep.outputFile=target/bench/classpath.txt >/dev/null
after="target/classes:$(cat target/bench/classpath.txt)"
out=target/bench/store-progress.txt
: > "$out"
for r in $(seq "$rounds"); do
  for build in before after; do
    cp=$([ "$build" = before ] && echo "$before" || echo "$after")
    # The build under test first, so its JobStore is the one loaded; the timing class comes from the test classes.
    line=$(java -cp "$cp:target/test-classes" org.jbits.engine.ProgressRecordTiming 10000 5 2>/dev/null | tail -1)
    echo "round $r $build: $line" | tee -a "$out"
  done
done
