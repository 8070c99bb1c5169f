/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AL_TEST_MAIN: kselftest_harness.h's TEST_HARNESS_MAIN, with every test's
 * time limit scaled by ANONLEAK_TIME_FACTOR (set by tests/run-guest.sh from
 * the guest's measured speed; at least 1): on a slow machine a test gets
 * the time it needs, on the reference machine its nominal limit. Include
 * after kselftest_harness.h.
 */
#ifndef AL_HARNESS_H
#define AL_HARNESS_H

#include <stdlib.h>

static inline void al_scale_timeouts(struct __fixture_metadata *fixtures)
{
	const char *s = getenv("ANONLEAK_TIME_FACTOR");
	double f = s ? strtod(s, NULL) : 1;
	struct __fixture_metadata *fx;
	struct __test_metadata *t;

	if (!(f > 1) || f > 1000)
		return;
	for (fx = fixtures; fx; fx = fx->next)
		for (t = fx->tests; t; t = t->next)
			t->timeout = (int)(t->timeout * f + 0.999);
}

#define AL_TEST_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		al_scale_timeouts(__fixture_list);			\
		return test_harness_run(argc, argv);			\
	}

#endif /* AL_HARNESS_H */
