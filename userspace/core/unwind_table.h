/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unwind table of one ELF object (x86-64), as ANONLEAK_CMD_UNWIND_LOAD
 * takes it: rows of (file offset, rule index) sorted by offset, and the
 * distinct rules they share. Built with libdw from .eh_frame (or, for an
 * object that has none, .debug_frame): every row of every FDE becomes a
 * row, the gaps between FDEs and the end of the last one become rows with
 * the UNKNOWN rule, adjacent rows with the same rule are merged.
 */
#ifndef ANONLEAK_CORE_UNWIND_TABLE_H
#define ANONLEAK_CORE_UNWIND_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/anonleak.h>

#define UNWIND_BUILD_ID_MAX	20

struct unwind_table {
	struct anonleak_unwind_row *rows;
	size_t nr_rows, cap_rows;
	struct anonleak_unwind_rule *rules;
	size_t nr_rules, cap_rules;
	unsigned char build_id[UNWIND_BUILD_ID_MAX];
	size_t build_id_len;		/* 0: the object has none */
	size_t fdes;			/* FDEs read */
	const char *source;		/* ".eh_frame" or ".debug_frame" */
};

/*
 * Build the table of the ELF file open at fd (read only, not closed).
 * 0, or -errno with a reason in why: -ENOEXEC (not an x86-64 ELF, or no
 * call frame information), -EFBIG (a file offset beyond 4 GiB), -ENOMEM.
 */
int unwind_table_build(int fd, struct unwind_table *t, char *why, size_t why_len);

/* The same for a path. */
int unwind_table_build_path(const char *path, struct unwind_table *t, char *why,
			    size_t why_len);

void unwind_table_release(struct unwind_table *t);

/* The rule of file offset off (NULL before the first row): for tests and list. */
const struct anonleak_unwind_rule *unwind_table_lookup(const struct unwind_table *t,
							uint32_t off);

#endif
