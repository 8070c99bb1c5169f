/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call sites. The module keys every mapping by the user call stack that made
 * it; a test identifies a site by a return address inside the function
 * that made the mapping. The programs are built with frame pointers and
 * without sibling calls, and site functions are never inlined, so each
 * really is on the stack when it makes its syscall.
 */
#ifndef AL_SITE_H
#define AL_SITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG ((size_t)getpagesize())
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

/* A site function: not inlined, kept even if only reached through tables. */
#define AL_SITE __attribute__((noinline, used))

/* After the call: no tail call, and no two site functions folded into one. */
#define al_barrier() __asm__ volatile("" ::: "memory")

/*
 * A site function: void *name params, which returns what @call does
 * (a pointer, or a number cast to one), e.g.
 *   AL_SITE_FN(site_b, (size_t len), mmap(NULL, len, RW, PA, -1, 0))
 * "static AL_SITE_FN(...)" for one of this file only.
 */
#define AL_SITE_FN(name, params, call)					\
AL_SITE void *name params						\
{									\
	void *p = (void *)(call);					\
									\
	al_barrier();							\
	return p;							\
}

/*
 * static void *name(size_t len): a private anonymous read-write mapping
 * of @len bytes, by a raw syscall(SYS_mmap, ...) as libraries make them.
 */
#define AL_RAW_SITE(name)						\
static AL_SITE_FN(name, (size_t len),					\
		  syscall(SYS_mmap, NULL, len, RW, PA, -1, 0))

/*
 * Where the body of @fn ends: at the first of the @n functions @fns that
 * starts above it, or 256 bytes on (site functions are short).
 */
uintptr_t al_fn_end(const void *fn, void *const *fns, unsigned int n);

/*
 * The index of the first of @fns[0..@nsites) whose body (bounded by all
 * @n functions of @fns, as al_fn_end() does) holds the return address
 * @addr, or -1.
 */
int al_fn_of(uint64_t addr, void *const *fns, unsigned int nsites,
	     unsigned int n);

#endif /* AL_SITE_H */
