// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/file.h"
#include "core/idmap.h"
#include "proto/util.h"

/* Hex digits, at least 12 (Docker's short ids) and at most 64. */
static bool is_container_id(const char *s, size_t n)
{
	if (n < 12 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* A UUID, possibly with '_' for '-' (systemd's escaping): copied with '-'. */
static bool take_uid(const char *s, size_t n, char pod[POD_UID_LEN])
{
	if (n != POD_UID_LEN - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] == '_' ? '-' : s[i];

		if (!strchr("0123456789abcdef-", c))
			return false;
		pod[i] = c;
	}
	pod[n] = '\0';
	return true;
}

static bool strip(const char **s, size_t *n, const char *prefix, const char *suffix)
{
	size_t p = strlen(prefix), q = strlen(suffix);

	if (*n < p + q || strncmp(*s, prefix, p) || strncmp(*s + *n - q, suffix, q))
		return false;
	*s += p;
	*n -= p + q;
	return true;
}

/* One path component c (n bytes); in_tree: below a "kubepods" or "docker" component. */
static void parse_component(const char *c, size_t n, bool in_treepods, char *pod, char *ctr)
{
	static const char *const scopes[] = { "cri-containerd-", "crio-", "docker-", "libpod-" };
	const char *s = c;
	size_t len = n;
	const char *pos;

	/* systemd: kubepods[-QOS]-pod<UID>.slice */
	if (len > 6 && !strncmp(s, "kubepods", 8) && strip(&s, &len, "", ".slice")) {
		pos = memmem(s, len, "-pod", 4);
		if (pos)
			take_uid(pos + 4, len - (pos + 4 - s), pod);
		return;
	}
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		s = c;
		len = n;
		if (strip(&s, &len, scopes[i], ".scope") && is_container_id(s, len)) {
			memcpy(ctr, s, len);
			ctr[len] = '\0';
			return;
		}
	}
	if (in_treepods && n > 3 && !strncmp(c, "pod", 3) && take_uid(c + 3, n - 3, pod))
		return;
	if (in_treepods && is_container_id(c, n)) {
		memcpy(ctr, c, n);
		ctr[n] = '\0';
	}
}

void cgroup_parse_k8s(const char *path, char pod[POD_UID_LEN], char container[CGROUP_ID_LEN])
{
	bool in_tree = false;

	pod[0] = container[0] = '\0';
	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");

		if (n) {
			parse_component(c, n, in_tree, pod, container);
			if ((n == 8 && !strncmp(c, "kubepods", 8)) ||
			    (n == 6 && !strncmp(c, "docker", 6)))
				in_tree = true;
		}
		c += n;
		c += *c == '/';
	}
}

struct cgroup_map {
	char *root, *cache;
	struct idmap ids;		/* k[0]: cgroup id */
	char **paths;			/* paths[id - 1] */
	size_t cap;
	bool scanned, dirty;
};

static int map_put(struct cgroup_map *m, uint64_t id, const char *path)
{
	bool is_new;
	uint32_t i = idmap_get(&m->ids, &(struct idkey){ .k = { id } }, &is_new);
	char *copy;

	if (!i || (is_new && array_grow((void **)&m->paths, &m->cap, i - 1,
					sizeof(*m->paths)) < 0))
		return -ENOMEM;
	if (is_new)
		m->paths[i - 1] = NULL;
	if (m->paths[i - 1] && !strcmp(m->paths[i - 1], path))
		return 0;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	free(m->paths[i - 1]);
	m->paths[i - 1] = copy;
	m->dirty = true;
	return 0;
}

static void load_cache(struct cgroup_map *m)
{
	FILE *f = m->cache[0] ? fopen(m->cache, "r") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (f && (n = getline(&line, &cap, f)) > 0 && m->ids.nr < CGROUP_CACHE_MAX) {
		uint64_t id;
		int off = 0;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (sscanf(line, "%" SCNu64 " %n", &id, &off) == 1 && off && line[off] == '/')
			map_put(m, id, line + off);
	}
	free(line);
	if (f)
		fclose(f);
	m->dirty = false;
}

static const char *default_cache(char **buf)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (!mkdir("/run/anonleak", 0755) || errno == EEXIST) {
		if (!access("/run/anonleak", W_OK))
			return "/run/anonleak/cgroups";
	}
	if (xdg && *xdg && asprintf(buf, "%s/anonleak-cgroups", xdg) >= 0)
		return *buf;
	return "";
}

struct cgroup_map *cgroup_map_new(const char *root, const char *cache)
{
	struct cgroup_map *m = calloc(1, sizeof(*m));
	char *buf = NULL;

	if (!m)
		return NULL;
	idmap_init(&m->ids);
	m->root = strdup(root);
	m->cache = strdup(cache ? cache : default_cache(&buf));
	free(buf);
	if (!m->root || !m->cache) {
		cgroup_map_free(m);
		return NULL;
	}
	load_cache(m);
	return m;
}

void cgroup_map_free(struct cgroup_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ids.nr; i++)
		free(m->paths[i]);
	free(m->paths);
	idmap_release(&m->ids);
	free(m->root);
	free(m->cache);
	free(m);
}

/* nftw() has no context argument. */
static struct cgroup_map *scanning;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(scanning->root);

	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (scanning->ids.nr >= CGROUP_CACHE_MAX)
		return 1;
	return map_put(scanning, st->st_ino, *rel ? rel : "/") ? 1 : 0;
}

static int write_cache(FILE *f, const void *ctx)
{
	const struct cgroup_map *m = ctx;

	for (size_t i = 0; i < m->ids.nr; i++)
		if (m->paths[i])
			fprintf(f, "%" PRIu64 " %s\n", m->ids.keys[i].k[0], m->paths[i]);
	return ferror(f) ? -EIO : 0;
}

static void scan(struct cgroup_map *m)
{
	m->scanned = true;
	scanning = m;
	nftw(m->root, scan_one, 16, FTW_PHYS | FTW_MOUNT);
	scanning = NULL;
	if (m->dirty && m->cache[0])
		file_write_atomic(m->cache, write_cache, m);	/* best effort */
	m->dirty = false;
}

const char *cgroup_map_path(struct cgroup_map *m, uint64_t id)
{
	uint32_t i = 0;

	for (int pass = 0; pass < 2 && !i; pass++) {
		if (pass && !m->scanned)
			scan(m);
		i = idmap_find(&m->ids, &(struct idkey){ .k = { id } });
	}
	return i ? m->paths[i - 1] : NULL;
}

static char *dup_or_null(const char *s)
{
	return *s ? strdup(s) : NULL;
}

void report_resolve_cgroups(struct report *r, struct cgroup_map *m)
{
	char pod[POD_UID_LEN], ctr[CGROUP_ID_LEN];

	for (size_t i = 0; i < r->nr_procs && m; i++) {
		struct report_proc *p = &r->procs[i];
		const char *path = p->has_cgroup_id ? cgroup_map_path(m, p->cgroup_id) : NULL;

		if (!path || p->cgroup)
			continue;
		p->cgroup = strdup(path);
		cgroup_parse_k8s(path, pod, ctr);
		p->pod = dup_or_null(pod);
		p->container = dup_or_null(ctr);
	}
}
