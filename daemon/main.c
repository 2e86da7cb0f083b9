/*
 * fleetvpnd: start-up, the event loop, shutdown.
 *
 *	fleetvpnd [-f] [-c FILE]	run (in the foreground with -f)
 *	fleetvpnd -t [-c FILE]		check a configuration and exit 0/1
 *
 * Without -f the daemon detaches, and the starting process exits only
 * once the daemon is ready (0) or has failed (1, with the reason), so a
 * script or unit file sees start-up errors directly.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "str.h"

#define MAIN_CONF_DEFAULT "/etc/fleetvpn/fleetvpnd.conf"

static int main_ready_fd = -1; /* to the waiting parent, until ready */

static void
main_usage(void)
{
	fprintf(stderr, "usage: fleetvpnd [-f] [-c FILE]\n"
			"       fleetvpnd -t [-c FILE]\n"
			"       fleetvpnd -V\n");
	exit(2);
}

/* Start-up failed: tell whoever is waiting, then leave. */
static void __attribute__((noreturn)) main_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (main_ready_fd != -1)
		n = write(main_ready_fd, msg, strlen(msg));
	else
		fprintf(stderr, "fleetvpnd: %s\n", msg);
	(void)n;
	exit(1);
}

static void
main_print_errors(const struct conf_errors *e)
{
	int i;

	for (i = 0; i < e->count; i++)
		fprintf(stderr, "%s\n", e->msg[i]);
	if (e->total > e->count)
		fprintf(stderr, "... and %d more errors\n",
			e->total - e->count);
}

static int
main_check(const char *path)
{
	struct conf_errors errs;
	struct conf *c;

	memset(&errs, 0, sizeof(errs));
	if ((c = conf_load(path, &errs)) == NULL) {
		main_print_errors(&errs);
		fprintf(stderr, "%s: %d error%s\n", path, errs.total,
			errs.total == 1 ? "" : "s");
		return 1;
	}
	printf("%s: configuration OK (%d tunnel%s)\n", path, c->ntunnels,
	       c->ntunnels == 1 ? "" : "s");
	conf_free(c);
	return 0;
}

/*
 * Detach.  The parent stays until the child reports: EOF with nothing
 * written means ready; text is the reason start-up failed.
 */
static void
main_detach(void)
{
	char msg[512];
	int p[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		main_fail("pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		main_fail("fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		n = read(p[0], msg, sizeof(msg) - 1);
		if (n <= 0)
			exit(0);
		msg[n] = '\0';
		fprintf(stderr, "fleetvpnd: %s\n", msg);
		exit(1);
	}
	close(p[0]);
	main_ready_fd = p[1];
	if (setsid() == -1)
		main_fail("setsid: %s", strerror(errno));
	if (chdir("/") == -1)
		main_fail("chdir /: %s", strerror(errno));
}

static void
main_ready(struct daemon *d)
{
	int fd;

	log_event(EV_DMN_READY, "fleetvpnd %s ready on %s", FLEETVPN_VERSION,
		  control_path(d->ctl));
	sdnotify("READY=1");
	if (main_ready_fd == -1)
		return;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	close(main_ready_fd);
	main_ready_fd = -1;
}

static void
main_syslog_write(const struct log_rec *r, void *arg)
{
	static const int prio[LOG_LVL_COUNT] = {
	    LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};
	char code[LOG_CODE_MAX];

	(void)arg;
	syslog(prio[r->level], "%s %s: %s",
	       log_code(code, sizeof(code), r->ev, r->sub),
	       log_sub_name(r->sub), r->msg);
}

static void
main_sinks(int foreground)
{
	struct log_sink s = {.level = LOG_LVL_DEBUG};

	if (foreground) {
		s.name = "stderr";
		s.write = log_stderr_write;
	} else {
		openlog("fleetvpnd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		s.name = "syslog";
		s.write = main_syslog_write;
	}
	log_sink_add(&s);
}

static void
main_signal(int signo, void *arg)
{
	struct daemon *d = arg;

	if (signo == SIGHUP) {
		reload_run(d, "SIGHUP", NULL, NULL);
		return;
	}
	log_event(EV_DMN_STOP, "stopping on %s", strsignal(signo));
	ev_break(d->loop);
}

static void
main_dirs(const struct conf *c)
{
	const char *dirs[] = {c->state_dir, c->spool_dir};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0750) == -1 && errno != EEXIST)
			main_fail("%s: %s", dirs[i], strerror(errno));
}

static void
main_start(struct daemon *d)
{
	char err[512];

	if ((d->pidfile = pidfile_open(d->conf->pid_path, err, sizeof(err))) ==
	    NULL)
		main_fail("%s", err);
	main_dirs(d->conf);
	if ((d->loop = ev_loop_new()) == NULL)
		main_fail("event loop: %s", strerror(errno));
	if (ev_signal(d->loop, SIGTERM, main_signal, d) == -1 ||
	    ev_signal(d->loop, SIGINT, main_signal, d) == -1 ||
	    ev_signal(d->loop, SIGHUP, main_signal, d) == -1)
		main_fail("signals: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if ((d->ctl = control_open(d, d->conf->ctl_path, d->conf->ctl_group,
				   err, sizeof(err))) == NULL)
		main_fail("control socket: %s", err);
	if ((d->engine = engine_new(d->loop, d->conf, err, sizeof(err))) ==
	    NULL)
		main_fail("engine: %s", err);
}

static void
main_stop(struct daemon *d)
{
	sdnotify("STOPPING=1");
	/* Deletes go to the peers while the sockets are still open. */
	engine_free(d->engine);
	control_close(d->ctl);
	pidfile_close(d->pidfile);
	log_event(EV_DMN_STOPPED, "fleetvpnd stopped after %llus",
		  (unsigned long long)((ev_time_ms() - d->started_ms) / 1000));
	ev_loop_free(d->loop);
	conf_free(d->conf);
	log_shutdown();
	closelog();
}

int
main(int argc, char *argv[])
{
	struct daemon d;
	struct conf_errors errs;
	int ch, check = 0;

	memset(&d, 0, sizeof(d));
	d.conf_path = MAIN_CONF_DEFAULT;
	while ((ch = getopt(argc, argv, "c:ftVh")) != -1) {
		switch (ch) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'f':
			d.foreground = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("fleetvpnd %s\n", FLEETVPN_VERSION);
			return 0;
		default:
			main_usage();
		}
	}
	if (optind != argc)
		main_usage();
	if (check)
		return main_check(d.conf_path);

	memset(&errs, 0, sizeof(errs));
	if ((d.conf = conf_load(d.conf_path, &errs)) == NULL) {
		main_print_errors(&errs);
		fprintf(stderr, "fleetvpnd: %s: %d error%s, not started\n",
			d.conf_path, errs.total, errs.total == 1 ? "" : "s");
		return 1;
	}
	if (!d.foreground)
		main_detach();
	log_init();
	main_sinks(d.foreground);
	d.pid = getpid();
	clock_gettime(CLOCK_REALTIME, &d.started);
	d.started_ms = ev_time_ms();
	log_event(EV_DMN_START, "fleetvpnd %s starting, pid %ld",
		  FLEETVPN_VERSION, (long)d.pid);
	reload_initial(&d, d.conf_path);
	main_start(&d);
	main_ready(&d);
	if (ev_run(d.loop) == -1)
		log_event(EV_DMN_SYSERR, "event loop: %s", strerror(errno));
	main_stop(&d);
	return 0;
}
