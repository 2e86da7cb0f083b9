/*
 * Digests and HMAC over scattered input (struct iovec), the building
 * blocks of the IKEv1 PRF, HASH payloads and phase-1/2 IVs.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto.h"

static const struct {
	const char *name; /* as in the configuration */
	const char *ossl; /* OpenSSL's fetch name */
	size_t len;
} hashes[CRYPTO_HASH_COUNT] = {
    [CRYPTO_MD5] = {"md5", "MD5", 16},
    [CRYPTO_SHA1] = {"sha1", "SHA1", 20},
    [CRYPTO_SHA256] = {"sha256", "SHA2-256", 32},
    [CRYPTO_SHA384] = {"sha384", "SHA2-384", 48},
    [CRYPTO_SHA512] = {"sha512", "SHA2-512", 64},
};

/*
 * Fetched once, kept until exit: an implicit fetch per call costs a
 * provider lookup.  The objects are never modified after hash_fetch()
 * ran under pthread_once(), so threads share them without a lock.  A
 * NULL entry (MD5 under a FIPS-only provider) makes its calls fail.
 */
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static EVP_MD *hash_md[CRYPTO_HASH_COUNT];
static EVP_MAC *hash_hmac;

static void
hash_fetch(void)
{
	int i;

	for (i = 0; i < CRYPTO_HASH_COUNT; i++)
		hash_md[i] = EVP_MD_fetch(NULL, hashes[i].ossl, NULL);
	hash_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int
hash_valid(enum crypto_hash h)
{
	return (unsigned int)h < CRYPTO_HASH_COUNT;
}

static const EVP_MD *
hash_get(enum crypto_hash h)
{
	if (!hash_valid(h))
		return NULL;
	pthread_once(&hash_once, hash_fetch);
	return hash_md[h];
}

static int
iov_valid(const struct iovec *iov, int n)
{
	int i;

	if (n < 0 || (n > 0 && iov == NULL))
		return 0;
	for (i = 0; i < n; i++)
		if (iov[i].iov_base == NULL && iov[i].iov_len != 0)
			return 0;
	return 1;
}

size_t
crypto_hash_len(enum crypto_hash h)
{
	return hash_valid(h) ? hashes[h].len : 0;
}

const char *
crypto_hash_name(enum crypto_hash h)
{
	return hash_valid(h) ? hashes[h].name : NULL;
}

/* Writes crypto_hash_len(h) bytes to out. */
int
crypto_digest(enum crypto_hash h, const struct iovec *iov, int n, uint8_t *out)
{
	const EVP_MD *md = hash_get(h);
	EVP_MD_CTX *ctx = NULL;
	unsigned int outlen = 0;
	int i, rc = -1;

	if (md == NULL || out == NULL || !iov_valid(iov, n))
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(ctx, md, NULL) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, iov[i].iov_base, iov[i].iov_len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, &outlen) != 1 ||
	    outlen != hashes[h].len)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* HMAC with the hash h (RFC 2104); writes crypto_hash_len(h) bytes. */
int
crypto_hmac(enum crypto_hash h, const uint8_t *key, size_t keylen,
	    const struct iovec *iov, int n, uint8_t *out)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	size_t outlen = 0;
	int i, rc = -1;

	if (hash_get(h) == NULL || hash_hmac == NULL || out == NULL ||
	    (key == NULL && keylen != 0) || !iov_valid(iov, n))
		return -1;
	/* The name is only read; OSSL_PARAM has no const variant. */
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)hashes[h].ossl, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key would mean "keep the previous key" to EVP_MAC_init(). */
	if (key == NULL)
		key = (const uint8_t *)"";
	if ((ctx = EVP_MAC_CTX_new(hash_hmac)) == NULL ||
	    EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (EVP_MAC_update(ctx, iov[i].iov_base, iov[i].iov_len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &outlen, hashes[h].len) != 1 ||
	    outlen != hashes[h].len)
		goto out;
	rc = 0;
out:
	/* EVP_MAC_CTX_free() cleanses the key schedule it holds. */
	EVP_MAC_CTX_free(ctx);
	return rc;
}
