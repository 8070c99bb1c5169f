/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resident bytes of the live tracked ranges (GET_MAPPINGS) of a running
 * process, per site, from /proc/PID/pagemap: one 64-bit entry per page,
 * bit 63 set if the page is present in RAM (swapped, never-touched and
 * unmapped pages are not). The entries are read with pread() in batches
 * of RESIDENT_BATCH, at most a budget of pages per report: a process
 * with terabytes of reserved address space does not make a report slow.
 * Reading another process's pagemap needs ptrace read access (root).
 */
#ifndef ANONLEAK_CORE_RESIDENT_H
#define ANONLEAK_CORE_RESIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "proto/mappings.h"

#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_ENTRY_SIZE	8
/* Entries per pread(): 32 KiB, 128 MiB of address space in 4 KiB pages. */
#define RESIDENT_BATCH		4096
/* Pages read per report at most: 64 GiB of 4 KiB pages, 128 MiB of entries. */
#define RESIDENT_MAX_PAGES	(1ULL << 24)

/* The entries of e[0..n) with PAGEMAP_PRESENT. */
uint64_t pagemap_count_present(const uint64_t *e, size_t n);

/*
 * The resident bytes of [start, start + length) (every page it touches)
 * from the pagemap open on fd; page is the page size (a power of 2).
 * Reads at most *budget entries and takes what it read off *budget.
 * 0; -E2BIG if the range needs more than *budget; -EIO if the pagemap
 * ends inside the range; -EINVAL for a bad page size or a range that
 * wraps; or pread()'s -errno.
 */
int pagemap_range_resident(int fd, uint64_t start, uint64_t length, uint64_t page,
			   uint64_t *budget, uint64_t *bytes);

/*
 * Fill the resident bytes of p's sites from m, the live ranges of the
 * same process record, and its pagemap open on fd: each site's sum over
 * its ranges (0 without any), has_resident set; ranges of sites p does
 * not list are skipped. p->has_resident set, resident_err 0.
 * On an error of pagemap_range_resident() p's figures are all unknown
 * (resident_unknown()) and the error is returned. Ranges of m may come
 * in any order; sums are computed by report_finish().
 */
int resident_fill_proc(struct report_proc *p, const struct mapping_list *m, int fd,
		       uint64_t page, uint64_t *budget);

/* p's and its sites' resident bytes unknown, because of err (-ESRCH: exited). */
void resident_unknown(struct report_proc *p, int err);

/*
 * Why p's resident bytes are unknown, for text and JSON: "process
 * exited", "pagemap budget reached", "pagemap not readable", else
 * strerror() of the error.
 */
const char *resident_unknown_reason(const struct report_proc *p);

#endif
