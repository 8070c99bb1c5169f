// SPDX-License-Identifier: GPL-2.0
/*
 * OBJECT_EVENTs: "this tracked process maps an executable file that has no
 * unwind table", for the agent to build and load one.
 *
 * Probes queue an event (al_object_announce()), a work item sends the
 * queue to the "objects" multicast group. Bounded: a ring of
 * AL_ANNOUNCE_RING events, at most ANONLEAK_OBJECT_EVENTS_PER_SEC per second,
 * and a file announced in the last AL_ANNOUNCE_QUIET seconds is not
 * announced again; what the ring or the rate refuses is counted
 * (object_events_dropped), never silent. Nothing is queued while nobody
 * listens.
 *
 * al_announce_lock (a leaf spinlock, probe context) protects the ring, the
 * recent list and the rate budget. The work item takes al_events_lock
 * (netlink.c) to send.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "unwind.h"

#define AL_ANNOUNCE_RING	64
#define AL_ANNOUNCE_RECENT	64
#define AL_ANNOUNCE_QUIET	5	/* seconds */

static DEFINE_SPINLOCK(al_announce_lock);
static struct al_object_event al_ring[AL_ANNOUNCE_RING];
static unsigned int al_ring_head, al_ring_len;
static struct {
	u32 dev;
	u64 ino;
	unsigned long when;
} al_recent[AL_ANNOUNCE_RECENT];
static unsigned int al_recent_next;
static unsigned int al_budget = ANONLEAK_OBJECT_EVENTS_PER_SEC;
static unsigned long al_budget_stamp;

static void al_announce_fn(struct work_struct *work);
static DECLARE_WORK(al_announce_work, al_announce_fn);

/* Announced lately? Else remember it. Under al_announce_lock. */
static bool al_announced(u32 dev, u64 ino)
{
	unsigned int i;

	for (i = 0; i < AL_ANNOUNCE_RECENT; i++) {
		if (al_recent[i].dev == dev && al_recent[i].ino == ino &&
		    time_before(jiffies, al_recent[i].when + AL_ANNOUNCE_QUIET * HZ))
			return true;
	}
	al_recent[al_recent_next].dev = dev;
	al_recent[al_recent_next].ino = ino;
	al_recent[al_recent_next].when = jiffies;
	al_recent_next = (al_recent_next + 1) % AL_ANNOUNCE_RECENT;
	return false;
}

/* One event's worth of the rate budget. Under al_announce_lock. */
static bool al_budget_take(void)
{
	if (time_after(jiffies, al_budget_stamp + HZ)) {
		al_budget = ANONLEAK_OBJECT_EVENTS_PER_SEC;
		al_budget_stamp = jiffies;
	}
	if (!al_budget)
		return false;
	al_budget--;
	return true;
}

/*
 * @vma of current's @mm maps an executable file without an unwind table.
 * Probe context: mmap_lock held, preemption off.
 */
void al_object_announce(struct mm_struct *mm, struct vm_area_struct *vma)
{
	const struct inode *inode = file_inode(vma->vm_file);
	struct al_object_event *ev;
	bool queued = false;

	if (!al_genl_objects_listened())
		return;
	spin_lock(&al_announce_lock);
	if (al_announced(inode->i_sb->s_dev, inode->i_ino))
		goto unlock;
	if (al_ring_len == AL_ANNOUNCE_RING || !al_budget_take()) {
		al_stat_inc(object_events_dropped);
		goto unlock;
	}
	ev = &al_ring[(al_ring_head + al_ring_len++) % AL_ANNOUNCE_RING];
	ev->dev = inode->i_sb->s_dev;
	ev->ino = inode->i_ino;
	ev->start = vma->vm_start;
	ev->end = vma->vm_end;
	ev->pid = task_tgid_nr(current);
	queued = true;
unlock:
	spin_unlock(&al_announce_lock);
	if (queued)
		queue_work(system_unbound_wq, &al_announce_work);
}

/*
 * do_mmap() just mapped an executable file at @addr (mmap_lock held): if
 * the process is tracked and the file has no table, say so.
 */
void al_object_mapped(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	rcu_read_lock();
	vma = al_proc_lookup(mm) ? find_vma(mm, addr) : NULL;
	if (vma && vma->vm_start <= addr && vma->vm_file &&
	    (vma->vm_flags & VM_EXEC) && !al_utable_find(file_inode(vma->vm_file)))
		al_object_announce(mm, vma);
	rcu_read_unlock();
}

static void al_announce_fn(struct work_struct *work)
{
	struct al_object_event ev;

	for (;;) {
		spin_lock(&al_announce_lock);
		if (!al_ring_len) {
			spin_unlock(&al_announce_lock);
			return;
		}
		ev = al_ring[al_ring_head];
		al_ring_head = (al_ring_head + 1) % AL_ANNOUNCE_RING;
		al_ring_len--;
		spin_unlock(&al_announce_lock);
		if (al_genl_object_event(&ev))
			al_stat_inc(object_events);
		else
			al_stat_inc(object_events_dropped);
	}
}

/* Probes are gone: send nothing more. */
void al_announce_uninit(void)
{
	cancel_work_sync(&al_announce_work);
}
