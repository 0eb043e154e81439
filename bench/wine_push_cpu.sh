#!/usr/bin/env bash
# Where a pushed message's time goes under Wine, in CPU time per message: the test bed container
# pinned to one CPU, pipekit's push server (bench/java/PushServer.java, Connection.send from a
# thread of its own) and the blocking C push server (bench/c/pipe_push.c) side by side, the same C
# client. Each server is first asked for the push as bench/run.sh asks it (PUSH_WARM_RUNS untimed
# runs of COUNT messages, then one timed: the "bench" phase), then warmed up with WARM more
# messages, then timed in RUNS runs of COUNT while `perf` samples that CPU (the "warm" phase).
# On one CPU (the default) the rate is the inverse of all the CPU a message costs (server, client, wineserver),
# so the ratio of rates is the ratio of those costs.
#
# Usage: bench/wine_push_cpu.sh [SIZE] [RUNS]   (default 64 bytes, 3 runs per server; needs perf,
#                                                Docker, the test bed image and the built jars)
#        COUNT=10000 WARM=100000 PUSH_WARM_RUNS=2 bench/wine_push_cpu.sh 65536 3   (the pinned runs of
#                                                bench/performance-profiles.md)
# Prints one JSON object per server and phase: messages/s (the C client's), and for the warm
# phase the microseconds of CPU per message by Linux thread name (Wine names a thread after its
# process unless the program names it) and the server process's split into kernel and user time.
# Under Wine, perf cannot name symbols in jvm.dll or JIT code: they show as "[JIT]".
#
# AGAINST= what takes the place of pipekit's push server beside the blocking C one (the same C client):
#   pipekit       PushServer, sends from a thread of its own (the default; as bench/run.sh's cell)
#   pipekit-loop  PushServer loop: sends from the server thread, each completion sending the next
#   c-overlapped  bench/c/pipe_push.c server-ovl: pipekit's write path in C (WriteFile with an
#                 OVERLAPPED on an overlapped handle, a wait on its event when pending)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-64}
runs=${2:-3}
count=${COUNT:-$(( size >= 65536 ? 2000 : 20000 ))}
warm=${WARM:-$(( count * 20 ))}
push_warm_runs=${PUSH_WARM_RUNS:-$(( size >= 65536 ? 20 : 2 ))} # as bench/run.sh: 40,000 messages either way
cpus=${CPUS:-0} # CPUS=0,1: unpinned on this machine, as bench/run.sh runs (perf then samples both)
against=${AGAINST:-pipekit}
case "$against" in
  pipekit) serve_pk='wine $PIPEKIT_JAVA $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar" PushServer pk > pk.log 2>&1 &'; ready=serving ;;
  pipekit-loop) serve_pk='wine $PIPEKIT_JAVA $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar" PushServer pk loop > pk.log 2>&1 &'; ready=serving ;;
  c-overlapped) serve_pk='wine pipe-ovl.exe server-ovl pk > pk.log 2>&1 &'; ready=listening ;;
  *) echo "AGAINST: pipekit, pipekit-loop or c-overlapped, not $against" >&2; exit 2 ;;
esac
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)"; exit 1; }
for jar in pipe-server/target/pipe-server.jar pipe-client/target/pipe-client.jar; do
  [ -f "$jar" ] || { echo "build first: ./mvnw -DskipTests package ($jar is missing)" >&2; exit 1; }
done
image=$(pipe-it/src/test/wine/build-image.sh --tag)
work=$(mktemp -d)
container=pipekit-wine-push-cpu-$$
trap 'docker rm -f "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/pipe-push.exe" bench/c/pipe_push.c
javac --release 17 -d "$work/probe" -cp pipe-server/target/pipe-server.jar bench/java/PushServer.java
cp pipe-server/target/pipe-server.jar "$work/"
cp "$work/pipe-push.exe" "$work/push-client.exe" # a name of its own, so that perf tells the client from the C server
cp "$work/pipe-push.exe" "$work/pipe-ovl.exe" # and the overlapped C server from the blocking one
docker run -d --name "$container" --cpuset-cpus "$cpus" --network none -v "$work:/bench" "$image" sleep infinity >/dev/null
docker exec "$container" bash -c "cd /bench; wineserver -p
  $serve_pk
  wine pipe-push.exe server cs > cs.log 2>&1 &
  for _ in \$(seq 400); do grep -q $ready pk.log && grep -q listening cs.log && break; sleep 0.05; done"
client() { # server count out
  docker exec "$container" bash -c "cd /bench; wine push-client.exe client $1 $2 $size > $3 2>&1"
  grep -o '"messagesPerSecond":[0-9.]*' "$work/$3" | grep -o '[0-9.]*$'
}
for server in pk cs; do
  for _ in $(seq "$push_warm_runs"); do client $server "$count" warm.out > /dev/null; done
  rate=$(client $server "$count" bench.out)
  label=$server; [ "$server" = pk ] && label=$against
  echo "{\"server\": \"$label\", \"phase\": \"bench\", \"size\": $size, \"messages\": $count, \"messagesPerSecond\": $rate}"
  client $server "$warm" warm.out > /dev/null
done
for run in $(seq "$runs"); do
  for server in pk cs; do
    perf record -C "$cpus" -e cpu-clock -F 4000 -o "$work/$server-$run.data" > /dev/null 2>&1 &
    recorder=$!
    sleep 0.3
    rate=$(client $server "$count" $server-$run.out)
    kill -INT "$recorder"; wait "$recorder" || true
    # Samples at 4000 Hz are 250 us each; per message: samples * 250 / count.
    perf report -i "$work/$server-$run.data" --sort comm,dso --stdio -n -t '|' 2>/dev/null | grep -v '^#' | grep -v '^$' \
      | python3 -c '
import json, sys
server, run, rate, count, size, against = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
# Everything on the CPU that is not the client, the wineserver, the idle task or the machinery
# around the container is the server process (the JVM names its threads; Wine passes the names on).
others = ("push-client.exe", "wineserver64", "wineserver", "swapper", "perf", "sleep", "bash", "runc", "docker", "containerd", "kworker", "ksoftirq")
out = {"server": against if server == "pk" else "c-push", "phase": "warm", "run": run, "size": size,
       "messages": count, "messagesPerSecond": rate, "threads": {}}
split = {"kernel": 0.0, "user": 0.0}
for line in sys.stdin:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 4 or not parts[1].isdigit():
        continue
    micros = int(parts[1]) * 250 / count
    comm, dso = parts[2], parts[3]
    out["threads"][comm] = round(out["threads"].get(comm, 0) + micros, 2)
    if not comm.startswith(others):
        split["kernel" if dso == "[kernel.kallsyms]" else "user"] += micros
out["serverProcess"] = {k: round(v, 2) for k, v in split.items()}
out["threads"] = {k: v for k, v in sorted(out["threads"].items(), key=lambda kv: -kv[1]) if v >= 0.3}
print(json.dumps(out))
' "$server" "$run" "$rate" "$count" "$size" "$against"
  done
done
