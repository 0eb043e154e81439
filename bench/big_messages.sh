#!/usr/bin/env bash
# The 1 MiB rows of bench/run.sh on their own (issue 28), pipekit beside the C peers in interleaved
# rounds, and the system calls each side makes per 1 MiB round trip. Needs the jars built
# (./mvnw -q -DskipTests package -pl pipe-server,pipe-client -am) and perf for the counts.
#
#   bench/big_messages.sh [ROUNDS]     ratios (median [min-max] over ROUNDS, default 5), then counts
#
# BEFORE=dir holding an earlier pipe-server.jar and pipe-client.jar adds them as a third column,
# measured in the same rounds. SIZE (default 1048576) measures another message size.
# Rows, as in bench/run.sh: "server" is a fresh server per cell timed by the C client (50 round
# trips after 2 untimed ones: the server's JVM is still compiling); "server, warm" the same after
# 1,000 untimed round trips; "client" is each client on the C echo server after 2,000.
# System calls per round trip are counted with perf on the thread that makes them (pipekit's
# client thread, its server's loop thread; the C processes whole), as the difference between a run
# of 50 and one of 250 round trips, so connecting and start-up cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; size=${SIZE:-1048576}
work=$(mktemp -d); spid=""
# A run cut short must not leave its server behind.
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT
gcc @pipe-it/src/test/c/cflags.rsp -o "$work/uds_echo_server" bench/c/uds_echo_server.c
gcc @pipe-it/src/test/c/cflags.rsp -pthread -o "$work/uds_bench_client" bench/c/uds_bench_client.c
mkdir -p "$work/now"; cp pipe-server/target/pipe-server.jar pipe-client/target/pipe-client.jar "$work/now/"
variants="now"; [ -n "${BEFORE:-}" ] && { mkdir -p "$work/before"; cp "$BEFORE"/pipe-server.jar "$BEFORE"/pipe-client.jar "$work/before/"; variants="before now"; }
raw="$work/raw.txt"; : > "$raw"
# A failed run (the client reports it on stderr) counts as "failed", and its round is left out of the ratios.
median() { python3 -c 'import json,sys
try: print(json.load(sys.stdin)["medianMicros"])
except ValueError: print("failed")'; }
serve() { # variant socket -> $spid
  # Emptied here, not by the background job's redirection, which may come after the first look:
  # the last server's ready line would then send the client to a socket nobody listens on yet.
  : > "$work/srv.log"
  if [ "$1" = c ]; then "$work/uds_echo_server" "$2" >> "$work/srv.log" 2>&1 &
  else java -jar "$work/$1/pipe-server.jar" --raw --name "$2" >> "$work/srv.log" 2>&1 &
  fi
  spid=$!
  for _ in $(seq 200); do grep -q "serving\|listening" "$work/srv.log" 2>/dev/null && return; sleep 0.05; done
  echo "server did not start" >&2; exit 1
}
for r in $(seq "$rounds"); do
  for row in server server-warm; do
    warm=2; [ $row = server-warm ] && warm=1000
    for v in $variants c; do
      serve "$v" "$work/$v-$r.sock"
      m=$("$work/uds_bench_client" "$work/$v-$r.sock" 1 "$size" 50 "$warm" 2> "$work/client.err" | median)
      [ "$m" = failed ] && echo "round $r, $row, $v: $(cat "$work/client.err"); server said: $(tail -3 "$work/srv.log")" >&2
      echo "$r $row $v $m" >> "$raw"
      kill "$spid"; wait "$spid" 2>/dev/null || true
    done
  done
  serve c "$work/echo-$r.sock"
  for v in $variants c; do
    if [ "$v" = c ]; then m=$("$work/uds_bench_client" "$work/echo-$r.sock" 1 "$size" 50 2000 | median)
    else m=$(java -jar "$work/$v/pipe-client.jar" bench --name "$work/echo-$r.sock" -e utf-8 --clients 1 --size "$size" \
      --round-trips 50 --warmup 2000 --json --no-progress | median); fi
    echo "$r client $v $m" >> "$raw"
  done
  kill "$spid"; wait "$spid" 2>/dev/null || true
done
python3 - "$raw" <<'PY'
import sys, statistics as st
cells, failed = {}, {}
for line in open(sys.argv[1]):
    r, row, v, m = line.split()
    if m == "failed":
        failed[(row, v)] = failed.get((row, v), 0) + 1
        continue
    cells.setdefault(row, {}).setdefault(int(r), {})[v] = float(m)
for (row, v), n in sorted(failed.items()):
    print("%-12s %-6s FAILED in %d round(s): the C client's connection ended" % (row, v, n))
for row, all_rounds in cells.items():
    variants = [v for v in ("before", "now") if any(v in cell for cell in all_rounds.values())]
    rounds = {r: cell for r, cell in all_rounds.items() if "c" in cell and all(v in cell for v in variants)}
    for v in variants:
        ratios = [rounds[r][v] / rounds[r]["c"] for r in rounds]
        print("%-12s %-6s median round trip ÷ C: %.2f× [%.2f–%.2f] (pipekit %.0f µs, C %.0f µs; %d rounds)" % (
            row, v, st.median(ratios), min(ratios), max(ratios), st.median(rounds[r][v] for r in rounds),
            st.median(rounds[r]["c"] for r in rounds), len(rounds)))
PY
command -v perf > /dev/null || { echo "no perf: system calls not counted"; exit 0; }
count() { # side variant trips -> system calls on the thread that makes them
  local side=$1 v=$2 n=$3 sock="$work/count-$1-$2-$3.sock"
  if [ "$side" = client ]; then
    serve c "$sock"
    if [ "$v" = c ]; then perf stat -x, -e raw_syscalls:sys_enter -o "$work/stat" "$work/uds_bench_client" "$sock" 1 "$size" "$n" 20 > /dev/null
      awk -F, '/raw_syscalls/{print $1}' "$work/stat"
    else perf record -q -e raw_syscalls:sys_enter -o "$work/p.data" -- java -jar "$work/$v/pipe-client.jar" bench --name "$sock" -e utf-8 \
        --clients 1 --size "$size" --round-trips "$n" --warmup 20 --json --no-progress > /dev/null 2>&1
      # The bench's client connection runs on its executor's thread.
      perf script -i "$work/p.data" -F comm 2>/dev/null | awk '$1 == "pool-1-thread-1" {n++} END {print n + 0}'
    fi
    kill "$spid"; wait "$spid" 2>/dev/null || true
  else
    : > "$work/srv.log"
    if [ "$v" = c ]; then perf record -q -e raw_syscalls:sys_enter -o "$work/p.data" -- "$work/uds_echo_server" "$sock" >> "$work/srv.log" 2>&1 &
    else perf record -q -e raw_syscalls:sys_enter -o "$work/p.data" -- java -jar "$work/$v/pipe-server.jar" --raw --name "$sock" >> "$work/srv.log" 2>&1 &
    fi
    local ppid=$!
    for _ in $(seq 200); do grep -q "serving\|listening" "$work/srv.log" 2>/dev/null && break; sleep 0.05; done
    "$work/uds_bench_client" "$sock" 1 "$size" "$n" 20 > /dev/null
    kill -INT "$ppid"; wait "$ppid" 2>/dev/null || true
    if [ "$v" = c ]; then perf script -i "$work/p.data" -F comm 2>/dev/null | wc -l
    else perf script -i "$work/p.data" -F comm 2>/dev/null | awk '$1 == "pipekit-server" {n++} END {print n + 0}'; fi
  fi
}
for side in client server; do
  for v in $variants c; do
    a=$(count "$side" "$v" 50); b=$(count "$side" "$v" 250)
    python3 -c "print('system calls per round trip, %-6s %-6s: %.1f' % ('$side', '$v', ($b - $a) / 200))"
  done
done
