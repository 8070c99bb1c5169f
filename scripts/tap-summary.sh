#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Summarize the stages of "make check" recorded by scripts/check-stage.sh.
#
#   scripts/tap-summary.sh [CHECK_DIR]        (default build/check)
#
# Per stage, in run order, what it counted:
#   - a "# kselftest totals: pass:N fail:N skip:N" line (tests/run-guest.sh):
#     the last one is the stage's count;
#   - else the sum of its "# Totals: pass:N fail:N xfail:N xpass:N skip:N
#     error:N" lines (kselftest programs; xfail counts as pass, error and
#     xpass as fail);
#   - else the stage itself is one test (a gate counts only if it failed).
# A stage that exited non-zero without a counted failure adds one failure.
# Prints one line per stage, then last "N passed, N failed, N skipped".
# Exits 1 if anything failed or no test ran.
set -uo pipefail

. "$(dirname "$0")/../tests/lib/ksft-totals.sh"

dir=${1:-build/check}
[ -f "$dir/stages" ] || { echo "tap-summary: no stages recorded in $dir" >&2; }

tp=0 tf=0 ts=0 n=0
lines=()
while read -r name kind; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	log=$dir/$name.log
	rc=$(cat "$dir/$name.rc" 2>/dev/null || echo "unfinished")
	p=0 f=0 s=0
	kst=$(grep -E '^# kselftest totals: ' "$log" 2>/dev/null | tail -n 1)
	if [ -n "$kst" ]; then
		tot=$kst
	else
		tot=$(grep -E '^# Totals: ' "$log" 2>/dev/null)
	fi
	if [ -n "$tot" ]; then
		read -r p f s <<<"$(ksft_counts "$tot")"
	elif [ "$rc" = 0 ]; then
		[ "$kind" = gate ] || p=1
	fi
	note=
	if [ "$rc" != 0 ]; then
		[ "$f" = 0 ] && f=1
		note=" (exit $rc)"
		[ "$rc" = unfinished ] && note=" (did not finish)"
	fi
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	[ "$kind" = gate ] && [ "$f" = 0 ] && continue
	if [ "$f" = 0 ]; then
		lines+=("ok - $name: pass:$p fail:$f skip:$s$note")
	else
		lines+=("not ok - $name: pass:$p fail:$f skip:$s$note")
	fi
done < <(cat "$dir/stages" 2>/dev/null)

echo "# ==== make check summary ($n stages, details in build/check.log) ===="
for l in "${lines[@]}"; do
	echo "$l"
done
[ $((tp + tf)) = 0 ] && echo "# no test ran"
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" = 0 ] && [ $((tp + tf)) -gt 0 ]
