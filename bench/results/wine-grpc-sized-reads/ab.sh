#!/usr/bin/env bash
# The Wine gRPC stream, A/B: bench/java/GrpcBench.java's stream cell (64 KiB messages) over TCP
# loopback beside pipe-netty jars given as LABEL=JAR, interleaved per round in the test bed's
# Windows JVM, each cell warmed until the JIT is quiet (at most WARMSEC). JVM options for a
# label's cells in PROPS_<label>. The TCP cells run with the first jar on the class path.
#
# usage (from the repository, after ./mvnw -DskipTests -pl pipe-it -am package
#        dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/grpc-classpath.txt):
#   ROUNDS=3 BYTES=134217728 WARMSEC=60 bench/results/wine-grpc-sized-reads/ab.sh OUT.jsonl LABEL=JAR ...
set -euo pipefail
out=$(realpath "$1"); shift
jars=(); for v in "$@"; do jars+=("${v%%=*}=$(realpath "${v#*=}")"); done; set -- "${jars[@]}"
cd "$(dirname "$0")/../../.."
image=$(pipe-it/src/test/wine/build-image.sh --tag)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac --release 17 -d "$work/grpc" -cp "$(cat pipe-it/target/grpc-classpath.txt)" bench/java/GrpcBench.java
cp_win=grpc; mkdir -p "$work/grpc-lib" "$work/variants"
for jar in $(tr ':' ' ' < pipe-it/target/grpc-classpath.txt); do
  case "$(basename "$jar")" in
    *-tests.jar) ;;
    pipe-netty-*) ;;
    grpc-api-*|grpc-context-*|grpc-core-*|grpc-netty-*|grpc-stub-*|grpc-util-*|guava-*|failureaccess-*|perfmark-api-*|gson-* \
      |netty-buffer-*|netty-codec-*|netty-common-*|netty-handler-*|netty-resolver-*|netty-transport-[0-9]*|netty-transport-native-unix-common-* \
      |pipe-core-*|pipe-server-*|pipe-client-*|jna-*)
      cp "$jar" "$work/grpc-lib/"; cp_win="$cp_win;grpc-lib/$(basename "$jar")" ;;
  esac
done
labels=""
envs=()
for v in "$@"; do l=${v%%=*}; cp "${v#*=}" "$work/variants/$l.jar"; labels="$labels $l"; pv=PROPS_$l; envs+=(-e "$pv=${!pv:-}"); done
docker run --rm --network none -v "$work:/bench" -e CP="$cp_win" -e LABELS="$labels" -e ROUNDS="${ROUNDS:-3}" -e BYTES="${BYTES:-134217728}" -e WARMSEC="${WARMSEC:-60}" -e EXTRA="${EXTRA:-}" "${envs[@]}" "$image" bash -c '
  cd /bench
  wineserver -p
  wspid=$(for p in /proc/[0-9]*; do case "$(cat $p/comm 2>/dev/null)" in wineserver*) echo "${p#/proc/}" ;; esac; done | head -1)
  for r in $(seq 1 $ROUNDS); do
    for l in tcp $LABELS; do
      t=pipe; v=$l; [ $l = tcp ] && { t=tcp; v=$(echo $LABELS | cut -d" " -f1); }
      wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS $EXTRA -Dgrpcbench.maxWarmSeconds=$WARMSEC -Dgrpcbench.wineserverStat="Z:\\proc\\$wspid\\stat" $(eval echo \${PROPS_$l:-}) -cp "$CP;variants/$v.jar" GrpcBench $t ab-$r-$l stream 65536 $BYTES 1 > out.txt 2> err.txt < /dev/null
      line=$(grep "^{" out.txt | tr -d "\r") || { cat out.txt err.txt; continue; }
      echo "{\"label\": \"$l\", \"round\": $r, ${line#\{}" >> results.jsonl
    done
  done
  wineserver -k || true
' > "$work/docker.out" 2>&1 || { cat "$work/docker.out" >&2; exit 1; }
cp "$work/results.jsonl" "$out"
python3 - "$out" <<'PY'
import json,sys,collections
rows=[json.loads(l) for l in open(sys.argv[1])]
by=collections.defaultdict(dict)
for r in rows: by[r["round"]][r["label"]]=r
for rd,c in sorted(by.items()):
    t=c.get("tcp",{}).get("megabytesPerSecond")
    print(rd, "  ".join(f'{l}={c[l]["megabytesPerSecond"]} ({c[l]["megabytesPerSecond"]/t:.2f}x, cpu {c[l]["cpuMicrosPerMegabyte"]:.0f}+{c[l]["wineserverCpuMicrosPerMegabyte"]:.0f}, q={c[l]["jitQuiet"]})' for l in c))
PY
