/*
 * The TX worker: packets the kernel routes into a tunnel interface come
 * out of its TUN descriptor, get their TCP MSS clamped, are fragmented
 * before or after encryption as the tunnel says (or refused with ICMP
 * "too big"), are encrypted under the tunnel's outbound SA and leave in
 * batches (sendmmsg): raw ESP, or ESP in UDP 4500 when NAT traversal is
 * in use.  Outer IPv4 headers are ours (DF by policy, our own
 * fragments); over IPv6 the kernel writes the header and fragments.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "be.h"
#include "esp_dp.h"
#include "esp_gso.h"

#define TX_SLOT	 (9216 + 256) /* an outer packet: jumbo path MTU max */
#define TX_READS 32	      /* TUN reads per tunnel per wakeup */

struct tx {
	struct dp_worker *w;
	struct esp_dp *dp;
	struct mmsghdr msgs[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_in6 to[DP_BATCH]; /* or a sockaddr_in */
	int fd[DP_BATCH];
	uint8_t cm[DP_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	uint8_t (*slot)[TX_SLOT];
	int n;
	uint16_t ipid;
	uint64_t now;
	uint8_t in[ESP_GSO_READ_MAX]; /* one TUN read: up to 64 KiB of TCP */
	uint8_t seg[ESP_GSO_PKT_MAX]; /* one segment cut from it */
	uint8_t big[DP_BUF];	      /* an outer packet to fragment */
	uint8_t icmp[ESP_TUN_HDR + 1500]; /* too-big, for a TUN write */
	struct dp_tunnel *cur; /* the tunnel whose packet is in hand */
	struct dp_out *curo;
	struct dp_tunnel *tuns[256]; /* TX's own list (not control's) */
	int ntuns;
};

/* Each run of packets for one socket in one call. */
static void
tx_flush(struct tx *st)
{
	int i = 0, j, n;

	while (i < st->n) {
		for (j = i + 1; j < st->n && st->fd[j] == st->fd[i]; j++)
			;
		n = sendmmsg(st->fd[i], st->msgs + i, (unsigned)(j - i), 0);
		if (n <= 0) {
			/* The message at i failed: count it, go on. */
			if (st->cur != NULL)
				DP_ADD(st->cur->tx.drops[ESP_DROP_IO], 1);
			i++;
			continue;
		}
		i += n;
	}
	st->n = 0;
}

/* Over IPv6, the kernel's header: to the peer, from the SA's address. */
static void
tx_addr6(struct tx *st, int i, const struct dp_out *o)
{
	struct msghdr *mh = &st->msgs[i].msg_hdr;
	struct in6_pktinfo pi;
	struct cmsghdr *cm;

	memset(&st->to[i], 0, sizeof(st->to[i]));
	st->to[i].sin6_family = AF_INET6;
	st->to[i].sin6_addr = o->dst.v6;
	mh->msg_namelen = sizeof(struct sockaddr_in6);
	mh->msg_control = st->cm[i];
	mh->msg_controllen = sizeof(st->cm[i]);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_addr = o->src.v6;
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	st->fd[i] = o->dport ? st->dp->udp6 : st->dp->esp6;
}

/* Queue one outer packet (already in a slot or copied into one). */
static int
tx_queue(const uint8_t *pkt, size_t len, void *arg)
{
	struct tx *st = arg;
	struct dp_out *o = st->curo;
	struct sockaddr_in *sin;
	int i;

	if (len > TX_SLOT)
		return -1;
	if (st->n == DP_BATCH)
		tx_flush(st);
	i = st->n++;
	if (pkt != st->slot[i])
		memcpy(st->slot[i], pkt, len);
	st->iov[i].iov_base = st->slot[i];
	st->iov[i].iov_len = len;
	memset(&st->msgs[i], 0, sizeof(st->msgs[i]));
	st->msgs[i].msg_hdr.msg_name = &st->to[i];
	st->msgs[i].msg_hdr.msg_iov = &st->iov[i];
	st->msgs[i].msg_hdr.msg_iovlen = 1;
	if (o->family == AF_INET6) {
		tx_addr6(st, i, o);
		return 0;
	}
	sin = (struct sockaddr_in *)&st->to[i];
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr = o->dst.v4;
	st->msgs[i].msg_hdr.msg_namelen = sizeof(*sin);
	st->fd[i] = st->dp->raw4;
	return 0;
}

static int
tx_queue_frag(const uint8_t *pkt, size_t len, void *arg)
{
	struct tx *st = arg;

	DP_ADD(st->cur->tx.frags, 1);
	return tx_queue(pkt, len, arg);
}

/* The outer header: IPv4 with DF by policy, then UDP for NAT-T. */
static void
tx_ip4(struct tx *st, const struct dp_out *o, const uint8_t *inner, uint8_t *h,
       size_t total)
{
	const struct dp_tunset *set = &o->tun->txset;
	int inner_df = (inner[0] >> 4) == 6 || esp_frag_df(inner, 20);
	int df =
	    set->df == CONF_DF_SET || (set->df == CONF_DF_COPY && inner_df);
	uint8_t tos = (inner[0] >> 4) == 4
			  ? inner[1]
			  : (uint8_t)((inner[0] << 4) | (inner[1] >> 4));
	size_t udp = total - 20;

	h[0] = 0x45;
	h[1] = tos;
	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	st->ipid++;
	h[4] = (uint8_t)(st->ipid >> 8);
	h[5] = (uint8_t)st->ipid;
	h[6] = df ? 0x40 : 0;
	h[7] = 0;
	h[8] = 64;
	h[9] = o->dport ? IPPROTO_UDP : IPPROTO_ESP;
	memcpy(h + 12, &o->src.v4, 4);
	memcpy(h + 16, &o->dst.v4, 4);
	esp_csum_ip4(h);
	if (o->dport == 0)
		return;
	/* RFC 3948 2.1: the UDP checksum of ESP in UDP over IPv4 is zero. */
	h[20] = (uint8_t)(o->sport >> 8);
	h[21] = (uint8_t)o->sport;
	h[22] = (uint8_t)(o->dport >> 8);
	h[23] = (uint8_t)o->dport;
	h[24] = (uint8_t)(udp >> 8);
	h[25] = (uint8_t)udp;
	h[26] = h[27] = 0;
}

/*
 * Over IPv6: the UDP header for NAT-T (its checksum the kernel's, as
 * IPv6 requires one), and the fragments the kernel will make of what
 * exceeds the path MTU, counted as ours would be.
 */
static void
tx_ip6(struct tx *st, const struct dp_out *o, uint8_t *h, size_t total)
{
	size_t per = (o->pmtu - 40 - 8) & ~(size_t)7;

	if (total + 40 > o->pmtu && per > 0)
		DP_ADD(st->cur->tx.frags, (total + per - 1) / per);
	if (o->dport == 0)
		return;
	be_put16(h, o->sport);
	be_put16(h + 2, o->dport);
	be_put16(h + 4, (uint16_t)total);
	be_put16(h + 6, 0);
}

static void
tx_up(struct tx *st, enum dp_up_type type, uint32_t spi)
{
	struct dp_up *u;

	if ((u = esp_dp_up_new(type, 0)) != NULL) {
		u->spi = spi;
		esp_dp_up_send(st->dp, u);
	}
}

/* Near the end of its volume or sequence numbers: time to rekey. */
static void
tx_limits(struct tx *st, struct dp_out *o)
{
	if (!o->soft_sent &&
	    (o->sa.seq >= ESP_SEQ_SOFT ||
	     (o->life_bytes && o->bytes >= o->life_bytes / 10 * 9))) {
		o->soft_sent = 1;
		tx_up(st, DP_UP_REKEY, o->sa.spi);
	}
	if (!o->hard_sent && o->life_bytes && o->bytes >= o->life_bytes) {
		o->hard_sent = 1;
		tx_up(st, DP_UP_EXPIRE, o->sa.spi);
	}
}

/* Encrypt one inner packet under "o" and queue it (fragmenting after). */
static int
tx_encap(const uint8_t *p, size_t len, void *arg)
{
	struct tx *st = arg;
	struct dp_out *o = st->curo;
	struct dp_tunnel *t = st->cur;
	uint8_t nh = (p[0] >> 4) == 6 ? ESP_NH_IPV6 : ESP_NH_IPV4;
	size_t esplen, total, olen;
	uint8_t *buf;
	int direct;

	if (st->n == DP_BATCH)
		tx_flush(st);
	/*
	 * Straight into a send slot, unless it needs fragmenting by us (over
	 * IPv6 the kernel fragments: a slot holds the largest tunnel MTU).
	 */
	olen = o->ovh + len + esp_pkt_overhead(&o->sa, len);
	direct = o->family == AF_INET6 ? olen <= TX_SLOT : olen <= o->pmtu;
	buf = direct ? st->slot[st->n] : st->big;
	if (esp_pkt_encap(&o->sa, p, len, nh, buf + o->hdrlen,
			  (direct ? TX_SLOT : sizeof(st->big)) - o->hdrlen,
			  &esplen) == -1) {
		DP_ADD(t->tx.drops[ESP_DROP_SEQ_EXHAUSTED], 1);
		if (!o->hard_sent) {
			o->hard_sent = 1;
			tx_up(st, DP_UP_EXPIRE, o->sa.spi);
		}
		return -1;
	}
	total = o->hdrlen + esplen;
	if (o->family == AF_INET6)
		tx_ip6(st, o, buf, total);
	else
		tx_ip4(st, o, p, buf, total);
	if (direct)
		tx_queue(buf, total, st);
	else if (esp_frag_ipv4(buf, total, o->pmtu, tx_queue_frag, st) == -1)
		DP_ADD(t->tx.drops[ESP_DROP_TOO_BIG], 1);
	DP_ADD(o->pkts, 1);
	DP_ADD(o->bytes, len);
	DP_ADD(t->tx.pkts, 1);
	DP_ADD(t->tx.bytes, len);
	tx_limits(st, o);
	return 0;
}

/*
 * DF set (or IPv6) and too big: tell the sender the MTU that fits.  An
 * IPv4 router with an address in the LAN sends it from that address, as
 * any router would; otherwise (and for IPv6) the message comes out of
 * the tunnel interface in the name of the unreachable destination, the
 * only source the kernel accepts from there (a local one is a martian).
 */
static void
tx_icmp(struct tx *st, struct dp_tunnel *t, const uint8_t *p, size_t len,
	size_t mtu)
{
	int v6 = (p[0] >> 4) == 6,
	    own = !v6 && t->txset.icmp_src4.family == AF_INET;
	struct sockaddr_in to;
	struct addr from;
	size_t n;

	if (own) {
		from = t->txset.icmp_src4;
	} else {
		memset(&from, 0, sizeof(from));
		from.family = v6 ? AF_INET6 : AF_INET;
		memcpy(from.bytes, p + (v6 ? 24 : 16), v6 ? 16 : 4);
	}
	DP_ADD(t->tx.drops[ESP_DROP_TOO_BIG], 1);
	n = esp_frag_icmp_too_big(p, len, &from, (uint32_t)mtu,
				  st->icmp + ESP_TUN_HDR,
				  sizeof(st->icmp) - ESP_TUN_HDR);
	if (n == 0)
		return;
	if (own) {
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		memcpy(&to.sin_addr, p + 12, 4);
		if (sendto(st->dp->raw4, st->icmp + ESP_TUN_HDR, n, 0,
			   (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n)
			DP_ADD(t->tx.icmp, 1);
		return;
	}
	/* A plain packet for the TUN: a virtio_net_hdr of zeros first. */
	memset(st->icmp, 0, ESP_TUN_HDR);
	if (write(t->fd, st->icmp, ESP_TUN_HDR + n) ==
	    (ssize_t)(ESP_TUN_HDR + n))
		DP_ADD(t->tx.icmp, 1);
}

/*
 * Bigger than one outer packet can carry, the tunnel's "fragment" says:
 * post encrypts and fragments the outer packet (DF or not); pre and off
 * fragment the inner IPv4 packet first, pre even when DF is set; what is
 * left (DF with "off", or IPv6 inside) gets ICMP "too big".
 */
static void
tx_too_big(struct tx *st, struct dp_tunnel *t, struct dp_out *o,
	   const uint8_t *p, size_t len)
{
	int v6 = (p[0] >> 4) == 6, n;
	enum conf_frag f = t->txset.frag;

	if (f == CONF_FRAG_POST) {
		tx_encap(p, len, st);
		return;
	}
	if (!v6 && (f == CONF_FRAG_PRE || !esp_frag_df(p, len))) {
		if ((n = esp_frag_ipv4(p, len, o->inner_max, tx_encap, st)) > 0)
			DP_ADD(t->tx.frags, (uint64_t)n);
		return;
	}
	tx_icmp(st, t, p, len, o->inner_max);
}

/* --- the outbound SA for a packet; rekey hand-over --- */

static int
tx_pair(const struct dp_out *a, const struct dp_out *b)
{
	return prefix_eq(&a->sa.local, &b->sa.local) &&
	       prefix_eq(&a->sa.remote, &b->sa.remote);
}

static void
tx_unlink(struct tx *st, struct dp_tunnel *t, struct dp_out *o)
{
	struct dp_out **pp;
	struct dp_up *u;

	for (pp = &t->outs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	if ((u = esp_dp_up_new(DP_UP_FREE_OUT, 0)) != NULL) {
		u->obj = o;
		esp_dp_up_send(st->dp, u);
	}
}

/*
 * The newest SA of the pair whose hand-over time has come; an older one
 * deleted while it waited goes now.
 */
static void
tx_activate(struct tx *st, struct dp_tunnel *t, struct dp_out *o)
{
	struct dp_out *x, *next;

	o->activate_ms = 0;
	for (x = t->outs; x != NULL; x = next) {
		next = x->next;
		if (x != o && x->retire && tx_pair(x, o))
			tx_unlink(st, t, x);
	}
}

/*
 * The SA "o" takes over from is spent (volume or sequence numbers): no
 * waiting for the hand-over time, the new one is all there is.
 */
static int
tx_spent_pair(const struct dp_tunnel *t, const struct dp_out *o)
{
	const struct dp_out *x;

	for (x = t->outs; x != NULL; x = x->next)
		if (x != o && x->hard_sent && tx_pair(x, o))
			return 1;
	return 0;
}

static void
tx_addrs(const uint8_t *p, struct addr *s, struct addr *d)
{
	int v6 = (p[0] >> 4) == 6;

	memset(s, 0, sizeof(*s));
	memset(d, 0, sizeof(*d));
	s->family = d->family = v6 ? AF_INET6 : AF_INET;
	memcpy(s->bytes, p + (v6 ? 8 : 12), v6 ? 16 : 4);
	memcpy(d->bytes, p + (v6 ? 24 : 16), v6 ? 16 : 4);
}

static int
tx_match(const struct dp_out *o, const uint8_t *p, size_t len)
{
	struct addr s, d;

	tx_addrs(p, &s, &d);
	return prefix_contains(&o->sa.local, &s) &&
	       prefix_contains(&o->sa.remote, &d);
}

/*
 * Is the packet one the tunnel carries at all?  The kernel sends its own
 * (IPv6 router solicitations, MLD) into every interface: those must not
 * start a negotiation.
 */
static int
tx_ours(const struct dp_tunnel *t, const uint8_t *p)
{
	const struct dp_tunset *set = &t->txset;
	struct addr s, d;
	int i, j;

	tx_addrs(p, &s, &d);
	for (i = 0; i < set->nlocal; i++)
		if (prefix_contains(&set->local[i], &s))
			for (j = 0; j < set->nremote; j++)
				if (prefix_contains(&set->remote[j], &d))
					return 1;
	return 0;
}

static struct dp_out *
tx_select(struct tx *st, struct dp_tunnel *t, const uint8_t *p, size_t len)
{
	struct dp_out *o, *best = NULL;

	/* Newest first: the list is kept with the latest at its head. */
	for (o = t->outs; o != NULL; o = o->next) {
		if (!tx_match(o, p, len) || o->hard_sent)
			continue; /* a spent SA never carries another packet */
		if (o->activate_ms != 0 &&
		    (o->activate_ms <= st->now || tx_spent_pair(t, o)))
			tx_activate(st, t, o);
		if (o->activate_ms == 0 && !o->retire) {
			best = o;
			break;
		}
		if (best == NULL && o->activate_ms == 0)
			best = o; /* retiring, but still the one */
	}
	return best;
}

/*
 * What waited longer than DP_PENDING_MS goes: a negotiation that takes
 * so long has failed, and a packet that old is of no use to anyone.
 */
static void
tx_pend_expire(struct dp_tunnel *t, uint64_t now)
{
	int i, n = 0;

	while (n < t->npend && now - t->pend[n].at_ms >= DP_PENDING_MS)
		free(t->pend[n++].pkt);
	if (n == 0)
		return;
	DP_ADD(t->tx.drops[ESP_DROP_QUEUE_EXPIRED], (uint64_t)n);
	for (i = n; i < t->npend; i++)
		t->pend[i - n] = t->pend[i];
	t->npend -= n;
}

/* No SA yet: keep a few packets and ask IKE for one. */
static void
tx_pend(struct tx *st, struct dp_tunnel *t, const uint8_t *p, size_t len)
{
	struct dp_up *u;
	uint8_t *copy;

	tx_pend_expire(t, st->now);
	if (t->npend == DP_PENDING_MAX || (copy = malloc(len)) == NULL) {
		DP_ADD(t->tx.drops[ESP_DROP_QUEUE_FULL], 1);
	} else {
		memcpy(copy, p, len);
		t->pend[t->npend].pkt = copy;
		t->pend[t->npend].at_ms = st->now;
		t->pend[t->npend++].len = len;
	}
	if (st->now - t->acquire_ms < 1000)
		return;
	t->acquire_ms = st->now;
	if ((u = esp_dp_up_new(DP_UP_ACQUIRE, 0)) != NULL) {
		memcpy(u->tunnel, t->name, sizeof(u->tunnel));
		esp_dp_up_send(st->dp, u);
	}
}

static uint16_t
tx_mss(const struct dp_tunnel *t, const struct dp_out *o, int v6)
{
	uint32_t m =
	    t->txset.mss == CONF_MSS_FIXED ? t->txset.mss_value : o->mss4;

	return (uint16_t)(v6 ? m - 20 : m);
}

static void
tx_packet(struct tx *st, struct dp_tunnel *t, uint8_t *p, size_t len)
{
	struct dp_out *o;
	int v = p[0] >> 4;

	st->cur = t;
	if (len < 20 || (v != 4 && v != 6) || (v == 6 && len < 40)) {
		DP_ADD(t->tx.drops[ESP_DROP_MALFORMED], 1);
		return;
	}
	if (!tx_ours(t, p)) {
		DP_ADD(t->tx.drops[ESP_DROP_NO_ROUTE], 1);
		return;
	}
	if ((o = tx_select(st, t, p, len)) == NULL) {
		tx_pend(st, t, p, len);
		return;
	}
	st->curo = o;
	if (t->txset.mss != CONF_MSS_OFF &&
	    esp_mss_clamp(p, len, tx_mss(t, o, v == 6)) == 1)
		DP_ADD(t->tx.mss, 1);
	if (len > o->inner_max)
		tx_too_big(st, t, o, p, len);
	else
		tx_encap(p, len, st);
}

static int
tx_segment(uint8_t *p, size_t len, void *arg)
{
	struct tx *st = arg;

	tx_packet(st, st->cur, p, len);
	return 0;
}

/* Each read: one packet, or a TCP train the kernel did not cut. */
static void
tx_drain(struct tx *st, struct dp_tunnel *t)
{
	enum esp_drop why;
	ssize_t n;
	int i;

	for (i = 0; i < TX_READS; i++) {
		if ((n = read(t->fd, st->in, sizeof(st->in))) <= 0)
			break;
		st->cur = t;
		if (esp_gso_split(st->in, (size_t)n, st->seg, sizeof(st->seg),
				  tx_segment, st, &why) == -1)
			DP_ADD(t->tx.drops[why], 1);
	}
}

/* An SA arrived: what waited for it leaves now. */
static void
tx_flush_pending(struct tx *st, struct dp_tunnel *t)
{
	struct dp_pending pend[DP_PENDING_MAX];
	int i, n;

	tx_pend_expire(t, st->now);
	n = t->npend;
	memcpy(pend, t->pend, sizeof(pend));
	t->npend = 0;
	for (i = 0; i < n; i++) {
		tx_packet(st, t, pend[i].pkt, pend[i].len);
		free(pend[i].pkt);
	}
}

/* --- commands --- */

/* Sizes that follow from the SA and the path: computed once per SA. */
static void
tx_out_sizes(struct dp_out *o)
{
	size_t iv = crypto_esp_ivlen(o->sa.cx),
	       icv = crypto_esp_icvlen(o->sa.cx);
	size_t align = crypto_esp_align(o->sa.cx), avail;

	o->hdrlen = (o->family == AF_INET ? 20 : 0) + (o->dport ? 8 : 0);
	o->ovh = (o->family == AF_INET ? 20 : 40) + (o->dport ? 8 : 0);
	avail = o->pmtu - o->ovh - ESP_HDR_LEN - iv - icv;
	o->inner_max = avail / align * align - ESP_TRAILER_MIN;
	if (o->inner_max > o->tun->txset.mtu)
		o->inner_max = o->tun->txset.mtu;
	o->mss4 = (uint16_t)(o->inner_max - 40);
	/* The other direction clamps to the same: RX reads it. */
	__atomic_store_n(&o->tun->mss_auto, o->mss4, __ATOMIC_RELAXED);
}

static void
tx_out_add(struct tx *st, struct dp_out *o)
{
	struct dp_tunnel *t = o->tun;
	struct dp_out *x;

	tx_out_sizes(o);
	o->activate_ms = 0;
	for (x = t->outs; x != NULL; x = x->next)
		if (tx_pair(x, o) && !x->retire)
			o->activate_ms = st->now + DP_SWITCH_MS;
	o->next = t->outs;
	t->outs = o;
	if (o->activate_ms == 0)
		tx_flush_pending(st, t);
}

static void
tx_out_del(struct tx *st, uint32_t spi, struct dp_tunnel *t)
{
	struct dp_out *o, *x;

	for (o = t->outs; o != NULL; o = o->next)
		if (o->sa.spi == spi)
			break;
	if (o == NULL)
		return;
	/* A successor waits for its hand-over: keep sending until then. */
	for (x = t->outs; x != NULL; x = x->next)
		if (x != o && x->activate_ms != 0 && tx_pair(x, o)) {
			o->retire = 1;
			return;
		}
	tx_unlink(st, t, o);
}

static void
tx_tun_add(struct tx *st, struct dp_worker *w, struct dp_tunnel *t)
{
	struct epoll_event ee = {.events = EPOLLIN, .data.ptr = t};

	if (st->ntuns == (int)(sizeof(st->tuns) / sizeof(st->tuns[0])))
		return;
	st->tuns[st->ntuns++] = t;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, t->fd, &ee);
}

static void
tx_tun_del(struct tx *st, struct dp_worker *w, struct dp_tunnel *t)
{
	int i;

	epoll_ctl(w->epfd, EPOLL_CTL_DEL, t->fd, NULL);
	while (t->outs != NULL)
		tx_unlink(st, t, t->outs);
	for (i = 0; i < st->ntuns; i++)
		if (st->tuns[i] == t)
			st->tuns[i] = st->tuns[--st->ntuns];
	if (st->cur == t)
		st->cur = NULL;
}

static void
tx_cmd(struct dp_worker *w, struct dp_cmd *c)
{
	struct tx *st = w->priv;
	struct dp_tunnel *t = c->obj;
	int i;

	st->now = esp_dp_now_ms();
	switch (c->type) {
	case DP_CMD_TUN_ADD:
		tx_tun_add(st, w, t);
		break;
	case DP_CMD_TUN_DEL:
		tx_tun_del(st, w, t);
		break;
	case DP_CMD_TUN_SET:
		t->txset = c->set;
		break;
	case DP_CMD_OUT_ADD:
		tx_out_add(st, c->obj);
		tx_flush(st);
		break;
	case DP_CMD_OUT_DEL:
		for (i = 0; i < st->ntuns; i++)
			tx_out_del(st, c->spi, st->tuns[i]);
		break;
	case DP_CMD_STOP:
		w->stop = 1;
		break;
	default:
		break;
	}
}

void *
esp_tx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct epoll_event evs[16], ee = {.events = EPOLLIN};
	struct tx *st;
	int i, n;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->slot = calloc(DP_BATCH, TX_SLOT)) == NULL)
		abort(); /* at start: nothing to lose yet */
	st->w = w;
	st->dp = w->dp;
	w->priv = st;
	ee.data.ptr = NULL;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake, &ee);
	while (!w->stop) {
		n = epoll_wait(w->epfd, evs, 16, 500);
		st->now = esp_dp_now_ms();
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				/* A deleted tunnel may be in this batch. */
				esp_dp_cmds_run(w, tx_cmd);
				break;
			}
			tx_drain(st, evs[i].data.ptr);
		}
		tx_flush(st);
	}
	free(st->slot);
	free(st);
	return NULL;
}
