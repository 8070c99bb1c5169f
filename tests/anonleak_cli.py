#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The anonleak CLI against the live module, in the guest: the report names a
leaking function and its source line after the process exited; `run
--fail-on-leak` tells a leaking child from a clean one; `watch --once` finds
a steady leak's rate; resident bytes of a program that touched a known
number of its pages, in text, JSON, pprof and metrics, and --sort resident;
`run --format -o FILE`; unwritable outputs leave no file; errors have their
own exit codes. Prints TAP and a kselftest "# Totals:" line.
"""
import gzip
import json
import mmap
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.realpath(__file__))
# al_tap: beside this script in build/tests, in lib/ beside the source.
sys.dont_write_bytecode = True
sys.path.insert(1, os.path.join(here, "lib"))
import al_tap                                       # noqa: E402

repo = al_tap.repo_root(here)
cli = os.path.join(repo, "userspace/anonleak")
demo = os.path.join(repo, "build/demo")
suite = al_tap.Suite()
test = suite.test


def run(*args, **kw):
    return subprocess.run([cli, *args], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 120), **kw)


def frames_text(frame):
    """Everything a frame says, for matching."""
    return " ".join(str(v) for v in frame.values())


def leak_lines():
    """The lines of tests/demo/leaky.c's leaking syscall(SYS_mmap, ...)
    statement (it spans two; the return address may map to either)."""
    with open(os.path.join(repo, "tests/demo/leaky.c")) as f:
        for n, line in enumerate(f, 1):
            if "(void *)syscall(SYS_mmap" in line:
                return ["leaky.c:%d" % n, "leaky.c:%d" % (n + 1)]
    raise AssertionError("no syscall(SYS_mmap in leaky.c")


@test
def report_after_exit_names_function_and_line():
    p = subprocess.run([os.path.join(demo, "leaky"), "10"], capture_output=True)
    assert p.returncode == 0
    pid = None
    # leaky does not print its pid: find its exited record
    for _ in range(50):
        r = run("report", "--json")
        procs = [x for x in json.loads(r.stdout)["processes"]
                 if x["comm"] == "leaky" and x["state"] == "exited"]
        if procs:
            pid = procs[-1]["pid"]
            break
        time.sleep(0.1)
    assert pid, "no exited leaky record"
    r = run("report", "--pid", str(pid), "--json")
    assert r.returncode == 0, r.stderr
    proc = json.loads(r.stdout)["processes"][0]
    top = proc["sites"][0]
    assert top["live_count"] == 10, top
    assert top["live_bytes"] == 10 * 64 * 1024, top
    symbols = [f.get("symbol", "") for f in top["frames"]]
    assert "regcache_register" in symbols, symbols
    f = top["frames"][symbols.index("regcache_register")]
    where = "%s:%s" % (f.get("file", ""), f.get("line", ""))
    assert any(where.endswith(w) for w in leak_lines()), f
    text = run("report", "--pid", str(pid)).stdout
    assert "regcache_register" in text, text
    assert any(w in text for w in leak_lines()), text


@test
def run_fail_on_leak():
    leaky = os.path.join(demo, "leaky")
    r = run("run", "--fail-on-leak=512K", "--", leaky, "40")
    assert r.returncode == 7, (r.returncode, r.stderr)
    assert "regcache_register" in r.stderr, r.stderr
    # the same program without requests keeps far less than 512 KiB
    r = run("run", "--fail-on-leak=512K", "--", leaky, "0")
    assert r.returncode == 0, (r.returncode, r.stderr)
    # without the flag, the child's own status
    r = run("run", "--", "/bin/sh", "-c", "exit 3")
    assert r.returncode == 3, (r.returncode, r.stderr)


@test
def watch_once_finds_the_rate():
    g = subprocess.Popen([os.path.join(demo, "grow"), "64", "100", "60"],
                         stdout=subprocess.PIPE, text=True)
    try:
        rate = float(g.stdout.readline())
        assert g.stdout.readline().strip() == "ready"
        time.sleep(1.5)
        r = run("watch", "--pid", str(g.pid), "--interval", "1s", "--once", "6",
                "--json")
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        sites = [s for p in data["processes"] for s in p["sites"]]
        got = max(s.get("growth_bytes_per_min", 0) for s in sites)
        assert abs(got - rate) <= 0.2 * rate, (got, rate)
        print("# watch: %.0f B/min measured, %.0f B/min true" % (got, rate))
    finally:
        g.kill()
        g.wait()


@test
def mappings_and_procs_of_a_process():
    import mmap
    m = mmap.mmap(-1, 7 * mmap.PAGESIZE)
    r = run("mappings", "--pid", str(os.getpid()), "--json")
    assert r.returncode == 0, r.stderr
    assert str(7 * mmap.PAGESIZE) in r.stdout, r.stdout[:2000]
    r = run("procs", "--json")
    assert r.returncode == 0 and str(os.getpid()) in r.stdout, r.stdout[:2000]
    m.close()


@test
def config_and_clear():
    assert run("config", "stack_depth=4").returncode == 0
    r = run("config", "--json")
    assert r.returncode == 0 and re.search(r'"stack_depth":\s*4', r.stdout), r.stdout
    bad = run("config", "stack_depth=99")
    assert bad.returncode != 0 and bad.stderr.strip(), bad
    r = run("config", "--json")
    assert re.search(r'"stack_depth":\s*4', r.stdout), r.stdout
    assert run("config", "stack_depth=8").returncode == 0
    r = run("clear", "--pid", "999999")
    assert r.returncode == 5, (r.returncode, r.stderr)
    assert run("clear").returncode == 0


@test
def errors_have_their_exit_codes():
    assert run("report", "--pid", "abc").returncode == 2
    assert run("no-such-command").returncode == 2
    assert run("report", "--min-bytes", "1Q").returncode == 2
    assert run("report", "--pid", "999999").returncode == 5
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", cli, "status"],
                       capture_output=True, text=True)
    assert r.returncode == 4 and not r.stdout, (r.returncode, r.stdout)
    assert run("run", "--format=svg", "--", "/bin/true").returncode == 2
    assert run("run", "--json", "--format=pprof", "--", "/bin/true").returncode == 2
    for cmd in ("status", "report", "watch", "run", "mappings", "config",
                "clear", "procs", "metrics"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and r.stdout, cmd


# tests/demo/touched's two sites: (pages mapped, pages touched). A maps
# more, B has more resident: the orders by live and by resident differ.
PAGE = mmap.PAGESIZE
TOUCHED = {"map_a": (40, 5), "map_b": (12, 9)}


def touched_args():
    return [os.path.join(demo, "touched"),
            *(str(v) for fn in ("map_a", "map_b") for v in TOUCHED[fn])]


class Touched:
    """tests/demo/touched running, its ranges' site ids by function."""

    def __enter__(self):
        self.p = subprocess.Popen(touched_args(), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        starts = [int(self.p.stdout.readline(), 16) for _ in TOUCHED]
        assert self.p.stdout.readline().strip() == "ready"
        r = run("mappings", "--pid", str(self.p.pid), "--json")
        assert r.returncode == 0, r.stderr
        by_start = {int(m["start"], 16) if isinstance(m["start"], str)
                    else m["start"]: m for m in json.loads(r.stdout)["mappings"]}
        self.site = {}
        for fn, start in zip(("map_a", "map_b"), starts):
            assert start in by_start, (fn, hex(start), r.stdout[:2000])
            self.site[fn] = by_start[start]["site_id"]
            assert by_start[start]["length"] == TOUCHED[fn][0] * PAGE
        return self

    def __exit__(self, *exc):
        self.p.stdin.close()
        assert self.p.wait(timeout=60) == 0

    def report(self, *args):
        r = run("report", "--pid", str(self.p.pid), *args)
        assert r.returncode == 0, (args, r.returncode, r.stderr)
        return r


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def pb_fields(b):
    """(field number, value) of a protobuf message: ints and bytes."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        wt = key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            v, i = int.from_bytes(b[i:i + n], "little"), i + n
        else:
            raise AssertionError("wire type %d" % wt)
        yield key >> 3, v


def packed(v):
    if isinstance(v, int):
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def pprof_decode(path):
    """The profile: its sample types and its samples, each as a dict of
    values by type with "functions", the names of its frames."""
    with open(path, "rb") as f:
        raw = gzip.decompress(f.read())
    strs, types, samples, locs, funcs, default = [], [], [], {}, {}, None
    for num, v in pb_fields(raw):
        if num == 6:
            strs.append(v.decode())
        elif num == 1:
            types.append(dict(pb_fields(v)).get(1, 0))
        elif num == 2:
            s = {"locs": [], "values": []}
            for n2, v2 in pb_fields(v):
                if n2 == 1:
                    s["locs"] += packed(v2)
                elif n2 == 2:
                    s["values"] += packed(v2)
            samples.append(s)
        elif num == 4:
            d = list(pb_fields(v))
            lid = dict(d)[1]
            locs[lid] = [dict(pb_fields(lv)).get(1, 0) for n2, lv in d if n2 == 4]
        elif num == 5:
            d = dict(pb_fields(v))
            funcs[d[1]] = d.get(2, 0)
        elif num == 14:
            default = v
    names = [strs[t] for t in types]
    out = []
    for s in samples:
        assert len(s["values"]) == len(names), (s, names)
        d = dict(zip(names, s["values"]))
        d["functions"] = [strs[funcs[fid]] for lid in s["locs"]
                          for fid in locs[lid]]
        out.append(d)
    return names, strs[default], out


def sample_of(samples, fn):
    got = [s for s in samples if fn in s["functions"]]
    assert len(got) == 1, (fn, samples)
    return got[0]


def text_blocks(text):
    """The report text's site blocks by site id."""
    blocks = {}
    for b in text.split("\n\n"):
        m = re.match(r"anonleak site 0x([0-9a-f]+) ", b)
        if m:
            blocks[int(m.group(1), 16)] = b
    return blocks


@test
def resident_bytes_of_touched_pages():
    with Touched() as t:
        data = json.loads(t.report("--numeric", "--resident", "--json").stdout)
        assert len(data["processes"]) == 1, data
        proc = data["processes"][0]
        sites = {s["id"]: s for s in proc["sites"]}
        for fn, (n, k) in TOUCHED.items():
            s = sites[t.site[fn]]
            assert s["live_bytes"] == n * PAGE, (fn, s)
            assert s["resident_bytes"] == k * PAGE, (fn, s)
        assert proc["resident_bytes"] == sum(s["resident_bytes"]
                                             for s in proc["sites"]), proc
        assert data["resident_bytes"] == proc["resident_bytes"], data
        # text: the same figures in each site's block
        blocks = text_blocks(t.report("--numeric", "--resident").stdout)
        for fn, (n, k) in TOUCHED.items():
            b = blocks[t.site[fn]]
            assert re.search(r"\n  live +1 mapping, .*\(%d bytes\)\n" % (n * PAGE),
                             b), b
            assert re.search(r"\n  resident +.*\(%d bytes\)\n" % (k * PAGE), b), b
        # without --resident: no resident figures
        plain = t.report("--numeric", "--json").stdout
        assert "resident" not in plain, plain[:2000]
        # pprof: a fifth sample type, resident_space; inuse_space the default
        d = tempfile.mkdtemp()
        try:
            f = os.path.join(d, "p.pb.gz")
            t.report("--resident", "--format=pprof", "-o", f)
            names, default, samples = pprof_decode(f)
            assert names == ["alloc_objects", "alloc_space", "inuse_objects",
                             "inuse_space", "resident_space"], names
            assert default == "inuse_space", default
            for fn, (n, k) in TOUCHED.items():
                s = sample_of(samples, fn)
                assert s["inuse_space"] == n * PAGE, (fn, s)
                assert s["inuse_objects"] == 1, (fn, s)
                assert s["resident_space"] == k * PAGE, (fn, s)
            # metrics: per comm group and per site, resident beside live
            r = run("metrics", "--textfile", d, "--resident")
            assert r.returncode == 0, r.stderr
            with open(os.path.join(d, "anonleak.prom")) as mf:
                prom = mf.read()
            m = re.search(r'^anonleak_resident_bytes\{comm="touched"\} (\d+)$', prom,
                          re.M)
            assert m and int(m.group(1)) == proc["resident_bytes"], prom[:3000]
            for fn, (n, k) in TOUCHED.items():
                for metric, want in (("site_live_bytes", n), ("site_resident_bytes", k)):
                    m = re.search(r'^anonleak_%s\{comm="touched",site="[0-9a-f]{8}",'
                                  r'function="%s"\} (\d+)$' % (metric, fn), prom, re.M)
                    assert m and int(m.group(1)) == want * PAGE, (metric, fn, prom[:3000])
        finally:
            shutil.rmtree(d)
        pid = t.p.pid
    # exited: unknown, said so
    for _ in range(50):
        r = run("report", "--pid", str(pid), "--numeric", "--resident", "--json")
        proc = json.loads(r.stdout)["processes"][0]
        if proc["state"] == "exited":
            break
        time.sleep(0.1)
    assert proc["state"] == "exited", proc
    assert proc["resident_bytes"] is None, proc
    assert proc["resident_unknown"] == "process exited", proc
    assert all(s["resident_bytes"] is None for s in proc["sites"]), proc
    r = run("report", "--pid", str(pid), "--numeric", "--resident")
    assert "resident    unknown (process exited)" in r.stdout, r.stdout


@test
def sort_by_resident():
    with Touched() as t:
        a, b = t.site["map_a"], t.site["map_b"]

        def sites(*args):
            return json.loads(t.report("--numeric", "--json", *args).stdout
                              )["processes"][0]["sites"]

        ids = [s["id"] for s in sites()]
        assert ids.index(a) < ids.index(b), "by live: map_a's 40 pages first"
        by_res = sites("--sort", "resident")
        res = [s["resident_bytes"] for s in by_res]
        assert res == sorted(res, reverse=True), res
        ids = [s["id"] for s in by_res]
        assert ids.index(b) < ids.index(a), "by resident: map_b's 9 touched pages first"
        top = sites("--sort", "resident", "--top", "1")
        assert [s["id"] for s in top] == [by_res[0]["id"]], top
        bad = run("report", "--sort", "rss")
        assert bad.returncode == 2 and "sort key" in bad.stderr, bad


def run_json(stdout):
    """run --json's object: after the command's own output (touched's)."""
    return json.loads(stdout.rsplit("ready\n", 1)[-1])


def touched_sites(data):
    """(live_bytes, live_count) of the run's map_a and map_b sites, by function."""
    out = {}
    for p in data["processes"]:
        for s in p["sites"]:
            for fn in TOUCHED:
                if any(f.get("symbol") == fn for f in s["frames"]):
                    assert fn not in out, (fn, data)
                    out[fn] = (s["live_bytes"], s["live_count"])
    return out


@test
def run_format_writes_files():
    cmd = ["--", *touched_args()]
    r = run("run", "--json", *cmd, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    want = touched_sites(run_json(r.stdout))
    assert want == {fn: (n * PAGE, 1) for fn, (n, k) in TOUCHED.items()}, want
    d = tempfile.mkdtemp()
    try:
        f = os.path.join(d, "run.json")
        r = run("run", "--format=json", "-o", f, *cmd, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        assert r.stdout.endswith("ready\n") and "anonleak site" not in r.stderr, r
        with open(f) as jf:
            data = json.load(jf)
        assert touched_sites(data) == want, data
        assert data["exit_status"] == 0 and data["command"][1:] == cmd[2:], data
        f = os.path.join(d, "run.pb.gz")
        r = run("run", "--format=pprof", "-o", f, *cmd, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        _, default, samples = pprof_decode(f)
        assert default == "inuse_space"
        for fn, (live, count) in want.items():
            s = sample_of(samples, fn)
            assert (s["inuse_space"], s["inuse_objects"]) == (live, count), (fn, s)
        # --fail-on-leak still decides the exit code with -o
        r = run("run", "--format=folded", "-o", os.path.join(d, "run.folded"),
                "--fail-on-leak", *cmd, stdin=subprocess.DEVNULL)
        assert r.returncode == 7, (r.returncode, r.stderr)
        with open(os.path.join(d, "run.folded")) as ff:
            folded = ff.read()
        assert re.search(r"^touched;(.*;)?map_a(;.*)? %d$" % want["map_a"][0], folded,
                         re.M), folded
        assert sorted(os.listdir(d)) == ["run.folded", "run.json", "run.pb.gz"], \
            os.listdir(d)
    finally:
        shutil.rmtree(d)


@test
def unwritable_output_leaves_no_file():
    d = tempfile.mkdtemp()
    try:
        ro, small = os.path.join(d, "ro"), os.path.join(d, "small")
        os.mkdir(ro)
        os.mkdir(small)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "none", ro],
                       check=True)
        # one page: a temporary file fits, the flame graph does not
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "none", small],
                       check=True)
        try:
            marker = os.path.join(d, "ran")
            r = run("run", "--format=json", "-o", os.path.join(ro, "out.json"),
                    "--", "/bin/touch", marker)
            assert r.returncode == 1, (r.returncode, r.stderr)
            assert "out.json" in r.stderr and "Read-only file system" in r.stderr, r.stderr
            assert not os.path.exists(marker), "the command ran"
            r = run("report", "--format=pprof", "-o", os.path.join(ro, "p.pb.gz"))
            assert r.returncode == 1 and "p.pb.gz" in r.stderr, (r.returncode, r.stderr)
            r = run("run", "-o", os.path.join(d, "no", "such", "dir"), "--", "/bin/true")
            assert r.returncode == 1 and "No such file" in r.stderr, r.stderr
            assert os.listdir(ro) == [], os.listdir(ro)
            # a write that fails half way (ENOSPC) leaves nothing either
            r = run("report", "--format=html", "--all", "-o", os.path.join(small, "f.html"))
            assert r.returncode == 1 and "No space left" in r.stderr, (r.returncode, r.stderr)
            assert os.listdir(small) == [], os.listdir(small)
            r = run("run", "--format=html", "--all", "-o", os.path.join(small, "g.html"),
                    "--", *touched_args(), stdin=subprocess.DEVNULL)
            assert r.returncode == 1 and "No space left" in r.stderr, (r.returncode, r.stderr)
            assert os.listdir(small) == [], os.listdir(small)
        finally:
            subprocess.run(["umount", ro])
            subprocess.run(["umount", small])
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    sys.exit(suite.run())
