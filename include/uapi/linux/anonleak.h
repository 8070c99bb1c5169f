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
 *        ANONLEAK_STATS_A_UNWIND_TABLES, _UNWIND_ROWS, _UNWIND_BYTES:
 *                 NLA_U64, unwind tables loaded, their rows, kernel memory
 *        ANONLEAK_STATS_A_UNWIND_REFUSED: NLA_U64, uploads refused because
 *                 max_unwind_bytes was reached (drops)
 *        ANONLEAK_STATS_A_UNWIND_FRAMES: NLA_U64, frames found with a table
 *        ANONLEAK_STATS_A_UNWIND_NO_TABLE: NLA_U64, executable file
 *                 mappings a walk met without a table
 *        ANONLEAK_STATS_A_PARTIAL_SITES: NLA_U64, sites made with
 *                 ANONLEAK_SITE_F_PARTIAL
 *        ANONLEAK_STATS_A_EXEMPLARS, _EXEMPLAR_BYTES: NLA_U64, exemplars
 *                 kept and their kernel memory
 *        ANONLEAK_STATS_A_DROPS_EXEMPLARS: NLA_U64, new sites without an
 *                 exemplar (max_exemplars reached or no memory)
 *        ANONLEAK_STATS_A_OBJECT_EVENTS, _OBJECT_EVENTS_DROPPED: NLA_U64,
 *                 OBJECT_EVENTs sent, and not sent (over the rate, ring full)
 *        ANONLEAK_STATS_A_MAX_UNWIND_BYTES, _MAX_EXEMPLARS: NLA_U64, the caps
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
 * and, for exited processes, ANONLEAK_A_EXIT_TIME (NLA_U64), as GET_PROCS,
 * and ANONLEAK_A_CGROUP_ID (NLA_U64, the process's cgroup v2 id when its
 * record was made: the inode number of its cgroup2 directory, as
 * bpf_get_current_cgroup_id() gives; absent without cgroup v2).
 *
 * ANONLEAK_CMD_GET_PROCS
 * ----------------------
 *
 * A dump. Optional request attribute ANONLEAK_A_PID, as for GET_SITES. One
 * message per process record, running or exited, in proc id order:
 *
 *    ANONLEAK_A_PID, ANONLEAK_A_COMM, ANONLEAK_A_PROC_ID,
 *    ANONLEAK_A_PROC_STATE, ANONLEAK_A_UID, ANONLEAK_A_NOW: as above
 *    ANONLEAK_A_CGROUP_ID: NLA_U64, its cgroup v2 id (see GET_SITES)
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
 *        ANONLEAK_CONFIG_A_UNWIND: NLA_U8, 0 or 1: walk stacks with the
 *                                  unwind tables (1), or frame pointers only
 *        ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES: NLA_U64,
 *                 0..ANONLEAK_MAX_UNWIND_BYTES_MAX: cap on tables' memory
 *        ANONLEAK_CONFIG_A_MAX_EXEMPLARS: NLA_U64,
 *                 0..ANONLEAK_MAX_EXEMPLARS_MAX: exemplars kept at most
 *        ANONLEAK_CONFIG_A_EXEMPLAR_SIZE: NLA_U32,
 *                 0..ANONLEAK_EXEMPLAR_SIZE_MAX: bytes of stack per exemplar
 *                 (rounded down to 8; 0: no exemplars)
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
 * User call stacks and unwind tables
 * ----------------------------------
 *
 * A site's stack is taken in the kernel when the mapping is made. Frame 0 is
 * the syscall's instruction pointer; each further frame is a return
 * address, found with the unwind table of the object (executable or shared
 * library) that the previous frame's pc lies in: user space builds the
 * table from the object's .eh_frame / .debug_frame and uploads it with
 * ANONLEAK_CMD_UNWIND_LOAD ("anonleak agent", "anonleak run"). A table is
 * keyed by the file's identity (device and inode as /proc/PID/maps shows
 * them, plus size and modification time, checked against the inode at every
 * use, so a rebuilt file never uses a stale table) and is shared by every
 * process that maps the file. Where a frame's object has no table, the walk
 * takes frame-pointer steps for as long as the chain is plausible (and
 * resumes with tables when it reaches an object that has one), and the site
 * is flagged ANONLEAK_SITE_F_PARTIAL; anonymous executable memory (JIT code)
 * stops the walk (ANONLEAK_SITE_F_ANON_EXEC). With no tables at all the
 * stack is what frame pointers give: the syscall's pc, the word at the
 * stack pointer if it points into executable memory (the caller of a leaf
 * wrapper such as syscall()), then the frame-pointer chain.
 *
 * Rows and rules (x86-64; struct anonleak_unwind_row, _rule below): a row
 * says that from file offset OFF of the object (the instruction's address
 * minus p_vaddr plus p_offset of its PT_LOAD segment) up to the next row's
 * offset, rule RULE applies. The rule gives the canonical frame address
 * (CFA: rsp or rbp plus an offset, or *(rbp + offset)), where the caller's
 * rbp was saved (CFA + fp_off, or rbp + fp_off after gcc's stack
 * realignment) and the return address is at CFA - 8.
 * Signal trampolines (ANONLEAK_UNWIND_CFA_SIGNAL) continue in the
 * interrupted frame from the ucontext on the stack. ANONLEAK_UNWIND_CFA_END
 * marks the outermost frame (the stack is complete: ANONLEAK_SITE_F_COMPLETE);
 * ANONLEAK_UNWIND_CFA_UNKNOWN stops the walk (partial).
 *
 * ANONLEAK_CMD_UNWIND_LOAD
 * ------------------------
 *
 * A doit taking one table; it replaces any table of the same device and
 * inode. The request is validated whole before anything changes: rows
 * sorted by strictly increasing offset, rule indices in range, rules with
 * known kinds and offsets within ANONLEAK_UNWIND_MAX_OFF, sizes within the
 * limits below and within the module's max_unwind_bytes (-ENOSPC when the
 * loaded tables would exceed it; counted in ANONLEAK_STATS_A_UNWIND_REFUSED).
 * Errors carry an extack message naming the attribute. The netlink core's
 * policy check comes first and has its own errors: -ERANGE for a BUILD_ID
 * over 20 bytes, a PATH longer than 4096 bytes whose string ends within
 * them, or a nest shorter than an attribute header; -EINVAL for a PATH
 * without a NUL in its first 4096 bytes, a DEV, INO, SIZE or MTIME of the
 * wrong size, an attribute the command does not take, or NLA_F_NESTED
 * missing on a nest or set on another attribute.
 *
 *    ANONLEAK_A_UNWIND: NLA_NESTED
 *        ANONLEAK_UNWIND_A_DEV: NLA_U32, device of the file's inode, as the
 *                               kernel encodes it (major << 20 | minor,
 *                               the major:minor of /proc/PID/maps)
 *        ANONLEAK_UNWIND_A_INO: NLA_U64, its inode number
 *        ANONLEAK_UNWIND_A_SIZE: NLA_U64, its size in bytes
 *        ANONLEAK_UNWIND_A_MTIME: NLA_U64, its modification time, ns since
 *                                 the epoch (st_mtim)
 *        ANONLEAK_UNWIND_A_BUILD_ID: NLA_BINARY (1..20), its GNU build-id
 *                                    (optional; reported back only)
 *        ANONLEAK_UNWIND_A_PATH: NLA_NUL_STRING, a path for reports
 *                                (optional, < 4096 bytes)
 *    ANONLEAK_A_UNWIND_RULES: NLA_BINARY, struct anonleak_unwind_rule[];
 *                             top-level and repeated (a nest cannot hold
 *                             more than 64 KiB): the attributes are
 *                             concatenated in order, each at most 65528
 *                             bytes; 1..ANONLEAK_UNWIND_MAX_RULES rules
 *    ANONLEAK_A_UNWIND_ROWS: NLA_BINARY, struct anonleak_unwind_row[],
 *                            top-level, repeated and concatenated likewise;
 *                            1..ANONLEAK_UNWIND_MAX_ROWS rows in all
 *
 * Tables this large do not fit a default socket buffer: a client raises
 * SO_SNDBUF (SO_SNDBUFFORCE) to the message size first.
 *
 * ANONLEAK_CMD_UNWIND_DROP
 * ------------------------
 *
 * A doit. With ANONLEAK_A_UNWIND (DEV and INO only), drops that table
 * (-ENOENT if none); without, drops every table. Tables are freed after an
 * RCU grace period; probes in flight keep using what they found.
 *
 * ANONLEAK_CMD_GET_UNWIND
 * -----------------------
 *
 * A dump of the loaded tables, one message each, in load order:
 *
 *    ANONLEAK_A_UNWIND: NLA_NESTED
 *        ANONLEAK_UNWIND_A_DEV, _INO, _SIZE, _MTIME, _BUILD_ID, _PATH: as
 *                                                                 loaded
 *        ANONLEAK_UNWIND_A_ID: NLA_U64, the table's unique id
 *        ANONLEAK_UNWIND_A_NROWS: NLA_U32, rows
 *        ANONLEAK_UNWIND_A_NRULES: NLA_U32, distinct rules
 *        ANONLEAK_UNWIND_A_BYTES: NLA_U64, kernel memory it takes
 *        ANONLEAK_UNWIND_A_LOADED: NLA_U64, CLOCK_BOOTTIME of the load
 *
 * The dump resumes after the last table id sent.
 *
 * ANONLEAK_CMD_GET_EXEMPLAR
 * -------------------------
 *
 * A doit. When a site is first seen (while fewer than max_exemplars are
 * kept), the module keeps a copy of the top of its user stack (from the
 * stack pointer, exemplar_size bytes, less if the stack ends sooner), the
 * user registers and the executable file mappings of the process, so that
 * user space can unwind the whole stack offline (libdwfl), also after the
 * process exited. Request: ANONLEAK_A_PROC_ID (NLA_U64) and ANONLEAK_A_SITE
 * nest with ANONLEAK_SITE_A_ID; -ENOENT (extack) if the site has none.
 * Reply:
 *
 *    ANONLEAK_A_PROC_ID, ANONLEAK_A_PID: as GET_SITES
 *    ANONLEAK_A_EXEMPLAR: NLA_NESTED
 *        ANONLEAK_EXEMPLAR_A_SITE_ID: NLA_U64
 *        ANONLEAK_EXEMPLAR_A_REGS: NLA_BINARY, __u64[17], the user
 *                                  registers in DWARF order (rax, rdx, rcx,
 *                                  rbx, rsi, rdi, rbp, rsp, r8..r15, rip)
 *        ANONLEAK_EXEMPLAR_A_STACK: NLA_BINARY, the stack bytes from rsp
 *        ANONLEAK_EXEMPLAR_A_MAPS: NLA_NESTED
 *            0: NLA_NESTED, one per executable file mapping (at most
 *               ANONLEAK_EXEMPLAR_MAPS):
 *                ANONLEAK_EXMAP_A_START: NLA_U64, first address
 *                ANONLEAK_EXMAP_A_END: NLA_U64, end address (exclusive)
 *                ANONLEAK_EXMAP_A_OFFSET: NLA_U64, file offset of START
 *                ANONLEAK_EXMAP_A_OBJECT: NLA_NUL_STRING, the file's path
 *                ANONLEAK_EXMAP_A_BUILD_ID: NLA_BINARY, its GNU build-id
 *
 * Multicast group "objects" (ANONLEAK_MCGRP_OBJECTS)
 * --------------------------------------------------
 *
 * Joining needs CAP_NET_ADMIN. When a tracked process maps an executable
 * file that has no unwind table, or a stack walk meets one, an
 * ANONLEAK_CMD_OBJECT_EVENT is sent (at most ANONLEAK_OBJECT_EVENTS_PER_SEC
 * per second, and once per file for a few seconds; events over the rate
 * are counted in ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED):
 *
 *    ANONLEAK_A_PID: NLA_U32 (initial pid namespace)
 *    ANONLEAK_A_UNWIND: NLA_NESTED with ANONLEAK_UNWIND_A_DEV, _INO, and
 *        ANONLEAK_UNWIND_A_START, ANONLEAK_UNWIND_A_END: NLA_U64, one
 *        mapping of the file in that process (open it as
 *        /proc/PID/map_files/START-END: the file the process really maps,
 *        whatever its mount namespace)
 *
 * Site flags (ANONLEAK_SITE_A_FLAGS in GET_SITES messages, NLA_U32): how
 * the stack was found, ANONLEAK_SITE_F_*: UNWOUND (frames came from unwind
 * tables), PARTIAL (some frame had no table: frame-pointer steps or a stop;
 * distinct callers may share the site), ANON_EXEC (the walk stopped at
 * anonymous executable memory, e.g. JIT code), COMPLETE (it reached the
 * outermost frame), TRUNCATED (stack_depth frames were kept, more exist),
 * EXEMPLAR (GET_EXEMPLAR has the stack copy of its first mapping).
 * A site made without any table loaded has none of UNWOUND and PARTIAL.
 *
 * Returned errors: -EPERM without CAP_NET_ADMIN, -EINVAL (with an extack
 * message naming the attribute) for malformed requests, -EOPNOTSUPP for a
 * dump request to a doit command or the reverse.
 */

#ifndef _UAPI_LINUX_ANONLEAK_H
#define _UAPI_LINUX_ANONLEAK_H

#include <linux/types.h>

#define ANONLEAK_GENL_NAME	"anonleak"
#define ANONLEAK_GENL_VERSION	1

#define ANONLEAK_MAX_FRAMES	32
#define ANONLEAK_MCGRP_EVENTS	"events"
#define ANONLEAK_MCGRP_OBJECTS	"objects"
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
#define ANONLEAK_MAX_UNWIND_BYTES_MIN	0
#define ANONLEAK_MAX_UNWIND_BYTES_MAX	(1ULL << 34)
#define ANONLEAK_MAX_EXEMPLARS_MIN	0
#define ANONLEAK_MAX_EXEMPLARS_MAX	(1 << 20)
#define ANONLEAK_EXEMPLAR_SIZE_MIN	0
#define ANONLEAK_EXEMPLAR_SIZE_MAX	16384

/* Unwind tables (see "User call stacks and unwind tables" above). */
#define ANONLEAK_UNWIND_MAX_ROWS	(1 << 24)
#define ANONLEAK_UNWIND_MAX_RULES	(1 << 20)
#define ANONLEAK_UNWIND_MAX_OFF		(1 << 20)
#define ANONLEAK_EXEMPLAR_MAPS		64
#define ANONLEAK_EXEMPLAR_REGS		17
#define ANONLEAK_OBJECT_EVENTS_PER_SEC	64

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
	ANONLEAK_CMD_UNWIND_LOAD,
	ANONLEAK_CMD_UNWIND_DROP,
	ANONLEAK_CMD_GET_UNWIND,
	ANONLEAK_CMD_GET_EXEMPLAR,
	ANONLEAK_CMD_OBJECT_EVENT,
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
	ANONLEAK_A_UNWIND,
	ANONLEAK_A_EXEMPLAR,
	ANONLEAK_A_UNWIND_RULES,
	ANONLEAK_A_UNWIND_ROWS,
	ANONLEAK_A_CGROUP_ID,
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
	ANONLEAK_STATS_A_UNWIND_TABLES,
	ANONLEAK_STATS_A_UNWIND_ROWS,
	ANONLEAK_STATS_A_UNWIND_BYTES,
	ANONLEAK_STATS_A_UNWIND_REFUSED,
	ANONLEAK_STATS_A_UNWIND_FRAMES,
	ANONLEAK_STATS_A_UNWIND_NO_TABLE,
	ANONLEAK_STATS_A_PARTIAL_SITES,
	ANONLEAK_STATS_A_EXEMPLARS,
	ANONLEAK_STATS_A_EXEMPLAR_BYTES,
	ANONLEAK_STATS_A_DROPS_EXEMPLARS,
	ANONLEAK_STATS_A_OBJECT_EVENTS,
	ANONLEAK_STATS_A_OBJECT_EVENTS_DROPPED,
	ANONLEAK_STATS_A_MAX_UNWIND_BYTES,
	ANONLEAK_STATS_A_MAX_EXEMPLARS,
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
	ANONLEAK_SITE_A_FLAGS,
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
	ANONLEAK_CONFIG_A_UNWIND,
	ANONLEAK_CONFIG_A_MAX_UNWIND_BYTES,
	ANONLEAK_CONFIG_A_MAX_EXEMPLARS,
	ANONLEAK_CONFIG_A_EXEMPLAR_SIZE,
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

enum anonleak_site_flags {
	ANONLEAK_SITE_F_UNWOUND = 1 << 0,
	ANONLEAK_SITE_F_PARTIAL = 1 << 1,
	ANONLEAK_SITE_F_ANON_EXEC = 1 << 2,
	ANONLEAK_SITE_F_COMPLETE = 1 << 3,
	ANONLEAK_SITE_F_TRUNCATED = 1 << 4,
	ANONLEAK_SITE_F_EXEMPLAR = 1 << 5,
};

enum anonleak_unwind_attr {
	ANONLEAK_UNWIND_A_UNSPEC,
	ANONLEAK_UNWIND_A_PAD,
	ANONLEAK_UNWIND_A_DEV,
	ANONLEAK_UNWIND_A_INO,
	ANONLEAK_UNWIND_A_SIZE,
	ANONLEAK_UNWIND_A_MTIME,
	ANONLEAK_UNWIND_A_BUILD_ID,
	ANONLEAK_UNWIND_A_PATH,
	ANONLEAK_UNWIND_A_ID,
	ANONLEAK_UNWIND_A_NROWS,
	ANONLEAK_UNWIND_A_NRULES,
	ANONLEAK_UNWIND_A_BYTES,
	ANONLEAK_UNWIND_A_LOADED,
	ANONLEAK_UNWIND_A_START,
	ANONLEAK_UNWIND_A_END,
	__ANONLEAK_UNWIND_A_LAST
};

#define ANONLEAK_UNWIND_A_MAX (__ANONLEAK_UNWIND_A_LAST - 1)

enum anonleak_exemplar_attr {
	ANONLEAK_EXEMPLAR_A_UNSPEC,
	ANONLEAK_EXEMPLAR_A_PAD,
	ANONLEAK_EXEMPLAR_A_SITE_ID,
	ANONLEAK_EXEMPLAR_A_REGS,
	ANONLEAK_EXEMPLAR_A_STACK,
	ANONLEAK_EXEMPLAR_A_MAPS,
	__ANONLEAK_EXEMPLAR_A_LAST
};

#define ANONLEAK_EXEMPLAR_A_MAX (__ANONLEAK_EXEMPLAR_A_LAST - 1)

enum anonleak_exmap_attr {
	ANONLEAK_EXMAP_A_UNSPEC,
	ANONLEAK_EXMAP_A_PAD,
	ANONLEAK_EXMAP_A_START,
	ANONLEAK_EXMAP_A_END,
	ANONLEAK_EXMAP_A_OFFSET,
	ANONLEAK_EXMAP_A_OBJECT,
	ANONLEAK_EXMAP_A_BUILD_ID,
	__ANONLEAK_EXMAP_A_LAST
};

#define ANONLEAK_EXMAP_A_MAX (__ANONLEAK_EXMAP_A_LAST - 1)

/* How to find the caller's frame (x86-64); CFA: canonical frame address. */
enum anonleak_unwind_cfa {
	ANONLEAK_UNWIND_CFA_SP,		/* CFA = rsp + cfa_off */
	ANONLEAK_UNWIND_CFA_FP,		/* CFA = rbp + cfa_off */
	ANONLEAK_UNWIND_CFA_FP_DEREF,	/* CFA = *(rbp + cfa_off) (realigned stack) */
	/* A signal trampoline: rsp points at the ucontext; rip, rsp, rbp from it. */
	ANONLEAK_UNWIND_CFA_SIGNAL,
	ANONLEAK_UNWIND_CFA_END,	/* outermost frame: the stack is complete */
	ANONLEAK_UNWIND_CFA_UNKNOWN,	/* no usable rule: stop (partial) */
	__ANONLEAK_UNWIND_CFA_MAX
};

enum anonleak_unwind_fp {
	ANONLEAK_UNWIND_FP_SAME,	/* rbp unchanged in the caller */
	ANONLEAK_UNWIND_FP_AT_CFA,	/* caller's rbp = *(CFA + fp_off) */
	ANONLEAK_UNWIND_FP_UNDEF,	/* rbp cannot be recovered */
	/* caller's rbp = *(rbp + fp_off): gcc's stack realignment prologue */
	ANONLEAK_UNWIND_FP_AT_FP,
	__ANONLEAK_UNWIND_FP_MAX
};

/* One rule, 8 bytes. The return address is always at CFA - 8. */
struct anonleak_unwind_rule {
	__s32 cfa_off;
	__s16 fp_off;
	__u8 cfa;			/* enum anonleak_unwind_cfa */
	__u8 fp;			/* enum anonleak_unwind_fp */
};

/*
 * One row, 8 bytes: from file offset @off of the object up to the next
 * row's @off, rule @rule (an index into the table's rules) applies. Rows
 * are sorted by strictly increasing @off; gaps between FDEs are rows whose
 * rule is ANONLEAK_UNWIND_CFA_UNKNOWN, and so is the last row.
 */
struct anonleak_unwind_row {
	__u32 off;
	__u32 rule;
};

#endif /* _UAPI_LINUX_ANONLEAK_H */
