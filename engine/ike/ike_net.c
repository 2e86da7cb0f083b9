/*
 * IKE sockets: UDP 500 and 4500 (NAT traversal) per address family, or
 * per configured local address.  Datagrams on 4500 carry a four-byte
 * non-ESP marker in front of IKE (RFC 3948); a lone 0xff byte is a NAT
 * keepalive; anything else there is ESP for the data plane.
 *
 * A socket that cannot be opened (address in use, address not yet
 * configured) does not stop the daemon: the error is logged, shown by
 * "show ike statistics", and the sockets are retried periodically.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ike.h"
#include "str.h"

#define IKE_NET_BURST	 64 /* datagrams per wakeup */
#define IKE_NET_RETRY_MS 30000

char *
ike_ep_fmt(const struct ike_ep *ep, char *out, size_t len)
{
	char a[ADDR_STR_MAX];

	if (ep->addr.family == AF_INET6)
		snprintf(out, len, "[%s]:%u", addr_fmt(&ep->addr, a, sizeof(a)),
			 ep->port);
	else
		snprintf(out, len, "%s:%u", addr_fmt(&ep->addr, a, sizeof(a)),
			 ep->port);
	return out;
}

static void
ike_net_datagram(struct ike *ike, struct ike_sock *s, uint8_t *p, size_t n,
		 const struct ike_ep *local, const struct ike_ep *remote)
{
	if (s->port != IKE_NATT_PORT) {
		ike_recv(ike, local, remote, p, n);
		return;
	}
	if (n == 1 && p[0] == 0xff)
		return; /* NAT keepalive: it has done its job */
	if (n >= IKE_NATT_MARKER_LEN && p[0] == 0 && p[1] == 0 && p[2] == 0 &&
	    p[3] == 0) {
		ike_recv(ike, local, remote, p + IKE_NATT_MARKER_LEN,
			 n - IKE_NATT_MARKER_LEN);
		return;
	}
	/* ESP in UDP: the data plane's, once it exists. */
	ike->st.esp_unhandled++;
}

static void
ike_net_read(struct ev_io *io, int fd, uint32_t events, void *arg)
{
	struct ike_sock *s = arg;
	uint8_t buf[IKE_MSG_MAX + IKE_NATT_MARKER_LEN];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage from;
	struct ike_ep local, remote;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;
	int i;

	(void)io;
	(void)events;
	for (i = 0; i < IKE_NET_BURST; i++) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) == -1)
			break;
		addr_sock_from(&from, &remote.addr, &remote.port);
		memset(&local, 0, sizeof(local));
		local.addr = s->bound;
		local.port = s->port;
		/* our address as the peer sent to it: NAT-D needs it */
		addr_sock_pktinfo(&mh, &local.addr);
		ike_net_datagram(s->ike, s, buf, (size_t)n, &local, &remote);
	}
}

/* --- opening and closing --- */

static int
ike_net_socket(int family, const struct addr *bind_addr, uint16_t port,
	       char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct addr any;
	socklen_t sl;
	int fd, one = 1;

	/*
	 * No SO_REUSEADDR: a second daemon on the same address must fail
	 * loudly rather than share (and steal) our datagrams.
	 */
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (family == AF_INET6) {
		/* One socket per family: v4 is served by its own. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			       sizeof(one)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			       sizeof(one)) == -1)
			goto fail;
		/* An address that is not up yet (PPPoE) binds anyway. */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one,
				 sizeof(one));
	} else {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ==
		    -1)
			goto fail;
		(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one,
				 sizeof(one));
	}
	memset(&any, 0, sizeof(any));
	any.family = (sa_family_t)family;
	sl = addr_sock_to(bind_addr->family ? bind_addr : &any, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s", strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

static int
ike_net_have(struct ike *ike, int family, const struct addr *a, uint16_t port)
{
	int i;

	for (i = 0; i < ike->nsocks; i++)
		if (ike->socks[i].family == family &&
		    ike->socks[i].port == port &&
		    addr_eq(&ike->socks[i].bound, a))
			return 1;
	return 0;
}

static int
ike_net_add(struct ike *ike, int family, const struct addr *a, uint16_t port)
{
	char err[96], as[ADDR_STR_MAX];
	struct ike_sock *s;
	int fd;

	if (ike_net_have(ike, family, a, port))
		return 0;
	if (ike->nsocks == IKE_SOCKS_MAX)
		return -1;
	if ((fd = ike_net_socket(family, a, port, err, sizeof(err))) == -1) {
		snprintf(ike->sock_error, sizeof(ike->sock_error),
			 "UDP %s port %u: %s",
			 a->family	     ? addr_fmt(a, as, sizeof(as))
			 : family == AF_INET ? "0.0.0.0"
					     : "::",
			 port, err);
		log_event(EV_IKE_SOCKET,
			  "cannot open IKE socket %s; retrying "
			  "every %ds",
			  ike->sock_error, IKE_NET_RETRY_MS / 1000);
		return -1;
	}
	s = &ike->socks[ike->nsocks];
	memset(s, 0, sizeof(*s));
	s->ike = ike;
	s->fd = fd;
	s->family = family;
	s->port = port;
	s->bound = *a;
	if (port == IKE_NATT_PORT && ike->has_udp_hook) {
		if (ike->udp_hook.add(ike->udp_hook.arg, fd, a, port) == -1) {
			close(fd);
			return -1;
		}
	} else if ((s->io = ev_io_new(ike->loop, fd, EPOLLIN, ike_net_read,
				      s)) == NULL) {
		close(fd);
		return -1;
	}
	ike->nsocks++;
	return 0;
}

/*
 * What the configuration needs: a wildcard socket per family used by a
 * peer without local-address, else one per configured local address.
 */
static int ike_net_is_wild(const struct addr *);

/*
 * A family's wildcard socket serves all its addresses (IP_PKTINFO gives
 * the destination); a specific socket next to it would not even bind.
 */
static int
ike_net_prune(struct addr *want, int n)
{
	int i, j, k = 0, wild;

	for (i = 0; i < n; i++) {
		wild = 0;
		for (j = 0; j < n; j++)
			wild |= want[j].family == want[i].family &&
				ike_net_is_wild(&want[j]);
		if (!wild || ike_net_is_wild(&want[i]))
			want[k++] = want[i];
	}
	return k;
}

static void
ike_net_want_one(struct addr *want, int *n, int max, const struct addr *a)
{
	int i;

	for (i = 0; i < *n; i++)
		if (addr_eq(&want[i], a))
			return;
	if (*n < max)
		want[(*n)++] = *a;
}

/*
 * What the configuration needs: a wildcard socket (marked by an all-zero
 * address) per family used by a peer without local-address, else one per
 * configured local address.  "address any" peers may come from either
 * family.
 */
static int
ike_net_want(struct ike *ike, struct addr *want, int max)
{
	const struct conf_ike_peer *p;
	struct addr a;
	int n = 0;

	TAILQ_FOREACH(p, &ike->conf->ike_peers, entry) {
		memset(&a, 0, sizeof(a));
		if (p->local_addr.family != AF_UNSPEC) {
			ike_net_want_one(want, &n, max, &p->local_addr);
			continue;
		}
		a.family = p->any ? AF_INET : p->addr.family;
		ike_net_want_one(want, &n, max, &a);
		if (p->any) {
			a.family = AF_INET6;
			ike_net_want_one(want, &n, max, &a);
		}
	}
	return ike_net_prune(want, n);
}

static int
ike_net_is_wild(const struct addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

static void
ike_net_retry(struct ev_timer *t, void *arg)
{
	(void)t;
	ike_net_open(arg);
}

/* Is socket "s" the one address "w" wants (its wildcard, or bound)? */
static int
ike_net_is(const struct ike_sock *s, const struct addr *w)
{
	if (s->family != w->family)
		return 0;
	if (ike_net_is_wild(w))
		return s->bound.family == AF_UNSPEC;
	return addr_eq(&s->bound, w);
}

/* The open sockets are exactly the wanted ones, on both ports. */
static int
ike_net_same(const struct ike *ike, const struct addr *want, int n)
{
	int i, j, found;

	if (ike->nsocks != 2 * n || ike->sock_error[0] != '\0')
		return 0;
	for (i = 0; i < ike->nsocks; i++) {
		for (found = 0, j = 0; j < n && !found; j++)
			found = ike_net_is(&ike->socks[i], &want[j]);
		if (!found)
			return 0;
	}
	return 1;
}

/*
 * Bring the sockets in line with the configuration.  Sockets that stay
 * wanted are kept: a reload must not drop what is in flight.
 */
int
ike_net_open(struct ike *ike)
{
	struct addr want[IKE_SOCKS_MAX / 2], bind_addr;
	int n, i, rv = 0;

	n = ike_net_want(ike, want, IKE_SOCKS_MAX / 2);
	if (ike_net_same(ike, want, n))
		return 0;
	ike_net_close(ike);
	ike->sock_error[0] = '\0';
	for (i = 0; i < n; i++) {
		memset(&bind_addr, 0, sizeof(bind_addr));
		if (!ike_net_is_wild(&want[i]))
			bind_addr = want[i];
		if (ike_net_add(ike, want[i].family, &bind_addr, IKE_PORT) ==
			-1 ||
		    ike_net_add(ike, want[i].family, &bind_addr,
				IKE_NATT_PORT) == -1)
			rv = -1;
	}
	if (rv == -1) {
		if (ike->sock_retry == NULL)
			ike->sock_retry =
			    ev_timer_new(ike->loop, ike_net_retry, ike);
		if (ike->sock_retry != NULL)
			ev_timer_start(ike->sock_retry, IKE_NET_RETRY_MS);
	}
	return rv;
}

void
ike_net_close(struct ike *ike)
{
	int i;

	for (i = 0; i < ike->nsocks; i++) {
		if (ike->socks[i].io != NULL)
			ev_io_free(ike->socks[i].io);
		else
			ike->udp_hook.remove(ike->udp_hook.arg,
					     ike->socks[i].fd);
		close(ike->socks[i].fd);
	}
	ike->nsocks = 0;
}

/*
 * From now on a data plane reads UDP 4500.  Set before the first
 * ike_apply(), so that no socket is reopened under a negotiation (a
 * reply arriving in between would be lost); if some are open, they are.
 */
void
ike_set_udp_hook(struct ike *ike, const struct ike_udp_hook *h)
{
	ike->udp_hook = *h;
	ike->has_udp_hook = 1;
	if (ike->nsocks > 0) {
		ike_net_close(ike);
		ike_net_open(ike);
	}
}

/* --- sending --- */

static struct ike_sock *
ike_net_pick(struct ike *ike, const struct ike_ep *local, int family)
{
	struct ike_sock *wild = NULL;
	int i;

	for (i = 0; i < ike->nsocks; i++) {
		struct ike_sock *s = &ike->socks[i];

		if (s->family != family || s->port != local->port)
			continue;
		if (s->bound.family == AF_UNSPEC)
			wild = s;
		else if (addr_eq(&s->bound, &local->addr))
			return s;
	}
	return wild;
}

static void
ike_net_set_source(struct msghdr *mh, uint8_t *cbuf, size_t cbuflen,
		   const struct ike_ep *local)
{
	struct cmsghdr *cm;

	if (local->addr.family == AF_UNSPEC)
		return;
	mh->msg_control = cbuf;
	mh->msg_controllen = cbuflen;
	cm = CMSG_FIRSTHDR(mh);
	if (local->addr.family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = local->addr.v4;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = local->addr.v6;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

static int
ike_net_sendmsg(struct ike *ike, const struct ike_ep *local,
		const struct ike_ep *remote, struct iovec *iov, int niov)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage to;
	struct ike_sock *s;
	struct msghdr mh;
	char ep[64];

	if ((s = ike_net_pick(ike, local, remote->addr.family)) == NULL) {
		log_debug(LOG_SUB_IKE, "no socket for %s port %u",
			  ike_ep_fmt(remote, ep, sizeof(ep)), local->port);
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_name = &to;
	mh.msg_namelen = addr_sock_to(&remote->addr, remote->port, &to);
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	if (s->bound.family == AF_UNSPEC)
		ike_net_set_source(&mh, cbuf.buf, sizeof(cbuf.buf), local);
	if (sendmsg(s->fd, &mh, MSG_DONTWAIT) == -1) {
		log_debug(LOG_SUB_IKE, "send to %s: %s",
			  ike_ep_fmt(remote, ep, sizeof(ep)), strerror(errno));
		return -1;
	}
	return 0;
}

/* One IKE message; on port 4500 behind the non-ESP marker. */
int
ike_net_send(struct ike *ike, const struct ike_ep *local,
	     const struct ike_ep *remote, const uint8_t *p, size_t len)
{
	static const uint8_t marker[IKE_NATT_MARKER_LEN];
	struct iovec iov[2];
	int n = 0;

	if (local->port == IKE_NATT_PORT) {
		iov[n].iov_base = (void *)(uintptr_t)marker;
		iov[n++].iov_len = sizeof(marker);
	}
	iov[n].iov_base = (void *)(uintptr_t)p;
	iov[n++].iov_len = len;
	ike->st.tx++;
	return ike_net_sendmsg(ike, local, remote, iov, n);
}

void
ike_net_keepalive(struct ike *ike, const struct ike_ep *local,
		  const struct ike_ep *remote)
{
	uint8_t ka = 0xff;
	struct iovec iov = {.iov_base = &ka, .iov_len = 1};

	(void)ike_net_sendmsg(ike, local, remote, &iov, 1);
}

/*
 * The address the kernel would send from towards "remote": what an
 * initiator without local-address puts in its NAT-D payload.
 */
int
ike_net_source(const struct addr *remote, struct addr *out)
{
	struct sockaddr_storage ss, me;
	socklen_t sl = sizeof(me);

	memset(&me, 0, sizeof(me));
	struct ike_ep ep;
	int fd, rv = -1;

	if ((fd = socket(remote->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss,
		    addr_sock_to(remote, IKE_PORT, &ss)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&me, &sl) == 0) {
		addr_sock_from(&me, &ep.addr, &ep.port);
		*out = ep.addr;
		rv = 0;
	}
	close(fd);
	return rv;
}
