#!/usr/bin/env python3
"""Turns bench/run.sh's raw results into docs/performance.md and its plot.

Usage: report.py RAW.jsonl OUT.md OUT.png
       report.py --check-rows RAW.jsonl    (the smoke's check: every row that must be there ran and measured)

Every comparison is pipekit beside a peer measured in the same run, on the same client, message
size and machine, interleaved over rounds. A ratio is given as the median of the per-round
ratios, with their spread (min-max) in brackets.
"""
import json
import os
import statistics
import sys
from collections import defaultdict


ARRAY_HEADER = 16  # a byte[]'s object header with compressed class pointers, as on 64-bit HotSpot


def load(path):
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        # Runs before the channel was measured called the streams' client just "pipekit".
        if r.get("side") in ("unix-stream", "wine-stream") and r.get("client") == "pipekit":
            r["client"] = "pipekit-stream"
    return rows


def per_round(rows, side, server, client, clients=None, size=None):
    """One result per round; where a round timed a cell several times, their median, field by field."""
    runs = defaultdict(list)
    for r in rows:
        if r.get("side") == side and r.get("server") == server and r.get("client") == client \
                and (clients is None or r.get("clients") == clients) and (size is None or r.get("messageBytes") == size):
            runs[r["round"]].append(r)
    out = {}
    for k, rs in runs.items():
        merged = dict(rs[-1])
        for field, value in rs[-1].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and field != "round":
                merged[field] = statistics.median(x[field] for x in rs if field in x)
        out[k] = merged
    return out


def ratio(a, b, field):
    """Median and spread of per-round a/b for field, over the rounds both have."""
    rounds = sorted(set(a) & set(b))
    values = [a[k][field] / b[k][field] for k in rounds if b[k][field]]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def med(rows, field):
    values = [r[field] for r in rows.values()]
    return statistics.median(values) if values else None


def fmt_ratio(r):
    return "n/a" if r is None else f"{r[0]:.2f}× [{r[1]:.2f}–{r[2]:.2f}]"


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    return f"{v:,.1f}{unit}" if v < 100 else f"{v:,.0f}{unit}"


def verdict(value, target, higher_is_better=False):
    if value is None:
        return "not measured"
    met = value >= target if higher_is_better else value <= target
    return "**met**" if met else "**missed**"


def comparison_table(rows, side, pipekit, peer, client, cells):
    lines = ["| clients | message | pipekit median | peer median | median ratio | p99 ratio | throughput ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for clients, size in cells:
        a = per_round(rows, side, pipekit, client, clients, size)
        b = per_round(rows, side, peer, client, clients, size)
        if not a or not b:
            continue
        lines.append(f"| {clients} | {size:,} B | {fmt(med(a, 'medianMicros'), ' µs')} | {fmt(med(b, 'medianMicros'), ' µs')} "
                     f"| {fmt_ratio(ratio(a, b, 'medianMicros'))} | {fmt_ratio(ratio(a, b, 'p99Micros'))} "
                     f"| {fmt_ratio(ratio(a, b, 'roundTripsPerSecond'))} |")
    return "\n".join(lines)


def push_rounds(rows, side, server, size, clients=1):
    """A push cell's rounds; a row without a client count is one client's (results from before the column)."""
    return per_round([r for r in rows if r.get("clients", 1) == clients], side, server, "c", size=size)


def push_table(rows, side, peer):
    """Server push: messages per second the same C client(s) received, pipekit's server beside the C one."""
    lines = ["| clients | message | pipekit messages/s | C messages/s | throughput ratio |", "|---:|---:|---:|---:|---:|"]
    cells = sorted({(r.get("clients", 1), r["messageBytes"]) for r in rows if r.get("side") == side})
    for clients, size in cells:
        a = push_rounds(rows, side, "pipekit", size, clients)
        b = push_rounds(rows, side, peer, size, clients)
        if a and b:
            lines.append(f"| {clients} | {size:,} B | {fmt(med(a, 'messagesPerSecond'))} | {fmt(med(b, 'messagesPerSecond'))} "
                         f"| {fmt_ratio(ratio(a, b, 'messagesPerSecond'))} |")
    return "\n".join(lines)


def stream_rounds(rows, side, client, direction):
    return {r["round"]: r for r in rows if r.get("side") == side and r.get("client") == client
            and r.get("direction") == direction}


STREAM_CLIENTS = [("pipekit-stream", "pipekit streams (`byte[]`)"), ("pipekit-channel", "pipekit channel (direct buffer)"),
                  ("pipekit-socket", "`PipeSocket` streams (`byte[]`)"), ("plain-jdk", "plain JDK (`byte[]`)")]


def stream_table(rows, side):
    """Stream throughput: MB/s through the same C stream server, each Java client beside the C client
    of the same round, with the heap pipekit's client thread allocated per 64 KiB call."""
    lines = ["| direction | client | MB/s | ÷ C client | heap per 64 KiB call |", "|---|---|---:|---:|---:|"]
    for direction in ("upload", "download"):
        c = stream_rounds(rows, side, "c", direction)
        if not c:
            continue
        lines.append(f"| {direction} | C | {fmt(med(c, 'megabytesPerSecond'))} | 1 | |")
        for client, label in STREAM_CLIENTS:
            a = stream_rounds(rows, side, client, direction)
            if a:
                heap = f"{med(a, 'heapBytesPerChunk'):,.1f} B" if all("heapBytesPerChunk" in r for r in a.values()) else ""
                lines.append(f"| {direction} | {label} | {fmt(med(a, 'megabytesPerSecond'))} "
                             f"| {fmt_ratio(ratio(a, c, 'megabytesPerSecond'))} | {heap} |")
    return "\n".join(lines)


def stream_ratio(rows, client, direction):
    return ratio(stream_rounds(rows, "unix-stream", client, direction), stream_rounds(rows, "unix-stream", "c", direction),
                 "megabytesPerSecond")


def socket_ratio(rows, side, direction):
    """PipeSocket's streams ÷ pipekit's own streams, per round: what the java.net.Socket adapter costs."""
    return ratio(stream_rounds(rows, side, "pipekit-socket", direction), stream_rounds(rows, side, "pipekit-stream", direction),
                 "megabytesPerSecond")


def http_rounds(rows, transport, threads):
    return {r["round"]: r for r in rows if r.get("side") == "http" and r.get("client") == f"httpclient5-{transport}"
            and r.get("threads") == threads}


def http_threads(rows):
    return sorted({r["threads"] for r in rows if r.get("side") == "http"})


def http_ratio(rows, threads):
    """HttpClient's requests per second over the Unix socket ÷ over TCP loopback, per round."""
    return ratio(http_rounds(rows, "unix", threads), http_rounds(rows, "tcp", threads), "requestsPerSecond")


def http_table(rows):
    lines = ["| client threads | Unix socket (PipeSocketFactory) requests/s | TCP loopback requests/s | ratio | Unix median | TCP median | Unix p99 | TCP p99 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for threads in http_threads(rows):
        u, t = http_rounds(rows, "unix", threads), http_rounds(rows, "tcp", threads)
        if u and t:
            lines.append(f"| {threads} | {fmt(med(u, 'requestsPerSecond'))} | {fmt(med(t, 'requestsPerSecond'))} "
                         f"| {fmt_ratio(http_ratio(rows, threads))} | {fmt(med(u, 'medianMicros'), ' µs')} | {fmt(med(t, 'medianMicros'), ' µs')} "
                         f"| {fmt(med(u, 'p99Micros'), ' µs')} | {fmt(med(t, 'p99Micros'), ' µs')} |")
    return "\n".join(lines)


GRPC_TRANSPORTS = [("pipe", "pipe-netty, Unix socket"), ("tcp", "Netty NIO, TCP loopback"), ("epoll-uds", "Netty epoll, Unix socket")]
# Under Wine (side wine-grpc): the same GrpcBench in a Windows JVM, pipe-netty's named pipes beside NIO TCP loopback.
WINE_GRPC_TRANSPORTS = [("pipe", "pipe-netty, named pipes"), ("tcp", "Netty NIO, TCP loopback")]


def grpc_rounds(rows, transport, cell, side="grpc"):
    return {r["round"]: r for r in rows if r.get("side") == side and r.get("server") == transport and r.get("client") == cell}


def grpc_cells(rows, side="grpc"):
    """The gRPC cells measured: unary-N (N calls outstanding) by N, then stream."""
    cells = {r["client"] for r in rows if r.get("side") == side}
    return sorted((c for c in cells if c.startswith("unary-")), key=lambda c: int(c.split("-")[1])) + sorted(c for c in cells if c == "stream")


def grpc_field(cell):
    return "megabytesPerSecond" if cell == "stream" else "callsPerSecond"


def grpc_cpu_field(cell):
    return "cpuMicrosPerMegabyte" if cell == "stream" else "cpuMicrosPerCall"


def grpc_cpu_ratio(rows, cell, peer, side="grpc"):
    """pipe-netty ÷ peer for the process's CPU time per call (per MB), per round; None before the driver measured it."""
    field = grpc_cpu_field(cell)
    a, b = ({k: r for k, r in grpc_rounds(rows, t, cell, side).items() if field in r} for t in ("pipe", peer))
    return ratio(a, b, field)


def wineserver_field(cell):
    return "wineserver" + grpc_cpu_field(cell)[0].upper() + grpc_cpu_field(cell)[1:]


def wine_grpc_cpu_rounds(rows, transport, cell):
    """Per round, the Windows JVM's CPU per call (per MB) plus the wineserver's over the same timed window, as "cpu"."""
    field, ws = grpc_cpu_field(cell), wineserver_field(cell)
    return {k: {"cpu": r[field] + r[ws], "jvm": r[field], "wineserver": r[ws]}
            for k, r in grpc_rounds(rows, transport, cell, "wine-grpc").items() if field in r and ws in r}


def grpc_quiet_cells(rows, side):
    """(cells whose JIT went quiet before the timed run, cells that say): (0, 0) for results from before GrpcBench said."""
    cells = [r for r in rows if r.get("side") == side and "jitQuiet" in r]
    return sum(1 for r in cells if r["jitQuiet"]), len(cells)


def grpc_warm_note(rows, side, fixed_warm_up=False):
    """How long the JIT still compiled in the side's timed windows, and (unless they warm up for a fixed count) how many
    cells went quiet first; empty for results from before GrpcBench said."""
    jit = sorted(r["jitMillisTimed"] for r in rows if r.get("side") == side and "jitMillisTimed" in r)
    if not jit:
        return ""
    quiet, cells = grpc_quiet_cells(rows, side)
    went_quiet = "" if fixed_warm_up else f" The JIT went quiet before the timed run in {quiet} of {cells} cells."
    return f"{went_quiet} In the timed windows the JIT compiled for {statistics.median(jit):,.0f} ms (median; at most {jit[-1]:,} ms)."


# pipe-netty's Unix gRPC cells: the peer, the goal pipe-netty ÷ peer must reach, and the peer's name (issue 27).
UNIX_GRPC_GOALS = (("tcp", 1.0, "Netty NIO over TCP loopback"), ("epoll-uds", 0.9, "Netty's epoll domain-socket transport"))


def grpc_ratio(rows, cell, peer, side="grpc"):
    """pipe-netty ÷ peer for the cell's throughput, per round."""
    return ratio(grpc_rounds(rows, "pipe", cell, side), grpc_rounds(rows, peer, cell, side), grpc_field(cell))


def grpc_label(cell):
    if cell == "stream":
        return "server stream of 64 KiB messages, MB/s"
    n = int(cell.split("-")[1])
    return f"unary 64 B echo, {n} call{'s' if n > 1 else ''} outstanding, calls/s"


def grpc_table(rows):
    lines = ["| cell | " + " | ".join(label for _, label in GRPC_TRANSPORTS) + " | pipe-netty ÷ TCP | pipe-netty ÷ epoll UDS "
             "| CPU per call (per MB): pipe-netty ÷ TCP | ÷ epoll UDS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for cell in grpc_cells(rows):
        medians = [fmt(med(grpc_rounds(rows, t, cell), grpc_field(cell)) if grpc_rounds(rows, t, cell) else None) for t, _ in GRPC_TRANSPORTS]
        lines.append(f"| {grpc_label(cell)} | " + " | ".join(medians)
                     + f" | {fmt_ratio(grpc_ratio(rows, cell, 'tcp'))} | {fmt_ratio(grpc_ratio(rows, cell, 'epoll-uds'))} "
                     + "".join(f"| {fmt_ratio(grpc_cpu_ratio(rows, cell, peer))} " for peer in ('tcp', 'epoll-uds')) + "|")
    return "\n".join(lines)


def wine_grpc_table(rows):
    lines = ["| cell | " + " | ".join(label for _, label in WINE_GRPC_TRANSPORTS) + " | pipe-netty ÷ TCP "
             "| CPU per call (per MB), the JVM: pipe-netty ÷ TCP | the JVM and the wineserver: pipe-netty ÷ TCP "
             "| µs per call (per MB), JVM + wineserver: pipe-netty | TCP |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for cell in grpc_cells(rows, "wine-grpc"):
        medians = [fmt(med(grpc_rounds(rows, t, cell, "wine-grpc"), grpc_field(cell)) if grpc_rounds(rows, t, cell, "wine-grpc") else None)
                   for t, _ in WINE_GRPC_TRANSPORTS]
        pipe, tcp = (wine_grpc_cpu_rounds(rows, t, cell) for t in ("pipe", "tcp"))
        split = [f"{fmt(med(c, 'jvm'))} + {fmt(med(c, 'wineserver'))}" if c else "n/a" for c in (pipe, tcp)]
        lines.append(f"| {grpc_label(cell)} | " + " | ".join(medians)
                     + f" | {fmt_ratio(grpc_ratio(rows, cell, 'tcp', 'wine-grpc'))} | {fmt_ratio(grpc_cpu_ratio(rows, cell, 'tcp', 'wine-grpc'))} "
                     + f"| {fmt_ratio(ratio(pipe, tcp, 'cpu'))} | {split[0]} | {split[1]} |")
    return "\n".join(lines)


def check_rows(raw):
    """The smoke's check, on no timing: PipeSocket's stream rows (Unix, and Wine where it ran), the
    HTTP rows of both transports and the 1 MiB client cell are there, each with a positive figure.
    Returns what is missing."""
    rows = load(raw)
    missing = []
    sides = ["unix-stream"] + (["wine-stream"] if any(r.get("side") == "wine-stream" for r in rows) else [])
    for side in sides:
        for direction in ("upload", "download"):
            for client in ("pipekit-stream", "pipekit-socket"):
                found = stream_rounds(rows, side, client, direction)
                if not found or not all(r.get("megabytesPerSecond", 0) > 0 for r in found.values()):
                    missing.append(f"{side} {client} {direction}")
    threads = http_threads(rows) or [1]
    for n in threads:
        for transport in ("unix", "tcp"):
            found = http_rounds(rows, transport, n)
            if not found or not all(r.get("requestsPerSecond", 0) > 0 and r.get("requests", 0) > 0 for r in found.values()):
                missing.append(f"http httpclient5-{transport} {n} thread(s)")
    if len(threads) < 2:
        missing.append("http: several client threads")
    # gRPC over pipe-netty, TCP loopback and epoll domain sockets: one unary cell with one call
    # outstanding, one with several, and the stream.
    cells = grpc_cells(rows)
    if len([c for c in cells if c.startswith("unary-")]) < 2 or "stream" not in cells:
        missing.append("grpc: unary with one and with several calls outstanding, and the stream")
    for cell in cells:
        for transport, _ in GRPC_TRANSPORTS:
            found = grpc_rounds(rows, transport, cell)
            if not found or not all(r.get(grpc_field(cell), 0) > 0 for r in found.values()):
                missing.append(f"grpc {transport} {cell}")
    # The same under Wine, named pipes beside TCP loopback in one Windows JVM, wherever the Wine side ran.
    if any(r.get("side", "").startswith("wine") for r in rows):
        cells = grpc_cells(rows, "wine-grpc")
        if len([c for c in cells if c.startswith("unary-")]) < 2 or "stream" not in cells:
            missing.append("wine-grpc: unary with one and with several calls outstanding, and the stream")
        for cell in cells:
            for transport, _ in WINE_GRPC_TRANSPORTS:
                found = grpc_rounds(rows, transport, cell, "wine-grpc")
                if not found or not all(r.get(grpc_field(cell), 0) > 0 for r in found.values()):
                    missing.append(f"wine-grpc {transport} {cell}")
    # pipekit's client and the C clients at 1 MiB on the C echo server (the only client cell the smoke's sizes reach).
    for client in ("c", "c-poll", "pipekit"):
        found = per_round(rows, "unix-client", "c-epoll", client, 1, 1048576)
        if not found or not all(r.get("medianMicros", 0) > 0 for r in found.values()):
            missing.append(f"unix-client {client} 1 MiB")
    return missing


def cells_of(rows, side, client):
    return sorted({(r["clients"], r["messageBytes"]) for r in rows if r.get("side") == side and r.get("client") == client})


REQUEST_SERVERS = [("c-sample", "C sample server", "round trip"), ("pipekit", "pipekit `pipe-server --quiet`", "round trip"),
                   ("c-push", "C push server (bench/c/pipe_push.c)", "push"),
                   ("c-push-routine", "the C push server with `WriteFileEx`, a routine per message (`server-ex`: the sample's design)", "push"),
                   ("c-push-overlapped", "the C push server with an overlapped `WriteFile` (`server-ovl`)", "push"),
                   ("pipekit-push", "pipekit, pushing from a thread of its own (bench/java/PushServer.java)", "push"),
                   ("pipekit-push-loop", "pipekit, pushing from the server thread (`PushServer NAME loop`)", "push")]


def request_rows(rows):
    return {r["server"]: r for r in rows if r.get("side") == "wine-requests"}


def request_ratio(by, a, b):
    """Median and spread of the per-repetition ratios a/b (repetitions run side by side)."""
    if a not in by or b not in by:
        return None
    values = [x["perTrip"] / y["perTrip"] for x, y in zip(by[a]["reps"], by[b]["reps"]) if y["perTrip"]]
    return (statistics.median(values), min(values), max(values)) if values else None


def medians_of(reps, field):
    keys = {k for r in reps for k in r[field]}
    out = {k: statistics.median(r[field].get(k, 0) for r in reps) for k in keys}
    return {k: v for k, v in out.items() if abs(v) >= 0.05}


def describe(counts):
    # Ties in name order, so that the same results always give the same page.
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) or "–"


def requests_table(by):
    lines = ["| server | per message: median [min–max] | by thread (medians) | by request (medians) | first 500 round trips, by thread |",
             "|---|---:|---|---|---|"]
    for server, title, unit in REQUEST_SERVERS:
        if server not in by:
            continue
        r = by[server]
        values = [x["perTrip"] for x in r["reps"]]
        cold = r.get("cold") or {}
        cold_text = f"{cold['perTrip']:.2f}: " + describe({k: v for k, v in cold["threads"].items() if v >= 0.05}) if cold else "n/a"
        lines.append(f"| {title} | {statistics.median(values):.2f} per {unit} [{min(values):.2f}–{max(values):.2f}] "
                     f"| {describe(medians_of(r['reps'], 'threads'))} | {describe(medians_of(r['reps'], 'types'))} | {cold_text} |")
    return "\n".join(lines)



# The probe's results at adcb023, before the per-message calls were direct-mapped and before the
# loop stopped waking itself: bench/wine_requests.sh run on a checkout of that commit (full mode).
BEFORE = ("adcb023", "bench/results/requests-adcb023.jsonl")


def before_after_table(by, before_path):
    try:
        with open(before_path) as f:
            before = {r["server"]: r for r in (json.loads(line) for line in f if line.strip())}
    except OSError:
        return None

    def compilers(phase):
        return sum(v for k, v in (phase or {}).get("threads", {}).items() if "CompilerThread" in k)

    lines = [f"| measure | before ({BEFORE[0]}) | now |", "|---|---:|---:|"]
    rows = [("requests per round trip, steady state, ÷ the C sample", lambda b: fmt_ratio(request_ratio(b, "pipekit", "c-sample"))),
            ("requests per round trip, first 500 round trips", lambda b: f"{b['pipekit']['cold']['perTrip']:.2f} (C sample {b['c-sample']['cold']['perTrip']:.2f})"),
            ("… of them on the JIT's compiler threads", lambda b: f"{compilers(b['pipekit']['cold']):.2f}"),
            ("requests per round trip over the warm-up, on the compiler threads", lambda b: f"{compilers(b['pipekit']['warmup']):.2f} over {b['pipekit']['warmup']['trips']:,}"),
            ("requests per push from the server thread", lambda b: f"{b['pipekit-push-loop']['perTrip']:.2f} (C push server {b['c-push']['perTrip']:.2f})"),
            ("requests per push from a thread of its own", lambda b: f"{b['pipekit-push']['perTrip']:.2f}")]
    for what, cell in rows:
        try:
            lines.append(f"| {what} | {cell(before)} | {cell(by)} |")
        except (KeyError, TypeError):
            pass
    return "\n".join(lines)


def plot(rows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    for col, (side, peer, label) in enumerate([("unix", "c-epoll", "Unix sockets: C epoll server"),
                                              ("wine", "c-sample", "Wine named pipes: C sample server")]):
        for server, name, style in [("pipekit", "pipekit", "o-"), (peer, label.split(": ")[1], "s--")]:
            points = defaultdict(list)
            for r in rows:
                if r.get("side") == side and r.get("server") == server and r.get("client") == "c" and r.get("messageBytes") == 64:
                    points[r["clients"]].append(r)
            xs = sorted(points)
            if not xs:
                continue
            axes[0][col].plot(xs, [statistics.median(p["medianMicros"] for p in points[x]) for x in xs], style, label=name)
            axes[1][col].plot(xs, [statistics.median(p["roundTripsPerSecond"] for p in points[x]) for x in xs], style, label=name)
        axes[0][col].set_title(f"{label.split(':')[0]}, 64-byte messages, C client")
        axes[0][col].set_ylabel("median round trip (µs)")
        axes[1][col].set_ylabel("round trips per second")
        for row in (0, 1):
            axes[row][col].set_xlabel("concurrent clients")
            axes[row][col].set_xscale("log", base=2)
            axes[row][col].grid(True, alpha=0.3)
            axes[row][col].legend()
    fig.suptitle("pipekit beside C, same client, same machine, same run (medians over rounds)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def stream_bytes(rows):
    sizes = {r["bytes"] for r in rows if r.get("side") == "unix-stream"}
    if not sizes:
        return "n/a"
    size = max(sizes)
    return f"{size // (1 << 20)} MiB" if size >= 1 << 20 else f"{size:,} B"


def main(raw, md, png):
    rows = load(raw)
    meta = next((r for r in rows if r.get("side") == "meta"), {})
    wine_meta = next((r for r in rows if r.get("side") == "wine-meta"), {})
    # A run of one part (--only grpc) has no round-trip rows: its rounds are its own.
    rounds = max((r["round"] for r in rows if r.get("client") in ("c", "pipekit")),
                 default=max((r["round"] for r in rows if isinstance(r.get("round"), int)), default=0))
    has_wine = any(r.get("side") == "wine" for r in rows)

    unix_med_1 = ratio(per_round(rows, "unix-pinned", "pipekit", "c", 1, 64), per_round(rows, "unix-pinned", "c-epoll", "c", 1, 64), "medianMicros")
    unix_tp_16 = ratio(per_round(rows, "unix", "pipekit", "c", 16, 64), per_round(rows, "unix", "c-epoll", "c", 16, 64), "roundTripsPerSecond")
    wine_med = ratio(per_round(rows, "wine", "pipekit", "c", 1, 64), per_round(rows, "wine", "c-sample", "c", 1, 64), "medianMicros")
    wine_p99 = ratio(per_round(rows, "wine", "pipekit", "c", 1, 64), per_round(rows, "wine", "c-sample", "c", 1, 64), "p99Micros")
    wine_tp_8 = ratio(per_round(rows, "wine", "pipekit", "c", 8, 64), per_round(rows, "wine", "c-sample", "c", 8, 64), "roundTripsPerSecond")
    client_64k = ratio(per_round(rows, "unix-pinned", "c-epoll", "pipekit", 1, 65536), per_round(rows, "unix-pinned", "c-epoll", "c", 1, 65536), "medianMicros")
    # The same clients unpinned, as a user's program runs: the C client blocks in read.
    client_64k_unpinned = ratio(per_round(rows, "unix", "c-epoll", "pipekit", 1, 65536), per_round(rows, "unix", "c-epoll", "c", 1, 65536), "medianMicros")
    stream_up = stream_ratio(rows, "pipekit-stream", "upload")
    stream_down = stream_ratio(rows, "pipekit-stream", "download")
    channel_up = stream_ratio(rows, "pipekit-channel", "upload")
    channel_down = stream_ratio(rows, "pipekit-channel", "download")
    plain_up = stream_ratio(rows, "plain-jdk", "upload")
    plain_down = stream_ratio(rows, "plain-jdk", "download")
    sockets = [(f"Unix, stream {direction} of {stream_bytes(rows)}: `PipeSocket` streams ÷ `PipeClient.{api}()`, same `byte[]`",
                socket_ratio(rows, "unix-stream", direction)) for direction, api in (("upload", "outputStream"), ("download", "inputStream"))]
    if any(r.get("side") == "wine-stream" for r in rows):
        sockets += [(f"Wine, byte-type pipe, stream {direction}: `PipeSocket` streams ÷ `PipeClient.{api}()`, same `byte[]`",
                     socket_ratio(rows, "wine-stream", direction)) for direction, api in (("upload", "outputStream"), ("download", "inputStream"))]
    https = [(threads, http_ratio(rows, threads)) for threads in http_threads(rows)]
    stream_heap = [r["heapBytesPerChunk"] for r in rows if r.get("side") in ("unix-stream", "wine-stream")
                   and r.get("client", "").startswith("pipekit") and "heapBytesPerChunk" in r]
    probes = [r for r in rows if r.get("client") == "probe"]
    startup = defaultdict(list)
    for r in rows:
        if r.get("client") == "startup":
            startup[r["side"]].append(r["startupMillis"])

    out = []
    w = out.append
    w("# Performance\n")
    w("_Generated by `bench/run.sh` from its raw results; do not edit by hand. Reproduce with `bench/run.sh` "
      "(about 45 minutes on 2 cores; the Windows side needs Docker and the Wine test bed image)._\n")
    w("Every comparison below is pipekit beside a peer built from source by the script, measured in the same run on "
      f"the same client, message sizes and machine, interleaved over {rounds} round(s). Ratios are pipekit ÷ peer: the "
      "median of the per-round ratios, with their spread [min–max]. Below 1 is better for round-trip times, above 1 "
      "for throughput.\n")
    w("## Machine and versions\n")
    w(f"- CPU: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores; Linux {meta.get('kernel', '?')}")
    w(f"- Java: {meta.get('java', '?')}; gcc: {meta.get('gcc', '?')}")
    if wine_meta:
        w(f"- Wine: {wine_meta.get('wine', '?')}; Windows Java under Wine: {wine_meta.get('windowsJava', '?')}")
    w("")
    w("![round-trip time and throughput against client count](performance.png)\n")
    w("## Targets\n")
    w("| target | measured | status |")
    w("|---|---|---|")
    w(f"| Wine, same C client, 1 client, 64 B: median ≤ 1.10× the C sample server | {fmt_ratio(wine_med)} | {verdict(wine_med and wine_med[0], 1.10)} |")
    w(f"| Wine, same C client, 1 client, 64 B: p99 ≤ 1.25× | {fmt_ratio(wine_p99)} | {verdict(wine_p99 and wine_p99[0], 1.25)} |")
    w(f"| Wine, 8 clients, 64 B: throughput ≥ 0.90× | {fmt_ratio(wine_tp_8)} | {verdict(wine_tp_8 and wine_tp_8[0], 0.90, True)} |")
    requests = request_rows(rows)
    requests_rt = request_ratio(requests, "pipekit", "c-sample")
    if requests_rt:
        w(f"| Wine, 1 client, 64 B: wineserver requests per round trip, every thread of the server process, ≤ 1.10× the C sample "
          f"(CI's smoke checks ≤ 1.20, and that no other thread or kind of request appears) | {fmt_ratio(requests_rt)} | {verdict(requests_rt[0], 1.10)} |")
    w(f"| Unix, 16 clients, 64 B: throughput ≥ 0.95× the C epoll server | {fmt_ratio(unix_tp_16)} | {verdict(unix_tp_16 and unix_tp_16[0], 0.95, True)} |")
    big_1 = ratio(per_round(rows, "unix", "pipekit", "c", 1, 1048576), per_round(rows, "unix", "c-epoll", "c", 1, 1048576), "medianMicros")
    if big_1:
        w(f"| Unix, 1 client, 1 MiB: median round trip ≤ 1.20× the C epoll server | {fmt_ratio(big_1)} | {verdict(big_1[0], 1.20)} |")
    for clients in (8, 16, 32):
        tp = ratio(per_round(rows, "unix", "pipekit", "c", clients, 65536), per_round(rows, "unix", "c-epoll", "c", clients, 65536), "roundTripsPerSecond")
        if tp:
            w(f"| Unix, {clients} clients, 64 KiB: throughput ≥ 0.90× the C epoll server | {fmt_ratio(tp)} | {verdict(tp[0], 0.90, True)} |")
    w(f"| Unix, 1 client, both pinned to one core: median ≤ 1.15× C | {fmt_ratio(unix_med_1)} | {verdict(unix_med_1 and unix_med_1[0], 1.15)} |")
    w(f"| Unix, 1 client, 64 KiB, same C echo server, all pinned to one core: pipekit's client median ≤ 1.25× the C client | {fmt_ratio(client_64k)} | {verdict(client_64k and client_64k[0], 1.25)} |")
    w(f"| Unix, 1 client, 64 KiB, same C echo server, unpinned: pipekit's client median ≤ 1.15× the C client (which blocks in `read`) | {fmt_ratio(client_64k_unpinned)} | {verdict(client_64k_unpinned and client_64k_unpinned[0], 1.15)} |")
    for side, label in (("unix-push", "Unix"), ("wine-push", "Wine")):
        for size, goal in ((64, 1.0 if side == "unix-push" else 0.90), (65536, 0.90)):
            a = push_rounds(rows, side, "pipekit", size)
            b = push_rounds(rows, side, "c-push", size)
            if a and b:
                measured = ratio(a, b, "messagesPerSecond")
                w(f"| {label}, server push from a thread of its own, {size:,} B: messages/s ≥ {goal:.2f}× the C push server "
                  f"(same C client, both warmed up) | {fmt_ratio(measured)} | {verdict(measured and measured[0], goal, True)} |")
    push_requests = request_ratio(requests, "pipekit-push", "c-push")
    if push_requests:
        w(f"| Wine, server push from a thread of its own: wineserver requests per push ≤ 1.50× the C push server | "
          f"{fmt_ratio(push_requests)} | {verdict(push_requests[0], 1.50)} |")
    for what, measured in [(f"upload of {stream_bytes(rows)} through `channel()`, direct buffer", channel_up),
                           (f"download of {stream_bytes(rows)} through `channel()`, direct buffer", channel_down),
                           (f"upload of {stream_bytes(rows)} through `outputStream()`, `byte[]` (plain JDK: {fmt_ratio(plain_up)})", stream_up),
                           (f"download of {stream_bytes(rows)} through `inputStream()`, `byte[]` (plain JDK: {fmt_ratio(plain_down)})", stream_down)]:
        w(f"| Unix, stream {what}: throughput ≥ 0.80× the C client | {fmt_ratio(measured)} | {verdict(measured and measured[0], 0.80, True)} |")
    for what, measured in sockets:
        w(f"| {what} ≥ 0.90× (the adapter adds no copy) | {fmt_ratio(measured)} | {verdict(measured and measured[0], 0.90, True)} |")
    for threads, measured in https:
        w(f"| HTTP, Apache HttpClient 5, {threads} client thread(s), keep-alive: requests/s over a Unix socket through `PipeSocketFactory` "
          f"≥ 1.0× over TCP loopback, same Go server process | {fmt_ratio(measured)} | {verdict(measured and measured[0], 1.0, True)} |")
    for cell in grpc_cells(rows):
        for peer, goal, label in UNIX_GRPC_GOALS:
            measured = grpc_ratio(rows, cell, peer)
            w(f"| gRPC, {grpc_label(cell)}: grpc-java over pipe-netty's Unix channels ≥ {goal:.1f}× the same server and client "
              f"over {label} | {fmt_ratio(measured)} | {verdict(measured and measured[0], goal, True)} |")
    for cell in grpc_cells(rows, "wine-grpc"):
        measured = grpc_ratio(rows, cell, "tcp", "wine-grpc")
        w(f"| gRPC under Wine, {grpc_label(cell)}: grpc-java over pipe-netty's named pipes ≥ 1.0× the same server and client "
          f"over Netty NIO TCP loopback in the same Windows JVM (Windows' goal; under Wine this is Wine's named-pipe path "
          f"against its socket path, not Windows) | {fmt_ratio(measured)} | {verdict(measured and measured[0], 1.0, True)} |")
    if stream_heap:
        w(f"| streams: no heap allocated per 64 KiB call in steady state (the largest average over any run) | "
          f"{max(stream_heap):,.1f} B | {verdict(max(stream_heap), 1.0)} |")
    for p in probes:
        if "serverHeapBytesPerPush" in p:
            w(f"| {p['side']}, {p['messageBytes']} B: heap per pushed message (pushing and server threads) ≤ the message's own array "
              f"({p['messageBytes']} + 16) | {p['serverHeapBytesPerPush']:,.1f} B | {verdict(round(p['serverHeapBytesPerPush']), p['messageBytes'] + ARRAY_HEADER)} |")
            w(f"| {p['side']}, {p['messageBytes']} B: zero native allocations per pushed message in steady state | "
              f"{p['nativeAllocationsPerPush']:.4f} | {verdict(p['nativeAllocationsPerPush'], 0)} |")
        w(f"| {p['side']}, {p['messageBytes']} B: zero native allocations per round trip in steady state | "
          f"{p['nativeAllocationsPerRoundTrip']:.4f} | {verdict(p['nativeAllocationsPerRoundTrip'], 0)} |")
        w(f"| {p['side']}, {p['messageBytes']} B: server heap per round trip, to the whole byte, ≤ the message's own bytes "
          f"(as a Java array: {p['messageBytes']} + 16-byte header) | "
          f"{p['serverHeapBytesPerRoundTrip']:,.1f} B | {verdict(round(p['serverHeapBytesPerRoundTrip']), p['messageBytes'] + ARRAY_HEADER)} |")
    w("")
    w("## Unix domain sockets: pipekit's server beside the C epoll server (same C client)\n")
    w(comparison_table(rows, "unix", "pipekit", "c-epoll", "c", cells_of(rows, "unix", "c")))
    w("")
    w("## Unix domain sockets: pipekit's client beside C clients (same C echo server, 1 client)\n")
    w("The C client blocks in `read` and `write`; with `--poll` it waits for readiness with `poll()` first, as a "
      "client must that can time out or be closed from another thread (pipekit's waits in a selector). Unpinned, "
      "each round trip crosses cores twice, and on this virtual machine that wake-up dominates and varies from run "
      "to run (the C pair alone took 7 µs at 64 B in one run and 47 µs in another): read those rows as noise bands. "
      "Pinned to one core, no wake-up crosses cores, and the ratio is what each client's own path costs.\n")
    lines = ["| placement | message | pipekit median | C median | C (poll) median | ratio to C | ratio to C (poll) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    # unix-client: the 1 MiB cell, measured apart from the server table's (bench/run.sh says why).
    for side, placement in (("unix", "unpinned"), ("unix-client", "unpinned"), ("unix-pinned", "one core")):
        for size in sorted({r["messageBytes"] for r in rows if r.get("side") == side and r.get("client") == "c-poll"}):
            a = per_round(rows, side, "c-epoll", "pipekit", 1, size)
            b = per_round(rows, side, "c-epoll", "c", 1, size)
            c = per_round(rows, side, "c-epoll", "c-poll", 1, size)
            if a and b and c:
                lines.append(f"| {placement} | {size:,} B | {fmt(med(a, 'medianMicros'), ' µs')} | {fmt(med(b, 'medianMicros'), ' µs')} "
                             f"| {fmt(med(c, 'medianMicros'), ' µs')} | {fmt_ratio(ratio(a, b, 'medianMicros'))} "
                             f"| {fmt_ratio(ratio(a, c, 'medianMicros'))} |")
    w("\n".join(lines))
    w("")
    w("## Unix domain sockets: pipekit client and server beside a plain JDK SocketChannel ping-pong (1 client)\n")
    lines = ["| message | pipekit median | plain JDK median | median ratio | p99 ratio |", "|---:|---:|---:|---:|---:|"]
    for size in sorted({r["messageBytes"] for r in rows if r.get("server") == "plain-jdk"}):
        a = per_round(rows, "unix", "pipekit", "pipekit", 1, size)
        b = per_round(rows, "unix", "plain-jdk", "plain-jdk", 1, size)
        if a and b:
            lines.append(f"| {size:,} B | {fmt(med(a, 'medianMicros'), ' µs')} | {fmt(med(b, 'medianMicros'), ' µs')} "
                         f"| {fmt_ratio(ratio(a, b, 'medianMicros'))} | {fmt_ratio(ratio(a, b, 'p99Micros'))} |")
    w("\n".join(lines))
    w("")
    if any(r.get("side") == "unix-push" for r in rows):
        w("## Server push, Unix domain sockets: pipekit's server beside a C server (same C client)\n")
        w("The client asks for N messages (64 B: N; 64 KiB: N/10; with 8 clients, each asks for an eighth at once, and the "
          "rate is all their messages over the slowest one's time) and times them from its request to the last byte, "
          "after asking each server for the same push untimed (in a full run twice, a 64 KiB cell twenty times: 40,000 "
          "messages either way), so that pipekit's JIT has compiled the push path, as the other tables' warm-up lets it. "
          "pipekit pushes with `Connection.send` from a thread of its own (bench/java/PushServer.java), keeping at most "
          "64 sends, and never more than the send queue's bound, in flight; the C server (bench/c/uds_push.c) writes "
          "with blocking `write` calls, in a process of its own per client.\n")
        w(push_table(rows, "unix-push", "c-push"))
        w("")
    if any(r.get("side") == "unix-stream" for r in rows):
        w("## Stream throughput, Unix domain sockets: pipekit's streams beside a C client (same C stream server)\n")
        w(f"A byte-type pipe's stream: {stream_bytes(rows)} uploaded (then one byte of acknowledgement) or downloaded "
          "in 64 KiB calls on one connection, by each client in turn against the same C server (bench/c/uds_stream.c). "
          "Every client makes the same untimed transfers first (at least 512 MiB, for the JIT) and reports the median "
          "of nine timed ones. pipekit's client (bench/java/StreamClient.java, byte read mode) runs twice: through "
          "`PipeClient.inputStream()`/`outputStream()` with a heap `byte[]`, and through `PipeClient.channel()` with a "
          "direct `ByteBuffer`, whose bytes live outside the Java heap as the C client's do. The plain-JDK client "
          "(bench/java/PlainStream.java) is a blocking `SocketChannel` copying each call between a heap array and one "
          "direct buffer: what any Java stream over `byte[]`s pays. The heap column is what pipekit's client thread "
          "allocated per call during the timed transfers.\n")
        w(stream_table(rows, "unix-stream"))
        w("")
    if any(r.get("side") == "http" for r in rows):
        w("## HTTP over a Unix socket through `PipeSocketFactory`, beside TCP loopback (same client, same server)\n")
        w("One Go `net/http` server process (bench/go/http_both.go, what the Docker engine serves its API with) listens on "
          "a Unix socket and on 127.0.0.1 with one handler, which answers every `GET` with 2 bytes and a Content-Length. "
          "Apache HttpClient 5 classic (bench/java/HttpRequests.java) keeps one keep-alive connection per client thread in "
          "its pool and requests the same URL over either: its connections get a `PipeSocket` from `PipeSocketFactory` or a "
          "plain `java.net.Socket`, and nothing else differs. Each thread makes untimed requests first (the JIT); then the "
          "threads make the timed ones between them. The two transports take turns in every round; the ratio is Unix ÷ TCP "
          "per round.\n")
        w(http_table(rows))
        w("")
    if any(r.get("side") == "grpc" for r in rows):
        w("## gRPC over pipe-netty, beside Netty's NIO TCP loopback and Netty's epoll domain sockets\n")
        w("bench/java/GrpcBench.java: grpc-java 1.79's Netty server and Netty client in one JVM, each on an event loop "
          "group of one thread, calls run on it (`directExecutor()`), a method of raw bytes (no protobuf): the same code on "
          "three transports, only the channel classes and the address differ. Unary: 64-byte echo calls, with 1 or 32 kept "
          "outstanding on one connection; stream: one server-streaming call of 64 KiB messages, flow-controlled by the "
          "client. Each cell runs in a JVM of its own" + (
              " and is timed in the steady state: untimed calls (downloads) first, in batches, until two windows in a row "
              "of at least 200 ms in which the JIT compiled for under 1% of their time (timed after a fixed 20,000 calls instead, 32 "
              "outstanding did half the calls/s of a settled JVM, at about three times the CPU per call)."
              if any(r.get("warmBatches", 0) > 1 for r in rows if r.get("side") == "grpc") else
              ", untimed calls (downloads) first, a fixed number of them, so the JIT may still be compiling when the timed "
              "run starts.") +
          " The transports take turns in every round; the ratios are pipe-netty ÷ peer per round. The CPU columns are the "
          "process's CPU time per call (per MB streamed), pipe-netty ÷ peer: below 1 is cheaper, and on a machine shared "
          "with other work they move less than the rates do." + grpc_warm_note(rows, "grpc") + "\n")
        w(grpc_table(rows))
        w("")
    if any(r.get("side") == "wine-grpc" for r in rows):
        wine_grpc_calls = " or ".join(f"{n:,}" for n in sorted({r["calls"] for r in rows if r.get("side") == "wine-grpc" and "calls" in r}))
        w("## gRPC over pipe-netty's named pipes under Wine, beside Netty NIO TCP loopback in the same Windows JVM\n")
        w("The same bench/java/GrpcBench.java, cells and order as above, in the test bed's Windows JVM under Wine: over "
          "pipe-netty's named-pipe channels on its completion-routine loop (`PipeEventLoopGroup`, `NamedPipeServerChannel`, "
          "`NamedPipeChannel`: `PipeNetty`'s classes on Windows), and over Netty's NIO TCP on 127.0.0.1 in the same "
          "container, the transports taking turns in every round. **This is not a measurement of Windows.** Under Wine "
          "every named-pipe operation is a request to the `wineserver` process, and Wine's sockets are Linux sockets "
          "driven through it as well, each path with costs of its own: the ratio compares Wine's named-pipe path with "
          "its socket path, with pipe-netty's and NIO's code on top, not the two on Windows, whose kernel serves both. "
          "The CPU columns are the Windows JVM's CPU time per call (per MB streamed), and the JVM's plus the wineserver's "
          "over the same timed window (nothing else runs in the container then): the wineserver does much of either "
          "transport's work, so the JVM's figure alone would leave it out. Fewer calls are timed than on Unix "
          f"({wine_grpc_calls} per cell), as a call costs far more here" + (
              ", after the JIT went quiet (GrpcBench warmed each cell up in batches, as on Unix)." + grpc_warm_note(rows, "wine-grpc")
              if any(r.get("warmBatches", 0) > 1 for r in rows if r.get("side") == "wine-grpc") else
              ", and after a fixed warm-up (`WINE_GRPC_MAX_WARM_SECONDS` 0, or a smoke run), "
              "not a quiet JIT." + grpc_warm_note(rows, "wine-grpc", fixed_warm_up=True)) + "\n")
        w(wine_grpc_table(rows))
        w("")
    if has_wine:
        w("## Windows named pipes under Wine: pipekit's server beside the documented C sample server (same C client)\n")
        w("Both servers are separate processes that log each request, as the sample does. Each round starts each "
          "server once and warms it up with the same round trips (30,000 in a full run: under Wine the JVM's JIT "
          "takes tens of thousands to compile the hot path), spread over ten connections (the first few clients to "
          "connect and leave make the JIT throw away and redo its work on the hot path, "
          "`CompletionRoutineLoop.completed`, for thousands of round trips each), before timing every client count "
          "and size against it; "
          "with one client, where a round trip is a few hundred microseconds and the machine's state moves it by a "
          "fifth, each cell is timed three times in a row and counts as the median of the three. "
          "The sample reads 8 KiB requests and ignores `ERROR_MORE_DATA`, so it cannot serve 64 KiB messages: the Wine "
          "comparison stops at 4 KiB.\n")
        w(comparison_table(rows, "wine", "pipekit", "c-sample", "c", cells_of(rows, "wine", "c")))
        w("")
        if any(r.get("side") == "wine-stream" for r in rows):
            w("## Stream throughput, byte-type named pipes under Wine: pipekit's streams beside a C client\n")
            w("As on Unix, through a byte-type pipe served by bench/c/pipe_stream.c; every 64 KiB `ReadFile` or "
              "`WriteFile` is a request to the `wineserver` process, which sets the pace for both clients.\n")
            w(stream_table(rows, "wine-stream"))
            w("")
        if any(r.get("side") == "wine-push" for r in rows):
            w("## Server push, named pipes under Wine: pipekit's server beside a C server (same C client)\n")
            w("As on Unix; the C server (bench/c/pipe_push.c) writes with blocking `WriteFile` calls on a message-type "
              "pipe with 64 KiB buffers, and the client reads in message mode. pipekit's `PushServer` makes its pipes with "
              "the same buffers (`inBufferSize`, `outBufferSize`; `PipeServer` keeps the sample's 4 KiB by default, "
              "through which each 64 KiB message waits for the reader).\n")
            w(push_table(rows, "wine-push", "c-push"))
            w("")
    if requests:
        push_ratio = request_ratio(requests, "pipekit-push", "c-push")
        push_loop_ratio = request_ratio(requests, "pipekit-push-loop", "c-push")
        w("## Kernel transitions per message under Wine: wineserver requests\n")
        w("Under Wine every operation on a kernel object (a wait, a pipe read or write, an event set, an async result "
          "fetched) is a request to the `wineserver` process, and the wineserver can log each one with the thread that "
          "made it (`wineserver -d1`). bench/wine_requests.sh runs each server in the test bed with that trace on and "
          "drives it with one C client connection (bench/c/pipe_probe_client.c, 64-byte messages) in phases: the first "
          "500 round trips, a warm-up, then repetitions of a short and a long phase, every server's next to the "
          "others'. Requests per message are (long − short) ÷ (difference in messages), counted on every thread of the "
          "server process and on no other process; ratios are the median of the per-repetition ratios.\n")
        w(requests_table(requests))
        w("")
        w(f"pipekit ÷ C sample, per round trip: {fmt_ratio(requests_rt)}. Per push, pipekit ÷ the C push server: "
          f"{fmt_ratio(push_ratio)} from a thread of its own, {fmt_ratio(push_loop_ratio)} from the server thread.\n")
        jdk25 = {r["server"]: r for r in rows if r.get("side") == "wine-requests-jdk25"}
        if "pipekit" in jdk25:
            cold25 = jdk25["pipekit"]["cold"]
            w(f"The same probe with pipekit on JDK 25 (`JDK=25 bench/wine_requests.sh --smoke`): the first 500 round trips "
              f"cost {cold25['perTrip']:.2f} requests each ({describe({k: v for k, v in cold25['threads'].items() if v >= 0.05})}; "
              f"the C sample {jdk25['c-sample']['cold']['perTrip']:.2f}), and steady state "
              f"{fmt_ratio(request_ratio(jdk25, 'pipekit', 'c-sample'))} the C sample's.\n")
        table = before_after_table(requests, BEFORE[1])
        if table:
            w(f"Before and after the Windows path was made lean (the probe run on a checkout of {BEFORE[0]}, "
              f"results in `{BEFORE[1]}`):\n")
            w(table)
            w("")
        w("How to read it:\n")
        w("- **Not every request is fixed per message.** One `read` and one `write` per round trip are; the `select` "
          "(waits, and the completion routines' APCs being fetched) and `get_async_result` counts depend on whether the "
          "next request is already in the pipe when the server reads again, which is timing. A faster server finds it "
          "there less often and makes *more* requests. That is why the figures are medians of repetitions run side by "
          "side, and why a server slower by a JNA proxy per call once counted fewer.")
        w("- **Only the loop thread touches the pipe.** Every `read` and `write` of pipekit's server process is made by "
          "its loop thread (`pipekit-server NAME`); the check in bench/wine_requests.sh fails otherwise, and "
          "also when another thread, or a kind of request the sample never makes, shows up per message.")
        w("- **The first round trips cost more: the JIT.** While HotSpot compiles the server's hot path, its compiler "
          "threads (`C1 CompilerThread0`, `C2 CompilerThread0`) make requests of their own: on Windows, the "
          "`ThreadCritical` of JDK 17 and 21 is an auto-reset event (`WaitForSingleObject` to enter, `SetEvent` to "
          "leave), taken for every arena chunk a compiler allocates, and under Wine each is a wineserver request. "
          "That is start-up; it ends when compilation does. JDK 25 takes a critical section instead, and its "
          "compilers make no requests. Binding the per-message calls with JNA's direct mapping and direct callbacks "
          "left less code to compile.")
        w("- **Other processes are not counted.** A trace holds every process's requests: the client's own start-up "
          "reads the registry (`open_key`, `enum_key`, `get_key_value`: Wine's `msxml` and URL-protocol keys), and "
          "so do Wine's service processes. Counted by process, none of it is the server's.")
        w("- **Push costs a hand-off.** The C push server writes from the pipe's own thread with blocking `WriteFile`: "
          "a `write` and a wait per message. pipekit's pusher is another thread: its sends reach the loop through an APC "
          "(`queue_apc`, only when the loop has no hand-out pending), and the benchmark's window of 64 sends in flight "
          "parks the pusher until half of it is free (HotSpot's park is an event: `event_op` and `select`). Pushing from "
          "the server thread pays neither: a send made on the loop thread is handed out before its next wait, with no "
          "APC. The C server written the sample's way (`WriteFileEx`, a routine per message) makes a `select` more per "
          "message than with an overlapped `WriteFile` that completes at once; pipekit writes the latter way, and hands "
          "the completion to its instance after the wait.")
        w("")
    w("## Cost per message and start-up\n")
    w("| side | message | server heap per round trip | native allocations per round trip | heap per pushed message | native allocations per push |")
    w("|---|---:|---:|---:|---:|---:|")
    for p in probes:
        push_heap = f"{p['serverHeapBytesPerPush']:,.0f} B" if "serverHeapBytesPerPush" in p else "n/a"
        push_native = f"{p['nativeAllocationsPerPush']:.4f}" if "nativeAllocationsPerPush" in p else "n/a"
        w(f"| {p['side']} | {p['messageBytes']:,} B | {p['serverHeapBytesPerRoundTrip']:,.0f} B | {p['nativeAllocationsPerRoundTrip']:.4f} "
          f"| {push_heap} | {push_native} |")
    w("")
    w("Heap per pushed message counts what `Connection.send` costs the pushing thread and the server thread, with one "
      "message array sent again and again (bench/java/AllocationProbe.java): the future it returns.")
    w("")
    for side, values in sorted(startup.items()):
        w(f"- Client jar, process start to first answered round trip ({side}): median {statistics.median(values):,.0f} ms over {len(values)} runs.")
    w("")
    w("## Where targets are missed, and why\n")
    unix_missed = (unix_med_1 and unix_med_1[0] > 1.15) or (unix_tp_16 and unix_tp_16[0] < 0.95)
    wine_missed = (wine_med and wine_med[0] > 1.10) or (wine_p99 and wine_p99[0] > 1.25) or (wine_tp_8 and wine_tp_8[0] < 0.90)
    wine_heap_missed = any(p["side"] == "wine" and round(p["serverHeapBytesPerRoundTrip"]) > p["messageBytes"] + ARRAY_HEADER for p in probes)
    stream_missed = any(r and r[0] < 0.80 for r in (stream_up, stream_down, channel_up, channel_down))
    wine_push_missed = any(p["side"] == "wine" and "serverHeapBytesPerPush" in p
                           and round(p["serverHeapBytesPerPush"]) > p["messageBytes"] + ARRAY_HEADER for p in probes)
    client_missed = (client_64k and client_64k[0] > 1.25) or (client_64k_unpinned and client_64k_unpinned[0] > 1.15)
    unix_push = [ratio(push_rounds(rows, "unix-push", "pipekit", size), push_rounds(rows, "unix-push", "c-push", size), "messagesPerSecond")
                 for size in (64, 65536)]
    wine_push = [ratio(push_rounds(rows, "wine-push", "pipekit", size), push_rounds(rows, "wine-push", "c-push", size), "messagesPerSecond")
                 for size in (64, 65536)]
    unix_push_missed = any(r and r[0] < goal for r, goal in zip(unix_push, (1.0, 0.90)))
    unix_push_64k_missed = bool(unix_push[1] and unix_push[1][0] < 0.90)
    many_64k_missed = any(tp and tp[0] < 0.90 for tp in (
        ratio(per_round(rows, "unix", "pipekit", "c", clients, 65536), per_round(rows, "unix", "c-epoll", "c", clients, 65536), "roundTripsPerSecond")
        for clients in (8, 16, 32)))
    wine_push_missed_tp = any(r and r[0] < 0.90 for r in wine_push) or bool(push_requests and push_requests[0] > 1.50)
    big_1_missed = (lambda r: r is not None and r[0] > 1.20)(ratio(per_round(rows, "unix", "pipekit", "c", 1, 1048576),
                                                                 per_round(rows, "unix", "c-epoll", "c", 1, 1048576), "medianMicros"))
    wine_grpc_missed = any((lambda r: r is not None and r[0] < 1.0)(grpc_ratio(rows, cell, "tcp", "wine-grpc"))
                           for cell in grpc_cells(rows, "wine-grpc"))
    unix_grpc_missed = any((lambda r: r is not None and r[0] < goal)(grpc_ratio(rows, cell, peer))
                           for cell in grpc_cells(rows) for peer, goal, _ in UNIX_GRPC_GOALS)
    missed = [name for name, was_missed in (
        ("Unix, single client pinned, and 16-client throughput", unix_missed),
        ("Unix, server push", unix_push_missed),
        ("Unix, server push, 64 KiB (issue 28)", unix_push_64k_missed),
        ("Unix, many clients at 64 KiB (issue 28)", many_64k_missed),
        ("Wine, server push", wine_push_missed_tp),
        ("Wine, server push, CPU per message (issue 28)", any(r and r[0] < 0.90 for r in wine_push)),
        ("Unix, 1 MiB round trips", big_1_missed),
        ("Where a client's round trip goes (Unix)", client_missed),
        ("Wine, round-trip ratios", wine_missed),
        ("Unix, stream throughput", stream_missed),
        ("Wine, heap per message", wine_push_missed or wine_heap_missed),
        ("Unix, gRPC over pipe-netty", unix_grpc_missed),
        ("Wine, gRPC over named pipes", wine_grpc_missed)) if was_missed]
    w("Missed in this run, among the targets the profiles below explain: " + (", ".join(missed) if missed else "none")
      + ". The Wine round-trip ratios spread widely on this machine whatever the verdict: read their brackets.\n")
    # Profiles are taken by hand, outside a bench run: their figures live in a hand-written file,
    # so that nothing on this generated page claims to come from the raw results that does not.
    profiles = os.path.join(os.path.dirname(os.path.abspath(__file__)), "performance-profiles.md")
    w("_The profiles below are written by hand in `bench/performance-profiles.md`, not generated from this run's "
      "results: each names the profile or the command it comes from._\n")
    w(open(profiles, encoding="utf-8").read().rstrip("\n"))
    w("")
    w("## What limits these numbers\n")
    w("- The machine has 2 cores. Client and server threads compete for them, and a round trip costs two "
      "cross-thread wake-ups, so medians move with scheduling: rounds differ by several times. That is why every "
      "ratio is per round and shows its spread.")
    w("- Under Wine every pipe operation is a request to the `wineserver` process, so a round trip there is "
      "hundreds of microseconds where published Windows-native figures for C named pipes are around 9–15 µs; the "
      "Wine ratios compare designs under the same overhead, not absolute Windows speed.")
    w("- pipekit calls kernel32 through JNA: the per-message calls (`ReadFileEx`, `WriteFile`, the alertable wait, "
      "`QueueUserAPC`, the read's completion routine) through its direct mapping, which allocates nothing, the rest through "
      "interface mapping. It copies each message between native memory and the Java heap once per direction; the C "
      "peers do neither.")
    w("- The Java server's heap per round trip is the request and reply arrays plus the handler's own work; the "
      "native buffers are reused, so steady state allocates no native memory.")
    with open(md, "w") as f:
        f.write("\n".join(out) + "\n")
    plot(rows, png)


if __name__ == "__main__":
    if sys.argv[1] == "--check-rows":
        gaps = check_rows(sys.argv[2])
        for gap in gaps:
            print(f"missing, or without a positive figure: {gap}", file=sys.stderr)
        sys.exit(1 if gaps else 0)
    main(*sys.argv[1:4])
