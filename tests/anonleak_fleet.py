#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The fleet outputs from real processes, in the guest: build/fleet/fleet-sites
(five call sites of known counts and sizes, some unmapped again; one copy
exits) and Debian's python3.11 (large bytearrays, as "fleet-py"), in two
cgroup v2 groups. Writes the JSON report, two pprof profiles (before and
after more growth), folded stacks, the HTML flame graph, a metrics textfile
and one with 10,000 sites into an artifacts directory on the results share
($ANONLEAK_FLEET_DIR, else $ANONLEAK_RESULTS/fleet) with manifest.json,
for tests/fleet/check-consumers.sh on the host (go tool pprof, promtool,
node_exporter, Chromium). Asserts here what is cheap: the report against
what the processes did, folded and HTML totals and the metrics file against
the JSON, the caps with 10,000 sites, errors without partial files.
Prints TAP and a kselftest "# Totals:" line.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.realpath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(1, os.path.join(here, "lib"))
import al_tap                                       # noqa: E402

repo = al_tap.repo_root(here)
cli = os.path.join(repo, "userspace/anonleak")
sites_prog = os.path.join(repo, "build/fleet/fleet-sites")
PY = "/usr/bin/python3.11"
PAGE = os.sysconf("SC_PAGE_SIZE")
FLEET_COMMS = ("fleet-sites", "fleet-py")
PY_KEEP, PY_FREE, PY_GROW, PY_PAGES = 5, 2, 3, 45
# 10,000 distinct stacks; fewer where the runner asks for fewer sites (the
# debug-kernel lane's ANONLEAK_MANY_SITES), always more than the cap
MANY = max(1000, min(10000, int(os.environ.get("ANONLEAK_MANY_SITES", "10000"))))
MANY_SERIES = 500
CGROOT = "/sys/fs/cgroup"
CGROUPS = ("/al-fleet-a", "/al-fleet-b")
suite = al_tap.Suite()
test = suite.test
state = {"procs": [], "skips": []}
manifest = {"kernel": os.uname().release, "page": PAGE, "comms": FLEET_COMMS}


def run(*args, **kw):
    return subprocess.run([cli, *args], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 300), **kw)


def artifacts_dir():
    d = os.environ.get("ANONLEAK_FLEET_DIR")
    if not d and os.environ.get("ANONLEAK_RESULTS"):
        d = os.path.join(os.environ["ANONLEAK_RESULTS"], "fleet")
    if not d:
        d = tempfile.mkdtemp(prefix="anonleak-fleet-")
    return d


ART = artifacts_dir()


def art(name):
    return os.path.join(ART, name)


def cgroup2_root():
    """/sys/fs/cgroup as cgroup2 (mounted here if nothing is), or None."""
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fstype = line.split()[:3]
            if mnt == CGROOT:
                return CGROOT if fstype == "cgroup2" else None
    r = subprocess.run(["mount", "-t", "cgroup2", "none", CGROOT],
                       capture_output=True, text=True)
    if r.returncode:
        print("# cannot mount cgroup2 on %s: %s" % (CGROOT, r.stderr.strip()))
        return None
    return CGROOT


def into_cgroup(path):
    """A preexec_fn: the child moves itself into cgroup @path first."""
    if not path:
        return None

    def move():
        with open(CGROOT + path + "/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))
    return move


def start(argv, cgroup=None):
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, preexec_fn=into_cgroup(cgroup),
                         env=dict(os.environ,
                                  GLIBC_TUNABLES="glibc.malloc.mmap_threshold=131072"))
    state["procs"].append(p)
    return p


def command(p, cmd):
    """Send @cmd, return the process's JSON answer line."""
    p.stdin.write(cmd + "\n")
    p.stdin.flush()
    line = p.stdout.readline()
    assert line, "%d: no answer to %r" % (p.pid, cmd)
    return json.loads(line)


PY_CODE = r"""
import json, os, sys
n = %d
keep = [bytearray(n) for _ in range(%d)]
for _ in range(%d):
    b = bytearray(n)
    del b
print(json.dumps({"pid": os.getpid()}), flush=True)
for line in sys.stdin:
    keep += [bytearray(n) for _ in range(%d)]
    print(json.dumps({"pid": os.getpid()}), flush=True)
""" % (PY_PAGES * PAGE, PY_KEEP, PY_FREE, PY_GROW)


def run_all(*cmds):
    """Run the CLI commands @cmds at once; each must succeed."""
    procs = [subprocess.Popen([cli, *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for c in cmds]
    for c, p in zip(cmds, procs):
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, (c, p.returncode, err)


def procs_of(data, pid):
    return [p for p in data["processes"] if p["pid"] == pid]


def symbols(site):
    return [f.get("symbol", "") for f in site["frames"]]


def by_function(proc, fn):
    """(live mappings, live bytes) over the sites with @fn on the stack."""
    got = [s for s in proc["sites"] if fn in symbols(s)]
    return (sum(s["live_count"] for s in got), sum(s["live_bytes"] for s in got))


def check_truth(data, claim, state_want):
    procs = procs_of(data, claim["pid"])
    assert len(procs) == 1, (claim["pid"], len(procs))
    proc = procs[0]
    assert proc["state"] == state_want, proc["state"]
    for fn, (count, nbytes) in claim["sites"].items():
        assert by_function(proc, fn) == (count, nbytes), (fn, by_function(proc, fn),
                                                          (count, nbytes))


def check_py(pid, n):
    """fleet-py holds @n live mappings of its bytearrays' size (one malloc
    site holds other blocks too: counted per mapping)."""
    r = run("mappings", "--pid", str(pid), "--json")
    assert r.returncode == 0, r.stderr
    want = (PY_PAGES + 1) * PAGE         # bytearray(n) mallocs n + 1 bytes
    got = [m for m in json.loads(r.stdout)["mappings"] if m["length"] == want]
    assert len(got) == n, (len(got), n)


@test
def artifacts_dir_is_writable():
    os.makedirs(ART, exist_ok=True)
    for f in os.listdir(ART):
        os.unlink(art(f))
    probe = art(".probe")
    with open(probe, "w") as f:
        f.write("x")
    os.unlink(probe)
    print("# artifacts in %s" % ART)


@test
def real_processes_as_they_did_it():
    assert os.path.exists(sites_prog), "%s missing (make tests)" % sites_prog
    assert os.path.exists(PY), "%s missing (scripts/deps.sh)" % PY
    cg = cgroup2_root()
    manifest["cgroups"] = bool(cg)
    if cg:
        for c in CGROUPS:
            os.makedirs(CGROOT + c, exist_ok=True)
    else:
        state["skips"].append("no cgroup2 in this guest")
    tmp = tempfile.mkdtemp(prefix="fleet-")
    py = os.path.join(tmp, "fleet-py")          # comm: the name exec'd
    os.symlink(PY, py)
    a = start([sites_prog], CGROUPS[0] if cg else None)
    b = start([py, "-c", PY_CODE], CGROUPS[1] if cg else None)
    c = start([sites_prog])
    state["a"] = command(a, "alloc")
    state["b"] = json.loads(b.stdout.readline())
    c_alloc = command(c, "alloc")
    state["c"] = command(c, "exit")
    assert state["c"] == c_alloc, (state["c"], c_alloc)
    c.wait(timeout=60)
    manifest["pids"] = {"a": a.pid, "b": b.pid, "c": c.pid}
    assert state["b"]["pid"] == b.pid
    # the module sees the exit a little later than wait() does (procs: no
    # symbolizing, cheap)
    for _ in range(100):
        r = run("procs", "--json")
        assert r.returncode == 0, r.stderr
        procs = {p["pid"]: p for p in json.loads(r.stdout)["processes"]}
        if procs.get(c.pid, {}).get("state") == "exited":
            break
        time.sleep(0.1)
    assert procs[c.pid]["state"] == "exited", procs.get(c.pid)
    assert procs[a.pid]["comm"] == "fleet-sites" and procs[b.pid]["comm"] == "fleet-py", \
        (procs[a.pid]["comm"], procs[b.pid]["comm"])
    check_py(b.pid, PY_KEEP)


def live_of(data, comm=None, pids=None):
    return sum(p["live_bytes"] for p in data["processes"]
               if (comm is None or p["comm"] == comm) and
               (pids is None or p["pid"] in pids))


def folded_totals(path):
    tot = {}
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            comm = stack.split(";")[0]
            tot[comm] = tot.get(comm, 0) + int(n)
    return tot


@test
def outputs_before_and_after_growth():
    assert "a" in state, "no processes"
    a, b = state["procs"][0], state["procs"][1]
    t0 = time.time()
    # the outputs of one state side by side (the guest has 2 CPUs): the
    # fleet's processes wait on their stdin meanwhile
    run_all(["report", "--json", "-o", art("base.json")],
            ["report", "--format=pprof", "-o", art("base.pb.gz")])
    with open(art("base.json")) as f:
        base = json.load(f)
    # the report against what the processes did
    check_truth(base, state["a"], "running")
    check_truth(base, state["c"], "exited")
    before = state["a"]
    state["a"] = command(a, "grow")
    b.stdin.write("grow\n")
    b.stdin.flush()
    assert json.loads(b.stdout.readline())["pid"] == b.pid
    run_all(["report", "--json", "-o", art("report.json")],
            ["report", "--format=pprof", "-o", art("profile.pb.gz")],
            ["report", "--format=folded", "-o", art("stacks.folded")],
            ["report", "--format=html", "-o", art("flame.html")],
            ["metrics", "--textfile", ART, "--once"])
    with open(art("report.json")) as f:
        after = json.load(f)
    check_truth(after, state["a"], "running")
    check_py(b.pid, PY_KEEP + PY_GROW)
    pids = set(manifest["pids"].values())
    grew = live_of(after, pids=pids) - live_of(base, pids=pids)
    # what fleet-sites says it added, and python's bytearray(n): n + 1 bytes
    want = sum(state["a"]["sites"][fn][1] - before["sites"][fn][1]
               for fn in before["sites"]) + PY_GROW * (PY_PAGES + 1) * PAGE
    assert grew == want, (grew, want)
    manifest["grew_bytes"] = grew
    manifest["claims"] = {"a": state["a"], "c": state["c"]}
    print("# outputs written in %.1f s; the fleet grew %d bytes" % (time.time() - t0, grew))


@test
def folded_totals_match_json():
    with open(art("report.json")) as f:
        data = json.load(f)
    tot = folded_totals(art("stacks.folded"))
    for comm in FLEET_COMMS:
        assert tot.get(comm, 0) == live_of(data, comm) > 0, (comm, tot.get(comm),
                                                            live_of(data, comm))
    # one folded stack per live site: the cache site's line
    want = state["a"]["sites"]["fleet_cache_fill"][1] + state["c"]["sites"]["fleet_cache_fill"][1]
    got = 0
    with open(art("stacks.folded")) as f:
        for line in f:
            if line.startswith("fleet-sites;") and ";fleet_cache_fill" in line:
                got += int(line.split()[-1])
    assert got == want, (got, want)


@test
def html_data_matches_json():
    with open(art("flame.html")) as f:
        html = f.read()
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    stacks = json.loads(m.group(1))
    with open(art("report.json")) as f:
        data = json.load(f)
    for comm in FLEET_COMMS:
        got = sum(s["b"] for s in stacks if s["f"][0] == comm)
        assert got == live_of(data, comm), (comm, got, live_of(data, comm))
    assert "fleet_cache_fill" in m.group(1)


def parse_prom(path):
    """{(name, frozenset(labels)): value}; asserts every line's shape."""
    series, typed = {}, set()
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# TYPE "):
                typed.add(line.split()[2])
                continue
            if line.startswith("#") or not line:
                continue
            m = line_re.match(line)
            assert m, line
            name, labels = m.group(1), ()
            if m.group(3):
                labels = tuple((k, v) for k, v, _ in label_re.findall(m.group(3)))
            assert name in typed, ("no TYPE before", line)
            key = (name, frozenset(labels))
            assert key not in series, ("duplicate series", line)
            series[key] = float(m.group(4))
    return series


def value(series, name, **labels):
    return series.get((name, frozenset(labels.items())))


@test
def metrics_file_matches_json():
    s = parse_prom(art("anonleak.prom"))
    with open(art("report.json")) as f:
        data = json.load(f)
    a_pid, b_pid = manifest["pids"]["a"], manifest["pids"]["b"]
    a = procs_of(data, a_pid)[0]
    b = procs_of(data, b_pid)[0]
    # running processes only: the exited copy of fleet-sites is not counted
    assert value(s, "anonleak_processes", comm="fleet-sites") == 1
    assert value(s, "anonleak_live_bytes", comm="fleet-sites") == a["live_bytes"]
    assert value(s, "anonleak_live_mappings", comm="fleet-sites") == a["live_count"]
    assert value(s, "anonleak_live_bytes", comm="fleet-py") == b["live_bytes"]
    sites = {}
    for k, v in s.items():
        lab = dict(k[1])
        if k[0] == "anonleak_site_live_bytes" and lab["comm"] == "fleet-sites":
            sites[lab["function"]] = sites.get(lab["function"], 0) + v
    assert sites.get("fleet_cache_fill") == state["a"]["sites"]["fleet_cache_fill"][1], sites
    live_sites = [x for x in a["sites"] if x["live_bytes"]]
    if len(live_sites) <= 10:            # --top 10 keeps them all
        assert sum(sites.values()) == a["live_bytes"], (sites, a["live_bytes"])
    assert not [k for k in s if "pid" in dict(k[1])]


@test
def caps_with_10000_sites():
    p = start([sites_prog])
    t0 = time.time()
    got = command(p, "many %d" % MANY)
    assert got["many"] == MANY
    many = art("many")
    os.makedirs(many, exist_ok=True)
    r = run("metrics", "--textfile", many, "--top", "100000", "--max-series",
            str(MANY_SERIES), "--once")
    assert r.returncode == 0, r.stderr
    t1 = time.time()
    s = parse_prom(os.path.join(many, "anonleak.prom"))
    site_series = [k for k in s if k[0] == "anonleak_site_live_bytes"]
    # 10,000 distinct stacks of one process: the cap, exactly (parse_prom
    # asserts that no series is there twice)
    assert len(site_series) == MANY_SERIES, len(site_series)
    dec = [k for k in site_series if dict(k[1])["function"] == "map_pages"]
    assert len(dec) >= MANY_SERIES - 50, len(dec)
    omitted = value(s, "anonleak_sites_omitted")
    assert omitted >= MANY - MANY_SERIES, omitted
    for name in {k[0] for k in s}:
        assert len([k for k in s if k[0] == name]) <= MANY_SERIES, name
    # the module had all of them
    r = run("procs", "--json")
    assert r.returncode == 0, r.stderr
    rec = [x for x in json.loads(r.stdout)["processes"] if x["pid"] == p.pid]
    assert rec and rec[0]["live_count"] >= MANY and rec[0]["sites"] >= MANY, rec
    p.stdin.close()
    p.wait(timeout=60)
    # forget its record: later reports need not symbolize 10,000 stacks
    for _ in range(100):
        r = run("clear", "--pid", str(p.pid))
        assert r.returncode == 0, r.stderr
        r = run("procs", "--json")
        if p.pid not in [x["pid"] for x in json.loads(r.stdout)["processes"]]:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the record of %d stays after clear" % p.pid)
    manifest["many"] = {"sites": MANY, "max_series": MANY_SERIES, "file": "many/anonleak.prom"}
    print("# %d sites: metrics in %.1f s, %d series kept, %d omitted"
          % (MANY, t1 - t0, len(site_series), omitted))


def leftovers(d):
    return sorted(os.listdir(d))


@test
def bad_options_and_unwritable_places():
    # reports of one process, not symbolized: they fail where every report would
    one = ["--pid", str(manifest["pids"]["a"]), "--numeric"]
    d = tempfile.mkdtemp(prefix="fleet-bad-")
    out = os.path.join(d, "x")
    ro = tempfile.mkdtemp(prefix="fleet-ro-")      # a read-only file system
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "fleetro", ro],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    try:
        for args, code, words in (
                (["report", "--format=bogus", "-o", out], 2, "--format: invalid"),
                (["report", "--json", "--format=html", "-o", out], 2,
                 "--json and --format=html exclude"),
                (["report", "--by", "planet", "-o", out], 2, "--by: invalid"),
                (["report", "--format=folded", "--by", "cgroup", "-o", out], 2, "--by"),
                (["metrics"], 2, "--textfile"),
                (["metrics", "--textfile", d, "--max-series", "0"], 2,
                 "--max-series: invalid"),
                (["metrics", "--textfile", d, "--top", "x"], 2, "--top: invalid count 'x'"),
                (["report", *one, "--format=pprof", "-o", os.path.join(d, "no/such/x")], 1,
                 ("no/such/x", "No such file")),
                (["report", *one, "--format=html", "-o", os.path.join(ro, "f.html")], 1,
                 ("f.html", "Read-only file system")),
                (["metrics", "--textfile", os.path.join(d, "missing")], 1, "missing"),
                (["metrics", "--textfile", ro], 1, "Read-only file system")):
            r = run(*args)
            assert r.returncode == code, (args, r.returncode, r.stderr)
            words = (words,) if isinstance(words, str) else words
            assert all(w in r.stderr for w in words) and not r.stdout, (args, r.stderr,
                                                                         r.stdout[:200])
            assert leftovers(d) == [] and leftovers(ro) == [], (args, leftovers(d),
                                                                  leftovers(ro))
    finally:
        subprocess.run(["umount", ro])
        os.rmdir(ro)
    with open(out, "w") as f:
        f.write("not a dir")
    r = run("metrics", "--textfile", out)
    assert r.returncode == 1 and "not a directory" in r.stderr, r.stderr
    os.unlink(out)
    # a full file system: the write fails part way, nothing partial stays
    full = os.path.join(d, "full")
    os.mkdir(full)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "fleetfull", full],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    try:
        with open(os.path.join(full, "anonleak.prom"), "w") as f:
            f.write("old\n")
        for args in (["report", *one, "--json", "-o", os.path.join(full, "r.json")],
                     ["report", *one, "--format=html", "-o", os.path.join(full, "f.html")],
                     ["metrics", "--textfile", full, "--once"]):
            r = run(*args)
            assert r.returncode == 1, (args, r.returncode, r.stderr)
            assert "No space left" in r.stderr, (args, r.stderr)
            assert leftovers(full) == ["anonleak.prom"], (args, leftovers(full))
        with open(os.path.join(full, "anonleak.prom")) as f:
            assert f.read() == "old\n"
    finally:
        subprocess.run(["umount", full])
    shutil.rmtree(d)


@test
def cgroup_labels_and_filter():
    if not manifest.get("cgroups"):
        raise al_tap.Skip("no cgroup2 in this guest")
    a_pid, b_pid = manifest["pids"]["a"], manifest["pids"]["b"]
    for cg, pid in zip(CGROUPS, (a_pid, b_pid)):
        r = run("report", "--cgroup", cg, "--json", "--numeric")
        assert r.returncode == 0, r.stderr
        pids = {p["pid"] for p in json.loads(r.stdout)["processes"]}
        assert pids == {pid}, (cg, pids, pid)
    r = run("report", "--by", "cgroup", "--json", "--numeric")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["by"] == "cgroup", data.get("by")
    groups = {g["cgroup"]: g for g in data["groups"]}
    for cg, pid in zip(CGROUPS, (a_pid, b_pid)):
        g = groups.get(cg)
        assert g and [p["pid"] for p in g["processes"]] == [pid], (cg, g and g["processes"])
        assert g["live_bytes"] == g["processes"][0]["live_bytes"] > 0, g["live_bytes"]
    assert sum(g["live_bytes"] for g in data["groups"]) == data["live_bytes"]
    text = run("report", "--by", "cgroup", "--numeric").stdout
    for cg in CGROUPS:
        assert "\ncgroup %s: 1 process, " % cg in "\n" + text, text[:2000]


def main():
    r = run("config", "stack_depth=32")
    assert r.returncode == 0, r.stderr
    t0 = time.time()
    try:
        return suite.run()
    finally:
        for p in state["procs"]:
            if p.poll() is None:
                p.kill()
                p.wait()
        for c in CGROUPS:                  # empty now: removable
            try:
                os.rmdir(CGROOT + c)
            except OSError:
                pass
        manifest["guest_seconds"] = round(time.time() - t0, 1)
        if os.path.isdir(ART):
            with open(art("manifest.json"), "w") as f:
                json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
