/*
 * Fuzz target: the TUN offloads (esp_gso_split(), esp_gro_*()).  The
 * first byte steers:
 *
 *   bit 0 clear	the rest is a TUN read (virtio_net_hdr + packet) for
 *			esp_gso_split(); bits 1-7 size the scratch buffer (0:
 *			the largest packet, else 64 bytes a step).
 *   bit 0 set	the rest is packets, each after a 2-byte length, for
 *			esp_gro_add(); bit 1 first makes their IPv4 and TCP
 *			checksums right, so that merging gets explored.
 *
 * Beyond not crashing: every segment lies in the scratch buffer, has
 * consistent IP lengths and right checksums, and the payloads tile the
 * read's.  Coalesced, the segments come back as packets whose headers
 * agree with themselves and which, split again, give the very same
 * segments byte for byte.  Arbitrary packets through the coalescer keep
 * their number and bytes, and those not merged come out untouched in
 * the order they went in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp/esp_gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_HDR	 ESP_GSO_HDR_LEN
#define FZ_STORE (4u << 20)
#define FZ_PKTS	 4096

/* Copies of packets, in order. */
struct fz_store {
	uint8_t *data;
	size_t cap, used, n, off[FZ_PKTS], len[FZ_PKTS];
	int full;
};

/* What the split of one read must look like. */
struct fz_split {
	const uint8_t *lo, *hi, *orig;
	size_t hl, iphl, next, n;
	uint32_t seq;
	int gso;
};

static struct fz_store fz_in, fz_out;
static struct esp_gro *fz_gro;
static uint8_t fz_buf[ESP_GSO_READ_MAX], fz_tmp[ESP_GSO_READ_MAX];
static uint8_t fz_scratch[ESP_GSO_PKT_MAX];

static uint16_t
fz_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
fz_rd32(const uint8_t *p)
{
	return (uint32_t)fz_rd16(p) << 16 | fz_rd16(p + 2);
}

static uint16_t
fz_vnet16(const uint8_t *p, size_t at)
{
	uint16_t v;

	memcpy(&v, p + at, 2);
	return v;
}

static uint16_t
fz_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* Byte by byte, the test's own. */
static uint64_t
fz_sum(uint64_t acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	return acc;
}

static size_t
fz_iphl(const uint8_t *p)
{
	return p[0] >> 4 == 6 ? 40 : (size_t)(p[0] & 15) * 4;
}

static uint64_t
fz_pseudo(const uint8_t *p, size_t tcplen)
{
	if (p[0] >> 4 == 6)
		return fz_sum(6 + tcplen, p + 8, 32);
	return fz_sum(6 + tcplen, p + 12, 8);
}

/* A whole IP packet of "len" bytes with a TCP segment that verifies. */
static int
fz_tcp_ok(const uint8_t *p, size_t len)
{
	size_t hl;

	if (len < 20 || (p[0] >> 4 != 4 && p[0] >> 4 != 6))
		return 0;
	hl = fz_iphl(p);
	if (hl < 20 || len < hl + 20)
		return 0;
	if (p[0] >> 4 == 4 && (fz_rd16(p + 2) != len || p[9] != 6 ||
			       fz_fold(fz_sum(0, p, hl)) != 0xffff))
		return 0;
	if (p[0] >> 4 == 6 && (fz_rd16(p + 4) != len - 40 || p[6] != 6))
		return 0;
	return fz_fold(fz_sum(fz_pseudo(p, len - hl), p + hl, len - hl)) ==
	       0xffff;
}

static void
fz_store_add(struct fz_store *s, const uint8_t *p, size_t len)
{
	if (s->full || s->n == FZ_PKTS || s->cap - s->used < len) {
		s->full = 1;
		return;
	}
	memcpy(s->data + s->used, p, len);
	s->off[s->n] = s->used;
	s->len[s->n++] = len;
	s->used += len;
}

static void
fz_store_reset(struct fz_store *s)
{
	s->used = s->n = 0;
	s->full = 0;
}

/* --- split --- */

static int
fz_segment(uint8_t *p, size_t len, void *arg)
{
	struct fz_split *s = arg;
	size_t pay;

	if (p < s->lo || p > s->hi || len > (size_t)(s->hi - p))
		abort();
	s->n++;
	if (s->gso) {
		if (!fz_tcp_ok(p, len) || len < s->hl || fz_iphl(p) != s->iphl)
			abort();
		pay = len - s->hl;
		if (fz_rd32(p + s->iphl + 4) != s->seq + (uint32_t)s->next ||
		    memcmp(p + s->hl, s->orig + s->hl + s->next, pay) != 0)
			abort();
		s->next += pay;
	}
	fz_store_add(&fz_in, p, len);
	memset(p, 0xa5, len); /* fn may: nothing after may depend on it */
	return 0;
}

/*
 * A coalesced packet's header against itself; returns how many segments
 * it stands for (1: a packet as it came, zero header).
 */
static size_t
fz_emitted(const uint8_t *e, size_t len)
{
	static const uint8_t zero[FZ_HDR];
	const uint8_t *p = e + FZ_HDR;
	size_t iphl, hl, mss, pay;

	if (len <= FZ_HDR)
		abort();
	if (memcmp(e, zero, FZ_HDR) == 0)
		return 1;
	if ((p[0] != 0x45 && p[0] >> 4 != 6) || len < FZ_HDR + 60)
		abort();
	iphl = fz_iphl(p);
	hl = fz_vnet16(e, 2);
	mss = fz_vnet16(e, 4);
	if (e[0] != 1 || e[1] != (iphl == 40 ? 4 : 1) ||
	    fz_vnet16(e, 6) != iphl || fz_vnet16(e, 8) != 16 ||
	    hl != iphl + (size_t)(p[iphl + 12] >> 4) * 4 || hl >= len - FZ_HDR)
		abort();
	pay = len - FZ_HDR - hl;
	if (mss == 0 || pay <= mss || (pay + mss - 1) / mss > ESP_GRO_SEGS_MAX)
		abort();
	if (iphl == 20 ? fz_rd16(p + 2) != len - FZ_HDR ||
			     fz_fold(fz_sum(0, p, 20)) != 0xffff
		       : fz_rd16(p + 4) != len - FZ_HDR - 40)
		abort();
	if (fz_rd16(p + iphl + 16) !=
	    fz_fold(fz_pseudo(p, len - FZ_HDR - iphl)))
		abort();
	return (pay + mss - 1) / mss;
}

static int
fz_seg_ok(uint8_t *p, size_t len, void *arg)
{
	size_t *n = arg;

	if (!fz_tcp_ok(p, len))
		abort();
	(*n)++;
	return 0;
}

/* Split again as the kernel would: "n" segments, each verifying. */
static void
fz_resplit(const uint8_t *e, size_t len, size_t n)
{
	enum esp_drop why;
	size_t got = 0;

	memcpy(fz_tmp, e, len);
	if (esp_gso_split(fz_tmp, len, fz_scratch, sizeof(fz_scratch),
			  fz_seg_ok, &got, &why) != (int)n ||
	    got != n)
		abort();
}

static int
fz_keep(uint8_t *p, size_t len, void *arg)
{
	(void)fz_emitted(p, len);
	fz_store_add(arg, p, len);
	memset(p, 0xa5, len);
	return 0;
}

/* Split again, each segment must be the next one the first split gave. */
static int
fz_again(uint8_t *p, size_t len, void *arg)
{
	size_t *i = arg;

	if (*i >= fz_in.n || fz_in.len[*i] != len ||
	    memcmp(fz_in.data + fz_in.off[*i], p, len) != 0)
		abort();
	(*i)++;
	return 0;
}

static void
fz_roundtrip(void)
{
	enum esp_drop why;
	size_t i, next = 0, len;

	fz_store_reset(&fz_out);
	for (i = 0; i < fz_in.n; i++)
		if (esp_gro_add(fz_gro, fz_in.data + fz_in.off[i], fz_in.len[i],
				fz_keep, &fz_out) != 0)
			abort();
	(void)esp_gro_flush(fz_gro, fz_keep, &fz_out);
	if (fz_out.full)
		abort();
	for (i = 0; i < fz_out.n; i++) {
		len = fz_out.len[i];
		memcpy(fz_tmp, fz_out.data + fz_out.off[i], len);
		if (esp_gso_split(fz_tmp, len, fz_scratch, sizeof(fz_scratch),
				  fz_again, &next, &why) < 1)
			abort();
	}
	if (next != fz_in.n)
		abort();
}

/*
 * NEEDS_CSUM done: from csum_start on, the packet and the seed that was
 * in the field sum to zero (0xffff).
 */
static void
fz_completed(const uint8_t *read, size_t size)
{
	size_t start = fz_vnet16(read, 6);
	uint16_t seed;

	if (fz_in.n != 1 || fz_in.len[0] != size - FZ_HDR)
		abort();
	if (!(read[0] & 1))
		return;
	seed = fz_rd16(read + FZ_HDR + start + fz_vnet16(read, 8));
	if (fz_fold(fz_sum(seed, fz_in.data + start, size - FZ_HDR - start)) !=
	    0xffff)
		abort();
}

static void
fz_split(const uint8_t *data, size_t size, size_t scratchlen)
{
	struct fz_split s;
	enum esp_drop why;
	uint8_t *scratch;
	int n;

	memcpy(fz_buf, data, size);
	memset(&s, 0, sizeof(s));
	/* Exactly as big as said, so that ASan sees any overrun. */
	if ((scratch = malloc(scratchlen ? scratchlen : 1)) == NULL)
		abort();
	s.gso = size > FZ_HDR && fz_buf[1] != 0;
	s.lo = s.gso ? scratch : fz_buf + FZ_HDR;
	s.hi = s.gso ? scratch + scratchlen : fz_buf + size;
	if (s.gso && size >= FZ_HDR + 40) {
		s.orig = data + FZ_HDR;
		s.iphl = fz_iphl(s.orig);
		if (s.iphl + 20 <= size - FZ_HDR) {
			s.hl = s.iphl + (size_t)(s.orig[s.iphl + 12] >> 4) * 4;
			s.seq = fz_rd32(s.orig + s.iphl + 4);
		}
	}
	fz_store_reset(&fz_in);
	n = esp_gso_split(fz_buf, size, scratch, scratchlen, fz_segment, &s,
			  &why);
	free(scratch);
	if (n == -1 ? why != ESP_DROP_MALFORMED || s.n != 0
		    : why != ESP_DROP_NONE || (size_t)n != s.n)
		abort();
	if (n > 0 && s.gso && s.next != size - FZ_HDR - s.hl)
		abort();
	if (n > 0 && !s.gso)
		fz_completed(data, size);
	if (n > 0 && !fz_in.full)
		fz_roundtrip();
}

/* --- coalesce --- */

static void
fz_fix(uint8_t *p, size_t len)
{
	size_t hl;
	uint16_t c;

	if (len < 40 || (p[0] >> 4 != 4 && p[0] >> 4 != 6))
		return;
	hl = fz_iphl(p);
	if (hl < 20 || len < hl + 20)
		return;
	if (p[0] >> 4 == 4) {
		p[10] = p[11] = 0;
		c = (uint16_t)~fz_fold(fz_sum(0, p, hl));
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	}
	if ((p[0] >> 4 == 4 ? p[9] : p[6]) != 6)
		return;
	p[hl + 16] = p[hl + 17] = 0;
	c = (uint16_t)~fz_fold(
	    fz_sum(fz_pseudo(p, len - hl), p + hl, len - hl));
	p[hl + 16] = (uint8_t)(c >> 8);
	p[hl + 17] = (uint8_t)c;
}

static void
fz_coalesce(const uint8_t *data, size_t size, int fix)
{
	size_t i, n, at = 0, in = 0, out = 0, segs = 0, cursor = 0;
	const uint8_t *e;

	fz_store_reset(&fz_in);
	while (size - at >= 2 && fz_in.n < 256) {
		n = fz_rd16(data + at);
		at += 2;
		n = n < size - at ? n : size - at;
		if (n == 0)
			continue;
		fz_store_add(&fz_in, data + at, n);
		if (fix && !fz_in.full)
			fz_fix(fz_in.data + fz_in.off[fz_in.n - 1],
			       fz_in.len[fz_in.n - 1]);
		at += n;
	}
	fz_store_reset(&fz_out);
	for (i = 0; i < fz_in.n; i++) {
		if (esp_gro_add(fz_gro, fz_in.data + fz_in.off[i], fz_in.len[i],
				fz_keep, &fz_out) != 0)
			abort();
		in += fz_in.len[i];
	}
	(void)esp_gro_flush(fz_gro, fz_keep, &fz_out);
	for (i = 0; i < fz_out.n; i++) {
		e = fz_out.data + fz_out.off[i];
		n = fz_emitted(e, fz_out.len[i]);
		out += fz_out.len[i] - FZ_HDR + (n - 1) * fz_vnet16(e, 2);
		segs += n;
		if (n > 1) {
			fz_resplit(e, fz_out.len[i], n);
			continue;
		}
		/* Alone: one of the inputs, untouched, in its order. */
		while (cursor < fz_in.n &&
		       (fz_in.len[cursor] != fz_out.len[i] - FZ_HDR ||
			memcmp(fz_in.data + fz_in.off[cursor], e + FZ_HDR,
			       fz_in.len[cursor]) != 0))
			cursor++;
		if (cursor++ == fz_in.n)
			abort();
	}
	if (in != out || segs != fz_in.n || fz_out.full)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl;

	if (fz_gro == NULL) {
		/* Out: the segments in, and a header for each. */
		fz_in.cap = FZ_STORE;
		fz_out.cap = FZ_STORE + FZ_PKTS * FZ_HDR;
		if ((fz_gro = esp_gro_new()) == NULL ||
		    (fz_in.data = malloc(fz_in.cap)) == NULL ||
		    (fz_out.data = malloc(fz_out.cap)) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	if (size > ESP_GSO_READ_MAX)
		size = ESP_GSO_READ_MAX;
	if (ctl & 1)
		fz_coalesce(data, size, ctl & 2);
	else
		fz_split(data, size,
			 ctl >> 1 ? (size_t)(ctl >> 1) * 64 : ESP_GSO_PKT_MAX);
	return 0;
}
