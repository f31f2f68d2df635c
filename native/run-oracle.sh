#!/usr/bin/env bash
# Runs the C oracle against Wine's own BITS and writes target/conformance/oracle-wine.jsonl:
#   1. native/wine-env.sh --no-jre (wine64 + mingw-w64 when missing, our Wine prefix)
#   2. native/build.sh (bits-oracle.exe)
#   3. a python3 http.server on 127.0.0.1 (free port) serving data.bin (5,000,000 deterministic bytes) and
#      small.txt; missing.bin is its 404; a second free port, closed, is the refused connection
#   4. a fresh wineserver (so Wine's BITS starts with no jobs: Wine keeps them in memory only), the oracle under
#      Wine with a watchdog, then the downloaded file compared with the served one
# Usage: native/run-oracle.sh [--only a,b,c]   (extra arguments go to bits-oracle.exe)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out_dir=$root/target/conformance
work=$root/target/oracle
report=$out_dir/oracle-wine.jsonl

log() { echo "[run-oracle] $*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
elapsed() { local d=$(( $(now_ms) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
t0=$(now_ms)
t_step=$t0
step() { log "$1 done in $(elapsed "$t_step") s"; t_step=$(now_ms); }

eval "$("$here/wine-env.sh" --no-jre --env)"
step "wine-env"
exe=$("$here/build.sh" "$work")
step "build"

rm -rf "$work/www" "$work/files"
mkdir -p "$work/www" "$work/files" "$out_dir"
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

# Wine keeps BITS jobs only in memory: a new wineserver means a BITS service with no jobs yet.
"$JBITS_WINESERVER" -k 2>/dev/null || true
"$JBITS_WINESERVER" -w 2>/dev/null || true
windir="Z:${work//\//\\}\\files"
set +e
timeout 300 "$JBITS_WINE" "$exe" "http://127.0.0.1:$port/" "$windir" \
  --refused-url "http://127.0.0.1:$refused_port/refused.bin" --timeout-seconds 240 "$@" \
  > "$report.tmp" 2> "$work/oracle.stderr"
rc=$?
set -e
tr -d '\r' < "$report.tmp" > "$report"
rm -f "$report.tmp"
step "oracle under Wine (exit $rc)"

if [ "$rc" != 0 ]; then
  log "bits-oracle.exe exited with $rc; stderr:"
  sed 's/^/  /' "$work/oracle.stderr" >&2
  exit 1
fi
tail -1 "$report" | grep -q '"scenario":"end"' || { log "the report does not end with the end line"; exit 1; }
if grep -q '"scenario":"download"' "$report"; then
  cmp "$work/www/data.bin" "$work/files/download.bin" \
    || { log "download.bin differs from the served data.bin"; exit 1; }
fi
log "$(grep -c . "$report") lines in $report; total $(elapsed "$t0") s"
