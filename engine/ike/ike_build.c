/*
 * ISAKMP message builder; see ike_wire.h.  Appends go through the bounded
 * buffer, whose error latches, so a caller builds a whole message and
 * checks once in ike_build_finish().  Lengths and next-payload bytes are
 * patched in place, and only where the bytes exist: after a failed append
 * the buffer is shorter than the offsets a caller holds.
 */
#include <string.h>

#include "ike_wire.h"

#define BUILD_AF	  0x8000 /* attribute format bit: basic (TV) */
#define BUILD_ATTR_TYPE	  0x7fff
#define BUILD_OFF_NEXT	  16 /* header: next payload */
#define BUILD_OFF_LEN	  24 /* header: message length */
#define BUILD_OFF_GEN_LEN 2  /* generic header: payload length */
#define BUILD_BASIC_MAX	  0xffff
#define BUILD_LEN_MAX	  0xffff

static void
build_be16(struct buf *b, uint16_t v)
{
	uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	buf_add(b, p, sizeof(p));
}

static void
build_be32(struct buf *b, uint32_t v)
{
	uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};

	buf_add(b, p, sizeof(p));
}

static void
build_be64(struct buf *b, uint64_t v)
{
	build_be32(b, (uint32_t)(v >> 32));
	build_be32(b, (uint32_t)v);
}

/* Write a 16-bit length at off + 2: the bytes from off to the end. */
static void
build_patch_len(struct buf *b, size_t off)
{
	size_t n;

	if (b->err || off > b->len || b->len - off < IKE_GEN_LEN)
		return;
	n = b->len - off;
	if (n > BUILD_LEN_MAX) {
		b->err = 1;
		return;
	}
	b->data[off + BUILD_OFF_GEN_LEN] = (uint8_t)(n >> 8);
	b->data[off + BUILD_OFF_GEN_LEN + 1] = (uint8_t)n;
}

void
ike_build_init(struct ike_build *bld, const struct ike_hdr *hdr)
{
	struct buf *b = &bld->b;

	buf_init(b, IKE_MSG_MAX);
	buf_add(b, hdr->icookie, sizeof(hdr->icookie));
	buf_add(b, hdr->rcookie, sizeof(hdr->rcookie));
	/* the first ike_build_begin() names the first payload */
	buf_addc(b, IKE_PLD_NONE);
	buf_addc(b, (char)hdr->version);
	buf_addc(b, (char)hdr->exch);
	buf_addc(b, (char)hdr->flags);
	build_be32(b, hdr->msgid);
	build_be32(b, 0);
	bld->next_off = BUILD_OFF_NEXT;
}

void
ike_build_release(struct ike_build *bld)
{
	buf_release(&bld->b);
}

size_t
ike_build_begin(struct ike_build *bld, uint8_t type)
{
	static const uint8_t gen[IKE_GEN_LEN] = {IKE_PLD_NONE, 0, 0, 0};
	struct buf *b = &bld->b;
	size_t off;

	if (!b->err && bld->next_off < b->len)
		b->data[bld->next_off] = type;
	off = b->len;
	buf_add(b, gen, sizeof(gen));
	bld->next_off = off;
	return off;
}

void
ike_build_end(struct ike_build *bld, size_t off)
{
	build_patch_len(&bld->b, off);
}

size_t
ike_build_pld(struct ike_build *bld, uint8_t type, const void *data, size_t len)
{
	size_t off;

	off = ike_build_begin(bld, type);
	buf_add(&bld->b, data, len);
	ike_build_end(bld, off);
	return off;
}

size_t
ike_build_sub_begin(struct buf *b, uint8_t next, const void *fixed,
		    size_t fixedlen)
{
	uint8_t gen[IKE_GEN_LEN] = {next, 0, 0, 0};
	size_t off = b->len;

	buf_add(b, gen, sizeof(gen));
	buf_add(b, fixed, fixedlen);
	return off;
}

void
ike_build_sub_end(struct buf *b, size_t off)
{
	build_patch_len(b, off);
}

/*
 * RFC 2407 4.5: a value over 16 bits goes as a variable-length attribute;
 * every implementation sends 4 bytes for a life duration, so 4 when it
 * fits, else 8.
 */
void
ike_build_attr(struct buf *b, uint16_t type, uint64_t value)
{
	type &= BUILD_ATTR_TYPE;
	if (value <= BUILD_BASIC_MAX) {
		build_be16(b, type | BUILD_AF);
		build_be16(b, (uint16_t)value);
	} else if (value <= UINT32_MAX) {
		build_be16(b, type);
		build_be16(b, 4);
		build_be32(b, (uint32_t)value);
	} else {
		build_be16(b, type);
		build_be16(b, 8);
		build_be64(b, value);
	}
}

void
ike_build_attr_var(struct buf *b, uint16_t type, const void *data, size_t len)
{
	if (len > BUILD_LEN_MAX) {
		b->err = 1;
		return;
	}
	build_be16(b, type & BUILD_ATTR_TYPE);
	build_be16(b, (uint16_t)len);
	buf_add(b, data, len);
}

size_t
ike_build_n(struct ike_build *bld, uint32_t doi, uint8_t proto,
	    const uint8_t *spi, uint8_t spisize, uint16_t type,
	    const void *data, size_t len)
{
	struct buf *b = &bld->b;
	size_t off;

	off = ike_build_begin(bld, IKE_PLD_N);
	build_be32(b, doi);
	buf_addc(b, (char)proto);
	buf_addc(b, (char)spisize);
	build_be16(b, type);
	buf_add(b, spi, spisize);
	buf_add(b, data, len);
	ike_build_end(bld, off);
	return off;
}

size_t
ike_build_d(struct ike_build *bld, uint8_t proto, const uint8_t *spis,
	    uint8_t spisize, uint16_t nspi)
{
	struct buf *b = &bld->b;
	size_t off;

	off = ike_build_begin(bld, IKE_PLD_D);
	build_be32(b, IKE_DOI_IPSEC);
	buf_addc(b, (char)proto);
	buf_addc(b, (char)spisize);
	build_be16(b, nspi);
	buf_add(b, spis, (size_t)spisize * nspi);
	ike_build_end(bld, off);
	return off;
}

size_t
ike_build_id(struct ike_build *bld, uint8_t type, uint8_t proto, uint16_t port,
	     const void *data, size_t len)
{
	struct buf *b = &bld->b;
	size_t off;

	off = ike_build_begin(bld, IKE_PLD_ID);
	buf_addc(b, (char)type);
	buf_addc(b, (char)proto);
	build_be16(b, port);
	buf_add(b, data, len);
	ike_build_end(bld, off);
	return off;
}

int
ike_build_finish(struct ike_build *bld)
{
	struct buf *b = &bld->b;

	if (b->err || b->len < IKE_HDR_LEN)
		return -1;
	b->data[BUILD_OFF_LEN] = (uint8_t)(b->len >> 24);
	b->data[BUILD_OFF_LEN + 1] = (uint8_t)(b->len >> 16);
	b->data[BUILD_OFF_LEN + 2] = (uint8_t)(b->len >> 8);
	b->data[BUILD_OFF_LEN + 3] = (uint8_t)b->len;
	return 0;
}
