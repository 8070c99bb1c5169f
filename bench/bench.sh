#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# anonleak's benchmark, from dependencies to report: what "make bench" and
# "make bench-smoke" run.
#
#   bench/bench.sh full     dependencies (bpftrace, bcc), build, one 6.1
#                           guest with -icount shift=0,sleep=off running
#                           every configuration side by side, then
#                           bench/RESULTS.md and bench/RESULTS.jsonl
#   bench/bench.sh smoke    few iterations, no peers, an ordinary 6.1 guest;
#                           fails unless every stage produced a number
#
# Environment: BENCH_MODULE_PATCH (full only): a patch to module/ to compare
# in the same boot, as configurations alt-d1, alt-d8 and alt-d32 (the
# module is built from a patched copy under build/bench/alt; module/ is not
# touched), BENCH_KERNEL (default 6.1), BENCH_WALL_LIMIT (seconds of
# host time for the guest, default 3000 full / 300 smoke), BENCH_MEM (MiB,
# default 4096 full / 2048 smoke), ANONLEAK_BENCH_PARTS (see guest.sh).
set -euo pipefail

mode=${1:-}
case $mode in
full | smoke) ;;
*) echo "usage: bench/bench.sh full|smoke" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
say() { echo "bench: $*" >&2; }

kernel=${BENCH_KERNEL:-6.1}
if [ "$mode" = full ]; then
	say "dependencies (scripts/deps.sh --bench)"
	scripts/deps.sh --bench
else
	scripts/deps.sh
fi
kver=$(tests/vm/kver.sh --build "$kernel")

# The module for the guest kernel, the CLI, the benchmark programs and the
# floor module. The smoke run (a stage of "make check", which has just
# built the module) reuses a module that is there.
if [ "$mode" = full ] || [ ! -f "build/ko/$kver/anonleak.ko" ]; then
	make --no-print-directory module KVER="$kver"
fi
make --no-print-directory userspace
make --no-print-directory -C bench OUT="$root/build/bench"
make --no-print-directory -C bench floor KVER="$kver" OUT="$root/build/bench"

patch=${BENCH_MODULE_PATCH:-}
if [ "$mode" = full ] && [ -n "$patch" ]; then
	patch=$(realpath "$patch")
	alt=$root/build/bench/alt
	rm -rf "$alt"
	mkdir -p "$alt"
	cp -r Kbuild module include "$alt/"
	find "$alt/module" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
		-name '*.mod.c' -o -name '.*.cmd' -o -name modules.order \) -delete
	(cd "$alt" && patch -p1 --quiet <"$patch")
	make --no-print-directory -C "/lib/modules/$kver/build" M="$alt" modules
	export ANONLEAK_BENCH_ALT_KO=$alt/module/anonleak.ko
	export ANONLEAK_BENCH_ALT_PATCH=${patch#"$root"/}
fi

results=$root/build/bench/results-$mode
rm -rf "$results"
mkdir -p "$results"
vm=(tests/vm/run.sh --kernel "$kver" --append slab_nomerge --results "$results")
if [ "$mode" = full ]; then
	# Idle guest time (9p I/O, sleeps) runs far ahead of the host's under
	# icount: the guest's own limit is moot, the host's bounds the run.
	limit=${BENCH_WALL_LIMIT:-3000}
	vm+=(--icount --mem "${BENCH_MEM:-4096}" --timeout 1000000)
	export ANONLEAK_BENCH_ICOUNT=1
else
	# About 140 s on an idle machine of CI's kind; a loaded or slower
	# machine gets a longer limit (scripts/time-factor.sh), never a red.
	limit=${BENCH_WALL_LIMIT:-$(scripts/time-factor.sh --scale 600)}
	vm+=(--mem "${BENCH_MEM:-2048}" --timeout "$limit")
fi
say "guest run: ${vm[*]} -- bench/guest.sh $mode (limit ${limit}s)"
rc=0
timeout --foreground -k 30 "$limit" "${vm[@]}" -- bench/guest.sh "$mode" || rc=$?
[ -s "$results/bench.jsonl" ] || { say "no results (guest run exit $rc)"; exit 1; }
[ $rc = 0 ] || say "the guest run exited $rc: reporting what it measured"

if [ "$mode" = smoke ]; then
	bench/report.py "$results/bench.jsonl" --out "$results/RESULTS.md" \
		--command "make bench-smoke" --source "$results/bench.jsonl"
	bench/report.py "$results/bench.jsonl" --check
	[ $rc = 0 ] || exit "$rc"
	exit 0
fi

cp "$results/bench.jsonl" bench/RESULTS.jsonl
bench/report.py bench/RESULTS.jsonl --out bench/RESULTS.md \
	--command "make bench${ANONLEAK_BENCH_ALT_PATCH:+ BENCH_MODULE_PATCH=$ANONLEAK_BENCH_ALT_PATCH}" --wall $(($(date +%s) - start)) \
	--host-date "$(date -u +%FT%TZ)" --source bench/RESULTS.jsonl
say "bench/RESULTS.md written ($(($(date +%s) - start))s)"
exit "$rc"
