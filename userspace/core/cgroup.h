/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's cgroup v2 id (the inode number of its cgroup2 directory,
 * ANONLEAK_A_CGROUP_ID) to its path, and the path to a Kubernetes pod UID
 * and a container id where the path has them. Paths found are kept in a
 * cache file (one "ID PATH" line each) so that cgroups removed since still
 * resolve: /run/anonleak/cgroups, or $XDG_RUNTIME_DIR/anonleak-cgroups when
 * /run/anonleak cannot be written.
 */
#ifndef ANONLEAK_CORE_CGROUP_H
#define ANONLEAK_CORE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define CGROUP_ID_LEN	65	/* a container id (64 hex digits) and its NUL */
#define POD_UID_LEN	37	/* a UUID and its NUL */

/* The cache's size cap: beyond it, only the cgroups that exist are kept. */
#define CGROUP_CACHE_MAX	65536

/*
 * The pod UID and container id in a cgroup path, for the layouts of the
 * kubelet's cgroupfs driver (.../kubepods[/QOS]/pod<UID>/<ID>), its
 * systemd driver (kubepods[-QOS]-pod<UID with _>.slice/
 * cri-containerd-<ID>.scope, crio-<ID>.scope, docker-<ID>.scope) and of
 * Docker alone (/docker/<ID>, docker-<ID>.scope). Empty strings for what
 * the path does not have.
 */
void cgroup_parse_k8s(const char *path, char pod[POD_UID_LEN], char container[CGROUP_ID_LEN]);

struct cgroup_map;

/*
 * The map of cgroup ids under root (a cgroup2 mount, normally
 * /sys/fs/cgroup) with cache (a file path; NULL: the default above, ""
 * none). NULL if out of memory.
 */
struct cgroup_map *cgroup_map_new(const char *root, const char *cache);
void cgroup_map_free(struct cgroup_map *m);

/*
 * The path of id ("/" for the root cgroup), from the map, else after a
 * scan of root (once per map), saved to the cache; NULL if unknown.
 */
const char *cgroup_map_path(struct cgroup_map *m, uint64_t id);

/* Fill each process's cgroup, pod and container from its cgroup id. */
void report_resolve_cgroups(struct report *r, struct cgroup_map *m);

#endif
