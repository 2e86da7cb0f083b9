/*
 * fleetvpnd's own modules: the daemon state every part reaches through,
 * the control server, the command handlers, configuration reload, the
 * pid file and readiness notification.
 */
#ifndef FLEETVPN_DAEMON_H
#define FLEETVPN_DAEMON_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "engine.h"
#include "ev.h"
#include "json.h"
#include "log.h"

struct control;
struct pidfile;

/* What the last configuration load did: "show status" reports it. */
struct daemon_cfgstate {
	struct timespec loaded_at;  /* the configuration in force */
	struct timespec attempt_at; /* the last load or reload */
	int attempt_ok;
	struct conf_errors errors; /* of the last failed attempt */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
};

struct daemon {
	struct ev_loop *loop;
	struct conf *conf; /* in force; replaced whole on reload */
	const char *conf_path;
	int foreground;
	pid_t pid;
	struct timespec started; /* wall clock, for display */
	uint64_t started_ms;	 /* monotonic, for uptime */
	struct daemon_cfgstate cfg;
	/* "debug SUB LEVEL" overrides the configured level until reset. */
	int level_override[LOG_SUB_COUNT];
	struct control *ctl;
	struct pidfile *pidfile;
	struct engine *engine;
};

/* control.c */
struct control_stats {
	uint64_t accepted;
	uint64_t rejected; /* over the client limit */
	uint64_t requests;
	uint64_t bad_requests;
	uint64_t errors; /* requests answered with an error */
	unsigned clients;
};

struct control *control_open(struct daemon *, const char *, const char *,
			     char *, size_t);
void control_close(struct control *);
int control_adopt(struct control *, int, uid_t);
const char *control_path(const struct control *);
void control_stats(const struct control *, struct control_stats *);
int control_dispatch(struct daemon *, int, char **, uid_t, struct buf *, int *);

/* handlers.c */
typedef int handlers_fn(struct daemon *, int, char **, struct json_w *,
			struct buf *);
handlers_fn *handlers_get(int);

/* handlers_ike.c */
handlers_fn handlers_ike_show_sa;
handlers_fn handlers_ike_show_ipsec;
handlers_fn handlers_ike_stats;
handlers_fn handlers_ike_clear_sa;
handlers_fn handlers_ike_clear_ipsec;
handlers_fn handlers_ike_show_tunnel;
handlers_fn handlers_ike_rekey_ipsec;

/* reload.c */
int reload_initial(struct daemon *, const char *);
int reload_run(struct daemon *, const char *, struct buf *, struct json_w *);
void reload_apply_levels(struct daemon *);

/* pidfile.c */
struct pidfile *pidfile_open(const char *, char *, size_t);
void pidfile_close(struct pidfile *);

/* sdnotify.c */
void sdnotify(const char *);

#endif
