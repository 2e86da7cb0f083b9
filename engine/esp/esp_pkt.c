/*
 * One ESP packet in or out of one SA direction, tunnel mode (RFC 4303),
 * without I/O: the data-plane threads own the sockets and TUN devices.
 *
 *	SPI (4) | sequence number (4) | IV | payload | padding |
 *	pad length (1) | next header (1) | ICV
 *
 * Everything from the payload to the next header is encrypted in place;
 * the AAD (GCM) or the start of the HMAC input (CBC) is SPI | seq.
 * Extended sequence numbers are not used: a 32-bit sequence number runs
 * out and the SA must be rekeyed before (ESP_SEQ_SOFT).
 *
 * Inbound, the cheap checks come first: lengths, then the replay window
 * (before any crypto, so a flood of replays costs no AES), the ICV, and
 * only then the decrypted trailer and inner header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "be.h"
#include "esp.h"

#define ESP_SEQ_MAX  0xffffffffu
#define IPV4_HDR_MIN 20
#define IPV6_HDR_LEN 40

static const char *const esp_drop_names[ESP_DROP_COUNT] = {
    [ESP_DROP_NONE] = "none",
    [ESP_DROP_SHORT] = "too-short",
    [ESP_DROP_NO_SA] = "unknown-spi",
    [ESP_DROP_REPLAY] = "replay",
    [ESP_DROP_INTEGRITY] = "integrity-failure",
    [ESP_DROP_PADDING] = "bad-padding",
    [ESP_DROP_NEXT_HEADER] = "bad-next-header",
    [ESP_DROP_POLICY] = "policy-mismatch",
    [ESP_DROP_QUEUE_FULL] = "queue-full",
    [ESP_DROP_TOO_BIG] = "too-big",
    [ESP_DROP_SEQ_EXHAUSTED] = "seq-exhausted",
    [ESP_DROP_MALFORMED] = "malformed",
    [ESP_DROP_NO_ROUTE] = "no-route",
    [ESP_DROP_IO] = "io-error",
    [ESP_DROP_QUEUE_EXPIRED] = "queue-expired",
};

/* The counter name of a drop reason ("unknown" for none of them). */
const char *
esp_drop_name(enum esp_drop d)
{
	if ((unsigned int)d >= ESP_DROP_COUNT || esp_drop_names[d] == NULL)
		return "unknown";
	return esp_drop_names[d];
}

/* Payload, padding and trailer of an inner packet of len bytes. */
static size_t
esp_padded(size_t len, size_t align)
{
	size_t n = len + ESP_TRAILER_MIN;

	return n + (align - n % align) % align;
}

size_t
esp_pkt_overhead(const struct esp_sa *sa, size_t len)
{
	const struct crypto_esp *cx = sa != NULL ? sa->cx : NULL;
	size_t align = crypto_esp_align(cx);

	if (align == 0 || len > ESP_PKT_MAX)
		return 0;
	return ESP_HDR_LEN + crypto_esp_ivlen(cx) + esp_padded(len, align) -
	       len + crypto_esp_icvlen(cx);
}

/* The RFC 4303 2.4 default: padding bytes 1, 2, 3, ... */
static void
esp_pad(uint8_t *p, size_t padlen, uint8_t nh)
{
	size_t i;

	for (i = 0; i < padlen; i++)
		p[i] = (uint8_t)(i + 1);
	p[padlen] = (uint8_t)padlen;
	p[padlen + 1] = nh;
}

/*
 * Outbound.  "inner" may overlap "out", typically sitting where the
 * payload goes (out + ESP_HDR_LEN + IV length) because the caller left
 * headroom: it is moved once, and nothing is allocated.
 */
int
esp_pkt_encap(struct esp_sa *sa, const uint8_t *inner, size_t len, uint8_t nh,
	      uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t ivlen, plen, total;
	uint8_t *iv, *payload;

	if (sa == NULL || sa->cx == NULL || out == NULL || outlen == NULL ||
	    (inner == NULL && len != 0) || len > ESP_PKT_MAX)
		return -1;
	ivlen = crypto_esp_ivlen(sa->cx);
	plen = esp_padded(len, crypto_esp_align(sa->cx));
	total = ESP_HDR_LEN + ivlen + plen + crypto_esp_icvlen(sa->cx);
	/* Checked before a sequence number is spent. */
	if (total > outmax || total > ESP_PKT_MAX || sa->seq >= ESP_SEQ_MAX)
		return -1;
	iv = out + ESP_HDR_LEN;
	payload = iv + ivlen;
	/* First, while the header cannot yet overwrite an overlapping inner. */
	if (len != 0)
		memmove(payload, inner, len);
	sa->seq++;
	be_put32(out, sa->spi);
	be_put32(out + 4, (uint32_t)sa->seq);
	if (crypto_esp_iv(sa->cx, sa->seq, iv) == -1)
		return -1;
	esp_pad(payload + len, plen - len - ESP_TRAILER_MIN, nh);
	if (crypto_esp_seal(sa->cx, out, ESP_HDR_LEN, iv, payload, plen,
			    payload + plen) == -1)
		return -1;
	*outlen = total;
	return 0;
}

static int
esp_fail(enum esp_drop *why, enum esp_drop d)
{
	*why = d;
	return -1;
}

/* Pad length and pad bytes; returns the payload length before them. */
static int
esp_trailer(const uint8_t *p, size_t plen, size_t *innerlen)
{
	size_t padlen = p[plen - 2], i, start;

	if (padlen > plen - ESP_TRAILER_MIN)
		return -1;
	start = plen - ESP_TRAILER_MIN - padlen;
	for (i = 0; i < padlen; i++)
		if (p[start + i] != (uint8_t)(i + 1))
			return -1;
	*innerlen = start;
	return 0;
}

/*
 * The inner header against the next header and the payload: version
 * nibble, then the length the header claims.  That length may be
 * shorter than what was carried: RFC 4303 2.7 TFC padding follows the
 * inner packet, and *len is cut back to the packet itself.  A dummy
 * packet (next header 59, RFC 4303 2.6) counts as a bad next header:
 * it is to be dropped either way.
 */
static enum esp_drop
esp_inner(const uint8_t *p, size_t *len, uint8_t nh)
{
	size_t hdr, tot;

	if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6)
		return ESP_DROP_NEXT_HEADER;
	if (*len == 0)
		return ESP_DROP_MALFORMED;
	if ((p[0] >> 4) != (nh == ESP_NH_IPV4 ? 4 : 6))
		return ESP_DROP_NEXT_HEADER;
	if (nh == ESP_NH_IPV4) {
		if (*len < IPV4_HDR_MIN)
			return ESP_DROP_MALFORMED;
		hdr = (size_t)(p[0] & 0x0f) * 4;
		tot = (size_t)p[2] << 8 | p[3];
	} else {
		if (*len < IPV6_HDR_LEN)
			return ESP_DROP_MALFORMED;
		hdr = IPV6_HDR_LEN;
		tot = IPV6_HDR_LEN + ((size_t)p[4] << 8 | p[5]);
	}
	if (hdr < IPV4_HDR_MIN || tot < hdr || tot > *len)
		return ESP_DROP_MALFORMED;
	*len = tot;
	return ESP_DROP_NONE;
}

/* After the ICV verified: trailer, inner packet; then the window moves. */
static int
esp_decap_plain(struct esp_sa *sa, uint8_t *p, size_t plen, uint32_t seq,
		uint8_t **inner, size_t *innerlen, uint8_t *nh,
		enum esp_drop *why)
{
	enum esp_drop d;
	size_t len;

	if (esp_trailer(p, plen, &len) == -1)
		return esp_fail(why, ESP_DROP_PADDING);
	if ((d = esp_inner(p, &len, p[plen - 1])) != ESP_DROP_NONE)
		return esp_fail(why, d);
	esp_replay_update(&sa->replay, seq);
	*inner = p;
	*innerlen = len;
	*nh = p[plen - 1];
	*why = ESP_DROP_NONE;
	return 0;
}

int
esp_pkt_decap(struct esp_sa *sa, uint8_t *pkt, size_t len, uint8_t **inner,
	      size_t *innerlen, uint8_t *nh, enum esp_drop *why)
{
	enum esp_drop ignored;
	size_t ivlen, icvlen, align, plen;
	uint8_t *payload;
	uint32_t seq;

	if (why == NULL)
		why = &ignored;
	if (sa == NULL || sa->cx == NULL || inner == NULL || innerlen == NULL ||
	    nh == NULL)
		return esp_fail(why, ESP_DROP_MALFORMED);
	ivlen = crypto_esp_ivlen(sa->cx);
	icvlen = crypto_esp_icvlen(sa->cx);
	align = crypto_esp_align(sa->cx);
	if (pkt == NULL || len < ESP_HDR_LEN + ivlen + icvlen + ESP_TRAILER_MIN)
		return esp_fail(why, ESP_DROP_SHORT);
	plen = len - ESP_HDR_LEN - ivlen - icvlen;
	if (plen % align != 0)
		return esp_fail(why, ESP_DROP_PADDING);
	seq = be_get32(pkt + 4);
	if (esp_replay_check(&sa->replay, seq) == -1)
		return esp_fail(why, ESP_DROP_REPLAY);
	payload = pkt + ESP_HDR_LEN + ivlen;
	if (crypto_esp_open(sa->cx, pkt, ESP_HDR_LEN, pkt + ESP_HDR_LEN,
			    payload, plen, payload + plen) == -1)
		return esp_fail(why, ESP_DROP_INTEGRITY);
	return esp_decap_plain(sa, payload, plen, seq, inner, innerlen, nh,
			       why);
}

uint32_t
esp_pkt_spi(const uint8_t *p, size_t len)
{
	if (p == NULL || len < ESP_HDR_LEN)
		return 0;
	return be_get32(p);
}

/* The source and destination of an inner IPv4 or IPv6 packet. */
static int
esp_addrs(const uint8_t *p, size_t len, struct addr *src, struct addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (len >= IPV4_HDR_MIN && (p[0] >> 4) == 4) {
		src->family = dst->family = AF_INET;
		memcpy(src->bytes, p + 12, 4);
		memcpy(dst->bytes, p + 16, 4);
		return 0;
	}
	if (len >= IPV6_HDR_LEN && (p[0] >> 4) == 6) {
		src->family = dst->family = AF_INET6;
		memcpy(src->bytes, p + 8, 16);
		memcpy(dst->bytes, p + 24, 16);
		return 0;
	}
	return -1;
}

/*
 * Inbound policy: a packet from the tunnel must come from the peer's
 * networks and go to ours, or a peer could inject traffic for networks
 * it was never given.  Returns 1 when allowed.
 */
int
esp_pkt_policy(const struct esp_sa *sa, const uint8_t *inner, size_t len)
{
	struct addr src, dst;

	if (sa == NULL || inner == NULL ||
	    esp_addrs(inner, len, &src, &dst) == -1)
		return 0;
	return prefix_contains(&sa->remote, &src) &&
	       prefix_contains(&sa->local, &dst);
}
