#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The anonleak CLI against the live module, in the guest: the report names a
leaking function and its source line after the process exited; `run
--fail-on-leak` tells a leaking child from a clean one; `watch --once` finds
a steady leak's rate; errors have their own exit codes. Prints TAP and a
kselftest "# Totals:" line.
"""
import json
import os
import re
import subprocess
import sys
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
    for cmd in ("status", "report", "watch", "run", "mappings", "config",
                "clear", "procs"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and r.stdout, cmd


if __name__ == "__main__":
    sys.exit(suite.run())
