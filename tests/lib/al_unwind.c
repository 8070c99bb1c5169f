// SPDX-License-Identifier: GPL-2.0
/* See al_unwind.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "al_stats.h"
#include "al_util.h"
#include "al_unwind.h"

/* The most bytes of rows or rules one attribute may carry (the UAPI's). */
#define AL_T_CHUNK_MAX 65528

static int al_t_fmap_line(const char *line, uintptr_t addr, struct al_t_fmap *m)
{
	unsigned long a, b, off, ino;
	unsigned int ma, mi;
	char perms[8];
	int n = 0;

	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &a, &b, perms, &off,
		   &ma, &mi, &ino, &n) < 7 || addr < a || addr >= b)
		return -ENOENT;
	m->start = a;
	m->end = b;
	m->pgoff = off;
	m->dev = ma << 20 | mi;
	m->ino = ino;
	snprintf(m->path, sizeof(m->path), "%s", line + n);
	m->path[strcspn(m->path, "\n")] = 0;
	return 0;
}

int al_t_fmap_of(uintptr_t addr, struct al_t_fmap *m)
{
	char line[512];
	struct stat st;
	int err = -ENOENT;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f))
		err = al_t_fmap_line(line, addr, m);
	fclose(f);
	if (err)
		return err;
	if (!m->ino || stat(m->path, &st))
		return -ENOENT;
	m->size = st.st_size;
	m->mtime = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	return 0;
}

void al_t_upload_of(struct al_t_upload *u, const struct al_t_fmap *m)
{
	u->dev = m->dev;
	u->ino = m->ino;
	u->size = m->size;
	u->mtime = m->mtime;
	u->path = m->path;
}

void al_t_upload_of_stat(struct al_t_upload *u, const struct stat *st)
{
	u->dev = al_t_kdev(st->st_dev);
	u->ino = st->st_ino;
	u->size = st->st_size;
	u->mtime = st->st_mtim.tv_sec * 1000000000ULL + st->st_mtim.tv_nsec;
}

uint32_t al_t_kdev(dev_t d)
{
	return major(d) << 20 | minor(d);
}

int al_t_exec_file(struct stat *st)
{
	char path[] = "/tmp/anonleak-unwind-XXXXXX";
	static const uint8_t page[65536];
	long pg = sysconf(_SC_PAGESIZE);
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (pg <= 0 || pg > (long)sizeof(page) || write(fd, page, pg) != pg ||
	    fstat(fd, st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* @len bytes of @data in attributes of @type, @chunk bytes each at most. */
static void al_t_put_chunks(struct nlmsghdr *nlh, uint16_t type,
			    const void *data, size_t len, size_t chunk)
{
	size_t done = 0, n;

	if (!chunk || chunk > AL_T_CHUNK_MAX)
		chunk = AL_T_CHUNK_MAX;
	while (done < len) {
		n = len - done < chunk ? len - done : chunk;
		mnl_attr_put(nlh, type, n, (const char *)data + done);
		done += n;
	}
}

static void al_t_put_upload(struct nlmsghdr *nlh, void *arg)
{
	const struct al_t_upload *u = arg;
	struct nlattr *nest;

#define AL_T_HAS(t) (!(u->skip & (1U << ANONLEAK_UNWIND_A_##t)))
	if (!u->no_nest) {
		nest = mnl_attr_nest_start(nlh, ANONLEAK_A_UNWIND);
		if (AL_T_HAS(DEV))
			mnl_attr_put_u32(nlh, ANONLEAK_UNWIND_A_DEV, u->dev);
		if (AL_T_HAS(INO))
			mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_INO, u->ino);
		if (AL_T_HAS(SIZE))
			mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_SIZE, u->size);
		if (AL_T_HAS(MTIME))
			mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_MTIME, u->mtime);
		if (u->build_id)
			mnl_attr_put(nlh, ANONLEAK_UNWIND_A_BUILD_ID,
				     u->build_id_len, u->build_id);
		if (u->path)
			mnl_attr_put_strz(nlh, ANONLEAK_UNWIND_A_PATH, u->path);
		mnl_attr_nest_end(nlh, nest);
	}
#undef AL_T_HAS
	al_t_put_chunks(nlh, ANONLEAK_A_UNWIND_RULES, u->rules, u->rules_bytes,
			u->chunk);
	al_t_put_chunks(nlh, ANONLEAK_A_UNWIND_ROWS, u->rows, u->rows_bytes,
			u->chunk);
}

int al_t_unwind_load(const struct al_t_upload *u, char ext[AL_T_EXT])
{
	size_t chunk = u->chunk ? u->chunk : AL_T_CHUNK_MAX;
	size_t cap = 8192 + u->rows_bytes + u->rules_bytes +
		     8 * ((u->rows_bytes + u->rules_bytes) / chunk + 2);
	struct al_t_call c = {
		.cmd = ANONLEAK_CMD_UNWIND_LOAD, .build = al_t_put_upload,
		.barg = (void *)u, .ext = ext, .reqcap = cap,
	};
	int ret;

	c.reqbuf = calloc(1, cap);
	if (!c.reqbuf)
		return -ENOMEM;
	ret = al_t_call(&c);
	free(c.reqbuf);
	return ret;
}

struct al_t_drop {
	uint32_t dev;
	uint64_t ino;
	bool dev_only;
};

static void al_t_put_drop(struct nlmsghdr *nlh, void *arg)
{
	const struct al_t_drop *d = arg;
	struct nlattr *nest = mnl_attr_nest_start(nlh, ANONLEAK_A_UNWIND);

	mnl_attr_put_u32(nlh, ANONLEAK_UNWIND_A_DEV, d->dev);
	if (!d->dev_only)
		mnl_attr_put_u64(nlh, ANONLEAK_UNWIND_A_INO, d->ino);
	mnl_attr_nest_end(nlh, nest);
}

int al_t_unwind_drop(uint32_t dev, uint64_t ino, bool all, char ext[AL_T_EXT])
{
	struct al_t_drop d = { .dev = dev, .ino = ino };

	return al_t_req(0, ANONLEAK_CMD_UNWIND_DROP, 0,
			all ? NULL : al_t_put_drop, &d, NULL, NULL, ext);
}

int al_t_unwind_drop_dev_only(uint32_t dev, char ext[AL_T_EXT])
{
	struct al_t_drop d = { .dev = dev, .dev_only = true };

	return al_t_req(0, ANONLEAK_CMD_UNWIND_DROP, 0, al_t_put_drop, &d,
			NULL, NULL, ext);
}

static void al_t_utable_nest(const struct nlattr *nest, struct al_t_utable *t)
{
	const struct nlattr *x;
	size_t len;

	al_t_uints(nest, t->v, ANONLEAK_UNWIND_A_MAX,
		   1U << ANONLEAK_UNWIND_A_BUILD_ID | 1U << ANONLEAK_UNWIND_A_PATH,
		   NULL);
	mnl_attr_for_each_nested(x, nest) {
		len = mnl_attr_get_payload_len(x);
		if (mnl_attr_get_type(x) == ANONLEAK_UNWIND_A_PATH &&
		    !mnl_attr_validate(x, MNL_TYPE_NUL_STRING))
			snprintf(t->path, sizeof(t->path), "%s", mnl_attr_get_str(x));
		if (mnl_attr_get_type(x) == ANONLEAK_UNWIND_A_BUILD_ID &&
		    len <= sizeof(t->build_id)) {
			memcpy(t->build_id, mnl_attr_get_payload(x), len);
			t->build_id_len = len;
		}
	}
}

static int al_t_unwinds_cb(const struct nlmsghdr *nlh, void *data)
{
	struct al_t_utables *ts = data;
	struct al_t_utable *t;
	const struct nlattr *a;

	t = al_append(&ts->v, &ts->n, &ts->cap, sizeof(*t), 16);
	if (!t)
		return MNL_CB_ERROR;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == ANONLEAK_A_UNWIND)
			al_t_utable_nest(a, t);
	return MNL_CB_OK;
}

int al_t_unwinds(struct al_t_utables *ts)
{
	memset(ts, 0, sizeof(*ts));
	return al_t_dump(ANONLEAK_CMD_GET_UNWIND, 0, al_t_unwinds_cb, ts, &ts->n,
			 AL_T_TRIES, &ts->intr, NULL);
}

int al_t_unwind_state(struct al_t_unwind_state *s)
{
	struct al_t_utables ts;
	struct al_t_stats st;
	unsigned int i;
	int err;

	memset(s, 0, sizeof(*s));
	err = al_t_unwinds(&ts);
	if (err) {
		free(ts.v);
		return err;
	}
	s->n = ts.n;
	for (i = 0; i < ts.n; i++) {
		if (i < sizeof(s->ids) / sizeof(s->ids[0]))
			s->ids[i] = ts.v[i].v[ANONLEAK_UNWIND_A_ID];
		s->list_rows += ts.v[i].v[ANONLEAK_UNWIND_A_NROWS];
		s->list_bytes += ts.v[i].v[ANONLEAK_UNWIND_A_BYTES];
	}
	free(ts.v);
	err = al_t_stats(&st);
	if (err)
		return err;
	s->tables = st.c[ANONLEAK_STATS_A_UNWIND_TABLES];
	s->rows = st.c[ANONLEAK_STATS_A_UNWIND_ROWS];
	s->bytes = st.c[ANONLEAK_STATS_A_UNWIND_BYTES];
	s->refused = st.c[ANONLEAK_STATS_A_UNWIND_REFUSED];
	return 0;
}

struct al_t_utable *al_t_utable_of(struct al_t_utables *ts, uint32_t dev,
				   uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].v[ANONLEAK_UNWIND_A_DEV] == dev &&
		    ts->v[i].v[ANONLEAK_UNWIND_A_INO] == ino)
			return &ts->v[i];
	return NULL;
}

/* GET_EXEMPLAR ------------------------------------------------------- */

struct al_t_exreq {
	uint64_t proc_id, site_id;
};

static void al_t_put_exreq(struct nlmsghdr *nlh, void *arg)
{
	const struct al_t_exreq *r = arg;
	struct nlattr *nest;

	mnl_attr_put_u64(nlh, ANONLEAK_A_PROC_ID, r->proc_id);
	nest = mnl_attr_nest_start(nlh, ANONLEAK_A_SITE);
	mnl_attr_put_u64(nlh, ANONLEAK_SITE_A_ID, r->site_id);
	mnl_attr_nest_end(nlh, nest);
}

static void al_t_exmaps(const struct nlattr *maps, struct al_t_exemplar *ex)
{
	const struct nlattr *e, *x;
	uint64_t v[ANONLEAK_EXMAP_A_MAX + 1];

	mnl_attr_for_each_nested(e, maps) {
		struct al_t_exmap *m;

		if (ex->nmaps >= ANONLEAK_EXEMPLAR_MAPS)
			return;
		m = &ex->maps[ex->nmaps++];
		memset(v, 0, sizeof(v));
		al_t_uints(e, v, ANONLEAK_EXMAP_A_MAX,
			   1U << ANONLEAK_EXMAP_A_OBJECT |
			   1U << ANONLEAK_EXMAP_A_BUILD_ID, NULL);
		m->start = v[ANONLEAK_EXMAP_A_START];
		m->end = v[ANONLEAK_EXMAP_A_END];
		m->off = v[ANONLEAK_EXMAP_A_OFFSET];
		mnl_attr_for_each_nested(x, e)
			if (mnl_attr_get_type(x) == ANONLEAK_EXMAP_A_OBJECT &&
			    !mnl_attr_validate(x, MNL_TYPE_NUL_STRING))
				snprintf(m->path, sizeof(m->path), "%s",
					 mnl_attr_get_str(x));
	}
}

static void al_t_exemplar_nest(const struct nlattr *nest, struct al_t_exemplar *ex)
{
	const struct nlattr *x;
	size_t len;

	mnl_attr_for_each_nested(x, nest) {
		len = mnl_attr_get_payload_len(x);
		switch (mnl_attr_get_type(x)) {
		case ANONLEAK_EXEMPLAR_A_SITE_ID:
			if (len == 8)
				ex->site_id = mnl_attr_get_u64(x);
			break;
		case ANONLEAK_EXEMPLAR_A_REGS:
			ex->nregs_bytes = len;
			memcpy(ex->regs, mnl_attr_get_payload(x),
			       len < sizeof(ex->regs) ? len : sizeof(ex->regs));
			break;
		case ANONLEAK_EXEMPLAR_A_STACK:
			free(ex->stack);
			ex->stack = malloc(len ? len : 1);
			if (ex->stack)
				memcpy(ex->stack, mnl_attr_get_payload(x), len);
			ex->stack_len = ex->stack ? len : 0;
			break;
		case ANONLEAK_EXEMPLAR_A_MAPS:
			al_t_exmaps(x, ex);
			break;
		}
	}
}

static int al_t_exemplar_cb(const struct nlmsghdr *nlh, void *data)
{
	struct al_t_exemplar *ex = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case ANONLEAK_A_PROC_ID:
			if (mnl_attr_get_payload_len(a) == 8)
				ex->proc_id = mnl_attr_get_u64(a);
			break;
		case ANONLEAK_A_PID:
			if (mnl_attr_get_payload_len(a) == 4)
				ex->pid = mnl_attr_get_u32(a);
			break;
		case ANONLEAK_A_EXEMPLAR:
			al_t_exemplar_nest(a, ex);
			break;
		}
	}
	return MNL_CB_OK;
}

int al_t_exemplar(uint64_t proc_id, uint64_t site_id, struct al_t_exemplar *ex,
		  char ext[AL_T_EXT])
{
	struct al_t_exreq r = { .proc_id = proc_id, .site_id = site_id };

	memset(ex, 0, sizeof(*ex));
	return al_t_req(0, ANONLEAK_CMD_GET_EXEMPLAR, 0, al_t_put_exreq, &r,
			al_t_exemplar_cb, ex, ext);
}

/* Object events ------------------------------------------------------ */

int al_t_objev_parse(const struct nlmsghdr *nlh, struct al_t_objev *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint64_t v[ANONLEAK_UNWIND_A_MAX + 1] = { 0 };
	const struct nlattr *a;
	bool nest = false;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    g->cmd != ANONLEAK_CMD_OBJECT_EVENT)
		return -1;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == ANONLEAK_A_PID &&
		    mnl_attr_get_payload_len(a) == 4)
			ev->pid = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == ANONLEAK_A_PROC_ID)
			ev->has_proc_id = true;
		if (mnl_attr_get_type(a) == ANONLEAK_A_UNWIND) {
			al_t_uints(a, v, ANONLEAK_UNWIND_A_MAX, 0, NULL);
			nest = true;
		}
	}
	ev->dev = v[ANONLEAK_UNWIND_A_DEV];
	ev->ino = v[ANONLEAK_UNWIND_A_INO];
	ev->start = v[ANONLEAK_UNWIND_A_START];
	ev->end = v[ANONLEAK_UNWIND_A_END];
	return nest ? 0 : -1;
}
