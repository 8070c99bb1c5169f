// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fleet.h"
#include "core/idmap.h"
#include "core/version.h"
#include "print/pprof.h"

/* Profile's fields (profile.proto) */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE, P_MAPPING, P_LOCATION, P_FUNCTION, P_STRING_TABLE,
	P_TIME_NANOS = 9, P_PERIOD_TYPE = 11, P_PERIOD, P_COMMENT, P_DEFAULT_SAMPLE_TYPE,
};

#define PAGE	4096ULL

/* What a Mapping needs that is known only once every frame was seen. */
struct pmap {
	uint64_t lo, hi;		/* file offsets of its frames */
	uint64_t name;			/* string index */
	const struct frame_info *f;	/* one of its frames (build-id); NULL: fake */
	bool symbolized;		/* every frame of it has a function */
};

struct prof {
	struct idmap strs, maps, funcs, locs;
	struct pmap *pmaps;
	size_t cap_pmaps;
	struct pb out, tmp;
	int err;
};

static uint64_t str_id(struct prof *p, const char *s)
{
	uint32_t id = idmap_get(&p->strs, &(struct idkey){ .s = s ? s : "" }, NULL);

	if (!id)
		p->err = -ENOMEM;
	return id ? id - 1 : 0;		/* "" is id 1, index 0 */
}

static uint32_t mapping_id(struct prof *p, const struct frame_info *f)
{
	bool fake = !f->object || !f->has_offset, is_new;
	uint32_t id = idmap_get(&p->maps, &(struct idkey){ .s = fake ? "" : f->object }, &is_new);
	struct pmap *m;

	if (!id || (is_new && array_grow((void **)&p->pmaps, &p->cap_pmaps, id - 1,
					 sizeof(*m)) < 0)) {
		p->err = -ENOMEM;
		return 0;
	}
	m = &p->pmaps[id - 1];
	if (is_new)
		*m = (struct pmap){ .lo = UINT64_MAX, .f = fake ? NULL : f, .symbolized = !fake,
				    .name = str_id(p, fake ? "[unknown]" : f->object) };
	if (!fake && f->offset < m->lo)
		m->lo = f->offset;
	if (!fake && f->offset >= m->hi)
		m->hi = f->offset + 1;
	m->symbolized &= f->symbol != NULL;
	return id;
}

static uint32_t function_id(struct prof *p, const struct frame_info *f)
{
	uint64_t name = str_id(p, f->symbol), file = str_id(p, f->source_file);
	bool is_new;
	uint32_t id = idmap_get(&p->funcs, &(struct idkey){ .k = { name, file } }, &is_new);

	if (!id) {
		p->err = -ENOMEM;
		return 0;
	}
	if (is_new) {
		pb_init(&p->tmp);
		pb_uint(&p->tmp, 1, id);
		pb_uint(&p->tmp, 2, name);
		pb_uint(&p->tmp, 3, name);
		pb_uint(&p->tmp, 4, file);
		pb_message(&p->out, P_FUNCTION, &p->tmp);
		pb_release(&p->tmp);
	}
	return id;
}

/* A frame's address in its mapping: the file offset, or the address if none. */
static uint64_t frame_address(const struct frame_info *f)
{
	return f->object && f->has_offset ? f->offset : f->addr;
}

static uint32_t location_id(struct prof *p, const struct frame_info *f)
{
	uint32_t map = mapping_id(p, f), fn = f->symbol ? function_id(p, f) : 0, id;
	struct pb line;
	bool is_new;

	id = idmap_get(&p->locs, &(struct idkey){ .k = { map, frame_address(f), fn,
							 f->source_line } }, &is_new);
	if (!id || !map) {
		p->err = -ENOMEM;
		return 0;
	}
	if (!is_new)
		return id;
	pb_init(&p->tmp);
	pb_uint(&p->tmp, 1, id);
	pb_uint(&p->tmp, 2, map);
	pb_uint(&p->tmp, 3, frame_address(f));
	if (fn) {
		pb_init(&line);
		pb_uint(&line, 1, fn);
		pb_uint(&line, 2, f->source_line);
		pb_message(&p->tmp, 4, &line);
		pb_release(&line);
	}
	pb_message(&p->out, P_LOCATION, &p->tmp);
	pb_release(&p->tmp);
	return id;
}

static void label(struct prof *p, struct pb *s, const char *key, const char *str,
		  uint64_t num)
{
	struct pb l;

	pb_init(&l);
	pb_uint(&l, 1, str_id(p, key));
	if (str)
		pb_uint(&l, 2, str_id(p, str));
	else
		pb_int(&l, 3, (int64_t)num);
	pb_message(s, 3, &l);
	pb_release(&l);
}

static void add_sample(struct prof *p, const struct report_proc *pr, const struct site_info *s,
		       bool resident)
{
	const uint64_t values[] = { s->total_maps, s->mapped_bytes, s->live_count,
				    s->live_bytes, s->resident };
	uint64_t *locs = calloc(s->nr_frames ? s->nr_frames : 1, sizeof(*locs));
	struct pb smp;

	if (!locs) {
		p->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < s->nr_frames; i++)	/* innermost first: pprof's order */
		locs[i] = location_id(p, &s->frames[i]);
	pb_init(&smp);
	pb_packed(&smp, 1, locs, s->nr_frames);
	pb_packed(&smp, 2, values, resident ? 5 : 4);
	label(p, &smp, "pid", NULL, pr->pid);
	label(p, &smp, "comm", pr->comm, 0);
	if (pr->cgroup)
		label(p, &smp, "cgroup", pr->cgroup, 0);
	if (pr->pod)
		label(p, &smp, "pod", pr->pod, 0);
	if (pr->container)
		label(p, &smp, "container", pr->container, 0);
	pb_message(&p->out, P_SAMPLE, &smp);
	pb_release(&smp);
	free(locs);
}

static void value_type(struct prof *p, uint32_t field, const char *type, const char *unit)
{
	struct pb vt;

	pb_init(&vt);
	pb_uint(&vt, 1, str_id(p, type));
	pb_uint(&vt, 2, str_id(p, unit));
	pb_message(&p->out, field, &vt);
	pb_release(&vt);
}

static void put_mappings(struct prof *p)
{
	for (size_t i = 0; i < p->maps.nr; i++) {
		const struct pmap *m = &p->pmaps[i];
		uint64_t lo = m->f ? m->lo & ~(PAGE - 1) : 0;
		uint64_t hi = m->f ? (m->hi + PAGE - 1) & ~(PAGE - 1) : UINT64_MAX;

		pb_init(&p->tmp);
		pb_uint(&p->tmp, 1, i + 1);
		pb_uint(&p->tmp, 2, lo);
		pb_uint(&p->tmp, 3, hi);
		pb_uint(&p->tmp, 4, lo);	/* addresses are file offsets */
		pb_uint(&p->tmp, 5, m->name);
		if (m->f && m->f->build_id) {
			char hex[2 * 64 + 1];

			for (size_t k = 0; k < m->f->build_id_len && k < 64; k++)
				snprintf(hex + 2 * k, 3, "%02x", m->f->build_id[k]);
			pb_uint(&p->tmp, 6, str_id(p, hex));
		}
		pb_uint(&p->tmp, 7, m->symbolized);
		pb_uint(&p->tmp, 8, m->symbolized);
		pb_uint(&p->tmp, 9, m->symbolized);
		pb_message(&p->out, P_MAPPING, &p->tmp);
		pb_release(&p->tmp);
	}
}

static void put_header(struct prof *p, bool resident, uint64_t time_ns)
{
	static const char *const types[][2] = {
		{ "alloc_objects", "count" }, { "alloc_space", "bytes" },
		{ "inuse_objects", "count" }, { "inuse_space", "bytes" },
		{ "resident_space", "bytes" },
	};

	for (size_t i = 0; i < (resident ? 5u : 4u); i++)
		value_type(p, P_SAMPLE_TYPE, types[i][0], types[i][1]);
	value_type(p, P_PERIOD_TYPE, "space", "bytes");
	pb_uint(&p->out, P_PERIOD, 1);
	pb_uint(&p->out, P_TIME_NANOS, time_ns);
	pb_uint(&p->out, P_DEFAULT_SAMPLE_TYPE, str_id(p, "inuse_space"));
	pb_key(&p->out, P_COMMENT, PB_VARINT);
	pb_varint(&p->out, str_id(p, "anonleak " ANONLEAK_VERSION
				  ": anonymous mappings per call site"));
}

int pprof_encode(const struct report *r, bool resident, uint64_t time_ns, struct pb *out)
{
	struct prof p = { .out = *out };

	idmap_init(&p.strs);
	idmap_init(&p.maps);
	idmap_init(&p.funcs);
	idmap_init(&p.locs);
	str_id(&p, "");			/* string_table[0] must be "" */
	put_header(&p, resident, time_ns);
	for (size_t i = 0; i < r->nr_procs; i++)
		for (size_t j = 0; j < r->procs[i].nr_sites; j++)
			add_sample(&p, &r->procs[i], &r->procs[i].sites[j], resident);
	put_mappings(&p);
	for (size_t i = 0; i < p.strs.nr; i++)
		pb_string(&p.out, P_STRING_TABLE, p.strs.keys[i].s);
	*out = p.out;
	idmap_release(&p.strs);
	idmap_release(&p.maps);
	idmap_release(&p.funcs);
	idmap_release(&p.locs);
	free(p.pmaps);
	return p.err ? p.err : out->err;
}

int pprof_write(FILE *f, const struct report *r, bool resident, uint64_t time_ns)
{
	struct pb raw, gz;
	int ret;

	pb_init(&raw);
	pb_init(&gz);
	ret = pprof_encode(r, resident, time_ns, &raw);
	if (!ret)
		ret = pb_gzip(raw.buf, raw.len, &gz);
	if (!ret && fwrite(gz.buf, 1, gz.len, f) != gz.len)
		ret = -EIO;
	pb_release(&raw);
	pb_release(&gz);
	return ret;
}
