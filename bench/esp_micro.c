/*
 * esp_micro: one core, one packet at a time, encapsulation then
 * decapsulation through esp_pkt (AES-128-GCM-16, AES-128-CBC with
 * HMAC-SHA1-96), against raw OpenSSL EVP doing the same cipher work on
 * the same bytes: the ratio is what the ESP framing, the checks and the
 * replay window cost on top of the cryptography.
 *
 * The raw baseline is written the fast way too: contexts keyed once,
 * only the IV set per packet, the HMAC key kept (EVP_MAC_init with a
 * NULL key).  It processes the padded ESP payload of the same inner
 * size, with the same 8-byte AAD, so both sides move the same bytes
 * through the same primitives; what esp_pkt adds is the header,
 * padding, the IV derivation (CBC: one more block cipher call), the
 * replay check and update and the trailer and inner header checks.
 *
 * OpenSSL is included here only for the baseline: a benchmark, not the
 * product (the product's OpenSSL stays in engine/crypto).
 *
 * Build by hand, from the top of the tree:
 *	gcc -std=gnu11 -O2 -D_GNU_SOURCE -Ilib -Iengine -Iengine/crypto \
 *	    -o esp_micro bench/esp_micro.c engine/esp/esp_pkt.c \
 *	    engine/esp/esp_replay.c engine/crypto/crypto_esp.c \
 *	    engine/crypto/crypto_cipher.c engine/crypto/crypto_hash.c \
 *	    lib/addr.c lib/str.c -lcrypto -pthread
 *
 *	esp_micro [-t SECONDS]	(each of the 6 pairs, both sides; default 3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "esp/esp.h"
#include "str.h"

#define BENCH_BATCH  256
#define BENCH_ROUNDS 10
#define BENCH_BUF    2048

static const uint8_t bench_key[20] = "0123456789abcdefSALT";
static const uint8_t bench_authkey[20] = "hmac-sha1 key 20 byt";

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Calls fn in batches until "secs" passed; returns round trips per s. */
static double
bench_run(int (*fn)(void *), void *arg, double secs)
{
	double t0 = bench_now(), t;
	unsigned long n = 0;
	int i;

	do {
		for (i = 0; i < BENCH_BATCH; i++)
			if (fn(arg) == -1) {
				fprintf(stderr,
					"esp_micro: a round trip failed\n");
				exit(1);
			}
		n += BENCH_BATCH;
		t = bench_now() - t0;
	} while (t < secs);
	return (double)n / t;
}

/* --- through esp_pkt --- */

struct bench_esp {
	struct esp_sa out, in;
	uint8_t inner[BENCH_BUF];
	uint8_t pkt[BENCH_BUF];
	size_t len;
};

static struct crypto_esp *
bench_cx(int gcm)
{
	struct crypto_esp_params p;

	memset(&p, 0, sizeof(p));
	p.aead = gcm;
	p.key = bench_key;
	p.keylen = gcm ? 20 : 16;
	p.cbc = CRYPTO_AES128_CBC;
	p.integ = CRYPTO_SHA1;
	p.authkey = bench_authkey;
	p.authkeylen = sizeof(bench_authkey);
	p.icvlen = gcm ? 16 : 12;
	return crypto_esp_new(&p);
}

/* An IPv4 packet of len bytes, as the TUN device would hand it over. */
static void
bench_inner(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)i;
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

static int
bench_esp_once(void *arg)
{
	struct bench_esp *b = arg;
	uint8_t *inner, nh;
	size_t n, ilen;
	enum esp_drop why;

	if (esp_pkt_encap(&b->out, b->inner, b->len, ESP_NH_IPV4, b->pkt,
			  sizeof(b->pkt), &n) == -1 ||
	    esp_pkt_decap(&b->in, b->pkt, n, &inner, &ilen, &nh, &why) == -1 ||
	    ilen != b->len)
		return -1;
	return 0;
}

static struct bench_esp *
bench_esp_new(int gcm, size_t len)
{
	struct bench_esp *b = calloc(1, sizeof(*b));

	if (b == NULL || (b->out.cx = bench_cx(gcm)) == NULL ||
	    (b->in.cx = bench_cx(gcm)) == NULL)
		exit(1);
	esp_replay_init(&b->in.replay, 64);
	b->len = len;
	bench_inner(b->inner, len);
	return b;
}

static void
bench_esp_free(struct bench_esp *b)
{
	crypto_esp_free(b->out.cx);
	crypto_esp_free(b->in.cx);
	free(b);
}

/* --- raw EVP, the same work --- */

struct bench_raw {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_MAC_CTX *mac;
	uint8_t buf[BENCH_BUF];
	uint8_t aad[8];
	uint8_t iv[16];
	uint8_t tag[EVP_MAX_MD_SIZE];
	size_t len; /* the padded payload */
	uint64_t ctr;
};

static EVP_CIPHER_CTX *
raw_ctx(const char *name, int gcm, int enc)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (c == NULL || ctx == NULL ||
	    EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
	    (gcm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12,
					NULL) != 1) ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, bench_key, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		exit(1);
	EVP_CIPHER_free(c);
	return ctx;
}

static int
raw_gcm_run(EVP_CIPHER_CTX *ctx, struct bench_raw *b, const uint8_t *nonce,
	    int enc)
{
	int outl, finl;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc) != 1 ||
	    (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
					 b->tag) != 1) ||
	    EVP_CipherUpdate(ctx, NULL, &outl, b->aad, 8) != 1 ||
	    EVP_CipherUpdate(ctx, b->buf, &outl, b->buf, (int)b->len) != 1 ||
	    EVP_CipherFinal_ex(ctx, b->buf + outl, &finl) != 1 ||
	    (enc &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, b->tag) != 1))
		return -1;
	return 0;
}

static int
raw_gcm_once(void *arg)
{
	struct bench_raw *b = arg;
	uint8_t nonce[12];

	memcpy(nonce, bench_key + 16, 4);
	b->ctr++;
	memcpy(nonce + 4, &b->ctr, 8);
	if (raw_gcm_run(b->enc, b, nonce, 1) == -1 ||
	    raw_gcm_run(b->dec, b, nonce, 0) == -1)
		return -1;
	return 0;
}

static int
raw_hmac(struct bench_raw *b, uint8_t *out)
{
	size_t outl;

	if (EVP_MAC_init(b->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(b->mac, b->aad, 8) != 1 ||
	    EVP_MAC_update(b->mac, b->iv, 16) != 1 ||
	    EVP_MAC_update(b->mac, b->buf, b->len) != 1 ||
	    EVP_MAC_final(b->mac, out, &outl, EVP_MAX_MD_SIZE) != 1)
		return -1;
	return 0;
}

static int
raw_cbc_run(EVP_CIPHER_CTX *ctx, struct bench_raw *b, int enc)
{
	int outl, finl;

	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, b->iv, enc) != 1 ||
	    EVP_CipherUpdate(ctx, b->buf, &outl, b->buf, (int)b->len) != 1 ||
	    EVP_CipherFinal_ex(ctx, b->buf + outl, &finl) != 1)
		return -1;
	return 0;
}

/* Encrypt-then-MAC, verify-then-decrypt: what ESP-CBC does. */
static int
raw_cbc_once(void *arg)
{
	struct bench_raw *b = arg;
	uint8_t check[EVP_MAX_MD_SIZE];

	b->ctr++;
	memcpy(b->iv, &b->ctr, sizeof(b->ctr));
	if (raw_cbc_run(b->enc, b, 1) == -1 || raw_hmac(b, b->tag) == -1 ||
	    raw_hmac(b, check) == -1 || CRYPTO_memcmp(check, b->tag, 12) != 0 ||
	    raw_cbc_run(b->dec, b, 0) == -1)
		return -1;
	return 0;
}

static EVP_MAC_CTX *
raw_mac(void)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t) "SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_MAC_init(ctx, bench_authkey,
					sizeof(bench_authkey), params) != 1)
		exit(1);
	EVP_MAC_free(m);
	return ctx;
}

static struct bench_raw *
bench_raw_new(int gcm, size_t len)
{
	const char *name = gcm ? "AES-128-GCM" : "AES-128-CBC";
	struct bench_raw *b = calloc(1, sizeof(*b));
	size_t align = gcm ? 4 : 16;

	if (b == NULL)
		exit(1);
	b->enc = raw_ctx(name, gcm, 1);
	b->dec = raw_ctx(name, gcm, 0);
	b->mac = gcm ? NULL : raw_mac();
	b->len = (len + 2 + align - 1) / align * align;
	bench_inner(b->buf, len);
	return b;
}

static void
bench_raw_free(struct bench_raw *b)
{
	EVP_CIPHER_CTX_free(b->enc);
	EVP_CIPHER_CTX_free(b->dec);
	EVP_MAC_CTX_free(b->mac);
	free(b);
}

/*
 * The two sides take turns in BENCH_ROUNDS slices and the best slice of
 * each counts: another process taking the core for a while then slows
 * down one slice of each, not one side.
 */
static void
bench_pair(int gcm, size_t len, double secs, double *esp, double *raw)
{
	struct bench_esp *e = bench_esp_new(gcm, len);
	struct bench_raw *r = bench_raw_new(gcm, len);
	double x;
	int i;

	*esp = *raw = 0;
	for (i = 0; i < BENCH_ROUNDS; i++) {
		x = bench_run(bench_esp_once, e, secs / BENCH_ROUNDS);
		*esp = x > *esp ? x : *esp;
		x = bench_run(gcm ? raw_gcm_once : raw_cbc_once, r,
			      secs / BENCH_ROUNDS);
		*raw = x > *raw ? x : *raw;
	}
	bench_esp_free(e);
	bench_raw_free(r);
}

static void
bench_usage(void)
{
	fprintf(stderr, "usage: esp_micro [-t SECONDS]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const size_t sizes[] = {64, 512, 1400};
	static const char *const names[] = {"aes128-cbc-sha1", "aes128-gcm16"};
	double secs = 3, esp, raw;
	uint32_t v;
	size_t i;
	int c, gcm;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't' || str_to_u32(optarg, 1, 3600, &v) == -1)
			bench_usage();
		secs = v;
	}
	printf("# %s, one core, %g s a side, best of %d slices; a packet = "
	       "encap + decap of one inner IPv4 packet\n",
	       OpenSSL_version(OPENSSL_VERSION), secs, BENCH_ROUNDS);
	printf("%-16s %5s %12s %10s %12s %10s %6s\n", "suite", "bytes",
	       "esp pkt/s", "esp Mbit/s", "raw pkt/s", "raw Mbit/s", "ratio");
	for (gcm = 1; gcm >= 0; gcm--)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			bench_pair(gcm, sizes[i], secs, &esp, &raw);
			printf("%-16s %5zu %12.0f %10.1f %12.0f %10.1f %6.3f\n",
			       names[gcm], sizes[i], esp,
			       esp * (double)sizes[i] * 8 / 1e6, raw,
			       raw * (double)sizes[i] * 8 / 1e6, esp / raw);
			fflush(stdout);
		}
	return 0;
}
