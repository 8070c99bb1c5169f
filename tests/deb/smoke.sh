#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In a guest (tests/deb/check-deb.sh runs it with tests/vm/run.sh): the
# module DKMS built in the package test's chroot and the CLI of the
# package, on the kernel the module was built for.
#   - status on a root without the module: exit 8 (not installed)
#   - status on a root where it is installed (the chroot's
#     updates/dkms/anonleak.ko and modules.dep): exit 3 (not loaded)
#   - status --load there: loads it, exit 0, the counters
#   - a leaking program (tests/demo/leaky.c): report names regcache_register
# Prints TAP and a "# Totals:" line.
set -uo pipefail

d=build/deb
cli=$d/root/usr/sbin/anonleak
n=0 pass=0 fail=0
check() { # NAME: the status of the command before
	local rc=$?
	n=$((n + 1))
	if [ $rc = 0 ]; then pass=$((pass + 1)); echo "ok $n $1"; else
		fail=$((fail + 1)); echo "not ok $n $1"; fi
}
echo "TAP version 13"
echo "1..5"

ANONLEAK_ROOT=$d/empty-root "$cli" status
[ $? = 8 ]
check "status without the module: exit 8 (not installed for $(uname -r))"

ANONLEAK_ROOT=$d/guest-root "$cli" status
[ $? = 3 ]
check "status with the module installed: exit 3 (not loaded)"

ANONLEAK_ROOT=$d/guest-root "$cli" status --load
check "status --load: loads the DKMS-built module"
trap 'rmmod anonleak 2>/dev/null' EXIT

"$d/leaky" 40 &
pid=$!
wait "$pid"
echo "# anonleak report --pid $pid"
"$cli" report --pid "$pid" | sed 's/^/#   /'
"$cli" report --pid "$pid" --json | python3 -c '
import json, sys
site = json.load(sys.stdin)["processes"][0]["sites"][0]
names = [f.get("symbol", "") for f in site["frames"]]
print("# top site: %d live mappings, frames: %s" % (site["live_count"], " <- ".join(names)))
sys.exit(0 if "regcache_register" in names else 1)
'
check "report names the leaking function (regcache_register)"

rmmod anonleak
check "rmmod anonleak"
trap - EXIT
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
