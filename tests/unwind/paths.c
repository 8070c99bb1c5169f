// SPDX-License-Identifier: GPL-2.0
/*
 * Call paths for tests/anonleak_stacks.py, built -O2 -fomit-frame-pointer:
 * each path leaks COUNT mappings of its own size (PAGES pages each) so that
 * the test can tell its site by function and check counts and bytes.
 *
 *   paths COUNT
 *
 * Paths (function: depth below main):
 *   deep_c <- deep_b <- deep_a          glibc malloc, three frames
 *   shallow                             glibc malloc, one frame
 *   tail_callee (tail_caller's frame is gone: a sibling call)
 *   inliner (with an inlined helper)    glibc malloc
 *   thread_fn in a thread               glibc malloc
 *   on_signal, a signal handler         mmap() through __restore_rt
 *   hook_mmap <- hook_layer2 <- hook_layer3 <- caller_x / caller_y:
 *                                       raw syscall(SYS_mmap), like UCX's ucm
 *   plugin_alloc in plugin.so (dlopen)  glibc malloc
 *   jit code (anonymous PROT_EXEC)      mmap syscall from generated code
 *
 * With a second argument "wait", it reads a line from stdin before the
 * first allocation (the agent test loads its tables first) and, after the
 * last, prints "ready" and waits until killed (the report of a live
 * process).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define NOINLINE __attribute__((noinline))
#define PAGE 4096

static volatile int count;
static void *volatile sink;

/* malloc of exactly pages pages of mapping: glibc adds a 16-byte header. */
static void *big(size_t pages)
{
	void *p = malloc(pages * PAGE - 64);

	if (p)
		memset(p, 1, 64);
	return p;
}

NOINLINE void deep_c(void) { sink = big(33); }
NOINLINE void deep_b(void) { deep_c(); __asm__ volatile("" ::: "memory"); }
NOINLINE void deep_a(void) { deep_b(); __asm__ volatile("" ::: "memory"); }
NOINLINE void shallow(void) { sink = big(34); }

NOINLINE void *tail_callee(int n) { return big(35 + (n & 0)); }
NOINLINE void *tail_caller(int n) { return tail_callee(n + 1); }	/* jmp, no frame */

static inline void *helper(void) { return big(36); }
NOINLINE void inliner(void) { sink = helper(); __asm__ volatile("" ::: "memory"); }

NOINLINE void *thread_fn(void *arg)
{
	for (int i = 0; i < count; i++)
		sink = big(37);
	return arg;
}

static void on_signal(int sig)
{
	sink = mmap(NULL, 38 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)sig;
}

NOINLINE void signal_path(void) { raise(SIGUSR1); __asm__ volatile("" ::: "memory"); }

NOINLINE void *hook_mmap(size_t len)
{
	return (void *)syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
NOINLINE void *hook_layer2(size_t len) { void *p = hook_mmap(len); __asm__ volatile("" ::: "memory"); return p; }
NOINLINE void *hook_layer3(size_t len) { void *p = hook_layer2(len); __asm__ volatile("" ::: "memory"); return p; }
NOINLINE void caller_x(void) { sink = hook_layer3(39 * PAGE); __asm__ volatile("" ::: "memory"); }
NOINLINE void caller_y(void) { sink = hook_layer3(40 * PAGE); __asm__ volatile("" ::: "memory"); }

/* mov r10, rcx; mov eax, 9 (mmap); syscall; ret */
static const unsigned char jit_code[] = { 0x49, 0x89, 0xca, 0xb8, 0x09, 0, 0, 0, 0x0f, 0x05, 0xc3 };

NOINLINE void jit_path(void)
{
	void *(*fn)(void *, size_t, int, int, int, long);
	void *code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (code == MAP_FAILED)
		return;
	memcpy(code, jit_code, sizeof(jit_code));
	fn = (void *(*)(void *, size_t, int, int, int, long))code;
	for (int i = 0; i < count; i++)
		sink = fn(NULL, 42 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void plugin_path(const char *self)
{
	char path[4096];
	void *(*alloc)(size_t);
	void *h;

	snprintf(path, sizeof(path), "%.*s/plugin.so", (int)(strrchr(self, '/') - self), self);
	h = dlopen(path, RTLD_NOW);
	alloc = h ? (void *(*)(size_t))dlsym(h, "plugin_alloc") : NULL;
	if (!alloc) {
		fprintf(stderr, "paths: %s: %s\n", path, dlerror());
		exit(1);
	}
	/* let an agent (or run) see the announcement and load the table */
	sleep(getenv("PATHS_DLOPEN_WAIT") ? atoi(getenv("PATHS_DLOPEN_WAIT")) : 2);
	for (int i = 0; i < count; i++)
		sink = alloc(41 * PAGE - 64);
}

int main(int argc, char **argv)
{
	pthread_t t;

	char line[16];
	bool wait = argc > 2 && !strcmp(argv[2], "wait");

	count = argc > 1 ? atoi(argv[1]) : 2;
	signal(SIGUSR1, on_signal);
	if (wait && !fgets(line, sizeof(line), stdin))
		return 1;
	for (int i = 0; i < count; i++) {
		deep_a();
		shallow();
		sink = tail_caller(i);
		inliner();
		signal_path();
		caller_x();
		caller_y();
	}
	if (pthread_create(&t, NULL, thread_fn, NULL) || pthread_join(t, NULL))
		return 1;
	plugin_path(argv[0]);
	jit_path();
	if (wait) {
		puts("ready");
		fflush(stdout);
		pause();
	}
	return 0;
}
