#!/usr/bin/env bash
# Runs the chaos suite (pipe-it/src/test/java/io/pipekit/it/chaos) at full scale on both
# transports and collects its figures: Unix domain sockets on this machine, Windows named pipes
# under Wine in the test bed image (pipe-it/src/test/wine/build-image.sh builds it; without
# Docker and the image, that side is skipped and said so). CI runs the same scenarios reduced, as
# part of ./mvnw verify.
#
#   bench/chaos.sh [--reduced]      results in $CHAOS_OUT (default bench/results/chaos-<time>/chaos.jsonl)
#
# Full scale is the issue's figures: 10,000 connect/disconnect cycles, 100 clients killed
# mid-message, 1,000 oversized messages, close() under 32 clients ten times, and more.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scale=full
[ "${1:-}" = "--reduced" ] && scale=reduced
out=${CHAOS_OUT:-$root/bench/results/chaos-$(date -u +%Y%m%dT%H%M%SZ)/chaos.jsonl}
mkdir -p "$(dirname "$out")"
: > "$out"
say() { printf '==> %s\n' "$*" >&2; }

say "build pipekit and pipe-it's test classes"
./mvnw -B -ntp -q install -DskipTests
./mvnw -B -ntp -q -pl pipe-it test-compile process-test-classes

say "Unix domain sockets: the chaos scenarios at $scale scale"
./mvnw -B -ntp -q -pl pipe-it surefire:test -Dtest=UnixChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dpipekit.chaos.scale="$scale" -Dpipekit.chaos.results="$out"

image=$(pipe-it/src/test/wine/build-image.sh --tag)
if command -v docker >/dev/null && docker image inspect "$image" >/dev/null 2>&1; then
  say "Windows named pipes under Wine ($image): the chaos scenarios at $scale scale"
  # The test bed runs the suite as WineTestBed does, but only the chaos class, on JDK 17.
  docker run --rm --network none -v "$root/pipe-it/target/windows-suite:/pipekit/suite:ro" \
    -v "$root/pipe-it/target/test-classes:/pipekit/test-classes:ro" -v "$(dirname "$out"):/pipekit/out" \
    -e SCALE="$scale" "$image" bash -c '
      set -e
      wineserver -p
      options=$PIPEKIT_JDK_OPTIONS_17
      wine /opt/jdk/17/bin/java.exe $options "-Dpipekit.childJvmOptions=$options" --enable-native-access=ALL-UNNAMED \
        -Dpipekit.chaos.scale=$SCALE "-Dpipekit.chaos.results=$(winepath -w /pipekit/out)\\wine.jsonl" \
        "-Dpipekit.jars.dir=$(winepath -w /pipekit/suite/jars)" \
        -cp "$(winepath -w /pipekit/suite/classpath)\\*;$(winepath -w /pipekit/test-classes);$(winepath -w /pipekit/suite/junit-platform-console-standalone.jar)" \
        org.junit.platform.console.ConsoleLauncher execute --select-class=io.pipekit.it.chaos.WindowsChaosTest \
        --details=tree --details-theme=ascii --disable-ansi-colors --disable-banner > /pipekit/out/wine.log 2>&1 \
        || { cat /pipekit/out/wine.log; exit 1; }
      tail -15 /pipekit/out/wine.log'
  tr -d '\r' < "$(dirname "$out")/wine.jsonl" >> "$out"
  rm -f "$(dirname "$out")/wine.jsonl"
else
  say "no Docker or no test bed image $image: the Windows side is not measured"
fi
say "chaos results in $out"
