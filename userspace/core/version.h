/* SPDX-License-Identifier: GPL-2.0 */
/* The tool's version: --version, metrics' build info, profile comments. */
#ifndef ANONLEAK_CORE_VERSION_H
#define ANONLEAK_CORE_VERSION_H

/* From the top-level VERSION file, by userspace/Makefile. */
#ifndef ANONLEAK_VERSION
#error "ANONLEAK_VERSION is not defined: build with userspace/Makefile"
#endif

#endif
