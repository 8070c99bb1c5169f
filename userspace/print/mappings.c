// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_* values differ between architectures; the kernel reports the flags
 * of its own, which is ours, so the C library's constants decode them.
 * Ages are ANONLEAK_A_NOW minus each range's birth.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "print/format.h"
#include "print/json.h"
#include "print/mappings.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#ifndef MAP_HUGE_MASK
#define MAP_HUGE_MASK	0x3f
#endif
#ifndef MAP_UNINITIALIZED	/* asm-generic/mman-common.h; glibc lacks it */
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MAP_TYPE
#define MAP_TYPE	0x0f
#endif

#define F(name) { MAP_##name, #name }

static const struct {
	uint32_t bit;
	const char *name;
} map_bits[] = {
	F(FIXED), F(ANONYMOUS),
#ifdef MAP_32BIT
	F(32BIT),
#endif
	F(GROWSDOWN), F(DENYWRITE), F(EXECUTABLE), F(LOCKED), F(NORESERVE),
	F(POPULATE), F(NONBLOCK), F(STACK), F(HUGETLB),
#ifdef MAP_SYNC
	F(SYNC),
#endif
#ifdef MAP_FIXED_NOREPLACE
	F(FIXED_NOREPLACE),
#endif
#ifdef MAP_UNINITIALIZED
	F(UNINITIALIZED),
#endif
};

static void add_name(struct map_names *out, const char *s)
{
	size_t len = strnlen(s, MAP_NAME_LEN - 1);

	if (out->nr >= MAP_NAMES_MAX)
		return;
	memcpy(out->name[out->nr], s, len);
	out->name[out->nr++][len] = '\0';
}

/* "HUGE_2MB" for a MAP_HUGE_* log2 page size. */
static void add_huge(struct map_names *out, unsigned int shift)
{
	static const char *const unit[] = { "B", "KB", "MB", "GB", "TB" };
	unsigned int u = shift / 10 < 4 ? shift / 10 : 4;
	char buf[48];

	snprintf(buf, sizeof(buf), "HUGE_%llu%s", 1ULL << (shift - 10 * u), unit[u]);
	add_name(out, buf);
}

/* Bits this build has no name for, in hex. */
static void add_hex(struct map_names *out, const char *prefix, unsigned long v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s%lx", prefix, v);
	add_name(out, buf);
}

void mapping_flags_decode(uint32_t flags, struct map_names *out)
{
	uint32_t rest = flags & ~(uint32_t)MAP_TYPE;

	out->nr = 0;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		add_name(out, "SHARED");
		break;
	case MAP_PRIVATE:
		add_name(out, "PRIVATE");
		break;
#ifdef MAP_SHARED_VALIDATE
	case MAP_SHARED_VALIDATE:
		add_name(out, "SHARED_VALIDATE");
		break;
#endif
	default:
		add_hex(out, "TYPE_0x", flags & MAP_TYPE);
		break;
	}
	/* With MAP_HUGETLB, the top bits are the page size, not flags. */
	if ((flags & MAP_HUGETLB) && (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK) {
		rest &= ~((uint32_t)MAP_HUGE_MASK << MAP_HUGE_SHIFT);
		for (size_t i = 0; i < ARRAY_SIZE(map_bits); i++)
			if (rest & map_bits[i].bit) {
				add_name(out, map_bits[i].name);
				rest &= ~map_bits[i].bit;
			}
		add_huge(out, (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(map_bits); i++)
			if (rest & map_bits[i].bit) {
				add_name(out, map_bits[i].name);
				rest &= ~map_bits[i].bit;
			}
	}
	if (rest)
		add_hex(out, "0x", rest);
}

const char *mapping_prot_str(uint32_t prot, char buf[4])
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

static uint64_t total_bytes(const struct mapping_list *m)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->nr; i++)
		sum += m->maps[i].length;
	return sum;
}

static void print_text(FILE *f, const struct mapping_list *m)
{
	char size[FMT_BUF_LEN], age[FMT_BUF_LEN], prot[4];
	uint64_t bytes = total_bytes(m);
	struct map_names names;

	fprintf(f, "%-33s %11s  %-4s %7s %8s  %s\n", "START-END", "LENGTH", "PROT", "AGE",
		"SITE", "FLAGS");
	for (size_t i = 0; i < m->nr; i++) {
		const struct mapping_info *r = &m->maps[i];
		char site[2 + 16 + 1];

		snprintf(site, sizeof(site), "0x%" PRIx64, r->site_id);
		fprintf(f, "%016" PRIx64 "-%016" PRIx64 " %11s  %-4s %7s %8s  ", r->start,
			r->start + r->length, fmt_size(size, r->length),
			mapping_prot_str(r->prot, prot), fmt_duration(age, age_ns(m->now, r->birth)),
			site);
		mapping_flags_decode(r->flags, &names);
		for (size_t k = 0; k < names.nr; k++)
			fprintf(f, "%s%s", k ? "|" : "", names.name[k]);
		fputc('\n', f);
	}
	fprintf(f, "summary: pid %" PRIu32 ", %zu live tracked %s, %s (%" PRIu64 " bytes)\n",
		m->pid, m->nr, m->nr == 1 ? "mapping" : "mappings", fmt_size(size, bytes), bytes);
}

static void print_json(FILE *f, const struct mapping_list *m)
{
	struct map_names names;
	struct json j;
	char prot[4];

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "pid", m->pid);
	json_u64(&j, "proc_id", m->proc_id);
	json_array_begin(&j, "mappings");
	for (size_t i = 0; i < m->nr; i++) {
		const struct mapping_info *r = &m->maps[i];

		json_object_begin(&j, NULL);
		json_hex(&j, "start", r->start);
		json_hex(&j, "end", r->start + r->length);
		json_u64(&j, "length", r->length);
		json_string(&j, "prot", mapping_prot_str(r->prot, prot));
		json_u64(&j, "prot_bits", r->prot);
		json_array_begin(&j, "flags");
		mapping_flags_decode(r->flags, &names);
		for (size_t k = 0; k < names.nr; k++)
			json_string(&j, NULL, names.name[k]);
		json_array_end(&j);
		json_hex(&j, "flags_bits", r->flags);
		json_u64(&j, "age_ms", age_ns(m->now, r->birth) / NSEC_PER_MSEC);
		json_u64(&j, "site_id", r->site_id);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_u64(&j, "count", m->nr);
	json_u64(&j, "bytes", total_bytes(m));
	json_object_end(&j);
}

void mappings_print(FILE *f, const struct mapping_list *m, bool json)
{
	(json ? print_json : print_text)(f, m);
}
