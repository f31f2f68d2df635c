#!/usr/bin/env bash
# Runs the C oracle against Wine's own BITS and writes target/conformance/oracle-wine.jsonl:
#   1. native/wine-env.sh (wine64 + mingw-w64 when missing, our Wine prefix; the Windows JRE too with --java)
#   2. native/build.sh (bits-oracle.exe)
#   3. a python3 http.server on 127.0.0.1 (free port) serving data.bin (5,000,000 deterministic bytes) and
#      small.txt; missing.bin is its 404; a second free port, closed, is the refused connection
#   4. a fresh wineserver (so Wine's BITS starts with no jobs: Wine keeps them in memory only), the oracle under
#      Wine with a watchdog, then the downloaded file compared with the served one
# With --java, then its Java twin (org.jbits.windows.JavaOracle from target/test-classes, on the Windows JVM, through
# the JNA binding in target/jbits.jar) the same way: same http server, same arguments but its own directory, a
# fresh wineserver; writes target/conformance/java-oracle-wine.jsonl, and native/compare-oracle.py compares the two
# scenario by scenario into target/conformance/oracle-compare.json. Exit 1 when they differ.
# A run that lost Wine's BITS service (RPC_S_SERVER_UNAVAILABLE 0x800706BA or RPC_S_CALL_FAILED 0x800706BE in its
# output: seen on a freshly booted prefix) runs once more on a new wineserver; the first attempt is kept as
# *-first-attempt.jsonl.
# Usage: native/run-oracle.sh [--java] [--only a,b,c]   (other arguments go to both oracles)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out_dir=$root/target/conformance
work=$root/target/oracle
report=$out_dir/oracle-wine.jsonl
java_report=$out_dir/java-oracle-wine.jsonl

with_java=0
args=()
for a in "$@"; do
  if [ "$a" = --java ]; then with_java=1; else args+=("$a"); fi
done

log() { echo "[run-oracle] $*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
elapsed() { local d=$(( $(now_ms) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)
t_step=$t0
step() { log "$1 done in $(elapsed "$t_step") s"; t_step=$(now_ms); }

if [ "$with_java" = 1 ]; then
  eval "$("$here/wine-env.sh" --env)"
  if [ ! -f "$root/target/jbits.jar" ] || [ ! -f "$root/target/test-classes/org/jbits/windows/JavaOracle.class" ]; then
    (cd "$root" && mvn -q -B -Dstyle.color=never -DskipTests package)
  fi
else
  eval "$("$here/wine-env.sh" --no-jre --env)"
fi
step "wine-env"
exe=$("$here/build.sh" "$work")
step "build"

rm -rf "$work/www" "$work/files" "$work/java-files"
mkdir -p "$work/www" "$work/files" "$work/java-files" "$out_dir"
python3 - "$work/www" <<'EOF'
import random, sys
random.seed(20261122)
with open(sys.argv[1] + "/data.bin", "wb") as f:
    f.write(random.randbytes(5_000_000))
with open(sys.argv[1] + "/small.txt", "w") as f:
    f.write("jbits oracle small file\n")
EOF
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
refused_port=$(free_port)
while [ "$refused_port" = "$port" ]; do refused_port=$(free_port); done
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" > "$work/http.log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  "$JBITS_WINESERVER" -k 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.1
done
step "http server on 127.0.0.1:$port"

# run_oracle NAME REPORT FILES_DIR COMMAND...: runs one oracle on a new wineserver with the common arguments, its
# output (CRs dropped) in REPORT; once more when Wine's BITS service was lost. Returns non-zero on failure.
run_oracle() {
  local name=$1 out=$2 files=$3 rc attempt
  shift 3
  local windir="Z:${files//\//\\}"
  for attempt in 1 2; do
    # Wine keeps BITS jobs only in memory: a new wineserver means a BITS service with no jobs yet.
    "$JBITS_WINESERVER" -k 2>/dev/null || true
    "$JBITS_WINESERVER" -w 2>/dev/null || true
    set +e
    timeout 300 "$@" "http://127.0.0.1:$port/" "$windir" \
      --refused-url "http://127.0.0.1:$refused_port/refused.bin" --timeout-seconds 240 ${args[@]+"${args[@]}"} \
      > "$out.tmp" 2> "$work/$name.stderr"
    rc=$?
    set -e
    tr -d '\r' < "$out.tmp" > "$out"
    rm -f "$out.tmp"
    step "$name under Wine (exit $rc)"
    if [ "$attempt" = 1 ] && grep -q -e '"0x800706BA"' -e '"0x800706BE"' "$out"; then
      log "$name: Wine's BITS service was lost during the run; running it again on a new wineserver"
      cp "$out" "${out%.jsonl}-first-attempt.jsonl"
      continue
    fi
    break
  done
  if [ "$rc" != 0 ]; then
    log "$name exited with $rc; stderr:"
    sed 's/^/  /' "$work/$name.stderr" >&2
    return 1
  fi
  tail -1 "$out" | grep -q '"scenario":"end"' || { log "$name: the report does not end with the end line"; return 1; }
  if grep -q '"scenario":"download"' "$out"; then
    cmp "$work/www/data.bin" "$files/download.bin" \
      || { log "$name: download.bin differs from the served data.bin"; return 1; }
  fi
  log "$(grep -c . "$out") lines in $out"
}

run_oracle bits-oracle "$report" "$work/files" "$JBITS_WINE" "$exe"
if [ "$with_java" = 1 ]; then
  java_rc=0
  run_oracle java-oracle "$java_report" "$work/java-files" "$JBITS_WINE" "$JBITS_WINE_JAVA" \
    -cp "Z:$root/target/jbits.jar;Z:$root/target/test-classes" org.jbits.windows.JavaOracle || java_rc=$?
  compare_rc=0
  python3 "$here/compare-oracle.py" --self-test || { log "compare-oracle.py failed its self-test"; exit 1; }
  python3 "$here/compare-oracle.py" "$report" "$java_report" --out "$out_dir/oracle-compare.json" || compare_rc=$?
  step "comparison"
  log "total $(elapsed "$t0") s"
  [ "$java_rc" = 0 ] && [ "$compare_rc" = 0 ]
else
  log "total $(elapsed "$t0") s"
fi
