/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernel generations anonleak supports (5.10,
 * 6.1, 6.12, 7.3), in one place: the rest of the module uses these and no
 * version checks of its own. The AL_* feature macros come from Kbuild,
 * which derives them from the version of the kernel built against.
 */
#ifndef _ANONLEAK_COMPAT_H
#define _ANONLEAK_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/time64.h>
#include <net/netlink.h>

/* --- inode times: i_mtime became accessors in 6.7 --------------------- */
static inline u64 al_inode_mtime_ns(const struct inode *inode)
{
#ifdef AL_INODE_TIME_ACCESSORS
	struct timespec64 ts = inode_get_mtime(inode);
#else
	struct timespec64 ts = inode->i_mtime;
#endif
	return timespec64_to_ns(&ts);
}

/*
 * --- extack messages with numbers: NL_SET_ERR_MSG_FMT came in 6.3 ------
 * Before, a buffer of our own: this family's ops are serialised by
 * genl_mutex (no parallel_ops), so one buffer is enough.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define NL_SET_ERR_MSG_FMT_COMPAT(extack, fmt, args...)	\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##args)
#else
extern char al_extack_buf[80];
#define NL_SET_ERR_MSG_FMT_COMPAT(extack, fmt, args...) do {		\
	struct netlink_ext_ack *__e = (extack);				\
									\
	if (__e) {							\
		snprintf(al_extack_buf, sizeof(al_extack_buf), fmt, ##args); \
		__e->_msg = al_extack_buf;				\
	}								\
} while (0)
#endif

#endif /* _ANONLEAK_COMPAT_H */
