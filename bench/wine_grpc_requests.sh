#!/usr/bin/env bash
# Where a gRPC call's time goes under Wine (issue 27): wineserver requests per unary call (and per
# MB of a server stream), per thread and per request kind, for grpc-java over pipe-netty's named
# pipes and over Netty NIO TCP loopback, in the same Windows JVM as bench/run.sh --only grpc runs
# them; and the JVM's CPU per call by thread. Runs bench/java/GrpcBench.java with
# -Dgrpcbench.phases in the Wine test bed image with the wineserver's request trace on (-d1); each
# run marks its SHORT and LONG phases in the trace, and bench/wine_grpc_requests.py counts the
# difference (see there).
#
#   bench/wine_grpc_requests.sh OUT_DIR      writes OUT_DIR/requests.jsonl and OUT_DIR/cpu.jsonl
#   (TRANSPORTS, CELLS, REPS, WARM, SHORT, LONG, STREAM_SHORT, STREAM_LONG override the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/wine_grpc_requests.sh OUT_DIR}
mkdir -p "$out"
TRANSPORTS=${TRANSPORTS:-"pipe tcp"}; CELLS=${CELLS:-"unary-1 unary-32 stream"}
REPS=${REPS:-3}; WARM=${WARM:-3000}; SHORT=${SHORT:-200}; LONG=${LONG:-1200}
STREAM_SHORT=${STREAM_SHORT:-4194304}; STREAM_LONG=${STREAM_LONG:-16777216}

image=$(pipe-it/src/test/wine/build-image.sh --tag)
docker image inspect "$image" >/dev/null 2>&1 || { echo "no test bed image $image: run pipe-it/src/test/wine/build-image.sh" >&2; exit 1; }
[ -f pipe-it/target/grpc-classpath.txt ] \
  || ./mvnw -q -B -ntp -DskipTests -pl pipe-it -am package dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/grpc-classpath.txt
work=$(mktemp -d)
trap '[ -n "${KEEP_TRACE:-}" ] && cp "$work/trace.log" "$work/labels.txt" "$KEEP_TRACE"/ ; rm -rf "$work"' EXIT
javac --release 17 -d "$work/grpc" -cp "$(cat pipe-it/target/grpc-classpath.txt)" bench/java/GrpcBench.java
# Of the gRPC class path only what GrpcBench needs on Windows, as bench/run.sh picks it.
cp_win=grpc
mkdir -p "$work/grpc-lib"
for jar in $(tr ':' ' ' < pipe-it/target/grpc-classpath.txt); do
  case "$(basename "$jar")" in
    *-tests.jar) ;;
    grpc-api-*|grpc-context-*|grpc-core-*|grpc-netty-*|grpc-stub-*|grpc-util-*|guava-*|failureaccess-*|perfmark-api-*|gson-* \
      |netty-buffer-*|netty-codec-*|netty-common-*|netty-handler-*|netty-resolver-*|netty-transport-[0-9]*|netty-transport-native-unix-common-* \
      |pipe-core-*|pipe-server-*|pipe-client-*|pipe-netty-*|jna-*)
      cp "$jar" "$work/grpc-lib/"; cp_win="$cp_win;grpc-lib/$(basename "$jar")" ;;
  esac
done
: > "$work/labels.txt"
for transport in $TRANSPORTS; do
  for cell in $CELLS; do
    if [ "$cell" = stream ]; then
      echo "$transport/$cell $(python3 -c "print(($STREAM_LONG - $STREAM_SHORT) / 1e6)")" >> "$work/labels.txt"
    else
      echo "$transport/$cell $(( LONG - SHORT ))" >> "$work/labels.txt"
    fi
  done
done

docker run --rm --network none -v "$work:/bench" -e CP="$cp_win" -e TRANSPORTS="$TRANSPORTS" -e CELLS="$CELLS" -e REPS="$REPS" \
  -e WARM="$WARM" -e SHORT="$SHORT" -e LONG="$LONG" -e STREAM_SHORT="$STREAM_SHORT" -e STREAM_LONG="$STREAM_LONG" "$image" bash -c '
  set -e
  cd /bench
  wineserver -p -d1 2> trace.log
  for transport in $TRANSPORTS; do
    for cell in $CELLS; do
      case $cell in
        unary-*) args=(unary ${cell#unary-} 0 $WARM); phases=$REPS:$SHORT:$LONG ;;
        stream) args=(stream 65536 0 1); phases=$REPS:$STREAM_SHORT:$STREAM_LONG ;;
      esac
      # Output to files, never a pipe (docs/testbed.md).
      wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -Dgrpcbench.phases=$phases -cp "$CP" GrpcBench $transport grpc-requests-$transport-$cell "${args[@]}" \
        > out.txt 2> err.txt < /dev/null || { cat err.txt >&2; exit 1; }
      line=$(grep "^{" out.txt | tr -d "\r") || { cat out.txt err.txt >&2; exit 1; }
      echo "{\"cell\": \"$transport/$cell\", ${line#\{}" >> cpu.jsonl
    done
  done
  wineserver -k || true
' > "$work/docker.out" 2>&1 || { cat "$work/docker.out" >&2; exit 1; }
cp "$work/cpu.jsonl" "$out/cpu.jsonl"
python3 bench/wine_grpc_requests.py "$work/trace.log" "$work/labels.txt" > "$out/requests.jsonl"
echo "$(du -h "$work/trace.log" | cut -f1) of trace; $out/requests.jsonl, $out/cpu.jsonl" >&2
