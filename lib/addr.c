/*
 * Address and prefix helpers; see addr.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "str.h"

int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

char *
addr_fmt(const struct addr *a, char *out, size_t len)
{
	if (a->family == AF_UNSPEC ||
	    inet_ntop(a->family, a->bytes, out, (socklen_t)len) == NULL)
		str_lcpy(out, "-", len);
	return out;
}

size_t
addr_len(const struct addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
}

int
addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

static int
prefix_host_bits(const struct prefix *p)
{
	size_t i, n = addr_len(&p->addr);

	for (i = 0; i < n; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if (p->addr.bytes[i] & (uint8_t)~mask)
			return 1;
	}
	return 0;
}

/*
 * "a.b.c.d/len" or an address alone (a host prefix).  Host bits must be
 * zero: "192.168.10.1/24" is a typo for a network more often than not.
 * *hostbits says which check failed, so the caller can suggest the fix.
 */
int
prefix_parse(const char *s, struct prefix *p, int *hostbits)
{
	char tmp[PREFIX_STR_MAX];
	const char *slash;
	uint32_t len;

	*hostbits = 0;
	memset(p, 0, sizeof(*p));
	if (str_lcpy(tmp, s, sizeof(tmp)) >= sizeof(tmp))
		return -1;
	if ((slash = strchr(s, '/')) != NULL)
		tmp[slash - s] = '\0';
	if (addr_parse(tmp, &p->addr) == -1)
		return -1;
	if (slash == NULL) {
		p->len = (uint8_t)(addr_len(&p->addr) * 8);
		return 0;
	}
	if (str_to_u32(slash + 1, 0, (uint32_t)addr_len(&p->addr) * 8, &len) ==
	    -1)
		return -1;
	p->len = (uint8_t)len;
	if (prefix_host_bits(p)) {
		*hostbits = 1;
		return -1;
	}
	return 0;
}

char *
prefix_fmt(const struct prefix *p, char *out, size_t len)
{
	char a[ADDR_STR_MAX];

	snprintf(out, len, "%s/%u", addr_fmt(&p->addr, a, sizeof(a)), p->len);
	return out;
}

static int
prefix_match(const struct addr *a, const struct addr *b, unsigned len)
{
	size_t i;

	for (i = 0; len > 0; i++) {
		unsigned bits = len >= 8 ? 8 : len;
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((a->bytes[i] & mask) != (b->bytes[i] & mask))
			return 0;
		len -= bits;
	}
	return 1;
}

int
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && addr_eq(&a->addr, &b->addr);
}

int
prefix_contains(const struct prefix *p, const struct addr *a)
{
	return p->addr.family == a->family && prefix_match(&p->addr, a, p->len);
}

int
prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return a->addr.family == b->addr.family &&
	       prefix_match(&a->addr, &b->addr,
			    a->len < b->len ? a->len : b->len);
}
