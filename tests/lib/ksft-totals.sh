# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/run-guest.sh and scripts/tap-summary.sh.
#
# ksft_counts LINE...: the pass, fail and skip counts of kselftest
# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" (or "# kselftest
# totals: ...") lines, summed, printed as "P F S". xfail counts as a pass,
# error and xpass as failures.
ksft_counts() {
	local p=0 f=0 s=0 kv v
	for kv in $(printf '%s\n' "$@" | grep -oE '[a-z]+:[0-9]+'); do
		v=$((10#${kv#*:}))
		case ${kv%%:*} in
		pass | xfail) p=$((p + v)) ;;
		fail | error | xpass) f=$((f + v)) ;;
		skip) s=$((s + v)) ;;
		esac
	done
	echo "$p $f $s"
}
