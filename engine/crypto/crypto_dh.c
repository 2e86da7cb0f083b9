/*
 * Diffie-Hellman for IKE: the MODP groups of RFC 2409 (2) and RFC 3526
 * (5, 14, 15, 16), and the ECP groups of RFC 5903 (19, 20, 21).
 *
 * On the wire (RFC 2409 section 5, RFC 5903 section 7) a MODP public
 * value and shared secret are big-endian, left-padded with zeros to the
 * length of the prime; an ECP public value is x | y, each padded to the
 * field length, without the SEC 1 0x04 octet, and the shared secret is x
 * alone.  A peer value is refused unless it has exactly that length and
 * passes OpenSSL's full public-key check: for ECP a point on the curve,
 * for MODP 1 < y < p - 1, and y^q = 1 where OpenSSL knows q = (p - 1) / 2
 * (all but group 2).  Every prime here is safe, so the range alone keeps
 * out the small subgroups {1} and {1, p - 1}.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "crypto.h"

#define DH_EC_PUB_MAX (1 + 2 * 66) /* 0x04 | x | y of secp521r1 */

/*
 * RFC 2409 section 6.2, the 1024-bit MODP group (generator 2).  OpenSSL
 * 3.0 has no name for it; the others are its "modp_*" groups, which are
 * those of RFC 3526 ("ffdhe*" are RFC 7919's, other primes).
 */
static const char modp1024_p[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF";

struct dh_group {
	const char *name;
	const char *ossl; /* OpenSSL group name; NULL: modp1024_p */
	size_t len;	  /* prime or field length in bytes */
	int id;
	int ec;
};

static const struct dh_group dh_groups[] = {
    {.id = 2, .name = "modp1024", .ossl = NULL, .len = 128},
    {.id = 5, .name = "modp1536", .ossl = "modp_1536", .len = 192},
    {.id = 14, .name = "modp2048", .ossl = "modp_2048", .len = 256},
    {.id = 15, .name = "modp3072", .ossl = "modp_3072", .len = 384},
    {.id = 16, .name = "modp4096", .ossl = "modp_4096", .len = 512},
    {.id = 19, .name = "ecp256", .ossl = "prime256v1", .len = 32, .ec = 1},
    {.id = 20, .name = "ecp384", .ossl = "secp384r1", .len = 48, .ec = 1},
    {.id = 21, .name = "ecp521", .ossl = "secp521r1", .len = 66, .ec = 1},
};

struct crypto_dh {
	const struct dh_group *group;
	EVP_PKEY *key;
};

static const struct dh_group *
dh_group(int id)
{
	size_t i;

	for (i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

static size_t
dh_publen(const struct dh_group *g)
{
	return g->ec ? 2 * g->len : g->len;
}

/*
 * OSSL_PARAM_BLD_push_BN() and _octet_string() keep a pointer, not a
 * copy, until OSSL_PARAM_BLD_to_param(): what they point to is kept in
 * struct dh_hold and freed by dh_import().
 */
struct dh_hold {
	BIGNUM *p, *g, *pub;
	uint8_t point[DH_EC_PUB_MAX];
};

/*
 * p and g = 2, without q: given q, OpenSSL 3.0 makes private keys the
 * FIPS 186-4 way, which refuses a 1024-bit group.
 */
static int
dh_push_modp1024(OSSL_PARAM_BLD *bld, struct dh_hold *h)
{
	if (BN_hex2bn(&h->p, modp1024_p) == 0 || (h->g = BN_new()) == NULL ||
	    BN_set_word(h->g, 2) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, h->p) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, h->g) != 1)
		return -1;
	return 0;
}

static int
dh_push_domain(OSSL_PARAM_BLD *bld, const struct dh_group *g, struct dh_hold *h)
{
	if (g->ossl == NULL)
		return dh_push_modp1024(bld, h);
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->ossl, 0) != 1)
		return -1;
	return 0;
}

/* The public value in OpenSSL's form: an integer, or a SEC 1 point. */
static int
dh_push_pub(OSSL_PARAM_BLD *bld, const struct dh_group *g, const uint8_t *pub,
	    struct dh_hold *h)
{
	int ok;

	if (g->ec) {
		h->point[0] = 0x04;
		memcpy(h->point + 1, pub, dh_publen(g));
		ok = OSSL_PARAM_BLD_push_octet_string(
		    bld, OSSL_PKEY_PARAM_PUB_KEY, h->point, 1 + dh_publen(g));
	} else {
		h->pub = BN_bin2bn(pub, (int)g->len, NULL);
		ok = h->pub != NULL &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY,
					    h->pub);
	}
	return ok == 1 ? 0 : -1;
}

/*
 * An EVP_PKEY of the group: the domain parameters alone (pub == NULL,
 * priv == NULL), a peer's public value (priv == NULL), or a key pair.
 * pub is in the wire form, dh_publen() bytes.
 */
static EVP_PKEY *
dh_import(const struct dh_group *g, const BIGNUM *priv, const uint8_t *pub)
{
	struct dh_hold hold = {0};
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	int sel = EVP_PKEY_KEY_PARAMETERS;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    dh_push_domain(bld, g, &hold) != 0)
		goto out;
	if (pub != NULL) {
		sel = EVP_PKEY_PUBLIC_KEY;
		if (dh_push_pub(bld, g, pub, &hold) != 0)
			goto out;
	}
	if (priv != NULL) {
		sel = EVP_PKEY_KEYPAIR;
		if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
					   priv) != 1)
			goto out;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, g->ec ? "EC" : "DH",
					      NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, sel, params) != 1)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	/*
	 * A BN_FLG_SECURE priv is built into the block of params that
	 * OSSL_PARAM_free() clears (3.0 has no OSSL_PARAM_clear_free()).
	 */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(hold.p);
	BN_free(hold.g);
	BN_free(hold.pub);
	return key;
}

/* BIGNUM parameter "name" of key, big-endian, left-padded to len. */
static int
dh_get_padded(const EVP_PKEY *key, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	int rc = -1;

	if (EVP_PKEY_get_bn_param(key, name, &bn) == 1 &&
	    BN_bn2binpad(bn, out, (int)len) == (int)len)
		rc = 0;
	BN_clear_free(bn);
	return rc;
}

/* g^x mod p, padded, with 1 < x < p - 1. */
static int
dh_modp_public(const struct dh_group *g, const BIGNUM *x, uint8_t *out)
{
	EVP_PKEY *dom = NULL;
	BIGNUM *p = NULL, *pm1 = NULL, *gen = NULL, *y = NULL;
	BN_CTX *bnctx = NULL;
	int rc = -1;

	if ((dom = dh_import(g, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_bn_param(dom, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    EVP_PKEY_get_bn_param(dom, OSSL_PKEY_PARAM_FFC_G, &gen) != 1 ||
	    (pm1 = BN_dup(p)) == NULL || BN_sub_word(pm1, 1) != 1 ||
	    (y = BN_new()) == NULL || (bnctx = BN_CTX_new()) == NULL)
		goto out;
	if (BN_cmp(x, BN_value_one()) <= 0 || BN_cmp(x, pm1) >= 0)
		goto out;
	if (BN_mod_exp_mont_consttime(y, gen, x, p, bnctx, NULL) != 1 ||
	    BN_bn2binpad(y, out, (int)g->len) != (int)g->len)
		goto out;
	rc = 0;
out:
	BN_CTX_free(bnctx);
	BN_free(y);
	BN_free(gen);
	BN_free(pm1);
	BN_free(p);
	EVP_PKEY_free(dom);
	return rc;
}

/* d * G as x | y, with 0 < d < n. */
static int
dh_ecp_public(const struct dh_group *g, const BIGNUM *d, uint8_t *out)
{
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *x = NULL, *y = NULL;
	BN_CTX *bnctx = NULL;
	int rc = -1;

	if ((grp = EC_GROUP_new_by_curve_name(OBJ_sn2nid(g->ossl))) == NULL ||
	    (pt = EC_POINT_new(grp)) == NULL || (x = BN_new()) == NULL ||
	    (y = BN_new()) == NULL || (bnctx = BN_CTX_new()) == NULL)
		goto out;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	if (EC_POINT_mul(grp, pt, d, NULL, NULL, bnctx) != 1 ||
	    EC_POINT_get_affine_coordinates(grp, pt, x, y, bnctx) != 1 ||
	    BN_bn2binpad(x, out, (int)g->len) != (int)g->len ||
	    BN_bn2binpad(y, out + g->len, (int)g->len) != (int)g->len)
		goto out;
	rc = 0;
out:
	BN_CTX_free(bnctx);
	BN_free(x);
	BN_free(y);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return rc;
}

/* The public value of the private value x, in the wire form. */
static int
dh_public_of(const struct dh_group *g, const BIGNUM *x, uint8_t *out)
{
	return g->ec ? dh_ecp_public(g, x, out) : dh_modp_public(g, x, out);
}

int
crypto_dh_supported(int id)
{
	return dh_group(id) != NULL;
}

size_t
crypto_dh_publen(int id)
{
	const struct dh_group *g = dh_group(id);

	return g != NULL ? dh_publen(g) : 0;
}

size_t
crypto_dh_secretlen(int id)
{
	const struct dh_group *g = dh_group(id);

	return g != NULL ? g->len : 0;
}

const char *
crypto_dh_name(int id)
{
	const struct dh_group *g = dh_group(id);

	return g != NULL ? g->name : NULL;
}

/* A fresh key pair of group id, or NULL. */
struct crypto_dh *
crypto_dh_new(int id)
{
	const struct dh_group *g = dh_group(id);
	struct crypto_dh *dh = NULL;
	EVP_PKEY *dom = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (g == NULL || (dom = dh_import(g, NULL, NULL)) == NULL ||
	    (dh = calloc(1, sizeof(*dh))) == NULL)
		goto out;
	dh->group = g;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_generate(ctx, &dh->key) != 1) {
		crypto_dh_free(dh);
		dh = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(dom);
	return dh;
}

/*
 * The key pair with the private value priv (big-endian, at most the
 * prime or field length): known-answer tests.  OpenSSL 3.0 does not
 * compute the public value of an imported private key, so it is done
 * here.
 */
struct crypto_dh *
crypto_dh_new_private(int id, const uint8_t *priv, size_t len)
{
	const struct dh_group *g = dh_group(id);
	struct crypto_dh *dh = NULL;
	BIGNUM *x = NULL;
	uint8_t pub[CRYPTO_DH_PUB_MAX];

	if (g == NULL || priv == NULL || len == 0 || len > g->len ||
	    (x = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, (int)len, x) == NULL)
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (dh_public_of(g, x, pub) != 0 ||
	    (dh = calloc(1, sizeof(*dh))) == NULL)
		goto out;
	dh->group = g;
	if ((dh->key = dh_import(g, x, pub)) == NULL) {
		crypto_dh_free(dh);
		dh = NULL;
	}
out:
	BN_clear_free(x);
	return dh;
}

/* Writes crypto_dh_publen() bytes; size is the room in out. */
int
crypto_dh_public(const struct crypto_dh *dh, uint8_t *out, size_t size)
{
	const struct dh_group *g;

	if (dh == NULL || out == NULL || size < dh_publen(dh->group))
		return -1;
	g = dh->group;
	if (!g->ec)
		return dh_get_padded(dh->key, OSSL_PKEY_PARAM_PUB_KEY, out,
				     g->len);
	if (dh_get_padded(dh->key, OSSL_PKEY_PARAM_EC_PUB_X, out, g->len) != 0)
		return -1;
	return dh_get_padded(dh->key, OSSL_PKEY_PARAM_EC_PUB_Y, out + g->len,
			     g->len);
}

/*
 * g^xy from the peer's public value (exactly crypto_dh_publen() bytes)
 * into out (room for size bytes): crypto_dh_secretlen() bytes, padded.
 */
int
crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t peerlen,
		 uint8_t *out, size_t size)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t secret[CRYPTO_DH_SECRET_MAX];
	size_t len = sizeof(secret), secretlen;
	int rc = -1;

	if (dh == NULL || peer == NULL || out == NULL ||
	    peerlen != dh_publen(dh->group) || size < dh->group->len)
		return -1;
	secretlen = dh->group->len;
	/* validate_peer: EVP_PKEY_public_check() on the peer first. */
	if ((pkey = dh_import(dh->group, NULL, peer)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, pkey, 1) != 1 ||
	    EVP_PKEY_derive(ctx, secret, &len) != 1 || len > secretlen)
		goto out;
	/* OpenSSL strips the leading zeros of a MODP secret. */
	memset(out, 0, secretlen - len);
	memcpy(out + secretlen - len, secret, len);
	rc = 0;
out:
	/* A refused peer value is the caller's to count, not to linger. */
	if (rc != 0)
		ERR_clear_error();
	crypto_wipe(secret, sizeof(secret));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

/* EVP_PKEY_free() clears the private value (BN_clear_free()). */
void
crypto_dh_free(struct crypto_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}
