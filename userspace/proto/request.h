/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The anonleak requests, one function each: build the request, run it,
 * parse the replies into model.h structs. Return 0 or -errno; -EPROTO
 * with a reason in perr->msg, other kernel errors with the extack
 * message in nl_error_msg(). Dumps retried after NLM_F_DUMP_INTR set
 * *inconsistent if the last try was still inconsistent.
 */
#ifndef ANONLEAK_QUERY_H
#define ANONLEAK_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/model.h"
#include "proto/nl.h"
#include "proto/parse.h"

/* GET_SITES request filters; zero values mean "not sent". */
struct site_query {
	pid_t pid;
	uint64_t min_bytes;		/* ANONLEAK_A_MIN_BYTES, if has_min_bytes */
	uint64_t min_age;		/* ANONLEAK_A_MIN_AGE (ns), if has_min_age */
	bool has_min_bytes, has_min_age;
};

/* Where the site messages of a dump go; add takes ownership of m. */
struct site_sink {
	int (*add)(void *ctx, struct site_msg *m);
	void (*reset)(void *ctx);	/* the dump starts over */
	void *ctx;
};

/* Add q's attributes to a GET_SITES request. */
void site_query_put(struct nlmsghdr *nlh, const struct site_query *q);

int query_sites(struct nl *nl, const struct site_query *q, const struct site_sink *sink,
		struct parse_err *perr, bool *inconsistent);
/* GET_PROCS, all records or those of pid; l is reset first. */
int query_procs(struct nl *nl, pid_t pid, struct proc_list *l, struct parse_err *perr,
		bool *inconsistent);
/* GET_MAPPINGS of pid, every batch appended into m. */
int query_mappings(struct nl *nl, pid_t pid, struct mapping_list *m, struct parse_err *perr,
		   bool *inconsistent);
int query_get_config(struct nl *nl, struct module_config *cfg, struct parse_err *perr);
/*
 * SET_CONFIG. On a kernel error that blames one setting
 * (NLMSGERR_ATTR_OFFS), *bad_key gets it, else -1.
 */
int query_set_config(struct nl *nl, const struct module_config *cfg, int *bad_key);
/* CLEAR; pid 0: every record. */
int query_clear(struct nl *nl, pid_t pid);

#endif
