/*
 * Identities: phase-1 IDs (who the peer is) and phase-2 proxy IDs (which
 * traffic an IPsec SA carries).  Only protocol 0 / port 0 selectors are
 * taken: a route-based tunnel carries all traffic between its networks.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ike.h"
#include "str.h"

/* Our phase-1 identity, as an ID payload body. */
int
ike_id_p1_local(const struct ike_sa *sa, struct buf *b)
{
	const struct conf_id *id = &sa->peer->conf->local_id;
	const struct addr *a = &sa->local.addr;
	uint8_t head[4] = {0, 0, 0, 0};

	switch (id->type) {
	case CONF_ID_DEFAULT:
	case CONF_ID_ADDRESS:
		if (id->type == CONF_ID_ADDRESS)
			a = &id->addr;
		head[0] =
		    a->family == AF_INET6 ? IKE_ID_IPV6_ADDR : IKE_ID_IPV4_ADDR;
		buf_add(b, head, sizeof(head));
		return buf_add(b, a->bytes, addr_len(a));
	case CONF_ID_FQDN:
		head[0] = IKE_ID_FQDN;
		break;
	case CONF_ID_USER_FQDN:
		head[0] = IKE_ID_USER_FQDN;
		break;
	case CONF_ID_KEY_ID:
		head[0] = IKE_ID_KEY_ID;
		break;
	}
	buf_add(b, head, sizeof(head));
	return buf_add(b, id->value, strlen(id->value));
}

static int
ike_id_text(const struct ike_id_pld *id, enum conf_id_type type,
	    struct conf_id *out)
{
	size_t i;

	if (id->len >= sizeof(out->value))
		return -1;
	for (i = 0; i < id->len; i++)
		if (id->data[i] == '\0')
			return -1;
	out->type = type;
	memcpy(out->value, id->data, id->len);
	out->value[id->len] = '\0';
	return 0;
}

int
ike_id_p1_parse(const struct ike_id_pld *id, struct conf_id *out)
{
	memset(out, 0, sizeof(*out));
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
		out->type = CONF_ID_ADDRESS;
		out->addr.family = AF_INET;
		memcpy(out->addr.bytes, id->data, 4);
		return 0;
	case IKE_ID_IPV6_ADDR:
		out->type = CONF_ID_ADDRESS;
		out->addr.family = AF_INET6;
		memcpy(out->addr.bytes, id->data, 16);
		return 0;
	case IKE_ID_FQDN:
		return ike_id_text(id, CONF_ID_FQDN, out);
	case IKE_ID_USER_FQDN:
		return ike_id_text(id, CONF_ID_USER_FQDN, out);
	case IKE_ID_KEY_ID:
		return ike_id_text(id, CONF_ID_KEY_ID, out);
	default:
		return -1;
	}
}

/* Host names compare without case; key ids and user names with. */
int
ike_id_p1_match(const struct conf_id *want, const struct conf_id *got)
{
	if (want->type != got->type)
		return 0;
	switch (want->type) {
	case CONF_ID_ADDRESS:
		return addr_eq(&want->addr, &got->addr);
	case CONF_ID_FQDN:
		return strcasecmp(want->value, got->value) == 0;
	default:
		return strcmp(want->value, got->value) == 0;
	}
}

/* What the peer must present: remote-id, or its address. */
void
ike_id_remote_expected(const struct ike_sa *sa, struct conf_id *out)
{
	const struct conf_ike_peer *c = sa->peer->conf;

	if (c->remote_id.type != CONF_ID_DEFAULT) {
		*out = c->remote_id;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->type = CONF_ID_ADDRESS;
	out->addr = c->any ? sa->remote.addr : c->addr;
}

char *
ike_id_fmt(const struct conf_id *id, char *out, size_t len)
{
	char a[ADDR_STR_MAX], v[CONF_ID_MAX];
	size_t i;

	if (id->type == CONF_ID_DEFAULT) {
		str_lcpy(out, "-", len);
		return out;
	}
	if (id->type == CONF_ID_ADDRESS) {
		str_lcpy(out, addr_fmt(&id->addr, a, sizeof(a)), len);
		return out;
	}
	/* A peer's ID is its choice of bytes: show them safely. */
	for (i = 0; i < sizeof(v) - 1 && id->value[i] != '\0'; i++)
		v[i] =
		    isprint((unsigned char)id->value[i]) ? id->value[i] : '?';
	v[i] = '\0';
	snprintf(out, len, "%s:%s", conf_id_type_name(id->type), v);
	return out;
}

/* --- phase 2 --- */

static void
ike_id_mask(uint8_t *mask, size_t n, unsigned plen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned bits = plen > i * 8 ? plen - (unsigned)i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
	}
}

void
ike_id_p2_build(struct ike_build *b, const struct prefix *p)
{
	uint8_t data[32], mask[16];
	size_t n = addr_len(&p->addr);
	uint8_t type;

	memcpy(data, p->addr.bytes, n);
	if (p->len == n * 8) {
		type = n == 4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
	} else {
		type = n == 4 ? IKE_ID_IPV4_SUBNET : IKE_ID_IPV6_SUBNET;
		ike_id_mask(mask, n, p->len);
		memcpy(data + n, mask, n);
		n *= 2;
	}
	ike_build_id(b, type, 0, 0, data, n);
}

/* A netmask to a length; -1 when it is not contiguous. */
static int
ike_id_plen(const uint8_t *mask, size_t n)
{
	size_t i;
	int len = 0, seen_zero = 0;

	for (i = 0; i < n * 8; i++) {
		int bit = mask[i / 8] >> (7 - i % 8) & 1;

		if (bit && seen_zero)
			return -1;
		if (bit)
			len++;
		else
			seen_zero = 1;
	}
	return len;
}

/* A proxy ID to a prefix; ranges and port selectors are refused. */
int
ike_id_p2_parse(const struct ike_id_pld *id, struct prefix *out)
{
	size_t n, i;
	int plen;

	memset(out, 0, sizeof(*out));
	if (id->proto != 0 || id->port != 0)
		return -1;
	if (id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV4_SUBNET) {
		out->addr.family = AF_INET;
		n = 4;
	} else if (id->type == IKE_ID_IPV6_ADDR ||
		   id->type == IKE_ID_IPV6_SUBNET) {
		out->addr.family = AF_INET6;
		n = 16;
	} else {
		return -1;
	}
	memcpy(out->addr.bytes, id->data, n);
	if (id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV6_ADDR) {
		out->len = (uint8_t)(n * 8);
		return 0;
	}
	if ((plen = ike_id_plen(id->data + n, n)) == -1)
		return -1;
	out->len = (uint8_t)plen;
	for (i = 0; i < n; i++)
		out->addr.bytes[i] &= id->data[n + i];
	return 0;
}
