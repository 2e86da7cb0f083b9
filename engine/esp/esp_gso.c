/*
 * The segmentation offload (see esp_gso.h): what TUN hands us as one
 * TCP super-packet leaves as the segments the sender's stack would have
 * sent without the offload, following the kernel's own tcp_gso_segment()
 * and skb_checksum_help().
 *
 * The virtio header and the packet come from the kernel, but a mistake
 * there must cost a drop, not memory: every length and offset is checked
 * against the bytes present before use.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "be.h"
#include "esp_gso.h"

#define GSO_IP4_HDR	20
#define GSO_IP6_HDR	40
#define GSO_TCP_HDR	20
#define GSO_TCP_CSUM	16 /* offsetof(struct tcphdr, check) */
#define GSO_PROTO_TCP	6
#define GSO_IP4_MF	0x2000
#define GSO_IP4_OFFMASK 0x1fff
#define GSO_TCP_FIN	0x01
#define GSO_TCP_PSH	0x08
#define GSO_TCP_CWR	0x80

_Static_assert(sizeof(struct virtio_net_hdr) == ESP_GSO_HDR_LEN,
	       "virtio_net_hdr is not 10 bytes");

/* --- split --- */

/* A TCP super-packet as esp_gso_split() found it. */
struct gso_tso {
	const uint8_t *pkt;
	size_t iphl, hl, paylen;
	uint32_t psum; /* pseudo-header sum without the length */
	uint16_t mss;
	int v6;
};

/*
 * skb_checksum_help(): the field at csum_start + csum_offset holds the
 * pseudo-header seed, so summing from csum_start over it to the end
 * gives the checksum.  0 goes out as 0xffff, as Linux writes it (UDP
 * needs it; for TCP the two are the same number).  The kernel only asks
 * for 16-bit aligned fields (TCP 16, UDP 6): an odd offset is refused
 * rather than filled with a byte-swapped sum.
 */
static int
gso_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t c;

	if (start >= len || (h->csum_offset & 1) || at + 2 > len)
		return -1;
	c = (uint16_t)~esp_csum(pkt + start, len - start, 0);
	be_put16(pkt + at, c == 0 ? 0xffff : c);
	return 0;
}

/* The IP header: IPv4 without fragmentation, IPv6 straight to TCP. */
static int
gso_tso_ip(const uint8_t *pkt, size_t len, struct gso_tso *t)
{
	if (t->v6) {
		if (len < GSO_IP6_HDR || pkt[0] >> 4 != 6 ||
		    pkt[6] != GSO_PROTO_TCP ||
		    be_get16(pkt + 4) != len - GSO_IP6_HDR)
			return -1;
		t->iphl = GSO_IP6_HDR;
		return 0;
	}
	if (len < GSO_IP4_HDR || pkt[0] >> 4 != 4)
		return -1;
	t->iphl = (size_t)(pkt[0] & 0x0f) * 4;
	if (t->iphl < GSO_IP4_HDR || t->iphl > len || pkt[9] != GSO_PROTO_TCP ||
	    be_get16(pkt + 2) != len ||
	    (be_get16(pkt + 6) & (GSO_IP4_MF | GSO_IP4_OFFMASK)) != 0)
		return -1;
	return 0;
}

/*
 * hdr_len is only a hint (the kernel puts skb_headlen() there, which may
 * include payload or the whole packet): the headers are measured on the
 * packet itself, and hdr_len must merely fit in it.
 */
static int
gso_tso_frame(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *h,
	      struct gso_tso *t)
{
	size_t thl;

	if (gso_tso_ip(pkt, len, t) == -1 || len - t->iphl < GSO_TCP_HDR)
		return -1;
	thl = (size_t)(pkt[t->iphl + 12] >> 4) * 4;
	if (thl < GSO_TCP_HDR || thl > len - t->iphl)
		return -1;
	if (h->gso_size == 0 || h->hdr_len > len)
		return -1;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (h->csum_start != t->iphl || h->csum_offset != GSO_TCP_CSUM))
		return -1;
	t->pkt = pkt;
	t->hl = t->iphl + thl;
	t->paylen = len - t->hl;
	t->mss = h->gso_size;
	t->psum = esp_csum_pseudo(pkt, t->v6, GSO_PROTO_TCP, 0);
	return 0;
}

/* Segment "i", payload bytes [off, off + n), into "out". */
static void
gso_tso_segment(const struct gso_tso *t, size_t off, size_t n, uint32_t i,
		uint8_t *out)
{
	uint8_t *th = out + t->iphl;
	size_t tcplen = t->hl - t->iphl + n;

	memcpy(out, t->pkt, t->hl);
	memcpy(out + t->hl, t->pkt + t->hl + off, n);
	if (t->v6)
		be_put16(out + 4, (uint16_t)(t->hl + n - GSO_IP6_HDR));
	else {
		be_put16(out + 2, (uint16_t)(t->hl + n));
		be_put16(out + 4, (uint16_t)(be_get16(t->pkt + 4) + i));
		esp_csum_ip4(out);
	}
	be_put32(th + 4, be_get32(th + 4) + (uint32_t)off);
	if (off + n < t->paylen)
		th[13] &= (uint8_t) ~(GSO_TCP_FIN | GSO_TCP_PSH);
	if (i > 0)
		th[13] &= (uint8_t)~GSO_TCP_CWR;
	be_put16(th + GSO_TCP_CSUM, 0);
	be_put16(th + GSO_TCP_CSUM,
		 (uint16_t)~esp_csum(th, tcplen, t->psum + tcplen));
}

static int
gso_tso(const uint8_t *pkt, size_t len, const struct virtio_net_hdr *h, int v6,
	uint8_t *scratch, size_t scratchlen, esp_gso_fn fn, void *arg)
{
	struct gso_tso t;
	size_t off = 0, n;
	uint32_t i = 0;

	memset(&t, 0, sizeof(t));
	t.v6 = v6;
	if (gso_tso_frame(pkt, len, h, &t) == -1)
		return -1;
	n = t.paylen < t.mss ? t.paylen : t.mss;
	if (scratchlen < t.hl + n)
		return -1;
	/* A GSO packet with no payload still goes, whole, as the kernel's. */
	do {
		n = t.paylen - off < t.mss ? t.paylen - off : t.mss;
		gso_tso_segment(&t, off, n, i, scratch);
		(void)fn(scratch, t.hl + n, arg);
		off += n;
		i++;
	} while (off < t.paylen);
	return (int)i;
}

int
esp_gso_split(uint8_t *buf, size_t len, uint8_t *scratch, size_t scratchlen,
	      esp_gso_fn fn, void *arg, enum esp_drop *why)
{
	struct virtio_net_hdr h;
	uint8_t *pkt;
	size_t plen;
	int n = -1;

	*why = ESP_DROP_MALFORMED;
	if (len <= ESP_GSO_HDR_LEN)
		return -1;
	memcpy(&h, buf, sizeof(h));
	pkt = buf + ESP_GSO_HDR_LEN;
	plen = len - ESP_GSO_HDR_LEN;
	switch (h.gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    gso_csum_complete(pkt, plen, &h) == -1)
			return -1;
		(void)fn(pkt, plen, arg);
		n = 1;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN:
		n = gso_tso(pkt, plen, &h, 0, scratch, scratchlen, fn, arg);
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN:
		n = gso_tso(pkt, plen, &h, 1, scratch, scratchlen, fn, arg);
		break;
	default: /* UFO, UDP_L4: never advertised, so never valid */
		break;
	}
	if (n > 0)
		*why = ESP_DROP_NONE;
	return n;
}
