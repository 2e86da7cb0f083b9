/*
 * engine/esp and its crypto: crypto_esp.c against published ESP vectors
 * (the source is named next to each), esp_pkt.c round trips for every
 * algorithm and inner size, one crafted packet for every drop reason
 * (the anti-replay window itself: test_esp_replay.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "esp/esp.h"

#define BUF_MAX	  2048
#define INNER_MAX 1500
#define NSUITES	  (3 + CRYPTO_CIPHER_COUNT * CRYPTO_HASH_COUNT)
#define PEER_NET  "10.1.0.0/16" /* inner sources, the SA's remote */
#define OUR_NET	  "10.2.0.0/16" /* inner destinations, local */

/* ---- SAs of every suite ---- */

/* The RFC 2404 / 4868 truncations. */
static const size_t icv_trunc[CRYPTO_HASH_COUNT] = {12, 12, 16, 24, 32};

/*
 * Suite i: 0-2 AES-128/192/256-GCM-16, then every CBC cipher with every
 * HMAC.  Keys are fixed patterns so that two SAs of one suite match.
 */
static struct crypto_esp *
suite_cx(int i)
{
	struct crypto_esp_params p;
	uint8_t key[CRYPTO_KEY_MAX], authkey[CRYPTO_HASH_MAX];
	size_t k;

	for (k = 0; k < sizeof(key); k++)
		key[k] = (uint8_t)(0x11 * k + i);
	for (k = 0; k < sizeof(authkey); k++)
		authkey[k] = (uint8_t)(0xa5 ^ (k * 7 + i));
	memset(&p, 0, sizeof(p));
	p.key = key;
	if (i < 3) {
		p.aead = 1;
		p.keylen = 20 + 8 * (size_t)i;
	} else {
		p.cbc = (enum crypto_cipher)((i - 3) / CRYPTO_HASH_COUNT);
		p.integ = (enum crypto_hash)((i - 3) % CRYPTO_HASH_COUNT);
		p.keylen = crypto_cipher_keylen(p.cbc);
		p.authkey = authkey;
		p.authkeylen = crypto_hash_len(p.integ);
		p.icvlen = icv_trunc[p.integ];
	}
	return crypto_esp_new(&p);
}

/* Suite numbers of a few representatives. */
#define S_GCM128   0
#define S_GCM256   2
#define S_AES_SHA1 (3 + CRYPTO_AES128_CBC * CRYPTO_HASH_COUNT + CRYPTO_SHA1)
#define S_3DES_MD5 (3 + CRYPTO_3DES_CBC * CRYPTO_HASH_COUNT + CRYPTO_MD5)

static void
sa_init(struct esp_sa *sa, int suite, uint32_t window)
{
	int unused;

	memset(sa, 0, sizeof(*sa));
	sa->spi = 0xc0de0000u + (uint32_t)suite;
	assert_non_null(sa->cx = suite_cx(suite));
	esp_replay_init(&sa->replay, window);
	assert_int_equal(prefix_parse(PEER_NET, &sa->remote, &unused), 0);
	assert_int_equal(prefix_parse(OUR_NET, &sa->local, &unused), 0);
}

static void
sa_free(struct esp_sa *sa)
{
	crypto_esp_free(sa->cx);
	sa->cx = NULL;
}

/*
 * An inner packet of exactly len bytes: a valid UDP-over-IPv4 or -IPv6
 * packet from PEER_NET to OUR_NET when len holds the header, else bytes
 * that only start with the version nibble.
 */
static void
mk_inner(uint8_t *p, size_t len, int v6)
{
	static const uint8_t src6[16] = {0xfd, 0, 0, 1, [15] = 1};
	static const uint8_t dst6[16] = {0xfd, 0, 0, 2, [15] = 1};
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + len);
	if (len == 0)
		return;
	p[0] = v6 ? 0x60 : 0x45;
	if (!v6 && len >= 20) {
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[9] = 17;
		memcpy(p + 12, (const uint8_t[]){10, 1, 0, 1}, 4);
		memcpy(p + 16, (const uint8_t[]){10, 2, 0, 1}, 4);
	} else if (v6 && len >= 40) {
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
		p[6] = 17;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
	}
}

/* Decapsulates a private copy of exactly len bytes (ASan sees overreads). */
static enum esp_drop
decap_copy(struct esp_sa *sa, const uint8_t *pkt, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1), *inner = NULL, nh = 0;
	enum esp_drop why = ESP_DROP_COUNT;
	size_t innerlen = 0;
	int rc;

	assert_non_null(copy);
	memcpy(copy, pkt, len);
	rc = esp_pkt_decap(sa, copy, len, &inner, &innerlen, &nh, &why);
	free(copy);
	assert_int_equal(rc == 0, why == ESP_DROP_NONE);
	return why;
}

/*
 * A packet built by hand, so that it may carry any payload and trailer
 * (already padded and aligned) under a valid ICV.
 */
static size_t
craft(struct esp_sa *sa, const uint8_t *plain, size_t plen, uint8_t *pkt)
{
	size_t ivlen = crypto_esp_ivlen(sa->cx);
	uint8_t *iv = pkt + ESP_HDR_LEN, *payload = iv + ivlen;

	sa->seq++;
	pkt[0] = (uint8_t)(sa->spi >> 24);
	pkt[1] = (uint8_t)(sa->spi >> 16);
	pkt[2] = (uint8_t)(sa->spi >> 8);
	pkt[3] = (uint8_t)sa->spi;
	pkt[4] = (uint8_t)(sa->seq >> 24);
	pkt[5] = (uint8_t)(sa->seq >> 16);
	pkt[6] = (uint8_t)(sa->seq >> 8);
	pkt[7] = (uint8_t)sa->seq;
	assert_int_equal(crypto_esp_iv(sa->cx, sa->seq, iv), 0);
	memcpy(payload, plain, plen);
	assert_int_equal(crypto_esp_seal(sa->cx, pkt, ESP_HDR_LEN, iv, payload,
					 plen, payload + plen),
			 0);
	return ESP_HDR_LEN + ivlen + plen + crypto_esp_icvlen(sa->cx);
}

/* inner | 1, 2, ... | pad length | nh, aligned for the SA. */
static size_t
trailer(const struct esp_sa *sa, uint8_t *p, size_t len, uint8_t nh)
{
	size_t align = crypto_esp_align(sa->cx), n = len + 2, pad, i;

	pad = (align - n % align) % align;
	for (i = 0; i < pad; i++)
		p[len + i] = (uint8_t)(i + 1);
	p[len + pad] = (uint8_t)pad;
	p[len + pad + 1] = nh;
	return n + pad;
}

/* ---- crypto_esp.c ---- */

static void
test_crypto_esp_meta(void **state)
{
	struct crypto_esp *cx;
	int i;

	(void)state;
	for (i = 0; i < NSUITES; i++) {
		assert_non_null(cx = suite_cx(i));
		if (i < 3) {
			assert_int_equal(crypto_esp_ivlen(cx), 8);
			assert_int_equal(crypto_esp_icvlen(cx), 16);
			assert_int_equal(crypto_esp_align(cx), 4);
		} else {
			int c = (i - 3) / CRYPTO_HASH_COUNT;
			int h = (i - 3) % CRYPTO_HASH_COUNT;
			size_t bl = c == CRYPTO_3DES_CBC ? 8 : 16;

			assert_int_equal(crypto_esp_ivlen(cx), bl);
			assert_int_equal(crypto_esp_align(cx), bl);
			assert_int_equal(crypto_esp_icvlen(cx), icv_trunc[h]);
		}
		crypto_esp_free(cx);
	}
	assert_int_equal(crypto_esp_ivlen(NULL), 0);
	assert_int_equal(crypto_esp_icvlen(NULL), 0);
	assert_int_equal(crypto_esp_align(NULL), 0);
	crypto_esp_free(NULL);
}

static void
test_crypto_esp_refuses(void **state)
{
	struct crypto_esp_params p, good;
	uint8_t key[CRYPTO_KEY_MAX] = {1}, ak[CRYPTO_HASH_MAX] = {2};
	uint8_t buf[64] = {0}, iv[16] = {0}, icv[32] = {0};
	struct crypto_esp *cx;

	(void)state;
	assert_null(crypto_esp_new(NULL));
	memset(&good, 0, sizeof(good));
	good.aead = 1;
	good.key = key;
	good.keylen = 20;
	p = good;
	p.keylen = 16; /* no salt */
	assert_null(crypto_esp_new(&p));
	p = good;
	p.icvlen = 12; /* only GCM-16 */
	assert_null(crypto_esp_new(&p));
	p = good;
	p.key = NULL;
	assert_null(crypto_esp_new(&p));
	p = good;
	p.icvlen = 16;
	assert_non_null(cx = crypto_esp_new(&p));
	crypto_esp_free(cx);

	memset(&good, 0, sizeof(good));
	good.cbc = CRYPTO_AES256_CBC;
	good.key = key;
	good.keylen = 32;
	good.integ = CRYPTO_SHA256;
	good.authkey = ak;
	good.authkeylen = 32;
	good.icvlen = 16;
	assert_non_null(cx = crypto_esp_new(&good));
	/* CBC refuses what is not whole blocks, GCM takes any length. */
	assert_int_equal(crypto_esp_seal(cx, buf, 8, iv, buf, 15, icv), -1);
	assert_int_equal(crypto_esp_open(cx, buf, 8, iv, buf, 17, icv), -1);
	assert_int_equal(crypto_esp_seal(cx, buf, 8, iv, buf, 16, icv), 0);
	assert_int_equal(crypto_esp_seal(cx, buf, 8, NULL, buf, 16, icv), -1);
	assert_int_equal(crypto_esp_seal(cx, buf, 8, iv, NULL, 0, icv), -1);
	assert_int_equal(crypto_esp_seal(cx, NULL, 8, iv, buf, 16, icv), -1);
	assert_int_equal(crypto_esp_open(cx, buf, 8, iv, buf, 16, NULL), -1);
	assert_int_equal(crypto_esp_seal(NULL, buf, 8, iv, buf, 16, icv), -1);
	assert_int_equal(crypto_esp_iv(NULL, 1, iv), -1);
	assert_int_equal(crypto_esp_iv(cx, 1, NULL), -1);
	crypto_esp_free(cx);
	p = good;
	p.keylen = 16;
	assert_null(crypto_esp_new(&p));
	p = good;
	p.cbc = CRYPTO_CIPHER_COUNT;
	assert_null(crypto_esp_new(&p));
	p = good;
	p.integ = CRYPTO_HASH_COUNT;
	assert_null(crypto_esp_new(&p));
	p = good;
	p.icvlen = 8; /* under 96 bits */
	assert_null(crypto_esp_new(&p));
	p = good;
	p.icvlen = 33; /* over the hash */
	assert_null(crypto_esp_new(&p));
	p = good;
	p.authkey = NULL;
	assert_null(crypto_esp_new(&p));
	p = good;
	p.authkeylen = 0;
	assert_null(crypto_esp_new(&p));
}

/*
 * draft-mcgrew-gcm-test-01 ("Test Cases for the use of GCM and GMAC in
 * IPsec ESP"), section 4, every AES-GCM test case (1-14), numbered in the
 * draft's order.  Its conventions, which the ESP tests below rely on:
 * every payload ends in next header 1 (not 4), pad bytes 1, 2, ... where
 * there are any; the IPv4 total length of cases 1, 6, 7 and 9 counts the
 * ESP trailer; 11-13 carry no IP packet; 1, 5, 6, 8-11, 13 and 14 use
 * extended sequence numbers (12-byte AAD).
 */
struct gcm_kat {
	int num;
	const char *key; /* key | salt */
	const char *aad; /* SPI | seq, or SPI | 64-bit ESN */
	const char *iv;
	const char *pt; /* ESP payload, padding and trailer */
	const char *ct; /* ciphertext | ICV */
};

static const struct gcm_kat gcm_kats[] = {
    {1, "4c80cdefbb5d10da906ac73c3613a6342e443b68", "000043218765432100000000",
     "4956ed7e3b244cfe",
     "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
     "00000000045f736970045f756470037369700963796265726369747902646b00"
     "0021000101020201",
     "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
     "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
     "61bc17d768fd9732459018148f6cbe722fd04796562dfdb4"},
    {2, "feffe9928665731c6d6a8f9467308308cafebabe", "0000a5f80000000a",
     "facedbaddecaf888",
     "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
     "0001000000000000037369700963796265726369747902646b00000100010001",
     "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
     "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1"
     "83b70d3aa8bc6ee4c309e9d85a41ad4a"},
    {3,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
     "11223344",
     "4a2cbfe300000002", "0102030405060708",
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
     "7002400020bf0000020405b40101040201020201",
     "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
     "748a637985771d347f0545659f14e99def842d8eb335f4eecfdbf831824b4c49"
     "15956c96"},
    {4, "0000000000000000000000000000000000000000", "0000000000000001",
     "0000000000000000",
     "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
     "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
     "4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284"
     "456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3"
     "f821d496eeb096e98ad2b69e4799c71d"},
    {5, "3de09874b388e6491988d0c3607eae1f57690e43", "42f67e3f1010101010101010",
     "4e280000a2fca1a3",
     "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
     "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
     "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917"
     "65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a"
     "e0d731cc978ecafaeae88f00e80d6e48"},
    {6, "3de09874b388e6491988d0c3607eae1f57690e43", "42f67e3f1010101010101010",
     "4e280000a2fca1a3",
     "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
     "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f"
     "35e034be95f112e4e7d05d35"},
    {7, "feffe9928665731c6d6a8f9467308308feffe9928665731ccafebabe",
     "0000a5f80000000a", "facedbaddecaf888",
     "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
     "501016d075680001",
     "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
     "315b27452144cc7795457b9652037f5318027b5b4cd7a636"},
    {8, "abbccddef00112233445566778899aabdecaf888", "000001000000000000000001",
     "cafedebaceface74",
     "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
     "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
     "9b6266c04722b14923010101",
     "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f"
     "9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22"
     "6f2127b27db35724e7845d68651f57e65f354f75ff17015769623436"},
    {9,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
     "73616c74",
     "17405e67156f3126dd0db99b", "616e640169766563",
     "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
     "50101f646d540001",
     "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f"
     "f4d3a31ce673119e451626c2415771e3b7eebca614c89b35"},
    {10, "3de09874b388e6491988d0c3607eae1f57690e43", "42f67e3f1010101010101010",
     "4e280000a2fca1a3",
     "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b"
     "000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32"
     "5ae270c03899493915010101",
     "fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d541828"
     "00cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39"
     "ab533163aad4550ee5160975cdb608c5769189609763b8e18caa81e2"},
    {11,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
     "73616c74",
     "17405e67156f3126dd0db99b", "616e640169766563",
     "636973636f0172756c657301746865016e6574776501646566696e6501746865"
     "746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f"
     "72726f7701020201",
     "d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18"
     "d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b0"
     "12a49363412364f8c0cac587f249e56b11e24f30e44ccc76"},
    {12, "7d773d00c144c525ac619d18c84a3f47d9664267", "335467aeffffffff",
     "43457e9182443bc6", "01020201",
     "437f866bcb3f699fe9b0822bac961c4504bef270"},
    {13, "abbccddef00112233445566778899aabdecaf888", "000001000000000000000001",
     "cafedebaceface74", "746f016265016f72016e6f7401746f0162650001",
     "29c9fc69a197d038ccdd14e2ddfcaa0543332164412503524303ed3c6c5f2838"
     "43af8c3e"},
    {14,
     "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961"
     "7475726e",
     "796b6963ffffffffffffffff", "333021696765746d",
     "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
     "65666768696a6b6c6d6e6f707172737401020201",
     "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86"
     "4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a32"
     "9fb4c053"},
};

static struct crypto_esp *
gcm_kat_cx(const struct gcm_kat *k)
{
	struct crypto_esp_params p;
	uint8_t key[CRYPTO_KEY_MAX];

	memset(&p, 0, sizeof(p));
	p.aead = 1;
	p.key = key;
	p.keylen = unhex(k->key, key, sizeof(key));
	return crypto_esp_new(&p);
}

/* The cipher level: seal gives the draft's bytes, open gives them back. */
static void
test_gcm_draft(void **state)
{
	uint8_t aad[12] = {0}, iv[8], pt[BUF_MAX], ct[BUF_MAX], buf[BUF_MAX];
	size_t i, aadlen, ptlen;
	struct crypto_esp *cx;

	(void)state;
	for (i = 0; i < sizeof(gcm_kats) / sizeof(gcm_kats[0]); i++) {
		const struct gcm_kat *k = &gcm_kats[i];

		assert_non_null(cx = gcm_kat_cx(k));
		aadlen = unhex(k->aad, aad, sizeof(aad));
		assert_int_equal(unhex(k->iv, iv, sizeof(iv)), 8);
		ptlen = unhex(k->pt, pt, sizeof(pt));
		assert_int_equal(unhex(k->ct, ct, sizeof(ct)), ptlen + 16);
		memcpy(buf, pt, ptlen);
		assert_int_equal(crypto_esp_seal(cx, aad, aadlen, iv, buf,
						 ptlen, buf + ptlen),
				 0);
		assert_memory_equal(buf, ct, ptlen + 16);
		assert_int_equal(crypto_esp_open(cx, aad, aadlen, iv, buf,
						 ptlen, ct + ptlen),
				 0);
		assert_memory_equal(buf, pt, ptlen);
		/* The contexts are reused: the same again gives the same. */
		assert_int_equal(crypto_esp_seal(cx, aad, aadlen, iv, buf,
						 ptlen, buf + ptlen),
				 0);
		assert_memory_equal(buf, ct, ptlen + 16);
		/* The AAD is authenticated: a different seq fails. */
		memcpy(buf, ct, ptlen);
		aad[aadlen - 1] ^= 1;
		assert_int_equal(crypto_esp_open(cx, aad, aadlen, iv, buf,
						 ptlen, ct + ptlen),
				 -1);
		crypto_esp_free(cx);
	}
}

/*
 * The draft's non-ESN cases as whole ESP packets (SPI | seq | IV |
 * ciphertext | ICV) through esp_pkt_decap(): they authenticate and
 * decrypt in place to the draft's plaintext, and are then dropped for
 * their next header 1 (the draft's convention, not tunnel mode), which
 * must leave the replay window where it was.
 */
static void
test_gcm_draft_decap(void **state)
{
	uint8_t pkt[BUF_MAX], pt[BUF_MAX], *inner, nh;
	size_t i, n, ptlen, innerlen;
	enum esp_drop why;
	struct esp_sa sa;

	(void)state;
	for (i = 0; i < sizeof(gcm_kats) / sizeof(gcm_kats[0]); i++) {
		const struct gcm_kat *k = &gcm_kats[i];

		if (strlen(k->aad) != 16)
			continue;
		memset(&sa, 0, sizeof(sa));
		esp_replay_init(&sa.replay, 64);
		assert_non_null(sa.cx = gcm_kat_cx(k));
		n = unhex(k->aad, pkt, 8);
		n += unhex(k->iv, pkt + n, 8);
		ptlen = unhex(k->pt, pt, sizeof(pt));
		n += unhex(k->ct, pkt + n, sizeof(pkt) - n);
		sa.spi = esp_pkt_spi(pkt, n);
		assert_int_equal(
		    esp_pkt_decap(&sa, pkt, n, &inner, &innerlen, &nh, &why),
		    -1);
		assert_int_equal(why, ESP_DROP_NEXT_HEADER);
		assert_memory_equal(pkt + 16, pt, ptlen);
		assert_int_equal(sa.replay.top, 0);
		/* A flipped ICV bit: integrity, and no forged plaintext left.
		 */
		n = unhex(k->aad, pkt, 8);
		n += unhex(k->iv, pkt + n, 8);
		n += unhex(k->ct, pkt + n, sizeof(pkt) - n);
		pkt[n - 1] ^= 0x80;
		assert_int_equal(
		    esp_pkt_decap(&sa, pkt, n, &inner, &innerlen, &nh, &why),
		    -1);
		assert_int_equal(why, ESP_DROP_INTEGRITY);
		memset(pt, 0, ptlen);
		assert_memory_equal(pkt + 16, pt, ptlen);
		crypto_esp_free(sa.cx);
	}
}

/*
 * RFC 3602 section 4, cases #5 to #8: AES-128-CBC ESP packets without an
 * ICV (5 and 6 transport mode carrying ICMP, 7 and 8 tunnel mode).  The
 * cipher level is checked with crypto_cbc() and crypto_esp_seal() (which
 * must produce the RFC's ciphertext from its IV); the trailer parsing by
 * esp_pkt_decap() after appending an HMAC-SHA1-96 ICV computed here.
 */
struct cbc_kat {
	int num;
	const char *key;
	const char *pkt; /* SPI | seq | IV | ciphertext */
	const char *inner;
	uint8_t nh;
};

static const struct cbc_kat cbc_kats[] = {
    {5, "90d382b410eeba7ad938c46cec1a82bf",
     "0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6"
     "a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db08"
     "0b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d59"
     "13ac19b7cfbad4a6",
     "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
     "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     1},
    {6, "90d382b410eeba7ad938c46cec1a82bf",
     "000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4"
     "488987ce742e8109689bb379d2d750c0d915dca346a89f75",
     "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777", 1},
    {7, "0123456789abcdef0123456789abcdef",
     "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c44922"
     "5e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad"
     "7a0f022b859243c647752e94a859352b8a4d4d2decd136e5c177f132ad3fbfb2"
     "201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
     "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d"
     "02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f3031323334353637",
     4},
    {8, "0123456789abcdef0123456789abcdef",
     "000087650000000585d47224b5f3dd5d2101d4ea8dffab2215b92683819596a8"
     "047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3"
     "a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3d2726d9b5ef6affc"
     "6d17a0decbb13892",
     "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083d"
     "a3de0300ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffff",
     4},
};

static void
test_cbc_rfc3602(void **state)
{
	static const uint8_t authkey[20] = "rfc3602 has no icv!";
	struct crypto_esp_params p;
	uint8_t key[16], pkt[BUF_MAX], inner[BUF_MAX], plain[BUF_MAX];
	uint8_t buf[BUF_MAX], mac[CRYPTO_HASH_MAX], icv[16], *got, nh;
	size_t i, n, clen, ilen, glen;
	struct iovec v;
	enum esp_drop why;
	struct esp_sa sa;

	(void)state;
	for (i = 0; i < sizeof(cbc_kats) / sizeof(cbc_kats[0]); i++) {
		const struct cbc_kat *k = &cbc_kats[i];

		unhex(k->key, key, sizeof(key));
		n = unhex(k->pkt, pkt, sizeof(pkt));
		clen = n - 24;
		ilen = unhex(k->inner, inner, sizeof(inner));
		/* The RFC's padding: 1, 2, ..., pad length, next header. */
		memset(&sa, 0, sizeof(sa));
		memset(&p, 0, sizeof(p));
		p.cbc = CRYPTO_AES128_CBC;
		p.key = key;
		p.keylen = 16;
		p.integ = CRYPTO_SHA1;
		p.authkey = authkey;
		p.authkeylen = sizeof(authkey);
		p.icvlen = 12;
		assert_non_null(sa.cx = crypto_esp_new(&p));
		memcpy(plain, inner, ilen);
		assert_int_equal(trailer(&sa, plain, ilen, k->nh), clen);
		assert_int_equal(crypto_cbc(CRYPTO_AES128_CBC, 0, key, pkt + 8,
					    pkt + 24, clen, buf),
				 0);
		assert_memory_equal(buf, plain, clen);
		memcpy(buf, plain, clen);
		assert_int_equal(
		    crypto_esp_seal(sa.cx, pkt, 8, pkt + 8, buf, clen, icv), 0);
		assert_memory_equal(buf, pkt + 24, clen);
		/* The ICV, independently: HMAC-SHA1 over all, truncated. */
		v = iov(pkt, n);
		assert_int_equal(crypto_hmac(CRYPTO_SHA1, authkey,
					     sizeof(authkey), &v, 1, mac),
				 0);
		assert_memory_equal(icv, mac, 12);
		memcpy(pkt + n, mac, 12);
		esp_replay_init(&sa.replay, 64);
		if (k->nh == ESP_NH_IPV4) {
			assert_int_equal(esp_pkt_decap(&sa, pkt, n + 12, &got,
						       &glen, &nh, &why),
					 0);
			assert_int_equal(why, ESP_DROP_NONE);
			assert_int_equal(glen, ilen);
			assert_ptr_equal(got, pkt + 24);
			assert_memory_equal(got, inner, ilen);
			assert_int_equal(nh, ESP_NH_IPV4);
			assert_int_equal(sa.replay.top, (uint32_t)pkt[7]);
		} else {
			/* Transport mode (ICMP): not for a tunnel. */
			assert_int_equal(esp_pkt_decap(&sa, pkt, n + 12, &got,
						       &glen, &nh, &why),
					 -1);
			assert_int_equal(why, ESP_DROP_NEXT_HEADER);
			assert_memory_equal(pkt + 24, plain, clen);
		}
		crypto_esp_free(sa.cx);
	}
}

/*
 * One packet through a CBC suite's crypto_esp, checked against the
 * one-shot crypto_cbc() and crypto_hmac() with fresh contexts: the
 * ciphertext, and the ICV = HMAC(SPI | seq | IV | ciphertext) truncated.
 */
static void
cbc_packet(struct crypto_esp *cx, int i, uint32_t seq)
{
	enum crypto_cipher c =
	    (enum crypto_cipher)((i - 3) / CRYPTO_HASH_COUNT);
	enum crypto_hash h = (enum crypto_hash)((i - 3) % CRYPTO_HASH_COUNT);
	uint8_t hdr[8] = {0, 0, 0x12, 0x34}, iv[16], buf[96], plain[96];
	uint8_t key[CRYPTO_KEY_MAX], authkey[CRYPTO_HASH_MAX], want[96];
	uint8_t mac[CRYPTO_HASH_MAX], icv[32];
	size_t ivlen = crypto_esp_ivlen(cx), t = icv_trunc[h], k;
	struct iovec v[3];

	for (k = 0; k < sizeof(key); k++) /* as suite_cx() */
		key[k] = (uint8_t)(0x11 * k + (size_t)i);
	for (k = 0; k < sizeof(authkey); k++)
		authkey[k] = (uint8_t)(0xa5 ^ (k * 7 + (size_t)i));
	for (k = 0; k < sizeof(plain); k++)
		plain[k] = (uint8_t)(k + seq);
	hdr[7] = (uint8_t)seq;
	memcpy(buf, plain, sizeof(buf));
	assert_int_equal(crypto_esp_iv(cx, seq, iv), 0);
	assert_int_equal(crypto_esp_seal(cx, hdr, 8, iv, buf, sizeof(buf), icv),
			 0);
	assert_int_equal(crypto_cbc(c, 1, key, iv, plain, sizeof(plain), want),
			 0);
	assert_memory_equal(buf, want, sizeof(buf));
	v[0] = iov(hdr, 8);
	v[1] = iov(iv, ivlen);
	v[2] = iov(buf, sizeof(buf));
	assert_int_equal(crypto_hmac(h, authkey, crypto_hash_len(h), v, 3, mac),
			 0);
	assert_memory_equal(icv, mac, t);
	/* Tampering with the ICV or the IV fails and leaves buf alone. */
	icv[t - 1] ^= 1;
	assert_int_equal(crypto_esp_open(cx, hdr, 8, iv, buf, sizeof(buf), icv),
			 -1);
	assert_memory_equal(buf, want, sizeof(buf));
	icv[t - 1] ^= 1;
	iv[0] ^= 1;
	assert_int_equal(crypto_esp_open(cx, hdr, 8, iv, buf, sizeof(buf), icv),
			 -1);
	iv[0] ^= 1;
	assert_int_equal(crypto_esp_open(cx, hdr, 8, iv, buf, sizeof(buf), icv),
			 0);
	assert_memory_equal(buf, plain, sizeof(buf));
}

/* Every CBC suite, several packets on one object (contexts reused). */
static void
test_cbc_hmac(void **state)
{
	struct crypto_esp *cx;
	uint32_t seq;
	int i;

	(void)state;
	for (i = 3; i < NSUITES; i++) {
		assert_non_null(cx = suite_cx(i));
		for (seq = 1; seq <= 4; seq++)
			cbc_packet(cx, i, seq);
		crypto_esp_free(cx);
	}
}

/*
 * IVs: GCM the packet number itself (RFC 4106 3.1); CBC the block
 * cipher applied to it (SP 800-38A appendix C), which must equal one
 * block of crypto_cbc() with a zero IV, and differ for every number.
 */
static void
test_esp_iv(void **state)
{
	static const uint8_t zero[16];
	uint8_t iv[16], prev[16], block[16], want[16], key[CRYPTO_KEY_MAX];
	struct crypto_esp *cx;
	size_t bl, k;
	int i;

	(void)state;
	assert_non_null(cx = suite_cx(S_GCM128));
	assert_int_equal(crypto_esp_iv(cx, 0x0102030405060708ull, iv), 0);
	assert_memory_equal(iv, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	crypto_esp_free(cx);
	for (i = 3; i < NSUITES; i += CRYPTO_HASH_COUNT) {
		enum crypto_cipher c =
		    (enum crypto_cipher)((i - 3) / CRYPTO_HASH_COUNT);

		for (k = 0; k < sizeof(key); k++) /* as suite_cx() */
			key[k] = (uint8_t)(0x11 * k + (size_t)i);
		bl = crypto_cipher_blocklen(c);
		assert_non_null(cx = suite_cx(i));
		memset(prev, 0, sizeof(prev));
		for (k = 1; k < 300; k++) {
			memset(block, 0, sizeof(block));
			block[bl - 2] = (uint8_t)(k >> 8);
			block[bl - 1] = (uint8_t)k;
			assert_int_equal(
			    crypto_cbc(c, 1, key, zero, block, bl, want), 0);
			assert_int_equal(crypto_esp_iv(cx, k, iv), 0);
			assert_memory_equal(iv, want, bl);
			assert_memory_not_equal(iv, prev, bl);
			memcpy(prev, iv, bl);
		}
		crypto_esp_free(cx);
	}
}

/* ---- esp_pkt.c: round trips ---- */

static void
roundtrip_one(struct esp_sa *out, struct esp_sa *in, size_t len, int v6)
{
	uint8_t inner[INNER_MAX], pkt[BUF_MAX], *got = NULL, nh = 0;
	size_t n = 0, glen = 0, ivlen = crypto_esp_ivlen(out->cx);
	size_t hdr = v6 ? 40 : 20;
	enum esp_drop why;
	int rc;

	mk_inner(inner, len, v6);
	assert_int_equal(esp_pkt_encap(out, inner, len,
				       v6 ? ESP_NH_IPV6 : ESP_NH_IPV4, pkt,
				       sizeof(pkt), &n),
			 0);
	assert_int_equal(n, len + esp_pkt_overhead(out, len));
	assert_int_equal(
	    (n - ESP_HDR_LEN - ivlen - crypto_esp_icvlen(out->cx)) %
		crypto_esp_align(out->cx),
	    0);
	assert_int_equal(esp_pkt_spi(pkt, n), out->spi);
	assert_int_equal(pkt[7], (uint8_t)out->seq);
	rc = esp_pkt_decap(in, pkt, n, &got, &glen, &nh, &why);
	if (len < hdr) {
		/* Too short for its IP header: decrypts, then refused. */
		assert_int_equal(rc, -1);
		assert_int_equal(why, ESP_DROP_MALFORMED);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(why, ESP_DROP_NONE);
	assert_ptr_equal(got, pkt + ESP_HDR_LEN + ivlen);
	assert_int_equal(glen, len);
	assert_int_equal(nh, v6 ? ESP_NH_IPV6 : ESP_NH_IPV4);
	assert_memory_equal(got, inner, len);
	assert_int_equal(esp_pkt_policy(in, got, glen), !v6); /* v4 SA */
}

/* Every suite, every inner size 0..1500, IPv4 and IPv6. */
static void
test_roundtrip(void **state)
{
	struct esp_sa out, in;
	size_t len;
	int i, v6;

	(void)state;
	for (i = 0; i < NSUITES; i++) {
		sa_init(&out, i, 0);
		sa_init(&in, i, 64);
		for (v6 = 0; v6 < 2; v6++)
			for (len = 0; len <= INNER_MAX; len++)
				roundtrip_one(&out, &in, len, v6);
		assert_int_equal(out.seq, 2 * (INNER_MAX + 1));
		sa_free(&out);
		sa_free(&in);
	}
}

/* Sizes: overhead, outmax, the largest packet, an inner in headroom. */
static void
test_encap_limits(void **state)
{
	static uint8_t big[ESP_PKT_MAX + 64];
	uint8_t inner[100], pkt[BUF_MAX], *got, nh;
	size_t n = 0, need, glen;
	enum esp_drop why;
	struct esp_sa out, in;

	(void)state;
	sa_init(&out, S_GCM128, 0);
	sa_init(&in, S_GCM128, 64);
	/* GCM: 8 header, 8 IV, 100 + 2 -> 104 (102 + 2 is aligned), 16 ICV. */
	assert_int_equal(esp_pkt_overhead(&out, 100), 8 + 8 + 4 + 16);
	assert_int_equal(esp_pkt_overhead(&out, 102), 8 + 8 + 2 + 16);
	assert_int_equal(esp_pkt_overhead(&out, 103), 8 + 8 + 5 + 16);
	assert_int_equal(esp_pkt_overhead(NULL, 100), 0);
	mk_inner(inner, sizeof(inner), 0);
	need = sizeof(inner) + esp_pkt_overhead(&out, sizeof(inner));
	assert_int_equal(
	    esp_pkt_encap(&out, inner, sizeof(inner), 4, pkt, need - 1, &n),
	    -1);
	assert_int_equal(out.seq, 0); /* no sequence number spent */
	assert_int_equal(
	    esp_pkt_encap(&out, inner, sizeof(inner), 4, pkt, need, &n), 0);
	assert_int_equal(n, need);
	assert_int_equal(esp_pkt_encap(NULL, inner, 1, 4, pkt, need, &n), -1);
	assert_int_equal(esp_pkt_encap(&out, NULL, 1, 4, pkt, need, &n), -1);
	assert_int_equal(esp_pkt_encap(&out, inner, 1, 4, NULL, need, &n), -1);
	assert_int_equal(esp_pkt_encap(&out, inner, 1, 4, pkt, need, NULL), -1);
	/* The largest ESP packet is ESP_PKT_MAX bytes, one more is refused. */
	for (need = ESP_PKT_MAX;
	     need + esp_pkt_overhead(&out, need) > ESP_PKT_MAX; need--)
		;
	assert_int_equal(
	    esp_pkt_encap(&out, big, need, 4, big, sizeof(big), &n), 0);
	assert_int_equal(n, need + esp_pkt_overhead(&out, need));
	assert_int_equal(
	    esp_pkt_encap(&out, big, need + 1, 4, big, sizeof(big), &n), -1);
	assert_int_equal(
	    esp_pkt_encap(&out, big, ESP_PKT_MAX + 1, 4, big, sizeof(big), &n),
	    -1);
	/* Headroom: the inner already where the payload goes. */
	mk_inner(pkt + 16, sizeof(inner), 0);
	assert_int_equal(esp_pkt_encap(&out, pkt + 16, sizeof(inner), 4, pkt,
				       sizeof(pkt), &n),
			 0);
	assert_int_equal(esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, &why), 0);
	assert_memory_equal(got, inner, sizeof(inner));
	/* And an inner that starts where the header goes. */
	mk_inner(pkt, sizeof(inner), 0);
	assert_int_equal(
	    esp_pkt_encap(&out, pkt, sizeof(inner), 4, pkt, sizeof(pkt), &n),
	    0);
	assert_int_equal(esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, &why), 0);
	assert_memory_equal(got, inner, sizeof(inner));
	sa_free(&out);
	sa_free(&in);
}

/* No ESN: 0xffffffff is the last number sent, then encap refuses. */
static void
test_seq_exhaustion(void **state)
{
	uint8_t inner[40], pkt[BUF_MAX], *got, nh;
	size_t n, glen;
	enum esp_drop why;
	struct esp_sa out, in;

	(void)state;
	sa_init(&out, S_AES_SHA1, 0);
	sa_init(&in, S_AES_SHA1, 64);
	mk_inner(inner, sizeof(inner), 0);
	out.seq = 0xfffffffeu;
	assert_int_equal(
	    esp_pkt_encap(&out, inner, sizeof(inner), 4, pkt, sizeof(pkt), &n),
	    0);
	assert_memory_equal(pkt + 4, "\xff\xff\xff\xff", 4);
	assert_int_equal(esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, &why), 0);
	assert_int_equal(in.replay.top, 0xffffffffu);
	assert_int_equal(
	    esp_pkt_encap(&out, inner, sizeof(inner), 4, pkt, sizeof(pkt), &n),
	    -1);
	assert_int_equal(out.seq, 0xffffffffu);
	out.seq = 0x100000000ull;
	assert_int_equal(
	    esp_pkt_encap(&out, inner, sizeof(inner), 4, pkt, sizeof(pkt), &n),
	    -1);
	sa_free(&out);
	sa_free(&in);
}

/* ---- esp_pkt.c: every drop reason from a crafted packet ---- */

/* A valid packet of suite s: 60-byte IPv4 inner. */
static size_t
good_packet(struct esp_sa *out, uint8_t *pkt)
{
	uint8_t inner[60];
	size_t n = 0;

	mk_inner(inner, sizeof(inner), 0);
	assert_int_equal(
	    esp_pkt_encap(out, inner, sizeof(inner), 4, pkt, BUF_MAX, &n), 0);
	return n;
}

/* One flipped bit in each region -> integrity; the window stays put. */
static void
test_drop_integrity(void **state)
{
	static const int suites[] = {S_GCM128, S_GCM256, S_AES_SHA1,
				     S_3DES_MD5};
	uint8_t pkt[BUF_MAX];
	size_t n, i, ivlen, icvlen, at[8];
	struct esp_sa out, in;
	int s, r;

	(void)state;
	for (s = 0; s < 4; s++) {
		sa_init(&out, suites[s], 0);
		sa_init(&in, suites[s], 64);
		n = good_packet(&out, pkt);
		ivlen = crypto_esp_ivlen(out.cx);
		icvlen = crypto_esp_icvlen(out.cx);
		at[0] = 0;		/* SPI */
		at[1] = 5;		/* sequence number (a fresh one) */
		at[2] = 8;		/* IV */
		at[3] = 8 + ivlen - 1;	/* IV, last byte */
		at[4] = 8 + ivlen;	/* ciphertext, first byte */
		at[5] = n - icvlen - 1; /* ciphertext: the next header */
		at[6] = n - icvlen;	/* ICV, first byte */
		at[7] = n - 1;		/* ICV, last byte */
		for (r = 0; r < 8; r++)
			for (i = 0; i < 8; i++) {
				pkt[at[r]] ^= (uint8_t)(1u << i);
				assert_int_equal(decap_copy(&in, pkt, n),
						 ESP_DROP_INTEGRITY);
				pkt[at[r]] ^= (uint8_t)(1u << i);
			}
		assert_int_equal(in.replay.top, 0);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
		sa_free(&out);
		sa_free(&in);
	}
}

static void
test_drop_replay(void **state)
{
	uint8_t pkt[BUF_MAX], first[BUF_MAX];
	size_t n, nfirst, i;
	struct esp_sa out, in, off;

	(void)state;
	sa_init(&out, S_GCM128, 0);
	sa_init(&in, S_GCM128, 32);
	sa_init(&off, S_GCM128, 0);
	nfirst = good_packet(&out, first);
	assert_int_equal(decap_copy(&in, first, nfirst), ESP_DROP_NONE);
	assert_int_equal(decap_copy(&in, first, nfirst), ESP_DROP_REPLAY);
	/* The replay check comes before the crypto: even a broken ICV. */
	first[nfirst - 1] ^= 1;
	assert_int_equal(decap_copy(&in, first, nfirst), ESP_DROP_REPLAY);
	first[nfirst - 1] ^= 1;
	/* 40 more: the first (seq 1) falls out of a 32-packet window. */
	for (i = 0; i < 40; i++) {
		n = good_packet(&out, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
	}
	assert_int_equal(decap_copy(&in, first, nfirst), ESP_DROP_REPLAY);
	/* Out of order inside the window: accepted once. */
	out.seq = 99;
	n = good_packet(&out, pkt); /* 100 */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
	out.seq = 89;
	n = good_packet(&out, pkt); /* 90, still inside 100 - 32 */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_REPLAY);
	out.seq = 67;
	n = good_packet(&out, pkt); /* 68: just outside */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_REPLAY);
	out.seq = 68;
	n = good_packet(&out, pkt); /* 69: the oldest inside */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
	/* With the window off, replays and old packets pass. */
	assert_int_equal(decap_copy(&off, first, nfirst), ESP_DROP_NONE);
	assert_int_equal(decap_copy(&off, first, nfirst), ESP_DROP_NONE);
	assert_int_equal(decap_copy(&off, pkt, n), ESP_DROP_NONE);
	assert_int_equal(decap_copy(&off, first, nfirst), ESP_DROP_NONE);
	sa_free(&out);
	sa_free(&in);
	sa_free(&off);
}

/* Only packets that pass every check move the window. */
static void
test_drop_window_untouched(void **state)
{
	uint8_t plain[BUF_MAX], pkt[BUF_MAX];
	size_t n, plen;
	struct esp_sa out, in;

	(void)state;
	sa_init(&out, S_AES_SHA1, 0);
	sa_init(&in, S_AES_SHA1, 64);
	mk_inner(plain, 40, 0);
	plen = trailer(&out, plain, 40, 17);
	out.seq = 4;
	n = craft(&out, plain, plen, pkt); /* seq 5, next header UDP */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	assert_int_equal(in.replay.top, 0);
	plen = trailer(&out, plain, 40, 4);
	out.seq = 4;
	n = craft(&out, plain, plen, pkt); /* seq 5 again, valid */
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
	assert_int_equal(in.replay.top, 5);
	sa_free(&out);
	sa_free(&in);
}

/* Bad padding under a valid ICV, and lengths off the alignment. */
static void
test_drop_padding(void **state)
{
	static const int suites[] = {S_GCM128, S_AES_SHA1, S_3DES_MD5};
	uint8_t plain[BUF_MAX], pkt[BUF_MAX];
	size_t n, plen, align;
	struct esp_sa out, in;
	int s;

	(void)state;
	for (s = 0; s < 3; s++) {
		sa_init(&out, suites[s], 0);
		sa_init(&in, suites[s], 1024);
		align = crypto_esp_align(out.cx);
		/* 41 bytes of IPv4 with one byte of TFC padding. */
		mk_inner(plain, 41, 0);
		plain[3] = 40;
		plen = trailer(&out, plain, 41, 4);
		assert_true(plain[plen - 2] >= 1);
		n = craft(&out, plain, plen, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
		/* A pad byte out of the 1, 2, 3 ... sequence. */
		plain[plen - 3] ^= 0x40;
		n = craft(&out, plain, plen, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_PADDING);
		plain[plen - 3] ^= 0x40;
		/* The first pad byte wrong (when there are two or more). */
		if (plain[plen - 2] >= 2) {
			plain[plen - 2 - plain[plen - 2]] = 0;
			n = craft(&out, plain, plen, pkt);
			assert_int_equal(decap_copy(&in, pkt, n),
					 ESP_DROP_PADDING);
			plain[plen - 2 - plain[plen - 2]] = 1;
		}
		/* Pad length beyond the payload: plen - 1, and 255. */
		plain[plen - 2] = (uint8_t)(plen - 1);
		n = craft(&out, plain, plen, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_PADDING);
		plain[plen - 2] = 255;
		n = craft(&out, plain, plen, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_PADDING);
		/* Pad length eating the whole payload: no inner left. */
		memset(plain, 0, plen);
		plain[plen - 2] = (uint8_t)(plen - 2);
		plain[plen - 1] = 4;
		for (n = 0; n < plen - 2; n++)
			plain[n] = (uint8_t)(n + 1);
		n = craft(&out, plain, plen, pkt);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_MALFORMED);
		/* A ciphertext length off the alignment, before any crypto;
		 * a whole block more only moves the ICV. */
		memset(pkt, 0xee, sizeof(pkt));
		n = good_packet(&out, pkt);
		assert_int_equal(decap_copy(&in, pkt, n + 1), ESP_DROP_PADDING);
		assert_int_equal(decap_copy(&in, pkt, n - 1), ESP_DROP_PADDING);
		assert_int_equal(decap_copy(&in, pkt, n + align),
				 ESP_DROP_INTEGRITY);
		assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NONE);
		sa_free(&out);
		sa_free(&in);
	}
}

/* Next header and the inner header it announces. */
static void
test_drop_next_header(void **state)
{
	uint8_t plain[BUF_MAX], pkt[BUF_MAX], *got, nh;
	size_t n, plen, glen;
	enum esp_drop why;
	struct esp_sa out, in;

	(void)state;
	sa_init(&out, S_GCM128, 0);
	sa_init(&in, S_GCM128, 4096);
	/* Not 4 or 41: UDP, ICMP, "no next header" (a dummy packet). */
	mk_inner(plain, 60, 0);
	plen = trailer(&out, plain, 60, 17);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	plen = trailer(&out, plain, 60, 1);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	plen = trailer(&out, plain, 60, 59);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	/* 4 carrying IPv6, 41 carrying IPv4, 4 carrying version 5. */
	mk_inner(plain, 60, 1);
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	mk_inner(plain, 60, 0);
	plen = trailer(&out, plain, 60, ESP_NH_IPV6);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	plain[0] = 0x55;
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_NEXT_HEADER);
	/* The inner length field: longer than carried, IHL < 5, IHL past
	 * the total length, an IPv6 payload length too long. */
	mk_inner(plain, 60, 0);
	plain[3] = 61;
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_MALFORMED);
	mk_inner(plain, 60, 0);
	plain[0] = 0x44;
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_MALFORMED);
	mk_inner(plain, 60, 0);
	plain[0] = 0x4f; /* 60-byte header */
	plain[3] = 40;
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_MALFORMED);
	mk_inner(plain, 60, 1);
	plain[5] = 21;
	plen = trailer(&out, plain, 60, ESP_NH_IPV6);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(decap_copy(&in, pkt, n), ESP_DROP_MALFORMED);
	/* TFC padding (RFC 4303 2.7): the inner length says where it ends. */
	mk_inner(plain, 60, 0);
	plain[3] = 44;
	plen = trailer(&out, plain, 60, ESP_NH_IPV4);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, &why), 0);
	assert_int_equal(glen, 44);
	assert_memory_equal(got, plain, 44);
	mk_inner(plain, 60, 1);
	plain[5] = 0; /* a bare IPv6 header and 20 bytes of TFC */
	plen = trailer(&out, plain, 60, ESP_NH_IPV6);
	n = craft(&out, plain, plen, pkt);
	assert_int_equal(esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, &why), 0);
	assert_int_equal(glen, 40);
	assert_int_equal(nh, ESP_NH_IPV6);
	sa_free(&out);
	sa_free(&in);
}

/* Every truncation, and NULL arguments: refused, never a crash. */
static void
test_drop_truncations(void **state)
{
	static const int suites[] = {S_GCM128, S_AES_SHA1, S_3DES_MD5};
	uint8_t pkt[BUF_MAX], *got, nh;
	size_t n, len, glen, min;
	enum esp_drop why;
	struct esp_sa out, in;
	int s;

	(void)state;
	for (s = 0; s < 3; s++) {
		sa_init(&out, suites[s], 0);
		sa_init(&in, suites[s], 64);
		n = good_packet(&out, pkt);
		min = ESP_HDR_LEN + crypto_esp_ivlen(in.cx) +
		      crypto_esp_icvlen(in.cx) + ESP_TRAILER_MIN;
		for (len = 0; len < n; len++) {
			why = decap_copy(&in, pkt, len);
			if (len < min)
				assert_int_equal(why, ESP_DROP_SHORT);
			else
				assert_true(why == ESP_DROP_PADDING ||
					    why == ESP_DROP_INTEGRITY);
		}
		assert_int_equal(in.replay.top, 0);
		assert_int_equal(
		    esp_pkt_decap(&in, NULL, 0, &got, &glen, &nh, &why), -1);
		assert_int_equal(why, ESP_DROP_SHORT);
		assert_int_equal(
		    esp_pkt_decap(NULL, pkt, n, &got, &glen, &nh, &why), -1);
		assert_int_equal(
		    esp_pkt_decap(&in, pkt, n, NULL, &glen, &nh, &why), -1);
		assert_int_equal(
		    esp_pkt_decap(&in, pkt, n, &got, &glen, &nh, NULL), 0);
		sa_free(&out);
		sa_free(&in);
	}
}

static void
test_drop_names(void **state)
{
	const char *name[ESP_DROP_COUNT], *p;
	int d, e;

	(void)state;
	for (d = 0; d < ESP_DROP_COUNT; d++) {
		name[d] = esp_drop_name((enum esp_drop)d);
		assert_non_null(name[d]);
		assert_true(strlen(name[d]) > 0);
		assert_string_not_equal(name[d], "unknown");
		for (p = name[d]; *p != '\0'; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
		for (e = 0; e < d; e++)
			assert_string_not_equal(name[d], name[e]);
	}
	assert_string_equal(esp_drop_name(ESP_DROP_INTEGRITY),
			    "integrity-failure");
	assert_string_equal(esp_drop_name(ESP_DROP_REPLAY), "replay");
	assert_string_equal(esp_drop_name(ESP_DROP_PADDING), "bad-padding");
	assert_string_equal(esp_drop_name(ESP_DROP_NO_SA), "unknown-spi");
	assert_string_equal(esp_drop_name(ESP_DROP_POLICY), "policy-mismatch");
	assert_string_equal(esp_drop_name(ESP_DROP_QUEUE_FULL), "queue-full");
	assert_string_equal(esp_drop_name(ESP_DROP_TOO_BIG), "too-big");
	assert_string_equal(esp_drop_name(ESP_DROP_COUNT), "unknown");
	assert_string_equal(esp_drop_name((enum esp_drop) - 1), "unknown");
}

static void
test_spi(void **state)
{
	static const uint8_t p[8] = {0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1};

	(void)state;
	assert_int_equal(esp_pkt_spi(p, 8), 0xdeadbeefu);
	assert_int_equal(esp_pkt_spi(p, 7), 0);
	assert_int_equal(esp_pkt_spi(NULL, 8), 0);
	/* RFC 3948 non-ESP marker: IKE on port 4500 reads as SPI 0. */
	assert_int_equal(esp_pkt_spi((const uint8_t *)"\0\0\0\0abcd", 8), 0);
}

/* Inner source within the remote networks, destination within ours. */
static void
test_policy(void **state)
{
	uint8_t v4[20], v6[40];
	struct esp_sa sa;
	int unused;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(prefix_parse(PEER_NET, &sa.remote, &unused), 0);
	assert_int_equal(prefix_parse(OUR_NET, &sa.local, &unused), 0);
	mk_inner(v4, sizeof(v4), 0); /* 10.1.0.1 -> 10.2.0.1 */
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 1);
	v4[13] = 2; /* from 10.2.0.1: not the peer's */
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 0);
	v4[13] = 1;
	v4[16] = 11; /* to 11.2.0.1: not ours */
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 0);
	v4[16] = 10;
	v4[19] = 0xff; /* 10.2.0.255: still ours */
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 1);
	assert_int_equal(esp_pkt_policy(&sa, v4, 19), 0);
	assert_int_equal(esp_pkt_policy(&sa, NULL, 20), 0);
	assert_int_equal(esp_pkt_policy(NULL, v4, 20), 0);
	/* IPv4 selectors do not match IPv6 packets, and back. */
	mk_inner(v6, sizeof(v6), 1); /* fd00:1::1 -> fd00:2::1 */
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 0);
	assert_int_equal(prefix_parse("fd00:1::/32", &sa.remote, &unused), 0);
	assert_int_equal(prefix_parse("fd00:2::/32", &sa.local, &unused), 0);
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 1);
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 0);
	v6[9] = 1; /* fd01:1::1 */
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 0);
	v6[9] = 0;
	v6[39] = 7; /* fd00:2::7 */
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 1);
	v6[27] = 3; /* fd00:3::7 */
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 0);
	assert_int_equal(esp_pkt_policy(&sa, v6, 39), 0);
	v6[0] = 0x40; /* a version 4 nibble on 40 bytes of IPv6 */
	assert_int_equal(esp_pkt_policy(&sa, v6, sizeof(v6)), 0);
	/* Host selectors. */
	assert_int_equal(prefix_parse("10.1.0.1", &sa.remote, &unused), 0);
	assert_int_equal(prefix_parse("10.2.0.255", &sa.local, &unused), 0);
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 1);
	v4[15] = 2;
	assert_int_equal(esp_pkt_policy(&sa, v4, sizeof(v4)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_esp_meta),
	    cmocka_unit_test(test_crypto_esp_refuses),
	    cmocka_unit_test(test_gcm_draft),
	    cmocka_unit_test(test_gcm_draft_decap),
	    cmocka_unit_test(test_cbc_rfc3602),
	    cmocka_unit_test(test_cbc_hmac),
	    cmocka_unit_test(test_esp_iv),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_encap_limits),
	    cmocka_unit_test(test_seq_exhaustion),
	    cmocka_unit_test(test_drop_integrity),
	    cmocka_unit_test(test_drop_replay),
	    cmocka_unit_test(test_drop_window_untouched),
	    cmocka_unit_test(test_drop_padding),
	    cmocka_unit_test(test_drop_next_header),
	    cmocka_unit_test(test_drop_truncations),
	    cmocka_unit_test(test_drop_names),
	    cmocka_unit_test(test_spi),
	    cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests_name("esp", tests, NULL, NULL);
}
