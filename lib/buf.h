/*
 * Bounded byte buffer.  Every buffer has a ceiling: growth past "max" fails
 * and latches an error, so a writer can append many pieces and check once.
 */
#ifndef FLEETVPN_BUF_H
#define FLEETVPN_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	int err; /* latched: an append did not fit */
};

void buf_init(struct buf *, size_t max);
void buf_release(struct buf *);
struct buf *buf_new(size_t max);
void buf_free(struct buf *);

int buf_reserve(struct buf *, size_t more);
int buf_add(struct buf *, const void *, size_t);
int buf_addc(struct buf *, char);
int buf_adds(struct buf *, const char *);
int buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
void buf_consume(struct buf *, size_t);
void buf_reset(struct buf *);
const char *buf_cstr(struct buf *);

#endif
