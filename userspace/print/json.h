/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: it tracks nesting and commas so the
 * printers only say what to emit. Output is compact (no blanks).
 */
#ifndef ANONLEAK_PRINT_JSON_H
#define ANONLEAK_PRINT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);

/* @key is the member name inside an object, NULL inside an array or at top. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_string(struct json *j, const char *key, const char *s);
void json_bytes(struct json *j, const char *key, const unsigned char *s, size_t len);
/* A u64 as a "0x..." string: JSON numbers lose precision above 2^53. */
void json_hex(struct json *j, const char *key, uint64_t v);
/* Bytes as a lowercase hex string without prefix (build ids). */
void json_hexbytes(struct json *j, const char *key, const unsigned char *b, size_t len);

/*
 * Write s as a quoted JSON string. Valid UTF-8 passes through; '"', '\\'
 * and control characters are escaped; each byte that is not part of a
 * valid UTF-8 sequence becomes \u00XX (its Latin-1 reading), so any byte
 * string yields valid JSON.
 */
void json_write_string(FILE *f, const unsigned char *s, size_t len);

#endif
