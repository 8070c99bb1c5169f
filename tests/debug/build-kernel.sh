#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) anonleak's debug guest kernel: Debian's linux-source-6.1,
# "make allnoconfig" plus tests/debug/config (KASAN, kmemleak, lockdep,
# UBSAN, debug objects, failslab, fail_function, kprobes; all built in).
#
#   tests/debug/build-kernel.sh [--jobs N] [--print] [--quiet]
#
# The kernel is cached outside the clone, in $ANONLEAK_KERNEL_CACHE (default
# /var/cache/anonleak/kernels)/KEY, KEY being a hash of the config fragment,
# the source tarball and the compiler version. A cached build is reused as
# it is; a half-done one is resumed. Prints the cache folder on stdout:
#   DIR/bzImage   the guest kernel (boot it with tests/vm/run.sh --kernel)
#   DIR/linux     the built tree (make -C DIR/linux M=... modules)
#   DIR/kver      its "uname -r"
#   DIR/seconds   how long the build took
# --print only prints the folder of an existing build (exit 1 if none).
# Needs flex, bison, bc, libelf-dev, libssl-dev (scripts/deps.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/config
tarball=${LINUX_SRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
cache=${ANONLEAK_KERNEL_CACHE:-/var/cache/anonleak/kernels}
jobs=$(nproc)
print=0
quiet=0
# Bump when the recipe below changes in a way that changes the result.
recipe=1

while [ $# -gt 0 ]; do
	case "$1" in
	--jobs) jobs=${2:?}; shift 2 ;;
	--print) print=1; shift ;;
	--quiet) quiet=1; shift ;;
	-h | --help) sed -n '4,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-kernel: unknown option '$1'" >&2; exit 2 ;;
	esac
done

say() { echo "build-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

[ -r "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"
# The cache key: what determines the result.
key=$( {
	echo "recipe $recipe"
	cat "$frag"
	# The tarball by name, size and mtime: hashing 130 MB each time is slow.
	stat -L -c '%n %s %Y' "$tarball"
	dpkg-query -W linux-source-6.1 2>/dev/null || true
	${CC:-gcc} --version | head -n 1
} | sha256sum | cut -c1-16)
dir=$cache/$key

if [ $print = 1 ]; then
	[ -f "$dir/ok" ] || exit 1
	echo "$dir"
	exit 0
fi
if [ -f "$dir/ok" ] && [ -f "$dir/bzImage" ]; then
	[ $quiet = 1 ] || say "cached: $dir ($(cat "$dir/kver"), built in $(cat "$dir/seconds")s)"
	echo "$dir"
	exit 0
fi

for t in flex bison bc; do
	command -v $t >/dev/null || die "$t missing (run scripts/deps.sh)"
done
for h in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
	[ -f "$h" ] || die "$h missing (run scripts/deps.sh: libelf-dev, libssl-dev)"
done

mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
# Another run may have finished it while we waited.
if [ -f "$dir/ok" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir"
log=$dir/build.log
say "building $dir with $jobs jobs (log: $log)"
start=$(date +%s)
# Time already spent by an interrupted earlier attempt counts too.
spent=$(cat "$dir/seconds.partial" 2>/dev/null || echo 0)
# Interrupted (a time limit, Ctrl-C): keep the time spent for the next run.
trap '[ -f "$dir/ok" ] || echo $((spent + $(date +%s) - start)) >"$dir/seconds.partial"' EXIT

src=$dir/linux
if [ ! -f "$src/.extracted" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	say "extracting $tarball"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.extracted"
fi

kmake() { make -C "$src" -j"$jobs" "$@"; }
{
	kmake allnoconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$frag"
	kmake olddefconfig
} >>"$log" 2>&1 || die "configuration failed (see $log)"

# Every option the fragment asks for must have made it into .config.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | grep -v '=n$' | while IFS= read -r line; do
	grep -qxF -- "$line" "$src/.config" || echo "$line"
done)
[ -z "$missing" ] || die "the config lost these options (unmet dependencies?):
$missing"
# And what is off must stay off.
for o in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=n$/\1/p' "$frag"); do
	! grep -q "^$o=" "$src/.config" ||
		die "$o is set although the fragment turns it off"
done

# "modules" runs modpost over vmlinux: Module.symvers lets out-of-tree
# modules build without KBUILD_MODPOST_WARN.
if ! kmake bzImage modules >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "build failed (see $log)"
fi
cp "$src/arch/x86/boot/bzImage" "$dir/bzImage"
cp "$src/.config" "$dir/config"
make -s -C "$src" kernelrelease >"$dir/kver"
echo $((spent + $(date +%s) - start)) >"$dir/seconds"
rm -f "$dir/seconds.partial"
touch "$dir/ok"
say "built $(cat "$dir/kver") in $(cat "$dir/seconds")s: $dir"
echo "$dir"
