#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count what one mmap+munmap pair runs in the kernel, from a function_graph
trace taken around `anonbench pairs` (the lines between its trace_marker
"anonbench begin N" and "anonbench end").

  bench/profile.py TRACE CONFIG >>RESULTS.jsonl

One JSON line per traced function: calls per pair and the mean duration of
a call in guest ns. The durations include the graph tracer's own cost (of
the order of a few hundred instructions per traced call, nested calls
included), so only the call counts are exact.
"""
import json
import re
import sys

LINE = re.compile(r"^\s*\d+\)\s+(?:[+!#*@$]\s*)?(?:([\d.]+) us\s+)?\|\s+(.*?)\s*$")
NAME = re.compile(r"^([A-Za-z0-9_.]+)(?: \[[^\]]+\])?")


def main():
    path, config = sys.argv[1], sys.argv[2]
    pairs = None
    inside = False
    calls, total = {}, {}
    lost = 0
    with open(path, errors="replace") as f:
        for line in f:
            if "LOST" in line and "EVENTS" in line:
                lost += 1
            if "anonbench begin" in line:
                pairs = int(line.split("anonbench begin", 1)[1].split()[0])
                inside = True
                continue
            if "anonbench end" in line:
                break
            if not inside:
                continue
            m = LINE.match(line)
            if not m:
                continue
            dur, body = m.group(1), m.group(2)
            if body.startswith("/*"):
                continue
            if body.startswith("}"):
                n = NAME.match(body.split("/*", 1)[1].strip()) if "/*" in body else None
                if n and dur:
                    total[n.group(1)] = total.get(n.group(1), 0) + float(dur) * 1000
                continue
            n = NAME.match(body)
            if not n:
                continue
            name = n.group(1)
            calls[name] = calls.get(name, 0) + 1
            if body.endswith(";") and dur:
                total[name] = total.get(name, 0) + float(dur) * 1000
    if not pairs:
        print(json.dumps({"stage": "profile", "config": config,
                          "error": f"no 'anonbench begin' marker in {path}"}))
        return 1
    for name in sorted(calls, key=lambda k: -calls[k]):
        print(json.dumps({"stage": "profile", "config": config,
                          "metric": "function", "function": name,
                          "value": calls[name] / pairs, "unit": "calls/pair",
                          "ns_per_call": round(total.get(name, 0) / calls[name], 1),
                          "pairs": pairs, "lost": lost}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
