/*
 * IPsec SAs (phase 2): one pair of SAD entries per negotiated (local,
 * remote) network pair of a tunnel.  The one state function keeps the
 * tunnel's up/down state, the counters and the event stream in step.
 * Rekeying installs the new pair before the old inbound SA goes, so
 * packets in flight under the old SPI still arrive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"
#include "str.h"

#define IPSEC_SOFT_PCT	    85
#define IPSEC_SOFT_PCT_RESP 93
#define IPSEC_JITTER_PCT    5

static const char *const ipsec_states[IPSEC_SA_STATE_COUNT] = {
    [IPSEC_SA_NEGOTIATING] = "negotiating",
    [IPSEC_SA_INSTALLED] = "installed",
    [IPSEC_SA_REKEYED] = "rekeyed",
    [IPSEC_SA_DEAD] = "dead",
};

#define S(x) (1u << (x))
static const uint32_t ipsec_from[IPSEC_SA_STATE_COUNT] = {
    [IPSEC_SA_INSTALLED] = S(IPSEC_SA_NEGOTIATING),
    [IPSEC_SA_REKEYED] = S(IPSEC_SA_INSTALLED),
    [IPSEC_SA_DEAD] =
	S(IPSEC_SA_NEGOTIATING) | S(IPSEC_SA_INSTALLED) | S(IPSEC_SA_REKEYED),
};
#undef S

const char *
ipsec_sa_state_name(enum ipsec_sa_state s)
{
	return (unsigned)s < IPSEC_SA_STATE_COUNT ? ipsec_states[s] : "?";
}

static void ipsec_sa_timer(struct ev_timer *, void *);

/* A random inbound SPI, unused, outside the reserved 1..255. */
uint32_t
ipsec_sa_spi_alloc(struct ike *ike)
{
	uint32_t spi;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		if (crypto_random(&spi, sizeof(spi)) == -1)
			return 0;
		if (spi > 255 && !sad_spi_in_use(ike->sad, spi))
			return spi;
	}
	return 0;
}

struct ipsec_sa *
ipsec_sa_new(struct ike_tunnel *t, int pair, int initiator)
{
	const struct conf_tunnel *c = t->conf;
	struct ipsec_sa *sa;

	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->tun = t;
	sa->pair = pair;
	sa->initiator = initiator;
	sa->serial = ++t->ike->serial;
	sa->local = c->local[pair / c->nremote];
	sa->remote = c->remote[pair % c->nremote];
	sa->state = IPSEC_SA_NEGOTIATING;
	clock_gettime(CLOCK_REALTIME, &sa->created);
	if ((sa->spi_in = ipsec_sa_spi_alloc(t->ike)) == 0 ||
	    (sa->life = ev_timer_new(t->ike->loop, ipsec_sa_timer, sa)) ==
		NULL) {
		free(sa);
		return NULL;
	}
	/* Reserve the SPI now: a second negotiation must not pick it. */
	TAILQ_INSERT_TAIL(&t->sas, sa, entry);
	return sa;
}

void
ipsec_sa_free(struct ipsec_sa *sa)
{
	if (sa == NULL)
		return;
	ev_timer_free(sa->life);
	free(sa);
}

static void
ipsec_sa_event(struct ipsec_sa *sa, enum engine_event_type type,
	       const char *reason)
{
	struct engine_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.peer = sa->tun->peer != NULL ? sa->tun->peer->conf->name : "";
	ev.tunnel = sa->tun->conf->name;
	if (sa->tun->peer != NULL)
		ev.peer_addr = sa->tun->peer->conf->addr;
	ev.phase = 2;
	ev.reason = reason;
	ev.spi_in = sa->spi_in;
	ev.spi_out = sa->spi_out;
	ike_emit(sa->tun->ike, &ev);
}

/* The tunnel is up while at least one of its IPsec SAs is installed. */
static void
ipsec_sa_tunnel(struct ike_tunnel *t, const char *reason)
{
	const struct ipsec_sa *c;
	struct log_sd sd[1];
	int up = 0;

	TAILQ_FOREACH(c, &t->sas, entry)
		up |= c->state == IPSEC_SA_INSTALLED;
	if (up == t->up)
		return;
	t->up = up;
	t->last_change_ms = ev_time_ms();
	clock_gettime(CLOCK_REALTIME, &t->last_change);
	log_sd_set(&sd[0], "tunnel", t->conf->name);
	if (!up)
		str_lcpy(t->last_down, reason, sizeof(t->last_down));
	log_event_sd(up ? EV_TUN_UP : EV_TUN_DOWN, sd, 1, "tunnel %s %s%s%s",
		     t->conf->name, up ? "up" : "down", up ? "" : ": ",
		     up ? "" : reason);
	{
		struct engine_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = up ? ENGINE_EV_TUNNEL_UP : ENGINE_EV_TUNNEL_DOWN;
		ev.tunnel = t->conf->name;
		ev.peer = t->peer != NULL ? t->peer->conf->name : "";
		if (t->peer != NULL)
			ev.peer_addr = t->peer->conf->addr;
		ev.phase = 2;
		ev.reason = up ? "" : reason;
		ike_emit(t->ike, &ev);
	}
}

/* The one place an IPsec SA changes state. */
void
ipsec_sa_state(struct ipsec_sa *sa, enum ipsec_sa_state to, const char *reason)
{
	enum ipsec_sa_state from = sa->state;

	if (to >= IPSEC_SA_STATE_COUNT || !(ipsec_from[to] & (1u << from))) {
		log_event(EV_DMN_SYSERR,
			  "IPsec SA #%llu: cannot switch %s -> "
			  "%s",
			  (unsigned long long)sa->serial,
			  ipsec_sa_state_name(from), ipsec_sa_state_name(to));
		return;
	}
	log_event(EV_IKE_STATE, "IPsec SA #%llu %s spi 0x%08x: %s -> %s",
		  (unsigned long long)sa->serial, sa->tun->conf->name,
		  sa->spi_in, ipsec_sa_state_name(from),
		  ipsec_sa_state_name(to));
	sa->state = to;
	if (to == IPSEC_SA_INSTALLED)
		ipsec_sa_event(sa, ENGINE_EV_IPSEC_UP, "");
	if (to == IPSEC_SA_DEAD) {
		str_lcpy(sa->down_reason, reason, sizeof(sa->down_reason));
		if (from != IPSEC_SA_NEGOTIATING)
			ipsec_sa_event(sa, ENGINE_EV_IPSEC_DOWN, reason);
		TAILQ_REMOVE(&sa->tun->sas, sa, entry);
		ipsec_sa_tunnel(sa->tun, reason);
		/* Freed from the loop: the caller may still hold it. */
		ev_timer_stop(sa->life);
		TAILQ_INSERT_TAIL(&sa->tun->ike->dead, sa, entry);
		ev_timer_start(sa->tun->ike->reaper, 0);
		return;
	}
	ipsec_sa_tunnel(sa->tun, reason);
}

/* --- installing --- */

static void
ipsec_sa_entry(const struct ipsec_sa *c, const struct ike_sa *sa,
	       enum sad_dir dir, struct sad_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->dir = dir;
	e->spi = dir == SAD_IN ? c->spi_in : c->spi_out;
	str_lcpy(e->tunnel, c->tun->conf->name, sizeof(e->tunnel));
	e->enc = c->enc;
	e->integ = c->integ;
	e->src = dir == SAD_OUT ? sa->local.addr : sa->remote.addr;
	e->dst = dir == SAD_OUT ? sa->remote.addr : sa->local.addr;
	if (c->encap) {
		e->sport = dir == SAD_OUT ? sa->local.port : sa->remote.port;
		e->dport = dir == SAD_OUT ? sa->remote.port : sa->local.port;
	}
	e->local = c->local;
	e->remote = c->remote;
	e->replay_window = c->tun->conf->replay_window;
	e->life_bytes = c->life_kb * 1024;
}

/* KEYMAT for one direction, split into the cipher and integrity keys. */
static int
ipsec_sa_keys(const struct ike_xchg *x, uint32_t spi, struct sad_entry *e)
{
	uint8_t km[IKE_KEYMAT_MAX];
	size_t ek = ike_prop_esp_keylen(e->enc),
	       ak = ike_prop_esp_authlen(e->integ);
	int rv;

	rv = ike_keys_keymat(
	    &x->sa->keys, (struct ike_chunk){x->gqm.data, x->gqm.len},
	    IKE_PROTO_ESP, spi, (struct ike_chunk){x->ni.data, x->ni.len},
	    (struct ike_chunk){x->nr.data, x->nr.len}, km, ek + ak);
	if (rv == 0) {
		memcpy(e->enckey, km, ek);
		e->enckeylen = ek;
		memcpy(e->authkey, km + ek, ak);
		e->authkeylen = ak;
	}
	crypto_wipe(km, sizeof(km));
	return rv;
}

static uint64_t
ipsec_sa_soft_ms(const struct ipsec_sa *c)
{
	uint32_t r = 0;
	int pct = c->initiator ? IPSEC_SOFT_PCT : IPSEC_SOFT_PCT_RESP;

	crypto_random(&r, sizeof(r));
	return (uint64_t)c->life_s * 10 *
	       (uint64_t)(pct - (int)(r % IPSEC_JITTER_PCT));
}

/* Older SAs of the same network pair: their turn is over. */
static void
ipsec_sa_supersede(struct ipsec_sa *c)
{
	struct ipsec_sa *o;

	TAILQ_FOREACH(o, &c->tun->sas, entry) {
		if (o == c || o->pair != c->pair ||
		    o->state != IPSEC_SA_INSTALLED)
			continue;
		/* Outbound moves now; inbound stays for packets in flight. */
		sad_delete(c->tun->ike->sad, o->spi_out, SAD_OUT);
		ipsec_sa_state(o, IPSEC_SA_REKEYED, "rekeyed");
		o->expire_ms = ev_time_ms() + IKE_REKEY_GRACE_MS;
		o->soft_done = 1;
		ev_timer_start(o->life, IKE_REKEY_GRACE_MS);
	}
}

int
ipsec_sa_install(struct ipsec_sa *c, struct ike_xchg *x)
{
	struct sad_entry in, out;
	struct ike *ike = c->tun->ike;
	char ep[64], name[48];
	int rv = -1;

	c->local_ep = x->sa->local;
	c->remote_ep = x->sa->remote;
	ipsec_sa_entry(c, x->sa, SAD_IN, &in);
	ipsec_sa_entry(c, x->sa, SAD_OUT, &out);
	if (ipsec_sa_keys(x, c->spi_in, &in) == -1 ||
	    ipsec_sa_keys(x, c->spi_out, &out) == -1 ||
	    sad_install(ike->sad, &in) == -1 ||
	    sad_install(ike->sad, &out) == -1)
		goto done;
	c->established_ms = ev_time_ms();
	c->expire_ms = c->established_ms + (uint64_t)c->life_s * 1000;
	ev_timer_start(c->life, ipsec_sa_soft_ms(c));
	ike->st.p2.success++;
	x->sa->peer->p2.success++;
	/* Up first, then the old pair steps down: the tunnel never drops. */
	ipsec_sa_state(c, IPSEC_SA_INSTALLED, "");
	ipsec_sa_supersede(c);
	log_event(EV_IKE_IPSEC_UP,
		  "IPsec SA for %s with %s established: "
		  "SPI in 0x%08x out 0x%08x, %s, PFS %s%.0d, %s, lifetime %us",
		  c->tun->conf->name, ike_ep_fmt(&c->remote_ep, ep, sizeof(ep)),
		  c->spi_in, c->spi_out,
		  ike_prop_esp_name(c->enc, c->integ, name, sizeof(name)),
		  c->pfs_group ? "group " : "none", c->pfs_group,
		  c->encap ? "UDP-encapsulated" : "ESP", c->life_s);
	rv = 0;
done:
	crypto_wipe(&in, sizeof(in));
	crypto_wipe(&out, sizeof(out));
	return rv;
}

/* An ISAKMP SA to send a Delete or notify with, if there is one. */
static struct ike_sa *
ipsec_sa_isakmp(struct ike_tunnel *t)
{
	struct ike_sa *sa;

	if (t->peer == NULL)
		return NULL;
	if (t->peer->sa != NULL && t->peer->sa->state == IKE_SA_ESTABLISHED)
		return t->peer->sa;
	TAILQ_FOREACH(sa, &t->ike->sas, entry)
		if (sa->peer == t->peer && sa->state == IKE_SA_ESTABLISHED)
			return sa;
	return NULL;
}

void
ipsec_sa_delete(struct ipsec_sa *c, const char *why, int tell)
{
	struct ike *ike = c->tun->ike;
	struct ike_sa *sa;
	char ep[64];

	if (c->state == IPSEC_SA_DEAD)
		return;
	if (c->state != IPSEC_SA_NEGOTIATING) {
		if (tell && (sa = ipsec_sa_isakmp(c->tun)) != NULL)
			ike_info_delete_p2(sa, c->spi_in);
		sad_delete(ike->sad, c->spi_in, SAD_IN);
		sad_delete(ike->sad, c->spi_out, SAD_OUT);
		log_event(strcmp(why, "lifetime expired") == 0
			      ? EV_IKE_IPSEC_EXPIRED
			      : EV_IKE_IPSEC_DOWN,
			  "IPsec SA for %s "
			  "with %s deleted (SPI in 0x%08x out 0x%08x): %s",
			  c->tun->conf->name,
			  ike_ep_fmt(&c->remote_ep, ep, sizeof(ep)), c->spi_in,
			  c->spi_out, why);
	}
	ipsec_sa_state(c, IPSEC_SA_DEAD, why);
}

static void
ipsec_sa_timer(struct ev_timer *t, void *arg)
{
	struct ipsec_sa *c = arg;
	uint64_t now = ev_time_ms();

	if (c->state == IPSEC_SA_REKEYED || now >= c->expire_ms) {
		ipsec_sa_delete(c,
				c->state == IPSEC_SA_REKEYED
				    ? "rekeyed"
				    : "lifetime expired",
				1);
		return;
	}
	if (!c->soft_done) {
		c->soft_done = 1;
		ev_timer_start(t, c->expire_ms - now);
		if (c->tun->conf->initiate != CONF_INIT_RESPOND) {
			log_event(EV_IKE_REKEY,
				  "rekeying IPsec SA for %s (SPI "
				  "in 0x%08x)",
				  c->tun->conf->name, c->spi_in);
			ike_tunnel_want(c->tun);
		}
		return;
	}
	ev_timer_start(t, c->expire_ms - now);
}

/* The SA whose outbound SPI the peer names in a Delete. */
struct ipsec_sa *
ipsec_sa_by_spi_out(struct ike *ike, uint32_t spi, const struct ike_peer *p)
{
	struct ike_tunnel *t;
	struct ipsec_sa *c;

	TAILQ_FOREACH(t, &ike->tunnels, entry) {
		if (t->peer != p)
			continue;
		TAILQ_FOREACH(c, &t->sas, entry)
			if (c->spi_out == spi)
				return c;
	}
	return NULL;
}

/*
 * The data plane says an outbound SA is near the end of its volume or
 * sequence numbers (soft), or past it (hard): replace it in time, or at
 * once.
 */
void
ipsec_sa_limit(struct ike *ike, uint32_t spi_out, int hard)
{
	struct ike_tunnel *t;
	struct ipsec_sa *c;

	TAILQ_FOREACH(t, &ike->tunnels, entry)
		TAILQ_FOREACH(c, &t->sas, entry)
			if (c->spi_out == spi_out)
				goto found;
	return;
found:
	log_event(EV_ESP_LIMIT,
		  "IPsec SA for %s (SPI out 0x%08x) %s its "
		  "volume or sequence-number limit",
		  t->conf->name, spi_out, hard ? "reached" : "is near");
	if (hard)
		ipsec_sa_delete(c, "volume limit reached", 1);
	else
		c->soft_done = 1;
	if (t->conf->initiate != CONF_INIT_RESPOND)
		ike_tunnel_want(t);
}
