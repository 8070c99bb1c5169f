/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink socket to the "anonleak" family: family lookup,
 * one request/reply ("doit") and dumps with retry. Functions return 0 or
 * -errno; after a kernel error, nl_error_msg() holds the kernel's extack
 * message (or a local explanation), "" if there is none.
 */
#ifndef ANONLEAK_NL_H
#define ANONLEAK_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

/* How often a dump is run when the kernel flags it NLM_F_DUMP_INTR. */
#define NL_DUMP_TRIES	4

/*
 * Room for one request: a genl header and a handful of attributes (there
 * is no bounds check when adding them). Aligned for struct nlmsghdr.
 */
struct nl_req {
	_Alignas(struct nlmsghdr) char buf[256];
};

struct nl;

/* A handler for each data message; returns 0 or -errno (stops the run). */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct nl_dump_ops {
	nl_msg_cb msg;
	/* Forget what msg collected: the dump is about to start over. */
	void (*reset)(void *data);
};

/*
 * Open a socket and resolve the family. -ENOENT: no family "anonleak"
 * (module not loaded); -EPROTO: the kernel's family version is newer
 * than this tool's ANONLEAK_GENL_VERSION. On failure why (why_len bytes)
 * holds the kernel's or a local explanation, or "".
 */
int nl_open(struct nl **out, char *why, size_t why_len);

/* The same for any generic netlink family (the tests use "nlctrl"). */
int nl_open_family(struct nl **out, const char *name, uint32_t max_version,
		   char *why, size_t why_len);
void nl_close(struct nl *nl);

uint32_t nl_family_version(const struct nl *nl);
const char *nl_error_msg(const struct nl *nl);
/*
 * After a kernel error: the offset of the attribute it blames in the
 * request (NLMSGERR_ATTR_OFFS, from the start of the nlmsghdr), or 0.
 */
uint32_t nl_error_offset(const struct nl *nl);

/* Start a request for cmd in req; add attributes to the result after. */
struct nlmsghdr *nl_request(struct nl *nl, struct nl_req *req, uint8_t cmd, uint16_t flags);

/*
 * Start a request for cmd in buf (len bytes, zeroed here, aligned for
 * struct nlmsghdr), for messages larger than struct nl_req.
 */
struct nlmsghdr *nl_request_buf(struct nl *nl, void *buf, size_t len, uint8_t cmd,
				uint16_t flags);

/* Raise the socket's send buffer for a request of len bytes: 0 or -errno. */
int nl_set_sndbuf(struct nl *nl, size_t len);

/*
 * Join the family's multicast group name (as the kernel listed it when the
 * family was resolved): 0, -ENOENT (no such group), -EPERM, ...
 */
int nl_join_group(struct nl *nl, const char *name);

/* The socket, to poll() for multicast messages; -1 in tests. */
int nl_fd(const struct nl *nl);

/*
 * Read one buffer of multicast messages (blocking) and pass those of the
 * family to cb. 0, -ENOBUFS when the kernel dropped some (the receive
 * buffer overflowed), or another -errno. Use a socket of its own, not one
 * that also sends requests.
 */
int nl_recv_events(struct nl *nl, nl_msg_cb cb, void *data);

/* Send a doit request (NLM_F_ACK is added) and pass each reply to cb. */
int nl_doit(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data);

/*
 * Run a dump (NLM_F_DUMP is added). When the kernel marks it inconsistent
 * (NLM_F_DUMP_INTR), ops->reset is called and the dump repeated, up to
 * NL_DUMP_TRIES runs in all; if the last run is still inconsistent its
 * results are kept and *inconsistent is set.
 */
int nl_dump(struct nl *nl, struct nlmsghdr *req, const struct nl_dump_ops *ops,
	    void *data, bool *inconsistent);

#endif
