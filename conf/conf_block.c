/*
 * Blocks: opening, closing (required settings, the block's own checks)
 * and dropping them, plus the two proposal blocks, which are small.
 * conf_peer.c and conf_tun.c have the other two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "str.h"

#define IKE_LIFE_DEFAULT   (8 * 3600)
#define IKE_LIFE_MAX	   (7 * 86400)
#define IPSEC_LIFE_DEFAULT 3600
#define IPSEC_LIFE_MAX	   (2 * 86400)
#define LIFE_MIN	   60
#define KB_MIN		   10

static int ikep_encryption(struct conf_ctx *);
static int ikep_hash(struct conf_ctx *);
static int ikep_group(struct conf_ctx *);
static int ikep_lifetime(struct conf_ctx *);
static int ipsp_esp(struct conf_ctx *);
static int ipsp_pfs(struct conf_ctx *);
static int ipsp_lifetime(struct conf_ctx *);

#define LIFE "DURATION | lifetime N kilobytes"

static const struct conf_kw ikep_kws[] = {
    {"encryption", "aes-128|aes-192|aes-256|3des", 1, 1, CONF_KW_REQUIRED, NULL,
     ikep_encryption},
    {"hash", "md5|sha1|sha256|sha384|sha512", 1, 1, CONF_KW_REQUIRED, NULL,
     ikep_hash},
    {"group", "2|5|14|15|16|19|20|21", 1, 1, CONF_KW_REQUIRED, NULL,
     ikep_group},
    {"lifetime", LIFE, 1, 2, CONF_KW_REPEAT, NULL, ikep_lifetime},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

static const struct conf_kw ipsp_kws[] = {
    {"esp", "ENCRYPTION [INTEGRITY]", 1, 2, CONF_KW_REQUIRED | CONF_KW_REPEAT,
     NULL, ipsp_esp},
    {"pfs", "none|group N", 1, 2, 0, NULL, ipsp_pfs},
    {"lifetime", LIFE, 1, 2, CONF_KW_REPEAT, NULL, ipsp_lifetime},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

const struct conf_kw *
conf_block_kws(enum conf_block_kind kind)
{
	switch (kind) {
	case CONF_BLK_IKE_PROPOSAL:
		return ikep_kws;
	case CONF_BLK_IKE_PEER:
		return conf_peer_kws;
	case CONF_BLK_IPSEC_PROPOSAL:
		return ipsp_kws;
	case CONF_BLK_TUNNEL:
		return conf_tun_kws;
	default:
		return NULL;
	}
}

const char *
conf_block_name(enum conf_block_kind kind)
{
	switch (kind) {
	case CONF_BLK_IKE_PROPOSAL:
		return "ike proposal";
	case CONF_BLK_IKE_PEER:
		return "ike peer";
	case CONF_BLK_IPSEC_PROPOSAL:
		return "ipsec proposal";
	case CONF_BLK_TUNNEL:
		return "tunnel";
	default:
		return "top-level";
	}
}

/* The line an object of that kind and name was defined on, or 0. */
int
conf_block_defined(const struct conf *c, enum conf_block_kind kind,
		   const char *name)
{
	const struct conf_ike_proposal *ip;
	const struct conf_ike_peer *pe;
	const struct conf_ipsec_proposal *sp;
	const struct conf_tunnel *t;

	if (kind == CONF_BLK_IKE_PROPOSAL)
		return (ip = conf_ike_proposal_find(c, name)) ? ip->line : 0;
	if (kind == CONF_BLK_IKE_PEER)
		return (pe = conf_ike_peer_find(c, name)) ? pe->line : 0;
	if (kind == CONF_BLK_IPSEC_PROPOSAL)
		return (sp = conf_ipsec_proposal_find(c, name)) ? sp->line : 0;
	if (kind == CONF_BLK_TUNNEL)
		return (t = conf_tunnel_find(c, name)) ? t->line : 0;
	return 0;
}

/* The line of a keyword in the open block, 0 when absent. */
int
conf_block_seen(const struct conf_ctx *ctx, const char *kw)
{
	const struct conf_kw *k = conf_block_kws(ctx->blk.kind);
	int i;

	for (i = 0; k != NULL && k[i].kw != NULL; i++)
		if (strcmp(k[i].kw, kw) == 0)
			return ctx->blk.seen[i];
	return 0;
}

static void *
open_ike_proposal(struct conf_ctx *ctx, const char *name, int link)
{
	struct conf_ike_proposal *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	str_lcpy(p->name, name, sizeof(p->name));
	p->line = ctx->line;
	p->lifetime.seconds = IKE_LIFE_DEFAULT;
	if (link)
		TAILQ_INSERT_TAIL(&ctx->conf->ike_proposals, p, entry);
	return p;
}

static void *
open_ike_peer(struct conf_ctx *ctx, const char *name, int link)
{
	struct conf_ike_peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	str_lcpy(p->name, name, sizeof(p->name));
	p->line = ctx->line;
	p->mode = CONF_MODE_MAIN;
	p->natt = CONF_NATT_ON;
	p->natt_keepalive = 20;
	p->initial_contact = 1;
	if (link)
		TAILQ_INSERT_TAIL(&ctx->conf->ike_peers, p, entry);
	return p;
}

static void *
open_ipsec_proposal(struct conf_ctx *ctx, const char *name, int link)
{
	struct conf_ipsec_proposal *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	str_lcpy(p->name, name, sizeof(p->name));
	p->line = ctx->line;
	p->lifetime.seconds = IPSEC_LIFE_DEFAULT;
	if (link)
		TAILQ_INSERT_TAIL(&ctx->conf->ipsec_proposals, p, entry);
	return p;
}

static void *
open_tunnel(struct conf_ctx *ctx, const char *name, int link)
{
	struct conf_tunnel *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	str_lcpy(t->name, name, sizeof(t->name));
	t->line = ctx->line;
	t->mtu = 1400;
	t->mss = CONF_MSS_AUTO;
	t->frag = CONF_FRAG_POST;
	t->df = CONF_DF_COPY;
	t->replay_window = 1024;
	t->initiate = CONF_INIT_ON_DEMAND;
	if (link) {
		TAILQ_INSERT_TAIL(&ctx->conf->tunnels, t, entry);
		ctx->conf->ntunnels++;
	}
	return t;
}

/*
 * A new object with its defaults.  A discarded one (bad or duplicate
 * name) stays out of the lists: its body is checked, then it is freed.
 */
int
conf_block_open(struct conf_ctx *ctx, enum conf_block_kind kind,
		const char *name, int discard)
{
	void *o;

	memset(&ctx->blk, 0, sizeof(ctx->blk));
	if (kind == CONF_BLK_IKE_PROPOSAL)
		o = open_ike_proposal(ctx, name, !discard);
	else if (kind == CONF_BLK_IKE_PEER)
		o = open_ike_peer(ctx, name, !discard);
	else if (kind == CONF_BLK_IPSEC_PROPOSAL)
		o = open_ipsec_proposal(ctx, name, !discard);
	else
		o = open_tunnel(ctx, name, !discard);
	if (o == NULL) {
		ctx->oom = 1;
		return -1;
	}
	ctx->blk.kind = kind;
	ctx->blk.obj = o;
	ctx->blk.line = ctx->line;
	ctx->blk.discard = discard;
	return 0;
}

static const char *
blk_objname(const struct conf_ctx *ctx)
{
	const struct conf_ike_proposal *ip = ctx->blk.obj;
	const struct conf_ike_peer *pe = ctx->blk.obj;
	const struct conf_ipsec_proposal *sp = ctx->blk.obj;
	const struct conf_tunnel *t = ctx->blk.obj;

	switch (ctx->blk.kind) {
	case CONF_BLK_IKE_PROPOSAL:
		return ip->name;
	case CONF_BLK_IKE_PEER:
		return pe->name;
	case CONF_BLK_IPSEC_PROPOSAL:
		return sp->name;
	default:
		return t->name;
	}
}

static void
blk_required(struct conf_ctx *ctx)
{
	const struct conf_kw *k = conf_block_kws(ctx->blk.kind);
	int i;

	for (i = 0; k[i].kw != NULL; i++)
		if ((k[i].flags & CONF_KW_REQUIRED) && ctx->blk.seen[i] == 0)
			conf_err(ctx, ctx->blk.line, "%s '%s': missing '%s'",
				 conf_block_name(ctx->blk.kind),
				 blk_objname(ctx), k[i].kw);
}

/* The references of a dropped block go with it; they are the last ones. */
static void
blk_discard(struct conf_ctx *ctx)
{
	struct conf_ike_peer *pe = ctx->blk.obj;

	while (ctx->nrefs > 0 &&
	       ctx->refs[ctx->nrefs - 1].owner == ctx->blk.obj)
		ctx->nrefs--;
	if (ctx->blk.kind == CONF_BLK_IKE_PEER)
		explicit_bzero(pe->psk, sizeof(pe->psk));
	free(ctx->blk.obj);
}

void
conf_block_close(struct conf_ctx *ctx)
{
	enum conf_block_kind kind = ctx->blk.kind;

	if (kind == CONF_BLK_NONE || kind == CONF_BLK_SKIP) {
		memset(&ctx->blk, 0, sizeof(ctx->blk));
		return;
	}
	if (ctx->blk.discard) {
		blk_discard(ctx);
	} else {
		blk_required(ctx);
		if (kind == CONF_BLK_IKE_PEER)
			conf_peer_close(ctx);
		else if (kind == CONF_BLK_TUNNEL)
			conf_tun_close(ctx);
	}
	ctx->prev_kind = kind;
	memset(&ctx->blk, 0, sizeof(ctx->blk));
}

/* "lifetime DURATION" and "lifetime N kilobytes", each at most once. */
static int
blk_lifetime(struct conf_ctx *ctx, struct conf_lifetime *lt, uint32_t max)
{
	int kb = ctx->ac == 2, *first = &ctx->blk.life_line[kb];
	uint64_t v;

	if (*first != 0) {
		conf_err(ctx, ctx->line,
			 "duplicate '%s' (first set on line "
			 "%d)",
			 kb ? "lifetime N kilobytes" : "lifetime", *first);
		return -1;
	}
	*first = ctx->line;
	if (!kb)
		return conf_parse_duration(ctx, ctx->av[0], LIFE_MIN, max,
					   &lt->seconds);
	if (strcmp(ctx->av[1], "kilobytes") != 0) {
		conf_err(ctx, ctx->line,
			 "lifetime: unknown unit '%s' "
			 "(expected kilobytes)",
			 ctx->av[1]);
		return -1;
	}
	if (str_to_u64(ctx->av[0], KB_MIN, UINT32_MAX, &v) == -1) {
		conf_err(ctx, ctx->line,
			 "lifetime: %s kilobytes is not a "
			 "number in %u..%u",
			 ctx->av[0], KB_MIN, UINT32_MAX);
		return -1;
	}
	lt->kilobytes = v;
	return 0;
}

static struct conf_ike_proposal *
ikep(const struct conf_ctx *ctx)
{
	return ctx->blk.obj;
}

static int
ikep_encryption(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_IKE_ENC, ctx->av[0], &v) == -1)
		return -1;
	ikep(ctx)->enc = (enum conf_ike_enc)v;
	return 0;
}

static int
ikep_hash(struct conf_ctx *ctx)
{
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_HASH, ctx->av[0], &v) == -1)
		return -1;
	ikep(ctx)->hash = (enum conf_hash)v;
	return 0;
}

static int
ikep_group(struct conf_ctx *ctx)
{
	return conf_parse_enum(ctx, CONF_NAMES_GROUP, ctx->av[0],
			       &ikep(ctx)->group);
}

static int
ikep_lifetime(struct conf_ctx *ctx)
{
	return blk_lifetime(ctx, &ikep(ctx)->lifetime, IKE_LIFE_MAX);
}

static struct conf_ipsec_proposal *
ipsp(const struct conf_ctx *ctx)
{
	return ctx->blk.obj;
}

static int
ipsp_esp_add(struct conf_ctx *ctx, const struct conf_esp *e)
{
	struct conf_ipsec_proposal *sp = ipsp(ctx);
	int i;

	for (i = 0; i < sp->nesp; i++)
		if (sp->esp[i].enc == e->enc && sp->esp[i].integ == e->integ) {
			conf_err(ctx, ctx->line,
				 "esp: '%s%s%s' is listed "
				 "twice",
				 conf_esp_enc_name(e->enc),
				 e->integ != CONF_INTEG_NONE ? " " : "",
				 e->integ != CONF_INTEG_NONE
				     ? conf_esp_integ_name(e->integ)
				     : "");
			return -1;
		}
	if (sp->nesp == CONF_ESP_MAX) {
		conf_err(ctx, ctx->line, "esp: too many esp lines (at most %d)",
			 CONF_ESP_MAX);
		return -1;
	}
	sp->esp[sp->nesp++] = *e;
	return 0;
}

/* An AEAD cipher authenticates by itself; any other needs an HMAC. */
static int
ipsp_esp(struct conf_ctx *ctx)
{
	char list[CONF_ERROR_LEN / 2];
	struct conf_esp e;
	int v;

	if (conf_parse_enum(ctx, CONF_NAMES_ESP_ENC, ctx->av[0], &v) == -1)
		return -1;
	e.enc = (enum conf_esp_enc)v;
	e.integ = CONF_INTEG_NONE;
	if (conf_esp_is_aead(e.enc) && ctx->ac == 2) {
		conf_err(ctx, ctx->line,
			 "esp: %s is an AEAD cipher and takes "
			 "no integrity algorithm",
			 ctx->av[0]);
		return -1;
	}
	if (!conf_esp_is_aead(e.enc) && ctx->ac == 1) {
		conf_err(
		    ctx, ctx->line,
		    "esp: %s needs an integrity algorithm "
		    "(expected %s)",
		    ctx->av[0],
		    conf_names_list(CONF_NAMES_ESP_INTEG, list, sizeof(list)));
		return -1;
	}
	if (ctx->ac == 2) {
		if (conf_parse_enum(ctx, CONF_NAMES_ESP_INTEG, ctx->av[1],
				    &v) == -1)
			return -1;
		e.integ = (enum conf_esp_integ)v;
	}
	return ipsp_esp_add(ctx, &e);
}

static int
ipsp_pfs(struct conf_ctx *ctx)
{
	if (ctx->ac == 1 && strcmp(ctx->av[0], "none") == 0) {
		ipsp(ctx)->pfs_group = 0;
		return 0;
	}
	if (ctx->ac == 2 && strcmp(ctx->av[0], "group") == 0)
		return conf_parse_enum(ctx, CONF_NAMES_GROUP, ctx->av[1],
				       &ipsp(ctx)->pfs_group);
	if (ctx->ac == 1 && strcmp(ctx->av[0], "group") == 0) {
		conf_err(ctx, ctx->line,
			 "pfs: missing group number (usage: "
			 "pfs group N)");
		return -1;
	}
	conf_err(ctx, ctx->line,
		 "pfs: unknown value '%s' (expected none or "
		 "group N)",
		 ctx->av[0]);
	return -1;
}

static int
ipsp_lifetime(struct conf_ctx *ctx)
{
	return blk_lifetime(ctx, &ipsp(ctx)->lifetime, IPSEC_LIFE_MAX);
}
