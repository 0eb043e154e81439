#!/usr/bin/env bash
# Under Wine, what a named pipe streams against TCP loopback with no Java at all: the C programs
# bench/c/pipe_stream.c (byte pipe, 1 MiB pipe buffers, as pipe-netty's gRPC server asks) and
# bench/c/tcp_stream.c (Winsock, TCP_NODELAY), the servers writing 64 KiB calls and the clients
# reading in calls of CALL bytes (64 KiB unless given), downloading the same bytes,
# taking turns over ROUNDS rounds in the test bed. Prints one line per cell: transport, round, and
# the client's JSON (the median of 5 timed downloads after 2 untimed ones). The ratio says what the
# Wine test bed's own named pipes stream against its TCP, beside which to read pipe-netty's (issue 27).
#
# Usage: bench/wine_c_stream.sh [ROUNDS] [BYTES] [CALL]
#   default 5 rounds of 64 MiB, the clients reading in calls of CALL bytes (default 64 KiB; the
#   servers write 64 KiB calls); needs Docker, the test bed image and x86_64-w64-mingw32-gcc
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
bytes=${2:-67108864}
call=${3:-65536}
image=$(pipe-it/src/test/wine/build-image.sh --tag)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/pipe-stream.exe" bench/c/pipe_stream.c
x86_64-w64-mingw32-gcc @pipe-it/src/test/c/cflags.rsp -o "$work/tcp-stream.exe" bench/c/tcp_stream.c -lws2_32
# Wine programs' output goes to files, never through a pipe (their helper processes keep it open).
docker run --rm --network none -v "$work:/bench" -e ROUNDS="$rounds" -e BYTES="$bytes" -e CALL="$call" "$image" bash -c '
  set -e
  cd /bench
  wineserver -p
  wine pipe-stream.exe server c-stream 1048576 > pipe-server.log 2>&1 & pipe_server=$!
  wine tcp-stream.exe server 47123 1048576 > tcp-server.log 2>&1 & tcp_server=$!
  ready=false
  for _ in $(seq 400); do
    if grep -q "^listening" pipe-server.log && grep -q "^listening" tcp-server.log; then ready=true; break; fi
    sleep 0.05
  done
  $ready || { echo "the servers did not start" >&2; cat pipe-server.log tcp-server.log >&2; exit 1; }
  client() { # label program endpoint
    wine "$2" client "$3" D "$BYTES" 2 5 "$CALL" > client.out 2> client.err || { cat client.out client.err >&2; exit 1; }
    echo "$1 $round $(tr -d "\r" < client.out)"
  }
  for round in $(seq "$ROUNDS"); do
    client pipe pipe-stream.exe c-stream
    client tcp tcp-stream.exe 47123
  done
  kill "$pipe_server" "$tcp_server" || true
' > "$work/out.txt" 2>&1 || { cat "$work/out.txt" >&2; exit 1; }
grep -E '^(pipe|tcp) ' "$work/out.txt"
