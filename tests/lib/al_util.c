// SPDX-License-Identifier: GPL-2.0
/* See al_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "al_util.h"

unsigned int al_scale(unsigned int n, unsigned int min)
{
	unsigned long pct = al_env_ul("ANONLEAK_TEST_SCALE", 100);

	if (!pct)
		pct = 100;
	n = (unsigned long long)n * pct / 100;
	return n < min ? min : n;
}

unsigned long al_env_ul(const char *name, unsigned long def)
{
	const char *e = getenv(name);

	return e && *e ? strtoul(e, NULL, 0) : def;
}

int al_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int al_put(const char *path, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	ssize_t len;
	int fd, ok;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = strlen(val);
	ok = write(fd, val, len) == len;
	close(fd);
	return ok ? 0 : -EIO;
}

long al_get(const char *path)
{
	char buf[64] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return strtol(buf, NULL, 0);
}

void *al_append(void *pv, unsigned int *n, unsigned int *cap, size_t size,
		unsigned int first)
{
	unsigned int want = *cap ? 2 * *cap : first;
	void *v, *p;

	memcpy(&v, pv, sizeof(v));	/* a T *, whatever T is */
	if (*n == *cap) {
		p = realloc(v, (size_t)want * size);
		if (!p) {
			free(v);
			*n = *cap = 0;
		} else {
			*cap = want;
		}
		v = p;
		memcpy(pv, &v, sizeof(v));
		if (!v)
			return NULL;
	}
	return memset((char *)v + (size_t)(*n)++ * size, 0, size);
}

double al_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
