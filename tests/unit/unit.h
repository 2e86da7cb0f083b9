/*
 * Helpers shared by the unit tests; include after <cmocka.h>.
 */
#ifndef FLEETVPN_UNIT_H
#define FLEETVPN_UNIT_H

#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

/* struct iovec is not const-qualified; the crypto functions only read. */
static inline struct iovec
iov(const void *p, size_t len)
{
	struct iovec v;

	v.iov_base = (void *)(uintptr_t)p;
	v.iov_len = len;
	return v;
}

static inline unsigned int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	fail_msg("bad hex digit '%c'", c);
	return 0;
}

/* Test vectors are written in hex; at most max bytes come out. */
static inline size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i;

	assert_true(n % 2 == 0 && n / 2 <= max);
	for (i = 0; i < n / 2; i++)
		out[i] =
		    (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	return n / 2;
}

/* An independent checksum, byte by byte, and byte accessors: the
 * references the packet code is checked against. */

static inline uint64_t
t_sum(uint64_t acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	return acc;
}

static inline uint16_t
t_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static inline uint16_t
t_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
t_rd32(const uint8_t *p)
{
	return (uint32_t)t_rd16(p) << 16 | t_rd16(p + 2);
}

static inline void
t_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
t_wr32(uint8_t *p, uint32_t v)
{
	t_wr16(p, (uint16_t)(v >> 16));
	t_wr16(p + 2, (uint16_t)v);
}

#endif
