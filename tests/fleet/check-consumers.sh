#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fleet outputs of the guest's tests/anonleak_fleet.py, read back by
# their real consumers on the host: go tool pprof, promtool, node_exporter's
# textfile collector and headless Chromium (tests/fleet/check_consumers.py).
# Run by "make check" after the main kernel's guest suite (lane-6.1).
#
#   tests/fleet/check-consumers.sh [DIR]
#
# DIR: the artifacts directory (default: the 6.1 guest's results folder,
# build/vm/results-<6.1 kernel>/fleet). Prints TAP and a kselftest
# "# Totals:" line; exits 0 only if every check passed. A missing consumer
# is a failure (scripts/deps.sh installs them), never a skip.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-}
if [ -z "$dir" ]; then
	kver=$("$root/tests/vm/kver.sh" --boot 6.1) || exit 2
	dir=$root/build/vm/results-$kver/fleet
fi
missing=()
for t in go promtool prometheus-node-exporter chromium chromedriver; do
	command -v "$t" >/dev/null || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "# check-consumers: not installed: ${missing[*]} (run scripts/deps.sh)"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
# go tool pprof wants a writable home for its cache.
export HOME=${HOME:-/tmp} GOCACHE=${GOCACHE:-/tmp/anonleak-gocache}
exec /usr/bin/python3 "$root/tests/fleet/check_consumers.py" "$dir"
