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
# run_suite REPORT_DIR LOG [CASES]: the suite on a fresh wineserver (Wine's BITS keeps its jobs in memory only, so
# every run starts from an empty queue); CASES (comma-separated case names) limits it to those cases.
run_suite() {
  local dir=$1 log=$2 cases=${3:-}
  mkdir -p "$dir"
  rm -f "$dir/native-wine.json"
  "$JBITS_WINESERVER" -k 2>/dev/null || true
  sleep 1
  local cp="Z:$root/target/jbits.jar;Z:$root/target/test-classes;Z:$console"
  set +e
  timeout 900 "$JBITS_WINE" "$JBITS_WINE_JAVA" -Djbits.conformance.backend=native-wine \
    "-Djbits.conformance.reportDir=Z:$root/$dir" "-Djbits.conformance.cases=$cases" -cp "$cp" \
    org.junit.platform.console.ConsoleLauncher execute --select-package org.jbits.conformance \
    --include-classname '.*ConformanceTest' --details=summary --disable-banner > "$log" 2>&1
  launcher=$?
  set -e
}
rm -rf "$attempts"
run_suite target/conformance target/conformance/native-wine.log
[ -f "$report" ] || { tail -n 20 target/conformance/native-wine.log; echo "wine-conformance: no report was written (launcher exit $launcher)" >&2; exit 1; }
# Wine 8.0's BITS service sometimes crashes mid-suite (a page fault in ntdll, native/README.md): the case under way
# fails with RPC_S_CALL_FAILED and every later one with RPC_S_SERVER_UNAVAILABLE. Those results say nothing about
# the binding, so those cases run again in a fresh Wine session, up to 3 more times; the report records each crash
# (serviceCrashes) and which attempt each case's result comes from. A case still lost after that stays failed.
previous_log=target/conformance/native-wine.log
for n in 2 3 4; do
  lost=$(python3 native/wine-attempts.py lost "$report")
  [ -n "$lost" ] || break
  echo "wine-conformance: Wine's BITS service was lost in attempt $((n - 1)) ($(grep -m1 -a 'wine: Unhandled' "$previous_log" || echo 'no crash line')); running its $(echo "$lost" | tr ',' '\n' | wc -l) lost cases again in a fresh Wine session (attempt $n)"
  run_suite "$attempts/$n" "$attempts/$n/native-wine.log" "$lost"
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
    print(f"wine-conformance: attempt {crash['attempt']}: Wine's BITS service died during {crash['during'] or 'the suite (no call was under way)'}"
          f" ({crash['wine'] or 'no crash line'}); its {crash['casesLost']} lost cases ran again")
bad = [c for c in native["cases"] if c["result"] == "failed" and (not passed_portable or c["name"] in passed_portable)]
# The two backends side by side, one row per case (target/conformance/side-by-side.md).
by_name = {c["name"]: c for c in portable["cases"]}
rows = ["| case | portable | native (Wine 8) | why, on native |", "|---|---|---|---|"]
for c in sorted(native["cases"], key=lambda c: c["name"]):
    why = (c.get("reason") or "").split(" -- known Wine behaviour: ")[-1].split(" ==> ")[0]
    why = why.replace("|", "/").replace("\n", " ")[:160]
    why = why if c['result'] != 'passed' else ''
    if c.get("attempt"):
        why = (why + " " if why else "") + f"(attempt {c['attempt']}: run again after Wine's BITS service crashed)"
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
