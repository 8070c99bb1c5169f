// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink protocol beyond stats and sites: GET_PROCS, GET_MAPPINGS,
 * GET/SET_CONFIG, CLEAR, the "events" group, and malformed requests, which
 * must fail with an extack message and leave the module's state intact.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "al_nl.h"

#define PG ((size_t)getpagesize())
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static __attribute__((noinline)) void *pr_site(size_t len, int prot, int flags)
{
	void *p = (void *)syscall(SYS_mmap, NULL, len, prot, flags, -1, 0);

	__asm__ volatile("" ::: "memory");
	return p;
}

/* Request builders. */
struct attr {
	uint16_t type;
	uint8_t kind;		/* 8, 32, 64 bits, 's'tring, 'n'est start/end */
	uint64_t v;
	const char *s;
};

struct attrs {
	struct attr a[8];
	int n;
};

static void build(struct nlmsghdr *nlh, void *arg)
{
	struct attrs *as = arg;
	struct nlattr *nest = NULL;
	int i;

	for (i = 0; i < as->n; i++) {
		struct attr *a = &as->a[i];

		switch (a->kind) {
		case 8:
			mnl_attr_put_u8(nlh, a->type, a->v);
			break;
		case 32:
			mnl_attr_put_u32(nlh, a->type, a->v);
			break;
		case 64:
			mnl_attr_put_u64(nlh, a->type, a->v);
			break;
		case 's':
			mnl_attr_put_strz(nlh, a->type, a->s);
			break;
		case 'n':
			nest = mnl_attr_nest_start(nlh, a->type);
			break;
		case 'e':
			mnl_attr_nest_end(nlh, nest);
			break;
		}
	}
}

#define ATTRS(...) (&(struct attrs){ .a = { __VA_ARGS__ }, \
	.n = sizeof((struct attr[]){ __VA_ARGS__ }) / sizeof(struct attr) })

static int req(uint8_t cmd, uint16_t flags, struct attrs *as, mnl_cb_t cb,
	       void *data, char ext[256])
{
	int fam = al_t_family();

	if (fam < 0)
		return fam;
	return al_t_req(fam, cmd, flags, as ? build : NULL, as, cb, data, ext);
}

/* GET_PROCS -------------------------------------------------------------- */

struct proc_rec {
	uint32_t pid, uid;
	uint8_t state;
	uint64_t proc_id, count, bytes, sites, start, exit;
	char comm[16];
};

struct procs {
	struct proc_rec p[64];
	int n;
};

static int proc_nest_cb(const struct nlattr *a, void *data)
{
	struct proc_rec *r = data;

	if (mnl_attr_validate(a, MNL_TYPE_U64))
		return MNL_CB_OK;
	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_PROC_A_LIVE_COUNT:
		r->count = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_PROC_A_LIVE_BYTES:
		r->bytes = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_PROC_A_SITES:
		r->sites = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int proc_top_cb(const struct nlattr *a, void *data)
{
	struct proc_rec *r = data;

	switch (mnl_attr_get_type(a)) {
	case ANONLEAK_A_PID:
		r->pid = mnl_attr_get_u32(a);
		break;
	case ANONLEAK_A_UID:
		r->uid = mnl_attr_get_u32(a);
		break;
	case ANONLEAK_A_PROC_STATE:
		r->state = mnl_attr_get_u8(a);
		break;
	case ANONLEAK_A_PROC_ID:
		r->proc_id = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_A_START_TIME:
		r->start = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_A_EXIT_TIME:
		r->exit = mnl_attr_get_u64(a);
		break;
	case ANONLEAK_A_COMM:
		snprintf(r->comm, sizeof(r->comm), "%s", mnl_attr_get_str(a));
		break;
	case ANONLEAK_A_PROC:
		return mnl_attr_parse_nested(a, proc_nest_cb, r);
	}
	return MNL_CB_OK;
}

static int procs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct procs *ps = data;

	if (ps->n == 64)
		return MNL_CB_OK;
	memset(&ps->p[ps->n], 0, sizeof(ps->p[0]));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), proc_top_cb,
			   &ps->p[ps->n]) < 0)
		return MNL_CB_ERROR;
	ps->n++;
	return MNL_CB_OK;
}

TEST(get_procs)
{
	struct procs ps = { .n = 0 };

	ASSERT_NE(MAP_FAILED, pr_site(3 * PG, RW, PA));
	ASSERT_NE(MAP_FAILED, pr_site(2 * PG, RW, PA));
	ASSERT_EQ(0, req(ANONLEAK_CMD_GET_PROCS, NLM_F_DUMP,
			 ATTRS({ ANONLEAK_A_PID, 32, getpid() }), procs_cb, &ps,
			 NULL));
	ASSERT_EQ(1, ps.n);
	EXPECT_EQ((uint32_t)getpid(), ps.p[0].pid);
	EXPECT_EQ(0, ps.p[0].uid);
	EXPECT_EQ(ANONLEAK_PROC_RUNNING, ps.p[0].state);
	EXPECT_EQ(2, ps.p[0].count);
	EXPECT_EQ(5 * PG, ps.p[0].bytes);
	EXPECT_EQ(2, ps.p[0].sites);	/* two call lines, two stacks */
	EXPECT_NE(0, ps.p[0].start);
	EXPECT_EQ(0, ps.p[0].exit);
}

/* GET_MAPPINGS ----------------------------------------------------------- */

struct maps {
	uint64_t *start, *len, *site;
	uint32_t *prot, *flags;
	size_t n, cap;
	uint64_t bytes;
	bool intr;
};

static int map_cb(const struct nlattr *a, void *data)
{
	struct maps *m = data;
	struct nlattr *f;

	if (m->n == m->cap)
		return MNL_CB_ERROR;
	m->start[m->n] = m->len[m->n] = m->site[m->n] = 0;
	mnl_attr_for_each_nested(f, a) {
		switch (mnl_attr_get_type(f)) {
		case ANONLEAK_MAPPING_A_START:
			m->start[m->n] = mnl_attr_get_u64(f);
			break;
		case ANONLEAK_MAPPING_A_LENGTH:
			m->len[m->n] = mnl_attr_get_u64(f);
			break;
		case ANONLEAK_MAPPING_A_SITE_ID:
			m->site[m->n] = mnl_attr_get_u64(f);
			break;
		case ANONLEAK_MAPPING_A_PROT:
			m->prot[m->n] = mnl_attr_get_u32(f);
			break;
		case ANONLEAK_MAPPING_A_FLAGS:
			m->flags[m->n] = mnl_attr_get_u32(f);
			break;
		}
	}
	m->bytes += m->len[m->n];
	m->n++;
	return MNL_CB_OK;
}

static int maps_top_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == ANONLEAK_A_MAPPINGS)
		return mnl_attr_parse_nested(a, map_cb, data);
	return MNL_CB_OK;
}

static int maps_cb(const struct nlmsghdr *nlh, void *data)
{
	struct maps *m = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		m->intr = true;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), maps_top_cb, data);
}

static void maps_init(struct maps *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->cap = cap;
	m->start = calloc(cap, 8);
	m->len = calloc(cap, 8);
	m->site = calloc(cap, 8);
	m->prot = calloc(cap, 4);
	m->flags = calloc(cap, 4);
}

static int get_mappings(pid_t pid, struct maps *m, char ext[256])
{
	m->n = 0;
	m->bytes = 0;
	m->intr = false;
	return req(ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP,
		   ATTRS({ ANONLEAK_A_PID, 32, pid }), maps_cb, m, ext);
}

TEST(get_mappings_exact)
{
	uint64_t site_b = 0, site_b_tail = 1;
	char ext[256];
	struct maps m;
	char *a, *b;

	maps_init(&m, 64);
	a = pr_site(4 * PG, PROT_READ, PA | MAP_NORESERVE);
	ASSERT_NE(MAP_FAILED, a);
	b = pr_site(6 * PG, RW, PA);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, munmap(b + 2 * PG, PG));
	ASSERT_EQ(0, get_mappings(getpid(), &m, ext));
	ASSERT_EQ(3, m.n);
	EXPECT_EQ(9 * PG, m.bytes);
	/* sorted by address; each range where it is */
	EXPECT_LT(m.start[0], m.start[1]);
	EXPECT_LT(m.start[1], m.start[2]);
	for (size_t i = 0; i < m.n; i++) {
		uintptr_t s = m.start[i];

		if (s == (uintptr_t)b)
			site_b = m.site[i];
		else if (s == (uintptr_t)b + 3 * PG)
			site_b_tail = m.site[i];
		if (s == (uintptr_t)a) {
			EXPECT_EQ(4 * PG, m.len[i]);
			EXPECT_EQ(PROT_READ, m.prot[i]);
			EXPECT_TRUE(m.flags[i] & MAP_NORESERVE);
		} else if (s == (uintptr_t)b) {
			EXPECT_EQ(2 * PG, m.len[i]);
		} else {
			EXPECT_EQ((uintptr_t)b + 3 * PG, s);
			EXPECT_EQ(3 * PG, m.len[i]);
		}
	}
	/* the two pieces of b are one site */
	EXPECT_NE(0, site_b);
	EXPECT_EQ(site_b, site_b_tail);

	/* no such process: -ESRCH with a message */
	EXPECT_EQ(-ESRCH, get_mappings(0x3ffffff0, &m, ext));
	EXPECT_NE(0, ext[0]);
	/* the pid is required */
	EXPECT_EQ(-EINVAL, req(ANONLEAK_CMD_GET_MAPPINGS, NLM_F_DUMP, NULL,
			       maps_cb, &m, ext));
	EXPECT_NE(0, ext[0]);
}

static __attribute__((noinline)) void *fixed_site(void *addr)
{
	void *p = mmap(addr, getpagesize(), PROT_READ,
		       PA | MAP_FIXED | MAP_NORESERVE, -1, 0);

	__asm__ volatile("" ::: "memory");
	return p;
}

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
	const char *env = getenv("ANONLEAK_MANY_MAPPINGS");
	size_t want = env ? strtoul(env, NULL, 0) : 1000000, i, n, bytes;
	struct timespec t0, t1;
	struct al_t_stats st;
	struct maps m;
	char cmd[128];
	char *p;

	snprintf(cmd, sizeof(cmd),
		 "echo %zu > /sys/module/anonleak/parameters/max_mappings",
		 want + 1000);
	ASSERT_EQ(0, system(cmd));
	/* One reservation, then page by page with MAP_FIXED: few VMAs. */
	p = mmap(NULL, want * PG, PROT_NONE, PA | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < want; i++)
		if (fixed_site(p + i * PG) != p + i * PG)
			break;
	ASSERT_EQ(want, i);
	ASSERT_EQ(0, al_t_stats(&st));
	ASSERT_EQ(0, st.c[ANONLEAK_STATS_A_DROPS]);
	maps_init(&m, want + 16);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, get_mappings(getpid(), &m, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the arrays above are tracked mappings too: count the reservation */
	for (i = 0, n = 0, bytes = 0; i < m.n; i++) {
		if (i && m.start[i - 1] + m.len[i - 1] > m.start[i])
			break;
		if (m.start[i] >= (uintptr_t)p &&
		    m.start[i] < (uintptr_t)p + want * PG) {
			n++;
			bytes += m.len[i];
		}
	}
	EXPECT_EQ(m.n, i) TH_LOG("ranges out of order or overlapping at %zu", i);
	EXPECT_EQ(want, n);
	EXPECT_EQ(want * PG, bytes);
	EXPECT_FALSE(m.intr);
	TH_LOG("%zu ranges dumped in %.2f s", m.n,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* 3^11 distinct call stacks: a path of three kinds of frames. */
static __attribute__((noinline)) void *tri(int n, unsigned int code);

#define TRI_FN(name)							\
static __attribute__((noinline)) void *name(int n, unsigned int code)	\
{									\
	void *p = tri(n, code);						\
									\
	__asm__ volatile("" ::: "memory");				\
	return p;							\
}
TRI_FN(tri_a)
TRI_FN(tri_b)
TRI_FN(tri_c)

static __attribute__((noinline)) void *tri(int n, unsigned int code)
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
	__asm__ volatile("" ::: "memory");
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
	memset(&s, 0, sizeof(s));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), al_t_top_cb, &s) < 0)
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
	const char *env = getenv("ANONLEAK_MANY_SITES");
	unsigned int want = env ? strtoul(env, NULL, 0) : 100000, i;
	struct site_count c = { 0 };
	struct al_t_stats st;

	ASSERT_GE(177147, want);
	ASSERT_EQ(0, system("echo 32 > /sys/module/anonleak/parameters/stack_depth"));
	ASSERT_EQ(0, system("echo 200000 > /sys/module/anonleak/parameters/max_sites"));
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

struct config {
	uint64_t c[ANONLEAK_CONFIG_A_MAX + 1];
	char comm[16];
};

static int config_nest_cb(const struct nlattr *a, void *data)
{
	struct config *c = data;
	int t = mnl_attr_get_type(a);

	if (t > ANONLEAK_CONFIG_A_MAX)
		return MNL_CB_OK;
	if (t == ANONLEAK_CONFIG_A_FILTER_COMM)
		snprintf(c->comm, sizeof(c->comm), "%s", mnl_attr_get_str(a));
	else if (!mnl_attr_validate(a, MNL_TYPE_U64))
		c->c[t] = mnl_attr_get_u64(a);
	else if (!mnl_attr_validate(a, MNL_TYPE_U32))
		c->c[t] = mnl_attr_get_u32(a);
	else if (!mnl_attr_validate(a, MNL_TYPE_U8))
		c->c[t] = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ANONLEAK_A_CONFIG)
			mnl_attr_parse_nested(a, config_nest_cb, data);
	return MNL_CB_OK;
}

static int get_config(struct config *c)
{
	memset(c, 0, sizeof(*c));
	return req(ANONLEAK_CMD_GET_CONFIG, 0, NULL, config_cb, c, NULL);
}

#define CFG(t, k, v) { ANONLEAK_CONFIG_A_##t, k, v }
#define NEST { ANONLEAK_A_CONFIG, 'n', 0 }
#define END { 0, 'e', 0 }

TEST(config_get_set)
{
	struct config c0, c;
	char ext[256];

	ASSERT_EQ(0, get_config(&c0));
	EXPECT_EQ(1, c0.c[ANONLEAK_CONFIG_A_ENABLED]);
	EXPECT_EQ(8, c0.c[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(ANONLEAK_UID_ANY, c0.c[ANONLEAK_CONFIG_A_FILTER_UID]);
	EXPECT_EQ(0, c0.c[ANONLEAK_CONFIG_A_FILTER_PID]);

	ASSERT_EQ(0, req(ANONLEAK_CMD_SET_CONFIG, 0,
			 ATTRS(NEST, CFG(STACK_DEPTH, 32, 5),
			       CFG(MIN_SIZE, 64, 8192),
			       { ANONLEAK_CONFIG_A_FILTER_COMM, 's', 0, "nobody-here" },
			       CFG(FILTER_PID, 32, getpid()), END),
			 NULL, NULL, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, get_config(&c));
	EXPECT_EQ(5, c.c[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(8192, c.c[ANONLEAK_CONFIG_A_MIN_SIZE]);
	EXPECT_EQ((uint64_t)getpid(), c.c[ANONLEAK_CONFIG_A_FILTER_PID]);
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
	ASSERT_EQ(0, get_config(&c));
	EXPECT_EQ(5, c.c[ANONLEAK_CONFIG_A_STACK_DEPTH]);
	EXPECT_EQ(c0.c[ANONLEAK_CONFIG_A_MAX_MAPPINGS],
		  c.c[ANONLEAK_CONFIG_A_MAX_MAPPINGS]);

	/* back to the defaults */
	ASSERT_EQ(0, req(ANONLEAK_CMD_SET_CONFIG, 0,
			 ATTRS(NEST, CFG(STACK_DEPTH, 32, 8), CFG(MIN_SIZE, 64, 0),
			       { ANONLEAK_CONFIG_A_FILTER_COMM, 's', 0, "" },
			       CFG(FILTER_PID, 32, 0),
			       CFG(FILTER_UID, 32, ANONLEAK_UID_ANY), END),
			 NULL, NULL, ext));
	ASSERT_EQ(0, get_config(&c));
	EXPECT_EQ(0, c.c[ANONLEAK_CONFIG_A_FILTER_PID]);
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

static int grp_cb(const struct nlattr *a, void *data)
{
	struct nlattr *g, *f;
	int *id = data;

	if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(g, a) {
		const char *name = NULL;
		int gid = -1;

		mnl_attr_for_each_nested(f, g) {
			if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(f);
			if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_ID)
				gid = mnl_attr_get_u32(f);
		}
		if (name && !strcmp(name, ANONLEAK_MCGRP_EVENTS))
			*id = gid;
	}
	return MNL_CB_OK;
}

static int family_grp_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), grp_cb, data);
}

static void name_attr(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ANONLEAK_GENL_NAME);
}

TEST(exit_event)
{
	struct timeval tv = { .tv_sec = 10 };
	struct proc_rec r = { 0 };
	char buf[8192];
	int grp = -1, status, len;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	pid_t pid;

	ASSERT_EQ(0, al_t_req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, name_attr,
			      NULL, family_grp_cb, &grp, NULL));
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
		memset(&r, 0, sizeof(r));
		mnl_attr_parse(nlh, sizeof(struct genlmsghdr), proc_top_cb, &r);
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
	struct al_t_dump d;
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
				     NULL, procs_cb, &(struct procs){ .n = 0 },
				     NULL) != -EPERM)
				_exit(1 + i);
			seen++;
		}
		_exit(seen == sizeof(cmds) ? 0 : 99);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
