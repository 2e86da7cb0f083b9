/*
 * engine/crypto: every primitive against published vectors (the source
 * is named next to each), and the refusals that keep bad input out: CBC
 * lengths that are not whole blocks, malformed Diffie-Hellman peer
 * values and private values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "crypto.h"

#define BUF_MAX 1024

static void
assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[BUF_MAX];

	assert_int_equal(unhex(want, w, sizeof(w)), len);
	assert_memory_equal(got, w, len);
}

/* ---- digests and HMAC ---- */

static void
test_hash_meta(void **state)
{
	static const size_t len[] = {16, 20, 32, 48, 64};
	static const char *const name[] = {"md5", "sha1", "sha256", "sha384",
					   "sha512"};
	struct iovec v = iov("x", 1);
	uint8_t out[CRYPTO_HASH_MAX];
	int h;

	(void)state;
	for (h = 0; h < CRYPTO_HASH_COUNT; h++) {
		assert_int_equal(crypto_hash_len((enum crypto_hash)h), len[h]);
		assert_string_equal(crypto_hash_name((enum crypto_hash)h),
				    name[h]);
	}
	assert_int_equal(crypto_hash_len(CRYPTO_HASH_COUNT), 0);
	assert_null(crypto_hash_name(CRYPTO_HASH_COUNT));
	assert_int_equal(crypto_digest(CRYPTO_HASH_COUNT, &v, 1, out), -1);
	assert_int_equal(crypto_hmac(CRYPTO_HASH_COUNT, out, 1, &v, 1, out),
			 -1);
	assert_int_equal(crypto_digest(CRYPTO_SHA1, NULL, 1, out), -1);
	assert_int_equal(crypto_digest(CRYPTO_SHA1, &v, -1, out), -1);
	assert_int_equal(crypto_digest(CRYPTO_SHA1, &v, 1, NULL), -1);
	assert_int_equal(crypto_hmac(CRYPTO_SHA1, NULL, 4, &v, 1, out), -1);
	v = iov(NULL, 3);
	assert_int_equal(crypto_digest(CRYPTO_SHA1, &v, 1, out), -1);
}

/*
 * "abc": MD5 from RFC 1321 A.5; SHA-1, SHA-256, SHA-384, SHA-512 from
 * FIPS 180-2 appendices A.1, B.1, D.1, C.1.
 */
static void
test_digest_abc(void **state)
{
	static const char *const want[CRYPTO_HASH_COUNT] = {
	    "900150983cd24fb0d6963f7d28e17f72",
	    "a9993e364706816aba3e25717850c26c9cd0d89d",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	    "8086072ba1e7cc2358baeca134c825a7",
	    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	};
	struct iovec one = iov("abc", 3), split[3];
	uint8_t out[CRYPTO_HASH_MAX];
	int h;

	(void)state;
	split[0] = iov("a", 1);
	split[1] = iov(NULL, 0);
	split[2] = iov("bc", 2);
	for (h = 0; h < CRYPTO_HASH_COUNT; h++) {
		size_t len = crypto_hash_len((enum crypto_hash)h);

		assert_int_equal(
		    crypto_digest((enum crypto_hash)h, &one, 1, out), 0);
		assert_hex(out, len, want[h]);
		memset(out, 0, sizeof(out));
		assert_int_equal(
		    crypto_digest((enum crypto_hash)h, split, 3, out), 0);
		assert_hex(out, len, want[h]);
	}
}

/* Bytes given as hex, as a string, or as n copies of one byte. */
struct spec {
	const char *hex;
	const char *str;
	uint8_t fill;
	size_t n;
};

static size_t
spec_bytes(const struct spec *s, uint8_t *out, size_t max)
{
	if (s->hex != NULL)
		return unhex(s->hex, out, max);
	if (s->str != NULL) {
		assert_true(strlen(s->str) <= max);
		memcpy(out, s->str, strlen(s->str));
		return strlen(s->str);
	}
	assert_true(s->n <= max);
	memset(out, s->fill, s->n);
	return s->n;
}

struct hmac_kat {
	enum crypto_hash h;
	struct spec key;
	struct spec data;
	const char *mac;
};

#define JEFE                                                                   \
	{                                                                      \
		.str = "Jefe"                                                  \
	}
#define WHAT                                                                   \
	{                                                                      \
		.str = "what do ya want for nothing?"                          \
	}
#define KEY25                                                                  \
	{                                                                      \
		.hex = "0102030405060708090a0b0c0d0e0f10111213141516171819"    \
	}
#define BIGKEY "Test Using Larger Than Block-Size Key - Hash Key First"

/* RFC 2202 sections 2 (HMAC-MD5) and 3 (HMAC-SHA-1), all 7 cases. */
static const struct hmac_kat rfc2202[] = {
    {CRYPTO_MD5,
     {.fill = 0x0b, .n = 16},
     {.str = "Hi There"},
     "9294727a3638bb1c13f48ef8158bfc9d"},
    {CRYPTO_MD5, JEFE, WHAT, "750c783e6ab0b503eaa86e310a5db738"},
    {CRYPTO_MD5,
     {.fill = 0xaa, .n = 16},
     {.fill = 0xdd, .n = 50},
     "56be34521d144c88dbb8c733f0e8b3f6"},
    {CRYPTO_MD5,
     KEY25,
     {.fill = 0xcd, .n = 50},
     "697eaf0aca3a3aea3a75164746ffaa79"},
    {CRYPTO_MD5,
     {.fill = 0x0c, .n = 16},
     {.str = "Test With Truncation"},
     "56461ef2342edc00f9bab995690efd4c"},
    {CRYPTO_MD5,
     {.fill = 0xaa, .n = 80},
     {.str = BIGKEY},
     "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
    {CRYPTO_MD5,
     {.fill = 0xaa, .n = 80},
     {.str = "Test Using Larger Than Block-Size Key and Larger Than One "
	     "Block-Size Data"},
     "6f630fad67cda0ee1fb1f562db3aa53e"},
    {CRYPTO_SHA1,
     {.fill = 0x0b, .n = 20},
     {.str = "Hi There"},
     "b617318655057264e28bc0b6fb378c8ef146be00"},
    {CRYPTO_SHA1, JEFE, WHAT, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {CRYPTO_SHA1,
     {.fill = 0xaa, .n = 20},
     {.fill = 0xdd, .n = 50},
     "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
    {CRYPTO_SHA1,
     KEY25,
     {.fill = 0xcd, .n = 50},
     "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
    {CRYPTO_SHA1,
     {.fill = 0x0c, .n = 20},
     {.str = "Test With Truncation"},
     "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
    {CRYPTO_SHA1,
     {.fill = 0xaa, .n = 80},
     {.str = BIGKEY},
     "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
    {CRYPTO_SHA1,
     {.fill = 0xaa, .n = 80},
     {.str = "Test Using Larger Than Block-Size Key and Larger Than One "
	     "Block-Size Data"},
     "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
};

#define RFC4231_7                                                              \
	{                                                                      \
		.str = "This is a test using a larger than block-size key "    \
		       "and a larger than block-size data. The key needs to "  \
		       "be hashed before being used by the HMAC algorithm."    \
	}

/* RFC 4231 section 4, test cases 1, 2, 3, 4, 6 and 7 (5 truncates). */
static const struct hmac_kat rfc4231[] = {
    {CRYPTO_SHA256,
     {.fill = 0x0b, .n = 20},
     {.str = "Hi There"},
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {CRYPTO_SHA384,
     {.fill = 0x0b, .n = 20},
     {.str = "Hi There"},
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
     "faea9ea9076ede7f4af152e8b2fa9cb6"},
    {CRYPTO_SHA512,
     {.fill = 0x0b, .n = 20},
     {.str = "Hi There"},
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {CRYPTO_SHA256, JEFE, WHAT,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {CRYPTO_SHA384, JEFE, WHAT,
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
     "8e2240ca5e69e2c78b3239ecfab21649"},
    {CRYPTO_SHA512, JEFE, WHAT,
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {CRYPTO_SHA256,
     {.fill = 0xaa, .n = 20},
     {.fill = 0xdd, .n = 50},
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {CRYPTO_SHA384,
     {.fill = 0xaa, .n = 20},
     {.fill = 0xdd, .n = 50},
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
     "2a5ab39dc13814b94e3ab6e101a34f27"},
    {CRYPTO_SHA512,
     {.fill = 0xaa, .n = 20},
     {.fill = 0xdd, .n = 50},
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
     "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
    {CRYPTO_SHA256,
     KEY25,
     {.fill = 0xcd, .n = 50},
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {CRYPTO_SHA384,
     KEY25,
     {.fill = 0xcd, .n = 50},
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
     "6801dd23c4a7d679ccf8a386c674cffb"},
    {CRYPTO_SHA512,
     KEY25,
     {.fill = 0xcd, .n = 50},
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
     "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
    {CRYPTO_SHA256,
     {.fill = 0xaa, .n = 131},
     {.str = BIGKEY},
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {CRYPTO_SHA384,
     {.fill = 0xaa, .n = 131},
     {.str = BIGKEY},
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
     "0c2ef6ab4030fe8296248df163f44952"},
    {CRYPTO_SHA512,
     {.fill = 0xaa, .n = 131},
     {.str = BIGKEY},
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
     "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {CRYPTO_SHA256,
     {.fill = 0xaa, .n = 131},
     RFC4231_7,
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    {CRYPTO_SHA384,
     {.fill = 0xaa, .n = 131},
     RFC4231_7,
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
     "a678cc31e799176d3860e6110c46523e"},
    {CRYPTO_SHA512,
     {.fill = 0xaa, .n = 131},
     RFC4231_7,
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
     "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

static void
run_hmac(const struct hmac_kat *k, size_t n)
{
	uint8_t key[BUF_MAX], data[BUF_MAX], out[CRYPTO_HASH_MAX];
	size_t i, keylen, datalen;
	struct iovec v;

	for (i = 0; i < n; i++) {
		keylen = spec_bytes(&k[i].key, key, sizeof(key));
		datalen = spec_bytes(&k[i].data, data, sizeof(data));
		v = iov(data, datalen);
		assert_int_equal(crypto_hmac(k[i].h, key, keylen, &v, 1, out),
				 0);
		assert_hex(out, crypto_hash_len(k[i].h), k[i].mac);
	}
}

static void
test_hmac_rfc2202(void **state)
{
	(void)state;
	run_hmac(rfc2202, sizeof(rfc2202) / sizeof(rfc2202[0]));
}

static void
test_hmac_rfc4231(void **state)
{
	(void)state;
	run_hmac(rfc4231, sizeof(rfc4231) / sizeof(rfc4231[0]));
}

/* Scattered input gives the MAC of the concatenation; empty key works. */
static void
test_hmac_iovec(void **state)
{
	static const char text[] = "This is a test using a larger than "
				   "block-size key and a larger than "
				   "block-size data. The key needs to be "
				   "hashed before being used by the HMAC "
				   "algorithm.";
	uint8_t key[131], out[CRYPTO_HASH_MAX];
	struct iovec v[4];

	(void)state;
	memset(key, 0xaa, sizeof(key));
	v[0] = iov(text, 10);
	v[1] = iov(NULL, 0);
	v[2] = iov(text + 10, 100);
	v[3] = iov(text + 110, strlen(text) - 110);
	assert_int_equal(
	    crypto_hmac(CRYPTO_SHA256, key, sizeof(key), v, 4, out), 0);
	/* RFC 4231 test case 7 */
	assert_hex(
	    out, 32,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	/* HMAC_SHA256("", ""): the example of the Wikipedia HMAC article. */
	assert_int_equal(crypto_hmac(CRYPTO_SHA256, NULL, 0, NULL, 0, out), 0);
	assert_hex(
	    out, 32,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

/* ---- CBC ---- */

static void
test_cipher_meta(void **state)
{
	(void)state;
	assert_int_equal(crypto_cipher_keylen(CRYPTO_AES128_CBC), 16);
	assert_int_equal(crypto_cipher_keylen(CRYPTO_AES192_CBC), 24);
	assert_int_equal(crypto_cipher_keylen(CRYPTO_AES256_CBC), 32);
	assert_int_equal(crypto_cipher_keylen(CRYPTO_3DES_CBC), 24);
	assert_int_equal(crypto_cipher_blocklen(CRYPTO_AES128_CBC), 16);
	assert_int_equal(crypto_cipher_blocklen(CRYPTO_AES256_CBC), 16);
	assert_int_equal(crypto_cipher_blocklen(CRYPTO_3DES_CBC), 8);
	assert_string_equal(crypto_cipher_name(CRYPTO_AES192_CBC), "aes-192");
	assert_string_equal(crypto_cipher_name(CRYPTO_3DES_CBC), "3des");
	assert_int_equal(crypto_cipher_keylen(CRYPTO_CIPHER_COUNT), 0);
	assert_int_equal(crypto_cipher_blocklen(CRYPTO_CIPHER_COUNT), 0);
	assert_null(crypto_cipher_name(CRYPTO_CIPHER_COUNT));
}

struct cbc_kat {
	const char *src;
	enum crypto_cipher c;
	const char *key, *iv;
	struct spec pt;
	const char *ct;
};

#define SP800_38A_PT                                                           \
	{                                                                      \
		.hex = "6bc1bee22e409f96e93d7e117393172a"                      \
		       "ae2d8a571e03ac9c9eb76fac45af8e51"                      \
		       "30c81c46a35ce411e5fbc1191a0a52ef"                      \
		       "f69f2445df4f9b17ad2b417be66c3710"                      \
	}

static const struct cbc_kat cbc_kats[] = {
    {"RFC 3602 section 4, case #1",
     CRYPTO_AES128_CBC,
     "06a9214036b8a15b512e03d534120006",
     "3dafba429d9eb430b422da802c9fac41",
     {.str = "Single block msg"},
     "e353779c1079aeb82708942dbe77181a"},
    {"RFC 3602 section 4, case #2",
     CRYPTO_AES128_CBC,
     "c286696d887c9aa0611bbb3e2025a45a",
     "562e17996d093d28ddb3ba695a2e6f58",
     {.hex = "000102030405060708090a0b0c0d0e0f"
	     "101112131415161718191a1b1c1d1e1f"},
     "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"},
    {"RFC 3602 section 4, case #3",
     CRYPTO_AES128_CBC,
     "6c3ea0477630ce21a2ce334aa746c2cd",
     "c782dc4c098c66cbd9cd27d825682c81",
     {.str = "This is a 48-byte message (exactly 3 AES blocks)"},
     "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
     "021c19216bad525c8579695d83ba2684"},
    {"RFC 3602 section 4, case #4",
     CRYPTO_AES128_CBC,
     "56e47a38c5598974bc46903dba290349",
     "8ce82eefbea0da3c44699ed7db51b7d9",
     {.hex =
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"},
     "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
     "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55"},
    {"NIST SP 800-38A F.2.3 (F.2.4 decrypts)", CRYPTO_AES192_CBC,
     "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "000102030405060708090a0b0c0d0e0f", SP800_38A_PT,
     "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"},
    {"NIST SP 800-38A F.2.5 (F.2.6 decrypts)", CRYPTO_AES256_CBC,
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f", SP800_38A_PT,
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
    /* As carried by strongSwan's test_vectors/3des_cbc.c. */
    {"NIST CAVP TDES MMT (TCBCMMT3), example 1",
     CRYPTO_3DES_CBC,
     "627f460e08104a1043cd265d5840eaf1313edf97df2a8a8c",
     "8e29f75ea77e5475",
     {.hex = "326a494cd33fe756"},
     "b22b8d66de970692"},
    {"NIST CAVP TDES MMT (TCBCMMT3), example 2",
     CRYPTO_3DES_CBC,
     "37ae5ebf46dff2dc0754b94f31cbb3855e7fd36dc870bfae",
     "3d1de3cc132e3b65",
     {.hex = "84401f78fe6c10876d8ea23094ea5309"},
     "7b1f7c7e3b1c948ebd04a75ffba7d2f5"},
};

static void
test_cbc_kat(void **state)
{
	uint8_t key[64], iv[16], pt[BUF_MAX], ct[BUF_MAX], out[BUF_MAX];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cbc_kats) / sizeof(cbc_kats[0]); i++) {
		const struct cbc_kat *k = &cbc_kats[i];

		print_message("%s\n", k->src);
		assert_int_equal(unhex(k->key, key, sizeof(key)),
				 crypto_cipher_keylen(k->c));
		assert_int_equal(unhex(k->iv, iv, sizeof(iv)),
				 crypto_cipher_blocklen(k->c));
		len = spec_bytes(&k->pt, pt, sizeof(pt));
		assert_int_equal(unhex(k->ct, ct, sizeof(ct)), len);
		assert_int_equal(crypto_cbc(k->c, 1, key, iv, pt, len, out), 0);
		assert_memory_equal(out, ct, len);
		assert_int_equal(crypto_cbc(k->c, 0, key, iv, ct, len, out), 0);
		assert_memory_equal(out, pt, len);
		/* In place, as the engine decrypts a received message. */
		memcpy(out, ct, len);
		assert_int_equal(crypto_cbc(k->c, 0, key, iv, out, len, out),
				 0);
		assert_memory_equal(out, pt, len);
	}
}

static void
test_cbc_refuses(void **state)
{
	static const size_t aes_bad[] = {1, 8, 15, 17, 31, 33};
	static const size_t des_bad[] = {1, 4, 7, 9, 12, 20};
	uint8_t key[32] = {0}, iv[16] = {0}, buf[64] = {0}, out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(aes_bad) / sizeof(aes_bad[0]); i++) {
		assert_int_equal(crypto_cbc(CRYPTO_AES128_CBC, 1, key, iv, buf,
					    aes_bad[i], out),
				 -1);
		assert_int_equal(crypto_cbc(CRYPTO_AES256_CBC, 0, key, iv, buf,
					    aes_bad[i], out),
				 -1);
	}
	for (i = 0; i < sizeof(des_bad) / sizeof(des_bad[0]); i++)
		assert_int_equal(crypto_cbc(CRYPTO_3DES_CBC, 1, key, iv, buf,
					    des_bad[i], out),
				 -1);
	/* 8 bytes: a 3DES block, half an AES block. */
	assert_int_equal(crypto_cbc(CRYPTO_3DES_CBC, 1, key, iv, buf, 8, out),
			 0);
	assert_int_equal(crypto_cbc(CRYPTO_AES128_CBC, 1, key, iv, buf, 0, out),
			 0);
	assert_int_equal(
	    crypto_cbc(CRYPTO_CIPHER_COUNT, 1, key, iv, buf, 16, out), -1);
	assert_int_equal(
	    crypto_cbc(CRYPTO_AES128_CBC, 1, NULL, iv, buf, 16, out), -1);
	assert_int_equal(
	    crypto_cbc(CRYPTO_AES128_CBC, 1, key, NULL, buf, 16, out), -1);
	assert_int_equal(
	    crypto_cbc(CRYPTO_AES128_CBC, 1, key, iv, NULL, 16, out), -1);
}

/* ---- Diffie-Hellman ---- */

static const int dh_ids[] = {2, 5, 14, 15, 16, 19, 20, 21};

static void
test_dh_meta(void **state)
{
	static const size_t publen[] = {128, 192, 256, 384, 512, 64, 96, 132};
	static const size_t seclen[] = {128, 192, 256, 384, 512, 32, 48, 66};
	static const char *const name[] = {"modp1024", "modp1536", "modp2048",
					   "modp3072", "modp4096", "ecp256",
					   "ecp384",   "ecp521"};
	static const int unsupported[] = {-1, 0, 1, 17, 18, 22, 31};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dh_ids) / sizeof(dh_ids[0]); i++) {
		assert_true(crypto_dh_supported(dh_ids[i]));
		assert_int_equal(crypto_dh_publen(dh_ids[i]), publen[i]);
		assert_int_equal(crypto_dh_secretlen(dh_ids[i]), seclen[i]);
		assert_string_equal(crypto_dh_name(dh_ids[i]), name[i]);
		assert_true(publen[i] <= CRYPTO_DH_PUB_MAX);
		assert_true(seclen[i] <= CRYPTO_DH_SECRET_MAX);
	}
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		assert_false(crypto_dh_supported(unsupported[i]));
		assert_int_equal(crypto_dh_publen(unsupported[i]), 0);
		assert_int_equal(crypto_dh_secretlen(unsupported[i]), 0);
		assert_null(crypto_dh_name(unsupported[i]));
		assert_null(crypto_dh_new(unsupported[i]));
	}
	crypto_dh_free(NULL);
}

/*
 * RFC 5903 section 8: private values i and r, the KE payload data
 * gix | giy and grx | gry, and the shared secret girx.
 */
static const struct ecp_kat {
	int group;
	const char *i, *gi, *r, *gr, *girx;
} ecp_kats[] = {
    {19, /* RFC 5903 8.1, 256-bit random ECP group */
     "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
     "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
     "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
     "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
     "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
    {20, /* RFC 5903 8.2, 384-bit random ECP group */
     "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
     "e35b538041e649ee3faef896783ab194",
     "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
     "de3ac808acb4bdb4c88732aee95f41aa"
     "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
     "eb9fcff3c2c947dae69b4c634573a81c",
     "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
     "e0308312916b8ed2960e4bd55a7448fc",
     "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
     "0d1ac43a0336def96fda41d0774a3571"
     "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
     "f83fa40142209dff5eaad96db9e6386c",
     "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
     "d603135569b9e9d09cf5d4a270f59746"},
    {21, /* RFC 5903 8.3, 521-bit random ECP group */
     "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
     "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d"
     "4a52",
     "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
     "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176c"
     "ed3e"
     "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10a"
     "d8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f"
     "9582",
     "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
     "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb15168"
     "5eb9",
     "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
     "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9"
     "460f"
     "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87"
     "220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0f"
     "c56a",
     "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
     "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3"
     "ddea"},
};

/* The key pair of priv must have the public value pub. */
static struct crypto_dh *
dh_kat_key(int group, const char *priv, const char *pub)
{
	uint8_t x[CRYPTO_DH_PUB_MAX], out[CRYPTO_DH_PUB_MAX];
	struct crypto_dh *dh;
	size_t len = unhex(priv, x, sizeof(x));

	assert_non_null(dh = crypto_dh_new_private(group, x, len));
	assert_int_equal(crypto_dh_public(dh, out, sizeof(out)), 0);
	assert_hex(out, crypto_dh_publen(group), pub);
	return dh;
}

static void
test_dh_ecp_rfc5903(void **state)
{
	uint8_t peer[CRYPTO_DH_PUB_MAX], secret[CRYPTO_DH_SECRET_MAX];
	struct crypto_dh *a, *b;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(ecp_kats) / sizeof(ecp_kats[0]); i++) {
		const struct ecp_kat *k = &ecp_kats[i];

		a = dh_kat_key(k->group, k->i, k->gi);
		b = dh_kat_key(k->group, k->r, k->gr);
		len = unhex(k->gr, peer, sizeof(peer));
		assert_int_equal(
		    crypto_dh_derive(a, peer, len, secret, sizeof(secret)), 0);
		assert_hex(secret, crypto_dh_secretlen(k->group), k->girx);
		len = unhex(k->gi, peer, sizeof(peer));
		memset(secret, 0, sizeof(secret));
		assert_int_equal(
		    crypto_dh_derive(b, peer, len, secret, sizeof(secret)), 0);
		assert_hex(secret, crypto_dh_secretlen(k->group), k->girx);
		crypto_dh_free(a);
		crypto_dh_free(b);
	}
}

struct modp_kat {
	int group;
	const char *p, *x, *y, *sha256_gx, *sha256_gxy;
};

/* BEGIN GENERATED by /usr/bin/python3 tests/vectors/dh_modp_gen.py */
/* clang-format off */
static const struct modp_kat modp_kats[] = {
	/* RFC 2409 6.2: 2^1024 - 2^960 - 1 + 2^64 * ([2^894 pi] + 129093) */
	{2,
	 .p =
	     "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	     "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	     "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	     "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff",
	 .x = "005d3433304b26347585cca954c70910addb31178a03ec3b71c667b5384e46a3",
	 .y = "7217999e676323b7bbc89d06d70b1a95bdcf51fa26fc85f526db29eea5659ea6",
	 .sha256_gx =
	     "8773842ef6dc7c21a5ebfdeac43b558323722bd598a9636883fc82a80c20b532",
	 .sha256_gxy =
	     "d2efa99f5be26e62102b8bc274750bc350080b68c1349f7ca53b00f13fb3920f"},
	/* RFC 3526: 2^1536 - 2^1472 - 1 + 2^64 * ([2^1406 pi] + 741804) */
	{5,
	 .p =
	     "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	     "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	     "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	     "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
	     "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
	     "9ed529077096966d670c354e4abc9804f1746c08ca237327ffffffffffffffff",
	 .x = "005d3433304b26347585cca954c70910addb31178a03ec3b71c667b5384e46a3",
	 .y = "7217999e676323b7bbc89d06d70b1a95bdcf51fa26fc85f526db29eea5659ea6",
	 .sha256_gx =
	     "82dd6f6d29a2b6b12ac8455ad2e994759a89a7933783f97bbe6eabc8e177488c",
	 .sha256_gxy =
	     "3f7bdc9f7ffad56a822cb8f46e7e85a5e715f2e2138670c847b2b2cfb0fb7275"},
	/* RFC 3526: 2^2048 - 2^1984 - 1 + 2^64 * ([2^1918 pi] + 124476) */
	{14,
	 .p =
	     "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	     "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	     "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	     "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
	     "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
	     "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b"
	     "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718"
	     "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff",
	 .x = "005d3433304b26347585cca954c70910addb31178a03ec3b71c667b5384e46a3",
	 .y = "7217999e676323b7bbc89d06d70b1a95bdcf51fa26fc85f526db29eea5659ea6",
	 .sha256_gx =
	     "ba8f4ecfcd5f19d788e1d8cba9d2c1191a16ce53bcdd6c782d80dffc20627525",
	 .sha256_gxy =
	     "53974ecff8c7ee1f4bdd60f4a4af2c9ddf20c931a6fa05b3068e8ed201866fc4"},
	/* RFC 3526: 2^3072 - 2^3008 - 1 + 2^64 * ([2^2942 pi] + 1690314) */
	{15,
	 .p =
	     "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	     "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	     "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	     "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
	     "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
	     "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b"
	     "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718"
	     "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33"
	     "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7"
	     "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864"
	     "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2"
	     "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
	 .x = "005d3433304b26347585cca954c70910addb31178a03ec3b71c667b5384e46a3",
	 .y = "7217999e676323b7bbc89d06d70b1a95bdcf51fa26fc85f526db29eea5659ea6",
	 .sha256_gx =
	     "187f435b186ba6791d41b4eddd2916315c789904eed0fa076ec09f9b0c47f08f",
	 .sha256_gxy =
	     "af6906a59b34e2e2e1f05c756c8524dfa1428f40f839fa209642071b8061a9bf"},
	/* RFC 3526: 2^4096 - 2^4032 - 1 + 2^64 * ([2^3966 pi] + 240904) */
	{16,
	 .p =
	     "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
	     "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
	     "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
	     "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
	     "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
	     "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b"
	     "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718"
	     "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33"
	     "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7"
	     "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864"
	     "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2"
	     "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7"
	     "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8"
	     "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2"
	     "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9"
	     "93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff",
	 .x = "005d3433304b26347585cca954c70910addb31178a03ec3b71c667b5384e46a3",
	 .y = "7217999e676323b7bbc89d06d70b1a95bdcf51fa26fc85f526db29eea5659ea6",
	 .sha256_gx =
	     "0026f281b3325d8f3b8320902b3f10ca8762e9536b42883883a4d5fa0f542f0f",
	 .sha256_gxy =
	     "5520f4f1ca7215735cac6dd46887fe53a418ed5c4c48011ca62d5aeadf72009e"},
};
/* clang-format on */
/* END GENERATED */

static void
sha256_of(const uint8_t *p, size_t len, uint8_t *out)
{
	struct iovec v = iov(p, len);

	assert_int_equal(crypto_digest(CRYPTO_SHA256, &v, 1, out), 0);
}

/*
 * g^x and g^xy for fixed x, y against tests/vectors/dh_modp_gen.py,
 * which computes the RFC 2409 / RFC 3526 primes from their definition:
 * fails if OpenSSL's group of that name were another prime.
 */
static void
test_dh_modp_kat(void **state)
{
	uint8_t x[64], pub[CRYPTO_DH_PUB_MAX], peer[CRYPTO_DH_PUB_MAX];
	uint8_t secret[CRYPTO_DH_SECRET_MAX], h[32];
	struct crypto_dh *a, *b;
	size_t i, len, plen;

	(void)state;
	for (i = 0; i < sizeof(modp_kats) / sizeof(modp_kats[0]); i++) {
		const struct modp_kat *k = &modp_kats[i];

		plen = crypto_dh_publen(k->group);
		len = unhex(k->x, x, sizeof(x));
		assert_non_null(a = crypto_dh_new_private(k->group, x, len));
		assert_int_equal(crypto_dh_public(a, pub, sizeof(pub)), 0);
		sha256_of(pub, plen, h);
		assert_hex(h, 32, k->sha256_gx);
		len = unhex(k->y, x, sizeof(x));
		assert_non_null(b = crypto_dh_new_private(k->group, x, len));
		assert_int_equal(crypto_dh_public(b, peer, sizeof(peer)), 0);
		assert_int_equal(
		    crypto_dh_derive(a, peer, plen, secret, sizeof(secret)), 0);
		sha256_of(secret, plen, h);
		assert_hex(h, 32, k->sha256_gxy);
		assert_int_equal(
		    crypto_dh_derive(b, pub, plen, secret, sizeof(secret)), 0);
		sha256_of(secret, plen, h);
		assert_hex(h, 32, k->sha256_gxy);
		crypto_dh_free(a);
		crypto_dh_free(b);
	}
}

/* Two fresh keys of every group agree; values have the wire length. */
static void
test_dh_fresh(void **state)
{
	uint8_t pa[CRYPTO_DH_PUB_MAX], pb[CRYPTO_DH_PUB_MAX];
	uint8_t sa[CRYPTO_DH_SECRET_MAX], sb[CRYPTO_DH_SECRET_MAX];
	struct crypto_dh *a, *b;
	size_t i, plen, slen;

	(void)state;
	for (i = 0; i < sizeof(dh_ids) / sizeof(dh_ids[0]); i++) {
		plen = crypto_dh_publen(dh_ids[i]);
		slen = crypto_dh_secretlen(dh_ids[i]);
		assert_non_null(a = crypto_dh_new(dh_ids[i]));
		assert_non_null(b = crypto_dh_new(dh_ids[i]));
		assert_int_equal(crypto_dh_public(a, pa, plen - 1), -1);
		assert_int_equal(crypto_dh_public(a, pa, plen), 0);
		assert_int_equal(crypto_dh_public(b, pb, sizeof(pb)), 0);
		assert_memory_not_equal(pa, pb, plen);
		assert_int_equal(crypto_dh_derive(a, pb, plen, sa, slen - 1),
				 -1);
		assert_int_equal(crypto_dh_derive(a, pb, plen, sa, slen), 0);
		assert_int_equal(crypto_dh_derive(b, pa, plen, sb, sizeof(sb)),
				 0);
		assert_memory_equal(sa, sb, slen);
		crypto_dh_free(a);
		crypto_dh_free(b);
	}
}

static void
assert_peer_refused(struct crypto_dh *dh, const uint8_t *peer, size_t len,
		    const char *what)
{
	uint8_t secret[CRYPTO_DH_SECRET_MAX];

	print_message("refuse: %s\n", what);
	assert_int_equal(
	    crypto_dh_derive(dh, peer, len, secret, sizeof(secret)), -1);
}

/* p + delta (delta -2..0), big-endian in plen bytes. */
static void
p_plus(const uint8_t *p, size_t plen, int delta, uint8_t *out)
{
	memcpy(out, p, plen);
	/* Every prime here ends in 64 one bits: no borrow. */
	out[plen - 1] = (uint8_t)(out[plen - 1] + delta);
}

static void
test_dh_modp_refuses(void **state)
{
	uint8_t p[CRYPTO_DH_PUB_MAX], v[CRYPTO_DH_PUB_MAX + 1];
	struct crypto_dh *dh;
	size_t i, plen;

	(void)state;
	for (i = 0; i < sizeof(modp_kats) / sizeof(modp_kats[0]); i++) {
		plen = unhex(modp_kats[i].p, p, sizeof(p));
		assert_int_equal(plen, crypto_dh_publen(modp_kats[i].group));
		assert_non_null(dh = crypto_dh_new(modp_kats[i].group));
		memset(v, 0, sizeof(v));
		v[plen - 1] = 2;
		assert_peer_refused(dh, v, plen - 1, "one byte short");
		assert_peer_refused(dh, v, plen + 1, "one byte long");
		assert_peer_refused(dh, v, 0, "empty");
		v[plen - 1] = 0;
		assert_peer_refused(dh, v, plen, "0");
		v[plen - 1] = 1;
		assert_peer_refused(dh, v, plen, "1");
		p_plus(p, plen, -1, v);
		assert_peer_refused(dh, v, plen, "p - 1");
		p_plus(p, plen, 0, v);
		assert_peer_refused(dh, v, plen, "p");
		/*
		 * -2 is a non-residue, outside the subgroup of order q; for
		 * group 2 OpenSSL knows no q (see crypto_dh.c).
		 */
		p_plus(p, plen, -2, v);
		if (modp_kats[i].group != 2)
			assert_peer_refused(dh, v, plen, "p - 2");
		memset(v, 0xff, plen);
		assert_peer_refused(dh, v, plen, "all 0xff");
		assert_peer_refused(dh, NULL, plen, "NULL");
		crypto_dh_free(dh);
	}
}

static void
test_dh_ecp_refuses(void **state)
{
	uint8_t gi[CRYPTO_DH_PUB_MAX], v[CRYPTO_DH_PUB_MAX + 1];
	struct crypto_dh *dh;
	size_t i, plen;

	(void)state;
	for (i = 0; i < sizeof(ecp_kats) / sizeof(ecp_kats[0]); i++) {
		plen = unhex(ecp_kats[i].gi, gi, sizeof(gi));
		assert_non_null(dh = crypto_dh_new(ecp_kats[i].group));
		assert_peer_refused(dh, gi, plen - 1, "one byte short");
		v[0] = 0x04;
		memcpy(v + 1, gi, plen);
		assert_peer_refused(dh, v, plen + 1, "SEC 1 0x04 | x | y");
		memcpy(v, gi, plen);
		v[plen - 1] ^= 1;
		assert_peer_refused(dh, v, plen, "y + 1: not on the curve");
		memset(v, 0, plen);
		assert_peer_refused(dh, v, plen, "(0, 0)");
		memset(v, 0xff, plen);
		assert_peer_refused(dh, v, plen, "all 0xff: beyond the field");
		/* The real point still works after all that. */
		memcpy(v, gi, plen);
		assert_int_equal(crypto_dh_derive(dh, v, plen, gi, sizeof(gi)),
				 0);
		crypto_dh_free(dh);
	}
}

static void
test_dh_private_refuses(void **state)
{
	/* The order n of P-256 (FIPS 186-4 D.1.2.3) is not a private key. */
	static const char n256[] =
	    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
	uint8_t x[CRYPTO_DH_PUB_MAX + 1], out[CRYPTO_DH_PUB_MAX];
	struct crypto_dh *dh;
	size_t plen;

	(void)state;
	memset(x, 0, sizeof(x));
	x[0] = 1;
	assert_null(crypto_dh_new_private(1, x, 1));
	assert_null(crypto_dh_new_private(14, NULL, 1));
	assert_null(crypto_dh_new_private(14, x, 0));
	assert_null(crypto_dh_new_private(14, x, 257));
	assert_null(crypto_dh_new_private(19, x, 33));
	x[0] = 0;
	assert_null(crypto_dh_new_private(14, x, 256)); /* 0 */
	assert_null(crypto_dh_new_private(19, x, 32));	/* 0 */
	x[255] = 1;
	assert_null(crypto_dh_new_private(14, x, 256)); /* 1 */
	plen = unhex(modp_kats[2].p, x, sizeof(x));
	assert_int_equal(modp_kats[2].group, 14);
	x[plen - 1] = (uint8_t)(x[plen - 1] - 1);
	assert_null(crypto_dh_new_private(14, x, plen)); /* p - 1 */
	assert_null(crypto_dh_new_private(19, x, unhex(n256, x, sizeof(x))));
	/* n - 1 is the largest that is. */
	x[31] = (uint8_t)(x[31] - 1);
	assert_non_null(dh = crypto_dh_new_private(19, x, 32));
	assert_int_equal(crypto_dh_public(dh, out, sizeof(out)), 0);
	assert_int_equal(crypto_dh_public(NULL, out, sizeof(out)), -1);
	assert_int_equal(crypto_dh_public(dh, NULL, sizeof(out)), -1);
	assert_int_equal(crypto_dh_derive(NULL, out, 64, x, sizeof(x)), -1);
	assert_int_equal(crypto_dh_derive(dh, out, 64, NULL, sizeof(x)), -1);
	crypto_dh_free(dh);
}

/* ---- utilities ---- */

static void
test_util(void **state)
{
	uint8_t a[32], b[32], zero[32] = {0};

	(void)state;
	assert_true(crypto_memeq("abcd", "abcd", 4));
	assert_false(crypto_memeq("abcd", "abce", 4));
	assert_false(crypto_memeq("abcd", "bbcd", 4));
	assert_true(crypto_memeq("a", "b", 0));
	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(crypto_random(NULL, 0), 0);
	assert_int_equal(crypto_random(NULL, 1), -1);
	crypto_wipe(a, sizeof(a));
	assert_memory_equal(a, zero, sizeof(a));
	crypto_wipe(NULL, 8);
	assert_non_null(strstr(crypto_version(), "OpenSSL 3."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_meta),
	    cmocka_unit_test(test_digest_abc),
	    cmocka_unit_test(test_hmac_rfc2202),
	    cmocka_unit_test(test_hmac_rfc4231),
	    cmocka_unit_test(test_hmac_iovec),
	    cmocka_unit_test(test_cipher_meta),
	    cmocka_unit_test(test_cbc_kat),
	    cmocka_unit_test(test_cbc_refuses),
	    cmocka_unit_test(test_dh_meta),
	    cmocka_unit_test(test_dh_ecp_rfc5903),
	    cmocka_unit_test(test_dh_modp_kat),
	    cmocka_unit_test(test_dh_fresh),
	    cmocka_unit_test(test_dh_modp_refuses),
	    cmocka_unit_test(test_dh_ecp_refuses),
	    cmocka_unit_test(test_dh_private_refuses),
	    cmocka_unit_test(test_util),
	};

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
