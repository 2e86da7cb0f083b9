/*
 * The event log.  Every message carries a subsystem, a level and a stable
 * event code ("IKE.001") from log_events.def.  Records are filtered by the
 * subsystem's level, kept in a bounded ring ("logging buffered N") and
 * handed to pluggable sinks (stderr, syslog(3), remote syslog).
 *
 * Thread-safe: data-plane threads may log.  Sinks run under the log lock
 * and must not log themselves.
 */
#ifndef FLEETVPN_LOG_H
#define FLEETVPN_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_COUNT
};

/* Subsystems: the tokens of "logging level SUB LEVEL" and "debug SUB". */
enum log_sub {
	LOG_SUB_DAEMON,
	LOG_SUB_CONFIG,
	LOG_SUB_CONTROL,
	LOG_SUB_LOG,
	LOG_SUB_IKE,
	LOG_SUB_ESP,
	LOG_SUB_TUNNEL,
	LOG_SUB_SNMP,
	LOG_SUB_SYSLOG,
	LOG_SUB_BACKUP,
	LOG_SUB_LOAD,
	LOG_SUB_COUNT
};

enum log_event {
#define EV(id, sub, num, lvl, title) id,
#include "log_events.def"
#undef EV
	LOG_EV_COUNT,
	LOG_EV_DEBUG = LOG_EV_COUNT /* a debug trace, code "SUB.000" */
};

#define LOG_MSG_MAX	  384
#define LOG_SD_MAX	  4 /* structured-data pairs per record */
#define LOG_SD_KEY_MAX	  16
#define LOG_SD_VAL_MAX	  64
#define LOG_CODE_MAX	  12 /* "SYSLOG.123" + NUL */
#define LOG_RING_MAX	  100000
#define LOG_RING_DEFAULT  1000

#define LOG_LEVEL_DEFAULT LOG_LVL_NOTICE

/* Structured data (tunnel, peer, phase, cause) for syslog and SNMP. */
struct log_sd {
	char key[LOG_SD_KEY_MAX];
	char val[LOG_SD_VAL_MAX];
};

struct log_rec {
	struct timespec ts; /* CLOCK_REALTIME */
	uint64_t seq;	    /* gap-free per process */
	enum log_event ev;
	enum log_sub sub;
	enum log_level level;
	int nsd;
	struct log_sd sd[LOG_SD_MAX];
	char msg[LOG_MSG_MAX];
};

/* A sink sees every record that passed the subsystem filter. */
struct log_sink {
	const char *name;
	enum log_level level; /* the sink's own minimum */
	void (*write)(const struct log_rec *, void *arg);
	void *arg;
};

struct log_stats {
	size_t ring_size; /* configured entries, 0 = off */
	size_t ring_used;
	uint64_t overwritten; /* oldest entries lost to wrap */
	uint64_t logged;      /* records that passed the filter */
	uint64_t filtered;    /* records below the level */
};

void log_init(void);
void log_shutdown(void);

void log_event(enum log_event, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void log_event_sd(enum log_event, const struct log_sd *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));
void log_eventv(enum log_event, const struct log_sd *, int, const char *,
		va_list) __attribute__((format(printf, 4, 0)));
void log_debug(enum log_sub, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int log_enabled(enum log_sub, enum log_level);

void log_level_set(enum log_sub, enum log_level);
enum log_level log_level_get(enum log_sub);

int log_ring_resize(size_t);
void log_ring_clear(void);
void log_ring_walk(void (*)(const struct log_rec *, void *), void *);
void log_stats(struct log_stats *);

int log_sink_add(const struct log_sink *);
void log_sink_remove(const char *);
void log_stderr_write(const struct log_rec *, void *);
void log_sd_set(struct log_sd *, const char *, const char *);

const char *log_level_name(enum log_level);
int log_level_parse(const char *, enum log_level *);
const char *log_sub_name(enum log_sub);
int log_sub_parse(const char *, enum log_sub *);
char *log_code(char *, size_t, enum log_event, enum log_sub);
const char *log_event_title(enum log_event);
enum log_sub log_event_sub(enum log_event);
enum log_level log_event_level(enum log_event);
void log_format_line(const struct log_rec *, char *, size_t);

#endif
