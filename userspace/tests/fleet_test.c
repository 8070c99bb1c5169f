// SPDX-License-Identifier: GPL-2.0
/*
 * The fleet outputs: the protobuf writer (varints against hand-computed
 * bytes), the pprof profile decoded back field by field here, folded
 * stacks, site hashes, Kubernetes cgroup layouts, the cgroup id cache and
 * atomic files.
 */
#define _GNU_SOURCE	/* open_memstream, mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "kselftest_harness.h"
#include "capture.h"
#include "cli/fleet.h"
#include "core/exit.h"
#include "core/cgroup.h"
#include "core/fleet.h"
#include "core/metrics.h"
#include "core/report.h"
#include "print/metrics.h"
#include "print/output.h"
#include "print/pb.h"
#include "print/pprof.h"
#include "print/report.h"
#include "proto/util.h"

TEST(varints)
{
	static const struct { uint64_t v; size_t n; unsigned char b[10]; } cases[] = {
		{ 0, 1, { 0 } }, { 1, 1, { 1 } }, { 127, 1, { 0x7f } },
		{ 128, 2, { 0x80, 0x01 } }, { 300, 2, { 0xac, 0x02 } },
		{ UINT64_MAX, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pb b;
		const unsigned char *p;
		uint64_t v = 12345;

		pb_init(&b);
		pb_varint(&b, cases[i].v);
		ASSERT_EQ(cases[i].n, b.len);
		EXPECT_EQ(0, memcmp(b.buf, cases[i].b, b.len));
		EXPECT_EQ(cases[i].n, pb_varint_len(cases[i].v));
		p = b.buf;
		ASSERT_EQ(0, pb_read_varint(&p, b.buf + b.len, &v));
		EXPECT_EQ(cases[i].v, v);
		EXPECT_EQ(b.buf + b.len, p);
		p = b.buf;
		if (b.len > 1)	/* cut short */
			EXPECT_EQ(-EPROTO, pb_read_varint(&p, b.buf + b.len - 1, &v));
		pb_release(&b);
	}
}

TEST(fields)
{
	static const unsigned char want[] = {
		0x0a, 0x02, 'h', 'i',			/* 1: "hi" */
		0x10, 0x96, 0x01,			/* 2: 150 */
		0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05,	/* 4: packed 3, 270, 86942 */
		0x2a, 0x03, 0x08, 0x96, 0x01,		/* 5: { 1: 150 } */
	};
	const uint64_t packed[] = { 3, 270, 86942 };
	struct pb b, sub;

	pb_init(&b);
	pb_init(&sub);
	pb_string(&b, 1, "hi");
	pb_uint(&b, 2, 150);
	pb_uint(&b, 3, 0);		/* a default value takes no bytes */
	pb_packed(&b, 4, packed, 3);
	pb_uint(&sub, 1, 150);
	pb_message(&b, 5, &sub);
	ASSERT_EQ(sizeof(want), b.len);
	EXPECT_EQ(0, memcmp(want, b.buf, b.len));
	EXPECT_EQ(0, b.err);
	pb_release(&b);
	pb_release(&sub);
}

/* A field of a message being read back. */
struct fld {
	uint32_t num;
	unsigned int type;
	uint64_t v;				/* varint */
	const unsigned char *p;			/* length-delimited */
	size_t len;
};

/* The next field at *p, or false at end (asserting it is well formed). */
static bool next_field(struct __test_metadata *_metadata, const unsigned char **p,
		       const unsigned char *end, struct fld *f)
{
	uint64_t key;

	if (*p >= end)
		return false;
	EXPECT_EQ(0, pb_read_varint(p, end, &key));
	f->num = key >> 3;
	f->type = key & 7;
	EXPECT_EQ(0, pb_read_varint(p, end, &f->v));
	if (f->type == PB_LEN) {
		EXPECT_GE(end - *p, (ptrdiff_t)f->v);
		f->p = *p;
		f->len = f->v;
		*p += f->len;
	} else {
		EXPECT_EQ(PB_VARINT, f->type);
	}
	return true;
}

#define FIELDS(f, buf, len) \
	for (const unsigned char *__p = (buf); next_field(_metadata, &__p, (buf) + (len), &(f));)

/* Packed varints (or one unpacked) into v[]: their number. */
static size_t unpack(const struct fld *f, uint64_t *v, size_t max)
{
	const unsigned char *p = f->p;
	size_t n = 0;

	if (f->type == PB_VARINT) {
		v[0] = f->v;
		return 1;
	}
	while (p < f->p + f->len && n < max && !pb_read_varint(&p, f->p + f->len, &v[n]))
		n++;
	return n;
}

/* What the test reads back from a Profile. */
struct decoded {
	char *strs[64];
	size_t nr_strs;
	uint64_t types[8][2];
	size_t nr_types;
	uint64_t values[8][8], locs[8][8], nr_locs[8], labels[8];
	size_t nr_samples;
	uint64_t map_ids[8], loc_ids[16], loc_map[16], fn_ids[16], default_type;
	size_t nr_maps, nr_loc_ids, nr_fns;
	uint64_t build_id_str, map_name[8], map_start[8], map_offset[8];
};

static void decode_sample(struct __test_metadata *_metadata, const struct fld *s,
			  struct decoded *d)
{
	size_t i = d->nr_samples++;
	struct fld f;

	ASSERT_LT(i, 8);
	FIELDS(f, s->p, s->len) {
		if (f.num == 1)
			d->nr_locs[i] = unpack(&f, d->locs[i], 8);
		if (f.num == 2) {
			EXPECT_EQ(d->nr_types, unpack(&f, d->values[i], 8));
		}
		if (f.num == 3)
			d->labels[i]++;
	}
}

static void decode_mapping(struct __test_metadata *_metadata, const struct fld *m,
			   struct decoded *d)
{
	size_t i = d->nr_maps++;
	struct fld f;

	ASSERT_LT(i, 8);
	FIELDS(f, m->p, m->len) {
		if (f.num == 1)
			d->map_ids[i] = f.v;
		else if (f.num == 2)
			d->map_start[i] = f.v;
		else if (f.num == 4)
			d->map_offset[i] = f.v;
		else if (f.num == 5)
			d->map_name[i] = f.v;
		else if (f.num == 6)
			d->build_id_str = f.v;
	}
}

static void decode_id_and(struct __test_metadata *_metadata, const struct fld *m,
			  uint64_t *id, uint64_t *field2)
{
	struct fld f;

	FIELDS(f, m->p, m->len) {
		if (f.num == 1)
			*id = f.v;
		else if (f.num == 2 && field2)
			*field2 = f.v;
	}
}

static void decode_profile(struct __test_metadata *_metadata, const struct pb *b,
			   struct decoded *d)
{
	struct fld f;

	memset(d, 0, sizeof(*d));
	FIELDS(f, b->buf, b->len) {
		if (f.num == 1 && d->nr_types < 8)
			decode_id_and(_metadata, &f, &d->types[d->nr_types][0],
				      &d->types[d->nr_types][1]), d->nr_types++;
		else if (f.num == 2)
			decode_sample(_metadata, &f, d);
		else if (f.num == 3)
			decode_mapping(_metadata, &f, d);
		else if (f.num == 4 && d->nr_loc_ids < 16)
			decode_id_and(_metadata, &f, &d->loc_ids[d->nr_loc_ids],
				      &d->loc_map[d->nr_loc_ids]), d->nr_loc_ids++;
		else if (f.num == 5 && d->nr_fns < 16)
			decode_id_and(_metadata, &f, &d->fn_ids[d->nr_fns++], NULL);
		else if (f.num == 6 && d->nr_strs < 64)
			d->strs[d->nr_strs++] = strndup((const char *)f.p, f.len);
		else if (f.num == 14)
			d->default_type = f.v;
	}
}

static void add_site(struct report *r, uint32_t pid, const char *comm, uint64_t id,
		     uint64_t bytes, size_t nr_frames, const struct frame_info *frames)
{
	struct site_msg m = { .pid = pid, .proc_id = pid, .comm = strdup(comm), .now = 100,
			      .cgroup_id = 7, .has_cgroup_id = true };

	m.site = (struct site_info){ .id = id, .live_count = bytes / 4096, .live_bytes = bytes,
				     .total_maps = bytes / 4096 + 1, .mapped_bytes = bytes + 4096,
				     .now = 100 };
	m.site.frames = calloc(nr_frames, sizeof(*m.site.frames));
	m.site.nr_frames = m.site.cap_frames = nr_frames;
	for (size_t i = 0; i < nr_frames; i++) {
		m.site.frames[i] = frames[i];
		m.site.frames[i].object = frames[i].object ? strdup(frames[i].object) : NULL;
		m.site.frames[i].symbol = frames[i].symbol ? strdup(frames[i].symbol) : NULL;
		m.site.frames[i].build_id = NULL;
		if (frames[i].build_id) {
			m.site.frames[i].build_id = malloc(frames[i].build_id_len);
			memcpy(m.site.frames[i].build_id, frames[i].build_id,
			       frames[i].build_id_len);
		}
		m.site.frames[i].source_file = frames[i].source_file ?
			strdup(frames[i].source_file) : NULL;
	}
	report_add(r, &m);
}

static unsigned char bid[] = { 0xab, 0xcd, 0x01 };

/* Two processes: a leak via libc's mmap in "leaky", an anonymous-code frame in "jit". */
static void load_report(struct report *r)
{
	const struct frame_info leak[] = {
		{ .addr = 0x7f0000001000, .offset = 0x1000, .has_offset = true,
		  .object = "/lib/libc.so.6", .symbol = "mmap64" },
		{ .addr = 0x555500002000, .offset = 0x2000, .has_offset = true,
		  .object = "/usr/bin/leaky", .build_id = bid, .build_id_len = 3,
		  .symbol = "leak_here", .source_file = "leaky.c", .source_line = 42 },
		{ .addr = 0x555500003000, .offset = 0x3000, .has_offset = true,
		  .object = "/usr/bin/leaky", .build_id = bid, .build_id_len = 3,
		  .symbol = "main", .source_file = "leaky.c", .source_line = 7 },
	};
	const struct frame_info jit[] = {
		{ .addr = 0x7f0000001000, .offset = 0x1000, .has_offset = true,
		  .object = "/lib/libc.so.6", .symbol = "mmap64" },
		{ .addr = 0x10000 },
	};

	report_init(r);
	add_site(r, 10, "leaky", 1, 1 << 20, 3, leak);
	add_site(r, 10, "leaky", 2, 0, 3, leak);
	add_site(r, 20, "jit", 3, 8192, 2, jit);
	report_finish(r);
}

static const char *str_at(const struct decoded *d, uint64_t i)
{
	return i < d->nr_strs ? d->strs[i] : "(out of range)";
}

static bool has_id(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

TEST(pprof_round_trip)
{
	static const char *const want[][2] = {
		{ "alloc_objects", "count" }, { "alloc_space", "bytes" },
		{ "inuse_objects", "count" }, { "inuse_space", "bytes" },
		{ "resident_space", "bytes" },
	};
	struct report r;
	struct decoded d;
	struct pb b;

	load_report(&r);
	r.procs[0].sites[0].resident = 12288;
	pb_init(&b);
	ASSERT_EQ(0, pprof_encode(&r, true, 1700000000000000000ULL, &b));
	decode_profile(_metadata, &b, &d);
	ASSERT_GT(d.nr_strs, 0);
	EXPECT_STREQ("", d.strs[0]);
	ASSERT_EQ(5, d.nr_types);
	for (size_t i = 0; i < 5; i++) {
		EXPECT_STREQ(want[i][0], str_at(&d, d.types[i][0]));
		EXPECT_STREQ(want[i][1], str_at(&d, d.types[i][1]));
	}
	EXPECT_STREQ("inuse_space", str_at(&d, d.default_type));
	ASSERT_EQ(3, d.nr_samples);		/* every site, in report order */
	EXPECT_EQ(257, d.values[0][0]);
	EXPECT_EQ((1 << 20) + 4096, d.values[0][1]);
	EXPECT_EQ(256, d.values[0][2]);
	EXPECT_EQ(1 << 20, d.values[0][3]);
	EXPECT_EQ(12288, d.values[0][4]);
	EXPECT_EQ(8192, d.values[2][3]);	/* jit's: after leaky's two */
	EXPECT_EQ(3, d.nr_locs[0]);
	EXPECT_EQ(2, d.nr_locs[2]);
	EXPECT_EQ(d.locs[0][0], d.locs[2][0]);	/* libc's mmap64: one Location */
	EXPECT_EQ(2, d.labels[0]);		/* pid, comm: no cgroup resolved */
	EXPECT_EQ(4, d.nr_loc_ids);
	EXPECT_EQ(3, d.nr_maps);		/* libc, leaky, [unknown] */
	EXPECT_EQ(3, d.nr_fns);			/* mmap64, leak_here, main */
	for (size_t i = 0; i < d.nr_loc_ids; i++)
		EXPECT_TRUE(has_id(d.map_ids, d.nr_maps, d.loc_map[i]));
	for (size_t i = 0; i < d.nr_samples; i++)
		for (size_t k = 0; k < d.nr_locs[i]; k++)
			EXPECT_TRUE(has_id(d.loc_ids, d.nr_loc_ids, d.locs[i][k]));
	EXPECT_STREQ("abcd01", str_at(&d, d.build_id_str));
	EXPECT_STREQ("[unknown]", str_at(&d, d.map_name[2]));
	EXPECT_EQ(0x2000, d.map_start[1]);	/* leaky's offsets, page-aligned */
	EXPECT_EQ(d.map_start[1], d.map_offset[1]);
	for (size_t i = 0; i < d.nr_strs; i++)
		free(d.strs[i]);
	pb_release(&b);
	report_release(&r);
}

TEST(pprof_gzip)
{
	unsigned char *out = malloc(1 << 20);
	struct report r;
	struct pb raw;
	char *gz = NULL;
	size_t len = 0;
	uLongf out_len = 1 << 20;
	z_stream z = { 0 };
	FILE *f;

	ASSERT_NE(NULL, out);
	load_report(&r);
	pb_init(&raw);
	ASSERT_EQ(0, pprof_encode(&r, false, 5, &raw));
	f = open_memstream(&gz, &len);
	ASSERT_EQ(0, pprof_write(f, &r, false, 5));
	fclose(f);
	ASSERT_GT(len, 18);
	EXPECT_EQ(0x1f, (unsigned char)gz[0]);	/* the gzip magic */
	EXPECT_EQ(0x8b, (unsigned char)gz[1]);
	ASSERT_EQ(Z_OK, inflateInit2(&z, 15 + 16));
	z.next_in = (unsigned char *)gz;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = out_len;
	EXPECT_EQ(Z_STREAM_END, inflate(&z, Z_FINISH));
	ASSERT_EQ(raw.len, z.total_out);
	EXPECT_EQ(0, memcmp(raw.buf, out, raw.len));
	inflateEnd(&z);
	free(gz);
	free(out);
	pb_release(&raw);
	report_release(&r);
}

TEST(folded)
{
	struct report r;
	char *out;

	load_report(&r);
	CAPTURE(out, report_print_folded(f, &r));
	/* root first, the comm as root, sites with nothing live left out */
	EXPECT_STREQ("leaky;main;leak_here;mmap64 1048576\n"
		     "jit;0x10000;mmap64 8192\n", out);
	free(out);
	report_release(&r);
}

TEST(site_hashes)
{
	struct report r;
	char a[9], b[9], c[9];

	load_report(&r);
	site_hash(a, &r.procs[0].sites[0]);
	site_hash(b, &r.procs[0].sites[1]);
	site_hash(c, &r.procs[1].sites[0]);
	EXPECT_EQ(8, strlen(a));
	EXPECT_STREQ(a, b);		/* the same stack */
	EXPECT_STRNE(a, c);
	r.procs[0].sites[1].frames[2].addr += 0x1000;	/* addresses do not count */
	EXPECT_STREQ(a, site_hash(b, &r.procs[0].sites[1]));
	report_release(&r);
}

TEST(pprof_container_labels)
{
	struct report r;
	struct decoded d;
	struct pb b;

	load_report(&r);
	r.procs[0].cgroup = strdup("/kubepods/pod1/abc");
	r.procs[0].pod = strdup("pod-uid");
	r.procs[0].container = strdup("abc");
	pb_init(&b);
	ASSERT_EQ(0, pprof_encode(&r, false, 0, &b));
	decode_profile(_metadata, &b, &d);
	EXPECT_EQ(4, d.nr_types);
	EXPECT_EQ(5, d.labels[0]);		/* pid, comm, cgroup, pod, container */
	EXPECT_EQ(2, d.labels[2]);
	for (size_t i = 0; i < d.nr_strs; i++)
		free(d.strs[i]);
	pb_release(&b);
	report_release(&r);
}

/* --by cgroup: one group per path, largest first, with its processes and sums. */
TEST(report_by_cgroup)
{
	struct report r;
	char *out;

	load_report(&r);
	r.procs[0].cgroup = strdup("/a");
	r.procs[1].cgroup = strdup("/b");
	CAPTURE(out, report_print_by(f, &r, true, false, BY_CGROUP));
	EXPECT_NE(NULL, strstr(out, "\"by\":\"cgroup\",\"groups\":[{\"cgroup\":\"/a\","
			       "\"process_count\":1,\"live_count\":256,\"live_bytes\":1048576,"
			       "\"processes\":[{\"pid\":10,"));
	EXPECT_NE(NULL, strstr(out, "{\"cgroup\":\"/b\",\"process_count\":1,"
			       "\"live_count\":2,\"live_bytes\":8192,\"processes\":[{\"pid\":20,"));
	free(out);
	CAPTURE(out, report_print_by(f, &r, false, false, BY_CGROUP));
	EXPECT_NE(NULL, strstr(out, "cgroup /a: 1 process, 256 live mappings, 1.0 MiB "
			       "(1048576 bytes) live\n\nanonleak site 0x1 in pid 10"));
	EXPECT_NE(NULL, strstr(out, "summary: 2 groups by cgroup, 2 processes"));
	free(out);
	free(r.procs[1].cgroup);
	r.procs[1].cgroup = strdup("/a");	/* now one group of both */
	CAPTURE(out, report_print_by(f, &r, false, false, BY_CGROUP));
	EXPECT_NE(NULL, strstr(out, "cgroup /a: 2 processes, 258 live mappings"));
	EXPECT_EQ(NULL, strstr(out, "cgroup /b"));
	free(out);
	CAPTURE(out, report_print_by(f, &r, false, false, BY_POD));
	EXPECT_NE(NULL, strstr(out, "pod (none): 2 processes"));
	free(out);
	report_release(&r);
}

static void expect_k8s(struct __test_metadata *_metadata, const char *path, const char *pod,
		       const char *ctr)
{
	char p[POD_UID_LEN], c[CGROUP_ID_LEN];

	cgroup_parse_k8s(path, p, c);
	EXPECT_STREQ(pod, p);
	EXPECT_STREQ(ctr, c);
}

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1b2c3d4e-aaaa-bbbb-cccc-0123456789ab"
#define UID_ "1b2c3d4e_aaaa_bbbb_cccc_0123456789ab"

TEST(k8s_cgroupfs_layout)
{
	expect_k8s(_metadata, "/kubepods/burstable/pod" UID "/" CID, UID, CID);
	expect_k8s(_metadata, "/kubepods/pod" UID "/" CID, UID, CID);	/* guaranteed */
	expect_k8s(_metadata, "/kubepods/besteffort/pod" UID, UID, "");
	expect_k8s(_metadata, "/docker/" CID, "", CID);
}

TEST(k8s_systemd_layout)
{
	expect_k8s(_metadata, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
		   UID_ ".slice/cri-containerd-" CID ".scope", UID, CID);
	expect_k8s(_metadata, "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" CID ".scope",
		   UID, CID);
	expect_k8s(_metadata, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
		   UID_ ".slice/docker-" CID ".scope", UID, CID);
	expect_k8s(_metadata, "/system.slice/docker-" CID ".scope", "", CID);
}

TEST(k8s_none)
{
	expect_k8s(_metadata, "/", "", "");
	expect_k8s(_metadata, "/user.slice/user-1000.slice/session-2.scope", "", "");
	expect_k8s(_metadata, "/system.slice/pod" UID, "", "");	/* not under kubepods */
	expect_k8s(_metadata, "/kubepods/burstable/podnot-a-uid/" CID, "", CID);
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

TEST(cgroup_cache_keeps_gone_cgroups)
{
	char root[] = "/tmp/anonleak-cg-XXXXXX", sub[128], leaf[256], cache[160];
	struct cgroup_map *m;
	uint64_t id_sub, id_leaf, id_root;

	ASSERT_NE(NULL, mkdtemp(root));
	snprintf(sub, sizeof(sub), "%s/kubepods", root);
	snprintf(leaf, sizeof(leaf), "%s/pod" UID, sub);
	snprintf(cache, sizeof(cache), "%s.cache", root);
	ASSERT_EQ(0, mkdir(sub, 0755));
	ASSERT_EQ(0, mkdir(leaf, 0755));
	id_root = ino_of(root);
	id_sub = ino_of(sub);
	id_leaf = ino_of(leaf);
	m = cgroup_map_new(root, cache);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("/", cgroup_map_path(m, id_root));
	EXPECT_STREQ("/kubepods", cgroup_map_path(m, id_sub));
	EXPECT_STREQ("/kubepods/pod" UID, cgroup_map_path(m, id_leaf));
	EXPECT_EQ(NULL, cgroup_map_path(m, 0xdeadbeefULL));
	cgroup_map_free(m);
	ASSERT_EQ(0, rmdir(leaf));
	m = cgroup_map_new(root, cache);	/* a later run: from the cache */
	EXPECT_STREQ("/kubepods/pod" UID, cgroup_map_path(m, id_leaf));
	cgroup_map_free(m);
	m = cgroup_map_new(root, "");		/* without it, gone is gone */
	EXPECT_EQ(NULL, cgroup_map_path(m, id_leaf));
	cgroup_map_free(m);
	unlink(cache);
	rmdir(sub);
	rmdir(root);
}

static int write_hello(FILE *f, const void *ctx)
{
	fputs(ctx, f);
	return 0;
}

/* The way the printers fail: a stream error, reported as -EIO. */
static int write_stream_error(FILE *f, const void *ctx)
{
	(void)ctx;
	close(fileno(f));
	fputs("lost", f);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

static int write_fail(FILE *f, const void *ctx)
{
	(void)ctx;
	fputs("partial", f);
	return -EIO;
}

TEST(atomic_files)
{
	char dir[] = "/tmp/anonleak-out-XXXXXX", path[128], bad[160], buf[16] = "";
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(bad, sizeof(bad), "%s/missing/out", dir);
	ASSERT_EQ(0, file_write_atomic(path, write_hello, "hello"));
	EXPECT_EQ(-EIO, file_write_atomic(path, write_fail, NULL));
	EXPECT_EQ(-ENOENT, file_write_atomic(bad, write_hello, "x"));
	/* a stream error: its reason (ENOSPC on a full disk), not "I/O error" */
	EXPECT_EQ(-EBADF, file_write_atomic(path, write_stream_error, NULL));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("hello", buf);		/* the failed write left it alone */
	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(0, rmdir(dir));		/* no temporary file left behind */
}

TEST(atomic_files_say_why)
{
	char dir[] = "/tmp/anonleak-out-XXXXXX", path[128];
	DIR *d;
	int n = 0;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	EXPECT_EQ(-EBADF, file_write_atomic(path, write_stream_error, NULL));
	d = opendir(dir);
	ASSERT_NE(NULL, d);
	while (readdir(d))
		n++;
	closedir(d);
	EXPECT_EQ(2, n);			/* . and ..: no temporary file */
	EXPECT_EQ(0, rmdir(dir));
}

TEST(output_paths_checked_first)
{
	char dir[] = "/tmp/anonleak-out-XXXXXX", path[160];
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	EXPECT_EQ(0, cli_output_check("report", path));
	EXPECT_EQ(AL_EXIT_ERROR, cli_output_check("report", dir));	/* a directory */
	snprintf(path, sizeof(path), "%s/missing/out", dir);
	EXPECT_EQ(AL_EXIT_ERROR, cli_output_check("run", path));
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(path, sizeof(path), "%s/file/out", dir);	/* under a regular file */
	EXPECT_EQ(AL_EXIT_ERROR, cli_output_check("run", path));
	snprintf(path, sizeof(path), "%s/file", dir);
	EXPECT_EQ(0, cli_output_check("run", path));		/* replaced by rename */
	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(0, rmdir(dir));
}

/* procs processes "pN" of sites sites each (site k: (k + 1) pages, its own stack). */
static void load_many(struct report *r, size_t procs, size_t sites)
{
	report_init(r);
	for (size_t i = 0; i < procs; i++)
		for (size_t k = 0; k < sites; k++) {
			char comm[16], sym[32];
			const char *syms = sym;
			struct frame_info fr = { .addr = 0x1000 + k, .symbol = (char *)syms };

			snprintf(comm, sizeof(comm), "p%zu", i);
			snprintf(sym, sizeof(sym), "fn%zu", k);
			add_site(r, 1000 + i, comm, k + 1, (k + 1) * 4096, 1, &fr);
		}
	report_finish(r);
}

TEST(metrics_of_two_groups)
{
	struct module_stats st = { .drops_nomem = 3, .live_bytes = 99 };
	struct metrics m;
	struct report r;
	char *out;

	load_report(&r);
	ASSERT_EQ(0, metrics_build(&r, 10, 100, &m));
	ASSERT_EQ(2, m.nr_groups);
	EXPECT_STREQ("leaky", m.groups[0].comm);
	EXPECT_EQ(1 << 20, m.groups[0].live_bytes);
	EXPECT_EQ(2 * ((1 << 20) + 4096) - (1 << 20), m.groups[0].mapped_bytes);
	ASSERT_EQ(2, m.nr_sites);		/* the site with nothing live is not a series */
	EXPECT_STREQ("leak_here", m.sites[0].function);	/* not libc's mmap64 */
	CAPTURE(out, metrics_print(f, &m, &st));
	EXPECT_NE(NULL, strstr(out, "# TYPE anonleak_live_bytes gauge\n"
			       "anonleak_live_bytes{comm=\"leaky\"} 1048576\n"
			       "anonleak_live_bytes{comm=\"jit\"} 8192\n"));
	EXPECT_NE(NULL, strstr(out, "anonleak_dropped_total{reason=\"nomem\"} 3\n"));
	EXPECT_NE(NULL, strstr(out, "# TYPE anonleak_mapped_bytes_total counter\n"));
	EXPECT_NE(NULL, strstr(out, "anonleak_build_info{version=\""));
	EXPECT_EQ(NULL, strstr(out, "pid"));
	free(out);
	metrics_release(&m);
	report_release(&r);
}

/* Lines of out that begin with prefix. */
static size_t count_series(const char *out, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		n += !strncmp(l, prefix, len);
	return n;
}

TEST(metrics_caps_with_10000_sites)
{
	struct module_stats st = { 0 };
	struct metrics m;
	char *out;
	struct report r;
	uint64_t bytes = 0;

	load_many(&r, 200, 50);
	ASSERT_EQ(10000, r.nr_sites);
	ASSERT_EQ(0, metrics_build(&r, 10, 100, &m));
	EXPECT_EQ(100, m.nr_groups);
	EXPECT_EQ(101, m.groups_merged);	/* 99 kept, 101 in (other) */
	EXPECT_STREQ(METRICS_OTHER, m.groups[99].comm);
	EXPECT_EQ(101, m.groups[99].procs);
	for (size_t i = 0; i < m.nr_groups; i++)
		bytes += m.groups[i].live_bytes;
	EXPECT_EQ(r.live_bytes, bytes);		/* merged, not lost */
	EXPECT_EQ(100, m.nr_sites);
	/* 40 per process beyond --top, then 99 * 10 + 10 series beyond the cap */
	EXPECT_EQ(200 * 40 + (99 * 10 + 10 - 100), m.sites_omitted);
	/* the largest: (other)'s 101 processes' largest sites, one series */
	EXPECT_STREQ(METRICS_OTHER, m.sites[0].group->comm);
	EXPECT_EQ(101 * 50 * 4096, m.sites[0].live_bytes);
	EXPECT_EQ(101 * 49 * 4096, m.sites[1].live_bytes);
	/* and in the file: no metric has more series than the cap */
	CAPTURE(out, metrics_print(f, &m, &st));
	EXPECT_EQ(100, count_series(out, "anonleak_site_live_bytes{"));
	EXPECT_EQ(100, count_series(out, "anonleak_live_bytes{"));
	EXPECT_EQ(100, count_series(out, "anonleak_processes{"));
	EXPECT_NE(NULL, strstr(out, "\nanonleak_sites_omitted 8900\n"));
	free(out);
	EXPECT_EQ(-EINVAL, metrics_build(&r, 10, 0, &m));
	metrics_release(&m);
	report_release(&r);
}

TEST_HARNESS_MAIN
