/* SPDX-License-Identifier: GPL-2.0 */
/*
 * anonleak watch, without netlink and printing (print/watch.h): per-site history of live bytes over
 * repeated GET_SITES dumps, growth rates and the "only grows" flag.
 * Samples are timed by each message's ANONLEAK_A_NOW (CLOCK_BOOTTIME).
 */
#ifndef ANONLEAK_CORE_WATCH_H
#define ANONLEAK_CORE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "proto/request.h"
#include "proto/sites.h"

struct growth_sample {
	uint64_t t;		/* CLOCK_BOOTTIME ns */
	uint64_t bytes;		/* live bytes then */
};

/*
 * Least-squares slope of bytes over time, in bytes per minute. False if
 * there are fewer than two samples or they all have the same time.
 */
bool growth_rate(const struct growth_sample *s, size_t n, double *per_min);

/* Live bytes never went down from one sample to the next, and went up. */
bool growth_only_grows(const struct growth_sample *s, size_t n);

struct watch_site {
	uint64_t proc_id, id;		/* the key */
	uint32_t pid;
	char *comm;
	uint8_t state;
	uint32_t uid;
	bool has_uid;
	uint64_t live_count, live_bytes;	/* in the latest sample */
	struct frame_info top;		/* site_top_frame(), if has_top */
	bool has_top;
	size_t nr, cap;
	struct growth_sample *samples;	/* oldest first, pruned to the window */
	/* by watch_commit() */
	bool has_rate;
	double rate;			/* bytes per minute */
	bool only_grows;
};

struct watch {
	uint64_t window;		/* ns of history kept for the rate */
	size_t nr_samples;		/* committed */
	size_t nr, cap;
	struct watch_site *sites;	/* by (id, proc_id) */
	size_t nr_pending, cap_pending;
	struct site_msg *pending;	/* the sample being collected */
};

void watch_init(struct watch *w, uint64_t window_ns);
void watch_release(struct watch *w);

/* Add a message to the sample being collected (takes m): 0 or -ENOMEM. */
int watch_collect(struct watch *w, struct site_msg *m);
/* Forget the sample being collected (the dump starts over). */
void watch_discard(struct watch *w);
/* A sink (proto/request.h) for query_sites(): watch_collect(), watch_discard(). */
struct sink watch_sink(struct watch *w);

/*
 * Make the collected messages one sample: sites missing from it are
 * forgotten, new ones start a history (their top frame resolved with fn,
 * if not NULL). Each history keeps the samples of the last window ns
 * (at least two), and rates and flags are computed. 0 or -ENOMEM.
 */
int watch_commit(struct watch *w, symbolize_fn fn, void *ctx);

/*
 * Pointers to the sites in display order: growing (rate > 0) first, by
 * rate; then the others by live bytes. The caller frees the array; NULL
 * if there are no sites or no memory.
 */
const struct watch_site **watch_ranked(const struct watch *w);

#endif
