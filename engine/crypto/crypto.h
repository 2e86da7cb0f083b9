/*
 * The engine's cryptography: the only code in fleetvpn that includes
 * OpenSSL.  Everything goes through OpenSSL 3 EVP.  Secrets live in
 * buffers the caller wipes with crypto_wipe(); integrity values are
 * compared with crypto_memeq() (constant time).
 */
#ifndef FLEETVPN_CRYPTO_H
#define FLEETVPN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define CRYPTO_HASH_MAX	     64 /* SHA-512 */
#define CRYPTO_KEY_MAX	     64 /* longest cipher key + salt */
#define CRYPTO_BLOCK_MAX     16
#define CRYPTO_DH_PUB_MAX    1024 /* MODP 8192 would need 1024 */
#define CRYPTO_DH_SECRET_MAX 512  /* MODP 4096 */

enum crypto_hash {
	CRYPTO_MD5,
	CRYPTO_SHA1,
	CRYPTO_SHA256,
	CRYPTO_SHA384,
	CRYPTO_SHA512,
	CRYPTO_HASH_COUNT
};

/* CBC ciphers of IKE (and of ESP-CBC later). */
enum crypto_cipher {
	CRYPTO_AES128_CBC,
	CRYPTO_AES192_CBC,
	CRYPTO_AES256_CBC,
	CRYPTO_3DES_CBC,
	CRYPTO_CIPHER_COUNT
};

struct crypto_dh;

/* crypto_hash.c: digests and HMAC (the IKEv1 PRF) */
size_t crypto_hash_len(enum crypto_hash);
const char *crypto_hash_name(enum crypto_hash);
int crypto_digest(enum crypto_hash, const struct iovec *, int, uint8_t *);
int crypto_hmac(enum crypto_hash, const uint8_t *, size_t, const struct iovec *,
		int, uint8_t *);

/* crypto_cipher.c: CBC without padding (the caller pads) */
size_t crypto_cipher_keylen(enum crypto_cipher);
size_t crypto_cipher_blocklen(enum crypto_cipher);
const char *crypto_cipher_name(enum crypto_cipher);
int crypto_cbc(enum crypto_cipher, int, const uint8_t *, const uint8_t *,
	       const uint8_t *, size_t, uint8_t *);

/* crypto_dh.c: Diffie-Hellman, MODP (RFC 2409, 3526) and ECP (RFC 5903) */
int crypto_dh_supported(int);
size_t crypto_dh_publen(int);
size_t crypto_dh_secretlen(int);
const char *crypto_dh_name(int);
struct crypto_dh *crypto_dh_new(int);
struct crypto_dh *crypto_dh_new_private(int, const uint8_t *, size_t);
int crypto_dh_public(const struct crypto_dh *, uint8_t *, size_t);
int crypto_dh_derive(struct crypto_dh *, const uint8_t *, size_t, uint8_t *,
		     size_t);
void crypto_dh_free(struct crypto_dh *);

/*
 * crypto_esp.c: one direction of an ESP SA, for one thread: the cipher
 * and integrity contexts are keyed once and reused for every packet.
 *   AES-GCM (RFC 4106): key = cipher key + 4-byte salt, nonce = salt |
 *     8-byte explicit IV, AAD = SPI | sequence number, 16-byte ICV.
 *   CBC (RFC 3602, 2451) + HMAC (RFC 2404, 4868): encrypt, then the ICV
 *     = HMAC(SPI | seq | IV | ciphertext) truncated to icvlen.
 */
struct crypto_esp;

struct crypto_esp_params {
	int aead;		/* AES-GCM-16 */
	enum crypto_cipher cbc; /* when !aead */
	const uint8_t *key;	/* GCM: key then salt */
	size_t keylen;		/* GCM: 20, 28, 36; CBC: the cipher's */
	enum crypto_hash integ; /* when !aead */
	const uint8_t *authkey;
	size_t authkeylen;
	size_t icvlen; /* HMAC truncation: 12, 16, 24, 32 */
};

struct crypto_esp *crypto_esp_new(const struct crypto_esp_params *);
void crypto_esp_free(struct crypto_esp *);
size_t crypto_esp_ivlen(const struct crypto_esp *);
size_t crypto_esp_icvlen(const struct crypto_esp *);
size_t crypto_esp_align(const struct crypto_esp *);
/* The IV of packet number n (unique per key): GCM n, CBC E_K(n). */
int crypto_esp_iv(struct crypto_esp *, uint64_t, uint8_t *);
int crypto_esp_seal(struct crypto_esp *, const uint8_t *, size_t,
		    const uint8_t *, uint8_t *, size_t, uint8_t *);
int crypto_esp_open(struct crypto_esp *, const uint8_t *, size_t,
		    const uint8_t *, uint8_t *, size_t, const uint8_t *);

/* crypto_util.c: randomness, wiping, constant-time compare */
int crypto_random(void *, size_t);
void crypto_wipe(void *, size_t);
int crypto_memeq(const void *, const void *, size_t);
const char *crypto_version(void);

#endif
