/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/PID/maps: the anonymous memory a process really has. */
#ifndef AL_VMAS_H
#define AL_VMAS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct al_vma {
	uint64_t start, end;
};

struct al_vmas {
	struct al_vma *v;		/* free() it */
	unsigned int n, cap;
};

/* Also the [heap] (brk) area; else pathless mappings only. */
#define AL_VMA_HEAP 1
/* Adjacent ones as one. */
#define AL_VMA_MERGE 2

/* The anonymous mappings of @pid (0: this process): 0 or -errno. */
int al_anon_vmas(pid_t pid, unsigned int flags, struct al_vmas *vs);

/* Is [@s, @e) inside one of @vs? */
bool al_vmas_cover(const struct al_vmas *vs, uint64_t s, uint64_t e);

#endif /* AL_VMAS_H */
