/* SPDX-License-Identifier: GPL-2.0 */
/* For the printer tests: what a call writes to FILE *f, as a string. */
#ifndef ANONLEAK_TEST_CAPTURE_H
#define ANONLEAK_TEST_CAPTURE_H

#include <stdio.h>

/* Run call with f open on a memory stream; out gets the malloc'ed text. */
#define CAPTURE(out, call) do {						\
	size_t __len;							\
	FILE *f = open_memstream(&(out), &__len);			\
	ASSERT_NE(NULL, f);						\
	call;								\
	fclose(f);							\
} while (0)

#endif
