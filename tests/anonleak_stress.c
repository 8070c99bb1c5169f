// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: threads map, unmap, mremap and fork while another process
 * dumps sites in a loop and a third unloads and reloads the module. Bounded
 * by operation counts. The guest runner fails the run on any kernel splat;
 * here, everything must keep working and, once the churn stops, the module
 * must again account exactly.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "al_nl.h"

#define PG ((size_t)getpagesize())
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
#define THREADS 4
#define OPS 3000
#define RELOADS 6

static const char *ko(void)
{
	const char *p = getenv("ANONLEAK_KO");

	return p ? p : "module/anonleak.ko";
}

static __attribute__((noinline)) void *st_site(size_t len)
{
	void *p = (void *)syscall(SYS_mmap, NULL, len, RW, PA, -1, 0);

	__asm__ volatile("" ::: "memory");
	return p;
}

static void *churn(void *arg)
{
	unsigned int seed = (uintptr_t)arg;
	void *live[32] = { 0 };
	size_t len[32] = { 0 };
	int i, k;

	for (i = 0; i < OPS; i++) {
		k = rand_r(&seed) % 32;
		if (live[k]) {
			switch (rand_r(&seed) % 3) {
			case 0:
				munmap(live[k], len[k]);
				live[k] = NULL;
				break;
			case 1: {
				size_t n = (1 + rand_r(&seed) % 8) * PG;
				void *p = mremap(live[k], len[k], n, MREMAP_MAYMOVE);

				if (p != MAP_FAILED) {
					live[k] = p;
					len[k] = n;
				}
				break;
			}
			default:
				/* a hole in the middle, then the rest */
				if (len[k] >= 3 * PG)
					munmap((char *)live[k] + PG, PG);
				munmap(live[k], len[k]);
				live[k] = NULL;
			}
		} else {
			len[k] = (1 + rand_r(&seed) % 8) * PG;
			live[k] = st_site(len[k]);
			if (live[k] == MAP_FAILED)
				return (void *)1;
		}
		if (!(i % 500)) {
			pid_t pid = fork();

			if (!pid) {
				st_site(PG);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
	}
	for (k = 0; k < 32; k++)
		if (live[k])
			munmap(live[k], len[k]);
	return NULL;
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, churn_while_dumping_and_reloading, 600)
{
	pid_t reader, loader;
	pthread_t t[THREADS];
	struct al_t_dump d;
	struct al_t_site *s;
	unsigned int i;
	char cmd[512];
	void *ret;
	int status;

	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader) {
		/* Errors are expected while the module is away; stop by signal. */
		for (;;) {
			if (!al_t_sites(0, &d))
				free(d.sites);
			usleep(2000);
		}
	}
	loader = fork();
	ASSERT_LE(0, loader);
	if (!loader) {
		int tries;

		/*
		 * rmmod is refused while a dump holds the module: that is the
		 * kernel's rule, so retry until the reader is between dumps.
		 */
		snprintf(cmd, sizeof(cmd), "insmod %s", ko());
		for (i = 0; i < RELOADS; i++) {
			usleep(200000);
			for (tries = 0; tries < 500; tries++) {
				if (!system("rmmod anonleak 2>/dev/null"))
					break;
				usleep(5000);
			}
			if (tries == 500 || system(cmd))
				_exit(1);
		}
		_exit(0);
	}

	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn,
					    (void *)(uintptr_t)(i + 1)));
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	ASSERT_EQ(loader, waitpid(loader, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("a reload failed");
	kill(reader, SIGKILL);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));

	/* Quiet again: exact accounting from here on. */
	snprintf(cmd, sizeof(cmd), "rmmod anonleak; insmod %s", ko());
	ASSERT_EQ(0, system(cmd));
	for (i = 0; i < 5; i++)
		ASSERT_NE(MAP_FAILED, st_site(2 * PG));
	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	ASSERT_EQ(1, d.n);
	s = &d.sites[0];
	EXPECT_EQ(5, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(10 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

TEST_HARNESS_MAIN
