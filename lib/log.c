/*
 * The event log; see log.h.  One mutex guards the ring, the levels and the
 * sink list: logging is rare next to packet work, and data-plane threads
 * that log on a hot path check log_enabled() first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "str.h"

#define LOG_SINKS_MAX 8

struct log_event_def {
	enum log_sub sub;
	int num;
	enum log_level level;
	const char *title;
};

static const struct log_event_def log_events[LOG_EV_COUNT] = {
#define EV(id, s, n, l, t) [id] = {LOG_SUB_##s, n, LOG_LVL_##l, t},
#include "log_events.def"
#undef EV
};

static const char *const log_level_names[LOG_LVL_COUNT] = {
    "error", "warn", "notice", "info", "debug"};

static const struct {
	const char *name; /* config and CLI token */
	const char *code; /* event code prefix */
} log_subs[LOG_SUB_COUNT] = {
    [LOG_SUB_DAEMON] = {"daemon", "DMN"},
    [LOG_SUB_CONFIG] = {"config", "CFG"},
    [LOG_SUB_CONTROL] = {"control", "CTL"},
    [LOG_SUB_LOG] = {"log", "LOG"},
    [LOG_SUB_IKE] = {"ike", "IKE"},
    [LOG_SUB_ESP] = {"esp", "ESP"},
    [LOG_SUB_TUNNEL] = {"tunnel", "TUN"},
    [LOG_SUB_SNMP] = {"snmp", "SNMP"},
    [LOG_SUB_SYSLOG] = {"syslog", "SYS"},
    [LOG_SUB_BACKUP] = {"backup", "BKP"},
    [LOG_SUB_LOAD] = {"load", "LOAD"},
};

static struct {
	pthread_mutex_t lock;
	enum log_level level[LOG_SUB_COUNT];
	struct log_rec *ring;
	size_t size; /* slots; 0 = buffering off */
	size_t head; /* next slot to write */
	size_t used;
	uint64_t seq;
	uint64_t overwritten;
	uint64_t logged;
	uint64_t filtered;
	struct log_sink sinks[LOG_SINKS_MAX];
	int nsinks;
} lg = {.lock = PTHREAD_MUTEX_INITIALIZER};

void
log_init(void)
{
	int i;

	pthread_mutex_lock(&lg.lock);
	for (i = 0; i < LOG_SUB_COUNT; i++)
		lg.level[i] = LOG_LEVEL_DEFAULT;
	pthread_mutex_unlock(&lg.lock);
	if (lg.ring == NULL)
		log_ring_resize(LOG_RING_DEFAULT);
}

void
log_shutdown(void)
{
	pthread_mutex_lock(&lg.lock);
	free(lg.ring);
	lg.ring = NULL;
	lg.size = lg.head = lg.used = 0;
	lg.nsinks = 0;
	pthread_mutex_unlock(&lg.lock);
}

int
log_enabled(enum log_sub sub, enum log_level level)
{
	/* A racy read is fine: levels change rarely, the lock orders them. */
	return sub < LOG_SUB_COUNT && level <= lg.level[sub];
}

static void
log_store(struct log_rec *r)
{
	int i;

	r->seq = ++lg.seq;
	lg.logged++;
	if (lg.size > 0) {
		if (lg.used == lg.size)
			lg.overwritten++;
		else
			lg.used++;
		lg.ring[lg.head] = *r;
		lg.head = (lg.head + 1) % lg.size;
	}
	for (i = 0; i < lg.nsinks; i++)
		if (r->level <= lg.sinks[i].level)
			lg.sinks[i].write(r, lg.sinks[i].arg);
}

static void
log_emit(enum log_event ev, enum log_sub sub, enum log_level level,
	 const struct log_sd *sd, int nsd, const char *fmt, va_list ap)
{
	struct log_rec r;
	int i;

	pthread_mutex_lock(&lg.lock);
	if (level > lg.level[sub]) {
		lg.filtered++;
		pthread_mutex_unlock(&lg.lock);
		return;
	}
	pthread_mutex_unlock(&lg.lock);

	memset(&r, 0, sizeof(r));
	clock_gettime(CLOCK_REALTIME, &r.ts);
	r.ev = ev;
	r.sub = sub;
	r.level = level;
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	if (nsd > LOG_SD_MAX)
		nsd = LOG_SD_MAX;
	for (i = 0; i < nsd; i++)
		r.sd[i] = sd[i];
	r.nsd = nsd < 0 ? 0 : nsd;

	pthread_mutex_lock(&lg.lock);
	log_store(&r);
	pthread_mutex_unlock(&lg.lock);
}

void
log_eventv(enum log_event ev, const struct log_sd *sd, int nsd, const char *fmt,
	   va_list ap)
{
	const struct log_event_def *d;

	if ((unsigned)ev >= LOG_EV_COUNT)
		return;
	d = &log_events[ev];
	log_emit(ev, d->sub, d->level, sd, nsd, fmt, ap);
}

void
log_event(enum log_event ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_eventv(ev, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_event_sd(enum log_event ev, const struct log_sd *sd, int nsd,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_eventv(ev, sd, nsd, fmt, ap);
	va_end(ap);
}

void
log_debug(enum log_sub sub, const char *fmt, ...)
{
	va_list ap;

	if (sub >= LOG_SUB_COUNT || !log_enabled(sub, LOG_LVL_DEBUG))
		return;
	va_start(ap, fmt);
	log_emit(LOG_EV_DEBUG, sub, LOG_LVL_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_level_set(enum log_sub sub, enum log_level level)
{
	if (sub >= LOG_SUB_COUNT || level >= LOG_LVL_COUNT)
		return;
	pthread_mutex_lock(&lg.lock);
	lg.level[sub] = level;
	pthread_mutex_unlock(&lg.lock);
}

enum log_level
log_level_get(enum log_sub sub)
{
	enum log_level l;

	pthread_mutex_lock(&lg.lock);
	l = sub < LOG_SUB_COUNT ? lg.level[sub] : LOG_LVL_ERROR;
	pthread_mutex_unlock(&lg.lock);
	return l;
}

/*
 * Resize the ring, keeping the newest records that fit.  Size 0 turns
 * buffering off.
 */
int
log_ring_resize(size_t size)
{
	struct log_rec *nring = NULL;
	size_t keep, i, start;

	if (size > LOG_RING_MAX)
		return -1;
	if (size > 0 && (nring = calloc(size, sizeof(*nring))) == NULL)
		return -1;

	pthread_mutex_lock(&lg.lock);
	keep = lg.used < size ? lg.used : size;
	if (keep > 0) {
		/* keep > 0 implies an old ring: lg.size > 0 */
		start = (lg.head + lg.size - keep) % lg.size;
		for (i = 0; i < keep; i++)
			nring[i] = lg.ring[(start + i) % lg.size];
	}
	free(lg.ring);
	lg.ring = nring;
	lg.size = size;
	lg.used = keep;
	lg.head = size ? keep % size : 0;
	pthread_mutex_unlock(&lg.lock);
	return 0;
}

void
log_ring_clear(void)
{
	pthread_mutex_lock(&lg.lock);
	lg.used = 0;
	lg.head = 0;
	lg.overwritten = 0;
	pthread_mutex_unlock(&lg.lock);
}

/* Oldest first.  The callback must not log. */
void
log_ring_walk(void (*cb)(const struct log_rec *, void *), void *arg)
{
	size_t i, start;

	pthread_mutex_lock(&lg.lock);
	if (lg.size > 0) {
		start = (lg.head + lg.size - lg.used) % lg.size;
		for (i = 0; i < lg.used; i++)
			cb(&lg.ring[(start + i) % lg.size], arg);
	}
	pthread_mutex_unlock(&lg.lock);
}

void
log_stats(struct log_stats *st)
{
	pthread_mutex_lock(&lg.lock);
	st->ring_size = lg.size;
	st->ring_used = lg.used;
	st->overwritten = lg.overwritten;
	st->logged = lg.logged;
	st->filtered = lg.filtered;
	pthread_mutex_unlock(&lg.lock);
}

int
log_sink_add(const struct log_sink *s)
{
	int rv = -1;

	pthread_mutex_lock(&lg.lock);
	if (lg.nsinks < LOG_SINKS_MAX) {
		lg.sinks[lg.nsinks++] = *s;
		rv = 0;
	}
	pthread_mutex_unlock(&lg.lock);
	return rv;
}

void
log_sink_remove(const char *name)
{
	int i;

	pthread_mutex_lock(&lg.lock);
	for (i = 0; i < lg.nsinks; i++) {
		if (strcmp(lg.sinks[i].name, name) != 0)
			continue;
		memmove(&lg.sinks[i], &lg.sinks[i + 1],
			(size_t)(lg.nsinks - i - 1) * sizeof(lg.sinks[0]));
		lg.nsinks--;
		break;
	}
	pthread_mutex_unlock(&lg.lock);
}

/* One structured-data pair; both halves are cut to their size. */
void
log_sd_set(struct log_sd *sd, const char *key, const char *val)
{
	str_lcpy(sd->key, key, sizeof(sd->key));
	str_lcpy(sd->val, val, sizeof(sd->val));
}

/* "2026-11-26T20:39:27.123Z CFG.001 config notice: message [k=v ...]" */
void
log_format_line(const struct log_rec *r, char *out, size_t len)
{
	char ts[STR_TIME_MAX], code[LOG_CODE_MAX];
	size_t off;
	int i, n;

	n = snprintf(out, len, "%s %s %s %s: %s",
		     str_time_utc(ts, sizeof(ts), &r->ts, 1),
		     log_code(code, sizeof(code), r->ev, r->sub),
		     log_sub_name(r->sub), log_level_name(r->level), r->msg);
	off = n < 0 ? 0 : (size_t)n;
	for (i = 0; i < r->nsd && off < len; i++) {
		n = snprintf(out + off, len - off, "%s%s=%s", i ? " " : " [",
			     r->sd[i].key, r->sd[i].val);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (r->nsd > 0 && off < len)
		snprintf(out + off, len - off, "]");
}

void
log_stderr_write(const struct log_rec *r, void *arg)
{
	char line[LOG_MSG_MAX + 256];

	(void)arg;
	log_format_line(r, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

const char *
log_level_name(enum log_level l)
{
	return (unsigned)l < LOG_LVL_COUNT ? log_level_names[l] : "?";
}

int
log_level_parse(const char *s, enum log_level *out)
{
	int i;

	for (i = 0; i < LOG_LVL_COUNT; i++)
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

const char *
log_sub_name(enum log_sub s)
{
	return (unsigned)s < LOG_SUB_COUNT ? log_subs[s].name : "?";
}

int
log_sub_parse(const char *s, enum log_sub *out)
{
	int i;

	for (i = 0; i < LOG_SUB_COUNT; i++)
		if (strcmp(s, log_subs[i].name) == 0) {
			*out = (enum log_sub)i;
			return 0;
		}
	return -1;
}

char *
log_code(char *out, size_t len, enum log_event ev, enum log_sub sub)
{
	int num = 0;

	if ((unsigned)ev < LOG_EV_COUNT) {
		sub = log_events[ev].sub;
		num = log_events[ev].num;
	}
	snprintf(out, len, "%s.%03d",
		 (unsigned)sub < LOG_SUB_COUNT ? log_subs[sub].code : "?", num);
	return out;
}

const char *
log_event_title(enum log_event ev)
{
	return (unsigned)ev < LOG_EV_COUNT ? log_events[ev].title : "debug";
}

enum log_sub
log_event_sub(enum log_event ev)
{
	return (unsigned)ev < LOG_EV_COUNT ? log_events[ev].sub
					   : LOG_SUB_DAEMON;
}

enum log_level
log_event_level(enum log_event ev)
{
	return (unsigned)ev < LOG_EV_COUNT ? log_events[ev].level
					   : LOG_LVL_DEBUG;
}
