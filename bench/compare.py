#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of bench/compare.sh: added cost per configuration, each against
the mean of the untraced baseline runs just before and after it.

  bench/compare.py bench.jsonl
"""
import json
import sys


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    seq = [r for r in rows if r.get("stage") in ("micro", "malloc")
           and "error" not in r]
    errors = [r for r in rows if "error" in r]
    out = {}
    for stage, metric in (("micro", "pair"), ("micro", "mmap"),
                          ("micro", "munmap"), ("malloc", "op")):
        runs = [r for r in seq if r["stage"] == stage and r["metric"] == metric]
        for i, r in enumerate(runs):
            if r["config"] == "none":
                continue
            before = [b["value"] for b in runs[:i] if b["config"] == "none"]
            after = [b["value"] for b in runs[i + 1:] if b["config"] == "none"]
            near = before[-1:] + after[:1]
            if not near:
                continue
            base = sum(near) / len(near)
            out.setdefault(r["config"], {})[metric] = r["value"] - base
    print(f"{'config':<10} {'pair':>8} {'mmap':>8} {'munmap':>8} {'malloc op':>10}")
    prev = None
    for c, v in out.items():
        line = f"{c:<10} " + " ".join(
            f"{v.get(m, float('nan')):>8,.0f}" for m in ("pair", "mmap", "munmap"))
        line += f" {v.get('op', float('nan')):>10,.0f}"
        if prev is not None and "pair" in v and "pair" in prev:
            line += f"   pair {v['pair'] - prev['pair']:+,.0f} vs previous"
        print(line)
        prev = v
    for e in errors:
        print(f"error: {e.get('stage')}/{e.get('config')}: {e['error']}")
    return 1 if errors or not out else 0


if __name__ == "__main__":
    sys.exit(main())
