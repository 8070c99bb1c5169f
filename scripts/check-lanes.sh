#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the lanes of "make check" side by side: each guest runs on one host
# thread (TCG), so with N cores N lanes finish in about 1/N of the time.
#
#   scripts/check-lanes.sh [--slots N] -- LANE...
#
# Each LANE is a make target (lane-6.1, lane-debug, ...) run as
# "make --no-print-directory LANE". At most N run at once (default: the
# number of CPUs, at least 1), in the order given: put the longest first.
# A lane's output goes to $CHECK_DIR/lane-NAME.out while it runs and, when
# it ends, to this stdout and to $CHECK_LOG in one piece, so lanes never
# interleave. The lanes record their stages themselves (check-stage.sh);
# this script only says when each one started and ended. Exits 0.
set -uo pipefail

slots=$(nproc 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
	case "$1" in
	--slots) slots=${2:?}; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ "$slots" -ge 1 ] 2>/dev/null || slots=1
dir=${CHECK_DIR:-build/check}
log=${CHECK_LOG:-build/check.log}
mkdir -p "$dir"

declare -A pid_lane start_of
running=0
t0=$(date +%s)

finish() { # PID
	local lane=${pid_lane[$1]}
	cat "$dir/$lane.out"
	cat "$dir/$lane.out" >>"$log"
	echo "######## $lane: ended after $(($(date +%s) - start_of[$lane]))s" \
		"(at +$(($(date +%s) - t0))s)" | tee -a "$log"
	unset "pid_lane[$1]"
	running=$((running - 1))
}

reap() { # wait for one lane to end
	local p
	wait -n 2>/dev/null || true
	for p in "${!pid_lane[@]}"; do
		kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; finish "$p"; }
	done
}

for lane in "$@"; do
	while [ "$running" -ge "$slots" ]; do
		reap
	done
	echo "######## $lane: starting (at +$(($(date +%s) - t0))s, $slots at a time)" |
		tee -a "$log"
	start_of[$lane]=$(date +%s)
	CHECK_LOG=$dir/$lane.log.all make --no-print-directory "$lane" \
		>"$dir/$lane.out" 2>&1 </dev/null &
	pid_lane[$!]=$lane
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	reap
done
exit 0
