#!/usr/bin/env bash
# Makes a minimal Debian base image without any image registry: debootstrap a root file
# system, then `docker import` it. Needs root, debootstrap and a Docker engine.
# Usage: make-base-image.sh [image name]   (default: pipekit/debian-base:bookworm)
#        make-base-image.sh --mirror [apt dir]   print the mirror it would use, and stop
# The Debian suite is the image's tag: pipekit/debian-base:trixie debootstraps trixie.
# The mirror is $DEBIAN_MIRROR, else the first Debian archive the host's own apt uses (so that a
# machine behind a mirror or a proxy debootstraps through it, as its apt does), else
# http://deb.debian.org/debian.
set -euo pipefail

# The first Debian archive in apt's configuration under $1 (default /etc/apt): sources.list, then
# sources.list.d's one-line *.list and deb822 *.sources files in name order, as apt reads them.
# An archive is a `deb` entry, enabled, over http(s) or ftp, with a `main` component and "debian"
# in its URI; security archives (debian-security) are not mirrors of a suite. Prints nothing if
# there is none.
host_debian_mirror() {
  local etc=${1:-/etc/apt} file
  local files=()
  [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
  for file in "$etc"/sources.list.d/*; do
    case $file in *.list | *.sources) [ -f "$file" ] && files+=("$file") ;; esac
  done
  for file in "${files[@]}"; do
    awk -v deb822="$([[ $file == *.sources ]] && echo 1 || echo 0)" '
      function archive(uri, components) {
        sub(/\/+$/, "", uri)
        return uri ~ /^(https?|ftp):\/\// && uri ~ /debian/ && uri !~ /debian-security/ \
          && (" " components " ") ~ /[ \t]main[ \t]/ ? uri : ""
      }
      function stanza_end(   n, i, uris, found) {
        if (types != "" && (" " types " ") ~ /[ \t]deb[ \t]/ && tolower(enabled) != "no") {
          n = split(uris_field, uris, /[ \t]+/)
          for (i = 1; i <= n; i++) if ((found = archive(uris[i], components)) != "") { print found; exit }
        }
        types = ""; uris_field = ""; components = ""; enabled = ""
      }
      deb822 == 1 && /^#/ { next }   # a comment line, which does not end a stanza
      { sub(/#.*/, "") }
      deb822 == 1 && /^[ \t]*$/ { stanza_end(); next }
      deb822 == 1 {
        key = tolower($0); sub(/:.*/, "", key); value = $0; sub(/^[^:]*:[ \t]*/, "", value)
        if (key == "types") types = value
        else if (key == "uris") uris_field = value
        else if (key == "components") components = value
        else if (key == "enabled") enabled = value
        next
      }
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }   # [ options ]
        uri = $i; components = ""
        for (j = i + 2; j <= NF; j++) components = components " " $j
        if ((found = archive(uri, components)) != "") { print found; exit }
      }
      END { if (deb822 == 1) stanza_end() }
    ' "$file" | head -n 1 | grep . && return 0
  done
  return 0
}

mirror_to_use() {
  local mirror=${DEBIAN_MIRROR:-$(host_debian_mirror "$@")}
  echo "${mirror:-http://deb.debian.org/debian}"
}

if [ "${1:-}" = "--mirror" ]; then
  shift
  mirror_to_use "$@"
  exit 0
fi

name=${1:-pipekit/debian-base:bookworm}
suite=${name##*:}
mirror=$(mirror_to_use)
echo "debootstrap $suite from $mirror" >&2

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >/dev/null
grep -q "VERSION_CODENAME=$suite" "$rootfs/etc/os-release" \
  || { echo "debootstrap gave $(grep PRETTY_NAME "$rootfs/etc/os-release"), not $suite" >&2; exit 1; }
# The downloaded .debs and package lists would only make the image larger.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$name" >/dev/null
echo "made base image $name ($suite)"
