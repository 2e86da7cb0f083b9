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

#endif
