#!/usr/bin/env bash
# Benchmark: a 1 GiB Foreground SMB download over loopback from a real smbd, jbits against `smbclient -c get`, in the
# same run, in rotating order, on the same file; then a 1 GiB SMB upload, `jbits start --transfer-type upload`
# against `smbclient -c put`, the same way. Reports the ratios of median wall times (jbits / smbclient; <= 1.0 is the
# target) in target/bench/smb.json and .md.
#
# The upload: jbits' time is the whole synchronous `jbits start --transfer-type upload FILE smb://.../up/NAME` (the
# CLI, the submission, the writes into the hidden temporary file on the share, Complete's rename into place);
# smbclient's is `smbclient //127.0.0.1/up -c 'put FILE NAME'`. Neither asks smbd to flush. Each uploaded file is
# deleted and `sync`ed away before the next run.
#
# jbits' time is the whole synchronous `jbits start smb://... DIR/` as a user runs it, through the installed launcher
# (CLI JVM start, submission to the running, warmed-up agent, the transfer with its durable checkpoints, Complete, the
# rename into place). smbclient's is `smbclient //127.0.0.1/share -c 'get payload.bin FILE'` with the same account.
# jbits forces the file to disk as it goes and smbclient does not, so `smbclient ... && sync FILE` is measured too.
# Both write to the same file system; each output is deleted and `sync`ed away before the next run.
#
# What limits jbits here: jbits sends multi-credit reads and writes of 1 MiB (jcifs-ng alone: 64 KiB) on jcifs-ng's
# connections, unsigned unless the server requires signing (this smb.conf does not), the data straight between the
# socket and its blocks, 4 reads or 4 writes in flight over two connections, and forces a download to disk as it
# goes. smbclient reads and writes with multi-credit requests of up to 8 MiB. See the .md for this run.
#
# usage: bench/smb-vs-smbclient.sh [--runs N] [--size-mib M] [--direction both|download|upload] [--enforce]
set -euo pipefail

runs=5
size_mib=1024
enforce=0
direction=both
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --size-mib) size_mib="$2"; shift 2 ;;
    --enforce) enforce=1; shift ;;
    --direction) direction="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--size-mib M] [--direction both|download|upload] [--enforce]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$root/target/bench"
work="$out_dir/smb-work"
smbd_bin=/usr/sbin/smbd
[ -x "$smbd_bin" ] || { echo "bench: smbd is needed (apt-get install samba smbclient)" >&2; exit 1; }
command -v smbclient >/dev/null || { echo "bench: smbclient is needed (apt-get install smbclient)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: smbd switches to the account of each logon, which needs root" >&2; exit 1; }

rm -rf "$work/dest" "$work/home"
rm -rf "$work/up"
mkdir -p "$work"/{private,lock,state,cache,pid,ncalrpc,log,share,dest,up}
chmod 755 "$work"
"$root/install" --prefix "$out_dir/prefix" --no-service --skip-build >/dev/null
launcher="$out_dir/prefix/bin/jbits"

src="$work/share/payload.bin"
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$((size_mib * 1048576))" ]; then
  echo "bench: writing a ${size_mib} MiB random payload"
  head -c "$((size_mib * 1048576))" /dev/urandom > "$src"
fi
chmod 644 "$src"
src_sha="$(sha256sum "$src" | cut -d' ' -f1)"

user=jbits
password="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
echo "$(id -un) = $user" > "$work/users.map"
cat > "$work/smb.conf" <<CONF
[global]
  server role = standalone server
  workgroup = JBITSBENCH
  smb ports = $port
  bind interfaces only = yes
  interfaces = 127.0.0.1
  disable netbios = yes
  private dir = $work/private
  lock directory = $work/lock
  state directory = $work/state
  cache directory = $work/cache
  pid directory = $work/pid
  ncalrpc dir = $work/ncalrpc
  binddns dir = $work/private/bind-dns
  log file = $work/log/smbd.log
  log level = 0
  passdb backend = tdbsam:$work/private/passdb.tdb
  username map = $work/users.map
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  server min protocol = SMB2_02
[share]
  path = $work/share
  read only = yes
  valid users = $(id -un)
[up]
  path = $work/up
  read only = no
  valid users = $(id -un)
CONF
printf '%s\n%s\n' "$password" "$password" | smbpasswd -c "$work/smb.conf" -s -a "$(id -un)" >/dev/null
# In a session of its own: smbd, run with --no-process-group, signals its whole process group when it exits
# (SIGTERM to every process in it), which took run-tests and CI down with it after this bench. setsid runs smbd in
# place (a background job is no group leader), so $! is still smbd's pid.
setsid "$smbd_bin" -s "$work/smb.conf" -F --no-process-group --debug-stdout -d 0 > "$work/log/stdout.log" 2>&1 &
smbd_pid=$!
export JBITS_HOME="$work/home"
jbits() { "$launcher" "$@"; }
cleanup() {
  jbits agent stop >/dev/null 2>&1 || true
  pkill -TERM -P "$smbd_pid" 2>/dev/null || true
  kill "$smbd_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="smb://$user:$password@127.0.0.1:$port/share/payload.bin"

jbits agent start >/dev/null
now() { date +%s.%N; }
smbget() { smbclient -s "$work/smb.conf" -p "$port" //127.0.0.1/share -U "$user%$password" -c "get payload.bin $1" >/dev/null 2>&1; }
time_smbclient() { rm -f "$work/dest/smbclient.bin"; sync; local s; s=$(now); smbget "$work/dest/smbclient.bin"; echo "$(now) - $s" | bc; }
time_smbclient_sync() { rm -f "$work/dest/smbclient.bin"; sync; local s; s=$(now); smbget "$work/dest/smbclient.bin"; sync "$work/dest/smbclient.bin"; echo "$(now) - $s" | bc; }
time_jbits() { rm -f "$work/dest/payload.bin"; sync; local s; s=$(now); jbits start "$url" "$work/dest/" >/dev/null; echo "$(now) - $s" | bc; }

run_download() {
# As in download-vs-curl.sh: the agent is a long-lived service, so its JIT gets warm-up transfers (reported, not
# counted), and smbclient one (the payload's page cache).
echo "bench: warm-up (page cache of the payload; the agent's JIT: three transfers)"
time_smbclient >/dev/null
warm=()
for _ in 1 2 3; do warm+=("$(time_jbits)"); done
echo "bench: jbits warm-up transfers: ${warm[*]} s"
[ "$(sha256sum "$work/dest/payload.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: jbits' file differs" >&2; exit 1; }
[ "$(sha256sum "$work/dest/smbclient.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: smbclient's file differs" >&2; exit 1; }

s_times=(); j_times=(); ss_times=()
for i in $(seq "$runs"); do
  case $(( i % 3 )) in
    1) s=$(time_smbclient); j=$(time_jbits); ss=$(time_smbclient_sync) ;;
    2) j=$(time_jbits); ss=$(time_smbclient_sync); s=$(time_smbclient) ;;
    0) ss=$(time_smbclient_sync); s=$(time_smbclient); j=$(time_jbits) ;;
  esac
  s_times+=("$s"); j_times+=("$j"); ss_times+=("$ss")
  printf 'bench: run %d: smbclient %.3f s, jbits %.3f s, smbclient+sync %.3f s\n' "$i" "$s" "$j" "$ss"
done
[ "$(sha256sum "$work/dest/payload.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: jbits' file differs" >&2; exit 1; }
rm -f "$work/dest/smbclient.bin" "$work/dest/payload.bin"

python3 - "$out_dir" "$size_mib" "$enforce" "$(smbclient --version)" "${s_times[*]}" "${j_times[*]}" "${ss_times[*]}" "${warm[*]}" <<'PY'
import json, os, statistics, sys
out, size_mib, enforce, peer_version, s, j, ss, warm = sys.argv[1:]
s = [float(x) for x in s.split()]; j = [float(x) for x in j.split()]; ss = [float(x) for x in ss.split()]
ms, mj, mss = statistics.median(s), statistics.median(j), statistics.median(ss)
ratio, ratio_sync = mj / ms, mj / mss
mib = int(size_mib)
res = {
    "benchmark": "smb-download-loopback-foreground",
    "size_bytes": mib * 1048576,
    "peer": "smbclient " + peer_version,
    "peer_command": "smbclient //127.0.0.1/share -U USER%PASS -c 'get payload.bin FILE'",
    "jbits_command": "jbits start smb://USER:PASS@127.0.0.1:PORT/share/payload.bin DIR/ (synchronous, agent running)",
    "runs": len(s),
    "smbclient_seconds": s, "jbits_seconds": j, "smbclient_sync_seconds": ss,
    "smbclient_median_seconds": ms, "jbits_median_seconds": mj, "smbclient_sync_median_seconds": mss,
    "smbclient_median_MiB_per_s": mib / ms, "jbits_median_MiB_per_s": mib / mj,
    "smbclient_sync_median_MiB_per_s": mib / mss,
    "ratio_jbits_over_smbclient": ratio, "ratio_jbits_over_smbclient_sync": ratio_sync,
    "warmup_jbits_seconds": [float(x) for x in warm.split()],
    "target": "ratio <= 1.0", "met": ratio <= 1.0,
    "limits": "multi-credit read requests of 1 MiB on jcifs-ng connections (jcifs-ng alone: 64 KiB), replies read straight into the blocks; data requests unsigned unless the server requires signing; jbits keeps 4 reads in flight over two connections and forces the file to disk as it goes",
    "machine": {"cpus": os.cpu_count()},
}
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "smb.json"), "w") as f:
    json.dump(res, f, indent=2)
with open(os.path.join(out, "smb.md"), "w") as f:
    f.write(f"# SMB download benchmark: {mib} MiB over loopback from smbd\n\n")
    f.write("| tool | median wall time | throughput | runs |\n|---|---|---|---|\n")
    f.write(f"| smbclient {peer_version} `get` | {ms:.3f} s | {mib/ms:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in s)} |\n")
    f.write(f"| smbclient `get` then `sync FILE` | {mss:.3f} s | {mib/mss:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in ss)} |\n")
    f.write(f"| jbits `start` (Foreground) | {mj:.3f} s | {mib/mj:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in j)} |\n\n")
    f.write(f"Ratio jbits/smbclient: **{ratio:.3f}** (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'}); ")
    f.write(f"jbits/(smbclient + sync): **{ratio_sync:.3f}**.\n\n")
    f.write(f"jbits' warm-up transfers (after the agent's start, not counted): {', '.join(f'{float(x):.3f}' for x in warm.split())} s.\n\n")
    f.write("What limits jbits: multi-credit reads of 1 MiB on jcifs-ng's connections, each reply read straight "
            "into a block, then the file's durable write; the data requests go unsigned unless the server requires "
            "signing; SmbTransport keeps 4 reads in flight over two connections. smbclient uses multi-credit reads "
            "of up to 8 MiB.\n")
print(f"bench: median smbclient {ms:.3f} s, smbclient+sync {mss:.3f} s, jbits {mj:.3f} s; ratio jbits/smbclient "
      f"{ratio:.3f} (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'}), jbits/(smbclient+sync) {ratio_sync:.3f}")
if enforce == "1" and ratio > 1.0:
    sys.exit(1)
PY
}

# ------------------------------------------------------------------ the upload
up_url="smb://$user:$password@127.0.0.1:$port/up/jbits-up.bin"
smbput() { smbclient -s "$work/smb.conf" -p "$port" //127.0.0.1/up -U "$user%$password" -c "put $src smbclient-up.bin" >/dev/null 2>&1; }
clear_up() { rm -f "$work/up/"*; sync; }
time_smbput() { clear_up; local s; s=$(now); smbput; echo "$(now) - $s" | bc; }
time_jbits_up() { clear_up; local s; s=$(now); jbits start --transfer-type upload "$src" "$up_url" >/dev/null; echo "$(now) - $s" | bc; }
run_upload() {
  echo "bench: upload warm-up (the agent's JIT: three uploads; smbclient one)"
  time_smbput >/dev/null
  [ "$(sha256sum "$work/up/smbclient-up.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: smbclient's upload differs" >&2; exit 1; }
  local warm_up=()
  for _ in 1 2 3; do warm_up+=("$(time_jbits_up)"); done
  echo "bench: jbits upload warm-up: ${warm_up[*]} s"
  [ "$(sha256sum "$work/up/jbits-up.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: jbits' upload differs" >&2; exit 1; }
  local su=() ju=()
  for i in $(seq "$runs"); do
    if [ $(( i % 2 )) = 1 ]; then s=$(time_smbput); j=$(time_jbits_up); else j=$(time_jbits_up); s=$(time_smbput); fi
    su+=("$s"); ju+=("$j")
    printf 'bench: upload run %d: smbclient put %.3f s, jbits %.3f s\n' "$i" "$s" "$j"
  done
  time_jbits_up >/dev/null
  [ "$(sha256sum "$work/up/jbits-up.bin" | cut -d' ' -f1)" = "$src_sha" ] || { echo "bench: jbits' upload differs" >&2; exit 1; }
  clear_up
  python3 - "$out_dir" "$size_mib" "$enforce" "$(smbclient --version)" "${su[*]}" "${ju[*]}" "${warm_up[*]}" <<'PY'
import json, os, statistics, sys
out, size_mib, enforce, peer_version, s, j, warm = sys.argv[1:]
s = [float(x) for x in s.split()]; j = [float(x) for x in j.split()]
ms, mj = statistics.median(s), statistics.median(j)
ratio = mj / ms
mib = int(size_mib)
res = {
    "benchmark": "smb-upload-loopback-foreground",
    "size_bytes": mib * 1048576,
    "peer": "smbclient " + peer_version,
    "peer_command": "smbclient //127.0.0.1/up -U USER%PASS -c 'put FILE NAME'",
    "jbits_command": "jbits start --transfer-type upload FILE smb://USER:PASS@127.0.0.1:PORT/up/NAME (synchronous, agent running, Complete included)",
    "runs": len(s), "smbclient_seconds": s, "jbits_seconds": j,
    "smbclient_median_seconds": ms, "jbits_median_seconds": mj,
    "smbclient_median_MiB_per_s": mib / ms, "jbits_median_MiB_per_s": mib / mj,
    "ratio_jbits_over_smbclient": ratio, "warmup_jbits_seconds": [float(x) for x in warm.split()],
    "target": "ratio <= 1.0", "met": ratio <= 1.0,
    "limits": "multi-credit write requests of 1 MiB on jcifs-ng connections (jcifs-ng alone: 65,416 bytes), sent straight from the blocks; data requests unsigned unless the server requires signing; jbits keeps 4 writes in flight over two connections",
    "machine": {"cpus": os.cpu_count()},
}
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "smb-upload.json"), "w") as f:
    json.dump(res, f, indent=2)
with open(os.path.join(out, "smb-upload.md"), "w") as f:
    f.write(f"# SMB upload benchmark: {mib} MiB over loopback to smbd\n\n")
    f.write("| tool | median wall time | throughput | runs |\n|---|---|---|---|\n")
    f.write(f"| smbclient {peer_version} `put` | {ms:.3f} s | {mib/ms:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in s)} |\n")
    f.write(f"| jbits `start --transfer-type upload` (Foreground) | {mj:.3f} s | {mib/mj:.0f} MiB/s | {', '.join(f'{x:.3f}' for x in j)} |\n\n")
    f.write(f"Ratio jbits/smbclient: **{ratio:.3f}** (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'}).\n\n")
    f.write(f"jbits' warm-up uploads (not counted): {', '.join(f'{float(x):.3f}' for x in warm.split())} s.\n\n")
    f.write("What limits jbits: multi-credit writes of 1 MiB on jcifs-ng's connections, sent straight from the "
            "blocks; the data requests go unsigned unless the server requires signing; SmbUploader keeps 4 writes "
            "in flight over two connections. smbclient uses multi-credit writes of up to 8 MiB.\n")
print(f"bench: upload median smbclient put {ms:.3f} s, jbits {mj:.3f} s; ratio jbits/smbclient {ratio:.3f} "
      f"(target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'})")
if enforce == "1" and ratio > 1.0:
    sys.exit(1)
PY
}

case "$direction" in
  download) run_download ;;
  upload) run_upload ;;
  both) run_download; run_upload ;;
  *) echo "bench: --direction is both, download or upload" >&2; exit 2 ;;
esac
