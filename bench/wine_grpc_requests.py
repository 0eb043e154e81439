#!/usr/bin/env python3
"""Counts the wineserver requests per gRPC call (or per MB streamed), per thread and per request
type, from a `-d1` trace of GrpcBench runs with -Dgrpcbench.phases (bench/wine_grpc_requests.sh).

Each GrpcBench JVM marks its phases in the trace with a create_event request named
`grpcbench-mark-CELL-{short,long}-R-{begin,end}`; only the requests of the process that made the
marks count. Per call by difference: (sum of LONG windows - sum of SHORT windows) / (REPS x
(LONG - SHORT)), which cancels what a phase costs to start and end. Threads are named by the
description the JVM gives them (SetThreadDescription), numbers at the end folded to N. Beside the
requests, "wakes" counts per unit how often the wineserver woke a thread from a wait (*wakeup*)
or interrupted it with SIGUSR1 to run a system APC while it ran (*sent signal*).

Usage: wine_grpc_requests.py TRACE LABELS > RESULTS.jsonl
LABELS lines: `LABEL UNITS` per GrpcBench run in trace order (UNITS: LONG - SHORT, in calls or MB).
"""
import collections
import json
import re
import sys

# The trace's grammar is the request-count probe's: one parser of it (bench/wine_requests.py).
from wine_requests import DESCRIPTION, FIRST_THREAD_REPLY, NEW_THREAD, NEW_THREAD_REPLY, REQUEST
# Not requests, but what the wineserver does to a thread: wakes it from a wait, or interrupts it
# with SIGUSR1 to run a system APC (an async I/O's completion) while it is not waiting.
EVENT = re.compile(r'^([0-9a-f]{4,8}): \*(sent signal|wakeup)\*')
MARK = re.compile(r'^([0-9a-f]{4,8}): create_event\( .*grpcbench-mark-(\w+?)-(short|long)-(\d+)-(begin|end)"')


def main(trace_path, labels_path):
    labels = [line.split() for line in open(labels_path) if line.strip()]
    owner, names, creating = {}, {}, set()
    cells = []            # per GrpcBench run: {pid, counts: {(kind, rep): Counter((thread, type))}}
    window = None         # (pid, kind, rep) while a phase runs
    current = None
    with open(trace_path, errors="replace") as trace:
        for line in trace:
            if "_thread" in line:
                m = FIRST_THREAD_REPLY.match(line)
                if m:
                    owner[m.group(3)] = m.group(2)
                m = NEW_THREAD.match(line)
                if m:
                    creating.add(m.group(1))
                m = NEW_THREAD_REPLY.match(line)
                if m and m.group(1) in creating:
                    creating.discard(m.group(1))
                    owner[m.group(2)] = owner.get(m.group(1))
                m = DESCRIPTION.match(line)
                if m:
                    names[m.group(1)] = re.sub(r'-\d+$', '-N', m.group(2))
            if "grpcbench-mark-" in line:
                m = MARK.match(line)
                if m:
                    pid = owner.get(m.group(1))
                    if current is None or current["pid"] != pid:
                        current = {"pid": pid, "cell": m.group(2), "counts": collections.defaultdict(collections.Counter),
                                   "events": collections.defaultdict(collections.Counter)}
                        cells.append(current)
                    window = (pid, m.group(3), int(m.group(4))) if m.group(5) == "begin" else None
                    events = current["events"]
                    continue
            if window is None:
                continue
            m = REQUEST.match(line)
            if m and owner.get(m.group(1)) == window[0]:
                current["counts"][(window[1], window[2])][(names.get(m.group(1), "unnamed"), m.group(2))] += 1
            elif line[5:7] == " *" or line[9:11] == " *":
                m = EVENT.match(line)
                if m and owner.get(m.group(1)) == window[0]:
                    events[(window[1], window[2])][(names.get(m.group(1), "unnamed"), "*" + m.group(2) + "*")] += 1
    if len(cells) != len(labels):
        sys.exit("%d GrpcBench runs marked in the trace, %d labels" % (len(cells), len(labels)))
    for cell, (label, units) in zip(cells, labels):
        units = float(units)
        reps = sorted({rep for _, rep in cell["counts"]})
        diff = collections.Counter()
        per_rep = []
        for rep in reps:
            d = collections.Counter(cell["counts"][("long", rep)])
            d.subtract(cell["counts"][("short", rep)])
            per_rep.append(round(sum(d.values()) / units, 2))
            diff.update(d)
        n = units * len(reps)
        threads, types = collections.Counter(), collections.Counter()
        thread_types = collections.defaultdict(dict)
        for (thread, kind), v in diff.items():
            threads[thread] += v
            types[kind] += v
            if abs(v / n) >= 0.05:
                thread_types[thread][kind] = round(v / n, 2)
        wakes = collections.Counter()
        for rep in reps:
            wakes.update(cell["events"][("long", rep)])
            wakes.subtract(cell["events"][("short", rep)])
        print(json.dumps({"cell": label, "perUnit": round(sum(diff.values()) / n, 2), "perRep": per_rep,
                          "wakes": {"%s %s" % k: round(v / n, 2) for k, v in sorted(wakes.items()) if abs(v / n) >= 0.05},
                          "threads": {k: round(v / n, 2) for k, v in threads.most_common() if abs(v / n) >= 0.05},
                          "types": {k: round(v / n, 2) for k, v in types.most_common() if abs(v / n) >= 0.05},
                          "threadTypes": thread_types}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
