/*
 * The coalescer (receive offload, see esp_gso.h): consecutive TCP
 * segments of one flow, decrypted in one batch, become one packet that
 * TUN takes in one write() and the kernel segments again only if it must
 * (tcp_gro_receive()'s rules, wireguard-go's tcpGRO).  Fewer, larger
 * packets up the stack is where the receive side's time goes.
 *
 * Every packet is copied into one arena and goes out from there.  A
 * flow's segments that arrive back to back lie back to back in it and go
 * out in place; interleaved flows leave pieces, gathered at the end.
 * The kernel takes a NEEDS_CSUM packet as verified, so no segment is
 * merged before its own checksum was.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "be.h"
#include "esp_gso.h"

#define GRO_IP4_HDR	 20
#define GRO_IP6_HDR	 40
#define GRO_TCP_HDR	 20
#define GRO_TCP_CSUM	 16 /* offsetof(struct tcphdr, check) */
#define GRO_PROTO_TCP	 6
#define GRO_PROTO_UDP	 17
#define GRO_PROTO_ICMP6	 58
#define GRO_IP4_DF	 0x4000
#define GRO_IP4_MF	 0x2000
#define GRO_IP4_OFFMASK	 0x1fff
#define GRO_IP4_FLAGMASK 0xc000 /* DF and the reserved bit */
#define GRO_TCP_PSH	 0x08
#define GRO_TCP_ACK	 0x10

_Static_assert(ESP_GRO_ARENA_MAX >= ESP_GSO_READ_MAX,
	       "the arena must hold the largest packet");
_Static_assert(ESP_GRO_SEGS_MAX <= 255, "nseg and nrec are bytes");

/* What the coalescer makes of a packet, in increasing order of interest. */
enum gro_kind {
	GRO_OTHER,   /* not TCP: goes out as it came */
	GRO_BARRIER, /* TCP whose ports are hidden (a later fragment, an
			IPv6 extension header): closes its hosts' items */
	GRO_KEYED,   /* TCP with ports, alone: keeps its flow's order */
	GRO_CAND     /* a data segment that may extend its flow's item */
};

enum gro_merge { GRO_MERGED, GRO_NOT, GRO_BAD_SUM };

/* One packet out: as it came, or TCP segments being coalesced. */
struct gro_item {
	uint32_t off;  /* arena: header slot, then the first packet */
	uint32_t len;  /* IP packet bytes, all segments */
	uint32_t hash; /* of the flow, for keyed items */
	uint32_t seq;  /* the next segment's sequence number */
	uint16_t mss;  /* payload of each segment but the last */
	uint16_t id;   /* IPv4 ID the next segment carries, when not DF */
	uint8_t kind;  /* enum gro_kind of the first packet */
	uint8_t open;  /* may take more segments */
	uint8_t v6, iphl, hl, nseg, nrec, psh, verified;
	/* arena pieces, in order: the first packet, then payloads */
	uint32_t recoff[ESP_GRO_SEGS_MAX];
	uint32_t reclen[ESP_GRO_SEGS_MAX];
};

struct esp_gro {
	size_t used; /* arena bytes */
	size_t nitems;
	struct gro_item items[ESP_GRO_ITEMS_MAX];
	uint8_t out[ESP_GSO_READ_MAX]; /* a scattered item, gathered */
	uint8_t arena[ESP_GRO_ARENA_MAX];
};

/* A packet offered to the coalescer. */
struct gro_pkt {
	const uint8_t *p;
	size_t len, iphl, hl, paylen;
	uint32_t hash, seq;
	int v6;
	enum gro_kind kind;
};

static const uint8_t *
gro_item_pkt(const struct esp_gro *g, const struct gro_item *x)
{
	return g->arena + x->off + ESP_GSO_HDR_LEN;
}

static int
gro_same_hosts(const uint8_t *a, const uint8_t *b, int v6)
{
	if (v6)
		return memcmp(a + 8, b + 8, 32) == 0;
	return memcmp(a + 12, b + 12, 8) == 0;
}

static uint32_t
gro_flow_hash(const uint8_t *p, size_t iphl, int v6)
{
	size_t i, n = v6 ? 32 : 8, at = v6 ? 8 : 12;
	uint32_t h = be_get32(p + iphl) ^ (uint32_t)v6, w;

	for (i = 0; i < n; i += 4) {
		memcpy(&w, p + at + i, 4);
		h = (h ^ w) * 0x9e3779b1u;
	}
	return h;
}

/* The whole TCP segment sums to 0xffff with its checksum. */
static int
gro_tcp_ok(const uint8_t *p, size_t len, size_t iphl, int v6)
{
	return esp_csum(p + iphl, len - iphl,
			esp_csum_pseudo(p, v6, GRO_PROTO_TCP, len - iphl)) ==
	       0xffff;
}

/*
 * IPv4: a candidate is whole, has no options and a good header
 * checksum (the merged packet gets a new one).  A later fragment shows
 * no ports, so it cannot be told from the flow it may belong to.
 */
static enum gro_kind
gro_ip4(struct gro_pkt *k)
{
	const uint8_t *p = k->p;
	uint16_t frag;

	if (k->len < GRO_IP4_HDR)
		return GRO_OTHER;
	k->iphl = (size_t)(p[0] & 0x0f) * 4;
	if (k->iphl < GRO_IP4_HDR || k->iphl > k->len || p[9] != GRO_PROTO_TCP)
		return GRO_OTHER;
	frag = be_get16(p + 6);
	if ((frag & GRO_IP4_OFFMASK) != 0 || k->len - k->iphl < GRO_TCP_HDR)
		return GRO_BARRIER;
	if (k->iphl != GRO_IP4_HDR || (frag & GRO_IP4_MF) ||
	    be_get16(p + 2) != k->len || esp_csum(p, GRO_IP4_HDR, 0) != 0xffff)
		return GRO_KEYED;
	return GRO_CAND;
}

/* IPv6: TCP right after the fixed header, nothing else. */
static enum gro_kind
gro_ip6(struct gro_pkt *k)
{
	const uint8_t *p = k->p;

	if (k->len < GRO_IP6_HDR)
		return GRO_OTHER;
	k->iphl = GRO_IP6_HDR;
	k->v6 = 1;
	if (p[6] == GRO_PROTO_UDP || p[6] == GRO_PROTO_ICMP6)
		return GRO_OTHER;
	if (p[6] != GRO_PROTO_TCP || k->len < GRO_IP6_HDR + GRO_TCP_HDR)
		return GRO_BARRIER;
	if (be_get16(p + 4) != k->len - GRO_IP6_HDR)
		return GRO_KEYED;
	return GRO_CAND;
}

/* Only ACK, or ACK + PSH, segments with data are candidates. */
static void
gro_parse(struct gro_pkt *k)
{
	const uint8_t *p = k->p;
	size_t thl;

	if (p[0] >> 4 == 4)
		k->kind = gro_ip4(k);
	else if (p[0] >> 4 == 6)
		k->kind = gro_ip6(k);
	else
		k->kind = GRO_OTHER;
	if (k->kind < GRO_KEYED)
		return;
	k->hash = gro_flow_hash(p, k->iphl, k->v6);
	if (k->kind != GRO_CAND)
		return;
	thl = (size_t)(p[k->iphl + 12] >> 4) * 4;
	if (thl < GRO_TCP_HDR || thl > k->len - k->iphl) {
		k->kind = GRO_KEYED;
		return;
	}
	k->hl = k->iphl + thl;
	k->paylen = k->len - k->hl;
	k->seq = be_get32(p + k->iphl + 4);
	if ((p[k->iphl + 13] & ~GRO_TCP_PSH) != GRO_TCP_ACK || k->paylen == 0)
		k->kind = GRO_KEYED;
}

/* The item with the latest packet of the flow (addresses and ports). */
static struct gro_item *
gro_last(struct esp_gro *g, const struct gro_pkt *k)
{
	struct gro_item *x;
	const uint8_t *h;
	size_t i;

	for (i = g->nitems; i-- > 0;) {
		x = &g->items[i];
		if (x->kind < GRO_KEYED || x->hash != k->hash || x->v6 != k->v6)
			continue;
		h = gro_item_pkt(g, x);
		if (gro_same_hosts(h, k->p, k->v6) &&
		    memcmp(h + x->iphl, k->p + k->iphl, 4) == 0)
			return x;
	}
	return NULL;
}

/* Nothing of those hosts may overtake a packet we cannot place. */
static void
gro_barrier(struct esp_gro *g, const struct gro_pkt *k)
{
	struct gro_item *x;
	size_t i;

	for (i = 0; i < g->nitems; i++) {
		x = &g->items[i];
		if (x->open && x->v6 == k->v6 &&
		    gro_same_hosts(gro_item_pkt(g, x), k->p, k->v6))
			x->open = 0;
	}
}

/*
 * tcp_gro_receive()'s rules: the very next bytes of the stream, no
 * larger than the segments before, and headers alike in all that
 * segmentation will not rewrite.
 */
static int
gro_fits(const struct gro_item *x, const uint8_t *h, const struct gro_pkt *k)
{
	const uint8_t *p = k->p, *ht = h + x->iphl, *pt = p + k->iphl;
	size_t max = x->v6 ? 65535 + GRO_IP6_HDR : 65535;

	if (k->hl != x->hl || k->seq != x->seq || k->paylen > x->mss ||
	    x->nseg >= ESP_GRO_SEGS_MAX || x->len + k->paylen > max)
		return 0;
	/* ACK number and data offset, window, options (timestamps too) */
	if (memcmp(ht + 8, pt + 8, 5) != 0 ||
	    memcmp(ht + 14, pt + 14, 2) != 0 ||
	    memcmp(ht + GRO_TCP_HDR, pt + GRO_TCP_HDR,
		   x->hl - x->iphl - GRO_TCP_HDR) != 0)
		return 0;
	if (x->v6) /* version, traffic class, flow label; hop limit */
		return memcmp(h, p, 4) == 0 && h[7] == p[7];
	if (h[1] != p[1] || h[8] != p[8] ||
	    ((be_get16(h + 6) ^ be_get16(p + 6)) & GRO_IP4_FLAGMASK))
		return 0;
	/* With DF any ID will do (RFC 6864); without, they must count up
	 * as segmentation will rewrite them. */
	return (be_get16(p + 6) & GRO_IP4_DF) || be_get16(p + 4) == x->id;
}

static enum gro_merge
gro_merge(struct esp_gro *g, struct gro_item *x, const struct gro_pkt *k)
{
	const uint8_t *h = gro_item_pkt(g, x);
	uint32_t n = (uint32_t)k->paylen;
	unsigned last = x->nrec - 1u;

	if (!gro_fits(x, h, k) || ESP_GRO_ARENA_MAX - g->used < n)
		return GRO_NOT;
	/* Checked late: a lone packet goes out untouched, checked or not. */
	if (!x->verified) {
		if (!gro_tcp_ok(h, x->len, x->iphl, x->v6)) {
			x->open = 0;
			return GRO_NOT;
		}
		x->verified = 1;
	}
	if (!gro_tcp_ok(k->p, k->len, k->iphl, k->v6))
		return GRO_BAD_SUM;
	if (x->recoff[last] + x->reclen[last] == g->used)
		x->reclen[last] += n;
	else {
		x->recoff[x->nrec] = (uint32_t)g->used;
		x->reclen[x->nrec++] = n;
	}
	memcpy(g->arena + g->used, k->p + k->hl, n);
	g->used += n;
	x->len += n;
	x->seq += n;
	x->id++;
	x->nseg++;
	x->psh = (k->p[k->iphl + 13] & GRO_TCP_PSH) != 0;
	if (x->psh || n < x->mss)
		x->open = 0;
	return GRO_MERGED;
}

static void
gro_insert(struct esp_gro *g, const struct gro_pkt *k, esp_gso_fn emit,
	   void *arg)
{
	struct gro_item *x;

	if (g->nitems == ESP_GRO_ITEMS_MAX ||
	    ESP_GRO_ARENA_MAX - g->used < ESP_GSO_HDR_LEN + k->len)
		(void)esp_gro_flush(g, emit, arg);
	x = &g->items[g->nitems++];
	memset(x, 0, offsetof(struct gro_item, recoff));
	x->off = (uint32_t)g->used;
	x->len = (uint32_t)k->len;
	x->recoff[0] = x->off + ESP_GSO_HDR_LEN;
	x->reclen[0] = x->len;
	x->nrec = x->nseg = 1;
	memcpy(g->arena + x->recoff[0], k->p, k->len);
	g->used += ESP_GSO_HDR_LEN + k->len;
	x->kind = (uint8_t)k->kind;
	x->v6 = (uint8_t)k->v6;
	x->iphl = (uint8_t)k->iphl;
	x->hash = k->hash;
	if (k->kind != GRO_CAND)
		return;
	x->open = (k->p[k->iphl + 13] & GRO_TCP_PSH) == 0;
	x->hl = (uint8_t)k->hl;
	x->mss = (uint16_t)k->paylen;
	x->seq = k->seq + (uint32_t)k->paylen;
	x->id = (uint16_t)(be_get16(k->p + 4) + 1);
}

/* The merged packet's lengths, and what the kernel needs to split it. */
static void
gro_finish(uint8_t *p, const struct gro_item *x, struct virtio_net_hdr *h)
{
	uint8_t *th = p + x->iphl;

	if (x->v6) {
		be_put16(p + 4, (uint16_t)(x->len - GRO_IP6_HDR));
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	} else {
		be_put16(p + 2, (uint16_t)x->len);
		esp_csum_ip4(p);
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	}
	if (x->psh)
		th[13] |= GRO_TCP_PSH;
	/* The seed CHECKSUM_PARTIAL expects: pseudo-header, not inverted. */
	be_put16(th + GRO_TCP_CSUM,
		 esp_csum_pseudo(p, x->v6, GRO_PROTO_TCP, x->len - x->iphl));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->hdr_len = x->hl;
	h->gso_size = x->mss;
	h->csum_start = x->iphl;
	h->csum_offset = GRO_TCP_CSUM;
}

static void
gro_emit(struct esp_gro *g, const struct gro_item *x, esp_gso_fn emit,
	 void *arg)
{
	struct virtio_net_hdr h;
	uint8_t *b = g->arena + x->off;
	size_t at = ESP_GSO_HDR_LEN;
	unsigned i;

	memset(&h, 0, sizeof(h));
	if (x->nseg > 1) {
		/* Interleaved flows left it in pieces: gather them. */
		if (x->nrec > 1) {
			for (i = 0; i < x->nrec; i++) {
				memcpy(g->out + at, g->arena + x->recoff[i],
				       x->reclen[i]);
				at += x->reclen[i];
			}
			b = g->out;
		}
		gro_finish(b + ESP_GSO_HDR_LEN, x, &h);
	}
	memcpy(b, &h, sizeof(h));
	(void)emit(b, ESP_GSO_HDR_LEN + x->len, arg);
}

struct esp_gro *
esp_gro_new(void)
{
	return calloc(1, sizeof(struct esp_gro));
}

void
esp_gro_free(struct esp_gro *g)
{
	free(g);
}

int
esp_gro_add(struct esp_gro *g, const uint8_t *pkt, size_t len, esp_gso_fn emit,
	    void *arg)
{
	struct gro_pkt k;
	struct gro_item *x;

	if (len == 0 || len > ESP_GSO_PKT_MAX)
		return -1;
	memset(&k, 0, sizeof(k));
	k.p = pkt;
	k.len = len;
	gro_parse(&k);
	if (k.kind == GRO_BARRIER)
		gro_barrier(g, &k);
	else if (k.kind == GRO_CAND && (x = gro_last(g, &k)) != NULL &&
		 x->open) {
		switch (gro_merge(g, x, &k)) {
		case GRO_MERGED:
			return 0;
		case GRO_BAD_SUM: /* the end host will drop it, not us */
			k.kind = GRO_KEYED;
			break;
		case GRO_NOT:
			break;
		}
	}
	gro_insert(g, &k, emit, arg);
	return 0;
}

int
esp_gro_flush(struct esp_gro *g, esp_gso_fn emit, void *arg)
{
	size_t i, n = g->nitems;

	for (i = 0; i < n; i++)
		gro_emit(g, &g->items[i], emit, arg);
	g->nitems = 0;
	g->used = 0;
	return (int)n;
}
