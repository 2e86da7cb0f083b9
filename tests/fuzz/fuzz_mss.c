/*
 * Fuzz target: the ESP data plane's packet helpers (MSS clamp, DF,
 * IPv4 fragmentation, ICMP too-big) over arbitrary bytes.  The first
 * four bytes choose the MSS and the MTU, the rest is the packet, as it
 * would come out of a TUN device or a decrypted ESP payload.
 *
 * Beyond not crashing: a clamp changes nothing or leaves the TCP
 * checksum exactly as valid as it was, and a second clamp finds nothing
 * to do; fragments are well formed and reassemble to the input; ICMP
 * messages fit their limits and have right checksums.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp/esp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_IN_MAX (ESP_PKT_MAX + 64)

struct fz_reasm {
	const uint8_t *orig;
	size_t mtu, next, hl, plen;
	int count, done;
	uint8_t data[ESP_PKT_MAX];
};

static uint16_t
fz_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's complement sum, folded; 0 and 0xffff are the same number. */
static uint16_t
fz_sum(uint64_t acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc == 0xffff ? 0 : (uint16_t)acc;
}

/* The TCP sum of a packet the clamp accepted, checksum field included. */
static uint16_t
fz_tcp_sum(const uint8_t *p)
{
	size_t hl, seg;

	if (p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 15) * 4;
		seg = fz_rd16(p + 2) - hl;
		return fz_sum(fz_sum(0, p + 12, 8) + 6 + seg, p + hl, seg);
	}
	seg = fz_rd16(p + 4);
	return fz_sum(fz_sum(0, p + 8, 32) + 6 + seg, p + 40, seg);
}

static void
fz_mss(const uint8_t *pkt, size_t len, uint16_t mss)
{
	static uint8_t c[FZ_IN_MAX];
	int rv;

	memcpy(c, pkt, len);
	rv = esp_mss_clamp(c, len, mss);
	if (rv < -1 || rv > 1)
		abort();
	if (rv != 1) {
		if (memcmp(c, pkt, len) != 0)
			abort();
		return;
	}
	if (fz_tcp_sum(c) != fz_tcp_sum(pkt))
		abort();
	if (esp_mss_clamp(c, len, mss) != 0)
		abort();
}

static int
fz_emit(const uint8_t *f, size_t len, void *arg)
{
	struct fz_reasm *r = arg;
	size_t hl, off, plen;
	uint16_t fl;

	if (len > r->mtu || len < 20 || r->done || f[0] >> 4 != 4)
		abort();
	hl = (size_t)(f[0] & 15) * 4;
	fl = fz_rd16(f + 6);
	if (hl < 20 || hl > len || fz_rd16(f + 2) != len || (fl & 0x4000) ||
	    fz_sum(0, f, hl) != 0)
		abort();
	if (memcmp(f + 4, r->orig + 4, 2) != 0 || f[9] != r->orig[9])
		abort();
	off = (size_t)(fl & 0x1fff) * 8 -
	      (size_t)(fz_rd16(r->orig + 6) & 0x1fff) * 8;
	plen = len - hl;
	if (off != r->next || plen > r->plen - r->next)
		abort();
	memcpy(r->data + r->next, f + hl, plen);
	r->next += plen;
	r->done = r->next == r->plen;
	if (!r->done && (!(fl & 0x2000) || plen % 8 != 0))
		abort();
	/* The last piece keeps the input's own MF. */
	if (r->done && (fl & 0x2000) != (fz_rd16(r->orig + 6) & 0x2000))
		abort();
	r->count++;
	return 0;
}

static void
fz_frag(const uint8_t *pkt, size_t len, size_t mtu)
{
	static struct fz_reasm r;
	int n;

	memset(&r, 0, sizeof(r));
	r.orig = pkt;
	r.mtu = mtu;
	if (len >= 20) {
		r.hl = (size_t)(pkt[0] & 15) * 4;
		r.plen = fz_rd16(pkt + 2) - r.hl;
	}
	(void)esp_frag_df(pkt, len);
	if ((n = esp_frag_ipv4(pkt, len, mtu, fz_emit, &r)) == -1)
		return;
	if (n != r.count || !r.done || memcmp(r.data, pkt + r.hl, r.plen) != 0)
		abort();
}

static void
fz_icmp(const uint8_t *pkt, size_t len, uint32_t mtu)
{
	static uint8_t m[ESP_FRAG_ICMP_MAX];
	struct addr s4, s6;
	uint8_t *small;
	size_t n, k;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	s4.family = AF_INET;
	memcpy(s4.bytes, "\xcb\x00\x71\x01", 4);
	s6.family = AF_INET6;
	s6.bytes[0] = 0x20;
	s6.bytes[15] = 1;
	n = esp_frag_icmp_too_big(pkt, len, &s4, mtu, m, sizeof(m));
	if (n > 0 && (n > 576 || n < 28 || fz_sum(0, m, 20) != 0 ||
		      fz_sum(0, m + 20, n - 20) != 0))
		abort();
	n = esp_frag_icmp_too_big(pkt, len, &s6, mtu, m, sizeof(m));
	if (n > 0 &&
	    (n > 1280 || n < 48 ||
	     fz_sum(fz_sum(0, m + 8, 32) + 58 + n - 40, m + 40, n - 40) != 0))
		abort();
	/* A buffer too small is refused, never overrun (ASan watches). */
	k = len % 64;
	if ((small = malloc(k ? k : 1)) == NULL)
		abort();
	if (esp_frag_icmp_too_big(pkt, len, &s6, mtu, small, k) > k ||
	    esp_frag_icmp_too_big(pkt, len, &s4, mtu, small, k) > k)
		abort();
	free(small);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t mss, mtu;

	if (size < 4)
		return 0;
	mss = fz_rd16(data);
	mtu = fz_rd16(data + 2);
	data += 4;
	size -= 4;
	if (size > FZ_IN_MAX)
		size = FZ_IN_MAX;
	fz_mss(data, size, mss);
	fz_frag(data, size, mtu);
	fz_icmp(data, size, mtu);
	return 0;
}
