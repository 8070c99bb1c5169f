#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How much slower this machine is than the one anonleak's time limits were
# set on, so that a slow machine gets longer limits (a slow pass, never a
# timeout) and a fast one keeps the nominal ones.
#
#   scripts/time-factor.sh --host        the factor, e.g. "1.7" (>= 1)
#   scripts/time-factor.sh --scale N     N seconds times the factor, rounded up
#
# The factor is ANONLEAK_HOST_TIME_FACTOR when that is set; else the host's time
# for a fixed integer loop (tests/vm/speed.c --cpu, built into
# build/tools/speed) over REF_HOST_NS, the same loop on the reference
# machine (an idle 2-core machine of CI's kind), never below 1. Guests
# measure their own speed the same way (tests/run-guest.sh).
set -euo pipefail

# Measured on the reference machine with nothing else running.
REF_HOST_NS=${REF_HOST_NS:-25000000}
root=$(cd "$(dirname "$0")/.." && pwd)
speed=$root/build/tools/speed

factor() {
	local ns
	if [ -n "${ANONLEAK_HOST_TIME_FACTOR:-}" ]; then
		echo "$ANONLEAK_HOST_TIME_FACTOR"
		return
	fi
	ns=$("$speed" --cpu 2>/dev/null | awk '$1 == "ns_per_loop" { print $2 }') || ns=
	[ -n "$ns" ] || { echo 1; return; }
	awk -v m="$ns" -v r="$REF_HOST_NS" 'BEGIN { f = m / r; if (f < 1) f = 1; printf "%.2f\n", f }'
}

case "${1:-}" in
--host) factor ;;
--scale)
	n=${2:?usage: time-factor.sh --scale SECONDS}
	awk -v n="$n" -v f="$(factor)" 'BEGIN { v = n * f; printf "%d\n", (v == int(v)) ? v : int(v) + 1 }' ;;
*) sed -n '7,8p' "$0" >&2; exit 2 ;;
esac
