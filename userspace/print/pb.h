/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small protocol buffers writer (varints, keys, length-delimited
 * fields) into a growing buffer, and gzip of a buffer with zlib: what
 * print/pprof.c needs to write a profile.proto without a protobuf
 * library. Errors are sticky: once out of memory, pb->err stays -ENOMEM
 * and further writes do nothing.
 */
#ifndef ANONLEAK_PRINT_PB_H
#define ANONLEAK_PRINT_PB_H

#include <stddef.h>
#include <stdint.h>

struct pb {
	unsigned char *buf;
	size_t len, cap;
	int err;		/* 0 or -ENOMEM */
};

#define PB_VARINT	0
#define PB_LEN		2

void pb_init(struct pb *b);
void pb_release(struct pb *b);

void pb_raw(struct pb *b, const void *data, size_t len);
void pb_varint(struct pb *b, uint64_t v);
/* The key of field number field with wire type type. */
void pb_key(struct pb *b, uint32_t field, unsigned int type);
/* A varint field; omitted when v is 0 (proto3's default). */
void pb_uint(struct pb *b, uint32_t field, uint64_t v);
/* A signed int64 field as proto3 encodes it (two's complement varint). */
void pb_int(struct pb *b, uint32_t field, int64_t v);
void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t len);
void pb_string(struct pb *b, uint32_t field, const char *s);
/* A nested message: sub's bytes as field (sub is left as it was). */
void pb_message(struct pb *b, uint32_t field, const struct pb *sub);
/* Packed repeated varints. */
void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n);

/* Bytes a varint of v takes (1..10). */
size_t pb_varint_len(uint64_t v);

/*
 * Decode a varint at *p (end excluded); advances *p. -EPROTO if it is
 * cut or longer than 10 bytes. For the tests and callers that read back.
 */
int pb_read_varint(const unsigned char **p, const unsigned char *end, uint64_t *v);

/* in (len bytes) gzipped into out (initialised by the caller): 0 or -errno. */
int pb_gzip(const unsigned char *in, size_t len, struct pb *out);

#endif
