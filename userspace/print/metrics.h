/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/metrics.h's series in the Prometheus text exposition format, for
 * node_exporter's textfile collector: HELP and TYPE lines, base units,
 * counters ending in _total, no timestamps, escaped label values.
 */
#ifndef ANONLEAK_PRINT_METRICS_H
#define ANONLEAK_PRINT_METRICS_H

#include <stdio.h>

#include "core/metrics.h"
#include "proto/stats.h"

void metrics_print(FILE *f, const struct metrics *m, const struct module_stats *st);

#endif
