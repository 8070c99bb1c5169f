// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/anonleak.h>

#include "core/model.h"

void frame_release(struct frame_info *f)
{
	free(f->object);
	free(f->build_id);
	free(f->symbol);
	free(f->source_file);
	memset(f, 0, sizeof(*f));
}

void site_release(struct site_info *s)
{
	for (size_t i = 0; i < s->nr_frames; i++)
		frame_release(&s->frames[i]);
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

void site_msg_release(struct site_msg *m)
{
	free(m->comm);
	site_release(&m->site);
	memset(m, 0, sizeof(*m));
}

void proc_release(struct report_proc *p)
{
	for (size_t i = 0; i < p->nr_sites; i++)
		site_release(&p->sites[i]);
	free(p->sites);
	free(p->comm);
	memset(p, 0, sizeof(*p));
}

void stats_release(struct module_stats *st)
{
	for (size_t i = 0; i < st->nr_probes; i++)
		free(st->probes[i]);
	free(st->probes);
	memset(st, 0, sizeof(*st));
}

const char *proc_state_name(uint8_t state)
{
	switch (state) {
	case ANONLEAK_PROC_RUNNING:
		return "running";
	case ANONLEAK_PROC_EXITED:
		return "exited";
	}
	return NULL;
}

void proc_info_release(struct proc_info *p)
{
	free(p->comm);
	memset(p, 0, sizeof(*p));
}

void proc_list_release(struct proc_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		proc_info_release(&l->procs[i]);
	free(l->procs);
	memset(l, 0, sizeof(*l));
}

void mappings_release(struct mapping_list *m)
{
	free(m->maps);
	memset(m, 0, sizeof(*m));
}

int array_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return 0;
	if (ncap < n + 1)
		ncap = n + 1;
	p = reallocarray(*arr, ncap, sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int proc_list_add(struct proc_list *l, struct proc_info *p)
{
	if (array_grow((void **)&l->procs, &l->cap, l->nr, sizeof(*p)) < 0) {
		proc_info_release(p);
		return -ENOMEM;
	}
	l->procs[l->nr++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

int mappings_append(struct mapping_list *dst, struct mapping_list *src)
{
	if (!dst->nr && !dst->maps) {
		dst->pid = src->pid;
		dst->proc_id = src->proc_id;
	}
	dst->now = src->now;
	if (src->nr && dst->cap - dst->nr < src->nr) {
		size_t ncap = dst->cap * 2 > dst->nr + src->nr ? dst->cap * 2 : dst->nr + src->nr;
		struct mapping_info *n = reallocarray(dst->maps, ncap, sizeof(*n));

		if (!n) {
			mappings_release(src);
			return -ENOMEM;
		}
		dst->maps = n;
		dst->cap = ncap;
	}
	if (src->nr)
		memcpy(dst->maps + dst->nr, src->maps, src->nr * sizeof(*src->maps));
	dst->nr += src->nr;
	mappings_release(src);
	return 0;
}
