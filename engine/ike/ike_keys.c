/*
 * IKEv1 keying with pre-shared keys (RFC 2409 section 5, appendix B).
 * Every value is prf(key, a | b | ...) with prf = HMAC with the
 * negotiated hash; the pieces go to crypto_hmac() as an iovec, so no
 * secret is copied into a scratch buffer to be concatenated.
 *
 * 3DES keys are used as they come out of the PRF, weak DES keys
 * included (see crypto_cipher.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "be.h"
#include "ike_keys.h"

/* ike_keys_hash_p2(): SA, nonces, KE and two IDs fit with room. */
#define P2_PARTS_MAX 8
/* KEYMAT: g(qm)^xy, protocol, SPI, Ni_b, Nr_b */
#define EXPAND_SEED_MAX 5

/* struct iovec is not const-qualified; nothing writes through it. */
static struct iovec
kv(const void *p, size_t len)
{
	struct iovec v;

	v.iov_base = (void *)(uintptr_t)p;
	v.iov_len = len;
	return v;
}

static struct iovec
kc(struct ike_chunk c)
{
	return kv(c.p, c.len);
}

static int
chunk_ok(struct ike_chunk c)
{
	return c.p != NULL || c.len == 0;
}

/* A struct filled by ike_keys_derive(), not garbage or a wiped one. */
static int
keys_ok(const struct ike_keys *k)
{
	return k != NULL && k->prflen != 0 &&
	       k->prflen == crypto_hash_len(k->prf) && k->ivlen != 0 &&
	       k->ivlen == crypto_cipher_blocklen(k->cipher);
}

/*
 * K1 | K2 | ... cut to len bytes, K1 = prf(key, first | seed...) and
 * Kn+1 = prf(key, Kn | seed...): first is empty for KEYMAT, the zero
 * octet of appendix B (which has no seed).
 */
static int
keys_expand(const struct ike_keys *k, const uint8_t *key, struct iovec first,
	    const struct iovec *seed, int nseed, uint8_t *out, size_t len)
{
	struct iovec v[1 + EXPAND_SEED_MAX];
	uint8_t blk[CRYPTO_HASH_MAX], prev[CRYPTO_HASH_MAX];
	size_t off, take;
	int i, rc = -1;

	if (nseed < 0 || nseed > EXPAND_SEED_MAX)
		return -1;
	v[0] = first;
	for (i = 0; i < nseed; i++)
		v[1 + i] = seed[i];
	for (off = 0; off < len; off += take) {
		if (crypto_hmac(k->prf, key, k->prflen, v, 1 + nseed, blk) != 0)
			goto out;
		take = len - off < k->prflen ? len - off : k->prflen;
		memcpy(out + off, blk, take);
		memcpy(prev, blk, k->prflen);
		v[0] = kv(prev, k->prflen);
	}
	rc = 0;
out:
	crypto_wipe(blk, sizeof(blk));
	crypto_wipe(prev, sizeof(prev));
	return rc;
}

/* SKEYID_{d,a,e} = prf(SKEYID, [prev |] g^xy | CKY-I | CKY-R | n) */
static int
keys_skeyid_x(const struct ike_keys *k, const uint8_t *prev, size_t prevlen,
	      struct ike_chunk gxy, const uint8_t *cky_i, const uint8_t *cky_r,
	      uint8_t n, uint8_t *out)
{
	struct iovec v[5];

	v[0] = kv(prev, prevlen);
	v[1] = kc(gxy);
	v[2] = kv(cky_i, IKE_COOKIE_LEN);
	v[3] = kv(cky_r, IKE_COOKIE_LEN);
	v[4] = kv(&n, 1);
	return crypto_hmac(k->prf, k->skeyid, k->prflen, v, 5, out);
}

/* SKEYID_e itself if long enough, else Ka of appendix B. */
static int
keys_enckey(struct ike_keys *k)
{
	uint8_t zero = 0;

	if (k->enckeylen <= k->prflen) {
		memcpy(k->enckey, k->skeyid_e, k->enckeylen);
		return 0;
	}
	return keys_expand(k, k->skeyid_e, kv(&zero, 1), NULL, 0, k->enckey,
			   k->enckeylen);
}

/* The phase-1 IV: hash(g^xi | g^xr), a plain digest, cut to a block. */
static int
keys_iv_p1(struct ike_keys *k, struct ike_chunk gxi, struct ike_chunk gxr)
{
	uint8_t h[CRYPTO_HASH_MAX];
	struct iovec v[2];

	v[0] = kc(gxi);
	v[1] = kc(gxr);
	if (crypto_digest(k->prf, v, 2, h) != 0)
		return -1;
	memcpy(k->iv, h, k->ivlen);
	return 0;
}

/*
 * enckeylen is the negotiated key length in bytes (0: the cipher's
 * default); crypto_cbc() uses the cipher's, so nothing else is taken.
 */
int
ike_keys_derive(struct ike_keys *k, enum crypto_hash prf,
		enum crypto_cipher cipher, size_t enckeylen,
		struct ike_chunk psk, struct ike_chunk ni, struct ike_chunk nr,
		struct ike_chunk gxy, const uint8_t *cky_i,
		const uint8_t *cky_r, struct ike_chunk gxi,
		struct ike_chunk gxr)
{
	struct iovec v[2];

	if (k == NULL)
		return -1;
	memset(k, 0, sizeof(*k));
	if (enckeylen == 0)
		enckeylen = crypto_cipher_keylen(cipher);
	if (crypto_hash_len(prf) == 0 || enckeylen == 0 ||
	    enckeylen != crypto_cipher_keylen(cipher) || cky_i == NULL ||
	    cky_r == NULL || !chunk_ok(psk) || !chunk_ok(ni) || !chunk_ok(nr) ||
	    !chunk_ok(gxy) || !chunk_ok(gxi) || !chunk_ok(gxr))
		return -1;
	k->prf = prf;
	k->cipher = cipher;
	k->prflen = crypto_hash_len(prf);
	k->enckeylen = enckeylen;
	k->ivlen = crypto_cipher_blocklen(cipher);
	v[0] = kc(ni);
	v[1] = kc(nr);
	if (crypto_hmac(prf, psk.p, psk.len, v, 2, k->skeyid) != 0 ||
	    keys_skeyid_x(k, NULL, 0, gxy, cky_i, cky_r, 0, k->skeyid_d) != 0 ||
	    keys_skeyid_x(k, k->skeyid_d, k->prflen, gxy, cky_i, cky_r, 1,
			  k->skeyid_a) != 0 ||
	    keys_skeyid_x(k, k->skeyid_a, k->prflen, gxy, cky_i, cky_r, 2,
			  k->skeyid_e) != 0 ||
	    keys_enckey(k) != 0 || keys_iv_p1(k, gxi, gxr) != 0) {
		ike_keys_wipe(k);
		return -1;
	}
	return 0;
}

void
ike_keys_wipe(struct ike_keys *k)
{
	if (k != NULL)
		crypto_wipe(k, sizeof(*k));
}

/* prf(SKEYID, a | b | cky_a | cky_b | SAi_b | ID_b): prflen bytes. */
int
ike_keys_hash_p1(const struct ike_keys *k, struct ike_chunk a,
		 struct ike_chunk b, const uint8_t *cky_a, const uint8_t *cky_b,
		 struct ike_chunk sai, struct ike_chunk id, uint8_t *out)
{
	struct iovec v[6];

	if (!keys_ok(k) || cky_a == NULL || cky_b == NULL || out == NULL ||
	    !chunk_ok(a) || !chunk_ok(b) || !chunk_ok(sai) || !chunk_ok(id))
		return -1;
	v[0] = kc(a);
	v[1] = kc(b);
	v[2] = kv(cky_a, IKE_COOKIE_LEN);
	v[3] = kv(cky_b, IKE_COOKIE_LEN);
	v[4] = kc(sai);
	v[5] = kc(id);
	return crypto_hmac(k->prf, k->skeyid, k->prflen, v, 6, out);
}

/* msgid is the host-order value, hashed big-endian: prflen bytes. */
int
ike_keys_hash_p2(const struct ike_keys *k, int zero_prefix, uint32_t msgid,
		 const struct ike_chunk *parts, int nparts, uint8_t *out)
{
	struct iovec v[2 + P2_PARTS_MAX];
	uint8_t zero = 0, mid[4];
	int i;

	if (!keys_ok(k) || out == NULL || nparts < 0 || nparts > P2_PARTS_MAX ||
	    (parts == NULL && nparts != 0))
		return -1;
	be_put32(mid, msgid);
	v[0] = kv(&zero, zero_prefix ? 1 : 0);
	v[1] = kv(mid, sizeof(mid));
	for (i = 0; i < nparts; i++) {
		if (!chunk_ok(parts[i]))
			return -1;
		v[2 + i] = kc(parts[i]);
	}
	return crypto_hmac(k->prf, k->skeyid_a, k->prflen, v, 2 + nparts, out);
}

/* spi is the host-order value, hashed big-endian. */
int
ike_keys_keymat(const struct ike_keys *k, struct ike_chunk gqm,
		uint8_t protocol, uint32_t spi, struct ike_chunk ni,
		struct ike_chunk nr, uint8_t *out, size_t len)
{
	struct iovec seed[5];
	uint8_t spibuf[4];

	if (!keys_ok(k) || out == NULL || len == 0 ||
	    len > (size_t)IKE_KEYMAT_MAX || !chunk_ok(gqm) || !chunk_ok(ni) ||
	    !chunk_ok(nr))
		return -1;
	be_put32(spibuf, spi);
	seed[0] = kc(gqm);
	seed[1] = kv(&protocol, 1);
	seed[2] = kv(spibuf, sizeof(spibuf));
	seed[3] = kc(ni);
	seed[4] = kc(nr);
	return keys_expand(k, k->skeyid_d, kv(NULL, 0), seed, 5, out, len);
}

/* last_block is ivlen bytes; writes ivlen bytes. */
int
ike_keys_iv_p2(const struct ike_keys *k, const uint8_t *last_block,
	       uint32_t msgid, uint8_t *out)
{
	uint8_t h[CRYPTO_HASH_MAX], mid[4];
	struct iovec v[2];

	if (!keys_ok(k) || last_block == NULL || out == NULL)
		return -1;
	be_put32(mid, msgid);
	v[0] = kv(last_block, k->ivlen);
	v[1] = kv(mid, sizeof(mid));
	if (crypto_digest(k->prf, v, 2, h) != 0)
		return -1;
	memcpy(out, h, k->ivlen);
	return 0;
}
