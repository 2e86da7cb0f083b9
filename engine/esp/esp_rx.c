/*
 * The RX worker: ESP arrives on the raw ESP sockets (IPv4 and IPv6) or
 * inside UDP 4500 next to IKE.  Each packet is looked up by SPI, checked
 * (replay, integrity, padding, next header, the SA's networks), its TCP
 * MSS clamped, and written to its tunnel's TUN device for the kernel to
 * forward: the TCP segments of one flow in one batch merged into one
 * write (esp_gro.c), so that the kernel forwards one packet, not dozens.
 * IKE datagrams met on 4500 go up to the event loop.
 *
 * The kernel reassembles fragmented outer packets before either socket
 * sees them (IPv4 and IPv6 defragment before raw and UDP delivery).
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_dp.h"
#include "esp_gso.h"

#define RX_SLOT	  (9216 + 512)
#define RX_BURSTS 4	      /* recvmmsg calls per wakeup and socket */
#define RX_ESP4	  ((void *)1) /* epoll cookies of the fixed sockets */
#define RX_ESP6	  ((void *)2)

struct rx {
	struct dp_worker *w;
	struct esp_dp *dp;
	struct dp_in *hash[DP_IN_BUCKETS];
	struct dp_udp udp[DP_UDP_MAX];
	int nudp;
	struct mmsghdr msgs[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_storage from[DP_BATCH];
	uint8_t ctl[DP_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	uint8_t (*slot)[RX_SLOT];
	struct esp_gro *gro;	   /* decrypted packets waiting to be written */
	struct dp_tunnel *gro_tun; /* ... all of this tunnel */
};

static struct dp_in **
rx_slot(struct rx *st, uint32_t spi)
{
	struct dp_in **p = &st->hash[(spi * 2654435761u) % DP_IN_BUCKETS];

	while (*p != NULL && (*p)->sa.spi != spi)
		p = &(*p)->hnext;
	return p;
}

static void
rx_drop(struct rx *st, struct dp_tunnel *t, enum esp_drop why)
{
	struct dp_counters *c = t != NULL ? &t->rx : &st->dp->rx_global;

	DP_ADD(c->drops[why], 1);
}

/* One TUN write (a virtio_net_hdr, a packet or a merged train). */
static int
rx_emit(uint8_t *pkt, size_t len, void *arg)
{
	struct rx *st = arg;
	struct dp_tunnel *t = st->gro_tun;

	if (write(t->fd, pkt, len) == (ssize_t)len)
		return 0;
	rx_drop(st, t, ESP_DROP_IO);
	return -1;
}

/* Write what is held: at the end of a batch, or for another tunnel. */
static void
rx_gro_flush(struct rx *st)
{
	if (st->gro_tun != NULL)
		esp_gro_flush(st->gro, rx_emit, st);
	st->gro_tun = NULL;
}

/* One ESP packet: from SPI to the tunnel interface. */
static void
rx_esp(struct rx *st, uint8_t *esp, size_t len)
{
	uint32_t spi = esp_pkt_spi(esp, len);
	struct dp_in *in;
	struct dp_tunnel *t;
	enum esp_drop why;
	uint8_t *inner, nh;
	size_t ilen;

	if (spi == 0) {
		rx_drop(st, NULL, ESP_DROP_SHORT);
		return;
	}
	if ((in = *rx_slot(st, spi)) == NULL) {
		rx_drop(st, NULL, ESP_DROP_NO_SA);
		return;
	}
	t = in->tun;
	if (esp_pkt_decap(&in->sa, esp, len, &inner, &ilen, &nh, &why) == -1) {
		rx_drop(st, t, why);
		return;
	}
	if (!esp_pkt_policy(&in->sa, inner, ilen)) {
		rx_drop(st, t, ESP_DROP_POLICY);
		return;
	}
	if (t->rxset.mss != CONF_MSS_OFF) {
		uint32_t a = DP_GET(t->mss_auto);
		uint32_t m = t->rxset.mss == CONF_MSS_FIXED ? t->rxset.mss_value
			     : a != 0			    ? a
							    : t->rxset.mtu - 40;

		if (esp_mss_clamp(
			inner, ilen,
			(uint16_t)((inner[0] >> 4) == 6 ? m - 20 : m)) == 1)
			DP_ADD(t->rx.mss, 1);
	}
	if (st->gro_tun != t)
		rx_gro_flush(st);
	st->gro_tun = t;
	if (esp_gro_add(st->gro, inner, ilen, rx_emit, st) == -1) {
		rx_drop(st, t, ESP_DROP_MALFORMED);
		return;
	}
	DP_ADD(in->pkts, 1);
	DP_ADD(in->bytes, ilen);
	DP_ADD(t->rx.pkts, 1);
	DP_ADD(t->rx.bytes, ilen);
}

static void
rx_prepare(struct rx *st, int with_ctl)
{
	int i;

	for (i = 0; i < DP_BATCH; i++) {
		st->iov[i].iov_base = st->slot[i];
		st->iov[i].iov_len = RX_SLOT;
		memset(&st->msgs[i], 0, sizeof(st->msgs[i]));
		st->msgs[i].msg_hdr.msg_name = &st->from[i];
		st->msgs[i].msg_hdr.msg_namelen = sizeof(st->from[i]);
		st->msgs[i].msg_hdr.msg_iov = &st->iov[i];
		st->msgs[i].msg_hdr.msg_iovlen = 1;
		if (with_ctl) {
			st->msgs[i].msg_hdr.msg_control = st->ctl[i];
			st->msgs[i].msg_hdr.msg_controllen = sizeof(st->ctl[i]);
		}
	}
}

/* Raw IPv4 ESP: the IP header comes along; skip it. */
static void
rx_esp4(struct rx *st)
{
	int b, i, n;
	size_t ihl, len;

	for (b = 0; b < RX_BURSTS; b++) {
		rx_prepare(st, 0);
		if ((n = recvmmsg(st->dp->esp4, st->msgs, DP_BATCH,
				  MSG_DONTWAIT, NULL)) <= 0)
			return;
		for (i = 0; i < n; i++) {
			uint8_t *p = st->slot[i];

			len = st->msgs[i].msg_len;
			ihl = len > 0 ? (size_t)(p[0] & 0x0f) * 4 : 0;
			if (len < 20 || ihl < 20 || ihl > len ||
			    (st->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
				rx_drop(st, NULL, ESP_DROP_SHORT);
				continue;
			}
			rx_esp(st, p + ihl, len - ihl);
		}
		rx_gro_flush(st);
		if (n < DP_BATCH)
			return;
	}
}

/* Raw IPv6 ESP: the socket delivers the payload alone. */
static void
rx_esp6(struct rx *st)
{
	int b, i, n;

	for (b = 0; b < RX_BURSTS; b++) {
		rx_prepare(st, 0);
		if ((n = recvmmsg(st->dp->esp6, st->msgs, DP_BATCH,
				  MSG_DONTWAIT, NULL)) <= 0)
			return;
		for (i = 0; i < n; i++)
			rx_esp(st, st->slot[i], st->msgs[i].msg_len);
		rx_gro_flush(st);
		if (n < DP_BATCH)
			return;
	}
}

/* An IKE message on 4500 (behind the zero marker): the loop's. */
static void
rx_ike(struct rx *st, const struct dp_udp *u, int i, const uint8_t *p,
       size_t len)
{
	struct dp_up *up;

	if ((up = esp_dp_up_new(DP_UP_IKE, len)) == NULL)
		return;
	memcpy(up->data, p, len);
	up->local = u->bound;
	up->lport = u->port;
	addr_sock_pktinfo(&st->msgs[i].msg_hdr, &up->local);
	addr_sock_from(&st->from[i], &up->remote, &up->rport);
	esp_dp_up_send(st->dp, up);
}

static void
rx_udp(struct rx *st, const struct dp_udp *u)
{
	int b, i, n;
	size_t len;

	for (b = 0; b < RX_BURSTS; b++) {
		rx_prepare(st, 1);
		if ((n = recvmmsg(u->fd, st->msgs, DP_BATCH, MSG_DONTWAIT,
				  NULL)) <= 0)
			return;
		for (i = 0; i < n; i++) {
			uint8_t *p = st->slot[i];

			len = st->msgs[i].msg_len;
			if (len == 1 && p[0] == 0xff)
				continue; /* NAT keepalive */
			if (len >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 &&
			    p[3] == 0)
				rx_ike(st, u, i, p + 4, len - 4);
			else
				rx_esp(st, p, len);
		}
		rx_gro_flush(st);
		if (n < DP_BATCH)
			return;
	}
}

/* --- commands --- */

static void
rx_udp_add(struct rx *st, struct dp_worker *w, const struct dp_cmd *c)
{
	struct epoll_event ee = {.events = EPOLLIN};
	struct dp_udp *u;

	if (st->nudp == DP_UDP_MAX)
		return;
	u = &st->udp[st->nudp++];
	u->fd = c->fd;
	u->bound = c->bound;
	u->port = c->port;
	ee.data.ptr = u;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, u->fd, &ee);
}

static void
rx_udp_del(struct rx *st, struct dp_worker *w, int fd)
{
	struct epoll_event ee = {.events = EPOLLIN};
	int i, j;

	for (i = 0; i < st->nudp; i++) {
		if (st->udp[i].fd != fd)
			continue;
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		for (j = i; j < st->nudp - 1; j++)
			st->udp[j] = st->udp[j + 1];
		st->nudp--;
		break;
	}
	/* The array moved: point epoll at the new places. */
	for (i = 0; i < st->nudp; i++) {
		ee.data.ptr = &st->udp[i];
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, st->udp[i].fd, &ee);
	}
}

static void
rx_in_del(struct rx *st, uint32_t spi)
{
	struct dp_in **p = rx_slot(st, spi), *in = *p;
	struct dp_up *u;

	if (in == NULL)
		return;
	*p = in->hnext;
	if ((u = esp_dp_up_new(DP_UP_FREE_IN, 0)) != NULL) {
		u->obj = in;
		esp_dp_up_send(st->dp, u);
	}
}

static void
rx_tun_del(struct rx *st, const struct dp_tunnel *t)
{
	struct dp_in *in;
	size_t b;

	for (b = 0; b < DP_IN_BUCKETS; b++)
		for (in = st->hash[b]; in != NULL; in = in->hnext)
			if (in->tun == t) {
				rx_in_del(st, in->sa.spi);
				rx_tun_del(st, t); /* the chain moved */
				return;
			}
}

static void
rx_cmd(struct dp_worker *w, struct dp_cmd *c)
{
	struct rx *st = w->priv;
	struct dp_in *in = c->obj, **p;

	switch (c->type) {
	case DP_CMD_TUN_SET:
		((struct dp_tunnel *)c->obj)->rxset = c->set;
		break;
	case DP_CMD_TUN_DEL:
		rx_tun_del(st, c->obj);
		break;
	case DP_CMD_IN_ADD:
		p = rx_slot(st, in->sa.spi);
		if (*p != NULL)
			rx_in_del(st, in->sa.spi);
		p = rx_slot(st, in->sa.spi);
		in->hnext = NULL;
		*p = in;
		break;
	case DP_CMD_IN_DEL:
		rx_in_del(st, c->spi);
		break;
	case DP_CMD_UDP_ADD:
		rx_udp_add(st, w, c);
		break;
	case DP_CMD_UDP_DEL:
		rx_udp_del(st, w, c->fd);
		break;
	case DP_CMD_STOP:
		w->stop = 1;
		break;
	default:
		break;
	}
}

static void
rx_watch(struct dp_worker *w, int fd, void *cookie)
{
	struct epoll_event ee = {.events = EPOLLIN, .data.ptr = cookie};

	if (fd != -1)
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ee);
}

void *
esp_rx_main(void *arg)
{
	struct dp_worker *w = arg;
	struct epoll_event evs[16];
	struct rx *st;
	int i, n;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->slot = calloc(DP_BATCH, RX_SLOT)) == NULL ||
	    (st->gro = esp_gro_new()) == NULL)
		abort(); /* at start: nothing to lose yet */
	st->w = w;
	st->dp = w->dp;
	w->priv = st;
	rx_watch(w, w->wake, NULL);
	rx_watch(w, st->dp->esp4, RX_ESP4);
	rx_watch(w, st->dp->esp6, RX_ESP6);
	while (!w->stop) {
		n = epoll_wait(w->epfd, evs, 16, -1);
		for (i = 0; i < n; i++) {
			void *c = evs[i].data.ptr;

			if (c == NULL) {
				/*
				 * Commands may have removed what later events
				 * of this batch point at: poll afresh (level
				 * triggered, nothing is lost).
				 */
				esp_dp_cmds_run(w, rx_cmd);
				break;
			} else if (c == RX_ESP4)
				rx_esp4(st);
			else if (c == RX_ESP6)
				rx_esp6(st);
			else
				rx_udp(st, c);
		}
	}
	esp_gro_free(st->gro);
	free(st->slot);
	free(st);
	return NULL;
}
