/*
 * ISAKMP parsing; see ike_wire.h.  Every check counts bytes with a size_t
 * offset and the bytes left, never by comparing pointers, so a hostile
 * length cannot wrap a pointer past the end of the datagram.
 */
#include <string.h>

#include "ike_wire.h"

#define WIRE_AF		 0x8000 /* attribute format bit: basic (TV) */
#define WIRE_ATTR_TYPE	 0x7fff
#define WIRE_SA_FIXED	 8 /* DOI, situation */
#define WIRE_PROP_FIXED	 4 /* proposal #, protocol, SPI size, # xforms */
#define WIRE_XFORM_FIXED 4 /* transform #, id, 2 reserved */
#define WIRE_ID_FIXED	 4 /* type, protocol, port */
#define WIRE_N_FIXED	 8 /* DOI, protocol, SPI size, type */
#define WIRE_D_FIXED	 8 /* DOI, protocol, SPI size, # SPIs */
#define WIRE_ESP_SPI	 4
#define WIRE_NOMAX	 IKE_MSG_MAX

#define nitems(a)	 (sizeof(a) / sizeof((a)[0]))

struct wire_name {
	unsigned code;
	const char *name;
};

/*
 * Payload types: "top" may start a payload of the message chain (P and T
 * only live inside an SA); min/max bound the body; check refines it.
 */
struct wire_pld {
	uint8_t type;
	const char *name;
	int top;
	size_t min;
	size_t max;
	int (*check)(const uint8_t *, size_t);
};

struct wire_id {
	uint8_t type;
	const char *name;
	size_t min;
	size_t max;
};

static int wire_n_check(const uint8_t *, size_t);
static int wire_d_check(const uint8_t *, size_t);

static const char *const wire_drop_names[] = {
    [IKE_DROP_NONE] = "none",
    [IKE_DROP_SHORT] = "short",
    [IKE_DROP_VERSION] = "bad-version",
    [IKE_DROP_EXCHANGE] = "bad-exchange",
    [IKE_DROP_FLAGS] = "bad-flags",
    [IKE_DROP_LENGTH] = "bad-length",
    [IKE_DROP_PAYLOAD_LEN] = "bad-payload-length",
    [IKE_DROP_PAYLOAD_TYPE] = "bad-payload-type",
    [IKE_DROP_RESERVED] = "reserved-set",
    [IKE_DROP_TOO_MANY] = "too-many",
    [IKE_DROP_MALFORMED] = "malformed",
    [IKE_DROP_UNEXPECTED] = "unexpected",
    [IKE_DROP_MISSING] = "missing",
    [IKE_DROP_DECRYPT] = "decrypt",
    [IKE_DROP_HASH] = "bad-hash",
    [IKE_DROP_NO_SA] = "no-sa",
    [IKE_DROP_STATE] = "bad-state",
    [IKE_DROP_DUPLICATE] = "duplicate",
    [IKE_DROP_MSGID] = "bad-msgid",
    [IKE_DROP_RATE] = "rate-limit",
};
_Static_assert(nitems(wire_drop_names) == IKE_DROP_COUNT,
	       "a drop reason without a name");

static const struct wire_name wire_exchs[] = {
    {IKE_EXCH_ID_PROT, "main"},
    {IKE_EXCH_AGGRESSIVE, "aggressive"},
    {IKE_EXCH_INFO, "informational"},
    {IKE_EXCH_QUICK, "quick"},
};

static const struct wire_pld wire_plds[] = {
    {IKE_PLD_NONE, "NONE", 0, 0, 0, NULL},
    {IKE_PLD_SA, "SA", 1, WIRE_SA_FIXED, WIRE_NOMAX, NULL},
    {IKE_PLD_P, "P", 0, 0, 0, NULL},
    {IKE_PLD_T, "T", 0, 0, 0, NULL},
    {IKE_PLD_KE, "KE", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_ID, "ID", 1, WIRE_ID_FIXED, WIRE_NOMAX, NULL},
    {IKE_PLD_CERT, "CERT", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_CR, "CR", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_HASH, "HASH", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_SIG, "SIG", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_NONCE, "NONCE", 1, IKE_NONCE_MIN, IKE_NONCE_MAX, NULL},
    {IKE_PLD_N, "N", 1, WIRE_N_FIXED, WIRE_NOMAX, wire_n_check},
    {IKE_PLD_D, "D", 1, WIRE_D_FIXED, WIRE_NOMAX, wire_d_check},
    {IKE_PLD_VID, "VID", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_NAT_D, "NAT-D", 1, 1, WIRE_NOMAX, NULL},
    /* ID type, 3 reserved bytes and at least an IPv4 address */
    {IKE_PLD_NAT_OA, "NAT-OA", 1, 8, WIRE_NOMAX, NULL},
    {IKE_PLD_NAT_D_DRAFT, "NAT-D-DRAFT", 1, 1, WIRE_NOMAX, NULL},
    {IKE_PLD_NAT_OA_DRAFT, "NAT-OA-DRAFT", 1, 8, WIRE_NOMAX, NULL},
};

static const struct wire_id wire_ids[] = {
    {IKE_ID_IPV4_ADDR, "IPV4_ADDR", 4, 4},
    {IKE_ID_FQDN, "FQDN", 1, WIRE_NOMAX},
    {IKE_ID_USER_FQDN, "USER_FQDN", 1, WIRE_NOMAX},
    {IKE_ID_IPV4_SUBNET, "IPV4_ADDR_SUBNET", 8, 8},
    {IKE_ID_IPV6_ADDR, "IPV6_ADDR", 16, 16},
    {IKE_ID_IPV6_SUBNET, "IPV6_ADDR_SUBNET", 32, 32},
    {IKE_ID_IPV4_RANGE, "IPV4_ADDR_RANGE", 8, 8},
    {IKE_ID_IPV6_RANGE, "IPV6_ADDR_RANGE", 32, 32},
    {IKE_ID_KEY_ID, "KEY_ID", 1, WIRE_NOMAX},
};

/* The SPI size a delete must carry per protocol: cookie pair, or SPI. */
static const uint8_t wire_d_spisizes[] = {
    [IKE_PROTO_ISAKMP] = IKE_SPI_MAX,
    [IKE_PROTO_AH] = WIRE_ESP_SPI,
    [IKE_PROTO_ESP] = WIRE_ESP_SPI,
};

static const struct wire_name wire_notifies[] = {
    {IKE_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE"},
    {IKE_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED"},
    {IKE_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED"},
    {IKE_N_INVALID_COOKIE, "INVALID-COOKIE"},
    {IKE_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION"},
    {IKE_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION"},
    {IKE_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE"},
    {IKE_N_INVALID_FLAGS, "INVALID-FLAGS"},
    {IKE_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID"},
    {IKE_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID"},
    {IKE_N_INVALID_SPI, "INVALID-SPI"},
    {IKE_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID"},
    {IKE_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED"},
    {IKE_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN"},
    {IKE_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX"},
    {IKE_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED"},
    {IKE_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION"},
    {IKE_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION"},
    {IKE_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING"},
    {IKE_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE"},
    {IKE_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED"},
    {IKE_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY"},
    {IKE_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION"},
    {IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED"},
    {IKE_N_INVALID_SIGNATURE, "INVALID-SIGNATURE"},
    {IKE_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION"},
    {IKE_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME"},
    {IKE_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE"},
    {IKE_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE"},
    {IKE_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS"},
    {IKE_N_CONNECTED, "CONNECTED"},
    {IKE_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME"},
    {IKE_N_REPLAY_STATUS, "REPLAY-STATUS"},
    {IKE_N_INITIAL_CONTACT, "INITIAL-CONTACT"},
    {IKE_N_R_U_THERE, "R-U-THERE"},
    {IKE_N_R_U_THERE_ACK, "R-U-THERE-ACK"},
};

static uint16_t
wire_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
wire_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The caller may pass a NULL reason when it only wants yes or no. */
static int
wire_fail(enum ike_drop *why, enum ike_drop r)
{
	if (why != NULL)
		*why = r;
	return -1;
}

static int
wire_ok(enum ike_drop *why)
{
	if (why != NULL)
		*why = IKE_DROP_NONE;
	return 0;
}

static const char *
wire_name(const struct wire_name *t, size_t n, unsigned code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

static const struct wire_pld *
wire_pld_info(uint8_t type)
{
	size_t i;

	for (i = 0; i < nitems(wire_plds); i++)
		if (wire_plds[i].type == type)
			return &wire_plds[i];
	return NULL;
}

static const struct wire_id *
wire_id_info(uint8_t type)
{
	size_t i;

	for (i = 0; i < nitems(wire_ids); i++)
		if (wire_ids[i].type == type)
			return &wire_ids[i];
	return NULL;
}

int
ike_wire_hdr(const uint8_t *p, size_t len, struct ike_hdr *hdr,
	     enum ike_drop *why)
{
	uint32_t hlen;

	if (len < IKE_HDR_LEN)
		return wire_fail(why, IKE_DROP_SHORT);
	/* RFC 2408 3.1: a minor version we do not know is still accepted */
	if ((p[17] >> 4) != (IKE_VERSION >> 4))
		return wire_fail(why, IKE_DROP_VERSION);
	if (wire_name(wire_exchs, nitems(wire_exchs), p[18]) == NULL)
		return wire_fail(why, IKE_DROP_EXCHANGE);
	if (p[19] & ~(IKE_FLAG_ENC | IKE_FLAG_COMMIT | IKE_FLAG_AUTH_ONLY))
		return wire_fail(why, IKE_DROP_FLAGS);
	hlen = wire_rd32(p + 24);
	if (hlen > len)
		return wire_fail(why, IKE_DROP_SHORT);
	/* also a length below the header's own, since len >= IKE_HDR_LEN */
	if (hlen < len)
		return wire_fail(why, IKE_DROP_LENGTH);
	memcpy(hdr->icookie, p, sizeof(hdr->icookie));
	memcpy(hdr->rcookie, p + 8, sizeof(hdr->rcookie));
	hdr->next = p[16];
	hdr->version = p[17];
	hdr->exch = p[18];
	hdr->flags = p[19];
	hdr->msgid = wire_rd32(p + 20);
	hdr->len = hlen;
	return wire_ok(why);
}

/* N: the SPI must fit in the body after the fixed part. */
static int
wire_n_check(const uint8_t *b, size_t len)
{
	return len - WIRE_N_FIXED >= b[5] ? 0 : -1;
}

/* D: the SPIs fill the body exactly. */
static int
wire_d_check(const uint8_t *b, size_t len)
{
	return len - WIRE_D_FIXED == (size_t)wire_rd16(b + 6) * b[5] ? 0 : -1;
}

/* One payload of the top-level chain at "off"; its full length in *plen. */
static enum ike_drop
wire_pld_one(uint8_t type, const uint8_t *p, size_t off, size_t len,
	     size_t *plen)
{
	const struct wire_pld *t;
	size_t left = len - off, n, body;

	if (left < IKE_GEN_LEN)
		return IKE_DROP_PAYLOAD_LEN;
	if (p[off + 1] != 0)
		return IKE_DROP_RESERVED;
	n = wire_rd16(p + off + 2);
	if (n < IKE_GEN_LEN || n > left)
		return IKE_DROP_PAYLOAD_LEN;
	if ((t = wire_pld_info(type)) == NULL || !t->top)
		return IKE_DROP_PAYLOAD_TYPE;
	body = n - IKE_GEN_LEN;
	if (body < t->min || body > t->max ||
	    (t->check != NULL && t->check(p + off + IKE_GEN_LEN, body) == -1))
		return IKE_DROP_MALFORMED;
	*plen = n;
	return IKE_DROP_NONE;
}

int
ike_wire_chain(uint8_t first, const uint8_t *p, size_t len, int encrypted,
	       struct ike_msg *msg, enum ike_drop *why)
{
	struct ike_pld *pld;
	enum ike_drop r;
	size_t off = 0, plen = 0;
	uint8_t type = first;

	msg->npld = 0;
	msg->padding = 0;
	while (type != IKE_PLD_NONE) {
		r = IKE_DROP_TOO_MANY;
		if (msg->npld == IKE_PLD_MAX)
			goto fail;
		if ((r = wire_pld_one(type, p, off, len, &plen)) !=
		    IKE_DROP_NONE)
			goto fail;
		pld = &msg->pld[msg->npld++];
		pld->type = type;
		pld->body = p + off + IKE_GEN_LEN;
		pld->len = plen - IKE_GEN_LEN;
		type = p[off];
		off += plen;
	}
	/* CBC padding follows the chain of a decrypted message, nothing else */
	r = IKE_DROP_LENGTH;
	if (off < len && !encrypted)
		goto fail;
	msg->padding = len - off;
	return wire_ok(why);
fail:
	msg->npld = 0;
	return wire_fail(why, r);
}

/* nth counts from 0: the second NAT-D payload is nth 1. */
const struct ike_pld *
ike_wire_find(const struct ike_msg *msg, uint8_t type, int nth)
{
	int i;

	for (i = 0; i < msg->npld; i++)
		if (msg->pld[i].type == type && nth-- == 0)
			return &msg->pld[i];
	return NULL;
}

int
ike_wire_count(const struct ike_msg *msg, uint8_t type)
{
	int i, n = 0;

	for (i = 0; i < msg->npld; i++)
		if (msg->pld[i].type == type)
			n++;
	return n;
}

/*
 * The generic header of a proposal or transform at "off": next must be
 * "want" or 0; its full length goes to *plen.
 */
static enum ike_drop
wire_sub(const uint8_t *p, size_t off, size_t len, uint8_t want, uint8_t *next,
	 size_t *plen)
{
	size_t left = len - off, n;

	if (left < IKE_GEN_LEN)
		return IKE_DROP_PAYLOAD_LEN;
	if (p[off] != want && p[off] != IKE_PLD_NONE)
		return IKE_DROP_PAYLOAD_TYPE;
	if (p[off + 1] != 0)
		return IKE_DROP_RESERVED;
	n = wire_rd16(p + off + 2);
	if (n < IKE_GEN_LEN || n > left)
		return IKE_DROP_PAYLOAD_LEN;
	*next = p[off];
	*plen = n;
	return IKE_DROP_NONE;
}

static enum ike_drop
wire_xform(const uint8_t *b, size_t len, struct ike_xform *xf)
{
	if (len < WIRE_XFORM_FIXED)
		return IKE_DROP_MALFORMED;
	if (b[2] != 0 || b[3] != 0)
		return IKE_DROP_RESERVED;
	if (ike_wire_attrs_valid(b + WIRE_XFORM_FIXED,
				 len - WIRE_XFORM_FIXED) == -1)
		return IKE_DROP_MALFORMED;
	xf->num = b[0];
	xf->id = b[1];
	xf->attrs = b + WIRE_XFORM_FIXED;
	xf->attrslen = len - WIRE_XFORM_FIXED;
	return IKE_DROP_NONE;
}

/* The transforms of a proposal from "off" to the end of its body. */
static enum ike_drop
wire_xforms(const uint8_t *b, size_t off, size_t len, struct ike_prop *prop)
{
	enum ike_drop r;
	uint8_t next = IKE_PLD_T;
	size_t plen = 0;

	prop->nxform = 0;
	while (next == IKE_PLD_T) {
		if (prop->nxform == IKE_XFORM_MAX)
			return IKE_DROP_TOO_MANY;
		r = wire_sub(b, off, len, IKE_PLD_T, &next, &plen);
		if (r != IKE_DROP_NONE)
			return r;
		r = wire_xform(b + off + IKE_GEN_LEN, plen - IKE_GEN_LEN,
			       &prop->xform[prop->nxform]);
		if (r != IKE_DROP_NONE)
			return r;
		prop->nxform++;
		off += plen;
	}
	return off == len ? IKE_DROP_NONE : IKE_DROP_MALFORMED;
}

static enum ike_drop
wire_prop(const uint8_t *b, size_t len, struct ike_prop *prop)
{
	enum ike_drop r;
	size_t spisize;

	if (len < WIRE_PROP_FIXED)
		return IKE_DROP_MALFORMED;
	spisize = b[2];
	if (spisize > IKE_SPI_MAX || len - WIRE_PROP_FIXED < spisize)
		return IKE_DROP_MALFORMED;
	prop->num = b[0];
	prop->proto = b[1];
	prop->spisize = b[2];
	memset(prop->spi, 0, sizeof(prop->spi));
	memcpy(prop->spi, b + WIRE_PROP_FIXED, spisize);
	r = wire_xforms(b, WIRE_PROP_FIXED + spisize, len, prop);
	if (r == IKE_DROP_NONE && prop->nxform != b[3])
		r = IKE_DROP_MALFORMED;
	return r;
}

int
ike_wire_sa(const struct ike_pld *pld, struct ike_sa_pld *sa,
	    enum ike_drop *why)
{
	enum ike_drop r = IKE_DROP_MALFORMED;
	uint8_t next = IKE_PLD_P;
	size_t off = WIRE_SA_FIXED, plen = 0;

	sa->nprop = 0;
	/* an SA without a single proposal offers nothing */
	if (pld->len <= WIRE_SA_FIXED)
		goto fail;
	sa->doi = wire_rd32(pld->body);
	sa->situation = wire_rd32(pld->body + 4);
	while (next == IKE_PLD_P) {
		r = IKE_DROP_TOO_MANY;
		if (sa->nprop == IKE_PROP_MAX)
			goto fail;
		r = wire_sub(pld->body, off, pld->len, IKE_PLD_P, &next, &plen);
		if (r != IKE_DROP_NONE)
			goto fail;
		r = wire_prop(pld->body + off + IKE_GEN_LEN, plen - IKE_GEN_LEN,
			      &sa->prop[sa->nprop]);
		if (r != IKE_DROP_NONE)
			goto fail;
		sa->nprop++;
		off += plen;
	}
	r = IKE_DROP_MALFORMED;
	if (off != pld->len)
		goto fail;
	return wire_ok(why);
fail:
	sa->nprop = 0;
	return wire_fail(why, r);
}

/*
 * Basic attributes leave data NULL; a TLV's value doubles as a number when
 * it fits in 64 bits (life durations, key lengths), else only data/len.
 */
int
ike_wire_attr(const uint8_t **pp, size_t *left, struct ike_attr *attr)
{
	const uint8_t *p = *pp;
	size_t n, i, used;

	if (*left == 0)
		return 0;
	if (*left < 4)
		return -1;
	memset(attr, 0, sizeof(*attr));
	attr->type = wire_rd16(p) & WIRE_ATTR_TYPE;
	if (wire_rd16(p) & WIRE_AF) {
		attr->basic = 1;
		attr->value = wire_rd16(p + 2);
		used = 4;
	} else {
		n = wire_rd16(p + 2);
		if (n > *left - 4)
			return -1;
		attr->data = p + 4;
		attr->len = n;
		for (i = 0; n <= sizeof(attr->value) && i < n; i++)
			attr->value = attr->value << 8 | p[4 + i];
		used = 4 + n;
	}
	*pp = p + used;
	*left -= used;
	return 1;
}

int
ike_wire_attrs_valid(const uint8_t *p, size_t len)
{
	struct ike_attr attr;
	int n = 0, rv;

	while ((rv = ike_wire_attr(&p, &len, &attr)) == 1)
		if (++n > IKE_ATTR_MAX)
			return -1;
	return rv;
}

int
ike_wire_id(const struct ike_pld *pld, struct ike_id_pld *id,
	    enum ike_drop *why)
{
	const struct wire_id *t;
	size_t n;

	if (pld->len < WIRE_ID_FIXED ||
	    (t = wire_id_info(pld->body[0])) == NULL)
		return wire_fail(why, IKE_DROP_MALFORMED);
	n = pld->len - WIRE_ID_FIXED;
	if (n < t->min || n > t->max)
		return wire_fail(why, IKE_DROP_MALFORMED);
	id->type = pld->body[0];
	id->proto = pld->body[1];
	id->port = wire_rd16(pld->body + 2);
	id->data = pld->body + WIRE_ID_FIXED;
	id->len = n;
	return wire_ok(why);
}

int
ike_wire_n(const struct ike_pld *pld, struct ike_n_pld *n, enum ike_drop *why)
{
	const uint8_t *b = pld->body;
	size_t off;

	if (pld->len < WIRE_N_FIXED || b[5] > IKE_SPI_MAX ||
	    wire_n_check(b, pld->len) == -1)
		return wire_fail(why, IKE_DROP_MALFORMED);
	off = WIRE_N_FIXED + b[5];
	n->doi = wire_rd32(b);
	n->proto = b[4];
	n->spisize = b[5];
	n->type = wire_rd16(b + 6);
	n->spi = n->spisize > 0 ? b + WIRE_N_FIXED : NULL;
	n->datalen = pld->len - off;
	n->data = n->datalen > 0 ? b + off : NULL;
	return wire_ok(why);
}

int
ike_wire_d(const struct ike_pld *pld, struct ike_d_pld *d, enum ike_drop *why)
{
	const uint8_t *b = pld->body;

	if (pld->len < WIRE_D_FIXED || wire_d_check(b, pld->len) == -1 ||
	    b[4] >= nitems(wire_d_spisizes) || b[5] == 0 ||
	    b[5] != wire_d_spisizes[b[4]] || wire_rd16(b + 6) == 0)
		return wire_fail(why, IKE_DROP_MALFORMED);
	d->doi = wire_rd32(b);
	d->proto = b[4];
	d->spisize = b[5];
	d->nspi = wire_rd16(b + 6);
	d->spis = b + WIRE_D_FIXED;
	return wire_ok(why);
}

int
ike_wire_nonce(const struct ike_pld *pld, enum ike_drop *why)
{
	if (pld->len < IKE_NONCE_MIN || pld->len > IKE_NONCE_MAX)
		return wire_fail(why, IKE_DROP_MALFORMED);
	return wire_ok(why);
}

const char *
ike_wire_drop_name(enum ike_drop r)
{
	if ((unsigned)r >= IKE_DROP_COUNT)
		return "unknown";
	return wire_drop_names[r];
}

const char *
ike_wire_exch_name(uint8_t exch)
{
	const char *s = wire_name(wire_exchs, nitems(wire_exchs), exch);

	return s != NULL ? s : "unknown";
}

const char *
ike_wire_pld_name(uint8_t type)
{
	const struct wire_pld *t = wire_pld_info(type);

	return t != NULL ? t->name : "UNKNOWN";
}

const char *
ike_wire_notify_name(uint16_t type)
{
	const char *s = wire_name(wire_notifies, nitems(wire_notifies), type);

	return s != NULL ? s : "UNKNOWN";
}

const char *
ike_wire_id_name(uint8_t type)
{
	const struct wire_id *t = wire_id_info(type);

	return t != NULL ? t->name : "UNKNOWN";
}
