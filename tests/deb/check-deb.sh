#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packages, end to end ("make check-deb", a stage of "make check"), as
# root, printing TAP and a kselftest "# Totals:" line:
#
#   1 build       scripts/build-deb.sh: both packages from a clean copy
#   2 lintian     no error or warning at lintian's default level
#   3 versions    VERSION = debian/changelog = the .debs = anonleak --version
#   4 completion  the bash completion offers every command and option
#                 (tests/deb/check-completion.sh)
#   5 install     both packages into a fresh Debian 12 chroot with the 6.1
#                 guest kernel's headers: DKMS builds anonleak.ko for that
#                 kernel, installs it in updates/dkms, signs it, its
#                 version is VERSION, no unit is enabled
#   6 purge       apt-get purge leaves the chroot's file list as it was
#                 before the install (/var/lib/dkms included)
#   7 guest       that module, copied out, in a 6.1 guest with the CLI of
#                 the package (tests/deb/smoke.sh): status before and after
#                 loading, report names the leaking function
#
#   tests/deb/check-deb.sh [--kernel NAME]   (default 6.1, tests/vm/kernels.sh)
#
# The chroot: mmdebstrap of bookworm and bookworm-updates (sources from
# scripts/debian-archive.sh) with dkms, openssl (DKMS's signing key, made
# once in the chroot) and the CLI's libraries, plus the kernel's
# linux-headers packages (fetched by the host's apt: a security update of
# the kernel is in bookworm-security only), cached in
# $ANONLEAK_DEB_CACHE (default /var/cache/anonleak/deb) under
# bookworm-KVER and never changed: each run installs into an overlay of it
# (a copy where overlayfs is missing) under build/deb/chroot.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${ANONLEAK_DEB_CACHE:-/var/cache/anonleak/deb}
kname=6.1
[ "${1:-}" = --kernel ] && kname=${2:?}
out=$root/build/deb
ch=$out/chroot

n=0 pass=0 fail=0 skip=0
say() { echo "# $*"; }
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
totals() {
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
	exit
}
step() { # NAME CMD...: one TAP line for CMD's status, its output as comments
	local name=$1 rc t0=$SECONDS
	shift
	"$@" > >(sed 's/^/#   /') 2>&1
	rc=$?
	sleep 0.1	# let sed drain
	if [ $rc = 0 ]; then ok "$name ($((SECONDS - t0))s)"; else not_ok "$name (exit $rc)"; fi
	return $rc
}

[ "$(id -u)" = 0 ] || { echo "check-deb: needs root (chroot, mount)" >&2; exit 2; }
version=$(cat "$root/VERSION")
kver=$("$root/tests/vm/kernels.sh" kver "$kname") || { echo "no kernel $kname" >&2; exit 2; }
echo "TAP version 13"
echo "1..7"
say "version $version, kernel $kname ($kver)"

build() {
	"$root/scripts/build-deb.sh" "$out" >"$out.build.log" 2>&1 || {
		tail -n 30 "$out.build.log"; return 1; }
	deb=$(ls "$out"/anonleak_"$version"_*.deb) && dkms_deb=$out/anonleak-dkms_${version}_all.deb &&
		[ -f "$dkms_deb" ] && echo "$(basename "$deb") $(basename "$dkms_deb")"
}

run_lintian() {
	# lintian warns that it runs as root; its verdict is the exit status.
	lintian --fail-on error,warning "$out"/*.changes 2>&1 | grep -v 'root privileges'
	return "${PIPESTATUS[0]}"
}

versions() {
	local cl v1 v2 cli
	cl=$(cd "$out/src" && dpkg-parsechangelog -S Version)
	v1=$(dpkg-deb -f "$deb" Version)
	v2=$(dpkg-deb -f "$dkms_deb" Version)
	rm -rf "$out/root" && dpkg-deb -x "$deb" "$out/root" || return 1
	cli=$("$out/root/usr/sbin/anonleak" --version) || return 1
	echo "VERSION $version, changelog $cl, anonleak $v1, anonleak-dkms $v2, '$cli'"
	[ "$cl" = "$version" ] && [ "$v1" = "$version" ] && [ "$v2" = "$version" ] &&
		[[ "$cli" == "anonleak $version "* ]] &&
		grep -qx "PACKAGE_VERSION=\"$version\"" <(dpkg-deb --fsys-tarfile "$dkms_deb" |
			tar -xOf - "./usr/src/anonleak-$version/dkms.conf")
}

# The headers of kernel KVER and the linux-* packages they need at their
# exact versions, fetched by the host's apt (a security update is in
# bookworm-security, which the chroot's sources do not have).
fetch_headers() { # DIR
	local pkgs
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "linux-headers-$kver" |
		grep -E '^linux-' | sort -u) || return 1
	echo "headers: $(echo $pkgs)"
	mkdir -p "$1" && (cd "$1" && apt-get download $pkgs)
}

# The cached chroot: made once per kernel version.
prepare_chroot() {
	local dir=$cache/bookworm-$kver tmp rc
	[ -f "$dir/ok" ] && { echo "cached: $dir"; return 0; }
	command -v mmdebstrap >/dev/null || { echo "mmdebstrap missing (scripts/deps.sh)"; return 1; }
	mkdir -p "$cache"
	exec 7>"$cache/bookworm-$kver.lock"
	flock 7
	[ -f "$dir/ok" ] && return 0
	tmp=$dir.tmp
	rm -rf "$tmp" "$dir"
	"$root/scripts/debian-archive.sh" --sources bookworm bookworm-updates \
		>"$cache/bookworm.sources" || return 1
	mmdebstrap --variant=minbase --skip=cleanup/apt/lists \
		--include="dkms,openssl,kmod,libmnl0,libdw1,libelf1" \
		bookworm "$tmp" "$cache/bookworm.sources" || return 1
	fetch_headers "$tmp/var/tmp/headers" || return 1
	mount -t proc proc "$tmp/proc" || return 1
	chroot "$tmp" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends /var/tmp/headers/*.deb'
	rc=$?
	umount "$tmp/proc"
	[ $rc = 0 ] || return 1
	rm -rf "$tmp/var/tmp/headers"
	[ -d "$tmp/lib/modules/$kver/build" ] || { echo "no headers for $kver in the chroot"; return 1; }
	# DKMS makes this key on its first signed build: made here, so that the
	# purge check sees the packages' files only.
	chroot "$tmp" openssl req -new -x509 -nodes -days 36500 -subj "/CN=DKMS module signing key" \
		-newkey rsa:2048 -keyout /var/lib/dkms/mok.key -outform DER \
		-out /var/lib/dkms/mok.pub >/dev/null 2>&1 || return 1
	touch "$tmp/ok"
	mv "$tmp" "$dir"
	echo "made $dir"
}

chroot_up() {
	local lower=$cache/bookworm-$kver
	chroot_down
	mkdir -p "$ch" "$out/chroot.upper" "$out/chroot.work"
	if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$out/chroot.upper,workdir=$out/chroot.work" "$ch" 2>/dev/null; then
		echo "no overlayfs: copying the chroot"
		cp -a "$lower/." "$ch/" || return 1
	fi
	mount -t proc proc "$ch/proc" && mount --bind /dev "$ch/dev" || return 1
	# The kernel's module index, as a host with its linux-image has: DKMS
	# rewrites it, and purging must not count it as a leftover.
	chroot "$ch" depmod "$kver"
}

chroot_down() {
	umount "$ch/dev" "$ch/proc" 2>/dev/null
	mountpoint -q "$ch" && umount "$ch"
	rm -rf "$ch" "$out/chroot.upper" "$out/chroot.work"
}

files() { # the chroot's paths, but for the ones that change by themselves
	chroot "$ch" find / -xdev \( -path /proc -o -path /dev -o -path /sys -o -path /tmp \
		-o -path /run -o -path /var/log -o -path /var/cache -o -path /var/lib/apt \) \
		-prune -o -print | sort
}

install() {
	local ko=/lib/modules/$kver/updates/dkms/anonleak.ko signer v
	prepare_chroot || return 1
	chroot_up || return 1
	files >"$out/files.before"
	mkdir -p "$ch/tmp/debs" && cp "$deb" "$dkms_deb" "$ch/tmp/debs/"
	chroot "$ch" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "/tmp/debs/$(basename "$deb")" \
		"/tmp/debs/$(basename "$dkms_deb")" || return 1
	files >"$out/files.installed"
	[ -f "$ch$ko" ] || { echo "DKMS installed no $ko"; return 1; }
	grep -q "^updates/dkms/anonleak.ko:" "$ch/lib/modules/$kver/modules.dep" ||
		{ echo "anonleak.ko not in modules.dep"; return 1; }
	v=$(modinfo -F version "$ch$ko")
	signer=$(modinfo -F signer "$ch$ko")
	echo "built $ko: version $v, signer '$signer'"
	[ "$v" = "$version" ] || { echo "module version $v, not $version"; return 1; }
	[ "$signer" = "DKMS module signing key" ] || { echo "not signed with DKMS's key"; return 1; }
	if ls "$ch"/etc/systemd/system/*.wants/anonleak-* 2>/dev/null; then
		echo "a unit was enabled"; return 1
	fi
	# What the guest gets: the module and a root where it is installed.
	rm -rf "$out/ko" "$out/guest-root" "$out/empty-root"
	mkdir -p "$out/ko" "$out/guest-root/lib/modules/$kver/updates/dkms" "$out/empty-root"
	cp "$ch$ko" "$out/ko/anonleak.ko"
	cp "$ch$ko" "$out/guest-root$ko"
	cp "$ch/lib/modules/$kver/modules.dep" "$out/guest-root/lib/modules/$kver/"
}

purge() {
	chroot "$ch" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q \
		anonleak anonleak-dkms || return 1
	files >"$out/files.after"
	if ! diff "$out/files.before" "$out/files.after"; then
		echo "purge left the chroot different (< before, > after)"
		return 1
	fi
	echo "$(comm -13 "$out/files.before" "$out/files.installed" | wc -l) paths installed," \
		"none left"
}

guest() {
	local t
	t=$("$root/scripts/time-factor.sh" --scale 600)
	gcc -std=gnu11 -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls \
		-o "$out/leaky" "$root/tests/demo/leaky.c" || return 1
	"$root/tests/vm/run.sh" --kernel "$kname" --timeout "$t" --results "$out/vm" \
		-- tests/deb/smoke.sh
}

mkdir -p "$out"
exec 9>"$out.lock"
flock -n 9 || { echo "check-deb: another run uses $out" >&2; exit 2; }
trap chroot_down EXIT
deb= dkms_deb=
if ! step build build; then
	for s in lintian versions completion install purge guest; do skip "$s" "no packages"; done
	totals
fi
step lintian run_lintian
step versions versions
step completion "$here/check-completion.sh" "$out/root/usr/sbin/anonleak" \
	"$out/root/usr/share/bash-completion/completions/anonleak"
if step install install; then
	step purge purge
	chroot_down
	step guest guest
else
	skip purge "not installed"
	skip guest "no module built"
fi
totals
