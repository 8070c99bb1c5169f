// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/resident.h"

uint64_t pagemap_count_present(const uint64_t *e, size_t n)
{
	uint64_t nr = 0;

	for (size_t i = 0; i < n; i++)
		nr += !!(e[i] & PAGEMAP_PRESENT);
	return nr;
}

int pagemap_range_resident(int fd, uint64_t start, uint64_t length, uint64_t page,
			   uint64_t *budget, uint64_t *bytes)
{
	uint64_t buf[RESIDENT_BATCH];
	uint64_t first, end, present = 0;

	*bytes = 0;
	if (!page || (page & (page - 1)) || !length || start + length < start)
		return -EINVAL;
	first = start / page;
	end = (start + length - 1) / page + 1;
	if (end - first > *budget)
		return -E2BIG;
	for (uint64_t at = first; at < end;) {
		size_t want = end - at < RESIDENT_BATCH ? end - at : RESIDENT_BATCH;
		ssize_t got;

		if (at > (uint64_t)INT64_MAX / PAGEMAP_ENTRY_SIZE)
			return -EINVAL;
		got = pread(fd, buf, want * PAGEMAP_ENTRY_SIZE, (off_t)(at * PAGEMAP_ENTRY_SIZE));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if ((size_t)got < PAGEMAP_ENTRY_SIZE)
			return -EIO;
		want = (size_t)got / PAGEMAP_ENTRY_SIZE;
		present += pagemap_count_present(buf, want);
		at += want;
		*budget -= want;
	}
	*bytes = present * page;
	return 0;
}

static int cmp_id(const void *pa, const void *pb, void *ctx)
{
	const struct site_info *s = ctx;
	uint64_t a = s[*(const size_t *)pa].id, b = s[*(const size_t *)pb].id;

	return a < b ? -1 : a > b;
}

/* The index of the site with id among p's sites (order: sorted by id), or SIZE_MAX. */
static size_t find_site(const struct report_proc *p, const size_t *order, uint64_t id)
{
	size_t lo = 0, hi = p->nr_sites;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v = p->sites[order[mid]].id;

		if (v == id)
			return order[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

int resident_fill_proc(struct report_proc *p, const struct mapping_list *m, int fd,
		       uint64_t page, uint64_t *budget)
{
	size_t *order = calloc(p->nr_sites ? p->nr_sites : 1, sizeof(*order));
	int ret = 0;

	if (!order) {
		resident_unknown(p, -ENOMEM);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nr_sites; i++) {
		order[i] = i;
		p->sites[i].resident = 0;
		p->sites[i].has_resident = true;
	}
	qsort_r(order, p->nr_sites, sizeof(*order), cmp_id, p->sites);
	for (size_t i = 0; i < m->nr && !ret; i++) {
		size_t at = find_site(p, order, m->maps[i].site_id);
		uint64_t bytes;

		if (at == SIZE_MAX)
			continue;	/* not in the report (--min-bytes, a newer site) */
		ret = pagemap_range_resident(fd, m->maps[i].start, m->maps[i].length, page,
					     budget, &bytes);
		if (!ret)
			p->sites[at].resident += bytes;
	}
	free(order);
	if (ret) {
		resident_unknown(p, ret);
		return ret;
	}
	p->has_resident = true;
	p->resident_err = 0;
	return 0;
}

void resident_unknown(struct report_proc *p, int err)
{
	p->has_resident = false;
	p->resident = 0;
	p->resident_err = err;
	for (size_t i = 0; i < p->nr_sites; i++) {
		p->sites[i].has_resident = false;
		p->sites[i].resident = 0;
	}
}

const char *resident_unknown_reason(const struct report_proc *p)
{
	switch (p->resident_err) {
	case 0:
		return p->has_resident ? "known" : "not read";
	case -ESRCH:
		return "process exited";
	case -E2BIG:
		return "pagemap budget reached";
	case -EACCES:
	case -EPERM:
		return "pagemap not readable";
	default:
		return strerror(-p->resident_err);
	}
}
