/*
 * The normalised configuration ("show running-config"): every setting in
 * force, defaults included, in a fixed order, in a form conf_parse() reads
 * back to the same configuration.  The pre-shared keys print masked unless
 * the caller asks for them.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

/* The largest unit that is exact: 28800 is 8h, 90 stays 90s. */
char *
conf_print_duration(char *out, size_t len, uint64_t s)
{
	if (s != 0 && s % 86400 == 0)
		snprintf(out, len, "%llud", (unsigned long long)(s / 86400));
	else if (s != 0 && s % 3600 == 0)
		snprintf(out, len, "%lluh", (unsigned long long)(s / 3600));
	else if (s != 0 && s % 60 == 0)
		snprintf(out, len, "%llum", (unsigned long long)(s / 60));
	else
		snprintf(out, len, "%llus", (unsigned long long)s);
	return out;
}

static int
print_needs_quotes(const char *s)
{
	return s[0] == '\0' || s[0] == '#' || s[0] == '!' ||
	       strpbrk(s, " \t\"\\") != NULL;
}

static void
print_quoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* " KEYWORD VALUE\n", the value quoted only when the lexer needs it. */
static void
print_str(struct buf *b, const char *indent_kw, const char *s)
{
	buf_adds(b, indent_kw);
	buf_addc(b, ' ');
	if (print_needs_quotes(s))
		print_quoted(b, s);
	else
		buf_adds(b, s);
	buf_addc(b, '\n');
}

static void
print_lifetime(struct buf *b, const struct conf_lifetime *lt)
{
	char d[32];

	buf_printf(b, " lifetime %s\n",
		   conf_print_duration(d, sizeof(d), lt->seconds));
	if (lt->kilobytes != 0)
		buf_printf(b, " lifetime %llu kilobytes\n",
			   (unsigned long long)lt->kilobytes);
}

static void
print_globals(const struct conf *c, struct buf *b)
{
	int i;

	print_str(b, "hostname", c->hostname);
	print_str(b, "control socket", c->ctl_path);
	if (c->ctl_group[0] != '\0')
		print_str(b, "control group", c->ctl_group);
	print_str(b, "pid-file", c->pid_path);
	print_str(b, "state-directory", c->state_dir);
	print_str(b, "spool-directory", c->spool_dir);
	buf_printf(b, "ike retransmit %us %u\n", c->ike_retrans_s,
		   c->ike_retrans_count);
	if (c->key_export[0] != '\0')
		print_str(b, "ipsec key-export", c->key_export);
	if (c->log_buffered != 0)
		buf_printf(b, "logging buffered %zu\n", c->log_buffered);
	else
		buf_adds(b, "no logging buffered\n");
	for (i = 0; i < LOG_SUB_COUNT; i++)
		if (c->log_level[i] != LOG_LEVEL_DEFAULT)
			buf_printf(b, "logging level %s %s\n",
				   log_sub_name((enum log_sub)i),
				   log_level_name(c->log_level[i]));
}

static void
print_ike_proposal(const struct conf_ike_proposal *p, struct buf *b)
{
	buf_printf(b, "\nike proposal %s\n", p->name);
	buf_printf(b, " encryption %s\n", conf_ike_enc_name(p->enc));
	buf_printf(b, " hash %s\n", conf_hash_name(p->hash));
	buf_printf(b, " group %d\n", p->group);
	print_lifetime(b, &p->lifetime);
}

static void
print_id(struct buf *b, const char *kw, const struct conf_id *id)
{
	char a[ADDR_STR_MAX], v[CONF_ID_MAX + 16];

	if (id->type == CONF_ID_DEFAULT)
		return;
	if (id->type == CONF_ID_ADDRESS)
		snprintf(v, sizeof(v), "address:%s",
			 addr_fmt(&id->addr, a, sizeof(a)));
	else
		snprintf(v, sizeof(v), "%s:%s", conf_id_type_name(id->type),
			 id->value);
	print_str(b, kw, v);
}

static void
print_peer_head(const struct conf_ike_peer *p, struct buf *b, int flags)
{
	char a[ADDR_STR_MAX];
	int i;

	buf_printf(b, "\nike peer %s\n", p->name);
	buf_printf(b, " address %s\n",
		   p->any ? "any" : addr_fmt(&p->addr, a, sizeof(a)));
	if (p->local_addr.family != AF_UNSPEC)
		buf_printf(b, " local-address %s\n",
			   addr_fmt(&p->local_addr, a, sizeof(a)));
	buf_printf(b, " mode %s\n", conf_mode_name(p->mode));
	buf_adds(b, " pre-shared-key ");
	if (flags & CONF_PRINT_SECRETS)
		print_quoted(b, p->psk);
	else
		buf_adds(b, "********");
	buf_adds(b, "\n proposal");
	for (i = 0; i < p->nprops; i++)
		buf_printf(b, " %s",
			   p->props[i] != NULL ? p->props[i]->name : "?");
	buf_addc(b, '\n');
}

static void
print_peer(const struct conf_ike_peer *p, struct buf *b, int flags)
{
	char d[32];

	print_peer_head(p, b, flags);
	if (p->dpd_interval != 0)
		buf_printf(b, " dpd %s %u %s\n",
			   conf_print_duration(d, sizeof(d), p->dpd_interval),
			   p->dpd_retries, conf_dpd_action_name(p->dpd_action));
	buf_printf(b, " nat-traversal %s\n", conf_natt_name(p->natt));
	buf_printf(b, " nat-keepalive %s\n",
		   conf_print_duration(d, sizeof(d), p->natt_keepalive));
	buf_printf(b, " initial-contact %s\n",
		   p->initial_contact ? "on" : "off");
	print_id(b, " local-id", &p->local_id);
	print_id(b, " remote-id", &p->remote_id);
}

static void
print_ipsec_proposal(const struct conf_ipsec_proposal *p, struct buf *b)
{
	int i;

	buf_printf(b, "\nipsec proposal %s\n", p->name);
	for (i = 0; i < p->nesp; i++) {
		buf_printf(b, " esp %s", conf_esp_enc_name(p->esp[i].enc));
		if (p->esp[i].integ != CONF_INTEG_NONE)
			buf_printf(b, " %s",
				   conf_esp_integ_name(p->esp[i].integ));
		buf_addc(b, '\n');
	}
	if (p->pfs_group != 0)
		buf_printf(b, " pfs group %d\n", p->pfs_group);
	else
		buf_adds(b, " pfs none\n");
	print_lifetime(b, &p->lifetime);
}

static void
print_tunnel_nets(const struct conf_tunnel *t, struct buf *b)
{
	char p[PREFIX_STR_MAX];
	int i;

	for (i = 0; i < t->nlocal; i++)
		buf_printf(b, " local-network %s\n",
			   prefix_fmt(&t->local[i], p, sizeof(p)));
	for (i = 0; i < t->nremote; i++)
		buf_printf(b, " remote-network %s\n",
			   prefix_fmt(&t->remote[i], p, sizeof(p)));
}

static void
print_tunnel(const struct conf_tunnel *t, struct buf *b)
{
	buf_printf(b, "\ntunnel %s\n", t->name);
	if (t->description[0] != '\0')
		print_str(b, " description", t->description);
	buf_printf(b, " peer %s\n", t->peer != NULL ? t->peer->name : "?");
	buf_printf(b, " proposal %s\n",
		   t->proposal != NULL ? t->proposal->name : "?");
	print_tunnel_nets(t, b);
	buf_printf(b, " mtu %u\n", t->mtu);
	if (t->mss == CONF_MSS_FIXED)
		buf_printf(b, " tcp-mss %u\n", t->mss_value);
	else
		buf_printf(b, " tcp-mss %s\n",
			   t->mss == CONF_MSS_AUTO ? "auto" : "off");
	buf_printf(b, " fragment %s\n", conf_frag_name(t->frag));
	buf_printf(b, " df-bit %s\n", conf_df_name(t->df));
	buf_printf(b, " replay-window %u\n", t->replay_window);
	buf_printf(b, " initiate %s\n", conf_initiate_name(t->initiate));
	if (t->shutdown)
		buf_adds(b, " shutdown\n");
}

int
conf_print(const struct conf *c, struct buf *b, int flags)
{
	const struct conf_ike_proposal *ip;
	const struct conf_ike_peer *pe;
	const struct conf_ipsec_proposal *sp;
	const struct conf_tunnel *t;

	print_globals(c, b);
	TAILQ_FOREACH(ip, &c->ike_proposals, entry)
		print_ike_proposal(ip, b);
	TAILQ_FOREACH(pe, &c->ike_peers, entry)
		print_peer(pe, b, flags);
	TAILQ_FOREACH(sp, &c->ipsec_proposals, entry)
		print_ipsec_proposal(sp, b);
	TAILQ_FOREACH(t, &c->tunnels, entry)
		print_tunnel(t, b);
	return b->err ? -1 : 0;
}
