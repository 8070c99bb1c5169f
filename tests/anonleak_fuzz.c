// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, bounded fuzzer for the "anonleak" generic netlink family, and
 * the module parameters' error messages.
 *
 * Each iteration sends one or a few messages to the family: random and
 * malformed ones (unknown commands and flags, attributes of wrong types and
 * lengths, truncated messages and attributes, deeply nested attributes,
 * strings without their NUL), near-valid requests of every command, and dump
 * games (huge dumps abandoned midway, concurrent dumps on several sockets,
 * sockets closed with a dump running, a dump target exiting midway).
 * Every reply is checked: errors come from a small expected set, a policy
 * error of a known command carries an extack message, data replies hold no
 * kernel pointers and only pids of this pid namespace. Afterwards the state
 * is checked intact: a witness process's records are exactly what it
 * mapped, every site's counters add up, the configuration is what it was.
 *
 * Environment:
 *   ANONLEAK_FUZZ_SEED     PRNG seed (default 0x616e6f6e); printed
 *   ANONLEAK_FUZZ_ITERS    iterations (default 20000, times the scale)
 *   ANONLEAK_TEST_SCALE    percent of the default counts (default 100)
 *   ANONLEAK_KO            the module file, for the parameter tests
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

/* xorshift64*: small, seeded, the same sequence everywhere. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

AL_RAW_SITE(fz_site_a)
AL_RAW_SITE(fz_site_b)

/* ---- message building, well-formed or not ---- */

struct mb {
	uint8_t buf[16384];
	size_t len;
	size_t nests[80];
	unsigned int depth;
};

static void *mb_put(struct mb *m, const void *data, size_t len)
{
	void *p;

	if (m->len + NLA_ALIGN(len) > sizeof(m->buf))
		return NULL;
	p = m->buf + m->len;
	if (data)
		memcpy(p, data, len);
	else
		memset(p, 0, len);
	memset(m->buf + m->len + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_ALIGN(len);
	return p;
}

static void mb_hdr(struct mb *m, uint16_t type, uint16_t flags, uint32_t seq,
		   uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->buf + m->len);
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	mb_put(m, NULL, sizeof(*nlh));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	mb_put(m, &g, sizeof(g));
}

static void mb_attr(struct mb *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	mb_put(m, &a, sizeof(a));
	mb_put(m, data, len);
}

static void mb_u8(struct mb *m, uint16_t t, uint8_t v) { mb_attr(m, t, &v, 1); }
static void mb_u32(struct mb *m, uint16_t t, uint32_t v) { mb_attr(m, t, &v, 4); }
static void mb_u64(struct mb *m, uint16_t t, uint64_t v) { mb_attr(m, t, &v, 8); }

static void mb_nest_start(struct mb *m, uint16_t type)
{
	if (m->depth >= sizeof(m->nests) / sizeof(m->nests[0]) ||
	    m->len + NLA_HDRLEN > sizeof(m->buf))
		return;
	m->nests[m->depth++] = m->len;
	mb_put(m, &(struct nlattr){ .nla_type = type | NLA_F_NESTED },
	       NLA_HDRLEN);
}

static void mb_nest_end(struct mb *m)
{
	struct nlattr *a;

	if (!m->depth)
		return;
	a = (struct nlattr *)(m->buf + m->nests[--m->depth]);
	a->nla_len = m->len - m->nests[m->depth];
}

/* Close the message that starts at @start: nlmsg_len is its true length. */
static void mb_end(struct mb *m, size_t start)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->buf + start);

	while (m->depth)
		mb_nest_end(m);
	nlh->nlmsg_len = m->len - start;
}

static void mb_random_bytes(struct mb *m, size_t len)
{
	uint8_t *p = mb_put(m, NULL, len);
	size_t i;

	for (i = 0; p && i < len; i++)
		p[i] = rnd();
}

/* ---- the fuzzing context ---- */

struct fz {
	int family;
	pid_t self;		/* this process, has records */
	pid_t witness;		/* idle process with known records */
	pid_t nothere;		/* a pid with no process */
	uint32_t seq;
	/* results */
	unsigned long sent;		/* messages tried */
	unsigned long replies;		/* data messages received */
	unsigned long errs[140];	/* by errno; [0]: ACKs */
	unsigned long ext;		/* errors carrying extack (text or attr) */
	unsigned long ext_text;		/* ... with a text message */
	unsigned long need_ext_missing;	/* policy errors without one */
	unsigned long bad_errno;	/* an errno outside the expected set */
	unsigned long bad_data;		/* data replies failing the checks */
	unsigned long dumps_abandoned;
	bool ext_on;			/* the main socket asked for extack */
	unsigned long dumps_concurrent;
	char first_problem[512];
};

static void problem(struct fz *f, const char *fmt, ...)
{
	va_list ap;

	if (f->first_problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->first_problem, sizeof(f->first_problem), fmt, ap);
	va_end(ap);
}

static int nl_open(bool ext, bool cap)
{
	return al_t_socket(ext, cap, 0);
}

static int nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/* ---- reply checks ---- */

static bool is_dump_cmd(unsigned int cmd)
{
	return cmd == ANONLEAK_CMD_GET_SITES || cmd == ANONLEAK_CMD_GET_PROCS ||
	       cmd == ANONLEAK_CMD_GET_MAPPINGS;
}

static bool known_cmd(unsigned int cmd)
{
	return cmd >= ANONLEAK_CMD_GET_STATS && cmd <= ANONLEAK_CMD_CLEAR;
}

/* Walk attributes in [p, p + len); returns false on a malformed one. */
typedef bool (*attr_fn)(struct fz *f, int level, const struct nlattr *a,
			void *arg);

static bool walk(struct fz *f, int level, const void *p, size_t len,
		 attr_fn fn, void *arg)
{
	const struct nlattr *a = p;

	while (len >= NLA_HDRLEN) {
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		if (!fn(f, level, a, arg))
			return false;
		if (NLA_ALIGN(a->nla_len) >= len)
			return true;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return len == 0;
}

static size_t alen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static const void *adata(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static uint64_t au64(const struct nlattr *a)
{
	uint64_t v = 0;

	memcpy(&v, adata(a), alen(a) < 8 ? alen(a) : 8);
	return v;
}

/* Every u64 in a data reply: no kernel addresses; ids fit 32 bits. */
enum { LV_TOP, LV_SITE, LV_FRAMES, LV_FRAME, LV_PROC, LV_MAPS, LV_MAP,
       LV_STATS, LV_OTHER };

struct data_ctx {
	unsigned int cmd;
	bool ok;
	uint32_t pid;
};

static bool check_u64(struct fz *f, struct data_ctx *d, const struct nlattr *a,
		      const char *what, bool id)
{
	uint64_t v;

	if (alen(a) != 8) {
		problem(f, "%s: %zu bytes, not 8", what, alen(a));
		return d->ok = false;
	}
	v = au64(a);
	if (v >= AL_KERNEL_HALF || (id && v > 0xffffffffULL)) {
		problem(f, "%s = %#llx looks like a kernel pointer", what,
			(unsigned long long)v);
		return d->ok = false;
	}
	return true;
}

static bool data_attr(struct fz *f, int level, const struct nlattr *a, void *arg)
{
	struct data_ctx *d = arg;
	int t = a->nla_type & NLA_TYPE_MASK;

	switch (level) {
	case LV_TOP:
		switch (t) {
		case ANONLEAK_A_PID:
			if (alen(a) != 4)
				return d->ok = false;
			memcpy(&d->pid, adata(a), 4);
			break;
		case ANONLEAK_A_PROC_ID:
			return check_u64(f, d, a, "PROC_ID", true);
		case ANONLEAK_A_NOW: case ANONLEAK_A_START_TIME:
		case ANONLEAK_A_EXIT_TIME:
			return check_u64(f, d, a, "time", false);
		case ANONLEAK_A_SITE:
			return walk(f, LV_SITE, adata(a), alen(a), data_attr, d);
		case ANONLEAK_A_PROC:
			return walk(f, LV_PROC, adata(a), alen(a), data_attr, d);
		case ANONLEAK_A_MAPPINGS:
			return walk(f, LV_MAPS, adata(a), alen(a), data_attr, d);
		case ANONLEAK_A_STATS:
			return walk(f, LV_STATS, adata(a), alen(a), data_attr, d);
		}
		return true;
	case LV_SITE:
		if (t == ANONLEAK_SITE_A_FRAMES)
			return walk(f, LV_FRAMES, adata(a), alen(a), data_attr, d);
		if (t == ANONLEAK_SITE_A_PAD)
			return true;
		if (t == ANONLEAK_SITE_A_FLAGS)
			return alen(a) == 4 || (d->ok = false);
		return check_u64(f, d, a, "site counter", t == ANONLEAK_SITE_A_ID);
	case LV_FRAMES:
		return walk(f, LV_FRAME, adata(a), alen(a), data_attr, d);
	case LV_FRAME:
		if (t == ANONLEAK_FRAME_A_ADDR || t == ANONLEAK_FRAME_A_OFFSET)
			return check_u64(f, d, a, "frame", false);
		return true;
	case LV_PROC:
		if (t == ANONLEAK_PROC_A_PAD)
			return true;
		return check_u64(f, d, a, "proc counter", false);
	case LV_MAPS:
		return walk(f, LV_MAP, adata(a), alen(a), data_attr, d);
	case LV_MAP:
		if (t == ANONLEAK_MAPPING_A_PROT || t == ANONLEAK_MAPPING_A_FLAGS ||
		    t == ANONLEAK_MAPPING_A_PAD)
			return true;
		return check_u64(f, d, a, "mapping", t == ANONLEAK_MAPPING_A_SITE_ID);
	case LV_STATS:
		if (alen(a) == 8 && t != ANONLEAK_STATS_A_PAD)
			return check_u64(f, d, a, "stat", false);
		return true;
	}
	return true;
}

static int err_tlv_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e), total = nlh->nlmsg_len - NLMSG_HDRLEN;
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	off = NLA_ALIGN(off);
	while (off + NLA_HDRLEN <= total) {
		a = (const void *)((const char *)e + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		/* A message, or the attribute that is missing or wrong. */
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			return 1;
		case NLMSGERR_ATTR_OFFS:
		case 5:		/* NLMSGERR_ATTR_MISS_TYPE (6.0+) */
			return 2;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* What a request was, to judge its reply. */
struct req {
	uint32_t seq;
	uint8_t cmd;
	bool genl_ok;		/* nlmsg_len covers a full genl header */
	bool ours;		/* addressed to the family */
	bool ext;		/* sent on a socket with NETLINK_EXT_ACK */
};

static bool errno_expected(int e)
{
	switch (e) {
	case 0: case EINVAL: case ERANGE: case EOPNOTSUPP: case ESRCH:
	case EMSGSIZE: case EBUSY: case ENOENT:
		return true;
	}
	return false;
}

/*
 * Read whatever the kernel queued for us (the requests were handled inside
 * sendto; a dump goes on with every read), and judge it. @maxmsgs > 0 stops
 * after that many reads, leaving a dump unfinished.
 */
static void drain(struct fz *f, int fd, const struct req *rq, unsigned int nrq,
		  int maxreads, size_t bufsize)
{
	static uint8_t buf[1 << 17];
	int reads = 0;

	if (bufsize > sizeof(buf))
		bufsize = sizeof(buf);
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len;

		if (maxreads && reads >= maxreads)
			return;
		n = recv(fd, buf, bufsize, MSG_DONTWAIT);
		reads++;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS || errno == EINTR)
				continue;	/* overrun: messages were lost */
			problem(f, "recv: %s", strerror(errno));
			return;
		}
		len = n;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			const struct req *r = NULL;
			unsigned int i;

			for (i = 0; i < nrq; i++)
				if (rq[i].seq == nlh->nlmsg_seq)
					r = &rq[i];
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				int en = -e->error;
				int has = err_tlv_msg(nlh);

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					continue;
				if (en >= 0 && en < 140)
					f->errs[en]++;
				f->ext += has != 0;
				f->ext_text += has == 1;
				if (!errno_expected(en)) {
					f->bad_errno++;
					problem(f, "cmd %u: unexpected error %d (%s)",
						r ? r->cmd : 999, e->error,
						strerror(en));
				}
				/* A policy or lookup error of a real command: say why. */
				if (r && r->ours && r->genl_ok && r->ext && known_cmd(r->cmd) &&
				    (en == EINVAL || en == ERANGE || en == ESRCH) && !has) {
					f->need_ext_missing++;
					problem(f, "cmd %u: error %d without extack",
						r->cmd, e->error);
				}
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				const int *e = NLMSG_DATA(nlh);

				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) && *e) {
					int en = -*e;

					if (en >= 0 && en < 140)
						f->errs[en]++;
					if (!errno_expected(en)) {
						f->bad_errno++;
						problem(f, "dump ended with %d", *e);
					}
				}
				continue;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (nlh->nlmsg_type != f->family) {
				f->bad_data++;
				problem(f, "reply of type %u", nlh->nlmsg_type);
				continue;
			}
			f->replies++;
			{
				const struct genlmsghdr *g = NLMSG_DATA(nlh);
				struct data_ctx d = { .cmd = g->cmd, .ok = true };
				size_t plen = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
				    !walk(f, LV_TOP, (const char *)g + GENL_HDRLEN,
					  plen, data_attr, &d) || !d.ok) {
					f->bad_data++;
					problem(f, "malformed or leaky reply to cmd %u",
						g->cmd);
				}
			}
		}
	}
}

/* ---- generators ---- */

static uint32_t fz_pid(struct fz *f)
{
	switch (rn(8)) {
	case 0: return f->self;
	case 1: case 2: return f->witness;
	case 3: return f->nothere;
	case 4: return 0;
	case 5: return 1;
	case 6: return 4194304 + rn(1000);	/* beyond PID_MAX_LIMIT */
	default: return rnd();
	}
}

static uint64_t fz_u64(void)
{
	static const uint64_t special[] = {
		0, 1, 2, 31, 32, 33, 255, 256, 1ULL << 20, 1ULL << 24,
		(1ULL << 24) + 1, 1ULL << 28, (1ULL << 28) + 1, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ULL, ~0ULL, ~0ULL >> 1,
		AL_KERNEL_HALF,
	};

	if (chance(60))
		return special[rn(sizeof(special) / sizeof(special[0]))];
	return rnd() >> rn(64);
}

/* A random attribute: any type, any length, sometimes a flag bit set. */
static void fz_attr(struct mb *m, int maxtype)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17 };
	uint16_t type = rn(maxtype + 3);
	size_t len;

	if (chance(10))
		type |= NLA_F_NESTED;
	if (chance(5))
		type |= NLA_F_NET_BYTEORDER;
	if (chance(5))
		type = rnd();
	len = chance(80) ? lens[rn(sizeof(lens) / sizeof(lens[0]))] : rn(300);
	if (len == 4 && chance(50)) {
		uint32_t v = fz_u64();

		mb_attr(m, type, &v, 4);
	} else if (len == 8 && chance(50)) {
		uint64_t v = fz_u64();

		mb_attr(m, type, &v, 8);
	} else {
		struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

		mb_put(m, &a, sizeof(a));
		mb_random_bytes(m, len);
	}
}

/* Nests within nests, @depth deep, around random attributes. */
static void fz_deep(struct mb *m, unsigned int depth, int maxtype)
{
	unsigned int i;

	for (i = 0; i < depth; i++)
		mb_nest_start(m, rn(maxtype + 2));
	if (chance(50))
		fz_attr(m, maxtype);
	while (m->depth)
		mb_nest_end(m);
}

/* A config nest: valid-looking values, wrong ones, strings without NUL. */
static void fz_config(struct fz *f, struct mb *m)
{
	unsigned int i, n = rn(6);

	mb_nest_start(m, ANONLEAK_A_CONFIG);
	for (i = 0; i < n; i++) {
		unsigned int t = 1 + rn(ANONLEAK_CONFIG_A_MAX + 2);

		if (chance(20)) {
			fz_attr(m, ANONLEAK_CONFIG_A_MAX);
			continue;
		}
		switch (t) {
		case ANONLEAK_CONFIG_A_ENABLED:
			mb_u8(m, t, chance(80) ? rn(2) : rnd());
			break;
		case ANONLEAK_CONFIG_A_STACK_DEPTH:
			mb_u32(m, t, chance(70) ? rn(40) : fz_u64());
			break;
		case ANONLEAK_CONFIG_A_FILTER_PID:
			mb_u32(m, t, chance(50) ? fz_pid(f) : 0);
			break;
		case ANONLEAK_CONFIG_A_FILTER_UID:
			mb_u32(m, t, chance(50) ? ANONLEAK_UID_ANY : fz_u64());
			break;
		case ANONLEAK_CONFIG_A_FILTER_COMM: {
			char s[40];
			size_t l = rn(sizeof(s));
			size_t j;

			for (j = 0; j < l; j++)
				s[j] = 'a' + rn(26);
			/* With the NUL, without it, or too long. */
			mb_attr(m, t, s, chance(70) && l < sizeof(s) ? (s[l] = 0, l + 1) : l);
			break;
		}
		case ANONLEAK_CONFIG_A_MIN_SIZE:
		case ANONLEAK_CONFIG_A_MAX_MAPPINGS:
		case ANONLEAK_CONFIG_A_MAX_SITES:
		case ANONLEAK_CONFIG_A_MAX_PROCS:
		case ANONLEAK_CONFIG_A_MAX_EXITED:
			if (chance(80))
				mb_u64(m, t, fz_u64());
			else
				mb_u32(m, t, fz_u64());
			break;
		default:
			fz_attr(m, ANONLEAK_CONFIG_A_MAX);
		}
	}
	if (chance(10))
		fz_deep(m, 1 + rn(40), ANONLEAK_CONFIG_A_MAX);
	mb_nest_end(m);
}

/*
 * One request to the family. Returns its description for the judge. CLEAR
 * requests always name a pid that has no records, so the state stays.
 */
static struct req fz_one(struct fz *f, struct mb *m)
{
	size_t start = m->len;
	struct req r = { .seq = ++f->seq, .ours = true, .genl_ok = true };
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	unsigned int kind = rn(100), i, n;
	uint8_t cmd;

	if (kind < 50)
		cmd = 1 + rn(ANONLEAK_CMD_MAX);		/* incl. EXIT_EVENT */
	else if (kind < 60)
		cmd = rn(256);
	else
		cmd = known_cmd(kind % 8) ? kind % 8 : ANONLEAK_CMD_GET_STATS;
	if (is_dump_cmd(cmd) ? chance(90) : chance(10))
		flags |= NLM_F_DUMP;
	if (chance(10))
		flags ^= NLM_F_ACK;
	if (chance(5))
		flags = rnd() | NLM_F_REQUEST;
	if (chance(2))
		flags &= ~NLM_F_REQUEST;
	r.cmd = cmd;
	mb_hdr(m, f->family, flags, r.seq, cmd, chance(90) ? 1 : rnd());

	if (cmd == ANONLEAK_CMD_CLEAR) {
		/* Attributes that cannot match a process with records. */
		if (chance(50))
			mb_u32(m, ANONLEAK_A_PID, f->nothere);
		else if (chance(50))
			mb_u8(m, ANONLEAK_A_PID, rnd());
		else
			mb_u32(m, ANONLEAK_A_PID, 4194304 + rn(1000));
		if (chance(30))
			fz_attr(m, ANONLEAK_A_MAX);
		mb_end(m, start);
		return r;
	}
	if (cmd == ANONLEAK_CMD_SET_CONFIG && chance(80)) {
		fz_config(f, m);
		if (chance(10))
			fz_attr(m, ANONLEAK_A_MAX);
		mb_end(m, start);
		return r;
	}

	n = rn(4);
	for (i = 0; i < n; i++) {
		switch (rn(8)) {
		case 0: case 1:
			mb_u32(m, ANONLEAK_A_PID, fz_pid(f));
			break;
		case 2:
			mb_u64(m, ANONLEAK_A_MIN_BYTES, fz_u64());
			break;
		case 3:
			mb_u64(m, ANONLEAK_A_MIN_AGE, fz_u64());
			break;
		case 4:
			fz_deep(m, 1 + rn(64), ANONLEAK_A_MAX);
			break;
		default:
			fz_attr(m, ANONLEAK_A_MAX);
		}
	}
	mb_end(m, start);

	/* Truncations: lie about lengths, or cut the message short. */
	if (chance(10)) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(m->buf + start);

		switch (rn(4)) {
		case 0:		/* shorter than the genl header */
			nlh->nlmsg_len = NLMSG_HDRLEN + rn(GENL_HDRLEN);
			m->len = start + NLMSG_ALIGN(nlh->nlmsg_len);
			r.genl_ok = false;
			break;
		case 1:		/* claims more than is sent */
			nlh->nlmsg_len += 4 + rn(64);
			r.genl_ok = false;
			break;
		case 2:		/* cut inside the last attribute */
			if (m->len - start > NLMSG_LENGTH(GENL_HDRLEN) + 2) {
				nlh->nlmsg_len -= 1 + rn(3);
				m->len = start + NLMSG_ALIGN(nlh->nlmsg_len);
			}
			break;
		default:	/* an attribute longer than the message */
			if (m->len - start >= NLMSG_LENGTH(GENL_HDRLEN) + NLA_HDRLEN) {
				struct nlattr *a = (void *)((char *)nlh +
					NLMSG_LENGTH(GENL_HDRLEN));

				a->nla_len = rn(2) ? 2 : a->nla_len + 4 + rn(100);
			}
		}
	}
	return r;
}

/* Raw junk addressed to the family or to the netlink core. */
static struct req fz_junk(struct fz *f, struct mb *m)
{
	size_t start = m->len, len = rn(200);
	struct req r = { .seq = ++f->seq, .cmd = 255 };
	struct nlmsghdr *nlh;

	nlh = mb_put(m, NULL, sizeof(*nlh));
	mb_random_bytes(m, len);
	nlh->nlmsg_type = chance(80) ? f->family : rn(NLMSG_MIN_TYPE);
	nlh->nlmsg_flags = rnd() | NLM_F_REQUEST;
	/* No clear without a pid slipping through by chance. */
	if (len >= 1 && m->buf[start + NLMSG_HDRLEN] == ANONLEAK_CMD_CLEAR)
		m->buf[start + NLMSG_HDRLEN] = 0;
	if (len >= 1 && m->buf[start + NLMSG_HDRLEN] == ANONLEAK_CMD_SET_CONFIG)
		m->buf[start + NLMSG_HDRLEN] = ANONLEAK_CMD_GET_CONFIG;
	nlh->nlmsg_seq = r.seq;
	nlh->nlmsg_len = chance(80) ? m->len - start : rnd() & 0xffff;
	r.ours = nlh->nlmsg_type == f->family;
	r.genl_ok = false;
	return r;
}

/* ---- dump games ---- */

static void dump_req(struct fz *f, struct mb *m, struct req *r, uint8_t cmd,
		     uint32_t pid)
{
	size_t start = m->len;

	r->seq = ++f->seq;
	r->cmd = cmd;
	r->ours = r->genl_ok = r->ext = true;
	mb_hdr(m, f->family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, r->seq, cmd, 1);
	if (pid)
		mb_u32(m, ANONLEAK_A_PID, pid);
	mb_end(m, start);
}

static uint8_t fz_dump_cmd(struct fz *f, uint32_t *pid)
{
	switch (rn(4)) {
	case 0:
		*pid = 0;
		return ANONLEAK_CMD_GET_SITES;
	case 1:
		*pid = chance(50) ? f->witness : 0;
		return ANONLEAK_CMD_GET_PROCS;
	default:
		*pid = chance(80) ? f->witness : f->self;
		return ANONLEAK_CMD_GET_MAPPINGS;
	}
}

/* Start a dump, read a little of it (or nothing), close the socket. */
static void fz_abandon(struct fz *f)
{
	struct mb *m = calloc(1, sizeof(*m));
	struct req r;
	uint32_t pid;
	uint8_t cmd = fz_dump_cmd(f, &pid);
	int fd = nl_open(true, chance(50)), small = 4096;

	if (fd < 0 || !m)
		goto out;
	if (chance(30))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	dump_req(f, m, &r, cmd, pid);
	if (nl_send(fd, m->buf, m->len) > 0)
		f->sent++;
	if (chance(70))
		drain(f, fd, &r, 1, 1 + rn(3), chance(20) ? 512 : 1 << 16);
	if (chance(20))
		shutdown(fd, SHUT_RDWR);
	f->dumps_abandoned++;
out:
	if (fd >= 0)
		close(fd);
	free(m);
}

/* Several dumps at once on several sockets, read in random order. */
static void fz_concurrent(struct fz *f)
{
	enum { N = 4 };
	int fd[N];
	struct req r[N];
	struct mb *m = calloc(1, sizeof(*m));
	unsigned int i, rounds;

	if (!m)
		return;
	for (i = 0; i < N; i++) {
		uint32_t pid;
		uint8_t cmd = fz_dump_cmd(f, &pid);

		fd[i] = nl_open(true, true);
		m->len = 0;
		dump_req(f, m, &r[i], cmd, pid);
		if (fd[i] >= 0 && nl_send(fd[i], m->buf, m->len) > 0)
			f->sent++;
		/* A second dump on a busy socket: refused, the first goes on. */
		if (fd[i] >= 0 && chance(20)) {
			struct req r2;

			m->len = 0;
			dump_req(f, m, &r2, cmd, pid);
			if (nl_send(fd[i], m->buf, m->len) > 0)
				f->sent++;
		}
	}
	for (rounds = 0; rounds < 200; rounds++) {
		i = rn(N);
		if (fd[i] >= 0)
			drain(f, fd[i], &r[i], 1, 1, 1 << 16);
	}
	for (i = 0; i < N; i++) {
		if (fd[i] < 0)
			continue;
		if (chance(50))
			drain(f, fd[i], &r[i], 1, 0, 1 << 16);
		close(fd[i]);
	}
	f->dumps_concurrent++;
	free(m);
}

/* A dump of a process that exits while the dump runs. */
static void fz_target_exits(struct fz *f)
{
	struct mb *m = calloc(1, sizeof(*m));
	int up[2] = { -1, -1 }, down[2] = { -1, -1 }, fd = -1, i;
	struct req r;
	pid_t pid = -1;
	char c;

	if (!m || pipe(up) || pipe(down))
		goto out;
	pid = fork();
	if (!pid) {
		close(up[0]);
		close(down[1]);
		for (i = 0; i < 64; i++)
			fz_site_b(PG);
		if (write(up[1], "x", 1) != 1)
			_exit(1);
		/* Until told, or until the parent is gone. */
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (pid < 0)
		goto out;
	close(up[1]);
	up[1] = -1;
	close(down[0]);
	down[0] = -1;
	if (read(up[0], &c, 1) != 1)
		goto out;
	fd = nl_open(true, true);
	if (fd < 0)
		goto out;
	dump_req(f, m, &r, chance(50) ? ANONLEAK_CMD_GET_MAPPINGS :
					ANONLEAK_CMD_GET_SITES, pid);
	if (nl_send(fd, m->buf, m->len) > 0)
		f->sent++;
	drain(f, fd, &r, 1, 1, 1024);
	if (write(down[1], "x", 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pid = -1;
	drain(f, fd, &r, 1, 0, 1 << 16);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 2; i++) {
		if (up[i] >= 0)
			close(up[i]);
		if (down[i] >= 0)
			close(down[i]);
	}
	free(m);
}

/* ---- the tests ---- */

FIXTURE(fuzz) {
	int family;
	pid_t witness;
	int wpipe;
	struct al_t_mapping *wmaps;
	unsigned int nw;
	struct al_t_config cfg0;
};

/*
 * The witness maps @n ranges from two sites, reports them through a pipe
 * and waits to be killed.
 */
FIXTURE_SETUP(fuzz)
{
	int p[2], q[2];
	unsigned int i;
	char c;

	self->family = al_t_family();
	if (self->family == -ENOENT && !al_ko_loaded() && !al_ko_load(""))
		self->family = al_t_family();
	ASSERT_LT(0, self->family) TH_LOG("the anonleak family is not registered");
	ASSERT_EQ(0, al_t_get_config(&self->cfg0));
	self->nw = al_scale(3000, 200);
	self->wmaps = calloc(self->nw, sizeof(*self->wmaps));
	ASSERT_NE(NULL, self->wmaps);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	self->witness = fork();
	ASSERT_LE(0, self->witness);
	if (!self->witness) {
		close(p[0]);
		close(q[1]);
		for (i = 0; i < self->nw; i++) {
			struct al_t_mapping mp = { .len = (1 + i % 3) * PG };
			void *a = i % 2 ? fz_site_a(mp.len) : fz_site_b(mp.len);

			if (a == MAP_FAILED)
				_exit(1);
			mp.start = (uintptr_t)a;
			if (write(p[1], &mp, sizeof(mp)) != sizeof(mp))
				_exit(1);
		}
		close(p[1]);
		if (read(q[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	for (i = 0; i < self->nw; i++)
		ASSERT_EQ(sizeof(self->wmaps[i]),
			  read(p[0], &self->wmaps[i], sizeof(self->wmaps[i])));
	close(p[0]);
	self->wpipe = q[1];
	qsort(self->wmaps, self->nw, sizeof(*self->wmaps), al_t_mapping_cmp);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->witness > 0) {
		kill(self->witness, SIGKILL);
		waitpid(self->witness, NULL, 0);
	}
	close(self->wpipe);
	free(self->wmaps);
}

/* The witness's records are exactly what it mapped. */
static void check_witness(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fuzz) *self)
{
	struct al_t_maps c = { 0 };
	unsigned int i, diff = 0;

	ASSERT_EQ(0, al_t_mappings(self->witness, &c, NULL));
	EXPECT_FALSE(c.intr);
	qsort(c.v, c.n, sizeof(*c.v), al_t_mapping_cmp);
	EXPECT_EQ(self->nw, c.n);
	for (i = 0; i < c.n && i < self->nw; i++)
		if (c.v[i].start != self->wmaps[i].start ||
		    c.v[i].len != self->wmaps[i].len)
			diff++;
	EXPECT_EQ(0, diff);
	free(c.v);
}

TEST_F_TIMEOUT(fuzz, random_and_malformed_messages, 1200)
{
	uint64_t seed = al_env_ul("ANONLEAK_FUZZ_SEED", 0x616e6f6e);
	unsigned long iters = al_env_ul("ANONLEAK_FUZZ_ITERS", al_scale(20000, 300));
	struct fz f = { .family = self->family, .self = getpid(),
			.witness = self->witness };
	struct mb *m = calloc(1, sizeof(*m));
	struct al_t_config cfg1;
	struct al_t_dump d;
	struct al_t_stats st;
	unsigned long it, withext = 0, errors = 0;
	char why[512] = "";
	pid_t z;
	int fd = -1, e;

	ASSERT_NE(NULL, m);
	rng_state = seed ? seed : 1;
	/* A pid that surely has no process: a reaped child's. */
	z = fork();
	if (!z)
		_exit(0);
	ASSERT_LT(0, z);
	waitpid(z, NULL, 0);
	f.nothere = z;
	/* This process has records too. */
	for (it = 0; it < 8; it++)
		ASSERT_NE(MAP_FAILED, fz_site_a(PG));
	check_witness(_metadata, self);

	al_say("fuzz: seed %#llx, %lu iterations\n",
	       (unsigned long long)seed, iters);
	for (it = 0; it < iters; it++) {
		struct req rq[4];
		unsigned int nrq = 0, k, kind = rn(1000);

		if (fd < 0 || chance(2)) {
			if (fd >= 0)
				close(fd);
			f.ext_on = chance(90);
			fd = nl_open(f.ext_on, chance(50));
			ASSERT_LE(0, fd);
		}
		if (kind < 8) {
			fz_abandon(&f);
			continue;
		}
		if (kind < 11) {
			fz_concurrent(&f);
			continue;
		}
		if (kind < 12) {
			fz_target_exits(&f);
			continue;
		}
		m->len = 0;
		m->depth = 0;
		/* Mostly one message; sometimes a batch in one send. */
		k = chance(90) ? 1 : 2 + rn(3);
		while (nrq < k) {
			rq[nrq] = chance(8) ? fz_junk(&f, m) : fz_one(&f, m);
			rq[nrq++].ext = f.ext_on;
		}
		if (nl_send(fd, m->buf, m->len) >= 0)
			f.sent += nrq;
		else if (errno != EINVAL && errno != EMSGSIZE && errno != ENOBUFS)
			problem(&f, "sendto: %s", strerror(errno));
		drain(&f, fd, rq, nrq, 0, chance(5) ? 64 : 1 << 16);
		/* A reply lost to a tiny buffer leaves the socket odd: renew. */
		if (chance(5)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);

	for (e = 1; e < 140; e++)
		errors += f.errs[e];
	withext = f.ext;
	al_say("fuzz: %lu messages tried, %lu data replies, %lu acks, %lu errors (%lu with extack, %lu of them with a text message): EINVAL %lu, ERANGE %lu, EOPNOTSUPP %lu, ESRCH %lu, EMSGSIZE %lu, EBUSY %lu; %lu dumps abandoned, %lu concurrent rounds\n",
	       f.sent, f.replies, f.errs[0], errors, withext, f.ext_text,
	       f.errs[EINVAL], f.errs[ERANGE], f.errs[EOPNOTSUPP],
	       f.errs[ESRCH], f.errs[EMSGSIZE], f.errs[EBUSY],
	       f.dumps_abandoned, f.dumps_concurrent);
	if (f.first_problem[0])
		al_say("fuzz: first problem: %s\n", f.first_problem);
	EXPECT_EQ(0, f.bad_errno);
	EXPECT_EQ(0, f.bad_data);
	EXPECT_EQ(0, f.need_ext_missing);
	EXPECT_LE(iters, f.sent);

	/* The state is intact. */
	check_witness(_metadata, self);
	ASSERT_EQ(0, al_t_sites(0, &d));
	EXPECT_EQ(0, al_t_sites_bad(&d, false, why, sizeof(why))) TH_LOG("%s", why);
	free(d.sites);
	ASSERT_EQ(0, al_t_stats(&st));
	EXPECT_LE(self->nw, st.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	/* Put back what SET_CONFIG changed, and see it back. */
	EXPECT_EQ(0, al_t_set_config(&self->cfg0, AL_T_CFG_ALL, why));
	ASSERT_EQ(0, al_t_get_config(&cfg1));
	EXPECT_EQ(0, memcmp(&self->cfg0, &cfg1, sizeof(cfg1)));
	free(m);
}

/* SET_CONFIG is all or nothing: a refused one changes no setting. */
TEST_F_TIMEOUT(fuzz, set_config_all_or_nothing, 600)
{
	uint64_t seed = al_env_ul("ANONLEAK_FUZZ_SEED", 0x616e6f6e) ^ 0x5e7c0f16;
	unsigned long iters = al_scale(2000, 100), it, refused = 0, applied = 0;
	struct fz f = { .family = self->family, .self = getpid(),
			.witness = self->witness, .nothere = 4194305 };
	struct mb *m = calloc(1, sizeof(*m));
	struct al_t_config before, after;
	int fd;

	ASSERT_NE(NULL, m);
	rng_state = seed ? seed : 1;
	fd = nl_open(true, true);
	ASSERT_LE(0, fd);
	for (it = 0; it < iters; it++) {
		struct req r = { .seq = ++f.seq, .cmd = ANONLEAK_CMD_SET_CONFIG,
				 .ours = true, .genl_ok = true, .ext = true };
		unsigned long errs0 = f.errs[0];

		ASSERT_EQ(0, al_t_get_config(&before));
		m->len = 0;
		m->depth = 0;
		mb_hdr(m, f.family, NLM_F_REQUEST | NLM_F_ACK, r.seq,
		       ANONLEAK_CMD_SET_CONFIG, 1);
		fz_config(&f, m);
		mb_end(m, 0);
		ASSERT_LE(0, nl_send(fd, m->buf, m->len));
		f.sent++;
		drain(&f, fd, &r, 1, 0, 1 << 16);
		ASSERT_EQ(0, al_t_get_config(&after));
		if (f.errs[0] > errs0) {
			applied++;
			continue;
		}
		refused++;
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(after)))
			TH_LOG("a refused SET_CONFIG changed the configuration (iteration %lu)",
			       it);
		if (memcmp(&before, &after, sizeof(after)))
			break;
	}
	close(fd);
	al_say("set_config: %lu tried, %lu applied, %lu refused\n",
	       it, applied, refused);
	EXPECT_EQ(0, f.bad_errno) TH_LOG("%s", f.first_problem);
	EXPECT_EQ(0, f.need_ext_missing) TH_LOG("%s", f.first_problem);
	EXPECT_LT(0, refused);
	EXPECT_LT(0, applied);
	EXPECT_EQ(0, al_t_set_config(&self->cfg0, AL_T_CFG_ALL, NULL));
	check_witness(_metadata, self);
	free(m);
}

/* Dumps from several processes at once while the witness set is read. */
TEST_F_TIMEOUT(fuzz, concurrent_dump_storm, 900)
{
	unsigned int procs = 4, i, rounds = al_scale(100, 10);
	struct al_t_dump d;
	char why[512] = "";
	pid_t kids[8];
	int status;

	for (i = 0; i < procs; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i]) {
			struct fz f = { .family = self->family, .self = getpid(),
					.witness = self->witness,
					.nothere = 4194305 };
			unsigned int r;

			rng_state = 0x1234 + i;
			for (r = 0; r < rounds; r++) {
				if (chance(50))
					fz_concurrent(&f);
				else
					fz_abandon(&f);
				if (!(r % 7))
					fz_target_exits(&f);
			}
			if (f.bad_errno || f.bad_data) {
				fprintf(stderr, "storm %u: %s\n", i, f.first_problem);
				_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	check_witness(_metadata, self);
	ASSERT_EQ(0, al_t_sites(0, &d));
	EXPECT_EQ(0, al_t_sites_bad(&d, false, why, sizeof(why))) TH_LOG("%s", why);
	free(d.sites);
}

/* ---- module parameters: refused at load, with a message naming them ---- */

FIXTURE(params) {
	int unused;
};

FIXTURE_SETUP(params)
{
}

/* Whatever happened, leave the module loaded for the runner. */
FIXTURE_TEARDOWN(params)
{
	al_ko_ensure();
}

TEST_F_TIMEOUT(params, bad_parameters_say_why, 900)
{
	static const struct {
		const char *arg, *says;
	} bad[] = {
		{ "stack_depth=0", "stack_depth" },
		{ "stack_depth=33", "stack_depth" },
		{ "stack_depth=4294967297", "stack_depth" },
		{ "max_mappings=0", "max_mappings" },
		{ "max_mappings=268435457", "max_mappings" },
		{ "max_sites=16777217", "max_sites" },
		{ "max_procs=0", "max_procs" },
		{ "max_exited=1048577", "max_exited" },
		{ "max_sites=-1", "max_sites" },
		{ "max_sites=12abc", "max_sites" },
		{ "filter_pid=-1", "filter_pid" },
		{ "filter_pid=4194305", "filter_pid" },
		{ "filter_uid=-2", "filter_uid" },
		{ "filter_comm=abcdefghijklmnopq", "filter_comm" },
		{ "min_size=18446744073709551616", "min_size" },
		{ "enabled=2", "enabled" },
	};
	unsigned int i, quiet = 0;
	char marker[64];

	if (geteuid())
		SKIP(return, "needs root");
	if (access(al_ko(), R_OK))
		SKIP(return, "module %s not found", al_ko());
	al_ko_unload();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(marker, sizeof(marker), "anonleak-fuzz-param-%u", i);
		al_sh("echo %s > /dev/kmsg", marker);
		EXPECT_NE(0, al_sh("insmod %s %s 2>/dev/null", al_ko(), bad[i].arg))
			TH_LOG("insmod %s was accepted", bad[i].arg);
		/* The kernel log after the marker names the parameter. */
		if (al_sh("dmesg | tail -n 40 | sed -n '/%s/,$p' | grep -q '%s'", marker,
		       bad[i].says)) {
			quiet++;
			TH_LOG("insmod %s: no message naming '%s'", bad[i].arg,
			       bad[i].says);
		}
		EXPECT_NE(0, access("/sys/module/anonleak", F_OK));
	}
	EXPECT_EQ(0, quiet);
	ASSERT_EQ(0, al_ko_load(""));
}

AL_TEST_MAIN
