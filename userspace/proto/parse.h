/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parse anonleak generic netlink messages into the structs of model.h.
 *
 * Every attribute is checked with mnl_attr_validate() before it is read,
 * unknown attribute types are skipped (the protocol only ever appends),
 * and attribute streams must fill their container exactly, so a
 * truncated or overlong attribute is an error rather than silently
 * dropped. Any violation returns -EPROTO with a reason in *err; the
 * output struct is then released and zeroed.
 */
#ifndef ANONLEAK_PARSE_H
#define ANONLEAK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>

#include "core/config.h"
#include "core/model.h"

struct parse_err {
	char msg[160];
};

int parse_stats_msg(const struct nlmsghdr *nlh, struct module_stats *st, struct parse_err *err);
int parse_site_msg(const struct nlmsghdr *nlh, struct site_msg *m, struct parse_err *err);
/* One GET_PROCS message. */
int parse_proc_msg(const struct nlmsghdr *nlh, struct proc_info *p, struct parse_err *err);
/* One GET_MAPPINGS message: its batch of ranges into m (m->nr of them). */
int parse_mappings_msg(const struct nlmsghdr *nlh, struct mapping_list *m, struct parse_err *err);
/* The GET_CONFIG reply: every setting is required. */
int parse_config_msg(const struct nlmsghdr *nlh, struct module_config *cfg, struct parse_err *err);

/*
 * True if [payload, payload + len) is a sequence of well-formed netlink
 * attributes that ends exactly at len (the last one may lack padding).
 * libmnl's iterators stop quietly at the first bad attribute instead.
 */
bool nla_stream_ok(const void *payload, size_t len);

#endif
