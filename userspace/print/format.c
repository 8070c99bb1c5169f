// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "print/format.h"

const char *fmt_size(char buf[FMT_BUF_LEN], uint64_t bytes)
{
	static const char *const names[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int i = 0;
	uint64_t unit = 1024, whole, tenths;

	if (bytes < 1024) {
		snprintf(buf, FMT_BUF_LEN, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	/* Pick the unit in which the value is below 1024, then round. */
	while (i + 1 < ARRAY_SIZE(names) && bytes / unit >= 1024) {
		unit <<= 10;
		i++;
	}
	whole = bytes / unit;
	/* rem < unit <= 2^60, so rem * 10 cannot overflow */
	tenths = ((bytes % unit) * 10 + unit / 2) / unit;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && i + 1 < ARRAY_SIZE(names)) {
		whole = 1;
		i++;
	}
	snprintf(buf, FMT_BUF_LEN, "%llu.%llu %s", (unsigned long long)whole,
		 (unsigned long long)tenths, names[i]);
	return buf;
}

const char *fmt_duration(char buf[FMT_BUF_LEN], uint64_t ns)
{
	uint64_t s = ns / NSEC_PER_SEC;

	if (s == 0)
		snprintf(buf, FMT_BUF_LEN, "%llums", (unsigned long long)(ns / NSEC_PER_MSEC));
	else if (s < 60)
		snprintf(buf, FMT_BUF_LEN, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, FMT_BUF_LEN, "%llum%llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, FMT_BUF_LEN, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, FMT_BUF_LEN, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	return buf;
}

/* The escape of byte c (for fputs_escaped()) into esc: its length. */
static size_t escape_byte(unsigned char c, char esc[5])
{
	if (c == '"' || c == '\\')
		return snprintf(esc, 5, "\\%c", c);
	if (c >= 0x20 && c < 0x7f)
		return snprintf(esc, 5, "%c", c);
	return snprintf(esc, 5, "\\x%02x", c);
}

void fputs_escaped(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[5];

	while (*p) {
		const unsigned char *run = p;

		/* printable ASCII stands for itself: one write per run */
		while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), f);
		if (*p)
			fwrite(esc, 1, escape_byte(*p++, esc), f);
	}
}

const char *fmt_escaped(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[5];
		size_t k = escape_byte(*p, esc);

		if (n + k >= len)
			break;
		memcpy(buf + n, esc, k);
		n += k;
	}
	if (len)
		buf[n] = '\0';
	return buf;
}
