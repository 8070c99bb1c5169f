/* SPDX-License-Identifier: GPL-2.0 */
/* Files written whole or not at all: outputs (-o), metrics, caches. */
#ifndef ANONLEAK_CORE_FILE_H
#define ANONLEAK_CORE_FILE_H

#include <stdio.h>

/*
 * Write path whole with write(f, ctx) (0 or -errno): into a temporary
 * file beside it (mode 0644), flushed and fsync()ed, then renamed over
 * path. On any failure the temporary file is removed and path left as it
 * was; returns 0 or -errno. A writer's -EIO for ferror(f) becomes the
 * errno of the write that failed (-ENOSPC, -EDQUOT), if there is one.
 */
int file_write_atomic(const char *path, int (*write)(FILE *f, const void *ctx),
		      const void *ctx);

#endif
