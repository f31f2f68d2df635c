"""Scale: N suspended jobs of one file each in one agent, created through the Java API (bench/java/ScaleBench, a
JVM with the agent's flags that opens the portable engine on the agent's state directory) from 1 and 8 threads; then
the jobs as the real agent sees them after a kill -9 of the creator (each call durable when it returned): the
agent's restart to ready, its RSS, and `jbits get --json` of all. Peers in the same run: the same agent with no
jobs, and the disk's durable commit rate (SQLite, WAL, synchronous=FULL, one commit per API call, from Python).
Also N Foreground jobs transferring at once (threads, memory, fairness) against curl -Z and aria2c -j."""

import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid

from common import MIB, drop_file, log, proc_status, ratio, run_measured, summary, wait_gone


def harness_cmd(ctx, *args):
    # The agent's JVM flags (AgentProcess.spawn): the figures are those of an agent holding these jobs. BITS'
    # MaxJobsPerUser (60 by default, as BITS') is lifted: a scale bench holds thousands of one user's jobs.
    return ["java", "-Xmx256m", "-XX:+UseSerialGC", "-Djbits.log.level=INFO", "-Djbits.engine.maxJobsPerUser=1000000",
            "-cp", ctx.jar + ":" + ctx.classes, "ScaleBench", *args]


def sqlite_peer(path, n):
    """The floor under durable job creation on this disk: two commits per job (CreateJob, AddFile), each fsynced."""
    drop_file(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE jobs(id TEXT PRIMARY KEY, seq INTEGER, state INTEGER, name TEXT, created INTEGER)")
    db.execute("CREATE TABLE files(job TEXT, idx INTEGER, remote TEXT, local TEXT, PRIMARY KEY(job, idx))")
    t0 = time.perf_counter()
    for i in range(n):
        j = str(uuid.uuid4())
        db.execute("BEGIN")
        db.execute("INSERT INTO jobs VALUES(?,?,?,?,?)", (j, i, 1, f"scale-{i}", int(time.time() * 1000)))
        db.execute("COMMIT")
        db.execute("BEGIN")
        db.execute("INSERT INTO files VALUES(?,?,?,?)", (j, 0, "http://127.0.0.1/x", f"/tmp/f{i}"))
        db.execute("COMMIT")
    secs = time.perf_counter() - t0
    # ... and the floor under `get --json` of them all: read every row and print it as JSON, in this process.
    t1 = time.perf_counter()
    rows = db.execute("SELECT * FROM jobs JOIN files ON files.job = jobs.id ORDER BY seq").fetchall()
    json.dumps([dict(zip(("id", "seq", "state", "name", "created", "job", "idx", "remote", "local"), r))
                for r in rows])
    read_secs = time.perf_counter() - t1
    db.close()
    drop_file(path)
    for suffix in ("-wal", "-shm"):
        drop_file(path + suffix)
    return {"jobs_per_s": n / secs, "seconds": secs, "read_all_as_json_s": read_secs}


def measure_agent(ctx, jb, n, get_rounds, restart_rounds, out=None):
    """The agent of jb.home holding n jobs: restart to ready, get --json of all, RSS (filled into out as measured)."""
    out = {} if out is None else out
    pid, ready = jb.spawn_agent()
    out["restart_after_kill9_s"] = ready
    p = jb.run("get", "--json")
    jobs = json.loads(p.stdout)
    out["jobs_found"] = len(jobs)
    out["suspended_found"] = sum(1 for j in jobs if j.get("jobState") == "Suspended")
    out["get_json_bytes"] = len(p.stdout)
    out["rss_after_first_get_mib"] = proc_status(pid, "VmRSS") / 1024
    gets = []
    for _ in range(get_rounds):
        gets.append(run_measured(jb.cmd("get", "--json"), env=jb.env, agent_pid=pid))
    out["get_json_s"] = summary([g["wall_s"] for g in gets])
    out["get_json_agent_cpu_s"] = summary([g["agent_cpu_s"] for g in gets])
    out["get_json_cli_cpu_s"] = summary([g["client_cpu_s"] for g in gets])
    out["rss_mib"] = proc_status(pid, "VmRSS") / 1024
    out["rss_peak_mib"] = proc_status(pid, "VmHWM") / 1024
    out["threads"] = proc_status(pid, "Threads")
    restarts = []
    for _ in range(restart_rounds):
        jb.stop_agent()
        pid, ready = jb.spawn_agent()
        restarts.append(ready)
    out["restart_clean_s"] = summary(restarts)
    out["rss_idle_after_restart_mib"] = proc_status(pid, "VmRSS") / 1024
    jb.stop_agent()
    return out


def create(ctx, home, n, threads, url, dest):
    drop_file(home)
    drop_file(dest)
    os.makedirs(home, mode=0o700)
    env = dict(os.environ, JBITS_HOME=home)
    p = subprocess.Popen(harness_cmd(ctx, "create", str(n), str(threads), url, dest), env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    r = None
    for line in p.stdout:
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            break
    if r is None:
        raise RuntimeError("ScaleBench create failed: " + p.stderr.read()[-3000:])
    # Every call has returned: kill -9 now, and the agent must find every job.
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return r


def bench(ctx, counts, get_rounds, restart_rounds):
    url = ctx.nginx.url("payload-small.bin")
    res = {"counts": {}, "per_user_job_limit": ctx.job_limit_note}
    # The same agent with no jobs: the floor under restart, get and RSS.
    from common import Jbits
    empty = Jbits(ctx.launcher, ctx.jar, os.path.join(ctx.work, "scale-empty"))
    drop_file(empty.home)
    os.makedirs(empty.home, mode=0o700)
    log("scale: the empty agent (peer)")
    res["empty_agent"] = measure_agent(ctx, empty, 0, get_rounds, restart_rounds)
    for n in counts:
        try:
            res["counts"][str(n)] = one_count(ctx, n, url, get_rounds, restart_rounds, res["empty_agent"])
        except Exception as ex:  # e.g. the agent's heap cannot hold n jobs: a finding, and the other counts stand
            log(f"scale {n}: failed: {ex}")
            res["counts"][str(n)] = {"jobs": n, "error": f"{type(ex).__name__}: {ex}"[:3000]}
    res["loadavg_after"] = os.getloadavg()
    return res


def one_count(ctx, n, url, get_rounds, restart_rounds, empty_a):
    """One job count: the SQLite peer, creation from 1 and 8 threads, the agent holding the jobs, the targets."""
    e = {"jobs": n}
    log(f"scale {n}: the disk's durable commit rate (SQLite peer)")
    e["sqlite_peer"] = sqlite_peer(os.path.join(ctx.work, "peer.db"), n)
    for threads in (1, 8):
        home = os.path.join(ctx.work, f"scale-{n}-t{threads}")
        log(f"scale {n}: creating {n} jobs through the Java API from {threads} thread(s)")
        r = create(ctx, home, n, threads, url, os.path.join(ctx.work, f"scale-dest-{n}"))
        log(f"scale {n}, {threads} thread(s): {r['jobs_per_s']:.0f} jobs/s; the agent after kill -9")
        e[f"create_t{threads}"] = r
        if threads == 1 or n <= 10_000:
            from common import Jbits
            jb = Jbits(ctx.launcher, ctx.jar, home)
            partial = {}
            try:
                m = measure_agent(ctx, jb, n, get_rounds, restart_rounds, partial)
            except Exception as ex:
                # The agent holding these jobs failed (at 100,000: out of heap in get --json): record what it said.
                out = open(os.path.join(home, "agent.out"), errors="replace").read()
                oom = [l for l in out.splitlines() if "OutOfMemoryError" in l]
                pid = jb.pid()
                m = {**partial, "error": f"{type(ex).__name__}: {ex}"[:1500], "agent_out_errors": oom[:5],
                     "rss_mib": (proc_status(pid, "VmRSS") or 0) / 1024 if pid else None}
                log(f"scale {n}: the agent failed: {m['error'][:200]}; {oom[:2]}")
                jb.kill_agent()
                e[f"agent_t{threads}"] = m
                drop_file(home)
                continue
            m["durable"] = m["jobs_found"] == n and m["suspended_found"] == n
            e[f"agent_t{threads}"] = m
            log(f"scale {n}: found {m['jobs_found']}, get --json {m['get_json_s']['median']:.3f} s, RSS "
                f"{m['rss_mib']:.0f} MiB, restart {m['restart_clean_s']['median']:.2f} s")
        drop_file(home)
    a = e["agent_t1"]
    if "error" in a:
        e["targets"] = {"agent_works": {"target": f"the agent serves {n:,} jobs", "value": a["error"][:300],
                                        "met": False}}
        return e
    e["ratios"] = {
        "create_t1_over_sqlite_peer": ratio(e["create_t1"]["jobs_per_s"], e["sqlite_peer"]["jobs_per_s"]),
        "create_t8_over_sqlite_peer": ratio(e["create_t8"]["jobs_per_s"], e["sqlite_peer"]["jobs_per_s"]),
        "get_json_over_empty_agent": ratio(a["get_json_s"]["median"], empty_a["get_json_s"]["median"]),
        "get_json_over_sqlite_read_all": ratio(a["get_json_s"]["median"], e["sqlite_peer"]["read_all_as_json_s"]),
        "rss_over_empty_agent": ratio(a["rss_mib"], empty_a["rss_mib"]),
        "rss_kib_per_job": (a["rss_mib"] - empty_a["rss_mib"]) * 1024 / n,
        "restart_over_empty_agent": ratio(a["restart_clean_s"]["median"], empty_a["restart_clean_s"]["median"]),
    }
    big = n >= 100_000
    tg = [("rss", "agent RSS", a["rss_mib"], 512 if big else 160, "MiB"),
          ("get_json", "get --json of all", a["get_json_s"]["median"], 3.0 if big else 0.3, "s"),
          ("restart", "agent restart to ready", a["restart_clean_s"]["median"], 3.0 if big else 1.0, "s")]
    if not big:
        tg += [("jobs_per_s_t1", "jobs/s from one thread", -e["create_t1"]["jobs_per_s"], -5000, "jobs/s"),
               ("jobs_per_s_t8", "jobs/s from 8 threads", -e["create_t8"]["jobs_per_s"], -10000, "jobs/s")]
    e["targets"] = {}
    for key, what, v, lim, unit in tg:
        if lim < 0:
            e["targets"][key] = {"target": f"{what} >= {-lim:,}", "value": -v, "met": -v >= -lim,
                                 "limit": -lim, "higher_is_better": True}
        else:
            e["targets"][key] = {"target": f"{what} <= {lim} {unit}", "value": v, "met": v <= lim,
                                 "limit": lim}
    e["targets"]["durable"] = {"target": "every job found after kill -9 of the creator", "value": a["jobs_found"],
                               "met": a["durable"]}
    drop_file(os.path.join(ctx.work, f"scale-dest-{n}"))
    return e


def concurrent(ctx, n, file_mib):
    """n Foreground jobs transferring at once in one engine, against curl -Z and aria2c -j n on the same files."""
    www = os.path.join(ctx.www, "conc")
    os.makedirs(www, exist_ok=True)
    src = ctx.payload(f"payload-{file_mib}m.bin", file_mib * MIB)
    for i in range(n):
        p = os.path.join(www, f"c{i}")
        if not os.path.exists(p):
            os.link(src, p)
    home = os.path.join(ctx.work, "conc-home")
    dest = os.path.join(ctx.work, "conc-dest")
    drop_file(home)
    drop_file(dest)
    os.makedirs(home, mode=0o700)
    log(f"concurrent: {n} Foreground jobs of {file_mib} MiB at once")
    env = dict(os.environ, JBITS_HOME=home)
    cmd = harness_cmd(ctx, "concurrent", str(n), ctx.nginx.url("conc/c"), dest, str(file_mib * MIB))
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise RuntimeError("ScaleBench concurrent failed: " + p.stderr[-3000:])
    r = json.loads([x for x in p.stdout.splitlines() if x.startswith("RESULT ")][-1][7:])
    r["process_wall_s"] = time.perf_counter() - t0
    drop_file(dest)
    drop_file(home)
    res = {"jobs": n, "file_mib": file_mib, "jbits": r, "peers": {}}
    urls = [ctx.nginx.url(f"conc/c{i}") for i in range(n)]
    listing = os.path.join(ctx.work, "conc-urls.txt")
    with open(listing, "w") as f:
        f.write("\n".join(urls) + "\n")
    peers = {"curl -Z": ["curl", "-s", "-Z", "--parallel-max", str(n), "--output-dir", dest, "--remote-name-all",
                         *urls]}
    if "aria2c" in ctx.available:
        peers["aria2c -j"] = ["aria2c", "-q", f"-j{n}", "-x1", "-s1", "--allow-overwrite=true",
                              "--auto-file-renaming=false", "--summary-interval=0", "-d", dest, "-i", listing]
    for name, argv in peers.items():
        drop_file(dest)
        os.makedirs(dest)
        m = run_measured(argv)
        res["peers"][name] = {"wall_s": m["wall_s"], "cpu_s": m["cpu_s"], "rss_peak_mib": m["rss_peak_kib"] / 1024}
        drop_file(dest)
    c = res["peers"]["curl -Z"]
    res["jbits_over_curl_wall"] = ratio(r["wall_seconds"], c["wall_s"])
    return res
