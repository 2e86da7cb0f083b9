/*
 * The configuration: object life cycle, loading, the parse driver, the
 * diagnostics and the resolution of names that may point forward.
 * conf_lex.c splits lines, conf_parse.c handles the top level and the
 * value syntax, conf_block.c the four kinds of block.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"
#include "str.h"

#define CONF_HINT_NAMES 4 /* list the defined names when this few */

static void
conf_default_hostname(char *out, size_t len)
{
	char host[256];

	memset(host, 0, sizeof(host));
	if (gethostname(host, sizeof(host) - 1) == 0) {
		host[strcspn(host, ".")] = '\0';
		if (conf_parse_is_hostname(host) &&
		    str_lcpy(out, host, len) < len)
			return;
	}
	str_lcpy(out, "fleetvpn", len);
}

/* "x.sock" -> "x.pid", anything else gets ".pid" appended. */
int
conf_derive_pid(char *out, size_t len, const char *sock)
{
	size_t n = strlen(sock);
	int w;

	if (n >= 5 && strcmp(sock + n - 5, ".sock") == 0)
		n -= 5;
	w = snprintf(out, len, "%.*s.pid", (int)n, sock);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

int
conf_derive_spool(char *out, size_t len, const char *state)
{
	int w;

	w = snprintf(out, len, "%s/spool", state);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

struct conf *
conf_new(void)
{
	struct conf *c;
	int i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	TAILQ_INIT(&c->ike_proposals);
	TAILQ_INIT(&c->ike_peers);
	TAILQ_INIT(&c->ipsec_proposals);
	TAILQ_INIT(&c->tunnels);
	conf_default_hostname(c->hostname, sizeof(c->hostname));
	str_lcpy(c->ctl_path, CONF_CTL_DEFAULT, sizeof(c->ctl_path));
	str_lcpy(c->state_dir, CONF_STATE_DEFAULT, sizeof(c->state_dir));
	if (conf_derive_pid(c->pid_path, sizeof(c->pid_path), c->ctl_path) ==
		-1 ||
	    conf_derive_spool(c->spool_dir, sizeof(c->spool_dir),
			      c->state_dir) == -1) {
		free(c);
		return NULL;
	}
	c->log_buffered = LOG_RING_DEFAULT;
	c->ike_retrans_s = CONF_RETRANS_DEFAULT_S;
	c->ike_retrans_count = CONF_RETRANS_DEFAULT_N;
	for (i = 0; i < LOG_SUB_COUNT; i++)
		c->log_level[i] = LOG_LEVEL_DEFAULT;
	return c;
}

void
conf_free(struct conf *c)
{
	struct conf_ike_proposal *ip;
	struct conf_ike_peer *pe;
	struct conf_ipsec_proposal *sp;
	struct conf_tunnel *t;

	if (c == NULL)
		return;
	while ((ip = TAILQ_FIRST(&c->ike_proposals)) != NULL) {
		TAILQ_REMOVE(&c->ike_proposals, ip, entry);
		free(ip);
	}
	while ((pe = TAILQ_FIRST(&c->ike_peers)) != NULL) {
		TAILQ_REMOVE(&c->ike_peers, pe, entry);
		explicit_bzero(pe->psk, sizeof(pe->psk));
		free(pe);
	}
	while ((sp = TAILQ_FIRST(&c->ipsec_proposals)) != NULL) {
		TAILQ_REMOVE(&c->ipsec_proposals, sp, entry);
		free(sp);
	}
	while ((t = TAILQ_FIRST(&c->tunnels)) != NULL) {
		TAILQ_REMOVE(&c->tunnels, t, entry);
		free(t);
	}
	free(c);
}

struct conf_ike_proposal *
conf_ike_proposal_find(const struct conf *c, const char *name)
{
	struct conf_ike_proposal *p;

	TAILQ_FOREACH(p, &c->ike_proposals, entry)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct conf_ike_peer *
conf_ike_peer_find(const struct conf *c, const char *name)
{
	struct conf_ike_peer *p;

	TAILQ_FOREACH(p, &c->ike_peers, entry)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct conf_ipsec_proposal *
conf_ipsec_proposal_find(const struct conf *c, const char *name)
{
	struct conf_ipsec_proposal *p;

	TAILQ_FOREACH(p, &c->ipsec_proposals, entry)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct conf_tunnel *
conf_tunnel_find(const struct conf *c, const char *name)
{
	struct conf_tunnel *t;

	TAILQ_FOREACH(t, &c->tunnels, entry)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/*
 * Keep the CONF_ERRORS_MAX messages with the lowest line numbers, in line
 * order: checks that run at the end of a block or of the file find errors
 * on earlier lines, and the operator reads the list top down.  "lines" is
 * the line of each stored message.
 */
static void
errs_add(struct conf_errors *e, int *lines, int line, const char *msg)
{
	int pos;

	e->total++;
	for (pos = e->count; pos > 0 && lines[pos - 1] > line; pos--)
		;
	if (pos == CONF_ERRORS_MAX)
		return;
	if (e->count == CONF_ERRORS_MAX)
		e->count--;
	memmove(e->msg[pos + 1], e->msg[pos],
		(size_t)(e->count - pos) * sizeof(e->msg[0]));
	memmove(&lines[pos + 1], &lines[pos],
		(size_t)(e->count - pos) * sizeof(lines[0]));
	str_lcpy(e->msg[pos], msg, sizeof(e->msg[pos]));
	lines[pos] = line;
	e->count++;
}

static void
errs_vadd(struct conf_errors *e, int *lines, const char *file, int line,
	  const char *fmt, va_list ap)
{
	char msg[CONF_ERROR_LEN];
	int n;

	if (line > 0)
		n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	else
		n = snprintf(msg, sizeof(msg), "%s: ", file);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	errs_add(e, lines, line, msg);
}

static void __attribute__((format(printf, 3, 4)))
errs_file(struct conf_errors *e, const char *file, const char *fmt, ...)
{
	int lines[CONF_ERRORS_MAX];
	va_list ap;

	memset(lines, 0, sizeof(lines));
	va_start(ap, fmt);
	errs_vadd(e, lines, file, 0, fmt, ap);
	va_end(ap);
}

void
conf_err(struct conf_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errs_vadd(ctx->errs, ctx->errline, ctx->file, line, fmt, ap);
	va_end(ap);
}

int
conf_ref_add(struct conf_ctx *ctx, enum conf_ref_kind kind, void *owner,
	     int idx, const char *name)
{
	struct conf_ref *r;
	size_t ncap;

	if (ctx->nrefs == ctx->refcap) {
		ncap = ctx->refcap ? ctx->refcap * 2 : 32;
		if ((r = reallocarray(ctx->refs, ncap, sizeof(*r))) == NULL) {
			ctx->oom = 1;
			return -1;
		}
		ctx->refs = r;
		ctx->refcap = ncap;
	}
	r = &ctx->refs[ctx->nrefs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->owner = owner;
	r->idx = idx;
	r->line = ctx->line;
	str_lcpy(r->name, name, sizeof(r->name));
	return 0;
}

/* What a dangling name might have meant: the nearest, or all of few. */
struct hint {
	const char *want;
	const char *best;
	size_t bestd;
	int count;
	char list[CONF_ERROR_LEN / 2];
};

static void
hint_add(struct hint *h, const char *name)
{
	size_t d = str_distance(h->want, name), off = strlen(h->list);

	if (d < h->bestd) {
		h->bestd = d;
		h->best = name;
	}
	if (h->count++ < CONF_HINT_NAMES)
		snprintf(h->list + off, sizeof(h->list) - off, "%s'%s'",
			 off ? ", " : "", name);
}

static void
hint_collect(const struct conf *c, enum conf_ref_kind kind, struct hint *h)
{
	struct conf_ike_proposal *ip;
	struct conf_ike_peer *pe;
	struct conf_ipsec_proposal *sp;

	if (kind == CONF_REF_IKE_PROPOSAL)
		TAILQ_FOREACH(ip, &c->ike_proposals, entry)
			hint_add(h, ip->name);
	else if (kind == CONF_REF_PEER)
		TAILQ_FOREACH(pe, &c->ike_peers, entry)
			hint_add(h, pe->name);
	else
		TAILQ_FOREACH(sp, &c->ipsec_proposals, entry)
			hint_add(h, sp->name);
}

static const char *const ref_what[] = {
    [CONF_REF_IKE_PROPOSAL] = "ike proposal",
    [CONF_REF_PEER] = "ike peer",
    [CONF_REF_IPSEC_PROPOSAL] = "ipsec proposal",
};

static void
hint_format(const struct conf *c, const struct conf_ref *r, char *out,
	    size_t len)
{
	struct hint h;

	memset(&h, 0, sizeof(h));
	h.want = r->name;
	h.bestd = SIZE_MAX;
	hint_collect(c, r->kind, &h);
	if (r->kind == CONF_REF_IKE_PROPOSAL &&
	    conf_ipsec_proposal_find(c, r->name) != NULL)
		snprintf(out, len,
			 " ('%s' is an ipsec proposal; a peer uses "
			 "ike proposals)",
			 r->name);
	else if (r->kind == CONF_REF_IPSEC_PROPOSAL &&
		 conf_ike_proposal_find(c, r->name) != NULL)
		snprintf(out, len,
			 " ('%s' is an ike proposal; a tunnel uses "
			 "an ipsec proposal)",
			 r->name);
	else if (h.best != NULL && h.bestd <= 2 && h.bestd < strlen(h.want))
		snprintf(out, len, " (did you mean '%s'?)", h.best);
	else if (h.count == 0)
		snprintf(out, len, " (no %s is defined)", ref_what[r->kind]);
	else if (h.count <= CONF_HINT_NAMES)
		snprintf(out, len, " (defined: %s)", h.list);
	else
		out[0] = '\0';
}

static void
resolve_dangling(struct conf_ctx *ctx, const struct conf_ref *r)
{
	char hint[CONF_ERROR_LEN];

	hint_format(ctx->conf, r, hint, sizeof(hint));
	if (r->kind == CONF_REF_IKE_PROPOSAL)
		conf_err(ctx, r->line,
			 "ike peer '%s': %s '%s' is not defined%s",
			 ((struct conf_ike_peer *)r->owner)->name,
			 ref_what[r->kind], r->name, hint);
	else
		conf_err(ctx, r->line, "tunnel '%s': %s '%s' is not defined%s",
			 ((struct conf_tunnel *)r->owner)->name,
			 ref_what[r->kind], r->name, hint);
}

/*
 * A dynamic peer's address is learnt when it connects, so its tunnels can
 * only respond: "never" is their default and the only valid setting.
 */
static void
resolve_initiate(struct conf_ctx *ctx, const struct conf_ref *r)
{
	struct conf_tunnel *t = r->owner;

	if (!t->peer->any)
		return;
	if (r->aux_line == 0)
		t->initiate = CONF_INIT_RESPOND;
	else if (t->initiate != CONF_INIT_RESPOND)
		conf_err(ctx, r->aux_line,
			 "tunnel '%s': initiate %s is "
			 "impossible: ike peer '%s' has 'address any', so its "
			 "address is unknown until it connects (use 'initiate "
			 "never')",
			 t->name, conf_initiate_name(t->initiate),
			 t->peer->name);
}

static void
conf_resolve(struct conf_ctx *ctx)
{
	struct conf_ref *r;
	struct conf_ike_peer *pe;
	struct conf_tunnel *t;
	size_t i;

	for (i = 0; i < ctx->nrefs; i++) {
		r = &ctx->refs[i];
		pe = r->owner;
		t = r->owner;
		if (r->kind == CONF_REF_IKE_PROPOSAL &&
		    (pe->props[r->idx] =
			 conf_ike_proposal_find(ctx->conf, r->name)) == NULL)
			resolve_dangling(ctx, r);
		else if (r->kind == CONF_REF_IPSEC_PROPOSAL &&
			 (t->proposal = conf_ipsec_proposal_find(
			      ctx->conf, r->name)) == NULL)
			resolve_dangling(ctx, r);
		else if (r->kind == CONF_REF_PEER) {
			if ((t->peer = conf_ike_peer_find(ctx->conf,
							  r->name)) == NULL)
				resolve_dangling(ctx, r);
			else
				resolve_initiate(ctx, r);
		}
	}
}

struct conf *
conf_parse(const char *name, const char *text, size_t len,
	   struct conf_errors *errs)
{
	struct conf_errors local;
	struct conf_ctx ctx;
	struct conf_lex lx;
	struct conf_line ln;
	char msg[CONF_ERROR_LEN];
	int rv;

	if (errs == NULL)
		errs = &local;
	memset(errs, 0, sizeof(*errs));
	memset(&ctx, 0, sizeof(ctx));
	ctx.errs = errs;
	ctx.file = name != NULL ? name : "-";
	if (len > CONF_FILE_MAX) {
		errs_file(errs, ctx.file,
			  "file too large (%zu bytes, at most "
			  "%u)",
			  len, CONF_FILE_MAX);
		return NULL;
	}
	if ((ctx.conf = conf_new()) == NULL) {
		errs_file(errs, ctx.file, "out of memory");
		return NULL;
	}
	str_lcpy(ctx.conf->path, ctx.file, sizeof(ctx.conf->path));
	conf_lex_init(&lx, text != NULL ? text : "", text != NULL ? len : 0);
	while (!ctx.oom &&
	       (rv = conf_lex_next(&lx, &ln, msg, sizeof(msg))) != 0) {
		if (rv == -1)
			conf_err(&ctx, ln.lineno, "%s", msg);
		if (rv == -1 || ln.ntok > 0)
			conf_parse_line(&ctx, &ln, rv == -1);
	}
	explicit_bzero(&ln, sizeof(ln));
	conf_parse_finish(&ctx);
	if (!ctx.oom)
		conf_resolve(&ctx);
	else
		conf_err(&ctx, lx.lineno, "out of memory");
	free(ctx.refs);
	if (errs->total > 0) {
		conf_free(ctx.conf);
		return NULL;
	}
	return ctx.conf;
}

/* The whole file, NUL-terminated; *len excludes the NUL. */
static char *
load_read(int fd, const char *path, size_t *len, struct conf_errors *errs)
{
	struct stat st;
	char *text;
	size_t off = 0;
	ssize_t n;

	if (fstat(fd, &st) == -1) {
		errs_file(errs, path, "cannot stat: %s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		errs_file(errs, path, "not a regular file");
		return NULL;
	}
	if (st.st_size > (off_t)CONF_FILE_MAX) {
		errs_file(errs, path, "file too large (%lld bytes, at most %u)",
			  (long long)st.st_size, CONF_FILE_MAX);
		return NULL;
	}
	/* One byte more than the limit, to see a file that grew. */
	if ((text = malloc(CONF_FILE_MAX + 2)) == NULL) {
		errs_file(errs, path, "out of memory");
		return NULL;
	}
	while (off <= CONF_FILE_MAX) {
		n = read(fd, text + off, CONF_FILE_MAX + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errs_file(errs, path, "read error: %s",
				  strerror(errno));
			free(text);
			return NULL;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	text[off] = '\0';
	*len = off;
	return text;
}

struct conf *
conf_load(const char *path, struct conf_errors *errs)
{
	struct conf_errors local;
	struct conf *c = NULL;
	char *text;
	size_t len;
	int fd;

	if (errs == NULL)
		errs = &local;
	memset(errs, 0, sizeof(*errs));
	/* O_NONBLOCK: a FIFO in place of the file must not hang a reload. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		errs_file(errs, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if ((text = load_read(fd, path, &len, errs)) != NULL) {
		c = conf_parse(path, text, len, errs);
		explicit_bzero(text, len);
		free(text);
	}
	close(fd);
	if (c != NULL)
		str_lcpy(c->path, path, sizeof(c->path));
	return c;
}
