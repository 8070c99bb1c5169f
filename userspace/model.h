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
struct al_stats {
	uint64_t maps, unmaps, live_count, live_bytes;
	uint64_t procs, exited, sites;
	uint64_t drops, drops_nomem, drops_mappings, drops_sites, drops_procs, drops_exited;
	uint64_t missed;
	uint64_t mapping_size, site_size, stack_depth;
	uint64_t max_mappings, max_sites, max_procs, max_exited;
	size_t nr_probes;
	char **probes;		/* kernel symbols probed */
};

/* One stack frame; innermost first in al_site.frames. */
struct al_frame {
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

struct al_site {
	uint64_t id;
	uint64_t live_count, live_bytes;
	uint64_t total_maps, total_unmaps;
	uint64_t mapped_bytes, unmapped_bytes, peak_bytes;
	uint64_t first_seen, last_seen;	/* CLOCK_BOOTTIME ns */
	uint64_t oldest;		/* birth of the oldest live mapping, if has_oldest */
	bool has_oldest;
	uint64_t now;			/* ANONLEAK_A_NOW of the message: ages are relative to it */
	size_t nr_frames;
	struct al_frame *frames;
};

/* One message of the ANONLEAK_CMD_GET_SITES dump. */
struct al_site_msg {
	uint32_t pid;
	char *comm;			/* "" if the kernel sent none */
	uint64_t proc_id;
	uint8_t state;			/* enum anonleak_proc_state, maybe newer */
	uint64_t now;
	struct al_site site;
};

/* The sites of one process record, gathered from consecutive messages. */
struct al_proc {
	uint64_t proc_id;
	uint32_t pid;
	char *comm;
	uint8_t state;
	uint64_t live_count, live_bytes;	/* sums over sites, by report_finish() */
	size_t nr_sites, cap_sites;
	struct al_site *sites;
};

struct al_report {
	size_t nr_procs, cap_procs;
	struct al_proc *procs;
	size_t nr_sites;			/* over all processes */
	uint64_t live_count, live_bytes;	/* totals, by report_finish() */
};

void frame_release(struct al_frame *f);
void site_release(struct al_site *s);
void site_msg_release(struct al_site_msg *m);
void proc_release(struct al_proc *p);
void stats_release(struct al_stats *st);

/* "running", "exited", or NULL for a state this build does not know */
const char *proc_state_name(uint8_t state);

#endif
