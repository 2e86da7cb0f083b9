/*
 * IKEv1 keying (RFC 2409 section 5 and appendix B): SKEYID and its
 * derivatives for pre-shared keys, the phase-1 encryption key and IV,
 * HASH_I/HASH_R, the quick-mode and informational hashes, phase-2 IVs and
 * KEYMAT.  Pure functions over byte strings: the state machine decides
 * what goes in, these compute.
 */
#ifndef FLEETVPN_IKE_KEYS_H
#define FLEETVPN_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define IKE_COOKIE_LEN 8
#define IKE_KEYMAT_MAX (2 * CRYPTO_KEY_MAX) /* cipher + integrity key */

/* A byte string by reference. */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/* The keying material of one ISAKMP SA.  Wiped by ike_keys_wipe(). */
struct ike_keys {
	enum crypto_hash prf; /* HMAC with the negotiated hash */
	enum crypto_cipher cipher;
	size_t prflen;
	uint8_t skeyid[CRYPTO_HASH_MAX];
	uint8_t skeyid_d[CRYPTO_HASH_MAX];
	uint8_t skeyid_a[CRYPTO_HASH_MAX];
	uint8_t skeyid_e[CRYPTO_HASH_MAX];
	uint8_t enckey[CRYPTO_KEY_MAX];
	size_t enckeylen;
	uint8_t iv[CRYPTO_BLOCK_MAX]; /* phase-1 IV */
	size_t ivlen;		      /* the cipher's block size */
};

/*
 * Phase 1 with pre-shared key.  psk, Ni_b, Nr_b, g^xy, CKY-I, CKY-R, and
 * g^xi, g^xr for the first IV.  Fills every field of *keys.
 */
int ike_keys_derive(struct ike_keys *, enum crypto_hash, enum crypto_cipher,
		    size_t, struct ike_chunk, struct ike_chunk,
		    struct ike_chunk, struct ike_chunk, const uint8_t *,
		    const uint8_t *, struct ike_chunk, struct ike_chunk);
void ike_keys_wipe(struct ike_keys *);

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * The caller passes the values in the order of its formula: for HASH_R,
 * g^xr first and CKY-R first.  SAi_b is the initiator's whole SA payload
 * body (without the generic header), ID_b the ID payload body.
 */
int ike_keys_hash_p1(const struct ike_keys *, struct ike_chunk,
		     struct ike_chunk, const uint8_t *, const uint8_t *,
		     struct ike_chunk, struct ike_chunk, uint8_t *);

/*
 * prf(SKEYID_a, [0 |] M-ID | parts...): quick-mode HASH(1), HASH(2) and
 * HASH(3) (with the leading zero octet), informational HASH(1).  M-ID is
 * in network byte order as on the wire.
 */
int ike_keys_hash_p2(const struct ike_keys *, int, uint32_t,
		     const struct ike_chunk *, int, uint8_t *);

/*
 * KEYMAT for one SA direction: prf(SKEYID_d, [g(qm)^xy |] protocol | SPI
 * | Ni_b | Nr_b) expanded to "len" bytes (K1 | K2 | ...).  gqm.len == 0
 * without PFS.  SPI in network byte order.
 */
int ike_keys_keymat(const struct ike_keys *, struct ike_chunk, uint8_t,
		    uint32_t, struct ike_chunk, struct ike_chunk, uint8_t *,
		    size_t);

/*
 * The IV of a phase-2 or informational exchange: hash(last phase-1 CBC
 * block | M-ID), truncated to the block size (RFC 2409 appendix B).
 */
int ike_keys_iv_p2(const struct ike_keys *, const uint8_t *, uint32_t,
		   uint8_t *);

#endif
