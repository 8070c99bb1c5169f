/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-written test object of anonleak_unwind.c: functions in
 * assembly (anonleak_unwind_asm.S) with hand-written CFI, and the unwind
 * table that says the same thing, row by row, in the UAPI's format.
 *
 * Each ROW in the assembly records (label - ul_text_start, rule index) in
 * ul_rows[], right where the CFI changes, so the rows and the CFI cannot
 * drift apart; the C side turns the deltas into file offsets with
 * /proc/self/maps and supplies the rules (ul_rules[] in the .c, indexed by
 * the UL_R_* numbers below). Shared by the .S (through cpp) and the .c.
 */
#ifndef ANONLEAK_UNWIND_H
#define ANONLEAK_UNWIND_H

#define UL_R_UNKNOWN	0	/* no rule: the walk stops (partial) */
#define UL_R_END	1	/* outermost frame (.cfi_undefined rip) */
#define UL_R_SP8	2	/* CFA = rsp + 8, rbp unchanged */
#define UL_R_SP16	3	/* CFA = rsp + 16 */
#define UL_R_SP24	4	/* CFA = rsp + 24 */
#define UL_R_SP32	5	/* CFA = rsp + 32 */
#define UL_R_SP16_FP	6	/* CFA = rsp + 16, caller's rbp at CFA - 16 */
#define UL_R_FP16	7	/* CFA = rbp + 16, caller's rbp at CFA - 16 */
#define UL_R_DEREF	8	/* CFA = *(rbp - 8), caller's rbp at rbp + 0 */
#define UL_R_SIGNAL	9	/* a signal trampoline: the ucontext at rsp */
#define UL_R_FILL_A	10	/* filler rows between functions: no rule */
#define UL_R_FILL_B	11
#define UL_NRULES	12

/* Filler rows between some functions: their text spans several pages. */
#define UL_FILL_PAIRS	260

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

struct ul_row_delta {
	uint32_t delta;		/* from ul_text_start */
	uint32_t rule;		/* UL_R_* */
};

extern const struct ul_row_delta ul_rows[], ul_rows_end[];
extern char ul_text_start[], ul_text_end[];

/* void *ul_entry(void *(*fn)(size_t), size_t arg): fn(arg), outermost. */
void *ul_entry(void *(*fn)(size_t), size_t arg);
extern char ul_entry_ret[];

/* The mmap syscall itself: ul_leaf(len), a private anonymous RW mapping. */
void *ul_leaf(size_t len);
extern char ul_leaf_sys_ret[];
extern unsigned long ul_last_rsp;	/* rsp at ul_leaf's syscall */

/* The same without the rsp store: position independent, to be copied. */
extern char ul_pic_leaf[], ul_pic_leaf_sys_ret[], ul_pic_leaf_end[];

/* Callers of the leaf, each with its own frame shape. */
void *ul_mid_a(size_t len);	/* sub $24: CFA rsp + 32 */
void *ul_mid_c(size_t len);	/* push %rbx: CFA rsp + 16 */
void *ul_mid_x(size_t len);	/* sub $8, calls ul_mid_c */
void *ul_mid_x2(size_t len);	/* sub $24, calls ul_mid_c */
void *ul_mid_y(size_t len);	/* gcc's stack realignment, calls ul_mid_c */
void *ul_clob(size_t len);	/* saves rbp, puts garbage in it, ul_mid_b */
void *ul_mid_b(size_t len);	/* three pushes: CFA rsp + 32 */
void *ul_mid_fp(size_t len);	/* a frame-pointer frame */
void *ul_via_libc(size_t len);	/* syscall(SYS_mmap, ...) from libc */
extern char ul_mid_a_ret[], ul_mid_c_ret[], ul_mid_x_ret[], ul_mid_x2_ret[],
	    ul_mid_y_ret[], ul_clob_ret[], ul_mid_b_ret[], ul_mid_fp_ret[],
	    ul_via_libc_ret[];

/* ul_raise(sig): kill(getpid(), sig) by raw syscalls. */
void *ul_raise(size_t sig);
extern char ul_raise_sys_ret[];

/* A signal handler calling ul_sig_fn(ul_sig_len), result in ul_sig_result. */
void ul_sig_handler(int sig);
extern char ul_sig_handler_ret[];
extern void *(*ul_sig_fn)(size_t);
extern size_t ul_sig_len;
extern void *ul_sig_result;

/* A restorer (rt_sigreturn) with a nop before it, as glibc's. */
extern char ul_restore_rt[];
#endif

#endif /* ANONLEAK_UNWIND_H */
