/*
 * TCP MSS clamping: a SYN or SYN-ACK crossing the tunnel gets its MSS
 * option lowered so that neither end sends segments that, once wrapped
 * in ESP, exceed the path MTU.  Path MTU discovery would find the same
 * answer, but ICMP is filtered often enough that clamping is the norm.
 *
 * The packet comes from the TUN device or out of a decrypted ESP
 * payload, so every length it declares is checked against the bytes
 * present before anything is read.  On -1 or 0 the packet is untouched.
 */
#include <stddef.h>
#include <stdint.h>

#include "be.h"
#include "esp.h"

#define MSS_IP4_HDR   20
#define MSS_IP6_HDR   40
#define MSS_TCP_HDR   20
#define MSS_PROTO_TCP 6
#define MSS_TCP_SYN   0x02
#define MSS_OPT_EOL   0
#define MSS_OPT_NOP   1
#define MSS_OPT_MSS   2
#define MSS_OPT_LEN   4

/*
 * Frame the TCP segment: *off and *seglen, or 0 when the packet carries
 * no TCP we may touch, -1 when its IP header lies about its lengths.
 */
static int
mss_ip4(const uint8_t *pkt, size_t len, size_t *off, size_t *seglen)
{
	size_t ihl, tot;

	if (len < MSS_IP4_HDR)
		return -1;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = be_get16(pkt + 2);
	if (ihl < MSS_IP4_HDR || tot < ihl || tot > len)
		return -1;
	/* Only a first, whole packet has the TCP header where we look. */
	if ((be_get16(pkt + 6) & 0x3fff) != 0)
		return 0;
	if (pkt[9] != MSS_PROTO_TCP)
		return 0;
	*off = ihl;
	*seglen = tot - ihl;
	return 1;
}

/*
 * IPv6: only TCP right after the fixed header.  Extension headers in a
 * SYN are rare enough that walking them is not worth the attack surface.
 */
static int
mss_ip6(const uint8_t *pkt, size_t len, size_t *off, size_t *seglen)
{
	size_t plen;

	if (len < MSS_IP6_HDR)
		return -1;
	plen = be_get16(pkt + 4);
	if (plen > len - MSS_IP6_HDR)
		return -1;
	if (pkt[6] != MSS_PROTO_TCP)
		return 0;
	*off = MSS_IP6_HDR;
	*seglen = plen;
	return 1;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').  A 16-bit value at an odd
 * offset straddles two checksum words, high byte in the low half of one
 * and low byte in the high half of the next; one's complement addition
 * commutes with byte swapping (RFC 1071 2.(B)), so its contribution is
 * the swapped value and the same equation holds with m and m' swapped.
 */
static void
mss_csum_fix(uint8_t *tcp, size_t at, uint16_t old, uint16_t new)
{
	uint32_t sum;

	if (at & 1) {
		old = (uint16_t)(old << 8 | old >> 8);
		new = (uint16_t)(new << 8 | new >> 8);
	}
	sum = (uint16_t)~be_get16(tcp + 16);
	sum += (uint16_t)~old;
	sum += new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	be_put16(tcp + 16, (uint16_t)~sum);
}

/*
 * Walk the options in [20, doff).  With apply == 0 it only validates and
 * counts the MSS options above "mss"; with apply == 1 it lowers them.
 * Every MSS option is clamped: receivers differ on which of several
 * they believe.
 */
static int
mss_walk(uint8_t *tcp, size_t doff, uint16_t mss, int apply)
{
	size_t off = MSS_TCP_HDR, olen;
	uint16_t v;
	int n = 0;

	while (off < doff) {
		if (tcp[off] == MSS_OPT_EOL)
			break;
		if (tcp[off] == MSS_OPT_NOP) {
			off++;
			continue;
		}
		if (doff - off < 2)
			return -1;
		olen = tcp[off + 1];
		if (olen < 2 || olen > doff - off)
			return -1;
		if (tcp[off] == MSS_OPT_MSS) {
			if (olen != MSS_OPT_LEN)
				return -1;
			v = be_get16(tcp + off + 2);
			if (v > mss) {
				n++;
				if (apply) {
					be_put16(tcp + off + 2, mss);
					mss_csum_fix(tcp, off + 2, v, mss);
				}
			}
		}
		off += olen;
	}
	return n;
}

int
esp_mss_clamp(uint8_t *pkt, size_t len, uint16_t mss)
{
	size_t off = 0, seglen = 0, doff;
	uint8_t *tcp;
	int rv;

	if (len < 1)
		return -1;
	switch (pkt[0] >> 4) {
	case 4:
		rv = mss_ip4(pkt, len, &off, &seglen);
		break;
	case 6:
		rv = mss_ip6(pkt, len, &off, &seglen);
		break;
	default:
		return -1;
	}
	if (rv != 1)
		return rv;
	if (seglen < MSS_TCP_HDR)
		return -1;
	tcp = pkt + off;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < MSS_TCP_HDR || doff > seglen)
		return -1;
	if (!(tcp[13] & MSS_TCP_SYN))
		return 0;
	/* Validate every option first: -1 must leave the packet as it was. */
	if ((rv = mss_walk(tcp, doff, mss, 0)) <= 0)
		return rv;
	mss_walk(tcp, doff, mss, 1);
	return 1;
}
