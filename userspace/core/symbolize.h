/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline symbolization with libdwfl: (object path, file offset) of a
 * frame to function+offset and, with debug info, file:line. Objects are
 * opened once and cached. A frame whose object cannot be read, or whose
 * build-id differs from the kernel's (the file was replaced), is left
 * unresolved.
 */
#ifndef ANONLEAK_CORE_SYMBOLIZE_H
#define ANONLEAK_CORE_SYMBOLIZE_H

#include <stdbool.h>

#include "core/model.h"

struct symbolizer;

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s);

/* A symbolize_fn (core/model.h); ctx is a struct symbolizer. */
void symbolize_frame(void *ctx, struct frame_info *f, bool return_address);

/* Every frame of r, with a symbolizer of its own (none if out of memory). */
void symbolize_report(struct report *r);

#endif
