/*
 * Quick mode (RFC 2409 5.5), under an established ISAKMP SA:
 *
 *	Initiator                              Responder
 *	HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] -->
 *	    <-- HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(LIFETIME)]
 *	HDR*, HASH(3)                          -->
 *
 * The responder finds the tunnel by the proxy IDs: the initiator's IDci
 * must be one of our remote networks and IDcr one of our local networks
 * of a tunnel with this peer, exactly.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"

#define PB IKE_PB

static void
quick_hdr(struct ike_xchg *x, struct ike_build *b)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, x->sa->icookie, IKE_COOKIE_LEN);
	memcpy(h.rcookie, x->sa->rcookie, IKE_COOKIE_LEN);
	h.version = IKE_VERSION;
	h.exch = IKE_EXCH_QUICK;
	h.flags = IKE_FLAG_ENC;
	h.msgid = x->msgid;
	ike_build_init(b, &h);
}

/* HASH placeholder first; its value is filled when the message is done. */
static size_t
quick_hash_slot(struct ike_xchg *x, struct ike_build *b)
{
	uint8_t zero[CRYPTO_HASH_MAX];

	memset(zero, 0, sizeof(zero));
	return ike_build_pld(b, IKE_PLD_HASH, zero, x->sa->keys.prflen);
}

static int
quick_nonce_ke(struct ike_xchg *x, struct ike_build *b, int group)
{
	uint8_t nonce[IKE_NONCE_LEN], pub[CRYPTO_DH_PUB_MAX];
	struct buf *n = x->initiator ? &x->ni : &x->nr;

	if (crypto_random(nonce, sizeof(nonce)) == -1)
		return -1;
	buf_add(n, nonce, sizeof(nonce));
	ike_build_pld(b, IKE_PLD_NONCE, nonce, sizeof(nonce));
	if (group == 0)
		return 0;
	if (x->dh == NULL && (x->dh = crypto_dh_new(group)) == NULL)
		return -1;
	if (crypto_dh_public(x->dh, pub, crypto_dh_publen(group)) == -1)
		return -1;
	ike_build_pld(b, IKE_PLD_KE, pub, crypto_dh_publen(group));
	return 0;
}

/* g(qm)^xy from the other side's KE (PFS). */
static int
quick_pfs(struct ike_xchg *x, const struct ike_msg *m)
{
	const struct ike_pld *ke = ike_wire_find(m, IKE_PLD_KE, 0);
	uint8_t s[CRYPTO_DH_SECRET_MAX];
	size_t len;

	/* Without PFS a KE is ignored: strongSwan sends one whenever any
	 * of its proposals has PFS, whichever is chosen. */
	if (x->pfs_group == 0)
		return 0;
	len = crypto_dh_secretlen(x->pfs_group);
	if (ke == NULL || x->dh == NULL ||
	    crypto_dh_derive(x->dh, ke->body, ke->len, s, len) == -1)
		return -1;
	buf_reset(&x->gqm);
	buf_add(&x->gqm, s, len);
	crypto_wipe(s, sizeof(s));
	return 0;
}

static void
quick_fail(struct ike_xchg *x, const char *why, uint16_t notify, int hash)
{
	struct ike_sa *sa = x->sa;
	struct log_sd sd[2];
	char ep[64];

	sa->ike->st.p2.failure++;
	sa->peer->p2.failure++;
	if (hash) {
		sa->ike->st.p2.hash_err++;
		sa->peer->p2.hash_err++;
		log_event(EV_IKE_HASH_ERR, "hash error in phase 2 with %s (%s)",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
			  sa->peer->conf->name);
	}
	log_sd_set(&sd[0], "peer", sa->peer->conf->name);
	log_sd_set(&sd[1], "phase", "2");
	log_event_sd(EV_IKE_FAIL, sd, 2, "phase 2 with %s (%s%s%s) failed: %s",
		     ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		     sa->peer->conf->name, x->child ? ", tunnel " : "",
		     x->child ? x->child->tun->conf->name : "", why);
	{
		struct engine_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = ENGINE_EV_NEG_FAIL;
		ev.peer = sa->peer->conf->name;
		ev.tunnel = x->child ? x->child->tun->conf->name : "";
		ev.peer_addr = sa->remote.addr;
		ev.phase = 2;
		ev.reason = why;
		ike_emit(sa->ike, &ev);
	}
	if (notify != 0)
		ike_info_notify(sa, notify, IKE_PROTO_ESP, NULL, 0, NULL, 0);
	if (x->child != NULL)
		ipsec_sa_state(x->child, IPSEC_SA_DEAD, why);
	x->child = NULL;
	ike_xchg_free(x);
}

/* --- initiator --- */

int
ike_quick_start(struct ike_tunnel *t, int pair, struct ike_sa *sa)
{
	const struct conf_ipsec_proposal *sp = t->conf->proposal;
	struct ike_xchg *x;
	struct ike_build b;
	struct buf sab;
	size_t hoff;
	char ep[64];

	if ((x = ike_xchg_new(sa, ike_xchg_msgid(sa), IKE_EXCH_QUICK, 1)) ==
	    NULL)
		return -1;
	if ((x->child = ipsec_sa_new(t, pair, 1)) == NULL) {
		ike_xchg_free(x);
		return -1;
	}
	x->pfs_group = sp->pfs_group;
	quick_hdr(x, &b);
	hoff = quick_hash_slot(x, &b);
	buf_init(&sab, IKE_MSG_MAX);
	ike_prop_p2_build(&sab, sp, x->child->spi_in,
			  sa->floated ? ike_p1_natt(sa) : 0, 1);
	ike_build_pld(&b, IKE_PLD_SA, sab.data, sab.len);
	buf_release(&sab);
	if (quick_nonce_ke(x, &b, x->pfs_group) == -1) {
		ike_build_release(&b);
		quick_fail(x, "key exchange failed", 0, 0);
		return -1;
	}
	ike_id_p2_build(&b, &x->child->local);
	ike_id_p2_build(&b, &x->child->remote);
	ike_xchg_hash_fill(x, &b, hoff, 0);
	log_event(EV_IKE_P2_BEGIN,
		  "Begin IKE phase 2 negotiation, destination "
		  "%s (tunnel %s)",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), t->conf->name);
	if (ike_xchg_send(x, &b, IKE_SEND_REPLY) == -1) {
		quick_fail(x, "cannot build message", 0, 0);
		return -1;
	}
	x->state = IKE_XCHG_QM_I_SENT;
	return 0;
}

static int
quick_ids_echoed(struct ike_xchg *x, const struct ike_msg *m)
{
	const struct ike_pld *p;
	struct ike_id_pld id;
	struct prefix pf;
	enum ike_drop why;
	int i;

	for (i = 0; i < 2; i++) {
		if ((p = ike_wire_find(m, IKE_PLD_ID, i)) == NULL)
			return i == 0 ? 0 : -1;
		if (ike_wire_id(p, &id, &why) == -1 ||
		    ike_id_p2_parse(&id, &pf) == -1 ||
		    !prefix_eq(&pf,
			       i == 0 ? &x->child->local : &x->child->remote))
			return -1;
	}
	return 0;
}

/* The lifetimes a list of SA attributes states (0 where it says none). */
static void
quick_lifetimes(const uint8_t *d, size_t left, uint32_t *secs, uint64_t *kb)
{
	struct ike_attr a;
	int type = 0;

	*secs = 0;
	*kb = 0;
	while (ike_wire_attr(&d, &left, &a) == 1)
		if (a.type == IPSEC_ATTR_LIFE_TYPE ||
		    a.type == IPSEC_ATTR_LIFE_DUR)
			ike_prop_life_attr(&a, IPSEC_ATTR_LIFE_TYPE, &type,
					   secs, kb);
}

/* RESPONDER-LIFETIME: the responder wants shorter lives; take them. */
static void
quick_responder_lifetime(struct ike_xchg *x, const struct ike_msg *m)
{
	const struct ike_pld *p;
	struct ike_n_pld n;
	enum ike_drop why;
	uint32_t secs;
	uint64_t kb;
	int i;

	for (i = 0; (p = ike_wire_find(m, IKE_PLD_N, i)) != NULL; i++) {
		if (ike_wire_n(p, &n, &why) == -1 ||
		    n.type != IKE_N_RESPONDER_LIFETIME)
			continue;
		quick_lifetimes(n.data, n.datalen, &secs, &kb);
		if (secs > 0 && secs < x->child->life_s)
			x->child->life_s = secs;
		if (kb > 0 &&
		    (x->child->life_kb == 0 || kb < x->child->life_kb))
			x->child->life_kb = kb;
		log_event(EV_IKE_LIFETIME,
			  "responder lifetime for %s: %us, "
			  "%llu kilobytes",
			  x->child->tun->conf->name, x->child->life_s,
			  (unsigned long long)x->child->life_kb);
	}
}

static int
quick_i2(struct ike_xchg *x, const struct ike_msg *m, const uint8_t *body,
	 size_t len)
{
	const struct conf_ipsec_proposal *sp = x->child->tun->conf->proposal;
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_SA, 0), *no;
	struct ike_sa_pld sap;
	struct ike_build b;
	enum ike_drop why;
	size_t hoff;
	char ep[64];

	if (ike_xchg_hash_check(x, m, body, len, 1) == -1) {
		quick_fail(x, "HASH(2) does not verify", 0, 1);
		return 0;
	}
	no = ike_wire_find(m, IKE_PLD_NONCE, 0);
	if (ike_wire_sa(p, &sap, &why) == -1 ||
	    ike_prop_p2_chosen(sp, &sap, x->sa->floated ? 1 : 0, x->child) ==
		-1 ||
	    ike_wire_nonce(no, &why) == -1) {
		quick_fail(x, "responder chose a transform we did not offer",
			   IKE_N_NO_PROPOSAL_CHOSEN, 0);
		return 0;
	}
	buf_add(&x->nr, no->body, no->len);
	if (quick_pfs(x, m) == -1 || quick_ids_echoed(x, m) == -1) {
		quick_fail(x, "bad KE or proxy IDs in the answer",
			   IKE_N_INVALID_ID_INFORMATION, 0);
		return 0;
	}
	quick_responder_lifetime(x, m);
	quick_hdr(x, &b);
	hoff = quick_hash_slot(x, &b);
	{
		uint8_t h[CRYPTO_HASH_MAX];
		struct ike_chunk parts[2] = {{x->ni.data, x->ni.len},
					     {x->nr.data, x->nr.len}};

		ike_keys_hash_p2(&x->sa->keys, 1, x->msgid, parts, 2, h);
		memcpy(b.b.data + hoff + IKE_GEN_LEN, h, x->sa->keys.prflen);
	}
	if (ike_xchg_send(x, &b, 0) == -1 ||
	    ipsec_sa_install(x->child, x) == -1) {
		quick_fail(x, "cannot install the SAs", 0, 0);
		return 0;
	}
	log_event(EV_IKE_P2_FINISH,
		  "Finish IKE phase 2 negotiation, "
		  "destination %s (tunnel %s)",
		  ike_ep_fmt(&x->sa->remote, ep, sizeof(ep)),
		  x->child->tun->conf->name);
	x->child = NULL;
	ike_xchg_done(x);
	return 0;
}

/* --- responder --- */

/* The tunnel and network pair the initiator's proxy IDs name. */
static struct ike_tunnel *
quick_tunnel(struct ike_sa *sa, const struct prefix *ci,
	     const struct prefix *cr, int *pair)
{
	struct ike_tunnel *t;
	int l, r;

	TAILQ_FOREACH(t, &sa->ike->tunnels, entry) {
		if (t->peer != sa->peer || t->conf->shutdown)
			continue;
		for (l = 0; l < t->conf->nlocal; l++)
			for (r = 0; r < t->conf->nremote; r++)
				if (prefix_eq(&t->conf->local[l], cr) &&
				    prefix_eq(&t->conf->remote[r], ci)) {
					*pair = l * t->conf->nremote + r;
					return t;
				}
	}
	return NULL;
}

static struct ike_tunnel *
quick_r1_ids(struct ike_xchg *x, const struct ike_msg *m, int *pair)
{
	const struct ike_pld *p;
	struct prefix pf[2];
	struct ike_id_pld id;
	struct ike_tunnel *t;
	enum ike_drop why;
	char a[PREFIX_STR_MAX], b[PREFIX_STR_MAX];
	int i;

	for (i = 0; i < 2; i++)
		if ((p = ike_wire_find(m, IKE_PLD_ID, i)) == NULL ||
		    ike_wire_id(p, &id, &why) == -1 ||
		    ike_id_p2_parse(&id, &pf[i]) == -1) {
			quick_fail(x, "missing or unsupported proxy IDs",
				   IKE_N_INVALID_ID_INFORMATION, 0);
			return NULL;
		}
	if ((t = quick_tunnel(x->sa, &pf[0], &pf[1], pair)) == NULL) {
		log_event(EV_IKE_ID_ERR,
			  "phase 2 with %s: no tunnel for "
			  "proxy IDs %s (theirs) === %s (ours)",
			  x->sa->peer->conf->name,
			  prefix_fmt(&pf[0], a, sizeof(a)),
			  prefix_fmt(&pf[1], b, sizeof(b)));
		quick_fail(x, "proxy IDs match no tunnel",
			   IKE_N_INVALID_ID_INFORMATION, 0);
		return NULL;
	}
	return t;
}

static void
quick_no_proposal(struct ike_xchg *x, const struct ike_tunnel *t,
		  const struct ike_sa_pld *sap)
{
	char ours[IKE_DESCR_MAX], theirs[IKE_DESCR_MAX];

	ike_prop_ours_p2(t->conf->proposal, ours, sizeof(ours));
	ike_prop_p2_describe(sap, theirs, sizeof(theirs));
	log_event(EV_IKE_NO_PROPOSAL,
		  "phase 2 proposal mismatch with %s "
		  "(tunnel %s): ours: %s; peer's: %s",
		  x->sa->peer->conf->name, t->conf->name, ours, theirs);
	quick_fail(x, "no proposal chosen", IKE_N_NO_PROPOSAL_CHOSEN, 0);
}

static int
quick_r1_reply(struct ike_xchg *x, const struct ike_choice *ch,
	       uint32_t peer_life_s)
{
	uint8_t spi[4] = {(uint8_t)(x->child->spi_in >> 24),
			  (uint8_t)(x->child->spi_in >> 16),
			  (uint8_t)(x->child->spi_in >> 8),
			  (uint8_t)x->child->spi_in};
	struct ike_build b;
	struct buf sab, life;
	size_t hoff;

	quick_hdr(x, &b);
	hoff = quick_hash_slot(x, &b);
	buf_init(&sab, IKE_MSG_MAX);
	ike_prop_reply(&sab, ch, spi, sizeof(spi));
	ike_build_pld(&b, IKE_PLD_SA, sab.data, sab.len);
	buf_release(&sab);
	if (quick_nonce_ke(x, &b, x->pfs_group) == -1) {
		ike_build_release(&b);
		return -1;
	}
	ike_id_p2_build(&b, &x->child->remote);
	ike_id_p2_build(&b, &x->child->local);
	if (x->child->life_s < peer_life_s) {
		buf_init(&life, 64);
		ike_build_attr(&life, IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		ike_build_attr(&life, IPSEC_ATTR_LIFE_DUR, x->child->life_s);
		ike_build_n(&b, IKE_DOI_IPSEC, IKE_PROTO_ESP, spi, 4,
			    IKE_N_RESPONDER_LIFETIME, life.data, life.len);
		buf_release(&life);
	}
	ike_xchg_hash_fill(x, &b, hoff, 1);
	return ike_xchg_send(x, &b, IKE_SEND_REPLY);
}

/* The initiator's offered lifetime, before we shortened it. */
static uint32_t
quick_offered_life(const struct ike_choice *ch)
{
	uint32_t secs;
	uint64_t kb;

	quick_lifetimes(ch->attrs, ch->attrslen, &secs, &kb);
	return secs != 0 ? secs : 28800; /* RFC 2407 default */
}

static int
quick_r1(struct ike_xchg *x, const struct ike_msg *m, const uint8_t *body,
	 size_t len)
{
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_SA, 0), *no;
	struct ike_sa_pld sap;
	struct ike_choice ch;
	struct ike_tunnel *t;
	enum ike_drop why;
	char ep[64];
	int pair;

	if (ike_xchg_hash_check(x, m, body, len, 0) == -1) {
		quick_fail(x, "HASH(1) does not verify",
			   IKE_N_INVALID_HASH_INFORMATION, 1);
		return 0;
	}
	no = ike_wire_find(m, IKE_PLD_NONCE, 0);
	if (ike_wire_sa(p, &sap, &why) == -1 ||
	    ike_wire_nonce(no, &why) == -1) {
		quick_fail(x, "malformed SA or nonce", IKE_N_PAYLOAD_MALFORMED,
			   0);
		return 0;
	}
	buf_add(&x->ni, no->body, no->len);
	if ((t = quick_r1_ids(x, m, &pair)) == NULL)
		return 0;
	log_event(EV_IKE_P2_BEGIN,
		  "Begin IKE phase 2 negotiation as "
		  "responder, peer %s (tunnel %s)",
		  ike_ep_fmt(&x->sa->remote, ep, sizeof(ep)), t->conf->name);
	if ((x->child = ipsec_sa_new(t, pair, 0)) == NULL) {
		quick_fail(x, "out of SPIs or memory", 0, 0);
		return 0;
	}
	if (ike_prop_p2_select(t->conf->proposal, &sap, x->sa->floated,
			       x->child, &ch) == -1) {
		quick_no_proposal(x, t, &sap);
		return 0;
	}
	x->pfs_group = x->child->pfs_group;
	if (x->pfs_group != 0 &&
	    (x->dh = crypto_dh_new(x->pfs_group)) == NULL) {
		quick_fail(x, "key exchange failed", 0, 0);
		return 0;
	}
	if (quick_pfs(x, m) == -1) {
		quick_fail(x, "PFS key exchange missing or bad",
			   IKE_N_INVALID_KEY_INFORMATION, 0);
		return 0;
	}
	if (quick_r1_reply(x, &ch, quick_offered_life(&ch)) == -1) {
		quick_fail(x, "cannot build message", 0, 0);
		return 0;
	}
	x->state = IKE_XCHG_QM_R_SENT;
	return 0;
}

static int
quick_r2(struct ike_xchg *x, const struct ike_msg *m)
{
	const struct ike_pld *h = &m->pld[0];
	struct ike_chunk parts[2] = {{x->ni.data, x->ni.len},
				     {x->nr.data, x->nr.len}};
	uint8_t want[CRYPTO_HASH_MAX];
	char ep[64];

	if (m->npld != 1 || h->type != IKE_PLD_HASH ||
	    h->len != x->sa->keys.prflen ||
	    ike_keys_hash_p2(&x->sa->keys, 1, x->msgid, parts, 2, want) == -1 ||
	    !crypto_memeq(want, h->body, h->len)) {
		quick_fail(x, "HASH(3) does not verify", 0, 1);
		return 0;
	}
	ev_timer_stop(x->timer);
	if (ipsec_sa_install(x->child, x) == -1) {
		quick_fail(x, "cannot install the SAs", 0, 0);
		return 0;
	}
	log_event(EV_IKE_P2_FINISH,
		  "Finish IKE phase 2 negotiation, "
		  "destination %s (tunnel %s)",
		  ike_ep_fmt(&x->sa->remote, ep, sizeof(ep)),
		  x->child->tun->conf->name);
	x->child = NULL;
	ike_xchg_done(x);
	return 0;
}

/* --- dispatch --- */

static int
quick_step(struct ike_xchg *x, const struct ike_msg *m, const uint8_t *body,
	   size_t len)
{
	if (x->state == IKE_XCHG_QM_I_SENT && x->initiator) {
		if (ike_p1_payloads(
			x->sa, m,
			PB(IKE_PLD_HASH) | PB(IKE_PLD_SA) | PB(IKE_PLD_NONCE),
			PB(IKE_PLD_KE) | PB(IKE_PLD_ID) | PB(IKE_PLD_N),
			"quick mode message 2") == -1)
			return -1;
		return quick_i2(x, m, body, len);
	}
	if (x->state == IKE_XCHG_QM_R_SENT && !x->initiator)
		return quick_r2(x, m);
	if (x->state == IKE_XCHG_NEW && !x->initiator) {
		if (ike_p1_payloads(x->sa, m,
				    PB(IKE_PLD_HASH) | PB(IKE_PLD_SA) |
					PB(IKE_PLD_NONCE),
				    PB(IKE_PLD_KE) | PB(IKE_PLD_ID),
				    "quick mode message 1") == -1)
			return -1;
		return quick_r1(x, m, body, len);
	}
	ike_drop(x->sa->ike, IKE_DROP_STATE, &x->sa->remote,
		 "quick mode message not expected now");
	return -1;
}

void
ike_quick_input(struct ike_sa *sa, const struct ike_hdr *h, uint8_t *p,
		size_t n, const uint8_t *digest)
{
	uint8_t plain[IKE_MSG_MAX], next_iv[CRYPTO_BLOCK_MAX];
	uint8_t saved[CRYPTO_BLOCK_MAX];
	struct ike_xchg *x;
	struct ike_msg msg;
	enum ike_drop why;
	size_t dl = crypto_hash_len(CRYPTO_SHA1), len = n - IKE_HDR_LEN;
	int fresh = 0;

	if ((x = ike_xchg_find(sa, h->msgid)) != NULL &&
	    ike_recv_dup(sa->ike, &x->dup, x->last_in, &x->last_out, digest,
			 &sa->local, &sa->remote))
		return;
	if (x == NULL) {
		if ((x = ike_xchg_new(sa, h->msgid, IKE_EXCH_QUICK, 0)) ==
		    NULL) {
			ike_drop(sa->ike, IKE_DROP_RATE, &sa->remote,
				 "too many exchanges");
			return;
		}
		fresh = 1;
	}
	memset(&msg, 0, sizeof(msg));
	msg.hdr = *h;
	if (ike_crypt_decrypt(sa, x->iv, p + IKE_HDR_LEN, len, plain,
			      next_iv) == -1 ||
	    ike_wire_chain(h->next, plain, len, 1, &msg, &why) == -1) {
		ike_drop(sa->ike, IKE_DROP_DECRYPT, &sa->remote, "quick mode");
		if (fresh)
			ike_xchg_free(x);
		return;
	}
	memcpy(saved, x->iv, sizeof(saved));
	memcpy(x->iv, next_iv, sizeof(next_iv));
	memcpy(x->last_in, digest, dl);
	x->dup.answered = 0;
	if (quick_step(x, &msg, plain, len) == -1) {
		if (fresh)
			ike_xchg_free(x);
		else
			memcpy(x->iv, saved, sizeof(saved));
	}
	crypto_wipe(plain, len);
}
