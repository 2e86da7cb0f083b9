/*
 * What main mode and aggressive mode share: the key exchange and nonces,
 * the keys, NAT detection (RFC 3947), vendor IDs, the authenticating
 * hashes and the identities.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "str.h"

/* Vendor IDs we send and recognise. */
static const uint8_t vid_rfc3947[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03,
					0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2,
					0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
				    0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
				    0x77, 0x57, 0x01, 0x00};
static const uint8_t vid_drafts[][16] = {
    /* draft-ietf-ipsec-nat-t-ike-02, -02\n, -03 */
    {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc,
     0x68, 0xb6, 0xa4, 0x48},
    {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5,
     0xec, 0x42, 0x7b, 0x1f},
    {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92,
     0x15, 0x52, 0x9d, 0x56},
};

#define IKE_P1_NVID_DRAFTS (sizeof(vid_drafts) / sizeof(vid_drafts[0]))

void
ike_p1_vids_build(struct ike_build *b)
{
	ike_build_pld(b, IKE_PLD_VID, vid_rfc3947, sizeof(vid_rfc3947));
	ike_build_pld(b, IKE_PLD_VID, vid_drafts[1], sizeof(vid_drafts[1]));
	ike_build_pld(b, IKE_PLD_VID, vid_dpd, sizeof(vid_dpd));
}

void
ike_p1_vids_take(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld *v;
	size_t i;
	int n;

	for (n = 0; (v = ike_wire_find(m, IKE_PLD_VID, n)) != NULL; n++) {
		if (v->len != 16)
			continue;
		if (memcmp(v->body, vid_rfc3947, 16) == 0)
			sa->natt_vid = 1;
		else if (memcmp(v->body, vid_dpd, 16) == 0)
			sa->dpd_vid = 1;
		for (i = 0; i < IKE_P1_NVID_DRAFTS; i++)
			if (memcmp(v->body, vid_drafts[i], 16) == 0)
				sa->natt_draft = 1;
	}
}

/* NAT-T in use with this peer, and in which encoding: 0, 1 RFC, 2 draft. */
int
ike_p1_natt(const struct ike_sa *sa)
{
	if (sa->peer == NULL || sa->peer->conf->natt == CONF_NATT_OFF)
		return 0;
	if (sa->natt_vid)
		return 1;
	return sa->natt_draft ? 2 : 0;
}

/* --- key exchange and nonces --- */

int
ike_p1_ke_nonce(struct ike_sa *sa, struct ike_build *b)
{
	uint8_t pub[CRYPTO_DH_PUB_MAX], nonce[IKE_NONCE_LEN];
	size_t publen = crypto_dh_publen(sa->xf.group);
	struct buf *gx = sa->initiator ? &sa->gxi : &sa->gxr;
	struct buf *n = sa->initiator ? &sa->ni : &sa->nr;

	if ((sa->dh = crypto_dh_new(sa->xf.group)) == NULL ||
	    crypto_dh_public(sa->dh, pub, publen) == -1 ||
	    crypto_random(nonce, sizeof(nonce)) == -1)
		return -1;
	buf_reset(gx);
	buf_reset(n);
	buf_add(gx, pub, publen);
	buf_add(n, nonce, sizeof(nonce));
	ike_build_pld(b, IKE_PLD_KE, pub, publen);
	ike_build_pld(b, IKE_PLD_NONCE, nonce, sizeof(nonce));
	return 0;
}

/* The other side's KE and nonce; the KE length must fit the group. */
int
ike_p1_take_ke_nonce(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld *ke = ike_wire_find(m, IKE_PLD_KE, 0);
	const struct ike_pld *no = ike_wire_find(m, IKE_PLD_NONCE, 0);
	struct buf *gx = sa->initiator ? &sa->gxr : &sa->gxi;
	struct buf *n = sa->initiator ? &sa->nr : &sa->ni;
	enum ike_drop why;

	if (ke == NULL || no == NULL || ike_wire_nonce(no, &why) == -1 ||
	    ke->len != crypto_dh_publen(sa->xf.group))
		return -1;
	buf_reset(gx);
	buf_reset(n);
	buf_add(gx, ke->body, ke->len);
	buf_add(n, no->body, no->len);
	return 0;
}

int
ike_p1_keys(struct ike_sa *sa)
{
	uint8_t gxy[CRYPTO_DH_SECRET_MAX];
	size_t glen = crypto_dh_secretlen(sa->xf.group);
	const struct conf_ike_peer *c = sa->peer->conf;
	const struct buf *peer_gx = sa->initiator ? &sa->gxr : &sa->gxi;
	int rv = -1;

	if (crypto_dh_derive(sa->dh, peer_gx->data, peer_gx->len, gxy, glen) ==
	    -1)
		goto done;
	if (ike_keys_derive(
		&sa->keys, sa->xf.hash, sa->xf.cipher, sa->xf.keylen,
		(struct ike_chunk){(const uint8_t *)c->psk, c->psk_len},
		(struct ike_chunk){sa->ni.data, sa->ni.len},
		(struct ike_chunk){sa->nr.data, sa->nr.len},
		(struct ike_chunk){gxy, glen}, sa->icookie, sa->rcookie,
		(struct ike_chunk){sa->gxi.data, sa->gxi.len},
		(struct ike_chunk){sa->gxr.data, sa->gxr.len}) == -1)
		goto done;
	memcpy(sa->iv, sa->keys.iv, sa->keys.ivlen);
	sa->have_keys = 1;
	rv = 0;
done:
	crypto_wipe(gxy, sizeof(gxy));
	crypto_dh_free(sa->dh);
	sa->dh = NULL;
	return rv;
}

/* --- NAT detection --- */

static int
ike_p1_natd_hash(const struct ike_sa *sa, const struct ike_ep *ep, uint8_t *out)
{
	uint8_t port[2] = {(uint8_t)(ep->port >> 8), (uint8_t)ep->port};
	struct iovec iov[4] = {
	    {(void *)(uintptr_t)sa->icookie, IKE_COOKIE_LEN},
	    {(void *)(uintptr_t)sa->rcookie, IKE_COOKIE_LEN},
	    {(void *)(uintptr_t)ep->addr.bytes, addr_len(&ep->addr)},
	    {port, sizeof(port)},
	};

	return crypto_digest(sa->xf.hash, iov, 4, out);
}

/*
 * NAT-D: the hash of where we send to, then of where we send from.  With
 * "nat-traversal force" the second is random, so the peer sees a NAT and
 * both sides encapsulate (what strongSwan's userspace ESP needs anyway).
 */
void
ike_p1_natd_build(struct ike_sa *sa, struct ike_build *b)
{
	uint8_t h[CRYPTO_HASH_MAX];
	size_t len = crypto_hash_len(sa->xf.hash);
	uint8_t type =
	    ike_p1_natt(sa) == 2 ? IKE_PLD_NAT_D_DRAFT : IKE_PLD_NAT_D;

	if (ike_p1_natt(sa) == 0)
		return;
	ike_p1_natd_hash(sa, &sa->remote, h);
	ike_build_pld(b, type, h, len);
	if (sa->peer->conf->natt == CONF_NATT_FORCE)
		crypto_random(h, len);
	else
		ike_p1_natd_hash(sa, &sa->local, h);
	ike_build_pld(b, type, h, len);
}

int
ike_p1_natd_check(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t h[CRYPTO_HASH_MAX];
	size_t len = crypto_hash_len(sa->xf.hash);
	uint8_t type =
	    ike_p1_natt(sa) == 2 ? IKE_PLD_NAT_D_DRAFT : IKE_PLD_NAT_D;
	const struct ike_pld *d;
	int n, match_remote = 0;

	if (ike_p1_natt(sa) == 0)
		return 0;
	if ((d = ike_wire_find(m, type, 0)) == NULL)
		return 0; /* NAT-T announced but not used: no NAT */
	ike_p1_natd_hash(sa, &sa->local, h);
	sa->nat_local = d->len != len || memcmp(d->body, h, len) != 0;
	ike_p1_natd_hash(sa, &sa->remote, h);
	for (n = 1; (d = ike_wire_find(m, type, n)) != NULL; n++)
		if (d->len == len && memcmp(d->body, h, len) == 0)
			match_remote = 1;
	sa->nat_remote = !match_remote;
	return 0;
}

/* Move IKE to port 4500 when a NAT is in the way (or forced). */
void
ike_p1_float(struct ike_sa *sa)
{
	char ep[64];

	if (ike_p1_natt(sa) == 0 || sa->floated ||
	    (!sa->nat_local && !sa->nat_remote &&
	     sa->peer->conf->natt != CONF_NATT_FORCE))
		return;
	sa->floated = 1;
	sa->local.port = IKE_NATT_PORT;
	sa->remote.port = IKE_NATT_PORT;
	log_event(EV_IKE_NAT,
		  "NAT detected with %s (%s side%s): IKE and ESP "
		  "move to UDP 4500",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  sa->nat_local	   ? "local"
		  : sa->nat_remote ? "remote"
				   : "forced",
		  sa->nat_local && sa->nat_remote ? " and remote" : "");
}

/* --- authentication --- */

int
ike_p1_hash(struct ike_sa *sa, int of_initiator, uint8_t *out)
{
	if (of_initiator)
		return ike_keys_hash_p1(
		    &sa->keys, (struct ike_chunk){sa->gxi.data, sa->gxi.len},
		    (struct ike_chunk){sa->gxr.data, sa->gxr.len}, sa->icookie,
		    sa->rcookie,
		    (struct ike_chunk){sa->sai_b.data, sa->sai_b.len},
		    (struct ike_chunk){sa->idi_b.data, sa->idi_b.len}, out);
	return ike_keys_hash_p1(
	    &sa->keys, (struct ike_chunk){sa->gxr.data, sa->gxr.len},
	    (struct ike_chunk){sa->gxi.data, sa->gxi.len}, sa->rcookie,
	    sa->icookie, (struct ike_chunk){sa->sai_b.data, sa->sai_b.len},
	    (struct ike_chunk){sa->idr_b.data, sa->idr_b.len}, out);
}

/* A failed authentication: almost always a pre-shared key mismatch. */
void
ike_p1_hash_error(struct ike_sa *sa, const char *what)
{
	char ep[64], why[128];

	sa->ike->st.p1.hash_err++;
	if (sa->peer != NULL)
		sa->peer->p1.hash_err++;
	log_event(EV_IKE_HASH_ERR,
		  "hash error in phase 1 with %s (%s): %s; "
		  "check the pre-shared key on both sides",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  sa->peer != NULL ? sa->peer->conf->name : "-", what);
	snprintf(why, sizeof(why), "hash error: %s", what);
	ike_sa_fail(sa, why, IKE_N_INVALID_HASH_INFORMATION);
}

/* Check the peer's HASH_I (we respond) or HASH_R (we initiate). */
int
ike_p1_verify(struct ike_sa *sa, const struct ike_msg *m, int of_initiator)
{
	const struct ike_pld *h = ike_wire_find(m, IKE_PLD_HASH, 0);
	uint8_t want[CRYPTO_HASH_MAX];

	if (h == NULL || h->len != sa->keys.prflen ||
	    ike_p1_hash(sa, of_initiator, want) == -1 ||
	    !crypto_memeq(want, h->body, h->len)) {
		ike_p1_hash_error(sa, of_initiator ? "HASH_I does not verify"
						   : "HASH_R does not verify");
		return -1;
	}
	return 0;
}

/*
 * The peer's identity: keep the payload body for the hash, and check it
 * against what the configuration expects.
 */
int
ike_p1_take_id(struct ike_sa *sa, const struct ike_msg *m, int of_initiator)
{
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_ID, 0);
	struct buf *b = of_initiator ? &sa->idi_b : &sa->idr_b;
	char got[IKE_ID_MAX], want_s[IKE_ID_MAX], ep[64];
	struct conf_id want;
	struct ike_id_pld id;
	enum ike_drop why;

	if (p == NULL || ike_wire_id(p, &id, &why) == -1 ||
	    ike_id_p1_parse(&id, &sa->remote_id) == -1) {
		ike_sa_fail(sa, "unusable ID payload",
			    IKE_N_INVALID_ID_INFORMATION);
		return -1;
	}
	buf_reset(b);
	buf_add(b, p->body, p->len);
	if (sa->peer == NULL)
		return 0; /* aggressive responder: identify first */
	ike_id_remote_expected(sa, &want);
	if (!ike_id_p1_match(&want, &sa->remote_id)) {
		log_event(EV_IKE_ID_ERR,
			  "peer %s (%s) presented identity %s, "
			  "expected %s",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
			  sa->peer->conf->name,
			  ike_id_fmt(&sa->remote_id, got, sizeof(got)),
			  ike_id_fmt(&want, want_s, sizeof(want_s)));
		ike_sa_fail(sa, "identity mismatch",
			    IKE_N_INVALID_ID_INFORMATION);
		return -1;
	}
	return 0;
}

/* A main-mode responder finds its peer by the initiator's address. */
struct ike_peer *
ike_p1_peer_by_addr(struct ike *ike, const struct ike_ep *remote, int aggr)
{
	struct ike_peer *p;

	TAILQ_FOREACH(p, &ike->peers, entry)
		if (!p->conf->any && addr_eq(&p->conf->addr, &remote->addr) &&
		    (p->conf->mode == CONF_MODE_AGGRESSIVE) == aggr)
			return p;
	return NULL;
}

/* A proposal mismatch: our list and theirs, for the operator. */
void
ike_p1_no_proposal(struct ike_sa *sa, const struct ike_sa_pld *theirs)
{
	char ours[IKE_DESCR_MAX], peer[IKE_DESCR_MAX], ep[64];

	ike_prop_ours_p1(sa->peer->conf, ours, sizeof(ours));
	ike_prop_p1_describe(theirs, peer, sizeof(peer));
	log_event(EV_IKE_NO_PROPOSAL,
		  "phase 1 proposal mismatch with %s "
		  "(%s): ours: %s; peer's: %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), sa->peer->conf->name,
		  ours, peer);
	ike_sa_fail(sa, "no proposal chosen", IKE_N_NO_PROPOSAL_CHOSEN);
}

/*
 * Accept only what this step expects: every payload type in "allow",
 * each of "need" present.  A message that breaks this is dropped and
 * counted, and the negotiation waits for a good one (or times out).
 */
int
ike_p1_payloads(struct ike_sa *sa, const struct ike_msg *m, uint32_t need,
		uint32_t allow, const char *step)
{
	uint32_t seen = 0;
	int i;

	for (i = 0; i < m->npld; i++) {
		uint32_t bit = IKE_PB(m->pld[i].type);

		if (!(bit & (allow | need))) {
			ike_drop(sa->ike, IKE_DROP_UNEXPECTED, &sa->remote,
				 step);
			return -1;
		}
		seen |= bit;
	}
	if ((seen & need) != need) {
		ike_drop(sa->ike, IKE_DROP_MISSING, &sa->remote, step);
		return -1;
	}
	return 0;
}

/* Run the step that expects this message in the SA's state and role. */
int
ike_p1_run(struct ike_sa *sa, const struct ike_msg *m,
	   const struct ike_step *steps, size_t n)
{
	const struct ike_step *st = NULL;
	int enc = !!(m->hdr.flags & IKE_FLAG_ENC), other = 0;
	size_t i;

	for (i = 0; i < n && st == NULL; i++) {
		if (steps[i].state != sa->state ||
		    steps[i].initiator != sa->initiator)
			continue;
		if (steps[i].encrypted == enc)
			st = &steps[i];
		else
			other = 1;
	}
	if (st == NULL) {
		ike_drop(sa->ike, other ? IKE_DROP_UNEXPECTED : IKE_DROP_STATE,
			 &sa->remote,
			 other ? "encryption flag does not fit the "
				 "step"
			       : "phase 1 message not expected now");
		return -1;
	}
	if (ike_p1_notified(sa, m))
		return 0;
	if (ike_p1_payloads(sa, m, st->need, st->allow, st->name) == -1)
		return -1;
	return st->fn(sa, m);
}

void
ike_p1_hdr(const struct ike_sa *sa, struct ike_build *b, int encrypted)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, sa->icookie, IKE_COOKIE_LEN);
	memcpy(h.rcookie, sa->rcookie, IKE_COOKIE_LEN);
	h.version = IKE_VERSION;
	h.exch = sa->exch;
	h.flags = encrypted ? IKE_FLAG_ENC : 0;
	ike_build_init(b, &h);
}

/*
 * An error notification inside a phase-1 message ends the negotiation;
 * INITIAL-CONTACT is noted.  Returns 1 when the SA failed.
 */
int
ike_p1_notified(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld *p;
	struct ike_n_pld n;
	enum ike_drop why;
	char msg[96], ep[64];
	int i;

	for (i = 0; (p = ike_wire_find(m, IKE_PLD_N, i)) != NULL; i++) {
		if (ike_wire_n(p, &n, &why) == -1)
			continue;
		sa->ike->st.notify_rx++;
		if (n.type == IKE_N_INITIAL_CONTACT) {
			sa->initial_contact_rcvd = 1;
			continue;
		}
		log_event(EV_IKE_NOTIFY_RX,
			  "Receive notification data from "
			  "%s: %s (%u)",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
			  ike_wire_notify_name(n.type), n.type);
		if (n.type < IKE_N_CONNECTED) {
			snprintf(msg, sizeof(msg), "peer sent %s",
				 ike_wire_notify_name(n.type));
			ike_sa_fail(sa, msg, 0);
			return 1;
		}
	}
	return 0;
}

/* INITIAL-CONTACT when this is our only SA with the peer. */
void
ike_p1_initial_contact(struct ike_sa *sa, struct ike_build *b)
{
	const struct ike_sa *o;
	uint8_t spi[2 * IKE_COOKIE_LEN];

	if (!sa->peer->conf->initial_contact)
		return;
	TAILQ_FOREACH(o, &sa->ike->sas, entry)
		if (o != sa && o->peer == sa->peer &&
		    o->state == IKE_SA_ESTABLISHED)
			return;
	memcpy(spi, sa->icookie, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->rcookie, IKE_COOKIE_LEN);
	ike_build_n(b, IKE_DOI_IPSEC, IKE_PROTO_ISAKMP, spi, sizeof(spi),
		    IKE_N_INITIAL_CONTACT, NULL, 0);
	sa->ike->st.notify_tx++;
}

/* The SA payload of a phase-1 message, validated. */
int
ike_p1_sa_pld(struct ike_sa *sa, const struct ike_msg *m,
	      struct ike_sa_pld *out)
{
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_SA, 0);
	enum ike_drop why;

	if (p == NULL || ike_wire_sa(p, out, &why) == -1) {
		ike_drop(sa->ike, p == NULL ? IKE_DROP_MISSING : why,
			 &sa->remote, "phase 1 SA payload");
		return -1;
	}
	if (out->doi != IKE_DOI_IPSEC ||
	    out->situation != IKE_SIT_IDENTITY_ONLY) {
		ike_sa_fail(sa, "unsupported DOI or situation",
			    out->doi != IKE_DOI_IPSEC
				? IKE_N_DOI_NOT_SUPPORTED
				: IKE_N_SITUATION_NOT_SUPPORTED);
		return -1;
	}
	return 0;
}
