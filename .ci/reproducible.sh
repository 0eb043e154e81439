#!/usr/bin/env bash
# Two clean builds of this commit must give byte-identical artifacts: the library jars, their
# sources and javadoc jars, and the runnable jars (project.build.outputTimestamp fixes every
# entry's time). Prints the checksums, and fails naming any artifact that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=pipe-bom,pipe-core,pipe-server,pipe-client
build() {
  ./mvnw -B -ntp -q -Prelease -Dgpg.skip -DskipTests -pl "$modules" clean verify
  sha256sum pipe-core/target/*.jar pipe-server/target/*.jar pipe-client/target/*.jar | sort -k2
}
first=$(mktemp) second=$(mktemp)
build > "$first"
build > "$second"
cat "$second"
if ! diff -u "$first" "$second"; then
  echo "reproducible build: FAILED, the artifacts above differ between two builds of one commit"
  exit 1
fi
echo "reproducible build: $(wc -l < "$second") artifacts byte-identical across two clean builds"
