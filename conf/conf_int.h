/*
 * Internal to the conf module (the conf*.c files): the parse state shared
 * by the lexer, the parser and the checks.  Nothing outside conf/ includes
 * this file; the module's interface is conf.h.
 */
#ifndef FLEETVPN_CONF_INT_H
#define FLEETVPN_CONF_INT_H

#include "conf.h"

#define CONF_TOKENS_MAX 16 /* per line */
#define CONF_KW_MAX	16 /* keywords of one context */

/* The keyword tables of conf_names.c, for parsing and for messages. */
enum conf_names {
	CONF_NAMES_IKE_ENC,
	CONF_NAMES_HASH,
	CONF_NAMES_GROUP,
	CONF_NAMES_ESP_ENC,
	CONF_NAMES_ESP_INTEG,
	CONF_NAMES_MODE,
	CONF_NAMES_DPD_ACTION,
	CONF_NAMES_NATT,
	CONF_NAMES_ONOFF,
	CONF_NAMES_FRAG,
	CONF_NAMES_DF,
	CONF_NAMES_INITIATE,
	CONF_NAMES_COUNT
};

struct conf_lex {
	const char *text;
	size_t len;
	size_t off;
	int lineno;
};

/* One line split into tokens; quotes removed, escapes resolved. */
struct conf_line {
	int lineno;
	int indented;
	int ntok;
	char *tok[CONF_TOKENS_MAX];
	char buf[CONF_LINE_MAX + CONF_TOKENS_MAX + 1];
};

enum conf_block_kind {
	CONF_BLK_NONE, /* top level, no block open */
	CONF_BLK_SKIP, /* after a bad statement: ignore its body */
	CONF_BLK_IKE_PROPOSAL,
	CONF_BLK_IKE_PEER,
	CONF_BLK_IPSEC_PROPOSAL,
	CONF_BLK_TUNNEL
};

enum conf_ref_kind {
	CONF_REF_IKE_PROPOSAL,	/* ike peer -> ike proposal */
	CONF_REF_PEER,		/* tunnel -> ike peer */
	CONF_REF_IPSEC_PROPOSAL /* tunnel -> ipsec proposal */
};

/* A name that may point forward, resolved once the file is read. */
struct conf_ref {
	enum conf_ref_kind kind;
	void *owner;
	int idx; /* slot in the owner's list */
	int line;
	int aux_line; /* CONF_REF_PEER: "initiate" line */
	char name[CONF_NAME_MAX];
};

struct conf_block {
	enum conf_block_kind kind;
	int line;
	int discard; /* bad or duplicate name: check, drop */
	void *obj;
	int seen[CONF_KW_MAX];		/* line per keyword, 0 = absent */
	int life_line[2];		/* lifetime: duration, kilobytes */
	int net_line[2][CONF_NETS_MAX]; /* local, remote */
};

struct conf_ctx {
	struct conf *conf;
	struct conf_errors *errs;
	int errline[CONF_ERRORS_MAX]; /* keeps msg sorted */
	const char *file;
	const char *kw; /* keyword being parsed, for messages */
	int line;	/* line being parsed */
	char **av;	/* its arguments */
	int ac;
	int oom;
	struct conf_block blk;
	enum conf_block_kind prev_kind; /* the block closed last */
	const char *prev_kw;		/* the last top-level statement */
	int prev_line;
	int top_seen[CONF_KW_MAX];
	int ctl_line;
	int pid_line;
	int state_line;
	int spool_line;
	int level_line[LOG_SUB_COUNT];
	int level_all_line;
	enum log_level level_all;
	struct conf_ref *refs;
	size_t nrefs;
	size_t refcap;
};

#define CONF_KW_REQUIRED 0x1
#define CONF_KW_REPEAT	 0x2 /* no duplicate check */

/* One keyword of a context; min and max count the arguments after it. */
struct conf_kw {
	const char *kw; /* one or more words */
	const char *usage;
	int min;
	int max;
	int flags;
	const char *setting;	      /* duplicate identity; NULL = kw */
	int (*fn)(struct conf_ctx *); /* ctx->av, ctx->ac */
};

/* conf.c (internal) */
void conf_err(struct conf_ctx *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
int conf_ref_add(struct conf_ctx *, enum conf_ref_kind, void *, int,
		 const char *);
int conf_derive_pid(char *, size_t, const char *);
int conf_derive_spool(char *, size_t, const char *);

/* conf_lex.c */
void conf_lex_init(struct conf_lex *, const char *, size_t);
int conf_lex_next(struct conf_lex *, struct conf_line *, char *, size_t);

/* conf_parse.c */
void conf_parse_line(struct conf_ctx *, struct conf_line *, int);
void conf_parse_finish(struct conf_ctx *);
int conf_parse_is_hostname(const char *);
int conf_parse_name(struct conf_ctx *, const char *);
int conf_parse_u32(struct conf_ctx *, const char *, uint32_t, uint32_t,
		   uint32_t *);
int conf_parse_duration(struct conf_ctx *, const char *, uint32_t, uint32_t,
			uint32_t *);
int conf_parse_enum(struct conf_ctx *, enum conf_names, const char *, int *);

/* conf_block.c */
const struct conf_kw *conf_block_kws(enum conf_block_kind);
const char *conf_block_name(enum conf_block_kind);
int conf_block_open(struct conf_ctx *, enum conf_block_kind, const char *, int);
void conf_block_close(struct conf_ctx *);
int conf_block_defined(const struct conf *, enum conf_block_kind, const char *);
int conf_block_seen(const struct conf_ctx *, const char *);

/* conf_peer.c: the ike peer block */
extern const struct conf_kw conf_peer_kws[];
void conf_peer_close(struct conf_ctx *);

/* conf_tun.c: the tunnel block */
extern const struct conf_kw conf_tun_kws[];
void conf_tun_close(struct conf_ctx *);

/* conf_print.c (internal) */
char *conf_print_duration(char *, size_t, uint64_t);

/* conf_names.c (internal) */
int conf_names_parse(enum conf_names, const char *, int *);
const char *conf_names_name(enum conf_names, int);
char *conf_names_list(enum conf_names, char *, size_t);

#endif
