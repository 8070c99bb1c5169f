#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the test guest's initramfs for one kernel version.
#
#   tests/vm/mkinitramfs.sh KVER OUT.cpio.gz [ROOT]
#
# Contents: static busybox, tests/vm/init as /init, and the kernel's modules
# needed to mount the host over virtio-9p (decompressed, in load order; ones
# that are built in or absent are skipped). OUT is rebuilt only when an input
# changed: a hash of all inputs is kept in OUT.key. The modules are taken
# from ROOT/lib/modules/KVER (default ROOT: /; tests/vm/kernels.sh unpacks
# the kernels of other suites elsewhere).
set -euo pipefail

kver=${1:?usage: mkinitramfs.sh KVER OUT}
out=${2:?usage: mkinitramfs.sh KVER OUT}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/usr/bin/busybox}
modroot=${3:-/}
moddir=${modroot%/}/lib/modules/$kver
# Load order matters: each module needs the ones before it.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	 netfs fscache 9pnet 9pnet_virtio 9p"

die() { echo "mkinitramfs: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
{ ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic' ||
	die "$busybox is not statically linked (need busybox-static)"

# Path of module NAME relative to $moddir, empty if not a loadable module.
modpath() {
	sed -n "s|^\([^:]*/$1\.ko\(\.[a-z]*\)\?\):.*|\1|p" "$moddir/modules.dep" | head -n 1
}

found=()
notes=()
if [ ! -f "$moddir/modules.dep" ]; then
	# A self-built kernel with virtio/9p built in needs no modules.
	notes+=("no $moddir/modules.dep, adding no modules")
	modules=
fi
for m in $modules; do
	p=$(modpath "$m")
	if [ -n "$p" ]; then
		found+=("$m:$p")
	elif ! grep -q "/$m\.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
		notes+=("$m is neither a module nor built into $kver")
	fi
done

# The cache key: every input's content.
key=$( {
	echo "$kver"
	cat "$0" "$here/init"
	sha256sum "$busybox"
	for e in "${found[@]}"; do
		echo "$e"
		sha256sum "$moddir/${e#*:}"
	done
} | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

echo "mkinitramfs: building $out" >&2
for n in "${notes[@]}"; do
	echo "mkinitramfs: note: $n" >&2
done
mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$out.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,host,results,keep/tmp,keep/run,lib/modules}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$here/init" "$stage/init"
# A console for the kernel to hand to /init (init also reopens it).
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
for e in "${found[@]}"; do
	m=${e%%:*} p=$moddir/${e#*:}
	case "$p" in
	*.ko.xz) xz -dc "$p" ;;
	*.ko.zst) zstd -dcq "$p" ;;
	*.ko.gz) gzip -dc "$p" ;;
	*) cat "$p" ;;
	esac > "$stage/lib/modules/$m.ko"
	echo "$m" >> "$stage/lib/modules/order"
done
touch "$stage/lib/modules/order"
# Reproducible archive: sorted names, root-owned, fixed mtimes.
(cd "$stage" && find . -mindepth 1 -exec touch -h -d @0 {} + &&
	find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -n -6 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$key" > "$out.key"
