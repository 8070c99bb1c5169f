// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

/* Flush, check, sync and close f: 0 or -errno (f is closed either way). */
static int close_synced(FILE *f)
{
	int ret = 0;

	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		ret = errno ? -errno : -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int file_write_atomic(const char *path, int (*write)(FILE *f, const void *ctx),
		      const void *ctx)
{
	char *tmp = NULL;
	FILE *f;
	int fd, ret;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	(void)fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
	} else {
		errno = 0;
		ret = write(f, ctx);
		/* a writer's -EIO for a stream error: the stream's reason (ENOSPC...) */
		if (ret == -EIO && ferror(f) && errno)
			ret = -errno;
		ret = ret ? (fclose(f), ret) : close_synced(f);
	}
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
