/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Getting unwind tables into the module: which executable files a process
 * maps (/proc/PID/maps), their identity (fstat of the file the process
 * really maps, /proc/PID/map_files/START-END, checked against the maps
 * line), a table built once per identity (an in-memory cache keyed by
 * device, inode, size and mtime) and uploaded unless GET_UNWIND shows it
 * loaded already. Used by "unwind load", "agent" and "run".
 */
#ifndef ANONLEAK_CORE_UNWIND_LOAD_H
#define ANONLEAK_CORE_UNWIND_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/unwind_table.h"
#include "proto/nl.h"
#include "proto/unwind.h"

/* What happened to one file, for the caller's log. */
enum unwind_outcome {
	UNWIND_LOADED,		/* uploaded now */
	UNWIND_PRESENT,		/* the module had it already */
	UNWIND_FAILED,		/* err and why say what failed */
};

struct unwind_note {
	const char *path;
	enum unwind_outcome outcome;
	int err;
	const char *why;		/* "" if err says it all */
	const struct unwind_table *table;	/* LOADED: what was sent */
	double build_ms;		/* LOADED: time to build (0: from the cache) */
};

struct unwind_counts {
	size_t loaded, present, failed;
};

struct unwind_loader;

/* note (may be NULL) is told about every file, with arg. */
struct unwind_loader *unwind_loader_new(struct nl *nl,
					void (*note)(void *arg, const struct unwind_note *n),
					void *arg);
void unwind_loader_free(struct unwind_loader *l);

/* Read the loaded tables again (GET_UNWIND): 0 or -errno. */
int unwind_loader_sync(struct unwind_loader *l);

/* The loaded tables, as of the last sync or upload. */
const struct unwind_list *unwind_loader_tables(const struct unwind_loader *l);

/*
 * Every executable file mapping of pid. 0, or -errno reading its maps
 * (-ENOENT: no such process); failures of single files are counted in c
 * (and noted), not returned, except errors of the module (-EPERM, ...).
 */
int unwind_load_pid(struct unwind_loader *l, pid_t pid, struct unwind_counts *c);

/* One file by path (dev, inode from its fstat): as above. */
int unwind_load_path(struct unwind_loader *l, const char *path, struct unwind_counts *c);

/*
 * One mapping [start, end) of file (dev, ino) in pid, as an OBJECT_EVENT
 * announces it: opened through /proc/PID/map_files.
 */
int unwind_load_mapping(struct unwind_loader *l, pid_t pid, uint64_t start, uint64_t end,
			uint32_t dev, uint64_t ino, struct unwind_counts *c);

/*
 * Read one buffer of OBJECT_EVENTs from ev (a socket that joined the
 * "objects" group) and load the announced files. Malformed events are
 * counted as failed. 0, -ENOBUFS (events were lost: scan again), or
 * another -errno (a module error, or the socket's).
 */
int unwind_serve_events(struct unwind_loader *l, struct nl *ev, struct unwind_counts *c);

/* Every running process (/proc): the counts of all. 0 or a module error. */
int unwind_load_all(struct unwind_loader *l, struct unwind_counts *c);

/*
 * The (dev, ino) of every executable file mapped by any process now, for
 * dropping the tables of the others: *ids (pairs), *nr. 0 or -errno.
 */
struct unwind_fileid {
	uint32_t dev;
	uint64_t ino;
};
int unwind_mapped_files(struct unwind_fileid **ids, size_t *nr);

/* The kernel's encoding of st_dev (major << 20 | minor). */
uint32_t unwind_kdev(dev_t dev);

#endif
