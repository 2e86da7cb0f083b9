/*
 * Text renderers, one per command, indexed by command id.  They read the
 * reply with the json_get_* accessors, which tolerate missing fields: an
 * older daemon's reply still renders.
 */
#include <string.h>

#include "cli.h"
#include "str.h"

static const char *
render_s(const struct json_val *o, const char *key)
{
	return json_get_str(o, key, "-");
}

static void
render_version(FILE *f, const struct json_val *r)
{
	fprintf(f, "%s %s on %s\n", render_s(r, "name"), render_s(r, "version"),
		render_s(r, "hostname"));
	fprintf(f, "Compiler: %s\n", render_s(r, "compiler"));
}

static void
render_config_state(FILE *f, const struct json_val *c)
{
	const struct json_val *errs = json_get(c, "errors"), *e;
	const char *res = render_s(c, "last_result");

	fprintf(f, "Configuration %s\n", render_s(c, "path"));
	fprintf(f, "  in force since %s\n", render_s(c, "loaded"));
	if (strcmp(res, "ok") == 0) {
		fprintf(f, "  last load ok at %s\n",
			render_s(c, "last_attempt"));
	} else {
		fprintf(f,
			"  last reload FAILED at %s: %lld error(s), running "
			"configuration kept\n",
			render_s(c, "last_attempt"),
			(long long)json_get_int(c, "error_count", 0));
		for (e = errs ? errs->child : NULL; e != NULL; e = e->next)
			if (e->type == JSON_STRING)
				fprintf(f, "    %s\n", e->str);
	}
	fprintf(f, "  reloads: %llu ok, %llu failed\n",
		(unsigned long long)json_get_uint(c, "reloads_ok", 0),
		(unsigned long long)json_get_uint(c, "reloads_failed", 0));
}

static void
render_status(FILE *f, const struct json_val *r)
{
	const struct json_val *t = json_get(r, "tunnels");
	const struct json_val *c = json_get(r, "control");
	const struct json_val *l = json_get(r, "logging");
	char up[48];

	fprintf(f, "fleetvpnd %s on %s, pid %lld\n", render_s(r, "version"),
		render_s(r, "hostname"), (long long)json_get_int(r, "pid", 0));
	fprintf(f, "Uptime is %s (started %s)\n",
		str_duration(up, sizeof(up), json_get_uint(r, "uptime", 0)),
		render_s(r, "started"));
	render_config_state(f, json_get(r, "config"));
	fprintf(f, "Tunnels: %lld configured, %lld up, %lld shutdown\n",
		(long long)json_get_int(t, "configured", 0),
		(long long)json_get_int(t, "up", 0),
		(long long)json_get_int(t, "shutdown", 0));
	fprintf(f,
		"Control socket %s: %llu client(s), %llu request(s), "
		"%llu malformed, %llu refused\n",
		render_s(c, "socket"),
		(unsigned long long)json_get_uint(c, "clients", 0),
		(unsigned long long)json_get_uint(c, "requests", 0),
		(unsigned long long)json_get_uint(c, "malformed", 0),
		(unsigned long long)json_get_uint(c, "refused", 0));
	if (json_get_uint(l, "buffered", 0) == 0)
		fprintf(f, "Logging buffered: off\n");
	else
		fprintf(f, "Logging buffered: %llu entries, %llu used\n",
			(unsigned long long)json_get_uint(l, "buffered", 0),
			(unsigned long long)json_get_uint(l, "used", 0));
}

static void
render_running_config(FILE *f, const struct json_val *r)
{
	fprintf(f, "! configuration %s, in force since %s\n",
		render_s(r, "path"), render_s(r, "loaded"));
	fputs(json_get_str(r, "text", ""), f);
}

static void
render_levels(FILE *f, const struct json_val *levels)
{
	const struct json_val *l;
	int n = 0;

	fprintf(f, "Levels:");
	for (l = levels ? levels->child : NULL; l != NULL; l = l->next, n++)
		fprintf(f, "%s %s %s%s", n % 6 == 0 && n ? "\n       " : "",
			render_s(l, "subsystem"), render_s(l, "level"),
			json_get_bool(l, "debug_override", 0) ? " (debug)"
							      : "");
	fprintf(f, "\n");
}

static void
render_logging(FILE *f, const struct json_val *r)
{
	const struct json_val *e, *entries = json_get(r, "entries"), *sd, *kv;

	if (json_get_uint(r, "buffered", 0) == 0)
		fprintf(f, "Logging buffered: off\n");
	else
		fprintf(f,
			"Logging buffered: %llu entries, %llu used, "
			"%llu overwritten\n",
			(unsigned long long)json_get_uint(r, "buffered", 0),
			(unsigned long long)json_get_uint(r, "used", 0),
			(unsigned long long)json_get_uint(r, "overwritten", 0));
	render_levels(f, json_get(r, "levels"));
	fprintf(f, "\n");
	for (e = entries ? entries->child : NULL; e != NULL; e = e->next) {
		fprintf(f, "%s %s %s %s: %s", render_s(e, "time"),
			render_s(e, "code"), render_s(e, "subsystem"),
			render_s(e, "level"), render_s(e, "message"));
		if ((sd = json_get(e, "data")) != NULL && sd->count > 0) {
			for (kv = sd->child; kv != NULL; kv = kv->next)
				fprintf(f, "%s%s=%s",
					kv == sd->child ? " [" : " ", kv->key,
					kv->type == JSON_STRING ? kv->str
								: "?");
			fprintf(f, "]");
		}
		fprintf(f, "\n");
	}
}

static void
render_clear_logging(FILE *f, const struct json_val *r)
{
	fprintf(f, "Cleared %llu log entries\n",
		(unsigned long long)json_get_uint(r, "cleared", 0));
}

static void
render_reload(FILE *f, const struct json_val *r)
{
	const struct json_val *ch = json_get(r, "changes"), *c;

	fprintf(f, "Reloaded %s\n", render_s(r, "path"));
	if (ch == NULL || ch->count == 0) {
		fprintf(f, "  no change\n");
		return;
	}
	for (c = ch->child; c != NULL; c = c->next)
		if (c->type == JSON_STRING)
			fprintf(f, "  %s\n", c->str);
}

static void
render_debug(FILE *f, const struct json_val *r)
{
	const struct json_val *l = json_get(r, "levels"), *c;

	for (c = l ? l->child : NULL; c != NULL; c = c->next)
		fprintf(f, "%s log level is now %s\n", c->key,
			c->type == JSON_STRING ? c->str : "?");
}

/* An error reply: the message, then whatever details it carries. */
void
render_error(FILE *f, const struct json_val *r)
{
	const struct json_val *errs = json_get(r, "errors"), *e;
	const struct json_val *cmds = json_get(r, "commands");

	fprintf(f, "fleetvpn: %s", render_s(r, "error"));
	if (json_get(r, "reason") != NULL)
		fprintf(f, ": %s", render_s(r, "reason"));
	if (json_get(r, "command") != NULL)
		fprintf(f, ": '%s'", render_s(r, "command"));
	fprintf(f, "\n");
	for (e = errs ? errs->child : NULL; e != NULL; e = e->next)
		if (e->type == JSON_STRING)
			fprintf(f, "  %s\n", e->str);
	if (cmds != NULL) {
		fprintf(f, "valid commands:\n");
		for (e = cmds->child; e != NULL; e = e->next)
			fprintf(f, "  %s %s\n", render_s(e, "command"),
				json_get_str(e, "args", ""));
	}
}

static render_fn *const renderers[CMD_COUNT] = {
    [CMD_SHOW_VERSION] = render_version,
    [CMD_SHOW_STATUS] = render_status,
    [CMD_SHOW_RUNNING_CONFIG] = render_running_config,
    [CMD_SHOW_LOGGING] = render_logging,
    [CMD_CLEAR_LOGGING] = render_clear_logging,
    [CMD_RELOAD] = render_reload,
    [CMD_DEBUG] = render_debug,
    [CMD_SHOW_IKE_SA] = render_ike_sa,
    [CMD_SHOW_IPSEC_SA] = render_ipsec_sa,
    [CMD_SHOW_IKE_STATS] = render_ike_stats,
    [CMD_CLEAR_IKE_SA] = render_ike_clear,
    [CMD_CLEAR_IPSEC_SA] = render_ike_clear,
    [CMD_SHOW_TUNNEL] = render_tunnel,
    [CMD_SHOW_INTERFACES] = render_tunnel,
    [CMD_REKEY_IPSEC_SA] = render_ike_rekey,
};

render_fn *
render_get(enum cmd_id id)
{
	return (unsigned)id < CMD_COUNT ? renderers[id] : NULL;
}
