#!/usr/bin/env bash
# The conformance suite on a Windows JVM under Wine, against Wine's own BITS through the JNA binding.
# Writes target/conformance/native-wine.json, then fails when a case that passed on the portable backend
# (target/conformance/portable.json, from `mvn verify`) failed on native for a reason that is not a recorded
# Wine deviation (@WineDeviation cases are reported as "wine-deviation", not "failed").
# Also runs the C oracle and its Java twin (native/run-oracle.sh --java): the same scenarios through the Windows SDK
# headers and through the JNA binding, compared field by field (target/conformance/oracle-compare.json); any
# difference fails this script, after the suite's summary.
# usage: native/run-wine-conformance.sh        (needs target/jbits.jar and target/test-classes: mvn verify first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
t0=$(date +%s)

eval "$(native/wine-env.sh --env)"
if [ ! -f target/jbits.jar ] || [ ! -d target/test-classes/org/jbits/conformance ]; then
  mvn -q -B -Dstyle.color=never -DskipTests package
fi
lib="$root/target/wine-lib"
console="$lib/junit-platform-console-standalone-1.10.3.jar"
if [ ! -f "$console" ]; then
  mvn -q -B -Dstyle.color=never dependency:copy \
    -Dartifact=org.junit.platform:junit-platform-console-standalone:1.10.3 -DoutputDirectory="$lib"
fi

report=target/conformance/native-wine.json
run_suite() {
  rm -f "$report"
  # A fresh wineserver: Wine's BITS keeps its jobs in memory only, so every run starts from an empty queue.
  "$JBITS_WINESERVER" -k 2>/dev/null || true
  sleep 1
  local cp="Z:$root/target/jbits.jar;Z:$root/target/test-classes;Z:$console"
  set +e
  timeout 900 "$JBITS_WINE" "$JBITS_WINE_JAVA" -Djbits.conformance.backend=native-wine -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute --select-package org.jbits.conformance \
    --include-classname '.*ConformanceTest' --details=summary --disable-banner > target/conformance/native-wine.log 2>&1
  launcher=$?
  set -e
}
run_suite
# Wine's BITS service sometimes dies on a freshly booted prefix (RPC_S_CALL_FAILED, then RPC_S_SERVER_UNAVAILABLE
# for every later case): that is the environment, not the binding, so the suite runs once more on a new wineserver.
if [ ! -f "$report" ] || grep -q -e 'RPC_S_SERVER_UNAVAILABLE' -e '0x800706BE' "$report"; then
  echo "wine-conformance: Wine's BITS service was lost during the run; running the suite again on a new wineserver"
  cp target/conformance/native-wine.log target/conformance/native-wine-first-attempt.log
  [ -f "$report" ] && cp "$report" target/conformance/native-wine-first-attempt.json
  run_suite
fi
tail -n 20 target/conformance/native-wine.log
[ -f "$report" ] || { echo "wine-conformance: no report was written (launcher exit $launcher)" >&2; exit 1; }

oracle_rc=0
bash native/run-oracle.sh --java 2> target/conformance/oracle-run.log || oracle_rc=$?

suite_rc=0
python3 - "$report" target/conformance/portable.json <<'PY' || suite_rc=$?
import json, os, sys
native = json.load(open(sys.argv[1]))
portable = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {"cases": []}
passed_portable = {c["name"] for c in portable["cases"] if c["result"] == "passed"}
counts = {}
for c in native["cases"]:
    counts[c["result"]] = counts.get(c["result"], 0) + 1
print("wine-conformance:", ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), f"of {len(native['cases'])}")
bad = [c for c in native["cases"] if c["result"] == "failed" and (not passed_portable or c["name"] in passed_portable)]
# The two backends side by side, one row per case (target/conformance/side-by-side.md).
by_name = {c["name"]: c for c in portable["cases"]}
rows = ["| case | portable | native (Wine 8) | why, on native |", "|---|---|---|---|"]
for c in sorted(native["cases"], key=lambda c: c["name"]):
    why = (c.get("reason") or "").split(" -- known Wine behaviour: ")[-1].split(" ==> ")[0]
    why = why.replace("|", "/").replace("\n", " ")[:160]
    rows.append(f"| `{c['name']}` | {by_name.get(c['name'], {}).get('result', '-')} | {c['result']} | {why if c['result'] != 'passed' else ''} |")
with open(os.path.join(os.path.dirname(sys.argv[1]), "side-by-side.md"), "w") as f:
    f.write("\n".join(rows) + "\n")
for c in bad:
    print(f"wine-conformance: FAILED {c['name']}: {c.get('reason', '')}", file=sys.stderr)
if not native["cases"]:
    print("wine-conformance: the report has no cases", file=sys.stderr)
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
if [ "$oracle_rc" != 0 ]; then
  echo "wine-conformance: the C oracle and the JNA binding's Java twin disagree or did not run (exit $oracle_rc);" \
    "see target/conformance/oracle-compare.json and oracle-run.log:" >&2
  grep -e 'oracle-compare' -e 'exited with' -e 'differs from' -e 'does not end' target/conformance/oracle-run.log >&2 || true
fi
echo "wine-conformance: done in $(( $(date +%s) - t0 )) s"
[ "$suite_rc" = 0 ] && [ "$oracle_rc" = 0 ]
