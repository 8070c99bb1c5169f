// SPDX-License-Identifier: GPL-2.0
/*
 * From an ELF object's call frame information to anonleak's rows and
 * rules. The FDEs are enumerated with dwarf_next_cfi() (their initial
 * locations decoded with the CIE's pointer encoding), and each FDE's range
 * is walked row by row with dwarf_cfi_addrframe() / dwarf_frame_info(),
 * so that libdw interprets the CFA instructions and we only translate its
 * answers: dwarf_frame_cfa() (rsp or rbp plus an offset, *(rbp + off) for
 * gcc's stack realignment, anything else UNKNOWN), dwarf_frame_register()
 * for rbp and the return address (undefined: the outermost frame, END),
 * and the signal-frame flag ('S' augmentation: SIGNAL). Addresses become
 * file offsets through the PT_LOAD segments, as the UAPI header says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dwarf.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>

#include "core/unwind_table.h"
#include "proto/util.h"

#define REG_FP		6	/* DWARF x86-64: rbp */
#define REG_SP		7	/* rsp */
#define REG_RA		16	/* the return address column */
#define MAX_SEGS	16
#define RULE_HASH	1024

struct seg {
	uint64_t vaddr, memsz, offset;
};

/* An FDE's address range, from its encoded initial location and length. */
struct fde_range {
	uint64_t start, end;
};

struct builder {
	struct unwind_table *t;
	struct seg segs[MAX_SEGS];
	size_t nr_segs;
	struct fde_range *fdes;
	size_t nr_fdes, cap_fdes;
	int32_t hash[RULE_HASH];	/* first rule of each bucket, -1 if none */
	int32_t *next;			/* the next rule in a bucket, per rule */
	char *why;
	size_t why_len;
	int ret;
};

static int fail(struct builder *b, int err, const char *msg)
{
	if (!b->ret) {
		b->ret = err;
		snprintf(b->why, b->why_len, "%s", msg);
	}
	return err;
}

static uint32_t rule_hash(const struct anonleak_unwind_rule *r)
{
	uint32_t h = (uint32_t)r->cfa_off * 0x9e3779b1U;

	h ^= ((uint32_t)(uint16_t)r->fp_off << 16 | r->cfa << 8 | r->fp) * 0x85ebca6bU;
	return (h >> 16 ^ h) % RULE_HASH;
}

/* The index of rule r in the table, added if new; -1 without memory. */
static int64_t rule_index(struct builder *b, const struct anonleak_unwind_rule *r)
{
	struct unwind_table *t = b->t;
	uint32_t h = rule_hash(r);
	size_t cap = t->cap_rules;

	for (int32_t i = b->hash[h]; i >= 0; i = b->next[i])
		if (!memcmp(&t->rules[i], r, sizeof(*r)))
			return i;
	if (array_grow((void **)&t->rules, &t->cap_rules, t->nr_rules, sizeof(*r)))
		return -1;
	if (cap != t->cap_rules) {
		int32_t *n = realloc(b->next, t->cap_rules * sizeof(*n));

		if (!n)
			return -1;
		b->next = n;
	}
	t->rules[t->nr_rules] = *r;
	b->next[t->nr_rules] = b->hash[h];
	b->hash[h] = t->nr_rules;
	return t->nr_rules++;
}

/* The file offset of address pc (or of a segment's end): false if none holds it. */
static bool vaddr_to_off(const struct builder *b, uint64_t pc, uint64_t *off)
{
	for (size_t i = 0; i < b->nr_segs; i++) {
		const struct seg *s = &b->segs[i];

		if (pc >= s->vaddr && pc - s->vaddr <= s->memsz) {
			*off = pc - s->vaddr + s->offset;
			return true;
		}
	}
	return false;
}

/* Append the row (pc, rule); pcs outside every segment are left out. */
static int add_row(struct builder *b, uint64_t pc, const struct anonleak_unwind_rule *r)
{
	struct unwind_table *t = b->t;
	uint64_t off;
	int64_t ix;

	if (!vaddr_to_off(b, pc, &off))
		return 0;
	if (off > UINT32_MAX)
		return fail(b, -EFBIG, "a file offset beyond 4 GiB");
	ix = rule_index(b, r);
	if (ix < 0 || array_grow((void **)&t->rows, &t->cap_rows, t->nr_rows, sizeof(*t->rows)))
		return fail(b, -ENOMEM, "out of memory");
	t->rows[t->nr_rows++] = (struct anonleak_unwind_row){ .off = off, .rule = ix };
	return 0;
}

static const struct anonleak_unwind_rule unknown_rule = { .cfa = ANONLEAK_UNWIND_CFA_UNKNOWN,
							  .fp = ANONLEAK_UNWIND_FP_UNDEF };

/* CFA = reg + off: the register and offset of a one-operation rule. */
static bool cfa_breg(const Dwarf_Op *op, uint64_t *reg, int64_t *off)
{
	if (op->atom == DW_OP_bregx) {
		*reg = op->number;
		*off = (int64_t)op->number2;
		return true;
	}
	if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
		*reg = op->atom - DW_OP_breg0;
		*off = (int64_t)op->number;
		return true;
	}
	return false;
}

/* The CFA half of frame's rule; false: no rule we can follow. */
static bool cfa_rule(Dwarf_Frame *frame, struct anonleak_unwind_rule *r)
{
	Dwarf_Op *ops;
	size_t n;
	uint64_t reg;
	int64_t off;

	if (dwarf_frame_cfa(frame, &ops, &n) || !n || !cfa_breg(&ops[0], &reg, &off))
		return false;
	if (off > ANONLEAK_UNWIND_MAX_OFF || off < -ANONLEAK_UNWIND_MAX_OFF)
		return false;
	r->cfa_off = off;
	if (n == 1 && reg == REG_SP)
		r->cfa = ANONLEAK_UNWIND_CFA_SP;
	else if (n == 1 && reg == REG_FP)
		r->cfa = ANONLEAK_UNWIND_CFA_FP;
	else if (n == 2 && reg == REG_FP && ops[1].atom == DW_OP_deref)
		r->cfa = ANONLEAK_UNWIND_CFA_FP_DEREF;
	else
		return false;
	return true;
}

/* Where the caller's rbp is: the fp half of the rule. */
static void fp_rule(Dwarf_Frame *frame, struct anonleak_unwind_rule *r)
{
	Dwarf_Op mem[3], *ops;
	size_t n;
	uint64_t reg;
	int64_t off = 0;

	r->fp = ANONLEAK_UNWIND_FP_UNDEF;
	if (dwarf_frame_register(frame, REG_FP, mem, &ops, &n))
		return;
	if (!n) {
		if (!ops)
			r->fp = ANONLEAK_UNWIND_FP_SAME;
		return;
	}
	if (ops[0].atom == DW_OP_call_frame_cfa) {
		if (n == 2 && ops[1].atom == DW_OP_plus_uconst)
			off = (int64_t)ops[1].number;
		else if (n != 1)
			return;		/* a value, not a saved slot */
		r->fp = ANONLEAK_UNWIND_FP_AT_CFA;
	} else if (n == 1 && cfa_breg(&ops[0], &reg, &off) && reg == REG_FP) {
		r->fp = ANONLEAK_UNWIND_FP_AT_FP;
	} else {
		return;
	}
	if (off < INT16_MIN || off > INT16_MAX)
		r->fp = ANONLEAK_UNWIND_FP_UNDEF;
	else
		r->fp_off = off;
}

/* True if the return address is undefined: the outermost frame (_start). */
static bool ra_undefined(Dwarf_Frame *frame)
{
	Dwarf_Op mem[3], *ops;
	size_t n;

	return !dwarf_frame_register(frame, REG_RA, mem, &ops, &n) && !n && ops;
}

/* The rule of one row of the CFI. */
static void frame_rule(Dwarf_Frame *frame, bool signal, struct anonleak_unwind_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (signal) {
		r->cfa = ANONLEAK_UNWIND_CFA_SIGNAL;
		r->fp = ANONLEAK_UNWIND_FP_UNDEF;
	} else if (ra_undefined(frame)) {
		r->cfa = ANONLEAK_UNWIND_CFA_END;
		r->fp = ANONLEAK_UNWIND_FP_UNDEF;
	} else if (!cfa_rule(frame, r)) {
		*r = unknown_rule;
	} else {
		fp_rule(frame, r);
	}
}

/* The rows of one FDE's range; an UNKNOWN row where its rows stop. */
static int walk_fde(struct builder *b, Dwarf_CFI *cfi, const struct fde_range *f)
{
	struct anonleak_unwind_rule r;
	uint64_t pc = f->start;

	while (pc < f->end && !b->ret) {
		Dwarf_Frame *frame;
		Dwarf_Addr start, end;
		bool signal;

		if (dwarf_cfi_addrframe(cfi, pc, &frame))
			break;
		if (dwarf_frame_info(frame, &start, &end, &signal) < 0 || end <= pc) {
			free(frame);
			break;
		}
		frame_rule(frame, signal, &r);
		free(frame);
		add_row(b, pc, &r);
		pc = end;
	}
	return add_row(b, pc, &unknown_rule);
}

/* ---- FDE enumeration ---- */

/* The CFI section being enumerated. */
struct cfi_sec {
	Elf_Data *data;
	uint64_t addr;			/* sh_addr: for pc-relative pointers */
	bool eh;			/* .eh_frame (else .debug_frame) */
	const unsigned char *ident;
	Dwarf_Off cie_off;		/* the CIE whose encoding is cached */
	uint8_t enc;
};

/* The size in bytes of a fixed-width DW_EH_PE format, 0 if not fixed. */
static size_t enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		return 8;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		return 4;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		return 2;
	}
	return 0;
}

/* Read an encoded value at *p; application (pcrel) is the caller's. */
static bool read_enc(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t *v)
{
	size_t sz = enc_size(enc);
	bool sign = (enc & 0x0f) >= DW_EH_PE_sleb128;
	uint64_t u = 0;

	if (!sz || (size_t)(end - *p) < sz)
		return false;
	memcpy(&u, *p, sz);		/* x86-64 is little-endian */
	if (sign && sz < 8 && (u >> (8 * sz - 1)) & 1)
		u |= ~0ULL << (8 * sz);
	*p += sz;
	*v = u;
	return true;
}

/* The FDE pointer encoding of a CIE: its 'R' augmentation, else absptr. */
static uint8_t cie_encoding(const Dwarf_CIE *cie)
{
	const uint8_t *p = cie->augmentation_data, *end = p + cie->augmentation_data_size;
	uint64_t skip;

	if (!cie->augmentation || cie->augmentation[0] != 'z')
		return DW_EH_PE_absptr;
	for (const char *a = cie->augmentation + 1; *a && p < end; a++) {
		switch (*a) {
		case 'R':
			return *p;
		case 'P':
			if (!read_enc(&(const uint8_t *){ p + 1 }, end, *p, &skip))
				return DW_EH_PE_omit;
			p += 1 + enc_size(*p);
			break;
		case 'L':
			p++;
			break;
		}
	}
	return DW_EH_PE_absptr;
}

/* The encoding of the CIE at off, cached for the FDEs that follow it. */
static int fde_encoding(struct cfi_sec *s, Dwarf_Off off, uint8_t *enc)
{
	Dwarf_CFI_Entry e;
	Dwarf_Off next;

	if (s->cie_off != off) {
		if (dwarf_next_cfi(s->ident, s->data, s->eh, off, &next, &e) ||
		    e.CIE_id != DW_CIE_ID_64)
			return -1;
		s->cie_off = off;
		s->enc = cie_encoding(&e.cie);
	}
	*enc = s->enc;
	return 0;
}

/* An FDE's range, decoded; false if its encoding is one we do not read. */
static bool fde_decode(struct cfi_sec *s, const Dwarf_FDE *fde, struct fde_range *r)
{
	const uint8_t *p = fde->start, *end = fde->end;
	uint64_t loc, len;
	uint8_t enc;

	if (fde_encoding(s, fde->CIE_pointer, &enc) || (enc & DW_EH_PE_indirect))
		return false;
	if (!read_enc(&p, end, enc, &loc))
		return false;
	if ((enc & 0x70) == DW_EH_PE_pcrel)
		loc += s->addr + (fde->start - (const uint8_t *)s->data->d_buf);
	else if ((enc & 0x70) != DW_EH_PE_absptr)
		return false;
	if (!read_enc(&p, end, enc & 0x0f, &len) || !len)
		return false;
	r->start = loc;
	r->end = loc + len;
	return true;
}

/* Every FDE of the section into b->fdes. */
static int collect_fdes(struct builder *b, struct cfi_sec *s)
{
	Dwarf_Off off = 0, next;
	Dwarf_CFI_Entry e;
	struct fde_range r;
	int ret;

	s->cie_off = (Dwarf_Off)-1;
	for (; (ret = dwarf_next_cfi(s->ident, s->data, s->eh, off, &next, &e)) != 1;
	     off = next) {
		if (ret < 0 && next == (Dwarf_Off)-1)
			break;
		if (ret < 0 || e.CIE_id == DW_CIE_ID_64 || !fde_decode(s, &e.fde, &r))
			continue;
		if (array_grow((void **)&b->fdes, &b->cap_fdes, b->nr_fdes, sizeof(r)))
			return fail(b, -ENOMEM, "out of memory");
		b->fdes[b->nr_fdes++] = r;
	}
	return 0;
}

/* ---- the object ---- */

static int cmp_fde(const void *pa, const void *pb)
{
	const struct fde_range *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct anonleak_unwind_row *a = pa, *b = pb;

	return a->off < b->off ? -1 : a->off > b->off;
}

/*
 * Sort the rows (already sorted unless segments are out of order), keep
 * one per offset (a real rule over the UNKNOWN end of the FDE before)
 * and merge runs of the same rule.
 */
static void compact_rows(struct unwind_table *t, uint32_t unknown)
{
	size_t n = 0;

	for (size_t i = 1; i < t->nr_rows; i++)
		if (t->rows[i].off < t->rows[i - 1].off) {
			qsort(t->rows, t->nr_rows, sizeof(*t->rows), cmp_row);
			break;
		}
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct anonleak_unwind_row r = t->rows[i];

		if (n && t->rows[n - 1].off == r.off) {
			if (r.rule != unknown)
				t->rows[n - 1].rule = r.rule;
			continue;
		}
		if (n && t->rows[n - 1].rule == r.rule)
			continue;
		t->rows[n++] = r;
	}
	/* a merge may leave two equal rules next to each other again */
	t->nr_rows = n;
	n = 0;
	for (size_t i = 0; i < t->nr_rows; i++)
		if (!n || t->rows[n - 1].rule != t->rows[i].rule)
			t->rows[n++] = t->rows[i];
	t->nr_rows = n;
}

/* The PT_LOAD segments, for vaddr_to_off(). */
static int read_segments(struct builder *b, Elf *elf)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return fail(b, -ENOEXEC, "no program headers");
	for (size_t i = 0; i < n && b->nr_segs < MAX_SEGS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		b->segs[b->nr_segs++] = (struct seg){ ph.p_vaddr, ph.p_filesz, ph.p_offset };
	}
	return b->nr_segs ? 0 : fail(b, -ENOEXEC, "no PT_LOAD segment");
}

/* The section called name, with its data; NULL if none. */
static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *sh, Elf_Data **data)
{
	size_t strndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &strndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh) || sh->sh_type == SHT_NOBITS)
			continue;
		n = elf_strptr(elf, strndx, sh->sh_name);
		if (n && !strcmp(n, name)) {
			*data = elf_getdata(scn, NULL);
			return *data ? scn : NULL;
		}
	}
	return NULL;
}

/* Walk the FDEs of one CFI section; 0 rows if it has none. */
static int walk_section(struct builder *b, Elf *elf, Dwarf_CFI *cfi, const char *name)
{
	struct cfi_sec s = { .eh = !strcmp(name, ".eh_frame") };
	GElf_Shdr sh;

	if (!cfi || !find_section(elf, name, &sh, &s.data))
		return 0;
	s.addr = sh.sh_addr;
	s.ident = (const unsigned char *)elf_getident(elf, NULL);
	if (collect_fdes(b, &s))
		return b->ret;
	qsort(b->fdes, b->nr_fdes, sizeof(*b->fdes), cmp_fde);
	for (size_t i = 0; i < b->nr_fdes && !b->ret; i++)
		walk_fde(b, cfi, &b->fdes[i]);
	b->t->fdes = b->nr_fdes;
	b->t->source = name;
	return b->ret;
}

/* .eh_frame, or .debug_frame for an object without one. */
static int walk_cfi(struct builder *b, Elf *elf)
{
	Dwarf *dw;
	int ret;

	ret = walk_section(b, elf, dwarf_getcfi_elf(elf), ".eh_frame");
	if (ret || b->t->nr_rows)
		return ret;
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (dw) {
		ret = walk_section(b, elf, dwarf_getcfi(dw), ".debug_frame");
		dwarf_end(dw);
	}
	if (!ret && !b->t->nr_rows)
		ret = fail(b, -ENOEXEC, "no call frame information (.eh_frame, .debug_frame)");
	return ret;
}

static int check_elf(struct builder *b, Elf *elf)
{
	GElf_Ehdr eh;

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return fail(b, -ENOEXEC, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return fail(b, -ENOEXEC, "not an x86-64 ELF object");
	return 0;
}

static void take_build_id(struct unwind_table *t, Elf *elf)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &id);

	if (n > 0 && n <= UNWIND_BUILD_ID_MAX) {
		memcpy(t->build_id, id, n);
		t->build_id_len = n;
	}
}

int unwind_table_build(int fd, struct unwind_table *t, char *why, size_t why_len)
{
	struct builder b = { .t = t, .why = why, .why_len = why_len };
	Elf *elf;
	int64_t unknown;

	memset(t, 0, sizeof(*t));
	memset(b.hash, 0xff, sizeof(b.hash));
	snprintf(why, why_len, "%s", "");
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!check_elf(&b, elf) && !read_segments(&b, elf))
		walk_cfi(&b, elf);
	unknown = b.ret ? 0 : rule_index(&b, &unknown_rule);
	if (unknown < 0)
		fail(&b, -ENOMEM, "out of memory");
	if (!b.ret) {
		compact_rows(t, unknown);
		take_build_id(t, elf);
	}
	elf_end(elf);
	free(b.fdes);
	free(b.next);
	if (b.ret)
		unwind_table_release(t);
	return b.ret;
}

int unwind_table_build_path(const char *path, struct unwind_table *t, char *why,
			    size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		ret = -errno;
		memset(t, 0, sizeof(*t));
		snprintf(why, why_len, "%s", strerror(-ret));
		return ret;
	}
	ret = unwind_table_build(fd, t, why, why_len);
	close(fd);
	return ret;
}

void unwind_table_release(struct unwind_table *t)
{
	free(t->rows);
	free(t->rules);
	memset(t, 0, sizeof(*t));
}

const struct anonleak_unwind_rule *unwind_table_lookup(const struct unwind_table *t,
							uint32_t off)
{
	size_t lo = 0, hi = t->nr_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rules[t->rows[lo - 1].rule] : NULL;
}
