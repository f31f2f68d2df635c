"""Resume cost after kill -9: a Foreground job downloading at a given link speed (nginx limit_rate), the agent
killed with SIGKILL at set fractions of the file, started again, the job finished. Bytes downloaded twice per kill,
from nginx's access log (each request's Range start and body bytes sent), checked against the file's size.
Peer in the same run: curl -C - after a kill -9 of curl at the same point (what it fetches twice: nothing it wrote,
but everything it had not yet written)."""

import json
import os
import re
import signal
import subprocess
import time

from common import MIB, AgentSocket, drop_file, log, sha256, summary, wait_gone


def progress(home, job):
    c = AgentSocket(home, timeout=10)
    try:
        r = c.call({"op": "get", "jobs": [job]})
    finally:
        c.close()
    j = r["jobs"][0]
    return j.get("jobState"), j.get("bytesTransferred", 0)


def requests_for(entries, path):
    """(range start, body bytes) of each GET of path, in order."""
    out = []
    for e in entries:
        if e["request"].startswith("GET " + path + " "):
            m = re.match(r"bytes=(\d+)-", e["range"])
            out.append((int(m.group(1)) if m else 0, e["body_bytes"], e["status"]))
    return out


def one_speed(ctx, rate, size_mib, fractions):
    jb = ctx.jbits
    name = f"payload-{size_mib}m.bin"
    src = ctx.payload(name, size_mib * MIB)
    tag = f"r{rate}-{int(time.time() * 1000)}"
    path = f"/rate/{name}?rate={rate}&t={tag}" if rate != "unlimited" else f"/{name}?t={tag}"
    url = ctx.nginx.url(path)
    dest = os.path.join(ctx.work, "resume-dest")
    drop_file(dest)
    os.makedirs(dest)
    jb.run("agent", "start")
    job = json.loads(jb.run("start", "--async", "--json", url, dest + "/" + name).stdout)["jobId"]
    kills = []
    for frac in fractions:
        target = int(frac * size_mib * MIB)
        t0 = time.time()
        while True:
            state, got = progress(jb.home, job)
            if got >= target or state in ("Transferred", "Error"):
                break
            if time.time() - t0 > 600:
                raise RuntimeError("no progress")
            time.sleep(0.01)
        pid = jb.pid()
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)
        kills.append({"fraction": frac, "reported_bytes_at_kill": got})
        jb.run("agent", "start")
    t0 = time.time()
    while True:
        state, got = progress(jb.home, job)
        if state == "Transferred":
            break
        if state == "Error" or time.time() - t0 > 900:
            raise RuntimeError(f"job ended {state}")
        time.sleep(0.05)
    jb.run("complete", job)
    ok = sha256(os.path.join(dest, name)) == sha256(src)
    drop_file(dest)
    time.sleep(0.2)   # nginx writes the log line when the request ends
    reqs = requests_for(ctx.nginx.access_entries(), path)   # the tag makes the path unique to this run
    twice = []
    for (s0, b0, _), (s1, _, _) in zip(reqs, reqs[1:]):
        twice.append(max(0, s0 + b0 - s1))
    sent = sum(b for _, b, _ in reqs)
    # What the agent itself lost: the bytes it reported received when it was killed, less where it resumed. The
    # rest of what nginx sent twice was in flight (socket buffers, and what arrived between the last look and the
    # kill), which curl's peer figure shows too.
    lost = [max(0, k["reported_bytes_at_kill"] - s1) / MIB for k, (s1, _, _) in zip(kills, reqs[1:])]
    peer = curl_peer(ctx, rate, name, size_mib, fractions)
    return {"curl_peer": peer, "rate": rate, "size_mib": size_mib, "kills": kills, "requests": [list(r) for r in reqs],
            "bytes_twice_per_kill_mib": [x / MIB for x in twice], "agent_lost_per_kill_mib": lost, "sent_total_mib": sent / MIB,
            "sent_minus_size_mib": (sent - size_mib * MIB) / MIB, "sha256_ok": ok}


def curl_peer(ctx, rate, name, size_mib, fractions):
    """curl killed with kill -9 at the same fractions, then continued with curl -C -."""
    tag = f"curl-{rate}-{int(time.time() * 1000)}"
    path = f"/rate/{name}?rate={rate}&t={tag}" if rate != "unlimited" else f"/{name}?t={tag}"
    url = ctx.nginx.url(path)
    out = os.path.join(ctx.work, "resume-curl.bin")
    drop_file(out)
    for frac in fractions:
        p = subprocess.Popen(["curl", "-s", "-C", "-", "-o", out, url])
        target = int(frac * size_mib * MIB)
        t0 = time.time()
        while (not os.path.exists(out) or os.path.getsize(out) < target) and p.poll() is None \
                and time.time() - t0 < 600:
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
        p.wait()
    subprocess.run(["curl", "-s", "-C", "-", "-o", out, url], check=True)
    size_ok = os.path.getsize(out) == size_mib * MIB
    drop_file(out)
    time.sleep(0.2)
    reqs = requests_for(ctx.nginx.access_entries(), path)
    twice = [max(0, s0 + b0 - s1) / MIB for (s0, b0, _), (s1, _, _) in zip(reqs, reqs[1:])]
    return {"bytes_twice_per_kill_mib": twice, "size_ok": size_ok, "requests": [list(r) for r in reqs]}


def bench(ctx, plan):
    res = {"speeds": [], "target": "bytes downloaded twice per kill <= 4 MiB"}
    all_twice = []
    for rate, size_mib, fractions in plan:
        log(f"resume: {rate}, {size_mib} MiB, kill -9 at {fractions}")
        r = one_speed(ctx, rate, size_mib, fractions)
        res["speeds"].append(r)
        all_twice += r["bytes_twice_per_kill_mib"]
        log(f"resume {rate}: twice per kill {', '.join(f'{x:.2f}' for x in r['bytes_twice_per_kill_mib'])} MiB")
    res["bytes_twice_per_kill_mib"] = summary(all_twice)
    worst = max(all_twice) if all_twice else None
    res["targets"] = {"twice_le_4mib": {"target": res["target"], "value": worst,
                                        "met": worst is not None and worst <= 4.0}}
    res["loadavg_after"] = os.getloadavg()
    return res
