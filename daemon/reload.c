/*
 * Loading and reloading the configuration.  A new configuration is parsed
 * whole and swapped in only when it has no error; otherwise the running
 * one stays in force and every error is logged.  Settings that cannot
 * change under a running daemon (its own paths) keep their running value
 * and say so, so "show running-config" never shows what is not in force.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "str.h"

#define RELOAD_CHANGES_MAX 64

struct reload_changes {
	struct json_w *w;
	int n;
};

static void reload_note(struct reload_changes *ch, enum log_event ev,
			const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reload_note(struct reload_changes *ch, enum log_event ev, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_event(ev, "%s", msg);
	if (ch->w != NULL && ch->n++ < RELOAD_CHANGES_MAX)
		json_str(ch->w, msg);
}

/* Keep a restart-only setting at its running value. */
static void
reload_keep(struct reload_changes *ch, const char *what, char *nv,
	    const char *ov, size_t len)
{
	if (strcmp(nv, ov) == 0)
		return;
	reload_note(ch, EV_CFG_RESTART,
		    "%s: '%s' takes effect at restart; "
		    "'%s' stays in force",
		    what, nv, ov);
	str_lcpy(nv, ov, len);
}

void
reload_apply_levels(struct daemon *d)
{
	int i;

	for (i = 0; i < LOG_SUB_COUNT; i++)
		if (!d->level_override[i])
			log_level_set((enum log_sub)i, d->conf->log_level[i]);
}

static void
reload_logging(struct reload_changes *ch, const struct conf *o,
	       const struct conf *n)
{
	int i;

	if (o->log_buffered != n->log_buffered) {
		if (log_ring_resize(n->log_buffered) == 0)
			reload_note(ch, EV_LOG_BUFFER,
				    "logging buffered %zu "
				    "(was %zu)",
				    n->log_buffered, o->log_buffered);
	}
	for (i = 0; i < LOG_SUB_COUNT; i++)
		if (o->log_level[i] != n->log_level[i])
			reload_note(ch, EV_CFG_CHANGED,
				    "logging level %s %s "
				    "(was %s)",
				    log_sub_name((enum log_sub)i),
				    log_level_name(n->log_level[i]),
				    log_level_name(o->log_level[i]));
}

static void
reload_tunnels(struct reload_changes *ch, const struct conf *o,
	       const struct conf *n)
{
	const struct conf_tunnel *t;

	TAILQ_FOREACH(t, &n->tunnels, entry)
		if (conf_tunnel_find(o, t->name) == NULL)
			reload_note(ch, EV_CFG_CHANGED, "tunnel %s added",
				    t->name);
	TAILQ_FOREACH(t, &o->tunnels, entry)
		if (conf_tunnel_find(n, t->name) == NULL)
			reload_note(ch, EV_CFG_CHANGED, "tunnel %s removed",
				    t->name);
}

static int
reload_same(const struct conf *a, const struct conf *b)
{
	struct buf pa, pb;
	int same;

	buf_init(&pa, (size_t)CONF_FILE_MAX * 2);
	buf_init(&pb, (size_t)CONF_FILE_MAX * 2);
	same = conf_print(a, &pa, CONF_PRINT_SECRETS) == 0 &&
	       conf_print(b, &pb, CONF_PRINT_SECRETS) == 0 &&
	       pa.len == pb.len && memcmp(pa.data, pb.data, pa.len) == 0;
	explicit_bzero(pa.data, pa.len);
	explicit_bzero(pb.data, pb.len);
	buf_release(&pa);
	buf_release(&pb);
	return same;
}

/* Move from the running configuration "o" to "n" (which becomes d->conf). */
static void
reload_apply(struct daemon *d, struct conf *o, struct conf *n,
	     struct reload_changes *ch)
{
	reload_keep(ch, "control socket", n->ctl_path, o->ctl_path,
		    sizeof(n->ctl_path));
	reload_keep(ch, "control group", n->ctl_group, o->ctl_group,
		    sizeof(n->ctl_group));
	reload_keep(ch, "pid-file", n->pid_path, o->pid_path,
		    sizeof(n->pid_path));
	reload_keep(ch, "state-directory", n->state_dir, o->state_dir,
		    sizeof(n->state_dir));
	reload_keep(ch, "spool-directory", n->spool_dir, o->spool_dir,
		    sizeof(n->spool_dir));
	if (reload_same(o, n)) {
		log_event(EV_CFG_UNCHANGED, "%s: no change", n->path);
		return;
	}
	if (strcmp(o->hostname, n->hostname) != 0)
		reload_note(ch, EV_CFG_CHANGED, "hostname %s (was %s)",
			    n->hostname, o->hostname);
	reload_logging(ch, o, n);
	reload_tunnels(ch, o, n);
	d->conf = n;
	reload_apply_levels(d);
}

static void
reload_failed(struct daemon *d, const char *source, struct buf *err,
	      struct json_w *w)
{
	int i;

	d->cfg.reloads_failed++;
	for (i = 0; i < d->cfg.errors.count; i++)
		log_event(EV_CFG_ERROR, "%s", d->cfg.errors.msg[i]);
	log_event(EV_CFG_REJECTED,
		  "reload (%s) rejected: %d error%s in %s; "
		  "running configuration kept",
		  source, d->cfg.errors.total,
		  d->cfg.errors.total == 1 ? "" : "s", d->conf_path);
	if (w == NULL)
		return;
	json_obj_open(w);
	json_kv_str(w, "error",
		    "configuration rejected; running "
		    "configuration kept");
	json_kv_str(w, "path", d->conf_path);
	json_kv_int(w, "error_count", d->cfg.errors.total);
	json_key(w, "errors");
	json_arr_open(w);
	for (i = 0; i < d->cfg.errors.count; i++)
		json_str(w, d->cfg.errors.msg[i]);
	json_arr_close(w);
	json_obj_close(w);
	(void)err;
}

/*
 * Reload from the configured path.  "source" says who asked (SIGHUP,
 * control socket).  With "w", the outcome is also written as a reply.
 */
int
reload_run(struct daemon *d, const char *source, struct buf *err,
	   struct json_w *w)
{
	struct reload_changes ch = {.w = NULL, .n = 0};
	struct conf *n, *o = d->conf;

	log_event(EV_CFG_RELOAD, "reload requested by %s", source);
	clock_gettime(CLOCK_REALTIME, &d->cfg.attempt_at);
	memset(&d->cfg.errors, 0, sizeof(d->cfg.errors));
	if ((n = conf_load(d->conf_path, &d->cfg.errors)) == NULL) {
		d->cfg.attempt_ok = 0;
		reload_failed(d, source, err, w);
		return -1;
	}
	d->cfg.attempt_ok = 1;
	d->cfg.reloads_ok++;
	if (w != NULL) {
		json_obj_open(w);
		json_kv_str(w, "result", "ok");
		json_kv_str(w, "path", d->conf_path);
		json_key(w, "changes");
		json_arr_open(w);
		ch.w = w;
	}
	reload_apply(d, o, n, &ch);
	if (w != NULL) {
		json_arr_close(w);
		json_obj_close(w);
	}
	if (d->conf == n) {
		d->cfg.loaded_at = d->cfg.attempt_at;
		/* The engine lets go of the old configuration first. */
		if (d->engine != NULL)
			engine_apply(d->engine, n);
		log_event(EV_CFG_LOADED,
			  "configuration loaded from %s: %d "
			  "tunnel%s",
			  n->path, n->ntunnels, n->ntunnels == 1 ? "" : "s");
		conf_free(o);
	} else {
		conf_free(n);
	}
	return 0;
}

/* The first load, at start: the caller has printed errors already. */
int
reload_initial(struct daemon *d, const char *path)
{
	clock_gettime(CLOCK_REALTIME, &d->cfg.loaded_at);
	d->cfg.attempt_at = d->cfg.loaded_at;
	d->cfg.attempt_ok = 1;
	log_ring_resize(d->conf->log_buffered);
	reload_apply_levels(d);
	log_event(EV_CFG_LOADED, "configuration loaded from %s: %d tunnel%s",
		  path, d->conf->ntunnels, d->conf->ntunnels == 1 ? "" : "s");
	return 0;
}
