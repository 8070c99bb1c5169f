/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ANONLEAK_CMD_GET_SITES: one message per (process record, call site),
 * with the site's counters and its user stack.
 */
#ifndef ANONLEAK_PROTO_SITES_H
#define ANONLEAK_PROTO_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/attr.h"
#include "proto/nl.h"
#include "proto/request.h"

/* One stack frame; innermost first in site_info.frames. */
struct frame_info {
	uint64_t addr;
	uint64_t offset;		/* file offset in object; valid if has_offset */
	bool has_offset;
	char *object;			/* path of the mapped file, or NULL */
	unsigned char *build_id;	/* GNU build-id, or NULL */
	size_t build_id_len;

	/* Filled by a symbolizer (core/symbolize.h); NULL/0 while unresolved. */
	char *symbol;
	uint64_t symbol_offset;		/* addr - symbol start */
	char *source_file;
	unsigned int source_line;
	/*
	 * Where symbol came from (a static string, never freed): "symtab" (the
	 * object's own .symtab), "dynsym" (its dynamic symbols), "debuginfo"
	 * (a separate debug file: /usr/lib/debug, .gnu_debuglink),
	 * "debuginfod" (fetched by elfutils' debuginfod client),
	 * "minidebuginfo" (.gnu_debugdata) or "nearest-dynsym" (no symbol
	 * holds the address: the nearest dynamic symbol before it in its
	 * section, so symbol_offset may reach into an unnamed function).
	 */
	const char *symbol_source;
};

/* symbol_source of a nearest-dynamic-symbol guess (shown "[nearest]"). */
#define SYMBOL_SOURCE_NEAREST "nearest-dynsym"

struct site_info {
	uint64_t id;
	uint64_t live_count, live_bytes;
	uint64_t total_maps, total_unmaps;
	uint64_t mapped_bytes, unmapped_bytes, peak_bytes;
	uint64_t first_seen, last_seen;	/* CLOCK_BOOTTIME ns */
	uint64_t oldest;		/* birth of the oldest live mapping, if has_oldest */
	bool has_oldest;
	uint64_t now;			/* ANONLEAK_A_NOW of the message: ages are relative to it */
	uint32_t flags;			/* ANONLEAK_SITE_F_*, if has_flags */
	bool has_flags;			/* modules before unwind tables lack them */
	uint64_t resident;		/* by core/resident.h: bytes resident, if has_resident */
	bool has_resident;
	size_t nr_frames, cap_frames;
	struct frame_info *frames;
};

/* One message of the dump. */
struct site_msg {
	uint32_t pid;
	char *comm;			/* "" if the kernel sent none */
	uint64_t proc_id;
	uint8_t state;			/* enum anonleak_proc_state, maybe newer */
	uint64_t now;
	uint32_t uid;			/* valid if has_uid (modules before UID lack it) */
	bool has_uid;
	uint64_t exit_time;		/* valid if has_exit_time (exited records) */
	bool has_exit_time;
	uint64_t cgroup_id;		/* cgroup v2 id, valid if has_cgroup_id */
	bool has_cgroup_id;
	struct site_info site;
};

/*
 * The name of site flag bit (one ANONLEAK_SITE_F_*): "unwound", "partial",
 * "anon-exec", "complete", "truncated", "exemplar"; NULL for a bit this
 * build does not know.
 */
const char *site_flag_name(uint32_t bit);

void frame_release(struct frame_info *f);
void site_release(struct site_info *s);
void site_msg_release(struct site_msg *m);

/*
 * One message. Required: everything the UAPI header lists without a
 * condition, except ANONLEAK_A_COMM, ANONLEAK_SITE_A_FRAMES (their
 * absence just means "nothing to show") and, in a frame, all but
 * ANONLEAK_FRAME_A_ADDR; and ANONLEAK_A_UID, which came later.
 */
int parse_site_msg(const struct nlmsghdr *nlh, struct site_msg *m, struct parse_err *err);

/* The request's filters; zero values mean "not sent". */
struct site_query {
	pid_t pid;
	uint64_t min_bytes;		/* ANONLEAK_A_MIN_BYTES, if has_min_bytes */
	uint64_t min_age;		/* ANONLEAK_A_MIN_AGE (ns), if has_min_age */
	bool has_min_bytes, has_min_age;
};

/* Add q's attributes to a GET_SITES request. */
void site_query_put(struct nlmsghdr *nlh, const struct site_query *q);

/* The dump: each message, a struct site_msg, to sink (which takes it). */
int query_sites(struct nl *nl, const struct site_query *q, const struct sink *sink,
		struct parse_err *perr, bool *inconsistent);

#endif
