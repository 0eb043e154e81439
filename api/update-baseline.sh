#!/usr/bin/env bash
# Makes the sources as they are now (the working tree, uncommitted changes included) pipekit's API
# baseline: builds the three library jars in a clean copy of the tree and copies them to
# api/baseline/<artifactId>.jar, which japicmp compares every build with (see CONTRIBUTING.md,
# "Changing the API on purpose"). The build is reproducible, so a rerun on the same sources gives
# the same bytes. Run it only for an API change that is meant and has its CHANGELOG entry.
#
#   api/update-baseline.sh
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(pipe-core pipe-server pipe-client)

# In a copy, so that this tree's target/ directories are neither cleaned nor trusted.
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tree"
# japicmp is skipped here: this build is what the next ones are compared with.
(cd "$tree" && ./mvnw -B -ntp -q -DskipTests -Djapicmp.skip=true \
  -pl "$(IFS=,; echo "${modules[*]}")" -am package)

for module in "${modules[@]}"; do
  # The module's own jar: not the tests, sources or javadoc jar, nor the runnable one.
  jars=()
  for jar in "$tree/$module/target/$module"-*.jar; do
    case "$jar" in *-tests.jar | *-sources.jar | *-javadoc.jar) ;; *) jars+=("$jar") ;; esac
  done
  [ ${#jars[@]} -eq 1 ] || { echo "update-baseline: expected one $module jar, found: ${jars[*]:-none}" >&2; exit 1; }
  cp "${jars[0]}" "api/baseline/$module.jar"
done

if git diff --quiet -- api/baseline && [ -z "$(git ls-files --others -- api/baseline)" ]; then
  echo "api/baseline: unchanged"
else
  git status --short -- api/baseline
  echo "api/baseline: updated. Commit it with the API change, whose CHANGELOG entry (under Changed or Removed) says what breaks."
fi
