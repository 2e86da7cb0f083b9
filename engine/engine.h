/*
 * The engine's public interface, all the daemon knows of IKE and IPsec:
 * start it on the event loop with a configuration, hand it a new one on
 * reload, ask it questions, subscribe to its events, stop it.
 */
#ifndef FLEETVPN_ENGINE_H
#define FLEETVPN_ENGINE_H

#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "ev.h"
#include "json.h"

struct engine;

/* What SNMP traps and syslog alerts are made of. */
enum engine_event_type {
	ENGINE_EV_IKE_UP,   /* an ISAKMP SA is established */
	ENGINE_EV_IKE_DOWN, /* ... deleted, expired or dead */
	ENGINE_EV_IPSEC_UP, /* an IPsec SA pair is installed */
	ENGINE_EV_IPSEC_DOWN,
	ENGINE_EV_TUNNEL_UP,   /* a tunnel got its first IPsec SA */
	ENGINE_EV_TUNNEL_DOWN, /* ... lost its last one */
	ENGINE_EV_NEG_FAIL     /* a negotiation failed (phase, cause) */
};

struct engine_event {
	enum engine_event_type type;
	const char *peer;   /* configured peer name, or "" */
	const char *tunnel; /* tunnel name, or "" */
	struct addr peer_addr;
	int phase;	    /* 1 or 2 */
	const char *reason; /* why down, or the failure cause */
	uint32_t spi_in;
	uint32_t spi_out;
};

typedef void engine_event_fn(const struct engine_event *, void *);

struct engine_counts {
	int ike_configured;
	int ike_created;
	int ipsec_configured;
	int ipsec_created;
	int tunnels_up;
};

struct engine *engine_new(struct ev_loop *, const struct conf *, char *,
			  size_t);
void engine_free(struct engine *);
int engine_apply(struct engine *, const struct conf *);
int engine_subscribe(struct engine *, engine_event_fn *, void *);
void engine_counts(struct engine *, struct engine_counts *);
int engine_acquire(struct engine *, const char *);
const char *engine_event_name(enum engine_event_type);

/* The answers of "show ike sa", "show ipsec sa", "show ike statistics". */
void engine_show_ike_sa(struct engine *, struct json_w *, const char *, int);
void engine_show_ipsec_sa(struct engine *, struct json_w *, const char *, int);
void engine_show_ike_stats(struct engine *, struct json_w *);
void engine_show_tunnels(struct engine *, struct json_w *, const char *);
int engine_clear_ike_sa(struct engine *, const char *);
int engine_clear_ipsec_sa(struct engine *, const char *);
int engine_rekey_ipsec_sa(struct engine *, const char *);

#endif
