/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report as one self-contained HTML page (inline script and style,
 * nothing fetched): an interactive flame graph of live bytes per stack,
 * rooted at the process's comm. Click a frame to zoom on it (its width
 * becomes the whole graph; "reset" or a click on the root zooms out), type
 * in the search box to highlight matching frames and see their share,
 * hover for bytes, live mappings and the oldest live mapping's age.
 */
#ifndef ANONLEAK_PRINT_FLAME_H
#define ANONLEAK_PRINT_FLAME_H

#include <stdio.h>

#include "core/model.h"

void report_print_flame(FILE *f, const struct report *r);

#endif
