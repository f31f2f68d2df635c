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
attempts=target/conformance/wine-attempts
# run_suite REPORT_DIR LOG LIMIT [CASES]: the suite on a fresh wineserver (Wine's BITS keeps its jobs in memory only, so
# every run starts from an empty queue), killed after LIMIT seconds; CASES (comma-separated case names) limits it to
# those cases. Each case has 40 s (ConformanceTestBase's @Timeout) and each set-up and tear-down method 120 s, in a
# thread of its own (SEPARATE_THREAD: JUnit's own thread could not be interrupted out of a native call) so that a
# call into Wine's BITS that never returns fails that case and the suite goes on: the whole suite takes 1-3 minutes.
# The cases it should report (EXPECTED: CASES, else every case of the portable run) that it did not are added as
# failed, NO_RESULT (native/wine-attempts.py fill), and run again below, as a crash's are.
run_suite() {
  local dir=$1 log=$2 limit=$3 cases=${4:-}
  mkdir -p "$dir"
  rm -f "$dir/native-wine.json"
  "$JBITS_WINESERVER" -k 2>/dev/null || true
  sleep 1
  local cp="Z:$root/target/jbits.jar;Z:$root/target/test-classes;Z:$console"
  set +e
  timeout "$limit" "$JBITS_WINE" "$JBITS_WINE_JAVA" -Djbits.conformance.backend=native-wine \
    "-Djbits.conformance.reportDir=Z:$root/$dir" "-Djbits.conformance.cases=$cases" -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute --select-package org.jbits.conformance \
    --include-classname '.*ConformanceTest' --details=summary --disable-banner \
    --config=junit.jupiter.execution.timeout.default=120s \
    --config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD > "$log" 2>&1
  launcher=$?
  set -e
  local expected=$cases
  if [ -z "$expected" ] && [ -f target/conformance/portable.json ]; then
    expected=$(python3 -c 'import json,sys; print(",".join(c["name"] for c in json.load(open(sys.argv[1]))["cases"]))' \
      target/conformance/portable.json)
  fi
  if [ -f "$dir/native-wine.json" ] && [ -n "$expected" ]; then
    local added
    added=$(python3 native/wine-attempts.py fill "$dir/native-wine.json" "$expected" "$launcher")
    [ "$added" = 0 ] || echo "wine-conformance: $added case(s) did not report before the run ended (launcher exit $launcher; 124: killed after $limit s)"
  fi
}
rm -rf "$attempts"
[ -f target/conformance/portable.json ] || echo "wine-conformance: no portable report (target/conformance/portable.json): cases the native run does not report cannot be told apart from cases it does not have"
run_suite target/conformance target/conformance/native-wine.log 600
[ -f "$report" ] || { tail -n 20 target/conformance/native-wine.log; echo "wine-conformance: no report was written (launcher exit $launcher)" >&2; exit 1; }
# Wine 8.0's BITS service sometimes crashes mid-suite (a page fault in ntdll, native/README.md): the case under way
# fails with RPC_S_CALL_FAILED and every later one with RPC_S_SERVER_UNAVAILABLE. Those results say nothing about
# the binding, so those cases run again in a fresh Wine session, up to 3 more times; the report records each crash
# (serviceCrashes) and which attempt each case's result comes from. A case still lost after that stays failed.
previous_log=target/conformance/native-wine.log
for n in 2 3 4; do
  lost=$(python3 native/wine-attempts.py lost "$report")
  [ -n "$lost" ] || break
  echo "wine-conformance: Wine's BITS service was lost in attempt $((n - 1)) ($(grep -m1 -a 'wine: Unhandled' "$previous_log" || echo 'no crash line: a hang, or a crash Wine did not print')); running its $(echo "$lost" | tr ',' '\n' | wc -l) lost cases again in a fresh Wine session (attempt $n)"
  run_suite "$attempts/$n" "$attempts/$n/native-wine.log" 300 "$lost"
  if [ ! -f "$attempts/$n/native-wine.json" ]; then
    echo "wine-conformance: attempt $n wrote no report (launcher exit $launcher)" >&2
    break
  fi
  python3 native/wine-attempts.py merge "$report" "$attempts/$n/native-wine.json" "$n" "$previous_log"
  previous_log=$attempts/$n/native-wine.log
done
tail -n 20 "$previous_log"

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
for crash in native.get("serviceCrashes", []):
    what = "hung in" if crash.get("kind") == "hang" else "died during"
    print(f"wine-conformance: attempt {crash['attempt']}: Wine's BITS service {what} {crash['during'] or 'the suite (no call was under way)'}"
          f" ({crash['wine'] or 'no crash line'}); its {crash['casesLost']} lost cases ran again")
# A case with no result at all (it never reported, in any attempt) is a failure whatever the portable run said.
bad = [c for c in native["cases"] if c["result"] == "failed" and (not passed_portable or c["name"] in passed_portable
                                                                   or c.get("reason", "").startswith("NO_RESULT"))]
# The two backends side by side, one row per case (target/conformance/side-by-side.md).
by_name = {c["name"]: c for c in portable["cases"]}
rows = ["| case | portable | native (Wine 8) | why, on native |", "|---|---|---|---|"]
for c in sorted(native["cases"], key=lambda c: c["name"]):
    why = (c.get("reason") or "").split(" -- known Wine behaviour: ")[-1].split(" ==> ")[0]
    why = why.replace("|", "/").replace("\n", " ")[:160]
    why = why if c['result'] != 'passed' else ''
    if c.get("attempt"):
        why = (why + " " if why else "") + f"(attempt {c['attempt']}: run again after Wine's BITS service crashed or hung)"
    rows.append(f"| `{c['name']}` | {by_name.get(c['name'], {}).get('result', '-')} | {c['result']} | {why} |")
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
