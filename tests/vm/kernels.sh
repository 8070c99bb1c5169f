#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest kernel generations anonleak is tested on, by short name, and
# where each one's image, modules and headers are.
#
#   tests/vm/kernels.sh list                 the table below
#   tests/vm/kernels.sh prepare NAME...      make NAME bootable and buildable
#   tests/vm/kernels.sh kver NAME            its "uname -r"
#   tests/vm/kernels.sh image NAME           path of its bzImage
#   tests/vm/kernels.sh modroot NAME         folder holding lib/modules/KVER
#   tests/vm/kernels.sh build NAME [--out DIR] -- ARGS
#                                            run "make ARGS" (kbuild, M= the
#                                            current folder) with its headers:
#                                            in its suite's chroot if it has
#                                            one, on a copy of the folder;
#                                            the .ko files made are copied
#                                            into DIR (default: in place)
#
# NAME: 5.10, 6.1, 6.12 or 7.3. 6.1 and 6.12 are Debian 12 packages installed
# on the host by scripts/deps.sh. 5.10 (bullseye) and 7.3 (trixie-backports)
# need the compiler their kernel was built with (gcc-10, gcc-14), which
# Debian 12 does not have: "prepare" makes a chroot of the kernel's own suite
# with mmdebstrap, installs the headers there, and unpacks the image and its
# modules next to it (never into the host's /boot). Both come from the
# machine's own Debian archive (scripts/debian-archive.sh). Everything is
# cached in $ANONLEAK_KERNEL_CACHE (default /var/cache/anonleak/kernels)
# under <suite>-<kernel version>, and reused as it is when present.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${ANONLEAK_KERNEL_CACHE:-/var/cache/anonleak/kernels}

# name suite  extra-suite        metapackage flavour (resolved in the suite)
table="5.10 bullseye -                  linux-headers-amd64
6.1  host     -                  -
6.12 host     -                  -
7.3  trixie   trixie-backports   linux-headers-amd64"

say() { echo "kernels: $*" >&2; }
die() { say "$*"; exit 1; }
usage() { sed -n '6,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

entry() { # NAME -> "suite extra meta", or fail
	local n s e m
	while read -r n s e m; do
		[ "$n" = "$1" ] && { echo "$s $e $m"; return 0; }
	done <<<"$table"
	die "unknown kernel '$1' (known: $(cut -d' ' -f1 <<<"$table" | tr '\n' ' '))"
}

# The chroot of a suite; its kernel version is in $dir/kver once prepared.
chroot_of() { # SUITE -> dir of the newest prepared chroot of SUITE
	local d
	d=$(ls -d "$cache/$1"-*/ 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -f "$d/ok" ] && echo "${d%/}"
}

kver_of() {
	local suite extra meta d
	read -r suite extra meta <<<"$(entry "$1")"
	if [ "$suite" = host ]; then
		"$here/kver.sh" --boot "$1"
		return
	fi
	d=$(chroot_of "$suite") || die "kernel $1 is not prepared (tests/vm/kernels.sh prepare $1)"
	cat "$d/kver"
}

# Run a command in a chroot with /proc (objtool reads it) and /dev mounted.
in_chroot() {
	local d=$1 rc=0
	shift
	mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
	chroot "$d" "$@" || rc=$?
	umount "$d/proc" 2>/dev/null || true
	return $rc
}

prepare_chroot() { # NAME SUITE EXTRA META
	local name=$1 suite=$2 extra=$3 meta=$4 base=$cache/$2-base suites kver dir deps pkg tflag
	[ -n "$(chroot_of "$suite" || true)" ] && return 0
	command -v mmdebstrap >/dev/null || die "mmdebstrap missing (scripts/deps.sh)"
	suites=$suite
	[ "$extra" != - ] && suites+=" $extra"
	mkdir -p "$cache"
	exec 8>"$cache/$suite.lock"
	flock 8
	[ -n "$(chroot_of "$suite" || true)" ] && return 0
	say "making a $suite chroot for the $name kernel's headers (in $base)"
	rm -rf "$base"
	"$root/scripts/debian-archive.sh" --sources $suites >"$cache/$suite.sources"
	mmdebstrap --variant=minbase --include=make,binutils,ca-certificates \
		--skip=cleanup/apt/lists "$suite" "$base" "$cache/$suite.sources" >&2 ||
		die "mmdebstrap of $suite failed"
	# The newest kernel of the suite (backports included): the flavour's
	# metapackage names it.
	tflag=()
	[ "$extra" != - ] && tflag=(-t "$extra")
	deps=$(in_chroot "$base" apt-cache "${tflag[@]}" depends "$meta") ||
		die "apt-cache depends $meta failed in the $suite chroot"
	pkg=$(sed -n 's/^ *Depends: \(linux-headers-[0-9][^ ]*\)$/\1/p' <<<"$deps" | head -n 1)
	[ -n "$pkg" ] || die "no headers package behind $meta in $suites"
	kver=${pkg#linux-headers-}
	case "$kver" in
	"$name".* | "$name"-*) ;;
	*) die "$suites has kernel $kver now, not $name: update the table in $0" ;;
	esac
	say "installing $pkg in the chroot"
	in_chroot "$base" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${tflag[@]}" "$pkg" >&2 ||
		die "installing $pkg failed"
	unpack_image "$base" "$kver"
	echo "$kver" >"$base/kver"
	dir=$cache/$suite-$kver
	rm -rf "$dir"
	mv "$base" "$dir"
	touch "$dir/ok"
	say "kernel $name ready: $kver in $dir"
}

# The image and its modules, unpacked (not installed) under DIR/image.
unpack_image() { # CHROOT KVER
	local d=$1 kver=$2 p img
	rm -rf "$d/image" "$d/var/tmp/debs"
	mkdir -p "$d/image" "$d/var/tmp/debs"
	for p in linux-image-$kver linux-binary-$kver linux-modules-$kver; do
		in_chroot "$d" sh -c "cd /var/tmp/debs && apt-get download $p" \
			>/dev/null 2>&1 || true
	done
	ls "$d"/var/tmp/debs/linux-image-*.deb >/dev/null 2>&1 ||
		die "could not download linux-image-$kver"
	for p in "$d"/var/tmp/debs/*.deb; do
		dpkg-deb -x "$p" "$d/image"
	done
	rm -rf "$d/var/tmp/debs"
	# usr-merged (7.x: /usr/lib/modules/KVER/vmlinuz) or not (/boot).
	for img in "$d/image/boot/vmlinuz-$kver" "$d/image/usr/lib/modules/$kver/vmlinuz"; do
		[ -f "$img" ] && break
	done
	[ -f "$img" ] || die "no vmlinuz in the packages of $kver"
	ln -sf "${img#"$d/"}" "$d/vmlinuz"
	if [ -d "$d/image/usr/lib/modules/$kver" ]; then
		mkdir -p "$d/image/lib/modules"
		ln -sfn "../../usr/lib/modules/$kver" "$d/image/lib/modules/$kver"
	fi
	depmod -b "$d/image" "$kver" 2>/dev/null || true
	[ -f "$d/image/lib/modules/$kver/modules.dep" ] ||
		die "no modules.dep for $kver"
}

prepare() {
	local suite extra meta
	read -r suite extra meta <<<"$(entry "$1")"
	if [ "$suite" = host ]; then
		"$here/kver.sh" --boot "$1" >/dev/null ||
			die "kernel $1 is not installed (scripts/deps.sh${1/#6.1*/ --all})"
		return 0
	fi
	prepare_chroot "$1" "$suite" "$extra" "$meta"
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
case "$cmd" in
list)
	echo "$table" ;;
prepare)
	[ $# -gt 0 ] || usage
	for n in "$@"; do prepare "$n"; done ;;
kver)
	kver_of "${1:?}" ;;
image | modroot)
	read -r suite _ _ <<<"$(entry "${1:?}")"
	if [ "$suite" = host ]; then
		k=$("$here/kver.sh" --boot "$1")
		[ "$cmd" = image ] && echo "/boot/vmlinuz-$k" || echo /
	else
		d=$(chroot_of "$suite") || die "kernel $1 is not prepared"
		[ "$cmd" = image ] && echo "$d/$(readlink "$d/vmlinuz")" || echo "$d/image"
	fi ;;
build)
	name=${1:?}
	shift
	out=
	[ "${1:-}" = --out ] && { out=${2:?}; shift 2; }
	[ "${1:-}" = -- ] && shift
	read -r suite _ _ <<<"$(entry "$name")"
	if [ "$suite" = host ]; then
		k=$("$here/kver.sh" --build "$name")
		make -C "/lib/modules/$k/build" M="$PWD" "$@"
		d= src=$PWD
	else
		d=$(chroot_of "$suite") || die "kernel $name is not prepared"
		k=$(cat "$d/kver")
		# A private copy of the sources in the chroot, without the host's
		# kbuild products (the chroot keeps its own between builds).
		src=/build/$(basename "$PWD")
		exec 8>"$d/build.lock"
		flock 8
		mkdir -p "$d$src"
		tar -C "$PWD" --exclude=./build --exclude=./.git --exclude='*.o' \
			--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
			--exclude='.*.cmd' --exclude='*.order' --exclude=Module.symvers \
			-cf - . | tar -C "$d$src" -xf -
		in_chroot "$d" make -C "/lib/modules/$k/build" M="$src" "$@"
	fi
	if [ -n "$out" ]; then
		mkdir -p "$out"
		find "$d$src" -name '*.ko' -newer "$d$src/Kbuild" -exec cp {} "$out/" \;
	elif [ -n "$d" ]; then
		(cd "$d$src" && find . -name '*.ko' -print0) |
			while IFS= read -r -d '' f; do cp "$d$src/$f" "$PWD/$f"; done
	fi ;;
*)
	usage ;;
esac
