// SPDX-License-Identifier: GPL-2.0
/*
 * The loader keeps two things: the tables it built (a cache by file
 * identity, failures included so that a file without CFI is not read
 * again), and the module's list of loaded tables (GET_UNWIND at sync, kept
 * up to date with each upload).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/unwind_load.h"
#include "proto/util.h"

struct cached {
	struct unwind_ident ident;
	struct unwind_table table;
	int err;			/* the build's, 0 if table is good */
	char why[160];
};

struct unwind_loader {
	struct nl *nl;
	void (*note)(void *arg, const struct unwind_note *n);
	void *arg;
	struct cached *cache;
	size_t nr_cache, cap_cache;
	struct unwind_list loaded;
};

/* One executable file mapping of a maps line. */
struct exec_map {
	uint64_t start, end;
	uint32_t dev;
	uint64_t ino;
	const char *path;
};

uint32_t unwind_kdev(dev_t dev)
{
	return major(dev) << 20 | minor(dev);
}

struct unwind_loader *unwind_loader_new(struct nl *nl,
					void (*note)(void *arg, const struct unwind_note *n),
					void *arg)
{
	struct unwind_loader *l = calloc(1, sizeof(*l));

	if (l) {
		l->nl = nl;
		l->note = note;
		l->arg = arg;
	}
	return l;
}

void unwind_loader_free(struct unwind_loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nr_cache; i++)
		unwind_table_release(&l->cache[i].table);
	free(l->cache);
	unwind_list_release(&l->loaded);
	free(l);
}

int unwind_loader_sync(struct unwind_loader *l)
{
	struct parse_err perr;
	bool inconsistent;

	return query_unwind(l->nl, &l->loaded, &perr, &inconsistent);
}

const struct unwind_list *unwind_loader_tables(const struct unwind_loader *l)
{
	return &l->loaded;
}

static void note(struct unwind_loader *l, struct unwind_counts *c, const struct unwind_note *n)
{
	if (n->outcome == UNWIND_LOADED)
		c->loaded++;
	else if (n->outcome == UNWIND_PRESENT)
		c->present++;
	else
		c->failed++;
	if (l->note)
		l->note(l->arg, n);
}

static bool same_ident(const struct unwind_ident *a, const struct unwind_ident *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime == b->mtime;
}

/* The cached build of the file open at fd (identity id), built if new. */
static struct cached *cache_get(struct unwind_loader *l, int fd,
				const struct unwind_ident *id, double *ms)
{
	struct timespec a, b;
	struct cached *e;

	*ms = 0;
	for (size_t i = 0; i < l->nr_cache; i++)
		if (same_ident(&l->cache[i].ident, id))
			return &l->cache[i];
	if (array_grow((void **)&l->cache, &l->cap_cache, l->nr_cache, sizeof(*e)))
		return NULL;
	e = &l->cache[l->nr_cache++];
	memset(e, 0, sizeof(*e));
	e->ident = *id;
	clock_gettime(CLOCK_MONOTONIC, &a);
	e->err = unwind_table_build(fd, &e->table, e->why, sizeof(e->why));
	clock_gettime(CLOCK_MONOTONIC, &b);
	*ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	return e;
}

/* Remember an upload in the local copy of the module's list. */
static void loaded_add(struct unwind_loader *l, const struct unwind_ident *id, const char *path)
{
	struct unwind_info u = { .ident = *id };
	const struct unwind_info *old = unwind_list_find(&l->loaded, id->dev, id->ino);

	if (old) {	/* replaced in the module: same slot here */
		l->loaded.tables[old - l->loaded.tables].ident = *id;
		return;
	}
	u.path = strdup(path);
	if (u.path)
		unwind_list_add(&l->loaded, &u);
}

/* A module error that ends the whole job rather than one file. */
static bool fatal(int err)
{
	return err == -EPERM || err == -EPROTO || err == -ENOENT || err == -EOPNOTSUPP;
}

static int upload(struct unwind_loader *l, const struct cached *e, const char *path)
{
	const struct unwind_upload u = {
		.ident = e->ident, .path = path,
		.build_id = e->table.build_id, .build_id_len = e->table.build_id_len,
		.rules = e->table.rules, .nr_rules = e->table.nr_rules,
		.rows = e->table.rows, .nr_rows = e->table.nr_rows,
	};

	return query_unwind_load(l->nl, &u);
}

/* The file open at fd; want (if not NULL) is the identity it must have. */
static int load_fd(struct unwind_loader *l, int fd, const char *path,
		   const struct exec_map *want, struct unwind_counts *c)
{
	struct unwind_note n = { .path = path, .outcome = UNWIND_FAILED, .why = "" };
	const struct unwind_info *have;
	struct unwind_ident id;
	struct cached *e;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		n.err = -errno;
		return note(l, c, &n), 0;
	}
	id = (struct unwind_ident){ unwind_kdev(st.st_dev), st.st_ino, st.st_size,
				    st.st_mtim.tv_sec * NSEC_PER_SEC + st.st_mtim.tv_nsec };
	if (want && (want->dev != id.dev || want->ino != id.ino)) {
		n.err = -ESTALE;
		n.why = "not the file the process maps (replaced since?)";
		return note(l, c, &n), 0;
	}
	have = unwind_list_find(&l->loaded, id.dev, id.ino);
	if (have && same_ident(&have->ident, &id)) {
		n.outcome = UNWIND_PRESENT;
		return note(l, c, &n), 0;
	}
	e = cache_get(l, fd, &id, &n.build_ms);
	n.err = !e ? -ENOMEM : e->err ? e->err : upload(l, e, path);
	n.why = !e ? "" : e->err ? e->why : nl_error_msg(l->nl);
	if (!n.err) {
		n.outcome = UNWIND_LOADED;
		n.table = &e->table;
		loaded_add(l, &id, path);
	}
	note(l, c, &n);
	return e && !e->err && fatal(n.err) ? n.err : 0;
}

/* Open what the process maps: map_files, else its root's view of the path. */
static int open_mapping(pid_t pid, const struct exec_map *m)
{
	char p[4200];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || !m->path)
		return fd;
	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, m->path);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : open(m->path, O_RDONLY | O_CLOEXEC);
}

static int load_map(struct unwind_loader *l, pid_t pid, const struct exec_map *m,
		    struct unwind_counts *c)
{
	int fd = open_mapping(pid, m), ret;

	if (fd < 0) {
		struct unwind_note n = { .path = m->path ? m->path : "?", .err = -errno,
					 .outcome = UNWIND_FAILED, .why = "" };

		note(l, c, &n);
		return 0;
	}
	ret = load_fd(l, fd, m->path ? m->path : "", m, c);
	close(fd);
	return ret;
}

/* A maps line of an executable file mapping into m (path points into line). */
static bool parse_maps_line(char *line, struct exec_map *m)
{
	unsigned long long start, end, off, ino;
	unsigned int ma, mi;
	char perms[8];
	int pos = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &ma, &mi,
		   &ino, &pos) < 7 || !pos || perms[2] != 'x' || !ino)
		return false;
	line[strcspn(line, "\n")] = '\0';
	*m = (struct exec_map){ start, end, ma << 20 | mi, ino, line + pos };
	return m->path[0] == '/';
}

int unwind_load_pid(struct unwind_loader *l, pid_t pid, struct unwind_counts *c)
{
	struct unwind_fileid seen[256];
	size_t nseen = 0;
	char p[64], line[4400];
	struct exec_map m;
	FILE *f;
	int ret = 0;

	snprintf(p, sizeof(p), "/proc/%d/maps", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		bool dup = false;

		if (!parse_maps_line(line, &m))
			continue;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen[i].dev == m.dev && seen[i].ino == m.ino;
		if (dup)
			continue;
		if (nseen < ARRAY_SIZE(seen))
			seen[nseen++] = (struct unwind_fileid){ m.dev, m.ino };
		ret = load_map(l, pid, &m, c);
	}
	fclose(f);
	return ret;
}

int unwind_load_path(struct unwind_loader *l, const char *path, struct unwind_counts *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		struct unwind_note n = { .path = path, .err = -errno,
					 .outcome = UNWIND_FAILED, .why = "" };

		note(l, c, &n);
		return 0;
	}
	ret = load_fd(l, fd, path, NULL, c);
	close(fd);
	return ret;
}

/* The path of the mapping [start, end) in pid's maps, into buf; NULL if gone. */
static const char *mapping_path(pid_t pid, uint64_t start, char *buf, size_t len)
{
	char p[64], line[4400];
	struct exec_map m;
	const char *ret = NULL;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/maps", (int)pid);
	f = fopen(p, "re");
	while (f && !ret && fgets(line, sizeof(line), f))
		if (parse_maps_line(line, &m) && m.start == start) {
			snprintf(buf, len, "%s", m.path);
			ret = buf;
		}
	if (f)
		fclose(f);
	return ret;
}

int unwind_load_mapping(struct unwind_loader *l, pid_t pid, uint64_t start, uint64_t end,
			uint32_t dev, uint64_t ino, struct unwind_counts *c)
{
	char path[4096];
	struct exec_map m = { start, end, dev, ino,
			      mapping_path(pid, start, path, sizeof(path)) };

	return load_map(l, pid, &m, c);
}

struct event_ctx {
	struct unwind_loader *l;
	struct unwind_counts *c;
};

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *x = data;
	struct object_event e;
	struct parse_err perr;

	if (parse_object_event(nlh, &e, &perr)) {
		struct unwind_note n = { .path = "(object event)", .err = -EPROTO,
					 .outcome = UNWIND_FAILED, .why = perr.msg };

		note(x->l, x->c, &n);
		return 0;
	}
	return unwind_load_mapping(x->l, e.pid, e.start, e.end, e.dev, e.ino, x->c);
}

int unwind_serve_events(struct unwind_loader *l, struct nl *ev, struct unwind_counts *c)
{
	struct event_ctx x = { l, c };

	return nl_recv_events(ev, on_event, &x);
}

/* The pid of a /proc entry, 0 if it is not a process. */
static pid_t proc_pid(const struct dirent *d)
{
	for (const char *s = d->d_name; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return atoi(d->d_name);
}

int unwind_load_all(struct unwind_loader *l, struct unwind_counts *c)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (e = readdir(d))) {
		pid_t pid = proc_pid(e);

		if (pid > 0 && (ret = unwind_load_pid(l, pid, c)) != 0 && !fatal(ret))
			ret = 0;	/* gone, or a kernel thread's empty maps */
	}
	closedir(d);
	return ret;
}

/* Add the executable files of pid's maps to *ids. */
static int add_mapped(pid_t pid, struct unwind_fileid **ids, size_t *nr, size_t *cap)
{
	char p[64], line[4400];
	struct exec_map m;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/maps", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_maps_line(line, &m))
			continue;
		if (array_grow((void **)ids, cap, *nr, sizeof(**ids))) {
			fclose(f);
			return -ENOMEM;
		}
		(*ids)[(*nr)++] = (struct unwind_fileid){ m.dev, m.ino };
	}
	fclose(f);
	return 0;
}

int unwind_mapped_files(struct unwind_fileid **ids, size_t *nr)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t cap = 0;
	int ret = 0;

	*ids = NULL;
	*nr = 0;
	if (!d)
		return -errno;
	while (!ret && (e = readdir(d)))
		if (proc_pid(e) > 0)
			ret = add_mapped(proc_pid(e), ids, nr, &cap);
	closedir(d);
	return ret;
}
