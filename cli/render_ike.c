/*
 * Text for the IKE and IPsec commands, in the shape operators know from
 * routers: "ISAKMP SA - 1 configured, 1 created", one block per SA, then
 * the per-phase counters (success, failure, hash err, timeout, resend).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *
rs(const struct json_val *o, const char *key)
{
	return json_get_str(o, key, "-");
}

static unsigned long long
ru(const struct json_val *o, const char *key)
{
	return (unsigned long long)json_get_uint(o, key, 0);
}

static void
render_ike_ep(FILE *f, const char *what, const struct json_val *ep)
{
	fprintf(f, "%s address is %s, port is %llu\n", what, rs(ep, "address"),
		ru(ep, "port"));
}

static void
render_ike_phases(FILE *f, const struct json_val *p, const char *indent)
{
	static const char *const ph[2] = {"phase1", "phase2"};
	int i;

	for (i = 0; i < 2; i++) {
		const struct json_val *s = json_get(p, ph[i]);

		fprintf(f, "%s#ph%d success: %llu, #ph%d failure: %llu\n",
			indent, i + 1, ru(s, "success"), i + 1,
			ru(s, "failure"));
		fprintf(f,
			"%s#ph%d hash err: %llu, #ph%d timeout: %llu, "
			"#ph%d resend: %llu\n",
			indent, i + 1, ru(s, "hash_err"), i + 1,
			ru(s, "timeout"), i + 1, ru(s, "resend"));
	}
}

static void
render_ike_nat(FILE *f, const struct json_val *sa)
{
	const char *natt = rs(sa, "nat_traversal"), *nat = rs(sa, "nat");

	if (strcmp(natt, "none") == 0)
		return;
	fprintf(f, "  NAT-Traversal %s\n",
		strcmp(natt, "rfc3947") == 0 ? "RFC3947" : "draft");
	if (strcmp(nat, "none") != 0)
		fprintf(f, "  NAT detected at %s side%s\n",
			strcmp(nat, "both") == 0 ? "local and remote" : nat,
			strcmp(nat, "both") == 0 ? "s" : "");
}

static void
render_ike_sa_one(FILE *f, const struct json_val *sa,
		  const struct json_val *peers)
{
	const struct json_val *p;

	render_ike_ep(f, "Local", json_get(sa, "local"));
	render_ike_ep(f, "Remote", json_get(sa, "remote"));
	fprintf(f, "  IKE peer name is %s\n", rs(sa, "peer"));
	fprintf(f, "  Direction is %s\n", rs(sa, "direction"));
	fprintf(f, "  Initiator's cookie is %s\n", rs(sa, "icookie"));
	fprintf(f, "  Responder's cookie is %s\n", rs(sa, "rcookie"));
	fprintf(f, "  Exchange type is %s mode\n", rs(sa, "exchange"));
	render_ike_nat(f, sa);
	fprintf(f, "  State is %s\n", rs(sa, "state"));
	fprintf(f, "  Authentication method is %s\n", rs(sa, "authentication"));
	fprintf(f, "  Encryption algorithm is %s\n", rs(sa, "encryption"));
	fprintf(f, "  Hash algorithm is %s\n", rs(sa, "hash"));
	fprintf(f, "  DH group is %s, lifetime is %llu seconds\n",
		rs(sa, "group_name"), ru(sa, "lifetime_left"));
	if (json_get(sa, "remote_id") != NULL)
		fprintf(f, "  Remote identity is %s, DPD %s, idle %llus\n",
			rs(sa, "remote_id"),
			json_get_bool(sa, "dpd_supported", 0) ? "supported"
							      : "not supported",
			ru(sa, "idle"));
	for (p = peers ? peers->child : NULL; p != NULL; p = p->next)
		if (strcmp(rs(p, "name"), rs(sa, "peer")) == 0)
			render_ike_phases(f, p, "  ");
}

void
render_ike_sa(FILE *f, const struct json_val *r)
{
	const struct json_val *sas = json_get(r, "sas"), *peers, *s, *p;
	int shown;

	peers = json_get(r, "peers");
	fprintf(f, "ISAKMP SA - %llu configured, %llu created\n",
		ru(r, "configured"), ru(r, "created"));
	for (s = sas ? sas->child : NULL; s != NULL; s = s->next)
		render_ike_sa_one(f, s, peers);
	/* Peers without an SA: their counters say what went wrong. */
	for (p = peers ? peers->child : NULL; p != NULL; p = p->next) {
		shown = 0;
		for (s = sas ? sas->child : NULL; s != NULL; s = s->next)
			shown |= strcmp(rs(s, "peer"), rs(p, "name")) == 0;
		if (shown)
			continue;
		fprintf(f, "IKE peer %s (%s): no ISAKMP SA%s%s\n",
			rs(p, "name"), rs(p, "address"),
			*rs(p, "last_error") ? "; last error: " : "",
			json_get_str(p, "last_error", ""));
		render_ike_phases(f, p, "  ");
	}
}

static void
render_ipsec_one(FILE *f, const struct json_val *c, int detail)
{
	const struct json_val *l = json_get(c, "local"),
			      *r = json_get(c, "remote");
	unsigned long long spi;

	fprintf(f, "Interface is %s, peer %s\n", rs(c, "tunnel"),
		rs(c, "peer"));
	fprintf(f, "  %s Tunnel mode, %s to %s\n",
		strcmp(rs(c, "encapsulation"), "udp-tunnel") == 0
		    ? "UDP encapsulation"
		    : "ESP",
		rs(l, "address"), rs(r, "address"));
	fprintf(f, "  Local network is %s, remote network is %s\n",
		rs(c, "local_network"), rs(c, "remote_network"));
	fprintf(f, "  State is %s, direction is %s\n", rs(c, "state"),
		rs(c, "direction"));
	spi = strtoull(rs(c, "spi_in"), NULL, 16);
	fprintf(f, "  Inbound:  ESP, SPI is %s(%llu)\n", rs(c, "spi_in"), spi);
	spi = strtoull(rs(c, "spi_out"), NULL, 16);
	fprintf(f, "  Outbound: ESP, SPI is %s(%llu)\n", rs(c, "spi_out"), spi);
	if (json_get_int(c, "pfs_group", 0) != 0)
		fprintf(f, "  Transform is %s, PFS group %lld\n",
			rs(c, "transform"),
			(long long)json_get_int(c, "pfs_group", 0));
	else
		fprintf(f, "  Transform is %s, PFS none\n", rs(c, "transform"));
	fprintf(f, "  Remaining lifetime is %llu seconds",
		ru(c, "lifetime_left"));
	if (ru(c, "lifetime_kilobytes") != 0)
		fprintf(f, " or %llu kilobytes", ru(c, "lifetime_kilobytes"));
	fprintf(f, "\n");
	if (detail)
		fprintf(f,
			"  Packets in %llu (%llu bytes), out %llu (%llu "
			"bytes)\n",
			ru(c, "packets_in"), ru(c, "bytes_in"),
			ru(c, "packets_out"), ru(c, "bytes_out"));
}

void
render_ipsec_sa(FILE *f, const struct json_val *r)
{
	const struct json_val *sas = json_get(r, "sas"), *s, *t;

	fprintf(f, "IPsec SA - %llu configured, %llu created\n",
		ru(r, "configured"), ru(r, "created"));
	for (s = sas ? sas->child : NULL; s != NULL; s = s->next)
		render_ipsec_one(f, s, json_get(s, "packets_in") != NULL);
	t = json_get(r, "tunnels");
	for (t = t ? t->child : NULL; t != NULL; t = t->next)
		fprintf(f, "Tunnel %s: admin %s, oper %s since %s%s%s\n",
			rs(t, "name"), rs(t, "admin"), rs(t, "oper"),
			rs(t, "last_change"),
			strcmp(rs(t, "oper"), "down") == 0 ? ", last down: "
							   : "",
			strcmp(rs(t, "oper"), "down") == 0
			    ? rs(t, "last_down_reason")
			    : "");
}

void
render_ike_stats(FILE *f, const struct json_val *r)
{
	const struct json_val *d = json_get(r, "drops"), *e, *socks;

	fprintf(f, "IKE statistics\n");
	render_ike_phases(f, r, "  ");
	fprintf(f, "  messages received %llu, sent %llu\n", ru(r, "received"),
		ru(r, "sent"));
	fprintf(f, "  notifications received %llu, sent %llu\n",
		ru(r, "notify_received"), ru(r, "notify_sent"));
	fprintf(f, "  deletes received %llu, sent %llu\n",
		ru(r, "delete_received"), ru(r, "delete_sent"));
	fprintf(f, "  DPD probes %llu, dead peers %llu, unknown peers %llu\n",
		ru(r, "dpd_probes"), ru(r, "dpd_dead"), ru(r, "unknown_peer"));
	fprintf(f, "Dropped messages by reason\n");
	for (e = d ? d->child : NULL; e != NULL; e = e->next)
		fprintf(f, "  %-16s %llu\n", e->key,
			(unsigned long long)json_get_uint(d, e->key, 0));
	fprintf(f, "Sockets:");
	socks = json_get(r, "sockets");
	for (e = socks ? socks->child : NULL; e != NULL; e = e->next)
		fprintf(f, " %s:%llu", rs(e, "address"), ru(e, "port"));
	fprintf(f, "%s\n", socks && socks->count ? "" : " none");
	if (*json_get_str(r, "socket_error", "") != '\0')
		fprintf(f, "Socket error: %s\n", rs(r, "socket_error"));
}

void
render_ike_clear(FILE *f, const struct json_val *r)
{
	fprintf(f, "Cleared %llu %s%s\n", ru(r, "cleared"), rs(r, "what"),
		ru(r, "cleared") == 1 ? "" : "s");
}

static void
render_dir(FILE *f, const char *what, const struct json_val *c)
{
	const struct json_val *d = json_get(c, "drops"), *e;
	int any = 0;

	fprintf(f,
		"  %s: %llu packets, %llu bytes; %llu fragments made, "
		"%llu MSS rewrites, %llu ICMP too-big\n",
		what, ru(c, "packets"), ru(c, "bytes"), ru(c, "fragments"),
		ru(c, "mss_rewrites"), ru(c, "icmp_too_big"));
	for (e = d ? d->child : NULL; e != NULL; e = e->next) {
		if (json_get_uint(d, e->key, 0) == 0)
			continue;
		fprintf(f, "%s %s %llu", any ? "," : "    drops:", e->key,
			(unsigned long long)json_get_uint(d, e->key, 0));
		any = 1;
	}
	if (any)
		fprintf(f, "\n");
}

/* "show tunnel": one block per interface, state from IKE. */
void
render_tunnel(FILE *f, const struct json_val *r)
{
	const struct json_val *ifs = json_get(r, "interfaces"), *i, *t;
	const struct json_val *tuns = json_get(r, "tunnels");

	if (!json_get_bool(r, "data_plane", 0))
		fprintf(f, "No data plane (fleetvpnd is not running as root): "
			   "no tunnel interfaces\n");
	for (i = ifs ? ifs->child : NULL; i != NULL; i = i->next) {
		for (t = tuns ? tuns->child : NULL; t != NULL; t = t->next)
			if (strcmp(rs(t, "name"), rs(i, "name")) == 0)
				break;
		fprintf(f, "Interface %s is %s, line protocol is %s\n",
			rs(i, "name"), t ? rs(t, "admin") : "-",
			t ? rs(t, "oper") : "-");
		fprintf(f,
			"  MTU %llu, TCP MSS %s%s%.0llu, fragment %s, "
			"DF bit %s\n",
			ru(i, "mtu"), rs(i, "tcp_mss"),
			strcmp(rs(i, "tcp_mss"), "fixed") == 0 ? " " : "",
			strcmp(rs(i, "tcp_mss"), "fixed") == 0
			    ? ru(i, "tcp_mss_value")
			    : 0ULL,
			rs(i, "fragment"), rs(i, "df_bit"));
		if (t != NULL && strcmp(rs(t, "oper"), "down") == 0)
			fprintf(f, "  Last down: %s (%s)\n",
				rs(t, "last_down_reason"),
				rs(t, "last_change"));
		render_dir(f, "Output", json_get(i, "out"));
		render_dir(f, "Input", json_get(i, "in"));
	}
}

void
render_ike_rekey(FILE *f, const struct json_val *r)
{
	fprintf(f, "Rekeying %llu IPsec SA%s\n", ru(r, "rekeyed"),
		ru(r, "rekeyed") == 1 ? "" : "s");
}
