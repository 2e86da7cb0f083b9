/*
 * JSON, the shape of every control-socket message: a streaming writer into
 * a bounded buffer, and a parser with depth, size and node limits that
 * builds a read-only tree.  Strings are UTF-8; \u escapes are decoded.
 */
#ifndef FLEETVPN_JSON_H
#define FLEETVPN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_DEPTH_MAX 32
#define JSON_NODES_MAX 1000000

/* --- writer --- */

struct json_w {
	struct buf *b;
	int depth;
	int err;
	int pretty;
	uint8_t first[JSON_DEPTH_MAX + 1];
	uint8_t after_key;
};

void json_w_init(struct json_w *, struct buf *, int pretty);
int json_w_done(struct json_w *);
void json_obj_open(struct json_w *);
void json_obj_close(struct json_w *);
void json_arr_open(struct json_w *);
void json_arr_close(struct json_w *);
void json_key(struct json_w *, const char *);
void json_str(struct json_w *, const char *);
void json_strn(struct json_w *, const char *, size_t);
void json_int(struct json_w *, int64_t);
void json_uint(struct json_w *, uint64_t);
void json_bool(struct json_w *, int);
void json_null(struct json_w *);
void json_kv_str(struct json_w *, const char *, const char *);
void json_kv_int(struct json_w *, const char *, int64_t);
void json_kv_uint(struct json_w *, const char *, uint64_t);
void json_kv_bool(struct json_w *, const char *, int);

/* --- parser --- */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json_val {
	enum json_type type;
	const char *key; /* member name inside an object */
	const char *str; /* string value, or number text */
	size_t len;	 /* string length (may hold NULs) */
	int boolean;
	size_t count; /* children of an array or object */
	struct json_val *child;
	struct json_val *next;
};

struct json_doc;

struct json_doc *json_parse(const char *, size_t, char *, size_t);
void json_doc_free(struct json_doc *);
const struct json_val *json_root(const struct json_doc *);
const struct json_val *json_get(const struct json_val *, const char *);
const struct json_val *json_at(const struct json_val *, size_t);
const char *json_get_str(const struct json_val *, const char *, const char *);
int64_t json_get_int(const struct json_val *, const char *, int64_t);
uint64_t json_get_uint(const struct json_val *, const char *, uint64_t);
int json_get_bool(const struct json_val *, const char *, int);
int json_to_i64(const struct json_val *, int64_t *);
int json_to_u64(const struct json_val *, uint64_t *);
int json_write_val(struct json_w *, const struct json_val *);

#endif
