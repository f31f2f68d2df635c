"""Start-up: `jbits get` with the agent running and no jobs, and `jbits --help`, through the installed launcher,
against the JVM's own floor (an empty Hello), and the launcher variants tried: no class-data sharing, the
installed archive (classes of `agent status` only), an AppCDS archive of every class any of these commands loads
(picocli's included, from merged class lists, -Xshare:dump), and lighter JVM flags. All in one rotation."""

import os
import subprocess
from collections import Counter

from common import log, ratio, rotations, run_measured, summary

LAUNCHER_FLAGS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"]
COMMANDS = {"get": ["get"], "help": ["--help"]}


def previous_archive(ctx, jsa):
    """The archive the launcher had before: a dynamic one of the classes a single `agent status --json` loads."""
    drop = os.path.join(ctx.work, "cds-home")
    subprocess.run(["java", f"-XX:ArchiveClassesAtExit={jsa}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-jar", ctx.jar, "agent", "status", "--json"], env=dict(os.environ, JBITS_HOME=drop),
                   capture_output=True)
    return jsa if os.path.exists(jsa) else None


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
    old_jsa = previous_archive(ctx, os.path.join(ctx.work, "jbits-previous.jsa"))
    jar = ctx.jar
    main = ["-cp", jar, "org.jbits.cli.Main"]
    variants = {
        "java Hello (-Xshare:auto)": ["java", "-Xshare:auto", "-cp", classes, "Hello"],
        "java Hello (launcher flags)": ["java", "-Xshare:auto", *LAUNCHER_FLAGS, "-cp", classes, "Hello"],
    }
    for cmd, args in COMMANDS.items():
        a = " ".join(args)
        variants[f"jbits {a} (installed launcher)"] = [ctx.launcher, *args]
        if old_jsa:
            variants[f"jbits {a}: previous launcher (archive of agent status only)"] = [
                "java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", f"-XX:SharedArchiveFile={old_jsa}",
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", jar, *args]
        variants[f"jbits {a}: no CDS archive"] = ["java", "-Xshare:auto", *LAUNCHER_FLAGS, *main, *args]
    # What building only the running command's picocli model would give (bench/java/org/jbits/cli/LazyMain).
    variants["jbits get: installed archive + only get's picocli model (experiment)"] = [
        "java", f"-XX:SharedArchiveFile={installed_jsa}", "-Xlog:cds=off", *LAUNCHER_FLAGS, "-cp",
        jar + ":" + classes, "org.jbits.cli.LazyMain", "get"]
    jb = ctx.jbits
    jb.run("agent", "start")
    # The agent has no jobs here: ctx.jbits' home is the throughput benches' and keeps none after them.
    for v, argv in variants.items():
        run_measured(argv, env=jb.env)          # warm the file cache
    runs = {v: [] for v in variants}
    for i, order in enumerate(rotations(list(variants), rounds)):
        for v in order:
            runs[v].append(run_measured(variants[v], env=jb.env)["wall_s"])
    res = {"rounds": rounds, "variants": {},
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
