#!/usr/bin/env python3
"""bench/run's driver: runs the selected sub-benches, writes target/bench/results.json, then the Markdown table and
the charts (report.py). See bench/README.md."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import common  # noqa: E402
from common import Jbits, Nginx, log  # noqa: E402

BENCHES = ["throughput", "small-files", "scale", "concurrent", "startup", "resume"]

FULL = {"sizes": [1024, 4096], "rounds": 7, "small": (200, 256), "jobs": [10_000, 100_000], "get_rounds": 5,
        "restart_rounds": 3, "concurrent": (100, 16), "startup_rounds": 20,
        "resume": [("1m", 24, [0.3, 0.65]), ("8m", 96, [0.3, 0.65]), ("32m", 256, [0.3, 0.65]),
                   ("unlimited", 1024, [0.3, 0.65])]}
QUICK = {"sizes": [256], "rounds": 5, "small": (200, 256), "jobs": [1_000], "get_rounds": 5, "restart_rounds": 3,
         "concurrent": (20, 8), "startup_rounds": 10, "resume": [("8m", 48, [0.4])]}


class Context:
    def __init__(self, root, out, available):
        self.root, self.out = root, out
        self.work = os.path.join(out, "work")
        self.www = os.path.join(self.work, "www")
        os.makedirs(self.www, exist_ok=True)
        # bench/run installs the launcher and compiles the harness here (target/bench), whatever --out says.
        self.prefix = os.environ.get("BENCH_PREFIX", os.path.join(out, "prefix"))
        self.launcher = os.path.join(self.prefix, "bin", "jbits")
        self.jar = os.path.join(self.prefix, "lib", "jbits", "jbits.jar")
        self.classes = os.environ.get("BENCH_CLASSES", os.path.join(out, "classes"))
        self.available = available
        self.nginx = Nginx(os.path.join(self.work, "nginx"), self.www)
        self.jbits = Jbits(self.launcher, self.jar, os.path.join(self.work, "home"))
        # BITS' default per-user limit is 60 jobs, jbits' too (engine.maxJobsPerUser): lifted for the bench.
        self.job_limit_note = ("BITS' MaxJobsPerUser (60, jbits' default too) is lifted for the bench: "
                               "engine.maxJobsPerUser = 1000000 in the agent's jbits.conf, "
                               "-Djbits.engine.maxJobsPerUser=1000000 for the scale bench's own JVM")
        with open(os.path.join(self.www, "payload-small.bin"), "wb") as f:
            f.write(os.urandom(64 * 1024))

    def payload(self, name, size):
        p = os.path.join(self.www, name)
        common.payload(p, size)
        return p

    def src_for(self, size):
        return os.path.join(self.www, f"payload-{size // common.MIB}m.bin")

    def agent_pid(self):
        self.jbits.run("agent", "start")
        return self.jbits.pid()

    def close(self):
        try:
            self.jbits.stop_agent()
        finally:
            self.nginx.close()


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    ap.add_argument("benches", nargs="*", help="sub-benches to run (default: all): " + ", ".join(BENCHES))
    ap.add_argument("--quick", action="store_true", help="small sizes, 1,000 jobs, a few rounds (CI)")
    ap.add_argument("--sizes", help="throughput sizes in MiB, comma-separated (default 1024,4096; quick 256)")
    ap.add_argument("--rounds", type=int, help="rounds per tool (default 7; quick 5)")
    ap.add_argument("--jobs", help="scale job counts, comma-separated (default 10000,100000; quick 1000)")
    ap.add_argument("--concurrent", help="JOBS,MIB for the concurrent bench (default 100,16; quick 20,8)")
    ap.add_argument("--out", default=None, help="output directory (default target/bench)")
    a = ap.parse_args()
    cfg = dict(QUICK if a.quick else FULL)
    if a.sizes:
        cfg["sizes"] = [int(x) for x in a.sizes.split(",")]
    if a.rounds:
        cfg["rounds"] = a.rounds
    if a.jobs:
        cfg["jobs"] = [int(x) for x in a.jobs.split(",")]
    if a.concurrent:
        n, m = a.concurrent.split(",")
        cfg["concurrent"] = (int(n), int(m))
    selected = a.benches or BENCHES
    for b in selected:
        if b not in BENCHES:
            ap.error(f"unknown bench '{b}' (choose from {', '.join(BENCHES)})")

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.abspath(a.out or os.path.join(root, "target", "bench"))
    available = {t for t in ("curl", "wget", "aria2c") if shutil.which(t)}
    ctx = Context(root, out, available)
    results = {"schema": 1, "quick": a.quick, "config": {k: v for k, v in cfg.items()},
               "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": common.machine(ctx.work),
               "missing_tools": sorted({"wget", "aria2c"} - available),
               "note": "figures from a shared, noisy 2-core machine unless said otherwise; each figure is a median "
                       "with its spread, beside its peers measured in the same run, tools in rotating order",
               "benches": {}}
    t_start = time.time()
    try:
        for b in selected:
            t0 = time.time()
            log(f"=== {b}")
            try:
                r = run_one(ctx, b, cfg)
            except Exception as e:  # one sub-bench failing keeps the others' figures
                import traceback
                traceback.print_exc()
                r = {"error": f"{type(e).__name__}: {e}"[:3000]}
                results.setdefault("errors", []).append(b)
            r["bench_seconds"] = time.time() - t0
            results["benches"][b] = r
            # Written after every sub-bench, so a failure later keeps what was measured.
            write(out, results)
    finally:
        ctx.close()
    results["seconds"] = time.time() - t_start
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    write(out, results)
    subprocess.run([sys.executable, os.path.join(root, "bench", "report.py"), os.path.join(out, "results.json")],
                   check=True)
    if results.get("errors"):
        sys.exit(f"bench: failed: {', '.join(results['errors'])} (see results.json)")


def run_one(ctx, b, cfg):
    from throughput import bench as throughput
    from smallfiles import bench as smallfiles
    from scale import bench as scale, concurrent
    from startup import bench as startup
    from resume import bench as resume
    if b == "throughput":
        return {f"{s}": throughput(ctx, s, cfg["rounds"] if s <= 1024 else max(3, cfg["rounds"] - 2))
                for s in cfg["sizes"]}
    if b == "small-files":
        return smallfiles(ctx, cfg["small"][0], cfg["small"][1], cfg["rounds"])
    if b == "scale":
        return scale(ctx, cfg["jobs"], cfg["get_rounds"], cfg["restart_rounds"])
    if b == "concurrent":
        return concurrent(ctx, *cfg["concurrent"])
    if b == "startup":
        return startup(ctx, cfg["startup_rounds"])
    return resume(ctx, cfg["resume"])


def write(out, results):
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, "results.json.part")
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
    os.replace(tmp, os.path.join(out, "results.json"))


if __name__ == "__main__":
    main()
