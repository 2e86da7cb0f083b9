/*
 * JSON writer and parser; see json.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* --- writer --- */

void
json_w_init(struct json_w *w, struct buf *b, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->pretty = pretty;
	w->first[0] = 1;
}

/* 0 when the document is complete and fitted in the buffer. */
int
json_w_done(struct json_w *w)
{
	if (w->pretty && !w->err)
		buf_addc(w->b, '\n');
	return (w->err || w->b->err || w->depth != 0) ? -1 : 0;
}

static void
json_indent(struct json_w *w)
{
	int i;

	buf_addc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		buf_add(w->b, "  ", 2);
}

/* Emit what separates this value from the previous one. */
static void
json_sep(struct json_w *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			buf_addc(w->b, ',');
		if (w->pretty)
			json_indent(w);
	}
	w->first[w->depth] = 0;
}

static void
json_open(struct json_w *w, char c)
{
	json_sep(w);
	if (w->depth >= JSON_DEPTH_MAX) {
		w->err = 1;
		return;
	}
	buf_addc(w->b, c);
	w->first[++w->depth] = 1;
}

static void
json_close(struct json_w *w, char c)
{
	int empty;

	if (w->depth == 0) {
		w->err = 1;
		return;
	}
	empty = w->first[w->depth];
	w->depth--;
	if (w->pretty && !empty)
		json_indent(w);
	buf_addc(w->b, c);
}

void
json_obj_open(struct json_w *w)
{
	json_open(w, '{');
}

void
json_obj_close(struct json_w *w)
{
	json_close(w, '}');
}

void
json_arr_open(struct json_w *w)
{
	json_open(w, '[');
}

void
json_arr_close(struct json_w *w)
{
	json_close(w, ']');
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t
json_utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

static void
json_quote(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	buf_addc(b, '"');
	while (i < len) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else if (c == '\r') {
			buf_add(b, "\\r", 2);
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else if (c >= 0x80) {
			if ((n = json_utf8_len(p + i, len - i)) == 0) {
				/* Not UTF-8: say so rather than emit junk. */
				buf_add(b, "\\ufffd", 6);
				i++;
				continue;
			}
			buf_add(b, p + i, n);
			i += n;
			continue;
		} else {
			buf_addc(b, (char)c);
		}
		i++;
	}
	buf_addc(b, '"');
}

void
json_key(struct json_w *w, const char *k)
{
	json_sep(w);
	json_quote(w->b, k, strlen(k));
	buf_add(w->b, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = 1;
}

void
json_strn(struct json_w *w, const char *s, size_t len)
{
	json_sep(w);
	json_quote(w->b, s, len);
}

void
json_str(struct json_w *w, const char *s)
{
	if (s == NULL) {
		json_null(w);
		return;
	}
	json_strn(w, s, strlen(s));
}

void
json_int(struct json_w *w, int64_t v)
{
	json_sep(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void
json_uint(struct json_w *w, uint64_t v)
{
	json_sep(w);
	buf_printf(w->b, "%llu", (unsigned long long)v);
}

void
json_bool(struct json_w *w, int v)
{
	json_sep(w);
	buf_adds(w->b, v ? "true" : "false");
}

void
json_null(struct json_w *w)
{
	json_sep(w);
	buf_adds(w->b, "null");
}

void
json_kv_str(struct json_w *w, const char *k, const char *v)
{
	json_key(w, k);
	json_str(w, v);
}

void
json_kv_int(struct json_w *w, const char *k, int64_t v)
{
	json_key(w, k);
	json_int(w, v);
}

void
json_kv_uint(struct json_w *w, const char *k, uint64_t v)
{
	json_key(w, k);
	json_uint(w, v);
}

void
json_kv_bool(struct json_w *w, const char *k, int v)
{
	json_key(w, k);
	json_bool(w, v);
}

/* Re-emit a parsed value (the CLI's --json output). */
int
json_write_val(struct json_w *w, const struct json_val *v)
{
	const struct json_val *c;

	switch (v->type) {
	case JSON_NULL:
		json_null(w);
		break;
	case JSON_BOOL:
		json_bool(w, v->boolean);
		break;
	case JSON_NUMBER:
		json_sep(w);
		buf_add(w->b, v->str, v->len);
		break;
	case JSON_STRING:
		json_strn(w, v->str, v->len);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (v->type == JSON_ARRAY)
			json_arr_open(w);
		else
			json_obj_open(w);
		for (c = v->child; c != NULL; c = c->next) {
			if (v->type == JSON_OBJECT)
				json_key(w, c->key);
			json_write_val(w, c);
		}
		if (v->type == JSON_ARRAY)
			json_arr_close(w);
		else
			json_obj_close(w);
		break;
	}
	return w->err ? -1 : 0;
}

/* --- parser --- */

#define JSON_POOL_NODES 256

struct json_pool {
	struct json_pool *next;
	size_t used;
	struct json_val nodes[JSON_POOL_NODES];
};

struct json_doc {
	struct json_val *root;
	struct json_pool *pools;
	size_t nnodes;
	char *strings; /* decoded strings, never longer than input */
	size_t strused;
	size_t strcap;
};

struct json_parser {
	const char *s;
	size_t len;
	size_t pos;
	struct json_doc *doc;
	char *err;
	size_t errlen;
	int failed;
};

static int
json_fail(struct json_parser *p, const char *msg)
{
	if (!p->failed && p->err != NULL)
		snprintf(p->err, p->errlen, "offset %zu: %s", p->pos, msg);
	p->failed = 1;
	return -1;
}

static struct json_val *
json_node(struct json_parser *p)
{
	struct json_doc *d = p->doc;
	struct json_pool *pl = d->pools;

	if (d->nnodes >= JSON_NODES_MAX) {
		json_fail(p, "too many values");
		return NULL;
	}
	if (pl == NULL || pl->used == JSON_POOL_NODES) {
		if ((pl = calloc(1, sizeof(*pl))) == NULL) {
			json_fail(p, "out of memory");
			return NULL;
		}
		pl->next = d->pools;
		d->pools = pl;
	}
	d->nnodes++;
	return &pl->nodes[pl->used++];
}

static void
json_ws(struct json_parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int
json_hex4(struct json_parser *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (p->len - p->pos < 4)
		return json_fail(p, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return json_fail(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static void
json_put_utf8(char **o, unsigned cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*q++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

static int
json_escape(struct json_parser *p, char **o)
{
	unsigned cp = 0, lo = 0;
	char c;

	if (p->pos >= p->len)
		return json_fail(p, "unterminated string");
	c = p->s[p->pos++];
	switch (c) {
	case '"':
	case '\\':
	case '/':
		*(*o)++ = c;
		return 0;
	case 'b':
		*(*o)++ = '\b';
		return 0;
	case 'f':
		*(*o)++ = '\f';
		return 0;
	case 'n':
		*(*o)++ = '\n';
		return 0;
	case 'r':
		*(*o)++ = '\r';
		return 0;
	case 't':
		*(*o)++ = '\t';
		return 0;
	case 'u':
		break;
	default:
		return json_fail(p, "bad escape");
	}
	if (json_hex4(p, &cp) == -1)
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 6 || p->s[p->pos] != '\\' ||
		    p->s[p->pos + 1] != 'u')
			return json_fail(p, "lone surrogate");
		p->pos += 2;
		if (json_hex4(p, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(p, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return json_fail(p, "lone surrogate");
	}
	json_put_utf8(o, cp);
	return 0;
}

/* The decoded string goes to the doc's string arena, NUL-terminated. */
static int
json_string(struct json_parser *p, const char **out, size_t *outlen)
{
	struct json_doc *d = p->doc;
	char *start = d->strings + d->strused, *o = start;

	p->pos++; /* opening quote */
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return json_fail(p, "unterminated string");
		c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(p, "control character in string");
		if (c >= 0x80) {
			/* RFC 8259: JSON text is UTF-8; refuse anything else.
			 */
			size_t n =
			    json_utf8_len((const unsigned char *)p->s + p->pos,
					  p->len - p->pos);

			if (n == 0)
				return json_fail(p, "invalid UTF-8 in string");
			memcpy(o, p->s + p->pos, n);
			o += n;
			p->pos += n;
			continue;
		}
		p->pos++;
		if (c == '\\') {
			if (json_escape(p, &o) == -1)
				return -1;
		} else {
			*o++ = (char)c;
		}
	}
	p->pos++;
	*o++ = '\0';
	*out = start;
	*outlen = (size_t)(o - start) - 1;
	d->strused += (size_t)(o - start);
	return 0;
}

static int
json_number(struct json_parser *p, struct json_val *v)
{
	size_t start = p->pos;
	struct json_doc *d = p->doc;
	char *dst;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return json_fail(p, "bad number");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		       p->s[p->pos] <= '9')
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' ||
		    p->s[p->pos] > '9')
			return json_fail(p, "bad fraction");
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		       p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' ||
		    p->s[p->pos] > '9')
			return json_fail(p, "bad exponent");
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		       p->s[p->pos] <= '9')
			p->pos++;
	}
	dst = d->strings + d->strused;
	memcpy(dst, p->s + start, p->pos - start);
	dst[p->pos - start] = '\0';
	d->strused += p->pos - start + 1;
	v->type = JSON_NUMBER;
	v->str = dst;
	v->len = p->pos - start;
	return 0;
}

static int
json_literal(struct json_parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
		return json_fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

static int json_value(struct json_parser *, struct json_val *, int);

static int
json_container(struct json_parser *p, struct json_val *v, int depth)
{
	int obj = p->s[p->pos] == '{';
	char close = obj ? '}' : ']';
	struct json_val **tail = &v->child;

	if (depth >= JSON_DEPTH_MAX)
		return json_fail(p, "nested too deeply");
	v->type = obj ? JSON_OBJECT : JSON_ARRAY;
	p->pos++;
	json_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct json_val *c;
		size_t klen;

		if ((c = json_node(p)) == NULL)
			return -1;
		json_ws(p);
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return json_fail(p, "expected member name");
			if (json_string(p, &c->key, &klen) == -1)
				return -1;
			json_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return json_fail(p, "expected ':'");
			p->pos++;
		}
		if (json_value(p, c, depth + 1) == -1)
			return -1;
		*tail = c;
		tail = &c->next;
		v->count++;
		json_ws(p);
		if (p->pos >= p->len)
			return json_fail(p, "unterminated container");
		if (p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return json_fail(p, "expected ',' or end");
		p->pos++;
	}
}

static int
json_value(struct json_parser *p, struct json_val *v, int depth)
{
	json_ws(p);
	if (p->pos >= p->len)
		return json_fail(p, "unexpected end");
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return json_container(p, v, depth);
	case '"':
		v->type = JSON_STRING;
		return json_string(p, &v->str, &v->len);
	case 't':
		v->type = JSON_BOOL;
		v->boolean = 1;
		return json_literal(p, "true");
	case 'f':
		v->type = JSON_BOOL;
		return json_literal(p, "false");
	case 'n':
		v->type = JSON_NULL;
		return json_literal(p, "null");
	default:
		return json_number(p, v);
	}
}

struct json_doc *
json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct json_parser p;
	struct json_doc *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	/* Decoding never lengthens: escapes shrink, numbers copy. */
	d->strcap = len + 1;
	if ((d->strings = malloc(d->strcap)) == NULL) {
		free(d);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	p.doc = d;
	p.err = err;
	p.errlen = errlen;
	if ((d->root = json_node(&p)) == NULL ||
	    json_value(&p, d->root, 0) == -1)
		goto fail;
	json_ws(&p);
	if (p.pos != p.len) {
		json_fail(&p, "trailing data");
		goto fail;
	}
	return d;
fail:
	json_doc_free(d);
	return NULL;
}

void
json_doc_free(struct json_doc *d)
{
	struct json_pool *pl;

	if (d == NULL)
		return;
	while ((pl = d->pools) != NULL) {
		d->pools = pl->next;
		free(pl);
	}
	free(d->strings);
	free(d);
}

const struct json_val *
json_root(const struct json_doc *d)
{
	return d->root;
}

const struct json_val *
json_get(const struct json_val *o, const char *key)
{
	const struct json_val *c;

	if (o == NULL || o->type != JSON_OBJECT)
		return NULL;
	for (c = o->child; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const struct json_val *
json_at(const struct json_val *a, size_t i)
{
	const struct json_val *c;

	if (a == NULL || (a->type != JSON_ARRAY && a->type != JSON_OBJECT))
		return NULL;
	for (c = a->child; c != NULL && i > 0; c = c->next)
		i--;
	return c;
}

int
json_to_i64(const struct json_val *v, int64_t *out)
{
	long long n;
	char *end;

	if (v == NULL || v->type != JSON_NUMBER)
		return -1;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

int
json_to_u64(const struct json_val *v, uint64_t *out)
{
	unsigned long long n;
	char *end;

	if (v == NULL || v->type != JSON_NUMBER || v->str[0] == '-')
		return -1;
	errno = 0;
	n = strtoull(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

const char *
json_get_str(const struct json_val *o, const char *key, const char *def)
{
	const struct json_val *v = json_get(o, key);

	return (v != NULL && v->type == JSON_STRING) ? v->str : def;
}

int64_t
json_get_int(const struct json_val *o, const char *key, int64_t def)
{
	int64_t n;

	return json_to_i64(json_get(o, key), &n) == 0 ? n : def;
}

uint64_t
json_get_uint(const struct json_val *o, const char *key, uint64_t def)
{
	uint64_t n;

	return json_to_u64(json_get(o, key), &n) == 0 ? n : def;
}

int
json_get_bool(const struct json_val *o, const char *key, int def)
{
	const struct json_val *v = json_get(o, key);

	return (v != NULL && v->type == JSON_BOOL) ? v->boolean : def;
}
