/* SPDX-License-Identifier: GPL-2.0 */
/* For the unit tests: where an address of the test itself lies in its files. */
#ifndef ANONLEAK_TESTS_SELFMAPS_H
#define ANONLEAK_TESTS_SELFMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The file and file offset that hold addr in this process, as the kernel sees them. */
static inline bool locate(const void *addr, char *path, size_t len, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4200], p[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, pgoff;

		p[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095[^\n]", &start, &end, &pgoff, p) < 3)
			continue;
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end || p[0] != '/')
			continue;
		snprintf(path, len, "%s", p);
		*off = (uintptr_t)addr - start + pgoff;
		found = true;
	}
	fclose(f);
	return found;
}

#endif
