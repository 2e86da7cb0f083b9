/*
 * Main mode (RFC 2409 5.4, pre-shared key), as two step tables:
 *
 *	Initiator                          Responder
 *	HDR, SA, VID            -->
 *	                        <--        HDR, SA, VID
 *	HDR, KE, Ni, NAT-D*     -->
 *	                        <--        HDR, KE, Nr, NAT-D*
 *	HDR*, IDii, HASH_I [,N] -->        (UDP 4500 from here with NAT-T)
 *	                        <--        HDR*, IDir, HASH_R
 */
#include <string.h>

#include "ike.h"

#define PB IKE_PB

static int
main_send_sa(struct ike_sa *sa, const struct buf *sab)
{
	struct ike_build b;

	ike_p1_hdr(sa, &b, 0);
	ike_build_pld(&b, IKE_PLD_SA, sab->data, sab->len);
	ike_p1_vids_build(&b);
	return ike_sa_send(sa, &b, IKE_SEND_REPLY);
}

int
ike_main_start(struct ike_sa *sa)
{
	int rv;

	ike_prop_p1_build(&sa->sai_b, sa->peer->conf->props,
			  sa->peer->conf->nprops);
	rv = main_send_sa(sa, &sa->sai_b);
	ike_sa_state(sa, IKE_SA_MM_SA_SENT);
	return rv;
}

static int
main_send_ke(struct ike_sa *sa, int reply)
{
	struct ike_build b;

	ike_p1_hdr(sa, &b, 0);
	if (ike_p1_ke_nonce(sa, &b) == -1) {
		ike_build_release(&b);
		ike_sa_fail(sa, "key exchange failed", 0);
		return -1;
	}
	ike_p1_natd_build(sa, &b);
	return ike_sa_send(sa, &b, reply ? IKE_SEND_REPLY : 0);
}

/* HDR*, ID, HASH: message 5 (initiator) or 6 (responder). */
static int
main_send_id(struct ike_sa *sa)
{
	uint8_t hash[CRYPTO_HASH_MAX];
	struct buf *idb = sa->initiator ? &sa->idi_b : &sa->idr_b;
	struct ike_build b;

	buf_reset(idb);
	ike_id_p1_local(sa, idb);
	ike_p1_hdr(sa, &b, 1);
	ike_build_pld(&b, IKE_PLD_ID, idb->data, idb->len);
	if (ike_p1_hash(sa, sa->initiator, hash) == -1) {
		ike_build_release(&b);
		ike_sa_fail(sa, "cannot compute the hash", 0);
		return -1;
	}
	ike_build_pld(&b, IKE_PLD_HASH, hash, sa->keys.prflen);
	if (sa->initiator)
		ike_p1_initial_contact(sa, &b);
	return ike_sa_send(
	    sa, &b, IKE_SEND_ENCRYPT | (sa->initiator ? IKE_SEND_REPLY : 0));
}

/* --- initiator --- */

static int
main_i2(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_sa_pld sap;

	if (ike_p1_sa_pld(sa, m, &sap) == -1)
		return 0;
	if (ike_prop_p1_chosen(sa->peer->conf, &sap, &sa->xf) == -1) {
		ike_sa_fail(sa,
			    "responder chose a transform we did not "
			    "offer",
			    IKE_N_NO_PROPOSAL_CHOSEN);
		return 0;
	}
	ike_p1_vids_take(sa, m);
	if (main_send_ke(sa, 1) == 0)
		ike_sa_state(sa, IKE_SA_MM_KE_SENT);
	return 0;
}

static int
main_i3(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_p1_take_ke_nonce(sa, m) == -1) {
		ike_sa_fail(sa, "bad KE or nonce payload",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	ike_p1_natd_check(sa, m);
	if (ike_p1_keys(sa) == -1) {
		ike_sa_fail(sa, "Diffie-Hellman failed: bad public value",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	ike_p1_float(sa);
	if (main_send_id(sa) == 0)
		ike_sa_state(sa, IKE_SA_MM_ID_SENT);
	return 0;
}

static int
main_i4(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_p1_take_id(sa, m, 0) == -1 || ike_p1_verify(sa, m, 0) == -1)
		return 0;
	ike_sa_established(sa);
	return 0;
}

/* --- responder --- */

static int
main_r1(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_sa_pld sap;
	struct ike_choice ch;
	const struct ike_pld *p = ike_wire_find(m, IKE_PLD_SA, 0);
	struct buf reply;
	char ep[64];

	if ((sa->peer = ike_p1_peer_by_addr(sa->ike, &sa->remote, 0)) == NULL) {
		sa->ike->st.unknown_peer++;
		log_event(EV_IKE_UNKNOWN_PEER,
			  "main mode from %s: no ike "
			  "peer with this address",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
		ike_sa_fail(sa, "unknown peer", 0);
		return 0;
	}
	log_event(EV_IKE_P1_BEGIN,
		  "Begin IKE phase 1 negotiation as "
		  "responder, peer %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
	if (ike_p1_sa_pld(sa, m, &sap) == -1)
		return 0;
	if (ike_prop_p1_select(sa->peer->conf, &sap, &sa->xf, &ch) == -1) {
		ike_p1_no_proposal(sa, &sap);
		return 0;
	}
	buf_add(&sa->sai_b, p->body, p->len);
	ike_p1_vids_take(sa, m);
	buf_init(&reply, IKE_MSG_MAX);
	ike_prop_reply(&reply, &ch, NULL, 0);
	if (main_send_sa(sa, &reply) == 0)
		ike_sa_state(sa, IKE_SA_MM_SA_RCVD);
	buf_release(&reply);
	return 0;
}

static int
main_r2(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_p1_take_ke_nonce(sa, m) == -1) {
		ike_sa_fail(sa, "bad KE or nonce payload",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	ike_p1_natd_check(sa, m);
	if (main_send_ke(sa, 1) == -1)
		return 0;
	if (ike_p1_keys(sa) == -1) {
		ike_sa_fail(sa, "Diffie-Hellman failed: bad public value",
			    IKE_N_INVALID_KEY_INFORMATION);
		return 0;
	}
	ike_sa_state(sa, IKE_SA_MM_KE_RCVD);
	return 0;
}

static int
main_r3(struct ike_sa *sa, const struct ike_msg *m)
{
	if (ike_p1_take_id(sa, m, 1) == -1 || ike_p1_verify(sa, m, 1) == -1)
		return 0;
	if (main_send_id(sa) == 0)
		ike_sa_established(sa);
	return 0;
}

static const struct ike_step main_steps[] = {
    {IKE_SA_MM_SA_SENT, 1, 0, PB(IKE_PLD_SA), PB(IKE_PLD_VID) | PB(IKE_PLD_N),
     "main mode message 2", main_i2},
    {IKE_SA_MM_KE_SENT, 1, 0, PB(IKE_PLD_KE) | PB(IKE_PLD_NONCE),
     IKE_PB_NATD | PB(IKE_PLD_VID) | PB(IKE_PLD_CR) | PB(IKE_PLD_N),
     "main mode message 4", main_i3},
    {IKE_SA_MM_ID_SENT, 1, 1, PB(IKE_PLD_ID) | PB(IKE_PLD_HASH),
     PB(IKE_PLD_N) | PB(IKE_PLD_VID), "main mode message 6", main_i4},
    {IKE_SA_NEW, 0, 0, PB(IKE_PLD_SA), PB(IKE_PLD_VID), "main mode message 1",
     main_r1},
    {IKE_SA_MM_SA_RCVD, 0, 0, PB(IKE_PLD_KE) | PB(IKE_PLD_NONCE),
     IKE_PB_NATD | PB(IKE_PLD_VID) | PB(IKE_PLD_CR) | PB(IKE_PLD_N),
     "main mode message 3", main_r2},
    {IKE_SA_MM_KE_RCVD, 0, 1, PB(IKE_PLD_ID) | PB(IKE_PLD_HASH),
     PB(IKE_PLD_N) | PB(IKE_PLD_VID), "main mode message 5", main_r3},
};

int
ike_main_input(struct ike_sa *sa, const struct ike_msg *m)
{
	return ike_p1_run(sa, m, main_steps,
			  sizeof(main_steps) / sizeof(main_steps[0]));
}
