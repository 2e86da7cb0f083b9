/*
 * Structured answers for "show ike sa", "show ipsec sa" and "show ike
 * statistics".  Field names are the contract with the CLI renderers and
 * SNMP; no key material ever appears here.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "str.h"

static void
show_hex(struct json_w *w, const char *key, const uint8_t *p, size_t n)
{
	char s[2 * 16 + 3];
	size_t i;

	s[0] = '0';
	s[1] = 'x';
	for (i = 0; i < n && i < 16; i++)
		snprintf(s + 2 + 2 * i, 3, "%02x", p[i]);
	json_kv_str(w, key, s);
}

static void
show_ep(struct json_w *w, const char *key, const struct ike_ep *ep)
{
	char a[ADDR_STR_MAX];

	json_key(w, key);
	json_obj_open(w);
	json_kv_str(w, "address", addr_fmt(&ep->addr, a, sizeof(a)));
	json_kv_uint(w, "port", ep->port);
	json_obj_close(w);
}

static void
show_time(struct json_w *w, const char *key, const struct timespec *ts)
{
	char t[STR_TIME_MAX];

	json_kv_str(w, key, str_time_utc(t, sizeof(t), ts, 0));
}

static uint64_t
show_left(const struct ike *ike, uint64_t expire_ms)
{
	uint64_t now = ev_now(ike->loop);

	return expire_ms > now ? (expire_ms - now) / 1000 : 0;
}

void
ike_show_phase(struct json_w *w, const char *key,
	       const struct ike_phase_stats *s)
{
	json_key(w, key);
	json_obj_open(w);
	json_kv_uint(w, "success", s->success);
	json_kv_uint(w, "failure", s->failure);
	json_kv_uint(w, "hash_err", s->hash_err);
	json_kv_uint(w, "timeout", s->timeout);
	json_kv_uint(w, "resend", s->resend);
	json_obj_close(w);
}

static const char *
show_nat(const struct ike_sa *sa)
{
	if (sa->nat_local && sa->nat_remote)
		return "both";
	if (sa->nat_local)
		return "local";
	return sa->nat_remote ? "remote" : "none";
}

static void
show_ike_sa_detail(struct json_w *w, const struct ike_sa *sa)
{
	char id[IKE_ID_MAX];
	const struct ike_xchg *x;
	int nqm = 0;

	TAILQ_FOREACH(x, &sa->xchgs, entry)
		nqm += x->state != IKE_XCHG_DONE;
	json_kv_str(w, "remote_id", ike_id_fmt(&sa->remote_id, id, sizeof(id)));
	json_kv_bool(w, "dpd_supported", sa->dpd_vid);
	json_kv_uint(w, "dpd_outstanding", sa->dpd_outstanding);
	json_kv_uint(w, "idle",
		     (ev_now(sa->ike->loop) - sa->last_rx_ms) / 1000);
	json_kv_int(w, "retries", sa->retries);
	json_kv_int(w, "exchanges", nqm);
	json_kv_uint(w, "lifetime_kilobytes", sa->xf.life_kb);
	if (sa->down_reason[0] != '\0')
		json_kv_str(w, "reason", sa->down_reason);
}

static void
show_ike_sa_one(struct json_w *w, const struct ike_sa *sa, int detail)
{
	int est = sa->state == IKE_SA_ESTABLISHED;

	json_obj_open(w);
	json_kv_uint(w, "id", sa->serial);
	json_kv_str(w, "peer", sa->peer ? sa->peer->conf->name : "-");
	show_ep(w, "local", &sa->local);
	show_ep(w, "remote", &sa->remote);
	json_kv_str(w, "direction", sa->initiator ? "initiator" : "responder");
	show_hex(w, "icookie", sa->icookie, IKE_COOKIE_LEN);
	show_hex(w, "rcookie", sa->rcookie, IKE_COOKIE_LEN);
	json_kv_str(w, "exchange", ike_wire_exch_name(sa->exch));
	json_kv_str(w, "nat_traversal",
		    ike_p1_natt(sa) == 2   ? "draft"
		    : ike_p1_natt(sa) == 1 ? "rfc3947"
					   : "none");
	json_kv_str(w, "nat", show_nat(sa));
	json_kv_str(w, "state", ike_sa_state_name(sa->state));
	json_kv_str(w, "authentication", "pre-shared");
	json_kv_str(w, "encryption",
		    sa->xf.group ? crypto_cipher_name(sa->xf.cipher) : "-");
	json_kv_str(w, "hash",
		    sa->xf.group ? crypto_hash_name(sa->xf.hash) : "-");
	json_kv_int(w, "group", sa->xf.group);
	json_kv_str(w, "group_name",
		    sa->xf.group ? crypto_dh_name(sa->xf.group) : "-");
	json_kv_uint(w, "lifetime", sa->xf.life_s);
	json_kv_uint(w, "lifetime_left",
		     est ? show_left(sa->ike, sa->expire_ms) : 0);
	show_time(w, "created", &sa->created);
	if (detail)
		show_ike_sa_detail(w, sa);
	json_obj_close(w);
}

static void
show_peer(struct json_w *w, const struct ike_peer *p)
{
	char a[ADDR_STR_MAX];

	json_obj_open(w);
	json_kv_str(w, "name", p->conf->name);
	json_kv_str(w, "address",
		    p->conf->any ? "any"
				 : addr_fmt(&p->conf->addr, a, sizeof(a)));
	json_kv_str(w, "mode", conf_mode_name(p->conf->mode));
	json_kv_bool(w, "established",
		     p->sa != NULL && p->sa->state == IKE_SA_ESTABLISHED);
	json_kv_str(w, "last_error", p->last_error);
	ike_show_phase(w, "phase1", &p->p1);
	ike_show_phase(w, "phase2", &p->p2);
	json_obj_close(w);
}

void
ike_show_ike_sa(struct ike *ike, struct json_w *w, const char *peer, int detail)
{
	const struct ike_peer *p;
	const struct ike_sa *sa;
	int configured = 0, created = 0;

	TAILQ_FOREACH(p, &ike->peers, entry)
		configured++;
	TAILQ_FOREACH(sa, &ike->sas, entry)
		created += sa->state == IKE_SA_ESTABLISHED;
	json_obj_open(w);
	json_kv_int(w, "configured", configured);
	json_kv_int(w, "created", created);
	json_key(w, "sas");
	json_arr_open(w);
	TAILQ_FOREACH(sa, &ike->sas, entry)
		if (sa->state != IKE_SA_DEAD &&
		    (peer == NULL ||
		     (sa->peer && strcmp(sa->peer->conf->name, peer) == 0)))
			show_ike_sa_one(w, sa, detail);
	json_arr_close(w);
	json_key(w, "peers");
	json_arr_open(w);
	TAILQ_FOREACH(p, &ike->peers, entry)
		if (peer == NULL || strcmp(p->conf->name, peer) == 0)
			show_peer(w, p);
	json_arr_close(w);
	json_obj_close(w);
}

/* --- phase 2 --- */

static void
show_ipsec_counters(struct json_w *w, const struct ike *ike,
		    const struct ipsec_sa *c)
{
	uint64_t pi, bi, po, bo;

	sad_stats(ike->sad, c->spi_in, SAD_IN, &pi, &bi);
	sad_stats(ike->sad, c->spi_out, SAD_OUT, &po, &bo);
	json_kv_uint(w, "packets_in", pi);
	json_kv_uint(w, "bytes_in", bi);
	json_kv_uint(w, "packets_out", po);
	json_kv_uint(w, "bytes_out", bo);
}

static void
show_ipsec_one(struct json_w *w, const struct ike *ike,
	       const struct ipsec_sa *c, int detail)
{
	char pf[PREFIX_STR_MAX], name[48], spi[16];

	json_obj_open(w);
	json_kv_uint(w, "id", c->serial);
	json_kv_str(w, "tunnel", c->tun->conf->name);
	json_kv_str(w, "peer", c->tun->peer ? c->tun->peer->conf->name : "-");
	json_kv_str(w, "state", ipsec_sa_state_name(c->state));
	json_kv_str(w, "direction", c->initiator ? "initiator" : "responder");
	json_kv_str(w, "local_network", prefix_fmt(&c->local, pf, sizeof(pf)));
	json_kv_str(w, "remote_network",
		    prefix_fmt(&c->remote, pf, sizeof(pf)));
	snprintf(spi, sizeof(spi), "0x%08x", c->spi_in);
	json_kv_str(w, "spi_in", spi);
	snprintf(spi, sizeof(spi), "0x%08x", c->spi_out);
	json_kv_str(w, "spi_out", spi);
	json_kv_str(
	    w, "transform",
	    c->state == IPSEC_SA_NEGOTIATING
		? "-"
		: ike_prop_esp_name(c->enc, c->integ, name, sizeof(name)));
	json_kv_int(w, "pfs_group", c->pfs_group);
	json_kv_str(w, "encapsulation", c->encap ? "udp-tunnel" : "tunnel");
	show_ep(w, "local", &c->local_ep);
	show_ep(w, "remote", &c->remote_ep);
	json_kv_uint(w, "lifetime", c->life_s);
	json_kv_uint(w, "lifetime_kilobytes", c->life_kb);
	json_kv_uint(w, "lifetime_left",
		     c->state == IPSEC_SA_NEGOTIATING
			 ? 0
			 : show_left(ike, c->expire_ms));
	show_time(w, "created", &c->created);
	if (detail)
		show_ipsec_counters(w, ike, c);
	json_obj_close(w);
}

static void
show_tunnel(struct json_w *w, const struct ike_tunnel *t)
{
	char ts[STR_TIME_MAX];

	json_obj_open(w);
	json_kv_str(w, "name", t->conf->name);
	json_kv_str(w, "peer", t->conf->peer->name);
	json_kv_str(w, "admin", t->conf->shutdown ? "down" : "up");
	json_kv_str(w, "oper", t->up ? "up" : "down");
	json_kv_str(w, "last_change",
		    str_time_utc(ts, sizeof(ts), &t->last_change, 0));
	json_kv_str(w, "last_down_reason", t->last_down);
	json_kv_int(w, "pairs", (int64_t)t->conf->nlocal * t->conf->nremote);
	json_obj_close(w);
}

void
ike_show_ipsec_sa(struct ike *ike, struct json_w *w, const char *tunnel,
		  int detail)
{
	const struct ike_tunnel *t;
	const struct ipsec_sa *c;
	int configured = 0, created = 0;

	TAILQ_FOREACH(t, &ike->tunnels, entry) {
		configured += t->conf->nlocal * t->conf->nremote;
		TAILQ_FOREACH(c, &t->sas, entry)
			created += c->state == IPSEC_SA_INSTALLED;
	}
	json_obj_open(w);
	json_kv_int(w, "configured", configured);
	json_kv_int(w, "created", created);
	json_key(w, "sas");
	json_arr_open(w);
	TAILQ_FOREACH(t, &ike->tunnels, entry)
		if (tunnel == NULL || strcmp(t->conf->name, tunnel) == 0)
			TAILQ_FOREACH(c, &t->sas, entry)
				show_ipsec_one(w, ike, c, detail);
	json_arr_close(w);
	ike_show_ipsec_tunnels(ike, w, tunnel);
	json_obj_close(w);
}

/* The tunnels' state as IKE sees it: admin, oper, last change. */
void
ike_show_ipsec_tunnels(struct ike *ike, struct json_w *w, const char *tunnel)
{
	const struct ike_tunnel *t;

	json_key(w, "tunnels");
	json_arr_open(w);
	TAILQ_FOREACH(t, &ike->tunnels, entry)
		if (tunnel == NULL || strcmp(t->conf->name, tunnel) == 0)
			show_tunnel(w, t);
	json_arr_close(w);
}

void
ike_show_stats(struct ike *ike, struct json_w *w)
{
	const struct ike_stats *s = &ike->st;
	char a[ADDR_STR_MAX];
	int i;

	json_obj_open(w);
	ike_show_phase(w, "phase1", &s->p1);
	ike_show_phase(w, "phase2", &s->p2);
	json_kv_uint(w, "received", s->rx);
	json_kv_uint(w, "sent", s->tx);
	json_kv_uint(w, "notify_received", s->notify_rx);
	json_kv_uint(w, "notify_sent", s->notify_tx);
	json_kv_uint(w, "delete_received", s->delete_rx);
	json_kv_uint(w, "delete_sent", s->delete_tx);
	json_kv_uint(w, "dpd_probes", s->dpd_tx);
	json_kv_uint(w, "dpd_dead", s->dpd_dead);
	json_kv_uint(w, "unknown_peer", s->unknown_peer);
	json_kv_uint(w, "esp_without_data_plane", s->esp_unhandled);
	json_key(w, "drops");
	json_obj_open(w);
	for (i = 1; i < IKE_DROP_COUNT; i++)
		json_kv_uint(w, ike_wire_drop_name((enum ike_drop)i),
			     s->drops[i]);
	json_obj_close(w);
	json_key(w, "sockets");
	json_arr_open(w);
	for (i = 0; i < ike->nsocks; i++) {
		json_obj_open(w);
		json_kv_str(w, "address",
			    ike->socks[i].bound.family
				? addr_fmt(&ike->socks[i].bound, a, sizeof(a))
			    : ike->socks[i].family == AF_INET ? "0.0.0.0"
							      : "::");
		json_kv_uint(w, "port", ike->socks[i].port);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_kv_str(w, "socket_error", ike->sock_error);
	json_obj_close(w);
}
