// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "core/model.h"

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

void report_proc_release(struct report_proc *p)
{
	for (size_t i = 0; i < p->nr_sites; i++)
		site_release(&p->sites[i]);
	free(p->sites);
	free(p->comm);
	free(p->cgroup);
	free(p->pod);
	free(p->container);
	memset(p, 0, sizeof(*p));
}

void report_release(struct report *r)
{
	for (size_t i = 0; i < r->nr_procs; i++)
		report_proc_release(&r->procs[i]);
	free(r->procs);
	report_init(r);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_proc_info(const void *pa, const void *pb)
{
	const struct proc_info *a = pa, *b = pb;
	int c = cmp_u64(b->live_bytes, a->live_bytes);

	if (!c)
		c = cmp_u64(a->pid, b->pid);
	if (!c)
		c = cmp_u64(a->proc_id, b->proc_id);
	return c;
}

void procs_sort(struct proc_list *l)
{
	if (l->nr > 1)
		qsort(l->procs, l->nr, sizeof(*l->procs), cmp_proc_info);
}

static int cmp_mapping(const void *pa, const void *pb)
{
	const struct mapping_info *a = pa, *b = pb;

	return cmp_u64(a->start, b->start);
}

void mappings_sort(struct mapping_list *m)
{
	if (m->nr > 1)
		qsort(m->maps, m->nr, sizeof(*m->maps), cmp_mapping);
}
