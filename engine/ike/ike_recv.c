/*
 * One datagram from the wire to its exchange: header check, the SA it
 * belongs to (or a new responder SA), retransmission detection, the
 * decryption, the payload chain, and the exchange handler.  Every
 * datagram that goes no further is counted by reason.
 */
#include <string.h>

#include "ike.h"
#include "str.h"

#define IKE_RECV_DIGEST CRYPTO_SHA1

/* Count a drop; log it at info so a flood stays out of notice logs. */
void
ike_drop(struct ike *ike, enum ike_drop why, const struct ike_ep *from,
	 const char *what)
{
	char ep[64];

	ike->st.drops[why]++;
	log_event(EV_IKE_DROP, "dropped message from %s: %s (%s)",
		  ike_ep_fmt(from, ep, sizeof(ep)), ike_wire_drop_name(why),
		  what);
}

static void
ike_recv_digest(const uint8_t *p, size_t n, uint8_t *out)
{
	struct iovec iov = {.iov_base = (void *)(uintptr_t)p, .iov_len = n};

	if (crypto_digest(IKE_RECV_DIGEST, &iov, 1, out) == -1)
		memset(out, 0, CRYPTO_HASH_MAX);
}

/*
 * A copy of the last message seen: the peer lost our reply, if we sent
 * one (see struct ike_dup).  Resend it; the exchange does not move.
 * Returns 1 when the message was a duplicate.
 */
int
ike_recv_dup(struct ike *ike, struct ike_dup *d, const uint8_t *seen,
	     const struct buf *last, const uint8_t *digest,
	     const struct ike_ep *local, const struct ike_ep *remote)
{
	uint64_t now = ev_now(ike->loop);

	if (memcmp(seen, digest, crypto_hash_len(IKE_RECV_DIGEST)) != 0)
		return 0;
	ike->st.drops[IKE_DROP_DUPLICATE]++;
	if (!d->answered || last->len == 0 ||
	    (d->at_ms != 0 && now - d->at_ms < IKE_DUP_MS))
		return 1;
	d->at_ms = now;
	ike_net_send(ike, local, remote, last->data, last->len);
	return 1;
}

/* A first message from an initiator: main or aggressive mode. */
static void
ike_recv_new(struct ike *ike, const struct ike_ep *local,
	     const struct ike_ep *remote, const struct ike_hdr *h, uint8_t *p,
	     size_t n, const uint8_t *digest)
{
	struct ike_msg msg;
	enum ike_drop why;
	struct ike_sa *sa;

	if ((h->exch != IKE_EXCH_ID_PROT && h->exch != IKE_EXCH_AGGRESSIVE) ||
	    h->msgid != 0 || (h->flags & IKE_FLAG_ENC)) {
		ike_drop(ike, IKE_DROP_NO_SA, remote,
			 "no ISAKMP SA for the "
			 "cookies");
		return;
	}
	if (ike->nsas >= IKE_SAS_MAX) {
		ike_drop(ike, IKE_DROP_RATE, remote, "too many ISAKMP SAs");
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.hdr = *h;
	if (ike_wire_chain(h->next, p + IKE_HDR_LEN, n - IKE_HDR_LEN, 0, &msg,
			   &why) == -1) {
		ike_drop(ike, why, remote, "first message");
		return;
	}
	if ((sa = ike_sa_new(ike, NULL, 0, local, remote)) == NULL)
		return;
	memcpy(sa->icookie, h->icookie, IKE_COOKIE_LEN);
	sa->exch = h->exch;
	memcpy(sa->last_in, digest, crypto_hash_len(IKE_RECV_DIGEST));
	if (h->exch == IKE_EXCH_ID_PROT)
		ike_main_input(sa, &msg);
	else
		ike_aggr_input(sa, &msg);
}

/* Decrypt a phase-1 message body; keep the next IV for a commit. */
static int
ike_recv_p1_body(struct ike_sa *sa, const struct ike_hdr *h, uint8_t *p,
		 size_t n, struct ike_msg *msg, uint8_t *next_iv,
		 uint8_t *plain, int *decrypted)
{
	enum ike_drop why;
	uint8_t *body = p + IKE_HDR_LEN;

	*decrypted = 0;
	memset(msg, 0, sizeof(*msg));
	msg->hdr = *h;
	if (h->flags & IKE_FLAG_ENC) {
		if (ike_crypt_decrypt(sa, sa->iv, body, n - IKE_HDR_LEN, plain,
				      next_iv) == -1) {
			ike_drop(sa->ike, IKE_DROP_DECRYPT, &sa->remote,
				 "ciphertext length or no keys yet");
			return -1;
		}
		body = plain;
		*decrypted = 1;
	}
	if (ike_wire_chain(h->next, body, n - IKE_HDR_LEN, *decrypted, msg,
			   &why) == -1) {
		if (*decrypted) {
			/*
			 * Garbage after decryption: the keys differ, which
			 * with a good DH means the pre-shared keys differ.
			 */
			ike_p1_hash_error(sa, "message does not decrypt");
			return -1;
		}
		ike_drop(sa->ike, why, &sa->remote, "phase 1");
		return -1;
	}
	return 0;
}

/*
 * The IV moves to the last ciphertext block before the handler runs, as
 * the handler may already send or finish phase 1 with it; a message the
 * handler refuses (without killing the SA) puts the old IV back.
 */
static void
ike_recv_p1(struct ike_sa *sa, const struct ike_hdr *h, uint8_t *p, size_t n)
{
	uint8_t plain[IKE_MSG_MAX], next_iv[CRYPTO_BLOCK_MAX];
	uint8_t saved_iv[CRYPTO_BLOCK_MAX];
	struct ike_msg msg;
	int decrypted, rv;

	if (h->exch != sa->exch || h->msgid != 0) {
		ike_drop(sa->ike, IKE_DROP_STATE, &sa->remote,
			 "exchange type "
			 "or message id does not fit the SA");
		return;
	}
	if (ike_recv_p1_body(sa, h, p, n, &msg, next_iv, plain, &decrypted) ==
	    -1)
		return;
	memcpy(saved_iv, sa->iv, sizeof(saved_iv));
	if (decrypted)
		memcpy(sa->iv, next_iv, sa->keys.ivlen);
	if (sa->exch == IKE_EXCH_ID_PROT)
		rv = ike_main_input(sa, &msg);
	else
		rv = ike_aggr_input(sa, &msg);
	if (rv == -1 && sa->state != IKE_SA_DEAD)
		memcpy(sa->iv, saved_iv, sizeof(saved_iv));
	crypto_wipe(plain, n);
}

/* The SA a datagram with both cookies belongs to. */
static struct ike_sa *
ike_recv_sa(struct ike *ike, const struct ike_hdr *h,
	    const struct ike_ep *remote)
{
	struct ike_sa *sa;
	static const uint8_t zero[IKE_COOKIE_LEN];

	if ((sa = ike_sa_find(ike, h->icookie, h->rcookie)) != NULL)
		return sa;
	/*
	 * The first answer to our message 1 names the responder cookie; a
	 * refusal in the clear names one too, for an SA it already dropped.
	 */
	if ((sa = ike_sa_find(ike, h->icookie, zero)) == NULL ||
	    !sa->initiator || sa->state == IKE_SA_DEAD ||
	    !addr_eq(&sa->remote.addr, &remote->addr))
		return NULL;
	if (h->exch == sa->exch) {
		memcpy(sa->rcookie, h->rcookie, IKE_COOKIE_LEN);
		return sa;
	}
	if (h->exch == IKE_EXCH_INFO && !(h->flags & IKE_FLAG_ENC))
		return sa;
	return NULL;
}

/*
 * The peer moved to port 4500 (RFC 3947 port floating), or its NAT gave
 * it a new mapping: follow it, but only for messages of this SA.
 */
static void
ike_recv_follow(struct ike_sa *sa, const struct ike_ep *local,
		const struct ike_ep *remote)
{
	if (local->port == IKE_NATT_PORT && !sa->floated) {
		sa->floated = 1;
		sa->local.port = IKE_NATT_PORT;
	}
	if (sa->floated && remote->port != sa->remote.port)
		sa->remote.port = remote->port;
}

static void
ike_recv_known(struct ike *ike, struct ike_sa *sa, const struct ike_hdr *h,
	       uint8_t *p, size_t n, const uint8_t *digest,
	       const struct ike_ep *local, const struct ike_ep *remote)
{
	if (h->exch == IKE_EXCH_ID_PROT || h->exch == IKE_EXCH_AGGRESSIVE) {
		if (ike_recv_dup(ike, &sa->dup, sa->last_in, &sa->last_out,
				 digest, &sa->local, &sa->remote))
			return;
		ike_recv_follow(sa, local, remote);
		memcpy(sa->last_in, digest, crypto_hash_len(IKE_RECV_DIGEST));
		sa->dup.answered = 0;
		ike_recv_p1(sa, h, p, n);
		return;
	}
	if (h->exch == IKE_EXCH_INFO && !(h->flags & IKE_FLAG_ENC)) {
		struct ike_msg msg;
		enum ike_drop why;

		memset(&msg, 0, sizeof(msg));
		msg.hdr = *h;
		if (ike_wire_chain(h->next, p + IKE_HDR_LEN, n - IKE_HDR_LEN, 0,
				   &msg, &why) == -1) {
			ike_drop(ike, why, remote, "informational");
			return;
		}
		ike_info_input_clear(ike, &msg, remote);
		return;
	}
	if (sa->state != IKE_SA_ESTABLISHED || !(h->flags & IKE_FLAG_ENC)) {
		ike_drop(ike, IKE_DROP_STATE, remote,
			 "phase-2 or "
			 "informational message without an established SA");
		return;
	}
	ike_recv_follow(sa, local, remote);
	if (h->exch == IKE_EXCH_QUICK)
		ike_quick_input(sa, h, p, n, digest);
	else
		ike_info_input(sa, h, p, n);
}

void
ike_recv(struct ike *ike, const struct ike_ep *local,
	 const struct ike_ep *remote, uint8_t *p, size_t n)
{
	static const uint8_t zero[IKE_COOKIE_LEN];
	uint8_t digest[CRYPTO_HASH_MAX];
	struct ike_hdr h;
	enum ike_drop why;
	struct ike_sa *sa;

	ike->st.rx++;
	if (ike_wire_hdr(p, n, &h, &why) == -1) {
		ike_drop(ike, why, remote, "header");
		return;
	}
	if (h.flags & IKE_FLAG_COMMIT)
		log_debug(LOG_SUB_IKE, "commit bit set by peer: ignored");
	ike_recv_digest(p, n, digest);
	if (memcmp(h.rcookie, zero, IKE_COOKIE_LEN) == 0) {
		/* A resent first message, or a new negotiation. */
		sa = ike_sa_find_half(ike, h.icookie, remote);
		if (sa != NULL && !sa->initiator) {
			ike_recv_dup(ike, &sa->dup, sa->last_in, &sa->last_out,
				     digest, &sa->local, &sa->remote);
			return;
		}
		if (sa != NULL && h.exch == IKE_EXCH_INFO) {
			/* Refused before the responder chose a cookie. */
			ike_recv_known(ike, sa, &h, p, n, digest, local,
				       remote);
			return;
		}
		ike_recv_new(ike, local, remote, &h, p, n, digest);
		return;
	}
	if ((sa = ike_recv_sa(ike, &h, remote)) == NULL) {
		ike_drop(ike, IKE_DROP_NO_SA, remote, "unknown cookies");
		return;
	}
	sa->last_rx_ms = ev_now(ike->loop);
	ike_recv_known(ike, sa, &h, p, n, digest, local, remote);
}
