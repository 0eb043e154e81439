#!/usr/bin/env bash
# Fuzzes every decoder that sees a peer's bytes (pipe-core/src/test/java/io/pipekit/core/fuzz) with
# Jazzer, one target per JVM (libFuzzer fuzzes one target per process), and records what each did.
#
#   bench/fuzz.sh --duration 10s                 each target for 10 s (what CI runs)
#   bench/fuzz.sh --executions 1000000           each target for a million inputs (docs/reliability.md)
#
# Each target starts from its seeds in pipe-core/src/test/resources/io/pipekit/core/fuzz/ and the
# corpus it grew before (pipe-core/.cifuzz-corpus, not committed). A finding fails the target,
# and Jazzer saves the input beside the seeds: commit it, and every plain `mvn test` replays it.
# Results: one JSON line per target in $FUZZ_OUT (default bench/results/fuzz-<time>/fuzz.jsonl).
# Exits non-zero if any target found something or did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=10m; executions=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --executions) executions=$2; shift 2 ;;
    *) echo "usage: bench/fuzz.sh [--duration 30s] [--executions N]" >&2; exit 2 ;;
  esac
done
out=${FUZZ_OUT:-$root/bench/results/fuzz-$(date -u +%Y%m%dT%H%M%SZ)/fuzz.jsonl}
mkdir -p "$(dirname "$out")"
: > "$out"
say() { printf '==> %s\n' "$*" >&2; }

build=$(mktemp -d)   # the class path and the launcher: not results
trap 'rm -rf "$build"' EXIT
say "build pipe-core and its test class path"
if [ -n "${FUZZ_SKIP_BUILD:-}" ]; then
  # CI fuzzes what its test build just compiled, beside the bench smoke: no second Maven build in
  # the same tree at the same time.
  [ -d pipe-core/target/test-classes ] || { say "FUZZ_SKIP_BUILD is set but pipe-core is not built"; exit 1; }
else
  ./mvnw -B -ntp -q test-compile -pl pipe-core
fi
./mvnw -B -ntp -q -pl pipe-core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$build/classpath.txt"
junit_version=$(./mvnw -B -ntp -q help:evaluate -Dexpression=junit.version -DforceStdout)
./mvnw -B -ntp -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_version" \
  -DoutputDirectory="$build"
classpath="pipe-core/target/test-classes:pipe-core/target/classes:$(cat "$build/classpath.txt")"
launcher="$build/junit-platform-console-standalone-$junit_version.jar"

targets=$(grep -l "@FuzzTest" pipe-core/src/test/java/io/pipekit/core/fuzz/*.java | while read -r file; do
  class=io.pipekit.core.fuzz.$(basename "$file" .java)
  # Every target takes one FuzzedDataProvider; JUnit selects a method by its parameter types too.
  grep -A1 "@FuzzTest" "$file" | grep -o 'void [a-zA-Z]*' | sed "s/void \(.*\)/$class#\1(com.code_intelligence.jazzer.api.FuzzedDataProvider)/"
done)

# Every @FuzzTest in the sources must be a target here: a grep that finds none, or misses one whose
# annotation and method are not on adjacent lines, must fail the run, not fuzz nothing and pass.
declared=$(cat pipe-core/src/test/java/io/pipekit/core/fuzz/*.java | grep -cE "^[[:space:]]*@FuzzTest" || true)
found=$(wc -w <<< "$targets")
if [ "$declared" -eq 0 ] || [ "$found" -ne "$declared" ]; then
  say "the sources declare $declared @FuzzTest targets and this script found $found: refusing to fuzz a partial set"
  exit 1
fi
say "$found fuzz targets"

failed=0
for target in $targets; do
  method=${target%%(*}
  log="$(dirname "$out")/${method##*.}.log"
  if [ "$executions" -gt 0 ]; then bound="$executions executions, at most $duration"; else bound="$duration"; fi
  say "fuzz $target ($bound)"
  started=$(date +%s)
  # From pipe-core, so that Jazzer finds the seeds in src/test/resources and saves findings there.
  set +e
  (cd pipe-core && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" JAZZER_MAX_EXECUTIONS="$executions" \
    java -XX:-OmitStackTraceInFastThrow -cp "${classpath//pipe-core\//}:$launcher" org.junit.platform.console.ConsoleLauncher execute \
      --select-method="$target" --details=summary --disable-banner --disable-ansi-colors > "$log" 2>&1)
  status=$?
  set -e
  seconds=$(( $(date +%s) - started ))
  python3 - "$target" "$status" "$seconds" "$duration" "$executions" "$log" >> "$out" <<'PY'
import json, re, sys
target, status, seconds, duration, executions, log = sys.argv[1:7]
text = open(log, errors="replace").read()
done = re.findall(r"Done (\d+) runs in (\d+) second", text)
findings = re.findall(r"(?m)^== Java Exception: (.*)$", text)
passed = re.search(r"(\d+) tests successful", text)
print(json.dumps({"side": "fuzz", "target": target, "exitCode": int(status), "wallSeconds": int(seconds),
                  "maxDuration": duration, "maxExecutions": int(executions),
                  "executions": int(done[-1][0]) if done else None, "fuzzSeconds": int(done[-1][1]) if done else None,
                  "findings": findings, "passed": bool(passed and int(passed.group(1)) > 0)}))
PY
  result=$(tail -1 "$out")
  echo "    $result" >&2
  if [ "$status" != 0 ] || ! grep -q '"executions": [0-9]' <<< "$result"; then
    failed=1
    say "$target failed or did not fuzz: see $log"
    tail -40 "$log" >&2
  fi
done
say "fuzz results in $out"
exit $failed
