#!/usr/bin/env bash
# Reproduces docs/performance.md: builds pipekit and the C peers from source, measures pipekit
# beside them on the same client, message sizes and machine, interleaved over ROUNDS rounds,
# then regenerates the doc and its plot from the raw results.
#
#   bench/run.sh            the full matrix (about 47 minutes on 2 cores), rewrites docs/performance.md
#   bench/run.sh --smoke    one tiny round of everything, results in a temp folder, docs untouched
#   bench/run.sh --only sockets
#                           the full rounds of the rows issue 26 added (the stream rows, with PipeSocket's,
#                           on both transports, and HttpClient over a Unix socket and TCP), results in
#                           bench/results/, docs untouched
#   bench/run.sh --only push
#                           the full rounds of the server-push rows (issue 28), on both transports, results in
#                           bench/results/, docs untouched
#   bench/run.sh --only grpc
#                           the full rounds of the gRPC rows issue 27 added (grpc-java's server and client over
#                           pipe-netty's Unix channels, Netty NIO TCP loopback and Netty's epoll domain
#                           sockets, interleaved; and under Wine, over pipe-netty's named pipes beside Netty
#                           NIO TCP loopback in the same Windows JVM), results in bench/results/, docs untouched
#
# Unix side runs natively; the Windows side runs in the Wine test bed image (build it with
# pipe-it/src/test/wine/build-image.sh; without Docker that side is skipped, and said so, except
# with CI=true, where it fails).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=false
only=""   # "sockets": only the stream and HTTP rows; "grpc": only the gRPC rows; "push": only the push rows
case "${1:-}" in
  --smoke) smoke=true ;;
  --only) only=${2:?"--only: give a part: sockets, grpc, push"}; case "$only" in sockets|grpc|push) ;; *) echo "--only: no part $only (sockets, grpc, push)" >&2; exit 2 ;; esac ;;
  "") ;;
  *) echo "usage: bench/run.sh [--smoke | --only sockets | --only grpc | --only push]" >&2; exit 2 ;;
esac
all() { [ -z "$only" ]; }   # whether this run measures everything
part() { [ -z "$only" ] || [ "$only" = "$1" ]; }   # whether this run measures the part named
if $smoke; then
  ROUNDS=1; CLIENTS="1 8"; SIZES="64 4096"; TRIPS=400; WINE_TRIPS=100; BIG_TRIPS=5; BIG_CLIENTS=1; PUSHES=2000; WINE_PUSHES=200; PUSH_WARM=0; PUSH_CLIENTS="1 8"
  STREAM_BYTES=4194304; WINE_STREAM_BYTES=1048576; STREAM_WARM=2; WINE_STREAM_WARM=2; STREAM_TIMED=3
  WINE_PROBE_TRIPS=2000; WINE_WARM=200; WINE_REPEATS=1
  HTTP_THREADS="1 4"; HTTP_REQUESTS=400; HTTP_WARM=100
  GRPC_CONCURRENCY="1 32"; GRPC_CALLS=500; GRPC_WARM=100; GRPC_MESSAGE=65536; GRPC_STREAM_BYTES=4194304; GRPC_STREAM_WARM=1
  GRPC_MAX_WARM_SECONDS=0
  WINE_GRPC_CALLS=200; WINE_GRPC_WARM=50; WINE_GRPC_STREAM_BYTES=2097152; WINE_GRPC_STREAM_WARM=1; WINE_GRPC_MAX_WARM_SECONDS=0
  out=$(mktemp -d)
else
  ROUNDS=${ROUNDS:-5}; CLIENTS="1 8 16 32"; SIZES="64 4096 65536"; TRIPS=${TRIPS:-20000}; WINE_TRIPS=${WINE_TRIPS:-2000}; BIG_TRIPS=50; BIG_CLIENTS="1 8 16"
  # Each push cell first runs the same push PUSH_WARM times untimed, for both servers (a 64 KiB
  # cell ten times as often, its pushes being a tenth as many): pipekit's JIT compiles the push
  # path over the first tens of thousands of messages, as the round-trip rows' warm-up lets it.
  # With 8 clients the same PUSHES are shared between them. Under Wine the same counts: with a
  # tenth, a 64 KiB cell timed 200 messages (20 ms for the C server) of a JVM still compiling.
  PUSHES=${PUSHES:-20000}; WINE_PUSHES=${WINE_PUSHES:-20000}; PUSH_WARM=${PUSH_WARM:-2}; PUSH_CLIENTS="1 8"
  STREAM_BYTES=${STREAM_BYTES:-67108864}; WINE_STREAM_BYTES=${WINE_STREAM_BYTES:-67108864}
  STREAM_WARM=$(( 536870912 / STREAM_BYTES > 2 ? 536870912 / STREAM_BYTES : 2 )); WINE_STREAM_WARM=2; STREAM_TIMED=9
  # Heap per round trip under Wine over 20,000 round trips: over 2,000, a few one-off kilobytes
  # (a class loaded, a table grown) still showed as 3 bytes per round trip.
  WINE_PROBE_TRIPS=${WINE_PROBE_TRIPS:-20000}; WINE_WARM=${WINE_WARM:-30000}; WINE_REPEATS=3
  # Per thread, 5,000 untimed requests (the JIT); then 20,000 timed between the threads.
  HTTP_THREADS="1 4"; HTTP_REQUESTS=${HTTP_REQUESTS:-20000}; HTTP_WARM=${HTTP_WARM:-5000}
  # gRPC, per transport and round, in a JVM of its own: untimed unary calls in batches of GRPC_WARM
  # until the JIT is quiet (two windows of 200 ms or more in a row, under 1% of their time compiling; at most
  # GRPC_MAX_WARM_SECONDS: GrpcBench), then GRPC_CALLS timed with one call outstanding, twice as
  # many with 32 (about 5 and 2 seconds); streams: untimed 2 GiB downloads in the same way, then one
  # timed. After a fixed 20,000 calls the JIT was still at work: 32 outstanding then did half the
  # calls/s of the settled JVM, at about three times the CPU per call.
  GRPC_CONCURRENCY="1 32"; GRPC_CALLS=${GRPC_CALLS:-50000}; GRPC_WARM=${GRPC_WARM:-20000}; GRPC_MESSAGE=65536
  GRPC_STREAM_BYTES=${GRPC_STREAM_BYTES:-2147483648}; GRPC_STREAM_WARM=${GRPC_STREAM_WARM:-1}
  GRPC_MAX_WARM_SECONDS=${GRPC_MAX_WARM_SECONDS:-120}
  # The same under Wine, where a call costs tens of times more (every pipe and socket operation is
  # a request to the wineserver): batches of WINE_GRPC_WARM untimed calls until the JIT is quiet
  # (at most WINE_GRPC_MAX_WARM_SECONDS), then WINE_GRPC_CALLS timed; streams: untimed downloads
  # of WINE_GRPC_STREAM_BYTES in the same way, then one timed. Settling took 10 to 35 s per cell,
  # about 15 minutes of the run; WINE_GRPC_MAX_WARM_SECONDS=0 times after one batch (one download)
  # instead, while the JIT compiles for most of the timed window.
  WINE_GRPC_CALLS=${WINE_GRPC_CALLS:-5000}; WINE_GRPC_WARM=${WINE_GRPC_WARM:-3000}
  WINE_GRPC_STREAM_BYTES=${WINE_GRPC_STREAM_BYTES:-67108864}; WINE_GRPC_STREAM_WARM=${WINE_GRPC_STREAM_WARM:-1}
  WINE_GRPC_MAX_WARM_SECONDS=${WINE_GRPC_MAX_WARM_SECONDS:-120}
  out="$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
fi
mkdir -p "$out"
raw="$out/raw.jsonl"
: > "$raw"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '==> %s  [+%ss]\n' "$*" "$SECONDS" >&2; }   # with the seconds since the script started: where a run's time goes

# One JSON result line, tagged with where it came from.
record() { # side server client round  < json
  python3 -c '
import json, sys
text = sys.stdin.read()
try:
    r = json.loads(text)
except ValueError:
    sys.exit("not a result from %s/%s/%s round %s: %r" % (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], text))
r.update(side=sys.argv[1], server=sys.argv[2], client=sys.argv[3], round=int(sys.argv[4]))
print(json.dumps(r))' "$@" >> "$raw"
}

# Starts a server in the background (its PID in $server_pid) and waits for its ready line.
start_server() { # ready-prefix logfile command...
  local ready=$1 log=$2; shift 2
  # Emptied here, not by the background job's redirection, which may come after the first look:
  # the last server's ready line (the same server kind, one cell earlier) would then send the
  # client to a socket nobody listens on yet ("client 0 failed", seen in a 1 MiB cell).
  : > "$log"
  "$@" >> "$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 200); do grep -q "^$ready" "$log" 2>/dev/null && return 0; sleep 0.05; done
  echo "server did not start: $*" >&2; cat "$log" >&2; return 1
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

requests_failed=false
say "machine and versions"
python3 - "$raw" <<'PY'
import json, os, platform, subprocess, sys
def first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except Exception as e:
        return "unavailable"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
meta = {"side": "meta", "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
        "java": first_line(["java", "-version"]), "gcc": first_line(["gcc", "--version"]),
        "python": platform.python_version()}
with open(sys.argv[1], "a") as f:
    f.write(json.dumps(meta) + "\n")
PY

say "build pipekit and the C peers"
# The C peers' warning flags live in one file, shared with the test bed image and pipe-it's Windows
# profile: a warning a newer GCC adds is named there (-Wno-error=<name>), docs/testbed.md.
# Each module's HTTP client jars, listed for bench/java/HttpRequests.java (pipe-client's are the ones it uses).
./mvnw -q -B -DskipTests package dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/http-classpath.txt \
  -DincludeGroupIds=org.apache.httpcomponents.client5,org.apache.httpcomponents.core5,org.slf4j,net.java.dev.jna,io.pipekit
gcc @pipe-it/src/test/c/cflags.rsp -o "$work/uds_echo_server" bench/c/uds_echo_server.c
gcc @pipe-it/src/test/c/cflags.rsp -pthread -o "$work/uds_bench_client" bench/c/uds_bench_client.c
gcc @pipe-it/src/test/c/cflags.rsp -o "$work/uds_stream" bench/c/uds_stream.c
gcc @pipe-it/src/test/c/cflags.rsp -o "$work/uds_push" bench/c/uds_push.c
javac --release 17 -d "$work/probe" -cp pipe-server/target/pipe-server.jar:pipe-client/target/pipe-client.jar \
  bench/java/AllocationProbe.java bench/java/PushServer.java bench/java/StreamClient.java
# grpc-java, Netty (with its epoll native) and pipe-netty, as pipe-it's gRPC tests have them, for bench/java/GrpcBench.java.
./mvnw -q -B -DskipTests -pl pipe-it -am package dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/grpc-classpath.txt
grpc_cp="$work/grpc:$(cat pipe-it/target/grpc-classpath.txt)"
javac --release 17 -d "$work/grpc" -cp "$grpc_cp" bench/java/GrpcBench.java
# HttpClient 5 and pipekit's client, unshaded: pipe-client.jar holds a cut-down HttpClient of its own.
http_cp="$work/http:pipe-client/target/classes:$(cat pipe-client/target/http-classpath.txt)"
javac --release 17 -d "$work/http" -cp "$http_cp" bench/java/HttpRequests.java
# The HTTP server of both transports: Go's standard library only, nothing downloaded.
(cd bench/go && go build -o "$work/http_both" http_both.go)
# --raw: echo bytes as they are, as the C epoll server does; this measures the transport, not a codec.
java_server=(java -jar pipe-server/target/pipe-server.jar --raw)

# Starts the Unix server under test (pipekit or c-epoll) on a socket, optionally behind a
# launcher prefix such as `taskset -c 0`.
start_unix_server() { # server socket [prefix...]
  local server=$1 sock=$2; shift 2
  if [ "$server" = pipekit ]; then
    start_server "pipe-server: serving" "$work/server.log" "$@" "${java_server[@]}" --name "$sock"
  else
    start_server "listening on" "$work/server.log" "$@" "$work/uds_echo_server" "$sock"
  fi
}

# Untimed round trips per client before timing starts, the same for every peer: a tenth of the
# timed ones and, in a full run, enough for the JVM to have compiled its hot paths and touched its
# young generation once: 512 MiB of messages (capped at 10,000 round trips) and 2,000 round trips
# across the clients, 40,000 for messages up to 4 KiB. Those are start-up costs, which the start-up figure measures; left in, they
# made a 64 KiB round trip look twice as slow after 200 warm-up round trips as after 8,000, and with
# 10,000 the 16-client 64 B cell still timed C2 compiling the server (bench/performance-profiles.md).
warmup() { # trips clients size
  local warm=$(( $1 / 10 + 1 ))
  if ! $smoke; then
    local by_bytes=$(( 512 * 1024 * 1024 / $3 )); [ "$by_bytes" -gt 10000 ] && by_bytes=10000
    local by_count=$(( ($3 <= 4096 ? 40000 : 2000) / $2 )); by_bytes=$(( by_bytes / $2 ))
    [ "$by_count" -gt "$warm" ] && warm=$by_count
    [ "$by_bytes" -gt "$warm" ] && warm=$by_bytes
  fi
  echo "$warm"
}

all && say "Unix domain sockets: $ROUNDS round(s); servers pipekit and C epoll; clients C and pipekit"
all && for round in $(seq "$ROUNDS"); do
  for clients in $CLIENTS; do
    for size in $SIZES; do
      trips=$(( TRIPS / clients )); [ "$size" -ge 65536 ] && trips=$(( trips / 10 + 1 ))
      warm=$(warmup "$trips" "$clients" "$size")
      for server in pipekit c-epoll; do
        sock="$work/$server.sock"
        start_unix_server "$server" "$sock"
        "$work/uds_bench_client" "$sock" "$clients" "$size" "$trips" "$warm" | record unix "$server" c "$round"
        if [ "$clients" = 1 ]; then
          java -jar pipe-client/target/pipe-client.jar bench --name "$sock" -e utf-8 --clients 1 --size "$size" \
            --round-trips "$trips" --warmup "$warm" --json --no-progress | record unix "$server" pipekit "$round"
          # The C client again, waiting for readiness with poll() as a client that can time out must.
          "$work/uds_bench_client" "$sock" 1 "$size" "$trips" "$warm" --poll | record unix "$server" c-poll "$round"
        fi
        stop_server
      done
      if [ "$clients" = 1 ]; then
        java bench/java/PlainPingPong.java "$size" "$trips" "$warm" | record unix plain-jdk plain-jdk "$round"
      fi
    done
  done
  # 1 MiB messages: reassembly across many reads, pipekit and C, with 1, 8 and 16 clients (the
  # smoke: 1). Each cell warms up as the smaller sizes' cells do, with at least 512 MiB shared
  # between the clients: a fresh JVM's first megabyte messages run in the interpreter.
  for clients in $BIG_CLIENTS; do
    trips=$(( BIG_TRIPS / clients > 4 ? BIG_TRIPS / clients : 4 ))
    warm=$(warmup "$trips" "$clients" 1048576)
    for server in pipekit c-epoll; do
      sock="$work/$server.sock"
      start_unix_server "$server" "$sock"
      "$work/uds_bench_client" "$sock" "$clients" 1048576 "$trips" "$warm" | record unix "$server" c "$round"
      stop_server
    done
  done
  # pipekit's client beside the C client (blocking, and waiting with poll()), unpinned, on the C echo
  # server at 1 MiB, as the 64 KiB cell above at 64 KiB: every client with the same warm-up (the
  # server cells above warm the C client up with 2 round trips, too few for a JVM). A side of its
  # own, so that the server table's 1 MiB cell stays as it was.
  sock="$work/c-epoll.sock"
  start_unix_server c-epoll "$sock"
  warm=$(warmup "$BIG_TRIPS" 1 1048576)
  "$work/uds_bench_client" "$sock" 1 1048576 "$BIG_TRIPS" "$warm" | record unix-client c-epoll c "$round"
  java -jar pipe-client/target/pipe-client.jar bench --name "$sock" -e utf-8 --clients 1 --size 1048576 \
    --round-trips "$BIG_TRIPS" --warmup "$warm" --json --no-progress | record unix-client c-epoll pipekit "$round"
  "$work/uds_bench_client" "$sock" 1 1048576 "$BIG_TRIPS" "$warm" --poll | record unix-client c-epoll c-poll "$round"
  stop_server
  # Single client with server and client pinned to one core: the cost of a round trip without
  # cross-core wake-ups.
  for server in pipekit c-epoll; do
    sock="$work/$server.sock"
    start_unix_server "$server" "$sock" taskset -c 0
    taskset -c 0 "$work/uds_bench_client" "$sock" 1 64 "$TRIPS" 1000 | record unix-pinned "$server" c "$round"
    stop_server
  done
  # The clients' own cost at 64 KiB, all on one core with the C echo server: what a round trip costs
  # each client without the cross-core wake-ups that dominate (and scatter) the unpinned figures.
  sock="$work/c-epoll.sock"
  start_unix_server c-epoll "$sock" taskset -c 0
  trips=$(( TRIPS / 10 + 1 )); warm=$(warmup "$trips" 1 65536)
  taskset -c 0 "$work/uds_bench_client" "$sock" 1 65536 "$trips" "$warm" | record unix-pinned c-epoll c "$round"
  taskset -c 0 "$work/uds_bench_client" "$sock" 1 65536 "$trips" "$warm" --poll | record unix-pinned c-epoll c-poll "$round"
  taskset -c 0 java -jar pipe-client/target/pipe-client.jar bench --name "$sock" -e utf-8 --clients 1 --size 65536 \
    --round-trips "$trips" --warmup "$warm" --json --no-progress | record unix-pinned c-epoll pipekit "$round"
  stop_server
done

# Server push: the same C client asks pipekit's server and the C server for PUSHES messages and
# times them; messages per second, pipekit beside C. 64 KiB pushes are a tenth as many.
part push && say "Unix domain sockets: server push, pipekit and C servers, the C client"
# With several clients, each asks for its own COUNT at once and times its own; the cell's rate is all
# their messages over the slowest one's time.
push_clients() { # socket count size clients
  local i pids=() out
  out=$(mktemp -d)
  for i in $(seq "$4"); do
    "$work/uds_push" client "$1" "$2" "$3" > "$out/$i.json" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || { echo "a push client failed" >&2; return 1; }; done
  python3 -c '
import json, sys
runs = [json.load(open(f)) for f in sys.argv[2:]]
messages = sum(r["messages"] for r in runs)
seconds = max(r["seconds"] for r in runs)
print(json.dumps({"messages": messages, "messageBytes": runs[0]["messageBytes"], "seconds": seconds,
                  "messagesPerSecond": messages / seconds, "clients": int(sys.argv[1])}))' "$4" "$out"/*.json
  rm -rf "$out"
}
part push && for round in $(seq "$ROUNDS"); do
  for clients in $PUSH_CLIENTS; do
    for size in 64 65536; do
      count=$(( PUSHES / clients )); warm_runs=$PUSH_WARM
      [ "$size" -ge 65536 ] && count=$(( count / 10 )) warm_runs=$(( PUSH_WARM * 10 ))
      for server in pipekit c-push; do
        sock="$work/push-$server.sock"
        if [ "$server" = pipekit ]; then
          start_server "pipe-server: serving" "$work/server.log" java -cp "$work/probe:pipe-server/target/pipe-server.jar:pipe-client/target/pipe-client.jar" PushServer "$sock"
        else
          start_server "listening on" "$work/server.log" "$work/uds_push" server "$sock"
        fi
        for _ in $(seq "$warm_runs"); do push_clients "$sock" "$count" "$size" "$clients" > /dev/null; done
        push_clients "$sock" "$count" "$size" "$clients" | record unix-push "$server" c "$round"
        stop_server
      done
    done
  done
done

# Stream throughput: the same C stream server (no framing: a byte-type pipe's stream) uploaded to
# and downloaded from by the C client and by pipekit's byte-mode streams, 64 KiB per call.
if part sockets; then
say "Unix domain sockets: stream throughput, C and pipekit clients, the C stream server"
# Every client warms up with the same untimed transfers (at least 512 MiB: after one 64 MiB transfer
# the JIT was still compiling pipekit's read path, a third of the CPU in a profile) and reports the
# median of STREAM_TIMED timed ones.
start_server "listening on" "$work/server.log" "$work/uds_stream" server "$work/stream.sock"
for round in $(seq "$ROUNDS"); do
  for direction in U D; do
    "$work/uds_stream" client "$work/stream.sock" "$direction" "$STREAM_BYTES" "$STREAM_WARM" "$STREAM_TIMED" \
      | record unix-stream c-stream c "$round"
    # socket: PipeSocket's streams (PipeSocketFactory), beside pipekit's own streams: the adapter's cost.
    for api in stream channel socket; do
      java -cp "$work/probe:pipe-client/target/pipe-client.jar" StreamClient "$work/stream.sock" "$direction" "$STREAM_BYTES" \
        "$api" "$STREAM_WARM" "$STREAM_TIMED" | record unix-stream c-stream "pipekit-$api" "$round"
    done
    java bench/java/PlainStream.java "$work/stream.sock" "$direction" "$STREAM_BYTES" "$STREAM_WARM" "$STREAM_TIMED" \
      | record unix-stream c-stream plain-jdk "$round"
  done
done
stop_server

# HTTP requests per second: Apache HttpClient 5 (classic), one keep-alive connection per thread, to one
# Go net/http server process that serves the same handler on a Unix socket and on TCP loopback. The
# client takes the Unix socket through PipeSocketFactory or TCP through a plain Socket, the rest the
# same; the two take turns within each round and thread count.
say "HTTP: HttpClient 5 over PipeSocketFactory (Unix socket) beside TCP loopback, the same Go server"
start_server "listening on" "$work/http.log" "$work/http_both" "$work/http.sock"
tcp_address=$(sed -n 's/^listening on .* tcp=//p' "$work/http.log")
for round in $(seq "$ROUNDS"); do
  for threads in $HTTP_THREADS; do
    for transport in unix tcp; do
      java -cp "$http_cp" HttpRequests "$transport" "$work/http.sock" "$tcp_address" "$threads" "$HTTP_REQUESTS" "$HTTP_WARM" \
        | record http go-net-http "httpclient5-$transport" "$round"
    done
  done
done
stop_server
fi

# gRPC (issue 27): grpc-java's Netty server and client, the same code, on three transports: pipe-netty's
# Unix channels, Netty's NIO TCP on loopback, Netty's own epoll domain sockets. Each cell runs in a
# fresh JVM; the transports take turns within each round.
if part grpc; then
say "gRPC: grpc-java over pipe-netty (Unix socket) beside Netty NIO TCP loopback and Netty epoll domain sockets"
grpc_bench=(java -Dgrpcbench.maxWarmSeconds="$GRPC_MAX_WARM_SECONDS" -cp "$grpc_cp" GrpcBench)
for round in $(seq "$ROUNDS"); do
  for transport in pipe tcp epoll-uds; do
    for concurrency in $GRPC_CONCURRENCY; do
      calls=$GRPC_CALLS; [ "$concurrency" -gt 1 ] && calls=$(( GRPC_CALLS * 2 ))
      "${grpc_bench[@]}" "$transport" "$work/grpc-$transport.sock" unary "$concurrency" "$calls" "$GRPC_WARM" \
        | record grpc "$transport" "unary-$concurrency" "$round"
    done
    "${grpc_bench[@]}" "$transport" "$work/grpc-$transport.sock" stream "$GRPC_MESSAGE" "$GRPC_STREAM_BYTES" "$GRPC_STREAM_WARM" \
      | record grpc "$transport" stream "$round"
  done
done
fi

all && say "allocation per round trip and client start-up (Unix)"
all && for size in 64 4096; do
  java -cp "$work/probe:pipe-server/target/pipe-server.jar:pipe-client/target/pipe-client.jar" AllocationProbe "$size" $(( TRIPS / 2 )) | record unix pipekit probe 0
done
all && start_server "pipe-server: serving" "$work/server.log" java -jar pipe-server/target/pipe-server.jar --quiet --name "$work/startup.sock"
all && for i in $(seq 5); do
  python3 - "$work/startup.sock" <<'PY' | record unix pipekit startup "$i"
import json, subprocess, sys, time
t = time.perf_counter()
subprocess.run(["java", "-jar", "pipe-client/target/pipe-client.jar", "--name", sys.argv[1]], check=True, capture_output=True)
print(json.dumps({"startupMillis": (time.perf_counter() - t) * 1000}))
PY
done
all && stop_server

image=$(pipe-it/src/test/wine/build-image.sh --tag)
if command -v docker >/dev/null && docker image inspect "$image" >/dev/null 2>&1; then
  part sockets && say "Windows named pipes under Wine ($image): servers pipekit and the C sample; the C client"
  [ "$only" = push ] && say "Windows named pipes under Wine ($image): server push, pipekit and C servers, the C client"
  part grpc && say "gRPC under Wine ($image): grpc-java over pipe-netty's named pipes beside Netty NIO TCP loopback, one Windows JVM"
  mkdir -p "$work/wine"
  if part sockets || part push; then
    x86_64-w64-mingw32-gcc --version >/dev/null 2>&1 || { apt-get install -y -q gcc-mingw-w64-x86-64 >/dev/null; }
    x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/wine/pipe-bench-client.exe" bench/c/pipe_bench_client.c
    x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/wine/pipe-push.exe" bench/c/pipe_push.c
    x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/wine/pipe-stream.exe" bench/c/pipe_stream.c
  fi
  cp pipe-server/target/pipe-server.jar pipe-client/target/pipe-client.jar "$work/wine/"
  cp -r "$work/probe" "$work/wine/probe"
  # GrpcBench on Windows: its classes, and of the gRPC class path only what grpc-netty and
  # grpc-stub need at run time, with pipe-netty and what it needs (Netty's epoll jars and the
  # test jars stay behind; GrpcBench loads no epoll class unless asked for epoll-uds).
  wine_grpc_cp=grpc
  if part grpc; then
    cp -r "$work/grpc" "$work/wine/grpc"
    mkdir -p "$work/wine/grpc-lib"
    for jar in $(tr ':' ' ' < pipe-it/target/grpc-classpath.txt); do
      case "$(basename "$jar")" in
        *-tests.jar) ;;
        grpc-api-*|grpc-context-*|grpc-core-*|grpc-netty-*|grpc-stub-*|grpc-util-*|guava-*|failureaccess-*|perfmark-api-*|gson-* \
          |netty-buffer-*|netty-codec-*|netty-common-*|netty-handler-*|netty-resolver-*|netty-transport-[0-9]*|netty-transport-native-unix-common-* \
          |pipe-core-*|pipe-server-*|pipe-client-*|pipe-netty-*|jna-*)
          cp "$jar" "$work/wine/grpc-lib/"; wine_grpc_cp="$wine_grpc_cp;grpc-lib/$(basename "$jar")" ;;
      esac
    done
  fi
  # The C sample server reads 8 KiB requests and, as documented, ignores ERROR_MORE_DATA: it
  # cannot take 64 KiB messages, so the Wine comparison stops at 4 KiB.
  docker run --rm --network none -v "$work/wine:/bench" -e ROUNDS="$ROUNDS" -e CLIENTS="$CLIENTS" \
    -e TRIPS="$WINE_TRIPS" -e PUSHES="$WINE_PUSHES" -e PUSH_WARM="$PUSH_WARM" -e STREAM_BYTES="$WINE_STREAM_BYTES" -e STREAM_WARM="$WINE_STREAM_WARM" -e STREAM_TIMED="$STREAM_TIMED" -e PROBE_TRIPS="$WINE_PROBE_TRIPS" -e WARM="$WINE_WARM" -e REPEATS="$WINE_REPEATS" \
    -e GRPC_CP="$wine_grpc_cp" -e GRPC_CONCURRENCY="$GRPC_CONCURRENCY" -e GRPC_CALLS="$WINE_GRPC_CALLS" -e GRPC_WARM="$WINE_GRPC_WARM" -e GRPC_MESSAGE="$GRPC_MESSAGE" \
    -e GRPC_STREAM_BYTES="$WINE_GRPC_STREAM_BYTES" -e GRPC_STREAM_WARM="$WINE_GRPC_STREAM_WARM" -e GRPC_MAX_WARM_SECONDS="$WINE_GRPC_MAX_WARM_SECONDS" -e ONLY="$only" "$image" bash -c '
      set -e
      cd /bench
      # One wineserver for the whole run: otherwise it exits a few seconds after the last Wine
      # process, and a process started just then loses its connection ("write: Bad file descriptor").
      wineserver -p
      serve() { # ready-prefix cmd...
        local ready=$1; shift
        "$@" > server.log 2>&1 & pid=$!
        for _ in $(seq 400); do grep -qs "^$ready" server.log && return 0; sleep 0.05; done
        cat server.log >&2; return 1
      }
      # Each round starts each server once and warms it up with the same WARM round trips (the
      # JVM compiles the hot path meanwhile: under Wine that takes tens of thousands of round
      # trips), then times every client count and size against it; the servers take turns.
      all() { [ -z "$ONLY" ]; }
      part() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
      all && for round in $(seq $ROUNDS); do
        for server in pipekit c-sample; do
          name=bench-$server-$round
          if [ $server = pipekit ]; then
            serve "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -jar pipe-server.jar --name $name
          else
            serve "listening on" wine "$PIPEKIT_PEERS/sample-server.exe" $name
          fi
          # The warm-up is spread over ten connections, not one: the JIT compiles the hot path
          # before it has seen a client connect and leave, and the first such turns deoptimize it
          # again (CompletionRoutineLoop.completed, seen with -XX:+PrintCompilation), each for
          # thousands of round trips until it is compiled anew. A long-running server has seen
          # many; a timed cell that met those turns measured the JIT, not the server.
          for _ in $(seq 10); do wine pipe-bench-client.exe $name 1 64 $(( WARM / 10 + 1 )) 0 > warm.out 2>&1; done
          for clients in $CLIENTS; do
            for size in 64 4096; do
              trips=$(( TRIPS / clients + 1 ))
              # One client: timed three times in a row (report.py takes their median), the same for both servers.
              for _ in $(seq $(( clients == 1 ? REPEATS : 1 ))); do
                echo "$server $round $(wine pipe-bench-client.exe $name $clients $size $trips $(( trips / 10 + 1 )) | tr -d "\r")"
              done
            done
          done
          kill $pid; wait $pid 2>/dev/null || true
        done
      done
      # Server push: the same C client asks each server for PUSHES messages (64 KiB: a tenth).
      part push && for round in $(seq $ROUNDS); do
        for size in 64 65536; do
          count=$PUSHES warm_runs=$PUSH_WARM; [ $size -ge 65536 ] && count=$(( PUSHES / 10 )) warm_runs=$(( PUSH_WARM * 10 ))
          for server in pipekit c-push; do
            name=push-$server-$round-$size
            if [ $server = pipekit ]; then
              serve "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar;pipe-client.jar" PushServer $name
            else
              serve "listening on" wine pipe-push.exe server $name
            fi
            for _ in $(seq "$warm_runs"); do wine pipe-push.exe client $name $count $size > warm.out; done
            echo "push-$server $round $(wine pipe-push.exe client $name $count $size | tr -d "\r")"
            kill $pid; wait $pid 2>/dev/null || true
          done
        done
      done
      # Stream throughput through a byte-type pipe: the C stream server, the C client and pipekit'"'"'s streams.
      if part sockets; then
        serve "listening on" wine pipe-stream.exe server stream-bench
        for round in $(seq $ROUNDS); do
          for direction in U D; do
            echo "stream-c $round $(wine pipe-stream.exe client stream-bench $direction $STREAM_BYTES $STREAM_WARM $STREAM_TIMED | tr -d "\r")"
            for api in stream channel socket; do
              echo "stream-pipekit-$api $round $(wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-client.jar" StreamClient stream-bench $direction $STREAM_BYTES $api $STREAM_WARM $STREAM_TIMED | tr -d "\r")"
            done
          done
        done
        kill $pid; wait $pid 2>/dev/null || true
      fi
      # gRPC (issue 27): grpc-java'"'"'s Netty server and client in one Windows JVM per cell, over
      # pipe-netty'"'"'s named pipes and over Netty NIO on TCP loopback, taking turns in every round.
      # Under Wine the wineserver does much of either transport'"'"'s work: GrpcBench also reports its
      # CPU time over the timed window, read from its /proc file through Wine'"'"'s Z: drive.
      if part grpc; then
        wineserver_pid=$(for p in /proc/[0-9]*; do case "$(cat $p/comm 2>/dev/null)" in wineserver*) echo "${p#/proc/}" ;; esac; done | head -1)
        [ -n "$wineserver_pid" ] || { echo "no wineserver process found" >&2; exit 1; }
        # Timed once the JIT went quiet, as on Unix (WINE_GRPC_MAX_WARM_SECONDS, above). The
        # jitMillisTimed of each result says how long the JIT still compiled in its timed window.
        grpc_java=(wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -Dgrpcbench.maxWarmSeconds=$GRPC_MAX_WARM_SECONDS
          -Dgrpcbench.wineserverStat="Z:\\proc\\$wineserver_pid\\stat" -cp "$GRPC_CP" GrpcBench)
        # One cell: its JSON line, labelled. Its warnings (Netty finds no hardware address in a
        # container without a network) go to a file, shown when the cell printed no result.
        grpc_cell() { # label round GrpcBench-arguments...
          local label=$1 round=$2 result; shift 2
          result=$("${grpc_java[@]}" "$@" 2> grpc.err | tr -d "\r")
          case "$result" in "{"*) ;; *) cat grpc.err >&2 ;; esac
          echo "$label $round $result"
        }
        for round in $(seq $ROUNDS); do
          for transport in pipe tcp; do
            for concurrency in $GRPC_CONCURRENCY; do
              grpc_cell grpc/$transport/unary-$concurrency $round $transport grpc-bench-$round-$concurrency unary $concurrency $GRPC_CALLS $GRPC_WARM
            done
            grpc_cell grpc/$transport/stream $round $transport grpc-bench-$round-stream stream $GRPC_MESSAGE $GRPC_STREAM_BYTES $GRPC_STREAM_WARM
          done
        done
      fi
      echo "meta 0 {\"wine\": \"$(wine --version)\", \"windowsJava\": \"$(wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -version 2>&1 | head -1 | tr -d "\r\"")\"}"
      all || exit 0
      for size in 64 4096; do
        echo "pipekit 0 $(wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar;pipe-client.jar" AllocationProbe $size $PROBE_TRIPS | tr -d "\r")"
      done
      serve "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -jar pipe-server.jar --quiet --name startup
      for i in 1 2 3 4 5; do
        t=$(date +%s%N); wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -jar pipe-client.jar --name startup > /tmp/startup-client.out 2>&1
        echo "startup $i {\"startupMillis\": $(( ($(date +%s%N) - t) / 1000000 ))}"
      done
      kill $pid
    ' > "$work/wine.out"
  while read -r server round json; do
    case "$server" in
      startup) echo "$json" | record wine pipekit startup "$round" ;;
      push-*) echo "$json" | record wine-push "${server#push-}" c "$round" ;;
      stream-*) echo "$json" | record wine-stream c-stream "${server#stream-}" "$round" ;;
      grpc/*) IFS=/ read -r _ transport cell <<< "$server"; echo "$json" | record wine-grpc "$transport" "$cell" "$round" ;;
      meta) echo "$json" | record wine-meta - - 0 ;;
      *) if [ "$round" = 0 ]; then echo "$json" | record wine "$server" probe 0; else echo "$json" | record wine "$server" c "$round"; fi ;;
    esac
  done < "$work/wine.out"

  # Kernel transitions per message: wineserver requests per round trip, pipekit's server beside the
  # C sample's, counted from the wineserver's trace (deterministic enough to check: see the script).
  all && say "Windows named pipes under Wine: wineserver requests per message (bench/wine_requests.sh)"
  requests_mode=(); $smoke && requests_mode=(--smoke)
  all && { bench/wine_requests.sh "${requests_mode[@]}" "$work/requests.jsonl" || requests_failed=true; }
  all && while read -r line; do
    echo "$line" | record wine-requests "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["server"])' "$line")" c 0
  done < "$work/requests.jsonl"
  if ! $smoke && all; then
    # The same on JDK 25, whose HotSpot takes no wineserver request in its compilers' ThreadCritical.
    JDK=25 bench/wine_requests.sh --smoke "$work/requests-25.jsonl" || requests_failed=true
    while read -r line; do
      echo "$line" | record wine-requests-jdk25 "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["server"])' "$line")" c 0
    done < "$work/requests-25.jsonl"
  fi
else
  say "Windows side SKIPPED: no Docker engine or no test bed image $image (run pipe-it/src/test/wine/build-image.sh)"
  # CI requires the Windows side, as the test gate requires the Windows suite.
  if [ "${CI:-}" = true ]; then
    say "CI=true: the Windows side is required; failing"
    exit 1
  fi
fi

say "report"
python3 -c 'import matplotlib' 2>/dev/null || python3 -m pip install -q 'matplotlib==3.11.2' >&2
if $smoke || ! all; then
  python3 bench/report.py "$raw" "$out/performance.md" "$out/performance.png"
  say "results in $out ($(wc -l < "$raw") measurements): $out/performance.md; docs/performance.md untouched"
else
  python3 bench/report.py "$raw" docs/performance.md docs/performance.png
  say "raw results in $raw; docs/performance.md and docs/performance.png regenerated"
fi
# What the smoke can check without judging a timing: every row of the socket adapter ran and measured.
if $smoke; then
  python3 bench/report.py --check-rows "$raw" || { say "FAILED: rows missing from the smoke (above)"; exit 1; }
fi
if $requests_failed; then
  say "FAILED: pipekit's wineserver requests per message (above)"
  exit 1
fi
