#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the guest by `make demo`: load anonleak, run a small
# program that leaks anonymous memory through a raw syscall(SYS_mmap, ...)
# from one function and frees its other mappings, then print anonleak's
# report for it. Fails unless the report names the leaking function first.
set -eu

ko=${ANONLEAK_KO:-build/ko/$(uname -r)/anonleak.ko}
cli=userspace/anonleak
demo=build/demo/leaky

insmod "$ko"
trap 'rmmod anonleak 2>/dev/null || true' EXIT

"$demo" 40 &
pid=$!
wait "$pid"

echo "=== anonleak report --pid $pid"
"$cli" report --pid "$pid"

# The check: the site with the most live bytes is the leaking function.
"$cli" report --pid "$pid" --json | python3 -c '
import json, sys
procs = json.load(sys.stdin)["processes"]
site = procs[0]["sites"][0]
names = [f.get("symbol", "") for f in site["frames"]]
print("=== top site: %d live mappings, %d bytes, frames: %s" %
      (site["live_count"], site["live_bytes"], " <- ".join(names)))
sys.exit(0 if "regcache_register" in names else 1)
'
