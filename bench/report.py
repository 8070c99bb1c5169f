#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's JSON lines into bench/RESULTS.md, or check a smoke run.

  bench/report.py RESULTS.jsonl [--out FILE] [--command CMD] [--wall SECONDS]
                  [--host-date DATE]
  bench/report.py RESULTS.jsonl --check     every stage produced a number

Every figure in the report comes from RESULTS.jsonl; nothing is typed by hand.
Times are guest nanoseconds: in the icount guest, guest instructions.
"""
import argparse
import json
import sys

# The targets of the performance issue, on the 6.1 guest.
T_ADDED_MAX = 1500          # guest instructions added per mmap+munmap pair
T_FLOOR_X = 3.0             # at most this many times the floor's cost
T_FLOOR_STRETCH = 2.0
T_BPFTRACE_FRACTION = 5.0   # at most 1/5 of what the bpftrace script adds
T_MEMLEAK_X = 5.0           # bcc memleak adds at least 5x as much (malloc)
T_SCALE_X = 1.2             # pair at 1,000,000 live within 1.2x of 1,000
T_NOFP_ADDED_MAX = 2200     # FP-less, tables warm, depth 8 (issue 12)
T_NOFP_BPFTRACE_FRACTION = 3.0  # and under 1/3 of the bpftrace script's
T_NOFP_OVER_FP_MAX = 700    # table walk over the frame-pointer walk (issue 11)
T_CLI_NS = 5e9              # each CLI command of the dump section (issue 12)
T_MAPPING_BYTES = 64
T_SITE_BASE, T_SITE_FRAME = 256, 8
T_DUMP_NS = 1.5e9           # 1,000,000 mappings to a discarding client

CONFIG_TEXT = {
    "none": "no tracing",
    "floor": "mechanism floor: empty kretprobes on do_mmap and the munmap "
             "function, empty kprobe on exit_mmap",
    "floor-all": "floor plus anonleak's mremap probes (sys_mremap, "
                 "move_page_tables, vma_merge)",
    "anonleak-d1": "anonleak, stack_depth=1",
    "anonleak-d8": "anonleak, stack_depth=8 (default)",
    "anonleak-d32": "anonleak, stack_depth=32",
    "bpftrace": "bpftrace script: ustack per live mapping "
                "(bench/peers/mmap-ustack.bt)",
    "memleak": "bcc memleak-bpfcc -p PID (uprobes on libc)",
    "floor-entry": "floor whose kretprobes decline their return probe at "
                   "entry: the cost of the entry hooks alone",
    "alt-d1": "anonleak with the patch under evaluation, stack_depth=1",
    "alt-d8": "anonleak with the patch under evaluation, stack_depth=8",
    "alt-d32": "anonleak with the patch under evaluation, stack_depth=32",
    "nofp:none": "FP-less build, no tracing",
    "nofp:anonleak-d8-cold": "FP-less build, anonleak depth 8, no unwind "
                             "tables (the frame-pointer fallback)",
    "nofp:anonleak-d8-warm": "FP-less build, anonleak depth 8, tables of "
                             "the program, libc and ld.so loaded first",
    "nofp:bpftrace": "FP-less build, the bpftrace script",
    "nofp:memleak": "FP-less build, bcc memleak-bpfcc -p PID",
}
NOFP_ORDER = ["nofp:none", "nofp:anonleak-d8-cold", "nofp:anonleak-d8-warm",
              "nofp:bpftrace", "nofp:memleak"]
REAL_ORDER = ["none", "anonleak-d8", "bpftrace", "memleak"]
REAL_TEXT = {
    "python": "python3.11: bytearrays of 45..51 pages made and freed "
              "(mmap threshold 128 KiB), one in ten kept",
    "malloc": "anonbench-nofp malloc: the glibc malloc workload as a program",
    "ucx": "ucx_perftest -l -t tag_lat (UCX with its mmap hooks)",
}
WORK_ORDER = ["none", "floor", "floor-all", "floor-entry", "anonleak-d1",
              "anonleak-d8", "anonleak-d32", "alt-d1", "alt-d8", "alt-d32",
              "bpftrace", "memleak"]


def load(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                sys.exit(f"{path}:{n}: not JSON ({e}): {line[:80]}")
    return rows


class Results:
    def __init__(self, rows):
        self.rows = rows
        self.meta = next((r for r in rows if r.get("stage") == "meta"), {})

    def all(self, stage, metric=None, config=None, **kw):
        out = []
        for r in self.rows:
            if r.get("stage") != stage or "error" in r:
                continue
            if metric is not None and r.get("metric") != metric:
                continue
            if config is not None and r.get("config") != config:
                continue
            if any(r.get(k) != v for k, v in kw.items()):
                continue
            out.append(r)
        return out

    def get(self, stage, metric, config, **kw):
        """The value of the first matching result, or None."""
        r = self.all(stage, metric, config, **kw)
        return r[0]["value"] if r else None

    def row(self, stage, metric, config, **kw):
        r = self.all(stage, metric, config, **kw)
        return r[0] if r else None

    def baseline(self, stage, metric):
        """Mean of the "none" runs (the first and the drift check)."""
        v = [r["value"] for r in self.all(stage, metric, "none")]
        return sum(v) / len(v) if v else None

    def added(self, stage, metric, config):
        """A configuration's cost minus its own baseline: the mean of the
        "none" runs nearest before and after it in the run (the guest
        drifts a little over a boot; the baseline runs between the
        configurations keep that out of the differences)."""
        rows = [r for r in self.rows if r.get("stage") == stage and
                r.get("metric") == metric and "error" not in r]
        # the FP-less build has baseline runs of its own
        none = "nofp:none" if config.startswith("nofp:") else "none"
        idx = next((i for i, r in enumerate(rows)
                    if r.get("config") == config), None)
        if idx is None:
            return None
        near = []
        for rng in (range(idx - 1, -1, -1), range(idx + 1, len(rows))):
            for i in rng:
                if rows[i].get("config") == none:
                    near.append(rows[i]["value"])
                    break
        if not near:
            return None
        return rows[idx]["value"] - sum(near) / len(near)

    def spread(self, stage, metric):
        """(min, max) of the "none" runs."""
        v = [r["value"] for r in self.all(stage, metric, "none")]
        return (min(v), max(v)) if v else None

    def errors(self):
        return [r for r in self.rows if "error" in r]


def n(v, digits=0):
    if v is None:
        return "n/a"
    if digits:
        return f"{v:,.{digits}f}"
    return f"{v:,.0f}"


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return None
    return a / b


def rx(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}x"


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**missed**"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "| " + " | ".join("---" for _ in head) + " |"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def stats_of(res, stage, config, **kw):
    for r in res.rows:
        if (r.get("stage") == stage and r.get("metric") == "stats" and
                r.get("config") == config and
                all(r.get(k) == v for k, v in kw.items())):
            return r["stats"]
    return None


def module_slab(row, prefixes=("al_", "kmalloc-", "radix_tree_node")):
    """Bytes of the caches anonleak allocates from, in a slab delta row."""
    if not row:
        return None
    return sum(c["bytes"] for name, c in row["caches"].items()
               if name.startswith(prefixes))


def report(res, args):
    m = res.meta
    L = []
    add = L.append
    base = res.baseline("micro", "pair")
    floor_add, al8_add, bt_add = (res.added("micro", "pair", c) for c in
                                  ("floor", "anonleak-d8", "bpftrace"))

    add("# anonleak benchmark results")
    add("")
    add("Generated by `bench/report.py` from the benchmark's own JSON lines; "
        "no figure here is typed by hand.")
    add("")
    add(f"- Command: `{args.command}`")
    if args.wall is not None:
        add(f"- Wall time of the whole command (dependencies, build, guest "
            f"run, this report): {args.wall / 60:.1f} minutes")
    add(f"- Guest kernel: {m.get('kernel', '?')}, {m.get('cpus', '?')} vCPU, "
        f"{int(m.get('mem_kb', 0)) // 1024} MiB, clocksource "
        f"{m.get('clocksource', '?')}, command line `{m.get('cmdline', '?')}`")
    add(f"- QEMU TCG with `-icount shift=0,sleep=off`: "
        f"{'yes' if m.get('icount') else '**no** (figures are not instruction counts)'}"
        f"; ASLR off in the guest")
    add(f"- Date (guest): {m.get('date', '?')}"
        + (f"; host: {args.host_date}" if args.host_date else ""))
    add(f"- Peers: {m.get('bpftrace', '?')}, bcc {m.get('bcc', '?')}")
    add(f"- Raw results: `{args.source}`")
    for stage, path in getattr(args, "stage_sources", []):
        add(f"- Stage `{stage}`: the metrics measured in another boot of the "
            f"same kind (same kernel, icount) from `{path}`")
    add("")
    add("Unit: guest nanoseconds, which under `-icount shift=0` are guest "
        "instructions (1 ns = 1 instruction). \"Added\" is a "
        "configuration's cost minus the no-tracing baseline of the same "
        "boot (the mean of the baseline runs just before and after it).")
    add("")

    # ---- targets -------------------------------------------------------
    add("## Targets")
    add("")
    mml_add = res.added("malloc", "op", "memleak")
    alt = res.get("micro", "pair", "alt-d8") is not None

    def micro_rows(c, label):
        a = res.added("micro", "pair", c)
        rows = []
        ok = None if a is None else a <= T_ADDED_MAX
        rows.append([f"{label} adds <= 1,500 per mmap+munmap pair",
                     n(a), f"{rx(ratio(a, T_ADDED_MAX))} of the limit",
                     verdict(ok)])
        fx = ratio(a, floor_add)
        rows.append([f"{label}: at most 3x the floor (stretch: 2x)",
                     f"{n(a)} vs floor {n(floor_add)}", rx(fx),
                     verdict(None if fx is None else fx <= T_FLOOR_X) +
                     ("" if fx is None else
                      ("; stretch met" if fx <= T_FLOOR_STRETCH else
                       "; stretch missed"))])
        bx = ratio(a, bt_add)
        rows.append([f"{label}: at most 1/5 of what the bpftrace script adds",
                     f"{n(a)} vs bpftrace {n(bt_add)}",
                     f"1/{1 / bx:.2f}" if bx else "n/a",
                     verdict(None if bx is None else
                             bx <= 1 / T_BPFTRACE_FRACTION)])
        ma = res.added("malloc", "op", c)
        mx = ratio(mml_add, ma)
        rows.append([f"malloc workload: bcc memleak adds >= 5x what {label} "
                     "adds", f"memleak {n(mml_add)} vs {n(ma)} per op",
                     rx(mx), verdict(None if mx is None else mx >= T_MEMLEAK_X)])
        return rows, fx

    rows, fx = micro_rows("anonleak-d8", "anonleak (depth 8)")
    if alt:
        rows += micro_rows("alt-d8", "patched anonleak (alt-d8)")[0]
    scale = scale_rows(res)
    sx = None
    if scale:
        lo, hi = scale[0], scale[-1]
        sx = ratio(hi["added"], lo["added"])
        rows.append([f"pair cost at {hi['live']:,} live mappings within {T_SCALE_X}x "
                     f"of {lo['live']:,}",
                     f"{n(hi['added'])} vs {n(lo['added'])} added", rx(sx),
                     verdict(None if sx is None else sx <= T_SCALE_X)])
    mem = memory(res)
    rows.append(["<= 64 bytes per tracked mapping",
                 f"{n(mem.get('range_slab_per_obj'), 1)} bytes of slab "
                 f"(object {n(mem.get('range_objsize'))})",
                 rx(ratio(mem.get('range_slab_per_obj'), T_MAPPING_BYTES)) +
                 " of the limit",
                 verdict(None if mem.get('range_slab_per_obj') is None else
                         mem['range_slab_per_obj'] <= T_MAPPING_BYTES)])
    for d, sz in sorted(mem.get("site_sizes", {}).items()):
        lim = T_SITE_BASE + T_SITE_FRAME * d
        rows.append([f"site record <= 256 + 8 x {d} frames = {lim} bytes",
                     f"{n(sz)} bytes of slab object", rx(ratio(sz, lim)) +
                     " of the limit", verdict(sz <= lim)])
    if "site_stat" in mem:
        d, sz = mem["site_stat"]
        lim = T_SITE_BASE + T_SITE_FRAME * d
        rows.append([f"site record of a full {d}-frame stack <= 256 + 8 x {d}"
                     f" = {lim} bytes", f"{n(sz)} bytes (`anonleak status`)",
                     rx(ratio(sz, lim)) + " of the limit", verdict(sz <= lim)])
    dump = res.row("dump", "mappings_raw", None, live=max_live(res))
    if dump:
        rows.append([f"dump of {dump['items']:,} mappings to a discarding "
                     "client in < 1.5 guest-seconds",
                     f"{dump['value'] / 1e9:.3f} s",
                     rx(ratio(dump["value"], T_DUMP_NS)) + " of the limit",
                     verdict(dump["value"] < T_DUMP_NS)])
    rows += new_targets(res)
    add(table(["target", "measured", "ratio", "verdict"], rows))
    add("")
    if alt:
        add(f"\"Patched anonleak\" is module/ with `{m.get('alt_patch', '?')}` "
            "applied (`make bench BENCH_MODULE_PATCH=...`), loaded in the "
            "same boot; it is a proposal, not the module as committed.")
        add("")

    # ---- 1: micro -------------------------------------------------------
    add("## 1. Microbenchmark: 4 KiB mmap+munmap pairs, 6-deep call chain")
    add("")
    add(f"{m.get('pairs', '?'):,} pairs after {m.get('warmup', '?'):,} "
        "not timed, libc `mmap()`/`munmap()`. The halves are timed "
        "separately in a second loop (a clock read, "
        f"{n(res.get('micro', 'clock_read', 'none'))}, is inside each).")
    add("")
    rows = []
    for c in configs_of(res, "micro"):
        v = res.get("micro", "pair", c)
        a = res.added("micro", "pair", c)
        mm = res.get("micro", "mmap", c)
        mu = res.get("micro", "munmap", c)
        rows.append([c, CONFIG_TEXT.get(c, ""), n(v),
                     "-" if c == "none" else n(a),
                     "-" if c in ("none", "floor") else rx(ratio(a, floor_add)),
                     n(mm), "-" if c == "none" else
                     n(res.added("micro", "mmap", c)),
                     n(mu), "-" if c == "none" else
                     n(res.added("micro", "munmap", c))])
    add(table(["config", "what", "per pair", "added", "x floor",
               "mmap", "added", "munmap", "added"], rows))
    add("")
    add(drift(res, "micro", "pair"))
    add("")

    # ---- 2: malloc ------------------------------------------------------
    add("## 2. malloc workload: glibc blocks of 256 KiB .. 4 MiB")
    add("")
    r0 = res.row("malloc", "op", "none")
    if r0:
        add(f"{r0['n']:,} operations on 16 slots, the same sequence in every "
            f"configuration ({r0['mallocs']:,} malloc, {r0['reallocs']:,} "
            f"realloc, {r0['frees']:,} free; `M_MMAP_THRESHOLD` fixed at "
            "128 KiB so every block is an mmap, realloc an mremap; "
            "transparent huge pages off for the workload processes, "
            "`PR_SET_THP_DISABLE`).")
        add("")
    rows = []
    for c in configs_of(res, "malloc"):
        v = res.get("malloc", "op", c)
        a = res.added("malloc", "op", c)
        rows.append([c, n(v), "-" if c == "none" else n(a),
                     "-" if c in ("none", "memleak") or not a or mml_add is None
                     else rx(mml_add / a) if a > 0 else "n/a"])
    add(table(["config", "per op", "added", "memleak's added / this"], rows))
    add("")
    add(drift(res, "malloc", "op"))
    add("")

    # ---- 3: scale -------------------------------------------------------
    add("## 3. Scale")
    add("")
    add("### Live mappings in one process")
    add("")
    add("The live pages are mapped one `mmap(MAP_FIXED)` at a time into one "
        "PROT_NONE reservation, so their VMAs merge (the kernel's own cost "
        "stays flat) while anonleak keeps one record per mmap. The "
        "baseline has the same VMA layout made by one mmap, without "
        "the module. The pairs (same 6-deep chain) go elsewhere in the "
        "same process.")
    add("")
    rows = []
    for s in scale:
        rows.append([f"{s['live']:,}", n(s["tracked"]), n(s["base"]),
                     n(s["added"]),
                     rx(ratio(s["added"], scale[0]["added"])),
                     n(s.get("build")), n(s.get("live_count")),
                     n(s.get("drops"))])
    add(table(["live", "pair, anonleak", "pair, no tracing", "added",
               "vs first", "insert cost while building", "records",
               "drops"], rows))
    add("")
    add("### Many processes")
    add("")
    prow = procs_rows(res)
    if prow:
        add(table(["", "anonleak (depth 8)", "no tracing", "added"], prow))
        add("")

    # ---- 4: dump --------------------------------------------------------
    add("## 4. Dump")
    add("")
    add("`raw`: anonbench --dump (tests/lib's netlink client) reads the "
        "dump and throws it away; its time is the guest time of the whole "
        "dump (kernel side included). `CLI`: `userspace/anonleak ... --json "
        ">/dev/null`, CPU time of the process (user + system); its elapsed "
        "time also counts the virtual clock jumping ahead while the guest "
        "waits for its files over 9p.")
    add("")
    rows = []
    for r in res.all("dump"):
        what = {"mappings_raw": "GET_MAPPINGS, raw",
                "mappings_cli_json": "`anonleak mappings --pid P --json`",
                "sites_raw": "GET_SITES, raw",
                "sites_cli_json": "`anonleak report --json --top 1000` "
                                  "(symbolized)",
                "sites_cli_json_numeric":
                    "`anonleak report --json --numeric`",
                "sites_cli_text_numeric":
                    "`anonleak report --numeric` (text)"}.get(r["metric"],
                                                              r["metric"])
        items = r.get("items", 0)
        scope = (f"{r['live']:,} live" if "live" in r else
                 f"{r.get('sites', 0):,} sites")
        rows.append([what, scope, f"{items:,}",
                     f"{r['value'] / 1e9:.3f}",
                     n(r["value"] / items) if items else "n/a",
                     n(r.get("bytes")) if "bytes" in r else "-",
                     f"{r['elapsed'] / 1e9:.3f}" if "elapsed" in r else "-"])
    add(table(["dump", "of", "records", "guest s", "per record",
               "bytes", "elapsed s"], rows))
    add("")

    # ---- 5: memory ------------------------------------------------------
    add("## 5. Memory (slab accounting in the guest, `slab_nomerge`)")
    add("")
    add(table(["what", "bytes"], mem.get("rows", [])))
    add("")

    # ---- 6, 7, 8: FP-less, real programs, unwind memory -----------------
    for line in new_sections(res):
        add(line)

    # ---- profile --------------------------------------------------------
    prof = res.all("profile", "function")
    if prof:
        c = prof[0]["config"]
        add(f"## Profile: what one pair runs in anonleak ({c})")
        add("")
        add("Calls per mmap+munmap pair of anonleak's functions and of the "
            "kernel helpers they call, from a function_graph trace around "
            f"{prof[0]['pairs']} pairs (`bench/profile.py`); the tracer's "
            "own cost makes its durations meaningless here, the counts are "
            "exact.")
        add("")
        add(table(["function", "calls per pair"],
                  [[r["function"], f"{r['value']:.2f}"] for r in prof
                   if r["config"] == c]))
        add("")

    # ---- notes ----------------------------------------------------------
    add("## Notes")
    add("")
    for line in notes(res, base, floor_add, al8_add, bt_add, fx, mem):
        add(line)
    errs = res.errors()
    if errs:
        add("")
        add("### What could not be measured")
        add("")
        for e in errs:
            add(f"- {e.get('stage')}/{e.get('config')}"
                f"{'/' + e['metric'] if 'metric' in e else ''}: {e['error']}")
    add("")
    return "\n".join(L)


def nofp(res):
    """The FP-less figures: added per pair (micro) and per op (malloc)."""
    d = {}
    for c in NOFP_ORDER[1:]:
        d[c] = (res.added("micro", "pair", c), res.added("malloc", "op", c))
    return d


def real_rows(res):
    """{program: {config: (guest ns, slowdown vs its baseline)}}."""
    out = {}
    for prog in REAL_TEXT:
        base = [r["value"] for r in res.all("real", prog, "none")]
        if not base:
            continue
        b = sum(base) / len(base)
        out[prog] = {"none": (b, 1.0)}
        for c in REAL_ORDER[1:]:
            v = res.get("real", prog, c)
            if v is not None:
                a = res.added("real", prog, c)
                out[prog][c] = (v, (b + a) / b if a is not None else v / b)
    return out


CLI_CMDS = [("sites_cli_json_numeric", "`anonleak report --json --numeric`"),
            ("sites_cli_text_numeric", "`anonleak report --numeric` (text)"),
            ("mappings_cli_json", "`anonleak mappings --pid P --json`")]


def cli_rows(res):
    out = []
    for metric, label in CLI_CMDS:
        rs = res.all("dump", metric)
        if not rs:
            continue
        r = max(rs, key=lambda x: x.get("live", x.get("sites", 0)))
        scope = (f"{r['live']:,} ranges" if "live" in r else
                 f"{r.get('sites', 0):,} sites")
        out.append((label, scope, r["value"]))
    return out


def table_memory(res):
    """Per table: rows, bytes, text; and the totals."""
    ts = [r for r in res.all("memory", "table") if r.get("exec_bytes")]
    return ts


def module_per_proc(res):
    """Module bytes per process from `anonleak status` counters: ranges x
    mapping_size + sites x site_size, over the processes, in the procs
    stage (10,000 processes of 4 mappings)."""
    a = res.row("procs", "spawn", "anonleak-d8")
    st = stats_of(res, "procs", "anonleak-d8",
                  procs=(a or {}).get("procs")) if a else None
    if not st or not st.get("procs"):
        return None
    b = st["live_count"] * st["mapping_size"] + st["sites"] * st["site_size"]
    return b / st["procs"], st


def new_targets(res):
    rows = []
    d = nofp(res)
    warm = d["nofp:anonleak-d8-warm"][0]
    bt = d["nofp:bpftrace"][0]
    fp8 = res.added("micro", "pair", "anonleak-d8")
    rows.append(["FP-less build, tables warm, depth 8: adds <= 2,200 per "
                 "pair (issue 12)", n(warm),
                 f"{rx(ratio(warm, T_NOFP_ADDED_MAX))} of the limit",
                 verdict(None if warm is None else warm <= T_NOFP_ADDED_MAX)])
    bx = ratio(warm, bt)
    rows.append(["FP-less build, tables warm, depth 8: under 1/3 of what the "
                 "bpftrace script adds on the same build (issue 12)",
                 f"{n(warm)} vs bpftrace {n(bt)}",
                 f"1/{1 / bx:.2f}" if bx and bx > 0 else "n/a",
                 verdict(None if bx is None else
                         bx < 1 / T_NOFP_BPFTRACE_FRACTION)])
    over = None if warm is None or fp8 is None else warm - fp8
    rows.append(["table unwinding to depth 8 (FP-less, warm) adds <= 700 "
                 "over the frame-pointer walk (FP build, depth 8) (issue 11)",
                 f"{n(warm)} - {n(fp8)} = {n(over)}",
                 f"{rx(ratio(over, T_NOFP_OVER_FP_MAX))} of the limit",
                 verdict(None if over is None else over <= T_NOFP_OVER_FP_MAX)])
    real = real_rows(res)
    for prog, cs in real.items():
        slow = {c: v[1] for c, v in cs.items() if c != "none"}
        if "anonleak-d8" not in slow:
            rows.append([f"real program {prog}: anonleak's slowdown the "
                         "smallest (issue 12)", "anonleak not measured",
                         "-", verdict(None)])
            continue
        others = {c: v for c, v in slow.items() if c != "anonleak-d8"}
        ok = all(slow["anonleak-d8"] < v for v in others.values()) \
            if others else None
        base = [r["value"] for r in res.all("real", prog, "none")]
        spread = (max(base) - min(base)) / min(base)
        gap = min(others.values()) - slow["anonleak-d8"] if others else None
        # a difference within the baseline's own spread decides nothing
        v = verdict(ok)
        if gap is not None and abs(gap) <= spread:
            v = "inconclusive (within the baseline's spread)"
        elif slow["anonleak-d8"] < 1 - spread:
            v += " (but anonleak ran faster than no tracing: noisy program)"
        rows.append([f"real program {prog}: anonleak's slowdown the smallest "
                     "(issue 12)",
                     ", ".join(f"{c} {x:.4f}x" for c, x in slow.items()) +
                     f"; no-tracing runs spread {spread * 100:.2f}%",
                     "-", v + ("" if others else " (no peer measured)")])
    for label, scope, ns in cli_rows(res):
        rows.append([f"{label} of {scope} in < 5 guest-seconds (issue 12)",
                     f"{ns / 1e9:.3f} s", rx(ratio(ns, T_CLI_NS)) +
                     " of the limit", verdict(ns < T_CLI_NS)])
    ts = table_memory(res)
    if ts:
        r_ = sum(t["rows"] for t in ts)
        x = sum(t["exec_bytes"] for t in ts)
        rows.append(["unwind table rows per MiB of text (issue 11; no limit "
                     "set)", f"{r_:,} rows / {x / 2**20:.2f} MiB",
                     f"{r_ / (x / 2**20):,.0f} rows/MiB", "reported"])
    mp = module_per_proc(res)
    if mp:
        rows.append(["module bytes per process, `anonleak status` counters "
                     "(issue 11; no limit set)", f"{n(mp[0], 1)} bytes",
                     "-", "reported"])
    return rows


def new_sections(res):
    L = []
    add = L.append
    d = nofp(res)
    add("## 6. FP-less build (issue 11)")
    add("")
    add("`anonbench-nofp`: the same source built `-O2 -fomit-frame-pointer` "
        "(the 6-deep chain of section 1 without frame pointers, the malloc "
        "workload through glibc's FP-less malloc). Its own baseline "
        "(`nofp:none`) runs between its configurations; \"added\" is "
        "against it. For comparison, the FP build at depth 8 (section 1) "
        f"adds {n(res.added('micro', 'pair', 'anonleak-d8'))} per pair and "
        f"{n(res.added('malloc', 'op', 'anonleak-d8'))} per malloc op.")
    add("")
    rows = []
    for c in NOFP_ORDER:
        v = res.get("micro", "pair", c)
        if v is None and res.get("malloc", "op", c) is None:
            continue
        a = d.get(c, (None, None))
        st = stats_of(res, "work", c)
        rows.append([c, CONFIG_TEXT.get(c, ""), n(v),
                     "-" if c == "nofp:none" else n(a[0]),
                     n(res.get("malloc", "op", c)),
                     "-" if c == "nofp:none" else n(a[1]),
                     "-" if not st else f"{st.get('sites', 0):,}"])
    add(table(["config", "what", "per pair", "added", "malloc per op",
               "added", "sites"], rows))
    add("")
    nones = [r["value"] for r in res.all("micro", "pair", "nofp:none")]
    if nones:
        add(f"The FP-less baseline ran {len(nones)} times: {n(min(nones))} "
            f".. {n(max(nones))} per pair.")
        add("")
    add("## 7. Real programs (issue 12)")
    add("")
    add("CPU time (user + system, all threads, from `wait4()`) of each whole "
        "run of the program, a child of anonbench that execs it after any "
        "peer attached: under icount, the instructions it and every probe "
        "or BPF program in its context ran (elapsed time would add the "
        "guest's idle time waiting for 9p, which follows the host's load). "
        "anonleak: depth 8, the tables of the program and the libraries "
        "`ldd` lists (for UCX also its transport modules) loaded before, not "
        "timed; bpftrace and bcc memleak attached before. Slowdown: the run "
        "over the mean of the no-tracing runs just before and after it.")
    add("")
    rows = []
    for prog, cs in real_rows(res).items():
        for c in REAL_ORDER:
            if c in cs:
                rows.append([prog if c == "none" else "", c,
                             n(cs[c][0]), "-" if c == "none" else
                             f"{cs[c][1]:.4f}x"])
    if rows:
        add("; ".join(f"{p}: {t}" for p, t in REAL_TEXT.items()) + ".")
        add("")
        add(table(["program", "config", "CPU time, guest ns", "slowdown"], rows))
    else:
        add("Not measured.")
    add("")
    add("## 8. Unwind tables and module memory (issue 11)")
    add("")
    ts = table_memory(res)
    if ts:
        add("The tables loaded for `nofp:anonleak-d8-warm` (`anonleak unwind "
            "list --json`), beside the executable PT_LOAD segments of their "
            "files (`bench/tables.py`).")
        add("")
        rows = [[t["path"], f"{t['rows']:,}", f"{t['bytes']:,}",
                 f"{t['exec_bytes']:,}",
                 f"{t['rows'] / (t['exec_bytes'] / 2**20):,.0f}",
                 f"{t['bytes'] / (t['exec_bytes'] / 2**20):,.0f}"] for t in ts]
        add(table(["file", "rows", "table bytes", "text bytes", "rows/MiB",
                   "bytes/MiB"], rows))
        add("")
    mp = module_per_proc(res)
    if mp:
        v, st = mp
        add(f"Module bytes per process from `anonleak status` in the procs "
            f"stage: ({st['live_count']:,} ranges x {st['mapping_size']} + "
            f"{st['sites']:,} sites x {st['site_size']}) / {st['procs']:,} "
            f"processes = {n(v, 1)} bytes (records only; slab accounting "
            "in section 5).")
        add("")
    return L


def drift(res, stage, metric):
    nones = [r["value"] for r in res.all(stage, metric, "none")]
    if not nones:
        return ""
    lo, hi = min(nones), max(nones)
    return (f"The no-tracing baseline ran {len(nones)} times, between the "
            f"configurations: {n(lo)} .. {n(hi)} ({(hi - lo) / lo * 100:.2f}% "
            "spread). \"Added\" subtracts the mean of the baseline runs "
            "just before and just after each configuration.")


def configs_of(res, stage):
    """The FP build's configurations of a stage (the FP-less build has a
    section of its own)."""
    seen = {r["config"] for r in res.all(stage)
            if not r["config"].startswith("nofp:")}
    return [c for c in WORK_ORDER if c in seen] + sorted(seen - set(WORK_ORDER))


def max_live(res):
    lives = [r["live"] for r in res.all("dump", "mappings_raw") if "live" in r]
    return max(lives) if lives else None


def scale_rows(res):
    out = []
    for r in res.all("scale", "pair"):
        if r["config"] == "none":
            continue
        live = r["live"]
        base = res.get("scale", "pair", "none", live=live)
        s = {"live": live, "tracked": r["value"], "base": base,
             "added": None if base is None else r["value"] - base,
             "build": res.get("scale", "build", r["config"], live=live)}
        st = stats_of(res, "scale", r["config"], live=live)
        if st:
            s["live_count"] = st["live_count"]
            s["drops"] = st["drops"]
        out.append(s)
    return sorted(out, key=lambda s: s["live"])


def procs_rows(res):
    c = "anonleak-d8"
    out = []
    for metric, label in (("spawn", "fork + 4 mmaps + ready, per process"),
                          ("exit", "exit and reap, per process"),
                          ("pair_alone", "pair in the parent, alone"),
                          ("pair", "pair in the parent, children alive")):
        a = res.row("procs", metric, c)
        b = res.row("procs", metric, "none")
        if not a and not b:
            continue
        if a and "procs" in a and metric in ("spawn", "exit", "pair"):
            label = label.replace("children", f"{a['procs']:,} children")
            label = label.replace("per process",
                                  f"per process ({a['procs']:,})")
        av = a["value"] if a else None
        bv = b["value"] if b else None
        out.append([label, n(av), n(bv),
                    n(None if av is None or bv is None else av - bv)])
    st = stats_of(res, "procs", c, procs=(res.row("procs", "spawn", c) or
                                           {}).get("procs"))
    if st:
        out.append(["module records with the children alive",
                    f"{st['procs']:,} procs, {st['sites']:,} sites, "
                    f"{st['live_count']:,} ranges, {st['drops']} drops", "-",
                    "-"])
    return out


def memory(res):
    mem = {"rows": [], "site_sizes": {}}
    rows = mem["rows"]
    # Per mapping: the al_range cache at the largest scale point.
    caches = [r for r in res.all("scale", "cache") if r["cache"] == "al_range"]
    if caches:
        c = max(caches, key=lambda r: r["live"])
        mem["range_objsize"] = c["objsize"]
        mem["range_slab_per_obj"] = c["bytes"] / c["active_objs"]
        rows.append([f"per tracked mapping: `al_range` object",
                     n(c["objsize"])])
        rows.append([f"per tracked mapping: `al_range` slab pages / "
                     f"{c['active_objs']:,} objects at {c['live']:,} live",
                     n(mem["range_slab_per_obj"], 1)])
    for st_row in res.all("scale", "stats"):
        st = st_row["stats"]
        rows.append(["per tracked mapping, as `anonleak status` reports it",
                     n(st.get("mapping_size"))])
        break
    # Per site: the al_site_<depth> caches in the sites stage.
    srow = res.row("sites", "slab", "anonleak-d32") or next(
        (r for r in res.all("sites", "slab") if r["config"] != "none"), None)
    st = stats_of(res, "sites", srow["config"], sites=srow["sites"]) if srow \
        else None
    st0 = stats_of(res, "sites", srow["config"], before=True) if srow else None
    if srow and st:
        nsites = st["sites"] - (st0["sites"] if st0 else 0)
        depth = st["stack_depth"]
        rows.append([f"per site at stack_depth {depth}, as `anonleak status` "
                     "reports it", n(st["site_size"])])
        mem["site_stat"] = (depth, st["site_size"])
        for name, c in srow["caches"].items():
            if name.startswith("al_site_") and c["objs"] > 0:
                d = int(name.rsplit("_", 1)[1])
                mem["site_sizes"][d] = c["objsize"]
                rows.append([f"per site: `{name}` object (depths "
                             f"{d - 7}..{d})", n(c["objsize"])])
                rows.append([f"per site: `{name}` slab growth / "
                             f"{nsites:,} new sites",
                             n(c["bytes"] / nsites, 1)])
        none = next((r for r in res.all("sites", "slab")
                     if r["config"] == "none"), None)
        mod = module_slab(srow)
        if none is not None and mod is not None and nsites:
            extra = mod - module_slab(none) - \
                srow["caches"].get("al_range", {}).get("bytes", 0) - \
                sum(c["bytes"] for k, c in srow["caches"].items()
                    if k.startswith("al_site_"))
            rows.append(["per site: other module slab (xarray nodes, "
                         "objects, kmalloc), net of the untraced run",
                         n(extra / nsites, 1)])
    # Per process.
    live = res.row("procs", "slab_live", "anonleak-d8")
    live0 = res.row("procs", "slab_live", "none")
    if live and live0:
        np_ = live["procs"]
        mod = module_slab(live) - module_slab(live0)
        rows.append([f"per process with {live.get('procs'):,} processes of "
                     "4 mappings: anonleak's caches and kmalloc, net of the "
                     "untraced run", n(mod / np_, 1)])
        rows.append([f"per process: all slab, net of the untraced run "
                     "(noisy: fork's own objects)",
                     n((live["slab_delta"] - live0["slab_delta"]) / np_, 1)])
    return mem


def notes(res, base, floor_add, al8_add, bt_add, fx, mem):
    out = []
    def half(c, which):
        return res.added("micro", which, c)

    a1, a8, a32 = (res.added("micro", "pair", f"anonleak-d{d}")
                   for d in (1, 8, 32))
    if floor_add is not None:
        fm, fu = half("floor", "mmap"), half("floor", "munmap")
        out.append(
            f"- **The floor.** Empty probes on anonleak's symbols add "
            f"{n(floor_add)} per pair: {n(fm)} on the mmap half and {n(fu)} "
            "on the munmap half. On 6.1 `mmap_region()` calls "
            "`do_mas_munmap()` for every new mapping, so a pair hits three "
            "kretprobes (do_mmap, do_mas_munmap twice)" +
            ("" if res.added("micro", "pair", "floor-all") is None else
             "; with anonleak's mremap probes as well (`floor-all`) they add "
             f"{n(res.added('micro', 'pair', 'floor-all'))}") + ".")
    if None not in (a1, a8, a32, floor_add):
        per_frame = (a8 - a1) / 7
        am = half("anonleak-d8", "mmap")
        au = half("anonleak-d8", "munmap")
        out.append(
            f"- **Where anonleak's cost goes** (depth 8 adds {n(al8_add)}): "
            f"the probes themselves, {n(floor_add)} (the floor); recording "
            f"with a one-frame stack, {n(a1 - floor_add)} more (depth 1 adds "
            f"{n(a1)}); each further user frame about {n(per_frame)} "
            f"(depth 8 vs 1; depth 32 adds {n(a32)}, its chains stop "
            f"early). By half: mmap {n(am)}, munmap {n(au)}.")
    fe = res.added("micro", "pair", "floor-entry")
    if floor_add is not None and fe is not None:
        out.append(
            f"- **The mechanism alone.** With their return probes declined at "
            f"entry the same probes add {n(fe)}; arming them costs "
            f"{n((floor_add - fe) / 3)} more per kretprobe hit. The 1,500 "
            f"target leaves {n(T_ADDED_MAX - floor_add)} instructions per "
            "pair for anonleak's own work above the armed floor, "
            f"{n(T_ADDED_MAX - fe)} above the declined one: a stack walk, a "
            "site lookup, a record allocated, inserted and freed.")
    alt8 = res.added("micro", "pair", "alt-d8")
    alt1 = res.added("micro", "pair", "alt-d1")
    if None not in (alt8, alt1, al8_add, floor_add, a1):
        out.append(
            f"- **The proposed patch** (`{res.meta.get('alt_patch', '?')}`, "
            f"configurations alt-*): anonleak's own work at depth 8, above "
            f"the armed floor, goes from {n(al8_add - floor_add)} to "
            f"{n(alt8 - floor_add)} per pair; depth 1 from {n(a1)} to "
            f"{n(alt1)} added; each further frame from "
            f"{n((al8_add - a1) / 7)} to {n((alt8 - alt1) / 7)}.")
    if floor_add is not None and al8_add is not None and \
            al8_add > T_ADDED_MAX:
        best = min(v for v in (al8_add, alt8) if v is not None)
        out.append(
            "- **Why the per-pair targets are missed.** The 1,500 limit (and "
            "1/5 of the bpftrace script, the same figure here) assumed a "
            f"floor of ~550; the floor measured here is {n(floor_add)}, and "
            f"the best anonleak measured adds {n(best)}: "
            f"{n(best - floor_add)} of its own work above the floor. Even "
            "with no return probe armed (floor-entry, "
            f"{n(fe)}) the limit would leave {n(T_ADDED_MAX - (fe or 0))} for "
            "that work: meeting it takes a different mechanism (fewer "
            "probe hits per pair, with different guarantees on failed "
            "calls) as well as a leaner handler; see bench/README.md.")
    if bt_add is not None and al8_add is not None:
        out.append(
            f"- The bpftrace script adds {n(bt_add)} per pair "
            "(syscall tracepoints, a ustack per mapping); anonleak at depth "
            f"8 adds {rx(ratio(al8_add, bt_add))} of that.")
    out.append(
        "- icount counts instructions, not cycles: cache misses in anonleak's "
        "tree walks at 1,000,000 records cost nothing here, so the scale "
        "figures show the work done (no linear scans), not the memory "
        "latency a real machine would add.")
    return out


def check(res):
    """A smoke run is good if every stage produced a number: [(name, ok)]."""
    out = []
    need = [("micro", "pair", c) for c in ("none", "floor", "anonleak-d8")]
    need += [("malloc", "op", c) for c in ("none", "floor", "anonleak-d8")]
    need += [("scale", "pair", "anonleak-d8"), ("scale", "pair", "none"),
             ("scale", "build", "anonleak-d8"),
             ("dump", "mappings_raw", "anonleak-d8"),
             ("dump", "mappings_cli_json", "anonleak-d8"),
             ("sites", "create", "anonleak-d32"),
             ("dump", "sites_raw", "anonleak-d32"),
             ("dump", "sites_cli_json", "anonleak-d32"),
             ("procs", "spawn", "anonleak-d8"), ("procs", "pair", "anonleak-d8"),
             ("procs", "exit", "anonleak-d8"), ("procs", "spawn", "none")]
    for stage, metric, config in need:
        r = res.all(stage, metric, config)
        out.append((f"{stage}/{metric}/{config}",
                    bool(r) and all(isinstance(x.get("value"), (int, float))
                                    and x["value"] > 0 for x in r)))
    need = [("micro", "pair", c) for c in NOFP_ORDER[:3]]
    need += [("real", "malloc", c) for c in REAL_ORDER[:2]]
    need += [("dump", "sites_cli_text_numeric", "anonleak-d32")]
    for stage, metric, config in need:
        r = res.all(stage, metric, config)
        out.append((f"{stage}/{metric}/{config}",
                    bool(r) and all(isinstance(x.get("value"), (int, float))
                                    and x["value"] > 0 for x in r)))
    out.append(("memory/table", bool(table_memory(res))))
    for stage, metric in (("scale", "slab"), ("sites", "slab"),
                          ("procs", "slab_live")):
        out.append((f"{stage}/{metric}", bool(res.all(stage, metric))))
    out.append(("scale/cache/al_range", bool(res.all("scale", "cache"))))
    out.append(("work/stats/anonleak-d8",
                stats_of(res, "work", "anonleak-d8") is not None))
    out.append(("profile/anonleak-d8",
                bool(res.all("profile", "function", "anonleak-d8"))))
    for e in res.errors():
        out.append((f"error: {e.get('stage')}/{e.get('config')}: "
                    f"{e['error']}", False))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsonl")
    ap.add_argument("--stage-from", action="append", default=[],
                    metavar="STAGE=FILE",
                    help="take STAGE's results from FILE (another boot): "
                    "its metrics replace JSONL's")
    ap.add_argument("--out")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--wall", type=float)
    ap.add_argument("--host-date")
    ap.add_argument("--source")
    args = ap.parse_args()
    rows = load(args.jsonl)
    args.stage_sources = []
    for spec in args.stage_from:
        stage, _, path = spec.partition("=")
        new = [r for r in load(path) if r.get("stage") == stage]
        # what FILE measured replaces JSONL's rows of the same metric
        metrics = {r.get("metric") for r in new}
        rows = [r for r in rows if r.get("stage") != stage or
                r.get("metric") not in metrics] + new
        args.stage_sources.append((stage, path))
    res = Results(rows)
    if args.check:
        # TAP-ish, counted by scripts/tap-summary.sh in "make check".
        results = check(res)
        for i, (name, ok) in enumerate(results, 1):
            print(f"{'ok' if ok else 'not ok'} {i} bench-smoke {name}")
        bad = sum(1 for _, ok in results if not ok)
        print(f"# Totals: pass:{len(results) - bad} fail:{bad} xfail:0 "
              "xpass:0 skip:0 error:0")
        return 1 if bad else 0
    args.source = args.source or args.jsonl
    text = report(res, args)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
