"""Start-up: `jbits get` with the agent running and no jobs, and `jbits --help`, through the installed launcher,
against the JVM's own floor (an empty Hello), and the launcher variants tried: no class-data sharing, the
installed archive (classes of `agent status` only), an AppCDS archive of every class any of these commands loads
(picocli's included, from merged class lists, -Xshare:dump), and lighter JVM flags. All in one rotation."""

import os
import subprocess
from collections import Counter

from common import log, ratio, rotations, run_measured, summary

LAUNCHER_FLAGS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
COMMANDS = {"get": ["get"], "help": ["--help"]}


def all_classes_archive(ctx, jsa):
    """A static AppCDS archive of the classes that --help, get, get --json, start --help, agent status and a
    usage error load, from merged -XX:DumpLoadedClassList lists."""
    lists = []
    for i, args in enumerate((["--help"], ["get"], ["get", "--json"], ["start", "--help"], ["agent", "status"],
                              ["get", "--nope"], ["agent", "status", "--json"])):
        lst = os.path.join(ctx.work, f"classes-{i}.lst")
        subprocess.run(["java", f"-XX:DumpLoadedClassList={lst}", *LAUNCHER_FLAGS, "-cp", ctx.jar,
                        "org.jbits.cli.Main", *args], env=ctx.jbits.env, capture_output=True)
        lists.append(lst)
    merged = os.path.join(ctx.work, "classes-all.lst")
    seen, lines = set(), []
    for lst in lists:
        for line in open(lst):
            # Lambda-proxy lines (@lambda-proxy ...) and plain class names; keep each once, first occurrence.
            if line not in seen:
                seen.add(line)
                lines.append(line)
    with open(merged, "w") as f:
        f.writelines(lines)
    p = subprocess.run(["java", "-Xshare:dump", f"-XX:SharedClassListFile={merged}", f"-XX:SharedArchiveFile={jsa}",
                        *LAUNCHER_FLAGS, "-cp", ctx.jar], capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(jsa):
        log("startup: the all-classes archive could not be made: " + p.stdout[-500:] + p.stderr[-500:])
        return None, len(lines)
    return jsa, len(lines)


def class_counts(ctx, args):
    """How many classes a command loads, and from where (the biggest groups)."""
    p = subprocess.run(["java", "-Xlog:class+load=info", *LAUNCHER_FLAGS, "-cp", ctx.jar, "org.jbits.cli.Main",
                        *args], env=ctx.jbits.env, capture_output=True, text=True)
    groups, shared, total = Counter(), 0, 0
    for line in p.stdout.splitlines():
        if "[class,load]" not in line:
            continue
        total += 1
        name = line.split("[class,load]")[1].split()[0]
        if "shared objects file" in line:
            shared += 1
        parts = name.split(".")
        groups[".".join(parts[:3]) if len(parts) > 3 else ".".join(parts[:-1])] += 1
    return {"total": total, "top_packages": groups.most_common(12)}


def bench(ctx, rounds):
    classes = ctx.classes
    installed_jsa = os.path.join(ctx.prefix, "lib", "jbits", "jbits.jsa")
    all_jsa, n_classes = all_classes_archive(ctx, os.path.join(ctx.work, "jbits-all.jsa"))
    jar = ctx.jar
    main = ["-cp", jar, "org.jbits.cli.Main"]
    variants = {
        "java Hello (-Xshare:auto)": ["java", "-Xshare:auto", "-cp", classes, "Hello"],
        "java Hello (launcher flags)": ["java", "-Xshare:auto", *LAUNCHER_FLAGS, "-cp", classes, "Hello"],
    }
    for cmd, args in COMMANDS.items():
        variants[f"jbits {' '.join(args)} (installed launcher)"] = [ctx.launcher, *args]
        variants[f"jbits {' '.join(args)}: no CDS archive"] = ["java", "-Xshare:auto", *LAUNCHER_FLAGS, *main, *args]
        if all_jsa:
            variants[f"jbits {' '.join(args)}: AppCDS of all classes"] = [
                "java", f"-XX:SharedArchiveFile={all_jsa}", "-Xlog:cds=off", *LAUNCHER_FLAGS, *main, *args]
            variants[f"jbits {' '.join(args)}: AppCDS all + -XX:-UsePerfData -Xss512k"] = [
                "java", f"-XX:SharedArchiveFile={all_jsa}", "-Xlog:cds=off", "-XX:-UsePerfData", "-Xss512k",
                "-XX:CICompilerCount=1", *LAUNCHER_FLAGS, *main, *args]
        variants[f"jbits {' '.join(args)}: installed archive, -Xint"] = [
            "java", f"-XX:SharedArchiveFile={installed_jsa}", "-Xlog:cds=off", "-Xint", "-XX:+UseSerialGC",
            *main, *args]
    jb = ctx.jbits
    jb.run("agent", "start")
    # The agent has no jobs here: ctx.jbits' home is the throughput benches' and keeps none after them.
    for v, argv in variants.items():
        run_measured(argv, env=jb.env)          # warm the file cache
    runs = {v: [] for v in variants}
    for i, order in enumerate(rotations(list(variants), rounds)):
        for v in order:
            runs[v].append(run_measured(variants[v], env=jb.env)["wall_s"])
    res = {"rounds": rounds, "variants": {}, "all_classes_archive_entries": n_classes,
           "classes_loaded": {c: class_counts(ctx, a) for c, a in COMMANDS.items()},
           "loadavg_after": os.getloadavg()}
    hello = summary(runs["java Hello (-Xshare:auto)"])
    for v, xs in runs.items():
        s = summary(xs)
        res["variants"][v] = {"command": " ".join(variants[v]).replace(ctx.work, "$WORK"), "wall_s": s,
                              "over_java_hello": ratio(s["median"], hello["median"])}
    res["targets"] = {}
    for c, args in COMMANDS.items():
        v = res["variants"][f"jbits {' '.join(args)} (installed launcher)"]["wall_s"]["median"]
        res["targets"][c] = {"target": f"jbits {' '.join(args)} <= 100 ms", "value": v, "met": v <= 0.100,
                             "jvm_share": ratio(hello["median"], v)}
    log("startup: " + ", ".join(f"{v} {summary(xs)['median'] * 1000:.0f} ms" for v, xs in runs.items()))
    return res
