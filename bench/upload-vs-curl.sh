#!/usr/bin/env bash
# Benchmark: a 1 GiB Foreground upload over loopback to jbits' own upload server (`jbits serve-uploads`), jbits'
# BITS upload client against `curl -T` to the same server's plain PUT path (`--plain-put`), in the same run,
# alternating, from the same file, onto the same disk. Reports the ratio of median wall times (jbits / curl;
# <= 1.2 is the target) in target/bench/upload.json and .md.
#
# jbits' time is the whole synchronous `jbits start --transfer-type upload FILE URL` as a user runs it, through the
# installed launcher (its fast client hands the command to the already running, warmed-up agent, which runs it:
# job submission, Create-Session, the
# fragments each acknowledged once the server forced it to disk, Close-Session, which puts the file in place,
# Complete). curl's is `curl -s -T FILE URL`, one PUT that the server writes through the same durable writer and
# forces once at its end. Both uploads are made durable by the server; the BITS one is also resumable: every
# fragment's bytes are on the server's disk, and journaled, before its ack says so.
#
# Also timed, in the same rounds: the same upload through the Java API (bench/java/UploadBench), by an application
# whose JVM is already running and embeds the portable engine (its own state directory): createJob, addFile, resume,
# the Transferred event, complete. That is jbits' upload without the CLI (since the fast client, 2026-12-04, the CLI
# adds 20-70 ms to it; a JVM started for the command added 0.2-0.3 s).
#
# --compare-jar JAR also times a second jbits, installed from JAR with an agent of its own, in the same rounds (an
# A/B of two builds on a shared machine, where only same-run figures compare): reported beside, never in the ratio.
#
# usage: bench/upload-vs-curl.sh [--runs N] [--size-mib M] [--enforce] [--compare-jar JAR]
set -euo pipefail

runs=9
size_mib=1024
enforce=0
compare_jar=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --size-mib) size_mib="$2"; shift 2 ;;
    --enforce) enforce=1; shift ;;
    --compare-jar) compare_jar="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--size-mib M] [--enforce] [--compare-jar JAR]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$root/target/bench"
work="$out_dir/upload-work"
mkdir -p "$work/src" "$work/uploads" "$work/logs"
"$root/install" --prefix "$out_dir/prefix" --no-service --skip-build >/dev/null
launcher="$out_dir/prefix/bin/jbits"
if [ -n "$compare_jar" ]; then
  # The same installer, run from a copy whose target/jbits.jar is the other build (its CDS archive is its own).
  other="$out_dir/compare-src"
  rm -rf "$other"; mkdir -p "$other/target"
  cp "$root/install" "$other/install"; cp "$compare_jar" "$other/target/jbits.jar"
  "$other/install" --prefix "$out_dir/compare-prefix" --no-service --skip-build >/dev/null
fi
command -v curl >/dev/null || { echo "bench: curl is needed" >&2; exit 1; }

src="$work/src/payload.bin"
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$((size_mib * 1048576))" ]; then
  echo "bench: writing a ${size_mib} MiB random payload"
  head -c "$((size_mib * 1048576))" /dev/urandom > "$src"
fi
src_sha="$(sha256sum "$src" | cut -d' ' -f1)"

export JBITS_HOME="$work/home"
jbits() { "$launcher" "$@"; }
# The server in a JVM of its own, as a user runs it; its own state directory, so each run starts with no sessions.
"$launcher" serve-uploads --dir "$work/uploads" --port 0 --plain-put --overwrite >"$work/logs/server.out" 2>&1 &
server_pid=$!
jbits_b() { JBITS_HOME="$work/home-b" "$out_dir/compare-prefix/bin/jbits" "$@"; }
api_pid=""
cleanup() { [ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null || true; jbits agent stop >/dev/null 2>&1 || true; [ -z "$compare_jar" ] || jbits_b agent stop >/dev/null 2>&1 || true; kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT
base=""
for _ in $(seq 600); do
  base="$(sed -n 's/.* at \(http:[^ ]*\).*/\1/p' "$work/logs/server.out" | head -1)"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "bench: serve-uploads exited: $(cat "$work/logs/server.out")" >&2; exit 1; }
  sleep 0.05
done
[ -n "$base" ] || { echo "bench: serve-uploads did not start" >&2; exit 1; }
base="${base%/}"

jbits agent start >/dev/null
[ -z "$compare_jar" ] || jbits_b agent start >/dev/null

# The API's application: compiled against the installed jar, run with the agent's flags, driven one line per upload.
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp "$out_dir/prefix/lib/jbits/jbits.jar" "$root/bench/java/UploadBench.java"
coproc API { JBITS_HOME="$work/api-home" exec java -Xmx256m -XX:+UseSerialGC \
  -cp "$out_dir/prefix/lib/jbits/jbits.jar:$work/classes" UploadBench "$src" "$base/api.bin" 2>"$work/logs/api.err"; }
api_pid=$API_PID
now() { date +%s.%N; }
settle() { rm -f "$work/uploads/curl.bin" "$work/uploads/jbits.bin" "$work/uploads/api.bin"; sync; }
time_curl() { settle; local s; s=$(now); curl -s -f -T "$src" "$base/curl.bin" >/dev/null; echo "$(now) - $s" | bc; }
time_jbits() { settle; local s; s=$(now); jbits start --transfer-type upload "$src" "$base/jbits.bin" >/dev/null 2>&1; echo "$(now) - $s" | bc; }
time_b() { settle; local s; s=$(now); jbits_b start --transfer-type upload "$src" "$base/jbits.bin" >/dev/null 2>&1; echo "$(now) - $s" | bc; }
time_api() {
  settle; local t
  echo upload >&"${API[1]}"
  IFS= read -r t <&"${API[0]}" || { echo "bench: the API's application ended: $(cat "$work/logs/api.err")" >&2; exit 1; }
  case "$t" in error*) echo "bench: the API's upload failed: $t $(tail -5 "$work/logs/api.err")" >&2; exit 1 ;; esac
  echo "$t"
}
check() { [ "$(sha256sum "$work/uploads/$1" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: $1 differs" >&2; exit 1; }; }

# A warm agent is what users get (a long-lived per-user service, as BITS is): three warm-up uploads, reported.
echo "bench: warm-up (page cache of the payload; the agent's and the server's JIT: three uploads each)"
for _ in 1 2 3; do time_curl >/dev/null; done
warm=()
for _ in 1 2 3; do warm+=("$(time_jbits)"); done
check jbits.bin
echo "bench: jbits warm-up uploads: ${warm[*]} s"
api_warm=()
for _ in 1 2 3; do api_warm+=("$(time_api)"); done
check api.bin
echo "bench: API warm-up uploads: ${api_warm[*]} s"
if [ -n "$compare_jar" ]; then for _ in 1 2 3; do time_b >/dev/null; done; check jbits.bin; fi

curl_times=(); jbits_times=(); b_times=(); api_times=()
# The order alternates, so that neither tool always follows the other's write-back and delete.
for i in $(seq "$runs"); do
  if (( i % 2 )); then c=$(time_curl); check curl.bin; j=$(time_jbits); check jbits.bin; a=$(time_api); check api.bin
    if [ -n "$compare_jar" ]; then b=$(time_b); check jbits.bin; fi
  else
    if [ -n "$compare_jar" ]; then b=$(time_b); check jbits.bin; fi
    a=$(time_api); check api.bin; j=$(time_jbits); check jbits.bin; c=$(time_curl); check curl.bin; fi
  curl_times+=("$c"); jbits_times+=("$j"); api_times+=("$a")
  if [ -n "$compare_jar" ]; then b_times+=("$b")
    printf 'bench: run %d: curl -T %.3f s, jbits %.3f s, API %.3f s, compared jbits %.3f s\n' "$i" "$c" "$j" "$a" "$b"
  else printf 'bench: run %d: curl -T %.3f s, jbits %.3f s, API %.3f s\n' "$i" "$c" "$j" "$a"; fi
done
settle

python3 - "$out_dir" "$size_mib" "$enforce" "$(curl --version | head -1)" "${curl_times[*]}" "${jbits_times[*]}" "${warm[*]}" "${b_times[*]:-}" "$compare_jar" "$(cut -d' ' -f1-3 /proc/loadavg)" "${api_times[*]}" <<'PY'
import json, os, statistics, sys
out, size_mib, enforce, curl_version, c, j, warm, b, compare_jar, load, a = sys.argv[1:]
c = [float(x) for x in c.split()]; j = [float(x) for x in j.split()]; a = [float(x) for x in a.split()]
mc, mj, ma = statistics.median(c), statistics.median(j), statistics.median(a)
ratio = mj / mc
api_ratio = ma / mc
res = {
    "benchmark": "upload-loopback-foreground",
    "size_bytes": int(size_mib) * 1048576,
    "server": "jbits serve-uploads --plain-put --overwrite (its own JVM)",
    "peer": curl_version,
    "peer_command": "curl -s -T FILE URL (a plain PUT to the same server)",
    "jbits_command": "jbits start --transfer-type upload FILE URL (synchronous, agent already running)",
    "runs": len(c),
    "curl_seconds": c, "jbits_seconds": j,
    "curl_median_seconds": mc, "jbits_median_seconds": mj,
    "curl_median_MiB_per_s": int(size_mib) / mc, "jbits_median_MiB_per_s": int(size_mib) / mj,
    "ratio_jbits_over_curl": ratio,
    "warmup_jbits_seconds": [float(x) for x in warm.split()],
    "api_command": "bench/java/UploadBench: createJob, addFile, resume, the Transferred event, complete (a running JVM)",
    "api_seconds": a, "api_median_seconds": ma, "ratio_api_over_curl": api_ratio,
    "target": "ratio <= 1.2",
    "met": ratio <= 1.2,
    "api_met": api_ratio <= 1.2,
    "machine": {"cpus": os.cpu_count(), "load_average_after": load},
}
if b.strip():
    b = [float(x) for x in b.split()]
    res.update({"compare_jar": compare_jar, "compare_seconds": b, "compare_median_seconds": statistics.median(b),
                "compare_ratio_over_curl": statistics.median(b) / mc})
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "upload.json"), "w") as f:
    json.dump(res, f, indent=2)
with open(os.path.join(out, "upload.md"), "w") as f:
    f.write(f"# Upload benchmark: {size_mib} MiB over loopback to jbits serve-uploads\n\n")
    f.write("| tool | median wall time | throughput | runs |\n|---|---|---|---|\n")
    f.write(f"| {curl_version.split(' (')[0]} `curl -T` (plain PUT) | {mc:.3f} s | {int(size_mib)/mc:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in c)} |\n")
    f.write(f"| jbits `start --transfer-type upload` (BITS upload protocol) | {mj:.3f} s | {int(size_mib)/mj:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in j)} |\n")
    f.write(f"| jbits through the Java API (a running JVM, BITS upload protocol) | {ma:.3f} s | {int(size_mib)/ma:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in a)} |\n\n")
    f.write(f"Ratio jbits/curl: **{ratio:.3f}** through the CLI (target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}), "
            f"**{api_ratio:.3f}** through the API ({'met' if api_ratio <= 1.2 else 'NOT met'}).\n\n")
    f.write(f"jbits' warm-up uploads (not counted): {', '.join(f'{float(x):.3f}' for x in warm.split())} s.\n")
    if "compare_jar" in res:
        f.write(f"\nCompared build ({res['compare_jar']}), same rounds: median {res['compare_median_seconds']:.3f} s,"
                f" ratio over curl {res['compare_ratio_over_curl']:.3f}.\n")
    f.write(f"\nLoad average after the runs: {load}.\n")
print(f"bench: median curl -T {mc:.3f} s, jbits {mj:.3f} s, API {ma:.3f} s; ratio jbits/curl {ratio:.3f} "
      f"(target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}), API/curl {api_ratio:.3f} "
      f"({'met' if api_ratio <= 1.2 else 'NOT met'}); load average {load}")
if "compare_jar" in res:
    print(f"bench: compared build median {res['compare_median_seconds']:.3f} s, ratio over curl "
          f"{res['compare_ratio_over_curl']:.3f}")
if enforce == "1" and ratio > 1.2:
    sys.exit(1)
PY
