#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rows of the module's unwind tables per MiB of the text they cover.

  bench/tables.py CONFIG < `anonleak unwind list --json`

One JSON line per table: its rows and bytes (from the list) and the size
of its file's executable PT_LOAD segments (read from the file itself).
"""
import json
import struct
import sys

PT_LOAD, PF_X = 1, 1


def exec_bytes(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            raise ValueError("not a 64-bit ELF file")
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    total = 0
    for i in range(phnum):
        p_type, p_flags = struct.unpack_from("<II", ph, i * phentsize)
        memsz, = struct.unpack_from("<Q", ph, i * phentsize + 40)
        if p_type == PT_LOAD and p_flags & PF_X:
            total += memsz
    return total


def main():
    config = sys.argv[1]
    for t in json.load(sys.stdin).get("tables", []):
        row = {"stage": "memory", "config": config, "metric": "table",
               "path": t["path"], "rows": t["rows"], "bytes": t["bytes"]}
        try:
            row["exec_bytes"] = exec_bytes(t["path"])
        except (OSError, ValueError, struct.error) as e:
            row["error"] = "%s: %s" % (t["path"], e)
        print(json.dumps(row))


if __name__ == "__main__":
    main()
