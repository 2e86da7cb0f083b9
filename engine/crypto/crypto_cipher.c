/*
 * CBC encryption without padding: IKE and ESP pad the plaintext
 * themselves, so a length that is not a whole number of blocks is the
 * caller's error and is refused.
 *
 * 3DES keys are not checked for weak or semi-weak DES keys: a key comes
 * out of the IKE PRF, the chance of one is negligible, and RFC 2409
 * leaves the check to the implementation.  OpenSSL's DES-EDE3-CBC does
 * not reject them either.
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto.h"

static const struct {
	const char *name; /* as in the configuration */
	const char *ossl; /* OpenSSL's fetch name */
	size_t keylen;	  /* the default, and the only one used */
	size_t blocklen;
} ciphers[CRYPTO_CIPHER_COUNT] = {
    [CRYPTO_AES128_CBC] = {"aes-128", "AES-128-CBC", 16, 16},
    [CRYPTO_AES192_CBC] = {"aes-192", "AES-192-CBC", 24, 16},
    [CRYPTO_AES256_CBC] = {"aes-256", "AES-256-CBC", 32, 16},
    [CRYPTO_3DES_CBC] = {"3des", "DES-EDE3-CBC", 24, 8},
};

/*
 * Fetched once, kept until exit (see crypto_hash.c): read-only after
 * cipher_fetch() ran under pthread_once(), shared by threads.
 */
static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher_evp[CRYPTO_CIPHER_COUNT];

static void
cipher_fetch(void)
{
	int i;

	for (i = 0; i < CRYPTO_CIPHER_COUNT; i++)
		cipher_evp[i] = EVP_CIPHER_fetch(NULL, ciphers[i].ossl, NULL);
}

static int
cipher_valid(enum crypto_cipher c)
{
	return (unsigned int)c < CRYPTO_CIPHER_COUNT;
}

size_t
crypto_cipher_keylen(enum crypto_cipher c)
{
	return cipher_valid(c) ? ciphers[c].keylen : 0;
}

size_t
crypto_cipher_blocklen(enum crypto_cipher c)
{
	return cipher_valid(c) ? ciphers[c].blocklen : 0;
}

const char *
crypto_cipher_name(enum crypto_cipher c)
{
	return cipher_valid(c) ? ciphers[c].name : NULL;
}

/*
 * Encrypts (encrypt != 0) or decrypts len bytes of in to out, which may
 * be the same buffer.  key is crypto_cipher_keylen() bytes, iv one block.
 */
int
crypto_cbc(enum crypto_cipher c, int encrypt, const uint8_t *key,
	   const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, finl = 0, rc = -1;

	if (!cipher_valid(c) || key == NULL || iv == NULL ||
	    len % ciphers[c].blocklen != 0 || len > INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (in == NULL || out == NULL)
		return -1;
	pthread_once(&cipher_once, cipher_fetch);
	if (cipher_evp[c] == NULL)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex2(ctx, cipher_evp[c], key, iv, encrypt != 0,
			       NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != len)
		goto out;
	rc = 0;
out:
	/* EVP_CIPHER_CTX_free() cleanses the key schedule. */
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}
