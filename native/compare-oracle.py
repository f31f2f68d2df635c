#!/usr/bin/env python3
"""Compares the C oracle's JSON lines with its Java twin's, scenario by scenario and field by field.

usage: native/compare-oracle.py C.jsonl JAVA.jsonl [--out oracle-compare.json]
       native/compare-oracle.py --self-test     (the comparison's rules on synthetic lines; run-oracle.sh runs it first)

Both files come from the same BITS, the same http server and the same arguments (native/run-oracle.sh --java), so
every field must be equal, with the value's JSON type (true is not 1), except the few that legitimately vary
between two runs (LOOSE below, and the run's own directory and URLs, which are replaced by tokens before the
comparison). A scenario present on one side only, a field present on one side only, a watchdog line, or a file
that does not end with the "end" line are differences too. Writes the report (per scenario: equal, differences),
prints one summary line, exits 1 on any difference, 2 on unreadable input.
"""
import argparse
import json
import sys

# (scenario or "*", field) -> how it is compared instead of with ==, and why. Keep this list small and explicit.
LOOSE = {
    ("*", "states"): "first and last entries: the states seen while polling every 5 ms depend on timing "
                     "(README: intermediate states can be missed)",
    ("end", "elapsedMs"): "present on both sides: run time",
}

# Values of the environment line that are this run's own, replaced by a token wherever they start a string.
RUN_PREFIXES = (("dir", "<DIR>"), ("baseUrl", "<BASE_URL>"), ("refusedUrl", "<REFUSED_URL>"))


def load(path):
    lines = []
    with open(path, encoding="ascii") as f:
        for n, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except ValueError as e:
                raise SystemExit(f"compare-oracle: {path}:{n}: not JSON ({e}): {text[:120]!r}") from e
            if not isinstance(obj, dict) or not isinstance(obj.get("scenario"), str):
                raise SystemExit(f"compare-oracle: {path}:{n}: no scenario field")
            lines.append(obj)
    return lines


def normalizer(lines):
    """Replaces this run's directory and URLs (from its environment line) by tokens, longest first."""
    env = next((l for l in lines if l["scenario"] == "environment"), {})
    prefixes = sorted(((env[k], token) for k, token in RUN_PREFIXES if isinstance(env.get(k), str) and env[k]),
                      key=lambda p: -len(p[0]))

    def norm(v):
        if isinstance(v, str):
            for prefix, token in prefixes:
                if v.startswith(prefix):
                    return token + v[len(prefix):]
            return v
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v
    return norm


def same(a, b):
    """Equal values of equal JSON types, recursively (Python's == has True == 1 and 1 == 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def loose_rule(scenario, field):
    return LOOSE.get((scenario, field)) or LOOSE.get(("*", field))


def compare_field(scenario, field, c, j):
    """None when equal (under the field's rule), else a short reason."""
    rule = loose_rule(scenario, field)
    if rule and field == "states":
        if not (isinstance(c, list) and isinstance(j, list) and c and j):
            return "states must be non-empty lists on both sides"
        if not (same(c[0], j[0]) and same(c[-1], j[-1])):
            return "first or last state differs"
        return None
    if rule and field == "elapsedMs":
        return None if isinstance(c, int) and isinstance(j, int) else "not an integer on both sides"
    return None if same(c, j) else "differs"


def compare(c_lines, j_lines):
    c_norm, j_norm = normalizer(c_lines), normalizer(j_lines)
    c_by = {}
    j_by = {}
    problems = []
    for side, lines, by in (("c", c_lines, c_by), ("java", j_lines, j_by)):
        for l in lines:
            if l["scenario"] in by:
                problems.append({"scenario": l["scenario"], "field": None, "reason": f"scenario twice in {side}"})
            by[l["scenario"]] = l
        if not lines or lines[-1]["scenario"] != "end":
            problems.append({"scenario": "end", "field": None, "reason": f"{side} does not end with the end line"})
    order = [l["scenario"] for l in c_lines] + [l["scenario"] for l in j_lines if l["scenario"] not in c_by]
    scenarios = []
    for name in dict.fromkeys(order):
        diffs = [p for p in problems if p["scenario"] == name]
        if name == "watchdog":
            diffs.append({"field": None, "reason": "a watchdog line: a run hung"})
        c, j = c_by.get(name), j_by.get(name)
        if c is None or j is None:
            diffs.append({"field": None, "reason": "only in " + ("java" if c is None else "c")})
        else:
            c, j = c_norm(c), j_norm(j)
            for field in list(c) + [k for k in j if k not in c]:
                if field not in c or field not in j:
                    diffs.append({"field": field, "reason": "only in " + ("java" if field not in c else "c"),
                                  "c": c.get(field), "java": j.get(field)})
                    continue
                reason = compare_field(name, field, c[field], j[field])
                if reason:
                    diffs.append({"field": field, "reason": reason, "c": c[field], "java": j[field]})
        for d in diffs:
            d.pop("scenario", None)
        scenarios.append({"scenario": name, "equal": not diffs, "differences": diffs})
    return scenarios


def self_test():
    """The rules on synthetic lines: what must pass passes, and every kind of difference is caught."""
    def env(d, port):
        return {"scenario": "environment", "dir": d, "baseUrl": f"http://127.0.0.1:{port}/",
                "refusedUrl": f"http://127.0.0.1:{port + 1}/refused.bin", "argc": 7}

    def run(d, port, **over):
        dl = {"scenario": "download", "url": f"http://127.0.0.1:{port}/data.bin", "hr": "0x00000000",
              "states": [3, 1, 2, 6], "ok": True, "localName": d + "\\x.txt", "list": [1, None]}
        dl.update(over)
        return [env(d, port), dl, {"scenario": "end", "lines": 2, "elapsedMs": port}]

    c = run("Z:\\a\\files", 1000)
    checks = [
        ("equal apart from dir, ports, elapsedMs and middle states", run("Z:\\a\\java-files", 2000, states=[3, 6]), []),
        ("an HRESULT", run("Z:\\b", 1000, hr="0x00000001"), [("download", "hr")]),
        ("true is not 1", run("Z:\\b", 1000, ok=1), [("download", "ok")]),
        ("last state", run("Z:\\b", 1000, states=[3, 1, 4]), [("download", "states")]),
        ("a path after the directory", run("Z:\\b", 1000, localName="Z:\\b\\y.txt"), [("download", "localName")]),
        ("an array entry", run("Z:\\b", 1000, list=[1, 0]), [("download", "list")]),
        ("a field only on one side", run("Z:\\b", 1000, extra=None), [("download", "extra")]),
        ("a missing scenario", [l for l in run("Z:\\b", 1000) if l["scenario"] != "download"], [("download", None)]),
        ("no end line", run("Z:\\b", 1000)[:-1], [("end", None), ("end", None)]),
    ]
    failed = []
    for what, java, expected in checks:
        got = [(s["scenario"], d["field"]) for s in compare(c, java) for d in s["differences"]]
        if got != expected:
            failed.append(f"{what}: expected {expected}, got {got}")
    for f in failed:
        print(f"compare-oracle: self-test: {f}", file=sys.stderr)
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description="Compare the C oracle's output with the Java twin's "
                                             "(--self-test: check the comparison's own rules).")
    ap.add_argument("c_jsonl")
    ap.add_argument("java_jsonl")
    ap.add_argument("--out", help="where to write the JSON report")
    a = ap.parse_args()
    try:
        c_lines, j_lines = load(a.c_jsonl), load(a.java_jsonl)
    except OSError as e:
        print(f"compare-oracle: {e}", file=sys.stderr)
        return 2
    scenarios = compare(c_lines, j_lines)
    differing = [s for s in scenarios if not s["equal"]]
    report = {
        "c": a.c_jsonl,
        "java": a.java_jsonl,
        "equal": not differing,
        "scenarios": scenarios,
        "loose": {f"{s}.{f}": why for (s, f), why in LOOSE.items()},
        "runPrefixes": {k: token for k, token in RUN_PREFIXES},
    }
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
    fields = sum(len(s["differences"]) for s in differing)
    if differing:
        print(f"oracle-compare: {len(differing)} of {len(scenarios)} scenarios differ ({fields} fields): "
              + ", ".join(s["scenario"] for s in differing))
        for s in differing:
            for d in s["differences"]:
                detail = f": c={json.dumps(d.get('c'))} java={json.dumps(d.get('java'))}" if "c" in d else ""
                print(f"oracle-compare:   {s['scenario']}.{d['field'] or '*'} {d['reason']}{detail}", file=sys.stderr)
        return 1
    print(f"oracle-compare: all {len(scenarios)} scenarios equal field by field "
          f"(loose: {', '.join(f'{s}.{f}' for s, f in LOOSE)}; run dir and URLs as tokens)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
