#!/usr/bin/env bash
# A soak: one pipekit server per transport under a mixed load (request/answer, server push, churn
# and misbehaving clients: bench/java/SoakLoad.java against bench/java/SoakServer.java) for a
# while, sampling the server's RSS, its heap after GC, its descriptors (Unix) or pipekit's own
# handles and native blocks (Windows), its open connections and how they ended. It ends with a
# verdict per transport: flat, or growing.
#
#   bench/soak.sh --duration 10m [--transport unix|windows|both] [--skip-chaos]
#
# First it runs the chaos scenarios at full scale (bench/chaos.sh, into the same folder) unless
# --skip-chaos; then the soak.
#
# Unix runs on this machine; Windows runs under Wine in the test bed image (both at once with
# "both": two cores are shared, which slows the load but not what a leak would show). Results in
# $SOAK_OUT (default bench/results/soak-<time>/), one JSON line per sample plus a verdict line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=10m; transport=both; chaos=true
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --transport) transport=$2; shift 2 ;;
    --skip-chaos) chaos=false; shift ;;
    *) echo "usage: bench/soak.sh [--duration 10m] [--transport unix|windows|both] [--skip-chaos]" >&2; exit 2 ;;
  esac
done
seconds=$(python3 -c 'import re,sys; m=re.fullmatch(r"(\d+)([smh]?)", sys.argv[1]); print(int(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]])' "$duration")
out=${SOAK_OUT:-$root/bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
interval=5
# A fixed heap for the server: its RSS then grows only if something outside the Java heap does
# (direct buffers, JNA's native memory, threads), which is what a leak would look like.
heap="-Xms256m -Xmx256m"
say() { printf '==> %s\n' "$*" >&2; }

if $chaos; then
  CHAOS_OUT="$out/chaos.jsonl" bench/chaos.sh
fi

say "build pipekit and the soak's server and load"
./mvnw -B -ntp -q install -DskipTests
# Built into the results folder, which the Wine container mounts, and removed at the end.
mkdir -p "$out/probe"
trap 'rm -rf "$out/probe" "$out/pipe-server.jar" "$out/pipe-client.jar"' EXIT
javac -d "$out/probe" -cp pipe-server/target/pipe-server.jar bench/java/SoakServer.java
javac -d "$out/probe" -cp pipe-client/target/pipe-client.jar bench/java/SoakLoad.java
cp pipe-server/target/pipe-server.jar pipe-client/target/pipe-client.jar "$out/"

# Samples the process PID every INTERVAL seconds until it ends: RSS and open descriptors, from /proc.
sample_process() { # pid interval
  local pid=$1 start
  start=$(date +%s.%N)
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "{\"seconds\":$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'),\"rssKb\":${rss:-0},\"fds\":$fds}"
    sleep "$2"
  done
}

unix_soak() {
  say "Unix domain sockets: soak for $seconds s"
  local name="pipekit-soak-$$"
  java $heap -cp "$out/probe:$out/pipe-server.jar" SoakServer "$name" "$interval" > "$out/unix-server.log" 2> "$out/unix-server.err" &
  local server=$!
  for _ in $(seq 200); do grep -q "^pipe-server: serving" "$out/unix-server.log" && break; sleep 0.1; done
  sample_process "$server" "$interval" > "$out/unix-process.jsonl" &
  local sampler=$!
  java -cp "$out/probe:$out/pipe-client.jar" SoakLoad "$name" "$seconds" > "$out/unix-load.json" 2> "$out/unix-load.err" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  say "Unix load: $(cat "$out/unix-load.json")"
}

windows_soak() {
  local image
  image=$(pipe-it/src/test/wine/build-image.sh --tag)
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    say "no test bed image $image: the Windows soak is not run"; return 1
  fi
  say "Windows named pipes under Wine ($image): soak for $seconds s"
  docker run --rm --network none -v "$out:/soak" -e SECONDS_TO_RUN="$seconds" -e INTERVAL="$interval" -e HEAP="$heap" "$image" bash -c '
    set -e
    cd /soak
    wineserver -p
    java="wine $PIPEKIT_JAVA $PIPEKIT_JAVA_OPTIONS"
    $java $HEAP -cp "probe;pipe-server.jar" SoakServer soak "$INTERVAL" > windows-server.log 2> windows-server.err &
    server=$!
    for _ in $(seq 600); do grep -q "^pipe-server: serving" windows-server.log && break; sleep 0.1; done
    start=$(date +%s.%N)
    ( while kill -0 $server 2>/dev/null; do
        rss=$(awk "/^VmRSS:/ {print \$2}" /proc/$server/status 2>/dev/null || echo 0)
        fds=$(ls /proc/$server/fd 2>/dev/null | wc -l)
        echo "{\"seconds\":$(awk -v s="$start" -v n="$(date +%s.%N)" "BEGIN { printf \"%.1f\", n - s }"),\"rssKb\":${rss:-0},\"fds\":$fds}"
        sleep "$INTERVAL"
      done ) > windows-process.jsonl &
    $java -cp "probe;pipe-client.jar" SoakLoad soak "$SECONDS_TO_RUN" > windows-load.json 2> windows-load.err || true
    kill $server; wait $server 2>/dev/null || true
    sleep 1'
  say "Windows load: $(tr -d '\r' < "$out/windows-load.json")"
}

case "$transport" in
  unix) unix_soak ;;
  windows) windows_soak ;;
  both) windows_soak & w=$!; unix_soak; wait $w ;;
esac

say "verdict"
python3 bench/soak_verdict.py "$out" "$transport" "$duration"
