/*
 * The engine's public face (engine.h): the IKE engine and the ESP data
 * plane, and the seams between them: the SAD carries keys down, the
 * data plane's acquires, IKE datagrams from UDP 4500 and volume limits
 * come up.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "esp.h"
#include "ike.h"
#include "str.h"

struct engine {
	struct ike *ike;
	struct esp_dp *dp; /* NULL: no data plane (not root) */
};

/* --- what the data plane asks of IKE --- */

static void
engine_dp_acquire(void *arg, const char *tunnel)
{
	struct engine *e = arg;
	struct ike_tunnel *t = ike_tunnel_by_name(e->ike, tunnel);

	if (t != NULL && t->conf->initiate != CONF_INIT_RESPOND)
		ike_tunnel_want(t);
}

static void
engine_dp_ike(void *arg, const struct addr *local, uint16_t lport,
	      const struct addr *remote, uint16_t rport, uint8_t *p, size_t len)
{
	struct engine *e = arg;
	struct ike_ep l = {.addr = *local, .port = lport};
	struct ike_ep r = {.addr = *remote, .port = rport};

	ike_recv(e->ike, &l, &r, p, len);
}

static void
engine_dp_rekey(void *arg, uint32_t spi)
{
	ipsec_sa_limit(((struct engine *)arg)->ike, spi, 0);
}

static void
engine_dp_expire(void *arg, uint32_t spi)
{
	ipsec_sa_limit(((struct engine *)arg)->ike, spi, 1);
}

static int
engine_udp_add(void *arg, int fd, const struct addr *bound, uint16_t port)
{
	return esp_dp_udp_add(((struct engine *)arg)->dp, fd, bound, port);
}

static void
engine_udp_remove(void *arg, int fd)
{
	esp_dp_udp_remove(((struct engine *)arg)->dp, fd);
}

/* The data plane, if this process may have one (root, /dev/net/tun). */
static void
engine_dp_start(struct engine *e, struct ev_loop *loop, const struct conf *c)
{
	const struct esp_dp_hooks h = {
	    .acquire = engine_dp_acquire,
	    .ike_input = engine_dp_ike,
	    .rekey = engine_dp_rekey,
	    .expire = engine_dp_expire,
	    .arg = e,
	};
	const struct ike_udp_hook u = {
	    .add = engine_udp_add, .remove = engine_udp_remove, .arg = e};
	char err[256];

	err[0] = '\0';
	if ((e->dp = esp_dp_new(loop, &h, err, sizeof(err))) == NULL) {
		log_event(EV_ESP_ERROR,
			  "no data plane: %s; IKE runs, no "
			  "traffic flows",
			  err);
		return;
	}
	esp_dp_key_export(e->dp, c->key_export);
	esp_dp_apply(e->dp, c);
	sad_set_ops(e->ike->sad, esp_dp_sad_ops(e->dp));
	ike_set_udp_hook(e->ike, &u);
}

struct engine *
engine_new(struct ev_loop *loop, const struct conf *c, char *err, size_t errlen)
{
	struct engine *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->ike = ike_new(loop, err, errlen)) == NULL) {
		free(e);
		return NULL;
	}
	/* The data plane first: IKE must not start on sockets it reopens. */
	engine_dp_start(e, loop, c);
	ike_apply(e->ike, c);
	return e;
}

/* Deletes go out while the sockets exist; the interfaces go last. */
void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	ike_free(e->ike);
	esp_dp_free(e->dp);
	free(e);
}

/*
 * IKE first: SAs of removed or changed tunnels go before their
 * interfaces; new interfaces exist before any SA of theirs can be
 * negotiated (that takes round trips).
 */
int
engine_apply(struct engine *e, const struct conf *c)
{
	int rv = ike_apply(e->ike, c);

	if (e->dp != NULL) {
		esp_dp_key_export(e->dp, c->key_export);
		esp_dp_apply(e->dp, c);
	}
	return rv;
}

int
engine_subscribe(struct engine *e, engine_event_fn *fn, void *arg)
{
	struct ike *ike = e->ike;

	if (ike->nsubs == IKE_SUBS_MAX)
		return -1;
	ike->subs[ike->nsubs].fn = fn;
	ike->subs[ike->nsubs].arg = arg;
	ike->nsubs++;
	return 0;
}

void
engine_counts(struct engine *e, struct engine_counts *out)
{
	const struct ike_tunnel *t;
	const struct ipsec_sa *c;
	const struct ike_peer *p;
	const struct ike_sa *sa;

	memset(out, 0, sizeof(*out));
	TAILQ_FOREACH(p, &e->ike->peers, entry)
		out->ike_configured++;
	TAILQ_FOREACH(sa, &e->ike->sas, entry)
		out->ike_created += sa->state == IKE_SA_ESTABLISHED;
	TAILQ_FOREACH(t, &e->ike->tunnels, entry) {
		out->ipsec_configured += t->conf->nlocal * t->conf->nremote;
		out->tunnels_up += t->up;
		TAILQ_FOREACH(c, &t->sas, entry)
			out->ipsec_created += c->state == IPSEC_SA_INSTALLED;
	}
}

/* Traffic for a tunnel without an SA (on-demand initiation). */
int
engine_acquire(struct engine *e, const char *tunnel)
{
	struct ike_tunnel *t = ike_tunnel_by_name(e->ike, tunnel);

	if (t == NULL)
		return -1;
	ike_tunnel_want(t);
	return 0;
}

const char *
engine_event_name(enum engine_event_type t)
{
	static const char *const names[] = {
	    [ENGINE_EV_IKE_UP] = "isakmp-sa-up",
	    [ENGINE_EV_IKE_DOWN] = "isakmp-sa-down",
	    [ENGINE_EV_IPSEC_UP] = "ipsec-sa-up",
	    [ENGINE_EV_IPSEC_DOWN] = "ipsec-sa-down",
	    [ENGINE_EV_TUNNEL_UP] = "tunnel-up",
	    [ENGINE_EV_TUNNEL_DOWN] = "tunnel-down",
	    [ENGINE_EV_NEG_FAIL] = "negotiation-failed",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void
engine_show_ike_sa(struct engine *e, struct json_w *w, const char *peer,
		   int detail)
{
	ike_show_ike_sa(e->ike, w, peer, detail);
}

void
engine_show_ipsec_sa(struct engine *e, struct json_w *w, const char *tunnel,
		     int detail)
{
	ike_show_ipsec_sa(e->ike, w, tunnel, detail);
}

void
engine_show_ike_stats(struct engine *e, struct json_w *w)
{
	ike_show_stats(e->ike, w);
}

/* "show tunnel": the interfaces and their data-plane counters. */
void
engine_show_tunnels(struct engine *e, struct json_w *w, const char *name)
{
	json_obj_open(w);
	json_kv_bool(w, "data_plane", e->dp != NULL);
	if (e->dp != NULL)
		esp_dp_show(e->dp, w, name);
	ike_show_ipsec_tunnels(e->ike, w, name);
	json_obj_close(w);
}

/*
 * "clear ike sa [PEER]": delete the ISAKMP SAs (telling the peers).
 * Always-on tunnels negotiate again at once.  Returns how many went.
 */
int
engine_clear_ike_sa(struct engine *e, const char *peer)
{
	struct ike_sa *sa, *next;
	struct ike_tunnel *t;
	int n = 0;

	for (sa = TAILQ_FIRST(&e->ike->sas); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		if (sa->state == IKE_SA_DEAD ||
		    (peer != NULL && (sa->peer == NULL ||
				      strcmp(sa->peer->conf->name, peer) != 0)))
			continue;
		ike_sa_delete(sa, "cleared by operator", 1);
		n++;
	}
	TAILQ_FOREACH(t, &e->ike->tunnels, entry)
		if (t->conf->initiate == CONF_INIT_ALWAYS &&
		    (peer == NULL || strcmp(t->conf->peer->name, peer) == 0))
			ike_tunnel_want(t);
	return n;
}

int
engine_clear_ipsec_sa(struct engine *e, const char *tunnel)
{
	struct ike_tunnel *t;
	struct ipsec_sa *c, *next;
	int n = 0;

	TAILQ_FOREACH(t, &e->ike->tunnels, entry) {
		if (tunnel != NULL && strcmp(t->conf->name, tunnel) != 0)
			continue;
		for (c = TAILQ_FIRST(&t->sas); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			ipsec_sa_delete(c, "cleared by operator", 1);
			n++;
		}
		if (t->conf->initiate == CONF_INIT_ALWAYS)
			ike_tunnel_want(t);
	}
	return n;
}

/*
 * "rekey ipsec sa [TUNNEL]": replace the IPsec SAs now, make before
 * break, as their soft lifetime would.  Returns how many were started.
 */
int
engine_rekey_ipsec_sa(struct engine *e, const char *tunnel)
{
	struct ike_tunnel *t;
	struct ipsec_sa *c;
	int n = 0;

	TAILQ_FOREACH(t, &e->ike->tunnels, entry) {
		if (tunnel != NULL && strcmp(t->conf->name, tunnel) != 0)
			continue;
		TAILQ_FOREACH(c, &t->sas, entry)
			if (c->state == IPSEC_SA_INSTALLED && !c->soft_done) {
				c->soft_done = 1;
				n++;
			}
		ike_tunnel_want(t);
	}
	return n;
}
