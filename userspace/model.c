// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <linux/anonleak.h>

#include "model.h"

void frame_release(struct al_frame *f)
{
	free(f->object);
	free(f->build_id);
	free(f->symbol);
	free(f->source_file);
	memset(f, 0, sizeof(*f));
}

void site_release(struct al_site *s)
{
	for (size_t i = 0; i < s->nr_frames; i++)
		frame_release(&s->frames[i]);
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

void site_msg_release(struct al_site_msg *m)
{
	free(m->comm);
	site_release(&m->site);
	memset(m, 0, sizeof(*m));
}

void proc_release(struct al_proc *p)
{
	for (size_t i = 0; i < p->nr_sites; i++)
		site_release(&p->sites[i]);
	free(p->sites);
	free(p->comm);
	memset(p, 0, sizeof(*p));
}

void stats_release(struct al_stats *st)
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
