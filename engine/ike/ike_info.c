/*
 * Informational exchanges: notifications and deletes, sent and received,
 * and dead-peer detection (RFC 3706).  Under an established ISAKMP SA
 * they are encrypted and start with HASH(1) = prf(SKEYID_a, M-ID | rest);
 * before it, an error can only be said in the clear.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "str.h"

#define PB IKE_PB

static void
info_hdr(struct ike_build *b, const uint8_t *ic, const uint8_t *rc,
	 uint32_t msgid, int encrypted)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, ic, IKE_COOKIE_LEN);
	memcpy(h.rcookie, rc, IKE_COOKIE_LEN);
	h.version = IKE_VERSION;
	h.exch = IKE_EXCH_INFO;
	h.flags = encrypted ? IKE_FLAG_ENC : 0;
	h.msgid = msgid;
	ike_build_init(b, &h);
}

/* Begin an encrypted informational: header and the HASH placeholder. */
static size_t
info_begin(struct ike_sa *sa, struct ike_build *b, uint32_t *msgid)
{
	uint8_t zero[CRYPTO_HASH_MAX];

	memset(zero, 0, sizeof(zero));
	*msgid = ike_xchg_msgid(sa);
	info_hdr(b, sa->icookie, sa->rcookie, *msgid, 1);
	return ike_build_pld(b, IKE_PLD_HASH, zero, sa->keys.prflen);
}

static void
info_send(struct ike_sa *sa, struct ike_build *b, size_t hoff, uint32_t msgid)
{
	size_t after = hoff + IKE_GEN_LEN + sa->keys.prflen;
	uint8_t iv[CRYPTO_BLOCK_MAX], h[CRYPTO_HASH_MAX];
	struct ike_chunk rest;

	if (b->b.err || after > b->b.len)
		goto done;
	rest = (struct ike_chunk){b->b.data + after, b->b.len - after};
	if (ike_keys_hash_p2(&sa->keys, 0, msgid, &rest, 1, h) == -1)
		goto done;
	memcpy(b->b.data + hoff + IKE_GEN_LEN, h, sa->keys.prflen);
	ike_crypt_iv_p2(sa, msgid, iv);
	if (ike_build_finish(b) == 0 && ike_crypt_encrypt(sa, iv, &b->b) == 0)
		ike_net_send(sa->ike, &sa->local, &sa->remote, b->b.data,
			     b->b.len);
done:
	ike_build_release(b);
}

/* An encrypted notification under an established SA. */
void
ike_info_notify(struct ike_sa *sa, uint16_t type, uint8_t proto,
		const uint8_t *spi, uint8_t spisize, const void *data,
		size_t len)
{
	struct ike_build b;
	uint32_t msgid;
	size_t hoff;
	char ep[64];

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	hoff = info_begin(sa, &b, &msgid);
	ike_build_n(&b, IKE_DOI_IPSEC, proto, spi, spisize, type, data, len);
	info_send(sa, &b, hoff, msgid);
	sa->ike->st.notify_tx++;
	if (type != IKE_N_R_U_THERE && type != IKE_N_R_U_THERE_ACK)
		log_event(EV_IKE_NOTIFY_TX, "Send notification to %s: %s (%u)",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
			  ike_wire_notify_name(type), type);
}

/*
 * A notification in the clear, for a negotiation that has no keys (yet).
 * The cookies come from the SA if there is one, else from the message we
 * answer.
 */
void
ike_info_notify_clear(struct ike *ike, const struct ike_hdr *h,
		      const struct ike_ep *local, const struct ike_ep *remote,
		      uint16_t type, const struct ike_sa *sa)
{
	uint8_t spi[2 * IKE_COOKIE_LEN];
	const uint8_t *ic = sa ? sa->icookie : h->icookie;
	const uint8_t *rc = sa ? sa->rcookie : h->rcookie;
	struct ike_build b;
	uint32_t msgid = 0;
	char ep[64];

	crypto_random(&msgid, sizeof(msgid));
	memcpy(spi, ic, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, rc, IKE_COOKIE_LEN);
	info_hdr(&b, ic, rc, msgid, 0);
	ike_build_n(&b, IKE_DOI_IPSEC, IKE_PROTO_ISAKMP, spi, sizeof(spi), type,
		    NULL, 0);
	if (ike_build_finish(&b) == 0)
		ike_net_send(ike, local, remote, b.b.data, b.b.len);
	ike_build_release(&b);
	ike->st.notify_tx++;
	log_event(EV_IKE_NOTIFY_TX, "Send notification to %s: %s (%u)",
		  ike_ep_fmt(remote, ep, sizeof(ep)),
		  ike_wire_notify_name(type), type);
}

void
ike_info_delete_p1(struct ike_sa *sa)
{
	uint8_t spi[2 * IKE_COOKIE_LEN];
	struct ike_build b;
	uint32_t msgid;
	size_t hoff;

	memcpy(spi, sa->icookie, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->rcookie, IKE_COOKIE_LEN);
	hoff = info_begin(sa, &b, &msgid);
	ike_build_d(&b, IKE_PROTO_ISAKMP, spi, sizeof(spi), 1);
	info_send(sa, &b, hoff, msgid);
	sa->ike->st.delete_tx++;
}

/* Tell the peer to drop the SA whose SPI it sends to: our inbound one. */
void
ike_info_delete_p2(struct ike_sa *sa, uint32_t spi_in)
{
	uint8_t spi[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16),
			  (uint8_t)(spi_in >> 8), (uint8_t)spi_in};
	struct ike_build b;
	uint32_t msgid;
	size_t hoff;

	hoff = info_begin(sa, &b, &msgid);
	ike_build_d(&b, IKE_PROTO_ESP, spi, sizeof(spi), 1);
	info_send(sa, &b, hoff, msgid);
	sa->ike->st.delete_tx++;
}

/* --- receiving --- */

static void
info_delete(struct ike_sa *sa, const struct ike_d_pld *d)
{
	struct ipsec_sa *c;
	char ep[64];
	uint16_t i;

	sa->ike->st.delete_rx++;
	if (d->proto == IKE_PROTO_ISAKMP && d->spisize == 2 * IKE_COOKIE_LEN) {
		struct ike_sa *o =
		    ike_sa_find(sa->ike, d->spis, d->spis + IKE_COOKIE_LEN);

		log_event(EV_IKE_DELETE_RX,
			  "Delete for ISAKMP SA received from "
			  "%s",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
		if (o != NULL && o->peer == sa->peer)
			ike_sa_delete(o, "deleted by peer", 0);
		return;
	}
	if (d->proto != IKE_PROTO_ESP || d->spisize != 4)
		return;
	for (i = 0; i < d->nspi; i++) {
		const uint8_t *s = d->spis + 4 * (size_t)i;
		uint32_t spi = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
			       (uint32_t)s[2] << 8 | s[3];

		log_event(EV_IKE_DELETE_RX,
			  "Delete for IPsec SA 0x%08x received "
			  "from %s",
			  spi, ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
		if ((c = ipsec_sa_by_spi_out(sa->ike, spi, sa->peer)) != NULL)
			ipsec_sa_delete(c, "deleted by peer", 0);
	}
}

/* An error about one of our quick modes: end it. */
static void
info_p2_error(struct ike_sa *sa, const struct ike_n_pld *n)
{
	struct ike_xchg *x, *next;
	char why[96];

	snprintf(why, sizeof(why), "peer sent %s",
		 ike_wire_notify_name(n->type));
	for (x = TAILQ_FIRST(&sa->xchgs); x != NULL; x = next) {
		next = TAILQ_NEXT(x, entry);
		if (x->exch != IKE_EXCH_QUICK || x->child == NULL ||
		    x->state == IKE_XCHG_DONE)
			continue;
		sa->ike->st.p2.failure++;
		sa->peer->p2.failure++;
		log_event(EV_IKE_FAIL, "phase 2 with %s (tunnel %s) failed: %s",
			  sa->peer->conf->name, x->child->tun->conf->name, why);
		ipsec_sa_state(x->child, IPSEC_SA_DEAD, why);
		x->child = NULL;
		ike_xchg_free(x);
	}
}

static void
info_notify(struct ike_sa *sa, const struct ike_n_pld *n)
{
	char ep[64];

	sa->ike->st.notify_rx++;
	if (n->type == IKE_N_R_U_THERE) {
		ike_info_notify(sa, IKE_N_R_U_THERE_ACK, IKE_PROTO_ISAKMP,
				n->spi, n->spisize, n->data, n->datalen);
		return;
	}
	if (n->type == IKE_N_R_U_THERE_ACK) {
		sa->dpd_outstanding = 0;
		return;
	}
	log_event(EV_IKE_NOTIFY_RX,
		  "Receive notification data from %s: %s "
		  "(%u)",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  ike_wire_notify_name(n->type), n->type);
	if (n->type < IKE_N_CONNECTED)
		info_p2_error(sa, n);
}

void
ike_info_input(struct ike_sa *sa, const struct ike_hdr *h, uint8_t *p, size_t n)
{
	uint8_t plain[IKE_MSG_MAX], iv[CRYPTO_BLOCK_MAX],
	    next[CRYPTO_BLOCK_MAX];
	size_t len = n - IKE_HDR_LEN, after, end;
	uint8_t want[CRYPTO_HASH_MAX];
	struct ike_chunk rest;
	struct ike_msg msg;
	enum ike_drop why;
	struct ike_n_pld np;
	struct ike_d_pld dp;
	int i;

	memset(&msg, 0, sizeof(msg));
	msg.hdr = *h;
	ike_crypt_iv_p2(sa, h->msgid, iv);
	if (ike_crypt_decrypt(sa, iv, p + IKE_HDR_LEN, len, plain, next) ==
		-1 ||
	    ike_wire_chain(h->next, plain, len, 1, &msg, &why) == -1) {
		ike_drop(sa->ike, IKE_DROP_DECRYPT, &sa->remote,
			 "informational");
		return;
	}
	end = len - msg.padding;
	after = msg.npld > 0
		    ? (size_t)(msg.pld[0].body - plain) + msg.pld[0].len
		    : 0;
	rest =
	    (struct ike_chunk){plain + after, after <= end ? end - after : 0};
	if (msg.npld < 2 || msg.pld[0].type != IKE_PLD_HASH ||
	    msg.pld[0].len != sa->keys.prflen || after > end ||
	    ike_keys_hash_p2(&sa->keys, 0, h->msgid, &rest, 1, want) == -1 ||
	    !crypto_memeq(want, msg.pld[0].body, msg.pld[0].len)) {
		ike_drop(sa->ike, IKE_DROP_HASH, &sa->remote,
			 "informational "
			 "HASH(1)");
		goto done;
	}
	if (ike_p1_payloads(sa, &msg, PB(IKE_PLD_HASH),
			    PB(IKE_PLD_N) | PB(IKE_PLD_D),
			    "informational") == -1)
		goto done;
	for (i = 1; i < msg.npld; i++) {
		if (msg.pld[i].type == IKE_PLD_N &&
		    ike_wire_n(&msg.pld[i], &np, &why) == 0)
			info_notify(sa, &np);
		else if (msg.pld[i].type == IKE_PLD_D &&
			 ike_wire_d(&msg.pld[i], &dp, &why) == 0)
			info_delete(sa, &dp);
		if (sa->state == IKE_SA_DEAD)
			break;
	}
done:
	crypto_wipe(plain, len);
}

/* An error in the clear: it ends a negotiation that has no keys yet. */
void
ike_info_input_clear(struct ike *ike, const struct ike_msg *m,
		     const struct ike_ep *remote)
{
	const struct ike_pld *p;
	struct ike_n_pld n;
	enum ike_drop why;
	struct ike_sa *sa;
	char ep[64], msg[96];

	if ((sa = ike_sa_find(ike, m->hdr.icookie, m->hdr.rcookie)) == NULL &&
	    (sa = ike_sa_find_half(ike, m->hdr.icookie, remote)) == NULL) {
		ike_drop(ike, IKE_DROP_NO_SA, remote, "informational");
		return;
	}
	if ((p = ike_wire_find(m, IKE_PLD_N, 0)) == NULL ||
	    ike_wire_n(p, &n, &why) == -1) {
		ike_drop(ike, IKE_DROP_MISSING, remote, "informational");
		return;
	}
	ike->st.notify_rx++;
	log_event(EV_IKE_NOTIFY_RX,
		  "Receive notification data from %s: %s "
		  "(%u)",
		  ike_ep_fmt(remote, ep, sizeof(ep)),
		  ike_wire_notify_name(n.type), n.type);
	/* Unauthenticated: it may end a negotiation, never an SA. */
	if (n.type < IKE_N_CONNECTED && sa->state != IKE_SA_ESTABLISHED) {
		snprintf(msg, sizeof(msg), "peer sent %s",
			 ike_wire_notify_name(n.type));
		ike_sa_fail(sa, msg, 0);
	}
}

/* --- dead-peer detection --- */

static uint64_t
info_dpd_inbound(struct ike_sa *sa)
{
	const struct ike_tunnel *t;
	const struct ipsec_sa *c;
	uint64_t pk = 0, p, b;

	TAILQ_FOREACH(t, &sa->ike->tunnels, entry) {
		if (t->peer != sa->peer)
			continue;
		TAILQ_FOREACH(c, &t->sas, entry) {
			sad_stats(sa->ike->sad, c->spi_in, SAD_IN, &p, &b);
			pk += p;
		}
	}
	return pk;
}

static void
info_dpd_dead(struct ike_sa *sa)
{
	struct ike_peer *p = sa->peer;
	struct ike_tunnel *t;
	char ep[64];

	sa->ike->st.dpd_dead++;
	log_event(EV_IKE_DPD_DEAD,
		  "dead peer %s (%s): no answer to %u DPD "
		  "probes; %s its SAs",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), p->conf->name,
		  sa->dpd_outstanding,
		  p->conf->dpd_action == CONF_DPD_RESTART ? "restarting"
							  : "clearing");
	TAILQ_FOREACH(t, &sa->ike->tunnels, entry) {
		struct ipsec_sa *c, *next;

		if (t->peer != p)
			continue;
		for (c = TAILQ_FIRST(&t->sas); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			ipsec_sa_delete(c, "dead peer", 0);
		}
	}
	ike_sa_delete(sa, "dead peer", 0);
	if (p->conf->dpd_action == CONF_DPD_RESTART)
		TAILQ_FOREACH(t, &p->ike->tunnels, entry)
			if (t->peer == p)
				ike_tunnel_want(t);
}

static void
info_dpd_timer(struct ev_timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	const struct conf_ike_peer *c = sa->peer->conf;
	uint64_t now = ev_now(sa->ike->loop), pk = info_dpd_inbound(sa);
	uint8_t spi[2 * IKE_COOKIE_LEN], seq[4];

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	/* Anything heard since the last probe proves the peer alive. */
	if (now - sa->last_rx_ms < (uint64_t)c->dpd_interval * 1000 ||
	    pk != sa->dpd_inbound) {
		sa->dpd_outstanding = 0;
		sa->dpd_inbound = pk;
		ev_timer_start(t, (uint64_t)c->dpd_interval * 1000);
		return;
	}
	if (sa->dpd_outstanding >= c->dpd_retries) {
		info_dpd_dead(sa);
		return;
	}
	sa->dpd_seq++;
	sa->dpd_outstanding++;
	seq[0] = (uint8_t)(sa->dpd_seq >> 24);
	seq[1] = (uint8_t)(sa->dpd_seq >> 16);
	seq[2] = (uint8_t)(sa->dpd_seq >> 8);
	seq[3] = (uint8_t)sa->dpd_seq;
	memcpy(spi, sa->icookie, IKE_COOKIE_LEN);
	memcpy(spi + IKE_COOKIE_LEN, sa->rcookie, IKE_COOKIE_LEN);
	ike_info_notify(sa, IKE_N_R_U_THERE, IKE_PROTO_ISAKMP, spi, sizeof(spi),
			seq, sizeof(seq));
	sa->ike->st.dpd_tx++;
	ev_timer_start(t, (uint64_t)c->dpd_interval * 1000);
}

void
ike_info_dpd_arm(struct ike_sa *sa)
{
	const struct conf_ike_peer *c = sa->peer->conf;

	if (c->dpd_interval == 0 || !sa->dpd_vid)
		return;
	if (sa->dpd == NULL &&
	    (sa->dpd = ev_timer_new(sa->ike->loop, info_dpd_timer, sa)) == NULL)
		return;
	sa->dpd_inbound = info_dpd_inbound(sa);
	ev_timer_start(sa->dpd, (uint64_t)c->dpd_interval * 1000);
}
