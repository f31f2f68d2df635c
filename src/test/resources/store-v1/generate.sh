#!/usr/bin/env bash
# Regenerates the schema-1 store fixture in this directory with the jbits that wrote schema 1 (see README.md).
#
#   src/test/resources/store-v1/generate.sh [BASELINE]
#
# BASELINE (default /tmp/baseline) is a jbits tree at a commit from before schema versions, built:
#   git worktree add /tmp/baseline ed155ec && (cd /tmp/baseline && mvn -o -q -B -DskipTests package)
# Needs nginx, as the tests do. Takes about 15 s.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=${1:-/tmp/baseline}
jar=$base/target/jbits.jar
tests=$base/target/test-classes
if [ ! -f "$jar" ] || [ ! -f "$tests/org/jbits/testing/NginxServer.class" ]; then
  echo "generate.sh: $base has no built jbits.jar and test classes; build it (see the top of this script)" >&2
  exit 2
fi
if grep -q user_version "$base/src/main/java/org/jbits/engine/JobStore.java"; then
  echo "generate.sh: $base already has schema versions; the fixture must come from a jbits before them" >&2
  exit 2
fi
commit=$(git -C "$base" rev-parse --short HEAD 2>/dev/null || echo unknown)

java -cp "$jar:$tests" "$here/Generate.java" "$here" "$commit"
echo "wrote $here: state/ (jobs.db, jobs.db-wal), dl/ (temporary files), fixture.properties"
