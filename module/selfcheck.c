// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time self-check: before the module declares itself ready, the
 * task loading it maps an anonymous range in its own mm, unmaps a page in
 * the middle of it, then the rest, and each probe on those paths must have
 * seen exactly that: one call, the same mm, the same addresses. A kernel
 * whose functions took other arguments or did other work than the probe
 * handlers expect (a new kernel, or a <what>_symbol= override naming the
 * wrong function) thus refuses to load instead of counting wrongly.
 *
 * While it runs, the probe handlers note what the checking task does here
 * (al_check_note()) and record nothing: no filter, setting or record of the
 * loading process is involved. mremap() and mm teardown cannot be reached
 * from a module; their probes are checked by being registered only.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "anonleak.h"

struct al_check_hit {
	unsigned int calls;
	struct mm_struct *mm;
	unsigned long start;
	unsigned long end;
	bool ok;
};

struct task_struct *al_check_task;
static struct al_check_hit al_check_hits[AL_CHECK_N];

static const char * const al_check_what[AL_CHECK_N] = {
	[AL_CHECK_MMAP] = "mmap",
	[AL_CHECK_MUNMAP] = "munmap",
};

/* A probe handler, in the checking task: @ev was [@start, @end) of @mm. */
void al_check_note(enum al_check_event ev, struct mm_struct *mm,
		   unsigned long start, unsigned long end, bool ok)
{
	struct al_check_hit *h = &al_check_hits[ev];

	if (h->calls++)
		return;
	h->mm = mm;
	h->start = start;
	h->end = end;
	h->ok = ok;
}

/* The probe of @ev saw one successful call on [@start, @end) of our mm. */
static int al_check_expect(enum al_check_event ev, const char *step,
			   unsigned long start, unsigned long end)
{
	struct al_check_hit *h = &al_check_hits[ev];
	const char *what = al_check_what[ev];
	int err = 0;

	if (!h->calls)
		err = -ENOENT;
	else if (h->calls > 1 || h->mm != current->mm || h->start != start ||
		 h->end != end || !h->ok)
		err = -EINVAL;
	if (err == -ENOENT)
		pr_err("self-check: %s: the %s probe on %s saw no call; set %s_symbol= to the kernel's %s function\n",
		       step, what, al_probe_function(what), what, what);
	else if (err)
		pr_err("self-check: %s of [%#lx, %#lx): the %s probe on %s saw %u call(s), the first on [%#lx, %#lx)%s%s; set %s_symbol= to the kernel's %s function\n",
		       step, start, end, what, al_probe_function(what), h->calls,
		       h->start, h->end, h->mm != current->mm ? ", another mm" : "",
		       h->ok ? "" : ", failed", what, what);
	memset(al_check_hits, 0, sizeof(al_check_hits));
	return err;
}

static int al_check_run(void)
{
	unsigned long len = 4 * PAGE_SIZE, addr;
	int err;

	addr = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr)) {
		pr_err("self-check: cannot map %lu bytes: %ld\n", len, (long)addr);
		return (int)addr;
	}
	err = al_check_expect(AL_CHECK_MMAP, "mmap", addr, addr + len);
	/* A page in the middle: the mapping is split in two. */
	vm_munmap(addr + PAGE_SIZE, PAGE_SIZE);
	if (!err)
		err = al_check_expect(AL_CHECK_MUNMAP, "partial munmap",
				      addr + PAGE_SIZE, addr + 2 * PAGE_SIZE);
	/* The rest, across the hole. */
	vm_munmap(addr, len);
	if (!err)
		err = al_check_expect(AL_CHECK_MUNMAP, "munmap", addr, addr + len);
	return err;
}

int al_selfcheck(void)
{
	int err;

	if (!current->mm || (current->flags & PF_KTHREAD)) {
		pr_warn("self-check skipped: loaded by a kernel thread\n");
		return 0;
	}
	memset(al_check_hits, 0, sizeof(al_check_hits));
	WRITE_ONCE(al_check_task, current);
	err = al_check_run();
	WRITE_ONCE(al_check_task, NULL);
	if (!err)
		pr_info("self-check passed: mmap, partial munmap, munmap\n");
	return err;
}
