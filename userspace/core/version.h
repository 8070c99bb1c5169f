/* SPDX-License-Identifier: GPL-2.0 */
/* The tool's version: --version, metrics' build info, profile comments. */
#ifndef ANONLEAK_CORE_VERSION_H
#define ANONLEAK_CORE_VERSION_H

#ifndef ANONLEAK_VERSION
#define ANONLEAK_VERSION "0.1"
#endif

#endif
