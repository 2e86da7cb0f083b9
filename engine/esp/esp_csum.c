/*
 * The Internet checksum (RFC 1071) every layer of the data plane needs:
 * IPv4 headers, TCP and UDP with their pseudo-headers, ICMP.  One fast
 * sum, since segmentation and coalescing run it over every byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "be.h"
#include "esp.h"

#define CSUM_CHUNK ((size_t)1 << 30) /* keeps the accumulators exact */

static uint16_t
csum_fold(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * Native-order words, since the ones'-complement sum commutes with a
 * byte swap (RFC 1071 2.B): one swap at the end instead of one per word.
 * Four independent accumulators of 32-bit halves keep the adds parallel
 * and carry-free; a chunk of at most 2^30 bytes cannot overflow them.
 */
static uint64_t
csum_native(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, w0, w1, w2, w3;
	uint32_t w32;
	uint16_t w16;

	for (; len >= 32; p += 32, len -= 32) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		a0 += (w0 & 0xffffffff) + (w0 >> 32);
		a1 += (w1 & 0xffffffff) + (w1 >> 32);
		a2 += (w2 & 0xffffffff) + (w2 >> 32);
		a3 += (w3 & 0xffffffff) + (w3 >> 32);
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w0, p, 8);
		a0 += (w0 & 0xffffffff) + (w0 >> 32);
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		a1 += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		a2 += w16;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		w16 = 0;
		memcpy(&w16, p, 1); /* the first byte of a word, either order */
		a3 += w16;
	}
	return a0 + a1 + a2 + a3;
}

uint16_t
esp_csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	uint64_t acc;
	size_t n;
	uint16_t s;

	if (len <= CSUM_CHUNK)
		s = csum_fold(csum_native(b, len));
	else {
		for (acc = 0; len > 0; b += n, len -= n) {
			n = len < CSUM_CHUNK ? len : CSUM_CHUNK;
			acc += csum_fold(csum_native(b, n));
		}
		s = csum_fold(acc);
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)(s << 8 | s >> 8);
#endif
	return csum_fold((uint64_t)s + sum);
}

/* The pseudo-header sum (RFC 793, RFC 8200 8.1) for "len" bytes. */
uint16_t
esp_csum_pseudo(const uint8_t *ip, int v6, uint8_t proto, size_t len)
{
	if (v6)
		return esp_csum(ip + 8, 32, proto + (uint32_t)len);
	return esp_csum(ip + 12, 8, proto + (uint32_t)len);
}

/* The caller guarantees IHL * 4 bytes at "ip". */
void
esp_csum_ip4(uint8_t *ip)
{
	be_put16(ip + 10, 0);
	be_put16(ip + 10,
		 (uint16_t)~esp_csum(ip, (size_t)(ip[0] & 0x0f) * 4, 0));
}
