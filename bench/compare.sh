#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Several builds of the module side by side in ONE icount guest: the way
# each change to the probe path is judged against the one before it.
#
#   bench/compare.sh REV...     e.g. bench/compare.sh main HEAD~1 HEAD
#
# Each REV's module/, include/ and Kbuild are built for the guest kernel
# under build/bench/cmp/N; the guest runs the work part of bench/guest.sh
# (microbenchmark and malloc workload) for configurations kN-dD, with the
# untraced baseline between every two. Prints a table of the added cost per
# pair and per malloc operation (bench/compare.py) and keeps the JSON lines
# in build/bench/results-compare/bench.jsonl.
#
# Environment: BENCH_KERNEL (default 6.1), BENCH_DEPTHS (default "8"),
# BENCH_WALL_LIMIT (host seconds, default 1500).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: bench/compare.sh REV..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kver=$(tests/vm/kver.sh --build "${BENCH_KERNEL:-6.1}")
make --no-print-directory userspace >/dev/null
make --no-print-directory -C bench OUT="$root/build/bench" >/dev/null
make --no-print-directory -C bench floor KVER="$kver" OUT="$root/build/bench" >/dev/null
[ -f "build/ko/$kver/anonleak.ko" ] ||
	make --no-print-directory module KVER="$kver" >/dev/null

kos=() configs=() labels=()
i=0
for rev in "$@"; do
	d=$root/build/bench/cmp/$i
	rm -rf "$d"
	mkdir -p "$d"
	git archive "$rev" Kbuild module include | tar -x -C "$d"
	make --no-print-directory -C "/lib/modules/$kver/build" M="$d" modules \
		>"$d/build.log" 2>&1 || { echo "compare: $rev does not build: $d/build.log" >&2; exit 1; }
	kos+=("$d/module/anonleak.ko")
	for dep in ${BENCH_DEPTHS:-8}; do
		configs+=("k$i-d$dep")
	done
	labels+=("k$i=$(git log -1 --format='%h %s' "$rev" | cut -c1-70)")
	i=$((i + 1))
done

results=$root/build/bench/results-compare
rm -rf "$results"
mkdir -p "$results"
export ANONLEAK_BENCH_KOS="${kos[*]}" ANONLEAK_BENCH_CONFIGS="none ${configs[*]}"
export ANONLEAK_BENCH_PARTS=work ANONLEAK_BENCH_ICOUNT=1
timeout --foreground -k 30 "${BENCH_WALL_LIMIT:-1500}" \
	tests/vm/run.sh --kernel "$kver" --append slab_nomerge --results "$results" \
	--icount --mem 2048 --timeout 1000000 -- bench/guest.sh full
printf '%s\n' "${labels[@]}"
bench/compare.py "$results/bench.jsonl"
