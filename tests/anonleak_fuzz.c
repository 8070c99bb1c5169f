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
 * The unwind-table commands (UNWIND_LOAD, UNWIND_DROP, GET_UNWIND,
 * GET_EXEMPLAR) also get structured requests (UCASES: a valid random table
 * with exactly one defect, or a drop, list or exemplar request with one),
 * each of which must be refused with its own errno, with an extack message,
 * leaving the loaded tables as they were (ids, counts, bytes) and this
 * program's own table serving walks. Then the limits (the longest path,
 * ANONLEAK_UNWIND_MAX_RULES rules, one rule too many (one row too many
 * with ANONLEAK_FUZZ_HUGE=1), max_unwind_bytes) and uploads and drops
 * racing exiting processes.
 *
 * Environment:
 *   ANONLEAK_FUZZ_SEED     PRNG seed (default 0x616e6f6e); printed
 *   ANONLEAK_FUZZ_ITERS    iterations (default 20000, times the scale)
 *   ANONLEAK_FUZZ_HUGE     1: also send a table of ANONLEAK_UNWIND_MAX_ROWS + 1
 *                          rows (128 MiB; refused)
 *   ANONLEAK_TEST_SCALE    percent of the default counts (default 100)
 *   ANONLEAK_KO            the module file, for the parameter tests
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
AL_RAW_SITE(fz_site_t)	/* its walks must use this program's unwind table */

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
	/* Structured unwind-table requests (fz_unwind()), each with its errno. */
	unsigned long ucases;		/* sent */
	unsigned long ucase_bad;	/* answered otherwise, or not at all */
	unsigned long ucase_no_text;	/* refused without an extack message */
	struct fz_utable *ut;		/* this program's table, or NULL */
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
	       cmd == ANONLEAK_CMD_GET_MAPPINGS || cmd == ANONLEAK_CMD_GET_UNWIND;
}

/* The commands a client may send (not the events). */
static bool known_cmd(unsigned int cmd)
{
	return (cmd >= ANONLEAK_CMD_GET_STATS && cmd <= ANONLEAK_CMD_CLEAR) ||
	       (cmd >= ANONLEAK_CMD_UNWIND_LOAD && cmd <= ANONLEAK_CMD_GET_EXEMPLAR);
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
       LV_STATS, LV_UNWIND, LV_OTHER };

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
		case ANONLEAK_A_UNWIND:
			return walk(f, LV_UNWIND, adata(a), alen(a), data_attr, d);
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
	case LV_UNWIND:
		if (alen(a) == 8 && t != ANONLEAK_UNWIND_A_PAD &&
		    t != ANONLEAK_UNWIND_A_BUILD_ID)
			return check_u64(f, d, a, "table", false);
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
	/*
	 * A structured case (fz_unwind()): the errno it must be refused with
	 * (> 0), or -1: no answer at all; 0: any answer. @text: with an
	 * extack message. @answers counts what came back.
	 */
	int expect;
	bool text;
	unsigned int ucase;
	unsigned int answers;
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

static const char *ucase_name(unsigned int c);

/* The answer @en (@has: its extack, as err_tlv_msg()) to structured @r. */
static void ucase_judge(struct fz *f, struct req *r, int en, int has)
{
	if (r->answers++) {
		f->ucase_bad++;
		problem(f, "unwind case %s: a second answer (%d)", ucase_name(r->ucase), -en);
		return;
	}
	if (r->expect < 0 || en != r->expect) {
		f->ucase_bad++;
		problem(f, "unwind case %s: error %d (%s), expected %d", ucase_name(r->ucase),
			-en, strerror(en), r->expect < 0 ? 0 : -r->expect);
		return;
	}
	if (r->text && r->ext && has != 1) {
		f->ucase_no_text++;
		problem(f, "unwind case %s: error %d without an extack message",
			ucase_name(r->ucase), -en);
	}
}

/*
 * Read whatever the kernel queued for us (the requests were handled inside
 * sendto; a dump goes on with every read), and judge it. @maxmsgs > 0 stops
 * after that many reads, leaving a dump unfinished.
 */
static void drain(struct fz *f, int fd, struct req *rq, unsigned int nrq,
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
			struct req *r = NULL;
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
				if (r && r->expect)
					ucase_judge(f, r, en, has);
				else if (!errno_expected(en)) {
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
			if (r && r->expect) {
				const struct genlmsghdr *g = NLMSG_DATA(nlh);

				f->ucase_bad++;
				problem(f, "unwind case %s: a data reply (cmd %u, flags %#x, seq %u)",
					ucase_name(r->ucase), g->cmd, nlh->nlmsg_flags,
					nlh->nlmsg_seq);
			}
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

/* ---- unwind tables: structured requests, each with its errno ---- */

/* A device no file of the guest is on: tables of files that do not exist. */
#define FZ_DEV ((15U << 20) | 91)

/*
 * This program's table: its text, one row with the outermost-frame rule
 * (a walk that reaches the text stops there, COMPLETE as far as the table
 * says) and the UNKNOWN row after it. Loaded before the requests; each
 * must leave it as it was, and a walk must use it afterwards.
 */
struct fz_utable {
	struct al_t_fmap m;
	struct anonleak_unwind_row rows[2];
};

static const struct anonleak_unwind_rule fz_rules[] = {
	{ 0, 0, ANONLEAK_UNWIND_CFA_END, ANONLEAK_UNWIND_FP_SAME },
	{ 0, 0, ANONLEAK_UNWIND_CFA_UNKNOWN, ANONLEAK_UNWIND_FP_SAME },
};

static int fz_utable_build(struct fz_utable *t, const void *text)
{
	int err = al_t_fmap_of((uintptr_t)text, &t->m);

	if (err)
		return err;
	t->rows[0].off = t->m.pgoff;
	t->rows[0].rule = 0;
	t->rows[1].off = t->m.pgoff + (t->m.end - t->m.start);
	t->rows[1].rule = 1;
	return 0;
}

static void fz_utable_upload(const struct fz_utable *t, struct al_t_upload *u)
{
	memset(u, 0, sizeof(*u));
	al_t_upload_of(u, &t->m);
	u->rows = t->rows;
	u->rows_bytes = sizeof(t->rows);
	u->rules = fz_rules;
	u->rules_bytes = sizeof(fz_rules);
}

static int fz_utable_load(const struct fz_utable *t, char ext[AL_T_EXT])
{
	struct al_t_upload u;

	fz_utable_upload(t, &u);
	return al_t_unwind_load(&u, ext);
}

/* A valid table, to spoil: random rows and rules, of a fake file or ours. */
struct fz_ubase {
	uint32_t dev;
	uint64_t ino, size, mtime;
	struct anonleak_unwind_rule rules[16];
	struct anonleak_unwind_row rows[160];
	unsigned int nrules, nrows;
};

static void fz_ubase(struct fz *f, struct fz_ubase *b, unsigned int min_rows)
{
	unsigned int i;
	uint32_t off;

	memset(b, 0, sizeof(*b));
	if (f->ut && chance(50)) {
		b->dev = f->ut->m.dev;
		b->ino = f->ut->m.ino;
		b->size = f->ut->m.size;
		b->mtime = f->ut->m.mtime;
	} else {
		b->dev = FZ_DEV;
		b->ino = 1 + rn(4);
		b->size = 4096 + rn(1 << 20);
		b->mtime = rnd() >> 2;
	}
	b->nrules = 1 + rn(16);
	for (i = 0; i < b->nrules; i++) {
		b->rules[i].cfa = rn(__ANONLEAK_UNWIND_CFA_MAX);
		b->rules[i].fp = rn(__ANONLEAK_UNWIND_FP_MAX);
		b->rules[i].cfa_off = (int32_t)rn(2 * ANONLEAK_UNWIND_MAX_OFF + 1) -
				      ANONLEAK_UNWIND_MAX_OFF;
		b->rules[i].fp_off = (int16_t)rnd();
	}
	b->nrows = min_rows + rn(160 - min_rows);
	off = chance(50) ? 0 : rn(1 << 24);
	for (i = 0; i < b->nrows; i++) {
		b->rows[i].off = off;
		b->rows[i].rule = rn(b->nrules);
		off += 1 + (chance(10) ? rn(1 << 16) : rn(64));
	}
}

#define UCASES(X)							\
	/* UNWIND_LOAD */						\
	X(NO_NEST, EINVAL) X(NO_ID_ATTR, EINVAL) X(ID_LEN, EINVAL)	\
	X(NEST_NOFLAG, EINVAL) X(FLAG_ON_U32, EINVAL)			\
	X(NEST_UNKNOWN, EINVAL) X(NEST_GARBAGE, EINVAL)			\
	X(NEST_SHORT, ERANGE) X(BID_EMPTY, EINVAL) X(BID_LONG, ERANGE)	\
	X(PATH_NO_NUL, EINVAL) X(PATH_LONG, EINVAL) X(PATH_TAIL, ERANGE) \
	X(ROWS_PARTIAL, EINVAL) X(RULES_PARTIAL, EINVAL)		\
	X(ROWS_SPLIT, EINVAL) X(NO_ROWS, EINVAL) X(NO_RULES, EINVAL)	\
	X(UNSORTED, EINVAL) X(DUP_START, EINVAL) X(RULE_INDEX, EINVAL)	\
	X(CFA_KIND, EINVAL) X(FP_KIND, EINVAL) X(CFA_OFF, EINVAL)	\
	X(ROWS_NESTED, EINVAL) X(TOP_UNKNOWN, EINVAL)			\
	X(TRUNC_ATTR, EINVAL) X(TRUNC_CUT, EINVAL) X(TRUNC_MSG, -1)	\
	X(LOAD_DUMP, EOPNOTSUPP)					\
	/* UNWIND_DROP */						\
	X(DROP_DEV_ONLY, EINVAL) X(DROP_INO_ONLY, EINVAL)		\
	X(DROP_EXTRA, EINVAL) X(DROP_LEN, EINVAL) X(DROP_NOFLAG, EINVAL) \
	X(DROP_ABSENT, ENOENT) X(DROP_GARBAGE, EINVAL)			\
	X(DROP_TOP_ROWS, EINVAL) X(DROP_DUMP, EOPNOTSUPP)		\
	/* GET_UNWIND */						\
	X(LIST_DOIT, EOPNOTSUPP) X(LIST_ATTR, EINVAL)			\
	/* GET_EXEMPLAR */						\
	X(EX_NONE, EINVAL) X(EX_NO_SITE_ID, EINVAL) X(EX_ABSENT, ENOENT) \
	X(EX_LEN, EINVAL) X(EX_DUMP, EOPNOTSUPP)

#define UCASE_ENUM(name, err) UC_##name,
#define UCASE_NAME(name, err) #name,
#define UCASE_ERR(name, err) err,
enum { UCASES(UCASE_ENUM) UC_N };
static const char *const ucase_names[] = { UCASES(UCASE_NAME) };
static const int ucase_errs[] = { UCASES(UCASE_ERR) };

static const char *ucase_name(unsigned int c)
{
	return c < UC_N ? ucase_names[c] : "?";
}

/* An attribute of @type and @len bytes of random content. */
static void mb_junk_attr(struct mb *m, uint16_t type, size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	mb_put(m, &a, sizeof(a));
	mb_random_bytes(m, len);
}

/* @len bytes of @data as @type attributes of @chunk bytes at most. */
static void mb_chunks(struct mb *m, uint16_t type, const void *data, size_t len,
		      size_t chunk)
{
	size_t done = 0, n;

	do {
		n = len - done < chunk ? len - done : chunk;
		mb_attr(m, type, (const char *)data + done, n);
		done += n;
	} while (done < len);
}

/* The identity of @b in a nest, spoilt as case @c says. */
static void fz_unwind_ident(struct mb *m, const struct fz_ubase *b, unsigned int c)
{
	static const uint16_t ids[] = { ANONLEAK_UNWIND_A_DEV, ANONLEAK_UNWIND_A_INO,
					ANONLEAK_UNWIND_A_SIZE, ANONLEAK_UNWIND_A_MTIME };
	static const uint16_t unknown[] = {
		0, ANONLEAK_UNWIND_A_PAD, ANONLEAK_UNWIND_A_ID, ANONLEAK_UNWIND_A_NROWS,
		ANONLEAK_UNWIND_A_NRULES, ANONLEAK_UNWIND_A_BYTES,
		ANONLEAK_UNWIND_A_LOADED, ANONLEAK_UNWIND_A_START,
		ANONLEAK_UNWIND_A_END, ANONLEAK_UNWIND_A_MAX + 1,
	};
	uint64_t v[4] = { b->dev, b->ino, b->size, b->mtime };
	unsigned int odd = rn(4), i;

	for (i = 0; i < 4; i++) {
		size_t len = i ? 8 : 4;

		if (c == UC_NO_ID_ATTR && i == odd)
			continue;
		if (c == UC_ID_LEN && i == odd) {
			/* DEV as 8 or 2 bytes; the u64s as 4 or 12. */
			static const size_t bad32[] = { 8, 2, 1, 0 }, bad64[] = { 4, 12, 1, 0 };

			len = i ? bad64[rn(4)] : bad32[rn(4)];
			mb_junk_attr(m, ids[i], len);
			continue;
		}
		mb_attr(m, ids[i] | (c == UC_FLAG_ON_U32 && i == odd ? NLA_F_NESTED : 0),
			&v[i], len);
	}
	if (c == UC_NEST_UNKNOWN) {
		uint16_t t = unknown[rn(sizeof(unknown) / sizeof(unknown[0]))];

		if (t == ANONLEAK_UNWIND_A_MAX + 1)
			t += rn(1000);
		mb_u64(m, t, rnd());
	}
}

/* A random path of @n characters, NUL-terminated if @nul. */
static void mb_path(struct mb *m, size_t n, bool nul, size_t tail)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + n + nul + tail,
			    .nla_type = ANONLEAK_UNWIND_A_PATH };
	char *p;
	size_t i;

	mb_put(m, &a, sizeof(a));
	p = mb_put(m, NULL, n + nul + tail);
	for (i = 0; p && i < n; i++)
		p[i] = 'a' + rn(26);
	if (p && tail)
		memset(p + n + nul, 'x', tail);
}

/* An UNWIND_LOAD of a valid table but for the one defect case @c says. */
static void fz_unwind_load(struct fz *f, struct mb *m, struct req *r, unsigned int c)
{
	struct fz_ubase *b = malloc(sizeof(*b));
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	size_t start = m->len, chunk;
	struct nlmsghdr *nlh;
	unsigned int i;

	if (!b)
		return;
	fz_ubase(f, b, c == UC_UNSORTED || c == UC_DUP_START ? 2 : 1);
	i = rn(b->nrows - 1);
	switch (c) {
	case UC_UNSORTED: {	/* two rows swapped */
		uint32_t off = b->rows[i].off;

		b->rows[i].off = b->rows[i + 1].off;
		b->rows[i + 1].off = off;
		break;
	}
	case UC_DUP_START:
		b->rows[i + 1].off = b->rows[i].off;
		break;
	case UC_RULE_INDEX:
		b->rows[rn(b->nrows)].rule = chance(20) ? 0xffffffffU :
					      b->nrules + rn(1000);
		break;
	case UC_CFA_KIND:
		b->rules[rn(b->nrules)].cfa = __ANONLEAK_UNWIND_CFA_MAX +
					      rn(256 - __ANONLEAK_UNWIND_CFA_MAX);
		break;
	case UC_FP_KIND:
		b->rules[rn(b->nrules)].fp = __ANONLEAK_UNWIND_FP_MAX +
					     rn(256 - __ANONLEAK_UNWIND_FP_MAX);
		break;
	case UC_CFA_OFF:
		b->rules[rn(b->nrules)].cfa_off = chance(50) ?
			ANONLEAK_UNWIND_MAX_OFF + 1 + (int32_t)rn(1 << 30) :
			-ANONLEAK_UNWIND_MAX_OFF - 1 - (int32_t)rn(1 << 30);
		break;
	}
	if (c == UC_LOAD_DUMP)
		flags |= NLM_F_DUMP;
	mb_hdr(m, f->family, flags, r->seq, ANONLEAK_CMD_UNWIND_LOAD, 1);
	if (c == UC_NEST_SHORT) {
		mb_junk_attr(m, ANONLEAK_A_UNWIND | NLA_F_NESTED, 1 + rn(3));
	} else if (c != UC_NO_NEST) {
		mb_nest_start(m, ANONLEAK_A_UNWIND);
		if (c == UC_NEST_NOFLAG)
			((struct nlattr *)(m->buf + m->nests[m->depth - 1]))->nla_type &=
				~NLA_F_NESTED;
		fz_unwind_ident(m, b, c);
		if (c == UC_BID_EMPTY || c == UC_BID_LONG || chance(30))
			mb_junk_attr(m, ANONLEAK_UNWIND_A_BUILD_ID,
				     c == UC_BID_EMPTY ? 0 :
				     c == UC_BID_LONG ? 21 + rn(40) : 1 + rn(20));
		if (c == UC_PATH_NO_NUL)
			mb_path(m, 1 + rn(200), false, 0);
		else if (c == UC_PATH_LONG)
			mb_path(m, 4096 + rn(3000), true, 0);
		else if (c == UC_PATH_TAIL)
			mb_path(m, rn(100), true, 4096 + rn(3000));
		else if (chance(50))
			mb_path(m, rn(100), true, 0);
		if (c == UC_NEST_GARBAGE) {
			/* An attribute header that lies about its length. */
			struct nlattr a = { .nla_len = chance(50) ? rn(NLA_HDRLEN) :
						       NLA_HDRLEN + 64 + rn(1000),
					    .nla_type = ANONLEAK_UNWIND_A_PATH };

			mb_put(m, &a, sizeof(a));
			mb_random_bytes(m, rn(8) * 4);
		}
		mb_nest_end(m);
	}
	chunk = chance(50) ? 65528 : 8 * (1 + rn(16));
	if (c != UC_NO_RULES) {
		size_t len = b->nrules * sizeof(b->rules[0]);

		if (c == UC_RULES_PARTIAL)
			len = chance(50) && len > 8 ? len - 1 - rn(7) : len + 1 + rn(7);
		mb_chunks(m, ANONLEAK_A_UNWIND_RULES, b->rules, len, chunk);
	}
	if (c == UC_TOP_UNKNOWN) {
		static const uint16_t top[] = { 0, ANONLEAK_A_PID, ANONLEAK_A_CONFIG,
						ANONLEAK_A_SITE, ANONLEAK_A_MAX + 1 };
		uint16_t t = top[rn(sizeof(top) / sizeof(top[0]))];

		mb_u32(m, t == ANONLEAK_A_MAX + 1 ? t + rn(1000) : t, rnd());
	}
	if (c != UC_NO_ROWS) {
		size_t len = b->nrows * sizeof(b->rows[0]);

		if (c == UC_ROWS_PARTIAL)
			len = chance(50) && len > 8 ? len - 1 - rn(7) : len + 1 + rn(7);
		if (c == UC_ROWS_SPLIT) {
			/* Whole rows in all, not in each attribute. */
			size_t first = 1 + rn(7);

			mb_attr(m, ANONLEAK_A_UNWIND_ROWS, b->rows, first);
			mb_chunks(m, ANONLEAK_A_UNWIND_ROWS, (char *)b->rows + first,
				  len - first, len);
		} else if (c == UC_ROWS_NESTED) {
			mb_attr(m, ANONLEAK_A_UNWIND_ROWS | NLA_F_NESTED, b->rows, len);
		} else {
			mb_chunks(m, ANONLEAK_A_UNWIND_ROWS, b->rows, len, chunk);
		}
	}
	mb_end(m, start);
	nlh = (struct nlmsghdr *)(m->buf + start);
	if (c == UC_TRUNC_ATTR) {
		/* The last attribute (rows) claims more than the message has. */
		struct nlattr *last = NULL, *a = (void *)(m->buf + start +
						       NLMSG_LENGTH(GENL_HDRLEN));

		while ((uint8_t *)a < m->buf + m->len) {
			last = a;
			a = (void *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
		}
		if (last)
			last->nla_len += 8 * (1 + rn(64));
	} else if (c == UC_TRUNC_CUT) {
		/* The message ends inside the table's last row. */
		nlh->nlmsg_len -= 1 + rn(7);
		m->len = start + nlh->nlmsg_len;
	} else if (c == UC_TRUNC_MSG) {
		/* Fewer bytes sent than nlmsg_len says: the kernel drops it. */
		m->len -= 1 + rn(m->len - start - NLMSG_HDRLEN);
	}
	free(b);
}

/* An UNWIND_DROP, GET_UNWIND or GET_EXEMPLAR as case @c says. */
static void fz_unwind_other(struct fz *f, struct mb *m, struct req *r, unsigned int c)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	size_t start = m->len;
	struct fz_ubase b;
	unsigned int odd;
	uint8_t cmd;

	fz_ubase(f, &b, 1);
	if (c == UC_DROP_ABSENT) {
		b.dev = FZ_DEV;
		b.ino = 1000 + rn(1000);	/* never loaded */
	}
	if (c >= UC_EX_NONE)
		cmd = ANONLEAK_CMD_GET_EXEMPLAR;
	else if (c >= UC_LIST_DOIT)
		cmd = ANONLEAK_CMD_GET_UNWIND;
	else
		cmd = ANONLEAK_CMD_UNWIND_DROP;
	if (c == UC_DROP_DUMP || c == UC_EX_DUMP ||
	    (cmd == ANONLEAK_CMD_GET_UNWIND && c != UC_LIST_DOIT))
		flags |= NLM_F_DUMP;
	r->cmd = cmd;
	mb_hdr(m, f->family, flags, r->seq, cmd, 1);
	switch (c) {
	case UC_LIST_DOIT:
		break;
	case UC_LIST_ATTR:
		if (chance(50))
			mb_u32(m, ANONLEAK_A_PID, r->seq);
		else
			fz_unwind_ident(m, &b, UC_N);	/* bare, not in a nest */
		break;
	case UC_EX_NONE:
		if (chance(50))
			mb_u64(m, ANONLEAK_A_PROC_ID, rnd());
		break;
	case UC_EX_NO_SITE_ID:
		mb_u64(m, ANONLEAK_A_PROC_ID, 1 + rn(1000));
		mb_nest_start(m, ANONLEAK_A_SITE);
		mb_nest_end(m);
		break;
	case UC_EX_ABSENT:
	case UC_EX_LEN:
	case UC_EX_DUMP:
		if (c == UC_EX_LEN)
			mb_u32(m, ANONLEAK_A_PROC_ID, rnd());
		else
			mb_u64(m, ANONLEAK_A_PROC_ID, (1ULL << 40) + rn(1000));
		mb_nest_start(m, ANONLEAK_A_SITE);
		mb_u64(m, ANONLEAK_SITE_A_ID, (1ULL << 40) + rn(1000));
		mb_nest_end(m);
		break;
	default:	/* UNWIND_DROP */
		mb_nest_start(m, ANONLEAK_A_UNWIND);
		if (c == UC_DROP_NOFLAG)
			((struct nlattr *)(m->buf + m->nests[m->depth - 1]))->nla_type &=
				~NLA_F_NESTED;
		odd = rn(2);	/* DROP_LEN: DEV as a u64, or INO as a u32 */
		if (c != UC_DROP_INO_ONLY) {
			if (c == UC_DROP_LEN && !odd)
				mb_u64(m, ANONLEAK_UNWIND_A_DEV, b.dev);
			else
				mb_u32(m, ANONLEAK_UNWIND_A_DEV, b.dev);
		}
		if (c != UC_DROP_DEV_ONLY) {
			if (c == UC_DROP_LEN && odd)
				mb_u32(m, ANONLEAK_UNWIND_A_INO, b.ino);
			else
				mb_u64(m, ANONLEAK_UNWIND_A_INO, b.ino);
		}
		if (c == UC_DROP_EXTRA)
			mb_u64(m, chance(50) ? ANONLEAK_UNWIND_A_SIZE : ANONLEAK_UNWIND_A_ID,
			       b.size);
		if (c == UC_DROP_GARBAGE)
			mb_junk_attr(m, ANONLEAK_UNWIND_A_MAX + 1 + rn(100), rn(16));
		mb_nest_end(m);
		if (c == UC_DROP_TOP_ROWS)
			mb_attr(m, chance(50) ? ANONLEAK_A_UNWIND_ROWS : ANONLEAK_A_UNWIND_RULES,
				b.rows, 8);
	}
	mb_end(m, start);
}

/*
 * One structured request of case @c (UC_N: a random one) into @m: a
 * request that must be refused with ucase_errs[c], changing nothing.
 */
static struct req fz_unwind(struct fz *f, struct mb *m, unsigned int c)
{
	struct req r = { .seq = ++f->seq, .ours = true, .genl_ok = true,
			 .cmd = ANONLEAK_CMD_UNWIND_LOAD };

	if (c >= UC_N)
		c = rn(UC_N);
	r.ucase = c;
	r.expect = ucase_errs[c];
	r.text = r.expect != EOPNOTSUPP && r.expect > 0;
	if (c <= UC_LOAD_DUMP)
		fz_unwind_load(f, m, &r, c);
	else
		fz_unwind_other(f, m, &r, c);
	f->ucases++;
	return r;
}

/* Send structured @r (built in @m) on @fd and judge its answer. */
static void fz_unwind_send(struct fz *f, int fd, struct mb *m, struct req *r)
{
	if (nl_send(fd, m->buf, m->len) < 0) {
		f->ucase_bad++;
		problem(f, "unwind case %s: sendto: %s", ucase_name(r->ucase),
			strerror(errno));
		return;
	}
	f->sent++;
	drain(f, fd, r, 1, 0, 1 << 16);
	if (r->expect > 0 && !r->answers) {
		f->ucase_bad++;
		problem(f, "unwind case %s: no answer", ucase_name(r->ucase));
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
	/* A drop without a table named would drop them all: never. */
	if (cmd == ANONLEAK_CMD_UNWIND_DROP)
		return fz_unwind(f, m, UC_DROP_DEV_ONLY +
				 rn(UC_DROP_DUMP - UC_DROP_DEV_ONLY + 1));
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
	if (len >= 1 && m->buf[start + NLMSG_HDRLEN] == ANONLEAK_CMD_UNWIND_DROP)
		m->buf[start + NLMSG_HDRLEN] = ANONLEAK_CMD_GET_UNWIND;
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

	memset(r, 0, sizeof(*r));
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

/*
 * Walks from fz_site_t() use this program's table (fz_utable): the mmap is
 * in libc's syscall() (no table: the leaf step), its caller in our text,
 * where the table's one rule ends the walk. So each mapping takes exactly
 * one table frame and makes a site of two frames, flagged UNWOUND.
 */
static void expect_table_used(struct __test_metadata *_metadata)
{
	static uint64_t total;	/* mappings made here so far, in this process */
	void *const fns[] = { (void *)fz_site_a, (void *)fz_site_b, (void *)fz_site_t };
	uintptr_t lo = (uintptr_t)fz_site_t, hi = al_fn_end(fz_site_t, fns, 3);
	enum { N = 4 };
	struct al_t_stats st0, st1;
	struct al_t_site *s = NULL;
	struct al_t_dump d;
	unsigned int i, found = 0;
	void *p[N];

	ASSERT_EQ(0, al_t_stats(&st0));
	for (i = 0; i < N; i++) {
		p[i] = fz_site_t(PG);
		ASSERT_NE(MAP_FAILED, p[i]);
	}
	total += N;
	ASSERT_EQ(0, al_t_stats(&st1));
	EXPECT_EQ(N, st1.c[ANONLEAK_STATS_A_UNWIND_FRAMES] -
		     st0.c[ANONLEAK_STATS_A_UNWIND_FRAMES]);
	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	for (i = 0; i < d.n; i++)
		if (d.sites[i].depth >= 2 && d.sites[i].frames[1] > lo &&
		    d.sites[i].frames[1] < hi) {
			s = &d.sites[i];
			found++;
		}
	EXPECT_EQ(1, found) TH_LOG("sites of fz_site_t: %u", found);
	if (s) {
		EXPECT_EQ(2, s->depth);
		EXPECT_EQ(ANONLEAK_SITE_F_UNWOUND,
			  s->c[ANONLEAK_SITE_A_FLAGS] & (ANONLEAK_SITE_F_UNWOUND |
							 ANONLEAK_SITE_F_COMPLETE |
							 ANONLEAK_SITE_F_ANON_EXEC));
		EXPECT_EQ(total, s->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	}
	free(d.sites);
	for (i = 0; i < N; i++)
		munmap(p[i], PG);
}

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
	al_t_unwind_drop(0, 0, true, NULL);
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
	struct al_t_unwind_state us0, us1;
	struct fz_utable ut;
	unsigned long it, withext = 0, errors = 0;
	char why[512] = "", ext[AL_T_EXT];
	pid_t z;
	int fd = -1, e;

	ASSERT_NE(NULL, m);
	rng_state = seed ? seed : 1;
	/* A valid table, which every request must leave as it is. */
	ASSERT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
	ASSERT_EQ(0, fz_utable_build(&ut, fz_site_t));
	ASSERT_EQ(0, fz_utable_load(&ut, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, al_t_unwind_state(&us0));
	f.ut = &ut;
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
		if (kind < 112) {	/* an unwind-table request, alone */
			struct req r;

			m->len = 0;
			m->depth = 0;
			r = fz_unwind(&f, m, UC_N);
			r.ext = f.ext_on;
			fz_unwind_send(&f, fd, m, &r);
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
	al_say("fuzz: %lu unwind-table requests of %u kinds, each refused with its errno: %lu otherwise, %lu without a message\n",
	       f.ucases, UC_N, f.ucase_bad, f.ucase_no_text);
	if (f.first_problem[0])
		al_say("fuzz: first problem: %s\n", f.first_problem);
	EXPECT_EQ(0, f.bad_errno);
	EXPECT_EQ(0, f.bad_data);
	EXPECT_EQ(0, f.need_ext_missing);
	EXPECT_EQ(0, f.ucase_bad);
	EXPECT_EQ(0, f.ucase_no_text);
	EXPECT_LT(0, f.ucases);
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
	/* The table is as it was, and walks use it. */
	ASSERT_EQ(0, al_t_unwind_state(&us1));
	EXPECT_EQ(0, memcmp(&us0, &us1, sizeof(us1)));
	EXPECT_TRUE(al_t_unwind_state_ok(&us1));
	expect_table_used(_metadata);
	EXPECT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
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

/* ---- unwind tables: refused requests, limits, races with exits ---- */

FIXTURE(ufuzz) {
	struct al_t_config cfg0;
	struct fz_utable t;
	struct al_t_unwind_state s0;	/* this program's table loaded, only */
	int family;
};

FIXTURE_SETUP(ufuzz)
{
	char ext[AL_T_EXT];

	if (geteuid())
		SKIP(return, "needs root");
	self->family = al_t_family();
	if (self->family == -ENOENT && !al_ko_loaded() && !al_ko_load(""))
		self->family = al_t_family();
	ASSERT_LT(0, self->family) TH_LOG("the anonleak family is not registered");
	ASSERT_EQ(0, al_t_get_config(&self->cfg0));
	ASSERT_EQ(1, self->cfg0.v[ANONLEAK_CONFIG_A_UNWIND]);
	ASSERT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
	ASSERT_EQ(0, fz_utable_build(&self->t, fz_site_t));
	ASSERT_EQ(0, fz_utable_load(&self->t, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, al_t_unwind_state(&self->s0));
	ASSERT_EQ(1, self->s0.n);
	ASSERT_TRUE(al_t_unwind_state_ok(&self->s0));
}

FIXTURE_TEARDOWN(ufuzz)
{
	if (geteuid())
		return;
	al_t_unwind_drop(0, 0, true, NULL);
	al_t_set_config(&self->cfg0, AL_T_CFG_ALL, NULL);
}

/*
 * Every kind of malformed unwind-table request (UCASES), several times
 * each over random tables: refused with its errno and an extack message,
 * and the tables (ids, counts, bytes, refusals) exactly as they were.
 */
TEST_F_TIMEOUT(ufuzz, malformed_requests_refused_exactly, 600)
{
	unsigned int reps = al_scale(6, 1), rep, c, changed = 0;
	struct fz f = { .family = self->family, .self = getpid(), .ut = &self->t };
	struct mb *m = calloc(1, sizeof(*m));
	struct al_t_unwind_state b, a;
	double t0 = al_now_s();
	int fd;

	ASSERT_NE(NULL, m);
	rng_state = al_env_ul("ANONLEAK_FUZZ_SEED", 0x616e6f6e) ^ 0x0e1d7ab1e;
	fd = nl_open(true, true);
	ASSERT_LE(0, fd);
	for (rep = 0; rep < reps; rep++) {
		for (c = 0; c < UC_N; c++) {
			struct req r;

			ASSERT_EQ(0, al_t_unwind_state(&b));
			m->len = 0;
			m->depth = 0;
			r = fz_unwind(&f, m, c);
			r.ext = true;
			fz_unwind_send(&f, fd, m, &r);
			ASSERT_EQ(0, al_t_unwind_state(&a));
			if (memcmp(&a, &b, sizeof(a))) {
				changed++;
				problem(&f, "unwind case %s changed the tables", ucase_name(c));
			}
		}
	}
	close(fd);
	al_say("unwind requests: %lu of %u kinds in %.1f s: %lu answered otherwise, %lu without a message, %u changed the tables\n",
	       f.ucases, UC_N, al_now_s() - t0, f.ucase_bad, f.ucase_no_text, changed);
	if (f.first_problem[0])
		al_say("unwind requests: first problem: %s\n", f.first_problem);
	EXPECT_EQ((unsigned long)reps * UC_N, f.ucases);
	EXPECT_EQ(0, f.ucase_bad);
	EXPECT_EQ(0, f.ucase_no_text);
	EXPECT_EQ(0, changed);
	ASSERT_EQ(0, al_t_unwind_state(&a));
	EXPECT_EQ(0, memcmp(&self->s0, &a, sizeof(a)));
	expect_table_used(_metadata);
	free(m);
}

/* A fake file's table of @nrows rows and @nrules rules (all zero: valid). */
static int fz_fake_load(uint64_t ino, size_t nrows, size_t nrules, const char *path,
			char ext[AL_T_EXT])
{
	struct anonleak_unwind_row *rows = calloc(nrows, sizeof(*rows));
	struct anonleak_unwind_rule *rules = calloc(nrules, sizeof(*rules));
	struct al_t_upload u = {
		.dev = FZ_DEV, .ino = ino, .size = 4096, .mtime = 1, .path = path,
		.rows = rows, .rows_bytes = nrows * sizeof(*rows),
		.rules = rules, .rules_bytes = nrules * sizeof(*rules),
	};
	size_t i;
	int ret = -ENOMEM;

	if (rows && rules) {
		/* Sorted, every rule 0; too many are refused unread. */
		for (i = 0; i < nrows && nrows <= ANONLEAK_UNWIND_MAX_ROWS; i++)
			rows[i].off = i;
		ret = al_t_unwind_load(&u, ext);
	}
	free(rows);
	free(rules);
	return ret;
}

/* fz_fake_load() refused with @err and a message, changing nothing else. */
#define EXPECT_FAKE_REFUSED(err, refusals, ino, nrows, nrules, what) do { \
	struct al_t_unwind_state b_, a_;				\
	char ext_[AL_T_EXT] = "";					\
									\
	ASSERT_EQ(0, al_t_unwind_state(&b_));				\
	EXPECT_EQ(err, fz_fake_load(ino, nrows, nrules, NULL, ext_)) TH_LOG("%s", what); \
	EXPECT_NE(0, ext_[0]) TH_LOG("%s: no extack message", what);	\
	ASSERT_EQ(0, al_t_unwind_state(&a_));				\
	EXPECT_EQ(b_.refused + (refusals), a_.refused) TH_LOG("%s", what); \
	a_.refused = b_.refused;					\
	EXPECT_EQ(0, memcmp(&b_, &a_, sizeof(a_))) TH_LOG("%s changed the tables", what); \
} while (0)

/*
 * The limits: the longest path (listed whole, on a fresh socket, as the
 * only table: the dump's first message), ANONLEAK_UNWIND_MAX_RULES rules;
 * one rule or row more, and tables beyond max_unwind_bytes, are refused.
 */
TEST_F_TIMEOUT(ufuzz, limits_accepted_and_oversized_refused, 900)
{
	char *path = malloc(PATH_MAX), ext[AL_T_EXT] = "";
	struct fz f = { .family = self->family };
	struct al_t_unwind_state st, sa;
	struct mb *m;
	struct req r;
	int fd;
	struct al_t_utables ts;
	struct al_t_config cfg;
	struct al_t_upload u;
	double t0;

	ASSERT_NE(NULL, path);
	memset(path, 'p', PATH_MAX - 1);
	path[0] = '/';
	path[PATH_MAX - 1] = 0;
	ASSERT_EQ(0, al_t_unwind_drop(0, 0, true, NULL));
	EXPECT_EQ(0, fz_fake_load(1, 3, 1, path, ext)) TH_LOG("%s", ext);
	/* A dump that is the socket's first read (its first skb is small). */
	fd = nl_open(true, true);
	ASSERT_LE(0, fd);
	m = calloc(1, sizeof(*m));
	ASSERT_NE(NULL, m);
	dump_req(&f, m, &r, ANONLEAK_CMD_GET_UNWIND, 0);
	ASSERT_LT(0, nl_send(fd, m->buf, m->len));
	drain(&f, fd, &r, 1, 0, 1 << 16);
	close(fd);
	free(m);
	EXPECT_EQ(1, f.replies) TH_LOG("GET_UNWIND of a table with a path of %d bytes", PATH_MAX - 1);
	EXPECT_EQ(0, f.errs[EMSGSIZE]) TH_LOG("GET_UNWIND: EMSGSIZE");
	EXPECT_EQ(0, f.bad_data + f.bad_errno) TH_LOG("%s", f.first_problem);
	ASSERT_EQ(0, al_t_unwinds(&ts));
	ASSERT_EQ(1, ts.n);
	EXPECT_EQ(0, strncmp(path, ts.v[0].path, sizeof(ts.v[0].path) - 1));
	free(ts.v);
	EXPECT_EQ(0, al_t_unwind_drop(FZ_DEV, 1, false, NULL));
	free(path);
	ASSERT_EQ(0, fz_utable_load(&self->t, ext)) TH_LOG("%s", ext);

	t0 = al_now_s();
	EXPECT_EQ(0, fz_fake_load(2, 1, ANONLEAK_UNWIND_MAX_RULES, NULL, ext)) TH_LOG("%s", ext);
	ASSERT_EQ(0, al_t_unwinds(&ts));
	EXPECT_EQ(ANONLEAK_UNWIND_MAX_RULES,
		  al_t_utable_of(&ts, FZ_DEV, 2) ?
		  al_t_utable_of(&ts, FZ_DEV, 2)->v[ANONLEAK_UNWIND_A_NRULES] : 0);
	free(ts.v);
	EXPECT_EQ(0, al_t_unwind_drop(FZ_DEV, 2, false, NULL));
	EXPECT_FAKE_REFUSED(-EINVAL, 0, 3, 1, ANONLEAK_UNWIND_MAX_RULES + 1,
			    "one rule too many");
	al_say("limits: %u rules, and one more, in %.1f s\n", ANONLEAK_UNWIND_MAX_RULES,
	       al_now_s() - t0);
	/*
	 * One row too many is 128 MiB to send, 4 to 14 s on the 6.1 guest:
	 * too long for every lane. ANONLEAK_FUZZ_HUGE=1 asks for it.
	 */
	if (al_env_ul("ANONLEAK_FUZZ_HUGE", 0)) {
		t0 = al_now_s();
		EXPECT_FAKE_REFUSED(-EINVAL, 0, 3, ANONLEAK_UNWIND_MAX_ROWS + 1, 1,
				    "one row too many");
		al_say("limits: %u rows in %.1f s\n", ANONLEAK_UNWIND_MAX_ROWS + 1,
		       al_now_s() - t0);
	} else {
		al_say("limits: %u rows not sent (ANONLEAK_FUZZ_HUGE=1 sends them)\n",
		       ANONLEAK_UNWIND_MAX_ROWS + 1);
	}

	/* max_unwind_bytes: what is loaded now and 64 bytes. */
	ASSERT_EQ(0, al_t_unwind_state(&st));
	cfg = self->cfg0;
	cfg.v[ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES] = st.bytes + 64;
	ASSERT_EQ(0, al_t_set_config(&cfg, AL_T_CFG_BIT(MAX_UNWIND_BYTES), NULL));
	EXPECT_FAKE_REFUSED(-ENOSPC, 1, 4, 1000, 2, "a table beyond max_unwind_bytes");
	/* A larger table of our own file: refused, the one loaded stays. */
	fz_utable_upload(&self->t, &u);
	u.path = "/a/path/longer/than/this/program's/by/more/than/the/64/bytes/left/"
		 "under/the/cap/................................................../"
		 "................................................................";
	ASSERT_EQ(0, al_t_unwind_state(&st));
	EXPECT_EQ(-ENOSPC, al_t_unwind_load(&u, ext));
	EXPECT_NE(0, ext[0]);
	EXPECT_EQ(0, al_t_set_config(&self->cfg0, AL_T_CFG_BIT(MAX_UNWIND_BYTES), NULL));
	ASSERT_EQ(0, al_t_unwind_state(&sa));
	EXPECT_EQ(st.refused + 1, sa.refused);
	sa.refused = st.refused;
	EXPECT_EQ(0, memcmp(&st, &sa, sizeof(sa)));
	expect_table_used(_metadata);
}

/* ---- uploads racing process exits ---- */

#define RACE_FILES 4
#define RACE_SPAWNERS 2

struct race_kid {
	int32_t pid;
	uint32_t live;		/* mappings it left at its exit */
};

/* Map @fd executable, map and unmap from fz_site_t(), report, exit. */
static void race_grandchild(int fd, int rec)
{
	struct race_kid k = { .pid = getpid(), .live = 1 + getpid() % 3 };
	unsigned int i;
	void *p;

	if (mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		_exit(1);
	for (i = 0; i <= k.live; i++) {
		p = fz_site_t(PG);
		if (p == MAP_FAILED)
			_exit(1);
		if (i == k.live && munmap(p, PG))
			_exit(1);
	}
	if (write(rec, &k, sizeof(k)) != sizeof(k))
		_exit(1);
	_exit(0);
}

/* Children one after the other until @stop hangs up; some killed at once. */
static int race_spawner(unsigned int n, const int *fds, int stop, int rec)
{
	struct pollfd p = { .fd = stop, .events = POLLIN };
	unsigned int kids = 0;
	int status;
	pid_t pid;

	rng_state = 0x5eed + n;
	while (poll(&p, 1, 0) == 0) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid)
			race_grandchild(fds[rn(RACE_FILES)], rec);
		if (chance(25))
			kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			return 2;
		if (WIFEXITED(status) && WEXITSTATUS(status))
			return 3;
		kids++;
	}
	return kids ? 0 : 4;
}

/* A table for race file @i: its first page with rule @rule, then none. */
static int race_load(const struct stat *st, uint32_t rule)
{
	struct anonleak_unwind_row rows[2] = { { 0, rule }, { 4096, 1 } };
	struct al_t_upload u = {
		.rows = rows, .rows_bytes = sizeof(rows),
		.rules = fz_rules, .rules_bytes = sizeof(fz_rules),
		.path = "race",
	};

	al_t_upload_of_stat(&u, st);
	return al_t_unwind_load(&u, NULL);
}

/* Read the children's reports that are there (all, once @rec is at EOF). */
static void race_reports(int rec, struct race_kid **v, unsigned int *n,
			 unsigned int *cap)
{
	struct race_kid k, *e;

	while (read(rec, &k, sizeof(k)) == sizeof(k)) {
		e = al_append(v, n, cap, sizeof(k), 256);
		if (e)
			*e = k;
	}
}

/*
 * Uploads racing process exits. Children map executable files of our
 * own and make mappings whose walks go through this program's table, and
 * exit or are killed, while this process loads, replaces and drops those
 * files' tables and its own, and lists them, in a loop; an "objects"
 * listener makes every executable mapping look its file's table up. Each
 * answer is the one the set of loaded tables calls for. Afterwards the
 * counts agree, the exited children's records hold what they left mapped,
 * the files' tables stay (the module keeps a table until it is dropped,
 * mapped or not: dropping those of files no process maps is the agent's
 * job) until dropped, and our own table still serves walks.
 */
TEST_F_TIMEOUT(ufuzz, uploads_race_process_exit, 900)
{
	unsigned int iters = al_scale(400, 40), it, i, bad = 0, nkids = 0, cap = 0;
	unsigned int checked = 0, wrong = 0, ops[4] = { 0 };
	int fds[RACE_FILES], stop[2], rec[2], status, sk, grp, big = 1 << 20;
	bool loaded[RACE_FILES + 1] = { false };
	struct stat st[RACE_FILES];
	struct race_kid *kids = NULL;
	pid_t spawners[RACE_SPAWNERS];
	struct al_t_unwind_state s;
	struct al_t_utables ts;
	struct al_t_procs ps;
	struct al_t_dump d;
	char why[512] = "", first[160] = "";
	double t0;

	rng_state = al_env_ul("ANONLEAK_FUZZ_SEED", 0x616e6f6e) ^ 0x7ace;
	for (i = 0; i < RACE_FILES; i++) {
		fds[i] = al_t_exec_file(&st[i]);
		ASSERT_LE(0, fds[i]);
	}
	loaded[RACE_FILES] = true;	/* our own, from the setup */
	sk = al_t_socket(false, false, 0);
	grp = al_t_group(ANONLEAK_MCGRP_OBJECTS);
	ASSERT_LE(0, sk);
	ASSERT_LE(0, grp);
	ASSERT_EQ(0, setsockopt(sk, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	setsockopt(sk, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	ASSERT_EQ(0, pipe(stop));
	ASSERT_EQ(0, pipe2(rec, O_NONBLOCK));
	for (i = 0; i < RACE_SPAWNERS; i++) {
		spawners[i] = fork();
		ASSERT_LE(0, spawners[i]);
		if (!spawners[i]) {
			close(stop[1]);
			close(rec[0]);
			_exit(race_spawner(i, fds, stop[0], rec[1]));
		}
	}
	close(stop[0]);
	close(rec[1]);

	t0 = al_now_s();
	for (it = 0; it < iters; it++) {
		unsigned int k = rn(RACE_FILES + 1), op = rn(4), j, nloaded = 0;
		int want = 0, got;

		ops[op]++;
		if (op < 2) {			/* load, or replace */
			got = k == RACE_FILES ? fz_utable_load(&self->t, NULL) :
			      race_load(&st[k], rn(2));
			loaded[k] = true;
		} else if (op == 2) {		/* drop one */
			got = k == RACE_FILES ?
			      al_t_unwind_drop(self->t.m.dev, self->t.m.ino, false, NULL) :
			      al_t_unwind_drop(al_t_kdev(st[k].st_dev), st[k].st_ino,
					       false, NULL);
			want = loaded[k] ? 0 : -ENOENT;
			loaded[k] = false;
		} else if (chance(10)) {	/* drop all */
			got = al_t_unwind_drop(0, 0, true, NULL);
			memset(loaded, 0, sizeof(loaded));
		} else {			/* the list is the loaded set */
			got = al_t_unwinds(&ts);
			for (j = 0; !got && j <= RACE_FILES; j++) {
				bool there = j == RACE_FILES ?
					     al_t_utable_of(&ts, self->t.m.dev, self->t.m.ino) :
					     al_t_utable_of(&ts, al_t_kdev(st[j].st_dev),
							    st[j].st_ino);

				nloaded += loaded[j];
				if (there != loaded[j])
					got = -EBADE;
			}
			if (!got && ts.n != nloaded)
				got = -EBADE;
			free(ts.v);
		}
		if (got != want && !bad++)
			snprintf(first, sizeof(first), "iteration %u: op %u of table %u: %d, not %d",
				 it, op, k, got, want);
		race_reports(rec[0], &kids, &nkids, &cap);
		while (recv(sk, why, sizeof(why), MSG_DONTWAIT) > 0)
			;
	}
	close(stop[1]);
	for (i = 0; i < RACE_SPAWNERS; i++) {
		ASSERT_EQ(spawners[i], waitpid(spawners[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("spawner %u: status %#x", i, status);
	}
	fcntl(rec[0], F_SETFL, 0);
	race_reports(rec[0], &kids, &nkids, &cap);
	close(rec[0]);
	close(sk);
	al_say("race: %u requests (%u loads, %u drops, %u lists or drops of all) in %.1f s against %u children that reported: %u answered otherwise\n",
	       iters, ops[0] + ops[1], ops[2], ops[3], al_now_s() - t0, nkids, bad);
	EXPECT_EQ(0, bad) TH_LOG("%s", first);
	EXPECT_LT(0, nkids);

	/* The counts agree, and the tables are the loaded set. */
	ASSERT_EQ(0, al_t_unwind_state(&s));
	EXPECT_TRUE(al_t_unwind_state_ok(&s))
		TH_LOG("listed %llu tables, %llu rows, %llu bytes; stats %llu, %llu, %llu",
		       (unsigned long long)s.n, (unsigned long long)s.list_rows,
		       (unsigned long long)s.list_bytes, (unsigned long long)s.tables,
		       (unsigned long long)s.rows, (unsigned long long)s.bytes);

	/* Each reporting child's exited record holds what it left mapped. */
	ASSERT_EQ(0, al_t_procs(0, &ps));
	for (i = 0; i < nkids; i++) {
		bool seen = false, right = false;
		unsigned int j;

		for (j = 0; j < ps.n; j++) {
			if (ps.v[j].pid != (uint32_t)kids[i].pid ||
			    ps.v[j].state != ANONLEAK_PROC_EXITED)
				continue;
			seen = true;
			right |= ps.v[j].count == kids[i].live &&
				 ps.v[j].bytes == kids[i].live * PG;
		}
		checked += seen;
		wrong += seen && !right;
	}
	free(ps.v);
	free(kids);
	al_say("race: %u of the children's exited records kept, %u wrong\n", checked, wrong);
	EXPECT_LT(0, checked);
	EXPECT_EQ(0, wrong);
	ASSERT_EQ(0, al_t_sites(0, &d));
	EXPECT_EQ(0, al_t_sites_bad(&d, true, why, sizeof(why))) TH_LOG("%s", why);
	free(d.sites);

	/* The files' tables outlive every mapping of them, until dropped. */
	for (i = 0; i < RACE_FILES; i++) {
		int want = loaded[i] ? 0 : -ENOENT;

		EXPECT_EQ(want, al_t_unwind_drop(al_t_kdev(st[i].st_dev), st[i].st_ino,
						 false, NULL)) TH_LOG("file %u", i);
		EXPECT_EQ(-ENOENT, al_t_unwind_drop(al_t_kdev(st[i].st_dev), st[i].st_ino,
						    false, NULL));
		close(fds[i]);
	}
	if (!loaded[RACE_FILES])
		ASSERT_EQ(0, fz_utable_load(&self->t, NULL));
	ASSERT_EQ(0, al_t_unwind_state(&s));
	EXPECT_EQ(1, s.n);
	EXPECT_EQ(self->s0.rows, s.rows);
	EXPECT_EQ(self->s0.bytes, s.bytes);
	EXPECT_TRUE(al_t_unwind_state_ok(&s));
	expect_table_used(_metadata);
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
