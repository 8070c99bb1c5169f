// SPDX-License-Identifier: GPL-2.0
/*
 * Privileges and namespaces.
 *
 * An unprivileged user, root inside an unprivileged user namespace, real
 * root inside a user namespace of its own, and a socket carried across a
 * privilege change in either direction all get EPERM on every command, in
 * doit and dump form, and learn nothing: the only reply is the error, with
 * no data and nothing beyond the request echoed back. A network namespace
 * other than the initial one does not see the family at all. No reply and
 * no event carries a kernel pointer. Pids are reported in the pid namespace
 * of the reader: a process in a child pid namespace sees its own pids and
 * nobody outside, and the initial namespace sees the same processes under
 * their global pids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

#define NOBODY 65534

AL_RAW_SITE(pv_site)

/* ---- raw requests, to see every byte of the reply ---- */

static int nl_open(void)
{
	return al_t_socket(true, false, 10);
}

struct outcome {
	int error;		/* the final error, 0 for an ACK or DONE */
	unsigned int data;	/* data messages before it */
	bool extra;		/* anything in the error beyond the echo */
	bool echo_differs;	/* the echoed request is not ours */
};

/*
 * Send @cmd (as a dump if @dump) with a pid attribute if @pid, on @fd; with
 * NETLINK_CAP_ACK set or not (@cap). Reads to the end of the reply.
 */
/*
 * sendto() with an address makes the kernel judge the sender's capabilities
 * only (NETLINK_SKB_DST); send() without one also checks the socket opener's.
 */
static bool use_send;

static int ask(int fd, int family, uint8_t cmd, bool dump, uint32_t pid,
	       bool cap, struct outcome *o)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static uint8_t req[256], buf[65536];
	struct nlmsghdr *nlh = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	int c = cap;
	ssize_t n;

	memset(o, 0, sizeof(*o));
	memset(req, 0, sizeof(req));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &c, sizeof(c));
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = 77;
	g->cmd = cmd;
	g->version = 1;
	if (pid) {
		struct nlattr *a = (void *)((char *)nlh + nlh->nlmsg_len);

		a->nla_len = NLA_HDRLEN + 4;
		a->nla_type = ANONLEAK_A_PID;
		memcpy((char *)a + NLA_HDRLEN, &pid, 4);
		nlh->nlmsg_len += NLA_ALIGN(a->nla_len);
	}
	if ((use_send ? send(fd, req, nlh->nlmsg_len, 0) :
	     sendto(fd, req, nlh->nlmsg_len, 0, (struct sockaddr *)&sa,
		    sizeof(sa))) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *r;
		int len;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		len = n;
		for (r = (void *)buf; NLMSG_OK(r, len); r = NLMSG_NEXT(r, len)) {
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(r);
				size_t base = NLMSG_LENGTH(sizeof(*e));

				o->error = e->error;
				if (!(r->nlmsg_flags & NLM_F_CAPPED) && e->error) {
					/* The whole request comes back: ours. */
					base += nlh->nlmsg_len - sizeof(*nlh);
					if (memcmp(&e->msg, nlh, nlh->nlmsg_len))
						o->echo_differs = true;
				}
				/* Extack TLVs of an EPERM would be news. */
				if (r->nlmsg_len > NLMSG_ALIGN(base) ||
				    (r->nlmsg_flags & NLM_F_ACK_TLVS))
					o->extra = true;
				return 0;
			}
			if (r->nlmsg_type == NLMSG_DONE) {
				o->error = *(int *)NLMSG_DATA(r);
				return 0;
			}
			o->data++;
		}
	}
}

static const uint8_t cmds[] = {
	ANONLEAK_CMD_GET_STATS, ANONLEAK_CMD_GET_SITES, ANONLEAK_CMD_GET_PROCS,
	ANONLEAK_CMD_GET_MAPPINGS, ANONLEAK_CMD_GET_CONFIG,
	ANONLEAK_CMD_SET_CONFIG, ANONLEAK_CMD_CLEAR, ANONLEAK_CMD_UNWIND_LOAD,
	ANONLEAK_CMD_UNWIND_DROP, ANONLEAK_CMD_GET_UNWIND,
	ANONLEAK_CMD_GET_EXEMPLAR,
};

static bool is_dump(uint8_t cmd)
{
	return cmd == ANONLEAK_CMD_GET_SITES || cmd == ANONLEAK_CMD_GET_PROCS ||
	       cmd == ANONLEAK_CMD_GET_MAPPINGS || cmd == ANONLEAK_CMD_GET_UNWIND;
}

/*
 * Every command, doit and dump, with and without a pid that has records,
 * with and without NETLINK_CAP_ACK: EPERM and nothing else. Returns 0, or
 * a code naming the first failure (for a child's exit status).
 */
static int all_denied(int fd, int family, uint32_t victim, bool verbose)
{
	unsigned int i, form;
	struct outcome o;
	int ret;

	for (i = 0; i < sizeof(cmds); i++) {
		for (form = 0; form < 8; form++) {
			bool dump = form & 1, cap = form & 2;
			uint32_t pid = form & 4 ? victim : 0;

			/*
			 * A request in the wrong form (a dump of a doit, or the
			 * reverse) may be refused as such first (6.12 checks
			 * the op before the permission): EOPNOTSUPP is no news.
			 */
			bool right = dump == is_dump(cmds[i]);
			bool denied;

			ret = ask(fd, family, cmds[i], dump, pid, cap, &o);
			denied = o.error == -EPERM ||
				 (!right && o.error == -EOPNOTSUPP);
			if (ret || !denied || o.data || o.extra ||
			    o.echo_differs) {
				if (verbose)
					fprintf(stderr, "cmd %u dump %d pid %u cap %d: ret %d error %d data %u extra %d echo %d\n",
						cmds[i], dump, pid, cap, ret,
						o.error, o.data, o.extra,
						o.echo_differs);
				return 10 + i;
			}
		}
	}
	/* The events are no requests, and nothing else is either. */
	if (ask(fd, family, ANONLEAK_CMD_EXIT_EVENT, false, 0, true, &o) ||
	    (o.error != -EOPNOTSUPP && o.error != -EPERM) || o.data)
		return 20;
	if (ask(fd, family, ANONLEAK_CMD_OBJECT_EVENT, false, 0, true, &o) ||
	    (o.error != -EOPNOTSUPP && o.error != -EPERM) || o.data)
		return 22;
	if (ask(fd, family, 200, false, victim, true, &o) ||
	    (o.error != -EOPNOTSUPP && o.error != -EPERM) || o.data)
		return 21;
	return 0;
}

static int join_events(int fd, int grp)
{
	return setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			  sizeof(grp)) ? -errno : 0;
}

/* Also dumpable again, so that it may write its own /proc/self/ files. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
	    prctl(PR_SET_DUMPABLE, 1))
		return -1;
	return 0;
}

/*
 * The kernel refuses CLONE_NEWUSER to a chrooted process, and the test
 * guest runs everything chrooted into the host's root. Root can leave the
 * chroot for the rest of this (child) process: only /proc is needed after.
 */
static int leave_chroot(void)
{
	struct stat self_root, init_root;
	int fd, i;

	if (stat("/", &self_root) || stat("/proc/1/root/", &init_root))
		return 0;	/* cannot tell: try as we are */
	if (self_root.st_dev == init_root.st_dev &&
	    self_root.st_ino == init_root.st_ino)
		return 0;
	if (mkdir("/tmp/.anonleak-privs", 0700) && errno != EEXIST)
		return -errno;
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || chroot("/tmp/.anonleak-privs") || fchdir(fd))
		return -errno;
	close(fd);
	for (i = 0; i < 64; i++)
		if (chdir(".."))
			return -errno;
	if (chroot(".") || chdir("/"))
		return -errno;
	return 0;
}

/* A user namespace where we are root: uid/gid @outside map to 0. */
static int enter_userns(uid_t outside, int extra_flags)
{
	char map[64];

	if (unshare(CLONE_NEWUSER | extra_flags))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1\n", outside);
	if (al_put("/proc/self/setgroups", "deny") ||
	    al_put("/proc/self/uid_map", "%s", map) ||
	    al_put("/proc/self/gid_map", "%s", map))
		return -EIO;
	return 0;
}

static bool has_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_NET_ADMIN / 32].effective & (1U << (CAP_NET_ADMIN % 32));
}

/* Run @fn in a child; returns its exit status, or -1 if it died. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * In a test: run @fn in a child, which must exit 0; exit status 4 says
 * this kernel or machine cannot set the case up (skipped, @why).
 */
#define IN_CHILD_OR_SKIP(fn, why) do {					\
	int ret_ = in_child(fn, &self->c);				\
									\
	if (ret_ == 4)							\
		SKIP(return, why);					\
	EXPECT_EQ(0, ret_);						\
} while (0)

struct ctx {
	int family;
	uint32_t victim;	/* a pid with records */
	int grp;
	int objects_grp;
	int fd;			/* a socket handed over, or -1 */
};

/* ---- unprivileged callers ---- */

FIXTURE(privs) {
	struct ctx c;
};

FIXTURE_SETUP(privs)
{
	unsigned int i;

	if (geteuid())
		SKIP(return, "needs root");
	self->c.family = al_t_family();
	ASSERT_LT(0, self->c.family) TH_LOG("the anonleak family is not registered");
	self->c.victim = getpid();
	for (i = 0; i < 4; i++)
		ASSERT_NE(MAP_FAILED, pv_site(PG));
	self->c.grp = al_t_events_group();
	ASSERT_LE(0, self->c.grp);
	self->c.objects_grp = al_t_group(ANONLEAK_MCGRP_OBJECTS);
	ASSERT_LE(0, self->c.objects_grp);
	self->c.fd = -1;
}

FIXTURE_TEARDOWN(privs)
{
}

/*
 * On a socket of its own, the caller gets EPERM for every request and
 * cannot join the events group: 0, or a code for a child's exit status.
 */
static int denied_with_events(struct ctx *c)
{
	int fd = nl_open(), ret;

	if (fd < 0)
		return 6;
	ret = all_denied(fd, c->family, c->victim, true);
	if (ret)
		return ret;
	if (join_events(fd, c->grp) != -EPERM)
		return 7;
	if (join_events(fd, c->objects_grp) != -EPERM)
		return 8;
	return 0;
}

static int nobody_fn(void *arg)
{
	struct ctx *c = arg;

	if (become_nobody())
		return 2;
	if (has_net_admin())
		return 3;
	return denied_with_events(c);
}

TEST_F(privs, unprivileged_user_gets_eperm_and_nothing_else)
{
	EXPECT_EQ(0, in_child(nobody_fn, &self->c));
}

/*
 * Well-formed unwind requests from nobody: a valid table upload, a drop of
 * a loaded table and of all of them, the table list and a real exemplar.
 * Each is EPERM with nothing in it, and the tables stay as they were.
 */
struct unwind_ctx {
	uint32_t dev;
	uint64_t ino, proc_id, site_id;
};

static const struct anonleak_unwind_rule pv_rules[] = {
	{ 8, 0, ANONLEAK_UNWIND_CFA_SP, ANONLEAK_UNWIND_FP_SAME },
	{ 0, 0, ANONLEAK_UNWIND_CFA_UNKNOWN, ANONLEAK_UNWIND_FP_SAME },
};
static const struct anonleak_unwind_row pv_rows[] = { { 0, 0 }, { 64, 1 } };

static void pv_upload(struct al_t_upload *u, uint32_t dev, uint64_t ino)
{
	memset(u, 0, sizeof(*u));
	u->dev = dev;
	u->ino = ino;
	u->size = 4096;
	u->mtime = 1;
	u->path = "/privs/table";
	u->rows = pv_rows;
	u->rows_bytes = sizeof(pv_rows);
	u->rules = pv_rules;
	u->rules_bytes = sizeof(pv_rules);
}

/* The unwind requests of @c, each EPERM: 0, or a code naming the first not. */
static int unwind_denied(struct unwind_ctx *c)
{
	struct al_t_utables ts;
	struct al_t_exemplar ex;
	struct al_t_upload u;
	char ext[AL_T_EXT];

	pv_upload(&u, c->dev, c->ino + 1);
	if (al_t_unwind_load(&u, ext) != -EPERM || ext[0])
		return 10;
	pv_upload(&u, c->dev, c->ino);	/* a replacement */
	if (al_t_unwind_load(&u, ext) != -EPERM || ext[0])
		return 11;
	if (al_t_unwind_drop(c->dev, c->ino, false, ext) != -EPERM || ext[0])
		return 12;
	if (al_t_unwind_drop(0, 0, true, ext) != -EPERM || ext[0])
		return 13;
	if (al_t_unwinds(&ts) != -EPERM || ts.n)
		return 14;
	free(ts.v);
	if (al_t_exemplar(c->proc_id, c->site_id, &ex, ext) != -EPERM ||
	    ex.site_id || ex.stack_len || ex.nmaps)
		return 15;
	free(ex.stack);
	return 0;
}

static int unwind_nobody_fn(void *arg)
{
	if (become_nobody())
		return 2;
	return unwind_denied(arg);
}

/*
 * Root without CAP_NET_ADMIN (the one capability the family asks for), all
 * the others kept, CAP_SYS_ADMIN among them.
 */
static int unwind_root_fn(void *arg)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	unsigned int w = CAP_NET_ADMIN / 32, b = 1U << (CAP_NET_ADMIN % 32);

	if (syscall(SYS_capget, &h, d) ||
	    !(d[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32))))
		return 2;
	d[w].effective &= ~b;
	d[w].permitted &= ~b;
	d[w].inheritable &= ~b;
	if (syscall(SYS_capset, &h, d) || has_net_admin() || geteuid())
		return 3;
	return unwind_denied(arg);
}

/* Tables and exemplars stay out of reach of @fn's caller, and unchanged. */
static void unwind_out_of_reach(struct __test_metadata *_metadata,
				int (*fn)(void *))
{
	struct unwind_ctx c = { .dev = (15U << 20) | 99, .ino = 4711 };
	struct al_t_utables before, after;
	struct al_t_upload u;
	struct al_t_dump d;
	unsigned int i;

	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	for (i = 0; i < d.n && !c.site_id; i++)
		if (d.sites[i].c[ANONLEAK_SITE_A_FLAGS] & ANONLEAK_SITE_F_EXEMPLAR) {
			c.site_id = d.sites[i].c[ANONLEAK_SITE_A_ID];
			c.proc_id = d.sites[i].proc_id;
		}
	free(d.sites);
	ASSERT_NE(0, c.site_id) TH_LOG("no site with an exemplar to ask for");
	pv_upload(&u, c.dev, c.ino);
	ASSERT_EQ(0, al_t_unwind_load(&u, NULL));
	ASSERT_EQ(0, al_t_unwinds(&before));
	EXPECT_EQ(0, in_child(fn, &c));
	ASSERT_EQ(0, al_t_unwinds(&after));
	ASSERT_EQ(before.n, after.n);
	for (i = 0; i < after.n; i++)
		EXPECT_EQ(before.v[i].v[ANONLEAK_UNWIND_A_ID],
			  after.v[i].v[ANONLEAK_UNWIND_A_ID]);
	EXPECT_EQ(NULL, al_t_utable_of(&after, c.dev, c.ino + 1));
	free(before.v);
	free(after.v);
	EXPECT_EQ(0, al_t_unwind_drop(c.dev, c.ino, false, NULL));
}

TEST_F(privs, unprivileged_user_cannot_touch_tables_or_exemplars)
{
	unwind_out_of_reach(_metadata, unwind_nobody_fn);
}

TEST_F(privs, root_without_net_admin_cannot_touch_tables_or_exemplars)
{
	unwind_out_of_reach(_metadata, unwind_root_fn);
}

/* Root of a user namespace made by nobody: all capabilities, there. */
static int userns_fn(void *arg)
{
	struct ctx *c = arg;
	int ret;

	if (leave_chroot() || become_nobody())
		return 2;
	ret = enter_userns(NOBODY, 0);
	if (ret == -EPERM || ret == -ENOSPC || ret == -EINVAL)
		return 4;	/* user namespaces are not allowed here */
	if (ret)
		return 3;
	if (getuid() != 0 || !has_net_admin())
		return 5;
	return denied_with_events(c);
}

TEST_F(privs, root_in_unprivileged_userns_gets_eperm)
{
	IN_CHILD_OR_SKIP(userns_fn, "unprivileged user namespaces are disabled");
}

/* Real root entering a user namespace of its own loses the family too. */
static int root_userns_fn(void *arg)
{
	struct ctx *c = arg;
	int fd, ret;

	if (leave_chroot())
		return 2;
	ret = enter_userns(0, 0);
	if (ret)
		return 4;
	if (!has_net_admin())
		return 5;
	fd = nl_open();
	if (fd < 0)
		return 6;
	return all_denied(fd, c->family, c->victim, true);
}

TEST_F(privs, root_in_its_own_userns_gets_eperm)
{
	IN_CHILD_OR_SKIP(root_userns_fn, "cannot create a user namespace");
}

/* In another network namespace the family does not exist. */
static int netns_fn(void *arg)
{
	struct ctx *c = arg;
	struct outcome o;
	unsigned int i;
	int fd, ret;

	if (leave_chroot() || become_nobody())
		return 2;
	ret = enter_userns(NOBODY, CLONE_NEWNET);
	if (ret)
		return 4;
	fd = nl_open();
	if (fd < 0)
		return 6;
	if (al_t_family() != -ENOENT)
		return 7;
	/* Even with the id learned outside. */
	for (i = 0; i < sizeof(cmds); i++) {
		bool dump = is_dump(cmds[i]);

		if (ask(fd, c->family, cmds[i], dump, c->victim, true, &o))
			return 8;
		if ((o.error != -ENOENT && o.error != -EPERM) || o.data)
			return 10 + i;
	}
	return 0;
}

TEST_F(privs, other_network_namespace_sees_no_family)
{
	IN_CHILD_OR_SKIP(netns_fn, "cannot create user and network namespaces");
}

/* A socket root opened, used after dropping privileges. */
static int dropped_fn(void *arg)
{
	struct ctx *c = arg;
	int fd = nl_open();

	if (fd < 0)
		return 6;
	if (become_nobody())
		return 2;
	return all_denied(fd, c->family, c->victim, true);
}

TEST_F(privs, root_socket_used_after_setuid_gets_eperm)
{
	EXPECT_EQ(0, in_child(dropped_fn, &self->c));
}

/*
 * And a socket nobody opened, used by root with send(): the opener's rights
 * count too. (With sendto() and an explicit address, the kernel's rule is
 * that only the sender's count: root is root.)
 */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, x;
	struct iovec iov = { .iov_base = &x, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

TEST_F(privs, nobodys_socket_used_by_root_gets_eperm)
{
	int sp[2], fd, status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sp));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sp[0]);
		if (become_nobody())
			_exit(2);
		fd = nl_open();
		if (fd < 0 || send_fd(sp[1], fd))
			_exit(3);
		_exit(0);
	}
	close(sp[1]);
	fd = recv_fd(sp[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_LE(0, fd);
	ASSERT_TRUE(has_net_admin());
	use_send = true;
	EXPECT_EQ(0, all_denied(fd, self->c.family, self->c.victim, true));
	use_send = false;
	close(fd);
	close(sp[0]);
}

/* ---- no kernel pointers, anywhere ---- */

static unsigned int leaks, values;

static void check_u64(const struct nlattr *a, bool id)
{
	uint64_t v;

	if (mnl_attr_get_payload_len(a) != 8)
		return;
	v = mnl_attr_get_u64(a);
	values++;
	if (v >= AL_KERNEL_HALF || (id && v > 0xffffffffULL))
		leaks++;
}

static int leaf_cb(const struct nlattr *a, void *data);

/* Levels: what the schema says each attribute is. */
enum { L_TOP, L_SITE, L_FRAMES, L_FRAME, L_PROC, L_MAPS, L_MAP, L_STATS };

static int walk_nest(const struct nlattr *a, int level)
{
	return mnl_attr_parse_nested(a, leaf_cb, (void *)(intptr_t)level);
}

static int leaf_cb(const struct nlattr *a, void *data)
{
	int level = (intptr_t)data, t = mnl_attr_get_type(a);

	switch (level) {
	case L_TOP:
		if (t == ANONLEAK_A_SITE)
			return walk_nest(a, L_SITE);
		if (t == ANONLEAK_A_PROC)
			return walk_nest(a, L_PROC);
		if (t == ANONLEAK_A_MAPPINGS)
			return walk_nest(a, L_MAPS);
		if (t == ANONLEAK_A_STATS)
			return walk_nest(a, L_STATS);
		if (t == ANONLEAK_A_PROC_ID || t == ANONLEAK_A_NOW ||
		    t == ANONLEAK_A_START_TIME || t == ANONLEAK_A_EXIT_TIME)
			check_u64(a, t == ANONLEAK_A_PROC_ID);
		break;
	case L_SITE:
		if (t == ANONLEAK_SITE_A_FRAMES)
			return walk_nest(a, L_FRAMES);
		check_u64(a, t == ANONLEAK_SITE_A_ID);
		break;
	case L_FRAMES:
		return walk_nest(a, L_FRAME);
	case L_FRAME:
		if (t == ANONLEAK_FRAME_A_ADDR || t == ANONLEAK_FRAME_A_OFFSET)
			check_u64(a, false);
		break;
	case L_MAPS:
		return walk_nest(a, L_MAP);
	case L_MAP:
		check_u64(a, t == ANONLEAK_MAPPING_A_SITE_ID);
		break;
	case L_PROC:
	case L_STATS:
		check_u64(a, false);
		break;
	}
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned int *)data)++;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), leaf_cb,
			      (void *)(intptr_t)L_TOP);
}

TEST_F(privs, no_kernel_pointers_in_replies_or_events)
{
	struct timeval tv = { .tv_sec = 10 };
	unsigned int msgs = 0, events = 0;
	uint32_t me = getpid();
	struct mnl_socket *nl;
	char buf[16384];
	int status, len;
	pid_t pid;

	leaks = values = 0;
	ASSERT_NE(MAP_FAILED, mremap(pv_site(2 * PG), 2 * PG, 8 * PG, MREMAP_MAYMOVE));
	ASSERT_EQ(0, al_t_req(self->c.family, ANONLEAK_CMD_GET_STATS, 0, NULL,
			      NULL, msg_cb, &msgs, NULL));
	ASSERT_EQ(0, al_t_req(self->c.family, ANONLEAK_CMD_GET_SITES, NLM_F_DUMP,
			      NULL, NULL, msg_cb, &msgs, NULL));
	ASSERT_EQ(0, al_t_req(self->c.family, ANONLEAK_CMD_GET_PROCS, NLM_F_DUMP,
			      NULL, NULL, msg_cb, &msgs, NULL));
	ASSERT_EQ(0, al_t_req(self->c.family, ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP,
			      al_t_put_pid, &me, msg_cb, &msgs, NULL));

	/* An exit event. */
	nl = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, join_events(mnl_socket_get_fd(nl), self->c.grp));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pv_site(3 * PG);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	ASSERT_LT(0, len);
	ASSERT_LE(0, mnl_cb_run(buf, len, 0, 0, msg_cb, &events));
	mnl_socket_close(nl);

	al_say("checked %u values in %u messages and %u events\n",
	       values, msgs, events);
	EXPECT_LT(0, events);
	EXPECT_LT(10, values);
	EXPECT_EQ(0, leaks);
}

/* ---- pid namespaces ---- */

/* The pid filter's setting, as this caller sees it. */
static int filter_pid(uint32_t *pid)
{
	struct al_t_config c;
	int ret = al_t_get_config(&c);

	*pid = c.v[ANONLEAK_CONFIG_A_FILTER_PID];
	if (ret)
		return ret;
	return c.seen & AL_T_CFG_BIT(FILTER_PID) ? 0 : -EBADMSG;
}

static int set_filter_pid(uint32_t pid)
{
	return al_t_set_config1(ANONLEAK_CONFIG_A_FILTER_PID, pid);
}

#define NS_MAPS 5

/*
 * pid 1 of a new pid namespace: maps NS_MAPS ranges, starts pid 2 (which
 * maps 2), then checks what it is told. @outsider is a pid of the initial
 * namespace with records. Writes its children's global pids nowhere: the
 * initial namespace finds them itself.
 */
static int ns_init(int family, uint32_t outsider, int ready_fd, int go_fd)
{
	struct al_t_procs ps;
	struct al_t_proc *p;
	struct al_t_dump d;
	int kid_pipe[2], ret = 0, fd;
	uint32_t fp, two;
	unsigned int i;
	pid_t kid;
	char c;

	if (getpid() != 1)
		return 30;
	for (i = 0; i < NS_MAPS; i++)
		if (pv_site(PG) == MAP_FAILED)
			return 31;
	if (pipe(kid_pipe))
		return 32;
	kid = fork();
	if (kid < 0)
		return 33;
	if (!kid) {
		pv_site(PG);
		pv_site(PG);
		if (write(kid_pipe[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(kid_pipe[0], &c, 1) != 1)
		return 34;
	two = kid;

	/* Only this namespace's processes, under this namespace's pids. */
	if (al_t_procs(0, &ps))
		return 35;
	for (i = 0; i < ps.n; i++)
		if (ps.v[i].pid != 1 && ps.v[i].pid != two) {
			fprintf(stderr, "pidns: saw pid %u (comm %s)\n",
				ps.v[i].pid, ps.v[i].comm);
			ret = ret ? ret : 36;
		}
	p = al_t_proc_of(&ps, 1);
	if (!p || p->count != NS_MAPS)
		ret = ret ? ret : 37;
	p = al_t_proc_of(&ps, two);
	if (!p || p->count != 2)
		ret = ret ? ret : 38;
	free(ps.v);
	/* Sites: only ours and the kid's. */
	if (al_t_sites(0, &d))
		return 39;
	for (i = 0; i < d.n; i++)
		if (d.sites[i].pid != 1 && d.sites[i].pid != two)
			ret = ret ? ret : 40;
	free(d.sites);
	/* "pid 1" is this process, not the initial namespace's init. */
	if (al_t_sites(1, &d) || !d.n)
		return 41;
	for (i = 0; i < d.n; i++)
		if (d.sites[i].pid != 1 || d.sites[i].state != ANONLEAK_PROC_RUNNING)
			ret = ret ? ret : 42;
	free(d.sites);
	/* A process outside is not there to be asked about. */
	if (outsider != 1 && outsider != two) {
		if (al_t_sites(outsider, &d))
			return 43;
		if (d.n)
			ret = ret ? ret : 44;
		free(d.sites);
		fd = al_t_req(family, ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP,
			      al_t_put_pid, &outsider, NULL, NULL, NULL);
		if (fd != -ESRCH)
			ret = ret ? ret : 45;
		if (set_filter_pid(outsider) != -ESRCH)
			ret = ret ? ret : 46;
	}
	/* The pid filter takes and shows pids of this namespace. */
	if (set_filter_pid(two))
		return 47;
	if (filter_pid(&fp) || fp != two)
		ret = ret ? ret : 48;

	/* Let the initial namespace look, then clean up. */
	if (write(ready_fd, &two, sizeof(two)) != sizeof(two))
		return 49;
	if (read(go_fd, &c, 1) != 1)
		return 50;
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	return ret;
}

TEST_F(privs, pids_are_reported_in_the_callers_pid_namespace)
{
	int ready[2], go[2], status, ret;
	uint32_t fp, two;
	struct al_t_procs ps;
	struct al_t_proc *p;
	pid_t outer, init1 = -1;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	/* outer: unshares the pid namespace; its child is pid 1 there. */
	outer = fork();
	ASSERT_LE(0, outer);
	if (!outer) {
		pid_t in;

		if (unshare(CLONE_NEWPID))
			_exit(4);
		in = fork();
		if (in < 0)
			_exit(5);
		if (!in)
			_exit(ns_init(self->c.family, self->c.victim, ready[1],
				      go[0]));
		/* Tell the test pid 1's global pid, then wait for it. */
		if (write(ready[1], &in, sizeof(in)) != sizeof(in))
			_exit(6);
		if (waitpid(in, &status, 0) != in || !WIFEXITED(status))
			_exit(7);
		_exit(WEXITSTATUS(status));
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(sizeof(init1), read(ready[0], &init1, sizeof(init1)));
	/* ns_init is ready when it sends pid 2's in-namespace pid. */
	ret = read(ready[0], &two, sizeof(two));
	if (ret == sizeof(two)) {
		/* From here the same processes have their global pids. */
		ASSERT_EQ(0, al_t_procs(0, &ps));
		p = al_t_proc_of(&ps, init1);
		ASSERT_NE(NULL, p) TH_LOG("pid 1 of the namespace (%d) not listed", init1);
		EXPECT_EQ(NS_MAPS, p->count);
		/* The filter, set inside as "pid 2", is a global pid here. */
		ASSERT_EQ(0, filter_pid(&fp));
		EXPECT_NE(two, fp);
		EXPECT_NE(0, fp);
		p = al_t_proc_of(&ps, fp);
		ASSERT_NE(NULL, p) TH_LOG("filter pid %u is not the namespace's pid 2", fp);
		EXPECT_EQ(2, p->count);
		free(ps.v);
	}
	EXPECT_EQ(0, set_filter_pid(0));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(outer, waitpid(outer, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		SKIP(return, "cannot create a pid namespace");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("check %d inside the namespace failed", WEXITSTATUS(status));
}

AL_TEST_MAIN
