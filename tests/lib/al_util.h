/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small things every anonleak selftest needs: the environment's knobs,
 * shell commands, one-value files under /proc, /sys and debugfs, a clock.
 */
#ifndef AL_UTIL_H
#define AL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define AL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/*
 * @n scaled by ANONLEAK_TEST_SCALE (percent of the default iteration
 * counts; unset or 0 is 100), and at least @min.
 */
unsigned int al_scale(unsigned int n, unsigned int min);

/* The number in environment variable @name; @def if it is unset or empty. */
unsigned long al_env_ul(const char *name, unsigned long def);

/* Run a shell command; its exit status, 128 if it did not exit. */
int al_sh(const char *fmt, ...) AL_PRINTF(1, 2);

/* Write a value (no newline added) to the file @path: 0 or -errno. */
int al_put(const char *path, const char *fmt, ...) AL_PRINTF(2, 3);

/* The number file @path starts with, or -1. */
long al_get(const char *path);

/* CLOCK_MONOTONIC in seconds. */
double al_now_s(void);

/*
 * One more element at the end of a growing array: @pv points to the
 * array's pointer (a T **), *@n counts its elements of @size bytes and
 * *@cap its room, doubled as needed from @first. Returns the new element,
 * zeroed and counted; out of memory NULL, the array freed, both counts 0.
 */
void *al_append(void *pv, unsigned int *n, unsigned int *cap, size_t size,
		unsigned int first);

#endif /* AL_UTIL_H */
