#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian packages (debian/) from a clean copy of the tree: the
# files git tracks or would track (not ignored), as they are in the working
# tree: no build/, no kbuild products. Without git, a copy without build/.
#
#   scripts/build-deb.sh [OUT]     (default: build/deb)
#
# OUT gets anonleak_V_ARCH.deb, anonleak-dkms_V_all.deb, the .changes and
# .buildinfo files; OUT/src is the copy they were built from.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$out/src"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked files that still exist (a deletion not committed yet is gone).
	git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar -c --null -T - | tar -x -C "$out/src"
else
	tar -c --exclude=./build --exclude=./.git . | tar -x -C "$out/src"
fi
cd "$out/src"
dpkg-buildpackage -us -uc -b
ls "$out"/*.deb
