#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/scan-splats.sh for a whole kernel log, minus the stack dumps that
# injected allocation failures cause on purpose.
#
#   tests/debug/scan-log.sh [-q] [-l LABEL] LOG
#
# A test that injects allocation failures (tests/anonleak_faults.c) writes
# "anonleak-expect: noisy-enomem begin" and "... end" to /dev/kmsg around
# them: between the marks a failed kmem_cache_create() or vmalloc() may dump
# its stack, which is not a bug. There, "Call Trace" lines are ignored;
# every other splat pattern (BUG, WARNING, KASAN, UBSAN, lockdep, Oops,
# kmemleak, ...) still counts. Exit status as scan-splats.sh's.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scan=$here/../vm/scan-splats.sh
quiet=()
label=
while getopts ql: o; do
	case $o in
	q) quiet=(-q) ;;
	l) label=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
log=${1:?usage: scan-log.sh [-q] [-l LABEL] LOG}
[ -r "$log" ] || { echo "scan-log: cannot read $log" >&2; exit 2; }

# Banners of a debug kernel that look like splats.
ANONLEAK_SPLAT_IGNORE="RCU lockdep checking is enabled${ANONLEAK_SPLAT_IGNORE:+|$ANONLEAK_SPLAT_IGNORE}"
export ANONLEAK_SPLAT_IGNORE

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v q="$tmp/noisy" -v l="$tmp/rest" '
	BEGIN { printf "" > q; printf "" > l }
	/anonleak-expect: noisy-enomem begin/ { noisy = 1 }
	{ print > (noisy ? q : l) }
	/anonleak-expect: noisy-enomem end/ { noisy = 0 }' "$log"

rc=0
"$scan" "${quiet[@]}" -l "${label:-$log}" "$tmp/rest" || rc=$?
if [ -s "$tmp/noisy" ]; then
	ANONLEAK_SPLAT_IGNORE="Call Trace${ANONLEAK_SPLAT_IGNORE:+|$ANONLEAK_SPLAT_IGNORE}" \
		"$scan" "${quiet[@]}" -l "${label:-$log} (while failures were injected)" \
		"$tmp/noisy" || { r=$?; [ $rc = 0 ] && rc=$r; }
fi
exit $rc
