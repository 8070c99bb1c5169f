#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Look for kernel splats (BUG, WARNING, Oops, lockdep, KASAN, UBSAN, RCU
# stalls, hung tasks, kmemleak reports, panics) in kernel logs.
#
#   tests/vm/scan-splats.sh [-q] [-C LINES] [-l LABEL] LOG...   (LOG "-": stdin)
#
# Prints each hit with some context (at most MAX_LINES lines in all) and
# exits 1 if there is one, 0 if the logs are clean, 2 on a usage error.
# -q prints nothing; -l names the log in the report. Lines matching ANONLEAK_SPLAT_IGNORE (an extended
# regex) are never hits.
set -euo pipefail

quiet=0
ctx=25
label=
max_lines=${MAX_LINES:-300}
while getopts qC:l: o; do
	case $o in
	q) quiet=1 ;;
	l) label=$OPTARG ;;
	C) ctx=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: scan-splats.sh [-q] [-C LINES] [-l LABEL] LOG..." >&2; exit 2; }

# What a splat looks like (case-sensitive, extended regex).
splat='(^|[^A-Za-z0-9_])BUG([: ]|$)|kernel BUG at|WARNING:|Oops|Call Trace'
splat+='|general protection|KASAN|UBSAN|lockdep|possible circular locking'
splat+='|possible recursive locking|RCU stall|detected stalls? on|self-detected stall'
splat+='|rcu_sched self-detected|soft lockup|hard LOCKUP|blocked for more than [0-9]+ seconds'
splat+='|Kernel panic|kmemleak: [0-9]+ new suspected memory leak|unreferenced object 0x'
# Harmless look-alikes.
ignore='module verification failed|tainting kernel|taints kernel'
# A user-space fault ("traps: prog[123] general protection fault ip:...")
# is the test's problem, not the kernel's.
ignore+='|traps: .*\[[0-9]+\] general protection fault ip:'
if [ -n "${ANONLEAK_SPLAT_IGNORE:-}" ]; then
	ignore+="|$ANONLEAK_SPLAT_IGNORE"
fi

rc=0
tmp=
trap 'rm -f "$tmp"' EXIT
for f in "$@"; do
	if [ "$f" = - ]; then
		# Read twice below: keep a copy.
		tmp=$(mktemp)
		cat >"$tmp"
		f=$tmp
	fi
	[ -r "$f" ] || { echo "scan-splats: cannot read $f" >&2; exit 2; }
	hits=$(grep -nE -- "$splat" "$f" | grep -vE -- "$ignore" | cut -d: -f1 || true)
	[ -n "$hits" ] || continue
	rc=1
	[ "$quiet" = 1 ] && continue
	# Print hits with 3 lines before and $ctx after, overlapping ranges merged.
	echo "==== kernel splat in ${label:-$f} ===="
	awk -v hits="$hits" -v ctx="$ctx" -v max="$max_lines" '
		BEGIN {
			n = split(hits, h, "\n")
			for (i = 1; i <= n; i++)
				for (l = h[i] - 3; l <= h[i] + ctx; l++)
					want[l] = 1
			for (i = 1; i <= n; i++)
				hit[h[i]] = 1
		}
		want[NR] {
			if (printed >= max) {
				print "[... more in the log ...]"
				exit
			}
			if (last && NR != last + 1)
				print "[...]"
			printf "%s %s\n", hit[NR] ? ">>" : "  ", $0
			printed++
			last = NR
		}' "$f"
done
exit $rc
