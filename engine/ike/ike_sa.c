/*
 * ISAKMP SAs: creation, the one state function, failure, deletion,
 * retransmission, lifetime and rekeying.  A dead SA is freed from the
 * event loop, never from inside the handler that killed it, so no caller
 * up the stack holds a freed SA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"
#include "str.h"

#define IKE_SA_SOFT_PCT	     85 /* initiator rekeys at 85% of life */
#define IKE_SA_SOFT_PCT_RESP 92 /* responder later, to avoid a race */
#define IKE_SA_JITTER_PCT    5

static const char *const ike_sa_states[IKE_SA_STATE_COUNT] = {
    [IKE_SA_NEW] = "new",
    [IKE_SA_MM_SA_SENT] = "main-sa-sent",
    [IKE_SA_MM_SA_RCVD] = "main-sa-received",
    [IKE_SA_MM_KE_SENT] = "main-ke-sent",
    [IKE_SA_MM_KE_RCVD] = "main-ke-received",
    [IKE_SA_MM_ID_SENT] = "main-id-sent",
    [IKE_SA_AM_SENT] = "aggressive-sent",
    [IKE_SA_AM_RCVD] = "aggressive-received",
    [IKE_SA_ESTABLISHED] = "established",
    [IKE_SA_DEAD] = "dead",
};

#define S(x) (1u << (x))
/* For each state, the states it may be entered from. */
static const uint32_t ike_sa_from[IKE_SA_STATE_COUNT] = {
    [IKE_SA_MM_SA_SENT] = S(IKE_SA_NEW),
    [IKE_SA_MM_SA_RCVD] = S(IKE_SA_NEW),
    [IKE_SA_MM_KE_SENT] = S(IKE_SA_MM_SA_SENT),
    [IKE_SA_MM_KE_RCVD] = S(IKE_SA_MM_SA_RCVD),
    [IKE_SA_MM_ID_SENT] = S(IKE_SA_MM_KE_SENT),
    [IKE_SA_AM_SENT] = S(IKE_SA_NEW),
    [IKE_SA_AM_RCVD] = S(IKE_SA_NEW),
    [IKE_SA_ESTABLISHED] = S(IKE_SA_MM_KE_RCVD) | S(IKE_SA_MM_ID_SENT) |
			   S(IKE_SA_AM_SENT) | S(IKE_SA_AM_RCVD),
    [IKE_SA_DEAD] = ~S(IKE_SA_DEAD),
};
#undef S

const char *
ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s < IKE_SA_STATE_COUNT ? ike_sa_states[s] : "?";
}

static const char *
ike_sa_peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->conf->name : "-";
}

static void
ike_sa_event(struct ike_sa *sa, enum engine_event_type type, const char *reason)
{
	struct engine_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.peer = ike_sa_peer_name(sa);
	ev.tunnel = "";
	ev.peer_addr = sa->remote.addr;
	ev.phase = 1;
	ev.reason = reason;
	ike_emit(sa->ike, &ev);
}

static void ike_sa_timer_life(struct ev_timer *, void *);
static void ike_sa_timer_resend(struct ev_timer *, void *);

struct ike_sa *
ike_sa_new(struct ike *ike, struct ike_peer *peer, int initiator,
	   const struct ike_ep *local, const struct ike_ep *remote)
{
	struct ike_sa *sa;

	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->ike = ike;
	sa->peer = peer;
	sa->initiator = initiator;
	sa->serial = ++ike->serial;
	sa->local = *local;
	sa->remote = *remote;
	TAILQ_INIT(&sa->xchgs);
	buf_init(&sa->sai_b, IKE_MSG_MAX);
	buf_init(&sa->gxi, CRYPTO_DH_PUB_MAX);
	buf_init(&sa->gxr, CRYPTO_DH_PUB_MAX);
	buf_init(&sa->ni, IKE_NONCE_MAX);
	buf_init(&sa->nr, IKE_NONCE_MAX);
	buf_init(&sa->idi_b, IKE_ID_MAX);
	buf_init(&sa->idr_b, IKE_ID_MAX);
	buf_init(&sa->last_out, IKE_MSG_MAX);
	clock_gettime(CLOCK_REALTIME, &sa->created);
	sa->last_rx_ms = ev_now(ike->loop);
	sa->retrans = ev_timer_new(ike->loop, ike_sa_timer_resend, sa);
	sa->life = ev_timer_new(ike->loop, ike_sa_timer_life, sa);
	if (sa->retrans == NULL || sa->life == NULL ||
	    crypto_random(initiator ? sa->icookie : sa->rcookie,
			  IKE_COOKIE_LEN) == -1) {
		ev_timer_free(sa->retrans);
		ev_timer_free(sa->life);
		free(sa);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ike->sas, sa, entry);
	ike->nsas++;
	if (!initiator)
		ev_timer_start(sa->retrans, IKE_HALFOPEN_MS);
	return sa;
}

void
ike_sa_free(struct ike_sa *sa)
{
	struct ike_xchg *x;

	if (sa == NULL)
		return;
	while ((x = TAILQ_FIRST(&sa->xchgs)) != NULL)
		ike_xchg_free(x);
	if (sa->peer != NULL && sa->peer->sa == sa)
		sa->peer->sa = NULL;
	TAILQ_REMOVE(&sa->ike->sas, sa, entry);
	sa->ike->nsas--;
	ev_timer_free(sa->retrans);
	ev_timer_free(sa->life);
	ev_timer_free(sa->dpd);
	ev_timer_free(sa->keepalive);
	crypto_dh_free(sa->dh);
	crypto_wipe(sa->gxi.data, sa->gxi.len);
	crypto_wipe(sa->gxr.data, sa->gxr.len);
	buf_release(&sa->sai_b);
	buf_release(&sa->gxi);
	buf_release(&sa->gxr);
	buf_release(&sa->ni);
	buf_release(&sa->nr);
	buf_release(&sa->idi_b);
	buf_release(&sa->idr_b);
	buf_release(&sa->last_out);
	ike_keys_wipe(&sa->keys);
	crypto_wipe(sa->iv, sizeof(sa->iv));
	crypto_wipe(sa->p1_last, sizeof(sa->p1_last));
	free(sa);
}

/*
 * The one place an ISAKMP SA changes state.  An illegal move is a bug
 * in the engine, not the peer's doing: logged loudly, refused.
 */
void
ike_sa_state(struct ike_sa *sa, enum ike_sa_state to)
{
	char ep[64];

	if (to >= IKE_SA_STATE_COUNT ||
	    !(ike_sa_from[to] & (1u << sa->state))) {
		log_event(EV_DMN_SYSERR,
			  "ISAKMP SA #%llu: cannot switch %s "
			  "-> %s",
			  (unsigned long long)sa->serial,
			  ike_sa_state_name(sa->state), ike_sa_state_name(to));
		return;
	}
	log_event(EV_IKE_STATE, "ISAKMP SA #%llu %s %s: %s -> %s",
		  (unsigned long long)sa->serial, ike_sa_peer_name(sa),
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  ike_sa_state_name(sa->state), ike_sa_state_name(to));
	if (sa->state == IKE_SA_ESTABLISHED && to == IKE_SA_DEAD)
		ike_sa_event(sa, ENGINE_EV_IKE_DOWN, sa->down_reason);
	sa->state = to;
	if (to == IKE_SA_ESTABLISHED)
		ike_sa_event(sa, ENGINE_EV_IKE_UP, "");
	if (to == IKE_SA_DEAD) {
		ev_timer_stop(sa->retrans);
		if (sa->dpd != NULL)
			ev_timer_stop(sa->dpd);
		if (sa->keepalive != NULL)
			ev_timer_stop(sa->keepalive);
		if (sa->peer != NULL && sa->peer->sa == sa)
			sa->peer->sa = NULL;
		/* Freed from the loop: callers up the stack still hold it. */
		ev_timer_start(sa->life, 0);
	}
}

static void
ike_sa_count_fail(struct ike_sa *sa)
{
	sa->ike->st.p1.failure++;
	if (sa->peer != NULL)
		sa->peer->p1.failure++;
}

/*
 * Phase 1 failed: count it, log it with the cause, tell subscribers, tell
 * the peer when a notify type is given, and let the SA die.
 */
void
ike_sa_fail(struct ike_sa *sa, const char *why, int notify)
{
	struct log_sd sd[2];
	char ep[64];

	if (sa->state == IKE_SA_DEAD)
		return;
	if (notify != 0)
		ike_info_notify_clear(sa->ike, NULL, &sa->local, &sa->remote,
				      (uint16_t)notify, sa);
	ike_sa_count_fail(sa);
	log_sd_set(&sd[0], "peer", ike_sa_peer_name(sa));
	log_sd_set(&sd[1], "phase", "1");
	log_event_sd(EV_IKE_FAIL, sd, 2, "phase 1 with %s (%s) failed: %s",
		     ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		     ike_sa_peer_name(sa), why);
	ike_sa_event(sa, ENGINE_EV_NEG_FAIL, why);
	str_lcpy(sa->down_reason, why, sizeof(sa->down_reason));
	if (sa->peer != NULL && sa->initiator)
		ike_peer_failed(sa->peer, why);
	else if (sa->peer != NULL)
		str_lcpy(sa->peer->last_error, why,
			 sizeof(sa->peer->last_error));
	ike_sa_state(sa, IKE_SA_DEAD);
}

/* Delete: tell the peer (when asked and able), log, die. */
void
ike_sa_delete(struct ike_sa *sa, const char *why, int tell)
{
	char ep[64];

	if (sa->state == IKE_SA_DEAD)
		return;
	str_lcpy(sa->down_reason, why, sizeof(sa->down_reason));
	if (sa->state != IKE_SA_ESTABLISHED) {
		ike_sa_fail(sa, why, 0);
		return;
	}
	if (tell)
		ike_info_delete_p1(sa);
	log_event(strcmp(why, "lifetime expired") == 0 ? EV_IKE_SA_EXPIRED
						       : EV_IKE_SA_DOWN,
		  "ISAKMP SA with %s (%s) deleted: %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), ike_sa_peer_name(sa),
		  why);
	ike_sa_state(sa, IKE_SA_DEAD);
}

struct ike_sa *
ike_sa_find(struct ike *ike, const uint8_t *icookie, const uint8_t *rcookie)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ike->sas, entry)
		if (memcmp(sa->icookie, icookie, IKE_COOKIE_LEN) == 0 &&
		    memcmp(sa->rcookie, rcookie, IKE_COOKIE_LEN) == 0 &&
		    sa->state != IKE_SA_DEAD)
			return sa;
	return NULL;
}

/* By initiator cookie and peer address alone: message 1 sent again. */
struct ike_sa *
ike_sa_find_half(struct ike *ike, const uint8_t *icookie,
		 const struct ike_ep *remote)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ike->sas, entry)
		if (memcmp(sa->icookie, icookie, IKE_COOKIE_LEN) == 0 &&
		    addr_eq(&sa->remote.addr, &remote->addr) &&
		    sa->state != IKE_SA_DEAD)
			return sa;
	return NULL;
}

/*
 * Finish, encrypt if asked, send, and keep the bytes for resends.  With
 * "reply", an answer is expected and the resend timer runs.
 */
int
ike_sa_send(struct ike_sa *sa, struct ike_build *b, int flags)
{
	if (ike_build_finish(b) == -1 ||
	    ((flags & IKE_SEND_ENCRYPT) &&
	     ike_crypt_encrypt(sa, sa->iv, &b->b) == -1)) {
		ike_build_release(b);
		ike_sa_fail(sa, "cannot build message", 0);
		return -1;
	}
	buf_reset(&sa->last_out);
	buf_add(&sa->last_out, b->b.data, b->b.len);
	sa->dup.answered = 1;
	ike_net_send(sa->ike, &sa->local, &sa->remote, b->b.data, b->b.len);
	ike_build_release(b);
	sa->retries = 0;
	if (flags & IKE_SEND_REPLY)
		ev_timer_start(sa->retrans, IKE_RETRANS_MS(sa->ike));
	else
		ev_timer_stop(sa->retrans);
	return 0;
}

static void
ike_sa_timer_resend(struct ev_timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	char ep[64];

	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DEAD)
		return;
	if (sa->last_out.len > 0 && sa->retries < IKE_RETRANS_N(sa->ike)) {
		sa->retries++;
		sa->ike->st.p1.resend++;
		if (sa->peer != NULL)
			sa->peer->p1.resend++;
		log_event(EV_IKE_RESEND,
			  "phase 1 message to %s resent "
			  "(%d/%d)",
			  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), sa->retries,
			  IKE_RETRANS_N(sa->ike));
		ike_net_send(sa->ike, &sa->local, &sa->remote,
			     sa->last_out.data, sa->last_out.len);
		ev_timer_start(t, (uint64_t)IKE_RETRANS_MS(sa->ike)
				      << sa->retries);
		return;
	}
	sa->ike->st.p1.timeout++;
	if (sa->peer != NULL)
		sa->peer->p1.timeout++;
	log_event(EV_IKE_NO_ANSWER,
		  "no answer from %s in phase 1 (%s): "
		  "check that the peer is reachable and answers on UDP 500",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  ike_sa_peer_name(sa));
	ike_sa_fail(sa, "no answer from peer", 0);
}

/* --- establishment, life, rekey --- */

static uint64_t
ike_sa_soft_ms(const struct ike_sa *sa)
{
	uint64_t life = (uint64_t)sa->xf.life_s * 1000;
	uint32_t r = 0;
	int pct = sa->initiator ? IKE_SA_SOFT_PCT : IKE_SA_SOFT_PCT_RESP;

	crypto_random(&r, sizeof(r));
	return life * (uint64_t)(pct - (int)(r % IKE_SA_JITTER_PCT)) / 100;
}

/*
 * Behind a NAT (or when encapsulation is forced, as a NAT may hide), a
 * one-byte keepalive on UDP 4500 keeps the mapping open while the tunnel
 * is idle.
 */
static void
ike_sa_keepalive(struct ev_timer *t, void *arg)
{
	struct ike_sa *sa = arg;

	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (sa->peer->sa == sa)
		ike_net_keepalive(sa->ike, &sa->local, &sa->remote);
	ev_timer_start(t, (uint64_t)sa->peer->conf->natt_keepalive * 1000);
}

static void
ike_sa_keepalive_arm(struct ike_sa *sa)
{
	if (!sa->floated ||
	    (!sa->nat_local && sa->peer->conf->natt != CONF_NATT_FORCE))
		return;
	if (sa->keepalive == NULL &&
	    (sa->keepalive =
		 ev_timer_new(sa->ike->loop, ike_sa_keepalive, sa)) == NULL)
		return;
	ev_timer_start(sa->keepalive,
		       (uint64_t)sa->peer->conf->natt_keepalive * 1000);
}

/* INITIAL-CONTACT: the peer restarted; what we had with it is stale. */
static void
ike_sa_initial_contact(struct ike_sa *sa)
{
	struct ike_sa *o, *next;
	struct ike_tunnel *t;

	for (o = TAILQ_FIRST(&sa->ike->sas); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o != sa && o->peer == sa->peer &&
		    o->state == IKE_SA_ESTABLISHED)
			ike_sa_delete(o, "peer sent INITIAL-CONTACT", 0);
	}
	TAILQ_FOREACH(t, &sa->ike->tunnels, entry) {
		struct ipsec_sa *c, *cn;

		if (t->peer != sa->peer)
			continue;
		for (c = TAILQ_FIRST(&t->sas); c != NULL; c = cn) {
			cn = TAILQ_NEXT(c, entry);
			ipsec_sa_delete(c, "peer sent INITIAL-CONTACT", 0);
		}
	}
}

void
ike_sa_established(struct ike_sa *sa)
{
	struct ike_peer *p = sa->peer;
	struct ike_tunnel *t;
	char ep[64], idb[IKE_ID_MAX];

	sa->established_ms = ev_now(sa->ike->loop);
	sa->expire_ms = sa->established_ms + (uint64_t)sa->xf.life_s * 1000;
	memcpy(sa->p1_last, sa->iv, sizeof(sa->p1_last));
	ev_timer_stop(sa->retrans);
	ev_timer_start(sa->life, ike_sa_soft_ms(sa));
	sa->ike->st.p1.success++;
	p->p1.success++;
	p->restart_ms = 0;
	p->last_error[0] = '\0';
	if (sa->initial_contact_rcvd)
		ike_sa_initial_contact(sa);
	ike_sa_state(sa, IKE_SA_ESTABLISHED);
	p->sa = sa;
	log_event(EV_IKE_P1_FINISH,
		  "Finish IKE phase 1 negotiation, "
		  "destination %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)));
	log_event(EV_IKE_SA_UP,
		  "ISAKMP SA with %s (%s) established: %s %s, "
		  "%s, %s%s, DH group %d, lifetime %us, peer id %s",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), p->conf->name,
		  ike_wire_exch_name(sa->exch),
		  sa->initiator ? "initiator" : "responder",
		  crypto_cipher_name(sa->xf.cipher),
		  crypto_hash_name(sa->xf.hash), sa->floated ? ", NAT-T" : "",
		  sa->xf.group, sa->xf.life_s,
		  ike_id_fmt(&sa->remote_id, idb, sizeof(idb)));
	ike_info_dpd_arm(sa);
	ike_sa_keepalive_arm(sa);
	TAILQ_FOREACH(t, &sa->ike->tunnels, entry)
		if (t->peer == p &&
		    (p->wanted || t->conf->initiate == CONF_INIT_ALWAYS))
			ike_tunnel_want(t);
	p->wanted = 0;
}

/* Is someone still using phase 1 with this peer? */
static int
ike_sa_needed(const struct ike_sa *sa)
{
	const struct ike_tunnel *t;

	TAILQ_FOREACH(t, &sa->ike->tunnels, entry)
		if (t->peer == sa->peer && !t->conf->shutdown &&
		    (t->conf->initiate == CONF_INIT_ALWAYS ||
		     !TAILQ_EMPTY(&t->sas)))
			return 1;
	return 0;
}

static void
ike_sa_timer_life(struct ev_timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	uint64_t now = ev_now(sa->ike->loop);

	if (sa->state == IKE_SA_DEAD) {
		ike_sa_free(sa);
		return;
	}
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (!sa->soft_done && now < sa->expire_ms) {
		sa->soft_done = 1;
		if (sa->peer->sa == sa && !sa->peer->conf->any &&
		    ike_sa_needed(sa)) {
			log_event(EV_IKE_REKEY,
				  "rekeying ISAKMP SA #%llu with "
				  "%s",
				  (unsigned long long)sa->serial,
				  sa->peer->conf->name);
			sa->peer->sa = NULL; /* the new one takes over */
			ike_sa_initiate(sa->peer);
			if (sa->peer->sa == NULL)
				sa->peer->sa = sa;
		}
		ev_timer_start(t, sa->expire_ms - now);
		return;
	}
	ike_sa_delete(sa, "lifetime expired", 1);
}

/* Start phase 1 with a configured peer, as initiator. */
int
ike_sa_initiate(struct ike_peer *p)
{
	const struct conf_ike_peer *c = p->conf;
	struct ike_ep local, remote;
	struct ike_sa *sa;
	char ep[64];

	if (c->any || (p->sa != NULL && p->sa->state != IKE_SA_DEAD &&
		       p->sa->state != IKE_SA_ESTABLISHED))
		return 0;
	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	remote.addr = c->addr;
	remote.port = IKE_PORT;
	local.port = IKE_PORT;
	if (c->local_addr.family != AF_UNSPEC)
		local.addr = c->local_addr;
	else if (ike_net_source(&c->addr, &local.addr) == -1) {
		ike_peer_failed(p, "no route to the peer");
		return -1;
	}
	if ((sa = ike_sa_new(p->ike, p, 1, &local, &remote)) == NULL)
		return -1;
	sa->exch = c->mode == CONF_MODE_AGGRESSIVE ? IKE_EXCH_AGGRESSIVE
						   : IKE_EXCH_ID_PROT;
	p->sa = sa;
	log_event(EV_IKE_P1_BEGIN,
		  "Begin IKE phase 1 negotiation, "
		  "destination %s",
		  ike_ep_fmt(&remote, ep, sizeof(ep)));
	if (sa->exch == IKE_EXCH_ID_PROT)
		return ike_main_start(sa);
	return ike_aggr_start(sa);
}
