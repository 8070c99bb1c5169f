// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "symbolize.h"

/* One object file, opened on its own Dwfl so addresses never collide. */
struct sym_obj {
	char *path;
	Dwfl *dwfl;		/* NULL if the file could not be used */
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias;		/* Dwfl address = ELF vaddr + bias */
};

struct symbolizer {
	struct sym_obj *objs;
	size_t nr, cap;
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
	}
	free(s->objs);
	free(s);
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

static bool build_id_matches(struct sym_obj *o, const struct al_frame *f)
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

void symbolize_frame(void *ctx, struct al_frame *f, bool return_address)
{
	struct sym_obj *o;
	GElf_Addr vaddr, addr, lookup;
	GElf_Off symoff;
	GElf_Sym sym;
	Dwfl_Line *line;
	const char *name, *file;
	int lineno;

	if (!f->object || !f->has_offset || f->symbol)
		return;
	o = get_obj(ctx, f->object);
	if (!o || !build_id_matches(o, f) || !offset_to_vaddr(o->elf, f->offset, &vaddr))
		return;
	addr = vaddr + o->bias;
	/* a return address may be the first byte after the caller's function */
	lookup = return_address ? addr - 1 : addr;
	name = dwfl_module_addrinfo(o->mod, lookup, &symoff, &sym, NULL, NULL, NULL);
	if (name) {
		f->symbol = strdup(name);
		f->symbol_offset = symoff + (addr - lookup);
	}
	line = dwfl_module_getsrc(o->mod, lookup);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && lineno > 0) {
		f->source_file = strdup(file);
		f->source_line = lineno;
	}
}
