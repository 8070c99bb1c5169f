/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The anonleak selftest library, for a test program in one include (after
 * kselftest_harness.h): the netlink client and its readers, the module's
 * loading and parameters, call sites, /proc/PID/maps, and the environment.
 * It holds no assertions: the programs make those.
 */
#ifndef AL_TEST_H
#define AL_TEST_H

#include "al_config.h"
#include "al_ko.h"
#include "al_mappings.h"
#include "al_nl.h"
#include "al_pieces.h"
#include "al_procs.h"
#include "al_site.h"
#include "al_sites.h"
#include "al_stats.h"
#include "al_unwind.h"
#include "al_util.h"
#include "al_vmas.h"

/* A kselftest message, flushed: children leave with _exit(). */
#define al_say(...) do { ksft_print_msg(__VA_ARGS__); fflush(stdout); } while (0)

#endif /* AL_TEST_H */
