/*
 * Fuzz target: the ISAKMP parser.  Whatever the bytes, the header, the
 * payload chain (as plain and as decrypted-with-padding) and every payload
 * parser must refuse cleanly or hand back views that stay inside the
 * input; what parses must rebuild byte for byte with the builder, or the
 * parser accepted something it does not understand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t *fuzz_lo, *fuzz_hi;

/* A view must lie inside the input (an empty one may be NULL). */
static void
fuzz_inside(const uint8_t *p, size_t len)
{
	if (len == 0)
		return;
	if (p == NULL || p < fuzz_lo || p > fuzz_hi ||
	    len > (size_t)(fuzz_hi - p))
		abort();
}

static void
fuzz_attrs(const struct ike_xform *xf, struct buf *out)
{
	const uint8_t *p = xf->attrs;
	size_t left = xf->attrslen;
	struct ike_attr a;
	int rv;

	fuzz_inside(xf->attrs, xf->attrslen);
	while ((rv = ike_wire_attr(&p, &left, &a)) == 1)
		fuzz_inside(a.data, a.len);
	if (rv != 0)
		abort(); /* ike_wire_sa() said they were valid */
	buf_add(out, xf->attrs, xf->attrslen);
}

/* Rebuild an SA body from its parse: it must be the same bytes. */
static void
fuzz_sa(const struct ike_pld *pld)
{
	const struct ike_prop *pr;
	struct ike_sa_pld sa;
	struct buf b;
	uint8_t fixed[4 + IKE_SPI_MAX], doisit[8];
	size_t poff, toff;
	int i, j;

	if (ike_wire_sa(pld, &sa, NULL) == -1)
		return;
	buf_init(&b, IKE_MSG_MAX);
	memcpy(doisit, pld->body, sizeof(doisit));
	buf_add(&b, doisit, sizeof(doisit));
	for (i = 0; i < sa.nprop; i++) {
		pr = &sa.prop[i];
		fixed[0] = pr->num;
		fixed[1] = pr->proto;
		fixed[2] = pr->spisize;
		fixed[3] = (uint8_t)pr->nxform;
		memcpy(fixed + 4, pr->spi, pr->spisize);
		poff = ike_build_sub_begin(&b, i + 1 < sa.nprop ? IKE_PLD_P : 0,
					   fixed, 4u + pr->spisize);
		for (j = 0; j < pr->nxform; j++) {
			uint8_t x[4] = {pr->xform[j].num, pr->xform[j].id, 0,
					0};

			toff = ike_build_sub_begin(
			    &b, j + 1 < pr->nxform ? IKE_PLD_T : 0, x, 4);
			fuzz_attrs(&pr->xform[j], &b);
			ike_build_sub_end(&b, toff);
		}
		ike_build_sub_end(&b, poff);
	}
	if (b.err || b.len != pld->len || memcmp(b.data, pld->body, b.len))
		abort();
	buf_release(&b);
}

static void
fuzz_payload(const struct ike_pld *pld)
{
	struct ike_id_pld id;
	struct ike_n_pld n;
	struct ike_d_pld d;

	fuzz_inside(pld->body, pld->len);
	if (ike_wire_pld_name(pld->type) == NULL)
		abort();
	switch (pld->type) {
	case IKE_PLD_SA:
		fuzz_sa(pld);
		break;
	case IKE_PLD_ID:
		if (ike_wire_id(pld, &id, NULL) == 0)
			fuzz_inside(id.data, id.len);
		break;
	case IKE_PLD_N:
		if (ike_wire_n(pld, &n, NULL) == 0) {
			fuzz_inside(n.spi, n.spisize);
			fuzz_inside(n.data, n.datalen);
			if (ike_wire_notify_name(n.type) == NULL)
				abort();
		}
		break;
	case IKE_PLD_D:
		if (ike_wire_d(pld, &d, NULL) == 0)
			fuzz_inside(d.spis, (size_t)d.nspi * d.spisize);
		break;
	case IKE_PLD_NONCE:
		if (ike_wire_nonce(pld, NULL) == -1)
			abort(); /* the chain checked its size */
		break;
	default:
		break;
	}
}

/* Header and payloads rebuilt with the builder equal the datagram. */
static void
fuzz_rebuild(const uint8_t *data, size_t size, const struct ike_msg *msg)
{
	struct ike_build bld;
	int i;

	ike_build_init(&bld, &msg->hdr);
	for (i = 0; i < msg->npld; i++)
		ike_build_pld(&bld, msg->pld[i].type, msg->pld[i].body,
			      msg->pld[i].len);
	if (ike_build_finish(&bld) == -1 || bld.b.len != size ||
	    memcmp(bld.b.data, data, size) != 0)
		abort();
	ike_build_release(&bld);
}

static int
fuzz_chain(uint8_t first, const uint8_t *p, size_t len, int enc,
	   struct ike_msg *msg)
{
	enum ike_drop why;
	int i;

	if (ike_wire_chain(first, p, len, enc, msg, &why) == -1) {
		if (why == IKE_DROP_NONE || why >= IKE_DROP_COUNT ||
		    msg->npld != 0)
			abort();
		return -1;
	}
	if (msg->npld > IKE_PLD_MAX || (!enc && msg->padding != 0))
		abort();
	for (i = 0; i < msg->npld; i++)
		fuzz_payload(&msg->pld[i]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_msg msg;
	enum ike_drop why;

	fuzz_lo = data;
	fuzz_hi = data + size;
	if (ike_wire_hdr(data, size, &msg.hdr, &why) == -1) {
		if (why == IKE_DROP_NONE || why >= IKE_DROP_COUNT)
			abort();
		/* still exercise the chain: a first type, then a body */
		if (size > 0)
			fuzz_chain(data[0], data + 1, size - 1, 1, &msg);
		return 0;
	}
	fuzz_chain(msg.hdr.next, data + IKE_HDR_LEN, size - IKE_HDR_LEN, 1,
		   &msg);
	if (fuzz_chain(msg.hdr.next, data + IKE_HDR_LEN, size - IKE_HDR_LEN, 0,
		       &msg) == 0)
		fuzz_rebuild(data, size, &msg);
	return 0;
}
