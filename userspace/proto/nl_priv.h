/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inside of struct nl, for nl.c and its unit tests only: the tests
 * replace send/recv with a scripted kernel to drive the receive loop
 * (NLM_F_DUMP_INTR retries, extack, NLMSG_DONE errors) without a module.
 */
#ifndef ANONLEAK_NL_PRIV_H
#define ANONLEAK_NL_PRIV_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Dump skbs are at most 32 KiB (netlink_dump() caps its allocation), and
 * our doit replies are small; 64 KiB leaves room. A longer message would
 * fail with -ENOSPC (MSG_TRUNC) rather than be misread.
 */
#define NL_RX_SIZE	(64 * 1024)

struct mnl_socket;

/* The multicast groups of the family, from its CTRL_ATTR_MCAST_GROUPS. */
#define NL_MAX_GROUPS	4

struct nl_group {
	char name[16];
	uint32_t id;
};

struct nl {
	struct mnl_socket *sock;	/* NULL in tests */
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t version;
	struct nl_group groups[NL_MAX_GROUPS];
	unsigned int nr_groups;
	char *rx;			/* NL_RX_SIZE bytes */
	char error_msg[256];
	uint32_t error_off;		/* NLMSGERR_ATTR_OFFS, 0 if none */
	/* The transport: libmnl by default. Return bytes or -1 with errno. */
	ssize_t (*send)(struct nl *nl, const void *buf, size_t len);
	ssize_t (*recv)(struct nl *nl, void *buf, size_t len);
	void *priv;			/* for a substitute transport */
};

/* A struct nl with no socket yet: the mnl transport, seq from the clock. */
struct nl *nl_new(void);

#endif
