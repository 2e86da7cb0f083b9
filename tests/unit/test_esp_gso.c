/*
 * TUN offloads: the checksum, the segmentation of TSO reads, the
 * coalescing of decrypted segments.
 *
 * Checksums, segment layouts and the kernel's re-segmentation of what
 * the coalescer writes are recomputed here by code of the test's own,
 * byte by byte, so a mistake shared with esp_gso.c cannot hide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "esp/esp_gso.h"

#define T_HDR	    ESP_GSO_HDR_LEN
#define T_BIG	    ESP_GSO_READ_MAX
#define T_SEGS_MAX  1024
#define T_COLL_MAX  (4u << 20)
#define T_FIN	    0x01
#define T_SYN	    0x02
#define T_RST	    0x04
#define T_PSH	    0x08
#define T_ACK	    0x10
#define T_URG	    0x20
#define T_ECE	    0x40
#define T_CWR	    0x80
#define T_NEEDS_SUM 1 /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
#define T_TCPV4	    1 /* VIRTIO_NET_HDR_GSO_* */
#define T_UDP	    3
#define T_TCPV6	    4
#define T_UDP_L4    5
#define T_ECN	    0x80

static size_t
t_iphl(const uint8_t *p)
{
	return p[0] >> 4 == 6 ? 40 : (size_t)(p[0] & 15) * 4;
}

/* Pseudo-header sum for "proto" over "ulen" bytes. */
static uint64_t
t_pseudo(const uint8_t *p, uint8_t proto, size_t ulen)
{
	if (p[0] >> 4 == 6)
		return t_sum(0, p + 8, 32) + proto + ulen;
	return t_sum(0, p + 12, 8) + proto + ulen;
}

/* The transport checksum as it should be (field taken as zero). */
static uint16_t
t_l4_csum(const uint8_t *p, size_t len, uint8_t proto, size_t at)
{
	size_t hl = t_iphl(p);
	uint64_t acc = t_pseudo(p, proto, len - hl);

	acc = t_sum(acc, p + hl, at);
	acc = t_sum(acc, p + hl + at + 2, len - hl - at - 2);
	return (uint16_t)~t_fold(acc);
}

static uint16_t
t_tcp_csum(const uint8_t *p, size_t len)
{
	return t_l4_csum(p, len, 6, 16);
}

static void
t_ip4_set(uint8_t *h)
{
	t_wr16(h + 10, 0);
	t_wr16(h + 10, (uint16_t)~t_fold(t_sum(0, h, t_iphl(h))));
}

static int
t_ip4_ok(const uint8_t *h)
{
	return t_fold(t_sum(0, h, t_iphl(h))) == 0xffff;
}

/* --- packets --- */

struct t_tcp {
	int v6;
	uint8_t flags, tos, ttl;
	uint16_t id, frag, sport, win;
	uint32_t seq, ack, tsval, flow;
	size_t optlen, paylen; /* optlen: 0, or 12 for NOP NOP timestamps */
};

/* Near the wrap, so sequence arithmetic is tested on every run. */
static const struct t_tcp t_base = {.flags = T_ACK,
				    .ttl = 64,
				    .id = 0xfffe,
				    .frag = 0x4000,
				    .sport = 40000,
				    .win = 502,
				    .seq = 0xffffe000u,
				    .ack = 7,
				    .tsval = 99,
				    .optlen = 12,
				    .paylen = 1448};

/* The stream's bytes are a function of their sequence number. */
static uint8_t
t_byte(uint32_t seq)
{
	return (uint8_t)((seq * 2654435761u) >> 24);
}

static size_t
t_build(uint8_t *out, const struct t_tcp *t)
{
	size_t iphl = t->v6 ? 40 : 20, thl = 20 + t->optlen, i;
	size_t len = iphl + thl + t->paylen;
	uint8_t *th = out + iphl;

	memset(out, 0, iphl + thl);
	if (t->v6) {
		t_wr32(out, 0x60000000u | (uint32_t)t->tos << 20 | t->flow);
		t_wr16(out + 4, (uint16_t)(thl + t->paylen));
		out[6] = 6;
		out[7] = t->ttl;
		memcpy(out + 8, "\x20\x01\x0d\xb8", 4);
		out[23] = 1;
		memcpy(out + 24, "\x20\x01\x0d\xb8", 4);
		out[39] = 2;
	} else {
		out[0] = 0x45;
		out[1] = t->tos;
		t_wr16(out + 2, (uint16_t)len);
		t_wr16(out + 4, t->id);
		t_wr16(out + 6, t->frag);
		out[8] = t->ttl;
		out[9] = 6;
		memcpy(out + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x02", 8);
		t_ip4_set(out);
	}
	t_wr16(th, t->sport);
	t_wr16(th + 2, 443);
	t_wr32(th + 4, t->seq);
	t_wr32(th + 8, t->ack);
	th[12] = (uint8_t)(thl / 4 << 4);
	th[13] = t->flags;
	t_wr16(th + 14, t->win);
	if (t->optlen > 0) {
		memcpy(th + 20, "\x01\x01\x08\x0a", 4);
		t_wr32(th + 24, t->tsval);
		t_wr32(th + 28, 0x01020304);
	}
	for (i = 0; i < t->paylen; i++)
		th[thl + i] = t_byte(t->seq + (uint32_t)i);
	t_wr16(th + 16, t_tcp_csum(out, len));
	return len;
}

/* A UDP packet (IPv4 or IPv6) with "n" payload bytes, checksum zero. */
static size_t
t_udp(uint8_t *out, int v6, size_t n)
{
	struct t_tcp t = t_base;
	size_t len, hl, i;

	t.v6 = v6;
	t.optlen = 0;
	t.paylen = n - 12; /* 8 UDP bytes instead of 20 TCP */
	len = t_build(out, &t);
	hl = t_iphl(out);
	out[v6 ? 6 : 9] = 17;
	if (!v6)
		t_ip4_set(out);
	t_wr16(out + hl + 4, (uint16_t)(8 + n));
	t_wr16(out + hl + 6, 0);
	for (i = 0; i < n; i++)
		out[hl + 8 + i] = (uint8_t)(i * 31 + 7);
	return len;
}

static void
t_vnet(uint8_t *b, uint8_t flags, uint8_t type, uint16_t hdrlen, uint16_t gso,
       uint16_t cstart, uint16_t coff)
{
	uint16_t v[4] = {hdrlen, gso, cstart, coff}; /* host order */

	b[0] = flags;
	b[1] = type;
	memcpy(b + 2, v, sizeof(v));
}

static uint16_t
t_vnet16(const uint8_t *b, size_t at)
{
	uint16_t v;

	memcpy(&v, b + at, 2);
	return v;
}

/*
 * A TSO read as the kernel gives it: the checksum field holds a seed
 * (garbage here: split must not need it), hdr_len is skb_headlen(), a
 * hint that may cover payload.
 */
static size_t
t_tso(uint8_t *buf, const struct t_tcp *t, uint16_t mss)
{
	size_t len = t_build(buf + T_HDR, t), iphl = t->v6 ? 40 : 20;

	t_wr16(buf + T_HDR + iphl + 16, 0xdead);
	t_vnet(buf, T_NEEDS_SUM, t->v6 ? T_TCPV6 : T_TCPV4,
	       (uint16_t)(len < 200 ? len : 200), mss, (uint16_t)iphl, 16);
	return T_HDR + len;
}

/* --- what the functions under test hand out --- */

struct t_coll {
	uint8_t *data;
	size_t used, n, off[T_SEGS_MAX], len[T_SEGS_MAX];
	const uint8_t *lo, *hi; /* bounds every packet must lie in */
};

static struct t_coll t_c1, t_c2, t_c3;
static uint8_t t_buf[T_BIG], t_orig[T_BIG], t_scratch[T_BIG];

#define T_AT(c, i) ((c)->data + (c)->off[i])

static int
t_collect(uint8_t *p, size_t len, void *arg)
{
	struct t_coll *c = arg;

	assert_true(c->n < T_SEGS_MAX && c->used + len <= T_COLL_MAX);
	if (c->lo != NULL)
		assert_true(p >= c->lo && p + len <= c->hi);
	memcpy(c->data + c->used, p, len);
	c->off[c->n] = c->used;
	c->len[c->n++] = len;
	c->used += len;
	memset(p, 0xa5, len); /* allowed: nothing after may depend on it */
	return 0;
}

static void
t_reset(struct t_coll *c, const uint8_t *lo, size_t n)
{
	c->used = c->n = 0;
	c->lo = lo;
	c->hi = lo != NULL ? lo + n : NULL;
}

static int
t_setup(void **state)
{
	(void)state;
	t_c1.data = malloc(T_COLL_MAX);
	t_c2.data = malloc(T_COLL_MAX);
	t_c3.data = malloc(T_COLL_MAX);
	return t_c1.data && t_c2.data && t_c3.data ? 0 : -1;
}

static int
t_teardown(void **state)
{
	(void)state;
	free(t_c1.data);
	free(t_c2.data);
	free(t_c3.data);
	return 0;
}

static int
t_split(uint8_t *buf, size_t len, size_t scratchlen, struct t_coll *c)
{
	enum esp_drop why = ESP_DROP_COUNT;
	int n;

	/* Segments in the scratch buffer, a plain packet where it was. */
	if (len > T_HDR && buf[1] == 0)
		t_reset(c, buf + T_HDR, len - T_HDR);
	else
		t_reset(c, t_scratch, scratchlen);
	n = esp_gso_split(buf, len, t_scratch, scratchlen, t_collect, c, &why);
	assert_int_equal(why, n == -1 ? ESP_DROP_MALFORMED : ESP_DROP_NONE);
	if (n == -1)
		assert_int_equal(c->n, 0); /* all or nothing */
	return n;
}

/* --- checksum --- */

static void
test_csum_reference(void **state)
{
	static uint8_t b[70000];
	size_t i, n, off;
	uint32_t seed;
	unsigned r;

	(void)state;
	srand(7);
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rand();
	for (r = 0; r < 4000; r++) {
		n = r < 600 ? r : (size_t)rand() % 65536;
		off = (size_t)rand() % 8;
		seed = r % 3 == 0 ? 0 : (uint32_t)rand() % 0x20000;
		assert_int_equal(esp_csum(b + off, n, seed),
				 t_fold(t_sum(seed, b + off, n)));
		/* In pieces: every piece but the last even. */
		i = (n / 2) & ~(size_t)1;
		assert_int_equal(
		    esp_csum(b + off + i, n - i, esp_csum(b + off, i, seed)),
		    t_fold(t_sum(seed, b + off, n)));
	}
	/* All carries, and nothing at all. */
	memset(b, 0xff, sizeof(b));
	assert_int_equal(esp_csum(b + 1, 65535, 0xffff),
			 t_fold(t_sum(0xffff, b + 1, 65535)));
	assert_int_equal(esp_csum(b, 65536, 0xffff), 0xffff);
	memset(b, 0, sizeof(b));
	assert_int_equal(esp_csum(b, 65536, 0), 0);
	assert_int_equal(esp_csum(b, 0, 0x1fffe), 0xffff);
}

/* --- split --- */

static void
test_split_plain(void **state)
{
	size_t len;

	(void)state;
	len = t_build(t_buf + T_HDR, &t_base);
	t_vnet(t_buf, 2 /* DATA_VALID: ignored */, 0, 0, 0, 0, 0);
	memcpy(t_orig, t_buf, T_HDR + len);
	/* Zero copy: the packet is handed over where it lies. */
	t_c1.used = t_c1.n = 0;
	t_c1.lo = t_buf + T_HDR;
	t_c1.hi = t_buf + T_HDR + len;
	assert_int_equal(esp_gso_split(t_buf, T_HDR + len, t_scratch, 0,
				       t_collect, &t_c1, &(enum esp_drop){0}),
			 1);
	assert_int_equal(t_c1.len[0], len);
	assert_memory_equal(T_AT(&t_c1, 0), t_orig + T_HDR, len);
}

/* NEEDS_CSUM on a packet whose field holds the pseudo-header seed. */
static void
t_complete(uint8_t *pkt, size_t len, uint8_t proto, size_t at)
{
	size_t hl = t_iphl(pkt);
	uint16_t want = t_l4_csum(pkt, len, proto, at);

	t_wr16(pkt + hl + at, t_fold(t_pseudo(pkt, proto, len - hl)));
	memmove(t_buf + T_HDR, pkt, len);
	t_vnet(t_buf, T_NEEDS_SUM, 0, 0, 0, (uint16_t)hl, (uint16_t)at);
	assert_int_equal(t_split(t_buf, T_HDR + len, 0, &t_c1), 1);
	/* Linux writes a computed 0 as 0xffff. */
	assert_int_equal(t_rd16(T_AT(&t_c1, 0) + hl + at),
			 want == 0 ? 0xffff : want);
}

static void
test_split_needs_csum(void **state)
{
	static uint8_t p[2048];
	struct t_tcp t = t_base;
	size_t len, hl;
	int v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		t.v6 = v6;
		t.paylen = 1001; /* odd */
		t_complete(p, t_build(p, &t), 6, 16);
		len = t_udp(p, v6, 333);
		t_complete(p, len, 17, 6);
		/* Two payload bytes chosen so that the sum comes to 0. */
		hl = t_iphl(p);
		t_wr16(p + hl + 8, 0);
		t_wr16(p + hl + 8, t_l4_csum(p, len, 17, 6));
		assert_int_equal(t_l4_csum(p, len, 17, 6), 0);
		t_complete(p, len, 17, 6);
	}
}

static void
t_check_tso(const struct t_tcp *t, uint16_t mss)
{
	size_t len = t_tso(t_buf, t, mss), iphl = t->v6 ? 40 : 20;
	size_t hl = iphl + 20 + t->optlen, i, n, want;
	const uint8_t *o = t_orig + T_HDR, *s;
	uint8_t fl;

	memcpy(t_orig, t_buf, len);
	want = t->paylen == 0 ? 1 : (t->paylen + mss - 1) / mss;
	assert_int_equal(t_split(t_buf, len, T_BIG, &t_c1), (int)want);
	assert_memory_equal(t_buf, t_orig, len); /* the read is left alone */
	for (i = 0; i < want; i++) {
		s = T_AT(&t_c1, i);
		n = t->paylen - i * mss < mss ? t->paylen - i * mss : mss;
		assert_int_equal(t_c1.len[i], hl + n);
		if (t->v6) {
			assert_int_equal(t_rd16(s + 4), hl + n - 40);
			assert_memory_equal(s, o, 4);
			assert_memory_equal(s + 6, o + 6, 34);
		} else {
			assert_int_equal(t_rd16(s + 2), hl + n);
			assert_int_equal(t_rd16(s + 4), (t->id + i) & 0xffff);
			assert_true(t_ip4_ok(s));
			assert_memory_equal(s + 6, o + 6, 4);
			assert_memory_equal(s + 12, o + 12, 8);
		}
		s += iphl;
		assert_int_equal(t_rd32(s + 4), t->seq + (uint32_t)(i * mss));
		fl = t->flags;
		if (i + 1 < want)
			fl &= (uint8_t) ~(T_FIN | T_PSH);
		if (i > 0)
			fl &= (uint8_t)~T_CWR;
		assert_int_equal(s[13], fl);
		assert_memory_equal(s + 8, o + iphl + 8, 5);
		assert_memory_equal(s + 14, o + iphl + 14, 2);
		assert_memory_equal(s + 18, o + iphl + 18, 2 + t->optlen);
		assert_memory_equal(s - iphl + hl, o + hl + i * mss, n);
		assert_int_equal(t_rd16(s + 16), t_tcp_csum(s - iphl, hl + n));
	}
}

static void
test_split_tso(void **state)
{
	struct t_tcp t = t_base;

	(void)state;
	t.flags = T_ACK | T_PSH | T_FIN | T_CWR;
	t.paylen = 65535 - 52; /* the largest IPv4 packet */
	t_check_tso(&t, 1448);
	t.frag = 0; /* no DF: the IDs count up all the same */
	t_check_tso(&t, 536);
	t.v6 = 1;
	t.paylen = 65535 - 32; /* the largest IPv6 payload */
	t_check_tso(&t, 1428);
	t.optlen = 0;
	t.paylen = 3000; /* an exact multiple */
	t_check_tso(&t, 1000);
	t.paylen = 999; /* gso_size beyond the payload: one segment */
	t_check_tso(&t, 1000);
	t.paylen = 0; /* no payload: one segment, as the kernel sends it */
	t_check_tso(&t, 1000);
	/* The ECN bit of gso_type is accepted. */
	t.paylen = 2001;
	t_tso(t_buf, &t, 1000);
	t_buf[1] |= T_ECN;
	assert_int_equal(t_split(t_buf, T_HDR + 60 + 2001, T_BIG, &t_c1), 3);
}

static void
test_split_scratch(void **state)
{
	size_t len;

	(void)state;
	len = t_tso(t_buf, &t_base, 1000); /* 1448 payload: 1000 + 448 */
	assert_int_equal(t_split(t_buf, len, 52 + 1000, &t_c1), 2);
	assert_int_equal(t_split(t_buf, len, 52 + 999, &t_c1), -1);
	assert_int_equal(t_split(t_buf, len, 0, &t_c1), -1);
}

/* Each case breaks one thing in a valid TSO read; all must be refused. */
static size_t
t_break(int c, uint8_t *b, size_t len)
{
	static const uint8_t gso[] = {T_UDP, T_UDP_L4, T_UDP | T_ECN, 2, T_ECN};
	uint8_t *ip = b + T_HDR;
	int v6 = ip[0] >> 4 == 6;
	uint16_t iphl = v6 ? 40 : 20;

	switch (c) {
	case 0: /* no header, a truncated one, a header alone */
	case 1:
	case 2:
		return (size_t)c * 5;
	case 3: /* gso_size 0 */
		t_vnet(b, T_NEEDS_SUM, b[1], 200, 0, iphl, 16);
		break;
	case 4: /* TCPV4 on IPv6, TCPV6 on IPv4 */
		b[1] ^= T_TCPV4 ^ T_TCPV6;
		break;
	case 5: /* hdr_len beyond the packet */
		t_vnet(b, T_NEEDS_SUM, b[1], (uint16_t)(len - T_HDR + 1), 1000,
		       iphl, 16);
		break;
	case 6: /* csum_start elsewhere than the TCP header */
		t_vnet(b, T_NEEDS_SUM, b[1], 200, 1000, iphl + 4, 16);
		break;
	case 7: /* csum_offset elsewhere than the TCP checksum */
		t_vnet(b, T_NEEDS_SUM, b[1], 200, 1000, iphl, 6);
		break;
	case 8: /* the IP length disagrees with the read */
		return len - 1;
	case 9: /* IPv6 hop-by-hop header; IPv4 fragment offset */
		ip[v6 ? 6 : 7] = v6 ? 0 : 1;
		break;
	case 10: /* IPv6 UDP; IPv4 more fragments */
		ip[6] = v6 ? 17 : (uint8_t)(ip[6] | 0x20);
		break;
	case 11: /* TCP data offset below 5 */
		ip[iphl + 12] = 0x40;
		break;
	case 12: /* IPv4 header length below 20; IPv6 says version 4 */
		ip[0] = 0x44;
		break;
	case 13: /* not TCP at all */
		ip[v6 ? 6 : 9] = 1;
		break;
	default: /* UDP GSO (UFO, UDP_L4), unknown types */
		b[1] = gso[c - 14];
		break;
	}
	return len;
}

static void
test_split_malformed(void **state)
{
	struct t_tcp t;
	size_t len;
	int c, v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		t = t_base;
		t.v6 = v6;
		for (c = 0; c < 19; c++) {
			len = t_break(c, t_buf, t_tso(t_buf, &t, 1000));
			assert_int_equal(t_split(t_buf, len, T_BIG, &t_c1), -1);
		}
		/* A TCP header that runs past the end of the packet. */
		t.optlen = t.paylen = 0;
		len = t_tso(t_buf, &t, 1000);
		t_buf[T_HDR + (t.v6 ? 40 : 20) + 12] = 0x60;
		assert_int_equal(t_split(t_buf, len, T_BIG, &t_c1), -1);
		/* No room for a TCP header at all, lengths consistent. */
		if (t.v6)
			t_wr16(t_buf + T_HDR + 4, 19);
		else
			t_wr16(t_buf + T_HDR + 2, 39);
		assert_int_equal(t_split(t_buf, len - 1, T_BIG, &t_c1), -1);
	}
	/* GSO_NONE with NEEDS_CSUM: where the checksum would land. */
	len = t_build(t_buf + T_HDR, &t_base);
	t_vnet(t_buf, T_NEEDS_SUM, 0, 0, 0, (uint16_t)len, 0);
	assert_int_equal(t_split(t_buf, T_HDR + len, T_BIG, &t_c1), -1);
	t_vnet(t_buf, T_NEEDS_SUM, 0, 0, 0, (uint16_t)(len - 2), 1);
	assert_int_equal(t_split(t_buf, T_HDR + len, T_BIG, &t_c1), -1);
	t_vnet(t_buf, T_NEEDS_SUM, 0, 0, 0, 20, (uint16_t)(len - 21));
	assert_int_equal(t_split(t_buf, T_HDR + len, T_BIG, &t_c1), -1);
	t_vnet(t_buf, T_NEEDS_SUM, 0, 0, 0, 20, 17); /* odd offset */
	assert_int_equal(t_split(t_buf, T_HDR + len, T_BIG, &t_c1), -1);
}

/* --- coalescing --- */

static struct esp_gro *t_gro;
static uint8_t t_pa[4096], t_pb[4096];

static void
t_push_raw(struct t_coll *c, const uint8_t *p, size_t len)
{
	memcpy(c->data + c->used, p, len);
	c->off[c->n] = c->used;
	c->len[c->n++] = len;
	c->used += len;
}

static void
t_push(struct t_coll *c, const struct t_tcp *t)
{
	c->off[c->n] = c->used;
	c->len[c->n] = t_build(c->data + c->used, t);
	c->used += c->len[c->n++];
}

static void
t_gro_run(const struct t_coll *in, struct t_coll *out)
{
	size_t i;

	t_reset(out, NULL, 0);
	for (i = 0; i < in->n; i++)
		assert_int_equal(
		    esp_gro_add(t_gro, T_AT(in, i), in->len[i], t_collect, out),
		    0);
	(void)esp_gro_flush(t_gro, t_collect, out);
}

/* Emission "e" is input "i" as it came, after a zero header. */
static void
t_expect_same(const struct t_coll *out, size_t e, const struct t_coll *in,
	      size_t i)
{
	static const uint8_t zero[T_HDR];

	assert_int_equal(out->len[e], T_HDR + in->len[i]);
	assert_memory_equal(T_AT(out, e), zero, T_HDR);
	assert_memory_equal(T_AT(out, e) + T_HDR, T_AT(in, i), in->len[i]);
}

/* Emission "e" is inputs idx[0..n) coalesced, exactly as specified. */
static void
t_expect_merged(const struct t_coll *out, size_t e, const struct t_coll *in,
		const size_t *idx, size_t n)
{
	const uint8_t *h = T_AT(out, e), *p = h + T_HDR, *f = T_AT(in, idx[0]);
	const uint8_t *l = T_AT(in, idx[n - 1]);
	size_t iphl = t_iphl(f), hl = iphl + (size_t)(f[iphl + 12] >> 4) * 4;
	size_t len = hl, k;

	for (k = 0; k < n; k++)
		len += in->len[idx[k]] - hl;
	assert_int_equal(out->len[e], T_HDR + len);
	assert_int_equal(h[0], T_NEEDS_SUM);
	assert_int_equal(h[1], iphl == 40 ? T_TCPV6 : T_TCPV4);
	assert_int_equal(t_vnet16(h, 2), hl);
	assert_int_equal(t_vnet16(h, 4), in->len[idx[0]] - hl);
	assert_int_equal(t_vnet16(h, 6), iphl);
	assert_int_equal(t_vnet16(h, 8), 16);
	if (iphl == 40) {
		assert_int_equal(t_rd16(p + 4), len - 40);
		assert_memory_equal(p, f, 4);
		assert_memory_equal(p + 6, f + 6, 34);
	} else {
		assert_int_equal(t_rd16(p + 2), len);
		assert_true(t_ip4_ok(p));
		assert_memory_equal(p, f, 2);
		assert_memory_equal(p + 4, f + 4, 6);
		assert_memory_equal(p + 12, f + 12, 8);
	}
	/* The first segment's TCP header, PSH from the last, the seed. */
	p += iphl;
	assert_memory_equal(p, f + iphl, 13);
	assert_int_equal(p[13], f[iphl + 13] | (l[iphl + 13] & T_PSH));
	assert_memory_equal(p + 14, f + iphl + 14, 2);
	assert_int_equal(t_rd16(p + 16),
			 t_fold(t_pseudo(p - iphl, 6, len - iphl)));
	assert_memory_equal(p + 18, f + iphl + 18, hl - iphl - 18);
	for (p += hl - iphl, k = 0; k < n; p += in->len[idx[k++]] - hl)
		assert_memory_equal(p, T_AT(in, idx[k]) + hl,
				    in->len[idx[k]] - hl);
}

static void
t_expect_merged_run(const struct t_coll *out, size_t e, const struct t_coll *in,
		    size_t first, size_t n)
{
	size_t idx[T_SEGS_MAX], k;

	for (k = 0; k < n; k++)
		idx[k] = first + k;
	t_expect_merged(out, e, in, idx, n);
}

static void
t_expect_equal(const struct t_coll *a, const struct t_coll *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_memory_equal(T_AT(a, i), T_AT(b, i), a->len[i]);
	}
}

/*
 * The kernel's segmentation of a coalesced write, done its way: the
 * seed, for the whole length, is traded for each segment's
 * (tcp_gso_segment()), then completed (skb_checksum_help()).
 */
static void
t_kernel_split(const uint8_t *e, size_t elen, struct t_coll *c)
{
	static uint8_t seg[T_BIG];
	const uint8_t *p = e + T_HDR;
	size_t pay = elen - T_HDR - t_vnet16(e, 2), hl = t_vnet16(e, 2);
	size_t iphl = t_vnet16(e, 6), mss = t_vnet16(e, 4), off, n, i = 0;
	uint16_t seed = t_rd16(p + iphl + t_vnet16(e, 8));

	t_reset(c, NULL, 0);
	for (off = 0; off < pay; off += n, i++) {
		n = pay - off < mss ? pay - off : mss;
		memcpy(seg, p, hl);
		memcpy(seg + hl, p + hl + off, n);
		if (iphl == 20) {
			t_wr16(seg + 2, (uint16_t)(hl + n));
			t_wr16(seg + 4, (uint16_t)(t_rd16(p + 4) + i));
			t_ip4_set(seg);
		} else
			t_wr16(seg + 4, (uint16_t)(hl + n - 40));
		t_wr32(seg + iphl + 4, t_rd32(p + iphl + 4) + (uint32_t)off);
		if (off + n < pay)
			seg[iphl + 13] &= (uint8_t) ~(T_FIN | T_PSH);
		if (i > 0)
			seg[iphl + 13] &= (uint8_t)~T_CWR;
		t_wr16(seg + iphl + 16,
		       t_fold((uint64_t)seed +
			      (uint16_t) ~(elen - T_HDR - iphl) + hl - iphl +
			      n));
		t_wr16(seg + iphl + 16,
		       (uint16_t)~t_fold(t_sum(0, seg + iphl, hl - iphl + n)));
		t_collect(seg, hl + n, c);
	}
}

/*
 * Split a super-packet, coalesce the segments: the very packet comes
 * back (but for the checksum field, now the seed), and both the kernel's
 * segmentation and ours give the very same segments again.
 */
static void
t_roundtrip(const struct t_tcp *t, uint16_t mss)
{
	size_t len = t_tso(t_buf, t, mss), iphl = t->v6 ? 40 : 20;
	const uint8_t *e;

	memcpy(t_orig, t_buf, len);
	assert_true(t_split(t_buf, len, T_BIG, &t_c1) > 1);
	t_gro_run(&t_c1, &t_c2);
	assert_int_equal(t_c2.n, 1);
	t_expect_merged_run(&t_c2, 0, &t_c1, 0, t_c1.n);
	e = T_AT(&t_c2, 0);
	assert_int_equal(t_c2.len[0], len);
	assert_memory_equal(e + T_HDR, t_orig + T_HDR, iphl + 16);
	assert_memory_equal(e + T_HDR + iphl + 18, t_orig + T_HDR + iphl + 18,
			    len - T_HDR - iphl - 18);
	t_kernel_split(e, t_c2.len[0], &t_c3);
	t_expect_equal(&t_c3, &t_c1);
	memcpy(t_buf, e, t_c2.len[0]);
	assert_int_equal(t_split(t_buf, t_c2.len[0], T_BIG, &t_c3), t_c1.n);
	t_expect_equal(&t_c3, &t_c1);
}

static void
test_gro_roundtrip(void **state)
{
	struct t_tcp t = t_base;

	(void)state;
	t.flags = T_ACK | T_PSH;
	t.paylen = 65535 - 52;
	t_roundtrip(&t, 1448);
	t.v6 = 1;
	t.paylen = 65535 - 32;
	t_roundtrip(&t, 1428);
	t.optlen = 0;
	t.paylen = 10000; /* the last segment shorter */
	t_roundtrip(&t, 1300);
}

enum t_rule {
	R_FLOW,
	R_SEQ,
	R_ACK,
	R_OPTS,
	R_WIN,
	R_TTL,
	R_TOS,
	R_DF,
	R_ID,
	R_FLOWLABEL,
	R_SYN,
	R_FIN,
	R_RST,
	R_URG,
	R_ECE,
	R_CWR,
	R_BIGGER,
	R_PURE_ACK,
	R_BAD_SUM,
	R_BAD_FIRST,
	R_IP_SUM,
	R_IP_OPTS,
	R_FRAG,
	R_COUNT
};

/* Break "a" then "b" apart; 0 when the rule is not the family's. */
static int
t_rule(int r, struct t_tcp *a, struct t_tcp *b)
{
	static const uint8_t flag[] = {T_SYN, T_FIN, T_RST, T_URG, T_ECE};

	if ((r == R_DF || r == R_ID || r >= R_IP_SUM) && a->v6)
		return 0;
	if (r == R_FLOWLABEL && !a->v6)
		return 0;
	switch (r) {
	case R_FLOW:
		b->sport++;
		break;
	case R_SEQ:
		b->seq++;
		break;
	case R_ACK:
		b->ack++;
		break;
	case R_OPTS:
		b->tsval++;
		break;
	case R_WIN:
		b->win++;
		break;
	case R_TTL:
		b->ttl--;
		break;
	case R_TOS:
		b->tos = 3;
		break; /* CE */
	case R_DF:
		b->frag = 0;
		break;
	case R_ID:
		a->frag = b->frag = 0;
		b->id = (uint16_t)(a->id + 2);
		break;
	case R_FLOWLABEL:
		b->flow = 1;
		break;
	case R_SYN:
	case R_FIN:
	case R_RST:
	case R_URG:
	case R_ECE:
		b->flags |= flag[r - R_SYN];
		break;
	case R_CWR:
		a->flags |= T_CWR;
		break;
	case R_BIGGER:
		b->paylen++;
		break;
	case R_PURE_ACK:
		b->paylen = 0;
		break;
	default:
		break;
	}
	return 1;
}

static void
t_ip4_opts(uint8_t *p, size_t *len)
{
	memmove(p + 24, p + 20, *len - 20);
	memset(p + 20, 1, 4); /* NOPs */
	p[0] = 0x46;
	*len += 4;
	t_wr16(p + 2, (uint16_t)*len);
	t_ip4_set(p);
}

static void
t_rule_raw(int r, uint8_t *a, size_t *alen, uint8_t *b, size_t *blen)
{
	switch (r) {
	case R_BAD_SUM:
		b[t_iphl(b) + 17] ^= 1;
		break;
	case R_BAD_FIRST:
		a[t_iphl(a) + 17] ^= 1;
		break;
	case R_IP_SUM:
		b[11] ^= 1;
		break;
	case R_IP_OPTS:
		t_ip4_opts(a, alen);
		t_ip4_opts(b, blen);
		break;
	case R_FRAG: /* first fragments: ports, but not whole */
		a[6] |= 0x20;
		b[6] |= 0x20;
		t_ip4_set(a);
		t_ip4_set(b);
		break;
	default:
		break;
	}
}

/* Consecutive segments, one rule broken: two packets, untouched. */
static void
test_gro_rules(void **state)
{
	struct t_tcp a, b;
	size_t la, lb;
	int r, v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		for (r = 0; r < R_COUNT; r++) {
			a = t_base;
			a.v6 = v6;
			b = a;
			b.seq = a.seq + (uint32_t)a.paylen;
			b.id = (uint16_t)(a.id + 1);
			if (!t_rule(r, &a, &b))
				continue;
			la = t_build(t_pa, &a);
			lb = t_build(t_pb, &b);
			t_rule_raw(r, t_pa, &la, t_pb, &lb);
			t_reset(&t_c1, NULL, 0);
			t_push_raw(&t_c1, t_pa, la);
			t_push_raw(&t_c1, t_pb, lb);
			t_gro_run(&t_c1, &t_c2);
			if (t_c2.n != 2)
				fail_msg("rule %d, v6 %d: merged", r, v6);
			t_expect_same(&t_c2, 0, &t_c1, 0);
			t_expect_same(&t_c2, 1, &t_c1, 1);
		}
	}
}

/* Three segments of a flow, "b" changed by the caller. */
static void
t_three(int v6, void (*change)(struct t_tcp *, struct t_tcp *))
{
	struct t_tcp a = t_base, b, c;

	a.v6 = v6;
	b = a;
	change(&a, &b);
	b.seq = a.seq + (uint32_t)a.paylen;
	c = b;
	c.flags = T_ACK;
	c.seq = b.seq + (uint32_t)b.paylen;
	c.paylen = a.paylen;
	c.id = (uint16_t)(b.id + 1);
	t_reset(&t_c1, NULL, 0);
	t_push(&t_c1, &a);
	t_push(&t_c1, &b);
	t_push(&t_c1, &c);
	t_gro_run(&t_c1, &t_c2);
}

static void
t_plain(struct t_tcp *a, struct t_tcp *b)
{
	b->id = 77; /* DF: any ID */
	(void)a;
}

static void
t_no_df(struct t_tcp *a, struct t_tcp *b)
{
	a->frag = b->frag = 0;
	b->id = (uint16_t)(a->id + 1);
}

static void
t_psh(struct t_tcp *a, struct t_tcp *b)
{
	b->flags |= T_PSH;
	(void)a;
}

static void
t_shorter(struct t_tcp *a, struct t_tcp *b)
{
	b->paylen = a->paylen - 1;
}

static void
t_psh_first(struct t_tcp *a, struct t_tcp *b)
{
	a->flags |= T_PSH;
	b->flags |= T_PSH;
}

static void
test_gro_merges(void **state)
{
	int v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		/* All three: any ID with DF, consecutive IDs without. */
		t_three(v6, t_plain);
		assert_int_equal(t_c2.n, 1);
		t_expect_merged_run(&t_c2, 0, &t_c1, 0, 3);
		t_three(v6, t_no_df);
		assert_int_equal(t_c2.n, 1);
		t_expect_merged_run(&t_c2, 0, &t_c1, 0, 3);
		/* PSH, or a shorter segment, ends the packet. */
		t_three(v6, t_psh);
		assert_int_equal(t_c2.n, 2);
		t_expect_merged_run(&t_c2, 0, &t_c1, 0, 2);
		t_expect_same(&t_c2, 1, &t_c1, 2);
		t_three(v6, t_shorter);
		assert_int_equal(t_c2.n, 2);
		t_expect_merged_run(&t_c2, 0, &t_c1, 0, 2);
		t_expect_same(&t_c2, 1, &t_c1, 2);
		t_three(v6, t_psh_first);
		assert_int_equal(t_c2.n, 3);
	}
}

/* "n" segments of "pay" bytes each (the last "last"), one flow. */
static void
t_stream(int v6, size_t optlen, size_t n, size_t pay, size_t last)
{
	struct t_tcp t = t_base;
	size_t i;

	t.v6 = v6;
	t.optlen = optlen;
	t_reset(&t_c1, NULL, 0);
	for (i = 0; i < n; i++) {
		t.paylen = i + 1 < n ? pay : last;
		t_push(&t_c1, &t);
		t.seq += (uint32_t)t.paylen;
		t.id++;
	}
	t_gro_run(&t_c1, &t_c2);
}

static void
test_gro_caps(void **state)
{
	(void)state;
	t_stream(0, 12, 70, 100, 100); /* 64 segments at most */
	assert_int_equal(t_c2.n, 2);
	t_expect_merged_run(&t_c2, 0, &t_c1, 0, 64);
	t_expect_merged_run(&t_c2, 1, &t_c1, 64, 6);
	t_stream(1, 12, 50, 1448, 1448); /* 65535 bytes at most */
	assert_int_equal(t_c2.n, 2);
	t_expect_merged_run(&t_c2, 0, &t_c1, 0, 45);
	t_expect_merged_run(&t_c2, 1, &t_c1, 45, 5);
	/* IPv6 counts the payload only: 65535 + 40 bytes fit. */
	t_stream(1, 0, 2, 32760, 32755);
	assert_int_equal(t_c2.n, 1);
	assert_int_equal(t_c2.len[0], T_BIG);
	t_expect_merged_run(&t_c2, 0, &t_c1, 0, 2);
	t_stream(1, 0, 2, 32760, 32756);
	assert_int_equal(t_c2.n, 2);
	t_stream(0, 0, 2, 32760, 32735); /* IPv4: 65535 in all */
	assert_int_equal(t_c2.n, 1);
	t_stream(0, 0, 2, 32760, 32736);
	assert_int_equal(t_c2.n, 2);
}

/* Two flows interleaved, a pure ACK in one: order kept within each. */
static void
test_gro_interleaved(void **state)
{
	struct t_tcp f1 = t_base, f2 = t_base, k;

	(void)state;
	f2.sport = 2000;
	t_reset(&t_c1, NULL, 0);
	t_push(&t_c1, &f1); /* 0 */
	t_push(&t_c1, &f2); /* 1 */
	f1.seq += 1448;
	t_push(&t_c1, &f1); /* 2 */
	f1.seq += 1448;
	k = f1;
	k.paylen = 0;
	t_push(&t_c1, &k);  /* 3 */
	t_push(&t_c1, &f1); /* 4: would fit after 2, but 3 came between */
	f2.seq += 1448;
	t_push(&t_c1, &f2); /* 5 */
	t_gro_run(&t_c1, &t_c2);
	assert_int_equal(t_c2.n, 4);
	t_expect_merged(&t_c2, 0, &t_c1, (const size_t[]){0, 2}, 2);
	t_expect_merged(&t_c2, 1, &t_c1, (const size_t[]){1, 5}, 2);
	t_expect_same(&t_c2, 2, &t_c1, 3);
	t_expect_same(&t_c2, 3, &t_c1, 4);
}

/* A packet of the hosts that hides its ports: nothing overtakes it. */
static void
test_gro_barrier(void **state)
{
	struct t_tcp t = t_base;
	size_t len;
	int v6, other;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		for (other = 0; other <= 1; other++) {
			t = t_base;
			t.v6 = v6;
			t_reset(&t_c1, NULL, 0);
			t_push(&t_c1, &t);
			len = t_build(t_pa, &t);
			if (v6)
				t_pa[6] = 44; /* a fragment header */
			else
				t_pa[7] = 100; /* a later fragment */
			t_pa[v6 ? 39 : 19] ^= (uint8_t)other;
			if (!v6)
				t_ip4_set(t_pa);
			t_push_raw(&t_c1, t_pa, len);
			t.seq += 1448;
			t_push(&t_c1, &t);
			t_gro_run(&t_c1, &t_c2);
			assert_int_equal(t_c2.n, other ? 2 : 3);
			if (other) {
				t_expect_merged(&t_c2, 0, &t_c1,
						(const size_t[]){0, 2}, 2);
				t_expect_same(&t_c2, 1, &t_c1, 1);
				continue;
			}
			t_expect_same(&t_c2, 0, &t_c1, 0);
			t_expect_same(&t_c2, 1, &t_c1, 1);
			t_expect_same(&t_c2, 2, &t_c1, 2);
		}
	}
}

/* Anything else goes out as it came, in order. */
static void
test_gro_others(void **state)
{
	size_t i;

	(void)state;
	t_reset(&t_c1, NULL, 0);
	t_c1.len[0] = t_udp(t_c1.data, 0, 100);
	t_c1.off[1] = t_c1.len[0];
	t_c1.len[1] = t_udp(t_c1.data + t_c1.off[1], 1, 1000);
	t_c1.off[2] = t_c1.off[1] + t_c1.len[1];
	t_c1.len[2] = 1; /* not even an IP header */
	t_c1.n = 3;
	t_c1.used = t_c1.off[2] + 1;
	t_push(&t_c1, &t_base); /* a lone TCP segment: checksum untouched */
	t_gro_run(&t_c1, &t_c2);
	assert_int_equal(t_c2.n, 4);
	for (i = 0; i < 4; i++)
		t_expect_same(&t_c2, i, &t_c1, i);
	assert_int_equal(esp_gro_add(t_gro, t_buf, 0, t_collect, &t_c2), -1);
	assert_int_equal(
	    esp_gro_add(t_gro, t_buf, ESP_GSO_PKT_MAX + 1, t_collect, &t_c2),
	    -1);
	assert_int_equal(esp_gro_flush(t_gro, t_collect, &t_c2), 0);
}

/* A full table or arena sends what it holds before taking more. */
static void
test_gro_full(void **state)
{
	size_t i, n, size[] = {100, 60000};
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		n = k == 0 ? ESP_GRO_ITEMS_MAX : 4;
		t_reset(&t_c1, NULL, 0);
		t_reset(&t_c2, NULL, 0);
		for (i = 0; i <= n; i++) {
			t_c1.off[i] = t_c1.used;
			t_c1.len[i] = t_udp(t_c1.data + t_c1.used, 0, size[k]);
			t_c1.used += t_c1.len[i];
			t_c1.n++;
			assert_int_equal(esp_gro_add(t_gro, T_AT(&t_c1, i),
						     t_c1.len[i], t_collect,
						     &t_c2),
					 0);
			assert_int_equal(t_c2.n, i < n ? 0 : n);
		}
		assert_int_equal(esp_gro_flush(t_gro, t_collect, &t_c2), 1);
		for (i = 0; i <= n; i++)
			t_expect_same(&t_c2, i, &t_c1, i);
	}
}

static int
t_group_setup(void **state)
{
	t_gro = esp_gro_new();
	return t_gro != NULL ? t_setup(state) : -1;
}

static int
t_group_teardown(void **state)
{
	esp_gro_free(t_gro);
	esp_gro_free(NULL);
	return t_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csum_reference),
	    cmocka_unit_test(test_split_plain),
	    cmocka_unit_test(test_split_needs_csum),
	    cmocka_unit_test(test_split_tso),
	    cmocka_unit_test(test_split_scratch),
	    cmocka_unit_test(test_split_malformed),
	    cmocka_unit_test(test_gro_roundtrip),
	    cmocka_unit_test(test_gro_rules),
	    cmocka_unit_test(test_gro_merges),
	    cmocka_unit_test(test_gro_caps),
	    cmocka_unit_test(test_gro_interleaved),
	    cmocka_unit_test(test_gro_barrier),
	    cmocka_unit_test(test_gro_others),
	    cmocka_unit_test(test_gro_full),
	};

	return cmocka_run_group_tests_name("esp_gso", tests, t_group_setup,
					   t_group_teardown);
}
