// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "print/json.h"

/*
 * Numbers and plain ASCII runs are formatted here and written with one
 * fwrite(): a report of 100,000 sites is millions of fields, and printf's
 * format parsing and stdio's per-byte calls were most of its time.
 */
static const char hexdig[] = "0123456789abcdef";

/* Digits of @v in base 10 at the end of buf[21]: their start. */
static char *fmt_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static char *fmt_hex(char *end, uint64_t v)
{
	do {
		*--end = hexdig[v & 0xf];
		v >>= 4;
	} while (v);
	return end;
}

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Comma and key before a value at the current level. */
static void json_prefix(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_write_string(j->f, (const unsigned char *)key, strlen(key));
		fputc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_prefix(j, key);
	fputc(c, j->f);
	assert(j->depth + 1 < JSON_MAX_DEPTH);
	j->need_comma[++j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	assert(j->depth > 0);
	j->depth--;
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	json_prefix(j, key);
	p = fmt_u64(end, v);
	fwrite(p, 1, (size_t)(end - p), j->f);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	json_prefix(j, key);
	/* the magnitude as unsigned: INT64_MIN has no positive int64_t */
	p = fmt_u64(end, v < 0 ? -(uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	fwrite(p, 1, (size_t)(end - p), j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", j->f);
}

void json_string(struct json *j, const char *key, const char *s)
{
	json_bytes(j, key, (const unsigned char *)s, strlen(s));
}

void json_bytes(struct json *j, const char *key, const unsigned char *s, size_t len)
{
	json_prefix(j, key);
	json_write_string(j->f, s, len);
}

void json_hex(struct json *j, const char *key, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	json_prefix(j, key);
	*--end = '"';
	p = fmt_hex(end, v);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	fwrite(p, 1, (size_t)(end + 1 - p), j->f);
}

void json_hexbytes(struct json *j, const char *key, const unsigned char *b, size_t len)
{
	char buf[128];
	size_t n = 0;

	json_prefix(j, key);
	buf[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		if (n + 2 > sizeof(buf)) {
			fwrite(buf, 1, n, j->f);
			n = 0;
		}
		buf[n++] = hexdig[b[i] >> 4];
		buf[n++] = hexdig[b[i] & 0xf];
	}
	if (n + 1 > sizeof(buf)) {
		fwrite(buf, 1, n, j->f);
		n = 0;
	}
	buf[n++] = '"';
	fwrite(buf, 1, n, j->f);
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* The two-character escape of c, or NULL. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	return NULL;
}

void json_write_string(FILE *f, const unsigned char *s, size_t len)
{
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		const char *esc;
		size_t n;

		/* a run of printable ASCII that needs no escape: one write */
		for (n = i; n < len && s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' &&
		     s[n] != '\\'; n++)
			;
		if (n > i) {
			fwrite(s + i, 1, n - i, f);
			i = n;
			continue;
		}
		esc = short_escape(s[i]);
		if (esc) {
			fputs(esc, f);
			i++;
			continue;
		}
		n = s[i] < 0x20 || s[i] == 0x7f ? 0 : utf8_seq_len(s + i, len - i);
		if (n == 0) {
			/* a control character, or a stray byte read as Latin-1 */
			fprintf(f, "\\u%04x", s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}
