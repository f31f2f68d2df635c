"""Many small files: one jbits job of N files against curl with N URLs in one command (one connection, reused),
wget -i and aria2c -i, in the same run, rotating."""

import hashlib
import os

from common import MIB, drop_file, log, ratio, rotations, run_measured, summary


def bench(ctx, count, size_kib, rounds):
    www = os.path.join(ctx.www, "small")
    os.makedirs(www, exist_ok=True)
    names = [f"s{i:04d}.bin" for i in range(count)]
    for n in names:
        p = os.path.join(www, n)
        if not os.path.exists(p) or os.path.getsize(p) != size_kib * 1024:
            with open(p, "wb") as f:
                f.write(os.urandom(size_kib * 1024))
    digest = {n: hashlib.sha256(open(os.path.join(www, n), "rb").read()).hexdigest() for n in names}
    urls = [ctx.nginx.url("small/" + n) for n in names]
    listing = os.path.join(ctx.work, "small-urls.txt")
    with open(listing, "w") as f:
        f.write("\n".join(urls) + "\n")
    base = os.path.join(ctx.work, "small-dest")
    dirs = {}

    def d(tool):
        dirs[tool] = os.path.join(base, tool)
        return dirs[tool]

    t = {"jbits": ctx.jbits.cmd("start", *urls, d("jbits") + "/"),
         "curl": ["curl", "-s", "--output-dir", d("curl"), "--remote-name-all", *urls]}
    # curl's files made durable as jbits makes each one before it is Transferred: sync of every file.
    t["curl+sync"] = ["sh", "-c", 'd="$1"; shift; curl -s --output-dir "$d" --remote-name-all "$@" && sync "$d"/*',
                      "sh", d("curl+sync"), *urls]
    if "wget" in ctx.available:
        t["wget-i"] = ["wget", "-q", "-P", d("wget-i"), "-i", listing]
    if "aria2c" in ctx.available:
        t["aria2c-i"] = ["aria2c", "-q", "--allow-overwrite=true", "--auto-file-renaming=false",
                         "--summary-interval=0", "-d", d("aria2c-i"), "-i", listing]
    agent = ctx.agent_pid()

    def once(tool):
        drop_file(dirs[tool])
        os.makedirs(dirs[tool])
        r = run_measured(t[tool], env=ctx.jbits.env, agent_pid=agent if tool == "jbits" else None)
        got = sorted(os.listdir(dirs[tool]))
        if got != names:
            raise RuntimeError(f"{tool} left {len(got)} files, not {count}")
        return r

    log(f"small files {count} x {size_kib} KiB: warm-up")
    for tool in t:
        once(tool)
        if tool in ("jbits", "curl", "curl+sync"):
            for n in names[:5] + names[-5:]:
                if hashlib.sha256(open(os.path.join(dirs[tool], n), "rb").read()).hexdigest() != digest[n]:
                    raise RuntimeError(f"{tool}'s {n} differs")
    once("jbits")
    runs = {k: [] for k in t}
    for i, order in enumerate(rotations(list(t), rounds)):
        for tool in order:
            runs[tool].append(once(tool))
        log(f"small files round {i + 1}/{rounds}: " + ", ".join(f"{k} {runs[k][-1]['wall_s']:.2f}" for k in order))
    drop_file(base)
    res = {"files": count, "file_kib": size_kib, "rounds": rounds, "tools": {}, "loadavg_after": os.getloadavg()}
    for tool, rs in runs.items():
        res["tools"][tool] = {
            "command": " ".join(t[tool][:6]).replace(ctx.work, "$WORK") + (" ..." if len(t[tool]) > 6 else ""),
            "wall_s": summary([x["wall_s"] for x in rs]), "cpu_s": summary([x["cpu_s"] for x in rs]),
            "files_per_s": summary([count / x["wall_s"] for x in rs]),
            "rss_peak_mib": summary([x["rss_peak_kib"] / 1024 for x in rs])}
    jb = res["tools"]["jbits"]
    for tool, e in res["tools"].items():
        if tool != "jbits":
            e["jbits_over_this_wall"] = ratio(jb["wall_s"]["median"], e["wall_s"]["median"])
            e["jbits_over_this_wall_per_round"] = summary(
                [a["wall_s"] / b["wall_s"] for a, b in zip(runs["jbits"], runs[tool])])
    v = res["tools"]["curl"]["jbits_over_this_wall"]
    res["targets"] = {"wall_le_curl": {"target": f"one job of {count} files <= curl with {count} URLs",
                                       "value": v, "met": v <= 1.0}}
    return res
