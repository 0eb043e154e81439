#!/usr/bin/env bash
# Makes a minimal Debian bookworm base image without any image registry: debootstrap a
# root file system, then `docker import` it. Needs root, debootstrap and a Docker engine.
# Usage: make-base-image.sh [image name]   (default: pipekit/debian-base:bookworm)
set -euo pipefail
name=${1:-pipekit/debian-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
# The downloaded .debs and package lists would only make the image larger.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$name" >/dev/null
echo "made base image $name"
