#!/usr/bin/env bash
# The request-count probe: how many wineserver requests (kernel transitions, under Wine) a
# server process makes per round trip, pipekit's beside the documented C sample's, with the same
# C client. Runs in the Wine test bed image with the wineserver's request trace on (-d1), then
# counts the trace with bench/wine_requests.py: per round trip, per thread, per request type.
#
#   bench/wine_requests.sh [--smoke] OUT.jsonl       (JDK=21 or JDK=25: pipekit on that Java line)
#
# Fails unless pipekit's server makes at most MAX_RATIO times the C sample server's requests per
# round trip (1.10 in a full run; 1.20 with --smoke, whose 5 repetitions give a median that timing
# alone has moved by 15%: the sample itself counted 6.4 to 8.5 in one run), unless only its loop
# thread reads and writes the pipe, and unless it makes no kind of request the sample does not,
# nor leaves any to another thread. Those two catch what a regression would add, at any ratio.
#
# Servers, each with a fresh process:
#   c-sample       the documented C sample server (one thread, completion routines)
#   pipekit        pipe-server --quiet (request/answer, the sample's port)
#   c-push         bench/c/pipe_push.c's server: one blocking WriteFile per message
#   c-push-routine the same C server writing with WriteFileEx, the next write from the last
#                  one's completion routine, run by an alertable wait: pipekit's design in C
#   c-push-overlapped  the same with WriteFile and an OVERLAPPED on an overlapped handle: no
#                  routine when the write completes at once (the design alternative)
#   pipekit-push   bench/java/PushServer.java: Connection.send from a thread of its own
#   pipekit-push-loop  the same, pushing from the server thread (each completion sends the next)
# One client connection (bench/c/pipe_probe_client.c) goes through phases, and the trace is marked
# between them: first WARM round trips (the JVM's compiler threads make requests while it
# compiles, which is start-up, not the per-message cost), then REPS repetitions of a SHORT and a
# LONG phase; the difference between the two cancels what a phase costs to start and end. Counts
# vary between repetitions (whether a read finds its data already there decides whether an async
# result is fetched later), so every figure is a median of the repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=false
[ "${1:-}" = "--smoke" ] && { smoke=true; shift; }
out=${1:?usage: bench/wine_requests.sh [--smoke] OUT.jsonl}
if $smoke; then
  MAX_RATIO=${MAX_RATIO:-1.20}
  COLD=500; WARM=${WARM:-20000}; PUSH_WARM=${PUSH_WARM:-20000}; REPS=${REPS:-5}; SHORT=200; LONG=1200
else
  MAX_RATIO=${MAX_RATIO:-1.10}
  COLD=500; WARM=${WARM:-40000}; PUSH_WARM=${PUSH_WARM:-40000}; REPS=${REPS:-7}; SHORT=200; LONG=2200
fi

image=$(pipe-it/src/test/wine/build-image.sh --tag)
docker image inspect "$image" >/dev/null 2>&1 || { echo "no test bed image $image: run pipe-it/src/test/wine/build-image.sh" >&2; exit 1; }
for jar in pipe-server/target/pipe-server.jar pipe-client/target/pipe-client.jar; do
  [ -f "$jar" ] || ./mvnw -q -B -ntp -DskipTests package
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/pipe-probe-client.exe" bench/c/pipe_probe_client.c
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/pipe-push.exe" bench/c/pipe_push.c
javac --release 17 -d "$work/probe" -cp pipe-server/target/pipe-server.jar bench/java/PushServer.java
cp pipe-server/target/pipe-server.jar "$work/"

docker run --rm --network none -v "$work:/bench" -e COLD="$COLD" -e WARM="$WARM" -e PUSH_WARM="$PUSH_WARM" -e REPS="$REPS" \
  -e SHORT="$SHORT" -e LONG="$LONG" -e JDK="${JDK:-}" "$image" bash -c '
  set -e
  cd /bench
  # JDK=21 or 25 runs pipekit on that line of the test bed instead of 17.
  if [ -n "$JDK" ]; then PIPEKIT_JAVA=/opt/jdk/$JDK/bin/java.exe; eval "PIPEKIT_JAVA_OPTIONS=\$PIPEKIT_JDK_OPTIONS_$JDK"; fi
  # One wineserver for the whole run, tracing every request of every process to a file.
  wineserver -p -d1 2> trace.log
  : > marks.txt
  servers=(c-sample pipekit c-push c-push-routine c-push-overlapped pipekit-push pipekit-push-loop)
  declare -A client
  for server in "${servers[@]}"; do
    name=requests-$server
    mkdir -p $server && rm -f $server/*
    case $server in
      c-sample) set -- "listening on" wine "$PIPEKIT_PEERS/sample-server.exe" $name ;;
      pipekit) set -- "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -jar pipe-server.jar --name $name --quiet ;;
      c-push) set -- "listening on" wine pipe-push.exe server $name ;;
      c-push-routine) set -- "listening on" wine pipe-push.exe server-ex $name ;;
      c-push-overlapped) set -- "listening on" wine pipe-push.exe server-ovl $name ;;
      pipekit-push) set -- "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar" PushServer $name ;;
      pipekit-push-loop) set -- "pipe-server: serving" wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar" PushServer $name loop ;;
    esac
    ready=$1; shift
    "$@" > $server/server.log 2>&1 &
    echo "server $server $!" >> marks.txt
    for _ in $(seq 1200); do grep -q "^$ready" $server/server.log && break; sleep 0.05; done
    grep -q "^$ready" $server/server.log || { cat $server/server.log >&2; exit 1; }
    mode=rt warm=$WARM; case $server in *push*) mode=push warm=$PUSH_WARM ;; esac
    counts=("$COLD" "$warm")
    for rep in $(seq $REPS); do counts+=("$SHORT" "$LONG"); done
    # One connection per server for all its phases, waiting in the server'"'"'s folder for go-K
    # files; its output to a file, never a pipe (docs/testbed.md).
    (cd $server && exec wine ../pipe-probe-client.exe $name $mode 64 "${counts[@]}" > client.out 2>&1) &
    client[$server]=$!
  done
  phase() { # server k label count
    local start=$(wc -l < trace.log)
    touch $1/go-$2
    until [ -e $1/done-$2 ]; do
      kill -0 ${client[$1]} 2>/dev/null || { echo "$1: the client ended early:" >&2; cat $1/client.out >&2; exit 1; }
      sleep 0.02
    done
    echo "mark $1 $3 $start $(wc -l < trace.log) $4" >> marks.txt
  }
  # Cold and warm-up phases one server at a time, then the repetitions interleaved: each
  # server'"'"'s short and long phases next to the others'"'"', so that slow drifts of the machine
  # touch all servers alike.
  for server in "${servers[@]}"; do
    warm=$WARM; case $server in *push*) warm=$PUSH_WARM ;; esac
    phase $server 0 cold $COLD
    phase $server 1 warm $warm
  done
  for rep in $(seq $REPS); do
    for server in "${servers[@]}"; do
      phase $server $(( 2 * rep )) short-$rep $SHORT
      phase $server $(( 2 * rep + 1 )) long-$rep $LONG
    done
  done
  for server in "${servers[@]}"; do
    touch $server/go-$(( 2 * REPS + 2 )) # the client may leave now
    wait ${client[$server]} || { echo "$server: the client failed:" >&2; cat $server/client.out >&2; exit 1; }
  done
  while read -r kind server pid; do [ "$kind" = server ] && kill $pid; done < marks.txt
  wait
  wineserver -k || true
' > "$work/docker.out" 2>&1 || { cat "$work/docker.out" >&2; exit 1; }
python3 bench/wine_requests.py count "$work/trace.log" "$work/marks.txt" > "$out"
echo "request counts: $out ($(du -h "$work/trace.log" | cut -f1) of trace)" >&2
python3 bench/wine_requests.py check "$out" "$MAX_RATIO"
