/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plain C structs for what the kernel reports: parse.c fills them from
 * netlink messages, report.c and status.c work on them without netlink.
 */
#ifndef ANONLEAK_MODEL_H
#define ANONLEAK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ANONLEAK_CMD_GET_STATS; u32 attributes are widened to u64. */
struct module_stats {
	uint64_t maps, unmaps, live_count, live_bytes;
	uint64_t procs, exited, sites;
	uint64_t drops, drops_nomem, drops_mappings, drops_sites, drops_procs, drops_exited;
	uint64_t missed;
	uint64_t filtered;	/* valid if has_filtered (modules before filters lack it) */
	bool has_filtered;
	uint64_t unnamed;	/* valid if has_unnamed (newer modules) */
	bool has_unnamed;
	uint64_t mapping_size, site_size, stack_depth;
	uint64_t max_mappings, max_sites, max_procs, max_exited;
	size_t nr_probes;
	char **probes;		/* kernel symbols probed */
};

/* One stack frame; innermost first in site_info.frames. */
struct frame_info {
	uint64_t addr;
	uint64_t offset;		/* file offset in object; valid if has_offset */
	bool has_offset;
	char *object;			/* path of the mapped file, or NULL */
	unsigned char *build_id;	/* GNU build-id, or NULL */
	size_t build_id_len;

	/* Filled by a symbolizer (symbolize.h); NULL/0 while unresolved. */
	char *symbol;
	uint64_t symbol_offset;		/* addr - symbol start */
	char *source_file;
	unsigned int source_line;
};

struct site_info {
	uint64_t id;
	uint64_t live_count, live_bytes;
	uint64_t total_maps, total_unmaps;
	uint64_t mapped_bytes, unmapped_bytes, peak_bytes;
	uint64_t first_seen, last_seen;	/* CLOCK_BOOTTIME ns */
	uint64_t oldest;		/* birth of the oldest live mapping, if has_oldest */
	bool has_oldest;
	uint64_t now;			/* ANONLEAK_A_NOW of the message: ages are relative to it */
	size_t nr_frames;
	struct frame_info *frames;
};

/* One message of the ANONLEAK_CMD_GET_SITES dump. */
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
	struct site_info site;
};

/* The sites of one process record, gathered from consecutive messages. */
struct report_proc {
	uint64_t proc_id;
	uint32_t pid;
	char *comm;
	uint8_t state;
	uint32_t uid;
	bool has_uid;
	uint64_t exit_time;
	bool has_exit_time;
	uint64_t now;			/* ANONLEAK_A_NOW of the latest message */
	uint64_t live_count, live_bytes;	/* sums over sites, by report_finish() */
	size_t nr_sites, cap_sites;
	struct site_info *sites;
};

struct report {
	size_t nr_procs, cap_procs;
	struct report_proc *procs;
	size_t nr_sites;			/* over all processes */
	uint64_t live_count, live_bytes;	/* totals, by report_finish() */
	size_t nr_cut;				/* sites removed by report_keep_top() */
};

/* One message of the ANONLEAK_CMD_GET_PROCS dump: one process record. */
struct proc_info {
	uint32_t pid;
	char *comm;			/* "" if the kernel sent none */
	uint64_t proc_id;
	uint8_t state;
	uint32_t uid;
	uint64_t now;
	uint64_t start_time;		/* CLOCK_BOOTTIME ns of the record's creation */
	uint64_t exit_time;		/* valid if has_exit_time */
	bool has_exit_time;
	uint64_t live_count, live_bytes, sites;
};

struct proc_list {
	size_t nr, cap;
	struct proc_info *procs;
};

/* One live tracked range (ANONLEAK_CMD_GET_MAPPINGS). */
struct mapping_info {
	uint64_t start, length;
	uint32_t prot, flags;		/* PROT_*, MAP_* as mapped */
	uint64_t birth;
	uint64_t site_id;
};

/* One GET_MAPPINGS message, or all of them appended (mappings_append). */
struct mapping_list {
	uint32_t pid;
	uint64_t proc_id;
	uint64_t now;
	size_t nr, cap;
	struct mapping_info *maps;
};

void frame_release(struct frame_info *f);
void site_release(struct site_info *s);
void site_msg_release(struct site_msg *m);
void proc_release(struct report_proc *p);
void stats_release(struct module_stats *st);
void proc_info_release(struct proc_info *p);
void proc_list_release(struct proc_list *l);
void mappings_release(struct mapping_list *m);

/* Move p into l (p is left zeroed); -ENOMEM (p is then released). */
int proc_list_add(struct proc_list *l, struct proc_info *p);
/* Move src's ranges to the end of dst (src is released); -ENOMEM. */
int mappings_append(struct mapping_list *dst, struct mapping_list *src);

/* Grow *arr (*cap elements of size sz) so that it holds at least n + 1. */
int array_grow(void **arr, size_t *cap, size_t n, size_t sz);

/* "running", "exited", or NULL for a state this build does not know */
const char *proc_state_name(uint8_t state);

#endif
