/*
 * Aggressive mode (RFC 2409 5.4, pre-shared key) for peers on dynamic
 * addresses: the responder finds the peer by the identity in message 1.
 *
 *	Initiator                            Responder
 *	HDR, SA, KE, Ni, IDii, VID  -->
 *	                            <--      HDR, SA, KE, Nr, IDir, NAT-D*,
 *	                                     HASH_R, VID
 *	HDR*, HASH_I, NAT-D* [,N]   -->      (UDP 4500 with NAT-T)
 *
 * The key exchange travels in message 1, so every offered transform must
 * use the same group: we offer only the proposals sharing the first one's.
 */
#include <string.h>

#include "ike.h"

#define PB IKE_PB

/* Our offer: the configured proposals with the first one's group. */
static void
aggr_offer(struct ike_sa *sa)
{
	const struct conf_ike_peer *c = sa->peer->conf;
	struct conf_ike_proposal *same[CONF_PROPS_MAX];
	int i, n = 0;

	for (i = 0; i < c->nprops; i++)
		if (c->props[i]->group == c->props[0]->group)
			same[n++] = c->props[i];
	ike_prop_p1_build(&sa->sai_b, same, n);
	sa->xf.group = c->props[0]->group;
}

int
ike_aggr_start(struct ike_sa *sa)
{
	struct ike_build b;

	aggr_offer(sa);
	ike_p1_hdr(sa, &b, 0);
	ike_build_pld(&b, IKE_PLD_SA, sa->sai_b.data, sa->sai_b.len);
	if (ike_p1_ke_nonce(sa, &b) == -1) {
		ike_build_release(&b);
		ike_sa_fail(sa, "key exchange failed", 0);
		return -1;
	}
	ike_id_p1_local(sa, &sa->idi_b);
	ike_build_pld(&b, IKE_PLD_ID, sa->idi_b.data, sa->idi_b.len);
	ike_p1_vids_build(&b);
	if (ike_sa_send(sa, &b, IKE_SEND_REPLY) == -1)
		return -1;
	ike_sa_state(sa, IKE_SA_AM_SENT);
	return 0;
}

/* --- initiator --- */

static int
aggr_i2(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t hash[CRYPTO_HASH_MAX];
	struct ike_sa_pld sap;
	struct ike_build b;
	int group = sa->xf.group;

	if (ike_p1_sa_pld(sa, m, &sap) == -1)
		return 0;
	if (ike_prop_p1_chosen(sa->peer->conf, &sap, &sa->xf) == -1 ||
	    sa->xf.group != group) {
		ike_sa_fail(sa,
			    "responder chose a transform we did not "
			    "offer",
			    IKE_N_NO_PROPOSAL_CHOSEN);
		return 0;
	}
	ike_p1_vids_take(sa, m);
	if (ike_p1_take_ke_nonce(sa, m) == -1) {
		ike_sa_fail(sa, "bad KE or nonce payload",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	if (ike_p1_take_id(sa, m, 0) == -1)
		return 0;
	if (ike_p1_keys(sa) == -1) {
		ike_sa_fail(sa, "Diffie-Hellman failed: bad public value",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	if (ike_p1_verify(sa, m, 0) == -1)
		return 0;
	ike_p1_natd_check(sa, m);
	ike_p1_float(sa);
	ike_p1_hdr(sa, &b, 1);
	ike_p1_hash(sa, 1, hash);
	ike_build_pld(&b, IKE_PLD_HASH, hash, sa->keys.prflen);
	ike_p1_natd_build(sa, &b);
	ike_p1_initial_contact(sa, &b);
	if (ike_sa_send(sa, &b, IKE_SEND_ENCRYPT) == 0)
		ike_sa_established(sa);
	return 0;
}

/* --- responder --- */

/*
 * Who is this?  A peer with the sender's address, else an "address any"
 * peer whose remote-id is the identity presented.
 */
static struct ike_peer *
aggr_identify(struct ike_sa *sa)
{
	struct ike_peer *p;

	if ((p = ike_p1_peer_by_addr(sa->ike, &sa->remote, 1)) != NULL)
		return p;
	TAILQ_FOREACH(p, &sa->ike->peers, entry)
		if (p->conf->any && p->conf->mode == CONF_MODE_AGGRESSIVE &&
		    ike_id_p1_match(&p->conf->remote_id, &sa->remote_id))
			return p;
	return NULL;
}

static int
aggr_r1_peer(struct ike_sa *sa, const struct ike_msg *m)
{
	char ep[64], id[IKE_ID_MAX];

	if (ike_p1_take_id(sa, m, 1) == -1)
		return -1;
	if ((sa->peer = aggr_identify(sa)) == NULL) {
		sa->ike->st.unknown_peer++;
		log_event(EV_IKE_UNKNOWN_PEER,
			  "aggressive mode from %s with "
			  "identity %s: no ike peer matches",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
			  ike_id_fmt(&sa->remote_id, id, sizeof(id)));
		ike_sa_fail(sa, "unknown peer", IKE_N_INVALID_ID_INFORMATION);
		return -1;
	}
	log_event(EV_IKE_P1_BEGIN,
		  "Begin IKE phase 1 negotiation as "
		  "responder, peer %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
	/* Now that the peer is known, its identity can be checked. */
	return ike_p1_take_id(sa, m, 1);
}

static int
aggr_r1_reply(struct ike_sa *sa, const struct ike_choice *ch)
{
	uint8_t hash[CRYPTO_HASH_MAX];
	struct ike_build b;
	struct buf sab;

	buf_init(&sab, IKE_MSG_MAX);
	ike_prop_reply(&sab, ch, NULL, 0);
	ike_p1_hdr(sa, &b, 0);
	ike_build_pld(&b, IKE_PLD_SA, sab.data, sab.len);
	buf_release(&sab);
	if (ike_p1_ke_nonce(sa, &b) == -1 || ike_p1_keys(sa) == -1) {
		ike_build_release(&b);
		ike_sa_fail(sa, "Diffie-Hellman failed: bad public value",
			    IKE_N_INVALID_KEY_INFORMATION);
		return -1;
	}
	ike_id_p1_local(sa, &sa->idr_b);
	ike_build_pld(&b, IKE_PLD_ID, sa->idr_b.data, sa->idr_b.len);
	ike_p1_natd_build(sa, &b);
	ike_p1_hash(sa, 0, hash);
	ike_build_pld(&b, IKE_PLD_HASH, hash, sa->keys.prflen);
	ike_p1_vids_build(&b);
	return ike_sa_send(sa, &b, IKE_SEND_REPLY);
}

static int
aggr_r1(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_SA, 0);
	struct ike_sa_pld sap;
	struct ike_choice ch;

	if (aggr_r1_peer(sa, m) == -1 || ike_p1_sa_pld(sa, m, &sap) == -1)
		return 0;
	if (ike_prop_p1_select(sa->peer->conf, &sap, &sa->xf, &ch) == -1) {
		ike_p1_no_proposal(sa, &sap);
		return 0;
	}
	buf_add(&sa->sai_b, p->body, p->len);
	ike_p1_vids_take(sa, m);
	if (ike_p1_take_ke_nonce(sa, m) == -1) {
		ike_sa_fail(sa, "KE does not fit the chosen group",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	if (aggr_r1_reply(sa, &ch) == 0)
		ike_sa_state(sa, IKE_SA_AM_RCVD);
	return 0;
}

static int
aggr_r2(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_p1_verify(sa, m, 1) == -1)
		return 0;
	ike_p1_natd_check(sa, m);
	ike_sa_established(sa);
	return 0;
}

static const struct ike_step aggr_steps[] = {
    {IKE_SA_AM_SENT, 1, 0,
     PB(IKE_PLD_SA) | PB(IKE_PLD_KE) | PB(IKE_PLD_NONCE) | PB(IKE_PLD_ID) |
	 PB(IKE_PLD_HASH),
     PB(IKE_PLD_VID) | IKE_PB_NATD | PB(IKE_PLD_N), "aggressive mode message 2",
     aggr_i2},
    {IKE_SA_NEW, 0, 0,
     PB(IKE_PLD_SA) | PB(IKE_PLD_KE) | PB(IKE_PLD_NONCE) | PB(IKE_PLD_ID),
     PB(IKE_PLD_VID), "aggressive mode message 1", aggr_r1},
    /* Message 3 may come encrypted (strongSwan) or not (RFC 2409). */
    {IKE_SA_AM_RCVD, 0, 1, PB(IKE_PLD_HASH),
     IKE_PB_NATD | PB(IKE_PLD_N) | PB(IKE_PLD_VID), "aggressive mode message 3",
     aggr_r2},
    {IKE_SA_AM_RCVD, 0, 0, PB(IKE_PLD_HASH),
     IKE_PB_NATD | PB(IKE_PLD_N) | PB(IKE_PLD_VID), "aggressive mode message 3",
     aggr_r2},
};

int
ike_aggr_input(struct ike_sa *sa, const struct ike_msg *m)
{
	return ike_p1_run(sa, m, aggr_steps,
			  sizeof(aggr_steps) / sizeof(aggr_steps[0]));
}
