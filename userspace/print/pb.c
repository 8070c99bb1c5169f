// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "print/pb.h"

void pb_init(struct pb *b)
{
	memset(b, 0, sizeof(*b));
}

void pb_release(struct pb *b)
{
	free(b->buf);
	pb_init(b);
}

static int pb_reserve(struct pb *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	unsigned char *p;

	if (b->err)
		return b->err;
	if (more > SIZE_MAX / 2 - b->len)
		return b->err = -ENOMEM;
	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

void pb_raw(struct pb *b, const void *data, size_t len)
{
	if (!len || pb_reserve(b, len))
		return;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

size_t pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void pb_varint(struct pb *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	pb_raw(b, tmp, n);
}

void pb_key(struct pb *b, uint32_t field, unsigned int type)
{
	pb_varint(b, (uint64_t)field << 3 | type);
}

void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pb_key(b, field, PB_VARINT);
	pb_varint(b, v);
}

void pb_int(struct pb *b, uint32_t field, int64_t v)
{
	pb_uint(b, field, (uint64_t)v);
}

void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t len)
{
	pb_key(b, field, PB_LEN);
	pb_varint(b, len);
	pb_raw(b, data, len);
}

void pb_string(struct pb *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

void pb_message(struct pb *b, uint32_t field, const struct pb *sub)
{
	if (sub->err && !b->err)
		b->err = sub->err;
	pb_bytes(b, field, sub->buf, sub->len);
}

void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	size_t len = 0;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		len += pb_varint_len(v[i]);
	pb_key(b, field, PB_LEN);
	pb_varint(b, len);
	for (size_t i = 0; i < n; i++)
		pb_varint(b, v[i]);
}

int pb_read_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned int shift = 0; shift < 70; shift += 7) {
		if (*p >= end)
			return -EPROTO;
		r |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -EPROTO;
}

int pb_gzip(const unsigned char *in, size_t len, struct pb *out)
{
	z_stream z = { 0 };
	int ret;

	/* windowBits 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	if (pb_reserve(out, deflateBound(&z, len))) {
		deflateEnd(&z);
		return out->err;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = out->buf + out->len;
	z.avail_out = out->cap - out->len;
	ret = deflate(&z, Z_FINISH);
	if (ret == Z_STREAM_END)
		out->len += z.total_out;
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : -EIO;
}
