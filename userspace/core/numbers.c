// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "core/numbers.h"

/* Leading decimal digits of s into *out; *end past them. No sign, no blank. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int ret = parse_digits(s, &v, &end);

	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, &v);

	if (ret)
		return ret;
	if (v == 0 || v > INT_MAX)
		return -ERANGE;
	*out = (pid_t)v;
	return 0;
}

/* *out = a * b unless that overflows; *out is untouched on error. */
static int mul_check(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b && a > UINT64_MAX / b)
		return -ERANGE;
	*out = a * b;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *suffix; unsigned int shift; } units[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GiB", 30 }, { "T", 40 }, { "TiB", 40 },
	};
	const char *end;
	uint64_t v;
	int ret = parse_digits(s, &v, &end);

	if (ret)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].suffix))
			return mul_check(v, 1ULL << units[i].shift, out);
	return -EINVAL;
}

static const struct duration_unit {
	const char *name;
	uint64_t ns;
} duration_units[] = {	/* largest first; a unit is the whole run of letters */
	{ "d", 86400 * NSEC_PER_SEC },
	{ "h", 3600 * NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC },
	{ "s", NSEC_PER_SEC },
	{ "ms", NSEC_PER_MSEC },
	{ "us", 1000 },
	{ "ns", 1 },
};
#define NR_DURATION_UNITS ARRAY_SIZE(duration_units)

int parse_duration(const char *s, uint64_t *ns)
{
	size_t last = 0;	/* units must strictly decrease: index grows */
	uint64_t total = 0;
	bool first = true;
	const char *p = s;

	do {
		const char *end;
		uint64_t v, part;
		size_t i, len;
		int ret = parse_digits(p, &v, &end);

		if (ret)
			return ret;
		if (!*end && first)	/* bare number: seconds */
			return mul_check(v, NSEC_PER_SEC, ns);
		len = strspn(end, "abcdefghijklmnopqrstuvwxyz");
		for (i = 0; i < NR_DURATION_UNITS; i++)
			if (strlen(duration_units[i].name) == len &&
			    !strncmp(end, duration_units[i].name, len))
				break;
		if (i == NR_DURATION_UNITS || (!first && i <= last))
			return -EINVAL;
		ret = mul_check(v, duration_units[i].ns, &part);
		if (ret)
			return ret;
		if (part > UINT64_MAX - total)
			return -ERANGE;
		total += part;
		last = i;
		first = false;
		p = end + len;
	} while (*p);
	*ns = total;
	return 0;
}
