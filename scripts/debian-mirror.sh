#!/usr/bin/env bash
# Print the Debian mirror this machine's apt uses (the first http(s) URI whose path ends in /debian),
# read from one-line sources (`deb URI suite …` in sources.list and *.list) and from deb822 sources
# (`URIs: URI …` in *.sources, Debian's default since bookworm). Missing files are fine; prints
# http://deb.debian.org/debian when no Debian mirror is configured.
#
#   APT_ETC (default /etc/apt): the apt configuration folder to read (tests point it elsewhere)
set -euo pipefail
# Never stop without saying why: name the command and line that failed.
trap 'echo "debian-mirror.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR
APT_ETC="${APT_ETC:-/etc/apt}"
DEFAULT=http://deb.debian.org/debian

files=()
[ -f "$APT_ETC/sources.list" ] && files+=("$APT_ETC/sources.list")
for f in "$APT_ETC"/sources.list.d/*.list "$APT_ETC"/sources.list.d/*.sources; do
  [ -f "$f" ] && files+=("$f")
done

mirror=""
if [ "${#files[@]}" -gt 0 ]; then
  # One URI per line: the URI of a one-line `deb [options] URI …` entry, every URI of a `URIs:` field.
  mirror="$(awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*deb[[:space:]]/ {
      for (i = 2; i <= NF; i++) { if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; continue } print $i; break }
      next
    }
    tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }
  ' "${files[@]}" | grep -m1 -E '^https?://[^[:space:]]+/debian/?$' || true)"
fi
echo "${mirror%/}" | grep . || echo "$DEFAULT"
