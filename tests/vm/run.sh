#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one command as root in a QEMU guest that sees the host's / read-only.
#
#   tests/vm/run.sh [OPTIONS] -- CMD [ARGS...]
#
#   --kernel K     guest kernel: "5.10", "6.1", "6.12", "7.3" (see
#                  tests/vm/kernels.sh), a full version installed on the
#                  host, or a path to a bzImage
#                  (default: $VM_KERNEL, else 6.1)
#   --timeout S    hard limit for the whole VM, boot included (default:
#                  $VM_TIMEOUT, else 1200); CMD gets S minus a margin
#   --mem MB       guest memory (default: $VM_MEM, else 2048)
#   --smp N        vCPUs (default: $VM_SMP, else 2; 1 with --icount)
#   --icount       deterministic clock: -icount shift=0,sleep=off (benchmarks)
#   --results DIR  results folder (default: build/vm/results-KVER, emptied)
#   --append ARGS  extra kernel command line (also $VM_APPEND)
#
# In the guest CMD runs chrooted into the host's /, with the same working
# directory as here, stdin from /dev/null, PATH=/usr/local/sbin:...:/bin,
# HOME=/tmp, ANONLEAK_RESULTS=<results folder, writable, same path as on the
# host> and ANONLEAK_KVER=<guest uname -r>; other ANONLEAK_* and CI variables
# are passed through. /tmp, /run, /dev/shm are fresh tmpfs; proc, sys, dev,
# devpts, debugfs, tracefs and bpffs are mounted. The rest of / is read-only.
# CMD's stdout+stderr stream to this stdout; runner messages go to stderr.
# VM_ACCEL=kvm uses KVM (hangs on some machines), default is TCG with
# VM_TCG_OPTS (default thread=single). VM_HOST_CACHE sets the 9p cache mode
# of the host root (default none).
#
# Exit status: CMD's own status, unless
#   125  a kernel splat was found in the guest's kernel log (printed)
#   124  CMD or the whole VM hit its time limit
#   123  the guest ended without reporting a status (panic, boot failure)
#   130  interrupted (SIGINT/SIGTERM/SIGHUP to this script)
#     2  usage error, kernel not installed, initramfs build failure
# Logs: build/vm/last-KVER.log (output, console, dmesg); results folder .vm/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vmdir=$root/build/vm

say() { echo "vm: $*" >&2; }
usage() {
	sed -n '4,17p' "$0" >&2
	exit "${1:-2}"
}

kernel=${VM_KERNEL:-6.1}
timeout_s=${VM_TIMEOUT:-1200}
mem=${VM_MEM:-2048}
smp=${VM_SMP:-}
icount=0
results=
append=${VM_APPEND:-}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--icount) icount=1; shift ;;
	--results) results=${2:?}; shift 2 ;;
	--append) append+=" ${2:?}"; shift 2 ;;
	--) shift; break ;;
	-h | --help) usage 0 ;;
	-*) say "unknown option '$1'"; usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { say "no command given"; usage; }
case "$timeout_s$mem$smp" in
*[!0-9]*) say "--timeout, --mem and --smp take numbers"; exit 2 ;;
esac
[ -n "$smp" ] || { [ $icount = 1 ] && smp=1 || smp=2; }

# The kernel image and its version (which picks the modules).
if [ -f "$kernel" ]; then
	image=$kernel
	kver=$(file -bL "$image" 2>/dev/null | sed -n 's/.*, version \([^ ]*\).*/\1/p')
	kver=${kver:-custom}
elif suite=$("$here/kernels.sh" list | awk -v k="$kernel" '$1 == k { print $2 }') &&
	[ -n "$suite" ] && [ "$suite" != host ]; then
	# A kernel of another suite, unpacked by kernels.sh prepare.
	kver=$("$here/kernels.sh" kver "$kernel") || exit 2
	image=$("$here/kernels.sh" image "$kernel") || exit 2
	modroot=$("$here/kernels.sh" modroot "$kernel") || exit 2
else
	kver=$("$here/kver.sh" --boot "$kernel") || exit 2
	image=/boot/vmlinuz-$kver
fi
[ -r "$image" ] || { say "cannot read $image"; exit 2; }

# The guest must see the working directory at the same path.
cwd=$(pwd -P)
case "$cwd/" in
/proc/* | /sys/* | /dev/*) say "cannot run from $cwd: the guest mounts its own there"; exit 2 ;;
esac

mkdir -p "$vmdir"
initrd=$vmdir/initramfs-$kver.cpio.gz
(
	flock 9
	"$here/mkinitramfs.sh" "$kver" "$initrd" "${modroot:-/}"
) 9>"$initrd.lock" || { say "initramfs build failed"; exit 2; }

own_results=0
[ -n "$results" ] || { results=$vmdir/results-$kver; own_results=1; }
mkdir -p "$results" && results=$(cd "$results" && pwd -P) || exit 2
case "$cwd$results" in
*"'"*) say "paths with a quote in them are not supported"; exit 2 ;;
esac
# One run at a time per results folder.
exec 9>"$results.lock"
flock 9
vm=$results/.vm
# The default folder is emptied; one given with --results only loses .vm.
if [ $own_results = 1 ]; then
	find "$results" -mindepth 1 -delete
else
	rm -rf "$vm"
fi
mkdir -p "$vm"

# Leave a margin for boot and for collecting the logs after a guest timeout.
margin=$((timeout_s / 10))
[ $margin -lt 30 ] && margin=30
[ $margin -gt 120 ] && margin=120
guest_timeout=$((timeout_s - margin))
[ $guest_timeout -lt 10 ] && guest_timeout=$((timeout_s / 2))

cat >"$vm/guest.conf" <<EOF
RUN_CWD='$cwd'
RUN_RESULTS='$results'
RUN_TIMEOUT=$guest_timeout
RUN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN_HOST_CACHE=${VM_HOST_CACHE:-none}
EOF
{
	echo "# Generated by tests/vm/run.sh"
	echo "export ANONLEAK_RESULTS=$(printf %q "$results")"
	echo 'export ANONLEAK_KVER=$(uname -r)'
	# Pass the caller's ANONLEAK_* settings and CI through.
	while IFS='=' read -r name _; do
		case "$name" in
		ANONLEAK_RESULTS | ANONLEAK_KVER) ;;
		ANONLEAK_* | CI) echo "export $name=$(printf %q "${!name}")" ;;
		esac
	done < <(env | grep -E '^(ANONLEAK_[A-Za-z0-9_]*|CI)=')
	echo "cd $(printf %q "$cwd") || exit 2"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$vm/cmd.sh"

if [ "${VM_ACCEL:-tcg}" = kvm ]; then
	accel=(-accel kvm -cpu host)
else
	# One host thread for all vCPUs: with 2 host cores, multi-threaded TCG
	# (thread=multi) ran the selftests 2-5x slower and erratically here.
	accel=(-accel "tcg,${VM_TCG_OPTS:-thread=single}" -cpu max)
fi
[ $icount = 1 ] && accel+=(-icount shift=0,sleep=off)
# no_timer_check: on a loaded host the TCG guest's early IO-APIC timer
# check can miss its ticks and panic ("IO-APIC + timer doesn't work!",
# seen with the host at load 14): the check proves nothing about the code
# under test, so skip it as virtual machines commonly do.
qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot
	"${accel[@]}" -m "$mem" -smp "$smp"
	-kernel "$image" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 no_timer_check $append"
	-chardev "file,id=con,path=$vm/console.log" -serial chardev:con
	-chardev stdio,id=out,signal=off -serial chardev:out
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=results,path=$results,security_model=none"
	-device virtio-9p-pci,fsdev=results,mount_tag=results)

say "$kver: $* (${VM_ACCEL:-tcg}, $smp vCPU, $mem MB, limit ${timeout_s}s)"
start=$(date +%s)
# QEMU runs in the background so that a signal to this script can stop it
# (timeout --foreground keeps it in our process group, for Ctrl-C).
interrupted=
trap 'interrupted=1; kill -TERM "$(cat "$vm/qemu.pid" 2>/dev/null)" 2>/dev/null' INT TERM HUP
{
	timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" -pidfile "$vm/qemu.pid" \
		</dev/null 2>"$vm/qemu.err"
	echo $? >"$vm/qemu.rc"
} | tee "$vm/output" &
pipe=$!
while kill -0 $pipe 2>/dev/null; do
	wait $pipe
done
trap - INT TERM HUP
qrc=$(cat "$vm/qemu.rc" 2>/dev/null || echo 255)
took=$(($(date +%s) - start))

# Judge the run from what the guest left behind.
rc=
verdict=
if [ -n "$interrupted" ]; then
	rc=130
	verdict="interrupted"
elif [ -f "$vm/timedout" ]; then
	rc=124
	verdict="command timed out after $(cat "$vm/timedout")s (VM limit ${timeout_s}s)"
elif [ -s "$vm/status" ]; then
	rc=$(cat "$vm/status")
	verdict="command exited $rc"
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	rc=124
	verdict="VM timed out after ${timeout_s}s without a status"
elif [ ! -s "$vm/console.log" ]; then
	rc=123
	verdict="QEMU failed (exit $qrc) before the guest kernel said anything"
else
	rc=123
	verdict="guest ended without a status (QEMU exit $qrc): kernel panic or boot failure?"
fi
klog=$vm/dmesg
[ -s "$klog" ] || klog=$vm/console.log

# Keep everything for debugging.
last=$vmdir/last-$kver.log
{
	echo "# tests/vm/run.sh $(date -u +%FT%TZ) kernel=$kver cwd=$cwd"
	echo "# command: $*"
	echo "# qemu: ${qemu[*]}"
	echo "# qemu exit $qrc, ${took}s; $verdict"
	echo "==== command output ===="
	cat "$vm/output"
	echo "==== serial console (ttyS0) ===="
	cat "$vm/console.log" 2>/dev/null
	echo "==== dmesg ===="
	cat "$vm/dmesg" 2>/dev/null
	if [ -s "$vm/kmemleak" ]; then
		echo "==== kmemleak ===="
		cat "$vm/kmemleak"
	fi
	if [ -s "$vm/qemu.err" ]; then
		echo "==== qemu stderr ===="
		cat "$vm/qemu.err"
	fi
} >"$last"

if [ -z "$interrupted" ] && { [ ! -s "$vm/status" ] || [ $rc = 124 ]; }; then
	[ -s "$vm/qemu.err" ] && { say "qemu said:"; sed 's/^/  /' "$vm/qemu.err" >&2; }
	say "last console lines:"
	tail -n 30 "$vm/console.log" 2>/dev/null | sed 's/^/  /' >&2
fi
# Stack dumps that injected allocation failures cause are expected.
"$here/../debug/scan-log.sh" "$klog" >"$vm/splats" 2>&1
src=$?
if [ $src = 1 ]; then
	cat "$vm/splats" >&2
	say "$kver: KERNEL SPLAT in the guest log ($verdict)"
	rc=125
elif [ $src != 0 ] && [ -e "$klog" ]; then
	cat "$vm/splats" >&2
	say "$kver: could not scan $klog"
	rc=125
fi
boot=$(cat "$vm/started" 2>/dev/null || echo '?')
say "$kver: $verdict; exit $rc after ${took}s (command started at ${boot}s); log $last"
exit "$rc"
