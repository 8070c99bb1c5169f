// SPDX-License-Identifier: GPL-2.0
/*
 * symbolize.c on real objects: functions of this (PIE) test binary and of
 * libc, located through /proc/self/maps as the kernel would report them
 * (path and file offset), plus build-id checks, unusable objects, and
 * copies of this binary with the debug info or all symbols stripped.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "core/report.h"
#include "core/symbolize.h"
#include "print/report.h"
#include "selfmaps.h"

extern char **environ;

enum { TARGET_LINE = __LINE__ + 1 };	/* target_fn is declared on the next line */
static __attribute__((noinline, used)) int target_fn(volatile int x)
{
	return x * 3 + 1;
}


/* The GNU build-id of an ELF file, read with libelf; its length or 0. */
static size_t read_build_id(const char *path, unsigned char *id, size_t max)
{
	size_t n = 0;
	Elf_Scn *scn = NULL;
	FILE *f = fopen(path, "r");
	Elf *elf;

	if (!f)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fileno(f), ELF_C_READ, NULL);
	while (elf && !n && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		size_t pos = 0, name_off, desc_off;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (pos = gelf_getnote(d, pos, &nh, &name_off, &desc_off)) > 0)
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz <= max) {
				memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
				n = nh.n_descsz;
				break;
			}
	}
	if (elf)
		elf_end(elf);
	fclose(f);
	return n;
}

FIXTURE(sym)
{
	struct symbolizer *s;
	struct frame_info f;
	char path[4096];
};

FIXTURE_SETUP(sym)
{
	memset(&self->f, 0, sizeof(self->f));
	self->s = symbolizer_new();
	ASSERT_NE(NULL, self->s);
	ASSERT_TRUE(locate((void *)target_fn, self->path, sizeof(self->path), &self->f.offset));
	self->f.addr = (uintptr_t)target_fn;
	self->f.has_offset = true;
	self->f.object = strdup(self->path);
}

FIXTURE_TEARDOWN(sym)
{
	frame_release(&self->f);
	symbolizer_free(self->s);
}

TEST_F(sym, own_function)
{
	const char *base;

	symbolize_frame(self->s, &self->f, false);
	ASSERT_NE(NULL, self->f.symbol) TH_LOG("%s+0x%lx not resolved", self->path,
					      (unsigned long)self->f.offset);
	EXPECT_STREQ("target_fn", self->f.symbol);
	EXPECT_EQ(0, self->f.symbol_offset);
	EXPECT_STREQ("symtab", self->f.symbol_source);
	ASSERT_NE(NULL, self->f.source_file);
	base = strrchr(self->f.source_file, '/');
	EXPECT_STREQ("symbolize_test.c", base ? base + 1 : self->f.source_file);
	EXPECT_GE(self->f.source_line, TARGET_LINE);
	EXPECT_LE(self->f.source_line, TARGET_LINE + 2);
}

/* A return address is looked up one byte back, and its offset kept. */
TEST_F(sym, return_address)
{
	self->f.offset += 4;
	self->f.addr += 4;
	symbolize_frame(self->s, &self->f, true);
	ASSERT_NE(NULL, self->f.symbol);
	EXPECT_STREQ("target_fn", self->f.symbol);
	EXPECT_EQ(4, self->f.symbol_offset);
}

/*
 * Frames are resolved once per (object, offset, kind) and remembered: the
 * same frame again, and the same offset as a return address, come out as a
 * fresh lookup would give them, in frames of their own.
 */
TEST_F(sym, repeated_frames)
{
	struct frame_info g[3];

	for (int i = 0; i < 3; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].addr = self->f.addr + (i == 2 ? 0 : 4);
		g[i].offset = self->f.offset + (i == 2 ? 0 : 4);
		g[i].has_offset = true;
		g[i].object = strdup(self->path);
	}
	symbolize_frame(self->s, &g[0], true);
	symbolize_frame(self->s, &g[1], true);	/* remembered */
	symbolize_frame(self->s, &g[2], false);	/* another kind: looked up */
	for (int i = 0; i < 3; i++) {
		ASSERT_NE(NULL, g[i].symbol) TH_LOG("frame %d", i);
		EXPECT_STREQ("target_fn", g[i].symbol);
		EXPECT_EQ(i == 2 ? 0 : 4, g[i].symbol_offset);
		ASSERT_NE(NULL, g[i].source_file);
		EXPECT_STREQ(g[0].source_file, g[i].source_file);
	}
	EXPECT_NE(g[0].symbol, g[1].symbol);	/* each frame owns its strings */
	for (int i = 0; i < 3; i++)
		frame_release(&g[i]);
}

TEST_F(sym, build_id_match)
{
	unsigned char id[64];
	size_t n = read_build_id(self->path, id, sizeof(id));

	if (!n)
		SKIP(return, "%.200s has no GNU build-id", self->path);
	self->f.build_id = malloc(n);
	ASSERT_NE(NULL, self->f.build_id);
	memcpy(self->f.build_id, id, n);
	self->f.build_id_len = n;
	symbolize_frame(self->s, &self->f, false);
	EXPECT_STREQ("target_fn", self->f.symbol);
}

/* The file at the path is not the one that was mapped: leave it alone. */
TEST_F(sym, build_id_mismatch)
{
	self->f.build_id = malloc(4);
	ASSERT_NE(NULL, self->f.build_id);
	memcpy(self->f.build_id, "\x01\x02\x03\x04", 4);
	self->f.build_id_len = 4;
	symbolize_frame(self->s, &self->f, false);
	EXPECT_EQ(NULL, self->f.symbol);
	EXPECT_EQ(NULL, self->f.source_file);
}

TEST_F(sym, offset_outside_segments)
{
	self->f.offset = 1ULL << 40;
	symbolize_frame(self->s, &self->f, false);
	EXPECT_EQ(NULL, self->f.symbol);
}

TEST_F(sym, unusable_objects)
{
	static const char *const bad[] = { "/nonexistent/libfoo.so", "/proc/self/status", "/" };

	for (int round = 0; round < 2; round++) {	/* the second time from the cache */
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			struct frame_info f = { .addr = 0x1000, .offset = 0x10, .has_offset = true };

			f.object = strdup(bad[i]);
			symbolize_frame(self->s, &f, false);
			EXPECT_EQ(NULL, f.symbol) TH_LOG("%s", bad[i]);
			frame_release(&f);
		}
	}
	/* a good object still works after the failures */
	symbolize_frame(self->s, &self->f, false);
	EXPECT_STREQ("target_fn", self->f.symbol);
}

/* A shared library: getpid in libc (symbol table of .dynsym at least). */
TEST_F(sym, libc_function)
{
	struct frame_info f = { .has_offset = true };
	pid_t (*volatile fn)(void) = getpid;	/* volatile: the real address */
	char path[4096];

	if (!locate((void *)fn, path, sizeof(path), &f.offset) || !strstr(path, "libc"))
		SKIP(return, "getpid is not in a libc mapping here");
	f.addr = (uintptr_t)fn;
	f.object = strdup(path);
	symbolize_frame(self->s, &f, false);
	ASSERT_NE(NULL, f.symbol) TH_LOG("%s+0x%lx", path, (unsigned long)f.offset);
	EXPECT_NE(NULL, strstr(f.symbol, "getpid")) TH_LOG("got %s", f.symbol);
	EXPECT_EQ(0, f.symbol_offset);
	/* exported: found in a real table (which one depends on libc6-dbg), never a guess */
	ASSERT_NE(NULL, f.symbol_source);
	EXPECT_STRNE("nearest-dynsym", f.symbol_source);
	frame_release(&f);
}

/*
 * The same function with less and less to go on: this binary as built
 * (-g: DWARF), a copy without the debug info (objcopy --strip-debug: .symtab
 * only) and a fully stripped copy (strip --strip-all: .dynsym only, which
 * has no static functions). The copies keep the PT_LOAD layout, so the file
 * offset the kernel would report is the same in all three.
 */

/* Run argv[0] from PATH; its exit status, or -1 if it did not exit. */
static int run_tool(char *const argv[])
{
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ))
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The ELF file at path, for the checks below; NULL if unreadable. */
static Elf *elf_open(const char *path, int *fd)
{
	Elf *elf;

	*fd = open(path, O_RDONLY);
	if (*fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (!elf)
		close(*fd);
	return elf;
}

static void elf_close(Elf *elf, int fd)
{
	elf_end(elf);
	close(fd);
}

/* Whether the ELF file at path has a section called name. */
static bool has_section(const char *path, const char *name)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	size_t shstrndx;
	int fd;
	Elf *elf = elf_open(path, &fd);

	if (!elf)
		return false;
	if (!elf_getshdrstrndx(elf, &shstrndx))
		while (!found && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *n;

			if (gelf_getshdr(scn, &sh) &&
			    (n = elf_strptr(elf, shstrndx, sh.sh_name)) && !strcmp(n, name))
				found = true;
		}
	elf_close(elf, fd);
	return found;
}

/* Whether a and b have the same PT_LOAD headers (so file offsets carry over). */
static bool same_load_segments(const char *a, const char *b)
{
	size_t na, nb, loads = 0;
	bool same = false;
	int fa, fb;
	Elf *ea = elf_open(a, &fa), *eb = NULL;

	if (!ea)
		return false;
	eb = elf_open(b, &fb);
	if (!eb)
		goto out;
	if (elf_getphdrnum(ea, &na) || elf_getphdrnum(eb, &nb) || na != nb)
		goto out;
	same = true;
	for (size_t i = 0; same && i < na; i++) {
		GElf_Phdr pa, pb;

		if (!gelf_getphdr(ea, i, &pa) || !gelf_getphdr(eb, i, &pb)) {
			same = false;
			break;
		}
		if (pa.p_type != PT_LOAD)
			continue;
		loads++;
		same = pb.p_type == PT_LOAD && pa.p_offset == pb.p_offset &&
		       pa.p_vaddr == pb.p_vaddr && pa.p_filesz == pb.p_filesz &&
		       pa.p_flags == pb.p_flags;
	}
	same = same && loads;
out:
	if (eb)
		elf_close(eb, fb);
	elf_close(ea, fa);
	return same;
}

/* frame_describe() of f, to be freed. */
static char *describe(const struct frame_info *f)
{
	char *out = NULL;
	size_t len;
	FILE *m = open_memstream(&out, &len);

	if (!m)
		return NULL;
	frame_describe(m, f);
	fclose(m);
	return out;
}

FIXTURE(stripped)
{
	struct symbolizer *s;
	struct frame_info f;
	char exe[4096];		/* this binary, as built */
	char dir[4096];		/* a temporary directory for the copies */
	bool have_dir;
	char nodebug[4200];	/* objcopy --strip-debug */
	char nosyms[4200];	/* strip --strip-all */
};

static void remove_copies(FIXTURE_DATA(stripped) *self)
{
	if (!self->have_dir)
		return;
	unlink(self->nodebug);
	unlink(self->nosyms);
	rmdir(self->dir);
	self->have_dir = false;
}

FIXTURE_SETUP(stripped)
{
	const char *tmp = getenv("TMPDIR");
	char *objcopy[] = { "objcopy", "--strip-debug", self->exe, self->nodebug, NULL };
	char *strip[] = { "strip", "--strip-all", "-o", self->nosyms, self->exe, NULL };
	int ret;

	/* nothing to fetch for a build-id only this host has */
	unsetenv("DEBUGINFOD_URLS");
	memset(&self->f, 0, sizeof(self->f));
	self->s = symbolizer_new();
	ASSERT_NE(NULL, self->s);
	ASSERT_TRUE(locate((void *)target_fn, self->exe, sizeof(self->exe), &self->f.offset));
	self->f.addr = (uintptr_t)target_fn;
	self->f.has_offset = true;

	snprintf(self->dir, sizeof(self->dir), "%s/anonleak-symtest.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp %s: %m", self->dir);
	self->have_dir = true;
	snprintf(self->nodebug, sizeof(self->nodebug), "%s/nodebug", self->dir);
	snprintf(self->nosyms, sizeof(self->nosyms), "%s/nosyms", self->dir);
	ret = run_tool(objcopy);
	if (ret)
		remove_copies(self);	/* no teardown after a failed setup */
	ASSERT_EQ(0, ret) TH_LOG("objcopy --strip-debug %s: %d (binutils needed)", self->exe, ret);
	ret = run_tool(strip);
	if (ret)
		remove_copies(self);
	ASSERT_EQ(0, ret) TH_LOG("strip --strip-all %s: %d (binutils needed)", self->exe, ret);
}

FIXTURE_TEARDOWN(stripped)
{
	frame_release(&self->f);
	symbolizer_free(self->s);
	remove_copies(self);
}

/* -g: the symbol table and DWARF, so function and file:line. */
TEST_F(stripped, debug_info)
{
	const char *base;

	ASSERT_TRUE(has_section(self->exe, ".debug_line")) TH_LOG("%s built without -g?", self->exe);
	self->f.object = strdup(self->exe);
	symbolize_frame(self->s, &self->f, false);
	ASSERT_NE(NULL, self->f.symbol);
	EXPECT_STREQ("target_fn", self->f.symbol);
	EXPECT_EQ(0, self->f.symbol_offset);
	ASSERT_NE(NULL, self->f.source_file);
	base = strrchr(self->f.source_file, '/');
	EXPECT_STREQ("symbolize_test.c", base ? base + 1 : self->f.source_file);
	EXPECT_GE(self->f.source_line, TARGET_LINE);
	EXPECT_LE(self->f.source_line, TARGET_LINE + 2);
}

/* --strip-debug: .symtab still names the function, but there is no file:line. */
TEST_F(stripped, symtab_only)
{
	char *text, want[8400];

	ASSERT_TRUE(has_section(self->nodebug, ".symtab"));
	ASSERT_FALSE(has_section(self->nodebug, ".debug_info"));
	ASSERT_FALSE(has_section(self->nodebug, ".debug_line"));
	ASSERT_TRUE(same_load_segments(self->exe, self->nodebug));
	self->f.object = strdup(self->nodebug);
	symbolize_frame(self->s, &self->f, false);
	ASSERT_NE(NULL, self->f.symbol);
	EXPECT_STREQ("target_fn", self->f.symbol);
	EXPECT_EQ(0, self->f.symbol_offset);
	EXPECT_STREQ("symtab", self->f.symbol_source);
	EXPECT_EQ(NULL, self->f.source_file) TH_LOG("got %s:%u", self->f.source_file,
						   self->f.source_line);
	EXPECT_EQ(0, self->f.source_line);

	text = describe(&self->f);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want), "target_fn+0x0 (%s+0x%lx)", self->nodebug,
		 (unsigned long)self->f.offset);
	EXPECT_STREQ(want, text);
	free(text);
}

/* --strip-all: only .dynsym, where a static function is not: left unresolved. */
TEST_F(stripped, dynsym_only)
{
	char *text, want[8400];

	ASSERT_FALSE(has_section(self->nosyms, ".symtab"));
	ASSERT_FALSE(has_section(self->nosyms, ".debug_info"));
	ASSERT_TRUE(has_section(self->nosyms, ".dynsym"));
	ASSERT_TRUE(same_load_segments(self->exe, self->nosyms));
	self->f.object = strdup(self->nosyms);
	for (int round = 0; round < 2; round++) {	/* the second time from the cache */
		symbolize_frame(self->s, &self->f, false);
		EXPECT_EQ(NULL, self->f.symbol) TH_LOG("got %s+0x%lx", self->f.symbol,
						      (unsigned long)self->f.symbol_offset);
		EXPECT_EQ(0, self->f.symbol_offset);
		EXPECT_EQ(NULL, self->f.source_file);
		EXPECT_EQ(0, self->f.source_line);
	}

	/* shown as the bare object and offset */
	text = describe(&self->f);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want), "%s+0x%lx", self->nosyms, (unsigned long)self->f.offset);
	EXPECT_STREQ(want, text);
	free(text);

	/* the same symbolizer still resolves the unstripped binary */
	frame_release(&self->f);
	memset(&self->f, 0, sizeof(self->f));
	ASSERT_TRUE(locate((void *)target_fn, self->exe, sizeof(self->exe), &self->f.offset));
	self->f.addr = (uintptr_t)target_fn;
	self->f.has_offset = true;
	self->f.object = strdup(self->exe);
	symbolize_frame(self->s, &self->f, false);
	EXPECT_STREQ("target_fn", self->f.symbol);
}

/*
 * Where names come from when the object is stripped: a shared library built
 * here whose exported function is followed by a static one, as built (.symtab),
 * stripped (.dynsym only: the static function gets the nearest dynamic symbol,
 * flagged), stripped with a MiniDebugInfo section (.gnu_debugdata, xz) and
 * stripped with a .gnu_debuglink to a separate debug file beside it.
 */
static const char lib_source[] =
	"int exported_fn(int x);\n"
	"static __attribute__((noinline, used)) int hidden_fn(volatile int x)\n"
	"{ return x * 7 + 3; }\n"
	"int exported_fn(int x) { return hidden_fn(x) + 1; }\n"
	"static __attribute__((noinline, used)) int hidden_after(volatile int x)\n"
	"{ return x * 5 + exported_fn(x); }\n"
	"int (*volatile keep)(volatile int) = hidden_after;\n";

FIXTURE(sources)
{
	struct symbolizer *s;
	char dir[4096];
	bool have_dir;
	char src[4200], full[4200], dynonly[4200], mini[4200], minidbg[4200],
	     minixz[4200], linked[4200], linkdbg[4200];
	uint64_t exported_off, hidden_off, hidden_after_off;
	uint64_t exported_vaddr, hidden_after_vaddr;
};

/* The vaddr of the .symtab symbol name in path, and its file offset. */
static bool lookup_symbol(const char *path, const char *name, uint64_t *vaddr, uint64_t *off)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	size_t phnum;
	int fd;
	Elf *elf = elf_open(path, &fd);

	if (!elf)
		return false;
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && !found && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, i, &sym) && (n = elf_strptr(elf, sh.sh_link, sym.st_name)) &&
			    !strcmp(n, name) && GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
				*vaddr = sym.st_value;
				found = true;
			}
		}
	}
	found = found && !elf_getphdrnum(elf, &phnum);
	if (found) {
		found = false;
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
			    *vaddr >= ph.p_vaddr && *vaddr < ph.p_vaddr + ph.p_filesz) {
				*off = *vaddr - ph.p_vaddr + ph.p_offset;
				found = true;
				break;
			}
		}
	}
	elf_close(elf, fd);
	return found;
}

static void remove_sources(FIXTURE_DATA(sources) *self)
{
	const char *files[] = { self->src, self->full, self->dynonly, self->mini, self->minidbg,
				self->minixz, self->linked, self->linkdbg };

	if (!self->have_dir)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(self->dir);
	self->have_dir = false;
}

FIXTURE_SETUP(sources)
{
	const char *tmp = getenv("TMPDIR");
	uint64_t hidden_vaddr;
	FILE *f;
	int ret = 0;

	unsetenv("DEBUGINFOD_URLS");
	self->s = symbolizer_new();
	ASSERT_NE(NULL, self->s);
	snprintf(self->dir, sizeof(self->dir), "%s/anonleak-symsrc.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp %s: %m", self->dir);
	self->have_dir = true;
#define P(field, name) snprintf(self->field, sizeof(self->field), "%s/" name, self->dir)
	P(src, "lib.c");
	P(full, "full.so");
	P(dynonly, "dynonly.so");
	P(mini, "mini.so");
	P(minidbg, "mini.debug");
	P(minixz, "mini.debug.xz");
	P(linked, "linked.so");
	P(linkdbg, "linked.debug");
#undef P
	f = fopen(self->src, "w");
	if (f) {
		fputs(lib_source, f);
		ret = fclose(f);
	}
	{
		char link_opt[4300];
		char debug_opt[] = "--only-keep-debug";
		char *steps[][12] = {
			{ "gcc", "-shared", "-fPIC", "-O2", "-g", "-fno-toplevel-reorder",
			  "-fno-ipa-icf", "-o", self->full, self->src },
			{ "strip", "--strip-all", "-o", self->dynonly, self->full, NULL },
			/* MiniDebugInfo the way Fedora makes it: symbols only, xz */
			{ "objcopy", debug_opt, self->full, self->minidbg, NULL },
			{ "objcopy", "--strip-debug", self->minidbg, NULL },
			{ "xz", "-kf", self->minidbg, NULL },
			{ "objcopy", "--add-section", NULL, self->dynonly, self->mini, NULL },
			{ "objcopy", debug_opt, self->full, self->linkdbg, NULL },
			{ "objcopy", "--strip-all", link_opt, self->full, self->linked, NULL },
		};
		char add_opt[4300];

		snprintf(add_opt, sizeof(add_opt), ".gnu_debugdata=%s", self->minixz);
		steps[5][2] = add_opt;
		snprintf(link_opt, sizeof(link_opt), "--add-gnu-debuglink=%s", self->linkdbg);
		for (size_t i = 0; !ret && i < sizeof(steps) / sizeof(steps[0]); i++) {
			ret = run_tool(steps[i]);
			if (ret)
				TH_LOG("step %zu (%s) failed: %d", i, steps[i][0], ret);
		}
	}
	if (!ret && (!lookup_symbol(self->full, "exported_fn", &self->exported_vaddr,
				    &self->exported_off) ||
		     !lookup_symbol(self->full, "hidden_fn", &hidden_vaddr, &self->hidden_off) ||
		     !lookup_symbol(self->full, "hidden_after", &self->hidden_after_vaddr,
				    &self->hidden_after_off)))
		ret = -1;
	if (ret)
		remove_sources(self);	/* no teardown after a failed setup */
	ASSERT_EQ(0, ret) TH_LOG("building %s (gcc, binutils and xz needed)", self->full);
	ASSERT_TRUE(same_load_segments(self->full, self->dynonly));
	ASSERT_TRUE(same_load_segments(self->full, self->mini));
	ASSERT_TRUE(same_load_segments(self->full, self->linked));
	ASSERT_TRUE(has_section(self->mini, ".gnu_debugdata"));
	ASSERT_FALSE(has_section(self->mini, ".symtab"));
	ASSERT_FALSE(has_section(self->linked, ".symtab"));
	/* the layout the nearest-symbol check relies on */
	ASSERT_GT(self->hidden_after_vaddr, self->exported_vaddr);
}

FIXTURE_TEARDOWN(sources)
{
	symbolizer_free(self->s);
	remove_sources(self);
}

/* symbolize_frame() of (path, off): the frame, for the caller to release. */
static struct frame_info resolve(struct symbolizer *s, const char *path, uint64_t off)
{
	struct frame_info f = { .has_offset = true, .offset = off };

	f.object = strdup(path);
	symbolize_frame(s, &f, false);
	return f;
}

#define EXPECT_NAMED(f, name, source)						\
	do {									\
		ASSERT_NE(NULL, (f).symbol) TH_LOG("%s+0x%lx unresolved",	\
			(f).object, (unsigned long)(f).offset);			\
		EXPECT_STREQ(name, (f).symbol);					\
		EXPECT_STREQ(source, (f).symbol_source ? (f).symbol_source : "(none)"); \
	} while (0)

TEST_F(sources, symtab)
{
	struct frame_info f = resolve(self->s, self->full, self->hidden_off);

	EXPECT_NAMED(f, "hidden_fn", "symtab");
	EXPECT_EQ(0, f.symbol_offset);
	frame_release(&f);
}

TEST_F(sources, dynsym_and_nearest)
{
	struct frame_info f = resolve(self->s, self->dynonly, self->exported_off);
	char *text;

	EXPECT_NAMED(f, "exported_fn", "dynsym");
	EXPECT_EQ(0, f.symbol_offset);
	text = describe(&f);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, "[nearest]")) TH_LOG("%s", text);
	free(text);
	frame_release(&f);

	/* a static function after it: no symbol holds it, the nearest one is a guess */
	for (int round = 0; round < 2; round++) {	/* the second time from the cache */
		f = resolve(self->s, self->dynonly, self->hidden_after_off + 4);
		EXPECT_NAMED(f, "exported_fn", "nearest-dynsym");
		EXPECT_EQ(self->hidden_after_vaddr + 4 - self->exported_vaddr, f.symbol_offset);
		text = describe(&f);
		ASSERT_NE(NULL, text);
		EXPECT_NE(NULL, strstr(text, "exported_fn+0x")) TH_LOG("%s", text);
		EXPECT_NE(NULL, strstr(text, " [nearest]")) TH_LOG("%s", text);
		free(text);
		frame_release(&f);
	}
}

TEST_F(sources, minidebuginfo)
{
	struct frame_info f = resolve(self->s, self->mini, self->hidden_off);

	EXPECT_NAMED(f, "hidden_fn", "minidebuginfo");
	EXPECT_EQ(0, f.symbol_offset);
	frame_release(&f);
	f = resolve(self->s, self->mini, self->hidden_after_off);
	EXPECT_NAMED(f, "hidden_after", "minidebuginfo");
	frame_release(&f);
}

TEST_F(sources, debuglink)
{
	struct frame_info f = resolve(self->s, self->linked, self->hidden_off);

	EXPECT_NAMED(f, "hidden_fn", "debuginfo");
	EXPECT_EQ(0, f.symbol_offset);
	EXPECT_NE(NULL, f.source_file);		/* the debug file has DWARF */
	frame_release(&f);
}

TEST_HARNESS_MAIN
