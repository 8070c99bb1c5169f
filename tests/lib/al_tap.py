# SPDX-License-Identifier: GPL-2.0
"""
The selftest scripts' runner: a list of test functions, run in order, each
passing unless it raises (al_tap.Skip: skipped), reported as TAP with a kselftest "# Totals:" line
(what tests/run-guest.sh counts). Installed beside the scripts in
build/tests (not executable: the guest runner runs every executable there).
"""
import os
import time


def repo_root(here):
    """The repository of a script in @here (tests/ or build/tests/), or
    $ANONLEAK_REPO."""
    return os.environ.get("ANONLEAK_REPO",
                          os.path.realpath(os.path.join(here, "..", "..")))


class Skip(Exception):
    """Raised by a test that cannot run here: reported as a skip."""


class Suite:
    def __init__(self):
        self.tests = []

    def test(self, fn):
        """Decorator: @suite.test adds a test."""
        self.tests.append(fn)
        return fn

    def _totals(self, npass, nfail, nskip):
        print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" %
              (npass, nfail, nskip))

    def skip_all(self, why):
        """Report every test as skipped; the exit status (4, KSFT_SKIP)."""
        print("TAP version 13")
        print("1..%d" % len(self.tests))
        for i, fn in enumerate(self.tests, 1):
            print("ok %d %s # SKIP %s" % (i, fn.__name__, why))
        self._totals(0, 0, len(self.tests))
        return 4

    def run(self):
        """Run every test; the exit status (1 if one failed)."""
        print("TAP version 13")
        print("1..%d" % len(self.tests))
        npass = nfail = nskip = 0
        for i, fn in enumerate(self.tests, 1):
            t0 = time.monotonic()
            try:
                fn()
                print("# %s: %.1f s" % (fn.__name__, time.monotonic() - t0))
                print("ok %d %s" % (i, fn.__name__))
                npass += 1
            except Skip as e:
                print("ok %d %s # SKIP %s" % (i, fn.__name__, e))
                nskip += 1
            except Exception as e:                      # noqa: BLE001
                print(("# %s: %r" % (fn.__name__, e))[:4000])
                print("not ok %d %s" % (i, fn.__name__))
                nfail += 1
        self._totals(npass, nfail, nskip)
        return 1 if nfail else 0
