#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate a YNL netlink spec against the kernel's schema for its protocol.

   scripts/check-spec.py SPEC SCHEMA_DIR   (SCHEMA_DIR: Documentation/netlink)
"""
import sys, yaml, jsonschema
spec = yaml.safe_load(open(sys.argv[1]))
schema = yaml.safe_load(open(sys.argv[2] + '/' + spec['protocol'] + '.yaml'))
try:
    jsonschema.validate(spec, schema)
except jsonschema.exceptions.ValidationError as e:
    print("invalid:", e.message, "at", list(e.absolute_path))
    sys.exit(1)
print("valid against", spec['protocol'])
