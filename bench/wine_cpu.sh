#!/usr/bin/env bash
# Where a single client's round trip goes under Wine, in CPU time per round trip: the test bed
# container pinned to one CPU, pipekit's server (pipe-server --quiet) and the documented C sample
# server side by side, the same C client, each warmed up, then timed in turns while `perf`
# samples that CPU. Prints, per run, the client's median round trip and the microseconds per
# round trip spent by each process (and, for the server, in the kernel and in user space).
#
# Usage: bench/wine_cpu.sh [RUNS]    (default 2 runs per server; needs perf, Docker and the
#                                     test bed image; builds nothing but the C client)
#        SERVER_JVM_OPTIONS="-XX:+UseSerialGC" bench/wine_cpu.sh 2   (JVM options for pipekit's server,
#                                     as docs/performance.md's tried ones were given)
# Under Wine, perf cannot name symbols in jvm.dll, jnidispatch.dll or JIT code: they all show as
# "[JIT]" (anonymous executable memory), so the JVM's user-space time is reported as one sum.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}
trips=25000
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)"; exit 1; }
image=$(pipe-it/src/test/wine/build-image.sh --tag)
work=$(mktemp -d)
container=pipekit-wine-cpu-$$
trap 'docker rm -f "$container" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp \
  -o "$work/pipe-bench-client.exe" bench/c/pipe_bench_client.c
cp pipe-server/target/pipe-server.jar "$work/"
docker run -d --name "$container" --cpuset-cpus 0 --network none -e SERVER_JVM_OPTIONS="${SERVER_JVM_OPTIONS:-}" -v "$work:/bench" "$image" sleep infinity >/dev/null
docker exec "$container" bash -c 'cd /bench; wineserver -p
  wine $PIPEKIT_JAVA $PIPEKIT_JAVA_OPTIONS $SERVER_JVM_OPTIONS -jar pipe-server.jar --name pk --quiet > pk.log 2>&1 &
  wine $PIPEKIT_PEERS/sample-server.exe cs > cs.log 2>&1 &
  for _ in $(seq 400); do grep -q serving pk.log && grep -q listening cs.log && break; sleep 0.05; done
  wine pipe-bench-client.exe pk 1 64 40000 0 > warm.out 2>&1
  wine pipe-bench-client.exe cs 1 64 40000 0 > warm.out 2>&1'
for run in $(seq "$runs"); do
  for server in pk cs; do
    perf record -C 0 -e cpu-clock -F 4000 -o "$work/$server-$run.data" -- sleep 6 > /dev/null 2>&1 &
    recorder=$!
    sleep 0.2
    docker exec "$container" bash -c "cd /bench; wine pipe-bench-client.exe $server 1 64 $trips 0 > $server-$run.out 2>&1"
    wait "$recorder"
    median=$(grep -o '"medianMicros": *[0-9.]*' "$work/$server-$run.out" | grep -o '[0-9.]*$')
    # Samples at 4000 Hz are 250 us each; per round trip: samples * 250 / trips.
    perf report -i "$work/$server-$run.data" --sort comm,dso --stdio -n -t '|' 2>/dev/null | grep -v '^#' | grep -v '^$' \
      | python3 -c '
import json, sys
server, run, median, trips = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
process = "pipekit-server" if server == "pk" else "sample-server.e"
out = {"server": "pipekit" if server == "pk" else "c-sample", "run": run, "medianMicros": median, "threads": {}}
split = {"kernel": 0.0, "user": 0.0}
for line in sys.stdin:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 4 or not parts[1].isdigit():
        continue
    micros = int(parts[1]) * 250 / trips
    comm, dso = parts[2], parts[3]
    out["threads"][comm] = round(out["threads"].get(comm, 0) + micros, 2)
    if comm == process:
        split["kernel" if dso == "[kernel.kallsyms]" else "user"] += micros
out["serverThread"] = {k: round(v, 2) for k, v in split.items()}
out["threads"] = {k: v for k, v in sorted(out["threads"].items(), key=lambda kv: -kv[1]) if v >= 0.3}
print(json.dumps(out))
' "$server" "$run" "$median" "$trips"
  done
done
