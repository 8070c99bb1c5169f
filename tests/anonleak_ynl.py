#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The YNL spec (Documentation/netlink/specs/anonleak.yaml) against the live
module, with the kernel's own YNL library (tools/net/ynl from Debian's
linux-source-6.12, directory in ANONLEAK_YNL): every operation the spec
lists works as the spec says, and errors come back with the extack the
policies promise. Prints TAP and a kselftest "# Totals:" line.
"""
import mmap
import os
import sys

here = os.path.dirname(os.path.realpath(__file__))
# al_tap: beside this script in build/tests, in lib/ beside the source.
sys.dont_write_bytecode = True
sys.path.insert(1, os.path.join(here, "lib"))
import al_tap                                       # noqa: E402

repo = al_tap.repo_root(here)
spec = os.path.join(repo, "Documentation/netlink/specs/anonleak.yaml")
# The root of an extracted linux-source-6.12 (tools/net/ynl, and
# Documentation/netlink for the schema); the top-level Makefile makes one.
src = os.environ.get("ANONLEAK_YNL", os.path.join(repo, "build/linux-src-6.12"))
ynl_dir = os.path.join(src, "tools/net/ynl")

suite = al_tap.Suite()
test = suite.test


@test
def stats():
    s = ynl.do("get-stats", {})["stats"]
    assert s["mapping-size"] == 64, s
    assert 1 <= s["stack-depth"] <= 32, s
    assert {"do_mmap", "exit_mmap"} <= set(s["probes"]["name"]), s


@test
def config_round_trip():
    before = ynl.do("get-config", {})["config"]
    ynl.do("set-config", {"config": {"stack-depth": 5, "filter-comm": "xyz"}})
    now = ynl.do("get-config", {})["config"]
    assert now["stack-depth"] == 5 and now["filter-comm"] == "xyz", now
    ynl.do("set-config", {"config": {"stack-depth": before["stack-depth"],
                                     "filter-comm": ""}})
    assert ynl.do("get-config", {})["config"] == before


@test
def config_out_of_range_names_the_attribute():
    try:
        ynl.do("set-config", {"config": {"stack-depth": 33}})
    except NlError as e:
        assert e.nl_msg.error == -34, e
        assert e.nl_msg.extack["bad-attr"] == ".config.stack-depth", e
        return
    raise AssertionError("stack-depth 33 was accepted")


@test
def sites_procs_mappings_of_this_process():
    pages = 5
    m = mmap.mmap(-1, pages * mmap.PAGESIZE)   # MAP_PRIVATE|MAP_ANONYMOUS
    pid = os.getpid()
    procs = ynl.dump("get-procs", {"pid": pid})
    assert len(procs) == 1 and procs[0]["proc-state"] == "running", procs
    assert procs[0]["proc"]["live-bytes"] >= pages * mmap.PAGESIZE, procs
    sites = ynl.dump("get-sites", {"pid": pid})
    assert sites and all(s["pid"] == pid for s in sites), sites
    assert all("frames" in s["site"] for s in sites), sites
    # indexed-array items decode as {index: attributes}
    ranges = [attrs for msg in ynl.dump("get-mappings", {"pid": pid})
              for item in msg.get("mappings", []) for attrs in item.values()]
    sizes = [r["length"] for r in ranges]
    assert pages * mmap.PAGESIZE in sizes, sizes
    ids = {s["site"]["id"] for s in sites}
    assert all(r["site-id"] in ids for r in ranges), (ranges, ids)
    m.close()


@test
def clear_unknown_pid_is_esrch():
    try:
        ynl.do("clear", {"pid": 0x3ffffff0})
    except NlError as e:
        assert e.nl_msg.error == -3, e
        return
    raise AssertionError("clear of an unknown pid succeeded")


def main():
    global ynl, NlError
    if not os.path.isdir(os.path.join(ynl_dir, "lib")):
        return suite.skip_all("no YNL library in %s" % src)
    sys.path.insert(0, ynl_dir)
    from lib import YnlFamily, NlError as err      # noqa: E402
    NlError = err
    schema = os.path.join(src, "Documentation/netlink/genetlink-c.yaml")
    ynl = YnlFamily(spec, schema if os.path.exists(schema) else None)
    return suite.run()


if __name__ == "__main__":
    sys.exit(main())
