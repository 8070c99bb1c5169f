// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "core/report.h"
#include "core/symbolize.h"

/* One object file, opened on its own Dwfl so addresses never collide. */
struct sym_obj {
	char *path;
	Dwfl *dwfl;		/* NULL if the file could not be used */
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias;		/* Dwfl address = ELF vaddr + bias */
	bool has_symtab;	/* the file itself has a .symtab */
	/* the defined functions of .dynsym by value, built on first need */
	struct dynfn *dynfns;
	size_t nr_dynfns;
	size_t dynstr;		/* section index of their names */
	bool dynfns_built;
};

struct dynfn {
	GElf_Addr value;
	size_t shndx;
	size_t name;		/* offset in the dynstr section */
};

/*
 * What one (object, file offset, kind of frame) resolved to. Sites share
 * most of their frames, and a libdwfl symbol lookup scans the object's
 * whole symbol table: resolve each distinct frame once.
 */
struct sym_memo {
	const struct sym_obj *obj;	/* NULL: empty slot */
	uint64_t offset;
	bool return_address;
	bool resolved;			/* else the lookup failed */
	char *symbol;
	uint64_t symbol_offset;
	char *source_file;
	unsigned int source_line;
	const char *symbol_source;
};

struct symbolizer {
	struct sym_obj *objs;
	size_t nr, cap;
	struct sym_memo *memo;		/* open addressing, power of 2 */
	size_t memo_nr, memo_cap;
};

static char *debuginfo_path;

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

struct symbolizer *symbolizer_new(void)
{
	elf_version(EV_CURRENT);
	return calloc(1, sizeof(struct symbolizer));
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr; i++) {
		if (s->objs[i].dwfl)
			dwfl_end(s->objs[i].dwfl);
		free(s->objs[i].path);
		free(s->objs[i].dynfns);
	}
	free(s->objs);
	for (size_t i = 0; i < s->memo_cap; i++) {
		free(s->memo[i].symbol);
		free(s->memo[i].source_file);
	}
	free(s->memo);
	free(s);
}

static size_t memo_hash(const struct sym_obj *o, uint64_t offset, bool ra)
{
	uint64_t h = (uint64_t)(uintptr_t)o ^ (offset * 0x9e3779b97f4a7c15ULL) ^ ra;

	return (size_t)(h ^ (h >> 29));
}

/* The slot for (o, offset, ra): its entry, or the empty slot to fill. */
static struct sym_memo *memo_slot(struct symbolizer *s, const struct sym_obj *o,
				  uint64_t offset, bool ra)
{
	size_t mask = s->memo_cap - 1;

	for (size_t i = memo_hash(o, offset, ra) & mask;; i = (i + 1) & mask) {
		struct sym_memo *m = &s->memo[i];

		if (!m->obj || (m->obj == o && m->offset == offset &&
				m->return_address == ra))
			return m;
	}
}

/* Room for one more entry (at most half full); false if out of memory. */
static bool memo_reserve(struct symbolizer *s)
{
	struct sym_memo *old = s->memo, *m;
	size_t old_cap = s->memo_cap, cap;

	if (2 * (s->memo_nr + 1) <= s->memo_cap)
		return true;
	cap = old_cap ? 2 * old_cap : 256;
	s->memo = calloc(cap, sizeof(*s->memo));
	if (!s->memo) {
		s->memo = old;
		return false;
	}
	s->memo_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].obj)
			continue;
		m = memo_slot(s, old[i].obj, old[i].offset, old[i].return_address);
		*m = old[i];
	}
	free(old);
	return true;
}

static char *dup_or_null(const char *p)
{
	return p ? strdup(p) : NULL;
}

static void open_obj(struct sym_obj *o)
{
	o->dwfl = dwfl_begin(&offline_callbacks);
	if (!o->dwfl)
		return;
	o->mod = dwfl_report_offline(o->dwfl, o->path, o->path, -1);
	dwfl_report_end(o->dwfl, NULL, NULL);
	if (o->mod)
		o->elf = dwfl_module_getelf(o->mod, &o->bias);
	if (!o->mod || !o->elf) {
		dwfl_end(o->dwfl);
		o->dwfl = NULL;
		return;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(o->elf, scn));) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			o->has_symtab = true;
			break;
		}
	}
}

/* The cached object for path, opened on first use; NULL if unusable. */
static struct sym_obj *get_obj(struct symbolizer *s, const char *path)
{
	struct sym_obj *o;

	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->objs[i].path, path))
			return s->objs[i].dwfl ? &s->objs[i] : NULL;
	if (s->nr == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct sym_obj *n = realloc(s->objs, ncap * sizeof(*n));

		if (!n)
			return NULL;
		s->objs = n;
		s->cap = ncap;
	}
	o = &s->objs[s->nr];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return NULL;
	s->nr++;
	open_obj(o);
	return o->dwfl ? o : NULL;
}

static bool build_id_matches(struct sym_obj *o, const struct frame_info *f)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n;

	if (!f->build_id)
		return true;	/* nothing to check against */
	n = dwfl_module_build_id(o->mod, &bits, &vaddr);
	return n > 0 && (size_t)n == f->build_id_len && !memcmp(bits, f->build_id, n);
}

/* ELF virtual address of file offset off, via the PT_LOAD covering it. */
static bool offset_to_vaddr(Elf *elf, uint64_t off, GElf_Addr *vaddr)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum) < 0)
		return false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		/* the kernel maps whole pages: the segment's first page counts */
		if (off >= (ph.p_offset & ~(page - 1)) && off < ph.p_offset + ph.p_filesz) {
			*vaddr = ph.p_vaddr + (off - ph.p_offset);
			return true;
		}
	}
	return false;
}

static void symbolize_uncached(struct sym_obj *o, struct frame_info *f,
			       bool return_address);

void symbolize_frame(void *ctx, struct frame_info *f, bool return_address)
{
	struct symbolizer *s = ctx;
	struct sym_memo *m;
	struct sym_obj *o;

	if (!f->object || !f->has_offset || f->symbol)
		return;
	o = get_obj(s, f->object);
	if (!o || !build_id_matches(o, f))
		return;
	if (!memo_reserve(s)) {
		symbolize_uncached(o, f, return_address);
		return;
	}
	m = memo_slot(s, o, f->offset, return_address);
	if (!m->obj) {
		symbolize_uncached(o, f, return_address);
		m->obj = o;
		m->offset = f->offset;
		m->return_address = return_address;
		m->symbol = dup_or_null(f->symbol);
		m->symbol_offset = f->symbol_offset;
		m->source_file = dup_or_null(f->source_file);
		m->source_line = f->source_line;
		m->symbol_source = f->symbol_source;
		s->memo_nr++;
		return;
	}
	f->symbol = dup_or_null(m->symbol);
	f->symbol_offset = m->symbol_offset;
	f->source_file = dup_or_null(m->source_file);
	f->source_line = m->source_line;
	f->symbol_source = m->symbol_source;
}

/*
 * Which table dwfl_module_addrinfo() found the symbol in: it reports the
 * ELF file, which is the object itself (.symtab, or .dynsym without one),
 * the separate debug file libdwfl found (its path tells a debuginfod
 * download from a local one), or else the .gnu_debugdata (MiniDebugInfo)
 * file it unpacked.
 */
static const char *symbol_source(struct sym_obj *o, Elf *from)
{
	const char *debugfile = NULL;
	GElf_Addr bias;
	Dwarf *dw;

	if (from == o->elf)
		return o->has_symtab ? "symtab" : "dynsym";
	dw = dwfl_module_getdwarf(o->mod, &bias);
	if (dw && dwarf_getelf(dw) == from) {
		dwfl_module_info(o->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
		return debugfile && strstr(debugfile, "/debuginfod_client/") ?
		       "debuginfod" : "debuginfo";
	}
	return "minidebuginfo";
}

static int dynfn_cmp(const void *a, const void *b)
{
	const struct dynfn *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* o->dynfns: .dynsym's defined functions, sorted by value (none if no memory). */
static void build_dynfns(struct sym_obj *o)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t n;

	o->dynfns_built = true;
	while ((scn = elf_nextscn(o->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM)
			break;
	if (!scn || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return;
	n = sh.sh_size / sh.sh_entsize;
	o->dynfns = calloc(n ? n : 1, sizeof(*o->dynfns));
	if (!o->dynfns)
		return;
	o->dynstr = sh.sh_link;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(d, i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_FUNC || type == STT_GNU_IFUNC)
			o->dynfns[o->nr_dynfns++] = (struct dynfn){ sym.st_value, sym.st_shndx,
								    sym.st_name };
	}
	qsort(o->dynfns, o->nr_dynfns, sizeof(*o->dynfns), dynfn_cmp);
}

/*
 * No symbol holds vaddr (a static function of a stripped object): the
 * nearest defined function symbol of .dynsym at or before it in the same
 * section, as the last hint there is. Its name, or NULL; *start its value.
 */
static const char *nearest_dynsym(struct sym_obj *o, GElf_Addr vaddr, GElf_Addr *start)
{
	size_t shndx = 0, lo = 0, hi;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while (!shndx && (scn = elf_nextscn(o->elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR) &&
		    sh.sh_type == SHT_PROGBITS && vaddr >= sh.sh_addr &&
		    vaddr - sh.sh_addr < sh.sh_size)
			shndx = elf_ndxscn(scn);
	if (!shndx)
		return NULL;
	if (!o->dynfns_built)
		build_dynfns(o);
	/* the first function after vaddr, then back to one in its section */
	hi = o->nr_dynfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->dynfns[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0)
		if (o->dynfns[lo].shndx == shndx) {
			*start = o->dynfns[lo].value;
			return elf_strptr(o->elf, o->dynstr, o->dynfns[lo].name);
		}
	return NULL;
}

static void symbolize_uncached(struct sym_obj *o, struct frame_info *f,
			       bool return_address)
{
	GElf_Addr vaddr, addr, lookup, start;
	GElf_Off symoff;
	GElf_Sym sym;
	Dwfl_Line *line;
	const char *name, *file;
	Elf *from = NULL;
	int lineno;

	if (!offset_to_vaddr(o->elf, f->offset, &vaddr))
		return;
	addr = vaddr + o->bias;
	/* a return address may be the first byte after the caller's function */
	lookup = return_address ? addr - 1 : addr;
	name = dwfl_module_addrinfo(o->mod, lookup, &symoff, &sym, NULL, &from, NULL);
	if (name) {
		f->symbol = strdup(name);
		f->symbol_offset = symoff + (addr - lookup);
		f->symbol_source = f->symbol ? symbol_source(o, from) : NULL;
	} else if ((name = nearest_dynsym(o, lookup - o->bias, &start))) {
		f->symbol = strdup(name);
		f->symbol_offset = addr - o->bias - start;
		f->symbol_source = f->symbol ? SYMBOL_SOURCE_NEAREST : NULL;
	}
	line = dwfl_module_getsrc(o->mod, lookup);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && lineno > 0) {
		f->source_file = strdup(file);
		f->source_line = lineno;
	}
}

void symbolize_report(struct report *r)
{
	struct symbolizer *sym = symbolizer_new();

	if (sym)
		report_symbolize(r, symbolize_frame, sym);
	symbolizer_free(sym);
}
