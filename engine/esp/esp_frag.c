/*
 * Fragmentation around the tunnel: an inner IPv4 packet too big for the
 * path once wrapped in ESP is either split before encryption (RFC 791,
 * "fragment pre") or, with DF set, refused with an ICMP message that lets
 * the sender's path MTU discovery (RFC 1191, RFC 8201) do the rest.
 *
 * Input packets come from the TUN device or from decrypted ESP; every
 * length they declare is checked against the bytes present.  No
 * allocation: the data-plane threads call this per packet.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "be.h"
#include "esp.h"

#define FRAG_IP4_HDR	 20
#define FRAG_IP4_HDR_MAX 60
#define FRAG_IP6_HDR	 40
#define FRAG_ICMP_HDR	 8
#define FRAG_DF		 0x4000
#define FRAG_MF		 0x2000
#define FRAG_OFFMASK	 0x1fff
#define FRAG_OPT_EOL	 0
#define FRAG_OPT_NOP	 1
#define FRAG_OPT_COPY	 0x80
#define FRAG_PROTO_ICMP	 1
#define FRAG_PROTO_ICMP6 58
#define FRAG_TTL	 64
#define FRAG_V6_MIN_MTU	 1280
#define FRAG_V6_EXT_MAX	 8 /* extension headers walked before giving up */

int
esp_frag_df(const uint8_t *pkt, size_t len)
{
	if (len < FRAG_IP4_HDR || pkt[0] >> 4 != 4)
		return 0;
	return (be_get16(pkt + 6) & FRAG_DF) != 0;
}

/*
 * Header and total length of an IPv4 packet, or -1 when it is not one or
 * claims more bytes than it has.  Bytes after the total length (link
 * padding) are ignored.
 */
static int
frag_ip4_frame(const uint8_t *pkt, size_t len, size_t *ihl, size_t *tot)
{
	if (len < FRAG_IP4_HDR || pkt[0] >> 4 != 4)
		return -1;
	*ihl = (size_t)(pkt[0] & 0x0f) * 4;
	*tot = be_get16(pkt + 2);
	if (*ihl < FRAG_IP4_HDR || *tot < *ihl || *tot > len)
		return -1;
	return 0;
}

/*
 * The header of the second and later fragments: the fixed part and the
 * options whose copied flag is set (RFC 791 3.1), padded with EOL to a
 * multiple of 4.  Returns its length, or 0 on malformed options.
 */
static size_t
frag_later_hdr(const uint8_t *pkt, size_t ihl, uint8_t *out)
{
	size_t off = FRAG_IP4_HDR, n = FRAG_IP4_HDR, olen;

	memcpy(out, pkt, FRAG_IP4_HDR);
	while (off < ihl && pkt[off] != FRAG_OPT_EOL) {
		if (pkt[off] == FRAG_OPT_NOP) {
			off++;
			continue;
		}
		if (ihl - off < 2)
			return 0;
		olen = pkt[off + 1];
		if (olen < 2 || olen > ihl - off)
			return 0;
		if (pkt[off] & FRAG_OPT_COPY) {
			memcpy(out + n, pkt + off, olen);
			n += olen;
		}
		off += olen;
	}
	while (n % 4 != 0)
		out[n++] = FRAG_OPT_EOL;
	out[0] = (uint8_t)(0x40 | n / 4);
	return n;
}

struct frag_job {
	const uint8_t *pkt;
	size_t ihl; /* the first fragment's header: the original */
	size_t hl2; /* later fragments' header */
	uint8_t hdr2[FRAG_IP4_HDR_MAX];
	size_t plen;   /* payload bytes to split */
	uint16_t off0; /* the input's own offset, 8-byte units */
	uint16_t mf0;  /* the input's own MF */
	int (*emit)(const uint8_t *, size_t, void *);
	void *arg;
};

/* One fragment of "n" payload bytes at payload offset "pos". */
static int
frag_one(const struct frag_job *j, size_t pos, size_t n, int last)
{
	uint8_t buf[ESP_PKT_MAX];
	size_t hl = pos == 0 ? j->ihl : j->hl2;
	uint16_t fl;

	memcpy(buf, pos == 0 ? j->pkt : j->hdr2, hl);
	memcpy(buf + hl, j->pkt + j->ihl + pos, n);
	be_put16(buf + 2, (uint16_t)(hl + n));
	fl = (uint16_t)(j->off0 + pos / 8);
	if (!last || j->mf0)
		fl |= FRAG_MF;
	be_put16(buf + 6, fl);
	esp_csum_ip4(buf);
	return j->emit(buf, hl + n, j->arg);
}

static int
frag_run(const struct frag_job *j, size_t mtu)
{
	size_t pos = 0, n, hl, room;
	int count = 0, last;

	do {
		hl = pos == 0 ? j->ihl : j->hl2;
		room = mtu - hl;
		n = j->plen - pos;
		last = n <= room;
		if (!last)
			n = room & ~(size_t)7;
		if (frag_one(j, pos, n, last) == -1)
			return -1;
		pos += n;
		count++;
	} while (pos < j->plen);
	return count;
}

int
esp_frag_ipv4(const uint8_t *pkt, size_t len, size_t mtu,
	      int (*emit)(const uint8_t *, size_t, void *), void *arg)
{
	struct frag_job j;
	size_t tot;
	uint16_t fl;

	memset(&j, 0, sizeof(j));
	if (frag_ip4_frame(pkt, len, &j.ihl, &tot) == -1)
		return -1;
	/* RFC 791: 68 bytes always pass, and leave room for 8 of payload. */
	if (mtu < ESP_FRAG_MTU_MIN)
		return -1;
	if ((j.hl2 = frag_later_hdr(pkt, j.ihl, j.hdr2)) == 0)
		return -1;
	fl = be_get16(pkt + 6);
	j.pkt = pkt;
	j.plen = tot - j.ihl;
	j.off0 = fl & FRAG_OFFMASK;
	j.mf0 = fl & FRAG_MF;
	j.emit = emit;
	j.arg = arg;
	/* The last fragment's offset must fit in 13 bits. */
	if (j.plen > 0 && j.off0 + (j.plen - 1) / 8 > FRAG_OFFMASK)
		return -1;
	return frag_run(&j, mtu);
}

/* --- ICMP "fragmentation needed" / "packet too big" --- */

/* RFC 1122 3.2.2: no error for a source that is not one host. */
static int
frag_v4_addr_ok(const uint8_t *src, const uint8_t *dst)
{
	if (src[0] == 0 || src[0] == 127 || src[0] >= 224)
		return 0; /* this-network, loopback, multicast, class E */
	if (dst[0] >= 224 && dst[0] < 240)
		return 0; /* multicast destination */
	if (memcmp(dst, "\xff\xff\xff\xff", 4) == 0)
		return 0;
	return 1;
}

/*
 * An ICMP error, or an ICMP type this code does not know (which it must
 * take for one, as Linux does), never draws an ICMP error (RFC 1122).
 */
static int
frag_v4_icmp_error(uint8_t type)
{
	switch (type) {
	case 0:
	case 8:
	case 9:
	case 10:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
		return 0;
	default:
		return 1;
	}
}

static size_t
frag_icmp4(const uint8_t *orig, size_t len, const struct addr *src,
	   uint32_t mtu, uint8_t *out, size_t outmax)
{
	size_t ihl, tot, quote, n;
	uint8_t *icmp;

	if (src->family != AF_INET ||
	    frag_ip4_frame(orig, len, &ihl, &tot) == -1)
		return 0;
	if ((be_get16(orig + 6) & FRAG_OFFMASK) != 0)
		return 0;
	if (!frag_v4_addr_ok(orig + 12, orig + 16))
		return 0;
	if (orig[9] == FRAG_PROTO_ICMP &&
	    (tot == ihl || frag_v4_icmp_error(orig[ihl])))
		return 0;
	/* RFC 792: the header and 64 bits of data identify the flow. */
	quote = ihl + (tot - ihl < 8 ? tot - ihl : 8);
	n = FRAG_IP4_HDR + FRAG_ICMP_HDR + quote;
	if (n > outmax)
		return 0;
	memset(out, 0, FRAG_IP4_HDR + FRAG_ICMP_HDR);
	out[0] = 0x45;
	out[1] = 0xc0; /* internetwork control, as the kernel's own errors */
	be_put16(out + 2, (uint16_t)n);
	/* DF and ID 0: an atomic datagram needs no unique ID (RFC 6864). */
	be_put16(out + 6, FRAG_DF);
	out[8] = FRAG_TTL;
	out[9] = FRAG_PROTO_ICMP;
	memcpy(out + 12, src->bytes, 4);
	memcpy(out + 16, orig + 12, 4);
	esp_csum_ip4(out);
	icmp = out + FRAG_IP4_HDR;
	icmp[0] = 3;
	icmp[1] = 4;
	be_put16(icmp + 6, (uint16_t)(mtu > 0xffff ? 0xffff : mtu));
	memcpy(icmp + FRAG_ICMP_HDR, orig, quote);
	be_put16(icmp + 2, (uint16_t)~esp_csum(icmp, n - FRAG_IP4_HDR, 0));
	return n;
}

/*
 * The upper-layer protocol of an IPv6 packet past its extension headers,
 * with its offset; *nonfirst when it lies in a non-first fragment.
 * -1 when the chain runs past the packet or is longer than we walk.
 */
static int
frag_v6_upper(const uint8_t *p, size_t tot, uint8_t *nh, size_t *off,
	      int *nonfirst)
{
	size_t hl;
	int i;

	*nh = p[6];
	*off = FRAG_IP6_HDR;
	*nonfirst = 0;
	for (i = 0; i < FRAG_V6_EXT_MAX; i++) {
		if (*nh != 0 && *nh != 43 && *nh != 44 && *nh != 60)
			return 0;
		if (tot - *off < 8)
			return -1;
		if (*nh == 44) {
			if ((be_get16(p + *off + 2) & 0xfff8) != 0)
				*nonfirst = 1;
			hl = 8;
		} else
			hl = ((size_t)p[*off + 1] + 1) * 8;
		if (hl > tot - *off)
			return -1;
		*nh = p[*off];
		*off += hl;
	}
	return -1;
}

/* RFC 4443 2.4 (e): no error for an error, nor for a source not one node. */
static int
frag_v6_ok(const uint8_t *orig, size_t tot)
{
	static const uint8_t zero[16], loop[16] = {[15] = 1};
	size_t off;
	uint8_t nh;
	int nonfirst;

	if (orig[8] == 0xff || memcmp(orig + 8, zero, 16) == 0 ||
	    memcmp(orig + 8, loop, 16) == 0)
		return 0;
	if (frag_v6_upper(orig, tot, &nh, &off, &nonfirst) == -1)
		return 0;
	if (nh != FRAG_PROTO_ICMP6)
		return 1;
	/* Informational messages have the high bit set (RFC 4443 2.1). */
	return !nonfirst && off < tot && (orig[off] & 0x80);
}

static size_t
frag_icmp6(const uint8_t *orig, size_t len, const struct addr *src,
	   uint32_t mtu, uint8_t *out, size_t outmax)
{
	size_t tot, quote, n;
	uint32_t sum;
	uint8_t *icmp;

	if (src->family != AF_INET6 || len < FRAG_IP6_HDR)
		return 0;
	tot = FRAG_IP6_HDR + be_get16(orig + 4);
	if (tot > len || !frag_v6_ok(orig, tot))
		return 0;
	/* RFC 4443 2.4 (c): as much as fits in the minimum MTU. */
	quote = FRAG_V6_MIN_MTU - FRAG_IP6_HDR - FRAG_ICMP_HDR;
	if (quote > tot)
		quote = tot;
	n = FRAG_IP6_HDR + FRAG_ICMP_HDR + quote;
	if (n > outmax)
		return 0;
	memset(out, 0, FRAG_IP6_HDR + FRAG_ICMP_HDR);
	out[0] = 0x60;
	be_put16(out + 4, (uint16_t)(n - FRAG_IP6_HDR));
	out[6] = FRAG_PROTO_ICMP6;
	out[7] = FRAG_TTL;
	memcpy(out + 8, src->bytes, 16);
	memcpy(out + 24, orig + 8, 16);
	icmp = out + FRAG_IP6_HDR;
	icmp[0] = 2;
	be_put16(icmp + 4, (uint16_t)(mtu >> 16));
	be_put16(icmp + 6, (uint16_t)mtu);
	memcpy(icmp + FRAG_ICMP_HDR, orig, quote);
	/* Pseudo-header (RFC 8200 8.1): addresses, length, next header. */
	sum = esp_csum_pseudo(out, 1, FRAG_PROTO_ICMP6, n - FRAG_IP6_HDR);
	be_put16(icmp + 2, (uint16_t)~esp_csum(icmp, n - FRAG_IP6_HDR, sum));
	return n;
}

size_t
esp_frag_icmp_too_big(const uint8_t *orig, size_t len, const struct addr *src,
		      uint32_t mtu, uint8_t *out, size_t outmax)
{
	if (len < 1)
		return 0;
	switch (orig[0] >> 4) {
	case 4:
		return frag_icmp4(orig, len, src, mtu, out, outmax);
	case 6:
		return frag_icmp6(orig, len, src, mtu, out, outmax);
	default:
		return 0;
	}
}
