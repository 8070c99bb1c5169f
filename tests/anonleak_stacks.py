#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Stacks through code without frame pointers, in the guest: the programs of
tests/unwind/ (built -O2 -fomit-frame-pointer) leak from distinct call
paths; under `anonleak run --json` (which loads the unwind tables) and with
`anonleak agent --once` then `report --json`, each path is its own site with
exact counts and bytes, its stack reaching its own function and main; a
JIT-like anonymous executable region is flagged anon-exec; Debian's
python3.11 gives frames beyond libc, named through MiniDebugInfo. Prints TAP
and a kselftest "# Totals:" line.
"""
import json
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.realpath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(1, os.path.join(here, "lib"))
import al_tap                                       # noqa: E402

repo = al_tap.repo_root(here)
cli = os.path.join(repo, "userspace/anonleak")
progs = os.path.join(repo, "build/unwind")
PAGE = os.sysconf("SC_PAGE_SIZE")
COUNT = 3
suite = al_tap.Suite()
test = suite.test

# paths.c: pages per mapping -> (function that must be on the stack,
# function that must not be, whether main is reached, how many mappings)
PATHS = {
    33: ("deep_c", None, True, COUNT),
    34: ("shallow", None, True, COUNT),
    35: ("tail_callee", "tail_caller", True, COUNT),
    36: ("inliner", None, True, COUNT),
    37: ("thread_fn", "main", False, COUNT),
    38: ("on_signal", None, True, COUNT),
    39: ("caller_x", "caller_y", True, COUNT),
    40: ("caller_y", "caller_x", True, COUNT),
    41: ("plugin_alloc", None, True, COUNT),
    42: (None, None, False, COUNT),       # JIT code: anon-exec
}
# functions that must be there too, by size
ALSO = {33: ["deep_b", "deep_a"], 38: ["signal_path"],
        39: ["hook_mmap", "hook_layer2", "hook_layer3"],
        40: ["hook_mmap", "hook_layer2", "hook_layer3"],
        41: ["plugin_inner"]}


def run(*args, **kw):
    return subprocess.run([cli, *args], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 300), **kw)


def sites_of(data, pid=None):
    return [s for p in data["processes"] if pid is None or p["pid"] == pid
            for s in p["sites"]]


def symbols(site):
    """The frames' names, C++ ones as their plain function name
    (_Z9vec_alphav: vec_alpha) so that they match like C's."""
    out = []
    for f in site.get("frames", []):
        name = f.get("symbol", "")
        if name.startswith("_Z") and name[2:3].isdigit():
            digits = len(name) - len(name[2:].lstrip("0123456789")) - 2
            n = int(name[2:2 + digits])
            name = name[2 + digits:2 + digits + n]
        out.append(name)
    return out


def raw_symbols(site):
    return [f.get("symbol", "") for f in site.get("frames", [])]


def by_size(sites):
    """pages per mapping -> the sites whose mappings all have that size."""
    out = {}
    for s in sites:
        if s["live_count"] and s["live_bytes"] % s["live_count"] == 0:
            out.setdefault(s["live_bytes"] // s["live_count"] // PAGE,
                           []).append(s)
    return out


def check_paths(sites):
    sizes = by_size(sites)
    for pages, (fn, absent, to_main, n) in sorted(PATHS.items()):
        got = [s for s in sizes.get(pages, []) if fn in symbols(s) or
               (fn is None and "anon-exec" in s.get("flags", []))]
        assert len(got) == 1, (pages, fn, [(symbols(s), s.get("flags"))
                                           for s in sizes.get(pages, [])])
        s = got[0]
        syms = symbols(s)
        assert s["live_count"] == n, (fn, s["live_count"], n)
        assert s["live_bytes"] == n * pages * PAGE, (fn, s["live_bytes"])
        assert not to_main or "main" in syms, (fn, syms)
        assert absent is None or absent not in syms, (fn, syms)
        for other in ALSO.get(pages, []):
            assert other in syms, (fn, other, syms)
        flags = s.get("flags", [])
        assert (pages == 42) == ("anon-exec" in flags), (fn, flags)
        assert "partial" not in flags or pages == 42, (fn, flags)
    print("# %d paths, %d mappings each, all distinct and exact"
          % (len(PATHS), COUNT))


@test
def run_json_distinct_paths():
    t = time.time()
    r = run("run", "--json", "--", os.path.join(progs, "paths"), str(COUNT),
            env=dict(os.environ, PATHS_DLOPEN_WAIT="3"))
    assert r.returncode == 0, (r.returncode, r.stderr)
    try:
        check_paths(sites_of(json.loads(r.stdout)))
    except AssertionError:
        print("# run's stderr: %s" % r.stderr.strip().replace("\n", "\n# "))
        raise
    print("# run: %.1f s" % (time.time() - t))


@test
def run_json_cxx_vectors():
    r = run("run", "--json", "--", os.path.join(progs, "vectors"), str(COUNT))
    assert r.returncode == 0, (r.returncode, r.stderr)
    sizes = by_size(sites_of(json.loads(r.stdout)))
    for pages, fn, n in ((43, "vec_alpha", COUNT), (44, "vec_beta", 2 * COUNT)):
        got = [s for s in sizes.get(pages, []) if fn in symbols(s)]
        assert len(got) == 1, (fn, [symbols(s) for s in sizes.get(pages, [])])
        syms = symbols(got[0])
        assert got[0]["live_count"] == n, (fn, got[0])
        assert "main" in syms, syms
        assert "_Znwm" in raw_symbols(got[0]), raw_symbols(got[0])


@test
def agent_then_report_live_and_exited():
    p = subprocess.Popen([os.path.join(progs, "paths"), str(COUNT), "wait"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, PATHS_DLOPEN_WAIT="0"))
    try:
        r = run("agent", "--once")
        assert r.returncode == 0, r.stderr
        # plugin.so is loaded after the agent's pass: a second pass loads it
        p.stdin.write("go\n")
        p.stdin.flush()
        deadline = time.time() + 600
        ready = p.stdout.readline().strip()
        assert ready == "ready", ready
        assert time.time() < deadline
        r = run("report", "--pid", str(p.pid), "--json")
        assert r.returncode == 0, r.stderr
        live = sites_of(json.loads(r.stdout), p.pid)
        check_paths_loose(live)
    finally:
        p.kill()
        p.wait()
    r = run("report", "--pid", str(p.pid), "--json")
    assert r.returncode == 0, r.stderr
    check_paths_loose(sites_of(json.loads(r.stdout), p.pid))


def check_paths_loose(sites):
    """As check_paths, but plugin.so's table came after its first calls
    may have been walked (dlopen after the agent's pass): its site needs
    plugin_alloc only."""
    sizes = by_size(sites)
    for pages, (fn, absent, to_main, n) in sorted(PATHS.items()):
        got = [s for s in sizes.get(pages, []) if fn in symbols(s) or
               (fn is None and "anon-exec" in s.get("flags", []))]
        assert len(got) >= 1, (pages, fn, [symbols(s) for s in
                                           sizes.get(pages, [])])
        assert sum(s["live_count"] for s in got) == n, (fn, got)
        if pages == 41:
            continue
        assert len(got) == 1, (fn, [symbols(s) for s in got])
        syms = symbols(got[0])
        assert not to_main or "main" in syms, (fn, syms)
        assert absent is None or absent not in syms, (fn, syms)


@test
def python_frames_beyond_libc():
    """Debian's python3.11 has no .gnu_debugdata (only a .gnu_debuglink to
    python3.11-dbg): its local functions have no names without that
    package, its exported ones come from .dynsym. What counts here is that
    the walk goes on from libc through python3.11's own code."""
    py = "/usr/bin/python3.11"
    assert os.path.exists(py), "%s not installed (scripts/deps.sh)" % py
    # os._exit: no finalization that would free them
    code = ("import os\nk = [bytearray(%d) for _ in range(%d)]\nos._exit(0)"
            % (45 * PAGE, COUNT))
    # a fixed threshold: glibc's dynamic one rises when python frees
    # mapped blocks at start, and large blocks would come from the heap
    env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.mmap_threshold=131072")
    r = run("run", "--json", "--", py, "-c", code, env=env)
    assert r.returncode == 0, (r.returncode, r.stderr)
    # bytearray(n) mallocs n + 1 bytes: mappings of 46 pages
    sizes = by_size(sites_of(json.loads(r.stdout)))
    got = sizes.get(46, [])
    assert sum(s["live_count"] for s in got) == COUNT, sorted(
        (k, sum(s["live_count"] for s in v)) for k, v in sizes.items())
    for s in got:
        objs = [os.path.basename(f.get("object", "")) for f in s["frames"]]
        inpy = [f for f in s["frames"]
                if os.path.basename(f.get("object", "")) == "python3.11"]
        assert objs and objs[0].startswith("libc"), objs
        assert len(inpy) >= 5, objs
        # names from a real symbol table (python3.11 exports its API)
        named = [f["symbol"] for f in inpy if f.get("symbol") and
                 f.get("symbol_source") in ("symtab", "dynsym", "debuginfo",
                                            "debuginfod", "minidebuginfo")]
        assert named, inpy
        # every name says where it came from (stripped static functions:
        # the nearest dynamic symbol, "nearest-dynsym")
        for f in inpy:
            assert not f.get("symbol") or f.get("symbol_source"), f
        assert "partial" not in s.get("flags", []), s.get("flags")
    print("# python3.11: %d frames in python3.11, named: %s"
          % (len(inpy), ", ".join(named[:5])))


@test
def ucx_frames_into_libucs_and_libuct():
    """UCX (-O2, no frame pointers) maps memory through its own layers:
    some site's stack goes through libucs, some through libuct, each
    walked to its outermost frame (complete) without a partial step."""
    perf = "/usr/bin/ucx_perftest"
    assert os.path.exists(perf), "%s not installed (scripts/deps.sh)" % perf
    r = run("run", "--json", "--", perf, "-l", "-t", "tag_lat", "-n", "10")
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    # its own output shares run's standard output: the JSON comes last
    at = r.stdout.rfind('{"command"')
    assert at >= 0, r.stdout[-2000:]
    found = {}
    for s in sites_of(json.loads(r.stdout[at:])):
        objs = [os.path.basename(f.get("object", "")) for f in s["frames"]]
        for lib in ("libucs", "libuct"):
            if any(o.startswith(lib + ".so") for o in objs) and \
                    "complete" in s.get("flags", []) and \
                    "partial" not in s.get("flags", []):
                found.setdefault(lib, objs)
    assert set(found) == {"libucs", "libuct"}, (found, [
        ([os.path.basename(f.get("object", "")) for f in x["frames"]],
         x.get("flags")) for x in sites_of(json.loads(r.stdout[at:]))][:20])
    print("# ucx: sites through %s" % ", ".join(sorted(found)))


def main():
    r = run("config", "stack_depth=32")
    if r.returncode:
        print("# anonleak config stack_depth=32: %s" % r.stderr.strip())
    return suite.run()


if __name__ == "__main__":
    sys.exit(main())
