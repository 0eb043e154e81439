#!/usr/bin/env python3
"""The verdict of bench/soak.sh: for each transport soaked, whether the server's RSS, heap after GC,
open connections and descriptors (Unix) or pipekit's handles and native blocks (Windows) stayed flat.

Usage: soak_verdict.py SOAK_DIR unix|windows|both DURATION   (writes SOAK_DIR/verdict.jsonl)
"""
import json, os, sys


def samples(path):
    """The JSON lines of a log; a line a logger cut in two (older runs mixed stderr in) is skipped."""
    rows = []
    for line in open(path, errors="replace"):
        line = line.strip().replace("\r", "")
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    return rows


import json, os, sys
out, which, duration = sys.argv[1:4]
verdicts = []
for t in (["unix", "windows"] if which == "both" else [which]):
    server = samples(os.path.join(out, f"{t}-server.log"))
    process = samples(os.path.join(out, f"{t}-process.jsonl"))
    load = json.loads(open(os.path.join(out, f"{t}-load.json")).read().replace("\r", "") or "{}")
    def flat(values, relative, absolute):
        """After a warm-up fifth, the last third's peak may exceed the first third's by the tolerance at most."""
        values = values[len(values) // 5:]
        if len(values) < 6:
            return None, values
        third = len(values) // 3
        first, last = max(values[:third]), max(values[-third:])
        return last <= first * (1 + relative) + absolute, (first, last)
    checks = {
        "rssKb": flat([p["rssKb"] for p in process if p["rssKb"]], 0.10, 0),
        "heapAfterGcBytes": flat([s["heapAfterGcBytes"] for s in server], 0.25, 0),
        "open": flat([s["open"] for s in server], 0, 2),
    }
    if t == "unix":
        checks["fds"] = flat([p["fds"] for p in process], 0, 2)
    else:
        checks["pipekitHandles"] = flat([s["pipekitHandles"] for s in server], 0, 4)
        checks["nativeBlocks"] = flat([s["nativeBlocks"] for s in server], 0, 8)
    growing = [k for k, (ok, _) in checks.items() if ok is False]
    verdict = {"side": "soak-verdict", "transport": t, "duration": duration, "samples": len(server),
               "verdict": "not enough samples" if any(ok is None for ok, _ in checks.values()) else ("growing: " + ", ".join(growing) if growing else "flat"),
               "checks": {k: {"firstThirdPeak": v[0], "lastThirdPeak": v[1]} if ok is not None else None for k, (ok, v) in checks.items()},
               "load": load, "lastServerSample": server[-1] if server else None}
    verdicts.append(verdict)
    print(json.dumps(verdict))
with open(os.path.join(out, "verdict.jsonl"), "w") as f:
    for v in verdicts:
        f.write(json.dumps(v) + "\n")
bad = [v for v in verdicts if v["verdict"] != "flat" or not v["load"] or v["load"].get("failure")]
sys.exit(1 if bad else 0)
