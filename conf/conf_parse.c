/*
 * The parser: statement dispatch through keyword tables, the top-level
 * statements, and the value syntax (numbers, durations, names, keywords)
 * that every block shares.  conf_block.c has the blocks' tables.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "str.h"

#define PARSE_KW_LEN 64 /* a keyword as typed, for messages */

static int top_hostname(struct conf_ctx *);
static int top_ctl_socket(struct conf_ctx *);
static int top_ctl_group(struct conf_ctx *);
static int top_pid_file(struct conf_ctx *);
static int top_state_dir(struct conf_ctx *);
static int top_spool_dir(struct conf_ctx *);
static int top_log_buffered(struct conf_ctx *);
static int top_ike_retransmit(struct conf_ctx *);
static int top_key_export(struct conf_ctx *);
static int top_no_log_buffered(struct conf_ctx *);
static int top_log_level(struct conf_ctx *);
static int top_ike_proposal(struct conf_ctx *);
static int top_ike_peer(struct conf_ctx *);
static int top_ipsec_proposal(struct conf_ctx *);
static int top_tunnel(struct conf_ctx *);

static const struct conf_kw top_kws[] = {
    {"hostname", "NAME", 1, 1, 0, NULL, top_hostname},
    {"control socket", "PATH", 1, 1, 0, NULL, top_ctl_socket},
    {"control group", "GROUP", 1, 1, 0, NULL, top_ctl_group},
    {"pid-file", "PATH", 1, 1, 0, NULL, top_pid_file},
    {"state-directory", "PATH", 1, 1, 0, NULL, top_state_dir},
    {"spool-directory", "PATH", 1, 1, 0, NULL, top_spool_dir},
    {"logging buffered", "N", 1, 1, 0, NULL, top_log_buffered},
    {"ike retransmit", "INTERVAL COUNT", 2, 2, 0, NULL, top_ike_retransmit},
    {"ipsec key-export", "PATH", 1, 1, 0, NULL, top_key_export},
    {"no logging buffered", "", 0, 0, 0, "logging buffered",
     top_no_log_buffered},
    {"logging level", "SUBSYSTEM LEVEL", 2, 2, CONF_KW_REPEAT, NULL,
     top_log_level},
    {"ike proposal", "NAME", 1, 1, CONF_KW_REPEAT, NULL, top_ike_proposal},
    {"ike peer", "NAME", 1, 1, CONF_KW_REPEAT, NULL, top_ike_peer},
    {"ipsec proposal", "NAME", 1, 1, CONF_KW_REPEAT, NULL, top_ipsec_proposal},
    {"tunnel", "NAME", 1, 1, CONF_KW_REPEAT, NULL, top_tunnel},
    {NULL, NULL, 0, 0, 0, NULL, NULL},
};

/* The number of words of "kw" that start the line, 0 when it does not. */
static int
kw_match(const char *kw, char **tok, int ntok)
{
	size_t n;
	int i;

	for (i = 0; *kw != '\0'; i++) {
		n = strcspn(kw, " ");
		if (i >= ntok || strlen(tok[i]) != n ||
		    strncmp(tok[i], kw, n) != 0)
			return 0;
		kw += n + (kw[n] == ' ');
	}
	return i;
}

static int
kw_nwords(const char *kw)
{
	int n = 1;

	for (; *kw != '\0'; kw++)
		n += *kw == ' ';
	return n;
}

static void
kw_join(char *out, size_t len, const struct conf_line *ln, int nw)
{
	size_t off = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < nw && i < ln->ntok && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					i ? " " : "", ln->tok[i]);
}

static int
kw_same_first(const char *kw, const char *word)
{
	size_t n = strcspn(kw, " ");

	return strlen(word) == n && strncmp(kw, word, n) == 0;
}

/* "('peer' belongs in a tunnel block: indent it)" for a lost line. */
static void
kw_misplaced(struct conf_ctx *ctx, const char *word, char *out, size_t len)
{
	static const enum conf_block_kind kinds[] = {
	    CONF_BLK_TUNNEL, CONF_BLK_IKE_PEER, CONF_BLK_IPSEC_PROPOSAL,
	    CONF_BLK_IKE_PROPOSAL};
	const struct conf_kw *k;
	enum conf_block_kind kind;
	size_t i;

	for (i = 0; i <= sizeof(kinds) / sizeof(kinds[0]); i++) {
		kind = i == 0 ? ctx->prev_kind : kinds[i - 1];
		if ((k = conf_block_kws(kind)) == NULL)
			continue;
		for (; k->kw != NULL; k++)
			if (strcmp(k->kw, word) == 0) {
				snprintf(out, len,
					 " ('%s' belongs in %s %s "
					 "block: indent it)",
					 word,
					 kind == CONF_BLK_IKE_PEER ? "an" : "a",
					 conf_block_name(kind));
				return;
			}
	}
}

static void
kw_unknown(struct conf_ctx *ctx, const struct conf_kw *tab,
	   const struct conf_line *ln, const char *where)
{
	char shown[PARSE_KW_LEN], cand[PARSE_KW_LEN], hint[CONF_ERROR_LEN];
	const char *best = NULL;
	size_t d, bestd = SIZE_MAX;
	int family = 0;

	hint[0] = '\0';
	for (; tab->kw != NULL; tab++) {
		kw_join(cand, sizeof(cand), ln, kw_nwords(tab->kw));
		if ((d = str_distance(cand, tab->kw)) < bestd) {
			bestd = d;
			best = tab->kw;
		}
		family |= kw_same_first(tab->kw, ln->tok[0]);
	}
	kw_join(shown, sizeof(shown), ln, family && ln->ntok > 1 ? 2 : 1);
	if (best != NULL && bestd <= 2 && bestd < strlen(shown))
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)", best);
	else if (where == NULL)
		kw_misplaced(ctx, ln->tok[0], hint, sizeof(hint));
	if (where != NULL)
		conf_err(ctx, ln->lineno, "unknown keyword '%s' in %s block%s",
			 shown, where, hint);
	else
		conf_err(ctx, ln->lineno, "unknown keyword '%s'%s", shown,
			 hint);
}

static int
kw_duplicate(struct conf_ctx *ctx, const struct conf_kw *tab, const int *seen,
	     const struct conf_kw *k)
{
	const char *name = k->setting != NULL ? k->setting : k->kw;
	const char *other;
	int i;

	if (k->flags & CONF_KW_REPEAT)
		return 0;
	for (i = 0; tab[i].kw != NULL; i++) {
		other = tab[i].setting != NULL ? tab[i].setting : tab[i].kw;
		if (seen[i] != 0 && strcmp(other, name) == 0) {
			conf_err(ctx, ctx->line,
				 "duplicate '%s' (first set on "
				 "line %d)",
				 name, seen[i]);
			return 1;
		}
	}
	return 0;
}

/* One statement of a context: find the keyword, check the count, run. */
static int
parse_stmt(struct conf_ctx *ctx, const struct conf_kw *tab, int *seen,
	   struct conf_line *ln, const char *where)
{
	const struct conf_kw *k;
	int i, nw = 0, nargs;

	for (i = 0; tab[i].kw != NULL; i++)
		if ((nw = kw_match(tab[i].kw, ln->tok, ln->ntok)) > 0)
			break;
	if ((k = &tab[i])->kw == NULL) {
		kw_unknown(ctx, tab, ln, where);
		return -1;
	}
	ctx->kw = k->kw;
	if (kw_duplicate(ctx, tab, seen, k))
		return -1;
	if (seen[i] == 0)
		seen[i] = ln->lineno;
	nargs = ln->ntok - nw;
	if (nargs < k->min || nargs > k->max) {
		conf_err(ctx, ln->lineno, "%s: %s (usage: %s%s%s)", k->kw,
			 nargs < k->min ? "missing argument"
					: "too many arguments",
			 k->kw, k->usage[0] != '\0' ? " " : "", k->usage);
		return -1;
	}
	ctx->av = ln->tok + nw;
	ctx->ac = nargs;
	return k->fn(ctx);
}

static void
parse_outside(struct conf_ctx *ctx)
{
	if (ctx->prev_kw != NULL)
		conf_err(ctx, ctx->line,
			 "indented line outside a block "
			 "('%s' on line %d opens no block)",
			 ctx->prev_kw, ctx->prev_line);
	else
		conf_err(ctx, ctx->line, "indented line outside a block");
}

/*
 * A non-indented line closes the open block.  When a top-level statement
 * fails without opening a block, the indented lines after it are skipped:
 * they belong to whatever the bad line meant and would only add noise.
 */
static void
parse_top(struct conf_ctx *ctx, struct conf_line *ln, int bad)
{
	conf_block_close(ctx);
	ctx->prev_kw = NULL;
	ctx->kw = NULL;
	if (bad || (parse_stmt(ctx, top_kws, ctx->top_seen, ln, NULL) == -1 &&
		    ctx->blk.kind == CONF_BLK_NONE))
		ctx->blk.kind = CONF_BLK_SKIP;
	ctx->prev_kw = ctx->kw;
	ctx->prev_line = ln->lineno;
}

/* A refused line in a block still counts as setting its keyword. */
static void
parse_seen(struct conf_ctx *ctx, const struct conf_line *ln)
{
	const struct conf_kw *k = conf_block_kws(ctx->blk.kind);
	int i;

	for (i = 0; ln->ntok > 0 && k[i].kw != NULL; i++)
		if (strcmp(k[i].kw, ln->tok[0]) == 0 && ctx->blk.seen[i] == 0)
			ctx->blk.seen[i] = ln->lineno;
}

/*
 * One line with tokens, or one the lexer refused ("bad", already
 * reported; the tokens before the fault are in ln).
 */
void
conf_parse_line(struct conf_ctx *ctx, struct conf_line *ln, int bad)
{
	ctx->line = ln->lineno;
	if (!ln->indented) {
		parse_top(ctx, ln, bad);
	} else if (ctx->blk.kind == CONF_BLK_NONE) {
		if (!bad)
			parse_outside(ctx);
		ctx->blk.kind = CONF_BLK_SKIP;
	} else if (ctx->blk.kind != CONF_BLK_SKIP) {
		if (bad)
			parse_seen(ctx, ln);
		else
			parse_stmt(ctx, conf_block_kws(ctx->blk.kind),
				   ctx->blk.seen, ln,
				   conf_block_name(ctx->blk.kind));
	}
}

/* Settings that depend on others, once all are known. */
void
conf_parse_finish(struct conf_ctx *ctx)
{
	struct conf *c = ctx->conf;
	int i;

	conf_block_close(ctx);
	for (i = 0; i < LOG_SUB_COUNT; i++)
		if (ctx->level_line[i] == 0 && ctx->level_all_line != 0)
			c->log_level[i] = ctx->level_all;
	if (ctx->pid_line == 0 &&
	    conf_derive_pid(c->pid_path, sizeof(c->pid_path), c->ctl_path))
		conf_err(ctx, ctx->ctl_line,
			 "control socket: path too long "
			 "to derive the pid-file from it (set 'pid-file')");
	if (ctx->spool_line == 0 &&
	    conf_derive_spool(c->spool_dir, sizeof(c->spool_dir), c->state_dir))
		conf_err(ctx, ctx->state_line,
			 "state-directory: path too "
			 "long to derive the spool-directory from it (set "
			 "'spool-directory')");
}

/* Letters, digits, '-' and '.'; no '-' or '.' at either end. */
int
conf_parse_is_hostname(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CONF_HOSTNAME_MAX || s[0] == '-' || s[0] == '.' ||
	    s[n - 1] == '-' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/* A proposal or peer name, at its definition or where it is used. */
int
conf_parse_name(struct conf_ctx *ctx, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			break;
	if (n == 0 || n >= CONF_NAME_MAX || i < n ||
	    !isalnum((unsigned char)s[0])) {
		conf_err(
		    ctx, ctx->line,
		    "%s: invalid name '%s' (1 to %d "
		    "letters, digits, '-', '_' or '.', starting with a letter "
		    "or digit)",
		    ctx->kw, s, CONF_NAME_MAX - 1);
		return -1;
	}
	return 0;
}

int
conf_parse_u32(struct conf_ctx *ctx, const char *s, uint32_t min, uint32_t max,
	       uint32_t *out)
{
	if (str_to_u32(s, min, max, out) == 0)
		return 0;
	if (errno == ERANGE)
		conf_err(ctx, ctx->line, "%s: %s is out of range (%u..%u)",
			 ctx->kw, s, min, max);
	else
		conf_err(ctx, ctx->line, "%s: '%s' is not a number", ctx->kw,
			 s);
	return -1;
}

/* N, Ns, Nm, Nh or Nd; -1 with errno EINVAL or ERANGE. */
static int
duration_value(const char *s, uint64_t *out)
{
	static const char units[] = "smhd";
	static const uint64_t mult[] = {1, 60, 3600, 86400};
	char num[24];
	const char *u;
	size_t n = strlen(s), digits = strspn(s, "0123456789");
	uint64_t m = 1, v;

	errno = EINVAL;
	if (digits == 0 || digits + 1 < n)
		return -1;
	if (digits < n) {
		if ((u = strchr(units, s[n - 1])) == NULL)
			return -1;
		m = mult[u - units];
	}
	errno = ERANGE;
	if (digits >= sizeof(num))
		return -1;
	memcpy(num, s, digits);
	num[digits] = '\0';
	if (str_to_u64(num, 0, UINT64_MAX / 86400, &v) == -1)
		return -1;
	*out = v * m;
	return 0;
}

int
conf_parse_duration(struct conf_ctx *ctx, const char *s, uint32_t min,
		    uint32_t max, uint32_t *out)
{
	char lo[32], hi[32];
	uint64_t v = 0;
	int rv;

	if ((rv = duration_value(s, &v)) == -1 && errno != ERANGE) {
		conf_err(ctx, ctx->line,
			 "%s: invalid duration '%s' (a number "
			 "with an optional unit s, m, h or d, e.g. 90s, 8h)",
			 ctx->kw, s);
		return -1;
	}
	if (rv == -1 || v < min || v > max) {
		conf_err(ctx, ctx->line, "%s: %s is out of range (%s..%s)",
			 ctx->kw, s, conf_print_duration(lo, sizeof(lo), min),
			 conf_print_duration(hi, sizeof(hi), max));
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
conf_parse_enum(struct conf_ctx *ctx, enum conf_names which, const char *s,
		int *out)
{
	char list[CONF_ERROR_LEN];

	if (conf_names_parse(which, s, out) == 0)
		return 0;
	conf_err(ctx, ctx->line, "%s: unknown value '%s' (expected %s)",
		 ctx->kw, s, conf_names_list(which, list, sizeof(list)));
	return -1;
}

static int
top_hostname(struct conf_ctx *ctx)
{
	if (!conf_parse_is_hostname(ctx->av[0])) {
		conf_err(
		    ctx, ctx->line,
		    "hostname: invalid host name '%s' "
		    "(1 to %d letters, digits, '-' or '.', not starting or "
		    "ending with '-' or '.')",
		    ctx->av[0], CONF_HOSTNAME_MAX - 1);
		return -1;
	}
	str_lcpy(ctx->conf->hostname, ctx->av[0], sizeof(ctx->conf->hostname));
	return 0;
}

static int
path_has_dotdot(const char *s)
{
	const char *p;

	for (p = s; (p = strstr(p, "/..")) != NULL; p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return 1;
	return 0;
}

/*
 * Absolute, short enough for sun_path, no "..".  A directory loses its
 * trailing slashes; a file name cannot end in one.
 */
static int
top_path(struct conf_ctx *ctx, const char *s, char *out, int dir)
{
	size_t n = strlen(s);

	if (s[0] != '/') {
		conf_err(ctx, ctx->line,
			 "%s: '%s' is a relative path (it "
			 "must start with '/')",
			 ctx->kw, s);
		return -1;
	}
	if (n >= CONF_PATH_MAX) {
		conf_err(ctx, ctx->line,
			 "%s: path too long (%zu bytes, at "
			 "most %d)",
			 ctx->kw, n, CONF_PATH_MAX - 1);
		return -1;
	}
	if (path_has_dotdot(s)) {
		conf_err(ctx, ctx->line, "%s: '%s' has a '..' component",
			 ctx->kw, s);
		return -1;
	}
	while (dir && n > 1 && s[n - 1] == '/')
		n--;
	if (s[n - 1] == '/') {
		conf_err(ctx, ctx->line, "%s: '%s' %s", ctx->kw, s,
			 dir ? "is the root directory"
			     : "ends with '/' (a file "
			       "name is needed)");
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
top_ctl_socket(struct conf_ctx *ctx)
{
	if (top_path(ctx, ctx->av[0], ctx->conf->ctl_path, 0) == -1)
		return -1;
	ctx->ctl_line = ctx->line;
	return 0;
}

/* The name only: whether the group exists is the daemon's concern. */
static int
top_ctl_group(struct conf_ctx *ctx)
{
	const char *s = ctx->av[0];
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.' && !(s[i] == '$' && i == n - 1))
			break;
	if (n == 0 || n >= CONF_NAME_MAX || i < n ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
		conf_err(
		    ctx, ctx->line,
		    "control group: invalid group name "
		    "'%s' (1 to %d letters, digits, '_', '-' or '.', starting "
		    "with a letter or '_')",
		    s, CONF_NAME_MAX - 1);
		return -1;
	}
	str_lcpy(ctx->conf->ctl_group, s, sizeof(ctx->conf->ctl_group));
	return 0;
}

static int
top_pid_file(struct conf_ctx *ctx)
{
	if (top_path(ctx, ctx->av[0], ctx->conf->pid_path, 0) == -1)
		return -1;
	ctx->pid_line = ctx->line;
	return 0;
}

static int
top_state_dir(struct conf_ctx *ctx)
{
	if (top_path(ctx, ctx->av[0], ctx->conf->state_dir, 1) == -1)
		return -1;
	ctx->state_line = ctx->line;
	return 0;
}

static int
top_spool_dir(struct conf_ctx *ctx)
{
	if (top_path(ctx, ctx->av[0], ctx->conf->spool_dir, 1) == -1)
		return -1;
	ctx->spool_line = ctx->line;
	return 0;
}

static int
top_log_buffered(struct conf_ctx *ctx)
{
	uint32_t n;

	if (strcmp(ctx->av[0], "0") == 0) {
		conf_err(ctx, ctx->line,
			 "logging buffered: 0 is out of range "
			 "(1..%u; 'no logging buffered' turns the buffer off)",
			 LOG_RING_MAX);
		return -1;
	}
	if (conf_parse_u32(ctx, ctx->av[0], 1, LOG_RING_MAX, &n) == -1)
		return -1;
	ctx->conf->log_buffered = n;
	return 0;
}

/* How patient IKE is: first resend after INTERVAL, doubling, COUNT times. */
static int
top_ike_retransmit(struct conf_ctx *ctx)
{
	uint32_t s, n;

	if (conf_parse_duration(ctx, ctx->av[0], 1, 30, &s) == -1 ||
	    conf_parse_u32(ctx, ctx->av[1], 0, 10, &n) == -1)
		return -1;
	ctx->conf->ike_retrans_s = s;
	ctx->conf->ike_retrans_count = n;
	return 0;
}

/* Testing only: the data plane writes every IPsec key to this file. */
static int
top_key_export(struct conf_ctx *ctx)
{
	return top_path(ctx, ctx->av[0], ctx->conf->key_export, 0);
}

static int
top_no_log_buffered(struct conf_ctx *ctx)
{
	ctx->conf->log_buffered = 0;
	return 0;
}

static void
log_subs_list(char *out, size_t len)
{
	size_t off;
	int i;

	off = str_lcpy(out, "all", len);
	for (i = 0; i < LOG_SUB_COUNT && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, ", %s",
					log_sub_name((enum log_sub)i));
}

/* "all" sets every subsystem not named on a line of its own. */
static int
top_log_level(struct conf_ctx *ctx)
{
	char list[CONF_ERROR_LEN];
	enum log_sub sub = LOG_SUB_COUNT;
	enum log_level lvl;
	int *line;

	if (strcmp(ctx->av[0], "all") != 0 &&
	    log_sub_parse(ctx->av[0], &sub) == -1) {
		log_subs_list(list, sizeof(list));
		conf_err(ctx, ctx->line,
			 "logging level: unknown subsystem "
			 "'%s' (expected %s)",
			 ctx->av[0], list);
		return -1;
	}
	if (log_level_parse(ctx->av[1], &lvl) == -1) {
		conf_err(ctx, ctx->line,
			 "logging level: unknown level '%s' "
			 "(expected error, warn, notice, info, debug)",
			 ctx->av[1]);
		return -1;
	}
	line =
	    sub == LOG_SUB_COUNT ? &ctx->level_all_line : &ctx->level_line[sub];
	if (*line != 0) {
		conf_err(ctx, ctx->line,
			 "duplicate 'logging level %s' (first "
			 "set on line %d)",
			 ctx->av[0], *line);
		return -1;
	}
	*line = ctx->line;
	if (sub == LOG_SUB_COUNT)
		ctx->level_all = lvl;
	else
		ctx->conf->log_level[sub] = lvl;
	return 0;
}

/* Interface names: what the kernel takes for a TUN device. */
static int
ifname_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CONF_IFNAME_MAX || s[0] == '-' ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/*
 * A block with a bad or duplicate name is still opened, so its body gets
 * checked, and dropped when it closes.
 */
static int
top_block(struct conf_ctx *ctx, enum conf_block_kind kind, const char *name)
{
	int line, bad = 0;

	if (kind == CONF_BLK_TUNNEL && !ifname_valid(name)) {
		conf_err(
		    ctx, ctx->line,
		    "tunnel: invalid interface name '%s' "
		    "(1 to %d letters, digits, '_', '.' or '-', not starting "
		    "with '-')",
		    name, CONF_IFNAME_MAX - 1);
		bad = 1;
	} else if (kind != CONF_BLK_TUNNEL &&
		   conf_parse_name(ctx, name) == -1) {
		bad = 1;
	} else if ((line = conf_block_defined(ctx->conf, kind, name)) > 0) {
		conf_err(ctx, ctx->line,
			 "duplicate %s '%s' (first defined on "
			 "line %d)",
			 conf_block_name(kind), name, line);
		bad = 1;
	}
	if (conf_block_open(ctx, kind, name, bad) == -1)
		return -1;
	return bad ? -1 : 0;
}

static int
top_ike_proposal(struct conf_ctx *ctx)
{
	return top_block(ctx, CONF_BLK_IKE_PROPOSAL, ctx->av[0]);
}

static int
top_ike_peer(struct conf_ctx *ctx)
{
	return top_block(ctx, CONF_BLK_IKE_PEER, ctx->av[0]);
}

static int
top_ipsec_proposal(struct conf_ctx *ctx)
{
	return top_block(ctx, CONF_BLK_IPSEC_PROPOSAL, ctx->av[0]);
}

static int
top_tunnel(struct conf_ctx *ctx)
{
	return top_block(ctx, CONF_BLK_TUNNEL, ctx->av[0]);
}
