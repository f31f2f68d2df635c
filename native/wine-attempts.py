#!/usr/bin/env python3
"""The Wine run's attempts: which cases a crash or hang of Wine's BITS service took down, and the merge of a second
attempt's results into the report.

Wine 8.0's BITS service (qmgr in svchost.exe) sometimes crashes during the suite (a page fault in ntdll; see
native/README.md). Every case after that fails with RPC_S_SERVER_UNAVAILABLE and the case under way with
RPC_S_CALL_FAILED: the service is gone, so those results say nothing about the binding. run-wine-conformance.sh
runs these cases again in a fresh Wine session and merges the new results in; the report keeps what happened:
each case run again carries "attempt", and "serviceCrashes" lists each crash with the case it hit and Wine's line.

A call into the service can also hang (seen once, in the thirteenth session's CI: one case never reported, and the
launcher sat until its timeout). A case that timed out (the suite's per-case timeout) is lost as well, and so is a
case the run never reported (fill adds it as failed, NO_RESULT, so that a silent gap is never counted as a pass).

  wine-attempts.py fill REPORT EXPECTED EXIT         # add each EXPECTED case (comma-separated) the report lacks
  wine-attempts.py lost REPORT                       # the names of the lost cases, comma-separated ('' if none)
  wine-attempts.py merge REPORT ATTEMPT_REPORT N LOG # merge attempt N's results; LOG is the previous attempt's log
"""
import json
import os
import sys

# What a case's reason says when the service itself was gone (HResult.isServiceLost in the Java code).
LOST_MARKERS = ("RPC_S_SERVER_UNAVAILABLE", "RPC_S_CALL_FAILED", "RPC_E_DISCONNECTED",
                "0x800706BA", "0x800706BE", "0x800706BF", "0x80010108")
# What a case's reason says when it hung: JUnit's per-case timeout (CaseResult.describe), or no result at all (fill).
# Not "timed out after" alone: the suite's own waits say that, in the observations of declared Wine deviations.
HUNG_MARKERS = ("TIMED_OUT: ", "NO_RESULT: ")
# The code of the call that was under way when the service died.
DIED_DURING = ("RPC_S_CALL_FAILED", "0x800706BE", "0x80010108", "RPC_E_DISCONNECTED")


def lost_cases(report):
    return [c["name"] for c in report["cases"] if c["result"] in ("failed", "wine-deviation")
            and any(m in c.get("reason", "") for m in LOST_MARKERS + HUNG_MARKERS)]


def fill(report, expected, launcher_exit):
    """Adds each expected case the report lacks, as failed with a NO_RESULT reason; returns how many."""
    have = {c["name"] for c in report["cases"]}
    why = "the 'timeout' command's limit" if launcher_exit == "124" else "its exit"
    missing = [n for n in expected if n and n not in have]
    for name in missing:
        report["cases"].append({"name": name, "result": "failed",
                                "reason": f"NO_RESULT: the run ended ({why}, launcher exit {launcher_exit}) before "
                                          f"this case reported: a call into Wine's BITS service hung, or the JVM died"})
    report["cases"].sort(key=lambda c: c["name"])
    return len(missing)


def crash_lines(log_path):
    if not log_path or not os.path.exists(log_path):
        return []
    with open(log_path, encoding="utf-8", errors="replace") as f:
        return [line.strip() for line in f if line.startswith("wine: Unhandled") or "starting debugger" in line]


def merge(report, attempt, n, log_path):
    lost = lost_cases(report)
    during = [c["name"] for c in report["cases"] if c["name"] in lost
              and any(m in c.get("reason", "") for m in DIED_DURING)]
    hung = [c["name"] for c in report["cases"] if c["name"] in lost
            and any(m in c.get("reason", "") for m in HUNG_MARKERS)]
    report.setdefault("serviceCrashes", []).append({
        "attempt": n - 1,
        "kind": "crash" if during or not hung else "hang",
        "during": during[0] if during else (hung[0] if hung else None),
        "casesLost": len(lost),
        "wine": (crash_lines(log_path) or [""])[0],
    })
    rerun = {c["name"]: c for c in attempt["cases"] if c["name"] in lost}
    merged = []
    for c in report["cases"]:
        if c["name"] in rerun:
            c = dict(rerun[c["name"]])
            c["attempt"] = n
        merged.append(c)
    report["cases"] = merged
    return report


def main(argv):
    if len(argv) == 5 and argv[1] == "fill":
        with open(argv[2], encoding="utf-8") as f:
            report = json.load(f)
        added = fill(report, argv[3].split(","), argv[4])
        tmp = argv[2] + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        os.replace(tmp, argv[2])
        print(added)
        return 0
    if len(argv) == 3 and argv[1] == "lost":
        with open(argv[2], encoding="utf-8") as f:
            print(",".join(lost_cases(json.load(f))))
        return 0
    if len(argv) == 6 and argv[1] == "merge":
        with open(argv[2], encoding="utf-8") as f:
            report = json.load(f)
        with open(argv[3], encoding="utf-8") as f:
            attempt = json.load(f)
        merged = merge(report, attempt, int(argv[4]), argv[5])
        tmp = argv[2] + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(merged, f, indent=2)
            f.write("\n")
        os.replace(tmp, argv[2])
        return 0
    print("usage:\n" + "\n".join(__doc__.strip().splitlines()[-3:]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
