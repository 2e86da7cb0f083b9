/*
 * The "ike peer" block: who the peer is, how to authenticate it, and the
 * checks between peers that the IKE responder relies on to find the right
 * peer (and key) for an incoming exchange.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"
#include "str.h"

#define DPD_RETRIES_MAX 100
#define PEER_TIMER_MAX	3600 /* dpd and nat-keepalive intervals */

static int peer_address(struct conf_ctx *);
static int peer_local_address(struct conf_ctx *);
static int peer_mode(struct conf_ctx *);
static int peer_psk(struct conf_ctx *);
static int peer_proposal(struct conf_ctx *);
static int peer_dpd(struct conf_ctx *);
static int peer_natt(struct conf_ctx *);
static int peer_keepalive(struct conf_ctx *);
static int peer_initial_contact(struct conf_ctx *);
static int peer_local_id(struct conf_ctx *);
static int peer_remote_id(struct conf_ctx *);

const struct conf_kw conf_peer_kws[] = {
    {"address", "IP|any", 1, 1, CONF_KW_REQUIRED, NULL, peer_address},
    {"local-address", "IP", 1, 1, 0, NULL, peer_local_address},
    {"mode", "main|aggressive", 1, 1, 0, NULL, peer_mode},
    {"pre-shared-key", "\"KEY\"", 1, 1, CONF_KW_REQUIRED, NULL, peer_psk},
    {"proposal", "NAME [NAME...]", 1, CONF_TOKENS_MAX - 1,
     CONF_KW_REQUIRED | CONF_KW_REPEAT, NULL, peer_proposal},
    {"dpd", "INTERVAL RETRIES [clear|restart]", 2, 3, 0, NULL, peer_dpd},
    {"nat-traversal", "on|off|force", 1, 1, 0, NULL, peer_natt},
    {"nat-keepalive", "DURATION", 1, 1, 0, NULL, peer_keepalive},
    {"initial-contact", "on|off", 1, 1, 0, NULL, peer_initial_contact},
    {"local-id", "ID", 1, 1, 0, NULL, peer_local_id},
    {"remote-id", "ID", 1, 1, 0, NULL, peer_remote_id},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static struct conf_ike_peer *
peer(const struct conf_ctx *ctx)
{
	return ctx->blk.obj;
}

/* Neither the unspecified nor a multicast address names a peer. */
static int
peer_addr_arg(struct conf_ctx *ctx, const char *s, struct addr *a)
{
	static const uint8_t zero[16];

	if (addr_parse(s, a) == -1) {
		conf_err(ctx, ctx->line, "%s: invalid IP address '%s'", ctx->kw,
			 s);
		return -1;
	}
	if (memcmp(a->bytes, zero, addr_len(a)) == 0) {
		conf_err(ctx, ctx->line, "%s: %s is not a usable address (%s)",
			 ctx->kw, s,
			 strcmp(ctx->kw, "address") == 0
			     ? "a peer with a dynamic address is 'address any'"
			     : "leave local-address out to let routing choose");
		memset(a, 0, sizeof(*a));
		return -1;
	}
	if ((a->family == AF_INET && (a->bytes[0] & 0xf0) == 0xe0) ||
	    (a->family == AF_INET6 && a->bytes[0] == 0xff)) {
		conf_err(ctx, ctx->line, "%s: %s is a multicast address",
			 ctx->kw, s);
		memset(a, 0, sizeof(*a));
		return -1;
	}
	return 0;
}

static int
peer_address(struct conf_ctx *ctx)
{
	if (strcmp(ctx->av[0], "any") == 0) {
		peer(ctx)->any = 1;
		return 0;
	}
	return peer_addr_arg(ctx, ctx->av[0], &peer(ctx)->addr);
}

static int
peer_local_address(struct conf_ctx *ctx)
{
	return peer_addr_arg(ctx, ctx->av[0], &peer(ctx)->local_addr);
}

static int
peer_mode(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_MODE, ctx->av[0], &v) == -1)
		return -1;
	peer(ctx)->mode = (enum conf_mode)v;
	return 0;
}

/* Messages about the key never quote it. */
static int
peer_psk(struct conf_ctx *ctx)
{
	struct conf_ike_peer *pe = peer(ctx);
	size_t n = strlen(ctx->av[0]);

	if (n == 0 || n >= sizeof(pe->psk)) {
		conf_err(ctx, ctx->line,
			 "pre-shared-key: %s (%zu bytes; 1 to "
			 "%zu allowed)",
			 n ? "too long" : "empty", n, sizeof(pe->psk) - 1);
		return -1;
	}
	if (!str_is_printable(ctx->av[0])) {
		conf_err(ctx, ctx->line,
			 "pre-shared-key: only printable ASCII "
			 "characters are allowed");
		return -1;
	}
	if (strspn(ctx->av[0], "*") == n) {
		conf_err(
		    ctx, ctx->line,
		    "pre-shared-key: the value looks "
		    "masked (only '*', as 'show running-config' prints it); "
		    "paste the real key");
		return -1;
	}
	memcpy(pe->psk, ctx->av[0], n + 1);
	pe->psk_len = n;
	return 0;
}

/* This peer's proposal references are the last ones added. */
static int
peer_has_proposal(const struct conf_ctx *ctx, const char *name)
{
	size_t i;

	for (i = ctx->nrefs; i > 0 && ctx->refs[i - 1].owner == ctx->blk.obj;
	     i--)
		if (strcmp(ctx->refs[i - 1].name, name) == 0)
			return 1;
	return 0;
}

/* Names in order of preference; another "proposal" line appends. */
static int
peer_proposal(struct conf_ctx *ctx)
{
	struct conf_ike_peer *pe = peer(ctx);
	int i;

	for (i = 0; i < ctx->ac; i++) {
		if (conf_parse_name(ctx, ctx->av[i]) == -1)
			return -1;
		if (peer_has_proposal(ctx, ctx->av[i])) {
			conf_err(ctx, ctx->line,
				 "proposal: '%s' is listed "
				 "twice",
				 ctx->av[i]);
			return -1;
		}
		if (pe->nprops == CONF_PROPS_MAX) {
			conf_err(ctx, ctx->line,
				 "proposal: too many proposals "
				 "(at most %d)",
				 CONF_PROPS_MAX);
			return -1;
		}
		if (conf_ref_add(ctx, CONF_REF_IKE_PROPOSAL, pe, pe->nprops,
				 ctx->av[i]) == -1)
			return -1;
		pe->nprops++;
	}
	return 0;
}

static int
peer_dpd(struct conf_ctx *ctx)
{
	struct conf_ike_peer *pe = peer(ctx);
	int v = CONF_DPD_CLEAR;

	if (conf_parse_duration(ctx, ctx->av[0], 1, PEER_TIMER_MAX,
				&pe->dpd_interval) == -1 ||
	    conf_parse_u32(ctx, ctx->av[1], 1, DPD_RETRIES_MAX,
			   &pe->dpd_retries) == -1)
		return -1;
	if (ctx->ac == 3 &&
	    conf_parse_enum(ctx, CONF_NAMES_DPD_ACTION, ctx->av[2], &v) == -1)
		return -1;
	pe->dpd_action = (enum conf_dpd_action)v;
	return 0;
}

static int
peer_natt(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_NATT, ctx->av[0], &v) == -1)
		return -1;
	peer(ctx)->natt = (enum conf_natt)v;
	return 0;
}

static int
peer_keepalive(struct conf_ctx *ctx)
{
	return conf_parse_duration(ctx, ctx->av[0], 1, PEER_TIMER_MAX,
				   &peer(ctx)->natt_keepalive);
}

static int
peer_initial_contact(struct conf_ctx *ctx)
{
	return conf_parse_enum(ctx, CONF_NAMES_ONOFF, ctx->av[0],
			       &peer(ctx)->initial_contact);
}

static int
id_value(struct conf_ctx *ctx, enum conf_id_type type, const char *v,
	 struct conf_id *id)
{
	static const char fqdn_chars[] = "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789-_.";
	size_t n = strlen(v);

	if (type == CONF_ID_ADDRESS && addr_parse(v, &id->addr) == -1) {
		conf_err(ctx, ctx->line, "%s: invalid IP address '%s'", ctx->kw,
			 v);
		return -1;
	}
	if (n == 0 || n >= sizeof(id->value) || !str_is_printable(v)) {
		conf_err(ctx, ctx->line,
			 "%s: a %s identity is 1 to %zu "
			 "printable ASCII characters",
			 ctx->kw, conf_id_type_name(type),
			 sizeof(id->value) - 1);
		return -1;
	}
	if (type == CONF_ID_FQDN && strspn(v, fqdn_chars) != n) {
		conf_err(ctx, ctx->line,
			 "%s: invalid fqdn '%s' (letters, "
			 "digits, '-', '_' and '.')",
			 ctx->kw, v);
		return -1;
	}
	if (type == CONF_ID_USER_FQDN &&
	    (strchr(v, '@') == NULL || strpbrk(v, " \t") != NULL)) {
		conf_err(ctx, ctx->line,
			 "%s: invalid user-fqdn '%s' (expected "
			 "USER@DOMAIN)",
			 ctx->kw, v);
		return -1;
	}
	id->type = type;
	if (type != CONF_ID_ADDRESS)
		str_lcpy(id->value, v, sizeof(id->value));
	return 0;
}

static int
peer_id(struct conf_ctx *ctx, const char *s, struct conf_id *id)
{
	static const struct {
		const char *prefix;
		enum conf_id_type type;
	} forms[] = {
	    {"address:", CONF_ID_ADDRESS},
	    {"fqdn:", CONF_ID_FQDN},
	    {"user-fqdn:", CONF_ID_USER_FQDN},
	    {"key-id:", CONF_ID_KEY_ID},
	};
	size_t i;

	memset(id, 0, sizeof(*id));
	if (addr_parse(s, &id->addr) == 0) {
		id->type = CONF_ID_ADDRESS;
		return 0;
	}
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (str_prefix(s, forms[i].prefix))
			return id_value(ctx, forms[i].type,
					s + strlen(forms[i].prefix), id);
	conf_err(ctx, ctx->line,
		 "%s: unknown identity '%s' (expected an IP "
		 "address, address:IP, fqdn:NAME, user-fqdn:USER@DOMAIN or "
		 "key-id:NAME)",
		 ctx->kw, s);
	return -1;
}

static int
peer_local_id(struct conf_ctx *ctx)
{
	return peer_id(ctx, ctx->av[0], &peer(ctx)->local_id);
}

static int
peer_remote_id(struct conf_ctx *ctx)
{
	return peer_id(ctx, ctx->av[0], &peer(ctx)->remote_id);
}

static int
id_eq(const struct conf_id *a, const struct conf_id *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == CONF_ID_ADDRESS)
		return addr_eq(&a->addr, &b->addr);
	/* Domain names compare without case, as DNS does. */
	if (a->type == CONF_ID_FQDN || a->type == CONF_ID_USER_FQDN)
		return strcasecmp(a->value, b->value) == 0;
	return strcmp(a->value, b->value) == 0;
}

static const char *
af_name(const struct addr *a)
{
	return a->family == AF_INET ? "IPv4" : "IPv6";
}

/*
 * With "address any" only the identity tells such peers apart, and the
 * key has to be found from it: only aggressive mode sends the identity
 * before the key is needed.
 */
static void
peer_check_any(struct conf_ctx *ctx, const struct conf_ike_peer *pe)
{
	int aline = conf_block_seen(ctx, "address");
	int rline = conf_block_seen(ctx, "remote-id");
	enum conf_id_type t = pe->remote_id.type;

	if (pe->mode != CONF_MODE_AGGRESSIVE)
		conf_err(
		    ctx, aline,
		    "ike peer '%s': 'address any' needs "
		    "'mode aggressive' (main mode picks the pre-shared key by "
		    "the peer's address, before its identity is known)",
		    pe->name);
	if (t != CONF_ID_FQDN && t != CONF_ID_USER_FQDN && t != CONF_ID_KEY_ID)
		conf_err(
		    ctx, rline ? rline : aline,
		    "ike peer '%s': 'address "
		    "any' needs a remote-id of type fqdn, user-fqdn or key-id "
		    "(a peer without a fixed address is found by its ID)",
		    pe->name);
}

static void
peer_check_other(struct conf_ctx *ctx, const struct conf_ike_peer *pe,
		 const struct conf_ike_peer *o)
{
	char a[ADDR_STR_MAX];

	if (pe->any && o->any && pe->remote_id.type != CONF_ID_DEFAULT &&
	    pe->remote_id.type != CONF_ID_ADDRESS &&
	    id_eq(&pe->remote_id, &o->remote_id))
		conf_err(
		    ctx, conf_block_seen(ctx, "remote-id"),
		    "ike peer "
		    "'%s': remote-id %s:%s is also the remote-id of ike peer "
		    "'%s' (line %d); peers with 'address any' are told apart "
		    "by their ID",
		    pe->name, conf_id_type_name(pe->remote_id.type),
		    pe->remote_id.value, o->name, o->line);
	if (!pe->any && !o->any && pe->addr.family != AF_UNSPEC &&
	    addr_eq(&pe->addr, &o->addr) && pe->mode == CONF_MODE_MAIN &&
	    o->mode == CONF_MODE_MAIN)
		conf_err(
		    ctx, conf_block_seen(ctx, "address"),
		    "ike peer '%s': "
		    "address %s is also the address of main-mode ike peer '%s' "
		    "(line %d); main mode picks the pre-shared key by address, "
		    "so one address can have only one main-mode peer",
		    pe->name, addr_fmt(&pe->addr, a, sizeof(a)), o->name,
		    o->line);
}

void
conf_peer_close(struct conf_ctx *ctx)
{
	const struct conf_ike_peer *pe = peer(ctx), *o;
	char a[ADDR_STR_MAX], la[ADDR_STR_MAX];

	if (pe->any)
		peer_check_any(ctx, pe);
	if (pe->addr.family != AF_UNSPEC &&
	    pe->local_addr.family != AF_UNSPEC &&
	    pe->addr.family != pe->local_addr.family)
		conf_err(ctx, conf_block_seen(ctx, "local-address"),
			 "ike peer "
			 "'%s': local-address %s is %s but address %s is %s",
			 pe->name, addr_fmt(&pe->local_addr, la, sizeof(la)),
			 af_name(&pe->local_addr),
			 addr_fmt(&pe->addr, a, sizeof(a)), af_name(&pe->addr));
	TAILQ_FOREACH(o, &ctx->conf->ike_peers, entry) {
		if (o == pe)
			break;
		peer_check_other(ctx, pe, o);
	}
}
