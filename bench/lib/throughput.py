"""Throughput: one big file from the local nginx, jbits (Foreground, through the CLI, agent already running) against
curl, wget and aria2 in the same run, with the machine's own limits measured in the same rotation."""

import os

from common import (MIB, drop_file, log, page_cache, ratio, rotations, run_measured, sha256, summary)


def tools(ctx, url, dest, size):
    """name -> (argv, output path, needs the agent's figures added)."""
    j = ctx.jbits
    f = lambda n: os.path.join(dest, n)
    aria = lambda x: ["aria2c", "-q", f"-x{x}", f"-s{x}", "--allow-overwrite=true", "--auto-file-renaming=false",
                      "--summary-interval=0", "-d", dest, "-o", f"aria{x}.bin", url]
    t = {
        "jbits": (j.cmd("start", url, dest + "/"), f(os.path.basename(url)), True),
        "curl": (["curl", "-s", "-o", f("curl.bin"), url], f("curl.bin"), False),
        "wget": (["wget", "-q", "-O", f("wget.bin"), url], f("wget.bin"), False),
        "aria2c-x1": (aria(1), f("aria1.bin"), False),
        "aria2c-x4": (aria(4), f("aria4.bin"), False),
        "curl+sync": (["sh", "-c", 'curl -s -o "$1" "$2" && sync "$1"', "sh", f("curlsync.bin"), url],
                      f("curlsync.bin"), False),
        # The machine's limits, in the same rotation: the page cache read (nginx serves from it), the disk's
        # direct write, and the loopback network with nginx and curl but no file.
        "limit:cat": (["cat", ctx.src_for(size)], None, False),
        "limit:dd-direct": (["dd", "if=/dev/zero", "of=" + f("dd.bin"), "bs=4M", f"count={size // (4 * MIB)}",
                             "oflag=direct", "conv=fsync", "status=none"], f("dd.bin"), False),
        "limit:curl-devnull": (["curl", "-s", "-o", "/dev/null", url], None, False),
    }
    return {k: v for k, v in t.items() if k.startswith("limit:") or k == "jbits" or k.split("-")[0].split("+")[0]
            in ctx.available}


def bench(ctx, size_mib, rounds):
    size = size_mib * MIB
    name = f"payload-{size_mib}m.bin"
    src = ctx.payload(name, size)
    url = ctx.nginx.url(name)
    dest = os.path.join(ctx.work, "dest")
    drop_file(dest)
    os.makedirs(dest)
    src_sha = sha256(src)
    page_cache(src)
    t = tools(ctx, url, dest, size)
    agent = ctx.agent_pid()

    def once(tool):
        argv, out, with_agent = t[tool]
        if out:
            drop_file(out)
        else:
            os.sync()
        r = run_measured(argv, env=ctx.jbits.env, agent_pid=agent if with_agent else None)
        if out and tool != "limit:dd-direct" and os.path.getsize(out) != size:
            raise RuntimeError(f"{tool} wrote {os.path.getsize(out)} bytes, not {size}")
        return r, out

    # Warm-up: the agent is a long-lived service and its first transfers run while the JIT compiles the data path;
    # every other tool gets one run too (page cache, binaries).
    log(f"throughput {size_mib} MiB: warm-up")
    warm = []
    for _ in range(3 if size_mib <= 1024 else 2):
        r, out = once("jbits")
        warm.append(r["wall_s"])
    if sha256(out) != src_sha:
        raise RuntimeError("jbits' file differs from the payload")
    for tool in t:
        if tool != "jbits":
            r, out = once(tool)
            if out and not tool.startswith("limit:") and sha256(out) != src_sha:
                raise RuntimeError(f"{tool}'s file differs from the payload")
            if out:
                drop_file(out)

    runs = {k: [] for k in t}
    for i, order in enumerate(rotations(list(t), rounds)):
        line = []
        for tool in order:
            r, out = once(tool)
            runs[tool].append(r)
            line.append(f"{tool} {r['wall_s']:.2f}")
            if out:
                drop_file(out)
        log(f"throughput {size_mib} MiB round {i + 1}/{rounds}: " + ", ".join(line))
    r, out = once("jbits")
    ok = sha256(out) == src_sha
    drop_file(out)
    if not ok:
        raise RuntimeError("jbits' file differs from the payload")

    gib = size / (1 << 30)
    res = {"size_mib": size_mib, "rounds": rounds, "url": "nginx over loopback, sendfile", "tools": {},
           "jbits_warmup_wall_s": warm, "loadavg_after": os.getloadavg()}
    for tool, rs in runs.items():
        wall = summary([x["wall_s"] for x in rs])
        cpu = summary([x["cpu_s"] for x in rs])
        e = {"command": " ".join(t[tool][0]).replace(ctx.work, "$WORK"), "wall_s": wall, "cpu_s": cpu,
             "cpu_s_per_gib": summary([x["cpu_s"] / gib for x in rs]),
             "mib_per_s": summary([size_mib / x["wall_s"] for x in rs]),
             "rss_peak_mib": summary([x["rss_peak_kib"] / 1024 for x in rs])}
        if tool == "jbits":
            e["agent_cpu_s"] = summary([x["agent_cpu_s"] for x in rs])
            e["cli_cpu_s"] = summary([x["client_cpu_s"] for x in rs])
            e["agent_rss_peak_mib"] = summary([x["agent_rss_peak_kib"] / 1024 for x in rs])
            e["cli_rss_peak_mib"] = summary([x["client_rss_peak_kib"] / 1024 for x in rs])
        res["tools"][tool] = e
    jb = res["tools"]["jbits"]
    # Ratios of medians, and the per-round ratios' spread (the same round's jbits run over the peer's).
    for tool, e in res["tools"].items():
        if tool == "jbits":
            continue
        per_round = [a["wall_s"] / b["wall_s"] for a, b in zip(runs["jbits"], runs[tool])]
        e["jbits_over_this_wall"] = ratio(jb["wall_s"]["median"], e["wall_s"]["median"])
        e["jbits_over_this_wall_per_round"] = summary(per_round)
        if not tool.startswith("limit:"):
            e["jbits_over_this_cpu"] = ratio(jb["cpu_s"]["median"], e["cpu_s"]["median"])
        else:
            # jbits' share of the limit: its throughput as a fraction of what the machine does there.
            e["jbits_share"] = ratio(jb["mib_per_s"]["median"], e["mib_per_s"]["median"])
    c = res["tools"].get("curl")
    res["targets"] = {
        "wall_le_0.8_curl": {"target": "jbits wall <= 0.8 x curl -o", "value": c and c["jbits_over_this_wall"],
                             "met": bool(c and c["jbits_over_this_wall"] <= 0.8)},
        "cpu_per_gib_le_curl": {"target": "jbits CPU s/GiB (agent + CLI) <= curl's",
                                "value": c and ratio(jb["cpu_s_per_gib"]["median"], c["cpu_s_per_gib"]["median"]),
                                "met": bool(c and jb["cpu_s_per_gib"]["median"] <= c["cpu_s_per_gib"]["median"])},
    }
    return res
