/*
 * The engine's public face (engine.h) over the IKE engine's internals.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "ike.h"

struct engine {
	struct ike *ike;
};

struct engine *
engine_new(struct ev_loop *loop, const struct conf *c, char *err, size_t errlen)
{
	struct engine *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->ike = ike_new(loop, c, err, errlen)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	ike_free(e->ike);
	free(e);
}

int
engine_apply(struct engine *e, const struct conf *c)
{
	return ike_apply(e->ike, c);
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
