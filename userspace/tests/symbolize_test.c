// SPDX-License-Identifier: GPL-2.0
/*
 * symbolize.c on real objects: functions of this (PIE) test binary and of
 * libc, located through /proc/self/maps as the kernel would report them
 * (path and file offset), plus build-id checks and unusable objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>

#include "kselftest_harness.h"
#include "symbolize.h"

enum { TARGET_LINE = __LINE__ + 1 };	/* target_fn is declared on the next line */
static __attribute__((noinline, used)) int target_fn(volatile int x)
{
	return x * 3 + 1;
}

/* The file and file offset that hold addr in this process, as the kernel sees them. */
static bool locate(const void *addr, char *path, size_t len, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4200], p[4096];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long start, end, pgoff;

		p[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095[^\n]", &start, &end, &pgoff, p) < 3)
			continue;
		if ((uintptr_t)addr < start || (uintptr_t)addr >= end || p[0] != '/')
			continue;
		snprintf(path, len, "%s", p);
		*off = (uintptr_t)addr - start + pgoff;
		found = true;
	}
	fclose(f);
	return found;
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
	struct al_frame f;
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
			struct al_frame f = { .addr = 0x1000, .offset = 0x10, .has_offset = true };

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
	struct al_frame f = { .has_offset = true };
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
	frame_release(&f);
}

TEST_HARNESS_MAIN
