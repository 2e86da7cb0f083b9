/*
 * ESP packet cryptography for one SA direction, built for the data plane:
 * every EVP context is created and keyed once in crypto_esp_new(), and a
 * packet only sets its IV (and, for HMAC, restarts the keyed MAC), so no
 * key schedule is expanded and nothing is allocated per packet.
 *
 * A crypto_esp object is used by one thread at a time (the data-plane
 * thread that owns the SA): the contexts carry per-packet state, so two
 * threads sealing or opening at once with the same object would corrupt
 * each other.  Different objects may be used by different threads.
 *
 * Failures all return -1, whatever failed: a caller cannot tell a bad
 * ICV from a bad length, and neither can an attacker timing it (the ICV
 * is compared in constant time, CBC is only decrypted once it verified).
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto.h"

#define ESP_GCM_SALT  4
#define ESP_GCM_IV    8
#define ESP_GCM_NONCE (ESP_GCM_SALT + ESP_GCM_IV)
#define ESP_GCM_ICV   16
#define ESP_GCM_ALIGN 4	 /* RFC 4303 2.4: 32-bit alignment */
#define ESP_ICV_MIN   12 /* 96 bits, the shortest RFC 2403/2404 allows */

/* OpenSSL's fetch names, by key length and by the crypto.h enums. */
static const char *const esp_gcm_ossl[3] = {"AES-128-GCM", "AES-192-GCM",
					    "AES-256-GCM"};
static const char *const esp_cbc_ossl[CRYPTO_CIPHER_COUNT] = {
    [CRYPTO_AES128_CBC] = "AES-128-CBC",
    [CRYPTO_AES192_CBC] = "AES-192-CBC",
    [CRYPTO_AES256_CBC] = "AES-256-CBC",
    [CRYPTO_3DES_CBC] = "DES-EDE3-CBC",
};
/* The same block ciphers without a mode: the CBC IV generator. */
static const char *const esp_ecb_ossl[CRYPTO_CIPHER_COUNT] = {
    [CRYPTO_AES128_CBC] = "AES-128-ECB",
    [CRYPTO_AES192_CBC] = "AES-192-ECB",
    [CRYPTO_AES256_CBC] = "AES-256-ECB",
    [CRYPTO_3DES_CBC] = "DES-EDE3-ECB",
};
static const char *const esp_md_ossl[CRYPTO_HASH_COUNT] = {
    [CRYPTO_MD5] = "MD5",	  [CRYPTO_SHA1] = "SHA1",
    [CRYPTO_SHA256] = "SHA2-256", [CRYPTO_SHA384] = "SHA2-384",
    [CRYPTO_SHA512] = "SHA2-512",
};

/*
 * Fetched once and kept until exit, as in crypto_hash.c: read-only after
 * esp_fetch() ran under pthread_once(), shared by every thread.
 */
static pthread_once_t esp_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *esp_gcm_evp[3];
static EVP_CIPHER *esp_cbc_evp[CRYPTO_CIPHER_COUNT];
static EVP_CIPHER *esp_ecb_evp[CRYPTO_CIPHER_COUNT];
static EVP_MAC *esp_hmac;

struct crypto_esp {
	int aead;
	size_t ivlen;
	size_t icvlen;
	size_t align;
	/*
	 * One context per direction: CBC decryption runs the inverse key
	 * schedule, and keeping both keyed means neither direction ever
	 * re-expands a key when a test or a loopback SA uses both.
	 */
	EVP_CIPHER_CTX *seal;
	EVP_CIPHER_CTX *open;
	EVP_MAC_CTX *mac;      /* CBC: keyed HMAC */
	EVP_CIPHER_CTX *ivgen; /* CBC: the block cipher alone, for IVs */
	uint8_t salt[ESP_GCM_SALT];
};

static void
esp_fetch(void)
{
	int i;

	for (i = 0; i < 3; i++)
		esp_gcm_evp[i] = EVP_CIPHER_fetch(NULL, esp_gcm_ossl[i], NULL);
	for (i = 0; i < CRYPTO_CIPHER_COUNT; i++) {
		esp_cbc_evp[i] = EVP_CIPHER_fetch(NULL, esp_cbc_ossl[i], NULL);
		esp_ecb_evp[i] = EVP_CIPHER_fetch(NULL, esp_ecb_ossl[i], NULL);
	}
	esp_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* A context for one direction, keyed, with the IV length and padding set. */
static EVP_CIPHER_CTX *
esp_ctx_new(const EVP_CIPHER *c, const uint8_t *key, int aead, int enc)
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
	    (aead && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
					 ESP_GCM_NONCE, NULL) != 1) ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
esp_new_gcm(struct crypto_esp *cx, const struct crypto_esp_params *p)
{
	const EVP_CIPHER *c;
	size_t keylen;

	if (p->keylen != 20 && p->keylen != 28 && p->keylen != 36)
		return -1;
	if (p->icvlen != 0 && p->icvlen != ESP_GCM_ICV)
		return -1;
	keylen = p->keylen - ESP_GCM_SALT;
	if ((c = esp_gcm_evp[(keylen - 16) / 8]) == NULL)
		return -1;
	memcpy(cx->salt, p->key + keylen, ESP_GCM_SALT);
	cx->ivlen = ESP_GCM_IV;
	cx->icvlen = ESP_GCM_ICV;
	cx->align = ESP_GCM_ALIGN;
	cx->seal = esp_ctx_new(c, p->key, 1, 1);
	cx->open = esp_ctx_new(c, p->key, 1, 0);
	return cx->seal != NULL && cx->open != NULL ? 0 : -1;
}

/* HMAC with the key set once; EVP_MAC_init(NULL key) restarts it later. */
static EVP_MAC_CTX *
esp_mac_new(enum crypto_hash h, const uint8_t *key, size_t keylen)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *mac;

	if (esp_hmac == NULL || (mac = EVP_MAC_CTX_new(esp_hmac)) == NULL)
		return NULL;
	/* The name is only read; OSSL_PARAM has no const variant. */
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)esp_md_ossl[h], 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(mac, key, keylen, params) != 1) {
		EVP_MAC_CTX_free(mac);
		return NULL;
	}
	return mac;
}

static int
esp_new_cbc(struct crypto_esp *cx, const struct crypto_esp_params *p)
{
	size_t hlen = crypto_hash_len(p->integ);
	const EVP_CIPHER *c;

	if ((unsigned int)p->cbc >= CRYPTO_CIPHER_COUNT || hlen == 0 ||
	    p->keylen != crypto_cipher_keylen(p->cbc) ||
	    (c = esp_cbc_evp[p->cbc]) == NULL || esp_ecb_evp[p->cbc] == NULL)
		return -1;
	/*
	 * RFC 2403/2404/4868 truncate; shorter than 96 bits is no integrity
	 * worth having, longer than the hash impossible.
	 */
	if (p->icvlen < ESP_ICV_MIN || p->icvlen > hlen || p->authkey == NULL ||
	    p->authkeylen == 0)
		return -1;
	cx->ivlen = crypto_cipher_blocklen(p->cbc);
	cx->align = cx->ivlen;
	cx->icvlen = p->icvlen;
	cx->seal = esp_ctx_new(c, p->key, 0, 1);
	cx->open = esp_ctx_new(c, p->key, 0, 0);
	cx->ivgen = esp_ctx_new(esp_ecb_evp[p->cbc], p->key, 0, 1);
	cx->mac = esp_mac_new(p->integ, p->authkey, p->authkeylen);
	if (cx->seal == NULL || cx->open == NULL || cx->ivgen == NULL ||
	    cx->mac == NULL)
		return -1;
	return 0;
}

struct crypto_esp *
crypto_esp_new(const struct crypto_esp_params *p)
{
	struct crypto_esp *cx;
	int rc;

	if (p == NULL || p->key == NULL)
		return NULL;
	pthread_once(&esp_once, esp_fetch);
	if ((cx = calloc(1, sizeof(*cx))) == NULL)
		return NULL;
	cx->aead = p->aead != 0;
	rc = cx->aead ? esp_new_gcm(cx, p) : esp_new_cbc(cx, p);
	if (rc == -1) {
		crypto_esp_free(cx);
		return NULL;
	}
	return cx;
}

void
crypto_esp_free(struct crypto_esp *cx)
{
	if (cx == NULL)
		return;
	/* The EVP free functions cleanse the key schedules they hold. */
	EVP_CIPHER_CTX_free(cx->seal);
	EVP_CIPHER_CTX_free(cx->open);
	EVP_CIPHER_CTX_free(cx->ivgen);
	EVP_MAC_CTX_free(cx->mac);
	OPENSSL_cleanse(cx, sizeof(*cx));
	free(cx);
}

size_t
crypto_esp_ivlen(const struct crypto_esp *cx)
{
	return cx != NULL ? cx->ivlen : 0;
}

size_t
crypto_esp_icvlen(const struct crypto_esp *cx)
{
	return cx != NULL ? cx->icvlen : 0;
}

size_t
crypto_esp_align(const struct crypto_esp *cx)
{
	return cx != NULL ? cx->align : 0;
}

static void
esp_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/*
 * The explicit IV of packet number n, which the caller keeps unique per
 * key (the ESP sequence number).  GCM: n itself, as RFC 4106 3.1 allows:
 * only uniqueness matters.  CBC needs an IV the attacker cannot predict
 * (RFC 3602 2.1); E_K(n) under the SA's own key is the method of NIST SP
 * 800-38A appendix C, and costs one block through a context keyed once
 * (measured: a DRBG call per packet, RAND_bytes(), took longer than the
 * whole encap and decap of a 64-byte packet).
 */
int
crypto_esp_iv(struct crypto_esp *cx, uint64_t n, uint8_t *iv)
{
	uint8_t block[CRYPTO_BLOCK_MAX];
	int bl, outl = 0;

	if (cx == NULL || iv == NULL)
		return -1;
	if (cx->aead) {
		esp_put64(iv, n);
		return 0;
	}
	/* A block is 8 or 16 bytes; n fills its last 8. */
	bl = (int)cx->ivlen;
	memset(block, 0, cx->ivlen - 8);
	esp_put64(block + cx->ivlen - 8, n);
	if (EVP_CipherUpdate(cx->ivgen, iv, &outl, block, bl) != 1 ||
	    outl != bl)
		return -1;
	return 0;
}

static int
esp_args_ok(const struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	    const uint8_t *iv, const uint8_t *buf, size_t len,
	    const uint8_t *icv)
{
	/* buf is never NULL, even when empty: buf + 0 is then defined. */
	if (cx == NULL || iv == NULL || icv == NULL || buf == NULL ||
	    len > INT_MAX || aadlen > INT_MAX || (aad == NULL && aadlen != 0))
		return 0;
	return len % cx->align == 0 || cx->aead;
}

/* salt | explicit IV (RFC 4106 4) */
static void
esp_nonce(const struct crypto_esp *cx, const uint8_t *iv, uint8_t *nonce)
{
	memcpy(nonce, cx->salt, ESP_GCM_SALT);
	memcpy(nonce + ESP_GCM_SALT, iv, ESP_GCM_IV);
}

/* Feeds AAD and transforms buf in place; the IV is already set. */
static int
esp_gcm_run(EVP_CIPHER_CTX *ctx, const uint8_t *aad, size_t aadlen,
	    uint8_t *buf, size_t len)
{
	int outl = 0, finl = 0;

	if (aadlen != 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen) != 1)
		return -1;
	outl = 0;
	if (len != 0 && EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1)
		return -1;
	/* Final checks the tag when decrypting. */
	if (EVP_CipherFinal_ex(ctx, buf + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != len)
		return -1;
	return 0;
}

static int
esp_gcm_seal(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	     const uint8_t *iv, uint8_t *buf, size_t len, uint8_t *icv)
{
	uint8_t nonce[ESP_GCM_NONCE];

	esp_nonce(cx, iv, nonce);
	if (EVP_CipherInit_ex(cx->seal, NULL, NULL, NULL, nonce, 1) != 1 ||
	    esp_gcm_run(cx->seal, aad, aadlen, buf, len) == -1 ||
	    EVP_CIPHER_CTX_ctrl(cx->seal, EVP_CTRL_AEAD_GET_TAG, ESP_GCM_ICV,
				icv) != 1)
		return -1;
	return 0;
}

static int
esp_gcm_open(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	     const uint8_t *iv, uint8_t *buf, size_t len, const uint8_t *icv)
{
	uint8_t nonce[ESP_GCM_NONCE];

	esp_nonce(cx, iv, nonce);
	/* The tag is only read; the ctrl interface is not const-qualified. */
	if (EVP_CipherInit_ex(cx->open, NULL, NULL, NULL, nonce, 0) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx->open, EVP_CTRL_AEAD_SET_TAG, ESP_GCM_ICV,
				(void *)(uintptr_t)icv) != 1 ||
	    esp_gcm_run(cx->open, aad, aadlen, buf, len) == -1) {
		/*
		 * GCM decrypts before the tag is known to be wrong: what is
		 * left in buf is forged ciphertext XOR our keystream, which
		 * nobody should get to see.
		 */
		OPENSSL_cleanse(buf, len);
		return -1;
	}
	return 0;
}

/* HMAC(aad | iv | ciphertext), full length, into mac[CRYPTO_HASH_MAX]. */
static int
esp_hmac_run(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	     const uint8_t *iv, const uint8_t *buf, size_t len, uint8_t *mac)
{
	size_t outl = 0;

	if (EVP_MAC_init(cx->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(cx->mac, aad, aadlen) != 1 ||
	    EVP_MAC_update(cx->mac, iv, cx->ivlen) != 1 ||
	    EVP_MAC_update(cx->mac, buf, len) != 1 ||
	    EVP_MAC_final(cx->mac, mac, &outl, CRYPTO_HASH_MAX) != 1 ||
	    outl < cx->icvlen)
		return -1;
	return 0;
}

static int
esp_cbc_run(EVP_CIPHER_CTX *ctx, const uint8_t *iv, uint8_t *buf, size_t len,
	    int enc)
{
	int outl = 0, finl = 0;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc) != 1)
		return -1;
	if (len != 0 && EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, buf + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != len)
		return -1;
	return 0;
}

static int
esp_cbc_seal(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	     const uint8_t *iv, uint8_t *buf, size_t len, uint8_t *icv)
{
	uint8_t mac[CRYPTO_HASH_MAX];

	if (esp_cbc_run(cx->seal, iv, buf, len, 1) == -1 ||
	    esp_hmac_run(cx, aad, aadlen, iv, buf, len, mac) == -1)
		return -1;
	memcpy(icv, mac, cx->icvlen);
	return 0;
}

/* Encrypt-then-MAC: nothing is decrypted before the ICV verified. */
static int
esp_cbc_open(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
	     const uint8_t *iv, uint8_t *buf, size_t len, const uint8_t *icv)
{
	uint8_t mac[CRYPTO_HASH_MAX];

	if (esp_hmac_run(cx, aad, aadlen, iv, buf, len, mac) == -1 ||
	    CRYPTO_memcmp(mac, icv, cx->icvlen) != 0)
		return -1;
	return esp_cbc_run(cx->open, iv, buf, len, 0);
}

/*
 * Encrypts len bytes of buf in place (CBC: a multiple of
 * crypto_esp_align()), authenticating aad too, and writes
 * crypto_esp_icvlen() bytes to icv.  iv is crypto_esp_ivlen() bytes.
 */
int
crypto_esp_seal(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
		const uint8_t *iv, uint8_t *buf, size_t len, uint8_t *icv)
{
	if (!esp_args_ok(cx, aad, aadlen, iv, buf, len, icv))
		return -1;
	if (cx->aead)
		return esp_gcm_seal(cx, aad, aadlen, iv, buf, len, icv);
	return esp_cbc_seal(cx, aad, aadlen, iv, buf, len, icv);
}

/*
 * Verifies icv over aad, IV and buf and decrypts buf in place.  -1 on
 * any failure; a packet that does not verify leaves buf untouched (CBC,
 * checked before decrypting) or wiped (GCM).
 */
int
crypto_esp_open(struct crypto_esp *cx, const uint8_t *aad, size_t aadlen,
		const uint8_t *iv, uint8_t *buf, size_t len, const uint8_t *icv)
{
	if (!esp_args_ok(cx, aad, aadlen, iv, buf, len, icv))
		return -1;
	if (cx->aead)
		return esp_gcm_open(cx, aad, aadlen, iv, buf, len, icv);
	return esp_cbc_open(cx, aad, aadlen, iv, buf, len, icv);
}
