#!/usr/bin/env python3
"""Turns target/bench/results.json into results.md (each figure beside its peers, targets met or missed) and PNG
charts drawn by gnuplot from data files written out of the same JSON. usage: bench/report.py results.json"""

import json
import os
import shutil
import subprocess
import sys


def ms(x):
    return f"{x * 1000:.0f} ms"


def s3(x):
    return f"{x:.3f}"


def spread(s, fmt=s3):
    """median [min-max] of a summary."""
    if not s:
        return "-"
    return f"{fmt(s['median'])} [{fmt(s['min'])}-{fmt(s['max'])}]"


def rss(e):
    v = e["rss_peak_mib"]["median"]
    return "-" if v != v else f"{v:.0f}"   # NaN: not measured right in that run


def met(t):
    return "met" if t["met"] else "**missed**"


class Charts:
    def __init__(self, out):
        self.out = out
        self.made = []
        self.gnuplot = shutil.which("gnuplot")

    def bars(self, name, title, ylabel, rows, hline=None, hlabel=None, log=False):
        """rows: (label, median, low, high); a bar per row with its spread as an error bar."""
        if not self.gnuplot or not rows:
            return None
        dat = os.path.join(self.out, name + ".dat")
        with open(dat, "w") as f:
            for i, (label, med, lo, hi) in enumerate(rows):
                f.write(f'{i} "{label}" {med} {lo} {hi} {1 if label.startswith("jbits") else 0}\n')
        png = os.path.join(self.out, name + ".png")
        width = max(800, 90 * len(rows) + 200)
        script = [
            f"set terminal pngcairo size {width},520 font 'DejaVu Sans,10'",
            f"set output '{png}'",
            f"set title \"{title}\"",
            f"set ylabel \"{ylabel}\"",
            "set style fill solid 0.7 border -1",
            "set boxwidth 0.7",
            "set xtics rotate by -30 left noenhanced",
            "set grid ytics",
            "set key off",
            f"set xrange [-0.6:{len(rows) - 0.4}]",
            "set yrange [0:*]" if not log else "set logscale y\nset yrange [0.05:*]",
            "set bmargin 9",
        ]
        plot = (f"plot '{dat}' using 1:3:(0.7):($6==1?0xd62728:0x1f77b4):xtic(2) with boxes lc rgb variable, "
                f"'' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0")
        if hline is not None:
            script.append(f"set arrow from graph 0, first {hline} to graph 1, first {hline} nohead "
                          f"lc rgb '#2ca02c' lw 2 dt 2")
            if hlabel:
                script.append(f"set label \"{hlabel}\" at graph 0.01, first {hline} offset 0,0.6 tc rgb '#2ca02c'")
        script.append(plot)
        p = subprocess.run([self.gnuplot], input="\n".join(script), text=True, capture_output=True)
        if p.returncode != 0:
            print("report: gnuplot failed for", name, p.stderr[-500:], file=sys.stderr)
            return None
        self.made.append(os.path.basename(png))
        return os.path.basename(png)


def throughput_md(size, r, charts, lines):
    lines.append(f"### Throughput: {size} MiB from nginx over loopback ({r['rounds']} rounds, rotating order)\n")
    lines.append("| tool | wall time, median [min-max] | MiB/s | CPU s/GiB (user+sys) | peak RSS MiB | "
                 "jbits / this (wall) | jbits / this (CPU) |")
    lines.append("|---|---|---|---|---|---|---|")
    tools = r["tools"]
    order = ["jbits", "curl", "wget", "aria2c-x1", "aria2c-x4", "curl+sync"]
    for t in order + [k for k in tools if k not in order]:
        if t not in tools:
            continue
        e = tools[t]
        name = {"jbits": "**jbits start** (Foreground, agent running; durable)",
                "curl+sync": "`curl -o` + `sync FILE`", "limit:cat": "limit: `cat FILE >/dev/null` (page cache)",
                "limit:dd-direct": "limit: `dd oflag=direct` (disk)",
                "limit:curl-devnull": "limit: `curl -o /dev/null` (network+nginx)"}.get(t, f"`{t}`")
        jw = e.get("jbits_over_this_wall")
        jc = e.get("jbits_over_this_cpu")
        share = e.get("jbits_share")
        lines.append(f"| {name} | {spread(e['wall_s'])} s | {e['mib_per_s']['median']:.0f} | "
                     f"{spread(e['cpu_s_per_gib'], lambda x: f'{x:.2f}')} | {rss(e)} | "
                     f"{'' if jw is None else f'{jw:.2f}'}{'' if share is None else f' (jbits at {share:.0%} of it)'} | "
                     f"{'' if jc is None else f'{jc:.2f}'} |")
    jb = tools["jbits"]
    lines.append("")
    lines.append(f"jbits' CPU: agent {spread(jb['agent_cpu_s'], lambda x: f'{x:.2f}')} s + CLI "
                 f"{spread(jb['cli_cpu_s'], lambda x: f'{x:.2f}')} s; peak RSS: agent "
                 f"{jb['agent_rss_peak_mib']['median']:.0f} MiB + CLI {jb['cli_rss_peak_mib']['median']:.0f} MiB. "
                 f"Warm-up runs (not counted): {', '.join(f'{x:.2f}' for x in r['jbits_warmup_wall_s'])} s.\n")
    for k, t in r["targets"].items():
        lines.append(f"- target {t['target']}: {t['value']:.2f} — {met(t)}")
    rows = [(k, e["wall_s"]["median"], e["wall_s"]["min"], e["wall_s"]["max"]) for k, e in tools.items()]
    c = charts.bars(f"throughput-{size}m", f"{size} MiB from nginx over loopback: wall time (median, min-max)",
                    "seconds", rows, hline=tools["curl"]["wall_s"]["median"] * 0.8 if "curl" in tools else None,
                    hlabel="target: 0.8 x curl")
    rows = [(k, e["cpu_s_per_gib"]["median"], e["cpu_s_per_gib"]["min"], e["cpu_s_per_gib"]["max"])
            for k, e in tools.items() if not k.startswith("limit:")]
    c2 = charts.bars(f"cpu-{size}m", f"{size} MiB: CPU seconds per GiB (user+system; jbits: agent + CLI)",
                     "CPU s / GiB", rows, hline=tools["curl"]["cpu_s_per_gib"]["median"] if "curl" in tools else None,
                     hlabel="target: curl's")
    lines.append("")
    for x in (c, c2):
        if x:
            lines.append(f"![{x}]({x})")
    lines.append("")


def small_md(r, charts, lines):
    lines.append(f"### Many small files: {r['files']} x {r['file_kib']} KiB ({r['rounds']} rounds)\n")
    lines.append("| tool | wall time, median [min-max] | files/s | CPU s | peak RSS MiB | jbits / this |")
    lines.append("|---|---|---|---|---|---|")
    for t, e in r["tools"].items():
        name = {"jbits": "**jbits start** (one job of all the files)",
                "curl": f"`curl --remote-name-all` ({r['files']} URLs, one command)",
                "curl+sync": "the same curl, then `sync` of every file (durable, as jbits)"}.get(t, f"`{t}`")
        j = e.get("jbits_over_this_wall")
        lines.append(f"| {name} | {spread(e['wall_s'])} s | {e['files_per_s']['median']:.0f} | "
                     f"{e['cpu_s']['median']:.2f} | {rss(e)} | "
                     f"{'' if j is None else f'{j:.2f}'} |")
    lines.append("")
    for t in r["targets"].values():
        lines.append(f"- target {t['target']}: {t['value']:.2f} — {met(t)}")
    c = charts.bars("small-files", f"{r['files']} x {r['file_kib']} KiB: wall time", "seconds",
                    [(k, e["wall_s"]["median"], e["wall_s"]["min"], e["wall_s"]["max"]) for k, e in r["tools"].items()])
    if c:
        lines.append(f"\n![{c}]({c})")
    lines.append("")


def scale_md(r, charts, lines):
    lines.append("### Scale: suspended jobs of one file each in one agent\n")
    lines.append(f"Per-user job limit: {r['per_user_job_limit']}.\n")
    e0 = r["empty_agent"]
    lines.append("| jobs | jobs/s 1 thread | jobs/s 8 threads | SQLite peer (2 fsynced commits/job) | agent RSS MiB "
                 "| `get --json` of all | agent restart to ready | restart after kill -9 | all found after kill -9 |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    lines.append(f"| 0 (peer: the same agent, empty) | | | | {e0['rss_mib']:.0f} | {spread(e0['get_json_s'], ms)} | "
                 f"{spread(e0['restart_clean_s'], ms)} | {ms(e0['restart_after_kill9_s'])} | |")
    rows_norm = []
    bad = lambda e: "error" in e or "error" in e.get("agent_t1", {})
    failed = {n: e for n, e in r["counts"].items() if bad(e)}
    counts = {n: e for n, e in r["counts"].items() if not bad(e)}
    for n, e in counts.items():
        a = e["agent_t1"]
        lines.append(f"| {int(n):,} | {e['create_t1']['jobs_per_s']:,.0f} (call p50 {e['create_t1']['call_ms_p50']:.2f} ms, "
                     f"p99 {e['create_t1']['call_ms_p99']:.2f} ms) | {e['create_t8']['jobs_per_s']:,.0f} | "
                     f"{e['sqlite_peer']['jobs_per_s']:,.0f} | {a['rss_mib']:.0f} (peak {a['rss_peak_mib']:.0f}) | "
                     f"{spread(a['get_json_s'], ms)} | {spread(a['restart_clean_s'], ms)} | "
                     f"{ms(a['restart_after_kill9_s'])} | {a['jobs_found']:,} |")
        for k, t in e["targets"].items():
            if "limit" in t:
                lim, v = t["limit"], t["value"]
                norm = (lim / v) if t.get("higher_is_better") else (v / lim)
                rows_norm.append((f"{int(n) // 1000}k {k}", norm, norm, norm))
    for n, e in failed.items():
        a = e.get("agent_t1", {})
        err = e.get("error") or a.get("error", "")
        c1, c8 = e.get("create_t1", {}), e.get("create_t8", {})
        lines.append(f"| {int(n):,} | {c1.get('jobs_per_s', 0):,.0f} | {c8.get('jobs_per_s', 0):,.0f} | "
                     f"{e.get('sqlite_peer', {}).get('jobs_per_s', 0):,.0f} | {a.get('rss_mib') or 0:.0f} | "
                     f"**failed**: {err[:200]} {'; '.join(a.get('agent_out_errors', [])[:2])} | | "
                     f"{ms(a['restart_after_kill9_s']) if 'restart_after_kill9_s' in a else ''} | |")
    lines.append("")
    for n, e in counts.items():
        rr = e["ratios"]
        lines.append(f"- {int(n):,} jobs: jobs/s at {rr['create_t1_over_sqlite_peer']:.0%} (1 thread) and "
                     f"{rr['create_t8_over_sqlite_peer']:.0%} (8 threads) of the SQLite peer; RSS "
                     f"{rr['rss_kib_per_job']:.1f} KiB per job over the empty agent; get --json "
                     f"{rr['get_json_over_empty_agent']:.1f} x the empty agent's and "
                     f"{rr['get_json_over_sqlite_read_all']:.1f} x Python reading all rows as JSON; restart "
                     f"{rr['restart_over_empty_agent']:.1f} x the empty agent's.")
        for t in e["targets"].values():
            v = t["value"]
            lines.append(f"  - target {t['target']}: {v:,.3f} — {met(t)}" if isinstance(v, float) else
                         f"  - target {t['target']}: {v:,} — {met(t)}")
    c = charts.bars("scale-vs-targets", "Scale: each figure over its target (<= 1 is met)", "value / target",
                    rows_norm, hline=1.0, hlabel="target", log=True)
    if c:
        lines.append(f"\n![{c}]({c})")
    lines.append("")


def concurrent_md(r, lines):
    j = r["jbits"]
    lines.append(f"### {r['jobs']} Foreground jobs at once ({r['file_mib']} MiB each, full speed)\n")
    lines.append("| tool | wall time | peak RSS MiB | threads | fairness |")
    lines.append("|---|---|---|---|---|")
    if "job_seconds_median" in j:
        fair = (f"each job's own time {j['job_seconds_min']:.2f} / {j['job_seconds_median']:.2f} / "
                f"{j['job_seconds_max']:.2f} s (min/median/max); Jain index of the jobs' rates "
                f"{j['jain_of_job_rates']:.3f}")
        took = f"{j['wall_seconds']:.2f} s, of which {j['resume_all_seconds']:.2f} s to resume them one by one"
    else:
        fair = f"Jain index at half {j['jain_at_half']:.3f}"
        took = f"{j['wall_seconds']:.2f} s"
    lines.append(f"| **jbits** (one engine, Java API: {r['jobs']} resume calls) | {took} | {j['rss_max_kib'] / 1024:.0f} "
                 f"(idle {j['rss_before_kib'] / 1024:.0f}) | {j['threads_max']} (idle {j['threads_before']}) | {fair} |")
    for name, p in r["peers"].items():
        lines.append(f"| `{name}` | {p['wall_s']:.2f} s | {p['rss_peak_mib']:.0f} | | |")
    lines.append(f"\njbits / curl -Z wall: {r['jbits_over_curl_wall']:.2f}; jobs in Error: {j['errors']}.\n")


def startup_md(r, charts, lines):
    lines.append(f"### Start-up ({r['rounds']} rounds each, rotating; agent running, no jobs)\n")
    lines.append("| command | wall, median [min-max] | x java Hello |")
    lines.append("|---|---|---|")
    for v, e in r["variants"].items():
        lines.append(f"| {v} | {spread(e['wall_s'], ms)} | {e['over_java_hello']:.2f} |")
    lines.append("")
    for t in r["targets"].values():
        lines.append(f"- target {t['target']}: {t['value'] * 1000:.0f} ms — {met(t)} (the JVM's own start is "
                     f"{t['jvm_share']:.0%} of it)")
    for c, e in r["classes_loaded"].items():
        lines.append(f"- classes loaded by `{c}`: {e['total']}; biggest groups: "
                     + ", ".join(f"{p} {n}" for p, n in e["top_packages"][:8]))
    c = charts.bars("startup", "Start-up: wall time (median, min-max)", "seconds",
                    [(k, e["wall_s"]["median"], e["wall_s"]["min"], e["wall_s"]["max"]) for k, e in r["variants"].items()],
                    hline=0.1, hlabel="target 100 ms")
    if c:
        lines.append(f"\n![{c}]({c})")
    lines.append("")


def resume_md(r, charts, lines):
    lines.append("### Resume after kill -9 of the agent\n")
    lines.append("| link speed | file | kills at | jbits: MiB nginx sent twice per kill | of which the agent had received "
                 "| curl -C - after kill -9 of curl | sha256 |")
    lines.append("|---|---|---|---|---|---|---|")
    rows = []
    for s in r["speeds"]:
        tw = ", ".join(f"{x:.2f}" for x in s["bytes_twice_per_kill_mib"])
        cp = ", ".join(f"{x:.2f}" for x in s["curl_peer"]["bytes_twice_per_kill_mib"])
        kills = ", ".join(f"{k['fraction']:.0%}" for k in s["kills"])
        if "agent_lost_per_kill_mib" not in s:   # older results: computed from the same figures
            s["agent_lost_per_kill_mib"] = [max(0, k["reported_bytes_at_kill"] - q[0]) / (1 << 20)
                                            for k, q in zip(s["kills"], s["requests"][1:])]
        lost = ", ".join(f"{x:.2f}" for x in s["agent_lost_per_kill_mib"])
        lines.append(f"| {s['rate']}/s | {s['size_mib']} MiB | {kills} "
                     f"| {tw} | {lost} | {cp} | {'ok' if s['sha256_ok'] else 'WRONG'} |")
        xs = s["bytes_twice_per_kill_mib"] or [0]
        rows.append((f"jbits {s['rate']}", max(xs), min(xs), max(xs)))
        cs = s["curl_peer"]["bytes_twice_per_kill_mib"] or [0]
        rows.append((f"curl {s['rate']}", max(cs), min(cs), max(cs)))
    lines.append("")
    for t in r["targets"].values():
        lines.append(f"- target {t['target']}: worst {t['value']:.2f} MiB — {met(t)}")
    c = charts.bars("resume", "MiB fetched twice per kill -9 (worst, min-max)", "MiB", rows, hline=4.0,
                    hlabel="target 4 MiB")
    if c:
        lines.append(f"\n![{c}]({c})")
    lines.append("")


def main():
    path = sys.argv[1]
    out = os.path.dirname(os.path.abspath(path))
    r = json.load(open(path))
    # bench/report.py MAIN.json MORE.json...: the sub-benches of the others are merged into MAIN (later ones win),
    # each keeping its own run's machine figures; MAIN.json is rewritten.
    if len(sys.argv) > 2:
        r.setdefault("merged_from", [])
        for more in sys.argv[2:]:
            m = json.load(open(more))
            for name, res in m["benches"].items():
                res["run_started"] = m["started"]
                res["run_loadavg_at_start"] = m["machine"]["loadavg_at_start"]
                r["benches"][name] = res
            r["merged_from"].append({"file": os.path.relpath(more, out), "started": m["started"],
                                     "benches": list(m["benches"])})
        with open(path, "w") as f:
            json.dump(r, f, indent=1)
    charts = Charts(out)
    lines = [f"# jbits performance, side by side{' (quick run)' if r.get('quick') else ''}\n"]
    from_machine = r["machine"]
    d = from_machine.get("disk", {})
    lines.append(f"Machine: {from_machine['cores']} cores ({from_machine.get('cpu_model')}), "
                 f"{from_machine['ram_mib'] / 1024:.1f} GiB RAM, disk {d.get('device')} {d.get('fstype')} "
                 f"({'virtio' if d.get('virtio') else ''}, rotational={d.get('rotational')}), kernel "
                 f"{from_machine['kernel']}, {from_machine.get('os')}, {from_machine.get('java')}. Load average at "
                 f"start {', '.join(f'{x:.2f}' for x in from_machine['loadavg_at_start'])}"
                 + (f", at end {', '.join(f'{x:.2f}' for x in from_machine['loadavg_at_end'])}"
                    if "loadavg_at_end" in from_machine else "") + f". Run started {r['started']}.\n")
    lines.append(r["note"] + ".\n")
    for mf in r.get("merged_from", []):
        lines.append(f"Merged from a second run on the same machine, started {mf['started']}: "
                     f"{', '.join(mf['benches'])}.\n")
    if r.get("missing_tools"):
        lines.append(f"Not installed, so not measured: {', '.join(r['missing_tools'])}.\n")
    b = r["benches"]
    summary_rows = []
    for name, res in b.items():
        groups = [res] if "targets" in res else [v for v in res.values() if isinstance(v, dict) and "targets" in v]
        if name == "scale" and "counts" in res:
            groups = [g for g in res["counts"].values() if "targets" in g]
        for g in groups:
            for t in g["targets"].values():
                summary_rows.append((name, t))
    if summary_rows:
        lines.append("## Targets\n\n| bench | target | measured | |\n|---|---|---|---|")
        for name, t in summary_rows:
            v = t["value"]
            vs = f"{v:,.3f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
            lines.append(f"| {name} | {t['target']} | {vs} | {met(t)} |")
        lines.append("")
    lines.append("## Figures\n")
    for name, res in list(b.items()):
        if "error" in res:
            lines.append(f"### {name}: failed\n\n`{res['error']}`\n")
            del b[name]
    if "throughput" in b:
        for size, res in b["throughput"].items():
            if isinstance(res, dict) and "tools" in res:
                throughput_md(size, res, charts, lines)
    if "small-files" in b:
        small_md(b["small-files"], charts, lines)
    if "scale" in b:
        scale_md(b["scale"], charts, lines)
    if "concurrent" in b:
        concurrent_md(b["concurrent"], lines)
    if "startup" in b:
        startup_md(b["startup"], charts, lines)
    if "resume" in b:
        resume_md(b["resume"], charts, lines)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: {os.path.join(out, 'results.md')}" + (f", charts {', '.join(charts.made)}" if charts.made else
                                                          ", no charts (gnuplot missing)"))


if __name__ == "__main__":
    main()
