#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Resolve a guest kernel name to an installed kernel version.
#
#   tests/vm/kver.sh [--boot|--build] NAME
#
# NAME is a full version ("6.12.95+deb12-amd64") or a prefix ("6.1", "6.12"):
# a prefix picks the newest installed version that starts with "NAME." or
# "NAME-". --boot (default) looks at /boot/vmlinuz-*, --build at
# /lib/modules/*/build. Prints the version; exits 1 if none is installed.
# KVER_BOOT_DIR / KVER_MODULES_DIR override /boot and /lib/modules (tests).
set -eu

mode=boot
case "${1:-}" in
--boot) shift ;;
--build) mode=build; shift ;;
esac
name=${1:?usage: kver.sh [--boot|--build] NAME}
boot=${KVER_BOOT_DIR:-/boot}
mods=${KVER_MODULES_DIR:-/lib/modules}

# All installed versions, one per line.
installed() {
	if [ "$mode" = boot ]; then
		for f in "$boot"/vmlinuz-*; do
			[ -f "$f" ] && echo "${f#"$boot"/vmlinuz-}"
		done
	else
		for d in "$mods"/*/build; do
			[ -d "$d" ] && { d=${d%/build}; echo "${d##*/}"; }
		done
	fi
	return 0
}

v=$(installed | awk -v n="$name" \
	'index($0, n ".") == 1 || index($0, n "-") == 1' | sort -V | tail -n 1)
# An exact match always wins over a prefix match.
if installed | grep -qxF -- "$name"; then
	v=$name
fi
if [ -z "$v" ]; then
	echo "kver.sh: no installed kernel matches '$name' (looked in" \
		"$([ "$mode" = boot ] && echo "$boot/vmlinuz-*" || echo "$mods/*/build"))" >&2
	exit 1
fi
echo "$v"
