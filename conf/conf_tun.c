/*
 * The "tunnel" block: one TUN interface, the traffic it carries (local
 * and remote networks) and how its packets are handled.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "str.h"

#define MTU_MIN	    576
#define MTU_MAX	    9000
#define MSS_MIN	    536	 /* MTU_MIN - 40 */
#define MSS_MAX	    8960 /* MTU_MAX - 40 */
#define REPLAY_MAX  4096
#define REPLAY_STEP 32 /* the window is a bitmap of 32-bit words */

static int tun_peer(struct conf_ctx *);
static int tun_proposal(struct conf_ctx *);
static int tun_local(struct conf_ctx *);
static int tun_remote(struct conf_ctx *);
static int tun_mtu(struct conf_ctx *);
static int tun_mss(struct conf_ctx *);
static int tun_fragment(struct conf_ctx *);
static int tun_df(struct conf_ctx *);
static int tun_replay(struct conf_ctx *);
static int tun_initiate(struct conf_ctx *);
static int tun_description(struct conf_ctx *);
static int tun_shutdown(struct conf_ctx *);

const struct conf_kw conf_tun_kws[] = {
    {"peer", "NAME", 1, 1, CONF_KW_REQUIRED, NULL, tun_peer},
    {"proposal", "NAME", 1, 1, CONF_KW_REQUIRED, NULL, tun_proposal},
    {"local-network", "PREFIX", 1, 1, CONF_KW_REQUIRED | CONF_KW_REPEAT, NULL,
     tun_local},
    {"remote-network", "PREFIX", 1, 1, CONF_KW_REQUIRED | CONF_KW_REPEAT, NULL,
     tun_remote},
    {"mtu", "N", 1, 1, 0, NULL, tun_mtu},
    {"tcp-mss", "auto|off|N", 1, 1, 0, NULL, tun_mss},
    {"fragment", "post|pre|off", 1, 1, 0, NULL, tun_fragment},
    {"df-bit", "copy|clear|set", 1, 1, 0, NULL, tun_df},
    {"replay-window", "N", 1, 1, 0, NULL, tun_replay},
    {"initiate", "on-demand|always|never", 1, 1, 0, NULL, tun_initiate},
    {"description", "\"TEXT\"", 1, CONF_TOKENS_MAX - 1, 0, NULL,
     tun_description},
    {"shutdown", "", 0, 0, 0, NULL, tun_shutdown},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const char *const net_kw[2] = {"local-network", "remote-network"};

static struct conf_tunnel *
tun(const struct conf_ctx *ctx)
{
	return ctx->blk.obj;
}

static int
tun_peer(struct conf_ctx *ctx)
{
	if (conf_parse_name(ctx, ctx->av[0]) == -1)
		return -1;
	return conf_ref_add(ctx, CONF_REF_PEER, tun(ctx), 0, ctx->av[0]);
}

static int
tun_proposal(struct conf_ctx *ctx)
{
	if (conf_parse_name(ctx, ctx->av[0]) == -1)
		return -1;
	return conf_ref_add(ctx, CONF_REF_IPSEC_PROPOSAL, tun(ctx), 0,
			    ctx->av[0]);
}

static const char *
af_name(const struct prefix *p)
{
	return p->addr.family == AF_INET ? "IPv4" : "IPv6";
}

/* Host bits set is a typo for the network more often than not. */
static int
net_parse(struct conf_ctx *ctx, const char *s, struct prefix *p)
{
	char fix[PREFIX_STR_MAX];
	size_t i, n;
	int hostbits;

	if (prefix_parse(s, p, &hostbits) == 0)
		return 0;
	if (!hostbits) {
		conf_err(ctx, ctx->line,
			 "%s: invalid prefix '%s' (expected "
			 "ADDRESS/LENGTH, e.g. 192.168.10.0/24)",
			 ctx->kw, s);
		return -1;
	}
	n = addr_len(&p->addr);
	for (i = 0; i < n; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;

		if (bits < 8)
			p->addr.bytes[i] &= (uint8_t)(0xff << (8 - bits));
	}
	conf_err(ctx, ctx->line,
		 "%s: %s has host bits set (did you mean "
		 "%s?)",
		 ctx->kw, s, prefix_fmt(p, fix, sizeof(fix)));
	return -1;
}

/* p against one earlier network "o" of side "side" (0 local, 1 remote). */
static int
net_conflict(struct conf_ctx *ctx, const struct prefix *p, int which,
	     const struct prefix *o, int side, int line)
{
	char a[PREFIX_STR_MAX], b[PREFIX_STR_MAX];

	prefix_fmt(p, a, sizeof(a));
	prefix_fmt(o, b, sizeof(b));
	if (o->addr.family != p->addr.family)
		conf_err(ctx, ctx->line,
			 "%s: %s is %s but %s %s (line %d) is "
			 "%s; the networks of a tunnel are all of one address "
			 "family",
			 ctx->kw, a, af_name(p), net_kw[side], b, line,
			 af_name(o));
	else if (!prefix_overlaps(p, o))
		return 0;
	else if (side == which && p->len == o->len)
		conf_err(ctx, ctx->line, "%s: %s is listed twice (line %d)",
			 ctx->kw, a, line);
	else
		conf_err(ctx, ctx->line, "%s: %s overlaps %s %s (line %d)",
			 ctx->kw, a, net_kw[side], b, line);
	return -1;
}

/* One address family per tunnel, each address on one side only. */
static int
net_check(struct conf_ctx *ctx, const struct prefix *p, int which)
{
	const struct conf_tunnel *t = tun(ctx);
	const struct prefix *lists[2] = {t->local, t->remote};
	const int counts[2] = {t->nlocal, t->nremote};
	int side, i;

	for (side = 0; side < 2; side++)
		for (i = 0; i < counts[side]; i++)
			if (net_conflict(ctx, p, which, &lists[side][i], side,
					 ctx->blk.net_line[side][i]) == -1)
				return -1;
	return 0;
}

static int
tun_net(struct conf_ctx *ctx, const char *s, int which)
{
	struct conf_tunnel *t = tun(ctx);
	struct prefix p, *list = which ? t->remote : t->local;
	int *n = which ? &t->nremote : &t->nlocal;

	if (net_parse(ctx, s, &p) == -1)
		return -1;
	if (*n == CONF_NETS_MAX) {
		conf_err(ctx, ctx->line, "%s: too many networks (at most %d)",
			 ctx->kw, CONF_NETS_MAX);
		return -1;
	}
	if (net_check(ctx, &p, which) == -1)
		return -1;
	ctx->blk.net_line[which][*n] = ctx->line;
	list[(*n)++] = p;
	return 0;
}

static int
tun_local(struct conf_ctx *ctx)
{
	return tun_net(ctx, ctx->av[0], 0);
}

static int
tun_remote(struct conf_ctx *ctx)
{
	return tun_net(ctx, ctx->av[0], 1);
}

static int
tun_mtu(struct conf_ctx *ctx)
{
	return conf_parse_u32(ctx, ctx->av[0], MTU_MIN, MTU_MAX,
			      &tun(ctx)->mtu);
}

static int
tun_mss(struct conf_ctx *ctx)
{
	struct conf_tunnel *t = tun(ctx);

	if (strcmp(ctx->av[0], "auto") == 0 || strcmp(ctx->av[0], "off") == 0) {
		t->mss = ctx->av[0][0] == 'a' ? CONF_MSS_AUTO : CONF_MSS_OFF;
		t->mss_value = 0;
		return 0;
	}
	if (ctx->av[0][0] < '0' || ctx->av[0][0] > '9') {
		conf_err(ctx, ctx->line,
			 "tcp-mss: unknown value '%s' (expected "
			 "auto, off or a number %u..%u)",
			 ctx->av[0], MSS_MIN, MSS_MAX);
		return -1;
	}
	if (conf_parse_u32(ctx, ctx->av[0], MSS_MIN, MSS_MAX, &t->mss_value) ==
	    -1)
		return -1;
	t->mss = CONF_MSS_FIXED;
	return 0;
}

static int
tun_fragment(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_FRAG, ctx->av[0], &v) == -1)
		return -1;
	tun(ctx)->frag = (enum conf_frag)v;
	return 0;
}

static int
tun_df(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_DF, ctx->av[0], &v) == -1)
		return -1;
	tun(ctx)->df = (enum conf_df)v;
	return 0;
}

static int
tun_replay(struct conf_ctx *ctx)
{
	uint32_t v;

	if (conf_parse_u32(ctx, ctx->av[0], 0, REPLAY_MAX, &v) == -1)
		return -1;
	if (v % REPLAY_STEP != 0) {
		conf_err(ctx, ctx->line,
			 "replay-window: %u is not a multiple "
			 "of %d (%d..%d, or 0 to turn replay protection off)",
			 v, REPLAY_STEP, REPLAY_STEP, REPLAY_MAX);
		return -1;
	}
	tun(ctx)->replay_window = v;
	return 0;
}

static int
tun_initiate(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_INITIATE, ctx->av[0], &v) == -1)
		return -1;
	tun(ctx)->initiate = (enum conf_initiate)v;
	return 0;
}

/* Unquoted words are joined by one space, as a router does. */
static int
tun_description(struct conf_ctx *ctx)
{
	struct conf_tunnel *t = tun(ctx);
	char d[CONF_DESCR_MAX];
	size_t off = 0;
	int i;

	for (i = 0; i < ctx->ac && off < sizeof(d); i++)
		off += (size_t)snprintf(d + off, sizeof(d) - off, "%s%s",
					i ? " " : "", ctx->av[i]);
	if (off == 0 || off >= sizeof(d) || !str_is_printable(d)) {
		conf_err(ctx, ctx->line,
			 "description: 1 to %zu printable "
			 "ASCII characters are allowed",
			 sizeof(d) - 1);
		return -1;
	}
	memcpy(t->description, d, off + 1);
	return 0;
}

static int
tun_shutdown(struct conf_ctx *ctx)
{
	tun(ctx)->shutdown = 1;
	return 0;
}

/* Two tunnels claiming the same remote addresses would fight for routes. */
static void
tun_check_remote(struct conf_ctx *ctx, const struct conf_tunnel *t,
		 const struct conf_tunnel *o)
{
	char a[PREFIX_STR_MAX], b[PREFIX_STR_MAX];
	int i, j;

	for (i = 0; i < t->nremote; i++)
		for (j = 0; j < o->nremote; j++) {
			if (!prefix_overlaps(&t->remote[i], &o->remote[j]))
				continue;
			conf_err(
			    ctx, ctx->blk.net_line[1][i],
			    "tunnel '%s': "
			    "remote-network %s overlaps remote-network %s of "
			    "tunnel '%s' (line %d)",
			    t->name, prefix_fmt(&t->remote[i], a, sizeof(a)),
			    prefix_fmt(&o->remote[j], b, sizeof(b)), o->name,
			    o->line);
			break;
		}
}

void
conf_tun_close(struct conf_ctx *ctx)
{
	const struct conf_tunnel *t = tun(ctx), *o;
	size_t i;

	TAILQ_FOREACH(o, &ctx->conf->tunnels, entry) {
		if (o == t)
			break;
		tun_check_remote(ctx, t, o);
	}
	/* Whether "initiate" fits is known once the peer is resolved. */
	for (i = ctx->nrefs; i > 0 && ctx->refs[i - 1].owner == t; i--)
		if (ctx->refs[i - 1].kind == CONF_REF_PEER)
			ctx->refs[i - 1].aux_line =
			    conf_block_seen(ctx, "initiate");
}
