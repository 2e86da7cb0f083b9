/*
 * Randomness, wiping and constant-time comparison, all from libcrypto so
 * that the engine has one source of each.
 */
#include <limits.h>
#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto.h"

int
crypto_random(void *p, size_t len)
{
	if (len > INT_MAX || (p == NULL && len != 0))
		return -1;
	if (len == 0)
		return 0;
	return RAND_bytes(p, (int)len) == 1 ? 0 : -1;
}

/* OPENSSL_cleanse() is not optimised away like a memset() before free. */
void
crypto_wipe(void *p, size_t len)
{
	if (p != NULL && len != 0)
		OPENSSL_cleanse(p, len);
}

/* Returns 1 when equal; the time taken does not depend on the contents. */
int
crypto_memeq(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 1;
	return CRYPTO_memcmp(a, b, len) == 0;
}

const char *
crypto_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
