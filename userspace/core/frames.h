/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classifying a site's frames by the object they lie in: the C runtime
 * (libc, libpthread, the dynamic loader) or the program.
 */
#ifndef ANONLEAK_CORE_FRAMES_H
#define ANONLEAK_CORE_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/sites.h"

/* The dynamic loader (ld-linux*, ld-2.*, ld-musl-*, ld.so*), by file name. */
bool object_is_loader(const char *path);

/* libc, libpthread or the dynamic loader, by the file name of path. */
bool object_is_libc(const char *path);

/*
 * The frame that says who made a site's mappings: the first whose object
 * is not libc (object_is_libc), else frame 1, else frame 0; NULL if the
 * site has no frames. *index gets its position.
 */
const struct frame_info *site_top_frame(const struct site_info *s, size_t *index);

/*
 * A site of the dynamic loader's own: every frame with an object is in the
 * loader, and there is one. Every dynamically linked process has such
 * sites (library .bss, the loader's early malloc) outstanding at exit.
 */
bool site_is_loader(const struct site_info *s);

/*
 * How the site's stack was taken, from its flags: "unwind_tables" (every
 * frame from unwind tables), "mixed" (tables where loaded, frame pointers
 * or a stop elsewhere: the site may merge distinct callers),
 * "frame_pointers" (no table was used), "unknown" (a module without flags).
 */
const char *site_stack_source(const struct site_info *s);

#endif
