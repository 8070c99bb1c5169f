/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwind tables (UNWIND_LOAD, UNWIND_DROP, GET_UNWIND), exemplars
 * (GET_EXEMPLAR), object events, and the identity of the file a text
 * address lies in, as the module sees it (/proc/self/maps).
 */
#ifndef AL_UNWIND_H
#define AL_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "al_nl.h"

/* The file mapping holding an address, from /proc/PID/maps. */
struct al_t_fmap {
	uint64_t start, end, pgoff;
	uint32_t dev;		/* the kernel's encoding: major << 20 | minor */
	uint64_t ino;
	uint64_t size, mtime;	/* stat() of the path: ns since the epoch */
	char path[256];
};

/* The mapping of this process that holds @addr: 0 or -errno. */
int al_t_fmap_of(uintptr_t addr, struct al_t_fmap *m);

/* The file offset of @addr in @m. */
static inline uint32_t al_t_fmap_off(const struct al_t_fmap *m, uintptr_t addr)
{
	return (uint32_t)(addr - m->start + m->pgoff);
}

/* One upload: the file's identity, rows and rules, as the UAPI says. */
struct al_t_upload {
	uint32_t dev;
	uint64_t ino, size, mtime;
	const char *path;		/* or NULL */
	const uint8_t *build_id;	/* or NULL */
	unsigned int build_id_len;
	const struct anonleak_unwind_row *rows;
	size_t rows_bytes;		/* need not be whole rows (tests) */
	const struct anonleak_unwind_rule *rules;
	size_t rules_bytes;
	size_t chunk;			/* bytes per ROWS/RULES attribute, 0: most */
	bool no_nest;			/* leave ANONLEAK_A_UNWIND out */
	uint32_t skip;			/* 1 << ANONLEAK_UNWIND_A_*: leave out */
};

/* The identity of @m into @u (rows and rules untouched). */
void al_t_upload_of(struct al_t_upload *u, const struct al_t_fmap *m);

/* The identity of the file of @st into @u (rows and rules untouched). */
void al_t_upload_of_stat(struct al_t_upload *u, const struct stat *st);

/* The kernel's encoding of @d, as the module and /proc/PID/maps give it. */
uint32_t al_t_kdev(dev_t d);

/*
 * A file of one page of zeros in /tmp, unlinked, for executable mappings
 * of a file of our own: its fd (and its stat in @st), or -1.
 */
int al_t_exec_file(struct stat *st);

/* UNWIND_LOAD of @u: 0 or -errno, @ext (or NULL) the extack message. */
int al_t_unwind_load(const struct al_t_upload *u, char ext[AL_T_EXT]);

/* UNWIND_DROP of (@dev, @ino), or of every table if @all: 0 or -errno. */
int al_t_unwind_drop(uint32_t dev, uint64_t ino, bool all, char ext[AL_T_EXT]);

/* UNWIND_DROP with only DEV in the nest (malformed): 0 or -errno. */
int al_t_unwind_drop_dev_only(uint32_t dev, char ext[AL_T_EXT]);

/* A table as GET_UNWIND lists it. */
struct al_t_utable {
	uint64_t v[ANONLEAK_UNWIND_A_MAX + 1];	/* numbers by attribute */
	char path[256];
	uint8_t build_id[20];
	unsigned int build_id_len;
};

struct al_t_utables {
	struct al_t_utable *v;		/* free() it */
	unsigned int n, cap;
	bool intr;
};

/* GET_UNWIND into @ts: 0 or -errno. */
int al_t_unwinds(struct al_t_utables *ts);

/*
 * The loaded tables, as GET_UNWIND and GET_STATS say, for comparisons
 * (memcmp: every byte is set) and for consistency checks.
 */
struct al_t_unwind_state {
	uint64_t ids[8];		/* the first tables' ids, in load order */
	uint64_t n;			/* tables listed */
	uint64_t list_rows, list_bytes;	/* their NROWS and BYTES, summed */
	uint64_t tables, rows, bytes;	/* GET_STATS: UNWIND_TABLES, _ROWS, _BYTES */
	uint64_t refused;		/* GET_STATS: UNWIND_REFUSED */
};

/* Both into @s: 0 or -errno. */
int al_t_unwind_state(struct al_t_unwind_state *s);

/* The counts of @s agree: listed tables, rows and bytes are the stats'. */
static inline bool al_t_unwind_state_ok(const struct al_t_unwind_state *s)
{
	return s->n == s->tables && s->list_rows == s->rows &&
	       s->list_bytes == s->bytes;
}

/* The table of (@dev, @ino) in @ts, or NULL. */
struct al_t_utable *al_t_utable_of(struct al_t_utables *ts, uint32_t dev,
				   uint64_t ino);

/* GET_EXEMPLAR's reply. */
struct al_t_exmap {
	uint64_t start, end, off;
	char path[256];
};

struct al_t_exemplar {
	uint64_t site_id, proc_id;
	uint32_t pid;
	uint64_t regs[ANONLEAK_EXEMPLAR_REGS];
	unsigned int nregs_bytes;
	uint8_t *stack;			/* free() it */
	unsigned int stack_len;
	struct al_t_exmap maps[ANONLEAK_EXEMPLAR_MAPS];
	unsigned int nmaps;
};

/* The exemplar of site @site_id of proc @proc_id: 0 or -errno. */
int al_t_exemplar(uint64_t proc_id, uint64_t site_id, struct al_t_exemplar *ex,
		  char ext[AL_T_EXT]);

/* An OBJECT_EVENT, from a message of the "objects" group. */
struct al_t_objev {
	uint32_t pid;
	uint32_t dev;
	uint64_t ino, start, end;
	bool has_proc_id;
};

/* Parse @nlh as an OBJECT_EVENT: 0, or -1 if it is none. */
int al_t_objev_parse(const struct nlmsghdr *nlh, struct al_t_objev *ev);

#endif /* AL_UNWIND_H */
