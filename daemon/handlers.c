/*
 * Command handlers: each writes a structured (JSON) reply; the CLI renders
 * it.  The table is indexed by the command id of lib/cmd.h.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "daemon.h"
#include "str.h"

static void
handlers_time(struct json_w *w, const char *key, const struct timespec *ts)
{
	char buf[STR_TIME_MAX];

	if (ts->tv_sec == 0) {
		json_key(w, key);
		json_null(w);
		return;
	}
	json_kv_str(w, key, str_time_utc(buf, sizeof(buf), ts, 0));
}

static int
handlers_version(struct daemon *d, int argc, char **argv, struct json_w *w,
		 struct buf *err)
{
	json_obj_open(w);
	json_kv_str(w, "name", "fleetvpnd");
	json_kv_str(w, "version", FLEETVPN_VERSION);
	json_kv_str(w, "compiler", __VERSION__);
	json_kv_str(w, "hostname", d->conf->hostname);
	json_obj_close(w);
	return 0;
}

static void
handlers_config_state(struct daemon *d, struct json_w *w)
{
	int i;

	json_key(w, "config");
	json_obj_open(w);
	json_kv_str(w, "path", d->conf_path);
	handlers_time(w, "loaded", &d->cfg.loaded_at);
	handlers_time(w, "last_attempt", &d->cfg.attempt_at);
	json_kv_str(w, "last_result", d->cfg.attempt_ok ? "ok" : "failed");
	json_kv_uint(w, "reloads_ok", d->cfg.reloads_ok);
	json_kv_uint(w, "reloads_failed", d->cfg.reloads_failed);
	json_key(w, "errors");
	json_arr_open(w);
	for (i = 0; !d->cfg.attempt_ok && i < d->cfg.errors.count; i++)
		json_str(w, d->cfg.errors.msg[i]);
	json_arr_close(w);
	json_kv_int(w, "error_count",
		    d->cfg.attempt_ok ? 0 : d->cfg.errors.total);
	json_obj_close(w);
}

static void
handlers_tunnel_counts(struct daemon *d, struct json_w *w)
{
	const struct conf_tunnel *t;
	struct engine_counts ec;
	int down = 0;

	memset(&ec, 0, sizeof(ec));
	if (d->engine != NULL)
		engine_counts(d->engine, &ec);
	TAILQ_FOREACH(t, &d->conf->tunnels, entry)
		down += t->shutdown;
	json_key(w, "tunnels");
	json_obj_open(w);
	json_kv_int(w, "configured", d->conf->ntunnels);
	json_kv_int(w, "shutdown", down);
	json_kv_int(w, "up", ec.tunnels_up);
	json_obj_close(w);
	json_key(w, "sas");
	json_obj_open(w);
	json_kv_int(w, "ike_configured", ec.ike_configured);
	json_kv_int(w, "ike_created", ec.ike_created);
	json_kv_int(w, "ipsec_configured", ec.ipsec_configured);
	json_kv_int(w, "ipsec_created", ec.ipsec_created);
	json_obj_close(w);
}

static int
handlers_status(struct daemon *d, int argc, char **argv, struct json_w *w,
		struct buf *err)
{
	struct control_stats cs;
	struct log_stats ls;

	control_stats(d->ctl, &cs);
	log_stats(&ls);
	json_obj_open(w);
	json_kv_str(w, "hostname", d->conf->hostname);
	json_kv_str(w, "version", FLEETVPN_VERSION);
	json_kv_int(w, "pid", d->pid);
	handlers_time(w, "started", &d->started);
	json_kv_uint(w, "uptime", (ev_time_ms() - d->started_ms) / 1000);
	handlers_config_state(d, w);
	handlers_tunnel_counts(d, w);
	json_key(w, "control");
	json_obj_open(w);
	json_kv_str(w, "socket", control_path(d->ctl));
	json_kv_uint(w, "clients", cs.clients);
	json_kv_uint(w, "requests", cs.requests);
	json_kv_uint(w, "malformed", cs.bad_requests);
	json_kv_uint(w, "refused", cs.rejected);
	json_obj_close(w);
	json_key(w, "logging");
	json_obj_open(w);
	json_kv_uint(w, "buffered", ls.ring_size);
	json_kv_uint(w, "used", ls.ring_used);
	json_obj_close(w);
	json_obj_close(w);
	return 0;
}

static int
handlers_running_config(struct daemon *d, int argc, char **argv,
			struct json_w *w, struct buf *err)
{
	struct buf text;
	int rv = 0;

	buf_init(&text, (size_t)CONF_FILE_MAX * 2);
	if (conf_print(d->conf, &text, 0) == -1) {
		buf_adds(err, "configuration too large to print");
		rv = -1;
	} else {
		json_obj_open(w);
		json_kv_str(w, "path", d->conf_path);
		handlers_time(w, "loaded", &d->cfg.loaded_at);
		json_kv_str(w, "text", buf_cstr(&text));
		json_obj_close(w);
	}
	buf_release(&text);
	return rv;
}

/* --- show logging [SUBSYSTEM] [last N] --- */

struct handlers_logq {
	struct json_w *w;
	int sub;       /* -1 = all */
	uint64_t skip; /* matching entries to pass over */
	uint64_t matched;
};

static void
handlers_log_count(const struct log_rec *r, void *arg)
{
	struct handlers_logq *q = arg;

	if (q->sub == -1 || (int)r->sub == q->sub)
		q->matched++;
}

static void
handlers_log_entry(const struct log_rec *r, void *arg)
{
	struct handlers_logq *q = arg;
	char ts[STR_TIME_MAX], code[LOG_CODE_MAX];
	int i;

	if (q->sub != -1 && (int)r->sub != q->sub)
		return;
	if (q->skip > 0) {
		q->skip--;
		return;
	}
	json_obj_open(q->w);
	json_kv_uint(q->w, "seq", r->seq);
	json_kv_str(q->w, "time", str_time_utc(ts, sizeof(ts), &r->ts, 1));
	json_kv_str(q->w, "code", log_code(code, sizeof(code), r->ev, r->sub));
	json_kv_str(q->w, "subsystem", log_sub_name(r->sub));
	json_kv_str(q->w, "level", log_level_name(r->level));
	json_kv_str(q->w, "message", r->msg);
	if (r->nsd > 0) {
		json_key(q->w, "data");
		json_obj_open(q->w);
		for (i = 0; i < r->nsd; i++)
			json_kv_str(q->w, r->sd[i].key, r->sd[i].val);
		json_obj_close(q->w);
	}
	json_obj_close(q->w);
}

static int
handlers_log_args(int argc, char **argv, int *sub, uint64_t *last,
		  struct buf *err)
{
	enum log_sub s;
	int i;

	*sub = -1;
	*last = UINT64_MAX;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "last") == 0 && i + 1 < argc) {
			if (str_to_u64(argv[++i], 1, LOG_RING_MAX, last) ==
			    -1) {
				buf_printf(err,
					   "last: '%s' is not a number "
					   "from 1 to %d",
					   argv[i], LOG_RING_MAX);
				return -1;
			}
		} else if (*sub == -1 && log_sub_parse(argv[i], &s) == 0) {
			*sub = (int)s;
		} else {
			buf_printf(err,
				   "show logging: unexpected '%s' "
				   "(expected a subsystem or 'last N')",
				   argv[i]);
			return -1;
		}
	}
	return 0;
}

static void
handlers_levels(struct daemon *d, struct json_w *w)
{
	int i;

	json_key(w, "levels");
	json_arr_open(w);
	for (i = 0; i < LOG_SUB_COUNT; i++) {
		json_obj_open(w);
		json_kv_str(w, "subsystem", log_sub_name((enum log_sub)i));
		json_kv_str(w, "level",
			    log_level_name(log_level_get((enum log_sub)i)));
		json_kv_str(w, "configured",
			    log_level_name(d->conf->log_level[i]));
		json_kv_bool(w, "debug_override", d->level_override[i]);
		json_obj_close(w);
	}
	json_arr_close(w);
}

static int
handlers_logging(struct daemon *d, int argc, char **argv, struct json_w *w,
		 struct buf *err)
{
	struct handlers_logq q;
	struct log_stats ls;
	uint64_t last;

	memset(&q, 0, sizeof(q));
	if (handlers_log_args(argc, argv, &q.sub, &last, err) == -1)
		return -1;
	q.w = w;
	log_ring_walk(handlers_log_count, &q);
	q.skip = q.matched > last ? q.matched - last : 0;
	log_stats(&ls);
	json_obj_open(w);
	json_kv_uint(w, "buffered", ls.ring_size);
	json_kv_uint(w, "used", ls.ring_used);
	json_kv_uint(w, "overwritten", ls.overwritten);
	json_kv_uint(w, "logged", ls.logged);
	handlers_levels(d, w);
	json_key(w, "entries");
	json_arr_open(w);
	log_ring_walk(handlers_log_entry, &q);
	json_arr_close(w);
	json_obj_close(w);
	return 0;
}

static int
handlers_clear_logging(struct daemon *d, int argc, char **argv,
		       struct json_w *w, struct buf *err)
{
	struct log_stats ls;

	log_stats(&ls);
	log_ring_clear();
	log_event(EV_LOG_CLEARED, "log buffer cleared (%zu entries)",
		  ls.ring_used);
	json_obj_open(w);
	json_kv_uint(w, "cleared", ls.ring_used);
	json_obj_close(w);
	return 0;
}

static int
handlers_reload(struct daemon *d, int argc, char **argv, struct json_w *w,
		struct buf *err)
{
	return reload_run(d, "control socket", err, w);
}

/* debug SUBSYSTEM|all LEVEL|default */
static int
handlers_debug(struct daemon *d, int argc, char **argv, struct json_w *w,
	       struct buf *err)
{
	enum log_level lvl = LOG_LVL_DEBUG;
	enum log_sub sub = LOG_SUB_DAEMON;
	int all = strcmp(argv[0], "all") == 0, reset, i;

	reset = strcmp(argv[1], "default") == 0;
	if (!all && log_sub_parse(argv[0], &sub) == -1) {
		buf_printf(err, "debug: unknown subsystem '%s'", argv[0]);
		return -1;
	}
	if (!reset && log_level_parse(argv[1], &lvl) == -1) {
		buf_printf(err,
			   "debug: unknown level '%s' (expected error, "
			   "warn, notice, info, debug or default)",
			   argv[1]);
		return -1;
	}
	json_obj_open(w);
	json_key(w, "levels");
	json_obj_open(w);
	for (i = 0; i < LOG_SUB_COUNT; i++) {
		if (!all && i != (int)sub)
			continue;
		d->level_override[i] = !reset;
		log_level_set((enum log_sub)i,
			      reset ? d->conf->log_level[i] : lvl);
		log_event(EV_LOG_LEVEL, "%s log level %s%s",
			  log_sub_name((enum log_sub)i),
			  log_level_name(log_level_get((enum log_sub)i)),
			  reset ? " (configured)" : " (debug override)");
		json_kv_str(w, log_sub_name((enum log_sub)i),
			    log_level_name(log_level_get((enum log_sub)i)));
	}
	json_obj_close(w);
	json_obj_close(w);
	return 0;
}

static handlers_fn *const handlers[CMD_COUNT] = {
    [CMD_SHOW_VERSION] = handlers_version,
    [CMD_SHOW_STATUS] = handlers_status,
    [CMD_SHOW_RUNNING_CONFIG] = handlers_running_config,
    [CMD_SHOW_LOGGING] = handlers_logging,
    [CMD_CLEAR_LOGGING] = handlers_clear_logging,
    [CMD_RELOAD] = handlers_reload,
    [CMD_DEBUG] = handlers_debug,
    [CMD_SHOW_IKE_SA] = handlers_ike_show_sa,
    [CMD_SHOW_IPSEC_SA] = handlers_ike_show_ipsec,
    [CMD_SHOW_IKE_STATS] = handlers_ike_stats,
    [CMD_CLEAR_IKE_SA] = handlers_ike_clear_sa,
    [CMD_CLEAR_IPSEC_SA] = handlers_ike_clear_ipsec,
    [CMD_SHOW_TUNNEL] = handlers_ike_show_tunnel,
    [CMD_SHOW_INTERFACES] = handlers_ike_show_tunnel,
    [CMD_REKEY_IPSEC_SA] = handlers_ike_rekey_ipsec,
};

handlers_fn *
handlers_get(int id)
{
	return (id >= 0 && id < CMD_COUNT) ? handlers[id] : NULL;
}
