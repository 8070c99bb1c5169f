// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/fleet.h"
#include "core/report.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

const char *frame_name(char buf[FRAME_NAME_LEN], const struct frame_info *f)
{
	if (f->symbol)
		snprintf(buf, FRAME_NAME_LEN, "%s", f->symbol);
	else if (f->object && f->has_offset)
		snprintf(buf, FRAME_NAME_LEN, "%s+0x%" PRIx64, base_name(f->object), f->offset);
	else
		snprintf(buf, FRAME_NAME_LEN, "0x%" PRIx64, f->addr);
	return buf;
}

static uint32_t fnv_str(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xff) * 16777619u;	/* a separator: "ab","c" != "a","bc" */
}

const char *site_hash(char buf[9], const struct site_info *s)
{
	uint32_t h = 2166136261u;
	char tmp[FRAME_NAME_LEN + 24];

	for (size_t i = 0; i < s->nr_frames; i++) {
		const struct frame_info *f = &s->frames[i];

		if (f->symbol)
			snprintf(tmp, sizeof(tmp), "%s+%" PRIx64, f->symbol, f->symbol_offset);
		else if (f->object && f->has_offset)
			snprintf(tmp, sizeof(tmp), "%s+%" PRIx64, base_name(f->object), f->offset);
		else
			snprintf(tmp, sizeof(tmp), "?");
		h = fnv_str(h, tmp);
	}
	snprintf(buf, 9, "%08" PRIx32, h);
	return buf;
}

static const char *const by_names[] = { "process", "cgroup", "pod" };

int report_by_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (!strcmp(s, by_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *report_by_name(enum report_by by)
{
	return (size_t)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : "?";
}

const char *report_group_key(const struct report_proc *p, enum report_by by)
{
	switch (by) {
	case BY_CGROUP:
		return p->cgroup ? p->cgroup : "(unknown)";
	case BY_POD:
		return p->pod ? p->pod : "(none)";
	default:
		return p->comm;
	}
}

static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);

	while (n > 1 && top[n - 1] == '/')
		n--;
	if (n == 1 && top[0] == '/')
		return path[0] == '/';
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

size_t report_keep_cgroup(struct report *r, const char *path)
{
	size_t kept = 0, dropped = 0;

	for (size_t i = 0; i < r->nr_procs; i++) {
		struct report_proc *p = &r->procs[i];

		if (p->cgroup && under(p->cgroup, path)) {
			r->procs[kept++] = *p;
			continue;
		}
		r->nr_sites -= p->nr_sites;
		report_proc_release(p);
		dropped++;
	}
	r->nr_procs = kept;
	report_finish(r);
	return dropped;
}
