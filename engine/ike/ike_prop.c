/*
 * Proposals: ours on the wire, theirs decoded, and the choice.  Phase 1
 * sends one ISAKMP proposal whose transforms are the peer's configured
 * proposals in order; phase 2 one ESP proposal whose transforms are the
 * "esp" lines.  A responder walks its own list in order and takes the
 * first it finds among the peer's offers ("the responder picks by its
 * configured order"), then echoes the chosen transform unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"

#define IKE_LIFE_DEFAULT_S 28800 /* RFC 2407 4.5, RFC 2409 */

enum crypto_cipher
ike_prop_cipher(enum conf_ike_enc e, size_t *keylen)
{
	switch (e) {
	case CONF_IKE_AES128:
		*keylen = 16;
		return CRYPTO_AES128_CBC;
	case CONF_IKE_AES192:
		*keylen = 24;
		return CRYPTO_AES192_CBC;
	case CONF_IKE_AES256:
		*keylen = 32;
		return CRYPTO_AES256_CBC;
	default:
		*keylen = 24;
		return CRYPTO_3DES_CBC;
	}
}

enum crypto_hash
ike_prop_hash(enum conf_hash h)
{
	static const enum crypto_hash map[] = {
	    [CONF_HASH_MD5] = CRYPTO_MD5,
	    [CONF_HASH_SHA1] = CRYPTO_SHA1,
	    [CONF_HASH_SHA256] = CRYPTO_SHA256,
	    [CONF_HASH_SHA384] = CRYPTO_SHA384,
	    [CONF_HASH_SHA512] = CRYPTO_SHA512,
	};

	return map[h];
}

/* Wire values of the phase-1 hash attribute, indexed by enum conf_hash. */
static const uint16_t ike_prop_hash_ids[] = {
    [CONF_HASH_MD5] = IKE_HASH_MD5,	  [CONF_HASH_SHA1] = IKE_HASH_SHA1,
    [CONF_HASH_SHA256] = IKE_HASH_SHA256, [CONF_HASH_SHA384] = IKE_HASH_SHA384,
    [CONF_HASH_SHA512] = IKE_HASH_SHA512,
};

/* ESP: transform id, key bits, and integrity algorithm on the wire. */
static const struct {
	uint8_t id;
	uint16_t bits;
} ike_prop_esp_ids[] = {
    [CONF_ESP_AES128] = {ESP_AES_CBC, 128},
    [CONF_ESP_AES192] = {ESP_AES_CBC, 192},
    [CONF_ESP_AES256] = {ESP_AES_CBC, 256},
    [CONF_ESP_3DES] = {ESP_3DES, 0},
    [CONF_ESP_AES128GCM] = {ESP_AES_GCM_16, 128},
    [CONF_ESP_AES192GCM] = {ESP_AES_GCM_16, 192},
    [CONF_ESP_AES256GCM] = {ESP_AES_GCM_16, 256},
};

static const uint16_t ike_prop_auth_ids[] = {
    [CONF_INTEG_NONE] = 0,
    [CONF_INTEG_MD5] = IPSEC_AUTH_HMAC_MD5,
    [CONF_INTEG_SHA1] = IPSEC_AUTH_HMAC_SHA1,
    [CONF_INTEG_SHA256] = IPSEC_AUTH_HMAC_SHA256,
    [CONF_INTEG_SHA384] = IPSEC_AUTH_HMAC_SHA384,
    [CONF_INTEG_SHA512] = IPSEC_AUTH_HMAC_SHA512,
};

/* Key material an ESP SA needs per direction (RFC 4106: GCM salt too). */
size_t
ike_prop_esp_keylen(enum conf_esp_enc e)
{
	size_t bytes = ike_prop_esp_ids[e].bits / 8;

	if (e == CONF_ESP_3DES)
		return 24;
	return conf_esp_is_aead(e) ? bytes + 4 : bytes;
}

size_t
ike_prop_esp_authlen(enum conf_esp_integ i)
{
	static const size_t len[] = {
	    [CONF_INTEG_NONE] = 0,    [CONF_INTEG_MD5] = 16,
	    [CONF_INTEG_SHA1] = 20,   [CONF_INTEG_SHA256] = 32,
	    [CONF_INTEG_SHA384] = 48, [CONF_INTEG_SHA512] = 64,
	};

	return len[i];
}

const char *
ike_prop_esp_name(enum conf_esp_enc e, enum conf_esp_integ i, char *out,
		  size_t len)
{
	if (i == CONF_INTEG_NONE)
		snprintf(out, len, "esp-%s", conf_esp_enc_name(e));
	else
		snprintf(out, len, "esp-%s-%s", conf_esp_enc_name(e),
			 conf_esp_integ_name(i));
	return out;
}

static void
ike_prop_life(struct buf *b, uint16_t type_attr, uint16_t dur_attr,
	      const struct conf_lifetime *lt)
{
	ike_build_attr(b, type_attr, IKE_LIFE_SECONDS);
	ike_build_attr(b, dur_attr, lt->seconds);
	if (lt->kilobytes != 0) {
		ike_build_attr(b, type_attr, IKE_LIFE_KILOBYTES);
		ike_build_attr(b, dur_attr, lt->kilobytes);
	}
}

/*
 * A life type or duration attribute (the pair comes as type, then
 * duration; each kind may come once).  "type_attr" is the number of the
 * life-type attribute in this DOI: 11 in phase 1, 1 in phase 2.
 */
int
ike_prop_life_attr(const struct ike_attr *a, uint16_t type_attr, int *lifetype,
		   uint32_t *secs, uint64_t *kb)
{
	if (a->type == type_attr) {
		*lifetype = (int)a->value;
		return (*lifetype == IKE_LIFE_SECONDS ||
			*lifetype == IKE_LIFE_KILOBYTES)
			   ? 0
			   : -1;
	}
	if (*lifetype == IKE_LIFE_SECONDS)
		*secs = a->value > UINT32_MAX ? UINT32_MAX : (uint32_t)a->value;
	else if (*lifetype == IKE_LIFE_KILOBYTES)
		*kb = a->value;
	else
		return -1;
	return 0;
}

static void
ike_prop_choice(struct ike_choice *ch, const struct ike_prop *pr, int k)
{
	ch->propnum = pr->num;
	ch->proto = pr->proto;
	ch->xnum = pr->xform[k].num;
	ch->xid = pr->xform[k].id;
	ch->attrs = pr->xform[k].attrs;
	ch->attrslen = pr->xform[k].attrslen;
}

static void
ike_prop_sa_head(struct buf *b)
{
	static const uint8_t head[8] = {0, 0, 0, IKE_DOI_IPSEC,
					0, 0, 0, IKE_SIT_IDENTITY_ONLY};

	buf_add(b, head, sizeof(head));
}

/* --- phase 1 --- */

static void
ike_prop_p1_xform(struct buf *b, const struct conf_ike_proposal *cp, int num,
		  int last)
{
	uint8_t fixed[4] = {(uint8_t)num, IKE_KEY_IKE, 0, 0};
	size_t off, keylen;

	off = ike_build_sub_begin(b, last ? IKE_PLD_NONE : IKE_PLD_T, fixed,
				  sizeof(fixed));
	ike_prop_cipher(cp->enc, &keylen);
	if (cp->enc == CONF_IKE_3DES) {
		ike_build_attr(b, IKE_ATTR_ENC, IKE_ENC_3DES);
	} else {
		ike_build_attr(b, IKE_ATTR_ENC, IKE_ENC_AES);
		ike_build_attr(b, IKE_ATTR_KEY_LEN, keylen * 8);
	}
	ike_build_attr(b, IKE_ATTR_HASH, ike_prop_hash_ids[cp->hash]);
	ike_build_attr(b, IKE_ATTR_AUTH, IKE_AUTH_PSK);
	ike_build_attr(b, IKE_ATTR_GROUP, (uint64_t)cp->group);
	ike_prop_life(b, IKE_ATTR_LIFE_TYPE, IKE_ATTR_LIFE_DUR, &cp->lifetime);
	ike_build_sub_end(b, off);
}

/* The SA payload body of our phase-1 offer (also SAi_b for the hashes). */
void
ike_prop_p1_build(struct buf *b, struct conf_ike_proposal *const *props, int n)
{
	uint8_t fixed[4] = {1, IKE_PROTO_ISAKMP, 0, (uint8_t)n};
	size_t off;
	int i;

	ike_prop_sa_head(b);
	off = ike_build_sub_begin(b, IKE_PLD_NONE, fixed, sizeof(fixed));
	for (i = 0; i < n; i++)
		ike_prop_p1_xform(b, props[i], i + 1, i == n - 1);
	ike_build_sub_end(b, off);
}

static int
ike_prop_p1_attr(struct ike_p1_xform *xf, const struct ike_attr *a, int *enc,
		 int *auth, int *lifetype, unsigned *bits)
{
	static const enum crypto_hash hmap[7] = {
	    CRYPTO_HASH_COUNT, CRYPTO_MD5,    CRYPTO_SHA1,  CRYPTO_HASH_COUNT,
	    CRYPTO_SHA256,     CRYPTO_SHA384, CRYPTO_SHA512};

	switch (a->type) {
	case IKE_ATTR_ENC:
		*enc = (int)a->value;
		return (*enc == IKE_ENC_AES || *enc == IKE_ENC_3DES) ? 0 : -1;
	case IKE_ATTR_HASH:
		if (a->value >= 7 || hmap[a->value] == CRYPTO_HASH_COUNT)
			return -1;
		xf->hash = hmap[a->value];
		return 0;
	case IKE_ATTR_AUTH:
		*auth = (int)a->value;
		return *auth == IKE_AUTH_PSK ? 0 : -1;
	case IKE_ATTR_GROUP:
		xf->group = (int)a->value;
		return conf_group_valid(xf->group) ? 0 : -1;
	case IKE_ATTR_LIFE_TYPE:
	case IKE_ATTR_LIFE_DUR:
		return ike_prop_life_attr(a, IKE_ATTR_LIFE_TYPE, lifetype,
					  &xf->life_s, &xf->life_kb);
	case IKE_ATTR_KEY_LEN:
		*bits = (unsigned)a->value;
		return 0;
	default:
		return -1; /* an attribute we do not know: refuse */
	}
}

/* A phase-1 transform as a value; -1 when we cannot honour it. */
static int
ike_prop_p1_decode(const struct ike_xform *x, struct ike_p1_xform *xf)
{
	const uint8_t *p = x->attrs;
	size_t left = x->attrslen;
	struct ike_attr a;
	int enc = 0, auth = 0, lifetype = 0, rv;
	unsigned bits = 0;

	memset(xf, 0, sizeof(*xf));
	xf->hash = CRYPTO_HASH_COUNT;
	xf->life_s = IKE_LIFE_DEFAULT_S;
	if (x->id != IKE_KEY_IKE)
		return -1;
	while ((rv = ike_wire_attr(&p, &left, &a)) == 1)
		if (ike_prop_p1_attr(xf, &a, &enc, &auth, &lifetype, &bits) ==
		    -1)
			return -1;
	if (rv == -1 || auth != IKE_AUTH_PSK || xf->group == 0 ||
	    xf->hash == CRYPTO_HASH_COUNT)
		return -1;
	if (enc == IKE_ENC_3DES && (bits == 0 || bits == 192)) {
		xf->cipher = CRYPTO_3DES_CBC;
	} else if (enc == IKE_ENC_AES &&
		   (bits == 128 || bits == 192 || bits == 256)) {
		xf->cipher = bits == 128   ? CRYPTO_AES128_CBC
			     : bits == 192 ? CRYPTO_AES192_CBC
					   : CRYPTO_AES256_CBC;
	} else {
		return -1;
	}
	xf->keylen = crypto_cipher_keylen(xf->cipher);
	return 0;
}

static int
ike_prop_p1_match(const struct conf_ike_proposal *cp,
		  const struct ike_p1_xform *xf)
{
	size_t keylen;

	return ike_prop_cipher(cp->enc, &keylen) == xf->cipher &&
	       ike_prop_hash(cp->hash) == xf->hash && cp->group == xf->group;
}

/* Take what we agreed on: the lifetime is the shorter of the two. */
static void
ike_prop_p1_take(const struct conf_ike_proposal *cp, int i,
		 struct ike_p1_xform *xf)
{
	if (cp->lifetime.seconds < xf->life_s)
		xf->life_s = cp->lifetime.seconds;
	if (cp->lifetime.kilobytes != 0 &&
	    (xf->life_kb == 0 || cp->lifetime.kilobytes < xf->life_kb))
		xf->life_kb = cp->lifetime.kilobytes;
	xf->conf_index = i;
}

/* Responder: our first proposal that the initiator offered. */
int
ike_prop_p1_select(const struct conf_ike_peer *p, const struct ike_sa_pld *sa,
		   struct ike_p1_xform *out, struct ike_choice *ch)
{
	struct ike_p1_xform xf;
	int i, j, k;

	for (i = 0; i < p->nprops; i++)
		for (j = 0; j < sa->nprop; j++) {
			const struct ike_prop *pr = &sa->prop[j];

			if (pr->proto != IKE_PROTO_ISAKMP)
				continue;
			for (k = 0; k < pr->nxform; k++) {
				if (ike_prop_p1_decode(&pr->xform[k], &xf) ==
					-1 ||
				    !ike_prop_p1_match(p->props[i], &xf))
					continue;
				ike_prop_p1_take(p->props[i], i, &xf);
				*out = xf;
				ike_prop_choice(ch, pr, k);
				return 0;
			}
		}
	return -1;
}

/* Initiator: the responder's answer must be one of ours, alone. */
int
ike_prop_p1_chosen(const struct conf_ike_peer *p, const struct ike_sa_pld *sa,
		   struct ike_p1_xform *out)
{
	struct ike_p1_xform xf;
	int i;

	if (sa->nprop != 1 || sa->prop[0].nxform != 1 ||
	    ike_prop_p1_decode(&sa->prop[0].xform[0], &xf) == -1)
		return -1;
	for (i = 0; i < p->nprops; i++)
		if (ike_prop_p1_match(p->props[i], &xf)) {
			ike_prop_p1_take(p->props[i], i, &xf);
			*out = xf;
			return 0;
		}
	return -1;
}

/* The responder's SA payload body: the chosen transform, echoed. */
void
ike_prop_reply(struct buf *b, const struct ike_choice *ch, const uint8_t *spi,
	       uint8_t spisize)
{
	uint8_t fixed[4 + IKE_SPI_MAX] = {ch->propnum, ch->proto, spisize, 1};
	uint8_t xf[4] = {ch->xnum, ch->xid, 0, 0};
	size_t off, xoff;

	if (spisize > 0)
		memcpy(fixed + 4, spi, spisize);
	ike_prop_sa_head(b);
	off = ike_build_sub_begin(b, IKE_PLD_NONE, fixed, 4 + (size_t)spisize);
	xoff = ike_build_sub_begin(b, IKE_PLD_NONE, xf, sizeof(xf));
	buf_add(b, ch->attrs, ch->attrslen);
	ike_build_sub_end(b, xoff);
	ike_build_sub_end(b, off);
}

/* --- phase 2 --- */

struct ike_p2_xform {
	enum conf_esp_enc enc;
	enum conf_esp_integ integ;
	int group;
	int encap;
	uint32_t life_s;
	uint64_t life_kb;
};

static void
ike_prop_p2_xform(struct buf *b, const struct conf_ipsec_proposal *sp, int i,
		  int natt, int last)
{
	const struct conf_esp *e = &sp->esp[i];
	uint8_t fixed[4] = {(uint8_t)(i + 1), ike_prop_esp_ids[e->enc].id, 0,
			    0};
	size_t off;

	off = ike_build_sub_begin(b, last ? IKE_PLD_NONE : IKE_PLD_T, fixed,
				  sizeof(fixed));
	ike_prop_life(b, IPSEC_ATTR_LIFE_TYPE, IPSEC_ATTR_LIFE_DUR,
		      &sp->lifetime);
	if (sp->pfs_group != 0)
		ike_build_attr(b, IPSEC_ATTR_GROUP, (uint64_t)sp->pfs_group);
	ike_build_attr(b, IPSEC_ATTR_ENCAP,
		       natt == 2 ? IPSEC_ENCAP_UDP_TUNNEL_DRAFT
		       : natt	 ? IPSEC_ENCAP_UDP_TUNNEL
				 : IPSEC_ENCAP_TUNNEL);
	if (e->integ != CONF_INTEG_NONE)
		ike_build_attr(b, IPSEC_ATTR_AUTH, ike_prop_auth_ids[e->integ]);
	if (ike_prop_esp_ids[e->enc].bits != 0)
		ike_build_attr(b, IPSEC_ATTR_KEY_LEN,
			       ike_prop_esp_ids[e->enc].bits);
	ike_build_sub_end(b, off);
}

/*
 * Our phase-2 offer: one ESP proposal with our inbound SPI, the "esp"
 * lines as alternatives.  natt: 0 none, 1 RFC 3947, 2 draft encoding.
 */
void
ike_prop_p2_build(struct buf *b, const struct conf_ipsec_proposal *sp,
		  uint32_t spi, int natt, int propnum)
{
	uint8_t fixed[8] = {
	    (uint8_t)propnum,	 IKE_PROTO_ESP,	       4,
	    (uint8_t)sp->nesp,	 (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
	    (uint8_t)(spi >> 8), (uint8_t)spi};
	size_t off;
	int i;

	ike_prop_sa_head(b);
	off = ike_build_sub_begin(b, IKE_PLD_NONE, fixed, sizeof(fixed));
	for (i = 0; i < sp->nesp; i++)
		ike_prop_p2_xform(b, sp, i, natt, i == sp->nesp - 1);
	ike_build_sub_end(b, off);
}

static int
ike_prop_p2_attr(struct ike_p2_xform *xf, const struct ike_attr *a,
		 int *lifetype, unsigned *bits, int *auth)
{
	switch (a->type) {
	case IPSEC_ATTR_LIFE_TYPE:
	case IPSEC_ATTR_LIFE_DUR:
		return ike_prop_life_attr(a, IPSEC_ATTR_LIFE_TYPE, lifetype,
					  &xf->life_s, &xf->life_kb);
	case IPSEC_ATTR_GROUP:
		xf->group = (int)a->value;
		return conf_group_valid(xf->group) ? 0 : -1;
	case IPSEC_ATTR_ENCAP:
		xf->encap = (int)a->value;
		return 0;
	case IPSEC_ATTR_AUTH:
		*auth = (int)a->value;
		return 0;
	case IPSEC_ATTR_KEY_LEN:
		*bits = (unsigned)a->value;
		return 0;
	default:
		return -1;
	}
}

static int
ike_prop_p2_decode(const struct ike_xform *x, struct ike_p2_xform *xf)
{
	const uint8_t *p = x->attrs;
	size_t left = x->attrslen;
	struct ike_attr a;
	int lifetype = 0, auth = 0, rv;
	unsigned bits = 0, e, i;

	memset(xf, 0, sizeof(*xf));
	xf->life_s = IKE_LIFE_DEFAULT_S;
	xf->encap = IPSEC_ENCAP_TUNNEL;
	while ((rv = ike_wire_attr(&p, &left, &a)) == 1)
		if (ike_prop_p2_attr(xf, &a, &lifetype, &bits, &auth) == -1)
			return -1;
	if (rv == -1)
		return -1;
	if (x->id == ESP_AES_CBC && bits == 0)
		bits = 128; /* RFC 3602: the default key length */
	for (e = 0; e < sizeof(ike_prop_esp_ids) / sizeof(ike_prop_esp_ids[0]);
	     e++)
		if (ike_prop_esp_ids[e].id == x->id &&
		    (ike_prop_esp_ids[e].bits == bits ||
		     (e == CONF_ESP_3DES && bits == 0)))
			break;
	if (e == sizeof(ike_prop_esp_ids) / sizeof(ike_prop_esp_ids[0]))
		return -1;
	xf->enc = (enum conf_esp_enc)e;
	for (i = 0;
	     i < sizeof(ike_prop_auth_ids) / sizeof(ike_prop_auth_ids[0]); i++)
		if (ike_prop_auth_ids[i] == auth)
			break;
	if (i == sizeof(ike_prop_auth_ids) / sizeof(ike_prop_auth_ids[0]))
		return -1;
	xf->integ = (enum conf_esp_integ)i;
	/* AEAD takes no integrity algorithm; the others need one. */
	return conf_esp_is_aead(xf->enc) == (xf->integ == CONF_INTEG_NONE) ? 0
									   : -1;
}

static int
ike_prop_p2_match(const struct conf_ipsec_proposal *sp, int i,
		  const struct ike_p2_xform *xf, int natt)
{
	int udp = xf->encap == IPSEC_ENCAP_UDP_TUNNEL ||
		  xf->encap == IPSEC_ENCAP_UDP_TUNNEL_DRAFT;

	return sp->esp[i].enc == xf->enc && sp->esp[i].integ == xf->integ &&
	       sp->pfs_group == xf->group &&
	       (natt ? udp : xf->encap == IPSEC_ENCAP_TUNNEL);
}

static void
ike_prop_p2_take(const struct conf_ipsec_proposal *sp,
		 const struct ike_p2_xform *xf, const struct ike_prop *pr,
		 struct ipsec_sa *out)
{
	out->enc = xf->enc;
	out->integ = xf->integ;
	out->pfs_group = xf->group;
	out->encap = xf->encap != IPSEC_ENCAP_TUNNEL;
	out->life_s = xf->life_s < sp->lifetime.seconds ? xf->life_s
							: sp->lifetime.seconds;
	out->life_kb = xf->life_kb;
	if (sp->lifetime.kilobytes != 0 &&
	    (out->life_kb == 0 || sp->lifetime.kilobytes < out->life_kb))
		out->life_kb = sp->lifetime.kilobytes;
	out->spi_out = (uint32_t)pr->spi[0] << 24 | (uint32_t)pr->spi[1] << 16 |
		       (uint32_t)pr->spi[2] << 8 | pr->spi[3];
}

/* Responder: our first "esp" line that the initiator offered. */
int
ike_prop_p2_select(const struct conf_ipsec_proposal *sp,
		   const struct ike_sa_pld *sa, int natt, struct ipsec_sa *out,
		   struct ike_choice *ch)
{
	struct ike_p2_xform xf;
	int i, j, k;

	for (i = 0; i < sp->nesp; i++)
		for (j = 0; j < sa->nprop; j++) {
			const struct ike_prop *pr = &sa->prop[j];

			if (pr->proto != IKE_PROTO_ESP || pr->spisize != 4)
				continue;
			for (k = 0; k < pr->nxform; k++) {
				if (ike_prop_p2_decode(&pr->xform[k], &xf) ==
					-1 ||
				    !ike_prop_p2_match(sp, i, &xf, natt))
					continue;
				ike_prop_p2_take(sp, &xf, pr, out);
				ike_prop_choice(ch, pr, k);
				return 0;
			}
		}
	return -1;
}

/* Initiator: the answer is one of our lines, with the peer's SPI. */
int
ike_prop_p2_chosen(const struct conf_ipsec_proposal *sp,
		   const struct ike_sa_pld *sa, int natt, struct ipsec_sa *out)
{
	struct ike_p2_xform xf;
	int i;

	if (sa->nprop != 1 || sa->prop[0].nxform != 1 ||
	    sa->prop[0].proto != IKE_PROTO_ESP || sa->prop[0].spisize != 4 ||
	    ike_prop_p2_decode(&sa->prop[0].xform[0], &xf) == -1)
		return -1;
	for (i = 0; i < sp->nesp; i++)
		if (ike_prop_p2_match(sp, i, &xf, natt)) {
			ike_prop_p2_take(sp, &xf, &sa->prop[0], out);
			return 0;
		}
	return -1;
}

/* --- descriptions for the mismatch log --- */

static void
ike_prop_cat(char *out, size_t len, const char *s)
{
	size_t off = strlen(out);

	if (off < len)
		snprintf(out + off, len - off, "%s%s", off ? ", " : "", s);
}

void
ike_prop_p1_describe(const struct ike_sa_pld *sa, char *out, size_t len)
{
	struct ike_p1_xform xf;
	char one[96];
	int j, k;

	out[0] = '\0';
	for (j = 0; j < sa->nprop; j++)
		for (k = 0; k < sa->prop[j].nxform; k++) {
			if (ike_prop_p1_decode(&sa->prop[j].xform[k], &xf) ==
			    -1)
				snprintf(one, sizeof(one),
					 "(unsupported "
					 "transform)");
			else
				snprintf(one, sizeof(one), "%s/%s/group %d/%us",
					 crypto_cipher_name(xf.cipher),
					 crypto_hash_name(xf.hash), xf.group,
					 xf.life_s);
			ike_prop_cat(out, len, one);
		}
}

void
ike_prop_ours_p1(const struct conf_ike_peer *p, char *out, size_t len)
{
	char one[96];
	int i;

	out[0] = '\0';
	for (i = 0; i < p->nprops; i++) {
		snprintf(one, sizeof(one), "%s/%s/group %d/%us",
			 conf_ike_enc_name(p->props[i]->enc),
			 conf_hash_name(p->props[i]->hash), p->props[i]->group,
			 p->props[i]->lifetime.seconds);
		ike_prop_cat(out, len, one);
	}
}

void
ike_prop_p2_describe(const struct ike_sa_pld *sa, char *out, size_t len)
{
	struct ike_p2_xform xf;
	char one[96], name[48];
	int j, k;

	out[0] = '\0';
	for (j = 0; j < sa->nprop; j++)
		for (k = 0; k < sa->prop[j].nxform; k++) {
			if (ike_prop_p2_decode(&sa->prop[j].xform[k], &xf) ==
			    -1)
				snprintf(one, sizeof(one),
					 "(unsupported "
					 "transform)");
			else
				snprintf(one, sizeof(one), "%s/pfs %s%.0d/%s",
					 ike_prop_esp_name(xf.enc, xf.integ,
							   name, sizeof(name)),
					 xf.group ? "group " : "none", xf.group,
					 xf.encap == IPSEC_ENCAP_TUNNEL
					     ? "tunnel"
					     : "udp-tunnel");
			ike_prop_cat(out, len, one);
		}
}

void
ike_prop_ours_p2(const struct conf_ipsec_proposal *sp, char *out, size_t len)
{
	char one[96], name[48];
	int i;

	out[0] = '\0';
	for (i = 0; i < sp->nesp; i++) {
		snprintf(one, sizeof(one), "%s/pfs %s%.0d",
			 ike_prop_esp_name(sp->esp[i].enc, sp->esp[i].integ,
					   name, sizeof(name)),
			 sp->pfs_group ? "group " : "none", sp->pfs_group);
		ike_prop_cat(out, len, one);
	}
}
