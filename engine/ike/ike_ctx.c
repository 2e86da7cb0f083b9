/*
 * The engine object: configured peers and tunnels as run-time objects,
 * reconfiguration, the event stream.  A reload hands in a whole new
 * configuration; objects are matched by name, their SAs kept when nothing
 * that was negotiated changed, and cleared (with a Delete to the peer)
 * when it did.
 */
#include <stdlib.h>
#include <string.h>

#include "ike.h"
#include "str.h"

#define IKE_RESTART_MIN_MS 5000
#define IKE_RESTART_MAX_MS 120000

static void
ike_restart(struct ev_timer *t, void *arg)
{
	struct ike_peer *p = arg;
	struct ike_tunnel *tun;

	(void)t;
	TAILQ_FOREACH(tun, &p->ike->tunnels, entry)
		if (tun->peer == p && tun->conf->initiate == CONF_INIT_ALWAYS)
			ike_tunnel_want(tun);
}

static struct ike_peer *
ike_peer_new(struct ike *ike, const struct conf_ike_peer *c)
{
	struct ike_peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->ike = ike;
	p->conf = c;
	if ((p->restart = ev_timer_new(ike->loop, ike_restart, p)) == NULL) {
		free(p);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ike->peers, p, entry);
	return p;
}

static void
ike_peer_free(struct ike_peer *p)
{
	struct ike_sa *sa, *next;

	for (sa = TAILQ_FIRST(&p->ike->sas); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		if (sa->peer == p)
			ike_sa_delete(sa, "peer removed from configuration", 1);
	}
	TAILQ_REMOVE(&p->ike->peers, p, entry);
	ev_timer_free(p->restart);
	free(p);
}

static struct ike_tunnel *
ike_tunnel_new(struct ike *ike, const struct conf_tunnel *c)
{
	struct ike_tunnel *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ike = ike;
	t->conf = c;
	TAILQ_INIT(&t->sas);
	clock_gettime(CLOCK_REALTIME, &t->last_change);
	str_lcpy(t->last_down, "never up", sizeof(t->last_down));
	TAILQ_INSERT_TAIL(&ike->tunnels, t, entry);
	return t;
}

static void
ike_tunnel_clear(struct ike_tunnel *t, const char *why)
{
	struct ipsec_sa *c;

	while ((c = TAILQ_FIRST(&t->sas)) != NULL)
		ipsec_sa_delete(c, why, 1);
}

static void
ike_tunnel_free(struct ike_tunnel *t)
{
	ike_tunnel_clear(t, "tunnel removed from configuration");
	TAILQ_REMOVE(&t->ike->tunnels, t, entry);
	free(t);
}

struct ike_peer *
ike_peer_by_name(struct ike *ike, const char *name)
{
	struct ike_peer *p;

	TAILQ_FOREACH(p, &ike->peers, entry)
		if (strcmp(p->conf->name, name) == 0)
			return p;
	return NULL;
}

struct ike_tunnel *
ike_tunnel_by_name(struct ike *ike, const char *name)
{
	struct ike_tunnel *t;

	TAILQ_FOREACH(t, &ike->tunnels, entry)
		if (strcmp(t->conf->name, name) == 0)
			return t;
	return NULL;
}

/* --- what a reload may change without renegotiating --- */

static int
ike_same_lifetime(const struct conf_lifetime *a, const struct conf_lifetime *b)
{
	return a->seconds == b->seconds && a->kilobytes == b->kilobytes;
}

static int
ike_same_ike_prop(const struct conf_ike_proposal *a,
		  const struct conf_ike_proposal *b)
{
	return a->enc == b->enc && a->hash == b->hash && a->group == b->group &&
	       ike_same_lifetime(&a->lifetime, &b->lifetime);
}

static int
ike_same_id(const struct conf_id *a, const struct conf_id *b)
{
	return a->type == b->type && addr_eq(&a->addr, &b->addr) &&
	       strcmp(a->value, b->value) == 0;
}

static int
ike_same_peer(const struct conf_ike_peer *a, const struct conf_ike_peer *b)
{
	int i;

	if (a->any != b->any || !addr_eq(&a->addr, &b->addr) ||
	    !addr_eq(&a->local_addr, &b->local_addr) || a->mode != b->mode ||
	    a->psk_len != b->psk_len ||
	    !crypto_memeq(a->psk, b->psk, a->psk_len) ||
	    a->nprops != b->nprops || a->natt != b->natt ||
	    !ike_same_id(&a->local_id, &b->local_id) ||
	    !ike_same_id(&a->remote_id, &b->remote_id))
		return 0;
	for (i = 0; i < a->nprops; i++)
		if (!ike_same_ike_prop(a->props[i], b->props[i]))
			return 0;
	return 1;
}

static int
ike_same_nets(const struct prefix *a, const struct prefix *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!prefix_eq(&a[i], &b[i]))
			return 0;
	return 1;
}

static int
ike_same_esp(const struct conf_ipsec_proposal *a,
	     const struct conf_ipsec_proposal *b)
{
	int i;

	if (a->nesp != b->nesp)
		return 0;
	for (i = 0; i < a->nesp; i++)
		if (a->esp[i].enc != b->esp[i].enc ||
		    a->esp[i].integ != b->esp[i].integ)
			return 0;
	return 1;
}

static int
ike_same_tunnel(const struct conf_tunnel *a, const struct conf_tunnel *b)
{
	const struct conf_ipsec_proposal *pa = a->proposal, *pb = b->proposal;

	return strcmp(a->peer->name, b->peer->name) == 0 &&
	       a->nlocal == b->nlocal && a->nremote == b->nremote &&
	       ike_same_nets(a->local, b->local, a->nlocal) &&
	       ike_same_nets(a->remote, b->remote, a->nremote) &&
	       a->shutdown == b->shutdown && ike_same_esp(pa, pb) &&
	       pa->pfs_group == pb->pfs_group &&
	       ike_same_lifetime(&pa->lifetime, &pb->lifetime) &&
	       a->replay_window == b->replay_window;
}

static void
ike_apply_peers(struct ike *ike, const struct conf *c)
{
	const struct conf_ike_peer *cp;
	struct ike_peer *p, *next;
	struct ike_sa *sa, *nsa;

	TAILQ_FOREACH(p, &ike->peers, entry)
		p->seen = 0;
	TAILQ_FOREACH(cp, &c->ike_peers, entry) {
		if ((p = ike_peer_by_name(ike, cp->name)) == NULL) {
			if ((p = ike_peer_new(ike, cp)) != NULL)
				p->seen = 1;
			continue;
		}
		p->seen = 1;
		if (!ike_same_peer(p->conf, cp))
			for (sa = TAILQ_FIRST(&ike->sas); sa != NULL;
			     sa = nsa) {
				nsa = TAILQ_NEXT(sa, entry);
				if (sa->peer == p)
					ike_sa_delete(
					    sa, "peer configuration changed",
					    1);
			}
		p->conf = cp;
	}
	for (p = TAILQ_FIRST(&ike->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (!p->seen)
			ike_peer_free(p);
	}
}

static void
ike_apply_tunnels(struct ike *ike, const struct conf *c)
{
	const struct conf_tunnel *ct;
	struct ike_tunnel *t, *next;

	TAILQ_FOREACH(t, &ike->tunnels, entry)
		t->seen = 0;
	TAILQ_FOREACH(ct, &c->tunnels, entry) {
		if ((t = ike_tunnel_by_name(ike, ct->name)) == NULL &&
		    (t = ike_tunnel_new(ike, ct)) == NULL)
			continue;
		if (t->seen == 0 && t->conf != ct &&
		    !ike_same_tunnel(t->conf, ct))
			ike_tunnel_clear(t, "tunnel configuration changed");
		t->seen = 1;
		t->conf = ct;
		t->peer = ike_peer_by_name(ike, ct->peer->name);
	}
	for (t = TAILQ_FIRST(&ike->tunnels); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (!t->seen)
			ike_tunnel_free(t);
	}
}

/*
 * Move to configuration "c".  The caller frees the old one afterwards:
 * nothing here may keep a pointer into it.
 */
int
ike_apply(struct ike *ike, const struct conf *c)
{
	struct ike_tunnel *t;

	/* Tunnels first: they point at peers that may go away. */
	ike_apply_tunnels(ike, c);
	ike_apply_peers(ike, c);
	/* The analyzer loses track of TAILQ_REMOVE's head update. */
	TAILQ_FOREACH(t, &ike->tunnels, entry)
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
		t->peer = ike_peer_by_name(ike, t->conf->peer->name);
	ike->conf = c;
	ike_net_open(ike);
	TAILQ_FOREACH(t, &ike->tunnels, entry)
		if (t->conf->initiate == CONF_INIT_ALWAYS)
			ike_tunnel_want(t);
	return 0;
}

/* Dead IPsec SAs are freed here, outside any handler that killed them. */
static void
ike_reap(struct ev_timer *t, void *arg)
{
	struct ike *ike = arg;
	struct ipsec_sa *c;

	(void)t;
	while ((c = TAILQ_FIRST(&ike->dead)) != NULL) {
		TAILQ_REMOVE(&ike->dead, c, entry);
		ipsec_sa_free(c);
	}
}

struct ike *
ike_new(struct ev_loop *loop, char *err, size_t errlen)
{
	struct ike *ike;

	if ((ike = calloc(1, sizeof(*ike))) == NULL) {
		str_lcpy(err, "out of memory", errlen);
		return NULL;
	}
	ike->loop = loop;
	TAILQ_INIT(&ike->peers);
	TAILQ_INIT(&ike->tunnels);
	TAILQ_INIT(&ike->sas);
	TAILQ_INIT(&ike->dead);
	if ((ike->reaper = ev_timer_new(loop, ike_reap, ike)) == NULL ||
	    (ike->sad = sad_new()) == NULL ||
	    crypto_random(ike->secret, sizeof(ike->secret)) == -1) {
		str_lcpy(err, "cannot initialise the SA database", errlen);
		ev_timer_free(ike->reaper);
		sad_free(ike->sad);
		free(ike);
		return NULL;
	}
	return ike;
}

/* Shutdown: every SA is deleted, and the peers are told. */
void
ike_free(struct ike *ike)
{
	struct ike_tunnel *t;
	struct ike_peer *p;
	struct ike_sa *sa;

	if (ike == NULL)
		return;
	while ((t = TAILQ_FIRST(&ike->tunnels)) != NULL) {
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see ike_apply()
		ike_tunnel_clear(t, "shutdown");
		TAILQ_REMOVE(&ike->tunnels, t, entry);
		free(t);
	}
	while ((sa = TAILQ_FIRST(&ike->sas)) != NULL) {
		ike_sa_delete(sa, "shutdown", 1);
		ike_sa_free(sa);
	}
	ike_reap(NULL, ike);
	ev_timer_free(ike->reaper);
	while ((p = TAILQ_FIRST(&ike->peers)) != NULL) {
		TAILQ_REMOVE(&ike->peers, p, entry);
		ev_timer_free(p->restart);
		free(p);
	}
	ike_net_close(ike);
	ev_timer_free(ike->sock_retry);
	sad_free(ike->sad);
	crypto_wipe(ike->secret, sizeof(ike->secret));
	free(ike);
}

void
ike_emit(struct ike *ike, const struct engine_event *ev)
{
	int i;

	for (i = 0; i < ike->nsubs; i++)
		ike->subs[i].fn(ev, ike->subs[i].arg);
}

/*
 * A tunnel wants its IPsec SAs: negotiate what is missing, starting with
 * phase 1 when there is no usable ISAKMP SA.
 */
void
ike_tunnel_want(struct ike_tunnel *t)
{
	struct ike_peer *p = t->peer;
	struct ipsec_sa *c;
	int pair, npairs, have;

	if (t->conf->shutdown || p == NULL)
		return;
	/* A dynamic peer is reachable only through the SA it made. */
	if (p->conf->any &&
	    (p->sa == NULL || p->sa->state != IKE_SA_ESTABLISHED))
		return;
	if (p->sa == NULL || p->sa->state != IKE_SA_ESTABLISHED) {
		p->wanted = 1;
		if (p->sa == NULL)
			ike_sa_initiate(p);
		return;
	}
	npairs = t->conf->nlocal * t->conf->nremote;
	for (pair = 0; pair < npairs; pair++) {
		have = 0;
		/* An SA past its soft lifetime is being replaced. */
		TAILQ_FOREACH(c, &t->sas, entry)
			if (c->pair == pair &&
			    ((c->state == IPSEC_SA_INSTALLED &&
			      !c->soft_done) ||
			     c->state == IPSEC_SA_NEGOTIATING))
				have = 1;
		if (!have)
			ike_quick_start(t, pair, p->sa);
	}
}

/* Phase 1 with this peer failed: back off before an always-on retry. */
void
ike_peer_failed(struct ike_peer *p, const char *why)
{
	str_lcpy(p->last_error, why, sizeof(p->last_error));
	p->wanted = 0;
	p->last_fail_ms = ev_time_ms();
	if (p->restart_ms == 0)
		p->restart_ms = IKE_RESTART_MIN_MS;
	else if (p->restart_ms < IKE_RESTART_MAX_MS / 2)
		p->restart_ms *= 2;
	else
		p->restart_ms = IKE_RESTART_MAX_MS;
	ev_timer_start(p->restart, p->restart_ms);
}
