#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The fleet outputs of tests/anonleak_fleet.py read back by their real
consumers, on the host (see check-consumers.sh): go tool pprof (-raw, -top,
-diff_base) gives exactly the JSON report's figures per sample, function and
process; promtool lints the metrics textfiles; node_exporter's textfile
collector serves the file's series with the same values and no scrape error;
headless Chromium, driven over the W3C WebDriver protocol, renders the flame
graph without console errors, shows the largest site's function, zooms on a
click and highlights a search. Prints TAP and a kselftest "# Totals:" line.

    check_consumers.py DIR      (the artifacts directory)
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

here = os.path.dirname(os.path.realpath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(1, os.path.join(here, "..", "lib"))
import al_tap                                       # noqa: E402

ART = sys.argv[1] if len(sys.argv) > 1 else None
suite = al_tap.Suite()
test = suite.test
VALUES = ("total_maps", "mapped_bytes", "live_count", "live_bytes")
PPROF_TYPES = ("alloc_objects", "alloc_space", "inuse_objects", "inuse_space")
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def art(name):
    return os.path.join(ART, name)


def load(name):
    with open(art(name)) as f:
        return json.load(f)


def manifest():
    return load("manifest.json")


def fleet_pids():
    return set(manifest()["pids"].values())


def pprof(*args):
    r = subprocess.run(["go", "tool", "pprof", "-symbolize=none", *args],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PPROF_TMPDIR="/tmp"))
    assert r.returncode == 0, (args, r.stderr[-2000:])
    return r.stdout


def parse_raw(text):
    """go tool pprof -raw: ([(values, [location ids], {label: value})],
    {location id: [function names]}, [sample type names])."""
    samples, locs, types = [], {}, []
    section = None
    for line in text.splitlines():
        if line in ("Samples:", "Locations", "Mappings"):
            section = line
            continue
        if section == "Samples:":
            if not types and "/" in line:
                types = [t.split("/")[0] for t in line.split()]
                continue
            m = re.match(r'^\s*(-?\d+(?:\s+-?\d+)*):((?:\s+\d+)*)\s*$', line)
            if m:
                samples.append(([int(v) for v in m.group(1).split()],
                                [int(x) for x in m.group(2).split()], {}))
                continue
            labels = re.findall(r'(\w+):\[([^\]]*)\]', line)
            if labels and samples:
                samples[-1][2].update(labels)
                continue
            assert not line.strip(), ("unparsed sample line", line)
        elif section == "Locations":
            m = re.match(r'^\s*(\d+): 0x[0-9a-f]+ M=\d+(?: (.*))?$', line)
            if m:
                cur = int(m.group(1))
                locs[cur] = []
                if m.group(2):
                    locs[cur].append(m.group(2).split()[0])
                continue
            m = re.match(r'^\s+(\S+) .*$', line)   # more lines: inlined functions
            if m and locs:
                locs[cur].append(m.group(1))
    return samples, locs, types


def numeric_label(v):
    return int(re.match(r'^(-?\d+)', v).group(1))


def json_key(site):
    """A JSON site's stack as pprof names it: innermost first, one name per
    frame (its function, else nothing: pprof has no line for it)."""
    return tuple(f.get("symbol", "") for f in site["frames"])


def json_samples(data, pids):
    """{(pid, stack): [values]} summed over the sites of @pids."""
    out = {}
    for p in data["processes"]:
        if p["pid"] not in pids:
            continue
        for s in p["sites"]:
            k = (p["pid"], json_key(s))
            v = out.setdefault(k, [0] * len(VALUES))
            for i, name in enumerate(VALUES):
                v[i] += s[name]
    return out


def pprof_samples(text, pids):
    samples, locs, types = parse_raw(text)
    assert types[:4] == list(PPROF_TYPES), types
    out = {}
    for values, ids, labels in samples:
        pid = numeric_label(labels["pid"])
        if pid not in pids:
            continue
        stack = tuple((locs[i] or [""])[-1] for i in ids)
        v = out.setdefault((pid, stack), [0] * len(VALUES))
        for i in range(len(VALUES)):
            v[i] += values[i]
    return out, samples


@test
def pprof_raw_matches_json_per_sample():
    pids = fleet_pids()
    want = json_samples(load("report.json"), pids)
    got, samples = pprof_samples(pprof("-raw", art("profile.pb.gz")), pids)
    assert len(got) == len(want) > 5, (len(got), len(want))
    for k, v in want.items():
        assert got.get(k) == v, (k, got.get(k), v)
    labels = {k for _, _, lab in samples for k in lab}
    assert {"pid", "comm"} <= labels, labels
    if manifest().get("cgroups"):
        cgs = {lab.get("cgroup") for _, _, lab in samples
               if numeric_label(lab["pid"]) in pids}
        assert {"/al-fleet-a", "/al-fleet-b"} <= cgs, cgs
    print("# pprof -raw: %d samples of the fleet, every one as in the JSON" % len(got))


def top_cum(*args):
    """go tool pprof -top -cum in bytes/counts: {function: (flat, cum)}."""
    out = {}
    for line in pprof("-top", "-cum", "-nodecount=100000", "-nodefraction=0",
                      "-edgefraction=0", *args).splitlines():
        m = re.match(r'^\s*(-?\d+)\S*\s+\S+%\s+\S+%\s+(-?\d+)\S*\s+\S+%\s+(\S+)', line)
        if m:
            out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


def json_by_function(data, comm, value, fns):
    """Per function: @value summed over the sites of @comm's processes with
    it on the stack (pprof's cum: once per sample)."""
    return {fn: sum(s[value] for p in data["processes"] if p["comm"] == comm
                    for s in p["sites"] if fn in json_key(s)) for fn in fns}


@test
def pprof_top_per_function_matches_json():
    data = load("report.json")
    fns = list(manifest()["claims"]["a"]["sites"])
    for index, value, unit in (("inuse_space", "live_bytes", "-unit=byte"),
                               ("inuse_objects", "live_count", "-unit=count"),
                               ("alloc_space", "mapped_bytes", "-unit=byte")):
        got = top_cum("-sample_index=" + index, unit, "-tagfocus=comm=^fleet-sites$",
                      art("profile.pb.gz"))
        want = json_by_function(data, "fleet-sites", value, fns)
        for fn in fns:
            assert got.get(fn, (0, 0))[1] == want[fn], (index, fn, got.get(fn), want[fn])
        assert want["fleet_cache_fill"] > 0
    print("# pprof -top: %s" % ", ".join("%s %d" % (fn, want[fn]) for fn in fns))


@test
def pprof_diff_base_is_the_difference():
    pids = fleet_pids()
    base, after = load("base.json"), load("report.json")
    raw = pprof("-raw", "-diff_base=" + art("base.pb.gz"), art("profile.pb.gz"))
    samples, _, _ = parse_raw(raw)
    got = {}
    for values, _, labels in samples:
        pid = numeric_label(labels["pid"])
        if pid in pids:
            v = got.setdefault(pid, [0] * len(VALUES))
            for i in range(len(VALUES)):
                v[i] += values[i]

    def totals(d, pid):
        return [sum(s[n] for p in d["processes"] if p["pid"] == pid for s in p["sites"])
                for n in VALUES]
    for pid in pids:
        want = [x - y for x, y in zip(totals(after, pid), totals(base, pid))]
        assert got.get(pid, [0] * 4) == want, (pid, got.get(pid), want)
    grew = sum(got[p][3] for p in got)
    assert grew == manifest()["grew_bytes"] > 0, (grew, manifest()["grew_bytes"])
    # per function, as -top shows it
    fns = list(manifest()["claims"]["a"]["sites"])
    top = top_cum("-sample_index=inuse_space", "-unit=byte", "-tagfocus=comm=^fleet-sites$",
                  "-diff_base=" + art("base.pb.gz"), art("profile.pb.gz"))
    wa = json_by_function(after, "fleet-sites", "live_bytes", fns)
    wb = json_by_function(base, "fleet-sites", "live_bytes", fns)
    for fn in fns:
        assert top.get(fn, (0, 0))[1] == wa[fn] - wb[fn], (fn, top.get(fn), wa[fn] - wb[fn])
    assert wa["fleet_growth_only"] - wb["fleet_growth_only"] > 0
    print("# pprof -diff_base: the fleet grew %d bytes, as the JSON reports differ" % grew)


def promtool(path):
    r = subprocess.run(["promtool", "check", "metrics"], stdin=open(path),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (path, r.stdout, r.stderr)


@test
def promtool_check_metrics():
    promtool(art("anonleak.prom"))
    promtool(art(manifest()["many"]["file"]))


def parse_prom(text):
    """{(name, frozenset(labels)): value} of a Prometheus text exposition."""
    series = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        assert m, line
        labels = frozenset(label_re.findall(m.group(2) or ""))
        series[(m.group(1), labels)] = float(m.group(3))
    return series


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_http(url, proc, what):
    for _ in range(200):
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError, OSError):
            assert proc.poll() is None, "%s exited %s" % (what, proc.returncode)
            time.sleep(0.05)
    raise AssertionError("%s did not answer at %s" % (what, url))


@test
def node_exporter_serves_the_textfile():
    port = free_port()
    ne = subprocess.Popen([NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port,
                           "--collector.disable-defaults", "--collector.textfile",
                           "--collector.textfile.directory=" + ART],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        scraped = parse_prom(wait_http("http://127.0.0.1:%d/metrics" % port, ne,
                                       "node_exporter"))
    finally:
        ne.terminate()
        _, err = ne.communicate(timeout=10)
    with open(art("anonleak.prom")) as f:
        want = parse_prom(f.read())
    assert len(want) > 20, len(want)
    for k, v in want.items():
        assert scraped.get(k) == v, (k, scraped.get(k), v)
    assert scraped.get(("node_textfile_scrape_error", frozenset())) == 0, err[-2000:]
    mtime = [dict(k[1]).get("file", "") for k in scraped
             if k[0] == "node_textfile_mtime_seconds"]
    assert [os.path.basename(f) for f in mtime] == ["anonleak.prom"], mtime
    a = [p for p in load("report.json")["processes"] if p["pid"] == manifest()["pids"]["a"]][0]
    got = scraped[("anonleak_live_bytes", frozenset({("comm", "fleet-sites")}))]
    assert got == a["live_bytes"], (got, a["live_bytes"])
    print("# node_exporter: %d series of the file served as written" % len(want))


class WebDriver:
    """Just enough of the W3C WebDriver protocol, over urllib."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([CHROMEDRIVER, "--port=%d" % self.port],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % self.port
        wait_http(self.base + "/status", self.proc, "chromedriver")
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,900", "--user-data-dir=/tmp/anonleak-chromium-%d" %
                os.getpid()]},
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError("%s %s: %s" % (method, path, e.read()[:2000]))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def element(self, css):
        v = self.s("POST", "/element", {"using": "css selector", "value": css})
        return list(v.values())[0]

    def close(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)


FRAMES_JS = """
var fg = document.getElementById('fg');
return {width: fg.clientWidth, frames: Array.prototype.map.call(
  document.querySelectorAll('#fg .fr'), function (d) {
    var r = d.getBoundingClientRect();
    return {name: d.getAttribute('data-name'), w: r.width, x: r.left,
            hit: d.classList.contains('hit')}; }),
  info: document.getElementById('info').textContent};
"""


def flame_name(f):
    """A frame's name on the flame graph (core/fleet.c frame_name())."""
    if f.get("symbol"):
        return f["symbol"]
    if f.get("object") and "offset" in f:
        return "%s+0x%x" % (os.path.basename(f["object"]), int(f["offset"], 16))
    return "0x%x" % int(f["addr"], 16)


def largest_site_function(data, comm=None):
    """The name the flame graph gives the largest site (of @comm's
    processes) where it is its own: its innermost frame outside libc and
    the loader (their mmap frames are shared by every site)."""
    site = max((s for p in data["processes"] if comm is None or p["comm"] == comm
                for s in p["sites"]), key=lambda s: s["live_bytes"])
    for f in site["frames"]:
        obj = os.path.basename(f.get("object", ""))
        if not obj.startswith(("libc.", "libc-", "ld-linux")):
            return flame_name(f), site
    return flame_name(site["frames"][0]), site


@test
def chromium_renders_zooms_and_searches():
    data = load("report.json")
    # of the fleet's processes: the outputs were made side by side, each
    # CLI process may see the others' own sites
    fleet = dict(data, processes=[p for p in data["processes"] if p["pid"] in fleet_pids()])
    top, _ = largest_site_function(fleet)
    fn, site = largest_site_function(data, "fleet-sites")
    assert fn.startswith("fleet_"), fn
    wd = WebDriver()
    try:
        wd.s("POST", "/url", {"url": "file://" + os.path.abspath(art("flame.html"))})
        logs = wd.s("POST", "/se/log", {"type": "browser"})
        bad = [e for e in logs if e.get("level") in ("SEVERE", "WARNING")]
        assert not bad, bad
        before = wd.js(FRAMES_JS)
        names = [f["name"] for f in before["frames"]]
        assert fn in names and top in names, (fn, top, names[:50])
        # the frame of the largest site's function: zoom into it
        w0 = max(f["w"] for f in before["frames"] if f["name"] == fn)
        assert w0 < 0.9 * before["width"], (w0, before["width"])
        el = wd.js("var name = arguments[0], m = Array.prototype.filter.call("
                   "document.querySelectorAll('#fg .fr'), function (d) {"
                   " return d.getAttribute('data-name') === name; });"
                   " m.sort(function (a, b) { return b.getBoundingClientRect().width -"
                   " a.getBoundingClientRect().width; }); return m[0];", fn)
        # hover: the tooltip gives the frame's bytes, the JSON's figure
        eid = list(el.values())[0]
        wd.s("POST", "/actions", {"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "x": 0, "y": 0,
                         "origin": el}]}]})
        tip = wd.js("var t = document.getElementById('tip');"
                    " return [t.style.display, t.textContent];")
        # fleet-sites reaches it by one path: its frame holds every such site
        assert names.count(fn) == 1, names.count(fn)
        want = sum(x["live_bytes"] for p in data["processes"] if p["comm"] == "fleet-sites"
                   for x in p["sites"] if fn in json_key(x))
        assert tip[0] == "block" and "(%d bytes," % want in tip[1], (tip, want)
        wd.s("POST", "/element/%s/click" % eid, {})
        after = wd.js(FRAMES_JS)
        w1 = max(f["w"] for f in after["frames"] if f["name"] == fn)
        assert w1 >= before["width"] - 2, (w1, before["width"])
        assert len(after["frames"]) < len(before["frames"]), (len(after["frames"]),
                                                              len(before["frames"]))
        # reset, then search: the matches and only they highlighted
        wd.s("POST", "/element/%s/click" % wd.element("#reset"), {})
        term = "fleet_session_open"
        wd.s("POST", "/element/%s/value" % wd.element("#search"), {"text": term})
        found = wd.js(FRAMES_JS)
        hits = [f for f in found["frames"] if f["hit"]]
        assert hits and all(term in f["name"] for f in hits), hits
        assert all(f["hit"] for f in found["frames"] if term in f["name"])
        assert "matched" in found["info"], found["info"]
        logs = wd.s("POST", "/se/log", {"type": "browser"})
        assert not [e for e in logs if e.get("level") == "SEVERE"], logs
        print("# chromium: %d frames, '%s' %.0f -> %.0f px wide on click, hover: %d bytes,"
              " %d hit(s) for '%s'" % (len(before["frames"]), fn, w0, w1, want, len(hits), term))
    finally:
        wd.close()


def main():
    global ART
    if not ART or not os.path.isfile(os.path.join(ART, "manifest.json")):
        print("# usage: check_consumers.py DIR (no manifest.json in %s: did the guest's"
              " anonleak_fleet run?)" % ART, file=sys.stderr)
        return suite.run()          # every check fails: nothing to read
    ART = os.path.abspath(ART)
    return suite.run()


if __name__ == "__main__":
    sys.exit(main())
