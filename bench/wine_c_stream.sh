#!/usr/bin/env bash
# Under Wine, what a named pipe streams against TCP loopback with no Java at all: the C programs
# bench/c/pipe_stream.c (byte pipe, 1 MiB pipe buffers, as pipe-netty's gRPC server asks) and
# bench/c/tcp_stream.c (Winsock, TCP_NODELAY), both in 64 KiB calls, downloading the same bytes,
# taking turns over ROUNDS rounds in the test bed. Prints one line per cell: transport, round, and
# the client's JSON (the median of TIMED timed downloads after WARM untimed ones). The ratio is the
# ceiling the Wine test bed itself puts on a pipe transport's stream against TCP (issue 27).
#
# Usage: bench/wine_c_stream.sh [ROUNDS] [BYTES]    (default 5 rounds of 64 MiB; needs Docker,
#                                                    the test bed image and x86_64-w64-mingw32-gcc)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
bytes=${2:-67108864}
image=$(pipe-it/src/test/wine/build-image.sh --tag)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$work/pipe-stream.exe" bench/c/pipe_stream.c
x86_64-w64-mingw32-gcc @pipe-it/src/test/c/cflags.rsp -o "$work/tcp-stream.exe" bench/c/tcp_stream.c -lws2_32
# Wine programs' output goes to files, never through a pipe (their helper processes keep it open).
docker run --rm --network none -v "$work:/bench" -e ROUNDS="$rounds" -e BYTES="$bytes" "$image" bash -c '
  set -e
  cd /bench
  wineserver -p
  wine pipe-stream.exe server c-stream 1048576 > pipe-server.log 2>&1 & pipe_server=$!
  wine tcp-stream.exe server 47123 1048576 > tcp-server.log 2>&1 & tcp_server=$!
  for _ in $(seq 400); do grep -q "^listening" pipe-server.log && grep -q "^listening" tcp-server.log && break; sleep 0.05; done
  for round in $(seq "$ROUNDS"); do
    wine pipe-stream.exe client c-stream D "$BYTES" 2 5 > client.out 2>&1; echo "pipe $round $(tr -d "\r" < client.out)"
    wine tcp-stream.exe client 47123 D "$BYTES" 2 5 > client.out 2>&1; echo "tcp $round $(tr -d "\r" < client.out)"
  done
  kill "$pipe_server" "$tcp_server"
' > "$work/out.txt" 2>&1 || { cat "$work/out.txt" >&2; exit 1; }
grep -E '^(pipe|tcp) ' "$work/out.txt"
