/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests to the module, above the socket of nl.h: a doit answered by
 * exactly one message, a doit answered by an ACK, and a dump whose
 * messages are parsed and handed on one by one. The message files
 * (stats.h, sites.h, procs.h, mappings.h, config.h) build their requests
 * on these. Functions return 0 or -errno: -EPROTO with a reason in
 * perr->msg, other kernel errors with the extack message in
 * nl_error_msg().
 */
#ifndef ANONLEAK_PROTO_REQUEST_H
#define ANONLEAK_PROTO_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proto/attr.h"
#include "proto/nl.h"

/* A message parser (parse_*_msg()): 0, or -errno with err set and *obj released. */
typedef int (*msg_parse_fn)(const struct nlmsghdr *nlh, void *obj, struct parse_err *err);

/* Where the parsed messages of a dump go; add takes ownership of item. */
struct sink {
	int (*add)(void *ctx, void *item);
	void (*reset)(void *ctx);	/* the dump starts over */
	void *ctx;
};

/*
 * Run the dump req. Each message is parsed into item (room for one) and
 * passed to sink->add. A dump retried after NLM_F_DUMP_INTR (nl_dump())
 * sets *inconsistent if the last try was still inconsistent.
 */
int request_dump(struct nl *nl, struct nlmsghdr *req, msg_parse_fn parse, void *item,
		 const struct sink *sink, struct parse_err *perr, bool *inconsistent);

/* A message type that answers a doit with one message. */
struct reply_type {
	const char *name;		/* "stats": errors say "no stats reply" */
	msg_parse_fn parse;
	void (*release)(void *obj);
	size_t size;			/* of *obj */
};

/* Run the doit req, whose answer must be one message of type t, into obj. */
int request_one(struct nl *nl, struct nlmsghdr *req, const struct reply_type *t, void *obj,
		struct parse_err *perr);

/* Run the doit req, which is answered with an ACK only. */
int request_ack(struct nl *nl, struct nlmsghdr *req);

/*
 * The void * wrappers of typed functions that request_dump(), request_one()
 * and struct sink call, each defined static in a message file:
 *   DEFINE_PARSE_FN(fn, parse_proc_msg)   int fn(nlh, void *obj, err)
 *   DEFINE_RELEASE_FN(fn, proc_list_release)   void fn(void *obj)
 *   DEFINE_ADD_FN(fn, proc_list_add)   int fn(void *ctx, void *item)
 */
#define DEFINE_PARSE_FN(fn, parse)					\
	static int fn(const struct nlmsghdr *nlh, void *obj, struct parse_err *err) \
	{								\
		return parse(nlh, obj, err);				\
	}
#define DEFINE_RELEASE_FN(fn, release)					\
	static void fn(void *obj)					\
	{								\
		release(obj);						\
	}
#define DEFINE_ADD_FN(fn, add)						\
	static int fn(void *ctx, void *item)				\
	{								\
		return add(ctx, item);					\
	}

/* ANONLEAK_CMD_CLEAR; pid 0: every record. */
int query_clear(struct nl *nl, pid_t pid);

#endif
