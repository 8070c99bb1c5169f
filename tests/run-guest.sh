#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the anonleak kselftest programs against a freshly loaded module.
# Meant for the test guest (tests/vm/run.sh -- tests/run-guest.sh) but runs
# on any machine that can load modules, as root.
#
#   tests/run-guest.sh [PROGRAM...]    (default: every executable in the
#                                       tests folder, sorted by name)
#
# Environment:
#   ANONLEAK_KO            module to load (default build/ko/$(uname -r)/anonleak.ko);
#                          exported to the programs as an absolute path
#   ANONLEAK_TESTS_DIR     tests folder (default build/tests)
#   ANONLEAK_TEST_TIMEOUT  seconds per program (default 300)
#   ANONLEAK_RESULTS       if set, each program's output and kernel log go
#                          to $ANONLEAK_RESULTS/tests/
#   ANONLEAK_TEST_SCALE    percent of the programs' default iteration counts
#                          (default 100; the debug-kernel lane uses less);
#                          also scales ANONLEAK_MANY_MAPPINGS and
#                          ANONLEAK_MANY_SITES (tests/anonleak_proto.c)
#                          unless they are set
#   ANONLEAK_KMEMLEAK_WAIT seconds to let objects age before a kmemleak scan
#                          (default 5, kmemleak's minimum)
#   ANONLEAK_KMEMLEAK_SCAN "end" (default): one scan after the last program;
#                          "each": one after every program (a scan takes
#                          ~18 s on the debug kernel)
#   ANONLEAK_TIME_FACTOR   how much slower this guest is than the reference
#                          (default: measured, see below)
#
# Time limits follow the machine: before the programs, build/tools/speed
# (tests/vm/speed.c) times 4 KiB mmap+munmap pairs without the module, and
# the ratio to the reference machine's figure for this kind of kernel (a
# debug kernel is ~200x slower per pair) gives ANONLEAK_TIME_FACTOR (at
# least 1). It scales ANONLEAK_TEST_TIMEOUT here and, exported, every
# test's own kselftest timeout (tests/lib). A slow machine gets a slow pass.
#
# On a kernel with kmemleak (/sys/kernel/debug/kmemleak), its list is cleared
# first and scanned after the programs (or after each): any report fails
# the run (the program of the scan, or a "kmemleak" line of its own).
# After every rmmod the module's slab caches must be gone.
# A program may mark a stretch of its kernel log where allocation failures it
# injects make the kernel dump stacks ("anonleak-expect: noisy-enomem begin"
# ... "end" in /dev/kmsg): there, stack dumps alone are not splats (BUG,
# WARNING, KASAN and the rest still are).
#
# For each program: insmod, run it (cwd = repository root, stdin /dev/null),
# rmmod. A program counts its own "# Totals:" line (xfail as pass; error and
# xpass as fail), plus one failure if insmod or rmmod fails, if it times out,
# prints no Totals line, exits non-zero without reporting a failure, or
# leaves a kernel splat in the log. A program that exits 4 (KSFT_SKIP) with
# no Totals line counts as one skip. Ends with a per-program summary and
#   # kselftest totals: pass:N fail:N skip:N
# and exits 0 only if fail is 0 (and at least one program ran).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
kver=$(uname -r)
ko=${ANONLEAK_KO:-build/ko/$kver/anonleak.ko}
# The programs load the module themselves too (reload tests): same file.
[ -f "$ko" ] && ko=$(realpath "$ko")
export ANONLEAK_KO=$ko
dir=${ANONLEAK_TESTS_DIR:-build/tests}
tmo=${ANONLEAK_TEST_TIMEOUT:-300}
scan=$root/tests/debug/scan-log.sh
scale=${ANONLEAK_TEST_SCALE:-100}
case "$scale" in
'' | *[!0-9]* | 0) echo "# ANONLEAK_TEST_SCALE must be a positive number" >&2; exit 2 ;;
esac
export ANONLEAK_TEST_SCALE=$scale
# The programs' own knobs for their big counts, unless set.
if [ "$scale" != 100 ]; then
	scaled() { # DEFAULT: DEFAULT * scale%, at least 1000
		local n=$(($1 * scale / 100))
		echo $((n < 1000 ? 1000 : n))
	}
	export ANONLEAK_MANY_MAPPINGS=${ANONLEAK_MANY_MAPPINGS:-$(scaled 1000000)}
	export ANONLEAK_MANY_SITES=${ANONLEAK_MANY_SITES:-$(scaled 100000)}
fi
kml=/sys/kernel/debug/kmemleak
[ -w $kml ] || kml=
kml_wait=${ANONLEAK_KMEMLEAK_WAIT:-5}
kml_each=0
[ "${ANONLEAK_KMEMLEAK_SCAN:-end}" = each ] && kml_each=1

# The reference machine's ns per 4 KiB mmap+munmap pair, by kind of kernel:
# measured on an idle 2-core machine of CI's kind under TCG.
REF_PAIR_NS=${REF_PAIR_NS:-40000}
REF_PAIR_NS_DEBUG=${REF_PAIR_NS_DEBUG:-6000000}
time_factor() {
	local ref=$REF_PAIR_NS ns
	[ -n "$kml" ] && ref=$REF_PAIR_NS_DEBUG
	ns=$("$root/build/tools/speed" 200 2>/dev/null | awk '$1 == "ns_per_pair" { print $2 }')
	echo "# speed: ${ns:-?} ns per 4 KiB mmap+munmap pair (reference $ref)" >&2
	[ -n "$ns" ] || { echo 1; return; }
	awk -v m="$ns" -v r="$ref" 'BEGIN { f = m / r; if (f < 1) f = 1; printf "%.2f\n", f }'
}
if [ -z "${ANONLEAK_TIME_FACTOR:-}" ]; then
	ANONLEAK_TIME_FACTOR=$(time_factor)
fi
export ANONLEAK_TIME_FACTOR
tmo=$(awk -v n="$tmo" -v f="$ANONLEAK_TIME_FACTOR" 'BEGIN { printf "%d\n", n * f + 0.999 }')
logdir=
if [ -n "${ANONLEAK_RESULTS:-}" ]; then
	logdir=$ANONLEAK_RESULTS/tests
	mkdir -p "$logdir" || logdir=
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -gt 0 ]; then
	progs=("$@")
else
	mapfile -t progs < <(find "$dir" -maxdepth 1 -type f -perm -u+x 2>/dev/null | LC_ALL=C sort)
fi

# Leave a marker in the kernel log; returns non-zero if it cannot.
kmark() { echo "anonleak-run-guest: $*" 2>/dev/null >/dev/kmsg; }
# Kernel log since the last marker "begin $1".
klog_since() {
	dmesg 2>/dev/null | awk -v m="anonleak-run-guest: begin $1" '
		substr($0, length($0) - length(m) + 1) == m { n = 0; delete buf }
		{ buf[++n] = $0 }
		END { for (i = 1; i <= n; i++) print buf[i] }'
}
# The module's own slab caches, if any is still there (merged aliases of
# another cache are symlinks, left behind by SLUB: not ours to judge).
slab_left() {
	local d n
	for d in /sys/kernel/slab/al_range /sys/kernel/slab/al_site_*; do
		[ -d "$d" ] && [ ! -L "$d" ] && echo "${d##*/}"
	done
	grep -oE '^al_(range|site_[0-9]+) ' /proc/slabinfo 2>/dev/null
	return 0
}
unload() {
	for _ in 1 2 3; do
		[ -d /sys/module/anonleak ] || return 0
		rmmod anonleak 2>&1 && return 0
		sleep 1
	done
	return 1
}

# Scan for leaks (objects at least $kml_wait s old); fails if any.
nleaks=0
kml_scan() { # NAME
	sleep "$kml_wait"
	echo scan >$kml
	cat $kml >"$tmp/$1.kmemleak" 2>/dev/null
	echo clear >$kml
	if [ -s "$tmp/$1.kmemleak" ]; then
		nleaks=$(grep -c '^unreferenced object' "$tmp/$1.kmemleak")
		echo "# kmemleak: $nleaks suspected leak(s) after $1:"
		sed 's/^/#   /' "$tmp/$1.kmemleak" | head -n 60
		[ -n "$logdir" ] && cp "$tmp/$1.kmemleak" "$logdir/$1.kmemleak"
		return 1
	fi
	echo "# kmemleak: no leaks after $1"
}
[ -n "$kml" ] && echo clear >$kml

echo "# anonleak selftests on $kver: module $ko, ${#progs[@]} program(s), ${tmo}s each (time factor $ANONLEAK_TIME_FACTOR)${kml:+, kmemleak on}, scale $scale%"
[ -f "$ko" ] || echo "# WARNING: module $ko not found (build it with 'make module KVER=$kver')"
unload >/dev/null || echo "# WARNING: a loaded anonleak module could not be removed"

tp=0 tf=0 ts=0 n=0
summary=()
for prog in "${progs[@]}"; do
	n=$((n + 1))
	name=$(basename "$prog")
	[ -x "$prog" ] || prog=$dir/$prog
	out=$tmp/$name.out
	why=()
	p=0 f=0 s=0
	echo "# ==== [$n/${#progs[@]}] $name ===="
	t0=$(date +%s)
	marked=0
	kmark "begin $name" && marked=1
	[ -n "$kml" ] && [ $kml_each = 1 ] && echo clear >$kml

	if ! insmod "$ko" >"$out" 2>&1; then
		cat "$out"
		why+=("insmod failed")
	else
		timeout -k 10 "$tmo" "$prog" </dev/null 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
		totals=$(grep -E '^# Totals: ' "$out" | tail -n 1)
		if [ -n "$totals" ]; then
			# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N"
			for kv in $(echo "$totals" | grep -oE '[a-z]+:[0-9]+'); do
				v=$((10#${kv#*:}))
				case ${kv%%:*} in
				pass | xfail) p=$((p + v)) ;;
				fail | error | xpass) f=$((f + v)) ;;
				skip) s=$((s + v)) ;;
				esac
			done
		fi
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			why+=("timed out after ${tmo}s")
		elif [ -z "$totals" ] && [ "$rc" = 4 ]; then
			s=1 # skipped as a whole (ksft_exit_skip)
		elif [ -z "$totals" ]; then
			why+=("no Totals line (exit $rc)")
		elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
			why+=("exited $rc without reporting a failure")
		fi
		if unload >>"$out"; then
			left=$(slab_left | sort -u | tr '\n' ' ')
			[ -z "$left" ] || why+=("slab caches left after rmmod: ${left% }")
		else
			why+=("rmmod failed")
		fi
	fi
	if [ -n "$kml" ] && [ $kml_each = 1 ]; then
		kml_scan "$name" || why+=("kmemleak: $nleaks leak(s)")
	fi

	if [ $marked = 1 ]; then
		kmark "end $name"
		klog_since "$name" >"$tmp/$name.dmesg"
		if ! "$scan" -q "$tmp/$name.dmesg"; then
			"$scan" -l "the kernel log of $name" "$tmp/$name.dmesg"
			why+=("kernel splat")
		fi
	fi
	if [ -n "$logdir" ]; then
		cp "$out" "$logdir/$name.log"
		[ -f "$tmp/$name.dmesg" ] && cp "$tmp/$name.dmesg" "$logdir/$name.dmesg"
	fi

	# Problems with no failed test case behind them count as one failure.
	[ ${#why[@]} -gt 0 ] && [ "$f" = 0 ] && f=1
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	line="$name # pass:$p fail:$f skip:$s, $(($(date +%s) - t0))s"
	[ ${#why[@]} -gt 0 ] && line+=" ($(IFS=';'; echo "${why[*]}" | sed 's/;/; /g'))"
	if [ "$f" = 0 ]; then
		summary+=("ok $n $line")
	else
		summary+=("not ok $n $line")
	fi
done

if [ $n = 0 ]; then
	echo "# no test programs in $dir (run 'make tests')"
	tf=1
fi
# One scan after everything: any object the module leaked is unreferenced
# once it is unloaded, whichever program made it.
if [ -n "$kml" ] && [ $kml_each = 0 ] && [ $n -gt 0 ]; then
	if kml_scan "all programs"; then
		tp=$((tp + 1))
		summary+=("ok $((n + 1)) kmemleak # no leaks after all programs")
	else
		tf=$((tf + 1))
		summary+=("not ok $((n + 1)) kmemleak # $nleaks leak(s) after all programs")
	fi
fi
echo "# ==== anonleak selftest summary ($kver) ===="
echo "1..${#summary[@]}"
for l in "${summary[@]}"; do
	echo "$l"
done
echo "# kselftest totals: pass:$tp fail:$tf skip:$ts"
[ "$tf" = 0 ]
