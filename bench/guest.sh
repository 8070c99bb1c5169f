#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest part of anonleak's benchmark: every configuration, side by
# side in one boot. Run as root by bench/bench.sh through tests/vm/run.sh.
#
#   bench/guest.sh full|smoke
#
# Appends JSON lines to $ANONLEAK_RESULTS/bench.jsonl (one per result, see
# bench/anonbench.c) and keeps the peers' output in $ANONLEAK_RESULTS/logs.
# A configuration that cannot run leaves an {"error": ...} line instead of
# a figure, and the run goes on. ANONLEAK_BENCH_PARTS picks parts (default
# "work peers nofp real profile scale sites procs"), ANONLEAK_BENCH_CONFIGS overrides
# the configurations of the work part, and ANONLEAK_BENCH_ALT_KO names
# another build of anonleak.ko to compare (configurations alt-d1, alt-d8,
# alt-d32), e.g. with a change to module/ under evaluation.
# ANONLEAK_BENCH_KOS lists more builds of anonleak.ko (bench/compare.sh):
# configuration kN-dD loads the N-th (from 0) with stack_depth=D.
#
# No time limits in here: in an icount guest, idle time (waiting for 9p
# I/O, sleeping) runs far ahead of the host's clock. The host bounds the run.
set -uo pipefail

mode=${1:-full}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
kver=$(uname -r)
res=${ANONLEAK_RESULTS:?ANONLEAK_RESULTS is not set}
out=$res/bench.jsonl
logs=$res/logs
mkdir -p "$logs"
: >"$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ab=$root/build/bench/anonbench
abn=$root/build/bench/anonbench-nofp
ko=$root/build/ko/$kver/anonleak.ko
floor=$root/build/bench/ko/$kver/anonleak_floor.ko
cli=$root/userspace/anonleak
bt_script=$root/bench/peers/mmap-ustack.bt

case $mode in
full)
	pairs=20000 warm=2000 ops=10000
	live=1000,100000,1000000 spairs=10000
	procs=10000 maps=4 sites=100000 peers=1 prof_pairs=200
	py_objs=3000 ucx_iters=2000 real_progs="python malloc ucx"
	configs=(none floor floor-all floor-entry anonleak-d1 anonleak-d8
		anonleak-d32)
	;;
smoke)
	pairs=300 warm=30 ops=200
	live=1000,10000 spairs=300
	procs=50 maps=4 sites=1000 peers=0 prof_pairs=20
	# python3.11's and UCX's start-up alone are ~10 s of TCG each
	py_objs=50 ucx_iters=20 real_progs="malloc"
	configs=(none floor anonleak-d8)
	;;
*)
	echo "usage: bench/guest.sh full|smoke" >&2
	exit 2
	;;
esac
parts=" ${ANONLEAK_BENCH_PARTS:-work peers nofp real profile scale sites procs} "
alt=${ANONLEAK_BENCH_ALT_KO:-}
[ -n "$alt" ] && configs+=(alt-d1 alt-d8 alt-d32)
[ -n "${ANONLEAK_BENCH_CONFIGS:-}" ] && read -ra configs <<<"$ANONLEAK_BENCH_CONFIGS"

for f in "$ab" "$abn" "$ko" "$floor" "$cli"; do
	[ -e "$f" ] || { echo "bench: $f is missing (build first)" >&2; exit 2; }
done

# Host seconds: the RTC follows the host's clock, unlike the icount guest's.
wall() { cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || date +%s; }
t_start=$(wall)
say() { echo "bench: [$(($(wall) - t_start))s] $*" >&2; }
part() { [[ $parts == *" $1 "* ]]; }
jstr() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr '\n\t' '  '; }

# An error line for the report: err STAGE CONFIG MESSAGE.
err() {
	printf '{"stage":"%s","config":"%s","error":"%s"}\n' "$1" "$2" \
		"$(jstr "$3")" >>"$out"
	say "$1/$2: $3"
}

unload() {
	local m
	for m in anonleak anonleak_floor; do
		[ -d /sys/module/$m ] && { rmmod $m || say "rmmod $m failed"; }
	done
	return 0
}

# load CONFIG [PARAM...]: the module a configuration runs with.
load() {
	local c=${1#nofp:}
	shift
	unload
	c=${c%-warm}
	c=${c%-cold}
	case $c in
	none | bpftrace | memleak) return 0 ;;
	floor) insmod "$floor" "$@" ;;
	floor-all) insmod "$floor" all=1 "$@" ;;
	floor-entry) insmod "$floor" ret=0 "$@" ;;
	anonleak-d*) insmod "$ko" "stack_depth=${c#anonleak-d}" "$@" ;;
	alt-d*) insmod "$alt" "stack_depth=${c#alt-d}" "$@" ;;
	k[0-9]*-d*)
		local i=${c%%-*} kos
		read -ra kos <<<"${ANONLEAK_BENCH_KOS:-}"
		i=${i#k}
		[ -n "${kos[$i]:-}" ] || { say "no module $i in ANONLEAK_BENCH_KOS"; return 1; }
		insmod "${kos[$i]}" "stack_depth=${c##*-d}" "$@"
		;;
	*) say "unknown configuration $c"; return 1 ;;
	esac
}

# bench STAGE CONFIG [MODULE PARAM...] -- ANONBENCH ARGS...
bench() {
	local stage=$1 c=$2 params=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		params+=("$1")
		shift
	done
	shift
	say "$stage: $c"
	if ! load "$c" "${params[@]}"; then
		err "$stage" "$c" "cannot load the module: $(dmesg | tail -n 2)"
		return
	fi
	"${bench_ab:-$ab}" --config "$c" --out "$out" "$@" ||
		err "$stage" "$c" "anonbench $1 exited $?"
	unload
}

peer_args=() peer_real= bench_ab= real_files=()
work_args=(work --pairs "$pairs" --ops "$ops" --warmup "$warm")

# Is process $1 alive and not a zombie?
alive() {
	local pid comm st
	# builtins only: a fork+exec costs a lot of wall time under TCG
	read -r pid comm st _ 2>/dev/null <"/proc/$1/stat" || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# Has file $1 a line $2? (builtins only)
has_line() {
	local l
	[ -f "$1" ] || return 1
	while IFS= read -r l; do
		[ "$l" = "$2" ] && return 0
	done <"$1"
	return 1
}

# A peer tool attached to the workload process: peer NAME WAIT CMD...
# CMD gets the workload's pid appended. WAIT is how the workload learns that
# the tool is attached: "signal" (bpftrace says so on its output, and we
# send SIGUSR1) or "uprobe" (the workload sees the uprobe in its libc).
peer() {
	local c=$1 how=$2 apid tpid rc i pargs=("${work_args[@]}") target log
	shift 2
	[ ${#peer_args[@]} -gt 0 ] && pargs=("${peer_args[@]}")
	say "work: $c ($*)"
	unload
	rm -f "$tmp/ready" "$tmp/ready.go" "$tmp/pid"
	log=$logs/$c${peer_real:+-$peer_real}.out
	"${bench_ab:-$ab}" --config "$c" --out "$out" --wait "$how" --ready "$tmp/ready" \
		"${pargs[@]}" &
	apid=$!
	while [ ! -e "$tmp/ready" ] && alive "$apid"; do
		sleep 0.1
	done
	if [ ! -e "$tmp/ready" ]; then
		wait "$apid"
		err work "$c" "the workload process did not start"
		return
	fi
	# a real program runs in anonbench's child, which waits for the peer
	target=$apid
	[ -n "${peer_real:-}" ] && read -r target <"$tmp/pid"
	__BPFTRACE_NOTIFY_PROBES_ATTACHED=1 "$@" "$target" >"$log" 2>&1 &
	tpid=$!
	if [ "$how" = signal ]; then
		while ! has_line "$log" __BPFTRACE_NOTIFY_PROBES_ATTACHED &&
			alive "$tpid"; do
			sleep 0.1
		done
		if has_line "$log" __BPFTRACE_NOTIFY_PROBES_ATTACHED; then
			kill -USR1 "$target"
			while [ ! -e "$tmp/ready.go" ] && alive "$apid"; do
				sleep 0.1
			done
		fi
	else
		while [ ! -e "$tmp/ready.go" ] && alive "$tpid"; do
			sleep 0.1
		done
	fi
	say "$c: attached"
	if [ ! -e "$tmp/ready.go" ]; then
		kill "$apid" 2>/dev/null
		wait "$apid" 2>/dev/null
		alive "$tpid" && kill -KILL "$tpid"
		wait "$tpid"
		rc=$?
		err work "$c" "'$*' (exit $rc) did not attach: $(tail -n 5 "$log")"
		return
	fi
	wait "$apid"
	rc=$?
	say "$c: workload done"
	[ $rc = 0 ] || err work "$c" "anonbench exited $rc"
	if ! alive "$tpid"; then
		wait "$tpid"
		err work "$c" "'$*' exited $? while the workload ran: $(tail -n 5 "$log")"
		return
	fi
	# Its report and teardown are not measured: a few seconds, then kill.
	kill -INT "$tpid"
	for ((i = 0; i < 50; i++)); do
		alive "$tpid" || break
		sleep 0.1
	done
	kill -KILL "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	say "$c: detached"
	return 0
}

# The unwind tables of these files into the module: tables FILE...
tables() {
	"$cli" unwind load "$@" >>"$logs/unwind-load.out" 2>&1 ||
		say "anonleak unwind load $* exited $?"
}

# What the module holds after a run: tables and counters, as JSON lines.
tables_report() {
	local c=$1 l s
	l=$("$cli" unwind list --json 2>&1) || { err memory "$c" "unwind list: $l"; return; }
	s=$("$cli" status --json 2>&1) || { err memory "$c" "status: $s"; return; }
	printf '{"stage":"memory","config":"%s","metric":"unwind_list","list":%s,"status":%s}\n' \
		"$c" "$l" "$s" >>"$out"
	/usr/bin/python3 "$root/bench/tables.py" "$c" <<<"$l" >>"$out" ||
		err memory "$c" "bench/tables.py failed"
}

# One real program without a peer: real CONFIG PROGRAM CMD...
real() {
	local c=$1 p=$2 rc
	shift 2
	say "real: $p: $c"
	load "$c" || { err real "$c" "cannot load the module"; return; }
	[ "$c" = anonleak-d8 ] && tables "${real_files[@]}"
	"$ab" --config "$c" --out "$out" exec --name "$p" --pidfile "$tmp/pid" -- "$@" \
		>"$logs/real-$p-$c.out" 2>&1
	rc=$?
	[ $rc = 0 ] || say "real: $p: $c: anonbench exited $rc"
	unload
}

# What one pair runs inside anonleak: a function_graph trace of anonleak's
# functions and the helpers they call, around a few pairs (bench/profile.py).
profile() {
	local c=$1 t=/sys/kernel/tracing f
	shift
	say "profile: $c"
	if [ ! -w $t/current_tracer ] || ! load "$c" "$@"; then
		err profile "$c" "no tracefs, or the module did not load"
		return
	fi
	echo 0 >$t/tracing_on
	echo nop >$t/current_tracer
	echo ':mod:anonleak' >$t/set_ftrace_filter
	for f in copy_from_user_nofault find_vma kmem_cache_alloc \
		kmem_cache_free ktime_get_with_offset; do
		echo "$f" >>$t/set_ftrace_filter 2>/dev/null
	done
	# the helpers only when anonleak calls them
	: >$t/set_graph_function
	while read -r f _; do
		echo "$f" >>$t/set_graph_function
	done < <(grep ' \[anonleak\]$' $t/available_filter_functions)
	echo 16384 >$t/buffer_size_kb
	echo 1 >$t/options/funcgraph-tail
	echo 0 >$t/options/funcgraph-irqs
	echo function_graph >$t/current_tracer
	: >$t/trace
	echo 1 >$t/tracing_on
	"$ab" --config "$c" --out "$out" pairs --pairs "$prof_pairs" ||
		err profile "$c" "anonbench pairs exited $?"
	echo 0 >$t/tracing_on
	cp $t/trace "$logs/profile-$c.trace"
	echo nop >$t/current_tracer
	: >$t/set_ftrace_filter
	: >$t/set_graph_function
	echo 1408 >$t/buffer_size_kb
	unload
	python3 "$root/bench/profile.py" "$logs/profile-$c.trace" "$c" >>"$out" ||
		err profile "$c" "bench/profile.py failed"
}

# The run's circumstances, for the report.
meta() {
	printf '{"stage":"meta","mode":"%s","kernel":"%s","date":"%s"' \
		"$mode" "$kver" "$(date -u +%FT%TZ)"
	printf ',"icount":%s' "${ANONLEAK_BENCH_ICOUNT:-0}"
	printf ',"cpus":%s,"mem_kb":%s' "$(nproc)" \
		"$(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
	printf ',"cmdline":"%s"' "$(jstr "$(cat /proc/cmdline)")"
	printf ',"clocksource":"%s"' \
		"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	printf ',"bpftrace":"%s"' "$(jstr "$(bpftrace --version 2>&1 | head -n 1)")"
	printf ',"bcc":"%s"' "$(jstr "$(dpkg-query -W -f='${Version}' bpfcc-tools 2>&1)")"
	printf ',"pairs":%s,"warmup":%s,"ops":%s,"live":"%s","scale_pairs":%s' \
		"$pairs" "$warm" "$ops" "$live" "$spairs"
	printf ',"alt_patch":"%s"' "$(jstr "${ANONLEAK_BENCH_ALT_PATCH:-}")"
	printf ',"procs":%s,"maps":%s,"sites":%s}\n' "$procs" "$maps" "$sites"
}

meta >>"$out"
# The same address-space layout for every configuration: with ASLR, where a
# mapping lands relative to page-table boundaries changes the kernel's own
# cost from run to run by more than the differences measured here.
echo 0 >/proc/sys/kernel/randomize_va_space
unload

# 1, 2: microbenchmark and malloc workload. The baseline runs between the
# configurations: the malloc workload's cost drifts by ~1% over a boot (the
# page allocator's state), so each configuration is compared with the
# baseline runs just before and after it (bench/report.py).
if part work; then
	for c in "${configs[@]}"; do
		[ "$c" = none ] && continue
		bench work none -- "${work_args[@]}"
		bench work "$c" -- "${work_args[@]}"
	done
fi
if [ "$peers" = 1 ] && part peers; then
	bench work none -- "${work_args[@]}"
	peer bpftrace signal bpftrace "$bt_script"
	bench work none -- "${work_args[@]}"
	# unbuffered, so that its log shows how far it got
	peer memleak uprobe /usr/bin/python3 -u "$(command -v memleak-bpfcc)" 100000 -p
fi
part work && bench work none -- "${work_args[@]}"

# FP-less (issue 11): the same workloads from anonbench-nofp. anonleak at
# depth 8 with no tables (cold: the frame-pointer fallback) and with the
# tables of its program, libc and the loader loaded first (warm), beside
# the peers; its own baseline runs ("nofp:none") between them.
if part nofp; then
	bench_ab=$abn
	nofp_files=("$abn" "$(realpath /lib/x86_64-linux-gnu/libc.so.6)"
		"$(realpath /lib64/ld-linux-x86-64.so.2)")
	bench work nofp:none -- "${work_args[@]}"
	bench work nofp:anonleak-d8-cold -- "${work_args[@]}"
	bench work nofp:none -- "${work_args[@]}"
	say "work: nofp:anonleak-d8-warm"
	if load anonleak-d8; then
		tables "${nofp_files[@]}"
		"$abn" --config nofp:anonleak-d8-warm --out "$out" "${work_args[@]}" ||
			err work nofp:anonleak-d8-warm "anonbench exited $?"
		tables_report nofp:anonleak-d8-warm
		unload
	else
		err work nofp:anonleak-d8-warm "cannot load the module"
	fi
	bench work nofp:none -- "${work_args[@]}"
	if [ "$peers" = 1 ]; then
		peer nofp:bpftrace signal bpftrace "$bt_script"
		bench work nofp:none -- "${work_args[@]}"
		peer nofp:memleak uprobe /usr/bin/python3 -u "$(command -v memleak-bpfcc)" 100000 -p
		bench work nofp:none -- "${work_args[@]}"
	fi
	bench_ab=
fi

# Real programs (issue 12): each whole run's CPU time (anonbench exec), with no
# tracing, anonleak (depth 8, tables of the program and its libraries
# loaded first, not timed), bpftrace and bcc memleak (attached first).
if part real; then
	py_code="import os
keep = []
for i in range($py_objs):
    b = bytearray(45 * 4096 + (i % 7) * 4096)
    if i % 10 == 0:
        keep.append(b)
    del b
os._exit(0)"
	libs() { ldd "$1" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | xargs -r realpath; }
	for p in $real_progs; do
		case $p in
		python)
			cmd=(env GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
				/usr/bin/python3.11 -c "$py_code")
			mapfile -t real_files < <(realpath /usr/bin/python3.11; libs /usr/bin/python3.11)
			;;
		malloc)
			cmd=("$abn" malloc --ops "$ops" --warmup "$warm")
			mapfile -t real_files < <(echo "$abn"; libs "$abn")
			;;
		ucx)
			cmd=(/usr/bin/ucx_perftest -l -t tag_lat -n "$ucx_iters")
			mapfile -t real_files < <(echo /usr/bin/ucx_perftest
				libs /usr/bin/ucx_perftest
				realpath /usr/lib/x86_64-linux-gnu/ucx/*.so.0 2>/dev/null)
			;;
		esac
		[ -x "${cmd[0]}" ] || [ "${cmd[0]}" = env ] ||
			{ err real none "$p: ${cmd[0]} missing"; continue; }
		real none "$p" "${cmd[@]}"
		real anonleak-d8 "$p" "${cmd[@]}"
		real none "$p" "${cmd[@]}"
		if [ "$peers" = 1 ]; then
			peer_args=(exec --name "$p" --pidfile "$tmp/pid" -- "${cmd[@]}")
			peer_real=$p
			peer bpftrace signal bpftrace "$bt_script"
			real none "$p" "${cmd[@]}"
			peer memleak uprobe /usr/bin/python3 -u "$(command -v memleak-bpfcc)" 100000 -p
			real none "$p" "${cmd[@]}"
			peer_args=() peer_real=
		fi
	done
fi
part profile && profile anonleak-d8

# 3, 4, 5: scale, dumps and memory; tracked, then the same without.
if part scale; then
	bench scale anonleak-d8 max_mappings=$((1 << 21)) -- scale --live "$live" \
		--pairs "$spairs" --warmup "$warm" --mode tracked --dump --cli "$cli"
	bench scale none -- scale --live "$live" --pairs "$spairs" \
		--warmup "$warm" --mode baseline
fi
if part sites; then
	bench sites anonleak-d32 max_sites=$((1 << 18)) -- sites --sites "$sites" \
		--dump --cli "$cli"
	bench sites none -- sites --sites "$sites"
fi
if part procs; then
	bench procs anonleak-d8 -- procs --procs "$procs" --maps "$maps" \
		--pairs "$spairs" --warmup "$warm"
	bench procs none -- procs --procs "$procs" --maps "$maps" \
		--pairs "$spairs" --warmup "$warm"
fi

say "done: $(wc -l <"$out") results in $out"
exit 0
