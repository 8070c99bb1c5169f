#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one stage of "make check" and record its result for tap-summary.sh.
#
#   scripts/check-stage.sh [--gate] NAME -- CMD [ARGS...]
#
# CMD's output (stdout+stderr) goes to this stdout, to $CHECK_DIR/NAME.log
# and is appended to $CHECK_LOG; its exit status to $CHECK_DIR/NAME.rc, and
# "NAME test|gate" to $CHECK_DIR/stages. A gate (a build step) counts in
# the summary only when it fails. Exits with CMD's status.
# Defaults: CHECK_DIR=build/check, CHECK_LOG=build/check.log.
set -uo pipefail

kind="test"
[ "${1:-}" = --gate ] && { kind=gate; shift; }
name=${1:?usage: check-stage.sh [--gate] NAME -- CMD...}
shift
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "check-stage.sh: no command" >&2; exit 2; }
dir=${CHECK_DIR:-build/check}
log=${CHECK_LOG:-build/check.log}
mkdir -p "$dir"

echo "$name $kind" >>"$dir/stages"
rm -f "$dir/$name.rc"
start=$(date +%s)
echo "######## stage $name: $*" | tee -a "$log"
"$@" 2>&1 | tee "$dir/$name.log" | tee -a "$log"
rc=${PIPESTATUS[0]}
echo "$rc" >"$dir/$name.rc"
if [ "$rc" = 0 ]; then
	res=ok
else
	res="FAILED (exit $rc)"
fi
echo "######## stage $name: $res, $(($(date +%s) - start))s" | tee -a "$log"
exit "$rc"
