// SPDX-License-Identifier: GPL-2.0
/*
 * anonleak selftests: exact per-site accounting, read back over netlink.
 *
 * Each TEST runs in its own child process (kselftest harness), so its
 * address space starts with no records. Sites are identified by the return
 * addresses the module recorded: one must lie inside the function that made
 * the mapping. Built with frame pointers and without sibling calls, so that
 * each site function really is on the stack when it makes the syscall.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "al_test.h"
#include "al_harness.h"

/* Each site function makes exactly one kind of mapping. */
AL_SITE_FN(site_a, (size_t len), syscall(SYS_mmap, NULL, len, RW, PA, -1, 0))
AL_SITE_FN(site_b, (size_t len), mmap(NULL, len, RW, PA, -1, 0))
AL_SITE_FN(site_fixed, (void *addr, size_t len),
	   mmap(addr, len, RW, PA | MAP_FIXED, -1, 0))
AL_SITE_FN(site_file, (int fd, size_t len, int flags),
	   mmap(NULL, len, PROT_READ, flags, fd, 0))
AL_SITE_FN(site_shared, (size_t len),
	   mmap(NULL, len, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
AL_SITE_FN(site_zero, (int fd, size_t len),
	   mmap(NULL, len, RW, MAP_PRIVATE, fd, 0))
AL_SITE_FN(site_huge, (size_t len),
	   mmap(NULL, len, RW, PA | MAP_HUGETLB, -1, 0))

/* A user-level wrapper, like a library's mmap hook: its callers differ. */
AL_SITE_FN(wrapper, (size_t len), syscall(SYS_mmap, NULL, len, RW, PA, -1, 0))
AL_SITE_FN(caller_1, (size_t len), wrapper(len))
AL_SITE_FN(caller_2, (size_t len), wrapper(len))

AL_SITE void site_end(void)
{
}

static void * const site_fns[] = {
	site_a, site_b, site_fixed, site_file, site_shared, site_zero,
	site_huge, wrapper, caller_1, caller_2, site_end,
};

/* [fn, next function in memory): where fn's return addresses lie. */
static uintptr_t fn_end(const void *fn)
{
	return al_fn_end(fn, site_fns, sizeof(site_fns) / sizeof(site_fns[0]));
}

#define FIND(d, fn) al_t_find(d, (uintptr_t)(fn), fn_end(fn))
#define COUNT(d, fn) al_t_count(d, (uintptr_t)(fn), fn_end(fn))

/* Dump this process's sites; the module must be loaded. */
#define DUMP_SELF(d) ASSERT_EQ(0, al_t_sites(getpid(), d))

/* This process's site of @fn has @count live ranges, @bytes in all. */
#define EXPECT_LIVE(fn, count, bytes) do {				\
	struct al_t_dump d_;						\
	struct al_t_site *s_;						\
									\
	DUMP_SELF(&d_);							\
	s_ = FIND(&d_, fn);						\
	ASSERT_NE(NULL, s_);						\
	EXPECT_EQ(count, s_->c[ANONLEAK_SITE_A_LIVE_COUNT]);		\
	EXPECT_EQ(bytes, s_->c[ANONLEAK_SITE_A_LIVE_BYTES]);		\
	free(d_.sites);							\
} while (0)

TEST(module_present)
{
	struct al_t_stats st;

	ASSERT_EQ(0, al_t_stats(&st)) TH_LOG("is anonleak.ko loaded?");
	EXPECT_EQ(64, st.c[ANONLEAK_STATS_A_MAPPING_SIZE]);
	EXPECT_EQ(8, st.c[ANONLEAK_STATS_A_STACK_DEPTH]);
}

TEST(sites_exact)
{
	void *a[5], *b[3];
	struct al_t_dump d;
	struct al_t_site *sa, *sb;
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_NE(MAP_FAILED, a[i] = site_a(3 * PG));
	for (i = 0; i < 3; i++)
		ASSERT_NE(MAP_FAILED, b[i] = site_b(2 * PG));
	ASSERT_EQ(0, munmap(a[1], 3 * PG));
	ASSERT_EQ(0, munmap(a[3], 3 * PG));

	DUMP_SELF(&d);
	ASSERT_EQ(1, COUNT(&d, site_a));
	ASSERT_EQ(1, COUNT(&d, site_b));
	sa = FIND(&d, site_a);
	sb = FIND(&d, site_b);
	EXPECT_EQ((uint32_t)getpid(), sa->pid);
	EXPECT_EQ(ANONLEAK_PROC_RUNNING, sa->state);
	EXPECT_EQ(5, sa->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	EXPECT_EQ(2, sa->c[ANONLEAK_SITE_A_TOTAL_UNMAPS]);
	EXPECT_EQ(3, sa->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(9 * PG, sa->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(15 * PG, sa->c[ANONLEAK_SITE_A_MAPPED_BYTES]);
	EXPECT_EQ(6 * PG, sa->c[ANONLEAK_SITE_A_UNMAPPED_BYTES]);
	EXPECT_EQ(15 * PG, sa->c[ANONLEAK_SITE_A_PEAK_BYTES]);
	EXPECT_NE(0, sa->c[ANONLEAK_SITE_A_OLDEST]);
	/* frame 0 is the syscall instruction, inside libc, not site_a */
	EXPECT_TRUE(sa->frames[0] < (uintptr_t)site_a ||
		    sa->frames[0] >= fn_end(site_a));
	EXPECT_EQ(3, sb->c[ANONLEAK_SITE_A_TOTAL_MAPS]);
	EXPECT_EQ(0, sb->c[ANONLEAK_SITE_A_TOTAL_UNMAPS]);
	EXPECT_EQ(3, sb->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(6 * PG, sb->c[ANONLEAK_SITE_A_LIVE_BYTES]);

	/* Unmapping the rest empties site_a but keeps its history. */
	ASSERT_EQ(0, munmap(a[0], 3 * PG));
	ASSERT_EQ(0, munmap(a[2], 3 * PG));
	ASSERT_EQ(0, munmap(a[4], 3 * PG));
	free(d.sites);
	DUMP_SELF(&d);
	sa = FIND(&d, site_a);
	ASSERT_NE(NULL, sa);
	EXPECT_EQ(0, sa->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(0, sa->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(5, sa->c[ANONLEAK_SITE_A_TOTAL_UNMAPS]);
	EXPECT_EQ(0, sa->c[ANONLEAK_SITE_A_OLDEST]);
	free(d.sites);
}

TEST(wrapper_callers_are_distinct_sites)
{
	struct al_t_dump d;
	struct al_t_site *s1, *s2;

	int i;

	/* One call site each in this function: the whole stack is the key. */
	for (i = 0; i < 2; i++)
		ASSERT_NE(MAP_FAILED, caller_1(PG));
	ASSERT_NE(MAP_FAILED, caller_2(PG));
	DUMP_SELF(&d);
	s1 = FIND(&d, caller_1);
	s2 = FIND(&d, caller_2);
	ASSERT_NE(NULL, s1);
	ASSERT_NE(NULL, s2);
	ASSERT_NE(s1, s2);
	EXPECT_EQ(2, s1->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(1, s2->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	/* both go through wrapper() */
	EXPECT_NE(NULL, FIND(&d, wrapper));
	EXPECT_EQ(2, COUNT(&d, wrapper));
	free(d.sites);
}

TEST(file_mappings_not_counted)
{
	char path[] = "/tmp/anonleak-file-XXXXXX";
	struct al_t_dump d;
	int fd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, 4 * PG));
	ASSERT_NE(MAP_FAILED, site_file(fd, 4 * PG, MAP_PRIVATE));
	ASSERT_NE(MAP_FAILED, site_file(fd, 4 * PG, MAP_SHARED));
	close(fd);
	DUMP_SELF(&d);
	EXPECT_EQ(0, COUNT(&d, site_file));
	free(d.sites);
}

TEST(shared_anonymous_and_dev_zero_counted)
{
	struct al_t_dump d;
	struct al_t_site *s;
	int fd;

	ASSERT_NE(MAP_FAILED, site_shared(3 * PG));
	fd = open("/dev/zero", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, site_zero(fd, 5 * PG));
	close(fd);
	DUMP_SELF(&d);
	s = FIND(&d, site_shared);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(3 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	s = FIND(&d, site_zero);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(5 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

TEST(failed_mmap_records_nothing)
{
	struct al_t_dump d;

	/* No huge pages are reserved in the test guest: this must fail. */
	if (site_huge(2UL << 20) != MAP_FAILED)
		SKIP(return, "huge pages are available here");
	DUMP_SELF(&d);
	EXPECT_EQ(0, COUNT(&d, site_huge));
	free(d.sites);
}

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

TEST(hugetlb_counted)
{
	struct al_t_dump d;
	struct al_t_site *s;
	size_t huge = 2UL << 20;
	char *p;

	if (al_put(NR_HUGEPAGES, "2"))
		SKIP(return, "cannot reserve huge pages");
	p = site_huge(huge);
	if (p == MAP_FAILED) {
		al_put(NR_HUGEPAGES, "0");
		SKIP(return, "no 2 MiB huge pages here");
	}
	DUMP_SELF(&d);
	s = FIND(&d, site_huge);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(huge, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
	ASSERT_EQ(0, munmap(p, huge));
	DUMP_SELF(&d);
	s = FIND(&d, site_huge);
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
	al_put(NR_HUGEPAGES, "0");
}

TEST(partial_unmaps)
{
	struct al_t_dump d;
	struct al_t_site *s;
	char *p;

	p = site_a(10 * PG);
	ASSERT_NE(MAP_FAILED, p);
	/* middle: split in two */
	ASSERT_EQ(0, munmap(p + 3 * PG, 2 * PG));
	/* head */
	ASSERT_EQ(0, munmap(p, PG));
	/* tail */
	ASSERT_EQ(0, munmap(p + 9 * PG, PG));
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(2, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);	/* [1,3) [5,9) */
	EXPECT_EQ(6 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(1, s->c[ANONLEAK_SITE_A_SPLITS]);
	EXPECT_EQ(4 * PG, s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES]);
	free(d.sites);

	/* one munmap across both pieces and the hole between them */
	ASSERT_EQ(0, munmap(p + 2 * PG, 5 * PG));
	EXPECT_LIVE(site_a, 2, 3 * PG);	/* [1,2) [7,9) */

	ASSERT_EQ(0, munmap(p, 10 * PG));
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(s->c[ANONLEAK_SITE_A_MAPPED_BYTES],
		  s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES]);
	EXPECT_EQ(s->c[ANONLEAK_SITE_A_TOTAL_MAPS] + s->c[ANONLEAK_SITE_A_SPLITS],
		  s->c[ANONLEAK_SITE_A_TOTAL_UNMAPS]);
	free(d.sites);
}

TEST(map_fixed_replaces)
{
	char path[] = "/tmp/anonleak-fixed-XXXXXX";
	struct al_t_dump d;
	struct al_t_site *sa, *sf;
	char *p;
	int fd;

	p = site_a(8 * PG);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(p + 2 * PG, site_fixed(p + 2 * PG, 2 * PG));
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(fd, 2 * PG));
	ASSERT_EQ(p + 5 * PG, mmap(p + 5 * PG, 2 * PG, PROT_READ,
				   MAP_PRIVATE | MAP_FIXED, fd, 0));
	close(fd);
	DUMP_SELF(&d);
	sa = FIND(&d, site_a);
	sf = FIND(&d, site_fixed);
	ASSERT_NE(NULL, sa);
	ASSERT_NE(NULL, sf);
	/* site_a keeps [0,2) [4,5) [7,8) */
	EXPECT_EQ(4 * PG, sa->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(3, sa->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(2 * PG, sf->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(1, sf->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	free(d.sites);
}

/*
 * The sites of @pid once its site_a record shows it exited (the module
 * reaps exited processes from a work item: up to a second), into @d;
 * *@s is that record (or NULL). 0 or -errno.
 */
static int dump_exited(pid_t pid, struct al_t_dump *d, struct al_t_site **s)
{
	int i, err;

	for (i = 0; ; i++) {
		err = al_t_sites(pid, d);
		*s = err ? NULL : FIND(d, site_a);
		if (err || (*s && (*s)->state == ANONLEAK_PROC_EXITED) || i == 50)
			return err;
		free(d->sites);
		usleep(20000);
	}
}

/*
 * A child that maps @maps ranges of @len bytes from site_a, then execs
 * @exec, or without one maps and unmaps a page from site_b and exits.
 * Its pid once it has ended (-1 if it could not run), its status in
 * *@status.
 */
static pid_t leaver(int maps, size_t len, const char *exec, int *status)
{
	pid_t pid = fork();
	int i;

	if (pid < 0)
		return pid;
	if (!pid) {
		for (i = 0; i < maps; i++)
			if (site_a(len) == MAP_FAILED)
				_exit(1);
		if (exec) {
			execl(exec, exec, NULL);
			_exit(2);
		}
		_exit(munmap(site_b(PG), PG) ? 1 : 0);
	}
	return waitpid(pid, status, 0) == pid ? pid : -1;
}

TEST(exited_process_outstanding)
{
	struct al_t_dump d;
	struct al_t_site *s;
	int status;
	pid_t pid;

	pid = leaver(3, 4 * PG, NULL, &status);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, dump_exited(pid, &d, &s));
	ASSERT_NE(NULL, s);
	EXPECT_EQ(ANONLEAK_PROC_EXITED, s->state);
	EXPECT_EQ((uint32_t)pid, s->pid);
	EXPECT_EQ(3, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(12 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	s = FIND(&d, site_b);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

TEST(execve_ends_the_old_address_space)
{
	uint64_t count, bytes;
	struct al_t_dump d;
	struct al_t_site *s;
	int status, i;
	pid_t pid;

	pid = leaver(2, 5 * PG, "/bin/true", &status);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, dump_exited(pid, &d, &s));
	/* The pre-exec image is a process record of its own, now exited. */
	ASSERT_NE(NULL, s);
	EXPECT_EQ(ANONLEAK_PROC_EXITED, s->state);
	/* the loop may be unrolled into two call sites: sum them */
	for (i = 0, count = 0, bytes = 0; i < (int)d.n; i++) {
		struct al_t_dump one = { .sites = &d.sites[i], .n = 1 };

		if (!COUNT(&one, site_a))
			continue;
		EXPECT_EQ(s->proc_id, d.sites[i].proc_id);
		count += d.sites[i].c[ANONLEAK_SITE_A_LIVE_COUNT];
		bytes += d.sites[i].c[ANONLEAK_SITE_A_LIVE_BYTES];
	}
	EXPECT_EQ(2, count);
	EXPECT_EQ(10 * PG, bytes);
	free(d.sites);
}

TEST(fork_child_inherits_nothing)
{
	struct al_t_dump d;
	struct al_t_site *s;
	int status;
	char *p;
	pid_t pid;

	p = site_a(4 * PG);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* the child has no records of its own ... */
		if (al_t_sites(getpid(), &d) || COUNT(&d, site_a))
			_exit(1);
		/* ... and unmapping its copy leaves the parent's alone */
		_exit(munmap(p, 4 * PG) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(4 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

static void *thread_fn(void *arg)
{
	return site_b(*(size_t *)arg);
}

TEST(threads_share_process_records)
{
	size_t len = 3 * PG;
	struct al_t_dump d;
	struct al_t_site *s;
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_fn, &len));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	DUMP_SELF(&d);
	s = FIND(&d, site_b);
	ASSERT_NE(NULL, s);
	EXPECT_EQ((uint32_t)getpid(), s->pid);
	EXPECT_EQ(4, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(12 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

TEST(unprivileged_gets_eperm)
{
	struct al_t_stats st;
	struct al_t_dump d;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (al_t_stats(&st) != -EPERM)
			_exit(11);
		if (al_t_sites(0, &d) != -EPERM || d.n)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(pid_filter)
{
	struct al_t_dump d;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, site_a(PG));
	ASSERT_EQ(0, al_t_sites(getpid(), &d));
	ASSERT_LT(0, d.n);
	for (i = 0; i < d.n; i++)
		EXPECT_EQ((uint32_t)getpid(), d.sites[i].pid);
	free(d.sites);
	/* a pid with no records: an empty dump, not an error */
	ASSERT_EQ(0, al_t_sites(0x3fffffff, &d));
	EXPECT_EQ(0, d.n);
	free(d.sites);
}

TEST(stats_follow_maps)
{
	struct al_t_stats before, after;
	char *p;

	ASSERT_EQ(0, al_t_stats(&before));
	p = site_a(2 * PG);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, al_t_stats(&after));
	EXPECT_LE(before.c[ANONLEAK_STATS_A_MAPS] + 1,
		  after.c[ANONLEAK_STATS_A_MAPS]);
	EXPECT_LE(1, after.c[ANONLEAK_STATS_A_LIVE_COUNT]);
	EXPECT_LE(2 * PG, after.c[ANONLEAK_STATS_A_LIVE_BYTES]);
	EXPECT_EQ(0, after.c[ANONLEAK_STATS_A_DROPS]);
	EXPECT_EQ(0, after.c[ANONLEAK_STATS_A_MISSED]);
	munmap(p, 2 * PG);
}

/* The sum of live bytes over every site of this process. */
static uint64_t live_bytes_self(void)
{
	return al_t_live_bytes(getpid());
}

/* One site_a record of @pages at the start of a free 2 * @pages hole. */
static char *map_with_room(size_t pages)
{
	char *p = site_a(2 * pages * PG);

	if (p == MAP_FAILED || munmap(p + pages * PG, pages * PG))
		return MAP_FAILED;
	return p;
}

TEST(mremap_grow_and_shrink_in_place)
{
	struct al_t_dump d;
	struct al_t_site *s;
	char *p;

	p = map_with_room(4);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(p, mremap(p, 4 * PG, 8 * PG, 0));
	EXPECT_LIVE(site_a, 1, 8 * PG);

	ASSERT_EQ(p, mremap(p, 8 * PG, 3 * PG, 0));
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	EXPECT_EQ(1, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(3 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(s->c[ANONLEAK_SITE_A_MAPPED_BYTES] -
		  s->c[ANONLEAK_SITE_A_UNMAPPED_BYTES],
		  s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);

	/* the record is where the mapping is: unmapping it empties the site */
	ASSERT_EQ(0, munmap(p, 3 * PG));
	EXPECT_EQ(0, live_bytes_self());
}

TEST(mremap_move_keeps_site_and_birth)
{
	struct al_t_dump d;
	struct al_t_site *s, *t;
	uint64_t oldest;
	char *p, *q, *blocker;

	p = site_a(4 * PG);
	ASSERT_NE(MAP_FAILED, p);
	DUMP_SELF(&d);
	oldest = FIND(&d, site_a)->c[ANONLEAK_SITE_A_OLDEST];
	free(d.sites);

	/* MREMAP_FIXED onto a tracked mapping of another site */
	q = site_b(6 * PG);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(q + PG, mremap(p, 4 * PG, 4 * PG,
				 MREMAP_MAYMOVE | MREMAP_FIXED, q + PG));
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	t = FIND(&d, site_b);
	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(1, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(4 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(oldest, s->c[ANONLEAK_SITE_A_OLDEST]);
	EXPECT_EQ(2, t->c[ANONLEAK_SITE_A_LIVE_COUNT]);	/* [0,1) [5,6) */
	EXPECT_EQ(2 * PG, t->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);

	/* the old place holds nothing tracked any more */
	ASSERT_EQ(0, munmap(p, 4 * PG));
	EXPECT_EQ(6 * PG, live_bytes_self());

	/* grow where it cannot grow in place: it moves */
	blocker = site_b(PG);
	ASSERT_NE(MAP_FAILED, blocker);
	if (blocker != q + 6 * PG) {
		ASSERT_EQ(0, munmap(blocker, PG));
		blocker = mmap(q + 6 * PG, PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
		ASSERT_EQ(q + 6 * PG, blocker);
	}
	p = mremap(q + PG, 4 * PG, 16 * PG, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(q + PG, p);
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	EXPECT_EQ(1, s->c[ANONLEAK_SITE_A_LIVE_COUNT]);
	EXPECT_EQ(16 * PG, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	EXPECT_EQ(oldest, s->c[ANONLEAK_SITE_A_OLDEST]);
	free(d.sites);
	ASSERT_EQ(0, munmap(p, 16 * PG));
	DUMP_SELF(&d);
	s = FIND(&d, site_a);
	EXPECT_EQ(0, s->c[ANONLEAK_SITE_A_LIVE_BYTES]);
	free(d.sites);
}

TEST(mremap_dontunmap_keeps_both)
{
	char *p, *q;

	p = site_a(4 * PG);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	if (q == MAP_FAILED && errno == EINVAL)
		SKIP(return, "MREMAP_DONTUNMAP not supported here");
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_LIVE(site_a, 2, 8 * PG);
	ASSERT_EQ(0, munmap(p, 4 * PG));
	EXPECT_EQ(4 * PG, live_bytes_self());
	ASSERT_EQ(0, munmap(q, 4 * PG));
	EXPECT_EQ(0, live_bytes_self());
}

TEST(mremap_failures_change_nothing)
{
	char *p, *blocker;

	p = map_with_room(2);
	ASSERT_NE(MAP_FAILED, p);
	blocker = mmap(p + 2 * PG, PG, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(p + 2 * PG, blocker);
	/* cannot grow in place, not allowed to move */
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * PG, 4 * PG, 0));
	/* nothing mapped at the source */
	EXPECT_EQ(MAP_FAILED, mremap(p + 3 * PG, PG, 2 * PG, MREMAP_MAYMOVE));
	EXPECT_LIVE(site_a, 1, 2 * PG);
}

TEST(realloc_of_large_blocks_follows_the_block)
{
	uint64_t base = live_bytes_self();
	char *p, *q;
	size_t i;

	p = malloc(1 << 20);
	ASSERT_NE(NULL, p);
	EXPECT_LE(base + (1 << 20), live_bytes_self());
	for (i = 0; i < 6; i++) {
		q = realloc(p, (2 << 20) + (i << 20));
		ASSERT_NE(NULL, q);
		p = q;
		EXPECT_LE(base + (2 << 20) + (i << 20), live_bytes_self());
		EXPECT_GE(base + (2 << 20) + (i << 20) + 2 * PG,
			  live_bytes_self());
	}
	free(p);
	EXPECT_EQ(base, live_bytes_self());
}

AL_TEST_MAIN
