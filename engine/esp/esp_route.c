/*
 * Routes into the tunnels through rtnetlink: one short-lived socket per
 * change (routes change when a tunnel comes or goes, not per packet), the
 * request, then the kernel's ACK, whose error becomes the caller's.
 *
 * The routes are RTPROT_STATIC rather than RTPROT_BOOT (what ip(8) uses
 * by default): they are the administrator's configuration, installed by
 * a daemon that keeps them, and "ip route show proto static" tells them
 * apart from the ones an operator typed.  Scope link: the prefix is
 * reached straight out of the point-to-point device, no gateway.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esp.h"

#define ROUTE_REQ_MAX	256
#define ROUTE_ACK_MAX	8192
#define ROUTE_TIMEOUT_S 2 /* the kernel answers before send returns */
#define ROUTE_SEQ	1 /* a socket of our own: one request on it */

union route_buf {
	struct nlmsghdr nh; /* alignment */
	uint8_t b[ROUTE_ACK_MAX];
};

struct route_msg {
	uint8_t *buf;
	size_t len, max;
};

static int
route_attr(struct route_msg *m, uint16_t type, const void *data, size_t dlen)
{
	struct rtattr rta;
	size_t need = RTA_SPACE(dlen);

	if (need > m->max - m->len)
		return -1;
	rta.rta_len = (unsigned short)RTA_LENGTH(dlen);
	rta.rta_type = type;
	memset(m->buf + m->len, 0, need);
	memcpy(m->buf + m->len, &rta, sizeof(rta));
	memcpy(m->buf + m->len + RTA_LENGTH(0), data, dlen);
	m->len += need;
	return 0;
}

/* The network of "p": host bits cleared, as the kernel insists for IPv4. */
static void
route_network(const struct prefix *p, uint8_t *out, size_t alen)
{
	size_t i;
	size_t bits;

	for (i = 0; i < alen; i++) {
		bits = p->len > i * 8 ? p->len - i * 8 : 0;
		out[i] = p->addr.bytes[i] &
			 (uint8_t)(bits >= 8 ? 0xff : 0xff << (8 - bits));
	}
}

static int
route_build(struct route_msg *m, int add, const struct prefix *dst, int ifindex,
	    const struct addr *src)
{
	struct nlmsghdr nh;
	struct rtmsg rt;
	uint8_t net[16];
	uint32_t oif = (uint32_t)ifindex;
	size_t alen = addr_len(&dst->addr);

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nh.nlmsg_seq = ROUTE_SEQ;
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = (unsigned char)dst->addr.family;
	rt.rtm_dst_len = dst->len;
	rt.rtm_table = RT_TABLE_MAIN;
	/* A delete matches these too: it removes our route, not another. */
	rt.rtm_protocol = RTPROT_STATIC;
	rt.rtm_scope = RT_SCOPE_LINK;
	rt.rtm_type = RTN_UNICAST;
	memset(m->buf, 0, NLMSG_SPACE(sizeof(rt)));
	memcpy(m->buf + NLMSG_LENGTH(0), &rt, sizeof(rt));
	m->len = NLMSG_SPACE(sizeof(rt));
	route_network(dst, net, alen);
	if (route_attr(m, RTA_DST, net, alen) == -1 ||
	    route_attr(m, RTA_OIF, &oif, sizeof(oif)) == -1)
		return -1;
	if (src != NULL && src->family != AF_UNSPEC &&
	    route_attr(m, RTA_PREFSRC, src->bytes, alen) == -1)
		return -1;
	nh.nlmsg_len = (uint32_t)m->len;
	memcpy(m->buf, &nh, sizeof(nh));
	return 0;
}

/*
 * The kernel's explanation (NLMSGERR_ATTR_MSG) after the nlmsgerr in an
 * error of "len" bytes, into why; "" when there is none.
 */
static void
route_ext_ack(const uint8_t *msg, size_t len, char *why, size_t whylen)
{
	struct nlmsgerr e;
	struct nlmsghdr h;
	struct rtattr a;
	size_t off = NLMSG_LENGTH(sizeof(e)), alen, slen;

	why[0] = '\0';
	memcpy(&h, msg, sizeof(h));
	if (!(h.nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	memcpy(&e, msg + NLMSG_HDRLEN, sizeof(e));
	/* Without NLM_F_CAPPED the request itself is echoed first. */
	if (!(h.nlmsg_flags & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN(e.msg.nlmsg_len - NLMSG_HDRLEN);
	}
	while (off < len && len - off >= sizeof(a)) {
		memcpy(&a, msg + off, sizeof(a));
		alen = a.rta_len;
		if (alen < sizeof(a) || alen > len - off)
			return;
		if (a.rta_type == NLMSGERR_ATTR_MSG) {
			slen = strnlen((const char *)msg + off + sizeof(a),
				       alen - sizeof(a));
			snprintf(why, whylen, " (%.*s)", (int)slen,
				 (const char *)msg + off + sizeof(a));
			return;
		}
		off += RTA_ALIGN(alen);
	}
}

/*
 * Look for our ACK in "n" bytes of replies: 1 found (*error set, 0 for
 * success), 0 not there, -1 a message that lies about its length.
 */
static int
route_find_ack(const uint8_t *b, size_t n, int *error, char *why, size_t whylen)
{
	struct nlmsghdr h;
	struct nlmsgerr e;
	size_t off = 0;

	while (off < n) {
		if (n - off < sizeof(h))
			return -1;
		memcpy(&h, b + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			return -1;
		if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_seq == ROUTE_SEQ) {
			if (h.nlmsg_len < NLMSG_LENGTH(sizeof(e)))
				return -1;
			memcpy(&e, b + off + NLMSG_HDRLEN, sizeof(e));
			*error = e.error;
			route_ext_ack(b + off, h.nlmsg_len, why, whylen);
			return 1;
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

static int
route_talk(int s, const struct route_msg *m, int *error, char *why,
	   size_t whylen)
{
	union route_buf rb;
	struct sockaddr_nl sa;
	socklen_t salen;
	ssize_t n;
	int rv;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(s, m->buf, m->len, 0, (struct sockaddr *)&sa, sizeof(sa)) !=
	    (ssize_t)m->len)
		return -1;
	for (;;) {
		salen = sizeof(sa);
		n = recvfrom(s, rb.b, sizeof(rb.b), MSG_TRUNC,
			     (struct sockaddr *)&sa, &salen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		/* Only the kernel (port 0) speaks for the kernel. */
		if (salen != sizeof(sa) || sa.nl_pid != 0)
			continue;
		if ((size_t)n > sizeof(rb.b)) {
			errno = EMSGSIZE;
			return -1;
		}
		if ((rv = route_find_ack(rb.b, (size_t)n, error, why,
					 whylen)) != 0)
			break;
	}
	if (rv == -1)
		errno = EBADMSG;
	return rv == 1 ? 0 : -1;
}

static int
route_socket(void)
{
	struct timeval tv = {.tv_sec = ROUTE_TIMEOUT_S};
	int s, one = 1;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s == -1)
		return -1;
	/*
	 * Ask for the kernel's reason in words (ext ack) and not the echo
	 * of our request (cap ack); both are optional, so failures pass.
	 */
	(void)setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static int
route_valid(const struct prefix *dst, int ifindex, const struct addr *src)
{
	size_t alen = addr_len(&dst->addr);

	if (alen == 0 || dst->len > alen * 8 || ifindex <= 0)
		return 0;
	return src == NULL || src->family == AF_UNSPEC ||
	       src->family == dst->addr.family;
}

int
esp_route(int add, const struct prefix *dst, int ifindex,
	  const struct addr *src, char *err, size_t errlen)
{
	uint8_t req[ROUTE_REQ_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct route_msg m = {.buf = req, .max = sizeof(req)};
	char pfx[PREFIX_STR_MAX], why[256] = "";
	int s = -1, error = 0, rv = -1;

	prefix_fmt(dst, pfx, sizeof(pfx));
	if (!route_valid(dst, ifindex, src) ||
	    route_build(&m, add, dst, ifindex, src) == -1) {
		errno = EINVAL;
		goto done;
	}
	if ((s = route_socket()) == -1 ||
	    route_talk(s, &m, &error, why, sizeof(why)) == -1)
		goto done;
	if (error != 0) {
		errno = error < 0 ? -error : error;
		goto done;
	}
	rv = 0;
done:
	if (rv == -1)
		snprintf(err, errlen, "%s route %s dev #%d: %s%s",
			 add ? "add" : "delete", pfx, ifindex, strerror(errno),
			 why);
	if (s != -1)
		close(s);
	return rv;
}
