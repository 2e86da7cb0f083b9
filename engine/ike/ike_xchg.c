/*
 * Exchanges with a message id under an established ISAKMP SA: their own
 * IV chain, resends, and the HASH payload that must come first and covers
 * everything after it (RFC 2409 5.5, 5.7).
 */
#include <stdlib.h>
#include <string.h>

#include "ike.h"

#define IKE_XCHG_LINGER_MS 30000 /* answer resends after the end */

static void ike_xchg_timer(struct ev_timer *, void *);

struct ike_xchg *
ike_xchg_new(struct ike_sa *sa, uint32_t msgid, uint8_t exch, int initiator)
{
	struct ike_xchg *x;

	if (sa->nxchg >= IKE_XCHG_MAX || (x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->sa = sa;
	x->msgid = msgid;
	x->exch = exch;
	x->initiator = initiator;
	buf_init(&x->ni, IKE_NONCE_MAX);
	buf_init(&x->nr, IKE_NONCE_MAX);
	buf_init(&x->gqm, CRYPTO_DH_SECRET_MAX);
	buf_init(&x->last_out, IKE_MSG_MAX);
	if ((x->timer = ev_timer_new(sa->ike->loop, ike_xchg_timer, x)) ==
	    NULL) {
		free(x);
		return NULL;
	}
	ike_crypt_iv_p2(sa, msgid, x->iv);
	TAILQ_INSERT_TAIL(&sa->xchgs, x, entry);
	sa->nxchg++;
	return x;
}

void
ike_xchg_free(struct ike_xchg *x)
{
	if (x == NULL)
		return;
	TAILQ_REMOVE(&x->sa->xchgs, x, entry);
	x->sa->nxchg--;
	if (x->child != NULL && x->child->state == IPSEC_SA_NEGOTIATING)
		ipsec_sa_state(x->child, IPSEC_SA_DEAD, "negotiation ended");
	ev_timer_free(x->timer);
	crypto_dh_free(x->dh);
	crypto_wipe(x->gqm.data, x->gqm.len);
	buf_release(&x->ni);
	buf_release(&x->nr);
	buf_release(&x->gqm);
	buf_release(&x->last_out);
	crypto_wipe(x->iv, sizeof(x->iv));
	free(x);
}

struct ike_xchg *
ike_xchg_find(struct ike_sa *sa, uint32_t msgid)
{
	struct ike_xchg *x;

	TAILQ_FOREACH(x, &sa->xchgs, entry)
		if (x->msgid == msgid)
			return x;
	return NULL;
}

/* A fresh, unused, non-zero message id. */
uint32_t
ike_xchg_msgid(struct ike_sa *sa)
{
	uint32_t id;

	do {
		if (crypto_random(&id, sizeof(id)) == -1)
			return 0;
	} while (id == 0 || ike_xchg_find(sa, id) != NULL);
	return id;
}

int
ike_xchg_send(struct ike_xchg *x, struct ike_build *b, int flags)
{
	struct ike_sa *sa = x->sa;

	if (ike_build_finish(b) == -1 ||
	    ike_crypt_encrypt(sa, x->iv, &b->b) == -1) {
		ike_build_release(b);
		return -1;
	}
	buf_reset(&x->last_out);
	buf_add(&x->last_out, b->b.data, b->b.len);
	x->dup.answered = 1;
	ike_net_send(sa->ike, &sa->local, &sa->remote, b->b.data, b->b.len);
	ike_build_release(b);
	x->retries = 0;
	if (flags & IKE_SEND_REPLY)
		ev_timer_start(x->timer, IKE_RETRANS_MS(sa->ike));
	return 0;
}

/* Finished: keep the last message a while to answer a lost-reply resend. */
void
ike_xchg_done(struct ike_xchg *x)
{
	x->state = IKE_XCHG_DONE;
	ev_timer_start(x->timer, IKE_XCHG_LINGER_MS);
}

static void
ike_xchg_timeout(struct ike_xchg *x)
{
	struct ike_sa *sa = x->sa;
	char ep[64];

	sa->ike->st.p2.timeout++;
	sa->ike->st.p2.failure++;
	if (sa->peer != NULL) {
		sa->peer->p2.timeout++;
		sa->peer->p2.failure++;
	}
	log_event(EV_IKE_NO_ANSWER, "no answer from %s in phase 2 (%s)",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)),
		  x->child != NULL ? x->child->tun->conf->name : "-");
	if (x->child != NULL)
		ipsec_sa_state(x->child, IPSEC_SA_DEAD, "no answer");
	ike_xchg_free(x);
}

static void
ike_xchg_timer(struct ev_timer *t, void *arg)
{
	struct ike_xchg *x = arg;
	struct ike_sa *sa = x->sa;
	char ep[64];

	if (x->state == IKE_XCHG_DONE) {
		ike_xchg_free(x);
		return;
	}
	if (x->retries >= IKE_RETRANS_N(sa->ike)) {
		ike_xchg_timeout(x);
		return;
	}
	x->retries++;
	sa->ike->st.p2.resend++;
	if (sa->peer != NULL)
		sa->peer->p2.resend++;
	log_event(EV_IKE_RESEND, "phase 2 message to %s resent (%d/%d)",
		  ike_ep_fmt(&sa->remote, ep, sizeof(ep)), x->retries,
		  IKE_RETRANS_N(sa->ike));
	ike_net_send(sa->ike, &sa->local, &sa->remote, x->last_out.data,
		     x->last_out.len);
	ev_timer_start(t, (uint64_t)IKE_RETRANS_MS(sa->ike) << x->retries);
}

/*
 * The hash of a message whose HASH payload starts at "off" and runs
 * prflen bytes: prf(SKEYID_a, M-ID | [Ni_b |] what follows the HASH).
 */
static int
ike_xchg_hash(struct ike_xchg *x, const uint8_t *after, size_t len, int with_ni,
	      uint8_t *out)
{
	struct ike_chunk parts[2];
	int n = 0;

	if (with_ni)
		parts[n++] = (struct ike_chunk){x->ni.data, x->ni.len};
	parts[n++] = (struct ike_chunk){after, len};
	return ike_keys_hash_p2(&x->sa->keys, 0, x->msgid, parts, n, out);
}

/* Fill the HASH placeholder at "off" once the message is complete. */
void
ike_xchg_hash_fill(struct ike_xchg *x, struct ike_build *b, size_t off,
		   int with_ni)
{
	size_t body = off + IKE_GEN_LEN + x->sa->keys.prflen;
	uint8_t h[CRYPTO_HASH_MAX];

	if (b->b.err || body > b->b.len ||
	    ike_xchg_hash(x, b->b.data + body, b->b.len - body, with_ni, h) ==
		-1) {
		b->b.err = 1;
		return;
	}
	memcpy(b->b.data + off + IKE_GEN_LEN, h, x->sa->keys.prflen);
}

/*
 * The first payload must be HASH, and it must cover the rest of the
 * (decrypted) message up to the padding.
 */
int
ike_xchg_hash_check(struct ike_xchg *x, const struct ike_msg *m,
		    const uint8_t *body, size_t len, int with_ni)
{
	const struct ike_pld *h = &m->pld[0];
	uint8_t want[CRYPTO_HASH_MAX];
	size_t after, end = len - m->padding;

	if (m->npld == 0 || h->type != IKE_PLD_HASH ||
	    h->len != x->sa->keys.prflen)
		return -1;
	after = (size_t)(h->body - body) + h->len;
	if (after > end ||
	    ike_xchg_hash(x, body + after, end - after, with_ni, want) == -1)
		return -1;
	return crypto_memeq(want, h->body, h->len) ? 0 : -1;
}
