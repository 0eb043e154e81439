#!/usr/bin/env python3
"""Counts the wineserver requests a server process makes per round trip, from a +server trace.

Under Wine every operation on a kernel object (a wait, a pipe read or write, setting an event,
fetching an async result) is a request to the wineserver process. Started with `-d1`, the
wineserver logs each one as `TID: name( args )`, and its reply as `TID: name() = STATUS {...}`.
This reads such a trace and the marks bench/wine_requests.sh wrote around each client run, and
prints one JSON object per server with requests per round trip (or per push), per thread and per
request type.

Requests are per round trip by difference: each repetition runs a SHORT and then a LONG phase
on the same connection, and (LONG window - SHORT window) / (LONG - SHORT) cancels what a phase
costs to start and end. Only the server process's threads are counted: a thread
belongs to the process whose first thread (`init_first_thread`, found by its Linux pid) or whose
thread (`new_thread` on the current process) made it. Threads are named by the description the
JVM gives them (SetThreadDescription: "C2 CompilerThread0", "pipekit-server NAME"), else "main"
for a process's first thread and "thread N" for the rest.

Usage:
  wine_requests.py count TRACE MARKS > RESULTS.jsonl
  wine_requests.py check RESULTS.jsonl [MAX_RATIO]
    fails (status 1) unless pipekit's server makes at most MAX_RATIO (default 1.10) times the C
    sample server's requests per round trip (the median of the ratios of repetitions run side by
    side), only its loop thread reads and writes the pipe, one read and one write per round trip,
    other threads make at most 0.25 requests per round trip, the loop at most 0.05 of kinds
    the sample never makes, and, pushing from the server thread, at most 1.25 selects per push.
MARKS lines: `server NAME UNIX_PID` and `mark NAME LABEL FIRST_LINE LAST_LINE TRIPS`, LABEL one of
cold, warm, short-R, long-R: the trace lines written while that phase ran. The cold phase (the
first round trips after the server started) and the warm-up are reported whole, per round trip.
"""
import collections
import json
import re
import statistics
import sys

REQUEST = re.compile(r'^([0-9a-f]{4,8}): (\w+)\( ')
FIRST_THREAD = re.compile(r'^([0-9a-f]{4,8}): init_first_thread\( unix_pid=(\d+)')
FIRST_THREAD_REPLY = re.compile(r'^([0-9a-f]{4,8}): init_first_thread\(\) = 0 \{ pid=([0-9a-f]+), tid=([0-9a-f]+)')
NEW_THREAD = re.compile(r'^([0-9a-f]{4,8}): new_thread\( process=ffffffff')
NEW_THREAD_REPLY = re.compile(r'^([0-9a-f]{4,8}): new_thread\(\) = 0 \{ tid=([0-9a-f]+)')
# A thread naming itself (handle fffffffe: the current thread); other set_thread_info requests
# set another thread's priority and carry an empty description.
DESCRIPTION = re.compile(r'^([0-9a-f]{4,8}): set_thread_info\( handle=fffffffe, .*desc=L"([^"]+)"')


def read_marks(path):
    servers, marks = {}, collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[0] == "server":
                servers[parts[1]] = int(parts[2])
            elif parts[0] == "mark":
                marks[parts[1]].append((parts[2], int(parts[3]), int(parts[4]), int(parts[5])))
    return servers, marks


def count(trace_path, marks_path):
    servers, marks = read_marks(marks_path)
    windows = [(server, w) for server in servers for w in marks[server]]
    windows.sort(key=lambda sw: sw[1][1])
    counts = {(server, w[0]): collections.Counter() for server, w in windows}
    owner = {}          # tid -> pid
    first_of_unix = {}  # unix pid -> first tid
    first_tids = set()
    creating = set()
    names = {}
    order = collections.defaultdict(int)  # pid -> threads made so far
    index_of = {}                         # tid -> its place among its process's threads

    def owned(tid, pid):
        owner[tid] = pid
        order[pid] += 1
        index_of[tid] = order[pid]
    label_of = {}

    def label(tid):
        if tid not in label_of:
            if tid in names:
                name = names[tid]
                label_of[tid] = "pipekit-server (loop)" if name.startswith("pipekit-server ") else name
            elif tid in first_tids:
                label_of[tid] = "main"
            else:
                label_of[tid] = "thread %d" % index_of.get(tid, 0)
        return label_of[tid]

    pid_of_server = {}
    w = 0
    with open(trace_path, errors="replace") as trace:
        for number, line in enumerate(trace, 1):
            if "_thread" in line:
                m = FIRST_THREAD.match(line)
                if m:
                    first_of_unix[int(m.group(2))] = m.group(1)
                    first_tids.add(m.group(1))
                m = FIRST_THREAD_REPLY.match(line)
                if m:
                    owned(m.group(3), m.group(2))
                m = NEW_THREAD.match(line)
                if m:
                    creating.add(m.group(1))
                m = NEW_THREAD_REPLY.match(line)
                if m and m.group(1) in creating:
                    creating.discard(m.group(1))
                    owned(m.group(2), owner.get(m.group(1)))
                m = DESCRIPTION.match(line)
                if m:
                    names[m.group(1)] = m.group(2)
                    label_of.pop(m.group(1), None)
            while w < len(windows) and number > windows[w][1][2]:
                w += 1
            if w >= len(windows):
                continue
            server, (wlabel, start, end, _) = windows[w]
            if not start < number <= end:
                continue
            m = REQUEST.match(line)
            if not m:
                continue
            if server not in pid_of_server:
                pid_of_server[server] = owner.get(first_of_unix.get(servers[server]))
            if pid_of_server[server] is None or owner.get(m.group(1)) != pid_of_server[server]:
                continue
            counts[(server, wlabel)][(m.group(1), m.group(2))] += 1

    for server in servers:
        ws = {w[0]: w for w in marks[server]}  # label -> (label, first line, last line, trips)
        reps = []
        rep = 1
        while "short-%d" % rep in ws and "long-%d" % rep in ws:
            short, long_ = counts[(server, "short-%d" % rep)], counts[(server, "long-%d" % rep)]
            trips = ws["long-%d" % rep][3] - ws["short-%d" % rep][3]
            per_thread, per_type = collections.Counter(), collections.Counter()
            thread_types = collections.defaultdict(collections.Counter)
            for key in set(short) | set(long_):
                d = long_[key] - short[key]
                per_thread[label(key[0])] += d
                per_type[key[1]] += d
                thread_types[label(key[0])][key[1]] += d
            reps.append({"trips": trips, "perTrip": sum(per_thread.values()) / trips,
                         "threads": {k: v / trips for k, v in per_thread.items() if v},
                         "types": {k: v / trips for k, v in per_type.items() if v},
                         "threadTypes": {t: {k: v / trips for k, v in c.items() if v} for t, c in thread_types.items()}})
            rep += 1
        def whole(phase):
            """Requests per round trip over a whole phase, its start and end included."""
            if phase not in ws:
                return None
            per_thread, per_type = collections.Counter(), collections.Counter()
            for (tid, request), n in counts[(server, phase)].items():
                per_thread[label(tid)] += n
                per_type[request] += n
            trips = ws[phase][3]
            return {"trips": trips, "perTrip": sum(per_thread.values()) / trips,
                    "threads": {k: v / trips for k, v in per_thread.items()},
                    "types": {k: v / trips for k, v in per_type.items()}}
        result = {"server": server, "reps": reps,
                  "perTrip": statistics.median(r["perTrip"] for r in reps) if reps else None,
                  "cold": whole("cold"), "warmup": whole("warm")}
        print(json.dumps(result))


def paired_ratio(a, b):
    """Median, min and max of a/b over the repetitions both ran, each pair run one after the other."""
    ratios = [x["perTrip"] / y["perTrip"] for x, y in zip(a["reps"], b["reps"])]
    return statistics.median(ratios), min(ratios), max(ratios)


LOOP = "pipekit-server (loop)"


def check(results_path, max_ratio):
    by = {}
    with open(results_path) as f:
        for line in f:
            r = json.loads(line)
            by[r["server"]] = r
    failures = []
    median, low, high = paired_ratio(by["pipekit"], by["c-sample"])
    print("requests per round trip, 1 client, 64 B: pipekit %.2f, C sample %.2f; ratio %.2f [%.2f-%.2f] (at most %.2f)"
          % (by["pipekit"]["perTrip"], by["c-sample"]["perTrip"], median, low, high, max_ratio))
    if median > max_ratio:
        failures.append("pipekit's server makes %.2f times the C sample's requests per round trip, over %.2f" % (median, max_ratio))
    for server in ("c-push-routine", "c-push-overlapped"):
        if server in by:  # the design and its alternative in C: what a routine per message costs
            print("requests per push, 64 B: %s %.2f, C push server %.2f; ratio %.2f"
                  % (server, by[server]["perTrip"], by["c-push"]["perTrip"], paired_ratio(by[server], by["c-push"])[0]))
    for server in ("pipekit", "pipekit-push", "pipekit-push-loop"):
        push_median = paired_ratio(by[server], by["c-push"])[0] if "push" in server else None
        if push_median is not None:
            print("requests per push, 64 B: %s %.2f, C push server %.2f; ratio %.2f"
                  % (server, by[server]["perTrip"], by["c-push"]["perTrip"], push_median))
        for rep in by[server]["reps"]:
            # One write per message (and, for request/answer, one read), all made by the loop thread.
            loop = rep.get("threadTypes", {}).get(LOOP, {})
            for request in ("write",) if "push" in server else ("read", "write"):
                if not 0.9 <= loop.get(request, 0) <= 1.1:
                    failures.append("%s: the loop thread made %.2f %s requests per message, not 1"
                                    % (server, loop.get(request, 0), request))
            for request in ("read", "write"):
                threads = {t for t, types in rep.get("threadTypes", {}).items() if types.get(request, 0) > 0.01}
                if threads - {LOOP}:
                    failures.append("%s: %s requests on %s, not only on the loop thread" % (server, request, sorted(threads)))
    # Pushing from the server thread, the loop's writes complete at once (the client keeps reading)
    # and need no routine: the wait's select comes once per turn, up to 64 writes, not once per
    # write. What is left is the select Wine makes inside every overlapped WriteFile (the C server
    # writing that way makes it too). With WriteFileEx and a routine per write it was 2.
    push_selects = statistics.median(r["threadTypes"].get(LOOP, {}).get("select", 0) for r in by["pipekit-push-loop"]["reps"])
    print("selects per push of the loop thread, pushing from it: %.2f (at most 1.25)" % push_selects)
    if push_selects > 1.25:
        failures.append("pushing from the loop, the loop makes %.2f selects per push: a write that completes at once should cost none of its own" % push_selects)
    # What a regression would add is a kind of request or a thread the sample does not have (an
    # event set per message, an APC, a hand-off to another thread): judged on the medians, so that
    # one repetition's JIT burst is not taken for one.
    sample_kinds = {"select", "read", "write", "get_async_result"}
    reps = by["pipekit"]["reps"]
    other_threads = statistics.median(sum(v for t, v in r["threads"].items() if t != LOOP) for r in reps)
    other_kinds = statistics.median(sum(v for k, v in r["threadTypes"].get(LOOP, {}).items() if k not in sample_kinds)
                                    for r in reps)
    print("per round trip, beyond the loop thread: %.2f; of kinds the sample never makes, on the loop: %.2f"
          % (other_threads, other_kinds))
    if other_threads > 0.25:
        failures.append("threads other than the loop make %.2f requests per round trip" % other_threads)
    if other_kinds > 0.05:
        failures.append("the loop makes %.2f requests per round trip of kinds the C sample never makes" % other_kinds)
    for failure in failures:
        print("FAILED: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "count":
        count(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1.10))
    else:
        sys.exit(__doc__)
