/*
 * IPv4/IPv6 addresses and prefixes as plain values, shared by the
 * configuration, the IKE engine and the CLI.
 */
#ifndef FLEETVPN_ADDR_H
#define FLEETVPN_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STR_MAX   INET6_ADDRSTRLEN
#define PREFIX_STR_MAX (INET6_ADDRSTRLEN + 4)

struct addr {
	sa_family_t family; /* AF_UNSPEC = not set */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct prefix {
	struct addr addr;
	uint8_t len;
};

int addr_parse(const char *, struct addr *);
char *addr_fmt(const struct addr *, char *, size_t);
int addr_eq(const struct addr *, const struct addr *);
size_t addr_len(const struct addr *);
int prefix_parse(const char *, struct prefix *, int *);
char *prefix_fmt(const struct prefix *, char *, size_t);
int prefix_eq(const struct prefix *, const struct prefix *);
int prefix_contains(const struct prefix *, const struct addr *);
int prefix_overlaps(const struct prefix *, const struct prefix *);

/* addr_sock.c: the socket API's forms */
struct sockaddr_storage;
struct msghdr;
socklen_t addr_sock_to(const struct addr *, uint16_t,
		       struct sockaddr_storage *);
void addr_sock_from(const struct sockaddr_storage *, struct addr *, uint16_t *);
void addr_sock_pktinfo(struct msghdr *, struct addr *);

#endif
