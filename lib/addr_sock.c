/*
 * struct addr to and from the socket API: sockaddrs, and the
 * destination address a datagram was sent to (IP_PKTINFO), which IKE
 * needs for NAT detection and the data plane for IKE on UDP 4500.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <string.h>

#include "addr.h"

socklen_t
addr_sock_to(const struct addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->v6;
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (a->family == AF_INET)
		sin->sin_addr = a->v4;
	return sizeof(*sin);
}

/* A v4-mapped IPv6 address (a dual-stack socket) comes out as IPv4. */
void
addr_sock_from(const struct sockaddr_storage *ss, struct addr *a,
	       uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		a->family = AF_INET;
		memcpy(&a->v4, &sin6->sin6_addr.s6_addr[12], 4);
		*port = ntohs(sin6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		a->family = AF_INET6;
		a->v6 = sin6->sin6_addr;
		*port = ntohs(sin6->sin6_port);
	} else {
		a->family = AF_INET;
		a->v4 = sin->sin_addr;
		*port = ntohs(sin->sin_port);
	}
}

/* The IP_PKTINFO / IPV6_PKTINFO destination, when there is one. */
void
addr_sock_pktinfo(struct msghdr *mh, struct addr *local)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->family = AF_INET;
			local->v4 = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->family = AF_INET6;
			local->v6 = pi.ipi6_addr;
		}
	}
}
