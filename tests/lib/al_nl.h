/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal client of the "anonleak" generic netlink family, for the
 * selftests and the benchmark: independent of the CLI on purpose, so that a
 * bug in one does not hide in the other.
 *
 * Every call opens a socket of its own (with NETLINK_EXT_ACK and
 * NETLINK_CAP_ACK), sends one request and reads its replies to the ACK,
 * the error or the end of the dump; it returns 0 or the -errno the kernel
 * answered with (or that a system call failed with). The readers of
 * records (al_sites.h, al_procs.h, al_mappings.h, al_config.h, al_stats.h)
 * are built on it.
 */
#ifndef AL_NL_H
#define AL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/anonleak.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* Kernel addresses on x86-64 have their top 17 bits set. */
#define AL_KERNEL_HALF 0xffff800000000000ULL

/* Room for an extack message. */
#define AL_T_EXT 256

/* The readers try a dump up to this many times while it is interrupted. */
#define AL_T_TRIES 4

/* Adds the attributes of a request. */
typedef void (*al_t_build_t)(struct nlmsghdr *nlh, void *arg);

struct al_t_call {
	int family;		/* 0: look "anonleak" up first, same socket */
	uint8_t cmd;
	uint16_t flags;		/* besides NLM_F_REQUEST | NLM_F_ACK */
	al_t_build_t build;	/* or NULL */
	void *barg;
	mnl_cb_t cb;		/* every data message, or NULL; returning */
	void *data;		/* less than MNL_CB_OK fails with -EBADMSG */
	/*
	 * A dump answered with NLM_F_DUMP_INTR is tried again, up to @tries
	 * times in all, if @n is set: the count of records @cb collected,
	 * zeroed before each new try.
	 */
	unsigned int *n;
	unsigned int tries;
	char *ext;		/* AL_T_EXT bytes for extack's message, or NULL */
	/*
	 * A request larger than the reply buffer (AL_T_BUF) is built in
	 * @reqbuf (@reqcap bytes; the builder stays within it), and the
	 * socket's send buffer is raised to fit it.
	 */
	char *reqbuf;
	size_t reqcap;
	/* Results. */
	bool intr;		/* some try was interrupted */
	unsigned int tried;	/* tries made */
	uint64_t msgs;		/* data messages (of every try) */
	uint64_t recvs;		/* recv() calls */
	uint64_t bytes;		/* bytes received */
};

int al_t_call(struct al_t_call *c);

/* al_t_call() in one line; @family 0 looks the family up. */
int al_t_req(int family, uint8_t cmd, uint16_t flags, al_t_build_t build,
	     void *barg, mnl_cb_t cb, void *data, char ext[AL_T_EXT]);

/*
 * A dump of @cmd, with ANONLEAK_A_PID if @pid is not 0, into a collector:
 * @cb adds each message's records to @data and counts them in *@n; tried
 * up to @tries times while interrupted (*@intr: some try was). @ext (or
 * NULL) gets the extack message. 0 or -errno.
 */
int al_t_dump(uint8_t cmd, uint32_t pid, mnl_cb_t cb, void *data,
	      unsigned int *n, unsigned int tries, bool *intr,
	      char ext[AL_T_EXT]);

/* The family's id, -ENOENT if it is not registered, or -errno. */
int al_t_family(void);

/* The id of the family's "events" multicast group, or -1. */
int al_t_events_group(void);

/* The id of the family's multicast group @name, or -1. */
int al_t_group(const char *name);

/*
 * The unsigned attributes nested in @nest (u8, u16, u32 or u64, told by
 * their length) into @v[type], for types up to @max (< 32) and not in the
 * mask @skip (1 << type); each one read is set in *@seen, if not NULL.
 */
void al_t_uints(const struct nlattr *nest, uint64_t *v, unsigned int max,
		uint32_t skip, uint32_t *seen);

/* The same for the top-level attributes of a generic netlink message. */
void al_t_msg_uints(const struct nlmsghdr *nlh, uint64_t *v, unsigned int max);

/* An unsigned attribute of @bits (8, 16, 32 or 64) bits. */
void al_t_put_uint(struct nlmsghdr *nlh, uint16_t type, int bits, uint64_t v);

/* A build function: ANONLEAK_A_PID, the u32 @pid points to. */
void al_t_put_pid(struct nlmsghdr *nlh, void *pid);

/*
 * Attribute lists, built by al_t_put_attrs():
 *   AL_T_ATTRS({ ANONLEAK_A_PID, 32, pid })
 *   AL_T_ATTRS(AL_T_NEST(ANONLEAK_A_CONFIG), AL_T_CFG(STACK_DEPTH, 32, 5),
 *	       { ANONLEAK_CONFIG_A_FILTER_COMM, 's', 0, "x" }, AL_T_END)
 * Kinds: 8, 32, 64 (bits), 's' (string), 'n' (nest start), 'e' (nest end).
 */
struct al_t_attr {
	uint16_t type;
	uint8_t kind;
	uint64_t v;
	const char *s;
};

struct al_t_attrs {
	struct al_t_attr a[12];
	int n;
};

#define AL_T_ATTRS(...) (&(struct al_t_attrs){ .a = { __VA_ARGS__ },	\
	.n = sizeof((struct al_t_attr[]){ __VA_ARGS__ }) /		\
	     sizeof(struct al_t_attr) })
#define AL_T_NEST(t) { t, 'n', 0, NULL }
#define AL_T_END { 0, 'e', 0, NULL }
#define AL_T_CFG(t, k, v) { ANONLEAK_CONFIG_A_##t, k, v, NULL }

void al_t_put_attrs(struct nlmsghdr *nlh, void *attrs);

/*
 * A bare NETLINK_GENERIC socket, bound, for tests that read every byte of
 * a reply themselves: with NETLINK_EXT_ACK if @ext, NETLINK_CAP_ACK if
 * @cap, a receive timeout of @timeout_s seconds if not 0. An fd, or -1.
 */
int al_t_socket(bool ext, bool cap, int timeout_s);

#endif /* AL_NL_H */
