/*
 * Fuzz target: ESP in and out.  The first byte picks the SA (bit 0 clear:
 * AES-128-GCM, set: AES-128-CBC with HMAC-SHA1-96) and the inner IP
 * version (bit 4: IPv6), and the rest is used twice:
 *   - as a received ESP packet: esp_pkt_decap() refuses it with a reason
 *     or hands back an inner packet inside the input whose header agrees
 *     with its next header and length;
 *   - as an inner packet: encapsulated and decapsulated again, it comes
 *     back byte for byte when it is a well-formed IP packet (made so by
 *     setting its version nibble and length field), and otherwise is
 *     refused for its next header or its shape, never for its ICV.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp/esp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_INNER_MAX (ESP_PKT_MAX - 128)

static struct esp_sa fuzz_sa[2][2]; /* [suite][out, in] */

static void
fuzz_setup(void)
{
	static const uint8_t key[20] = "fuzz: fixed key+salt";
	static const uint8_t authkey[20] = "fuzz: fixed hmac key";
	struct crypto_esp_params p;
	int s, d;

	for (s = 0; s < 2; s++)
		for (d = 0; d < 2; d++) {
			memset(&p, 0, sizeof(p));
			p.aead = s == 0;
			p.key = key;
			p.keylen = s == 0 ? 20 : 16;
			p.cbc = CRYPTO_AES128_CBC;
			p.integ = CRYPTO_SHA1;
			p.authkey = authkey;
			p.authkeylen = sizeof(authkey);
			p.icvlen = s == 0 ? 16 : 12;
			fuzz_sa[s][d].spi = 0x1000 + (uint32_t)s;
			if ((fuzz_sa[s][d].cx = crypto_esp_new(&p)) == NULL)
				abort();
		}
}

/* Fresh sequence state each run, so an input always means the same. */
static void
fuzz_reset(int s)
{
	fuzz_sa[s][0].seq = 0;
	esp_replay_init(&fuzz_sa[s][1].replay, 64);
}

/* What a successful decap hands back must be IP, inside the packet. */
static void
fuzz_check_inner(const uint8_t *pkt, size_t len, const uint8_t *inner,
		 size_t ilen, uint8_t nh)
{
	size_t tot;

	if (inner < pkt || ilen > len || (size_t)(inner - pkt) > len - ilen)
		abort();
	if (nh == ESP_NH_IPV4 && ilen >= 20 && (inner[0] >> 4) == 4)
		tot = (size_t)inner[2] << 8 | inner[3];
	else if (nh == ESP_NH_IPV6 && ilen >= 40 && (inner[0] >> 4) == 6)
		tot = 40 + ((size_t)inner[4] << 8 | inner[5]);
	else
		abort();
	if (tot != ilen)
		abort();
}

static void
fuzz_decap(int s, const uint8_t *data, size_t size)
{
	uint8_t *pkt, *inner = NULL, nh = 0;
	enum esp_drop why = ESP_DROP_COUNT;
	size_t ilen = 0;
	int rc;

	if ((pkt = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(pkt, data, size);
	rc = esp_pkt_decap(&fuzz_sa[s][1], pkt, size, &inner, &ilen, &nh, &why);
	if (rc == 0) {
		if (why != ESP_DROP_NONE)
			abort();
		fuzz_check_inner(pkt, size, inner, ilen, nh);
	} else if (why == ESP_DROP_NONE || why >= ESP_DROP_COUNT) {
		abort();
	}
	free(pkt);
}

/* Encap, then decap; returns the drop reason (NONE when it came back). */
static enum esp_drop
fuzz_roundtrip(int s, const uint8_t *inner, size_t len, uint8_t nh,
	       size_t *glen)
{
	size_t max = len + esp_pkt_overhead(&fuzz_sa[s][0], len), n = 0;
	enum esp_drop why = ESP_DROP_COUNT;
	uint8_t *pkt, *got = NULL, gnh = 0;

	/* Exactly the size needed: an overflow shows up under ASan. */
	if ((pkt = malloc(max)) == NULL)
		abort();
	if (esp_pkt_encap(&fuzz_sa[s][0], inner, len, nh, pkt, max, &n) == -1 ||
	    n != max)
		abort();
	if (esp_pkt_decap(&fuzz_sa[s][1], pkt, n, &got, glen, &gnh, &why) ==
	    0) {
		fuzz_check_inner(pkt, n, got, *glen, gnh);
		if (gnh != nh || memcmp(got, inner, *glen) != 0)
			abort();
	}
	free(pkt);
	return why;
}

/* The bytes made into a well-formed IP packet of their own length. */
static void
fuzz_make_ip(uint8_t *p, size_t len, int v6)
{
	p[0] = (uint8_t)((v6 ? 0x60 : 0x40) | (v6 ? p[0] & 0x0f : 5));
	if (v6) {
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
	} else {
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
	}
}

static void
fuzz_encap(int s, int v6, const uint8_t *data, size_t size)
{
	uint8_t *ip, nh = v6 ? ESP_NH_IPV6 : ESP_NH_IPV4;
	enum esp_drop why;
	size_t glen = 0;

	if (size > FUZZ_INNER_MAX)
		size = FUZZ_INNER_MAX;
	/* As they are: back unchanged (or cut at their own length, TFC),
	 * or refused for what they are, never for the crypto. */
	why = fuzz_roundtrip(s, data, size, nh, &glen);
	if (why != ESP_DROP_NONE && why != ESP_DROP_NEXT_HEADER &&
	    why != ESP_DROP_MALFORMED)
		abort();
	if (size < (v6 ? 40u : 20u))
		return;
	if ((ip = malloc(size)) == NULL)
		abort();
	memcpy(ip, data, size);
	fuzz_make_ip(ip, size, v6);
	if (fuzz_roundtrip(s, ip, size, nh, &glen) != ESP_DROP_NONE ||
	    glen != size)
		abort();
	free(ip);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int s;

	if (fuzz_sa[0][0].cx == NULL)
		fuzz_setup();
	if (size == 0)
		return 0;
	s = data[0] & 1;
	fuzz_reset(s);
	fuzz_decap(s, data + 1, size - 1);
	fuzz_reset(s);
	fuzz_encap(s, (data[0] & 0x10) != 0, data + 1, size - 1);
	return 0;
}
