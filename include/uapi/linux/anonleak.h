/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * anonleak: find anonymous memory mappings that are never unmapped.
 *
 * Documentation
 * =============
 *
 * The anonleak module records every anonymous mapping that user space
 * creates (mmap(2) with MAP_ANONYMOUS, private or shared, and private
 * mappings of /dev/zero, whatever library or raw syscall made them), keyed
 * by process and by user call stack ("site"), and forgets it again when it
 * is unmapped. It is queried over the generic netlink family "anonleak"
 * (ANONLEAK_GENL_NAME), version ANONLEAK_GENL_VERSION.
 *
 * Every command requires CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM) and a socket in the initial network namespace: the
 * memory layout of other processes is sensitive. Pids are reported in the
 * pid namespace of the process reading the socket; processes invisible there
 * are omitted. All times are CLOCK_BOOTTIME nanoseconds, so
 * clock_gettime(CLOCK_BOOTTIME) in the client gives the "now" to compute ages
 * against (ANONLEAK_A_NOW carries the kernel's). Counters are u64, padded
 * with the *_A_PAD attribute of their level where 64-bit alignment is needed.
 *
 * Compatibility: commands, attributes and enum values are only ever
 * appended, and clients must ignore attributes they do not know.
 * ANONLEAK_GENL_VERSION changes only for an incompatible change; a client
 * should refuse a family version higher than the one it was built for.
 *
 * A "site" is one (process, user call stack) pair: its counters cover that
 * process only. Site and proc ids are u32 values handed out in increasing
 * order, wrapping only after 2^32 records; clients that keep history should
 * key sites by (proc id, site id). A
 * "process" record is one address space (mm): an execve() or a new process
 * reusing a pid makes a new record, with a new proc id.
 *
 * ANONLEAK_CMD_GET_STATS
 * ----------------------
 *
 * A doit (no NLM_F_DUMP), without attributes. The reply carries one
 * ANONLEAK_A_STATS nest:
 *
 *    ANONLEAK_A_STATS: NLA_NESTED
 *        ANONLEAK_STATS_A_MAPS: NLA_U64, anonymous mappings recorded
 *        ANONLEAK_STATS_A_UNMAPS: NLA_U64, recorded mappings fully unmapped
 *        ANONLEAK_STATS_A_LIVE_COUNT: NLA_U64, live tracked ranges
 *        ANONLEAK_STATS_A_LIVE_BYTES: NLA_U64, bytes in live tracked ranges
 *        ANONLEAK_STATS_A_PROCS: NLA_U64, processes with records (running)
 *        ANONLEAK_STATS_A_EXITED: NLA_U64, exited processes kept
 *        ANONLEAK_STATS_A_SITES: NLA_U64, call-site records
 *        ANONLEAK_STATS_A_DROPS: NLA_U64, events not recorded, all causes
 *        ANONLEAK_STATS_A_DROPS_NOMEM: NLA_U64, ... for lack of memory
 *        ANONLEAK_STATS_A_DROPS_MAPPINGS: NLA_U64, ... max_mappings reached
 *        ANONLEAK_STATS_A_DROPS_SITES: NLA_U64, ... max_sites reached
 *        ANONLEAK_STATS_A_DROPS_PROCS: NLA_U64, ... max_procs reached
 *        ANONLEAK_STATS_A_DROPS_EXITED: NLA_U64, exited processes forgotten
 *                                      because max_exited was reached
 *        ANONLEAK_STATS_A_MISSED: NLA_U64, probe hits the kernel could not
 *                                 deliver (kprobe/kretprobe nmissed)
 *        ANONLEAK_STATS_A_MAPPING_SIZE: NLA_U32, bytes of kernel memory per
 *                                       tracked mapping
 *        ANONLEAK_STATS_A_SITE_SIZE: NLA_U32, bytes per site record, frames
 *                                    included, at the current stack depth
 *        ANONLEAK_STATS_A_STACK_DEPTH: NLA_U32, frames kept per site
 *        ANONLEAK_STATS_A_MAX_MAPPINGS: NLA_U64, the caps in force
 *        ANONLEAK_STATS_A_MAX_SITES: NLA_U64
 *        ANONLEAK_STATS_A_MAX_PROCS: NLA_U64
 *        ANONLEAK_STATS_A_MAX_EXITED: NLA_U64
 *        ANONLEAK_STATS_A_PROBES: NLA_NESTED, one ANONLEAK_PROBE_A_NAME:
 *                                 NLA_NUL_STRING per kernel symbol probed
 *        ANONLEAK_STATS_A_FILTERED: NLA_U64, mappings not recorded because
 *                                   the filters (module parameters
 *                                   filter_pid, filter_comm, filter_uid,
 *                                   min_size) excluded them; not drops
 *        ANONLEAK_STATS_A_UNNAMED: NLA_U64, frames whose file could not be
 *                                  named (no memory, or no path): the mapping
 *                                  and the frame's address are recorded,
 *                                  the frame has no ANONLEAK_FRAME_A_OBJECT;
 *                                  not drops
 *
 * ANONLEAK_CMD_GET_SITES
 * ----------------------
 *
 * A dump (NLM_F_DUMP). Optional request attribute:
 *
 *    ANONLEAK_A_PID: NLA_U32 >= 1, only sites of this process (tgid, in
 *                    the caller's pid namespace); a pid that has no record
 *                    yields an empty dump
 *
 * Each message of the dump describes one (process, site) pair:
 *
 *    ANONLEAK_A_PID: NLA_U32, the process (thread group id)
 *    ANONLEAK_A_COMM: NLA_NUL_STRING, its comm when first seen
 *    ANONLEAK_A_PROC_ID: NLA_U64, unique id of this process record (pids
 *                        are reused; proc ids are not)
 *    ANONLEAK_A_PROC_STATE: NLA_U8, enum anonleak_proc_state
 *    ANONLEAK_A_NOW: NLA_U64, CLOCK_BOOTTIME ns when the message was built
 *    ANONLEAK_A_SITE: NLA_NESTED
 *        ANONLEAK_SITE_A_ID: NLA_U64, unique id of the site record
 *        ANONLEAK_SITE_A_LIVE_COUNT: NLA_U64, live ranges from this site (or
 *                                    outstanding at exit, if exited)
 *        ANONLEAK_SITE_A_LIVE_BYTES: NLA_U64, bytes in them
 *        ANONLEAK_SITE_A_TOTAL_MAPS: NLA_U64, mappings made from the site
 *        ANONLEAK_SITE_A_TOTAL_UNMAPS: NLA_U64, ranges of this site that
 *                                      were unmapped completely
 *        ANONLEAK_SITE_A_SPLITS: NLA_U64, ranges cut in two by an unmap of
 *                                their middle; so that
 *                                LIVE_COUNT = TOTAL_MAPS + SPLITS - TOTAL_UNMAPS
 *        ANONLEAK_SITE_A_MAPPED_BYTES: NLA_U64, bytes ever mapped here
 *        ANONLEAK_SITE_A_UNMAPPED_BYTES: NLA_U64, bytes unmapped again;
 *                                        LIVE_BYTES = MAPPED - UNMAPPED
 *        ANONLEAK_SITE_A_PEAK_BYTES: NLA_U64, highest LIVE_BYTES seen
 *        ANONLEAK_SITE_A_FIRST_SEEN: NLA_U64, time of the first mapping
 *        ANONLEAK_SITE_A_LAST_SEEN: NLA_U64, time of the latest mapping
 *        ANONLEAK_SITE_A_OLDEST: NLA_U64, birth time of the oldest live
 *                                mapping (absent when none is live)
 *        ANONLEAK_SITE_A_FRAMES: NLA_NESTED, innermost frame first
 *            0: NLA_NESTED, one per frame (attribute type 0), each:
 *                ANONLEAK_FRAME_A_ADDR: NLA_U64, user virtual address: the
 *                                       syscall's instruction pointer for the
 *                                       first frame, return addresses after
 *                ANONLEAK_FRAME_A_OFFSET: NLA_U64, file offset of ADDR in
 *                                         OBJECT (when file-backed)
 *                ANONLEAK_FRAME_A_OBJECT: NLA_NUL_STRING, path of the mapped
 *                                         object holding ADDR
 *                ANONLEAK_FRAME_A_BUILD_ID: NLA_BINARY, its GNU build-id
 *
 * Sites come in record (id) order, not sorted and not grouped by process.
 * The dump resumes from a cursor of record ids, so it is correct across
 * messages; if records were freed while it ran (processes pushed out by
 * max_exited, CLEAR), its messages carry NLM_F_DUMP_INTR and the client
 * should retry.
 *
 * Further optional request attributes (filters):
 *
 *    ANONLEAK_A_MIN_BYTES: NLA_U64, only sites with at least this many live
 *                          bytes
 *    ANONLEAK_A_MIN_AGE: NLA_U64, only sites whose oldest live mapping is
 *                        at least this many ns old (so never sites with
 *                        nothing live)
 *
 * Site messages also carry ANONLEAK_A_UID (NLA_U32, the process's real uid
 * when first seen, in the initial user namespace), ANONLEAK_A_START_TIME
 * and, for exited processes, ANONLEAK_A_EXIT_TIME (NLA_U64), as GET_PROCS.
 *
 * ANONLEAK_CMD_GET_PROCS
 * ----------------------
 *
 * A dump. Optional request attribute ANONLEAK_A_PID, as for GET_SITES. One
 * message per process record, running or exited, in proc id order:
 *
 *    ANONLEAK_A_PID, ANONLEAK_A_COMM, ANONLEAK_A_PROC_ID,
 *    ANONLEAK_A_PROC_STATE, ANONLEAK_A_UID, ANONLEAK_A_NOW: as above
 *    ANONLEAK_A_START_TIME: NLA_U64, when the record was created (the
 *                           process's first tracked mapping)
 *    ANONLEAK_A_EXIT_TIME: NLA_U64, when its address space went away
 *                          (exited records only)
 *    ANONLEAK_A_PROC: NLA_NESTED
 *        ANONLEAK_PROC_A_LIVE_COUNT: NLA_U64, live ranges (outstanding at
 *                                    exit, if exited)
 *        ANONLEAK_PROC_A_LIVE_BYTES: NLA_U64, bytes in them
 *        ANONLEAK_PROC_A_SITES: NLA_U64, site records of the process
 *
 * ANONLEAK_CMD_GET_MAPPINGS
 * -------------------------
 *
 * A dump of the live tracked ranges of one running process, by address.
 * Required request attribute ANONLEAK_A_PID (-ESRCH, with extack, if no
 * running process record has it). Each message carries ANONLEAK_A_PID,
 * ANONLEAK_A_PROC_ID, ANONLEAK_A_NOW and a batch of ranges:
 *
 *    ANONLEAK_A_MAPPINGS: NLA_NESTED
 *        0: NLA_NESTED, one per range (attribute type 0), each:
 *            ANONLEAK_MAPPING_A_START: NLA_U64, first address
 *            ANONLEAK_MAPPING_A_LENGTH: NLA_U64, bytes
 *            ANONLEAK_MAPPING_A_PROT: NLA_U32, PROT_* it was mapped with
 *            ANONLEAK_MAPPING_A_FLAGS: NLA_U32, MAP_* it was mapped with
 *                                      (the architecture's values; private
 *                                      /dev/zero mappings lack
 *                                      MAP_ANONYMOUS)
 *            ANONLEAK_MAPPING_A_BIRTH: NLA_U64, when it was mapped (kept
 *                                      across mremap and partial unmaps)
 *            ANONLEAK_MAPPING_A_SITE_ID: NLA_U64, its site
 *
 * The dump resumes at the first range after the last address sent. If the
 * process's ranges changed while it ran, messages carry NLM_F_DUMP_INTR.
 *
 * ANONLEAK_CMD_GET_CONFIG, ANONLEAK_CMD_SET_CONFIG
 * -----------------------------------------------
 *
 * GET_CONFIG is a doit without attributes; its reply carries an
 * ANONLEAK_A_CONFIG nest with every setting. SET_CONFIG is a doit taking an
 * ANONLEAK_A_CONFIG nest with any subset of the settings; it applies all of
 * them or, if one is invalid, none: -ERANGE for a value out of its range,
 * -EINVAL for a malformed attribute, -ESRCH for a pid that does not exist,
 * each with an extack message naming the attribute. The same settings are
 * the module's parameters, with the same ranges: the ANONLEAK_*_MIN and
 * ANONLEAK_*_MAX constants below, which the module's checks use too.
 *
 *    ANONLEAK_A_CONFIG: NLA_NESTED
 *        ANONLEAK_CONFIG_A_ENABLED: NLA_U8, 0 or 1: record new mappings
 *        ANONLEAK_CONFIG_A_STACK_DEPTH: NLA_U32, ANONLEAK_STACK_DEPTH_MIN..
 *                                       ANONLEAK_STACK_DEPTH_MAX (1..32)
 *        ANONLEAK_CONFIG_A_MIN_SIZE: NLA_U64, only mappings this large
 *        ANONLEAK_CONFIG_A_FILTER_PID: NLA_U32, only this process and its
 *                                      descendants (caller's pid namespace
 *                                      on input), 0: all
 *        ANONLEAK_CONFIG_A_FILTER_UID: NLA_U32, only this real uid
 *                                      (<= ANONLEAK_UID_MAX, INT_MAX),
 *                                      ANONLEAK_UID_ANY: all
 *        ANONLEAK_CONFIG_A_FILTER_COMM: NLA_NUL_STRING, only this comm (at
 *                                       most ANONLEAK_COMM_MAX_LEN, 15,
 *                                       bytes), empty: all
 *        ANONLEAK_CONFIG_A_MAX_MAPPINGS: NLA_U64, ANONLEAK_MAX_MAPPINGS_MIN..
 *                                        ANONLEAK_MAX_MAPPINGS_MAX (1..2^28)
 *        ANONLEAK_CONFIG_A_MAX_SITES: NLA_U64, ANONLEAK_MAX_SITES_MIN..
 *                                     ANONLEAK_MAX_SITES_MAX (1..2^24)
 *        ANONLEAK_CONFIG_A_MAX_PROCS: NLA_U64, ANONLEAK_MAX_PROCS_MIN..
 *                                     ANONLEAK_MAX_PROCS_MAX (1..2^22)
 *        ANONLEAK_CONFIG_A_MAX_EXITED: NLA_U64, ANONLEAK_MAX_EXITED_MIN..
 *                                      ANONLEAK_MAX_EXITED_MAX (0..2^20)
 *
 * Filters apply to processes making their first tracked mapping after the
 * change; processes already tracked stay tracked until CLEAR. "Descendant"
 * is judged then, from the parent chain at that moment: a daemon that was
 * reparented to init before it mapped anything is not one.
 *
 * ANONLEAK_CMD_CLEAR
 * ------------------
 *
 * A doit. With ANONLEAK_A_PID, forgets that process's records (-ESRCH if
 * it has none); without, forgets every record. Exited records are freed;
 * running processes keep being tracked from now on, from zero (their proc
 * id and START_TIME stay).
 *
 * Multicast group "events" (ANONLEAK_MCGRP_EVENTS)
 * ------------------------------------------------
 *
 * Joining needs CAP_NET_ADMIN. When a process whose address space had
 * outstanding tracked mappings goes away (exit, or execve), an
 * ANONLEAK_CMD_EXIT_EVENT message is sent with the attributes of a
 * GET_PROCS message. Its ANONLEAK_A_PID is in the initial pid namespace,
 * unlike replies: a multicast has no caller whose namespace could apply.
 *
 * Returned errors: -EPERM without CAP_NET_ADMIN, -EINVAL (with an extack
 * message naming the attribute) for malformed requests, -EOPNOTSUPP for a
 * dump request to a doit command or the reverse.
 */

#ifndef _UAPI_LINUX_ANONLEAK_H
#define _UAPI_LINUX_ANONLEAK_H

#define ANONLEAK_GENL_NAME	"anonleak"
#define ANONLEAK_GENL_VERSION	1

#define ANONLEAK_MAX_FRAMES	32
#define ANONLEAK_MCGRP_EVENTS	"events"
#define ANONLEAK_UID_ANY	0xffffffffU

/* The ranges of the settings (ANONLEAK_CMD_SET_CONFIG, module parameters). */
#define ANONLEAK_STACK_DEPTH_MIN	1
#define ANONLEAK_STACK_DEPTH_MAX	ANONLEAK_MAX_FRAMES
#define ANONLEAK_MAX_MAPPINGS_MIN	1
#define ANONLEAK_MAX_MAPPINGS_MAX	(1 << 28)
#define ANONLEAK_MAX_SITES_MIN		1
#define ANONLEAK_MAX_SITES_MAX		(1 << 24)
#define ANONLEAK_MAX_PROCS_MIN		1
#define ANONLEAK_MAX_PROCS_MAX		(1 << 22)
#define ANONLEAK_MAX_EXITED_MIN		0
#define ANONLEAK_MAX_EXITED_MAX		(1 << 20)
#define ANONLEAK_UID_MAX		0x7fffffff
#define ANONLEAK_COMM_MAX_LEN		15

enum anonleak_cmd {
	ANONLEAK_CMD_UNSPEC,
	ANONLEAK_CMD_GET_STATS,
	ANONLEAK_CMD_GET_SITES,
	ANONLEAK_CMD_GET_PROCS,
	ANONLEAK_CMD_GET_MAPPINGS,
	ANONLEAK_CMD_GET_CONFIG,
	ANONLEAK_CMD_SET_CONFIG,
	ANONLEAK_CMD_CLEAR,
	ANONLEAK_CMD_EXIT_EVENT,
	__ANONLEAK_CMD_MAX
};

#define ANONLEAK_CMD_MAX (__ANONLEAK_CMD_MAX - 1)

enum anonleak_proc_state {
	ANONLEAK_PROC_RUNNING,
	ANONLEAK_PROC_EXITED,
	__ANONLEAK_PROC_STATE_MAX
};

#define ANONLEAK_PROC_STATE_MAX (__ANONLEAK_PROC_STATE_MAX - 1)

enum anonleak_attr {
	ANONLEAK_A_UNSPEC,
	ANONLEAK_A_PAD,
	ANONLEAK_A_STATS,
	ANONLEAK_A_PID,
	ANONLEAK_A_COMM,
	ANONLEAK_A_PROC_ID,
	ANONLEAK_A_PROC_STATE,
	ANONLEAK_A_NOW,
	ANONLEAK_A_SITE,
	ANONLEAK_A_UID,
	ANONLEAK_A_START_TIME,
	ANONLEAK_A_EXIT_TIME,
	ANONLEAK_A_PROC,
	ANONLEAK_A_MIN_BYTES,
	ANONLEAK_A_MIN_AGE,
	ANONLEAK_A_MAPPINGS,
	ANONLEAK_A_CONFIG,
	__ANONLEAK_A_LAST
};

#define ANONLEAK_A_MAX (__ANONLEAK_A_LAST - 1)

enum anonleak_stats_attr {
	ANONLEAK_STATS_A_UNSPEC,
	ANONLEAK_STATS_A_PAD,
	ANONLEAK_STATS_A_MAPS,
	ANONLEAK_STATS_A_UNMAPS,
	ANONLEAK_STATS_A_LIVE_COUNT,
	ANONLEAK_STATS_A_LIVE_BYTES,
	ANONLEAK_STATS_A_PROCS,
	ANONLEAK_STATS_A_EXITED,
	ANONLEAK_STATS_A_SITES,
	ANONLEAK_STATS_A_DROPS,
	ANONLEAK_STATS_A_DROPS_NOMEM,
	ANONLEAK_STATS_A_DROPS_MAPPINGS,
	ANONLEAK_STATS_A_DROPS_SITES,
	ANONLEAK_STATS_A_DROPS_PROCS,
	ANONLEAK_STATS_A_DROPS_EXITED,
	ANONLEAK_STATS_A_MISSED,
	ANONLEAK_STATS_A_MAPPING_SIZE,
	ANONLEAK_STATS_A_SITE_SIZE,
	ANONLEAK_STATS_A_STACK_DEPTH,
	ANONLEAK_STATS_A_MAX_MAPPINGS,
	ANONLEAK_STATS_A_MAX_SITES,
	ANONLEAK_STATS_A_MAX_PROCS,
	ANONLEAK_STATS_A_MAX_EXITED,
	ANONLEAK_STATS_A_PROBES,
	ANONLEAK_STATS_A_FILTERED,
	ANONLEAK_STATS_A_UNNAMED,
	__ANONLEAK_STATS_A_LAST
};

#define ANONLEAK_STATS_A_MAX (__ANONLEAK_STATS_A_LAST - 1)

enum anonleak_probe_attr {
	ANONLEAK_PROBE_A_UNSPEC,
	ANONLEAK_PROBE_A_NAME,
	__ANONLEAK_PROBE_A_LAST
};

#define ANONLEAK_PROBE_A_MAX (__ANONLEAK_PROBE_A_LAST - 1)

enum anonleak_site_attr {
	ANONLEAK_SITE_A_UNSPEC,
	ANONLEAK_SITE_A_PAD,
	ANONLEAK_SITE_A_ID,
	ANONLEAK_SITE_A_LIVE_COUNT,
	ANONLEAK_SITE_A_LIVE_BYTES,
	ANONLEAK_SITE_A_TOTAL_MAPS,
	ANONLEAK_SITE_A_TOTAL_UNMAPS,
	ANONLEAK_SITE_A_MAPPED_BYTES,
	ANONLEAK_SITE_A_UNMAPPED_BYTES,
	ANONLEAK_SITE_A_PEAK_BYTES,
	ANONLEAK_SITE_A_FIRST_SEEN,
	ANONLEAK_SITE_A_LAST_SEEN,
	ANONLEAK_SITE_A_OLDEST,
	ANONLEAK_SITE_A_FRAMES,
	ANONLEAK_SITE_A_SPLITS,
	__ANONLEAK_SITE_A_LAST
};

#define ANONLEAK_SITE_A_MAX (__ANONLEAK_SITE_A_LAST - 1)

enum anonleak_proc_attr {
	ANONLEAK_PROC_A_UNSPEC,
	ANONLEAK_PROC_A_PAD,
	ANONLEAK_PROC_A_LIVE_COUNT,
	ANONLEAK_PROC_A_LIVE_BYTES,
	ANONLEAK_PROC_A_SITES,
	__ANONLEAK_PROC_A_LAST
};

#define ANONLEAK_PROC_A_MAX (__ANONLEAK_PROC_A_LAST - 1)

enum anonleak_mapping_attr {
	ANONLEAK_MAPPING_A_UNSPEC,
	ANONLEAK_MAPPING_A_PAD,
	ANONLEAK_MAPPING_A_START,
	ANONLEAK_MAPPING_A_LENGTH,
	ANONLEAK_MAPPING_A_PROT,
	ANONLEAK_MAPPING_A_FLAGS,
	ANONLEAK_MAPPING_A_BIRTH,
	ANONLEAK_MAPPING_A_SITE_ID,
	__ANONLEAK_MAPPING_A_LAST
};

#define ANONLEAK_MAPPING_A_MAX (__ANONLEAK_MAPPING_A_LAST - 1)

enum anonleak_config_attr {
	ANONLEAK_CONFIG_A_UNSPEC,
	ANONLEAK_CONFIG_A_PAD,
	ANONLEAK_CONFIG_A_ENABLED,
	ANONLEAK_CONFIG_A_STACK_DEPTH,
	ANONLEAK_CONFIG_A_MIN_SIZE,
	ANONLEAK_CONFIG_A_FILTER_PID,
	ANONLEAK_CONFIG_A_FILTER_UID,
	ANONLEAK_CONFIG_A_FILTER_COMM,
	ANONLEAK_CONFIG_A_MAX_MAPPINGS,
	ANONLEAK_CONFIG_A_MAX_SITES,
	ANONLEAK_CONFIG_A_MAX_PROCS,
	ANONLEAK_CONFIG_A_MAX_EXITED,
	__ANONLEAK_CONFIG_A_LAST
};

#define ANONLEAK_CONFIG_A_MAX (__ANONLEAK_CONFIG_A_LAST - 1)

enum anonleak_frame_attr {
	ANONLEAK_FRAME_A_UNSPEC,
	ANONLEAK_FRAME_A_PAD,
	ANONLEAK_FRAME_A_ADDR,
	ANONLEAK_FRAME_A_OFFSET,
	ANONLEAK_FRAME_A_OBJECT,
	ANONLEAK_FRAME_A_BUILD_ID,
	__ANONLEAK_FRAME_A_LAST
};

#define ANONLEAK_FRAME_A_MAX (__ANONLEAK_FRAME_A_LAST - 1)

#endif /* _UAPI_LINUX_ANONLEAK_H */
