// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink protocol beyond stats and sites: GET_PROCS, GET_MAPPINGS,
 * GET/SET_CONFIG, CLEAR, the "events" group, and malformed requests, which
 * must fail with an extack message and leave the module's state intact.
 */
#define _GNU_SOURCE
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

static AL_SITE_FN(pr_site, (size_t len, int prot, int flags),
		  syscall(SYS_mmap, NULL, len, prot, flags, -1, 0))

#define ATTRS AL_T_ATTRS

/* A request to the family, with the attributes of @as (or none). */
static int req(uint8_t cmd, uint16_t flags, struct al_t_attrs *as, mnl_cb_t cb,
	       void *data, char ext[AL_T_EXT])
{
	return al_t_req(0, cmd, flags, as ? al_t_put_attrs : NULL, as, cb, data,
			ext);
}

/* GET_PROCS -------------------------------------------------------------- */

TEST(get_procs)
{
	struct al_t_procs ps;

	ASSERT_NE(MAP_FAILED, pr_site(3 * PG, RW, PA));
	ASSERT_NE(MAP_FAILED, pr_site(2 * PG, RW, PA));
	ASSERT_EQ(0, al_t_procs(getpid(), &ps));
	ASSERT_EQ(1, ps.n);
	EXPECT_EQ((uint32_t)getpid(), ps.v[0].pid);
	EXPECT_EQ(0, ps.v[0].uid);
	EXPECT_EQ(ANONLEAK_PROC_RUNNING, ps.v[0].state);
	EXPECT_EQ(2, ps.v[0].count);
	EXPECT_EQ(5 * PG, ps.v[0].bytes);
	EXPECT_EQ(2, ps.v[0].sites);	/* two call lines, two stacks */
	EXPECT_NE(0, ps.v[0].start);
	EXPECT_EQ(0, ps.v[0].exit);
	free(ps.v);
}

/* GET_MAPPINGS ----------------------------------------------------------- */

TEST(get_mappings_exact)
{
	uint64_t site_b = 0, site_b_tail = 1;
	char ext[256];
	struct al_t_maps m;
	char *a, *b;

	ASSERT_EQ(0, al_t_maps_init(&m, 64));
	a = pr_site(4 * PG, PROT_READ, PA | MAP_NORESERVE);
	ASSERT_NE(MAP_FAILED, a);
	b = pr_site(6 * PG, RW, PA);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, munmap(b + 2 * PG, PG));
	ASSERT_EQ(0, al_t_mappings(getpid(), &m, ext));
	ASSERT_EQ(3, m.n);
	EXPECT_EQ(9 * PG, m.bytes);
	/* sorted by address; each range where it is */
	EXPECT_LT(m.v[0].start, m.v[1].start);
	EXPECT_LT(m.v[1].start, m.v[2].start);
	for (size_t i = 0; i < m.n; i++) {
		uintptr_t s = m.v[i].start;

		if (s == (uintptr_t)b)
			site_b = m.v[i].site_id;
		else if (s == (uintptr_t)b + 3 * PG)
			site_b_tail = m.v[i].site_id;
		if (s == (uintptr_t)a) {
			EXPECT_EQ(4 * PG, m.v[i].len);
			EXPECT_EQ(PROT_READ, m.v[i].prot);
			EXPECT_TRUE(m.v[i].flags & MAP_NORESERVE);
		} else if (s == (uintptr_t)b) {
			EXPECT_EQ(2 * PG, m.v[i].len);
		} else {
			EXPECT_EQ((uintptr_t)b + 3 * PG, s);
			EXPECT_EQ(3 * PG, m.v[i].len);
		}
	}
	/* the two pieces of b are one site */
	EXPECT_NE(0, site_b);
	EXPECT_EQ(site_b, site_b_tail);

	/* no such process: -ESRCH with a message */
	EXPECT_EQ(-ESRCH, al_t_mappings(0x3ffffff0, &m, ext));
	EXPECT_NE(0, ext[0]);
	/* the pid is required */
	EXPECT_EQ(-EINVAL, req(ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP, NULL,
			       al_t_maps_cb, &m, ext));
	EXPECT_NE(0, ext[0]);
}

static AL_SITE_FN(fixed_site, (void *addr),
		  mmap(addr, getpagesize(), PROT_READ,
		       PA | MAP_FIXED | MAP_NORESERVE, -1, 0))

FIXTURE(many) {
	int unused;
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

/*
 * Many ranges in one process (ANONLEAK_MANY_MAPPINGS, default 1000000):
 * the dump resumes across thousands of messages and returns every one.
 */
TEST_F_TIMEOUT(many, mappings_dump, 900)
{
	size_t want = al_env_ul("ANONLEAK_MANY_MAPPINGS", 1000000), i, n, bytes;
	struct al_t_stats st;
	struct al_t_maps m;
	double t0, t1;
	char max[32];
	char *p;

	snprintf(max, sizeof(max), "%zu", want + 1000);
	ASSERT_EQ(0, al_ko_param("max_mappings", max));
	/* One reservation, then page by page with MAP_FIXED: few VMAs. */
	p = mmap(NULL, want * PG, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < want; i++)
		if (fixed_site(p + i * PG) != p + i * PG)
			break;
	ASSERT_EQ(want, i);
	ASSERT_EQ(0, al_t_stats(&st));
	ASSERT_EQ(0, st.c[ANONLEAK_STATS_A_DROPS]);
	ASSERT_EQ(0, al_t_maps_init(&m, want + 16));
	t0 = al_now_s();
	ASSERT_EQ(0, al_t_mappings(getpid(), &m, NULL));
	t1 = al_now_s();
	/* the arrays above are tracked mappings too: count the reservation */
	for (i = 0, n = 0, bytes = 0; i < m.n; i++) {
		if (i && m.v[i - 1].start + m.v[i - 1].len > m.v[i].start)
			break;
		if (m.v[i].start >= (uintptr_t)p &&
		    m.v[i].start < (uintptr_t)p + want * PG) {
			n++;
			bytes += m.v[i].len;
		}
	}
	EXPECT_EQ(m.n, i) TH_LOG("ranges out of order or overlapping at %zu", i);
	EXPECT_EQ(want, n);
	EXPECT_EQ(want * PG, bytes);
	EXPECT_FALSE(m.intr);
	TH_LOG("%u ranges dumped in %.2f s", m.n, t1 - t0);
}

/* 3^11 distinct call stacks: a path of three kinds of frames. */
static AL_SITE void *tri(int n, unsigned int code);

static AL_SITE_FN(tri_a, (int n, unsigned int code), tri(n, code))
static AL_SITE_FN(tri_b, (int n, unsigned int code), tri(n, code))
static AL_SITE_FN(tri_c, (int n, unsigned int code), tri(n, code))

static AL_SITE void *tri(int n, unsigned int code)
{
	void *p;

	if (!n)
		p = pr_site(PG, PROT_READ, PA | MAP_NORESERVE);
	else if (code % 3 == 0)
		p = tri_a(n - 1, code / 3);
	else if (code % 3 == 1)
		p = tri_b(n - 1, code / 3);
	else
		p = tri_c(n - 1, code / 3);
	al_barrier();
	return p;
}

struct site_count {
	size_t n;
	uint64_t live;
	bool intr;
};

static int site_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct site_count *c = data;
	struct al_t_site s;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		c->intr = true;
	if (al_t_site_parse(nlh, &s) < MNL_CB_OK)
		return MNL_CB_ERROR;
	c->n++;
	c->live += s.c[ANONLEAK_SITE_A_LIVE_COUNT];
	return MNL_CB_OK;
}

/*
 * Many sites (ANONLEAK_MANY_SITES, default 100000) in one process: the
 * site dump resumes across thousands of messages and returns every one.
 */
TEST_F_TIMEOUT(many, sites_dump, 900)
{
	unsigned int want = al_env_ul("ANONLEAK_MANY_SITES", 100000), i;
	struct site_count c = { 0 };
	struct al_t_stats st;

	ASSERT_GE(177147, want);
	ASSERT_EQ(0, al_ko_param("stack_depth", "32"));
	ASSERT_EQ(0, al_ko_param("max_sites", "200000"));
	for (i = 0; i < want; i++)
		ASSERT_NE(MAP_FAILED, tri(11, i));
	ASSERT_EQ(0, al_t_stats(&st));
	ASSERT_EQ(0, st.c[ANONLEAK_STATS_A_DROPS]);
	ASSERT_EQ(0, req(ANONLEAK_CMD_GET_SITES, NLM_F_DUMP,
			 ATTRS({ ANONLEAK_A_PID, 32, getpid() }), site_count_cb,
			 &c, NULL));
	/* this process's other mappings (the harness, system()) are sites too */
	EXPECT_LE(want, c.n);
	EXPECT_GE(want + 16, c.n);
	EXPECT_LE(want, c.live);
	EXPECT_FALSE(c.intr);
	TH_LOG("%zu sites dumped", c.n);
}

/* CONFIG ----------------------------------------------------------------- */

#define CFG AL_T_CFG
#define NEST AL_T_NEST(ANONLEAK_A_CONFIG)
#define END AL_T_END

TEST(config_get_set)
{
	struct al_t_config c0, c;
	char ext[256];

	ASSERT_EQ(0, al_t_get_config(&c0));
	EXPECT_EQ(1, c0.v[ANONLEAK_CONFIG_A_ENABLED]);
	EXPECT_EQ(8, c0.v[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(ANONLEAK_UID_ANY, c0.v[ANONLEAK_CONFIG_A_FILTER_UID]);
	EXPECT_EQ(0, c0.v[ANONLEAK_CONFIG_A_FILTER_PID]);

	ASSERT_EQ(0, req(ANONLEAK_CMD_SET_CONFIG, 0,
			 ATTRS(NEST, CFG(STACK_DEPTH, 32, 5),
			       CFG(MIN_SIZE, 64, 8192),
			       { ANONLEAK_CONFIG_A_FILTER_COMM, 's', 0, "nobody-here" },
			       CFG(FILTER_PID, 32, getpid()), END),
			 NULL, NULL, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, al_t_get_config(&c));
	EXPECT_EQ(5, c.v[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(8192, c.v[ANONLEAK_CONFIG_A_MIN_SIZE]);
	EXPECT_EQ((uint64_t)getpid(), c.v[ANONLEAK_CONFIG_A_FILTER_PID]);
	EXPECT_STREQ("nobody-here", c.comm);

	/* all or nothing: a valid depth with an invalid pid changes nothing */
	EXPECT_EQ(-ESRCH, req(ANONLEAK_CMD_SET_CONFIG, 0,
			      ATTRS(NEST, CFG(STACK_DEPTH, 32, 7),
				    CFG(FILTER_PID, 32, 0x3ffffff0), END),
			      NULL, NULL, ext));
	EXPECT_NE(0, ext[0]);
	/* out of range, per the policy: -ERANGE, with a message */
	EXPECT_EQ(-ERANGE, req(ANONLEAK_CMD_SET_CONFIG, 0,
			       ATTRS(NEST, CFG(STACK_DEPTH, 32, 0), END),
			       NULL, NULL, ext));
	EXPECT_NE(0, ext[0]);
	EXPECT_EQ(-ERANGE, req(ANONLEAK_CMD_SET_CONFIG, 0,
			       ATTRS(NEST, CFG(MAX_MAPPINGS, 64, 0), END),
			       NULL, NULL, ext));
	EXPECT_EQ(-ERANGE, req(ANONLEAK_CMD_SET_CONFIG, 0,
			       ATTRS(NEST, CFG(ENABLED, 8, 2), END),
			       NULL, NULL, ext));
	/* wrong type: a u8 where a u32 belongs */
	EXPECT_EQ(-EINVAL, req(ANONLEAK_CMD_SET_CONFIG, 0,
			       ATTRS(NEST, CFG(STACK_DEPTH, 8, 4), END),
			       NULL, NULL, ext));
	EXPECT_NE(0, ext[0]);
	/* no settings at all: the message names the missing nest */
	EXPECT_EQ(-EINVAL, req(ANONLEAK_CMD_SET_CONFIG, 0, NULL, NULL, NULL, ext));
	EXPECT_NE(NULL, strstr(ext, "ANONLEAK_A_CONFIG")) TH_LOG("extack: '%s'", ext);
	ASSERT_EQ(0, al_t_get_config(&c));
	EXPECT_EQ(5, c.v[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(c0.v[ANONLEAK_CONFIG_A_MAX_MAPPINGS],
		  c.v[ANONLEAK_CONFIG_A_MAX_MAPPINGS]);

	/* back to the defaults */
	ASSERT_EQ(0, req(ANONLEAK_CMD_SET_CONFIG, 0,
			 ATTRS(NEST, CFG(STACK_DEPTH, 32, 8), CFG(MIN_SIZE, 64, 0),
			       { ANONLEAK_CONFIG_A_FILTER_COMM, 's', 0, "" },
			       CFG(FILTER_PID, 32, 0),
			       CFG(FILTER_UID, 32, ANONLEAK_UID_ANY), END),
			 NULL, NULL, ext));
	ASSERT_EQ(0, al_t_get_config(&c));
	EXPECT_EQ(0, c.v[ANONLEAK_CONFIG_A_FILTER_PID]);
	EXPECT_STREQ("", c.comm);
}

/* CLEAR ------------------------------------------------------------------ */

TEST(clear)
{
	struct al_t_dump d;
	char ext[256];
	pid_t pid;
	int status;

	ASSERT_NE(MAP_FAILED, pr_site(2 * PG, RW, PA));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pr_site(PG, RW, PA);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	/* one pid: its records go, the others stay */
	ASSERT_EQ(0, req(ANONLEAK_CMD_CLEAR, 0,
			 ATTRS({ ANONLEAK_A_PID, 32, getpid() }), NULL, NULL, ext));
	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	EXPECT_EQ(0, d.n);
	free(d.sites);
	usleep(100000);
	ASSERT_EQ(0, al_t_sites(pid, &d));
	EXPECT_EQ(1, d.n);
	free(d.sites);

	/* still tracked, from zero */
	ASSERT_NE(MAP_FAILED, pr_site(3 * PG, RW, PA));
	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	ASSERT_EQ(1, d.n);
	EXPECT_EQ(3 * PG, d.sites[0].c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(1, d.sites[0].c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	free(d.sites);

	EXPECT_EQ(-ESRCH, req(ANONLEAK_CMD_CLEAR, 0,
			      ATTRS({ ANONLEAK_A_PID, 32, 0x3ffffff0 }),
			      NULL, NULL, ext));
	EXPECT_NE(0, ext[0]);

	/* everything */
	ASSERT_EQ(0, req(ANONLEAK_CMD_CLEAR, 0, NULL, NULL, NULL, ext));
	ASSERT_EQ(0, al_t_sites(0, &d));
	EXPECT_EQ(0, d.n);
	free(d.sites);
}

/* The "events" group ----------------------------------------------------- */

TEST(exit_event)
{
	struct timeval tv = { .tv_sec = 10 };
	struct al_t_proc r = { 0 };
	int grp = al_t_events_group(), status, len;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char buf[8192];
	pid_t pid;

	ASSERT_LE(0, grp);
	nl = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &grp,
					   sizeof(grp)));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pr_site(7 * PG, RW, PA);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	while (r.pid != (uint32_t)pid) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ASSERT_LT(0, len) TH_LOG("no event: %s", strerror(errno));
		nlh = (struct nlmsghdr *)buf;
		ASSERT_EQ(ANONLEAK_CMD_EXIT_EVENT,
			  ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
		al_t_proc_parse(nlh, &r);
	}
	EXPECT_EQ(ANONLEAK_PROC_EXITED, r.state);
	EXPECT_EQ(7 * PG, r.bytes);
	EXPECT_EQ(1, r.count);
	EXPECT_NE(0, r.exit);
	mnl_socket_close(nl);

	/* joining needs CAP_NET_ADMIN */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		nl = mnl_socket_open(NETLINK_GENERIC);
		if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
			_exit(11);
		_exit(mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &grp,
					    sizeof(grp)) ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Bad input -------------------------------------------------------------- */

static void raw_u8_pid(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u8(nlh, ANONLEAK_A_PID, 1);
}

static void unknown_attr(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u32(nlh, 200, 1);
}

TEST(malformed_requests)
{
	struct al_t_stats st0, st1;
	struct al_t_dump d = { 0 };
	char ext[256];
	int fam = al_t_family();

	ASSERT_LT(0, fam);
	ASSERT_EQ(0, al_t_stats(&st0));
	/* a pid attribute of the wrong size */
	EXPECT_EQ(-EINVAL, al_t_req(fam, ANONLEAK_CMD_GET_SITES, NLM_F_DUMP,
				    raw_u8_pid, NULL, al_t_dump_cb, &d, ext));
	EXPECT_NE(0, ext[0]);
	/* an attribute the command does not take */
	EXPECT_EQ(-EINVAL, al_t_req(fam, ANONLEAK_CMD_GET_STATS, 0, unknown_attr,
				    NULL, NULL, NULL, ext));
	EXPECT_EQ(-EINVAL, al_t_req(fam, ANONLEAK_CMD_GET_STATS, 0, raw_u8_pid,
				    NULL, NULL, NULL, ext));
	EXPECT_NE(0, ext[0]);
	/* pid 0 is not a pid */
	EXPECT_EQ(-ERANGE, req(ANONLEAK_CMD_GET_SITES, NLM_F_DUMP,
			       ATTRS({ ANONLEAK_A_PID, 32, 0 }), NULL, NULL, ext));
	/* unknown command, dump of a doit, doit of a dump */
	EXPECT_EQ(-EOPNOTSUPP, al_t_req(fam, 99, 0, NULL, NULL, NULL, NULL, ext));
	EXPECT_EQ(-EOPNOTSUPP, al_t_req(fam, ANONLEAK_CMD_GET_CONFIG, NLM_F_DUMP,
				       NULL, NULL, NULL, NULL, ext));
	EXPECT_EQ(-EOPNOTSUPP, al_t_req(fam, ANONLEAK_CMD_GET_SITES, 0,
				       NULL, NULL, NULL, NULL, ext));
	/* nothing changed */
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_SITES], st1.c[ANONLEAK_STATS_A_SITES]);
	EXPECT_EQ(st0.c[ANONLEAK_STATS_A_STACK_DEPTH],
		  st1.c[ANONLEAK_STATS_A_STACK_DEPTH]);
}

TEST(unprivileged_every_command)
{
	static const uint8_t cmds[] = {
		ANONLEAK_CMD_GET_STATS, ANONLEAK_CMD_GET_SITES,
		ANONLEAK_CMD_GET_PROCS, ANONLEAK_CMD_GET_MAPPINGS,
		ANONLEAK_CMD_GET_CONFIG, ANONLEAK_CMD_SET_CONFIG,
		ANONLEAK_CMD_CLEAR,
	};
	int status, fam = al_t_family();
	pid_t pid;

	ASSERT_LT(0, fam);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned int i;
		int seen = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		for (i = 0; i < sizeof(cmds); i++) {
			bool dump = cmds[i] == ANONLEAK_CMD_GET_SITES ||
				    cmds[i] == ANONLEAK_CMD_GET_PROCS ||
				    cmds[i] == ANONLEAK_CMD_GET_MAPPINGS;

			if (al_t_req(fam, cmds[i], dump ? NLM_F_DUMP : 0, NULL,
				     NULL, al_t_procs_cb,
				     &(struct al_t_procs){ .n = 0 }, NULL) != -EPERM)
				_exit(1 + i);
			seen++;
		}
		_exit(seen == sizeof(cmds) ? 0 : 99);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

AL_TEST_MAIN
