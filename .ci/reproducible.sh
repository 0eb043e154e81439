#!/usr/bin/env bash
# Two clean builds of this commit must give byte-identical artifacts: the library jars, their
# sources and javadoc jars, and the runnable jars (project.build.outputTimestamp fixes every
# entry's time). Prints the checksums, and fails naming any artifact that differs.
#
#   .ci/reproducible.sh                    two clean release builds, compared
#   .ci/reproducible.sh --checksums        only print the checksums of the artifacts built now
#   .ci/reproducible.sh --against FILE     one clean release build, compared with FILE: the
#                                          checksums (--checksums) of an earlier clean release
#                                          build of this commit, such as the one .ci/run tests
set -euo pipefail
cd "$(dirname "$0")/.."
modules=pipe-bom,pipe-core,pipe-server,pipe-client
checksums() {
  sha256sum pipe-core/target/*.jar pipe-server/target/*.jar pipe-client/target/*.jar | sort -k2
}
build() {
  ./mvnw -B -ntp -q -Prelease -Dgpg.skip -DskipTests -pl "$modules" clean verify
  checksums
}

case "${1:-}" in
  --checksums)
    checksums
    exit 0
    ;;
  --against)
    first=${2:?"usage: .ci/reproducible.sh --against <checksums file>"}
    [ -s "$first" ] || { echo "reproducible build: $first holds no checksums" >&2; exit 2; }
    ;;
  "")
    first=$(mktemp)
    build > "$first"
    ;;
  *)
    echo "usage: .ci/reproducible.sh [--checksums | --against <checksums file>]" >&2
    exit 2
    ;;
esac
# Each release build makes sources and javadoc jars: without them this compares less than it says.
if ! grep -q -- '-javadoc\.jar$' "$first" || ! grep -q -- '-sources\.jar$' "$first"; then
  echo "reproducible build: the first build has no sources or javadoc jars (was it a -Prelease build?)" >&2
  exit 2
fi
second=$(mktemp)
build > "$second"
cat "$second"
if ! diff -u "$first" "$second"; then
  echo "reproducible build: FAILED, the artifacts above differ between two builds of one commit"
  exit 1
fi
echo "reproducible build: $(wc -l < "$second") artifacts byte-identical across two clean builds"
