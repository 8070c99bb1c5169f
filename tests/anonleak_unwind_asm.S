/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test object of anonleak_unwind.c (x86-64): functions without frame
 * pointers (and a few with odd frames), each with hand-written CFI, and
 * with a ROW wherever the CFA rule changes: the unwind table the test
 * uploads is exactly these rows (see anonleak_unwind.h). Nothing here is
 * built by a compiler, so the frames are what this file says they are.
 */
#include "anonleak_unwind.h"

#define SYS_mmap	9
#define SYS_rt_sigreturn 15
#define SYS_getpid	39
#define SYS_kill	62

/* A row of the table from here on: (here - ul_text_start, rule). */
.macro ROW rule
.Lrow\@:
	.pushsection .rodata.ul_rows, "a"
	.long .Lrow\@ - ul_text_start
	.long \rule
	.popsection
.endm

.macro FUNC name
	.globl \name
	.type \name, @function
\name:
.endm

.macro LABEL name
	.globl \name
\name:
.endm

	.pushsection .rodata.ul_rows, "a"
	.balign 8
	.globl ul_rows
ul_rows:
	.popsection

	.bss
	.balign 8
	.globl ul_last_rsp, ul_sig_fn, ul_sig_len, ul_sig_result
ul_last_rsp:	.quad 0
ul_sig_fn:	.quad 0
ul_sig_len:	.quad 0
ul_sig_result:	.quad 0

	.text
	.balign 64
LABEL ul_text_start

/* The outermost frame of every chain: fn(arg), then nothing above. */
FUNC ul_entry
	.cfi_startproc
	.cfi_undefined rip
	ROW UL_R_END
	sub $8, %rsp
	.cfi_def_cfa_offset 16
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
LABEL ul_entry_ret
	add $8, %rsp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size ul_entry, . - ul_entry

/* mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) */
.macro MMAP_ARGS
	mov %rdi, %rsi
	xor %edi, %edi
	mov $3, %edx
	mov $0x22, %r10d
	mov $-1, %r8
	xor %r9d, %r9d
	mov $SYS_mmap, %eax
.endm

FUNC ul_leaf
	.cfi_startproc
	ROW UL_R_SP8
	MMAP_ARGS
	mov %rsp, ul_last_rsp(%rip)
	syscall
LABEL ul_leaf_sys_ret
	ret
	.cfi_endproc
	.size ul_leaf, . - ul_leaf

/* Filler rows: the functions below start on another page of the file. */
	.rept UL_FILL_PAIRS
	ROW UL_R_FILL_A
	.skip 8, 0xcc
	ROW UL_R_FILL_B
	.skip 8, 0xcc
	.endr

FUNC ul_pic_leaf
	.cfi_startproc
	ROW UL_R_SP8
	MMAP_ARGS
	syscall
LABEL ul_pic_leaf_sys_ret
	ret
	.cfi_endproc
	.size ul_pic_leaf, . - ul_pic_leaf
LABEL ul_pic_leaf_end
	ROW UL_R_UNKNOWN
	int3

FUNC ul_mid_a
	.cfi_startproc
	ROW UL_R_SP8
	sub $24, %rsp
	.cfi_def_cfa_offset 32
	ROW UL_R_SP32
	call ul_leaf
LABEL ul_mid_a_ret
	add $24, %rsp
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_a, . - ul_mid_a

FUNC ul_mid_c
	.cfi_startproc
	ROW UL_R_SP8
	push %rbx
	.cfi_def_cfa_offset 16
	.cfi_offset rbx, -16
	ROW UL_R_SP16
	call ul_leaf
LABEL ul_mid_c_ret
	pop %rbx
	.cfi_def_cfa_offset 8
	.cfi_restore rbx
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_c, . - ul_mid_c

FUNC ul_mid_x
	.cfi_startproc
	ROW UL_R_SP8
	sub $8, %rsp
	.cfi_def_cfa_offset 16
	ROW UL_R_SP16
	call ul_mid_c
LABEL ul_mid_x_ret
	add $8, %rsp
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_x, . - ul_mid_x

FUNC ul_mid_x2
	.cfi_startproc
	ROW UL_R_SP8
	sub $24, %rsp
	.cfi_def_cfa_offset 32
	ROW UL_R_SP32
	call ul_mid_c
LABEL ul_mid_x2_ret
	add $24, %rsp
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_x2, . - ul_mid_x2

/*
 * gcc's stack realignment prologue (main() of a program with a 32-byte
 * aligned local): CFA = *(rbp - 8), the caller's rbp at rbp + 0. Between
 * the lea and the frame setup the CFA is in r10, which no rule kind can
 * say: those rows are UNKNOWN (no call happens there).
 */
FUNC ul_mid_y
	.cfi_startproc
	ROW UL_R_SP8
	lea 8(%rsp), %r10
	.cfi_def_cfa r10, 0
	ROW UL_R_UNKNOWN
	and $-32, %rsp
	pushq -8(%r10)
	push %rbp
	mov %rsp, %rbp
	/* DW_CFA_expression rbp, DW_OP_breg6 0 */
	.cfi_escape 0x10, 0x06, 0x02, 0x76, 0x00
	push %r10
	/* DW_CFA_def_cfa_expression DW_OP_breg6 -8, DW_OP_deref */
	.cfi_escape 0x0f, 0x03, 0x76, 0x78, 0x06
	ROW UL_R_DEREF
	sub $8, %rsp
	call ul_mid_c
LABEL ul_mid_y_ret
	add $8, %rsp
	pop %r10
	.cfi_def_cfa r10, 0
	pop %rbp
	.cfi_restore rbp
	ROW UL_R_UNKNOWN
	lea -8(%r10), %rsp
	.cfi_def_cfa rsp, 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_y, . - ul_mid_y

/* Saves rbp and fills it with garbage: no frame-pointer walk gets past. */
FUNC ul_clob
	.cfi_startproc
	ROW UL_R_SP8
	push %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset rbp, -16
	ROW UL_R_SP16_FP
	mov $7, %ebp
	call ul_mid_b
LABEL ul_clob_ret
	pop %rbp
	.cfi_def_cfa_offset 8
	.cfi_restore rbp
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_clob, . - ul_clob

/* A page with no row start in it: the page index must look back. */
	ROW UL_R_UNKNOWN
	.skip 9000, 0xcc

FUNC ul_mid_b
	.cfi_startproc
	ROW UL_R_SP8
	push %r12
	.cfi_def_cfa_offset 16
	.cfi_offset r12, -16
	ROW UL_R_SP16
	push %r13
	.cfi_def_cfa_offset 24
	.cfi_offset r13, -24
	ROW UL_R_SP24
	push %r14
	.cfi_def_cfa_offset 32
	.cfi_offset r14, -32
	ROW UL_R_SP32
	call ul_leaf
LABEL ul_mid_b_ret
	pop %r14
	.cfi_def_cfa_offset 24
	ROW UL_R_SP24
	pop %r13
	.cfi_def_cfa_offset 16
	ROW UL_R_SP16
	pop %r12
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_b, . - ul_mid_b

FUNC ul_mid_fp
	.cfi_startproc
	ROW UL_R_SP8
	push %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset rbp, -16
	ROW UL_R_SP16_FP
	mov %rsp, %rbp
	.cfi_def_cfa_register rbp
	ROW UL_R_FP16
	and $-16, %rsp
	call ul_leaf
LABEL ul_mid_fp_ret
	leave
	.cfi_def_cfa rsp, 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_mid_fp, . - ul_mid_fp

/* syscall(SYS_mmap, NULL, len, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) */
FUNC ul_via_libc
	.cfi_startproc
	ROW UL_R_SP8
	sub $24, %rsp
	.cfi_def_cfa_offset 32
	ROW UL_R_SP32
	movq $0, (%rsp)
	mov %rdi, %rdx
	mov $SYS_mmap, %edi
	xor %esi, %esi
	mov $3, %ecx
	mov $0x22, %r8d
	mov $-1, %r9
	call syscall@PLT
LABEL ul_via_libc_ret
	add $24, %rsp
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_via_libc, . - ul_via_libc

/* kill(getpid(), sig): the signal arrives as the kill syscall returns. */
FUNC ul_raise
	.cfi_startproc
	ROW UL_R_SP8
	push %rbx
	.cfi_def_cfa_offset 16
	.cfi_offset rbx, -16
	ROW UL_R_SP16
	mov %edi, %ebx
	mov $SYS_getpid, %eax
	syscall
	mov %eax, %edi
	mov %ebx, %esi
	mov $SYS_kill, %eax
	syscall
LABEL ul_raise_sys_ret
	pop %rbx
	.cfi_def_cfa_offset 8
	.cfi_restore rbx
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_raise, . - ul_raise

FUNC ul_sig_handler
	.cfi_startproc
	ROW UL_R_SP8
	sub $8, %rsp
	.cfi_def_cfa_offset 16
	ROW UL_R_SP16
	mov ul_sig_len(%rip), %rdi
	call *ul_sig_fn(%rip)
LABEL ul_sig_handler_ret
	mov %rax, ul_sig_result(%rip)
	add $8, %rsp
	.cfi_def_cfa_offset 8
	ROW UL_R_SP8
	ret
	.cfi_endproc
	.size ul_sig_handler, . - ul_sig_handler

/*
 * The restorer, as glibc's __restore_rt: its CFI starts at a nop before it
 * (an unwinder looks up the return address minus one) and says that the
 * interrupted frame's registers are in the ucontext at rsp: rbp at 120,
 * rsp at 160, rip at 168 (struct ucontext's uc_mcontext at 40).
 */
	.cfi_startproc simple
	.cfi_signal_frame
	/* DW_CFA_def_cfa_expression DW_OP_breg7 160, DW_OP_deref */
	.cfi_escape 0x0f, 0x04, 0x77, 0xa0, 0x01, 0x06
	/* DW_CFA_expression rbp, DW_OP_breg7 120; rip, DW_OP_breg7 168 */
	.cfi_escape 0x10, 0x06, 0x03, 0x77, 0xf8, 0x00
	.cfi_escape 0x10, 0x10, 0x03, 0x77, 0xa8, 0x01
	ROW UL_R_SIGNAL
	nop
	.type ul_restore_rt, @function
LABEL ul_restore_rt
	mov $SYS_rt_sigreturn, %eax
	syscall
	.cfi_endproc
	.size ul_restore_rt, . - ul_restore_rt

	ROW UL_R_UNKNOWN
LABEL ul_text_end
	int3

	.pushsection .rodata.ul_rows, "a"
	.globl ul_rows_end
ul_rows_end:
	.popsection

	.section .note.GNU-stack, "", @progbits
