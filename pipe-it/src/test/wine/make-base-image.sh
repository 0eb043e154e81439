#!/usr/bin/env bash
# Makes a minimal Debian base image without any image registry: debootstrap a root file
# system, then `docker import` it. Needs root, debootstrap and a Docker engine.
# Usage: make-base-image.sh [image name]   (default: pipekit/debian-base:bookworm)
# The Debian suite is the image's tag: pipekit/debian-base:trixie debootstraps trixie.
set -euo pipefail
name=${1:-pipekit/debian-base:bookworm}
suite=${name##*:}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >/dev/null
grep -q "VERSION_CODENAME=$suite" "$rootfs/etc/os-release" \
  || { echo "debootstrap gave $(grep PRETTY_NAME "$rootfs/etc/os-release"), not $suite" >&2; exit 1; }
# The downloaded .debs and package lists would only make the image larger.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$name" >/dev/null
echo "made base image $name ($suite)"
